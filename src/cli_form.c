/* cli_form.c — `rubric form [-D NAME=VALUE]... TEMPLATE -o OUT.html`: the
 * form as one self-contained page (SPEC §15, docs/form.md; the page is
 * drawn by form.c).  Exit 0, 1 template errors, 2 usage or I/O error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "form.h"
#include "outfile.h"

int rb_cli_form(rb_cli *c, int argc, char **argv)
{
    const char *output = NULL;
    const rb_opt opts[] = {{"-D", RB_OPT_DEFINE, NULL}, {"-o", RB_OPT_VALUE, &output}, {NULL, RB_OPT_FLAG, NULL}};
    if (!rb_cli_parse(c, opts, argc, argv)) return c->status;
    if (c->nargs != 1) return rb_cli_usage_error(c, "give exactly one template", NULL);
    if (!output) return rb_cli_usage_error(c, "-o OUT.html is required", NULL);
    const char *template = c->args[0];
    rb_program *p = c->load("form", template, c->defs, c->ndefs);
    if (!p) return strstr(template, ".rbc") ? 2 : 1;
    size_t rbc_len;
    uint8_t *rbc = rb_program_serialize(p, &rbc_len);
    rb_buf page = {0};
    rb_form_page(&page, p, rbc, rbc_len, c->lang);
    char err[512];
    int status = 0;
    if (rb_write_file(output, page.s, page.len, c->lang, err, sizeof err) != 0) {
        fprintf(stderr, "rubric form: %s\n", err);
        status = 2;
    }
    rb_buf_free(&page);
    free(rbc);
    rb_program_free(p);
    return status;
}
