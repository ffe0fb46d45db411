#!/bin/sh
# browser.sh — the HTML report in a real browser (headless Chromium from
# Debian): rendered to PDF (A4) and PNG, its DOM dumped after layout.
# Asserts that every chart is there as inline SVG with its bars, that the
# page fetches nothing (no http(s)/file URL, no <script>, no <link>, no
# url(), no @import, no src=), and that the PDF is A4.  In both languages.
# Usage: RUBRIC=build/rubric sh tests/report/browser.sh
set -u
RUBRIC=${RUBRIC:-build/rubric}
dir=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
browser() { chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions "$@" 2>/dev/null; }

for lang in en zh; do
    page=$tmp/report-$lang.html
    "$RUBRIC" --lang $lang report --by dept -o "$page" "$dir/team.rubric" "$dir/batch.ndjson"
    [ $? = 1 ] || bad "$lang: report of a batch with a broken rule must exit 1"
    # Nothing external, in the page as written.
    if grep -Eiq 'https?:|file:|<script|<link|<iframe|<img|<object|<embed|src=|url\(|@import' "$page"; then
        bad "$lang: the page refers to something outside it:"
        grep -Eion 'https?:|file:|<script|<link|<iframe|<img|<object|<embed|src=|url\(|@import' "$page" | head -5
    else ok; fi
    # The DOM as Chromium built it.
    browser --dump-dom "file://$page" > "$tmp/dom-$lang.html"
    for chart in chart-grades chart-histogram chart-sections chart-groups; do
        bars=$(sed -n "s/.*<svg id=\"$chart\"\(.*\)/\1/p" "$tmp/dom-$lang.html" | sed 's|</svg>.*||' | grep -o '<rect' | wc -l)
        if [ "$bars" -gt 0 ]; then ok; else bad "$lang: chart $chart missing or without bars in the DOM"; fi
    done
    if grep -Eiq '<script|<link|<iframe|<img' "$tmp/dom-$lang.html"; then bad "$lang: the DOM has an external element"; else ok; fi
    grep -q 'class="broken"' "$tmp/dom-$lang.html" && ok || bad "$lang: the broken rule is not marked in the DOM"
    # PDF: A4 (595 × 842 points), at least one page.
    browser --no-pdf-header-footer --print-to-pdf="$tmp/report-$lang.pdf" "file://$page" >/dev/null
    if head -c 5 "$tmp/report-$lang.pdf" 2>/dev/null | grep -q '%PDF-' &&
       grep -aq 'MediaBox \[0 0 59[45]\.[0-9]* 84[12]\.[0-9]*\]' "$tmp/report-$lang.pdf"; then ok
    else bad "$lang: no A4 PDF"; fi
    # PNG: a real image of the page.
    browser --window-size=900,1400 --screenshot="$tmp/report-$lang.png" "file://$page" >/dev/null
    if [ "$(head -c 8 "$tmp/report-$lang.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
       [ "$(wc -c < "$tmp/report-$lang.png")" -gt 20000 ]; then ok
    else bad "$lang: no PNG screenshot"; fi
    [ -n "${KEEP:-}" ] && cp "$tmp/report-$lang.pdf" "$tmp/report-$lang.png" "$KEEP/"
done
echo "report browser: $pass passed, $fail failed"
[ $fail = 0 ]
