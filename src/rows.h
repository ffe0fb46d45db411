/* rows.h — results as rows for people (SPEC §16): the columns of
 * `score --format csv` and `--format xlsx`, one list for both.
 *
 * Headers are labels in the chosen language; the columns are the form's
 * fields first, then the total, the grade's label, each section's score,
 * each output, and last the record's number, whether it is valid, and its
 * warnings and errors as text.  Values are as a person reads them: a
 * choice by its label, yes/no in the language, numbers at the form's
 * precision.  Tools read NDJSON; these are for reading and for Excel. */
#ifndef RUBRIC_ROWS_H
#define RUBRIC_ROWS_H

#include "buf.h"
#include "lang.h"
#include "result.h"

#include <stdbool.h>
#include <stdio.h>

struct rb_program;

typedef enum { RB_COL_TEXT, RB_COL_NUMBER } rb_col_kind;

typedef struct rb_rows rb_rows;

rb_rows *rb_rows_new(const struct rb_program *p, rb_lang lang);
void rb_rows_free(rb_rows *w);
size_t rb_rows_count(const rb_rows *w);
const char *rb_rows_header(const rb_rows *w, size_t col);
rb_col_kind rb_rows_kind(const rb_rows *w, size_t col);
/* Fills cells[0..count) with the record's row (each buffer emptied
 * first; an empty buffer is a blank cell). */
void rb_rows_cells(const rb_rows *w, const rb_result *r, rb_buf *cells);

/* CSV for Excel: a UTF-8 BOM and the header row, then a row per record
 * (CR LF line ends, RFC 4180 quoting). */
void rb_rows_csv_header(const rb_rows *w, FILE *out);
void rb_rows_csv(const rb_rows *w, FILE *out, const rb_result *r);

/* .xlsx: the same rows in a workbook (libxlsxwriter, constant memory),
 * invalid records on a pink fill, a new sheet with the header again each
 * time Excel's 1 048 576 rows are full. */
typedef struct rb_rows_xlsx rb_rows_xlsx;
rb_rows_xlsx *rb_rows_xlsx_open(const rb_rows *w, const char *path, char *err, size_t cap);
void rb_rows_xlsx_add(rb_rows_xlsx *x, const rb_result *r);
/* Finishes and writes the file: 0, or -1 with a message.  Frees x. */
int rb_rows_xlsx_close(rb_rows_xlsx *x, char *err, size_t cap);
/* Rows per sheet, header included (Excel's limit; tests may lower it). */
extern unsigned long rb_rows_xlsx_sheet_rows;

#endif
