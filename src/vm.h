/* vm.h — scores records against a verified program (see program.h for the
 * evaluation order).  An evaluator is reusable across records and keeps all
 * per-record memory in one arena, reset for each record: a stream of any
 * length runs in constant memory. */
#ifndef RUBRIC_VM_H
#define RUBRIC_VM_H

#include <stdbool.h>

#include "lang.h"
#include "program.h"
#include "record.h"
#include "result.h"

typedef struct {
    bool allow_extra;   /* unknown keys are ignored instead of "unknown" errors */
    rb_lang lang;       /* of the error and warning messages (SPEC §17); codes
                           and paths never change */
} rb_eval_options;

typedef struct rb_eval rb_eval;

/* History (SPEC §13): an earlier period's stored result, as a store gives
 * it to streak() and previous().  Names are "total", "grade" and section
 * and output names; values exact text (history.h, rb_history_values). */
typedef struct {
    const char *name;
    const char *value;
} rb_stored_value;

/* A store of earlier results, given to an evaluator.  `lookup` finds the
 * stored result of `key` (the key field's value as text) in `period` (the
 * canonical period, "2026-10"): 1 with its values (valid until the next
 * call), 0 when there is none, -1 when the store failed (the provider
 * keeps its error; the evaluator reads it as none).  Each evaluator reads
 * only the form it was made for: the provider is that form's. */
typedef struct {
    int (*lookup)(void *ctx, const char *key, const char *period, const rb_stored_value **values, size_t *n);
    void *ctx;
} rb_history;

/* An evaluator for p, which must outlive it.  NULL when p is not a program
 * rb_program_verify accepted (rb_program_verified): the evaluator runs
 * nothing else.  rb_program_load and rb_compile return verified programs. */
rb_eval *rb_eval_new(const rb_program *p, const rb_eval_options *opt);
void rb_eval_free(rb_eval *e);
/* Earlier results for streak() and previous(); NULL (the default): no
 * history, so streak counts this period only and previous is absent. */
void rb_eval_set_history(rb_eval *e, const rb_history *h);
/* Scores one record.  The result is owned by the evaluator and valid until
 * the next rb_eval_record or rb_eval_free. */
const rb_result *rb_eval_record(rb_eval *e, const rb_record *rec);

#endif
