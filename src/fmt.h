/* fmt.h — `rubric fmt`: a template in its canonical layout (SPEC §9; the
 * layout rules are in docs/cli.md §7).
 *
 * Only layout changes.  The formatter works from the syntax tree (so the
 * output is the same whatever the input's spacing) and keeps every comment
 * (ast_file.comments) exactly once, in source order.  It checks its own
 * work before writing anything: the output is parsed again and must give
 * the same tree (spans aside) and the same comments, else nothing is written
 * and a diagnostic says why. */
#ifndef RUBRIC_FMT_H
#define RUBRIC_FMT_H

#include <stddef.h>
#include <stdio.h>

#include "diag.h"

/* Formats `src` into a malloc'd, NUL-ended buffer (*out, length *outlen):
 * LF line endings, UTF-8 without BOM, exactly one final newline.  Returns 0;
 * or -1 with *out == NULL when the template has syntax errors (they are in
 * `diags`, E01xx) or cannot be formatted safely (E0190: a comment could not
 * be kept in place; E0001: internal error).  Nothing is printed. */
int rb_fmt_buffer(rb_source *src, char **out, size_t *outlen, rb_diags *diags);

/* rb_fmt_buffer, written to `out`.  Returns 0, or -1 (nothing written). */
int rb_fmt_source(rb_source *src, FILE *out, rb_diags *diags);

#endif
