/* codegen.h — checked AST → rb_program (the in-memory form of .rbc). */
#ifndef RUBRIC_CODEGEN_H
#define RUBRIC_CODEGEN_H

#include "check.h"
#include "program.h"

/* Builds the program of a template that checked without errors.  The result
 * is owned by the caller (rb_program_free). */
rb_program *rb_codegen(rb_source *src, const rb_checked *checked);

#endif
