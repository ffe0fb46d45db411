/* test_result.c — the result writers (result.c): exact NDJSON (SPEC §8
 * shape and key order), JSON escaping, CSV, the aligned table and the
 * explanation, on hand-built programs (vmtest.h). */
#include "vmtest.h"
#include "buf.h"
#include "compile.h"
#include "diag.h"
#include "out.h"
#include "rows.h"
#include "xlsx.h"

#include <glob.h>
#include <unistd.h>

static char *ndjson(const rb_program *p, const rb_result *r)
{
    return tb_capture(rb_write_ndjson, p, r);
}

/* ---- NDJSON ---------------------------------------------------------------- */

static void test_ndjson_presales(void **state)
{
    (void)state;
    tctx c;
    tctx_open(&c, tb_presales(), false);
    const rb_result *r = tctx_eval(&c, PRESALES_RECORD, false);
    char *s = ndjson(c.prog, r);
    assert_string_equal(
        s,
        "{\"record\":1,\"form\":\"presales\",\"period\":\"monthly\",\"ok\":true,\"total\":87,\"scale\":100,"
        "\"grade\":{\"id\":\"good\",\"label\":\"良好\"},"
        "\"sections\":[{\"name\":\"attitude\",\"label\":\"服务态度与沟通能力\",\"score\":36,\"points\":40,"
        "\"items\":[{\"name\":\"knowledge\",\"score\":9,\"points\":10},{\"name\":\"initiative\",\"score\":8,"
        "\"points\":10},{\"name\":\"expression\",\"score\":9,\"points\":10},{\"name\":\"patience\",\"score\":10,"
        "\"points\":10}]},{\"name\":\"sales\",\"label\":\"销售技能与目标达成\",\"score\":34,\"points\":40,"
        "\"items\":[{\"name\":\"technique\",\"score\":12,\"points\":15},{\"name\":\"target\",\"score\":13,"
        "\"points\":15},{\"name\":\"satisfaction\",\"score\":9,\"points\":10}]},{\"name\":\"growth\","
        "\"label\":\"团队协作与自我提升\",\"score\":17,\"points\":20,\"items\":[{\"name\":\"teamwork\",\"score\":8,"
        "\"points\":10},{\"name\":\"learning\",\"score\":9,\"points\":10}]}],"
        "\"outputs\":{},\"fields\":{\"name\":\"李娜\",\"date\":\"2026-10-31\"},\"warnings\":[],\"errors\":[],"
        "\"digest\":\"sha256:test\"}\n");
    free(s);

    /* invalid: no total, grade, sections or outputs; fields that bound stay */
    r = tctx_eval(&c,
                  "{\"name\":\"李娜\",\"date\":\"2026-10-31\",\"knowledge\":12,\"initiative\":8,\"expression\":9,"
                  "\"patience\":10,\"technique\":12,\"target\":13,\"satisfaction\":9,\"teamwork\":8,\"learning\":9}",
                  false);
    s = ndjson(c.prog, r);
    assert_string_equal(s, "{\"record\":1,\"form\":\"presales\",\"period\":\"monthly\",\"ok\":false,"
                           "\"fields\":{\"name\":\"李娜\",\"date\":\"2026-10-31\"},\"warnings\":[],"
                           "\"errors\":[{\"path\":\"knowledge\",\"code\":\"range\","
                           "\"message\":\"knowledge = 12 is outside 0..10\"}],\"digest\":\"sha256:test\"}\n");
    free(s);
    tctx_close(&c);
}

/* Nested sections, weights, raters, an n/a item, a deduction, typed outputs,
 * version, precision 1. */
static rb_program *review_form(void)
{
    tb t;
    tb_init(&t, "review", "100", true);
    rb_program *p = tb_p(&t);
    p->version = tb_s(&t, "2026-04");
    p->precision = 1;
    tb_rater(&t, "self", "自我考评", "0");
    tb_rater(&t, "manager", "直接领导", "0.6");
    tb_rater(&t, "director", "分管领导", "0.4");
    tb_input(&t, "name", SLOT_FIELD, RB_T_TEXT, true, NULL, NULL);
    uint32_t w = tb_section(&t, "work", "工作目标", 0, "100", "0.7", false);
    tb_item(&t, "t1", w, "60");
    tb_item_full(&t, "t2", NULL, w, "40", NULL, true, false, true, false);
    uint32_t cd = tb_section(&t, "conduct", "行为表现", 0, "100", "0.3", false);
    uint32_t d = tb_section(&t, "discipline", NULL, cd, "50", NULL, false);
    tb_item(&t, "d1", d, "50");
    uint32_t a = tb_section(&t, "attitude", NULL, cd, "50", NULL, false);
    tb_item(&t, "a1", a, "50");
    tb_item_full(&t, "late", "迟到", cd, "10", NULL, true, true, false, false);
    uint32_t o1 = tb_slot(&t, "coef", "系数", SLOT_OUTPUT, RB_T_NUMBER, false);
    tb_code(&t);
    tb_op1(&t, OP_CONST, tb_n(&t, "1"));
    tb_op1(&t, OP_CONST, tb_n(&t, "3"));
    tb_op(&t, OP_DIV);
    tb_unit(&t, U_VALUE, o1, "output coef", 20);
    uint32_t o2 = tb_slot(&t, "pass", NULL, SLOT_OUTPUT, RB_T_BOOL, false);
    tb_code(&t);
    tb_op(&t, OP_TRUE);
    tb_unit(&t, U_VALUE, o2, "output pass", 21);
    uint32_t o3 = tb_slot(&t, "memo", NULL, SLOT_OUTPUT, RB_T_TEXT, false);
    tb_code(&t);
    tb_op1(&t, OP_TEXT, tb_s(&t, "a\"b\tc"));
    tb_unit(&t, U_VALUE, o3, "output memo", 22);
    tb_grade_presales(&t);
    return tb_finish(&t);
}

#define REVIEW_RECORD                                                                            \
    "{\"name\":\"张三\",\"t1\":{\"self\":50,\"manager\":54,\"director\":45},\"t2\":\"n/a\","       \
    "\"d1\":{\"manager\":40,\"director\":50},\"a1\":{\"manager\":45,\"director\":45},\"late\":4}"

static void test_ndjson_nested(void **state)
{
    (void)state;
    tctx c;
    tctx_open(&c, review_form(), false);
    const rb_result *r = tctx_eval(&c, REVIEW_RECORD, false);
    assert_true(r->ok);
    /* work = 50.4 of the 60 that apply; conduct = 44 + 45 − 4 = 85;
     * total = 100 × (0.7 × 50.4/60 + 0.3 × 85/100) = 84.3 */
    assert_num(r->total, "84.3");
    char *s = ndjson(c.prog, r);
    assert_string_equal(
        s,
        "{\"record\":1,\"form\":\"review\",\"version\":\"2026-04\",\"ok\":true,\"total\":84.3,\"scale\":100,"
        "\"grade\":{\"id\":\"good\",\"label\":\"良好\"},"
        "\"sections\":["
        "{\"name\":\"work\",\"label\":\"工作目标\",\"score\":50.4,\"points\":60,\"weight\":0.7,\"items\":["
        "{\"name\":\"t1\",\"score\":50.4,\"points\":60,\"raters\":{\"self\":50,\"manager\":54,\"director\":45}},"
        "{\"name\":\"t2\",\"points\":40,\"applicable\":false}]},"
        "{\"name\":\"conduct\",\"label\":\"行为表现\",\"score\":85,\"points\":100,\"weight\":0.3,\"items\":[],"
        "\"deductions\":[{\"name\":\"late\",\"score\":4,\"points\":10}],"
        "\"sections\":["
        "{\"name\":\"discipline\",\"score\":44,\"points\":50,\"items\":[{\"name\":\"d1\",\"score\":44,\"points\":50,"
        "\"raters\":{\"manager\":40,\"director\":50}}]},"
        "{\"name\":\"attitude\",\"score\":45,\"points\":50,\"items\":[{\"name\":\"a1\",\"score\":45,\"points\":50,"
        "\"raters\":{\"manager\":45,\"director\":45}}]}]}],"
        "\"outputs\":{\"coef\":0.3,\"pass\":true,\"memo\":\"a\\\"b\\tc\"},"
        "\"fields\":{\"name\":\"张三\"},\"warnings\":[],\"errors\":[],\"digest\":\"sha256:test\"}\n");
    free(s);

    /* a section with nothing applicable: listed, applicable false, no score */
    r = tctx_eval(&c, "{\"name\":\"x\",\"t1\":\"n/a\",\"d1\":{\"manager\":50,\"director\":50},"
                      "\"a1\":{\"manager\":50,\"director\":50},\"late\":0}", false);
    assert_false(r->ok); /* t1 is not optional */
    r = tctx_eval(&c, "{\"name\":\"x\",\"t1\":{\"manager\":30,\"director\":30},\"t2\":{\"self\":null},"
                      "\"d1\":{\"manager\":50,\"director\":50},\"a1\":{\"manager\":50,\"director\":50},\"late\":0}",
                  false);
    assert_true(r->ok);
    assert_false(r->items[1].applicable); /* an object of nulls is n/a */
    tctx_close(&c);
}

/* A pure validation form: no total, scale or grade; typed outputs. */
static void test_ndjson_validation_form(void **state)
{
    (void)state;
    tb t;
    tb_init(&t, "v", "100", false);
    tb_p(&t)->has_items = 0;
    uint32_t o = rb_build_option(t.b, (rb_option){.id = tb_s(&t, "phone"), .label = tb_s(&t, "电话"), .value = RB_NONE});
    rb_build_option(t.b, (rb_option){.id = tb_s(&t, "email"), .label = tb_s(&t, "邮件"), .value = RB_NONE});
    rb_build_option(t.b, (rb_option){.id = tb_s(&t, "visit"), .label = RB_NONE, .value = RB_NONE});
    uint32_t cs = rb_build_choiceset(t.b, (rb_choiceset){.first = o, .count = 3});
    uint32_t f = tb_input(&t, "method", SLOT_FIELD, RB_T_CHOICE, true, NULL, NULL);
    uint32_t g = tb_input(&t, "ways", SLOT_INPUT, RB_T_CHOICES, true, NULL, NULL);
    uint32_t h = tb_input(&t, "amount", SLOT_FIELD, RB_T_NUMBER, true, NULL, NULL);
    rb_program *p = tb_p(&t);
    p->slots[p->inputs[f].slot].choiceset = cs;
    p->slots[p->inputs[g].slot].choiceset = cs;
    (void)h;
    uint32_t out1 = tb_slot(&t, "m", NULL, SLOT_OUTPUT, RB_T_CHOICE, false);
    tb_p(&t)->slots[out1].choiceset = cs;
    tb_code(&t);
    tb_op1(&t, OP_LOAD, tb_p(&t)->inputs[f].slot);
    tb_unit(&t, U_VALUE, out1, "output m", 5);
    uint32_t out2 = tb_slot(&t, "s", NULL, SLOT_OUTPUT, RB_T_CHOICES, false);
    tb_p(&t)->slots[out2].choiceset = cs;
    tb_code(&t);
    tb_op1(&t, OP_LOAD, tb_p(&t)->inputs[g].slot);
    tb_unit(&t, U_VALUE, out2, "output s", 6);
    tctx c;
    tctx_open(&c, tb_finish(&t), false);
    const rb_result *r = tctx_eval(&c, "{\"method\":\"邮件\",\"ways\":[\"visit\",\"phone\"],\"amount\":12.345}", false);
    char *s = ndjson(c.prog, r);
    assert_string_equal(s, "{\"record\":1,\"form\":\"v\",\"ok\":true,\"sections\":[],"
                           "\"outputs\":{\"m\":\"email\",\"s\":[\"phone\",\"visit\"]},"
                           "\"fields\":{\"method\":\"email\",\"amount\":12.345},\"warnings\":[],\"errors\":[],"
                           "\"digest\":\"sha256:test\"}\n");
    free(s);
    tctx_close(&c);
}

/* Output is valid JSON whatever the strings hold. */
static void test_json_escaping(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    static const char in[] = "q\"b\\s/\b\f\n\r\t\x01\x1f\x7f é中\xff\xc3(\xed\xa0\x80\xf0\x9f\x98\x80";
    rb_json_write_string(f, in, sizeof in - 1);
    rb_json_write_string(f, "a\0b", 3);
    fclose(f);
    assert_string_equal(buf, "\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f é中\\ufffd\\ufffd(\\ufffd\\ufffd"
                             "\\ufffd😀\"\"a\\u0000b\"");
    free(buf);

    /* through the writer: a syntax error message with raw bytes */
    tctx c;
    tctx_open(&c, tb_presales(), false);
    rb_record rec = {.number = 3, .syntax_error = "line 1: bad byte \xfe in \"x\"\n"};
    const rb_result *r = rb_eval_record(c.eval, &rec);
    char *s = ndjson(c.prog, r);
    assert_string_equal(s, "{\"record\":3,\"form\":\"presales\",\"period\":\"monthly\",\"ok\":false,\"fields\":{},"
                           "\"warnings\":[],\"errors\":[{\"path\":\"\",\"code\":\"syntax\","
                           "\"message\":\"line 1: bad byte \\ufffd in \\\"x\\\"\\n\"}],\"digest\":\"sha256:test\"}\n");
    free(s);
    tctx_close(&c);
}

/* ---- CSV -------------------------------------------------------------------- */

static void test_csv(void **state)
{
    (void)state;
    tctx c;
    tctx_open(&c, review_form(), false);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    rb_rows *rows = rb_rows_new(c.prog, RB_LANG_EN);
    rb_rows_csv_header(rows, f);
    rb_rows_csv(rows, f, tctx_eval(&c, REVIEW_RECORD, false));
    rb_rows_csv(rows, f, tctx_eval(&c, "{\"name\":\"x, y\",\"t1\":9,\"d1\":{}}", false));
    rb_rows_free(rows);
    fclose(f);
    /* SPEC §16: a BOM, labels, fields first, the grade's label, section
     * scores, outputs, then the record's number, validity, warnings and
     * errors as text */
    assert_string_equal(
        buf,
        "\xEF\xBB\xBFname,total,grade,工作目标,行为表现,discipline,attitude,系数,pass,memo,record,valid,warnings,errors\r\n"
        "张三,84.3,良好,50.4,85,44,45,0.3,yes,\"a\"\"b\tc\",1,yes,,\r\n"
        "\"x, y\",,,,,,,,,,1,no,,\"t1 = 9 must give one value per rater, like {\"\"manager\"\": …}; "
        "d1.manager is required but missing; d1.director is required but missing; "
        "a1 is required but missing; late is required but missing\"\r\n");
    free(buf);
    /* the headers and yes/no in Chinese */
    f = open_memstream(&buf, &len);
    rows = rb_rows_new(c.prog, RB_LANG_ZH);
    rb_rows_csv_header(rows, f);
    rb_rows_csv(rows, f, tctx_eval(&c, REVIEW_RECORD, false));
    rb_rows_free(rows);
    fclose(f);
    assert_string_equal(buf, "\xEF\xBB\xBFname,总分,等级,工作目标,行为表现,discipline,attitude,系数,pass,memo,记录,有效,警告,错误\r\n"
                             "张三,84.3,良好,50.4,85,44,45,0.3,是,\"a\"\"b\tc\",1,是,,\r\n");
    free(buf);
    tctx_close(&c);
}

/* ---- xlsx ---------------------------------------------------------------------- */

/* Reads sheet `sheet` of the workbook back (xlsx.h) as CSV lines. */
static char *sheet_back(const char *path, const char *sheet, char **name)
{
    rb_xlsx *x = rb_xlsx_open(path, sheet, RB_LANG_EN);
    assert_null(rb_xlsx_error(x));
    if (name) *name = strdup(rb_xlsx_sheet(x));
    rb_buf b = {0};
    char block[4096];
    size_t n;
    while ((n = fread(block, 1, sizeof block, rb_xlsx_csv(x))) > 0) rb_buf_add(&b, block, n);
    rb_xlsx_close(x);
    return b.s;
}

/* Past a sheet's last row the results go on in a new sheet with the
 * header again (Excel's 1 048 576 rows, lowered here to 3: a header and
 * two records); every record is there, in order, numbers as numbers. */
static void test_xlsx_sheets(void **state)
{
    (void)state;
    tctx c;
    tctx_open(&c, tb_presales(), false);
    char path[] = "/tmp/rubric-test-rows-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    rb_rows *rows = rb_rows_new(c.prog, RB_LANG_EN);
    char err[256];
    rb_rows_xlsx *x = rb_rows_xlsx_open(rows, path, err, sizeof err);
    assert_non_null(x);
    unsigned long saved = rb_rows_xlsx_sheet_rows;
    rb_rows_xlsx_sheet_rows = 3;
    for (int i = 0; i < 5; i++) rb_rows_xlsx_add(x, tctx_eval(&c, i == 3 ? "{\"name\":\"x\"}" : PRESALES_RECORD, false));
    rb_rows_xlsx_sheet_rows = saved;
    assert_int_equal(rb_rows_xlsx_close(x, err, sizeof err), 0);
    rb_rows_free(rows);
    char *first, *text = sheet_back(path, NULL, &first);
    assert_string_equal(first, "售前客服绩效考核表");
    assert_string_equal(strchr(text, '\n') + 1,
                        "\"李娜\",\"2026-10-31\",\"87\",\"良好\",\"36\",\"34\",\"17\",\"1\",\"yes\",,\n"
                        "\"李娜\",\"2026-10-31\",\"87\",\"良好\",\"36\",\"34\",\"17\",\"1\",\"yes\",,\n");
    assert_non_null(strstr(text, "\"total\",\"grade\",\"服务态度与沟通能力\""));
    int lines = 0;
    for (const char *s = text; (s = strchr(s, '\n')); s++) lines++;
    assert_int_equal(lines, 3);
    free(text);
    text = sheet_back(path, "售前客服绩效考核表 (2)", NULL);
    assert_non_null(strstr(text, "\"x\""));         /* record 4, invalid, on the second sheet */
    assert_non_null(strstr(text, "date is required"));
    free(text);
    text = sheet_back(path, "售前客服绩效考核表 (3)", NULL);
    lines = 0;
    for (const char *s = text; (s = strchr(s, '\n')); s++) lines++;
    assert_int_equal(lines, 2); /* the header and record 5 */
    free(text);
    free(first);
    unlink(path);
    tctx_close(&c);
}

/* ---- table -------------------------------------------------------------------- */

static void test_table(void **state)
{
    (void)state;
    tctx c;
    tctx_open(&c, tb_presales(), false);
    rb_table *t = rb_table_new(c.prog, RB_LANG_EN);
    const rb_result *r = tctx_eval(&c, PRESALES_RECORD, false);
    rb_table_add(t, r);
    r = tctx_eval(&c, "{\"name\":\"Alexander\",\"date\":\"2026-10-31\",\"knowledge\":10,\"initiative\":10,"
                      "\"expression\":10,\"patience\":10,\"technique\":15,\"target\":15,\"satisfaction\":10,"
                      "\"teamwork\":10,\"learning\":10}", false);
    rb_table_add(t, r);
    r = tctx_eval(&c, "{\"name\":\"欧阳\\t娜娜\",\"knowledge\":11}", false);
    rb_table_add(t, r);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    rb_table_write(t, f);
    fclose(f);
    rb_table_free(t);
    assert_string_equal(buf,
                        "#  name       total  grade  result\n"
                        "-  ---------  -----  -----  ------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------\n"
                        "1  李娜          87  良好   ok\n"
                        "1  Alexander    100  优秀   ok\n"
                        /* errors in full up to the width, then a count */
                        "1  欧阳 娜娜                invalid: date is required but missing; knowledge = 11 is outside 0..10; "
                        "initiative is required but missing; expression is required but missing; patience is required "
                        "but missing (+5 more)\n");
    free(buf);
    tctx_close(&c);
}

/* ---- explain ------------------------------------------------------------------ */

static void test_explain(void **state)
{
    (void)state;
    tctx c;
    tctx_open(&c, review_form(), false);
    char *s = tb_capture(rb_write_explain, c.prog, tctx_eval(&c, REVIEW_RECORD, false));
    assert_string_equal(
        s,
        "record 1 (t.json, line 1), form review, version 2026-04: valid\n"
        "  fields:\n"
        "    name = \"张三\"\n"
        "  section work \"工作目标\": 50.4 of 60 (of 100 declared: what does not apply leaves the full mark), "
        "weight 70%\n"
        "    item t1: 50.4 of 60 = 60% × manager 54 + 40% × director 45 (self gave 50, weight 0%: not counted)\n"
        "    item t2: not applicable\n"
        "    = t1 50.4 = 50.4\n"
        "  section conduct \"行为表现\": 85 of 100, weight 30%\n"
        "    section discipline: 44 of 50\n"
        "      item d1: 44 of 50 = 60% × manager 40 + 40% × director 50\n"
        "      = d1 44 = 44\n"
        "    section attitude: 45 of 50\n"
        "      item a1: 45 of 50 = 60% × manager 45 + 40% × director 45\n"
        "      = a1 45 = 45\n"
        "    deduct late \"迟到\": −4 of 10\n"
        "    = discipline 44 + attitude 45 − late 4 = 85\n"
        "  total: 84.3 of 100\n"
        "    = 100 × (70% × work 50.4/60 + 30% × conduct 85/100) = 84.3\n"
        "  grade: good \"良好\" (84.3 >= 75: the first arm that holds)\n"
        "  outputs:\n"
        "    coef \"系数\" = 1/3 ≈ 0.3\n"
        "    pass = true\n"
        "    memo = \"a\"b c\"\n"
        "  warnings: none\n"
        "  errors: none\n"
        "\n");
    free(s);

    /* renormalised weights and an invalid record */
    s = tb_capture(rb_write_explain, c.prog,
                   tctx_eval(&c, "{\"name\":\"x\",\"t1\":{\"manager\":60,\"director\":60},\"t2\":\"n/a\","
                                 "\"d1\":{\"manager\":80,\"director\":50},\"a1\":{\"manager\":50,\"director\":50},"
                                 "\"late\":0}", false));
    assert_non_null(strstr(s, "invalid (1 error)\n"));
    assert_non_null(strstr(s, "  errors:\n    range at d1.manager: d1.manager = 80 is outside 0..50\n"));
    free(s);
    tctx_close(&c);

    /* an unweighted form where an item does not apply: rescaled to the scale */
    rb_program *p = tb_presales();
    p->items[3].optional = 1;
    p->inputs[p->items[3].input].required = 0;
    p->slots[p->items[3].slot].maybe = 1;
    tctx_open(&c, p, false);
    s = tb_capture(rb_write_explain, c.prog,
                   tctx_eval(&c, "{\"name\":\"李娜\",\"date\":\"2026-10-31\",\"knowledge\":9,\"initiative\":8,"
                                 "\"expression\":9,\"patience\":\"n/a\",\"technique\":12,\"target\":13,"
                                 "\"satisfaction\":9,\"teamwork\":8,\"learning\":9}", false));
    assert_non_null(strstr(s, "  section attitude \"服务态度与沟通能力\": 26 of 30 (of 40 declared: what does not apply "
                              "leaves the full mark)\n"));
    assert_non_null(strstr(s, "    item patience \"耐心与友善\": not applicable\n"));
    assert_non_null(strstr(s, "  total: 85.56 of 100 (85.555556… rounded to 2 digits)\n"
                              "    = 100 × (attitude 26 + sales 34 + growth 17) ÷ 90 = 85.56 (rescaled to the scale)\n"
                              "  grade: good \"良好\" (85.56 >= 75: the first arm that holds)\n"));
    free(s);
    tctx_close(&c);
}

/* Once warmed up, evaluating a record and writing its NDJSON result
 * allocate nothing but arena memory (issue 8.5; the reading side is
 * test_record.c's reading_allocates_nothing_per_record): every template's
 * records and cases, valid and invalid, parsed as `score -j` parses them
 * (rb_line_parse), scored and written 20 times over with every heap
 * allocation made to fail after the first round. */
static void scoring_allocates_nothing_per_record(void **state)
{
    (void)state;
    glob_t templates;
    assert_int_equal(glob("templates/*.rubric", 0, NULL, &templates), 0);
    assert_true(templates.gl_pathc >= 10);
    for (size_t t = 0; t < templates.gl_pathc; t++) {
        char path[256], err[256], name[128];
        snprintf(name, sizeof name, "%.*s", (int)(strlen(templates.gl_pathv[t]) - strlen("templates/") - strlen(".rubric")),
                 templates.gl_pathv[t] + strlen("templates/"));
        rb_source *src = rb_source_read(templates.gl_pathv[t], RB_LANG_EN, err, sizeof err);
        assert_non_null(src);
        rb_diags d;
        rb_diags_init(&d);
        rb_program *p = rb_compile(src, NULL, 0, &d);
        assert_non_null(p);
        /* the lines to score: the template's records, then its cases' records */
        rb_buf lines = {0};
        const char *const files[] = {"records.ndjson", "cases.ndjson"};
        for (int f = 0; f < 2; f++) {
            snprintf(path, sizeof path, "templates/%s.%s", name, files[f]);
            char *text = read_whole_file(path);
            assert_non_null(text);
            for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
                const char *rec = f == 0 ? l : strstr(l, "\"record\":");
                if (!rec) continue; /* a sequence case: its steps are other templates' concern */
                if (f == 1) rec += strlen("\"record\":");
                rb_buf_printf(&lines, "%s\n", rec);
            }
            free(text);
        }
        rb_eval_options eo = {0};
        rb_eval *ev = rb_eval_new(p, &eo);
        rb_ndjson_writer *w = rb_ndjson_writer_new(p);
        rb_line_parser *lp = rb_line_parser_new(RB_LANG_EN);
        rb_out out;
        rb_out_init_memory(&out);
        volatile int round = 0, scored = 0, invalid = 0, nlines = 0;
        rb_alloc_guard g;
        rb_alloc_enter(&g, RB_ALLOC_UNWIND);
        if (setjmp(g.env) != 0) {
            rb_alloc_failed(&g);
            rb_alloc_fail_after(-1);
            fail_msg("%s: round %d, record %d allocated from the heap", name, round, scored + 1);
        }
        for (round = 0; round < 20; round++) {
            if (round == 1) rb_alloc_fail_after(0); /* round 0 warms up */
            uint64_t n = 0;
            for (const char *l = lines.s; *l;) {
                const char *end = strchr(l, '\n');
                rb_record rec;
                /* a record that is not one object ("[]" in a case) is scored
                 * too: a syntax error */
                n++;
                rb_line_parse(lp, &rec, "t.ndjson", l, (size_t)(end - l), n, 1, n);
                const rb_result *r = rb_eval_record(ev, &rec);
                out.len = 0;
                rb_ndjson_write(w, &out, r);
                assert_true(out.len > 0 && out.buf[out.len - 1] == '\n');
                if (round == 0) invalid += !r->ok, nlines++;
                else scored++;
                l = end + 1;
            }
        }
        rb_alloc_fail_after(-1);
        rb_alloc_leave(&g);
        assert_int_equal(scored, 19 * nlines);
        assert_true(nlines >= 3 && invalid > 0); /* error paths are covered too */
        rb_out_free(&out);
        rb_line_parser_free(lp);
        rb_ndjson_writer_free(w);
        rb_eval_free(ev);
        rb_free(lines.s);
        rb_program_free(p);
        rb_diags_free(&d);
        rb_source_free(src);
    }
    globfree(&templates);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scoring_allocates_nothing_per_record),
        cmocka_unit_test(test_ndjson_presales),
        cmocka_unit_test(test_ndjson_nested),
        cmocka_unit_test(test_ndjson_validation_form),
        cmocka_unit_test(test_json_escaping),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_xlsx_sheets),
        cmocka_unit_test(test_explain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
