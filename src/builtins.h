/* builtins.h — the one list of built-in functions (docs/language.md §8.5).
 *
 * The checker (names, arity, types), the code generator (which instruction),
 * the help of an unknown function (E0204) and the documentation test all read
 * RB_BUILTINS, so adding a function is one line here plus its opcode and, if
 * its rule is new, a case in check.c and codegen.c (docs/internals.md).
 *
 * X(ID, NAME, MIN_ARGS, MAX_ARGS, RULE, OPCODE, SIGNATURE, MEANING)
 *   RULE: how the checker types a call (rb_builtin_rule).
 *   OPCODE: the instruction a call compiles to.  For RB_RULE_NUMBERS and count
 *   the arguments are pushed, then the opcode: with OPK_COUNT it takes the
 *   argument count, otherwise it pops a fixed number of values and arguments
 *   left out are 0 (round(x) is round(x, 0)).  present, has, streak and
 *   previous have their own code (codegen.c, gen_call).
 *   SIGNATURE and MEANING: the first two columns of the function table of
 *   docs/language.md, word for word (test_docs checks it). */
#ifndef RUBRIC_BUILTINS_H
#define RUBRIC_BUILTINS_H

#include "opcodes.h"

typedef enum {
    RB_RULE_NUMBERS, /* every argument a number (E0301); a number */
    RB_RULE_CHOICES, /* count(set): a number; has(set, "id"): true or false */
    RB_RULE_PRESENT, /* present(x): true or false (W0302 when x is never absent) */
    RB_RULE_HISTORY  /* streak(COND), previous(EXPR[, N]): earlier periods (SPEC §13) */
} rb_builtin_rule;

#define RB_BUILTINS(X)                                                                      \
    X(MIN,      "min",      1, 255, RB_RULE_NUMBERS, OP_MIN,     "min(a, b, …)",               \
      "the smallest")                                                                         \
    X(MAX,      "max",      1, 255, RB_RULE_NUMBERS, OP_MAX,     "max(a, b, …)",               \
      "the largest")                                                                          \
    X(AVG,      "avg",      1, 255, RB_RULE_NUMBERS, OP_AVG,     "avg(a, b, …)",               \
      "the exact mean")                                                                       \
    X(CLAMP,    "clamp",    3, 3,   RB_RULE_NUMBERS, OP_CLAMP,   "clamp(x, lo, hi)",           \
      "x limited to lo..hi")                                                                  \
    X(ROUND,    "round",    1, 2,   RB_RULE_NUMBERS, OP_ROUND,   "round(x[, d])",              \
      "rounded to d digits (default 0), half away from zero (四舍五入)")                      \
    X(FLOOR,    "floor",    1, 1,   RB_RULE_NUMBERS, OP_FLOOR,   "floor(x)",                   \
      "largest whole number ≤ x")                                                             \
    X(CEIL,     "ceil",     1, 1,   RB_RULE_NUMBERS, OP_CEIL,    "ceil(x)",                    \
      "smallest whole number ≥ x")                                                            \
    X(ABS,      "abs",      1, 1,   RB_RULE_NUMBERS, OP_ABS,     "abs(x)",                     \
      "absolute value")                                                                       \
    X(COUNT,    "count",    1, 1,   RB_RULE_CHOICES, OP_COUNT,   "count(set)",                 \
      "how many options of a `choices` value are ticked")                                     \
    X(HAS,      "has",      2, 2,   RB_RULE_CHOICES, OP_HAS,     "has(set, \"id\")",           \
      "whether that option is ticked")                                                        \
    X(PRESENT,  "present",  1, 1,   RB_RULE_PRESENT, OP_PRESENT, "present(x)",                 \
      "whether an optional value was given")                                                  \
    X(STREAK,   "streak",   1, 1,   RB_RULE_HISTORY, OP_LOAD,    "streak(COND)",               \
      "how many periods in a row, up to this one, COND held")                                 \
    X(PREVIOUS, "previous", 1, 2,   RB_RULE_HISTORY, OP_LOAD,    "previous(EXPR[, N])",        \
      "EXPR N periods back (default 1); absent when none is stored")

typedef enum {
#define RB_FN_ENUM(id, name, min, max, rule, op, signature, meaning) RB_FN_##id,
    RB_BUILTINS(RB_FN_ENUM)
#undef RB_FN_ENUM
    RB_BUILTIN_COUNT
} rb_builtin_id;

typedef struct {
    rb_builtin_id id;
    const char *name;
    int min_args, max_args;
    rb_builtin_rule rule;
    rb_opcode op;
    const char *signature, *meaning;
} rb_builtin;

extern const rb_builtin rb_builtins[RB_BUILTIN_COUNT];

/* The built-in called `name`, or NULL. */
const rb_builtin *rb_builtin_find(const char *name);

#endif
