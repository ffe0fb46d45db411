/* history.h — what SPEC §13's history is made of, apart from any store:
 * periods (2026-10, 2026-W07, 2026-Q3, 2026) and their arithmetic, the
 * values a stored result keeps for streak() and previous(), and an
 * in-memory store (what `rubric test` sequences use).  The SQLite store of
 * `score --store` is the command line's (src/cli_store.c, docs/store.md);
 * the evaluator sees any store only through rb_history (vm.h). */
#ifndef RUBRIC_HISTORY_H
#define RUBRIC_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "vm.h"

/* The longest period text, NUL included ("2026-W07", "2026-10"). */
#define RB_PERIOD_MAX 48

/* The canonical period of a record's period value for a form's `period`
 * word (weekly, monthly, quarterly, yearly): "YYYY-MM", "YYYY-Www" (ISO
 * week), "YYYY-Qn", "YYYY", from that text or from a date inside the period.
 * False when the value is neither. */
bool rb_period_canonical(const char *kind, const char *value, size_t len, char out[RB_PERIOD_MAX]);
/* The period `back` periods before canonical `period`.  False before year 1. */
bool rb_period_back(const char *kind, const char *period, uint32_t back, char out[RB_PERIOD_MAX]);
/* "a month (YYYY-MM)" for messages; NULL for a word that has no periods. */
const char *rb_period_expected(const char *kind);

/* What a stored result keeps for history: "total", "grade" (its id), every
 * applicable section's score and every output, by name, each value exact
 * (numbers as "12.5" or "7/3", a set of choices as "a;b").  NULL-free
 * strings in `a`; returns how many. */
/* A value as that exact text; NULL for an absent one. */
const char *rb_history_value_text(const rb_program *p, const rb_value *v, rb_arena *a);
size_t rb_history_values(const rb_program *p, const rb_result *r, rb_arena *a, rb_stored_value **out);

/* An in-memory store: key and period → values, replaced when stored again. */
typedef struct rb_memory_history rb_memory_history;
rb_memory_history *rb_memory_history_new(void);
/* Returns true when it replaced an earlier result of that key and period. */
bool rb_memory_history_put(rb_memory_history *m, const char *key, const char *period, const rb_stored_value *values,
                           size_t n);
rb_history rb_memory_history_provider(rb_memory_history *m);
void rb_memory_history_free(rb_memory_history *m);

#endif
