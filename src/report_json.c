/* report_json.c — `rubric report --format json`: the whole report as one
 * JSON object, the contract for tools (SPEC §14; docs/results.md lists
 * every key).  Means, medians and totals are printed to the form's
 * precision, shares to 4 digits; keys never change with the language. */
#include <string.h>

#include "json.h"
#include "program.h"
#include "report.h"

#define SHARE_DIGITS 4

static void key(rb_out *o, const char *k)
{
    rb_json_out_string(o, k, strlen(k));
    rb_out_putc(o, ':');
}

static void str(rb_out *o, const char *s)
{
    rb_json_out_string(o, s, strlen(s));
}

static void total_object(rb_out *o, const rb_report *r, const rb_report_stats *s)
{
    if (!s->totals) {
        rb_out_puts(o, "null");
        return;
    }
    rb_out_puts(o, "{\"mean\":");
    rb_out_num(o, s->mean, r->digits);
    rb_out_puts(o, ",\"median\":");
    rb_out_num(o, s->median, r->digits);
    rb_out_puts(o, ",\"min\":");
    rb_out_num(o, s->min, r->digits);
    rb_out_puts(o, ",\"max\":");
    rb_out_num(o, s->max, r->digits);
    rb_out_putc(o, '}');
}

static void grades_array(rb_out *o, const rb_report *r, const rb_report_stats *s)
{
    rb_out_putc(o, '[');
    for (uint32_t a = 0; a < r->p->grade.narms; a++) {
        rb_out_puts(o, a ? ",{\"id\":" : "{\"id\":");
        str(o, rb_report_grade_id(r, a));
        rb_out_puts(o, ",\"label\":");
        str(o, rb_report_grade_label(r, a));
        rb_out_puts(o, ",\"count\":");
        rb_out_u64(o, s->grade_count[a]);
        rb_out_puts(o, ",\"share\":");
        rb_out_num(o, s->grade_share[a], SHARE_DIGITS);
        rb_out_putc(o, '}');
    }
    rb_out_putc(o, ']');
}

static void sections_array(rb_out *o, const rb_report *r, const rb_report_stats *s)
{
    rb_out_putc(o, '[');
    for (uint32_t i = 1; i < r->p->nsections; i++) {
        rb_out_puts(o, i > 1 ? ",{\"name\":" : "{\"name\":");
        str(o, rb_report_section_name(r, i));
        rb_out_puts(o, ",\"label\":");
        str(o, rb_report_section_label(r, i));
        rb_out_puts(o, ",\"mean\":");
        if (s->section_n[i]) rb_out_num(o, s->section_mean[i], r->digits);
        else rb_out_puts(o, "null");
        rb_out_puts(o, ",\"points\":");
        rb_out_num(o, rb_report_section_points(r, i), r->digits);
        rb_out_puts(o, ",\"records\":");
        rb_out_u64(o, s->section_n[i]);
        rb_out_putc(o, '}');
    }
    rb_out_putc(o, ']');
}

/* records, valid, invalid, total, grades, sections: the batch or a group. */
static void stats_members(rb_out *o, const rb_report *r, const rb_report_stats *s)
{
    rb_out_puts(o, "\"records\":");
    rb_out_u64(o, s->records);
    rb_out_puts(o, ",\"valid\":");
    rb_out_u64(o, s->valid);
    rb_out_puts(o, ",\"invalid\":");
    rb_out_u64(o, s->invalid);
    rb_out_puts(o, ",\"total\":");
    total_object(o, r, s);
    rb_out_puts(o, ",\"grades\":");
    grades_array(o, r, s);
    rb_out_puts(o, ",\"sections\":");
    sections_array(o, r, s);
}

static void fields_object(rb_out *o, const rb_report_row *row)
{
    rb_out_putc(o, '{');
    for (uint32_t i = 0; i < row->nfields; i++) {
        if (i) rb_out_putc(o, ',');
        key(o, row->fields[i].name);
        str(o, row->fields[i].text);
    }
    rb_out_putc(o, '}');
}

static void grade_value(rb_out *o, const rb_report *r, uint32_t arm)
{
    if (arm == RB_NONE) {
        rb_out_puts(o, "null");
        return;
    }
    rb_out_puts(o, "{\"id\":");
    str(o, rb_report_grade_id(r, arm));
    rb_out_puts(o, ",\"label\":");
    str(o, rb_report_grade_label(r, arm));
    rb_out_putc(o, '}');
}

void rb_report_json(rb_out *o, const rb_report *r)
{
    const rb_program *p = r->p;
    rb_out_puts(o, "{\"form\":");
    str(o, rb_str(p, p->name));
    rb_out_puts(o, ",\"label\":");
    str(o, rb_report_form_label(r));
    rb_out_puts(o, ",\"ok\":");
    rb_out_puts(o, rb_report_status(r) ? "false" : "true");
    rb_out_puts(o, ",\"precision\":");
    rb_out_u64(o, p->precision);
    rb_out_puts(o, ",\"scale\":");
    rb_out_num(o, p->numbers[p->scale], r->digits);
    rb_out_putc(o, ',');
    stats_members(o, r, &r->all);

    rb_out_puts(o, ",\"groups\":[");
    for (uint32_t g = 0; g < r->ngroups; g++) {
        rb_out_puts(o, g ? ",{\"field\":" : "{\"field\":");
        str(o, rb_str(p, p->slots[r->by_slot].name));
        rb_out_puts(o, ",\"value\":");
        str(o, r->groups[g].value);
        rb_out_putc(o, ',');
        stats_members(o, r, &r->groups[g].stats);
        rb_out_putc(o, '}');
    }

    rb_out_puts(o, "],\"distribution\":[");
    for (uint32_t i = 0; i < r->nrules; i++) {
        const rb_report_rule *rule = &r->rules[i];
        rb_out_puts(o, i ? ",{\"rule\":" : "{\"rule\":");
        str(o, rule->text);
        rb_out_puts(o, ",\"field\":");
        if (rule->group == RB_NONE) {
            rb_out_puts(o, "null,\"group\":null");
        } else {
            str(o, rb_str(p, p->slots[p->dist_by].name));
            rb_out_puts(o, ",\"group\":");
            str(o, r->dist_groups[rule->group].value);
        }
        rb_out_puts(o, ",\"share\":");
        if (rule->has_share) rb_out_num(o, rule->share, SHARE_DIGITS);
        else rb_out_puts(o, "null");
        rb_out_puts(o, ",\"ok\":");
        rb_out_puts(o, rule->ok ? "true}" : "false}");
    }

    rb_out_puts(o, "],\"ranking\":[");
    for (uint32_t i = 0; i < r->nranking; i++) {
        const rb_report_row *row = &r->rows[r->ranking[i].row];
        rb_out_puts(o, i ? ",{\"rank\":" : "{\"rank\":");
        rb_out_u64(o, r->ranking[i].rank);
        rb_out_puts(o, ",\"record\":");
        rb_out_u64(o, row->record);
        rb_out_puts(o, ",\"total\":");
        rb_out_num(o, row->total, r->digits);
        rb_out_puts(o, ",\"grade\":");
        grade_value(o, r, row->grade);
        if (row->group != RB_NONE) {
            rb_out_puts(o, ",\"group\":");
            str(o, r->groups[row->group].value);
        }
        rb_out_puts(o, ",\"fields\":");
        fields_object(o, row);
        rb_out_putc(o, '}');
    }

    rb_out_puts(o, "],\"warnings\":[");
    bool first = true;
    for (size_t i = 0; i < r->nrows; i++) {
        const rb_report_row *row = &r->rows[i];
        for (uint32_t k = 0; k < row->nwarnings; k++) {
            rb_out_puts(o, first ? "{\"record\":" : ",{\"record\":");
            first = false;
            rb_out_u64(o, row->record);
            rb_out_puts(o, ",\"message\":");
            str(o, row->warnings[k]);
            rb_out_putc(o, '}');
        }
    }

    rb_out_puts(o, "],\"invalid_records\":[");
    first = true;
    for (size_t i = 0; i < r->nrows; i++) {
        const rb_report_row *row = &r->rows[i];
        if (row->ok) continue;
        rb_out_puts(o, first ? "{\"record\":" : ",{\"record\":");
        first = false;
        rb_out_u64(o, row->record);
        rb_out_puts(o, ",\"fields\":");
        fields_object(o, row);
        rb_out_puts(o, ",\"errors\":[");
        for (uint32_t k = 0; k < row->nerrors; k++) {
            rb_out_puts(o, k ? ",{\"path\":" : "{\"path\":");
            str(o, row->errors[k].path);
            rb_out_puts(o, ",\"code\":");
            str(o, row->errors[k].code);
            rb_out_puts(o, ",\"message\":");
            str(o, row->errors[k].message);
            rb_out_putc(o, '}');
        }
        rb_out_puts(o, "]}");
    }
    rb_out_puts(o, "]}\n");
}
