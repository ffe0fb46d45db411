/* encoding.c — UTF-8 detection and GB18030 conversion (see encoding.h).
 * The conversion is glibc's iconv: GB18030 is a full Unicode encoding, so
 * every valid byte sequence has exactly one UTF-8 form. */
#include "encoding.h"

#include "utf8.h"

#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

enum { BLOCK = 65536 };

/* Is s[0..n) the start of a multi-byte sequence cut by the block's end? */
static bool cut_sequence(const unsigned char *s, size_t n)
{
    if (n == 0 || n > 3 || s[0] < 0xC2 || s[0] > 0xF4) return false;
    size_t need = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : 2;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80) return false;
    return n < need;
}

int rb_stream_is_utf8(FILE *f)
{
    off_t start = ftello(f);
    if (start < 0) return -1;
    unsigned char buf[BLOCK + 4];
    size_t carry = 0;
    int valid = 1;
    for (;;) {
        size_t got = fread(buf + carry, 1, BLOCK, f);
        size_t n = carry + got;
        if (got == 0) {
            if (carry) valid = 0; /* the file ends inside a sequence */
            break;
        }
        size_t ok = rb_utf8_valid_prefix((const char *)buf, n);
        if (ok < n && !cut_sequence(buf + ok, n - ok)) {
            valid = 0;
            break;
        }
        carry = n - ok;
        memmove(buf, buf + ok, carry);
    }
    bool failed = ferror(f);
    clearerr(f);
    if (fseeko(f, start, SEEK_SET) != 0 || failed) return -1;
    return valid;
}

FILE *rb_gb18030_to_utf8(FILE *f, rb_lang lang, char *err, size_t cap)
{
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1) {
        snprintf(err, cap, rb_tr(lang, "cannot convert from GB18030: %s"), rb_strerror(lang, errno));
        return NULL;
    }
    FILE *out = tmpfile();
    if (!out) {
        snprintf(err, cap, rb_tr(lang, "cannot make a temporary file: %s"), rb_strerror(lang, errno));
        iconv_close(cd);
        return NULL;
    }
    char in[BLOCK + 4], conv[4 * BLOCK + 16];
    size_t carry = 0;
    uint64_t line = 1;
    bool ok = true;
    for (;;) {
        size_t got = fread(in + carry, 1, BLOCK, f);
        size_t n = carry + got;
        if (got == 0 && carry == 0) break;
        char *ip = in, *op = conv;
        size_t il = n, ol = sizeof conv;
        size_t rc = iconv(cd, &ip, &il, &op, &ol);
        int e = errno;
        for (const char *p = conv; p < op; p++) line += *p == '\n';
        if (fwrite(conv, 1, (size_t)(op - conv), out) != (size_t)(op - conv)) {
            snprintf(err, cap, rb_tr(lang, "cannot write a temporary file: %s"), rb_strerror(lang, errno));
            ok = false;
            break;
        }
        if (rc == (size_t)-1 && (e == EILSEQ || (e == EINVAL && got == 0))) {
            snprintf(err, cap, rb_tr(lang, "line %llu: byte 0x%02X is neither UTF-8 nor GB18030 (use --encoding)"),
                     (unsigned long long)line, (unsigned char)*ip);
            ok = false;
            break;
        }
        carry = il; /* EINVAL: a sequence cut by the block's end */
        memmove(in, ip, carry);
        if (got == 0) break;
    }
    if (ok && ferror(f)) {
        snprintf(err, cap, rb_tr(lang, "read error: %s"), rb_strerror(lang, errno));
        ok = false;
    }
    iconv_close(cd);
    if (!ok || fflush(out) != 0 || fseeko(out, 0, SEEK_SET) != 0) {
        if (ok) snprintf(err, cap, rb_tr(lang, "cannot write a temporary file: %s"), rb_strerror(lang, errno));
        fclose(out);
        return NULL;
    }
    return out;
}
