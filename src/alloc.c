/* alloc.c — checked allocation that unwinds to a guard (see alloc.h). */
#include "alloc.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct rb_owned {
    void *p;                    /* NULL: empty; TOMBSTONE: removed */
    void (*destroy)(void *);
};

static _Thread_local rb_alloc_guard *current;
static _Thread_local long fail_after = -1;

static char tombstone_;
#define TOMBSTONE ((void *)&tombstone_)

_Noreturn void rb_out_of_memory(void)
{
    assert(current && "allocation with no rb_alloc_guard active");
    longjmp(current->env, 1);
}

static bool injected_failure(void)
{
    if (fail_after < 0) return false;
    if (fail_after == 0) return true;
    fail_after--;
    return false;
}

void rb_alloc_fail_after(long n) { fail_after = n; }

/* ---- the zone's set of owned blocks ---------------------------------------- */

static size_t slot_of(const void *p, size_t cap)
{
    uintptr_t h = (uintptr_t)p;
    h ^= h >> 17;
    h *= (uintptr_t)0x9E3779B97F4A7C15u;
    return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

static void set_put(struct rb_owned *set, size_t cap, void *p, void (*destroy)(void *))
{
    size_t j = slot_of(p, cap);
    while (set[j].p && set[j].p != TOMBSTONE) j = (j + 1) & (cap - 1);
    set[j] = (struct rb_owned){p, destroy};
}

/* Room for one more; false when even the set cannot grow. */
static bool set_reserve(rb_alloc_guard *g)
{
    if ((g->owned_used + 1) * 2 <= g->owned_cap) return true;
    size_t cap = g->owned_cap ? g->owned_cap * 2 : 64;
    struct rb_owned *grown = injected_failure() ? NULL : calloc(cap, sizeof *grown);
    if (!grown) return false;
    size_t used = 0;
    for (size_t i = 0; i < g->owned_cap; i++)
        if (g->owned[i].p && g->owned[i].p != TOMBSTONE) set_put(grown, cap, g->owned[i].p, g->owned[i].destroy), used++;
    free(g->owned);
    g->owned = grown;
    g->owned_cap = cap;
    g->owned_used = used;
    return true;
}

static void own(void *p, void (*destroy)(void *))
{
    rb_alloc_guard *g = current;
    if (!g || !g->zone) return;
    if (!set_reserve(g)) {
        destroy(p);
        rb_out_of_memory();
    }
    set_put(g->owned, g->owned_cap, p, destroy);
    g->owned_used++;
}

/* Forgets p; false when the zone did not own it. */
static bool disown(void *p)
{
    rb_alloc_guard *g = current;
    if (!p || !g || !g->zone || !g->owned_cap) return false;
    for (size_t j = slot_of(p, g->owned_cap); g->owned[j].p; j = (j + 1) & (g->owned_cap - 1)) {
        if (g->owned[j].p == p) {
            g->owned[j].p = TOMBSTONE;  /* still counted in owned_used until the next rehash */
            return true;
        }
    }
    return false;
}

void rb_alloc_own(void *p, void (*destroy)(void *)) { own(p, destroy); }
void rb_alloc_disown(void *p) { disown(p); }

/* ---- guards ---------------------------------------------------------------- */

void rb_alloc_enter(rb_alloc_guard *g, int mode)
{
    g->outer = current;
    g->zone = mode == RB_ALLOC_ZONE;
    g->owned = NULL;
    g->owned_used = g->owned_cap = 0;
    current = g;
}

void rb_alloc_leave(rb_alloc_guard *g)
{
    assert(current == g);
    current = g->outer;
    /* an outer zone takes over what this one made: its call may still fail */
    for (size_t i = 0; i < g->owned_cap; i++)
        if (g->owned[i].p && g->owned[i].p != TOMBSTONE) own(g->owned[i].p, g->owned[i].destroy);
    free(g->owned);
    g->owned = NULL;
}

void rb_alloc_failed(rb_alloc_guard *g)
{
    assert(current == g);
    current = g->outer;
    for (size_t i = 0; i < g->owned_cap; i++)
        if (g->owned[i].p && g->owned[i].p != TOMBSTONE) g->owned[i].destroy(g->owned[i].p);
    free(g->owned);
    g->owned = NULL;
}

/* ---- the allocators --------------------------------------------------------- */

void *rb_xmalloc(size_t size)
{
    void *p = injected_failure() ? NULL : malloc(size ? size : 1);
    if (!p) rb_out_of_memory();
    own(p, free);
    return p;
}

void *rb_xcalloc(size_t n, size_t size)
{
    void *p = injected_failure() ? NULL : calloc(n ? n : 1, size ? size : 1);
    if (!p) rb_out_of_memory();
    own(p, free);
    return p;
}

void *rb_xrealloc(void *p, size_t size)
{
    if (!p) return rb_xmalloc(size);
    bool owned = disown(p);  /* before: p may not be looked at once realloc moved it */
    void *q = injected_failure() ? NULL : realloc(p, size ? size : 1);
    if (!q) {
        if (owned) own(p, free);  /* p is intact, and the zone's again */
        rb_out_of_memory();
    }
    if (owned) own(q, free);
    return q;
}

char *rb_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(rb_xmalloc(n), s, n);
}

void *rb_alloc_raw(size_t size)
{
    return injected_failure() ? NULL : malloc(size ? size : 1);
}

void rb_free(void *p)
{
    disown(p);
    free(p);
}
