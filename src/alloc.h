/* alloc.h — checked allocation and the out-of-memory contract.
 *
 * Library code never tests malloc's result and never exits: rb_xmalloc and
 * friends either return memory or unwind, with longjmp, to the innermost
 * active guard.  Every entry point of the public API (api.c) sets a guard,
 * so that running out of memory becomes an error returned to the embedder;
 * the command line (main.c) sets one that reports and exits.
 *
 * A guard entered with RB_ALLOC_ZONE also owns what the call allocates: when
 * the call fails, every block it allocated and did not free is freed (and
 * every arena it made), so a failed call leaks nothing.  That is why library
 * code frees with rb_free, which forgets the block, never with free(); rb_free
 * takes memory of any origin (open_memstream's, libcsv's).  On success the
 * zone forgets everything and the objects belong to the caller.
 *
 * Calling an allocating function with no guard active is a bug of the
 * caller: it is asserted when memory actually runs out. */
#ifndef RUBRIC_ALLOC_H
#define RUBRIC_ALLOC_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct rb_alloc_guard {
    jmp_buf env;
    struct rb_alloc_guard *outer;
    bool zone;
    /* the zone's blocks: an open-addressing set of (pointer, destructor) */
    struct rb_owned *owned;
    size_t owned_used, owned_cap;
} rb_alloc_guard;

enum { RB_ALLOC_UNWIND = 0, RB_ALLOC_ZONE = 1 };

/* The pattern (setjmp must be called in the function that guards):
 *
 *     rb_alloc_guard g;
 *     rb_alloc_enter(&g, RB_ALLOC_ZONE);
 *     if (setjmp(g.env) != 0) { rb_alloc_failed(&g); return OUT_OF_MEMORY; }
 *     ... the work ...
 *     rb_alloc_leave(&g);
 *
 * Locals changed after setjmp and read after the failure must be volatile. */
void rb_alloc_enter(rb_alloc_guard *g, int mode);
void rb_alloc_leave(rb_alloc_guard *g);    /* success: the zone forgets */
void rb_alloc_failed(rb_alloc_guard *g);   /* frees the zone, leaves g */

/* Unwinds to the innermost guard.  For the few places that allocate
 * through another library (libcsv, flex) and are told it failed. */
_Noreturn void rb_out_of_memory(void);

void *rb_xmalloc(size_t size);
void *rb_xcalloc(size_t n, size_t size);
void *rb_xrealloc(void *p, size_t size);
char *rb_xstrdup(const char *s);
void rb_free(void *p);
/* malloc with fault injection, NULL on failure, never owned by a zone: for
 * memory that an owned object keeps track of itself (an arena's blocks). */
void *rb_alloc_raw(size_t size);

/* An object with its own destructor (an arena) made inside a zone: the
 * zone destroys it if the call fails.  rb_alloc_disown when it is freed. */
void rb_alloc_own(void *p, void (*destroy)(void *));
void rb_alloc_disown(void *p);

/* Fault injection for tests: the next `n` allocations succeed and every
 * later one fails, until rb_alloc_fail_after(-1). */
void rb_alloc_fail_after(long n);

#endif
