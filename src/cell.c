/* cell.c — the cell rules of SPEC §16 (see cell.h). */
#include "cell.h"

#include "date.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char IDEOGRAPHIC_SPACE[] = "\xE3\x80\x80"; /* U+3000 */

void rb_cell_name(uint32_t col, uint64_t row, char out[32])
{
    char letters[8];
    int n = 0;
    for (uint32_t c = col + 1; c > 0 && n < 7; c = (c - 1) / 26) letters[n++] = (char)('A' + (c - 1) % 26);
    int o = 0;
    while (n > 0) out[o++] = letters[--n];
    snprintf(out + o, (size_t)(32 - o), "%llu", (unsigned long long)row);
}

void rb_cell_trim(const char **s, size_t *n)
{
    for (;;) {
        if (*n && (**s == ' ' || **s == '\t')) {
            (*s)++, (*n)--;
        } else if (*n >= 3 && memcmp(*s, IDEOGRAPHIC_SPACE, 3) == 0) {
            *s += 3, *n -= 3;
        } else {
            break;
        }
    }
    for (;;) {
        if (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t')) {
            (*n)--;
        } else if (*n >= 3 && memcmp(*s + *n - 3, IDEOGRAPHIC_SPACE, 3) == 0) {
            *n -= 3;
        } else {
            break;
        }
    }
}

bool rb_cell_blank(const char *s, size_t n)
{
    rb_cell_trim(&s, &n);
    return n == 0;
}

static bool is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && memcmp(s, word, n) == 0;
}

static bool is_nocase(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

bool rb_cell_na(const char *s, size_t n)
{
    rb_cell_trim(&s, &n);
    return is(s, n, "不适用") || is(s, n, "\xE2\x80\x94" /* — */) || is_nocase(s, n, "n/a");
}

bool rb_cell_bool(const char *s, size_t n, bool *value)
{
    rb_cell_trim(&s, &n);
    /* one list per meaning: what a person ticks or types for yes and no */
    static const char *const yes[] = {"1", "是", "\xE2\x88\x9A" /* √ */, "\xE2\x9C\x93" /* ✓ */,
                                      "\xE2\x9C\x94" /* ✔ */, NULL};
    static const char *const no[] = {"0", "否", "\xC3\x97" /* × */, "\xE2\x9C\x97" /* ✗ */,
                                     "\xE2\x9C\x98" /* ✘ */, NULL};
    static const char *const yes_words[] = {"true", "yes", NULL}, *const no_words[] = {"false", "no", NULL};
    for (int i = 0; yes[i]; i++)
        if (is(s, n, yes[i])) return *value = true;
    for (int i = 0; yes_words[i]; i++)
        if (is_nocase(s, n, yes_words[i])) return *value = true;
    for (int i = 0; no[i]; i++)
        if (is(s, n, no[i])) return !(*value = false);
    for (int i = 0; no_words[i]; i++)
        if (is_nocase(s, n, no_words[i])) return !(*value = false);
    return false;
}

/* Reads 1..max ASCII digits at s[*i]; returns the value or -1. */
static int digits(const char *s, size_t n, size_t *i, int max)
{
    int v = 0, k = 0;
    while (*i < n && k < max && s[*i] >= '0' && s[*i] <= '9') v = v * 10 + (s[(*i)++] - '0'), k++;
    if (k == 0 || (*i < n && s[*i] >= '0' && s[*i] <= '9')) return -1;
    return v;
}

/* Matches the separator `sep` at s[*i]. */
static bool sep(const char *s, size_t n, size_t *i, const char *sepr)
{
    size_t k = strlen(sepr);
    if (n - *i < k || memcmp(s + *i, sepr, k) != 0) return false;
    *i += k;
    return true;
}

bool rb_cell_date(const char *s, size_t n, char out[11])
{
    rb_cell_trim(&s, &n);
    /* year, month, day separated by one of these, the same one twice;
     * 年/月/日 is its own shape */
    static const char *const seps[] = {"-", "/", ".", NULL};
    for (int k = -1; k < 3 && (k < 0 || seps[k]); k++) {
        size_t i = 0;
        int y = digits(s, n, &i, 4);
        if (y < 0 || i != 4) return false;
        const char *a = k < 0 ? "年" : seps[k], *b = k < 0 ? "月" : seps[k];
        if (!sep(s, n, &i, a)) continue;
        int m = digits(s, n, &i, 2);
        if (m < 0 || !sep(s, n, &i, b)) continue;
        int d = digits(s, n, &i, 2);
        if (d < 0) continue;
        if (k < 0 && !sep(s, n, &i, "日")) continue;
        if (i != n || m > 12 || d > 31) return false;
        const int part[3] = {y, m, d}, width[3] = {4, 2, 2};
        for (int f = 0, o = 0; f < 3; f++) {
            for (int w = width[f] - 1, v = part[f]; w >= 0; w--, v /= 10) out[o + w] = (char)('0' + v % 10);
            o += width[f];
            if (f < 2) out[o++] = '-';
        }
        out[10] = '\0';
        return rb_valid_date(out, 10);
    }
    return false;
}

/* Full-width forms an input method types, and the ASCII they mean. */
static char ascii_of(const unsigned char *s, size_t n, size_t *len)
{
    /* U+FF01..U+FF5E are EF BC 81..EF BD 9E; we need digits and a few signs */
    if (n >= 3 && s[0] == 0xEF && s[1] == 0xBC) {
        unsigned c = s[2];
        *len = 3;
        if (c >= 0x90 && c <= 0x99) return (char)('0' + (c - 0x90));
        if (c == 0x8E) return '.';
        if (c == 0x8C) return ',';
        if (c == 0x8D) return '-';
        if (c == 0x8B) return '+';
        if (c == 0x85) return '%';
    }
    if (n >= 3 && s[0] == 0xE2 && s[1] == 0x88 && s[2] == 0x92) { /* U+2212 minus sign */
        *len = 3;
        return '-';
    }
    *len = 1;
    return (char)s[0];
}

/* Is t[0..n) digits with well-formed thousands groups (1,234,567[.5][%])? */
static bool grouped(const char *t, size_t n)
{
    size_t i = 0;
    if (i < n && (t[i] == '-' || t[i] == '+')) i++;
    size_t lead = 0;
    while (i < n && t[i] >= '0' && t[i] <= '9') i++, lead++;
    if (lead < 1 || lead > 3 || i >= n || t[i] != ',') return false;
    while (i < n && t[i] == ',') {
        i++;
        for (int k = 0; k < 3; k++, i++)
            if (i >= n || t[i] < '0' || t[i] > '9') return false;
    }
    if (i < n && t[i] == '.') {
        i++;
        while (i < n && t[i] >= '0' && t[i] <= '9') i++;
    }
    if (i < n && t[i] == '%') i++;
    return i == n;
}

size_t rb_cell_number(const char *s, size_t n, char *out, size_t cap)
{
    rb_cell_trim(&s, &n);
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t len;
        char c = ascii_of((const unsigned char *)s + i, n - i, &len);
        if (o + 1 >= cap) return (size_t)-1;
        out[o++] = c;
        i += len;
    }
    out[o] = '\0';
    if (memchr(out, ',', o) && grouped(out, o)) {
        size_t w = 0;
        for (size_t i = 0; i < o; i++)
            if (out[i] != ',') out[w++] = out[i];
        out[o = w] = '\0';
    }
    if (o > 1 && out[0] == '+' && out[1] != '-' && out[1] != '+') { /* +5 is 5, as Excel shows it */
        memmove(out, out + 1, o);
        o--;
    }
    return o;
}
