/* arena.c — bump allocator (see arena.h). */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

typedef struct block {
    struct block *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
} block;

struct rb_arena {
    block *head;
};

static block *new_block(size_t min)
{
    size_t size = min > 16384 ? min : 16384;
    block *b = rb_alloc_raw(sizeof(block) + size);
    if (!b) rb_out_of_memory();
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

static void destroy(void *arena)
{
    rb_arena *a = arena;
    for (block *b = a->head, *n; b; b = n) {
        n = b->next;
        free(b);
    }
    free(a);
}

/* The arena and its blocks are malloc'd directly: a zone (alloc.h) owns the
 * arena as one object and frees it whole if the call that made it fails. */
rb_arena *rb_arena_new(void)
{
    rb_arena *a = rb_alloc_raw(sizeof *a);
    if (!a) rb_out_of_memory();
    a->head = NULL;
    rb_alloc_own(a, destroy);  /* first, so that a failing first block is freed with it */
    a->head = new_block(0);
    return a;
}

void rb_arena_free(rb_arena *a)
{
    if (!a) return;
    rb_alloc_disown(a);
    destroy(a);
}

void rb_arena_reset(rb_arena *a)
{
    /* Keep the largest-so-far block list's last element (the first made). */
    block *b = a->head;
    while (b->next) {
        block *n = b->next;
        free(b);
        b = n;
    }
    b->used = 0;
    a->head = b;
}

/* `size` bytes, 16-aligned, not zeroed. */
static void *bump(rb_arena *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (size == 0) size = 16;
    block *b = a->head;
    if (b->size - b->used < size) {
        block *nb = new_block(size);
        if (size > 4096) { /* big one-off: keep the current block on top */
            nb->next = b->next;
            b->next = nb;
            nb->used = size;
            return nb->data;
        }
        nb->next = b;
        a->head = b = nb;
    }
    void *p = b->data + b->used;
    b->used += size;
    return p;
}

void *rb_arena_alloc(rb_arena *a, size_t size)
{
    void *p = bump(a, size);
    memset(p, 0, size);
    return p;
}

/* Not zeroed: every byte is written (tokens of every record are copied here). */
char *rb_arena_strndup(rb_arena *a, const char *s, size_t n)
{
    char *p = bump(a, n + 1);
    if (n >= 8 && n <= 16) { /* most tokens: two overlapping fixed-size copies, no call */
        memcpy(p, s, 8);
        memcpy(p + n - 8, s + n - 8, 8);
    } else if (n) {
        memcpy(p, s, n);
    }
    p[n] = '\0';
    return p;
}

void *rb_arena_grow(rb_arena *a, void *array, size_t n, size_t *cap, size_t size, size_t first)
{
    if (n < *cap) return array;
    size_t ncap = *cap ? *cap * 2 : first;
    void *grown = rb_arena_alloc(a, ncap * size);
    if (n) memcpy(grown, array, n * size);
    *cap = ncap;
    return grown;
}

char *rb_arena_printf(rb_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    char *p = rb_arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
