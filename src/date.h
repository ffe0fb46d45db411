/* date.h — calendar dates as Rubric writes them: YYYY-MM-DD, a real day
 * of the Gregorian calendar, years 0001..9999.  One rule for template
 * literals (check.c), -D values, record values (bind.c) and bytecode
 * constants (verify.c); and the day numbers behind periods (history.c) and
 * workbook date cells (xlsx.c). */
#ifndef RUBRIC_DATE_H
#define RUBRIC_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool rb_valid_date(const char *s, size_t n);

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d, and back. */
int64_t rb_days_from_civil(int64_t y, int64_t m, int64_t d);
void rb_civil_from_days(int64_t days, int64_t *y, int64_t *m, int64_t *d);

#endif
