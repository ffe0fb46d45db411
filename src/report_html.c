/* report_html.c — `rubric report --format html`: the 考核报告 as one
 * self-contained page, printable on A4, in the reader's language.
 *
 * Nothing on the page is fetched: no script, no stylesheet link, no image
 * file, no web font.  The charts are inline SVG drawn here (grade
 * distribution, total histogram, section means against full marks, groups
 * side by side), so the page reads the same offline, printed or archived.
 * Numbers shown as text are exact and printed like the JSON report; only
 * the geometry of the charts uses floating point. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "html.h"
#include "program.h"
#include "report.h"

#define T(s) rb_tr(lang, s)
#define HIST_BINS 10

/* Text as HTML (html.h). */
static void esc(rb_out *o, const char *s)
{
    for (; *s; s++) {
        const char *entity = rb_html_entity(*s);
        if (entity) rb_out_puts(o, entity);
        else rb_out_putc(o, *s);
    }
}

static void printf_out(rb_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void printf_out(rb_out *o, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0) rb_out_add(o, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static double as_double(rb_num n)
{
    return (double)n.num / (double)n.den;
}

/* <td class="k">text</td> */
static void td(rb_out *o, const char *cls, const char *text)
{
    rb_out_puts(o, "<td");
    if (cls) printf_out(o, " class=\"%s\"", cls);
    rb_out_putc(o, '>');
    esc(o, text);
    rb_out_puts(o, "</td>");
}

static void td_u64(rb_out *o, const char *cls, uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
    td(o, cls, buf);
}

static void td_num(rb_out *o, const rb_report *r, const char *cls, bool has, rb_num n)
{
    char buf[64];
    td(o, cls, has ? rb_report_num(r, n, buf, sizeof buf) : "–");
}

static void th_row(rb_out *o, const char *const *cols, size_t n)
{
    rb_out_puts(o, "<tr>");
    for (size_t i = 0; i < n; i++) {
        rb_out_puts(o, "<th>");
        esc(o, cols[i]);
        rb_out_puts(o, "</th>");
    }
    rb_out_puts(o, "</tr>\n");
}

static const char STYLE[] =
    "@page{size:A4;margin:14mm}\n"
    "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"Microsoft YaHei\",\"PingFang SC\","
    "sans-serif;font-size:10pt;color:#222;max-width:182mm;margin:0 auto}\n"
    "h1{font-size:16pt;margin:0 0 2mm}h2{font-size:12pt;margin:5mm 0 2mm;border-bottom:1px solid #999}\n"
    "table{border-collapse:collapse;width:100%;margin:1mm 0}th,td{border:1px solid #bbb;padding:1mm 2mm;"
    "text-align:left}\n"
    "td.n,td.count,td.share,td.mean,td.median,td.min,td.max,td.records,td.valid,td.invalid,td.points,"
    "td.total,td.rank,td.record{text-align:right}\n"
    ".ok{color:#1a7f37;font-weight:bold}.broken{color:#c62828;font-weight:bold}\n"
    ".charts{display:flex;flex-wrap:wrap;gap:4mm}.chart{flex:1 1 85mm;break-inside:avoid}.chart.wide{flex-basis:100%}\n"
    "svg{width:100%;height:auto}svg text{font-size:9px;fill:#222}\n"
    "section{break-inside:avoid-page}tr{break-inside:avoid}\n";

/* Bar colours, one per grade in order (best first), repeating. */
static const char *const COLOURS[] = {"#2e7d32", "#66bb6a", "#fbc02d", "#fb8c00", "#e53935", "#8e24aa", "#546e7a"};
#define NCOLOURS (sizeof COLOURS / sizeof *COLOURS)

static void svg_open(rb_out *o, const char *id, int w, int h, const char *title)
{
    printf_out(o, "<div class=\"chart%s\"><svg", w > 400 ? " wide" : "");
    printf_out(o, " id=\"%s\" viewBox=\"0 0 %d %d\" role=\"img\">",
               id, w, h);
    rb_out_puts(o, "<title>");
    esc(o, title);
    rb_out_puts(o, "</title>");
    printf_out(o, "<text x=\"4\" y=\"12\" style=\"font-size:11px;font-weight:bold\">");
    esc(o, title);
    rb_out_puts(o, "</text>");
}

static void svg_text(rb_out *o, double x, double y, const char *anchor, const char *text)
{
    printf_out(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", x, y, anchor);
    esc(o, text);
    rb_out_puts(o, "</text>");
}

/* Grade distribution: one bar per grade, its height the grade's count. */
static void chart_grades(rb_out *o, const rb_report *r, rb_lang lang)
{
    uint32_t n = r->p->grade.narms;
    uint64_t top = 1;
    for (uint32_t a = 0; a < n; a++)
        if (r->all.grade_count[a] > top) top = r->all.grade_count[a];
    const int w = 320, h = 180, base = 150, height = 115;
    svg_open(o, "chart-grades", w, h, T(N_("Grade distribution")));
    double slot = (w - 20.0) / n;
    char buf[64], pct[64];
    for (uint32_t a = 0; a < n; a++) {
        double bh = height * (double)r->all.grade_count[a] / (double)top, x = 10 + slot * a;
        printf_out(o, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
                   x + slot * 0.15, base - bh, slot * 0.7, bh, COLOURS[a % NCOLOURS]);
        snprintf(buf, sizeof buf, "%llu (%s)", (unsigned long long)r->all.grade_count[a],
                 rb_report_pct(r->all.grade_share[a], pct, sizeof pct));
        svg_text(o, x + slot / 2, base - bh - 3, "middle", buf);
        svg_text(o, x + slot / 2, base + 12, "middle", rb_report_grade_label(r, a));
    }
    printf_out(o, "<line x1=\"8\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/></svg></div>\n", base, w - 8, base);
}

/* Totals in HIST_BINS equal bins over 0..scale (the last bin holds scale). */
static void chart_histogram(rb_out *o, const rb_report *r, rb_lang lang)
{
    rb_num scale = r->p->numbers[r->p->scale];
    uint64_t bins[HIST_BINS] = {0}, top = 1;
    for (size_t i = 0; i < r->nrows; i++) {
        const rb_report_row *row = &r->rows[i];
        if (!row->ok || !row->has_total) continue;
        double f = as_double(row->total) / as_double(scale);
        int b = (int)(f * HIST_BINS);
        if (b >= HIST_BINS) b = HIST_BINS - 1;
        if (b < 0) b = 0;
        if (++bins[b] > top) top = bins[b];
    }
    const int w = 320, h = 180, base = 150, height = 115;
    svg_open(o, "chart-histogram", w, h, T(N_("Totals")));
    double slot = (w - 20.0) / HIST_BINS, step = as_double(scale) / HIST_BINS;
    char buf[64];
    for (int b = 0; b < HIST_BINS; b++) {
        double bh = height * (double)bins[b] / (double)top, x = 10 + slot * b;
        printf_out(o, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#42a5f5\"/>",
                   x + 1, base - bh, slot - 2, bh);
        if (bins[b]) {
            snprintf(buf, sizeof buf, "%llu", (unsigned long long)bins[b]);
            svg_text(o, x + slot / 2, base - bh - 3, "middle", buf);
        }
        snprintf(buf, sizeof buf, "%g", step * b);
        svg_text(o, x, base + 12, "middle", buf);
    }
    rb_num_format(scale, r->digits, buf, sizeof buf);
    svg_text(o, 10 + slot * HIST_BINS, base + 12, "middle", buf);
    printf_out(o, "<line x1=\"8\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/></svg></div>\n", base, w - 8, base);
}

/* Each section's mean as a bar inside a bar as long as its full mark. */
static void chart_sections(rb_out *o, const rb_report *r, rb_lang lang)
{
    uint32_t n = r->p->nsections - 1;
    const int w = 660, row_h = 18, left = 160, right = 90;
    int h = 24 + row_h * (int)n;
    svg_open(o, "chart-sections", w, h, T(N_("Section means against full marks")));
    char buf[64], full[64], text[160];
    for (uint32_t i = 1; i <= n; i++) {
        double y = 20 + row_h * (i - 1), len = w - left - right;
        rb_num points = rb_report_section_points(r, i);
        double f = r->all.section_n[i] && points.num ? as_double(r->all.section_mean[i]) / as_double(points) : 0;
        svg_text(o, left - 4, y + 12, "end", rb_report_section_label(r, i));
        printf_out(o, "<rect class=\"full\" x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"13\" fill=\"#e0e0e0\"/>", left,
                   y + 2, len);
        printf_out(o, "<rect class=\"bar\" x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"13\" fill=\"#5c6bc0\"/>", left,
                   y + 2, len * f);
        snprintf(text, sizeof text, "%s / %s",
                 r->all.section_n[i] ? rb_report_num(r, r->all.section_mean[i], buf, sizeof buf) : "–",
                 rb_report_num(r, points, full, sizeof full));
        svg_text(o, left + len + 4, y + 12, "start", text);
    }
    rb_out_puts(o, "</svg></div>\n");
}

/* Groups side by side: per group, one bar per grade (its share). */
static void chart_groups(rb_out *o, const rb_report *r, rb_lang lang)
{
    uint32_t narms = r->p->grade.narms, ng = r->ngroups;
    const int w = 660, h = 200, base = 150, height = 115;
    svg_open(o, "chart-groups", w, h, T(N_("Grades by group")));
    double slot = (w - 20.0) / ng, bar = slot * 0.8 / (narms ? narms : 1);
    char pct[64];
    for (uint32_t g = 0; g < ng; g++) {
        double x0 = 10 + slot * g + slot * 0.1;
        for (uint32_t a = 0; a < narms; a++) {
            double bh = height * as_double(r->groups[g].stats.grade_share[a]);
            printf_out(o,
                       "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                       "<title>",
                       x0 + bar * a, base - bh, bar * 0.9, bh, COLOURS[a % NCOLOURS]);
            esc(o, rb_report_grade_label(r, a));
            rb_out_putc(o, ' ');
            esc(o, rb_report_pct(r->groups[g].stats.grade_share[a], pct, sizeof pct));
            rb_out_puts(o, "</title></rect>");
        }
        svg_text(o, 10 + slot * g + slot / 2, base + 12, "middle", rb_report_group_text(r, &r->groups[g], lang));
    }
    for (uint32_t a = 0; a < narms; a++) { /* legend */
        double x = 10 + 80.0 * a;
        printf_out(o, "<rect x=\"%.1f\" y=\"%d\" width=\"8\" height=\"8\" fill=\"%s\"/>", x, base + 22,
                   COLOURS[a % NCOLOURS]);
        svg_text(o, x + 11, base + 30, "start", rb_report_grade_label(r, a));
    }
    printf_out(o, "<line x1=\"8\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/></svg></div>\n", base, w - 8, base);
}

static void counts_cells(rb_out *o, const rb_report *r, const rb_report_stats *s)
{
    td_u64(o, "records", s->records);
    td_u64(o, "valid", s->valid);
    td_u64(o, "invalid", s->invalid);
    td_num(o, r, "mean", s->totals, s->mean);
    td_num(o, r, "median", s->totals, s->median);
    td_num(o, r, "min", s->totals, s->min);
    td_num(o, r, "max", s->totals, s->max);
}

static void heading(rb_out *o, const char *id, const char *text)
{
    printf_out(o, "<section id=\"%s\"><h2>", id);
    esc(o, text);
    rb_out_puts(o, "</h2>\n");
}

void rb_report_html(rb_out *o, const rb_report *r, rb_lang lang)
{
    const rb_program *p = r->p;
    char buf[64], title[512];
    rb_report_title(r, lang, title, sizeof title);
    printf_out(o, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
               lang == RB_LANG_ZH ? "zh-CN" : "en");
    esc(o, title);
    rb_out_puts(o, "</title>\n<style>\n");
    rb_out_puts(o, STYLE);
    rb_out_puts(o, "</style>\n</head>\n<body>\n<h1>");
    esc(o, title);
    rb_out_puts(o, "</h1>\n");
    printf_out(o, "<p class=\"verdict %s\">", rb_report_status(r) ? "broken" : "ok");
    esc(o, rb_report_status(r) ? T(N_("✗ Some record is invalid or a distribution rule is broken."))
                               : T(N_("✓ Every record is valid and every distribution rule is kept.")));
    rb_out_puts(o, "</p>\n");

    heading(o, "summary", T(N_("Summary")));
    const char *summary[] = {T(N_("Records")), T(N_("Valid")), T(N_("Invalid")), T(N_("Mean")),
                             T(N_("Median")),  T(N_("Min")),   T(N_("Max"))};
    rb_out_puts(o, "<table>");
    th_row(o, summary, 7);
    rb_out_puts(o, "<tr>");
    counts_cells(o, r, &r->all);
    rb_out_puts(o, "</tr></table></section>\n");

    rb_out_puts(o, "<div class=\"charts\">\n");
    if (p->grade.narms) chart_grades(o, r, lang);
    if (p->has_items) chart_histogram(o, r, lang);
    if (p->nsections > 1) chart_sections(o, r, lang);
    if (r->ngroups && p->grade.narms) chart_groups(o, r, lang);
    rb_out_puts(o, "</div>\n");

    if (p->grade.narms) {
        heading(o, "grades", T(N_("Grades")));
        const char *cols[] = {T(N_("Grade")), T(N_("Count")), T(N_("Share"))};
        rb_out_puts(o, "<table>");
        th_row(o, cols, 3);
        for (uint32_t a = 0; a < p->grade.narms; a++) {
            rb_out_puts(o, "<tr data-grade=\"");
            esc(o, rb_report_grade_id(r, a));
            rb_out_puts(o, "\">");
            td(o, "label", rb_report_grade_label(r, a));
            td_u64(o, "count", r->all.grade_count[a]);
            td(o, "share", rb_report_pct(r->all.grade_share[a], buf, sizeof buf));
            rb_out_puts(o, "</tr>\n");
        }
        rb_out_puts(o, "</table></section>\n");
    }

    if (p->nsections > 1) {
        heading(o, "sections", T(N_("Sections")));
        const char *cols[] = {T(N_("Section")), T(N_("Mean")), T(N_("Full mark"))};
        rb_out_puts(o, "<table>");
        th_row(o, cols, 3);
        for (uint32_t i = 1; i < p->nsections; i++) {
            rb_out_puts(o, "<tr data-section=\"");
            esc(o, rb_report_section_name(r, i));
            rb_out_puts(o, "\">");
            td(o, "label", rb_report_section_label(r, i));
            td_num(o, r, "mean", r->all.section_n[i], r->all.section_mean[i]);
            td_num(o, r, "points", true, rb_report_section_points(r, i));
            rb_out_puts(o, "</tr>\n");
        }
        rb_out_puts(o, "</table></section>\n");
    }

    if (r->by_slot != RB_NONE) {
        heading(o, "groups", T(N_("Groups")));
        rb_out_puts(o, "<table><tr><th>");
        esc(o, rb_report_by_label(r));
        rb_out_puts(o, "</th>");
        for (size_t i = 0; i < 7; i++) {
            rb_out_puts(o, "<th>");
            esc(o, summary[i]);
            rb_out_puts(o, "</th>");
        }
        for (uint32_t a = 0; a < p->grade.narms; a++) {
            rb_out_puts(o, "<th>");
            esc(o, rb_report_grade_label(r, a));
            rb_out_puts(o, "</th>");
        }
        rb_out_puts(o, "</tr>\n");
        for (uint32_t g = 0; g < r->ngroups; g++) {
            const rb_report_stats *s = &r->groups[g].stats;
            rb_out_puts(o, "<tr data-group=\"");
            esc(o, r->groups[g].value);
            rb_out_puts(o, "\">");
            td(o, "label", rb_report_group_text(r, &r->groups[g], lang));
            counts_cells(o, r, s);
            for (uint32_t a = 0; a < p->grade.narms; a++) {
                char cls[80];
                snprintf(cls, sizeof cls, "count grade-%u", (unsigned)a);
                td_u64(o, cls, s->grade_count[a]);
            }
            rb_out_puts(o, "</tr>\n");
        }
        rb_out_puts(o, "</table></section>\n");
    }

    if (r->nrules) {
        heading(o, "distribution", T(N_("Distribution rules")));
        const char *cols[] = {T(N_("Rule")), T(N_("Group")), T(N_("Share")), T(N_("Kept"))};
        rb_out_puts(o, "<table>");
        th_row(o, cols, 4);
        for (uint32_t i = 0; i < r->nrules; i++) {
            const rb_report_rule *rule = &r->rules[i];
            printf_out(o, "<tr class=\"rule\" data-ok=\"%s\">", rule->ok ? "true" : "false");
            td(o, "rule", rule->text);
            td(o, "group", rule->group == RB_NONE ? T(N_("all")) : rb_report_group_text(r, &r->dist_groups[rule->group], lang));
            td(o, "share", rule->has_share ? rb_report_pct(rule->share, buf, sizeof buf) : "–");
            printf_out(o, "<td class=\"%s\">", rule->ok ? "ok" : "broken");
            esc(o, rule->ok ? "✓" : T(N_("✗ broken")));
            rb_out_puts(o, "</td></tr>\n");
        }
        rb_out_puts(o, "</table></section>\n");
    }

    if (r->nranking) {
        heading(o, "ranking", T(N_("Ranking")));
        const char *cols[] = {T(N_("Rank")), T(N_("Record")), T(N_("Name")), T(N_("Total")), T(N_("Grade"))};
        rb_out_puts(o, "<table>");
        th_row(o, cols, 5);
        for (uint32_t i = 0; i < r->nranking; i++) {
            const rb_report_row *row = &r->rows[r->ranking[i].row];
            rb_out_puts(o, "<tr>");
            td_u64(o, "rank", r->ranking[i].rank);
            td_u64(o, "record", row->record);
            td(o, "who", rb_report_who(r, row, buf, sizeof buf));
            td_num(o, r, "total", true, row->total);
            td(o, "grade", row->grade == RB_NONE ? "–" : rb_report_grade_label(r, row->grade));
            rb_out_puts(o, "</tr>\n");
        }
        rb_out_puts(o, "</table></section>\n");
    }

    if (r->nwarnings) {
        heading(o, "warnings", T(N_("Warnings")));
        rb_out_puts(o, "<ul>\n");
        for (size_t i = 0; i < r->nrows; i++)
            for (uint32_t k = 0; k < r->rows[i].nwarnings; k++) {
                printf_out(o, "<li data-record=\"%llu\">#%llu ", (unsigned long long)r->rows[i].record,
                           (unsigned long long)r->rows[i].record);
                esc(o, rb_report_who(r, &r->rows[i], buf, sizeof buf));
                rb_out_puts(o, ": ");
                esc(o, r->rows[i].warnings[k]);
                rb_out_puts(o, "</li>\n");
            }
        rb_out_puts(o, "</ul></section>\n");
    }

    if (r->all.invalid) {
        heading(o, "invalid", T(N_("Invalid records")));
        rb_out_puts(o, "<ul>\n");
        for (size_t i = 0; i < r->nrows; i++) {
            const rb_report_row *row = &r->rows[i];
            if (row->ok) continue;
            printf_out(o, "<li data-record=\"%llu\">#%llu ", (unsigned long long)row->record,
                       (unsigned long long)row->record);
            esc(o, rb_report_who(r, row, buf, sizeof buf));
            rb_out_puts(o, "<ul>");
            for (uint32_t k = 0; k < row->nerrors; k++) {
                rb_out_puts(o, "<li><code>");
                esc(o, row->errors[k].code);
                rb_out_puts(o, "</code> ");
                esc(o, row->errors[k].message);
                rb_out_puts(o, "</li>");
            }
            rb_out_puts(o, "</ul></li>\n");
        }
        rb_out_puts(o, "</ul></section>\n");
    }
    rb_out_puts(o, "</body>\n</html>\n");
}
