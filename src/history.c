/* history.c — periods and their arithmetic, the values a stored result
 * keeps for streak()/previous(), and the in-memory store (history.h).
 *
 * A period is turned into a serial number (months since year 0, ISO weeks
 * since 1970, …), counted back, and written again, so every kind of period
 * shares one "N periods before" rule.  Days use the proleptic Gregorian
 * calendar (rb_days_from_civil in date.c). */
#include "history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "lang.h"
#include "program.h"

enum { P_NONE, P_WEEK, P_MONTH, P_QUARTER, P_YEAR };

static int period_kind(const char *kind)
{
    if (!kind) return P_NONE;
    if (strcmp(kind, "weekly") == 0) return P_WEEK;
    if (strcmp(kind, "monthly") == 0) return P_MONTH;
    if (strcmp(kind, "quarterly") == 0) return P_QUARTER;
    if (strcmp(kind, "yearly") == 0) return P_YEAR;
    return P_NONE;
}

const char *rb_period_expected(const char *kind)
{
    switch (period_kind(kind)) {
    case P_WEEK: return N_("a week (YYYY-Www) or a date");
    case P_MONTH: return N_("a month (YYYY-MM) or a date");
    case P_QUARTER: return N_("a quarter (YYYY-Qn) or a date");
    case P_YEAR: return N_("a year (YYYY) or a date");
    default: return NULL;
    }
}

/* Floor division (days before 1970 are negative). */
static int64_t floordiv(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Week serial: (Monday's day number + 3) / 7; 1970-01-01 is a Thursday. */
static int64_t week_of_days(int64_t days)
{
    return floordiv(days + 3, 7);
}

static void week_text(int64_t serial, char out[RB_PERIOD_MAX])
{
    int64_t thursday = serial * 7 - 3 + 3, y, m, d;
    rb_civil_from_days(thursday, &y, &m, &d);
    int64_t week = (thursday - rb_days_from_civil(y, 1, 1)) / 7 + 1;
    snprintf(out, RB_PERIOD_MAX, "%04lld-W%02lld", (long long)y, (long long)week);
}

static bool digits(const char *s, size_t n, int64_t *v)
{
    if (n == 0) return false;
    *v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        *v = *v * 10 + (s[i] - '0');
    }
    return true;
}

/* The serial of a period value (text of that kind, or a date inside it). */
static bool period_serial(int kind, const char *s, size_t n, int64_t *serial)
{
    int64_t y, a;
    if (n == 10 && rb_valid_date(s, n)) {
        int64_t m, d;
        digits(s, 4, &y), digits(s + 5, 2, &m), digits(s + 8, 2, &d);
        switch (kind) {
        case P_WEEK: *serial = week_of_days(rb_days_from_civil(y, m, d)); return true;
        case P_MONTH: *serial = y * 12 + m - 1; return true;
        case P_QUARTER: *serial = y * 4 + (m - 1) / 3; return true;
        case P_YEAR: *serial = y; return true;
        default: return false;
        }
    }
    if (n < 4 || !digits(s, 4, &y) || y < 1) return false;
    switch (kind) {
    case P_YEAR:
        *serial = y;
        return n == 4;
    case P_MONTH:
        if (n != 7 || s[4] != '-' || !digits(s + 5, 2, &a) || a < 1 || a > 12) return false;
        *serial = y * 12 + a - 1;
        return true;
    case P_QUARTER:
        if (n != 7 || s[4] != '-' || s[5] != 'Q' || !digits(s + 6, 1, &a) || a < 1 || a > 4) return false;
        *serial = y * 4 + a - 1;
        return true;
    case P_WEEK: {
        if (n != 8 || s[4] != '-' || s[5] != 'W' || !digits(s + 6, 2, &a) || a < 1) return false;
        /* week 1 holds January 4th; a week 53 must exist in that year */
        *serial = week_of_days(rb_days_from_civil(y, 1, 4)) + a - 1;
        char back[RB_PERIOD_MAX];
        week_text(*serial, back);
        return memcmp(back, s, 8) == 0;
    }
    default:
        return false;
    }
}

static bool serial_text(int kind, int64_t serial, char out[RB_PERIOD_MAX])
{
    switch (kind) {
    case P_WEEK:
        if (serial * 7 < rb_days_from_civil(1, 1, 8)) return false;
        week_text(serial, out);
        return true;
    case P_MONTH:
        if (serial < 12) return false;
        snprintf(out, RB_PERIOD_MAX, "%04lld-%02lld", (long long)(serial / 12), (long long)(serial % 12 + 1));
        return true;
    case P_QUARTER:
        if (serial < 4) return false;
        snprintf(out, RB_PERIOD_MAX, "%04lld-Q%lld", (long long)(serial / 4), (long long)(serial % 4 + 1));
        return true;
    case P_YEAR:
        if (serial < 1) return false;
        snprintf(out, RB_PERIOD_MAX, "%04lld", (long long)serial);
        return true;
    default:
        return false;
    }
}

bool rb_period_canonical(const char *kind, const char *value, size_t len, char out[RB_PERIOD_MAX])
{
    int k = period_kind(kind);
    int64_t serial;
    return period_serial(k, value, len, &serial) && serial_text(k, serial, out);
}

bool rb_period_back(const char *kind, const char *period, uint32_t back, char out[RB_PERIOD_MAX])
{
    int k = period_kind(kind);
    int64_t serial;
    return period_serial(k, period, strlen(period), &serial) && serial_text(k, serial - back, out);
}

/* ---- the values a stored result keeps ------------------------------------ */

const char *rb_history_value_text(const rb_program *p, const rb_value *v, rb_arena *a)
{
    switch (v->kind) {
    case RB_V_NUM: return rb_num_text(a, v->n);
    case RB_V_BOOL: return v->b ? "true" : "false";
    case RB_V_TEXT: case RB_V_DATE: return rb_arena_strndup(a, v->s, strlen(v->s));
    case RB_V_CHOICE: return rb_str(p, p->options[v->opt].id);
    case RB_V_SET: {
        const rb_choiceset *c = &p->choicesets[v->opt];
        size_t len = 0;
        for (uint32_t k = 0; k < c->count; k++)
            if (v->bits >> k & 1) len += strlen(rb_str(p, p->options[c->first + k].id)) + 1;
        char *s = rb_arena_alloc(a, len + 1), *w = s;
        for (uint32_t k = 0; k < c->count; k++) {
            if (!(v->bits >> k & 1)) continue;
            const char *id = rb_str(p, p->options[c->first + k].id);
            if (w != s) *w++ = ';';
            memcpy(w, id, strlen(id));
            w += strlen(id);
        }
        *w = '\0';
        return s;
    }
    default: return NULL;
    }
}

size_t rb_history_values(const rb_program *p, const rb_result *r, rb_arena *a, rb_stored_value **out)
{
    size_t n = 0, cap = 2 + p->nsections + r->noutputs;
    rb_stored_value *v = rb_arena_alloc(a, cap * sizeof *v);
    if (r->has_total) v[n++] = (rb_stored_value){"total", rb_num_text(a, r->total)};
    if (r->has_grade) v[n++] = (rb_stored_value){"grade", r->grade_id};
    for (uint32_t i = 1; i < p->nsections && i < r->nsections; i++) {
        const rb_result_section *s = &r->sections[i];
        if (!s->done || !s->applicable) continue;
        v[n++] = (rb_stored_value){rb_str(p, p->slots[p->sections[i].slot].name), rb_num_text(a, s->score)};
    }
    for (uint32_t i = 0; i < r->noutputs; i++) {
        const char *t = rb_history_value_text(p, &r->outputs[i].value, a);
        if (t) v[n++] = (rb_stored_value){r->outputs[i].name, t};
    }
    *out = v;
    return n;
}

/* ---- in memory ------------------------------------------------------------- */

typedef struct {
    char *key, *period;
    rb_stored_value *values;
    size_t n;
} stored;

struct rb_memory_history {
    stored *all;
    size_t n, cap;
};

rb_memory_history *rb_memory_history_new(void)
{
    return rb_xcalloc(1, sizeof(rb_memory_history));
}

static char *dup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(rb_xmalloc(n), s, n);
}

static void drop_values(stored *s)
{
    for (size_t i = 0; i < s->n; i++) {
        rb_free((char *)s->values[i].name);
        rb_free((char *)s->values[i].value);
    }
    rb_free(s->values);
}

bool rb_memory_history_put(rb_memory_history *m, const char *key, const char *period, const rb_stored_value *values,
                           size_t n)
{
    stored *s = NULL;
    for (size_t i = 0; i < m->n && !s; i++)
        if (strcmp(m->all[i].key, key) == 0 && strcmp(m->all[i].period, period) == 0) s = &m->all[i];
    bool replaced = s != NULL;
    if (s) {
        drop_values(s);
    } else {
        if (m->n == m->cap) {
            m->cap = m->cap ? 2 * m->cap : 8;
            m->all = rb_xrealloc(m->all, m->cap * sizeof *m->all);
        }
        s = &m->all[m->n++];
        s->key = dup(key);
        s->period = dup(period);
    }
    s->values = rb_xcalloc(n + 1, sizeof *s->values);
    s->n = n;
    for (size_t i = 0; i < n; i++) s->values[i] = (rb_stored_value){dup(values[i].name), dup(values[i].value)};
    return replaced;
}

static int memory_lookup(void *ctx, const char *key, const char *period, const rb_stored_value **values, size_t *n)
{
    rb_memory_history *m = ctx;
    for (size_t i = 0; i < m->n; i++) {
        if (strcmp(m->all[i].key, key) == 0 && strcmp(m->all[i].period, period) == 0) {
            *values = m->all[i].values;
            *n = m->all[i].n;
            return 1;
        }
    }
    return 0;
}

rb_history rb_memory_history_provider(rb_memory_history *m)
{
    return (rb_history){.lookup = memory_lookup, .ctx = m};
}

void rb_memory_history_free(rb_memory_history *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->n; i++) {
        rb_free(m->all[i].key);
        rb_free(m->all[i].period);
        drop_values(&m->all[i]);
    }
    rb_free(m->all);
    rb_free(m);
}
