/* test_check.c — the checker's diagnostics (codes, positions, messages) and
 * the code generator's tables, through rb_compile on small templates. */
#include "testutil.h"

#include "compile.h"
#include "diag.h"
#include "program.h"

typedef struct {
    rb_source *src;
    rb_diags d;
    rb_program *p;
} compiled;

static compiled compile_defs(const char *text, const rb_define *defs, size_t n)
{
    compiled c;
    c.src = rb_source_new("t.rubric", text, strlen(text));
    rb_diags_init(&c.d);
    c.p = rb_compile(c.src, defs, n, &c.d);
    return c;
}

static compiled compile(const char *text)
{
    return compile_defs(text, NULL, 0);
}

static void release(compiled *c)
{
    rb_program_free(c->p);
    rb_diags_free(&c->d);
    rb_source_free(c->src);
}

/* Asserts that some diagnostic has `code` at line:col and that its message
 * contains `needle`. */
static void expect_diag(compiled *c, const char *code, unsigned line, unsigned col, const char *needle)
{
    for (size_t i = 0; i < c->d.count; i++) {
        rb_diag *g = &c->d.items[i];
        uint32_t l = 0, k = 0; /* 0:0 for a diagnostic with no place in the text (-D) */
        if (!RB_SPAN_IS_NONE(g->span)) rb_source_position(c->src, g->span.start, &l, &k);
        if (strcmp(g->code, code) == 0 && l == line && k == col && strstr(g->message, needle)) return;
    }
    for (size_t i = 0; i < c->d.count; i++) {
        uint32_t l = 0, k = 0;
        if (!RB_SPAN_IS_NONE(c->d.items[i].span)) rb_source_position(c->src, c->d.items[i].span.start, &l, &k);
        fprintf(stderr, "  have %s %u:%u %s\n", c->d.items[i].code, l, k, c->d.items[i].message);
    }
    fail_msg("no %s at %u:%u containing \"%s\"", code, line, col, needle);
}

static void expect_only(compiled *c, const char *code, unsigned line, unsigned col, const char *needle)
{
    expect_diag(c, code, line, col, needle);
    if (c->d.errors + c->d.warnings != 1) {
        for (size_t i = 0; i < c->d.count; i++) fprintf(stderr, "  have %s %s\n", c->d.items[i].code, c->d.items[i].message);
        fail_msg("expected exactly one diagnostic, got %zu", c->d.count);
    }
}

#define FORM(body) "form f {\n" body "}\n"

static void clean_presales(void **state)
{
    (void)state;
    compiled c = compile("form presales \"售前客服绩效考核表\" {\n"
                         "  period monthly\n"
                         "  field name \"员工姓名\": text\n"
                         "  section attitude \"服务态度\" points 20 {\n"
                         "    item knowledge \"专业知识\" points 10\n"
                         "    item patience \"耐心\" points 10\n"
                         "  }\n"
                         "  grade { >= 18: good \"好\" else: other \"其他\" }\n"
                         "}\n");
    assert_int_equal(c.d.count, 0);
    assert_non_null(c.p);
    assert_int_equal(c.p->nsections, 2);
    assert_int_equal(c.p->nitems, 2);
    assert_int_equal(c.p->ninputs, 3); /* name, knowledge, patience */
    assert_int_equal(c.p->grade.narms, 2);
    assert_string_equal(rb_str(c.p, c.p->period), "monthly");
    assert_int_equal(strncmp(c.p->digest, "sha256:", 7), 0);
    release(&c);
}

static void unknown_name_did_you_mean(void **state)
{
    (void)state;
    compiled c = compile(FORM("  input sales: number\n  input plan: number\n"
                              "  let completion = salse / plan\n"
                              "  item x points 10 = min(10, completion)\n"));
    /* 'sales' is not also reported as unused: the typo is the one problem */
    expect_only(&c, "E0201", 4, 20, "unknown name 'salse'");
    assert_string_equal(c.d.items[0].help, "did you mean 'sales'?");
    assert_null(c.p);
    release(&c);
}

static void duplicate_name(void **state)
{
    (void)state;
    compiled c = compile(FORM("  input a: number\n  item b points 5 = a\n  let a = 1\n"));
    expect_diag(&c, "E0202", 4, 7, "'a' is already declared");
    release(&c);
}

static void cycle_listed(void **state)
{
    (void)state;
    compiled c = compile(FORM("  let a = b + 1\n  let b = c + 1\n  let c = a + 1\n  item x points 5 = min(5, a)\n"));
    expect_diag(&c, "E0205", 2, 7, "dependency cycle: a → b → c → a");
    release(&c);
}

static void maybe_needs_fallback(void **state)
{
    (void)state;
    compiled c = compile(FORM("  input bonus: number optional\n  item x points 5 = min(5, bonus)\n"));
    expect_only(&c, "E0303", 3, 28, "'bonus' may be absent");
    release(&c);
    c = compile(FORM("  input bonus: number optional\n  item x points 5 = min(5, bonus ?? 0)\n"
                     "  item y points 5 = if present(bonus) then 5 else 0\n"));
    assert_int_equal(c.d.count, 0);
    release(&c);
}

static void choice_literal_checked(void **state)
{
    (void)state;
    compiled c = compile(FORM("  input method: choice { phone \"电话\", visit \"登门\" }\n"
                              "  item x points 5 = if method == \"phnoe\" then 5 else 0\n"));
    expect_only(&c, "E0302", 3, 34, "'phnoe' is not an option of 'method'");
    release(&c);
    /* an option may be named by its label too */
    c = compile(FORM("  input method: choice { phone \"电话\", visit \"登门\" }\n"
                     "  item x points 5 = if method == \"电话\" then 5 else 0\n"));
    assert_int_equal(c.d.count, 0);
    release(&c);
}

static void weights_sum(void **state)
{
    (void)state;
    compiled c = compile(FORM("  section a weight 60% { item x points 10 }\n"
                              "  section b weight 30% { item y points 10 }\n"));
    expect_only(&c, "E0404", 1, 1, "add up to 90%, not 100%");
    release(&c);
}

static void mixed_weights(void **state)
{
    (void)state;
    compiled c = compile(FORM("  section a weight 100% { item x points 10 }\n"
                              "  section b { item y points 10 }\n"));
    expect_diag(&c, "E0403", 3, 11, "'b' has no weight");
    release(&c);
}

static void points_add_up(void **state)
{
    (void)state;
    compiled c = compile(FORM("  section a points 40 {\n    item x points 10\n    item y points 25\n  }\n"));
    expect_only(&c, "E0402", 2, 20, "declares points 40, but its parts add up to 35");
    release(&c);
}

static void band_monotonic(void **state)
{
    (void)state;
    compiled c = compile(FORM("  input r: number\n"
                              "  item x points 5 = band r { >= 60: 3  >= 80: 5  else: 0 }\n"));
    expect_only(&c, "E0501", 3, 43, "thresholds must fall: 80 comes after 60");
    release(&c);
}

static void band_unreachable_and_else(void **state)
{
    (void)state;
    compiled c = compile(FORM("  input r: number\n"
                              "  item x points 5 = band r { >= 80: 5  >= 80: 3  else: 0 }\n"));
    expect_only(&c, "E0503", 3, 40, "can never be reached");
    release(&c);
    c = compile(FORM("  input r: number\n  item x points 5 = band r { >= 80: 5  >= 60: 3 }\n"));
    expect_only(&c, "E0504", 3, 21, "no 'else'");
    release(&c);
    /* the complement closes a band without else */
    c = compile(FORM("  input r: number\n  item x points 5 = band r { >= 60: 5  < 60: 0 }\n"));
    assert_int_equal(c.d.count, 0);
    release(&c);
    /* rising thresholds for lower-is-better ratios */
    c = compile(FORM("  input debt: percent\n"
                     "  item x points 5 = band debt { < 50%: 5  < 60%: 4  < 70%: 3  else: 0 }\n"));
    assert_int_equal(c.d.count, 0);
    release(&c);
}

static void raters_sum(void **state)
{
    (void)state;
    compiled c = compile(FORM("  raters { self \"自评\" weight 0%  boss \"领导\" weight 90% }\n  item x points 10\n"));
    expect_only(&c, "E0601", 2, 3, "add up to 90%, not 100%");
    release(&c);
}

static void type_errors(void **state)
{
    (void)state;
    compiled c = compile(FORM("  input name: text\n  item x points 5 = name + 1\n"));
    expect_only(&c, "E0301", 3, 21, "'+' needs a number, but this is text");
    release(&c);
    c = compile(FORM("  input a: number\n  check a \"a must be true\"\n  item x points 5 = 1\n"));
    expect_only(&c, "E0301", 3, 9, "'check' needs true or false");
    release(&c);
}

static void defines(void **state)
{
    (void)state;
    rb_define ok[] = {{"target", "80"}};
    compiled c = compile_defs(FORM("  param target: number = 100\n  input s: number\n"
                                   "  item x points 10 = clamp(s / target * 10, 0, 10)\n"),
                              ok, 1);
    assert_int_equal(c.d.count, 0);
    assert_non_null(c.p);
    release(&c);
    rb_define bad[] = {{"traget", "80"}};
    c = compile_defs(FORM("  param target: number = 100\n  input s: number\n"
                          "  item x points 10 = clamp(s / target * 10, 0, 10)\n"),
                     bad, 1);
    expect_only(&c, "E0210", 0, 0, "no param named 'traget'");
    assert_string_equal(c.d.items[0].help, "did you mean 'target'?");
    release(&c);
}

#define GRADE3 "  item a points 100\n  grade { >= 90: excellent \"优秀\" >= 60: pass \"合格\" else: fail \"不合格\" }\n"

/* SPEC §14: rules name grades, shares are percents in 0..100%, and rules
 * that cannot all hold are an error naming just the conflicting ones. */
static void distribution_rules(void **state)
{
    (void)state;
    compiled c = compile("form f {\n" GRADE3 "  distribution {\n    excelent <= 20%\n    pass < 0.5\n"
                         "    fail > 150%\n  }\n}\n");
    expect_diag(&c, "E0803", 5, 5, "'excelent' is not a grade");
    expect_diag(&c, "E0803", 6, 12, "a share is a percent");
    expect_diag(&c, "E0803", 7, 12, "a share of 150% is outside 0%..100%");
    assert_null(c.p);
    release(&c);
    /* contradictory, and minimums past 100%; the harmless rule is not named */
    c = compile("form f {\n" GRADE3 "  distribution {\n    pass <= 90%\n    excellent <= 10%\n    excellent >= 20%\n  }\n}\n");
    expect_only(&c, "E0804", 6, 5, "cannot all hold: 'excellent <= 10%'; 'excellent >= 20%'");
    release(&c);
    c = compile("form f {\n" GRADE3 "  distribution {\n    excellent + pass >= 60%\n    fail >= 50%\n  }\n}\n");
    expect_only(&c, "E0804", 5, 5, "'excellent + pass >= 60%'; 'fail >= 50%'");
    release(&c);
    /* strict at the edge: fail > 0% with the others taking all of 100% */
    c = compile("form f {\n" GRADE3 "  distribution {\n    excellent + pass >= 100%\n    fail > 0%\n  }\n}\n");
    expect_only(&c, "E0804", 5, 5, "cannot all hold");
    release(&c);
    /* exactly at the edge holds: 50% + 50% */
    c = compile("form f {\n" GRADE3 "  field dept: text\n  distribution by dept {\n    excellent >= 50%\n"
                "    fail >= 50%\n    pass <= 0%\n  }\n}\n");
    assert_int_equal(c.d.errors, 0);
    assert_non_null(c.p);
    assert_int_equal(c.p->ndist_rules, 3);
    assert_true(c.p->dist_by != RB_NONE);
    release(&c);
}

/* SPEC §2: `key` and `distribution` are keywords only where a declaration
 * starts; as names (a let, an option, a field) they keep working. */
static void contextual_history_words(void **state)
{
    (void)state;
    compiled c = compile("form f {\n  field key: text\n  field m: choice { key, distribution }\n"
                         "  item a points 10\n  let distribution = a\n  output o = distribution + 1\n"
                         "  warn key == \"x\" \"k\"\n  check m == \"distribution\" \"m\"\n}\n");
    assert_int_equal(c.d.errors, 0);
    release(&c);
    c = compile("form f {\n  key emp\n  period monthly on month\n  field emp: text\n  field month: text\n"
                "  item a points 10\n}\n");
    assert_int_equal(c.d.errors, 0);
    assert_true(c.p->key_slot != RB_NONE && c.p->period_slot != RB_NONE);
    release(&c);
    c = compile("form f {\n  key emp\n  period once on month\n  field emp: text optional\n  field month: date\n"
                "  item a points 10\n}\n");
    expect_diag(&c, "E0801", 2, 7, "field 'emp' is optional");
    expect_diag(&c, "E0801", 3, 10, "filled once");
    release(&c);
}

static void total_needs_scale(void **state)
{
    (void)state;
    compiled c = compile(FORM("  item x points 10\n  total = x * 2\n"));
    expect_only(&c, "E0407", 3, 3, "needs the form's 'scale N'");
    release(&c);
}

static void unused_input_warns(void **state)
{
    (void)state;
    compiled c = compile(FORM("  input spare: number\n  item x points 10\n"));
    expect_only(&c, "W0201", 2, 9, "input 'spare' is never used");
    assert_non_null(c.p); /* a warning does not stop compilation */
    release(&c);
}

static void syntax_error_echoes_dropped(void **state)
{
    (void)state;
    /* the unclosed string swallows `points 10`: one message, not also E0401 */
    compiled c = compile(FORM("  item k \"专业知识 points 10\n  item j points 5\n"));
    expect_only(&c, "E0104", 2, 10, "not closed");
    release(&c);
    /* a checker error on another line is kept */
    c = compile(FORM("  item k \"专业知识 points 10\n  item j points 5 = nope\n"));
    expect_diag(&c, "E0104", 2, 10, "not closed");
    expect_diag(&c, "E0201", 3, 21, "unknown name 'nope'");
    assert_int_equal(c.d.errors, 2);
    release(&c);
}

/* Issue 9 §7: '=' meant as '==' is one error naming '==' in every kind of
 * condition; an open section before `grade {` is one error naming it. */
static void assign_meant_as_compare(void **state)
{
    (void)state;
    compiled c = compile(FORM("  input g: number\n  item b points 10\n  check g = 1 \"m\"\n"));
    expect_only(&c, "E0110", 4, 11, "did you mean '=='?");
    release(&c);
    c = compile(FORM("  input g: number\n  item b points 10\n  warn when g = 1 \"m\"\n"));
    expect_only(&c, "E0110", 4, 15, "did you mean '=='?");
    release(&c);
    c = compile(FORM("  input g: number\n  item b points 10\n  let k = g = 1\n"));
    expect_only(&c, "E0110", 4, 13, "did you mean '=='?");
    release(&c);
    c = compile(FORM("  input g: number\n  item b points 10\n  grade {\n    >= 5: good\n    else: bad\n"
                     "    at most bad when g = 1\n  }\n"));
    expect_only(&c, "E0110", 7, 24, "did you mean '=='?");
    release(&c);
    c = compile(FORM("  input g: number\n  item b points 10 when g = 1\n"));
    expect_only(&c, "E0301", 3, 25, "'when' needs true or false");
    assert_non_null(strstr(c.d.items[0].help, "did you mean 'when g == 1'?"));
    release(&c);
    /* a grade arm's id followed by '=' is not a comparison */
    c = compile(FORM("  item b points 10\n  grade { >= 5: good = 3, else: bad }\n"));
    assert_int_equal(c.d.errors, 1);
    assert_null(strstr(c.d.items[0].message, "'=='"));
    release(&c);
    c = compile(FORM("  section s {\n    item a points 10\n  grade { >= 9: good, else: bad }\n"));
    expect_only(&c, "E0110", 3, 21, "section 's' (line 2) is not closed");
    release(&c);
    c = compile(FORM("  item a points 5 in 1..5\n"));
    expect_only(&c, "E0110", 2, 19, "a rating scale is written after 'points'");
    assert_non_null(strstr(c.d.items[0].help, "'points 1..5'"));
    release(&c);
}

/* SPEC §12: `warn when`/`warn unless` are clean; a bare warn gets W0701
 * with the fix spelt out; `unless` stays a name away from `warn`. */
static void warn_forms(void **state)
{
    (void)state;
    compiled c = compile(FORM("  input unless: number\n  item a points 10\n  warn when unless > 1 \"w\"\n"
                              "  warn unless a < 9 \"u\"\n"));
    assert_int_equal(c.d.count, 0);
    release(&c);
    c = compile(FORM("  item a points 10\n  warn a >= 6 \"low\"\n"));
    expect_only(&c, "W0701", 3, 3, "a bare 'warn' warns unless its condition holds");
    assert_non_null(strstr(c.d.items[0].help, "write 'warn unless a >= 6' to keep this meaning"));
    assert_int_equal(c.d.errors, 0);
    release(&c);
}

/* SPEC §12: a named type's constraints reach its inputs; an input's own
 * replaces the type's of the same part; a bad default is told against the
 * inherited range; scales on the wrong declarations are E0409. */
static void named_type_constraints_and_scales(void **state)
{
    (void)state;
    compiled c = compile(FORM("  type 评分 = integer in 1..5\n  input a: 评分 default 0\n  input b: 评分 in 0..2 default 0\n"
                              "  item x points 10 = a + b\n"));
    expect_only(&c, "E0306", 3, 15, "the default 0 breaks the constraint on 'a'");
    release(&c);
    c = compile(FORM("  type 评分 = integer in 1..5 optional\n  input a: 评分\n  item x points 10 = a\n"));
    expect_only(&c, "E0303", 4, 22, "'a' may be absent");
    release(&c);
    c = compile(FORM("  item x points 1..5\n  item y points 0..3\n"));
    assert_int_equal(c.d.count, 0);
    release(&c);
    c = compile(FORM("  item x points 2..1\n  section s points 1..5 { item y points 5 }\n"));
    expect_diag(&c, "E0409", 2, 17, "the rating scale 2..1 is not a scale");
    expect_diag(&c, "E0409", 3, 20, "a section takes no rating scale");
    assert_int_equal(c.d.errors, 2);
    release(&c);
}

static void total_and_grade_readable(void **state)
{
    (void)state;
    const char *grade = "  grade { >= 9: good \"好\", else: other \"其他\" }\n";
    compiled c = compile_defs(FORM("  item a points 10\n  output bonus = if grade == \"good\" then total * 100 else 0\n"
                                   "  warn unless grade != \"其他\" \"by label too\"\n  grade { >= 9: good \"好\", else: other \"其他\" }\n"),
                              NULL, 0);
    assert_int_equal(c.d.count, 0);
    assert_non_null(c.p);
    release(&c);
    /* anything the total is made of cannot read it */
    c = compile(FORM("  item a points 10 = total\n"));
    expect_diag(&c, "E0205", 2, 8, "dependency cycle: a → total → f → a");
    release(&c);
    /* a grade id must exist, a grade must be declared, a total must exist */
    (void)grade;
    c = compile(FORM("  item a points 10\n  warn when grade == \"bad\" \"x\"\n  grade { >= 9: good, else: other }\n"));
    expect_only(&c, "E0302", 3, 22, "'bad' is not an option of 'grade'");
    release(&c);
    c = compile(FORM("  item a points 10\n  output g = grade == \"good\"\n"));
    expect_only(&c, "E0505", 3, 14, "the form has no grade to read");
    release(&c);
    c = compile(FORM("  field n: text\n  warn when total > 1 \"x\"\n"));
    expect_only(&c, "E0407", 3, 13, "a form without items has no total to read");
    release(&c);
}

static void grade_beyond_scale_warns(void **state)
{
    (void)state;
    compiled c = compile(FORM("  item a points 10\n  item b points 10\n"
                              "  grade { >= 90: excellent, >= 12: pass, else: fail }\n"));
    expect_only(&c, "W0501", 4, 11, "grade 'excellent' can never be given: the total lies in 0..20");
    release(&c);
    /* with scale 100 the same thresholds are right */
    c = compile(FORM("  scale 100\n  item a points 10\n  item b points 10\n"
                     "  grade { >= 90: excellent, >= 12: pass, else: fail }\n"));
    assert_int_equal(c.d.count, 0);
    release(&c);
}

static void dates_checked(void **state)
{
    (void)state;
    /* one calendar rule (date.c) for templates, records and bytecode */
    compiled c = compile(FORM("  field d: date default \"2026-02-29\"\n  item a points 1\n"));
    expect_only(&c, "E0308", 2, 25, "'2026-02-29' is not a date");
    release(&c);
    c = compile(FORM("  field d: date default \"0000-01-01\"\n  item a points 1\n"));
    expect_only(&c, "E0308", 2, 25, "'0000-01-01' is not a date");
    release(&c);
    c = compile(FORM("  field d: date default \"2024-02-29\"\n  item a points 1\n"));
    assert_int_equal(c.d.count, 0);
    release(&c);
}

static void deterministic_bytes(void **state)
{
    (void)state;
    const char *t = FORM("  input a: number in 0..100\n  let b = a * 30%\n"
                         "  item x points 30 = b\n  output bonus = b * 2\n");
    compiled c1 = compile(t), c2 = compile(t);
    assert_non_null(c1.p);
    size_t n1, n2;
    uint8_t *b1 = rb_program_serialize(c1.p, &n1), *b2 = rb_program_serialize(c2.p, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    assert_string_equal(c1.p->digest, c2.p->digest);
    free(b1);
    free(b2);
    release(&c1);
    release(&c2);
}

/* `sign NAME LABEL` (SPEC §15): a signature line, kept in the program as a
 * SLOT_SIGN slot; `sign` stays an ordinary name everywhere else (SPEC §2). */
static void sign_lines(void **state)
{
    (void)state;
    compiled c = compile(FORM("  field sign \"签名\": text\n  item k points 10\n"
                              "  let s = sign\n  output o = s\n"
                              "  sign self_sign \"本人签字\"\n  sign boss   \"直接领导签字\"\n"));
    assert_int_equal(c.d.errors, 0);
    assert_non_null(c.p);
    int signs = 0;
    for (uint32_t i = 0; i < c.p->nslots; i++) {
        if (c.p->slots[i].kind != SLOT_SIGN) continue;
        assert_string_equal(rb_str(c.p, c.p->slots[i].name), signs ? "boss" : "self_sign");
        assert_string_equal(rb_str(c.p, c.p->slots[i].label), signs ? "直接领导签字" : "本人签字");
        assert_int_equal(c.p->slots[i].line, signs ? 7 : 6);
        signs++;
    }
    assert_int_equal(signs, 2);
    release(&c);
    /* a label typed with an input method's quotes: that is the one error */
    c = compile(FORM("  item k points 10\n  sign boss “直接领导签字”\n"));
    expect_only(&c, "E0102", 3, 13, "'“' (U+201C) is not part of the language");
    release(&c);
    c = compile(FORM("  item k points 10\n  section s {\n    item j points 1\n    sign a \"签字\"\n  }\n"));
    expect_only(&c, "E0213", 5, 5, "'sign' belongs to the form, not inside a section");
    release(&c);
    c = compile(FORM("  sign a \"签字\"\n  item k points 10 = a\n"));
    expect_only(&c, "E0203", 3, 22, "'a' is a signature line, not a value");
    release(&c);
    c = compile(FORM("  input a: number\n  item k points 10 = a\n  sign a \"签字\"\n"));
    expect_only(&c, "E0202", 4, 8, "'a' is already declared");
    release(&c);
}

/* Template text of n lets declared last-first (`let v3 = v2 + 1` … `let v1 =
 * v0 + 1`), then `v0`: an input, or (cyclic) a let of the last one. */
static char *reversed_lets(int n, bool cyclic)
{
    size_t cap = (size_t)n * 40 + 256, len = 0;
    char *t = malloc(cap);
    assert_non_null(t);
    len += (size_t)snprintf(t + len, cap - len, "form f {\n");
    for (int i = n; i > 0; i--) len += (size_t)snprintf(t + len, cap - len, "  let v%d = v%d + 1\n", i, i - 1);
    if (cyclic) len += (size_t)snprintf(t + len, cap - len, "  let v0 = v%d + 1\n", n);
    else len += (size_t)snprintf(t + len, cap - len, "  input v0: number in 0..10\n");
    snprintf(t + len, cap - len, "  item x points 10 = min(v%d, 10)\n}\n", n);
    return t;
}

/* The dependency walks keep their own stack: 30,000 lets declared in
 * reverse compiled by recursion overflowed the C stack (issue 7.1). */
static void long_let_chain_compiles(void **state)
{
    (void)state;
    char *t = reversed_lets(30000, false);
    compiled c = compile(t);
    assert_int_equal(c.d.count, 0);
    assert_non_null(c.p);
    release(&c);
    free(t);

    t = reversed_lets(30000, true);
    c = compile(t);
    assert_null(c.p);
    expect_diag(&c, "E0205", 2, 7, "dependency cycle: v30000 → v29999 → ");
    expect_diag(&c, "E0205", 2, 7, " → v1 → v0 → v30000");
    release(&c);
    free(t);
}

/* ITEM.RATER (SPEC §12): one slot per item and rater read, maybe where the
 * value can be absent; the verifier holds codegen to both. */
#define RATERS "  raters {\n    self weight 0%\n    peers weight 40% many optional\n    boss weight 60%\n  }\n"
static void rater_reads(void **state)
{
    (void)state;
    compiled c = compile(FORM(RATERS "  item k points 10\n  item q points 10 optional\n"
                              "  output a = k.boss + (k.peers ?? 0)\n  output b = q.boss ?? k.boss\n"
                              "  output c = k.boss\n"));
    assert_int_equal(c.d.errors, 0);
    assert_non_null(c.p);
    const char *names[] = {"k.boss", "k.peers", "q.boss"};
    const uint8_t maybe[] = {0, 1, 1};
    int found = 0;
    uint32_t boss = RB_NONE;
    for (uint32_t i = 0; i < c.p->nslots; i++) {
        if (c.p->slots[i].kind != SLOT_RATER) continue;
        assert_true(found < 3);
        assert_string_equal(rb_str(c.p, c.p->slots[i].name), names[found]);
        assert_int_equal(c.p->slots[i].maybe, maybe[found]);
        assert_int_equal(c.p->slots[i].type, RB_T_NUMBER);
        if (found == 0) boss = i;
        found++;
    }
    assert_int_equal(found, 3); /* k.boss read three times, one slot */
    char err[256];
    assert_int_equal(rb_program_verify(c.p, RB_LANG_EN, err, sizeof err), 0);
    /* q.boss may be absent (q is optional): a slot that says otherwise is refused */
    c.p->slots[boss + 2].maybe = 0;
    assert_int_equal(rb_program_verify(c.p, RB_LANG_EN, err, sizeof err), -1);
    assert_non_null(strstr(err, "(q.boss) may be absent but is not maybe"));
    c.p->slots[boss + 2].maybe = 1;
    /* a name that is no rated item's and rater's */
    c.p->slots[boss].name = c.p->slots[c.p->items[0].slot].name; /* "k": no rater named */
    assert_int_equal(rb_program_verify(c.p, RB_LANG_EN, err, sizeof err), -1);
    assert_non_null(strstr(err, "names no rated item and rater"));
    release(&c);

    c = compile(FORM(RATERS "  item k points 10\n  output a = k.bos\n"));
    expect_only(&c, "E0603", 8, 16, "the form has no rater 'bos'");
    release(&c);
    c = compile(FORM(RATERS "  item k points 10\n  item j points 10 = k\n  output a = j.boss\n"));
    expect_only(&c, "E0603", 9, 14, "'j.boss' reads one rater's value, but 'j' is not rated by raters");
    release(&c);
    c = compile(FORM("  item k points 10\n  output a = k.boss\n"));
    expect_only(&c, "E0603", 3, 14, "'k' is not rated by raters");
    release(&c);
    c = compile(FORM(RATERS "  item k points 10\n  output a = k.self\n"));
    expect_only(&c, "E0303", 8, 14, "'k.self' may be absent");
    release(&c);
    /* with a space it is no rater read: the dot is the stray one of 0.10 */
    c = compile(FORM(RATERS "  item k points 10\n  output a = k . boss\n"));
    expect_diag(&c, "E0103", 8, 16, "unexpected '.'");
    release(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clean_presales),
        cmocka_unit_test(unknown_name_did_you_mean),
        cmocka_unit_test(duplicate_name),
        cmocka_unit_test(cycle_listed),
        cmocka_unit_test(maybe_needs_fallback),
        cmocka_unit_test(choice_literal_checked),
        cmocka_unit_test(weights_sum),
        cmocka_unit_test(mixed_weights),
        cmocka_unit_test(points_add_up),
        cmocka_unit_test(band_monotonic),
        cmocka_unit_test(band_unreachable_and_else),
        cmocka_unit_test(raters_sum),
        cmocka_unit_test(type_errors),
        cmocka_unit_test(defines),
        cmocka_unit_test(total_needs_scale), cmocka_unit_test(distribution_rules),
        cmocka_unit_test(contextual_history_words),
        cmocka_unit_test(unused_input_warns),
        cmocka_unit_test(syntax_error_echoes_dropped),
        cmocka_unit_test(total_and_grade_readable),
        cmocka_unit_test(assign_meant_as_compare),
        cmocka_unit_test(warn_forms),
        cmocka_unit_test(named_type_constraints_and_scales),
        cmocka_unit_test(grade_beyond_scale_warns),
        cmocka_unit_test(dates_checked),
        cmocka_unit_test(deterministic_bytes),
        cmocka_unit_test(sign_lines),
        cmocka_unit_test(long_let_chain_compiles),
        cmocka_unit_test(rater_reads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
