/* sheet.h — the blank spreadsheet of a template's records (SPEC §16), as
 * `rubric sheet` writes it.
 *
 * An .xlsx target is a workbook made with libxlsxwriter: a records sheet
 * whose header row is the columns' labels (columns.h: one per value, one
 * per rater for a rated item), frozen, with a drop-down for each choice and
 * yes/no value and a range check for each number; an instructions sheet in
 * the chosen language saying what each column takes; and, when a choice
 * list is longer than Excel's 255-character limit for a list validation,
 * a hidden sheet holding the list that the drop-down refers to.  A .csv
 * target is the header row alone, UTF-8 with a BOM (what Excel opens as
 * UTF-8).  Filled in and given back to `rubric score`, either reads as the
 * template's records. */
#ifndef RUBRIC_SHEET_H
#define RUBRIC_SHEET_H

#include "columns.h"
#include "lang.h"

#include <stddef.h>

struct rb_program;

/* Writes the blank sheet to `path` (.xlsx by its suffix, else CSV).
 * Returns 0, or -1 with a message (in `lang`) in err[cap]. */
int rb_sheet_write(const struct rb_program *p, const char *path, rb_lang lang, char *err, size_t cap);

/* The header a column of the sheet carries: its label, or its key when
 * another column has the same label (a label two values share cannot be a
 * header: columns.h). */
const char *rb_sheet_header(const rb_columns *c, size_t i);

#endif
