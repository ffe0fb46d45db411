/* buf.c — growable strings (see buf.h). */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

/* Room for n more bytes and the NUL. */
static void reserve(rb_buf *b, size_t n)
{
    if (b->len + n + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + n + 1) cap *= 2;
    b->s = rb_xrealloc(b->s, cap);
    b->cap = cap;
}

void rb_buf_add(rb_buf *b, const char *s, size_t n)
{
    reserve(b, n);
    if (n) memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void rb_buf_puts(rb_buf *b, const char *s)
{
    rb_buf_add(b, s, strlen(s));
}

void rb_buf_putc(rb_buf *b, char c)
{
    rb_buf_add(b, &c, 1);
}

void rb_buf_printf(rb_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0) return;
    reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void rb_buf_free(rb_buf *b)
{
    rb_free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}
