/* form.c — writes the form page (SPEC §15; docs/form.md says what a user
 * and a tool see).  The page is drawn from the verified program alone, so
 * a .rbc gives the same page as its source:
 *
 *   header    title, period, version, the fields as labelled blanks;
 *   sections  one table each: item, full mark, weight, one column per rater
 *             (or one value column), the live score; `input` values stand
 *             in the section their declaration stands in (by source line);
 *   result    #rubric-result (the contract for tools), outputs, warnings,
 *             and the errors that concern no single value;
 *   legend    the grade bands; then the `sign` lines with 日期.
 *
 * Every value's control carries its record path (data-path: "knowledge",
 * "teamwork.manager") and its type; web/form.js reads them to build the
 * record, and puts each error the evaluator gives beside the control whose
 * path it names.  No scoring happens here or in the script: the page runs
 * the same C evaluator, embedded as WebAssembly, on every change. */
#include "form.h"

#include <stdbool.h>
#include <string.h>

#include "alloc.h"
#include "arena.h"
#include "html.h"
#include "num.h"

typedef struct {
    rb_buf *b;
    const rb_program *p;
    rb_lang lang;
    uint32_t *input_section; /* per input: the section its declaration stands in */
} page;

#define TR(s) rb_tr(pg->lang, s)

/* ---- text ------------------------------------------------------------------ */

static void html(rb_buf *b, const char *s)
{
    for (; *s; s++) {
        const char *entity = rb_html_entity(*s);
        if (entity) rb_buf_puts(b, entity);
        else rb_buf_putc(b, *s);
    }
}

/* JSON string inside a <script> element: "</" must not close it. */
static void json_str(rb_buf *b, const char *s)
{
    rb_buf_putc(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') rb_buf_printf(b, "\\%c", c);
        else if (c == '<') rb_buf_puts(b, "\\u003c");
        else if (c < 0x20) rb_buf_printf(b, "\\u%04x", c);
        else rb_buf_putc(b, (char)c);
    }
    rb_buf_putc(b, '"');
}

static void base64(rb_buf *b, const uint8_t *d, size_t n)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16 | (i + 1 < n ? (uint32_t)d[i + 1] << 8 : 0) | (i + 2 < n ? d[i + 2] : 0);
        char q[4] = {abc[v >> 18 & 63], abc[v >> 12 & 63], i + 1 < n ? abc[v >> 6 & 63] : '=', i + 2 < n ? abc[v & 63] : '='};
        rb_buf_add(b, q, 4);
    }
}

static void num(rb_buf *b, const rb_program *p, uint32_t i)
{
    char t[64];
    rb_num_format_exact(p->numbers[i], t, sizeof t);
    rb_buf_puts(b, t);
}

static void pct(rb_buf *b, const rb_program *p, uint32_t i)
{
    char t[64];
    rb_num_format_percent(p->numbers[i], -1, t, sizeof t);
    rb_buf_puts(b, t);
}

static const char *label_of(const rb_program *p, uint32_t slot)
{
    const rb_slot *s = &p->slots[slot];
    return rb_str(p, s->label != RB_NONE ? s->label : s->name);
}

/* ---- one value's control ---------------------------------------------------- */

/* The hint under a value: its range, unit, how many options, optional. */
static void hint(page *pg, const rb_input *in, const rb_item *item)
{
    rb_buf *b = pg->b;
    const rb_program *p = pg->p;
    const rb_slot *s = &p->slots[in->slot];
    bool any = false;
    if (item) {
        if (item->low != RB_NONE) num(b, p, item->low);
        else rb_buf_putc(b, '0');
        rb_buf_puts(b, "–");
        num(b, p, item->points);
        any = true;
    } else if (s->type == RB_T_CHOICES && (in->min != RB_NONE || in->max != RB_NONE)) {
        rb_buf_puts(b, TR(N_("choose")));
        rb_buf_putc(b, ' ');
        if (in->min != RB_NONE) num(b, p, in->min);
        else rb_buf_putc(b, '0');
        rb_buf_puts(b, "–");
        if (in->max != RB_NONE) num(b, p, in->max);
        any = true;
    } else if (s->type <= RB_T_PERCENT && (in->min != RB_NONE || in->max != RB_NONE)) {
        if (in->min != RB_NONE) {
            if (s->type == RB_T_PERCENT) pct(b, p, in->min);
            else num(b, p, in->min);
        }
        rb_buf_puts(b, in->min_incl || in->min == RB_NONE ? "" : " <");
        rb_buf_puts(b, "–");
        if (in->max != RB_NONE) {
            if (s->type == RB_T_PERCENT) pct(b, p, in->max);
            else num(b, p, in->max);
        }
        any = true;
    }
    if (in->unit != RB_NONE) {
        rb_buf_printf(b, "%s", any ? " " : "");
        html(b, rb_str(p, in->unit));
        any = true;
    }
    if (s->type == RB_T_PERCENT) {
        rb_buf_printf(b, TR(N_("%s85%% or 0.85")), any ? " · " : "");
        any = true;
    }
    if (!in->required) rb_buf_printf(b, "%s%s", any ? " · " : "", TR(N_("optional")));
}

static const char *type_name(const rb_program *p, const rb_input *in, const rb_rater *r)
{
    if (r && r->many) return "many";
    return rb_type_word(p->slots[in->slot].type - RB_T_NUMBER);
}

/* The control for input `ii`, for rater `ri` (RB_NONE: the value itself).
 * `labelled_by` names the elements that label it where no <label> does
 * (a table cell); NULL: a <label for> precedes it. */
static void control(page *pg, uint32_t ii, uint32_t ri, const char *labelled_by)
{
    rb_buf *b = pg->b;
    const rb_program *p = pg->p;
    const rb_input *in = &p->inputs[ii];
    const rb_slot *s = &p->slots[in->slot];
    const rb_rater *r = ri == RB_NONE ? NULL : &p->raters[ri];
    const rb_item *item = in->item != RB_NONE ? &p->items[in->item] : NULL;
    rb_buf path = {0};
    rb_buf_puts(&path, rb_str(p, s->name));
    if (r) rb_buf_printf(&path, ".%s", rb_str(p, r->id));
    const char *ps = path.s;
    bool group = !r && (s->type == RB_T_CHOICE || s->type == RB_T_CHOICES || s->type == RB_T_BOOL);

    rb_buf_puts(b, group ? "<fieldset class=\"ctl\"" : "<span class=\"ctl\"");
    rb_buf_puts(b, " data-path=\"");
    html(b, ps);
    rb_buf_puts(b, "\" data-key=\"");
    html(b, rb_str(p, s->name));
    if (r) {
        rb_buf_puts(b, "\" data-rater=\"");
        html(b, rb_str(p, r->id));
    }
    rb_buf_printf(b, "\" data-type=\"%s\"", type_name(p, in, r));
    if (group) {
        /* A group of options is named by its legend (the label, visually
         * hidden in the table where the row says it). */
        rb_buf_printf(b, " aria-describedby=\"h-");
        html(b, ps);
        rb_buf_puts(b, " e-");
        html(b, ps);
        rb_buf_puts(b, "\"><legend");
        if (labelled_by) rb_buf_puts(b, " class=\"sr-only\"");
        rb_buf_puts(b, ">");
        html(b, label_of(p, in->slot));
        rb_buf_puts(b, "</legend>");
        if (s->type == RB_T_BOOL) {
            static const char *const yes_no[][2] = {{"true", N_("yes")}, {"false", N_("no")}};
            for (int k = 0; k < 2; k++) {
                rb_buf_printf(b, "<label class=\"opt\"><input type=\"radio\" name=\"v-");
                html(b, ps);
                rb_buf_printf(b, "\" value=\"%s\"><span class=\"box\"></span>%s</label>", yes_no[k][0],
                              TR(yes_no[k][1]));
            }
        } else {
            const rb_choiceset *cs = &p->choicesets[s->choiceset];
            for (uint32_t k = 0; k < cs->count; k++) {
                const rb_option *o = &p->options[cs->first + k];
                rb_buf_printf(b, "<label class=\"opt\"><input type=\"%s\" name=\"v-",
                              s->type == RB_T_CHOICE ? "radio" : "checkbox");
                html(b, ps);
                rb_buf_puts(b, "\" value=\"");
                html(b, rb_str(p, o->id));
                if (o->label != RB_NONE) { /* a record may name the option by its label (SPEC §7) */
                    rb_buf_puts(b, "\" data-label=\"");
                    html(b, rb_str(p, o->label));
                }
                rb_buf_puts(b, "\"><span class=\"box\"></span>");
                html(b, rb_str(p, o->label != RB_NONE ? o->label : o->id));
                if (o->value != RB_NONE) {
                    rb_buf_puts(b, " <span class=\"pts\">(");
                    num(b, p, o->value);
                    rb_buf_puts(b, ")</span>");
                }
                rb_buf_puts(b, "</label>");
            }
        }
        if (!in->required && s->type != RB_T_CHOICES) { /* a radio cannot be unchecked: "not given" */
            rb_buf_puts(b, "<label class=\"opt none\"><input type=\"radio\" name=\"v-");
            html(b, ps);
            rb_buf_printf(b, "\" value=\"\">%s</label>", TR(N_("not given")));
        }
    } else {
        rb_buf_puts(b, ">");
        const char *kind = "text", *mode = "";
        if (!r || !r->many) {
            if (s->type == RB_T_NUMBER || s->type == RB_T_INTEGER) kind = "number";
            else if (s->type == RB_T_DATE) kind = "date";
            else if (s->type == RB_T_PERCENT) mode = " inputmode=\"decimal\"";
        }
        rb_buf_printf(b, "<input type=\"%s\"%s id=\"v-", kind, mode);
        html(b, ps);
        rb_buf_puts(b, "\"");
        if (!strcmp(kind, "number")) {
            rb_buf_puts(b, " step=\"any\"");
            uint32_t lo = item ? item->low : in->min, hi = item ? item->points : in->max;
            if (item && lo == RB_NONE) rb_buf_puts(b, " min=\"0\"");
            if (lo != RB_NONE) {
                rb_buf_puts(b, " min=\"");
                num(b, p, lo);
                rb_buf_puts(b, "\"");
            }
            if (hi != RB_NONE) {
                rb_buf_puts(b, " max=\"");
                num(b, p, hi);
                rb_buf_puts(b, "\"");
            }
        }
        if (in->required && !(r && (r->optional || r->weight == RB_NONE))) rb_buf_puts(b, " aria-required=\"true\"");
        if (labelled_by) {
            rb_buf_printf(b, " aria-labelledby=\"%s\"", labelled_by);
        }
        if (r && r->many) rb_buf_printf(b, " placeholder=\"%s\"", TR(N_("e.g. 4; 5; 3")));
        else if (in->def != RB_NONE && (s->type <= RB_T_PERCENT || s->type == RB_T_TEXT || s->type == RB_T_DATE)) {
            rb_buf_puts(b, " placeholder=\"");
            if (s->type <= RB_T_PERCENT) num(b, p, in->def);
            else html(b, rb_str(p, in->def));
            rb_buf_puts(b, "\"");
        }
        rb_buf_puts(b, " aria-describedby=\"h-");
        html(b, ps);
        rb_buf_puts(b, " e-");
        html(b, ps);
        rb_buf_puts(b, "\">");
        /* N/A where the record may say "n/a": an optional directly-rated
         * item (for each rater, SPEC §12). */
        if (item && item->optional) {
            rb_buf_puts(b, "<label class=\"na\"><input type=\"checkbox\" class=\"na\"><span class=\"box\"></span>");
            rb_buf_printf(b, "%s</label>", TR(N_("N/A")));
        }
    }
    rb_buf_puts(b, "<span class=\"hint\" id=\"h-");
    html(b, ps);
    rb_buf_puts(b, "\">");
    if (!r || r->many) hint(pg, in, item);
    if (r && r->many) rb_buf_printf(b, "%s%s", item ? " · " : "", TR(N_("several: separate with ;")));
    rb_buf_puts(b, "</span><span class=\"error\" id=\"e-");
    html(b, ps);
    rb_buf_puts(b, "\" aria-live=\"polite\"></span>");
    rb_buf_puts(b, group ? "</fieldset>" : "</span>");
    rb_buf_free(&path);
}

/* ---- sections ----------------------------------------------------------------- */

static uint32_t columns_of(const rb_program *p)
{
    return p->nraters ? p->nraters : 1;
}

static void item_row(page *pg, uint32_t i, bool weighted)
{
    rb_buf *b = pg->b;
    const rb_program *p = pg->p;
    const rb_item *it = &p->items[i];
    const char *name = rb_str(p, p->slots[it->slot].name);
    rb_buf_puts(b, "<tr data-item=\"");
    html(b, name);
    rb_buf_printf(b, "\"%s><th scope=\"row\" id=\"l-", it->is_deduct ? " class=\"deduct\"" : "");
    html(b, name);
    rb_buf_puts(b, "\">");
    html(b, label_of(p, it->slot));
    if (it->is_deduct) rb_buf_printf(b, " <span class=\"tag\">%s</span>", TR(N_("deduction")));
    if (it->when_unit != RB_NONE) rb_buf_printf(b, " <span class=\"tag\">%s</span>", TR(N_("where it applies")));
    rb_buf_puts(b, "</th><td class=\"num\">");
    if (it->is_deduct) rb_buf_puts(b, "−");
    if (it->low != RB_NONE) {
        num(b, p, it->low);
        rb_buf_puts(b, "–");
    }
    num(b, p, it->points);
    rb_buf_puts(b, "</td>");
    if (weighted) {
        rb_buf_puts(b, "<td class=\"num\">");
        if (it->weight != RB_NONE) pct(b, p, it->weight);
        rb_buf_puts(b, "</td>");
    }
    const rb_input *in = it->input != RB_NONE ? &p->inputs[it->input] : NULL;
    if (in && in->rated && p->nraters) {
        for (uint32_t r = 0; r < p->nraters; r++) {
            rb_buf labelled = {0};
            rb_buf_puts(&labelled, "l-");
            rb_buf_puts(&labelled, name);
            rb_buf_printf(&labelled, " r-%s", rb_str(p, p->raters[r].id));
            rb_buf_puts(b, "<td>");
            control(pg, it->input, r, labelled.s);
            rb_buf_puts(b, "</td>");
            rb_buf_free(&labelled);
        }
    } else {
        rb_buf_printf(b, "<td colspan=\"%u\">", columns_of(p));
        if (in) {
            rb_buf labelled = {0};
            rb_buf_printf(&labelled, "l-%s", name);
            control(pg, it->input, RB_NONE, labelled.s);
            rb_buf_free(&labelled);
        } else {
            rb_buf_printf(b, "<span class=\"computed\">%s</span><span class=\"error\" id=\"e-", TR(N_("computed")));
            html(b, name);
            rb_buf_puts(b, "\" aria-live=\"polite\"></span>");
        }
        rb_buf_puts(b, "</td>");
    }
    rb_buf_puts(b, "<td class=\"num score\"><output data-score-of=\"");
    html(b, name);
    rb_buf_puts(b, "\"></output></td></tr>\n");
}

static void input_row(page *pg, uint32_t ii, bool weighted)
{
    rb_buf *b = pg->b;
    const rb_program *p = pg->p;
    const char *name = rb_str(p, p->slots[p->inputs[ii].slot].name);
    rb_buf_puts(b, "<tr class=\"input\"><th scope=\"row\" id=\"l-");
    html(b, name);
    rb_buf_puts(b, "\">");
    html(b, label_of(p, p->inputs[ii].slot));
    rb_buf_printf(b, "</th><td></td>%s<td colspan=\"%u\">", weighted ? "<td></td>" : "", columns_of(p));
    rb_buf labelled = {0};
    rb_buf_printf(&labelled, "l-%s", name);
    control(pg, ii, RB_NONE, labelled.s);
    rb_buf_free(&labelled);
    rb_buf_puts(b, "</td><td></td></tr>\n");
}

/* The first and last source line a section spans (its declaration, its
 * children's). */
static void section_lines(const rb_program *p, uint32_t si, uint32_t *lo, uint32_t *hi)
{
    const rb_section *s = &p->sections[si];
    if (s->slot != RB_NONE && p->slots[s->slot].line < *lo) *lo = p->slots[s->slot].line;
    for (uint32_t c = 0; c < s->nchildren; c++) {
        const rb_child *ch = &p->children[s->first_child + c];
        if (ch->kind == CHILD_SECTION) {
            section_lines(p, ch->index, lo, hi);
        } else {
            uint32_t line = p->slots[p->items[ch->index].slot].line;
            if (line > *hi) *hi = line;
            if (line < *lo) *lo = line;
        }
    }
}

static void table_head(page *pg, bool weighted)
{
    rb_buf *b = pg->b;
    const rb_program *p = pg->p;
    rb_buf_printf(b, "<table class=\"items\"><thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>",
                  TR(N_("Item")), TR(N_("Points")));
    if (weighted) rb_buf_printf(b, "<th scope=\"col\">%s</th>", TR(N_("Weight")));
    if (p->nraters) {
        for (uint32_t r = 0; r < p->nraters; r++) {
            rb_buf_printf(b, "<th scope=\"col\" id=\"r-%s\">", rb_str(p, p->raters[r].id));
            html(b, rb_str(p, p->raters[r].label != RB_NONE ? p->raters[r].label : p->raters[r].id));
            if (p->raters[r].weight != RB_NONE) {
                rb_buf_puts(b, " <span class=\"pts\">");
                pct(b, p, p->raters[r].weight);
                rb_buf_puts(b, "</span>");
            }
            rb_buf_puts(b, "</th>");
        }
    } else {
        rb_buf_printf(b, "<th scope=\"col\">%s</th>", TR(N_("Value")));
    }
    rb_buf_printf(b, "<th scope=\"col\">%s</th></tr></thead><tbody>\n", TR(N_("Score")));
}

static void section(page *pg, uint32_t si, int depth)
{
    rb_buf *b = pg->b;
    const rb_program *p = pg->p;
    const rb_section *s = &p->sections[si];
    if (si != 0) {
        const char *name = rb_str(p, p->slots[s->slot].name);
        rb_buf_puts(b, "<section class=\"section\" data-section=\"");
        html(b, name);
        rb_buf_printf(b, "\"><h%d>", depth + 1 < 6 ? depth + 1 : 6);
        html(b, label_of(p, s->slot));
        rb_buf_printf(b, " <span class=\"pts\">%s ", TR(N_("points")));
        num(b, p, s->points);
        if (s->weight != RB_NONE) {
            rb_buf_printf(b, " · %s ", TR(N_("weight")));
            pct(b, p, s->weight);
        }
        rb_buf_printf(b, "</span> <output class=\"score\" data-score-of=\"");
        html(b, name);
        rb_buf_printf(b, "\"></output></h%d>\n", depth + 1 < 6 ? depth + 1 : 6);
    }
    /* Children and the inputs declared among them, in source order. */
    bool open = false;
    uint32_t next_input = 0;
    for (uint32_t c = 0; c <= s->nchildren; c++) {
        const rb_child *ch = c < s->nchildren ? &p->children[s->first_child + c] : NULL;
        uint32_t line = UINT32_MAX;
        if (ch) {
            uint32_t lo = UINT32_MAX, hi = 0;
            if (ch->kind == CHILD_SECTION) section_lines(p, ch->index, &lo, &hi);
            else lo = p->slots[p->items[ch->index].slot].line;
            line = lo;
        }
        for (; next_input < p->ninputs; next_input++) {
            const rb_input *in = &p->inputs[next_input];
            if (pg->input_section[next_input] != si || in->item != RB_NONE) continue;
            if (p->slots[in->slot].line > line) break;
            if (!open) table_head(pg, s->weighted), open = true;
            input_row(pg, next_input, s->weighted);
        }
        if (!ch) break;
        if (ch->kind == CHILD_SECTION) {
            if (open) rb_buf_puts(b, "</tbody></table>\n"), open = false;
            section(pg, ch->index, depth + 1);
        } else {
            if (!open) table_head(pg, s->weighted), open = true;
            item_row(pg, ch->index, s->weighted);
        }
    }
    if (open) rb_buf_puts(b, "</tbody></table>\n");
    if (si != 0) rb_buf_puts(b, "</section>\n");
}

/* Each `input` (not field, not item) goes to the innermost section whose
 * lines hold its declaration; fields and the rest stay at the root. */
static void place_inputs(page *pg)
{
    const rb_program *p = pg->p;
    for (uint32_t i = 0; i < p->ninputs; i++) {
        pg->input_section[i] = p->slots[p->inputs[i].slot].kind == SLOT_FIELD ? RB_NONE : 0;
        uint32_t line = p->slots[p->inputs[i].slot].line, best_span = UINT32_MAX;
        if (pg->input_section[i] == RB_NONE) continue;
        for (uint32_t si = 1; si < p->nsections; si++) {
            uint32_t lo = UINT32_MAX, hi = 0;
            section_lines(p, si, &lo, &hi);
            if (lo <= line && line <= hi && hi - lo < best_span) best_span = hi - lo, pg->input_section[i] = si;
        }
    }
}

/* ---- the page ------------------------------------------------------------------- */

static void fields(page *pg)
{
    rb_buf *b = pg->b;
    const rb_program *p = pg->p;
    bool any = false;
    for (uint32_t i = 0; i < p->ninputs; i++) {
        if (pg->input_section[i] != RB_NONE) continue;
        const rb_slot *s = &p->slots[p->inputs[i].slot];
        if (!any) rb_buf_puts(b, "<div class=\"fields\">\n"), any = true;
        rb_buf_puts(b, "<div class=\"field\">");
        bool group = s->type == RB_T_CHOICE || s->type == RB_T_CHOICES || s->type == RB_T_BOOL;
        if (!group) {
            rb_buf_puts(b, "<label for=\"v-");
            html(b, rb_str(p, s->name));
            rb_buf_puts(b, "\">");
            html(b, label_of(p, p->inputs[i].slot));
            rb_buf_puts(b, "</label>");
        }
        control(pg, i, RB_NONE, NULL);
        rb_buf_puts(b, "</div>\n");
    }
    if (any) rb_buf_puts(b, "</div>\n");
}

static void legend(page *pg)
{
    rb_buf *b = pg->b;
    const rb_program *p = pg->p;
    if (!p->grade.narms) return;
    static const char *const ops[] = {"&lt;", "≤", "&gt;", "≥", ""};
    rb_buf_printf(b, "<section class=\"legend\" aria-labelledby=\"legend-title\"><h2 id=\"legend-title\">%s</h2><ul>",
                  TR(N_("Grades")));
    for (uint32_t a = 0; a < p->grade.narms; a++) {
        const rb_arm *arm = &p->arms[p->grade.first_arm + a];
        rb_buf_puts(b, "<li><span class=\"band\">");
        if (arm->op == RB_ARM_ELSE) {
            rb_buf_puts(b, TR(N_("otherwise")));
        } else {
            rb_buf_printf(b, "%s ", ops[arm->op]);
            num(b, p, arm->threshold);
        }
        rb_buf_puts(b, "</span> ");
        html(b, rb_str(p, arm->label != RB_NONE ? arm->label : arm->id));
        rb_buf_puts(b, "</li>");
    }
    rb_buf_puts(b, "</ul></section>\n");
}

static void signatures(page *pg)
{
    rb_buf *b = pg->b;
    const rb_program *p = pg->p;
    bool any = false;
    for (uint32_t i = 0; i < p->nslots; i++) {
        if (p->slots[i].kind != SLOT_SIGN) continue;
        if (!any) rb_buf_puts(b, "<section class=\"signatures\">\n"), any = true;
        rb_buf_puts(b, "<div class=\"sign\"><span class=\"who\">");
        html(b, label_of(p, i));
        rb_buf_printf(b, "</span><span class=\"line\"></span><span class=\"date\">%s</span></div>\n",
                      TR(N_("Date: ____ year __ month __ day")));
    }
    if (any) rb_buf_puts(b, "</section>\n");
}

/* What the script shows, in the page's language; and the labels of
 * outputs, which results name by id. */
static void config(page *pg)
{
    rb_buf *b = pg->b;
    const rb_program *p = pg->p;
    static const char *const texts[][2] = {
        {"total", N_("Total")},           {"grade", N_("Grade")},
        {"valid", N_("valid")},           {"invalid", N_("invalid")},
        {"warnings", N_("Warnings")},     {"errors", N_("Errors")},
        {"outputs", N_("Results")},       {"loading", N_("The evaluator is loading…")},
        {"failed", N_("The evaluator could not start:")},
    };
    rb_buf_puts(b, "<script type=\"application/json\" id=\"rubric-config\">{\"text\":{");
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        rb_buf_printf(b, "%s\"%s\":", i ? "," : "", texts[i][0]);
        json_str(b, TR(texts[i][1]));
    }
    rb_buf_puts(b, "},\"outputs\":{");
    bool first = true;
    for (uint32_t i = 0; i < p->nslots; i++) {
        if (p->slots[i].kind != SLOT_OUTPUT) continue;
        rb_buf_puts(b, first ? "" : ",");
        first = false;
        json_str(b, rb_str(p, p->slots[i].name));
        rb_buf_putc(b, ':');
        json_str(b, label_of(p, i));
    }
    rb_buf_puts(b, "},\"form\":");
    json_str(b, rb_str(p, p->name));
    rb_buf_puts(b, "}</script>\n");
}

void rb_form_page(rb_buf *b, const rb_program *p, const uint8_t *rbc, size_t rbc_len, rb_lang lang)
{
    page pg0 = {b, p, lang, NULL}, *pg = &pg0;
    pg->input_section = rb_xcalloc(p->ninputs ? p->ninputs : 1, sizeof *pg->input_section);
    place_inputs(pg);
    const char *title = rb_str(p, p->label != RB_NONE ? p->label : p->name);
    rb_buf_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n",
                  lang == RB_LANG_ZH ? "zh-CN" : "en");
    /* Nothing may be fetched: the page is one file, offline (SPEC §15). */
    rb_buf_puts(b, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                   "style-src 'unsafe-inline'; script-src 'unsafe-inline' 'wasm-unsafe-eval'; "
                   "img-src data:; form-action 'none'; base-uri 'none'\">\n");
    rb_buf_puts(b, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<meta name=\"generator\" content=\"rubric form\">\n<title>");
    html(b, title);
    rb_buf_puts(b, "</title>\n<style>\n");
    rb_buf_add(b, (const char *)rb_form_css, rb_form_css_len);
    rb_buf_puts(b, "</style>\n</head>\n<body class=\"blank\">\n<main>\n<h1>");
    html(b, title);
    rb_buf_puts(b, "</h1>\n<p class=\"meta\">");
    if (p->period != RB_NONE) {
        static const char *const periods[][2] = {{"weekly", N_("weekly")},       {"monthly", N_("monthly")},
                                                 {"quarterly", N_("quarterly")}, {"yearly", N_("yearly")},
                                                 {"once", N_("once")}};
        const char *per = rb_str(p, p->period);
        for (size_t i = 0; i < sizeof periods / sizeof *periods; i++)
            if (!strcmp(per, periods[i][0])) per = TR(periods[i][1]);
        html(b, per);
    }
    if (p->version != RB_NONE) {
        rb_buf_printf(b, " · %s ", TR(N_("version")));
        html(b, rb_str(p, p->version));
    }
    if (p->has_items) {
        rb_buf_printf(b, " · %s ", TR(N_("full mark")));
        num(b, p, p->scale);
    }
    rb_buf_puts(b, "</p>\n<form id=\"rubric-values\" novalidate>\n");
    fields(pg);
    section(pg, 0, 1);
    rb_buf_puts(b, "</form>\n");
    /* The contract for tools (SPEC §15): data-ok, data-total, data-grade as
     * `score` prints them, data-ready once the values now in the form are
     * scored. */
    rb_buf_printf(b, "<section id=\"rubric-result\" role=\"status\" aria-live=\"polite\" data-ready=\"false\" "
                     "data-ok=\"\" data-total=\"\" data-grade=\"\" aria-labelledby=\"result-title\">"
                     "<h2 id=\"result-title\">%s</h2>"
                     "<p class=\"summary\"><span class=\"total\"></span> <span class=\"grade\"></span> "
                     "<span class=\"state\"></span></p><dl class=\"outputs\"></dl>"
                     "<ul class=\"warnings\"></ul><ul class=\"errors\"></ul></section>\n",
                  TR(N_("Result")));
    legend(pg);
    signatures(pg);
    rb_buf_printf(b, "<div class=\"actions\"><button type=\"button\" id=\"rubric-save\">%s</button> "
                     "<button type=\"button\" id=\"rubric-print\">%s</button>"
                     "<label for=\"rubric-ndjson\">%s</label>"
                     "<textarea id=\"rubric-ndjson\" readonly rows=\"2\"></textarea></div>\n",
                  TR(N_("Save")), TR(N_("Print")), TR(N_("The record as one NDJSON line, to copy:")));
    rb_buf_puts(b, "</main>\n");
    config(pg);
    rb_buf_puts(b, "<script type=\"application/octet-stream\" id=\"rubric-rbc\">");
    base64(b, rbc, rbc_len);
    rb_buf_puts(b, "</script>\n<script>\n");
    rb_buf_add(b, (const char *)rb_form_evaluator_js, rb_form_evaluator_js_len);
    rb_buf_puts(b, "\n</script>\n<script>\n");
    rb_buf_add(b, (const char *)rb_form_js, rb_form_js_len);
    rb_buf_puts(b, "\n</script>\n</body>\n</html>\n");
    rb_free(pg->input_section);
}
