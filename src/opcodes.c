/* opcodes.c — the opcode table, generated from RB_OPCODES (opcodes.h). */
#include "opcodes.h"

const rb_opinfo rb_opinfo_table[RB_OP_COUNT] = {
#define RB_OP_INFO(name, opk, pops, pushes, doc) {#name, opk, pops, pushes, doc},
    RB_OPCODES(RB_OP_INFO)
#undef RB_OP_INFO
};
