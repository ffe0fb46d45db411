/* cli_report.c — the command `rubric report` (SPEC §14, docs/cli.md): scores
 * a batch, aggregates it (report.c) and writes the report as JSON, Markdown,
 * an HTML page or a workbook.  Exit 1 when a record is invalid or a
 * distribution rule is broken, so that scripts can gate on calibration. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cli.h"
#include "columns.h"
#include "encoding.h"
#include "outfile.h"
#include "report.h"
#include "history.h"
#include "store.h"
#include <sqlite3.h>
#include "vm.h"
#include "xlsx.h"

enum { F_HTML, F_JSON, F_MD, F_XLSX };
static const char *const format_names[] = {"html", "json", "md", "xlsx", NULL};

static rb_lang lang; /* of every message (SPEC §17): the command's argument */

/* The format an output file's extension names, or -1. */
static int format_of_path(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot || strchr(dot, '/')) return -1;
    if (strcmp(dot, ".htm") == 0) return F_HTML;
    return rb_cli_choose(dot + 1, format_names);
}

/* Writes the text to `path`, or to standard output (NULL), whose write
 * errors main() reports when it flushes it (exit 2); 0 or 2. */
static int write_text(const char *path, const char *text, size_t len)
{
    char err[512];
    if (path) {
        if (rb_write_file(path, text, len, lang, err, sizeof err) == 0) return 0;
        fprintf(stderr, "rubric report: %s\n", err);
        return 2;
    }
    fwrite(text, 1, len, stdout);
    return 0;
}

static int write_workbook(const char *path, const rb_report *r)
{
    char err[512];
    if (rb_report_xlsx(path, r, lang, err, sizeof err)) return 0;
    fprintf(stderr, "rubric report: %s\n", err);
    return 2;
}

/* Scores every record of `files` into the report, read as `score` reads
 * them (a workbook's sheet as the CSV it holds, CSV in `enc`); 0, or 2 on
 * an I/O error. */
static int score_into(rb_report *report, const rb_program *p, const char *const *files, size_t nfiles,
                      bool allow_extra, rb_encoding enc, const char *sheet)
{
    rb_eval_options eo = {.allow_extra = allow_extra, .lang = lang};
    rb_eval *ev = rb_eval_new(p, &eo);
    rb_columns *columns = rb_columns_new(p);
    columns->allow_extra = allow_extra;
    uint64_t next = 1;
    int status = 0;
    for (size_t i = 0; i < nfiles; i++) {
        rb_xlsx *book = rb_xlsx_name(files[i]) ? rb_xlsx_open(files[i], sheet, lang) : NULL;
        for (const char *note; book && (note = rb_xlsx_note(book));) fprintf(stderr, rb_tr(lang, N_("rubric %s: note: %s\n")), "report", note);
        FILE *f = book ? rb_xlsx_csv(book) : strcmp(files[i], "-") == 0 ? stdin : fopen(files[i], "rb");
        if (!f) {
            if (book) fprintf(stderr, "rubric report: %s\n", rb_xlsx_error(book));
            else fprintf(stderr, rb_tr(lang, N_("rubric %s: cannot read %s: %s\n")), "report", files[i], rb_strerror(lang, errno));
            rb_xlsx_close(book);
            status = 2;
            continue;
        }
        rb_reader *rd = rb_reader_open(f, files[i], book ? RB_INPUT_CSV : RB_INPUT_AUTO, next);
        rb_reader_set_headers(rd, rb_columns_resolve, columns);
        rb_reader_set_encoding(rd, book ? RB_ENC_UTF8 : enc);
        rb_reader_set_lang(rd, lang);
        if (book) rb_reader_set_sheet(rd, rb_xlsx_sheet(book), rb_xlsx_row, book);
        rb_record rec;
        int got;
        while ((got = rb_reader_next(rd, &rec)) == 1) {
            for (const char *note; (note = rb_reader_note(rd));) fprintf(stderr, rb_tr(lang, N_("rubric %s: note: %s\n")), "report", note);
            rb_report_add(report, rb_eval_record(ev, &rec));
            next = rec.number + 1;
        }
        for (const char *note; (note = rb_reader_note(rd));) fprintf(stderr, rb_tr(lang, N_("rubric %s: note: %s\n")), "report", note);
        if (got < 0 || (book && rb_xlsx_error(book))) {
            fprintf(stderr, "rubric report: %s\n", got < 0 ? rb_reader_error(rd) : rb_xlsx_error(book));
            status = 2;
        }
        rb_reader_close(rd);
        if (book) rb_xlsx_close(book);
        else if (f != stdin) fclose(f);
    }
    rb_columns_free(columns);
    rb_eval_free(ev);
    return status;
}

/* The results `score --store` kept for this form and one period (SPEC §14),
 * read back as `score` printed them, in the order they were scored. */
static int store_into(rb_report *report, const rb_program *p, const char *path, const char *period)
{
    const char *kind = p->period == RB_NONE ? NULL : rb_str(p, p->period);
    char canon[RB_PERIOD_MAX];
    if (p->key_slot == RB_NONE || !kind || !rb_period_canonical(kind, period, strlen(period), canon)) {
        fprintf(stderr, "rubric report: ");
        if (p->key_slot == RB_NONE || !rb_period_expected(kind))
            fputs(rb_tr(lang, N_("--store: the form keeps no history (it needs 'key' and 'period … on')")), stderr);
        else
            fprintf(stderr, rb_tr(lang, N_("--period %s is not %s")), period, rb_tr(lang, rb_period_expected(kind)));
        fputc('\n', stderr);
        return 2;
    }
    char err[512];
    rb_store *st = rb_store_open(path, false, lang, err, sizeof err);
    if (!st) {
        fprintf(stderr, "rubric report: %s\n", err);
        return 2;
    }
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(rb_store_db(st),
                                "SELECT result FROM results WHERE form = ?1 AND period = ?2 ORDER BY run, record, key",
                                -1, &q, NULL);
    rb_out lines;
    rb_out_init_memory(&lines);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(q, 1, rb_str(p, p->name), -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, canon, -1, SQLITE_STATIC);
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            rb_out_add(&lines, (const char *)sqlite3_column_text(q, 0), (size_t)sqlite3_column_bytes(q, 0));
            rb_out_putc(&lines, '\n');
        }
        if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    int status = 0;
    if (rc != SQLITE_OK) {
        fprintf(stderr, "rubric report: %s: %s\n", path, sqlite3_errmsg(rb_store_db(st)));
        status = 2;
    }
    sqlite3_finalize(q);
    FILE *f = status || !lines.len ? NULL : fmemopen(lines.buf, lines.len, "r");
    if (f) {
        rb_reader *rd = rb_reader_open(f, path, RB_INPUT_NDJSON, 1);
        rb_reader_set_lang(rd, lang);
        rb_record rec;
        uint64_t n = 0;
        while (!status && rb_reader_next(rd, &rec) == 1) {
            if (rec.syntax_error) {
                fprintf(stderr, "rubric report: %s: %s\n", path, rec.syntax_error);
                status = 2;
            } else {
                rb_report_add_stored(report, &rec.value, ++n);
            }
        }
        rb_reader_close(rd);
        fclose(f);
    }
    rb_out_free(&lines);
    rb_store_close(st);
    return status;
}

int rb_cli_report(rb_cli *c, int argc, char **argv)
{
    lang = c->lang;
    const char *by = NULL, *format = NULL, *output = NULL, *encoding = NULL, *sheet = NULL;
    const char *store = NULL, *period = NULL;
    bool allow_extra = false;
    const rb_opt opts[] = {{"-D", RB_OPT_DEFINE, NULL},
                           {"--allow-extra", RB_OPT_FLAG, &allow_extra},
                           {"--by", RB_OPT_VALUE, &by},
                           {"--format", RB_OPT_VALUE, &format},
                           {"-o", RB_OPT_VALUE, &output},
                           {"--encoding", RB_OPT_VALUE, &encoding},
                           {"--sheet", RB_OPT_VALUE, &sheet},
                           {"--store", RB_OPT_VALUE, &store},
                           {"--period", RB_OPT_VALUE, &period},
                           {NULL, RB_OPT_FLAG, NULL}};
    if (!rb_cli_parse(c, opts, argc, argv)) return c->status;
    const char **files = c->args;
    size_t nfiles = c->nargs;
    int fmt = format ? rb_cli_choose(format, format_names) : format_of_path(output);
    int status = 0;
    if (format && fmt < 0) {
        status = rb_cli_usage_error(c, "unknown --format '%s' (html, json, md, xlsx)", format);
    } else if (encoding && strcmp(encoding, "utf-8") != 0 && strcmp(encoding, "gb18030") != 0) {
        status = rb_cli_usage_error(c, "unknown --encoding '%s' (utf-8, gb18030)", encoding);
    } else if (!store != !period) {
        status = rb_cli_usage_error(c, "--store and --period go together", NULL);
    } else if (store && nfiles != 1) {
        status = rb_cli_usage_error(c, "with --store, give the template alone", NULL);
    } else if (!store && nfiles < 2) {
        status = rb_cli_usage_error(c, "give a template and at least one records file", NULL);
    } else if (fmt == F_XLSX && !output) {
        status = rb_cli_usage_error(c, "a workbook needs -o OUT.xlsx", NULL);
    }
    if (fmt < 0) fmt = F_MD;
    rb_program *p = status ? NULL : c->load("report", files[0], c->defs, c->ndefs);
    if (!status && !p) status = 2;
    rb_report *report = p ? rb_report_new(p, by) : NULL;
    if (p && !report) {
        fprintf(stderr, "rubric report: ");
        fprintf(stderr, rb_tr(lang, N_("--by %s: the form has no such field")), by);
        fputc('\n', stderr);
        status = 2;
    }
    if (report) {
        rb_encoding enc = !encoding ? RB_ENC_AUTO : strcmp(encoding, "utf-8") == 0 ? RB_ENC_UTF8 : RB_ENC_GB18030;
        status = store ? store_into(report, p, store, period)
                       : score_into(report, p, files + 1, nfiles - 1, allow_extra, enc, sheet);
        rb_report_finish(report);
        if (report->overflow) {
            fprintf(stderr, "rubric report: %s\n",
                    rb_tr(lang, N_("the batch is too large to aggregate exactly")));
            status = 2;
        }
    }
    if (report && !status) {
        if (fmt == F_XLSX) {
            status = write_workbook(output, report);
        } else {
            rb_out out;
            rb_out_init_memory(&out);
            if (fmt == F_JSON) rb_report_json(&out, report);
            else if (fmt == F_HTML) rb_report_html(&out, report, lang);
            else rb_report_md(&out, report, lang);
            status = write_text(output, out.buf, out.len);
            rb_out_free(&out);
        }
        if (!status) status = rb_report_status(report);
    }
    rb_report_free(report);
    rb_program_free(p);
    return status;
}
