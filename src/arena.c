/* arena.c — bump allocator (see arena.h). */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct block {
    struct block *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
} block;

struct rb_arena {
    block *head;
};

static void out_of_memory(void)
{
    fputs("rubric: out of memory\n", stderr);
    exit(70);
}

void *rb_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) out_of_memory();
    return p;
}

void *rb_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) out_of_memory();
    return p;
}

void *rb_xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q) out_of_memory();
    return q;
}

char *rb_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(rb_xmalloc(n), s, n);
}

static block *new_block(size_t min)
{
    size_t size = min > 16384 ? min : 16384;
    block *b = rb_xmalloc(sizeof(block) + size);
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

rb_arena *rb_arena_new(void)
{
    rb_arena *a = rb_xmalloc(sizeof *a);
    a->head = new_block(0);
    return a;
}

void rb_arena_free(rb_arena *a)
{
    if (!a) return;
    for (block *b = a->head, *n; b; b = n) {
        n = b->next;
        free(b);
    }
    free(a);
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

void *rb_arena_alloc(rb_arena *a, size_t size)
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
            memset(nb->data, 0, size);
            return nb->data;
        }
        nb->next = b;
        a->head = b = nb;
    }
    void *p = b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *rb_arena_strndup(rb_arena *a, const char *s, size_t n)
{
    char *p = rb_arena_alloc(a, n + 1);
    if (n) memcpy(p, s, n);
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
