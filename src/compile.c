/* compile.c — the compiler driver (see compile.h): parse, check, generate,
 * then round-trip through the .rbc bytes and the verifier, so a program from
 * source and a program from a file are the same thing. */
#include "compile.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ast.h"
#include "buf.h"
#include "json.h"
#include "num.h"
#include "check.h"
#include "codegen.h"

/* One mistake, one message: a checker diagnostic on a line that already has
 * a lexical or syntax error (E01xx) is most likely that error's echo — an
 * item whose `points` an unclosed string swallowed "needs points" — so it is
 * dropped.  Diagnostics from before `first` (an earlier file) are kept. */
static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static uint32_t line_of(rb_source *src, const rb_diag *g)
{
    uint32_t line, col;
    rb_source_position(src, g->span.start, &line, &col);
    return line;
}

static bool is_syntax(const rb_diag *g)
{
    return strncmp(g->code, "E01", 3) == 0 && !RB_SPAN_IS_NONE(g->span);
}

static void drop_echoes(rb_source *src, rb_diags *d, size_t first)
{
    /* the lines that have a lexical or syntax error, sorted for lookup */
    uint32_t *lines = rb_xmalloc((d->count - first + 1) * sizeof *lines);
    size_t nlines = 0;
    for (size_t i = first; i < d->count; i++)
        if (is_syntax(&d->items[i])) lines[nlines++] = line_of(src, &d->items[i]);
    qsort(lines, nlines, sizeof *lines, cmp_u32);
    size_t kept = first;
    for (size_t i = first; i < d->count; i++) {
        rb_diag *g = &d->items[i];
        uint32_t line = nlines && !is_syntax(g) && !RB_SPAN_IS_NONE(g->span) ? line_of(src, g) : 0;
        if (line && bsearch(&line, lines, nlines, sizeof *lines, cmp_u32)) {
            if (g->severity == RB_SEV_ERROR) d->errors--;
            else if (g->severity == RB_SEV_WARNING) d->warnings--;
            rb_free(g->message);
            rb_free(g->help);
        } else {
            d->items[kept++] = *g;
        }
    }
    d->count = kept;
    rb_free(lines);
}

/* A JSON string through the one JSON string writer (json.c). */
static void json_buf_string(rb_buf *b, const char *s)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) return;
    rb_json_write_string(f, s, strlen(s));
    fclose(f);
    rb_buf_add(b, text, len);
    rb_free(text);
}

/* The -D values as the JSON object results echo: a number-typed param's
 * value as the exact number (40% → 0.4), a bool as true/false, text, dates
 * and choices as strings.  The values are the ones the checker accepted. */
static const ast_decl *find_param(const ast_decl *body, const char *name)
{
    for (const ast_decl *d = body; d; d = d->next) {
        if (d->kind == DECL_PARAM && d->name && strcmp(d->name, name) == 0) return d;
        const ast_decl *in = d->kind == DECL_SECTION ? find_param(d->body, name) : NULL;
        if (in) return in;
    }
    return NULL;
}

static char *params_json(const ast_decl *form, const rb_define *defs, size_t ndefs)
{
    rb_buf b = {0};
    rb_buf_putc(&b, '{');
    for (size_t i = 0; i < ndefs; i++) {
        const ast_decl *d = find_param(form->body, defs[i].name);
        ast_type_kind type = d && d->type && d->type->resolved ? d->type->resolved->kind : TY_TEXT;
        if (i) rb_buf_putc(&b, ',');
        json_buf_string(&b, defs[i].name);
        rb_buf_putc(&b, ':');
        const char *v = defs[i].value;
        size_t n = strlen(v);
        rb_num x;
        if ((type == TY_NUMBER || type == TY_INTEGER || type == TY_PERCENT) && rb_num_parse_percent(v, n, &x) == RB_NUM_OK) {
            char num[128];
            rb_num_format_exact(x, num, sizeof num);
            rb_buf_puts(&b, num);
        } else if (type == TY_BOOL && (strcmp(v, "true") == 0 || strcmp(v, "false") == 0)) {
            rb_buf_puts(&b, v);
        } else {
            json_buf_string(&b, v);
        }
    }
    rb_buf_putc(&b, '}');
    return b.s;
}

rb_program *rb_compile_defines(const rb_program *compiled, const rb_define *defs, size_t ndefs, rb_diags *diags,
                               rb_source **src_out, char *err, size_t cap)
{
    *src_out = NULL;
    if (compiled->source_text == RB_NONE) {
        snprintf(err, cap, "%s", rb_tr(diags->lang, N_("-D needs the template source, and this compiled file carries none")));
        return NULL;
    }
    rb_source *src = rb_source_new(compiled->source_name != RB_NONE ? rb_str(compiled, compiled->source_name) : "template",
                                   rb_str(compiled, compiled->source_text), compiled->string_len[compiled->source_text]);
    /* the values it was compiled with ("NAME=VALUE" lines), then the new
     * ones, which replace those of the same name */
    char *lines = compiled->source_defines != RB_NONE ? rb_xstrdup(rb_str(compiled, compiled->source_defines)) : NULL;
    size_t nold = 0, nall = 0;
    for (const char *c = lines; c && *c; c++) nold += *c == '\n';
    rb_define *all = rb_xmalloc((nold + ndefs + 1) * sizeof *all);
    for (char *line = lines, *nl; line && (nl = strchr(line, '\n')); line = nl + 1) {
        *nl = '\0';
        char *eq = strchr(line, '=');
        if (eq) *eq = '\0', all[nall++] = (rb_define){line, eq + 1};
    }
    size_t nboth = nall;
    rb_diags plain;
    rb_diags_init(&plain);
    rb_program *same = rb_compile(src, all, nall, &plain);
    bool proved = same && strcmp(same->digest, compiled->digest) == 0;
    rb_program_free(same);
    rb_diags_free(&plain);
    if (!proved) {
        rb_free(all);
        rb_free(lines);
        rb_source_free(src);
        snprintf(err, cap, "%s",
                 rb_tr(diags->lang, N_("-D needs the template source, and the source this file carries does not compile to it")));
        return NULL;
    }
    for (size_t i = 0; i < ndefs; i++) {
        size_t k = 0;
        while (k < nboth && strcmp(all[k].name, defs[i].name) != 0) k++;
        all[k] = defs[i];
        if (k == nboth) nboth++;
    }
    rb_program *p = rb_compile(src, all, nboth, diags);
    rb_free(all);
    rb_free(lines);
    *src_out = src;
    if (!p) return NULL;
    memcpy(p->digest, compiled->digest, sizeof p->digest); /* the file's, which the values do not change */
    return p;
}

rb_program *rb_compile(rb_source *src, const rb_define *defs, size_t ndefs, rb_diags *diags)
{
    size_t first = diags->count;
    rb_arena *arena = rb_arena_new();
    size_t errors = diags->errors;
    ast_file *file = rb_parse(arena, src, diags);
    rb_checked checked;
    if (file && file->form) rb_check(arena, src, file, defs, ndefs, diags, &checked);
    rb_program *loaded = NULL;
    if (diags->errors == errors && file && file->form) {
        rb_program *p = rb_codegen(src, &checked);
        size_t len = 0;
        uint8_t *bytes = rb_program_serialize(p, &len);
        char err[256];
        loaded = rb_program_load(bytes, len, diags->lang, err, sizeof err);
        if (!loaded) {
            rb_diag_add(diags, RB_SEV_ERROR, "E0001", RB_SPAN_NONE, /* about the compiler, not a line */
                        "internal compiler error: the generated bytecode failed verification: %s", err);
        }
        rb_free(bytes);
        rb_program_free(p);
    }
    if (loaded && ndefs) loaded->params_json = params_json(file->form, defs, ndefs);
    drop_echoes(src, diags, first);
    rb_diags_sort(diags);
    rb_arena_free(arena);
    return loaded;
}
