/* test_report.c — a report over stored results equals the report over the
 * batch that produced them: each record of tests/report/batch.ndjson is
 * scored into one report (rb_report_add) and, printed as `score` prints it
 * and read back, into another (rb_report_add_stored, the path of
 * `report --store`).  Both are rendered as JSON and must be byte-identical;
 * tests/report/check.py checks the numbers themselves. */
#include "testutil.h"

#include "compile.h"
#include "diag.h"
#include "out.h"
#include "record.h"
#include "report.h"
#include "result.h"
#include "vm.h"

static rb_program *compile_file(const char *path)
{
    char err[256];
    rb_source *src = rb_source_read(path, RB_LANG_EN, err, sizeof err);
    if (!src) fail_msg("%s (run the tests from the repository root)", err);
    rb_diags d;
    rb_diags_init(&d);
    rb_program *p = rb_compile(src, NULL, 0, &d);
    assert_non_null(p);
    rb_diags_free(&d);
    rb_source_free(src);
    return p;
}

/* Both reports of `records` against `template`, as JSON. */
static void both_reports(const char *template, const char *records, const char *by, rb_out *live, rb_out *stored,
                         size_t *nrows, int *status)
{
    rb_program *p = compile_file(template);
    rb_report *a = rb_report_new(p, by), *b = rb_report_new(p, by);
    assert_non_null(a);
    assert_non_null(b);
    rb_eval_options eo = {0};
    rb_eval *ev = rb_eval_new(p, &eo);
    rb_ndjson_writer *w = rb_ndjson_writer_new(p);
    FILE *f = fopen(records, "rb");
    assert_non_null(f);
    rb_reader *rd = rb_reader_open(f, records, RB_INPUT_AUTO, 1);
    rb_record rec;
    while (rb_reader_next(rd, &rec) == 1) {
        const rb_result *res = rb_eval_record(ev, &rec);
        rb_report_add(a, res);
        rb_out line;
        rb_out_init_memory(&line);
        rb_ndjson_write(w, &line, res);
        FILE *lf = fmemopen(line.buf, line.len, "r");
        rb_reader *lr = rb_reader_open(lf, "result.ndjson", RB_INPUT_NDJSON, 1);
        rb_record stored_rec;
        assert_int_equal(rb_reader_next(lr, &stored_rec), 1);
        assert_null(stored_rec.syntax_error);
        rb_report_add_stored(b, &stored_rec.value, res->record);
        rb_reader_close(lr);
        fclose(lf);
        rb_out_free(&line);
    }
    rb_reader_close(rd);
    fclose(f);
    rb_report_finish(a);
    rb_report_finish(b);
    rb_report_json(live, a);
    rb_report_json(stored, b);
    *nrows = a->nrows;
    *status = rb_report_status(b);
    rb_report_free(a);
    rb_report_free(b);
    rb_ndjson_writer_free(w);
    rb_eval_free(ev);
    rb_program_free(p);
}

static void check_same(const char *template, const char *records, const char *by, size_t expect_rows,
                       int expect_status)
{
    rb_out live, stored;
    rb_out_init_memory(&live);
    rb_out_init_memory(&stored);
    size_t nrows;
    int status;
    both_reports(template, records, by, &live, &stored, &nrows, &status);
    rb_out_putc(&live, '\0');
    rb_out_putc(&stored, '\0');
    assert_string_equal(stored.buf, live.buf);
    assert_int_equal(nrows, expect_rows);
    assert_int_equal(status, expect_status);
    rb_out_free(&live);
    rb_out_free(&stored);
}

/* Invalid records, warnings, a nested section that does not always apply,
 * groups and a broken distribution rule. */
static void stored_equals_live_team(void **state)
{
    (void)state;
    check_same("tests/report/team.rubric", "tests/report/batch.ndjson", NULL, 24, 1);
    check_same("tests/report/team.rubric", "tests/report/calibrated.ndjson", "name", 14, 0);
}

/* Every template's sample records: choices, dates, outputs, raters. */
static void stored_equals_live_templates(void **state)
{
    (void)state;
    static const char *const forms[] = {"sales", "presales", "cs_weekly", "cs_staff", "kpi_sales", "credit"};
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        char t[128], r[128];
        snprintf(t, sizeof t, "templates/%s.rubric", forms[i]);
        snprintf(r, sizeof r, "templates/%s.records.ndjson", forms[i]);
        check_same(t, r, NULL, 3, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stored_equals_live_team),
        cmocka_unit_test(stored_equals_live_templates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
