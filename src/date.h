/* date.h — calendar dates as Rubric writes them: YYYY-MM-DD, a real day
 * of the Gregorian calendar, years 0001..9999.  One rule for template
 * literals (check.c), -D values, record values (bind.c) and bytecode
 * constants (verify.c). */
#ifndef RUBRIC_DATE_H
#define RUBRIC_DATE_H

#include <stdbool.h>
#include <stddef.h>

bool rb_valid_date(const char *s, size_t n);

#endif
