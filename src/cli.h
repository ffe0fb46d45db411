/* cli.h — what the commands of the `rubric` command line share, and the
 * commands kept outside main.c.  Command-line code (main.c, cli_*.c) may
 * print and exit; the library may not. */
#ifndef RUBRIC_CLI_H
#define RUBRIC_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "define.h"
#include "lang.h"
#include "program.h"

/* Loads a template (.rubric or .rbc, with -D values), its diagnostics
 * printed; NULL, after saying why, when it cannot be used.  main.c lends it
 * to the commands kept outside it. */
typedef rb_program *(*rb_cli_loader)(const char *cmd, const char *path, const rb_define *defs, size_t ndefs);

/* One run of a command: who it is, the language of its messages, and what
 * rb_cli_parse found in its arguments. */
typedef struct {
    const char *cmd;  /* "score": named in every message */
    rb_lang lang;     /* of every message (SPEC §17) */
    rb_cli_loader load;
    rb_define *defs;  /* -D NAME=VALUE, in the order given */
    size_t ndefs;
    const char **args; /* the arguments that are not options (files, a key) */
    size_t nargs;
    int status;        /* when rb_cli_parse says stop: the exit status */
} rb_cli;

/* ---- options (cli_opts.c): one parser for every command ------------------------ */

typedef enum {
    RB_OPT_FLAG,   /* sets *(bool *)to */
    RB_OPT_VALUE,  /* sets *(const char **)to; the last one given wins */
    RB_OPT_DEFINE, /* -D NAME=VALUE, repeatable, gathered in rb_cli.defs */
} rb_opt_kind;

/* An option a command takes.  A long name ("--format") takes its value as
 * the next argument or after '=' (--format=csv); a short one ("-o") as the
 * next argument or joined (-oOUT).  Options and arguments may be mixed; a
 * lone "-" is an argument, and "--" ends the options. */
typedef struct {
    const char *name;
    rb_opt_kind kind;
    void *to;
} rb_opt;

/* Parses argv by `opts` (ended by {NULL}) into c->defs and c->args.  True:
 * the command goes on.  False: it ends with c->status, 0 after --help or -h
 * (which every command takes: its usage, on stdout), 2 after a usage error
 * ("unknown option", "… needs a value").  rb_cli_done frees what it
 * gathered, either way. */
bool rb_cli_parse(rb_cli *c, const rb_opt *opts, int argc, char **argv);
void rb_cli_done(rb_cli *c);

/* "rubric CMD: MESSAGE" (msg translated, then formatted with arg) and the
 * command's usage, on stderr.  Returns 2, the exit status of a usage error. */
int rb_cli_usage_error(const rb_cli *c, const char *msg, const char *arg);

/* Prints the usage of `cmd` (every command when NULL) in `lang`; false
 * when there is no such command. */
bool rb_cli_usage(FILE *out, rb_lang lang, const char *cmd);

/* Index of `value` in a NULL-ended list of names, or -1. */
int rb_cli_choose(const char *value, const char *const *names);

/* ---- commands kept in cli_*.c ---------------------------------------------------
 * Each takes the arguments after its name and returns the exit status. */

/* `rubric fmt [--check | -w] FILE…`: 0 done (--check: every file already
 * formatted), 1 a file would change (--check) or has syntax errors, 2 usage
 * or I/O error. */
int rb_cli_fmt(rb_cli *c, int argc, char **argv);

/* `rubric sheet [-D NAME=VALUE]... TEMPLATE -o FILE.xlsx|FILE.csv`: the blank
 * spreadsheet of the template's records (sheet.h).  0 written, 2 template,
 * usage or I/O error. */
int rb_cli_sheet(rb_cli *c, int argc, char **argv);

/* `rubric history --store DB [KEY]`: 0, 1 KEY has nothing stored, 2 usage,
 * I/O or store error. */
int rb_cli_history(rb_cli *c, int argc, char **argv);

/* `rubric report [-D NAME=VALUE]... [--by FIELD] [--format html|json|md|xlsx]
 * [-o OUT] TEMPLATE RECORDS...`: scores a batch and writes its report
 * (report.h).  0, 1 a record invalid or a distribution rule broken, 2
 * template, usage or I/O error. */
int rb_cli_report(rb_cli *c, int argc, char **argv);

/* `rubric form [-D NAME=VALUE]... TEMPLATE -o OUT.html`: the form as one page
 * (form.h).  0 written, 1 template errors, 2 usage or I/O error. */
int rb_cli_form(rb_cli *c, int argc, char **argv);

#endif
