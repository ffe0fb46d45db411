/* arena.h — bump allocator: one per compilation, one per record.
 * Everything allocated from an arena is freed at once by reset/free.
 * Allocation failure unwinds to the active guard (alloc.h). */
#ifndef RUBRIC_ARENA_H
#define RUBRIC_ARENA_H

#include <stddef.h>

#include "alloc.h"  /* rb_xmalloc and the rest, for the many users of both */

typedef struct rb_arena rb_arena;

rb_arena *rb_arena_new(void);
void rb_arena_free(rb_arena *a);                 /* NULL is fine */
void rb_arena_reset(rb_arena *a);                /* keeps the first block */
void *rb_arena_alloc(rb_arena *a, size_t size);  /* zeroed, 16-aligned */
char *rb_arena_strndup(rb_arena *a, const char *s, size_t n); /* NUL-ends */
/* Makes room for one more element in an arena-owned array of n elements of
 * `size` bytes with capacity *cap (doubling it, from `first`); returns the
 * array, moved if it grew.  The old copy stays in the arena until reset. */
void *rb_arena_grow(rb_arena *a, void *array, size_t n, size_t *cap, size_t size, size_t first);
char *rb_arena_printf(rb_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
