#!/bin/sh
# run.sh — `make bench`: scores the same generated records with rubric (from
# source and from .rbc, NDJSON and CSV in) and with the alternatives found on
# this machine (a Python json+fractions script for the same form; jq summing
# the items), in one run, and prints records per second for each.
# N (default 200000) sets the number of records.
set -eu
: "${RUBRIC:?set RUBRIC to the rubric binary}"
N=${N:-200000}
dir=${TMPDIR:-/tmp}/rubric-bench.$$
mkdir -p "$dir"
trap 'rm -rf "$dir"' EXIT
# Deterministic records: a linear congruential generator in awk.
awk -v n="$N" 'BEGIN {
    s = 12345
    split("knowledge initiative expression patience technique target satisfaction teamwork learning", k, " ")
    split("10 10 10 10 15 15 10 10 10", m, " ")
    print "name,date,knowledge,initiative,expression,patience,technique,target,satisfaction,teamwork,learning" > "'"$dir"'/r.csv"
    for (i = 1; i <= n; i++) {
        line = "{\"name\":\"员工" i "\",\"date\":\"2026-10-31\""; row = "员工" i ",2026-10-31"
        for (j = 1; j <= 9; j++) { s = (s * 1103515245 + 12345) % 2147483648; v = s % (m[j] + 1)
            line = line ",\"" k[j] "\":" v; row = row "," v }
        print line "}" > "'"$dir"'/r.ndjson"; print row > "'"$dir"'/r.csv"
    }
}'
"$RUBRIC" compile templates/presales.rubric -o "$dir/p.rbc"
now() { date +%s.%N; }
run() { # run LABEL COMMAND...
    label=$1; shift
    t0=$(now); "$@" > "$dir/out" 2>/dev/null || [ $? -le 1 ]; t1=$(now)
    lines=$(wc -l < "$dir/out")
    awk -v l="$label" -v a="$t0" -v b="$t1" -v n="$lines" \
        'BEGIN { t = b - a; printf "%-44s %8.2f s  %10.0f records/s  (%d results)\n", l, t, n / t, n }'
}
echo "bench: $N records of the 售前客服 form (templates/presales.rubric)"
run "rubric score presales.rubric (NDJSON)" "$RUBRIC" score templates/presales.rubric "$dir/r.ndjson"
run "rubric score presales.rbc (NDJSON)" "$RUBRIC" score "$dir/p.rbc" "$dir/r.ndjson"
run "rubric score presales.rbc (CSV)" "$RUBRIC" score "$dir/p.rbc" "$dir/r.csv"
run "rubric score --format csv" "$RUBRIC" score --format csv "$dir/p.rbc" "$dir/r.ndjson"
if command -v python3 >/dev/null 2>&1; then
    run "python3 json+fractions (bench/presales.py)" python3 bench/presales.py "$dir/r.ndjson"
else
    echo "python3 not found: skipping the Python baseline"
fi
if command -v jq >/dev/null 2>&1; then
    run "jq (sum only, no validation or grade)" jq -c '{total: (.knowledge+.initiative+.expression+.patience+.technique+.target+.satisfaction+.teamwork+.learning)}' "$dir/r.ndjson"
else
    echo "jq not found: skipping the jq baseline (apt-get install jq)"
fi
