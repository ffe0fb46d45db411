/* workbook.c — .xlsx output through a temporary file (see workbook.h). */
#include "workbook.h"

#include "arena.h"
#include "buf.h"
#include "outfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rb_workbook_open(rb_workbook *w, const char *target, bool constant_memory, rb_lang lang, char *err, size_t cap)
{
    memset(w, 0, sizeof *w);
    w->target = target;
    w->lang = lang;
    /* an unwritable target is said at once, before the work */
    if (access(target, F_OK) == 0 ? access(target, W_OK) != 0 : false) {
        snprintf(err, cap, rb_tr(lang, "cannot write %s: %s"), target, rb_strerror(lang, errno));
        return -1;
    }
    const char *dir = getenv("TMPDIR");
    rb_buf path = {0};
    rb_buf_printf(&path, "%s/rubric-xlsx.XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path.s);
    if (fd < 0) {
        snprintf(err, cap, rb_tr(lang, "cannot make a temporary file: %s"), rb_strerror(lang, errno));
        rb_buf_free(&path);
        return -1;
    }
    close(fd);
    w->tmp = path.s;
    lxw_workbook_options opt = {.constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE,
                                .tmpdir = dir && *dir ? (char *)dir : NULL};
    w->wb = workbook_new_opt(w->tmp, &opt);
    if (!w->wb) {
        snprintf(err, cap, rb_tr(lang, "cannot write %s: %s"), target, rb_strerror(lang, errno ? errno : ENOMEM));
        unlink(w->tmp);
        rb_free(w->tmp);
        w->tmp = NULL;
        return -1;
    }
    return 0;
}

int rb_workbook_close(rb_workbook *w, char *err, size_t cap)
{
    lxw_error e = workbook_close(w->wb);
    w->wb = NULL;
    int st = 0;
    if (e) {
        snprintf(err, cap, rb_tr(w->lang, "cannot write %s: %s"), w->target, lxw_strerror(e));
        st = -1;
    } else {
        FILE *f = fopen(w->tmp, "rb");
        rb_buf bytes = {0};
        char block[65536];
        size_t n;
        while (f && (n = fread(block, 1, sizeof block, f)) > 0) rb_buf_add(&bytes, block, n);
        if (!f || ferror(f)) {
            snprintf(err, cap, rb_tr(w->lang, "cannot write %s: %s"), w->target, rb_strerror(w->lang, errno));
            st = -1;
        } else if (rb_write_file(w->target, bytes.s, bytes.len, w->lang, err, cap) != 0) {
            st = -1;
        }
        if (f) fclose(f);
        rb_buf_free(&bytes);
    }
    unlink(w->tmp);
    rb_free(w->tmp);
    w->tmp = NULL;
    return st;
}

void rb_workbook_discard(rb_workbook *w)
{
    workbook_close(w->wb);
    w->wb = NULL;
    unlink(w->tmp);
    rb_free(w->tmp);
    w->tmp = NULL;
}
