/* builtins.c — the built-in function table, generated from RB_BUILTINS
 * (builtins.h). */
#include "builtins.h"

#include <string.h>

const rb_builtin rb_builtins[RB_BUILTIN_COUNT] = {
#define RB_FN_INFO(id, name, min, max, rule, op, signature, meaning) \
    {RB_FN_##id, name, min, max, rule, op, signature, meaning},
    RB_BUILTINS(RB_FN_INFO)
#undef RB_FN_INFO
};

const rb_builtin *rb_builtin_find(const char *name)
{
    for (int i = 0; i < RB_BUILTIN_COUNT; i++)
        if (strcmp(rb_builtins[i].name, name) == 0) return &rb_builtins[i];
    return NULL;
}
