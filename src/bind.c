/* bind.c — binds one record to the program's inputs (program.h step 1):
 * looks every record key up by name, reads each value as its input's type
 * (JSON or CSV text), checks its constraints (bounds, options, raters) and
 * fills the input's slot, or reports "missing", "type", "range", "choice",
 * "unknown", "duplicate" and "not-applicable" errors (SPEC §8).
 *
 * Invariants: every input's slot ends up holding its value, its default or
 * "absent" — except items with a `when`, whose outcome waits in pend[] until
 * their U_WHEN unit ran (rb_bind_when).  Any binding error stops the record
 * before a unit runs.  Messages and copied text live in the record arena. */
#include "evaluator.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "cell.h"
#include "date.h"
#include "diag.h"
#include "utf8.h"

static uint64_t hash_str(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

/* The name index: open addressing over slot names (a power of two at least
 * twice the slots), and slot → input. */
static uint32_t lookup_slot(const rb_eval *e, const char *key, size_t len);

/* The ITEM.RATER slots, sorted by item (the verifier proved each name is a
 * rated item's and a rater's). */
static int by_item(const void *a, const void *b)
{
    const rb_rater_read *x = a, *y = b;
    return x->item < y->item ? -1 : x->item > y->item ? 1 : (x->slot > y->slot) - (x->slot < y->slot);
}

static void index_rater_reads(rb_eval *e)
{
    const rb_program *p = e->p;
    uint32_t n = 0;
    for (uint32_t s = 0; s < p->nslots; s++) n += p->slots[s].kind == SLOT_RATER;
    if (!n) return;
    e->rater_reads = rb_xmalloc(n * sizeof *e->rater_reads);
    for (uint32_t s = 0; s < p->nslots; s++) {
        if (p->slots[s].kind != SLOT_RATER) continue;
        const char *name = slot_name(p, s);
        const char *dot = strchr(name, '.');
        assert(dot);
        uint32_t item_slot = lookup_slot(e, name, (size_t)(dot - name));
        assert(item_slot != RB_NONE && e->slot_input[item_slot] != RB_NONE);
        uint32_t r = 0;
        while (strcmp(rb_str(p, p->raters[r].id), dot + 1) != 0) r++;
        assert(r < p->nraters);
        e->rater_reads[e->nrater_reads++] =
            (rb_rater_read){.slot = s, .item = p->inputs[e->slot_input[item_slot]].item, .rater = r};
    }
    qsort(e->rater_reads, n, sizeof *e->rater_reads, by_item);
}

/* Gives the ITEM.RATER slots of item `item` their values, once the item is
 * bound: a rater who gave none leaves the slot absent, and an item whose
 * value failed leaves it poisoned (what reads it is skipped). */
static void fill_rater_reads(rb_eval *e, uint32_t item)
{
    const rb_program *p = e->p;
    size_t lo = 0, hi = e->nrater_reads;
    while (lo < hi) { /* the first read of `item` */
        size_t mid = lo + (hi - lo) / 2;
        if (e->rater_reads[mid].item < item) lo = mid + 1; else hi = mid;
    }
    bool bad = e->poisoned[p->items[item].slot];
    for (size_t i = lo; i < e->nrater_reads && e->rater_reads[i].item == item; i++) {
        const rb_rater_read *rr = &e->rater_reads[i];
        const rb_value *v = &e->rater_vals[(size_t)item * p->nraters + rr->rater];
        e->slots[rr->slot] = bad || !e->items[item].applicable ? (rb_value){.kind = RB_V_ABSENT} : *v;
        if (bad || (e->slots[rr->slot].kind == RB_V_ABSENT && !p->slots[rr->slot].maybe)) e->poisoned[rr->slot] = 1;
    }
}

void rb_bind_index(rb_eval *e)
{
    const rb_program *p = e->p;
    uint32_t cap = 16;
    while (cap < 2 * (uint64_t)p->nslots + 2) cap *= 2;
    e->hash = rb_xmalloc(cap * sizeof *e->hash);
    memset(e->hash, 0xff, cap * sizeof *e->hash);
    e->hmask = cap - 1;
    for (uint32_t s = 0; s < p->nslots; s++) {
        const char *n = slot_name(p, s);
        size_t len = p->string_len[p->slots[s].name];
        uint32_t h = (uint32_t)hash_str(n, len) & e->hmask;
        while (e->hash[h] != RB_NONE) h = (h + 1) & e->hmask;
        e->hash[h] = s; /* names are unique; a duplicate would just be shadowed */
    }
    e->key_after = rb_xmalloc(((size_t)p->nslots + 1) * sizeof *e->key_after);
    memset(e->key_after, 0xff, ((size_t)p->nslots + 1) * sizeof *e->key_after);
    e->slot_input = rb_xmalloc((p->nslots + 1) * sizeof *e->slot_input);
    memset(e->slot_input, 0xff, (p->nslots + 1) * sizeof *e->slot_input);
    for (uint32_t i = 0; i < p->ninputs; i++) e->slot_input[p->inputs[i].slot] = i;
    index_rater_reads(e);
}

static uint32_t lookup_slot(const rb_eval *e, const char *key, size_t len)
{
    if (!e->hash) return RB_NONE;
    for (uint32_t h = (uint32_t)hash_str(key, len) & e->hmask;; h = (h + 1) & e->hmask) {
        uint32_t s = e->hash[h];
        if (s == RB_NONE) return RB_NONE;
        if (e->p->string_len[e->p->slots[s].name] == len && memcmp(slot_name(e->p, s), key, len) == 0)
            return s;
    }
}

uint32_t rb_bind_slot(const rb_eval *e, const char *name, size_t len)
{
    return lookup_slot(e, name, len);
}

/* The slot of a record's key that follows the key of slot `prev` (RB_NONE:
 * the first key, or one after an unknown key): the slot that followed prev
 * in the last record when the key names it, else looked up (and
 * remembered). */
static uint32_t member_slot(rb_eval *e, uint32_t prev, const char *key, size_t len)
{
    const rb_program *p = e->p;
    uint32_t *guess = &e->key_after[prev == RB_NONE ? 0 : prev + 1];
    if (*guess != RB_NONE && p->string_len[p->slots[*guess].name] == len &&
        memcmp(slot_name(p, *guess), key, len) == 0)
        return *guess;
    return *guess = lookup_slot(e, key, len);
}

/* How a record value is shown in a message: as written, long strings cut. */
static const char *show(rb_eval *e, const rb_rv *v)
{
    switch (v->kind) {
    case RV_NULL: return "null";
    case RV_BOOL: return v->boolean ? "true" : "false";
    case RV_NUMBER: {
        size_t n = rb_utf8_cut(v->text, v->len, 40);
        return rb_arena_printf(e->arena, "%.*s%s", (int)n, v->text, n < v->len ? "…" : "");
    }
    case RV_STRING: {
        /* A CSV cell is text by nature: a number in it is shown as the
         * number the author typed (11, not "11"). */
        size_t n = rb_utf8_cut(v->text, v->len, 60);
        rb_num x;
        bool number = e->rec && e->rec->from_csv && rb_num_parse(v->text, v->len, &x) == RB_NUM_OK;
        const char *q = number ? "" : "\"";
        return rb_arena_printf(e->arena, "%s%.*s%s%s", q, (int)n, v->text, n < v->len ? "…" : "", q);
    }
    case RV_OBJECT: return "{…}";
    case RV_ARRAY: return "[…]";
    }
    return "?";
}

static const char *did_you_mean(rb_eval *e, const rb_suggestion *s)
{
    return s->best ? rb_arena_printf(e->arena, rb_tr(e->opt.lang, N_("; did you mean \"%s\"?")), s->best) : "";
}

static const char *label_of(const rb_program *p, uint32_t slot)
{
    uint32_t l = p->slots[slot].label;
    return l != RB_NONE ? rb_str(p, l) : slot_name(p, slot);
}

const char *rb_eval_shown(rb_eval *e, const char *path)
{
    if (e->opt.lang == RB_LANG_EN || !path) return path;
    const rb_program *p = e->p;
    uint32_t s = lookup_slot(e, path, strlen(path));
    if (s != RB_NONE) return label_of(p, s);
    const char *dot = strchr(path, '.'); /* "item.rater" */
    if (!dot || (s = lookup_slot(e, path, (size_t)(dot - path))) == RB_NONE) return path;
    for (uint32_t k = 0; k < p->nraters; k++) {
        const rb_rater *r = &p->raters[k];
        if (strcmp(rb_str(p, r->id), dot + 1) == 0)
            return rb_arena_printf(e->arena, "%s.%s", label_of(p, s), r->label != RB_NONE ? rb_str(p, r->label) : dot + 1);
    }
    return rb_arena_printf(e->arena, "%s%s", label_of(p, s), dot);
}

#define SHOWN(path) rb_eval_shown(e, path)

/* ---- binding: reading record values ------------------------------------- */

/* "n/a" in JSON; in a cell also 不适用, — and any case of n/a (SPEC §16). */
static bool is_na(const rb_eval *e, const rb_rv *v)
{
    if (v->kind != RV_STRING) return false;
    if (e->rec->from_csv) return rb_cell_na(v->text, v->len);
    return v->len == 3 && (memcmp(v->text, "n/a", 3) == 0 || memcmp(v->text, "N/A", 3) == 0);
}

static bool is_nothing(const rb_rv *v)
{
    return !v || v->kind == RV_NULL;
}

/* Where a value sits, for messages: "sales", or "teamwork.manager" joined
 * only when a message needs it (most values are fine and need none). */
typedef struct {
    const char *name, *rater; /* rater NULL: a plain value */
    const char *text;         /* the joined path, once made */
} val_path;

static const char *path_text(rb_eval *e, val_path *vp)
{
    if (!vp->text) vp->text = vp->rater ? rb_arena_printf(e->arena, "%s.%s", vp->name, vp->rater) : vp->name;
    return vp->text;
}

static void type_error(rb_eval *e, const char *path, const rb_rv *v, uint8_t type)
{
    const char *sh = show(e, v), *name = SHOWN(path);
    switch (type) {
    case RB_T_INTEGER: rb_eval_error(e, path, "type", "%s = %s is not an integer", name, sh); break;
    case RB_T_PERCENT:
        rb_eval_error(e, path, "type", "%s = %s is not a percentage (write 0.85 or \"85%%\")", name, sh);
        break;
    case RB_T_TEXT: rb_eval_error(e, path, "type", "%s = %s is not text (write it as a string)", name, sh); break;
    case RB_T_BOOL:
        if (e->rec->from_csv) /* the forms of SPEC §16, in cell.c */
            rb_eval_error(e, path, "type", "%s = %s is not yes or no (true/false, 是/否, √/×, 1/0)", name, sh);
        else
            rb_eval_error(e, path, "type", "%s = %s is not true or false", name, sh);
        break;
    case RB_T_DATE:
        if (e->rec->from_csv)
            rb_eval_error(e, path, "type", "%s = %s is not a valid date (2026-06-01, 2026/6/1 or 2026年6月1日)",
                          name, sh);
        else
            rb_eval_error(e, path, "type", "%s = %s is not a valid date (YYYY-MM-DD)", name, sh);
        break;
    case RB_T_CHOICE:
        rb_eval_error(e, path, "type", "%s = %s is not an option (write its id or label as a string)", name, sh);
        break;
    case RB_T_CHOICES:
        rb_eval_error(e, path, "type", "%s = %s is not a list of options (write [\"a\", \"b\"])", name, sh);
        break;
    default: rb_eval_error(e, path, "type", "%s = %s is not a number", name, sh); break;
    }
}

/* A number from a record: a JSON number; in a CSV cell, the cell's text;
 * for a percent also "85%" (= 0.85).  Always read from the decimal text. */
static int rv_number(rb_eval *e, val_path *vp, const rb_rv *v, uint8_t type, rb_num *out)
{
    const char *s;
    size_t n;
    bool pct = false;
    if (v->kind == RV_NUMBER) {
        s = v->text, n = v->len;
    } else if (v->kind == RV_STRING && (e->rec->from_csv || type == RB_T_PERCENT)) {
        s = v->text, n = v->len;
        rb_cell_trim(&s, &n);
        if (e->rec->from_csv) { /* full-width digits, 1,234.5 (SPEC §16) */
            char *plain = rb_arena_alloc(e->arena, n + 1);
            n = rb_cell_number(s, n, plain, n + 1);
            s = plain;
        }
        if (type == RB_T_PERCENT && n > 0 && s[n - 1] == '%') {
            pct = true;
            n--;
            rb_cell_trim(&s, &n);
        } else if (!e->rec->from_csv) {
            type_error(e, path_text(e, vp), v, type);
            return -1;
        }
    } else {
        type_error(e, path_text(e, vp), v, type);
        return -1;
    }
    rb_num x;
    rb_num_status st = v->kind == RV_NUMBER ? rb_num_parse_json(s, n, &x) : rb_num_parse(s, n, &x);
    if (st == RB_NUM_OK && pct) st = rb_num_div(x, rb_num_int(100), &x);
    if (st == RB_NUM_OVERFLOW) {
        const char *path = path_text(e, vp);
        rb_eval_error(e, path, "type", "%s = %s cannot be represented exactly", SHOWN(path), show(e, v));
        return -1;
    }
    if (st != RB_NUM_OK) {
        type_error(e, path_text(e, vp), v, type);
        return -1;
    }
    if (type == RB_T_INTEGER && !rb_num_is_integer(x)) {
        type_error(e, path_text(e, vp), v, type);
        return -1;
    }
    *out = x;
    return 0;
}

/* Checks min/max of an input; v is the value as the record gave it. */
static int check_bounds(rb_eval *e, const rb_input *in, val_path *vp, const rb_rv *v, rb_num x, bool percent)
{
    const rb_program *p = e->p;
    bool lo_ok = true, hi_ok = true;
    rb_num lo = {0, 1}, hi = {0, 1};
    if (in->min != RB_NONE) {
        lo = p->numbers[in->min];
        int c = rb_num_cmp(x, lo);
        lo_ok = in->min_incl ? c >= 0 : c > 0;
    }
    if (in->max != RB_NONE) {
        hi = p->numbers[in->max];
        int c = rb_num_cmp(x, hi);
        hi_ok = in->max_incl ? c <= 0 : c < 0;
    }
    if (lo_ok && hi_ok) return 0;
    const char *path = path_text(e, vp);
    char *shown = rb_arena_printf(e->arena, "%s = %s", SHOWN(path), show(e, v));
    char *(*f)(rb_arena *, rb_num) = percent ? rb_num_percent_text : rb_num_text;
    if (in->min != RB_NONE && in->max != RB_NONE && in->min_incl && in->max_incl)
        rb_eval_error(e, path, "range", "%s is outside %s..%s", shown, f(e->arena, lo), f(e->arena, hi));
    else if (!lo_ok)
        rb_eval_error(e, path, "range", "%s must be %s %s", shown, in->min_incl ? ">=" : ">", f(e->arena, lo));
    else
        rb_eval_error(e, path, "range", "%s must be %s %s", shown, in->max_incl ? "<=" : "<", f(e->arena, hi));
    return -1;
}

/* Option of a choiceset by id, then by exact label: index within the set. */
static uint32_t find_option(const rb_program *p, uint32_t cs, const char *s, size_t n)
{
    const rb_choiceset *c = &p->choicesets[cs];
    for (uint32_t k = 0; k < c->count; k++) {
        const rb_option *o = &p->options[c->first + k];
        if (p->string_len[o->id] == n && memcmp(rb_str(p, o->id), s, n) == 0) return k;
    }
    for (uint32_t k = 0; k < c->count; k++) {
        const rb_option *o = &p->options[c->first + k];
        if (o->label != RB_NONE && p->string_len[o->label] == n && memcmp(rb_str(p, o->label), s, n) == 0)
            return k;
    }
    return RB_NONE;
}

static void choice_error(rb_eval *e, const char *path, uint32_t cs, const char *s, size_t n)
{
    const rb_program *p = e->p;
    const rb_choiceset *c = &p->choicesets[cs];
    char *key = rb_arena_strndup(e->arena, s, n);
    rb_suggestion sg = rb_suggest_begin(key);
    char *list = "";
    for (uint32_t k = 0; k < c->count; k++) {
        const rb_option *o = &p->options[c->first + k];
        rb_suggest_try(&sg, rb_str(p, o->id));
        rb_suggest_try(&sg, str_or_null(p, o->label));
        if (k < 8) list = rb_arena_printf(e->arena, "%s%s%s", list, k ? ", " : "", rb_str(p, o->id));
        else if (k == 8) list = rb_arena_printf(e->arena, "%s, …", list);
    }
    size_t cut = rb_utf8_cut(s, n, 60);
    rb_eval_error(e, path, "choice", "%s = \"%.*s%s\" is not an option (options: %s)%s", SHOWN(path), (int)cut, s,
                  cut < n ? "…" : "", list, did_you_mean(e, &sg));
}

static int bind_choice(rb_eval *e, const char *path, uint32_t cs, const rb_rv *v, rb_value *out)
{
    if (v->kind != RV_STRING) {
        type_error(e, path, v, RB_T_CHOICE);
        return B_ERR;
    }
    const char *s = v->text;
    size_t n = v->len;
    if (e->rec->from_csv) rb_cell_trim(&s, &n);
    uint32_t k = find_option(e->p, cs, s, n);
    if (k == RB_NONE) {
        choice_error(e, path, cs, s, n);
        return B_ERR;
    }
    out->kind = RB_V_CHOICE;
    out->opt = e->p->choicesets[cs].first + k;
    return B_OK;
}

/* Adds one chosen option (text s[0..n)) to a set. */
static bool choose(rb_eval *e, const char *path, uint32_t cs, const char *s, size_t n, rb_value *out)
{
    uint32_t k = find_option(e->p, cs, s, n);
    if (k == RB_NONE) {
        choice_error(e, path, cs, s, n);
        return false;
    }
    if (out->bits & ((uint64_t)1 << k)) {
        const rb_option *o = &e->p->options[e->p->choicesets[cs].first + k];
        rb_eval_error(e, path, "duplicate", "%s: option \"%s\" is chosen twice", SHOWN(path), rb_str(e->p, o->id));
        return false;
    }
    out->bits |= (uint64_t)1 << k;
    return true;
}

static int bind_choices(rb_eval *e, const rb_input *in, const char *path, uint32_t cs, const rb_rv *v,
                        rb_value *out)
{
    out->kind = RB_V_SET;
    out->opt = cs;
    out->bits = 0;
    bool ok = true;
    if (e->rec->from_csv && v->kind == RV_STRING) {
        /* a CSV cell lists ids or labels separated by ';' */
        const char *s = v->text, *end = v->text + v->len;
        while (s <= end) {
            const char *semi = memchr(s, ';', (size_t)(end - s));
            const char *stop = semi ? semi : end;
            const char *t = s;
            size_t n = (size_t)(stop - s);
            rb_cell_trim(&t, &n);
            if (n && !choose(e, path, cs, t, n, out)) ok = false;
            if (!semi) break;
            s = semi + 1;
        }
    } else if (v->kind == RV_ARRAY) {
        for (size_t i = 0; i < v->count; i++) {
            const rb_rv *x = &v->items[i];
            if (x->kind != RV_STRING) {
                rb_eval_error(e, path, "type", "%s: element %zu = %s is not an option (write its id or label as a string)",
                              SHOWN(path), i + 1, show(e, x));
                ok = false;
            } else if (!choose(e, path, cs, x->text, x->len, out)) {
                ok = false;
            }
        }
    } else {
        type_error(e, path, v, RB_T_CHOICES);
        return B_ERR;
    }
    if (!ok) return B_ERR;
    unsigned count = 0;
    for (uint64_t b = out->bits; b; b &= b - 1) count++;
    /* bounds on how many options are chosen: "tags: 3 options chosen, outside 1..2" */
    const rb_program *p = e->p;
    rb_num n = rb_num_int(count);
    bool lo_ok = in->min == RB_NONE || rb_num_cmp(n, p->numbers[in->min]) >= (in->min_incl ? 0 : 1);
    bool hi_ok = in->max == RB_NONE || rb_num_cmp(n, p->numbers[in->max]) <= (in->max_incl ? 0 : -1);
    if (lo_ok && hi_ok) return B_OK;
    const char *name = SHOWN(path);
    bool one = count == 1;
    if (in->min != RB_NONE && in->max != RB_NONE && in->min_incl && in->max_incl) {
        const char *lo = rb_num_text(e->arena, p->numbers[in->min]), *hi = rb_num_text(e->arena, p->numbers[in->max]);
        if (one) rb_eval_error(e, path, "range", "%s: %u option chosen, outside %s..%s", name, count, lo, hi);
        else rb_eval_error(e, path, "range", "%s: %u options chosen, outside %s..%s", name, count, lo, hi);
    } else {
        const char *op = !lo_ok ? (in->min_incl ? ">=" : ">") : (in->max_incl ? "<=" : "<");
        const char *bound = rb_num_text(e->arena, p->numbers[!lo_ok ? in->min : in->max]);
        if (one) rb_eval_error(e, path, "range", "%s: %u option chosen, must be %s %s", name, count, op, bound);
        else rb_eval_error(e, path, "range", "%s: %u options chosen, must be %s %s", name, count, op, bound);
    }
    return B_ERR;
}

/* Binds one plain (not per-rater) value of input `in`.  v NULL: absent. */
static int bind_value(rb_eval *e, const rb_input *in, const char *path, const rb_rv *v, rb_value *out)
{
    const rb_program *p = e->p;
    const rb_slot *slot = &p->slots[in->slot];
    memset(out, 0, sizeof *out);
    if (v && v->kind == RV_NULL && e->rec->from_csv && slot->type == RB_T_CHOICES) {
        /* an empty checklist cell is "nothing ticked", not a missing value */
        static const rb_rv empty = {.kind = RV_STRING, .text = "", .len = 0};
        return bind_choices(e, in, path, slot->choiceset, &empty, out);
    }
    if (is_nothing(v)) return B_ABSENT;
    if (in->item != RB_NONE && is_na(e, v)) return B_NA;
    switch (slot->type) {
    case RB_T_NUMBER: case RB_T_INTEGER: case RB_T_PERCENT: {
        rb_num x;
        val_path vp = {path, NULL, path};
        if (rv_number(e, &vp, v, slot->type, &x)) return B_ERR;
        if (check_bounds(e, in, &vp, v, x, slot->type == RB_T_PERCENT)) return B_ERR;
        out->kind = RB_V_NUM;
        out->n = x;
        return B_OK;
    }
    case RB_T_TEXT:
        if (v->kind != RV_STRING) break;
        out->kind = RB_V_TEXT;
        out->s = rb_arena_strndup(e->arena, v->text, v->len);
        out->len = v->len;
        return B_OK;
    case RB_T_BOOL:
        if (v->kind == RV_BOOL) {
            out->kind = RB_V_BOOL;
            out->b = v->boolean;
            return B_OK;
        }
        if (e->rec->from_csv && v->kind == RV_STRING && rb_cell_bool(v->text, v->len, &out->b)) {
            out->kind = RB_V_BOOL;
            return B_OK;
        }
        break;
    case RB_T_DATE: {
        if (v->kind != RV_STRING) break;
        const char *s = v->text;
        size_t n = v->len;
        char iso[11];
        if (e->rec->from_csv) { /* 2026/6/1, 2026年6月1日 (SPEC §16) */
            if (!rb_cell_date(s, n, iso)) break;
            s = iso, n = 10;
        } else if (!rb_valid_date(s, n)) {
            break;
        }
        out->kind = RB_V_DATE;
        out->s = rb_arena_strndup(e->arena, s, n);
        out->len = n;
        return B_OK;
    }
    case RB_T_CHOICE:
        return bind_choice(e, path, slot->choiceset, v, out);
    case RB_T_CHOICES:
        return bind_choices(e, in, path, slot->choiceset, v, out);
    }
    type_error(e, path, v, slot->type);
    return B_ERR;
}

/* One rater's value of a directly-rated item into *out: a number; for a
 * `many` rater also a list (JSON array, or a CSV cell "4;5;3"), valued at
 * the exact mean of what it holds ("n/a" and empty entries are raters who
 * did not answer).  1: a value; 0: none given; -1: an error was reported. */
static int rater_value(rb_eval *e, const rb_input *in, const rb_rater *r, val_path *vp, const rb_rv *x, uint8_t type,
                       rb_value *out)
{
    if (is_nothing(x) || is_na(e, x)) return 0;
    const rb_rv *elems = x;
    size_t n = 1;
    if (x->kind == RV_ARRAY) {
        elems = x->items;
        n = x->count;
    } else if (r->many && e->rec->from_csv && x->kind == RV_STRING && memchr(x->text, ';', x->len)) {
        size_t parts = 1;
        for (size_t i = 0; i < x->len; i++) parts += x->text[i] == ';';
        rb_rv *cells = rb_arena_alloc(e->arena, parts * sizeof *cells);
        n = 0;
        for (size_t pos = 0; n < parts; n++) {
            size_t stop = pos;
            while (stop < x->len && x->text[stop] != ';') stop++;
            while (pos < stop && x->text[pos] == ' ') pos++;
            size_t len = stop - pos;
            cells[n].kind = len ? RV_STRING : RV_NULL;
            cells[n].text = rb_arena_strndup(e->arena, x->text + pos, len);
            cells[n].len = len;
            pos = stop + 1;
        }
        elems = cells;
    }
    if (x->kind == RV_ARRAY && !r->many) {
        const char *path = path_text(e, vp);
        rb_eval_error(e, path, "type", "%s is one rater's value, not a list (a list needs 'many' on the rater)",
                      SHOWN(path));
        return -1;
    }
    rb_num sum = rb_num_zero();
    int64_t count = 0;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        const rb_rv *v = &elems[i];
        if (is_nothing(v) || is_na(e, v)) continue;
        rb_num val;
        if (rv_number(e, vp, v, type, &val) || check_bounds(e, in, vp, v, val, false)) {
            bad = 1;
            continue;
        }
        if (rb_num_add(sum, val, &sum) != RB_NUM_OK) {
            rb_eval_error(e, path_text(e, vp), "arith", "%s: the sum of the values cannot be represented exactly",
                          SHOWN(path_text(e, vp)));
            return -1;
        }
        count++;
    }
    if (bad) return -1;
    if (count == 0) return 0;
    out->kind = RB_V_NUM;
    return rb_num_div(sum, rb_num_int(count), &out->n) == RB_NUM_OK ? 1 : -1;
}

static void missing(rb_eval *e, const char *path, const rb_rv *v, int outcome);

/* Binds a directly-rated item: {rater: value, …}; the slot gets
 * Σ weight × value; rater values go to `vals` (one per program rater). */
static int bind_rated(rb_eval *e, const rb_input *in, const char *name, const rb_rv *v, rb_value *out,
                      rb_value *vals)
{
    const rb_program *p = e->p;
    const rb_item *it = &p->items[in->item];
    uint8_t type = p->slots[in->slot].type;
    memset(out, 0, sizeof *out);
    for (uint32_t k = 0; k < p->nraters; k++) vals[k].kind = RB_V_ABSENT;
    if (is_nothing(v)) return B_ABSENT;
    if (is_na(e, v)) return B_NA;
    if (v->kind != RV_OBJECT) {
        const char *ex = "";
        for (uint32_t k = 0; k < p->nraters && !*ex; k++)
            if (!rb_num_is_zero(p->numbers[p->raters[k].weight])) ex = rb_str(p, p->raters[k].id);
        rb_eval_error(e, name, "type", "%s = %s must give one value per rater, like {\"%s\": …}", SHOWN(name), show(e, v),
                      ex);
        return B_ERR;
    }
    if (it->optional || it->when_unit != RB_NONE) {
        /* An object of nothing but null / "n/a" (a CSV row with the item's
         * rater cells left empty) gives no value: "not applicable" for an
         * optional item, absent for a `when` item — its condition decides. */
        size_t given = 0;
        for (size_t j = 0; j < v->count; j++)
            if (!is_nothing(&v->members[j].value) && !is_na(e, &v->members[j].value)) given++;
        if (given == 0) return it->optional ? B_NA : B_ABSENT;
    }
    uint32_t before = e->res.nerrors;
    for (uint32_t k = 0; k < p->nraters; k++) {
        const rb_rater *r = &p->raters[k];
        const char *id = rb_str(p, r->id);
        val_path vp = {name, id, NULL};
        const rb_rv *x = NULL;
        unsigned count = 0;
        for (size_t j = 0; j < v->count; j++)
            if (strcmp(v->members[j].key, id) == 0 && count++ == 0) x = &v->members[j].value;
        if (count > 1) {
            const char *path = path_text(e, &vp);
            rb_eval_error(e, path, "duplicate", "%s is given %u times", SHOWN(path), count);
            continue;
        }
        bool informational = rb_num_is_zero(p->numbers[r->weight]);
        if (x && is_na(e, x) && it->optional) continue; /* this rater did not rate it (SPEC §12) */
        if (x && is_na(e, x)) {
            /* "n/a" says the item does not apply, which only an optional item
             * can (SPEC §12) — for every rater, a 0% one too; a rater who may
             * be absent is told how to say that it did not rate. */
            const char *path = path_text(e, &vp);
            if (informational || r->optional)
                rb_eval_error(e, path, "type",
                              "%s = \"n/a\", but '%s' is not optional: if this rater did not rate it, leave %s out",
                              SHOWN(path), SHOWN(name), SHOWN(path));
            else
                rb_eval_error(e, path, "type", "%s = \"n/a\", but '%s' is not optional: every rater must rate it",
                              SHOWN(path), SHOWN(name));
            continue;
        }
        int got = rater_value(e, in, r, &vp, x, type, &vals[k]);
        if (got < 0) continue;
        if (got == 0 && !informational && !r->optional) {
            const char *path = path_text(e, &vp);
            if (!x || x->kind == RV_NULL) missing(e, path, x, B_ABSENT);
            else if (x->kind == RV_ARRAY && x->count == 0)
                rb_eval_error(e, path, "missing", "%s is required but an empty list", SHOWN(path));
            else if (x->kind == RV_ARRAY)
                rb_eval_error(e, path, "missing", "%s is required but every answer in its list is \"n/a\"", SHOWN(path));
            else rb_eval_error(e, path, "missing", "%s is required but \"n/a\"", SHOWN(path));
        }
    }
    if (!e->opt.allow_extra) {
        for (size_t j = 0; j < v->count; j++) {
            const char *key = v->members[j].key;
            bool known = false, seen = false;
            for (uint32_t k = 0; k < p->nraters && !known; k++) known = strcmp(rb_str(p, p->raters[k].id), key) == 0;
            for (size_t i = 0; i < j && j < 4096 && !known && !seen; i++) seen = strcmp(v->members[i].key, key) == 0;
            if (known || seen) continue;
            rb_suggestion sg = rb_suggest_begin(key);
            char *list = "";
            for (uint32_t k = 0; k < p->nraters; k++) {
                rb_suggest_try(&sg, rb_str(p, p->raters[k].id));
                list = rb_arena_printf(e->arena, "%s%s%s", list, k ? ", " : "", rb_str(p, p->raters[k].id));
            }
            const char *path = rb_arena_printf(e->arena, "%s.%s", name, key);
            rb_eval_error(e, path, "unknown", "unknown rater \"%s\" in %s (raters: %s)%s", key, SHOWN(name), list,
                          did_you_mean(e, &sg));
        }
    }
    if (e->res.nerrors != before) return B_ERR;
    /* Σ wᵣ·vᵣ ÷ Σ wᵣ over the counted raters that answered (SPEC §12) */
    rb_num sum = rb_num_zero(), wsum = rb_num_zero();
    for (uint32_t k = 0; k < p->nraters; k++) {
        rb_num w = p->numbers[p->raters[k].weight], t;
        if (vals[k].kind != RB_V_NUM || rb_num_is_zero(w)) continue;
        if (rb_num_mul(w, vals[k].n, &t) != RB_NUM_OK || rb_num_add(sum, t, &sum) != RB_NUM_OK ||
            rb_num_add(wsum, w, &wsum) != RB_NUM_OK) {
            rb_eval_error(e, name, "arith", "%s: the weighted sum of the raters' values cannot be represented exactly",
                          SHOWN(name));
            return B_ERR;
        }
    }
    if (rb_num_is_zero(wsum)) { /* no counted rater answered: the item does not apply */
        if (it->optional) return B_NA;
        rb_eval_error(e, name, "missing", "%s: no rater rated it, and it is not optional", SHOWN(name));
        return B_ERR;
    }
    if (rb_num_div(sum, wsum, &out->n) != RB_NUM_OK) {
        rb_eval_error(e, name, "arith", "%s: the raters' weighted mean cannot be represented exactly", SHOWN(name));
        return B_ERR;
    }
    out->kind = RB_V_NUM;
    return B_OK;
}

static void default_value(const rb_program *p, const rb_input *in, rb_value *out)
{
    const rb_slot *s = &p->slots[in->slot];
    memset(out, 0, sizeof *out);
    switch (s->type) {
    case RB_T_TEXT: case RB_T_DATE:
        out->kind = s->type == RB_T_TEXT ? RB_V_TEXT : RB_V_DATE;
        out->s = rb_str(p, in->def);
        out->len = p->string_len[in->def];
        return;
    case RB_T_BOOL:
        out->kind = RB_V_BOOL;
        out->b = !rb_num_is_zero(p->numbers[in->def]);
        return;
    case RB_T_CHOICE: {
        /* the option's index within its set (verify.c: an integer in range) */
        const rb_choiceset *c = &p->choicesets[s->choiceset];
        int64_t k;
        bool whole = rb_num_to_int(p->numbers[in->def], &k);
        assert(whole && k >= 0 && (uint64_t)k < c->count);
        (void)whole;
        out->kind = RB_V_CHOICE;
        out->opt = c->first + (uint32_t)k;
        return;
    }
    default: /* numbers (a choices value has no default: verify.c) */
        assert(s->type != RB_T_CHOICES);
        out->kind = RB_V_NUM;
        out->n = p->numbers[in->def];
        return;
    }
}

static void missing(rb_eval *e, const char *path, const rb_rv *v, int outcome)
{
    const char *name = SHOWN(path);
    if (outcome == B_NA)
        rb_eval_error(e, path, "missing", "%s is required: \"n/a\" is only allowed for optional items", name);
    else if (!v)
        rb_eval_error(e, path, "missing", "%s is required but missing", name);
    else if (e->rec->from_csv)
        rb_eval_error(e, path, "missing", "%s is required but empty", name);
    else
        rb_eval_error(e, path, "missing", "%s is required but null", name);
}

void rb_bind_item(rb_eval *e, uint32_t item, const rb_value *v)
{
    rb_result_item *ri = &e->items[item];
    if (v && v->kind == RB_V_NUM) {
        ri->applicable = ri->has_score = true;
        ri->score = v->n;
        e->slots[e->p->items[item].slot] = *v;
    } else {
        ri->applicable = ri->has_score = false;
        e->slots[e->p->items[item].slot].kind = RB_V_ABSENT;
    }
}

/* Applies a bind outcome to the input's slot (not for `when` items). */
static void settle(rb_eval *e, uint32_t ii, int outcome, const rb_value *val, const rb_rv *v)
{
    const rb_program *p = e->p;
    const rb_input *in = &p->inputs[ii];
    const char *name = slot_name(p, in->slot);
    if (outcome == B_ERR) return;
    if (outcome == B_OK) {
        if (in->item != RB_NONE) rb_bind_item(e, in->item, val);
        else e->slots[in->slot] = *val;
        return;
    }
    bool optional_item = in->item != RB_NONE && p->items[in->item].optional;
    if (outcome == B_NA && in->item != RB_NONE && !optional_item) {
        missing(e, name, v, outcome);
    } else if (in->def != RB_NONE && in->item == RB_NONE) {
        default_value(p, in, &e->slots[in->slot]);
    } else if (in->required && !optional_item) {
        missing(e, name, v, outcome);
    } else if (in->item != RB_NONE) {
        rb_bind_item(e, in->item, NULL);
    } else {
        e->slots[in->slot].kind = RB_V_ABSENT;
    }
}

/* The message for a record key that names something the form computes. */
static const char *computed_msg(uint8_t kind)
{
    switch (kind) {
    case SLOT_PARAM: return N_("\"%s\" is a param (set in the template or with -D), not a value a record gives");
    case SLOT_ITEM: return N_("\"%s\" is a computed item (its score comes from its formula), not a value a record gives");
    case SLOT_DEDUCT: return N_("\"%s\" is a computed deduction (it comes from its formula), not a value a record gives");
    case SLOT_SECTION: return N_("\"%s\" is a section (its score is computed from its items), not a value a record gives");
    case SLOT_LET: return N_("\"%s\" is a let (computed by the form), not a value a record gives");
    case SLOT_OUTPUT: return N_("\"%s\" is an output (computed by the form), not a value a record gives");
    case SLOT_SIGN: return N_("\"%s\" is a signature line (signed on the paper form), not a value a record gives");
    case SLOT_RATER: return N_("\"%s\" is one rater's value: give it inside its item, as {\"rater\": value}");
    default: return N_("\"%s\" is computed by the form, not a value a record gives");
    }
}

/* Bind step (program.h 1).  Returns false when binding errors stop the
 * record. */
bool rb_bind_record(rb_eval *e, const rb_rv *obj)
{
    const rb_program *p = e->p;
    size_t nm = obj->count;
    uint32_t *mslot = rb_arena_alloc(e->arena, (nm + 1) * sizeof *mslot);
    for (uint32_t i = 0; i < p->ninputs; i++) {
        e->in_first[i] = RB_NONE;
        e->in_count[i] = 0;
    }
    for (size_t j = 0; j < nm; j++) {
        const rb_rv_member *m = &obj->members[j];
        mslot[j] = member_slot(e, j ? mslot[j - 1] : RB_NONE, m->key, m->keylen);
        uint32_t ii = mslot[j] == RB_NONE ? RB_NONE : e->slot_input[mslot[j]];
        if (ii == RB_NONE) continue;
        if (e->in_count[ii]++ == 0) e->in_first[ii] = (uint32_t)j;
    }
    for (uint32_t ii = 0; ii < p->ninputs; ii++) {
        const rb_input *in = &p->inputs[ii];
        const char *name = slot_name(p, in->slot);
        if (e->in_count[ii] > 1) {
            rb_eval_error(e, name, "duplicate", "%s is given %u times", SHOWN(name), e->in_count[ii]);
            e->pend[ii] = B_ERR;
            e->poisoned[in->slot] = 1;
            if (in->rated && e->nrater_reads) fill_rater_reads(e, in->item);
            continue;
        }
        const rb_rv *v = e->in_first[ii] == RB_NONE ? NULL : &obj->members[e->in_first[ii]].value;
        rb_value val;
        int outcome;
        if (in->rated && in->item != RB_NONE && p->nraters > 0)
            outcome = bind_rated(e, in, name, v, &val, &e->rater_vals[(size_t)in->item * p->nraters]);
        else
            outcome = bind_value(e, in, name, v, &val);
        /* a bad value leaves its slot without one: what reads it is skipped,
         * the rest of the record is still evaluated (SPEC §12) */
        if (outcome == B_ERR) e->poisoned[in->slot] = 1;
        if (in->item != RB_NONE && p->items[in->item].when_unit != RB_NONE) {
            /* applicability is known only once its U_WHEN unit ran */
            e->pend[ii] = (uint8_t)outcome;
            e->pend_val[ii] = val;
            continue;
        }
        settle(e, ii, outcome, &val, v);
        /* whatever failed to give a slot its value (missing, type, range…) */
        if (e->slots[in->slot].kind == RB_V_ABSENT && !p->slots[in->slot].maybe) e->poisoned[in->slot] = 1;
        if (in->rated && e->nrater_reads) fill_rater_reads(e, in->item);
    }
    for (size_t j = 0; j < nm; j++) {
        uint32_t s = mslot[j];
        if (s != RB_NONE && e->slot_input[s] != RB_NONE) continue;
        /* --allow-extra lets through keys the form knows nothing of; a value
         * for something the form computes is a mistake either way. */
        if (e->opt.allow_extra && s == RB_NONE) continue;
        const char *key = obj->members[j].key;
        bool seen = false;
        for (size_t i = 0; i < j && !seen && j < 4096; i++) seen = strcmp(obj->members[i].key, key) == 0;
        if (seen) continue;
        if (s != RB_NONE) {
            rb_eval_error(e, key, "unknown", computed_msg(p->slots[s].kind), key);
            continue;
        }
        rb_suggestion sg = rb_suggest_begin(key);
        for (uint32_t ii = 0; ii < p->ninputs; ii++) rb_suggest_try(&sg, slot_name(p, p->inputs[ii].slot));
        if (sg.best)
            rb_eval_error(e, key, "unknown", "unknown key \"%s\"%s", key, did_you_mean(e, &sg));
        else
            rb_eval_error(e, key, "unknown", "unknown key \"%s\": the form declares no such name", key);
    }
    return e->res.nerrors == 0;
}

/* U_WHEN gave `applies` for item `ii`: settle a directly-rated item's
 * deferred value.  False: the record stops (not-applicable / missing). */
static bool settle_when(rb_eval *e, uint32_t item, bool applies);

bool rb_bind_when(rb_eval *e, uint32_t item, bool applies)
{
    bool go_on = settle_when(e, item, applies);
    if (e->p->items[item].input != RB_NONE && e->nrater_reads) fill_rater_reads(e, item);
    return go_on;
}

static bool settle_when(rb_eval *e, uint32_t item, bool applies)
{
    const rb_program *p = e->p;
    const rb_item *it = &p->items[item];
    rb_result_item *ri = &e->items[item];
    if (it->input == RB_NONE) { /* computed: U_ITEM runs only if it applies */
        ri->applicable = applies;
        ri->has_score = false;
        if (!applies) e->slots[it->slot].kind = RB_V_ABSENT;
        return true;
    }
    uint32_t ii = it->input;
    const char *name = slot_name(p, it->slot);
    int outcome = e->pend[ii];
    if (outcome == B_ERR) { /* reported while binding: the item has no value */
        e->poisoned[it->slot] = 1;
        return true;
    }
    if (!applies) {
        if (outcome == B_OK) {
            rb_eval_error(e, name, "not-applicable",
                          "%s does not apply to this record (its `when` condition is false) but has a value", SHOWN(name));
            e->stopped = true;
            return false;
        }
        rb_bind_item(e, item, NULL);
        return true;
    }
    if (outcome == B_OK) {
        rb_bind_item(e, item, &e->pend_val[ii]);
        return true;
    }
    if (!it->optional) {
        if (outcome == B_NA)
            rb_eval_error(e, name, "missing", "%s is required here (its `when` condition holds): \"n/a\" is not allowed",
                          SHOWN(name));
        else
            rb_eval_error(e, name, "missing", "%s is required here (its `when` condition holds) but missing",
                          SHOWN(name));
        e->stopped = true;
        return false;
    }
    rb_bind_item(e, item, NULL);
    return true;
}
