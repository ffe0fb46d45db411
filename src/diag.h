/* diag.h — template sources and the diagnostics reported against them.
 *
 * Locations are byte offsets into the source (rb_span); they become
 * line:column (columns count code points, from 1) only when reported.
 * Diagnostics are collected, never fatal: the front end recovers and the
 * checker continues, and the caller decides by rb_diags_errors(). */
#ifndef RUBRIC_DIAG_H
#define RUBRIC_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lang.h"

typedef struct {
    uint32_t start, end; /* byte offsets, end exclusive; start == end = a point */
} rb_span;

/* A diagnostic about the file as a whole, from outside its text (a -D
 * override on the command line): reported without line, column or excerpt. */
#define RB_SPAN_NONE ((rb_span){UINT32_MAX, UINT32_MAX})
#define RB_SPAN_IS_NONE(s) ((s).start == UINT32_MAX)

/* A source file held in memory.  `text` is the original bytes (BOM kept;
 * the lexer skips it).  Line starts are computed on first use. */
typedef struct rb_source {
    char *name;         /* as given on the command line; owned */
    char *text;         /* owned, NUL-ended (an embedded NUL is a lex error) */
    size_t len;
    uint32_t *line_starts; /* owned, lazily built */
    size_t nlines;
} rb_source;

rb_source *rb_source_new(const char *name, const char *text, size_t len); /* copies */
/* NULL: err says why, in `lang` */
rb_source *rb_source_read(const char *path, rb_lang lang, char *err, size_t errcap);
void rb_source_free(rb_source *s);
/* 1-based line and column (in code points) of a byte offset. */
void rb_source_position(rb_source *s, uint32_t offset, uint32_t *line, uint32_t *col);

typedef enum { RB_SEV_ERROR, RB_SEV_WARNING, RB_SEV_NOTE } rb_severity;

typedef struct rb_diag {
    rb_severity severity;
    char code[8];        /* stable code, "E0201"; catalogue: docs/diagnostics.md */
    rb_span span;
    char *message;       /* owned */
    char *help;          /* owned, may be NULL: "did you mean 'sales'?" */
    rb_lang lang;        /* the language message and help are written in */
} rb_diag;

typedef struct rb_diags {
    rb_diag *items;
    size_t count, cap;
    size_t errors, warnings;
    rb_lang lang;        /* messages are translated into it as they are added */
} rb_diags;

void rb_diags_init(rb_diags *d);
void rb_diags_free(rb_diags *d);
/* Adds a diagnostic; message is printf-formatted after the format is
 * translated into d->lang (lang.h), as is rb_diag_help's.  Returns it so that help
 * can be attached with rb_diag_help. */
rb_diag *rb_diag_add(rb_diags *d, rb_severity sev, const char *code, rb_span span,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void rb_diag_help(rb_diag *diag, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sorts by position (stable), so output follows the source. */
void rb_diags_sort(rb_diags *d);

typedef enum { RB_DIAG_TEXT, RB_DIAG_GCC, RB_DIAG_JSON, RB_DIAG_SARIF } rb_diag_format;

/* Text form (SPEC §9):
 *   sales.rubric:14:22: error[E0201]: unknown name 'salse'
 *      14 |     let completion = salse / plan
 *         |                      ^^^^^
 *      = help: did you mean 'sales'?
 * The caret line counts display columns (East Asian wide characters are two
 * columns wide) so that carets line up under Chinese text.
 * JSON/SARIF: rb_diag_print_json prints one array for all files; call
 * rb_diag_json_begin/end around several files. */
void rb_diag_print(FILE *out, rb_source *src, const rb_diags *d, rb_diag_format fmt);

/* The catalogue: each code's title and one-line meaning, generated from
 * docs/diagnostics.md (tools/diag_codes.awk); SARIF describes its rules
 * with them. */
typedef struct {
    const char *code, *title, *meaning;
} rb_diag_code;
extern const rb_diag_code rb_diag_codes[];
extern const size_t rb_diag_ncodes;
const rb_diag_code *rb_diag_code_find(const char *code); /* NULL: not catalogued */
void rb_diag_json_begin(FILE *out, rb_diag_format fmt);   /* JSON: "[" ; SARIF: header */
void rb_diag_json_file(FILE *out, rb_source *src, const rb_diags *d, rb_diag_format fmt,
                       bool *first);                      /* elements, comma-separated */
void rb_diag_json_end(FILE *out, rb_diag_format fmt);

/* Edit distance helper for did-you-mean (code points, case-sensitive). */
size_t rb_edit_distance(const char *a, const char *b);

/* Did-you-mean, shared by the checker and the evaluator: the closest
 * candidate within a number of edits that grows with the typed name's length
 * in code points (1 up to 3 code points, 2 up to 6, then 3), never one that
 * shares nothing with it ('销量' is not a typo of 'b') and never the typed
 * name itself.  Linear: the distance is cut off at that number of edits,
 * and a typed name longer than RB_SUGGEST_MAX_LEN gets no suggestion. */
#define RB_SUGGEST_MAX_LEN 256  /* code points of a name worth a suggestion */
typedef struct {
    const char *typed;
    size_t len, limit, best_d;
    const char *best;   /* NULL: nothing close enough */
} rb_suggestion;

rb_suggestion rb_suggest_begin(const char *typed);
void rb_suggest_try(rb_suggestion *s, const char *candidate); /* NULL is fine */

#endif
