#!/bin/sh
# deps.sh — makes sure the build dependencies are present.
# As root it installs what is missing with apt-get; otherwise it names the
# exact command to run.  Each dependency is justified in docs/dependencies.md.
# `deps.sh browser` also installs headless Chromium and a Chinese font for
# `make test-report-browser`.
# `deps.sh bench` also installs what `make bench` compares against (and times
# with): luajit + lua-cjson (the fast-script baseline), jq, and GNU time.
set -u
missing=""
need() { # need PACKAGE TEST...
    pkg=$1; shift
    if ! "$@" >/dev/null 2>&1; then missing="$missing $pkg"; fi
}
has_header() { printf '#include <stdarg.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <setjmp.h>\n#include <%s>\n' "$1" | ${CC:-cc} -E -x c - >/dev/null 2>&1; }
need make          command -v make
need gcc           command -v ${CC:-cc}
need flex          command -v flex
need bison         command -v bison
need libcmocka-dev has_header cmocka.h
need libcsv-dev    has_header csv.h
need nettle-dev    has_header nettle/sha2.h
need libzip-dev    has_header zip.h            # .xlsx in: the zip container
need libexpat1-dev has_header expat.h          # .xlsx in: the sheet XML
need libxlsxwriter-dev has_header xlsxwriter.h # .xlsx out: sheet, score --format xlsx, report --format xlsx
need python3-openpyxl /usr/bin/python3 -c 'import openpyxl'  # tests: workbooks by a real writer, and a real reader of ours
need gettext       command -v msgcmp   # make po-check: message extraction and translation checks
if [ "${1:-}" = browser ]; then # make test-report-browser: the HTML report in a real browser
    need chromium  command -v chromium
    need fonts-wqy-microhei test -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc  # Chinese glyphs in the PNG
fi
if [ "${1:-}" = bench ]; then
    need luajit    command -v luajit
    need lua-cjson luajit -e 'require("cjson")'
    need jq        command -v jq
    need time      test -x /usr/bin/time
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "deps: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq $missing >/dev/null || {
        echo "deps: apt-get install$missing failed" >&2; exit 1; }
    exit 0
fi
echo "deps: missing$missing" >&2
echo "deps: run: sudo apt-get install$missing" >&2
exit 1
