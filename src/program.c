/* program.c — freeing a program, the names of its enums (program.h's
 * lists), and the builder (program_build.h) that codegen and the tests use
 * to make one.
 *
 * A program is a set of plain malloc'd tables (program.h); the loader and the
 * builder both produce exactly that shape, so one rb_program_free serves
 * both. */
#include "program.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "program_build.h"

const char *rb_slot_kind_name(unsigned kind)
{
    static const char *const names[SLOT_KIND_END] = {
        [SLOT_NO_KIND] = "?",
#define RB_SLOT_KIND_NAME(id, name) [SLOT_##id] = name,
        RB_SLOT_KINDS(RB_SLOT_KIND_NAME)
#undef RB_SLOT_KIND_NAME
    };
    return kind < SLOT_KIND_END ? names[kind] : "?";
}

const char *rb_arm_op_text(unsigned op)
{
    static const char *const texts[RB_ARM_END] = {
#define RB_ARM_OP_TEXT(id, text) [RB_ARM_##id] = text,
        RB_ARM_OPS(RB_ARM_OP_TEXT)
#undef RB_ARM_OP_TEXT
    };
    return op < RB_ARM_END ? texts[op] : "?";
}

const char *rb_unit_kind_name(unsigned kind)
{
    static const char *const names[U_KIND_END] = {
        [U_NO_KIND] = "?",
#define RB_UNIT_KIND_NAME(id, name) [U_##id] = name,
        RB_UNIT_KINDS(RB_UNIT_KIND_NAME)
#undef RB_UNIT_KIND_NAME
    };
    return kind < U_KIND_END ? names[kind] : "?";
}

void rb_program_free(rb_program *p)
{
    if (!p) return;
    rb_free(p->params_json);
    rb_free(p->numbers);
    rb_free(p->string_data);
    rb_free(p->string_off);
    rb_free(p->string_len);
    rb_free(p->options);
    rb_free(p->choicesets);
    rb_free(p->slots);
    rb_free(p->inputs);
    rb_free(p->raters);
    rb_free(p->items);
    rb_free(p->sections);
    rb_free(p->children);
    rb_free(p->units);
    rb_free(p->arms);
    rb_free(p->bands);
    rb_free(p->code);
    rb_free(p->dist_rules);
    rb_free(p->dist_grades);
    rb_free(p);
}

/* ---- builder ---------------------------------------------------------- */

/* Open-addressing set of indices (RB_NONE = empty slot); the key of an
 * entry is looked up in the program's table itself. */
typedef struct {
    uint32_t *slot;
    uint32_t cap; /* power of two, or 0 */
    uint32_t used;
} index_set;

struct rb_builder {
    rb_program *p;
    /* capacities of the growing tables */
    uint32_t cap_numbers, cap_strings, cap_string_bytes, cap_options, cap_choicesets,
        cap_slots, cap_inputs, cap_raters, cap_items, cap_sections, cap_children, cap_units,
        cap_arms, cap_bands, cap_code, cap_dist_rules, cap_dist_grades;
    index_set strs, nums;
};

rb_builder *rb_builder_new(void)
{
    rb_builder *b = rb_xcalloc(1, sizeof *b);
    rb_program *p = rb_xcalloc(1, sizeof *p);
    p->name = p->label = p->period = p->version = RB_NONE;
    p->scale = RB_NONE;
    p->source_name = RB_NONE;
    p->source_text = RB_NONE;
    p->source_defines = RB_NONE;
    p->precision = 2;
    p->grade_on_unit = p->total_unit = RB_NONE;
    p->key_slot = p->period_slot = p->dist_by = RB_NONE;
    b->p = p;
    return b;
}

rb_program *rb_builder_program(rb_builder *b)
{
    return b->p;
}

static void free_sets(rb_builder *b)
{
    rb_free(b->strs.slot);
    rb_free(b->nums.slot);
}

rb_program *rb_builder_finish(rb_builder *b)
{
    rb_program *p = b->p;
    free_sets(b);
    rb_free(b);
    return p;
}

void rb_builder_free(rb_builder *b)
{
    if (!b) return;
    rb_program_free(b->p);
    free_sets(b);
    rb_free(b);
}

/* Makes room for one more element of `size` bytes in *arr (count n, capacity
 * *cap).  Tables are indexed by uint32_t with RB_NONE reserved, so a table
 * can never reach UINT32_MAX entries. */
static void grow(void **arr, uint32_t n, uint32_t *cap, size_t size)
{
    if (n < *cap) return;
    if (n >= UINT32_MAX - 1) rb_out_of_memory(); /* past what 32-bit indexes can address */
    uint64_t nc = *cap ? (uint64_t)*cap * 2 : 8;
    if (nc > UINT32_MAX - 1) nc = UINT32_MAX - 1;
    *arr = rb_xrealloc(*arr, (size_t)nc * size);
    *cap = (uint32_t)nc;
}

#define APPEND(b, table, count, capname, value)                                     \
    do {                                                                            \
        void *arr_ = (b)->p->table;                                                 \
        grow(&arr_, (b)->p->count, &(b)->capname, sizeof *(b)->p->table);           \
        (b)->p->table = arr_;                                                       \
        (b)->p->table[(b)->p->count] = (value);                                     \
    } while (0)

static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a: small and good enough here */
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

static uint64_t hash_num(rb_num n)
{
    uint64_t h = (uint64_t)n.num * 0x9e3779b97f4a7c15u;
    h ^= (uint64_t)n.den + 0x632be59bd9b4e019u + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdu;
}

static bool str_equal(const rb_program *p, uint32_t i, const char *s, size_t len)
{
    return p->string_len[i] == len && memcmp(p->string_data + p->string_off[i], s, len) == 0;
}

static bool num_equal(const rb_program *p, uint32_t i, rb_num n)
{
    return p->numbers[i].num == n.num && p->numbers[i].den == n.den;
}

static void set_rehash(rb_builder *b, index_set *set, bool strings)
{
    uint32_t ncap = set->cap ? set->cap * 2 : 64;
    uint32_t *ns = rb_xmalloc((size_t)ncap * sizeof *ns);
    for (uint32_t i = 0; i < ncap; i++) ns[i] = RB_NONE;
    for (uint32_t i = 0; i < set->cap; i++) {
        uint32_t idx = set->slot[i];
        if (idx == RB_NONE) continue;
        uint64_t h = strings ? hash_bytes(rb_str(b->p, idx), b->p->string_len[idx])
                             : hash_num(b->p->numbers[idx]);
        uint32_t j = (uint32_t)h & (ncap - 1);
        while (ns[j] != RB_NONE) j = (j + 1) & (ncap - 1);
        ns[j] = idx;
    }
    rb_free(set->slot);
    set->slot = ns;
    set->cap = ncap;
}

uint32_t rb_build_string(rb_builder *b, const char *s, size_t len)
{
    rb_program *p = b->p;
    index_set *set = &b->strs;
    if ((uint64_t)(set->used + 1) * 2 > set->cap) set_rehash(b, set, true);
    uint32_t j = (uint32_t)hash_bytes(s, len) & (set->cap - 1);
    while (set->slot[j] != RB_NONE) {
        if (str_equal(p, set->slot[j], s, len)) return set->slot[j];
        j = (j + 1) & (set->cap - 1);
    }
    if (len > UINT32_MAX - 2 || (uint64_t)p->string_bytes + len + 1 > UINT32_MAX - 1)
        rb_out_of_memory(); /* past what 32-bit offsets can address */
    /* string bytes, each followed by a NUL so that rb_str is a C string */
    uint32_t need = p->string_bytes + (uint32_t)len + 1;
    if (need > b->cap_string_bytes) {
        uint64_t nc = b->cap_string_bytes ? (uint64_t)b->cap_string_bytes * 2 : 256;
        while (nc < need) nc *= 2;
        if (nc > UINT32_MAX - 1) nc = UINT32_MAX - 1;
        p->string_data = rb_xrealloc(p->string_data, (size_t)nc);
        b->cap_string_bytes = (uint32_t)nc;
    }
    uint32_t off = p->string_bytes;
    if (len) memcpy(p->string_data + off, s, len);
    p->string_data[off + len] = '\0';
    p->string_bytes = need;
    uint32_t cap_before = b->cap_strings;
    void *arr = p->string_off;
    grow(&arr, p->nstrings, &b->cap_strings, sizeof *p->string_off);
    p->string_off = arr;
    if (b->cap_strings != cap_before) /* keep both arrays the same capacity */
        p->string_len = rb_xrealloc(p->string_len, (size_t)b->cap_strings * sizeof *p->string_len);
    uint32_t idx = p->nstrings++;
    p->string_off[idx] = off;
    p->string_len[idx] = (uint32_t)len;
    set->slot[j] = idx;
    set->used++;
    return idx;
}

uint32_t rb_build_cstr(rb_builder *b, const char *s)
{
    return rb_build_string(b, s, strlen(s));
}

uint32_t rb_build_number(rb_builder *b, rb_num n)
{
    rb_program *p = b->p;
    index_set *set = &b->nums;
    if ((uint64_t)(set->used + 1) * 2 > set->cap) set_rehash(b, set, false);
    uint32_t j = (uint32_t)hash_num(n) & (set->cap - 1);
    while (set->slot[j] != RB_NONE) {
        if (num_equal(p, set->slot[j], n)) return set->slot[j];
        j = (j + 1) & (set->cap - 1);
    }
    APPEND(b, numbers, nnumbers, cap_numbers, n);
    uint32_t idx = p->nnumbers++;
    set->slot[j] = idx;
    set->used++;
    return idx;
}

uint32_t rb_build_int(rb_builder *b, int64_t v)
{
    rb_num n = {v, 1};
    return rb_build_number(b, n);
}

#define DEFINE_APPEND(fn, type, table, count, capname)                              \
    uint32_t fn(rb_builder *b, type v)                                             \
    {                                                                               \
        APPEND(b, table, count, capname, v);                                        \
        return b->p->count++;                                                       \
    }

DEFINE_APPEND(rb_build_option, rb_option, options, noptions, cap_options)
DEFINE_APPEND(rb_build_choiceset, rb_choiceset, choicesets, nchoicesets, cap_choicesets)
DEFINE_APPEND(rb_build_slot, rb_slot, slots, nslots, cap_slots)
DEFINE_APPEND(rb_build_input, rb_input, inputs, ninputs, cap_inputs)
DEFINE_APPEND(rb_build_rater, rb_rater, raters, nraters, cap_raters)
DEFINE_APPEND(rb_build_item, rb_item, items, nitems, cap_items)
DEFINE_APPEND(rb_build_section, rb_section, sections, nsections, cap_sections)
DEFINE_APPEND(rb_build_child, rb_child, children, nchildren, cap_children)
DEFINE_APPEND(rb_build_unit, rb_unit, units, nunits, cap_units)
DEFINE_APPEND(rb_build_arm, rb_arm, arms, narms, cap_arms)
DEFINE_APPEND(rb_build_band, rb_band, bands, nbands, cap_bands)
DEFINE_APPEND(rb_build_dist_rule, rb_dist_rule, dist_rules, ndist_rules, cap_dist_rules)
DEFINE_APPEND(rb_build_dist_grade, uint32_t, dist_grades, ndist_grades, cap_dist_grades)

uint32_t rb_build_here(const rb_builder *b)
{
    return b->p->code_len;
}

static void code_put(rb_builder *b, uint8_t byte)
{
    APPEND(b, code, code_len, cap_code, byte);
    b->p->code_len++;
}

static void code_u32(rb_builder *b, uint32_t v)
{
    for (int i = 0; i < 4; i++) code_put(b, (uint8_t)(v >> (8 * i)));
}

uint32_t rb_build_op(rb_builder *b, rb_opcode op)
{
    uint32_t at = b->p->code_len;
    code_put(b, (uint8_t)op);
    return at;
}

uint32_t rb_build_op1(rb_builder *b, rb_opcode op, uint32_t operand)
{
    uint32_t at = b->p->code_len;
    code_put(b, (uint8_t)op);
    code_u32(b, operand);
    return at;
}

void rb_build_patch(rb_builder *b, uint32_t at, uint32_t operand)
{
    /* codegen patches only the operands of instructions it emitted */
    assert((uint64_t)at + 5 <= b->p->code_len);
    for (int i = 0; i < 4; i++) b->p->code[at + 1 + i] = (uint8_t)(operand >> (8 * i));
}
