/* test_utf8.c — unit tests for utf8.c, the one UTF-8 decoder that the
 * scanner, the diagnostics printer, the formatter and the result writers
 * share: what is a character (RFC 3629: no overlong forms, no surrogates,
 * nothing past U+10FFFF, nothing cut short), how one is written, how bad
 * bytes are grouped, and how wide a character is on a terminal. */
#include "testutil.h"

#include "utf8.h"

/* Decodes the whole of bytes (given as a C string) and expects one
 * character of `want_len` bytes with code point `want_cp`; a want_len of 0
 * expects a refusal, reported as U+FFFD. */
static void expect_decode(const char *bytes, size_t want_len, uint32_t want_cp)
{
    uint32_t cp = 12345;
    size_t len = rb_utf8_decode((const unsigned char *)bytes, strlen(bytes), &cp);
    if (len != want_len || cp != want_cp)
        fail_msg("decoding %zu bytes starting 0x%02X: length %zu, U+%04X (expected %zu, U+%04X)", strlen(bytes),
                 (unsigned char)bytes[0], len, (unsigned)cp, want_len, (unsigned)want_cp);
}

static void decode_valid(void **state)
{
    (void)state;
    expect_decode("A", 1, 'A');
    expect_decode("\x7F", 1, 0x7F);
    expect_decode("\xC2\x80", 2, 0x80);           /* the smallest two-byte character */
    expect_decode("\xDF\xBF", 2, 0x7FF);
    expect_decode("\xE0\xA0\x80", 3, 0x800);
    expect_decode("\xE5\x88\x86", 3, 0x5206);     /* 分 */
    expect_decode("\xED\x9F\xBF", 3, 0xD7FF);     /* just below the surrogates */
    expect_decode("\xEE\x80\x80", 3, 0xE000);     /* just above them */
    expect_decode("\xEF\xBC\x85", 3, 0xFF05);     /* ％ */
    expect_decode("\xF0\x90\x80\x80", 4, 0x10000);
    expect_decode("\xF4\x8F\xBF\xBF", 4, 0x10FFFF);
    /* only the first character is decoded */
    expect_decode("\xE5\x88\x86x", 3, 0x5206);
}

static void decode_invalid(void **state)
{
    (void)state;
    expect_decode("\x80", 0, 0xFFFD);                 /* a continuation byte alone */
    expect_decode("\xBF\x80", 0, 0xFFFD);
    expect_decode("\xC0\x80", 0, 0xFFFD);             /* overlong NUL */
    expect_decode("\xC1\xBF", 0, 0xFFFD);             /* overlong 0x7F */
    expect_decode("\xE0\x9F\xBF", 0, 0xFFFD);         /* overlong 0x7FF */
    expect_decode("\xF0\x8F\xBF\xBF", 0, 0xFFFD);     /* overlong 0xFFFF */
    expect_decode("\xED\xA0\x80", 0, 0xFFFD);         /* U+D800, a surrogate */
    expect_decode("\xED\xBF\xBF", 0, 0xFFFD);         /* U+DFFF */
    expect_decode("\xF4\x90\x80\x80", 0, 0xFFFD);     /* U+110000 */
    expect_decode("\xF5\x80\x80\x80", 0, 0xFFFD);
    expect_decode("\xFF", 0, 0xFFFD);
    expect_decode("\xE5\x88", 0, 0xFFFD);             /* cut short by the end */
    expect_decode("\xE5\x88x", 0, 0xFFFD);            /* cut short by an ASCII byte */
    expect_decode("\xF0\x90\x80", 0, 0xFFFD);
    /* GBK's 分 (B7 D6): not UTF-8 */
    expect_decode("\xB7\xD6", 0, 0xFFFD);
}

/* Every boundary of the encoding, each way round. */
static void encode(void **state)
{
    (void)state;
    static const struct {
        uint32_t cp;
        const char *bytes;
    } cases[] = {
        {0x01, "\x01"}, {0x7F, "\x7F"}, {0x80, "\xC2\x80"}, {0x7FF, "\xDF\xBF"},
        {0x800, "\xE0\xA0\x80"}, {0x5206, "\xE5\x88\x86"}, {0xD7FF, "\xED\x9F\xBF"},
        {0xE000, "\xEE\x80\x80"}, {0xFFFF, "\xEF\xBF\xBF"}, {0x10000, "\xF0\x90\x80\x80"},
        {0x10FFFF, "\xF4\x8F\xBF\xBF"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[4];
        size_t n = rb_utf8_encode(cases[i].cp, out);
        if (n != strlen(cases[i].bytes) || memcmp(out, cases[i].bytes, n) != 0)
            fail_msg("U+%04X encodes wrongly (%zu bytes)", (unsigned)cases[i].cp, n);
        expect_decode(cases[i].bytes, n, cases[i].cp);
    }
}

static void valid_prefix(void **state)
{
    (void)state;
    assert_int_equal(rb_utf8_valid_prefix("", 0), 0);
    assert_int_equal(rb_utf8_valid_prefix("abc", 3), 3);
    assert_int_equal(rb_utf8_valid_prefix("a\xE5\x88\x86" "b", 5), 5);
    assert_int_equal(rb_utf8_valid_prefix("ab\xB7\xD6" "c", 5), 2);
    assert_int_equal(rb_utf8_valid_prefix("\xE5\x88\x86\xE5\x88", 5), 3); /* the second 分 is cut */
}

static void invalid_run(void **state)
{
    (void)state;
    /* a valid start or ASCII: no run */
    assert_int_equal(rb_utf8_invalid_run("a\x80", 2), 0);
    assert_int_equal(rb_utf8_invalid_run("\xE5\x88\x86", 3), 0);
    assert_int_equal(rb_utf8_invalid_run("", 0), 0);
    /* GBK text: every byte is >= 0x80 and none starts a character */
    assert_int_equal(rb_utf8_invalid_run("\xB7\xD6\xCA\xFD", 4), 4);
    /* the run stops at ASCII and at a valid character */
    assert_int_equal(rb_utf8_invalid_run("\xB7\xD6 x", 4), 2);
    assert_int_equal(rb_utf8_invalid_run("\xFF\xE5\x88\x86", 4), 1);
    /* a character cut short by the end is bad byte by byte */
    assert_int_equal(rb_utf8_invalid_run("\xE5\x88", 2), 2);
}

static void cut(void **state)
{
    (void)state;
    const char *s = "a\xE5\x88\x86" "b"; /* a分b */
    assert_int_equal(rb_utf8_cut(s, 5, 10), 5);
    assert_int_equal(rb_utf8_cut(s, 5, 4), 4);
    assert_int_equal(rb_utf8_cut(s, 5, 3), 1); /* never inside 分 */
    assert_int_equal(rb_utf8_cut(s, 5, 2), 1);
    assert_int_equal(rb_utf8_cut(s, 5, 1), 1);
}

static void widths(void **state)
{
    (void)state;
    assert_int_equal(rb_cp_width('a'), 1);
    assert_int_equal(rb_cp_width(0x5206), 2);  /* 分 */
    assert_int_equal(rb_cp_width(0xFF05), 2);  /* ％ */
    assert_int_equal(rb_cp_width(0x0301), 0);  /* a combining accent */
    assert_int_equal(rb_cp_width(0x200B), 0);  /* zero width space */
    assert_int_equal(rb_cp_width('\t'), 0);
    assert_int_equal(rb_display_width("ab", 2), 2);
    assert_int_equal(rb_display_width("\xE5\xBE\x97\xE5\x88\x86", 6), 4); /* 得分 */
    assert_int_equal(rb_display_width("\xB7\xD6", 2), 2);                 /* a bad byte is one column */
    assert_true(rb_cp_hidden(0x202E));
    assert_true(rb_cp_hidden(0xFEFF));
    assert_false(rb_cp_hidden(0x5206));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decode_valid),
        cmocka_unit_test(decode_invalid),
        cmocka_unit_test(encode),
        cmocka_unit_test(valid_prefix),
        cmocka_unit_test(invalid_run),
        cmocka_unit_test(cut),
        cmocka_unit_test(widths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
