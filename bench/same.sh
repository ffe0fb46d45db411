#!/bin/sh
# same.sh — proves an optimisation changed nothing visible: scores the same
# inputs with the rubric built from REV (default HEAD, i.e. the commit before
# the change in the work tree) and with $RUBRIC (default build/rubric), in
# every output format, and compares standard output, standard error and the
# exit status byte for byte.  Inputs: every template's records and the records
# of its cases, as NDJSON, as one JSON array and as CSV-free stdin; the bench
# generator's records (NDJSON and CSV); every JSONTestSuite file as a record
# stream (hostile bytes).  Usage: sh bench/same.sh [REV]; OLD=path/to/rubric
# uses that build of REV instead of building it.
set -eu
REV=${1:-HEAD}
NEW=${RUBRIC:-build/rubric}
dir=${TMPDIR:-/tmp}/rubric-same.$$
mkdir -p "$dir/old"
trap 'rm -rf "$dir"' EXIT
if [ -n "${OLD:-}" ]; then # a rubric already built from REV (saves a build per check)
    :
else
    git archive "$REV" | tar -x -C "$dir/old"
    make -s -C "$dir/old" -j2 build/rubric >/dev/null
    OLD=$dir/old/build/rubric
fi
awk -v n="${N:-3000}" -v dir="$dir" -f bench/gen.awk
fail=0; count=0
same() { # same TEMPLATE FORMAT INPUT...
    t=$1; f=$2; shift 2
    "$OLD" score --format "$f" "$t" "$@" > "$dir/o.out" 2> "$dir/o.err" && oc=0 || oc=$?
    "$NEW" score --format "$f" "$t" "$@" > "$dir/n.out" 2> "$dir/n.err" && nc=0 || nc=$?
    sed -i "s|$dir/old/||g" "$dir/o.err"
    count=$((count + 1))
    if [ "$oc" != "$nc" ] || ! cmp -s "$dir/o.out" "$dir/n.out" || ! cmp -s "$dir/o.err" "$dir/n.err"; then
        fail=$((fail + 1)); echo "DIFFERENT: score --format $f $t $* (exit $oc → $nc)"
        diff "$dir/o.out" "$dir/n.out" | head -5; diff "$dir/o.err" "$dir/n.err" | head -5
    fi
}
for t in templates/*.rubric; do
    n=$(basename "$t" .rubric)
    "$NEW" compile "$t" -o "$dir/$n.rbc"
    jq -c '.record' "templates/$n.cases.ndjson" > "$dir/$n.cases.ndjson"
    cat "templates/$n.records.ndjson" "$dir/$n.cases.ndjson" > "$dir/$n.all.ndjson"
    jq -s '.' "$dir/$n.all.ndjson" > "$dir/$n.all.json"
    for f in ndjson csv explain table; do
        same "$t" "$f" "$dir/$n.all.ndjson"
        same "$dir/$n.rbc" "$f" "$dir/$n.all.json"
    done
    same "$dir/$n.rbc" ndjson --allow-extra "$dir/$n.all.ndjson"
done
same templates/sales.rubric ndjson "$dir/sales.ndjson"
same templates/sales.rubric csv "$dir/sales.csv"
same templates/sales.rubric explain "$dir/sales.csv"
same templates/cs_weekly.rubric ndjson "$dir/cs.ndjson"
for j in tests/data/JSONTestSuite/test_parsing/*.json; do
    same templates/presales.rubric ndjson "$j"
done
echo "same: $count comparisons, $fail different (old = $REV, new = $NEW)"
[ "$fail" = 0 ]
