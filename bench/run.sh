#!/bin/sh
# run.sh — `make bench`: scores the same generated records (bench/gen.awk) with
# rubric and with the alternatives, in one run, and prints for each the wall
# time, CPU time (user + sys), records per second, peak memory, and the ratio
# to the LuaJIT + lua-cjson script (bench/sales.lua).  On a shared machine the
# CPU-time ratio is the stable one; wall time is what -j N improves.
#   N       number of records (default 100000)
#   JOBS    the -j value of the parallel run (default 2)
# Every tool must give exactly one result line per record, or the bench fails.
set -eu
: "${RUBRIC:?set RUBRIC to the rubric binary}"
N=${N:-100000}
JOBS=${JOBS:-2}
PY=/usr/bin/python3
dir=${TMPDIR:-/tmp}/rubric-bench.$$
mkdir -p "$dir"
trap 'rm -rf "$dir"' EXIT
awk -v n="$N" -v dir="$dir" -f bench/gen.awk
"$RUBRIC" compile bench/sales.rubric -o "$dir/sales.rbc"
"$RUBRIC" compile templates/cs_weekly.rubric -o "$dir/cs.rbc"
have() { command -v "$1" >/dev/null 2>&1; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (sh tools/deps.sh bench)" >&2; exit 2; }
base=""
run() { # run LABEL INPUT COMMAND...  (INPUT is fed on standard input)
    label=$1; input=$2; shift 2
    /usr/bin/time -f '%e %U %S %M' -o "$dir/time" "$@" < "$input" > "$dir/out" 2>"$dir/err" || [ $? -le 1 ] || {
        echo "bench: $label failed:" >&2; cat "$dir/err" >&2; exit 1; }
    lines=$(wc -l < "$dir/out")
    [ "$lines" = "$((N + ${HEADER:-0}))" ] || { echo "bench: $label gave $lines results for $N records" >&2; exit 1; }
    set -- $(tail -n 1 "$dir/time")
    cpu=$(awk -v u="$2" -v s="$3" 'BEGIN { printf "%.2f", u + s }')
    [ -n "$base" ] || base=$cpu
    case $label in luajit*) luajit_cpu=$cpu ;; esac
    printf '%s %s %s %s %s\n' "$1" "$cpu" "$4" "$label" >> "$dir/rows"
}
rm -f "$dir/rows"; luajit_cpu=""
run "rubric sales.rbc (NDJSON, stdin)" "$dir/sales.ndjson" "$RUBRIC" score "$dir/sales.rbc" -
if "$RUBRIC" help score 2>&1 | grep -q -- '-j N'; then
    run "rubric sales.rbc -j $JOBS (NDJSON, stdin)" "$dir/sales.ndjson" "$RUBRIC" score -j "$JOBS" "$dir/sales.rbc" -
fi
run "rubric sales.rubric (NDJSON, from source)" "$dir/sales.ndjson" "$RUBRIC" score bench/sales.rubric -
run "rubric sales.rbc (CSV)" /dev/null "$RUBRIC" score "$dir/sales.rbc" "$dir/sales.csv"
HEADER=1 run "rubric sales.rbc --format csv (CSV out)" "$dir/sales.ndjson" "$RUBRIC" score --format csv "$dir/sales.rbc" -
run "rubric cs_weekly.rbc (raters, NDJSON)" "$dir/cs.ndjson" "$RUBRIC" score "$dir/cs.rbc" -
if have luajit && luajit -e 'require("cjson")' 2>/dev/null; then
    run "luajit + lua-cjson (bench/sales.lua)" /dev/null luajit bench/sales.lua "$dir/sales.ndjson"
else
    echo "bench: luajit or lua-cjson missing: skipping that baseline (sh tools/deps.sh bench)"
fi
if [ -x "$PY" ]; then
    run "python3 json+fractions (bench/sales.py)" /dev/null "$PY" bench/sales.py "$dir/sales.ndjson"
fi
if have jq; then
    run "jq (bench/sales.jq)" "$dir/sales.ndjson" jq -c -f bench/sales.jq
fi
# Peak memory must not grow with the input (issue 8): the same records, a
# tenth of them and all of them, on one thread and on JOBS threads, within
# 1 MB (allocator noise).
head -n $((N / 10)) "$dir/sales.ndjson" > "$dir/tenth.ndjson"
peak_kb() { # peak_kb INPUT ARGS...
    input=$1; shift
    /usr/bin/time -f '%M' -o "$dir/peak" "$RUBRIC" score "$@" "$dir/sales.rbc" - < "$input" > /dev/null 2>&1 || [ $? -le 1 ] ||
        { echo "bench: rubric score $* failed" >&2; exit 1; }
    tail -n 1 "$dir/peak"
}
for jobs in 1 "$JOBS"; do
    small=$(peak_kb "$dir/tenth.ndjson" -j "$jobs"); big=$(peak_kb "$dir/sales.ndjson" -j "$jobs")
    echo "bench: peak memory with -j $jobs: $small KB for $((N / 10)) records, $big KB for $N"
    [ "$big" -le $((small + 1024)) ] || { echo "bench: peak memory grows with the input (-j $jobs)" >&2; exit 1; }
done
echo "bench: $N records each; 销售表现考核表 = bench/sales.rubric, 客服周考核 = templates/cs_weekly.rubric"
printf '%-44s %8s %8s %12s %9s %10s\n' "" "wall s" "cpu s" "records/s" "peak MB" "vs luajit"
awk -v n="$N" -v lj="$luajit_cpu" '{
    label = $4; for (i = 5; i <= NF; i++) label = label " " $i
    ratio = lj == "" ? "-" : sprintf("%.2fx", lj / ($2 > 0 ? $2 : 0.001))
    printf "%-44s %8.2f %8.2f %12.0f %9.1f %10s\n", label, $1, $2, n / ($2 > 0 ? $2 : 0.001), $3 / 1024, ratio
}' "$dir/rows"
echo "(records/s and the ratio are on CPU time; 'vs luajit' > 1 means faster than the LuaJIT script)"
