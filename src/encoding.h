/* encoding.h — the text encoding of a CSV file (SPEC §16).
 *
 * Excel on a Chinese Windows saves "CSV" in the ANSI code page, GBK, not in
 * UTF-8.  A CSV file that is not valid UTF-8 is therefore read as GB18030
 * (a superset of GBK and GB2312): it is converted, once, into a temporary
 * file of UTF-8 which the record reader then reads like any other, so the
 * reader keeps its constant memory and its line and column numbers. */
#ifndef RUBRIC_ENCODING_H
#define RUBRIC_ENCODING_H

#include <stdio.h>

#include "lang.h"

typedef enum {
    RB_ENC_UTF8,    /* the only encoding of JSON and of standard input */
    RB_ENC_GB18030,
    RB_ENC_AUTO     /* UTF-8 if the whole file is valid UTF-8, else GB18030 */
} rb_encoding;

/* Reads f from its current position to the end: 1 if it is all valid
 * UTF-8, 0 if not, -1 if f cannot be rewound (a pipe) or on a read error.
 * f is left where it was. */
int rb_stream_is_utf8(FILE *f);

/* Converts the rest of f from GB18030 to UTF-8 into a new temporary file,
 * positioned at its start (the caller closes it).  NULL on failure, with a
 * message in err[cap], in `lang`, naming the line of a byte that is not
 * GB18030. */
FILE *rb_gb18030_to_utf8(FILE *f, rb_lang lang, char *err, size_t cap);

#endif
