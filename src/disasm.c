/* disasm.c — `rubric disasm`: a readable listing of a compiled program.
 *
 * Everything is resolved for the reader: constants by value, slots by name,
 * strings quoted, jumps as @offset, band arms inline.  Offsets are the
 * absolute code offsets that jump operands use, so a listing can be checked
 * against the verifier's messages ("unit 3: JUMPF at 42 …").
 *
 * Programs given here have been verified, but the listing still looks up
 * every index through a guard that prints "?" for a bad one, and walks the
 * section tree with an explicit stack and a visited mark: a debugging tool
 * should not be the thing that crashes on a damaged program. */
#include "program.h"
#include "buf.h"
#include "distrib.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "opcodes.h"

/* Writes a string quoted, with escapes, as the language writes literals. */
static void put_quoted(FILE *out, const char *s, uint32_t len)
{
    fputc('"', out);
    for (uint32_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (c < 0x20 || c == 0x7f) fprintf(out, "\\u{%X}", c);
            else fputc(c, out);
        }
    }
    fputc('"', out);
}

static bool str_ok(const rb_program *p, uint32_t i)
{
    return i < p->nstrings;
}

static const char *str_or(const rb_program *p, uint32_t i, const char *fallback)
{
    return str_ok(p, i) ? rb_str(p, i) : fallback;
}

static void put_str(FILE *out, const rb_program *p, uint32_t i)
{
    if (str_ok(p, i)) put_quoted(out, rb_str(p, i), p->string_len[i]);
    else if (i == RB_NONE) fputs("-", out);
    else fprintf(out, "$%" PRIu32 "?", i);
}

static const char *num_text(const rb_program *p, uint32_t i, char buf[64])
{
    if (i == RB_NONE) return "-";
    if (i >= p->nnumbers) {
        snprintf(buf, 64, "#%" PRIu32 "?", i);
        return buf;
    }
    rb_num_format_exact(p->numbers[i], buf, 64);
    return buf;
}

static const char *slot_text(const rb_program *p, uint32_t s)
{
    if (s == RB_NONE) return "-";
    if (s >= p->nslots) return "?";
    return str_or(p, p->slots[s].name, "?");
}

static void put_arm_cond(FILE *out, const rb_program *p, const rb_arm *a)
{
    char buf[64];
    if (a->op == RB_ARM_ELSE) fputs("else", out);
    else fprintf(out, "%s %s", rb_arm_op_text(a->op), num_text(p, a->threshold, buf));
}

static bool arms_ok(const rb_program *p, const rb_band *b)
{
    return b->first_arm <= p->narms && b->narms <= p->narms - b->first_arm;
}

static void put_header(FILE *out, const rb_program *p)
{
    char buf[64];
    fprintf(out, "form %s", str_or(p, p->name, "?"));
    if (p->label != RB_NONE) {
        fputc(' ', out);
        put_str(out, p, p->label);
    }
    fputc('\n', out);
    fprintf(out, "  source     %s\n", str_or(p, p->source_name, "-"));
    fprintf(out, "  period     %s\n", str_or(p, p->period, "-"));
    fputs("  version    ", out);
    put_str(out, p, p->version);
    fputc('\n', out);
    fprintf(out, "  scale      %s\n", num_text(p, p->scale, buf));
    fprintf(out, "  precision  %" PRIu32 "\n", p->precision);
    fprintf(out, "  items      %s\n", p->has_items ? "yes" : "no (validation only)");
    if (p->total_unit != RB_NONE) fprintf(out, "  total      unit %" PRIu32 "\n", p->total_unit);
    if (p->grade_on_unit != RB_NONE)
        fprintf(out, "  grade on   unit %" PRIu32 "\n", p->grade_on_unit);
    fprintf(out, "  digest     %s\n", p->digest[0] ? p->digest : "-");
}

static void put_constants(FILE *out, const rb_program *p)
{
    char buf[64];
    fprintf(out, "\nnumbers (%" PRIu32 ")\n", p->nnumbers);
    for (uint32_t i = 0; i < p->nnumbers; i++)
        fprintf(out, "  #%-4" PRIu32 " %s\n", i, num_text(p, i, buf));
    fprintf(out, "\nstrings (%" PRIu32 ")\n", p->nstrings);
    for (uint32_t i = 0; i < p->nstrings; i++) {
        fprintf(out, "  $%-4" PRIu32 " ", i);
        if (i == p->source_text) /* the whole template: its size says enough */
            fprintf(out, "(the template source, %" PRIu32 " bytes)", p->string_len[i]);
        else
            put_str(out, p, i);
        fputc('\n', out);
    }
}

static void put_option(FILE *out, const rb_program *p, uint32_t o)
{
    char buf[64];
    if (o >= p->noptions) {
        fprintf(out, "option %" PRIu32 "?", o);
        return;
    }
    const rb_option *op = &p->options[o];
    fprintf(out, "%s", str_or(p, op->id, "?"));
    if (op->label != RB_NONE) {
        fputc(' ', out);
        put_str(out, p, op->label);
    }
    if (op->value != RB_NONE) fprintf(out, " = %s", num_text(p, op->value, buf));
}

static void put_choicesets(FILE *out, const rb_program *p)
{
    if (p->nchoicesets == 0) return;
    fprintf(out, "\nchoice sets (%" PRIu32 ")\n", p->nchoicesets);
    for (uint32_t i = 0; i < p->nchoicesets; i++) {
        const rb_choiceset *c = &p->choicesets[i];
        fprintf(out, "  set %" PRIu32 "%s\n", i, c->numeric ? " (numeric)" : "");
        for (uint32_t k = 0; k < c->count && (uint64_t)c->first + k < p->noptions; k++) {
            fprintf(out, "    o%-4" PRIu32 " ", c->first + k);
            put_option(out, p, c->first + k);
            fputc('\n', out);
        }
    }
}

static void put_slots(FILE *out, const rb_program *p)
{
    fprintf(out, "\nslots (%" PRIu32 ")\n", p->nslots);
    for (uint32_t i = 0; i < p->nslots; i++) {
        const rb_slot *s = &p->slots[i];
        fprintf(out, "  %%%-4" PRIu32 " %-8s %-7s %s", i, rb_slot_kind_name(s->kind),
                rb_type_word(s->type - RB_T_NUMBER), slot_text(p, i));
        if (s->label != RB_NONE) {
            fputc(' ', out);
            put_str(out, p, s->label);
        }
        if (s->choiceset != RB_NONE) fprintf(out, "  set %" PRIu32, s->choiceset);
        if (s->maybe) fputs("  maybe", out);
        fprintf(out, "  (line %" PRIu32 ":%" PRIu32 ")\n", s->line, s->col);
    }
}

static void put_inputs(FILE *out, const rb_program *p)
{
    char a[64], b[64];
    if (p->ninputs == 0) return;
    fprintf(out, "\ninputs (%" PRIu32 ")\n", p->ninputs);
    for (uint32_t i = 0; i < p->ninputs; i++) {
        const rb_input *in = &p->inputs[i];
        fprintf(out, "  input %-3" PRIu32 " %%%" PRIu32 " %s  %s", i, in->slot,
                slot_text(p, in->slot), in->required ? "required" : "optional");
        if (in->min != RB_NONE || in->max != RB_NONE)
            fprintf(out, "  in %c%s, %s%c", in->min_incl ? '[' : '(',
                    in->min != RB_NONE ? num_text(p, in->min, a) : "-inf",
                    in->max != RB_NONE ? num_text(p, in->max, b) : "+inf",
                    in->max_incl ? ']' : ')');
        if (in->def != RB_NONE) {
            uint8_t t = in->slot < p->nslots ? p->slots[in->slot].type : 0;
            fputs("  default ", out);
            if (t == RB_T_TEXT || t == RB_T_DATE) put_str(out, p, in->def);
            else fputs(num_text(p, in->def, a), out);
        }
        if (in->unit != RB_NONE) {
            fputs("  unit ", out);
            put_str(out, p, in->unit);
        }
        if (in->item != RB_NONE) fprintf(out, "  item %" PRIu32, in->item);
        if (in->rated) fputs("  rated", out);
        fputc('\n', out);
    }
}

static void put_raters(FILE *out, const rb_program *p)
{
    char buf[64];
    if (p->nraters == 0) return;
    fprintf(out, "\nraters (%" PRIu32 ")\n", p->nraters);
    for (uint32_t i = 0; i < p->nraters; i++) {
        const rb_rater *r = &p->raters[i];
        fprintf(out, "  %s", str_or(p, r->id, "?"));
        if (r->label != RB_NONE) {
            fputc(' ', out);
            put_str(out, p, r->label);
        }
        fprintf(out, "  weight %s\n", num_text(p, r->weight, buf));
    }
}

static void put_tree(FILE *out, const rb_program *p)
{
    char a[64], b[64];
    if (p->nsections == 0) return;
    fputs("\nsections\n", out);
    /* Explicit stack of (child kind, index, depth), preorder. */
    typedef struct { uint8_t kind; uint32_t index, depth; } entry;
    size_t cap = (size_t)p->nsections + p->nitems + 1;
    entry *stack = rb_xmalloc(cap * sizeof *stack);
    uint8_t *seen = rb_xcalloc(p->nsections, 1);
    size_t n = 0;
    stack[n++] = (entry){CHILD_SECTION, 0, 0};
    while (n) {
        entry e = stack[--n];
        int indent = 2 + 2 * (int)(e.depth < 32 ? e.depth : 32);
        if (e.kind == CHILD_ITEM) {
            if (e.index >= p->nitems) continue;
            const rb_item *it = &p->items[e.index];
            char lowbuf[64];
            fprintf(out, "%*s%s %s points %s%s%s", indent, "", it->is_deduct ? "deduct" : "item",
                    slot_text(p, it->slot), it->low != RB_NONE ? num_text(p, it->low, lowbuf) : "",
                    it->low != RB_NONE ? ".." : "", num_text(p, it->points, a));
            if (it->weight != RB_NONE) fprintf(out, " weight %s", num_text(p, it->weight, b));
            if (it->optional) fputs(" optional", out);
            if (it->when_unit != RB_NONE) fprintf(out, " when unit %" PRIu32, it->when_unit);
            if (it->input != RB_NONE) fprintf(out, " (input %" PRIu32 ")", it->input);
            else fputs(" (computed)", out);
            fputc('\n', out);
            continue;
        }
        if (e.index >= p->nsections || seen[e.index]) continue;
        seen[e.index] = 1;
        const rb_section *s = &p->sections[e.index];
        if (e.index == 0)
            fprintf(out, "%*sform points %s", indent, "", num_text(p, s->points, a));
        else
            fprintf(out, "%*ssection %s points %s", indent, "", slot_text(p, s->slot),
                    num_text(p, s->points, a));
        if (s->weight != RB_NONE) fprintf(out, " weight %s", num_text(p, s->weight, b));
        if (s->weighted) fputs(" (weighted children)", out);
        fputc('\n', out);
        if (s->first_child > p->nchildren || s->nchildren > p->nchildren - s->first_child)
            continue;
        for (uint32_t k = s->nchildren; k-- > 0 && n < cap;) {
            const rb_child *c = &p->children[s->first_child + k];
            stack[n++] = (entry){c->kind, c->index, e.depth + 1};
        }
    }
    rb_free(stack);
    rb_free(seen);
}

static void put_unit_head(FILE *out, const rb_program *p, uint32_t u)
{
    const rb_unit *un = &p->units[u];
    fprintf(out, "\nunit %" PRIu32 " %s (line %" PRIu32 ")", u, str_or(p, un->decl, "?"),
            un->line);
    switch (un->kind) {
    case U_VALUE:
        fprintf(out, ": value -> %%%" PRIu32 " %s", un->target, slot_text(p, un->target));
        break;
    case U_ITEM: case U_WHEN:
        fprintf(out, ": %s item %" PRIu32 " %s",
                un->kind == U_ITEM ? "computes" : "applicability of", un->target,
                un->target < p->nitems ? slot_text(p, p->items[un->target].slot) : "?");
        break;
    case U_TOTAL:
        fputs(": the form total", out);
        break;
    case U_GRADE_ON:
        fputs(": the value the grade is taken on", out);
        break;
    case U_RESULT:
        fputs(": the rounded total and the grade, for the units after it", out);
        break;
    case U_CAP:
        fprintf(out, ": the grade is at most arm %" PRIu32 " %s when true", un->target,
                un->target < p->grade.narms ? rb_str(p, p->arms[p->grade.first_arm + un->target].id) : "?");
        break;
    case U_STREAK:
        fprintf(out, ": periods in a row the condition held -> %%%" PRIu32 " %s", un->target,
                slot_text(p, un->target));
        break;
    case U_PREVIOUS:
        fprintf(out, ": the value %" PRIu32 " period%s back -> %%%" PRIu32 " %s", un->back, un->back == 1 ? "" : "s",
                un->target, slot_text(p, un->target));
        break;
    case U_SECTION:
        fprintf(out, ": aggregates section %" PRIu32 " %s", un->target,
                un->target == 0 ? "(form)"
                : un->target < p->nsections ? slot_text(p, p->sections[un->target].slot)
                                            : "?");
        break;
    case U_CHECK: case U_WARN:
        fprintf(out, ": %s, message ", rb_unit_kind_name(un->kind));
        put_str(out, p, un->target);
        break;
    default:
        fprintf(out, ": %s", rb_unit_kind_name(un->kind));
    }
    if (un->kind != U_SECTION)
        fprintf(out, "; code %" PRIu32 "+%" PRIu32 ", max stack %" PRIu32, un->code_start,
                un->code_len, un->max_stack);
    fputc('\n', out);
}

static void put_band_arms(FILE *out, const rb_program *p, uint32_t band)
{
    if (band >= p->nbands || !arms_ok(p, &p->bands[band])) {
        fputs("?", out);
        return;
    }
    const rb_band *b = &p->bands[band];
    for (uint32_t k = 0; k < b->narms; k++) {
        const rb_arm *a = &p->arms[b->first_arm + k];
        if (k) fputs(", ", out);
        put_arm_cond(out, p, a);
        fprintf(out, " -> @%" PRIu32, a->target);
    }
}

static void put_code(FILE *out, const rb_program *p, const rb_unit *un)
{
    char buf[64];
    if (un->code_start > p->code_len || un->code_len > p->code_len - un->code_start) return;
    uint32_t end = un->code_start + un->code_len;
    for (uint32_t pc = un->code_start; pc < end;) {
        uint8_t op = p->code[pc];
        if (op >= RB_OP_COUNT) {
            fprintf(out, "  %6" PRIu32 "  .byte %u\n", pc, op);
            pc++;
            continue;
        }
        const rb_opinfo *info = &rb_opinfo_table[op];
        if (info->operand == OPK_NONE) {
            fprintf(out, "  %6" PRIu32 "  %s\n", pc, info->name);
            pc++;
            continue;
        }
        if (end - pc < 5) {
            fprintf(out, "  %6" PRIu32 "  %s <truncated>\n", pc, info->name);
            break;
        }
        const uint8_t *c = p->code + pc;
        uint32_t x = (uint32_t)c[1] | (uint32_t)c[2] << 8 | (uint32_t)c[3] << 16 |
                     (uint32_t)c[4] << 24;
        char operand[24];
        switch (info->operand) {
        case OPK_CONST: snprintf(operand, sizeof operand, "#%" PRIu32, x); break;
        case OPK_STRING: snprintf(operand, sizeof operand, "$%" PRIu32, x); break;
        case OPK_OPTION: snprintf(operand, sizeof operand, "o%" PRIu32, x); break;
        case OPK_SLOT: snprintf(operand, sizeof operand, "%%%" PRIu32, x); break;
        case OPK_JUMP: snprintf(operand, sizeof operand, "@%" PRIu32, x); break;
        case OPK_BAND: snprintf(operand, sizeof operand, "b%" PRIu32, x); break;
        default: snprintf(operand, sizeof operand, "%" PRIu32, x); break;
        }
        bool comment = info->operand != OPK_JUMP && info->operand != OPK_COUNT;
        if (comment) fprintf(out, "  %6" PRIu32 "  %-7s %-6s", pc, info->name, operand);
        else fprintf(out, "  %6" PRIu32 "  %-7s %s", pc, info->name, operand);
        switch (info->operand) {
        case OPK_CONST: fprintf(out, " ; %s", num_text(p, x, buf)); break;
        case OPK_STRING: fputs(" ; ", out); put_str(out, p, x); break;
        case OPK_OPTION: fputs(" ; ", out); put_option(out, p, x); break;
        case OPK_SLOT: fprintf(out, " ; %s", slot_text(p, x)); break;
        case OPK_BAND: fputs(" ; ", out); put_band_arms(out, p, x); break;
        default: break;
        }
        fputc('\n', out);
        pc += 5;
    }
}

static void put_bands(FILE *out, const rb_program *p)
{
    if (p->nbands) {
        fprintf(out, "\nbands (%" PRIu32 ")\n", p->nbands);
        for (uint32_t i = 0; i < p->nbands; i++) {
            fprintf(out, "  b%-4" PRIu32 " ", i);
            put_band_arms(out, p, i);
            fputc('\n', out);
        }
    }
    if (p->grade.narms && arms_ok(p, &p->grade)) {
        fputs("\ngrade", out);
        if (p->grade_on_unit != RB_NONE) fprintf(out, " on unit %" PRIu32, p->grade_on_unit);
        fputc('\n', out);
        for (uint32_t k = 0; k < p->grade.narms; k++) {
            const rb_arm *a = &p->arms[p->grade.first_arm + k];
            fputs("  ", out);
            put_arm_cond(out, p, a);
            fprintf(out, ": %s", str_or(p, a->id, "?"));
            if (a->label != RB_NONE) {
                fputc(' ', out);
                put_str(out, p, a->label);
            }
            fputc('\n', out);
        }
    }
    if (p->key_slot != RB_NONE) fprintf(out, "\nkey        slot %" PRIu32 "\n", p->key_slot);
    if (p->period_slot != RB_NONE) fprintf(out, "period on  slot %" PRIu32 "\n", p->period_slot);
    if (p->ndist_rules) {
        fputs("\ndistribution", out);
        if (p->dist_by != RB_NONE) fprintf(out, " by slot %" PRIu32, p->dist_by);
        fputc('\n', out);
        for (uint32_t i = 0; i < p->ndist_rules; i++) {
            rb_buf b = {0};
            rb_program_dist_text(&b, p, i);
            fprintf(out, "  %s\n", b.s);
            rb_buf_free(&b);
        }
    }
}

void rb_program_disasm(FILE *out, const rb_program *p)
{
    put_header(out, p);
    put_constants(out, p);
    put_choicesets(out, p);
    put_slots(out, p);
    put_inputs(out, p);
    put_raters(out, p);
    put_tree(out, p);
    put_bands(out, p);
    for (uint32_t u = 0; u < p->nunits; u++) {
        put_unit_head(out, p, u);
        put_code(out, p, &p->units[u]);
    }
}
