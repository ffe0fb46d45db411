/* test_fmt.c — `rubric fmt` (src/fmt.c): the exact canonical layout of
 * messy inputs (spacing, indentation, comments in every position, CJK
 * alignment, bands, grades, choices, nested sections, raters, signed and
 * percent literals, parentheses, escapes, CRLF and BOM); and for every
 * output, and every template in templates/: formatting again changes
 * nothing, the output parses to the same tree as the input (compared
 * structurally by a printer of its own, spans ignored), and it holds the
 * same comments in the same order.  Then refusal of broken files and the
 * command's options and exit statuses. */
#include "testutil.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "cli.h"
#include "fmt.h"
#include "num.h"

/* ---- a printer of trees, independent of fmt.c ------------------------- */

static void d_num(FILE *f, rb_num n)
{
    char b[64];
    rb_num_format_exact(n, b, sizeof b);
    fputs(b, f);
}

static void d_str(FILE *f, const char *s)
{
    if (!s) {
        fputs("NULL", f);
        return;
    }
    fputc('<', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == '<' || *p == '>' || *p == '\\') fprintf(f, "\\x%02X", *p);
        else fputc(*p, f);
    }
    fputc('>', f);
}

static void d_lit(FILE *f, const ast_literal *l)
{
    switch (l->kind) {
    case LIT_NONE: fputs("(none)", f); break;
    case LIT_NUMBER:
        fputs("(num ", f);
        d_num(f, l->num);
        fprintf(f, "%s%s)", l->is_percent ? " pct" : "", l->is_integer_text ? " int" : "");
        break;
    case LIT_STRING: fputs("(str ", f); d_str(f, l->str); fputc(')', f); break;
    case LIT_BOOL: fputs(l->boolean ? "(true)" : "(false)", f); break;
    }
}

static void d_expr(FILE *f, const ast_expr *e);

static void d_arms(FILE *f, const ast_arm *a)
{
    for (; a; a = a->next) {
        fprintf(f, " [arm %d ", (int)a->op);
        if (a->threshold) d_expr(f, a->threshold);
        fputs(" : ", f);
        if (a->result) d_expr(f, a->result);
        fputc(' ', f);
        d_str(f, a->id);
        fputc(' ', f);
        d_str(f, a->label);
        fputc(']', f);
    }
}

static void d_expr(FILE *f, const ast_expr *e)
{
    if (!e) {
        fputs("nil", f);
        return;
    }
    fprintf(f, "(e%d", (int)e->kind);
    switch (e->kind) {
    case EX_NUMBER: fputc(' ', f); d_num(f, e->num); break;
    case EX_STRING: case EX_NAME: fputc(' ', f); d_str(f, e->str); break;
    case EX_BOOL: fputs(e->boolean ? " true" : " false", f); break;
    case EX_CALL:
        fputc(' ', f);
        d_str(f, e->str);
        fprintf(f, " %d", e->nargs);
        for (const ast_expr *a = e->args; a; a = a->next) {
            fputc(' ', f);
            d_expr(f, a);
        }
        break;
    case EX_BAND:
        fputc(' ', f);
        d_expr(f, e->a);
        d_arms(f, e->arms);
        break;
    default:
        fputc(' ', f);
        d_expr(f, e->a);
        fputc(' ', f);
        d_expr(f, e->b);
        fputc(' ', f);
        d_expr(f, e->c);
    }
    fputc(')', f);
}

static void d_type(FILE *f, const ast_type *t)
{
    if (!t) {
        fputs("nil", f);
        return;
    }
    fprintf(f, "(type %d ", (int)t->kind);
    d_str(f, t->name);
    for (const ast_option *o = t->options; o; o = o->next) {
        fputs(" [opt ", f);
        d_str(f, o->id);
        fputc(' ', f);
        d_str(f, o->label);
        if (o->has_value) {
            fputc(' ', f);
            d_lit(f, &o->value);
        }
        fputc(']', f);
    }
    fputc(')', f);
}

static void d_decl(FILE *f, const ast_decl *d, int depth)
{
    for (; d; d = d->next) {
        fprintf(f, "%*s(decl %s ", depth * 2, "", ast_decl_kind_name(d->kind));
        d_str(f, d->name);
        fputc(' ', f);
        d_str(f, d->label);
        fputs(" type=", f);
        d_type(f, d->type);
        fputs(" value=", f);
        d_lit(f, &d->value);
        fputs(" word=", f);
        d_str(f, d->word);
        if (d->has_points) {
            fputs(" points=", f);
            d_lit(f, &d->points);
        }
        if (d->has_weight) {
            fputs(" weight=", f);
            d_lit(f, &d->weight);
        }
        if (d->optional) fputs(" optional", f);
        fputs(" when=", f);
        d_expr(f, d->when);
        fputs(" expr=", f);
        d_expr(f, d->expr);
        fputs(" message=", f);
        d_str(f, d->message);
        for (const ast_constraint *c = d->constraints; c; c = c->next) {
            fprintf(f, " [con %d ", (int)c->kind);
            d_lit(f, &c->a);
            fputc(' ', f);
            d_lit(f, &c->b);
            fputc(']', f);
        }
        for (const ast_rater *r = d->raters; r; r = r->next) {
            fputs(" [rater ", f);
            d_str(f, r->id);
            fputc(' ', f);
            d_str(f, r->label);
            fputc(' ', f);
            d_lit(f, &r->weight);
            fputc(']', f);
        }
        d_arms(f, d->arms);
        fputs("\n", f);
        d_decl(f, d->body, depth + 1);
        fprintf(f, "%*s)\n", depth * 2, "");
    }
}

/* A parsed text: its tree printed, and its comments (normalised as fmt
 * keeps them: LF line ends, no spaces at line ends), one per line, each
 * line of a comment ended by \x01 so that they cannot run together. */
typedef struct {
    char *tree;
    char *comments;
    size_t ncomments;
    size_t errors;
} parsed;

static parsed parse_text(const char *text, size_t len)
{
    parsed p;
    memset(&p, 0, sizeof p);
    rb_source *src = rb_source_new("t.rubric", text, len);
    rb_diags d;
    rb_diags_init(&d);
    rb_arena *arena = rb_arena_new();
    ast_file *file = rb_parse(arena, src, &d);
    p.errors = d.errors;
    size_t n = 0;
    FILE *f = open_memstream(&p.tree, &n);
    if (file->form) d_decl(f, file->form, 0);
    fclose(f);
    f = open_memstream(&p.comments, &n);
    for (const ast_comment *c = file->comments; c; c = c->next) {
        char *line = malloc(c->span.end - c->span.start + 1);
        size_t k = 0;
        for (uint32_t i = c->span.start; i < c->span.end; i++) {
            char ch = src->text[i];
            if (ch == '\r' && i + 1 < c->span.end && src->text[i + 1] == '\n') continue;
            if (ch == '\r' || ch == '\n') {
                while (k && (line[k - 1] == ' ' || line[k - 1] == '\t')) k--;
                line[k++] = '\x01';
                continue;
            }
            line[k++] = ch;
        }
        while (k && (line[k - 1] == ' ' || line[k - 1] == '\t')) k--;
        fwrite(line, 1, k, f);
        fputc('\n', f);
        free(line);
        p.ncomments++;
    }
    fclose(f);
    rb_arena_free(arena);
    rb_diags_free(&d);
    rb_source_free(src);
    return p;
}

static void parsed_free(parsed *p)
{
    free(p->tree);
    free(p->comments);
}

/* ---- helpers ---------------------------------------------------------- */

static int fmt_text(const char *in, size_t len, char **out, size_t *outlen, rb_diags *d)
{
    rb_source *src = rb_source_new("t.rubric", in, len);
    int rc = rb_fmt_buffer(src, out, outlen, d);
    rb_source_free(src);
    return rc;
}

/* The properties every output must have: it parses without errors to the
 * same tree as the input, with the same comments; formatting it again gives
 * the same bytes; LF only, no BOM, no spaces at line ends, one final
 * newline. */
static void check_output(const char *name, const char *in, size_t inlen, const char *out, size_t outlen)
{
    parsed a = parse_text(in, inlen), b = parse_text(out, outlen);
    if (b.errors || strcmp(a.tree, b.tree) != 0 || strcmp(a.comments, b.comments) != 0) {
        fprintf(stderr, "%s: output differs from input\n--- input tree\n%s--- output tree\n%s"
                        "--- input comments\n%s--- output comments\n%s",
                name, a.tree, b.tree, a.comments, b.comments);
        fail_msg("%s: the output does not mean the same, or lost a comment", name);
    }
    assert_int_equal(a.ncomments, b.ncomments);
    parsed_free(&a);
    parsed_free(&b);

    assert_true(outlen > 0);
    assert_int_equal(out[outlen - 1], '\n');
    assert_false(outlen >= 2 && out[outlen - 2] == '\n');
    assert_null(memchr(out, '\r', outlen));
    assert_false(outlen >= 3 && memcmp(out, "\xEF\xBB\xBF", 3) == 0);
    for (size_t i = 1; i < outlen; i++)
        if (out[i] == '\n' && (out[i - 1] == ' ' || out[i - 1] == '\t')) fail_msg("%s: space at a line end", name);

    char *again = NULL;
    size_t againlen = 0;
    rb_diags d;
    rb_diags_init(&d);
    assert_int_equal(fmt_text(out, outlen, &again, &againlen, &d), 0);
    if (againlen != outlen || memcmp(again, out, outlen) != 0)
        fail_msg("%s: not idempotent\n--- first\n%s--- second\n%s", name, out, again);
    free(again);
    rb_diags_free(&d);
}

/* Formats `in` and compares with `want` exactly, then checks the output. */
static void expect_fmt_n(const char *name, const char *in, size_t inlen, const char *want)
{
    char *out = NULL;
    size_t outlen = 0;
    rb_diags d;
    rb_diags_init(&d);
    int rc = fmt_text(in, inlen, &out, &outlen, &d);
    if (rc != 0) {
        rb_source *src = rb_source_new("t.rubric", in, inlen);
        rb_diag_print(stderr, src, &d, RB_DIAG_TEXT);
        rb_source_free(src);
        fail_msg("%s: fmt refused", name);
    }
    if (strlen(want) != outlen || memcmp(want, out, outlen) != 0)
        fail_msg("%s: unexpected layout\n--- want\n%s--- got\n%s", name, want, out);
    check_output(name, in, inlen, out, outlen);
    free(out);
    rb_diags_free(&d);
}

static void expect_fmt(const char *name, const char *in, const char *want)
{
    expect_fmt_n(name, in, strlen(in), want);
}

/* ---- exact layouts ------------------------------------------------------- */

static void test_messy_spacing(void **state)
{
    (void)state;
    expect_fmt("messy",
               "// keep this comment\n"
               "form   messy \"乱\" {\n"
               "item a points 10   /* and this one */\n"
               "    section s points 20{item b points 10\n"
               "  item c   points 10 = min(10,a+1)}\n"
               "}\n",
               "// keep this comment\n"
               "form messy \"乱\" {\n"
               "  item a points 10 /* and this one */\n"
               "  section s points 20 {\n"
               "    item b points 10\n"
               "    item c points 10 = min(10, a + 1)\n"
               "  }\n"
               "}\n");
    /* everything on one line, and everything on its own line */
    expect_fmt("one line", "form x{period monthly item a points 5 item bb \"B\" points 5 check a>=bb \"a\"}",
               "form x {\n"
               "  period monthly\n"
               "  item a      points 5\n"
               "  item bb \"B\" points 5\n"
               "  check a >= bb \"a\"\n"
               "}\n");
    expect_fmt("one word per line", "form\nx\n{\nlet\ny\n=\n1\n+\n2\n}\n",
               "form x {\n"
               "  let y = 1 + 2\n"
               "}\n");
}

static void test_comments_everywhere(void **state)
{
    (void)state;
    expect_fmt("comments",
               "// file header\n"
               "\n"
               "/* block header\n"
               "   over two lines */\n"
               "form c \"C\" // after the header\n"
               "{ // after the brace\n"
               "  // before the first declaration\n"
               "  period monthly // trailing\n"
               "\n"
               "\n"
               "  // after two blank lines\n"
               "  item a \"甲\" // between label and points\n"
               "    points 10\n"
               "  item b points 5 = a + // inside the formula\n"
               "    1\n"
               "  item d points 5 = /* inline */ a\n"
               "  let x = min(a, /* arg */ b)\n"
               "  // before the closing brace\n"
               "} // after the form\n"
               "// at the end\n",
               "// file header\n"
               "\n"
               "/* block header\n"
               "   over two lines */\n"
               "form c \"C\" { // after the header\n"
               "  // after the brace\n"
               "  // before the first declaration\n"
               "  period monthly // trailing\n"
               "\n"
               "  // after two blank lines\n"
               "  item a \"甲\" // between label and points\n"
               "    points 10\n"
               "  item b points 5 = a + // inside the formula\n"
               "    1\n"
               "  item d points 5 = /* inline */ a\n"
               "  let x = min(a, /* arg */ b)\n"
               "  // before the closing brace\n"
               "} // after the form\n"
               "// at the end\n");
    /* in lists: raters, options, arms; before a '}'; inside parentheses that go */
    expect_fmt("comments in lists",
               "form e {\n"
               "  raters { // who\n"
               "    // first\n"
               "    a \"甲\" weight 50%, // half\n"
               "    bbb weight 50% /* other half */\n"
               "    // end of raters\n"
               "  }\n"
               "  input k \"K\": choice { // kinds\n"
               "    x \"X\" = 1, // one\n"
               "    // two next\n"
               "    yy = 2\n"
               "    /* last */ }\n"
               "  grade {\n"
               "    // top\n"
               "    >= 1: a \"A\" // a\n"
               "    else: b\n"
               "    // bottom\n"
               "  }\n"
               "  let p = (1 /* one */) + 2\n"
               "  section e2 {\n"
               "    // only a comment\n"
               "  }\n"
               "}\n",
               "form e {\n"
               "  raters { // who\n"
               "    // first\n"
               "    a \"甲\" weight 50% // half\n"
               "    bbb    weight 50% /* other half */\n"
               "    // end of raters\n"
               "  }\n"
               "  input k \"K\": choice { // kinds\n"
               "    x \"X\" = 1, // one\n"
               "    // two next\n"
               "    yy    = 2\n"
               "    /* last */\n"
               "  }\n"
               "  grade {\n"
               "    // top\n"
               "    >= 1: a \"A\" // a\n"
               "    else: b\n"
               "    // bottom\n"
               "  }\n"
               "  let p = 1 /* one */ + 2\n"
               "  section e2 {\n"
               "    // only a comment\n"
               "  }\n"
               "}\n");
    /* a comment between a header and its '{' moves after the '{' */
    expect_fmt("comment before a brace",
               "form f\n"
               "// own line before the brace\n"
               "{\n"
               "  section s points 5 /* inline */\n"
               "  {\n"
               "    item a points 5\n"
               "  }\n"
               "}\n",
               "form f {\n"
               "  // own line before the brace\n"
               "  section s points 5 { /* inline */\n"
               "    item a points 5\n"
               "  }\n"
               "}\n");
    /* trailing comments of an alignment group line up; text is kept but for
     * spaces at line ends; a // comment ending a file without a newline */
    expect_fmt("trailing comments aligned",
               "form g {\n"
               "  item a \"一\" points 1 //   x   \n"
               "  item long_name \"二二\" points 10 // y\n"
               "  item c points 1\n"
               "} // end",
               "form g {\n"
               "  item a         \"一\"   points 1  //   x\n"
               "  item long_name \"二二\" points 10 // y\n"
               "  item c                points 1\n"
               "} // end\n");
}

static void test_cjk_alignment(void **state)
{
    (void)state;
    expect_fmt("cjk",
               "form 考核 \"考核表\" {\n"
               "  field 姓名: text\n"
               "  field 部门名称: text optional\n"
               "  field date \"日期\": date\n"
               "  item knowledge \"专业知识掌握\" points 10\n"
               "  item initiative \"主动沟通\" points 10\n"
               "  item 团队协作 \"团队\" points 5 // 同事评价\n"
               "  item x points 5 // 无标签\n"
               "  input 销售额 \"当月销售额\": number >= 0 unit \"万元\"\n"
               "  input plan: number > 0\n"
               "}\n",
               "form 考核 \"考核表\" {\n"
               "  field 姓名:        text\n"
               "  field 部门名称:    text optional\n"
               "  field date \"日期\": date\n"
               "  item knowledge  \"专业知识掌握\" points 10\n"
               "  item initiative \"主动沟通\"     points 10\n"
               "  item 团队协作   \"团队\"         points 5 // 同事评价\n"
               "  item x                         points 5 // 无标签\n"
               "  input 销售额 \"当月销售额\": number >= 0 unit \"万元\"\n"
               "  input plan:                number > 0\n"
               "}\n");
    /* SPEC §1 as written is canonical; groups end at a blank line, a
     * comment line or another kind of declaration */
    const char *spec =
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
        "  section growth \"团队协作与自我提升\" points 20 {\n"
        "    item teamwork \"团队协作\" points 10\n"
        "    // a comment line keeps the group\n"
        "    item learning_more \"自我提升\" points 10\n"
        "  }\n"
        "\n"
        "  grade {\n"
        "    >= 90: excellent \"优秀\"\n"
        "    >= 75: good      \"良好\"\n"
        "    >= 60: fair      \"一般\"\n"
        "    else:  improve   \"需要改进\"\n"
        "  }\n"
        "}\n";
    expect_fmt("spec", spec,
               "// 售前客服绩效考核表 — pre-sales customer service, scored out of 100 points\n"
               "form presales \"售前客服绩效考核表\" {\n"
               "  period monthly\n"
               "\n"
               "  field name \"员工姓名\": text\n"
               "  field date \"日期\":     date\n"
               "\n"
               "  section attitude \"服务态度与沟通能力\" points 40 {\n"
               "    item knowledge  \"专业知识掌握\" points 10\n"
               "    item initiative \"主动沟通\"     points 10\n"
               "    item expression \"语言表达能力\" points 10\n"
               "    item patience   \"耐心与友善\"   points 10\n"
               "  }\n"
               "  section growth \"团队协作与自我提升\" points 20 {\n"
               "    item teamwork      \"团队协作\" points 10\n"
               "    // a comment line keeps the group\n"
               "    item learning_more \"自我提升\" points 10\n"
               "  }\n"
               "\n"
               "  grade {\n"
               "    >= 90: excellent \"优秀\"\n"
               "    >= 75: good      \"良好\"\n"
               "    >= 60: fair      \"一般\"\n"
               "    else:  improve   \"需要改进\"\n"
               "  }\n"
               "}\n");
}

static void test_bands_and_grades(void **state)
{
    (void)state;
    expect_fmt("bands",
               "form b {\n"
               "  input r: percent\n"
               "  item s points 5 = band r { <50%:5 <60%:4,else:0 }\n"
               "  let t = 2 * band r { >= 1: 1 else: band r { >= 50%: 0.5 else: 0 } } + 1\n"
               "  grade on s { >=4.5:top \"顶\" >=3 : mid else:low \"低\" }\n"
               "}\n",
               "form b {\n"
               "  input r: percent\n"
               "  item s points 5 = band r {\n"
               "    < 50%: 5\n"
               "    < 60%: 4\n"
               "    else:  0\n"
               "  }\n"
               "  let t = 2 * band r {\n"
               "    >= 1: 1\n"
               "    else: band r {\n"
               "      >= 50%: 0.5\n"
               "      else:   0\n"
               "    }\n"
               "  } + 1\n"
               "  grade on s {\n"
               "    >= 4.5: top \"顶\"\n"
               "    >= 3:   mid\n"
               "    else:   low \"低\"\n"
               "  }\n"
               "}\n");
}

static void test_choices(void **state)
{
    (void)state;
    /* one line while the declaration fits in 100 columns (a CJK character
     * counts two): this one is exactly 100; one more column and the options
     * go one per line, aligned */
    const char *l29 = "考核考核考核考核考核考核考核考核考核考核考核考核考核考核项";
    char in[1024], want[1024];
    snprintf(in, sizeof in,
             "form w {\n"
             "  input k: choice {a \"%sx\"=1,b \"B\"=2}\n"
             "  input m: choice { a \"%sxx\" = 1, b \"B\" = 2 }\n"
             "  field f \"方式\": choices {\n visit \"登门\", phone \"电话\"\n } in 1..2\n"
             "  type 评价 = choice { 优 = 95 良 = 85 }\n"
             "}\n",
             l29, l29);
    snprintf(want, sizeof want,
             "form w {\n"
             "  input k: choice { a \"%sx\" = 1, b \"B\" = 2 }\n"
             "  input m: choice {\n"
             "    a \"%sxx\" = 1,\n"
             "    b \"B\"                                                            = 2\n"
             "  }\n"
             "  field f \"方式\": choices { visit \"登门\", phone \"电话\" } in 1..2\n"
             "  type 评价 = choice { 优 = 95, 良 = 85 }\n"
             "}\n",
             l29, l29);
    expect_fmt("choices", in, want);
    /* several lines with constraints after the brace */
    expect_fmt("choices long",
               "form w {\n"
               "  field method \"跟进方式\": choices { visit \"直接登门\", invited \"邀约登门\", phone \"电话跟进\", "
               "online \"网络对话\", sms \"短信\", other \"其它\" } in 1..6 optional\n"
               "}\n",
               "form w {\n"
               "  field method \"跟进方式\": choices {\n"
               "    visit   \"直接登门\",\n"
               "    invited \"邀约登门\",\n"
               "    phone   \"电话跟进\",\n"
               "    online  \"网络对话\",\n"
               "    sms     \"短信\",\n"
               "    other   \"其它\"\n"
               "  } in 1..6 optional\n"
               "}\n");
}

static void test_sections_raters_literals(void **state)
{
    (void)state;
    expect_fmt("nested",
               "form n {\n"
               "  raters { self \"自评\" weight 0% manager \"经理\" weight 60%, director weight 40% }\n"
               "  param floor \"下限\": number = - 5\n"
               "  param rate: percent = 12.50%\n"
               "  param big: number = 007\n"
               "  scale 100 precision 1\n"
               "  section a weight 60% { section a1 points 12.50 { item x points 12.50 } }\n"
               "  section b points 10 weight 40% { deduct late \"迟到\" points 2 = 1 item y when x > -1 optional "
               "points 10 }\n"
               "  input v: number in -5..5 default -1\n"
               "  input w: number in - 5 .. 5% default -0.50\n"
               "}\n",
               "form n {\n"
               "  raters {\n"
               "    self    \"自评\" weight 0%\n"
               "    manager \"经理\" weight 60%\n"
               "    director       weight 40%\n"
               "  }\n"
               "  param floor \"下限\": number = -5\n"
               "  param rate:         percent = 12.50%\n"
               "  param big:          number = 007\n"
               "  scale 100\n"
               "  precision 1\n"
               "  section a weight 60% {\n"
               "    section a1 points 12.50 {\n"
               "      item x points 12.50\n"
               "    }\n"
               "  }\n"
               "  section b weight 40% points 10 {\n"
               "    deduct late \"迟到\" points 2 = 1\n"
               "    item y points 10 optional when x > -1\n"
               "  }\n"
               "  input v: number in -5..5 default -1\n"
               "  input w: number in -5..5% default -0.50\n"
               "}\n");
}

static void test_expressions(void **state)
{
    (void)state;
    expect_fmt("expressions",
               "form e {\n"
               "  input x: number optional\n"
               "  let a = ((1 + 2)) * 3 - (4 * 5) + (x ?? 1 + 2)\n"
               "  let b = not (a > 1) and (a < 2 or a > 3)\n"
               "  let c = - ( - a ) - ( -5 ) - -(5)\n"
               "  let d = a - (b - c) + (a * (b / c)) / (b * c) + (a ?? b) ?? c\n"
               "  let e = (if a > 0 then 1 else 2) + max(a,b) * (band a { > 1: 1 else: 0 })\n"
               "  check (if a > 0 then true else false) \"msg with \\\"quotes\\\"\"\n"
               "  warn (a == 1) == (b == 2) \"eq\"\n"
               "  warn x ?? 0 != 1 \"coalesce in a comparison keeps its parentheses\"\n"
               "  warn   when a>1 \"when\"\n"
               "  warn unless(a<2) \"unless\"\n"
               "}\n",
               "form e {\n"
               "  input x: number optional\n"
               "  let a = (1 + 2) * 3 - 4 * 5 + (x ?? (1 + 2))\n"
               "  let b = not a > 1 and (a < 2 or a > 3)\n"
               "  let c = - -a - -5 - -5\n"
               "  let d = a - (b - c) + a * (b / c) / (b * c) + (a ?? b) ?? c\n"
               "  let e = (if a > 0 then 1 else 2) + max(a, b) * band a {\n"
               "    > 1:  1\n"
               "    else: 0\n"
               "  }\n"
               "  check if a > 0 then true else false \"msg with \\\"quotes\\\"\"\n"
               "  warn unless (a == 1) == (b == 2) \"eq\"\n"
               "  warn unless (x ?? 0) != 1 \"coalesce in a comparison keeps its parentheses\"\n"
               "  warn when a > 1 \"when\"\n"
               "  warn unless a < 2 \"unless\"\n"
               "}\n");
}

static void test_strings(void **state)
{
    (void)state;
    expect_fmt("strings",
               "form s \"\\u{8868}\" {\n"
               "  version \"v\\u{41}\\t\"\n"
               "  let s = \"引号\\\"、反斜杠\\\\、换行\\n、\\u{4E2D}、零宽\\u{200B}、'单引号'\"\n"
               "}\n",
               "form s \"表\" {\n"
               "  version \"vA\\t\"\n"
               "  let s = \"引号\\\"、反斜杠\\\\、换行\\n、中、零宽\\u{200B}、'单引号'\"\n"
               "}\n");
}

static void test_blank_lines_crlf_bom(void **state)
{
    (void)state;
    const char in[] = "\xEF\xBB\xBF// head\r\n\r\n\r\nform w {\r\n\r\n\r\n  item a points 1   // x   \r\n"
                      "\r\n\r\n\r\n  item b points 1\r\n  /* two\r\n     lines  \r\n  */\r\n\r\n}\r\n\r\n";
    expect_fmt_n("crlf", in, sizeof in - 1,
                 "// head\n"
                 "\n"
                 "form w {\n"
                 "  item a points 1 // x\n"
                 "\n"
                 "  item b points 1\n"
                 "  /* two\n"
                 "     lines\n"
                 "  */\n"
                 "}\n");
}

/* ---- refusal ----------------------------------------------------------------- */

static void test_syntax_errors_refused(void **state)
{
    (void)state;
    static const char *bad[] = {
        "form x { item a points 10 item }",
        "form x { let a = (1 + }",
        "form x { item a points 10 ",           /* never closed */
        "form x { field a：text }",             /* full-width colon */
        "item a points 10",                     /* no form */
        "form x { /* never closed }",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        rb_diags d;
        rb_diags_init(&d);
        char *out = (char *)1;
        size_t len = 99;
        assert_int_equal(fmt_text(bad[i], strlen(bad[i]), &out, &len, &d), -1);
        assert_null(out);
        assert_int_equal(len, 0);
        assert_true(d.errors > 0);
        assert_memory_equal(d.items[0].code, "E01", 3);
        /* rb_fmt_source writes nothing */
        char *buf = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&buf, &n);
        rb_source *src = rb_source_new("t.rubric", bad[i], strlen(bad[i]));
        assert_int_equal(rb_fmt_source(src, f, &d), -1);
        fclose(f);
        assert_int_equal(n, 0);
        free(buf);
        rb_source_free(src);
        rb_diags_free(&d);
    }
    /* a template that parses but does not check is formatted all the same */
    expect_fmt("unchecked", "form x { item a points 10 = nothere section s points 3 { item b points 1 } }",
               "form x {\n"
               "  item a points 10 = nothere\n"
               "  section s points 3 {\n"
               "    item b points 1\n"
               "  }\n"
               "}\n");
}

static void test_fmt_source_writes(void **state)
{
    (void)state;
    const char *in = "form x{item a points 1}";
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    rb_source *src = rb_source_new("t.rubric", in, strlen(in));
    rb_diags d;
    rb_diags_init(&d);
    assert_int_equal(rb_fmt_source(src, f, &d), 0);
    fclose(f);
    assert_string_equal(buf, "form x {\n  item a points 1\n}\n");
    assert_int_equal(d.count, 0);
    free(buf);
    rb_diags_free(&d);
    rb_source_free(src);
}

/* ---- the templates ----------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    do {
        if (n + 4096 > cap) buf = realloc(buf, cap = cap * 2 + 8192);
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
    } while (got > 0);
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Every template: formatted, idempotent, same tree, same comments; and
 * already in canonical layout (CI runs `rubric fmt --check templates/`). */
static void test_templates(void **state)
{
    (void)state;
    glob_t g;
    assert_int_equal(glob("templates/*.rubric", 0, NULL, &g), 0);
    assert_true(g.gl_pathc >= 10);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        size_t len = 0;
        char *in = slurp(g.gl_pathv[i], &len);
        assert_non_null(in);
        char *out = NULL;
        size_t outlen = 0;
        rb_diags d;
        rb_diags_init(&d);
        if (fmt_text(in, len, &out, &outlen, &d) != 0) fail_msg("%s: fmt refused", g.gl_pathv[i]);
        check_output(g.gl_pathv[i], in, len, out, outlen);
        parsed p = parse_text(in, len);
        assert_true(p.ncomments > 0);
        parsed_free(&p);
        if (outlen != len || memcmp(in, out, len) != 0)
            fail_msg("%s is not in canonical layout: run rubric fmt -w %s", g.gl_pathv[i], g.gl_pathv[i]);
        free(out);
        free(in);
        rb_diags_free(&d);
    }
    globfree(&g);
}

/* Each template with its layout disturbed (every line unindented and
 * padded, blank lines doubled, CRLF) formats back to itself. */
static void test_templates_disturbed(void **state)
{
    (void)state;
    glob_t g;
    assert_int_equal(glob("templates/*.rubric", 0, NULL, &g), 0);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        size_t len = 0;
        char *in = slurp(g.gl_pathv[i], &len);
        assert_non_null(in);
        char *messy = malloc(len * 4 + 16);
        size_t m = 0;
        bool bol = true;
        for (size_t k = 0; k < len; k++) {
            if (bol) {
                while (k < len && in[k] == ' ') k++;
                if (k == len) break;
                if ((k % 3) == 0) messy[m++] = '\t';
                bol = false;
            }
            if (in[k] == '\n') {
                memcpy(messy + m, "   \r\n", 5);
                m += 5;
                if (k + 1 < len && in[k + 1] == '\n') {
                    memcpy(messy + m, "\r\n", 2);
                    m += 2;
                }
                bol = true;
            } else {
                messy[m++] = in[k];
            }
        }
        char *out = NULL;
        size_t outlen = 0;
        rb_diags d;
        rb_diags_init(&d);
        if (fmt_text(messy, m, &out, &outlen, &d) != 0) fail_msg("%s (disturbed): fmt refused", g.gl_pathv[i]);
        check_output(g.gl_pathv[i], messy, m, out, outlen);
        char *canon = NULL;
        size_t clen = 0;
        assert_int_equal(fmt_text(in, len, &canon, &clen, &d), 0);
        if (clen != outlen || memcmp(canon, out, clen) != 0)
            fail_msg("%s: the disturbed layout formats differently", g.gl_pathv[i]);
        free(canon);
        free(out);
        free(messy);
        free(in);
        rb_diags_free(&d);
    }
    globfree(&g);
}

/* ---- the command ---------------------------------------------------------------- */

/* Runs rb_cli_fmt with stdout and stderr captured into files in dir. */
static int run_cli(const char *dir, int argc, char **argv, char **out, char **err)
{
    char po[512], pe[512];
    snprintf(po, sizeof po, "%s/stdout", dir);
    snprintf(pe, sizeof pe, "%s/stderr", dir);
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    int fo = open(po, O_WRONLY | O_CREAT | O_TRUNC, 0644), fe = open(pe, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fo, 1);
    dup2(fe, 2);
    close(fo);
    close(fe);
    rb_cli c = {.cmd = "fmt", .lang = RB_LANG_EN};
    int rc = rb_cli_fmt(&c, argc, argv);
    rb_cli_done(&c);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    size_t n;
    *out = slurp(po, &n);
    *err = slurp(pe, &n);
    return rc;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_cli(void **state)
{
    (void)state;
    char dir[] = "/tmp/rubric-test-fmt.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char messy[600], clean[600], broken[600], missing[600];
    snprintf(messy, sizeof messy, "%s/messy.rubric", dir);
    snprintf(clean, sizeof clean, "%s/clean.rubric", dir);
    snprintf(broken, sizeof broken, "%s/broken.rubric", dir);
    snprintf(missing, sizeof missing, "%s/missing.rubric", dir);
    const char *canon = "form x {\n  item a points 1\n}\n";
    write_file(messy, "form x{item a points 1}");
    write_file(clean, canon);
    write_file(broken, "form x { item }");
    chmod(messy, 0640);
    char *out, *err;

    /* no option: the formatted text of each file in turn */
    char *a1[] = {messy, clean};
    assert_int_equal(run_cli(dir, 2, a1, &out, &err), 0);
    char both[200];
    snprintf(both, sizeof both, "%s%s", canon, canon);
    assert_string_equal(out, both);
    assert_string_equal(err, "");
    free(out), free(err);

    /* --check: names the files that would change, exit 1; 0 when none */
    char *a2[] = {"--check", messy, clean};
    assert_int_equal(run_cli(dir, 3, a2, &out, &err), 1);
    char want[700];
    snprintf(want, sizeof want, "%s\n", messy);
    assert_string_equal(out, want);
    free(out), free(err);
    char *a3[] = {clean, "--check"};
    assert_int_equal(run_cli(dir, 2, a3, &out, &err), 0);
    assert_string_equal(out, "");
    free(out), free(err);

    /* -w: rewrites what would change (keeping its mode), touches nothing else */
    struct stat before, after;
    assert_int_equal(stat(clean, &before), 0);
    char *a4[] = {"-w", messy, clean};
    assert_int_equal(run_cli(dir, 3, a4, &out, &err), 0);
    assert_string_equal(out, "");
    free(out), free(err);
    size_t n;
    char *text = slurp(messy, &n);
    assert_string_equal(text, canon);
    free(text);
    assert_int_equal(stat(messy, &after), 0);
    assert_int_equal(after.st_mode & 0777, 0640);
    assert_int_equal(stat(clean, &after), 0);
    assert_int_equal(after.st_ino, before.st_ino);
    char tmp[700];
    snprintf(tmp, sizeof tmp, "%s.tmp", messy);
    assert_int_not_equal(access(tmp, F_OK), 0);

    /* a syntax error: diagnostics on stderr, nothing written, exit 1; the
     * other files are still done */
    char *a5[] = {broken, clean};
    assert_int_equal(run_cli(dir, 2, a5, &out, &err), 1);
    assert_string_equal(out, canon);
    assert_non_null(strstr(err, "error[E0110]"));
    free(out), free(err);
    char *a6[] = {"-w", broken};
    assert_int_equal(run_cli(dir, 2, a6, &out, &err), 1);
    free(out), free(err);
    text = slurp(broken, &n);
    assert_string_equal(text, "form x { item }");
    free(text);

    /* unreadable file, usage errors: exit 2 */
    char *a7[] = {"--check", missing, clean};
    assert_int_equal(run_cli(dir, 3, a7, &out, &err), 2);
    assert_non_null(strstr(err, "rubric fmt: cannot open "));
    free(out), free(err);
    char *a8[] = {"--check", "-w", clean};
    assert_int_equal(run_cli(dir, 3, a8, &out, &err), 2);
    free(out), free(err);
    char *a9[] = {"--frobnicate", clean};
    assert_int_equal(run_cli(dir, 2, a9, &out, &err), 2);
    assert_non_null(strstr(err, "unknown option '--frobnicate'"));
    free(out), free(err);
    assert_int_equal(run_cli(dir, 0, NULL, &out, &err), 2);
    assert_non_null(strstr(err, "rubric fmt [--check | -w] FILE..."));
    free(out), free(err);
    char *a10[] = {"-w", "-"};
    assert_int_equal(run_cli(dir, 2, a10, &out, &err), 2);
    free(out), free(err);
    /* "--" ends the options */
    char *a11[] = {"--check", "--", clean};
    assert_int_equal(run_cli(dir, 3, a11, &out, &err), 0);
    free(out), free(err);

    remove(messy);
    remove(clean);
    remove(broken);
    char p[600];
    snprintf(p, sizeof p, "%s/stdout", dir);
    remove(p);
    snprintf(p, sizeof p, "%s/stderr", dir);
    remove(p);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_messy_spacing),
        cmocka_unit_test(test_comments_everywhere),
        cmocka_unit_test(test_cjk_alignment),
        cmocka_unit_test(test_bands_and_grades),
        cmocka_unit_test(test_choices),
        cmocka_unit_test(test_sections_raters_literals),
        cmocka_unit_test(test_expressions),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_blank_lines_crlf_bom),
        cmocka_unit_test(test_syntax_errors_refused),
        cmocka_unit_test(test_fmt_source_writes),
        cmocka_unit_test(test_templates),
        cmocka_unit_test(test_templates_disturbed),
        cmocka_unit_test(test_cli),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
