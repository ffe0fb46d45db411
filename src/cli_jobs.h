/* cli_jobs.h — `rubric score -j N`: scoring on N threads, NDJSON results
 * written in input order.
 *
 * The main thread frames NDJSON lines (rb_reader_next_line) and hands each,
 * copied into a slot of a fixed ring, to N worker threads, which parse it
 * (rb_line_parse), score it and format its result into the slot; each has
 * its own parser, evaluator and result writer.  Other inputs (a JSON array,
 * CSV) are read on the main thread and their records copied into the ring.
 * The main thread writes finished slots strictly in input order, so the
 * output is byte for byte that of one thread, record numbers included.  The
 * ring bounds the records in flight, hence the memory. */
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
/* Queues an NDJSON line (rb_reader_next_line) to be parsed and scored on a
 * worker: the main thread only frames the input. */
void rb_jobs_add_line(rb_jobs *j, const char *source, const char *text, size_t len, uint64_t line, uint64_t col,
                      uint64_t number, int *status);
/* Waits for every queued record and writes its result. */
void rb_jobs_drain(rb_jobs *j, int *status);
/* Drains, stops the workers and frees everything. */
void rb_jobs_free(rb_jobs *j, int *status);

#endif
