/* cli_fmt.c — the command `rubric fmt [--check | -w] FILE…` (docs/cli.md §7):
 * options, reading the files, printing or rewriting them.  The formatting
 * itself is the library's (fmt.c); this is command-line code, like main.c. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cli.h"
#include "diag.h"
#include "fmt.h"
#include "outfile.h"

/* Rewrites path with text (outfile.c: never through a planted name). */
static int write_in_place(const char *path, const char *text, size_t len, rb_lang lang)
{
    char err[512];
    if (rb_write_file(path, text, len, lang, err, sizeof err) == 0) return 0;
    fprintf(stderr, "rubric fmt: %s\n", err);
    return 2;
}

int rb_cli_fmt(rb_cli *c, int argc, char **argv)
{
    bool check = false, write = false;
    const rb_opt opts[] = {{"--check", RB_OPT_FLAG, &check}, {"-w", RB_OPT_FLAG, &write}, {NULL, RB_OPT_FLAG, NULL}};
    if (!rb_cli_parse(c, opts, argc, argv)) return c->status;
    if (check && write) return rb_cli_usage_error(c, "--check and -w cannot be given together", NULL);
    if (c->nargs == 0) return rb_cli_usage_error(c, "no template given", NULL);

    int status = 0;
    for (size_t i = 0; i < c->nargs; i++) {
        const char *path = c->args[i];
        if (write && strcmp(path, "-") == 0) {
            fprintf(stderr, "rubric fmt: %s\n", rb_tr(c->lang, N_("-w cannot rewrite standard input")));
            status = 2;
            continue;
        }
        char err[256];
        rb_source *src = rb_source_read(path, c->lang, err, sizeof err);
        if (!src) {
            fprintf(stderr, "rubric fmt: %s\n", err);
            status = 2;
            continue;
        }
        const char *bytes = src->text;
        size_t len = src->len;
        rb_diags d;
        rb_diags_init(&d);
        d.lang = c->lang;
        char *text = NULL;
        size_t tlen = 0;
        if (rb_fmt_buffer(src, &text, &tlen, &d) != 0) {
            rb_diag_print(stderr, src, &d, RB_DIAG_TEXT);
            /* syntax errors: 1; a file fmt cannot do (E0190, E0001): 2 */
            bool refused = false;
            for (size_t k = 0; k < d.count; k++)
                refused |= strcmp(d.items[k].code, "E0190") == 0 || strcmp(d.items[k].code, "E0001") == 0;
            if (status < (refused ? 2 : 1)) status = refused ? 2 : 1;
        } else {
            bool changed = tlen != len || memcmp(text, bytes, len) != 0;
            if (check) {
                if (changed) {
                    printf("%s\n", path);
                    if (status < 1) status = 1;
                }
            } else if (write) {
                if (changed && write_in_place(path, text, tlen, c->lang) != 0) status = 2;
            } else {
                fwrite(text, 1, tlen, stdout);
            }
        }
        bool write_failed = fflush(stdout) != 0 || ferror(stdout);
        free(text);
        rb_diags_free(&d);
        rb_source_free(src);
        if (write_failed) return 2; /* the first failed write (main reports it) */
    }
    return status;
}
