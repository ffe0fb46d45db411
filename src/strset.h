/* strset.h — a set of strings by content, for duplicate checks that must
 * stay linear however many names a hostile template or file lists. */
#ifndef RUBRIC_STRSET_H
#define RUBRIC_STRSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char **keys;   /* not owned: the caller keeps them alive */
    size_t *lens;
    uint32_t *values;    /* what each key maps to (rb_strset_put) */
    size_t count, cap;   /* cap: a power of two, or 0 */
} rb_strset;

/* Adds s[0..len); false when an equal string is already in the set. */
bool rb_strset_add(rb_strset *set, const char *s, size_t len);
/* Adds s[0..len) mapped to `value`; false (and no change) when an equal
 * string is already in the set. */
bool rb_strset_put(rb_strset *set, const char *s, size_t len, uint32_t value);
/* The value s[0..len) maps to, or UINT32_MAX when it is not in the set. */
uint32_t rb_strset_get(const rb_strset *set, const char *s, size_t len);
void rb_strset_free(rb_strset *set);

#endif
