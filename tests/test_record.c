/* test_record.c — unit tests for the record readers of record.c (JSON, JSON
 * arrays, concatenated objects, NDJSON, CSV), rb_json_parse and rb_rv_get,
 * plus JSONTestSuite conformance of rb_json_parse.
 *
 * JSONTestSuite lives in tests/data (run from the repo root, as `make test`
 * does); RUBRIC_TESTDATA overrides that directory. */
#include "testutil.h"

#include "arena.h"
#include "buf.h"
#include "record.h"

#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

/* ---- helpers ---------------------------------------------------------------- */

/* Reads every record of `text` and keeps a printable summary of each. */
#define MAX_RECS 16
typedef struct {
    int n;
    int status; /* what the final rb_reader_next returned (0 or -1) */
    uint64_t number[MAX_RECS], line[MAX_RECS];
    bool from_csv[MAX_RECS];
    char error[MAX_RECS][256]; /* "" when well-formed */
    char dump[MAX_RECS][512];  /* the value in a compact notation */
} batch;

static void dump_rv(const rb_rv *v, char *out, size_t cap)
{
    size_t n = strlen(out);
    if (n + 1 >= cap) return;
    char *p = out + n;
    size_t room = cap - n;
    switch (v->kind) {
    case RV_NULL: snprintf(p, room, "null"); break;
    case RV_BOOL: snprintf(p, room, v->boolean ? "true" : "false"); break;
    case RV_NUMBER: snprintf(p, room, "#%s", v->text); break;
    case RV_STRING: snprintf(p, room, "'%s'", v->text); break;
    case RV_OBJECT:
        snprintf(p, room, "{");
        for (size_t i = 0; i < v->count; i++) {
            n = strlen(out);
            snprintf(out + n, cap - n, "%s%s:", i ? "," : "", v->members[i].key);
            dump_rv(&v->members[i].value, out, cap);
        }
        n = strlen(out);
        snprintf(out + n, cap - n, "}");
        break;
    case RV_ARRAY:
        snprintf(p, room, "[");
        for (size_t i = 0; i < v->count; i++) {
            if (i) {
                n = strlen(out);
                snprintf(out + n, cap - n, ",");
            }
            dump_rv(&v->items[i], out, cap);
        }
        n = strlen(out);
        snprintf(out + n, cap - n, "]");
        break;
    }
}

static void read_all_from(FILE *f, const char *name, rb_input_format fmt, uint64_t first,
                          batch *b)
{
    memset(b, 0, sizeof *b);
    rb_reader *r = rb_reader_open(f, name, fmt, first);
    rb_record rec;
    int st;
    while ((st = rb_reader_next(r, &rec)) == 1) {
        assert_true(b->n < MAX_RECS);
        int i = b->n++;
        b->number[i] = rec.number;
        b->line[i] = rec.line;
        b->from_csv[i] = rec.from_csv;
        assert_string_equal(rec.source, name);
        if (rec.syntax_error) {
            snprintf(b->error[i], sizeof b->error[i], "%s", rec.syntax_error);
            assert_int_equal(rec.value.kind, RV_NULL);
        } else {
            assert_int_equal(rec.value.kind, RV_OBJECT);
            dump_rv(&rec.value, b->dump[i], sizeof b->dump[i]);
        }
    }
    b->status = st;
    /* the end is sticky */
    if (st == 0) assert_int_equal(rb_reader_next(r, &rec), 0);
    rb_reader_close(r);
}

static void read_all(const char *text, size_t len, const char *name, rb_input_format fmt,
                     batch *b)
{
    FILE *f = len ? fmemopen((void *)text, len, "r") : fopen("/dev/null", "r");
    assert_non_null(f);
    read_all_from(f, name, fmt, 1, b);
    fclose(f);
}

#define READ(text, name, fmt, b) read_all((text), sizeof(text) - 1, (name), (fmt), (b))

static const rb_rv *parse_ok(rb_arena *a, const char *text)
{
    const char *err = "unset";
    const rb_rv *v = rb_json_parse(a, text, strlen(text), RB_LANG_EN, &err);
    if (!v) fail_msg("rb_json_parse(%s): %s", text, err);
    assert_null(err);
    return v;
}

static const char *parse_err(rb_arena *a, const char *text, size_t len)
{
    const char *err = NULL;
    const rb_rv *v = rb_json_parse(a, text, len, RB_LANG_EN, &err);
    if (v) fail_msg("rb_json_parse accepted %s", text);
    assert_non_null(err);
    return err;
}

/* ---- JSON ------------------------------------------------------------------- */

static void json_one_object(void **state)
{
    (void)state;
    static const char text[] =
        "{\"name\":\"李娜\",\"score\":12.50,\"big\":1e400,\"neg\":-0.0,\"t\":true,\"f\":false,"
        "\"n\":null,\"arr\":[1,\"x\",[]],\"obj\":{\"a\":{}}}\n";
    FILE *f = fmemopen((void *)text, sizeof text - 1, "r");
    rb_reader *r = rb_reader_open(f, "one.json", RB_INPUT_AUTO, 7);
    rb_record rec;
    assert_int_equal(rb_reader_next(r, &rec), 1);
    assert_int_equal(rec.number, 7);
    assert_int_equal(rec.line, 1);
    assert_false(rec.from_csv);
    assert_null(rec.syntax_error);
    assert_string_equal(rec.source, "one.json");
    const rb_rv *v = &rec.value;
    assert_int_equal(v->kind, RV_OBJECT);
    assert_int_equal(v->count, 9);
    const rb_rv *s = rb_rv_get(v, "score");
    assert_int_equal(s->kind, RV_NUMBER);
    assert_string_equal(s->text, "12.50"); /* exactly as written */
    assert_int_equal(s->len, 5);
    assert_string_equal(rb_rv_get(v, "big")->text, "1e400");
    assert_string_equal(rb_rv_get(v, "neg")->text, "-0.0");
    const rb_rv *name = rb_rv_get(v, "name");
    assert_int_equal(name->kind, RV_STRING);
    assert_string_equal(name->text, "李娜");
    assert_int_equal(name->len, 6);
    assert_true(rb_rv_get(v, "t")->boolean);
    assert_int_equal(rb_rv_get(v, "f")->kind, RV_BOOL);
    assert_false(rb_rv_get(v, "f")->boolean);
    assert_int_equal(rb_rv_get(v, "n")->kind, RV_NULL);
    const rb_rv *arr = rb_rv_get(v, "arr");
    assert_int_equal(arr->kind, RV_ARRAY);
    assert_int_equal(arr->count, 3);
    assert_string_equal(arr->items[0].text, "1");
    assert_string_equal(arr->items[1].text, "x");
    assert_int_equal(arr->items[2].kind, RV_ARRAY);
    assert_int_equal(arr->items[2].count, 0);
    const rb_rv *obj = rb_rv_get(v, "obj");
    assert_int_equal(rb_rv_get(obj, "a")->kind, RV_OBJECT);
    assert_null(rb_rv_get(v, "missing"));
    assert_null(rb_rv_get(v, "scor"));
    assert_null(rb_rv_get(s, "x"));  /* not an object */
    assert_null(rb_rv_get(NULL, "x"));
    assert_int_equal(v->members[0].keylen, 4);
    assert_string_equal(v->members[0].key, "name");
    assert_int_equal(rb_reader_next(r, &rec), 0);
    assert_null(rb_reader_error(r));
    rb_reader_close(r);
    fclose(f);
}

static void json_duplicate_keys_kept(void **state)
{
    (void)state;
    batch b;
    READ("{\"a\":1,\"b\":2,\"a\":3}", "d.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 1);
    assert_string_equal(b.dump[0], "{a:#1,b:#2,a:#3}");

    rb_arena *a = rb_arena_new();
    const rb_rv *v = parse_ok(a, "{\"a\":1,\"a\":2}");
    assert_int_equal(v->count, 2);
    assert_string_equal(rb_rv_get(v, "a")->text, "1"); /* first match */
    rb_arena_free(a);
}

static void json_array_of_records(void **state)
{
    (void)state;
    static const char text[] = "[\n  {\"a\":1},\n  {\"a\":2}, {\"a\":[3]}\n]\n";
    FILE *f = fmemopen((void *)text, sizeof text - 1, "r");
    batch b;
    read_all_from(f, "arr.json", RB_INPUT_AUTO, 10, &b);
    fclose(f);
    assert_int_equal(b.status, 0);
    assert_int_equal(b.n, 3);
    assert_int_equal(b.number[0], 10);
    assert_int_equal(b.number[1], 11);
    assert_int_equal(b.number[2], 12);
    assert_int_equal(b.line[0], 2);
    assert_int_equal(b.line[1], 3);
    assert_int_equal(b.line[2], 3);
    assert_string_equal(b.dump[0], "{a:#1}");
    assert_string_equal(b.dump[2], "{a:[#3]}");
    assert_string_equal(b.error[2], "");

    READ("[]", "e.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 0);
    READ("[ ]\n[{\"x\":1}] {\"y\":2}", "e.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 2);
    assert_string_equal(b.dump[0], "{x:#1}");
    assert_string_equal(b.dump[1], "{y:#2}");
}

static void json_concatenated_objects(void **state)
{
    (void)state;
    batch b;
    READ("{\"a\":1} {\"a\":2}{\"a\":3}\n\n{\n \"a\": 4\n}\n", "c.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 4);
    assert_int_equal(b.line[3], 3);
    assert_string_equal(b.dump[2], "{a:#3}");
    assert_string_equal(b.dump[3], "{a:#4}");
}

static void json_records_must_be_objects(void **state)
{
    (void)state;
    batch b;
    READ("[1, \"x\", null, {\"a\":1}, []]", "n.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 5);
    assert_string_equal(b.error[0], "line 1, column 2: a record must be a JSON object");
    assert_string_equal(b.error[1], "line 1, column 5: a record must be a JSON object");
    assert_string_equal(b.error[2], "line 1, column 10: a record must be a JSON object");
    assert_string_equal(b.dump[3], "{a:#1}");
    assert_string_equal(b.error[4], "line 1, column 25: a record must be a JSON object");

    READ("42\n\"s\" true {\"a\":1}", "n.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 4);
    assert_string_equal(b.error[0], "line 1, column 1: a record must be a JSON object");
    assert_string_equal(b.error[1], "line 2, column 1: a record must be a JSON object");
    assert_string_equal(b.error[2], "line 2, column 5: a record must be a JSON object");
    assert_string_equal(b.error[3], "");

    READ("42", "n.ndjson", RB_INPUT_AUTO, &b);
    assert_int_equal(b.n, 1);
    assert_string_equal(b.error[0], "line 1, column 1: a record must be a JSON object");
}

static void json_syntax_error_messages(void **state)
{
    (void)state;
    batch b;
    READ("{\"a\":1 \"b\":2}", "s.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 1);
    assert_string_equal(b.error[0], "line 1, column 8: expected ',' or '}'"); /* at the '"' */

    READ("{\n  \"a\": 1,\n  \"b\" 2\n}", "s.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 1);
    assert_string_equal(b.error[0], "line 3, column 7: expected ':' after the key");

    READ("{\"名字\":1 \"b\":2}", "s.json", RB_INPUT_JSON, &b); /* columns count characters */
    assert_string_equal(b.error[0], "line 1, column 9: expected ',' or '}'");

    READ("{\"a\":tru}", "s.json", RB_INPUT_JSON, &b);
    assert_string_equal(b.error[0],
                        "line 1, column 6: invalid value (expected a string, number, object, "
                        "array, true, false or null)");

    READ("{\"a\":1", "s.json", RB_INPUT_JSON, &b);
    assert_string_equal(b.error[0], "line 1, column 7: unexpected end of input");

    READ("{\"a\":\"x\ty\"}", "s.json", RB_INPUT_JSON, &b);
    assert_string_equal(b.error[0],
                        "line 1, column 8: control character in a string (it must be escaped)");

    READ("{\"a\":\"\\q\"}", "s.json", RB_INPUT_JSON, &b);
    assert_string_equal(b.error[0], "line 1, column 8: invalid escape in a string");

    READ("{\"a\":01}", "s.json", RB_INPUT_JSON, &b);
    assert_string_equal(b.error[0], "line 1, column 6: malformed number: leading zeros are not "
                                    "allowed");
    READ("{\"a\":[1,-012]}", "s.json", RB_INPUT_JSON, &b);
    assert_string_equal(b.error[0], "line 1, column 9: malformed number: leading zeros are not "
                                    "allowed");

    READ("{\"a\":1.}", "s.json", RB_INPUT_JSON, &b);
    assert_string_equal(b.error[0],
                        "line 1, column 8: malformed number: a digit must follow the decimal "
                        "point");

    READ("{1:2}", "s.json", RB_INPUT_JSON, &b);
    assert_string_equal(b.error[0], "line 1, column 2: expected a string key");

    READ("{\"a\":1}\f", "s.json", RB_INPUT_NDJSON, &b);
    assert_string_equal(b.error[0],
                        "line 1, column 8: invalid whitespace (JSON allows only space, tab, CR "
                        "and LF)");

    READ("{\"a\":\f1}", "s.json", RB_INPUT_JSON, &b);
    assert_string_equal(b.error[0],
                        "line 1, column 6: invalid whitespace (JSON allows only space, tab, CR "
                        "and LF)");

    READ("{\"a\":1} // note", "s.json", RB_INPUT_NDJSON, &b);
    assert_string_equal(b.error[0], "line 1, column 9: unexpected text after the value");

    READ("} {\"a\":1}", "s.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 2); /* the stray bracket is one bad record; the next is read */
    assert_string_equal(b.error[0], "line 1, column 1: unexpected character");
    assert_string_equal(b.dump[1], "{a:#1}");
}

static void json_utf8(void **state)
{
    (void)state;
    batch b;
    /* a BOM is skipped; CJK text passes */
    READ("\xEF\xBB\xBF{\"姓名\":\"王五\"}", "u.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 1);
    assert_string_equal(b.dump[0], "{姓名:'王五'}");
    /* invalid byte, overlong form, encoded surrogate, in values and keys */
    READ("{\"a\":\"\xFF\"}\n{\"a\":\"\xC0\xAF\"}\n{\"a\":\"\xED\xA0\x80\"}\n{\"\xC0\xAF\":1}\n"
         "{\"ok\":\"\xF0\x9F\x98\x80\"}\n",
         "u.ndjson", RB_INPUT_AUTO, &b);
    assert_int_equal(b.n, 5);
    assert_string_equal(b.error[0], "line 1, column 7: invalid UTF-8 in a string");
    assert_string_equal(b.error[1], "line 2, column 7: invalid UTF-8 in a string");
    assert_string_equal(b.error[2], "line 3, column 7: invalid UTF-8 in a string");
    assert_string_equal(b.error[3], "line 4, column 3: invalid UTF-8 in a string");
    assert_string_equal(b.dump[4], "{ok:'\xF0\x9F\x98\x80'}");
    /* an escaped NUL is kept, with its length */
    rb_arena *a = rb_arena_new();
    const rb_rv *v = parse_ok(a, "[\"a\\u0000b\", \"\\u4e2d\"]");
    assert_int_equal(v->items[0].len, 3);
    assert_memory_equal(v->items[0].text, "a\0b", 4);
    assert_string_equal(v->items[1].text, "中");
    rb_arena_free(a);
}

static void json_depth_limit(void **state)
{
    (void)state;
    char text[400];
    rb_arena *a = rb_arena_new();
    /* 64 levels are fine */
    size_t n = 0;
    for (int i = 0; i < 64; i++) text[n++] = '[';
    for (int i = 0; i < 64; i++) text[n++] = ']';
    const char *err = NULL;
    assert_non_null(rb_json_parse(a, text, n, RB_LANG_EN, &err));
    /* 65 are not, and the message names the limit */
    n = 0;
    for (int i = 0; i < 65; i++) text[n++] = '[';
    for (int i = 0; i < 65; i++) text[n++] = ']';
    assert_string_equal(parse_err(a, text, n),
                        "line 1, column 65: nesting deeper than 64 levels (the limit)");
    /* a record: object at depth 1, 64 arrays inside is one too many */
    n = 0;
    n += (size_t)sprintf(text, "{\"a\":");
    for (int i = 0; i < 64; i++) text[n++] = '[';
    for (int i = 0; i < 64; i++) text[n++] = ']';
    text[n++] = '}';
    text[n] = '\0';
    batch b;
    read_all(text, n, "deep.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 1);
    assert_string_equal(b.error[0], "line 1, column 69: nesting deeper than 64 levels (the limit)");
    /* a million open brackets: an error, not a stack overflow */
    size_t big = 1000000;
    char *deep = malloc(big);
    memset(deep, '[', big);
    assert_non_null(strstr(parse_err(a, deep, big), "64 levels"));
    read_all(deep, big, "deep.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 1);
    assert_non_null(strstr(b.error[0], "64 levels"));
    free(deep);
    rb_arena_free(a);
}

/* A broken element costs that element only (SPEC §7): the reader goes on
 * at the next one, in an array, in concatenated JSON and on standard input
 * that opens with '['. */
static void json_broken_element_resyncs(void **state)
{
    (void)state;
    batch b;
    READ("[{\"a\":1},{\"a\":,},{\"a\":3}]", "b.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 3);
    assert_int_equal(b.status, 0);
    assert_string_equal(b.dump[0], "{a:#1}");
    assert_string_equal(b.error[1], "line 1, column 15: unexpected character");
    assert_string_equal(b.dump[2], "{a:#3}");
    assert_int_equal(b.number[2], 3);

    /* the three shapes of the issue: too deep (valid JSON), a trailing
     * comma, invalid UTF-8; in an array, concatenated, and on stdin */
    char text[1024];
    size_t n = 0;
    n += (size_t)sprintf(text + n, "[{\"a\":1},\n{\"a\":");
    for (int i = 0; i < 65; i++) text[n++] = '[';
    for (int i = 0; i < 65; i++) text[n++] = ']';
    n += (size_t)sprintf(text + n, "},\n{\"a\":2,},\n{\"a\":\"\xFF\"},\n{\"a\":3}]\n");
    static const char *const names[] = {"b.json", "-"};
    for (int k = 0; k < 2; k++) {
        read_all(text, n, names[k], RB_INPUT_AUTO, &b);
        assert_int_equal(b.n, 5);
        assert_int_equal(b.status, 0);
        assert_string_equal(b.dump[0], "{a:#1}");
        assert_string_equal(b.error[1], "line 2, column 69: nesting deeper than 64 levels (the limit)");
        assert_string_equal(b.error[2], "line 3, column 8: expected a string key");
        assert_string_equal(b.error[3], "line 4, column 7: invalid UTF-8 in a string");
        assert_string_equal(b.dump[4], "{a:#3}");
        assert_int_equal(b.number[4], 5);
    }
    /* concatenated: the same records, no array */
    n = (size_t)sprintf(text, "{\"a\":1} {\"a\":");
    for (int i = 0; i < 80; i++) text[n++] = '[';
    for (int i = 0; i < 80; i++) text[n++] = ']';
    n += (size_t)sprintf(text + n, "} {\"a\":2,} {\"a\":\"\xFF\"} {\"a\":3}");
    read_all(text, n, "c.json", RB_INPUT_AUTO, &b);
    assert_int_equal(b.n, 5);
    assert_string_equal(b.dump[0], "{a:#1}");
    assert_non_null(strstr(b.error[1], "64 levels"));
    assert_non_null(strstr(b.error[2], "expected a string key"));
    assert_non_null(strstr(b.error[3], "invalid UTF-8"));
    assert_string_equal(b.dump[4], "{a:#3}");

    /* a bracket of the wrong kind closes the element it belongs to */
    READ("[{\"a\":[1}, {\"b\":2}, {\"c\":3}]", "b.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 3);
    assert_string_equal(b.error[0], "line 1, column 9: expected ',' or ']'");
    assert_string_equal(b.dump[1], "{b:#2}");
    assert_string_equal(b.dump[2], "{c:#3}");
    READ("{\"a\":{\"x\":1]} {\"b\":2}", "c.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 2);
    assert_string_equal(b.dump[1], "{b:#2}");

    /* a missing comma is reported, and the element after it is read */
    READ("[{\"a\":1} {\"a\":2}]", "b.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 3);
    assert_string_equal(b.error[1], "line 1, column 10: expected ',' or ']'");
    assert_string_equal(b.dump[2], "{a:#2}");

    READ("[{\"a\":1},\n", "b.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 2);
    assert_string_equal(b.error[1], "line 2, column 1: unexpected end of input: the array is not "
                                    "closed");

    READ("[{\"a\":1}", "b.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 2);
    assert_string_equal(b.error[1], "line 1, column 9: unexpected end of input: the array is not "
                                    "closed");

    READ("[{\"a\":1},]", "b.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 2);
    assert_int_equal(b.status, 0);
    assert_string_equal(b.error[1], "line 1, column 10: expected a value after ','");

    READ("[", "b.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 1);
    assert_string_equal(b.error[0], "line 1, column 2: unexpected end of input: the array is not "
                                    "closed");

    /* a broken element whose end cannot be found (an unclosed string that
     * swallows what follows, up to the end of the file): said, not hidden */
    READ("[{\"a\":1},{\"a\":\"x\\q, {\"a\":2}]", "b.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 2);
    assert_int_equal(b.status, -1);
    assert_string_equal(b.error[1], "line 1, column 18: invalid escape in a string");
    /* ... while a truncated last element is just that */
    READ("[{\"a\":1},{\"a\":[1,", "b.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 2);
    assert_int_equal(b.status, 0);
    assert_string_equal(b.error[1], "line 1, column 18: unexpected end of input");
}

/* Once warmed up, the reader allocates nothing per record but arena memory
 * (issue 8.5): with every further heap allocation made to fail, a thousand
 * more records of an array, of NDJSON and of CSV still read. */
static void read_without_heap(int k)
{
    static const char *const names[] = {"a.json", "a.ndjson", "a.csv"};
    {
        rb_buf text = {0};
        if (k == 2) rb_buf_printf(&text, "name,q.self,q.boss,n\n");
        else if (k == 0) rb_buf_printf(&text, "[");
        for (int i = 0; i < 1100; i++) {
            if (k == 2) rb_buf_printf(&text, "员工%d,%d,%d,%d.5\n", i, i % 10, i % 7, i);
            else
                rb_buf_printf(&text, "%s{\"name\":\"员工%d\",\"q\":{\"self\":%d,\"boss\":%d},\"n\":%d.5,"
                                     "\"tags\":[\"a\",\"b\"],\"ok\":true}%s",
                              k == 0 && i ? "," : "", i, i % 10, i % 7, i, k == 1 ? "\n" : "");
        }
        if (k == 0) rb_buf_printf(&text, "]");
        FILE *f = fmemopen(text.s, text.len, "r");
        rb_reader *r = rb_reader_open(f, names[k], RB_INPUT_AUTO, 1);
        rb_record rec;
        for (int i = 0; i < 100; i++) assert_int_equal(rb_reader_next(r, &rec), 1);
        rb_alloc_guard g;
        volatile int read = 100;
        rb_alloc_enter(&g, RB_ALLOC_UNWIND);
        if (setjmp(g.env) != 0) {
            rb_alloc_failed(&g);
            rb_alloc_fail_after(-1);
            fail_msg("%s: record %d allocated from the heap", names[k], read + 1);
        }
        rb_alloc_fail_after(0);
        while (rb_reader_next(r, &rec) == 1) {
            assert_null(rec.syntax_error);
            read++;
        }
        rb_alloc_fail_after(-1);
        rb_alloc_leave(&g);
        assert_int_equal(read, 1100);
        rb_reader_close(r);
        fclose(f);
        rb_free(text.s);
    }
}

static void reading_allocates_nothing_per_record(void **state)
{
    (void)state;
    for (int k = 0; k < 3; k++) read_without_heap(k);
}

/* Lone surrogates in \u escapes: one rule, a syntax error at the escape. */
static void json_lone_surrogates(void **state)
{
    (void)state;
    rb_arena *a = rb_arena_new();
    static const char want[] = "invalid \\u escape in a string: a surrogate (\\ud800 to \\udfff) "
                               "must come as a high-low pair, such as \\ud83d\\ude00";
    char expect[300];
    snprintf(expect, sizeof expect, "line 1, column 3: %s", want);
    assert_string_equal(parse_err(a, "[\"\\ud800\"]", 10), expect);
    assert_string_equal(parse_err(a, "[\"\\udc00\"]", 10), expect);
    assert_string_equal(parse_err(a, "[\"\\ud800\\u0041\"]", 16), expect);
    assert_string_equal(parse_err(a, "[\"\\ud800x\"]", 11), expect);
    assert_string_equal(parse_err(a, "[\"\\udbff\\udbff\"]", 16), expect);
    /* a pair is one character */
    const rb_rv *v = parse_ok(a, "[\"\\ud83d\\ude00\"]");
    assert_string_equal(v->items[0].text, "\xF0\x9F\x98\x80");
    /* the same in a record stream: the record is a syntax error, the next is read */
    batch b;
    READ("{\"a\":\"\\ud800\"}\n{\"a\":\"\\udc00\"}\n{\"a\":\"\\ud800\\u0041\"}\n{\"a\":1}\n",
         "s.ndjson", RB_INPUT_AUTO, &b);
    assert_int_equal(b.n, 4);
    snprintf(expect, sizeof expect, "line 1, column 7: %s", want);
    assert_string_equal(b.error[0], expect);
    snprintf(expect, sizeof expect, "line 2, column 7: %s", want);
    assert_string_equal(b.error[1], expect);
    snprintf(expect, sizeof expect, "line 3, column 7: %s", want);
    assert_string_equal(b.error[2], expect);
    assert_string_equal(b.dump[3], "{a:#1}");
    rb_arena_free(a);
}

/* One huge token (a 40 MB string or number) is read in linear time: the
 * reader never re-reads a token that spans its chunks.  A quadratic reader
 * takes minutes here; this one a fraction of a second. */
static void json_huge_tokens_are_linear(void **state)
{
    (void)state;
    size_t big = 40u << 20;
    char *text = malloc(big + 64);
    static const char *const shapes[] = {"{\"s\":\"", "{\"n\":1"};
    for (int k = 0; k < 2; k++) {
        size_t n = (size_t)sprintf(text, "%s", shapes[k]);
        memset(text + n, k ? '7' : 'x', big);
        n += big;
        n += (size_t)sprintf(text + n, "%s}\n{\"a\":2}\n", k ? "" : "\"");
        clock_t t0 = clock();
        FILE *f = fmemopen(text, n, "r");
        rb_reader *r = rb_reader_open(f, "h.ndjson", RB_INPUT_AUTO, 1);
        rb_record rec;
        assert_int_equal(rb_reader_next(r, &rec), 1);
        assert_null(rec.syntax_error);
        assert_int_equal(rec.value.members[0].value.len, big + (size_t)k);
        assert_int_equal(rb_reader_next(r, &rec), 1);
        assert_string_equal(rb_rv_get(&rec.value, "a")->text, "2");
        rb_reader_close(r);
        fclose(f);
        double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
        assert_true(secs < 5.0); /* about 0.1 s; 86 s before */
    }
    free(text);
}

static void json_empty_inputs(void **state)
{
    (void)state;
    batch b;
    read_all("", 0, "e.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 0);
    assert_int_equal(b.status, 0);
    READ(" \n\t\r\n", "e.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 0);
    READ("\xEF\xBB\xBF", "e.json", RB_INPUT_JSON, &b);
    assert_int_equal(b.n, 0);
    READ("\n\n", "e.ndjson", RB_INPUT_NDJSON, &b);
    assert_int_equal(b.n, 0);
}

/* A stream of many records on one line: chunk boundaries (64 KiB) fall inside
 * strings, numbers and keys, and every value must survive intact. */
static void json_chunk_boundaries(void **state)
{
    (void)state;
    enum { COUNT = 30000 };
    size_t cap = (size_t)COUNT * 64 + 16, n = 0;
    char *text = malloc(cap);
    text[n++] = '[';
    for (int i = 0; i < COUNT; i++)
        n += (size_t)snprintf(text + n, cap - n, "%s{\"i\":%d.%03d,\"s\":\"x%dy\",\"k\":[%d]}",
                              i ? "," : "", i, i % 1000, i, -i);
    text[n++] = ']';
    FILE *f = fmemopen(text, n, "r");
    rb_reader *r = rb_reader_open(f, "big.json", RB_INPUT_JSON, 1);
    rb_record rec;
    int i = 0;
    char want[64];
    while (rb_reader_next(r, &rec) == 1) {
        assert_null(rec.syntax_error);
        assert_int_equal(rec.number, (uint64_t)i + 1);
        snprintf(want, sizeof want, "%d.%03d", i, i % 1000);
        assert_string_equal(rb_rv_get(&rec.value, "i")->text, want);
        snprintf(want, sizeof want, "x%dy", i);
        assert_string_equal(rb_rv_get(&rec.value, "s")->text, want);
        snprintf(want, sizeof want, "%d", -i);
        assert_string_equal(rb_rv_get(&rec.value, "k")->items[0].text, want);
        i++;
    }
    assert_int_equal(i, COUNT);
    rb_reader_close(r);
    fclose(f);
    free(text);
}

/* NDJSON lines and CSV rows longer than the read buffer. */
static void long_lines_span_chunks(void **state)
{
    (void)state;
    size_t big = 200000, n = 0, cap = 2 * big + 256;
    char *text = malloc(cap);
    n += (size_t)sprintf(text + n, "{\"s\":\"");
    memset(text + n, 'x', big);
    n += big;
    n += (size_t)sprintf(text + n, "\",\"n\":1.25}\n{\"n\":2}\n");
    FILE *f = fmemopen(text, n, "r");
    rb_reader *r = rb_reader_open(f, "l.ndjson", RB_INPUT_AUTO, 1);
    rb_record rec;
    assert_int_equal(rb_reader_next(r, &rec), 1);
    assert_null(rec.syntax_error);
    assert_int_equal(rb_rv_get(&rec.value, "s")->len, big);
    assert_string_equal(rb_rv_get(&rec.value, "n")->text, "1.25");
    assert_int_equal(rb_reader_next(r, &rec), 1);
    assert_int_equal(rec.line, 2);
    assert_string_equal(rb_rv_get(&rec.value, "n")->text, "2");
    assert_int_equal(rb_reader_next(r, &rec), 0);
    rb_reader_close(r);
    fclose(f);

    n = (size_t)sprintf(text, "a,b\n\"");
    for (size_t i = 0; i < big / 2; i++) {
        text[n++] = 'y';
        text[n++] = i % 1000 == 0 ? '\n' : ',';
    }
    n += (size_t)sprintf(text + n, "\",2\n3,4\n");
    f = fmemopen(text, n, "r");
    r = rb_reader_open(f, "l.csv", RB_INPUT_AUTO, 1);
    assert_int_equal(rb_reader_next(r, &rec), 1);
    assert_null(rec.syntax_error);
    assert_int_equal(rec.line, 2);
    assert_int_equal(rb_rv_get(&rec.value, "a")->len, big);
    assert_string_equal(rb_rv_get(&rec.value, "b")->text, "2");
    assert_int_equal(rb_reader_next(r, &rec), 1);
    assert_int_equal(rec.line, 2 + big / 2 / 1000 + 1);
    assert_string_equal(rb_rv_get(&rec.value, "a")->text, "3");
    assert_int_equal(rb_reader_next(r, &rec), 0);
    rb_reader_close(r);
    fclose(f);
    free(text);
}

static void alarm_handler(int sig)
{
    (void)sig;
    static const char msg[] = "test_record: the reader blocked waiting for input\n";
    if (write(2, msg, sizeof msg - 1) < 0) _exit(3);
    _exit(2);
}

/* An array's elements are returned as they complete, before the rest of the
 * array has even been written. */
static void json_array_streams(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    FILE *in = fdopen(fds[0], "r");
    FILE *out = fdopen(fds[1], "w");
    rb_reader *r = rb_reader_open(in, "-", RB_INPUT_AUTO, 1);
    rb_record rec;
    signal(SIGALRM, alarm_handler);
    alarm(10);
    fputs("[{\"a\":1},\n", out);
    fflush(out);
    assert_int_equal(rb_reader_next(r, &rec), 1);
    assert_string_equal(rb_rv_get(&rec.value, "a")->text, "1");
    fputs(" {\"a\":2}\n", out);
    fflush(out);
    assert_int_equal(rb_reader_next(r, &rec), 1);
    assert_string_equal(rb_rv_get(&rec.value, "a")->text, "2");
    fputs("]\n", out);
    fclose(out);
    assert_int_equal(rb_reader_next(r, &rec), 0);
    alarm(0);
    signal(SIGALRM, SIG_DFL);
    rb_reader_close(r);
    fclose(in);
}

/* ---- NDJSON ------------------------------------------------------------------- */

static void ndjson_bad_line_in_the_middle(void **state)
{
    (void)state;
    static const char text[] = "{\"a\":1}\n{\"a\":2,,}\n{\"a\":3}\n";
    batch b;
    READ(text, "r.ndjson", RB_INPUT_AUTO, &b);
    assert_int_equal(b.n, 3);
    assert_int_equal(b.number[0], 1);
    assert_int_equal(b.number[1], 2);
    assert_int_equal(b.number[2], 3);
    assert_int_equal(b.line[1], 2);
    assert_string_equal(b.error[0], "");
    assert_string_equal(b.error[1], "line 2, column 8: expected a string key");
    assert_string_equal(b.error[2], "");
    assert_string_equal(b.dump[2], "{a:#3}");

    /* the same stream as JSON, as standard input would be read */
    READ(text, "-", RB_INPUT_AUTO, &b);
    assert_int_equal(b.n, 3);
    assert_string_equal(b.error[1], "line 2, column 8: expected a string key");
    assert_string_equal(b.dump[2], "{a:#3}");
    assert_int_equal(b.line[2], 3);
}

static void ndjson_unterminated_lines(void **state)
{
    (void)state;
    static const char text[] = "{\"a\":1\n{\"a\":\"x\n{\"a\":3}";
    batch b;
    READ(text, "r.jsonl", RB_INPUT_AUTO, &b);
    assert_int_equal(b.n, 3);
    assert_string_equal(b.error[0], "line 1, column 7: unexpected end of input");
    assert_string_equal(b.error[1], "line 2, column 8: unexpected end of input");
    assert_string_equal(b.dump[2], "{a:#3}");
    assert_int_equal(b.line[2], 3);

    /* as concatenated JSON the reader resynchronises at the next '{' line */
    READ(text, "r.json", RB_INPUT_AUTO, &b);
    assert_int_equal(b.n, 3);
    assert_string_equal(b.error[0], "line 2, column 1: expected ',' or '}'");
    assert_string_equal(b.error[1], "line 2, column 8: control character in a string (it must be "
                                    "escaped)");
    assert_string_equal(b.dump[2], "{a:#3}");
}

static void ndjson_blank_lines_and_crlf(void **state)
{
    (void)state;
    batch b;
    READ("\n\n{\"a\":1}\r\n  \t\r\n{\"b\":2}\r\n\r\n", "x.ndjson", RB_INPUT_NDJSON, &b);
    assert_int_equal(b.n, 2);
    assert_int_equal(b.line[0], 3);
    assert_int_equal(b.line[1], 5);
    assert_int_equal(b.number[1], 2);
    assert_string_equal(b.dump[1], "{b:#2}");

    /* two values on one line are one bad record */
    READ("{\"a\":1} {\"b\":2}\n{\"c\":3}\n", "x.ndjson", RB_INPUT_NDJSON, &b);
    assert_int_equal(b.n, 2);
    assert_string_equal(b.error[0], "line 1, column 9: unexpected text after the value");
    assert_string_equal(b.dump[1], "{c:#3}");
    /* a record spread over lines is not NDJSON */
    READ("{\n\"a\":1}\n", "x.ndjson", RB_INPUT_NDJSON, &b);
    assert_int_equal(b.n, 2);
    assert_string_equal(b.error[0], "line 1, column 2: unexpected end of input");
    assert_string_equal(b.error[1], "line 2, column 4: unexpected text after the value");
}

/* ---- CSV ---------------------------------------------------------------------- */

static void csv_basic_and_raters(void **state)
{
    (void)state;
    static const char text[] =
        "name,knowledge,teamwork.self,teamwork.manager,date,teamwork.director\r\n"
        "李娜,9,8,7,2026-10-31,6\r\n"
        "王五,10,,5,2026-10-31,4\r\n";
    batch b;
    READ(text, "s.CSV", RB_INPUT_AUTO, &b);
    assert_int_equal(b.n, 2);
    assert_int_equal(b.status, 0);
    assert_true(b.from_csv[0]);
    assert_int_equal(b.number[0], 1);
    assert_int_equal(b.line[0], 2);
    assert_int_equal(b.line[1], 3);
    assert_string_equal(b.dump[0], "{name:'李娜',knowledge:'9',teamwork:{self:'8',manager:'7',"
                                   "director:'6'},date:'2026-10-31'}");
    assert_string_equal(b.dump[1], "{name:'王五',knowledge:'10',teamwork:{self:null,manager:'5',"
                                   "director:'4'},date:'2026-10-31'}");

    /* a plain column and dotted ones under the same name stay separate
     * members (the evaluator reports the duplicate); odd dots are literal */
    READ("a,a.x,.b,c.,d.e.f\n1,2,3,4,5\n", "s.csv", RB_INPUT_CSV, &b);
    assert_int_equal(b.n, 1);
    assert_string_equal(b.dump[0], "{a:'1',a:{x:'2'},.b:'3',c.:'4',d:{e.f:'5'}}");
}

static void csv_record_tree_fields(void **state)
{
    (void)state;
    static const char text[] = "x,y.z\n12.50,\n";
    FILE *f = fmemopen((void *)text, sizeof text - 1, "r");
    rb_reader *r = rb_reader_open(f, "t.csv", RB_INPUT_AUTO, 1);
    rb_record rec;
    assert_int_equal(rb_reader_next(r, &rec), 1);
    assert_true(rec.from_csv);
    const rb_rv *x = rb_rv_get(&rec.value, "x");
    assert_int_equal(x->kind, RV_STRING);
    assert_string_equal(x->text, "12.50");
    assert_int_equal(x->len, 5);
    const rb_rv *y = rb_rv_get(&rec.value, "y");
    assert_int_equal(y->kind, RV_OBJECT);
    assert_int_equal(y->members[0].keylen, 1);
    assert_int_equal(rb_rv_get(y, "z")->kind, RV_NULL);
    assert_int_equal(rb_reader_next(r, &rec), 0);
    rb_reader_close(r);
    fclose(f);
}

static void csv_bom_quotes_and_newlines(void **state)
{
    (void)state;
    static const char text[] = "\xEF\xBB\xBF"
                               "name,note,q\n"
                               "\"Li, Na\",\"line1\nline2\",\"say \"\"hi\"\"\"\n"
                               "\"\",  spaced ,\"\"\"\"\n";
    batch b;
    READ(text, "q.csv", RB_INPUT_AUTO, &b);
    assert_int_equal(b.n, 2);
    assert_string_equal(b.dump[0], "{name:'Li, Na',note:'line1\nline2',q:'say \"hi\"'}");
    assert_int_equal(b.line[0], 2);
    assert_int_equal(b.line[1], 4); /* the previous row took two lines */
    assert_string_equal(b.dump[1], "{name:null,note:'  spaced ',q:'\"'}");
}

static void csv_wrong_cell_count(void **state)
{
    (void)state;
    batch b;
    /* a row of blank cells (",," or "  , ,\u3000") is not a record (SPEC §16) */
    READ("a,b,c\n1,2,3\n1,2\n,,\n1,2,3,4\n  , ,\xE3\x80\x80\n, ,x\n", "w.csv", RB_INPUT_CSV, &b);
    assert_int_equal(b.n, 4);
    assert_string_equal(b.error[0], "");
    assert_string_equal(b.error[1], "line 3: 2 cells, but the header has 3");
    assert_string_equal(b.error[2], "line 5: 4 cells, but the header has 3");
    assert_string_equal(b.dump[3], "{a:null,b:null,c:'x'}");
    assert_int_equal(b.number[3], 4);

    READ("a,b\nx\n", "w.csv", RB_INPUT_CSV, &b);
    assert_string_equal(b.error[0], "line 2: 1 cell, but the header has 2");
}

static void csv_invalid_utf8(void **state)
{
    (void)state;
    batch b;
    READ("name,score\nok,1\n\xC0\xAF,2\nfine,\xFF\n\xE4\xB8\xAD,3\n", "u.csv", RB_INPUT_CSV, &b);
    assert_int_equal(b.n, 4);
    assert_string_equal(b.error[1], "line 3: cell 1 (name) is not valid UTF-8 (byte 1 of the cell; a GBK file? use --encoding gb18030)");
    assert_string_equal(b.error[2], "line 4: cell 2 (score) is not valid UTF-8 (byte 1 of the cell; a GBK file? use --encoding gb18030)");
    assert_string_equal(b.dump[3], "{name:'中',score:'3'}");

    READ("na\xFFme\n1\n", "u.csv", RB_INPUT_CSV, &b);
    assert_int_equal(b.n, 1);
    assert_string_equal(b.error[0],
                        "the CSV header is unusable: line 1: header cell 1 is not valid UTF-8 "
                        "(a GBK file? use --encoding gb18030)");
}

static void csv_malformed_quotes(void **state)
{
    (void)state;
    batch b;
    READ("a,b\nx\"y,1\n\"p\"q,2\nok,3\n", "m.csv", RB_INPUT_CSV, &b);
    assert_int_equal(b.n, 3);
    assert_string_equal(b.error[0], "line 2, column 2: malformed quoting (a quote may only open a "
                                    "field, and a quote inside a quoted field must be doubled)");
    assert_string_equal(b.error[1], "line 3, column 4: malformed quoting (a quote may only open a "
                                    "field, and a quote inside a quoted field must be doubled)");
    assert_string_equal(b.dump[2], "{a:'ok',b:'3'}");
    assert_int_equal(b.line[2], 4);
    assert_int_equal(b.number[2], 3);

    READ("a,b\n1,2\n\"open,3\nmore\n", "m.csv", RB_INPUT_CSV, &b);
    assert_int_equal(b.n, 2);
    assert_string_equal(b.error[1], "line 3: a quoted field is not closed");

    READ("\"a,b\n1,2\n", "m.csv", RB_INPUT_CSV, &b);
    assert_int_equal(b.n, 1);
    assert_string_equal(b.error[0], "the CSV header is unusable: line 1: a quoted field is not "
                                    "closed");
}

static void csv_empty_and_blank(void **state)
{
    (void)state;
    batch b;
    read_all("", 0, "e.csv", RB_INPUT_CSV, &b);
    assert_int_equal(b.n, 0);
    assert_int_equal(b.status, 0);
    READ("a,b\r\n", "e.csv", RB_INPUT_CSV, &b);
    assert_int_equal(b.n, 0);
    READ("a,b", "e.csv", RB_INPUT_CSV, &b);
    assert_int_equal(b.n, 0);
    READ("\xEF\xBB\xBF", "e.csv", RB_INPUT_CSV, &b);
    assert_int_equal(b.n, 0);
    /* blank lines are skipped; no final newline is needed */
    READ("\n\na,b\n\n1,2\r\n\r\n3,4", "e.csv", RB_INPUT_CSV, &b);
    assert_int_equal(b.n, 2);
    assert_int_equal(b.line[0], 5);
    assert_int_equal(b.line[1], 7);
    assert_string_equal(b.dump[1], "{a:'3',b:'4'}");
}

/* ---- format detection, I/O errors, rb_json_parse ------------------------------ */

static void format_by_name(void **state)
{
    (void)state;
    static const char csv[] = "a\n1\n";
    batch b;
    READ(csv, "x.Csv", RB_INPUT_AUTO, &b);
    assert_int_equal(b.n, 1);
    assert_true(b.from_csv[0]);
    READ(csv, "x.json", RB_INPUT_CSV, &b); /* an explicit format wins */
    assert_int_equal(b.n, 1);
    assert_true(b.from_csv[0]);
    READ("{\"a\":1}\n{", "x.JSONL", RB_INPUT_AUTO, &b);
    assert_int_equal(b.n, 2);
    assert_string_equal(b.error[1], "line 2, column 2: unexpected end of input");
}

static void io_error(void **state)
{
    (void)state;
    FILE *f = fopen("/dev/null", "w"); /* reading it fails */
    assert_non_null(f);
    rb_reader *r = rb_reader_open(f, "w.json", RB_INPUT_JSON, 1);
    rb_record rec;
    assert_int_equal(rb_reader_next(r, &rec), -1);
    assert_non_null(rb_reader_error(r));
    assert_non_null(strstr(rb_reader_error(r), "w.json: read error"));
    assert_int_equal(rb_reader_next(r, &rec), -1);
    rb_reader_close(r);
    fclose(f);
    rb_reader_close(NULL);
}

static void json_parse_in_memory(void **state)
{
    (void)state;
    rb_arena *a = rb_arena_new();
    const rb_rv *v = parse_ok(a, " 12.50 ");
    assert_int_equal(v->kind, RV_NUMBER);
    assert_string_equal(v->text, "12.50");
    v = parse_ok(a, "\"s\"");
    assert_string_equal(v->text, "s");
    assert_int_equal(parse_ok(a, "null")->kind, RV_NULL);
    v = parse_ok(a, "{\"name\":\"c1\",\"record\":{\"x\":-1e-7},\"expect\":{\"ok\":true}}");
    assert_string_equal(rb_rv_get(rb_rv_get(v, "record"), "x")->text, "-1e-7");
    assert_true(rb_rv_get(rb_rv_get(v, "expect"), "ok")->boolean);

    assert_string_equal(parse_err(a, "", 0), "line 1, column 1: unexpected end of input");
    assert_string_equal(parse_err(a, "{} {}", 5), "line 1, column 4: unexpected text after the value");
    assert_string_equal(parse_err(a, "[1,\n 2,]", 8), "line 2, column 4: unexpected character");
    assert_string_equal(parse_err(a, "[1]\f", 4),
                        "line 1, column 4: invalid whitespace (JSON allows only space, tab, CR "
                        "and LF)");
    assert_string_equal(parse_err(a, "[\"\f\"]", 5),
                        "line 1, column 3: control character in a string (it must be escaped)");
    assert_string_equal(parse_err(a, "[1] /* c */", 11),
                        "line 1, column 5: unexpected text after the value");
    assert_string_equal(parse_err(a, "[1, /* c */ 2]", 14),
                        "line 1, column 5: comments are not allowed in JSON");
    assert_string_equal(parse_err(a, "[\"\xE4\xB8\"]", 5),
                        "line 1, column 3: invalid UTF-8 in a string");
    assert_string_equal(parse_err(a, "[\"\xF4\x90\x80\x80\"]", 7),
                        "line 1, column 3: invalid UTF-8 in a string");
    assert_string_equal(parse_err(a, "[-]", 3),
                        "line 1, column 3: malformed number: a digit must follow the minus sign");
    assert_string_equal(parse_err(a, "[1e]", 4),
                        "line 1, column 4: malformed number: a digit must follow the exponent");
    assert_string_equal(parse_err(a, "[\"\\u12G4\"]", 10),
                        "line 1, column 7: invalid \\u escape in a string");
    assert_string_equal(parse_err(a, "\xEF\xBB\xBF{}", 5), "line 1, column 1: invalid character");
    assert_string_equal(parse_err(a, "[1, @]", 6), "line 1, column 5: invalid character");
    assert_string_equal(parse_err(a, "[1]x", 3 + 1), "line 1, column 4: unexpected text after the "
                                                     "value");
    /* the length bounds the text */
    const char *err = NULL;
    assert_non_null(rb_json_parse(a, "[1] garbage", 3, RB_LANG_EN, &err));
    assert_null(err);
    rb_arena_free(a);
}

/* ---- JSONTestSuite ------------------------------------------------------------ */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (size_t got; (got = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += got;
        if (n == cap) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    *len = n;
    return buf;
}

static void jsontestsuite(void **state)
{
    (void)state;
    const char *root = getenv("RUBRIC_TESTDATA");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/JSONTestSuite/test_parsing", root ? root : "tests/data");
    DIR *d = opendir(dir);
    if (!d) fail_msg("cannot open %s (run from the repo root, or set RUBRIC_TESTDATA)", dir);
    int y = 0, n = 0, i = 0, wrong = 0;
    rb_arena *a = rb_arena_new();
    for (struct dirent *e; (e = readdir(d));) {
        size_t namelen = strlen(e->d_name);
        if (namelen < 6 || strcmp(e->d_name + namelen - 5, ".json") != 0) continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t len = 0;
        char *text = read_file(path, &len);
        assert_non_null(text);
        const char *err = NULL;
        rb_arena_reset(a);
        const rb_rv *v = rb_json_parse(a, text, len, RB_LANG_EN, &err);
        assert_true((v == NULL) == (err != NULL));
        char kind = e->d_name[0];
        if (kind == 'y') {
            y++;
            if (!v) {
                print_error("should accept %s: %s\n", e->d_name, err);
                wrong++;
            }
        } else if (kind == 'n') {
            n++;
            if (v) {
                print_error("should reject %s\n", e->d_name);
                wrong++;
            }
        } else {
            i++;
        }
        /* Every file through every reader: nothing may crash or hang, and a
         * reader always yields records or ends. */
        static const rb_input_format fmts[] = {RB_INPUT_JSON, RB_INPUT_NDJSON, RB_INPUT_CSV};
        for (size_t k = 0; k < 3; k++) {
            FILE *f = len ? fmemopen(text, len, "r") : fopen("/dev/null", "r");
            rb_reader *r = rb_reader_open(f, e->d_name, fmts[k], 1);
            rb_record rec;
            int count = 0;
            while (rb_reader_next(r, &rec) == 1) {
                assert_true(rec.syntax_error != NULL || rec.value.kind == RV_OBJECT);
                assert_true(++count <= 100000);
            }
            rb_reader_close(r);
            fclose(f);
        }
        free(text);
    }
    closedir(d);
    rb_arena_free(a);
    print_message("JSONTestSuite: %d y_, %d n_, %d i_ files\n", y, n, i);
    assert_true(y >= 90);
    assert_true(n >= 180);
    assert_int_equal(wrong, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_one_object),
        cmocka_unit_test(json_duplicate_keys_kept),
        cmocka_unit_test(json_array_of_records),
        cmocka_unit_test(json_concatenated_objects),
        cmocka_unit_test(json_records_must_be_objects),
        cmocka_unit_test(json_syntax_error_messages),
        cmocka_unit_test(json_utf8),
        cmocka_unit_test(json_depth_limit),
        cmocka_unit_test(json_broken_element_resyncs),
        cmocka_unit_test(json_lone_surrogates),
        cmocka_unit_test(reading_allocates_nothing_per_record),
        cmocka_unit_test(json_huge_tokens_are_linear),
        cmocka_unit_test(json_empty_inputs),
        cmocka_unit_test(json_chunk_boundaries),
        cmocka_unit_test(json_array_streams),
        cmocka_unit_test(long_lines_span_chunks),
        cmocka_unit_test(ndjson_bad_line_in_the_middle),
        cmocka_unit_test(ndjson_unterminated_lines),
        cmocka_unit_test(ndjson_blank_lines_and_crlf),
        cmocka_unit_test(csv_basic_and_raters),
        cmocka_unit_test(csv_record_tree_fields),
        cmocka_unit_test(csv_bom_quotes_and_newlines),
        cmocka_unit_test(csv_wrong_cell_count),
        cmocka_unit_test(csv_invalid_utf8),
        cmocka_unit_test(csv_malformed_quotes),
        cmocka_unit_test(csv_empty_and_blank),
        cmocka_unit_test(format_by_name),
        cmocka_unit_test(io_error),
        cmocka_unit_test(json_parse_in_memory),
        cmocka_unit_test(jsontestsuite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
