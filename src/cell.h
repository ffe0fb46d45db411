/* cell.h — how a spreadsheet cell's text is read (SPEC §16).
 *
 * CSV and .xlsx cells are text typed by a person, so they accept what Excel
 * and an input method produce: 是/否 and √/× for booleans, 2026/6/1 and
 * 2026年6月1日 for dates, 不适用 for not applicable, full-width digits and
 * thousands separators in numbers.  JSON records never go through these
 * rules (JSON stays strict).  The evaluator applies them where a record
 * comes from cells (rb_record.from_csv), choosing the rule by the declared
 * type; nothing here knows a template. */
#ifndef RUBRIC_CELL_H
#define RUBRIC_CELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "C5": the name Excel shows for the cell of column col (0-based) and
 * row (1-based). */
void rb_cell_name(uint32_t col, uint64_t row, char out[32]);

/* Cuts spaces, tabs and the ideographic space U+3000 from both ends. */
void rb_cell_trim(const char **s, size_t *n);

/* Is the cell blank (nothing but spaces)?  A blank cell is an absent value. */
bool rb_cell_blank(const char *s, size_t n);

/* Not applicable: n/a in any case, 不适用, — (em dash); trimmed. */
bool rb_cell_na(const char *s, size_t n);

/* A boolean: true/false, yes/no (any case), 1/0, 是/否, √/×, ✓/✗, ✔/✘.
 * Returns false when the text is none of these. */
bool rb_cell_bool(const char *s, size_t n, bool *value);

/* A date: 2026-06-01, 2026-6-1, 2026/6/1, 2026.6.1 or 2026年6月1日, a real
 * day.  Writes the ISO form YYYY-MM-DD and a NUL to out[11]. */
bool rb_cell_date(const char *s, size_t n, char out[11]);

/* A number as a person writes it in a cell, turned into the plain decimal
 * text rb_num_parse reads: full-width digits, signs, point and percent sign
 * become ASCII; thousands separators are dropped where they are well formed
 * (1,234,567.5 — groups of three, before the point; 1,23 is left alone so
 * that it fails as a number).  Writes at most cap-1 bytes and a NUL;
 * returns the length, or (size_t)-1 when the cell does not fit in cap. */
size_t rb_cell_number(const char *s, size_t n, char *out, size_t cap);

#endif
