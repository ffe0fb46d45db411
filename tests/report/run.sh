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
echo "report: $pass passed, $fail failed"
[ $fail = 0 ]
