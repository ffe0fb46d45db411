/* vm.c — runs a verified program over one record: owns the evaluator
 * (rb_eval_new/free), runs the units in order and interprets their
 * bytecode, and assembles the result.  Binding the record's values is
 * bind.c, section aggregation, total and grade (SPEC §5) are score.c;
 * evaluator.h has the state they share.
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
#include "evaluator.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "opcodes.h"

/* Bytecode has no loops (jumps are forward), so a unit executes each
 * instruction at most once; the limit only stops a hostile program. */
#define STEP_LIMIT (1u << 24)

/* ---- numbers in messages ------------------------------------------------ */

char *rb_eval_num_text(rb_eval *e, rb_num n)
{
    char buf[64];
    rb_num_format_exact(n, buf, sizeof buf);
    return rb_arena_strndup(e->arena, buf, strlen(buf));
}

/* A number for a message: exact when it is a finite decimal, else rounded
 * to the form's precision and marked as approximate. */
char *rb_eval_num_msg(rb_eval *e, rb_num n)
{
    char buf[64];
    rb_num_format_exact(n, buf, sizeof buf);
    if (!strchr(buf, '/')) return rb_arena_strndup(e->arena, buf, strlen(buf));
    rb_num_format(n, e->digits, buf, sizeof buf);
    return rb_arena_printf(e->arena, "≈%s", buf);
}

char *rb_eval_pct_text(rb_eval *e, rb_num n)
{
    rb_num h;
    if (rb_num_mul(n, rb_num_int(100), &h) != RB_NUM_OK) return rb_eval_num_text(e, n);
    return rb_arena_printf(e->arena, "%s%%", rb_eval_num_text(e, h));
}

/* ---- errors and warnings ------------------------------------------------ */

void rb_eval_error(rb_eval *e, const char *path, const char *code, const char *fmt, ...)
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

void rb_eval_warning(rb_eval *e, const char *msg)
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

    rb_bind_index(e);
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

/* ---- running units ------------------------------------------------------ */

const char *rb_eval_unit_decl(const rb_eval *e, uint32_t ui)
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
        rb_eval_error(e, unit_path(e, ui), code, "%s (line %u): %s", rb_eval_unit_decl(e, ui), u->line, what);
    else
        rb_eval_error(e, unit_path(e, ui), code, "%s: %s", rb_eval_unit_decl(e, ui), what);
    e->stopped = true;
    return -1;
}

int rb_eval_num_status(rb_eval *e, uint32_t ui, rb_num_status st)
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
    uint32_t cap = u->max_stack && u->max_stack < RB_EVAL_STACK_MAX ? u->max_stack : RB_EVAL_STACK_MAX;
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
            if (s) return rb_eval_num_status(e, ui, s);
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
                else if (op == OP_AVG && (s = rb_num_add(r, first[i].n, &r))) return rb_eval_num_status(e, ui, s);
            }
            if (op == OP_AVG && (s = rb_num_div(r, rb_num_int(arg), &r))) return rb_eval_num_status(e, ui, s);
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
                                  rb_eval_num_msg(e, lo->n), rb_eval_num_msg(e, hi->n));
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
                                  -RB_NUM_MAX_DIGITS, RB_NUM_MAX_DIGITS, rb_eval_num_msg(e, a->n));
            rb_num r;
            if (d >= 0) {
                s = rb_num_round(b->n, (int)d, &r);
            } else { /* round(x, -2): to hundreds */
                rb_num scale = pow10n((int)-d);
                s = rb_num_div(b->n, scale, &r);
                if (!s) s = rb_num_round(r, 0, &r);
                if (!s) s = rb_num_mul(r, scale, &r);
            }
            if (s) return rb_eval_num_status(e, ui, s);
            b->n = r;
            sp--;
            break;
        }
        case OP_FLOOR: case OP_CEIL: {
            NEED_KIND(a, RB_V_NUM);
            rb_num r;
            s = op == OP_FLOOR ? rb_num_floor(a->n, &r) : rb_num_ceil(a->n, &r);
            if (s) return rb_eval_num_status(e, ui, s);
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
                    if ((s = rb_num_add(r, p->numbers[v], &r))) return rb_eval_num_status(e, ui, s);
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
            if (target == RB_NONE) INTERNAL("no arm of the band holds for %s", rb_eval_num_msg(e, x));
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

static void run_units(rb_eval *e)
{
    const rb_program *p = e->p;
    for (uint32_t ui = 0; ui < p->nunits && !e->stopped; ui++) {
        const rb_unit *u = &p->units[ui];
        rb_value v;
        switch (u->kind) {
        case U_SECTION:
            rb_score_section(e, u->target, ui);
            continue;
        case U_RESULT:
            /* the total and grade now, for the units that read them */
            rb_score_total(e);
            e->result_done = true;
            if (e->stopped) return;
            rb_score_result_slots(e);
            continue;
        case U_ITEM: {
            const rb_item *it = &p->items[u->target];
            if (it->when_unit != RB_NONE && !e->items[u->target].applicable) continue;
            if (run_code(e, ui, &v)) return;
            if (v.kind == RB_V_ABSENT) {
                rb_bind_item(e, u->target, NULL);
                continue;
            }
            if (v.kind != RB_V_NUM) {
                unit_error(e, ui, "internal", "internal error: the item's value is not a number");
                return;
            }
            rb_num pts = p->numbers[it->points];
            if (rb_num_sign(v.n) < 0 || rb_num_cmp(v.n, pts) > 0) {
                rb_eval_error(e, slot_name(p, it->slot), "item-range", "%s = %s is outside 0..%s",
                              u->line ? rb_arena_printf(e->arena, "%s (line %u)", rb_eval_unit_decl(e, ui), u->line)
                              : rb_eval_unit_decl(e, ui),
                              rb_eval_num_msg(e, v.n), rb_eval_num_text(e, pts));
                e->stopped = true;
                return;
            }
            rb_bind_item(e, u->target, &v);
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
            if (!rb_bind_when(e, u->target, v.b)) return;
            break;
        case U_CHECK: case U_WARN:
            if (v.kind != RB_V_BOOL) {
                unit_error(e, ui, "internal", "internal error: the condition is not a bool");
                return;
            }
            if (v.b) break;
            if (u->kind == U_CHECK) rb_eval_error(e, "", "check", "%s", rb_str(p, u->target));
            else rb_eval_warning(e, rb_str(p, u->target));
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
        rb_eval_error(e, "", "internal", "internal error: the program is damaged: %s", e->bad);
        return r;
    }
    r->items = e->items;
    r->nitems = p->nitems;
    r->sections = e->sections;
    r->nsections = p->nsections;

    if (rec->syntax_error || rec->value.kind != RV_OBJECT) {
        rb_eval_error(e, "", "syntax", "%s", rec->syntax_error ? rec->syntax_error : "a record must be a JSON object");
    } else if (rb_bind_record(e, &rec->value)) {
        run_units(e);
        if (!e->stopped) {
            if (!e->result_done) rb_score_total(e);
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

