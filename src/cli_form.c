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

const char rb_form_usage[] =
    "rubric form [-D NAME=VALUE]... TEMPLATE -o OUT.html\n"
    "  Writes the form as one self-contained HTML page: printable as the paper\n"
    "  form, fillable on screen with live scoring by the same evaluator (compiled\n"
    "  to WebAssembly, embedded).  Exit 0, 1 template errors, 2 usage or I/O error.\n";

static rb_lang lang;

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "rubric form: ");
    fprintf(stderr, rb_tr(lang, what), arg);
    fprintf(stderr, "\n%s", rb_form_usage);
    return 2;
}

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

int rb_cli_form(int argc, char **argv, rb_lang page_lang, rb_cli_loader load)
{
    lang = page_lang;
    rb_define *defs = rb_xcalloc((size_t)argc + 1, sizeof *defs);
    size_t ndefs = 0;
    const char *template = NULL, *output = NULL;
    int status = 0;
    for (int i = 0; i < argc && !status; i++) {
        char *a = argv[i];
        if (strncmp(a, "-D", 2) == 0) {
            char *def = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
            char *eq = def ? strchr(def, '=') : NULL;
            if (!eq || eq == def) status = usage_error(N_("-D takes NAME=VALUE, not '%s'"), def ? def : "");
            else *eq = '\0', defs[ndefs++] = (rb_define){def, eq + 1};
        } else if (strcmp(a, "-o") == 0) {
            if (i + 1 >= argc) status = usage_error(N_("%s needs a file name"), "-o");
            else output = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            status = usage_error(N_("unknown option '%s'"), a);
        } else if (template) {
            status = usage_error(N_("give exactly one template"), "");
        } else {
            template = a;
        }
    }
    if (!status && !template) status = usage_error(N_("give exactly one template"), "");
    if (!status && !output) status = usage_error(N_("-o OUT.html is required"), "");
    if (status) return free(defs), status;
    rb_program *p = load("form", template, defs, ndefs);
    free(defs);
    if (!p) return strstr(template, ".rbc") ? 2 : 1;
    size_t rbc_len;
    uint8_t *rbc = rb_program_serialize(p, &rbc_len);
    rb_buf page = {0};
    rb_form_page(&page, p, rbc, rbc_len, lang);
    status = write_file(output, page.s, page.len);
    rb_buf_free(&page);
    free(rbc);
    rb_program_free(p);
    return status;
}
