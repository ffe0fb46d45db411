/* test_api.c — every function of the public API (include/rubric.h), as an
 * embedder calls it (cmark's api_test), and allocation failure: each call
 * that allocates is run with its Nth allocation failing, N = 0, 1, … until
 * it succeeds, and every failure must be the error rubric.h promises, with
 * nothing leaked (LeakSanitizer under `make sanitize`; glibc's heap counter
 * here) and the objects it was given still usable. */
#include "testutil.h"

#include <malloc.h>
#include <unistd.h>

#include "rubric.h"
#include "alloc.h" /* rb_alloc_fail_after: fault injection */

static const char MINI[] =
    "form mini \"迷你考核表\" {\n"
    "  section work \"工作\" weight 70% {\n"
    "    item quality \"质量\" points 10\n"
    "  }\n"
    "  section attitude \"态度\" weight 30% {\n"
    "    item manner \"礼貌\" points 10\n"
    "  }\n"
    "  grade {\n"
    "    >= 90: excellent \"优秀\"\n"
    "    else:  other     \"其他\"\n"
    "  }\n"
    "}\n";

/* 'quality' declared twice: E0202 at 4:10 */
static const char DUPLICATE[] =
    "form mini {\n"
    "  section work weight 100% {\n"
    "    item quality points 10\n"
    "    item quality points 5\n"
    "  }\n"
    "}\n";

static const char GOOD_RECORD[] = "{\"quality\": 9, \"manner\": 9}";
static const char BAD_RECORD[] = "{\"quality\": 12, \"manner\": 9}";

static rubric_template *compile_mini(void)
{
    rubric_template *t = rubric_compile("mini.rubric", MINI, strlen(MINI), NULL, NULL);
    assert_non_null(t);
    return t;
}

/* ---- compiling and diagnostics -------------------------------------------- */

static void compile_clean(void **state)
{
    (void)state;
    rubric_diagnostics *d = NULL;
    rubric_template *t = rubric_compile("mini.rubric", MINI, strlen(MINI), NULL, &d);
    assert_non_null(t);
    assert_non_null(d);
    assert_int_equal(rubric_diagnostics_count(d), 0);
    assert_int_equal(rubric_diagnostics_errors(d), 0);
    char *text = rubric_diagnostics_render(d, RUBRIC_FORMAT_TEXT);
    assert_string_equal(text, "");
    free(text);
    rubric_diagnostics_free(d);
    rubric_template_free(t);
}

static void compile_errors(void **state)
{
    (void)state;
    rubric_diagnostics *d = NULL;
    rubric_template *t = rubric_compile("dup.rubric", DUPLICATE, strlen(DUPLICATE), NULL, &d);
    assert_null(t);
    assert_int_equal(rubric_diagnostics_count(d), 1);
    assert_int_equal(rubric_diagnostics_errors(d), 1);
    rubric_severity severity = RUBRIC_SEVERITY_NOTE;
    const char *code, *message, *help;
    unsigned line, column;
    rubric_diagnostic_get(d, 0, &severity, &code, &message, &help, &line, &column);
    assert_int_equal(severity, RUBRIC_SEVERITY_ERROR);
    assert_string_equal(code, "E0202");
    assert_string_equal(message, "'quality' is already declared");
    assert_non_null(strstr(help, "line 3"));
    assert_int_equal(line, 4);
    assert_int_equal(column, 10);
    /* every out-parameter may be NULL */
    rubric_diagnostic_get(d, 0, NULL, NULL, NULL, NULL, NULL, NULL);

    char *text = rubric_diagnostics_render(d, RUBRIC_FORMAT_TEXT);
    assert_non_null(strstr(text, "dup.rubric:4:10: error[E0202]: 'quality' is already declared"));
    free(text);
    char *gcc = rubric_diagnostics_render(d, RUBRIC_FORMAT_GCC);
    assert_non_null(strstr(gcc, "dup.rubric:4:10: error: 'quality' is already declared\n"));
    free(gcc);
    char *json = rubric_diagnostics_render(d, RUBRIC_FORMAT_JSON);
    assert_non_null(strstr(json, "\"code\":\"E0202\""));
    free(json);
    char *sarif = rubric_diagnostics_render(d, RUBRIC_FORMAT_SARIF);
    assert_non_null(strstr(sarif, "\"ruleId\":\"E0202\""));
    free(sarif);
    assert_null(rubric_diagnostics_render(d, (rubric_format)99));
    rubric_diagnostics_free(d);

    /* without a place for the diagnostics, the errors still give NULL */
    assert_null(rubric_compile("dup.rubric", DUPLICATE, strlen(DUPLICATE), NULL, NULL));
    /* NULL diagnostics count as none; freeing NULL is fine */
    assert_int_equal(rubric_diagnostics_count(NULL), 0);
    assert_int_equal(rubric_diagnostics_errors(NULL), 0);
    rubric_diagnostics_free(NULL);
    rubric_template_free(NULL);
    rubric_evaluator_free(NULL);
}

static void compile_with_defines(void **state)
{
    (void)state;
    static const char src[] =
        "form p {\n"
        "  param target: number = 10\n"
        "  section s weight 100% {\n"
        "    item sold points 10 = min(sold_count / target, 1) * 10\n"
        "    input sold_count: integer\n"
        "  }\n"
        "}\n";
    rubric_define defs[] = {{"target", "20"}};
    rubric_diagnostics *d = NULL;
    rubric_compile_options with = {.defines = defs, .ndefines = 1};
    rubric_template *t = rubric_compile("p.rubric", src, strlen(src), &with, &d);
    if (!t) {
        char *text = rubric_diagnostics_render(d, RUBRIC_FORMAT_TEXT);
        fail_msg("%s", text);
    }
    rubric_diagnostics_free(d);
    rubric_evaluator *e = rubric_evaluator_new(t, NULL);
    const char *rec = "{\"sold_count\": 10}";
    const rubric_result *r = rubric_score_json(e, rec, strlen(rec));
    char total[32];
    /* 10 / 20 × 10 = 5 points of 10: 50 on the scale of 100 */
    assert_int_equal(rubric_result_total(r, total, sizeof total), 2);
    assert_string_equal(total, "50");
    rubric_evaluator_free(e);
    rubric_template_free(t);

    /* an unknown param is a diagnostic at 0:0 (it has no place in the text) */
    rubric_define wrong[] = {{"nosuch", "1"}};
    rubric_compile_options with_wrong = {.defines = wrong, .ndefines = 1};
    assert_null(rubric_compile("p.rubric", src, strlen(src), &with_wrong, &d));
    assert_true(rubric_diagnostics_errors(d) >= 1);
    unsigned line = 9, column = 9;
    rubric_diagnostic_get(d, 0, NULL, NULL, NULL, NULL, &line, &column);
    assert_int_equal(line, 0);
    assert_int_equal(column, 0);
    rubric_diagnostics_free(d);
}

static bool has_non_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80) return true;
    return false;
}

/* Chinese diagnostics and record messages (SPEC §17); codes do not change. */
static void languages(void **state)
{
    (void)state;
    rubric_compile_options zh = {.lang = RUBRIC_LANG_ZH};
    rubric_diagnostics *d = NULL;
    assert_null(rubric_compile("dup.rubric", DUPLICATE, strlen(DUPLICATE), &zh, &d));
    const char *code, *message;
    rubric_diagnostic_get(d, 0, NULL, &code, &message, NULL, NULL, NULL);
    assert_string_equal(code, "E0202");
    /* the Chinese catalogue's wording is the translators' (po/zh_CN.po):
     * what matters here is that it is not the English one */
    assert_non_null(strstr(message, "quality"));
    assert_string_not_equal(message, "'quality' is already declared");
    assert_true(has_non_ascii(message));
    rubric_diagnostics_free(d);

    /* an options value outside its enum is refused, not taken as English */
    rubric_compile_options bad = {.lang = (rubric_lang)7};
    d = (rubric_diagnostics *)&d;
    assert_null(rubric_compile("mini.rubric", MINI, strlen(MINI), &bad, &d));
    assert_null(d);

    rubric_template *t = compile_mini();
    rubric_evaluator_options ezh = {.lang = RUBRIC_LANG_ZH};
    rubric_evaluator *e = rubric_evaluator_new(t, &ezh);
    const rubric_result *r = rubric_score_json(e, BAD_RECORD, strlen(BAD_RECORD));
    const char *path;
    rubric_result_error(r, 0, &path, &code, &message);
    assert_string_equal(path, "quality");
    assert_string_equal(code, "range");
    assert_true(has_non_ascii(message));
    /* a record's syntax error too, with its position */
    static const char broken[] = "{\"quality\": }";
    r = rubric_score_json(e, broken, strlen(broken));
    rubric_result_error(r, 0, &path, &code, &message);
    assert_string_equal(code, "syntax");
    assert_string_equal(message, "第 1 行第 13 列：这里不应出现此字符");
    r = rubric_score_json(e, "[1]", 3);
    rubric_result_error(r, 0, &path, &code, &message);
    assert_string_equal(message, "每条记录必须是一个 JSON 对象");
    rubric_evaluator_free(e);
    rubric_evaluator_options ebad = {.lang = (rubric_lang)7};
    assert_null(rubric_evaluator_new(t, &ebad));
    rubric_template_free(t);
}

static void version(void **state)
{
    (void)state;
    assert_string_equal(rubric_version(), RUBRIC_VERSION_STRING);
}

/* ---- bytecode -------------------------------------------------------------------- */

static void save_and_load(void **state)
{
    (void)state;
    rubric_template *t = compile_mini();
    size_t len = 0;
    void *bytes = rubric_template_save(t, &len);
    assert_non_null(bytes);
    assert_true(len > 16);
    size_t len2 = 0;
    void *again = rubric_template_save(t, &len2);
    assert_int_equal(len, len2);
    assert_memory_equal(bytes, again, len); /* deterministic */
    free(again);

    char err[256] = "";
    rubric_template *loaded = rubric_template_load(bytes, len, err, sizeof err);
    assert_non_null(loaded);
    assert_string_equal(rubric_template_digest(t), rubric_template_digest(loaded));
    assert_int_equal(strncmp(rubric_template_digest(t), "sha256:", 7), 0);
    assert_int_equal(strlen(rubric_template_digest(t)), 7 + 64);

    /* one flipped byte: the digest no longer matches */
    ((unsigned char *)bytes)[len / 2] ^= 1;
    assert_null(rubric_template_load(bytes, len, err, sizeof err));
    assert_true(err[0] != '\0');
    assert_null(rubric_template_load(bytes, 3, err, sizeof err));
    assert_true(err[0] != '\0');
    free(bytes);
    rubric_template_free(loaded);
    rubric_template_free(t);
}

/* ---- scoring ------------------------------------------------------------------------ */

static void score_records(void **state)
{
    (void)state;
    rubric_template *t = compile_mini();
    rubric_evaluator *e = rubric_evaluator_new(t, NULL);
    assert_non_null(e);

    /* 0.7 × 9/10 + 0.3 × 9/10 = 0.9 → 90: exactly 优秀 */
    const rubric_result *r = rubric_score_json(e, GOOD_RECORD, strlen(GOOD_RECORD));
    assert_int_equal(rubric_result_ok(r), 1);
    char total[64];
    assert_int_equal(rubric_result_total(r, total, sizeof total), 2);
    assert_string_equal(total, "90");
    char small[2];
    assert_int_equal(rubric_result_total(r, small, sizeof small), 2); /* the length it needs */
    assert_string_equal(small, "9");
    assert_int_equal(rubric_result_total(r, NULL, 0), 2);
    const char *label = NULL;
    assert_string_equal(rubric_result_grade(r, &label), "excellent");
    assert_string_equal(label, "优秀");
    assert_string_equal(rubric_result_grade(r, NULL), "excellent");
    assert_int_equal(rubric_result_error_count(r), 0);
    char *json = rubric_result_json(r);
    assert_non_null(strstr(json, "\"ok\":true,\"total\":90,"));
    assert_int_equal(json[strlen(json) - 1], '\n');
    free(json);

    /* an invalid record: no total, no grade, one error naming the rule */
    r = rubric_score_json(e, BAD_RECORD, strlen(BAD_RECORD));
    assert_int_equal(rubric_result_ok(r), 0);
    assert_int_equal(rubric_result_total(r, total, sizeof total), 0);
    assert_null(rubric_result_grade(r, &label));
    assert_int_equal(rubric_result_error_count(r), 1);
    const char *path, *code, *message;
    rubric_result_error(r, 0, &path, &code, &message);
    assert_string_equal(path, "quality");
    assert_string_equal(code, "range");
    assert_non_null(strstr(message, "12"));
    rubric_result_error(r, 0, NULL, NULL, NULL);

    /* malformed JSON and a non-object: a "syntax" error, not NULL */
    static const char *const broken[] = {"{\"quality\": ", "[1, 2]", ""};
    for (size_t i = 0; i < sizeof broken / sizeof *broken; i++) {
        r = rubric_score_json(e, broken[i], strlen(broken[i]));
        assert_non_null(r);
        assert_int_equal(rubric_result_ok(r), 0);
        assert_int_equal(rubric_result_error_count(r), 1);
        rubric_result_error(r, 0, NULL, &code, NULL);
        assert_string_equal(code, "syntax");
    }

    /* an undeclared key is an error unless RUBRIC_ALLOW_EXTRA */
    static const char extra[] = "{\"quality\": 9, \"manner\": 9, \"note\": \"x\"}";
    r = rubric_score_json(e, extra, strlen(extra));
    assert_int_equal(rubric_result_ok(r), 0);
    rubric_evaluator_free(e);
    rubric_evaluator_options allow = {.allow_extra = 1};
    e = rubric_evaluator_new(t, &allow);
    r = rubric_score_json(e, extra, strlen(extra));
    assert_int_equal(rubric_result_ok(r), 1);
    rubric_evaluator_free(e);
    rubric_template_free(t);
}

/* ---- allocation failure ----------------------------------------------------------- */

/* Bytes in use on the heap (glibc); 0 where it is not known (sanitizers).
 * glibc counts the chunks in its per-thread cache as in use, so main runs
 * the tests with that cache off. */
static size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks;
}

/* Runs `call` with allocation n failing for n = 0, 1, …; `call` returns 1
 * on success, 0 on the promised out-of-memory error (and asserts anything
 * else).  Every failure must leave the heap as it was.  Returns the number
 * of failures seen, which must be more than none: the call allocates. */
static int until_success(int (*call)(void *), void *arg)
{
    for (long n = 0;; n++) {
        size_t before = heap_in_use();
        rb_alloc_fail_after(n);
        int ok = call(arg);
        rb_alloc_fail_after(-1);
        if (ok) {
            assert_true(n > 0);
            return (int)n;
        }
        if (heap_in_use() != before) fail_msg("allocation %ld failing leaks %zu bytes", n, heap_in_use() - before);
        assert_true(n < 1000000);
    }
}

static int try_compile(void *arg)
{
    (void)arg;
    rubric_diagnostics *d = (rubric_diagnostics *)&d; /* must be overwritten */
    rubric_template *t = rubric_compile("mini.rubric", MINI, strlen(MINI), NULL, &d);
    if (!t) {
        assert_null(d); /* out of memory: no diagnostics either */
        return 0;
    }
    assert_int_equal(rubric_diagnostics_count(d), 0);
    rubric_diagnostics_free(d);
    rubric_template_free(t);
    return 1;
}

static int try_compile_errors(void *arg)
{
    (void)arg;
    rubric_diagnostics *d = NULL;
    assert_null(rubric_compile("dup.rubric", DUPLICATE, strlen(DUPLICATE), NULL, &d));
    if (!d) return 0;
    assert_int_equal(rubric_diagnostics_errors(d), 1);
    char *text = rubric_diagnostics_render(d, RUBRIC_FORMAT_TEXT); /* may fail on its own */
    free(text);
    rubric_diagnostics_free(d);
    return 1;
}

static int try_render(void *arg)
{
    char *s = rubric_diagnostics_render(arg, RUBRIC_FORMAT_SARIF);
    if (!s) return 0;
    assert_non_null(strstr(s, "E0202"));
    free(s);
    return 1;
}

static int try_save(void *arg)
{
    size_t len = 99;
    void *bytes = rubric_template_save(arg, &len);
    if (!bytes) {
        assert_int_equal(len, 0);
        return 0;
    }
    free(bytes);
    return 1;
}

struct bytes { void *p; size_t len; };

static int try_load(void *arg)
{
    struct bytes *b = arg;
    char err[64] = "";
    rubric_template *t = rubric_template_load(b->p, b->len, err, sizeof err);
    if (!t) {
        assert_string_equal(err, "out of memory");
        return 0;
    }
    rubric_template_free(t);
    return 1;
}

static int try_evaluator(void *arg)
{
    rubric_evaluator *e = rubric_evaluator_new(arg, NULL);
    if (!e) return 0;
    rubric_evaluator_free(e);
    return 1;
}

static int try_score(void *arg)
{
    const rubric_result *r = rubric_score_json(arg, GOOD_RECORD, strlen(GOOD_RECORD));
    if (!r) return 0;
    char total[16];
    rubric_result_total(r, total, sizeof total);
    assert_string_equal(total, "90");
    return 1;
}

static int try_result_json(void *arg)
{
    char *s = rubric_result_json(arg);
    if (!s) return 0;
    free(s);
    return 1;
}

static void allocation_failure(void **state)
{
    (void)state;
    until_success(try_compile, NULL);
    until_success(try_compile_errors, NULL);

    rubric_diagnostics *d = NULL;
    rubric_compile("dup.rubric", DUPLICATE, strlen(DUPLICATE), NULL, &d);
    until_success(try_render, d);
    rubric_diagnostics_free(d);

    rubric_template *t = compile_mini();
    until_success(try_save, t);
    struct bytes b;
    b.p = rubric_template_save(t, &b.len);
    until_success(try_load, &b);
    free(b.p);
    until_success(try_evaluator, t);

    /* a failed record leaves the evaluator ready for the next one */
    rubric_evaluator *e = rubric_evaluator_new(t, NULL);
    until_success(try_score, e);
    assert_int_equal(try_score(e), 1);
    const rubric_result *r = rubric_score_json(e, BAD_RECORD, strlen(BAD_RECORD));
    assert_int_equal(rubric_result_error_count(r), 1);
    r = rubric_score_json(e, GOOD_RECORD, strlen(GOOD_RECORD));
    until_success(try_result_json, (void *)r);
    rubric_evaluator_free(e);
    rubric_template_free(t);
}

int main(int argc, char **argv)
{
    (void)argc;
    if (!getenv("GLIBC_TUNABLES")) {
        setenv("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0", 1);
        execv("/proc/self/exe", argv);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(compile_clean),
        cmocka_unit_test(compile_errors),
        cmocka_unit_test(compile_with_defines),
        cmocka_unit_test(languages),
        cmocka_unit_test(version),
        cmocka_unit_test(save_and_load),
        cmocka_unit_test(score_records),
        cmocka_unit_test(allocation_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
