/* test_vm.c — the evaluator (vm.c): binding errors with their exact codes,
 * paths and messages, SPEC §5 scoring (weights, deductions, renormalisation),
 * raters, runtime errors, the opcodes, and that only verified programs
 * are evaluated.  Programs are built by hand (vmtest.h). */
#include "vmtest.h"

/* ---- SPEC §1 ------------------------------------------------------------- */

static void test_presales_total(void **state)
{
    (void)state;
    tctx c;
    tctx_open(&c, tb_presales(), false);
    const rb_result *r = tctx_eval(&c, PRESALES_RECORD, false);
    assert_true(r->ok);
    assert_true(r->has_total);
    assert_num(r->total, "87");
    assert_num(r->scale, "100");
    assert_true(r->has_grade);
    assert_string_equal(r->grade_id, "good");
    assert_string_equal(r->grade_label, "良好");
    assert_num(r->sections[1].score, "36");
    assert_num(r->sections[2].score, "34");
    assert_num(r->sections[3].score, "17");
    assert_int_equal(r->nfields, 2);
    assert_string_equal(r->fields[0].name, "name");
    assert_string_equal(r->fields[0].value.s, "李娜");
    assert_string_equal(r->fields[1].value.s, "2026-10-31");
    assert_string_equal(r->period, "monthly");
    /* the evaluator is reusable: a second record starts clean */
    r = tctx_eval(&c, "{\"name\":\"王五\",\"date\":\"2026-10-31\",\"knowledge\":10,\"initiative\":10,"
                      "\"expression\":10,\"patience\":10,\"technique\":15,\"target\":15,\"satisfaction\":10,"
                      "\"teamwork\":10,\"learning\":10}", false);
    assert_true(r->ok);
    assert_num(r->total, "100");
    assert_string_equal(r->grade_id, "excellent");
    tctx_close(&c);
}

/* ---- weights --------------------------------------------------------------- */

/* Root weighted 30% / 70% over two 100-point sections: 0.3*76 + 0.7*96 is
 * exactly 90, so ">= 90" holds (binary floating point would say 89.999…). */
static rb_program *weighted_form(bool optional_a)
{
    tb t;
    tb_init(&t, "weighted", "100", true);
    uint32_t a = tb_section(&t, "work", "工作目标", 0, "100", "0.3", false);
    tb_item_full(&t, "a1", NULL, a, "60", NULL, true, false, optional_a, false);
    tb_item_full(&t, "a2", NULL, a, "40", NULL, true, false, optional_a, false);
    uint32_t b = tb_section(&t, "conduct", "行为表现", 0, "100", "0.7", false);
    tb_item(&t, "b1", b, "100");
    tb_grade_presales(&t);
    return tb_finish(&t);
}

static void test_weighted_sections(void **state)
{
    (void)state;
    tctx c;
    tctx_open(&c, weighted_form(false), false);
    const rb_result *r = tctx_eval(&c, "{\"a1\":40,\"a2\":36,\"b1\":96}", false);
    assert_true(r->ok);
    assert_num(r->sections[1].score, "76");
    assert_num(r->sections[2].score, "96");
    assert_num(r->total_exact, "90");
    assert_num(r->total, "90");
    assert_string_equal(r->grade_id, "excellent");
    tctx_close(&c);
}

/* A weighted sibling that does not apply leaves; the rest is renormalised. */
static void test_weighted_renormalisation(void **state)
{
    (void)state;
    tctx c;
    tctx_open(&c, weighted_form(true), false);
    const rb_result *r = tctx_eval(&c, "{\"a1\":null,\"a2\":\"n/a\",\"b1\":96}", false);
    assert_true(r->ok);
    assert_false(r->sections[1].applicable);
    assert_true(r->sections[2].applicable);
    assert_num(r->total, "96");
    assert_true(r->sections[0].rescaled);
    assert_num(r->sections[0].applicable_weight, "0.7");
    /* one optional item absent: its section keeps its full mark */
    r = tctx_eval(&c, "{\"a1\":45,\"b1\":50}", false);
    assert_true(r->ok);
    assert_num(r->sections[1].score, "45"); /* of the 60 that apply */
    assert_num(r->sections[1].full, "60");
    assert_num(r->total_exact, "57.5");     /* 100 × (0.3 × 45/60 + 0.7 × 50/100) */
    tctx_close(&c);
}

/* ---- unweighted not-applicable rescaling ------------------------------- */

static rb_program *presales_optional(void)
{
    tb t;
    tb_init(&t, "presales", NULL, false);
    uint32_t a = tb_section(&t, "attitude", NULL, 0, "40", NULL, false);
    tb_item(&t, "knowledge", a, "10");
    tb_item(&t, "initiative", a, "10");
    tb_item(&t, "expression", a, "10");
    tb_item_full(&t, "patience", NULL, a, "10", NULL, true, false, true, false);
    uint32_t s = tb_section(&t, "sales", NULL, 0, "40", NULL, false);
    tb_item(&t, "technique", s, "15");
    tb_item(&t, "target", s, "15");
    tb_item(&t, "satisfaction", s, "10");
    uint32_t g = tb_section(&t, "growth", NULL, 0, "20", NULL, false);
    tb_item_full(&t, "teamwork", NULL, g, "10", NULL, true, false, true, false);
    tb_item_full(&t, "learning", NULL, g, "10", NULL, true, false, true, false);
    tb_grade_presales(&t);
    return tb_finish(&t);
}

static void test_unweighted_not_applicable(void **state)
{
    (void)state;
    tctx c;
    tctx_open(&c, presales_optional(), false);
    /* patience n/a: it leaves attitude's full mark (26 of 30); the total is
     * rescaled: 100 × (26 + 34 + 17) ÷ (30 + 40 + 20) */
    const rb_result *r = tctx_eval(&c, "{\"knowledge\":9,\"initiative\":8,\"expression\":9,\"patience\":\"n/a\","
                                       "\"technique\":12,\"target\":13,\"satisfaction\":9,\"teamwork\":8,"
                                       "\"learning\":9}", false);
    assert_true(r->ok);
    assert_false(r->items[3].applicable);
    assert_num(r->sections[1].score, "26");
    assert_num(r->sections[1].full, "30");
    assert_false(r->sections[1].rescaled);
    assert_true(r->sections[0].rescaled);
    assert_num(r->sections[0].applicable_full, "90");
    assert_num(r->total_exact, "770/9");
    assert_num(r->total, "85.56");
    assert_string_equal(r->grade_id, "good");
    /* all of growth absent: the section leaves the form; total = 100 × 70/80 */
    r = tctx_eval(&c, "{\"knowledge\":9,\"initiative\":8,\"expression\":9,\"patience\":10,"
                      "\"technique\":12,\"target\":13,\"satisfaction\":9}", false);
    assert_true(r->ok);
    assert_false(r->sections[3].applicable);
    assert_num(r->sections[0].applicable_full, "80");
    assert_num(r->total, "87.5");
    tctx_close(&c);
}

/* ---- deductions -------------------------------------------------------- */

static void test_deductions_floored(void **state)
{
    (void)state;
    tb t;
    tb_init(&t, "ded", "10", false);
    uint32_t s = tb_section(&t, "discipline", "工作纪律", 0, "10", NULL, false);
    tb_item(&t, "attendance", s, "10");
    tb_item_full(&t, "late", NULL, s, "5", NULL, true, true, false, false);
    tb_item_full(&t, "penalty", NULL, 0, "20", NULL, true, true, false, false);
    tctx c;
    tctx_open(&c, tb_finish(&t), false);
    const rb_result *r = tctx_eval(&c, "{\"attendance\":3,\"late\":5,\"penalty\":0}", false);
    assert_true(r->ok);
    assert_num(r->sections[1].raw, "3");
    assert_num(r->sections[1].deducted, "5");
    assert_true(r->sections[1].floored);
    assert_num(r->sections[1].score, "0");
    assert_num(r->total, "0");
    /* form-level deduction, total never below 0 */
    r = tctx_eval(&c, "{\"attendance\":9,\"late\":1,\"penalty\":3}", false);
    assert_num(r->sections[1].score, "8");
    assert_num(r->total, "5");
    r = tctx_eval(&c, "{\"attendance\":9,\"late\":1,\"penalty\":20}", false);
    assert_num(r->total, "0");
    assert_true(r->sections[0].floored);
    /* a deduction outside 0..points is a range error like an item */
    r = tctx_eval(&c, "{\"attendance\":9,\"late\":6,\"penalty\":0}", false);
    assert_one_error(r, "late", "range", "late = 6 is outside 0..5");
    tctx_close(&c);
}

/* ---- raters --------------------------------------------------------------- */

static rb_program *rated_form(void)
{
    tb t;
    tb_init(&t, "weekly", "10", false);
    tb_rater(&t, "self", "自我考评", "0");
    tb_rater(&t, "manager", "直接领导", "0.6");
    tb_rater(&t, "director", "分管领导", "0.4");
    uint32_t s = tb_section(&t, "behaviour", NULL, 0, "10", NULL, false);
    tb_item(&t, "teamwork", s, "10");
    return tb_finish(&t);
}

static void test_raters(void **state)
{
    (void)state;
    tctx c;
    tctx_open(&c, rated_form(), false);
    const rb_result *r = tctx_eval(&c, "{\"teamwork\":{\"self\":9,\"manager\":8,\"director\":7}}", false);
    assert_true(r->ok);
    assert_num(r->items[0].score, "7.6"); /* self's 9 is shown, never counted */
    assert_int_equal(r->items[0].raters[0].kind, RB_V_NUM);
    assert_num(r->items[0].raters[0].n, "9");
    assert_num(r->total, "7.6");
    /* the 0% rater is optional */
    r = tctx_eval(&c, "{\"teamwork\":{\"manager\":10,\"director\":5}}", false);
    assert_true(r->ok);
    assert_int_equal(r->items[0].raters[0].kind, RB_V_ABSENT);
    assert_num(r->items[0].score, "8");
    /* a required rater missing; another out of range; an unknown one */
    r = tctx_eval(&c, "{\"teamwork\":{\"self\":9,\"director\":12,\"drector\":7}}", false);
    assert_false(r->ok);
    assert_int_equal(r->nerrors, 3);
    assert_string_equal(r->errors[0].path, "teamwork.manager");
    assert_string_equal(r->errors[0].code, "missing");
    assert_string_equal(r->errors[0].message, "teamwork.manager is required but missing");
    assert_string_equal(r->errors[1].path, "teamwork.director");
    assert_string_equal(r->errors[1].code, "range");
    assert_string_equal(r->errors[1].message, "teamwork.director = 12 is outside 0..10");
    assert_string_equal(r->errors[2].path, "teamwork.drector");
    assert_string_equal(r->errors[2].code, "unknown");
    assert_string_equal(r->errors[2].message,
                        "unknown rater \"drector\" in teamwork (raters: self, manager, director); "
                        "did you mean \"director\"?");
    /* a plain number where raters are expected */
    r = tctx_eval(&c, "{\"teamwork\":8}", false);
    assert_one_error(r, "teamwork", "type", "teamwork = 8 must give one value per rater, like {\"manager\": …}");
    /* a rater given twice */
    r = tctx_eval(&c, "{\"teamwork\":{\"manager\":8,\"manager\":9,\"director\":7}}", false);
    assert_one_error(r, "teamwork.manager", "duplicate", "teamwork.manager is given 2 times");
    /* CSV: item.rater columns arrive as nested objects of string cells */
    r = tctx_eval(&c, "{\"teamwork\":{\"self\":null,\"manager\":\"8\",\"director\":\" 7 \"}}", true);
    assert_true(r->ok);
    assert_num(r->items[0].score, "7.6");
    tctx_close(&c);
}

/* ---- runtime errors ---------------------------------------------------- */

static void test_arith_division_by_zero(void **state)
{
    (void)state;
    tb t;
    tb_init(&t, "sales", NULL, false);
    uint32_t sales = tb_input(&t, "sales", SLOT_INPUT, RB_T_NUMBER, true, NULL, NULL);
    uint32_t plan = tb_input(&t, "plan", SLOT_INPUT, RB_T_NUMBER, true, NULL, NULL);
    uint32_t let = tb_slot(&t, "completion", "完成率", SLOT_LET, RB_T_NUMBER, false);
    tb_code(&t);
    tb_op1(&t, OP_LOAD, tb_p(&t)->inputs[sales].slot);
    tb_op1(&t, OP_LOAD, tb_p(&t)->inputs[plan].slot);
    tb_op(&t, OP_DIV);
    tb_unit(&t, U_VALUE, let, "let completion", 14);
    uint32_t it = tb_item_full(&t, "result", NULL, 0, "100", NULL, false, false, false, false);
    tb_code(&t);
    tb_op1(&t, OP_LOAD, let);
    tb_op1(&t, OP_CONST, tb_n(&t, "100"));
    tb_op(&t, OP_MUL);
    tb_op1(&t, OP_CONST, tb_n(&t, "0"));
    tb_op1(&t, OP_CONST, tb_n(&t, "100"));
    tb_op(&t, OP_CLAMP);
    tb_unit(&t, U_ITEM, it, "item result", 15);
    tctx c;
    tctx_open(&c, tb_finish(&t), false);
    const rb_result *r = tctx_eval(&c, "{\"sales\":85,\"plan\":100}", false);
    assert_true(r->ok);
    assert_num(r->total, "85");
    assert_int_equal(r->nlets, 1);
    assert_num(r->lets[0].value.n, "0.85");
    r = tctx_eval(&c, "{\"sales\":85,\"plan\":0}", false);
    assert_one_error(r, "completion", "arith", "let completion (line 14): division by zero");
    assert_false(r->has_total);
    assert_false(r->scored);
    /* the next record is unaffected */
    r = tctx_eval(&c, "{\"sales\":150,\"plan\":100}", false);
    assert_true(r->ok);
    assert_num(r->total, "100");
    tctx_close(&c);
}

static void test_item_range(void **state)
{
    (void)state;
    tb t;
    tb_init(&t, "f", "10", false);
    uint32_t x = tb_input(&t, "x", SLOT_INPUT, RB_T_NUMBER, true, NULL, NULL);
    uint32_t it = tb_item_full(&t, "bonus", NULL, 0, "10", NULL, false, false, false, false);
    tb_code(&t);
    tb_op1(&t, OP_LOAD, tb_p(&t)->inputs[x].slot);
    tb_op1(&t, OP_CONST, tb_n(&t, "2"));
    tb_op(&t, OP_MUL);
    tb_unit(&t, U_ITEM, it, "item bonus", 7);
    tctx c;
    tctx_open(&c, tb_finish(&t), false);
    const rb_result *r = tctx_eval(&c, "{\"x\":4.5}", false);
    assert_true(r->ok);
    assert_num(r->total, "9");
    r = tctx_eval(&c, "{\"x\":6}", false);
    assert_one_error(r, "bonus", "item-range", "item bonus (line 7) = 12 is outside 0..10");
    r = tctx_eval(&c, "{\"x\":-0.25}", false);
    assert_one_error(r, "bonus", "item-range", "item bonus (line 7) = -0.5 is outside 0..10");
    tctx_close(&c);
}

/* ---- binding errors ---------------------------------------------------- */

static rb_program *inputs_form(void)
{
    tb t;
    tb_init(&t, "inputs", "10", false);
    tb_input(&t, "name", SLOT_FIELD, RB_T_TEXT, true, NULL, NULL);
    tb_input(&t, "date", SLOT_FIELD, RB_T_DATE, true, NULL, NULL);
    tb_input(&t, "count", SLOT_INPUT, RB_T_INTEGER, true, "0", NULL);
    tb_input(&t, "rate", SLOT_INPUT, RB_T_PERCENT, false, "0", "1");
    tb_input(&t, "active", SLOT_INPUT, RB_T_BOOL, false, NULL, NULL);
    /* choice: method { phone "电话", email "邮件", visit "上门" } */
    uint32_t o = rb_build_option(t.b, (rb_option){.id = tb_s(&t, "phone"), .label = tb_s(&t, "电话"),
                                                  .value = RB_NONE});
    rb_build_option(t.b, (rb_option){.id = tb_s(&t, "email"), .label = tb_s(&t, "邮件"), .value = RB_NONE});
    rb_build_option(t.b, (rb_option){.id = tb_s(&t, "visit"), .label = tb_s(&t, "上门"), .value = RB_NONE});
    uint32_t cs = rb_build_choiceset(t.b, (rb_choiceset){.first = o, .count = 3});
    uint32_t m = tb_input(&t, "method", SLOT_INPUT, RB_T_CHOICE, false, NULL, NULL);
    tb_p(&t)->slots[tb_p(&t)->inputs[m].slot].choiceset = cs;
    /* choices: tags { a, b, c } chosen 1..2 */
    uint32_t o2 = rb_build_option(t.b, (rb_option){.id = tb_s(&t, "a"), .label = tb_s(&t, "甲"), .value = tb_n(&t, "1")});
    rb_build_option(t.b, (rb_option){.id = tb_s(&t, "b"), .label = RB_NONE, .value = tb_n(&t, "2")});
    rb_build_option(t.b, (rb_option){.id = tb_s(&t, "c"), .label = RB_NONE, .value = tb_n(&t, "4")});
    uint32_t cs2 = rb_build_choiceset(t.b, (rb_choiceset){.first = o2, .count = 3, .numeric = 1});
    uint32_t tg = tb_input(&t, "tags", SLOT_INPUT, RB_T_CHOICES, false, "1", "2");
    tb_p(&t)->slots[tb_p(&t)->inputs[tg].slot].choiceset = cs2;
    uint32_t s = tb_section(&t, "main", NULL, 0, "10", NULL, false);
    tb_item(&t, "knowledge", s, "10");
    return tb_finish(&t);
}

#define OKREC "\"name\":\"n\",\"date\":\"2026-01-31\",\"count\":3,\"knowledge\":5"

static void test_bind_errors(void **state)
{
    (void)state;
    tctx c;
    tctx_open(&c, inputs_form(), false);
    const rb_result *r = tctx_eval(&c, "{" OKREC "}", false);
    assert_true(r->ok);
    assert_num(r->total, "5");

    r = tctx_eval(&c, "{" OKREC ",\"knowledge\":12}", false);
    assert_one_error(r, "knowledge", "duplicate", "knowledge is given 2 times");

    r = tctx_eval(&c, "{\"name\":\"n\",\"date\":\"2026-01-31\",\"count\":3,\"knowledge\":12}", false);
    assert_one_error(r, "knowledge", "range", "knowledge = 12 is outside 0..10");

    r = tctx_eval(&c, "{\"name\":\"n\",\"date\":\"2026-01-31\",\"count\":3}", false);
    assert_one_error(r, "knowledge", "missing", "knowledge is required but missing");

    r = tctx_eval(&c, "{\"name\":null,\"date\":\"2026-01-31\",\"count\":3,\"knowledge\":1}", false);
    assert_one_error(r, "name", "missing", "name is required but null");

    r = tctx_eval(&c, "{\"name\":\"n\",\"date\":\"2026-01-31\",\"count\":3,\"knowledge\":\"n/a\"}", false);
    assert_one_error(r, "knowledge", "missing", "knowledge is required: \"n/a\" is only allowed for optional items");

    r = tctx_eval(&c, "{\"name\":\"n\",\"date\":\"2026-01-31\",\"count\":3,\"knowledge\":\"nine\"}", false);
    assert_one_error(r, "knowledge", "type", "knowledge = \"nine\" is not a number");

    r = tctx_eval(&c, "{\"name\":\"n\",\"date\":\"2026-01-31\",\"count\":2.5,\"knowledge\":1}", false);
    assert_one_error(r, "count", "type", "count = 2.5 is not an integer");

    r = tctx_eval(&c, "{\"name\":\"n\",\"date\":\"2026-01-31\",\"count\":-1,\"knowledge\":1}", false);
    assert_one_error(r, "count", "range", "count = -1 must be >= 0");

    r = tctx_eval(&c, "{\"name\":\"n\",\"date\":\"2026-02-30\",\"count\":1,\"knowledge\":1}", false);
    assert_one_error(r, "date", "type", "date = \"2026-02-30\" is not a valid date (YYYY-MM-DD)");

    r = tctx_eval(&c, "{\"name\":\"n\",\"date\":\"2024-02-29\",\"count\":1,\"knowledge\":1}", false);
    assert_true(r->ok); /* a leap day */

    r = tctx_eval(&c, "{\"name\":7,\"date\":\"2026-01-31\",\"count\":1,\"knowledge\":1}", false);
    assert_one_error(r, "name", "type", "name = 7 is not text (write it as a string)");

    r = tctx_eval(&c, "{" OKREC ",\"rate\":1e400}", false);
    assert_one_error(r, "rate", "type", "rate = 1e400 cannot be represented exactly");

    r = tctx_eval(&c, "{" OKREC ",\"rate\":\"85%\"}", false);
    assert_true(r->ok);
    assert_num(r->inputs[1].value.n, "0.85");

    r = tctx_eval(&c, "{" OKREC ",\"rate\":\"120%\"}", false);
    assert_one_error(r, "rate", "range", "rate = \"120%\" is outside 0%..100%");

    r = tctx_eval(&c, "{" OKREC ",\"rate\":\"high\"}", false);
    assert_one_error(r, "rate", "type", "rate = \"high\" is not a percentage (write 0.85 or \"85%\")");

    r = tctx_eval(&c, "{" OKREC ",\"active\":\"yes\"}", false);
    assert_one_error(r, "active", "type", "active = \"yes\" is not true or false");

    r = tctx_eval(&c, "{" OKREC ",\"method\":\"fone\"}", false);
    assert_one_error(r, "method", "choice",
                     "method = \"fone\" is not an option (options: phone, email, visit); did you mean \"phone\"?");

    r = tctx_eval(&c, "{" OKREC ",\"method\":\"上门\"}", false); /* an exact label */
    assert_true(r->ok);
    assert_string_equal(r->inputs[1].name, "method");
    assert_int_equal(r->inputs[1].value.kind, RB_V_CHOICE);
    assert_int_equal(r->inputs[1].value.opt, 2);

    r = tctx_eval(&c, "{" OKREC ",\"method\":3}", false);
    assert_one_error(r, "method", "type", "method = 3 is not an option (write its id or label as a string)");

    r = tctx_eval(&c, "{" OKREC ",\"tags\":[\"a\",\"甲\"]}", false);
    assert_one_error(r, "tags", "duplicate", "tags: option \"a\" is chosen twice");

    r = tctx_eval(&c, "{" OKREC ",\"tags\":[\"a\",\"b\",\"c\"]}", false);
    assert_one_error(r, "tags", "range", "tags: 3 options chosen, outside 1..2");

    r = tctx_eval(&c, "{" OKREC ",\"tags\":[\"a\",\"d\"]}", false);
    assert_one_error(r, "tags", "choice", "tags = \"d\" is not an option (options: a, b, c)");

    r = tctx_eval(&c, "{" OKREC ",\"knowlege\":5}", false);
    assert_one_error(r, "knowlege", "unknown", "unknown key \"knowlege\"; did you mean \"knowledge\"?");

    r = tctx_eval(&c, "{" OKREC ",\"zzz\":1,\"zzz\":2}", false);
    assert_one_error(r, "zzz", "unknown", "unknown key \"zzz\": the form declares no such name");

    r = tctx_eval(&c, "{" OKREC ",\"main\":5}", false);
    assert_one_error(r, "main", "unknown",
                     "\"main\" is a section (its score is computed from its items), not a value a record gives");
    tctx_close(&c);
}

/* All binding errors of a record: input-table order, then unknown keys in
 * record order. */
static void test_bind_error_order(void **state)
{
    (void)state;
    tctx c;
    tctx_open(&c, inputs_form(), false);
    const rb_result *r = tctx_eval(&c, "{\"zeta\":1,\"knowledge\":11,\"count\":\"x\",\"alpha\":2,\"date\":\"x\"}",
                                   false);
    assert_false(r->ok);
    assert_int_equal(r->nerrors, 6);
    const char *want[][2] = {{"name", "missing"}, {"date", "type"},   {"count", "type"},
                             {"knowledge", "range"}, {"zeta", "unknown"}, {"alpha", "unknown"}};
    for (int i = 0; i < 6; i++) {
        assert_string_equal(r->errors[i].path, want[i][0]);
        assert_string_equal(r->errors[i].code, want[i][1]);
    }
    assert_false(r->scored);
    assert_int_equal(r->nfields, 0);
    tctx_close(&c);

    /* --allow-extra: unknown keys are skipped */
    tctx_open(&c, inputs_form(), true);
    r = tctx_eval(&c, "{" OKREC ",\"remark\":\"x\",\"teamwork\":{\"boss\":1}}", false);
    assert_true(r->ok);
    tctx_close(&c);
}

static void test_syntax_error(void **state)
{
    (void)state;
    tctx c;
    tctx_open(&c, inputs_form(), false);
    rb_record rec = {.number = 7, .source = "x.ndjson", .line = 7,
                     .syntax_error = "line 7, column 12: expected ',' or '}'"};
    const rb_result *r = rb_eval_record(c.eval, &rec);
    assert_int_equal(r->record, 7);
    assert_one_error(r, "", "syntax", "line 7, column 12: expected ',' or '}'");
    tctx_close(&c);
}

/* Records from CSV: every cell is a string, parsed per declared type. */
static void test_csv_cells(void **state)
{
    (void)state;
    tctx c;
    tctx_open(&c, inputs_form(), false);
    const rb_result *r = tctx_eval(&c, "{\"name\":\"n\",\"date\":\"2026-01-31\",\"count\":\" 3 \",\"knowledge\":\"7.5\","
                                       "\"rate\":\"0.85\",\"active\":\"TRUE\",\"method\":\"邮件\",\"tags\":\"a; b\"}",
                                   true);
    assert_true(r->ok);
    assert_num(r->total, "7.5");
    assert_int_equal(r->ninputs, 5);
    assert_num(r->inputs[0].value.n, "3");
    assert_num(r->inputs[1].value.n, "0.85");
    assert_true(r->inputs[2].value.b);
    assert_int_equal(r->inputs[4].value.bits, 3);
    /* an empty cell is null: missing, said so */
    r = tctx_eval(&c, "{\"name\":null,\"date\":\"2026-01-31\",\"count\":\"3\",\"knowledge\":\"1\"}", true);
    assert_one_error(r, "name", "missing", "name is required but empty");
    r = tctx_eval(&c, "{\"name\":\"n\",\"date\":\"2026-01-31\",\"count\":\"three\",\"knowledge\":\"1\"}", true);
    assert_one_error(r, "count", "type", "count = \"three\" is not an integer");
    r = tctx_eval(&c, "{\"name\":\"n\",\"date\":\"2026-01-31\",\"count\":\"3\",\"knowledge\":\"1\",\"tags\":\"a;a\"}",
                  true);
    assert_one_error(r, "tags", "duplicate", "tags: option \"a\" is chosen twice");
    /* an empty checklist cell is nothing ticked: here too few options */
    r = tctx_eval(&c, "{\"name\":\"n\",\"date\":\"2026-01-31\",\"count\":\"3\",\"knowledge\":\"1\",\"tags\":null}",
                  true);
    assert_one_error(r, "tags", "range", "tags: 0 options chosen, outside 1..2");
    /* in JSON a number must be a number */
    r = tctx_eval(&c, "{\"name\":\"n\",\"date\":\"2026-01-31\",\"count\":\"3\",\"knowledge\":1}", false);
    assert_one_error(r, "count", "type", "count = \"3\" is not an integer");
    tctx_close(&c);
}

/* ---- when items --------------------------------------------------------- */

static rb_program *when_form(void)
{
    tb t;
    tb_init(&t, "w", "20", false);
    uint32_t flag = tb_input(&t, "manager", SLOT_FIELD, RB_T_BOOL, true, NULL, NULL);
    uint32_t s = tb_section(&t, "main", NULL, 0, "20", NULL, false);
    tb_item(&t, "base", s, "10");
    uint32_t it = tb_item_full(&t, "leadership", NULL, s, "10", NULL, true, false, false, true);
    tb_code(&t);
    tb_op1(&t, OP_LOAD, tb_p(&t)->inputs[flag].slot);
    uint32_t u = tb_unit(&t, U_WHEN, it, "item leadership", 5);
    tb_p(&t)->items[it].when_unit = u;
    return tb_finish(&t);
}

static void test_when_items(void **state)
{
    (void)state;
    tctx c;
    tctx_open(&c, when_form(), false);
    const rb_result *r = tctx_eval(&c, "{\"manager\":true,\"base\":8,\"leadership\":9}", false);
    assert_true(r->ok);
    assert_num(r->total, "17");
    r = tctx_eval(&c, "{\"manager\":false,\"base\":8}", false);
    assert_true(r->ok);
    assert_false(r->items[1].applicable);
    assert_num(r->sections[1].full, "10");
    assert_num(r->total, "16"); /* 20 × 8/10 */
    r = tctx_eval(&c, "{\"manager\":false,\"base\":8,\"leadership\":9}", false);
    assert_one_error(r, "leadership", "not-applicable",
                     "leadership does not apply to this record (its `when` condition is false) but has a value");
    r = tctx_eval(&c, "{\"manager\":true,\"base\":8}", false);
    assert_one_error(r, "leadership", "missing",
                     "leadership is required here (its `when` condition holds) but missing");
    /* its value is still checked at binding */
    r = tctx_eval(&c, "{\"manager\":false,\"base\":8,\"leadership\":19}", false);
    assert_one_error(r, "leadership", "range", "leadership = 19 is outside 0..10");
    tctx_close(&c);
}

/* ---- checks, warnings, total, grade on ---------------------------------- */

static void test_check_warn_total(void **state)
{
    (void)state;
    tb t;
    tb_init(&t, "cw", "10", false);
    uint32_t x = tb_input(&t, "x", SLOT_INPUT, RB_T_NUMBER, true, NULL, NULL);
    uint32_t xs = tb_p(&t)->inputs[x].slot;
    uint32_t s = tb_section(&t, "main", NULL, 0, "10", NULL, false);
    tb_item(&t, "q", s, "10");
    tb_code(&t);
    tb_op1(&t, OP_LOAD, xs);
    tb_op1(&t, OP_CONST, tb_n(&t, "0"));
    tb_op(&t, OP_GE);
    tb_unit(&t, U_CHECK, tb_s(&t, "x must not be negative"), "check", 9);
    tb_code(&t);
    tb_op1(&t, OP_LOAD, xs);
    tb_op1(&t, OP_CONST, tb_n(&t, "20"));
    tb_op(&t, OP_LT);
    tb_unit(&t, U_WARN, tb_s(&t, "x is unusually large"), "warn", 10);
    /* total = q + x / 3 (exact), grade on x */
    tb_code(&t);
    tb_op1(&t, OP_LOAD, tb_p(&t)->items[0].slot);
    tb_op1(&t, OP_LOAD, xs);
    tb_op1(&t, OP_CONST, tb_n(&t, "3"));
    tb_op(&t, OP_DIV);
    tb_op(&t, OP_ADD);
    tb_p(&t)->total_unit = tb_unit(&t, U_TOTAL, 0, "total", 11);
    tb_code(&t);
    tb_op1(&t, OP_LOAD, xs);
    tb_p(&t)->grade_on_unit = tb_unit(&t, U_GRADE_ON, 0, "grade", 12);
    tb_grade_arm(&t, RB_ARM_GE, "20", "big", NULL);
    tb_grade_arm(&t, RB_ARM_ELSE, NULL, "small", NULL);
    tctx c;
    tctx_open(&c, tb_finish(&t), false);
    const rb_result *r = tctx_eval(&c, "{\"x\":1,\"q\":5}", false);
    assert_true(r->ok);
    assert_true(r->total_from_expr);
    assert_num(r->total_exact, "16/3");
    assert_num(r->total, "5.33");
    assert_string_equal(r->grade_id, "small");
    r = tctx_eval(&c, "{\"x\":24,\"q\":1}", false);
    assert_true(r->ok);
    assert_num(r->total, "9");
    assert_int_equal(r->nwarnings, 1);
    assert_string_equal(r->warnings[0].code, "warn");
    assert_string_equal(r->warnings[0].message, "x is unusually large");
    assert_string_equal(r->grade_id, "big");
    /* `grade on` is graded rounded to precision, like the total */
    r = tctx_eval(&c, "{\"x\":19.996,\"q\":1}", false);
    assert_true(r->ok);
    assert_string_equal(r->grade_id, "big");
    assert_num(r->grade_value, "20");
    /* `total = EXPR` beyond the scale is an item-range error */
    r = tctx_eval(&c, "{\"x\":30,\"q\":5}", false);
    assert_one_error(r, "total", "item-range", "total (line 11) = 15 is outside 0..10");
    r = tctx_eval(&c, "{\"x\":-3,\"q\":5}", false);
    assert_one_error(r, "", "check", "x must not be negative");
    assert_true(r->scored); /* evaluation went on; the record is invalid */
    assert_false(r->has_total);
    tctx_close(&c);
}

/* ---- opcodes ------------------------------------------------------------- */

static void emit_coalesce(tb *t, uint32_t x);

/* A let computed by `ops`, evaluated on the record {"x": X}. */
typedef void (*emit_fn)(tb *t, uint32_t xslot);

static const rb_result *eval_let(tctx *c, emit_fn emit, const char *record)
{
    tb t;
    tb_init(&t, "ops", "10", false);
    tb_p(&t)->has_items = 0;
    /* x is optional only where the code tests it (?? needs a maybe) */
    uint32_t x = tb_input(&t, "x", SLOT_INPUT, RB_T_NUMBER, emit != emit_coalesce, NULL, NULL);
    uint32_t let = tb_slot(&t, "v", NULL, SLOT_OUTPUT, RB_T_NUMBER, false);
    tb_code(&t);
    emit(&t, tb_p(&t)->inputs[x].slot);
    tb_unit(&t, U_VALUE, let, "output v", 3);
    tctx_open(c, tb_finish(&t), false);
    return tctx_eval(c, record, false);
}

static void emit_exact(tb *t, uint32_t x)
{
    (void)x; /* 0.1 + 0.2 == 0.3 and 1/3 + 1/3 + 1/3 == 1 */
    tb_op1(t, OP_CONST, tb_n(t, "0.1"));
    tb_op1(t, OP_CONST, tb_n(t, "0.2"));
    tb_op(t, OP_ADD);
    tb_op1(t, OP_CONST, tb_n(t, "0.3"));
    tb_op(t, OP_EQ);
    uint32_t j = rb_build_op1(t->b, OP_JUMPF, 0);
    tb_op1(t, OP_CONST, tb_n(t, "1"));
    tb_op1(t, OP_CONST, tb_n(t, "3"));
    tb_op(t, OP_DIV);
    tb_op1(t, OP_CONST, tb_n(t, "3"));
    tb_op(t, OP_MUL);
    uint32_t k = rb_build_op1(t->b, OP_JUMP, 0);
    rb_build_patch(t->b, j, rb_build_here(t->b));
    tb_op1(t, OP_CONST, tb_n(t, "-1"));
    rb_build_patch(t->b, k, rb_build_here(t->b));
}

static void emit_minmaxavg(tb *t, uint32_t x)
{
    /* avg(min(x, 4, 9), max(x, 4, 9), round(2.675, 2), floor(-1.5), ceil(1.2), abs(-3)) */
    tb_op1(t, OP_LOAD, x);
    tb_op1(t, OP_CONST, tb_n(t, "4"));
    tb_op1(t, OP_CONST, tb_n(t, "9"));
    tb_op1(t, OP_MIN, 3);
    tb_op1(t, OP_LOAD, x);
    tb_op1(t, OP_CONST, tb_n(t, "4"));
    tb_op1(t, OP_CONST, tb_n(t, "9"));
    tb_op1(t, OP_MAX, 3);
    tb_op1(t, OP_CONST, tb_n(t, "2.675"));
    tb_op1(t, OP_CONST, tb_n(t, "2"));
    tb_op(t, OP_ROUND);
    tb_op1(t, OP_CONST, tb_n(t, "-1.5"));
    tb_op(t, OP_FLOOR);
    tb_op1(t, OP_CONST, tb_n(t, "1.2"));
    tb_op(t, OP_CEIL);
    tb_op1(t, OP_CONST, tb_n(t, "-3"));
    tb_op(t, OP_ABS);
    tb_op1(t, OP_AVG, 6);
}

static void emit_band(tb *t, uint32_t x)
{
    /* band x { >= 90: 1.2  >= 60: 1  else: 0.8 } */
    rb_program *p = tb_p(t);
    tb_op1(t, OP_LOAD, x);
    uint32_t first = p->narms;
    uint32_t a0 = rb_build_arm(t->b, (rb_arm){.op = RB_ARM_GE, .threshold = tb_n(t, "90"), .id = RB_NONE, .label = RB_NONE});
    rb_build_arm(t->b, (rb_arm){.op = RB_ARM_GE, .threshold = tb_n(t, "60"), .id = RB_NONE, .label = RB_NONE});
    rb_build_arm(t->b, (rb_arm){.op = RB_ARM_ELSE, .threshold = RB_NONE, .id = RB_NONE, .label = RB_NONE});
    (void)a0;
    uint32_t band = rb_build_band(t->b, (rb_band){.first_arm = first, .narms = 3});
    tb_op1(t, OP_BAND, band);
    const char *res[] = {"1.2", "1", "0.8"};
    uint32_t ends[3];
    for (int i = 0; i < 3; i++) {
        tb_p(t)->arms[first + (uint32_t)i].target = rb_build_here(t->b);
        tb_op1(t, OP_CONST, tb_n(t, res[i]));
        ends[i] = rb_build_op1(t->b, OP_JUMP, 0);
    }
    for (int i = 0; i < 3; i++) rb_build_patch(t->b, ends[i], rb_build_here(t->b));
}

static void emit_coalesce(tb *t, uint32_t x)
{
    /* x ?? 7 */
    tb_op1(t, OP_LOAD, x);
    tb_op(t, OP_PRESENT);
    uint32_t j = rb_build_op1(t->b, OP_JUMPF, 0);
    tb_op1(t, OP_LOADV, x);
    uint32_t k = rb_build_op1(t->b, OP_JUMP, 0);
    rb_build_patch(t->b, j, rb_build_here(t->b));
    tb_op1(t, OP_CONST, tb_n(t, "7"));
    rb_build_patch(t->b, k, rb_build_here(t->b));
}

static void emit_clamp_bad(tb *t, uint32_t x)
{
    tb_op1(t, OP_LOAD, x);
    tb_op1(t, OP_CONST, tb_n(t, "5"));
    tb_op1(t, OP_CONST, tb_n(t, "3"));
    tb_op(t, OP_CLAMP);
}

static void emit_overflow(tb *t, uint32_t x)
{
    (void)x;
    tb_op1(t, OP_CONST, tb_n(t, "9000000000000000000"));
    tb_op1(t, OP_CONST, tb_n(t, "10"));
    tb_op(t, OP_MUL);
}

static void emit_round_neg(tb *t, uint32_t x)
{
    tb_op1(t, OP_LOAD, x);
    tb_op1(t, OP_CONST, tb_n(t, "-2"));
    tb_op(t, OP_ROUND);
}

static void test_opcodes(void **state)
{
    (void)state;
    tctx c;
    const rb_result *r = eval_let(&c, emit_exact, "{\"x\":0}");
    assert_true(r->ok);
    assert_false(r->has_total); /* a pure validation form */
    assert_num(r->outputs[0].value.n, "1");
    tctx_close(&c);

    r = eval_let(&c, emit_minmaxavg, "{\"x\":5}");
    assert_true(r->ok);
    /* (4 + 9 + 2.68 + -2 + 2 + 3) / 6, exactly */
    assert_num(r->outputs[0].value.n, "467/150");
    tctx_close(&c);

    const char *in[] = {"{\"x\":95}", "{\"x\":60}", "{\"x\":59.99}"}, *out[] = {"1.2", "1", "0.8"};
    for (int i = 0; i < 3; i++) {
        r = eval_let(&c, emit_band, in[i]);
        assert_true(r->ok);
        assert_num(r->outputs[0].value.n, out[i]);
        tctx_close(&c);
    }

    r = eval_let(&c, emit_coalesce, "{}");
    assert_num(r->outputs[0].value.n, "7");
    tctx_close(&c);
    r = eval_let(&c, emit_coalesce, "{\"x\":null}");
    assert_num(r->outputs[0].value.n, "7");
    tctx_close(&c);
    r = eval_let(&c, emit_coalesce, "{\"x\":2}");
    assert_num(r->outputs[0].value.n, "2");
    tctx_close(&c);

    r = eval_let(&c, emit_clamp_bad, "{\"x\":2}");
    assert_one_error(r, "v", "arith", "output v (line 3): clamp: the lower bound 5 is above the upper bound 3");
    tctx_close(&c);

    r = eval_let(&c, emit_overflow, "{\"x\":0}");
    assert_one_error(r, "v", "arith", "output v (line 3): the exact result is too large to represent");
    tctx_close(&c);

    r = eval_let(&c, emit_round_neg, "{\"x\":1250}");
    assert_num(r->outputs[0].value.n, "1300");
    tctx_close(&c);
}

/* count / has / tonum on a choices input and == on a choice */
static void test_choice_ops(void **state)
{
    (void)state;
    tb t;
    tb_init(&t, "ch", "10", false);
    tb_p(&t)->has_items = 0;
    uint32_t o = rb_build_option(t.b, (rb_option){.id = tb_s(&t, "a"), .label = RB_NONE, .value = tb_n(&t, "1")});
    rb_build_option(t.b, (rb_option){.id = tb_s(&t, "b"), .label = RB_NONE, .value = tb_n(&t, "2.5")});
    rb_build_option(t.b, (rb_option){.id = tb_s(&t, "c"), .label = RB_NONE, .value = tb_n(&t, "4")});
    uint32_t cs = rb_build_choiceset(t.b, (rb_choiceset){.first = o, .count = 3, .numeric = 1});
    uint32_t in = tb_input(&t, "set", SLOT_INPUT, RB_T_CHOICES, true, NULL, NULL);
    uint32_t one = tb_input(&t, "one", SLOT_INPUT, RB_T_CHOICE, true, NULL, NULL);
    rb_program *p = tb_p(&t);
    uint32_t ss = p->inputs[in].slot, os = p->inputs[one].slot;
    p->slots[ss].choiceset = cs;
    p->slots[os].choiceset = cs;
    uint32_t out = tb_slot(&t, "out", NULL, SLOT_OUTPUT, RB_T_NUMBER, false);
    /* out = count(set) * 100 + tonum(set) + (if has(set, "c") then 1000 else 0)
     *       + (if one == "b" then 10000 else 0) */
    tb_code(&t);
    tb_op1(&t, OP_LOAD, ss);
    tb_op(&t, OP_COUNT);
    tb_op1(&t, OP_CONST, tb_n(&t, "100"));
    tb_op(&t, OP_MUL);
    tb_op1(&t, OP_LOAD, ss);
    tb_op(&t, OP_TONUM);
    tb_op(&t, OP_ADD);
    tb_op1(&t, OP_LOAD, ss);
    tb_op1(&t, OP_HAS, o + 2);
    uint32_t j = rb_build_op1(t.b, OP_JUMPF, 0);
    tb_op1(&t, OP_CONST, tb_n(&t, "1000"));
    tb_op(&t, OP_ADD);
    rb_build_patch(t.b, j, rb_build_here(t.b));
    tb_op1(&t, OP_LOAD, os);
    tb_op1(&t, OP_OPTION, o + 1);
    tb_op(&t, OP_EQ);
    j = rb_build_op1(t.b, OP_JUMPF, 0);
    tb_op1(&t, OP_CONST, tb_n(&t, "10000"));
    tb_op(&t, OP_ADD);
    rb_build_patch(t.b, j, rb_build_here(t.b));
    tb_unit(&t, U_VALUE, out, "output out", 2);
    tctx c;
    tctx_open(&c, tb_finish(&t), false);
    const rb_result *r = tctx_eval(&c, "{\"set\":[\"a\",\"b\"],\"one\":\"b\"}", false);
    assert_true(r->ok);
    assert_num(r->outputs[0].value.n, "10203.5");
    r = tctx_eval(&c, "{\"set\":[\"c\"],\"one\":\"a\"}", false);
    assert_num(r->outputs[0].value.n, "1104");
    r = tctx_eval(&c, "{\"set\":[],\"one\":\"a\"}", false);
    assert_num(r->outputs[0].value.n, "0");
    tctx_close(&c);
}

/* ---- defaults and optional values ---------------------------------------- */

static void test_defaults(void **state)
{
    (void)state;
    tb t;
    tb_init(&t, "d", "10", false);
    tb_p(&t)->has_items = 0;
    uint32_t a = tb_input(&t, "dept", SLOT_FIELD, RB_T_TEXT, false, NULL, NULL);
    uint32_t b = tb_input(&t, "level", SLOT_INPUT, RB_T_NUMBER, false, NULL, NULL);
    uint32_t d = tb_input(&t, "opt", SLOT_INPUT, RB_T_NUMBER, false, NULL, NULL);
    rb_program *p = tb_p(&t);
    p->inputs[a].def = tb_s(&t, "客服部");
    p->inputs[b].def = tb_n(&t, "3");
    (void)d;
    tctx c;
    tctx_open(&c, tb_finish(&t), false);
    const rb_result *r = tctx_eval(&c, "{}", false);
    assert_true(r->ok);
    assert_int_equal(r->nfields, 1);
    assert_string_equal(r->fields[0].value.s, "客服部");
    assert_int_equal(r->ninputs, 1); /* opt is absent */
    assert_num(r->inputs[0].value.n, "3");
    r = tctx_eval(&c, "{\"dept\":\"销售部\",\"level\":null,\"opt\":1}", false);
    assert_string_equal(r->fields[0].value.s, "销售部");
    assert_num(r->inputs[0].value.n, "3");
    assert_int_equal(r->ninputs, 2);
    tctx_close(&c);
}

/* ---- nested sections ----------------------------------------------------- */

static void test_nested_sections(void **state)
{
    (void)state;
    tb t;
    tb_init(&t, "nest", NULL, true);
    uint32_t a = tb_section(&t, "customer", "客户", 0, "100", "0.6", false);
    uint32_t a1 = tb_section(&t, "visits", NULL, a, "60", NULL, false);
    tb_item(&t, "v1", a1, "30");
    tb_item(&t, "v2", a1, "30");
    uint32_t a2 = tb_section(&t, "complaints", NULL, a, "40", NULL, false);
    tb_item_full(&t, "c1", NULL, a2, "40", NULL, true, false, true, false);
    uint32_t b = tb_section(&t, "growth", "学习", 0, "100", "0.4", false);
    tb_item(&t, "g1", b, "100");
    tctx c;
    tctx_open(&c, tb_finish(&t), false);
    const rb_result *r = tctx_eval(&c, "{\"v1\":30,\"v2\":24,\"c1\":36,\"g1\":80}", false);
    assert_true(r->ok);
    assert_num(r->sections[a1].score, "54");
    assert_num(r->sections[a].score, "90");
    assert_num(r->total, "86"); /* 100 × (0.6 × 90/100 + 0.4 × 80/100) */
    /* complaints does not apply: it leaves customer's full mark (54 of 60),
     * and the weighted form counts customer as 54/60 */
    r = tctx_eval(&c, "{\"v1\":30,\"v2\":24,\"g1\":80}", false);
    assert_true(r->ok);
    assert_false(r->sections[a2].applicable);
    assert_num(r->sections[a].score, "54");
    assert_num(r->sections[a].full, "60");
    assert_num(r->total, "86"); /* 100 × (0.6 × 54/60 + 0.4 × 80/100) */
    tctx_close(&c);
}

/* ---- robustness ------------------------------------------------------------ */

/* The evaluator takes only programs the verifier accepted: a damaged one
 * is rejected by the verifier (with what is wrong) and refused by
 * rb_eval_new (NULL), never run. */
static void expect_refused(rb_program *p, const char *why)
{
    char err[256] = "";
    assert_int_equal(rb_program_verify(p, RB_LANG_EN, err, sizeof err), -1);
    if (!strstr(err, why)) fail_msg("expected '%s', got '%s'", why, err);
    assert_false(rb_program_verified(p));
    assert_null(rb_eval_new(p, NULL));
    rb_program_free(p);
}

/* A let v = <code> form; code[0..len) is the unit's whole code (no RET added). */
static rb_program *let_program(const uint8_t *code, uint32_t len)
{
    tb t;
    tb_init(&t, "bad", "10", false);
    tb_p(&t)->has_items = 0;
    uint32_t v = tb_slot(&t, "v", NULL, SLOT_LET, RB_T_NUMBER, false);
    uint32_t start = rb_build_here(t.b);
    for (uint32_t k = 0; k < len; k++) rb_build_op(t.b, (rb_opcode)code[k]);
    rb_build_unit(t.b, (rb_unit){.kind = U_VALUE, .target = v, .code_start = start, .code_len = len,
                                 .decl = tb_s(&t, "let v"), .line = 1});
    return tb_finish(&t);
}

static void test_only_verified_programs(void **state)
{
    (void)state;
    /* a good program: refused until verified */
    rb_program *p = tb_presales();
    assert_false(rb_program_verified(p));
    assert_null(rb_eval_new(p, NULL));
    char err[256];
    assert_int_equal(rb_program_verify(p, RB_LANG_EN, err, sizeof err), 0);
    rb_eval *e = rb_eval_new(p, NULL);
    assert_non_null(e);
    rb_eval_free(e);
    /* changed after it was verified: verifying again takes the mark away */
    p->items[0].section = 99;
    expect_refused(p, "item 0 section: section table index 99 out of range");

    tb t;
    tb_init(&t, "bad", "10", false);
    tb_p(&t)->has_items = 0;
    uint32_t v = tb_slot(&t, "v", NULL, SLOT_LET, RB_T_NUMBER, false);
    tb_code(&t);
    tb_op1(&t, OP_JUMP, 100000);
    tb_unit(&t, U_VALUE, v, "let v", 1);
    expect_refused(tb_finish(&t), "unit 0 jumps to 100000, outside its code");

    tb_init(&t, "bad", "10", false);
    tb_p(&t)->has_items = 0;
    v = tb_slot(&t, "v", NULL, SLOT_LET, RB_T_NUMBER, false);
    tb_code(&t);
    tb_op1(&t, OP_CONST, 999);
    tb_op(&t, OP_ADD);
    tb_unit(&t, U_VALUE, v, "let v", 1);
    expect_refused(tb_finish(&t), "number table index 999 out of range");

    /* underflow, truncated operand, unknown opcode, no RET */
    static const uint8_t underflow[] = {OP_ADD, OP_RET}, truncated[] = {OP_CONST, 0, 0}, unknown[] = {200},
                         no_ret[] = {OP_TRUE};
    expect_refused(let_program(underflow, sizeof underflow), "needs 2 values but the stack has 0");
    expect_refused(let_program(truncated, sizeof truncated), "runs past the end of its code");
    expect_refused(let_program(unknown, sizeof unknown), "unknown opcode 200");
    expect_refused(let_program(no_ret, sizeof no_ret), "does not end in RET");
}

/* A stream of records runs in the evaluator's reset arena. */
static void test_many_records(void **state)
{
    (void)state;
    tctx c;
    tctx_open(&c, tb_presales(), false);
    for (int i = 0; i < 2000; i++) {
        const rb_result *r = tctx_eval(&c, i % 2 ? PRESALES_RECORD : "{\"knowledge\":99,\"bogus\":1}", false);
        assert_int_equal(r->ok, i % 2 == 1);
    }
    tctx_close(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_presales_total),
        cmocka_unit_test(test_weighted_sections),
        cmocka_unit_test(test_weighted_renormalisation),
        cmocka_unit_test(test_unweighted_not_applicable),
        cmocka_unit_test(test_deductions_floored),
        cmocka_unit_test(test_raters),
        cmocka_unit_test(test_arith_division_by_zero),
        cmocka_unit_test(test_item_range),
        cmocka_unit_test(test_bind_errors),
        cmocka_unit_test(test_bind_error_order),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_csv_cells),
        cmocka_unit_test(test_when_items),
        cmocka_unit_test(test_check_warn_total),
        cmocka_unit_test(test_opcodes),
        cmocka_unit_test(test_choice_ops),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_nested_sections),
        cmocka_unit_test(test_only_verified_programs),
        cmocka_unit_test(test_many_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
