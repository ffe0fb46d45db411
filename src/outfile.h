/* outfile.h — writing a whole output file safely (outfile.c says how). */
#ifndef RUBRIC_OUTFILE_H
#define RUBRIC_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "lang.h"

/* Puts data[0..len) at path: a regular file (or a new one) is replaced
 * through an exclusively created temporary file and a rename, a symlink's
 * target file is replaced, a device or FIFO is written directly.  0, or -1
 * with "cannot write PATH: REASON" in err, in `lang`. */
int rb_write_file(const char *path, const void *data, size_t len, rb_lang lang, char *err, size_t cap);

#endif
