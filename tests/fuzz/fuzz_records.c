/* fuzz_records.c — libFuzzer target for the record readers and the
 * evaluator: any bytes as an NDJSON stream, as a JSON file (an array or
 * concatenated values: the resynchronising path), or as CSV, chosen by the
 * first byte, are scored against a template that uses raters, choices, optional
 * and `when` items, bands and a check.
 *
 * Not part of `make test`; `make fuzz` runs it.  Properties beyond "no
 * crash, no leak, no undefined behaviour, no hang": every record yields
 * exactly one result, numbered in order, and every invalid result carries at
 * least one error with a path and a code. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "compile.h"
#include "record.h"
#include "result.h"
#include "vm.h"

static const char template_src[] =
    "form f {\n"
    "  raters { self weight 0%, boss weight 60%, dir weight 40% }\n"
    "  field name: text optional\n"
    "  field day: date optional\n"
    "  input kind: choice { a \"甲\" = 1, b \"乙\" = 2 }\n"
    "  input tags: choices { x, y, z } in 0..2\n"
    "  input rate: percent in 0%..150%\n"
    "  input n: integer >= 0 default 3\n"
    "  section s weight 60% {\n"
    "    item q points 10\n"
    "    item r points 10 optional\n"
    "    item w points 5 when kind == \"a\"\n"
    "  }\n"
    "  section t weight 40% {\n"
    "    item c points 10 = band rate { >= 100%: 10, >= 80%: 6, else: 2 }\n"
    "    item k points 5 = min(5, count(tags) + n / 3)\n"
    "    deduct late points 3\n"
    "  }\n"
    "  check q >= 0 or has(tags, \"x\") \"never fails\"\n"
    "  output coef = 1 + kind * 0.1\n"
    "  grade { >= 60: pass, else: fail }\n"
    "}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static rb_program *p;
    static FILE *sink;
    if (!p) {
        rb_source *src = rb_source_new("f.rubric", template_src, sizeof template_src - 1);
        rb_diags d;
        rb_diags_init(&d);
        p = rb_compile(src, NULL, 0, &d);
        rb_diags_free(&d);
        rb_source_free(src);
        sink = fopen("/dev/null", "w");
        if (!p || !sink) abort();
    }
    FILE *in = fmemopen((void *)data, size ? size : 1, "rb");
    if (!in) return 0;
    if (!size) { fclose(in); return 0; }
    static const rb_input_format fmts[] = {RB_INPUT_NDJSON, RB_INPUT_CSV, RB_INPUT_JSON};
    static const char *const names[] = {"x.ndjson", "x.csv", "x.json"};
    int which = data[0] & 1 ? 1 : data[0] & 4 ? 2 : 0;
    rb_reader *r = rb_reader_open(in, names[which], fmts[which], 1);
    rb_eval_options o = {.allow_extra = (data[0] & 2) != 0};
    rb_eval *e = rb_eval_new(p, &o);
    rb_record rec;
    uint64_t expect = 1;
    while (rb_reader_next(r, &rec) == 1) {
        if (rec.number != expect++) abort(); /* one result per record, in order */
        const rb_result *res = rb_eval_record(e, &rec);
        if (!res->ok && res->nerrors == 0) abort();
        for (uint32_t i = 0; i < res->nerrors; i++)
            if (!res->errors[i].path || !res->errors[i].code) abort();
        rb_write_ndjson(sink, p, res);
    }
    /* The same bytes parsed in memory: an error or a value, never both. */
    rb_arena *a = rb_arena_new();
    const char *err = NULL;
    const rb_rv *v = rb_json_parse(a, (const char *)data, size, RB_LANG_EN, &err);
    if ((v == NULL) == (err == NULL)) abort();
    rb_arena_free(a);
    rb_eval_free(e);
    rb_reader_close(r);
    fclose(in);
    return 0;
}
