/* test_bytecode.c — the .rbc format, the loader and the verifier.
 *
 * Programs are built by hand with the builder (program_build.h) so that the
 * tests do not depend on the compiler: one realistic sample (fields, inputs,
 * a choice and a checklist, a let, a banded computed item, a section tree, a
 * check, a warn, a grade) and, for each defect the verifier must catch, a
 * copy of it with exactly that defect.  File-level tests damage serialised
 * bytes and re-seal the checksum so that the loader's own checks and the
 * verifier — not the checksum — have to notice.  The robustness tests flip
 * every bit and cut at every length; `make sanitize` runs them under ASan
 * and UBSan. */
#include "testutil.h"

#include <nettle/sha2.h>

#include "opcodes.h"
#include "program.h"
#include "program_build.h"

/* ---- the sample program --------------------------------------------------- */

typedef struct {
    uint32_t pay_jumpf;   /* offset of the first JUMPF in unit 3 (pay) */
    uint32_t pay_unit;
    uint32_t band_at;     /* offset of BAND in unit 1 */
    uint32_t s_sample, s_message;
    uint32_t o_web;       /* option index of channels.web */
    uint32_t pay_skip;    /* offset of the JUMP over "else 1" in unit 3 */
    uint32_t bonus_guard; /* offset of LOAD bonus before PRESENT in unit 3 */
    uint32_t bonus_loadv; /* offset of LOADV bonus in unit 3 */
    uint32_t in_k1;       /* input index of item k1 */
} sample_info;

enum {
    SL_NAME, SL_SALES, SL_PLAN, SL_BONUS, SL_METHOD, SL_CHANNELS, SL_COMPLETION, SL_K1,
    SL_K2, SL_S1, SL_K3, SL_PAY, SL_START, SL_COUNT
};

static rb_num q(int64_t n, int64_t d)
{
    rb_num r = {n, d};
    return r;
}

static uint32_t add_slot(rb_builder *b, const char *name, uint8_t kind, uint8_t type,
                         uint8_t maybe, uint32_t cs, uint32_t line)
{
    rb_slot s = {.name = rb_build_cstr(b, name), .label = RB_NONE, .kind = kind, .type = type,
                 .maybe = maybe, .choiceset = cs, .line = line, .col = 3};
    return rb_build_slot(b, s);
}

static rb_input plain_input(uint32_t slot)
{
    rb_input in = {.slot = slot, .required = 1, .min = RB_NONE, .max = RB_NONE, .def = RB_NONE,
                   .unit = RB_NONE, .item = RB_NONE};
    return in;
}

static uint32_t add_unit(rb_builder *b, uint8_t kind, uint32_t target, uint32_t start,
                         const char *decl, uint32_t line)
{
    rb_unit u = {.kind = kind, .target = target, .code_start = start,
                 .code_len = rb_build_here(b) - start, .decl = rb_build_cstr(b, decl),
                 .line = line, .col = 3};
    return rb_build_unit(b, u);
}

static uint32_t add_arm(rb_builder *b, uint8_t op, uint32_t threshold, uint32_t id,
                        uint32_t label)
{
    rb_arm a = {.op = op, .threshold = threshold, .target = 0, .id = id, .label = label};
    return rb_build_arm(b, a);
}

static rb_builder *build_sample(sample_info *info)
{
    sample_info dummy;
    if (!info) info = &dummy;
    rb_builder *b = rb_builder_new();
    rb_program *p = rb_builder_program(b);
    p->name = info->s_sample = rb_build_cstr(b, "sample");
    p->label = rb_build_cstr(b, "样例考核表");
    p->period = rb_build_cstr(b, "monthly");
    p->version = rb_build_cstr(b, "2026-04");
    p->source_name = rb_build_cstr(b, "sample.rubric");
    p->scale = rb_build_int(b, 25);
    p->precision = 2;
    p->has_items = 1;

    /* choice sets: method (numeric), channels (a checklist) */
    rb_option o = {.id = rb_build_cstr(b, "phone"), .label = rb_build_cstr(b, "电话"),
                   .value = rb_build_int(b, 1)};
    uint32_t first = rb_build_option(b, o);
    o = (rb_option){rb_build_cstr(b, "visit"), rb_build_cstr(b, "上门"), rb_build_int(b, 2)};
    rb_build_option(b, o);
    rb_choiceset cs = {.first = first, .count = 2, .numeric = 1};
    uint32_t cs_method = rb_build_choiceset(b, cs);
    o = (rb_option){rb_build_cstr(b, "web"), RB_NONE, RB_NONE};
    info->o_web = rb_build_option(b, o);
    o = (rb_option){rb_build_cstr(b, "phone"), RB_NONE, RB_NONE};
    rb_build_option(b, o);
    o = (rb_option){rb_build_cstr(b, "store"), rb_build_cstr(b, "门店"), RB_NONE};
    rb_build_option(b, o);
    cs = (rb_choiceset){.first = info->o_web, .count = 3, .numeric = 0};
    uint32_t cs_channels = rb_build_choiceset(b, cs);

    add_slot(b, "name", SLOT_FIELD, RB_T_TEXT, 0, RB_NONE, 4);
    add_slot(b, "sales", SLOT_INPUT, RB_T_NUMBER, 0, RB_NONE, 6);
    add_slot(b, "plan", SLOT_INPUT, RB_T_NUMBER, 0, RB_NONE, 7);
    add_slot(b, "bonus", SLOT_INPUT, RB_T_NUMBER, 1, RB_NONE, 8);
    add_slot(b, "method", SLOT_INPUT, RB_T_CHOICE, 0, cs_method, 9);
    add_slot(b, "channels", SLOT_INPUT, RB_T_CHOICES, 0, cs_channels, 10);
    add_slot(b, "completion", SLOT_LET, RB_T_NUMBER, 0, RB_NONE, 12);
    add_slot(b, "k1", SLOT_ITEM, RB_T_NUMBER, 0, RB_NONE, 15);
    add_slot(b, "k2", SLOT_ITEM, RB_T_NUMBER, 0, RB_NONE, 16);
    add_slot(b, "s1", SLOT_SECTION, RB_T_NUMBER, 0, RB_NONE, 14);
    add_slot(b, "k3", SLOT_ITEM, RB_T_NUMBER, 1, RB_NONE, 19);
    add_slot(b, "pay", SLOT_OUTPUT, RB_T_NUMBER, 0, RB_NONE, 21);
    add_slot(b, "start", SLOT_FIELD, RB_T_DATE, 0, RB_NONE, 5);

    rb_build_input(b, plain_input(SL_NAME));
    rb_input in = plain_input(SL_SALES);
    in.min = rb_build_int(b, 0);
    in.min_incl = 1;
    in.unit = rb_build_cstr(b, "万元");
    rb_build_input(b, in);
    in = plain_input(SL_PLAN);
    in.min = rb_build_int(b, 0);
    rb_build_input(b, in);
    in = plain_input(SL_BONUS);
    in.required = 0;
    rb_build_input(b, in);
    rb_build_input(b, plain_input(SL_METHOD));
    in = plain_input(SL_CHANNELS);
    in.min = rb_build_int(b, 0);
    in.max = rb_build_int(b, 3);
    in.min_incl = in.max_incl = 1;
    rb_build_input(b, in);
    in = plain_input(SL_K1);
    in.min = rb_build_int(b, 0);
    in.max = rb_build_int(b, 10);
    in.min_incl = in.max_incl = 1;
    in.item = 0;
    uint32_t in_k1 = info->in_k1 = rb_build_input(b, in);
    in = plain_input(SL_K3);
    in.required = 0;
    in.min = rb_build_int(b, 0);
    in.max = rb_build_int(b, 5);
    in.min_incl = in.max_incl = 1;
    in.item = 2;
    uint32_t in_k3 = rb_build_input(b, in);
    in = plain_input(SL_START);
    in.required = 0;
    in.def = rb_build_cstr(b, "2026-01-01");
    rb_build_input(b, in);

    rb_item it = {.slot = SL_K1, .section = 1, .points = rb_build_int(b, 10), .weight = RB_NONE,
                  .when_unit = RB_NONE, .input = in_k1, .low = RB_NONE};
    rb_build_item(b, it);
    it = (rb_item){.slot = SL_K2, .section = 1, .points = rb_build_int(b, 10), .weight = RB_NONE,
                   .when_unit = RB_NONE, .input = RB_NONE, .low = RB_NONE};
    rb_build_item(b, it);
    it = (rb_item){.slot = SL_K3, .section = 0, .points = rb_build_int(b, 5), .weight = RB_NONE,
                   .optional = 1, .when_unit = RB_NONE, .input = in_k3, .low = RB_NONE};
    rb_build_item(b, it);

    rb_section s = {.slot = RB_NONE, .parent = RB_NONE, .points = rb_build_int(b, 25),
                    .weight = RB_NONE, .first_child = 0, .nchildren = 2};
    rb_build_section(b, s);
    s = (rb_section){.slot = SL_S1, .parent = 0, .points = rb_build_int(b, 20), .weight = RB_NONE,
                     .first_child = 2, .nchildren = 2};
    rb_build_section(b, s);
    rb_build_child(b, (rb_child){CHILD_SECTION, 1});
    rb_build_child(b, (rb_child){CHILD_ITEM, 2});
    rb_build_child(b, (rb_child){CHILD_ITEM, 0});
    rb_build_child(b, (rb_child){CHILD_ITEM, 1});

    /* unit 0: let completion = sales / plan */
    uint32_t start = rb_build_here(b);
    rb_build_op1(b, OP_LOAD, SL_SALES);
    rb_build_op1(b, OP_LOAD, SL_PLAN);
    rb_build_op(b, OP_DIV);
    rb_build_op(b, OP_RET);
    add_unit(b, U_VALUE, SL_COMPLETION, start, "let completion", 12);

    /* unit 1: item k2 = band completion { >= 1: 10, >= 0.8: 8, else: 0 } */
    uint32_t band_first = p->narms;
    add_arm(b, RB_ARM_GE, rb_build_int(b, 1), RB_NONE, RB_NONE);
    add_arm(b, RB_ARM_GE, rb_build_number(b, q(4, 5)), RB_NONE, RB_NONE);
    add_arm(b, RB_ARM_ELSE, RB_NONE, RB_NONE, RB_NONE);
    rb_band band = {band_first, 3};
    uint32_t band_index = rb_build_band(b, band);
    start = rb_build_here(b);
    rb_build_op1(b, OP_LOAD, SL_COMPLETION);
    info->band_at = rb_build_op1(b, OP_BAND, band_index);
    uint32_t ends[3];
    static const int64_t results[3] = {10, 8, 0};
    for (int k = 0; k < 3; k++) {
        p = rb_builder_program(b);
        p->arms[band_first + (uint32_t)k].target = rb_build_here(b);
        rb_build_op1(b, OP_CONST, rb_build_int(b, results[k]));
        ends[k] = rb_build_op1(b, OP_JUMP, 0);
    }
    for (int k = 0; k < 3; k++) rb_build_patch(b, ends[k], rb_build_here(b));
    rb_build_op(b, OP_RET);
    add_unit(b, U_ITEM, 1, start, "item k2", 16);

    /* unit 2: section s1 */
    add_unit(b, U_SECTION, 1, rb_build_here(b), "section s1", 14);

    /* unit 3: output pay = min((if completion >= 1 then 1.2 else 1) + (bonus ?? 0)
     *                          + method, 100) */
    start = rb_build_here(b);
    rb_build_op1(b, OP_LOAD, SL_COMPLETION);
    rb_build_op1(b, OP_CONST, rb_build_int(b, 1));
    rb_build_op(b, OP_GE);
    uint32_t jf = info->pay_jumpf = rb_build_op1(b, OP_JUMPF, 0);
    rb_build_op1(b, OP_CONST, rb_build_number(b, q(6, 5)));
    uint32_t je = info->pay_skip = rb_build_op1(b, OP_JUMP, 0);
    rb_build_patch(b, jf, rb_build_here(b));
    rb_build_op1(b, OP_CONST, rb_build_int(b, 1));
    rb_build_patch(b, je, rb_build_here(b));
    info->bonus_guard = rb_build_op1(b, OP_LOAD, SL_BONUS);
    rb_build_op(b, OP_PRESENT);
    jf = rb_build_op1(b, OP_JUMPF, 0);
    info->bonus_loadv = rb_build_op1(b, OP_LOADV, SL_BONUS);
    je = rb_build_op1(b, OP_JUMP, 0);
    rb_build_patch(b, jf, rb_build_here(b));
    rb_build_op1(b, OP_CONST, rb_build_int(b, 0));
    rb_build_patch(b, je, rb_build_here(b));
    rb_build_op(b, OP_ADD);
    rb_build_op1(b, OP_LOAD, SL_METHOD);
    rb_build_op(b, OP_TONUM);
    rb_build_op(b, OP_ADD);
    rb_build_op1(b, OP_CONST, rb_build_int(b, 100));
    rb_build_op1(b, OP_MIN, 2);
    rb_build_op(b, OP_RET);
    info->pay_unit = add_unit(b, U_VALUE, SL_PAY, start, "output pay", 21);

    /* unit 4: check completion <= 2 "completion must be at most 200%" */
    start = rb_build_here(b);
    rb_build_op1(b, OP_LOAD, SL_COMPLETION);
    rb_build_op1(b, OP_CONST, rb_build_int(b, 2));
    rb_build_op(b, OP_LE);
    rb_build_op(b, OP_RET);
    info->s_message = rb_build_cstr(b, "completion must be at most 200%");
    add_unit(b, U_CHECK, info->s_message, start, "check", 23);

    /* unit 5: warn count(channels) >= 1 and has(channels, "web") "…" */
    start = rb_build_here(b);
    rb_build_op1(b, OP_LOAD, SL_CHANNELS);
    rb_build_op(b, OP_COUNT);
    rb_build_op1(b, OP_CONST, rb_build_int(b, 1));
    rb_build_op(b, OP_GE);
    jf = rb_build_op1(b, OP_JUMPF, 0);
    rb_build_op1(b, OP_LOAD, SL_CHANNELS);
    rb_build_op1(b, OP_HAS, info->o_web);
    je = rb_build_op1(b, OP_JUMP, 0);
    rb_build_patch(b, jf, rb_build_here(b));
    rb_build_op(b, OP_FALSE);
    rb_build_patch(b, je, rb_build_here(b));
    rb_build_op(b, OP_RET);
    add_unit(b, U_WARN, rb_build_cstr(b, "no web channel \"chosen\"\n"), start, "warn", 24);

    /* unit 6: check start >= "2026-01-01" and name != "" */
    start = rb_build_here(b);
    rb_build_op1(b, OP_LOAD, SL_START);
    rb_build_op1(b, OP_DATE, rb_build_cstr(b, "2026-01-01"));
    rb_build_op(b, OP_GE);
    rb_build_op1(b, OP_LOAD, SL_NAME);
    rb_build_op1(b, OP_TEXT, rb_build_cstr(b, ""));
    rb_build_op(b, OP_NE);
    rb_build_op(b, OP_EQ);
    rb_build_op(b, OP_RET);
    add_unit(b, U_CHECK, info->s_message, start, "check", 25);

    /* unit 7: the form */
    add_unit(b, U_SECTION, 0, rb_build_here(b), "form sample", 2);

    /* grade: >= 20 good, >= 10 ok, else poor */
    p = rb_builder_program(b);
    p->grade.first_arm = p->narms;
    add_arm(b, RB_ARM_GE, rb_build_int(b, 20), rb_build_cstr(b, "good"), rb_build_cstr(b, "良好"));
    add_arm(b, RB_ARM_GE, rb_build_int(b, 10), rb_build_cstr(b, "ok"), rb_build_cstr(b, "合格"));
    add_arm(b, RB_ARM_ELSE, RB_NONE, rb_build_cstr(b, "poor"), rb_build_cstr(b, "需要改进"));
    p = rb_builder_program(b);
    p->grade.narms = 3;
    return b;
}

static rb_program *sample(sample_info *info)
{
    return rb_builder_finish(build_sample(info));
}

/* ---- helpers ---------------------------------------------------------------- */

static void reseal(uint8_t *bytes, size_t len)
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, len - SHA256_DIGEST_SIZE, bytes);
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, bytes + len - SHA256_DIGEST_SIZE);
}

static size_t find_tag(const uint8_t *bytes, size_t len, const char *tag)
{
    for (size_t i = 16; i + 4 <= len; i++)
        if (memcmp(bytes + i, tag, 4) == 0) return i;
    fail_msg("tag %s not found", tag);
    return 0;
}

static void put32(uint8_t *at, uint32_t v)
{
    for (int i = 0; i < 4; i++) at[i] = (uint8_t)(v >> (8 * i));
}

static void expect_verify_error(rb_builder *b, const char *needle)
{
    char err[512] = "";
    int rc = rb_program_verify(rb_builder_program(b), RB_LANG_EN, err, sizeof err);
    if (rc == 0 || !strstr(err, needle)) {
        rb_builder_free(b);
        fail_msg("expected an error containing '%s', got rc=%d '%s'", needle, rc, err);
    }
    rb_builder_free(b);
}

static void expect_load_error(const uint8_t *bytes, size_t len, const char *needle)
{
    char err[512] = "";
    rb_program *p = rb_program_load(bytes, len, RB_LANG_EN, err, sizeof err);
    if (p || !strstr(err, needle)) {
        rb_program_free(p);
        fail_msg("expected a load error containing '%s', got '%s'", needle, err);
    }
}

/* Appends a U_CHECK unit whose code the caller emits between begin/end. */
static uint32_t begin_unit(rb_builder *b)
{
    return rb_build_here(b);
}

static void end_unit(rb_builder *b, uint32_t start, uint8_t kind)
{
    /* a check reports the form's name; a value goes to a fresh let */
    uint32_t target = kind == U_CHECK
                          ? rb_builder_program(b)->name
                          : add_slot(b, "extra", SLOT_LET, RB_T_NUMBER, 0, RB_NONE, 30);
    add_unit(b, kind, target, start, kind == U_CHECK ? "check" : "let extra", 30);
}

/* ---- the names of the program's enums ---------------------------------------- */

/* Each list names every member, distinctly, and nothing else: n names from
 * `first` (below it and from first + n on, "?"). */
static void expect_names(const char *(*name)(unsigned), unsigned first, unsigned n, const char *what)
{
    for (unsigned i = first; i < first + n; i++) {
        const char *s = name(i);
        if (!s || !*s || strcmp(s, "?") == 0) fail_msg("%s %u has no name", what, i);
        for (unsigned j = first; j < i; j++)
            if (strcmp(name(j), s) == 0) fail_msg("%s %u and %u are both named %s", what, j, i, s);
    }
    if (first > 0) assert_string_equal(name(first - 1), "?");
    assert_string_equal(name(first + n), "?");
    assert_string_equal(name(255), "?");
}

static void test_enum_names(void **state)
{
    (void)state;
    expect_names(rb_slot_kind_name, SLOT_PARAM, SLOT_KIND_END - SLOT_PARAM, "slot kind");
    expect_names(rb_unit_kind_name, U_VALUE, U_KIND_END - U_VALUE, "unit kind");
    expect_names(rb_arm_op_text, RB_ARM_LT, RB_ARM_END - RB_ARM_LT, "arm op");
    /* the names are the language's words, and the file's bytes the positions */
    assert_int_equal(SLOT_HISTORY, 13);
    assert_string_equal(rb_slot_kind_name(SLOT_DEDUCT), "deduct");
    assert_int_equal(U_PREVIOUS, 12);
    assert_string_equal(rb_unit_kind_name(U_GRADE_ON), "grade-on");
    assert_int_equal(RB_ARM_ELSE, 4);
    assert_string_equal(rb_arm_op_text(RB_ARM_GE), ">=");
}

/* ---- tests: the good program ------------------------------------------------ */

static void test_sample_verifies(void **state)
{
    (void)state;
    rb_program *p = sample(NULL);
    char err[256] = "";
    int rc = rb_program_verify(p, RB_LANG_EN, err, sizeof err);
    if (rc) fail_msg("%s", err);
    assert_int_equal(p->units[0].max_stack, 2);
    assert_int_equal(p->units[1].max_stack, 1);
    assert_int_equal(p->units[3].max_stack, 2);
    assert_int_equal(p->units[6].max_stack, 3);
    rb_program_free(p);
}

static void test_builder_dedups(void **state)
{
    (void)state;
    rb_builder *b = rb_builder_new();
    uint32_t a = rb_build_cstr(b, "优秀");
    uint32_t c = rb_build_cstr(b, "good");
    assert_int_equal(rb_build_cstr(b, "优秀"), a);
    assert_int_not_equal(a, c);
    assert_int_equal(rb_build_string(b, "good!", 4), c);
    uint32_t n = rb_build_number(b, q(2, 5));
    assert_int_equal(rb_build_number(b, q(2, 5)), n);
    assert_int_not_equal(rb_build_number(b, q(-2, 5)), n);
    assert_int_equal(rb_build_int(b, 7), rb_build_int(b, 7));
    /* many strings: the table rehashes and keeps every one findable */
    char buf[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(buf, sizeof buf, "s%d", i);
        rb_build_cstr(b, buf);
    }
    for (int i = 0; i < 1000; i++) {
        snprintf(buf, sizeof buf, "s%d", i);
        assert_int_equal(rb_build_cstr(b, buf), (uint32_t)i + 2);
        assert_string_equal(rb_str(rb_builder_program(b), (uint32_t)i + 2), buf);
    }
    assert_int_equal(rb_builder_program(b)->nstrings, 1002);
    rb_builder_free(b);
}

static void test_roundtrip_identical(void **state)
{
    (void)state;
    rb_program *p = sample(NULL);
    size_t len1, len2;
    uint8_t *bytes1 = rb_program_serialize(p, &len1);
    char err[256] = "";
    rb_program *p2 = rb_program_load(bytes1, len1, RB_LANG_EN, err, sizeof err);
    if (!p2) fail_msg("%s", err);
    assert_string_equal(p->digest, p2->digest);
    uint8_t *bytes2 = rb_program_serialize(p2, &len2);
    assert_int_equal(len1, len2);
    assert_memory_equal(bytes1, bytes2, len1);
    assert_string_equal(p->digest, p2->digest);
    /* the loaded program is the built one */
    assert_int_equal(p2->nslots, SL_COUNT);
    assert_int_equal(p2->nunits, p->nunits);
    assert_string_equal(rb_str(p2, p2->label), "样例考核表");
    assert_int_equal(p2->units[3].line, 21);
    assert_int_equal(p2->units[3].max_stack, 2);
    free(bytes1);
    free(bytes2);
    rb_program_free(p);
    rb_program_free(p2);
}

static void test_deterministic(void **state)
{
    (void)state;
    rb_program *a = sample(NULL), *b = sample(NULL);
    size_t la, lb;
    uint8_t *ba = rb_program_serialize(a, &la), *bb = rb_program_serialize(b, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(ba, bb, la);
    /* serialising twice gives the same bytes too */
    size_t lc;
    uint8_t *bc = rb_program_serialize(a, &lc);
    assert_int_equal(la, lc);
    assert_memory_equal(ba, bc, la);
    free(ba);
    free(bb);
    free(bc);
    rb_program_free(a);
    rb_program_free(b);
}

static void test_digest_format(void **state)
{
    (void)state;
    rb_program *p = sample(NULL);
    size_t len;
    uint8_t *bytes = rb_program_serialize(p, &len);
    assert_int_equal(strlen(p->digest), 7 + 64);
    assert_memory_equal(p->digest, "sha256:", 7);
    for (int i = 7; i < 71; i++)
        assert_true((p->digest[i] >= '0' && p->digest[i] <= '9') ||
                    (p->digest[i] >= 'a' && p->digest[i] <= 'f'));
    /* the digest is the trailer, in hex */
    char hex[3];
    for (int i = 0; i < 32; i++) {
        snprintf(hex, sizeof hex, "%02x", bytes[len - 32 + (size_t)i]);
        assert_memory_equal(p->digest + 7 + 2 * i, hex, 2);
    }
    /* the format starts with the magic and version RB_FORMAT_VERSION, little-endian */
    assert_memory_equal(bytes, RB_MAGIC, 8);
    assert_int_equal(bytes[8], RB_FORMAT_VERSION);
    assert_int_equal(bytes[9] | bytes[10] | bytes[11] | bytes[12], 0);
    assert_memory_equal(bytes + 16, "HEAD", 4);
    /* a different program has a different digest */
    char first[72];
    memcpy(first, p->digest, sizeof first);
    p->precision = 3;
    free(bytes);
    bytes = rb_program_serialize(p, &len);
    assert_string_not_equal(first, p->digest);
    free(bytes);
    rb_program_free(p);
}

static void test_disasm(void **state)
{
    (void)state;
    rb_program *p = sample(NULL);
    size_t len;
    free(rb_program_serialize(p, &len));
    char err[256];
    assert_int_equal(rb_program_verify(p, RB_LANG_EN, err, sizeof err), 0);
    char *text = NULL;
    size_t tlen = 0;
    FILE *out = open_memstream(&text, &tlen);
    rb_program_disasm(out, p);
    fclose(out);
    static const char *const expect[] = {
        "form sample \"样例考核表\"",
        "digest     sha256:",
        "precision  2",
        "#",
        "0.8",
        "unit 0 let completion (line 12): value -> %6 completion",
        "LOAD    %1     ; sales",
        "DIV",
        "BAND    b0     ; >= 1 -> @",
        "else -> @",
        "JUMPF   @",
        "CONST   #",
        "; 1.2",
        "MIN     2",
        "HAS     o2     ; web",
        "DATE    $",
        "; \"2026-01-01\"",
        "unit 2 section s1 (line 14): aggregates section 1 s1",
        "\"no web channel \\\"chosen\\\"\\n\"",
        "section s1 points 20",
        "item k1 points 10 (input 6)",
        "item k2 points 10 (computed)",
        "grade\n  >= 20: good \"良好\"",
        "else: poor \"需要改进\"",
        "set 0 (numeric)",
        "phone \"电话\" = 1",
        "field    text    name",
        "input    number  bonus  maybe",
        "in [0, 10]",
        "unit \"万元\"",
    };
    for (size_t i = 0; i < sizeof expect / sizeof *expect; i++)
        if (!strstr(text, expect[i])) {
            fprintf(stderr, "%s", text);
            fail_msg("listing lacks '%s'", expect[i]);
        }
    free(text);
    rb_program_free(p);
}

/* ---- tests: verifier defects, built in memory ------------------------------- */

static void test_bad_jump_outside(void **state)
{
    (void)state;
    sample_info in;
    rb_builder *b = build_sample(&in);
    rb_build_patch(b, in.pay_jumpf, 9999);
    expect_verify_error(b, "unit 3 jumps to 9999, outside its code");
}

static void test_jump_mid_instruction(void **state)
{
    (void)state;
    sample_info in;
    rb_builder *b = build_sample(&in);
    rb_program *p = rb_builder_program(b);
    uint32_t target = p->code[in.pay_jumpf + 1] | (uint32_t)p->code[in.pay_jumpf + 2] << 8;
    rb_build_patch(b, in.pay_jumpf, target + 2);
    expect_verify_error(b, "the middle of an instruction");
}

static void test_jump_backwards(void **state)
{
    (void)state;
    sample_info in;
    rb_builder *b = build_sample(&in);
    rb_build_patch(b, in.pay_jumpf, rb_builder_program(b)->units[in.pay_unit].code_start);
    expect_verify_error(b, "jumps backwards");
    /* a jump to itself is a backward jump too (it would never end) */
    b = build_sample(&in);
    rb_build_patch(b, in.pay_jumpf, in.pay_jumpf);
    expect_verify_error(b, "jumps backwards");
}

static void test_band_arm_target_bad(void **state)
{
    (void)state;
    sample_info in;
    rb_builder *b = build_sample(&in);
    rb_builder_program(b)->arms[1].target += 1;
    expect_verify_error(b, "the middle of an instruction");
    b = build_sample(&in);
    rb_builder_program(b)->arms[0].target = in.band_at;
    expect_verify_error(b, "jumps backwards");
    b = build_sample(&in);
    rb_builder_program(b)->arms[2].target = 5;
    expect_verify_error(b, "unit 1 jumps to 5, outside its code");
}

static void test_stack_underflow(void **state)
{
    (void)state;
    rb_builder *b = build_sample(NULL);
    uint32_t s = begin_unit(b);
    rb_build_op1(b, OP_CONST, rb_build_int(b, 1));
    rb_build_op(b, OP_ADD);
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_CHECK);
    expect_verify_error(b, "ADD at");
    b = build_sample(NULL);
    s = begin_unit(b);
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_CHECK);
    expect_verify_error(b, "RET at");
    b = build_sample(NULL);
    s = begin_unit(b);
    rb_build_op1(b, OP_CONST, rb_build_int(b, 1));
    rb_build_op1(b, OP_MAX, 2);
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_VALUE);
    expect_verify_error(b, "needs 2 values but the stack has 1");
}

static void test_stack_overflow(void **state)
{
    (void)state;
    rb_builder *b = build_sample(NULL);
    uint32_t s = begin_unit(b);
    for (int i = 0; i < 257; i++) rb_build_op(b, OP_TRUE);
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_CHECK);
    expect_verify_error(b, "stack overflow at");
}

static void test_type_mismatch(void **state)
{
    (void)state;
    rb_builder *b = build_sample(NULL);
    uint32_t s = begin_unit(b);
    rb_build_op1(b, OP_CONST, rb_build_int(b, 1));
    rb_build_op(b, OP_TRUE);
    rb_build_op(b, OP_ADD);
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_VALUE);
    expect_verify_error(b, "ADD at");
    b = build_sample(NULL);
    s = begin_unit(b);
    rb_build_op1(b, OP_CONST, rb_build_int(b, 1));
    rb_build_op1(b, OP_TEXT, rb_build_cstr(b, "x"));
    rb_build_op(b, OP_LT);
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_CHECK);
    expect_verify_error(b, "LT at");
    /* a maybe value used as a number */
    b = build_sample(NULL);
    s = begin_unit(b);
    rb_build_op1(b, OP_LOAD, SL_BONUS);
    rb_build_op1(b, OP_CONST, rb_build_int(b, 1));
    rb_build_op(b, OP_ADD);
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_VALUE);
    expect_verify_error(b, "expects num, found maybe");
    /* PRESENT of a value that is always there */
    b = build_sample(NULL);
    s = begin_unit(b);
    rb_build_op1(b, OP_LOAD, SL_SALES);
    rb_build_op(b, OP_PRESENT);
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_CHECK);
    expect_verify_error(b, "PRESENT at");
    /* comparing two bools with < */
    b = build_sample(NULL);
    s = begin_unit(b);
    rb_build_op(b, OP_TRUE);
    rb_build_op(b, OP_FALSE);
    rb_build_op(b, OP_GT);
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_CHECK);
    expect_verify_error(b, "cannot compare bool values");
    /* JUMPF on a number */
    b = build_sample(NULL);
    s = begin_unit(b);
    rb_build_op1(b, OP_CONST, rb_build_int(b, 1));
    uint32_t j = rb_build_op1(b, OP_JUMPF, 0);
    rb_build_patch(b, j, rb_build_here(b));
    rb_build_op(b, OP_TRUE);
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_CHECK);
    expect_verify_error(b, "JUMPF at");
    /* COUNT of a choice */
    b = build_sample(NULL);
    s = begin_unit(b);
    rb_build_op1(b, OP_LOAD, SL_METHOD);
    rb_build_op(b, OP_COUNT);
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_VALUE);
    expect_verify_error(b, "expects set, found choice");
}

static void test_merge_mismatch(void **state)
{
    (void)state;
    /* TRUE; JUMPF L; CONST 1; JUMP E; L: TRUE; E: RET — num meets bool */
    rb_builder *b = build_sample(NULL);
    uint32_t s = begin_unit(b);
    rb_build_op(b, OP_TRUE);
    uint32_t jf = rb_build_op1(b, OP_JUMPF, 0);
    rb_build_op1(b, OP_CONST, rb_build_int(b, 1));
    uint32_t je = rb_build_op1(b, OP_JUMP, 0);
    rb_build_patch(b, jf, rb_build_here(b));
    rb_build_op(b, OP_TRUE);
    rb_build_patch(b, je, rb_build_here(b));
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_CHECK);
    expect_verify_error(b, "stack types differ where paths meet");
    /* one path pushes two values, the other one */
    b = build_sample(NULL);
    s = begin_unit(b);
    rb_build_op(b, OP_TRUE);
    jf = rb_build_op1(b, OP_JUMPF, 0);
    rb_build_op(b, OP_TRUE);
    rb_build_op(b, OP_TRUE);
    je = rb_build_op1(b, OP_JUMP, 0);
    rb_build_patch(b, jf, rb_build_here(b));
    rb_build_op(b, OP_TRUE);
    rb_build_patch(b, je, rb_build_here(b));
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_CHECK);
    expect_verify_error(b, "stack depth differs where paths meet");
}

static void test_unit_end(void **state)
{
    (void)state;
    rb_builder *b = build_sample(NULL);
    uint32_t s = begin_unit(b);
    rb_build_op(b, OP_TRUE);
    end_unit(b, s, U_CHECK);
    expect_verify_error(b, "does not end in RET");
    b = build_sample(NULL);
    s = begin_unit(b);
    rb_build_op(b, OP_TRUE);
    rb_build_op(b, OP_TRUE);
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_CHECK);
    expect_verify_error(b, "with 2 values on the stack");
    b = build_sample(NULL);
    s = begin_unit(b);
    rb_build_op1(b, OP_CONST, rb_build_int(b, 1));
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_CHECK);
    expect_verify_error(b, "(check) returns num, expected bool");
    b = build_sample(NULL);
    s = begin_unit(b);
    rb_build_op(b, OP_TRUE);
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_VALUE);
    expect_verify_error(b, "(value) returns bool, expected num");
    /* every unit kind is named in the message, the later ones too */
    b = build_sample(NULL);
    s = begin_unit(b);
    rb_build_op1(b, OP_CONST, rb_build_int(b, 1));
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_CHECK);
    rb_unit *cap = &rb_builder_program(b)->units[rb_builder_program(b)->nunits - 1];
    cap->kind = U_CAP;
    cap->target = 0;
    expect_verify_error(b, "(cap) returns num, expected bool");
    /* an instruction cut by the end of the unit */
    b = build_sample(NULL);
    s = begin_unit(b);
    rb_build_op(b, OP_TRUE);
    rb_build_op(b, OP_RET);
    rb_build_op1(b, OP_CONST, 0);
    end_unit(b, s, U_CHECK);
    rb_builder_program(b)->units[rb_builder_program(b)->nunits - 1].code_len -= 2;
    expect_verify_error(b, "runs past the end of its code");
    /* unknown opcode */
    b = build_sample(NULL);
    s = begin_unit(b);
    rb_build_op(b, (rb_opcode)200);
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_CHECK);
    expect_verify_error(b, "unknown opcode 200");
    /* code range outside the code */
    b = build_sample(NULL);
    rb_builder_program(b)->units[0].code_len = 100000;
    expect_verify_error(b, "is outside the code");
    b = build_sample(NULL);
    rb_builder_program(b)->units[3].code_start = 0;
    expect_verify_error(b, "unit 3: code 0+76 overlaps the code of an earlier unit (which ends at 53)");
    b = build_sample(NULL);
    rb_builder_program(b)->units[0].code_len = 0;
    expect_verify_error(b, "unit 0 has no code");
    b = build_sample(NULL);
    rb_builder_program(b)->units[2].code_len = 1;
    expect_verify_error(b, "unit 2 (section) has code");
}

static void test_operands(void **state)
{
    (void)state;
    rb_builder *b = build_sample(NULL);
    uint32_t s = begin_unit(b);
    rb_build_op1(b, OP_CONST, 4000);
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_VALUE);
    expect_verify_error(b, "CONST at");
    b = build_sample(NULL);
    s = begin_unit(b);
    rb_build_op1(b, OP_LOAD, 4000);
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_VALUE);
    expect_verify_error(b, "slot table index 4000 out of range");
    b = build_sample(NULL);
    s = begin_unit(b);
    rb_build_op1(b, OP_TEXT, RB_NONE);
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_VALUE);
    expect_verify_error(b, "missing string table reference");
    b = build_sample(NULL);
    s = begin_unit(b);
    rb_build_op1(b, OP_CONST, 0);
    rb_build_op1(b, OP_AVG, 0);
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_VALUE);
    expect_verify_error(b, "AVG at");
    b = build_sample(NULL);
    s = begin_unit(b);
    rb_build_op1(b, OP_CONST, 0);
    rb_build_op1(b, OP_MIN, 256);
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_VALUE);
    expect_verify_error(b, "takes 256 values (must be 1..255)");
    b = build_sample(NULL);
    s = begin_unit(b);
    rb_build_op1(b, OP_DATE, rb_build_cstr(b, "2026-02-30"));
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_CHECK);
    expect_verify_error(b, "not a date");
}

/* Serialises the built program and loads it: the loader's verifier must
 * reject it with `needle`. */
static void expect_load_rejects(rb_builder *b, const char *needle)
{
    rb_program *p = rb_builder_finish(b);
    size_t len;
    uint8_t *bytes = rb_program_serialize(p, &len);
    rb_program_free(p);
    expect_load_error(bytes, len, needle);
    free(bytes);
}

/* What the evaluator relies on without checking (the safety contract in
 * vm.c) beyond the tables and the types: absent values reach nothing but
 * PRESENT, and LOADV reads a maybe slot only where it was proved present. */
static void test_presence_proofs(void **state)
{
    (void)state;
    sample_info in;
    char err[256], want[160];
    /* LOADV bonus guarded by PRESENT of another slot */
    rb_builder *b = build_sample(&in);
    rb_build_patch(b, in.bonus_guard, SL_K3);
    snprintf(want, sizeof want,
             "bytecode: unit 3: LOADV at %u reads bonus, which may be absent, without LOAD; PRESENT; JUMPF right "
             "before it", in.bonus_loadv);
    expect_load_rejects(b, want);
    /* a jump that skips the PRESENT test and lands on the LOADV: stack
     * depth and types agree, so only the presence rule catches it */
    b = build_sample(&in);
    rb_build_patch(b, in.pay_skip, in.bonus_loadv);
    expect_load_rejects(b, want);

    /* an item's value is never a default */
    b = build_sample(&in);
    rb_builder_program(b)->inputs[in.in_k1].def = rb_build_int(b, 3);
    expect_load_rejects(b, "input 6 (k1) is an item's and has a default");

    /* a section whose only non-optional child is a deduction applies only
     * when its optional item does: its slot must be maybe (deductions never
     * make a section apply) */
    b = build_sample(&in);
    rb_program *p = rb_builder_program(b);
    p->slots[SL_K1].maybe = 1;
    p->items[0].optional = 1;
    p->inputs[in.in_k1].required = 0;
    p->items[1].is_deduct = 1;
    p->slots[SL_K2].kind = SLOT_DEDUCT;
    expect_load_rejects(b, "section 1 (s1) may have nothing applicable but its slot is not maybe");

    /* when nothing in the form may apply, the `total` slot is absent then:
     * it must be maybe (and with it maybe, the program is good) */
    for (int maybe = 0; maybe <= 1; maybe++) {
        b = build_sample(&in);
        rb_builder_program(b)->slots[SL_S1].maybe = 1; /* root: s1 and k3, both maybe */
        add_slot(b, "total", SLOT_TOTAL, RB_T_NUMBER, (uint8_t)maybe, RB_NONE, 30);
        add_unit(b, U_RESULT, 0, rb_build_here(b), "result", 30);
        if (!maybe) {
            expect_load_rejects(b, "slot 13 (total) is absent when nothing in the form applies but is not maybe");
            continue;
        }
        p = rb_builder_finish(b);
        assert_int_equal(rb_program_verify(p, RB_LANG_EN, err, sizeof err), 0);
        rb_program_free(p);
    }
}

static void test_choices(void **state)
{
    (void)state;
    sample_info in;
    /* HAS with an option of another set */
    rb_builder *b = build_sample(&in);
    uint32_t s = begin_unit(b);
    rb_build_op1(b, OP_LOAD, SL_CHANNELS);
    rb_build_op1(b, OP_HAS, 0);
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_CHECK);
    expect_verify_error(b, "not in the set's choice set");
    /* TONUM of a choice set without numbers */
    b = build_sample(&in);
    s = begin_unit(b);
    rb_build_op1(b, OP_LOAD, SL_CHANNELS);
    rb_build_op(b, OP_TONUM);
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_VALUE);
    expect_verify_error(b, "options have no numbers");
    /* a choice set of 0 and of 65 options; outside the option table */
    b = build_sample(&in);
    rb_builder_program(b)->choicesets[0].count = 0;
    expect_verify_error(b, "has 0 options (must be 1..64)");
    b = build_sample(&in);
    rb_builder_program(b)->choicesets[1].count = 65;
    expect_verify_error(b, "has 65 options (must be 1..64)");
    b = build_sample(&in);
    rb_builder_program(b)->choicesets[1].count = 4;
    expect_verify_error(b, "outside the option table");
    b = build_sample(&in);
    rb_builder_program(b)->choicesets[1].numeric = 1;
    expect_verify_error(b, "is numeric but option 2 has no number");
    /* a choice slot without a set */
    b = build_sample(&in);
    rb_builder_program(b)->slots[SL_METHOD].choiceset = RB_NONE;
    expect_verify_error(b, "does not fit its type");
}

static void test_bad_indices(void **state)
{
    (void)state;
    rb_builder *b = build_sample(NULL);
    rb_builder_program(b)->slots[3].name = 999;
    expect_verify_error(b, "slot 3 name: string table index 999 out of range");
    b = build_sample(NULL);
    rb_builder_program(b)->name = RB_NONE;
    expect_verify_error(b, "form name: missing string table reference");
    b = build_sample(NULL);
    rb_builder_program(b)->options[1].value = 77;
    expect_verify_error(b, "option 1 value: number table index 77 out of range");
    b = build_sample(NULL);
    rb_builder_program(b)->inputs[2].min = 500;
    expect_verify_error(b, "input 2 min: number table index 500");
    b = build_sample(NULL);
    rb_builder_program(b)->items[1].points = RB_NONE;
    expect_verify_error(b, "item 1 points: missing number table reference");
    b = build_sample(NULL);
    rb_builder_program(b)->sections[1].first_child = 3;
    expect_verify_error(b, "are outside the child table");
    b = build_sample(NULL);
    rb_builder_program(b)->children[3].index = 9;
    expect_verify_error(b, "child 3: item table index 9 out of range");
    b = build_sample(NULL);
    rb_builder_program(b)->units[4].target = 12345;
    expect_verify_error(b, "unit 4 message: string table index 12345");
    b = build_sample(NULL);
    rb_builder_program(b)->units[4].decl = 12345;
    expect_verify_error(b, "unit 4 declaration");
    b = build_sample(NULL);
    rb_builder_program(b)->slots[2].kind = SLOT_HISTORY + 1;
    expect_verify_error(b, "slot 2 (plan) has unknown kind 14");
    b = build_sample(NULL);
    rb_builder_program(b)->slots[2].type = 0;
    expect_verify_error(b, "slot 2 (plan) has unknown type 0");
    b = build_sample(NULL);
    rb_builder_program(b)->units[4].kind = 42;
    expect_verify_error(b, "unit 4 has unknown kind 42");
    b = build_sample(NULL);
    rb_builder_program(b)->children[0].kind = 7;
    expect_verify_error(b, "child 0 has unknown kind 7");
    b = build_sample(NULL);
    rb_builder_program(b)->slots[0].maybe = 2;
    expect_verify_error(b, "slot 0: maybe flag is 2, not 0 or 1");
    b = build_sample(NULL);
    rb_builder_program(b)->precision = 19;
    expect_verify_error(b, "precision 19 is more than 18 digits");
    b = build_sample(NULL);
    rb_builder_program(b)->bands[0].narms = 40;
    expect_verify_error(b, "band 0 arms 0+40 are outside the arm table");
}

static void test_constants(void **state)
{
    (void)state;
    rb_builder *b = build_sample(NULL);
    rb_builder_program(b)->numbers[0] = q(2, 4);
    expect_verify_error(b, "number 0 is not a valid rational (2/4)");
    b = build_sample(NULL);
    rb_builder_program(b)->numbers[0] = q(1, 0);
    expect_verify_error(b, "number 0 is not a valid rational (1/0)");
    b = build_sample(NULL);
    rb_builder_program(b)->numbers[0] = q(INT64_MIN, 1);
    expect_verify_error(b, "is not a valid rational");
    b = build_sample(NULL);
    rb_builder_program(b)->numbers[0] = q(0, 3);
    expect_verify_error(b, "is not a valid rational (0/3)");
    b = build_sample(NULL);
    rb_builder_program(b)->numbers[0] = q(1, -2);
    expect_verify_error(b, "is not a valid rational");
    /* strings: invalid UTF-8 (overlong, surrogate, stray continuation,
     * truncated sequence), NUL inside, outside the data */
    static const char *const bad[] = {"\xc0\xaf", "\xed\xa0\x80", "a\x80", "\xe4\xbd", "\xf5\x80\x80\x80"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        b = build_sample(NULL);
        uint32_t sidx = rb_build_cstr(b, bad[i]);
        char want[64];
        snprintf(want, sizeof want, "string %u is not valid UTF-8", sidx);
        expect_verify_error(b, want);
    }
    b = build_sample(NULL);
    uint32_t sidx = rb_build_string(b, "a\0b", 3);
    char want[64];
    snprintf(want, sizeof want, "string %u contains a NUL byte", sidx);
    expect_verify_error(b, want);
    b = build_sample(NULL);
    rb_builder_program(b)->string_off[2] = 1u << 30;
    expect_verify_error(b, "string 2 lies outside the string data");
}

static void test_section_tree(void **state)
{
    (void)state;
    /* a cycle: two sections listing each other, detached from the root */
    rb_builder *b = build_sample(NULL);
    uint32_t a = add_slot(b, "ca", SLOT_SECTION, RB_T_NUMBER, 0, RB_NONE, 40);
    uint32_t c = add_slot(b, "cb", SLOT_SECTION, RB_T_NUMBER, 0, RB_NONE, 41);
    uint32_t first = rb_builder_program(b)->nchildren;
    rb_build_child(b, (rb_child){CHILD_SECTION, 3});
    rb_build_child(b, (rb_child){CHILD_SECTION, 2});
    rb_section s = {.slot = a, .parent = 3, .points = 0, .weight = RB_NONE,
                    .first_child = first, .nchildren = 1};
    rb_build_section(b, s);
    s = (rb_section){.slot = c, .parent = 2, .points = 0, .weight = RB_NONE,
                     .first_child = first + 1, .nchildren = 1};
    rb_build_section(b, s);
    expect_verify_error(b, "is part of a cycle");
    /* an item listed twice */
    b = build_sample(NULL);
    rb_builder_program(b)->children[3].index = 0;
    expect_verify_error(b, "item 0 (k1) is listed in more than one section");
    /* an item whose parent link disagrees */
    b = build_sample(NULL);
    rb_builder_program(b)->items[1].section = 0;
    expect_verify_error(b, "item 1 (k2) is listed in section 1 but names section 0");
    /* an item in no section */
    b = build_sample(NULL);
    rb_builder_program(b)->sections[1].nchildren = 1;
    expect_verify_error(b, "item 1 (k2) is in no section");
    /* a section whose parent link disagrees */
    b = build_sample(NULL);
    rb_builder_program(b)->sections[1].parent = 1;
    expect_verify_error(b, "section 1 is listed in section 0 but names section 1");
    /* the root listed as a child */
    b = build_sample(NULL);
    rb_builder_program(b)->children[0].index = 0;
    expect_verify_error(b, "child 0 is the root section");
    /* the root with a parent */
    b = build_sample(NULL);
    rb_builder_program(b)->sections[0].parent = 1;
    expect_verify_error(b, "section 0 is the root");
    /* no sections at all */
    b = build_sample(NULL);
    rb_builder_program(b)->nsections = 0;
    expect_verify_error(b, "there is no root section");
    /* weighted section with an unweighted child */
    b = build_sample(NULL);
    rb_builder_program(b)->sections[1].weighted = 1;
    rb_builder_program(b)->items[0].weight = rb_build_number(b, q(1, 2));
    expect_verify_error(b, "item 1 (k2) has no weight in weighted section 1");
    /* an item slot of the wrong kind */
    b = build_sample(NULL);
    rb_builder_program(b)->items[1].slot = SL_COMPLETION;
    expect_verify_error(b, "its slot is not an item slot");
    /* a section slot that is not a number */
    b = build_sample(NULL);
    rb_builder_program(b)->slots[SL_S1].type = RB_T_TEXT;
    expect_verify_error(b, "holds a score but is not a number");
}

static void test_units_and_order(void **state)
{
    (void)state;
    /* a unit reading a slot computed by a later unit */
    rb_builder *b = build_sample(NULL);
    rb_build_patch(b, 0, SL_PAY); /* unit 0's first LOAD */
    expect_verify_error(b, "unit 0: LOAD at 0 reads pay before it is computed");
    /* … or one that nothing computes */
    b = build_sample(NULL);
    uint32_t extra = add_slot(b, "orphan", SLOT_LET, RB_T_NUMBER, 0, RB_NONE, 40);
    rb_build_patch(b, 0, extra);
    expect_verify_error(b, "unit 0: LOAD at 0 reads orphan before it is computed");
    rb_program *p;
    rb_unit t;
    /* a section aggregated before its items are computed */
    b = build_sample(NULL);
    p = rb_builder_program(b);
    t = p->units[1];
    p->units[1] = p->units[2];
    p->units[2] = t;
    expect_verify_error(b, "unit 1 aggregates section 1 before its child k2 is computed");
    /* two units computing the same slot */
    b = build_sample(NULL);
    p = rb_builder_program(b);
    p->units[3].target = SL_COMPLETION;
    expect_verify_error(b, "slot 6 (completion) is given a value twice");
    /* a unit computing a directly-rated item */
    b = build_sample(NULL);
    uint32_t s = begin_unit(b);
    rb_build_op1(b, OP_CONST, rb_build_int(b, 1));
    rb_build_op(b, OP_RET);
    add_unit(b, U_ITEM, 0, s, "item k1", 15);
    expect_verify_error(b, "unit 8 computes item 0 (k1), which is rated directly");
    /* an item nobody computes */
    b = build_sample(NULL);
    rb_builder_program(b)->units[1].kind = U_CHECK;
    rb_builder_program(b)->units[1].target = 0;
    expect_verify_error(b, "item 1 (k2) is neither rated nor computed");
    /* a U_VALUE unit writing an input */
    b = build_sample(NULL);
    rb_builder_program(b)->units[0].target = SL_SALES;
    expect_verify_error(b, "which is not a param, let or output");
    /* the form aggregated before its sections */
    b = build_sample(NULL);
    rb_builder_program(b)->units[2].target = 0;
    expect_verify_error(b, "unit 2 aggregates section 0 before its child s1 is computed");
    /* a section aggregated twice, and not at all */
    b = build_sample(NULL);
    rb_builder_program(b)->units[7].target = 1;
    expect_verify_error(b, "section 1 is aggregated by more than one unit");
    b = build_sample(NULL);
    p = rb_builder_program(b);
    /* drop unit 2 (section s1) and unit 7 (the form) */
    memmove(&p->units[2], &p->units[3], 4 * sizeof *p->units);
    p->nunits = 6;
    expect_verify_error(b, "section 1 has no section unit");
    /* total and grade-on units that the header does not name */
    b = build_sample(NULL);
    rb_builder_program(b)->units[4].kind = U_TOTAL;
    expect_verify_error(b, "unit 4 is a total unit but the form's total unit is");
    b = build_sample(NULL);
    rb_builder_program(b)->total_unit = 4;
    expect_verify_error(b, "is not a total unit");
    /* an optional input whose slot cannot hold "absent" */
    b = build_sample(NULL);
    rb_builder_program(b)->inputs[3].required = 0;
    rb_builder_program(b)->slots[SL_BONUS].maybe = 0;
    expect_verify_error(b, "input 3 (bonus) is optional but its slot is not maybe");
    b = build_sample(NULL);
    rb_builder_program(b)->slots[SL_K3].maybe = 0;
    expect_verify_error(b, "item 2 (k3) may not apply but its slot is not maybe");
    /* when units: the item and the unit must name each other */
    b = build_sample(NULL);
    rb_builder_program(b)->items[1].when_unit = 0;
    rb_builder_program(b)->slots[SL_K2].maybe = 1;
    expect_verify_error(b, "item 1 (k2): unit 0 is not its when unit");
    b = build_sample(NULL);
    rb_builder_program(b)->items[1].when_unit = 4;
    rb_builder_program(b)->slots[SL_K2].maybe = 1;
    expect_verify_error(b, "unit 1 computes item 1 (k2) before its when unit 4");
    /* rated input without raters */
    b = build_sample(NULL);
    rb_builder_program(b)->inputs[6].rated = 1;
    expect_verify_error(b, "is rated but the form has no raters");
    /* bad defaults */
    b = build_sample(NULL);
    rb_builder_program(b)->inputs[4].def = rb_build_int(b, 2);
    rb_builder_program(b)->inputs[4].required = 0;
    expect_verify_error(b, "choice default is not an option");
    b = build_sample(NULL);
    rb_builder_program(b)->inputs[8].def = rb_build_cstr(b, "2026-13-01");
    expect_verify_error(b, "input 8 (start): default \"2026-13-01\" is not a date");
    b = build_sample(NULL);
    rb_builder_program(b)->inputs[5].def = 0;
    rb_builder_program(b)->inputs[5].required = 0;
    expect_verify_error(b, "input 5 (channels): a choices value has no default");
    b = build_sample(NULL);
    rb_builder_program(b)->inputs[0].def = 5000;
    rb_builder_program(b)->inputs[0].required = 0;
    expect_verify_error(b, "input 0 default: string table index 5000 out of range");
}

static void test_arms(void **state)
{
    (void)state;
    /* else not last */
    rb_builder *b = build_sample(NULL);
    rb_program *p = rb_builder_program(b);
    rb_arm t = p->arms[1];
    p->arms[1] = p->arms[2];
    p->arms[2] = t;
    expect_verify_error(b, "band 0 arm 1: else is not the last arm");
    /* no else and no cover */
    b = build_sample(NULL);
    rb_builder_program(b)->bands[0].narms = 2;
    expect_verify_error(b, "band 0 has no else and its arms do not cover every number");
    /* grade out of order */
    b = build_sample(NULL);
    p = rb_builder_program(b);
    p->arms[p->grade.first_arm + 1].threshold = rb_build_int(b, 30);
    expect_verify_error(b, "grade thresholds are not ordered");
    /* bad arm op */
    b = build_sample(NULL);
    rb_builder_program(b)->arms[0].op = 9;
    expect_verify_error(b, "band 0 arm 0 has unknown op 9");
    /* else with a threshold */
    b = build_sample(NULL);
    rb_builder_program(b)->arms[2].threshold = 0;
    expect_verify_error(b, "else has a threshold");
    /* arms shared between the grade and a band */
    b = build_sample(NULL);
    rb_builder_program(b)->bands[0].first_arm = rb_builder_program(b)->grade.first_arm;
    expect_verify_error(b, "is shared by band 0 and another band");
    /* a band used by two BAND instructions */
    b = build_sample(NULL);
    uint32_t s = begin_unit(b);
    rb_build_op1(b, OP_CONST, 0);
    rb_build_op1(b, OP_BAND, 0);
    rb_build_op(b, OP_TRUE);
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_CHECK);
    expect_verify_error(b, "band 0 is used by BAND at");
    /* a grade without else covering every number: < 60 / >= 60 is fine */
    b = build_sample(NULL);
    p = rb_builder_program(b);
    uint32_t g = p->grade.first_arm;
    p->arms[g].op = RB_ARM_LT;
    p->arms[g].threshold = rb_build_int(b, 10);
    p = rb_builder_program(b);
    p->arms[g + 1].op = RB_ARM_GE;
    p->arms[g + 1].threshold = rb_build_int(b, 10);
    p->grade.narms = 2;
    char err[256] = "";
    if (rb_program_verify(p, RB_LANG_EN, err, sizeof err)) fail_msg("%s", err);
    /* … but < 10 / > 10 leaves 10 uncovered */
    p->arms[g + 1].op = RB_ARM_GT;
    assert_int_equal(rb_program_verify(p, RB_LANG_EN, err, sizeof err), -1);
    assert_non_null(strstr(err, "grade has no else"));
    rb_builder_free(b);
}

/* A rating scale (SPEC §12): 0 <= low < points, and an entered item's
 * input is bounded by exactly low..points. */
static void test_verify_rating_scale(void **state)
{
    (void)state;
    rb_builder *b = build_sample(NULL);
    rb_program *p = rb_builder_program(b);
    uint32_t ten = rb_build_int(b, 10);
    p->items[1].low = ten; /* K2, computed, points 10 */
    expect_verify_error(b, "its scale's low end is not in 0..points");
    b = build_sample(NULL);
    p = rb_builder_program(b);
    uint32_t one = rb_build_int(b, 1);
    p->items[0].low = one; /* K1 is entered: its input still says 0..10 */
    expect_verify_error(b, "its bounds are not its item's range");
    b = build_sample(NULL);
    p = rb_builder_program(b);
    one = rb_build_int(b, 1);
    p->items[0].low = one;
    p->inputs[p->items[0].input].min = one;
    char err[256] = "";
    if (rb_program_verify(p, RB_LANG_EN, err, sizeof err)) fail_msg("%s", err);
    rb_builder_free(b);
}

/* ---- tests: files ------------------------------------------------------------ */

static uint8_t *sample_bytes(size_t *len)
{
    rb_program *p = sample(NULL);
    uint8_t *bytes = rb_program_serialize(p, len);
    rb_program_free(p);
    return bytes;
}

static void test_file_header_errors(void **state)
{
    (void)state;
    size_t len;
    uint8_t *bytes = sample_bytes(&len);
    uint8_t *copy = malloc(len + 64);

    expect_load_error(bytes, 0, "bytecode: not a rubric bytecode file (bad magic number)");
    expect_load_error((const uint8_t *)"RUBRIC", 6, "bad magic number");
    memcpy(copy, bytes, len);
    copy[0] = 'X';
    expect_load_error(copy, len, "bad magic number");

    memcpy(copy, bytes, len);
    put32(copy + 8, 8);
    char err[256];
    assert_null(rb_program_load(copy, len, RB_LANG_EN, err, sizeof err));
    assert_string_equal(err, "bytecode: format version 8 is not supported (this rubric reads 7)");

    memcpy(copy, bytes, len);
    put32(copy + 12, 4);
    expect_load_error(copy, len, "bytecode: unknown flags 0x4");

    expect_load_error(bytes, 12, "the file ends early, in its header");
    expect_load_error(bytes, 40, "the file ends early, before its checksum");

    memcpy(copy, bytes, len);
    copy[len / 2] ^= 0x10;
    expect_load_error(copy, len, "bytecode: bad checksum");
    memcpy(copy, bytes, len);
    copy[len - 1] ^= 0x01;
    expect_load_error(copy, len, "bytecode: bad checksum");

    /* trailing bytes before the trailer */
    memcpy(copy, bytes, len - 32);
    memset(copy + len - 32, 0, 3);
    reseal(copy, len + 3);
    expect_load_error(copy, len + 3, "bytecode: 3 unexpected bytes after the last section");

    /* NULL err is fine */
    assert_null(rb_program_load(copy, 5, RB_LANG_EN, NULL, 0));
    free(copy);
    free(bytes);
}

static void test_file_hostile_counts(void **state)
{
    (void)state;
    static const char *const tags[] = {"NUMS", "STRS", "OPTS", "SLOT", "UNIT", "CODE", "CHLD"};
    size_t len;
    uint8_t *bytes = sample_bytes(&len);
    uint8_t *copy = malloc(len);
    for (size_t i = 0; i < sizeof tags / sizeof *tags; i++) {
        memcpy(copy, bytes, len);
        size_t at = find_tag(copy, len, tags[i]);
        put32(copy + at + 4, UINT32_MAX);
        reseal(copy, len);
        char want[96];
        snprintf(want, sizeof want, "bytecode: section %s claims 4294967295 entries", tags[i]);
        expect_load_error(copy, len, want);
    }
    /* a string length larger than the file */
    memcpy(copy, bytes, len);
    size_t at = find_tag(copy, len, "STRS");
    put32(copy + at + 8, 0x7fffffff);
    reseal(copy, len);
    expect_load_error(copy, len, "the file ends early, in section STRS");
    /* HEAD and GRAD must hold exactly one entry */
    memcpy(copy, bytes, len);
    put32(copy + 20, 2);
    reseal(copy, len);
    expect_load_error(copy, len, "section HEAD has 2 entries, expected 1");
    /* a section tag out of place */
    memcpy(copy, bytes, len);
    at = find_tag(copy, len, "OPTS");
    memcpy(copy + at, "OPTX", 4);
    reseal(copy, len);
    expect_load_error(copy, len, "bytecode: expected section OPTS at offset");
    free(copy);
    free(bytes);
}

static void test_file_structural_defects(void **state)
{
    (void)state;
    sample_info in;
    rb_program *p = sample(&in);
    size_t len;
    uint8_t *bytes = rb_program_serialize(p, &len);
    uint8_t *copy = malloc(len);
    size_t code = find_tag(bytes, len, "CODE") + 8;

    /* a jump target moved outside its unit: the verifier, through the loader */
    memcpy(copy, bytes, len);
    put32(copy + code + in.pay_jumpf + 1, 9999);
    reseal(copy, len);
    expect_load_error(copy, len, "bytecode: unit 3 jumps to 9999, outside its code");

    /* a jump target moved into the middle of an instruction */
    memcpy(copy, bytes, len);
    copy[code + in.pay_jumpf + 1] += 1;
    reseal(copy, len);
    expect_load_error(copy, len, "the middle of an instruction");

    /* an opcode changed: DIV → TEXT makes the operand swallow RET */
    memcpy(copy, bytes, len);
    copy[code + 10] = OP_TEXT;
    reseal(copy, len);
    expect_load_error(copy, len, "bytecode: unit 0: TEXT at 10 runs past the end of its code");

    /* DIV → NOT: type error */
    memcpy(copy, bytes, len);
    copy[code + 10] = OP_NOT;
    reseal(copy, len);
    expect_load_error(copy, len, "bytecode: unit 0: NOT at 10 expects bool, found num");

    /* a string made invalid UTF-8 */
    memcpy(copy, bytes, len);
    size_t strs = find_tag(bytes, len, "STRS");
    copy[strs + 12] = 0xff; /* first byte of string 0 ("sample") */
    reseal(copy, len);
    expect_load_error(copy, len, "bytecode: string 0 is not valid UTF-8");
    memcpy(copy, bytes, len);
    copy[strs + 12] = 0;
    reseal(copy, len);
    expect_load_error(copy, len, "bytecode: string 0 contains a NUL byte");

    /* a number made invalid: 10/1 → 10/0, and → 10/2 */
    memcpy(copy, bytes, len);
    size_t nums = find_tag(bytes, len, "NUMS") + 8;
    memset(copy + nums + 8, 0, 8);
    reseal(copy, len);
    expect_load_error(copy, len, "bytecode: number 0 is not a valid rational (25/0)");
    memcpy(copy, bytes, len);
    copy[nums + 8] = 5;
    reseal(copy, len);
    expect_load_error(copy, len, "bytecode: number 0 is not a valid rational (25/5)");

    /* a section's parent changed: the tree check */
    memcpy(copy, bytes, len);
    size_t sect = find_tag(bytes, len, "SECT") + 8;
    put32(copy + sect + 25 + 4, 1); /* section 1's parent := itself */
    reseal(copy, len);
    expect_load_error(copy, len, "bytecode: section 1 is listed in section 0 but names section 1");

    /* a valid change is accepted and re-serialises to the same bytes */
    memcpy(copy, bytes, len);
    size_t unit = find_tag(bytes, len, "UNIT") + 8;
    put32(copy + unit + 17, 99); /* unit 0's line */
    reseal(copy, len);
    char err[256] = "";
    rb_program *q2 = rb_program_load(copy, len, RB_LANG_EN, err, sizeof err);
    if (!q2) fail_msg("%s", err);
    assert_int_equal(q2->units[0].line, 99);
    size_t len2;
    uint8_t *again = rb_program_serialize(q2, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(again, copy, len);
    free(again);
    rb_program_free(q2);

    free(copy);
    free(bytes);
    rb_program_free(p);
}

/* Loads damaged bytes; a program that is accepted must be fully verified
 * and re-serialise to exactly the bytes it came from. */
static void load_any(const uint8_t *bytes, size_t len, bool checked, FILE *sink)
{
    char err[512];
    rb_program *p = checked ? rb_program_load(bytes, len, RB_LANG_EN, err, sizeof err)
                            : rb_program_load_unchecked(bytes, len, err, sizeof err);
    if (!p) {
        assert_true(strncmp(err, "bytecode: ", 10) == 0);
        return;
    }
    size_t len2;
    uint8_t *again = rb_program_serialize(p, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(again, bytes, len - 32);
    free(again);
    rb_program_disasm(sink, p);
    rb_program_free(p);
}

static void test_robust_bitflips(void **state)
{
    (void)state;
    size_t len;
    uint8_t *bytes = sample_bytes(&len);
    uint8_t *copy = malloc(len);
    FILE *sink = fopen("/dev/null", "w");
    assert_non_null(sink);
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(copy, bytes, len);
            copy[i] ^= (uint8_t)(1u << bit);
            /* unsealed: the checksum must catch it */
            char err[256];
            rb_program *p = rb_program_load(copy, len, RB_LANG_EN, err, sizeof err);
            assert_null(p);
            /* resealed: the loader's checks and the verifier must */
            if (i < len - 32) reseal(copy, len);
            load_any(copy, len, true, sink);
            load_any(copy, len, false, sink);
        }
        /* whole-byte replacements that hit counts and indices harder */
        static const uint8_t values[] = {0x00, 0xff, 0x7f, 0x80};
        for (size_t k = 0; k < sizeof values; k++) {
            memcpy(copy, bytes, len);
            copy[i] = values[k];
            if (i < len - 32) reseal(copy, len);
            load_any(copy, len, true, sink);
        }
    }
    fclose(sink);
    free(copy);
    free(bytes);
}

static void test_robust_truncation(void **state)
{
    (void)state;
    size_t len;
    uint8_t *bytes = sample_bytes(&len);
    uint8_t *copy = malloc(len);
    for (size_t cut = 0; cut < len; cut++) {
        char err[256];
        assert_null(rb_program_load(bytes, cut, RB_LANG_EN, err, sizeof err));
        assert_true(strncmp(err, "bytecode: ", 10) == 0);
        /* the body cut short, with a fresh checksum: the reader must stop */
        if (cut >= 16 && cut < len - 32) {
            memcpy(copy, bytes, cut);
            memset(copy + cut, 0, 32);
            reseal(copy, cut + 32);
            assert_null(rb_program_load(copy, cut + 32, RB_LANG_EN, err, sizeof err));
            assert_true(strncmp(err, "bytecode: ", 10) == 0);
        }
    }
    free(copy);
    free(bytes);
}

/* Random multi-byte damage with a fixed seed (reproducible). */
static void test_robust_random(void **state)
{
    (void)state;
    size_t len;
    uint8_t *bytes = sample_bytes(&len);
    uint8_t *copy = malloc(len);
    FILE *sink = fopen("/dev/null", "w");
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (int round = 0; round < 20000; round++) {
        memcpy(copy, bytes, len);
        int n = 1 + (int)(x % 4);
        for (int k = 0; k < n; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            copy[16 + x % (len - 48)] = (uint8_t)(x >> 32);
        }
        reseal(copy, len);
        load_any(copy, len, true, sink);
    }
    fclose(sink);
    free(copy);
    free(bytes);
}

/* A large program of many forward jumps verifies in linear time. */
static void test_large_program(void **state)
{
    (void)state;
    rb_builder *b = build_sample(NULL);
    uint32_t s = begin_unit(b);
    rb_build_op(b, OP_TRUE);
    for (int i = 0; i < 200000; i++) {
        uint32_t j = rb_build_op1(b, OP_JUMPT, 0);
        rb_build_patch(b, j, rb_build_here(b));
        rb_build_op(b, OP_TRUE);
    }
    rb_build_op(b, OP_RET);
    end_unit(b, s, U_CHECK);
    char err[256] = "";
    rb_program *p = rb_builder_program(b);
    if (rb_program_verify(p, RB_LANG_EN, err, sizeof err)) fail_msg("%s", err);
    size_t len;
    uint8_t *bytes = rb_program_serialize(p, &len);
    rb_program *p2 = rb_program_load(bytes, len, RB_LANG_EN, err, sizeof err);
    if (!p2) fail_msg("%s", err);
    assert_int_equal(p2->units[p2->nunits - 1].max_stack, 1);
    rb_program_free(p2);
    free(bytes);
    rb_builder_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enum_names),
        cmocka_unit_test(test_sample_verifies),
        cmocka_unit_test(test_builder_dedups),
        cmocka_unit_test(test_roundtrip_identical),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_digest_format),
        cmocka_unit_test(test_disasm),
        cmocka_unit_test(test_bad_jump_outside),
        cmocka_unit_test(test_jump_mid_instruction),
        cmocka_unit_test(test_jump_backwards),
        cmocka_unit_test(test_band_arm_target_bad),
        cmocka_unit_test(test_stack_underflow),
        cmocka_unit_test(test_stack_overflow),
        cmocka_unit_test(test_type_mismatch),
        cmocka_unit_test(test_merge_mismatch),
        cmocka_unit_test(test_unit_end),
        cmocka_unit_test(test_operands),
        cmocka_unit_test(test_choices),
        cmocka_unit_test(test_bad_indices),
        cmocka_unit_test(test_constants),
        cmocka_unit_test(test_section_tree),
        cmocka_unit_test(test_units_and_order),
        cmocka_unit_test(test_arms),
        cmocka_unit_test(test_verify_rating_scale),
        cmocka_unit_test(test_file_header_errors),
        cmocka_unit_test(test_file_hostile_counts),
        cmocka_unit_test(test_file_structural_defects),
        cmocka_unit_test(test_presence_proofs),
        cmocka_unit_test(test_robust_bitflips),
        cmocka_unit_test(test_robust_truncation),
        cmocka_unit_test(test_robust_random),
        cmocka_unit_test(test_large_program),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
