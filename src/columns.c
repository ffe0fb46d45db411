/* columns.c — a template's spreadsheet columns and header resolution (see
 * columns.h). */
#include "columns.h"

#include "arena.h"
#include "buf.h"
#include "cell.h"
#include "diag.h"
#include "program.h"

#include <stdlib.h>
#include <string.h>

static const char *name_or_label(const rb_program *p, uint32_t name, uint32_t label)
{
    return rb_str(p, label != RB_NONE ? label : name);
}

static char *joined(const char *a, const char *b)
{
    rb_buf s = {0};
    rb_buf_printf(&s, "%s.%s", a, b);
    return s.s;
}

rb_columns *rb_columns_new(const rb_program *p)
{
    rb_columns *c = rb_xcalloc(1, sizeof *c);
    c->p = p;
    for (int pass = 0; pass < 2; pass++) {
        size_t n = 0;
        for (uint32_t i = 0; i < p->ninputs; i++) {
            const rb_input *in = &p->inputs[i];
            const rb_slot *s = &p->slots[in->slot];
            bool rated = in->rated && in->item != RB_NONE && p->nraters > 0;
            for (uint32_t k = 0; k < (rated ? p->nraters : 1); k++, n++) {
                if (pass == 0) continue;
                rb_column *col = &c->cols[n];
                col->input = i;
                col->rater = rated ? k : RB_NONE;
                if (rated) {
                    const rb_rater *r = &p->raters[k];
                    col->key = joined(rb_str(p, s->name), rb_str(p, r->id));
                    col->label = joined(name_or_label(p, s->name, s->label), name_or_label(p, r->id, r->label));
                } else {
                    col->key = rb_xstrdup(rb_str(p, s->name));
                    col->label = rb_xstrdup(name_or_label(p, s->name, s->label));
                }
            }
        }
        if (pass == 0) c->cols = rb_xcalloc(n ? n : 1, sizeof *c->cols);
        c->n = n;
    }
    return c;
}

void rb_columns_free(rb_columns *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) {
        rb_free(c->cols[i].key);
        rb_free(c->cols[i].label);
    }
    rb_free(c->cols);
    rb_free(c);
}

/* Does `h` name column `col` by labels, in any mix of name and label for
 * the item and for the rater? */
static bool labels_column(const rb_program *p, const rb_column *col, const char *h)
{
    const rb_slot *s = &p->slots[p->inputs[col->input].slot];
    const char *iname = rb_str(p, s->name), *ilabel = s->label != RB_NONE ? rb_str(p, s->label) : NULL;
    if (col->rater == RB_NONE) return ilabel && strcmp(h, ilabel) == 0;
    const rb_rater *r = &p->raters[col->rater];
    const char *rname = rb_str(p, r->id), *rlabel = r->label != RB_NONE ? rb_str(p, r->label) : NULL;
    const char *items[] = {iname, ilabel}, *raters[] = {rname, rlabel};
    for (int a = 0; a < 2; a++) {
        for (int b = 0; b < 2; b++) {
            if (!items[a] || !raters[b] || (a == 0 && b == 0)) continue;
            size_t la = strlen(items[a]);
            if (strncmp(h, items[a], la) == 0 && h[la] == '.' && strcmp(h + la + 1, raters[b]) == 0) return true;
        }
    }
    return false;
}

char *rb_columns_resolve(void *columns, const char *cell, size_t len, rb_lang lang, char **note)
{
    const rb_columns *c = columns;
    const rb_program *p = c->p;
    rb_cell_trim(&cell, &len);
    char *h = rb_xmalloc(len + 1);
    memcpy(h, cell, len);
    h[len] = '\0';
    *note = NULL;
    /* a name: every slot (a computed one is the evaluator's to refuse), or
     * a rated item's "item.x" (an unknown rater is the evaluator's too) */
    for (uint32_t i = 0; i < p->nslots; i++)
        if (strcmp(h, rb_str(p, p->slots[i].name)) == 0) return h;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(h, c->cols[i].key) == 0) return h;
    const rb_column *found = NULL, *other = NULL;
    for (size_t i = 0; i < c->n && !other; i++) {
        if (!labels_column(p, &c->cols[i], h)) continue;
        if (!found) found = &c->cols[i];
        else other = &c->cols[i];
    }
    if (found && !other) {
        rb_free(h);
        return rb_xstrdup(found->key);
    }
    rb_buf msg = {0};
    const char *dot = strchr(h, '.');
    for (size_t i = 0; dot && !other && i < c->n; i++) {
        const char *key = c->cols[i].key;
        /* "item.someone": the evaluator names the raters there are */
        if (c->cols[i].rater != RB_NONE && strncmp(h, key, (size_t)(dot - h + 1)) == 0) return h;
    }
    if (other) {
        rb_buf_printf(&msg, rb_tr(lang, "header \"%s\" is the label of both %s and %s: write the name of the one you mean"),
                      h, found->key, other->key);
    } else if (!c->allow_extra) {
        rb_suggestion sg = rb_suggest_begin(h);
        for (size_t i = 0; i < c->n; i++) {
            const rb_slot *s = &p->slots[p->inputs[c->cols[i].input].slot];
            rb_suggest_try(&sg, c->cols[i].key);
            rb_suggest_try(&sg, c->cols[i].label);
            rb_suggest_try(&sg, rb_str(p, s->name));
            if (s->label != RB_NONE) rb_suggest_try(&sg, rb_str(p, s->label));
        }
        if (sg.best)
            rb_buf_printf(&msg, rb_tr(lang, "header \"%s\" names nothing in form %s; did you mean \"%s\"?"), h,
                          rb_str(p, p->name), sg.best);
        else
            rb_buf_printf(&msg, rb_tr(lang, "header \"%s\" names nothing in form %s"), h, rb_str(p, p->name));
    }
    *note = msg.s;
    return h;
}
