/* out.c — the direct output buffer (see out.h). */
#include "out.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "arena.h"

void rb_out_init_fd(rb_out *o, int fd, char *buf, size_t cap)
{
    *o = (rb_out){.buf = buf, .cap = cap, .fd = fd};
}

void rb_out_init_file(rb_out *o, FILE *f, char *buf, size_t cap)
{
    *o = (rb_out){.buf = buf, .cap = cap, .fd = -1, .file = f};
}

void rb_out_init_memory(rb_out *o)
{
    *o = (rb_out){.fd = -1, .owned = true};
}

void rb_out_free(rb_out *o)
{
    if (o->owned) rb_free(o->buf);
    o->buf = NULL;
    o->len = o->cap = 0;
}

bool rb_out_flush(rb_out *o)
{
    if (o->err) {
        o->len = 0;
        return false;
    }
    if (o->fd >= 0) {
        size_t done = 0;
        while (done < o->len) {
            ssize_t k = write(o->fd, o->buf + done, o->len - done);
            if (k < 0 && errno == EINTR) continue;
            if (k <= 0) {
                o->err = k < 0 ? errno : EIO;
                break;
            }
            done += (size_t)k;
        }
        o->len = 0;
    } else if (o->file) {
        if (o->len && fwrite(o->buf, 1, o->len, o->file) != o->len) o->err = errno ? errno : EIO;
        o->len = 0;
    }
    return !o->err;
}

void rb_out_add_slow(rb_out *o, const char *s, size_t n)
{
    if (o->owned) {
        size_t cap = o->cap ? o->cap : 256;
        while (cap - o->len < n) cap *= 2;
        o->buf = rb_xrealloc(o->buf, cap);
        o->cap = cap;
    } else {
        if (!rb_out_flush(o)) return;
        if (n >= o->cap) { /* bigger than the buffer: straight through */
            char *keep = o->buf;
            size_t keep_cap = o->cap;
            o->buf = (char *)s, o->len = o->cap = n;
            rb_out_flush(o);
            o->buf = keep, o->cap = keep_cap;
            return;
        }
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

void rb_out_u64(rb_out *o, unsigned long long v)
{
    char tmp[24];
    char *p = tmp + sizeof tmp;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    rb_out_add(o, p, (size_t)(tmp + sizeof tmp - p));
}

void rb_out_num(rb_out *o, rb_num n, int digits)
{
    if (n.den == 1) { /* an integer: no rounding, no fraction */
        if (n.num < 0) rb_out_putc(o, '-');
        rb_out_u64(o, n.num < 0 ? 0ull - (unsigned long long)n.num : (unsigned long long)n.num);
        return;
    }
    char buf[64];
    rb_out_add(o, buf, rb_num_format(n, digits, buf, sizeof buf));
}
