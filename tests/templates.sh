#!/bin/sh
# templates.sh — every template in templates/ (and each test form of the
# browser suite, tests/form/*.rubric) must check clean (no warnings), pass
# its cases from source AND from compiled bytecode, and its cases must be
# able to fail: with every expected total altered, each case that expects a
# total must fail.
set -u
: "${RUBRIC:?set RUBRIC to the rubric binary}"
tmp=${TMPDIR:-/tmp}/rubric-templates.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
for t in templates/*.rubric tests/form/*.rubric; do
    [ -e "$t" ] || continue
    n=$(basename "$t" .rubric)
    cases=${t%.rubric}.cases.ndjson
    if "$RUBRIC" check --werror "$t"; then pass=$((pass + 1)); else bad "check $t"; fi
    if [ ! -f "$cases" ]; then bad "$t has no $cases"; continue; fi
    if out=$("$RUBRIC" test "$t" "$cases" 2>&1); then pass=$((pass + 1)); else bad "test $t"; echo "$out" | grep -v '^PASS'; fi
    if "$RUBRIC" compile "$t" -o "$tmp/$n.rbc" && out=$("$RUBRIC" test "$tmp/$n.rbc" "$cases" 2>&1); then
        pass=$((pass + 1)); else bad "test $n.rbc"; echo "$out" | grep -v '^PASS'; fi
    # Mutation: put a 1 before every expected total (87 → 187, 0.5 → 10.5);
    # each case that expects a total must then fail.
    want=$(grep -cE '"expect":.*"total":-?[0-9]' "$cases")
    sed -E 's/("expect":.*"total":)(-?)([0-9])/\1\21\3/' "$cases" > "$tmp/$n.mut.ndjson"
    got=$("$RUBRIC" test "$t" "$tmp/$n.mut.ndjson" 2>/dev/null | grep -c '^FAIL')
    if [ "$got" = "$want" ]; then pass=$((pass + 1)); else
        bad "mutation $t: $want cases expect a total, $got failed when it changed"; fi
done
echo "templates: $pass passed, $fail failed"
[ "$fail" = 0 ]
