/* cli_jobs.c — `rubric score -j N` (see cli_jobs.h). */
#include "cli_jobs.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "arena.h"
#include "result.h"

/* Records go to the workers in batches, so that the locking costs little
 * per record; a few batches per worker keep every worker busy while the
 * main thread reads and writes.  The window is fixed: at most
 * SLOTS_PER_WORKER × BATCH records per worker in flight. */
#define BATCH 64
#define SLOTS_PER_WORKER 4

enum { SLOT_FREE, SLOT_QUEUED, SLOT_DONE };

/* An NDJSON line to parse on the worker (text non-NULL), else a record
 * the main thread read (rec). */
typedef struct {
    const char *text;
    size_t len;
    uint64_t col;
} line_ref;

typedef struct {
    int state;
    rb_arena *arena; /* the records' or lines' copies */
    rb_record rec[BATCH];
    line_ref line[BATCH];
    int n;
    rb_out out;      /* their results, formatted, in order */
    int invalid;     /* how many are not ok */
} slot;

struct rb_jobs {
    const rb_program *p;
    rb_eval_options eo;
    rb_out *out;
    bool interactive;
    int batch; /* records per slot: 1 when a person watches the results */
    int nworkers;
    pthread_t threads[RB_JOBS_MAX];
    slot *slots;
    size_t nslots;
    uint64_t added, claimed, written; /* sequence numbers, in input order */
    bool closing;
    pthread_mutex_t lock;
    pthread_cond_t work, done;
};

/* ---- copying a record into a slot ------------------------------------------- */

static const char *copy_text(rb_arena *a, const char *s, size_t n)
{
    return s ? rb_arena_strndup(a, s, n) : NULL;
}

/* Depth is bounded by the reader's nesting limit (64). */
static void copy_rv(rb_arena *a, rb_rv *to, const rb_rv *from)
{
    *to = *from;
    to->text = copy_text(a, from->text, from->len);
    if (from->kind == RV_OBJECT) {
        to->members = rb_arena_alloc(a, from->count * sizeof *to->members);
        for (size_t i = 0; i < from->count; i++) {
            to->members[i].key = copy_text(a, from->members[i].key, from->members[i].keylen);
            to->members[i].keylen = from->members[i].keylen;
            copy_rv(a, &to->members[i].value, &from->members[i].value);
        }
    } else if (from->kind == RV_ARRAY) {
        to->items = rb_arena_alloc(a, from->count * sizeof *to->items);
        for (size_t i = 0; i < from->count; i++) copy_rv(a, &to->items[i], &from->items[i]);
    }
}

static void copy_record(rb_arena *a, rb_record *to, const rb_record *from)
{
    *to = *from;
    to->source = copy_text(a, from->source, from->source ? strlen(from->source) : 0);
    to->syntax_error = copy_text(a, from->syntax_error, from->syntax_error ? strlen(from->syntax_error) : 0);
    copy_rv(a, &to->value, &from->value);
}

/* ---- the workers ---------------------------------------------------------------- */

static void *worker(void *arg)
{
    rb_jobs *j = arg;
    /* Out of memory on this thread cannot unwind to main's guard: report
     * and end, as main's guard would. */
    rb_alloc_guard guard;
    rb_alloc_enter(&guard, RB_ALLOC_UNWIND);
    if (setjmp(guard.env) != 0) {
        fputs(rb_tr(j->eo.lang, N_("rubric: out of memory\n")), stderr);
        exit(70);
    }
    rb_eval *ev = rb_eval_new(j->p, &j->eo);
    rb_ndjson_writer *w = rb_ndjson_writer_new(j->p);
    rb_line_parser *lp = rb_line_parser_new(j->eo.lang);
    pthread_mutex_lock(&j->lock);
    for (;;) {
        while (j->claimed == j->added && !j->closing) pthread_cond_wait(&j->work, &j->lock);
        if (j->claimed == j->added) break;
        slot *s = &j->slots[j->claimed++ % j->nslots];
        pthread_mutex_unlock(&j->lock);
        s->out.len = 0;
        s->invalid = 0;
        for (int i = 0; i < s->n; i++) {
            const rb_record *rec = &s->rec[i];
            rb_record parsed;
            if (s->line[i].text) {
                rb_line_parse(lp, &parsed, rec->source, s->line[i].text, s->line[i].len, rec->line, s->line[i].col,
                              rec->number);
                rec = &parsed;
            }
            const rb_result *res = rb_eval_record(ev, rec);
            s->invalid += !res->ok;
            rb_ndjson_write(w, &s->out, res);
        }
        pthread_mutex_lock(&j->lock);
        s->state = SLOT_DONE;
        pthread_cond_broadcast(&j->done);
    }
    pthread_mutex_unlock(&j->lock);
    rb_line_parser_free(lp);
    rb_ndjson_writer_free(w);
    rb_eval_free(ev);
    rb_alloc_leave(&guard);
    return NULL;
}

rb_jobs *rb_jobs_new(const rb_program *p, const rb_eval_options *eo, int n, rb_out *out,
                     bool interactive)
{
    rb_jobs *j = rb_xcalloc(1, sizeof *j);
    j->p = p;
    j->eo = *eo;
    j->out = out;
    j->interactive = interactive;
    j->batch = interactive ? 1 : BATCH;
    j->nslots = (size_t)n * SLOTS_PER_WORKER;
    j->slots = rb_xcalloc(j->nslots, sizeof *j->slots);
    for (size_t i = 0; i < j->nslots; i++) {
        j->slots[i].arena = rb_arena_new();
        rb_out_init_memory(&j->slots[i].out);
    }
    pthread_mutex_init(&j->lock, NULL);
    pthread_cond_init(&j->work, NULL);
    pthread_cond_init(&j->done, NULL);
    for (int i = 0; i < n; i++) {
        if (pthread_create(&j->threads[i], NULL, worker, j) != 0) break;
        j->nworkers++;
    }
    if (j->nworkers == 0) {
        int status = 0;
        rb_jobs_free(j, &status);
        return NULL;
    }
    return j;
}

/* Writes the finished results that come next in input order; with `wait`,
 * waits for the oldest one first.  Called with the lock held. */
static void write_ready(rb_jobs *j, bool wait, int *status)
{
    for (;;) {
        slot *s = &j->slots[j->written % j->nslots];
        if (j->written == j->added) return;
        if (s->state != SLOT_DONE) {
            if (!wait) return;
            pthread_cond_wait(&j->done, &j->lock);
            continue;
        }
        wait = false;
        rb_out_add(j->out, s->out.buf, s->out.len);
        if (j->interactive) rb_out_flush(j->out);
        if (s->invalid && *status == 0) *status = 1;
        s->state = SLOT_FREE;
        s->n = 0;
        j->written++;
    }
}

/* Hands the batch being filled to the workers.  Called with the lock held. */
static void queue_batch(rb_jobs *j)
{
    slot *s = &j->slots[j->added % j->nslots];
    if (j->added - j->written == j->nslots || s->n == 0) return; /* nothing being filled */
    s->state = SLOT_QUEUED;
    j->added++;
    pthread_cond_signal(&j->work);
}

/* The slot being filled, after waiting for one to be free. */
static slot *filling(rb_jobs *j, int *status)
{
    /* Only this thread moves `added` and `written`, so it knows without the
     * lock whether the slot after the queued ones is free. */
    if (j->added - j->written == j->nslots) {
        pthread_mutex_lock(&j->lock);
        while (j->added - j->written == j->nslots) write_ready(j, true, status);
        pthread_mutex_unlock(&j->lock);
    }
    slot *s = &j->slots[j->added % j->nslots];
    if (s->n == 0) rb_arena_reset(s->arena);
    return s;
}

/* One more in the slot: hands it to the workers when full. */
static void filled(rb_jobs *j, slot *s, int *status)
{
    s->n++;
    if (s->n == j->batch) {
        pthread_mutex_lock(&j->lock);
        queue_batch(j);
        write_ready(j, false, status);
        pthread_mutex_unlock(&j->lock);
    }
}

void rb_jobs_add(rb_jobs *j, const rb_record *rec, int *status)
{
    slot *s = filling(j, status);
    copy_record(s->arena, &s->rec[s->n], rec);
    s->line[s->n].text = NULL;
    filled(j, s, status);
}

void rb_jobs_add_line(rb_jobs *j, const char *source, const char *text, size_t len, uint64_t line, uint64_t col,
                      uint64_t number, int *status)
{
    slot *s = filling(j, status);
    rb_record *rec = &s->rec[s->n];
    memset(rec, 0, sizeof *rec);
    rec->number = number;
    rec->line = line;
    rec->source = copy_text(s->arena, source, strlen(source));
    s->line[s->n] = (line_ref){copy_text(s->arena, text, len), len, col};
    filled(j, s, status);
}

void rb_jobs_drain(rb_jobs *j, int *status)
{
    pthread_mutex_lock(&j->lock);
    queue_batch(j);
    while (j->written < j->added) write_ready(j, true, status);
    pthread_mutex_unlock(&j->lock);
}

void rb_jobs_free(rb_jobs *j, int *status)
{
    if (!j) return;
    rb_jobs_drain(j, status);
    pthread_mutex_lock(&j->lock);
    j->closing = true;
    pthread_cond_broadcast(&j->work);
    pthread_mutex_unlock(&j->lock);
    for (int i = 0; i < j->nworkers; i++) pthread_join(j->threads[i], NULL);
    for (size_t i = 0; i < j->nslots; i++) {
        rb_arena_free(j->slots[i].arena);
        rb_out_free(&j->slots[i].out);
    }
    rb_free(j->slots);
    pthread_mutex_destroy(&j->lock);
    pthread_cond_destroy(&j->work);
    pthread_cond_destroy(&j->done);
    rb_free(j);
}
