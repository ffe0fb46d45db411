/* columns.h — the columns of a spreadsheet of records for one template
 * (SPEC §16): one per value a record gives, one per rater for a rated item.
 * One list serves the reader (a header cell may be a column's name or its
 * label) and the writers (`rubric sheet`, whose headers are the labels). */
#ifndef RUBRIC_COLUMNS_H
#define RUBRIC_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lang.h"

struct rb_program;

typedef struct {
    char *key;      /* what a record calls it: "name", or "item.rater" */
    char *label;    /* what a person reads: the labels where the template gives
                       them ("员工姓名", "工作积极性.直接领导"), else the names */
    uint32_t input; /* index into the program's inputs */
    uint32_t rater; /* index into its raters, or RB_NONE */
} rb_column;

typedef struct {
    const struct rb_program *p;
    rb_column *cols;
    size_t n;
    bool allow_extra; /* a header that names nothing is expected: no note */
} rb_columns;

rb_columns *rb_columns_new(const struct rb_program *p);
void rb_columns_free(rb_columns *c);

/* An rb_header_fn (record.h) for a reader of this template's records: a
 * header that is a name stays as written; a label (or item label.rater
 * label, in any mix with names) becomes the key it labels.  A label that
 * two columns share, or a header that names nothing, stays as written and
 * gets a note for a person (with a did-you-mean). */
char *rb_columns_resolve(void *columns, const char *cell, size_t len, rb_lang lang, char **note);

#endif
