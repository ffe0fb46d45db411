/* evaluator.c — the entry points of the WebAssembly evaluator that the
 * form page (web/form.js) calls: load a template's verified .rbc once,
 * then score the record in the form on every change.  It is the C
 * library's own loader, verifier, record reader and evaluator: nothing of
 * scoring is written again in JavaScript (SPEC §15, docs/form.md). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rubric.h"

static rubric_template *loaded;
static rubric_evaluator *evaluator;
static const rubric_result *last;
static char load_error[256];
static char total_text[64];

/* Loads and verifies the .rbc image; records' messages in Chinese when zh is
 * nonzero (the page's language), else English; 0 or -1 (then rbw_error says
 * why). */
int rbw_load(const uint8_t *bytes, size_t len, int zh);
int rbw_load(const uint8_t *bytes, size_t len, int zh)
{
    rubric_evaluator_free(evaluator);
    rubric_template_free(loaded);
    evaluator = NULL;
    last = NULL;
    loaded = rubric_template_load(bytes, len, load_error, sizeof load_error);
    if (!loaded) return -1;
    rubric_evaluator_options options = {.lang = zh ? RUBRIC_LANG_ZH : RUBRIC_LANG_EN};
    evaluator = rubric_evaluator_new(loaded, &options);
    return evaluator ? 0 : -1;
}

const char *rbw_error(void);
const char *rbw_error(void) { return load_error; }

/* Scores one record (JSON text); returns the result as `score` prints it,
 * one line of JSON, valid until the next call. */
const char *rbw_score(const char *json);
const char *rbw_score(const char *json)
{
    static char *line;
    free(line);
    line = NULL;
    if (!evaluator) return NULL;
    last = rubric_score_json(evaluator, json, strlen(json));
    line = rubric_result_json(last);
    return line;
}

/* The last result's total exactly as printed ("" without one). */
const char *rbw_total(void);
const char *rbw_total(void)
{
    total_text[0] = '\0';
    if (last) rubric_result_total(last, total_text, sizeof total_text);
    return total_text;
}
