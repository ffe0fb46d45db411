/* score.c — SPEC §5 scoring of one record (program.h step 3): aggregates
 * sections (renormalising over what applies, deductions floored at 0), takes
 * the total (rounded to the form's precision) and the grade.
 *
 * Invariants: a section is aggregated once per record, after its children
 * (the verifier proved that the sections form a tree, that every section
 * but the root has a U_SECTION unit and that the units run children
 * first; the root is aggregated by its unit or, without one, when the
 * total is taken after all units ran).  An item or section that does not
 * apply leaves the sums and, for an unweighted section, the full mark; the
 * number graded is the number printed (rounded). */
#include "evaluator.h"

#include <assert.h>

/* ---- sections (SPEC §5, program.h rb_section) --------------------------- */

/* Arithmetic inside aggregation; errors name the section's unit (or the
 * section itself when no unit asked for it). */
static int agg_fail(rb_eval *e, uint32_t si, uint32_t ui, rb_num_status st)
{
    if (ui != RB_NONE) return rb_eval_num_status(e, ui, st);
    const rb_program *p = e->p;
    const char *name = si == 0 ? "form" : slot_name(p, p->sections[si].slot);
    const char *shown = si == 0 ? rb_tr(e->opt.lang, N_("form")) : rb_eval_shown(e, name);
    if (st == RB_NUM_DIVZERO)
        rb_eval_error(e, si == 0 ? "" : name, "arith", "section %s: division by zero", shown);
    else
        rb_eval_error(e, si == 0 ? "" : name, "arith", "section %s: the exact result is too large to represent", shown);
    e->stopped = true;
    return -1;
}

#define AGG(call)                                                             \
    do {                                                                      \
        rb_num_status st_ = (call);                                           \
        if (st_ != RB_NUM_OK) return agg_fail(e, si, ui, st_);                \
    } while (0)

/* The full mark a child declares: its points. */
static rb_num declared_full(const rb_program *p, const rb_child *ch)
{
    return ch->kind == CHILD_SECTION ? p->numbers[p->sections[ch->index].points]
                                     : p->numbers[p->items[ch->index].points];
}

void rb_score_index(rb_eval *e)
{
    const rb_program *p = e->p;
    e->child_ratio = rb_xcalloc((size_t)p->nchildren + 1, sizeof *e->child_ratio);
    e->child_ratio_ok = rb_xcalloc((size_t)p->nchildren + 1, 1);
    e->weight_sum = rb_xcalloc((size_t)p->nsections + 1, sizeof *e->weight_sum);
    e->weight_sum_ok = rb_xcalloc((size_t)p->nsections + 1, 1);
    for (uint32_t si = 0; si < p->nsections; si++) {
        const rb_section *sec = &p->sections[si];
        if (!sec->weighted) continue;
        bool sum_ok = true;
        rb_num sum = rb_num_zero();
        for (uint32_t c = sec->first_child; c < sec->first_child + sec->nchildren; c++) {
            const rb_child *ch = &p->children[c];
            if (ch->kind == CHILD_ITEM && p->items[ch->index].is_deduct) continue;
            uint32_t w = ch->kind == CHILD_SECTION ? p->sections[ch->index].weight : p->items[ch->index].weight;
            rb_num wn = w == RB_NONE ? rb_num_zero() : p->numbers[w];
            rb_num full = declared_full(p, ch);
            e->child_ratio_ok[c] = rb_num_sign(full) > 0 && rb_num_div(wn, full, &e->child_ratio[c]) == RB_NUM_OK;
            sum_ok = sum_ok && rb_num_add(sum, wn, &sum) == RB_NUM_OK;
        }
        e->weight_sum[si] = sum;
        e->weight_sum_ok[si] = sum_ok;
    }
}

/* What the weights of section si's applicable children sum to: all of them
 * (taken once, by rb_score_index) when every child applies. */
static rb_num_status applicable_weight(const rb_eval *e, uint32_t si, bool all, rb_num *aw)
{
    const rb_program *p = e->p;
    const rb_section *sec = &p->sections[si];
    if (all) {
        *aw = e->weight_sum[si];
        return RB_NUM_OK;
    }
    rb_num sum = rb_num_zero();
    for (uint32_t c = sec->first_child; c < sec->first_child + sec->nchildren; c++) {
        const rb_child *ch = &p->children[c];
        uint32_t w;
        if (ch->kind == CHILD_SECTION) {
            if (!e->sections[ch->index].applicable) continue;
            w = p->sections[ch->index].weight;
        } else {
            const rb_result_item *ri = &e->items[ch->index];
            if (p->items[ch->index].is_deduct || !ri->applicable || !ri->has_score) continue;
            w = p->items[ch->index].weight;
        }
        rb_num_status st = rb_num_add(sum, w == RB_NONE ? rb_num_zero() : p->numbers[w], &sum);
        if (st != RB_NUM_OK) return st;
    }
    *aw = sum;
    return RB_NUM_OK;
}

int rb_score_section(rb_eval *e, uint32_t si, uint32_t ui)
{
    const rb_program *p = e->p;
    const rb_section *sec = &p->sections[si];
    rb_result_section *rs = &e->sections[si];
    assert(!rs->done);
    rb_num sum = rb_num_zero(), afull = rb_num_zero(), aw = rb_num_zero(), ded = rb_num_zero();
    bool any = false, all = true;
    for (uint32_t c = 0; c < sec->nchildren; c++) {
        const rb_child *ch = &p->children[sec->first_child + c];
        rb_num score, full;
        uint32_t w;
        if (ch->kind == CHILD_SECTION) {
            const rb_result_section *cs = &e->sections[ch->index];
            assert(cs->done);
            if (!cs->applicable) {
                all = false;
                continue;
            }
            score = cs->score;
            full = cs->full; /* its applicable full mark */
            w = p->sections[ch->index].weight;
        } else {
            const rb_item *it = &p->items[ch->index];
            const rb_result_item *ri = &e->items[ch->index];
            if (it->is_deduct) {
                if (ri->applicable && ri->has_score) AGG(rb_num_add(ded, ri->score, &ded));
                continue;
            }
            if (!ri->applicable || !ri->has_score) {
                all = false;
                continue;
            }
            score = ri->score;
            full = p->numbers[it->points];
            w = it->weight;
        }
        any = true;
        if (sec->weighted) {
            rb_num wn = w == RB_NONE ? rb_num_zero() : p->numbers[w], t;
            if (!e->weight_sum_ok[si]) AGG(rb_num_add(aw, wn, &aw)); /* else taken once, below */
            if (rb_num_sign(full) > 0) {
                uint32_t ci = sec->first_child + c;
                rb_num declared = declared_full(p, ch);
                if (e->child_ratio_ok[ci] && full.num == declared.num && full.den == declared.den) {
                    AGG(rb_num_mul(e->child_ratio[ci], score, &t)); /* w ÷ full, taken once */
                } else {
                    AGG(rb_num_mul(wn, score, &t));
                    AGG(rb_num_div(t, full, &t));
                }
                AGG(rb_num_add(sum, t, &sum));
            }
        } else {
            AGG(rb_num_add(sum, score, &sum));
            AGG(rb_num_add(afull, full, &afull));
        }
    }
    if (sec->weighted && e->weight_sum_ok[si] && any) AGG(applicable_weight(e, si, all, &aw));
    rs->done = true;
    rs->applicable = any;
    rs->sum = sum;
    rs->applicable_full = afull;
    rs->applicable_weight = aw;
    rs->deducted = ded;
    if (!any) {
        if (sec->slot != RB_NONE) e->slots[sec->slot].kind = RB_V_ABSENT;
        return 0;
    }
    rb_num points = p->numbers[sec->points], raw;
    if (sec->weighted) {
        /* points × Σ wᵢ·scoreᵢ/fullᵢ ÷ Σ wᵢ over what applies (renormalised) */
        if (rb_num_is_zero(aw)) {
            raw = rb_num_zero();
        } else {
            AGG(rb_num_mul(points, sum, &raw));
            AGG(rb_num_div(raw, aw, &raw));
        }
        rs->full = points;
        rs->rescaled = !all;
    } else if (si == 0) {
        /* the unweighted total is rescaled to the scale:
         * scale × Σ scores ÷ Σ applicable full marks */
        rs->full = points;
        if (rb_num_cmp(afull, points) == 0 || rb_num_sign(afull) <= 0) {
            raw = sum;
        } else {
            AGG(rb_num_mul(points, sum, &raw));
            AGG(rb_num_div(raw, afull, &raw));
            rs->rescaled = true;
        }
    } else {
        /* an item that does not apply leaves its section's full mark */
        raw = sum;
        rs->full = all ? points : afull;
    }
    rs->raw = raw;
    rb_num score;
    AGG(rb_num_sub(raw, ded, &score));
    rs->floored = rb_num_sign(score) < 0;
    if (rs->floored) score = rb_num_zero();
    rs->score = score;
    if (sec->slot != RB_NONE) e->slots[sec->slot] = (rb_value){.kind = RB_V_NUM, .n = score};
    return 0;
}

/* ---- total and grade ---------------------------------------------------- */

static bool arm_holds(const rb_program *p, const rb_arm *a, rb_num x)
{
    if (a->op == RB_ARM_ELSE) return true;
    int c = rb_num_cmp(x, p->numbers[a->threshold]);
    switch (a->op) {
    case RB_ARM_LT: return c < 0;
    case RB_ARM_LE: return c <= 0;
    case RB_ARM_GT: return c > 0;
    case RB_ARM_GE: return c >= 0;
    }
    return false;
}

void rb_score_total(rb_eval *e)
{
    const rb_program *p = e->p;
    rb_result *r = &e->res;
    if (!p->has_items) return;
    r->has_scale = true;
    r->scale = p->numbers[p->scale];
    if (!e->sections[0].done && rb_score_section(e, 0, RB_NONE)) return;
    rb_num t;
    if (p->total_unit != RB_NONE) {
        /* its unit ran before (verify.c) and returned a number */
        assert(e->have_total && e->total_val.kind == RB_V_NUM);
        t = e->total_val.n;
        r->total_from_expr = true;
    } else if (e->sections[0].applicable) {
        t = e->sections[0].score;
    } else {
        rb_eval_warning(e, rb_tr(e->opt.lang, N_("nothing in this record applies: no total")));
        return;
    }
    if (r->total_from_expr && (rb_num_sign(t) < 0 || rb_num_cmp(t, r->scale) > 0)) {
        /* like a computed item: a total beyond its full mark is a formula bug */
        rb_eval_error(e, "total", "item-range", "%s = %s is outside 0..%s", rb_eval_decl_at(e, p->total_unit),
                      rb_eval_num_msg(e, t), rb_num_text(e->arena, r->scale));
        e->stopped = true;
        return;
    }
    r->total_exact = t;
    if (rb_num_round(t, e->digits, &r->total) != RB_NUM_OK) {
        rb_eval_error(e, "total", "arith", "total: rounding %s to %d digits is not representable", rb_eval_num_msg(e, t),
                      e->digits);
        e->stopped = true;
        return;
    }
    r->has_total = true;
    if (p->grade.narms == 0) return;
    rb_num g;
    if (p->grade_on_unit != RB_NONE) {
        assert(e->have_grade_on && e->grade_val.kind == RB_V_NUM); /* like the total's */
        /* graded rounded to precision, like the total: what could be
         * printed is what is graded */
        if (rb_num_round(e->grade_val.n, e->digits, &g) != RB_NUM_OK) g = e->grade_val.n;
        r->grade_on_expr = true;
    } else {
        g = r->total;
    }
    for (uint32_t i = 0; i < p->grade.narms; i++) {
        if (!arm_holds(p, &p->arms[p->grade.first_arm + i], g)) continue;
        /* a cap lowers a better grade to its own (SPEC §12) */
        r->grade_uncapped_arm = RB_NONE;
        if (e->grade_cap != RB_NONE && i < e->grade_cap) {
            r->grade_uncapped_arm = p->grade.first_arm + i;
            i = e->grade_cap;
        }
        const rb_arm *a = &p->arms[p->grade.first_arm + i];
        r->has_grade = true;
        r->grade_id = rb_str(p, a->id);
        r->grade_label = str_or_null(p, a->label);
        r->grade_arm = p->grade.first_arm + i;
        r->grade_value = g;
        return;
    }
    assert(!"the grade's arms cover every number (verify.c)");
}

/* Fills the slots that `total` and `grade` denote in expressions (absent
 * when the record has no total, or no grade). */
void rb_score_result_slots(rb_eval *e)
{
    const rb_program *p = e->p;
    const rb_result *r = &e->res;
    for (uint32_t i = e->kind_first[SLOT_TOTAL]; i < e->kind_first[SLOT_TOTAL + 1]; i++)
        e->slots[e->by_kind[i]] =
            r->has_total ? (rb_value){.kind = RB_V_NUM, .n = r->total} : (rb_value){.kind = RB_V_ABSENT};
    for (uint32_t i = e->kind_first[SLOT_GRADE]; i < e->kind_first[SLOT_GRADE + 1]; i++) {
        uint32_t s = e->by_kind[i];
        /* a choice set with one option per grade arm (verify.c) */
        uint32_t cs = p->slots[s].choiceset;
        e->slots[s] = r->has_grade
                          ? (rb_value){.kind = RB_V_CHOICE, .opt = p->choicesets[cs].first + (r->grade_arm - p->grade.first_arm)}
                          : (rb_value){.kind = RB_V_ABSENT};
    }
}
