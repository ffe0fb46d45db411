/* test_lang.c — choosing the language (SPEC §17), looking up messages in
 * the catalogue compiled from po/zh_CN.po, and every diagnostic code of
 * docs/diagnostics.md coming out in Chinese with no English left in it. */
#include "testutil.h"

#include "compile.h"
#include "diag.h"
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

/* An English sentence left in a Chinese message: three ASCII words in a row
 * outside quotes ('sales', "优秀", `when`), which hold code and data. */
static bool has_english(const char *s)
{
    int words = 0;
    bool in_word = false;
    for (const char *p = s; *p; p++) {
        if (*p == '\'' || *p == '"' || *p == '`') {
            const char *end = strchr(p + 1, *p);
            if (end) p = end;
            words = 0, in_word = false;
            continue;
        }
        bool letter = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
        if (letter && !in_word && ++words >= 3) return true;
        in_word = letter;
        if (!letter && *p != ' ') words = 0;
    }
    return false;
}

static bool has_chinese(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p >= 0xE4 && *p <= 0xE9) return true; /* lead byte of U+4000..U+9FFF */
    return false;
}

/* For each "### CODE" of docs/diagnostics.md, its first example template
 * (a code block that starts with "form"), compiled in Chinese, reports CODE
 * with a Chinese message and help. */
static void test_every_code_in_chinese(void **state)
{
    (void)state;
    char *doc = read_whole_file("docs/diagnostics.md");
    int codes = 0, covered = 0, checked = 0, bad = 0;
    for (char *h = strstr(doc, "\n### "); h; h = strstr(h + 1, "\n### ")) {
        char code[8];
        if (sscanf(h, "\n### %7[EW0-9]", code) != 1 || strlen(code) != 5) continue;
        codes++;
        char *next = strstr(h + 1, "\n### ");
        char *ex = strstr(h, "\n```\nform ");
        if (!ex || (next && ex > next)) continue;
        ex += 5;
        char *end = strstr(ex, "\n```");
        if (!end) continue;
        rb_source *src = rb_source_new("t.rubric", ex, (size_t)(end - ex) + 1);
        rb_diags d;
        rb_diags_init(&d);
        d.lang = RB_LANG_ZH;
        rb_program_free(rb_compile(src, NULL, 0, &d));
        int before = checked;
        for (size_t i = 0; i < d.count; i++) {
            const rb_diag *g = &d.items[i];
            if (strcmp(g->code, code) != 0) continue;
            checked++;
            const char *texts[] = {g->message, g->help};
            for (int k = 0; k < 2; k++) {
                if (!texts[k]) continue;
                if (!has_chinese(texts[k]) || has_english(texts[k])) {
                    print_message("%s: not Chinese: %s\n", code, texts[k]);
                    bad++;
                }
            }
        }
        covered += checked > before;
        rb_diags_free(&d);
        rb_source_free(src);
    }
    free(doc);
    print_message("%d codes, %d with an example: %d diagnostics checked in Chinese\n", codes, covered, checked);
    assert_true(codes >= 60);
    assert_true(covered > codes * 3 / 4); /* most codes have a template example */
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_choose_order),
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_catalogue_sorted_and_found),
        cmocka_unit_test(test_every_code_in_chinese),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
