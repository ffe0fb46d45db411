/* vm.c — the evaluator: binds a record to a program's inputs, runs the
 * program's units over the bytecode, aggregates sections (SPEC §5), takes
 * the total and the grade, and fills an rb_result (result.h).
 *
 * Evaluation order and the meaning of every table are in program.h; the
 * error codes, paths and messages are SPEC §8 and docs/results.md.
 *
 * Robustness: the verifier has checked types, stack depths and indices, but
 * a damaged program must still never crash the evaluator.  So rb_eval_new
 * checks every cross reference of the tables once (a defect turns every
 * record into one "internal" error), and the interpreter checks each
 * operand, jump and stack access as it goes (cheap compares; a failure is an
 * "internal" error of that record, never a wild access).
 *
 * Memory: fixed per-program arrays (slots, per-item and per-section
 * results) are allocated once; everything whose size depends on the record
 * (messages, copied text, lists) comes from one arena that is reset per
 * record, so a stream of any length runs in constant memory. */
#include "vm.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "date.h"
#include "diag.h"
#include "utf8.h"
#include "opcodes.h"

#define STACK_MAX 256
/* Bytecode has no loops (jumps are forward), so a unit executes each
 * instruction at most once; the limit only stops a hostile program. */
#define STEP_LIMIT (1u << 24)

/* Outcomes of binding one record value. */
enum { B_OK, B_ABSENT, B_NA, B_ERR };

struct rb_eval {
    const rb_program *p;
    rb_eval_options opt;
    rb_arena *arena;
    char bad[200];            /* non-empty: the program is defective */
    int digits;               /* precision, clamped to what num.h accepts */

    uint32_t *hash;           /* open addressing: slot indices, RB_NONE empty */
    uint32_t hmask;
    uint32_t *slot_input;     /* slot → input index or RB_NONE */

    /* per record, sized once */
    rb_value *slots;
    rb_result_item *items;
    rb_result_section *sections;
    rb_value *rater_vals;     /* nitems × nraters */
    uint32_t *in_first, *in_count; /* per input: first record member, occurrences */
    uint8_t *pend;            /* per input: bind outcome kept for `when` items */
    rb_value *pend_val;
    uint8_t *busy;            /* per section: aggregation in progress */
    rb_value stack[STACK_MAX];

    const rb_record *rec;
    bool stopped;             /* a binding or runtime error ended the record */
    bool have_total, have_grade_on;
    bool result_done;         /* a U_RESULT unit computed the total and grade */
    rb_value total_val, grade_val;
    size_t cap_errors, cap_warnings;
    rb_result res;
};

/* ---- small helpers ------------------------------------------------------ */

static const char *str_or_null(const rb_program *p, uint32_t i)
{
    return i == RB_NONE ? NULL : rb_str(p, i);
}

static const char *slot_name(const rb_program *p, uint32_t slot)
{
    return rb_str(p, p->slots[slot].name);
}

static uint64_t hash_str(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
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

static char *fmt_num(rb_eval *e, rb_num n)
{
    char buf[64];
    rb_num_format_exact(n, buf, sizeof buf);
    return rb_arena_strndup(e->arena, buf, strlen(buf));
}

/* A number for a message: exact when it is a finite decimal, else rounded
 * to the form's precision and marked as approximate. */
static char *fmt_num_msg(rb_eval *e, rb_num n)
{
    char buf[64];
    rb_num_format_exact(n, buf, sizeof buf);
    if (!strchr(buf, '/')) return rb_arena_strndup(e->arena, buf, strlen(buf));
    rb_num_format(n, e->digits, buf, sizeof buf);
    return rb_arena_printf(e->arena, "≈%s", buf);
}

static char *fmt_pct(rb_eval *e, rb_num n)
{
    rb_num h;
    if (rb_num_mul(n, rb_num_int(100), &h) != RB_NUM_OK) return fmt_num(e, n);
    return rb_arena_printf(e->arena, "%s%%", fmt_num(e, h));
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
    return s->best ? rb_arena_printf(e->arena, "; did you mean \"%s\"?", s->best) : "";
}

/* ---- errors and warnings ------------------------------------------------ */

static void add_error(rb_eval *e, const char *path, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add_error(rb_eval *e, const char *path, const char *code, const char *fmt, ...)
{
    rb_result *r = &e->res;
    r->errors = rb_arena_grow(e->arena, r->errors, r->nerrors, &e->cap_errors, sizeof *r->errors, 8);
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = rb_arena_alloc(e->arena, (size_t)(len < 0 ? 0 : len) + 1);
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)(len < 0 ? 0 : len) + 1, fmt, ap);
    va_end(ap);
    rb_error *err = &r->errors[r->nerrors++];
    err->path = rb_arena_strndup(e->arena, path, strlen(path));
    err->code = code;
    err->message = msg;
}

static void add_warning(rb_eval *e, const char *msg)
{
    rb_result *r = &e->res;
    r->warnings = rb_arena_grow(e->arena, r->warnings, r->nwarnings, &e->cap_warnings, sizeof *r->warnings, 4);
    r->warnings[r->nwarnings].code = "warn";
    r->warnings[r->nwarnings].message = rb_arena_strndup(e->arena, msg, strlen(msg));
    r->nwarnings++;
}

/* ---- checking the program once ------------------------------------------ */

#define NEED(cond, ...)                                                              \
    do {                                                                             \
        if (!(cond)) {                                                               \
            snprintf(e->bad, sizeof e->bad, __VA_ARGS__);                            \
            return false;                                                            \
        }                                                                            \
    } while (0)

static bool check_program(rb_eval *e)
{
    const rb_program *p = e->p;
    uint32_t ns = p->nstrings, nn = p->nnumbers;
#define STR(i) ((i) < ns)
#define OSTR(i) ((i) == RB_NONE || (i) < ns)
#define NUM(i) ((i) < nn)
#define ONUM(i) ((i) == RB_NONE || (i) < nn)
    NEED(ns == 0 || (p->string_data && p->string_off && p->string_len), "no string table");
    for (uint32_t i = 0; i < ns; i++)
        NEED((uint64_t)p->string_off[i] + p->string_len[i] <= p->string_bytes, "string %u out of bounds", i);
    for (uint32_t i = 0; i < nn; i++) NEED(p->numbers[i].den > 0, "number %u has a bad denominator", i);
    NEED(STR(p->name) && OSTR(p->period) && OSTR(p->version) && OSTR(p->label), "bad form header");
    NEED(!p->has_items || NUM(p->scale), "bad scale");
    for (uint32_t i = 0; i < p->noptions; i++) {
        const rb_option *o = &p->options[i];
        NEED(STR(o->id) && OSTR(o->label) && ONUM(o->value), "bad option %u", i);
    }
    for (uint32_t i = 0; i < p->nchoicesets; i++) {
        const rb_choiceset *c = &p->choicesets[i];
        NEED(c->count >= 1 && c->count <= 64 && (uint64_t)c->first + c->count <= p->noptions,
             "bad choiceset %u", i);
        for (uint32_t k = 0; c->numeric && k < c->count; k++)
            NEED(p->options[c->first + k].value != RB_NONE, "choiceset %u is not numeric", i);
    }
    for (uint32_t i = 0; i < p->nslots; i++) {
        const rb_slot *s = &p->slots[i];
        NEED(STR(s->name) && OSTR(s->label), "bad slot %u", i);
        if (s->type == RB_T_CHOICE || s->type == RB_T_CHOICES)
            NEED(s->choiceset < p->nchoicesets, "slot %u has no choiceset", i);
    }
    for (uint32_t i = 0; i < p->nraters; i++) {
        const rb_rater *r = &p->raters[i];
        NEED(STR(r->id) && OSTR(r->label) && NUM(r->weight), "bad rater %u", i);
    }
    for (uint32_t i = 0; i < p->nunits; i++) {
        const rb_unit *u = &p->units[i];
        NEED((uint64_t)u->code_start + u->code_len <= p->code_len && OSTR(u->decl), "bad unit %u", i);
        switch (u->kind) {
        case U_VALUE: NEED(u->target < p->nslots, "unit %u: bad slot", i); break;
        case U_ITEM: case U_WHEN: NEED(u->target < p->nitems, "unit %u: bad item", i); break;
        case U_SECTION: NEED(u->target < p->nsections, "unit %u: bad section", i); break;
        case U_CHECK: case U_WARN: NEED(STR(u->target), "unit %u: bad message", i); break;
        case U_TOTAL: case U_GRADE_ON: case U_RESULT: break;
        default: NEED(0, "unit %u: bad kind %u", i, u->kind);
        }
        NEED(u->kind == U_SECTION || u->kind == U_RESULT || u->code_len > 0, "unit %u has no code", i);
    }
    for (uint32_t i = 0; i < p->nitems; i++) {
        const rb_item *it = &p->items[i];
        NEED(it->slot < p->nslots && it->section < p->nsections && NUM(it->points) && ONUM(it->weight),
             "bad item %u", i);
        NEED(it->when_unit == RB_NONE || (it->when_unit < p->nunits && p->units[it->when_unit].kind == U_WHEN),
             "item %u: bad when unit", i);
        NEED(it->input == RB_NONE || (it->input < p->ninputs && p->inputs[it->input].item == i),
             "item %u: bad input", i);
    }
    for (uint32_t i = 0; i < p->ninputs; i++) {
        const rb_input *in = &p->inputs[i];
        NEED(in->slot < p->nslots && ONUM(in->min) && ONUM(in->max) && OSTR(in->unit), "bad input %u", i);
        NEED(in->item == RB_NONE || (in->item < p->nitems && p->items[in->item].input == i), "input %u: bad item", i);
        uint8_t t = p->slots[in->slot].type;
        if (in->def != RB_NONE) {
            if (t == RB_T_TEXT || t == RB_T_DATE) NEED(STR(in->def), "input %u: bad default", i);
            else NEED(NUM(in->def), "input %u: bad default", i);
        }
        if (in->item != RB_NONE) NEED(t == RB_T_NUMBER || t == RB_T_INTEGER || t == RB_T_PERCENT,
                                      "input %u: an item must be a number", i);
    }
    NEED(p->nsections >= 1, "no root section");
    for (uint32_t i = 0; i < p->nsections; i++) {
        const rb_section *s = &p->sections[i];
        NEED(NUM(s->points) && ONUM(s->weight), "bad section %u", i);
        NEED((i == 0) == (s->slot == RB_NONE) && (s->slot == RB_NONE || s->slot < p->nslots), "section %u: bad slot", i);
        NEED((i == 0) == (s->parent == RB_NONE) && (s->parent == RB_NONE || s->parent < p->nsections),
             "section %u: bad parent", i);
        NEED((uint64_t)s->first_child + s->nchildren <= p->nchildren, "section %u: bad children", i);
    }
    for (uint32_t i = 0; i < p->nchildren; i++) {
        const rb_child *c = &p->children[i];
        NEED((c->kind == CHILD_ITEM && c->index < p->nitems) ||
                 (c->kind == CHILD_SECTION && c->index > 0 && c->index < p->nsections),
             "bad child %u", i);
    }
    for (uint32_t i = 0; i < p->nbands; i++) {
        const rb_band *b = &p->bands[i];
        NEED((uint64_t)b->first_arm + b->narms <= p->narms, "bad band %u", i);
    }
    NEED((uint64_t)p->grade.first_arm + p->grade.narms <= p->narms || p->grade.narms == 0, "bad grade");
    for (uint32_t i = 0; i < p->narms; i++) {
        const rb_arm *a = &p->arms[i];
        NEED(a->op <= RB_ARM_ELSE && (a->op == RB_ARM_ELSE || NUM(a->threshold)), "bad arm %u", i);
    }
    for (uint32_t i = 0; i < p->grade.narms; i++) {
        const rb_arm *a = &p->arms[p->grade.first_arm + i];
        NEED(STR(a->id) && OSTR(a->label), "bad grade arm %u", i);
    }
    NEED(p->total_unit == RB_NONE || (p->total_unit < p->nunits && p->units[p->total_unit].kind == U_TOTAL),
         "bad total unit");
    NEED(p->grade_on_unit == RB_NONE ||
             (p->grade_on_unit < p->nunits && p->units[p->grade_on_unit].kind == U_GRADE_ON),
         "bad grade unit");
#undef STR
#undef OSTR
#undef NUM
#undef ONUM
    return true;
}

/* ---- construction ------------------------------------------------------- */

rb_eval *rb_eval_new(const rb_program *p, const rb_eval_options *opt)
{
    rb_eval *e = rb_xcalloc(1, sizeof *e);
    e->p = p;
    if (opt) e->opt = *opt;
    e->arena = rb_arena_new();
    e->digits = p->precision > RB_NUM_MAX_DIGITS ? RB_NUM_MAX_DIGITS : (int)p->precision;
    if (!check_program(e)) return e;

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
    e->slot_input = rb_xmalloc((p->nslots + 1) * sizeof *e->slot_input);
    memset(e->slot_input, 0xff, (p->nslots + 1) * sizeof *e->slot_input);
    for (uint32_t i = 0; i < p->ninputs; i++) e->slot_input[p->inputs[i].slot] = i;

    e->slots = rb_xcalloc(p->nslots + 1, sizeof *e->slots);
    e->items = rb_xcalloc(p->nitems + 1, sizeof *e->items);
    e->sections = rb_xcalloc(p->nsections + 1, sizeof *e->sections);
    e->rater_vals = rb_xcalloc((size_t)p->nitems * p->nraters + 1, sizeof *e->rater_vals);
    e->in_first = rb_xcalloc(p->ninputs + 1, sizeof *e->in_first);
    e->in_count = rb_xcalloc(p->ninputs + 1, sizeof *e->in_count);
    e->pend = rb_xcalloc(p->ninputs + 1, 1);
    e->pend_val = rb_xcalloc(p->ninputs + 1, sizeof *e->pend_val);
    e->busy = rb_xcalloc(p->nsections + 1, 1);
    return e;
}

void rb_eval_free(rb_eval *e)
{
    if (!e) return;
    rb_arena_free(e->arena);
    free(e->hash);
    free(e->slot_input);
    free(e->slots);
    free(e->items);
    free(e->sections);
    free(e->rater_vals);
    free(e->in_first);
    free(e->in_count);
    free(e->pend);
    free(e->pend_val);
    free(e->busy);
    free(e);
}

/* ---- binding: reading record values ------------------------------------- */

static bool is_na(const rb_rv *v)
{
    return v->kind == RV_STRING && v->len == 3 &&
           (memcmp(v->text, "n/a", 3) == 0 || memcmp(v->text, "N/A", 3) == 0);
}

static bool is_nothing(const rb_rv *v)
{
    return !v || v->kind == RV_NULL;
}

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t')) (*n)--;
}

static void type_error(rb_eval *e, const char *path, const rb_rv *v, uint8_t type)
{
    const char *sh = show(e, v);
    switch (type) {
    case RB_T_INTEGER: add_error(e, path, "type", "%s = %s is not an integer", path, sh); break;
    case RB_T_PERCENT:
        add_error(e, path, "type", "%s = %s is not a percentage (write 0.85 or \"85%%\")", path, sh);
        break;
    case RB_T_TEXT: add_error(e, path, "type", "%s = %s is not text (write it as a string)", path, sh); break;
    case RB_T_BOOL: add_error(e, path, "type", "%s = %s is not true or false", path, sh); break;
    case RB_T_DATE:
        add_error(e, path, "type", "%s = %s is not a valid date (YYYY-MM-DD)", path, sh);
        break;
    case RB_T_CHOICE:
        add_error(e, path, "type", "%s = %s is not an option (write its id or label as a string)", path, sh);
        break;
    case RB_T_CHOICES:
        add_error(e, path, "type", "%s = %s is not a list of options (write [\"a\", \"b\"])", path, sh);
        break;
    default: add_error(e, path, "type", "%s = %s is not a number", path, sh); break;
    }
}

/* A number from a record: a JSON number; in a CSV cell, the cell's text;
 * for a percent also "85%" (= 0.85).  Always read from the decimal text. */
static int rv_number(rb_eval *e, const char *path, const rb_rv *v, uint8_t type, rb_num *out)
{
    const char *s;
    size_t n;
    bool pct = false;
    if (v->kind == RV_NUMBER) {
        s = v->text, n = v->len;
    } else if (v->kind == RV_STRING && (e->rec->from_csv || type == RB_T_PERCENT)) {
        s = v->text, n = v->len;
        trim(&s, &n);
        if (type == RB_T_PERCENT && n > 0 && s[n - 1] == '%') {
            pct = true;
            n--;
            trim(&s, &n);
        } else if (!e->rec->from_csv) {
            type_error(e, path, v, type);
            return -1;
        }
    } else {
        type_error(e, path, v, type);
        return -1;
    }
    rb_num x;
    rb_num_status st = rb_num_parse(s, n, &x);
    if (st == RB_NUM_OK && pct) st = rb_num_div(x, rb_num_int(100), &x);
    if (st == RB_NUM_OVERFLOW) {
        add_error(e, path, "type", "%s = %s cannot be represented exactly", path, show(e, v));
        return -1;
    }
    if (st != RB_NUM_OK) {
        type_error(e, path, v, type);
        return -1;
    }
    if (type == RB_T_INTEGER && !rb_num_is_integer(x)) {
        type_error(e, path, v, type);
        return -1;
    }
    *out = x;
    return 0;
}

/* Checks min/max of an input.  `what` is how the value is shown. */
static int check_bounds(rb_eval *e, const rb_input *in, const char *path, const char *shown, rb_num x,
                        bool percent)
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
    char *(*f)(rb_eval *, rb_num) = percent ? fmt_pct : fmt_num;
    if (in->min != RB_NONE && in->max != RB_NONE && in->min_incl && in->max_incl)
        add_error(e, path, "range", "%s is outside %s..%s", shown, f(e, lo), f(e, hi));
    else if (!lo_ok)
        add_error(e, path, "range", "%s must be %s %s", shown, in->min_incl ? ">=" : ">", f(e, lo));
    else
        add_error(e, path, "range", "%s must be %s %s", shown, in->max_incl ? "<=" : "<", f(e, hi));
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
    add_error(e, path, "choice", "%s = \"%.*s%s\" is not an option (options: %s)%s", path, (int)cut, s,
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
    if (e->rec->from_csv) trim(&s, &n);
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
        add_error(e, path, "duplicate", "%s: option \"%s\" is chosen twice", path, rb_str(e->p, o->id));
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
            trim(&t, &n);
            if (n && !choose(e, path, cs, t, n, out)) ok = false;
            if (!semi) break;
            s = semi + 1;
        }
    } else if (v->kind == RV_ARRAY) {
        for (size_t i = 0; i < v->count; i++) {
            const rb_rv *x = &v->items[i];
            if (x->kind != RV_STRING) {
                add_error(e, path, "type", "%s: element %zu = %s is not an option (write its id or label as a string)",
                          path, i + 1, show(e, x));
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
    char *shown = rb_arena_printf(e->arena, "%s: %u option%s chosen,", path, count, count == 1 ? "" : "s");
    if (in->min != RB_NONE && in->max != RB_NONE && in->min_incl && in->max_incl)
        add_error(e, path, "range", "%s outside %s..%s", shown, fmt_num(e, p->numbers[in->min]),
                  fmt_num(e, p->numbers[in->max]));
    else if (!lo_ok)
        add_error(e, path, "range", "%s must be %s %s", shown, in->min_incl ? ">=" : ">",
                  fmt_num(e, p->numbers[in->min]));
    else
        add_error(e, path, "range", "%s must be %s %s", shown, in->max_incl ? "<=" : "<",
                  fmt_num(e, p->numbers[in->max]));
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
    if (in->item != RB_NONE && is_na(v)) return B_NA;
    switch (slot->type) {
    case RB_T_NUMBER: case RB_T_INTEGER: case RB_T_PERCENT: {
        rb_num x;
        if (rv_number(e, path, v, slot->type, &x)) return B_ERR;
        char *shown = rb_arena_printf(e->arena, "%s = %s", path, show(e, v));
        if (check_bounds(e, in, path, shown, x, slot->type == RB_T_PERCENT)) return B_ERR;
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
        if (e->rec->from_csv && v->kind == RV_STRING) {
            const char *s = v->text;
            size_t n = v->len;
            trim(&s, &n);
            if (n == 4 && strncasecmp(s, "true", 4) == 0) {
                out->kind = RB_V_BOOL, out->b = true;
                return B_OK;
            }
            if (n == 5 && strncasecmp(s, "false", 5) == 0) {
                out->kind = RB_V_BOOL, out->b = false;
                return B_OK;
            }
        }
        break;
    case RB_T_DATE: {
        if (v->kind != RV_STRING) break;
        const char *s = v->text;
        size_t n = v->len;
        if (e->rec->from_csv) trim(&s, &n);
        if (!rb_valid_date(s, n)) break;
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
    if (is_na(v)) return B_NA;
    if (v->kind != RV_OBJECT) {
        const char *ex = "";
        for (uint32_t k = 0; k < p->nraters && !*ex; k++)
            if (!rb_num_is_zero(p->numbers[p->raters[k].weight])) ex = rb_str(p, p->raters[k].id);
        add_error(e, name, "type", "%s = %s must give one value per rater, like {\"%s\": …}", name, show(e, v), ex);
        return B_ERR;
    }
    if (it->optional || it->when_unit != RB_NONE) {
        /* An object of nothing but null / "n/a" (a CSV row with the item's
         * rater cells left empty) gives no value: "not applicable" for an
         * optional item, absent for a `when` item — its condition decides. */
        size_t given = 0;
        for (size_t j = 0; j < v->count; j++)
            if (!is_nothing(&v->members[j].value) && !is_na(&v->members[j].value)) given++;
        if (given == 0) return it->optional ? B_NA : B_ABSENT;
    }
    uint32_t before = e->res.nerrors;
    for (uint32_t k = 0; k < p->nraters; k++) {
        const rb_rater *r = &p->raters[k];
        const char *id = rb_str(p, r->id);
        const char *path = rb_arena_printf(e->arena, "%s.%s", name, id);
        const rb_rv *x = NULL;
        unsigned count = 0;
        for (size_t j = 0; j < v->count; j++)
            if (strcmp(v->members[j].key, id) == 0 && count++ == 0) x = &v->members[j].value;
        if (count > 1) {
            add_error(e, path, "duplicate", "%s is given %u times", path, count);
            continue;
        }
        bool informational = rb_num_is_zero(p->numbers[r->weight]);
        if (is_nothing(x) || is_na(x)) {
            if (!informational) {
                if (!x) add_error(e, path, "missing", "%s is required but missing", path);
                else add_error(e, path, "missing", "%s is required but %s", path,
                               x->kind == RV_NULL ? (e->rec->from_csv ? "empty" : "null") : "\"n/a\"");
            }
            continue;
        }
        rb_num val;
        if (rv_number(e, path, x, type, &val)) continue;
        char *shown = rb_arena_printf(e->arena, "%s = %s", path, show(e, x));
        if (check_bounds(e, in, path, shown, val, false)) continue;
        vals[k].kind = RB_V_NUM;
        vals[k].n = val;
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
            add_error(e, path, "unknown", "unknown rater \"%s\" in %s (raters: %s)%s", key, name, list,
                      did_you_mean(e, &sg));
        }
    }
    if (e->res.nerrors != before) return B_ERR;
    rb_num sum = rb_num_zero();
    for (uint32_t k = 0; k < p->nraters; k++) {
        rb_num w = p->numbers[p->raters[k].weight], t;
        if (vals[k].kind != RB_V_NUM || rb_num_is_zero(w)) continue;
        if (rb_num_mul(w, vals[k].n, &t) != RB_NUM_OK || rb_num_add(sum, t, &sum) != RB_NUM_OK) {
            add_error(e, name, "arith", "%s: the weighted sum of the raters' values cannot be represented exactly",
                      name);
            return B_ERR;
        }
    }
    out->kind = RB_V_NUM;
    out->n = sum;
    return B_OK;
}

static void default_value(const rb_program *p, const rb_input *in, rb_value *out)
{
    const rb_slot *s = &p->slots[in->slot];
    memset(out, 0, sizeof *out);
    int64_t k;
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
    case RB_T_CHOICE: case RB_T_CHOICES: {
        /* the default is the option's index within its set (codegen) */
        const rb_choiceset *c = &p->choicesets[s->choiceset];
        if (!rb_num_to_int(p->numbers[in->def], &k) || k < 0 || (uint64_t)k >= c->count) return;
        if (s->type == RB_T_CHOICE) {
            out->kind = RB_V_CHOICE;
            out->opt = c->first + (uint32_t)k;
        } else {
            out->kind = RB_V_SET;
            out->opt = s->choiceset;
            out->bits = (uint64_t)1 << k;
        }
        return;
    }
    default:
        out->kind = RB_V_NUM;
        out->n = p->numbers[in->def];
        return;
    }
}

static void missing(rb_eval *e, const char *path, const rb_rv *v, int outcome)
{
    if (outcome == B_NA)
        add_error(e, path, "missing", "%s is required: \"n/a\" is only allowed for optional items", path);
    else if (!v)
        add_error(e, path, "missing", "%s is required but missing", path);
    else
        add_error(e, path, "missing", "%s is required but %s", path, e->rec->from_csv ? "empty" : "null");
}

static void set_item(rb_eval *e, uint32_t item, const rb_value *v)
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
        if (in->item != RB_NONE) set_item(e, in->item, val);
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
        set_item(e, in->item, NULL);
    } else {
        e->slots[in->slot].kind = RB_V_ABSENT;
    }
}

static const char *computed_what(uint8_t kind)
{
    switch (kind) {
    case SLOT_PARAM: return "a param (set in the template or with -D)";
    case SLOT_ITEM: return "a computed item (its score comes from its formula)";
    case SLOT_DEDUCT: return "a computed deduction (it comes from its formula)";
    case SLOT_SECTION: return "a section (its score is computed from its items)";
    case SLOT_LET: return "a let (computed by the form)";
    case SLOT_OUTPUT: return "an output (computed by the form)";
    default: return "computed by the form";
    }
}

/* Bind step (program.h 1).  Returns false when binding errors stop the
 * record. */
static bool bind(rb_eval *e, const rb_rv *obj)
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
        mslot[j] = lookup_slot(e, m->key, m->keylen);
        uint32_t ii = mslot[j] == RB_NONE ? RB_NONE : e->slot_input[mslot[j]];
        if (ii == RB_NONE) continue;
        if (e->in_count[ii]++ == 0) e->in_first[ii] = (uint32_t)j;
    }
    for (uint32_t ii = 0; ii < p->ninputs; ii++) {
        const rb_input *in = &p->inputs[ii];
        const char *name = slot_name(p, in->slot);
        if (e->in_count[ii] > 1) {
            add_error(e, name, "duplicate", "%s is given %u times", name, e->in_count[ii]);
            e->pend[ii] = B_ERR;
            continue;
        }
        const rb_rv *v = e->in_first[ii] == RB_NONE ? NULL : &obj->members[e->in_first[ii]].value;
        rb_value val;
        int outcome;
        if (in->rated && in->item != RB_NONE && p->nraters > 0)
            outcome = bind_rated(e, in, name, v, &val, &e->rater_vals[(size_t)in->item * p->nraters]);
        else
            outcome = bind_value(e, in, name, v, &val);
        if (in->item != RB_NONE && p->items[in->item].when_unit != RB_NONE) {
            /* applicability is known only once its U_WHEN unit ran */
            e->pend[ii] = (uint8_t)outcome;
            e->pend_val[ii] = val;
            continue;
        }
        settle(e, ii, outcome, &val, v);
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
            add_error(e, key, "unknown", "\"%s\" is %s, not a value a record gives", key,
                      computed_what(p->slots[s].kind));
            continue;
        }
        rb_suggestion sg = rb_suggest_begin(key);
        for (uint32_t ii = 0; ii < p->ninputs; ii++) rb_suggest_try(&sg, slot_name(p, p->inputs[ii].slot));
        if (sg.best)
            add_error(e, key, "unknown", "unknown key \"%s\"%s", key, did_you_mean(e, &sg));
        else
            add_error(e, key, "unknown", "unknown key \"%s\": the form declares no such name", key);
    }
    return e->res.nerrors == 0;
}

/* ---- running units ------------------------------------------------------ */

static const char *unit_decl(const rb_eval *e, uint32_t ui)
{
    const rb_unit *u = &e->p->units[ui];
    return u->decl != RB_NONE ? rb_str(e->p, u->decl) : "unit";
}

/* The path of a runtime error: the name of the unit's declaration. */
static const char *unit_path(const rb_eval *e, uint32_t ui)
{
    const rb_program *p = e->p;
    const rb_unit *u = &p->units[ui];
    switch (u->kind) {
    case U_VALUE: return slot_name(p, u->target);
    case U_ITEM: case U_WHEN: return slot_name(p, p->items[u->target].slot);
    case U_SECTION: return u->target == 0 ? "" : slot_name(p, p->sections[u->target].slot);
    case U_TOTAL: return "total";
    case U_GRADE_ON: return "grade";
    default: return "";
    }
}

static int unit_error(rb_eval *e, uint32_t ui, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int unit_error(rb_eval *e, uint32_t ui, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char what[512];
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    const rb_unit *u = &e->p->units[ui];
    if (u->line)
        add_error(e, unit_path(e, ui), code, "%s (line %u): %s", unit_decl(e, ui), u->line, what);
    else
        add_error(e, unit_path(e, ui), code, "%s: %s", unit_decl(e, ui), what);
    e->stopped = true;
    return -1;
}

static int num_status(rb_eval *e, uint32_t ui, rb_num_status st)
{
    if (st == RB_NUM_OK) return 0;
    if (st == RB_NUM_DIVZERO) return unit_error(e, ui, "arith", "division by zero");
    return unit_error(e, ui, "arith", "the exact result is too large to represent");
}

#define INTERNAL(...) return unit_error(e, ui, "internal", "internal error: " __VA_ARGS__)

static uint32_t rd32(const uint8_t *c)
{
    return (uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24;
}

static int cmp_text(const rb_value *a, const rb_value *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->s, b->s, n);
    if (c) return c < 0 ? -1 : 1;
    return a->len < b->len ? -1 : a->len > b->len;
}

/* Equality of two present values; -1 when they cannot be compared. */
static int values_equal(const rb_program *p, const rb_value *a, const rb_value *b)
{
    if (a->kind == RB_V_ABSENT || b->kind == RB_V_ABSENT) return -1;
    if (a->kind == RB_V_CHOICE && b->kind == RB_V_TEXT) {
        const char *id = rb_str(p, p->options[a->opt].id);
        return strlen(id) == b->len && memcmp(id, b->s, b->len) == 0;
    }
    if (a->kind == RB_V_TEXT && b->kind == RB_V_CHOICE) return values_equal(p, b, a);
    if (a->kind != b->kind) return -1;
    switch (a->kind) {
    case RB_V_NUM: return rb_num_cmp(a->n, b->n) == 0;
    case RB_V_BOOL: return a->b == b->b;
    case RB_V_TEXT: case RB_V_DATE: return cmp_text(a, b) == 0;
    case RB_V_CHOICE: return a->opt == b->opt;
    case RB_V_SET: return a->opt == b->opt && a->bits == b->bits;
    }
    return -1;
}

static rb_num pow10n(int k)
{
    int64_t v = 1;
    while (k-- > 0) v *= 10;
    return rb_num_int(v);
}

/* Runs unit `ui`'s code; the value it returns goes to *out. */
static int run_code(rb_eval *e, uint32_t ui, rb_value *out)
{
    const rb_program *p = e->p;
    const rb_unit *u = &p->units[ui];
    const uint8_t *code = p->code;
    uint32_t start = u->code_start, end = u->code_start + u->code_len;
    uint32_t cap = u->max_stack && u->max_stack < STACK_MAX ? u->max_stack : STACK_MAX;
    rb_value *st = e->stack;
    uint32_t sp = 0, pc = start;
    rb_num_status s;
    for (uint32_t steps = 0;; steps++) {
        if (pc >= end) INTERNAL("code runs past its end");
        if (steps > STEP_LIMIT) INTERNAL("code does not terminate");
        uint8_t op = code[pc];
        if (op >= RB_OP_COUNT) INTERNAL("bad opcode %u at %u", op, pc);
        const rb_opinfo *info = &rb_opinfo_table[op];
        uint32_t arg = 0;
        if (info->operand != OPK_NONE) {
            if (end - pc < 5) INTERNAL("truncated instruction at %u", pc);
            arg = rd32(code + pc + 1);
        }
        pc += rb_op_size((rb_opcode)op);
        uint32_t pops = info->pops < 0 ? arg : (uint32_t)info->pops;
        if (sp < pops) INTERNAL("stack underflow at %s", info->name);
        if (sp - pops + (uint32_t)info->pushes > cap) INTERNAL("stack overflow at %s", info->name);
        rb_value *a = sp >= 1 ? &st[sp - 1] : NULL; /* top */
        rb_value *b = sp >= 2 ? &st[sp - 2] : NULL; /* below top */
#define NEED_KIND(v, k) do { if ((v)->kind != (k)) INTERNAL("%s on a wrong type", info->name); } while (0)
        switch ((rb_opcode)op) {
        case OP_CONST:
            if (arg >= p->nnumbers) INTERNAL("bad constant %u", arg);
            st[sp] = (rb_value){.kind = RB_V_NUM, .n = p->numbers[arg]};
            sp++;
            break;
        case OP_TEXT: case OP_DATE:
            if (arg >= p->nstrings) INTERNAL("bad string %u", arg);
            st[sp] = (rb_value){.kind = op == OP_TEXT ? RB_V_TEXT : RB_V_DATE, .s = rb_str(p, arg),
                                .len = p->string_len[arg]};
            sp++;
            break;
        case OP_TRUE: case OP_FALSE:
            st[sp] = (rb_value){.kind = RB_V_BOOL, .b = op == OP_TRUE};
            sp++;
            break;
        case OP_OPTION:
            if (arg >= p->noptions) INTERNAL("bad option %u", arg);
            st[sp] = (rb_value){.kind = RB_V_CHOICE, .opt = arg};
            sp++;
            break;
        case OP_LOAD: case OP_LOADV:
            if (arg >= p->nslots) INTERNAL("bad slot %u", arg);
            if (op == OP_LOADV && e->slots[arg].kind == RB_V_ABSENT)
                INTERNAL("'%s' has no value", slot_name(p, arg));
            st[sp++] = e->slots[arg];
            break;
        case OP_PRESENT:
            *a = (rb_value){.kind = RB_V_BOOL, .b = a->kind != RB_V_ABSENT};
            break;
        case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV: {
            NEED_KIND(a, RB_V_NUM);
            NEED_KIND(b, RB_V_NUM);
            rb_num r;
            s = op == OP_ADD ? rb_num_add(b->n, a->n, &r)
              : op == OP_SUB ? rb_num_sub(b->n, a->n, &r)
              : op == OP_MUL ? rb_num_mul(b->n, a->n, &r)
                             : rb_num_div(b->n, a->n, &r);
            if (s) return num_status(e, ui, s);
            b->n = r;
            sp--;
            break;
        }
        case OP_NEG:
            NEED_KIND(a, RB_V_NUM);
            a->n = rb_num_neg(a->n);
            break;
        case OP_NOT:
            NEED_KIND(a, RB_V_BOOL);
            a->b = !a->b;
            break;
        case OP_EQ: case OP_NE: {
            int eq = values_equal(p, b, a);
            if (eq < 0) INTERNAL("%s on values of different types", info->name);
            *b = (rb_value){.kind = RB_V_BOOL, .b = op == OP_EQ ? eq : !eq};
            sp--;
            break;
        }
        case OP_LT: case OP_LE: case OP_GT: case OP_GE: {
            int c;
            if (a->kind == RB_V_NUM && b->kind == RB_V_NUM) c = rb_num_cmp(b->n, a->n);
            else if ((a->kind == RB_V_TEXT || a->kind == RB_V_DATE) && a->kind == b->kind) c = cmp_text(b, a);
            else INTERNAL("%s on values that do not compare", info->name);
            bool r = op == OP_LT ? c < 0 : op == OP_LE ? c <= 0 : op == OP_GT ? c > 0 : c >= 0;
            *b = (rb_value){.kind = RB_V_BOOL, .b = r};
            sp--;
            break;
        }
        case OP_JUMP: case OP_JUMPF: case OP_JUMPT:
            if (arg < start || arg >= end) INTERNAL("jump to %u outside its code", arg);
            if (op != OP_JUMP) {
                NEED_KIND(a, RB_V_BOOL);
                sp--;
                if (a->b == (op == OP_JUMPT)) pc = arg;
            } else {
                pc = arg;
            }
            break;
        case OP_MIN: case OP_MAX: case OP_AVG: {
            if (arg == 0) INTERNAL("%s of nothing", info->name);
            rb_value *first = &st[sp - arg];
            rb_num r = first->n;
            for (uint32_t i = 0; i < arg; i++) {
                NEED_KIND(&first[i], RB_V_NUM);
                if (i == 0) continue;
                int c = rb_num_cmp(first[i].n, r);
                if (op == OP_MIN && c < 0) r = first[i].n;
                else if (op == OP_MAX && c > 0) r = first[i].n;
                else if (op == OP_AVG && (s = rb_num_add(r, first[i].n, &r))) return num_status(e, ui, s);
            }
            if (op == OP_AVG && (s = rb_num_div(r, rb_num_int(arg), &r))) return num_status(e, ui, s);
            sp -= arg;
            st[sp++] = (rb_value){.kind = RB_V_NUM, .n = r};
            break;
        }
        case OP_CLAMP: {
            rb_value *x = &st[sp - 3], *lo = b, *hi = a;
            NEED_KIND(x, RB_V_NUM);
            NEED_KIND(lo, RB_V_NUM);
            NEED_KIND(hi, RB_V_NUM);
            if (rb_num_cmp(lo->n, hi->n) > 0)
                return unit_error(e, ui, "arith", "clamp: the lower bound %s is above the upper bound %s",
                                  fmt_num_msg(e, lo->n), fmt_num_msg(e, hi->n));
            if (rb_num_cmp(x->n, lo->n) < 0) x->n = lo->n;
            else if (rb_num_cmp(x->n, hi->n) > 0) x->n = hi->n;
            sp -= 2;
            break;
        }
        case OP_ROUND: {
            NEED_KIND(a, RB_V_NUM);
            NEED_KIND(b, RB_V_NUM);
            int64_t d;
            if (!rb_num_to_int(a->n, &d) || d < -RB_NUM_MAX_DIGITS || d > RB_NUM_MAX_DIGITS)
                return unit_error(e, ui, "arith", "round: the digits must be a whole number from %d to %d, not %s",
                                  -RB_NUM_MAX_DIGITS, RB_NUM_MAX_DIGITS, fmt_num_msg(e, a->n));
            rb_num r;
            if (d >= 0) {
                s = rb_num_round(b->n, (int)d, &r);
            } else { /* round(x, -2): to hundreds */
                rb_num scale = pow10n((int)-d);
                s = rb_num_div(b->n, scale, &r);
                if (!s) s = rb_num_round(r, 0, &r);
                if (!s) s = rb_num_mul(r, scale, &r);
            }
            if (s) return num_status(e, ui, s);
            b->n = r;
            sp--;
            break;
        }
        case OP_FLOOR: case OP_CEIL: {
            NEED_KIND(a, RB_V_NUM);
            rb_num r;
            s = op == OP_FLOOR ? rb_num_floor(a->n, &r) : rb_num_ceil(a->n, &r);
            if (s) return num_status(e, ui, s);
            a->n = r;
            break;
        }
        case OP_ABS:
            NEED_KIND(a, RB_V_NUM);
            a->n = rb_num_abs(a->n);
            break;
        case OP_COUNT: {
            NEED_KIND(a, RB_V_SET);
            int64_t c = 0;
            for (uint64_t bits = a->bits; bits; bits &= bits - 1) c++;
            *a = (rb_value){.kind = RB_V_NUM, .n = rb_num_int(c)};
            break;
        }
        case OP_HAS: {
            NEED_KIND(a, RB_V_SET);
            if (arg >= p->noptions || a->opt >= p->nchoicesets) INTERNAL("bad option %u", arg);
            const rb_choiceset *c = &p->choicesets[a->opt];
            bool has = arg >= c->first && arg - c->first < c->count && (a->bits >> (arg - c->first) & 1);
            *a = (rb_value){.kind = RB_V_BOOL, .b = has};
            break;
        }
        case OP_TONUM: {
            rb_num r = rb_num_zero();
            if (a->kind == RB_V_CHOICE) {
                if (a->opt >= p->noptions || p->options[a->opt].value == RB_NONE)
                    INTERNAL("option without a number");
                r = p->numbers[p->options[a->opt].value];
            } else if (a->kind == RB_V_SET) {
                if (a->opt >= p->nchoicesets) INTERNAL("bad choiceset");
                const rb_choiceset *c = &p->choicesets[a->opt];
                for (uint32_t k = 0; k < c->count; k++) {
                    if (!(a->bits >> k & 1)) continue;
                    uint32_t v = p->options[c->first + k].value;
                    if (v == RB_NONE) INTERNAL("option without a number");
                    if ((s = rb_num_add(r, p->numbers[v], &r))) return num_status(e, ui, s);
                }
            } else if (a->kind != RB_V_NUM) {
                INTERNAL("TONUM on a wrong type");
            } else {
                r = a->n;
            }
            *a = (rb_value){.kind = RB_V_NUM, .n = r};
            break;
        }
        case OP_BAND: {
            NEED_KIND(a, RB_V_NUM);
            if (arg >= p->nbands) INTERNAL("bad band %u", arg);
            const rb_band *bd = &p->bands[arg];
            rb_num x = a->n;
            sp--;
            uint32_t target = RB_NONE;
            for (uint32_t i = 0; i < bd->narms && target == RB_NONE; i++) {
                const rb_arm *arm = &p->arms[bd->first_arm + i];
                int c = arm->op == RB_ARM_ELSE ? 0 : rb_num_cmp(x, p->numbers[arm->threshold]);
                bool holds = arm->op == RB_ARM_ELSE || (arm->op == RB_ARM_LT && c < 0) ||
                             (arm->op == RB_ARM_LE && c <= 0) || (arm->op == RB_ARM_GT && c > 0) ||
                             (arm->op == RB_ARM_GE && c >= 0);
                if (holds) target = arm->target;
            }
            if (target == RB_NONE) INTERNAL("no arm of the band holds for %s", fmt_num_msg(e, x));
            if (target < start || target >= end) INTERNAL("band arm at %u outside its code", target);
            pc = target;
            break;
        }
        case OP_RET:
            *out = *a;
            return 0;
        case RB_OP_COUNT:
            break;
        }
#undef NEED_KIND
    }
}

/* ---- sections (SPEC §5, program.h rb_section) --------------------------- */

static int aggregate(rb_eval *e, uint32_t si, uint32_t ui);

/* Arithmetic inside aggregation; errors name the section's unit (or the
 * section itself when no unit asked for it). */
static int agg_fail(rb_eval *e, uint32_t si, uint32_t ui, rb_num_status st)
{
    if (ui != RB_NONE) return num_status(e, ui, st);
    const rb_program *p = e->p;
    const char *name = si == 0 ? "form" : slot_name(p, p->sections[si].slot);
    add_error(e, si == 0 ? "" : name, "arith", "section %s: %s", name,
              st == RB_NUM_DIVZERO ? "division by zero" : "the exact result is too large to represent");
    e->stopped = true;
    return -1;
}

#define AGG(call)                                                             \
    do {                                                                      \
        rb_num_status st_ = (call);                                           \
        if (st_ != RB_NUM_OK) return agg_fail(e, si, ui, st_);                \
    } while (0)

static int aggregate(rb_eval *e, uint32_t si, uint32_t ui)
{
    const rb_program *p = e->p;
    const rb_section *sec = &p->sections[si];
    rb_result_section *rs = &e->sections[si];
    if (rs->done) return 0;
    if (e->busy[si]) {
        add_error(e, "", "internal", "internal error: section %u contains itself", si);
        e->stopped = true;
        return -1;
    }
    e->busy[si] = 1;
    rb_num sum = rb_num_zero(), afull = rb_num_zero(), aw = rb_num_zero(), ded = rb_num_zero();
    bool any = false, all = true;
    for (uint32_t c = 0; c < sec->nchildren; c++) {
        const rb_child *ch = &p->children[sec->first_child + c];
        rb_num score, full;
        uint32_t w;
        if (ch->kind == CHILD_SECTION) {
            if (!e->sections[ch->index].done && aggregate(e, ch->index, RB_NONE)) return -1;
            const rb_result_section *cs = &e->sections[ch->index];
            if (!cs->applicable) {
                all = false;
                continue;
            }
            score = cs->score;
            full = cs->full; /* its applicable full mark */
            w = p->sections[ch->index].weight;
        } else {
            const rb_item *it = &p->items[ch->index];
            const rb_result_item *ri = &e->items[ch->index];
            if (it->is_deduct) {
                if (ri->applicable && ri->has_score) AGG(rb_num_add(ded, ri->score, &ded));
                continue;
            }
            if (!ri->applicable || !ri->has_score) {
                all = false;
                continue;
            }
            score = ri->score;
            full = p->numbers[it->points];
            w = it->weight;
        }
        any = true;
        if (sec->weighted) {
            rb_num wn = w == RB_NONE ? rb_num_zero() : p->numbers[w], t;
            AGG(rb_num_add(aw, wn, &aw));
            if (rb_num_sign(full) > 0) {
                AGG(rb_num_mul(wn, score, &t));
                AGG(rb_num_div(t, full, &t));
                AGG(rb_num_add(sum, t, &sum));
            }
        } else {
            AGG(rb_num_add(sum, score, &sum));
            AGG(rb_num_add(afull, full, &afull));
        }
    }
    e->busy[si] = 0;
    rs->done = true;
    rs->applicable = any;
    rs->sum = sum;
    rs->applicable_full = afull;
    rs->applicable_weight = aw;
    rs->deducted = ded;
    if (!any) {
        if (sec->slot != RB_NONE) e->slots[sec->slot].kind = RB_V_ABSENT;
        return 0;
    }
    rb_num points = p->numbers[sec->points], raw;
    if (sec->weighted) {
        /* points × Σ wᵢ·scoreᵢ/fullᵢ ÷ Σ wᵢ over what applies (renormalised) */
        if (rb_num_is_zero(aw)) {
            raw = rb_num_zero();
        } else {
            AGG(rb_num_mul(points, sum, &raw));
            AGG(rb_num_div(raw, aw, &raw));
        }
        rs->full = points;
        rs->rescaled = !all;
    } else if (si == 0) {
        /* the unweighted total is rescaled to the scale:
         * scale × Σ scores ÷ Σ applicable full marks */
        rs->full = points;
        if (rb_num_cmp(afull, points) == 0 || rb_num_sign(afull) <= 0) {
            raw = sum;
        } else {
            AGG(rb_num_mul(points, sum, &raw));
            AGG(rb_num_div(raw, afull, &raw));
            rs->rescaled = true;
        }
    } else {
        /* an item that does not apply leaves its section's full mark */
        raw = sum;
        rs->full = all ? points : afull;
    }
    rs->raw = raw;
    rb_num score;
    AGG(rb_num_sub(raw, ded, &score));
    rs->floored = rb_num_sign(score) < 0;
    if (rs->floored) score = rb_num_zero();
    rs->score = score;
    if (sec->slot != RB_NONE) e->slots[sec->slot] = (rb_value){.kind = RB_V_NUM, .n = score};
    return 0;
}

/* U_WHEN gave `applies` for item `ii`: settle a directly-rated item's
 * deferred value.  False: the record stops (not-applicable / missing). */
static bool apply_when(rb_eval *e, uint32_t item, bool applies)
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
    if (outcome == B_ERR) { /* cannot happen: binding errors stop earlier */
        e->stopped = true;
        return false;
    }
    if (!applies) {
        if (outcome == B_OK) {
            add_error(e, name, "not-applicable",
                      "%s does not apply to this record (its `when` condition is false) but has a value", name);
            e->stopped = true;
            return false;
        }
        set_item(e, item, NULL);
        return true;
    }
    if (outcome == B_OK) {
        set_item(e, item, &e->pend_val[ii]);
        return true;
    }
    if (!it->optional) {
        if (outcome == B_NA)
            add_error(e, name, "missing", "%s is required here (its `when` condition holds): \"n/a\" is not allowed",
                      name);
        else
            add_error(e, name, "missing", "%s is required here (its `when` condition holds) but missing", name);
        e->stopped = true;
        return false;
    }
    set_item(e, item, NULL);
    return true;
}

static void total_and_grade(rb_eval *e);
static void result_slots(rb_eval *e);

static void run_units(rb_eval *e)
{
    const rb_program *p = e->p;
    for (uint32_t ui = 0; ui < p->nunits && !e->stopped; ui++) {
        const rb_unit *u = &p->units[ui];
        rb_value v;
        switch (u->kind) {
        case U_SECTION:
            aggregate(e, u->target, ui);
            continue;
        case U_RESULT:
            /* the total and grade now, for the units that read them */
            total_and_grade(e);
            e->result_done = true;
            if (e->stopped) return;
            result_slots(e);
            continue;
        case U_ITEM: {
            const rb_item *it = &p->items[u->target];
            if (it->when_unit != RB_NONE && !e->items[u->target].applicable) continue;
            if (run_code(e, ui, &v)) return;
            if (v.kind == RB_V_ABSENT) {
                set_item(e, u->target, NULL);
                continue;
            }
            if (v.kind != RB_V_NUM) {
                unit_error(e, ui, "internal", "internal error: the item's value is not a number");
                return;
            }
            rb_num pts = p->numbers[it->points];
            if (rb_num_sign(v.n) < 0 || rb_num_cmp(v.n, pts) > 0) {
                add_error(e, slot_name(p, it->slot), "item-range", "%s = %s is outside 0..%s",
                          u->line ? rb_arena_printf(e->arena, "%s (line %u)", unit_decl(e, ui), u->line)
                                  : unit_decl(e, ui),
                          fmt_num_msg(e, v.n), fmt_num(e, pts));
                e->stopped = true;
                return;
            }
            set_item(e, u->target, &v);
            continue;
        }
        default:
            break;
        }
        if (run_code(e, ui, &v)) return;
        switch (u->kind) {
        case U_VALUE:
            e->slots[u->target] = v;
            break;
        case U_WHEN:
            if (v.kind != RB_V_BOOL) {
                unit_error(e, ui, "internal", "internal error: `when` is not a bool");
                return;
            }
            if (!apply_when(e, u->target, v.b)) return;
            break;
        case U_CHECK: case U_WARN:
            if (v.kind != RB_V_BOOL) {
                unit_error(e, ui, "internal", "internal error: the condition is not a bool");
                return;
            }
            if (v.b) break;
            if (u->kind == U_CHECK) add_error(e, "", "check", "%s", rb_str(p, u->target));
            else add_warning(e, rb_str(p, u->target));
            break;
        case U_TOTAL:
            e->total_val = v;
            e->have_total = true;
            break;
        case U_GRADE_ON:
            e->grade_val = v;
            e->have_grade_on = true;
            break;
        default:
            break;
        }
    }
}

/* ---- total and grade ---------------------------------------------------- */

static bool arm_holds(const rb_program *p, const rb_arm *a, rb_num x)
{
    if (a->op == RB_ARM_ELSE) return true;
    int c = rb_num_cmp(x, p->numbers[a->threshold]);
    switch (a->op) {
    case RB_ARM_LT: return c < 0;
    case RB_ARM_LE: return c <= 0;
    case RB_ARM_GT: return c > 0;
    case RB_ARM_GE: return c >= 0;
    }
    return false;
}

static void total_and_grade(rb_eval *e)
{
    const rb_program *p = e->p;
    rb_result *r = &e->res;
    if (!p->has_items) return;
    r->has_scale = true;
    r->scale = p->numbers[p->scale];
    if (!e->sections[0].done && aggregate(e, 0, RB_NONE)) return;
    rb_num t;
    if (p->total_unit != RB_NONE) {
        if (!e->have_total || e->total_val.kind != RB_V_NUM) {
            add_warning(e, "`total` has no value for this record: no total");
            return;
        }
        t = e->total_val.n;
        r->total_from_expr = true;
    } else if (e->sections[0].applicable) {
        t = e->sections[0].score;
    } else {
        add_warning(e, "nothing in this record applies: no total");
        return;
    }
    if (r->total_from_expr && (rb_num_sign(t) < 0 || rb_num_cmp(t, r->scale) > 0)) {
        /* like a computed item: a total beyond its full mark is a formula bug */
        const rb_unit *u = &p->units[p->total_unit];
        const char *decl = unit_decl(e, p->total_unit);
        add_error(e, "total", "item-range", "%s = %s is outside 0..%s",
                  u->line ? rb_arena_printf(e->arena, "%s (line %u)", decl, u->line) : decl, fmt_num_msg(e, t),
                  fmt_num(e, r->scale));
        e->stopped = true;
        return;
    }
    r->total_exact = t;
    if (rb_num_round(t, e->digits, &r->total) != RB_NUM_OK) {
        add_error(e, "total", "arith", "total: rounding %s to %d digits is not representable", fmt_num_msg(e, t),
                  e->digits);
        e->stopped = true;
        return;
    }
    r->has_total = true;
    if (p->grade.narms == 0) return;
    rb_num g;
    if (p->grade_on_unit != RB_NONE) {
        if (!e->have_grade_on || e->grade_val.kind != RB_V_NUM) return;
        /* graded rounded to precision, like the total: what could be
         * printed is what is graded */
        if (rb_num_round(e->grade_val.n, e->digits, &g) != RB_NUM_OK) g = e->grade_val.n;
        r->grade_on_expr = true;
    } else {
        g = r->total;
    }
    for (uint32_t i = 0; i < p->grade.narms; i++) {
        const rb_arm *a = &p->arms[p->grade.first_arm + i];
        if (!arm_holds(p, a, g)) continue;
        r->has_grade = true;
        r->grade_id = rb_str(p, a->id);
        r->grade_label = str_or_null(p, a->label);
        r->grade_arm = p->grade.first_arm + i;
        r->grade_value = g;
        return;
    }
}

/* Fills the slots that `total` and `grade` denote in expressions (absent
 * when the record has no total, or no grade). */
static void result_slots(rb_eval *e)
{
    const rb_program *p = e->p;
    const rb_result *r = &e->res;
    for (uint32_t s = 0; s < p->nslots; s++) {
        rb_value *v = &e->slots[s];
        if (p->slots[s].kind == SLOT_TOTAL) {
            *v = r->has_total ? (rb_value){.kind = RB_V_NUM, .n = r->total} : (rb_value){.kind = RB_V_ABSENT};
        } else if (p->slots[s].kind == SLOT_GRADE) {
            uint32_t cs = p->slots[s].choiceset;
            *v = r->has_grade && cs < p->nchoicesets
                     ? (rb_value){.kind = RB_V_CHOICE,
                                  .opt = p->choicesets[cs].first + (r->grade_arm - p->grade.first_arm)}
                     : (rb_value){.kind = RB_V_ABSENT};
        }
    }
}

/* ---- the result --------------------------------------------------------- */

static void collect(rb_eval *e, uint8_t kind, rb_named_value **list, uint32_t *n)
{
    const rb_program *p = e->p;
    uint32_t count = 0;
    for (uint32_t s = 0; s < p->nslots; s++)
        if (p->slots[s].kind == kind && e->slots[s].kind != RB_V_ABSENT) count++;
    *n = 0;
    *list = NULL;
    if (!count) return;
    *list = rb_arena_alloc(e->arena, count * sizeof **list);
    for (uint32_t s = 0; s < p->nslots; s++) {
        if (p->slots[s].kind != kind || e->slots[s].kind == RB_V_ABSENT) continue;
        rb_named_value *nv = &(*list)[(*n)++];
        nv->slot = s;
        nv->name = slot_name(p, s);
        nv->label = str_or_null(p, p->slots[s].label);
        nv->value = e->slots[s];
    }
}

static void reset(rb_eval *e, const rb_record *rec)
{
    const rb_program *p = e->p;
    rb_arena_reset(e->arena);
    e->rec = rec;
    e->stopped = false;
    e->have_total = e->have_grade_on = e->result_done = false;
    e->cap_errors = e->cap_warnings = 0;
    memset(&e->res, 0, sizeof e->res);
    if (e->bad[0]) return;
    memset(e->slots, 0, p->nslots * sizeof *e->slots);
    memset(e->sections, 0, p->nsections * sizeof *e->sections);
    memset(e->busy, 0, p->nsections);
    memset(e->rater_vals, 0, (size_t)p->nitems * p->nraters * sizeof *e->rater_vals);
    memset(e->pend, 0, p->ninputs);
    for (uint32_t i = 0; i < p->nitems; i++) {
        const rb_item *it = &p->items[i];
        rb_result_item *ri = &e->items[i];
        memset(ri, 0, sizeof *ri);
        /* computed items apply unless their `when` says otherwise; rated
         * ones until binding says they are absent */
        ri->applicable = it->when_unit == RB_NONE;
        if (it->input != RB_NONE && p->inputs[it->input].rated && p->nraters)
            ri->raters = &e->rater_vals[(size_t)i * p->nraters];
    }
}

const rb_result *rb_eval_record(rb_eval *e, const rb_record *rec)
{
    const rb_program *p = e->p;
    reset(e, rec);
    rb_result *r = &e->res;
    r->record = rec->number;
    r->source = rec->source;
    r->line = rec->line;
    r->form = p->nstrings > p->name ? rb_str(p, p->name) : "";
    r->period = e->bad[0] ? NULL : str_or_null(p, p->period);
    r->version = e->bad[0] ? NULL : str_or_null(p, p->version);
    r->digest = p->digest;
    if (e->bad[0]) {
        add_error(e, "", "internal", "internal error: the program is damaged: %s", e->bad);
        return r;
    }
    r->items = e->items;
    r->nitems = p->nitems;
    r->sections = e->sections;
    r->nsections = p->nsections;

    if (rec->syntax_error || rec->value.kind != RV_OBJECT) {
        add_error(e, "", "syntax", "%s", rec->syntax_error ? rec->syntax_error : "a record must be a JSON object");
    } else if (bind(e, &rec->value)) {
        run_units(e);
        if (!e->stopped) {
            if (!e->result_done) total_and_grade(e);
            r->scored = !e->stopped;
        }
    }
    collect(e, SLOT_FIELD, &r->fields, &r->nfields);
    if (r->scored) {
        collect(e, SLOT_INPUT, &r->inputs, &r->ninputs);
        collect(e, SLOT_PARAM, &r->params, &r->nparams);
        collect(e, SLOT_LET, &r->lets, &r->nlets);
        collect(e, SLOT_OUTPUT, &r->outputs, &r->noutputs);
    }
    r->ok = r->nerrors == 0;
    if (!r->ok) {
        r->has_total = r->has_grade = false;
    }
    return r;
}
