/* test_lang.c — choosing the language (SPEC §17) and looking up messages
 * in the catalogue compiled from po/zh_CN.po. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lang.h"

extern const rb_catalog_entry rb_catalog_zh[];
extern const size_t rb_catalog_zh_len;

static void clear_env(void)
{
    unsetenv("RUBRIC_LANG");
    unsetenv("LC_ALL");
    unsetenv("LC_MESSAGES");
    unsetenv("LANG");
}

static void test_choose_order(void **state)
{
    (void)state;
    clear_env();
    assert_int_equal(rb_lang_choose(NULL), RB_LANG_EN);
    setenv("LANG", "zh_CN.UTF-8", 1);
    assert_int_equal(rb_lang_choose(NULL), RB_LANG_ZH);
    setenv("LC_MESSAGES", "en_US.UTF-8", 1); /* more specific than LANG */
    assert_int_equal(rb_lang_choose(NULL), RB_LANG_EN);
    setenv("LC_ALL", "zh_SG", 1); /* LC_ALL overrides both */
    assert_int_equal(rb_lang_choose(NULL), RB_LANG_ZH);
    setenv("RUBRIC_LANG", "en", 1); /* the program's own variable comes first */
    assert_int_equal(rb_lang_choose(NULL), RB_LANG_EN);
    setenv("RUBRIC_LANG", "klingon", 1); /* a bad value is passed over */
    assert_int_equal(rb_lang_choose(NULL), RB_LANG_ZH);
    assert_int_equal(rb_lang_choose("en"), RB_LANG_EN); /* --lang beats all */
    assert_int_equal(rb_lang_choose("zh"), RB_LANG_ZH);
    assert_int_equal(rb_lang_choose("ZH"), -1);
    assert_int_equal(rb_lang_choose(""), -1);
    clear_env();
}

static void test_lookup(void **state)
{
    (void)state;
    assert_string_equal(rb_tr(RB_LANG_ZH, "unknown name '%s'"), "未知的名字 '%s'");
    assert_string_equal(rb_tr(RB_LANG_EN, "unknown name '%s'"), "unknown name '%s'");
    /* a message with no translation falls back to English, never to nothing */
    assert_string_equal(rb_tr(RB_LANG_ZH, "no such message"), "no such message");
    assert_null(rb_tr(RB_LANG_ZH, NULL));
    assert_string_equal(rb_lang_code(RB_LANG_ZH), "zh");
}

/* The generator sorts the table; a binary search over an unsorted table
 * would miss messages silently. */
static void test_catalogue_sorted_and_found(void **state)
{
    (void)state;
    assert_true(rb_catalog_zh_len > 200);
    for (size_t i = 0; i < rb_catalog_zh_len; i++) {
        if (i) assert_true(strcmp(rb_catalog_zh[i - 1].msgid, rb_catalog_zh[i].msgid) < 0);
        assert_ptr_equal(rb_tr(RB_LANG_ZH, rb_catalog_zh[i].msgid), rb_catalog_zh[i].msgstr);
        assert_true(rb_catalog_zh[i].msgstr[0] != '\0');
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_choose_order),
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_catalogue_sorted_and_found),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
