/* verify.c — rb_program_verify: everything the VM relies on, checked once.
 *
 * This is one half of the safety contract (the other half is at the top of
 * vm.c): a program reaches the VM only through here — codegen output is
 * serialised and loaded back, a .rbc file is loaded — and a program that
 * passes carries the mark rb_program_verified checks, which rb_eval_new
 * demands.  So the VM may index tables, read operands and pop the stack
 * without checking, and only asserts.  Whatever the VM relies on must be
 * proved here.  The verifier checks, in this order (docs/bytecode.md lists
 * the guarantees):
 *   1. constants: every number a valid reduced rational, every string inside
 *      the string data, NUL-ended, UTF-8 without NUL;
 *   2. every table's cross references in range and every enum valid;
 *   3. structure: the sections form one tree rooted at section 0 and every
 *      item sits in exactly one section; unit targets fit their kind; every
 *      slot is given its value once, by binding or by one unit, and units only
 *      read slots given a value earlier (evaluation follows dependencies);
 *      every slot that may be absent at run time is `maybe`;
 *   4. arms: bands and the grade own disjoint arm ranges, ops are valid,
 *      `else` comes last and the arms cover every number (so "no arm holds"
 *      cannot happen at run time); the grade's thresholds are monotonic;
 *   5. code, unit by unit: instructions decode exactly within the unit's
 *      range, operands are in range, jumps and band arms go strictly forward
 *      to an instruction boundary of the same unit, the last instruction is
 *      RET; then one abstract interpretation pass tracks the depth and type
 *      of every stack cell, checks every instruction's operand types, that
 *      paths agree where they meet, that the stack never underflows nor
 *      exceeds RB_MAX_STACK, that RET leaves exactly the unit's one value
 *      of the right type, and that LOADV reads a `maybe` slot only right
 *      after a PRESENT test of it.  It records units[].max_stack.
 * Checks that need no more than the finished tables can be added as one
 * more step in rb_program_verify, before the program is marked.
 *
 * Termination: every jump and band arm goes strictly forward, so every
 * execution of a unit visits strictly increasing offsets and ends within
 * code_len instructions; since the last instruction is RET and nothing
 * falls off the end, every path ends in RET.  Because predecessors always
 * sit at lower offsets, one pass in offset order sees every incoming edge
 * of an instruction before the instruction itself — no fixpoint iteration.
 *
 * Cost is linear in the program's size (times the stack limit for merges):
 * units' code ranges do not overlap, so each code byte is decoded once;
 * stacks are shared, immutable linked cells, so a state per instruction
 * costs one index; and each band may be used by one BAND instruction and
 * owns its arms, so arms are visited once.  A hostile file cannot make the
 * verifier take quadratic time or memory. */
#include "program.h"
#include "date.h"
#include "utf8.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "opcodes.h"
#include "strset.h"

#define RB_VERIFY_MAX_COUNT 255u

/* Abstract cell types (opcodes.h). */
enum { T_NUM = 1, T_BOOL, T_TEXT, T_DATE, T_CHOICE, T_SET, T_MAYBE };

static const char *type_name(int t)
{
    switch (t) {
    case T_NUM: return "num";
    case T_BOOL: return "bool";
    case T_TEXT: return "text";
    case T_DATE: return "date";
    case T_CHOICE: return "choice";
    case T_SET: return "set";
    case T_MAYBE: return "maybe";
    default: return "?";
    }
}

typedef struct {
    rb_program *p;
    char *err;
    size_t errcap;
    rb_lang lang;           /* of the messages */
    /* slot producers: 0 = bound from the record before any unit runs,
     * u + 1 = unit u, RB_NONE = nothing gives it a value */
    uint32_t *prod;
    uint32_t *option_set;   /* first choice set holding each option, or RB_NONE */
    uint32_t *band_user;    /* offset of the BAND instruction using each band */
    uint8_t *historic;      /* per slot: its value reads earlier periods (SPEC §13) */
} verifier;

static int vr_fail(verifier *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The reason, in v->lang: fmt is a message id (xgettext keyword vr_fail). */
static int vr_fail(verifier *v, const char *fmt, ...)
{
    if (v->err && v->errcap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(v->err, v->errcap, rb_tr(v->lang, fmt), ap);
        va_end(ap);
    }
    return -1;
}

/* Name of a slot for messages; only used once slots' names are checked. */
static const char *slot_name(const verifier *v, uint32_t s)
{
    return rb_str(v->p, v->p->slots[s].name);
}

/* ---- references -------------------------------------------------------- */

/* `what` describes the referring field, e.g. "slot 4 label". */
static int ref(verifier *v, uint32_t idx, uint32_t n, bool optional, const char *table,
               const char *what)
{
    if (optional && idx == RB_NONE) return 0;
    if (idx < n) return 0;
    table = rb_tr(v->lang, table);
    if (idx == RB_NONE) return vr_fail(v, "%s: missing %s reference", what, table);
    return vr_fail(v, "%s: %s index %u out of range (it has %u entries)", what, table, idx, n);
}

#define STR(v, idx, opt, ...) ref_fmt(v, idx, (v)->p->nstrings, opt, N_("string table"), __VA_ARGS__)
#define NUM(v, idx, opt, ...) ref_fmt(v, idx, (v)->p->nnumbers, opt, N_("number table"), __VA_ARGS__)

static int ref_fmt(verifier *v, uint32_t idx, uint32_t n, bool optional, const char *table,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int ref_fmt(verifier *v, uint32_t idx, uint32_t n, bool optional, const char *table,
                   const char *fmt, ...)
{
    if ((optional && idx == RB_NONE) || idx < n) return 0;
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, rb_tr(v->lang, fmt), ap);
    va_end(ap);
    return ref(v, idx, n, optional, table, what);
}

/* `fmt` names the entry, e.g. "slot %u" (xgettext keyword flag). */
static int flag(verifier *v, uint8_t value, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int flag(verifier *v, uint8_t value, const char *field, const char *fmt, ...)
{
    if (value <= 1) return 0;
    char what[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, rb_tr(v->lang, fmt), ap);
    va_end(ap);
    return vr_fail(v, "%s: %s flag is %u, not 0 or 1", what, field, value);
}

/* ---- constants --------------------------------------------------------- */

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static int check_numbers(verifier *v)
{
    const rb_program *p = v->p;
    for (uint32_t i = 0; i < p->nnumbers; i++) {
        rb_num n = p->numbers[i];
        uint64_t a = n.num < 0 ? (uint64_t)0 - (uint64_t)n.num : (uint64_t)n.num;
        if (n.den <= 0 || n.num == INT64_MIN || gcd_u64(a, (uint64_t)n.den) != 1)
            return vr_fail(v, "number %u is not a valid rational (%lld/%lld)",
                        i, (long long)n.num, (long long)n.den);
    }
    return 0;
}

/* Exact comparison of two valid rationals (dens > 0): cross products fit
 * in 128 bits. */
static int num_cmp(rb_num a, rb_num b)
{
    __int128 l = (__int128)a.num * b.den, r = (__int128)b.num * a.den;
    return (l > r) - (l < r);
}

/* Well-formed UTF-8 (no overlongs, surrogates or values above U+10FFFF) and
 * no NUL: strings are used as C strings and printed in JSON and listings. */
static int check_utf8(verifier *v, uint32_t i, const unsigned char *s, size_t len)
{
    if (memchr(s, '\0', len)) return vr_fail(v, "string %u contains a NUL byte", i);
    if (rb_utf8_valid_prefix((const char *)s, len) != len) return vr_fail(v, "string %u is not valid UTF-8", i);
    return 0;
}

static int check_strings(verifier *v)
{
    const rb_program *p = v->p;
    for (uint32_t i = 0; i < p->nstrings; i++) {
        uint64_t off = p->string_off[i], len = p->string_len[i];
        if (off + len >= p->string_bytes || p->string_data[off + len] != '\0')
            return vr_fail(v, "string %u lies outside the string data", i);
        if (check_utf8(v, i, (const unsigned char *)p->string_data + off, (size_t)len)) return -1;
    }
    return 0;
}

/* ---- tables ------------------------------------------------------------ */

static bool is_number_type(uint8_t t)
{
    return t == RB_T_NUMBER || t == RB_T_INTEGER || t == RB_T_PERCENT;
}

/* The abstract type a slot's present value has on the stack. */
static int slot_base_type(const rb_slot *s)
{
    switch (s->type) {
    case RB_T_NUMBER: case RB_T_INTEGER: case RB_T_PERCENT: return T_NUM;
    case RB_T_TEXT: return T_TEXT;
    case RB_T_BOOL: return T_BOOL;
    case RB_T_DATE: return T_DATE;
    case RB_T_CHOICE: return T_CHOICE;
    default: return T_SET;
    }
}

static int check_header(verifier *v)
{
    const rb_program *p = v->p;
    if (STR(v, p->name, false, "form name") || STR(v, p->label, true, "form label") ||
        STR(v, p->period, true, "form period") || STR(v, p->version, true, "form version") ||
        STR(v, p->source_name, true, "form source name") ||
        STR(v, p->source_text, true, "form source text") ||
        STR(v, p->source_defines, true, "form source defines"))
        return -1;
    if (NUM(v, p->scale, !p->has_items, "form scale")) return -1;
    if (p->precision > RB_NUM_MAX_DIGITS)
        return vr_fail(v, "precision %u is more than %d digits", p->precision,
                    RB_NUM_MAX_DIGITS);
    if (p->has_items > 1) return vr_fail(v, "form has_items flag is %u, not 0 or 1", p->has_items);
    if (p->nsections == 0) return vr_fail(v, "there is no root section");
    return 0;
}

static int check_options(verifier *v)
{
    const rb_program *p = v->p;
    for (uint32_t i = 0; i < p->noptions; i++) {
        const rb_option *o = &p->options[i];
        if (STR(v, o->id, false, "option %u id", i) ||
            STR(v, o->label, true, "option %u label", i) ||
            NUM(v, o->value, true, "option %u value", i))
            return -1;
    }
    v->option_set = rb_xmalloc(((size_t)p->noptions + 1) * sizeof *v->option_set);
    for (uint32_t i = 0; i < p->noptions; i++) v->option_set[i] = RB_NONE;
    for (uint32_t i = 0; i < p->nchoicesets; i++) {
        const rb_choiceset *c = &p->choicesets[i];
        if (c->count < 1 || c->count > 64)
            return vr_fail(v, "choice set %u has %u options (must be 1..64)", i,
                        c->count);
        if (c->first > p->noptions || c->count > p->noptions - c->first)
            return vr_fail(v, "choice set %u options %u..%llu are outside the option table (%u options)",
                        i, c->first, (unsigned long long)c->first + c->count - 1, p->noptions);
        if (flag(v, c->numeric, "numeric", "choice set %u", i)) return -1;
        for (uint32_t k = c->first; k < c->first + c->count; k++) {
            if (c->numeric && p->options[k].value == RB_NONE)
                return vr_fail(v, "choice set %u is numeric but option %u has no number", i, k);
            if (v->option_set[k] == RB_NONE) v->option_set[k] = i;
        }
    }
    return 0;
}

static int check_slots(verifier *v)
{
    const rb_program *p = v->p;
    for (uint32_t i = 0; i < p->nslots; i++) {
        const rb_slot *s = &p->slots[i];
        if (STR(v, s->name, false, "slot %u name", i) ||
            STR(v, s->label, true, "slot %u label", i))
            return -1;
        if (s->kind == SLOT_NO_KIND || s->kind >= SLOT_KIND_END)
            return vr_fail(v, "slot %u (%s) has unknown kind %u", i, slot_name(v, i),
                        s->kind);
        if (s->type < RB_T_NUMBER || s->type > RB_T_CHOICES)
            return vr_fail(v, "slot %u (%s) has unknown type %u", i, slot_name(v, i),
                        s->type);
        if (flag(v, s->maybe, "maybe", "slot %u", i)) return -1;
        bool choice = s->type == RB_T_CHOICE || s->type == RB_T_CHOICES;
        if (choice ? s->choiceset >= p->nchoicesets : s->choiceset != RB_NONE)
            return vr_fail(v, "slot %u (%s): choice set %u does not fit its type",
                        i, slot_name(v, i), s->choiceset);
        if ((s->kind == SLOT_ITEM || s->kind == SLOT_DEDUCT || s->kind == SLOT_SECTION ||
             s->kind == SLOT_TOTAL) &&
            !is_number_type(s->type))
            return vr_fail(v, "slot %u (%s) holds a score but is not a number", i,
                        slot_name(v, i));
        /* The grade slot is a choice whose options are the grade arms. */
        if (s->kind == SLOT_GRADE &&
            (s->type != RB_T_CHOICE || p->choicesets[s->choiceset].count != p->grade.narms))
            return vr_fail(v, "slot %u (%s) does not hold one option per grade arm", i,
                        slot_name(v, i));
    }
    return 0;
}

static int check_raters(verifier *v)
{
    const rb_program *p = v->p;
    for (uint32_t i = 0; i < p->nraters; i++) {
        const rb_rater *r = &p->raters[i];
        if (STR(v, r->id, false, "rater %u id", i) ||
            STR(v, r->label, true, "rater %u label", i) ||
            NUM(v, r->weight, false, "rater %u weight", i) ||
            flag(v, r->many, "many", "rater %u", i) || flag(v, r->optional, "optional", "rater %u", i))
            return -1;
    }
    return 0;
}

/* Marks slot `s` as given its value by `producer` (0: binding, u+1: unit u). */
static int produce(verifier *v, uint32_t s, uint32_t producer)
{
    if (v->prod[s] != RB_NONE)
        return vr_fail(v, "slot %u (%s) is given a value twice", s, slot_name(v, s));
    v->prod[s] = producer;
    return 0;
}

static int check_items(verifier *v)
{
    const rb_program *p = v->p;
    for (uint32_t i = 0; i < p->nitems; i++) {
        const rb_item *it = &p->items[i];
        if (ref_fmt(v, it->slot, p->nslots, false, N_("slot table"), "item %u slot", i) ||
            ref_fmt(v, it->section, p->nsections, false, N_("section table"), "item %u section",
                    i) ||
            NUM(v, it->points, false, "item %u points", i) ||
            NUM(v, it->low, true, "item %u low", i) ||
            NUM(v, it->weight, true, "item %u weight", i) ||
            ref_fmt(v, it->when_unit, p->nunits, true, N_("unit table"), "item %u when", i) ||
            ref_fmt(v, it->input, p->ninputs, true, N_("input table"), "item %u input", i) ||
            flag(v, it->is_deduct, "deduct", "item %u", i) ||
            flag(v, it->optional, "optional", "item %u", i))
            return -1;
        const rb_slot *s = &p->slots[it->slot];
        if (s->kind != (it->is_deduct ? SLOT_DEDUCT : SLOT_ITEM))
            return vr_fail(v, "item %u (%s): its slot is not an %s slot", i,
                        slot_name(v, it->slot), it->is_deduct ? "deduct" : "item");
        if ((it->optional || it->when_unit != RB_NONE) && !s->maybe)
            return vr_fail(v, "item %u (%s) may not apply but its slot is not maybe", i,
                        slot_name(v, it->slot));
        /* a rating scale lies within the full mark: 0 <= low < points, and
         * the entered rating is bounded by it (SPEC §12) */
        if (it->low != RB_NONE &&
            (it->is_deduct || rb_num_sign(p->numbers[it->low]) < 0 ||
             rb_num_cmp(p->numbers[it->low], p->numbers[it->points]) >= 0))
            return vr_fail(v, "item %u (%s): its scale's low end is not in 0..points", i,
                        slot_name(v, it->slot));
        if (it->input != RB_NONE && p->inputs[it->input].item != i)
            return vr_fail(v, "item %u (%s) and input %u do not refer to each other",
                        i, slot_name(v, it->slot), it->input);
    }
    return 0;
}

static int check_inputs(verifier *v)
{
    const rb_program *p = v->p;
    for (uint32_t i = 0; i < p->ninputs; i++) {
        const rb_input *in = &p->inputs[i];
        if (ref_fmt(v, in->slot, p->nslots, false, N_("slot table"), "input %u slot", i) ||
            flag(v, in->required, "required", "input %u", i) ||
            flag(v, in->rated, "rated", "input %u", i) ||
            flag(v, in->min_incl, "min_incl", "input %u", i) ||
            flag(v, in->max_incl, "max_incl", "input %u", i) ||
            NUM(v, in->min, true, "input %u min", i) ||
            NUM(v, in->max, true, "input %u max", i) ||
            STR(v, in->unit, true, "input %u unit", i) ||
            ref_fmt(v, in->item, p->nitems, true, N_("item table"), "input %u item", i))
            return -1;
        const rb_slot *s = &p->slots[in->slot];
        const char *name = slot_name(v, in->slot);
        bool scored = s->kind == SLOT_ITEM || s->kind == SLOT_DEDUCT;
        if (!scored && s->kind != SLOT_FIELD && s->kind != SLOT_INPUT)
            return vr_fail(v, "input %u (%s) binds a slot that is not a field, input or item",
                        i, name);
        if (scored != (in->item != RB_NONE))
            return vr_fail(v, "input %u (%s): item reference does not match its slot", i,
                        name);
        if (scored && (p->items[in->item].slot != in->slot || p->items[in->item].input != i))
            return vr_fail(v, "input %u (%s) and item %u do not refer to each other",
                        i, name, in->item);
        if (in->rated && (!scored || p->nraters == 0))
            return scored ? vr_fail(v, "input %u (%s) is rated but the form has no raters", i, name)
                          : vr_fail(v, "input %u (%s) is rated but is not an item", i, name);
        /* An entered score lies in the item's range, low (or 0)..points,
         * inclusive: the score is what the record says (SPEC §5, §12). */
        if (scored) {
            const rb_item *it = &p->items[in->item];
            rb_num low = it->low != RB_NONE ? p->numbers[it->low] : rb_num_zero();
            if (in->min == RB_NONE || in->max == RB_NONE || !in->min_incl || !in->max_incl ||
                rb_num_cmp(p->numbers[in->min], low) != 0 || rb_num_cmp(p->numbers[in->max], p->numbers[it->points]) != 0)
                return vr_fail(v, "input %u (%s): its bounds are not its item's range", i, name);
        }
        /* An item's value is its score or "not applicable": never a default. */
        if (scored && in->def != RB_NONE)
            return vr_fail(v, "input %u (%s) is an item's and has a default", i, name);
        /* A default is a number for numbers, bools (0/1) and choices, a
         * string for text and dates. */
        if (in->def != RB_NONE) {
            if (s->type == RB_T_TEXT || s->type == RB_T_DATE) {
                if (STR(v, in->def, false, "input %u default", i)) return -1;
                if (s->type == RB_T_DATE && !rb_valid_date(rb_str(p, in->def), p->string_len[in->def]))
                    return vr_fail(v, "input %u (%s): default \"%s\" is not a date", i, name,
                                rb_str(p, in->def));
            } else if (s->type == RB_T_CHOICES) {
                return vr_fail(v, "input %u (%s): a choices value has no default", i, name);
            } else {
                if (NUM(v, in->def, false, "input %u default", i)) return -1;
                rb_num d = p->numbers[in->def];
                if (s->type == RB_T_BOOL && !(d.den == 1 && (d.num == 0 || d.num == 1)))
                    return vr_fail(v, "input %u (%s): bool default is not 0 or 1", i, name);
                /* a choice's default is the option's position in its set */
                if (s->type == RB_T_CHOICE &&
                    !(d.den == 1 && d.num >= 0 &&
                      (uint64_t)d.num < p->choicesets[s->choiceset].count))
                    return vr_fail(v, "input %u (%s): choice default is not an option", i,
                                name);
            }
        }
        /* An optional value without default may be absent: only a maybe
         * slot may hold "absent" (LOAD then pushes maybe, which nothing but
         * PRESENT accepts). */
        if (!in->required && in->def == RB_NONE && !s->maybe)
            return vr_fail(v, "input %u (%s) is optional but its slot is not maybe", i, name);
        /* A directly-rated item with `when` is bound after its U_WHEN unit. */
        uint32_t producer = 0;
        if (scored && p->items[in->item].when_unit != RB_NONE)
            producer = p->items[in->item].when_unit + 1;
        if (produce(v, in->slot, producer)) return -1;
    }
    return 0;
}

/* ---- ITEM.RATER slots ---------------------------------------------------- */

/* A SLOT_RATER slot is named "ITEM.RATER" after a directly-rated item's
 * slot and a rater's id; it is a number, bound with that item (so produced
 * when the item is), and maybe wherever the rater's value can be absent:
 * the item may not apply, or the rater may not answer. */
static int check_rater_slots(verifier *v)
{
    const rb_program *p = v->p;
    rb_strset items = {0}, raters = {0};
    for (uint32_t i = 0; i < p->ninputs; i++) {
        uint32_t name = p->slots[p->inputs[i].slot].name;
        if (p->inputs[i].rated) rb_strset_put(&items, rb_str(p, name), p->string_len[name], i);
    }
    for (uint32_t r = 0; r < p->nraters; r++)
        rb_strset_put(&raters, rb_str(p, p->raters[r].id), p->string_len[p->raters[r].id], r);
    int rc = 0;
    for (uint32_t s = 0; s < p->nslots && rc == 0; s++) {
        const rb_slot *sl = &p->slots[s];
        if (sl->kind != SLOT_RATER) continue;
        const char *name = rb_str(p, sl->name);
        size_t len = p->string_len[sl->name];
        const char *dot = memchr(name, '.', len);
        uint32_t in = dot ? rb_strset_get(&items, name, (size_t)(dot - name)) : RB_NONE;
        uint32_t r = dot ? rb_strset_get(&raters, dot + 1, len - (size_t)(dot + 1 - name)) : RB_NONE;
        if (in == RB_NONE || r == RB_NONE) {
            rc = vr_fail(v, "slot %u (%s) reads a rater's value but names no rated item and rater", s, name);
            break;
        }
        const rb_input *input = &p->inputs[in];
        const rb_item *it = &p->items[input->item];
        const rb_rater *ra = &p->raters[r];
        bool may_be_absent = it->optional || it->when_unit != RB_NONE || ra->optional ||
                             rb_num_is_zero(p->numbers[ra->weight]);
        if (sl->type != RB_T_NUMBER)
            rc = vr_fail(v, "slot %u (%s) holds a rater's value but is not a number", s, name);
        else if (may_be_absent && !sl->maybe)
            rc = vr_fail(v, "slot %u (%s) may be absent but is not maybe", s, name);
        else
            rc = produce(v, s, v->prod[input->slot]);
    }
    rb_strset_free(&items);
    rb_strset_free(&raters);
    return rc;
}

static int check_sections(verifier *v)
{
    const rb_program *p = v->p;
    for (uint32_t i = 0; i < p->nsections; i++) {
        const rb_section *s = &p->sections[i];
        if (i == 0) {
            if (s->slot != RB_NONE || s->parent != RB_NONE)
                return vr_fail(v, "section 0 is the root: it has no slot and no parent");
        } else {
            if (ref_fmt(v, s->slot, p->nslots, false, N_("slot table"), "section %u slot", i) ||
                ref_fmt(v, s->parent, p->nsections, false, N_("section table"),
                        "section %u parent", i))
                return -1;
            if (p->slots[s->slot].kind != SLOT_SECTION)
                return vr_fail(v, "section %u (%s): its slot is not a section slot", i,
                            slot_name(v, s->slot));
        }
        if (NUM(v, s->points, false, "section %u points", i) ||
            NUM(v, s->weight, true, "section %u weight", i) ||
            flag(v, s->weighted, "weighted", "section %u", i))
            return -1;
        if (s->first_child > p->nchildren || s->nchildren > p->nchildren - s->first_child)
            return vr_fail(v, "section %u children %u+%u are outside the child table (%u children)",
                        i, s->first_child, s->nchildren, p->nchildren);
    }
    for (uint32_t i = 0; i < p->nchildren; i++) {
        const rb_child *c = &p->children[i];
        if (c->kind == CHILD_ITEM) {
            if (ref_fmt(v, c->index, p->nitems, false, N_("item table"), "child %u", i)) return -1;
        } else if (c->kind == CHILD_SECTION) {
            if (ref_fmt(v, c->index, p->nsections, false, N_("section table"), "child %u", i))
                return -1;
            if (c->index == 0) return vr_fail(v, "child %u is the root section", i);
        } else {
            return vr_fail(v, "child %u has unknown kind %u", i, c->kind);
        }
    }

    /* Tree: every item and every non-root section is listed exactly once,
     * by the section its own parent link names; and every section is
     * reachable from the root (which rules out detached cycles). */
    uint32_t *seen_items = rb_xcalloc((size_t)p->nitems + 1, sizeof *seen_items);
    uint32_t *seen_sects = rb_xcalloc((size_t)p->nsections, sizeof *seen_sects);
    uint32_t *queue = rb_xmalloc((size_t)p->nsections * sizeof *queue);
    int rc = 0;
    for (uint32_t i = 0; i < p->nsections && rc == 0; i++) {
        const rb_section *s = &p->sections[i];
        for (uint32_t k = 0; k < s->nchildren && rc == 0; k++) {
            const rb_child *c = &p->children[s->first_child + k];
            if (c->kind == CHILD_ITEM) {
                const rb_item *it = &p->items[c->index];
                if (seen_items[c->index]++)
                    rc = vr_fail(v, "item %u (%s) is listed in more than one section",
                              c->index, slot_name(v, it->slot));
                else if (it->section != i)
                    rc = vr_fail(v, "item %u (%s) is listed in section %u but names section %u as its own",
                              c->index, slot_name(v, it->slot), i, it->section);
                else if (s->weighted && !it->is_deduct && it->weight == RB_NONE)
                    rc = vr_fail(v, "item %u (%s) has no weight in weighted section %u",
                              c->index, slot_name(v, it->slot), i);
            } else {
                const rb_section *cs = &p->sections[c->index];
                if (seen_sects[c->index]++)
                    rc = vr_fail(v, "section %u is listed as a child more than once",
                              c->index);
                else if (cs->parent != i)
                    rc = vr_fail(v, "section %u is listed in section %u but names section %u as its parent",
                              c->index, i, cs->parent);
                else if (s->weighted && cs->weight == RB_NONE)
                    rc = vr_fail(v, "section %u has no weight in weighted section %u",
                              c->index, i);
            }
        }
    }
    for (uint32_t i = 0; i < p->nitems && rc == 0; i++)
        if (!seen_items[i])
            rc = vr_fail(v, "item %u (%s) is in no section", i,
                      slot_name(v, p->items[i].slot));
    for (uint32_t i = 1; i < p->nsections && rc == 0; i++)
        if (!seen_sects[i]) rc = vr_fail(v, "section %u is in no section", i);
    if (rc == 0) {
        /* Each section now has exactly one listed parent; walk down from the
         * root.  A section not reached belongs to a cycle. */
        uint32_t head = 0, tail = 0;
        memset(seen_sects, 0, (size_t)p->nsections * sizeof *seen_sects);
        queue[tail++] = 0;
        seen_sects[0] = 1;
        while (head < tail) {
            const rb_section *s = &p->sections[queue[head++]];
            for (uint32_t k = 0; k < s->nchildren; k++) {
                const rb_child *c = &p->children[s->first_child + k];
                if (c->kind == CHILD_SECTION && !seen_sects[c->index]) {
                    seen_sects[c->index] = 1;
                    queue[tail++] = c->index;
                }
            }
        }
        for (uint32_t i = 1; i < p->nsections && rc == 0; i++)
            if (!seen_sects[i])
                rc = vr_fail(v, "section %u is part of a cycle, not of the tree under the root",
                          i);
    }
    rb_free(seen_items);
    rb_free(seen_sects);
    rb_free(queue);
    return rc;
}

/* A section applies when one of its items or sections applies (deductions
 * never make it apply).  When every one of them may not apply — or it has
 * none — the section may have nothing applicable. */
static bool may_have_nothing(const rb_program *p, uint32_t si)
{
    const rb_section *s = &p->sections[si];
    for (uint32_t k = 0; k < s->nchildren; k++) {
        const rb_child *c = &p->children[s->first_child + k];
        if (c->kind == CHILD_ITEM && p->items[c->index].is_deduct) continue;
        uint32_t slot = c->kind == CHILD_ITEM ? p->items[c->index].slot : p->sections[c->index].slot;
        if (!p->slots[slot].maybe) return false;
    }
    return true;
}

/* Slots that are absent when nothing applies must be maybe (runs after the
 * tree is known to be sound): a section's, and — when no `total` unit
 * replaces the root's aggregate — the `total` and `grade` slots, which are
 * absent when nothing in the form applies. */
static int check_section_maybe(verifier *v)
{
    const rb_program *p = v->p;
    for (uint32_t i = 1; i < p->nsections; i++) {
        const rb_section *s = &p->sections[i];
        if (may_have_nothing(p, i) && !p->slots[s->slot].maybe)
            return vr_fail(v, "section %u (%s) may have nothing applicable but its slot is not maybe",
                        i, slot_name(v, s->slot));
    }
    if (p->total_unit != RB_NONE || !may_have_nothing(p, 0)) return 0;
    for (uint32_t s = 0; s < p->nslots; s++)
        if ((p->slots[s].kind == SLOT_TOTAL || p->slots[s].kind == SLOT_GRADE) && !p->slots[s].maybe)
            return vr_fail(v, "slot %u (%s) is absent when nothing in the form applies but is not maybe",
                        s, slot_name(v, s));
    return 0;
}

static int check_units(verifier *v)
{
    rb_program *p = v->p;
    uint32_t *aggregated = rb_xcalloc((size_t)p->nsections, sizeof *aggregated);
    uint32_t code_end = 0; /* end of the previous unit's code */
    int rc = 0;
    /* Every item gets a score: bound from the record or computed.  Checked
     * first, as the plainer message, before the order checks below. */
    uint8_t *computed = rb_xcalloc((size_t)p->nitems + 1, 1);
    for (uint32_t u = 0; u < p->nunits; u++)
        if (p->units[u].kind == U_ITEM && p->units[u].target < p->nitems)
            computed[p->units[u].target] = 1;
    for (uint32_t i = 0; i < p->nitems && rc == 0; i++)
        if (p->items[i].input == RB_NONE && !computed[i])
            rc = vr_fail(v, "item %u (%s) is neither rated nor computed", i,
                      slot_name(v, p->items[i].slot));
    rb_free(computed);
    for (uint32_t u = 0; u < p->nunits && rc == 0; u++) {
        const rb_unit *un = &p->units[u];
        if (STR(v, un->decl, false, "unit %u declaration", u)) { rc = -1; break; }
        if (un->kind == U_SECTION || un->kind == U_RESULT) {
            /* no code, and its empty range lies within the code (one past
             * the end would make every record fail) */
            if (un->code_len != 0)
                rc = vr_fail(v, "unit %u (%s) has code", u, un->kind == U_SECTION ? "section" : "result");
            else if (un->code_start > p->code_len)
                rc = vr_fail(v, "unit %u (%s): code offset %u is past the end of the code (%u bytes)", u, un->kind == U_SECTION ? "section" : "result", un->code_start, p->code_len);
        } else if (un->code_len == 0) {
            rc = vr_fail(v, "unit %u has no code", u);
        } else if (un->code_start > p->code_len || un->code_len > p->code_len - un->code_start) {
            rc = vr_fail(v, "unit %u: code %u+%u is outside the code (%u bytes)",
                      u, un->code_start, un->code_len, p->code_len);
        } else if (un->code_start < code_end) {
            /* Units' code follows in table order without overlapping, so each
             * byte is decoded once: overlapping ranges would let a small file
             * make the verifier do quadratic work. */
            rc = vr_fail(v, "unit %u: code %u+%u overlaps the code of an earlier unit (which ends at %u)",
                      u, un->code_start, un->code_len, code_end);
        } else {
            code_end = un->code_start + un->code_len;
        }
        if (rc) break;
        if (un->kind != U_PREVIOUS && un->back != 0) {
            rc = vr_fail(v, "unit %u counts %u periods back but is no previous unit", u, un->back);
            break;
        }
        switch (un->kind) {
        case U_STREAK:
        case U_PREVIOUS:
            /* its own history slot: a count for streak, a maybe value for
             * previous, 1..RB_MAX_BACK periods back */
            if (ref_fmt(v, un->target, p->nslots, false, N_("slot table"), "unit %u target", u)) {
                rc = -1;
                break;
            }
            {
                const rb_slot *s = &p->slots[un->target];
                bool streak = un->kind == U_STREAK;
                if (s->kind != SLOT_HISTORY || (streak ? s->maybe || s->type != RB_T_NUMBER : !s->maybe))
                    rc = vr_fail(v, "unit %u fills slot %u (%s), which is not a %s history slot", u,
                              un->target, slot_name(v, un->target), streak ? "number" : "maybe");
                else if (!streak && (un->back < 1 || un->back > RB_MAX_BACK))
                    rc = vr_fail(v, "unit %u counts %u periods back, outside 1..%u", u, un->back,
                              RB_MAX_BACK);
                else
                    rc = produce(v, un->target, u + 1);
            }
            break;
        case U_VALUE:
            if (ref_fmt(v, un->target, p->nslots, false, N_("slot table"), "unit %u target", u)) {
                rc = -1;
                break;
            }
            {
                uint8_t k = p->slots[un->target].kind;
                if (k != SLOT_PARAM && k != SLOT_LET && k != SLOT_OUTPUT)
                    rc = vr_fail(v, "unit %u computes slot %u (%s), which is not a param, let or output",
                              u, un->target, slot_name(v, un->target));
                else
                    rc = produce(v, un->target, u + 1);
            }
            break;
        case U_ITEM:
        case U_WHEN:
            if (ref_fmt(v, un->target, p->nitems, false, N_("item table"), "unit %u target", u)) {
                rc = -1;
                break;
            }
            {
                const rb_item *it = &p->items[un->target];
                if (un->kind == U_WHEN) {
                    if (it->when_unit != u)
                        rc = vr_fail(v, "unit %u is a when unit for item %u (%s), which names another",
                                  u, un->target, slot_name(v, it->slot));
                } else if (it->input != RB_NONE) {
                    rc = vr_fail(v, "unit %u computes item %u (%s), which is rated directly",
                              u, un->target, slot_name(v, it->slot));
                } else if (it->when_unit != RB_NONE && it->when_unit >= u) {
                    rc = vr_fail(v, "unit %u computes item %u (%s) before its when unit %u",
                              u, un->target, slot_name(v, it->slot), it->when_unit);
                } else {
                    rc = produce(v, it->slot, u + 1);
                }
            }
            break;
        case U_SECTION:
            if (ref_fmt(v, un->target, p->nsections, false, N_("section table"),
                        "unit %u target", u)) {
                rc = -1;
                break;
            }
            if (aggregated[un->target]++) {
                rc = vr_fail(v, "section %u is aggregated by more than one unit", un->target);
                break;
            }
            {
                const rb_section *s = &p->sections[un->target];
                /* Its children's scores must exist when it runs. */
                for (uint32_t k = 0; k < s->nchildren && rc == 0; k++) {
                    const rb_child *c = &p->children[s->first_child + k];
                    uint32_t slot = c->kind == CHILD_ITEM ? p->items[c->index].slot
                                                          : p->sections[c->index].slot;
                    if (v->prod[slot] == RB_NONE || v->prod[slot] > u)
                        rc = vr_fail(v, "unit %u aggregates section %u before its child %s is computed",
                                  u, un->target, slot_name(v, slot));
                }
                if (rc == 0 && s->slot != RB_NONE) rc = produce(v, s->slot, u + 1);
            }
            break;
        case U_CHECK:
        case U_WARN:
            rc = STR(v, un->target, false, "unit %u message", u);
            break;
        case U_TOTAL:
            if (p->total_unit != u)
                rc = vr_fail(v, "unit %u is a total unit but the form's total unit is %u",
                          u, p->total_unit);
            break;
        case U_GRADE_ON:
            if (p->grade_on_unit != u)
                rc = vr_fail(v, "unit %u is a grade-on unit but the form's is %u", u,
                          p->grade_on_unit);
            break;
        case U_CAP:
            /* a grade arm, and the grade is taken after it */
            if (un->target >= p->grade.narms)
                rc = vr_fail(v, "unit %u caps the grade at arm %u, which it does not have", u,
                          un->target);
            for (uint32_t r = 0; r < u && rc == 0; r++)
                if (p->units[r].kind == U_RESULT)
                    rc = vr_fail(v, "unit %u caps the grade after unit %u took it", u, r);
            break;
        case U_RESULT:
            /* After everything the total and grade are made of; it gives the
             * `total` and `grade` slots their values. */
            if (!p->has_items || !aggregated[0])
                rc = vr_fail(v, "unit %u takes the total before the form is aggregated", u);
            else if ((p->total_unit != RB_NONE && p->total_unit > u) ||
                     (p->grade_on_unit != RB_NONE && p->grade_on_unit > u))
                rc = vr_fail(v, "unit %u takes the total before its total or grade-on unit", u);
            for (uint32_t s = 0; s < p->nslots && rc == 0; s++)
                if (p->slots[s].kind == SLOT_TOTAL || p->slots[s].kind == SLOT_GRADE) rc = produce(v, s, u + 1);
            break;
        default:
            rc = vr_fail(v, "unit %u has unknown kind %u", u, un->kind);
        }
    }
    if (rc == 0 && p->total_unit != RB_NONE &&
        (p->total_unit >= p->nunits || p->units[p->total_unit].kind != U_TOTAL))
        rc = vr_fail(v, "the form's total unit %u is not a total unit", p->total_unit);
    if (rc == 0 && p->grade_on_unit != RB_NONE &&
        (p->grade_on_unit >= p->nunits || p->units[p->grade_on_unit].kind != U_GRADE_ON))
        rc = vr_fail(v, "the form's grade-on unit %u is not a grade-on unit",
                  p->grade_on_unit);
    /* An item's when unit is a U_WHEN unit for that very item. */
    for (uint32_t i = 0; i < p->nitems && rc == 0; i++) {
        uint32_t w = p->items[i].when_unit;
        if (w != RB_NONE && (p->units[w].kind != U_WHEN || p->units[w].target != i))
            rc = vr_fail(v, "item %u (%s): unit %u is not its when unit", i,
                      slot_name(v, p->items[i].slot), w);
    }
    for (uint32_t i = 1; i < p->nsections && rc == 0; i++)
        if (!aggregated[i]) rc = vr_fail(v, "section %u has no section unit", i);
    rb_free(aggregated);
    return rc;
}

/* ---- arms -------------------------------------------------------------- */

/* Checks arms[first .. first+n) of a band (is_grade false) or the grade and
 * claims them in `owner` (each arm belongs to one band or the grade). */
static int check_arms(verifier *v, uint32_t first, uint32_t n, bool is_grade, uint32_t band,
                      uint32_t *owner)
{
    const rb_program *p = v->p;
    char what[48];
    if (is_grade) snprintf(what, sizeof what, "%s", rb_tr(v->lang, N_("grade")));
    else snprintf(what, sizeof what, rb_tr(v->lang, N_("band %u")), band);
    if (first > p->narms || n > p->narms - first)
        return vr_fail(v, "%s arms %u+%u are outside the arm table (%u arms)", what, first, n, p->narms);
    if (!is_grade && n == 0) return vr_fail(v, "%s has no arms", what);
    uint32_t me = is_grade ? RB_NONE - 1 : band;
    /* Union of the arms' half-lines: (-inf, hi) or (-inf, hi] from < and <=,
     * (lo, inf) or [lo, inf) from > and >=. */
    bool has_hi = false, has_lo = false, hi_incl = false, lo_incl = false, has_else = false;
    rb_num hi = {0, 1}, lo = {0, 1};
    int dir = 0; /* grade: -1 thresholds decrease, +1 increase */
    bool have_prev = false, upper_ops = false, lower_ops = false;
    rb_num prev = {0, 1};
    for (uint32_t k = 0; k < n; k++) {
        uint32_t a = first + k;
        const rb_arm *arm = &p->arms[a];
        if (owner[a] != RB_NONE)
            return vr_fail(v, "arm %u is shared by %s and another band", a, what);
        owner[a] = me;
        if (arm->op > RB_ARM_ELSE)
            return vr_fail(v, "%s arm %u has unknown op %u", what, k, arm->op);
        if (is_grade && (STR(v, arm->id, false, "grade arm %u id", k) ||
                         STR(v, arm->label, true, "grade arm %u label", k)))
            return -1;
        if (arm->op == RB_ARM_ELSE) {
            if (arm->threshold != RB_NONE)
                return vr_fail(v, "%s arm %u: else has a threshold", what, k);
            if (k != n - 1)
                return vr_fail(v, "%s arm %u: else is not the last arm", what, k);
            has_else = true;
            continue;
        }
        if (NUM(v, arm->threshold, false, "%s arm %u threshold", what, k)) return -1;
        rb_num t = p->numbers[arm->threshold];
        if (arm->op == RB_ARM_LT || arm->op == RB_ARM_LE) {
            int c = has_hi ? num_cmp(t, hi) : 1;
            if (c > 0) { hi = t; hi_incl = arm->op == RB_ARM_LE; }
            else if (c == 0 && arm->op == RB_ARM_LE) hi_incl = true;
            has_hi = true;
        } else {
            int c = has_lo ? num_cmp(t, lo) : -1;
            if (c < 0) { lo = t; lo_incl = arm->op == RB_ARM_GE; }
            else if (c == 0 && arm->op == RB_ARM_GE) lo_incl = true;
            has_lo = true;
        }
        if (is_grade && have_prev) {
            int c = num_cmp(t, prev);
            if (c != 0) {
                if (dir != 0 && c != dir)
                    return vr_fail(v, "grade thresholds are not ordered (arm %u)", k);
                dir = c;
            }
        }
        if (arm->op == RB_ARM_LT || arm->op == RB_ARM_LE) upper_ops = true;
        else lower_ops = true;
        prev = t;
        have_prev = true;
    }
    /* All `>=`/`>` arms must go down (>= 90, >= 75, …) and all `<`/`<=` arms
     * up; otherwise a later arm is shadowed by an earlier one. */
    if (is_grade && ((lower_ops && !upper_ops && dir > 0) || (upper_ops && !lower_ops && dir < 0)))
        return lower_ops ? vr_fail(v, "grade thresholds are not ordered (> and >= arms must decrease)")
                         : vr_fail(v, "grade thresholds are not ordered (< and <= arms must increase)");
    if (n == 0 || has_else) return 0;
    int c = has_hi && has_lo ? num_cmp(lo, hi) : 1;
    if (c < 0 || (c == 0 && (hi_incl || lo_incl))) return 0;
    return vr_fail(v, "%s has no else and its arms do not cover every number", what);
}

static int check_bands(verifier *v)
{
    const rb_program *p = v->p;
    uint32_t *owner = rb_xmalloc(((size_t)p->narms + 1) * sizeof *owner);
    for (uint32_t i = 0; i < p->narms; i++) owner[i] = RB_NONE;
    int rc = check_arms(v, p->grade.first_arm, p->grade.narms, true, 0, owner);
    for (uint32_t b = 0; b < p->nbands && rc == 0; b++)
        rc = check_arms(v, p->bands[b].first_arm, p->bands[b].narms, false, b, owner);
    rb_free(owner);
    if (rc == 0 && p->grade_on_unit != RB_NONE && p->grade.narms == 0)
        rc = vr_fail(v, "grade-on unit %u but no grade", p->grade_on_unit);
    return rc;
}

/* ---- code -------------------------------------------------------------- */

/* The abstract stack: immutable cells shared between states, each knowing
 * the cell below it.  Cell 0 is the empty stack. */
typedef struct {
    uint32_t below;
    uint32_t aux;   /* choice/set: choice set index, or RB_NONE if unknown */
    uint16_t depth;
    uint8_t type;
} cell;

typedef struct {
    verifier *v;
    uint32_t u;          /* unit index */
    uint32_t start, len; /* the unit's code range */
    const uint8_t *code; /* p->code + start */
    uint8_t *boundary;   /* [len]: 1 at instruction starts */
    uint8_t *landing;    /* [len]: 1 where a jump or band arm lands */
    uint32_t *state;     /* [len]: top cell at each instruction, RB_NONE unreached */
    cell *cells;
    uint32_t ncells;
} unitcheck;

static uint32_t operand(const uint8_t *c)
{
    return (uint32_t)c[1] | (uint32_t)c[2] << 8 | (uint32_t)c[3] << 16 | (uint32_t)c[4] << 24;
}

/* A jump or band arm target: absolute offset, strictly forward, inside the
 * unit, on an instruction boundary. */
static int check_target(unitcheck *uc, uint32_t pc, uint32_t target)
{
    verifier *v = uc->v;
    const char *op = rb_opinfo_table[uc->code[pc]].name;
    if (target < uc->start || target - uc->start >= uc->len)
        return vr_fail(v, "unit %u jumps to %u, outside its code (%s at %u)",
                    uc->u, target, op, uc->start + pc);
    uint32_t rel = target - uc->start;
    if (rel <= pc)
        return vr_fail(v, "unit %u: %s at %u jumps backwards to %u (only forward jumps are allowed)", uc->u, op, uc->start + pc, target);
    if (!uc->boundary[rel])
        return vr_fail(v, "unit %u: %s at %u jumps to %u, the middle of an instruction", uc->u, op, uc->start + pc, target);
    uc->landing[rel] = 1;
    return 0;
}

/* LOADV of a slot that may be absent is safe only where the slot is known
 * present: right after LOAD S; PRESENT; JUMPF (which jumps away when S is
 * absent), with no jump landing on the PRESENT, the JUMPF or the LOADV, so
 * that no other path reaches it. */
static bool proven_present(const unitcheck *uc, uint32_t pc, uint32_t slot)
{
    uint32_t jumpf_size = rb_op_size(OP_JUMPF), present_size = rb_op_size(OP_PRESENT);
    uint32_t guard_size = rb_op_size(OP_LOAD) + present_size + jumpf_size;
    if (pc < guard_size) return false;
    uint32_t jumpf = pc - jumpf_size, present = jumpf - present_size, load = pc - guard_size;
    const uint8_t *c = uc->code;
    return uc->boundary[load] && c[load] == OP_LOAD && operand(c + load) == slot &&
           uc->boundary[present] && c[present] == OP_PRESENT && !uc->landing[present] &&
           uc->boundary[jumpf] && c[jumpf] == OP_JUMPF && !uc->landing[jumpf] && !uc->landing[pc];
}

/* Pass 1: decode every instruction, check operands that need no flow
 * information.  Pass 1b: jump and band targets. */
static int decode_unit(unitcheck *uc)
{
    verifier *v = uc->v;
    const rb_program *p = v->p;
    uint32_t pc = 0, last = 0;
    memset(uc->boundary, 0, uc->len);
    memset(uc->landing, 0, uc->len);
    while (pc < uc->len) {
        uint8_t op = uc->code[pc];
        if (op >= RB_OP_COUNT)
            return vr_fail(v, "unit %u: unknown opcode %u at %u", uc->u, op,
                        uc->start + pc);
        uint32_t size = rb_op_size((rb_opcode)op);
        if (size > uc->len - pc)
            return vr_fail(v, "unit %u: %s at %u runs past the end of its code",
                        uc->u, rb_opinfo_table[op].name, uc->start + pc);
        uc->boundary[pc] = 1;
        const rb_opinfo *info = &rb_opinfo_table[op];
        uint32_t x = size > 1 ? operand(uc->code + pc) : 0;
        uint32_t at = uc->start + pc;
        int rc = 0;
        switch (info->operand) {
        case OPK_NONE: case OPK_JUMP: break;
        case OPK_CONST:
            rc = NUM(v, x, false, "unit %u: %s at %u", uc->u, info->name, at);
            break;
        case OPK_STRING:
            rc = STR(v, x, false, "unit %u: %s at %u", uc->u, info->name, at);
            break;
        case OPK_OPTION:
            rc = ref_fmt(v, x, p->noptions, false, N_("option table"), "unit %u: %s at %u",
                         uc->u, info->name, at);
            break;
        case OPK_SLOT:
            rc = ref_fmt(v, x, p->nslots, false, N_("slot table"), "unit %u: %s at %u",
                         uc->u, info->name, at);
            break;
        case OPK_COUNT:
            if (x < 1 || x > RB_VERIFY_MAX_COUNT)
                rc = vr_fail(v, "unit %u: %s at %u takes %u values (must be 1..%u)", uc->u, info->name, at, x,
                          RB_VERIFY_MAX_COUNT);
            break;
        case OPK_BAND:
            rc = ref_fmt(v, x, p->nbands, false, N_("band table"), "unit %u: %s at %u",
                         uc->u, info->name, at);
            if (rc == 0 && v->band_user[x] != RB_NONE)
                rc = vr_fail(v, "band %u is used by BAND at %u and at %u", x,
                          v->band_user[x], at);
            if (rc == 0) v->band_user[x] = at;
            break;
        }
        if (rc) return rc;
        last = pc;
        pc += size;
    }
    if (uc->code[last] != OP_RET)
        return vr_fail(v, "unit %u does not end in RET (last instruction %s at %u)",
                    uc->u, rb_opinfo_table[uc->code[last]].name, uc->start + last);
    for (pc = 0; pc < uc->len; pc += rb_op_size((rb_opcode)uc->code[pc])) {
        uint8_t op = uc->code[pc];
        if (rb_opinfo_table[op].operand == OPK_JUMP) {
            if (check_target(uc, pc, operand(uc->code + pc))) return -1;
        } else if (op == OP_BAND) {
            const rb_band *b = &p->bands[operand(uc->code + pc)];
            for (uint32_t k = 0; k < b->narms; k++)
                if (check_target(uc, pc, p->arms[b->first_arm + k].target)) return -1;
        }
    }
    return 0;
}

/* Joins state `top` into the instruction at rel: the first path sets it,
 * every later one must agree in depth and in every cell's type. */
static int merge(unitcheck *uc, uint32_t rel, uint32_t top)
{
    uint32_t have = uc->state[rel];
    if (have == RB_NONE) {
        uc->state[rel] = top;
        return 0;
    }
    const cell *c = uc->cells;
    if (c[have].depth != c[top].depth)
        return vr_fail(uc->v, "unit %u: stack depth differs where paths meet at %u (%u vs %u)", uc->u, uc->start + rel, c[have].depth, c[top].depth);
    uint32_t a = have, b = top;
    while (a != b) {
        if (c[a].type != c[b].type || c[a].aux != c[b].aux) {
            if (c[a].type == c[b].type)
                return vr_fail(uc->v, "unit %u: stack types differ where paths meet at %u (%s of choice set %u vs %s of choice set %u)",
                            uc->u, uc->start + rel, type_name(c[a].type), c[a].aux,
                            type_name(c[b].type), c[b].aux);
            return vr_fail(uc->v, "unit %u: stack types differ where paths meet at %u (%s vs %s)", uc->u, uc->start + rel, type_name(c[a].type),
                        type_name(c[b].type));
        }
        a = c[a].below;
        b = c[b].below;
    }
    return 0;
}

static uint32_t push(unitcheck *uc, uint32_t top, int type, uint32_t aux)
{
    cell *c = &uc->cells[uc->ncells];
    c->below = top;
    c->aux = aux;
    c->depth = (uint16_t)(uc->cells[top].depth + 1);
    c->type = (uint8_t)type;
    return uc->ncells++;
}

/* The i-th cell from the top (0 = top). */
static const cell *peek(const unitcheck *uc, uint32_t top, unsigned i)
{
    while (i--) top = uc->cells[top].below;
    return &uc->cells[top];
}

static int want(unitcheck *uc, uint32_t pc, const cell *c, int type)
{
    if (c->type == type) return 0;
    return vr_fail(uc->v, "unit %u: %s at %u expects %s, found %s", uc->u,
                rb_opinfo_table[uc->code[pc]].name, uc->start + pc, type_name(type),
                type_name(c->type));
}

static int want_nums(unitcheck *uc, uint32_t pc, uint32_t top, unsigned n)
{
    for (unsigned i = 0; i < n; i++, top = uc->cells[top].below)
        if (want(uc, pc, &uc->cells[top], T_NUM)) return -1;
    return 0;
}

/* SPEC §13 for a read of slot x at pc: the code of a streak or previous
 * unit reads only what a stored result holds; a value that reads earlier
 * periods (a history slot, or a let or output computed from one) feeds
 * only lets, outputs and warns, never a score, the total, the grade or a
 * check. */
static int history_read(unitcheck *uc, uint32_t pc, uint32_t x)
{
    verifier *v = uc->v;
    const rb_program *p = v->p;
    const rb_unit *un = &p->units[uc->u];
    uint8_t k = p->slots[x].kind;
    if ((un->kind == U_STREAK || un->kind == U_PREVIOUS) && k != SLOT_SECTION && k != SLOT_OUTPUT &&
        k != SLOT_TOTAL && k != SLOT_GRADE)
        return vr_fail(v, "unit %u: at %u it reads %s, which a stored result does not hold", uc->u,
                    uc->start + pc, slot_name(v, x));
    if (!v->historic[x]) return 0;
    if (un->kind == U_WARN) return 0;
    if (un->kind == U_VALUE && p->slots[un->target].kind != SLOT_PARAM) {
        v->historic[un->target] = 1;
        return 0;
    }
    return vr_fail(v, "unit %u: at %u it reads %s, which depends on earlier periods", uc->u,
                uc->start + pc, slot_name(v, x));
}

/* The type a unit must return, or 0 with *aux for choices. */
static int unit_result_type(const rb_program *p, const rb_unit *un, uint32_t *aux, bool *maybe_ok)
{
    *aux = RB_NONE;
    *maybe_ok = false;
    switch (un->kind) {
    case U_CHECK: case U_WARN: case U_WHEN: case U_CAP: case U_STREAK: return T_BOOL;
    case U_ITEM: case U_TOTAL: case U_GRADE_ON: return T_NUM;
    default: {
        const rb_slot *s = &p->slots[un->target];
        *aux = s->choiceset;
        *maybe_ok = s->maybe;
        return slot_base_type(s);
    }
    }
}

/* Pass 2: abstract interpretation in offset order. */
static int interpret_unit(unitcheck *uc)
{
    verifier *v = uc->v;
    rb_program *p = v->p;
    rb_unit *un = &p->units[uc->u];
    for (uint32_t i = 0; i < uc->len; i++) uc->state[i] = RB_NONE;
    uc->cells[0] = (cell){0, RB_NONE, 0, 0};
    uc->ncells = 1;
    uc->state[0] = 0;
    unsigned max_depth = 0;

    for (uint32_t pc = 0; pc < uc->len; pc += rb_op_size((rb_opcode)uc->code[pc])) {
        uint32_t top = uc->state[pc];
        if (top == RB_NONE) continue; /* unreachable: decoded and checked, never run */
        uint8_t op = uc->code[pc];
        const rb_opinfo *info = &rb_opinfo_table[op];
        uint32_t x = info->operand == OPK_NONE ? 0 : operand(uc->code + pc);
        unsigned depth = uc->cells[top].depth;
        unsigned pops = info->pops < 0 ? x : (unsigned)info->pops;
        if (depth < pops)
            return pops == 1 ? vr_fail(v, "unit %u: %s at %u needs 1 value but the stack has %u",
                                       uc->u, info->name, uc->start + pc, depth)
                             : vr_fail(v, "unit %u: %s at %u needs %u values but the stack has %u",
                                       uc->u, info->name, uc->start + pc, pops, depth);
        const cell *a = peek(uc, top, 0);
        /* below the top (the empty-stack cell when there is none; only
         * instructions that pop two read it, and they have two) */
        const cell *b = depth >= 2 ? peek(uc, top, 1) : &uc->cells[0];
        int result = 0;                                       /* pushed type */
        uint32_t aux = RB_NONE;
        switch ((rb_opcode)op) {
        case OP_CONST: result = T_NUM; break;
        case OP_TEXT: result = T_TEXT; break;
        case OP_DATE:
            if (!rb_valid_date(rb_str(p, x), p->string_len[x]))
                return vr_fail(v, "unit %u: DATE at %u pushes \"%s\", not a date "
                            "(YYYY-MM-DD)", uc->u, uc->start + pc, rb_str(p, x));
            result = T_DATE;
            break;
        case OP_TRUE: case OP_FALSE: result = T_BOOL; break;
        case OP_OPTION:
            result = T_CHOICE;
            aux = v->option_set[x];
            break;
        case OP_LOAD: case OP_LOADV: {
            const rb_slot *s = &p->slots[x];
            uint32_t prod = v->prod[x];
            if (prod == RB_NONE || prod > uc->u)
                return vr_fail(v, "unit %u: %s at %u reads %s before it is computed",
                            uc->u, info->name, uc->start + pc, slot_name(v, x));
            if (op == OP_LOADV && s->maybe && !proven_present(uc, pc, x))
                return vr_fail(v, "unit %u: LOADV at %u reads %s, which may be absent, "
                            "without LOAD; PRESENT; JUMPF right before it", uc->u, uc->start + pc,
                            slot_name(v, x));
            if (history_read(uc, pc, x)) return -1;
            if (op == OP_LOAD && s->maybe) {
                result = T_MAYBE;
            } else {
                result = slot_base_type(s);
                aux = s->choiceset;
            }
            break;
        }
        case OP_PRESENT:
            if (want(uc, pc, a, T_MAYBE)) return -1;
            result = T_BOOL;
            break;
        case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV:
        case OP_NEG: case OP_FLOOR: case OP_CEIL: case OP_ABS:
        case OP_MIN: case OP_MAX: case OP_AVG: case OP_CLAMP: case OP_ROUND:
            if (want_nums(uc, pc, top, pops)) return -1;
            result = T_NUM;
            break;
        case OP_NOT:
            if (want(uc, pc, a, T_BOOL)) return -1;
            result = T_BOOL;
            break;
        case OP_EQ: case OP_NE:
        case OP_LT: case OP_LE: case OP_GT: case OP_GE: {
            bool ordered = op != OP_EQ && op != OP_NE;
            if (a->type != b->type)
                return vr_fail(v, "unit %u: %s at %u compares %s with %s", uc->u,
                            info->name, uc->start + pc, type_name(b->type), type_name(a->type));
            if (a->type == T_MAYBE ||
                (ordered && a->type != T_NUM && a->type != T_TEXT && a->type != T_DATE))
                return vr_fail(v, "unit %u: %s at %u cannot compare %s values",
                            uc->u, info->name, uc->start + pc, type_name(a->type));
            result = T_BOOL;
            break;
        }
        case OP_JUMP: break;
        case OP_JUMPF: case OP_JUMPT:
            if (want(uc, pc, a, T_BOOL)) return -1;
            break;
        case OP_COUNT:
            if (want(uc, pc, a, T_SET)) return -1;
            result = T_NUM;
            break;
        case OP_HAS: {
            if (want(uc, pc, a, T_SET)) return -1;
            const rb_choiceset *cs = a->aux < p->nchoicesets ? &p->choicesets[a->aux] : NULL;
            if (!cs || x < cs->first || x - cs->first >= cs->count)
                return vr_fail(v, "unit %u: HAS at %u asks for option %u, which is not in the set's choice set", uc->u, uc->start + pc, x);
            result = T_BOOL;
            break;
        }
        case OP_TONUM: {
            if (a->type != T_CHOICE && a->type != T_SET)
                return vr_fail(v, "unit %u: TONUM at %u expects choice or set, found %s",
                            uc->u, uc->start + pc, type_name(a->type));
            if (a->aux >= p->nchoicesets || !p->choicesets[a->aux].numeric)
                return vr_fail(v, "unit %u: TONUM at %u on a choice whose options have no numbers", uc->u, uc->start + pc);
            result = T_NUM;
            break;
        }
        case OP_BAND:
            if (want(uc, pc, a, T_NUM)) return -1;
            break;
        case OP_RET: {
            uint32_t want_aux;
            bool maybe_ok;
            int t = unit_result_type(p, un, &want_aux, &maybe_ok);
            if (depth != 1)
                return vr_fail(v, "unit %u: RET at %u with %u values on the stack "
                            "(must be exactly 1)", uc->u, uc->start + pc, depth);
            if (!(a->type == t && (t != T_CHOICE && t != T_SET ? true : a->aux == want_aux)) &&
                !(maybe_ok && a->type == T_MAYBE))
                return vr_fail(v, "unit %u (%s) returns %s, expected %s", uc->u,
                            rb_unit_kind_name(un->kind), type_name(a->type), type_name(t));
            break;
        }
        case RB_OP_COUNT: break;
        }

        /* The state after the instruction: pop, then push the result. */
        uint32_t next = top;
        for (unsigned i = 0; i < pops; i++) next = uc->cells[next].below;
        if (result) {
            if (uc->cells[next].depth + 1u > RB_MAX_STACK)
                return vr_fail(v, "unit %u: stack overflow at %u (more than %u values)",
                            uc->u, uc->start + pc, RB_MAX_STACK);
            next = push(uc, next, result, aux);
        }
        if (uc->cells[next].depth > max_depth) max_depth = uc->cells[next].depth;
        if (depth > max_depth) max_depth = depth;

        /* Successors. */
        uint32_t size = rb_op_size((rb_opcode)op);
        switch ((rb_opcode)op) {
        case OP_RET: break;
        case OP_JUMP:
            if (merge(uc, x - uc->start, next)) return -1;
            break;
        case OP_JUMPF: case OP_JUMPT:
            if (merge(uc, x - uc->start, next) || merge(uc, pc + size, next)) return -1;
            break;
        case OP_BAND: {
            const rb_band *band = &p->bands[x];
            for (uint32_t k = 0; k < band->narms; k++)
                if (merge(uc, p->arms[band->first_arm + k].target - uc->start, next)) return -1;
            break;
        }
        default:
            /* The last instruction is RET, so pc + size < len here. */
            if (merge(uc, pc + size, next)) return -1;
        }
    }
    un->max_stack = max_depth;
    return 0;
}

static int check_code(verifier *v)
{
    rb_program *p = v->p;
    uint32_t maxlen = 0;
    for (uint32_t u = 0; u < p->nunits; u++)
        if (p->units[u].code_len > maxlen) maxlen = p->units[u].code_len;
    v->band_user = rb_xmalloc(((size_t)p->nbands + 1) * sizeof *v->band_user);
    v->historic = rb_xcalloc((size_t)p->nslots + 1, 1);
    for (uint32_t i = 0; i < p->nslots; i++) v->historic[i] = p->slots[i].kind == SLOT_HISTORY;
    for (uint32_t b = 0; b < p->nbands; b++) v->band_user[b] = RB_NONE;
    unitcheck uc = {.v = v};
    /* One cell per instruction at most (each pushes at most one) plus the
     * empty stack. */
    uc.boundary = rb_xmalloc((size_t)maxlen + 1);
    uc.landing = rb_xmalloc((size_t)maxlen + 1);
    uc.state = rb_xmalloc(((size_t)maxlen + 1) * sizeof *uc.state);
    uc.cells = rb_xmalloc(((size_t)maxlen + 1) * sizeof *uc.cells);
    int rc = 0;
    for (uint32_t u = 0; u < p->nunits && rc == 0; u++) {
        rb_unit *un = &p->units[u];
        un->max_stack = 0;
        if (un->kind == U_SECTION || un->kind == U_RESULT) continue;
        uc.u = u;
        uc.start = un->code_start;
        uc.len = un->code_len;
        uc.code = p->code + un->code_start;
        rc = decode_unit(&uc);
        if (rc == 0) rc = interpret_unit(&uc);
    }
    rb_free(uc.boundary);
    rb_free(uc.landing);
    rb_free(uc.state);
    rb_free(uc.cells);
    return rc;
}

/* Its address is the proof of verification (rb_program.verified): no other
 * file can name it, so no other code can forge the mark. */
static const char verified_mark;

bool rb_program_verified(const rb_program *p)
{
    return p && p->verified == &verified_mark;
}

/* History and distribution (SPEC §13, §14): the key, period and `by`
 * slots are required fields of a type the records can name them by, and
 * every rule names grades of the grade, once each, with a share in 0..1. */
static int check_history(verifier *v)
{
    const rb_program *p = v->p;
    static const char *const what[] = {"key", "period", "distribution-by"};
    const uint32_t slots[] = {p->key_slot, p->period_slot, p->dist_by};
    for (int i = 0; i < 3; i++) {
        uint32_t s = slots[i];
        if (s == RB_NONE) continue;
        if (s >= p->nslots) return vr_fail(v, "the %s slot %u is outside the %u slots", what[i], s, p->nslots);
        const rb_slot *sl = &p->slots[s];
        if (sl->kind != SLOT_FIELD || sl->maybe || sl->type == RB_T_CHOICES ||
            (i < 2 && sl->type == RB_T_BOOL) || (i == 1 && sl->type != RB_T_TEXT && sl->type != RB_T_DATE))
            return vr_fail(v, "the %s slot %u (%s) is not a required field of a usable type", what[i], s,
                        rb_str(p, sl->name));
    }
    if (p->ndist_rules && p->grade.narms == 0) return vr_fail(v, "distribution rules on a form without a grade");
    if (p->ndist_rules && p->grade.narms > 64) return vr_fail(v, "distribution rules over more than 64 grades");
    for (uint32_t i = 0; i < p->ndist_rules; i++) {
        const rb_dist_rule *r = &p->dist_rules[i];
        if (r->count == 0 || r->first > p->ndist_grades || r->count > p->ndist_grades - r->first)
            return vr_fail(v, "distribution rule %u names grades outside the table", i);
        if (r->op > RB_ARM_GE) return vr_fail(v, "distribution rule %u has operator %u", i, r->op);
        if (NUM(v, r->share, false, "distribution rule %u share", i)) return -1;
        rb_num share = p->numbers[r->share];
        if (rb_num_sign(share) < 0 || rb_num_cmp(share, rb_num_int(1)) > 0)
            return vr_fail(v, "distribution rule %u has a share outside 0..1", i);
        uint64_t seen = 0;
        for (uint32_t k = r->first; k < r->first + r->count; k++) {
            uint32_t g = p->dist_grades[k];
            if (g >= p->grade.narms || (seen >> g & 1))
                return vr_fail(v, "distribution rule %u names grade %u wrongly", i, g);
            seen |= (uint64_t)1 << g;
        }
    }
    return 0;
}

/* ---- scoring (SPEC §5, §6, §10) ----------------------------------------- */

/* Names a record or a person refers to are distinct by content (a hostile
 * file may store one name twice as two strings); linear in n. */
static int distinct_names(verifier *v, const uint32_t *names, uint32_t n, const char *what)
{
    const rb_program *p = v->p;
    rb_strset seen = {0};
    int rc = 0;
    for (uint32_t i = 0; i < n && rc == 0; i++)
        if (!rb_strset_add(&seen, rb_str(p, names[i]), p->string_len[names[i]]))
            rc = vr_fail(v, "two %s are named '%s'", rb_tr(v->lang, what), rb_str(p, names[i]));
    rb_strset_free(&seen);
    return rc;
}

static int check_unique_names(verifier *v)
{
    const rb_program *p = v->p;
    size_t most = p->nslots;
    if (p->nraters > most) most = p->nraters;
    if (p->grade.narms > most) most = p->grade.narms;
    for (uint32_t c = 0; c < p->nchoicesets; c++)
        if (p->choicesets[c].count > most) most = p->choicesets[c].count; /* a choice may have more options than the form has slots */
    uint32_t *names = rb_xmalloc((most + 1) * sizeof *names);
    for (uint32_t i = 0; i < p->nslots; i++) names[i] = p->slots[i].name;
    int rc = distinct_names(v, names, p->nslots, N_("slots"));
    for (uint32_t i = 0; i < p->nraters && rc == 0; i++) names[i] = p->raters[i].id;
    if (rc == 0) rc = distinct_names(v, names, p->nraters, N_("raters"));
    for (uint32_t i = 0; i < p->grade.narms && rc == 0; i++) names[i] = p->arms[p->grade.first_arm + i].id;
    if (rc == 0) rc = distinct_names(v, names, p->grade.narms, N_("grade arms"));
    for (uint32_t c = 0; c < p->nchoicesets && rc == 0; c++) {
        const rb_choiceset *cs = &p->choicesets[c];
        for (uint32_t i = 0; i < cs->count; i++) names[i] = p->options[cs->first + i].id;
        rc = distinct_names(v, names, cs->count, N_("options of one choice"));
    }
    rb_free(names);
    return rc;
}

/* A fraction in 0..1 (a weight), or a full mark of at least 0. */
static bool is_fraction(rb_num n)
{
    return rb_num_sign(n) >= 0 && rb_num_cmp(n, rb_num_int(1)) <= 0;
}

/* Weights that sum to exactly 100%: `sum` is their sum, or its status. */
static int check_weight_sum(verifier *v, rb_num_status st, rb_num sum, const char *whose)
{
    if (st == RB_NUM_OK && rb_num_cmp(sum, rb_num_int(1)) == 0) return 0;
    if (st != RB_NUM_OK) return vr_fail(v, "%s weights do not sum to 100%%", whose);
    return vr_fail(v, "%s weights sum to %lld/%lld, not 100%%", whose, (long long)sum.num, (long long)sum.den);
}

/* What the compiler promised about scores, proved again, so that no
 * edited file yields a total outside 0..scale: rater weights in 0..1
 * summing to 100%; full marks of at least 0; the root's full mark is the
 * scale; an unweighted section's full mark is the sum of its children's;
 * a weighted section's children carry weights in 0..1 summing to 100%.
 * (Entered scores are bounded by their item's range, check_inputs; a
 * computed score is checked at run time.) */
static int check_scoring(verifier *v)
{
    const rb_program *p = v->p;
    if (p->nraters) {
        rb_num sum = rb_num_zero();
        rb_num_status st = RB_NUM_OK;
        for (uint32_t i = 0; i < p->nraters; i++) {
            rb_num w = p->numbers[p->raters[i].weight];
            if (!is_fraction(w))
                return vr_fail(v, "rater %u (%s) has a weight outside 0..100%%", i,
                            rb_str(p, p->raters[i].id));
            if (st == RB_NUM_OK) st = rb_num_add(sum, w, &sum);
        }
        if (check_weight_sum(v, st, sum, rb_tr(v->lang, N_("the raters'")))) return -1;
    }
    for (uint32_t i = 0; i < p->nitems; i++)
        if (rb_num_sign(p->numbers[p->items[i].points]) < 0)
            return vr_fail(v, "item %u (%s) has points below 0", i, slot_name(v, p->items[i].slot));
    if (p->has_items && rb_num_cmp(p->numbers[p->sections[0].points], p->numbers[p->scale]) != 0)
        return vr_fail(v, "the scale is not the form's full mark (section 0 points)");
    for (uint32_t si = 0; si < p->nsections; si++) {
        const rb_section *s = &p->sections[si];
        rb_num points = p->numbers[s->points];
        if (rb_num_sign(points) < 0) return vr_fail(v, "section %u has points below 0", si);
        rb_num sum = rb_num_zero();
        rb_num_status st = RB_NUM_OK;
        bool any = false;
        for (uint32_t k = 0; k < s->nchildren; k++) {
            const rb_child *c = &p->children[s->first_child + k];
            if (c->kind == CHILD_ITEM && p->items[c->index].is_deduct) continue;
            any = true;
            uint32_t w = c->kind == CHILD_ITEM ? p->items[c->index].weight : p->sections[c->index].weight;
            uint32_t full = c->kind == CHILD_ITEM ? p->items[c->index].points : p->sections[c->index].points;
            rb_num add = s->weighted ? p->numbers[w] : p->numbers[full];
            if (s->weighted && !is_fraction(add))
                return vr_fail(v, "section %u: a child's weight is outside 0..100%%", si);
            if (st == RB_NUM_OK) st = rb_num_add(sum, add, &sum);
        }
        if (s->weighted && any) {
            char whose[64];
            snprintf(whose, sizeof whose, rb_tr(v->lang, N_("section %u: its children's")), si);
            if (check_weight_sum(v, st, sum, whose)) return -1;
        } else if (!s->weighted && si != 0 && (st != RB_NUM_OK || rb_num_cmp(sum, points) != 0)) {
            return vr_fail(v, "section %u: its points are not the sum of its children's", si);
        }
    }
    return 0;
}

int rb_program_verify(rb_program *p, rb_lang lang, char *err, size_t errcap)
{
    verifier v = {.p = p, .err = err, .errcap = errcap, .lang = lang};
    if (err && errcap) err[0] = '\0';
    p->verified = NULL;
    v.prod = rb_xmalloc(((size_t)p->nslots + 1) * sizeof *v.prod);
    for (uint32_t i = 0; i < p->nslots; i++) v.prod[i] = RB_NONE;
    int rc = check_numbers(&v);
    if (rc == 0) rc = check_strings(&v);
    if (rc == 0) rc = check_header(&v);
    if (rc == 0) rc = check_options(&v);
    if (rc == 0) rc = check_slots(&v);
    if (rc == 0) rc = check_raters(&v);
    if (rc == 0) rc = check_items(&v);
    if (rc == 0) rc = check_inputs(&v);
    if (rc == 0) rc = check_rater_slots(&v);
    if (rc == 0) rc = check_sections(&v);
    if (rc == 0) rc = check_section_maybe(&v);
    if (rc == 0) rc = check_bands(&v);
    if (rc == 0) rc = check_units(&v);
    if (rc == 0) rc = check_code(&v);
    if (rc == 0) rc = check_history(&v);
    if (rc == 0) rc = check_unique_names(&v);
    if (rc == 0) rc = check_scoring(&v);
    rb_free(v.prod);
    rb_free(v.option_set);
    rb_free(v.band_user);
    rb_free(v.historic);
    if (rc == 0) p->verified = &verified_mark;
    return rc;
}
