/* sheet.c — the blank spreadsheet of a template's records (see sheet.h). */
#include "sheet.h"

#include "arena.h"
#include "buf.h"
#include "columns.h"
#include "outfile.h"
#include "program.h"
#include "workbook.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xlsxwriter.h>

/* Excel's limits on a data validation's texts, in characters. */
enum { LIST_MAX = 255, TITLE_MAX = 32, MESSAGE_MAX = 255, SHEET_NAME_MAX = 31 };

const char *rb_sheet_header(const rb_columns *c, size_t i)
{
    for (size_t j = 0; j < c->n; j++)
        if (j != i && strcmp(c->cols[j].label, c->cols[i].label) == 0) return c->cols[i].key;
    return c->cols[i].label;
}

static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* A copy of s cut to at most max characters (whole UTF-8 sequences). */
static char *cut(const char *s, size_t max)
{
    size_t k = 0, i = 0;
    for (; s[i]; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && k++ == max) break;
    }
    char *out = rb_xmalloc(i + 1);
    memcpy(out, s, i);
    out[i] = '\0';
    return out;
}

static double to_double(const rb_program *p, uint32_t n)
{
    char buf[64];
    rb_num_format(p->numbers[n], RB_NUM_MAX_DIGITS, buf, sizeof buf);
    return strtod(buf, NULL);
}

static const char *num_text(const rb_program *p, uint32_t n, char *buf, size_t cap)
{
    rb_num_format(p->numbers[n], RB_NUM_MAX_DIGITS, buf, cap);
    return buf;
}

static const char *option_text(const rb_program *p, const rb_option *o)
{
    return rb_str(p, o->label != RB_NONE ? o->label : o->id);
}

/* What a column takes, for the instructions and the input message. */
static void describe(const rb_program *p, const rb_column *col, rb_lang lang, rb_buf *b)
{
    const rb_input *in = &p->inputs[col->input];
    const rb_slot *s = &p->slots[in->slot];
    char lo[64], hi[64];
    switch (s->type) {
    case RB_T_CHOICE:
    case RB_T_CHOICES: {
        const rb_choiceset *cs = &p->choicesets[s->choiceset];
        rb_buf_puts(b, rb_tr(lang, s->type == RB_T_CHOICE ? N_("one of: ") : N_("any of, separated by ';': ")));
        for (uint32_t k = 0; k < cs->count; k++)
            rb_buf_printf(b, "%s%s", k ? " / " : "", option_text(p, &p->options[cs->first + k]));
        return;
    }
    case RB_T_BOOL: rb_buf_puts(b, rb_tr(lang, N_("yes or no: 是/否, √/×, 1/0"))); return;
    case RB_T_DATE: rb_buf_puts(b, rb_tr(lang, N_("a date: 2026/6/1 or 2026年6月1日"))); return;
    case RB_T_TEXT: rb_buf_puts(b, rb_tr(lang, N_("text"))); return;
    default: break;
    }
    if (s->type == RB_T_PERCENT) rb_buf_printf(b, rb_tr(lang, N_("a percentage (%s or 0.85)")), "85%");
    else rb_buf_puts(b, rb_tr(lang, s->type == RB_T_INTEGER ? N_("a whole number") : N_("a number")));
    if (in->min != RB_NONE && in->max != RB_NONE)
        rb_buf_printf(b, " %s..%s", num_text(p, in->min, lo, sizeof lo), num_text(p, in->max, hi, sizeof hi));
    else if (in->min != RB_NONE)
        rb_buf_printf(b, " %s %s", in->min_incl ? "≥" : ">", num_text(p, in->min, lo, sizeof lo));
    else if (in->max != RB_NONE)
        rb_buf_printf(b, " %s %s", in->max_incl ? "≤" : "<", num_text(p, in->max, hi, sizeof hi));
    if (col->rater != RB_NONE && p->raters[col->rater].many)
        rb_buf_puts(b, rb_tr(lang, N_("; several raters' values separated by ';' (4;5;3)")));
}

/* May the column be left blank, or hold 不适用? */
static bool optional_column(const rb_program *p, const rb_column *col)
{
    const rb_input *in = &p->inputs[col->input];
    if (!in->required || p->slots[in->slot].maybe) return true;
    if (p->slots[in->slot].type == RB_T_CHOICES) return true; /* blank is the empty set */
    if (in->item != RB_NONE && p->items[in->item].optional) return true;
    if (col->rater == RB_NONE) return false;
    const rb_rater *r = &p->raters[col->rater];
    return r->optional || r->many || rb_num_is_zero(p->numbers[r->weight]); /* weight 0%: informational */
}

/* ---- CSV -------------------------------------------------------------------- */

static int write_csv(const rb_columns *c, const char *path, rb_lang lang, char *err, size_t cap)
{
    rb_buf b = {0};
    rb_buf_puts(&b, "\xEF\xBB\xBF"); /* the BOM: Excel then reads UTF-8 */
    for (size_t i = 0; i < c->n; i++) {
        const char *h = rb_sheet_header(c, i);
        if (i) rb_buf_putc(&b, ',');
        bool quote = strpbrk(h, ",\"\r\n") != NULL;
        if (quote) rb_buf_putc(&b, '"');
        for (const char *s = h; *s; s++) {
            if (*s == '"') rb_buf_putc(&b, '"');
            rb_buf_putc(&b, *s);
        }
        if (quote) rb_buf_putc(&b, '"');
    }
    rb_buf_puts(&b, "\r\n");
    int st = rb_write_file(path, b.s, b.len, lang, err, cap);
    rb_buf_free(&b);
    return st;
}

/* ---- xlsx ------------------------------------------------------------------- */

/* A sheet name Excel accepts: at most 31 characters, none of []:*?/\ . */
static char *sheet_name(const char *want, const char *fallback)
{
    char *s = cut(want, SHEET_NAME_MAX);
    for (char *c = s; *c; c++)
        if (strchr("[]:*?/\\'", *c)) *c = '_';
    if (!*s) {
        rb_free(s);
        s = rb_xstrdup(fallback);
    }
    return s;
}

typedef struct {
    const rb_program *p;
    rb_lang lang;
    lxw_workbook *wb;
    lxw_worksheet *lists; /* the hidden sheet of long choice lists */
    uint16_t nlists;
} book;

/* A list drop-down for the column's options; lists Excel cannot hold
 * inline (past 255 characters, or with a comma or quote in an option) go
 * to the hidden sheet, one column each, and the drop-down refers to it. */
static void choice_list(book *bk, lxw_data_validation *dv, const rb_choiceset *cs, char ***list, char **formula)
{
    size_t len = 0;
    bool inline_ok = true;
    for (uint32_t k = 0; k < cs->count; k++) {
        const char *t = option_text(bk->p, &bk->p->options[cs->first + k]);
        len += chars(t) + (k > 0);
        if (strpbrk(t, ",\"")) inline_ok = false;
    }
    if (inline_ok && len <= LIST_MAX) {
        *list = rb_xcalloc(cs->count + 1, sizeof **list);
        for (uint32_t k = 0; k < cs->count; k++)
            (*list)[k] = (char *)option_text(bk->p, &bk->p->options[cs->first + k]);
        dv->validate = LXW_VALIDATION_TYPE_LIST;
        dv->value_list = *list;
        return;
    }
    if (!bk->lists) {
        bk->lists = workbook_add_worksheet(bk->wb, "lists");
        worksheet_hide(bk->lists);
    }
    uint16_t col = bk->nlists++;
    for (uint32_t k = 0; k < cs->count; k++)
        worksheet_write_string(bk->lists, k, col, option_text(bk->p, &bk->p->options[cs->first + k]), NULL);
    char from[16], to[16];
    lxw_rowcol_to_cell_abs(from, 0, col, 1, 1);
    lxw_rowcol_to_cell_abs(to, cs->count - 1, col, 1, 1);
    rb_buf b = {0};
    rb_buf_printf(&b, "=lists!%s:%s", from, to);
    *formula = b.s;
    dv->validate = LXW_VALIDATION_TYPE_LIST_FORMULA;
    dv->value_formula = *formula;
}

static lxw_error column_validation(book *bk, lxw_worksheet *ws, const rb_column *col, lxw_col_t c)
{
    const rb_program *p = bk->p;
    const rb_input *in = &p->inputs[col->input];
    const rb_slot *s = &p->slots[in->slot];
    lxw_data_validation dv = {0};
    char **list = NULL, *formula = NULL;
    char *yes_no[] = {"是", "否", NULL};
    bool optional = optional_column(p, col);
    bool many = col->rater != RB_NONE && p->raters[col->rater].many;
    switch (s->type) {
    case RB_T_CHOICE:
    case RB_T_CHOICES: choice_list(bk, &dv, &p->choicesets[s->choiceset], &list, &formula); break;
    case RB_T_BOOL:
        dv.validate = LXW_VALIDATION_TYPE_LIST;
        dv.value_list = yes_no;
        break;
    case RB_T_NUMBER:
    case RB_T_INTEGER:
    case RB_T_PERCENT:
        if (in->min == RB_NONE && in->max == RB_NONE) break;
        dv.validate = s->type == RB_T_INTEGER ? LXW_VALIDATION_TYPE_INTEGER : LXW_VALIDATION_TYPE_DECIMAL;
        if (in->min != RB_NONE && in->max != RB_NONE) {
            dv.criteria = LXW_VALIDATION_CRITERIA_BETWEEN;
            dv.minimum_number = to_double(p, in->min);
            dv.maximum_number = to_double(p, in->max);
        } else if (in->min != RB_NONE) {
            dv.criteria = in->min_incl ? LXW_VALIDATION_CRITERIA_GREATER_THAN_OR_EQUAL_TO
                                       : LXW_VALIDATION_CRITERIA_GREATER_THAN;
            dv.value_number = to_double(p, in->min);
        } else {
            dv.criteria = in->max_incl ? LXW_VALIDATION_CRITERIA_LESS_THAN_OR_EQUAL_TO
                                       : LXW_VALIDATION_CRITERIA_LESS_THAN;
            dv.value_number = to_double(p, in->max);
        }
        break;
    default: break;
    }
    rb_buf what = {0};
    describe(p, col, bk->lang, &what);
    char *title = cut(col->label, TITLE_MAX), *message = cut(what.s, MESSAGE_MAX);
    lxw_error e = LXW_NO_ERROR;
    if (dv.validate == 0) {
        /* no check, but the input message still says what the column takes */
        dv.validate = LXW_VALIDATION_TYPE_ANY;
    }
    dv.input_title = title;
    dv.input_message = message;
    dv.error_title = title;
    dv.error_message = message;
    /* A choices cell holds several options, an optional one may say 不适用,
     * and a rater group's cell several values: a stop would refuse what
     * the reader accepts, so these only warn. */
    dv.error_type = s->type == RB_T_CHOICES || many || optional ? LXW_VALIDATION_ERROR_TYPE_WARNING
                                                                 : LXW_VALIDATION_ERROR_TYPE_STOP;
    e = worksheet_data_validation_range(ws, 1, c, LXW_ROW_MAX - 1, c, &dv);
    rb_free(list);
    rb_free(formula);
    rb_free(title);
    rb_free(message);
    rb_buf_free(&what);
    return e;
}

static void instructions(book *bk, const rb_columns *c, const char *records_name, lxw_format *bold)
{
    const rb_program *p = bk->p;
    rb_lang lang = bk->lang;
    char *name = sheet_name(rb_tr(lang, N_("Instructions")), "Instructions");
    lxw_worksheet *ws = workbook_add_worksheet(bk->wb, name);
    rb_free(name);
    const char *form = rb_str(p, p->label != RB_NONE ? p->label : p->name);
    worksheet_write_string(ws, 0, 0, form, bold);
    rb_buf line = {0};
    rb_buf_printf(&line, rb_tr(lang, "One row per record on the sheet \"%s\"; the header row names the columns, so do not "
                                     "change it. Leave a cell blank when there is no value."),
                  records_name);
    worksheet_write_string(ws, 1, 0, line.s, NULL);
    rb_buf_free(&line);
    worksheet_write_string(ws, 2, 0,
                           rb_tr(lang, N_("Yes or no: 是/否, √/×, 1/0. Dates: 2026/6/1 or 2026年6月1日. Not applicable: "
                                          "不适用. Then score it: rubric score TEMPLATE THIS-FILE.xlsx")),
                           NULL);
    const char *heads[] = {rb_tr(lang, N_("Column")), rb_tr(lang, N_("Name in records")), rb_tr(lang, N_("Takes")),
                           rb_tr(lang, N_("Required"))};
    for (int k = 0; k < 4; k++) worksheet_write_string(ws, 4, (lxw_col_t)k, heads[k], bold);
    for (size_t i = 0; i < c->n; i++) {
        lxw_row_t r = (lxw_row_t)(5 + i);
        rb_buf what = {0};
        describe(p, &c->cols[i], lang, &what);
        worksheet_write_string(ws, r, 0, rb_sheet_header(c, i), NULL);
        worksheet_write_string(ws, r, 1, c->cols[i].key, NULL);
        worksheet_write_string(ws, r, 2, what.s, NULL);
        worksheet_write_string(ws, r, 3,
                               rb_tr(lang, optional_column(p, &c->cols[i]) ? N_("optional") : N_("required")), NULL);
        rb_buf_free(&what);
    }
    worksheet_set_column(ws, 0, 1, 24, NULL);
    worksheet_set_column(ws, 2, 2, 48, NULL);
    worksheet_set_column(ws, 3, 3, 10, NULL);
}

static int write_xlsx(const rb_program *p, const rb_columns *c, const char *path, rb_lang lang, char *err, size_t cap)
{
    book bk = {.p = p, .lang = lang};
    rb_workbook out;
    if (rb_workbook_open(&out, path, false, lang, err, cap) != 0) return -1;
    bk.wb = out.wb;
    char *records = sheet_name(rb_str(p, p->label != RB_NONE ? p->label : p->name), "Records");
    lxw_worksheet *ws = workbook_add_worksheet(bk.wb, records);
    lxw_format *head = workbook_add_format(bk.wb);
    format_set_bold(head);
    format_set_bg_color(head, 0xDDEBF7);
    format_set_text_wrap(head);
    lxw_format *text = workbook_add_format(bk.wb);
    format_set_num_format(text, "@"); /* ids keep their leading zeros */
    lxw_format *date = workbook_add_format(bk.wb);
    format_set_num_format(date, "yyyy-mm-dd");
    lxw_error e = LXW_NO_ERROR;
    for (size_t i = 0; i < c->n && !e; i++) {
        const rb_slot *s = &p->slots[p->inputs[c->cols[i].input].slot];
        lxw_col_t col = (lxw_col_t)i;
        double width = (double)chars(rb_sheet_header(c, i)) * 2 + 2;
        if (width < 10) width = 10;
        if (width > 40) width = 40;
        worksheet_set_column(ws, col, col, width, s->type == RB_T_TEXT ? text : s->type == RB_T_DATE ? date : NULL);
        e = worksheet_write_string(ws, 0, col, rb_sheet_header(c, i), head);
        if (!e) e = column_validation(&bk, ws, &c->cols[i], col);
    }
    worksheet_freeze_panes(ws, 1, 0);
    instructions(&bk, c, records, head);
    worksheet_activate(ws);
    rb_free(records);
    if (e) {
        snprintf(err, cap, rb_tr(lang, "cannot write %s: %s"), path, lxw_strerror(e));
        rb_workbook_discard(&out);
        return -1;
    }
    return rb_workbook_close(&out, err, cap);
}

int rb_sheet_write(const rb_program *p, const char *path, rb_lang lang, char *err, size_t cap)
{
    rb_columns *c = rb_columns_new(p);
    size_t n = strlen(path);
    int st = n >= 5 && strcasecmp(path + n - 5, ".xlsx") == 0 ? write_xlsx(p, c, path, lang, err, cap)
                                                              : write_csv(c, path, lang, err, cap);
    rb_columns_free(c);
    return st;
}
