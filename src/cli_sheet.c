/* cli_sheet.c — the command `rubric sheet [-D NAME=VALUE]... TEMPLATE -o FILE`
 * (docs/cli.md, docs/spreadsheets.md): the blank spreadsheet a person fills
 * in with records.  The sheet itself is the library's (sheet.c); this is
 * command-line code, like main.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cli.h"
#include "sheet.h"

int rb_cli_sheet(rb_cli *c, int argc, char **argv)
{
    const char *output = NULL;
    const rb_opt opts[] = {{"-o", RB_OPT_VALUE, &output}, {"-D", RB_OPT_DEFINE, NULL}, {NULL, RB_OPT_FLAG, NULL}};
    if (!rb_cli_parse(c, opts, argc, argv)) return c->status;
    if (c->nargs != 1) return rb_cli_usage_error(c, "give exactly one template", NULL);
    if (!output) return rb_cli_usage_error(c, "-o FILE.xlsx or -o FILE.csv is required", NULL);
    rb_program *p = c->load("sheet", c->args[0], c->defs, c->ndefs);
    if (!p) return 2;
    int status = 0;
    char err[512];
    if (rb_sheet_write(p, output, c->lang, err, sizeof err) != 0) {
        fprintf(stderr, "rubric sheet: %s\n", err);
        status = 2;
    }
    rb_program_free(p);
    return status;
}
