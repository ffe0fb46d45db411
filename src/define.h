/* define.h — a -D NAME=VALUE override of a declared param (SPEC §9): what the
 * command line and rubric_compile's options give, the checker applies to the
 * template, and a compiled program keeps to echo as "params". */
#ifndef RUBRIC_DEFINE_H
#define RUBRIC_DEFINE_H

typedef struct {
    const char *name;   /* a declared param's name */
    const char *value;  /* its new value as written on the command line */
} rb_define;

#endif
