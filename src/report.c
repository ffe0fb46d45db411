/* report.c — the aggregates of a report (SPEC §14; report.h): rows kept
 * from each result, then counts, exact means and medians, grade shares,
 * section means, groups, distribution rules and the ranking. */
#include "report.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "distrib.h"
#include "program.h"

static char *num_text(rb_num n, int digits)
{
    char buf[64];
    rb_num_format(n, digits, buf, sizeof buf);
    return rb_xstrdup(buf);
}

/* A field's value as text: what a person reads (choices by label). */
static char *value_text(const rb_program *p, const rb_value *v, int digits)
{
    switch (v->kind) {
    case RB_V_NUM: return num_text(v->n, digits);
    case RB_V_BOOL: return rb_xstrdup(v->b ? "true" : "false");
    case RB_V_TEXT:
    case RB_V_DATE: {
        char *s = rb_xmalloc(v->len + 1);
        memcpy(s, v->s, v->len);
        s[v->len] = '\0';
        return s;
    }
    case RB_V_CHOICE: {
        const rb_option *o = &p->options[v->opt];
        return rb_xstrdup(rb_str(p, o->label != RB_NONE ? o->label : o->id));
    }
    case RB_V_SET: {
        const rb_choiceset *cs = &p->choicesets[v->opt];
        rb_buf b = {0};
        for (uint32_t i = 0; i < cs->count; i++) {
            if (!(v->bits >> i & 1)) continue;
            const rb_option *o = &p->options[cs->first + i];
            rb_buf_printf(&b, "%s%s", b.len ? ";" : "", rb_str(p, o->label != RB_NONE ? o->label : o->id));
        }
        return b.s ? b.s : rb_xstrdup("");
    }
    default: return rb_xstrdup("");
    }
}

static void stats_init(rb_report_stats *s, const rb_program *p)
{
    memset(s, 0, sizeof *s);
    uint32_t narms = p->grade.narms ? p->grade.narms : 1;
    s->grade_count = rb_xcalloc(narms, sizeof *s->grade_count);
    s->grade_share = rb_xcalloc(narms, sizeof *s->grade_share);
    s->section_n = rb_xcalloc(p->nsections, sizeof *s->section_n);
    s->section_mean = rb_xcalloc(p->nsections, sizeof *s->section_mean);
}

static void stats_free(rb_report_stats *s)
{
    rb_free(s->grade_count);
    rb_free(s->grade_share);
    rb_free(s->section_n);
    rb_free(s->section_mean);
}

/* Index of the group named `value` in *groups, added when new. */
static uint32_t group_of(const rb_report *r, rb_report_group **groups, uint32_t *n, uint32_t *cap, const char *value)
{
    for (uint32_t i = 0; i < *n; i++)
        if (strcmp((*groups)[i].value, value) == 0) return i;
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        *groups = rb_xrealloc(*groups, *cap * sizeof **groups);
    }
    rb_report_group *g = &(*groups)[*n];
    g->value = rb_xstrdup(value);
    stats_init(&g->stats, r->p);
    return (*n)++;
}

/* A choice field's groups are its options, in order, whether chosen or not
 * (SPEC §14: a group with no valid record is listed with zero counts). */
static void seed_groups(rb_report *r, uint32_t slot, rb_report_group **groups, uint32_t *n, uint32_t *cap)
{
    const rb_program *p = r->p;
    if (slot == RB_NONE || p->slots[slot].type != RB_T_CHOICE) return;
    const rb_choiceset *cs = &p->choicesets[p->slots[slot].choiceset];
    for (uint32_t i = 0; i < cs->count; i++) {
        const rb_option *o = &p->options[cs->first + i];
        group_of(r, groups, n, cap, rb_str(p, o->label != RB_NONE ? o->label : o->id));
    }
}

rb_report *rb_report_new(const rb_program *p, const char *by_field)
{
    rb_report *r = rb_xcalloc(1, sizeof *r);
    r->p = p;
    r->digits = (int)p->precision;
    r->by_slot = by_field ? RB_NONE : p->dist_by;
    for (uint32_t s = 0; by_field && s < p->nslots; s++)
        if (p->slots[s].kind == SLOT_FIELD && strcmp(rb_str(p, p->slots[s].name), by_field) == 0) r->by_slot = s;
    if (by_field && r->by_slot == RB_NONE) {
        rb_free(r);
        return NULL;
    }
    stats_init(&r->all, p);
    seed_groups(r, r->by_slot, &r->groups, &r->ngroups, &r->cap_groups);
    seed_groups(r, p->dist_by, &r->dist_groups, &r->ndist_groups, &r->cap_dist_groups);
    return r;
}

/* The text of field `slot` in a row ("" when the record has none). */
static const char *field_text(const rb_report_row *row, uint32_t slot)
{
    for (uint32_t i = 0; i < row->nfields; i++)
        if (row->fields[i].slot == slot) return row->fields[i].text;
    return "";
}

/* A new, empty row with its per-section arrays. */
static rb_report_row *new_row(rb_report *r)
{
    if (r->nrows == r->cap_rows) {
        r->cap_rows = r->cap_rows ? r->cap_rows * 2 : 64;
        r->rows = rb_xrealloc(r->rows, r->cap_rows * sizeof *r->rows);
    }
    rb_report_row *row = &r->rows[r->nrows++];
    memset(row, 0, sizeof *row);
    row->section_score = rb_xcalloc(r->p->nsections, sizeof *row->section_score);
    row->section_applies = rb_xcalloc(r->p->nsections, sizeof *row->section_applies);
    return row;
}

/* Puts a filled row in its groups. */
static void place_row(rb_report *r, rb_report_row *row)
{
    const rb_program *p = r->p;
    row->group = r->by_slot == RB_NONE
                     ? RB_NONE
                     : group_of(r, &r->groups, &r->ngroups, &r->cap_groups, field_text(row, r->by_slot));
    row->dist_group = p->dist_by == RB_NONE ? RB_NONE
                                            : group_of(r, &r->dist_groups, &r->ndist_groups, &r->cap_dist_groups,
                                                       field_text(row, p->dist_by));
}

void rb_report_add(rb_report *r, const rb_result *res)
{
    const rb_program *p = r->p;
    rb_report_row *row = new_row(r);
    row->record = res->record;
    row->ok = res->ok;
    row->has_total = res->ok && res->has_total;
    row->total = res->total;
    row->grade = res->ok && res->has_grade ? res->grade_arm - p->grade.first_arm : RB_NONE;
    for (uint32_t i = 1; res->ok && res->scored && i < p->nsections && i < res->nsections; i++) {
        row->section_applies[i] = res->sections[i].applicable &&
                                  rb_num_round(res->sections[i].score, r->digits, &row->section_score[i]) == RB_NUM_OK;
    }
    row->nfields = res->nfields;
    row->fields = rb_xcalloc(res->nfields ? res->nfields : 1, sizeof *row->fields);
    for (uint32_t i = 0; i < res->nfields; i++) {
        row->fields[i].slot = res->fields[i].slot;
        row->fields[i].name = res->fields[i].name;
        row->fields[i].label = res->fields[i].label;
        row->fields[i].text = value_text(p, &res->fields[i].value, r->digits);
    }
    row->nwarnings = res->nwarnings;
    row->warnings = rb_xcalloc(res->nwarnings ? res->nwarnings : 1, sizeof *row->warnings);
    for (uint32_t i = 0; i < res->nwarnings; i++) row->warnings[i] = rb_xstrdup(res->warnings[i].message);
    r->nwarnings += res->nwarnings;
    row->nerrors = res->nerrors;
    row->errors = rb_xcalloc(res->nerrors ? res->nerrors : 1, sizeof *row->errors);
    for (uint32_t i = 0; i < res->nerrors; i++) {
        row->errors[i].path = rb_xstrdup(res->errors[i].path ? res->errors[i].path : "");
        row->errors[i].code = rb_xstrdup(res->errors[i].code);
        row->errors[i].message = rb_xstrdup(res->errors[i].message);
    }
    place_row(r, row);
}

/* ---- a stored result (score --store keeps the NDJSON line) -------------- */

static const rb_rv *member(const rb_rv *obj, const char *key)
{
    if (!obj || obj->kind != RV_OBJECT) return NULL;
    for (size_t i = 0; i < obj->count; i++)
        if (strcmp(obj->members[i].key, key) == 0) return &obj->members[i].value;
    return NULL;
}

static bool rv_num(const rb_rv *v, rb_num *out)
{
    return v && v->kind == RV_NUMBER && rb_num_parse(v->text, v->len, out) == RB_NUM_OK;
}

/* The slot of field `name`, or RB_NONE. */
static uint32_t field_slot(const rb_program *p, const char *name)
{
    for (uint32_t s = 0; s < p->nslots; s++)
        if (p->slots[s].kind == SLOT_FIELD && strcmp(rb_str(p, p->slots[s].name), name) == 0) return s;
    return RB_NONE;
}

/* A choice's text as value_text gives it: the option's label, else its id. */
static const char *option_text(const rb_program *p, uint32_t choiceset, const char *id)
{
    const rb_choiceset *cs = &p->choicesets[choiceset];
    for (uint32_t i = 0; i < cs->count; i++) {
        const rb_option *o = &p->options[cs->first + i];
        if (strcmp(rb_str(p, o->id), id) == 0) return rb_str(p, o->label != RB_NONE ? o->label : o->id);
    }
    return id;
}

/* A field of a stored result as text, as rb_report_add writes it. */
static char *stored_field_text(const rb_program *p, uint32_t slot, const rb_rv *v)
{
    const rb_slot *s = &p->slots[slot];
    switch (v->kind) {
    case RV_STRING:
        return rb_xstrdup(s->type == RB_T_CHOICE ? option_text(p, s->choiceset, v->text) : v->text);
    case RV_NUMBER: return rb_xstrdup(v->text);
    case RV_BOOL: return rb_xstrdup(v->boolean ? "true" : "false");
    case RV_ARRAY: {
        rb_buf b = {0};
        for (size_t i = 0; i < v->count; i++)
            if (v->items[i].kind == RV_STRING && s->choiceset != RB_NONE)
                rb_buf_printf(&b, "%s%s", b.len ? ";" : "", option_text(p, s->choiceset, v->items[i].text));
        return b.s ? b.s : rb_xstrdup("");
    }
    default: return rb_xstrdup("");
    }
}

/* Section scores of a stored result's "sections" tree, by name. */
static void stored_sections(const rb_program *p, rb_report_row *row, const rb_rv *list, int digits)
{
    for (size_t i = 0; list && list->kind == RV_ARRAY && i < list->count; i++) {
        const rb_rv *sec = &list->items[i], *name = member(sec, "name");
        rb_num score;
        if (name && name->kind == RV_STRING && rv_num(member(sec, "score"), &score))
            for (uint32_t k = 1; k < p->nsections; k++)
                if (strcmp(rb_str(p, p->slots[p->sections[k].slot].name), name->text) == 0 &&
                    rb_num_round(score, digits, &row->section_score[k]) == RB_NUM_OK)
                    row->section_applies[k] = true;
        stored_sections(p, row, member(sec, "sections"), digits);
    }
}

void rb_report_add_stored(rb_report *r, const rb_rv *res, uint64_t number)
{
    const rb_program *p = r->p;
    rb_report_row *row = new_row(r);
    row->record = number;
    const rb_rv *ok = member(res, "ok");
    row->ok = ok && ok->kind == RV_BOOL && ok->boolean;
    row->has_total = row->ok && rv_num(member(res, "total"), &row->total);
    row->grade = RB_NONE;
    const rb_rv *grade = member(member(res, "grade"), "id");
    for (uint32_t a = 0; row->ok && grade && grade->kind == RV_STRING && a < p->grade.narms; a++)
        if (strcmp(rb_report_grade_id(r, a), grade->text) == 0) row->grade = a;
    if (row->ok) stored_sections(p, row, member(res, "sections"), r->digits);
    const rb_rv *fields = member(res, "fields");
    row->fields = rb_xcalloc(fields && fields->kind == RV_OBJECT && fields->count ? fields->count : 1, sizeof *row->fields);
    for (size_t i = 0; fields && fields->kind == RV_OBJECT && i < fields->count; i++) {
        uint32_t slot = field_slot(p, fields->members[i].key);
        if (slot == RB_NONE) continue;
        rb_report_field *f = &row->fields[row->nfields++];
        f->slot = slot;
        f->name = rb_str(p, p->slots[slot].name);
        f->label = p->slots[slot].label != RB_NONE ? rb_str(p, p->slots[slot].label) : NULL;
        f->text = stored_field_text(p, slot, &fields->members[i].value);
    }
    const rb_rv *warnings = member(res, "warnings");
    size_t nw = warnings && warnings->kind == RV_ARRAY ? warnings->count : 0;
    row->warnings = rb_xcalloc(nw ? nw : 1, sizeof *row->warnings);
    for (size_t i = 0; i < nw; i++) {
        const rb_rv *m = member(&warnings->items[i], "message");
        row->warnings[row->nwarnings++] = rb_xstrdup(m && m->kind == RV_STRING ? m->text : "");
    }
    r->nwarnings += row->nwarnings;
    const rb_rv *errors = member(res, "errors");
    size_t ne = errors && errors->kind == RV_ARRAY ? errors->count : 0;
    row->errors = rb_xcalloc(ne ? ne : 1, sizeof *row->errors);
    for (size_t i = 0; i < ne; i++) {
        const rb_rv *e = &errors->items[i], *path = member(e, "path"), *code = member(e, "code"),
                    *msg = member(e, "message");
        rb_report_error *out = &row->errors[row->nerrors++];
        out->path = rb_xstrdup(path && path->kind == RV_STRING ? path->text : "");
        out->code = rb_xstrdup(code && code->kind == RV_STRING ? code->text : "");
        out->message = rb_xstrdup(msg && msg->kind == RV_STRING ? msg->text : "");
    }
    place_row(r, row);
}

static int num_cmp_qsort(const void *a, const void *b)
{
    return rb_num_cmp(*(const rb_num *)a, *(const rb_num *)b);
}

/* Counts and sums a row into s; false when a sum overflows. */
static bool stats_add(rb_report_stats *s, const rb_program *p, const rb_report_row *row, rb_num *total_sum,
                      rb_num *section_sum)
{
    s->records++;
    if (!row->ok) {
        s->invalid++;
        return true;
    }
    s->valid++;
    if (row->grade != RB_NONE) s->grade_count[row->grade]++;
    bool fine = true;
    if (row->has_total) {
        if (s->totals == 0 || rb_num_cmp(row->total, s->min) < 0) s->min = row->total;
        if (s->totals == 0 || rb_num_cmp(row->total, s->max) > 0) s->max = row->total;
        s->totals++;
        fine &= rb_num_add(*total_sum, row->total, total_sum) == RB_NUM_OK;
    }
    for (uint32_t i = 1; i < p->nsections; i++) {
        if (!row->section_applies[i]) continue;
        s->section_n[i]++;
        fine &= rb_num_add(section_sum[i], row->section_score[i], &section_sum[i]) == RB_NUM_OK;
    }
    return fine;
}

/* The aggregates of the rows whose group index (the uint32_t at
 * group_offset in rb_report_row) is `which`, or of every row when
 * group_offset is 0. */
static bool stats_compute(rb_report *r, rb_report_stats *s, size_t group_offset, uint32_t which)
{
    const rb_program *p = r->p;
    rb_num total_sum = rb_num_zero();
    rb_num *section_sum = rb_xcalloc(p->nsections, sizeof *section_sum);
    for (uint32_t i = 0; i < p->nsections; i++) section_sum[i] = rb_num_zero();
    rb_num *totals = rb_xcalloc(r->nrows ? r->nrows : 1, sizeof *totals);
    size_t nt = 0;
    bool fine = true;
    for (size_t i = 0; i < r->nrows; i++) {
        const rb_report_row *row = &r->rows[i];
        if (group_offset && *(const uint32_t *)((const char *)row + group_offset) != which) continue;
        fine &= stats_add(s, p, row, &total_sum, section_sum);
        if (row->ok && row->has_total) totals[nt++] = row->total;
    }
    if (s->totals) {
        fine &= rb_num_div(total_sum, rb_num_int((int64_t)s->totals), &s->mean) == RB_NUM_OK;
        qsort(totals, nt, sizeof *totals, num_cmp_qsort);
        if (nt % 2) {
            s->median = totals[nt / 2];
        } else {
            rb_num two_sum;
            fine &= rb_num_add(totals[nt / 2 - 1], totals[nt / 2], &two_sum) == RB_NUM_OK &&
                    rb_num_div(two_sum, rb_num_int(2), &s->median) == RB_NUM_OK;
        }
    }
    for (uint32_t a = 0; a < p->grade.narms; a++) {
        s->grade_share[a] = rb_num_zero();
        if (s->valid)
            fine &= rb_num_div(rb_num_int((int64_t)s->grade_count[a]), rb_num_int((int64_t)s->valid),
                               &s->grade_share[a]) == RB_NUM_OK;
    }
    for (uint32_t i = 1; i < p->nsections; i++)
        if (s->section_n[i])
            fine &= rb_num_div(section_sum[i], rb_num_int((int64_t)s->section_n[i]), &s->section_mean[i]) ==
                    RB_NUM_OK;
    rb_free(totals);
    rb_free(section_sum);
    return fine;
}

/* Rule k against the stats of one group (or the batch). */
static void check_rule(rb_report *r, uint32_t k, uint32_t group, const rb_report_stats *s)
{
    const rb_program *p = r->p;
    rb_report_rule *rule = &r->rules[r->nrules++];
    rule->rule = k;
    rule->group = group;
    rb_buf text = {0};
    rb_program_dist_text(&text, p, k);
    rule->text = text.s;
    rule->ok = true;
    rule->has_share = s->valid > 0;
    rule->share = rb_num_zero();
    if (!rule->has_share) return;
    uint64_t grades = rb_program_dist_grades(p, k), count = 0;
    for (uint32_t a = 0; a < p->grade.narms && a < RB_DIST_MAX_GRADES; a++)
        if (grades >> a & 1) count += s->grade_count[a];
    if (rb_num_div(rb_num_int((int64_t)count), rb_num_int((int64_t)s->valid), &rule->share) != RB_NUM_OK) {
        r->overflow = true;
        return;
    }
    rule->ok = rb_dist_holds(p->dist_rules[k].op, rule->share, p->numbers[p->dist_rules[k].share]);
    if (!rule->ok) r->rules_broken = true;
}

static const rb_report *sort_report; /* qsort has no context argument */

static int rank_cmp(const void *a, const void *b)
{
    const rb_report_row *x = &sort_report->rows[((const rb_report_rank *)a)->row];
    const rb_report_row *y = &sort_report->rows[((const rb_report_rank *)b)->row];
    int c = rb_num_cmp(y->total, x->total);
    return c ? c : (x->record > y->record) - (x->record < y->record);
}

void rb_report_finish(rb_report *r)
{
    const rb_program *p = r->p;
    bool fine = stats_compute(r, &r->all, 0, 0);
    for (uint32_t g = 0; g < r->ngroups; g++)
        fine &= stats_compute(r, &r->groups[g].stats, offsetof(rb_report_row, group), g);
    for (uint32_t g = 0; g < r->ndist_groups; g++)
        fine &= stats_compute(r, &r->dist_groups[g].stats, offsetof(rb_report_row, dist_group), g);
    r->overflow |= !fine;

    uint32_t per = p->dist_by == RB_NONE ? 1 : r->ndist_groups;
    r->rules = rb_xcalloc((size_t)p->ndist_rules * per + 1, sizeof *r->rules);
    for (uint32_t k = 0; k < p->ndist_rules; k++) {
        if (p->dist_by == RB_NONE) check_rule(r, k, RB_NONE, &r->all);
        else
            for (uint32_t g = 0; g < r->ndist_groups; g++) check_rule(r, k, g, &r->dist_groups[g].stats);
    }

    r->ranking = rb_xcalloc(r->nrows ? r->nrows : 1, sizeof *r->ranking);
    for (size_t i = 0; i < r->nrows; i++)
        if (r->rows[i].ok && r->rows[i].has_total) r->ranking[r->nranking++].row = (uint32_t)i;
    sort_report = r;
    qsort(r->ranking, r->nranking, sizeof *r->ranking, rank_cmp);
    sort_report = NULL;
    for (uint32_t i = 0; i < r->nranking; i++) {
        bool tie = i && rb_num_cmp(r->rows[r->ranking[i].row].total, r->rows[r->ranking[i - 1].row].total) == 0;
        r->ranking[i].rank = tie ? r->ranking[i - 1].rank : i + 1;
    }
}

static void groups_free(rb_report_group *g, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        rb_free(g[i].value);
        stats_free(&g[i].stats);
    }
    rb_free(g);
}

void rb_report_free(rb_report *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->nrows; i++) {
        rb_report_row *row = &r->rows[i];
        rb_free(row->section_score);
        rb_free(row->section_applies);
        for (uint32_t k = 0; k < row->nfields; k++) rb_free(row->fields[k].text);
        rb_free(row->fields);
        for (uint32_t k = 0; k < row->nwarnings; k++) rb_free(row->warnings[k]);
        rb_free(row->warnings);
        for (uint32_t k = 0; k < row->nerrors; k++) {
            rb_free(row->errors[k].path);
            rb_free(row->errors[k].code);
            rb_free(row->errors[k].message);
        }
        rb_free(row->errors);
    }
    rb_free(r->rows);
    stats_free(&r->all);
    groups_free(r->groups, r->ngroups);
    groups_free(r->dist_groups, r->ndist_groups);
    for (uint32_t i = 0; i < r->nrules; i++) rb_free(r->rules[i].text);
    rb_free(r->rules);
    rb_free(r->ranking);
    rb_free(r);
}

int rb_report_status(const rb_report *r)
{
    return r->all.invalid || r->rules_broken ? 1 : 0;
}

const char *rb_report_grade_id(const rb_report *r, uint32_t arm)
{
    return rb_str(r->p, r->p->arms[r->p->grade.first_arm + arm].id);
}

const char *rb_report_grade_label(const rb_report *r, uint32_t arm)
{
    const rb_arm *a = &r->p->arms[r->p->grade.first_arm + arm];
    return rb_str(r->p, a->label != RB_NONE ? a->label : a->id);
}

const char *rb_report_section_name(const rb_report *r, uint32_t si)
{
    return rb_str(r->p, r->p->slots[r->p->sections[si].slot].name);
}

const char *rb_report_section_label(const rb_report *r, uint32_t si)
{
    const rb_slot *s = &r->p->slots[r->p->sections[si].slot];
    return rb_str(r->p, s->label != RB_NONE ? s->label : s->name);
}

rb_num rb_report_section_points(const rb_report *r, uint32_t si)
{
    return r->p->numbers[r->p->sections[si].points];
}

const char *rb_report_form_label(const rb_report *r)
{
    return rb_str(r->p, r->p->label != RB_NONE ? r->p->label : r->p->name);
}

const char *rb_report_title(const rb_report *r, rb_lang lang, char *buf, size_t cap)
{
    snprintf(buf, cap, rb_tr(lang, N_("Appraisal report: %s")), rb_report_form_label(r));
    return buf;
}

const char *rb_report_group_text(const rb_report *r, const rb_report_group *g, rb_lang lang)
{
    (void)r;
    return g->value[0] ? g->value : rb_tr(lang, N_("(none)"));
}

const char *rb_report_by_label(const rb_report *r)
{
    const rb_slot *s = &r->p->slots[r->by_slot];
    return rb_str(r->p, s->label != RB_NONE ? s->label : s->name);
}

const char *rb_report_who(const rb_report *r, const rb_report_row *row, char *buf, size_t cap)
{
    const rb_program *p = r->p;
    if (p->key_slot != RB_NONE) {
        const char *k = field_text(row, p->key_slot);
        if (*k) return k;
    }
    for (uint32_t i = 0; i < row->nfields; i++)
        if (p->slots[row->fields[i].slot].type == RB_T_TEXT && row->fields[i].text[0]) return row->fields[i].text;
    snprintf(buf, cap, "#%llu", (unsigned long long)row->record);
    return buf;
}

const char *rb_report_pct(rb_num share, char *buf, size_t cap)
{
    rb_num_format_percent(share, 2, buf, cap);
    return buf;
}

const char *rb_report_num(const rb_report *r, rb_num n, char *buf, size_t cap)
{
    rb_num_format(n, r->digits, buf, cap);
    return buf;
}
