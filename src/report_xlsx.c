/* report_xlsx.c — `rubric report --format xlsx -o OUT.xlsx`: the report as a
 * workbook (libxlsxwriter, put at its path by workbook.c) with three sheets, named in the reader's
 * language: the summary (counts, totals, grades, sections, groups), the
 * results (one row per record, in input order, with its rank and errors)
 * and the distribution rules.
 *
 * A number goes into a cell as the decimal the other formats print (rounded
 * to precision; shares to 4 digits, shown as percentages), so the workbook
 * agrees with them digit for digit. */
#include <stdio.h>
#include <stdlib.h>
#include <xlsxwriter.h>

#include "arena.h"
#include "program.h"
#include "report.h"
#include "workbook.h"

#define T(s) rb_tr(lang, s)

typedef struct {
    lxw_worksheet *ws;
    lxw_format *bold, *pct;
    const rb_report *r;
} sheet;

/* The number as the text formats print it, read back as the nearest double. */
static void put_num(sheet *s, lxw_row_t row, lxw_col_t col, rb_num n, int digits, lxw_format *f)
{
    char buf[64];
    rb_num_format(n, digits, buf, sizeof buf);
    worksheet_write_number(s->ws, row, col, strtod(buf, NULL), f);
}

static void put_u64(sheet *s, lxw_row_t row, lxw_col_t col, uint64_t v)
{
    worksheet_write_number(s->ws, row, col, (double)v, NULL);
}

static void put_text(sheet *s, lxw_row_t row, lxw_col_t col, const char *text, lxw_format *f)
{
    worksheet_write_string(s->ws, row, col, text, f);
}

static void headers(sheet *s, lxw_row_t row, const char *const *cols, size_t n)
{
    for (size_t i = 0; i < n; i++) put_text(s, row, (lxw_col_t)i, cols[i], s->bold);
}

/* records … max of the batch or a group, from column `col`. */
static void counts_row(sheet *s, lxw_row_t row, lxw_col_t col, const rb_report_stats *st)
{
    put_u64(s, row, col, st->records);
    put_u64(s, row, col + 1, st->valid);
    put_u64(s, row, col + 2, st->invalid);
    if (!st->totals) return;
    put_num(s, row, col + 3, st->mean, s->r->digits, NULL);
    put_num(s, row, col + 4, st->median, s->r->digits, NULL);
    put_num(s, row, col + 5, st->min, s->r->digits, NULL);
    put_num(s, row, col + 6, st->max, s->r->digits, NULL);
}

static void summary_sheet(sheet *s, rb_lang lang)
{
    const rb_report *r = s->r;
    const rb_program *p = r->p;
    char title[512];
    put_text(s, 0, 0, rb_report_title(r, lang, title, sizeof title), s->bold);
    const char *summary[] = {T(N_("Records")), T(N_("Valid")), T(N_("Invalid")), T(N_("Mean")),
                             T(N_("Median")),  T(N_("Min")),   T(N_("Max"))};
    headers(s, 2, summary, 7);
    counts_row(s, 3, 0, &r->all);
    lxw_row_t row = 5;
    if (p->grade.narms) {
        const char *cols[] = {T(N_("Grade")), T(N_("Count")), T(N_("Share"))};
        headers(s, row++, cols, 3);
        for (uint32_t a = 0; a < p->grade.narms; a++, row++) {
            put_text(s, row, 0, rb_report_grade_label(r, a), NULL);
            put_u64(s, row, 1, r->all.grade_count[a]);
            put_num(s, row, 2, r->all.grade_share[a], 4, s->pct);
        }
        row++;
    }
    if (p->nsections > 1) {
        const char *cols[] = {T(N_("Section")), T(N_("Mean")), T(N_("Full mark"))};
        headers(s, row++, cols, 3);
        for (uint32_t i = 1; i < p->nsections; i++, row++) {
            put_text(s, row, 0, rb_report_section_label(r, i), NULL);
            if (r->all.section_n[i]) put_num(s, row, 1, r->all.section_mean[i], r->digits, NULL);
            put_num(s, row, 2, rb_report_section_points(r, i), r->digits, NULL);
        }
        row++;
    }
    if (r->by_slot != RB_NONE) {
        put_text(s, row, 0, rb_report_by_label(r), s->bold);
        for (lxw_col_t c = 0; c < 7; c++) put_text(s, row, c + 1, summary[c], s->bold);
        for (uint32_t a = 0; a < p->grade.narms; a++)
            put_text(s, row, (lxw_col_t)(8 + a), rb_report_grade_label(r, a), s->bold);
        row++;
        for (uint32_t g = 0; g < r->ngroups; g++, row++) {
            put_text(s, row, 0, rb_report_group_text(r, &r->groups[g], lang), NULL);
            counts_row(s, row, 1, &r->groups[g].stats);
            for (uint32_t a = 0; a < p->grade.narms; a++)
                put_u64(s, row, (lxw_col_t)(8 + a), r->groups[g].stats.grade_count[a]);
        }
    }
    worksheet_set_column(s->ws, 0, 0, 22, NULL);
    worksheet_set_column(s->ws, 1, 12, 11, NULL);
}

static void results_sheet(sheet *s, rb_lang lang)
{
    const rb_report *r = s->r;
    const rb_program *p = r->p;
    lxw_col_t c = 0;
    put_text(s, 0, c++, T(N_("Record")), s->bold);
    put_text(s, 0, c++, T(N_("Name")), s->bold);
    if (r->by_slot != RB_NONE) put_text(s, 0, c++, rb_report_by_label(r), s->bold);
    put_text(s, 0, c++, T(N_("Rank")), s->bold);
    put_text(s, 0, c++, T(N_("Total")), s->bold);
    put_text(s, 0, c++, T(N_("Grade")), s->bold);
    for (uint32_t i = 1; i < p->nsections; i++) put_text(s, 0, c++, rb_report_section_label(r, i), s->bold);
    put_text(s, 0, c++, T(N_("Warnings")), s->bold);
    put_text(s, 0, c, T(N_("Errors")), s->bold);
    uint64_t *rank = rb_xcalloc(r->nrows ? r->nrows : 1, sizeof *rank);
    for (uint32_t i = 0; i < r->nranking; i++) rank[r->ranking[i].row] = r->ranking[i].rank;
    char buf[64];
    for (size_t i = 0; i < r->nrows; i++) {
        const rb_report_row *row = &r->rows[i];
        lxw_row_t y = (lxw_row_t)(i + 1);
        c = 0;
        put_u64(s, y, c++, row->record);
        put_text(s, y, c++, rb_report_who(r, row, buf, sizeof buf), NULL);
        if (r->by_slot != RB_NONE) put_text(s, y, c++, rb_report_group_text(r, &r->groups[row->group], lang), NULL);
        if (rank[i]) put_u64(s, y, c, rank[i]);
        c++;
        if (row->has_total) put_num(s, y, c, row->total, r->digits, NULL);
        c++;
        if (row->grade != RB_NONE) put_text(s, y, c, rb_report_grade_label(r, row->grade), NULL);
        c++;
        for (uint32_t k = 1; k < p->nsections; k++, c++)
            if (row->section_applies[k]) put_num(s, y, c, row->section_score[k], r->digits, NULL);
        rb_buf text = {0};
        for (uint32_t k = 0; k < row->nwarnings; k++) rb_buf_printf(&text, "%s%s", k ? "\n" : "", row->warnings[k]);
        if (text.s) put_text(s, y, c, text.s, NULL);
        rb_buf_free(&text);
        c++;
        for (uint32_t k = 0; k < row->nerrors; k++)
            rb_buf_printf(&text, "%s%s: %s", k ? "\n" : "", row->errors[k].code, row->errors[k].message);
        if (text.s) put_text(s, y, c, text.s, NULL);
        rb_buf_free(&text);
    }
    rb_free(rank);
    worksheet_freeze_panes(s->ws, 1, 0);
}

static void rules_sheet(sheet *s, rb_lang lang)
{
    const rb_report *r = s->r;
    const char *cols[] = {T(N_("Rule")), T(N_("Group")), T(N_("Share")), T(N_("Kept"))};
    headers(s, 0, cols, 4);
    for (uint32_t i = 0; i < r->nrules; i++) {
        const rb_report_rule *rule = &r->rules[i];
        lxw_row_t y = (lxw_row_t)(i + 1);
        put_text(s, y, 0, rule->text, NULL);
        put_text(s, y, 1, rule->group == RB_NONE ? T(N_("all")) : rb_report_group_text(r, &r->dist_groups[rule->group], lang),
                 NULL);
        if (rule->has_share) put_num(s, y, 2, rule->share, 4, s->pct);
        put_text(s, y, 3, rule->ok ? "✓" : T(N_("✗ broken")), NULL);
    }
    worksheet_set_column(s->ws, 0, 0, 28, NULL);
    worksheet_set_column(s->ws, 1, 3, 14, NULL);
}

bool rb_report_xlsx(const char *path, const rb_report *r, rb_lang lang, char *err, size_t cap)
{
    rb_workbook w;
    if (rb_workbook_open(&w, path, false, lang, err, cap) != 0) return false;
    sheet s = {.r = r, .bold = workbook_add_format(w.wb), .pct = workbook_add_format(w.wb)};
    format_set_bold(s.bold);
    format_set_num_format(s.pct, "0.00%");
    s.ws = workbook_add_worksheet(w.wb, T(N_("Summary")));
    summary_sheet(&s, lang);
    s.ws = workbook_add_worksheet(w.wb, T(N_("Results")));
    results_sheet(&s, lang);
    s.ws = workbook_add_worksheet(w.wb, T(N_("Rules")));
    rules_sheet(&s, lang);
    return rb_workbook_close(&w, err, cap) == 0;
}
