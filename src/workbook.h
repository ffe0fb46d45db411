/* workbook.h — an .xlsx file written with libxlsxwriter, put at its path
 * the way every `-o` output is (outfile.h).
 *
 * libxlsxwriter writes to a path of its own choosing only at
 * workbook_close, and reports a failure on its own standard-error line.  So
 * the workbook is written into a private temporary file (mkstemp, in
 * TMPDIR), and only a complete one is handed to rb_write_file, which
 * replaces the target safely; an unwritable target is found before any
 * work is done. */
#ifndef RUBRIC_WORKBOOK_H
#define RUBRIC_WORKBOOK_H

#include "lang.h"

#include <stdbool.h>
#include <stddef.h>
#include <xlsxwriter.h>

typedef struct {
    lxw_workbook *wb;
    char *tmp;          /* the temporary file's path */
    const char *target;
    rb_lang lang;
} rb_workbook;

/* Starts a workbook for `target`.  constant_memory: rows are written out
 * as they are finished (each row must be complete before the next; for
 * long result sheets).  0, or -1 with a message in err[cap]. */
int rb_workbook_open(rb_workbook *w, const char *target, bool constant_memory, rb_lang lang, char *err, size_t cap);
/* Finishes it and puts it at its target.  0, or -1 with a message. */
int rb_workbook_close(rb_workbook *w, char *err, size_t cap);

/* Drops it: nothing is written at the target. */
void rb_workbook_discard(rb_workbook *w);

#endif
