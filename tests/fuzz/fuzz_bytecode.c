/* fuzz_bytecode.c — libFuzzer target for the .rbc loader and verifier.
 *
 * Not part of `make test`; `make fuzz` builds it (with clang) and runs it,
 * seeded with the compiled templates.
 *
 * Real .rbc files as seeds (`rubric compile`) let the fuzzer mutate
 * well-formed programs.  The target uses rb_program_load_unchecked, which
 * skips comparing the SHA-256 trailer — otherwise nearly every mutation
 * would stop at "bad checksum" and the section reader and the verifier would
 * never be exercised.
 *
 * Properties checked beyond "no crash, no leak, no undefined behaviour, no
 * hang": an accepted program re-serialises to exactly the input's bytes
 * (the format is canonical), the listing of an accepted program can be
 * printed, and the verifier proved scoring too (SPEC §10): records giving
 * every value its lowest and its highest allowed value score, and every
 * total stays within 0..scale. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "program.h"
#include "program_build.h"
#include "record.h"
#include "result.h"
#include "vm.h"

/* A JSON string of s (program strings are UTF-8 without NUL). */
static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

/* One value for an input: a number at its lower (high false) or upper
 * bound, or one that its type accepts. */
static void json_value(FILE *f, const rb_program *p, const rb_input *in, bool high)
{
    const rb_slot *s = &p->slots[in->slot];
    uint32_t bound = high ? in->max : in->min;
    switch (s->type) {
    case RB_T_TEXT: fputs("\"t\"", f); return;
    case RB_T_DATE: fputs("\"2026-01-31\"", f); return;
    case RB_T_BOOL: fputs(high ? "true" : "false", f); return;
    case RB_T_CHOICE: json_string(f, rb_str(p, p->options[p->choicesets[s->choiceset].first].id)); return;
    case RB_T_CHOICES: fputs("[]", f); return;
    default: break;
    }
    rb_num n = bound != RB_NONE ? p->numbers[bound] : rb_num_zero();
    if (s->type == RB_T_PERCENT) fprintf(f, "\"%.6f%%\"", 100.0 * (double)n.num / (double)n.den);
    else fprintf(f, "%.6f", (double)n.num / (double)n.den);
}

/* Scores a record that gives every input json_value(high) (each rater of
 * a rated item the same) and checks 0 <= total <= scale. */
static void score_extreme(const rb_program *p, rb_eval *e, bool high)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) return;
    fputc('{', f);
    for (uint32_t i = 0; i < p->ninputs; i++) {
        const rb_input *in = &p->inputs[i];
        if (i) fputc(',', f);
        json_string(f, rb_str(p, p->slots[in->slot].name));
        fputc(':', f);
        if (!in->rated) {
            json_value(f, p, in, high);
            continue;
        }
        fputc('{', f);
        for (uint32_t k = 0; k < p->nraters; k++) {
            if (k) fputc(',', f);
            json_string(f, rb_str(p, p->raters[k].id));
            fputs(p->raters[k].many ? ":[" : ":", f);
            json_value(f, p, in, high);
            if (p->raters[k].many) fputc(']', f);
        }
        fputc('}', f);
    }
    fputs("}\n", f);
    fclose(f);
    FILE *in = fmemopen(text, len, "rb");
    rb_reader *r = in ? rb_reader_open(in, "x.ndjson", RB_INPUT_NDJSON, 1) : NULL;
    rb_record rec;
    while (r && rb_reader_next(r, &rec) == 1) {
        const rb_result *res = rb_eval_record(e, &rec);
        if (res->has_total && (rb_num_sign(res->total) < 0 || rb_num_cmp(res->total, res->scale) > 0))
            abort(); /* a total outside 0..scale: the verifier missed a scoring defect */
    }
    if (r) rb_reader_close(r);
    if (in) fclose(in);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    rb_program *p = rb_program_load_unchecked(data, size, err, sizeof err);
    if (!p) {
        if (strncmp(err, "bytecode: ", 10) != 0) abort(); /* every failure explains itself */
        return 0;
    }
    size_t len;
    uint8_t *again = rb_program_serialize(p, &len);
    /* The trailer is not compared (unchecked load), everything before it is. */
    if (len != size || memcmp(again, data, size - 32) != 0) abort();
    free(again);
    static FILE *sink;
    if (!sink) sink = fopen("/dev/null", "w");
    if (sink) rb_program_disasm(sink, p);
    rb_eval_options opt = {.allow_extra = true};
    rb_eval *e = rb_eval_new(p, &opt);
    if (!e) abort(); /* a loaded program is a verified one */
    score_extreme(p, e, false);
    score_extreme(p, e, true);
    rb_eval_free(e);
    rb_program_free(p);
    return 0;
}
