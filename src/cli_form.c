/* cli_form.c — `rubric form [-D NAME=VALUE]... TEMPLATE -o OUT.html`: the
 * form as one self-contained page (SPEC §15, docs/form.md; the page is
 * drawn by form.c).  Exit 0, 1 template errors, 2 usage or I/O error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "cli.h"
#include "form.h"

static rb_lang lang;

/* Writes bytes to `path` through a temporary file created exclusively
 * beside it, then renamed over it: no half-written page is ever left. */
static int write_file(const char *path, const char *bytes, size_t len)
{
    size_t n = strlen(path);
    char *tmp = rb_xmalloc(n + 16);
    snprintf(tmp, n + 16, "%s.XXXXXX", path);
    int fd = mkstemp(tmp);
    mode_t mask = umask(0); /* mkstemp makes 0600; a page is as readable as any file written */
    umask(mask);
    if (fd >= 0) fchmod(fd, 0666 & ~mask);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "wb");
    int ok = f && fwrite(bytes, 1, len, f) == len;
    if (f && fclose(f) != 0) ok = 0;
    if (!f && fd >= 0) close(fd);
    if (ok && rename(tmp, path) != 0) ok = 0;
    int status = 0;
    if (!ok) {
        int e = errno;
        fprintf(stderr, "rubric form: ");
        fprintf(stderr, rb_tr(lang, N_("cannot write %s: %s")), path, strerror(e));
        fputc('\n', stderr);
        if (fd >= 0) remove(tmp);
        status = 2;
    }
    free(tmp);
    return status;
}

int rb_cli_form(rb_cli *c, int argc, char **argv)
{
    lang = c->lang;
    const char *output = NULL;
    const rb_opt opts[] = {{"-D", RB_OPT_DEFINE, NULL}, {"-o", RB_OPT_VALUE, &output}, {NULL, RB_OPT_FLAG, NULL}};
    if (rb_cli_parse(c, opts, argc, argv)) return 2;
    if (c->nargs != 1) return rb_cli_usage_error(c, "give exactly one template", NULL);
    if (!output) return rb_cli_usage_error(c, "-o OUT.html is required", NULL);
    const char *template = c->args[0];
    rb_program *p = c->load("form", template, c->defs, c->ndefs);
    if (!p) return strstr(template, ".rbc") ? 2 : 1;
    size_t rbc_len;
    uint8_t *rbc = rb_program_serialize(p, &rbc_len);
    rb_buf page = {0};
    rb_form_page(&page, p, rbc, rbc_len, lang);
    int status = write_file(output, page.s, page.len);
    rb_buf_free(&page);
    free(rbc);
    rb_program_free(p);
    return status;
}
