/* codegen.c — turns a checked AST into an rb_program (program.h).
 *
 * Tables are filled in declaration order (slots, sections in pre-order with
 * the form as section 0, items, inputs), then one unit per value-producing
 * declaration in the checker's dependency order.  Expressions compile to
 * stack code with forward jumps only; params are inlined as constants.
 * Strings and numbers are de-duplicated so equal templates give equal
 * bytes. */
#include "codegen.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "check.h"
#include "opcodes.h"

#define GROW(arr, n, cap)                                                    \
    do {                                                                     \
        if ((n) == (cap)) {                                                  \
            (cap) = (cap) ? (cap) * 2 : 16;                                  \
            (arr) = rb_xrealloc((arr), (size_t)(cap) * sizeof *(arr));       \
        }                                                                    \
    } while (0)

typedef struct {
    rb_program *p;
    rb_source *src;
    const rb_checked *ck;
    uint32_t cap_numbers, cap_strings, cap_options, cap_sets, cap_slots, cap_inputs, cap_items, cap_sections,
        cap_children, cap_units, cap_arms, cap_bands, cap_code, cap_raters;
    uint32_t string_cap_bytes;
    uint32_t *str_hash;   /* open addressing: string index + 1, 0 empty */
    uint32_t str_hash_cap;
} gen;

/* ---- constants ---------------------------------------------------------- */

static uint32_t num_index(gen *g, rb_num n)
{
    rb_program *p = g->p;
    for (uint32_t i = 0; i < p->nnumbers; i++)
        if (p->numbers[i].num == n.num && p->numbers[i].den == n.den) return i;
    GROW(p->numbers, p->nnumbers, g->cap_numbers);
    p->numbers[p->nnumbers] = n;
    return p->nnumbers++;
}

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static void rehash(gen *g);

static uint32_t str_index(gen *g, const char *s)
{
    rb_program *p = g->p;
    size_t n = strlen(s);
    if (g->str_hash_cap == 0 || p->nstrings * 2 >= g->str_hash_cap) rehash(g);
    uint32_t h = hash_bytes(s, n) & (g->str_hash_cap - 1);
    while (g->str_hash[h]) {
        uint32_t i = g->str_hash[h] - 1;
        if (p->string_len[i] == n && memcmp(rb_str(p, i), s, n) == 0) return i;
        h = (h + 1) & (g->str_hash_cap - 1);
    }
    if (p->nstrings == g->cap_strings) {
        g->cap_strings = g->cap_strings ? g->cap_strings * 2 : 64;
        p->string_off = rb_xrealloc(p->string_off, g->cap_strings * sizeof *p->string_off);
        p->string_len = rb_xrealloc(p->string_len, g->cap_strings * sizeof *p->string_len);
    }
    while (p->string_bytes + n + 1 > g->string_cap_bytes) {
        g->string_cap_bytes = g->string_cap_bytes ? g->string_cap_bytes * 2 : 1024;
        p->string_data = rb_xrealloc(p->string_data, g->string_cap_bytes);
    }
    memcpy(p->string_data + p->string_bytes, s, n + 1);
    p->string_off[p->nstrings] = p->string_bytes;
    p->string_len[p->nstrings] = (uint32_t)n;
    p->string_bytes += (uint32_t)n + 1;
    g->str_hash[h] = p->nstrings + 1;
    return p->nstrings++;
}

static void rehash(gen *g)
{
    rb_program *p = g->p;
    uint32_t cap = g->str_hash_cap ? g->str_hash_cap * 2 : 256;
    free(g->str_hash);
    g->str_hash = rb_xcalloc(cap, sizeof *g->str_hash);
    g->str_hash_cap = cap;
    for (uint32_t i = 0; i < p->nstrings; i++) {
        uint32_t h = hash_bytes(rb_str(p, i), p->string_len[i]) & (cap - 1);
        while (g->str_hash[h]) h = (h + 1) & (cap - 1);
        g->str_hash[h] = i + 1;
    }
}

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
        GROW(p->options, p->noptions, g->cap_options);
        p->options[p->noptions++] = (rb_option){
            .id = str_index(g, o->id),
            .label = opt_str(g, o->label),
            .value = o->has_value ? num_index(g, o->value.num) : RB_NONE,
        };
        if (!o->has_value) cs.numeric = 0;
        cs.count++;
    }
    GROW(p->choicesets, p->nchoicesets, g->cap_sets);
    p->choicesets[p->nchoicesets] = cs;
    t->choiceset = (int)p->nchoicesets;
    return p->nchoicesets++;
}

static int option_of(ast_type *t, const char *s)
{
    int i = 0;
    for (ast_option *o = t->options; o; o = o->next, i++)
        if (strcmp(o->id, s) == 0) return i;
    i = 0;
    for (ast_option *o = t->options; o; o = o->next, i++)
        if (o->label && strcmp(o->label, s) == 0) return i;
    return -1;
}

/* ---- slots and tables ------------------------------------------------------ */

static rb_type slot_type(const ast_decl *d)
{
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
    rb_program *p = g->p;
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
    GROW(p->slots, p->nslots, g->cap_slots);
    p->slots[p->nslots] = s;
    d->slot = (int)p->nslots;
    return p->nslots++;
}

static uint32_t add_input(gen *g, rb_input in)
{
    rb_program *p = g->p;
    GROW(p->inputs, p->ninputs, g->cap_inputs);
    p->inputs[p->ninputs] = in;
    return p->ninputs++;
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
                int o = option_of(t, v->str);
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
    rb_program *p = g->p;
    rb_section s = {
        .slot = parent == RB_NONE ? RB_NONE : (uint32_t)d->slot,
        .parent = parent,
        .points = num_index(g, parent == RB_NONE ? g->ck->scale : d->full),
        .weight = d->has_weight ? num_index(g, d->weight.num) : RB_NONE,
        .weighted = d->weighted,
    };
    GROW(p->sections, p->nsections, g->cap_sections);
    p->sections[p->nsections] = s;
    d->index = (int)p->nsections;
    return p->nsections++;
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
            };
            GROW(p->items, p->nitems, g->cap_items);
            d->index = (int)p->nitems;
            if (!d->expr) {
                it.input = add_input(g, (rb_input){
                    .slot = (uint32_t)d->slot,
                    .required = !d->optional,
                    .rated = d->kind == DECL_ITEM && g->ck->raters,
                    .min_incl = 1, .max_incl = 1,
                    .min = num_index(g, rb_num_zero()),
                    .max = num_index(g, d->full),
                    .def = RB_NONE, .unit = RB_NONE,
                    .item = p->nitems,
                });
            }
            p->items[p->nitems++] = it;
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
        GROW(p->children, p->nchildren, g->cap_children);
        p->children[p->nchildren++] = (rb_child){
            .kind = d->kind == DECL_SECTION ? CHILD_SECTION : CHILD_ITEM,
            .index = (uint32_t)d->index,
        };
    }
    p->sections[s->index].nchildren = p->nchildren - p->sections[s->index].first_child;
    for (ast_decl *d = s->body; d; d = d->next)
        if (d->kind == DECL_SECTION) children(g, d);
}

/* ---- code ------------------------------------------------------------------- */

static void emit_byte(gen *g, uint8_t b)
{
    rb_program *p = g->p;
    GROW(p->code, p->code_len, g->cap_code);
    p->code[p->code_len++] = b;
}

static void emit_u32(gen *g, uint32_t v)
{
    for (int i = 0; i < 4; i++) emit_byte(g, (uint8_t)(v >> (8 * i)));
}

static void emit(gen *g, rb_opcode op)
{
    emit_byte(g, (uint8_t)op);
}

static void emit1(gen *g, rb_opcode op, uint32_t operand)
{
    emit_byte(g, (uint8_t)op);
    emit_u32(g, operand);
}

/* Emits a jump with a placeholder target; returns where to patch. */
static uint32_t emit_jump(gen *g, rb_opcode op)
{
    emit1(g, op, 0);
    return g->p->code_len - 4;
}

static void patch(gen *g, uint32_t at, uint32_t target)
{
    for (int i = 0; i < 4; i++) g->p->code[at + (uint32_t)i] = (uint8_t)(target >> (8 * i));
}

static void gen_expr(gen *g, ast_expr *e);

static void gen_param(gen *g, ast_decl *d)
{
    const ast_literal *v = &d->value;
    ast_type *t = d->type->resolved;
    switch (t->kind) {
    case TY_CHOICE: {
        int o = option_of(t, v->str);
        emit1(g, OP_OPTION, g->p->choicesets[choiceset(g, t)].first + (uint32_t)(o < 0 ? 0 : o));
        break;
    }
    case TY_DATE: emit1(g, OP_DATE, str_index(g, v->str)); break;
    case TY_TEXT: emit1(g, OP_TEXT, str_index(g, v->str)); break;
    case TY_BOOL: emit(g, v->boolean ? OP_TRUE : OP_FALSE); break;
    default: emit1(g, OP_CONST, num_index(g, v->num)); break;
    }
}

static void gen_name(gen *g, ast_expr *e, bool present_value)
{
    ast_decl *d = e->ref;
    if (d->kind == DECL_PARAM) {
        gen_param(g, d);
    } else {
        emit1(g, present_value ? OP_LOADV : OP_LOAD, (uint32_t)d->slot);
    }
}

static void gen_band(gen *g, ast_expr *e)
{
    rb_program *p = g->p;
    gen_expr(g, e->a);
    uint32_t band = p->nbands, first = p->narms, n = 0;
    for (ast_arm *a = e->arms; a; a = a->next) n++;
    GROW(p->bands, p->nbands, g->cap_bands);
    p->bands[p->nbands++] = (rb_band){.first_arm = first, .narms = n};
    for (ast_arm *a = e->arms; a; a = a->next) {
        GROW(p->arms, p->narms, g->cap_arms);
        p->arms[p->narms++] = (rb_arm){
            .op = (uint8_t)a->op,
            .threshold = a->op == ARM_ELSE ? RB_NONE : num_index(g, a->threshold_value),
            .id = RB_NONE, .label = RB_NONE,
        };
    }
    emit1(g, OP_BAND, band);
    uint32_t *ends = rb_xcalloc(n, sizeof *ends);
    uint32_t i = 0;
    for (ast_arm *a = e->arms; a; a = a->next, i++) {
        p->arms[first + i].target = p->code_len;
        gen_expr(g, a->result);
        ends[i] = emit_jump(g, OP_JUMP);
    }
    for (i = 0; i < n; i++) patch(g, ends[i], p->code_len);
    free(ends);
}

static void gen_call(gen *g, ast_expr *e)
{
    static const struct { const char *name; rb_opcode op; } simple[] = {
        {"clamp", OP_CLAMP}, {"floor", OP_FLOOR}, {"ceil", OP_CEIL}, {"abs", OP_ABS}, {"count", OP_COUNT},
    };
    const char *n = e->str;
    if (strcmp(n, "present") == 0) {
        ast_expr *a = e->args;
        if (a->type & TC_MAYBE) {
            emit1(g, OP_LOAD, (uint32_t)a->ref->slot);
            emit(g, OP_PRESENT);
        } else {
            emit(g, OP_TRUE); /* never absent (W0302) */
        }
        return;
    }
    if (strcmp(n, "has") == 0) {
        gen_expr(g, e->args);
        ast_expr *o = e->args->next;
        emit1(g, OP_HAS, g->p->choicesets[choiceset(g, o->choice)].first + (uint32_t)o->option);
        return;
    }
    for (ast_expr *a = e->args; a; a = a->next) gen_expr(g, a);
    if (strcmp(n, "min") == 0) emit1(g, OP_MIN, (uint32_t)e->nargs);
    else if (strcmp(n, "max") == 0) emit1(g, OP_MAX, (uint32_t)e->nargs);
    else if (strcmp(n, "avg") == 0) emit1(g, OP_AVG, (uint32_t)e->nargs);
    else if (strcmp(n, "round") == 0) {
        if (e->nargs == 1) emit1(g, OP_CONST, num_index(g, rb_num_zero()));
        emit(g, OP_ROUND);
    } else {
        for (size_t i = 0; i < sizeof simple / sizeof *simple; i++)
            if (strcmp(n, simple[i].name) == 0) emit(g, simple[i].op);
    }
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
            emit1(g, OP_OPTION, g->p->choicesets[choiceset(g, e->choice)].first + (uint32_t)e->option);
        else if (e->type == TC_DATE)
            emit1(g, OP_DATE, str_index(g, e->str));
        else
            emit1(g, OP_TEXT, str_index(g, e->str));
        break;
    case EX_BOOL:
        emit(g, e->boolean ? OP_TRUE : OP_FALSE);
        break;
    case EX_NAME:
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
        patch(g, j1, g->p->code_len);
        emit(g, e->kind == EX_AND ? OP_FALSE : OP_TRUE);
        patch(g, j2, g->p->code_len);
        break;
    case EX_IF:
        gen_expr(g, e->a);
        j1 = emit_jump(g, OP_JUMPF);
        gen_expr(g, e->b);
        j2 = emit_jump(g, OP_JUMP);
        patch(g, j1, g->p->code_len);
        gen_expr(g, e->c);
        patch(g, j2, g->p->code_len);
        break;
    case EX_COALESCE:
        if (!(e->a->type & TC_MAYBE)) { /* never absent (W0301): just the value */
            gen_expr(g, e->a);
            break;
        }
        /* LOAD x; PRESENT; JUMPF F; LOADV x; [TONUM]; JUMP E; F: fallback; E: */
        emit1(g, OP_LOAD, (uint32_t)e->a->ref->slot);
        emit(g, OP_PRESENT);
        j1 = emit_jump(g, OP_JUMPF);
        gen_name(g, e->a, true);
        if (e->a->to_num) emit(g, OP_TONUM);
        j2 = emit_jump(g, OP_JUMP);
        patch(g, j1, g->p->code_len);
        gen_expr(g, e->b);
        patch(g, j2, g->p->code_len);
        return; /* to_num of the left side handled above */
    case EX_CALL:
        gen_call(g, e);
        break;
    case EX_BAND:
        gen_band(g, e);
        break;
    }
    if (e->to_num) emit(g, OP_TONUM);
}

static uint32_t add_unit(gen *g, rb_unit_kind kind, uint32_t target, ast_expr *code, const char *decl, rb_span where)
{
    rb_program *p = g->p;
    rb_unit u = {.kind = (uint8_t)kind, .target = target, .code_start = p->code_len, .decl = str_index(g, decl)};
    position(g, where, &u.line, &u.col);
    if (code) {
        gen_expr(g, code);
        emit(g, OP_RET);
    }
    u.code_len = p->code_len - u.code_start;
    GROW(p->units, p->nunits, g->cap_units);
    p->units[p->nunits] = u;
    return p->nunits++;
}

static const char *decl_label(gen *g, ast_decl *d)
{
    (void)g;
    static char buf[512];
    snprintf(buf, sizeof buf, "%s %s", ast_decl_kind_name(d->kind), d->name ? d->name : "");
    return buf;
}

static void units(gen *g)
{
    rb_program *p = g->p;
    const rb_checked *ck = g->ck;
    for (size_t i = 0; i < ck->norder; i++) {
        ast_decl *d = ck->order[i];
        switch (d->kind) {
        case DECL_LET: case DECL_OUTPUT:
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
            add_unit(g, d->kind == DECL_CHECK ? U_CHECK : U_WARN, str_index(g, d->message ? d->message : ""), d->expr,
                     d->kind == DECL_CHECK ? "check" : "warn", d->kw_span);
            break;
        case DECL_TOTAL:
            p->total_unit = add_unit(g, U_TOTAL, 0, d->expr, "total", d->kw_span);
            break;
        case DECL_GRADE:
            if (d->expr) p->grade_on_unit = add_unit(g, U_GRADE_ON, 0, d->expr, "grade", d->kw_span);
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
        GROW(p->arms, p->narms, g->cap_arms);
        p->arms[p->narms++] = (rb_arm){
            .op = (uint8_t)a->op,
            .threshold = a->op == ARM_ELSE ? RB_NONE : num_index(g, a->threshold_value),
            .target = 0,
            .id = opt_str(g, a->id),
            .label = opt_str(g, a->label ? a->label : a->id),
        };
        p->grade.narms++;
    }
}

static void raters(gen *g)
{
    rb_program *p = g->p;
    if (!g->ck->raters) return;
    for (ast_rater *r = g->ck->raters->raters; r; r = r->next) {
        GROW(p->raters, p->nraters, g->cap_raters);
        p->raters[p->nraters++] = (rb_rater){
            .id = str_index(g, r->id),
            .label = opt_str(g, r->label),
            .weight = num_index(g, r->weight.num),
        };
    }
}

rb_program *rb_codegen(rb_source *src, const rb_checked *ck)
{
    rb_program *p = rb_xcalloc(1, sizeof *p);
    gen g = {.p = p, .src = src, .ck = ck};
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
    p->has_items = ck->has_items;
    p->scale = num_index(&g, ck->has_items ? ck->scale : rb_num_zero());
    p->grade_on_unit = RB_NONE;
    p->total_unit = RB_NONE;

    raters(&g);
    add_section(&g, form, RB_NONE);
    tables(&g, form->body, 0);
    children(&g, form);
    units(&g);
    grade_table(&g);
    free(g.str_hash);
    return p;
}
