/* vmtest.h — hand-built programs and records for the evaluator and result
 * tests (test_vm.c, test_result.c).
 *
 * The tests build rb_program values table by table with the builder
 * (program_build.h), exactly as codegen would, so that vm.c and result.c
 * are tested on their own: a form's sections, items and units are written
 * here in a few lines each.  Children lists must be contiguous per section,
 * so they are collected first and emitted by tb_finish, which also appends
 * the U_SECTION units (deepest sections first, root last) after the units
 * the test added. */
#ifndef RUBRIC_VMTEST_H
#define RUBRIC_VMTEST_H

#include "testutil.h"

#include "arena.h"
#include "num.h"
#include "opcodes.h"
#include "program.h"
#include "program_build.h"
#include "record.h"
#include "result.h"
#include "vm.h"

typedef struct {
    rb_builder *b;
    uint32_t child_parent[256];
    rb_child child[256];
    uint32_t nchild;
    uint32_t code_start;
} tb;

static inline rb_num tb_num(const char *dec)
{
    rb_num n;
    assert_int_equal(rb_num_parse(dec, strlen(dec), &n), RB_NUM_OK);
    return n;
}

static inline uint32_t tb_n(tb *t, const char *dec)
{
    return rb_build_number(t->b, tb_num(dec));
}

static inline uint32_t tb_s(tb *t, const char *s)
{
    return s ? rb_build_cstr(t->b, s) : RB_NONE;
}

static inline rb_program *tb_p(tb *t)
{
    return rb_builder_program(t->b);
}

/* A form: root section 0 with the given scale (NULL: 100). */
static inline void tb_init(tb *t, const char *name, const char *scale, bool weighted)
{
    memset(t, 0, sizeof *t);
    t->b = rb_builder_new();
    rb_program *p = tb_p(t);
    p->name = tb_s(t, name);
    p->scale = tb_n(t, scale ? scale : "100");
    p->has_items = 1;
    p->precision = 2;
    strcpy(p->digest, "sha256:test");
    rb_build_section(t->b, (rb_section){.slot = RB_NONE, .parent = RB_NONE, .points = p->scale,
                                        .weight = RB_NONE, .weighted = weighted});
}

static inline uint32_t tb_slot(tb *t, const char *name, const char *label, rb_slot_kind kind, rb_type type,
                               bool maybe)
{
    return rb_build_slot(t->b, (rb_slot){.name = tb_s(t, name), .label = tb_s(t, label), .kind = (uint8_t)kind,
                                         .type = (uint8_t)type, .maybe = maybe, .choiceset = RB_NONE,
                                         .line = 1, .col = 1});
}

static inline void tb_child(tb *t, uint32_t parent, rb_child_kind kind, uint32_t index)
{
    t->child_parent[t->nchild] = parent;
    t->child[t->nchild++] = (rb_child){.kind = (uint8_t)kind, .index = index};
}

/* A section under `parent`; points and weight as decimals (weight NULL:
 * none).  Returns the section index. */
static inline uint32_t tb_section(tb *t, const char *name, const char *label, uint32_t parent, const char *points,
                                  const char *weight, bool weighted)
{
    uint32_t slot = tb_slot(t, name, label, SLOT_SECTION, RB_T_NUMBER, false);
    uint32_t s = rb_build_section(t->b, (rb_section){.slot = slot, .parent = parent, .points = tb_n(t, points),
                                                     .weight = weight ? tb_n(t, weight) : RB_NONE,
                                                     .weighted = weighted});
    tb_child(t, parent, CHILD_SECTION, s);
    return s;
}

/* An input or field with optional bounds; returns the input index. */
static inline uint32_t tb_input(tb *t, const char *name, rb_slot_kind kind, rb_type type, bool required,
                                const char *min, const char *max)
{
    uint32_t slot = tb_slot(t, name, NULL, kind, type, !required);
    return rb_build_input(t->b, (rb_input){.slot = slot, .required = required, .min_incl = 1, .max_incl = 1,
                                           .min = min ? tb_n(t, min) : RB_NONE,
                                           .max = max ? tb_n(t, max) : RB_NONE, .def = RB_NONE,
                                           .unit = RB_NONE, .item = RB_NONE});
}

/* An item or deduction in `section`.  direct: the record gives its value
 * (an input is made; rated when the form has raters). */
static inline uint32_t tb_item_full(tb *t, const char *name, const char *label, uint32_t section, const char *points,
                                    const char *weight, bool direct, bool deduct, bool optional, bool maybe)
{
    rb_program *p = tb_p(t);
    uint32_t slot = tb_slot(t, name, label, deduct ? SLOT_DEDUCT : SLOT_ITEM, RB_T_NUMBER, optional || maybe);
    uint32_t pts = tb_n(t, points);
    uint32_t it = rb_build_item(t->b, (rb_item){.slot = slot, .section = section, .points = pts,
                                                .weight = weight ? tb_n(t, weight) : RB_NONE,
                                                .is_deduct = deduct, .optional = optional,
                                                .when_unit = RB_NONE, .input = RB_NONE, .low = RB_NONE});
    if (direct) {
        uint32_t zero = rb_build_number(t->b, rb_num_zero());
        uint32_t in = rb_build_input(t->b, (rb_input){.slot = slot, .required = !optional,
                                                      .rated = !deduct && p->nraters > 0,
                                                      .min_incl = 1, .max_incl = 1, .min = zero, .max = pts,
                                                      .def = RB_NONE, .unit = RB_NONE, .item = it});
        tb_p(t)->items[it].input = in;
    }
    tb_child(t, section, CHILD_ITEM, it);
    return it;
}

static inline uint32_t tb_item(tb *t, const char *name, uint32_t section, const char *points)
{
    return tb_item_full(t, name, NULL, section, points, NULL, true, false, false, false);
}

static inline void tb_rater(tb *t, const char *id, const char *label, const char *weight)
{
    rb_build_rater(t->b, (rb_rater){.id = tb_s(t, id), .label = tb_s(t, label), .weight = tb_n(t, weight)});
}

/* Code: tb_code() marks the start of a unit's code, then ops are emitted,
 * then tb_unit() closes it (RET added). */
static inline void tb_code(tb *t)
{
    t->code_start = rb_build_here(t->b);
}

static inline void tb_op(tb *t, rb_opcode op)
{
    rb_build_op(t->b, op);
}

static inline void tb_op1(tb *t, rb_opcode op, uint32_t arg)
{
    rb_build_op1(t->b, op, arg);
}

static inline uint32_t tb_unit(tb *t, rb_unit_kind kind, uint32_t target, const char *decl, uint32_t line)
{
    rb_build_op(t->b, OP_RET);
    return rb_build_unit(t->b, (rb_unit){.kind = (uint8_t)kind, .target = target, .code_start = t->code_start,
                                         .code_len = rb_build_here(t->b) - t->code_start,
                                         .decl = tb_s(t, decl), .line = line, .col = 1, .max_stack = 16});
}

static inline void tb_grade_arm(tb *t, rb_arm_op op, const char *threshold, const char *id, const char *label)
{
    rb_program *p = tb_p(t);
    uint32_t a = rb_build_arm(t->b, (rb_arm){.op = (uint8_t)op, .threshold = threshold ? tb_n(t, threshold) : RB_NONE,
                                             .id = tb_s(t, id), .label = tb_s(t, label ? label : id)});
    p = tb_p(t);
    if (p->grade.narms == 0) p->grade.first_arm = a;
    p->grade.narms++;
}

/* The usual grade of SPEC §1. */
static inline void tb_grade_presales(tb *t)
{
    tb_grade_arm(t, RB_ARM_GE, "90", "excellent", "优秀");
    tb_grade_arm(t, RB_ARM_GE, "75", "good", "良好");
    tb_grade_arm(t, RB_ARM_GE, "60", "fair", "一般");
    tb_grade_arm(t, RB_ARM_ELSE, NULL, "improve", "需要改进");
}

static inline rb_program *tb_finish(tb *t)
{
    rb_program *p = tb_p(t);
    uint32_t nsec = p->nsections;
    /* a section whose scored children may all be absent may be absent
     * itself: its slot is "maybe" (children have higher indices) */
    for (uint32_t s = nsec; s-- > 1;) {
        bool all_maybe = true, any = false;
        for (uint32_t c = 0; c < t->nchild; c++) {
            if (t->child_parent[c] != s) continue;
            const rb_child *ch = &t->child[c];
            if (ch->kind == CHILD_ITEM && p->items[ch->index].is_deduct) continue;
            uint32_t slot = ch->kind == CHILD_ITEM ? p->items[ch->index].slot : p->sections[ch->index].slot;
            any = true;
            all_maybe = all_maybe && p->slots[slot].maybe;
        }
        p->slots[p->sections[s].slot].maybe = any && all_maybe;
    }
    for (uint32_t s = 0; s < nsec; s++) {
        uint32_t first = tb_p(t)->nchildren, n = 0;
        for (uint32_t c = 0; c < t->nchild; c++)
            if (t->child_parent[c] == s) rb_build_child(t->b, t->child[c]), n++;
        p = tb_p(t);
        p->sections[s].first_child = first;
        p->sections[s].nchildren = n;
    }
    for (uint32_t s = nsec; s-- > 0;) {
        char decl[64];
        snprintf(decl, sizeof decl, "section %u", s);
        rb_build_unit(t->b, (rb_unit){.kind = U_SECTION, .target = s, .code_start = rb_build_here(t->b),
                                      .code_len = 0, .decl = tb_s(t, decl), .line = 1, .col = 1});
    }
    return rb_builder_finish(t->b);
}

/* ---- records ------------------------------------------------------------ */

typedef struct {
    rb_arena *arena;
    rb_eval *eval;
    rb_program *prog;
    rb_record rec;
} tctx;

/* Verifies p (the evaluator takes nothing else) and opens an evaluator. */
static inline void tctx_open(tctx *c, rb_program *p, bool allow_extra)
{
    char err[256];
    if (rb_program_verify(p, RB_LANG_EN, err, sizeof err) != 0) fail_msg("the test's program does not verify: %s", err);
    c->arena = rb_arena_new();
    c->prog = p;
    rb_eval_options o = {.allow_extra = allow_extra};
    c->eval = rb_eval_new(p, &o);
    assert_non_null(c->eval);
}

static inline void tctx_close(tctx *c)
{
    rb_eval_free(c->eval);
    rb_program_free(c->prog);
    rb_arena_free(c->arena);
}

/* Scores one record written as JSON (csv: treat it as CSV cells). */
static inline const rb_result *tctx_eval(tctx *c, const char *json, bool csv)
{
    rb_arena_reset(c->arena);
    const char *err = NULL;
    const rb_rv *v = rb_json_parse(c->arena, json, strlen(json), RB_LANG_EN, &err);
    if (!v) fail_msg("bad test JSON: %s: %s", err ? err : "?", json);
    memset(&c->rec, 0, sizeof c->rec);
    c->rec.number = 1;
    c->rec.source = "t.json";
    c->rec.line = 1;
    c->rec.from_csv = csv;
    c->rec.value = *v;
    return rb_eval_record(c->eval, &c->rec);
}

/* What a writer printed, as a malloc'd string. */
typedef void (*tb_writer)(FILE *, const rb_program *, const rb_result *);
static inline char *tb_capture(tb_writer w, const rb_program *p, const rb_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    w(f, p, r);
    fclose(f);
    return buf;
}

static inline char *tb_fmt(rb_num n)
{
    static char buf[64];
    rb_num_format_exact(n, buf, sizeof buf);
    return buf;
}

#define assert_num(n, dec) assert_string_equal(tb_fmt(n), dec)

/* Checks the one error of a result. */
#define assert_one_error(r, epath, ecode, emsg)                                 \
    do {                                                                        \
        assert_false((r)->ok);                                                  \
        assert_int_equal((r)->nerrors, 1);                                      \
        assert_string_equal((r)->errors[0].path, epath);                        \
        assert_string_equal((r)->errors[0].code, ecode);                        \
        assert_string_equal((r)->errors[0].message, emsg);                      \
    } while (0)

/* ---- the SPEC §1 presales form ------------------------------------------ */

static inline rb_program *tb_presales(void)
{
    tb t;
    tb_init(&t, "presales", NULL, false);
    rb_program *p = tb_p(&t);
    p->label = tb_s(&t, "售前客服绩效考核表");
    tb_p(&t)->period = tb_s(&t, "monthly");
    tb_input(&t, "name", SLOT_FIELD, RB_T_TEXT, true, NULL, NULL);
    tb_input(&t, "date", SLOT_FIELD, RB_T_DATE, true, NULL, NULL);
    uint32_t a = tb_section(&t, "attitude", "服务态度与沟通能力", 0, "40", NULL, false);
    tb_item_full(&t, "knowledge", "专业知识掌握", a, "10", NULL, true, false, false, false);
    tb_item_full(&t, "initiative", "主动沟通", a, "10", NULL, true, false, false, false);
    tb_item_full(&t, "expression", "语言表达能力", a, "10", NULL, true, false, false, false);
    tb_item_full(&t, "patience", "耐心与友善", a, "10", NULL, true, false, false, false);
    uint32_t s = tb_section(&t, "sales", "销售技能与目标达成", 0, "40", NULL, false);
    tb_item_full(&t, "technique", "销售技巧", s, "15", NULL, true, false, false, false);
    tb_item_full(&t, "target", "目标达成", s, "15", NULL, true, false, false, false);
    tb_item_full(&t, "satisfaction", "客户满意度", s, "10", NULL, true, false, false, false);
    uint32_t g = tb_section(&t, "growth", "团队协作与自我提升", 0, "20", NULL, false);
    tb_item_full(&t, "teamwork", "团队协作", g, "10", NULL, true, false, false, false);
    tb_item_full(&t, "learning", "自我提升", g, "10", NULL, true, false, false, false);
    tb_grade_presales(&t);
    return tb_finish(&t);
}

#define PRESALES_RECORD                                                                          \
    "{\"name\":\"李娜\",\"date\":\"2026-10-31\",\"knowledge\":9,\"initiative\":8,\"expression\":9," \
    "\"patience\":10,\"technique\":12,\"target\":13,\"satisfaction\":9,\"teamwork\":8,\"learning\":9}"

#endif
