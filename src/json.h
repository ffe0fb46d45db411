/* json.h — writing JSON strings, for the result writers, the diagnostics
 * in json/sarif form and `rubric test`. */
#ifndef RUBRIC_JSON_H
#define RUBRIC_JSON_H

#include <stddef.h>
#include <stdio.h>

#include "out.h"

/* Writes s[0..len) as a JSON string (quotes included).  Control characters
 * and U+2028/U+2029 are escaped; invalid UTF-8 bytes become U+FFFD, so the
 * output is always valid JSON (and valid JavaScript). */
void rb_json_out_string(rb_out *out, const char *s, size_t len);
/* The same, to a FILE *. */
void rb_json_write_string(FILE *out, const char *s, size_t len);

#endif
