/* testutil.h — what every cmocka unit test includes. */
#ifndef RUBRIC_TESTUTIL_H
#define RUBRIC_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A whole file, NUL-terminated (the caller frees it), its length in *len
 * (when len is not NULL: the file may hold NUL bytes); paths are from the
 * repository root, where the tests run. */
static inline char *read_file_len(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s (run the tests from the repository root)", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    if (len) *len = (size_t)n;
    return s;
}

static inline char *read_whole_file(const char *path)
{
    return read_file_len(path, NULL);
}

#endif
