#!/bin/sh
# demo.sh — compiles every template in templates/ to bytecode and scores its
# sample records, printing a table per form (run by `make demo`).
set -u
: "${RUBRIC:?set RUBRIC to the rubric binary}"
out=build/demo
mkdir -p "$out"
for t in templates/*.rubric; do
    n=$(basename "$t" .rubric)
    records=templates/$n.records.ndjson
    [ -f "$records" ] || continue
    "$RUBRIC" compile "$t" -o "$out/$n.rbc" || exit 1
    label=$(sed -n 's/^form [^ ]* "\([^"]*\)".*/\1/p' "$t" | head -1)
    printf '\n== %s  %s  (%s)\n' "$n" "$label" "$out/$n.rbc"
    "$RUBRIC" score --format table "$out/$n.rbc" "$records"
    status=$?
    [ "$status" -le 1 ] || exit 1
done
printf '\nScore one yourself:  %s score --format explain templates/presales.rubric templates/presales.records.ndjson\n' "$RUBRIC"
