/* test_lexer.c — the scanner (lang/lexer.l) on its own: tokens and their
 * byte spans, UTF-8 names, BOM and CRLF, numbers, strings and escapes, the
 * full-width punctuation an input method types (each reported once and
 * then read as what it stands for), and every lexical error. */
#include "testutil.h"

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "num.h"
#include "parser.h"
#include "lexer.h"

typedef struct {
    int tok;
    rb_span span;
    const char *str;
    ast_literal lit;
} token;

typedef struct {
    rb_arena *arena;
    rb_source *src;
    rb_diags diags;
    rb_parse_ctx ctx;
    token toks[512];
    int n;
} lexed;

/* Scans `text` the way rb_parse does (UTF-8 check, BOM skipped) and keeps
 * every token up to the end. */
static lexed *lex_n(const char *text, size_t len)
{
    lexed *l = calloc(1, sizeof *l);
    l->arena = rb_arena_new();
    l->src = rb_source_new("t.rubric", text, len);
    rb_diags_init(&l->diags);
    l->ctx.arena = l->arena;
    l->ctx.src = l->src;
    l->ctx.diags = &l->diags;
    uint32_t start = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    l->ctx.base_off = start;
    rb_lex_check_utf8(&l->ctx);
    yyscan_t sc;
    assert_int_equal(rb_yylex_init_extra(&l->ctx, &sc), 0);
    assert_int_equal(rb_lex_set_input(sc, &l->ctx, text + start, len - start, start), 0);
    for (;;) {
        RB_YYSTYPE val;
        RB_YYLTYPE loc;
        memset(&val, 0, sizeof val);
        int t = rb_yylex(&val, &loc, sc);
        if (t == 0) break;
        assert_true(l->n < 512);
        token *k = &l->toks[l->n++];
        k->tok = t;
        k->span = loc;
        if (t == T_IDENT || t == T_STRING) k->str = val.str;
        if (t == T_NUMBER) k->lit = val.lit;
    }
    rb_yylex_destroy(sc);
    free(l->ctx.sbuf);
    return l;
}

static lexed *lex(const char *text)
{
    return lex_n(text, strlen(text));
}

static void done(lexed *l)
{
    rb_diags_free(&l->diags);
    rb_source_free(l->src);
    rb_arena_free(l->arena);
    free(l);
}

static void assert_tok(const lexed *l, int i, int tok, uint32_t start, uint32_t end)
{
    assert_true(i < l->n);
    assert_int_equal(l->toks[i].tok, tok);
    assert_int_equal(l->toks[i].span.start, start);
    assert_int_equal(l->toks[i].span.end, end);
}

static void assert_num(const lexed *l, int i, int64_t num, int64_t den)
{
    assert_int_equal(l->toks[i].tok, T_NUMBER);
    assert_int_equal(l->toks[i].lit.num.num, num);
    assert_int_equal(l->toks[i].lit.num.den, den);
}

static void assert_diag(const lexed *l, size_t i, const char *code, uint32_t start, uint32_t end, const char *msg)
{
    assert_true(i < l->diags.count);
    const rb_diag *g = &l->diags.items[i];
    assert_string_equal(g->code, code);
    assert_int_equal(g->span.start, start);
    assert_int_equal(g->span.end, end);
    if (msg) assert_string_equal(g->message, msg);
}

/* ---- tokens ------------------------------------------------------------ */

static void test_simple_tokens(void **state)
{
    (void)state;
    lexed *l = lex("form f \"x\" { item a points 10 }");
    assert_int_equal(l->diags.count, 0);
    assert_int_equal(l->n, 9);
    assert_tok(l, 0, K_FORM, 0, 4);
    assert_tok(l, 1, T_IDENT, 5, 6);
    assert_string_equal(l->toks[1].str, "f");
    assert_tok(l, 2, T_STRING, 7, 10);
    assert_string_equal(l->toks[2].str, "x");
    assert_tok(l, 3, T_LBRACE, 11, 12);
    assert_tok(l, 4, K_ITEM, 13, 17);
    assert_tok(l, 5, T_IDENT, 18, 19);
    assert_tok(l, 6, K_POINTS, 20, 26);
    assert_tok(l, 7, T_NUMBER, 27, 29);
    assert_tok(l, 8, T_RBRACE, 30, 31);
    done(l);
}

static void test_operators(void **state)
{
    (void)state;
    static const int want[] = {T_DOTDOT, T_EQ, T_NE, T_LE, T_GE, T_COALESCE, T_LT, T_GT, T_ASSIGN, T_PLUS,
                               T_MINUS, T_STAR, T_SLASH, T_LPAREN, T_RPAREN, T_LBRACE, T_RBRACE, T_COMMA, T_COLON};
    lexed *l = lex(".. == != <= >= ?? < > = + - * / ( ) { } , :");
    assert_int_equal(l->diags.count, 0);
    assert_int_equal(l->n, (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < l->n; i++) assert_int_equal(l->toks[i].tok, want[i]);
    done(l);
}

static void test_reserved_words(void **state)
{
    (void)state;
    static const struct {
        const char *w;
        int t;
    } kw[] = {
        {"form", K_FORM}, {"section", K_SECTION}, {"item", K_ITEM}, {"deduct", K_DEDUCT}, {"input", K_INPUT},
        {"field", K_FIELD}, {"param", K_PARAM}, {"type", K_TYPE}, {"let", K_LET}, {"check", K_CHECK},
        {"warn", K_WARN}, {"output", K_OUTPUT}, {"total", K_TOTAL}, {"grade", K_GRADE}, {"band", K_BAND},
        {"raters", K_RATERS}, {"choice", K_CHOICE}, {"choices", K_CHOICES}, {"number", K_NUMBER},
        {"integer", K_INTEGER}, {"percent", K_PERCENT}, {"text", K_TEXT}, {"bool", K_BOOL}, {"date", K_DATE},
        {"if", K_IF}, {"then", K_THEN}, {"else", K_ELSE}, {"and", K_AND}, {"or", K_OR}, {"not", K_NOT},
        {"in", K_IN}, {"true", K_TRUE}, {"false", K_FALSE}, {"required", K_REQUIRED}, {"optional", K_OPTIONAL},
        {"default", K_DEFAULT}, {"unit", K_UNIT}, {"points", K_POINTS}, {"weight", K_WEIGHT}, {"scale", K_SCALE},
        {"precision", K_PRECISION}, {"period", K_PERIOD}, {"version", K_VERSION}, {"on", K_ON}, {"when", K_WHEN},
    };
    /* exactly the SPEC §2 list: 45 words */
    assert_int_equal(sizeof kw / sizeof kw[0], 45);
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++) {
        lexed *l = lex(kw[i].w);
        assert_int_equal(l->n, 1);
        assert_int_equal(l->toks[0].tok, kw[i].t);
        done(l);
    }
    /* built-in functions, near misses and other cases are names */
    static const char *names[] = {"min", "max", "present", "Form", "ITEM", "items", "form_", "_if", "name", "once"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        lexed *l = lex(names[i]);
        assert_int_equal(l->n, 1);
        assert_int_equal(l->toks[0].tok, T_IDENT);
        assert_string_equal(l->toks[0].str, names[i]);
        done(l);
    }
}

static void test_utf8_names(void **state)
{
    (void)state;
    lexed *l = lex("销售额 _a1 A类客户 第Ⅱ周 café x々");
    assert_int_equal(l->diags.count, 0);
    assert_int_equal(l->n, 6);
    assert_tok(l, 0, T_IDENT, 0, 9);
    assert_string_equal(l->toks[0].str, "销售额");
    assert_string_equal(l->toks[1].str, "_a1");
    assert_string_equal(l->toks[2].str, "A类客户");
    assert_string_equal(l->toks[3].str, "第Ⅱ周");
    assert_string_equal(l->toks[4].str, "café");
    assert_string_equal(l->toks[5].str, "x々");
    done(l);
}

static void test_name_stops_at_punctuation(void **state)
{
    (void)state;
    /* a name ends where punctuation starts, ASCII or not */
    lexed *l = lex("回款率（x） a★b");
    assert_int_equal(l->toks[0].tok, T_IDENT);
    assert_string_equal(l->toks[0].str, "回款率");
    assert_tok(l, 1, T_LPAREN, 9, 12);
    assert_string_equal(l->toks[2].str, "x");
    assert_tok(l, 3, T_RPAREN, 13, 16);
    assert_string_equal(l->toks[4].str, "a");
    assert_string_equal(l->toks[5].str, "b");
    assert_int_equal(l->n, 6);
    /* （ ） and ★ */
    assert_int_equal(l->diags.count, 3);
    assert_diag(l, 2, "E0103", 18, 21, "'★' (U+2605) is not allowed here");
    done(l);
}

static void test_bom_and_crlf(void **state)
{
    (void)state;
    lexed *l = lex("\xEF\xBB\xBF" "form\r\nf\r\n// c\r\n=");
    assert_int_equal(l->diags.count, 0);
    assert_int_equal(l->n, 3);
    assert_tok(l, 0, K_FORM, 3, 7);
    assert_tok(l, 1, T_IDENT, 9, 10);
    assert_tok(l, 2, T_ASSIGN, 18, 19);
    /* the comment's span leaves out the \r */
    assert_non_null(l->ctx.comments);
    assert_int_equal(l->ctx.comments->span.start, 12);
    assert_int_equal(l->ctx.comments->span.end, 16);
    done(l);
}

static void test_bom_only_at_start(void **state)
{
    (void)state;
    lexed *l = lex("a \xEF\xBB\xBF b");
    assert_int_equal(l->n, 2);
    assert_int_equal(l->diags.count, 1);
    assert_diag(l, 0, "E0108", 2, 5, "invisible character U+FEFF");
    done(l);
}

/* ---- numbers ------------------------------------------------------------ */

static void test_numbers(void **state)
{
    (void)state;
    lexed *l = lex("12 12.5 40% 12.5% 0 007 0.85 100%");
    assert_int_equal(l->diags.count, 0);
    assert_int_equal(l->n, 8);
    assert_num(l, 0, 12, 1);
    assert_true(l->toks[0].lit.is_integer_text);
    assert_false(l->toks[0].lit.is_percent);
    assert_num(l, 1, 25, 2);
    assert_false(l->toks[1].lit.is_integer_text);
    assert_num(l, 2, 2, 5); /* 40% is exactly 0.40 */
    assert_true(l->toks[2].lit.is_percent);
    assert_false(l->toks[2].lit.is_integer_text);
    assert_tok(l, 2, T_NUMBER, 8, 11);
    assert_num(l, 3, 1, 8);
    assert_num(l, 4, 0, 1);
    assert_num(l, 5, 7, 1);
    assert_num(l, 6, 17, 20);
    assert_num(l, 7, 1, 1);
    done(l);
}

static void test_range_lexes_as_three_tokens(void **state)
{
    (void)state;
    lexed *l = lex("0..10 -5..5 1.5..2");
    assert_int_equal(l->diags.count, 0);
    assert_int_equal(l->n, 10);
    assert_tok(l, 0, T_NUMBER, 0, 1);
    assert_tok(l, 1, T_DOTDOT, 1, 3);
    assert_tok(l, 2, T_NUMBER, 3, 5);
    assert_num(l, 2, 10, 1);
    assert_int_equal(l->toks[3].tok, T_MINUS);
    assert_num(l, 4, 5, 1);
    assert_int_equal(l->toks[5].tok, T_DOTDOT);
    assert_num(l, 7, 3, 2);
    assert_int_equal(l->toks[8].tok, T_DOTDOT);
    assert_num(l, 9, 2, 1);
    done(l);
}

static void test_malformed_numbers(void **state)
{
    (void)state;
    lexed *l = lex(".5 12. + 1e3 99999999999999999999");
    assert_int_equal(l->n, 5);
    assert_num(l, 0, 1, 2);
    assert_num(l, 1, 12, 1);
    assert_num(l, 3, 1000, 1);
    assert_num(l, 4, 0, 1);
    assert_int_equal(l->diags.count, 4);
    assert_diag(l, 0, "E0107", 0, 2, "a number cannot start with '.'");
    assert_string_equal(l->diags.items[0].help, "write 0.5");
    assert_diag(l, 1, "E0107", 3, 6, "a number cannot end with '.'");
    assert_diag(l, 2, "E0107", 9, 12, "exponents are not part of the language");
    assert_string_equal(l->diags.items[2].help, "write the number out: 1000");
    assert_diag(l, 3, "E0107", 13, 33, "the number 99999999999999999999 cannot be represented exactly");
    done(l);
}

static void test_unit_after_number(void **state)
{
    (void)state;
    /* `points 10分`: one message, and the unit is dropped */
    lexed *l = lex("points 10分 5 4O x");
    assert_int_equal(l->n, 5);
    assert_int_equal(l->toks[0].tok, K_POINTS);
    assert_num(l, 1, 10, 1);
    assert_num(l, 2, 5, 1);
    assert_num(l, 3, 4, 1);
    assert_string_equal(l->toks[4].str, "x");
    assert_int_equal(l->diags.count, 2);
    assert_diag(l, 0, "E0107", 9, 12, "'分' cannot follow the number 10");
    assert_diag(l, 1, "E0107", 16, 17, "'O' cannot follow the number 4");
    assert_string_equal(l->diags.items[1].help, "'O' is a letter; did you mean the digit 0?");
    done(l);
    /* a keyword right after a number is just the next token */
    l = lex("5points");
    assert_int_equal(l->diags.count, 0);
    assert_int_equal(l->n, 2);
    assert_int_equal(l->toks[1].tok, K_POINTS);
    done(l);
}

/* ---- strings ------------------------------------------------------------ */

static void test_string_escapes(void **state)
{
    (void)state;
    lexed *l = lex("\"a\\\"b\\\\c\\nd\\te\\u{4E2D}\\u{1F600}\\u{41}\" \"\" \"专业（万元）：\"");
    assert_int_equal(l->diags.count, 0);
    assert_int_equal(l->n, 3);
    assert_string_equal(l->toks[0].str, "a\"b\\c\nd\te中\xF0\x9F\x98\x80" "A");
    assert_string_equal(l->toks[1].str, "");
    /* full-width punctuation inside a string is just text */
    assert_string_equal(l->toks[2].str, "专业（万元）：");
    done(l);
}

static void test_bad_escapes(void **state)
{
    (void)state;
    lexed *l = lex("\"a\\qb\\u{D800}\\u{110000}\\u{}\\u{0}c\"");
    assert_int_equal(l->n, 1);
    assert_string_equal(l->toks[0].str, "abc");
    assert_int_equal(l->diags.count, 5);
    assert_diag(l, 0, "E0105", 2, 4, "unknown escape '\\q'");
    assert_diag(l, 1, "E0105", 5, 13, "'\\u{D800}' is not a character");
    assert_diag(l, 2, "E0105", 13, 23, "'\\u{110000}' is not a character");
    assert_diag(l, 3, "E0105", 23, 27, "malformed unicode escape");
    assert_diag(l, 4, "E0105", 27, 32, "'\\u{0}' is not a character");
    done(l);
}

/* Issue 7.7: a lone surrogate is one rule in every shape — a syntax error
 * (E0105) at the escape, never '?', never a guessed code point.  JSON's
 * \uXXXX form is not the template's (SPEC §2: \u{4E2D}), so a high
 * surrogate followed by \u0041 is two errors, not U+10041; and a pair in
 * braces is two surrogates, not one character. */
static void test_lone_surrogates(void **state)
{
    (void)state;
    static const struct {
        const char *src;
        size_t ndiags;
        uint32_t start, end;
        const char *message;
    } cases[] = {
        {"\"\\ud800\"", 1, 1, 3, "malformed unicode escape"},
        {"\"\\udc00\"", 1, 1, 3, "malformed unicode escape"},
        {"\"\\ud800\\u0041\"", 2, 1, 3, "malformed unicode escape"},
        {"\"\\u{DC00}\"", 1, 1, 9, "'\\u{DC00}' is not a character"},
        {"\"\\u{D800}\\u{DC00}\"", 2, 1, 9, "'\\u{D800}' is not a character"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lexed *l = lex(cases[i].src);
        assert_int_equal(l->n, 1);
        assert_int_equal(l->diags.count, cases[i].ndiags);
        for (size_t k = 0; k < l->diags.count; k++) assert_string_equal(l->diags.items[k].code, "E0105");
        assert_diag(l, 0, "E0105", cases[i].start, cases[i].end, cases[i].message);
        /* no replacement character stands in for the surrogate */
        assert_null(strchr(l->toks[0].str, '?'));
        assert_null(strstr(l->toks[0].str, "\xEF\xBF\xBD"));
        done(l);
    }
}

static void test_unterminated_string(void **state)
{
    (void)state;
    /* a string stops at the end of its line: the next line is still read */
    lexed *l = lex("let a = \"abc\r\nlet b");
    assert_int_equal(l->n, 6);
    assert_tok(l, 3, T_STRING, 8, 12);
    assert_string_equal(l->toks[3].str, "abc");
    assert_int_equal(l->toks[4].tok, K_LET);
    assert_int_equal(l->diags.count, 1);
    assert_diag(l, 0, "E0104", 8, 9, "this string is not closed on its line");
    done(l);
    l = lex("x \"abc");
    assert_int_equal(l->n, 2);
    assert_tok(l, 1, T_STRING, 2, 6);
    assert_diag(l, 0, "E0104", 2, 3, "this string is never closed");
    done(l);
}

static void test_single_quotes(void **state)
{
    (void)state;
    lexed *l = lex("'abc' x");
    assert_int_equal(l->n, 2);
    assert_tok(l, 0, T_STRING, 0, 5);
    assert_string_equal(l->toks[0].str, "abc");
    assert_int_equal(l->diags.count, 1);
    assert_diag(l, 0, "E0103", 0, 1, "strings are written in double quotes");
    done(l);
}

/* ---- comments ----------------------------------------------------------- */

static void test_comments(void **state)
{
    (void)state;
    lexed *l = lex("a // one\nb /* two\n lines */ c /* x */");
    assert_int_equal(l->diags.count, 0);
    assert_int_equal(l->n, 3);
    ast_comment *k = l->ctx.comments;
    assert_non_null(k);
    assert_int_equal(k->span.start, 2);
    assert_int_equal(k->span.end, 8);
    k = k->next;
    assert_int_equal(k->span.start, 11);
    assert_int_equal(k->span.end, 27);
    k = k->next;
    assert_int_equal(k->span.start, 30);
    assert_int_equal(k->span.end, 37);
    assert_null(k->next);
    done(l);
}

static void test_unterminated_comment(void **state)
{
    (void)state;
    lexed *l = lex("a /* never\nclosed");
    assert_int_equal(l->n, 1);
    assert_int_equal(l->diags.count, 1);
    assert_diag(l, 0, "E0106", 2, 4, "this comment is never closed");
    assert_int_equal(l->ctx.comments->span.start, 2);
    assert_int_equal(l->ctx.comments->span.end, 17);
    done(l);
}

/* ---- full-width punctuation --------------------------------------------- */

static void test_fullwidth_mappings(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int tok;
        const char *msg;
        const char *help;
    } cases[] = {
        {"：", T_COLON, "full-width '：' (U+FF1A) is not part of the language", "use ASCII ':'"},
        {"，", T_COMMA, "full-width '，' (U+FF0C) is not part of the language", "use ASCII ','"},
        {"、", T_COMMA, "full-width '、' (U+3001) is not part of the language", "use ASCII ','"},
        {"（", T_LPAREN, "full-width '（' (U+FF08) is not part of the language", "use ASCII '('"},
        {"）", T_RPAREN, "full-width '）' (U+FF09) is not part of the language", "use ASCII ')'"},
        {"｛", T_LBRACE, "full-width '｛' (U+FF5B) is not part of the language", "use ASCII '{'"},
        {"｝", T_RBRACE, "full-width '｝' (U+FF5D) is not part of the language", "use ASCII '}'"},
        {"＝", T_ASSIGN, "full-width '＝' (U+FF1D) is not part of the language", "use ASCII '='"},
        {"＜", T_LT, "full-width '＜' (U+FF1C) is not part of the language", "use ASCII '<'"},
        {"＞", T_GT, "full-width '＞' (U+FF1E) is not part of the language", "use ASCII '>'"},
        {"《", T_LT, "full-width '《' (U+300A) is not part of the language", "use ASCII '<'"},
        {"》", T_GT, "full-width '》' (U+300B) is not part of the language", "use ASCII '>'"},
        {"＜＝", T_LE, "full-width '＜' (U+FF1C) is not part of the language", "use ASCII '<='"},
        {"＞=", T_GE, "full-width '＞' (U+FF1E) is not part of the language", "use ASCII '>='"},
        {"》＝", T_GE, "full-width '》' (U+300B) is not part of the language", "use ASCII '>='"},
        {"＝＝", T_EQ, "full-width '＝' (U+FF1D) is not part of the language", "use ASCII '=='"},
        {"！＝", T_NE, "full-width '！' (U+FF01) is not part of the language", "use ASCII '!='"},
        {"？？", T_COALESCE, "full-width '？' (U+FF1F) is not part of the language", "use ASCII '?\?'"},
        {"．．", T_DOTDOT, "full-width '．' (U+FF0E) is not part of the language", "use ASCII '..'"},
        {"。。", T_DOTDOT, "full-width '。' (U+3002) is not part of the language", "use ASCII '..'"},
        {"＋", T_PLUS, "full-width '＋' (U+FF0B) is not part of the language", "use ASCII '+'"},
        {"－", T_MINUS, "full-width '－' (U+FF0D) is not part of the language", "use ASCII '-'"},
        {"＊", T_STAR, "full-width '＊' (U+FF0A) is not part of the language", "use ASCII '*'"},
        {"／", T_SLASH, "full-width '／' (U+FF0F) is not part of the language", "use ASCII '/'"},
        {"≥", T_GE, "'≥' (U+2265) is not part of the language", "use ASCII '>='"},
        {"≤", T_LE, "'≤' (U+2264) is not part of the language", "use ASCII '<='"},
        {"≠", T_NE, "'≠' (U+2260) is not part of the language", "use ASCII '!='"},
        {"×", T_STAR, "'×' (U+00D7) is not part of the language", "use ASCII '*'"},
        {"÷", T_SLASH, "'÷' (U+00F7) is not part of the language", "use ASCII '/'"},
        {"−", T_MINUS, "'−' (U+2212) is not part of the language", "use ASCII '-'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* alone, and glued between names (where the name rule sees it first) */
        for (int glued = 0; glued < 2; glued++) {
            char buf[64];
            snprintf(buf, sizeof buf, glued ? "a%sb" : "%s", cases[i].in);
            lexed *l = lex(buf);
            int at = glued ? 1 : 0;
            /* an opening bracket also gets its closer at the end of the input */
            bool opens = cases[i].tok == T_LPAREN || cases[i].tok == T_LBRACE;
            assert_int_equal(l->n, (glued ? 3 : 1) + opens);
            assert_int_equal(l->toks[at].tok, cases[i].tok);
            assert_int_equal(l->toks[at].span.start, (uint32_t)at);
            assert_int_equal(l->toks[at].span.end, (uint32_t)(at + strlen(cases[i].in)));
            assert_int_equal(l->diags.count, 1 + opens);
            assert_diag(l, 0, "E0102", (uint32_t)at, (uint32_t)(at + strlen(cases[i].in)), cases[i].msg);
            assert_string_equal(l->diags.items[0].help, cases[i].help);
            done(l);
        }
    }
}

static void test_fullwidth_digits(void **state)
{
    (void)state;
    lexed *l = lex("points １０ 4０％ １２．５");
    assert_int_equal(l->n, 4);
    assert_num(l, 1, 10, 1);
    assert_tok(l, 1, T_NUMBER, 7, 13);
    assert_num(l, 2, 2, 5);
    assert_true(l->toks[2].lit.is_percent);
    assert_num(l, 3, 25, 2);
    assert_int_equal(l->diags.count, 3);
    assert_diag(l, 0, "E0102", 7, 13, "full-width '１' (U+FF11) is not part of the language");
    assert_string_equal(l->diags.items[0].help, "use ASCII '10'");
    assert_diag(l, 1, "E0102", 14, 21, "full-width '０' (U+FF10) is not part of the language");
    assert_string_equal(l->diags.items[1].help, "use ASCII '40%'");
    assert_string_equal(l->diags.items[2].help, "use ASCII '12.5'");
    done(l);
    /* inside a name a full-width digit is read as the digit */
    l = lex("季度１");
    assert_int_equal(l->n, 1);
    assert_string_equal(l->toks[0].str, "季度1");
    assert_diag(l, 0, "E0102", 6, 9, "full-width '１' (U+FF11) is not part of the language");
    assert_string_equal(l->diags.items[0].help, "use ASCII '1'");
    done(l);
}

static void test_curly_quotes(void **state)
{
    (void)state;
    /* “…” delimits a string: one message for the pair */
    lexed *l = lex("item k “专业” points");
    assert_int_equal(l->n, 4);
    assert_tok(l, 2, T_STRING, 7, 19);
    assert_string_equal(l->toks[2].str, "专业");
    assert_int_equal(l->toks[3].tok, K_POINTS);
    assert_int_equal(l->diags.count, 1);
    assert_diag(l, 0, "E0102", 7, 10, "'“' (U+201C) is not part of the language");
    assert_string_equal(l->diags.items[0].help, "use ASCII '\"'");
    done(l);
    /* the other quote marks an input method types */
    static const char *quoted[] = {"‘专业’", "「专业」", "『专业』", "＂专业＂", "”专业“", "“专业\""};
    for (size_t i = 0; i < sizeof quoted / sizeof quoted[0]; i++) {
        l = lex(quoted[i]);
        assert_int_equal(l->n, 1);
        assert_int_equal(l->toks[0].tok, T_STRING);
        assert_string_equal(l->toks[0].str, "专业");
        assert_int_equal(l->diags.count, 1);
        assert_string_equal(l->diags.items[0].code, "E0102");
        done(l);
    }
    /* inside an ASCII string, curly quotes are text */
    l = lex("\"他说“好”\"");
    assert_int_equal(l->diags.count, 0);
    assert_string_equal(l->toks[0].str, "他说“好”");
    done(l);
}

static void test_fullwidth_skipped(void **state)
{
    (void)state;
    /* characters with no meaning in Rubric are reported and skipped */
    lexed *l = lex("a；b【c】　d");
    assert_int_equal(l->n, 4);
    assert_string_equal(l->toks[3].str, "d");
    assert_int_equal(l->diags.count, 4);
    assert_diag(l, 0, "E0102", 1, 4, "full-width '；' (U+FF1B) is not part of the language");
    assert_string_equal(l->diags.items[0].help, "it stands for ASCII ';', and Rubric needs none: delete it");
    assert_diag(l, 1, "E0102", 5, 8, "full-width '【' (U+3010) is not part of the language");
    assert_diag(l, 3, "E0102", 12, 15, "full-width space (U+3000) is not part of the language");
    assert_string_equal(l->diags.items[3].help, "use an ASCII space");
    done(l);
}

/* ---- other characters --------------------------------------------------- */

static void test_ascii_misfits(void **state)
{
    (void)state;
    lexed *l = lex("a && b || !c ; d # note\ne @@ f");
    /* a and b or not c d e f */
    assert_int_equal(l->n, 9);
    assert_int_equal(l->toks[1].tok, K_AND);
    assert_int_equal(l->toks[3].tok, K_OR);
    assert_int_equal(l->toks[4].tok, K_NOT);
    assert_int_equal(l->diags.count, 6);
    assert_diag(l, 0, "E0103", 2, 4, "unexpected '&&'");
    assert_string_equal(l->diags.items[0].help, "write 'and'");
    assert_diag(l, 3, "E0103", 13, 14, "unexpected ';'");
    assert_diag(l, 4, "E0103", 17, 18, "'#' does not start a comment in Rubric");
    assert_diag(l, 5, "E0103", 26, 28, "unexpected '@@'");
    done(l);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    /* reported at its byte; a run of bad bytes once; the rest still scans */
    lexed *l = lex("ab \xFF\xFE cd \"x\xE4\xB8y\" \xC3");
    assert_int_equal(l->n, 3);
    assert_string_equal(l->toks[0].str, "ab");
    assert_string_equal(l->toks[1].str, "cd");
    assert_string_equal(l->toks[2].str, "xy");
    assert_int_equal(l->diags.count, 3);
    assert_diag(l, 0, "E0101", 3, 5, "invalid UTF-8 (byte 0xFF)");
    assert_diag(l, 1, "E0101", 11, 13, "invalid UTF-8 (byte 0xE4)");
    assert_diag(l, 2, "E0101", 16, 17, "invalid UTF-8 (byte 0xC3)");
    done(l);
    /* overlong forms and surrogates are not UTF-8 either */
    l = lex("\xC0\xAF \xED\xA0\x80 \xF4\x90\x80\x80");
    assert_int_equal(l->n, 0);
    assert_int_equal(l->diags.count, 3);
    assert_diag(l, 0, "E0101", 0, 2, NULL);
    assert_diag(l, 1, "E0101", 3, 6, NULL);
    assert_diag(l, 2, "E0101", 7, 11, NULL);
    done(l);
}

static void test_invalid_utf8_capped(void **state)
{
    (void)state;
    /* a file in another encoding: ten reports and a last word */
    char buf[200];
    size_t n = 0;
    for (int i = 0; i < 30; i++) {
        buf[n++] = (char)0xD6;
        buf[n++] = ' ';
    }
    lexed *l = lex_n(buf, n);
    assert_int_equal(l->diags.count, 11);
    assert_diag(l, 10, "E0101", 20, 21, "more bytes that are not UTF-8 follow (not all are reported)");
    done(l);
}

static void test_control_and_invisible(void **state)
{
    (void)state;
    lexed *l = lex_n("a\0b\x01 c\xE2\x80\x8B" "d e\xC2\xA0" "f", 15);
    assert_int_equal(l->n, 6);
    assert_int_equal(l->diags.count, 4);
    assert_diag(l, 0, "E0108", 1, 2, "control character U+0000");
    assert_diag(l, 1, "E0108", 3, 4, "control character U+0001");
    assert_diag(l, 2, "E0108", 6, 9, "invisible character U+200B");
    assert_diag(l, 3, "E0108", 12, 14, "invisible character U+00A0");
    done(l);
}

static void test_nesting_limit(void **state)
{
    (void)state;
    char buf[200];
    memset(buf, '(', 70);
    buf[70] = '\0';
    lexed *l = lex(buf);
    assert_int_equal(l->n, 64); /* the 65th ends the input */
    assert_int_equal(l->diags.count, 1);
    assert_diag(l, 0, "E0116", 64, 65, "more than 64 '(' and '{' are open here");
    done(l);
}

static void test_eof_closes_braces(void **state)
{
    (void)state;
    /* the lexer supplies the closers and says so once */
    lexed *l = lex("{ ( x");
    assert_int_equal(l->n, 5);
    assert_tok(l, 3, T_RPAREN, 5, 5);
    assert_tok(l, 4, T_RBRACE, 5, 5);
    assert_int_equal(l->diags.count, 1);
    assert_diag(l, 0, "E0110", 5, 5, "expected ')' before the end of the file");
    assert_string_equal(l->diags.items[0].help, "the '(' at line 1, column 3 is never closed");
    done(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_tokens),
        cmocka_unit_test(test_operators),
        cmocka_unit_test(test_reserved_words),
        cmocka_unit_test(test_utf8_names),
        cmocka_unit_test(test_name_stops_at_punctuation),
        cmocka_unit_test(test_bom_and_crlf),
        cmocka_unit_test(test_bom_only_at_start),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_range_lexes_as_three_tokens),
        cmocka_unit_test(test_malformed_numbers),
        cmocka_unit_test(test_unit_after_number),
        cmocka_unit_test(test_string_escapes),
        cmocka_unit_test(test_bad_escapes),
        cmocka_unit_test(test_lone_surrogates),
        cmocka_unit_test(test_unterminated_string),
        cmocka_unit_test(test_single_quotes),
        cmocka_unit_test(test_comments),
        cmocka_unit_test(test_unterminated_comment),
        cmocka_unit_test(test_fullwidth_mappings),
        cmocka_unit_test(test_fullwidth_digits),
        cmocka_unit_test(test_curly_quotes),
        cmocka_unit_test(test_fullwidth_skipped),
        cmocka_unit_test(test_ascii_misfits),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_invalid_utf8_capped),
        cmocka_unit_test(test_control_and_invisible),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_eof_closes_braces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
