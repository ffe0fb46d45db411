/* lang.c — choosing the language and looking messages up (lang.h).
 * The catalogue is generated from po/zh_CN.po at build time (tools/po2c.c)
 * and sorted by msgid, so a look-up is a binary search. */
#include "lang.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

extern const rb_catalog_entry rb_catalog_zh[];
extern const size_t rb_catalog_zh_len;

const char *rb_tr(rb_lang lang, const char *msgid)
{
    if (lang != RB_LANG_ZH || !msgid || !*msgid) return msgid;
    size_t lo = 0, hi = rb_catalog_zh_len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(msgid, rb_catalog_zh[mid].msgid);
        if (c == 0) return rb_catalog_zh[mid].msgstr;
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return msgid;
}

static int parse(const char *s)
{
    if (strcmp(s, "en") == 0) return RB_LANG_EN;
    if (strcmp(s, "zh") == 0) return RB_LANG_ZH;
    return -1;
}

int rb_lang_choose(const char *flag)
{
    if (flag) return parse(flag);
    const char *v = getenv("RUBRIC_LANG");
    if (v && *v) {
        int l = parse(v);
        if (l >= 0) return l;
    }
    /* POSIX precedence: the first of these that is set decides */
    static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        v = getenv(vars[i]);
        if (v && *v) return strncmp(v, "zh", 2) == 0 ? RB_LANG_ZH : RB_LANG_EN;
    }
    return RB_LANG_EN;
}

const char *rb_strerror(rb_lang lang, int code)
{
    static const struct {
        int code;
        const char *text;
    } reasons[] = {
        {ENOENT, N_("No such file or directory")},
        {EACCES, N_("Permission denied")},
        {EPERM, N_("Operation not permitted")},
        {EISDIR, N_("Is a directory")},
        {ENOTDIR, N_("Not a directory")},
        {ENOSPC, N_("No space left on device")},
        {EROFS, N_("Read-only file system")},
        {ENAMETOOLONG, N_("File name too long")},
        {ELOOP, N_("Too many levels of symbolic links")},
        {EFBIG, N_("File too large")},
        {EIO, N_("Input/output error")},
        {ENOMEM, N_("Cannot allocate memory")},
        {EMFILE, N_("Too many open files")},
        {EBUSY, N_("Device or resource busy")},
    };
    if (lang == RB_LANG_ZH)
        for (size_t i = 0; i < sizeof reasons / sizeof *reasons; i++)
            if (reasons[i].code == code) return rb_tr(lang, reasons[i].text);
    return strerror(code);
}

const char *rb_lang_code(rb_lang lang)
{
    return lang == RB_LANG_ZH ? "zh" : "en";
}
