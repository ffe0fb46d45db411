/* parse.c — the front end's entry point (ast.h): runs the scanner
 * (lang/lexer.l) and the parser (lang/parser.y) over one source and hands
 * back the tree.  The grammar and the messages live in those two files;
 * this is the glue and the few checks that need the whole file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "parser.h"
#include "lexer.h"

ast_file *rb_parse(rb_arena *arena, rb_source *src, rb_diags *diags)
{
    ast_file *file = rb_arena_alloc(arena, sizeof *file);
    rb_parse_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.arena = arena;
    ctx.src = src;
    ctx.diags = diags;
    ctx.comment_tail = &ctx.comments;

    /* flex scans int-sized buffers and spans are 32-bit: a template can't
     * be that large in practice, but saying so beats overflowing */
    if (src->len > (size_t)INT32_MAX - 16) {
        rb_span none = {0, 0};
        rb_diag *g = rb_diag_add(diags, RB_SEV_ERROR, "E0116", none, "the file is larger than the limit of 2 GiB");
        rb_diag_help(g, "a template is a text file of declarations; is this the right file?");
        return file;
    }

    /* a BOM is skipped (SPEC §2); offsets still count it, so that they
     * index the file as it is */
    uint32_t start = src->len >= 3 && memcmp(src->text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    ctx.base_off = start;
    rb_lex_check_utf8(&ctx);

    /* the scanner allocates through alloc.h, so these fail only by
     * unwinding; a -1 from them is out of memory all the same */
    yyscan_t scanner;
    if (rb_yylex_init_extra(&ctx, &scanner) != 0) rb_out_of_memory();
    if (rb_lex_set_input(scanner, &ctx, src->text + start, src->len - start, start) != 0) {
        rb_yylex_destroy(scanner);
        rb_out_of_memory();
    }
    rb_yyparse(scanner, &ctx);
    rb_yylex_destroy(scanner);
    rb_free(ctx.sbuf);

    /* only when nothing else was said: a broken form keyword has already
     * been reported by the parser */
    if (ctx.nforms == 0 && ctx.syntax_errors == 0 && !ctx.fatal) {
        rb_span at = {(uint32_t)src->len, (uint32_t)src->len};
        rb_diag *g = rb_diag_add(diags, RB_SEV_ERROR, "E0115", at, "the file holds no form");
        rb_diag_help(g, "a template is one 'form NAME { … }' with its declarations inside the braces");
    }
    file->form = ctx.form;
    file->comments = ctx.comments;
    rb_diags_sort(diags);
    return file;
}

const char *ast_decl_kind_name(ast_decl_kind k)
{
    switch (k) {
    case DECL_FORM: return "form";
    case DECL_RESULT: return "result";
    case DECL_PERIOD: return "period";
    case DECL_VERSION: return "version";
    case DECL_SCALE: return "scale";
    case DECL_PRECISION: return "precision";
    case DECL_PARAM: return "param";
    case DECL_FIELD: return "field";
    case DECL_TYPE: return "type";
    case DECL_RATERS: return "raters";
    case DECL_SECTION: return "section";
    case DECL_INPUT: return "input";
    case DECL_ITEM: return "item";
    case DECL_DEDUCT: return "deduct";
    case DECL_LET: return "let";
    case DECL_CHECK: return "check";
    case DECL_WARN: return "warn";
    case DECL_OUTPUT: return "output";
    case DECL_TOTAL: return "total";
    case DECL_GRADE: return "grade";
    case DECL_SIGN: return "sign";
    case DECL_KEY: return "key";
    case DECL_DISTRIBUTION: return "distribution";
    }
    return "declaration";
}
