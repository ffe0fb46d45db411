/* lang.h — the language of the text a person reads (SPEC §17).
 *
 * Every message is written in English in the source, where it is also the
 * msgid of po/zh_CN.po.  rb_tr returns the translation for a language, or
 * the English text when there is none, so a missing translation degrades to
 * English instead of to nothing (and `make po-check` fails on it).
 *
 * Marking: a string passed to rb_diag_add/rb_diag_help (and the checker's
 * ERR/WARN, the evaluator's error functions) is translated where it is
 * formatted, and xgettext finds it by those keywords (Makefile, PO_KEYWORDS).
 * A string that reaches a person another way is wrapped in N_() where it is
 * written, and translated with rb_tr where it is shown. */
#ifndef RUBRIC_LANG_H
#define RUBRIC_LANG_H

#include <stddef.h>

typedef enum { RB_LANG_EN, RB_LANG_ZH } rb_lang;

/* Marks a message for extraction; the text is unchanged. */
#define N_(s) (s)

typedef struct {
    const char *msgid, *msgstr;
} rb_catalog_entry;

/* The translation of msgid, or msgid itself (English, or none there). */
const char *rb_tr(rb_lang lang, const char *msgid);

/* SPEC §17: the --lang value if given ("en"/"zh"), else RUBRIC_LANG, else
 * LC_ALL, LC_MESSAGES, LANG (the first one set) starting with "zh", else
 * English.  Returns -1 when `flag` names no language. */
int rb_lang_choose(const char *flag);

/* strerror(code) in `lang`: the system's reasons a file cannot be read or
 * written, translated (the C library's own text is English under the C
 * locale Rubric runs in); other codes as strerror gives them. */
const char *rb_strerror(rb_lang lang, int code);

/* "en" or "zh". */
const char *rb_lang_code(rb_lang lang);

#endif
