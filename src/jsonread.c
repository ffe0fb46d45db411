/* jsonread.c — the one-pass JSON reader (see jsonread.h).
 *
 * Grammar: RFC 8259, strictly (no comments, no form feed as a blank, no
 * leading zeros, strict UTF-8 per RFC 3629, \u escapes for surrogates only
 * in high-low pairs), with nesting limited to RB_JSON_MAX_DEPTH.  Numbers
 * keep their exact text; strings are decoded to UTF-8.  The parser is a loop
 * over an explicit container stack: no recursion, whatever the input. */
#include "jsonread.h"

#include "lang.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "utf8.h"

/* ---- the window and positions --------------------------------------------- */

static uint64_t count_cols(const unsigned char *b, size_t from, size_t to)
{
    uint64_t n = 0;
    for (size_t i = from; i < to; i++) n += (b[i] & 0xC0) != 0x80; /* a continuation byte shares its lead's column */
    return n;
}

rb_textpos rb_jsrc_pos(rb_jsrc *s, size_t idx)
{
    /* Positions asked for are on the current line, at or near the mark. */
    if (idx >= s->cm_idx) s->cm_col += count_cols(s->buf, s->cm_idx, idx);
    else s->cm_col -= count_cols(s->buf, idx, s->cm_idx);
    s->cm_idx = idx;
    rb_textpos p = {s->line, s->cm_col};
    return p;
}

static void resolve(rb_jsrc *s, rb_jmark *m)
{
    if (m->live && m->col == 0) m->col = rb_jsrc_pos(s, m->idx).col;
}

void rb_jsrc_mark(rb_jsrc *s, rb_jmark *m)
{
    m->line = s->line;
    m->idx = s->pos;
    m->col = 0;
    m->live = true;
}

rb_textpos rb_jsrc_mark_pos(rb_jsrc *s, rb_jmark *m)
{
    resolve(s, m);
    rb_textpos p = {m->line, m->col};
    return p;
}

bool rb_jsrc_more(rb_jsrc *s)
{
    if (s->pos < s->len) return true;
    if (s->eof || !s->read) {
        s->eof = true;
        return false;
    }
    /* The window moves on: settle every column that points into it. */
    resolve(s, &s->start);
    resolve(s, &s->token);
    rb_jsrc_pos(s, s->len);
    long n = s->read(s);
    if (n <= 0) {
        s->eof = true;
        return false;
    }
    s->pos = 0;
    s->len = (size_t)n;
    s->cm_idx = 0;
    s->start.live = s->token.live = false;
    return true;
}

void rb_jsrc_memory(rb_jsrc *s, const char *text, size_t len)
{
    memset(s, 0, sizeof *s);
    s->buf = (unsigned char *)(uintptr_t)text; /* never written: there is no refill */
    s->len = len;
    s->line = 1;
    s->cm_col = 1;
    s->eof = true;
}

static void newline(rb_jsrc *s)
{
    s->line++;
    s->pos++;
    s->cm_idx = s->pos;
    s->cm_col = 1;
}

void rb_jsrc_consume(rb_jsrc *s, size_t to)
{
    while (s->pos < to) {
        const unsigned char *nl = memchr(s->buf + s->pos, '\n', to - s->pos);
        if (!nl) {
            s->pos = to;
            break;
        }
        s->pos = (size_t)(nl - s->buf);
        newline(s);
    }
}

/* ---- scratch ------------------------------------------------------------------ */

void rb_jscratch_free(rb_jscratch *sc)
{
    rb_free(sc->tok);
    rb_free(sc->vs);
    memset(sc, 0, sizeof *sc);
}

static void tok_add(rb_jscratch *sc, const void *p, size_t n)
{
    if (sc->tokcap - sc->toklen < n || !sc->tok) { /* never NULL once used: "" spanning chunks */
        size_t cap = sc->tokcap ? sc->tokcap : 256;
        while (cap - sc->toklen < n) cap *= 2;
        sc->tok = rb_xrealloc(sc->tok, cap);
        sc->tokcap = cap;
    }
    if (n) memcpy(sc->tok + sc->toklen, p, n);
    sc->toklen += n;
}

static void vs_push(rb_jscratch *sc, const char *key, size_t keylen, rb_rv v)
{
    if (sc->vslen == sc->vscap) {
        sc->vscap = sc->vscap ? 2 * sc->vscap : 64;
        sc->vs = rb_xrealloc(sc->vs, sc->vscap * sizeof *sc->vs);
    }
    rb_rv_member *m = &sc->vs[sc->vslen++];
    m->key = key;
    m->keylen = keylen;
    m->value = v;
}

/* ---- errors ----------------------------------------------------------------- */

/* Messages are msgids (lang.h): whoever shows one translates it. */
#define MSG_END N_("unexpected end of input")
#define MSG_BADWS N_("invalid whitespace (JSON allows only space, tab, CR and LF)")
#define MSG_BAD_UTF8 N_("invalid UTF-8 in a string")
#define MSG_TOO_DEEP N_("nesting deeper than 64 levels (the limit)")
#define MSG_BAD_U N_("invalid \\u escape in a string")
#define MSG_SURROGATE                                                                                          \
    N_("invalid \\u escape in a string: a surrogate (\\ud800 to \\udfff) must come as a high-low pair, such as " \
       "\\ud83d\\ude00")

static bool fail_at(rb_jerror *err, rb_textpos at, const char *msg, bool in_string)
{
    err->msg = msg;
    err->at = at;
    err->in_string = in_string;
    return false;
}

static bool fail(rb_jsrc *s, rb_jerror *err, const char *msg, bool in_string)
{
    return fail_at(err, rb_jsrc_pos(s, s->pos), msg, in_string);
}

/* The message for byte c where something else was expected. */
static const char *unexpected(int c, const char *msg)
{
    if (c < 0) return MSG_END;
    if (c == '\f' || c == '\v') return MSG_BADWS;
    return msg;
}

/* Skips blanks; returns the next byte, or -1 at the end of the input (in
 * line mode, at the newline, which stays unread). */
static int blank_slow(rb_jsrc *s, bool line_mode)
{
    for (;;) {
        if (s->pos == s->len && !rb_jsrc_more(s)) return -1;
        unsigned char c = s->buf[s->pos];
        if (c == ' ' || c == '\t' || c == '\r') {
            s->pos++;
        } else if (c == '\n') {
            if (line_mode) return -1;
            newline(s);
        } else {
            return c;
        }
    }
}

/* Compact JSON has no blanks between tokens: the next byte, when it is no
 * blank, without a call. */
static inline int blank(rb_jsrc *s, bool line_mode)
{
    if (s->pos < s->len) {
        unsigned char c = s->buf[s->pos];
        if (c > ' ') return c;
    }
    return blank_slow(s, line_mode);
}

/* The next byte of a token, refilling the window if needed; the token's
 * bytes since `*run` are saved in the scratch buffer first. */
static int tok_peek(rb_jsrc *s, rb_jscratch *sc, size_t *run, bool *gathered)
{
    if (s->pos < s->len) return s->buf[s->pos];
    tok_add(sc, s->buf + *run, s->pos - *run);
    *gathered = true;
    bool more = rb_jsrc_more(s);
    *run = s->pos;
    return more ? s->buf[s->pos] : -1;
}

/* The token's text: straight from the window when it lies there whole. */
static const char *tok_text(rb_jsrc *s, rb_jscratch *sc, rb_arena *a, size_t run, bool gathered,
                            size_t *len)
{
    if (!gathered) {
        *len = s->pos - run;
        return rb_arena_strndup(a, (const char *)s->buf + run, *len);
    }
    tok_add(sc, s->buf + run, s->pos - run);
    *len = sc->toklen;
    return rb_arena_strndup(a, sc->tok, sc->toklen);
}

/* ---- strings ------------------------------------------------------------------ */

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Reads the 4 hex digits of a \u escape (the window at the first). */
static bool hex4(rb_jsrc *s, bool line_mode, unsigned *out, rb_jerror *err)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        int c = rb_jsrc_peek(s);
        if (c < 0 || (line_mode && c == '\n')) return fail(s, err, MSG_END, true);
        int h = hexval(c);
        if (h < 0) return fail(s, err, MSG_BAD_U, true);
        v = v << 4 | (unsigned)h;
        s->pos++;
    }
    *out = v;
    return true;
}

/* One escape (the window just past the backslash, whose mark is
 * s->token), decoded into the scratch buffer. */
static bool escape(rb_jsrc *s, rb_jscratch *sc, bool line_mode, rb_jerror *err)
{
    int c = rb_jsrc_peek(s);
    if (c < 0 || (line_mode && c == '\n')) return fail(s, err, MSG_END, true);
    char ch;
    switch (c) {
    case '"': ch = '"'; break;
    case '\\': ch = '\\'; break;
    case '/': ch = '/'; break;
    case 'b': ch = '\b'; break;
    case 'f': ch = '\f'; break;
    case 'n': ch = '\n'; break;
    case 'r': ch = '\r'; break;
    case 't': ch = '\t'; break;
    case 'u': {
        s->pos++;
        unsigned cp, lo;
        if (!hex4(s, line_mode, &cp, err)) return false;
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            return fail_at(err, rb_jsrc_mark_pos(s, &s->token), MSG_SURROGATE, true);
        if (cp >= 0xD800 && cp <= 0xDBFF) { /* a high surrogate: its low half must follow */
            if (rb_jsrc_peek(s) != '\\')
                return fail_at(err, rb_jsrc_mark_pos(s, &s->token), MSG_SURROGATE, true);
            rb_textpos high = rb_jsrc_mark_pos(s, &s->token);
            s->pos++;
            if (rb_jsrc_peek(s) != 'u') return fail_at(err, high, MSG_SURROGATE, true);
            s->pos++;
            if (!hex4(s, line_mode, &lo, err)) return false;
            if (lo < 0xDC00 || lo > 0xDFFF) return fail_at(err, high, MSG_SURROGATE, true);
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        char u[4];
        tok_add(sc, u, rb_utf8_encode(cp, u));
        return true;
    }
    default: return fail(s, err, N_("invalid escape in a string"), true);
    }
    s->pos++;
    tok_add(sc, &ch, 1);
    return true;
}

/* Which bytes may appear in a string as they are: 0x20..0x7F but '"' and
 * '\\', one load per byte. */
#define PLAIN_16(x) 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
static const bool plain_tab[256] = {
    [0x20] = 1, [0x21] = 1, [0x23] = 1, [0x24] = 1, [0x25] = 1, [0x26] = 1, [0x27] = 1, [0x28] = 1,
    [0x29] = 1, [0x2A] = 1, [0x2B] = 1, [0x2C] = 1, [0x2D] = 1, [0x2E] = 1, [0x2F] = 1,
    PLAIN_16(0x30), PLAIN_16(0x40), [0x50] = 1, [0x51] = 1, [0x52] = 1, [0x53] = 1, [0x54] = 1,
    [0x55] = 1, [0x56] = 1, [0x57] = 1, [0x58] = 1, [0x59] = 1, [0x5A] = 1, [0x5B] = 1, [0x5D] = 1,
    [0x5E] = 1, [0x5F] = 1, PLAIN_16(0x60), PLAIN_16(0x70),
};
#undef PLAIN_16
static bool plain_byte(unsigned char c) { return plain_tab[c]; }

/* plain_byte of eight bytes at once (SWAR): no byte below 0x20 or from 0x80
 * up, none '"' or '\\'.  has_zero(x) is nonzero iff some byte of x is 0. */
static bool all_plain8(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
#define HAS_ZERO(x) (((x) - ones) & ~(x) & highs)
    uint64_t bad = (w & highs) | ((w - ones * 0x20) & ~w & highs) | HAS_ZERO(w ^ (ones * '"')) |
                   HAS_ZERO(w ^ (ones * '\\'));
#undef HAS_ZERO
    return bad == 0;
}

/* A string (the window at its opening quote). */
static bool string(rb_jsrc *s, rb_jscratch *sc, rb_arena *a, bool line_mode, const char **text,
                   size_t *len, rb_jerror *err)
{
    s->pos++;
    sc->toklen = 0;
    size_t run = s->pos;
    bool gathered = false;
    int need = 0;                     /* UTF-8 continuation bytes still due */
    unsigned char lo = 0x80, hi = 0xBF; /* the range the next one must fall in */
    for (;;) {
        if (s->pos == s->len) {
            tok_add(sc, s->buf + run, s->pos - run);
            gathered = true;
            if (!rb_jsrc_more(s)) return fail(s, err, MSG_END, true);
            run = s->pos;
        }
        unsigned char c = s->buf[s->pos];
        if (need) {
            if (c < lo || c > hi) {
                /* reported at the sequence's lead byte, one column back */
                rb_textpos at = rb_jsrc_pos(s, s->pos);
                if (at.col > 1) at.col--;
                return fail_at(err, at, MSG_BAD_UTF8, true);
            }
            need--;
            lo = 0x80;
            hi = 0xBF;
            s->pos++;
            continue;
        }
        if (plain_byte(c)) {
            size_t i = s->pos + 1;
            while (s->len - i >= 8 && all_plain8(s->buf + i)) i += 8;
            while (i < s->len && plain_byte(s->buf[i])) i++;
            s->pos = i;
            continue;
        }
        if (c == '"') {
            *text = tok_text(s, sc, a, run, gathered, len);
            s->pos++;
            return true;
        }
        if (c >= 0x80) {
            if (c >= 0xC2 && c <= 0xDF) need = 1;
            else if (c >= 0xE0 && c <= 0xEF) {
                need = 2;
                if (c == 0xE0) lo = 0xA0;
                else if (c == 0xED) hi = 0x9F; /* no encoded surrogates */
            } else if (c >= 0xF0 && c <= 0xF4) {
                need = 3;
                if (c == 0xF0) lo = 0x90;
                else if (c == 0xF4) hi = 0x8F; /* nothing past U+10FFFF */
            } else {
                return fail(s, err, MSG_BAD_UTF8, true);
            }
            s->pos++;
            continue;
        }
        if (c == '\\') {
            tok_add(sc, s->buf + run, s->pos - run);
            gathered = true;
            rb_jsrc_mark(s, &s->token);
            s->pos++;
            bool ok = escape(s, sc, line_mode, err);
            s->token.live = false;
            if (!ok) return false;
            run = s->pos;
            continue;
        }
        if (line_mode && c == '\n') return fail(s, err, MSG_END, true);
        return fail(s, err, N_("control character in a string (it must be escaped)"), true);
    }
}

/* ---- numbers and literals ----------------------------------------------------- */

static bool digit(int c) { return c >= '0' && c <= '9'; }

static bool number_fail(rb_jsrc *s, int c, const char *msg, rb_jerror *err)
{
    return fail(s, err, c < 0 ? MSG_END : msg, false);
}

/* A number (the window at its '-' or first digit), kept as written. */
static bool number(rb_jsrc *s, rb_jscratch *sc, rb_arena *a, rb_rv *v, rb_jerror *err)
{
    sc->toklen = 0;
    size_t run = s->pos;
    bool gathered = false;
    rb_jsrc_mark(s, &s->token);
    int c = s->buf[s->pos];
    if (c == '-') {
        s->pos++;
        c = tok_peek(s, sc, &run, &gathered);
        if (!digit(c))
            return number_fail(s, c, N_("malformed number: a digit must follow the minus sign"), err);
    }
    s->pos++;
    if (c == '0') {
        c = tok_peek(s, sc, &run, &gathered);
        if (digit(c))
            return fail_at(err, rb_jsrc_mark_pos(s, &s->token),
                           N_("malformed number: leading zeros are not allowed"), false);
    } else {
        while (digit(c = tok_peek(s, sc, &run, &gathered))) s->pos++;
    }
    if (c == '.') {
        s->pos++;
        c = tok_peek(s, sc, &run, &gathered);
        if (!digit(c))
            return number_fail(s, c, N_("malformed number: a digit must follow the decimal point"), err);
        while (digit(c = tok_peek(s, sc, &run, &gathered))) s->pos++;
    }
    if (c == 'e' || c == 'E') {
        s->pos++;
        c = tok_peek(s, sc, &run, &gathered);
        if (c == '+' || c == '-') {
            s->pos++;
            c = tok_peek(s, sc, &run, &gathered);
        }
        if (!digit(c))
            return number_fail(s, c, N_("malformed number: a digit must follow the exponent"), err);
        while (digit(c = tok_peek(s, sc, &run, &gathered))) s->pos++;
    }
    s->token.live = false;
    v->kind = RV_NUMBER;
    v->text = tok_text(s, sc, a, run, gathered, &v->len);
    return true;
}

static bool word_byte(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || digit(c) || c == '_';
}

/* true, false or null (the window at a letter); any other word is an
 * invalid value, reported at its start. */
static bool literal(rb_jsrc *s, rb_rv *v, rb_jerror *err)
{
    char w[6];
    size_t n = 0;
    rb_jsrc_mark(s, &s->token);
    for (int c; (c = rb_jsrc_peek(s)) >= 0 && word_byte(c); s->pos++)
        if (n < sizeof w) w[n++] = (char)c;
    rb_textpos at = rb_jsrc_mark_pos(s, &s->token);
    s->token.live = false;
    if (n == 4 && memcmp(w, "true", 4) == 0) {
        v->kind = RV_BOOL;
        v->boolean = true;
    } else if (n == 5 && memcmp(w, "false", 5) == 0) {
        v->kind = RV_BOOL;
    } else if (n == 4 && memcmp(w, "null", 4) == 0) {
        v->kind = RV_NULL;
    } else {
        return fail_at(err, at,
                       N_("invalid value (expected a string, number, object, array, true, false "
                          "or null)"),
                       false);
    }
    return true;
}

/* ---- values ------------------------------------------------------------------- */

typedef struct {
    bool is_map;
    size_t base; /* its members start at vs[base] */
    const char *key;
    size_t keylen;
} open_container;

static rb_rv close_container(rb_jscratch *sc, rb_arena *a, const open_container *oc)
{
    size_t n = sc->vslen - oc->base;
    rb_rv v = {.kind = oc->is_map ? RV_OBJECT : RV_ARRAY, .count = n};
    const rb_rv_member *m = n ? sc->vs + oc->base : NULL; /* vs may be NULL when empty */
    if (oc->is_map) {
        v.members = rb_arena_alloc(a, n * sizeof *v.members);
        if (n) memcpy(v.members, m, n * sizeof *m);
    } else {
        v.items = rb_arena_alloc(a, n * sizeof *v.items);
        for (size_t i = 0; i < n; i++) v.items[i] = m[i].value;
    }
    sc->vslen = oc->base;
    return v;
}

bool rb_json_value(rb_jsrc *s, rb_jscratch *sc, rb_arena *a, bool line_mode, bool whole,
                   rb_rv *out, rb_jerror *err)
{
    open_container stack[RB_JSON_MAX_DEPTH];
    int depth = 0, c;
    rb_rv v;
    sc->vslen = 0;
    memset(err, 0, sizeof *err);
    memset(out, 0, sizeof *out);

value:
    memset(&v, 0, sizeof v);
    c = blank(s, line_mode);
    switch (c) {
    case '{':
    case '[':
        if (depth == RB_JSON_MAX_DEPTH) {
            fail(s, err, MSG_TOO_DEEP, false);
            goto failed;
        }
        stack[depth].is_map = c == '{';
        stack[depth].base = sc->vslen;
        depth++;
        s->pos++;
        c = blank(s, line_mode);
        if (c == (stack[depth - 1].is_map ? '}' : ']')) {
            s->pos++;
            goto close;
        }
        if (stack[depth - 1].is_map) goto key;
        goto value;
    case '"':
        if (!string(s, sc, a, line_mode, &v.text, &v.len, err)) goto failed;
        v.kind = RV_STRING;
        break;
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        if (!number(s, sc, a, &v, err)) goto failed;
        break;
    case '}':
    case ']':
    case ',':
    case ':':
        fail(s, err, N_("unexpected character"), false);
        goto failed;
    case '/':
        fail(s, err, N_("comments are not allowed in JSON"), false);
        goto failed;
    default:
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            if (!literal(s, &v, err)) goto failed;
            break;
        }
        fail(s, err, unexpected(c, N_("invalid character")), false);
        goto failed;
    }

add:
    if (depth == 0) goto done;
    vs_push(sc, stack[depth - 1].key, stack[depth - 1].keylen, v);
    c = blank(s, line_mode);
    if (stack[depth - 1].is_map) {
        if (c == '}') {
            s->pos++;
            goto close;
        }
        if (c != ',') {
            fail(s, err, unexpected(c, N_("expected ',' or '}'")), false);
            goto failed;
        }
        s->pos++;
        c = blank(s, line_mode);
        goto key;
    }
    if (c == ']') {
        s->pos++;
        goto close;
    }
    if (c != ',') {
        fail(s, err, unexpected(c, N_("expected ',' or ']'")), false);
        goto failed;
    }
    s->pos++;
    goto value;

key:
    if (c != '"') {
        fail(s, err, unexpected(c, N_("expected a string key")), false);
        goto failed;
    }
    if (!string(s, sc, a, line_mode, &stack[depth - 1].key, &stack[depth - 1].keylen, err))
        goto failed;
    c = blank(s, line_mode);
    if (c != ':') {
        fail(s, err, unexpected(c, N_("expected ':' after the key")), false);
        goto failed;
    }
    s->pos++;
    goto value;

close:
    depth--;
    v = close_container(sc, a, &stack[depth]);
    goto add;

done:
    if (whole && (c = blank(s, line_mode)) >= 0) {
        fail(s, err, unexpected(c, N_("unexpected text after the value")), false);
        goto failed;
    }
    *out = v;
    return true;

failed:
    err->depth = depth;
    for (int i = 0; i < depth; i++)
        if (stack[i].is_map) err->objects |= (uint64_t)1 << i;
    s->token.live = false;
    return false;
}

/* ---- resynchronising ----------------------------------------------------------- */

rb_skip_end rb_json_skip(rb_jsrc *s, const rb_jerror *err, rb_textpos value_start,
                         bool in_array)
{
    int depth = err->depth;
    uint64_t objects = err->objects;
    bool in_str = err->in_string, esc = false, passed_brace = false, moved = false;
    bool line_start = rb_jsrc_peek(s) >= 0 && rb_jsrc_pos(s, s->pos).col == 1;
    for (;;) {
        if (s->pos == s->len && !rb_jsrc_more(s))
            return passed_brace && (depth > 0 || in_str) ? RB_SKIP_LOST : RB_SKIP_EOF;
        unsigned char c = s->buf[s->pos];
        if (c == '\n') { /* strings never span lines */
            newline(s);
            in_str = esc = false;
            line_start = moved = true;
            if (depth == 0) return RB_SKIP_ENDED;
            continue;
        }
        bool at_line_start = line_start;
        line_start = false;
        if (c == '{') passed_brace = true; /* in a string too: an open quote swallows records */
        if (in_str) {
            if (esc) esc = false;
            else if (c == '\\') esc = true;
            else if (c == '"') in_str = false;
            s->pos++;
            moved = true;
            continue;
        }
        /* A '{' opening a line, other than the broken value's own: a new record. */
        if (c == '{' && at_line_start && !(value_start.col == 1 && value_start.line == s->line))
            return RB_SKIP_NEW_RECORD;
        if (depth == 0) {
            if (in_array && (c == ',' || c == ']')) return RB_SKIP_ENDED;
            if (moved && (c == '{' || c == '[' || c == '"' || c == ' ' || c == '\t' || c == '\r'))
                return RB_SKIP_ENDED;
        }
        s->pos++;
        moved = true;
        if (c == '"') {
            in_str = true;
        } else if (c == '{' || c == '[') {
            if (depth < 64) {
                if (c == '{') objects |= (uint64_t)1 << depth;
                else objects &= ~((uint64_t)1 << depth);
            }
            depth++;
        } else if (c == '}' || c == ']') {
            /* A bracket of the wrong kind closes the nearest one of its own
             * kind (`{"a":[1}` ends the object), so that a mismatch cannot
             * swallow the records after it. */
            bool want_object = c == '}';
            int match = depth - 1;
            while (match >= 0 && match < 64 && (((objects >> match) & 1) != 0) != want_object)
                match--;
            depth = match >= 0 ? match : depth - 1;
            if (depth <= 0) return RB_SKIP_ENDED; /* the broken value (or a stray bracket) ends */
        }
    }
}
