# diag_codes.awk — generates the catalogue table (diag_codes.c) from
# docs/diagnostics.md, the one list of diagnostic codes: each code's title
# (its heading "### E0201 — unknown name") and meaning (its row in the table
# "All codes").  SARIF describes its rules with them (src/diag.c).
function cstr(s) {
    gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/\?\?/, "?\\?", s)
    return "\"" s "\""
}
/^##+ [EW][0-9][0-9][0-9][0-9] — / {
    code = $2; t = $0; sub(/^##+ [EW][0-9]+ — /, "", t); title[code] = t
}
/^\| \[[EW][0-9][0-9][0-9][0-9]\]\(#/ {
    code = substr($0, 4, 5); m = $0
    sub(/^\| [^|]*\| [^|]*\| /, "", m); sub(/ \|$/, "", m)
    order[n++] = code; meaning[code] = m
}
END {
    print "/* Generated from docs/diagnostics.md by tools/diag_codes.awk. */"
    print "#include \"diag.h\""
    print "const rb_diag_code rb_diag_codes[] = {"
    for (i = 0; i < n; i++) {
        c = order[i]
        if (!(c in title)) { print "diag_codes.awk: no heading for " c > "/dev/stderr"; exit 1 }
        printf "    {\"%s\", %s, %s},\n", c, cstr(title[c]), cstr(meaning[c])
    }
    print "};"
    print "const size_t rb_diag_ncodes = sizeof rb_diag_codes / sizeof rb_diag_codes[0];"
}
