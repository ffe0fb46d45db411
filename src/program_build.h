/* program_build.h — building an rb_program table by table (codegen, tests)
 * and the loader's test hook.
 *
 * A builder owns a growing rb_program plus what a finished program does not
 * need: table capacities and the hash tables that de-duplicate strings and
 * numbers (a template that says "优秀" or 10 twenty times stores it once, and
 * the same source always yields the same indices, so .rbc output is
 * deterministic).  Every append returns the new (or existing) index.
 *
 * Nothing here checks cross references: build freely, then rb_program_verify
 * (or serialise and rb_program_load) to find out whether the program is good.
 * Allocation failure exits like every rb_x* allocator (arena.h). */
#ifndef RUBRIC_PROGRAM_BUILD_H
#define RUBRIC_PROGRAM_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "opcodes.h"
#include "program.h"

typedef struct rb_builder rb_builder;

/* A new, empty program: no tables, header indices RB_NONE, precision 2,
 * has_items 0, grade_on_unit/total_unit RB_NONE, no grade; key_slot,
 * period_slot and dist_by RB_NONE, no distribution rules. */
rb_builder *rb_builder_new(void);
/* The program under construction (set header fields, patch entries).
 * Table pointers move as tables grow: do not keep element pointers across
 * appends. */
rb_program *rb_builder_program(rb_builder *b);
/* Hands the program over and frees the builder. */
rb_program *rb_builder_finish(rb_builder *b);
/* Frees the builder and the program (error paths). NULL is fine. */
void rb_builder_free(rb_builder *b);

/* De-duplicated constants.  A string is any bytes (the verifier later
 * insists on UTF-8 without NUL); a number must already be a valid rb_num
 * (reduced, den > 0) — equal values then have equal parts. */
uint32_t rb_build_string(rb_builder *b, const char *s, size_t len);
uint32_t rb_build_cstr(rb_builder *b, const char *s);
uint32_t rb_build_number(rb_builder *b, rb_num n);
uint32_t rb_build_int(rb_builder *b, int64_t v);

/* Plain appends; return the new entry's index. */
uint32_t rb_build_option(rb_builder *b, rb_option o);
uint32_t rb_build_choiceset(rb_builder *b, rb_choiceset c);
uint32_t rb_build_slot(rb_builder *b, rb_slot s);
uint32_t rb_build_input(rb_builder *b, rb_input in);
uint32_t rb_build_rater(rb_builder *b, rb_rater r);
uint32_t rb_build_item(rb_builder *b, rb_item it);
uint32_t rb_build_section(rb_builder *b, rb_section s);
uint32_t rb_build_child(rb_builder *b, rb_child c);
uint32_t rb_build_unit(rb_builder *b, rb_unit u);
uint32_t rb_build_arm(rb_builder *b, rb_arm a);
uint32_t rb_build_band(rb_builder *b, rb_band band);
uint32_t rb_build_dist_rule(rb_builder *b, rb_dist_rule r);
uint32_t rb_build_dist_grade(rb_builder *b, uint32_t arm);

/* Code.  Each returns the byte offset of the instruction it appended.
 * rb_build_op is for OPK_NONE opcodes, rb_build_op1 for the rest.
 * A forward jump is emitted with a placeholder and fixed with
 * rb_build_patch(b, at, rb_build_here(b)) once the target is known. */
uint32_t rb_build_here(const rb_builder *b);
uint32_t rb_build_op(rb_builder *b, rb_opcode op);
uint32_t rb_build_op1(rb_builder *b, rb_opcode op, uint32_t operand);
void rb_build_patch(rb_builder *b, uint32_t at, uint32_t operand);

/* bytecode.c: section i of the .rbc format (0 = the first in the file):
 * its tag and the size in bytes of one record (a string's: its u32 length
 * prefix).  False past the last section.  test_docs holds docs/bytecode.md
 * to it. */
bool rb_bytecode_section(size_t i, const char **tag, size_t *record_size);
/* bytecode.c: rb_program_load without comparing the SHA-256 trailer (the
 * trailer must still be present; the digest is computed from the bytes).
 * For the fuzzer and for tests that damage a file on purpose, so that the
 * structural checks and the verifier are reached.  Never use it on files. */
rb_program *rb_program_load_unchecked(const uint8_t *bytes, size_t len, char *err,
                                      size_t errcap);

#endif
