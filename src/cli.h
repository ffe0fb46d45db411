/* cli.h — commands of the `rubric` command line kept outside main.c.
 * Command-line code (main.c, cli_*.c) may print and exit; the library may not. */
#ifndef RUBRIC_CLI_H
#define RUBRIC_CLI_H

/* The command `rubric fmt [--check | -w] FILE…`; argv holds the arguments
 * after "fmt" (argc of them).  Returns the exit status: 0 done (--check:
 * every file already formatted), 1 a file would change (--check) or has
 * syntax errors, 2 usage or I/O error. */
int rb_cli_fmt(int argc, char **argv);

/* Its usage text, as `rubric help fmt` prints it. */
extern const char rb_fmt_usage[];

#endif
