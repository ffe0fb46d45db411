/* out.h — the direct output buffer the result writers append to.
 *
 * Results are many small pieces (a key, a number, a pre-escaped name); going
 * through stdio costs a call and a lock per piece.  An rb_out is one plain
 * buffer: appending is a bounds check and a memcpy, and a full buffer is
 * flushed with write(2) to a file descriptor, with fwrite to a FILE * (for
 * callers that hold one: tests, `rubric test`, the library API), or, with
 * neither, kept growing in memory.  The first failed write is remembered in
 * `err`; everything after it is discarded, so the caller can stop at once. */
#ifndef RUBRIC_OUT_H
#define RUBRIC_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "num.h"

typedef struct {
    char *buf;
    size_t len, cap;
    int fd;       /* >= 0: flushed with write(2) */
    FILE *file;   /* fd < 0: flushed with fwrite; both unset: grows in memory */
    bool owned;   /* buf is malloc'd (memory mode) */
    int err;      /* errno of the first failed write, 0 while none failed */
} rb_out;

/* Flushes to `fd` or `file` through the caller's buffer buf[0..cap). */
void rb_out_init_fd(rb_out *o, int fd, char *buf, size_t cap);
void rb_out_init_file(rb_out *o, FILE *f, char *buf, size_t cap);
/* Grows in memory (o->buf, o->len); rb_out_free releases it. */
void rb_out_init_memory(rb_out *o);
void rb_out_free(rb_out *o);
/* Writes out what is buffered; false once a write has failed (o->err). */
bool rb_out_flush(rb_out *o);

void rb_out_add_slow(rb_out *o, const char *s, size_t n);
static inline void rb_out_add(rb_out *o, const char *s, size_t n)
{
    if (o->cap - o->len >= n) {
        memcpy(o->buf + o->len, s, n);
        o->len += n;
    } else {
        rb_out_add_slow(o, s, n);
    }
}
static inline void rb_out_putc(rb_out *o, char c)
{
    if (o->len < o->cap) o->buf[o->len++] = c;
    else rb_out_add_slow(o, &c, 1);
}
static inline void rb_out_puts(rb_out *o, const char *s) { rb_out_add(o, s, strlen(s)); }

/* `n` rounded to `digits` places as rb_num_format writes it. */
void rb_out_num(rb_out *o, rb_num n, int digits);
void rb_out_u64(rb_out *o, unsigned long long v);

#endif
