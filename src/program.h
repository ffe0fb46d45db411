/* program.h — a compiled form: what codegen produces, what a .rbc file
 * stores, what the loader rebuilds after verifying, and what the VM runs.
 *
 * All cross references are 32-bit indices into the tables below; RB_NONE
 * marks "no reference".  Nothing points outside the program, so a program is
 * serialised table by table (bytecode.c) and checked index by index
 * (verify.c).  A program owns all its memory (rb_program_free).
 *
 * Evaluation of one record (vm.c runs it; bind.c does step 1, score.c
 * the §5 aggregation and step 3), in order:
 *  1. Bind: every rb_input takes its value from the record (validated against
 *     its type and constraints; errors "missing", "type", "range", "choice",
 *     "unknown", "duplicate", "not-applicable"), filling its slot.  A
 *     directly-rated item with raters takes one value per rater and its slot
 *     gets Σ weight × value.  An absent optional input's slot is "absent".
 *     Binding errors make the record invalid and nothing else runs.
 *     Exception: an item with a `when` is bound after its U_WHEN unit ran —
 *     a value given where it does not apply is "not-applicable", a missing
 *     value where it applies is "missing" — those errors also stop the record.
 *  2. Run the units in table order (the compiler sorted them by
 *     dependency).  Each unit's code leaves one value (RET) that goes to its
 *     target; runtime errors ("arith", "item-range") stop the record.
 *     Checks that fail add a "check" error and evaluation goes on; warns add
 *     a warning.
 *  3. Total: the root section's aggregate (section 0), or the U_TOTAL
 *     unit's value; rounded to `precision`; then the grade.  (When the form
 *     reads `total` or `grade` in an expression, a U_RESULT unit does this
 *     step at its place in the unit order instead.)
 *
 * SPEC §5 scoring is done by U_SECTION units: see rb_section. */
#ifndef RUBRIC_PROGRAM_H
#define RUBRIC_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lang.h"
#include "num.h"
#include "types.h"

#define RB_NONE UINT32_MAX

/* The deepest a unit's stack may get: the verifier rejects more, and the
 * VM's stack has this many cells. */
#define RB_MAX_STACK 256u

/* The magic, and the format version this build writes and reads. */
#define RB_MAGIC "RUBRIC\0\x1a"   /* 8 bytes */
#define RB_FORMAT_VERSION 7u

/* Value types of slots (what a name denotes), RB_TYPE_WORDS from 1:
 * RB_T_NUMBER … RB_T_CHOICES.  Number, integer and percent are all numbers
 * at run time. */
typedef enum {
    RB_T_UNTYPED = 0, /* never in a verified program */
#define RB_T_ENUM(id, word) RB_T_##id,
    RB_TYPE_WORDS(RB_T_ENUM)
#undef RB_T_ENUM
} rb_type;

/* What a slot is, the one list (like RB_OPCODES): X(ENUM, name) makes the
 * enum and the names listings print (rb_slot_kind_name); the byte in a
 * file is the position, from 1 (0 is no kind).
 *   PARAM … OUTPUT  what those declarations declare
 *   TOTAL    `total` read in an expression: the rounded total (number)
 *   GRADE    `grade` read in an expression: a choice whose options are the
 *            grade arms, in order
 *   SIGN     `sign`: a signature line of the paper form (type text); no
 *            value, nothing reads it; kept so that `rubric form` can draw
 *            the form from a .rbc
 *   RATER    ITEM.RATER read in an expression (SPEC §12): named
 *            "item.rater" after a directly-rated item's slot and a rater's
 *            id; a number, bound with the item's rater values
 *   HISTORY  the value of one `streak(COND)` or `previous(EXPR, N)` (SPEC
 *            §13), filled by its U_STREAK/U_PREVIOUS unit; its name is the
 *            call as written; read only by lets, outputs and warns */
#define RB_SLOT_KINDS(X)                                                           \
    X(PARAM, "param") X(FIELD, "field") X(INPUT, "input") X(ITEM, "item")           \
    X(DEDUCT, "deduct") X(SECTION, "section") X(LET, "let") X(OUTPUT, "output")     \
    X(TOTAL, "total") X(GRADE, "grade") X(SIGN, "sign") X(RATER, "rater")           \
    X(HISTORY, "history")

typedef enum {
    SLOT_NO_KIND = 0, /* never in a valid program */
#define RB_SLOT_KIND_ENUM(id, name) SLOT_##id,
    RB_SLOT_KINDS(RB_SLOT_KIND_ENUM)
#undef RB_SLOT_KIND_ENUM
    SLOT_KIND_END     /* one past the last kind */
} rb_slot_kind;

/* program.c: a slot kind's name ("deduct"), "?" for a byte that is none. */
const char *rb_slot_kind_name(unsigned kind);

typedef struct {
    uint32_t name;        /* string index */
    uint32_t label;       /* string index or RB_NONE */
    uint8_t kind;         /* rb_slot_kind */
    uint8_t type;         /* rb_type */
    uint8_t maybe;        /* 1: may be absent (optional input/field, optional or
                             `when` item, section that may have nothing applicable) */
    uint32_t choiceset;   /* RB_T_CHOICE/CHOICES: index into choicesets, else RB_NONE */
    uint32_t line, col;   /* where it is declared (1-based) */
} rb_slot;

typedef struct {
    uint32_t id;          /* string index: the option's name */
    uint32_t label;       /* string index or RB_NONE */
    uint32_t value;       /* number index or RB_NONE */
} rb_option;

typedef struct {
    uint32_t first;       /* first option in `options` */
    uint32_t count;       /* 1..64 options */
    uint8_t numeric;      /* every option has a value: usable as a number */
} rb_choiceset;

/* One value a record supplies: a field, an input, a directly-rated item or
 * deduction.  The record key is the slot's name. */
typedef struct {
    uint32_t slot;
    uint8_t required;     /* 0: optional (absent, null — and "n/a" for items — allowed) */
    uint8_t rated;        /* 1: takes one value per rater (directly-rated item) */
    uint8_t min_incl, max_incl; /* bounds inclusive? */
    uint32_t min, max;    /* number indices or RB_NONE; for choices: bounds on
                             how many options are chosen; items: 0 and points */
    uint32_t def;         /* default: number index (numbers, bool as 0/1, a
                             choice's option index within its choiceset), string index for text and
                             date; RB_NONE: no default */
    uint32_t unit;        /* string index or RB_NONE (echoed in explanations) */
    uint32_t item;        /* index into items, or RB_NONE */
} rb_input;

typedef struct {
    uint32_t slot;
    uint32_t section;     /* parent section index (0 = form root) */
    uint32_t points;      /* number index: full mark N (score range low..N) */
    uint32_t weight;      /* number index (fraction, 0.4 for 40%) or RB_NONE */
    uint8_t is_deduct;    /* a deduction of 0..N from its section */
    uint8_t optional;     /* `optional`: may be not applicable */
    uint32_t when_unit;   /* unit computing applicability, or RB_NONE */
    uint32_t input;       /* directly rated: index into inputs; else RB_NONE */
    uint32_t low;         /* number index: a rating scale's lowest value
                             (`points 1..5`, SPEC §12), or RB_NONE for 0 */
} rb_item;

/* Section 0 is the form itself (the root).  Children are items, deductions
 * and sections, listed in `children[first_child .. first_child+nchildren)`.
 *
 * U_SECTION computes, over applicable children (an item applies unless its
 * when_unit gave false or it is optional and absent; a section applies
 * unless none of its children applies), SPEC §5 read literally:
 *   unweighted, not the root: score = max(0, Σ scoreᵢ − Σ deductions) and
 *     its applicable full mark = Σ applicable fullᵢ (an item that does not
 *     apply "leaves its section's full mark");
 *   unweighted root: total = max(0, scale × Σ scoreᵢ ÷ Σ applicable fullᵢ
 *     − Σ deductions)  (with everything applicable and scale = Σ fullᵢ this
 *     is the plain sum);
 *   weighted (any level): score = max(0, points × Σ wᵢ·scoreᵢ/fullᵢ ÷ Σ wᵢ
 *     − Σ deductions), Σ wᵢ over applicable children, fullᵢ being each
 *     child's applicable full mark; its applicable full mark is `points`.
 * The root's `points` is the scale.  A section's slot holds its score
 * (absent when nothing in it applies). */
typedef struct {
    uint32_t slot;        /* RB_NONE for the root */
    uint32_t parent;      /* RB_NONE for the root */
    uint32_t points;      /* number index: the full mark */
    uint32_t weight;      /* number index (fraction) or RB_NONE */
    uint8_t weighted;     /* children carry weights */
    uint32_t first_child, nchildren;
} rb_section;

typedef enum { CHILD_ITEM = 1, CHILD_SECTION } rb_child_kind;
typedef struct {
    uint8_t kind;         /* rb_child_kind (deductions are CHILD_ITEM with is_deduct) */
    uint32_t index;       /* into items or sections */
} rb_child;

/* Kinds of unit, the one list (like RB_OPCODES): the enum and the names
 * the verifier's messages and `rubric disasm` print (rb_unit_kind_name).
 * X(ENUM, name); the byte in a file is the position, from 1 (0 is no kind).
 *   VALUE     param, let, output: code's value → slot `target`
 *   ITEM      computed item/deduct: value → items[target]; outside 0..points
 *             is an "item-range" error.  Skipped (slot absent) when the
 *             item's U_WHEN unit gave false.
 *   WHEN      bool → applicability of items[target]
 *   SECTION   no code (code_len 0): aggregate sections[target]
 *   CHECK     bool; false → "check" error, message strings[target]
 *   WARN      bool; false → warning, message strings[target]
 *   TOTAL     num → the form total (replaces the root aggregate)
 *   GRADE_ON  num → the value the grade is taken on (target unused)
 *   RESULT    no code: rounds the total and takes the grade now, filling the
 *             SLOT_TOTAL and SLOT_GRADE slots, so that later units (outputs,
 *             warns, checks) can read them.  At most one, after the root's
 *             U_SECTION and any U_TOTAL/U_GRADE_ON unit.
 *   CAP       bool; true → the grade is at most arm `target` (an index
 *             within the grade's arms: a later arm is a lower grade; SPEC
 *             §12 `at most ID when COND`).  Before any U_RESULT.
 *   STREAK    streak(COND) (SPEC §13): the code is COND (bool), run on this
 *             record and then on the stored results of the periods before
 *             it until it fails or a period has no result; the count →
 *             SLOT_HISTORY slot `target`
 *   PREVIOUS  previous(EXPR, N): the code is EXPR, run on the stored result
 *             `back` periods before this one; its value (absent when there
 *             is none) → SLOT_HISTORY slot `target`.  The code of both reads
 *             only section, output, total and grade slots: what a stored
 *             result holds. */
#define RB_UNIT_KINDS(X)                                                           \
    X(VALUE, "value") X(ITEM, "item") X(WHEN, "when") X(SECTION, "section")         \
    X(CHECK, "check") X(WARN, "warn") X(TOTAL, "total") X(GRADE_ON, "grade-on")     \
    X(RESULT, "result") X(CAP, "cap") X(STREAK, "streak") X(PREVIOUS, "previous")

typedef enum {
    U_NO_KIND = 0, /* never in a valid program */
#define RB_UNIT_KIND_ENUM(id, name) U_##id,
    RB_UNIT_KINDS(RB_UNIT_KIND_ENUM)
#undef RB_UNIT_KIND_ENUM
    U_KIND_END     /* one past the last kind */
} rb_unit_kind;

/* program.c: a unit kind's name ("grade-on"), "?" for a byte that is none. */
const char *rb_unit_kind_name(unsigned kind);

typedef struct {
    uint8_t kind;         /* rb_unit_kind */
    uint32_t target;
    uint32_t code_start, code_len; /* byte range in `code` */
    uint32_t decl;        /* string index: the declaration named in runtime
                             errors ("let completion", "check #2") */
    uint32_t line, col;   /* source location of that declaration */
    uint32_t max_stack;   /* set by the verifier */
    uint32_t back;        /* U_PREVIOUS: periods back, 1..RB_MAX_BACK; else 0 */
} rb_unit;

/* previous(EXPR, N) reads at most this many periods back. */
#define RB_MAX_BACK 1000u

/* How an arm of a band or the grade compares, the one list: X(ENUM, text
 * as written); the byte in a file is the position, from 0.  ELSE is last. */
#define RB_ARM_OPS(X) X(LT, "<") X(LE, "<=") X(GT, ">") X(GE, ">=") X(ELSE, "else")

typedef enum {
#define RB_ARM_OP_ENUM(id, text) RB_ARM_##id,
    RB_ARM_OPS(RB_ARM_OP_ENUM)
#undef RB_ARM_OP_ENUM
    RB_ARM_END /* one past the last op */
} rb_arm_op;

/* program.c: an arm op as written ("<=", "else"), "?" for a byte that is
 * none. */
const char *rb_arm_op_text(unsigned op);

typedef struct {
    uint8_t op;           /* rb_arm_op */
    uint32_t threshold;   /* number index (RB_NONE for else) */
    uint32_t target;      /* band: code offset the arm continues at */
    uint32_t id, label;   /* grade: string indices */
} rb_arm;

typedef struct {
    uint32_t first_arm, narms;
} rb_band;                /* bands and the grade use `arms` */

typedef struct {
    uint32_t id, label;   /* string indices */
    uint32_t weight;      /* number index (fraction); 0 = optional, informational */
    uint8_t many;         /* any number of them (同事, 下属): a list, valued at its mean */
    uint8_t optional;     /* may be absent: the others' weights are renormalised */
} rb_rater;

/* A distribution rule (SPEC §14): the grades dist_grades[first ..
 * first+count) — indices into the grade's arms, 0 = its first arm — take
 * together a share `op` the number `share` (a fraction, 0.2 for 20%) of
 * the valid records of a batch (of each group, with `dist_by`). */
typedef struct {
    uint32_t first, count;
    uint8_t op;           /* rb_arm_op: LT, LE, GT, GE */
    uint32_t share;       /* number index */
} rb_dist_rule;

typedef struct rb_program {
    /* form header */
    uint32_t name, label;        /* string indices (label may be RB_NONE) */
    uint32_t period, version;    /* string indices or RB_NONE */
    uint32_t scale;              /* number index: the total's full mark */
    uint32_t precision;          /* digits */
    uint32_t source_name;        /* string index: template file name */
    uint8_t has_items;           /* 0: pure validation form, no total/grade */

    rb_num *numbers;   uint32_t nnumbers;
    /* strings: bytes in `string_data`, string i is
     * string_data[string_off[i] .. string_off[i]+string_len[i]) and is
     * followed by a NUL in memory (not in the file). */
    char *string_data; uint32_t string_bytes;
    uint32_t *string_off, *string_len; uint32_t nstrings;

    rb_option *options;        uint32_t noptions;
    rb_choiceset *choicesets;  uint32_t nchoicesets;
    rb_slot *slots;            uint32_t nslots;
    rb_input *inputs;          uint32_t ninputs;
    rb_rater *raters;          uint32_t nraters;
    rb_item *items;            uint32_t nitems;
    rb_section *sections;      uint32_t nsections;   /* ≥ 1: the root */
    rb_child *children;        uint32_t nchildren;
    rb_unit *units;            uint32_t nunits;
    rb_arm *arms;              uint32_t narms;
    rb_band *bands;            uint32_t nbands;
    rb_band grade;             /* arms of the grade; narms 0: no grade */
    uint32_t grade_on_unit;    /* U_GRADE_ON unit or RB_NONE */
    uint32_t total_unit;       /* U_TOTAL unit or RB_NONE */
    uint8_t *code;             uint32_t code_len;

    /* history and distribution (SPEC §13, §14): field slots or RB_NONE */
    uint32_t key_slot;         /* `key FIELD` */
    uint32_t period_slot;      /* `period … on FIELD` */
    uint32_t dist_by;          /* `distribution by FIELD` */
    rb_dist_rule *dist_rules;  uint32_t ndist_rules;
    uint32_t *dist_grades;     uint32_t ndist_grades;

    char digest[72];           /* "sha256:" + 64 hex digits of the .rbc bytes */
    uint32_t source_text;      /* string index: the template's source, so that
                                  `score -D` can take a .rbc (SPEC §9); RB_NONE
                                  in programs built by hand */
    uint32_t source_defines;   /* string index: the -D values it was compiled
                                  with, "NAME=VALUE" lines; RB_NONE: none */
    char *params_json;         /* not stored: the -D values as a JSON object,
                                  echoed as the results' "params"; NULL: none */

    /* Proof that rb_program_verify accepted this program: set by it alone
     * (to an address private to verify.c), read by rb_program_verified.
     * The builder leaves it NULL, so a program nobody verified cannot
     * reach the evaluator. */
    const void *verified;
} rb_program;

/* A string of the program as a C string (NUL-ended in memory). */
static inline const char *rb_str(const rb_program *p, uint32_t i)
{
    return p->string_data + p->string_off[i];
}

void rb_program_free(rb_program *p);

/* bytecode.c: serialise to the .rbc format (docs/bytecode.md).  Returns a
 * malloc'd buffer; sets p->digest.  Deterministic. */
uint8_t *rb_program_serialize(rb_program *p, size_t *len);
/* bytecode.c: reads and verifies a .rbc image.  NULL on any defect, with a
 * message in err ("bytecode: bad checksum", "bytecode: unit 3 jumps to 99,
 * outside its code"), in `lang`, the verifier's reasons too. */
rb_program *rb_program_load(const uint8_t *bytes, size_t len, rb_lang lang, char *err, size_t errcap);
/* verify.c: checks every index, jump, type and stack depth; fills
 * units[].max_stack.  Returns 0 and marks the program verified, or -1 with
 * a message in `lang` (and the program unmarked). */
int rb_program_verify(rb_program *p, rb_lang lang, char *err, size_t errcap);
/* verify.c: did rb_program_verify accept p?  Only such a program may be
 * evaluated (rb_eval_new). */
bool rb_program_verified(const rb_program *p);
/* disasm.c: readable listing. */
void rb_program_disasm(FILE *out, const rb_program *p);

#endif
