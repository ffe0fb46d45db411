/* strset.c — open addressing on an FNV-1a hash, grown at half full. */
#include "strset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

static uint64_t hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

/* The slot holding s, or the empty slot where it would go. */
static size_t find(const rb_strset *set, const char *s, size_t len)
{
    size_t at = (size_t)hash(s, len) & (set->cap - 1);
    while (set->keys[at] && !(set->lens[at] == len && memcmp(set->keys[at], s, len) == 0))
        at = (at + 1) & (set->cap - 1);
    return at;
}

bool rb_strset_add(rb_strset *set, const char *s, size_t len)
{
    return rb_strset_put(set, s, len, 0);
}

uint32_t rb_strset_get(const rb_strset *set, const char *s, size_t len)
{
    if (!set->cap) return UINT32_MAX;
    size_t at = find(set, s, len);
    return set->keys[at] ? set->values[at] : UINT32_MAX;
}

bool rb_strset_put(rb_strset *set, const char *s, size_t len, uint32_t value)
{
    if ((set->count + 1) * 2 > set->cap) {
        rb_strset bigger = {.cap = set->cap ? set->cap * 2 : 16};
        bigger.keys = rb_xcalloc(bigger.cap, sizeof *bigger.keys);
        bigger.lens = rb_xcalloc(bigger.cap, sizeof *bigger.lens);
        bigger.values = rb_xcalloc(bigger.cap, sizeof *bigger.values);
        for (size_t i = 0; i < set->cap; i++) {
            if (!set->keys[i]) continue;
            size_t at = find(&bigger, set->keys[i], set->lens[i]);
            bigger.keys[at] = set->keys[i];
            bigger.lens[at] = set->lens[i];
            bigger.values[at] = set->values[i];
        }
        bigger.count = set->count;
        rb_strset_free(set);
        *set = bigger;
    }
    size_t at = find(set, s, len);
    if (set->keys[at]) return false;
    set->keys[at] = s;
    set->lens[at] = len;
    set->values[at] = value;
    set->count++;
    return true;
}

void rb_strset_free(rb_strset *set)
{
    rb_free(set->keys);
    rb_free(set->lens);
    rb_free(set->values);
    *set = (rb_strset){0};
}
