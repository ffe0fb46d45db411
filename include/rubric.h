/* rubric.h — the public C API of librubric.
 *
 * Compile an appraisal-form template (SPEC.md) to a verified program, save
 * and load it as .rbc bytecode, and score filled records (JSON objects)
 * against it.  All handles are opaque.  Ownership is stated per function:
 * "caller frees" means with the matching *_free function (or free() where
 * said); "borrowed" means valid until the stated event, never freed by the
 * caller.  No function keeps a pointer to memory the caller passed in.
 * Functions are reentrant; one evaluator must not be used by two threads
 * at once (give each thread its own).
 *
 * Out of memory: the library never exits or aborts.  A function that
 * allocates returns its error value instead (NULL unless said otherwise),
 * having freed whatever it had made, and the objects it was given stay
 * usable. */
#ifndef RUBRIC_H
#define RUBRIC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this header; rubric_version() is the library's, which
 * can differ when the shared library is replaced. */
#define RUBRIC_VERSION_STRING "0.1.0"

typedef struct rubric_template rubric_template;
typedef struct rubric_diagnostics rubric_diagnostics;
typedef struct rubric_evaluator rubric_evaluator;
typedef struct rubric_result rubric_result;

/* The language of the text a person reads (SPEC §17): diagnostics'
 * messages and help, records' error and warning messages.  Codes, paths
 * and JSON keys are the same in every language. */
typedef enum { RUBRIC_LANG_EN, RUBRIC_LANG_ZH } rubric_lang;

typedef enum { RUBRIC_SEVERITY_ERROR, RUBRIC_SEVERITY_WARNING, RUBRIC_SEVERITY_NOTE } rubric_severity;

/* How rubric_diagnostics_render writes (as `rubric check --format`). */
typedef enum {
    RUBRIC_FORMAT_TEXT,   /* for a person: source line, caret, help */
    RUBRIC_FORMAT_GCC,    /* file:line:col: severity: message, for editors */
    RUBRIC_FORMAT_JSON,   /* one JSON array */
    RUBRIC_FORMAT_SARIF   /* SARIF 2.1.0, for code-scanning tools */
} rubric_format;

/* "0.1.0": the library's version. */
const char *rubric_version(void);

/* A param override, as `-D name=value` on the command line. */
typedef struct {
    const char *name;
    const char *value;
} rubric_define;

/* ---- compiling ------------------------------------------------------------ */

/* Options for rubric_compile; a zeroed struct (or NULL) is the default:
 * English, no defines. */
typedef struct {
    rubric_lang lang;                /* of the diagnostics */
    const rubric_define *defines;    /* ndefines param overrides */
    size_t ndefines;
} rubric_compile_options;

/* Compiles template source text.  `name` is used in diagnostics.  Returns
 * the template (caller frees with rubric_template_free) or NULL when the
 * template has errors (or an option is outside its enum).  If `diags` is
 * not NULL, *diags receives the
 * diagnostics — errors and warnings — (caller frees with
 * rubric_diagnostics_free), also on success; out of memory, it receives
 * NULL. */
rubric_template *rubric_compile(const char *name, const char *source, size_t len,
                                const rubric_compile_options *options, rubric_diagnostics **diags);

size_t rubric_diagnostics_count(const rubric_diagnostics *d);
size_t rubric_diagnostics_errors(const rubric_diagnostics *d);
/* Fields of diagnostic i (0-based); each out-parameter may be NULL.
 * Strings are borrowed until rubric_diagnostics_free.  line and column are
 * 1-based; both are 0 for a diagnostic about a define, which has no place
 * in the text. */
void rubric_diagnostic_get(const rubric_diagnostics *d, size_t i, rubric_severity *severity, const char **code,
                           const char **message, const char **help, unsigned *line, unsigned *column);
/* All diagnostics rendered in `format`.  Caller frees with free().  NULL
 * for a value that is not a rubric_format, or out of memory. */
char *rubric_diagnostics_render(const rubric_diagnostics *d, rubric_format format);
void rubric_diagnostics_free(rubric_diagnostics *d);

/* ---- bytecode --------------------------------------------------------------- */

/* Serialises to .rbc bytes (deterministic).  Caller frees with free().
 * Out of memory: NULL, *len 0. */
void *rubric_template_save(const rubric_template *t, size_t *len);
/* Loads and verifies .rbc bytes.  NULL on any defect, with a message in
 * err[0..errcap) ("out of memory" when that was the defect).  Caller frees
 * the template with rubric_template_free. */
rubric_template *rubric_template_load(const void *bytes, size_t len, char *err, size_t errcap);
/* "sha256:…" digest of the bytecode; borrowed until the template is freed. */
const char *rubric_template_digest(const rubric_template *t);
void rubric_template_free(rubric_template *t);

/* ---- scoring ------------------------------------------------------------------ */

/* Options for rubric_evaluator_new; a zeroed struct (or NULL) is the
 * default: English messages, undeclared record keys are errors. */
typedef struct {
    rubric_lang lang;   /* of the records' error and warning messages */
    int allow_extra;    /* nonzero: ignore record keys the form does not declare */
} rubric_evaluator_options;

/* The template must outlive the evaluator.  Caller frees with
 * rubric_evaluator_free.  NULL out of memory, or when an option is outside
 * its enum. */
rubric_evaluator *rubric_evaluator_new(const rubric_template *t, const rubric_evaluator_options *options);
/* Scores one record given as JSON text (one object).  The result is
 * borrowed until the next rubric_score_json on this evaluator or its free.
 * A malformed record gives a result with a "syntax" error; NULL means out
 * of memory only, and the evaluator is ready for the next record. */
const rubric_result *rubric_score_json(rubric_evaluator *e, const char *json, size_t len);
void rubric_evaluator_free(rubric_evaluator *e);

int rubric_result_ok(const rubric_result *r);          /* 1 valid, 0 invalid */
/* The total as printed (rounded to the form's precision), e.g. "87.5", into
 * buf (cut to fit cap bytes, NUL included, as snprintf does); returns 0
 * when the record has no total (invalid, or a validation form), else the
 * length of the whole text. */
size_t rubric_result_total(const rubric_result *r, char *buf, size_t cap);
/* Grade id and label, borrowed like the result; NULL when none. */
const char *rubric_result_grade(const rubric_result *r, const char **label);
size_t rubric_result_error_count(const rubric_result *r);
/* Error i: path ("teamwork.manager"), code ("range"), message; borrowed. */
void rubric_result_error(const rubric_result *r, size_t i, const char **path, const char **code,
                         const char **message);
/* The result as one line of JSON (SPEC §8), newline included.  Caller frees
 * with free().  NULL when out of memory. */
char *rubric_result_json(const rubric_result *r);

#ifdef __cplusplus
}
#endif
#endif
