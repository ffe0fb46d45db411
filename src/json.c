/* json.c — JSON string output (see json.h). */
#include "json.h"

#include <stdint.h>

#include "utf8.h"

void rb_json_write_string(FILE *out, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0; /* start of the bytes that go out unchanged, in one write */
    putc('"', out);
    for (size_t i = 0; i < len;) {
        unsigned char b = u[i];
        if (b >= 0x20 && b < 0x7F && b != '"' && b != '\\') { /* plain ASCII */
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = b >= 0x80 ? rb_utf8_decode(u + i, len - i, &cp) : 1;
        if (b >= 0x80 && k && cp != 0x2028 && cp != 0x2029) { /* valid UTF-8 goes out as it is */
            i += k;
            continue;
        }
        if (i > run) fwrite(s + run, 1, i - run, out);
        if (b >= 0x80 && k) { /* line and paragraph separators: JSON allows them, JavaScript did not */
            fprintf(out, "\\u%04x", (unsigned)cp);
            run = i += k;
            continue;
        }
        switch (k ? b : 0x80) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\b': fputs("\\b", out); break;
        case '\f': fputs("\\f", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        case 0x80: fputs("\\ufffd", out); break; /* an invalid byte */
        default: fprintf(out, "\\u%04x", (unsigned)b); break;
        }
        run = ++i;
    }
    if (len > run) fwrite(s + run, 1, len - run, out);
    putc('"', out);
}
