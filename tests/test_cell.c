/* test_cell.c — unit tests for the cell rules of cell.c (SPEC §16): every
 * boolean, date, not-applicable and number form, and what is refused. */
#include "testutil.h"

#include "cell.h"

static int boolean(const char *s) /* 1 true, 0 false, -1 not a boolean */
{
    bool v = false;
    if (!rb_cell_bool(s, strlen(s), &v)) return -1;
    return v ? 1 : 0;
}

static void booleans(void **state)
{
    (void)state;
    static const char *const yes[] = {"是", "√", "✓", "✔", "1", "yes", "YES", "Yes", "true", "TRUE", " 是 ", "\xE3\x80\x80√"};
    static const char *const no[] = {"否", "×", "✗", "✘", "0", "no", "NO", "false", "FALSE", "False"};
    static const char *const neither[] = {"", "2", "y", "ok", "是的", "√√", "01", "1.0", "x", "T"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) assert_int_equal(boolean(yes[i]), 1);
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) assert_int_equal(boolean(no[i]), 0);
    for (size_t i = 0; i < sizeof neither / sizeof *neither; i++) assert_int_equal(boolean(neither[i]), -1);
}

static const char *date(const char *s)
{
    static char out[11];
    return rb_cell_date(s, strlen(s), out) ? out : "(no)";
}

static void dates(void **state)
{
    (void)state;
    assert_string_equal(date("2026-06-01"), "2026-06-01");
    assert_string_equal(date("2026-6-1"), "2026-06-01");
    assert_string_equal(date("2026/6/1"), "2026-06-01");
    assert_string_equal(date("2026/06/01"), "2026-06-01");
    assert_string_equal(date("2026.6.1"), "2026-06-01");
    assert_string_equal(date("2026年6月1日"), "2026-06-01");
    assert_string_equal(date("2026年12月31日"), "2026-12-31");
    assert_string_equal(date(" 2024/2/29 "), "2024-02-29");
    assert_string_equal(date("2026/2/29"), "(no)");    /* not a day */
    assert_string_equal(date("2026/13/1"), "(no)");
    assert_string_equal(date("2026/6-1"), "(no)");     /* mixed separators */
    assert_string_equal(date("2026年6月1"), "(no)");   /* 日 missing */
    assert_string_equal(date("26/6/1"), "(no)");       /* two-digit year */
    assert_string_equal(date("6/1/2026"), "(no)");     /* month first is ambiguous */
    assert_string_equal(date("2026/6/1 12:00"), "(no)");
    assert_string_equal(date("2026/006/1"), "(no)");
    assert_string_equal(date(""), "(no)");
}

static void not_applicable(void **state)
{
    (void)state;
    static const char *const na[] = {"n/a", "N/A", "N/a", "不适用", "—", " 不适用 "};
    static const char *const not[] = {"", "na", "-", "不", "n/a/", "0"};
    for (size_t i = 0; i < sizeof na / sizeof *na; i++) assert_true(rb_cell_na(na[i], strlen(na[i])));
    for (size_t i = 0; i < sizeof not / sizeof *not; i++) assert_false(rb_cell_na(not[i], strlen(not[i])));
    assert_true(rb_cell_blank("", 0));
    assert_true(rb_cell_blank(" \t\xE3\x80\x80", 5));
    assert_false(rb_cell_blank(" 0", 2));
}

static const char *number(const char *s)
{
    static char out[64];
    size_t n = rb_cell_number(s, strlen(s), out, sizeof out);
    return n == (size_t)-1 ? "(too long)" : out;
}

static void numbers(void **state)
{
    (void)state;
    assert_string_equal(number("12"), "12");
    assert_string_equal(number(" 12.5 "), "12.5");
    assert_string_equal(number("１２．５"), "12.5");          /* full-width */
    assert_string_equal(number("－３"), "-3");
    assert_string_equal(number("８５％"), "85%");
    assert_string_equal(number("1,234.5"), "1234.5");
    assert_string_equal(number("1,234,567"), "1234567");
    assert_string_equal(number("-12,345"), "-12345");
    assert_string_equal(number("１，２３４"), "1234");
    assert_string_equal(number("+5"), "5");
    assert_string_equal(number("1,23"), "1,23");              /* not thousands: left to fail */
    assert_string_equal(number("1234,567"), "1234,567");
    assert_string_equal(number("1,234.5,6"), "1,234.5,6");
    assert_string_equal(number(",123"), ",123");
    assert_string_equal(number("12,5"), "12,5");              /* a decimal comma is not guessed */
    assert_string_equal(number("1234567890123456789012345678901234567890123456789012345678901234567890"),
                        "(too long)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(booleans),
        cmocka_unit_test(dates),
        cmocka_unit_test(not_applicable),
        cmocka_unit_test(numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
