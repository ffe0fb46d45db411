/* report_md.c — `rubric report --format md`: the report as Markdown, in the
 * reader's language: summary, grades, sections, groups, distribution rules,
 * ranking, warnings and invalid records, each a table or a list. */
#include <stdio.h>
#include <string.h>

#include "program.h"
#include "report.h"

#define T(s) rb_tr(lang, s)

/* Text in a table cell: a '|' would end the cell, a newline the row. */
static void cell(rb_out *o, const char *s)
{
    rb_out_puts(o, " ");
    for (; *s; s++) {
        if (*s == '|') rb_out_puts(o, "\\|");
        else if (*s == '\n' || *s == '\r') rb_out_putc(o, ' ');
        else if (*s == '<') rb_out_puts(o, "&lt;");
        else rb_out_putc(o, *s);
    }
    rb_out_puts(o, " |");
}

static void cell_u64(rb_out *o, uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
    cell(o, buf);
}

static void cell_num(rb_out *o, const rb_report *r, bool has, rb_num n)
{
    char buf[64];
    cell(o, has ? rb_report_num(r, n, buf, sizeof buf) : "–");
}

/* "| a | b |\n|---|---|\n" */
static void header(rb_out *o, const char *const *cols, size_t n)
{
    rb_out_putc(o, '|');
    for (size_t i = 0; i < n; i++) cell(o, cols[i]);
    rb_out_puts(o, "\n|");
    for (size_t i = 0; i < n; i++) rb_out_puts(o, "---|");
    rb_out_putc(o, '\n');
}

static void heading(rb_out *o, const char *text)
{
    rb_out_puts(o, "\n## ");
    rb_out_puts(o, text);
    rb_out_puts(o, "\n\n");
}

static void counts_cells(rb_out *o, const rb_report *r, const rb_report_stats *s)
{
    cell_u64(o, s->records);
    cell_u64(o, s->valid);
    cell_u64(o, s->invalid);
    cell_num(o, r, s->totals, s->mean);
    cell_num(o, r, s->totals, s->median);
    cell_num(o, r, s->totals, s->min);
    cell_num(o, r, s->totals, s->max);
}

void rb_report_md(rb_out *o, const rb_report *r, rb_lang lang)
{
    const rb_program *p = r->p;
    char buf[64], title[512];
    rb_out_puts(o, "# ");
    rb_out_puts(o, rb_report_title(r, lang, title, sizeof title));
    rb_out_putc(o, '\n');

    heading(o, T(N_("Summary")));
    const char *summary[] = {T(N_("Records")), T(N_("Valid")),  T(N_("Invalid")), T(N_("Mean")),
                             T(N_("Median")),  T(N_("Min")),    T(N_("Max"))};
    header(o, summary, 7);
    rb_out_putc(o, '|');
    counts_cells(o, r, &r->all);
    rb_out_putc(o, '\n');

    if (p->grade.narms) {
        heading(o, T(N_("Grades")));
        const char *cols[] = {T(N_("Grade")), T(N_("Count")), T(N_("Share"))};
        header(o, cols, 3);
        for (uint32_t a = 0; a < p->grade.narms; a++) {
            rb_out_putc(o, '|');
            cell(o, rb_report_grade_label(r, a));
            cell_u64(o, r->all.grade_count[a]);
            cell(o, rb_report_pct(r->all.grade_share[a], buf, sizeof buf));
            rb_out_putc(o, '\n');
        }
    }

    if (p->nsections > 1) {
        heading(o, T(N_("Sections")));
        const char *cols[] = {T(N_("Section")), T(N_("Mean")), T(N_("Full mark"))};
        header(o, cols, 3);
        for (uint32_t i = 1; i < p->nsections; i++) {
            rb_out_putc(o, '|');
            cell(o, rb_report_section_label(r, i));
            cell_num(o, r, r->all.section_n[i], r->all.section_mean[i]);
            cell_num(o, r, true, rb_report_section_points(r, i));
            rb_out_putc(o, '\n');
        }
    }

    if (r->by_slot != RB_NONE) {
        heading(o, T(N_("Groups")));
        rb_out_putc(o, '|');
        cell(o, rb_report_by_label(r));
        for (size_t i = 0; i < 7; i++) cell(o, summary[i]);
        for (uint32_t a = 0; a < p->grade.narms; a++) cell(o, rb_report_grade_label(r, a));
        rb_out_puts(o, "\n|");
        for (uint32_t i = 0; i < 8 + p->grade.narms; i++) rb_out_puts(o, "---|");
        rb_out_putc(o, '\n');
        for (uint32_t g = 0; g < r->ngroups; g++) {
            const rb_report_stats *s = &r->groups[g].stats;
            rb_out_putc(o, '|');
            cell(o, rb_report_group_text(r, &r->groups[g], lang));
            counts_cells(o, r, s);
            for (uint32_t a = 0; a < p->grade.narms; a++) cell_u64(o, s->grade_count[a]);
            rb_out_putc(o, '\n');
        }
    }

    if (r->nrules) {
        heading(o, T(N_("Distribution rules")));
        const char *cols[] = {T(N_("Rule")), T(N_("Group")), T(N_("Share")), T(N_("Kept"))};
        header(o, cols, 4);
        for (uint32_t i = 0; i < r->nrules; i++) {
            const rb_report_rule *rule = &r->rules[i];
            rb_out_putc(o, '|');
            cell(o, rule->text);
            cell(o, rule->group == RB_NONE ? T(N_("all")) : rb_report_group_text(r, &r->dist_groups[rule->group], lang));
            cell(o, rule->has_share ? rb_report_pct(rule->share, buf, sizeof buf) : "–");
            cell(o, rule->ok ? "✓" : T(N_("✗ broken")));
            rb_out_putc(o, '\n');
        }
    }

    if (r->nranking) {
        heading(o, T(N_("Ranking")));
        const char *cols[] = {T(N_("Rank")), T(N_("Record")), T(N_("Name")), T(N_("Total")), T(N_("Grade"))};
        header(o, cols, 5);
        for (uint32_t i = 0; i < r->nranking; i++) {
            const rb_report_row *row = &r->rows[r->ranking[i].row];
            rb_out_putc(o, '|');
            cell_u64(o, r->ranking[i].rank);
            cell_u64(o, row->record);
            cell(o, rb_report_who(r, row, buf, sizeof buf));
            cell_num(o, r, true, row->total);
            cell(o, row->grade == RB_NONE ? "–" : rb_report_grade_label(r, row->grade));
            rb_out_putc(o, '\n');
        }
    }

    if (r->nwarnings) {
        heading(o, T(N_("Warnings")));
        for (size_t i = 0; i < r->nrows; i++)
            for (uint32_t k = 0; k < r->rows[i].nwarnings; k++) {
                snprintf(buf, sizeof buf, "- #%llu ", (unsigned long long)r->rows[i].record);
                rb_out_puts(o, buf);
                rb_out_puts(o, rb_report_who(r, &r->rows[i], buf, sizeof buf));
                rb_out_puts(o, ": ");
                rb_out_puts(o, r->rows[i].warnings[k]);
                rb_out_putc(o, '\n');
            }
    }

    if (r->all.invalid) {
        heading(o, T(N_("Invalid records")));
        for (size_t i = 0; i < r->nrows; i++) {
            const rb_report_row *row = &r->rows[i];
            if (row->ok) continue;
            snprintf(buf, sizeof buf, "- #%llu ", (unsigned long long)row->record);
            rb_out_puts(o, buf);
            rb_out_puts(o, rb_report_who(r, row, buf, sizeof buf));
            rb_out_putc(o, '\n');
            for (uint32_t k = 0; k < row->nerrors; k++) {
                rb_out_puts(o, "  - `");
                rb_out_puts(o, row->errors[k].code);
                rb_out_puts(o, "` ");
                rb_out_puts(o, row->errors[k].message);
                rb_out_putc(o, '\n');
            }
        }
    }
}
