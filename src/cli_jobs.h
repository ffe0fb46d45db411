/* cli_jobs.h — `rubric score -j N`: scoring on N threads, NDJSON results
 * written in input order.
 *
 * The main thread reads records (the reader is sequential) and hands each,
 * copied into a slot of a fixed ring, to N worker threads; each worker has
 * its own evaluator and result writer and formats its record's result into
 * the slot.  The main thread writes finished slots strictly in input order,
 * so the output is byte for byte that of one thread, record numbers
 * included.  The ring bounds the records in flight, hence the memory. */
#ifndef RUBRIC_CLI_JOBS_H
#define RUBRIC_CLI_JOBS_H

#include <stdbool.h>

#include "out.h"
#include "program.h"
#include "record.h"
#include "vm.h"

#define RB_JOBS_MAX 64

typedef struct rb_jobs rb_jobs;

/* Starts n (2..RB_JOBS_MAX) workers scoring against p; results go to out,
 * flushed after each one when `interactive`.  NULL if threads cannot be
 * started (the caller then scores on its own thread). */
rb_jobs *rb_jobs_new(const rb_program *p, const rb_eval_options *eo, int n, rb_out *out,
                     bool interactive);
/* Queues a copy of rec; writes whatever has finished, in order.  *status
 * becomes 1 when a written result is invalid (if it was 0). */
void rb_jobs_add(rb_jobs *j, const rb_record *rec, int *status);
/* Waits for every queued record and writes its result. */
void rb_jobs_drain(rb_jobs *j, int *status);
/* Drains, stops the workers and frees everything. */
void rb_jobs_free(rb_jobs *j, int *status);

#endif
