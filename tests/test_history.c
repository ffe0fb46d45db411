/* test_history.c — SPEC §13 below the command line: periods and their
 * arithmetic (history.c), and the verifier's history rules on programs
 * edited after compiling (a check or an item may not read history; the code
 * of streak/previous reads only what a stored result holds). */
#include "testutil.h"

#include "compile.h"
#include "diag.h"
#include "history.h"
#include "opcodes.h"
#include "program.h"

static void expect_canonical(const char *kind, const char *value, const char *want)
{
    char out[RB_PERIOD_MAX];
    bool ok = rb_period_canonical(kind, value, strlen(value), out);
    if (!want) {
        if (ok) fail_msg("%s '%s' gave %s, expected a refusal", kind, value, out);
        return;
    }
    if (!ok) fail_msg("%s '%s' was refused, expected %s", kind, value, want);
    assert_string_equal(out, want);
}

static void expect_back(const char *kind, const char *period, uint32_t back, const char *want)
{
    char out[RB_PERIOD_MAX];
    bool ok = rb_period_back(kind, period, back, out);
    if (!want) {
        assert_false(ok);
        return;
    }
    assert_true(ok);
    assert_string_equal(out, want);
}

static void test_periods(void **state)
{
    (void)state;
    expect_canonical("monthly", "2026-10", "2026-10");
    expect_canonical("monthly", "2026-10-31", "2026-10");
    expect_canonical("monthly", "2026-13", NULL);
    expect_canonical("monthly", "2026-1", NULL);
    expect_canonical("monthly", "2026/10", NULL);
    expect_canonical("monthly", "2026-02-30", NULL); /* not a date, not a month */
    expect_canonical("quarterly", "2026-Q3", "2026-Q3");
    expect_canonical("quarterly", "2026-11-15", "2026-Q4");
    expect_canonical("quarterly", "2026-Q5", NULL);
    expect_canonical("yearly", "2026", "2026");
    expect_canonical("yearly", "2026-06-30", "2026");
    expect_canonical("yearly", "0000", NULL);
    /* ISO weeks: 2021-01-03 is a Sunday of 2020-W53; 2019-12-30 is 2020-W01 */
    expect_canonical("weekly", "2021-01-03", "2020-W53");
    expect_canonical("weekly", "2019-12-30", "2020-W01");
    expect_canonical("weekly", "2019-04-12", "2019-W15");
    expect_canonical("weekly", "2026-W53", "2026-W53"); /* 2026 starts on a Thursday */
    expect_canonical("weekly", "2025-W53", NULL);       /* 2025 has 52 weeks */
    expect_canonical("weekly", "2025-W00", NULL);
    expect_canonical("once", "2026", NULL);

    expect_back("monthly", "2026-01", 1, "2025-12");
    expect_back("monthly", "2026-03", 14, "2025-01");
    expect_back("quarterly", "2026-Q1", 1, "2025-Q4");
    expect_back("yearly", "2026", 3, "2023");
    expect_back("weekly", "2020-W01", 1, "2019-W52");
    expect_back("weekly", "2021-W01", 1, "2020-W53");
    expect_back("monthly", "0001-01", 1, NULL);
}

/* a form whose warn and output read history */
static const char *form_text =
    "form h {\n"
    "  period monthly on month\n"
    "  key id\n"
    "  field id: text\n"
    "  field month: text\n"
    "  input x: number\n"
    "  item a points 10\n"
    "  check x >= 0 \"x\"\n"
    "  output run = streak(total >= 5)\n"
    "  warn when run >= 3 \"three\"\n"
    "}\n";

static rb_program *compile_form(rb_source **src)
{
    rb_diags d;
    rb_diags_init(&d);
    *src = rb_source_new("h.rubric", form_text, strlen(form_text));
    rb_program *p = rb_compile(*src, NULL, 0, &d);
    assert_int_equal(d.errors, 0);
    rb_diags_free(&d);
    assert_non_null(p);
    return p;
}

static uint32_t find_unit(const rb_program *p, uint8_t kind)
{
    for (uint32_t u = 0; u < p->nunits; u++)
        if (p->units[u].kind == kind) return u;
    fail_msg("no unit of kind %u", kind);
    return RB_NONE;
}

static void expect_rejected(rb_program *p, const char *needle)
{
    char err[512] = "";
    int rc = rb_program_verify(p, RB_LANG_EN, err, sizeof err);
    if (rc == 0 || !strstr(err, needle)) fail_msg("expected a refusal with '%s', got %d '%s'", needle, rc, err);
}

static void test_verifier_history_rules(void **state)
{
    (void)state;
    rb_source *src;
    rb_program *p = compile_form(&src);
    char err[256];
    assert_int_equal(rb_program_verify(p, RB_LANG_EN, err, sizeof err), 0);

    /* the warn that reads `run` (which reads history) turned into a check */
    uint32_t w = find_unit(p, U_WARN);
    p->units[w].kind = U_CHECK;
    expect_rejected(p, "which depends on earlier periods");
    p->units[w].kind = U_WARN;
    assert_int_equal(rb_program_verify(p, RB_LANG_EN, err, sizeof err), 0);

    /* the streak's condition pointed at the input x: a stored result has no x */
    uint32_t s = find_unit(p, U_STREAK), x = RB_NONE;
    for (uint32_t i = 0; i < p->nslots; i++)
        if (strcmp(rb_str(p, p->slots[i].name), "x") == 0) x = i;
    uint8_t *code = p->code + p->units[s].code_start;
    assert_int_equal(code[0], OP_LOAD);
    uint32_t was = (uint32_t)code[1] | (uint32_t)code[2] << 8 | (uint32_t)code[3] << 16 | (uint32_t)code[4] << 24;
    code[1] = (uint8_t)x, code[2] = code[3] = code[4] = 0;
    expect_rejected(p, "which a stored result does not hold");
    code[1] = (uint8_t)was;

    /* a previous count outside 1..1000, and a count on a streak unit */
    p->units[s].back = 2;
    expect_rejected(p, "periods back but is no previous unit");
    p->units[s].back = 0;
    assert_int_equal(rb_program_verify(p, RB_LANG_EN, err, sizeof err), 0);
    rb_program_free(p);
    rb_source_free(src);
}

/* the in-memory store replaces a key and period stored twice */
static void test_memory_history(void **state)
{
    (void)state;
    rb_memory_history *m = rb_memory_history_new();
    rb_stored_value a[] = {{"total", "90"}, {"grade", "excellent"}}, b[] = {{"total", "80"}};
    assert_false(rb_memory_history_put(m, "李娜", "2026-09", a, 2));
    assert_true(rb_memory_history_put(m, "李娜", "2026-09", b, 1));
    rb_history h = rb_memory_history_provider(m);
    const rb_stored_value *v;
    size_t n;
    assert_int_equal(h.lookup(h.ctx, "李娜", "2026-09", &v, &n), 1);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].value, "80");
    assert_int_equal(h.lookup(h.ctx, "李娜", "2026-08", &v, &n), 0);
    assert_int_equal(h.lookup(h.ctx, "王磊", "2026-09", &v, &n), 0);
    rb_memory_history_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_periods),
        cmocka_unit_test(test_verifier_history_rules),
        cmocka_unit_test(test_memory_history),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
