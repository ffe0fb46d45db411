/* types.h — the built-in type words of the language (SPEC §6), the one list.
 *
 * The checker's and formatter's ast_type_kind (ast.h) and the program's
 * rb_type (program.h) are both generated from RB_TYPE_WORDS, in this order,
 * and messages, listings and form pages name a type with rb_type_word. */
#ifndef RUBRIC_TYPES_H
#define RUBRIC_TYPES_H

#define RB_TYPE_WORDS(X)                                                   \
    X(NUMBER, "number") X(INTEGER, "integer") X(PERCENT, "percent")      \
    X(TEXT, "text") X(BOOL, "bool") X(DATE, "date")                        \
    X(CHOICE, "choice") X(CHOICES, "choices")

/* The word of the k-th type of RB_TYPE_WORDS (ast_type_kind's numbering;
 * an rb_type t is k = t - RB_T_NUMBER), or "?". */
static inline const char *rb_type_word(int k)
{
    static const char *const words[] = {
#define RB_TYPE_WORD(id, word) word,
        RB_TYPE_WORDS(RB_TYPE_WORD)
#undef RB_TYPE_WORD
    };
    return k >= 0 && k < (int)(sizeof words / sizeof *words) ? words[k] : "?";
}

#endif
