/* evaluator.h — internal: the evaluator's state and what its three modules
 * share.  Scoring one record (program.h gives the order) is split by job:
 *
 *   bind.c   binds a record's values to the program's inputs (step 1);
 *   vm.c     owns the evaluator, runs the units and interprets their
 *            bytecode (step 2), and assembles the result;
 *   score.c  aggregates sections, takes the total and the grade (SPEC §5,
 *            step 3).
 *
 * Only these three files include this header; everything else uses vm.h.
 * All per-record memory comes from `arena`, reset for each record.
 *
 * All three run only verified programs (the safety contract at the top of
 * vm.c): they index the program's tables without checking and `assert`
 * what the verifier proved. */
#ifndef RUBRIC_EVALUATOR_H
#define RUBRIC_EVALUATOR_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "vm.h"

/* A SLOT_RATER slot and the item and rater whose value it reads. */
typedef struct {
    uint32_t slot, item, rater;
} rb_rater_read;

/* Outcomes of binding one record value. */
enum { B_OK, B_ABSENT, B_NA, B_ERR };

struct rb_eval {
    const rb_program *p;
    rb_eval_options opt;
    rb_arena *arena;
    int digits;               /* precision, clamped to what num.h accepts */

    /* bind.c: slot names → slots, slots → inputs (built by rb_bind_index) */
    uint32_t *hash;           /* open addressing: slot indices, RB_NONE empty */
    uint32_t hmask;
    uint32_t *slot_input;     /* slot → input index or RB_NONE */
    rb_rater_read *rater_reads; /* the ITEM.RATER slots (SLOT_RATER), by item */
    uint32_t nrater_reads;
    /* key_after[0]: the slot of the first key of the last record;
     * key_after[s + 1]: the slot of the key that followed slot s's key.  A
     * stream's records mostly list their keys in one order (an optional key
     * left out skips one), and checking the guess is cheaper than hashing
     * the key.  RB_NONE: no guess. */
    uint32_t *key_after;

    /* vm.c: the slots of each kind in slot order (by_kind[kind_first[k] ..
     * kind_first[k + 1])), so that collecting a result's fields, inputs,
     * lets and outputs does not scan every slot once per kind */
    uint32_t *by_kind;
    uint32_t kind_first[SLOT_HISTORY + 2];

    /* score.c: per child of a weighted section, weight ÷ declared full mark
     * (child_ratio_ok 0 where that is not a number: no full mark, or too
     * large), built by rb_score_index */
    rb_num *child_ratio;
    uint8_t *child_ratio_ok;
    /* per weighted section: the sum of its children's weights, what the
     * weights applicable sum to when every child applies (weight_sum_ok 0
     * if too large) */
    rb_num *weight_sum;
    uint8_t *weight_sum_ok;

    /* per record, sized once */
    rb_value *slots;
    rb_result_item *items;
    rb_result_section *sections;
    rb_value *rater_vals;     /* nitems × nraters */
    uint32_t *in_first, *in_count; /* per input: first record member, occurrences */
    uint8_t *pend;            /* per input: bind outcome kept for `when` items */
    rb_value *pend_val;
    rb_value stack[RB_MAX_STACK + 3]; /* run_code's stack: stack + 2 .. (one spare cell) */

    const rb_record *rec;
    bool stopped;             /* a binding or runtime error ended the record */
    bool failed;              /* a unit failed (item-range, arith): evaluation goes
                                 on where its values are sound, but no total */
    uint8_t *poisoned;        /* per slot: no value because a unit failed (arena) */
    bool have_total, have_grade_on;
    bool result_done;         /* a U_RESULT unit computed the total and grade */
    uint32_t grade_cap;       /* the lowest grade a U_CAP allows (an arm index), or RB_NONE */
    rb_value total_val, grade_val;
    size_t cap_errors, cap_warnings;
    rb_result res;

    /* history (SPEC §13): the provider, and per record the earlier periods
     * read so far (arena) */
    bool has_history;
    rb_history history;
    struct rb_hist_frame { uint32_t back; rb_value *slots; } *frames; /* slots NULL: nothing stored */
    size_t nframes, cap_frames;
};

static inline const char *str_or_null(const rb_program *p, uint32_t i)
{
    return i == RB_NONE ? NULL : rb_str(p, i);
}

static inline const char *slot_name(const rb_program *p, uint32_t slot)
{
    return rb_str(p, p->slots[slot].name);
}

/* ---- vm.c: errors, warnings and numbers in messages --------------------- */

void rb_eval_error(rb_eval *e, const char *path, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void rb_eval_warning(rb_eval *e, const char *msg);
/* rb_eval_error's fmt is a message id (lang.h), written in the evaluator's
 * language; rb_eval_warning's msg is shown as given (a template's own
 * warning, or a message the caller translated).  How a message names a value: its
 * path in English; in Chinese the template's label where it gives one
 * ("工作积极性", "团队协作.直接领导", SPEC §17).  Only error paths call it. */
const char *rb_eval_shown(rb_eval *e, const char *path);
/* Arithmetic status of unit `ui`: 0, or an "arith" error that stops the record. */
int rb_eval_num_status(rb_eval *e, uint32_t ui, rb_num_status st);
/* The name of unit `ui`'s declaration, as messages show it. */
const char *rb_eval_unit_decl(const rb_eval *e, uint32_t ui);
/* The declaration of unit `ui` as a message shows it: "bonus (line 12)". */
const char *rb_eval_decl_at(rb_eval *e, uint32_t ui);
/* A number for a message: exact when a finite decimal, else "≈" rounded. */
char *rb_eval_num_msg(rb_eval *e, rb_num n);

/* ---- bind.c ------------------------------------------------------------- */

/* Builds the name index; called once by rb_eval_new. */
void rb_bind_index(rb_eval *e);
/* The slot named `name`, or RB_NONE. */
uint32_t rb_bind_slot(const rb_eval *e, const char *name, size_t len);
/* Step 1 for one record object.  False: binding errors stop the record. */
bool rb_bind_record(rb_eval *e, const rb_rv *obj);
/* Gives item `item` its score (v a number) or makes it not applicable (v NULL). */
void rb_bind_item(rb_eval *e, uint32_t item, const rb_value *v);
/* Item `item`'s U_WHEN unit gave `applies`: settles its deferred binding.
 * False: the record stops. */
bool rb_bind_when(rb_eval *e, uint32_t item, bool applies);

/* ---- score.c ------------------------------------------------------------ */

/* Builds child_ratio; called once by rb_eval_new. */
void rb_score_index(rb_eval *e);

/* Aggregates section `si`, whose children are aggregated, for unit `ui`
 * (RB_NONE: the root, asked for by the total).  -1: an error stopped the
 * record. */
int rb_score_section(rb_eval *e, uint32_t si, uint32_t ui);
/* Step 3: the total and the grade into the result. */
void rb_score_total(rb_eval *e);
/* Fills the slots that `total` and `grade` denote in expressions. */
void rb_score_result_slots(rb_eval *e);

#endif
