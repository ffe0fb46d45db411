/* cli_opts.c — what every command of the command line shares: its usage
 * text, one option parser, and the usage errors it reports, all in the
 * user's language (SPEC §17).  Each usage is one message, translated whole. */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "cli.h"

/* The usage of every command, in the order `rubric help` lists them. */
static const struct {
    const char *cmd, *text;
} usages[] = {
    {"check", N_("rubric check [-D NAME=VALUE]... [--format text|gcc|json|sarif] [--werror] FILE...\n"
                 "  Parses and checks templates.  Exit 0 clean, 1 errors (or warnings with\n"
                 "  --werror), 2 usage or I/O error.\n")},
    {"compile", N_("rubric compile [-D NAME=VALUE]... FILE -o OUT.rbc\n"
                   "  Writes verified bytecode.  Exit 0, 1 template errors, 2 usage or I/O error.\n")},
    {"score", N_("rubric score [-D NAME=VALUE]... [--format ndjson|csv|table|explain|xlsx -o FILE.xlsx]\n"
                 "             [--allow-extra] [--input json|ndjson|csv] [--encoding utf-8|gb18030]\n"
                 "             [--sheet NAME] [-j N] [--store DB] TEMPLATE [RECORDS...]\n"
                 "  Scores records (JSON, JSON array, NDJSON, CSV, .xlsx — by file name, or as --input\n"
                 "  says; '-' or nothing = stdin, read as NDJSON) against a .rubric source or a\n"
                 "  .rbc file.  --store keeps every valid result in a SQLite file, read back by\n"
                 "  streak() and previous(), in one transaction.  Exit 0 all valid, 1 some\n"
                 "  record invalid, 2 template, usage, I/O or store error.\n")},
    {"test", N_("rubric test [-D NAME=VALUE]... TEMPLATE CASES...\n"
                "  Runs test cases {\"name\":…,\"record\":{…},\"expect\":{…}}; expect is a subset of\n"
                "  the result.  {\"name\":…,\"sequence\":[{\"record\":…,\"expect\":…},…]} scores periods\n"
                "  in order, each reading the ones before it (streak, previous).  Exit 0 all\n"
                "  pass, 1 a case failed, 2 usage or I/O error.\n")},
    {"fmt", N_("rubric fmt [--check | -w] FILE...\n"
               "  Rewrites templates in the canonical layout, keeping every comment.  Without\n"
               "  an option prints the result; --check lists the files that would change;\n"
               "  -w rewrites them in place.  Exit 0 done (--check: nothing would change),\n"
               "  1 a file would change (--check) or has syntax errors, 2 usage or I/O error.\n")},
    {"sheet", N_("rubric sheet [-D NAME=VALUE]... TEMPLATE -o FILE.xlsx|FILE.csv\n"
                 "  Writes the blank spreadsheet of the template's records: for .xlsx a workbook\n"
                 "  with a header row of labels, a column per rater, drop-downs and range checks,\n"
                 "  and an instructions sheet; for .csv the header row alone (UTF-8 with BOM).\n"
                 "  Exit 0 written, 2 template, usage or I/O error.\n")},
    {"report", N_("rubric report [-D NAME=VALUE]... [--by FIELD] [--format html|json|md|xlsx] [-o OUT]\n"
                  "              [--allow-extra] [--encoding utf-8|gb18030] [--sheet NAME] TEMPLATE RECORDS...\n"
                  "rubric report [--by FIELD] [--format …] [-o OUT] --store DB --period P TEMPLATE\n"
                  "  Scores a batch and writes its report: counts, total mean, median, min and\n"
                  "  max, grade shares, section means, groups (--by FIELD, else the distribution's\n"
                  "  field), every distribution rule, the ranking, warnings and invalid records.\n"
                  "  Records are read as score reads them (JSON, NDJSON, CSV, .xlsx).  The\n"
                  "  format is --format, else the extension of OUT, else md; xlsx needs -o.\n"
                  "  With --store, the results `score --store` kept for period P (2026-10, or a\n"
                  "  date inside it) are reported instead of a batch.\n"
                  "  Exit 0, 1 some record invalid or a distribution rule broken, 2 template,\n"
                  "  usage or I/O error.\n")},
    {"history", N_("rubric history --store DB [--form NAME] [--format table|json] [KEY]\n"
                   "  Lists the stored periods (form, key, period, total, grade, digest) of every\n"
                   "  person, or of KEY, oldest first.  Exit 0, 1 KEY has nothing stored, 2 usage,\n"
                   "  I/O or store error.\n")},
    {"disasm", N_("rubric disasm FILE.rbc|FILE.rubric\n"
                  "  Prints a readable listing of the bytecode.\n")},
    {"form", N_("rubric form [-D NAME=VALUE]... TEMPLATE -o OUT.html\n"
                "  Writes the form as one self-contained HTML page: printable as the paper\n"
                "  form, fillable on screen with live scoring by the same evaluator (compiled\n"
                "  to WebAssembly, embedded).  Exit 0, 1 template errors, 2 usage or I/O error.\n")},
    {"help", N_("rubric help [COMMAND]\n")},
};

bool rb_cli_usage(FILE *out, rb_lang lang, const char *cmd)
{
    bool found = false;
    for (size_t i = 0; i < sizeof usages / sizeof *usages; i++) {
        if (cmd && strcmp(cmd, usages[i].cmd) != 0) continue;
        fputs(rb_tr(lang, usages[i].text), out);
        found = true;
    }
    return found;
}

int rb_cli_usage_error(const rb_cli *c, const char *msg, const char *arg)
{
    fprintf(stderr, "rubric %s: ", c->cmd);
    fprintf(stderr, rb_tr(c->lang, msg), arg); /* a message without %s ignores arg */
    fputc('\n', stderr);
    rb_cli_usage(stderr, c->lang, c->cmd);
    return 2;
}

int rb_cli_choose(const char *value, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(value, names[i]) == 0) return i;
    return -1;
}

/* The option `a` names, and where its value is joined to it ("--format=csv",
 * "-oOUT"): *joined points after the '=' or the short name, else NULL. */
static const rb_opt *find_option(const rb_opt *opts, const char *a, const char **joined)
{
    *joined = NULL;
    for (const rb_opt *o = opts; o->name; o++) {
        size_t n = strlen(o->name);
        if (strncmp(a, o->name, n) != 0) continue;
        if (a[n] == '\0') return o;
        if (o->kind == RB_OPT_FLAG) continue;
        bool is_long = o->name[1] == '-';
        if (is_long && a[n] != '=') continue;
        *joined = a + n + is_long;
        return o;
    }
    return NULL;
}

/* Ends the parse with a usage error: false, c->status 2. */
static bool parse_error(rb_cli *c, const char *msg, const char *arg)
{
    c->status = rb_cli_usage_error(c, msg, arg);
    return false;
}

bool rb_cli_parse(rb_cli *c, const rb_opt *opts, int argc, char **argv)
{
    c->defs = rb_xcalloc((size_t)argc + 1, sizeof *c->defs);
    c->args = rb_xcalloc((size_t)argc + 1, sizeof *c->args);
    c->ndefs = c->nargs = 0;
    bool only_args = false;
    for (int i = 0; i < argc; i++) {
        char *a = argv[i];
        if (only_args || a[0] != '-' || strcmp(a, "-") == 0) {
            c->args[c->nargs++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_args = true;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            rb_cli_usage(stdout, c->lang, c->cmd);
            c->status = 0;
            return false;
        }
        const char *joined;
        const rb_opt *o = find_option(opts, a, &joined);
        if (!o) return parse_error(c, N_("unknown option '%s'"), a);
        if (o->kind == RB_OPT_FLAG) {
            *(bool *)o->to = true;
            continue;
        }
        const char *value = joined ? joined : i + 1 < argc ? argv[++i] : NULL;
        if (!value) return parse_error(c, N_("%s needs a value"), o->name);
        if (o->kind == RB_OPT_VALUE) {
            *(const char **)o->to = value;
            continue;
        }
        char *def = (char *)value; /* -D NAME=VALUE: split in place */
        char *eq = strchr(def, '=');
        if (!eq || eq == def) return parse_error(c, N_("-D takes NAME=VALUE, not '%s'"), def);
        *eq = '\0';
        c->defs[c->ndefs++] = (rb_define){def, eq + 1};
    }
    return true;
}

void rb_cli_done(rb_cli *c)
{
    rb_free(c->defs);
    rb_free(c->args);
    c->defs = NULL;
    c->args = NULL;
}
