/* record.c — record readers: JSON (one object, an array of objects, or
 * concatenated objects), NDJSON and CSV, plus in-memory JSON parsing.
 *
 * Streaming design: the input is read in chunks into one fixed buffer.  For
 * JSON a small "framer" walks the bytes (tracking strings and bracket depth
 * only) to find where the current record's value ends, and feeds exactly
 * that value to a fresh yajl parser whose callbacks build the tree in the
 * per-record arena.  So a JSON array is never held whole: each element is
 * parsed and returned as soon as its closing bracket is read, and memory is
 * bounded by the largest single record.  yajl validates the grammar; the
 * framer also enforces the few things yajl 2.1 lets through (form feed as
 * whitespace, overlong or surrogate UTF-8, an unfinished token after the
 * value).  Numbers arrive through yajl_number as their exact text (never
 * through a double).
 *
 * For CSV, libcsv is fed one physical line at a time (pieces end at CR or
 * LF), so that at most one row completes per call and it can be returned
 * at once; a row's cells are collected in a reusable reader buffer. */
#include "record.h"

#include "arena.h"
#include "buf.h"
#include "cell.h"
#include "encoding.h"
#include "utf8.h"

#include <csv.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#define RB_JSON_MAX_DEPTH 64
#define CHUNK_SIZE 65536

/* ---- positions and UTF-8 -------------------------------------------------- */

typedef struct {
    uint64_t line, col; /* of the next byte; columns count code points */
} textpos;

static void pos_step(textpos *p, unsigned char c)
{
    if (c == '\n') {
        p->line++;
        p->col = 1;
    } else if ((c & 0xC0) != 0x80) { /* continuation bytes share their lead's column */
        p->col++;
    }
}

/* ---- the value tree, built from yajl callbacks ---------------------------- */

typedef struct node {
    const char *key;
    size_t keylen;
    rb_rv value;
    struct node *next;
} node;

typedef struct {
    bool is_map;
    node *head, *tail;
    size_t count;
    const char *key; /* the pending key inside a map */
    size_t keylen;
} frame;

typedef struct {
    rb_arena *arena;
    frame stack[RB_JSON_MAX_DEPTH]; /* bounded depth: no recursion anywhere */
    int depth;
    rb_rv root;
    bool have_root;
    const char *error; /* why a callback stopped the parse */
} builder;

static void builder_init(builder *b, rb_arena *arena)
{
    memset(b, 0, sizeof *b);
    b->arena = arena;
}

static int add_value(builder *b, rb_rv v)
{
    if (b->depth == 0) {
        b->root = v;
        b->have_root = true;
        return 1;
    }
    frame *f = &b->stack[b->depth - 1];
    node *n = rb_arena_alloc(b->arena, sizeof *n);
    n->value = v;
    if (f->is_map) {
        n->key = f->key;
        n->keylen = f->keylen;
    }
    if (f->tail) f->tail->next = n;
    else f->head = n;
    f->tail = n;
    f->count++;
    return 1;
}

static int cb_null(void *ctx)
{
    rb_rv v = {.kind = RV_NULL};
    return add_value(ctx, v);
}

static int cb_boolean(void *ctx, int val)
{
    rb_rv v = {.kind = RV_BOOL, .boolean = val != 0};
    return add_value(ctx, v);
}

static int cb_number(void *ctx, const char *s, size_t len)
{
    builder *b = ctx;
    rb_rv v = {.kind = RV_NUMBER, .text = rb_arena_strndup(b->arena, s, len), .len = len};
    return add_value(b, v);
}

static const char MSG_BAD_UTF8[] = "invalid UTF-8 in a string";

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
    builder *b = ctx;
    /* yajl checks only the shape of multi-byte sequences; be strict. */
    if (rb_utf8_valid_prefix((const char *)s, len) != len) {
        b->error = MSG_BAD_UTF8;
        return 0;
    }
    rb_rv v = {.kind = RV_STRING, .text = rb_arena_strndup(b->arena, (const char *)s, len),
               .len = len};
    return add_value(b, v);
}

static const char MSG_TOO_DEEP[] = "nesting deeper than 64 levels (the limit)";

static int open_container(builder *b, bool is_map)
{
    if (b->depth >= RB_JSON_MAX_DEPTH) {
        b->error = MSG_TOO_DEEP;
        return 0;
    }
    frame *f = &b->stack[b->depth++];
    memset(f, 0, sizeof *f);
    f->is_map = is_map;
    return 1;
}

static int cb_start_map(void *ctx) { return open_container(ctx, true); }
static int cb_start_array(void *ctx) { return open_container(ctx, false); }

static int cb_map_key(void *ctx, const unsigned char *s, size_t len)
{
    builder *b = ctx;
    if (rb_utf8_valid_prefix((const char *)s, len) != len) {
        b->error = MSG_BAD_UTF8;
        return 0;
    }
    frame *f = &b->stack[b->depth - 1];
    f->key = rb_arena_strndup(b->arena, (const char *)s, len);
    f->keylen = len;
    return 1;
}

static int close_container(builder *b)
{
    frame f = b->stack[--b->depth];
    rb_rv v = {.kind = f.is_map ? RV_OBJECT : RV_ARRAY, .count = f.count};
    if (f.is_map) {
        v.members = rb_arena_alloc(b->arena, f.count * sizeof *v.members);
        size_t i = 0;
        for (node *n = f.head; n; n = n->next, i++) {
            v.members[i].key = n->key;
            v.members[i].keylen = n->keylen;
            v.members[i].value = n->value;
        }
    } else {
        v.items = rb_arena_alloc(b->arena, f.count * sizeof *v.items);
        size_t i = 0;
        for (node *n = f.head; n; n = n->next, i++) v.items[i] = n->value;
    }
    return add_value(b, v);
}

static int cb_end(void *ctx) { return close_container(ctx); }

static const yajl_callbacks callbacks = {
    .yajl_null = cb_null,
    .yajl_boolean = cb_boolean,
    .yajl_number = cb_number, /* set, so yajl_integer/yajl_double are never used */
    .yajl_string = cb_string,
    .yajl_start_map = cb_start_map,
    .yajl_map_key = cb_map_key,
    .yajl_end_map = cb_end,
    .yajl_start_array = cb_start_array,
    .yajl_end_array = cb_end,
};

/* yajl allocates through alloc.h like the rest of the library, so that a
 * failure unwinds to the caller's guard and a failed call frees its parser. */
static void *yajl_malloc(void *ctx, size_t n)
{
    (void)ctx;
    return rb_xmalloc(n);
}

static void *yajl_realloc(void *ctx, void *p, size_t n)
{
    (void)ctx;
    return rb_xrealloc(p, n);
}

static void yajl_release(void *ctx, void *p)
{
    (void)ctx;
    rb_free(p);
}

static yajl_alloc_funcs yajl_allocator = {yajl_malloc, yajl_realloc, yajl_release, NULL};

static yajl_handle new_parser(builder *b)
{
    yajl_handle h = yajl_alloc(&callbacks, &yajl_allocator, b);
    if (!h) rb_out_of_memory();
    return h;
}

/* ---- yajl errors, in our words --------------------------------------------- */

/* Where an error points, given yajl's offset: yajl reports the offset just
 * past the offending token for grammar errors, the offending byte itself for
 * most lexical ones, the byte after an invalid character, and the byte after
 * a bad literal ("tru}"). */
enum { AT_TOKEN_END, AT_BYTE, AT_BYTE_BEFORE, AT_TOKEN_START };

static const struct {
    const char *yajl, *ours;
    int where;
} yajl_messages[] = {
    {"after key and value, inside map, I expect ',' or '}'", "expected ',' or '}'", AT_TOKEN_END},
    {"after array element, I expect ',' or ']'", "expected ',' or ']'", AT_TOKEN_END},
    {"object key and value must be separated by a colon", "expected ':' after the key",
     AT_TOKEN_END},
    {"invalid object key (must be a string)", "expected a string key", AT_TOKEN_END},
    {"unallowed token at this point", "unexpected character", AT_TOKEN_END},
    {"premature EOF", "unexpected end of input", AT_TOKEN_END},
    {"trailing garbage", "unexpected text after the value", AT_TOKEN_END},
    {"invalid bytes in UTF8 string", "invalid UTF-8 in a string", AT_TOKEN_END},
    {"invalid char in json text", "invalid character", AT_BYTE_BEFORE},
    {"invalid string in json text",
     "invalid value (expected a string, number, object, array, true, false or null)",
     AT_TOKEN_START},
    {"occurs before a character which it may not", "invalid escape in a string", AT_BYTE},
    {"invalid character inside string", "control character in a string (it must be escaped)",
     AT_BYTE},
    {"non-hex) character occurs after", "invalid \\u escape in a string", AT_BYTE},
    {"a digit is required after the exponent",
     "malformed number: a digit must follow the exponent", AT_BYTE},
    {"a digit is required after the decimal point",
     "malformed number: a digit must follow the decimal point", AT_BYTE},
    {"a digit is required after the minus sign",
     "malformed number: a digit must follow the minus sign", AT_BYTE},
    {"comments are not enabled", "comments are not allowed in JSON", AT_BYTE},
};

typedef struct {
    const char *msg; /* static */
    int where;
} yerr;

static yerr describe_yajl_error(yajl_handle h, const builder *b)
{
    yerr e = {"malformed JSON", AT_TOKEN_END};
    if (b->error) { /* a callback refused: the depth limit, say */
        e.msg = b->error;
        return e;
    }
    unsigned char *s = yajl_get_error(h, 0, NULL, 0);
    if (!s) return e;
    const char *t = (const char *)s;
    if (strncmp(t, "lexical error", 13) == 0) e.where = AT_BYTE;
    for (size_t i = 0; i < sizeof yajl_messages / sizeof *yajl_messages; i++) {
        if (strstr(t, yajl_messages[i].yajl)) {
            e.msg = yajl_messages[i].ours;
            e.where = yajl_messages[i].where;
            break;
        }
    }
    yajl_free_error(h, s);
    return e;
}

static bool token_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           c == '-' || c == '+' || c == '.';
}

static bool json_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Offset (within s[0..n), yajl having consumed `consumed` bytes) of the byte
 * an error should point at. */
static size_t error_offset(const unsigned char *s, size_t n, size_t consumed, int where)
{
    if (consumed > n) consumed = n;
    size_t e = consumed;
    if (where == AT_BYTE_BEFORE) {
        if (e > 0) e--;
    } else if (where == AT_TOKEN_START) {
        while (e > 0 && token_byte(s[e - 1])) e--;
    } else if (where == AT_TOKEN_END && consumed > 0) {
        e = consumed - 1;
        while (e > 0 && token_byte(s[e]) && token_byte(s[e - 1])) e--;
        while (e < n && json_space(s[e])) e++; /* the token, not the blank before it */
    }
    return e;
}

static const char *at_msg(rb_arena *a, textpos p, const char *msg)
{
    return rb_arena_printf(a, "line %" PRIu64 ", column %" PRIu64 ": %s", p.line, p.col, msg);
}

/* ---- the framer: where does one JSON value end? ----------------------------- */

enum { FK_NONE, FK_CONTAINER, FK_STRING, FK_SCALAR, FK_DONE };
enum { F_IN, F_END_AFTER, F_END_BEFORE, F_BADWS, F_BADUTF8, F_TRAILING };

typedef struct {
    int kind;
    uint32_t depth; /* counts past the limit harmlessly: yajl stops first */
    bool in_str, esc;
    int u8need;              /* continuation bytes still expected */
    unsigned char u8lo, u8hi; /* allowed range of the next one */
} framer;

/* Strict UTF-8 (RFC 3629) inside strings, one byte at a time, so that the
 * error names the exact byte even when a sequence spans two chunks. */
static bool utf8_step(framer *f, unsigned char c)
{
    if (f->u8need > 0) {
        if (c < f->u8lo || c > f->u8hi) return false;
        f->u8need--;
        f->u8lo = 0x80;
        f->u8hi = 0xBF;
        return true;
    }
    if (c < 0x80) return true;
    f->u8lo = 0x80;
    f->u8hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) f->u8need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        f->u8need = 2;
        if (c == 0xE0) f->u8lo = 0xA0;
        else if (c == 0xED) f->u8hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        f->u8need = 3;
        if (c == 0xF0) f->u8lo = 0x90;
        else if (c == 0xF4) f->u8hi = 0x8F;
    } else {
        return false;
    }
    return true;
}

/* JSON allows only space, tab, CR and LF between tokens; yajl also skips
 * form feed and vertical tab, which the framer therefore rejects. */
static int frame_step(framer *f, unsigned char c)
{
    if (f->in_str) {
        if (!utf8_step(f, c)) return F_BADUTF8;
        if (f->esc) f->esc = false;
        else if (c == '\\') f->esc = true;
        else if (c == '"') {
            f->in_str = false;
            if (f->kind == FK_STRING) return F_END_AFTER;
        }
        return F_IN;
    }
    switch (f->kind) {
    case FK_NONE:
        if (c == '\f' || c == '\v') return F_BADWS;
        if (json_space(c)) return F_IN;
        if (c == '{' || c == '[') {
            f->kind = FK_CONTAINER;
            f->depth = 1;
        } else if (c == '"') {
            f->kind = FK_STRING;
            f->in_str = true;
        } else if (c == '}' || c == ']' || c == ',' || c == ':') {
            return F_END_AFTER; /* yajl rejects this byte */
        } else {
            f->kind = FK_SCALAR;
        }
        return F_IN;
    case FK_SCALAR:
        return token_byte(c) ? F_IN : F_END_BEFORE;
    case FK_DONE: /* the value is over: only blanks may follow (yajl lets
                   * an unfinished token there pass, as in `1 "`) */
        if (c == '\f' || c == '\v') return F_BADWS;
        return json_space(c) ? F_IN : F_TRAILING;
    case FK_CONTAINER:
        if (c == '"') f->in_str = true;
        else if (c == '{' || c == '[') f->depth++;
        else if (c == '}' || c == ']') {
            if (--f->depth == 0) return F_END_AFTER;
        } else if (c == '\f' || c == '\v') return F_BADWS;
        return F_IN;
    default:
        return F_IN;
    }
}

static const char MSG_BADWS[] = "invalid whitespace (JSON allows only space, tab, CR and LF)";

static const char MSG_TRAILING[] = "unexpected text after the value";

static bool frame_bad(int k) { return k == F_BADWS || k == F_BADUTF8 || k == F_TRAILING; }

static const char *frame_error(int k)
{
    return k == F_BADWS ? MSG_BADWS : k == F_TRAILING ? MSG_TRAILING : MSG_BAD_UTF8;
}

/* Steps a framer that must see exactly one value followed only by blanks
 * (an NDJSON line, an in-memory text): it never ends, it turns to FK_DONE. */
static int frame_step_whole(framer *f, unsigned char c)
{
    int k = frame_step(f, c);
    if (k == F_END_AFTER) {
        f->kind = FK_DONE;
        k = F_IN;
    } else if (k == F_END_BEFORE) {
        f->kind = FK_DONE;
        k = frame_step(f, c);
    }
    return k;
}

/* A sequence broken midway is reported at its lead byte: continuation bytes
 * do not advance the column, so that is one column back. */
static textpos frame_error_pos(const framer *f, int k, textpos p)
{
    if (k == F_BADUTF8 && f->u8need > 0 && p.col > 1) p.col--;
    return p;
}

/* A clearer word for the commonest number mistake, which yajl sees only as
 * two tokens in a row. */
static const char *refine(const char *msg, const unsigned char *s, size_t e, size_t n)
{
    if (e < n && s[e] == '-') e++;
    if (e + 1 < n && s[e] == '0' && s[e + 1] >= '0' && s[e + 1] <= '9')
        return "malformed number: leading zeros are not allowed";
    return msg;
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
    FILE *f;
    char *name;
    rb_input_format fmt; /* never AUTO once open */
    uint64_t next_number;
    rb_arena *arena;

    unsigned char buf[CHUNK_SIZE];
    size_t pos, len;
    uint64_t offset; /* bytes consumed from the stream */
    textpos at;      /* position of buf[pos] */
    bool eof, failed, done, started;
    char errmsg[256];

    int arr; /* JSON: where we are in a top-level array */

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
    char **notes;
    size_t nnotes, notes_shown;
};

/* Reads more input.  Stops after a newline so that a line-by-line producer
 * on a pipe (NDJSON from another program) gets each record scored as soon as
 * its line arrives, rather than after 64 KiB have accumulated. */
static bool fill(rb_reader *r)
{
    if (r->pos < r->len) return true;
    if (r->eof) return false;
    size_t n = 0;
    flockfile(r->f);
    while (n < CHUNK_SIZE) {
        int c = getc_unlocked(r->f);
        if (c == EOF) {
            if (ferror(r->f)) {
                r->failed = true;
                snprintf(r->errmsg, sizeof r->errmsg, "%s: read error: %s", r->name,
                         strerror(errno));
            }
            r->eof = true;
            break;
        }
        r->buf[n++] = (unsigned char)c;
        if (c == '\n') break;
    }
    funlockfile(r->f);
    r->pos = 0;
    r->len = n;
    if (!r->started && n > 0) { /* a UTF-8 byte order mark is not content */
        r->started = true;
        if (n >= 3 && r->buf[0] == 0xEF && r->buf[1] == 0xBB && r->buf[2] == 0xBF) {
            r->pos = 3;
            r->offset = 3;
            if (n == 3) return fill(r);
        }
    }
    return n > r->pos;
}

static int peek(rb_reader *r)
{
    if (r->pos == r->len && !fill(r)) return -1;
    return r->buf[r->pos];
}

/* Consumes buf[pos..to). */
static void consume_to(rb_reader *r, size_t to)
{
    for (; r->pos < to; r->pos++, r->offset++) pos_step(&r->at, r->buf[r->pos]);
}

static void skip_ws(rb_reader *r)
{
    for (int c; (c = peek(r)) == ' ' || c == '\t' || c == '\r' || c == '\n';)
        consume_to(r, r->pos + 1);
}

static void skip_line(rb_reader *r)
{
    for (int c; (c = peek(r)) >= 0;) {
        consume_to(r, r->pos + 1);
        if (c == '\n') break;
    }
}

static void set_error(rb_reader *r, rb_record *rec, textpos p, const char *msg)
{
    rec->syntax_error = at_msg(r->arena, p, msg);
    memset(&rec->value, 0, sizeof rec->value);
    rec->value.kind = RV_NULL;
}

/* Parses one JSON value starting at the current (non-blank) position into
 * rec.  In line mode (NDJSON) the value runs to the end of the line, which
 * is left unconsumed; otherwise the framer decides where it ends.  Returns
 * false on a syntax error (rec->syntax_error set, the position left at the
 * error).  An I/O error just ends the value: the caller checks r->failed. */
static bool json_value(rb_reader *r, rb_record *rec, bool line_mode)
{
    builder b;
    builder_init(&b, r->arena);
    yajl_handle h = new_parser(&b);
    framer fr = {0};
    textpos start = r->at;
    bool ended = false, ok = true;
    rec->line = start.line;

    while (!ended && ok) {
        if (peek(r) < 0) break;
        size_t from = r->pos, i = from;
        int bad = F_IN;
        for (; i < r->len; i++) {
            unsigned char c = r->buf[i];
            if (line_mode && c == '\n') {
                ended = true;
                break;
            }
            int k = line_mode ? frame_step_whole(&fr, c) : frame_step(&fr, c);
            if (frame_bad(k)) {
                bad = k;
                break;
            }
            if (k == F_END_BEFORE) {
                ended = true;
                break;
            }
            if (k == F_END_AFTER) {
                i++;
                ended = true;
                break;
            }
        }
        if (yajl_parse(h, r->buf + from, i - from) != yajl_status_ok) {
            yerr e = describe_yajl_error(h, &b);
            size_t at = error_offset(r->buf + from, i - from, yajl_get_bytes_consumed(h), e.where);
            consume_to(r, from + at);
            set_error(r, rec, r->at, refine(e.msg, r->buf + from, at, i - from));
            ok = false;
            break;
        }
        consume_to(r, i);
        if (bad != F_IN) {
            set_error(r, rec, frame_error_pos(&fr, bad, r->at), frame_error(bad));
            ok = false;
        }
    }
    if (ok && !r->failed && yajl_complete_parse(h) != yajl_status_ok) {
        set_error(r, rec, r->at, describe_yajl_error(h, &b).msg);
        ok = false;
    }
    yajl_free(h);
    if (ok && !r->failed) {
        if (b.have_root && b.root.kind == RV_OBJECT) {
            rec->value = b.root;
        } else {
            set_error(r, rec, start, "a record must be a JSON object");
        }
    }
    return ok;
}

/* After a broken record in a stream of concatenated objects, continue at the
 * next line that starts with '{' (NDJSON piped to standard input, say): a
 * good guess at the next record, and never a reason to stop the batch. */
static void resync(rb_reader *r, uint64_t record_offset)
{
    if (r->offset == record_offset && peek(r) >= 0) consume_to(r, r->pos + 1);
    for (int c; (c = peek(r)) >= 0;) {
        if (c == '{' && r->at.col == 1) return;
        consume_to(r, r->pos + 1);
    }
}

static int next_json(rb_reader *r, rb_record *rec)
{
    for (;;) {
        skip_ws(r);
        int c = peek(r);
        if (r->failed) return -1;
        textpos p = r->at;
        switch (r->arr) {
        case ARR_NONE:
            if (c < 0) return 0;
            if (c == '[') {
                consume_to(r, r->pos + 1);
                r->arr = ARR_OPEN;
                continue;
            }
            break;
        case ARR_OPEN:
            if (c == ']') {
                consume_to(r, r->pos + 1);
                r->arr = ARR_NONE;
                continue;
            }
            break;
        case ARR_AFTER_ELEM:
            if (c == ',') {
                consume_to(r, r->pos + 1);
                r->arr = ARR_AFTER_COMMA;
                continue;
            }
            if (c == ']') {
                consume_to(r, r->pos + 1);
                r->arr = ARR_NONE;
                continue;
            }
            rec->line = p.line;
            set_error(r, rec, p, c < 0 ? "unexpected end of input: the array is not closed"
                                       : "expected ',' or ']'");
            r->done = true;
            return 1;
        case ARR_AFTER_COMMA:
            if (c == ']') {
                rec->line = p.line;
                set_error(r, rec, p, "expected a value after ','");
                r->done = true;
                return 1;
            }
            break;
        }
        if (c < 0) { /* inside an array */
            rec->line = p.line;
            set_error(r, rec, p, "unexpected end of input: the array is not closed");
            r->done = true;
            return 1;
        }
        uint64_t record_offset = r->offset;
        bool ok = json_value(r, rec, false);
        if (r->failed) return -1;
        if (r->arr != ARR_NONE) {
            r->arr = ARR_AFTER_ELEM;
            if (!ok) r->done = true; /* cannot tell where a broken element ends */
        } else if (!ok) {
            resync(r, record_offset);
        }
        return 1;
    }
}

static int next_ndjson(rb_reader *r, rb_record *rec)
{
    skip_ws(r);
    if (peek(r) < 0) return r->failed ? -1 : 0;
    bool ok = json_value(r, rec, true);
    if (r->failed) return -1;
    if (!ok) skip_line(r);
    return 1;
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

static const char MSG_QUOTES[] =
    "malformed quoting (a quote may only open a field, and a quote inside a quoted field "
    "must be doubled)";

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
                *msg = rb_arena_printf(r->arena,
                                       "line %" PRIu64 ": a quoted field is not closed",
                                       r->row_line);
                return -1;
            }
            return r->row_done ? 1 : 0;
        }
        size_t from = r->pos, to = from;
        while (to < r->len && r->buf[to] != '\n' && r->buf[to] != '\r') to++;
        if (to < r->len) to++;
        if (!r->row_started) {
            for (size_t i = from; i < to; i++) {
                if (r->buf[i] != '\n' && r->buf[i] != '\r') {
                    r->row_started = true;
                    textpos p = r->at;
                    for (size_t k = from; k < i; k++) pos_step(&p, r->buf[k]);
                    r->row_line = p.line;
                    break;
                }
            }
        }
        size_t n = csv_parse(&r->csv, r->buf + from, to - from, csv_cell, csv_row_end, r);
        if (n < to - from) {
            consume_to(r, from + n);
            *msg = at_msg(r->arena, r->at, MSG_QUOTES);
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
                                       "line %" PRIu64 ": cell %zu (%s) is not valid UTF-8 "
                                       "(byte %zu of the cell; a GBK file? use --encoding gb18030)",
                                       r->row_line, i + 1, names[i], bad + 1);
            return rb_arena_printf(r->arena,
                                   "line %" PRIu64 ": header cell %zu is not valid UTF-8 "
                                   "(a GBK file? use --encoding gb18030)",
                                   r->row_line, i + 1);
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
            r->colname[j] = r->header_fn(r->header_ctx, name, len, &note);
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
    r->converted = rb_gb18030_to_utf8(r->f, err, sizeof err);
    if (!r->converted) {
        snprintf(r->errmsg, sizeof r->errmsg, "%s: %s", r->name, err);
        r->failed = true;
        return false;
    }
    if (r->encoding == RB_ENC_AUTO) {
        rb_buf note = {0};
        rb_buf_printf(&note, "%s is not UTF-8: read as GB18030 (GBK); --encoding utf-8 reads it as UTF-8", r->name);
        add_note(r, note.s);
    }
    r->f = r->converted;
    return true;
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
            rec->line = r->row_line;
            rec->syntax_error = rb_arena_printf(r->arena, "the CSV header is unusable: %s", msg);
            rec->value.kind = RV_NULL;
            r->done = true;
            return 1;
        }
        build_layout(r);
        r->have_header = true;
    }
    int st;
    while ((st = csv_row(r, &msg)) == 1 && row_blank(r)) {
        /* a row of empty cells (a formatted but unused row) is not a record */
    }
    if (st == -2) return -1;
    if (st == 0) return 0;
    rec->line = r->row_line;
    rec->value.kind = RV_NULL;
    if (st == -1) {
        rec->syntax_error = msg;
        return 1;
    }
    if (r->ncells != r->ncols) {
        rec->syntax_error = rb_arena_printf(r->arena,
                                            "line %" PRIu64 ": %zu cell%s, but the header has %zu",
                                            r->row_line, r->ncells, r->ncells == 1 ? "" : "s",
                                            r->ncols);
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
    r->at.line = 1;
    r->at.col = 1;
    if (fmt == RB_INPUT_CSV) csv_start(r);
    return r;
}

int rb_reader_next(rb_reader *r, rb_record *rec)
{
    rb_arena_reset(r->arena);
    memset(rec, 0, sizeof *rec);
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
    rb_free(r->cellbuf);
    rb_free(r->cell_off);
    rb_free(r->cell_len);
    for (size_t i = 0; i < r->nnotes; i++) rb_free(r->notes[i]);
    rb_free(r->notes);
    if (r->converted) fclose(r->converted);
    rb_arena_free(r->arena);
    rb_free(r->name);
    rb_free(r);
}

const rb_rv *rb_json_parse(struct rb_arena *arena, const char *text, size_t len, const char **err)
{
    const unsigned char *s = (const unsigned char *)text;
    *err = NULL;
    /* Find the first byte the framer rejects (see frame_step): if yajl
     * accepts everything before it, that byte is the error. */
    size_t stop = len;
    int bad = F_IN;
    framer fr = {0};
    for (size_t i = 0; i < len; i++) {
        int k = frame_step_whole(&fr, s[i]);
        if (frame_bad(k)) {
            stop = i;
            bad = k;
            break;
        }
    }
    builder b;
    builder_init(&b, arena);
    yajl_handle h = new_parser(&b);
    const char *msg = NULL;
    size_t at = stop;
    bool from_framer = false;
    if (yajl_parse(h, s, stop) != yajl_status_ok) {
        yerr e = describe_yajl_error(h, &b);
        at = error_offset(s, stop, yajl_get_bytes_consumed(h), e.where);
        msg = refine(e.msg, s, at, stop);
    } else if (stop < len) {
        msg = frame_error(bad);
        from_framer = true;
    } else if (yajl_complete_parse(h) != yajl_status_ok) {
        msg = describe_yajl_error(h, &b).msg;
    }
    yajl_free(h);
    if (msg) {
        textpos p = {1, 1};
        for (size_t i = 0; i < at && i < len; i++) pos_step(&p, s[i]);
        if (from_framer) p = frame_error_pos(&fr, bad, p);
        *err = at_msg(arena, p, msg);
        return NULL;
    }
    rb_rv *v = rb_arena_alloc(arena, sizeof *v);
    *v = b.root;
    return v;
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
