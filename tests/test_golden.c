/* test_golden.c — the .rbc format is its bytes: tests/golden/form.rbc, a
 * compiled template of the current format version, must load and be
 * written back byte for byte.  A change to the writer or the reader that
 * alters the bytes of a version fails here: bump RB_FORMAT_VERSION
 * (src/program.h) and docs/bytecode.md, then `make golden-rbc` rewrites the
 * file.  A bumped version without a new golden file fails too, naming the
 * same target.  (The compiler may change the program it generates without
 * touching this test: the file is read and written, never recompiled.) */
#include "testutil.h"

#include "program.h"

#define GOLDEN "tests/golden/form.rbc"

static void golden_bytes_round_trip(void **state)
{
    (void)state;
    size_t len = 0;
    uint8_t *bytes = (uint8_t *)read_file_len(GOLDEN, &len);
    assert_true(len > 12);
    uint32_t version = (uint32_t)bytes[8] | (uint32_t)bytes[9] << 8 | (uint32_t)bytes[10] << 16 |
                       (uint32_t)bytes[11] << 24;
    if (version != RB_FORMAT_VERSION)
        fail_msg("%s is format %u and the code writes format %u: run 'make golden-rbc'", GOLDEN, version,
                 RB_FORMAT_VERSION);
    char err[256];
    rb_program *p = rb_program_load(bytes, len, RB_LANG_EN, err, sizeof err);
    if (!p) fail_msg("%s (format %u) no longer loads: %s — a format change needs a version bump", GOLDEN, version, err);
    size_t len2 = 0;
    uint8_t *again = rb_program_serialize(p, &len2);
    size_t first = 0;
    while (first < len && first < len2 && bytes[first] == again[first]) first++;
    if (len2 != len || first != len)
        fail_msg("format %u is written differently from %s (first difference at byte %zu): bump "
                 "RB_FORMAT_VERSION and docs/bytecode.md, then run 'make golden-rbc'",
                 version, GOLDEN, first);
    free(again);
    rb_program_free(p);
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden_bytes_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
