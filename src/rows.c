/* rows.c — results as rows for people, in CSV and .xlsx (see rows.h). */
#include "rows.h"

#include "arena.h"
#include "program.h"
#include "utf8.h"
#include "workbook.h"

#include <stdlib.h>
#include <string.h>

typedef enum { C_FIELD, C_TOTAL, C_GRADE, C_SECTION, C_OUTPUT, C_RECORD, C_VALID, C_WARNINGS, C_ERRORS } col_what;

typedef struct {
    col_what what;
    uint32_t index; /* slot (fields, outputs) or section */
    const char *header;
    rb_col_kind kind;
} column;

struct rb_rows {
    const rb_program *p;
    rb_lang lang;
    column *cols;
    size_t n;
};

static const char *label_of(const rb_program *p, uint32_t slot)
{
    const rb_slot *s = &p->slots[slot];
    return rb_str(p, s->label != RB_NONE ? s->label : s->name);
}

static void add(rb_rows *w, col_what what, uint32_t index, const char *header, rb_col_kind kind)
{
    w->cols = rb_xrealloc(w->cols, (w->n + 1) * sizeof *w->cols);
    w->cols[w->n++] = (column){what, index, header, kind};
}

static bool is_number(uint8_t type)
{
    return type == RB_T_NUMBER || type == RB_T_INTEGER || type == RB_T_PERCENT;
}

rb_rows *rb_rows_new(const rb_program *p, rb_lang lang)
{
    rb_rows *w = rb_xcalloc(1, sizeof *w);
    w->p = p;
    w->lang = lang;
    for (uint32_t s = 0; s < p->nslots; s++)
        if (p->slots[s].kind == SLOT_FIELD)
            add(w, C_FIELD, s, label_of(p, s), is_number(p->slots[s].type) ? RB_COL_NUMBER : RB_COL_TEXT);
    if (p->has_items) {
        add(w, C_TOTAL, 0, rb_tr(lang, N_("total")), RB_COL_NUMBER);
        if (p->grade.narms) add(w, C_GRADE, 0, rb_tr(lang, N_("grade")), RB_COL_TEXT);
        for (uint32_t si = 1; si < p->nsections; si++)
            add(w, C_SECTION, si, label_of(p, p->sections[si].slot), RB_COL_NUMBER);
    }
    for (uint32_t s = 0; s < p->nslots; s++)
        if (p->slots[s].kind == SLOT_OUTPUT)
            add(w, C_OUTPUT, s, label_of(p, s), is_number(p->slots[s].type) ? RB_COL_NUMBER : RB_COL_TEXT);
    add(w, C_RECORD, 0, rb_tr(lang, N_("record")), RB_COL_NUMBER);
    add(w, C_VALID, 0, rb_tr(lang, N_("valid")), RB_COL_TEXT);
    add(w, C_WARNINGS, 0, rb_tr(lang, N_("warnings")), RB_COL_TEXT);
    add(w, C_ERRORS, 0, rb_tr(lang, N_("errors")), RB_COL_TEXT);
    return w;
}

void rb_rows_free(rb_rows *w)
{
    if (!w) return;
    rb_free(w->cols);
    rb_free(w);
}

size_t rb_rows_count(const rb_rows *w)
{
    return w->n;
}

const char *rb_rows_header(const rb_rows *w, size_t col)
{
    return w->cols[col].header;
}

rb_col_kind rb_rows_kind(const rb_rows *w, size_t col)
{
    return w->cols[col].kind;
}

static const char *option_label(const rb_program *p, uint32_t opt)
{
    const rb_option *o = &p->options[opt];
    return rb_str(p, o->label != RB_NONE ? o->label : o->id);
}

/* A value as a person reads it. */
static void value_text(const rb_rows *w, const rb_value *v, rb_buf *b)
{
    const rb_program *p = w->p;
    char num[64];
    switch (v->kind) {
    case RB_V_NUM:
        rb_num_format(v->n, (int)p->precision, num, sizeof num);
        rb_buf_puts(b, num);
        return;
    case RB_V_BOOL: rb_buf_puts(b, rb_yes_no(w->lang, v->b)); return;
    case RB_V_TEXT:
    case RB_V_DATE: rb_buf_add(b, v->s, strlen(v->s)); return;
    case RB_V_CHOICE: rb_buf_puts(b, option_label(p, v->opt)); return;
    case RB_V_SET: {
        const rb_choiceset *c = &p->choicesets[v->opt];
        bool first = true;
        for (uint32_t k = 0; k < c->count; k++) {
            if (!(v->bits >> k & 1)) continue;
            if (!first) rb_buf_puts(b, ";");
            first = false;
            rb_buf_puts(b, option_label(p, c->first + k));
        }
        return;
    }
    default: return;
    }
}

static const rb_value *named(const rb_named_value *list, uint32_t n, uint32_t slot)
{
    for (uint32_t k = 0; k < n; k++)
        if (list[k].slot == slot) return &list[k].value;
    return NULL;
}

void rb_rows_cells(const rb_rows *w, const rb_result *r, rb_buf *cells)
{
    const rb_program *p = w->p;
    bool show = r->ok && r->scored;
    char num[64];
    for (size_t i = 0; i < w->n; i++) {
        const column *c = &w->cols[i];
        rb_buf *b = &cells[i];
        b->len = 0;
        if (b->s) b->s[0] = '\0';
        const rb_value *v = NULL;
        switch (c->what) {
        case C_FIELD: v = named(r->fields, r->nfields, c->index); break;
        case C_OUTPUT: v = show ? named(r->outputs, r->noutputs, c->index) : NULL; break;
        case C_TOTAL:
            if (show && r->has_total) {
                rb_num_format(r->total, (int)p->precision, num, sizeof num);
                rb_buf_puts(b, num);
            }
            break;
        case C_GRADE:
            if (show && r->has_grade) rb_buf_puts(b, r->grade_label ? r->grade_label : r->grade_id);
            break;
        case C_SECTION:
            if (show && c->index < r->nsections && r->sections[c->index].applicable) {
                rb_num_format(r->sections[c->index].score, (int)p->precision, num, sizeof num);
                rb_buf_puts(b, num);
            }
            break;
        case C_RECORD: rb_buf_printf(b, "%llu", (unsigned long long)r->record); break;
        case C_VALID: rb_buf_puts(b, rb_yes_no(w->lang, r->ok)); break;
        case C_WARNINGS:
            for (uint32_t k = 0; k < r->nwarnings; k++)
                rb_buf_printf(b, "%s%s", k ? rb_tr(w->lang, N_("; ")) : "", r->warnings[k].message);
            break;
        case C_ERRORS:
            for (uint32_t k = 0; k < r->nerrors; k++)
                rb_buf_printf(b, "%s%s", k ? rb_tr(w->lang, N_("; ")) : "", r->errors[k].message);
            break;
        }
        if (v) value_text(w, v, b);
        if (!b->s) rb_buf_puts(b, "");
    }
}

/* ---- CSV -------------------------------------------------------------------- */

/* One cell, quoted when it must be; invalid UTF-8 becomes U+FFFD and NUL
 * is dropped, so that Excel never meets either. */
static void csv_cell(FILE *out, const char *s, size_t n, bool first)
{
    if (!first) putc(',', out);
    rb_buf b = {0};
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = rb_utf8_decode(u + i, n - i, &cp);
        if (!k) rb_buf_puts(&b, "\xEF\xBF\xBD"), i++;
        else if (cp == 0) i++;
        else rb_buf_add(&b, s + i, k), i += k;
    }
    const char *t = b.s ? b.s : "";
    bool quote = b.len && (strpbrk(t, ",\"\r\n") || t[0] == ' ' || t[b.len - 1] == ' ');
    if (!quote) {
        fputs(t, out);
    } else {
        putc('"', out);
        for (const char *c = t; *c; c++) {
            if (*c == '"') putc('"', out);
            putc(*c, out);
        }
        putc('"', out);
    }
    rb_buf_free(&b);
}

void rb_rows_csv_header(const rb_rows *w, FILE *out)
{
    fputs("\xEF\xBB\xBF", out); /* the BOM: Excel then reads UTF-8 */
    for (size_t i = 0; i < w->n; i++) csv_cell(out, w->cols[i].header, strlen(w->cols[i].header), i == 0);
    fputs("\r\n", out);
}

void rb_rows_csv(const rb_rows *w, FILE *out, const rb_result *r)
{
    rb_buf *cells = rb_xcalloc(w->n, sizeof *cells);
    rb_rows_cells(w, r, cells);
    for (size_t i = 0; i < w->n; i++) {
        csv_cell(out, cells[i].s, cells[i].len, i == 0);
        rb_buf_free(&cells[i]);
    }
    rb_free(cells);
    fputs("\r\n", out);
}

/* ---- xlsx ------------------------------------------------------------------- */

unsigned long rb_rows_xlsx_sheet_rows = 1048576;

struct rb_rows_xlsx {
    const rb_rows *w;
    rb_workbook out;
    lxw_worksheet *ws;
    unsigned sheets;
    lxw_row_t row;
    lxw_format *head, *invalid;
    rb_buf *cells;
    lxw_error e;
};

static void new_sheet(rb_rows_xlsx *x)
{
    const rb_program *p = x->w->p;
    rb_buf name = {0};
    /* the form's name (31 characters at most, as Excel wants), then (2), (3)… */
    const char *form = rb_str(p, p->label != RB_NONE ? p->label : p->name);
    size_t chars = 0, i = 0;
    for (; form[i] && chars < 24; i++) chars += ((unsigned char)form[i] & 0xC0) != 0x80;
    while (form[i] && ((unsigned char)form[i] & 0xC0) == 0x80) i++;
    for (size_t k = 0; k < i; k++) rb_buf_putc(&name, strchr("[]:*?/\\'", form[k]) ? '_' : form[k]);
    if (!name.s) rb_buf_puts(&name, "results");
    if (x->sheets++) rb_buf_printf(&name, " (%u)", x->sheets);
    x->ws = workbook_add_worksheet(x->out.wb, name.s);
    rb_buf_free(&name);
    if (!x->ws) {
        x->e = LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE;
        return;
    }
    for (size_t c = 0; c < x->w->n; c++) {
        const char *h = x->w->cols[c].header;
        size_t width = rb_display_width(h, strlen(h)) + 2;
        worksheet_set_column(x->ws, (lxw_col_t)c, (lxw_col_t)c, (double)(width < 8 ? 8 : width > 40 ? 40 : width), NULL);
        lxw_error e = worksheet_write_string(x->ws, 0, (lxw_col_t)c, h, x->head);
        if (e && !x->e) x->e = e;
    }
    worksheet_freeze_panes(x->ws, 1, 0);
    x->row = 1;
}

rb_rows_xlsx *rb_rows_xlsx_open(const rb_rows *w, const char *path, char *err, size_t cap)
{
    rb_rows_xlsx *x = rb_xcalloc(1, sizeof *x);
    x->w = w;
    if (rb_workbook_open(&x->out, path, true, w->lang, err, cap) != 0) {
        rb_free(x);
        return NULL;
    }
    x->head = workbook_add_format(x->out.wb);
    format_set_bold(x->head);
    format_set_bg_color(x->head, 0xDDEBF7);
    x->invalid = workbook_add_format(x->out.wb);
    format_set_bg_color(x->invalid, 0xFFC7CE); /* Excel's own "bad" fill */
    format_set_font_color(x->invalid, 0x9C0006);
    x->cells = rb_xcalloc(w->n, sizeof *x->cells);
    new_sheet(x);
    return x;
}

void rb_rows_xlsx_add(rb_rows_xlsx *x, const rb_result *r)
{
    if (x->e) return;
    if (x->row >= rb_rows_xlsx_sheet_rows) new_sheet(x);
    if (x->e) return;
    rb_rows_cells(x->w, r, x->cells);
    lxw_format *f = r->ok ? NULL : x->invalid;
    for (size_t c = 0; c < x->w->n; c++) {
        const rb_buf *b = &x->cells[c];
        lxw_error e = LXW_NO_ERROR;
        char *end = NULL;
        double v = x->w->cols[c].kind == RB_COL_NUMBER && b->len ? strtod(b->s, &end) : 0;
        if (end && *end == '\0') e = worksheet_write_number(x->ws, x->row, (lxw_col_t)c, v, f);
        else if (b->len) e = worksheet_write_string(x->ws, x->row, (lxw_col_t)c, b->s, f);
        else if (f) e = worksheet_write_blank(x->ws, x->row, (lxw_col_t)c, f);
        if (e && !x->e) x->e = e;
    }
    x->row++;
}

int rb_rows_xlsx_close(rb_rows_xlsx *x, char *err, size_t cap)
{
    int st;
    if (x->e) {
        snprintf(err, cap, rb_tr(x->w->lang, "cannot write %s: %s"), x->out.target, lxw_strerror(x->e));
        rb_workbook_discard(&x->out);
        st = -1;
    } else {
        st = rb_workbook_close(&x->out, err, cap);
    }
    for (size_t c = 0; c < x->w->n; c++) rb_buf_free(&x->cells[c]);
    rb_free(x->cells);
    rb_free(x);
    return st;
}
