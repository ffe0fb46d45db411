#!/bin/sh
# run.sh — CLI golden tests.
#
# Each directory tests/cli/cases/NAME holds `cmd` (a shell command run in that
# directory, with $RUBRIC the binary under test) and `expected` (its stdout
# and stderr, then a last line "exit N").  UPDATE=1 rewrites `expected` from
# the actual output — review the diff before committing it.  Arguments, if
# any, name the cases to run (e.g. `UPDATE=1 sh run.sh spec1-presales-json`),
# so that UPDATE=1 touches only those.  Helpers shared by the cases (e.g. a
# filter that hides digests) are in cases/_lib.sh; a case sources it with
# `. ../_lib.sh`.
set -u
: "${RUBRIC:?set RUBRIC to the rubric binary}"
RUBRIC=$(cd "$(dirname "$RUBRIC")" && pwd)/$(basename "$RUBRIC")
export RUBRIC
here=$(cd "$(dirname "$0")" && pwd)
pass=0; fail=0
for n in "$@"; do
    [ -d "$here/cases/${n%/}" ] || { echo "no such case: ${n%/}"; fail=$((fail + 1)); }
done
for dir in "$here"/cases/*/; do
    name=$(basename "$dir")
    if [ $# -gt 0 ]; then
        case " $* " in *" $name "* | *" $name/ "*) ;; *) continue ;; esac
    fi
    actual=$(cd "$dir" && sh ./cmd 2>&1; echo "exit $?")
    if [ "${UPDATE:-}" = 1 ]; then
        printf '%s\n' "$actual" > "$dir/expected"
    fi
    if [ -f "$dir/expected" ] && [ "$actual" = "$(cat "$dir/expected")" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL cli/$name"
        printf '%s\n' "$actual" > "${TMPDIR:-/tmp}/rubric-cli-$name.actual"
        diff -u "$dir/expected" "${TMPDIR:-/tmp}/rubric-cli-$name.actual" | head -40
    fi
done
if [ -n "${API_EXAMPLE:-}" ]; then
    if out=$("$API_EXAMPLE" 2>&1); then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL docs/api-example.c"; echo "$out"; fi
fi
echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
