/* diag.c — template sources and diagnostics (see diag.h): reading a file,
 * turning byte offsets into line:column, collecting and sorting
 * diagnostics, and printing them as text (SPEC §9), gcc one-liners, JSON or
 * SARIF 2.1.0.
 *
 * Columns count code points (SPEC §9); carets are placed by display width,
 * which differs: a CJK character is one column but two cells wide, and the
 * caret line must line up under it in a terminal. */
#include "diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "json.h"
#include "rubric.h"
#include "utf8.h"

/* ---- UTF-8 ------------------------------------------------------------ */

/* One character at s[0..n); an invalid byte decodes as itself, one byte
 * long, so that every byte belongs to exactly one "character" and columns
 * stay defined in a damaged file. */
static size_t u8_next(const unsigned char *s, size_t n, uint32_t *cp, bool *valid)
{
    size_t k = rb_utf8_decode(s, n, cp);
    *valid = k != 0;
    if (!k) {
        *cp = s[0];
        k = 1;
    }
    return k;
}

/* ---- sources ---------------------------------------------------------- */

rb_source *rb_source_new(const char *name, const char *text, size_t len)
{
    rb_source *s = rb_xcalloc(1, sizeof *s);
    s->name = rb_xstrdup(name ? name : "<input>");
    s->text = rb_xmalloc(len + 1);
    if (len) memcpy(s->text, text, len);
    s->text[len] = '\0';
    s->len = len;
    return s;
}

rb_source *rb_source_read(const char *path, rb_lang lang, char *err, size_t errcap)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        snprintf(err, errcap, rb_tr(lang, N_("cannot open '%s': %s")), path, rb_strerror(lang, errno));
        return NULL;
    }
    size_t cap = 8192, len = 0;
    char *buf = rb_xmalloc(cap);
    for (;;) {
        if (len == cap) {
            /* spans are 32-bit offsets; the lexer also needs room for flex */
            if (cap >= ((size_t)1 << 31)) {
                snprintf(err, errcap, rb_tr(lang, N_("cannot read '%s': the file is larger than the limit of 2 GiB")), path);
                rb_free(buf);
                if (!is_stdin) fclose(f);
                return NULL;
            }
            cap *= 2;
            buf = rb_xrealloc(buf, cap);
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        snprintf(err, errcap, rb_tr(lang, N_("cannot read '%s': %s")), path, rb_strerror(lang, errno));
        rb_free(buf);
        if (!is_stdin) fclose(f);
        return NULL;
    }
    if (!is_stdin) fclose(f);
    rb_source *s = rb_xcalloc(1, sizeof *s);
    s->name = rb_xstrdup(is_stdin ? "<stdin>" : path);
    s->text = rb_xrealloc(buf, len + 1);
    s->text[len] = '\0';
    s->len = len;
    return s;
}

void rb_source_free(rb_source *s)
{
    if (!s) return;
    rb_free(s->name);
    rb_free(s->text);
    rb_free(s->line_starts);
    rb_free(s);
}

static void build_lines(rb_source *s)
{
    if (s->line_starts) return;
    size_t n = 1;
    for (size_t i = 0; i < s->len; i++) n += s->text[i] == '\n';
    s->line_starts = rb_xmalloc(n * sizeof *s->line_starts);
    s->nlines = 0;
    s->line_starts[s->nlines++] = 0;
    for (size_t i = 0; i < s->len; i++)
        if (s->text[i] == '\n') s->line_starts[s->nlines++] = (uint32_t)(i + 1);
}

static bool has_bom(const rb_source *s)
{
    return s->len >= 3 && memcmp(s->text, "\xEF\xBB\xBF", 3) == 0;
}

/* Index (0-based) of the line holding `offset`. */
static size_t line_index(rb_source *s, uint32_t offset)
{
    build_lines(s);
    size_t lo = 0, hi = s->nlines;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (s->line_starts[mid] <= offset) lo = mid;
        else hi = mid;
    }
    return lo;
}

/* First byte of line li that is text: after a BOM on line 1. */
static uint32_t line_text_start(rb_source *s, size_t li)
{
    uint32_t st = s->line_starts[li];
    if (li == 0 && has_bom(s)) st = 3;
    return st;
}

/* End of line li's text: before its "\n" or "\r\n". */
static uint32_t line_text_end(rb_source *s, size_t li)
{
    uint32_t e = li + 1 < s->nlines ? s->line_starts[li + 1] - 1 : (uint32_t)s->len;
    if (e > line_text_start(s, li) && s->text[e - 1] == '\r' && (li + 1 < s->nlines)) e--;
    return e;
}

void rb_source_position(rb_source *s, uint32_t offset, uint32_t *line, uint32_t *col)
{
    if (offset > s->len) offset = (uint32_t)s->len;
    size_t li = line_index(s, offset);
    uint32_t i = line_text_start(s, li), c = 1;
    const unsigned char *t = (const unsigned char *)s->text;
    while (i < offset) {
        uint32_t cp;
        bool valid;
        i += (uint32_t)u8_next(t + i, s->len - i, &cp, &valid);
        c++;
    }
    *line = (uint32_t)li + 1;
    *col = c;
}

/* ---- the list --------------------------------------------------------- */

void rb_diags_init(rb_diags *d)
{
    memset(d, 0, sizeof *d);
}

void rb_diags_free(rb_diags *d)
{
    for (size_t i = 0; i < d->count; i++) {
        rb_free(d->items[i].message);
        rb_free(d->items[i].help);
    }
    rb_free(d->items);
    memset(d, 0, sizeof *d);
}

static char *vformat(const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0) n = 0;
    char *p = rb_xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

rb_diag *rb_diag_add(rb_diags *d, rb_severity sev, const char *code, rb_span span, const char *fmt, ...)
{
    if (d->count == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->items = rb_xrealloc(d->items, d->cap * sizeof *d->items);
    }
    rb_diag *g = &d->items[d->count++];
    memset(g, 0, sizeof *g);
    g->severity = sev;
    snprintf(g->code, sizeof g->code, "%s", code ? code : "");
    if (span.end < span.start) span.end = span.start;
    g->span = span;
    g->lang = d->lang;
    va_list ap;
    va_start(ap, fmt);
    g->message = vformat(rb_tr(d->lang, fmt), ap);
    va_end(ap);
    if (sev == RB_SEV_ERROR) d->errors++;
    else if (sev == RB_SEV_WARNING) d->warnings++;
    return g;
}

void rb_diag_help(rb_diag *diag, const char *fmt, ...)
{
    if (!diag) return;
    va_list ap;
    va_start(ap, fmt);
    char *h = vformat(rb_tr(diag->lang, fmt), ap);
    va_end(ap);
    rb_free(diag->help);
    diag->help = h;
}

/* Stable merge sort by start offset: diagnostics at one place keep the
 * order they were reported in. */
/* Sort key: diagnostics about the command line (no place in the text)
 * come first, then the rest in source order. */
static uint64_t sort_key(const rb_diag *g)
{
    return RB_SPAN_IS_NONE(g->span) ? 0 : (uint64_t)g->span.start + 1;
}

void rb_diags_sort(rb_diags *d)
{
    size_t n = d->count;
    if (n < 2) return;
    rb_diag *tmp = rb_xmalloc(n * sizeof *tmp);
    rb_diag *a = d->items, *b = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) b[k++] = sort_key(&a[j]) < sort_key(&a[i]) ? a[j++] : a[i++];
            while (i < mid) b[k++] = a[i++];
            while (j < hi) b[k++] = a[j++];
        }
        rb_diag *t = a;
        a = b;
        b = t;
    }
    if (a != d->items) memcpy(d->items, a, n * sizeof *a);
    rb_free(tmp);
}

/* ---- text ------------------------------------------------------------- */

static const char *sev_name(rb_severity s)
{
    return s == RB_SEV_ERROR ? N_("error") : s == RB_SEV_WARNING ? N_("warning") : N_("note");
}

/* Writes bytes [from, to) of a line the way the snippet shows it: tabs as
 * four spaces, control characters and invalid bytes as U+FFFD.  Returns the
 * display width written (or that would be written, when out is NULL). */
#define TAB_WIDTH 4
static size_t show(FILE *out, const rb_source *s, uint32_t from, uint32_t to)
{
    const unsigned char *t = (const unsigned char *)s->text;
    size_t w = 0;
    for (uint32_t i = from; i < to;) {
        uint32_t cp;
        bool valid;
        size_t len = u8_next(t + i, s->len - i, &cp, &valid);
        if (cp == '\t') {
            if (out) fputs("    ", out);
            w += TAB_WIDTH;
        } else if (!valid || cp < 0x20 || cp == 0x7F || rb_cp_hidden(cp)) {
            /* invisible and bidi-control characters too: the snippet must
             * show that something is there, and never reorder the line */
            if (out) fputs("\xEF\xBF\xBD", out);
            w += 1;
        } else {
            if (out) fwrite(t + i, 1, len, out);
            w += (size_t)rb_cp_width(cp);
        }
        i += (uint32_t)len;
    }
    return w;
}

/* The text form is for a person, so its words are translated; the gcc form
 * keeps "error:"/"warning:" because editors and CI problem matchers parse them. */
static void print_text(FILE *out, rb_source *src, const rb_diag *g)
{
    const char *sev = rb_tr(g->lang, sev_name(g->severity));
    const char *help = rb_tr(g->lang, N_("   = help: %s\n"));
    if (RB_SPAN_IS_NONE(g->span)) { /* not in the text: no position, no excerpt */
        fprintf(out, "%s: %s[%s]: %s\n", src->name, sev, g->code, g->message);
        if (g->help) fprintf(out, help, g->help);
        return;
    }
    uint32_t line, col;
    rb_source_position(src, g->span.start, &line, &col);
    if (g->code[0])
        fprintf(out, "%s:%u:%u: %s[%s]: %s\n", src->name, line, col, sev, g->code, g->message);
    else
        fprintf(out, "%s:%u:%u: %s: %s\n", src->name, line, col, sev, g->message);

    size_t li = line - 1;
    uint32_t ls = line_text_start(src, li), le = line_text_end(src, li);
    uint32_t start = g->span.start < ls ? ls : g->span.start;
    if (start > le) start = le;
    uint32_t end = g->span.end > le ? le : g->span.end;
    if (end < start) end = start;

    int digits = snprintf(NULL, 0, "%u", line);
    int w = digits > 5 ? digits : 5;
    fprintf(out, "%*u | ", w, line);
    show(out, src, ls, le);
    fputc('\n', out);
    fprintf(out, "%*s | ", w, "");
    size_t pad = show(NULL, src, ls, start);
    size_t carets = show(NULL, src, start, end);
    if (carets == 0) carets = 1;
    for (size_t i = 0; i < pad; i++) fputc(' ', out);
    for (size_t i = 0; i < carets; i++) fputc('^', out);
    fputc('\n', out);
    if (g->help) fprintf(out, help, g->help);
}

/* ---- JSON and SARIF --------------------------------------------------- */

/* A JSON string: quotes, backslash and every control character escaped,
 * invalid UTF-8 replaced (so that the output is always valid JSON), and
 * U+2028/2029 escaped for the JavaScript readers of JSON. */
static void json_str(FILE *out, const char *s)
{
    if (s) rb_json_write_string(out, s, strlen(s));
    else fputs("null", out);
}

/* Where `make install` puts the documentation: SARIF's help and
 * information URIs must be absolute, and the installed catalogue is the one
 * that matches this binary (the Makefile passes its PREFIX). */
#ifndef RUBRIC_DOCDIR
#define RUBRIC_DOCDIR "/usr/local/share/doc/rubric"
#endif

/* A file name as a SARIF artifact URI: an absolute path becomes a file://
 * URI (a relative reference to it would be resolved against nothing), a
 * relative one stays relative; bytes outside the unreserved set and '/' are
 * percent-encoded. */
static void json_uri(FILE *out, const char *path, const char *fragment)
{
    fputc('"', out);
    if (path[0] == '/') fputs("file://", out);
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
            *p == '.' || *p == '_' || *p == '~' || *p == '/')
            fputc(*p, out);
        else
            fprintf(out, "%%%02X", *p);
    }
    if (fragment) fprintf(out, "#%s", fragment);
    fputc('"', out);
}

const rb_diag_code *rb_diag_code_find(const char *code)
{
    for (size_t i = 0; i < rb_diag_ncodes; i++)
        if (strcmp(rb_diag_codes[i].code, code) == 0) return &rb_diag_codes[i];
    return NULL;
}

/* The catalogue heading's anchor as Markdown renderers make it ("E0201 —
 * unknown name" → "e0201--unknown-name"): lower case, spaces to '-',
 * other punctuation and non-ASCII dropped. */
static void doc_anchor(const rb_diag_code *c, char *out, size_t cap)
{
    char heading[256];
    snprintf(heading, sizeof heading, "%s — %s", c->code, c->title);
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)heading; *p && o + 1 < cap; p++) {
        if (*p >= 'A' && *p <= 'Z') out[o++] = (char)(*p - 'A' + 'a');
        else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_') out[o++] = (char)*p;
        else if (*p == ' ') out[o++] = '-';
    }
    out[o] = '\0';
}

/* SARIF lists its rules after the results (key order is free in JSON), so
 * the codes met between rb_diag_json_begin and _end are kept here. */
#define SARIF_MAX_RULES 512
static _Thread_local char sarif_rules[SARIF_MAX_RULES][8]; /* one SARIF log per thread at a time */
static _Thread_local size_t sarif_nrules;

static int sarif_rule(const char *code)
{
    for (size_t i = 0; i < sarif_nrules; i++)
        if (strcmp(sarif_rules[i], code) == 0) return (int)i;
    if (sarif_nrules == SARIF_MAX_RULES) return -1;
    snprintf(sarif_rules[sarif_nrules], sizeof sarif_rules[0], "%s", code);
    return (int)sarif_nrules++;
}

void rb_diag_json_begin(FILE *out, rb_diag_format fmt)
{
    if (fmt == RB_DIAG_SARIF) {
        sarif_nrules = 0;
        fputs("{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\","
              "\"runs\":[{\"columnKind\":\"unicodeCodePoints\",\"results\":[",
              out);
    } else {
        fputs("[", out);
    }
}

void rb_diag_json_file(FILE *out, rb_source *src, const rb_diags *d, rb_diag_format fmt, bool *first)
{
    for (size_t i = 0; i < d->count; i++) {
        const rb_diag *g = &d->items[i];
        uint32_t line = 0, col = 0, eline = 0, ecol = 0;
        bool located = !RB_SPAN_IS_NONE(g->span);
        if (located) {
            rb_source_position(src, g->span.start, &line, &col);
            rb_source_position(src, g->span.end, &eline, &ecol);
        }
        fputs(*first ? "\n" : ",\n", out);
        *first = false;
        if (fmt == RB_DIAG_SARIF) {
            int rule = sarif_rule(g->code[0] ? g->code : "rubric");
            fputs("{\"ruleId\":", out);
            json_str(out, g->code[0] ? g->code : "rubric");
            if (rule >= 0) fprintf(out, ",\"ruleIndex\":%d", rule);
            fprintf(out, ",\"level\":\"%s\",\"message\":{\"text\":", sev_name(g->severity));
            if (g->help) {
                size_t n = strlen(g->message) + strlen(g->help) + 8;
                char *text = rb_xmalloc(n);
                snprintf(text, n, "%s\nhelp: %s", g->message, g->help);
                json_str(out, text);
                rb_free(text);
            } else {
                json_str(out, g->message);
            }
            fputs("},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":", out);
            json_uri(out, src->name, NULL);
            if (located)
                fprintf(out,
                        "},\"region\":{\"startLine\":%u,\"startColumn\":%u,\"endLine\":%u,\"endColumn\":%u,"
                        "\"byteOffset\":%u,\"byteLength\":%u}}}]}",
                        line, col, eline, ecol, g->span.start, g->span.end - g->span.start);
            else /* the whole file (a -D value): its every byte */
                fprintf(out, "},\"region\":{\"byteOffset\":0,\"byteLength\":%zu}}}]}", src->len);
        } else {
            fputs("{\"file\":", out);
            json_str(out, src->name);
            if (located)
                fprintf(out, ",\"line\":%u,\"column\":%u,\"end_line\":%u,\"end_column\":%u", line, col, eline,
                        ecol);
            else
                fputs(",\"line\":null,\"column\":null,\"end_line\":null,\"end_column\":null", out);
            fprintf(out, ",\"severity\":\"%s\",\"code\":", sev_name(g->severity));
            json_str(out, g->code);
            fputs(",\"message\":", out);
            json_str(out, g->message);
            fputs(",\"help\":", out);
            json_str(out, g->help);
            fputs("}", out);
        }
    }
}

void rb_diag_json_end(FILE *out, rb_diag_format fmt)
{
    if (fmt == RB_DIAG_SARIF) {
        /* helpUri and informationUri must be absolute: the installed docs */
        fputs("\n],\"tool\":{\"driver\":{\"name\":\"rubric\",\"version\":\"" RUBRIC_VERSION_STRING "\","
              "\"informationUri\":",
              out);
        json_uri(out, RUBRIC_DOCDIR "/README.md", NULL);
        fputs(",\"rules\":[", out);
        for (size_t i = 0; i < sarif_nrules; i++) {
            fputs(i ? "," : "", out);
            fputs("{\"id\":", out);
            json_str(out, sarif_rules[i]);
            const rb_diag_code *c = rb_diag_code_find(sarif_rules[i]);
            if (c) {
                char anchor[300];
                doc_anchor(c, anchor, sizeof anchor);
                fputs(",\"shortDescription\":{\"text\":", out);
                json_str(out, c->title);
                fputs("},\"fullDescription\":{\"text\":", out);
                json_str(out, c->meaning);
                fputs("},\"helpUri\":", out);
                json_uri(out, RUBRIC_DOCDIR "/diagnostics.md", anchor);
            }
            fputs("}", out);
        }
        fputs("]}}}]}\n", out);
    } else {
        fputs("\n]\n", out);
    }
}

void rb_diag_print(FILE *out, rb_source *src, const rb_diags *d, rb_diag_format fmt)
{
    switch (fmt) {
    case RB_DIAG_TEXT:
        for (size_t i = 0; i < d->count; i++) {
            if (i) fputc('\n', out);
            print_text(out, src, &d->items[i]);
        }
        break;
    case RB_DIAG_GCC:
        for (size_t i = 0; i < d->count; i++) {
            const rb_diag *g = &d->items[i];
            uint32_t line, col;
            if (RB_SPAN_IS_NONE(g->span)) {
                fprintf(out, "%s: %s: %s\n", src->name, sev_name(g->severity), g->message);
                if (g->help) fprintf(out, "%s: note: %s\n", src->name, g->help);
                continue;
            }
            rb_source_position(src, g->span.start, &line, &col);
            fprintf(out, "%s:%u:%u: %s: %s\n", src->name, line, col, sev_name(g->severity), g->message);
            /* the help as GCC gives its own: a note at the same place */
            if (g->help) fprintf(out, "%s:%u:%u: note: %s\n", src->name, line, col, g->help);
        }
        break;
    case RB_DIAG_JSON:
    case RB_DIAG_SARIF: {
        bool first = true;
        rb_diag_json_begin(out, fmt);
        rb_diag_json_file(out, src, d, fmt, &first);
        rb_diag_json_end(out, fmt);
        break;
    }
    }
}

/* ---- did you mean ----------------------------------------------------- */

static size_t decode_all(const char *s, uint32_t **out)
{
    size_t n = strlen(s), k = 0;
    uint32_t *v = rb_xmalloc((n + 1) * sizeof *v);
    for (size_t i = 0; i < n;) {
        bool valid;
        i += u8_next((const unsigned char *)s + i, n - i, &v[k], &valid);
        k++;
    }
    *out = v;
    return k;
}

/* Optimal string alignment distance (Levenshtein plus adjacent
 * transposition, so `itme` is one edit from `item`), over code points,
 * computed only as far as `cap` (Ukkonen's cutoff): cells more than cap
 * off the diagonal are never filled, and the work stops once a whole row
 * exceeds cap.  So the cost is O(len × cap), and any answer above cap is
 * reported as cap + 1. */
static size_t distance_within(const uint32_t *x, size_t n, const uint32_t *y, size_t m, size_t cap)
{
    const size_t inf = cap + 1;
    if ((n > m ? n - m : m - n) > cap) return inf;
    size_t *rows = rb_xmalloc(3 * (m + 1) * sizeof *rows);
    size_t *prev2 = rows, *prev = rows + (m + 1), *cur = rows + 2 * (m + 1);
    for (size_t j = 0; j <= m; j++) prev[j] = prev2[j] = cur[j] = j <= cap ? j : inf;
    size_t result = n == 0 ? prev[m] : inf;
    for (size_t i = 1; i <= n; i++) {
        size_t lo = i > cap ? i - cap : 1, hi = m < i + cap ? m : i + cap;
        cur[lo - 1] = lo == 1 ? (i <= cap ? i : inf) : inf;
        size_t row_min = cur[lo - 1];
        for (size_t j = lo; j <= hi; j++) {
            size_t cost = x[i - 1] != y[j - 1];
            size_t v = prev[j] + 1;
            if (cur[j - 1] + 1 < v) v = cur[j - 1] + 1;
            if (prev[j - 1] + cost < v) v = prev[j - 1] + cost;
            if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] && prev2[j - 2] + 1 < v)
                v = prev2[j - 2] + 1;
            cur[j] = v > inf ? inf : v;
            if (cur[j] < row_min) row_min = cur[j];
        }
        if (hi < m) cur[hi + 1] = inf;
        if (row_min > cap) break; /* every later row is larger still */
        if (i == n) result = cur[m];
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    rb_free(rows);
    return result;
}

size_t rb_edit_distance(const char *a, const char *b)
{
    uint32_t *x, *y;
    size_t n = decode_all(a, &x), m = decode_all(b, &y);
    size_t d = distance_within(x, n, y, m, n > m ? n : m);
    rb_free(x);
    rb_free(y);
    return d;
}

static size_t code_points(const char *s)
{
    size_t n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

rb_suggestion rb_suggest_begin(const char *typed)
{
    size_t len = code_points(typed);
    size_t limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
    return (rb_suggestion){.typed = typed, .len = len, .limit = limit, .best_d = (size_t)-1};
}

void rb_suggest_try(rb_suggestion *s, const char *candidate)
{
    /* a name longer than any a person types by hand gets no suggestion:
     * this keeps a megabyte-long unknown key from costing per candidate */
    if (!candidate || !*candidate || s->len > RB_SUGGEST_MAX_LEN) return;
    size_t clen = code_points(candidate);
    if ((s->len > clen ? s->len - clen : clen - s->len) > s->limit) return;
    uint32_t *x, *y;
    size_t n = decode_all(s->typed, &x), m = decode_all(candidate, &y);
    size_t d = distance_within(x, n, y, m, s->limit);
    rb_free(x);
    rb_free(y);
    if (d == 0 || d >= (s->len > clen ? s->len : clen)) return;
    if (d <= s->limit && d < s->best_d) {
        s->best_d = d;
        s->best = candidate;
    }
}
