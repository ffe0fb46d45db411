/* fuzz_bytecode.c — libFuzzer target for the .rbc loader and verifier.
 *
 * Not part of `make test`; `make fuzz` builds it (with clang) and runs it,
 * seeded with the compiled templates.
 *
 * Real .rbc files as seeds (`rubric compile`) let the fuzzer mutate
 * well-formed programs.  The target uses rb_program_load_unchecked, which
 * skips comparing the SHA-256 trailer — otherwise nearly every mutation
 * would stop at "bad checksum" and the section reader and the verifier would
 * never be exercised.
 *
 * Properties checked beyond "no crash, no leak, no undefined behaviour, no
 * hang": an accepted program re-serialises to exactly the input's bytes
 * (the format is canonical), and the listing of an accepted program can be
 * printed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "program.h"
#include "program_build.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    rb_program *p = rb_program_load_unchecked(data, size, err, sizeof err);
    if (!p) {
        if (strncmp(err, "bytecode: ", 10) != 0) abort(); /* every failure explains itself */
        return 0;
    }
    size_t len;
    uint8_t *again = rb_program_serialize(p, &len);
    /* The trailer is not compared (unchecked load), everything before it is. */
    if (len != size || memcmp(again, data, size - 32) != 0) abort();
    free(again);
    static FILE *sink;
    if (!sink) sink = fopen("/dev/null", "w");
    if (sink) rb_program_disasm(sink, p);
    rb_program_free(p);
    return 0;
}
