/* test_diag.c — src/diag.c: line:column from byte offsets (code points,
 * CRLF, BOM), the exact text form of SPEC §9 with carets under CJK and
 * full-width characters, the gcc, JSON and SARIF forms, sorting, reading
 * files, and the edit distance behind did-you-mean. */
#include "testutil.h"

#include <unistd.h>

#include "diag.h"
#include "rubric.h"

typedef struct {
    char *buf;
    size_t len;
    FILE *f;
} sbuf;

static FILE *sb_open(sbuf *s)
{
    s->buf = NULL;
    s->len = 0;
    s->f = open_memstream(&s->buf, &s->len);
    return s->f;
}

static char *sb_close(sbuf *s)
{
    fclose(s->f);
    return s->buf;
}

static rb_source *src(const char *name, const char *text)
{
    return rb_source_new(name, text, strlen(text));
}

/* The span of the first occurrence of `what` in the source. */
static rb_span find(const rb_source *s, const char *what)
{
    const char *p = strstr(s->text, what);
    assert_non_null(p);
    rb_span sp = {(uint32_t)(p - s->text), (uint32_t)(p - s->text + strlen(what))};
    return sp;
}

static char *print(rb_source *s, const rb_diags *d, rb_diag_format fmt)
{
    sbuf b;
    rb_diag_print(sb_open(&b), s, d, fmt);
    return sb_close(&b);
}

static void assert_pos(rb_source *s, uint32_t off, uint32_t line, uint32_t col)
{
    uint32_t l, c;
    rb_source_position(s, off, &l, &c);
    assert_int_equal(l, line);
    assert_int_equal(c, col);
}

/* ---- positions ----------------------------------------------------------- */

static void test_positions(void **state)
{
    (void)state;
    rb_source *s = src("a", "ab\ncd\n\nef");
    assert_pos(s, 0, 1, 1);
    assert_pos(s, 1, 1, 2);
    assert_pos(s, 2, 1, 3); /* the newline itself */
    assert_pos(s, 3, 2, 1);
    assert_pos(s, 6, 3, 1);
    assert_pos(s, 7, 4, 1);
    assert_pos(s, 9, 4, 3); /* the end of the file */
    assert_pos(s, 999, 4, 3);
    rb_source_free(s);
}

static void test_positions_count_code_points(void **state)
{
    (void)state;
    rb_source *s = src("a", "销售额 = x\n  “专业”：y");
    assert_pos(s, 9, 1, 4);   /* after three CJK characters */
    assert_pos(s, 12, 1, 7);  /* x */
    assert_pos(s, 16, 2, 3);  /* “ */
    assert_pos(s, 25, 2, 6);  /* ” */
    assert_pos(s, 28, 2, 7);  /* ： */
    assert_pos(s, 31, 2, 8);  /* y */
    rb_source_free(s);
    /* an invalid byte counts as one character */
    s = src("a", "\xFF\xFEx");
    assert_pos(s, 2, 1, 3);
    rb_source_free(s);
}

static void test_positions_crlf_and_bom(void **state)
{
    (void)state;
    rb_source *s = src("a", "\xEF\xBB\xBF" "ab\r\ncd\r\n");
    assert_pos(s, 3, 1, 1); /* the BOM takes no column */
    assert_pos(s, 4, 1, 2);
    assert_pos(s, 7, 2, 1); /* after \r\n */
    assert_pos(s, 8, 2, 2);
    assert_pos(s, 11, 3, 1);
    rb_source_free(s);
}

/* ---- text ----------------------------------------------------------------- */

static void test_text_spec_example(void **state)
{
    (void)state;
    /* SPEC §9, character for character */
    char text[1024] = "";
    for (int i = 1; i <= 13; i++) strcat(text, "// filler\n");
    strcat(text, "    let completion = salse / plan\n");
    rb_source *s = src("sales.rubric", text);
    rb_diags d;
    rb_diags_init(&d);
    rb_diag *g = rb_diag_add(&d, RB_SEV_ERROR, "E0201", find(s, "salse"), "unknown name '%s'", "salse");
    rb_diag_help(g, "did you mean '%s'?", "sales");
    assert_int_equal(d.errors, 1);
    char *out = print(s, &d, RB_DIAG_TEXT);
    assert_string_equal(out,
                        "sales.rubric:14:22: error[E0201]: unknown name 'salse'\n"
                        "   14 |     let completion = salse / plan\n"
                        "      |                      ^^^^^\n"
                        "   = help: did you mean 'sales'?\n");
    free(out);
    rb_diags_free(&d);
    rb_source_free(s);
}

static void test_text_carets_under_cjk(void **state)
{
    (void)state;
    /* the carets of a full-width colon after Chinese text: each CJK
     * character and the colon take two cells */
    rb_source *s = src("presales.rubric", "form f {\n  field name \"员工姓名\"：text\n}\n");
    rb_diags d;
    rb_diags_init(&d);
    rb_diag *g = rb_diag_add(&d, RB_SEV_ERROR, "E0102", find(s, "："),
                             "full-width '：' (U+FF1A) is not part of the language");
    rb_diag_help(g, "use ASCII ':'");
    char *out = print(s, &d, RB_DIAG_TEXT);
    assert_string_equal(out,
                        "presales.rubric:2:20: error[E0102]: full-width '：' (U+FF1A) is not part of the language\n"
                        "    2 |   field name \"员工姓名\"：text\n"
                        "      |                        ^^\n"
                        "   = help: use ASCII ':'\n");
    free(out);
    rb_diags_free(&d);
    /* a span over Chinese text is as wide as the text */
    rb_diags_init(&d);
    rb_diag_add(&d, RB_SEV_WARNING, "W0201", find(s, "员工姓名"), "unused");
    out = print(s, &d, RB_DIAG_TEXT);
    assert_string_equal(out,
                        "presales.rubric:2:15: warning[W0201]: unused\n"
                        "    2 |   field name \"员工姓名\"：text\n"
                        "      |               ^^^^^^^^\n");
    free(out);
    rb_diags_free(&d);
    rb_source_free(s);
}

static void test_text_tabs_crlf_bom(void **state)
{
    (void)state;
    rb_source *s = src("t.rubric", "\xEF\xBB\xBF" "form f {\r\n\titem 销售 x\r\n}\r\n");
    rb_diags d;
    rb_diags_init(&d);
    rb_diag_add(&d, RB_SEV_ERROR, "E0110", find(s, "x"), "expected 'points'");
    rb_diag_add(&d, RB_SEV_ERROR, "E0110", find(s, "form"), "first line");
    rb_diags_sort(&d);
    char *out = print(s, &d, RB_DIAG_TEXT);
    /* tabs show as four spaces, \r is not shown, the BOM is not shown, and
     * diagnostics are separated by a blank line */
    assert_string_equal(out,
                        "t.rubric:1:1: error[E0110]: first line\n"
                        "    1 | form f {\n"
                        "      | ^^^^\n"
                        "\n"
                        "t.rubric:2:10: error[E0110]: expected 'points'\n"
                        "    2 |     item 销售 x\n"
                        "      |               ^\n");
    free(out);
    rb_diags_free(&d);
    rb_source_free(s);
}

static void test_text_odd_spans(void **state)
{
    (void)state;
    rb_source *s = src("t", "ab\ncd");
    rb_diags d;
    rb_diags_init(&d);
    rb_span point = {1, 1}, multi = {1, 4}, eof = {5, 5};
    rb_diag_add(&d, RB_SEV_NOTE, "", point, "a point");
    rb_diag_add(&d, RB_SEV_ERROR, "E0001", multi, "over a line end");
    rb_diag_add(&d, RB_SEV_ERROR, "E0001", eof, "at the end");
    char *out = print(s, &d, RB_DIAG_TEXT);
    assert_string_equal(out,
                        "t:1:2: note: a point\n"
                        "    1 | ab\n"
                        "      |  ^\n"
                        "\n"
                        "t:1:2: error[E0001]: over a line end\n"
                        "    1 | ab\n"
                        "      |  ^\n"
                        "\n"
                        "t:2:3: error[E0001]: at the end\n"
                        "    2 | cd\n"
                        "      |   ^\n");
    free(out);
    assert_int_equal(d.errors, 2);
    assert_int_equal(d.warnings, 0);
    rb_diags_free(&d);
    rb_source_free(s);
}

static void test_text_control_characters_shown_safely(void **state)
{
    (void)state;
    rb_source *s = rb_source_new("t", "a\x01" "b\xFF" "c\xE2\x80\xAE" "d", 9);
    rb_diags d;
    rb_diags_init(&d);
    rb_span sp = {8, 9};
    rb_diag_add(&d, RB_SEV_ERROR, "E0108", sp, "x");
    char *out = print(s, &d, RB_DIAG_TEXT);
    assert_string_equal(out,
                        "t:1:7: error[E0108]: x\n"
                        "    1 | a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD" "d\n"
                        "      |       ^\n");
    free(out);
    rb_diags_free(&d);
    rb_source_free(s);
}

static void test_text_wide_line_numbers(void **state)
{
    (void)state;
    char *text = malloc(200000);
    size_t n = 0;
    for (int i = 0; i < 123455; i++) text[n++] = '\n';
    strcpy(text + n, "xyz");
    rb_source *s = src("t", text);
    rb_diags d;
    rb_diags_init(&d);
    rb_diag_add(&d, RB_SEV_ERROR, "E0001", find(s, "y"), "y");
    char *out = print(s, &d, RB_DIAG_TEXT);
    assert_string_equal(out,
                        "t:123456:2: error[E0001]: y\n"
                        "123456 | xyz\n"
                        "       |  ^\n");
    free(out);
    rb_diags_free(&d);
    rb_source_free(s);
    free(text);
}

/* ---- gcc, JSON, SARIF ------------------------------------------------------ */

static rb_source *two_diags(rb_diags *d)
{
    rb_source *s = src("dir/a b.rubric", "form f {\n  field name \"员工姓名\"：text\n}\n");
    rb_diags_init(d);
    rb_diag *g = rb_diag_add(d, RB_SEV_ERROR, "E0102", find(s, "："),
                             "full-width '：' (U+FF1A) is not part of the language");
    rb_diag_help(g, "use ASCII ':'");
    rb_diag_add(d, RB_SEV_WARNING, "W0201", find(s, "name"), "field 'name' is never used");
    return s;
}

static void test_gcc(void **state)
{
    (void)state;
    rb_diags d;
    rb_source *s = two_diags(&d);
    char *out = print(s, &d, RB_DIAG_GCC);
    assert_string_equal(out,
                        "dir/a b.rubric:2:20: error: full-width '：' (U+FF1A) is not part of the language\n"
                        "dir/a b.rubric:2:20: note: use ASCII ':'\n"
                        "dir/a b.rubric:2:9: warning: field 'name' is never used\n");
    free(out);
    rb_diags_free(&d);
    rb_source_free(s);
}

static void test_json(void **state)
{
    (void)state;
    rb_diags d;
    rb_source *s = two_diags(&d);
    char *out = print(s, &d, RB_DIAG_JSON);
    assert_string_equal(out,
                        "[\n"
                        "{\"file\":\"dir/a b.rubric\",\"line\":2,\"column\":20,\"end_line\":2,\"end_column\":21,"
                        "\"severity\":\"error\",\"code\":\"E0102\","
                        "\"message\":\"full-width '：' (U+FF1A) is not part of the language\",\"help\":\"use ASCII ':'\"},\n"
                        "{\"file\":\"dir/a b.rubric\",\"line\":2,\"column\":9,\"end_line\":2,\"end_column\":13,"
                        "\"severity\":\"warning\",\"code\":\"W0201\",\"message\":\"field 'name' is never used\","
                        "\"help\":null}\n"
                        "]\n");
    free(out);
    rb_diags_free(&d);
    rb_source_free(s);
    /* no diagnostics: an empty array */
    s = src("x", "");
    rb_diags_init(&d);
    out = print(s, &d, RB_DIAG_JSON);
    assert_string_equal(out, "[\n]\n");
    free(out);
    rb_source_free(s);
}

static void test_json_escaping(void **state)
{
    (void)state;
    rb_source *s = rb_source_new("q\"\\\x01.rubric", "x", 1);
    rb_diags d;
    rb_diags_init(&d);
    rb_span sp = {0, 1};
    rb_diag_add(&d, RB_SEV_ERROR, "E0001", sp, "%s", "\"\\/\b\f\n\r\t\x01\x1f\x7f \xE2\x80\xA8 \xFF 中");
    char *out = print(s, &d, RB_DIAG_JSON);
    assert_string_equal(out,
                        "[\n"
                        "{\"file\":\"q\\\"\\\\\\u0001.rubric\",\"line\":1,\"column\":1,\"end_line\":1,\"end_column\":2,"
                        "\"severity\":\"error\",\"code\":\"E0001\","
                        "\"message\":\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f \\u2028 \\ufffd 中\",\"help\":null}\n"
                        "]\n");
    free(out);
    rb_diags_free(&d);
    rb_source_free(s);
}

static void test_json_several_files(void **state)
{
    (void)state;
    rb_diags d1, d2;
    rb_source *a = src("a", "x"), *b = src("b", "y");
    rb_diags_init(&d1);
    rb_diags_init(&d2);
    rb_span sp = {0, 1};
    rb_diag_add(&d1, RB_SEV_ERROR, "E0001", sp, "one");
    rb_diag_add(&d2, RB_SEV_ERROR, "E0002", sp, "two");
    sbuf buf;
    FILE *f = sb_open(&buf);
    bool first = true;
    rb_diag_json_begin(f, RB_DIAG_JSON);
    rb_diag_json_file(f, a, &d1, RB_DIAG_JSON, &first);
    rb_diag_json_file(f, b, &d2, RB_DIAG_JSON, &first);
    rb_diag_json_end(f, RB_DIAG_JSON);
    char *out = sb_close(&buf);
    assert_string_equal(out,
                        "[\n"
                        "{\"file\":\"a\",\"line\":1,\"column\":1,\"end_line\":1,\"end_column\":2,\"severity\":\"error\","
                        "\"code\":\"E0001\",\"message\":\"one\",\"help\":null},\n"
                        "{\"file\":\"b\",\"line\":1,\"column\":1,\"end_line\":1,\"end_column\":2,\"severity\":\"error\","
                        "\"code\":\"E0002\",\"message\":\"two\",\"help\":null}\n"
                        "]\n");
    free(out);
    rb_diags_free(&d1);
    rb_diags_free(&d2);
    rb_source_free(a);
    rb_source_free(b);
}

static void test_sarif(void **state)
{
    (void)state;
    rb_diags d;
    rb_source *s = two_diags(&d);
    rb_span sp = {0, 4};
    rb_diag_add(&d, RB_SEV_ERROR, "E0102", sp, "again");
    char *out = print(s, &d, RB_DIAG_SARIF);
    assert_string_equal(
        out,
        "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{"
        "\"columnKind\":\"unicodeCodePoints\",\"results\":[\n"
        "{\"ruleId\":\"E0102\",\"ruleIndex\":0,\"level\":\"error\",\"message\":{\"text\":\"full-width '：' (U+FF1A) "
        "is not part of the language\\nhelp: use ASCII ':'\"},\"locations\":[{\"physicalLocation\":{"
        "\"artifactLocation\":{\"uri\":\"dir/a%20b.rubric\"},\"region\":{\"startLine\":2,\"startColumn\":20,"
        "\"endLine\":2,\"endColumn\":21,\"byteOffset\":36,\"byteLength\":3}}}]},\n"
        "{\"ruleId\":\"W0201\",\"ruleIndex\":1,\"level\":\"warning\",\"message\":{\"text\":\"field 'name' is never "
        "used\"},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":\"dir/a%20b.rubric\"},"
        "\"region\":{\"startLine\":2,\"startColumn\":9,\"endLine\":2,\"endColumn\":13,\"byteOffset\":17,"
        "\"byteLength\":4}}}]},\n"
        "{\"ruleId\":\"E0102\",\"ruleIndex\":0,\"level\":\"error\",\"message\":{\"text\":\"again\"},\"locations\":[{"
        "\"physicalLocation\":{\"artifactLocation\":{\"uri\":\"dir/a%20b.rubric\"},\"region\":{\"startLine\":1,"
        "\"startColumn\":1,\"endLine\":1,\"endColumn\":5,\"byteOffset\":0,\"byteLength\":4}}}]}\n"
        "],\"tool\":{\"driver\":{\"name\":\"rubric\",\"version\":\"" RUBRIC_VERSION_STRING "\","
        "\"informationUri\":\"file:///usr/local/share/doc/rubric/README.md\",\"rules\":["
        "{\"id\":\"E0102\",\"shortDescription\":{\"text\":\"full-width punctuation\"},"
        "\"fullDescription\":{\"text\":\"full-width punctuation or digits (read as the ASCII meant)\"},"
        "\"helpUri\":\"file:///usr/local/share/doc/rubric/diagnostics.md#e0102--full-width-punctuation\"},"
        "{\"id\":\"W0201\",\"shortDescription\":{\"text\":\"never used\"},"
        "\"fullDescription\":{\"text\":\"an input, let or param that nothing uses\"},"
        "\"helpUri\":\"file:///usr/local/share/doc/rubric/diagnostics.md#w0201--never-used\"}]}}}]}\n");
    free(out);
    rb_diags_free(&d);
    rb_source_free(s);
    /* the rule list starts over with each log */
    s = src("x", "y");
    rb_diags_init(&d);
    rb_span one = {0, 1};
    rb_diag_add(&d, RB_SEV_NOTE, "W0301", one, "n");
    out = print(s, &d, RB_DIAG_SARIF);
    assert_non_null(strstr(out, "\"ruleIndex\":0,\"level\":\"note\""));
    assert_non_null(strstr(out, "\"rules\":[{\"id\":\"W0301\",\"shortDescription\":{\"text\":\"'?\?' that has no effect\"}"));
    assert_non_null(strstr(out, "diagnostics.md#w0301---that-has-no-effect\"}]"));
    free(out);
    rb_diags_free(&d);
    rb_source_free(s);
    /* an absolute path is a file:// URI; no place in the text is the whole file */
    s = src("/tmp/a b.rubric", "form f {}\n");
    rb_diags_init(&d);
    rb_diag_add(&d, RB_SEV_ERROR, "E0211", RB_SPAN_NONE, "-D");
    out = print(s, &d, RB_DIAG_SARIF);
    assert_non_null(strstr(out, "{\"uri\":\"file:///tmp/a%20b.rubric\"},\"region\":{\"byteOffset\":0,\"byteLength\":10}}"));
    free(out);
    rb_diags_free(&d);
    rb_source_free(s);
}

/* ---- the list --------------------------------------------------------------- */

static void test_sort_is_stable(void **state)
{
    (void)state;
    rb_diags d;
    rb_diags_init(&d);
    static const uint32_t at[] = {50, 10, 30, 10, 50, 0, 30, 10, 20, 40, 0, 60, 10, 5, 5, 70, 1, 2, 3};
    size_t n = sizeof at / sizeof at[0];
    for (size_t i = 0; i < n; i++) {
        rb_span sp = {at[i], at[i] + 1};
        rb_diag_add(&d, RB_SEV_ERROR, "E0001", sp, "%zu", i);
    }
    rb_diags_sort(&d);
    assert_int_equal(d.count, n);
    for (size_t i = 1; i < n; i++) {
        assert_true(d.items[i - 1].span.start <= d.items[i].span.start);
        if (d.items[i - 1].span.start == d.items[i].span.start)
            assert_true(atoi(d.items[i - 1].message) < atoi(d.items[i].message));
    }
    rb_diags_free(&d);
}

static void test_help_replaces(void **state)
{
    (void)state;
    rb_diags d;
    rb_diags_init(&d);
    rb_span sp = {0, 0};
    rb_diag *g = rb_diag_add(&d, RB_SEV_WARNING, "W0001", sp, "m %d", 42);
    rb_diag_help(g, "first");
    rb_diag_help(g, "second %s", "help");
    assert_string_equal(g->help, "second help");
    assert_string_equal(g->message, "m 42");
    assert_int_equal(d.warnings, 1);
    rb_diag_help(NULL, "ignored");
    rb_diags_free(&d);
}

static void test_read_files(void **state)
{
    (void)state;
    char path[] = "/tmp/rubric-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "form f {}\n\0x", 12), 12);
    close(fd);
    char err[256];
    rb_source *s = rb_source_read(path, RB_LANG_EN, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(s->len, 12);
    assert_memory_equal(s->text, "form f {}\n\0x", 13);
    assert_string_equal(s->name, path);
    rb_source_free(s);
    unlink(path);
    s = rb_source_read(path, RB_LANG_EN, err, sizeof err);
    assert_null(s);
    char want[300];
    snprintf(want, sizeof want, "cannot open '%s': No such file or directory", path);
    assert_string_equal(err, want);
}

/* ---- did you mean ------------------------------------------------------------ */

static void test_edit_distance(void **state)
{
    (void)state;
    assert_int_equal(rb_edit_distance("item", "item"), 0);
    assert_int_equal(rb_edit_distance("itme", "item"), 1);   /* a transposition is one edit */
    assert_int_equal(rb_edit_distance("salse", "sales"), 1);
    assert_int_equal(rb_edit_distance("kitten", "sitting"), 3);
    assert_int_equal(rb_edit_distance("", "abc"), 3);
    assert_int_equal(rb_edit_distance("abc", ""), 3);
    assert_int_equal(rb_edit_distance("Sales", "sales"), 1); /* case counts */
    assert_int_equal(rb_edit_distance("销售额", "销售"), 1);   /* code points, not bytes */
    assert_int_equal(rb_edit_distance("销售额", "销量额"), 1);
    assert_int_equal(rb_edit_distance("完成率", "率完成"), 2);
    assert_int_equal(rb_edit_distance("ca", "abc"), 3);      /* OSA, not full Damerau */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_positions_count_code_points),
        cmocka_unit_test(test_positions_crlf_and_bom),
        cmocka_unit_test(test_text_spec_example),
        cmocka_unit_test(test_text_carets_under_cjk),
        cmocka_unit_test(test_text_tabs_crlf_bom),
        cmocka_unit_test(test_text_odd_spans),
        cmocka_unit_test(test_text_control_characters_shown_safely),
        cmocka_unit_test(test_text_wide_line_numbers),
        cmocka_unit_test(test_gcc),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_json_escaping),
        cmocka_unit_test(test_json_several_files),
        cmocka_unit_test(test_sarif),
        cmocka_unit_test(test_sort_is_stable),
        cmocka_unit_test(test_help_replaces),
        cmocka_unit_test(test_read_files),
        cmocka_unit_test(test_edit_distance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
