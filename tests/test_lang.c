/* test_lang.c — choosing the language (SPEC §17), looking up messages in
 * the catalogue compiled from po/zh_CN.po, and every diagnostic code of
 * docs/diagnostics.md and every syntax error of the record readers coming
 * out in Chinese with no English left in it. */
#include "testutil.h"

#include "compile.h"
#include "diag.h"
#include "lang.h"
#include "record.h"

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

/* The record readers' syntax errors, read in Chinese (SPEC §17): each is
 * Chinese with no English sentence left, at the same line and column as in
 * English.  One input per message: NDJSON lines, then CSV files. */
static const char *reader_error(const char *text, const char *name, rb_lang lang)
{
    static char out[512];
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    rb_reader *r = rb_reader_open(f, name, RB_INPUT_AUTO, 1);
    rb_reader_set_lang(r, lang);
    rb_record rec;
    out[0] = '\0';
    while (rb_reader_next(r, &rec) == 1 && !out[0])
        if (rec.syntax_error) snprintf(out, sizeof out, "%s", rec.syntax_error);
    rb_reader_close(r);
    fclose(f);
    return out;
}

static void test_reader_errors_in_chinese(void **state)
{
    (void)state;
    static const char *const ndjson[] = {
        "{\"a\":1", "{\"a\":\f1}", "{\"a\":\"\xff\"}",
        "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[}",
        "{\"a\":\"\\u12G4\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\q\"}", "{\"a\":\"\t\"}", "{\"a\":-}",
        "{\"a\":01}", "{\"a\":1.}", "{\"a\":1e}", "{\"a\":tru}", "{\"a\":#}", "{\"a\":1 \"b\":2}",
        "{\"a\":[1 2]}", "{1:2}", "{\"a\" 1}", "{\"a\":1} x", "[1]", "{\"a\":,}", "{\"a\":/* c */1}",
    };
    static const char *const csv[] = {
        "name,a\n\"x,1\n", "name,a\nx\"y,1\n", "name,a\nx,1,2\n", "name,a\nsolo\n", "name,a\n\xff,1\n",
        "na\xffme,a\nx,1\n",
    };
    char en[512];
    int n = 0;
    for (size_t i = 0; i < sizeof ndjson / sizeof *ndjson + sizeof csv / sizeof *csv; i++) {
        bool is_csv = i >= sizeof ndjson / sizeof *ndjson;
        const char *text = is_csv ? csv[i - sizeof ndjson / sizeof *ndjson] : ndjson[i];
        const char *name = is_csv ? "t.csv" : "t.ndjson";
        snprintf(en, sizeof en, "%s", reader_error(text, name, RB_LANG_EN));
        const char *zh = reader_error(text, name, RB_LANG_ZH);
        if (!en[0] || !has_chinese(zh) || has_english(zh)) {
            print_message("input %zu: not Chinese: %s (English: %s)\n", i, zh, en);
            n++;
            continue;
        }
        unsigned long long l_en = 0, c_en = 0, l_zh = 0, c_zh = 0;
        int got_en = sscanf(en, "line %llu, column %llu", &l_en, &c_en);
        int got_zh = sscanf(zh, "第 %llu 行第 %llu 列", &l_zh, &c_zh);
        if (strstr(en, "header is unusable")) got_en = sscanf(en, "the CSV header is unusable: line %llu", &l_en);
        else if (got_en == 0) got_en = sscanf(en, "line %llu", &l_en);
        if (strstr(en, "header is unusable")) got_zh = sscanf(zh, "CSV 表头无法使用：第 %llu 行", &l_zh);
        else if (got_zh == 0) got_zh = sscanf(zh, "第 %llu 行", &l_zh);
        if (got_en < 1 || got_en != got_zh || l_en != l_zh || c_en != c_zh) {
            print_message("input %zu: positions differ: %s / %s\n", i, en, zh);
            n++;
        }
    }
    assert_int_equal(n, 0);
    assert_string_equal(reader_error("{\"a\":1 \"b\":2}", "t.ndjson", RB_LANG_ZH), "第 1 行第 8 列：这里应该是 ',' 或 '}'");
    assert_string_equal(reader_error("name,a\nx,1,2\n", "t.csv", RB_LANG_ZH), "第 2 行：有 3 个单元格，但表头有 2 个");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_choose_order),
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_catalogue_sorted_and_found),
        cmocka_unit_test(test_every_code_in_chinese),
        cmocka_unit_test(test_reader_errors_in_chinese),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
