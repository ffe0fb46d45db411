#!/bin/sh
# deps.sh — makes sure the build dependencies are present.
# As root it installs what is missing with apt-get; otherwise it names the
# exact command to run.  Each dependency is justified in docs/dependencies.md.
# `deps.sh browser` also installs headless Chromium, a Chinese font and
# poppler-utils for `make test-report-browser` and `make test-form`.
# `deps.sh bench` also installs what `make bench` compares against (and times
# with): luajit + lua-cjson (the fast-script baseline), jq, and GNU time.
# `deps.sh wasm DIR` also fetches into DIR the Debian sources of the two
# libraries the WebAssembly evaluator of `rubric form` links (libcsv,
# nettle), which Debian ships built for the host only (docs/dependencies.md).
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
need libsqlite3-dev has_header sqlite3.h     # score --store, history: the results store (SPEC §13)
need python3-openpyxl /usr/bin/python3 -c 'import openpyxl'  # tests: workbooks by a real writer, and a real reader of ours
need gettext       command -v msgcmp   # make po-check: message extraction and translation checks
need emscripten    command -v emcc     # rubric form: the evaluator compiled to WebAssembly
need nodejs        command -v node     # emcc runs on it; make test runs that evaluator under it
need dpkg-dev      command -v dpkg-source # apt-get source: libcsv, nettle for wasm32
if [ "${1:-}" = browser ]; then # make test-report-browser, make test-form: pages in a real browser
    need chromium  command -v chromium
    need fonts-wqy-microhei test -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc  # Chinese glyphs in the PNG
    need poppler-utils command -v pdftoppm  # test-form: page 1 of the printed PDF as PNG, its text and size
fi
if [ "${1:-}" = bench ]; then
    need luajit    command -v luajit
    need lua-cjson luajit -e 'require("cjson")'
    need jq        command -v jq
    need time      test -x /usr/bin/time
fi
# Sources for wasm32: unpacked once into DIR as DIR/libcsv, DIR/nettle.
fetch_sources() {
    dir=$1
    [ -f "$dir/.fetched" ] && return 0
    mkdir -p "$dir"
    if ! (cd "$dir" && apt-get source -qq libcsv nettle >/dev/null 2>&1); then
        # apt needs a deb-src entry; add one for the suites it already uses.
        if [ "$(id -u)" = 0 ] && [ ! -f /etc/apt/sources.list.d/debian-src.sources ]; then
            . /etc/os-release
            printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
                "$VERSION_CODENAME" "$VERSION_CODENAME" > /etc/apt/sources.list.d/debian-src.sources
            apt-get update -qq
        fi
        (cd "$dir" && apt-get source -qq libcsv nettle >/dev/null 2>&1) || {
            echo "deps: apt-get source libcsv nettle failed (a deb-src entry is needed in apt's sources)" >&2; exit 1; }
    fi
    for lib in libcsv nettle; do
        rm -rf "${dir:?}/$lib"
        mv "$dir/$(cd "$dir" && ls -d "$lib"-*/ | head -n 1)" "$dir/$lib"
    done
    touch "$dir/.fetched"
}
if [ -z "$missing" ]; then
    [ "${1:-}" = wasm ] && fetch_sources "${2:?deps.sh wasm DIR}"
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "deps: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq $missing >/dev/null || {
        echo "deps: apt-get install$missing failed" >&2; exit 1; }
    [ "${1:-}" = wasm ] && fetch_sources "${2:?deps.sh wasm DIR}"
    exit 0
fi
echo "deps: missing$missing" >&2
echo "deps: run: sudo apt-get install$missing" >&2
exit 1
