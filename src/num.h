/* num.h — exact rational numbers for Rubric.
 *
 * Every number a template or a record holds is an exact rational num/den with
 * 64-bit parts (den > 0, gcd(|num|, den) == 1, neither part INT64_MIN, so that
 * negation never overflows).  Intermediate products use 128-bit integers; a
 * result whose reduced parts do not fit is RB_NUM_OVERFLOW, never a wrong
 * number (SPEC §4 "Arithmetic is exact").  Text is converted directly from its
 * decimal digits, never through a binary double. */
#ifndef RUBRIC_NUM_H
#define RUBRIC_NUM_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int64_t num;
    int64_t den; /* always > 0 */
} rb_num;

typedef enum {
    RB_NUM_OK = 0,
    RB_NUM_OVERFLOW, /* the exact result is not representable */
    RB_NUM_DIVZERO,  /* division by zero */
    RB_NUM_SYNTAX    /* rb_num_parse: the text is not a number */
} rb_num_status;

/* Largest number of digits rb_num_round/rb_num_format accept. */
#define RB_NUM_MAX_DIGITS 18

/* The small operations are inline: scoring does them for every value. */
static inline rb_num rb_num_int(int64_t v) /* v must not be INT64_MIN */
{
    assert(v != INT64_MIN);
    rb_num r = {v, 1};
    return r;
}
static inline rb_num rb_num_zero(void)
{
    rb_num r = {0, 1};
    return r;
}
static inline bool rb_num_is_zero(rb_num a) { return a.num == 0; }
static inline bool rb_num_is_integer(rb_num a) { return a.den == 1; }
static inline int rb_num_sign(rb_num a) { return (a.num > 0) - (a.num < 0); } /* -1, 0, 1 */

/* Parses decimal text: [-]DIGITS[.DIGITS][(e|E)[+-]DIGITS] (JSON number
 * grammar, also accepting a leading '+' is NOT allowed).  The whole of
 * text[0..len) must be the number.  Exponents are applied exactly. */
rb_num_status rb_num_parse(const char *text, size_t len, rb_num *out);
/* The same for text known to be a JSON number (the JSON reader's RV_NUMBER
 * text): a short plain decimal is converted without checking its syntax
 * again; anything else goes through rb_num_parse. */
rb_num_status rb_num_parse_json(const char *text, size_t len, rb_num *out);

/* rb_num_parse, where a trailing '%' divides by 100 ("85%" is 0.85): a
 * percent as a -D value writes it. */
rb_num_status rb_num_parse_percent(const char *text, size_t len, rb_num *out);

rb_num_status rb_num_add_any(rb_num a, rb_num b, rb_num *out); /* num.c: the general case */
rb_num_status rb_num_mul_any(rb_num a, rb_num b, rb_num *out);
rb_num_status rb_num_div(rb_num a, rb_num b, rb_num *out);

/* Neither part is ever INT64_MIN, so negation cannot overflow. */
static inline rb_num rb_num_neg(rb_num a)
{
    a.num = -a.num;
    return a;
}
static inline rb_num rb_num_abs(rb_num a)
{
    if (a.num < 0) a.num = -a.num;
    return a;
}

/* Integers (the common case) and a zero operand without 128-bit work or a
 * call; anything else in num.c. */
static inline rb_num_status rb_num_add(rb_num a, rb_num b, rb_num *out)
{
    int64_t sum;
    if (a.den == 1 && b.den == 1 && !__builtin_add_overflow(a.num, b.num, &sum) && sum != INT64_MIN) {
        out->num = sum;
        out->den = 1;
        return RB_NUM_OK;
    }
    if (b.num == 0) {
        *out = a;
        return RB_NUM_OK;
    }
    if (a.num == 0) {
        *out = b;
        return RB_NUM_OK;
    }
    return rb_num_add_any(a, b, out);
}
static inline rb_num_status rb_num_sub(rb_num a, rb_num b, rb_num *out)
{
    return rb_num_add(a, rb_num_neg(b), out);
}
static inline rb_num_status rb_num_mul(rb_num a, rb_num b, rb_num *out)
{
    int64_t prod;
    if (a.den == 1 && b.den == 1 && !__builtin_mul_overflow(a.num, b.num, &prod) && prod != INT64_MIN) {
        out->num = prod;
        out->den = 1;
        return RB_NUM_OK;
    }
    return rb_num_mul_any(a, b, out);
}

/* -1, 0, 1; exact.  Inline: scoring compares every input with its bounds
 * and every banded value with its arms' thresholds. */
static inline int rb_num_cmp(rb_num a, rb_num b)
{
    if (a.den == b.den) return (a.num > b.num) - (a.num < b.num); /* integers, or one scale */
    __int128 l = (__int128)a.num * b.den, r = (__int128)b.num * a.den;
    return (l > r) - (l < r);
}

/* Rounds to `digits` places after the point (0..RB_NUM_MAX_DIGITS), half
 * away from zero (四舍五入): round(2.5)=3, round(-2.5)=-3, round(2.675,2)=2.68. */
rb_num_status rb_num_round(rb_num a, int digits, rb_num *out);
rb_num_status rb_num_floor(rb_num a, rb_num *out);
rb_num_status rb_num_ceil(rb_num a, rb_num *out);

/* Writes `a` rounded (half away from zero) to `digits` places, trailing
 * zeros and a trailing point dropped, never "-0": 87, 87.5, -0.33.
 * Returns the length written (excluding NUL); buf needs 48 bytes. */
size_t rb_num_format(rb_num a, int digits, char *buf, size_t cap);

/* Writes the exact value when it is a finite decimal (e.g. 0.375), else
 * "num/den".  For listings and diagnostics.  buf needs 48 bytes. */
size_t rb_num_format_exact(rb_num a, char *buf, size_t cap);

/* Writes a fraction as a percent: a × 100 and '%', exact as
 * rb_num_format_exact when digits < 0, else as rb_num_format: 0.855 is
 * "85.5%".  A share too large to multiply by 100 is written as it is,
 * without the sign.  buf needs 48 bytes. */
size_t rb_num_format_percent(rb_num a, int digits, char *buf, size_t cap);

/* Exact text (rb_num_format_exact) and percent text (rb_num_format_percent,
 * exact), allocated in an arena: the numbers that messages quote. */
struct rb_arena;
char *rb_num_text(struct rb_arena *arena, rb_num a);
char *rb_num_percent_text(struct rb_arena *arena, rb_num a);

/* Converts an integer-valued number to int64; false if not an integer. */
bool rb_num_to_int(rb_num a, int64_t *out);

#endif
