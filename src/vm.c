/* vm.c — runs a verified program over one record: owns the evaluator
 * (rb_eval_new/free), runs the units in order and interprets their
 * bytecode, and assembles the result.  Binding the record's values is
 * bind.c, section aggregation, total and grade (SPEC §5) are score.c;
 * evaluator.h has the state they share.
 *
 * Evaluation order and the meaning of every table are in program.h; the
 * error codes, paths and messages are SPEC §8 and docs/results.md.
 *
 * Safety contract (docs/decisions.md): the verifier (verify.c) proves,
 * once per program, everything the evaluator relies on, and rb_eval_new
 * takes only programs that carry its proof (rb_program_verified).  The
 * evaluator therefore indexes tables, reads operands and pops the stack
 * without checking; each invariant it relies on is stated once, where it
 * is used, and `assert`ed (asserts stay on in every build).  In the
 * interpreter, for the unit being run:
 *   - every instruction lies inside the unit's code, its opcode is known
 *     and its operand is in range for its table (verify.c pass 1);
 *   - jumps and band arms go strictly forward to an instruction of the
 *     same unit, and the last instruction is RET: the loop ends;
 *   - the stack never underflows and never exceeds units[].max_stack ≤
 *     RB_MAX_STACK cells, and every value popped has the type the
 *     instruction expects (pass 2, the abstract interpretation): a maybe
 *     slot's value reaches nothing but PRESENT and RET, and LOADV reads a
 *     maybe slot only where PRESENT proved it present;
 *   - some arm of every band holds (arms cover every number);
 *   - a unit returns its kind's type (a number for items and the total, a
 *     bool for checks, warns and whens).
 * Only the record can still make a unit fail: arithmetic ("arith") and a
 * computed item outside its points ("item-range").
 *
 * Memory: fixed per-program arrays (slots, per-item and per-section
 * results) are allocated once; everything whose size depends on the record
 * (messages, copied text, lists) comes from one arena that is reset per
 * record, so a stream of any length runs in constant memory. */
#include "evaluator.h"

#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cell.h"
#include "history.h"
#include "opcodes.h"

/* ---- numbers in messages ------------------------------------------------ */

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

/* ---- errors and warnings ------------------------------------------------ */

void rb_eval_error(rb_eval *e, const char *path, const char *code, const char *fmt, ...)
{
    rb_result *r = &e->res;
    fmt = rb_tr(e->opt.lang, fmt);
    r->errors = rb_arena_grow(e->arena, r->errors, r->nerrors, &e->cap_errors, sizeof *r->errors, 8);
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = rb_arena_alloc(e->arena, (size_t)(len < 0 ? 0 : len) + 1);
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)(len < 0 ? 0 : len) + 1, fmt, ap);
    va_end(ap);
    /* a workbook's value is named by its cell, so that a person finds it
     * (SPEC §16); e->rec->line is the sheet's row there */
    const rb_cells *cells = e->rec ? e->rec->cells : NULL;
    long col = cells && *path ? rb_cells_column(cells, path) : -1;
    if (col >= 0) {
        char cell[32];
        rb_cell_name((uint32_t)col, e->rec->line, cell);
        msg = rb_arena_printf(e->arena, rb_tr(e->opt.lang, "sheet %s, cell %s: %s"), cells->sheet, cell, msg);
    }
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

/* ---- construction ------------------------------------------------------- */

/* Fills by_kind and kind_first (a counting sort of the slots by kind). */
static void index_kinds(rb_eval *e)
{
    const rb_program *p = e->p;
    uint32_t *first = e->kind_first;
    for (uint32_t s = 0; s < p->nslots; s++) {
        assert(p->slots[s].kind <= SLOT_HISTORY); /* verify.c: a known kind */
        first[p->slots[s].kind + 1]++;
    }
    for (uint32_t k = 1; k <= SLOT_HISTORY + 1; k++) first[k] += first[k - 1];
    e->by_kind = rb_xmalloc(((size_t)p->nslots + 1) * sizeof *e->by_kind);
    uint32_t fill[SLOT_HISTORY + 1];
    memcpy(fill, first, sizeof fill);
    for (uint32_t s = 0; s < p->nslots; s++) e->by_kind[fill[p->slots[s].kind]++] = s;
}

rb_eval *rb_eval_new(const rb_program *p, const rb_eval_options *opt)
{
    if (!rb_program_verified(p)) return NULL; /* the safety contract: see the top */
    rb_eval *e = rb_xcalloc(1, sizeof *e);
    e->p = p;
    if (opt) e->opt = *opt;
    e->arena = rb_arena_new();
    assert(p->precision <= RB_NUM_MAX_DIGITS); /* verify.c check_header */
    e->digits = (int)p->precision;

    rb_bind_index(e);
    index_kinds(e);
    rb_score_index(e);
    e->slots = rb_xcalloc(p->nslots + 1, sizeof *e->slots);
    e->items = rb_xcalloc(p->nitems + 1, sizeof *e->items);
    e->sections = rb_xcalloc(p->nsections + 1, sizeof *e->sections);
    e->rater_vals = rb_xcalloc((size_t)p->nitems * p->nraters + 1, sizeof *e->rater_vals);
    e->in_first = rb_xcalloc(p->ninputs + 1, sizeof *e->in_first);
    e->in_count = rb_xcalloc(p->ninputs + 1, sizeof *e->in_count);
    e->pend = rb_xcalloc(p->ninputs + 1, 1);
    e->pend_val = rb_xcalloc(p->ninputs + 1, sizeof *e->pend_val);
    return e;
}

void rb_eval_free(rb_eval *e)
{
    if (!e) return;
    rb_arena_free(e->arena);
    rb_free(e->hash);
    rb_free(e->by_kind);
    rb_free(e->key_after);
    rb_free(e->child_ratio);
    rb_free(e->child_ratio_ok);
    rb_free(e->weight_sum);
    rb_free(e->weight_sum_ok);
    rb_free(e->slot_input);
    rb_free(e->rater_reads);
    rb_free(e->slots);
    rb_free(e->items);
    rb_free(e->sections);
    rb_free(e->rater_vals);
    rb_free(e->in_first);
    rb_free(e->in_count);
    rb_free(e->pend);
    rb_free(e->pend_val);
    rb_free(e);
}

/* ---- running units ------------------------------------------------------ */

const char *rb_eval_unit_decl(const rb_eval *e, uint32_t ui)
{
    return rb_str(e->p, e->p->units[ui].decl);
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
    case U_STREAK: case U_PREVIOUS: return slot_name(p, u->target);
    default: return "";
    }
}

/* The declaration as a message names it: "item bonus" in English, the
 * value's label in Chinese (what the template's reader knows it by). */
static const char *decl_shown(rb_eval *e, uint32_t ui)
{
    const char *path = unit_path(e, ui);
    return e->opt.lang != RB_LANG_EN && *path ? rb_eval_shown(e, path) : rb_eval_unit_decl(e, ui);
}

const char *rb_eval_decl_at(rb_eval *e, uint32_t ui)
{
    const char *decl = decl_shown(e, ui);
    uint32_t line = e->p->units[ui].line;
    return line ? rb_arena_printf(e->arena, rb_tr(e->opt.lang, N_("%s (line %u)")), decl, line) : decl;
}

static int unit_error(rb_eval *e, uint32_t ui, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int unit_error(rb_eval *e, uint32_t ui, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char what[512];
    vsnprintf(what, sizeof what, rb_tr(e->opt.lang, fmt), ap);
    va_end(ap);
    const rb_unit *u = &e->p->units[ui];
    const char *decl = decl_shown(e, ui);
    if (u->line)
        rb_eval_error(e, unit_path(e, ui), code, "%s (line %u): %s", decl, u->line, what);
    else
        rb_eval_error(e, unit_path(e, ui), code, "%s: %s", decl, what);
    e->failed = true; /* the record is invalid; run_units goes on where it can */
    return -1;
}

int rb_eval_num_status(rb_eval *e, uint32_t ui, rb_num_status st)
{
    if (st == RB_NUM_OK) return 0;
    if (st == RB_NUM_DIVZERO) return unit_error(e, ui, "arith", "division by zero");
    return unit_error(e, ui, "arith", "the exact result is too large to represent");
}

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

/* Which opcodes carry a 4-byte operand (rb_op_size 5), as a table the
 * interpreter reads without a second lookup. */
static const bool op_has_operand[RB_OP_COUNT] = {
#define RB_OP_HAS(name, opk, pops, pushes, doc) opk != OPK_NONE,
    RB_OPCODES(RB_OP_HAS)
#undef RB_OP_HAS
};

/* Runs unit `ui`'s code; the value it returns goes to *out.  Every assert
 * below restates a fact the verifier proved (see the top of this file). */
static int run_code(rb_eval *e, uint32_t ui, rb_value *out)
{
    const rb_program *p = e->p;
    const rb_unit *u = &p->units[ui];
    const uint8_t *code = p->code;
    uint32_t start = u->code_start, end = u->code_start + u->code_len;
    rb_value *st = e->stack + 2;
    uint32_t sp = 0, pc = start;
    rb_num_status s;
    /* Bounds of the stack, checked once per instruction: st has two cells
     * before the stack proper (so the top and below-top pointers stay in
     * the array on a short stack) and one after it (so one push from a full
     * stack stays in the array and the next check fails). */
    assert(u->max_stack <= RB_MAX_STACK);
    for (;;) {
        /* pc ≥ start: jumps only go forward (asserted where they jump) */
        assert(pc < end && sp <= u->max_stack);
        uint8_t op = code[pc];
        assert(op < RB_OP_COUNT);
        uint32_t arg = 0, at = pc;
        if (op_has_operand[op]) {
            assert(end - pc >= 5);
            arg = rd32(code + pc + 1);
            pc += 5;
        } else {
            pc++;
        }
        rb_value *a = st + sp - 1, *b = st + sp - 2; /* top, below top */
        switch ((rb_opcode)op) {
        case OP_CONST:
            assert(arg < p->nnumbers);
            st[sp] = (rb_value){.kind = RB_V_NUM, .n = p->numbers[arg]};
            sp++;
            break;
        case OP_TEXT: case OP_DATE:
            assert(arg < p->nstrings);
            st[sp] = (rb_value){.kind = op == OP_TEXT ? RB_V_TEXT : RB_V_DATE, .s = rb_str(p, arg),
                                .len = p->string_len[arg]};
            sp++;
            break;
        case OP_TRUE: case OP_FALSE:
            st[sp] = (rb_value){.kind = RB_V_BOOL, .b = op == OP_TRUE};
            sp++;
            break;
        case OP_OPTION:
            assert(arg < p->noptions);
            st[sp] = (rb_value){.kind = RB_V_CHOICE, .opt = arg};
            sp++;
            break;
        case OP_LOAD: case OP_LOADV:
            assert(arg < p->nslots);
            assert(op == OP_LOAD || e->slots[arg].kind != RB_V_ABSENT);
            st[sp++] = e->slots[arg];
            break;
        case OP_PRESENT:
            *a = (rb_value){.kind = RB_V_BOOL, .b = a->kind != RB_V_ABSENT};
            break;
        case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV: {
            assert(a->kind == RB_V_NUM && b->kind == RB_V_NUM);
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
            assert(a->kind == RB_V_NUM);
            a->n = rb_num_neg(a->n);
            break;
        case OP_NOT:
            assert(a->kind == RB_V_BOOL);
            a->b = !a->b;
            break;
        case OP_EQ: case OP_NE: {
            int eq = values_equal(p, b, a);
            assert(eq >= 0); /* two present values of one type */
            *b = (rb_value){.kind = RB_V_BOOL, .b = op == OP_EQ ? eq : !eq};
            sp--;
            break;
        }
        case OP_LT: case OP_LE: case OP_GT: case OP_GE: {
            assert(a->kind == b->kind && (a->kind == RB_V_NUM || a->kind == RB_V_TEXT || a->kind == RB_V_DATE));
            int c = a->kind == RB_V_NUM ? rb_num_cmp(b->n, a->n) : cmp_text(b, a);
            bool r = op == OP_LT ? c < 0 : op == OP_LE ? c <= 0 : op == OP_GT ? c > 0 : c >= 0;
            *b = (rb_value){.kind = RB_V_BOOL, .b = r};
            sp--;
            break;
        }
        case OP_JUMP: case OP_JUMPF: case OP_JUMPT:
            assert(arg > at && arg < end);
            if (op != OP_JUMP) {
                assert(a->kind == RB_V_BOOL);
                sp--;
                if (a->b == (op == OP_JUMPT)) pc = arg;
            } else {
                pc = arg;
            }
            break;
        case OP_MIN: case OP_MAX: case OP_AVG: {
            assert(arg >= 1 && arg <= sp);
            rb_value *first = &st[sp - arg];
            rb_num r = first->n;
            for (uint32_t i = 0; i < arg; i++) {
                assert(first[i].kind == RB_V_NUM);
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
            assert(sp >= 3);
            rb_value *x = &st[sp - 3], *lo = b, *hi = a;
            assert(x->kind == RB_V_NUM && lo->kind == RB_V_NUM && hi->kind == RB_V_NUM);
            if (rb_num_cmp(lo->n, hi->n) > 0)
                return unit_error(e, ui, "arith", "clamp: the lower bound %s is above the upper bound %s",
                                  rb_eval_num_msg(e, lo->n), rb_eval_num_msg(e, hi->n));
            if (rb_num_cmp(x->n, lo->n) < 0) x->n = lo->n;
            else if (rb_num_cmp(x->n, hi->n) > 0) x->n = hi->n;
            sp -= 2;
            break;
        }
        case OP_ROUND: {
            assert(a->kind == RB_V_NUM && b->kind == RB_V_NUM);
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
            assert(a->kind == RB_V_NUM);
            rb_num r;
            s = op == OP_FLOOR ? rb_num_floor(a->n, &r) : rb_num_ceil(a->n, &r);
            if (s) return rb_eval_num_status(e, ui, s);
            a->n = r;
            break;
        }
        case OP_ABS:
            assert(a->kind == RB_V_NUM);
            a->n = rb_num_abs(a->n);
            break;
        case OP_COUNT: {
            assert(a->kind == RB_V_SET);
            int64_t c = 0;
            for (uint64_t bits = a->bits; bits; bits &= bits - 1) c++;
            *a = (rb_value){.kind = RB_V_NUM, .n = rb_num_int(c)};
            break;
        }
        case OP_HAS: {
            /* a set's opt is its choice set, the one its slot declares */
            assert(a->kind == RB_V_SET && a->opt < p->nchoicesets && arg < p->noptions);
            const rb_choiceset *c = &p->choicesets[a->opt];
            bool has = arg >= c->first && arg - c->first < c->count && (a->bits >> (arg - c->first) & 1);
            *a = (rb_value){.kind = RB_V_BOOL, .b = has};
            break;
        }
        case OP_TONUM: {
            /* of a choice or set whose choice set is numeric: every option
             * has a number */
            rb_num r = rb_num_zero();
            if (a->kind == RB_V_CHOICE) {
                assert(a->opt < p->noptions && p->options[a->opt].value != RB_NONE);
                r = p->numbers[p->options[a->opt].value];
            } else {
                assert(a->kind == RB_V_SET && a->opt < p->nchoicesets);
                const rb_choiceset *c = &p->choicesets[a->opt];
                for (uint32_t k = 0; k < c->count; k++) {
                    if (!(a->bits >> k & 1)) continue;
                    uint32_t v = p->options[c->first + k].value;
                    assert(v != RB_NONE);
                    if ((s = rb_num_add(r, p->numbers[v], &r))) return rb_eval_num_status(e, ui, s);
                }
            }
            *a = (rb_value){.kind = RB_V_NUM, .n = r};
            break;
        }
        case OP_BAND: {
            assert(a->kind == RB_V_NUM && arg < p->nbands);
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
            assert(target != RB_NONE && target > at && target < end); /* the arms cover every number */
            pc = target;
            break;
        }
        case OP_RET:
            assert(sp == 1);
            *out = *a;
            return 0;
        case RB_OP_COUNT:
            break;
        }
    }
}

/* ---- history (SPEC §13) ---------------------------------------------------- */

void rb_eval_set_history(rb_eval *e, const rb_history *h)
{
    e->has_history = h && h->lookup;
    if (e->has_history) e->history = *h;
}

/* A stored value as a value of slot s; absent when it does not fit (a
 * result stored by another version of the form). */
static rb_value stored_value(rb_eval *e, uint32_t s, const char *text)
{
    const rb_program *p = e->p;
    const rb_slot *sl = &p->slots[s];
    rb_value v = {.kind = RB_V_ABSENT};
    size_t len = strlen(text);
    switch (sl->type) {
    case RB_T_NUMBER: case RB_T_INTEGER: case RB_T_PERCENT: {
        const char *slash = memchr(text, '/', len);
        rb_num a, b;
        if (!slash) {
            if (rb_num_parse(text, len, &a) == RB_NUM_OK) v = (rb_value){.kind = RB_V_NUM, .n = a};
        } else if (rb_num_parse(text, (size_t)(slash - text), &a) == RB_NUM_OK &&
                   rb_num_parse(slash + 1, len - (size_t)(slash - text) - 1, &b) == RB_NUM_OK &&
                   rb_num_div(a, b, &a) == RB_NUM_OK) {
            v = (rb_value){.kind = RB_V_NUM, .n = a};
        }
        break;
    }
    case RB_T_BOOL:
        if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0) v = (rb_value){.kind = RB_V_BOOL, .b = text[0] == 't'};
        break;
    case RB_T_TEXT: case RB_T_DATE:
        v = (rb_value){.kind = sl->type == RB_T_TEXT ? RB_V_TEXT : RB_V_DATE, .s = rb_arena_strndup(e->arena, text, len),
                       .len = len};
        break;
    case RB_T_CHOICE: case RB_T_CHOICES: {
        const rb_choiceset *c = &p->choicesets[sl->choiceset];
        uint64_t bits = 0;
        uint32_t one = RB_NONE;
        for (const char *w = text; *w || w == text;) {
            size_t n = strcspn(w, ";");
            if (n == 0 && sl->type == RB_T_CHOICES) break; /* the empty set */
            uint32_t k = 0;
            while (k < c->count && !(strlen(rb_str(p, p->options[c->first + k].id)) == n &&
                                     memcmp(rb_str(p, p->options[c->first + k].id), w, n) == 0))
                k++;
            if (k == c->count) return v;
            bits |= (uint64_t)1 << k;
            one = c->first + k;
            w += n;
            if (*w != ';') break;
            w++;
        }
        if (sl->type == RB_T_CHOICE) {
            if (one != RB_NONE && (bits & (bits - 1)) == 0) v = (rb_value){.kind = RB_V_CHOICE, .opt = one};
        } else {
            v = (rb_value){.kind = RB_V_SET, .opt = sl->choiceset, .bits = bits};
        }
        break;
    }
    }
    return v;
}

/* The slots of the stored result `back` periods before this record's,
 * holding what it stored (everything else absent); NULL when nothing is
 * stored for it.  Each period is looked up once per record. */
static const rb_value *history_frame(rb_eval *e, uint32_t back)
{
    for (size_t i = 0; i < e->nframes; i++)
        if (e->frames[i].back == back) return e->frames[i].slots;
    const rb_program *p = e->p;
    rb_result *r = &e->res;
    rb_value *frame = NULL;
    char period[RB_PERIOD_MAX];
    const rb_stored_value *vals;
    size_t n;
    if (e->has_history && r->history_key && r->history_period &&
        rb_period_back(str_or_null(p, p->period), r->history_period, back, period) &&
        e->history.lookup(e->history.ctx, r->history_key, period, &vals, &n) == 1) {
        frame = rb_arena_alloc(e->arena, (p->nslots + 1) * sizeof *frame);
        memset(frame, 0, (p->nslots + 1) * sizeof *frame);
        for (size_t i = 0; i < n; i++) {
            uint32_t s = rb_bind_slot(e, vals[i].name, strlen(vals[i].name));
            if (s == RB_NONE) continue;
            uint8_t k = p->slots[s].kind;
            if (k == SLOT_SECTION || k == SLOT_OUTPUT || k == SLOT_TOTAL || k == SLOT_GRADE)
                frame[s] = stored_value(e, s, vals[i].value);
        }
        r->history_periods++;
    }
    e->frames = rb_arena_grow(e->arena, e->frames, e->nframes, &e->cap_frames, sizeof *e->frames, 8);
    e->frames[e->nframes++] = (struct rb_hist_frame){.back = back, .slots = frame};
    return frame;
}

/* Can unit ui's code run on `frame`: does it hold every value the code
 * reads that is never absent in a record of this form? */
static bool frame_fits(const rb_eval *e, uint32_t ui, const rb_value *frame)
{
    const rb_program *p = e->p;
    const rb_unit *u = &p->units[ui];
    for (uint32_t pc = u->code_start, end = u->code_start + u->code_len; pc < end;) {
        uint8_t op = p->code[pc];
        if (rb_opinfo_table[op].operand == OPK_SLOT) {
            uint32_t s = rd32(p->code + pc + 1);
            if (!p->slots[s].maybe && frame[s].kind == RB_V_ABSENT) return false;
        }
        pc += rb_op_size((rb_opcode)op);
    }
    return true;
}

/* Runs unit ui on an earlier period's values.  1: *out holds its value;
 * 0: that period stored nothing this code can read; -1: an error. */
static int run_on_period(rb_eval *e, uint32_t ui, uint32_t back, rb_value *out)
{
    const rb_value *frame = history_frame(e, back);
    if (!frame || !frame_fits(e, ui, frame)) return 0;
    rb_value *own = e->slots;
    e->slots = (rb_value *)frame;
    int rc = run_code(e, ui, out);
    e->slots = own;
    return rc ? -1 : 1;
}

/* U_STREAK: periods in a row, this one included, the condition held in; a
 * period with nothing stored ends the run.  U_PREVIOUS: the value on the
 * result `back` periods before, absent when there is none. */
static int run_history(rb_eval *e, uint32_t ui)
{
    const rb_unit *u = &e->p->units[ui];
    rb_value v = {.kind = RB_V_ABSENT};
    if (u->kind == U_PREVIOUS) {
        int rc = run_on_period(e, ui, u->back, &v);
        if (rc < 0) return -1;
        e->slots[u->target] = rc ? v : (rb_value){.kind = RB_V_ABSENT};
        return 0;
    }
    if (run_code(e, ui, &v)) return -1;
    int64_t count = 0;
    for (uint32_t back = 1; v.b; back++) {
        assert(v.kind == RB_V_BOOL); /* a streak's condition is a bool */
        count++;
        int rc = run_on_period(e, ui, back, &v);
        if (rc < 0) return -1;
        if (rc == 0) break;
    }
    e->slots[u->target] = (rb_value){.kind = RB_V_NUM, .n = rb_num_int(count)};
    return 0;
}

/* The record's key and canonical period (SPEC §13); a period value that is
 * not a period of the form's kind is a `type` error of the record. */
static void history_identity(rb_eval *e)
{
    const rb_program *p = e->p;
    rb_result *r = &e->res;
    r->has_history = p->key_slot != RB_NONE && p->period_slot != RB_NONE;
    if (!r->has_history) return;
    const rb_value *key = &e->slots[p->key_slot], *per = &e->slots[p->period_slot];
    if (key->kind != RB_V_ABSENT) r->history_key = rb_history_value_text(p, key, e->arena);
    if (per->kind != RB_V_TEXT && per->kind != RB_V_DATE) return;
    char canon[RB_PERIOD_MAX];
    const char *kind = str_or_null(p, p->period);
    if (rb_period_canonical(kind, per->s, per->len, canon)) {
        r->history_period = rb_arena_strndup(e->arena, canon, strlen(canon));
        return;
    }
    const char *name = slot_name(p, p->period_slot);
    rb_eval_error(e, name, "type", "%s = \"%s\" is not %s", rb_eval_shown(e, name), per->s,
                  rb_tr(e->opt.lang, rb_period_expected(kind)));
    e->failed = true;
    e->poisoned[p->period_slot] = 1;
}

/* ---- every error of a record (SPEC §12) ---------------------------------- */

/* The slot a unit gives a value to, or RB_NONE. */
static uint32_t unit_slot(const rb_program *p, const rb_unit *u)
{
    switch (u->kind) {
    case U_VALUE: case U_STREAK: case U_PREVIOUS: return u->target;
    case U_ITEM: case U_WHEN: return p->items[u->target].slot;
    case U_SECTION: return p->sections[u->target].slot;
    default: return RB_NONE;
    }
}

/* After a unit failed: a unit that reads a value the failure left without
 * one is skipped (its own value is then missing too), and nothing is
 * aggregated, since the record gets no total.  True: skip unit ui. */
static bool skip_after_failure(rb_eval *e, uint32_t ui)
{
    const rb_program *p = e->p;
    const rb_unit *u = &p->units[ui];
    bool skip = u->kind == U_SECTION || u->kind == U_RESULT || u->kind == U_TOTAL || u->kind == U_GRADE_ON ||
                u->kind == U_CAP;
    for (uint32_t pc = u->code_start, end = u->code_start + u->code_len; pc < end && !skip;) {
        uint8_t op = p->code[pc];
        if (rb_opinfo_table[op].operand == OPK_SLOT) skip = e->poisoned[rd32(p->code + pc + 1)];
        pc += rb_op_size((rb_opcode)op);
    }
    if (!skip) return false;
    uint32_t s = unit_slot(p, u);
    if (s != RB_NONE) e->poisoned[s] = 1;
    if (u->kind == U_RESULT)
        for (uint32_t i = 0; i < p->nslots; i++)
            if (p->slots[i].kind == SLOT_TOTAL || p->slots[i].kind == SLOT_GRADE) e->poisoned[i] = 1;
    return true;
}

/* A unit failed: what it would have given has no value. */
static void unit_failed(rb_eval *e, uint32_t ui)
{
    e->failed = true;
    uint32_t s = unit_slot(e->p, &e->p->units[ui]);
    if (s != RB_NONE) e->poisoned[s] = 1;
}

/* SPEC §12's order: input errors, failed checks, evaluation errors (each
 * group in the order found). */
static int error_rank(const char *code)
{
    if (strcmp(code, "check") == 0) return 1;
    if (strcmp(code, "item-range") == 0 || strcmp(code, "arith") == 0) return 2;
    return 0;
}

static void order_errors(rb_result *r)
{
    for (uint32_t i = 1; i < r->nerrors; i++) { /* stable insertion sort: few errors */
        rb_error x = r->errors[i];
        uint32_t j = i;
        while (j > 0 && error_rank(r->errors[j - 1].code) > error_rank(x.code)) {
            r->errors[j] = r->errors[j - 1];
            j--;
        }
        r->errors[j] = x;
    }
}

static void run_units(rb_eval *e)
{
    const rb_program *p = e->p;
    for (uint32_t ui = 0; ui < p->nunits && !e->stopped; ui++) {
        const rb_unit *u = &p->units[ui];
        rb_value v;
        if (e->failed && skip_after_failure(e, ui)) continue;
        switch (u->kind) {
        case U_SECTION:
            rb_score_section(e, u->target, ui);
            continue;
        case U_STREAK: case U_PREVIOUS:
            if (run_history(e, ui)) unit_failed(e, ui);
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
            if (run_code(e, ui, &v)) {
                unit_failed(e, ui);
                continue;
            }
            assert(v.kind == RB_V_NUM); /* an item's unit returns a number */
            rb_num pts = p->numbers[it->points];
            rb_num low = it->low != RB_NONE ? p->numbers[it->low] : rb_num_zero();
            if (rb_num_cmp(v.n, low) < 0 || rb_num_cmp(v.n, pts) > 0) {
                rb_eval_error(e, slot_name(p, it->slot), "item-range", "%s = %s is outside %s..%s",
                              rb_eval_decl_at(e, ui), rb_eval_num_msg(e, v.n), rb_num_text(e->arena, low),
                              rb_num_text(e->arena, pts));
                unit_failed(e, ui); /* and on: the author's checks still speak */
                continue;
            }
            rb_bind_item(e, u->target, &v);
            continue;
        }
        default:
            break;
        }
        if (run_code(e, ui, &v)) {
            unit_failed(e, ui);
            continue;
        }
        switch (u->kind) {
        case U_VALUE:
            e->slots[u->target] = v;
            break;
        case U_WHEN:
            assert(v.kind == RB_V_BOOL);
            if (!rb_bind_when(e, u->target, v.b)) return;
            break;
        case U_CHECK: case U_WARN:
            assert(v.kind == RB_V_BOOL);
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
        case U_CAP:
            assert(v.kind == RB_V_BOOL);
            /* where several caps hold, the lowest grade applies */
            if (v.b && (e->grade_cap == RB_NONE || u->target > e->grade_cap)) e->grade_cap = u->target;
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
    const uint32_t *first = e->by_kind + e->kind_first[kind], *end = e->by_kind + e->kind_first[kind + 1];
    uint32_t count = 0;
    for (const uint32_t *s = first; s < end; s++) count += e->slots[*s].kind != RB_V_ABSENT;
    *n = 0;
    *list = NULL;
    if (!count) return;
    *list = rb_arena_alloc(e->arena, count * sizeof **list);
    for (const uint32_t *s = first; s < end; s++) {
        if (e->slots[*s].kind == RB_V_ABSENT) continue;
        rb_named_value *nv = &(*list)[(*n)++];
        nv->slot = *s;
        nv->name = slot_name(p, *s);
        nv->label = str_or_null(p, p->slots[*s].label);
        nv->value = e->slots[*s];
    }
}

static void reset(rb_eval *e, const rb_record *rec)
{
    const rb_program *p = e->p;
    rb_arena_reset(e->arena);
    e->rec = rec;
    e->stopped = false;
    e->failed = false;
    e->have_total = e->have_grade_on = e->result_done = false;
    e->grade_cap = RB_NONE;
    e->cap_errors = e->cap_warnings = 0;
    e->frames = NULL;
    e->nframes = e->cap_frames = 0;
    memset(&e->res, 0, sizeof e->res);
    memset(e->slots, 0, p->nslots * sizeof *e->slots);
    memset(e->sections, 0, p->nsections * sizeof *e->sections);
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
    r->form = rb_str(p, p->name);
    r->period = str_or_null(p, p->period);
    r->version = str_or_null(p, p->version);
    r->digest = p->digest;
    r->lang = e->opt.lang;
    r->items = e->items;
    r->nitems = p->nitems;
    r->sections = e->sections;
    r->nsections = p->nsections;

    if (rec->syntax_error || rec->value.kind != RV_OBJECT) {
        rb_eval_error(e, "", "syntax", "%s",
                      rec->syntax_error ? rec->syntax_error : rb_tr(e->opt.lang, N_("a record must be a JSON object")));
    } else {
        e->poisoned = rb_arena_alloc(e->arena, p->nslots + 1);
        /* input errors do not stop the checks that do not read them */
        e->failed = !rb_bind_record(e, &rec->value);
        history_identity(e);
        run_units(e);
        e->stopped |= e->failed;
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
    order_errors(r);
    r->ok = r->nerrors == 0;
    if (!r->ok) {
        r->has_total = r->has_grade = false;
    }
    return r;
}

