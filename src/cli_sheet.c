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

const char rb_sheet_usage[] =
    "rubric sheet [-D NAME=VALUE]... TEMPLATE -o FILE.xlsx|FILE.csv\n"
    "  Writes the blank spreadsheet of the template's records: for .xlsx a workbook\n"
    "  with a header row of labels, a column per rater, drop-downs and range checks,\n"
    "  and an instructions sheet; for .csv the header row alone (UTF-8 with BOM).\n"
    "  Exit 0 written, 2 template, usage or I/O error.\n";

static int sheet_usage_error(rb_lang lang, const char *msg, const char *arg)
{
    fputs("rubric sheet: ", stderr);
    fprintf(stderr, rb_tr(lang, msg), arg);
    fputc('\n', stderr);
    fputs(rb_sheet_usage, stderr);
    return 2;
}

int rb_cli_sheet(int argc, char **argv, rb_lang lang, rb_cli_loader load)
{
    rb_define *defs = rb_xcalloc((size_t)argc + 1, sizeof *defs);
    size_t ndefs = 0;
    const char *template = NULL, *output = NULL;
    int status = 0;
    for (int i = 0; i < argc && !status; i++) {
        char *a = argv[i];
        if (strcmp(a, "-o") == 0) {
            if (i + 1 >= argc) status = sheet_usage_error(lang, N_("%s needs a file name"), "-o");
            else output = argv[++i];
        } else if (strncmp(a, "-D", 2) == 0) {
            char *def = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
            char *eq = def ? strchr(def, '=') : NULL;
            if (!eq || eq == def) {
                status = sheet_usage_error(lang, N_("-D takes NAME=VALUE, not '%s'"), def ? def : "");
            } else {
                *eq = '\0';
                defs[ndefs++] = (rb_define){def, eq + 1};
            }
        } else if (a[0] == '-' && a[1]) {
            status = sheet_usage_error(lang, N_("unknown option '%s'"), a);
        } else if (template) {
            status = sheet_usage_error(lang, N_("give exactly one template"), "");
        } else {
            template = a;
        }
    }
    if (!status && !template) status = sheet_usage_error(lang, N_("give exactly one template"), "");
    if (!status && !output) status = sheet_usage_error(lang, N_("-o FILE.xlsx or -o FILE.csv is required"), "");
    rb_program *p = status ? NULL : load("sheet", template, defs, ndefs);
    if (!status && !p) status = 2;
    if (p) {
        char err[512];
        if (rb_sheet_write(p, output, lang, err, sizeof err) != 0) {
            fprintf(stderr, "rubric sheet: %s\n", err);
            status = 2;
        }
        rb_program_free(p);
    }
    free(defs);
    return status;
}
