/* test_docs.c — documentation that cannot drift from the code: the opcode
 * table of docs/bytecode.md must list every instruction of RB_OPCODES with
 * its byte, name, stack effect and meaning, in order; its section table
 * every section of the .rbc format (bytecode.c's one description) with its
 * position, tag and record size, its layout the format version and the
 * number of sections, and its field tables the byte of every slot kind,
 * type, unit kind and arm op as program.h lists them; and every diagnostic
 * code the sources emit must have an entry in docs/diagnostics.md, and the
 * catalogue generated from it for SARIF (tools/diag_codes.awk) must say what
 * each entry's heading and table row say, for every code the document has;
 * and the built-in functions of RB_BUILTINS are the function table and the
 * quick reference of docs/language.md, and the list E0204's help gives. */
#include "testutil.h"

#include <ctype.h>
#include <dirent.h>

#include "builtins.h"
#include "diag.h"
#include "opcodes.h"
#include "program_build.h"

static void opcode_table_matches(void **state)
{
    (void)state;
    char *doc = read_whole_file("docs/bytecode.md");
    for (int op = 0; op < RB_OP_COUNT; op++) {
        const rb_opinfo *i = &rb_opinfo_table[op];
        char pops[16];
        if (i->pops < 0) snprintf(pops, sizeof pops, "N");
        else snprintf(pops, sizeof pops, "%d", i->pops);
        char head[96], tail[160];
        snprintf(head, sizeof head, "| %d | `%s` | ", op, i->name);
        snprintf(tail, sizeof tail, " | %s | %d | ", pops, i->pushes);
        char *row = strstr(doc, head);
        if (!row) fail_msg("docs/bytecode.md lacks the row for opcode %d %s", op, i->name);
        char *end = strchr(row, '\n');
        *end = '\0';
        if (!strstr(row, tail)) fail_msg("docs/bytecode.md: stack effect of %s should read '%s'", i->name, tail);
        /* the meaning column is the X-macro's text ('|' escaped in Markdown) */
        char meaning[160];
        size_t k = 0;
        for (const char *d = i->doc; *d && k + 2 < sizeof meaning; d++) {
            if (*d == '|') meaning[k++] = '\\';
            meaning[k++] = *d;
        }
        meaning[k] = '\0';
        if (!strstr(row, meaning)) fail_msg("docs/bytecode.md: meaning of %s should read '%s'", i->name, meaning);
        *end = '\n';
    }
    free(doc);
}

/* The function table of docs/language.md §8.5 has a row for each built-in,
 * in the table's order, starting with its signature and meaning, and no
 * other row; the quick reference names them all; docs/diagnostics.md quotes
 * E0204's help with every name. */
static void builtin_functions_documented(void **state)
{
    (void)state;
    char *doc = read_whole_file("docs/language.md");
    char *table = strstr(doc, "### 8.5 Functions");
    assert_non_null(table);
    char *table_end = strstr(table, "\n\n| function |");
    assert_non_null(table_end);
    table_end = strstr(table_end + 2, "\n\n");
    assert_non_null(table_end);
    *table_end = '\0';
    char names[256] = "FUNCTIONS   ", help[256] = "`the functions are ";
    const char *at = table;
    for (int i = 0; i < RB_BUILTIN_COUNT; i++) {
        const rb_builtin *fn = &rb_builtins[i];
        char row[256];
        snprintf(row, sizeof row, "\n| `%s` | %s | ", fn->signature, fn->meaning);
        const char *found = strstr(table, row);
        if (!found) fail_msg("docs/language.md §8.5 lacks the row '%s'", row + 1);
        if (found < at) fail_msg("docs/language.md §8.5: %s() is out of the table's order", fn->name);
        at = found;
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? " " : "", fn->name);
        snprintf(help + strlen(help), sizeof help - strlen(help), "%s%s", i ? ", " : "", fn->name);
    }
    int rows = 0;
    for (const char *p = table; (p = strstr(p, "\n| `")); p++) rows++;
    assert_int_equal(rows, RB_BUILTIN_COUNT);
    *table_end = '\n';
    strcat(names, "\n");
    if (!strstr(doc, names)) fail_msg("docs/language.md's quick reference should read '%s'", names);
    free(doc);
    doc = read_whole_file("docs/diagnostics.md");
    strcat(help, "`");
    if (!strstr(doc, help)) fail_msg("docs/diagnostics.md (E0204) should quote the help %s", help);
    free(doc);
}

/* The line that starts with `head` in doc, as a string of its own (freed by
 * the caller), or NULL. */
static char *doc_row(const char *doc, const char *head)
{
    const char *row = doc;
    while ((row = strstr(row, head)) && row != doc && row[-1] != '\n') row++;
    if (!row) return NULL;
    size_t n = strcspn(row, "\n");
    char *copy = malloc(n + 1);
    memcpy(copy, row, n);
    copy[n] = '\0';
    return copy;
}

static void section_table_matches(void **state)
{
    (void)state;
    char *doc = read_whole_file("docs/bytecode.md");
    /* the section table alone: from its header row to the blank line after it */
    char *table = strstr(doc, "| # | tag | record | size |");
    if (!table) fail_msg("docs/bytecode.md has no section table ('| # | tag | record | size |')");
    char *end = strstr(table, "\n\n");
    if (end) end[1] = '\0';
    const char *tag;
    size_t size, i = 0;
    for (; rb_bytecode_section(i, &tag, &size); i++) {
        char head[64], cell[64];
        snprintf(head, sizeof head, "| %zu | `%s` | ", i + 1, tag);
        char *row = doc_row(table, head);
        if (!row) fail_msg("docs/bytecode.md's section table lacks row %zu, `%s`", i + 1, tag);
        /* strings vary: their row says "4 + length" */
        if (strcmp(tag, "STRS") == 0) snprintf(cell, sizeof cell, " | %zu + length | ", size);
        else snprintf(cell, sizeof cell, " | %zu | ", size);
        if (!strstr(row + strlen(head), cell))
            fail_msg("docs/bytecode.md: a %s record is %zu bytes, its row says otherwise: %s", tag, size, row);
        free(row);
    }
    assert_true(i >= 20);
    char head[64];
    snprintf(head, sizeof head, "| %zu | `", i + 1);
    if (strstr(table, head)) fail_msg("docs/bytecode.md lists a section %zu, the format has %zu", i + 1, i);
    if (end) end[1] = '\n';
    char want[160];
    snprintf(want, sizeof want, "| sections | the %zu sections below, in this order |", i);
    if (!strstr(doc, want)) fail_msg("docs/bytecode.md's file layout should say '%s'", want);
    snprintf(want, sizeof want, "| format version | `%u` (`RB_FORMAT_VERSION`) |", RB_FORMAT_VERSION);
    if (!strstr(doc, want)) fail_msg("docs/bytecode.md's file layout should say '%s'", want);
    free(doc);
}

/* The row of docs/bytecode.md that starts with `head` gives each member of
 * an enum as "BYTE NAME" (fmt makes the text from the byte and the name),
 * the byte being its position in its program.h list. */
static void enum_row_matches(const char *doc, const char *head, const char *(*name)(unsigned), unsigned first,
                             unsigned end, const char *fmt)
{
    char *row = doc_row(doc, head);
    if (!row) fail_msg("docs/bytecode.md has no row '%s'", head);
    for (unsigned k = first; k < end; k++) {
        char want[64];
        snprintf(want, sizeof want, fmt, k, name(k));
        /* whole: "1 value" is not the end of "11 value", "9 result" not the
         * start of "9 results" */
        size_t n = strlen(want);
        const char *at = row;
        while ((at = strstr(at, want)) &&
               (at == row || at[-1] != ' ' || isalnum((unsigned char)at[n]) || at[n] == '-'))
            at++;
        if (!at) fail_msg("docs/bytecode.md's row '%s' should say '%s'", head, want);
    }
    free(row);
}

static const char *type_name_of(unsigned t)
{
    return rb_type_word((int)t - RB_T_NUMBER);
}

static void enum_values_documented(void **state)
{
    (void)state;
    char *doc = read_whole_file("docs/bytecode.md");
    enum_row_matches(doc, "| 8 | u8 | kind | ", rb_slot_kind_name, SLOT_PARAM, SLOT_KIND_END, "%u %s");
    enum_row_matches(doc, "| 9 | u8 | type | ", type_name_of, RB_T_NUMBER, RB_T_CHOICES + 1, "%u %s");
    enum_row_matches(doc, "| 0 | u8 | kind: 1 value", rb_unit_kind_name, U_VALUE, U_KIND_END, "%u %s");
    enum_row_matches(doc, "| 0 | u8 | op: ", rb_arm_op_text, RB_ARM_LT, RB_ARM_END, "%u `%s`");
    free(doc);
}

/* Every "E0123"/"W0123" string literal in src/ and lang/ has a heading in docs/diagnostics.md. */
static void diagnostic_codes_documented(void **state)
{
    (void)state;
    char *doc = read_whole_file("docs/diagnostics.md");
    const char *dirs[] = {"src", "lang"};
    int checked = 0;
    for (size_t di = 0; di < 2; di++) {
        DIR *dir = opendir(dirs[di]);
        assert_non_null(dir);
        struct dirent *ent;
        while ((ent = readdir(dir))) {
            size_t n = strlen(ent->d_name);
            if (n < 3 || (strcmp(ent->d_name + n - 2, ".c") && strcmp(ent->d_name + n - 2, ".l") &&
                          strcmp(ent->d_name + n - 2, ".y")))
                continue;
            char path[512];
            snprintf(path, sizeof path, "%s/%s", dirs[di], ent->d_name);
            char *src = read_whole_file(path);
            for (char *p = src; (p = strchr(p, '"')); p++) {
                if ((p[1] == 'E' || p[1] == 'W') && p[2] >= '0' && p[2] <= '9' && p[3] >= '0' && p[3] <= '9' &&
                    p[4] >= '0' && p[4] <= '9' && p[5] >= '0' && p[5] <= '9' && p[6] == '"') {
                    char heading[24];
                    snprintf(heading, sizeof heading, "# %.5s — ", p + 1); /* a ## or ### heading */
                    if (!strstr(doc, heading)) fail_msg("%s uses %.5s, which docs/diagnostics.md does not describe", path, p + 1);
                    checked++;
                }
            }
            free(src);
        }
        closedir(dir);
    }
    assert_true(checked > 40);
    free(doc);
}

static void sarif_catalogue_matches(void **state)
{
    (void)state;
    char *doc = read_whole_file("docs/diagnostics.md");
    for (size_t i = 0; i < rb_diag_ncodes; i++) {
        const rb_diag_code *c = &rb_diag_codes[i];
        char want[512];
        snprintf(want, sizeof want, "# %s — %s\n", c->code, c->title);
        if (!strstr(doc, want)) fail_msg("docs/diagnostics.md has no heading '%s — %s'", c->code, c->title);
        snprintf(want, sizeof want, " | %s |\n", c->meaning);
        char row[64];
        snprintf(row, sizeof row, "| [%s](", c->code);
        const char *r = strstr(doc, row);
        if (!r) fail_msg("the table of all codes has no row for %s", c->code);
        const char *eol = strchr(r, '\n');
        const char *m = strstr(r, want);
        if (!m || m + strlen(want) - 1 != eol) fail_msg("the row of %s does not say '%s'", c->code, c->meaning);
    }
    /* and every row of the table is in the catalogue */
    size_t rows = 0;
    for (const char *p = doc; (p = strstr(p, "\n| [")); p++) {
        char code[6];
        memcpy(code, p + 4, 5);
        code[5] = '\0';
        if (!rb_diag_code_find(code)) fail_msg("%s is in docs/diagnostics.md but not in the generated catalogue", code);
        rows++;
    }
    assert_int_equal(rows, rb_diag_ncodes);
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(opcode_table_matches),
        cmocka_unit_test(builtin_functions_documented),
        cmocka_unit_test(section_table_matches),
        cmocka_unit_test(enum_values_documented),
        cmocka_unit_test(diagnostic_codes_documented),
        cmocka_unit_test(sarif_catalogue_matches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
