/* api-example.c — using librubric from C: compile a template, save and load
 * its bytecode, score a record, read the result.  Built and run by
 * `make test` (it exits non-zero if anything differs from what it prints).
 *
 *   cc api-example.c -lrubric          (the shared library)
 *   c++ -x c++ api-example.c -lrubric  (rubric.h is C++-clean too) */
#include <rubric.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char template_src[] =
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

int main(void)
{
    rubric_diagnostics *diags = NULL;
    rubric_template *t = rubric_compile("mini.rubric", template_src, strlen(template_src), NULL, &diags);
    if (!t) {
        char *text = rubric_diagnostics_render(diags, RUBRIC_FORMAT_TEXT);
        fputs(text, stderr);
        free(text);
        rubric_diagnostics_free(diags);
        return 1;
    }
    rubric_diagnostics_free(diags);

    /* Bytecode round trip: the loaded template has the same digest. */
    size_t len = 0;
    void *bytes = rubric_template_save(t, &len);
    char err[256];
    rubric_template *loaded = rubric_template_load(bytes, len, err, sizeof err);
    free(bytes);
    if (!loaded || strcmp(rubric_template_digest(t), rubric_template_digest(loaded)) != 0) {
        fprintf(stderr, "load failed: %s\n", loaded ? "digest differs" : err);
        return 1;
    }

    /* 0.7 × 9/10 + 0.3 × 9/10 = 0.9 → 90 on a scale of 100: exactly 优秀. */
    rubric_evaluator *ev = rubric_evaluator_new(loaded, NULL);
    const char *record = "{\"quality\": 9, \"manner\": 9}";
    const rubric_result *r = rubric_score_json(ev, record, strlen(record));
    char total[64];
    const char *label = NULL;
    const char *grade = rubric_result_grade(r, &label);
    int ok = rubric_result_ok(r) && rubric_result_total(r, total, sizeof total) && strcmp(total, "90") == 0 &&
             grade && strcmp(grade, "excellent") == 0;
    printf("total %s, grade %s (%s)\n", ok ? total : "?", grade ? grade : "-", label ? label : "-");

    /* An invalid record: the error names the value and the rule. */
    const char *bad = "{\"quality\": 12, \"manner\": 9}";
    r = rubric_score_json(ev, bad, strlen(bad));
    const char *path, *code, *message;
    if (rubric_result_ok(r) || rubric_result_error_count(r) != 1) return 1;
    rubric_result_error(r, 0, &path, &code, &message);
    printf("error at %s [%s]: %s\n", path, code, message);
    ok = ok && strcmp(path, "quality") == 0 && strcmp(code, "range") == 0;

    rubric_evaluator_free(ev);
    rubric_template_free(loaded);
    rubric_template_free(t);
    return ok ? 0 : 1;
}
