/* xlsx.c — an .xlsx worksheet as CSV (see xlsx.h).
 *
 * Parts read, in order: xl/workbook.xml (sheet names, the date system),
 * xl/_rels/workbook.xml.rels (which part holds which sheet),
 * xl/sharedStrings.xml, xl/styles.xml (which cell styles are dates), then
 * the sheet, streamed: each part is inflated by libzip in blocks that go
 * straight to an expat parser, so no part is held whole in memory (the
 * shared strings are, since any cell may point at any of them). */
#include "xlsx.h"

#include "arena.h"
#include "buf.h"
#include "cell.h"
#include "date.h"

#include <errno.h>
#include <expat.h>
#include <math.h> /* isfinite: a macro, no libm */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

enum { BLOCK = 65536 };

typedef struct {
    char *name, *rid, *target;
} sheet_ref;

typedef struct {
    uint32_t col;
    char *text;
} row_cell;

struct rb_xlsx {
    const char *path;
    rb_lang lang;
    zip_t *zip;
    uint64_t inflated; /* bytes inflated from the whole workbook */
    char *error;
    const char *part;  /* the part being parsed, for messages */
    XML_Parser parser;
    bool refused;      /* a handler stopped the parse; error is set */

    sheet_ref *sheets;
    size_t nsheets;
    bool date1904;
    char **strings; /* shared strings */
    size_t nstrings;
    bool *xf_date;  /* cell style index → is a date format */
    size_t nxf;
    uint32_t *fmt_ids; /* custom numFmt ids that are dates */
    size_t nfmt;
    const char *sheet_name;

    /* the parse: element depth flags and captured text */
    rb_buf text;
    bool capture, in_si, in_rph, in_cellxfs, in_is;
    /* the cell being read */
    uint32_t cell_col;
    char cell_type[12];
    long cell_style;
    bool cell_formula, cell_has_v;
    rb_buf cell_v, cell_is;
    /* the row being read */
    uint64_t row, next_row;
    uint32_t next_col;
    row_cell *cells;
    size_t ncells, cells_cap;

    /* output */
    FILE *csv;
    bool have_header;
    uint32_t width;       /* header cells */
    uint64_t line;        /* the CSV line the next row starts on */
    int64_t delta;        /* row - line of the last row written */
    uint64_t *bp_line;    /* from bp_line[i] on, row = line + bp_delta[i] */
    int64_t *bp_delta;
    size_t nbp;
    char **notes;
    size_t nnotes, notes_shown;
};

/* ---- messages ------------------------------------------------------------ */

static void fail(rb_xlsx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(rb_xlsx *x, const char *fmt, ...)
{
    if (x->error) return; /* the first failure is the one to read */
    rb_buf b = {0};
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rb_buf_printf(&b, rb_tr(x->lang, "%s: %s"), x->path, msg);
    x->error = b.s;
}

static void note(rb_xlsx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(rb_xlsx *x, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rb_buf b = {0};
    rb_buf_printf(&b, rb_tr(x->lang, "%s: %s"), x->path, msg);
    x->notes = rb_xrealloc(x->notes, (x->nnotes + 1) * sizeof *x->notes);
    x->notes[x->nnotes++] = b.s;
}

/* Where the parse is, for a message: the sheet and row when reading a
 * sheet, else the part. */
static const char *where(rb_xlsx *x, char *out, size_t cap)
{
    if (x->sheet_name && x->row)
        snprintf(out, cap, rb_tr(x->lang, "sheet %s, row %llu"), x->sheet_name, (unsigned long long)x->row);
    else if (x->sheet_name)
        snprintf(out, cap, rb_tr(x->lang, "sheet %s"), x->sheet_name);
    else
        snprintf(out, cap, rb_tr(x->lang, "part %s"), x->part);
    return out;
}

/* ---- reading a part ------------------------------------------------------- */

static const char *local_name(const char *name)
{
    const char *colon = strrchr(name, ':');
    return colon ? colon + 1 : name;
}

static const char *attr(const char **atts, const char *name)
{
    for (size_t i = 0; atts[i]; i += 2)
        if (strcmp(local_name(atts[i]), name) == 0) return atts[i + 1];
    return NULL;
}

/* A DOCTYPE is where entities are declared: none is read at all, so neither
 * "billion laughs" expansion nor an external entity can happen. */
static void XMLCALL refuse_doctype(void *data, const XML_Char *name, const XML_Char *sysid,
                                   const XML_Char *pubid, int has_internal_subset)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    rb_xlsx *x = data;
    char at[600];
    fail(x, rb_tr(x->lang, "%s: the XML declares a DOCTYPE; a workbook has none, and entity declarations are refused"),
         where(x, at, sizeof at));
    x->refused = true;
    XML_StopParser(x->parser, XML_FALSE);
}

static void XMLCALL on_text(void *data, const XML_Char *s, int len)
{
    rb_xlsx *x = data;
    if (x->capture && !x->in_rph) rb_buf_add(&x->text, s, (size_t)len);
}

/* Parses one part of the workbook with handlers already set on a parser
 * made by new_parser.  A part that is absent is fine when !required. */
static bool parse_part(rb_xlsx *x, const char *part, bool required, XML_StartElementHandler start,
                       XML_EndElementHandler end)
{
    if (x->error) return false;
    zip_int64_t idx = zip_name_locate(x->zip, part, 0);
    if (idx < 0) idx = zip_name_locate(x->zip, part, ZIP_FL_NOCASE);
    if (idx < 0) {
        if (required) fail(x, rb_tr(x->lang, "not an Excel workbook: it has no part %s"), part);
        return !required;
    }
    zip_stat_t st;
    zip_stat_init(&st);
    uint64_t comp = 0;
    if (zip_stat_index(x->zip, (zip_uint64_t)idx, 0, &st) == 0 && (st.valid & ZIP_STAT_COMP_SIZE)) comp = st.comp_size;
    zip_file_t *zf = zip_fopen_index(x->zip, (zip_uint64_t)idx, 0);
    if (!zf) {
        fail(x, rb_tr(x->lang, "cannot read part %s: %s"), part, zip_strerror(x->zip));
        zip_error_clear(x->zip);
        return false;
    }
    XML_Parser p = XML_ParserCreate(NULL);
    if (!p) rb_out_of_memory();
    XML_SetUserData(p, x);
    XML_SetStartDoctypeDeclHandler(p, refuse_doctype);
    XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
    XML_SetElementHandler(p, start, end);
    XML_SetCharacterDataHandler(p, on_text);
    x->parser = p;
    x->part = part;
    x->refused = false;
    char *buf = rb_xmalloc(BLOCK);
    uint64_t part_bytes = 0;
    bool ok = true;
    for (;;) {
        zip_int64_t n = zip_fread(zf, buf, BLOCK);
        if (n < 0) {
            char at[600];
            fail(x, rb_tr(x->lang, "%s: cannot read part %s: %s"), where(x, at, sizeof at), part, zip_file_strerror(zf));
            ok = false;
            break;
        }
        part_bytes += (uint64_t)n;
        x->inflated += (uint64_t)n;
        if ((part_bytes > RB_XLSX_RATIO_FROM && part_bytes / RB_XLSX_MAX_RATIO > comp) ||
            x->inflated > RB_XLSX_MAX_BYTES) {
            char at[600];
            fail(x, rb_tr(x->lang, "%s: part %s inflates to more than %llu bytes from %llu: refused as a zip bomb"),
                 where(x, at, sizeof at), part, (unsigned long long)part_bytes, (unsigned long long)comp);
            ok = false;
            break;
        }
        if (XML_Parse(p, buf, (int)n, n == 0) != XML_STATUS_OK) {
            char at[600];
            if (!x->refused)
                fail(x, rb_tr(x->lang, "%s: malformed XML in part %s (line %lu, column %lu): %s"), where(x, at, sizeof at),
                     part, (unsigned long)XML_GetCurrentLineNumber(p), (unsigned long)XML_GetCurrentColumnNumber(p) + 1,
                     XML_ErrorString(XML_GetErrorCode(p)));
            ok = false;
            break;
        }
        if (x->error) { /* a handler failed */
            ok = false;
            break;
        }
        if (n == 0) break;
    }
    rb_free(buf);
    zip_fclose(zf);
    XML_ParserFree(p);
    x->parser = NULL;
    return ok;
}

/* ---- workbook, relationships, shared strings, styles ----------------------- */

static void XMLCALL workbook_start(void *data, const XML_Char *el, const XML_Char **atts)
{
    rb_xlsx *x = data;
    const char *n = local_name(el);
    if (strcmp(n, "sheet") == 0) {
        const char *name = attr(atts, "name"), *rid = attr(atts, "id");
        if (!name || !rid) return;
        x->sheets = rb_xrealloc(x->sheets, (x->nsheets + 1) * sizeof *x->sheets);
        x->sheets[x->nsheets++] = (sheet_ref){rb_xstrdup(name), rb_xstrdup(rid), NULL};
    } else if (strcmp(n, "workbookPr") == 0) {
        const char *d = attr(atts, "date1904");
        x->date1904 = d && (strcmp(d, "1") == 0 || strcmp(d, "true") == 0);
    }
}

static void XMLCALL no_end(void *data, const XML_Char *el)
{
    (void)data, (void)el;
}

static void XMLCALL rels_start(void *data, const XML_Char *el, const XML_Char **atts)
{
    rb_xlsx *x = data;
    if (strcmp(local_name(el), "Relationship") != 0) return;
    const char *id = attr(atts, "Id"), *target = attr(atts, "Target");
    if (!id || !target) return;
    for (size_t i = 0; i < x->nsheets; i++) {
        if (strcmp(x->sheets[i].rid, id) != 0 || x->sheets[i].target) continue;
        rb_buf b = {0};
        if (target[0] == '/') rb_buf_puts(&b, target + 1); /* from the package root */
        else rb_buf_printf(&b, "xl/%s", target);
        x->sheets[i].target = b.s;
    }
}

static void XMLCALL strings_start(void *data, const XML_Char *el, const XML_Char **atts)
{
    (void)atts;
    rb_xlsx *x = data;
    const char *n = local_name(el);
    if (strcmp(n, "si") == 0) {
        x->in_si = true;
        x->text.len = 0;
        if (x->text.s) x->text.s[0] = '\0';
    } else if (strcmp(n, "rPh") == 0) {
        x->in_rph = true; /* phonetic guide text: not part of the value */
    } else if (strcmp(n, "t") == 0 && x->in_si) {
        x->capture = true;
    }
}

static void XMLCALL strings_end(void *data, const XML_Char *el)
{
    rb_xlsx *x = data;
    const char *n = local_name(el);
    if (strcmp(n, "t") == 0) {
        x->capture = false;
    } else if (strcmp(n, "rPh") == 0) {
        x->in_rph = false;
    } else if (strcmp(n, "si") == 0) {
        x->in_si = false;
        if ((x->nstrings & (x->nstrings - 1)) == 0) /* at powers of two */
            x->strings = rb_xrealloc(x->strings, (x->nstrings ? 2 * x->nstrings : 1) * sizeof *x->strings);
        x->strings[x->nstrings++] = rb_xstrdup(x->text.s ? x->text.s : "");
    }
}

/* Does a number format's code show a date?  It does when it has a day or
 * year part outside quoted text, escapes and [brackets] (m alone may be
 * minutes). */
static bool code_is_date(const char *code)
{
    for (const char *s = code; *s; s++) {
        if (*s == '"') {
            while (s[1] && s[1] != '"') s++;
            if (s[1]) s++;
        } else if (*s == '\\' || *s == '_' || *s == '*') {
            if (s[1]) s++;
        } else if (*s == '[') {
            while (s[1] && s[1] != ']') s++;
        } else if (strchr("dDyY", *s) || strncmp(s, "年", 3) == 0 || strncmp(s, "日", 3) == 0) {
            return true;
        }
    }
    return false;
}

/* Excel's built-in formats that are dates (ECMA-376 §18.8.30, and the
 * ids Excel uses for the Chinese, Japanese and Korean date formats). */
static bool builtin_date(long id)
{
    return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58) ||
           (id >= 71 && id <= 81);
}

static void XMLCALL styles_start(void *data, const XML_Char *el, const XML_Char **atts)
{
    rb_xlsx *x = data;
    const char *n = local_name(el);
    if (strcmp(n, "numFmt") == 0) {
        const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
        if (id && code && code_is_date(code)) {
            x->fmt_ids = rb_xrealloc(x->fmt_ids, (x->nfmt + 1) * sizeof *x->fmt_ids);
            x->fmt_ids[x->nfmt++] = (uint32_t)strtoul(id, NULL, 10);
        }
    } else if (strcmp(n, "cellXfs") == 0) {
        x->in_cellxfs = true;
    } else if (strcmp(n, "xf") == 0 && x->in_cellxfs) {
        const char *id = attr(atts, "numFmtId");
        long fid = id ? strtol(id, NULL, 10) : 0;
        bool date = builtin_date(fid);
        for (size_t i = 0; i < x->nfmt && !date; i++) date = x->fmt_ids[i] == (uint32_t)fid;
        x->xf_date = rb_xrealloc(x->xf_date, (x->nxf + 1) * sizeof *x->xf_date);
        x->xf_date[x->nxf++] = date;
    }
}

static void XMLCALL styles_end(void *data, const XML_Char *el)
{
    rb_xlsx *x = data;
    if (strcmp(local_name(el), "cellXfs") == 0) x->in_cellxfs = false;
}

/* ---- cells ---------------------------------------------------------------- */

/* A date cell's serial number as the date Excel shows: in the 1900 system
 * day 1 is 1900-01-01 and day 60 the 1900-02-29 Lotus invented (kept, so
 * that it fails as a date rather than shifting a day); in the 1904 system
 * day 0 is 1904-01-01.  A time of day is kept after the date, so that a
 * date-and-time never passes silently for a day. */
static bool serial_date(const rb_xlsx *x, double v, rb_buf *out)
{
    if (!(v >= 0 && v < 2958466)) return false; /* up to 9999-12-31 */
    int64_t day = (int64_t)v; /* v >= 0: truncation is the floor */
    double whole = (double)day;
    int64_t y, m, d;
    if (x->date1904) {
        rb_civil_from_days(day - 24107, &y, &m, &d); /* 1904-01-01 is day 24107 before 1970 */
    } else if (day == 60) {
        y = 1900, m = 2, d = 29;
    } else if (day == 0) {
        y = 1900, m = 1, d = 0; /* Excel's "1900-01-00": no date */
    } else {
        rb_civil_from_days(day - (day < 60 ? 25568 : 25569), &y, &m, &d);
    }
    rb_buf_printf(out, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
    long secs = (long)((v - whole) * 86400 + 0.5);
    if (secs > 0 && secs < 86400) rb_buf_printf(out, " %02ld:%02ld:%02ld", secs / 3600, secs / 60 % 60, secs % 60);
    return true;
}

/* The decimal Excel shows for a stored double: the shortest that gives the
 * double back (0.1, not 0.1000000000000000055), within Excel's 15
 * significant digits — a sum stored as 0.30000000000000004 shows, and is
 * read, as 0.3 (docs/decisions.md). */
static void shortest(const char *stored, rb_buf *out)
{
    char *end;
    errno = 0;
    double v = strtod(stored, &end);
    if (end == stored || *end || errno == ERANGE || !isfinite(v)) {
        rb_buf_puts(out, stored); /* not a number: the cell rules will say so */
        return;
    }
    char s[400];
    int prec = 1;
    for (; prec < 15; prec++) {
        snprintf(s, sizeof s, "%.*e", prec - 1, v);
        if (strtod(s, NULL) == v) break;
    }
    snprintf(s, sizeof s, "%.*e", prec - 1, v);
    /* as a plain decimal where the digits allow (45000, not 4.5e+04, as
     * Excel shows it); only a magnitude Excel itself shows with an
     * exponent keeps one */
    int exp10 = atoi(strchr(s, 'e') + 1);
    if (exp10 >= -15 && exp10 < 15) snprintf(s, sizeof s, "%.*f", prec - 1 - exp10 > 0 ? prec - 1 - exp10 : 0, v);
    rb_buf_puts(out, s);
}

static void cell_text(rb_xlsx *x, rb_buf *out)
{
    const char *t = x->cell_type, *v = x->cell_v.s ? x->cell_v.s : "";
    char where[32];
    rb_cell_name(x->cell_col, x->row, where);
    if (strcmp(t, "inlineStr") == 0) {
        rb_buf_puts(out, x->cell_is.s ? x->cell_is.s : "");
    } else if (x->cell_formula && !x->cell_has_v) {
        note(x, rb_tr(x->lang, "sheet %s, cell %s: a formula with no saved value (the workbook was never calculated): "
                               "read as blank; open and save it in Excel"),
             x->sheet_name, where);
    } else if (strcmp(t, "s") == 0) {
        char *end;
        unsigned long i = strtoul(v, &end, 10);
        if (end == v || *end || i >= x->nstrings) {
            note(x, rb_tr(x->lang, "sheet %s, cell %s: shared string %s does not exist: read as blank"), x->sheet_name,
                 where, v);
            return;
        }
        rb_buf_puts(out, x->strings[i]);
    } else if (strcmp(t, "b") == 0) {
        rb_buf_puts(out, strcmp(v, "1") == 0 ? "TRUE" : strcmp(v, "0") == 0 ? "FALSE" : v);
    } else if (strcmp(t, "e") == 0) {
        note(x, rb_tr(x->lang, "sheet %s, cell %s: Excel shows the error %s there, not a value"), x->sheet_name, where,
             v);
        rb_buf_puts(out, v);
    } else if (strcmp(t, "str") == 0 || strcmp(t, "d") == 0) {
        /* a formula's text, or an ISO 8601 date: the cell rules read it */
        size_t n = strlen(v);
        if (strcmp(t, "d") == 0 && n > 10 && strcmp(v + 10, "T00:00:00") == 0) n = 10;
        rb_buf_add(out, v, n);
    } else if (t[0] == '\0' || strcmp(t, "n") == 0) {
        if (!*v) return;
        bool date = x->cell_style >= 0 && (size_t)x->cell_style < x->nxf && x->xf_date[x->cell_style];
        if (date && serial_date(x, strtod(v, NULL), out)) return;
        shortest(v, out);
    } else {
        note(x, rb_tr(x->lang, "sheet %s, cell %s: unknown cell type \"%s\": read as its text"), x->sheet_name, where,
             t);
        rb_buf_puts(out, v);
    }
}

/* "BC12" → column 54 (0-based); UINT32_MAX when there are no letters. */
static uint32_t ref_col(const char *ref)
{
    uint64_t c = 0;
    size_t k = 0;
    for (; ref[k] >= 'A' && ref[k] <= 'Z' && k < 4; k++) c = c * 26 + (uint64_t)(ref[k] - 'A' + 1);
    return k == 0 || c > 16384 ? UINT32_MAX : (uint32_t)(c - 1);
}

/* ---- rows ------------------------------------------------------------------ */

static bool blank_text(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t') return false;
    return true;
}

static void put_cell(FILE *out, const char *s)
{
    if (!*s) return;
    putc('"', out);
    for (; *s; s++) {
        if (*s == '"') putc('"', out);
        putc(*s, out);
    }
    putc('"', out);
}

/* Writes the row read as one CSV row, after blank lines that keep the CSV
 * line equal to the sheet row wherever a cell with a line break has not
 * pushed it past. */
static void write_row(rb_xlsx *x)
{
    uint32_t width = 0;
    for (size_t i = 0; i < x->ncells; i++)
        if (!blank_text(x->cells[i].text) && x->cells[i].col + 1 > width) width = x->cells[i].col + 1;
    if (width == 0) return; /* a row of blank cells is not a record */
    if (!x->have_header) {
        x->have_header = true;
        x->width = width;
    }
    if (width > x->width) {
        char cell[32], last[32];
        rb_cell_name(width - 1, x->row, cell);
        rb_cell_name(x->width - 1, 1, last);
        last[strcspn(last, "0123456789")] = '\0';
        note(x, rb_tr(x->lang, "sheet %s, cell %s: a value right of the header's last column %s"), x->sheet_name, cell,
             last);
    }
    if (width < x->width) width = x->width;
    for (; x->line < x->row; x->line++) putc('\n', x->csv);
    int64_t delta = (int64_t)x->row - (int64_t)x->line;
    if (delta != x->delta) {
        x->bp_line = rb_xrealloc(x->bp_line, (x->nbp + 1) * sizeof *x->bp_line);
        x->bp_delta = rb_xrealloc(x->bp_delta, (x->nbp + 1) * sizeof *x->bp_delta);
        x->bp_line[x->nbp] = x->line;
        x->bp_delta[x->nbp++] = x->delta = delta;
    }
    size_t k = 0; /* cells are in column order when the sheet lists them so */
    for (uint32_t c = 0; c < width; c++) {
        if (c) putc(',', x->csv);
        const char *s = NULL;
        if (k < x->ncells && x->cells[k].col == c) s = x->cells[k++].text;
        else
            for (size_t i = 0; i < x->ncells && !s; i++)
                if (x->cells[i].col == c) s = x->cells[i].text;
        if (!s) continue;
        put_cell(x->csv, s);
        for (const char *p = s; (p = strchr(p, '\n')); p++) x->line++;
    }
    putc('\n', x->csv);
    x->line++;
}

static void clear_row(rb_xlsx *x)
{
    for (size_t i = 0; i < x->ncells; i++) rb_free(x->cells[i].text);
    x->ncells = 0;
}

static void XMLCALL sheet_start(void *data, const XML_Char *el, const XML_Char **atts)
{
    rb_xlsx *x = data;
    const char *n = local_name(el);
    if (strcmp(n, "row") == 0) {
        const char *r = attr(atts, "r");
        uint64_t row = r ? strtoull(r, NULL, 10) : x->next_row;
        if (row < x->next_row || row > 1048576 * 64) {
            fail(x, rb_tr(x->lang, "sheet %s, row %llu: rows out of order"), x->sheet_name, (unsigned long long)row);
            XML_StopParser(x->parser, XML_FALSE);
            return;
        }
        x->row = row;
        x->next_row = row + 1;
        x->next_col = 0;
        clear_row(x);
    } else if (strcmp(n, "c") == 0) {
        const char *r = attr(atts, "r"), *t = attr(atts, "t"), *s = attr(atts, "s");
        uint32_t col = r ? ref_col(r) : x->next_col;
        if (col == UINT32_MAX) col = x->next_col;
        x->cell_col = col;
        x->next_col = col + 1;
        snprintf(x->cell_type, sizeof x->cell_type, "%s", t ? t : "");
        x->cell_style = s ? strtol(s, NULL, 10) : 0;
        x->cell_formula = x->cell_has_v = false;
        x->cell_v.len = x->cell_is.len = 0;
        if (x->cell_v.s) x->cell_v.s[0] = '\0';
        if (x->cell_is.s) x->cell_is.s[0] = '\0';
    } else if (strcmp(n, "f") == 0) {
        x->cell_formula = true;
    } else if (strcmp(n, "v") == 0) {
        x->cell_has_v = true;
        x->capture = true;
        x->text.len = 0;
        if (x->text.s) x->text.s[0] = '\0';
    } else if (strcmp(n, "is") == 0) {
        x->in_is = true;
    } else if (strcmp(n, "rPh") == 0) {
        x->in_rph = true;
    } else if (strcmp(n, "t") == 0 && x->in_is) {
        x->capture = true;
        x->text.len = 0;
        if (x->text.s) x->text.s[0] = '\0';
    }
}

static void XMLCALL sheet_end(void *data, const XML_Char *el)
{
    rb_xlsx *x = data;
    const char *n = local_name(el);
    if (strcmp(n, "v") == 0) {
        x->capture = false;
        rb_buf_add(&x->cell_v, x->text.s ? x->text.s : "", x->text.len);
    } else if (strcmp(n, "t") == 0 && x->in_is) {
        x->capture = false;
        rb_buf_add(&x->cell_is, x->text.s ? x->text.s : "", x->text.len);
    } else if (strcmp(n, "is") == 0) {
        x->in_is = false;
    } else if (strcmp(n, "rPh") == 0) {
        x->in_rph = false;
    } else if (strcmp(n, "c") == 0) {
        rb_buf out = {0};
        cell_text(x, &out);
        if (x->cells_cap == x->ncells) {
            x->cells_cap = x->cells_cap ? 2 * x->cells_cap : 32;
            x->cells = rb_xrealloc(x->cells, x->cells_cap * sizeof *x->cells);
        }
        x->cells[x->ncells++] = (row_cell){x->cell_col, out.s ? out.s : rb_xstrdup("")};
    } else if (strcmp(n, "row") == 0) {
        write_row(x);
        clear_row(x);
    }
}

/* ---- the workbook ------------------------------------------------------------ */

bool rb_xlsx_name(const char *name)
{
    size_t n = strlen(name);
    return n >= 5 && strcasecmp(name + n - 5, ".xlsx") == 0;
}

static bool open_zip(rb_xlsx *x)
{
    int err = 0;
    x->zip = zip_open(x->path, ZIP_RDONLY, &err);
    if (x->zip) return true;
    if (err == ZIP_ER_NOZIP || err == ZIP_ER_INCONS) {
        fail(x, "%s", rb_tr(x->lang, "not an Excel workbook (.xlsx is a zip archive, and this file is not one)"));
    } else {
        zip_error_t ze;
        zip_error_init_with_code(&ze, err);
        fail(x, rb_tr(x->lang, "cannot read it: %s"), zip_error_strerror(&ze));
        zip_error_fini(&ze);
    }
    return false;
}

static const sheet_ref *choose_sheet(rb_xlsx *x, const char *sheet)
{
    if (x->nsheets == 0) {
        fail(x, "%s", rb_tr(x->lang, "the workbook has no sheet"));
        return NULL;
    }
    if (!sheet) return &x->sheets[0];
    for (size_t i = 0; i < x->nsheets; i++)
        if (strcmp(x->sheets[i].name, sheet) == 0) return &x->sheets[i];
    rb_buf names = {0};
    for (size_t i = 0; i < x->nsheets; i++) rb_buf_printf(&names, "%s\"%s\"", i ? ", " : "", x->sheets[i].name);
    fail(x, rb_tr(x->lang, "the workbook has no sheet \"%s\" (its sheets: %s)"), sheet, names.s);
    rb_buf_free(&names);
    return NULL;
}

rb_xlsx *rb_xlsx_open(const char *path, const char *sheet, rb_lang lang)
{
    rb_xlsx *x = rb_xcalloc(1, sizeof *x);
    x->path = path;
    x->lang = lang;
    x->line = 1;
    x->next_row = 1;
    if (!open_zip(x)) return x;
    if (!parse_part(x, "xl/workbook.xml", true, workbook_start, no_end)) return x;
    parse_part(x, "xl/_rels/workbook.xml.rels", true, rels_start, no_end);
    parse_part(x, "xl/sharedStrings.xml", false, strings_start, strings_end);
    parse_part(x, "xl/styles.xml", false, styles_start, styles_end);
    const sheet_ref *s = x->error ? NULL : choose_sheet(x, sheet);
    if (!s) return x;
    x->sheet_name = s->name;
    if (!s->target) {
        fail(x, rb_tr(x->lang, "sheet \"%s\" has no part in the workbook"), s->name);
        return x;
    }
    x->csv = tmpfile();
    if (!x->csv) {
        fail(x, rb_tr(x->lang, "cannot make a temporary file: %s"), rb_strerror(x->lang, errno));
        return x;
    }
    parse_part(x, s->target, true, sheet_start, sheet_end);
    clear_row(x);
    if (fflush(x->csv) != 0 || ferror(x->csv)) fail(x, rb_tr(x->lang, "cannot write a temporary file: %s"), rb_strerror(x->lang, errno));
    rewind(x->csv);
    return x;
}

const char *rb_xlsx_error(const rb_xlsx *x)
{
    return x->error;
}

FILE *rb_xlsx_csv(rb_xlsx *x)
{
    return x->csv;
}

const char *rb_xlsx_sheet(const rb_xlsx *x)
{
    return x->sheet_name;
}

uint64_t rb_xlsx_row(const void *book, uint64_t line)
{
    const rb_xlsx *x = book;
    int64_t delta = 0;
    for (size_t lo = 0, hi = x->nbp; lo < hi;) { /* the last breakpoint at or before line */
        size_t mid = lo + (hi - lo) / 2;
        if (x->bp_line[mid] <= line) {
            delta = x->bp_delta[mid];
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return (uint64_t)((int64_t)line + delta);
}

const char *rb_xlsx_note(rb_xlsx *x)
{
    return x->notes_shown < x->nnotes ? x->notes[x->notes_shown++] : NULL;
}

void rb_xlsx_close(rb_xlsx *x)
{
    if (!x) return;
    if (x->zip) zip_discard(x->zip);
    if (x->csv) fclose(x->csv);
    for (size_t i = 0; i < x->nsheets; i++) {
        rb_free(x->sheets[i].name);
        rb_free(x->sheets[i].rid);
        rb_free(x->sheets[i].target);
    }
    rb_free(x->sheets);
    for (size_t i = 0; i < x->nstrings; i++) rb_free(x->strings[i]);
    rb_free(x->strings);
    rb_free(x->xf_date);
    rb_free(x->fmt_ids);
    clear_row(x);
    rb_free(x->cells);
    rb_buf_free(&x->text);
    rb_buf_free(&x->cell_v);
    rb_buf_free(&x->cell_is);
    rb_free(x->bp_line);
    rb_free(x->bp_delta);
    for (size_t i = 0; i < x->nnotes; i++) rb_free(x->notes[i]);
    rb_free(x->notes);
    rb_free(x->error);
    rb_free(x);
}
