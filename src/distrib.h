/* distrib.h — distribution rules (强制分布, SPEC §14): the share of a batch
 * that a set of grades may take.  One rule is `excellent + good <= 50%`: a
 * set of grades, a comparison and a share in 0..1.
 *
 * The checker asks whether a template's rules can all hold together (the
 * shares of the grades are ≥ 0 and add up to 1, so this is a small linear
 * system, decided exactly here); the report asks whether a batch keeps
 * them; both print them the same way. */
#ifndef RUBRIC_DISTRIB_H
#define RUBRIC_DISTRIB_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "num.h"

#define RB_DIST_MAX_GRADES 64 /* a rule's grades are one 64-bit set */

typedef struct {
    uint64_t grades;   /* bit i: grade arm i (in the grade's order) */
    uint8_t op;        /* rb_arm_op: RB_ARM_LT, LE, GT or GE */
    rb_num share;      /* 0..1 */
} rb_dist_spec;

typedef enum { RB_DIST_FEASIBLE = 1, RB_DIST_INFEASIBLE = 0, RB_DIST_UNDECIDED = -1 } rb_dist_verdict;

/* Whether shares x₀…x_{n-1} ≥ 0 with Σ xᵢ = 1 exist that keep every rule
 * (strict comparisons strictly).  Exact (Fourier–Motzkin over rationals);
 * RB_DIST_UNDECIDED only when the system grows past a fixed bound or a
 * number past what rb_num holds — never a wrong answer. */
rb_dist_verdict rb_dist_feasible(const rb_dist_spec *rules, size_t nrules, uint32_t ngrades);

/* Does `share` keep the rule's comparison against its limit? */
int rb_dist_holds(uint8_t op, rb_num share, rb_num limit);

/* The rule as written: "excellent + good <= 50%".  ids[i] is grade i's id. */
void rb_dist_text(rb_buf *out, const char *const *ids, uint64_t grades, uint8_t op, rb_num share);

struct rb_program;
/* Rule i of a (verified) program: its grades as a set, and as written. */
uint64_t rb_program_dist_grades(const struct rb_program *p, uint32_t rule);
void rb_program_dist_text(rb_buf *out, const struct rb_program *p, uint32_t rule);

#endif
