/* xlsx.h — records from an .xlsx workbook (SPEC §16).
 *
 * One worksheet is turned, once, into a temporary CSV file of UTF-8 which
 * the record reader then reads like any CSV: the header row, the cell rules
 * of cell.h and headers by label all apply unchanged, and the reader keeps
 * its constant memory.  What only a workbook has is settled here: shared
 * strings, date cells (both date systems), numbers as the shortest decimal
 * that gives back the stored double, booleans, cached formula values.
 *
 * The container is read with libzip and the XML with expat (see
 * docs/dependencies.md).  A workbook is untrusted input: a DOCTYPE (the
 * door to entity expansion) is refused, and inflated bytes are counted and
 * limited, so a zip bomb is an error and not an exhausted disk.
 *
 * Messages are in the caller's language and name the file, the sheet, and
 * the row and column where there is one. */
#ifndef RUBRIC_XLSX_H
#define RUBRIC_XLSX_H

#include "lang.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct rb_xlsx rb_xlsx;

/* Reads sheet `sheet` (NULL: the first) of the workbook at `path`.  Always
 * returns an object: check rb_xlsx_error, which is set when the workbook
 * could not be read to the end (its rows read before the failure are in
 * the CSV all the same, so none is lost). */
rb_xlsx *rb_xlsx_open(const char *path, const char *sheet, rb_lang lang);
/* The message of a failure, or NULL. */
const char *rb_xlsx_error(const rb_xlsx *x);
/* The sheet's rows as CSV, positioned at its start, or NULL when nothing
 * could be read.  Owned by x. */
FILE *rb_xlsx_csv(rb_xlsx *x);
/* The name of the sheet read. */
const char *rb_xlsx_sheet(const rb_xlsx *x);
/* The sheet row of the CSV row starting at `line` (a cell holding a line
 * break makes them differ): an rb_row_fn (record.h) of the workbook. */
uint64_t rb_xlsx_row(const void *book, uint64_t line);
/* The next remark for a person about one cell (an Excel error value, a
 * formula never calculated), once each, or NULL. */
const char *rb_xlsx_note(rb_xlsx *x);
void rb_xlsx_close(rb_xlsx *x);

/* Is this file name an .xlsx workbook's (by its suffix, any case)? */
bool rb_xlsx_name(const char *name);

/* Limits on inflating (docs/decisions.md): a part may inflate to at most
 * RB_XLSX_MAX_RATIO times its compressed size once past
 * RB_XLSX_RATIO_FROM bytes, and a workbook to RB_XLSX_MAX_BYTES in all. */
#define RB_XLSX_MAX_RATIO 1000
#define RB_XLSX_RATIO_FROM ((uint64_t)64 << 20)
#define RB_XLSX_MAX_BYTES ((uint64_t)4 << 30)

#endif
