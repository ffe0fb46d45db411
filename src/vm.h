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

/* An evaluator for p, which must outlive it.  NULL when p is not a program
 * rb_program_verify accepted (rb_program_verified): the evaluator runs
 * nothing else.  rb_program_load and rb_compile return verified programs. */
rb_eval *rb_eval_new(const rb_program *p, const rb_eval_options *opt);
void rb_eval_free(rb_eval *e);
/* Scores one record.  The result is owned by the evaluator and valid until
 * the next rb_eval_record or rb_eval_free. */
const rb_result *rb_eval_record(rb_eval *e, const rb_record *rec);

#endif
