/* result.c — writers for scoring results: NDJSON (SPEC §8), CSV, an aligned
 * text table and a multi-line explanation.  docs/results.md is the reference
 * for every format; keep the two in step.
 *
 * The writers walk the program's section tree (program.h `children`) and
 * look numbers up in the result's per-item / per-section arrays.  The
 * program is a verified one (the safety contract at the top of vm.c), so
 * its tables are indexed without checks.  Recursion over nested sections is
 * capped (MAX_DEPTH): a verified tree may still be thousands of sections
 * deep, and that must not exhaust the C stack.  All text leaving here is
 * valid UTF-8: bytes that are not become U+FFFD. */
#include "result.h"
#include "utf8.h"
#include "buf.h"
#include "json.h"

#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "program.h"

#define MAX_DEPTH 200

static int digits_of(const rb_program *p)
{
    assert(p->precision <= RB_NUM_MAX_DIGITS); /* verify.c check_header */
    return (int)p->precision;
}

/* ---- UTF-8 -------------------------------------------------------------- */

/* ---- a growable string (CSV cells, table cells, explanation lines) ------ */

typedef rb_buf sbuf;
#define sb_add rb_buf_add
#define sb_puts rb_buf_puts
#define sb_printf rb_buf_printf

/* Appends text, replacing invalid UTF-8 by U+FFFD, control characters
 * (tabs, newlines, NUL…) by spaces and invisible ones (bidi controls such
 * as U+202E, zero-width characters) by their escape \u{202E}: for one-line
 * human output that shows what a record holds and cannot be reordered. */
static void sb_clean(sbuf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = rb_utf8_decode(u + i, n - i, &cp);
        if (!k) {
            sb_puts(b, "\xEF\xBF\xBD");
            i++;
        } else if (cp < 0x20 || cp == 0x7F) {
            sb_puts(b, " ");
            i += k;
        } else if (rb_cp_hidden(cp)) {
            sb_printf(b, "\\u{%X}", (unsigned)cp);
            i += k;
        } else {
            sb_add(b, s + i, k);
            i += k;
        }
    }
}

static char *sb_take(sbuf *b)
{
    if (!b->s) return rb_xstrdup("");
    return b->s;
}

static void sb_num(sbuf *b, rb_num n, int digits)
{
    char buf[64];
    rb_num_format(n, digits, buf, sizeof buf);
    sb_puts(b, buf);
}

static void sb_pct(sbuf *b, rb_num w)
{
    char buf[64];
    rb_num_format_percent(w, 4, buf, sizeof buf);
    sb_puts(b, buf);
}

/* ---- JSON --------------------------------------------------------------- */

static void jstr(rb_out *out, const char *s)
{
    rb_json_out_string(out, s ? s : "", s ? strlen(s) : 0);
}

/* A record value echoed as given: exact when it is a finite decimal. */
static void jnum_exact(rb_out *out, rb_num n, int digits)
{
    char buf[64];
    rb_num_format_exact(n, buf, sizeof buf);
    if (strchr(buf, '/')) rb_num_format(n, digits, buf, sizeof buf);
    rb_out_puts(out, buf);
}

static void json_value(rb_out *out, const rb_program *p, const rb_value *v, int digits, bool exact)
{
    switch (v->kind) {
    case RB_V_NUM:
        if (exact) jnum_exact(out, v->n, digits);
        else rb_out_num(out, v->n, digits);
        return;
    case RB_V_BOOL: rb_out_puts(out, v->b ? "true" : "false"); return;
    case RB_V_TEXT: case RB_V_DATE: rb_json_out_string(out, v->s, v->len); return;
    case RB_V_CHOICE:
        if (v->opt < p->noptions) jstr(out, rb_str(p, p->options[v->opt].id));
        else rb_out_puts(out, "null");
        return;
    case RB_V_SET: {
        rb_out_putc(out, '[');
        if (v->opt < p->nchoicesets) {
            const rb_choiceset *c = &p->choicesets[v->opt];
            bool first = true;
            for (uint32_t k = 0; k < c->count && k < 64; k++) {
                if (!(v->bits >> k & 1)) continue;
                if (!first) rb_out_putc(out, ',');
                first = false;
                jstr(out, rb_str(p, p->options[c->first + k].id));
            }
        }
        rb_out_putc(out, ']');
        return;
    }
    default: rb_out_puts(out, "null"); return;
    }
}

void rb_json_write_value(FILE *out, const rb_program *p, const rb_value *v, int digits)
{
    char buf[512];
    rb_out o;
    rb_out_init_file(&o, out, buf, sizeof buf);
    json_value(&o, p, v, digits, false);
    rb_out_flush(&o);
}

/* ---- NDJSON --------------------------------------------------------------
 *
 * What a program prints the same way in every result (names, labels, static
 * points and weights, rater ids, value keys, the form header and the digest)
 * is escaped once, when the writer is made, into one text; a result then
 * copies those fragments and formats only its own numbers and texts. */

typedef struct {
    uint32_t off, len;
} frag;

struct rb_ndjson_writer {
    const rb_program *p;
    int digits;
    rb_out text;       /* every fragment, back to back */
    const char *form, *period, *version, *digest; /* what the fragments below say */
    frag head;         /* ,"form":…[,"period":…][,"version":…] */
    frag tail;         /* ],"digest":…}\n */
    frag *sec_open;    /* per section: {"name":…[,"label":…] */
    frag *sec_points;  /* ,"points":P (the declared points) */
    frag *sec_weight;  /* [,"weight":W] */
    uint8_t *sec_has;  /* bit 0 items, 1 deductions, 2 sections */
    frag *item_open;   /* per item: {"name":… */
    frag *item_points; /* ,"points":P[,"weight":W] */
    frag *rater_key;   /* per rater: "id": */
    frag *slot_key;    /* per slot: "name": */
};

static frag frag_begin(const rb_ndjson_writer *w)
{
    return (frag){(uint32_t)w->text.len, 0};
}

static void frag_end(const rb_ndjson_writer *w, frag *f)
{
    f->len = (uint32_t)w->text.len - f->off;
}

static void put_frag(const rb_ndjson_writer *w, rb_out *out, frag f)
{
    rb_out_add(out, w->text.buf + f.off, f.len);
}

static const char *item_name(const rb_program *p, uint32_t i)
{
    return rb_str(p, p->slots[p->items[i].slot].name);
}

static bool has_child(const rb_program *p, uint32_t si, int what)
{
    const rb_section *s = &p->sections[si];
    for (uint32_t c = 0; c < s->nchildren; c++) {
        const rb_child *ch = &p->children[s->first_child + c];
        if (what == 2 ? ch->kind == CHILD_SECTION
                      : ch->kind == CHILD_ITEM && p->items[ch->index].is_deduct == (what == 1))
            return true;
    }
    return false;
}

rb_ndjson_writer *rb_ndjson_writer_new(const rb_program *p)
{
    rb_ndjson_writer *w = rb_xcalloc(1, sizeof *w);
    w->p = p;
    w->digits = digits_of(p);
    rb_out *t = &w->text;
    rb_out_init_memory(t);
    w->form = p->nstrings > p->name ? rb_str(p, p->name) : "";
    w->period = p->period != RB_NONE && p->period < p->nstrings ? rb_str(p, p->period) : NULL;
    w->version = p->version != RB_NONE && p->version < p->nstrings ? rb_str(p, p->version) : NULL;
    w->digest = p->digest;
    w->head = frag_begin(w);
    rb_out_puts(t, ",\"form\":");
    jstr(t, w->form);
    if (w->period) {
        rb_out_puts(t, ",\"period\":");
        jstr(t, w->period);
    }
    if (w->version) {
        rb_out_puts(t, ",\"version\":");
        jstr(t, w->version);
    }
    frag_end(w, &w->head);
    w->tail = frag_begin(w);
    rb_out_puts(t, "],\"digest\":");
    jstr(t, w->digest);
    rb_out_puts(t, "}\n");
    frag_end(w, &w->tail);

    w->sec_open = rb_xcalloc(p->nsections + 1, sizeof *w->sec_open);
    w->sec_points = rb_xcalloc(p->nsections + 1, sizeof *w->sec_points);
    w->sec_weight = rb_xcalloc(p->nsections + 1, sizeof *w->sec_weight);
    w->sec_has = rb_xcalloc(p->nsections + 1, 1);
    for (uint32_t si = 0; si < p->nsections; si++) {
        const rb_section *s = &p->sections[si];
        w->sec_open[si] = frag_begin(w);
        if (s->slot < p->nslots) { /* the form (section 0) has no slot and is never listed */
            const rb_slot *slot = &p->slots[s->slot];
            rb_out_puts(t, "{\"name\":");
            jstr(t, rb_str(p, slot->name));
            if (slot->label != RB_NONE) {
                rb_out_puts(t, ",\"label\":");
                jstr(t, rb_str(p, slot->label));
            }
        }
        frag_end(w, &w->sec_open[si]);
        w->sec_points[si] = frag_begin(w);
        rb_out_puts(t, ",\"points\":");
        rb_out_num(t, p->numbers[s->points], w->digits);
        frag_end(w, &w->sec_points[si]);
        w->sec_weight[si] = frag_begin(w);
        if (s->weight != RB_NONE) {
            rb_out_puts(t, ",\"weight\":");
            jnum_exact(t, p->numbers[s->weight], w->digits);
        }
        frag_end(w, &w->sec_weight[si]);
        for (int what = 0; what < 3; what++)
            if (has_child(p, si, what)) w->sec_has[si] |= (uint8_t)(1u << what);
    }
    w->item_open = rb_xcalloc(p->nitems + 1, sizeof *w->item_open);
    w->item_points = rb_xcalloc(p->nitems + 1, sizeof *w->item_points);
    for (uint32_t i = 0; i < p->nitems; i++) {
        const rb_item *it = &p->items[i];
        w->item_open[i] = frag_begin(w);
        rb_out_puts(t, "{\"name\":");
        jstr(t, rb_str(p, p->slots[it->slot].name));
        frag_end(w, &w->item_open[i]);
        w->item_points[i] = frag_begin(w);
        rb_out_puts(t, ",\"points\":");
        rb_out_num(t, p->numbers[it->points], w->digits);
        if (it->weight != RB_NONE) {
            rb_out_puts(t, ",\"weight\":");
            jnum_exact(t, p->numbers[it->weight], w->digits);
        }
        frag_end(w, &w->item_points[i]);
    }
    w->rater_key = rb_xcalloc(p->nraters + 1, sizeof *w->rater_key);
    for (uint32_t k = 0; k < p->nraters; k++) {
        w->rater_key[k] = frag_begin(w);
        jstr(t, rb_str(p, p->raters[k].id));
        rb_out_putc(t, ':');
        frag_end(w, &w->rater_key[k]);
    }
    w->slot_key = rb_xcalloc(p->nslots + 1, sizeof *w->slot_key);
    for (uint32_t s = 0; s < p->nslots; s++) {
        w->slot_key[s] = frag_begin(w);
        jstr(t, rb_str(p, p->slots[s].name));
        rb_out_putc(t, ':');
        frag_end(w, &w->slot_key[s]);
    }
    return w;
}

void rb_ndjson_writer_free(rb_ndjson_writer *w)
{
    if (!w) return;
    rb_out_free(&w->text);
    rb_free(w->sec_open);
    rb_free(w->sec_points);
    rb_free(w->sec_weight);
    rb_free(w->sec_has);
    rb_free(w->item_open);
    rb_free(w->item_points);
    rb_free(w->rater_key);
    rb_free(w->slot_key);
    rb_free(w);
}

static void json_item(const rb_ndjson_writer *w, rb_out *out, const rb_result *r, uint32_t i)
{
    const rb_program *p = w->p;
    const rb_result_item *ri = &r->items[i];
    put_frag(w, out, w->item_open[i]);
    if (ri->applicable && ri->has_score) {
        rb_out_puts(out, ",\"score\":");
        rb_out_num(out, ri->score, w->digits);
    }
    put_frag(w, out, w->item_points[i]);
    if (!(ri->applicable && ri->has_score)) rb_out_puts(out, ",\"applicable\":false");
    if (ri->raters && ri->applicable) {
        rb_out_puts(out, ",\"raters\":{");
        bool first = true;
        for (uint32_t k = 0; k < p->nraters; k++) {
            if (ri->raters[k].kind != RB_V_NUM) continue;
            if (!first) rb_out_putc(out, ',');
            first = false;
            put_frag(w, out, w->rater_key[k]);
            rb_out_num(out, ri->raters[k].n, w->digits);
        }
        rb_out_putc(out, '}');
    }
    rb_out_putc(out, '}');
}

/* The children of section `si` of one kind: items (what 0), deductions
 * (what 1) or sections (what 2), as a JSON list. */
static void json_section(const rb_ndjson_writer *w, rb_out *out, const rb_result *r, uint32_t si, int depth);

static void json_children(const rb_ndjson_writer *w, rb_out *out, const rb_result *r, uint32_t si, int what,
                          int depth)
{
    const rb_program *p = w->p;
    const rb_section *s = &p->sections[si];
    bool first = true;
    rb_out_putc(out, '[');
    for (uint32_t c = 0; c < s->nchildren; c++) {
        const rb_child *ch = &p->children[s->first_child + c];
        if (what == 2) {
            if (ch->kind != CHILD_SECTION) continue;
            if (!first) rb_out_putc(out, ',');
            first = false;
            json_section(w, out, r, ch->index, depth + 1);
        } else {
            if (ch->kind != CHILD_ITEM || p->items[ch->index].is_deduct != (what == 1)) continue;
            if (!first) rb_out_putc(out, ',');
            first = false;
            json_item(w, out, r, ch->index);
        }
    }
    rb_out_putc(out, ']');
}

static void json_section(const rb_ndjson_writer *w, rb_out *out, const rb_result *r, uint32_t si, int depth)
{
    const rb_result_section *rs = &r->sections[si];
    put_frag(w, out, w->sec_open[si]);
    if (rs->applicable) {
        rb_out_puts(out, ",\"score\":");
        rb_out_num(out, rs->score, w->digits);
        rb_out_puts(out, ",\"points\":");
        rb_out_num(out, rs->full, w->digits);
    } else {
        put_frag(w, out, w->sec_points[si]);
    }
    put_frag(w, out, w->sec_weight[si]);
    if (!rs->applicable) rb_out_puts(out, ",\"applicable\":false");
    if (depth > MAX_DEPTH) {
        rb_out_putc(out, '}');
        return;
    }
    rb_out_puts(out, ",\"items\":");
    json_children(w, out, r, si, 0, depth);
    if (w->sec_has[si] & 2) {
        rb_out_puts(out, ",\"deductions\":");
        json_children(w, out, r, si, 1, depth);
    }
    if (w->sec_has[si] & 4) {
        rb_out_puts(out, ",\"sections\":");
        json_children(w, out, r, si, 2, depth);
    }
    rb_out_putc(out, '}');
}

static void json_named(const rb_ndjson_writer *w, rb_out *out, const rb_named_value *list, uint32_t n, bool exact)
{
    const rb_program *p = w->p;
    rb_out_putc(out, '{');
    for (uint32_t i = 0; i < n; i++) {
        if (i) rb_out_putc(out, ',');
        if (list[i].slot < p->nslots && list[i].name == rb_str(p, p->slots[list[i].slot].name)) {
            put_frag(w, out, w->slot_key[list[i].slot]);
        } else {
            jstr(out, list[i].name);
            rb_out_putc(out, ':');
        }
        json_value(out, p, &list[i].value, w->digits, exact);
    }
    rb_out_putc(out, '}');
}

void rb_ndjson_write(rb_ndjson_writer *w, rb_out *out, const rb_result *r)
{
    rb_out_puts(out, "{\"record\":");
    rb_out_u64(out, (unsigned long long)r->record);
    if (r->form == w->form && r->period == w->period && r->version == w->version) {
        put_frag(w, out, w->head);
    } else {
        rb_out_puts(out, ",\"form\":");
        jstr(out, r->form);
        if (r->period) {
            rb_out_puts(out, ",\"period\":");
            jstr(out, r->period);
        }
        if (r->version) {
            rb_out_puts(out, ",\"version\":");
            jstr(out, r->version);
        }
    }
    rb_out_puts(out, r->ok ? ",\"ok\":true" : ",\"ok\":false");
    if (r->ok && r->scored) {
        if (r->has_total) {
            rb_out_puts(out, ",\"total\":");
            rb_out_num(out, r->total, w->digits);
        }
        if (r->has_scale) {
            rb_out_puts(out, ",\"scale\":");
            rb_out_num(out, r->scale, w->digits);
        }
        if (r->has_grade) {
            rb_out_puts(out, ",\"grade\":{\"id\":");
            jstr(out, r->grade_id);
            if (r->grade_label) {
                rb_out_puts(out, ",\"label\":");
                jstr(out, r->grade_label);
            }
            rb_out_putc(out, '}');
        }
        rb_out_puts(out, ",\"sections\":");
        json_children(w, out, r, 0, 2, 0);
        if (w->sec_has[0] & 1) {
            rb_out_puts(out, ",\"items\":");
            json_children(w, out, r, 0, 0, 0);
        }
        if (w->sec_has[0] & 2) {
            rb_out_puts(out, ",\"deductions\":");
            json_children(w, out, r, 0, 1, 0);
        }
        rb_out_puts(out, ",\"outputs\":");
        json_named(w, out, r->outputs, r->noutputs, false);
    }
    rb_out_puts(out, ",\"fields\":");
    json_named(w, out, r->fields, r->nfields, true);
    if (w->p->params_json) { /* the -D values that replaced the compiled defaults (SPEC §9) */
        rb_out_puts(out, ",\"params\":");
        rb_out_puts(out, w->p->params_json);
    }
    if (r->has_history) { /* SPEC §13: whose and when, and how much history was read */
        rb_out_puts(out, ",\"history\":{");
        if (r->history_key) {
            rb_out_puts(out, "\"key\":");
            jstr(out, r->history_key);
            rb_out_putc(out, ',');
        }
        if (r->history_period) {
            rb_out_puts(out, "\"period\":");
            jstr(out, r->history_period);
            rb_out_putc(out, ',');
        }
        char n[16];
        snprintf(n, sizeof n, "%u", (unsigned)r->history_periods);
        rb_out_puts(out, "\"periods\":");
        rb_out_puts(out, n);
        rb_out_putc(out, '}');
    }
    rb_out_puts(out, ",\"warnings\":[");
    for (uint32_t i = 0; i < r->nwarnings; i++) {
        if (i) rb_out_putc(out, ',');
        rb_out_puts(out, "{\"code\":");
        jstr(out, r->warnings[i].code);
        rb_out_puts(out, ",\"message\":");
        jstr(out, r->warnings[i].message);
        rb_out_putc(out, '}');
    }
    rb_out_puts(out, "],\"errors\":[");
    for (uint32_t i = 0; i < r->nerrors; i++) {
        if (i) rb_out_putc(out, ',');
        rb_out_puts(out, "{\"path\":");
        jstr(out, r->errors[i].path);
        rb_out_puts(out, ",\"code\":");
        jstr(out, r->errors[i].code);
        rb_out_puts(out, ",\"message\":");
        jstr(out, r->errors[i].message);
        rb_out_putc(out, '}');
    }
    if (r->digest == w->digest) {
        put_frag(w, out, w->tail);
    } else {
        rb_out_puts(out, "],\"digest\":");
        jstr(out, r->digest);
        rb_out_puts(out, "}\n");
    }
}

void rb_write_ndjson(FILE *out, const rb_program *p, const rb_result *r)
{
    rb_ndjson_writer *w = rb_ndjson_writer_new(p);
    char buf[4096];
    rb_out o;
    rb_out_init_file(&o, out, buf, sizeof buf);
    rb_ndjson_write(w, &o, r);
    rb_out_flush(&o);
    rb_ndjson_writer_free(w);
}

/* ---- plain text values (CSV, table, explain) ---------------------------- */

const char *rb_yes_no(rb_lang lang, bool b)
{
    return rb_tr(lang, b ? N_("yes") : N_("no"));
}

/* raw: text as it is (CSV quotes it); else cleaned for one-line output. */
static void sb_value(sbuf *b, const rb_program *p, const rb_value *v, int digits, const char *set_sep, bool raw)
{
    switch (v->kind) {
    case RB_V_NUM: sb_num(b, v->n, digits); return;
    case RB_V_BOOL: sb_puts(b, v->b ? "true" : "false"); return;
    case RB_V_TEXT: case RB_V_DATE:
        if (raw) sb_add(b, v->s, v->len);
        else sb_clean(b, v->s, v->len);
        return;
    case RB_V_CHOICE:
        assert(v->opt < p->noptions);
        sb_puts(b, rb_str(p, p->options[v->opt].id));
        return;
    case RB_V_SET: {
        assert(v->opt < p->nchoicesets);
        const rb_choiceset *c = &p->choicesets[v->opt];
        bool first = true;
        for (uint32_t k = 0; k < c->count; k++) {
            if (!(v->bits >> k & 1)) continue;
            if (!first) sb_puts(b, set_sep);
            first = false;
            sb_puts(b, rb_str(p, p->options[c->first + k].id));
        }
        return;
    }
    default: return;
    }
}

/* ---- table -------------------------------------------------------------- */

#define TABLE_MAX_FIELDS 3
#define TABLE_MAX_OUTPUTS 4  /* 绩效奖金, 工资系数…: the first outputs, after the grade */
#define TABLE_CELL_WIDTH 24
#define TABLE_RESULT_WIDTH 200 /* errors shown in full up to about this many columns */

struct rb_table {
    const rb_program *p;
    rb_lang lang;
    uint32_t fields[TABLE_MAX_FIELDS]; /* text field slots shown */
    uint32_t nfields;
    uint32_t outputs[TABLE_MAX_OUTPUTS]; /* output slots shown */
    uint32_t noutputs;
    uint32_t ncols;
    bool *right;     /* per column: right-aligned (numbers) */
    char **cells;    /* header row first, then rows; ncols per row */
    size_t nrows, cap;
};

/* Makes room for one more row. */
static void table_grow(rb_table *t)
{
    size_t need = (t->nrows + 1) * t->ncols;
    if (need <= t->cap) return;
    while (t->cap < need) t->cap *= 2;
    t->cells = rb_xrealloc(t->cells, t->cap * sizeof *t->cells);
}

/* Cuts text to `max` display columns, ending in "…" when cut. */
static char *cut_width(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (rb_display_width(s, n) <= max) return rb_xstrdup(s);
    sbuf b = {0};
    size_t w = 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = rb_utf8_decode(u + i, n - i, &cp);
        if (!k) k = 1, cp = 0xFFFD;
        int cw = rb_cp_width(cp);
        if (w + (size_t)cw + 1 > max) break;
        sb_add(&b, s + i, k);
        w += (size_t)cw;
        i += k;
    }
    sb_puts(&b, "…");
    return sb_take(&b);
}

rb_table *rb_table_new(const rb_program *p, rb_lang lang)
{
    rb_table *t = rb_xcalloc(1, sizeof *t);
    t->p = p;
    t->lang = lang;
    /* name-ish columns: the first text fields (姓名, 部门…) */
    for (uint32_t s = 0; s < p->nslots && t->nfields < TABLE_MAX_FIELDS; s++)
        if (p->slots[s].kind == SLOT_FIELD && p->slots[s].type == RB_T_TEXT) t->fields[t->nfields++] = s;
    for (uint32_t s = 0; s < p->nslots && t->noutputs < TABLE_MAX_OUTPUTS; s++)
        if (p->slots[s].kind == SLOT_OUTPUT) t->outputs[t->noutputs++] = s;
    t->ncols = 1 + t->nfields + (p->has_items ? 2 : 0) + t->noutputs + 1;
    t->right = rb_xcalloc(t->ncols, sizeof *t->right);
    t->cap = (size_t)t->ncols * 16;
    t->cells = rb_xmalloc(t->cap * sizeof *t->cells);
    uint32_t c = 0;
    t->right[c] = true;
    t->cells[c++] = rb_xstrdup("#");
    for (uint32_t i = 0; i < t->nfields; i++) {
        const rb_slot *s = &p->slots[t->fields[i]];
        t->cells[c++] = cut_width(rb_str(p, s->label != RB_NONE ? s->label : s->name), TABLE_CELL_WIDTH);
    }
    if (p->has_items) {
        t->right[c] = true;
        t->cells[c++] = rb_xstrdup(rb_tr(lang, N_("total")));
        t->cells[c++] = rb_xstrdup(rb_tr(lang, N_("grade")));
    }
    for (uint32_t i = 0; i < t->noutputs; i++) {
        const rb_slot *s = &p->slots[t->outputs[i]];
        t->right[c] = s->type <= RB_T_PERCENT; /* numbers line up on the right */
        t->cells[c++] = cut_width(rb_str(p, s->label != RB_NONE ? s->label : s->name), TABLE_CELL_WIDTH);
    }
    t->cells[c++] = rb_xstrdup(rb_tr(lang, N_("result")));
    t->nrows = 1;
    return t;
}

void rb_table_add(rb_table *t, const rb_result *r)
{
    const rb_program *p = t->p;
    table_grow(t);
    char **row = &t->cells[t->nrows * t->ncols];
    uint32_t c = 0;
    char buf[64];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)r->record);
    row[c++] = rb_xstrdup(buf);
    for (uint32_t i = 0; i < t->nfields; i++) {
        const char *v = "";
        size_t vlen = 0; /* a text may hold NUL (\u0000): not strlen */
        for (uint32_t k = 0; k < r->nfields; k++)
            if (r->fields[k].slot == t->fields[i] && r->fields[k].value.kind == RB_V_TEXT) {
                v = r->fields[k].value.s;
                vlen = r->fields[k].value.len;
            }
        sbuf b = {0};
        sb_clean(&b, v, vlen);
        char *clean = sb_take(&b);
        row[c++] = cut_width(clean, TABLE_CELL_WIDTH);
        rb_free(clean);
    }
    bool show = r->ok && r->scored;
    if (p->has_items) {
        buf[0] = '\0';
        if (show && r->has_total) rb_num_format(r->total, digits_of(p), buf, sizeof buf);
        row[c++] = rb_xstrdup(buf);
        const char *g = show && r->has_grade ? (r->grade_label ? r->grade_label : r->grade_id) : "";
        sbuf gb = {0};
        sb_clean(&gb, g, strlen(g));
        char *clean = sb_take(&gb);
        row[c++] = cut_width(clean, TABLE_CELL_WIDTH);
        rb_free(clean);
    }
    for (uint32_t i = 0; i < t->noutputs; i++) {
        sbuf o = {0};
        for (uint32_t k = 0; show && k < r->noutputs; k++)
            if (r->outputs[k].slot != t->outputs[i]) continue;
            else if (r->outputs[k].value.kind == RB_V_BOOL) sb_puts(&o, rb_yes_no(t->lang, r->outputs[k].value.b));
            else sb_value(&o, p, &r->outputs[k].value, digits_of(p), ";", false);
        char *v = sb_take(&o);
        row[c++] = cut_width(v ? v : "", TABLE_CELL_WIDTH);
        rb_free(v);
    }
    sbuf b = {0};
    /* errors in full while the line stays readable (a did-you-mean behind
     * "(+1 more)" helps no one), and every warning's text (SPEC §16) */
    rb_lang L = t->lang;
    sb_puts(&b, rb_tr(L, r->ok ? N_("ok") : N_("invalid: ")));
    for (uint32_t k = 0; !r->ok && k < r->nerrors; k++) {
        const char *m = r->errors[k].message;
        if (k && rb_display_width(b.s, b.len) + rb_display_width(m, strlen(m)) > TABLE_RESULT_WIDTH) {
            sb_printf(&b, rb_tr(L, N_(" (+%u more)")), r->nerrors - k);
            break;
        }
        if (k) sb_puts(&b, rb_tr(L, N_("; ")));
        sb_clean(&b, m, strlen(m));
    }
    for (uint32_t k = 0; k < r->nwarnings; k++) {
        sb_puts(&b, rb_tr(L, k ? N_("; ") : r->ok ? N_(", warning: ") : N_("; warning: ")));
        sb_clean(&b, r->warnings[k].message, strlen(r->warnings[k].message));
    }
    row[c++] = sb_take(&b);
    t->nrows++;
}

void rb_table_write(rb_table *t, FILE *out)
{
    size_t *w = rb_xcalloc(t->ncols, sizeof *w);
    for (size_t r = 0; r < t->nrows; r++)
        for (uint32_t c = 0; c < t->ncols; c++) {
            const char *s = t->cells[r * t->ncols + c];
            size_t cw = rb_display_width(s, strlen(s));
            if (cw > w[c]) w[c] = cw;
        }
    for (size_t r = 0; r < t->nrows; r++) {
        for (uint32_t c = 0; c < t->ncols; c++) {
            const char *s = t->cells[r * t->ncols + c];
            size_t pad = w[c] - rb_display_width(s, strlen(s));
            bool last = c + 1 == t->ncols;
            if (c) fputs("  ", out);
            if (t->right[c]) for (size_t i = 0; i < pad; i++) putc(' ', out);
            fputs(s, out);
            if (!t->right[c] && !last) for (size_t i = 0; i < pad; i++) putc(' ', out);
        }
        putc('\n', out);
        if (r == 0) {
            for (uint32_t c = 0; c < t->ncols; c++) {
                if (c) fputs("  ", out);
                for (size_t i = 0; i < w[c]; i++) putc('-', out);
            }
            putc('\n', out);
        }
    }
    rb_free(w);
}

void rb_table_free(rb_table *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->nrows * t->ncols; i++) rb_free(t->cells[i]);
    rb_free(t->cells);
    rb_free(t->right);
    rb_free(t);
}

/* ---- explain ------------------------------------------------------------ */

/* Explain's words in the result's language (SPEC §17). */
#define T(s) rb_tr(r->lang, s)

static void indent(FILE *out, int depth)
{
    for (int i = 0; i < depth; i++) fputs("  ", out);
}

/* name "label" — labels only where declared. */
static void sb_named(sbuf *b, const rb_program *p, uint32_t slot)
{
    const rb_slot *s = &p->slots[slot];
    sb_puts(b, rb_str(p, s->name));
    if (s->label != RB_NONE) {
        sb_puts(b, " \"");
        sb_clean(b, rb_str(p, s->label), p->string_len[s->label]);
        sb_puts(b, "\"");
    }
}

static void put_line(FILE *out, int depth, sbuf *b)
{
    indent(out, depth);
    fputs(b->s ? b->s : "", out);
    putc('\n', out);
    rb_free(b->s);
    *b = (sbuf){0};
}

/* title: "fields:", translated */
static void explain_named(FILE *out, const rb_program *p, const char *title, const rb_named_value *list, uint32_t n,
                          int digits)
{
    if (!n) return;
    fprintf(out, "  %s\n", title);
    for (uint32_t i = 0; i < n; i++) {
        sbuf b = {0};
        sb_named(&b, p, list[i].slot);
        sb_puts(&b, " = ");
        const rb_value *v = &list[i].value;
        if (v->kind == RB_V_TEXT) {
            sb_puts(&b, "\"");
            sb_value(&b, p, v, digits, ", ", false);
            sb_puts(&b, "\"");
        } else if (v->kind == RB_V_NUM) {
            char buf[64];
            rb_num_format_exact(v->n, buf, sizeof buf);
            if (strchr(buf, '/')) { /* 18/19: not a finite decimal — say it is rounded */
                sb_puts(&b, buf);
                sb_puts(&b, " ≈ ");
                rb_num_format(v->n, digits, buf, sizeof buf);
            }
            sb_puts(&b, buf);
        } else if (v->kind == RB_V_SET) {
            sb_puts(&b, "[");
            sb_value(&b, p, v, digits, ", ", false);
            sb_puts(&b, "]");
        } else {
            sb_value(&b, p, v, digits, ", ", false);
        }
        put_line(out, 2, &b);
    }
}

static void explain_section(FILE *out, const rb_program *p, const rb_result *r, uint32_t si, int depth);

static void explain_item(FILE *out, const rb_program *p, const rb_result *r, uint32_t i, int depth)
{
    int digits = digits_of(p);
    const rb_item *it = &p->items[i];
    const rb_result_item *ri = &r->items[i];
    sbuf b = {0};
    sb_puts(&b, it->is_deduct ? T(N_("deduct ")) : T(N_("item ")));
    sb_named(&b, p, it->slot);
    if (!(ri->applicable && ri->has_score)) {
        sb_puts(&b, T(N_(": not applicable")));
        put_line(out, depth, &b);
        return;
    }
    sb_puts(&b, T(N_(": ")));
    if (it->is_deduct && !rb_num_is_zero(ri->score)) sb_puts(&b, "−");
    sb_num(&b, ri->score, digits);
    sb_puts(&b, T(N_(" of ")));
    sb_num(&b, p->numbers[it->points], digits);
    if (it->weight != RB_NONE) {
        sb_puts(&b, T(N_(", weight ")));
        sb_pct(&b, p->numbers[it->weight]);
    }
    if (ri->raters) {
        sb_puts(&b, " = ");
        bool first = true;
        for (uint32_t k = 0; k < p->nraters; k++) {
            rb_num w = p->numbers[p->raters[k].weight];
            if (rb_num_is_zero(w)) continue;
            if (!first) sb_puts(&b, " + ");
            first = false;
            sb_pct(&b, w);
            sb_printf(&b, " × %s ", rb_str(p, p->raters[k].id));
            if (ri->raters[k].kind == RB_V_NUM) sb_num(&b, ri->raters[k].n, digits);
        }
        for (uint32_t k = 0; k < p->nraters; k++) {
            if (!rb_num_is_zero(p->numbers[p->raters[k].weight]) || ri->raters[k].kind != RB_V_NUM) continue;
            char given[64];
            rb_num_format(ri->raters[k].n, digits, given, sizeof given);
            sb_printf(&b, T(N_(" (%s gave %s, weight 0%%: not counted)")), rb_str(p, p->raters[k].id), given);
        }
    }
    put_line(out, depth, &b);
}

/* The line that shows how a section's score was reached. */
static void explain_sum(FILE *out, const rb_program *p, const rb_result *r, uint32_t si, int depth)
{
    int digits = digits_of(p);
    const rb_section *s = &p->sections[si];
    const rb_result_section *rs = &r->sections[si];
    sbuf b = {0};
    sb_puts(&b, "= ");
    rb_num points = p->numbers[s->points];
    bool first = true;
    if (s->weighted) {
        sb_num(&b, points, digits);
        sb_puts(&b, " × (");
    } else if (rs->rescaled) {
        sb_num(&b, points, digits);
        sb_puts(&b, " × (");
    }
    for (uint32_t c = 0; c < s->nchildren; c++) {
        const rb_child *ch = &p->children[s->first_child + c];
        rb_num score, full;
        uint32_t w, slot;
        if (ch->kind == CHILD_SECTION) {
            const rb_result_section *cs = &r->sections[ch->index];
            if (!cs->applicable) continue;
            score = cs->score, full = cs->full;
            w = p->sections[ch->index].weight, slot = p->sections[ch->index].slot;
        } else {
            const rb_item *it = &p->items[ch->index];
            const rb_result_item *ri = &r->items[ch->index];
            if (it->is_deduct || !ri->applicable || !ri->has_score) continue;
            score = ri->score, full = p->numbers[it->points], w = it->weight, slot = it->slot;
        }
        if (!first) sb_puts(&b, " + ");
        first = false;
        if (s->weighted) {
            if (w != RB_NONE) sb_pct(&b, w == RB_NONE ? rb_num_zero() : p->numbers[w]);
            sb_printf(&b, " × %s ", rb_str(p, p->slots[slot].name));
            sb_num(&b, score, digits);
            sb_puts(&b, "/");
            sb_num(&b, full, digits);
        } else {
            sb_printf(&b, "%s ", rb_str(p, p->slots[slot].name));
            sb_num(&b, score, digits);
        }
    }
    if (s->weighted) {
        sb_puts(&b, ")");
        if (rs->rescaled) {
            sb_puts(&b, " ÷ ");
            sb_pct(&b, rs->applicable_weight);
        }
    } else if (rs->rescaled) {
        sb_puts(&b, ") ÷ ");
        sb_num(&b, rs->applicable_full, digits);
    }
    for (uint32_t c = 0; c < s->nchildren; c++) {
        const rb_child *ch = &p->children[s->first_child + c];
        if (ch->kind != CHILD_ITEM || !p->items[ch->index].is_deduct) continue;
        const rb_result_item *ri = &r->items[ch->index];
        if (!ri->applicable || !ri->has_score) continue;
        sb_printf(&b, " − %s ", item_name(p, ch->index));
        sb_num(&b, ri->score, digits);
    }
    sb_puts(&b, " = ");
    sb_num(&b, rs->score, digits);
    if (rs->floored) sb_puts(&b, T(N_(" (deductions exceed the score: floored at 0)")));
    if (rs->rescaled && s->weighted)
        sb_puts(&b, T(N_(" (renormalised over the weights that apply)")));
    else if (rs->rescaled)
        sb_puts(&b, T(N_(" (rescaled to the scale)")));
    put_line(out, depth, &b);
}

static void explain_section(FILE *out, const rb_program *p, const rb_result *r, uint32_t si, int depth)
{
    int digits = digits_of(p);
    const rb_section *s = &p->sections[si];
    const rb_result_section *rs = &r->sections[si];
    sbuf b = {0};
    sb_puts(&b, T(N_("section ")));
    sb_named(&b, p, s->slot);
    if (!rs->applicable) {
        sb_puts(&b, T(N_(": not applicable (nothing in it applies)")));
        put_line(out, depth, &b);
        return;
    }
    sb_puts(&b, T(N_(": ")));
    sb_num(&b, rs->score, digits);
    sb_puts(&b, T(N_(" of ")));
    sb_num(&b, rs->full, digits);
    if (rb_num_cmp(rs->full, p->numbers[s->points]) != 0) {
        char declared[64];
        rb_num_format(p->numbers[s->points], digits, declared, sizeof declared);
        sb_printf(&b, T(N_(" (of %s declared: what does not apply leaves the full mark)")), declared);
    }
    if (s->weight != RB_NONE) {
        sb_puts(&b, T(N_(", weight ")));
        sb_pct(&b, p->numbers[s->weight]);
    }
    put_line(out, depth, &b);
    if (depth > MAX_DEPTH) return;
    for (uint32_t c = 0; c < s->nchildren; c++) {
        const rb_child *ch = &p->children[s->first_child + c];
        if (ch->kind == CHILD_SECTION) explain_section(out, p, r, ch->index, depth + 1);
        else explain_item(out, p, r, ch->index, depth + 1);
    }
    explain_sum(out, p, r, si, depth + 1);
}

void rb_write_explain(FILE *out, const rb_program *p, const rb_result *r)
{
    int digits = digits_of(p);
    sbuf b = {0};
    sb_printf(&b, T(N_("record %llu")), (unsigned long long)r->record);
    if (r->source) {
        sb_puts(&b, T(N_(" ("))); /* full-width in Chinese */
        sb_clean(&b, r->source, strlen(r->source));
        if (r->line) sb_printf(&b, T(N_(", line %llu")), (unsigned long long)r->line);
        sb_puts(&b, T(N_(")")));
    }
    sb_printf(&b, T(N_(", form %s")), r->form);
    if (p->label != RB_NONE) {
        sb_puts(&b, " \"");
        sb_clean(&b, rb_str(p, p->label), p->string_len[p->label]);
        sb_puts(&b, "\"");
    }
    if (r->period) sb_printf(&b, T(N_(", period %s")), r->period);
    if (r->version) sb_printf(&b, T(N_(", version %s")), r->version);
    sb_puts(&b, T(N_(": ")));
    if (r->ok) sb_puts(&b, T(N_("valid")));
    else if (r->nerrors == 1) sb_puts(&b, T(N_("invalid (1 error)")));
    else sb_printf(&b, T(N_("invalid (%u errors)")), r->nerrors);
    put_line(out, 0, &b);

    explain_named(out, p, T(N_("fields:")), r->fields, r->nfields, digits);
    bool show = r->ok && r->scored;
    if (r->scored) { /* also when only a check failed: the values explain why */
        explain_named(out, p, T(N_("inputs:")), r->inputs, r->ninputs, digits);
        explain_named(out, p, T(N_("params:")), r->params, r->nparams, digits);
        explain_named(out, p, T(N_("lets:")), r->lets, r->nlets, digits);
    }
    if (show) {
        if (p->has_items) {
            const rb_section *root = &p->sections[0];
            for (uint32_t c = 0; c < root->nchildren; c++) {
                const rb_child *ch = &p->children[root->first_child + c];
                if (ch->kind == CHILD_SECTION) explain_section(out, p, r, ch->index, 1);
                else explain_item(out, p, r, ch->index, 1);
            }
            if (r->has_total) {
                sb_puts(&b, T(N_("total: ")));
                sb_num(&b, r->total, digits);
                sb_puts(&b, T(N_(" of ")));
                sb_num(&b, r->scale, digits);
                if (r->total_from_expr) sb_puts(&b, T(N_(" (from `total = …`)")));
                if (rb_num_cmp(r->total, r->total_exact) != 0) {
                    /* the exact value, or a few more digits than printed */
                    char buf[64];
                    rb_num_format_exact(r->total_exact, buf, sizeof buf);
                    if (strchr(buf, '/')) {
                        int more = digits + 4 > RB_NUM_MAX_DIGITS ? RB_NUM_MAX_DIGITS : digits + 4;
                        rb_num_format(r->total_exact, more, buf, sizeof buf);
                        strcat(buf, "…");
                    }
                    if (digits == 1) sb_printf(&b, T(N_(" (%s rounded to %d digit)")), buf, digits);
                    else sb_printf(&b, T(N_(" (%s rounded to %d digits)")), buf, digits);
                }
                put_line(out, 1, &b);
                if (!r->total_from_expr && r->sections[0].applicable) explain_sum(out, p, r, 0, 2);
            } else {
                sb_puts(&b, T(N_("total: none (nothing in this record applies)")));
                put_line(out, 1, &b);
            }
            if (r->has_grade) {
                /* a capped grade is explained by the arm that held before the cap */
                bool capped = r->grade_uncapped_arm != RB_NONE;
                const rb_arm *a = &p->arms[capped ? r->grade_uncapped_arm : r->grade_arm];
                sb_printf(&b, T(N_("grade: %s")), r->grade_id);
                if (r->grade_label && strcmp(r->grade_label, r->grade_id) != 0) {
                    sb_puts(&b, " \"");
                    sb_clean(&b, r->grade_label, strlen(r->grade_label));
                    sb_puts(&b, "\"");
                }
                char value[64], threshold[64] = "";
                rb_num_format(r->grade_value, digits, value, sizeof value);
                if (a->op != RB_ARM_ELSE) rb_num_format(p->numbers[a->threshold], digits, threshold, sizeof threshold);
                /* the reason, left open for a cap to add to it */
                if (a->op == RB_ARM_ELSE && r->grade_on_expr)
                    sb_printf(&b, T(N_(" (graded on %s: no earlier arm holds, so else")), value);
                else if (a->op == RB_ARM_ELSE)
                    sb_printf(&b, T(N_(" (%s: no earlier arm holds, so else")), value);
                else if (r->grade_on_expr)
                    sb_printf(&b, T(N_(" (graded on %s %s %s: the first arm that holds")), value, rb_arm_op_text(a->op),
                              threshold);
                else
                    sb_printf(&b, T(N_(" (%s %s %s: the first arm that holds")), value, rb_arm_op_text(a->op), threshold);
                if (capped)
                    sb_printf(&b, T(N_(", which gives %s; capped at %s by 'at most %s when …')")), rb_str(p, a->id),
                              r->grade_id, r->grade_id);
                else
                    sb_puts(&b, T(N_(")")));
                put_line(out, 1, &b);
            } else if (p->grade.narms) {
                sb_puts(&b, T(N_("grade: none (no arm holds)")));
                put_line(out, 1, &b);
            }
        }
        explain_named(out, p, T(N_("outputs:")), r->outputs, r->noutputs, digits);
    }
    if (r->nwarnings) {
        fprintf(out, "  %s\n", T(N_("warnings:")));
        for (uint32_t i = 0; i < r->nwarnings; i++) {
            sb_clean(&b, r->warnings[i].message, strlen(r->warnings[i].message));
            put_line(out, 2, &b);
        }
    } else {
        fprintf(out, "  %s\n", T(N_("warnings: none")));
    }
    if (r->nerrors) {
        fprintf(out, "  %s\n", T(N_("errors:")));
        for (uint32_t i = 0; i < r->nerrors; i++) {
            sb_printf(&b, "%s", r->errors[i].code);
            if (r->errors[i].path[0]) sb_printf(&b, T(N_(" at %s")), r->errors[i].path);
            sb_puts(&b, T(N_(": ")));
            sb_clean(&b, r->errors[i].message, strlen(r->errors[i].message));
            put_line(out, 2, &b);
        }
    } else {
        fprintf(out, "  %s\n", T(N_("errors: none")));
    }
    putc('\n', out);
}
