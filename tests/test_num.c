/* test_num.c — unit tests for the exact rationals of num.c: SPEC §4's
 * examples verbatim, every error path, rounding and formatting. */
#include "testutil.h"

#include "num.h"

/* Parses text that must be a valid, representable number. */
static rb_num N(const char *text)
{
    rb_num n;
    rb_num_status st = rb_num_parse(text, strlen(text), &n);
    if (st != RB_NUM_OK) fail_msg("rb_num_parse(\"%s\") = %d", text, (int)st);
    return n;
}

static rb_num Q(int64_t num, int64_t den)
{
    rb_num r = {num, den};
    return r;
}

static rb_num_status parse_status(const char *text)
{
    rb_num n = {12345, 7};
    rb_num_status st = rb_num_parse(text, strlen(text), &n);
    return st;
}

#define assert_num(n, want_num, want_den)                                     \
    do {                                                                      \
        rb_num n_ = (n);                                                      \
        assert_int_equal(n_.num, (want_num));                                 \
        assert_int_equal(n_.den, (want_den));                                 \
    } while (0)

static rb_num add(rb_num a, rb_num b)
{
    rb_num r;
    assert_int_equal(rb_num_add(a, b, &r), RB_NUM_OK);
    return r;
}
static rb_num sub(rb_num a, rb_num b)
{
    rb_num r;
    assert_int_equal(rb_num_sub(a, b, &r), RB_NUM_OK);
    return r;
}
static rb_num mul(rb_num a, rb_num b)
{
    rb_num r;
    assert_int_equal(rb_num_mul(a, b, &r), RB_NUM_OK);
    return r;
}
static rb_num dvd(rb_num a, rb_num b)
{
    rb_num r;
    assert_int_equal(rb_num_div(a, b, &r), RB_NUM_OK);
    return r;
}
static rb_num rnd(rb_num a, int digits)
{
    rb_num r;
    assert_int_equal(rb_num_round(a, digits, &r), RB_NUM_OK);
    return r;
}

static const char *fmt(rb_num a, int digits)
{
    static char buf[48];
    size_t n = rb_num_format(a, digits, buf, sizeof buf);
    assert_int_equal(n, strlen(buf));
    return buf;
}

static const char *fmt_exact(rb_num a)
{
    static char buf[48];
    size_t n = rb_num_format_exact(a, buf, sizeof buf);
    assert_int_equal(n, strlen(buf));
    return buf;
}

/* ---- SPEC §4 "Arithmetic is exact", verbatim ---------------------------- */

static void spec_point1_plus_point2(void **state)
{
    (void)state;
    assert_int_equal(rb_num_cmp(add(N("0.1"), N("0.2")), N("0.3")), 0);
}

static void spec_100_div_3_times_3(void **state)
{
    (void)state;
    rb_num r = mul(dvd(N("100"), N("3")), N("3"));
    assert_int_equal(rb_num_cmp(r, N("100")), 0);
    assert_num(r, 100, 1);
}

static void spec_thirds_sum_to_one(void **state)
{
    (void)state;
    rb_num third = dvd(N("1"), N("3"));
    rb_num r = add(add(third, third), third);
    assert_int_equal(rb_num_cmp(r, N("1")), 0);
    assert_true(rb_num_is_integer(r));
}

static void spec_weighted_sum_is_90(void **state)
{
    (void)state;
    rb_num r = add(mul(N("0.3"), N("76")), mul(N("0.7"), N("96")));
    assert_int_equal(rb_num_cmp(r, N("90")), 0);
    assert_num(r, 90, 1);
    assert_true(rb_num_cmp(r, N("90")) >= 0); /* a `>= 90` band holds */
}

static void spec_round_half_away_from_zero(void **state)
{
    (void)state;
    rb_num r = mul(N("0.7"), N("85"));
    assert_num(r, 119, 2); /* 59.5 exactly */
    assert_num(rnd(r, 0), 60, 1);
    assert_num(rnd(N("-2.5"), 0), -3, 1);
    assert_num(rnd(N("2.5"), 0), 3, 1);
    assert_num(rnd(N("2.675"), 2), 67, 25); /* 2.68; binary float says 2.67 */
    assert_num(rnd(N("-2.675"), 2), -67, 25);
}

/* ---- parsing ------------------------------------------------------------- */

static void parse_plain(void **state)
{
    (void)state;
    assert_num(N("0"), 0, 1);
    assert_num(N("-0"), 0, 1);
    assert_num(N("-0.0"), 0, 1);
    assert_num(N("12"), 12, 1);
    assert_num(N("-12"), -12, 1);
    assert_num(N("12.5"), 25, 2);
    assert_num(N("12.50"), 25, 2);
    assert_num(N("0.1"), 1, 10);
    assert_num(N("0.001"), 1, 1000);
    assert_num(N("100"), 100, 1);
    assert_num(N("9223372036854775807"), INT64_MAX, 1);
    assert_num(N("-9223372036854775807"), -INT64_MAX, 1);
    assert_num(N("0.5000000000000000000000000000000000000000000000000000000000000000000000000"), 1, 2);
}

static void parse_exponents(void **state)
{
    (void)state;
    assert_num(N("1e2"), 100, 1);
    assert_num(N("1E2"), 100, 1);
    assert_num(N("1e+2"), 100, 1);
    assert_num(N("1e-2"), 1, 100);
    assert_num(N("12.5e1"), 125, 1);
    assert_num(N("12.5e-1"), 5, 4);
    assert_num(N("-1.5e3"), -1500, 1);
    assert_num(N("1e0"), 1, 1);
    assert_num(N("1e-0"), 1, 1);
    assert_num(N("1e00000000000000000000000000002"), 100, 1);
    assert_num(N("0e999999999999999999999999999"), 0, 1);
    assert_num(N("0.0e-999999999999999999999999999"), 0, 1);
    assert_num(N("9.223372036854775807e18"), INT64_MAX, 1);
    assert_num(N("1e18"), 1000000000000000000LL, 1);
    assert_num(N("1000000000000000000000000000000e-30"), 1, 1);
    assert_num(N("1e-18"), 1, 1000000000000000000LL);
}

static void parse_trailing_zeros_never_overflow(void **state)
{
    (void)state;
    assert_num(N("1.50000000000000000000000"), 3, 2);
    assert_num(N("100000000000000000000000000000000000000000000000000e-50"), 1, 1);
    assert_num(N("0.00000000000000000000000000000000000000000000000000000000000000000000000000000001e80"),
               1, 1);
    /* 3 / 2^62: a 62-digit decimal that is exactly representable. */
    assert_num(N("0.000000000000000000" "65052130349130266040447168052196502685546875"),
               3, INT64_C(4611686018427387904));
    /* a long run of zeros inside the significant digits is real precision */
    assert_int_equal(parse_status("1.00000000000000000000000000000000000000000000000000000000000000000000001"),
                     RB_NUM_OVERFLOW);
}

static void parse_overflow(void **state)
{
    (void)state;
    assert_int_equal(parse_status("9223372036854775808"), RB_NUM_OVERFLOW);
    assert_int_equal(parse_status("-9223372036854775808"), RB_NUM_OVERFLOW); /* INT64_MIN */
    assert_int_equal(parse_status("1e19"), RB_NUM_OVERFLOW);
    assert_int_equal(parse_status("1e400"), RB_NUM_OVERFLOW);
    assert_int_equal(parse_status("1e-400"), RB_NUM_OVERFLOW);
    assert_int_equal(parse_status("1e-19"), RB_NUM_OVERFLOW);
    assert_int_equal(parse_status("1e999999999999999999999999999999999"), RB_NUM_OVERFLOW);
    assert_int_equal(parse_status("-1e-999999999999999999999999999999999"), RB_NUM_OVERFLOW);
    assert_int_equal(parse_status("123456789012345678901234567890"), RB_NUM_OVERFLOW);
    assert_int_equal(parse_status("0.3333333333333333333333333333333333"), RB_NUM_OVERFLOW);
}

static void parse_huge_texts_are_quick(void **state)
{
    (void)state;
    /* A megabyte of zeros: linear work, no overflow from the zeros. */
    size_t n = 1000000;
    char *s = malloc(n + 8);
    assert_non_null(s);
    memcpy(s, "1.", 2);
    memset(s + 2, '0', n);
    rb_num r;
    assert_int_equal(rb_num_parse(s, n + 2, &r), RB_NUM_OK);
    assert_num(r, 1, 1);
    memcpy(s, "0.", 2);
    s[n + 1] = '1'; /* 10^-(n) */
    assert_int_equal(rb_num_parse(s, n + 2, &r), RB_NUM_OVERFLOW);
    s[0] = '1';
    s[1] = '0';
    s[n + 1] = '0';
    assert_int_equal(rb_num_parse(s, n + 2, &r), RB_NUM_OVERFLOW);
    free(s);
}

static void parse_syntax_errors(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",     "-",    "+1",  "01",   "-01",  "00",  "1.",   ".5",   "-.5",
        "1e",   "1e+",  "1e-", "1.e3", "0x10", "1,5", " 1",   "1 ",   "1.5.2",
        "--1",  "Inf",  "NaN", "1e1.5", "１",  "1%",  "e3",   "- 1",  "1_000",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (parse_status(bad[i]) != RB_NUM_SYNTAX) fail_msg("accepted \"%s\"", bad[i]);
    }
    rb_num r;
    assert_int_equal(rb_num_parse(NULL, 0, &r), RB_NUM_SYNTAX);
    /* the length bounds the text: "12" of "123", and an embedded NUL */
    assert_int_equal(rb_num_parse("123", 2, &r), RB_NUM_OK);
    assert_num(r, 12, 1);
    assert_int_equal(rb_num_parse("1\0" "2", 3, &r), RB_NUM_SYNTAX);
}

/* ---- arithmetic ------------------------------------------------------------ */

static void arithmetic_basics(void **state)
{
    (void)state;
    assert_num(add(Q(1, 2), Q(1, 3)), 5, 6);
    assert_num(sub(Q(1, 2), Q(1, 3)), 1, 6);
    assert_num(sub(Q(1, 3), Q(1, 2)), -1, 6);
    assert_num(mul(Q(2, 3), Q(3, 4)), 1, 2);
    assert_num(mul(Q(-2, 3), Q(3, 4)), -1, 2);
    assert_num(dvd(Q(1, 2), Q(-1, 4)), -2, 1);
    assert_num(dvd(Q(-1, 2), Q(-1, 4)), 2, 1);
    assert_num(add(Q(1, 6), Q(1, 6)), 1, 3);
    assert_num(sub(Q(1, 6), Q(1, 6)), 0, 1);
    assert_num(mul(Q(0, 1), Q(-5, 7)), 0, 1); /* no negative zero */
    assert_num(rb_num_neg(Q(3, 4)), -3, 4);
    assert_num(rb_num_abs(Q(-3, 4)), 3, 4);
    assert_num(rb_num_abs(Q(3, 4)), 3, 4);
    assert_num(rb_num_int(-7), -7, 1);
    assert_num(rb_num_zero(), 0, 1);
    assert_true(rb_num_is_zero(rb_num_zero()));
    assert_false(rb_num_is_zero(Q(1, 3)));
    assert_true(rb_num_is_integer(Q(4, 1)));
    assert_false(rb_num_is_integer(Q(1, 2)));
    assert_int_equal(rb_num_sign(Q(-1, 3)), -1);
    assert_int_equal(rb_num_sign(Q(0, 1)), 0);
    assert_int_equal(rb_num_sign(Q(1, 3)), 1);
    int64_t v = 0;
    assert_true(rb_num_to_int(Q(-42, 1), &v));
    assert_int_equal(v, -42);
    assert_false(rb_num_to_int(Q(1, 2), &v));
}

static void compare_exactly(void **state)
{
    (void)state;
    assert_int_equal(rb_num_cmp(Q(1, 3), Q(1, 3)), 0);
    assert_int_equal(rb_num_cmp(Q(1, 3), Q(1, 2)), -1);
    assert_int_equal(rb_num_cmp(Q(1, 2), Q(1, 3)), 1);
    assert_int_equal(rb_num_cmp(Q(-1, 2), Q(1, 3)), -1);
    /* differ only in the 37th digit: any double would call these equal */
    assert_int_equal(rb_num_cmp(Q(INT64_MAX, INT64_MAX - 1), Q(INT64_MAX - 1, INT64_MAX - 2)), -1);
    assert_int_equal(rb_num_cmp(Q(-INT64_MAX, 1), Q(INT64_MAX, 1)), -1);
}

static void arithmetic_overflow(void **state)
{
    (void)state;
    rb_num r = {99, 98};
    rb_num big = rb_num_int(INT64_MAX);
    assert_int_equal(rb_num_add(big, rb_num_int(1), &r), RB_NUM_OVERFLOW);
    assert_int_equal(rb_num_sub(rb_num_neg(big), rb_num_int(1), &r), RB_NUM_OVERFLOW);
    assert_int_equal(rb_num_mul(big, rb_num_int(2), &r), RB_NUM_OVERFLOW);
    assert_int_equal(rb_num_div(big, Q(1, 2), &r), RB_NUM_OVERFLOW);
    /* denominators that outgrow 63 bits */
    assert_int_equal(rb_num_mul(Q(1, INT64_MAX), Q(1, 3), &r), RB_NUM_OVERFLOW);
    assert_int_equal(rb_num_add(Q(1, INT64_MAX), Q(1, INT64_MAX - 1), &r), RB_NUM_OVERFLOW);
    /* a result of exactly INT64_MIN is refused: negation must stay safe */
    assert_int_equal(rb_num_sub(rb_num_neg(big), rb_num_int(1), &r), RB_NUM_OVERFLOW);
    /* the output is untouched on error */
    assert_num(r, 99, 98);
    /* but large intermediates that reduce are fine */
    assert_num(add(Q(INT64_MAX, 2), Q(-INT64_MAX, 2)), 0, 1);
    assert_num(mul(big, Q(1, INT64_MAX)), 1, 1);
    assert_num(sub(big, big), 0, 1);
    assert_num(add(Q(INT64_MAX - 1, 2), Q(1, 2)), INT64_MAX, 2);
    assert_num(dvd(Q(INT64_MAX, 3), Q(INT64_MAX, 3)), 1, 1);
}

static void division_by_zero(void **state)
{
    (void)state;
    rb_num r = {5, 6};
    assert_int_equal(rb_num_div(rb_num_int(1), rb_num_zero(), &r), RB_NUM_DIVZERO);
    assert_int_equal(rb_num_div(rb_num_zero(), rb_num_zero(), &r), RB_NUM_DIVZERO);
    assert_int_equal(rb_num_div(Q(1, 3), N("-0.0"), &r), RB_NUM_DIVZERO);
    assert_num(r, 5, 6);
}

/* ---- rounding -------------------------------------------------------------- */

static void rounding(void **state)
{
    (void)state;
    assert_num(rnd(N("2.4"), 0), 2, 1);
    assert_num(rnd(N("2.6"), 0), 3, 1);
    assert_num(rnd(N("-2.4"), 0), -2, 1);
    assert_num(rnd(N("-0.4"), 0), 0, 1);
    assert_num(rnd(N("0.5"), 0), 1, 1);
    assert_num(rnd(N("-0.5"), 0), -1, 1);
    assert_num(rnd(N("1.005"), 2), 101, 100);
    assert_num(rnd(N("1.004999"), 2), 1, 1);
    assert_num(rnd(Q(1, 3), 2), 33, 100);
    assert_num(rnd(Q(2, 3), 2), 67, 100);
    assert_num(rnd(Q(-2, 3), 2), -67, 100);
    assert_num(rnd(Q(1, 3), 18), 333333333333333333LL, 1000000000000000000LL);
    assert_num(rnd(N("87"), 2), 87, 1);
    assert_num(rnd(Q(INT64_MAX, 1), 18), INT64_MAX, 1);
    assert_num(rnd(Q(INT64_MAX, 2), 0), INT64_C(4611686018427387904), 1);
    /* round(x, 18) of a big non-integer needs a 19-digit mantissa at 10^-18 */
    rb_num r = {1, 1};
    assert_int_equal(rb_num_round(Q(INT64_MAX, 3), 18, &r), RB_NUM_OVERFLOW);
    /* digits outside 0..RB_NUM_MAX_DIGITS */
    assert_int_equal(rb_num_round(Q(1, 3), -1, &r), RB_NUM_OVERFLOW);
    assert_int_equal(rb_num_round(Q(1, 3), RB_NUM_MAX_DIGITS + 1, &r), RB_NUM_OVERFLOW);
    assert_num(r, 1, 1);
}

static void floor_ceil(void **state)
{
    (void)state;
    rb_num r;
    assert_int_equal(rb_num_floor(N("2.5"), &r), RB_NUM_OK);
    assert_num(r, 2, 1);
    assert_int_equal(rb_num_floor(N("-2.5"), &r), RB_NUM_OK);
    assert_num(r, -3, 1);
    assert_int_equal(rb_num_floor(N("-3"), &r), RB_NUM_OK);
    assert_num(r, -3, 1);
    assert_int_equal(rb_num_ceil(N("2.5"), &r), RB_NUM_OK);
    assert_num(r, 3, 1);
    assert_int_equal(rb_num_ceil(N("-2.5"), &r), RB_NUM_OK);
    assert_num(r, -2, 1);
    assert_int_equal(rb_num_ceil(N("4"), &r), RB_NUM_OK);
    assert_num(r, 4, 1);
    assert_int_equal(rb_num_ceil(N("-0.5"), &r), RB_NUM_OK);
    assert_num(r, 0, 1);
    assert_int_equal(rb_num_floor(Q(-INT64_MAX, 1), &r), RB_NUM_OK);
    assert_num(r, -INT64_MAX, 1);
    assert_int_equal(rb_num_floor(Q(-INT64_MAX, 2), &r), RB_NUM_OK);
    assert_num(r, -INT64_C(4611686018427387904), 1);
    assert_int_equal(rb_num_ceil(Q(INT64_MAX, 2), &r), RB_NUM_OK);
    assert_num(r, INT64_C(4611686018427387904), 1);
}

/* ---- formatting ------------------------------------------------------------ */

static void formatting(void **state)
{
    (void)state;
    assert_string_equal(fmt(N("87"), 2), "87");
    assert_string_equal(fmt(N("87.5"), 2), "87.5");
    assert_string_equal(fmt(N("87.50"), 2), "87.5");
    assert_string_equal(fmt(N("-0.333"), 2), "-0.33");
    assert_string_equal(fmt(Q(-1, 3), 2), "-0.33");
    assert_string_equal(fmt(Q(2, 3), 2), "0.67");
    assert_string_equal(fmt(N("0"), 2), "0");
    assert_string_equal(fmt(N("-0.001"), 2), "0"); /* never "-0" */
    assert_string_equal(fmt(N("-0.004"), 0), "0");
    assert_string_equal(fmt(N("-0.5"), 0), "-1");
    assert_string_equal(fmt(N("59.5"), 0), "60");
    assert_string_equal(fmt(N("2.675"), 2), "2.68");
    assert_string_equal(fmt(N("0.05"), 2), "0.05");
    assert_string_equal(fmt(N("0.005"), 2), "0.01");
    assert_string_equal(fmt(N("0.004"), 2), "0");
    assert_string_equal(fmt(N("99.995"), 2), "100");
    assert_string_equal(fmt(N("-99.995"), 2), "-100");
    assert_string_equal(fmt(N("1.10"), 2), "1.1");
    assert_string_equal(fmt(N("100"), 0), "100");
    assert_string_equal(fmt(N("1000"), 2), "1000");
    assert_string_equal(fmt(N("12.345"), -3), "12"); /* clamped to 0 */
    assert_string_equal(fmt(Q(1, 3), 40), "0.333333333333333333"); /* clamped to 18 */
    assert_string_equal(fmt(Q(INT64_MAX, 1), 2), "9223372036854775807");
    assert_string_equal(fmt(Q(-INT64_MAX, 1), 18), "-9223372036854775807");
    assert_string_equal(fmt(Q(-INT64_MAX, 3), 18), "-3074457345618258602.333333333333333333");
    assert_string_equal(fmt(Q(1, INT64_MAX), 18), "0");
}

static void formatting_every_precision(void **state)
{
    (void)state;
    static const char *third[RB_NUM_MAX_DIGITS + 1] = {
        "0", "0.3", "0.33", "0.333", "0.3333", "0.33333", "0.333333", "0.3333333",
        "0.33333333", "0.333333333", "0.3333333333", "0.33333333333", "0.333333333333",
        "0.3333333333333", "0.33333333333333", "0.333333333333333", "0.3333333333333333",
        "0.33333333333333333", "0.333333333333333333",
    };
    static const char *two_thirds_neg[RB_NUM_MAX_DIGITS + 1] = {
        "-1", "-0.7", "-0.67", "-0.667", "-0.6667", "-0.66667", "-0.666667", "-0.6666667",
        "-0.66666667", "-0.666666667", "-0.6666666667", "-0.66666666667", "-0.666666666667",
        "-0.6666666666667", "-0.66666666666667", "-0.666666666666667", "-0.6666666666666667",
        "-0.66666666666666667", "-0.666666666666666667",
    };
    for (int d = 0; d <= RB_NUM_MAX_DIGITS; d++) {
        assert_string_equal(fmt(Q(1, 3), d), third[d]);
        assert_string_equal(fmt(Q(-2, 3), d), two_thirds_neg[d]);
        assert_string_equal(fmt(N("87.5"), d), d == 0 ? "88" : "87.5");
        assert_string_equal(fmt(N("-87"), d), "-87");
        /* the printed value is the rounded value */
        char a[48], b[48];
        rb_num_format(Q(-2, 7), d, a, sizeof a);
        rb_num_format_exact(rnd(Q(-2, 7), d), b, sizeof b);
        assert_string_equal(a, b);
    }
}

static void formatting_small_buffers(void **state)
{
    (void)state;
    char buf[4] = "xyz";
    assert_int_equal(rb_num_format(N("12345"), 0, buf, sizeof buf), 3);
    assert_string_equal(buf, "123");
    assert_int_equal(rb_num_format(N("12345"), 0, buf, 0), 0);
    assert_string_equal(buf, "123"); /* untouched */
    assert_int_equal(rb_num_format_exact(Q(1, 3), buf, 1), 0);
    assert_string_equal(buf, "");
}

/* A fraction as a percent, exact or rounded; a share that overflows when
 * multiplied by 100 is written as it is. */
static void formatting_percent(void **state)
{
    (void)state;
    char buf[48];
    assert_int_equal(rb_num_format_percent(N("0.855"), -1, buf, sizeof buf), 5);
    assert_string_equal(buf, "85.5%");
    rb_num_format_percent(Q(1, 3), -1, buf, sizeof buf);
    assert_string_equal(buf, "100/3%");
    rb_num_format_percent(Q(1, 3), 2, buf, sizeof buf);
    assert_string_equal(buf, "33.33%");
    rb_num_format_percent(Q(-1, 8), 4, buf, sizeof buf);
    assert_string_equal(buf, "-12.5%");
    rb_num_format_percent(Q(INT64_MAX, 1), -1, buf, sizeof buf);
    assert_string_equal(buf, "9223372036854775807");
    char small[4];
    assert_int_equal(rb_num_format_percent(N("0.855"), -1, small, sizeof small), 3);
    assert_string_equal(small, "85%"); /* truncated digits, the sign kept */
    assert_int_equal(rb_num_format_percent(N("0.5"), -1, small, 1), 0);
    assert_string_equal(small, "");
}

/* -D values: a trailing '%' divides by 100, and nothing else is a percent. */
static void parse_percent(void **state)
{
    (void)state;
    rb_num x;
    assert_int_equal(rb_num_parse_percent("85%", 3, &x), RB_NUM_OK);
    assert_num(x, 17, 20);
    assert_int_equal(rb_num_parse_percent("12.5", 4, &x), RB_NUM_OK);
    assert_num(x, 25, 2);
    assert_int_equal(rb_num_parse_percent("%", 1, &x), RB_NUM_SYNTAX);
    assert_int_equal(rb_num_parse_percent("85 %", 4, &x), RB_NUM_SYNTAX);
    assert_int_equal(rb_num_parse_percent("8%5", 3, &x), RB_NUM_SYNTAX);
    assert_int_equal(rb_num_parse_percent("", 0, &x), RB_NUM_SYNTAX);
}

static void formatting_exact(void **state)
{
    (void)state;
    assert_string_equal(fmt_exact(N("0.375")), "0.375");
    assert_string_equal(fmt_exact(N("-0.375")), "-0.375");
    assert_string_equal(fmt_exact(N("12")), "12");
    assert_string_equal(fmt_exact(N("0")), "0");
    assert_string_equal(fmt_exact(N("12.50")), "12.5");
    assert_string_equal(fmt_exact(N("1e-18")), "0.000000000000000001");
    assert_string_equal(fmt_exact(Q(1, 3)), "1/3");
    assert_string_equal(fmt_exact(Q(-10, 3)), "-10/3");
    assert_string_equal(fmt_exact(Q(3, INT64_C(4611686018427387904))), "3/4611686018427387904");
    assert_string_equal(fmt_exact(Q(-INT64_MAX, INT64_MAX - 1)),
                        "-9223372036854775807/9223372036854775806");
}

/* The fast paths (short decimals, integer sums and products, 64-bit gcd,
 * two-digit printing) give exactly what the general 128-bit paths give:
 * "Xe0" takes the general parser, and results are checked against naive
 * arithmetic. */
static uint64_t naive_gcd(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static void fast_paths_match_general(void **state)
{
    (void)state;
    uint64_t seed = 88172645463325252ULL;
    char text[64], slow[80];
    for (int i = 0; i < 200000; i++) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        int ndig = 1 + (int)(seed % 18), point = (int)(seed >> 8) % (ndig + 1);
        size_t n = 0;
        if (seed >> 20 & 1) text[n++] = '-';
        uint64_t r = seed >> 24;
        for (int d = 0; d < ndig; d++) {
            if (d == point && d > 0) text[n++] = '.';
            text[n++] = (char)('0' + (d == 0 && ndig > 1 && point != 1 ? 1 + r % 9 : r % 10));
            r = r / 10 ? r / 10 : seed >> 3;
        }
        text[n] = '\0';
        rb_num a, b;
        rb_num_status sa = rb_num_parse(text, n, &a);
        snprintf(slow, sizeof slow, "%se0", text);
        rb_num_status sb = rb_num_parse(slow, strlen(slow), &b);
        assert_int_equal(sa, sb);
        if (sa != RB_NUM_OK) continue;
        assert_true(a.num == b.num && a.den == b.den);
        assert_int_equal(naive_gcd(a.num < 0 ? (uint64_t)-a.num : (uint64_t)a.num, (uint64_t)a.den) <= 1 || a.num == 0, 1);
        /* integer arithmetic: the fast path against the rational definition */
        rb_num x = rb_num_int((int64_t)(seed % 2000001) - 1000000), y = rb_num_int((int64_t)(r % 30001) - 15000);
        rb_num s1, p1;
        assert_int_equal(rb_num_add(x, y, &s1), RB_NUM_OK);
        assert_true(s1.num == x.num + y.num && s1.den == 1);
        assert_int_equal(rb_num_mul(x, y, &p1), RB_NUM_OK);
        assert_true(p1.num == x.num * y.num && p1.den == 1);
        /* a quotient is reduced, and equal to what it should be */
        rb_num q;
        if (y.num != 0) {
            assert_int_equal(rb_num_div(x, y, &q), RB_NUM_OK);
            assert_true((__int128)q.num * y.num == (__int128)x.num * q.den);
            assert_true(naive_gcd(q.num < 0 ? (uint64_t)-q.num : (uint64_t)q.num, (uint64_t)q.den) == 1 || q.num == 0);
        }
        /* printing: every digit, through the pair table */
        char out[48], want[48];
        rb_num_format(x, 0, out, sizeof out);
        snprintf(want, sizeof want, "%lld", (long long)x.num);
        assert_string_equal(out, want);
    }
    rb_num big = rb_num_int(INT64_MAX), one = rb_num_int(1), r2;
    assert_int_equal(rb_num_add(big, one, &r2), RB_NUM_OVERFLOW);
    assert_int_equal(rb_num_mul(big, rb_num_int(2), &r2), RB_NUM_OVERFLOW);
    assert_int_equal(rb_num_add(rb_num_int(-INT64_MAX), rb_num_int(-1), &r2), RB_NUM_OVERFLOW);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fast_paths_match_general),
        cmocka_unit_test(spec_point1_plus_point2),
        cmocka_unit_test(spec_100_div_3_times_3),
        cmocka_unit_test(spec_thirds_sum_to_one),
        cmocka_unit_test(spec_weighted_sum_is_90),
        cmocka_unit_test(spec_round_half_away_from_zero),
        cmocka_unit_test(parse_plain),
        cmocka_unit_test(parse_exponents),
        cmocka_unit_test(parse_trailing_zeros_never_overflow),
        cmocka_unit_test(parse_overflow),
        cmocka_unit_test(parse_huge_texts_are_quick),
        cmocka_unit_test(parse_syntax_errors),
        cmocka_unit_test(arithmetic_basics),
        cmocka_unit_test(compare_exactly),
        cmocka_unit_test(arithmetic_overflow),
        cmocka_unit_test(division_by_zero),
        cmocka_unit_test(rounding),
        cmocka_unit_test(floor_ceil),
        cmocka_unit_test(formatting),
        cmocka_unit_test(formatting_every_precision),
        cmocka_unit_test(formatting_small_buffers),
        cmocka_unit_test(formatting_exact),
        cmocka_unit_test(formatting_percent),
        cmocka_unit_test(parse_percent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
