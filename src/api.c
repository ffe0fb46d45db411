/* api.c — the public API (include/rubric.h) over the internal modules. */
#include "rubric.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "compile.h"
#include "diag.h"
#include "program.h"
#include "record.h"
#include "result.h"
#include "vm.h"

struct rubric_template {
    rb_program *program;
};

struct rubric_diagnostics {
    rb_source *source;
    rb_diags diags;
    unsigned *lines, *cols;
};

struct rubric_result {
    const rb_program *program;
    const rb_result *result;
};

struct rubric_evaluator {
    const rubric_template *template_;
    rb_eval *eval;
    rb_arena *arena;
    rubric_result current;
};

rubric_template *rubric_compile(const char *name, const char *source, size_t len, const rubric_define *defines,
                                size_t ndefines, rubric_diagnostics **diags)
{
    rubric_diagnostics *d = rb_xcalloc(1, sizeof *d);
    d->source = rb_source_new(name ? name : "<template>", source, len);
    rb_diags_init(&d->diags);
    rb_define *defs = rb_xcalloc(ndefines ? ndefines : 1, sizeof *defs);
    for (size_t i = 0; i < ndefines; i++) defs[i] = (rb_define){defines[i].name, defines[i].value};
    rb_program *p = rb_compile(d->source, defs, ndefines, &d->diags);
    free(defs);
    d->lines = rb_xcalloc(d->diags.count + 1, sizeof *d->lines);
    d->cols = rb_xcalloc(d->diags.count + 1, sizeof *d->cols);
    for (size_t i = 0; i < d->diags.count; i++) {
        uint32_t l = 0, c = 0; /* 0:0 — a diagnostic about the command line (-D) */
        if (!RB_SPAN_IS_NONE(d->diags.items[i].span))
            rb_source_position(d->source, d->diags.items[i].span.start, &l, &c);
        d->lines[i] = l;
        d->cols[i] = c;
    }
    if (diags) *diags = d;
    else rubric_diagnostics_free(d);
    if (!p) return NULL;
    rubric_template *t = rb_xcalloc(1, sizeof *t);
    t->program = p;
    return t;
}

size_t rubric_diagnostics_count(const rubric_diagnostics *d) { return d ? d->diags.count : 0; }
size_t rubric_diagnostics_errors(const rubric_diagnostics *d) { return d ? d->diags.errors : 0; }

void rubric_diagnostic_get(const rubric_diagnostics *d, size_t i, const char **severity, const char **code,
                           const char **message, const char **help, unsigned *line, unsigned *column)
{
    static const char *sev[] = {"error", "warning", "note"};
    const rb_diag *g = &d->diags.items[i];
    if (severity) *severity = sev[g->severity];
    if (code) *code = g->code;
    if (message) *message = g->message;
    if (help) *help = g->help;
    if (line) *line = d->lines[i];
    if (column) *column = d->cols[i];
}

char *rubric_diagnostics_render(const rubric_diagnostics *d, const char *format)
{
    rb_diag_format f;
    if (strcmp(format, "text") == 0) f = RB_DIAG_TEXT;
    else if (strcmp(format, "gcc") == 0) f = RB_DIAG_GCC;
    else if (strcmp(format, "json") == 0) f = RB_DIAG_JSON;
    else if (strcmp(format, "sarif") == 0) f = RB_DIAG_SARIF;
    else return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (f == RB_DIAG_JSON || f == RB_DIAG_SARIF) {
        bool first = true;
        rb_diag_json_begin(out, f);
        rb_diag_json_file(out, d->source, &d->diags, f, &first);
        rb_diag_json_end(out, f);
    } else {
        rb_diag_print(out, d->source, &d->diags, f);
    }
    fclose(out);
    return buf;
}

void rubric_diagnostics_free(rubric_diagnostics *d)
{
    if (!d) return;
    rb_diags_free(&d->diags);
    rb_source_free(d->source);
    free(d->lines);
    free(d->cols);
    free(d);
}

void *rubric_template_save(const rubric_template *t, size_t *len)
{
    return rb_program_serialize(t->program, len);
}

rubric_template *rubric_template_load(const void *bytes, size_t len, char *err, size_t errcap)
{
    rb_program *p = rb_program_load(bytes, len, err, errcap);
    if (!p) return NULL;
    rubric_template *t = rb_xcalloc(1, sizeof *t);
    t->program = p;
    return t;
}

const char *rubric_template_digest(const rubric_template *t) { return t->program->digest; }

void rubric_template_free(rubric_template *t)
{
    if (!t) return;
    rb_program_free(t->program);
    free(t);
}

rubric_evaluator *rubric_evaluator_new(const rubric_template *t, int flags)
{
    rubric_evaluator *e = rb_xcalloc(1, sizeof *e);
    rb_eval_options o = {.allow_extra = (flags & RUBRIC_ALLOW_EXTRA) != 0};
    e->template_ = t;
    e->eval = rb_eval_new(t->program, &o);
    e->arena = rb_arena_new();
    e->current.program = t->program;
    return e;
}

const rubric_result *rubric_score_json(rubric_evaluator *e, const char *json, size_t len)
{
    rb_arena_reset(e->arena);
    const char *err = NULL;
    const rb_rv *v = rb_json_parse(e->arena, json, len, &err);
    rb_record rec = {.number = 1, .source = "<api>", .line = 1};
    if (!v) rec.syntax_error = err ? err : "malformed JSON";
    else if (v->kind != RV_OBJECT) rec.syntax_error = "a record must be a JSON object";
    else rec.value = *v;
    e->current.result = rb_eval_record(e->eval, &rec);
    return &e->current;
}

void rubric_evaluator_free(rubric_evaluator *e)
{
    if (!e) return;
    rb_eval_free(e->eval);
    rb_arena_free(e->arena);
    free(e);
}

int rubric_result_ok(const rubric_result *r) { return r->result->ok; }

size_t rubric_result_total(const rubric_result *r, char *buf, size_t cap)
{
    if (!r->result->has_total) return 0;
    char tmp[64];
    size_t n = rb_num_format(r->result->total, (int)r->program->precision, tmp, sizeof tmp);
    if (cap) snprintf(buf, cap, "%s", tmp);
    return n;
}

const char *rubric_result_grade(const rubric_result *r, const char **label)
{
    if (!r->result->has_grade) return NULL;
    if (label) *label = r->result->grade_label;
    return r->result->grade_id;
}

size_t rubric_result_error_count(const rubric_result *r) { return r->result->nerrors; }

void rubric_result_error(const rubric_result *r, size_t i, const char **path, const char **code, const char **message)
{
    const rb_error *e = &r->result->errors[i];
    if (path) *path = e->path;
    if (code) *code = e->code;
    if (message) *message = e->message;
}

char *rubric_result_json(const rubric_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    rb_write_ndjson(out, r->program, r->result);
    fclose(out);
    return buf;
}
