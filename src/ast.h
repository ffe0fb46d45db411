/* ast.h — the syntax tree the parser builds and the checker annotates.
 *
 * All nodes, strings and lists live in the compilation's arena.  Lists are
 * singly linked through `next`, in source order.  Strings are decoded UTF-8
 * (escapes resolved), NUL-ended.  Every node carries the byte span of its
 * source text.  Fields under "checker" are zero after parsing and filled in
 * by check.c. */
#ifndef RUBRIC_AST_H
#define RUBRIC_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "num.h"
#include "types.h"

struct rb_arena;

/* ---- literals --------------------------------------------------------- */
typedef enum { LIT_NONE, LIT_NUMBER, LIT_STRING, LIT_BOOL } ast_lit_kind;

typedef struct ast_literal {
    ast_lit_kind kind;
    rb_span span;
    rb_num num;          /* LIT_NUMBER: value (sign and percent applied) */
    bool is_percent;     /* LIT_NUMBER written as 40% */
    bool is_integer_text;/* LIT_NUMBER written without a '.' (and not %) */
    const char *str;     /* LIT_STRING */
    bool boolean;        /* LIT_BOOL */
} ast_literal;

/* ---- types ------------------------------------------------------------ */
typedef enum {
#define TY_ENUM(id, word) TY_##id,
    RB_TYPE_WORDS(TY_ENUM) /* TY_NUMBER … TY_CHOICES */
#undef TY_ENUM
    TY_NAMED               /* a `type` declaration's name, until resolved */
} ast_type_kind;

typedef struct ast_option {
    const char *id;
    rb_span id_span;
    const char *label;        /* NULL if none */
    bool has_value;
    ast_literal value;        /* LIT_NUMBER when has_value */
    rb_span span;
    struct ast_option *next;
} ast_option;

typedef struct ast_type {
    ast_type_kind kind;
    rb_span span;
    ast_option *options;      /* TY_CHOICE, TY_CHOICES */
    const char *name;         /* TY_NAMED */
    /* checker */
    struct ast_type *resolved;/* TY_NAMED: the type it names (never TY_NAMED) */
    int choiceset;            /* codegen: index of its option set, -1 none */
} ast_type;

/* ---- constraints on input/field -------------------------------------- */
typedef enum {
    CON_IN, CON_GE, CON_GT, CON_LE, CON_LT,
    CON_REQUIRED, CON_OPTIONAL, CON_DEFAULT, CON_UNIT
} ast_con_kind;

typedef struct ast_constraint {
    ast_con_kind kind;
    rb_span span;
    ast_literal a;            /* IN: low; GE/GT/LE/LT: bound; DEFAULT: value; UNIT: string */
    ast_literal b;            /* IN: high */
    struct ast_constraint *next;
} ast_constraint;

/* ---- expressions ------------------------------------------------------ */
typedef enum {
    EX_NUMBER,   /* literal number (percent applied) */
    EX_STRING,
    EX_BOOL,
    EX_NAME,
    EX_NEG, EX_NOT,
    EX_ADD, EX_SUB, EX_MUL, EX_DIV,
    EX_EQ, EX_NE, EX_LT, EX_LE, EX_GT, EX_GE,
    EX_AND, EX_OR,
    EX_COALESCE, /* a ?? b */
    EX_IF,       /* if cond then a else b */
    EX_CALL,
    EX_BAND,
    EX_TOTAL,    /* `total`: the form's total as printed (rounded to precision) */
    EX_GRADE,    /* `grade`: the grade's id, a choice over the grade arms */
    EX_RATER     /* ITEM.RATER: str is the item, member the rater (SPEC §12) */
} ast_expr_kind;

typedef enum { ARM_LT, ARM_LE, ARM_GT, ARM_GE, ARM_ELSE } ast_arm_op;

typedef struct ast_arm {          /* band and grade arms */
    ast_arm_op op;
    rb_span span;                 /* whole arm */
    struct ast_expr *threshold;   /* NULL for else; a literal, a param name,
                                     or constant arithmetic (checker decides) */
    struct ast_expr *result;      /* band arm result */
    const char *id;               /* grade arm: id and label */
    rb_span id_span;
    const char *label;
    struct ast_expr *cap_when;    /* grade cap `at most ID when COND` (in a grade's `caps`) */
    struct ast_arm *next;
    /* checker */
    rb_num threshold_value;
} ast_arm;

struct ast_decl;

typedef struct ast_expr {
    ast_expr_kind kind;
    rb_span span;
    rb_num num;                   /* EX_NUMBER */
    const char *str;              /* EX_STRING; EX_NAME, EX_CALL: the name */
    rb_span name_span;            /* EX_NAME, EX_CALL, EX_RATER: span of the name */
    const char *member;           /* EX_RATER: the rater's id */
    rb_span member_span;
    bool boolean;                 /* EX_BOOL */
    struct ast_expr *a, *b, *c;   /* operands: unary a; binary a,b; if c?a:b is
                                     cond=a, then=b, else=c; coalesce a ?? b */
    struct ast_expr *args;        /* EX_CALL: argument list via next */
    int nargs;
    struct ast_expr *next;        /* next argument */
    ast_arm *arms;                /* EX_BAND: subject is `a` */
    /* checker */
    struct ast_decl *ref;         /* EX_NAME: the declaration named; EX_RATER: the item */
    struct ast_rater *rater;      /* EX_RATER: the rater named */
    int type;                     /* a check.h type code */
    struct ast_type *choice;      /* type is a choice/choices: which one */
    bool to_num;                  /* a numeric choice used as a number */
    int option;                   /* EX_STRING compared with a choice: option index */
    int slot;                     /* codegen: EX_CALL of streak/previous: the
                                     history slot holding its value */
} ast_expr;

/* ---- declarations ----------------------------------------------------- */
typedef enum {
    DECL_FORM,
    DECL_PERIOD, DECL_VERSION, DECL_SCALE, DECL_PRECISION,   /* form attributes */
    DECL_PARAM, DECL_FIELD, DECL_TYPE, DECL_RATERS,
    DECL_SECTION, DECL_INPUT, DECL_ITEM, DECL_DEDUCT,
    DECL_LET, DECL_CHECK, DECL_WARN, DECL_OUTPUT, DECL_TOTAL, DECL_GRADE,
    DECL_KEY,          /* `key FIELD`: `word` names the field (SPEC §13) */
    DECL_DISTRIBUTION, /* `distribution [by FIELD] { RULES }` (SPEC §14) */
    DECL_RESULT, /* made by the checker, not parsed: what `total` and `grade`
                    denote in an expression (the rounded total, the grade) */
    DECL_SIGN    /* `sign NAME LABEL`: a signature line of the paper form (SPEC §15) */
} ast_decl_kind;

typedef struct ast_rater {
    const char *id;
    rb_span id_span;
    const char *label;            /* NULL if none */
    ast_literal weight;           /* LIT_NUMBER (percent) */
    bool many, optional;          /* SPEC §12 rater groups */
    rb_span span;
    struct ast_rater *next;
} ast_rater;

/* How a `warn` was written: bare `warn C` means `warn unless C` (SPEC §12). */
typedef enum { WARN_BARE, WARN_WHEN, WARN_UNLESS } ast_warn_form;
/* One rule of a `distribution`: `excellent + good <= 50%`. */
typedef struct ast_dist_id {
    const char *id;               /* a grade id */
    rb_span span;
    struct ast_dist_id *next;
    /* checker */
    int arm;                      /* index of the grade arm it names, -1 none */
} ast_dist_id;

typedef struct ast_dist_rule {
    ast_dist_id *ids;             /* joined by '+' */
    ast_arm_op op;                /* ARM_LT, ARM_LE, ARM_GT or ARM_GE */
    ast_literal share;            /* LIT_NUMBER, a percent */
    rb_span span;
    struct ast_dist_rule *next;
} ast_dist_rule;

typedef struct ast_decl {
    ast_decl_kind kind;
    rb_span span;                 /* the whole declaration */
    rb_span kw_span;              /* its keyword */
    const char *name;             /* NULL for check/warn/total/grade/raters/attributes */
    rb_span name_span;
    const char *label;            /* NULL if none */
    rb_span label_span;

    ast_type *type;               /* param, field, input, type */
    ast_constraint *constraints;  /* field, input, type (the checker adds a named
                                     type's to each field and input of that type) */
    ast_literal value;            /* param = LITERAL; scale N; precision D;
                                     version "…" (LIT_STRING) */
    const char *word;             /* period: weekly|monthly|quarterly|yearly|once;
                                     key: the field; distribution: the `by` field */
    rb_span word_span;
    const char *on;               /* period … on FIELD: the field, NULL if none */
    rb_span on_span;
    ast_dist_rule *rules;         /* distribution */

    bool has_points;  ast_literal points;   /* section, item, deduct */
    bool has_low;     ast_literal low;      /* item: `points low..points`, a rating scale */
    bool has_weight;  ast_literal weight;   /* section, item (percent) */
    bool optional;                /* item */
    ast_expr *when;               /* item */
    ast_expr *expr;               /* item/deduct/let/output/total: `= EXPR`;
                                     check/warn: condition; grade: `on EXPR` */
    const char *message;          /* check, warn */
    ast_warn_form warn_form;      /* warn */
    rb_span message_span;
    ast_arm *arms;                /* grade */
    ast_arm *caps;                /* grade: `at most ID when COND`, in source order */
    ast_rater *raters;            /* raters */
    struct ast_decl *body;        /* form, section: children via next */
    struct ast_decl *next;

    /* checker */
    struct ast_decl *parent;      /* enclosing section or form */
    int type_code;                /* the value's check.h type */
    struct ast_type *choice;      /* its choice type, if any (resolved) */
    rb_num full;                  /* section/item/deduct: full mark */
    bool weighted;                /* section/form: its children carry weights */
    bool maybe;                   /* its value may be absent (not applicable) */
    bool used;                    /* some expression refers to it */
    bool history;                 /* its value reads earlier periods (streak, previous) */
    int type_state, order_state;  /* checker's walk states */
    int slot;                     /* codegen */
    int index;                    /* codegen: item/section table index */
    int mark;                     /* dependency walk state */
} ast_decl;

/* A comment kept for `rubric fmt`. */
typedef struct ast_comment {
    rb_span span;                 /* includes the // or the slash-star markers */
    struct ast_comment *next;
} ast_comment;

typedef struct ast_file {
    ast_decl *form;               /* NULL when the parse failed badly */
    ast_comment *comments;
} ast_file;

/* Parses `src`; diagnostics go to `diags` (codes E01xx).  Always returns an
 * ast_file (possibly with form == NULL); recovery continues after errors so
 * that one run reports as many real errors as it can. */
ast_file *rb_parse(struct rb_arena *arena, rb_source *src, rb_diags *diags);

/* Names for messages: "item", "section", … */
const char *ast_decl_kind_name(ast_decl_kind k);

#endif
