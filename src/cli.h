/* cli.h — commands of the `rubric` command line kept outside main.c.
 * Command-line code (main.c, cli_*.c) may print and exit; the library may not. */
#ifndef RUBRIC_CLI_H
#define RUBRIC_CLI_H

#include "compile.h"
#include "lang.h"
#include "program.h"

/* The command `rubric fmt [--check | -w] FILE…`; argv holds the arguments
 * after "fmt" (argc of them).  Returns the exit status: 0 done (--check:
 * every file already formatted), 1 a file would change (--check) or has
 * syntax errors, 2 usage or I/O error. */
int rb_cli_fmt(int argc, char **argv);

/* Its usage text, as `rubric help fmt` prints it. */
extern const char rb_fmt_usage[];

/* What main.c lends the commands kept outside it: loading a template
 * (.rubric or .rbc, with -D values), its diagnostics printed, NULL when it
 * cannot be used. */
#include "compile.h"
#include "lang.h"
#include "program.h"
typedef rb_program *(*rb_cli_loader)(const char *cmd, const char *path, const rb_define *defs, size_t ndefs);

/* `rubric sheet [-D NAME=VALUE]... TEMPLATE -o FILE.xlsx|FILE.csv` (cli_sheet.c):
 * writes the blank spreadsheet of the template's records (sheet.h), with
 * messages in `lang`.  Exit 0 written, 2 template, usage or I/O error. */
int rb_cli_sheet(int argc, char **argv, rb_lang lang, rb_cli_loader load);
extern const char rb_sheet_usage[];
/* The command `rubric history --store DB [KEY]` (cli_history.c). */
int rb_cli_history(int argc, char **argv, rb_lang lang);
extern const char rb_history_usage[];

/* `rubric report [-D NAME=VALUE]... [--by FIELD] [--format html|json|md|xlsx]
 * [-o OUT] TEMPLATE RECORDS...` (cli_report.c): scores a batch and writes its
 * report (report.h), with messages in `lang`.  Exit 0, 1 a record invalid or
 * a distribution rule broken, 2 template, usage or I/O error. */
int rb_cli_report(int argc, char **argv, rb_lang lang, rb_cli_loader load);
extern const char rb_report_usage[];

/* `rubric form [-D NAME=VALUE]... TEMPLATE -o OUT.html` (cli_form.c): the
 * form as one page (form.h), its text in `lang`.  Exit 0 written, 1 template
 * errors, 2 usage or I/O error. */
int rb_cli_form(int argc, char **argv, rb_lang lang, rb_cli_loader load);
extern const char rb_form_usage[];

#endif
