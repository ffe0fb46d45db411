/* check.h — semantic checking of a parsed template (SPEC §3–§6).
 *
 * The checker resolves every name in the form-wide namespace, types every
 * expression (including the "maybe" type of values that may be absent),
 * checks choices, constraints, points and weights, bands and grades and
 * raters, applies -D parameter overrides, and orders the declarations by
 * their dependencies (a cycle is an error that lists it).  It annotates the
 * AST in place (fields under "checker" in ast.h) and fills rb_checked for
 * the code generator.  Diagnostic codes E02xx–E06xx, W0xxx. */
#ifndef RUBRIC_CHECK_H
#define RUBRIC_CHECK_H

#include "ast.h"
#include "define.h"
#include "diag.h"

/* Type codes of expressions and declarations (ast_expr.type). */
enum {
    TC_ERROR = 0,   /* already reported: suppresses follow-on errors */
    TC_NUM, TC_BOOL, TC_TEXT, TC_DATE, TC_CHOICE, TC_SET,
    TC_MAYBE = 0x100 /* flag: the value may be absent */
};
#define TC_BASE(t) ((t) & 0xff)

typedef struct rb_checked {
    ast_decl *form;
    ast_decl **order;      /* value-producing declarations in evaluation order:
                              let, output, item, deduct, section, check, warn,
                              total, grade (each after everything it uses) */
    size_t norder;
    ast_decl *raters, *grade, *total;
    ast_decl *period, *version;
    rb_num scale;          /* the total's full mark (root section's points) */
    int precision;
    bool has_items;
    ast_decl *result_total;  /* DECL_RESULT when an expression reads `total` */
    ast_decl *result_grade;  /* DECL_RESULT when an expression reads `grade` */
    ast_decl *key_field;     /* `key FIELD`: the field (SPEC §13), or NULL */
    ast_decl *period_field;  /* `period … on FIELD`: the field, or NULL */
    ast_decl *distribution;  /* DECL_DISTRIBUTION, or NULL */
    ast_decl *dist_by;       /* its `by` field, or NULL */
    const rb_define *defs;      /* the -D values it was checked with (kept in the .rbc) */
    size_t ndefs;
} rb_checked;

/* Returns the number of errors added to diags (0: ready for codegen). */
size_t rb_check(struct rb_arena *arena, rb_source *src, ast_file *file,
                const rb_define *defs, size_t ndefs, rb_diags *diags, rb_checked *out);

/* Index of the option of choice type t named s — by id, else by exact label
 * (as records may name it) — or -1. */
int rb_find_option(const ast_type *t, const char *s);
/* A grade cap's target: the position of arm `id` in the grade, or -1. */
int rb_cap_target(const ast_decl *grade, const char *id);

/* Human name of a type code for messages ("number", "optional number"). */
const char *rb_type_name(int tc);

/* May ITEM.RATER be absent?  The item may not apply, or the rater may not
 * answer (optional, or weight 0%).  Codegen marks the value's slot with it. */
bool rb_rater_value_maybe(const ast_decl *item, const ast_rater *r);

#endif
