/* buf.h — a growable, NUL-ended string, for output that is assembled before
 * it is written (formatter lines, table cells, explanation lines). */
#ifndef RUBRIC_BUF_H
#define RUBRIC_BUF_H

#include <stddef.h>

typedef struct {
    char *s;        /* NULL until something is added; NUL-ended after */
    size_t len, cap;
} rb_buf;

void rb_buf_add(rb_buf *b, const char *s, size_t n);
void rb_buf_puts(rb_buf *b, const char *s);
void rb_buf_putc(rb_buf *b, char c);
void rb_buf_printf(rb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rb_buf_free(rb_buf *b);

#endif
