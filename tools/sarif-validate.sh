#!/bin/sh
# sarif-validate.sh — runs Microsoft's SARIF validator (npm
# @microsoft/sarif-multitool, `sarif validate`) over what `rubric check
# --format sarif` writes: clean and broken templates, absolute and relative
# paths, a diagnostic with no place in the text (-D).  Any finding of the
# validator, error or warning, fails.  Not part of `make test` (the npm
# install is slow); .ci/run calls it.  Needs node and npm (Debian: npm).
set -u
: "${RUBRIC:?set RUBRIC to the rubric binary}"
RUBRIC=$(cd "$(dirname "$RUBRIC")" && pwd)/$(basename "$RUBRIC")
here=$(cd "$(dirname "$0")/.." && pwd)
tooldir=${SARIF_TOOL_DIR:-$here/build/npm}
tool=$tooldir/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
if [ ! -x "$tool" ]; then
    mkdir -p "$tooldir"
    npm install --prefix "$tooldir" --no-audit --no-fund --silent @microsoft/sarif-multitool@5.7.0 >/dev/null ||
        { echo "sarif: npm install @microsoft/sarif-multitool failed" >&2; exit 2; }
    chmod u+x "$tool" # its postinstall step, which npm may skip
fi
tmp=${TMPDIR:-/tmp}/rubric-sarif.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
printf 'form f {\n  input sales: number\n  let x = salse\n  item a points 10\n  warn a >= 6 "low"\n}\n' > "$tmp/bad.rubric"
printf 'form f {\n  param goal: number = 1\n  item a points 10 = min(goal, 10)\n}\n' > "$tmp/param.rubric"
cd "$here" || exit 2
n=0; fail=0
run() { # run NAME ARGS… — the SARIF log of `rubric check ARGS…`, validated
    n=$((n + 1))
    "$RUBRIC" check --format sarif "$@" > "$tmp/$n.sarif" 2>/dev/null
    "$tool" validate "$tmp/$n.sarif" -o "$tmp/$n.out.sarif" >/dev/null 2>&1 ||
        { echo "FAIL sarif: the validator could not run on $*"; fail=$((fail + 1)); return; }
    found=$(jq -r '.runs[].results[]? | "\(.ruleId) \(.level // "warning") \(.message.id // "") \(.locations[0].physicalLocation.region.startLine // "")"' "$tmp/$n.out.sarif")
    if [ -n "$found" ]; then echo "FAIL sarif: $*"; echo "$found"; fail=$((fail + 1)); fi
}
run templates/sales.rubric
run "$tmp/bad.rubric"
( cd "$tmp" && "$RUBRIC" check --format sarif bad.rubric > rel.sarif 2>/dev/null ); n=$((n + 1))
"$tool" validate "$tmp/rel.sarif" -o "$tmp/rel.out.sarif" >/dev/null 2>&1
[ -z "$(jq -r '.runs[].results[]?.ruleId' "$tmp/rel.out.sarif")" ] || { echo "FAIL sarif: relative path"; fail=$((fail + 1)); }
run -D goal=x "$tmp/param.rubric"
run templates/*.rubric "$tmp/bad.rubric"
echo "sarif: $((n - fail)) passed, $fail failed"
[ "$fail" = 0 ]
