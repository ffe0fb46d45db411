/* test_parser.c — the grammar (lang/parser.y) through rb_parse: the trees it
 * builds (printed as S-expressions and compared whole), spans, operator
 * precedence, signed literals, arms, and error recovery: how many
 * diagnostics a broken file gives, with which codes, at which line:column. */
#include "testutil.h"

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "num.h"

/* ---- printing trees ----------------------------------------------------- */

typedef struct {
    char *buf;
    size_t len;
    FILE *f;
} sbuf;

static void sb_open(sbuf *s)
{
    s->buf = NULL;
    s->len = 0;
    s->f = open_memstream(&s->buf, &s->len);
}

static char *sb_close(sbuf *s)
{
    fclose(s->f);
    return s->buf;
}

static void p_expr(FILE *f, const ast_expr *e);

static void p_num(FILE *f, rb_num n)
{
    char b[64];
    rb_num_format_exact(n, b, sizeof b);
    fputs(b, f);
}

static void p_lit(FILE *f, const ast_literal *l)
{
    switch (l->kind) {
    case LIT_NUMBER:
        p_num(f, l->num);
        if (l->is_percent) fputc('%', f);
        break;
    case LIT_STRING: fprintf(f, "\"%s\"", l->str); break;
    case LIT_BOOL: fputs(l->boolean ? "true" : "false", f); break;
    default: fputs("?", f);
    }
}

static const char *arm_ops[] = {"<", "<=", ">", ">=", "else"};

static void p_arms(FILE *f, const ast_arm *a)
{
    for (; a; a = a->next) {
        fprintf(f, " [%s", arm_ops[a->op]);
        if (a->threshold) {
            fputc(' ', f);
            p_expr(f, a->threshold);
        }
        fputs(":", f);
        if (a->result) {
            fputc(' ', f);
            p_expr(f, a->result);
        }
        if (a->id) fprintf(f, " %s", a->id);
        if (a->label) fprintf(f, " \"%s\"", a->label);
        fputs("]", f);
    }
}

static void p_expr(FILE *f, const ast_expr *e)
{
    static const char *ops[] = {"", "", "", "", "neg", "not", "+", "-", "*", "/", "==", "!=",
                                "<", "<=", ">", ">=", "and", "or", "??", "if", "", ""};
    switch (e->kind) {
    case EX_NUMBER: p_num(f, e->num); break;
    case EX_STRING: fprintf(f, "\"%s\"", e->str); break;
    case EX_BOOL: fputs(e->boolean ? "true" : "false", f); break;
    case EX_NAME: fputs(e->str, f); break;
    case EX_CALL:
        fprintf(f, "(%s", e->str);
        for (const ast_expr *a = e->args; a; a = a->next) {
            fputc(' ', f);
            p_expr(f, a);
        }
        fputc(')', f);
        break;
    case EX_BAND:
        fputs("(band ", f);
        p_expr(f, e->a);
        p_arms(f, e->arms);
        fputc(')', f);
        break;
    case EX_IF:
        fputs("(if ", f);
        p_expr(f, e->a);
        fputc(' ', f);
        p_expr(f, e->b);
        fputc(' ', f);
        p_expr(f, e->c);
        fputc(')', f);
        break;
    case EX_NEG:
    case EX_NOT:
        fprintf(f, "(%s ", ops[e->kind]);
        p_expr(f, e->a);
        fputc(')', f);
        break;
    default:
        fprintf(f, "(%s ", ops[e->kind]);
        p_expr(f, e->a);
        fputc(' ', f);
        p_expr(f, e->b);
        fputc(')', f);
    }
}

static void p_type(FILE *f, const ast_type *t)
{
    static const char *n[] = {"number", "integer", "percent", "text", "bool", "date", "choice", "choices", ""};
    if (t->kind == TY_NAMED) {
        fputs(t->name, f);
        return;
    }
    fputs(n[t->kind], f);
    if (t->kind == TY_CHOICE || t->kind == TY_CHOICES) {
        fputs(" {", f);
        for (const ast_option *o = t->options; o; o = o->next) {
            fprintf(f, " %s", o->id);
            if (o->label) fprintf(f, " \"%s\"", o->label);
            if (o->has_value) {
                fputs(" = ", f);
                p_lit(f, &o->value);
            }
            if (o->next) fputc(',', f);
        }
        fputs(" }", f);
    }
}

static void p_decls(FILE *f, const ast_decl *d, int indent)
{
    static const char *cons[] = {"in", ">=", ">", "<=", "<", "required", "optional", "default", "unit"};
    for (; d; d = d->next) {
        fprintf(f, "%*s(%s", indent, "", ast_decl_kind_name(d->kind));
        if (d->name) fprintf(f, " %s", d->name);
        if (d->label) fprintf(f, " \"%s\"", d->label);
        if (d->word) fprintf(f, " %s", d->word);
        if (d->value.kind) {
            fputs(d->kind == DECL_PARAM ? " = " : " ", f);
            p_lit(f, &d->value);
        }
        if (d->type) {
            fputs(d->kind == DECL_TYPE ? " = " : ": ", f);
            p_type(f, d->type);
        }
        for (const ast_constraint *k = d->constraints; k; k = k->next) {
            fprintf(f, " %s", cons[k->kind]);
            if (k->a.kind) {
                fputc(' ', f);
                p_lit(f, &k->a);
            }
            if (k->b.kind) {
                fputs("..", f);
                p_lit(f, &k->b);
            }
        }
        if (d->has_points) {
            fputs(" points ", f);
            p_lit(f, &d->points);
        }
        if (d->has_weight) {
            fputs(" weight ", f);
            p_lit(f, &d->weight);
        }
        if (d->optional) fputs(" optional", f);
        if (d->when) {
            fputs(" when ", f);
            p_expr(f, d->when);
        }
        if (d->expr) {
            fputs(d->kind == DECL_GRADE ? " on " : d->kind == DECL_CHECK || d->kind == DECL_WARN ? " " : " = ", f);
            p_expr(f, d->expr);
        }
        if (d->message) fprintf(f, " \"%s\"", d->message);
        p_arms(f, d->arms);
        for (const ast_rater *r = d->raters; r; r = r->next) {
            fprintf(f, " (%s", r->id);
            if (r->label) fprintf(f, " \"%s\"", r->label);
            fputs(" ", f);
            p_lit(f, &r->weight);
            fputs(")", f);
        }
        if (d->body) {
            fputs("\n", f);
            p_decls(f, d->body, indent + 2);
            fprintf(f, "%*s", indent, "");
        }
        fputs(")\n", f);
    }
}

/* ---- running the parser ------------------------------------------------- */

typedef struct {
    rb_arena *arena;
    rb_source *src;
    rb_diags diags;
    ast_file *file;
} parsed;

static parsed *parse(const char *text)
{
    parsed *p = calloc(1, sizeof *p);
    p->arena = rb_arena_new();
    p->src = rb_source_new("t.rubric", text, strlen(text));
    rb_diags_init(&p->diags);
    p->file = rb_parse(p->arena, p->src, &p->diags);
    assert_non_null(p->file);
    return p;
}

static void done(parsed *p)
{
    rb_diags_free(&p->diags);
    rb_source_free(p->src);
    rb_arena_free(p->arena);
    free(p);
}

/* The whole form, printed. */
static char *tree(const parsed *p)
{
    sbuf s;
    sb_open(&s);
    if (p->file->form) p_decls(s.f, p->file->form, 0);
    return sb_close(&s);
}

/* Diagnostics as "line:col CODE message" lines. */
static char *diags(parsed *p)
{
    sbuf s;
    sb_open(&s);
    for (size_t i = 0; i < p->diags.count; i++) {
        uint32_t line, col;
        rb_source_position(p->src, p->diags.items[i].span.start, &line, &col);
        fprintf(s.f, "%u:%u %s %s\n", line, col, p->diags.items[i].code, p->diags.items[i].message);
    }
    return sb_close(&s);
}

static void assert_clean(parsed *p)
{
    char *d = diags(p);
    assert_string_equal(d, "");
    free(d);
}

static void assert_tree(parsed *p, const char *want)
{
    char *t = tree(p);
    assert_string_equal(t, want);
    free(t);
}

static void assert_diags(parsed *p, const char *want)
{
    char *d = diags(p);
    assert_string_equal(d, want);
    free(d);
}

/* The expression of the form's single `let x = …`. */
static char *expr_of(const char *src_expr, parsed **out)
{
    char text[2048];
    snprintf(text, sizeof text, "form f { let x = %s }", src_expr);
    parsed *p = parse(text);
    assert_non_null(p->file->form);
    assert_non_null(p->file->form->body);
    sbuf s;
    sb_open(&s);
    p_expr(s.f, p->file->form->body->expr);
    *out = p;
    return sb_close(&s);
}

static void assert_expr(const char *src_expr, const char *want)
{
    parsed *p;
    char *got = expr_of(src_expr, &p);
    assert_clean(p);
    assert_string_equal(got, want);
    free(got);
    done(p);
}

static char *span_text(const parsed *p, rb_span s)
{
    static char buf[256];
    size_t n = s.end - s.start < sizeof buf - 1 ? s.end - s.start : sizeof buf - 1;
    memcpy(buf, p->src->text + s.start, n);
    buf[n] = '\0';
    return buf;
}

/* ---- the SPEC §1 example -------------------------------------------------- */

static const char spec_example[] =
    "// 售前客服绩效考核表 — pre-sales customer service, scored out of 100 points\n"
    "form presales \"售前客服绩效考核表\" {\n"
    "  period monthly\n"
    "\n"
    "  field name \"员工姓名\": text\n"
    "  field date \"日期\": date\n"
    "\n"
    "  section attitude \"服务态度与沟通能力\" points 40 {\n"
    "    item knowledge  \"专业知识掌握\" points 10\n"
    "    item initiative \"主动沟通\"     points 10\n"
    "    item expression \"语言表达能力\" points 10\n"
    "    item patience   \"耐心与友善\"   points 10\n"
    "  }\n"
    "  section sales \"销售技能与目标达成\" points 40 {\n"
    "    item technique    \"销售技巧\"   points 15\n"
    "    item target       \"目标达成\"   points 15\n"
    "    item satisfaction \"客户满意度\" points 10\n"
    "  }\n"
    "  section growth \"团队协作与自我提升\" points 20 {\n"
    "    item teamwork \"团队协作\" points 10\n"
    "    item learning \"自我提升\" points 10\n"
    "  }\n"
    "\n"
    "  grade {\n"
    "    >= 90: excellent \"优秀\"\n"
    "    >= 75: good      \"良好\"\n"
    "    >= 60: fair      \"一般\"\n"
    "    else:  improve   \"需要改进\"\n"
    "  }\n"
    "}\n";

static void test_spec_example(void **state)
{
    (void)state;
    parsed *p = parse(spec_example);
    assert_clean(p);
    assert_tree(p,
                "(form presales \"售前客服绩效考核表\"\n"
                "  (period monthly)\n"
                "  (field name \"员工姓名\": text)\n"
                "  (field date \"日期\": date)\n"
                "  (section attitude \"服务态度与沟通能力\" points 40\n"
                "    (item knowledge \"专业知识掌握\" points 10)\n"
                "    (item initiative \"主动沟通\" points 10)\n"
                "    (item expression \"语言表达能力\" points 10)\n"
                "    (item patience \"耐心与友善\" points 10)\n"
                "  )\n"
                "  (section sales \"销售技能与目标达成\" points 40\n"
                "    (item technique \"销售技巧\" points 15)\n"
                "    (item target \"目标达成\" points 15)\n"
                "    (item satisfaction \"客户满意度\" points 10)\n"
                "  )\n"
                "  (section growth \"团队协作与自我提升\" points 20\n"
                "    (item teamwork \"团队协作\" points 10)\n"
                "    (item learning \"自我提升\" points 10)\n"
                "  )\n"
                "  (grade [>= 90: excellent \"优秀\"] [>= 75: good \"良好\"] [>= 60: fair \"一般\"] [else: improve "
                "\"需要改进\"])\n"
                ")\n");

    /* spans: names, labels, keywords, whole declarations, literals */
    const ast_decl *form = p->file->form;
    assert_string_equal(span_text(p, form->kw_span), "form");
    assert_string_equal(span_text(p, form->name_span), "presales");
    assert_string_equal(span_text(p, form->label_span), "\"售前客服绩效考核表\"");
    assert_int_equal(form->span.start, form->kw_span.start);
    assert_int_equal(form->span.end, strlen(spec_example) - 1);
    const ast_decl *period = form->body;
    assert_string_equal(span_text(p, period->span), "period monthly");
    assert_string_equal(span_text(p, period->word_span), "monthly");
    const ast_decl *date = period->next->next;
    assert_int_equal(date->type->kind, TY_DATE);
    assert_string_equal(span_text(p, date->span), "field date \"日期\": date");
    assert_string_equal(span_text(p, date->type->span), "date");
    const ast_decl *attitude = date->next;
    assert_string_equal(span_text(p, attitude->points.span), "40");
    assert_true(attitude->points.is_integer_text);
    const ast_decl *knowledge = attitude->body;
    assert_string_equal(span_text(p, knowledge->span), "item knowledge  \"专业知识掌握\" points 10");
    assert_string_equal(span_text(p, knowledge->name_span), "knowledge");
    const ast_decl *grade = form->body;
    while (grade->next) grade = grade->next;
    assert_int_equal(grade->kind, DECL_GRADE);
    assert_null(grade->expr);
    assert_string_equal(span_text(p, grade->kw_span), "grade");
    assert_string_equal(span_text(p, grade->arms->span), ">= 90: excellent \"优秀\"");
    assert_string_equal(span_text(p, grade->arms->threshold->span), "90");
    assert_string_equal(span_text(p, grade->arms->id_span), "excellent");
    assert_string_equal(span_text(p, grade->arms->next->next->next->span), "else:  improve   \"需要改进\"");
    /* the comment is kept for the formatter */
    assert_non_null(p->file->comments);
    assert_int_equal(p->file->comments->span.start, 0);
    assert_null(p->file->comments->next);
    done(p);
}

/* ---- every declaration ------------------------------------------------------ */

static void test_every_declaration(void **state)
{
    (void)state;
    parsed *p = parse("form kpi \"KPI\" {\n"
                      "  period quarterly\n"
                      "  version \"2026-04\"\n"
                      "  scale 100\n"
                      "  precision 1\n"
                      "  param 目标 \"销售目标\": number = 100\n"
                      "  field dept \"部门\": choice { sales \"销售部\", service \"客服部\" } required\n"
                      "  type 等级 = choice { A = 5, B = 3 C = 1 }\n"
                      "  raters { self \"自我考评\" weight 0%, manager \"直接领导\" weight 60% director weight 40% }\n"
                      "  input 销售额 \"销售额\": number >= 0 unit \"万元\" optional default 0\n"
                      "  input 方式: choices { visit, phone \"电话\" } in 1..2\n"
                      "  input 评级: 等级\n"
                      "  section 业绩 \"业绩指标\" weight 60% points 100 {\n"
                      "    item 完成 \"完成率\" weight 50% points 10 = min(销售额 / 目标 * 10, 10)\n"
                      "    item 态度 optional points 5 weight 50% when dept == \"sales\"\n"
                      "    deduct 迟到 \"迟到\" points 5 = 迟到次数\n"
                      "  }\n"
                      "  let 完成率 \"完成率\" = 销售额 / 目标\n"
                      "  check 销售额 <= 10000 \"销售额过大\"\n"
                      "  warn 完成率 > 0 \"没有销售\"\n"
                      "  output 系数 \"工资系数\" = band 完成率 { >= 100%: 1.2, >= 80%: 1 else: 0.8 }\n"
                      "  total = 业绩\n"
                      "  grade on 业绩 { >= 90: A \"优秀\" >= 60: B, else: C }\n"
                      "}\n");
    assert_clean(p);
    assert_tree(p,
                "(form kpi \"KPI\"\n"
                "  (period quarterly)\n"
                "  (version \"2026-04\")\n"
                "  (scale 100)\n"
                "  (precision 1)\n"
                "  (param 目标 \"销售目标\" = 100: number)\n"
                "  (field dept \"部门\": choice { sales \"销售部\", service \"客服部\" } required)\n"
                "  (type 等级 = choice { A = 5, B = 3, C = 1 })\n"
                "  (raters (self \"自我考评\" 0%) (manager \"直接领导\" 0.6%) (director 0.4%))\n"
                "  (input 销售额 \"销售额\": number >= 0 unit \"万元\" optional default 0)\n"
                "  (input 方式: choices { visit, phone \"电话\" } in 1..2)\n"
                "  (input 评级: 等级)\n"
                "  (section 业绩 \"业绩指标\" points 100 weight 0.6%\n"
                "    (item 完成 \"完成率\" points 10 weight 0.5% = (min (* (/ 销售额 目标) 10) 10))\n"
                "    (item 态度 points 5 weight 0.5% optional when (== dept \"sales\"))\n"
                "    (deduct 迟到 \"迟到\" points 5 = 迟到次数)\n"
                "  )\n"
                "  (let 完成率 \"完成率\" = (/ 销售额 目标))\n"
                "  (check (<= 销售额 10000) \"销售额过大\")\n"
                "  (warn (> 完成率 0) \"没有销售\")\n"
                "  (output 系数 \"工资系数\" = (band 完成率 [>= 1: 1.2] [>= 0.8: 1] [else: 0.8]))\n"
                "  (total = 业绩)\n"
                "  (grade on 业绩 [>= 90: A \"优秀\"] [>= 60: B] [else: C])\n"
                ")\n");
    done(p);
}

static void test_type_words_as_names(void **state)
{
    (void)state;
    /* SPEC §1 names a field `date`: type words are names where a name stands */
    parsed *p = parse("form f { field date: date  input percent: percent  let text = date  let y = percent * 2 }");
    assert_clean(p);
    assert_tree(p,
                "(form f\n"
                "  (field date: date)\n"
                "  (input percent: percent)\n"
                "  (let text = date)\n"
                "  (let y = (* percent 2))\n"
                ")\n");
    done(p);
    /* but not as the name of a type */
    p = parse("form f { type text = choice { a } }");
    assert_diags(p, "1:15 E0112 'text' is a reserved word and cannot be a name\n");
    done(p);
}

static void test_reserved_word_as_name(void **state)
{
    (void)state;
    parsed *p = parse("form f {\n  item total points 10\n  input points: number\n}");
    assert_diags(p,
                 "2:8 E0112 'total' is a reserved word and cannot be a name\n"
                 "3:9 E0112 'points' is a reserved word and cannot be a name\n");
    done(p);
}

/* ---- expressions -------------------------------------------------------------- */

static void test_precedence(void **state)
{
    (void)state;
    assert_expr("a + b * c", "(+ a (* b c))");
    assert_expr("a * b + c", "(+ (* a b) c)");
    assert_expr("a - b - c", "(- (- a b) c)");
    assert_expr("a / b * c", "(* (/ a b) c)");
    assert_expr("not a == b", "(not (== a b))");
    assert_expr("x ?? 0 + 1", "(?? x (+ 0 1))");
    assert_expr("a ?? b ?? c", "(?? a (?? b c))");
    assert_expr("a ?? b == c", "(== (?? a b) c)");
    assert_expr("a or b and c", "(or a (and b c))");
    assert_expr("a and b or c", "(or (and a b) c)");
    assert_expr("not a and b", "(and (not a) b)");
    assert_expr("not not a", "(not (not a))");
    assert_expr("a < b and b <= c", "(and (< a b) (<= b c))");
    assert_expr("a != b or c >= d", "(or (!= a b) (>= c d))");
    assert_expr("-a * b", "(* (neg a) b)");
    assert_expr("- - a", "(neg (neg a))");
    assert_expr("(a + b) * c", "(* (+ a b) c)");
    assert_expr("(a < b) == c", "(== (< a b) c)");
    assert_expr("if a > b then a else b + 1", "(if (> a b) a (+ b 1))");
    assert_expr("if a then if b then 1 else 2 else 3", "(if a (if b 1 2) 3)");
    assert_expr("1 + (if a then 1 else 2)", "(+ 1 (if a 1 2))");
    assert_expr("min(a, b + 1, max(c)) + f()", "(+ (min a (+ b 1) (max c)) (f))");
    assert_expr("round(x, 2)", "(round x 2)");
    assert_expr("has(s, \"phone\") and present(y)", "(and (has s \"phone\") (present y))");
    assert_expr("true or false", "(or true false)");
    assert_expr("12.5% * 2", "(* 0.125 2)");
}

static void test_signed_literals(void **state)
{
    (void)state;
    assert_expr("-5", "-5");
    assert_expr("-5 + 3", "(+ -5 3)");
    assert_expr("3 - -5", "(- 3 -5)");
    assert_expr("-(5)", "-5");
    assert_expr("-40%", "-0.4");
    parsed *p = parse("form f {\n"
                      "  param p: number = -2\n"
                      "  param q: percent = -5%\n"
                      "  input x: number in -5..5 default -1\n"
                      "  input y: number >= -10 < -0.5\n"
                      "  let b = band x { < -3: -1, >= -3: 0 }\n"
                      "}");
    assert_clean(p);
    assert_tree(p,
                "(form f\n"
                "  (param p = -2: number)\n"
                "  (param q = -0.05%: percent)\n"
                "  (input x: number in -5..5 default -1)\n"
                "  (input y: number >= -10 < -0.5)\n"
                "  (let b = (band x [< -3: -1] [>= -3: 0]))\n"
                ")\n");
    const ast_decl *x = p->file->form->body->next->next;
    assert_string_equal(span_text(p, x->constraints->a.span), "-5");
    assert_string_equal(span_text(p, x->constraints->next->a.span), "-1");
    done(p);
}

/* A chain is reported once and read as meant (a < b and b < c), so the
 * checker adds no "cannot compare bool with number" on top. */
static void test_chained_comparison(void **state)
{
    (void)state;
    parsed *p;
    char *got = expr_of("1 < x < 3 < 4", &p);
    assert_string_equal(got, "(and (and (< 1 x) (< x 3)) (< 3 4))");
    assert_diags(p, "1:24 E0113 comparisons cannot be chained\n");
    free(got);
    done(p);
}

static void test_band_arms(void **state)
{
    (void)state;
    /* newline-, comma- and space-separated arms are the same */
    assert_expr("band r { >= 90%: 5 >= 80%: 4 else: 0 }", "(band r [>= 0.9: 5] [>= 0.8: 4] [else: 0])");
    assert_expr("band r { >= 90%: 5, >= 80%: 4, else: 0, }", "(band r [>= 0.9: 5] [>= 0.8: 4] [else: 0])");
    assert_expr("band r {\n >= 90%: 5\n < 10: x + 1\n > t * 2: -1\n <= -1: a ?? 0\n}",
                "(band r [>= 0.9: 5] [< 10: (+ x 1)] [> (* t 2): -1] [<= -1: (?? a 0)])");
    assert_expr("band a + b { > 0: 1 else: 2 } * 3", "(* (band (+ a b) [> 0: 1] [else: 2]) 3)");
    assert_expr("band x { else: band y { > 1: 2 else: 3 } }", "(band x [else: (band y [> 1: 2] [else: 3])])");
}

static void test_item_attributes_any_order(void **state)
{
    (void)state;
    parsed *p = parse("form f {\n"
                      "  item a points 10 weight 20% optional when x\n"
                      "  item b when x optional weight 20% points 10\n"
                      "  item c \"C\" weight 20% points 10 = 5\n"
                      "  item d = 5\n"
                      "  section s points 10 weight 50% { }\n"
                      "  section t weight 50% points 10 { }\n"
                      "}");
    assert_clean(p);
    assert_tree(p,
                "(form f\n"
                "  (item a points 10 weight 0.2% optional when x)\n"
                "  (item b points 10 weight 0.2% optional when x)\n"
                "  (item c \"C\" points 10 weight 0.2% = 5)\n"
                "  (item d = 5)\n"
                "  (section s points 10 weight 0.5%)\n"
                "  (section t points 10 weight 0.5%)\n"
                ")\n");
    done(p);
}

static void test_attribute_errors(void **state)
{
    (void)state;
    parsed *p = parse("form f {\n"
                      "  item a points 10 points 5 weight 1% weight 2%\n"
                      "  section s optional when x { }\n"
                      "  deduct d points 2 when y optional\n"
                      "}");
    assert_diags(p,
                 "2:20 E0114 'points' is given twice\n"
                 "2:39 E0114 'weight' is given twice\n"
                 "3:13 E0114 'optional' cannot be given to a section\n"
                 "3:22 E0114 'when' cannot be given to a section\n"
                 "4:21 E0114 'when' cannot be given to a deduction\n"
                 "4:28 E0114 'optional' cannot be given to a deduction\n");
    /* the first value is kept; misplaced attributes are dropped */
    assert_tree(p,
                "(form f\n"
                "  (item a points 10 weight 0.01%)\n"
                "  (section s)\n"
                "  (deduct d points 2)\n"
                ")\n");
    done(p);
}

/* ---- limits --------------------------------------------------------------------- */

static void test_nesting_limits(void **state)
{
    (void)state;
    char *text = malloc(200000);
    /* 64 open parentheses are fine, 65 are not */
    size_t n = (size_t)sprintf(text, "form f { let x = ");
    for (int i = 0; i < 63; i++) text[n++] = '(';
    n += (size_t)sprintf(text + n, "1");
    for (int i = 0; i < 63; i++) text[n++] = ')';
    sprintf(text + n, " }");
    parsed *p = parse(text);
    assert_clean(p);
    done(p);
    n = (size_t)sprintf(text, "form f { let x = ");
    for (int i = 0; i < 64; i++) text[n++] = '(';
    sprintf(text + n, "1 }");
    p = parse(text);
    assert_diags(p, "1:81 E0116 more than 64 '(' and '{' are open here\n");
    done(p);
    /* sections count as nesting too */
    n = (size_t)sprintf(text, "form f {");
    for (int i = 0; i < 70; i++) n += (size_t)sprintf(text + n, " section s%d {", i);
    sprintf(text + n, " }");
    p = parse(text);
    assert_int_equal(p->diags.count, 1);
    assert_string_equal(p->diags.items[0].code, "E0116");
    done(p);
    /* a long flat sum is not nesting, but past 1000 operators it is too deep */
    n = (size_t)sprintf(text, "form f { let x = a");
    for (int i = 0; i < 999; i++) n += (size_t)sprintf(text + n, " + a");
    sprintf(text + n, " }");
    p = parse(text);
    assert_clean(p);
    done(p);
    n = (size_t)sprintf(text, "form f { let x = a");
    for (int i = 0; i < 1500; i++) n += (size_t)sprintf(text + n, " + a");
    sprintf(text + n, " }");
    p = parse(text);
    assert_diags(p, "1:18 E0116 this expression is nested more than 1000 levels deep\n");
    done(p);
    /* unary operators by the thousand exhaust the parser stack: an error, not a crash */
    n = (size_t)sprintf(text, "form f { let x = ");
    for (int i = 0; i < 30000; i++) text[n++] = '-';
    sprintf(text + n, "1 }");
    p = parse(text);
    assert_int_equal(p->diags.count, 1);
    assert_string_equal(p->diags.items[0].code, "E0116");
    done(p);
    free(text);
}

/* ---- error recovery ---------------------------------------------------------------- */

static void test_three_errors_three_diagnostics(void **state)
{
    (void)state;
    parsed *p = parse("form f \"测试\" {\n"
                      "  itme a points 10\n"
                      "  input b number\n"
                      "  let c = b + * 2\n"
                      "  item d \"标签\" points 10\n"
                      "}\n");
    assert_diags(p,
                 "2:3 E0111 unknown keyword 'itme'; did you mean 'item'?\n"
                 "3:11 E0110 expected ':' before the type in input 'b', found 'number'\n"
                 "4:15 E0110 expected an expression after '+' in let 'c', found '*'\n");
    assert_string_equal(p->diags.items[1].help, "write 'input b: number'");
    /* what could be read is kept: c (as a placeholder) and d */
    assert_tree(p,
                "(form f \"测试\"\n"
                "  (let c = 0)\n"
                "  (item d \"标签\" points 10)\n"
                ")\n");
    done(p);
}

static void test_recovery_inside_sections(void **state)
{
    (void)state;
    parsed *p = parse("form f {\n"
                      "  section a points 4 {\n"
                      "    item x points 2 weigth 20%\n"
                      "    item y \"Y\" 2\n"
                      "    item z points 2\n"
                      "  }\n"
                      "  section b points { item w points 1 }\n"
                      "  grade { >= 90 excellent \"优秀\"  >= 60: ok  else: bad }\n"
                      "  let v = (1 + ) * 2\n"
                      "  let u = max(1, , 2)\n"
                      "}\n");
    assert_diags(p,
                 "3:21 E0111 unknown keyword 'weigth'; did you mean 'weight'?\n"
                 "4:16 E0110 expected 'points' before '2' in item 'y'\n"
                 "7:20 E0110 expected a number after 'points' in section 'b', found '{'\n"
                 "8:17 E0110 expected ':' after '90', found 'excellent'\n"
                 "9:16 E0110 expected an expression after '+' in let 'v', found ')'\n"
                 "10:18 E0110 expected an expression after ',' in let 'u', found ','\n");
    assert_tree(p,
                "(form f\n"
                "  (section a points 4\n"
                "    (item x points 2)\n"
                "    (item y \"Y\")\n"
                "    (item z points 2)\n"
                "  )\n"
                "  (section b\n"
                "    (item w points 1)\n"
                "  )\n"
                "  (grade [>= 60: ok] [else: bad])\n"
                "  (let v = (* 0 2))\n"
                "  (let u = (max))\n"
                ")\n");
    done(p);
}

static void test_keyword_mid_line_is_not_a_fresh_start(void **state)
{
    (void)state;
    /* `section` is the error itself, not the start of a section */
    parsed *p = parse("form f {\n  let x = section\n  let y = 1\n}");
    assert_diags(p, "2:11 E0110 expected an expression after '=' in let 'x', found keyword 'section'\n");
    done(p);
    /* `total` and `grade` are expressions: the form's total and grade */
    p = parse("form f {\n  output x = total\n  output y = grade\n}");
    assert_diags(p, "");
    done(p);
    /* but at the start of a line it is, and the missing value is reported */
    p = parse("form f {\n  item a points\n  item b points 1\n}");
    assert_diags(p, "2:16 E0110 expected a number after 'points' in item 'a', found keyword 'item'\n");
    assert_tree(p, "(form f\n  (item a)\n  (item b points 1)\n)\n");
    done(p);
}

static void test_unknown_keywords(void **state)
{
    (void)state;
    /* (two broken lines in a row are one stretch to skip: each is followed
     * by a good declaration here so that each is reported) */
    parsed *p = parse("form f {\n  sectoin s { item a points 1 }\n  Item b points 1\n  let c = 1\n  blah x\n"
                      "  let d = 1\n  score = a + b\n}");
    assert_diags(p,
                 "2:3 E0111 unknown keyword 'sectoin'; did you mean 'section'?\n"
                 "3:3 E0111 unknown keyword 'Item'; did you mean 'item'?\n"
                 "5:3 E0111 unknown keyword 'blah'\n"
                 "7:3 E0111 unknown keyword 'score'\n");
    assert_string_equal(p->diags.items[2].help,
                        "a declaration starts with a keyword: item, section, input, field, let, check, …");
    assert_string_equal(p->diags.items[3].help, "to define a value write 'let score = …'");
    /* the block after a misspelt keyword is read, and its contents kept */
    assert_tree(p, "(form f\n  (item a points 1)\n  (let c = 1)\n  (let d = 1)\n)\n");
    done(p);
    p = parse("from f { }");
    assert_diags(p, "1:1 E0111 unknown keyword 'from'; did you mean 'form'?\n");
    done(p);
}

static void test_file_structure(void **state)
{
    (void)state;
    parsed *p = parse("");
    assert_diags(p, "1:1 E0115 the file holds no form\n");
    assert_null(p->file->form);
    done(p);
    p = parse("// only a comment\n");
    assert_diags(p, "2:1 E0115 the file holds no form\n");
    done(p);
    p = parse("item a points 1\nform f { }\n");
    assert_diags(p, "1:1 E0115 'item' must stand inside the form\n");
    done(p);
    p = parse("form a { }\nform b { }\n");
    assert_diags(p, "2:1 E0115 a file holds exactly one form, and 'b' is a second one\n");
    assert_string_equal(p->file->form->name, "a");
    done(p);
    p = parse("form a { item x points 1 }\n}\n");
    assert_diags(p, "2:1 E0115 this '}' closes nothing\n");
    done(p);
}

static void test_end_of_file_inside_braces(void **state)
{
    (void)state;
    /* one message, and the form is still there */
    parsed *p = parse("form f {\n  section a {\n    item x points 2\n");
    assert_diags(p, "3:20 E0110 expected '}' before the end of the file\n");
    assert_string_equal(p->diags.items[0].help, "the '{' at line 2, column 13 is never closed");
    assert_tree(p, "(form f\n  (section a\n    (item x points 2)\n  )\n)\n");
    done(p);
    p = parse("form f {\n  let x = (1 + \n");
    assert_diags(p, "2:15 E0110 expected ')' before the end of the file\n");
    done(p);
}

static void test_fullwidth_recovery_in_context(void **state)
{
    (void)state;
    /* each typo costs one diagnostic; the tree is as if typed in ASCII */
    parsed *p = parse("form f {\n"
                      "  field name “员工姓名”：text\n"
                      "  item k points １０ weight 40％\n"
                      "  let y = min（a，b） 》= 3\n"
                      "}\n");
    assert_diags(p,
                 "2:14 E0102 '“' (U+201C) is not part of the language\n"
                 "2:20 E0102 full-width '：' (U+FF1A) is not part of the language\n"
                 "3:17 E0102 full-width '１' (U+FF11) is not part of the language\n"
                 "3:27 E0102 full-width '％' (U+FF05) is not part of the language\n"
                 "4:14 E0102 full-width '（' (U+FF08) is not part of the language\n"
                 "4:16 E0102 full-width '，' (U+FF0C) is not part of the language\n"
                 "4:18 E0102 full-width '）' (U+FF09) is not part of the language\n"
                 "4:20 E0102 full-width '》' (U+300B) is not part of the language\n");
    assert_tree(p,
                "(form f\n"
                "  (field name \"员工姓名\": text)\n"
                "  (item k points 10 weight 0.4%)\n"
                "  (let y = (>= (min a b) 3))\n"
                ")\n");
    done(p);
}

static void test_syntax_messages(void **state)
{
    (void)state;
    parsed *p = parse("form f {\n"
                      "  check x > 0\n"
                      "  let y: number = 1\n"
                      "  item \"标签\" points 1\n"
                      "}\n");
    assert_diags(p,
                 "2:14 E0110 expected the message of 'check' after its condition, found keyword 'let'\n"
                 "3:8 E0110 expected a string or '=' after 'y' in let 'y', found ':'\n"
                 "4:8 E0110 expected a name after 'item', found string \"标签\"\n");
    assert_string_equal(p->diags.items[2].help, "a name comes first, then its label: 'item knowledge \"专业知识\" points 10'");
    done(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_example),
        cmocka_unit_test(test_every_declaration),
        cmocka_unit_test(test_type_words_as_names),
        cmocka_unit_test(test_reserved_word_as_name),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_signed_literals),
        cmocka_unit_test(test_chained_comparison),
        cmocka_unit_test(test_band_arms),
        cmocka_unit_test(test_item_attributes_any_order),
        cmocka_unit_test(test_attribute_errors),
        cmocka_unit_test(test_nesting_limits),
        cmocka_unit_test(test_three_errors_three_diagnostics),
        cmocka_unit_test(test_recovery_inside_sections),
        cmocka_unit_test(test_keyword_mid_line_is_not_a_fresh_start),
        cmocka_unit_test(test_unknown_keywords),
        cmocka_unit_test(test_file_structure),
        cmocka_unit_test(test_end_of_file_inside_braces),
        cmocka_unit_test(test_fullwidth_recovery_in_context),
        cmocka_unit_test(test_syntax_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
