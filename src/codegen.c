/* codegen.c — turns a checked AST into an rb_program (program.h).
 *
 * Tables are filled in declaration order (slots, sections in pre-order with
 * the form as section 0, items, inputs), then one unit per value-producing
 * declaration in the checker's dependency order.  Expressions compile to
 * stack code with forward jumps only; params are inlined as constants.
 * Tables grow through the program builder (program_build.h), which
 * de-duplicates strings and numbers so equal templates give equal bytes. */
#include "codegen.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "builtins.h"
#include "check.h"
#include "opcodes.h"
#include "program_build.h"

/* An arm's op is copied as it is: the AST's ops are the program's, in order
 * (check.c and fmt.c print them with rb_arm_op_text too). */
_Static_assert((int)ARM_LT == RB_ARM_LT && (int)ARM_LE == RB_ARM_LE && (int)ARM_GT == RB_ARM_GT &&
                   (int)ARM_GE == RB_ARM_GE && (int)ARM_ELSE == RB_ARM_ELSE,
               "ast_arm_op follows RB_ARM_OPS");

typedef struct {
    rb_builder *b;
    rb_program *p;        /* the builder's program (tables move as they grow) */
    rb_source *src;
    const rb_checked *ck;
    uint32_t nraters;
    uint32_t *rater_slots;  /* item index × rater → the slot ITEM.RATER reads, made on first use */
    /* history calls made so far (SPEC §13): the same call written twice
     * shares one slot and one unit */
    struct { char *text; uint32_t slot; } *hist;
    size_t nhist;
} gen;

static uint32_t num_index(gen *g, rb_num n) { return rb_build_number(g->b, n); }
static uint32_t str_index(gen *g, const char *s) { return rb_build_cstr(g->b, s); }

static uint32_t opt_str(gen *g, const char *s)
{
    return s ? str_index(g, s) : RB_NONE;
}

static void position(gen *g, rb_span sp, uint32_t *line, uint32_t *col)
{
    rb_source_position(g->src, sp.start, line, col);
}

/* ---- choice sets ---------------------------------------------------------- */

/* ast_type.choiceset is the option set's index once made (-1 before). */
static uint32_t choiceset(gen *g, ast_type *t)
{
    if (!t) return RB_NONE;
    if (t->choiceset >= 0) return (uint32_t)t->choiceset;
    rb_program *p = g->p;
    rb_choiceset cs = {.first = p->noptions, .count = 0, .numeric = 1};
    for (ast_option *o = t->options; o; o = o->next) {
        rb_build_option(g->b, (rb_option){
            .id = str_index(g, o->id),
            .label = opt_str(g, o->label),
            .value = o->has_value ? num_index(g, o->value.num) : RB_NONE,
        });
        if (!o->has_value) cs.numeric = 0;
        cs.count++;
    }
    t->choiceset = (int)rb_build_choiceset(g->b, cs);
    return (uint32_t)t->choiceset;
}

/* The program-wide index of option `o` of choice `t` (making its set first:
 * the set table may move, so it is indexed only after). */
static uint32_t option_index(gen *g, ast_type *t, int o)
{
    uint32_t cs = choiceset(g, t);
    return g->p->choicesets[cs].first + (uint32_t)(o < 0 ? 0 : o);
}

/* ---- slots and tables ------------------------------------------------------ */

static rb_type slot_type(const ast_decl *d)
{
    if (d->kind == DECL_SIGN) return RB_T_TEXT;
    if (d->kind == DECL_FIELD || d->kind == DECL_INPUT) {
        switch (d->type->resolved->kind) {
        case TY_NUMBER: return RB_T_NUMBER;
        case TY_INTEGER: return RB_T_INTEGER;
        case TY_PERCENT: return RB_T_PERCENT;
        case TY_TEXT: return RB_T_TEXT;
        case TY_BOOL: return RB_T_BOOL;
        case TY_DATE: return RB_T_DATE;
        case TY_CHOICE: return RB_T_CHOICE;
        case TY_CHOICES: return RB_T_CHOICES;
        case TY_NAMED: break;
        }
        return RB_T_NUMBER;
    }
    switch (TC_BASE(d->type_code)) {
    case TC_BOOL: return RB_T_BOOL;
    case TC_TEXT: return RB_T_TEXT;
    case TC_DATE: return RB_T_DATE;
    case TC_CHOICE: return RB_T_CHOICE;
    case TC_SET: return RB_T_CHOICES;
    default: return RB_T_NUMBER;
    }
}

static uint32_t add_slot(gen *g, ast_decl *d, rb_slot_kind kind)
{
    rb_slot s = {
        .name = str_index(g, d->name),
        .label = opt_str(g, d->label),
        .kind = (uint8_t)kind,
        .type = (uint8_t)slot_type(d),
        .maybe = d->maybe ? 1 : 0,
        .choiceset = RB_NONE,
    };
    if (s.type == RB_T_CHOICE || s.type == RB_T_CHOICES) s.choiceset = choiceset(g, d->choice);
    position(g, d->name_span, &s.line, &s.col);
    d->slot = (int)rb_build_slot(g->b, s);
    return (uint32_t)d->slot;
}

static uint32_t add_input(gen *g, rb_input in)
{
    return rb_build_input(g->b, in);
}

/* An input or field: the record value bound to its slot. */
static void field_input(gen *g, ast_decl *d)
{
    rb_input in = {.slot = (uint32_t)d->slot, .required = 1, .min = RB_NONE, .max = RB_NONE, .def = RB_NONE,
                   .unit = RB_NONE, .item = RB_NONE};
    for (ast_constraint *k = d->constraints; k; k = k->next) {
        switch (k->kind) {
        case CON_IN:
            in.min = num_index(g, k->a.num), in.min_incl = 1;
            in.max = num_index(g, k->b.num), in.max_incl = 1;
            break;
        case CON_GE: case CON_GT:
            in.min = num_index(g, k->a.num), in.min_incl = k->kind == CON_GE;
            break;
        case CON_LE: case CON_LT:
            in.max = num_index(g, k->a.num), in.max_incl = k->kind == CON_LE;
            break;
        case CON_OPTIONAL:
            in.required = 0;
            break;
        case CON_DEFAULT: {
            in.required = 0;
            const ast_literal *v = &k->a;
            ast_type *t = d->type->resolved;
            if (t->kind == TY_CHOICE && v->kind == LIT_STRING) {
                int o = rb_find_option(t, v->str);
                in.def = num_index(g, rb_num_int(o < 0 ? 0 : o));
            } else if (v->kind == LIT_NUMBER) {
                in.def = num_index(g, v->num);
            } else if (v->kind == LIT_BOOL) {
                in.def = num_index(g, rb_num_int(v->boolean));
            } else if (v->kind == LIT_STRING) {
                in.def = str_index(g, v->str);
            }
            break;
        }
        case CON_UNIT:
            in.unit = str_index(g, k->a.str);
            break;
        case CON_REQUIRED:
            break;
        }
    }
    add_input(g, in);
}

static uint32_t add_section(gen *g, ast_decl *d, uint32_t parent)
{
    rb_section s = {
        .slot = parent == RB_NONE ? RB_NONE : (uint32_t)d->slot,
        .parent = parent,
        .points = num_index(g, parent == RB_NONE ? g->ck->scale : d->full),
        .weight = d->has_weight ? num_index(g, d->weight.num) : RB_NONE,
        .weighted = d->weighted,
    };
    d->index = (int)rb_build_section(g->b, s);
    return (uint32_t)d->index;
}

static void tables(gen *g, ast_decl *body, uint32_t section)
{
    rb_program *p = g->p;
    for (ast_decl *d = body; d; d = d->next) {
        switch (d->kind) {
        case DECL_FIELD:
            add_slot(g, d, SLOT_FIELD);
            field_input(g, d);
            break;
        case DECL_INPUT:
            add_slot(g, d, SLOT_INPUT);
            field_input(g, d);
            break;
        case DECL_LET:
            add_slot(g, d, SLOT_LET);
            break;
        case DECL_OUTPUT:
            add_slot(g, d, SLOT_OUTPUT);
            break;
        case DECL_SIGN:
            add_slot(g, d, SLOT_SIGN);
            break;
        case DECL_SECTION:
            add_slot(g, d, SLOT_SECTION);
            tables(g, d->body, add_section(g, d, section));
            break;
        case DECL_ITEM: case DECL_DEDUCT: {
            add_slot(g, d, d->kind == DECL_ITEM ? SLOT_ITEM : SLOT_DEDUCT);
            rb_item it = {
                .slot = (uint32_t)d->slot,
                .section = section,
                .points = num_index(g, d->full),
                .weight = d->has_weight ? num_index(g, d->weight.num) : RB_NONE,
                .is_deduct = d->kind == DECL_DEDUCT,
                .optional = d->optional,
                .when_unit = RB_NONE,
                .input = RB_NONE,
                .low = d->has_low ? num_index(g, d->low.num) : RB_NONE,
            };
            d->index = (int)p->nitems;
            if (!d->expr) {
                it.input = add_input(g, (rb_input){
                    .slot = (uint32_t)d->slot,
                    .required = !d->optional,
                    .rated = d->kind == DECL_ITEM && g->ck->raters,
                    .min_incl = 1, .max_incl = 1,
                    .min = num_index(g, d->has_low ? d->low.num : rb_num_zero()),
                    .max = num_index(g, d->full),
                    .def = RB_NONE, .unit = RB_NONE,
                    .item = p->nitems,
                });
            }
            rb_build_item(g->b, it);
            break;
        }
        default:
            break;
        }
    }
}

/* Children lists, contiguous per section, in declaration order. */
static void children(gen *g, ast_decl *s)
{
    rb_program *p = g->p;
    rb_section *sec = &p->sections[s->index];
    sec->first_child = p->nchildren;
    for (ast_decl *d = s->body; d; d = d->next) {
        if (d->kind != DECL_ITEM && d->kind != DECL_DEDUCT && d->kind != DECL_SECTION) continue;
        rb_build_child(g->b, (rb_child){
            .kind = d->kind == DECL_SECTION ? CHILD_SECTION : CHILD_ITEM,
            .index = (uint32_t)d->index,
        });
    }
    p->sections[s->index].nchildren = p->nchildren - p->sections[s->index].first_child;
    for (ast_decl *d = s->body; d; d = d->next)
        if (d->kind == DECL_SECTION) children(g, d);
}

/* ---- code ------------------------------------------------------------------- */

static void emit(gen *g, rb_opcode op)
{
    rb_build_op(g->b, op);
}

static void emit1(gen *g, rb_opcode op, uint32_t operand)
{
    rb_build_op1(g->b, op, operand);
}

/* Emits a forward jump with a placeholder target; returns where it is. */
static uint32_t emit_jump(gen *g, rb_opcode op)
{
    return rb_build_op1(g->b, op, 0);
}

/* Points the jump at `at` to the next instruction. */
static void patch_here(gen *g, uint32_t at)
{
    rb_build_patch(g->b, at, rb_build_here(g->b));
}

static void gen_expr(gen *g, ast_expr *e);

static void gen_param(gen *g, ast_decl *d)
{
    const ast_literal *v = &d->value;
    ast_type *t = d->type->resolved;
    switch (t->kind) {
    case TY_CHOICE: {
        int o = rb_find_option(t, v->str);
        emit1(g, OP_OPTION, option_index(g, t, o));
        break;
    }
    case TY_DATE: emit1(g, OP_DATE, str_index(g, v->str)); break;
    case TY_TEXT: emit1(g, OP_TEXT, str_index(g, v->str)); break;
    case TY_BOOL: emit(g, v->boolean ? OP_TRUE : OP_FALSE); break;
    default: emit1(g, OP_CONST, num_index(g, v->num)); break;
    }
}

/* The slot of ITEM.RATER: "item.rater", a number, filled by binding from
 * the item's rater values (bind.c). */
static uint32_t rater_slot(gen *g, const ast_expr *e)
{
    const ast_decl *item = e->ref;
    uint32_t r = 0;
    for (const ast_rater *a = g->ck->raters->raters; a != e->rater; a = a->next) r++;
    if (!g->rater_slots) {
        size_t n = (size_t)g->p->nitems * g->nraters;
        g->rater_slots = rb_xmalloc((n ? n : 1) * sizeof *g->rater_slots);
        memset(g->rater_slots, 0xff, (n ? n : 1) * sizeof *g->rater_slots);
    }
    uint32_t *slot = &g->rater_slots[(size_t)item->index * g->nraters + r];
    if (*slot == RB_NONE) {
        rb_buf name = {0};
        rb_buf_printf(&name, "%s.%s", item->name, e->rater->id);
        rb_slot s = {
            .name = str_index(g, name.s),
            .label = RB_NONE,
            .kind = SLOT_RATER,
            .type = RB_T_NUMBER,
            .maybe = rb_rater_value_maybe(item, e->rater) ? 1 : 0,
            .choiceset = RB_NONE,
        };
        position(g, e->name_span, &s.line, &s.col);
        *slot = rb_build_slot(g->b, s);
        rb_buf_free(&name);
    }
    return *slot;
}

/* The slot a name or ITEM.RATER reads. */
static uint32_t name_slot(gen *g, const ast_expr *e)
{
    return e->kind == EX_RATER ? rater_slot(g, e) : e->kind == EX_CALL ? (uint32_t)e->slot : (uint32_t)e->ref->slot;
}

static void gen_name(gen *g, ast_expr *e, bool present_value)
{
    ast_decl *d = e->ref;
    if (e->kind == EX_RATER || e->kind == EX_CALL) {
        emit1(g, present_value ? OP_LOADV : OP_LOAD, name_slot(g, e));
    } else if (d->kind == DECL_PARAM) {
        gen_param(g, d);
    } else {
        emit1(g, present_value ? OP_LOADV : OP_LOAD, (uint32_t)d->slot);
    }
}

static void gen_band(gen *g, ast_expr *e)
{
    rb_program *p = g->p;
    gen_expr(g, e->a);
    /* The band's arms are contiguous: append them all before generating
     * their results (which may hold bands of their own). */
    uint32_t first = p->narms, n = 0;
    for (ast_arm *a = e->arms; a; a = a->next, n++) {
        rb_build_arm(g->b, (rb_arm){
            .op = (uint8_t)a->op,
            .threshold = a->op == ARM_ELSE ? RB_NONE : num_index(g, a->threshold_value),
            .id = RB_NONE, .label = RB_NONE,
        });
    }
    emit1(g, OP_BAND, rb_build_band(g->b, (rb_band){.first_arm = first, .narms = n}));
    uint32_t *ends = rb_xcalloc(n, sizeof *ends);
    uint32_t i = 0;
    for (ast_arm *a = e->arms; a; a = a->next, i++) {
        p->arms[first + i].target = rb_build_here(g->b);
        gen_expr(g, a->result);
        ends[i] = emit_jump(g, OP_JUMP);
    }
    for (i = 0; i < n; i++) patch_here(g, ends[i]);
    rb_free(ends);
}

/* A call of a built-in (builtins.h): most push their arguments and run their
 * opcode; present, has and the history functions have code of their own. */
static void gen_call(gen *g, ast_expr *e)
{
    const rb_builtin *fn = rb_builtin_find(e->str);
    switch (fn->id) {
    case RB_FN_PRESENT: {
        ast_expr *a = e->args;
        if (a->type & TC_MAYBE) {
            emit1(g, OP_LOAD, name_slot(g, a));
            emit(g, OP_PRESENT);
        } else {
            emit(g, OP_TRUE); /* never absent (W0302) */
        }
        return;
    }
    case RB_FN_HAS: {
        gen_expr(g, e->args);
        ast_expr *o = e->args->next;
        emit1(g, OP_HAS, option_index(g, o->choice, o->option));
        return;
    }
    case RB_FN_STREAK: case RB_FN_PREVIOUS: /* filled by its unit */
        emit1(g, OP_LOAD, (uint32_t)e->slot);
        return;
    default:
        break;
    }
    for (ast_expr *a = e->args; a; a = a->next) gen_expr(g, a);
    const rb_opinfo *op = &rb_opinfo_table[fn->op];
    if (op->operand == OPK_COUNT) {
        emit1(g, fn->op, (uint32_t)e->nargs);
        return;
    }
    for (int left_out = op->pops - e->nargs; left_out > 0; left_out--) /* round(x): round(x, 0) */
        emit1(g, OP_CONST, num_index(g, rb_num_zero()));
    emit(g, fn->op);
}

static void gen_expr(gen *g, ast_expr *e)
{
    uint32_t j1, j2;
    switch (e->kind) {
    case EX_NUMBER:
        emit1(g, OP_CONST, num_index(g, e->num));
        break;
    case EX_STRING:
        if (e->type == TC_CHOICE && e->choice)
            emit1(g, OP_OPTION, option_index(g, e->choice, e->option));
        else if (e->type == TC_DATE)
            emit1(g, OP_DATE, str_index(g, e->str));
        else
            emit1(g, OP_TEXT, str_index(g, e->str));
        break;
    case EX_BOOL:
        emit(g, e->boolean ? OP_TRUE : OP_FALSE);
        break;
    case EX_NAME: case EX_RATER:
        gen_name(g, e, false);
        break;
    case EX_NEG: gen_expr(g, e->a); emit(g, OP_NEG); break;
    case EX_NOT: gen_expr(g, e->a); emit(g, OP_NOT); break;
    case EX_ADD: case EX_SUB: case EX_MUL: case EX_DIV:
    case EX_EQ: case EX_NE: case EX_LT: case EX_LE: case EX_GT: case EX_GE: {
        static const rb_opcode ops[] = {
            [EX_ADD] = OP_ADD, [EX_SUB] = OP_SUB, [EX_MUL] = OP_MUL, [EX_DIV] = OP_DIV,
            [EX_EQ] = OP_EQ, [EX_NE] = OP_NE, [EX_LT] = OP_LT, [EX_LE] = OP_LE, [EX_GT] = OP_GT, [EX_GE] = OP_GE,
        };
        gen_expr(g, e->a);
        gen_expr(g, e->b);
        emit(g, ops[e->kind]);
        break;
    }
    case EX_AND: case EX_OR:
        /* a and b: a; JUMPF F; b; JUMP E; F: FALSE; E:   (or: mirrored) */
        gen_expr(g, e->a);
        j1 = emit_jump(g, e->kind == EX_AND ? OP_JUMPF : OP_JUMPT);
        gen_expr(g, e->b);
        j2 = emit_jump(g, OP_JUMP);
        patch_here(g, j1);
        emit(g, e->kind == EX_AND ? OP_FALSE : OP_TRUE);
        patch_here(g, j2);
        break;
    case EX_IF:
        gen_expr(g, e->a);
        j1 = emit_jump(g, OP_JUMPF);
        gen_expr(g, e->b);
        j2 = emit_jump(g, OP_JUMP);
        patch_here(g, j1);
        gen_expr(g, e->c);
        patch_here(g, j2);
        break;
    case EX_COALESCE:
        if (!(e->a->type & TC_MAYBE)) { /* never absent (W0301): just the value */
            gen_expr(g, e->a);
            break;
        }
        /* LOAD x; PRESENT; JUMPF F; LOADV x; [TONUM]; JUMP E; F: fallback; E: */
        emit1(g, OP_LOAD, name_slot(g, e->a));
        emit(g, OP_PRESENT);
        j1 = emit_jump(g, OP_JUMPF);
        gen_name(g, e->a, true);
        if (e->a->to_num) emit(g, OP_TONUM);
        j2 = emit_jump(g, OP_JUMP);
        patch_here(g, j1);
        gen_expr(g, e->b);
        patch_here(g, j2);
        return; /* to_num of the left side handled above */
    case EX_CALL:
        gen_call(g, e);
        break;
    case EX_BAND:
        gen_band(g, e);
        break;
    case EX_TOTAL: case EX_GRADE: /* slots filled by the U_RESULT unit */
        gen_name(g, e, false);
        break;
    }
    if (e->to_num) emit(g, OP_TONUM);
}

/* `negate`: the unit's value is the opposite of `code` (a `warn when C`
 * unit holds, like every warn unit, when no warning is due: not C). */
static uint32_t add_unit_code(gen *g, rb_unit_kind kind, uint32_t target, ast_expr *code, bool negate, uint32_t decl,
                              rb_span where)
{
    rb_program *p = g->p;
    rb_unit u = {.kind = (uint8_t)kind, .target = target, .code_start = p->code_len, .decl = decl};
    position(g, where, &u.line, &u.col);
    if (code) {
        gen_expr(g, code);
        if (negate) emit(g, OP_NOT);
        emit(g, OP_RET);
    }
    u.code_len = p->code_len - u.code_start;
    return rb_build_unit(g->b, u);
}

static uint32_t add_unit(gen *g, rb_unit_kind kind, uint32_t target, ast_expr *code, uint32_t decl, rb_span where)
{
    return add_unit_code(g, kind, target, code, false, decl, where);
}

/* "let completion": how runtime errors name a unit's declaration. */
static uint32_t decl_label(gen *g, ast_decl *d)
{
    const char *kind = ast_decl_kind_name(d->kind), *name = d->name ? d->name : "";
    size_t n = strlen(kind) + strlen(name) + 2;
    char *buf = rb_xmalloc(n);
    snprintf(buf, n, "%s %s", kind, name);
    uint32_t i = str_index(g, buf);
    rb_free(buf);
    return i;
}

/* The streak/previous calls in `e` (SPEC §13): each gets a history slot
 * and a unit that fills it, before the unit of the declaration that reads
 * it.  The checker allows no call inside another. */
static void history_units(gen *g, ast_expr *e)
{
    for (; e; e = e->next) {
        history_units(g, e->a);
        history_units(g, e->b);
        history_units(g, e->c);
        for (ast_arm *a = e->arms; a; a = a->next) history_units(g, a->result);
        if (e->kind != EX_CALL) continue;
        history_units(g, e->args);
        const rb_builtin *fn = rb_builtin_find(e->str);
        if (fn->rule != RB_RULE_HISTORY) continue;
        bool streak = fn->id == RB_FN_STREAK;
        size_t len = e->span.end - e->span.start;
        char *text = rb_xmalloc(len + 1);
        memcpy(text, g->src->text + e->span.start, len);
        text[len] = '\0';
        size_t i = 0;
        while (i < g->nhist && strcmp(g->hist[i].text, text) != 0) i++;
        if (i < g->nhist) {
            rb_free(text);
            e->slot = (int)g->hist[i].slot;
            continue;
        }
        rb_slot s = {.name = str_index(g, text), .label = RB_NONE, .kind = SLOT_HISTORY, .type = RB_T_NUMBER,
                     .maybe = !streak, .choiceset = RB_NONE};
        switch (TC_BASE(e->type)) {
        case TC_BOOL: s.type = RB_T_BOOL; break;
        case TC_TEXT: s.type = RB_T_TEXT; break;
        case TC_DATE: s.type = RB_T_DATE; break;
        case TC_CHOICE: s.type = RB_T_CHOICE; s.choiceset = choiceset(g, e->choice); break;
        case TC_SET: s.type = RB_T_CHOICES; s.choiceset = choiceset(g, e->choice); break;
        default: break;
        }
        if (streak) s.type = RB_T_NUMBER, s.choiceset = RB_NONE;
        position(g, e->span, &s.line, &s.col);
        e->slot = (int)rb_build_slot(g->b, s);
        uint32_t u = add_unit(g, streak ? U_STREAK : U_PREVIOUS, (uint32_t)e->slot, e->args, str_index(g, text),
                              e->span);
        if (!streak) {
            int64_t back = 1; /* the checker proved 1..RB_MAX_BACK */
            rb_num_to_int(e->num, &back);
            rb_builder_program(g->b)->units[u].back = (uint32_t)back;
        }
        g->hist = rb_xrealloc(g->hist, (g->nhist + 1) * sizeof *g->hist);
        g->hist[g->nhist].text = text;
        g->hist[g->nhist++].slot = (uint32_t)e->slot;
    }
}

static void units(gen *g)
{
    rb_program *p = g->p;
    const rb_checked *ck = g->ck;
    bool result_done = false;
    for (size_t i = 0; i < ck->norder; i++) {
        ast_decl *d = ck->order[i];
        switch (d->kind) {
        case DECL_LET: case DECL_OUTPUT:
            if (d->history) history_units(g, d->expr);
            add_unit(g, U_VALUE, (uint32_t)d->slot, d->expr, decl_label(g, d), d->name_span);
            break;
        case DECL_ITEM: case DECL_DEDUCT:
            if (d->when)
                p->items[d->index].when_unit =
                    add_unit(g, U_WHEN, (uint32_t)d->index, d->when, decl_label(g, d), d->name_span);
            if (d->expr) add_unit(g, U_ITEM, (uint32_t)d->index, d->expr, decl_label(g, d), d->name_span);
            break;
        case DECL_SECTION:
            add_unit(g, U_SECTION, (uint32_t)d->index, NULL, decl_label(g, d), d->name_span);
            break;
        case DECL_FORM:
            add_unit(g, U_SECTION, 0, NULL, decl_label(g, d), d->name_span);
            break;
        case DECL_CHECK: case DECL_WARN:
            if (d->history) history_units(g, d->expr);
            add_unit_code(g, d->kind == DECL_CHECK ? U_CHECK : U_WARN, str_index(g, d->message ? d->message : ""),
                          d->expr, d->kind == DECL_WARN && d->warn_form == WARN_WHEN,
                          str_index(g, d->kind == DECL_CHECK ? "check" : "warn"), d->kw_span);
            break;
        case DECL_TOTAL:
            p->total_unit = add_unit(g, U_TOTAL, 0, d->expr, str_index(g, "total"), d->kw_span);
            break;
        case DECL_GRADE:
            if (d->expr) p->grade_on_unit = add_unit(g, U_GRADE_ON, 0, d->expr, str_index(g, "grade"), d->kw_span);
            for (ast_arm *cap = d->caps; cap; cap = cap->next) {
                size_t n = strlen(cap->id) + sizeof "at most ";
                char *what = rb_xmalloc(n);
                snprintf(what, n, "at most %s", cap->id);
                add_unit(g, U_CAP, (uint32_t)rb_cap_target(d, cap->id), cap->cap_when, str_index(g, what), cap->span);
                rb_free(what);
            }
            break;
        case DECL_RESULT: /* `total` and `grade` share one unit */
            if (!result_done) add_unit(g, U_RESULT, 0, NULL, str_index(g, "total"), d->name_span);
            result_done = true;
            break;
        default:
            break;
        }
    }
}

static void grade_table(gen *g)
{
    rb_program *p = g->p;
    ast_decl *gr = g->ck->grade;
    if (!gr) return;
    p->grade.first_arm = p->narms;
    for (ast_arm *a = gr->arms; a; a = a->next) {
        rb_build_arm(g->b, (rb_arm){
            .op = (uint8_t)a->op,
            .threshold = a->op == ARM_ELSE ? RB_NONE : num_index(g, a->threshold_value),
            .target = 0,
            .id = opt_str(g, a->id),
            .label = opt_str(g, a->label ? a->label : a->id),
        });
        p->grade.narms++;
    }
}

static void raters(gen *g)
{
    if (!g->ck->raters) return;
    for (ast_rater *r = g->ck->raters->raters; r; r = r->next) {
        rb_build_rater(g->b, (rb_rater){
            .id = str_index(g, r->id),
            .label = opt_str(g, r->label),
            .weight = num_index(g, r->weight.num),
            .many = r->many,
            .optional = r->optional,
        });
    }
}

/* key, period field and distribution rules (SPEC §13, §14) */
static void history_tables(gen *g)
{
    const rb_checked *ck = g->ck;
    rb_program *p = rb_builder_program(g->b);
    p->key_slot = ck->key_field ? (uint32_t)ck->key_field->slot : RB_NONE;
    p->period_slot = ck->period_field ? (uint32_t)ck->period_field->slot : RB_NONE;
    p->dist_by = ck->dist_by ? (uint32_t)ck->dist_by->slot : RB_NONE;
    if (!ck->distribution) return;
    for (ast_dist_rule *r = ck->distribution->rules; r; r = r->next) {
        rb_dist_rule rule = {.first = rb_builder_program(g->b)->ndist_grades, .op = (uint8_t)r->op,
                             .share = num_index(g, r->share.num)};
        for (ast_dist_id *id = r->ids; id; id = id->next, rule.count++) rb_build_dist_grade(g->b, (uint32_t)id->arm);
        rb_build_dist_rule(g->b, rule);
    }
}

rb_program *rb_codegen(rb_source *src, const rb_checked *ck)
{
    rb_builder *b = rb_builder_new();
    rb_program *p = rb_builder_program(b);
    gen g = {.b = b, .p = p, .src = src, .ck = ck};
    ast_decl *form = ck->form;
    p->name = str_index(&g, form->name ? form->name : "form");
    p->label = opt_str(&g, form->label);
    p->period = ck->period ? opt_str(&g, ck->period->word) : RB_NONE;
    p->version = ck->version && ck->version->value.kind == LIT_STRING ? str_index(&g, ck->version->value.str) : RB_NONE;
    p->precision = (uint32_t)ck->precision;
    /* The file's name, not the path it was reached by: the same template
     * compiles to the same bytes from any directory. */
    const char *base = strrchr(src->name, '/');
    p->source_name = str_index(&g, base ? base + 1 : src->name);
    /* strings hold no NUL byte (a comment may): such a source is not kept,
     * and -D on its .rbc says the file carries none */
    if (!memchr(src->text, '\0', src->len)) p->source_text = rb_build_string(g.b, src->text, src->len);
    if (ck->ndefs) {
        rb_buf lines = {0};
        for (size_t i = 0; i < ck->ndefs; i++) rb_buf_printf(&lines, "%s=%s\n", ck->defs[i].name, ck->defs[i].value);
        p->source_defines = rb_build_string(g.b, lines.s, lines.len);
        rb_buf_free(&lines);
    }
    p->has_items = ck->has_items;
    p->scale = num_index(&g, ck->has_items ? ck->scale : rb_num_zero());

    for (const ast_rater *r = ck->raters ? ck->raters->raters : NULL; r; r = r->next) g.nraters++;
    raters(&g);
    add_section(&g, form, RB_NONE);
    tables(&g, form->body, 0);
    if (ck->result_total) add_slot(&g, ck->result_total, SLOT_TOTAL);
    if (ck->result_grade) add_slot(&g, ck->result_grade, SLOT_GRADE);
    children(&g, form);
    units(&g);
    grade_table(&g);
    history_tables(&g);
    rb_free(g.rater_slots);
    for (size_t i = 0; i < g.nhist; i++) rb_free(g.hist[i].text);
    rb_free(g.hist);
    return rb_builder_finish(b);
}
