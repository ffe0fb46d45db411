/* parser.y — the Rubric grammar (SPEC §3, §4): a pure, LALR(1), conflict-free
 * bison parser that builds the ast.h tree in the compilation arena.
 *
 * Design notes (the why; docs/diagnostics.md has the user-facing side):
 *  - Precedence is spelled out as one nonterminal per level instead of
 *    %left/%right declarations, so that the grammar has no conflicts to
 *    silence and each level says exactly what may appear in it.  (The one
 *    %precedence pair concerns error recovery only; see NO_FORMULA.)
 *  - Newlines mean nothing.  Lists inside braces (choice options, raters,
 *    band and grade arms) are separated by optional commas: an element can
 *    never continue the one before it (an arm result is arithmetic, so the
 *    next arm's '>=' cannot extend it), so the comma is not needed to
 *    disambiguate and both one-per-line and comma-separated styles parse.
 *  - Error recovery: `decls: decls error` resumes at the next declaration
 *    keyword or '}', so a bad declaration costs one diagnostic and the rest
 *    of the section is still parsed.  Every declaration keyword calls
 *    yyerrok, so an error right after a recovered one is still reported
 *    (bison would otherwise swallow errors until three tokens are shifted).
 *    Braced lists and parentheses have their own `error` rules so that a
 *    bad arm or argument does not make their '}' or ')' close the enclosing
 *    section.  Section and form headers recover at their '{'.
 *  - Every semantic value is arena memory or a plain value; see %destructor.
 *  - Syntax messages are written by yyreport_syntax_error from the expected
 *    token set and the tokens before the error.  LAC is deliberately off:
 *    with it, `let c = 1` followed by a stray word is an error detected
 *    inside c's expression, and the recovery rule `let_kw name error` would
 *    throw c's good value away; with default reductions c is complete
 *    before the error is seen, so those rules only catch errors inside a
 *    declaration. */

/* The parser's stack grows through alloc.h (see lexer.l for why). */
%code top {
#include "alloc.h"
#define YYMALLOC rb_xmalloc
#define YYFREE rb_free
}

%code requires {
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"

/* Limits (SPEC §11): deeper input is a clear error, never a crash. */
#define RB_MAX_NESTING 64      /* open '(' and '{' at once */
#define RB_MAX_EXPR_DEPTH 1000 /* operators in one expression, counted along its deepest path */

/* An expression under construction and the height of its tree, so that a
 * pathological expression is cut off before later passes recurse into it. */
typedef struct { ast_expr *e; uint32_t depth; } rb_ex;

/* Lists are built left-recursively in source order; keeping the tail makes
 * appending O(1). */
typedef struct { ast_decl *head, *tail; } rb_decl_list;
typedef struct { ast_option *head, *tail; } rb_opt_list;
typedef struct { ast_constraint *head, *tail; } rb_con_list;
typedef struct { ast_arm *head, *tail; uint32_t depth; } rb_arm_list;
typedef struct { ast_expr *head, *tail; int n; uint32_t depth; } rb_arg_list;
typedef struct { ast_rater *head, *tail; } rb_rater_list;
typedef struct { ast_arm *a; uint32_t depth; } rb_armx;
typedef struct { ast_dist_rule *head, *tail; } rb_rule_list;
typedef struct { ast_dist_id *head, *tail; } rb_id_list;

/* item/deduct/section attributes, gathered in any order; the spans let the
 * declaration report an attribute that does not belong to it. */
typedef struct {
    ast_decl *d;
    rb_span optional_span, when_span;
} rb_attrs;

/* Shared by the lexer (yyextra) and the parser (parse-param). */
typedef struct rb_parse_ctx {
    rb_arena *arena;
    rb_source *src;
    rb_diags *diags;

    /* lexer input: offsets are (pointer - lexbase) + base_off */
    const char *lexbase;
    uint32_t base_off;

    ast_comment *comments, **comment_tail;

    /* string literal being read */
    char *sbuf;
    size_t slen, scap;
    uint32_t str_start, str_close;
    uint32_t comment_start;
    uint32_t nosync_at;     /* see SYNC in parser.y */
    /* a number ended here and a letter follows it (`10分`), see lex_ident */
    uint32_t after_number, after_number_start;

    /* open brackets, for the nesting limit and "never closed" messages */
    uint32_t nest;
    rb_span open_at[RB_MAX_NESTING + 1];
    char open_kind[RB_MAX_NESTING + 1];
    /* for a section left open (see close_before in lexer.l): the indentation
     * of the line of each '{', of the first line inside it (UINT32_MAX: none
     * yet), and the section it opens (NULL: not a section) */
    uint32_t open_indent[RB_MAX_NESTING + 1], body_indent[RB_MAX_NESTING + 1];
    const char *open_section[RB_MAX_NESTING + 1];
    bool open_body[RB_MAX_NESTING + 1]; /* the '{' opens a form or section body */
    bool unmatched_close;   /* the last ')' or '}' closed nothing */
    uint32_t unclosed_string_end; /* where the last string not closed on its line ended */
    bool eof_reported;      /* the file ended inside braces (the lexer closes them) */

    /* the two most recent tokens: `last` is the parser's lookahead */
    int last_tok, prev_tok;
    rb_span last_span, prev_span;

    /* the declaration being read (its keyword and name), for messages */
    int decl_kw, prev_decl_kw;
    const char *decl_name, *prev_decl_name;
    bool await_name;

    /* the line of the last token the lexer measured (line_indent): its
     * offset, its line's start and where that line's text starts, so that a
     * long line is scanned once, not once per token */
    uint32_t line_off, line_start, line_text;
    bool line_known;

    bool fatal;             /* a limit was hit: stop and report nothing more */
    bool depth_reported;
    size_t syntax_errors;
    ast_expr *chain_reported;

    ast_decl *form;
    int nforms;
} rb_parse_ctx;
}

%code provides {
/* lexer.l: reports invalid UTF-8 once, before scanning (E0101). */
void rb_lex_check_utf8(rb_parse_ctx *ctx);
/* lexer.l: scans text[0..len), which starts at byte base_off of the source. */
int rb_lex_set_input(void *scanner, rb_parse_ctx *ctx, const char *text, size_t len, uint32_t base_off);
}

%code {
#include <stdio.h>
#include <string.h>

#include "num.h"

int rb_yylex(RB_YYSTYPE *lval, RB_YYLTYPE *lloc, void *scanner);
static void rb_yyerror(RB_YYLTYPE *loc, void *scanner, rb_parse_ctx *ctx, const char *msg);

/* Spans are byte ranges: a rule covers its first to its last symbol; an
 * empty rule is the point where the previous symbol ended. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                         \
    do {                                                    \
        if (N) {                                            \
            (Cur).start = YYRHSLOC(Rhs, 1).start;           \
            (Cur).end = YYRHSLOC(Rhs, N).end;               \
        } else {                                            \
            (Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end; \
        }                                                   \
    } while (0)

static ast_decl *decl_new(rb_parse_ctx *c, ast_decl_kind k, rb_span whole, rb_span kw);
static ast_decl *fill(ast_decl *d, ast_decl_kind k, rb_span whole, rb_span kw,
                      const char *name, rb_span name_span, const char *label, rb_span label_span);
static ast_type *type_new(rb_parse_ctx *c, ast_type_kind k, rb_span span);
static void decl_append(rb_decl_list *l, ast_decl *d);
static rb_ex ex_leaf(rb_parse_ctx *c, ast_expr_kind k, rb_span span);
static rb_ex ex_un(rb_parse_ctx *c, ast_expr_kind k, rb_ex a, rb_span span);
static rb_ex ex_bin(rb_parse_ctx *c, ast_expr_kind k, rb_ex a, rb_ex b, rb_span span);
static rb_ex ex_depth(rb_parse_ctx *c, rb_ex x);
static rb_ex ex_name(rb_parse_ctx *c, const char *name, rb_span span);
static rb_ex ex_error(rb_parse_ctx *c, rb_span span);
static ast_literal lit_neg(ast_literal l, rb_span span);
static ast_literal lit_str(const char *s, rb_span span);
static ast_arm *arm_new(rb_parse_ctx *c, ast_arm_op op, rb_span span, ast_expr *threshold);
static void arm_append(rb_arm_list *l, ast_arm *a, uint32_t depth);
static ast_constraint *con_new(rb_parse_ctx *c, ast_con_kind k, rb_span span);
static void attr_twice(rb_parse_ctx *c, const char *what, rb_span span);
static void attrs_not_for(rb_parse_ctx *c, rb_attrs *a, const char *what);
static void form_seen(rb_parse_ctx *c, ast_decl *form);

/* A declaration keyword ends error recovery, unless the error was that very
 * keyword standing in the middle of a line (`let x = total`): then it is
 * part of the broken declaration, not the start of the next one. */
#define SYNC(loc)                                       \
    do {                                                \
        if ((loc).start != ctx->nosync_at) yyerrok;     \
    } while (0)

/* Appends to a {head, tail} list of nodes linked through `next`. */
#define APPEND(list, node)                            \
    do {                                              \
        if ((list).tail) (list).tail->next = (node);  \
        else (list).head = (node);                    \
        (list).tail = (node);                         \
    } while (0)
}

%define api.pure full
%define api.prefix {rb_yy}
%define api.location.type {rb_span}
%define parse.error custom
%locations
%expect 0
%parse-param {void *scanner} {rb_parse_ctx *ctx}
%lex-param {void *scanner}

%union {
    const char *str;
    ast_literal lit;
    rb_ex ex;
    ast_decl *decl;
    ast_type *type;
    rb_decl_list decls;
    rb_opt_list opts;
    ast_option *opt;
    rb_con_list cons;
    ast_constraint *con;
    rb_arm_list arms;
    ast_arm *arm;
    rb_armx armx;
    rb_arg_list args;
    rb_rater_list raters;
    ast_rater *rater;
    rb_attrs attrs;
    int kind;
    rb_rule_list rules;
    ast_dist_rule *rule;
    rb_id_list ids;
}

/* Every semantic value is a plain value or points into the compilation
 * arena, which rb_parse's caller frees as a whole; so when bison discards
 * symbols during error recovery there is nothing to release.  The
 * destructor is declared, and empty, to record that this was decided and
 * not forgotten: a value that ever owns malloc'd memory must free it here. */
%destructor { (void)$$; /* arena-owned */ } <*>

%token <str> T_IDENT "name"
%token <str> T_STRING "string"
%token <lit> T_NUMBER "number literal"

/* Keywords: K_FORM .. K_WHEN must stay one contiguous run (is_keyword). */
%token K_FORM "form" K_SECTION "section" K_ITEM "item" K_DEDUCT "deduct"
%token K_INPUT "input" K_FIELD "field" K_PARAM "param" K_TYPE "type"
%token K_LET "let" K_CHECK "check" K_WARN "warn" K_OUTPUT "output"
%token K_TOTAL "total" K_GRADE "grade" K_BAND "band" K_RATERS "raters"
%token K_CHOICE "choice" K_CHOICES "choices" K_NUMBER "number"
%token K_INTEGER "integer" K_PERCENT "percent" K_TEXT "text" K_BOOL "bool"
%token K_DATE "date" K_IF "if" K_THEN "then" K_ELSE "else" K_AND "and"
%token K_OR "or" K_NOT "not" K_IN "in" K_TRUE "true" K_FALSE "false"
%token K_REQUIRED "required" K_OPTIONAL "optional" K_DEFAULT "default"
%token K_UNIT "unit" K_POINTS "points" K_WEIGHT "weight" K_SCALE "scale"
%token K_PRECISION "precision" K_PERIOD "period" K_VERSION "version"
%token K_ON "on" K_WHEN "when"
/* Contextual words of 0.2 (SPEC §2): the lexer makes them keywords only
 * where the grammar expects them, so they stay valid names elsewhere. */
%token K_UNLESS "unless" K_MANY "many"
/* `sign` only where it starts a declaration (a name and a label follow on
 * its line: lexer.l, sign_decl_ahead). */
%token K_SIGN "sign"
/* Contextual (SPEC §2): the lexer gives these only where a declaration can
 * start in a form or section body; everywhere else the word is a name. */
%token K_KEY "key" K_DISTRIBUTION "distribution"

%token T_DOTDOT ".." T_EQ "==" T_NE "!=" T_LE "<=" T_GE ">=" T_COALESCE "??"
%token T_LT "<" T_GT ">" T_ASSIGN "=" T_PLUS "+" T_MINUS "-" T_STAR "*"
%token T_SLASH "/" T_LPAREN "(" T_RPAREN ")" T_LBRACE "{" T_RBRACE "}"
%token T_COMMA "," T_COLON ":" T_DOT "."

/* The one precedence declaration: after an item's attributes, an error is
 * recovered by item_decl's own `error` alternative (keeping the item), not
 * by ending the item and letting `decls error` drop it.  Ranking `error`
 * above the empty formula says so (and is not counted as a conflict). */
%precedence NO_FORMULA
%precedence error

%type <decl> form decl period_decl version_decl scale_decl precision_decl
%type <decl> param_decl field_decl input_decl type_decl raters_decl
%type <decl> section_decl item_decl deduct_decl let_decl output_decl total_decl
%type <decl> check_decl warn_decl grade_decl sign_decl
%type <decl> key_decl distribution_decl
%type <rules> dist_rules
%type <rule> dist_rule
%type <ids> dist_ids
%type <decls> decls
%type <str> name type_word opt_label
%type <lit> signed_num literal
%type <type> type_expr
%type <opts> options
%type <opt> option
%type <cons> constraints
%type <con> constraint
%type <attrs> attrs
%type <ex> opt_formula opt_on expr if_expr or_expr and_expr not_expr cmp_expr
%type <ex> cmp_chain coal_expr add_expr mul_expr unary primary
%type <kind> cmp_op arm_op
%type <arms> grade_arms band_arms
%type <arm> grade_arm grade_cap
%type <arms> grade_caps
%type <armx> band_arm
%type <args> args arg_list
%type <raters> raters
%type <rater> rater

%start file

%%

file
  : %empty
  | file form              { form_seen(ctx, $2); }
  | file error
  ;

/* A declaration keyword is where recovery resumes; SYNC runs yyerrok there
 * so that an error right after a recovered one is reported too (bison would
 * otherwise stay silent until three more tokens are shifted).  One
 * nonterminal per keyword, so that a declaration's alternatives share that
 * one action instead of competing mid-rule actions. */
form_kw       : K_FORM      { SYNC(@1); } ;
section_kw    : K_SECTION   { SYNC(@1); } ;
period_kw     : K_PERIOD    { SYNC(@1); } ;
version_kw    : K_VERSION   { SYNC(@1); } ;
scale_kw      : K_SCALE     { SYNC(@1); } ;
precision_kw  : K_PRECISION { SYNC(@1); } ;
param_kw      : K_PARAM     { SYNC(@1); } ;
field_kw      : K_FIELD     { SYNC(@1); } ;
input_kw      : K_INPUT     { SYNC(@1); } ;
type_kw       : K_TYPE      { SYNC(@1); } ;
raters_kw     : K_RATERS    { SYNC(@1); } ;
item_kw       : K_ITEM      { SYNC(@1); } ;
deduct_kw     : K_DEDUCT    { SYNC(@1); } ;
let_kw        : K_LET       { SYNC(@1); } ;
output_kw     : K_OUTPUT    { SYNC(@1); } ;
total_kw      : K_TOTAL     { SYNC(@1); } ;
check_kw      : K_CHECK     { SYNC(@1); } ;
warn_kw       : K_WARN      { SYNC(@1); } ;
grade_kw      : K_GRADE     { SYNC(@1); } ;
sign_kw       : K_SIGN      { SYNC(@1); } ;
key_kw        : K_KEY       { SYNC(@1); } ;
distribution_kw : K_DISTRIBUTION { SYNC(@1); } ;

form
  : form_kw name opt_label "{" decls "}"
      { $$ = fill(decl_new(ctx, DECL_FORM, @$, @1), DECL_FORM, @$, @1, $2, @2, $3, @3);
        $$->body = $5.head; }
  | form_kw name error "{" decls "}"
      { $$ = fill(decl_new(ctx, DECL_FORM, @$, @1), DECL_FORM, @$, @1, $2, @2, NULL, @2);
        $$->body = $5.head; }
  | form_kw error "{" decls "}"
      { /* the name is lost, the body is kept: its declarations are still checked */
        $$ = fill(decl_new(ctx, DECL_FORM, @$, @1), DECL_FORM, @$, @1, "", @1, NULL, @1);
        $$->body = $4.head; }
  ;

/* After an error, a block that follows the skipped words is taken as one
 * unit (`sectoin s { … }`): otherwise its '}' would close the enclosing
 * section or form.  What it holds is still parsed, and kept as if it stood
 * in the enclosing body, so that its names are not lost as well. */
decls
  : %empty                 { $$.head = $$.tail = NULL; }
  | decls decl             { $$ = $1; decl_append(&$$, $2); }
  | decls error            { $$ = $1; }
  | decls error "{" decls "}"
      { $$ = $1; yyerrok; /* the block is behind us: report what follows */
        if ($4.head) { if ($$.tail) $$.tail->next = $4.head; else $$.head = $4.head; $$.tail = $4.tail; } }
  ;

decl
  : period_decl | version_decl | scale_decl | precision_decl
  | param_decl | field_decl | input_decl | type_decl | raters_decl
  | section_decl | item_decl | deduct_decl | let_decl | output_decl
  | total_decl | check_decl | warn_decl | grade_decl | sign_decl
  | key_decl | distribution_decl
  ;

/* ---- names and literals ---------------------------------------------- */

/* The built-in type words are reserved, yet SPEC §1 names a field `date`:
 * wherever only a name can stand they are names (but not in `type NAME`,
 * where such a name could never be used as a type). */
name
  : T_IDENT
  | type_word
  ;

type_word
  : K_NUMBER               { $$ = "number"; }
  | K_INTEGER              { $$ = "integer"; }
  | K_PERCENT              { $$ = "percent"; }
  | K_TEXT                 { $$ = "text"; }
  | K_BOOL                 { $$ = "bool"; }
  | K_DATE                 { $$ = "date"; }
  ;

opt_label
  : %empty                 { $$ = NULL; }
  | T_STRING
  ;

/* A minus is an operator, but wherever a literal is expected a signed one is
 * accepted (SPEC §2). */
signed_num
  : T_NUMBER
  | "-" T_NUMBER           { $$ = lit_neg($2, @$); }
  ;

literal
  : signed_num
  | T_STRING               { $$ = lit_str($1, @1); }
  | K_TRUE                 { memset(&$$, 0, sizeof $$); $$.kind = LIT_BOOL; $$.boolean = true; $$.span = @1; }
  | K_FALSE                { memset(&$$, 0, sizeof $$); $$.kind = LIT_BOOL; $$.boolean = false; $$.span = @1; }
  ;

/* ---- form attributes ------------------------------------------------- */

period_decl
  : period_kw T_IDENT
      { $$ = decl_new(ctx, DECL_PERIOD, @$, @1); $$->word = $2; $$->word_span = @2; }
  | period_kw T_IDENT K_ON name
      { $$ = decl_new(ctx, DECL_PERIOD, @$, @1); $$->word = $2; $$->word_span = @2;
        $$->on = $4; $$->on_span = @4; }
  ;

/* ---- history and distribution (SPEC §13, §14) ------------------------ */

key_decl
  : key_kw name
      { $$ = decl_new(ctx, DECL_KEY, @$, @1); $$->word = $2; $$->word_span = @2; }
  ;

/* `by` is contextual too: the word after 'distribution' (checked here). */
distribution_decl
  : distribution_kw "{" dist_rules "}"
      { $$ = decl_new(ctx, DECL_DISTRIBUTION, @$, @1); $$->rules = $3.head; }
  | distribution_kw T_IDENT name "{" dist_rules "}"
      { $$ = decl_new(ctx, DECL_DISTRIBUTION, @$, @1); $$->rules = $5.head;
        $$->word = $3; $$->word_span = @3;
        if (strcmp($2, "by") != 0) {
            rb_diag *g = rb_diag_add(ctx->diags, RB_SEV_ERROR, "E0103", @2, "unexpected '%s'", $2);
            rb_diag_help(g, "write 'distribution by FIELD { … }' or 'distribution { … }'");
            ctx->syntax_errors++;
        } }
  ;

dist_rules
  : %empty                 { $$.head = $$.tail = NULL; }
  | dist_rules dist_rule   { $$ = $1; APPEND($$, $2); }
  | dist_rules ","         { $$ = $1; }
  | dist_rules error       { $$ = $1; }
  ;

dist_rule
  : dist_ids arm_op signed_num
      { $$ = rb_arena_alloc(ctx->arena, sizeof *$$); $$->ids = $1.head; $$->op = (ast_arm_op)$2;
        $$->share = $3; $$->span = @$; }
  ;

dist_ids
  : T_IDENT                { $$.head = $$.tail = rb_arena_alloc(ctx->arena, sizeof *$$.head);
                             $$.head->id = $1; $$.head->span = @1; }
  | dist_ids "+" T_IDENT   { $$ = $1; ast_dist_id *i = rb_arena_alloc(ctx->arena, sizeof *i); i->id = $3; i->span = @3;
                             APPEND($$, i); }
  ;

version_decl
  : version_kw T_STRING
      { $$ = decl_new(ctx, DECL_VERSION, @$, @1); $$->value = lit_str($2, @2); }
  ;

scale_decl
  : scale_kw signed_num
      { $$ = decl_new(ctx, DECL_SCALE, @$, @1); $$->value = $2; }
  ;

precision_decl
  : precision_kw signed_num
      { $$ = decl_new(ctx, DECL_PRECISION, @$, @1); $$->value = $2; }
  ;

/* ---- signature lines (SPEC §15) -------------------------------------- */

sign_decl
  : sign_kw name T_STRING
      { $$ = fill(decl_new(ctx, DECL_SIGN, @$, @1), DECL_SIGN, @$, @1, $2, @2, $3, @3); }
  ;

/* ---- values ---------------------------------------------------------- */

param_decl
  : param_kw name opt_label ":" type_expr "=" literal
      { $$ = fill(decl_new(ctx, DECL_PARAM, @$, @1), DECL_PARAM, @$, @1, $2, @2, $3, @3);
        $$->type = $5; $$->value = $7; }
  ;

field_decl
  : field_kw name opt_label ":" type_expr constraints %prec NO_FORMULA
      { $$ = fill(decl_new(ctx, DECL_FIELD, @$, @1), DECL_FIELD, @$, @1, $2, @2, $3, @3);
        $$->type = $5; $$->constraints = $6.head; }
  | field_kw name opt_label ":" type_expr constraints error
      { $$ = fill(decl_new(ctx, DECL_FIELD, @$, @1), DECL_FIELD, @$, @1, $2, @2, $3, @3);
        $$->type = $5; $$->constraints = $6.head; }
  ;

input_decl
  : input_kw name opt_label ":" type_expr constraints %prec NO_FORMULA
      { $$ = fill(decl_new(ctx, DECL_INPUT, @$, @1), DECL_INPUT, @$, @1, $2, @2, $3, @3);
        $$->type = $5; $$->constraints = $6.head; }
  | input_kw name T_STRING error
      { /* `input a "销售额: number`: the label swallowed the rest of the
         * line (E0104 said so); the input is kept, untyped, so that its
         * uses are not "unknown" too */
        $$ = fill(decl_new(ctx, DECL_INPUT, @$, @1), DECL_INPUT, @$, @1, $2, @2, $3, @3); }
  | input_kw name opt_label ":" type_expr constraints error
      { /* kept with what was read, so that its uses are not "unknown" too */
        $$ = fill(decl_new(ctx, DECL_INPUT, @$, @1), DECL_INPUT, @$, @1, $2, @2, $3, @3);
        $$->type = $5; $$->constraints = $6.head; }
  ;

type_decl
  : type_kw T_IDENT opt_label "=" type_expr constraints
      { $$ = fill(decl_new(ctx, DECL_TYPE, @$, @1), DECL_TYPE, @$, @1, $2, @2, $3, @3);
        $$->type = $5; $$->constraints = $6.head; }
  ;

/* ---- types ----------------------------------------------------------- */

type_expr
  : K_NUMBER               { $$ = type_new(ctx, TY_NUMBER, @$); }
  | K_INTEGER              { $$ = type_new(ctx, TY_INTEGER, @$); }
  | K_PERCENT              { $$ = type_new(ctx, TY_PERCENT, @$); }
  | K_TEXT                 { $$ = type_new(ctx, TY_TEXT, @$); }
  | K_BOOL                 { $$ = type_new(ctx, TY_BOOL, @$); }
  | K_DATE                 { $$ = type_new(ctx, TY_DATE, @$); }
  | K_CHOICE "{" options "}"  { $$ = type_new(ctx, TY_CHOICE, @$); $$->options = $3.head; }
  | K_CHOICES "{" options "}" { $$ = type_new(ctx, TY_CHOICES, @$); $$->options = $3.head; }
  | T_IDENT                { $$ = type_new(ctx, TY_NAMED, @$); $$->name = $1; }
  ;

/* Options, raters and arms: separated by optional commas (see the header). */
options
  : %empty                 { $$.head = $$.tail = NULL; }
  | options option         { $$ = $1; APPEND($$, $2); }
  | options ","            { $$ = $1; }
  | options error          { $$ = $1; }
  ;

option
  : T_IDENT opt_label
      { $$ = rb_arena_alloc(ctx->arena, sizeof *$$); $$->id = $1; $$->id_span = @1;
        $$->label = $2; $$->span = @$; }
  | T_IDENT opt_label "=" signed_num
      { $$ = rb_arena_alloc(ctx->arena, sizeof *$$); $$->id = $1; $$->id_span = @1;
        $$->label = $2; $$->has_value = true; $$->value = $4; $$->span = @$; }
  ;

/* ---- constraints on input and field ---------------------------------- */

constraints
  : %empty                 { $$.head = $$.tail = NULL; }
  | constraints constraint { $$ = $1; APPEND($$, $2); }
  ;

constraint
  : K_IN literal ".." literal { $$ = con_new(ctx, CON_IN, @$); $$->a = $2; $$->b = $4; }
  | ">=" literal           { $$ = con_new(ctx, CON_GE, @$); $$->a = $2; }
  | ">" literal            { $$ = con_new(ctx, CON_GT, @$); $$->a = $2; }
  | "<=" literal           { $$ = con_new(ctx, CON_LE, @$); $$->a = $2; }
  | "<" literal            { $$ = con_new(ctx, CON_LT, @$); $$->a = $2; }
  | K_REQUIRED             { $$ = con_new(ctx, CON_REQUIRED, @$); }
  | K_OPTIONAL             { $$ = con_new(ctx, CON_OPTIONAL, @$); }
  | K_DEFAULT literal      { $$ = con_new(ctx, CON_DEFAULT, @$); $$->a = $2; }
  | K_UNIT T_STRING        { $$ = con_new(ctx, CON_UNIT, @$); $$->a = lit_str($2, @2); }
  ;

/* ---- raters ---------------------------------------------------------- */

raters_decl
  : raters_kw "{" raters "}"
      { $$ = decl_new(ctx, DECL_RATERS, @$, @1); $$->raters = $3.head; }
  ;

raters
  : %empty                 { $$.head = $$.tail = NULL; }
  | raters rater           { $$ = $1; APPEND($$, $2); }
  | raters ","             { $$ = $1; }
  | raters error           { $$ = $1; }
  ;

rater
  : T_IDENT opt_label K_WEIGHT signed_num
      { $$ = rb_arena_alloc(ctx->arena, sizeof *$$); $$->id = $1; $$->id_span = @1;
        $$->label = $2; $$->weight = $4; $$->span = @$; }
  | rater K_MANY           { $$ = $1; $$->many = true; $$->span.end = @2.end; }
  | rater K_OPTIONAL       { $$ = $1; $$->optional = true; $$->span.end = @2.end; }
  ;

/* ---- scored structure ------------------------------------------------ */

section_decl
  : section_kw name opt_label attrs "{" decls "}"
      { attrs_not_for(ctx, &$4, N_("a section"));
        $$ = fill($4.d, DECL_SECTION, @$, @1, $2, @2, $3, @3); $$->body = $6.head; }
  | section_kw name error "{" decls "}"
      { $$ = fill(decl_new(ctx, DECL_SECTION, @$, @1), DECL_SECTION, @$, @1, $2, @2, NULL, @2);
        $$->body = $5.head; }
  | section_kw error "{" decls "}"
      { $$ = fill(decl_new(ctx, DECL_SECTION, @$, @1), DECL_SECTION, @$, @1, "", @1, NULL, @1);
        $$->body = $4.head; }
  ;

/* Attributes of item, deduct and section, in any order, each at most once.
 * One list serves all three so that a misplaced attribute is told where it
 * belongs instead of getting a bare syntax error. */
attrs
  : %empty
      { $$.d = decl_new(ctx, DECL_ITEM, @$, @$); $$.optional_span = $$.when_span = @$; }
  | attrs K_POINTS signed_num
      { $$ = $1; if ($$.d->has_points) attr_twice(ctx, "points", @2);
        else { $$.d->has_points = true; $$.d->points = $3; } }
  | attrs K_POINTS signed_num ".." signed_num
      { /* a rating scale (SPEC §12): the full mark is the high end */
        $$ = $1; if ($$.d->has_points) attr_twice(ctx, "points", @2);
        else { $$.d->has_points = true; $$.d->has_low = true; $$.d->low = $3; $$.d->points = $5; } }
  | attrs K_WEIGHT signed_num
      { $$ = $1; if ($$.d->has_weight) attr_twice(ctx, "weight", @2);
        else { $$.d->has_weight = true; $$.d->weight = $3; } }
  | attrs K_OPTIONAL
      { $$ = $1; if ($$.d->optional) attr_twice(ctx, "optional", @2);
        else { $$.d->optional = true; $$.optional_span = @2; } }
  | attrs K_WHEN expr
      { $$ = $1; if ($$.d->when) attr_twice(ctx, "when", @2);
        else { $$.d->when = $3.e; $$.when_span = @2; } }
  ;

opt_formula
  : %empty %prec NO_FORMULA { $$.e = NULL; $$.depth = 0; }
  | "=" expr               { $$ = $2; }
  ;

/* The `error` alternatives keep a broken item, deduction, let or output in
 * the tree with what was read of it, so that the checker does not add
 * "unknown name" or "points do not add up" to the one real mistake. */
item_decl
  : item_kw name opt_label attrs opt_formula
      { $$ = fill($4.d, DECL_ITEM, @$, @1, $2, @2, $3, @3); $$->expr = $5.e; }
  | item_kw name opt_label attrs error
      { $$ = fill($4.d, DECL_ITEM, @$, @1, $2, @2, $3, @3); }
  ;

deduct_decl
  : deduct_kw name opt_label attrs opt_formula
      { attrs_not_for(ctx, &$4, N_("a deduction"));
        $$ = fill($4.d, DECL_DEDUCT, @$, @1, $2, @2, $3, @3); $$->expr = $5.e; }
  | deduct_kw name opt_label attrs error
      { attrs_not_for(ctx, &$4, N_("a deduction"));
        $$ = fill($4.d, DECL_DEDUCT, @$, @1, $2, @2, $3, @3); }
  ;

/* ---- derived values and rules ---------------------------------------- */

let_decl
  : let_kw name opt_label "=" expr
      { $$ = fill(decl_new(ctx, DECL_LET, @$, @1), DECL_LET, @$, @1, $2, @2, $3, @3); $$->expr = $5.e; }
  | let_kw name error
      { $$ = fill(decl_new(ctx, DECL_LET, @$, @1), DECL_LET, @$, @1, $2, @2, NULL, @2);
        $$->expr = ex_error(ctx, @3).e; }
  ;

output_decl
  : output_kw name opt_label "=" expr
      { $$ = fill(decl_new(ctx, DECL_OUTPUT, @$, @1), DECL_OUTPUT, @$, @1, $2, @2, $3, @3); $$->expr = $5.e; }
  | output_kw name error
      { $$ = fill(decl_new(ctx, DECL_OUTPUT, @$, @1), DECL_OUTPUT, @$, @1, $2, @2, NULL, @2);
        $$->expr = ex_error(ctx, @3).e; }
  ;

total_decl
  : total_kw "=" expr
      { $$ = decl_new(ctx, DECL_TOTAL, @$, @1); $$->expr = $3.e; }
  ;

check_decl
  : check_kw expr T_STRING
      { $$ = decl_new(ctx, DECL_CHECK, @$, @1); $$->expr = $2.e; $$->message = $3; $$->message_span = @3; }
  ;

/* `warn when C` warns when C holds, `warn unless C` unless it does; a bare
 * `warn C` keeps its 0.1 meaning (unless), and the checker says so. */
warn_decl
  : warn_kw expr T_STRING
      { $$ = decl_new(ctx, DECL_WARN, @$, @1); $$->expr = $2.e; $$->message = $3; $$->message_span = @3;
        $$->warn_form = WARN_BARE; }
  | warn_kw K_WHEN expr T_STRING
      { $$ = decl_new(ctx, DECL_WARN, @$, @1); $$->expr = $3.e; $$->message = $4; $$->message_span = @4;
        $$->warn_form = WARN_WHEN; }
  | warn_kw K_UNLESS expr T_STRING
      { $$ = decl_new(ctx, DECL_WARN, @$, @1); $$->expr = $3.e; $$->message = $4; $$->message_span = @4;
        $$->warn_form = WARN_UNLESS; }
  ;

grade_decl
  : grade_kw opt_on "{" grade_arms grade_caps "}"
      { $$ = decl_new(ctx, DECL_GRADE, @$, @1); $$->expr = $2.e; $$->arms = $4.head; $$->caps = $5.head; }
  ;

/* Caps follow the arms: a condition is a whole expression, and an arm's
 * '>=' after it would continue it. */
grade_caps
  : %empty                 { $$.head = $$.tail = NULL; $$.depth = 0; }
  | grade_caps grade_cap   { $$ = $1; arm_append(&$$, $2, 0); }
  | grade_caps grade_cap "," { $$ = $1; arm_append(&$$, $2, 0); }
  ;

opt_on
  : %empty                 { $$.e = NULL; $$.depth = 0; }
  | K_ON expr              { $$ = $2; }
  ;

/* ---- band and grade arms --------------------------------------------- */

arm_op
  : "<"                    { $$ = ARM_LT; }
  | "<="                   { $$ = ARM_LE; }
  | ">"                    { $$ = ARM_GT; }
  | ">="                   { $$ = ARM_GE; }
  ;

grade_arms
  : %empty                 { $$.head = $$.tail = NULL; $$.depth = 0; }
  | grade_arms grade_arm   { $$ = $1; arm_append(&$$, $2, 0); }
  | grade_arms ","         { $$ = $1; }
  | grade_arms error       { $$ = $1; }
  ;

/* A threshold is arithmetic (a literal, a param or constant arithmetic: the
 * checker decides what is constant). */
grade_arm
  : arm_op add_expr ":" T_IDENT opt_label
      { $$ = arm_new(ctx, (ast_arm_op)$1, @$, $2.e); $$->id = $4; $$->id_span = @4; $$->label = $5; }
  | K_ELSE ":" T_IDENT opt_label
      { $$ = arm_new(ctx, ARM_ELSE, @$, NULL); $$->id = $3; $$->id_span = @3; $$->label = $4; }
  ;

/* a grade cap (SPEC §12): `at most ID when COND`; `at` and `most` are
 * contextual, so they are checked here (no arm starts with a name) */
grade_cap
  : T_IDENT T_IDENT T_IDENT K_WHEN expr
      { $$ = arm_new(ctx, ARM_ELSE, @$, NULL); $$->id = $3; $$->id_span = @3; $$->cap_when = $5.e;
        if (strcmp($1, "at") != 0 || strcmp($2, "most") != 0) {
            rb_span words = {@1.start, @2.end};
            rb_diag *g = rb_diag_add(ctx->diags, RB_SEV_ERROR, "E0110", words, "expected 'at most' before the capped grade '%s'", $3);
            rb_diag_help(g, "a cap reads 'at most %s when CONDITION'", $3);
            ctx->syntax_errors++;
        } }
  ;

band_arms
  : %empty                 { $$.head = $$.tail = NULL; $$.depth = 0; }
  | band_arms band_arm     { $$ = $1; arm_append(&$$, $2.a, $2.depth); }
  | band_arms ","          { $$ = $1; }
  | band_arms error        { $$ = $1; }
  ;

/* A result is arithmetic (SPEC §4: parenthesise a comparison), which is what
 * lets one arm follow another without a separator. */
band_arm
  : arm_op add_expr ":" coal_expr
      { $$.a = arm_new(ctx, (ast_arm_op)$1, @$, $2.e); $$.a->result = $4.e;
        $$.depth = $2.depth > $4.depth ? $2.depth : $4.depth; }
  | K_ELSE ":" coal_expr
      { $$.a = arm_new(ctx, ARM_ELSE, @$, NULL); $$.a->result = $3.e; $$.depth = $3.depth; }
  ;

/* ---- expressions, loosest first (SPEC §4) ----------------------------- */

expr
  : if_expr
  | or_expr
  ;

if_expr
  : K_IF expr K_THEN expr K_ELSE expr
      { rb_ex x = ex_leaf(ctx, EX_IF, @$);
        x.e->a = $2.e; x.e->b = $4.e; x.e->c = $6.e;
        uint32_t d = $2.depth > $4.depth ? $2.depth : $4.depth;
        x.depth = (d > $6.depth ? d : $6.depth) + 1;
        $$ = ex_depth(ctx, x); }
  ;

or_expr
  : and_expr
  | or_expr K_OR and_expr  { $$ = ex_bin(ctx, EX_OR, $1, $3, @$); }
  ;

and_expr
  : not_expr
  | and_expr K_AND not_expr { $$ = ex_bin(ctx, EX_AND, $1, $3, @$); }
  ;

not_expr
  : cmp_expr
  | K_NOT not_expr         { $$ = ex_un(ctx, EX_NOT, $2, @$); }
  ;

/* Comparisons do not associate.  A chain is accepted by the grammar and
 * reported here (once per chain), a clearer message than a syntax error. */
cmp_expr
  : coal_expr
  | cmp_chain
  ;

cmp_chain
  : coal_expr cmp_op coal_expr
      { $$ = ex_bin(ctx, (ast_expr_kind)$2, $1, $3, @$); }
  | cmp_chain cmp_op coal_expr
      { if ($1.e != ctx->chain_reported) {
            rb_diag *g = rb_diag_add(ctx->diags, RB_SEV_ERROR, "E0113", @2,
                                     "comparisons cannot be chained");
            rb_diag_help(g, "compare twice and join with 'and': 'a < b and b < c'");
            ctx->syntax_errors++;
        }
        /* Read it as meant, a < b and b < c, so that the one mistake is
         * not also reported as comparing a bool with a number. */
        ast_expr *last = $1.e->kind == EX_AND ? $1.e->b : $1.e;
        rb_ex middle = {last->b ? last->b : last, $1.depth};
        $$ = ex_bin(ctx, EX_AND, $1, ex_bin(ctx, (ast_expr_kind)$2, middle, $3, @$), @$);
        ctx->chain_reported = $$.e; }
  ;

cmp_op
  : "=="                   { $$ = EX_EQ; }
  | "!="                   { $$ = EX_NE; }
  | "<"                    { $$ = EX_LT; }
  | "<="                   { $$ = EX_LE; }
  | ">"                    { $$ = EX_GT; }
  | ">="                   { $$ = EX_GE; }
  ;

/* `??` associates to the right: a ?? b ?? c falls back from a to b to c. */
coal_expr
  : add_expr
  | add_expr "??" coal_expr { $$ = ex_bin(ctx, EX_COALESCE, $1, $3, @$); }
  ;

add_expr
  : mul_expr
  | add_expr "+" mul_expr  { $$ = ex_bin(ctx, EX_ADD, $1, $3, @$); }
  | add_expr "-" mul_expr  { $$ = ex_bin(ctx, EX_SUB, $1, $3, @$); }
  ;

mul_expr
  : unary
  | mul_expr "*" unary     { $$ = ex_bin(ctx, EX_MUL, $1, $3, @$); }
  | mul_expr "/" unary     { $$ = ex_bin(ctx, EX_DIV, $1, $3, @$); }
  ;

/* A minus before a number literal makes a negative literal, so that `>= -5`
 * and `default`-like uses in expressions are constants like any other. */
unary
  : primary
  | "-" unary
      { if ($2.e->kind == EX_NUMBER) {
            $$ = $2; $$.e->num = rb_num_neg($$.e->num); $$.e->span = @$;
        } else {
            $$ = ex_un(ctx, EX_NEG, $2, @$);
        } }
  ;

primary
  : T_NUMBER               { $$ = ex_leaf(ctx, EX_NUMBER, @1); $$.e->num = $1.num; }
  | T_STRING               { $$ = ex_leaf(ctx, EX_STRING, @1); $$.e->str = $1; }
  | K_TRUE                 { $$ = ex_leaf(ctx, EX_BOOL, @1); $$.e->boolean = true; }
  | K_FALSE                { $$ = ex_leaf(ctx, EX_BOOL, @1); $$.e->boolean = false; }
  | T_IDENT                { $$ = ex_name(ctx, $1, @1); }
  | T_IDENT "." T_IDENT
      { /* ITEM.RATER: one rater's value of a directly-rated item (SPEC §12) */
        $$ = ex_leaf(ctx, EX_RATER, @$); $$.e->str = $1; $$.e->name_span = @1;
        $$.e->member = $3; $$.e->member_span = @3; }
  | type_word              { $$ = ex_name(ctx, $1, @1); }
  | T_IDENT "(" args ")"
      { rb_ex x = ex_leaf(ctx, EX_CALL, @$);
        x.e->str = $1; x.e->name_span = @1; x.e->args = $3.head; x.e->nargs = $3.n;
        x.depth = $3.depth + 1;
        $$ = ex_depth(ctx, x); }
  | T_IDENT "(" error ")"
      { $$ = ex_leaf(ctx, EX_CALL, @$); $$.e->str = $1; $$.e->name_span = @1; }
  | "(" expr ")"
      { /* the span takes the parentheses in, for messages about the whole */
        $$ = $2; $$.e->span = @$; }
  | "(" error ")"          { $$ = ex_error(ctx, @$); }
  | K_TOTAL                { $$ = ex_leaf(ctx, EX_TOTAL, @1); }
  | K_GRADE                { $$ = ex_leaf(ctx, EX_GRADE, @1); }
  | K_BAND expr "{" band_arms "}"
      { rb_ex x = ex_leaf(ctx, EX_BAND, @$);
        x.e->a = $2.e; x.e->arms = $4.head;
        x.depth = ($2.depth > $4.depth ? $2.depth : $4.depth) + 1;
        $$ = ex_depth(ctx, x); }
  ;

args
  : %empty                 { $$.head = $$.tail = NULL; $$.n = 0; $$.depth = 0; }
  | arg_list
  ;

arg_list
  : expr                   { $$.head = $$.tail = $1.e; $$.n = 1; $$.depth = $1.depth; }
  | arg_list "," expr
      { $$ = $1; APPEND($$, $3.e); $$.n++; if ($3.depth > $$.depth) $$.depth = $3.depth; }
  ;

%%

/* ====================================================================== */

static ast_decl *decl_new(rb_parse_ctx *c, ast_decl_kind k, rb_span whole, rb_span kw)
{
    ast_decl *d = rb_arena_alloc(c->arena, sizeof *d);
    d->kind = k;
    d->span = whole;
    d->kw_span = kw;
    return d;
}

/* Completes a declaration: kind, spans, name and label. */
static ast_decl *fill(ast_decl *d, ast_decl_kind k, rb_span whole, rb_span kw,
                      const char *name, rb_span name_span, const char *label, rb_span label_span)
{
    d->kind = k;
    d->span = whole;
    d->kw_span = kw;
    d->name = name;
    d->name_span = name_span;
    d->label = label;
    d->label_span = label ? label_span : name_span;
    return d;
}

static ast_type *type_new(rb_parse_ctx *c, ast_type_kind k, rb_span span)
{
    ast_type *t = rb_arena_alloc(c->arena, sizeof *t);
    t->kind = k;
    t->span = span;
    t->choiceset = -1;
    return t;
}

static void decl_append(rb_decl_list *l, ast_decl *d)
{
    if (d) APPEND(*l, d);
}

static rb_ex ex_leaf(rb_parse_ctx *c, ast_expr_kind k, rb_span span)
{
    rb_ex x;
    x.e = rb_arena_alloc(c->arena, sizeof *x.e);
    x.e->kind = k;
    x.e->span = span;
    x.depth = 1;
    return x;
}

static rb_ex ex_name(rb_parse_ctx *c, const char *name, rb_span span)
{
    rb_ex x = ex_leaf(c, EX_NAME, span);
    x.e->str = name;
    x.e->name_span = span;
    return x;
}

/* Stands for an expression that could not be parsed (already reported): a
 * zero, which type-checks quietly wherever a number may stand. */
static rb_ex ex_error(rb_parse_ctx *c, rb_span span)
{
    rb_ex x = ex_leaf(c, EX_NUMBER, span);
    x.e->num = rb_num_zero();
    return x;
}

/* Enforces RB_MAX_EXPR_DEPTH: a deeper tree is reported once and replaced by
 * a leaf, so that no later pass ever recurses that deep. */
static rb_ex ex_depth(rb_parse_ctx *c, rb_ex x)
{
    if (x.depth <= RB_MAX_EXPR_DEPTH) return x;
    if (!c->depth_reported) {
        rb_diag *g = rb_diag_add(c->diags, RB_SEV_ERROR, "E0116", x.e->span,
                                 "this expression is nested more than %d levels deep", RB_MAX_EXPR_DEPTH);
        rb_diag_help(g, "split it into several 'let' declarations");
        c->depth_reported = true;
        c->syntax_errors++;
    }
    return ex_error(c, x.e->span);
}

static rb_ex ex_un(rb_parse_ctx *c, ast_expr_kind k, rb_ex a, rb_span span)
{
    rb_ex x = ex_leaf(c, k, span);
    x.e->a = a.e;
    x.depth = a.depth + 1;
    return ex_depth(c, x);
}

static rb_ex ex_bin(rb_parse_ctx *c, ast_expr_kind k, rb_ex a, rb_ex b, rb_span span)
{
    rb_ex x = ex_leaf(c, k, span);
    x.e->a = a.e;
    x.e->b = b.e;
    x.depth = (a.depth > b.depth ? a.depth : b.depth) + 1;
    return ex_depth(c, x);
}

static ast_literal lit_neg(ast_literal l, rb_span span)
{
    l.num = rb_num_neg(l.num);
    l.span = span;
    return l;
}

static ast_literal lit_str(const char *s, rb_span span)
{
    ast_literal l;
    memset(&l, 0, sizeof l);
    l.kind = LIT_STRING;
    l.str = s;
    l.span = span;
    return l;
}

static ast_arm *arm_new(rb_parse_ctx *c, ast_arm_op op, rb_span span, ast_expr *threshold)
{
    ast_arm *a = rb_arena_alloc(c->arena, sizeof *a);
    a->op = op;
    a->span = span;
    a->threshold = threshold;
    return a;
}

static void arm_append(rb_arm_list *l, ast_arm *a, uint32_t depth)
{
    APPEND(*l, a);
    if (depth > l->depth) l->depth = depth;
}

static ast_constraint *con_new(rb_parse_ctx *c, ast_con_kind k, rb_span span)
{
    ast_constraint *con = rb_arena_alloc(c->arena, sizeof *con);
    con->kind = k;
    con->span = span;
    return con;
}

static void attr_twice(rb_parse_ctx *c, const char *what, rb_span span)
{
    rb_diag *g = rb_diag_add(c->diags, RB_SEV_ERROR, "E0114", span, "'%s' is given twice", what);
    rb_diag_help(g, "keep one '%s'", what);
    c->syntax_errors++;
}

/* `optional` and `when` belong to items only (SPEC §3); they are reported
 * and dropped, so the tree stays what the checker expects. */
/* what: "a section", a message id */
static void attrs_not_for(rb_parse_ctx *c, rb_attrs *a, const char *what)
{
    what = rb_tr(c->diags->lang, what);
    if (a->d->optional) {
        rb_diag *g = rb_diag_add(c->diags, RB_SEV_ERROR, "E0114", a->optional_span,
                                 "'optional' cannot be given to %s", what);
        rb_diag_help(g, "only an item can be optional");
        c->syntax_errors++;
    }
    if (a->d->when) {
        rb_diag *g = rb_diag_add(c->diags, RB_SEV_ERROR, "E0114", a->when_span,
                                 "'when' cannot be given to %s", what);
        rb_diag_help(g, "only an item can have 'when'; give it to the items instead");
        c->syntax_errors++;
    }
    a->d->optional = false;
    a->d->when = NULL;
}

static void form_seen(rb_parse_ctx *c, ast_decl *form)
{
    if (c->nforms++ == 0) {
        c->form = form;
        return;
    }
    uint32_t line, col;
    rb_source_position(c->src, c->form->kw_span.start, &line, &col);
    rb_diag *g = rb_diag_add(c->diags, RB_SEV_ERROR, "E0115", form->kw_span,
                             "a file holds exactly one form, and '%s' is a second one", form->name);
    rb_diag_help(g, "put its declarations into form '%s' (line %u), or the form into a file of its own",
                 c->form->name, line);
    c->syntax_errors++;
}

/* ---- syntax error messages ------------------------------------------- */

static bool is_decl_kw(int sym)
{
    switch (sym) {
    case YYSYMBOL_K_FORM: case YYSYMBOL_K_PERIOD: case YYSYMBOL_K_VERSION: case YYSYMBOL_K_SCALE:
    case YYSYMBOL_K_PRECISION: case YYSYMBOL_K_PARAM: case YYSYMBOL_K_FIELD: case YYSYMBOL_K_INPUT:
    case YYSYMBOL_K_TYPE: case YYSYMBOL_K_RATERS: case YYSYMBOL_K_SECTION: case YYSYMBOL_K_ITEM:
    case YYSYMBOL_K_DEDUCT: case YYSYMBOL_K_LET: case YYSYMBOL_K_OUTPUT: case YYSYMBOL_K_TOTAL:
    case YYSYMBOL_K_CHECK: case YYSYMBOL_K_WARN: case YYSYMBOL_K_GRADE:
    case YYSYMBOL_K_KEY: case YYSYMBOL_K_DISTRIBUTION:
        return true;
    default:
        return false;
    }
}

static bool is_keyword(int sym)
{
    return (sym >= YYSYMBOL_K_FORM && sym <= YYSYMBOL_K_WHEN) || sym == YYSYMBOL_K_UNLESS;
}

static bool is_type_word(int sym)
{
    return sym == YYSYMBOL_K_NUMBER || sym == YYSYMBOL_K_INTEGER || sym == YYSYMBOL_K_PERCENT ||
           sym == YYSYMBOL_K_TEXT || sym == YYSYMBOL_K_BOOL || sym == YYSYMBOL_K_DATE;
}

/* A token's spelling without bison's quotes: "item", "{". */
static const char *kw_text(int sym)
{
    const char *n = yysymbol_name((yysymbol_kind_t)sym);
    static char buf[32];
    size_t len = strlen(n);
    if (len >= 2 && n[0] == '"' && len - 2 < sizeof buf) {
        memcpy(buf, n + 1, len - 2);
        buf[len - 2] = '\0';
        return buf;
    }
    return n;
}

/* How an expected token is named in a message: "a name", "'item'". */
static const char *sym_desc(rb_lang lang, int sym)
{
    switch (sym) {
    case YYSYMBOL_YYEOF: return rb_tr(lang, N_("end of file"));
    case YYSYMBOL_T_IDENT: return rb_tr(lang, N_("a name"));
    case YYSYMBOL_T_STRING: return rb_tr(lang, N_("a string"));
    case YYSYMBOL_T_NUMBER: return rb_tr(lang, N_("a number"));
    default: break;
    }
    static char buf[40];
    snprintf(buf, sizeof buf, "'%s'", kw_text(sym));
    return buf;
}

/* The source text of a token for quoting in a message: at most ~24 code
 * points and never past the end of its line. */
static void token_text(rb_parse_ctx *c, rb_span s, char *buf, size_t cap)
{
    const char *t = c->src->text;
    size_t n = 0, cps = 0;
    uint32_t i = s.start;
    while (i < s.end && i < c->src->len && t[i] != '\n' && t[i] != '\r') {
        size_t len = 1;
        unsigned char b = (unsigned char)t[i];
        if (b >= 0xF0) len = 4;
        else if (b >= 0xE0) len = 3;
        else if (b >= 0xC0) len = 2;
        if (cps == 24 || n + len + 4 >= cap) {
            memcpy(buf + n, "\xE2\x80\xA6", 3); /* … */
            n += 3;
            break;
        }
        for (size_t k = 0; k < len && i < s.end; k++) buf[n++] = t[i++];
        cps++;
    }
    buf[n] = '\0';
}

/* "end of file", "string \"…\"", "'x'" */
static void found_desc(rb_parse_ctx *c, int sym, rb_span s, char *buf, size_t cap)
{
    char text[128];
    rb_lang lang = c->diags->lang;
    if (sym == YYSYMBOL_YYEOF || s.start == s.end) {
        snprintf(buf, cap, "%s", rb_tr(lang, N_("the end of the file")));
        return;
    }
    token_text(c, s, text, sizeof text);
    if (sym == YYSYMBOL_T_STRING) snprintf(buf, cap, rb_tr(lang, N_("string %s")), text);
    else if (is_keyword(sym) && !is_type_word(sym)) snprintf(buf, cap, rb_tr(lang, N_("keyword '%s'")), text);
    else snprintf(buf, cap, "'%s'", text);
}

typedef struct {
    char buf[400];
    size_t n;
    int parts;
} strlist;

static void sl_add(strlist *l, const char *s)
{
    if (l->parts >= 8) return;
    int w = snprintf(l->buf + l->n, sizeof l->buf - l->n, "%s%s", l->parts ? "\x1f" : "", s);
    if (w > 0 && (size_t)w < sizeof l->buf - l->n) {
        l->n += (size_t)w;
        l->parts++;
    }
}

/* "A", "A or B", "A, B or C" (in Chinese "A、B 或 C") */
static void sl_join(rb_lang lang, const strlist *l, char *out, size_t cap)
{
    size_t o = 0;
    int part = 0;
    out[0] = '\0';
    for (size_t i = 0; i < l->n && o + 6 < cap; i++) {
        if (l->buf[i] == '\x1f') {
            part++;
            const char *sep = part == l->parts - 1 ? rb_tr(lang, N_(" or ")) : rb_tr(lang, N_(", "));
            size_t sl = strlen(sep);
            if (o + sl >= cap) break;
            memcpy(out + o, sep, sl);
            o += sl;
        } else {
            out[o++] = l->buf[i];
        }
    }
    out[o] = '\0';
}

/* Describes the expected tokens, folding families into words: "an
 * expression", "a declaration", "a type", "a comparison like '>= 90'". */
static int describe_expected(rb_lang lang, const bool *has, char *out, size_t cap)
{
    strlist l = {.n = 0, .parts = 0};
    bool expr = has[YYSYMBOL_T_IDENT] && has[YYSYMBOL_T_NUMBER] && has[YYSYMBOL_T_LPAREN];
    bool type = has[YYSYMBOL_K_TEXT] && has[YYSYMBOL_K_CHOICE];
    bool arm = has[YYSYMBOL_T_GE] && has[YYSYMBOL_K_ELSE];
    int ndecl = 0;
    for (int s = 0; s < YYNTOKENS; s++) ndecl += has[s] && is_decl_kw(s) && s != YYSYMBOL_K_FORM;
    bool decl = ndecl >= 3;
    if (expr) sl_add(&l, rb_tr(lang, N_("an expression")));
    if (type) sl_add(&l, rb_tr(lang, N_("a type")));
    if (arm) sl_add(&l, rb_tr(lang, N_("an arm such as '>= 90:' or 'else:'")));
    for (int s = 0; s < YYNTOKENS; s++) {
        if (!has[s] || s == YYSYMBOL_YYerror || s == YYSYMBOL_YYUNDEF) continue;
        if (decl && is_decl_kw(s) && s != YYSYMBOL_K_FORM) continue;
        if (expr && (s == YYSYMBOL_T_IDENT || s == YYSYMBOL_T_NUMBER || s == YYSYMBOL_T_STRING ||
                     s == YYSYMBOL_T_LPAREN || s == YYSYMBOL_T_MINUS || s == YYSYMBOL_K_TRUE ||
                     s == YYSYMBOL_K_FALSE || s == YYSYMBOL_K_NOT || s == YYSYMBOL_K_IF ||
                     s == YYSYMBOL_K_BAND || s == YYSYMBOL_K_TOTAL || s == YYSYMBOL_K_GRADE ||
                     is_type_word(s)))
            continue;
        if (type && (is_type_word(s) || s == YYSYMBOL_K_CHOICE || s == YYSYMBOL_K_CHOICES || s == YYSYMBOL_T_IDENT))
            continue;
        /* where a name may stand, so may a type word: "a name" says it */
        if (has[YYSYMBOL_T_IDENT] && is_type_word(s)) continue;
        if (arm && (s == YYSYMBOL_T_LT || s == YYSYMBOL_T_LE || s == YYSYMBOL_T_GT || s == YYSYMBOL_T_GE ||
                    s == YYSYMBOL_K_ELSE))
            continue;
        /* operators that could continue an expression are noise in a list */
        if (s == YYSYMBOL_T_PLUS || s == YYSYMBOL_T_MINUS || s == YYSYMBOL_T_STAR || s == YYSYMBOL_T_SLASH ||
            s == YYSYMBOL_T_COALESCE || s == YYSYMBOL_K_AND || s == YYSYMBOL_K_OR || s == YYSYMBOL_T_EQ ||
            s == YYSYMBOL_T_NE || ((s == YYSYMBOL_T_LT || s == YYSYMBOL_T_LE || s == YYSYMBOL_T_GT ||
                                    s == YYSYMBOL_T_GE) && has[YYSYMBOL_T_STAR]) ||
            (s == YYSYMBOL_T_LPAREN && has[YYSYMBOL_T_STAR]))
            continue;
        sl_add(&l, sym_desc(lang, s));
    }
    if (decl) sl_add(&l, rb_tr(lang, N_("a declaration")));
    sl_join(lang, &l, out, cap);
    return l.parts;
}

static const char *decl_kw_name(int tok)
{
    return tok ? kw_text(YYTRANSLATE(tok)) : NULL;
}

/* Whether `off` stands in a grade cap's condition: a `when` comes earlier
 * on its line (`at most fair when x = 1`), not in an arm (`>= 5: good = 3`). */
static bool cap_condition_before(const rb_parse_ctx *c, uint32_t off)
{
    uint32_t ls = off;
    while (ls > 0 && c->src->text[ls - 1] != '\n') ls--;
    for (uint32_t i = ls; i + 4 <= off; i++)
        if (memcmp(c->src->text + i, "when", 4) == 0 && (i == ls || c->src->text[i - 1] == ' ') &&
            (i + 4 == off || c->src->text[i + 4] == ' '))
            return true;
    return false;
}

static int yyreport_syntax_error(const yypcontext_t *yc, void *scanner, rb_parse_ctx *c)
{
    (void)scanner;
    if (c->fatal) return 0;
    c->syntax_errors++;
    /* at a closer the lexer supplied at the end of the file: that was said */
    if (c->eof_reported && yypcontext_location(yc)->start >= c->src->len) return 0;

    int la = yypcontext_token(yc);
    rb_span at = *yypcontext_location(yc);
    yysymbol_kind_t exp[YYNTOKENS];
    int n = yypcontext_expected_tokens(yc, exp, YYNTOKENS);
    bool has[YYNTOKENS];
    memset(has, 0, sizeof has);
    for (int i = 0; i < n; i++)
        if (exp[i] >= 0 && exp[i] < YYNTOKENS) has[exp[i]] = true;

    char found[160], want[420], prev[128];
    found_desc(c, la, at, found, sizeof found);
    prev[0] = '\0';
    if (c->prev_tok) token_text(c, c->prev_span, prev, sizeof prev);

    /* A missing token is best shown where it is missing: right after the
     * previous token, when the lookahead is on a later line. */
    rb_span here = at;
    if (c->prev_tok && c->prev_span.end <= at.start) {
        for (uint32_t i = c->prev_span.end; i < at.start && i < c->src->len; i++)
            if (c->src->text[i] == '\n') {
                here.start = here.end = c->prev_span.end;
                break;
            }
    }
    if (la == YYSYMBOL_YYEOF) here.start = here.end = c->last_tok ? c->last_span.end : at.start;

    /* the declaration the error is in (the lookahead may already start the next) */
    int dkw = is_decl_kw(la) ? c->prev_decl_kw : c->decl_kw;
    const char *dname = is_decl_kw(la) ? c->prev_decl_name : c->decl_name;
    char in_decl[160] = "";
    if (dkw && dname && *dname)
        snprintf(in_decl, sizeof in_decl, rb_tr(c->diags->lang, N_(" in %s '%s'")), decl_kw_name(dkw), dname);

    bool top = has[YYSYMBOL_K_FORM] && !has[YYSYMBOL_K_ITEM];

    /* A declaration keyword in the middle of a line is part of the broken
     * declaration (`let x = total`), not where the next one starts. */
    if (is_decl_kw(la)) {
        uint32_t i = at.start;
        while (i > 0 && (c->src->text[i - 1] == ' ' || c->src->text[i - 1] == '\t')) i--;
        if (i > 0 && c->src->text[i - 1] != '\n' && !(i == 3 && c->base_off == 3)) c->nosync_at = at.start;
    }
    bool any_kw = false;
    for (int s = 0; s < YYNTOKENS; s++) any_kw |= has[s] && is_keyword(s);

    rb_diag *g;

    /* 7c. a default that is a bare word: `default 否` */
    if (la == YYSYMBOL_T_IDENT && c->prev_tok == K_DEFAULT) {
        char word[128];
        token_text(c, at, word, sizeof word);
        g = rb_diag_add(c->diags, RB_SEV_ERROR, "E0110", at, "a default is a literal, and '%s' is a bare word", word);
        rb_diag_help(g, "write 'default \"%s\"' for a text or a choice's option, or 'default true'/'default false' for a bool", word);
        return 0;
    }

    /* 1. a name where a keyword must stand: a misspelt keyword */
    if (la == YYSYMBOL_T_IDENT && any_kw && !has[YYSYMBOL_T_IDENT]) {
        char word[128];
        token_text(c, at, word, sizeof word);
        /* `score = a + b`: a definition without its keyword */
        uint32_t i = at.end;
        while (i < c->src->len && (c->src->text[i] == ' ' || c->src->text[i] == '\t')) i++;
        bool defines = i < c->src->len && c->src->text[i] == '=' &&
                       (i + 1 >= c->src->len || c->src->text[i + 1] != '=');
        /* the closest keyword that may stand here, if at most a third of
         * the word differs (one edit in `itme`, two in `sectoinn`) */
        int best = -1;
        size_t bestd = (size_t)-1;
        for (int s = 0; s < YYNTOKENS && !defines; s++) {
            if (!has[s] || !is_keyword(s)) continue;
            char kw[32];
            snprintf(kw, sizeof kw, "%s", kw_text(s));
            size_t d = rb_edit_distance(word, kw);
            size_t len = strlen(kw);
            if (d * 3 <= len && d < bestd) {
                bestd = d;
                best = s;
            }
        }
        if (best >= 0) {
            char b[32];
            snprintf(b, sizeof b, "%s", kw_text(best));
            rb_diag_add(c->diags, RB_SEV_ERROR, "E0111", at, "unknown keyword '%s'; did you mean '%s'?", word, b);
            return 0;
        }
        if (top) {
            g = rb_diag_add(c->diags, RB_SEV_ERROR, "E0115", at, "expected 'form', found '%s'", word);
            rb_diag_help(g, "a template is one 'form NAME { … }' with every declaration inside the braces");
            return 0;
        }
        g = rb_diag_add(c->diags, RB_SEV_ERROR, "E0111", at, "unknown keyword '%s'", word);
        if (defines)
            rb_diag_help(g, "to define a value write 'let %s = …'", word);
        else if (has[YYSYMBOL_K_ITEM])
            rb_diag_help(g, "a declaration starts with a keyword: item, section, input, field, let, check, …");
        else if (describe_expected(c->diags->lang, has, want, sizeof want) > 0)
            rb_diag_help(g, "expected %s", want);
        return 0;
    }

    /* 2. a declaration outside the form */
    if (top && la != YYSYMBOL_YYEOF) {
        if (is_decl_kw(la) && la != YYSYMBOL_K_FORM) {
            g = rb_diag_add(c->diags, RB_SEV_ERROR, "E0115", at, "'%s' must stand inside the form", kw_text(la));
            rb_diag_help(g, "a template is one 'form NAME { … }' with every declaration inside the braces");
        } else if (la == YYSYMBOL_T_RBRACE && c->unmatched_close) {
            g = rb_diag_add(c->diags, RB_SEV_ERROR, "E0115", at, "this '}' closes nothing");
            rb_diag_help(g, "delete it, or look for a '{' that is missing earlier");
        } else {
            g = rb_diag_add(c->diags, RB_SEV_ERROR, "E0115", at, "expected 'form', found %s", found);
            rb_diag_help(g, "a template is one 'form NAME { … }' with every declaration inside the braces");
        }
        return 0;
    }

    /* 3. the file ends inside braces */
    if (la == YYSYMBOL_YYEOF && c->nest > 0) {
        char close = c->open_kind[c->nest - 1] == '(' ? ')' : '}';
        uint32_t line, col;
        rb_source_position(c->src, c->open_at[c->nest - 1].start, &line, &col);
        g = rb_diag_add(c->diags, RB_SEV_ERROR, "E0110", here, "expected '%c' before the end of the file", close);
        rb_diag_help(g, "the '%c' at line %u, column %u is never closed", c->open_kind[c->nest - 1], line, col);
        return 0;
    }

    /* 4. a reserved word where a name must stand */
    if (is_keyword(la) && has[YYSYMBOL_T_IDENT] && !has[YYSYMBOL_T_NUMBER] && !has[la]) {
        char word[64];
        token_text(c, at, word, sizeof word);
        g = rb_diag_add(c->diags, RB_SEV_ERROR, "E0112", at, "'%s' is a reserved word and cannot be a name", word);
        if (is_type_word(la))
            rb_diag_help(g, "'%s' is a built-in type; choose another name, e.g. 'my_%s'", word, word);
        else
            rb_diag_help(g, "choose another name, e.g. '%s_value' or a Chinese name", word);
        return 0;
    }

    /* 5. a missing ':' before a type */
    if (has[YYSYMBOL_T_COLON] && (dkw == K_FIELD || dkw == K_INPUT || dkw == K_PARAM) && (is_type_word(la) || la == YYSYMBOL_K_CHOICE || la == YYSYMBOL_K_CHOICES ||
                                  (la == YYSYMBOL_T_IDENT && !has[YYSYMBOL_T_IDENT]))) {
        char ty[64];
        token_text(c, at, ty, sizeof ty);
        g = rb_diag_add(c->diags, RB_SEV_ERROR, "E0110", here, "expected ':' before the type%s, found %s",
                        in_decl, found);
        if (dkw && dname && *dname)
            rb_diag_help(g, "write '%s %s: %s%s'", decl_kw_name(dkw), dname, ty,
                         la == YYSYMBOL_K_CHOICE || la == YYSYMBOL_K_CHOICES ? " { … }" : "");
        else
            rb_diag_help(g, "a type follows ':', as in 'input sales: number'");
        return 0;
    }

    /* 6. a number where 'points' must come first */
    if (la == YYSYMBOL_T_NUMBER && has[YYSYMBOL_K_POINTS]) {
        char num[64];
        token_text(c, at, num, sizeof num);
        g = rb_diag_add(c->diags, RB_SEV_ERROR, "E0110", at, "expected 'points' before '%s'%s", num, in_decl);
        rb_diag_help(g, "write 'points %s'", num);
        return 0;
    }

    /* 7a. '=' where a comparison may stand: `if grade = "excellent"`,
     * `check g = "x" "…"`, `let k = g = 1`, `at most bad when g = 1`.  An
     * expression has just ended (a value, not a keyword or an operator), and
     * nothing after it takes '=': so it was meant to compare.  Before 7, or a
     * check's '=' would be told to add a message. */
    bool after_value = c->prev_tok == T_IDENT || c->prev_tok == T_NUMBER || c->prev_tok == T_STRING ||
                       c->prev_tok == T_RPAREN || c->prev_tok == K_TRUE || c->prev_tok == K_FALSE ||
                       c->prev_tok == K_TOTAL || c->prev_tok == K_GRADE;
    if (la == YYSYMBOL_T_ASSIGN && !has[YYSYMBOL_T_ASSIGN] &&
        (has[YYSYMBOL_T_EQ] || has[YYSYMBOL_K_THEN] || has[YYSYMBOL_T_RPAREN] ||
         (has[YYSYMBOL_T_STRING] && (dkw == K_CHECK || dkw == K_WARN)) ||
         (after_value && (dkw == K_LET || dkw == K_OUTPUT || dkw == K_TOTAL || (dkw == K_GRADE && cap_condition_before(c, at.start)))))) {
        g = rb_diag_add(c->diags, RB_SEV_ERROR, "E0110", at, "'=' does not compare; did you mean '=='?");
        rb_diag_help(g, "write '==' to compare two values ('=' gives a declaration its value)");
        return 0;
    }

    /* 6b. `points 5 in 1..5`: a rating scale written as a range constraint */
    if (la == YYSYMBOL_K_IN && c->prev_tok == T_NUMBER && (dkw == K_ITEM || dkw == K_DEDUCT)) {
        uint32_t i = at.end, n = 0;
        while (i < c->src->len && (c->src->text[i] == ' ' || c->src->text[i] == '\t')) i++;
        while (i + n < c->src->len && ((c->src->text[i + n] >= '0' && c->src->text[i + n] <= '9') || c->src->text[i + n] == '.'))
            n++;
        if (dkw == K_DEDUCT) {
            g = rb_diag_add(c->diags, RB_SEV_ERROR, "E0110", at, "a deduction takes no range");
            rb_diag_help(g, "write 'points N' alone: a deduction counts from 0 up to N");
        } else {
            g = rb_diag_add(c->diags, RB_SEV_ERROR, "E0110", at, "a rating scale is written after 'points', not with 'in'");
            rb_diag_help(g, "write 'points %.*s': the rating lies in that range and its top is the full mark", (int)(n ? n : 4),
                         n ? c->src->text + i : "1..5");
        }
        return 0;
    }

    /* 7. check/warn without a message */
    if (has[YYSYMBOL_T_STRING] && (dkw == K_CHECK || dkw == K_WARN) && la != YYSYMBOL_T_STRING) {
        g = rb_diag_add(c->diags, RB_SEV_ERROR, "E0110", here, "expected the message of '%s' after its condition, found %s",
                        decl_kw_name(dkw), found);
        rb_diag_help(g, "write '%s CONDITION \"message\"'", decl_kw_name(dkw));
        return 0;
    }

    /* 6a. right after a string that was not closed on its line (E0104):
     * the rest of that line is inside it, so what is missing now is that
     * string's fault, already said */
    if (c->prev_tok == T_STRING && c->unclosed_string_end == c->prev_span.end) return 0;

    /* 7b. a grade arm with a label but no id: `>= 75: "良好"` */
    if (la == YYSYMBOL_T_STRING && has[YYSYMBOL_T_IDENT] && !has[YYSYMBOL_T_LPAREN] && c->prev_tok == T_COLON &&
        c->decl_kw == K_GRADE) {
        g = rb_diag_add(c->diags, RB_SEV_ERROR, "E0110", at, "a grade arm needs an id before its label, found %s", found);
        rb_diag_help(g, "write an id, then the label: '>= 75: good \"良好\"'");
        return 0;
    }

    /* 8. the general case: what was expected, after what, and what came */
    int parts = describe_expected(c->diags->lang, has, want, sizeof want);
    if (parts == 0 || n == 0) {
        if (prev[0])
            g = rb_diag_add(c->diags, RB_SEV_ERROR, "E0110", here, "unexpected %s after '%s'", found, prev);
        else
            g = rb_diag_add(c->diags, RB_SEV_ERROR, "E0110", here, "unexpected %s", found);
    } else if (prev[0]) {
        g = rb_diag_add(c->diags, RB_SEV_ERROR, "E0110", here, "expected %s after '%s'%s, found %s", want, prev,
                        in_decl, found);
    } else {
        g = rb_diag_add(c->diags, RB_SEV_ERROR, "E0110", here, "expected %s, found %s", want, found);
    }
    if (la == YYSYMBOL_T_RBRACE && c->unmatched_close)
        rb_diag_help(g, "this '}' closes nothing; delete it, or look for a missing '{'");
    else if (is_keyword(la) && has[YYSYMBOL_T_IDENT] && !has[la])
        rb_diag_help(g, "'%s' is a reserved word, so it cannot name a value", kw_text(la));
    else if (la == YYSYMBOL_T_STRING && has[YYSYMBOL_T_IDENT] && !has[YYSYMBOL_T_STRING])
        rb_diag_help(g, "a name comes first, then its label: 'item knowledge \"专业知识\" points 10'");
    else if ((la == YYSYMBOL_T_LT || la == YYSYMBOL_T_LE || la == YYSYMBOL_T_GT || la == YYSYMBOL_T_GE) &&
             has[YYSYMBOL_T_COLON])
        rb_diag_help(g, "an arm result is arithmetic: put a comparison in parentheses");
    return 0;
}

/* Only called for failures that are not syntax errors: bison's stack limit. */
static void rb_yyerror(RB_YYLTYPE *loc, void *scanner, rb_parse_ctx *ctx, const char *msg)
{
    (void)scanner;
    if (ctx->fatal) return;
    ctx->fatal = true;
    ctx->syntax_errors++;
    rb_diag *g = rb_diag_add(ctx->diags, RB_SEV_ERROR, "E0116", *loc,
                             "the template is nested too deeply for the parser (%s; the limit is %d pending symbols)",
                             msg, YYMAXDEPTH);
    rb_diag_help(g, "split long expressions into several 'let' declarations");
}
