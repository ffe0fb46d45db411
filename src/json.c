/* json.c — JSON string output (see json.h). */
#include "json.h"

#include <stdint.h>

#include "utf8.h"

static void hex4(rb_out *out, unsigned v)
{
    static const char hex[] = "0123456789abcdef";
    char u[6] = {'\\', 'u', hex[v >> 12 & 15], hex[v >> 8 & 15], hex[v >> 4 & 15], hex[v & 15]};
    rb_out_add(out, u, 6);
}

void rb_json_out_string(rb_out *out, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0; /* start of the bytes that go out unchanged, in one write */
    rb_out_putc(out, '"');
    for (size_t i = 0; i < len;) {
        unsigned char b = u[i];
        if (b >= 0x20 && b < 0x7F && b != '"' && b != '\\') { /* plain ASCII */
            i++;
            continue;
        }
        if (b >= 0xC2 && i + 2 <= len && (u[i + 1] & 0xC0) == 0x80) {
            /* well-formed two- and three-byte UTF-8 (Chinese text) without
             * a call: the leads whose every continuation is valid and that
             * cannot encode U+2028/U+2029 (E2), an overlong form (E0) or a
             * surrogate (ED) */
            if (b <= 0xDF) {
                i += 2;
                continue;
            }
            if ((b == 0xE1 || (b >= 0xE3 && b <= 0xEC) || b == 0xEE || b == 0xEF) && i + 3 <= len &&
                (u[i + 2] & 0xC0) == 0x80) {
                i += 3;
                continue;
            }
        }
        uint32_t cp;
        size_t k = b >= 0x80 ? rb_utf8_decode(u + i, len - i, &cp) : 1;
        if (b >= 0x80 && k && cp != 0x2028 && cp != 0x2029) { /* valid UTF-8 goes out as it is */
            i += k;
            continue;
        }
        if (i > run) rb_out_add(out, s + run, i - run);
        if (b >= 0x80 && k) { /* line and paragraph separators: JSON allows them, JavaScript did not */
            hex4(out, (unsigned)cp);
            run = i += k;
            continue;
        }
        switch (k ? b : 0x80) {
        case '"': rb_out_add(out, "\\\"", 2); break;
        case '\\': rb_out_add(out, "\\\\", 2); break;
        case '\b': rb_out_add(out, "\\b", 2); break;
        case '\f': rb_out_add(out, "\\f", 2); break;
        case '\n': rb_out_add(out, "\\n", 2); break;
        case '\r': rb_out_add(out, "\\r", 2); break;
        case '\t': rb_out_add(out, "\\t", 2); break;
        case 0x80: rb_out_add(out, "\\ufffd", 6); break; /* an invalid byte */
        default: hex4(out, b); break;
        }
        run = ++i;
    }
    if (len > run) rb_out_add(out, s + run, len - run);
    rb_out_putc(out, '"');
}

void rb_json_write_string(FILE *out, const char *s, size_t len)
{
    char buf[512];
    rb_out o;
    rb_out_init_file(&o, out, buf, sizeof buf);
    rb_json_out_string(&o, s, len);
    rb_out_flush(&o);
}
