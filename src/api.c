/* api.c — the public API (include/rubric.h) over the internal modules.
 *
 * Every function that allocates runs under an allocation guard (alloc.h):
 * running out of memory unwinds to it, the zone frees what the call had
 * made, and the function returns the error rubric.h promises. */
#include "rubric.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
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
    rb_lang lang; /* of its messages, a record's syntax errors included */
    rubric_result current;
};

/* What `write` writes, as a string the caller frees; NULL when out of
 * memory (the library's allocations or the stream's own). */
static char *write_string(void (*write)(FILE *out, const void *arg), const void *arg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out) return NULL;
    rb_alloc_guard g;
    rb_alloc_enter(&g, RB_ALLOC_ZONE);
    if (setjmp(g.env) != 0) {
        rb_alloc_failed(&g);
        fclose(out);
        rb_free(buf);
        return NULL;
    }
    write(out, arg);
    rb_alloc_leave(&g);
    bool failed = ferror(out) != 0;
    if (fclose(out) != 0 || failed) {
        rb_free(buf);
        return NULL;
    }
    return buf;
}

const char *rubric_version(void) { return RUBRIC_VERSION_STRING; }

/* The internal language of a rubric_lang; false for a value outside it. */
static bool lang_of(rubric_lang lang, rb_lang *out)
{
    switch (lang) {
    case RUBRIC_LANG_EN: *out = RB_LANG_EN; return true;
    case RUBRIC_LANG_ZH: *out = RB_LANG_ZH; return true;
    }
    return false;
}

static rubric_template *compile(const char *name, const char *source, size_t len, const rubric_define *defines,
                                size_t ndefines, rb_lang lang, rubric_diagnostics **diags)
{
    rb_alloc_guard g;
    rb_alloc_enter(&g, RB_ALLOC_ZONE);
    if (setjmp(g.env) != 0) {
        rb_alloc_failed(&g);
        return NULL;
    }
    rubric_diagnostics *d = rb_xcalloc(1, sizeof *d);
    d->source = rb_source_new(name ? name : "<template>", source, len);
    rb_diags_init(&d->diags);
    d->diags.lang = lang;
    rb_define *defs = rb_xcalloc(ndefines ? ndefines : 1, sizeof *defs);
    for (size_t i = 0; i < ndefines; i++) defs[i] = (rb_define){defines[i].name, defines[i].value};
    rb_program *p = rb_compile(d->source, defs, ndefines, &d->diags);
    rb_free(defs);
    d->lines = rb_xcalloc(d->diags.count + 1, sizeof *d->lines);
    d->cols = rb_xcalloc(d->diags.count + 1, sizeof *d->cols);
    for (size_t i = 0; i < d->diags.count; i++) {
        uint32_t l = 0, c = 0; /* 0:0 — a diagnostic about the command line (-D) */
        if (!RB_SPAN_IS_NONE(d->diags.items[i].span))
            rb_source_position(d->source, d->diags.items[i].span.start, &l, &c);
        d->lines[i] = l;
        d->cols[i] = c;
    }
    rubric_template *t = NULL;
    if (p) {
        t = rb_xcalloc(1, sizeof *t);
        t->program = p;
    }
    rb_alloc_leave(&g);
    if (diags) *diags = d;
    else rubric_diagnostics_free(d);
    return t;
}

rubric_template *rubric_compile(const char *name, const char *source, size_t len,
                                const rubric_compile_options *options, rubric_diagnostics **diags)
{
    static const rubric_compile_options defaults;
    if (diags) *diags = NULL;
    if (!options) options = &defaults;
    rb_lang lang;
    if (!lang_of(options->lang, &lang)) return NULL;
    return compile(name, source, len, options->defines, options->ndefines, lang, diags);
}

size_t rubric_diagnostics_count(const rubric_diagnostics *d) { return d ? d->diags.count : 0; }
size_t rubric_diagnostics_errors(const rubric_diagnostics *d) { return d ? d->diags.errors : 0; }

void rubric_diagnostic_get(const rubric_diagnostics *d, size_t i, rubric_severity *severity, const char **code,
                           const char **message, const char **help, unsigned *line, unsigned *column)
{
    const rb_diag *g = &d->diags.items[i];
    if (severity) {
        switch (g->severity) {
        case RB_SEV_ERROR: *severity = RUBRIC_SEVERITY_ERROR; break;
        case RB_SEV_WARNING: *severity = RUBRIC_SEVERITY_WARNING; break;
        case RB_SEV_NOTE: *severity = RUBRIC_SEVERITY_NOTE; break;
        }
    }
    if (code) *code = g->code;
    if (message) *message = g->message;
    if (help) *help = g->help;
    if (line) *line = d->lines[i];
    if (column) *column = d->cols[i];
}

/* Diagnostics in one of the formats, for write_string. */
typedef struct {
    const rubric_diagnostics *d;
    rb_diag_format format;
} diagnostics_text;

static void write_diagnostics(FILE *out, const void *arg)
{
    const diagnostics_text *t = arg;
    if (t->format == RB_DIAG_JSON || t->format == RB_DIAG_SARIF) {
        bool first = true;
        rb_diag_json_begin(out, t->format);
        rb_diag_json_file(out, t->d->source, &t->d->diags, t->format, &first);
        rb_diag_json_end(out, t->format);
    } else {
        rb_diag_print(out, t->d->source, &t->d->diags, t->format);
    }
}

static char *render_diagnostics(const rubric_diagnostics *d, rb_diag_format format)
{
    diagnostics_text t = {d, format};
    return write_string(write_diagnostics, &t);
}

char *rubric_diagnostics_render(const rubric_diagnostics *d, rubric_format format)
{
    switch (format) {
    case RUBRIC_FORMAT_TEXT: return render_diagnostics(d, RB_DIAG_TEXT);
    case RUBRIC_FORMAT_GCC: return render_diagnostics(d, RB_DIAG_GCC);
    case RUBRIC_FORMAT_JSON: return render_diagnostics(d, RB_DIAG_JSON);
    case RUBRIC_FORMAT_SARIF: return render_diagnostics(d, RB_DIAG_SARIF);
    }
    return NULL;
}

void rubric_diagnostics_free(rubric_diagnostics *d)
{
    if (!d) return;
    rb_diags_free(&d->diags);
    rb_source_free(d->source);
    rb_free(d->lines);
    rb_free(d->cols);
    rb_free(d);
}

void *rubric_template_save(const rubric_template *t, size_t *len)
{
    *len = 0;
    rb_alloc_guard g;
    rb_alloc_enter(&g, RB_ALLOC_ZONE);
    if (setjmp(g.env) != 0) {
        rb_alloc_failed(&g);
        *len = 0;
        return NULL;
    }
    void *bytes = rb_program_serialize(t->program, len);
    rb_alloc_leave(&g);
    return bytes;
}

rubric_template *rubric_template_load(const void *bytes, size_t len, char *err, size_t errcap)
{
    rb_alloc_guard g;
    rb_alloc_enter(&g, RB_ALLOC_ZONE);
    if (setjmp(g.env) != 0) {
        rb_alloc_failed(&g);
        if (errcap) snprintf(err, errcap, "out of memory");
        return NULL;
    }
    rubric_template *t = NULL;
    rb_program *p = rb_program_load(bytes, len, RB_LANG_EN, err, errcap);
    if (p) {
        t = rb_xcalloc(1, sizeof *t);
        t->program = p;
    }
    rb_alloc_leave(&g);
    return t;
}

const char *rubric_template_digest(const rubric_template *t) { return t->program->digest; }

void rubric_template_free(rubric_template *t)
{
    if (!t) return;
    rb_program_free(t->program);
    rb_free(t);
}

static rubric_evaluator *evaluator_new(const rubric_template *t, const rb_eval_options *o)
{
    rb_alloc_guard g;
    rb_alloc_enter(&g, RB_ALLOC_ZONE);
    if (setjmp(g.env) != 0) {
        rb_alloc_failed(&g);
        return NULL;
    }
    rubric_evaluator *e = rb_xcalloc(1, sizeof *e);
    e->template_ = t;
    e->eval = rb_eval_new(t->program, o);
    e->arena = rb_arena_new();
    e->lang = o->lang;
    e->current.program = t->program;
    rb_alloc_leave(&g);
    return e;
}

rubric_evaluator *rubric_evaluator_new(const rubric_template *t, const rubric_evaluator_options *options)
{
    static const rubric_evaluator_options defaults;
    if (!options) options = &defaults;
    rb_eval_options o = {.allow_extra = options->allow_extra != 0};
    if (!lang_of(options->lang, &o.lang)) return NULL;
    return evaluator_new(t, &o);
}

const rubric_result *rubric_score_json(rubric_evaluator *e, const char *json, size_t len)
{
    /* a zone: what the record needed beyond the evaluator's own arena is
     * freed if it fails, and the evaluator is ready for the next record */
    rb_alloc_guard g;
    rb_alloc_enter(&g, RB_ALLOC_ZONE);
    if (setjmp(g.env) != 0) {
        rb_alloc_failed(&g);
        e->current.result = NULL;
        return NULL;
    }
    rb_arena_reset(e->arena);
    const char *err = NULL;
    const rb_rv *v = rb_json_parse(e->arena, json, len, e->lang, &err);
    rb_record rec = {.number = 1, .source = "<api>", .line = 1};
    if (v) rec.value = *v; /* not an object: the evaluator says so */
    else rec.syntax_error = err;
    e->current.result = rb_eval_record(e->eval, &rec);
    rb_alloc_leave(&g);
    return &e->current;
}

void rubric_evaluator_free(rubric_evaluator *e)
{
    if (!e) return;
    rb_eval_free(e->eval);
    rb_arena_free(e->arena);
    rb_free(e);
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

static void write_result(FILE *out, const void *arg)
{
    const rubric_result *r = arg;
    rb_write_ndjson(out, r->program, r->result);
}

char *rubric_result_json(const rubric_result *r)
{
    return write_string(write_result, r);
}
