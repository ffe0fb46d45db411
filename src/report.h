/* report.h — 汇总 and 考核报告 (SPEC §14): the aggregates of a batch of
 * results, computed exactly, and the renderers that print them.
 *
 * A report takes each result as it is scored (rb_report_add copies what it
 * needs: the result lives in the evaluator's arena) and aggregates once the
 * batch is in (rb_report_finish).  It aggregates the numbers as the results
 * print them (the total and section scores rounded to `precision`), so that
 * a report agrees with the NDJSON that `score` writes for the same batch.
 * Everything below is exact (num.h); the renderers round when they print.
 *
 * Renderers (one module each) read the public fields and append to an
 * rb_out: report_json.c (the contract, docs/results.md), report_md.c,
 * report_html.c; report_xlsx.c writes a workbook file. */
#ifndef RUBRIC_REPORT_H
#define RUBRIC_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "lang.h"
#include "num.h"
#include "out.h"
#include "record.h"
#include "result.h"

struct rb_program;

/* A field of a record, as text (choices by label, else id). */
typedef struct {
    uint32_t slot;
    const char *name, *label; /* the program's; label may be NULL */
    char *text;
} rb_report_field;

typedef struct {
    char *path, *code, *message;
} rb_report_error;

/* What the report keeps of one result. */
typedef struct {
    uint64_t record;
    bool ok, has_total;
    rb_num total;              /* rounded to precision, as printed */
    uint32_t grade;            /* index within the grade's arms, or RB_NONE */
    rb_num *section_score;     /* per program section (0 = root unused), rounded */
    bool *section_applies;
    rb_report_field *fields;   uint32_t nfields;
    char **warnings;           uint32_t nwarnings;
    rb_report_error *errors;   uint32_t nerrors;
    uint32_t group;            /* index into groups (--by), or RB_NONE */
    uint32_t dist_group;       /* index into dist_groups, or RB_NONE */
} rb_report_row;

/* The aggregates of a set of records (the batch, or one group). */
typedef struct {
    uint64_t records, valid, invalid;
    uint64_t totals;           /* valid records with a total */
    rb_num mean, median, min, max;   /* meaningful when totals > 0 */
    uint64_t *grade_count;     /* per grade arm */
    rb_num *grade_share;       /* count ÷ valid (0 when no valid record) */
    uint64_t *section_n;       /* per program section: valid records where it applies */
    rb_num *section_mean;      /* meaningful when section_n > 0 */
} rb_report_stats;

typedef struct {
    char *value;               /* the field's text ("" when the record has none) */
    rb_report_stats stats;
} rb_report_group;

/* One distribution rule in one group (or the whole batch). */
typedef struct {
    uint32_t rule;             /* index into the program's dist_rules */
    char *text;                /* "excellent + good <= 50%" */
    uint32_t group;            /* index into dist_groups, or RB_NONE: the batch */
    bool has_share;            /* false: the group has no valid record */
    rb_num share;
    bool ok;                   /* kept (a group with no valid record keeps it) */
} rb_report_rule;

/* One line of the ranking: valid records with a total, best first. */
typedef struct {
    uint64_t rank;             /* 1 + how many totals are higher (ties share) */
    uint32_t row;
} rb_report_rank;

typedef struct rb_report {
    const struct rb_program *p;
    int digits;                /* precision */
    uint32_t by_slot;          /* --by field slot, or RB_NONE */
    rb_report_row *rows;       size_t nrows, cap_rows;
    rb_report_stats all;
    rb_report_group *groups;   uint32_t ngroups, cap_groups;  /* by_slot */
    rb_report_group *dist_groups; uint32_t ndist_groups, cap_dist_groups; /* dist_by */
    rb_report_rule *rules;     uint32_t nrules;
    rb_report_rank *ranking;   uint32_t nranking;
    uint64_t nwarnings;        /* Σ over rows */
    bool rules_broken;         /* some rule not kept */
    bool overflow;             /* a sum outgrew exact numbers: nothing is reliable */
} rb_report;

/* A report over program p.  by_field names the --by field (NULL: none, and
 * then the distribution's `by` field groups the report when it has one).
 * NULL when by_field names no field of the form. */
rb_report *rb_report_new(const struct rb_program *p, const char *by_field);
void rb_report_add(rb_report *r, const rb_result *res);
/* The same from a result as `score` printed it (one NDJSON object, as
 * `score --store` keeps it), numbered `number`: a report over stored
 * results equals the report over the batch that produced them. */
void rb_report_add_stored(rb_report *r, const rb_rv *result, uint64_t number);
/* Computes every aggregate; call once, after the last rb_report_add. */
void rb_report_finish(rb_report *r);
void rb_report_free(rb_report *r);

/* The exit status the batch deserves: 1 when a record is invalid or a
 * distribution rule is broken, else 0. */
int rb_report_status(const rb_report *r);

/* Label of grade arm i (its id when it has none), and its id. */
const char *rb_report_grade_id(const rb_report *r, uint32_t arm);
const char *rb_report_grade_label(const rb_report *r, uint32_t arm);
/* Section i's name, label (name when none) and declared full mark. */
const char *rb_report_section_name(const rb_report *r, uint32_t si);
const char *rb_report_section_label(const rb_report *r, uint32_t si);
rb_num rb_report_section_points(const rb_report *r, uint32_t si);
/* The form's label (its name when none). */
const char *rb_report_form_label(const rb_report *r);
/* "Appraisal report: 团队考核表" in the language, written into buf. */
const char *rb_report_title(const rb_report *r, rb_lang lang, char *buf, size_t cap);
/* A group's name for people: its value, or "(none)" translated. */
const char *rb_report_group_text(const rb_report *r, const rb_report_group *g, rb_lang lang);
/* The label of the --by field (its name when none). */
const char *rb_report_by_label(const rb_report *r);
/* Who a row is, for people: the key field, else the first text field, else
 * "#N" (the record number), written into buf. */
const char *rb_report_who(const rb_report *r, const rb_report_row *row, char *buf, size_t cap);

/* A share as people read it: a percentage to 2 places ("33.33%"), the
 * same 4 digits JSON prints as a fraction.  buf needs 64 bytes. */
const char *rb_report_pct(rb_num share, char *buf, size_t cap);
/* A number at the report's precision.  buf needs 64 bytes. */
const char *rb_report_num(const rb_report *r, rb_num n, char *buf, size_t cap);

/* Renderers (each appends the whole report to out). */
void rb_report_json(rb_out *out, const rb_report *r);
void rb_report_md(rb_out *out, const rb_report *r, rb_lang lang);
void rb_report_html(rb_out *out, const rb_report *r, rb_lang lang);
/* Writes the workbook at path (as every -o output: outfile.h); false on
 * failure, with a message in err. */
bool rb_report_xlsx(const char *path, const rb_report *r, rb_lang lang, char *err, size_t cap);

#endif
