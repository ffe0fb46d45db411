/* result.h — the result of scoring one record, and the writers that print it
 * (SPEC §8; docs/results.md describes every output format).
 *
 * A result is produced by the evaluator (vm.c, bind.c, score.c) and lives in the evaluator's
 * per-record arena: it is valid until the next rb_eval_record call.  Strings
 * in it point either into the program (names, labels, option ids) or into
 * that arena (messages, text values copied out of the record), so a result
 * never refers to the reader's memory.
 *
 * Per-item and per-section results are arrays parallel to the program's
 * `items` and `sections` tables; the tree shape (which item belongs to which
 * section) is the program's `children` table, so the writers walk the
 * program and look the numbers up here.  Nothing is duplicated. */
#ifndef RUBRIC_RESULT_H
#define RUBRIC_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "lang.h"
#include "num.h"
#include "out.h"
#include "value.h"

struct rb_program;

/* One named value of the record: a field, an input, a let, a param or an
 * output (slot kinds in program.h). */
typedef struct {
    uint32_t slot;      /* slot index in the program */
    const char *name;
    const char *label;  /* NULL when none */
    rb_value value;
} rb_named_value;

typedef struct {
    const char *path;    /* "knowledge", "teamwork.manager", "" */
    const char *code;    /* SPEC §8 code: "missing", "range", … */
    const char *message;
} rb_error;

typedef struct {
    const char *code;    /* always "warn" today */
    const char *message;
} rb_warning;

/* Per program item (and deduction). */
typedef struct {
    bool applicable;     /* false: n/a (optional and absent, or `when` false) */
    bool has_score;      /* applicable and its score is known */
    rb_num score;        /* 0..points */
    rb_value *raters;    /* directly rated with raters: one value per program
                            rater (RB_V_ABSENT: optional rater not given);
                            NULL otherwise */
} rb_result_item;

/* Per program section; [0] is the form (root).  Records how the score was
 * reached so that `explain` can show it. */
typedef struct {
    bool done;           /* aggregated */
    bool applicable;     /* something in it applies */
    rb_num score;        /* max(0, raw − deducted): the section's score */
    rb_num full;         /* the full mark the score is out of for this record:
                            `points`, except for an unweighted section (not the
                            root) where something does not apply: Σ applicable
                            children's full marks (SPEC §5, program.h) */
    rb_num raw;          /* before deductions (after renormalisation) */
    rb_num deducted;     /* Σ applicable deductions */
    rb_num sum;          /* unweighted: Σ applicable scores;
                            weighted: Σ wᵢ·scoreᵢ/fullᵢ over applicable */
    rb_num applicable_full;   /* unweighted: Σ full marks of applicable children */
    rb_num applicable_weight; /* weighted: Σ wᵢ of applicable children */
    bool rescaled;       /* weighted: renormalised (something did not apply);
                            root, unweighted: rescaled to the scale */
    bool floored;        /* deductions exceeded raw: score clamped to 0 */
} rb_result_section;

typedef struct rb_result {
    uint64_t record;     /* 1-based number in the stream */
    const char *source;  /* file the record came from (may be NULL) */
    uint64_t line;       /* its first line (0: unknown) */

    const char *form;    /* form name */
    const char *period;  /* NULL when not declared */
    const char *version; /* NULL when not declared */
    const char *digest;  /* "sha256:…" */

    bool ok;             /* no errors */
    bool scored;         /* units ran to the end: items/sections/outputs are
                            meaningful (may still be !ok after a failed check) */

    bool has_total;      /* valid, has items, and something applied */
    rb_num total;        /* rounded to precision: what is printed and graded */
    rb_num total_exact;  /* before rounding */
    bool total_from_expr;/* `total = EXPR` replaced the computed total */
    bool has_scale;
    rb_num scale;

    bool has_grade;
    const char *grade_id, *grade_label; /* label NULL when none */
    uint32_t grade_arm;  /* index into program arms of the arm that held */
    uint32_t grade_uncapped_arm; /* the arm that held before a cap lowered it
                                    (SPEC §12), or RB_NONE when none did */
    rb_num grade_value;  /* the value graded: the rounded total, or the `grade
                            on` value rounded to precision */
    bool grade_on_expr;  /* graded on `grade on EXPR` */

    rb_result_item *items;        uint32_t nitems;     /* parallel to program items */
    rb_result_section *sections;  uint32_t nsections;  /* parallel to program sections */

    rb_named_value *fields;  uint32_t nfields;   /* bound fields, slot order */
    rb_named_value *inputs;  uint32_t ninputs;   /* bound non-item inputs */
    rb_named_value *params;  uint32_t nparams;
    rb_named_value *lets;    uint32_t nlets;
    rb_named_value *outputs; uint32_t noutputs;

    /* SPEC §13: with `key` and `period … on`, results carry "history" */
    bool has_history;
    const char *history_key;     /* the key field's value as text; NULL when absent */
    const char *history_period;  /* the canonical period ("2026-10"); NULL when absent or invalid */
    uint32_t history_periods;    /* how many earlier periods' stored results were read */

    rb_warning *warnings;    uint32_t nwarnings;
    rb_error *errors;        uint32_t nerrors;

    rb_lang lang;        /* of its messages, and of what csv, table and explain
                            write for a person (SPEC §17) */
} rb_result;

/* ---- writers (result.c) ------------------------------------------------ */

/* One JSON object on one line, SPEC §8 shape and key order (docs/results.md):
 * record, form, [period], [version], ok, [total, scale, grade, sections,
 * items, deductions, outputs], fields, warnings, errors, digest. */
void rb_write_ndjson(FILE *out, const struct rb_program *p, const rb_result *r);
/* The same through a writer made once per program: its constant fragments
 * (names, labels, points, weights, keys, digest) are escaped when it is
 * made, and each result goes into `out` without stdio. */
typedef struct rb_ndjson_writer rb_ndjson_writer;
rb_ndjson_writer *rb_ndjson_writer_new(const struct rb_program *p);
void rb_ndjson_write(rb_ndjson_writer *w, rb_out *out, const rb_result *r);
void rb_ndjson_writer_free(rb_ndjson_writer *w);

/* CSV and .xlsx for people: rows.h. */

/* Multi-line human explanation of one record (blank line after it). */
void rb_write_explain(FILE *out, const struct rb_program *p, const rb_result *r);

/* Aligned text table for humans.  Columns must fit every row, so rows are
 * kept (as short strings) until rb_table_write; memory grows with the
 * number of records, unlike the other formats. */
typedef struct rb_table rb_table;
rb_table *rb_table_new(const struct rb_program *p, rb_lang lang);
void rb_table_add(rb_table *t, const rb_result *r);
void rb_table_write(rb_table *t, FILE *out);
void rb_table_free(rb_table *t);

/* A boolean as a person reads it in a table or a spreadsheet: yes/no,
 * 是/否 (docs/decisions.md); JSON and explain keep true/false. */
const char *rb_yes_no(rb_lang lang, bool b);

/* Helpers shared by the writers and the `test` command. */
/* rb_json_write_string: json.h */
/* Writes a value as JSON (numbers at `digits` places; choices as ids; sets
 * as arrays of ids; absent as null). */
void rb_json_write_value(FILE *out, const struct rb_program *p, const rb_value *v, int digits);

#endif
