/* distrib.c — distribution rules: exact feasibility, evaluation, text (see
 * distrib.h).
 *
 * Feasibility is Fourier–Motzkin elimination over exact rationals.  Every
 * constraint is Σ aⱼxⱼ ≤ b or Σ aⱼxⱼ < b; the equality Σ xᵢ = 1 is two of
 * them and xᵢ ≥ 0 one each.  Eliminating xⱼ pairs each constraint where
 * aⱼ > 0 with each where aⱼ < 0, scaled so that xⱼ cancels; a pair is strict
 * when either side is.  When no variable is left the system is feasible iff
 * every constraint reads 0 ≤ b (0 < b when strict).  Templates have a
 * handful of grades and rules, so the quadratic growth per step stays
 * small; a bound on the number of constraints keeps a hostile template from
 * taking time or memory (the answer is then "undecided"). */
#include "distrib.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "program.h"

#define MAX_CONSTRAINTS 20000

typedef struct {
    rb_num *a;   /* ngrades coefficients */
    rb_num b;
    bool strict;
} constraint;

typedef struct {
    constraint *c;
    size_t n, cap;
    uint32_t nv;
    bool overflow;
} lsystem;

static constraint *add(lsystem *s)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->c = rb_xrealloc(s->c, s->cap * sizeof *s->c);
    }
    constraint *k = &s->c[s->n++];
    k->a = rb_xcalloc(s->nv ? s->nv : 1, sizeof *k->a);
    for (uint32_t j = 0; j < s->nv; j++) k->a[j] = rb_num_zero();
    k->b = rb_num_zero();
    k->strict = false;
    return k;
}

/* Σ_{i∈set} sign·xᵢ ≤ (or <) sign·b */
static void add_sum(lsystem *s, uint64_t set, int sign, rb_num b, bool strict)
{
    constraint *k = add(s);
    for (uint32_t j = 0; j < s->nv; j++)
        if (set >> j & 1) k->a[j] = rb_num_int(sign);
    k->b = sign < 0 ? rb_num_neg(b) : b;
    k->strict = strict;
}

static void free_system(lsystem *s)
{
    for (size_t i = 0; i < s->n; i++) rb_free(s->c[i].a);
    rb_free(s->c);
}

/* k := p/|p_j| + q/|q_j| (the j terms cancel) */
static bool combine(lsystem *s, const constraint *p, const constraint *q, uint32_t j, constraint *k)
{
    rb_num pj = rb_num_abs(p->a[j]), qj = rb_num_abs(q->a[j]), x, y;
    for (uint32_t i = 0; i < s->nv; i++) {
        if (rb_num_div(p->a[i], pj, &x) || rb_num_div(q->a[i], qj, &y) || rb_num_add(x, y, &k->a[i])) return false;
    }
    k->a[j] = rb_num_zero();
    if (rb_num_div(p->b, pj, &x) || rb_num_div(q->b, qj, &y) || rb_num_add(x, y, &k->b)) return false;
    k->strict = p->strict || q->strict;
    return true;
}

static rb_dist_verdict eliminate(lsystem *s)
{
    bool *done = rb_xcalloc(s->nv ? s->nv : 1, sizeof *done);
    rb_dist_verdict v = RB_DIST_FEASIBLE;
    for (uint32_t step = 0; step < s->nv; step++) {
        /* the variable whose elimination adds the fewest constraints */
        uint32_t best = UINT32_MAX;
        size_t best_cost = 0;
        for (uint32_t j = 0; j < s->nv; j++) {
            if (done[j]) continue;
            size_t pos = 0, neg = 0;
            for (size_t i = 0; i < s->n; i++) {
                int sg = rb_num_sign(s->c[i].a[j]);
                pos += sg > 0;
                neg += sg < 0;
            }
            if (best == UINT32_MAX || pos * neg < best_cost) best = j, best_cost = pos * neg;
        }
        uint32_t j = best;
        done[j] = true;
        if (s->n + best_cost > MAX_CONSTRAINTS) {
            v = RB_DIST_UNDECIDED;
            break;
        }
        lsystem next = {.nv = s->nv};
        for (size_t i = 0; i < s->n; i++) {
            if (rb_num_sign(s->c[i].a[j]) != 0) continue;
            constraint *k = add(&next);
            memcpy(k->a, s->c[i].a, s->nv * sizeof *k->a);
            k->b = s->c[i].b;
            k->strict = s->c[i].strict;
        }
        for (size_t p = 0; p < s->n && v == RB_DIST_FEASIBLE; p++) {
            if (rb_num_sign(s->c[p].a[j]) <= 0) continue;
            for (size_t q = 0; q < s->n; q++) {
                if (rb_num_sign(s->c[q].a[j]) >= 0) continue;
                constraint *k = add(&next);
                if (!combine(s, &s->c[p], &s->c[q], j, k)) {
                    v = RB_DIST_UNDECIDED;
                    break;
                }
            }
        }
        free_system(s);
        *s = next;
        if (v != RB_DIST_FEASIBLE) break;
    }
    rb_free(done);
    if (v != RB_DIST_FEASIBLE) return v;
    for (size_t i = 0; i < s->n; i++) {
        int sg = rb_num_sign(s->c[i].b);
        if (sg < 0 || (sg == 0 && s->c[i].strict)) return RB_DIST_INFEASIBLE;
    }
    return RB_DIST_FEASIBLE;
}

rb_dist_verdict rb_dist_feasible(const rb_dist_spec *rules, size_t nrules, uint32_t ngrades)
{
    if (ngrades == 0 || ngrades > RB_DIST_MAX_GRADES) return RB_DIST_UNDECIDED;
    lsystem s = {.nv = ngrades};
    uint64_t all = ngrades == 64 ? UINT64_MAX : ((uint64_t)1 << ngrades) - 1;
    for (uint32_t j = 0; j < ngrades; j++) add_sum(&s, (uint64_t)1 << j, -1, rb_num_zero(), false); /* xⱼ ≥ 0 */
    add_sum(&s, all, 1, rb_num_int(1), false);  /* Σ ≤ 1 */
    add_sum(&s, all, -1, rb_num_int(1), false); /* Σ ≥ 1 */
    for (size_t i = 0; i < nrules; i++) {
        const rb_dist_spec *r = &rules[i];
        switch (r->op) {
        case RB_ARM_LE: add_sum(&s, r->grades & all, 1, r->share, false); break;
        case RB_ARM_LT: add_sum(&s, r->grades & all, 1, r->share, true); break;
        case RB_ARM_GE: add_sum(&s, r->grades & all, -1, r->share, false); break;
        default: add_sum(&s, r->grades & all, -1, r->share, true); break;
        }
    }
    rb_dist_verdict v = eliminate(&s);
    free_system(&s);
    return v;
}

int rb_dist_holds(uint8_t op, rb_num share, rb_num limit)
{
    int c = rb_num_cmp(share, limit);
    switch (op) {
    case RB_ARM_LT: return c < 0;
    case RB_ARM_LE: return c <= 0;
    case RB_ARM_GT: return c > 0;
    default: return c >= 0;
    }
}

void rb_dist_text(rb_buf *out, const char *const *ids, uint64_t grades, uint8_t op, rb_num share)
{
    bool first = true;
    for (uint32_t i = 0; i < RB_DIST_MAX_GRADES; i++) {
        if (!(grades >> i & 1)) continue;
        rb_buf_printf(out, "%s%s", first ? "" : " + ", ids[i]);
        first = false;
    }
    char buf[64];
    rb_num_format_percent(share, -1, buf, sizeof buf);
    rb_buf_printf(out, " %s %s", rb_arm_op_text(op < RB_ARM_ELSE ? op : RB_ARM_GE), buf);
}

uint64_t rb_program_dist_grades(const rb_program *p, uint32_t rule)
{
    const rb_dist_rule *r = &p->dist_rules[rule];
    uint64_t set = 0;
    for (uint32_t k = 0; k < r->count; k++) set |= (uint64_t)1 << p->dist_grades[r->first + k];
    return set;
}

void rb_program_dist_text(rb_buf *out, const rb_program *p, uint32_t rule)
{
    const char *ids[RB_DIST_MAX_GRADES];
    for (uint32_t k = 0; k < p->grade.narms && k < RB_DIST_MAX_GRADES; k++)
        ids[k] = rb_str(p, p->arms[p->grade.first_arm + k].id);
    const rb_dist_rule *r = &p->dist_rules[rule];
    rb_dist_text(out, ids, rb_program_dist_grades(p, rule), r->op, p->numbers[r->share]);
}
