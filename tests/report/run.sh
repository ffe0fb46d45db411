#!/bin/sh
# run.sh — `rubric report` against check.py's independent computation, in
# every format: the team batch (invalid records, a broken distribution rule:
# exit 1), its calibrated half (exit 0), grouped by another field, and every
# template's sample records.
# Usage: RUBRIC=build/rubric sh tests/report/run.sh
set -u
RUBRIC=${RUBRIC:-build/rubric}
dir=$(dirname "$0")
py=/usr/bin/python3
pass=0
fail=0
check() {
    if $py "$dir/check.py" "$RUBRIC" "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
}
check "$dir/team.rubric" "$dir/batch.ndjson"
check "$dir/team.rubric" "$dir/calibrated.ndjson"
check "$dir/team.rubric" "$dir/batch.ndjson" --by name
for t in "$dir"/../../templates/*.rubric; do
    check "$t" "${t%.rubric}.records.ndjson"
done
# The same batch as a workbook (written by openpyxl) and as CSV gives the
# same report as its NDJSON: report reads records as score does.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
$py - "$dir/calibrated.ndjson" "$tmp" <<'PY'
import csv, json, sys, openpyxl
rows = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
cols = ["name", "dept", "quality", "speed", "extra", "team"]
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "记录"
ws.append(cols)
for r in rows:
    ws.append([r.get(c) for c in cols])
wb.save(sys.argv[2] + "/batch.xlsx")
with open(sys.argv[2] + "/batch.csv", "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    w.writerow(cols)
    for r in rows:
        w.writerow(["" if r.get(c) is None else r[c] for c in cols])
PY
"$RUBRIC" report --format json "$dir/team.rubric" "$dir/calibrated.ndjson" > "$tmp/ndjson.json"
for kind in xlsx csv; do
    "$RUBRIC" report --format json "$dir/team.rubric" "$tmp/batch.$kind" > "$tmp/$kind.json"
    if [ $? = 0 ] && [ -s "$tmp/$kind.json" ] && cmp -s "$tmp/ndjson.json" "$tmp/$kind.json"; then pass=$((pass + 1))
    else echo "FAIL report: the batch as $kind gives another report than as NDJSON"; fail=$((fail + 1)); fi
done
echo "report: $pass passed, $fail failed"
[ $fail = 0 ]
