/* fmt.c — `rubric fmt`: prints a template in its canonical layout.
 *
 * How it works.  The template is parsed; the printer walks the tree and
 * builds a list of output lines.  A code line is split into up to four
 * cells (keyword, name, label, the rest) so that consecutive declarations of
 * one kind, and the arms of one band/grade/raters/choice list, can be
 * aligned afterwards by display width (a CJK character is two columns).
 *
 * Comments are not in the tree; they are woven back in by source position.
 * Every piece of text the printer emits that comes from the source knows
 * where it came from (a "flush point"); before emitting it, every comment
 * that starts before that point and has not been placed yet is placed:
 *   - a comment with code before it on its source line ("trailing") goes at
 *     the end of the output line being built, or of the line just finished;
 *     a // comment (or a block comment spanning lines) ends that line, and
 *     the code after it continues on the next line, indented one more level;
 *     a one-line block comment stays inline;
 *   - any other comment ("own-line") goes on a line of its own at the
 *     current indentation, before the code that follows it; in the middle
 *     of a declaration the code then continues one level in;
 *   - a trailing comment with no line left to end (the line already ends in
 *     a // comment, or no code precedes it in the output) goes on a line of
 *     its own.
 * Opening braces are not flush points, so a comment written between a
 * header and its '{' lands after the '{'.  Blank lines are kept (as one)
 * only between the declarations and comments of a body.
 * Comments are taken strictly in source order, and every one is placed (at
 * the end everything left is flushed), so none is lost, duplicated or
 * reordered.  Because the output keeps each comment between the same two
 * flush points and of the same kind (trailing or own-line), formatting the
 * output again gives the same bytes.
 *
 * Numbers are printed as written (12.50 stays 12.50, 40% stays 40%), taken
 * from the source text; strings are re-escaped canonically; expressions get
 * only the parentheses the precedence needs (plus one kind added for
 * clarity: arithmetic on the right of ??).  Before anything is returned the
 * output is parsed again and compared with the original: same tree (spans
 * aside), same comments in the same order — otherwise the file is refused. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "utf8.h"
#include "buf.h"
#include "fmt.h"
#include "num.h"
#include "program.h" /* rb_arm_op_text: ast_arm_op is in rb_arm_op's order */

#define FMT_WIDTH 100  /* a choice's options go on one line if it fits */
#define INDENT 2
#define NCELLS 4
#define NOFLUSH UINT32_MAX

/* ---- growable strings ---------------------------------------------------- */

typedef rb_buf sbuf;
#define sb_putn rb_buf_add
#define sb_puts rb_buf_puts
#define sb_putc rb_buf_putc
#define sb_free rb_buf_free

static void sb_spaces(sbuf *b, size_t n)
{
    while (n--) sb_putc(b, ' ');
}

static void sb_rstrip(sbuf *b)
{
    while (b->len && (b->s[b->len - 1] == ' ' || b->s[b->len - 1] == '\t')) b->s[--b->len] = '\0';
}

/* ---- display width -------------------------------------------------------- */

/* One UTF-8 character at s[0..n): its length (an invalid byte is one
 * character of its own) and code point. */
static size_t u8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t k = rb_utf8_decode(s, n, cp); /* invalid: U+FFFD, one byte */
    return k ? k : 1;
}

/* Display width of s[0..n) (of its last line, should it hold several). */
static size_t text_width(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t w = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = u8_next(u + i, n - i, &cp);
        if (cp == '\n') w = 0;
        else w += (size_t)rb_cp_width(cp);
        i += len;
    }
    return w;
}

/* ---- canonical text of literals ------------------------------------------- */

/* A string literal with canonical escapes: \" \\ \n \t by name, other
 * control and invisible characters as \u{…}, everything else as is. */
static void quote(sbuf *b, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s);
    sb_putc(b, '"');
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = u8_next(u + i, n - i, &cp);
        if (cp == '"') sb_puts(b, "\\\"");
        else if (cp == '\\') sb_puts(b, "\\\\");
        else if (cp == '\n') sb_puts(b, "\\n");
        else if (cp == '\t') sb_puts(b, "\\t");
        else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x200B && cp <= 0x200F) ||
                 (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF ||
                 (cp == 0xFFFD && len == 1 && u[i] >= 0x80)) {
            char esc[16];
            snprintf(esc, sizeof esc, "\\u{%X}", (unsigned)(cp == 0xFFFD ? u[i] : cp));
            sb_puts(b, esc);
        } else {
            sb_putn(b, s + i, len);
        }
        i += len;
    }
    sb_putc(b, '"');
}

/* ---- the printer's state ----------------------------------------------------- */

enum { LN_CODE, LN_COMMENT, LN_BLANK };

typedef struct {
    int kind;
    int indent;                /* spaces */
    sbuf cell[NCELLS];         /* LN_CODE: aligned cells; LN_COMMENT: cell[0] */
    int ncells;                /* cells used */
    int span;                  /* 1 + index of a cell that also takes the
                                  next one's column (no label), 0 none */
    sbuf trail;                /* comments at the end of the line */
    bool trail_ends;           /* a // comment is among them: nothing may follow */
    int group;                 /* alignment group, 0 none */
    int decl;                  /* declaration it belongs to (0 none) */
    ast_decl_kind dkind;
    bool decl_first;           /* the first line of that declaration */
} fline;

typedef struct {
    const char *text;
    size_t len;
    uint32_t bof;              /* 3 after a BOM, else 0 */
    const ast_comment **cm;    /* every comment, in source order */
    size_t ncm, ci;            /* ci: the first not yet placed */

    fline *lines;
    size_t nlines, cap;
    bool open;                 /* the last line takes more code */
    int indent;                /* of the logical line being printed */
    bool broken;               /* a comment broke it: code continues one level in */
    int cell;                  /* cell that code goes into */
    bool need_space;           /* an inline comment was put: a space follows */
    int pending_group;         /* given to the next code line opened */
    int ngroups;
    bool body_start;           /* nothing printed yet in the current body */
    uint32_t last_end;         /* source offset after the last thing printed */

    int decl;                  /* current declaration's id */
    ast_decl_kind dkind;
    int *decl_lines;           /* lines per declaration id */
    size_t ndecls, decl_cap;

    bool bad;                  /* an inconsistency: refuse (E0001) */
    rb_span bad_at;
} fmt_state;

static fline *push_line(fmt_state *st, int kind, int indent)
{
    if (st->nlines == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 256;
        st->lines = rb_xrealloc(st->lines, st->cap * sizeof *st->lines);
    }
    fline *l = &st->lines[st->nlines++];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->indent = indent < 0 ? 0 : indent;
    l->decl = st->decl;
    l->dkind = st->dkind;
    if (st->decl) l->decl_first = st->decl_lines[st->decl]++ == 0;
    return l;
}

static void blank_line(fmt_state *st)
{
    if (st->nlines == 0 || st->lines[st->nlines - 1].kind == LN_BLANK) return;
    int saved = st->decl;
    st->decl = 0;
    push_line(st, LN_BLANK, 0);
    st->decl = saved;
}

static bool has_code(const fline *l)
{
    for (int i = 0; i < l->ncells; i++)
        if (l->cell[i].len) return true;
    return false;
}

static fline *open_line(fmt_state *st)
{
    if (st->open) return &st->lines[st->nlines - 1];
    fline *l = push_line(st, LN_CODE, st->broken ? st->indent + INDENT : st->indent);
    l->group = st->pending_group;
    st->pending_group = 0;
    st->open = true;
    return l;
}

/* Ends the logical line: what comes next starts a new one. */
static void nl(fmt_state *st)
{
    st->need_space = false;
    st->open = false;
    st->broken = false;
    st->cell = 0;
}

static void next_cell(fmt_state *st)
{
    if (st->cell < NCELLS - 1) st->cell++;
}

/* The current cell of the line being built has no label after it: it may
 * stretch into the label's column when aligned. */
static void span_cell(fmt_state *st)
{
    if (st->open && st->cell < NCELLS - 2) st->lines[st->nlines - 1].span = st->cell + 1;
}

/* Appends text to the current cell, after a space if the cell has text. */
static void put(fmt_state *st, const char *s, size_t n, bool space)
{
    if (n == 0) return;
    fline *l = open_line(st);
    sbuf *c = &l->cell[st->cell];
    if ((space || st->need_space) && c->len) sb_putc(c, ' ');
    st->need_space = false;
    sb_putn(c, s, n);
    if (st->cell + 1 > l->ncells) l->ncells = st->cell + 1;
}

static int new_decl_id(fmt_state *st)
{
    if (st->ndecls + 1 >= st->decl_cap) {
        st->decl_cap = st->decl_cap ? st->decl_cap * 2 : 128;
        st->decl_lines = rb_xrealloc(st->decl_lines, st->decl_cap * sizeof *st->decl_lines);
    }
    st->ndecls++;
    st->decl_lines[st->ndecls] = 0;
    return (int)st->ndecls;
}

static void set_bad(fmt_state *st, rb_span at)
{
    if (!st->bad) st->bad_at = at;
    st->bad = true;
}

/* ---- source positions --------------------------------------------------------- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\r' || c == '\n' || c == '\v';
}

/* The comment that starts at p, or NULL (binary search). */
static const ast_comment *comment_at(const fmt_state *st, uint32_t p)
{
    size_t lo = 0, hi = st->ncm;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (st->cm[mid]->span.start < p) lo = mid + 1;
        else hi = mid;
    }
    return lo < st->ncm && st->cm[lo]->span.start == p ? st->cm[lo] : NULL;
}

/* The comment that ends at p, or NULL. */
static const ast_comment *comment_ending(const fmt_state *st, uint32_t p)
{
    size_t lo = 0, hi = st->ncm;
    while (lo < hi) { /* first comment that starts at or after p */
        size_t mid = (lo + hi) / 2;
        if (st->cm[mid]->span.start < p) lo = mid + 1;
        else hi = mid;
    }
    return lo > 0 && st->cm[lo - 1]->span.end == p ? st->cm[lo - 1] : NULL;
}

/* Where the next token starts at or after p (spaces and comments skipped). */
static uint32_t next_tok(const fmt_state *st, uint32_t p)
{
    for (;;) {
        while (p < st->len && is_space(st->text[p])) p++;
        const ast_comment *c = comment_at(st, p);
        if (!c || c->span.end <= p) return p;
        p = c->span.end;
    }
}

/* Where the last token before p ends (spaces and comments skipped back). */
static uint32_t prev_tok_end(const fmt_state *st, uint32_t p)
{
    for (;;) {
        while (p > st->bof && is_space(st->text[p - 1])) p--;
        const ast_comment *c = comment_ending(st, p);
        if (!c || c->span.start >= p) return p;
        p = c->span.start;
    }
}

/* The '}' that closes a block ending at `end` (a span's end: the '}' or
 * parentheses around the block). */
static uint32_t close_brace(fmt_state *st, uint32_t end)
{
    uint32_t p = end;
    for (;;) {
        p = prev_tok_end(st, p);
        if (p > st->bof && st->text[p - 1] == ')') {
            p--;
            continue;
        }
        if (p > st->bof && st->text[p - 1] == '}') return p - 1;
        rb_span at = {end, end};
        set_bad(st, at);
        return end;
    }
}

/* Newlines in the source between a and b. */
static int newlines(const fmt_state *st, uint32_t a, uint32_t b)
{
    int n = 0;
    for (uint32_t i = a; i < b && i < st->len; i++) n += st->text[i] == '\n';
    return n;
}

/* The number literal in span `sp` as written (its sign folded in): the span
 * holds one number token, minus signs, parentheses, spaces and comments. */
static void num_text(fmt_state *st, rb_span sp, sbuf *out)
{
    const char *t = st->text;
    bool neg = false;
    uint32_t run = 0, runlen = 0;
    bool seen = false;
    for (uint32_t p = sp.start; p < sp.end && p < st->len;) {
        char c = t[p];
        if (is_space(c)) {
            p++;
        } else if (c == '/' && p + 1 < sp.end && (t[p + 1] == '/' || t[p + 1] == '*')) {
            const ast_comment *k = comment_at(st, p);
            if (!k) goto bad;
            p = k->span.end;
        } else if (c == '-') {
            neg = !neg;
            p++;
        } else if (c == '(' || c == ')') {
            p++;
        } else if (c >= '0' && c <= '9' && !seen) {
            seen = true;
            run = p;
            while (p < sp.end && ((t[p] >= '0' && t[p] <= '9') || t[p] == '.' || t[p] == '%')) p++;
            runlen = p - run;
        } else {
            goto bad;
        }
    }
    if (!seen) goto bad;
    if (neg) sb_putc(out, '-');
    sb_putn(out, t + run, runlen);
    return;
bad:
    set_bad(st, sp);
    sb_putc(out, '0');
}

static void lit_text(fmt_state *st, const ast_literal *l, sbuf *out)
{
    switch (l->kind) {
    case LIT_NUMBER: num_text(st, l->span, out); break;
    case LIT_STRING: quote(out, l->str ? l->str : ""); break;
    case LIT_BOOL: sb_puts(out, l->boolean ? "true" : "false"); break;
    default: set_bad(st, l->span); break;
    }
}

/* ---- comments ----------------------------------------------------------------- */

static bool is_line_comment(const fmt_state *st, const ast_comment *c)
{
    return c->span.end - c->span.start >= 2 && st->text[c->span.start + 1] == '/';
}

/* A comment's text as printed: line ends as LF, no spaces at line ends.
 * (A // comment is one line: a lone CR inside it is not a line end to the
 * lexer, so it is kept.) */
static void comment_text(const fmt_state *st, const ast_comment *c, sbuf *out)
{
    const char *s = st->text + c->span.start;
    size_t n = c->span.end - c->span.start;
    if (is_line_comment(st, c)) {
        sb_putn(out, s, n);
        sb_rstrip(out);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r' || s[i] == '\n') {
            sb_rstrip(out);
            sb_putc(out, '\n');
            if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') i++;
        } else {
            sb_putc(out, s[i]);
        }
    }
    sb_rstrip(out);
}

/* Whether code stands before comment number k on its source line. */
static bool is_trailing(const fmt_state *st, size_t k)
{
    uint32_t p = st->cm[k]->span.start;
    for (;;) {
        while (p > st->bof && (st->text[p - 1] == ' ' || st->text[p - 1] == '\t' || st->text[p - 1] == '\f' ||
                               st->text[p - 1] == '\v'))
            p--;
        if (p <= st->bof || st->text[p - 1] == '\n' || st->text[p - 1] == '\r') return false;
        if (k > 0 && st->cm[k - 1]->span.end == p) {
            k--;
            p = st->cm[k]->span.start;
            continue;
        }
        return true;
    }
}

/* Places every comment that starts before `before` (see the header).  At
 * declaration level, a blank line in the source before an own-line comment
 * is kept (as one). */
static void flush(fmt_state *st, uint32_t before, bool decl_level)
{
    while (st->ci < st->ncm && st->cm[st->ci]->span.start < before) {
        size_t k = st->ci++;
        const ast_comment *c = st->cm[k];
        sbuf t = {0};
        comment_text(st, c, &t);
        bool ends = is_line_comment(st, c) || memchr(t.s, '\n', t.len) != NULL;
        bool placed = false;
        if (is_trailing(st, k)) {
            fline *l = st->open ? &st->lines[st->nlines - 1] : NULL;
            if (l && has_code(l)) {
                if (ends) {
                    if (l->trail.len) sb_putc(&l->trail, ' ');
                    sb_putn(&l->trail, t.s, t.len);
                    l->trail_ends = true;
                    st->open = false;
                    st->broken = true;
                } else {
                    put(st, t.s, t.len, true);
                    st->need_space = true;
                }
                placed = true;
            } else if (!st->open && st->nlines) {
                l = &st->lines[st->nlines - 1];
                if (l->kind == LN_CODE && !l->trail_ends) {
                    if (l->trail.len) sb_putc(&l->trail, ' ');
                    sb_putn(&l->trail, t.s, t.len);
                    l->trail_ends = ends;
                    placed = true;
                }
            }
        }
        if (!placed) {
            if (st->open) {
                /* in the middle of a line: the code goes on after the comment */
                st->open = false;
                st->broken = true;
            }
            if (decl_level && !st->body_start && newlines(st, st->last_end, c->span.start) >= 2) blank_line(st);
            int indent = st->broken ? st->indent + INDENT : st->indent;
            fline *prev = st->nlines ? &st->lines[st->nlines - 1] : NULL;
            if (prev && prev->kind == LN_COMMENT && prev->indent == (indent < 0 ? 0 : indent) && prev->decl == st->decl) {
                /* a run of comment lines is one printed line of several: the
                 * memory stays proportional to the text, not to the lines */
                sb_putc(&prev->cell[0], '\n');
                sb_spaces(&prev->cell[0], (size_t)prev->indent);
                sb_putn(&prev->cell[0], t.s, t.len);
            } else {
                fline *l = push_line(st, LN_COMMENT, indent);
                sb_putn(&l->cell[0], t.s, t.len);
            }
            if (decl_level) st->body_start = false;
        }
        if (c->span.end > st->last_end) st->last_end = c->span.end;
        sb_free(&t);
    }
}

/* Emits source text: first the comments before `at` (unless NOFLUSH). */
static void emit(fmt_state *st, const char *s, uint32_t at, bool space)
{
    if (at != NOFLUSH) flush(st, at, false);
    put(st, s, strlen(s), space);
}

static void emit_sb(fmt_state *st, sbuf *b, uint32_t at, bool space)
{
    if (at != NOFLUSH) flush(st, at, false);
    put(st, b->s ? b->s : "", b->len, space);
    sb_free(b);
}

static void emit_quoted(fmt_state *st, const char *s, uint32_t at, bool space)
{
    sbuf b = {0};
    quote(&b, s);
    emit_sb(st, &b, at, space);
}

static void emit_lit(fmt_state *st, const ast_literal *l, uint32_t at, bool space)
{
    sbuf b = {0};
    lit_text(st, l, &b);
    emit_sb(st, &b, at, space);
}

/* Closes a braced list whose '}' is at `brace`: the comments before it go
 * at the list's indentation, the brace at `base`. */
static void close_list(fmt_state *st, uint32_t brace, int base)
{
    flush(st, brace, false);
    nl(st);
    st->indent = base;
    emit(st, "}", NOFLUSH, false);
}

/* Indentation of the line being built (where a block opened on it starts). */
static int line_indent(const fmt_state *st)
{
    return st->open ? st->lines[st->nlines - 1].indent : st->indent;
}

/* ---- expressions ------------------------------------------------------------------ */

/* Precedence levels, loosest first (SPEC §4). */
enum { P_ANY, P_IF, P_OR, P_AND, P_NOT, P_CMP, P_COAL, P_ADD, P_MUL, P_UNARY, P_PRIMARY };

static int prec(const ast_expr *e)
{
    switch (e->kind) {
    case EX_IF: return P_IF;
    case EX_OR: return P_OR;
    case EX_AND: return P_AND;
    case EX_NOT: return P_NOT;
    case EX_EQ: case EX_NE: case EX_LT: case EX_LE: case EX_GT: case EX_GE: return P_CMP;
    case EX_COALESCE: return P_COAL;
    case EX_ADD: case EX_SUB: return P_ADD;
    case EX_MUL: case EX_DIV: return P_MUL;
    case EX_NEG: return P_UNARY;
    default: return P_PRIMARY;
    }
}

static const char *op_text(ast_expr_kind k)
{
    switch (k) {
    case EX_ADD: return "+";
    case EX_SUB: return "-";
    case EX_MUL: return "*";
    case EX_DIV: return "/";
    case EX_EQ: return "==";
    case EX_NE: return "!=";
    case EX_LT: return "<";
    case EX_LE: return "<=";
    case EX_GT: return ">";
    case EX_GE: return ">=";
    case EX_AND: return "and";
    case EX_OR: return "or";
    case EX_COALESCE: return "?\?";
    default: return "?";
    }
}

static void print_expr(fmt_state *st, const ast_expr *e, int need, bool space);

static void print_expr(fmt_state *st, const ast_expr *e, int need, bool space);

/* A grade's arms, then its caps `at most ID when COND` (caps follow the
 * arms in the grammar). */
static void print_band_arms(fmt_state *st, const ast_arm *arms, const ast_arm *caps, uint32_t brace, bool grade)
{
    int base = line_indent(st);
    int group = ++st->ngroups;
    nl(st);
    for (const ast_arm *a = arms; a; a = a->next) {
        st->indent = base + INDENT;
        nl(st);
        st->pending_group = group;
        if (a->op == ARM_ELSE) {
            emit(st, "else", a->span.start, false);
        } else {
            emit(st, rb_arm_op_text(a->op), a->span.start, false);
            print_expr(st, a->threshold, P_ADD, true);
        }
        emit(st, ":", NOFLUSH, false);
        next_cell(st);
        if (grade) {
            emit(st, a->id ? a->id : "", a->id_span.start, false);
            if (a->label) {
                next_cell(st);
                emit_quoted(st, a->label, NOFLUSH, false);
            }
        } else if (a->result) {
            print_expr(st, a->result, P_COAL, false);
        } else {
            set_bad(st, a->span);
        }
        nl(st);
    }
    for (const ast_arm *a = caps; a; a = a->next) {
        st->indent = base + INDENT;
        nl(st);
        emit(st, "at most", a->span.start, false);
        emit(st, a->id, a->id_span.start, true);
        emit(st, "when", NOFLUSH, true);
        print_expr(st, a->cap_when, P_ANY, true);
        nl(st);
    }
    st->indent = base + INDENT;
    close_list(st, brace, base);
}

static bool starts_with_minus(fmt_state *st, const ast_expr *e, int need)
{
    if (prec(e) < need) return false;
    if (e->kind == EX_NEG) return true;
    if (e->kind == EX_NUMBER) {
        sbuf b = {0};
        num_text(st, e->span, &b);
        bool m = b.len && b.s[0] == '-';
        sb_free(&b);
        return m;
    }
    return false;
}

static void print_expr(fmt_state *st, const ast_expr *e, int need, bool space)
{
    if (!e) {
        rb_span none = {0, 0};
        set_bad(st, none);
        return;
    }
    bool paren = prec(e) < need;
    if (paren) {
        emit(st, "(", e->span.start, space);
        space = false;
    }
    switch (e->kind) {
    case EX_NUMBER: {
        sbuf b = {0};
        num_text(st, e->span, &b);
        emit_sb(st, &b, e->span.start, space);
        break;
    }
    case EX_STRING: emit_quoted(st, e->str ? e->str : "", e->span.start, space); break;
    case EX_BOOL: emit(st, e->boolean ? "true" : "false", e->span.start, space); break;
    case EX_NAME: emit(st, e->str ? e->str : "", e->span.start, space); break;
    case EX_RATER: /* ITEM.RATER: one word to the reader, no spaces */
        emit(st, e->str, e->span.start, space);
        emit(st, ".", NOFLUSH, false);
        emit(st, e->member, NOFLUSH, false);
        break;
    case EX_TOTAL: emit(st, "total", e->span.start, space); break;
    case EX_GRADE: emit(st, "grade", e->span.start, space); break;
    case EX_NEG:
        emit(st, "-", e->span.start, space);
        print_expr(st, e->a, P_UNARY, starts_with_minus(st, e->a, P_UNARY));
        break;
    case EX_NOT:
        emit(st, "not", e->span.start, space);
        print_expr(st, e->a, P_NOT, true);
        break;
    case EX_ADD: case EX_SUB: case EX_MUL: case EX_DIV:
    case EX_EQ: case EX_NE: case EX_LT: case EX_LE: case EX_GT: case EX_GE:
    case EX_AND: case EX_OR: case EX_COALESCE: {
        int p = prec(e), left = p, right = p + 1;
        if (p == P_CMP) {                                 /* comparisons do not chain */
            left = right = P_COAL;
            /* clarity: (x ?? "") != "", never x ?? "" != "" (which reads as
             * x ?? ("" != "")) */
            if (prec(e->a) == P_COAL) left = P_PRIMARY;
            if (prec(e->b) == P_COAL) right = P_PRIMARY;
        }
        if (p == P_COAL) left = P_ADD, right = P_COAL;    /* ?? groups to the right */
        print_expr(st, e->a, left, space);
        emit(st, op_text(e->kind), next_tok(st, e->a->span.end), true);
        /* clarity: x ?? (a + 1), never x ?? a + 1 (which reads as (x ?? a) + 1) */
        if (p == P_COAL && (prec(e->b) == P_ADD || prec(e->b) == P_MUL)) right = P_PRIMARY;
        print_expr(st, e->b, right, true);
        break;
    }
    case EX_IF:
        emit(st, "if", e->span.start, space);
        print_expr(st, e->a, P_ANY, true);
        emit(st, "then", next_tok(st, e->a->span.end), true);
        print_expr(st, e->b, P_ANY, true);
        emit(st, "else", next_tok(st, e->b->span.end), true);
        print_expr(st, e->c, P_ANY, true);
        break;
    case EX_CALL: {
        emit(st, e->str ? e->str : "", e->span.start, space);
        uint32_t open = next_tok(st, e->name_span.end);
        emit(st, "(", NOFLUSH, false);
        uint32_t after = open + 1;
        for (const ast_expr *a = e->args; a; a = a->next) {
            if (a != e->args) emit(st, ",", next_tok(st, after), false);
            print_expr(st, a, P_ANY, a != e->args);
            after = a->span.end;
        }
        emit(st, ")", next_tok(st, after), false);
        break;
    }
    case EX_BAND:
        emit(st, "band", e->span.start, space);
        print_expr(st, e->a, P_ANY, true);
        emit(st, "{", NOFLUSH, true);
        print_band_arms(st, e->arms, NULL, close_brace(st, e->span.end), false);
        break;
    }
    if (paren) emit(st, ")", NOFLUSH, false);
}

/* ---- types and constraints ------------------------------------------------------- */

static void option_text(fmt_state *st, const ast_option *o, sbuf *b)
{
    sb_puts(b, o->id ? o->id : "");
    if (o->label) {
        sb_putc(b, ' ');
        quote(b, o->label);
    }
    if (o->has_value) {
        sb_puts(b, " = ");
        lit_text(st, &o->value, b);
    }
}

/* A type on one line. */
static void type_flat(fmt_state *st, const ast_type *t, sbuf *b)
{
    if (t->kind == TY_NAMED) {
        sb_puts(b, t->name ? t->name : "");
        return;
    }
    sb_puts(b, rb_type_word(t->kind));
    if (t->kind != TY_CHOICE && t->kind != TY_CHOICES) return;
    if (!t->options) {
        sb_puts(b, " {}");
        return;
    }
    sb_puts(b, " {");
    for (const ast_option *o = t->options; o; o = o->next) {
        sb_putc(b, ' ');
        option_text(st, o, b);
        if (o->next) sb_putc(b, ',');
    }
    sb_puts(b, " }");
}

static void constraint_text(fmt_state *st, const ast_constraint *c, sbuf *b)
{
    switch (c->kind) {
    case CON_IN:
        sb_puts(b, "in ");
        lit_text(st, &c->a, b);
        sb_puts(b, "..");
        lit_text(st, &c->b, b);
        break;
    case CON_GE: sb_puts(b, ">= "); lit_text(st, &c->a, b); break;
    case CON_GT: sb_puts(b, "> "); lit_text(st, &c->a, b); break;
    case CON_LE: sb_puts(b, "<= "); lit_text(st, &c->a, b); break;
    case CON_LT: sb_puts(b, "< "); lit_text(st, &c->a, b); break;
    case CON_REQUIRED: sb_puts(b, "required"); break;
    case CON_OPTIONAL: sb_puts(b, "optional"); break;
    case CON_DEFAULT: sb_puts(b, "default "); lit_text(st, &c->a, b); break;
    case CON_UNIT: sb_puts(b, "unit "); lit_text(st, &c->a, b); break;
    }
}

static bool comment_within(const fmt_state *st, rb_span s)
{
    for (size_t i = st->ci; i < st->ncm; i++) {
        if (st->cm[i]->span.start >= s.end) break;
        if (st->cm[i]->span.start >= s.start) return true;
    }
    return false;
}

/* Whether declaration d, which has a choice type, goes on one line: it has
 * no comment inside the option list and, unaligned, fits in FMT_WIDTH. */
static bool choice_fits(fmt_state *st, const ast_decl *d)
{
    const ast_type *t = d->type;
    if (comment_within(st, t->span)) return false;
    sbuf b = {0};
    sb_puts(&b, ast_decl_kind_name(d->kind));
    sb_putc(&b, ' ');
    sb_puts(&b, d->name ? d->name : "");
    if (d->label) {
        sb_putc(&b, ' ');
        quote(&b, d->label);
    }
    sb_puts(&b, d->kind == DECL_TYPE ? " = " : ": ");
    type_flat(st, t, &b);
    for (const ast_constraint *c = d->constraints; c; c = c->next) {
        sb_putc(&b, ' ');
        constraint_text(st, c, &b);
    }
    if (d->kind == DECL_PARAM) {
        sb_puts(&b, " = ");
        lit_text(st, &d->value, &b);
    }
    size_t w = (size_t)st->indent + text_width(b.s, b.len);
    sb_free(&b);
    return w <= FMT_WIDTH;
}

static void print_type(fmt_state *st, const ast_decl *d)
{
    const ast_type *t = d->type;
    if (!t) {
        set_bad(st, d->span);
        return;
    }
    bool list = t->kind == TY_CHOICE || t->kind == TY_CHOICES;
    if (!list || choice_fits(st, d)) {
        sbuf b = {0};
        type_flat(st, t, &b);
        emit_sb(st, &b, t->span.start, true);
        return;
    }
    /* one option per line, aligned: id, label, = value */
    emit(st, rb_type_word(t->kind), t->span.start, true);
    emit(st, "{", NOFLUSH, true);
    int base = line_indent(st);
    int group = ++st->ngroups;
    nl(st);
    for (const ast_option *o = t->options; o; o = o->next) {
        st->indent = base + INDENT;
        nl(st);
        st->pending_group = group;
        emit(st, o->id ? o->id : "", o->span.start, false);
        if (!o->label) span_cell(st);
        if (o->label || o->has_value) {
            next_cell(st);
            if (o->label) emit_quoted(st, o->label, NOFLUSH, false);
        }
        if (o->has_value) {
            next_cell(st);
            sbuf b = {0};
            sb_puts(&b, "= ");
            lit_text(st, &o->value, &b);
            emit_sb(st, &b, NOFLUSH, false);
        }
        if (o->next) emit(st, ",", NOFLUSH, false);
        nl(st);
    }
    st->indent = base + INDENT;
    close_list(st, close_brace(st, t->span.end), base);
}

/* ---- declarations ---------------------------------------------------------------- */

static void print_decl(fmt_state *st, const ast_decl *d);

/* `kw NAME "LABEL"` in three cells; `colon`: field/input/param put ':' after
 * the label (or the name). */
static void print_head(fmt_state *st, const ast_decl *d, bool colon)
{
    emit(st, ast_decl_kind_name(d->kind), d->kw_span.start, false);
    next_cell(st);
    emit(st, d->name ? d->name : "", d->name_span.start, false);
    if (colon && !d->label) emit(st, ":", NOFLUSH, false);
    if (!d->label) span_cell(st);
    next_cell(st);
    if (d->label) {
        emit_quoted(st, d->label, d->label_span.start, false);
        if (colon) emit(st, ":", NOFLUSH, false);
    }
    next_cell(st);
}

static void print_constraints(fmt_state *st, const ast_decl *d)
{
    for (const ast_constraint *c = d->constraints; c; c = c->next) {
        sbuf b = {0};
        constraint_text(st, c, &b);
        emit_sb(st, &b, c->span.start, true);
    }
}

/* weight, points, optional, when: always in this order (language.md §17). */
static void print_attrs(fmt_state *st, const ast_decl *d)
{
    if (d->has_weight) {
        emit(st, "weight", d->weight.span.start, true);
        emit_lit(st, &d->weight, NOFLUSH, true);
    }
    if (d->has_points) {
        emit(st, "points", d->points.span.start, true);
        if (d->has_low) {
            /* a rating scale is one word, 1..5, as in a constraint */
            sbuf b = {0};
            lit_text(st, &d->low, &b);
            sb_puts(&b, "..");
            lit_text(st, &d->points, &b);
            emit_sb(st, &b, NOFLUSH, true);
        } else {
            emit_lit(st, &d->points, NOFLUSH, true);
        }
    }
    if (d->optional) emit(st, "optional", NOFLUSH, true);
    if (d->when) {
        emit(st, "when", d->when->span.start, true);
        print_expr(st, d->when, P_ANY, true);
    }
}

/* `= EXPR`, the '=' flushed where it stands. */
static void print_formula(fmt_state *st, const ast_expr *e)
{
    uint32_t eq = prev_tok_end(st, e->span.start);
    emit(st, "=", eq > 0 ? eq - 1 : 0, true);
    print_expr(st, e, P_ANY, true);
}

/* Where the header of a section or form ends (its last word). */
static uint32_t header_end(const ast_decl *d)
{
    uint32_t e = d->name_span.end;
    if (d->label && d->label_span.end > e) e = d->label_span.end;
    if (d->has_points && d->points.span.end > e) e = d->points.span.end;
    if (d->has_weight && d->weight.span.end > e) e = d->weight.span.end;
    return e;
}

static void print_body(fmt_state *st, const ast_decl *d)
{
    emit(st, "{", NOFLUSH, true);
    nl(st);
    /* blank lines are counted from the '{' on */
    uint32_t brace = next_tok(st, header_end(d));
    if (brace < st->len && st->text[brace] == '{' && brace + 1 > st->last_end) st->last_end = brace + 1;
    int outer = st->indent;
    st->indent = outer + INDENT;
    st->body_start = true;
    for (const ast_decl *c = d->body; c; c = c->next) print_decl(st, c);
    flush(st, close_brace(st, d->span.end), true);
    nl(st);
    st->indent = outer;
    emit(st, "}", NOFLUSH, false);
}

static void print_decl(fmt_state *st, const ast_decl *d)
{
    flush(st, d->span.start, true);
    if (!st->body_start && newlines(st, st->last_end, d->span.start) >= 2) blank_line(st);
    st->body_start = false;
    nl(st);
    int saved_decl = st->decl, saved_indent = st->indent;
    ast_decl_kind saved_kind = st->dkind;
    st->decl = new_decl_id(st);
    st->dkind = d->kind;

    const char *kw = ast_decl_kind_name(d->kind);
    switch (d->kind) {
    case DECL_FORM:
        emit(st, "form", d->kw_span.start, false);
        emit(st, d->name ? d->name : "", d->name_span.start, true);
        if (d->label) emit_quoted(st, d->label, d->label_span.start, true);
        print_body(st, d);
        break;
    case DECL_PERIOD:
        emit(st, kw, d->kw_span.start, false);
        emit(st, d->word ? d->word : "", d->word_span.start, true);
        if (d->on) {
            emit(st, "on", NOFLUSH, true);
            emit(st, d->on, d->on_span.start, true);
        }
        break;
    case DECL_KEY:
        emit(st, kw, d->kw_span.start, false);
        emit(st, d->word ? d->word : "", d->word_span.start, true);
        break;
    case DECL_DISTRIBUTION: {
        emit(st, kw, d->kw_span.start, false);
        if (d->word) {
            emit(st, "by", NOFLUSH, true);
            emit(st, d->word, d->word_span.start, true);
        }
        emit(st, "{", NOFLUSH, true);
        int base = line_indent(st);
        for (const ast_dist_rule *r = d->rules; r; r = r->next) {
            st->indent = base + INDENT;
            nl(st);
            for (const ast_dist_id *id = r->ids; id; id = id->next) {
                if (id != r->ids) emit(st, "+", NOFLUSH, true);
                emit(st, id->id, id->span.start, id != r->ids);
            }
            emit(st, rb_arm_op_text(r->op <= ARM_GE ? r->op : ARM_GE), NOFLUSH, true);
            emit_lit(st, &r->share, r->share.span.start, true);
            nl(st);
        }
        st->indent = base + INDENT;
        close_list(st, close_brace(st, d->span.end), base);
        break;
    }
    case DECL_VERSION: case DECL_SCALE: case DECL_PRECISION:
        emit(st, kw, d->kw_span.start, false);
        emit_lit(st, &d->value, d->value.span.start, true);
        break;
    case DECL_PARAM:
        print_head(st, d, true);
        print_type(st, d);
        emit(st, "=", NOFLUSH, true);
        emit_lit(st, &d->value, d->value.span.start, true);
        break;
    case DECL_FIELD: case DECL_INPUT:
        print_head(st, d, true);
        print_type(st, d);
        print_constraints(st, d);
        break;
    case DECL_TYPE:
        print_head(st, d, false);
        emit(st, "=", NOFLUSH, true);
        print_type(st, d);
        print_constraints(st, d);
        break;
    case DECL_RATERS: {
        emit(st, kw, d->kw_span.start, false);
        emit(st, "{", NOFLUSH, true);
        int base = line_indent(st);
        int group = ++st->ngroups;
        nl(st);
        for (const ast_rater *r = d->raters; r; r = r->next) {
            st->indent = base + INDENT;
            nl(st);
            st->pending_group = group;
            emit(st, r->id ? r->id : "", r->span.start, false);
            if (!r->label) span_cell(st);
            next_cell(st);
            if (r->label) emit_quoted(st, r->label, NOFLUSH, false);
            next_cell(st);
            emit(st, "weight", r->weight.span.start, false);
            emit_lit(st, &r->weight, NOFLUSH, true);
            if (r->many) emit(st, "many", NOFLUSH, true);
            if (r->optional) emit(st, "optional", NOFLUSH, true);
            nl(st);
        }
        st->indent = base + INDENT;
        close_list(st, close_brace(st, d->span.end), base);
        break;
    }
    case DECL_SECTION:
        emit(st, kw, d->kw_span.start, false);
        emit(st, d->name ? d->name : "", d->name_span.start, true);
        if (d->label) emit_quoted(st, d->label, d->label_span.start, true);
        print_attrs(st, d);
        print_body(st, d);
        break;
    case DECL_SIGN:
        print_head(st, d, false);
        break;
    case DECL_ITEM: case DECL_DEDUCT:
        print_head(st, d, false);
        print_attrs(st, d);
        if (d->expr) print_formula(st, d->expr);
        break;
    case DECL_LET: case DECL_OUTPUT:
        print_head(st, d, false);
        if (d->expr) print_formula(st, d->expr);
        else set_bad(st, d->span);
        break;
    case DECL_TOTAL:
        emit(st, kw, d->kw_span.start, false);
        if (d->expr) print_formula(st, d->expr);
        else set_bad(st, d->span);
        break;
    case DECL_CHECK: case DECL_WARN:
        emit(st, kw, d->kw_span.start, false);
        /* a bare warn is written as what it means (SPEC §12) */
        if (d->kind == DECL_WARN) emit(st, d->warn_form == WARN_WHEN ? "when" : "unless", NOFLUSH, true);
        print_expr(st, d->expr, P_ANY, true);
        emit_quoted(st, d->message ? d->message : "", d->message_span.start, true);
        break;
    case DECL_RESULT: /* made by the checker; never in a parsed tree */
        break;
    case DECL_GRADE:
        emit(st, kw, d->kw_span.start, false);
        if (d->expr) {
            emit(st, "on", d->expr->span.start, true);
            print_expr(st, d->expr, P_ANY, true);
        }
        emit(st, "{", NOFLUSH, true);
        print_band_arms(st, d->arms, d->caps, close_brace(st, d->span.end), true);
        break;
    }
    nl(st);
    st->indent = saved_indent;
    st->decl = saved_decl;
    st->dkind = saved_kind;
    if (d->span.end > st->last_end) st->last_end = d->span.end;
}

/* ---- alignment and output -------------------------------------------------------- */

static bool alignable(ast_decl_kind k)
{
    return k == DECL_ITEM || k == DECL_DEDUCT || k == DECL_FIELD || k == DECL_INPUT || k == DECL_PARAM ||
           k == DECL_LET || k == DECL_OUTPUT || k == DECL_TYPE || k == DECL_SIGN;
}

/* Whether a comment line between two declarations ends their alignment
 * group (as a blank line does).  It does not: forms often carry a guiding
 * question above every item (templates/presales.rubric), and the items of
 * one section should still line up. */
static const bool comment_ends_group = false;

/* Runs of one-line declarations of one kind, with nothing between them but
 * comment lines (no blank line, no other declaration), form alignment groups. */
static void group_decls(fmt_state *st)
{
    for (size_t i = 0; i < st->nlines;) {
        fline *l = &st->lines[i];
        bool cand = l->kind == LN_CODE && !l->group && l->decl && l->decl_first && alignable(l->dkind) &&
                    st->decl_lines[l->decl] == 1;
        if (!cand) {
            i++;
            continue;
        }
        int g = ++st->ngroups;
        size_t j = i, end = i;
        while (j < st->nlines) {
            fline *m = &st->lines[j];
            if (!comment_ends_group && m->kind == LN_COMMENT && m->indent == l->indent) {
                j++;
                continue;
            }
            if (!(m->kind == LN_CODE && !m->group && m->decl && m->decl_first && m->dkind == l->dkind &&
                  m->indent == l->indent && st->decl_lines[m->decl] == 1))
                break;
            m->group = g;
            end = ++j;
        }
        i = end;
    }
}

typedef struct {
    size_t width[NCELLS];      /* of each column, over the lines that do not span it */
    size_t span[NCELLS];       /* widest cell that spans this column and the next */
    size_t col[NCELLS + 1];    /* where each column starts */
    int ncells;
    size_t trail_col;
} group_info;

/* Column positions: a column that is empty in every line takes no space; a
 * cell that spans into the next column (a name without a label) widens
 * that next column if it needs more room than the two have. */
static void columns(group_info *g)
{
    g->col[0] = 0;
    for (int c = 0; c < NCELLS; c++) g->col[c + 1] = g->col[c] + (g->width[c] ? g->width[c] + 1 : 0);
}

static void group_columns(group_info *g)
{
    columns(g);
    for (int c = 0; c + 1 < NCELLS; c++) {
        if (!g->span[c]) continue;
        size_t need = g->col[c] + g->span[c] + 1, have = g->col[c + 2];
        if (need <= have) continue;
        if (g->width[c + 1]) g->width[c + 1] += need - have;
        else g->width[c + 1] = need - have > 1 ? need - have - 1 : 1;
        columns(g);
    }
}

/* The code of a line: cells padded to the group's columns, or joined by
 * single spaces. */
static void render_code(const fline *l, const group_info *g, sbuf *out)
{
    sb_spaces(out, (size_t)l->indent);
    size_t base = out->len;
    if (g) {
        for (int c = 0; c < g->ncells; c++) {
            const sbuf *cell = c < l->ncells ? &l->cell[c] : NULL;
            size_t n = cell ? cell->len : 0;
            if (n) sb_putn(out, cell->s, n);
            if (c == g->ncells - 1) break;
            size_t to = g->col[c + 1];
            if (l->span == c + 1) {
                to = g->col[c + 2];
                c++;
            } else if (g->width[c] == 0) {
                continue;
            }
            size_t w = text_width(out->s + base, out->len - base);
            sb_spaces(out, w < to ? to - w : 1);
        }
    } else {
        bool first = true;
        for (int c = 0; c < l->ncells; c++) {
            if (!l->cell[c].len) continue;
            if (!first) sb_putc(out, ' ');
            sb_putn(out, l->cell[c].s, l->cell[c].len);
            first = false;
        }
    }
    sb_rstrip(out);
}

static void render(fmt_state *st, sbuf *out)
{
    group_info *gi = rb_xcalloc((size_t)st->ngroups + 1, sizeof *gi);
    for (size_t i = 0; i < st->nlines; i++) {
        const fline *l = &st->lines[i];
        if (l->kind != LN_CODE || !l->group) continue;
        group_info *g = &gi[l->group];
        if (l->ncells > g->ncells) g->ncells = l->ncells;
        for (int c = 0; c < l->ncells; c++) {
            size_t w = text_width(l->cell[c].s ? l->cell[c].s : "", l->cell[c].len);
            if (l->span == c + 1) {
                if (w > g->span[c]) g->span[c] = w;
                c++;
            } else if (w > g->width[c]) {
                g->width[c] = w;
            }
        }
    }
    for (int g = 1; g <= st->ngroups; g++) {
        if (gi[g].ncells) gi[g].width[gi[g].ncells - 1] = 0; /* the last column is not padded */
        group_columns(&gi[g]);
    }
    for (size_t i = 0; i < st->nlines; i++) {
        const fline *l = &st->lines[i];
        if (l->kind != LN_CODE || !l->group || !l->trail.len) continue;
        sbuf code = {0};
        render_code(l, &gi[l->group], &code);
        size_t w = text_width(code.s ? code.s : "", code.len) + 1;
        if (w > gi[l->group].trail_col) gi[l->group].trail_col = w;
        sb_free(&code);
    }
    for (size_t i = 0; i < st->nlines; i++) {
        const fline *l = &st->lines[i];
        if (l->kind == LN_BLANK) {
            if (i + 1 < st->nlines && out->len) sb_putc(out, '\n');
            continue;
        }
        if (l->kind == LN_COMMENT) {
            sb_spaces(out, (size_t)l->indent);
            sb_putn(out, l->cell[0].s, l->cell[0].len);
            sb_putc(out, '\n');
            continue;
        }
        const group_info *g = l->group ? &gi[l->group] : NULL;
        sbuf code = {0};
        render_code(l, g, &code);
        sb_putn(out, code.s ? code.s : "", code.len);
        if (l->trail.len) {
            size_t w = text_width(code.s ? code.s : "", code.len);
            size_t col = g && g->trail_col > w ? g->trail_col : w + 1;
            sb_spaces(out, col - w);
            sb_putn(out, l->trail.s, l->trail.len);
        }
        sb_free(&code);
        sb_putc(out, '\n');
    }
    rb_free(gi);
}

static void state_free(fmt_state *st)
{
    for (size_t i = 0; i < st->nlines; i++) {
        for (int c = 0; c < NCELLS; c++) sb_free(&st->lines[i].cell[c]);
        sb_free(&st->lines[i].trail);
    }
    rb_free(st->lines);
    rb_free(st->decl_lines);
    rb_free(st->cm);
}

/* ---- the self-check: same tree, same comments ----------------------------------- */

static bool str_eq(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

static bool lit_eq(const ast_literal *a, const ast_literal *b)
{
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case LIT_NUMBER:
        return rb_num_cmp(a->num, b->num) == 0 && a->is_percent == b->is_percent &&
               a->is_integer_text == b->is_integer_text;
    case LIT_STRING: return str_eq(a->str, b->str);
    case LIT_BOOL: return a->boolean == b->boolean;
    default: return true;
    }
}

static bool expr_eq(const ast_expr *a, const ast_expr *b);

static bool arms_eq(const ast_arm *a, const ast_arm *b)
{
    for (; a && b; a = a->next, b = b->next) {
        if (a->op != b->op || !str_eq(a->id, b->id) || !str_eq(a->label, b->label)) return false;
        if (!!a->threshold != !!b->threshold || (a->threshold && !expr_eq(a->threshold, b->threshold))) return false;
        if (!!a->result != !!b->result || (a->result && !expr_eq(a->result, b->result))) return false;
        if (!!a->cap_when != !!b->cap_when || (a->cap_when && !expr_eq(a->cap_when, b->cap_when))) return false;
    }
    return !a && !b;
}

static bool expr_eq(const ast_expr *a, const ast_expr *b)
{
    if (!a || !b) return a == b;
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case EX_NUMBER: return rb_num_cmp(a->num, b->num) == 0;
    case EX_STRING: case EX_NAME: return str_eq(a->str, b->str);
    case EX_RATER: return str_eq(a->str, b->str) && str_eq(a->member, b->member);
    case EX_BOOL: return a->boolean == b->boolean;
    case EX_CALL: {
        if (!str_eq(a->str, b->str) || a->nargs != b->nargs) return false;
        const ast_expr *x = a->args, *y = b->args;
        for (; x && y; x = x->next, y = y->next)
            if (!expr_eq(x, y)) return false;
        return !x && !y;
    }
    case EX_BAND: return expr_eq(a->a, b->a) && arms_eq(a->arms, b->arms);
    default: return expr_eq(a->a, b->a) && expr_eq(a->b, b->b) && expr_eq(a->c, b->c);
    }
}

static bool type_eq(const ast_type *a, const ast_type *b)
{
    if (!a || !b) return a == b;
    if (a->kind != b->kind || !str_eq(a->name, b->name)) return false;
    const ast_option *x = a->options, *y = b->options;
    for (; x && y; x = x->next, y = y->next)
        if (!str_eq(x->id, y->id) || !str_eq(x->label, y->label) || x->has_value != y->has_value ||
            (x->has_value && !lit_eq(&x->value, &y->value)))
            return false;
    return !x && !y;
}

static bool decls_eq(const ast_decl *a, const ast_decl *b);

static bool decl_eq(const ast_decl *a, const ast_decl *b)
{
    if (a->kind != b->kind || !str_eq(a->name, b->name) || !str_eq(a->label, b->label) ||
        !type_eq(a->type, b->type) || !lit_eq(&a->value, &b->value) || !str_eq(a->word, b->word) ||
        a->has_points != b->has_points || (a->has_points && !lit_eq(&a->points, &b->points)) ||
        a->has_low != b->has_low || (a->has_low && !lit_eq(&a->low, &b->low)) ||
        (a->warn_form == WARN_WHEN) != (b->warn_form == WARN_WHEN) || /* bare = unless */
        a->has_weight != b->has_weight || (a->has_weight && !lit_eq(&a->weight, &b->weight)) ||
        a->optional != b->optional || !expr_eq(a->when, b->when) || !expr_eq(a->expr, b->expr) ||
        !str_eq(a->message, b->message) || !arms_eq(a->arms, b->arms) || !arms_eq(a->caps, b->caps))
        return false;
    const ast_constraint *x = a->constraints, *y = b->constraints;
    for (; x && y; x = x->next, y = y->next)
        if (x->kind != y->kind || !lit_eq(&x->a, &y->a) || !lit_eq(&x->b, &y->b)) return false;
    if (x || y) return false;
    const ast_rater *r = a->raters, *s = b->raters;
    for (; r && s; r = r->next, s = s->next)
        if (!str_eq(r->id, s->id) || !str_eq(r->label, s->label) || !lit_eq(&r->weight, &s->weight) ||
            r->many != s->many || r->optional != s->optional)
            return false;
    if (r || s) return false;
    return decls_eq(a->body, b->body);
}

static bool decls_eq(const ast_decl *a, const ast_decl *b)
{
    for (; a && b; a = a->next, b = b->next)
        if (!decl_eq(a, b)) return false;
    return !a && !b;
}

/* Compares the comments of the original (st) with those of the output;
 * returns the index of the first original comment that is not where it
 * should be, -1 when all match, -2 when the output has one too many. */
static long comments_match(const fmt_state *st, const ast_file *f2, const char *text2)
{
    const ast_comment *c2 = f2->comments;
    for (size_t i = 0; i < st->ncm; i++, c2 = c2->next) {
        if (!c2) return (long)i;
        sbuf a = {0};
        comment_text(st, st->cm[i], &a);
        bool same = false;
        /* the output's comments are already in canonical text */
        size_t n2 = c2->span.end - c2->span.start;
        same = a.len == n2 && memcmp(a.s, text2 + c2->span.start, n2) == 0;
        sb_free(&a);
        if (!same) return (long)i;
    }
    return c2 ? -2 : -1;
}

/* ---- entry points -------------------------------------------------------------- */

int rb_fmt_buffer(rb_source *src, char **out, size_t *outlen, rb_diags *diags)
{
    *out = NULL;
    *outlen = 0;
    size_t errors = diags->errors;
    rb_arena *arena = rb_arena_new();
    ast_file *file = rb_parse(arena, src, diags);
    if (diags->errors > errors || !file || !file->form) {
        rb_arena_free(arena);
        return -1;
    }

    fmt_state st;
    memset(&st, 0, sizeof st);
    st.text = src->text;
    st.len = src->len;
    st.bof = src->len >= 3 && memcmp(src->text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    for (const ast_comment *c = file->comments; c; c = c->next) st.ncm++;
    st.cm = rb_xcalloc(st.ncm + 1, sizeof *st.cm);
    st.ncm = 0;
    for (const ast_comment *c = file->comments; c; c = c->next) st.cm[st.ncm++] = c;
    st.last_end = st.bof;
    st.body_start = true;

    print_decl(&st, file->form);
    st.body_start = false;
    flush(&st, NOFLUSH, true); /* comments after the form */
    group_decls(&st);

    sbuf text = {0};
    render(&st, &text);
    while (text.len >= 2 && text.s[text.len - 1] == '\n' && text.s[text.len - 2] == '\n') text.s[--text.len] = '\0';

    int status = 0;
    if (st.bad) {
        rb_diag *g = rb_diag_add(diags, RB_SEV_ERROR, "E0001", st.bad_at,
                                 "internal error: fmt could not reproduce this part of the template");
        rb_diag_help(g, "the file was left unchanged; please report this");
        status = -1;
    }

    /* the self-check: parse the output; same tree, same comments */
    if (status == 0) {
        rb_source *again = rb_source_new(src->name, text.s, text.len);
        rb_diags d2;
        rb_diags_init(&d2);
        rb_arena *arena2 = rb_arena_new();
        ast_file *f2 = rb_parse(arena2, again, &d2);
        rb_span whole = {st.bof, st.bof};
        if (d2.errors || !f2->form || !decl_eq(file->form, f2->form)) {
            rb_diag *g = rb_diag_add(diags, RB_SEV_ERROR, "E0001", whole,
                                     "internal error: fmt's output would not mean the same as the template");
            rb_diag_help(g, "the file was left unchanged; please report this");
            status = -1;
        } else {
            long bad = comments_match(&st, f2, again->text);
            if (bad != -1) {
                rb_diag *g = rb_diag_add(diags, RB_SEV_ERROR, "E0190", bad >= 0 ? st.cm[bad]->span : whole,
                                         "fmt cannot place this comment safely");
                rb_diag_help(g, "the file was left unchanged; move the comment next to a declaration");
                status = -1;
            }
        }
        rb_arena_free(arena2);
        rb_diags_free(&d2);
        rb_source_free(again);
    }

    state_free(&st);
    rb_arena_free(arena);
    if (status) {
        sb_free(&text);
        rb_diags_sort(diags);
        return -1;
    }
    if (!text.s) sb_putn(&text, "", 0);
    *out = text.s;
    *outlen = text.len;
    return 0;
}

int rb_fmt_source(rb_source *src, FILE *out, rb_diags *diags)
{
    char *text;
    size_t len;
    if (rb_fmt_buffer(src, &text, &len, diags) != 0) return -1;
    fwrite(text, 1, len, out);
    rb_free(text);
    return 0;
}
