/* num.c — exact rational arithmetic for Rubric (see num.h).
 *
 * Every operation computes its exact result in 128-bit integers, reduces it,
 * and only then asks whether the reduced parts fit in int64 (excluding
 * INT64_MIN).  Two 63-bit magnitudes multiply to less than 2^126 and two such
 * products add to less than 2^127, so no intermediate here can wrap: an
 * unrepresentable result is always reported as RB_NUM_OVERFLOW, never
 * returned as a wrong number. */
#include "num.h"

#include <assert.h>
#include <string.h>

#include "arena.h"

typedef __int128 i128;
typedef unsigned __int128 u128;

#define I64_MAX_U ((u128)INT64_MAX)

/* Binary gcd (Stein): shifts and subtractions, no division. */
static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
    if (a == 0) return b;
    if (b == 0) return a;
    int shift = __builtin_ctzll(a | b);
    a >>= __builtin_ctzll(a);
    do {
        b >>= __builtin_ctzll(b);
        if (a > b) {
            uint64_t t = a;
            a = b;
            b = t;
        }
        b -= a;
    } while (b != 0);
    return a << shift;
}

static u128 gcd_u128(u128 a, u128 b)
{
    /* 128-bit division is a library call; most operands fit in 64 bits. */
    while (b != 0) {
        if ((a >> 64) == 0 && (b >> 64) == 0) return gcd_u64((uint64_t)a, (uint64_t)b);
        u128 t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static u128 abs_i128(i128 v) { return v < 0 ? (u128)0 - (u128)v : (u128)v; }

/* Builds the reduced rational n/d (d != 0) from 128-bit parts. */
static rb_num_status make(i128 n, i128 d, rb_num *out)
{
    if (d == 0) return RB_NUM_DIVZERO;
    bool neg = (n < 0) != (d < 0);
    u128 un = abs_i128(n), ud = abs_i128(d);
    if (un == 0) {
        *out = rb_num_zero();
        return RB_NUM_OK;
    }
    if (ud != 1) { /* an integer result needs no gcd */
        if ((un >> 64) == 0 && (ud >> 64) == 0) { /* 64-bit division, not a library call */
            uint64_t g = gcd_u64((uint64_t)un, (uint64_t)ud);
            if (g != 1) { /* two divisions saved when already reduced */
                un = (uint64_t)un / g;
                ud = (uint64_t)ud / g;
            }
        } else {
            u128 g = gcd_u128(un, ud);
            un /= g;
            ud /= g;
        }
    }
    if (un > I64_MAX_U || ud > I64_MAX_U) return RB_NUM_OVERFLOW;
    out->num = neg ? -(int64_t)un : (int64_t)un;
    out->den = (int64_t)ud;
    return RB_NUM_OK;
}

rb_num_status rb_num_add_any(rb_num a, rb_num b, rb_num *out)
{
    if (a.den == b.den) return make((i128)a.num + b.num, a.den, out);
    return make((i128)a.num * b.den + (i128)b.num * a.den, (i128)a.den * b.den, out);
}

rb_num_status rb_num_mul_any(rb_num a, rb_num b, rb_num *out)
{
    return make((i128)a.num * b.num, (i128)a.den * b.den, out);
}

rb_num_status rb_num_div(rb_num a, rb_num b, rb_num *out)
{
    if (b.num == 0) return RB_NUM_DIVZERO;
    return make((i128)a.num * b.den, (i128)a.den * b.num, out);
}

static const int64_t pow10_tab[RB_NUM_MAX_DIGITS + 1] = {
    1LL,
    10LL,
    100LL,
    1000LL,
    10000LL,
    100000LL,
    1000000LL,
    10000000LL,
    100000000LL,
    1000000000LL,
    10000000000LL,
    100000000000LL,
    1000000000000LL,
    10000000000000LL,
    100000000000000LL,
    1000000000000000LL,
    10000000000000000LL,
    100000000000000000LL,
    1000000000000000000LL,
};

/* |a| × 10^digits rounded half away from zero to an integer, as a
 * magnitude; |num| < 2^63 and 10^18 < 2^60, so the product fits in 2^123. */
static u128 scaled_magnitude(rb_num a, int digits)
{
    u128 n = abs_i128(a.num) * (u128)pow10_tab[digits];
    if (a.den == 1) return n;
    u128 d = (u128)a.den, q, r;
    if ((n >> 64) == 0) { /* 64-bit division, not a library call */
        q = (uint64_t)n / (uint64_t)d;
        r = (uint64_t)n % (uint64_t)d;
    } else {
        q = n / d;
        r = n % d;
    }
    if (r != 0 && r >= d - r) q++; /* r ≥ d/2, exactly: half goes away from zero */
    return q;
}

rb_num_status rb_num_round(rb_num a, int digits, rb_num *out)
{
    if (digits < 0 || digits > RB_NUM_MAX_DIGITS) return RB_NUM_OVERFLOW;
    if (a.den == 1) {
        *out = a;
        return RB_NUM_OK;
    }
    u128 q = scaled_magnitude(a, digits);
    i128 n = a.num < 0 ? -(i128)q : (i128)q;
    return make(n, pow10_tab[digits], out);
}

/* C division truncates toward zero; floor and ceil adjust by one.  The result's
 * magnitude never exceeds |num|, so it always fits. */
rb_num_status rb_num_floor(rb_num a, rb_num *out)
{
    int64_t q = a.num / a.den;
    if (a.num % a.den != 0 && a.num < 0) q--;
    *out = rb_num_int(q);
    return RB_NUM_OK;
}

rb_num_status rb_num_ceil(rb_num a, rb_num *out)
{
    int64_t q = a.num / a.den;
    if (a.num % a.den != 0 && a.num > 0) q++;
    *out = rb_num_int(q);
    return RB_NUM_OK;
}

bool rb_num_to_int(rb_num a, int64_t *out)
{
    if (a.den != 1) return false;
    *out = a.num;
    return true;
}

/* Writes the decimal digits of v into the end of tmp; returns the start. */
static char *u128_digits(u128 v, char *end)
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                "8081828384858687888990919293949596979899";
    char *p = end;
    if ((v >> 64) == 0) { /* two digits per step; /100 by a constant is a multiply */
        uint64_t u = (uint64_t)v;
        while (u >= 100) {
            unsigned k = (unsigned)(u % 100) * 2;
            u /= 100;
            *--p = pairs[k + 1];
            *--p = pairs[k];
        }
        if (u >= 10) {
            *--p = pairs[u * 2 + 1];
            *--p = pairs[u * 2];
        } else {
            *--p = (char)('0' + u);
        }
        return p;
    }
    do {
        *--p = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v != 0);
    return p;
}

/* Copies s (n bytes) into buf the way snprintf would, NUL-ending it; returns
 * the number of bytes actually stored (excluding the NUL). */
static size_t emit(const char *s, size_t n, char *buf, size_t cap)
{
    if (cap == 0) return 0;
    if (n > cap - 1) n = cap - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return n;
}

/* Formats the magnitude q / 10^digits with an optional sign, dropping
 * trailing fractional zeros and a trailing point. */
static size_t format_scaled(bool neg, u128 q, int digits, char *buf, size_t cap)
{
    char tmp[96];
    char *end = tmp + sizeof tmp;
    char *p = u128_digits(q, end);
    size_t nd = (size_t)(end - p);
    char out[112];
    size_t o = 0;
    if (neg && q != 0) out[o++] = '-'; /* never "-0" */
    if (digits == 0) {
        memcpy(out + o, p, nd);
        o += nd;
        return emit(out, o, buf, cap);
    }
    size_t dg = (size_t)digits;
    if (nd <= dg) { /* pure fraction: 0.00ddd */
        out[o++] = '0';
        out[o++] = '.';
        for (size_t i = nd; i < dg; i++) out[o++] = '0';
        memcpy(out + o, p, nd);
        o += nd;
    } else {
        memcpy(out + o, p, nd - dg);
        o += nd - dg;
        out[o++] = '.';
        memcpy(out + o, p + nd - dg, dg);
        o += dg;
    }
    while (out[o - 1] == '0') o--;
    if (out[o - 1] == '.') o--;
    return emit(out, o, buf, cap);
}

size_t rb_num_format(rb_num a, int digits, char *buf, size_t cap)
{
    if (digits < 0) digits = 0;
    if (digits > RB_NUM_MAX_DIGITS) digits = RB_NUM_MAX_DIGITS;
    return format_scaled(a.num < 0, scaled_magnitude(a, digits), digits, buf, cap);
}

size_t rb_num_format_exact(rb_num a, char *buf, size_t cap)
{
    /* A reduced fraction is a finite decimal iff its denominator has no prime
     * factor but 2 and 5; it then needs max(e2, e5) digits after the point. */
    int64_t d = a.den;
    int e2 = 0, e5 = 0;
    while (d % 2 == 0) {
        d /= 2;
        e2++;
    }
    while (d % 5 == 0) {
        d /= 5;
        e5++;
    }
    int k = e2 > e5 ? e2 : e5;
    if (d == 1 && k <= RB_NUM_MAX_DIGITS) {
        /* Exact: num × 10^k / den is an integer and fits in 2^123. */
        u128 q = abs_i128(a.num) * (u128)pow10_tab[k] / (u128)a.den;
        return format_scaled(a.num < 0, q, k, buf, cap);
    }
    char tmp[64];
    char *end = tmp + sizeof tmp;
    char *p = u128_digits((u128)a.den, end);
    *--p = '/';
    p = u128_digits(abs_i128(a.num), p);
    if (a.num < 0) *--p = '-';
    return emit(p, (size_t)(end - p), buf, cap);
}

/* ---- Parsing ---------------------------------------------------------------
 *
 * A decimal D × 10^E (D the significant digits, trailing zeros moved into E)
 * is representable only if, after cancelling the factors of 2 and 5 that D
 * shares with 10^-E, both parts fit in 63 bits.  That can hold for a D of up
 * to 63 digits (3 × 5^62 / 10^62 = 3 / 2^62), so D is kept in a small
 * fixed-size big integer rather than rejected as soon as it passes 19 digits.
 * Anything longer, or any exponent beyond ±(19 + 63 + 27), cannot be
 * representable, so the work done is bounded by the length of the text. */

#define BIG_LIMBS 8 /* 256 bits > 10^64 */
#define MAX_SIG_DIGITS 64

typedef struct {
    uint32_t limb[BIG_LIMBS]; /* little-endian base 2^32 */
} big;

static void big_muladd(big *b, uint32_t mul, uint32_t add)
{
    uint64_t carry = add;
    for (int i = 0; i < BIG_LIMBS; i++) {
        uint64_t v = (uint64_t)b->limb[i] * mul + carry;
        b->limb[i] = (uint32_t)v;
        carry = v >> 32;
    }
    /* MAX_SIG_DIGITS decimal digits never reach 2^256: no carry is lost. */
}

/* Divides by d and returns the remainder. */
static uint32_t big_divmod(big *b, uint32_t d)
{
    uint64_t rem = 0;
    for (int i = BIG_LIMBS - 1; i >= 0; i--) {
        uint64_t cur = (rem << 32) | b->limb[i];
        b->limb[i] = (uint32_t)(cur / d);
        rem = cur % d;
    }
    return (uint32_t)rem;
}

static uint32_t big_mod(const big *b, uint32_t d)
{
    big t = *b;
    return big_divmod(&t, d);
}

static bool big_to_i64(const big *b, int64_t *out)
{
    for (int i = 2; i < BIG_LIMBS; i++)
        if (b->limb[i] != 0) return false;
    uint64_t v = ((uint64_t)b->limb[1] << 32) | b->limb[0];
    if (v > (uint64_t)INT64_MAX) return false;
    *out = (int64_t)v;
    return true;
}

/* Checks the JSON number grammar over the whole text. */
static bool number_syntax_ok(const char *s, size_t len)
{
    size_t i = 0;
    if (i < len && s[i] == '-') i++;
    if (i >= len) return false;
    if (s[i] == '0') {
        i++;
    } else if (s[i] >= '1' && s[i] <= '9') {
        while (i < len && s[i] >= '0' && s[i] <= '9') i++;
    } else {
        return false;
    }
    if (i < len && s[i] == '.') {
        i++;
        size_t start = i;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++;
        if (i == start) return false;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) i++;
        size_t start = i;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++;
        if (i == start) return false;
    }
    return i == len;
}

/* Saturation point for a written exponent: far beyond any representable
 * value, far below where adding it to a digit count could wrap int64. */
#define EXP_CAP ((int64_t)1000000000000000000)

/* The common case, a plain decimal of at most 18 digits and no exponent
 * ("40.04", "-7"): 64-bit arithmetic only, with the same reduced result as
 * the general path.  The text's syntax has been checked.  Returns false to
 * leave anything else to the general path. */
static bool parse_short(const char *s, size_t len, rb_num *out)
{
    size_t i = s[0] == '-';
    uint64_t v = 0;
    int digits = 0, k = 0;
    bool frac = false;
    for (; i < len; i++) {
        char c = s[i];
        if (c == '.') {
            frac = true;
            continue;
        }
        if (c < '0' || c > '9' || ++digits > 18) return false;
        v = v * 10 + (uint64_t)(c - '0');
        k += frac;
    }
    if (v == 0) {
        *out = rb_num_zero();
        return true;
    }
    /* v / 10^k = v / (2^k 5^k): cancel the common factors of 2 and 5 */
    int k2 = __builtin_ctzll(v) < k ? __builtin_ctzll(v) : k, k5 = k;
    v >>= k2;
    k2 = k - k2;
    while (k5 > 0 && v % 5 == 0) {
        v /= 5;
        k5--;
    }
    int64_t den = (int64_t)1 << k2; /* 2^k2 × 5^k5 ≤ 10^17 */
    for (int j = 0; j < k5; j++) den *= 5;
    out->num = s[0] == '-' ? -(int64_t)v : (int64_t)v;
    out->den = den;
    return true;
}

rb_num_status rb_num_parse_json(const char *text, size_t len, rb_num *out)
{
    if (len > 0 && parse_short(text, len, out)) return RB_NUM_OK;
    return rb_num_parse(text, len, out);
}

rb_num_status rb_num_parse(const char *text, size_t len, rb_num *out)
{
    if (text == NULL || !number_syntax_ok(text, len)) return RB_NUM_SYNTAX;
    if (parse_short(text, len, out)) return RB_NUM_OK;

    size_t i = 0;
    bool neg = false;
    if (text[i] == '-') {
        neg = true;
        i++;
    }

    big d;
    memset(&d, 0, sizeof d);
    int sig = 0;          /* significant digits folded into d */
    int64_t pending = 0;  /* zeros seen after the last nonzero digit */
    int64_t exp10 = 0;    /* value = d × 10^exp10 (before pending zeros) */
    bool too_long = false;

    /* Leading zeros are insignificant; later zeros are held back until a
     * nonzero digit follows, so trailing zeros ("1.50000…") never count
     * against the digit budget: they become exponent instead. */
    for (bool frac = false; i < len && text[i] != 'e' && text[i] != 'E'; i++) {
        char c = text[i];
        if (c == '.') {
            frac = true;
            continue;
        }
        /* Digit counts are bounded by len, so these never saturate. */
        if (frac) exp10--;
        if (c == '0') {
            if (sig > 0) pending++;
            continue;
        }
        if (too_long) continue;
        if (sig + pending + 1 > MAX_SIG_DIGITS) {
            too_long = true;
            continue;
        }
        for (; pending > 0; pending--, sig++) big_muladd(&d, 10, 0);
        big_muladd(&d, 10, (uint32_t)(c - '0'));
        sig++;
    }
    if (sig == 0) { /* all zeros: 0, -0, 0.000e99999 */
        *out = rb_num_zero();
        return RB_NUM_OK;
    }
    if (too_long) return RB_NUM_OVERFLOW;
    exp10 += pending;

    if (i < len) { /* exponent part */
        i++;
        bool eneg = false;
        if (text[i] == '+' || text[i] == '-') eneg = text[i++] == '-';
        int64_t e = 0;
        for (; i < len; i++)
            if (e < EXP_CAP / 10) e = e * 10 + (text[i] - '0');
        exp10 += eneg ? -e : e;
    }

    /* d ≥ 1 here: 10^19 already exceeds int64; 10^-110 needs a denominator
     * no cancellation (at most 5^63 or 2^63 from d) can bring under 2^63. */
    if (exp10 > 18 || exp10 < -110) return RB_NUM_OVERFLOW;

    int64_t num;
    if (exp10 >= 0) {
        if (!big_to_i64(&d, &num)) return RB_NUM_OVERFLOW;
        for (int64_t k = 0; k < exp10; k++) {
            if (num > INT64_MAX / 10) return RB_NUM_OVERFLOW;
            num *= 10;
        }
        out->num = neg ? -num : num;
        out->den = 1;
        return RB_NUM_OK;
    }

    /* d / 10^k = d / (2^k 5^k): cancel common factors of 2 and 5. */
    int k = (int)-exp10, k2 = k, k5 = k;
    while (k2 > 0 && big_mod(&d, 2) == 0) {
        big_divmod(&d, 2);
        k2--;
    }
    while (k5 > 0 && big_mod(&d, 5) == 0) {
        big_divmod(&d, 5);
        k5--;
    }
    if (!big_to_i64(&d, &num)) return RB_NUM_OVERFLOW;
    u128 den = 1;
    for (int j = 0; j < k2; j++) {
        den *= 2;
        if (den > I64_MAX_U) return RB_NUM_OVERFLOW;
    }
    for (int j = 0; j < k5; j++) {
        den *= 5;
        if (den > I64_MAX_U) return RB_NUM_OVERFLOW;
    }
    out->num = neg ? -num : num;
    out->den = (int64_t)den;
    return RB_NUM_OK;
}

rb_num_status rb_num_parse_percent(const char *text, size_t len, rb_num *out)
{
    bool percent = len > 0 && text[len - 1] == '%';
    rb_num_status st = rb_num_parse(text, len - percent, out);
    if (st == RB_NUM_OK && percent) st = rb_num_div(*out, rb_num_int(100), out);
    return st;
}

size_t rb_num_format_percent(rb_num a, int digits, char *buf, size_t cap)
{
    if (cap < 2) return rb_num_format_exact(a, buf, cap); /* room for nothing but the NUL */
    rb_num hundredfold;
    bool percent = rb_num_mul(a, rb_num_int(100), &hundredfold) == RB_NUM_OK;
    if (!percent) hundredfold = a;
    size_t n = digits < 0 ? rb_num_format_exact(hundredfold, buf, cap - 1)
                          : rb_num_format(hundredfold, digits, buf, cap - 1);
    if (percent) {
        buf[n++] = '%';
        buf[n] = '\0';
    }
    return n;
}

char *rb_num_text(rb_arena *arena, rb_num a)
{
    char buf[64];
    return rb_arena_strndup(arena, buf, rb_num_format_exact(a, buf, sizeof buf));
}

char *rb_num_percent_text(rb_arena *arena, rb_num a)
{
    char buf[64];
    return rb_arena_strndup(arena, buf, rb_num_format_percent(a, -1, buf, sizeof buf));
}
