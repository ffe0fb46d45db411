/* compile.h — the compiler driver: template source → verified program.
 *
 * rb_compile parses, checks, generates code, serialises the program to .rbc
 * bytes and loads those bytes back through the verifier, so a program
 * compiled from source is exactly the program a .rbc file would give (same
 * digest, same checks).  Diagnostics (errors and warnings) go to `diags`. */
#ifndef RUBRIC_COMPILE_H
#define RUBRIC_COMPILE_H

#include <stddef.h>

#include "define.h"
#include "diag.h"
#include "program.h"

/* Returns NULL when the template has errors (diags->errors > 0).  With
 * defines, the program's params_json echoes them for the results. */
rb_program *rb_compile(rb_source *src, const rb_define *defs, size_t ndefs, rb_diags *diags);

/* -D on a compiled template (SPEC §9): the source the .rbc carries is
 * compiled with the values, once it is proved to compile without them to
 * this very file (same digest).  The program keeps the file's digest and
 * echoes the values as "params".  NULL on failure: diagnostics about the
 * values in `diags` (*src_out then names the source they point into, for
 * printing; the caller frees it), anything else in err. */
rb_program *rb_compile_defines(const rb_program *compiled, const rb_define *defs, size_t ndefs, rb_diags *diags,
                               rb_source **src_out, char *err, size_t cap);

#endif
