/* form.h — the form as one self-contained HTML page (SPEC §15,
 * docs/form.md): the paper form when printed, and on screen a fillable form
 * scored live by the library itself, compiled to WebAssembly and embedded
 * with the template's .rbc.  `rubric form` (cli_form.c) writes it. */
#ifndef RUBRIC_FORM_H
#define RUBRIC_FORM_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "lang.h"
#include "program.h"

/* Appends the page for `p` to `out`: its text in `lang`, `rbc` (the
 * program's own .rbc bytes, rb_program_serialize) embedded for the
 * evaluator. */
void rb_form_page(rb_buf *out, const rb_program *p, const uint8_t *rbc, size_t rbc_len, rb_lang lang);

/* What the binary carries (tools/embed.c writes them at build time): the
 * page's stylesheet, its script, and the evaluator (emscripten's loader with
 * the WebAssembly module inside).  Each is NUL-ended; _len excludes it. */
extern const unsigned char rb_form_css[], rb_form_js[], rb_form_evaluator_js[];
extern const size_t rb_form_css_len, rb_form_js_len, rb_form_evaluator_js_len;

#endif
