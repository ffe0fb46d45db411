/* opcodes.h — the one list of Rubric VM instructions.
 *
 * Everything that needs to know about opcodes (the enum, names for disasm,
 * operand kinds, stack effects for the verifier) is generated from
 * RB_OPCODES, so adding an instruction is one line here plus its case in
 * vm.c and, if it has a special type rule, in verify.c.
 *
 * Encoding: one opcode byte followed by its operands, each a 32-bit
 * little-endian unsigned integer.  Jump operands are absolute byte offsets
 * within the program's code array.  The stack holds rb_value cells.
 *
 * X(NAME, OPERAND_KIND, POPS, PUSHES, meaning)
 *   OPERAND_KIND: OPK_NONE (no operand), OPK_CONST (index into numbers),
 *   OPK_STRING (index into strings), OPK_OPTION (index into options),
 *   OPK_SLOT (slot index), OPK_JUMP (code offset), OPK_COUNT (argument
 *   count ≥ 1), OPK_BAND (index into bands).
 *   POPS = -1 means "the operand's count" (OPK_COUNT).
 *
 * Types the verifier tracks on the stack: num, bool, text, date, choice,
 * set (choices), maybe (an optional value not yet tested). */
#ifndef RUBRIC_OPCODES_H
#define RUBRIC_OPCODES_H

#define RB_OPCODES(X)                                                              \
    X(CONST,    OPK_CONST,  0, 1, "push number constant K")                          \
    X(TEXT,     OPK_STRING, 0, 1, "push text constant S")                            \
    X(DATE,     OPK_STRING, 0, 1, "push date constant S (YYYY-MM-DD)")              \
    X(TRUE,     OPK_NONE,   0, 1, "push true")                                       \
    X(FALSE,    OPK_NONE,   0, 1, "push false")                                      \
    X(OPTION,   OPK_OPTION, 0, 1, "push the choice value 'option O'")                \
    X(LOAD,     OPK_SLOT,   0, 1, "push slot S; a maybe slot pushes maybe")          \
    X(LOADV,    OPK_SLOT,   0, 1, "push slot S's value, proved present (verifier)")  \
    X(PRESENT,  OPK_NONE,   1, 1, "maybe -> bool: is the value present")             \
    X(ADD,      OPK_NONE,   2, 1, "num a + num b")                                   \
    X(SUB,      OPK_NONE,   2, 1, "num a - num b")                                   \
    X(MUL,      OPK_NONE,   2, 1, "num a * num b")                                   \
    X(DIV,      OPK_NONE,   2, 1, "num a / num b (b = 0: arith error)")              \
    X(NEG,      OPK_NONE,   1, 1, "- num")                                           \
    X(NOT,      OPK_NONE,   1, 1, "not bool")                                        \
    X(EQ,       OPK_NONE,   2, 1, "a == b (same type, not maybe)")                   \
    X(NE,       OPK_NONE,   2, 1, "a != b")                                          \
    X(LT,       OPK_NONE,   2, 1, "a < b (num, text or date)")                       \
    X(LE,       OPK_NONE,   2, 1, "a <= b")                                          \
    X(GT,       OPK_NONE,   2, 1, "a > b")                                           \
    X(GE,       OPK_NONE,   2, 1, "a >= b")                                          \
    X(JUMP,     OPK_JUMP,   0, 0, "continue at offset J")                            \
    X(JUMPF,    OPK_JUMP,   1, 0, "pop bool; if false continue at J")                \
    X(JUMPT,    OPK_JUMP,   1, 0, "pop bool; if true continue at J")                 \
    X(MIN,      OPK_COUNT,  -1, 1, "smallest of N nums")                             \
    X(MAX,      OPK_COUNT,  -1, 1, "largest of N nums")                              \
    X(AVG,      OPK_COUNT,  -1, 1, "exact mean of N nums")                           \
    X(CLAMP,    OPK_NONE,   3, 1, "clamp(x, lo, hi) (lo > hi: arith error)")         \
    X(ROUND,    OPK_NONE,   2, 1, "round(x, digits) half away from zero")            \
    X(FLOOR,    OPK_NONE,   1, 1, "largest integer <= x")                            \
    X(CEIL,     OPK_NONE,   1, 1, "smallest integer >= x")                           \
    X(ABS,      OPK_NONE,   1, 1, "|x|")                                             \
    X(COUNT,    OPK_NONE,   1, 1, "set -> num: options chosen")                      \
    X(HAS,      OPK_OPTION, 1, 1, "set -> bool: is option O chosen")                 \
    X(TONUM,    OPK_NONE,   1, 1, "choice -> its option's number; set -> sum")       \
    X(BAND,     OPK_BAND,   1, 0, "pop num; continue at the first arm that holds")   \
    X(RET,      OPK_NONE,   1, 0, "end of unit: the popped value is its result")

typedef enum {
#define RB_OP_ENUM(name, opk, pops, pushes, doc) OP_##name,
    RB_OPCODES(RB_OP_ENUM)
#undef RB_OP_ENUM
    RB_OP_COUNT
} rb_opcode;

typedef enum {
    OPK_NONE, OPK_CONST, OPK_STRING, OPK_OPTION, OPK_SLOT, OPK_JUMP, OPK_COUNT, OPK_BAND
} rb_operand_kind;

typedef struct {
    const char *name;
    rb_operand_kind operand;
    int pops, pushes;
    const char *doc;
} rb_opinfo;

/* Defined once in opcodes.c from RB_OPCODES. */
extern const rb_opinfo rb_opinfo_table[RB_OP_COUNT];

/* Size in bytes of an instruction with this opcode (1 + 4 per operand). */
static inline unsigned rb_op_size(rb_opcode op)
{
    return rb_opinfo_table[op].operand == OPK_NONE ? 1u : 5u;
}

#endif
