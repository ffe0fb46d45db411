# _lib.sh — helpers for the CLI golden cases; a case's cmd sources it with
# `. ../_lib.sh`.  Not a case itself (run.sh only runs directories).

# r ARGS… — run "$RUBRIC" ARGS… (standard input passed through), with stdout
# and stderr merged as run.sh merges them, but every sha256 digest replaced
# by sha256:<digest>, so that a golden file does not change whenever the
# code generator does.  Returns rubric's exit status.
r() {
    _out=$(mktemp "${TMPDIR:-/tmp}/rubric-cli.XXXXXX")
    "$RUBRIC" "$@" >"$_out" 2>&1
    _st=$?
    sed 's/sha256:[0-9a-f]\{64\}/sha256:<digest>/g' "$_out"
    rm -f "$_out"
    return $_st
}

# rs ARGS… — r, then print "-> exit N"; for cases that run several commands.
rs() {
    r "$@"
    echo "-> exit $?"
}
