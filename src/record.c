/* record.c — record readers: JSON (one object, an array of objects, or
 * concatenated objects), NDJSON and CSV, plus in-memory JSON parsing.
 *
 * Streaming design: the input is read in large chunks with read(2) into one
 * fixed window (jsonread.h), which the JSON reader walks once, framing,
 * validating and tokenising together, so a JSON array is never held whole:
 * each element is returned as soon as its closing bracket is read, and
 * memory is bounded by the largest single record.  After a broken element
 * the reader resynchronises at the next one (rb_json_skip), so nothing
 * after it is lost; where it cannot tell where the next one starts it says
 * so (an error, exit 2) rather than drop records silently.
 *
 * For CSV, libcsv is fed one physical line at a time (pieces end at CR or
 * LF), so that at most one row completes per call and it can be returned
 * at once; a row's cells are collected in a reusable reader buffer. */
#include "record.h"

#include "arena.h"
#include "buf.h"
#include "cell.h"
#include "encoding.h"
#include "jsonread.h"
#include "utf8.h"

#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK_SIZE (1 << 17)

/* A message at a line and column; msg is a msgid, translated here. */
static const char *at_msg(rb_arena *a, rb_lang lang, rb_textpos p, const char *msg)
{
    return rb_arena_printf(a, rb_tr(lang, "line %llu, column %llu: %s"), (unsigned long long)p.line,
                           (unsigned long long)p.col, rb_tr(lang, msg));
}

/* ---- the reader ---------------------------------------------------------- */

enum { ARR_NONE, ARR_OPEN, ARR_AFTER_ELEM, ARR_AFTER_COMMA };

/* One column group of a CSV header: a plain column, or "item.rater" columns
 * gathered under "item". */
typedef struct {
    char *key;
    size_t keylen;
    size_t col;    /* plain column */
    size_t nsub;   /* > 0: nested object of these columns */
    size_t *subcol;
    char **subkey;
    size_t *subkeylen;
} csv_member;

struct rb_reader {
    rb_jsrc in; /* first: the read callback finds the reader from it */
    FILE *f;
    char *name;
    rb_input_format fmt; /* never AUTO once open */
    uint64_t next_number;
    rb_arena *arena;
    rb_jscratch scratch;

    bool failed, done, started, lost;
    char errmsg[256];
    rb_lang lang;

    int arr; /* JSON: where we are in a top-level array */

    /* NDJSON lines that span refills (rb_reader_next_line) */
    char *line_buf;
    size_t line_len, line_cap;

    /* CSV */
    struct csv_parser csv;
    bool csv_ready, csv_finished, have_header;
    size_t ncols;
    csv_member *layout;
    size_t nlayout;
    char **colname;
    unsigned char *cellbuf; /* the current row's cells, back to back */
    size_t cellbuf_len, cellbuf_cap;
    size_t *cell_off, *cell_len;
    size_t ncells, cells_cap;
    bool row_done, row_started;
    uint64_t row_line;

    /* spreadsheet input (SPEC §16) */
    rb_header_fn header_fn;
    void *header_ctx;
    int encoding;      /* rb_encoding */
    bool encoding_chosen;
    FILE *converted;   /* the GB18030 file as UTF-8, read instead of f */
    rb_cells cells;    /* a workbook's sheet (rb_reader_set_sheet) */
    rb_row_fn sheet_row;
    const void *sheet_ctx;
    char **notes;
    size_t nnotes, notes_shown;
};

/* Reads the next chunk.  read(2) returns what a pipe holds, so a
 * line-by-line producer gets each record scored as soon as its line
 * arrives; a stream without a descriptor (fmemopen) goes through stdio. */
static long read_chunk(rb_jsrc *s)
{
    rb_reader *r = (rb_reader *)s;
    for (;;) {
        long n;
        int fd = fileno(r->f);
        if (fd >= 0) {
            n = (long)read(fd, s->buf, CHUNK_SIZE);
            if (n < 0 && errno == EINTR) continue;
        } else {
            n = (long)fread(s->buf, 1, CHUNK_SIZE, r->f);
            if (n == 0 && ferror(r->f)) n = -1;
        }
        if (n < 0) {
            r->failed = true;
            snprintf(r->errmsg, sizeof r->errmsg, rb_tr(r->lang, "%s: read error: %s"), r->name, rb_strerror(r->lang, errno));
            return -1;
        }
        if (!r->started && n > 0) { /* a UTF-8 byte order mark is not content */
            r->started = true;
            if (n >= 3 && s->buf[0] == 0xEF && s->buf[1] == 0xBB && s->buf[2] == 0xBF) {
                memmove(s->buf, s->buf + 3, (size_t)n - 3);
                n -= 3;
                if (n == 0) continue;
            }
        }
        return n;
    }
}

static int peek(rb_reader *r) { return rb_jsrc_peek(&r->in); }

static void consume_to(rb_reader *r, size_t to) { rb_jsrc_consume(&r->in, to); }

static rb_textpos here(rb_reader *r) { return rb_jsrc_pos(&r->in, r->in.pos); }

static void skip_ws(rb_reader *r)
{
    for (int c; (c = peek(r)) == ' ' || c == '\t' || c == '\r' || c == '\n';)
        consume_to(r, r->in.pos + 1);
}

static void skip_line(rb_reader *r)
{
    for (int c; (c = peek(r)) >= 0;) {
        const unsigned char *nl = memchr(r->in.buf + r->in.pos, '\n', r->in.len - r->in.pos);
        consume_to(r, nl ? (size_t)(nl - r->in.buf) + 1 : r->in.len);
        if (nl) break;
    }
}

static void set_error(rb_reader *r, rb_record *rec, rb_textpos p, const char *msg)
{
    rec->syntax_error = at_msg(r->arena, r->lang, p, msg);
    memset(&rec->value, 0, sizeof rec->value);
    rec->value.kind = RV_NULL;
}

/* Parses one JSON value starting at the current (non-blank) position into
 * rec.  In line mode (NDJSON) the value runs to the end of the line, which
 * is left unconsumed.  Returns false on a syntax error (rec->syntax_error
 * set, *err saying where, the position left at the error).  An I/O error
 * just ends the value: the caller checks r->failed. */
static bool json_value(rb_reader *r, rb_record *rec, bool line_mode, rb_jerror *err,
                       rb_textpos *start)
{
    rb_jsrc_mark(&r->in, &r->in.start);
    *start = rb_jsrc_mark_pos(&r->in, &r->in.start);
    rec->line = start->line;
    rb_rv v;
    if (!rb_json_value(&r->in, &r->scratch, r->arena, line_mode, line_mode, &v, err)) {
        if (!r->failed) set_error(r, rec, err->at, err->msg);
        return false;
    }
    if (v.kind == RV_OBJECT) rec->value = v;
    else set_error(r, rec, *start, N_("a record must be a JSON object"));
    return true;
}

static int next_json(rb_reader *r, rb_record *rec)
{
    for (;;) {
        skip_ws(r);
        int c = peek(r);
        if (r->failed) return -1;
        rb_textpos p = here(r);
        switch (r->arr) {
        case ARR_NONE:
            if (c < 0) return 0;
            if (c == '[') {
                consume_to(r, r->in.pos + 1);
                r->arr = ARR_OPEN;
                continue;
            }
            break;
        case ARR_OPEN:
            if (c == ']') {
                consume_to(r, r->in.pos + 1);
                r->arr = ARR_NONE;
                continue;
            }
            break;
        case ARR_AFTER_ELEM:
            if (c == ',') {
                consume_to(r, r->in.pos + 1);
                r->arr = ARR_AFTER_COMMA;
                continue;
            }
            if (c == ']') {
                consume_to(r, r->in.pos + 1);
                r->arr = ARR_NONE;
                continue;
            }
            rec->line = p.line;
            if (c < 0) {
                set_error(r, rec, p, N_("unexpected end of input: the array is not closed"));
                r->done = true;
                return 1;
            }
            /* A missing comma: say so, and read on as if it were there. */
            set_error(r, rec, p, N_("expected ',' or ']'"));
            r->arr = ARR_AFTER_COMMA;
            return 1;
        case ARR_AFTER_COMMA:
            if (c == ']') {
                rec->line = p.line;
                set_error(r, rec, p, N_("expected a value after ','"));
                consume_to(r, r->in.pos + 1);
                r->arr = ARR_NONE;
                return 1;
            }
            break;
        }
        if (c < 0) { /* inside an array */
            rec->line = p.line;
            set_error(r, rec, p, N_("unexpected end of input: the array is not closed"));
            r->done = true;
            return 1;
        }
        rb_jerror err;
        rb_textpos start;
        bool in_array = r->arr != ARR_NONE;
        if (in_array) r->arr = ARR_AFTER_ELEM;
        if (json_value(r, rec, false, &err, &start)) return 1;
        if (r->failed) return -1;
        switch (rb_json_skip(&r->in, &err, start, in_array)) {
        case RB_SKIP_ENDED: break;
        case RB_SKIP_NEW_RECORD:
            if (in_array) r->arr = ARR_AFTER_COMMA;
            break;
        case RB_SKIP_EOF: r->done = true; break;
        case RB_SKIP_LOST:
            r->lost = true;
            snprintf(r->errmsg, sizeof r->errmsg,
                     rb_tr(r->lang, "%s: the record at line %llu is broken and the file ends before it "
                                    "does, so records after it may be missing"),
                     r->name, (unsigned long long)start.line);
            break;
        }
        if (r->failed) return -1;
        return 1;
    }
}

static int next_ndjson(rb_reader *r, rb_record *rec)
{
    skip_ws(r);
    if (peek(r) < 0) return r->failed ? -1 : 0;
    rb_jerror err;
    rb_textpos start;
    bool ok = json_value(r, rec, true, &err, &start);
    if (r->failed) return -1;
    if (!ok) skip_line(r);
    return 1;
}

/* ---- NDJSON lines for score -j ------------------------------------------- */

int rb_reader_next_line(rb_reader *r, const char **text, size_t *len, uint64_t *line, uint64_t *col,
                        uint64_t *number)
{
    if (r->failed) return -1;
    if (r->done) return 0;
    if (r->fmt == RB_INPUT_AUTO) { /* as rb_reader_next decides */
        skip_ws(r);
        if (r->failed) return -1;
        r->fmt = peek(r) == '[' ? RB_INPUT_JSON : RB_INPUT_NDJSON;
    }
    if (r->fmt != RB_INPUT_NDJSON) return -2;
    skip_ws(r); /* blank lines are no records (next_ndjson) */
    if (peek(r) < 0) return r->failed ? -1 : 0;
    rb_textpos at = here(r);
    *line = at.line;
    *col = at.col;
    const unsigned char *nl = memchr(r->in.buf + r->in.pos, '\n', r->in.len - r->in.pos);
    if (nl) { /* the whole line is in the window: no copy */
        *text = (const char *)r->in.buf + r->in.pos;
        *len = (size_t)(nl - (r->in.buf + r->in.pos));
        r->in.pos = (size_t)(nl - r->in.buf); /* the newline is skip_ws's, next time */
    } else { /* it spans refills: gathered in the scratch token buffer */
        r->line_len = 0;
        while (peek(r) >= 0) {
            const unsigned char *b = r->in.buf + r->in.pos;
            nl = memchr(b, '\n', r->in.len - r->in.pos);
            size_t n = nl ? (size_t)(nl - b) : r->in.len - r->in.pos;
            if (r->line_cap - r->line_len < n) {
                size_t cap = r->line_cap ? r->line_cap : 1 << 16;
                while (cap - r->line_len < n) cap *= 2;
                r->line_buf = rb_xrealloc(r->line_buf, cap);
                r->line_cap = cap;
            }
            memcpy(r->line_buf + r->line_len, b, n);
            r->line_len += n;
            r->in.pos += n;
            if (nl) break;
        }
        if (r->failed) return -1;
        *text = r->line_buf;
        *len = r->line_len;
    }
    *number = r->next_number++;
    return 1;
}

struct rb_line_parser {
    rb_arena *arena;
    rb_jscratch scratch;
    rb_lang lang;
};

rb_line_parser *rb_line_parser_new(rb_lang lang)
{
    rb_line_parser *lp = rb_xcalloc(1, sizeof *lp);
    lp->arena = rb_arena_new();
    lp->lang = lang;
    return lp;
}

void rb_line_parser_free(rb_line_parser *lp)
{
    if (!lp) return;
    rb_arena_free(lp->arena);
    rb_jscratch_free(&lp->scratch);
    rb_free(lp);
}

/* next_ndjson on one framed line: the same value, the same messages at the
 * same positions (the window starts at the line's first non-blank byte, at
 * its column, and ends where the newline was). */
void rb_line_parse(rb_line_parser *lp, rb_record *rec, const char *source, const char *text, size_t len,
                   uint64_t line, uint64_t col, uint64_t number)
{
    rb_arena_reset(lp->arena);
    memset(rec, 0, sizeof *rec);
    rec->number = number;
    rec->source = source;
    rec->line = line;
    rb_jsrc in;
    rb_jsrc_memory(&in, text, len);
    in.line = line;
    in.cm_col = col;
    rb_jerror err;
    rb_rv v;
    rb_textpos start = {line, col};
    if (!rb_json_value(&in, &lp->scratch, lp->arena, true, true, &v, &err))
        rec->syntax_error = at_msg(lp->arena, lp->lang, err.at, err.msg);
    else if (v.kind == RV_OBJECT)
        rec->value = v;
    else
        rec->syntax_error = at_msg(lp->arena, lp->lang, start, "a record must be a JSON object");
    if (rec->syntax_error) rec->value.kind = RV_NULL;
}

/* ---- CSV ------------------------------------------------------------------ */

static void csv_cell(void *s, size_t len, void *data)
{
    rb_reader *r = data;
    if (r->ncells == r->cells_cap) {
        r->cells_cap = r->cells_cap ? 2 * r->cells_cap : 32;
        r->cell_off = rb_xrealloc(r->cell_off, r->cells_cap * sizeof *r->cell_off);
        r->cell_len = rb_xrealloc(r->cell_len, r->cells_cap * sizeof *r->cell_len);
    }
    if (r->cellbuf_cap - r->cellbuf_len < len + 1) {
        while (r->cellbuf_cap - r->cellbuf_len < len + 1)
            r->cellbuf_cap = r->cellbuf_cap ? 2 * r->cellbuf_cap : 4096;
        r->cellbuf = rb_xrealloc(r->cellbuf, r->cellbuf_cap);
    }
    if (len) memcpy(r->cellbuf + r->cellbuf_len, s, len);
    r->cell_off[r->ncells] = r->cellbuf_len;
    r->cell_len[r->ncells] = len;
    r->cellbuf_len += len + 1;
    r->ncells++;
}

static void csv_row_end(int c, void *data)
{
    (void)c;
    ((rb_reader *)data)->row_done = true;
}

/* Spaces are data (RFC 4180): libcsv would otherwise trim them. */
static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

static void csv_start(rb_reader *r)
{
    /* Strict: a quote inside an unquoted field, or text after a closing
     * quote, is an error rather than a guess. */
    if (csv_init(&r->csv, CSV_STRICT | CSV_STRICT_FINI) != 0) rb_out_of_memory();
    csv_set_space_func(&r->csv, no_space);
    r->csv_ready = true;
}


/* The row being read as a person finds it: "line 6" of a CSV file, or
 * "sheet Data, row 6" of a workbook (its own row, not the CSV line). */
static uint64_t row_number(const rb_reader *r)
{
    return r->sheet_row ? r->sheet_row(r->sheet_ctx, r->row_line) : r->row_line;
}

static const char *row_place(rb_reader *r)
{
    unsigned long long n = row_number(r);
    if (r->cells.sheet) return rb_arena_printf(r->arena, rb_tr(r->lang, "sheet %s, row %llu"), r->cells.sheet, n);
    return rb_arena_printf(r->arena, rb_tr(r->lang, "line %llu"), n);
}

/* Reads one CSV row into r's cell buffer.  Returns 1 with a row, 0 at the
 * end, -1 with *msg on a syntax error (positioned after the bad line),
 * -2 on an I/O error. */
static int csv_row(rb_reader *r, const char **msg)
{
    r->ncells = 0;
    r->cellbuf_len = 0;
    r->row_done = false;
    r->row_started = false;
    for (;;) {
        if (peek(r) < 0) {
            if (r->failed) return -2;
            if (r->csv_finished) return 0;
            r->csv_finished = true;
            if (csv_fini(&r->csv, csv_cell, csv_row_end, r) != 0) {
                *msg = rb_arena_printf(r->arena, rb_tr(r->lang, "%s: a quoted field is not closed"), row_place(r));
                return -1;
            }
            return r->row_done ? 1 : 0;
        }
        const unsigned char *buf = r->in.buf;
        size_t from = r->in.pos, to = from;
        while (to < r->in.len && buf[to] != '\n' && buf[to] != '\r') to++;
        if (to < r->in.len) to++;
        if (!r->row_started) {
            for (size_t i = from; i < to; i++) {
                if (buf[i] != '\n' && buf[i] != '\r') {
                    r->row_started = true;
                    r->row_line = r->in.line;
                    for (size_t k = from; k < i; k++) r->row_line += buf[k] == '\n';
                    break;
                }
            }
        }
        size_t n = csv_parse(&r->csv, buf + from, to - from, csv_cell, csv_row_end, r);
        if (n < to - from) {
            consume_to(r, from + n);
            *msg = at_msg(r->arena, r->lang, here(r),
                          N_("malformed quoting (a quote may only open a field, and a quote inside a quoted "
                             "field must be doubled)"));
            /* Start again on the next line with a fresh parser. */
            csv_free(&r->csv);
            csv_start(r);
            skip_line(r);
            return -1;
        }
        consume_to(r, to);
        if (r->row_done) return 1;
    }
}

static void add_note(rb_reader *r, char *note)
{
    r->notes = rb_xrealloc(r->notes, (r->nnotes + 1) * sizeof *r->notes);
    r->notes[r->nnotes++] = note;
}

static const char *cell(const rb_reader *r, size_t i, size_t *len)
{
    *len = r->cell_len[i];
    return (const char *)r->cellbuf + r->cell_off[i];
}

/* Checks every cell of the current row; returns a message or NULL. */
static const char *csv_bad_utf8(rb_reader *r, const char *const *names)
{
    for (size_t i = 0; i < r->ncells; i++) {
        size_t len;
        const unsigned char *s = (const unsigned char *)cell(r, i, &len);
        size_t bad = rb_utf8_valid_prefix((const char *)s, len);
        if (bad != len) {
            if (names)
                return rb_arena_printf(r->arena,
                                       rb_tr(r->lang, "%s: cell %zu (%s) is not valid UTF-8 "
                                                      "(byte %zu of the cell; a GBK file? use --encoding gb18030)"),
                                       row_place(r), i + 1, names[i], bad + 1);
            return rb_arena_printf(r->arena,
                                   rb_tr(r->lang, "%s: header cell %zu is not valid UTF-8 "
                                                  "(a GBK file? use --encoding gb18030)"),
                                   row_place(r), i + 1);
        }
    }
    return NULL;
}

static void free_layout(rb_reader *r)
{
    for (size_t i = 0; i < r->nlayout; i++) {
        csv_member *m = &r->layout[i];
        rb_free(m->key);
        for (size_t k = 0; k < m->nsub; k++) rb_free(m->subkey[k]);
        rb_free(m->subkey);
        rb_free(m->subkeylen);
        rb_free(m->subcol);
    }
    rb_free(r->layout);
    r->layout = NULL;
    r->nlayout = 0;
    for (size_t i = 0; i < r->ncols; i++) rb_free(r->colname[i]);
    rb_free(r->colname);
    r->colname = NULL;
}

static char *xstrndup(const char *s, size_t n)
{
    char *p = rb_xmalloc(n + 1);
    if (n) memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* Turns the header row into the record layout: "item.rater" columns are
 * gathered, in order, under one member "item" placed where the first of them
 * stands. */
static void build_layout(rb_reader *r)
{
    r->ncols = r->ncells;
    r->colname = rb_xcalloc(r->ncols, sizeof *r->colname);
    r->layout = rb_xcalloc(r->ncols, sizeof *r->layout);
    for (size_t j = 0; j < r->ncols; j++) {
        size_t len;
        const char *name = cell(r, j, &len);
        if (r->header_fn) {
            char *note = NULL;
            r->colname[j] = r->header_fn(r->header_ctx, name, len, r->lang, &note);
            if (note) add_note(r, note);
            name = r->colname[j];
            len = strlen(name);
        } else {
            r->colname[j] = xstrndup(name, len);
        }
        const char *dot = memchr(name, '.', len);
        if (dot && dot != name && dot != name + len - 1) {
            size_t plen = (size_t)(dot - name);
            csv_member *m = NULL;
            for (size_t i = 0; i < r->nlayout; i++) {
                csv_member *c = &r->layout[i];
                if (c->nsub && c->keylen == plen && memcmp(c->key, name, plen) == 0) {
                    m = c;
                    break;
                }
            }
            if (!m) {
                m = &r->layout[r->nlayout++];
                m->key = xstrndup(name, plen);
                m->keylen = plen;
            }
            m->subcol = rb_xrealloc(m->subcol, (m->nsub + 1) * sizeof *m->subcol);
            m->subkey = rb_xrealloc(m->subkey, (m->nsub + 1) * sizeof *m->subkey);
            m->subkeylen = rb_xrealloc(m->subkeylen, (m->nsub + 1) * sizeof *m->subkeylen);
            m->subcol[m->nsub] = j;
            m->subkeylen[m->nsub] = len - plen - 1;
            m->subkey[m->nsub] = xstrndup(dot + 1, len - plen - 1);
            m->nsub++;
        } else {
            csv_member *m = &r->layout[r->nlayout++];
            m->key = xstrndup(name, len);
            m->keylen = len;
            m->col = j;
        }
    }
}

static rb_rv csv_value(rb_reader *r, size_t col)
{
    size_t len;
    const char *s = cell(r, col, &len);
    rb_rv v = {.kind = RV_NULL};
    if (!rb_cell_blank(s, len)) { /* a blank cell, quoted or not, is absent: null */
        v.kind = RV_STRING;
        v.text = rb_arena_strndup(r->arena, s, len);
        v.len = len;
    }
    return v;
}

static bool row_blank(rb_reader *r)
{
    for (size_t i = 0; i < r->ncells; i++) {
        size_t len;
        const char *s = cell(r, i, &len);
        if (!rb_cell_blank(s, len)) return false;
    }
    return true;
}

/* Chooses the file's encoding before its first byte is read: a file that is
 * not valid UTF-8 is converted from GB18030.  Returns false on an error. */
static bool choose_encoding(rb_reader *r)
{
    bool is_stdin = strcmp(r->name, "-") == 0;
    if (r->encoding == RB_ENC_UTF8 || (r->encoding == RB_ENC_AUTO && is_stdin)) return true;
    if (r->encoding == RB_ENC_AUTO) {
        int utf8 = rb_stream_is_utf8(r->f);
        if (utf8 != 0) return true; /* UTF-8, or not rewindable: read as UTF-8 */
    }
    char err[200];
    r->converted = rb_gb18030_to_utf8(r->f, r->lang, err, sizeof err);
    if (!r->converted) {
        snprintf(r->errmsg, sizeof r->errmsg, rb_tr(r->lang, "%s: %s"), r->name, err);
        r->failed = true;
        return false;
    }
    if (r->encoding == RB_ENC_AUTO) {
        rb_buf note = {0};
        rb_buf_printf(&note, rb_tr(r->lang, "%s is not UTF-8: read as GB18030 (GBK); --encoding utf-8 reads it as UTF-8"),
                      r->name);
        add_note(r, note.s);
    }
    r->f = r->converted;
    return true;
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const rb_cell_key *)a)->key, ((const rb_cell_key *)b)->key);
}

/* A workbook's columns, looked up by key in log time however wide the
 * sheet (a message may name a cell for every column of every row). */
static void index_cells(rb_reader *r)
{
    r->cells.ncols = r->ncols;
    r->cells.by_key = rb_xcalloc(r->ncols ? r->ncols : 1, sizeof *r->cells.by_key);
    for (size_t j = 0; j < r->ncols; j++) r->cells.by_key[j] = (rb_cell_key){r->colname[j], j};
    qsort(r->cells.by_key, r->ncols, sizeof *r->cells.by_key, by_key);
}

long rb_cells_column(const rb_cells *c, const char *key)
{
    for (size_t lo = 0, hi = c->ncols; lo < hi;) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(key, c->by_key[mid].key);
        if (cmp == 0) return (long)c->by_key[mid].col;
        if (cmp < 0) hi = mid;
        else lo = mid + 1;
    }
    return -1;
}

static int next_csv(rb_reader *r, rb_record *rec)
{
    rec->from_csv = true;
    const char *msg = NULL;
    if (!r->encoding_chosen) {
        r->encoding_chosen = true;
        if (!choose_encoding(r)) return -1;
    }
    if (!r->have_header) {
        int st = csv_row(r, &msg);
        if (st == -2) return -1;
        if (st == 0) return 0;
        if (st == 1) msg = csv_bad_utf8(r, NULL);
        if (msg) { /* without a header no row can be read */
            rec->line = row_number(r);
            rec->syntax_error = rb_arena_printf(r->arena, rb_tr(r->lang, "the CSV header is unusable: %s"), msg);
            rec->value.kind = RV_NULL;
            r->done = true;
            return 1;
        }
        build_layout(r);
        if (r->cells.sheet) index_cells(r);
        r->have_header = true;
    }
    int st;
    while ((st = csv_row(r, &msg)) == 1 && row_blank(r)) {
        /* a row of empty cells (a formatted but unused row) is not a record */
    }
    if (st == -2) return -1;
    if (st == 0) return 0;
    rec->line = row_number(r);
    rec->value.kind = RV_NULL;
    if (st == -1) {
        rec->syntax_error = msg;
        return 1;
    }
    if (r->ncells != r->ncols) {
        const char *fmt = r->ncells == 1 ? rb_tr(r->lang, "%s: %zu cell, but the header has %zu")
                                         : rb_tr(r->lang, "%s: %zu cells, but the header has %zu");
        rec->syntax_error = rb_arena_printf(r->arena, fmt, row_place(r), r->ncells, r->ncols);
        return 1;
    }
    if ((msg = csv_bad_utf8(r, (const char *const *)r->colname))) {
        rec->syntax_error = msg;
        return 1;
    }
    rb_rv obj = {.kind = RV_OBJECT, .count = r->nlayout};
    obj.members = rb_arena_alloc(r->arena, r->nlayout * sizeof *obj.members);
    for (size_t i = 0; i < r->nlayout; i++) {
        const csv_member *m = &r->layout[i];
        rb_rv_member *out = &obj.members[i];
        out->key = rb_arena_strndup(r->arena, m->key, m->keylen);
        out->keylen = m->keylen;
        if (!m->nsub) {
            out->value = csv_value(r, m->col);
            continue;
        }
        out->value.kind = RV_OBJECT;
        out->value.count = m->nsub;
        out->value.members = rb_arena_alloc(r->arena, m->nsub * sizeof *out->value.members);
        for (size_t k = 0; k < m->nsub; k++) {
            rb_rv_member *sub = &out->value.members[k];
            sub->key = rb_arena_strndup(r->arena, m->subkey[k], m->subkeylen[k]);
            sub->keylen = m->subkeylen[k];
            sub->value = csv_value(r, m->subcol[k]);
        }
    }
    rec->value = obj;
    if (r->cells.sheet) rec->cells = &r->cells;
    return 1;
}

/* ---- public API ------------------------------------------------------------ */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    if (n < m) return false;
    for (size_t i = 0; i < m; i++) {
        char c = s[n - m + i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != suffix[i]) return false;
    }
    return true;
}

rb_reader *rb_reader_open(FILE *f, const char *name, rb_input_format fmt, uint64_t first_number)
{
    rb_reader *r = rb_xcalloc(1, sizeof *r);
    r->f = f;
    r->name = rb_xstrdup(name ? name : "-");
    if (fmt == RB_INPUT_AUTO) {
        if (ends_with(r->name, ".csv")) fmt = RB_INPUT_CSV;
        else if (ends_with(r->name, ".ndjson") || ends_with(r->name, ".jsonl"))
            fmt = RB_INPUT_NDJSON;
        else if (strcmp(r->name, "-") != 0) fmt = RB_INPUT_JSON;
        /* standard input stays undecided until its first byte: see
         * rb_reader_next */
    }
    r->fmt = fmt;
    r->next_number = first_number;
    r->arena = rb_arena_new();
    r->in.buf = rb_xmalloc(CHUNK_SIZE);
    r->in.line = 1;
    r->in.cm_col = 1;
    r->in.read = read_chunk;
    if (fmt == RB_INPUT_CSV) csv_start(r);
    return r;
}

int rb_reader_next(rb_reader *r, rb_record *rec)
{
    rb_arena_reset(r->arena);
    memset(rec, 0, sizeof *rec);
    if (r->lost) r->failed = true; /* after the broken record, as rb_json_skip asks */
    if (r->failed) return -1;
    if (r->done) return 0;
    if (r->fmt == RB_INPUT_AUTO) {
        /* Standard input is NDJSON (SPEC §7), so that a broken line costs
         * that line only; a stream that opens with '[' is a JSON array. */
        skip_ws(r);
        if (r->failed) return -1;
        r->fmt = peek(r) == '[' ? RB_INPUT_JSON : RB_INPUT_NDJSON;
    }
    int st;
    switch (r->fmt) {
    case RB_INPUT_CSV: st = next_csv(r, rec); break;
    case RB_INPUT_NDJSON: st = next_ndjson(r, rec); break;
    default: st = next_json(r, rec); break;
    }
    if (st == 1) {
        rec->number = r->next_number++;
        rec->source = r->name;
        if (r->fmt == RB_INPUT_CSV) rec->from_csv = true;
    }
    return st;
}

void rb_reader_set_headers(rb_reader *r, rb_header_fn fn, void *ctx)
{
    r->header_fn = fn;
    r->header_ctx = ctx;
}

void rb_reader_set_encoding(rb_reader *r, int encoding)
{
    r->encoding = encoding;
}

void rb_reader_set_lang(rb_reader *r, rb_lang lang)
{
    r->lang = lang;
}

void rb_reader_set_sheet(rb_reader *r, const char *sheet, rb_row_fn row, const void *ctx)
{
    r->cells.sheet = sheet;
    r->sheet_row = row;
    r->sheet_ctx = ctx;
}

const char *rb_reader_note(rb_reader *r)
{
    return r->notes_shown < r->nnotes ? r->notes[r->notes_shown++] : NULL;
}

const char *rb_reader_error(const rb_reader *r)
{
    return r->failed ? r->errmsg : NULL;
}

void rb_reader_close(rb_reader *r)
{
    if (!r) return;
    if (r->csv_ready) csv_free(&r->csv);
    free_layout(r);
    rb_free(r->cells.by_key);
    rb_free(r->cellbuf);
    rb_free(r->line_buf);
    rb_free(r->cell_off);
    rb_free(r->cell_len);
    for (size_t i = 0; i < r->nnotes; i++) rb_free(r->notes[i]);
    rb_free(r->notes);
    if (r->converted) fclose(r->converted);
    rb_arena_free(r->arena);
    rb_jscratch_free(&r->scratch);
    rb_free(r->in.buf);
    rb_free(r->name);
    rb_free(r);
}

const rb_rv *rb_json_parse(struct rb_arena *arena, const char *text, size_t len, rb_lang lang, const char **err)
{
    rb_jsrc s;
    rb_jsrc_memory(&s, text, len);
    rb_jscratch sc = {0};
    rb_jerror e;
    rb_rv v;
    bool ok = rb_json_value(&s, &sc, arena, false, true, &v, &e);
    rb_jscratch_free(&sc);
    *err = NULL;
    if (!ok) {
        *err = at_msg(arena, lang, e.at, e.msg);
        return NULL;
    }
    rb_rv *out = rb_arena_alloc(arena, sizeof *out);
    *out = v;
    return out;
}

const rb_rv *rb_rv_get(const rb_rv *obj, const char *key)
{
    if (!obj || obj->kind != RV_OBJECT || !key) return NULL;
    size_t n = strlen(key);
    for (size_t i = 0; i < obj->count; i++) {
        const rb_rv_member *m = &obj->members[i];
        if (m->keylen == n && memcmp(m->key, key, n) == 0) return &m->value;
    }
    return NULL;
}
