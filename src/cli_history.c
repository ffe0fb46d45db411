/* cli_history.c — the command `rubric history --store DB [KEY]` (SPEC §9,
 * §13): a person's stored periods with total, grade and digest, as a table
 * for people or as NDJSON for tools. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cli.h"
#include "json.h"
#include "store.h"
#include "utf8.h"

/* Display width of UTF-8 text: East Asian characters take two columns. */
static size_t width(const char *s)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xC0) == 0x80) continue;
        w += *p >= 0xE0 ? 2 : 1;
    }
    return w;
}

static void pad(FILE *out, const char *s, size_t w)
{
    fputs(s, out);
    for (size_t n = width(s); n < w; n++) fputc(' ', out);
}

enum { COLS = 6 };

int rb_cli_history(rb_cli *cli, int argc, char **argv)
{
    rb_lang lang = cli->lang;
    const char *store = NULL, *form = NULL, *format = "table";
    const rb_opt opts[] = {{"--store", RB_OPT_VALUE, &store},
                           {"--form", RB_OPT_VALUE, &form},
                           {"--format", RB_OPT_VALUE, &format},
                           {NULL, RB_OPT_FLAG, NULL}};
    if (!rb_cli_parse(cli, opts, argc, argv)) return cli->status;
    if (cli->nargs > 1) return rb_cli_usage_error(cli, "give at most one KEY, not also '%s'", cli->args[1]);
    const char *key = cli->nargs ? cli->args[0] : NULL;
    if (!store) return rb_cli_usage_error(cli, "--store DB is required", NULL);
    bool json = strcmp(format, "json") == 0;
    if (!json && strcmp(format, "table") != 0) return rb_cli_usage_error(cli, "unknown --format '%s' (table, json)", format);
    char err[640];
    rb_store *st = rb_store_open(store, false, lang, err, sizeof err);
    if (!st) {
        fprintf(stderr, "rubric history: %s\n", err);
        return 2;
    }
    sqlite3_stmt *q;
    const char *sql = "SELECT form, key, period, total, grade, grade_label, digest FROM results"
                      " WHERE (?1 IS NULL OR key = ?1) AND (?2 IS NULL OR form = ?2) ORDER BY form, key, period";
    if (sqlite3_prepare_v2(rb_store_db(st), sql, -1, &q, NULL) != SQLITE_OK) {
        fprintf(stderr, "rubric history: %s: %s\n", store, sqlite3_errmsg(rb_store_db(st)));
        rb_store_close(st);
        return 2;
    }
    if (key) sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    if (form) sqlite3_bind_text(q, 2, form, -1, SQLITE_STATIC);
    const char *head[COLS] = {rb_tr(lang, N_("form")),  rb_tr(lang, N_("key")),   rb_tr(lang, N_("period")),
                              rb_tr(lang, N_("total")), rb_tr(lang, N_("grade")), rb_tr(lang, N_("digest"))};
    char **cells = NULL;
    size_t rows = 0, w[COLS];
    for (int c = 0; c < COLS; c++) w[c] = width(head[c]);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *v[7];
        for (int c = 0; c < 7; c++) v[c] = (const char *)sqlite3_column_text(q, c);
        if (json) {
            static const char *const keys[] = {"form", "key", "period", "total", "grade", "grade_label", "digest"};
            putchar('{');
            for (int c = 0; c < 7; c++) {
                if (c) putchar(',');
                printf("\"%s\":", keys[c]);
                if (!v[c]) fputs("null", stdout);
                else if (c == 3) fputs(v[c], stdout); /* the total is a number as printed */
                else rb_json_write_string(stdout, v[c], strlen(v[c]));
            }
            puts("}");
            rows++;
            continue;
        }
        cells = rb_xrealloc(cells, (rows + 1) * COLS * sizeof *cells);
        char grade[256];
        snprintf(grade, sizeof grade, "%s", v[5] ? v[5] : v[4] ? v[4] : "-");
        const char *row[COLS] = {v[0], v[1], v[2], v[3] ? v[3] : "-", grade, v[6]};
        for (int c = 0; c < COLS; c++) {
            size_t n = strlen(row[c]) + 1;
            cells[rows * COLS + c] = memcpy(rb_xmalloc(n), row[c], n);
            if (width(row[c]) > w[c]) w[c] = width(row[c]);
        }
        rows++;
    }
    int status = 0;
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "rubric history: %s: %s\n", store, sqlite3_errmsg(rb_store_db(st)));
        status = 2;
    } else if (!json && rows) {
        for (int c = 0; c < COLS; c++) {
            pad(stdout, head[c], c + 1 < COLS ? w[c] + 2 : 0);
        }
        putchar('\n');
        for (size_t r = 0; r < rows; r++) {
            for (int c = 0; c < COLS; c++) pad(stdout, cells[r * COLS + c], c + 1 < COLS ? w[c] + 2 : 0);
            putchar('\n');
        }
    }
    if (status == 0 && rows == 0 && key) {
        fprintf(stderr, rb_tr(lang, N_("rubric history: nothing is stored for '%s'\n")), key);
        status = 1;
    }
    for (size_t i = 0; i < rows * COLS && cells; i++) rb_free(cells[i]);
    rb_free(cells);
    sqlite3_finalize(q);
    rb_store_close(st);
    return status; /* a failed write is main's to report (finish) */
}
