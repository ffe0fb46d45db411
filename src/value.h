/* value.h — a typed value at run time: what a program slot holds, what sits
 * on the VM stack (opcodes.h), and how results report fields and outputs
 * (result.h).  A text's bytes belong to the program or to the evaluator's
 * per-record arena, never to the value. */
#ifndef RUBRIC_VALUE_H
#define RUBRIC_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "num.h"

typedef enum {
    RB_V_ABSENT = 0, /* no value: optional and not given, or not applicable */
    RB_V_NUM,        /* number, integer, percent (exact) */
    RB_V_BOOL,
    RB_V_TEXT,
    RB_V_DATE,       /* text holds "YYYY-MM-DD" (validated) */
    RB_V_CHOICE,     /* opt: index into program options */
    RB_V_SET         /* opt: index into program choicesets; bits: chosen */
} rb_value_kind;

typedef struct {
    uint8_t kind;       /* rb_value_kind */
    bool b;             /* RB_V_BOOL */
    uint32_t opt;       /* RB_V_CHOICE: option index; RB_V_SET: choiceset index */
    uint64_t bits;      /* RB_V_SET: bit i set = option (first + i) chosen */
    rb_num n;           /* RB_V_NUM */
    const char *s;      /* RB_V_TEXT, RB_V_DATE: NUL-ended (may hold NULs) */
    size_t len;         /* bytes in s */
} rb_value;

#endif
