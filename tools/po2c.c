/* po2c.c — build tool: compiles a gettext PO file into a C table.
 *
 *   po2c LANG IN.po OUT.c
 *
 * writes `const rb_catalog_entry rb_catalog_LANG[]`, sorted by msgid in
 * strcmp order so that rb_tr (src/lang.c) finds a message by binary search,
 * and `const size_t rb_catalog_LANG_len`.  Translations are compiled into
 * the library instead of read with gettext at run time, so `--lang zh` needs
 * no locale on the machine and the WebAssembly build has them too.
 *
 * Only what the project's PO files use is accepted: msgid/msgstr pairs with
 * C escapes, comments, flags.  Fuzzy and untranslated entries are left out
 * (the message then falls back to English, and `make po-check` fails);
 * msgctxt and plurals are refused with the line number, not ignored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *id, *str;
} entry;

static const char *path;
static unsigned lineno;

static void die(const char *what)
{
    fprintf(stderr, "po2c: %s:%u: %s\n", path, lineno, what);
    exit(1);
}

/* Appends the unescaped contents of the quoted C string at s to *buf. */
static void append_quoted(const char *s, char **buf, size_t *len)
{
    while (*s == ' ' || *s == '\t') s++;
    if (*s != '"') die("expected a quoted string");
    s++;
    size_t cap = *len + strlen(s) + 1;
    *buf = realloc(*buf, cap);
    if (!*buf) die("out of memory");
    char *o = *buf + *len;
    for (; *s && *s != '"'; s++) {
        if (*s != '\\') { *o++ = *s; continue; }
        s++;
        switch (*s) {
        case 'n': *o++ = '\n'; break;
        case 't': *o++ = '\t'; break;
        case 'r': *o++ = '\r'; break;
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case 'a': *o++ = '\a'; break;
        default: die("unsupported escape in a string");
        }
    }
    if (*s != '"') die("unterminated string");
    *len = (size_t)(o - *buf);
    *o = '\0';
}

static int by_id(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->id, ((const entry *)b)->id);
}

static void emit(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\' || *p == '?') fprintf(out, "\\%c", *p); /* \? defeats trigraphs */
        else if (*p == '\n') fputs("\\n", out);
        else if (*p < 0x20 || *p == 0x7f) fprintf(out, "\\%03o", *p);
        else fputc(*p, out);
    }
    fputc('"', out);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: po2c LANG IN.po OUT.c\n");
        return 2;
    }
    path = argv[2];
    FILE *in = fopen(path, "r");
    if (!in) { perror(path); return 1; }
    entry *v = NULL;
    size_t n = 0, cap = 0;
    char *id = NULL, *str = NULL, **cur = NULL;
    size_t idlen = 0, strlen_ = 0, *curlen = NULL;
    int fuzzy = 0, next_fuzzy = 0, have = 0;
    char line[65536];
    for (;;) {
        char *got = fgets(line, sizeof line, in);
        if (got) lineno++;
        int starts_entry = !got || strncmp(line, "msgid ", 6) == 0 || line[0] == '#' || line[0] == '\n';
        if (starts_entry && have && cur == &str) {
            /* an entry ends: keep it if it is translated, not fuzzy, not the header */
            if (*id && str && *str && !fuzzy) {
                if (n == cap) {
                    cap = cap ? cap * 2 : 256;
                    v = realloc(v, cap * sizeof *v);
                    if (!v) die("out of memory");
                }
                v[n].id = id;
                v[n++].str = str;
            } else {
                free(id);
                free(str);
            }
            id = str = NULL;
            idlen = strlen_ = 0;
            have = 0;
            cur = NULL;
        }
        if (!got) break;
        if (strncmp(line, "#~", 2) == 0) continue; /* obsolete */
        if (strncmp(line, "#,", 2) == 0) {
            if (strstr(line, "fuzzy")) next_fuzzy = 1;
            continue;
        }
        if (line[0] == '#' || line[0] == '\n') continue;
        if (strncmp(line, "msgctxt", 7) == 0 || strncmp(line, "msgid_plural", 12) == 0 ||
            strncmp(line, "msgstr[", 7) == 0)
            die("msgctxt and plural forms are not used by this project");
        if (strncmp(line, "msgid ", 6) == 0) {
            fuzzy = next_fuzzy;
            next_fuzzy = 0;
            have = 1;
            cur = &id;
            curlen = &idlen;
            append_quoted(line + 6, cur, curlen);
        } else if (strncmp(line, "msgstr ", 7) == 0) {
            if (cur != &id) die("msgstr without msgid");
            cur = &str;
            curlen = &strlen_;
            append_quoted(line + 7, cur, curlen);
        } else if (line[0] == '"') {
            if (!cur) die("a string continues nothing");
            append_quoted(line, cur, curlen);
        } else {
            die("unexpected line");
        }
    }
    fclose(in);
    qsort(v, n, sizeof *v, by_id);
    for (size_t i = 1; i < n; i++)
        if (strcmp(v[i - 1].id, v[i].id) == 0) {
            fprintf(stderr, "po2c: %s: msgid given twice: %s\n", path, v[i].id);
            return 1;
        }
    FILE *out = fopen(argv[3], "w");
    if (!out) { perror(argv[3]); return 1; }
    fprintf(out, "/* Generated by tools/po2c.c from %s: do not edit. */\n#include \"lang.h\"\n\n", path);
    fprintf(out, "const rb_catalog_entry rb_catalog_%s[] = {\n", argv[1]);
    for (size_t i = 0; i < n; i++) {
        fputs("    {", out);
        emit(out, v[i].id);
        fputs(", ", out);
        emit(out, v[i].str);
        fputs("},\n", out);
        free(v[i].id);
        free(v[i].str);
    }
    if (!n) fputs("    {\"\", \"\"},\n", out);
    fprintf(out, "};\nconst size_t rb_catalog_%s_len = %zu;\n", argv[1], n);
    free(v);
    if (fclose(out) != 0) { perror(argv[3]); return 1; }
    return 0;
}
