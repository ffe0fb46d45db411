/* main.c — the `rubric` command line (SPEC §9, docs/cli.md).
 *
 * Each command is a function that reads its options with the shared parser
 * (cli_opts.c: one table of options per command) and returns the exit
 * status: 0 success, 1 template errors / invalid records / failed cases, 2
 * usage or I/O errors (or, for `score`, a template that does not compile).  Diagnostics in text and gcc form go to stderr; json and sarif
 * go to stdout, where tools read them. */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "cli.h"
#include "rubric.h" /* rubric_version: the version is defined once, there */
#include "cli_jobs.h"
#include "columns.h"
#include "compile.h"
#include "encoding.h"
#include "diag.h"
#include "history.h"
#include "lang.h"
#include "outfile.h"
#include "xlsx.h"
#include "program.h"
#include "record.h"
#include "result.h"
#include "rows.h"
#include "store.h"
#include "vm.h"

/* The language of every message for a person (SPEC §17): --lang, which any
 * command takes and main() removes from argv, else the environment. */
static rb_lang cli_lang;
#define TR(s) rb_tr(cli_lang, s)

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void print_diags(rb_source *src, rb_diags *d, rb_diag_format fmt)
{
    rb_diag_print(stderr, src, d, fmt);
}

/* Loads a template: a .rbc file (verified) or a source (compiled; its
 * diagnostics printed).  NULL on failure, after saying why. */
static rb_program *load_template(const char *cmd, const char *path, const rb_define *defs, size_t ndefs)
{
    bool rbc = has_suffix(path, ".rbc");
    char err[256];
    rb_source *src = rb_source_read(path, cli_lang, err, sizeof err); /* the bytes, for either kind */
    if (!src) {
        fprintf(stderr, "rubric %s: %s\n", cmd, err);
        return NULL;
    }
    rb_program *p;
    if (rbc) {
        p = rb_program_load((const uint8_t *)src->text, src->len, cli_lang, err, sizeof err);
        if (!p) fprintf(stderr, "rubric %s: %s: %s\n", cmd, path, err);
        if (p && ndefs) { /* SPEC §9: the values replace the compiled defaults */
            rb_diags d;
            rb_diags_init(&d);
            d.lang = cli_lang;
            rb_source *inner = NULL;
            rb_program *defined = rb_compile_defines(p, defs, ndefs, &d, &inner, err, sizeof err);
            if (d.errors) print_diags(inner, &d, RB_DIAG_TEXT);
            else if (!defined) fprintf(stderr, "rubric %s: %s: %s\n", cmd, path, err);
            rb_diags_free(&d);
            rb_source_free(inner);
            rb_program_free(p);
            p = defined;
        }
    } else {
        rb_diags d;
        rb_diags_init(&d);
        d.lang = cli_lang;
        p = rb_compile(src, defs, ndefs, &d);
        if (d.errors) print_diags(src, &d, RB_DIAG_TEXT);
        rb_diags_free(&d);
    }
    rb_source_free(src);
    return p;
}

/* ---- check ---------------------------------------------------------------- */

/* "2 errors, 1 warning" after the text form of check. */
static void print_summary(size_t errors, size_t warnings)
{
    fprintf(stderr, TR(errors == 1 ? N_("%zu error") : N_("%zu errors")), errors);
    fputs(TR(N_(", ")), stderr);
    fprintf(stderr, TR(warnings == 1 ? N_("%zu warning") : N_("%zu warnings")), warnings);
    fputc('\n', stderr);
}

static int cmd_check(rb_cli *c, int argc, char **argv)
{
    const char *format = NULL;
    bool werror = false;
    const rb_opt opts[] = {{"-D", RB_OPT_DEFINE, NULL},
                           {"--format", RB_OPT_VALUE, &format},
                           {"--werror", RB_OPT_FLAG, &werror},
                           {NULL, RB_OPT_FLAG, NULL}};
    if (!rb_cli_parse(c, opts, argc, argv)) return c->status;
    static const char *const formats[] = {"text", "gcc", "json", "sarif", NULL}; /* rb_diag_format order */
    int f = format ? rb_cli_choose(format, formats) : RB_DIAG_TEXT;
    if (f < 0) return rb_cli_usage_error(c, "unknown --format '%s' (text, gcc, json, sarif)", format);
    rb_diag_format fmt = (rb_diag_format)f;
    if (c->nargs == 0) return rb_cli_usage_error(c, "no template given", NULL);
    bool machine = fmt == RB_DIAG_JSON || fmt == RB_DIAG_SARIF, first = true;
    size_t errors = 0, warnings = 0;
    int status = 0;
    if (machine) rb_diag_json_begin(stdout, fmt);
    for (size_t i = 0; i < c->nargs; i++) {
        char err[256];
        rb_source *src = rb_source_read(c->args[i], cli_lang, err, sizeof err);
        if (!src) {
            fprintf(stderr, "rubric check: %s\n", err);
            status = 2;
            continue;
        }
        rb_diags d;
        rb_diags_init(&d);
        d.lang = cli_lang;
        rb_program *p = rb_compile(src, c->defs, c->ndefs, &d);
        rb_program_free(p);
        if (machine) rb_diag_json_file(stdout, src, &d, fmt, &first);
        else {
            /* text form: a blank line between files, as between diagnostics */
            if (fmt == RB_DIAG_TEXT && d.count && errors + warnings) fputc('\n', stderr);
            print_diags(src, &d, fmt);
        }
        errors += d.errors;
        warnings += d.warnings;
        rb_diags_free(&d);
        rb_source_free(src);
    }
    if (machine) rb_diag_json_end(stdout, fmt);
    if (!machine && fmt == RB_DIAG_TEXT && (errors || warnings))
        print_summary(errors, warnings);
    if (status) return status;
    return errors || (werror && warnings) ? 1 : 0;
}

/* ---- compile --------------------------------------------------------------- */

static int cmd_compile(rb_cli *c, int argc, char **argv)
{
    const char *output = NULL;
    const rb_opt opts[] = {{"-D", RB_OPT_DEFINE, NULL}, {"-o", RB_OPT_VALUE, &output}, {NULL, RB_OPT_FLAG, NULL}};
    if (!rb_cli_parse(c, opts, argc, argv)) return c->status;
    if (c->nargs != 1) return rb_cli_usage_error(c, "give exactly one template", NULL);
    if (!output) return rb_cli_usage_error(c, "-o OUT.rbc is required", NULL);
    char err[256];
    rb_source *src = rb_source_read(c->args[0], cli_lang, err, sizeof err);
    if (!src) {
        fprintf(stderr, "rubric compile: %s\n", err);
        return 2;
    }
    rb_diags d;
    rb_diags_init(&d);
    d.lang = cli_lang;
    rb_program *p = rb_compile(src, c->defs, c->ndefs, &d);
    print_diags(src, &d, RB_DIAG_TEXT);
    rb_diags_free(&d);
    rb_source_free(src);
    int status = 0;
    if (!p) {
        status = 1;
    } else {
        size_t len;
        uint8_t *bytes = rb_program_serialize(p, &len);
        /* A failed write never leaves a truncated .rbc behind (outfile.c). */
        char werr[512];
        if (rb_write_file(output, bytes, len, cli_lang, werr, sizeof werr) != 0) {
            fprintf(stderr, "rubric compile: %s\n", werr);
            status = 2;
        }
        free(bytes);
        rb_program_free(p);
    }
    return status;
}

/* ---- score ------------------------------------------------------------------- */

/* A command that reported its own write error (finish() then says nothing). */
static bool write_error_reported;

/* `score --store DB`: the store, opened and in its transaction; NULL after
 * saying why. */
static rb_store *open_store(const rb_program *p, const char *path)
{
    if (p->key_slot == RB_NONE || p->period_slot == RB_NONE) {
        fprintf(stderr, TR(N_("rubric score: --store keeps results by person and period, and form '%s' declares no "
                              "'key FIELD' and 'period … on FIELD'\n")),
                rb_str(p, p->name));
        return NULL;
    }
    char err[640];
    rb_store *st = rb_store_open(path, true, cli_lang, err, sizeof err);
    if (!st) {
        fprintf(stderr, "rubric score: %s\n", err);
        return NULL;
    }
    if (rb_store_begin(st, p)) {
        fprintf(stderr, "rubric score: %s: %s\n", path, rb_store_error(st));
        rb_store_close(st);
        return NULL;
    }
    return st;
}

/* Stores a valid result with the line `score` prints for it.  -1: the
 * store failed (said why). */
static int store_result(rb_store *st, const rb_program *p, const rb_result *r)
{
    if (rb_store_failed(st)) {
        fprintf(stderr, "rubric score: %s\n", rb_store_error(st));
        return -1;
    }
    if (!r->ok || !r->history_key || !r->history_period) return 0; /* invalid records are not stored */
    char *json = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&json, &len);
    rb_write_ndjson(m, p, r);
    fclose(m);
    while (len && json[len - 1] == '\n') len--;
    int rc = rb_store_put(st, p, r, json, len, stderr);
    free(json);
    if (rc < 0) fprintf(stderr, "rubric score: %s\n", rb_store_error(st));
    return rc < 0 ? -1 : 0;
}

static int cmd_score(rb_cli *c, int argc, char **argv)
{
    const char *format = NULL, *input = NULL, *output = NULL, *encoding = NULL, *sheet = NULL, *jobs_given = NULL,
               *store_path = NULL;
    bool allow_extra = false;
    const rb_opt opts[] = {{"-D", RB_OPT_DEFINE, NULL},
                           {"--format", RB_OPT_VALUE, &format},
                           {"--allow-extra", RB_OPT_FLAG, &allow_extra},
                           {"--input", RB_OPT_VALUE, &input},     /* record format, overriding the file name */
                           {"--encoding", RB_OPT_VALUE, &encoding}, /* of CSV records */
                           {"--sheet", RB_OPT_VALUE, &sheet},     /* the worksheet of .xlsx records */
                           {"-o", RB_OPT_VALUE, &output},
                           {"-j", RB_OPT_VALUE, &jobs_given},     /* score on N threads */
                           {"--store", RB_OPT_VALUE, &store_path}, /* the SQLite store (SPEC §13) */
                           {NULL, RB_OPT_FLAG, NULL}};
    if (!rb_cli_parse(c, opts, argc, argv)) return c->status;
    int njobs = 1;
    if (jobs_given) {
        char *end;
        long v = strtol(jobs_given, &end, 10);
        if (*end || end == jobs_given || v < 1 || v > RB_JOBS_MAX)
            return rb_cli_usage_error(c, "-j takes a number of threads from 1 to 64, not '%s'", jobs_given);
        njobs = (int)v;
    }
    static const char *const encodings[] = {"utf-8", "gb18030", NULL}; /* rb_encoding order */
    int enc = encoding ? rb_cli_choose(encoding, encodings) : RB_ENC_AUTO;
    if (enc < 0) return rb_cli_usage_error(c, "unknown --encoding '%s' (utf-8, gb18030)", encoding);
    static const char *const inputs[] = {"json", "ndjson", "csv", NULL}; /* rb_input_format after AUTO */
    int in = input ? rb_cli_choose(input, inputs) : -1;
    if (input && in < 0) return rb_cli_usage_error(c, "unknown --input '%s' (json, ndjson, csv)", input);
    rb_input_format in_fmt = in < 0 ? RB_INPUT_AUTO : (rb_input_format)(RB_INPUT_JSON + in);
    enum { F_NDJSON, F_CSV, F_TABLE, F_EXPLAIN, F_XLSX };
    static const char *const formats[] = {"ndjson", "csv", "table", "explain", "xlsx", NULL};
    int fmt = format ? rb_cli_choose(format, formats) : F_NDJSON;
    if (fmt < 0) return rb_cli_usage_error(c, "unknown --format '%s' (ndjson, csv, table, explain, xlsx)", format);
    if ((fmt == F_XLSX) != (output != NULL))
        return rb_cli_usage_error(c, "--format xlsx writes to -o FILE.xlsx, and -o is for it alone", NULL);
    if (c->nargs == 0) return rb_cli_usage_error(c, "no template given", NULL);
    bool any_book = false;
    for (size_t i = 1; i < c->nargs; i++) any_book |= rb_xlsx_name(c->args[i]);
    if (sheet && !any_book) return rb_cli_usage_error(c, "--sheet %s: no .xlsx record file is given", sheet);
    rb_program *p = load_template("score", c->args[0], c->defs, c->ndefs);
    if (!p) return 2;
    rb_eval_options eo = {.allow_extra = allow_extra, .lang = cli_lang};
    rb_eval *ev = rb_eval_new(p, &eo);
    rb_store *store = NULL;
    if (store_path && !(store = open_store(p, store_path))) {
        rb_eval_free(ev);
        rb_program_free(p);
        return 2;
    }
    rb_history history;
    if (store) {
        history = rb_store_history(store);
        rb_eval_set_history(ev, &history);
    }
    rb_columns *columns = rb_columns_new(p);
    columns->allow_extra = allow_extra;
    static char outbuf[1 << 16]; /* results are many small writes: batch them */
    bool interactive = isatty(STDOUT_FILENO);
    if (!interactive) setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    /* NDJSON, the bulk format, skips stdio: one buffer flushed with write(2). */
    static char direct_buf[1 << 18];
    rb_out direct;
    rb_out_init_fd(&direct, STDOUT_FILENO, direct_buf, sizeof direct_buf);
    rb_ndjson_writer *ndjson = fmt == F_NDJSON ? rb_ndjson_writer_new(p) : NULL;
    rb_table *table = fmt == F_TABLE ? rb_table_new(p, cli_lang) : NULL;
    rb_rows *rows = fmt == F_CSV || fmt == F_XLSX ? rb_rows_new(p, cli_lang) : NULL;
    if (fmt == F_CSV) rb_rows_csv_header(rows, stdout);
    char xlsx_err[512];
    rb_rows_xlsx *xlsx = fmt == F_XLSX ? rb_rows_xlsx_open(rows, output, xlsx_err, sizeof xlsx_err) : NULL;
    if (fmt == F_XLSX && !xlsx) {
        fprintf(stderr, "rubric score: %s\n", xlsx_err);
        rb_rows_free(rows);
        rb_ndjson_writer_free(ndjson);
        rb_columns_free(columns);
        rb_eval_free(ev);
        rb_program_free(p);
        return 2;
    }
    /* -j: NDJSON results are scored on threads (the other formats gather or
     * interleave on one stream, and stay on this thread); with --store each
     * record reads what the ones before it stored, so they run in order here */
    rb_jobs *jobs = fmt == F_NDJSON && njobs > 1 && !store ? rb_jobs_new(p, &eo, njobs, &direct, interactive) : NULL;
    static const char *stdin_only[] = {"-"};
    const char **files = c->nargs > 1 ? c->args + 1 : stdin_only;
    size_t nfiles = c->nargs > 1 ? c->nargs - 1 : 1;
    uint64_t next = 1;
    int status = 0;
    for (size_t i = 0; i < nfiles && !direct.err && !ferror(stdout); i++) {
        /* a workbook's sheet is read as the CSV it holds (xlsx.h) */
        rb_xlsx *book = in_fmt == RB_INPUT_AUTO && rb_xlsx_name(files[i]) ? rb_xlsx_open(files[i], sheet, cli_lang) : NULL;
        char *book_name = NULL;
        if (book) {
            for (const char *note; (note = rb_xlsx_note(book));) fprintf(stderr, TR(N_("rubric %s: note: %s\n")), "score", note);
            if (!rb_xlsx_csv(book)) {
                fprintf(stderr, "rubric score: %s\n", rb_xlsx_error(book));
                rb_xlsx_close(book);
                status = 2;
                continue;
            }
            rb_buf b = {0};
            rb_buf_printf(&b, rb_tr(cli_lang, "%s, sheet %s"), files[i], rb_xlsx_sheet(book));
            book_name = b.s;
        }
        FILE *f = book ? rb_xlsx_csv(book) : strcmp(files[i], "-") == 0 ? stdin : fopen(files[i], "rb");
        if (!f) {
            fprintf(stderr, TR(N_("rubric %s: cannot read %s: %s\n")), "score", files[i], rb_strerror(cli_lang, errno));
            status = 2;
            continue;
        }
        rb_reader *r = rb_reader_open(f, book ? book_name : files[i], book ? RB_INPUT_CSV : in_fmt, next);
        rb_reader_set_headers(r, rb_columns_resolve, columns);
        rb_reader_set_encoding(r, book ? RB_ENC_UTF8 : enc);
        rb_reader_set_lang(r, cli_lang);
        if (book) rb_reader_set_sheet(r, rb_xlsx_sheet(book), rb_xlsx_row, book);
        rb_record rec;
        int got = -2;
        if (jobs && !book) { /* NDJSON: this thread only frames lines; the workers parse them */
            const char *text;
            size_t len;
            uint64_t line, col, number;
            while ((got = rb_reader_next_line(r, &text, &len, &line, &col, &number)) == 1) {
                rb_jobs_add_line(jobs, files[i], text, len, line, col, number, &status);
                next = number + 1;
                if (direct.err) {
                    got = 0;
                    break;
                }
            }
        }
        /* got -2: not NDJSON lines, so records read here */
        for (got = got == -2 ? rb_reader_next(r, &rec) : got; got == 1; got = rb_reader_next(r, &rec)) {
            for (const char *note; (note = rb_reader_note(r));) fprintf(stderr, TR(N_("rubric %s: note: %s\n")), "score", note);
            if (jobs) {
                rb_jobs_add(jobs, &rec, &status);
                next = rec.number + 1;
                if (direct.err) break;
                continue;
            }
            const rb_result *res = rb_eval_record(ev, &rec);
            if (!res->ok && status == 0) status = 1;
            if (store && store_result(store, p, res)) {
                status = 2;
                break;
            }
            switch (fmt) {
            case F_NDJSON:
                rb_ndjson_write(ndjson, &direct, res);
                if (interactive) rb_out_flush(&direct);
                break;
            case F_CSV: rb_rows_csv(rows, stdout, res); break;
            case F_XLSX: rb_rows_xlsx_add(xlsx, res); break;
            case F_TABLE: rb_table_add(table, res); break;
            case F_EXPLAIN: rb_write_explain(stdout, p, res); break;
            }
            next = rec.number + 1;
            if (direct.err || ferror(stdout)) break; /* stop at the first failed write */
        }
        if (jobs) rb_jobs_drain(jobs, &status); /* this file's results before its errors */
        for (const char *note; (note = rb_reader_note(r));) fprintf(stderr, TR(N_("rubric %s: note: %s\n")), "score", note);
        if (got < 0) {
            fprintf(stderr, "rubric score: %s\n", rb_reader_error(r)); /* names the file */
            status = 2;
        }
        rb_reader_close(r);
        if (book) {
            if (rb_xlsx_error(book)) { /* the rows before it were scored */
                fprintf(stderr, "rubric score: %s\n", rb_xlsx_error(book));
                status = 2;
            }
            rb_xlsx_close(book);
            free(book_name);
        } else if (f != stdin) {
            fclose(f);
        }
    }
    rb_jobs_free(jobs, &status);
    if (table) {
        rb_table_write(table, stdout);
        rb_table_free(table);
    }
    if (xlsx && rb_rows_xlsx_close(xlsx, xlsx_err, sizeof xlsx_err) != 0) {
        fprintf(stderr, "rubric score: %s\n", xlsx_err);
        status = 2;
    }
    rb_rows_free(rows);
    if (!rb_out_flush(&direct)) errno = direct.err;
    if (direct.err || fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, TR(N_("rubric %s: cannot write the results: %s\n")), "score", rb_strerror(cli_lang, errno));
        write_error_reported = true;
        status = 2;
    }
    if (store) {
        /* one run, one transaction: all of it or, after any error, none */
        if (status == 2 || rb_store_failed(store)) {
            rb_store_rollback(store);
            fprintf(stderr, "%s\n", TR(N_("rubric score: nothing was stored")));
            status = 2;
        } else if (rb_store_commit(store)) {
            fprintf(stderr, "rubric score: %s\n", rb_store_error(store));
            status = 2;
        }
        rb_store_close(store);
    }
    rb_ndjson_writer_free(ndjson);
    rb_columns_free(columns);
    rb_eval_free(ev);
    rb_program_free(p);
    return status;
}

/* ---- test ------------------------------------------------------------------- */

/* Does `actual` contain `expect`?  Objects: every expected key matches (an
 * expected null also matches a key that is absent, so a case can say "no
 * total"); arrays: same length, element by element; numbers: exactly equal
 * values; everything else: equal.  On a mismatch, writes the path and both values. */
static bool json_num_equal(const rb_rv *a, const rb_rv *b)
{
    rb_num x, y;
    if (rb_num_parse(a->text, a->len, &x) != RB_NUM_OK || rb_num_parse(b->text, b->len, &y) != RB_NUM_OK)
        return a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
    return rb_num_cmp(x, y) == 0;
}

static void describe(FILE *out, const rb_rv *v)
{
    switch (v->kind) {
    case RV_NULL: fputs("null", out); break;
    case RV_BOOL: fputs(v->boolean ? "true" : "false", out); break;
    case RV_NUMBER: fwrite(v->text, 1, v->len, out); break;
    case RV_STRING: rb_json_write_string(out, v->text, v->len); break;
    case RV_OBJECT: fputs("{…}", out); break;
    case RV_ARRAY: fprintf(out, TR(N_("an array of %zu")), v->count); break;
    }
}

static bool subset(const rb_rv *expect, const rb_rv *actual, char *path, size_t cap, FILE *why)
{
    size_t plen = strlen(path);
    if (!actual && expect->kind == RV_NULL) return true; /* null expects the key absent (or null) */
    const char *where = plen ? path : TR(N_("(result)"));
    if (!actual) {
        fprintf(why, TR(N_("%s: expected ")), where);
        describe(why, expect);
        fputs(TR(N_(", but the result has no such key\n")), why);
        return false;
    }
    bool same = expect->kind == actual->kind;
    if (same) {
        switch (expect->kind) {
        case RV_NULL: break;
        case RV_BOOL: same = expect->boolean == actual->boolean; break;
        case RV_NUMBER: same = json_num_equal(expect, actual); break;
        case RV_STRING: same = expect->len == actual->len && memcmp(expect->text, actual->text, expect->len) == 0; break;
        case RV_OBJECT:
            for (size_t i = 0; i < expect->count; i++) {
                const rb_rv_member *m = &expect->members[i];
                snprintf(path + plen, cap - plen, "%s%s", plen ? "." : "", m->key);
                bool ok = subset(&m->value, rb_rv_get(actual, m->key), path, cap, why);
                path[plen] = '\0';
                if (!ok) return false;
            }
            return true;
        case RV_ARRAY:
            if (expect->count != actual->count) {
                fprintf(why, TR(expect->count == 1 ? N_("%s: expected %zu element, got %zu\n")
                                                   : N_("%s: expected %zu elements, got %zu\n")),
                        where, expect->count, actual->count);
                return false;
            }
            for (size_t i = 0; i < expect->count; i++) {
                snprintf(path + plen, cap - plen, "[%zu]", i);
                bool ok = subset(&expect->items[i], &actual->items[i], path, cap, why);
                path[plen] = '\0';
                if (!ok) return false;
            }
            return true;
        }
    }
    if (!same) {
        fprintf(why, TR(N_("%s: expected ")), where);
        describe(why, expect);
        fputs(TR(N_(", got ")), why);
        describe(why, actual);
        fputc('\n', why);
    }
    return same;
}

/* Scores `record` and compares the result with `expect`; on a mismatch,
 * writes why to `why` and returns false (*json: the result, caller frees). */
static bool score_expect(rb_eval *ev, const rb_program *p, const rb_record *rec, const rb_rv *record,
                         const rb_rv *expect, rb_arena *arena, FILE *why, char **json, const rb_result **out)
{
    rb_record r = *rec;
    r.value = *record;
    r.from_csv = false;
    const rb_result *res = rb_eval_record(ev, &r);
    *out = res;
    size_t json_len = 0;
    FILE *mem = open_memstream(json, &json_len);
    rb_write_ndjson(mem, p, res);
    fclose(mem);
    const char *err = NULL;
    const rb_rv *actual = rb_json_parse(arena, *json, json_len, cli_lang, &err);
    char path[1024] = "";
    bool ok = actual && subset(expect, actual, path, sizeof path, why);
    if (!actual) fprintf(why, TR(N_("the result is not valid JSON: %s\n")), err ? err : "?");
    return ok;
}

/* A multi-period case (docs/templates.md): {"name":…, "sequence":[{"record":
 * {…}, "expect":{…}}, …]} scores its steps in order against an in-memory
 * store (SPEC §13): each valid result is stored for the steps after it, and
 * a step with the key and period of an earlier one replaces it. */
static bool run_sequence(rb_eval *ev, const rb_program *p, const rb_record *rec, const rb_rv *steps,
                         rb_arena *arena, FILE *why, char **json)
{
    rb_memory_history *mem = rb_memory_history_new();
    rb_history h = rb_memory_history_provider(mem);
    rb_eval_set_history(ev, &h);
    bool ok = true;
    for (size_t i = 0; i < steps->count && ok; i++) {
        const rb_rv *st = &steps->items[i];
        const rb_rv *record = st->kind == RV_OBJECT ? rb_rv_get(st, "record") : NULL;
        const rb_rv *expect = st->kind == RV_OBJECT ? rb_rv_get(st, "expect") : NULL;
        if (!record || record->kind != RV_OBJECT || !expect || expect->kind != RV_OBJECT) {
            fprintf(why, TR(N_("step %zu needs \"record\": {…} and \"expect\": {…}\n")), i + 1);
            ok = false;
            break;
        }
        free(*json);
        *json = NULL;
        const rb_result *res;
        ok = score_expect(ev, p, rec, record, expect, arena, why, json, &res);
        if (!ok) fprintf(why, TR(N_("  (at step %zu of %zu)\n")), i + 1, steps->count);
        if (ok && res->ok && res->history_key && res->history_period) {
            rb_stored_value *vals;
            size_t n = rb_history_values(p, res, arena, &vals);
            rb_memory_history_put(mem, res->history_key, res->history_period, vals, n);
        }
    }
    rb_eval_set_history(ev, NULL);
    rb_memory_history_free(mem);
    return ok;
}

/* Runs one case; returns 1 pass, 0 fail, -1 malformed case (reported). */
static int run_case(rb_eval *ev, const rb_program *p, const rb_record *rec, const char *file, rb_arena *arena)
{
    const rb_rv *c = &rec->value;
    bool object = !rec->syntax_error && c->kind == RV_OBJECT;
    const rb_rv *name = object ? rb_rv_get(c, "name") : NULL;
    const rb_rv *record = object ? rb_rv_get(c, "record") : NULL;
    const rb_rv *expect = object ? rb_rv_get(c, "expect") : NULL;
    const rb_rv *sequence = object ? rb_rv_get(c, "sequence") : NULL;
    const char *label = name && name->kind == RV_STRING ? name->text : NULL;
    char fallback[64];
    if (!label) {
        snprintf(fallback, sizeof fallback, TR(N_("case %llu")), (unsigned long long)rec->number);
        label = fallback;
    }
    bool single = record && record->kind == RV_OBJECT && expect && expect->kind == RV_OBJECT;
    bool steps = !record && !expect && sequence && sequence->kind == RV_ARRAY && sequence->count > 0;
    if (!single && !steps) {
        printf(TR(N_("ERROR %s (%s line %llu): %s\n")), label, file, (unsigned long long)rec->line,
               rec->syntax_error ? rec->syntax_error
                                 : TR(N_("a case needs \"record\": {…} and \"expect\": {…}, or \"sequence\": "
                                         "[{\"record\": {…}, \"expect\": {…}}, …]")));
        return -1;
    }
    char *json = NULL;
    char *why = NULL;
    size_t why_len = 0;
    FILE *w = open_memstream(&why, &why_len);
    const rb_result *res;
    bool ok = single ? score_expect(ev, p, rec, record, expect, arena, w, &json, &res)
                     : run_sequence(ev, p, rec, sequence, arena, w, &json);
    fclose(w);
    if (ok) {
        printf(TR(N_("PASS %s\n")), label);
    } else {
        printf(TR(N_("FAIL %s (%s line %llu)\n  %s  result: %s")), label, file, (unsigned long long)rec->line, why,
               json ? json : "\n");
    }
    free(why);
    free(json);
    return ok;
}

static int cmd_test(rb_cli *c, int argc, char **argv)
{
    const rb_opt opts[] = {{"-D", RB_OPT_DEFINE, NULL}, {NULL, RB_OPT_FLAG, NULL}};
    if (!rb_cli_parse(c, opts, argc, argv)) return c->status;
    if (c->nargs < 2) return rb_cli_usage_error(c, "give a template and at least one case file", NULL);
    rb_program *p = load_template("test", c->args[0], c->defs, c->ndefs);
    if (!p) return 2;
    rb_eval_options eo = {.lang = cli_lang};
    rb_eval *ev = rb_eval_new(p, &eo);
    rb_arena *arena = rb_arena_new();
    unsigned passed = 0, failed = 0;
    int status = 0;
    for (size_t i = 1; i < c->nargs && !ferror(stdout); i++) {
        FILE *f = strcmp(c->args[i], "-") == 0 ? stdin : fopen(c->args[i], "rb");
        if (!f) {
            fprintf(stderr, TR(N_("rubric %s: cannot read %s: %s\n")), "test", c->args[i], rb_strerror(cli_lang, errno));
            status = 2;
            continue;
        }
        rb_input_format fmt = has_suffix(c->args[i], ".csv") ? RB_INPUT_CSV : RB_INPUT_AUTO;
        if (fmt == RB_INPUT_CSV) {
            fprintf(stderr, TR(N_("rubric test: %s: cases are JSON or NDJSON\n")), c->args[i]);
            status = 2;
            if (f != stdin) fclose(f);
            continue;
        }
        rb_reader *r = rb_reader_open(f, c->args[i], fmt, 1);
        rb_reader_set_lang(r, cli_lang);
        rb_record rec;
        int got;
        while ((got = rb_reader_next(r, &rec)) == 1) {
            rb_arena_reset(arena);
            int res = run_case(ev, p, &rec, c->args[i], arena);
            if (res == 1) passed++;
            else failed++;
            if (ferror(stdout)) break; /* stop at the first failed write */
        }
        if (got < 0) {
            fprintf(stderr, "rubric test: %s\n", rb_reader_error(r)); /* names the file */
            status = 2;
        }
        rb_reader_close(r);
        if (f != stdin) fclose(f);
    }
    printf(TR(N_("%u passed, %u failed\n")), passed, failed);
    rb_arena_free(arena);
    rb_eval_free(ev);
    rb_program_free(p);
    if (status) return status;
    return failed ? 1 : 0;
}

/* ---- disasm ----------------------------------------------------------------- */

static int cmd_disasm(rb_cli *c, int argc, char **argv)
{
    const rb_opt opts[] = {{"-D", RB_OPT_DEFINE, NULL}, {NULL, RB_OPT_FLAG, NULL}};
    if (!rb_cli_parse(c, opts, argc, argv)) return c->status;
    if (c->nargs != 1) return rb_cli_usage_error(c, "give exactly one file", NULL);
    rb_program *p = load_template("disasm", c->args[0], c->defs, c->ndefs);
    if (!p) return 2;
    rb_program_disasm(stdout, p);
    rb_program_free(p);
    return 0;
}

/* Takes "--lang L" or "--lang=L" out of argv wherever it stands. */
static int take_lang_option(int *argc, char **argv)
{
    const char *flag = NULL;
    int out = 0;
    for (int i = 0; i < *argc; i++) {
        if (strcmp(argv[i], "--lang") == 0 && i + 1 == *argc) {
            /* said in the language the environment asks for */
            fputs(rb_tr((rb_lang)rb_lang_choose(NULL), N_("rubric: --lang needs a value, en or zh\n")), stderr);
            return -1;
        }
        if (strcmp(argv[i], "--lang") == 0) flag = argv[++i];
        else if (strncmp(argv[i], "--lang=", 7) == 0) flag = argv[i] + 7;
        else argv[out++] = argv[i];
    }
    argv[out] = NULL;
    *argc = out;
    int lang = rb_lang_choose(flag);
    if (lang < 0) {
        /* said in the language the environment asks for */
        fprintf(stderr, rb_tr((rb_lang)rb_lang_choose(NULL), N_("rubric: --lang takes en or zh, not '%s'\n")), flag);
        return -1;
    }
    cli_lang = (rb_lang)lang;
    return 0;
}

/* Every write error is exit 2 (SPEC §9): whatever a command printed is
 * flushed here and checked, for the commands that print little; `score`
 * and `test` also stop at their first failed write. */
static int finish(const char *cmd, int status)
{
    errno = 0;
    if ((fflush(stdout) != 0 || ferror(stdout)) && !write_error_reported) {
        fprintf(stderr, TR(N_("rubric %s: cannot write the output: %s\n")), cmd, rb_strerror(cli_lang, errno ? errno : EIO));
        return 2;
    }
    return write_error_reported ? 2 : status;
}

static int run(int argc, char **argv);

int main(int argc, char **argv)
{
    /* Line-buffered, not unbuffered: a diagnostic quoting a megabyte-long
     * line is a few writes, not one per character. */
    static char stderr_buf[1 << 16];
    setvbuf(stderr, stderr_buf, _IOLBF, sizeof stderr_buf);
    /* out of memory anywhere in the library unwinds to here (alloc.h):
     * the command line reports it and ends, status 70 (EX_SOFTWARE) */
    rb_alloc_guard guard;
    rb_alloc_enter(&guard, RB_ALLOC_UNWIND);
    if (setjmp(guard.env) != 0) {
        rb_alloc_failed(&guard);
        fputs(TR(N_("rubric: out of memory\n")), stderr);
        return 70;
    }
    int status = run(argc, argv);
    return finish(argc > 1 && argv[1] ? argv[1] : "rubric", status);
}

static int run(int argc, char **argv)
{
    if (take_lang_option(&argc, argv) < 0) return 2;
    if (argc < 2) {
        fputs(TR(N_("rubric — compiles appraisal-form templates and scores records\n\n")), stderr);
        rb_cli_usage(stderr, cli_lang, NULL);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf(TR(N_("rubric %s (bytecode format %u)\n")), rubric_version(), RB_FORMAT_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        if (argc > 2) {
            if (rb_cli_usage(stdout, cli_lang, argv[2])) return 0;
            fprintf(stderr, TR(N_("rubric help: no command '%s'\n")), argv[2]);
            return 2;
        }
        fputs(TR(N_("rubric — compiles appraisal-form templates and scores records\n\n")), stdout);
        rb_cli_usage(stdout, cli_lang, NULL);
        return 0;
    }
    static const struct {
        const char *name;
        int (*fn)(rb_cli *, int, char **);
    } cmds[] = {
        {"check", cmd_check},   {"compile", cmd_compile}, {"score", cmd_score},   {"test", cmd_test},
        {"disasm", cmd_disasm}, {"fmt", rb_cli_fmt},      {"sheet", rb_cli_sheet}, {"report", rb_cli_report},
        {"form", rb_cli_form},  {"history", rb_cli_history},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
        if (strcmp(cmd, cmds[i].name) != 0) continue;
        rb_cli c = {.cmd = cmds[i].name, .lang = cli_lang, .load = load_template};
        int status = cmds[i].fn(&c, argc - 2, argv + 2);
        rb_cli_done(&c);
        return status;
    }
    fprintf(stderr, TR(N_("rubric: unknown command '%s'\n")), cmd);
    rb_cli_usage(stderr, cli_lang, NULL);
    return 2;
}
