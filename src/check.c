/* check.c — semantic checks of a parsed template (see check.h).
 *
 * Passes, in order: collect declarations into the one form-wide namespace;
 * resolve named types; apply -D overrides to params; compute the scoring
 * structure (full marks, weights, which values may be absent); type every
 * expression (bands and grades included); order the declarations by their
 * dependencies; warn about inputs nobody uses.  Every pass keeps going after
 * an error (TC_ERROR poisons a value so one mistake is reported once). */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "builtins.h"
#include "buf.h"
#include "date.h"
#include "distrib.h"
#include "program.h"
#include "strset.h"

/* A declaration on the dependency walk's stack. */
typedef struct walk_frame {
    ast_decl *d;
    size_t first;      /* its dependencies are pending[first..end) */
    size_t next, end;  /* the next one to visit */
} walk_frame;

typedef struct {
    rb_arena *arena;
    rb_source *src;
    rb_diags *diags;
    ast_decl *form;
    ast_decl **names;       /* open-addressing table of named declarations */
    size_t cap;
    ast_decl *attr[DECL_PRECISION + 1]; /* form attributes by kind */
    ast_decl *raters, *grade, *total;
    ast_decl *key, *distribution;      /* `key FIELD`, `distribution { … }` */
    ast_decl *key_field, *period_field, *dist_by; /* the fields they name */
    ast_decl **order;
    size_t norder, order_cap;
    struct walk_frame *frames; /* dependency walk stack (see walk) */
    size_t depth, frames_cap;
    ast_decl **pending;     /* dependencies the frames have still to visit */
    size_t npending, pending_cap;
    ast_decl *current;      /* the declaration whose expressions are typed */
    bool items;             /* the form has items (so a total) */
    ast_decl *result_total, *result_grade; /* what `total`/`grade` denote, once used */
} ctx;

enum { ST_NONE, ST_BUSY, ST_DONE };

#define ERR(c, code, span, ...) rb_diag_add((c)->diags, RB_SEV_ERROR, code, span, __VA_ARGS__)
#define WARN(c, code, span, ...) rb_diag_add((c)->diags, RB_SEV_WARNING, code, span, __VA_ARGS__)
/* A noun phrase a message quotes ("a band arm"), in the diagnostics' language. */
#define TR(c, s) rb_tr((c)->diags->lang, s)

/* ---- helpers ---------------------------------------------------------- */

const char *rb_type_name(int tc)
{
    static const char *base[] = {"error", "number", "bool", "text", "date", "choice", "choices"};
    static const char *maybe[] = {"error", "optional number", "optional bool", "optional text",
                                  "optional date", "optional choice", "optional choices"};
    int b = TC_BASE(tc);
    if (b < 0 || b > TC_SET) return "?";
    return (tc & TC_MAYBE) ? maybe[b] : base[b];
}

static int type_of_kind(ast_type_kind k)
{
    switch (k) {
    case TY_NUMBER: case TY_INTEGER: case TY_PERCENT: return TC_NUM;
    case TY_TEXT: return TC_TEXT;
    case TY_BOOL: return TC_BOOL;
    case TY_DATE: return TC_DATE;
    case TY_CHOICE: return TC_CHOICE;
    case TY_CHOICES: return TC_SET;
    case TY_NAMED: return TC_ERROR;
    }
    return TC_ERROR;
}

static size_t hash_name(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a, 64-bit on every target (wasm32 too) */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (size_t)h;
}

static ast_decl **lookup_slot(ctx *c, const char *name)
{
    size_t i = hash_name(name) & (c->cap - 1);
    while (c->names[i] && strcmp(c->names[i]->name, name) != 0) i = (i + 1) & (c->cap - 1);
    return &c->names[i];
}

static ast_decl *lookup(ctx *c, const char *name)
{
    return *lookup_slot(c, name);
}

/* Closest declared name for a did-you-mean, or NULL. */
static const char *closest_name(ctx *c, const char *name, bool values_only)
{
    rb_suggestion sg = rb_suggest_begin(name);
    for (size_t i = 0; i < c->cap; i++) {
        ast_decl *d = c->names[i];
        if (d && !(values_only && (d->kind == DECL_TYPE || d->kind == DECL_SIGN))) rb_suggest_try(&sg, d->name);
    }
    return sg.best;
}

/* "an input", "a section": the kind of a declaration with its article. */
static const char *kind_with_article(ctx *c, const ast_decl *d)
{
    switch (d->kind) { /* the kinds a name can denote */
    case DECL_PARAM: return TR(c, N_("a param"));
    case DECL_FIELD: return TR(c, N_("a field"));
    case DECL_TYPE: return TR(c, N_("a type"));
    case DECL_SECTION: return TR(c, N_("a section"));
    case DECL_INPUT: return TR(c, N_("an input"));
    case DECL_ITEM: return TR(c, N_("an item"));
    case DECL_DEDUCT: return TR(c, N_("a deduct"));
    case DECL_LET: return TR(c, N_("a let"));
    case DECL_OUTPUT: return TR(c, N_("an output"));
    case DECL_SIGN: return TR(c, N_("a sign"));
    default: break;
    }
    const char *k = ast_decl_kind_name(d->kind);
    return rb_arena_printf(c->arena, "%s %s", strchr("aeiou", k[0]) ? "an" : "a", k);
}

static bool is_scored(const ast_decl *d)
{
    return d->kind == DECL_ITEM || d->kind == DECL_SECTION;
}

/* ---- pass 1: collect -------------------------------------------------- */

/* An input or field declared optional without a default may be absent. */
static bool declared_optional(const ast_decl *d)
{
    bool opt = false, def = false;
    for (const ast_constraint *k = d->constraints; k; k = k->next) {
        opt |= k->kind == CON_OPTIONAL;
        def |= k->kind == CON_DEFAULT;
    }
    return opt && !def;
}

static void collect(ctx *c, ast_decl *parent, ast_decl *body)
{
    for (ast_decl *d = body; d; d = d->next) {
        d->parent = parent;
        switch (d->kind) {
        case DECL_PERIOD: case DECL_VERSION: case DECL_SCALE: case DECL_PRECISION:
            if (parent != c->form) {
                ERR(c, "E0207", d->kw_span, "'%s' is a form attribute and cannot stand inside a section",
                    ast_decl_kind_name(d->kind));
            } else if (c->attr[d->kind]) {
                rb_diag *g = ERR(c, "E0207", d->kw_span, "'%s' is given twice", ast_decl_kind_name(d->kind));
                uint32_t line, col;
                rb_source_position(c->src, c->attr[d->kind]->kw_span.start, &line, &col);
                rb_diag_help(g, "the first one is at line %u", line);
            } else {
                c->attr[d->kind] = d;
            }
            continue;
        case DECL_RATERS: case DECL_GRADE: case DECL_TOTAL: case DECL_KEY: case DECL_DISTRIBUTION: {
            ast_decl **slot = d->kind == DECL_RATERS ? &c->raters : d->kind == DECL_GRADE ? &c->grade
                            : d->kind == DECL_KEY ? &c->key : d->kind == DECL_DISTRIBUTION ? &c->distribution
                            : &c->total;
            if (parent != c->form) {
                ERR(c, "E0213", d->kw_span, "'%s' belongs to the form, not inside a section",
                    ast_decl_kind_name(d->kind));
            } else if (*slot) {
                ERR(c, "E0213", d->kw_span, "the form has more than one '%s'", ast_decl_kind_name(d->kind));
            } else {
                *slot = d;
            }
            continue;
        }
        case DECL_SIGN:
            /* signature lines sit at the foot of the paper form (SPEC §15) */
            if (parent != c->form) {
                ERR(c, "E0213", d->kw_span, "'sign' belongs to the form, not inside a section");
                continue;
            }
            break;
        default:
            break;
        }
        if (d->kind == DECL_FIELD || d->kind == DECL_INPUT) d->maybe = declared_optional(d);
        if (d->name) {
            ast_decl **slot = lookup_slot(c, d->name);
            if (*slot) {
                uint32_t line, col;
                rb_source_position(c->src, (*slot)->name_span.start, &line, &col);
                rb_diag *g = ERR(c, "E0202", d->name_span, "'%s' is already declared", d->name);
                rb_diag_help(g, "the first '%s' is the %s at line %u; all names of a form share one namespace",
                             d->name, ast_decl_kind_name((*slot)->kind), line);
            } else {
                *slot = d;
            }
        }
        if (d->kind == DECL_SECTION) collect(c, d, d->body);
    }
}

static size_t count_decls(const ast_decl *body)
{
    size_t n = 0;
    for (const ast_decl *d = body; d; d = d->next) n += 1 + (d->kind == DECL_SECTION ? count_decls(d->body) : 0);
    return n;
}

/* ---- pass 2: types ---------------------------------------------------- */

static ast_type *resolve_type(ctx *c, ast_type *t, int depth);

static ast_type *resolve_named(ctx *c, ast_type *t, int depth)
{
    if (t->resolved) return t->resolved;
    ast_decl *d = lookup(c, t->name);
    if (!d || d->kind != DECL_TYPE) {
        rb_diag *g = d ? ERR(c, "E0208", t->span, "'%s' is %s, not a type", t->name, kind_with_article(c, d))
                       : ERR(c, "E0208", t->span, "unknown type '%s'", t->name);
        if (!d) {
            rb_suggestion sg = rb_suggest_begin(t->name);
            for (int k = 0; k < TY_NAMED; k++) rb_suggest_try(&sg, rb_type_word(k));
            for (size_t i = 0; i < c->cap; i++)
                if (c->names[i] && c->names[i]->kind == DECL_TYPE) rb_suggest_try(&sg, c->names[i]->name);
            if (sg.best) rb_diag_help(g, "did you mean '%s'?", sg.best);
        }
        return NULL;
    }
    if (depth > 32) {
        ERR(c, "E0209", d->name_span, "type '%s' is defined in terms of itself", d->name);
        return NULL;
    }
    ast_type *r = resolve_type(c, d->type, depth + 1);
    t->resolved = r;
    return r;
}

static ast_type *resolve_type(ctx *c, ast_type *t, int depth)
{
    if (!t) return NULL;
    if (t->kind == TY_NAMED) return resolve_named(c, t, depth);
    if ((t->kind == TY_CHOICE || t->kind == TY_CHOICES) && !t->resolved) {
        t->resolved = t;
        /* the limit first: a choice past it is not looked into further */
        int n = 0, valued = 0;
        for (ast_option *o = t->options; o; o = o->next, n++)
            if (o->has_value) valued++;
        if (n == 0) ERR(c, "E0307", t->span, "a choice needs at least one option");
        if (n > 64) {
            ERR(c, "E0307", t->span, "a choice has %d options; the limit is 64", n);
            return t;
        }
        rb_strset ids = {0};
        for (ast_option *o = t->options; o; o = o->next)
            if (!rb_strset_add(&ids, o->id, strlen(o->id))) ERR(c, "E0307", o->id_span, "option '%s' is listed twice", o->id);
        rb_strset_free(&ids);
        if (valued && valued != n)
            ERR(c, "E0307", t->span, "%d of %d options carry '= NUMBER'; give every option a number or none", valued, n);
    }
    t->resolved = t;
    return t;
}

/* Which part of a value's rule a constraint sets, so that a field's own
 * constraint replaces its named type's of the same part. */
enum { PART_LOW = 1, PART_HIGH = 2, PART_PRESENCE = 4, PART_DEFAULT = 8, PART_UNIT = 16 };
static int constraint_parts(ast_con_kind k)
{
    switch (k) {
    case CON_IN: return PART_LOW | PART_HIGH;
    case CON_GE: case CON_GT: return PART_LOW;
    case CON_LE: case CON_LT: return PART_HIGH;
    case CON_REQUIRED: case CON_OPTIONAL: return PART_PRESENCE;
    case CON_DEFAULT: return PART_DEFAULT;
    case CON_UNIT: return PART_UNIT;
    }
    return 0;
}

/* `type 评分 = integer in 1..5` carries its constraints to every field and
 * input declared with it (SPEC §12): they are appended to the declaration's
 * own, except where its own already set that part (`input x: 评分 optional`
 * keeps 1..5; `input y: 评分 in 1..3` narrows it).  A named type may itself
 * name another: the nearer one wins. */
static void inherit_constraints(ctx *c, ast_decl *d, const ast_type *t, int depth)
{
    if (!t || t->kind != TY_NAMED || depth > 32) return;
    ast_decl *td = lookup(c, t->name);
    if (!td || td->kind != DECL_TYPE) return;
    int own = 0;
    ast_constraint **tail = &d->constraints;
    for (ast_constraint *k = d->constraints; k; k = k->next) {
        own |= constraint_parts(k->kind);
        tail = &k->next;
    }
    for (const ast_constraint *k = td->constraints; k; k = k->next) {
        if (constraint_parts(k->kind) & own) continue;
        ast_constraint *copy = rb_arena_alloc(c->arena, sizeof *copy);
        *copy = *k;
        copy->next = NULL;
        *tail = copy;
        tail = &copy->next;
    }
    inherit_constraints(c, d, td->type, depth + 1);
}

static bool choice_numeric(const ast_type *t)
{
    if (!t || !t->options) return false;
    for (const ast_option *o = t->options; o; o = o->next)
        if (!o->has_value) return false;
    return true;
}

/* Option index by id or exact label, -1 if none. */
int rb_find_option(const ast_type *t, const char *s)
{
    int i = 0;
    for (const ast_option *o = t->options; o; o = o->next, i++)
        if (strcmp(o->id, s) == 0) return i;
    i = 0;
    for (const ast_option *o = t->options; o; o = o->next, i++)
        if (o->label && strcmp(o->label, s) == 0) return i;
    return -1;
}

static void option_help(ctx *c, rb_diag *g, const ast_type *t, const char *s)
{
    rb_suggestion sg = rb_suggest_begin(s);
    size_t len = 0;
    char list[512];
    for (const ast_option *o = t->options; o; o = o->next) {
        rb_suggest_try(&sg, o->id);
        if (o->label) rb_suggest_try(&sg, o->label);
        int w = snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "", o->id);
        if (w < 0 || (size_t)w >= sizeof list - len) break;
        len += (size_t)w;
    }
    (void)c;
    if (sg.best) rb_diag_help(g, "did you mean '%s'? the options are: %s", sg.best, list);
    else rb_diag_help(g, "the options are: %s", list);
}

/* Does the literal fit type t?  Reports E0304 and returns false if not.
 * For a choice, a string literal must name an option. */
/* what: "the default", a message id */
static bool literal_fits(ctx *c, const ast_literal *lit, const ast_type *t, const char *what)
{
    what = TR(c, what);
    if (!t || lit->kind == LIT_NONE) return true;
    switch (t->kind) {
    case TY_NUMBER: case TY_PERCENT:
        if (lit->kind == LIT_NUMBER) return true;
        break;
    case TY_INTEGER:
        if (lit->kind == LIT_NUMBER) {
            if (rb_num_is_integer(lit->num)) return true;
            ERR(c, "E0304", lit->span, "%s must be a whole number (the type is integer)", what);
            return false;
        }
        break;
    case TY_TEXT:
        if (lit->kind == LIT_STRING) return true;
        break;
    case TY_BOOL:
        if (lit->kind == LIT_BOOL) return true;
        break;
    case TY_DATE:
        if (lit->kind == LIT_STRING) {
            if (rb_valid_date(lit->str, strlen(lit->str))) return true;
            ERR(c, "E0308", lit->span, "'%s' is not a date; write YYYY-MM-DD, e.g. \"2026-04-30\"", lit->str);
            return false;
        }
        break;
    case TY_CHOICE:
        if (lit->kind == LIT_STRING) {
            if (rb_find_option(t, lit->str) >= 0) return true;
            rb_diag *g = ERR(c, "E0302", lit->span, "'%s' is not an option of this choice", lit->str);
            option_help(c, g, t, lit->str);
            return false;
        }
        break;
    case TY_CHOICES: case TY_NAMED:
        ERR(c, "E0304", lit->span, "%s cannot be given for a %s value", what,
            t->kind == TY_CHOICES ? "choices" : "named");
        return false;
    }
    static const char *lk[] = {N_("nothing"), N_("a number"), N_("a string"), N_("true/false")};
    ERR(c, "E0304", lit->span, "%s is %s, but the type is %s", what, TR(c, lk[lit->kind]), rb_type_word(t->kind));
    return false;
}

/* Constraints of a field or input: which apply, whether they are consistent. */
static void check_constraints(ctx *c, ast_decl *d, ast_type *t)
{
    ast_constraint *req = NULL, *opt = NULL, *def = NULL, *seen[CON_UNIT + 1] = {0};
    bool numeric = t && (t->kind == TY_NUMBER || t->kind == TY_INTEGER || t->kind == TY_PERCENT);
    bool set = t && t->kind == TY_CHOICES;
    rb_num lo = {0, 1}, hi = {0, 1};
    bool has_lo = false, has_hi = false;
    for (ast_constraint *k = d->constraints; k; k = k->next) {
        if (seen[k->kind] && k->kind != CON_GE && k->kind != CON_LE && k->kind != CON_GT && k->kind != CON_LT) {
            ERR(c, "E0305", k->span, "this constraint is given twice for '%s'", d->name);
            continue;
        }
        seen[k->kind] = k;
        switch (k->kind) {
        case CON_REQUIRED: req = k; break;
        case CON_OPTIONAL: opt = k; break;
        case CON_DEFAULT: def = k; break;
        case CON_UNIT:
            if (t && !numeric) ERR(c, "E0305", k->span, "'unit' applies to numbers, and '%s' is not one", d->name);
            break;
        case CON_IN: case CON_GE: case CON_GT: case CON_LE: case CON_LT:
            if (t && !numeric && !set) {
                ERR(c, "E0305", k->span, "a range applies to numbers (or to how many options of a 'choices' are chosen); '%s' is neither",
                    d->name);
                break;
            }
            if (k->kind == CON_IN || k->kind == CON_GE || k->kind == CON_GT) {
                if (has_lo) ERR(c, "E0305", k->span, "'%s' already has a lower bound", d->name);
                has_lo = true;
                lo = k->a.num;
            }
            if (k->kind == CON_IN || k->kind == CON_LE || k->kind == CON_LT) {
                if (has_hi) ERR(c, "E0305", k->span, "'%s' already has an upper bound", d->name);
                has_hi = true;
                hi = k->kind == CON_IN ? k->b.num : k->a.num;
            }
            if (k->kind == CON_IN && rb_num_cmp(k->a.num, k->b.num) > 0)
                ERR(c, "E0305", k->span, "the range %s..%s is empty", rb_num_text(c->arena, k->a.num), rb_num_text(c->arena, k->b.num));
            break;
        }
    }
    bool empty_in = false;
    for (ast_constraint *k = d->constraints; k; k = k->next)
        empty_in |= k->kind == CON_IN && rb_num_cmp(k->a.num, k->b.num) > 0;
    if (has_lo && has_hi && rb_num_cmp(lo, hi) > 0 && !empty_in) /* an empty `in` is reported already */
        ERR(c, "E0305", d->name_span, "the bounds of '%s' leave no value", d->name);
    if (req && opt) ERR(c, "E0305", opt->span, "'%s' cannot be both required and optional", d->name);
    if (def && req) ERR(c, "E0305", def->span, "a required value never uses its default; drop 'required' or 'default'");
    if (def && t) {
        if (literal_fits(c, &def->a, t, N_("the default")) && numeric && def->a.kind == LIT_NUMBER) {
            for (ast_constraint *k = d->constraints; k; k = k->next) {
                int lo_c = rb_num_cmp(def->a.num, k->a.num);
                bool bad = (k->kind == CON_IN && (lo_c < 0 || rb_num_cmp(def->a.num, k->b.num) > 0)) ||
                           (k->kind == CON_GE && lo_c < 0) || (k->kind == CON_GT && lo_c <= 0) ||
                           (k->kind == CON_LE && lo_c > 0) || (k->kind == CON_LT && lo_c >= 0);
                if (bad) {
                    ERR(c, "E0306", def->span, "the default %s breaks the constraint on '%s'",
                        rb_num_text(c->arena, def->a.num), d->name);
                    break;
                }
            }
        }
    }
}

/* ---- pass 3: -D overrides --------------------------------------------- */

static void apply_defines(ctx *c, const rb_define *defs, size_t n)
{
    rb_span none = RB_SPAN_NONE; /* -D comes from the command line, not the text */
    for (size_t i = 0; i < n; i++) {
        ast_decl *d = lookup(c, defs[i].name);
        if (!d || d->kind != DECL_PARAM) {
            rb_diag *g = d ? ERR(c, "E0210", none, "-D %s: '%s' is %s, not a param", defs[i].name, defs[i].name,
                                 kind_with_article(c, d))
                           : ERR(c, "E0210", none, "-D %s: the form has no param named '%s'", defs[i].name, defs[i].name);
            rb_suggestion sg = rb_suggest_begin(defs[i].name);
            for (size_t k = 0; k < c->cap; k++)
                if (c->names[k] && c->names[k]->kind == DECL_PARAM) rb_suggest_try(&sg, c->names[k]->name);
            if (sg.best) rb_diag_help(g, "did you mean '%s'?", sg.best);
            continue;
        }
        ast_type *t = d->type ? d->type->resolved : NULL;
        if (!t) continue;
        const char *v = defs[i].value;
        size_t len = strlen(v);
        ast_literal lit = {.span = d->value.span};
        switch (t->kind) {
        case TY_NUMBER: case TY_INTEGER: case TY_PERCENT: {
            rb_num x;
            if (rb_num_parse_percent(v, len, &x) != RB_NUM_OK) {
                ERR(c, "E0211", none, "-D %s=%s: '%s' is not a number", d->name, v, v);
                continue;
            }
            lit.kind = LIT_NUMBER;
            lit.num = x;
            if (t->kind == TY_INTEGER && !rb_num_is_integer(x)) {
                ERR(c, "E0211", none, "-D %s=%s: '%s' is an integer param", d->name, v, d->name);
                continue;
            }
            break;
        }
        case TY_BOOL:
            if (strcmp(v, "true") && strcmp(v, "false")) {
                ERR(c, "E0211", none, "-D %s=%s: write true or false", d->name, v);
                continue;
            }
            lit.kind = LIT_BOOL;
            lit.boolean = v[0] == 't';
            break;
        case TY_DATE:
            if (!rb_valid_date(v, len)) {
                ERR(c, "E0211", none, "-D %s=%s: write a date as YYYY-MM-DD", d->name, v);
                continue;
            }
            /* fall through */
        case TY_TEXT:
            lit.kind = LIT_STRING;
            lit.str = rb_arena_strndup(c->arena, v, len);
            break;
        case TY_CHOICE:
            if (rb_find_option(t, v) < 0) {
                rb_diag *g = ERR(c, "E0211", none, "-D %s=%s: '%s' is not an option", d->name, v, v);
                option_help(c, g, t, v);
                continue;
            }
            lit.kind = LIT_STRING;
            lit.str = rb_arena_strndup(c->arena, v, len);
            break;
        default:
            continue;
        }
        d->value = lit;
    }
}

/* ---- pass 4: scoring structure ----------------------------------------- */

static bool positive(rb_num n) { return rb_num_sign(n) > 0; }

/* `points A..B` (SPEC §12): an item's rating scale, literals 0 <= A < B. */
static void rating_scale(ctx *c, ast_decl *d)
{
    if (d->kind != DECL_ITEM) {
        rb_span at = {d->low.span.start, d->points.span.end};
        rb_diag *g = d->kind == DECL_DEDUCT ? ERR(c, "E0409", at, "a deduction takes no rating scale")
                                            : ERR(c, "E0409", at, "a section takes no rating scale");
        rb_diag_help(g, "write 'points %s': only an item is rated on a scale, everything else counts from 0",
                     rb_num_text(c->arena, d->points.num));
        d->has_low = false;
    } else if (rb_num_sign(d->low.num) < 0 || rb_num_cmp(d->low.num, d->points.num) >= 0) {
        rb_span at = {d->low.span.start, d->points.span.end};
        rb_diag *g = ERR(c, "E0409", at, "the rating scale %s..%s is not a scale", rb_num_text(c->arena, d->low.num),
                         rb_num_text(c->arena, d->points.num));
        rb_diag_help(g, "a scale runs from its lowest rating (0 or more) up to its full mark, e.g. 'points 1..5'");
        d->has_low = false;
    }
}

/* Computes full marks, weights and "may be absent" bottom-up. */
static void structure(ctx *c, ast_decl *s)
{
    bool root = s == c->form;
    size_t scored = 0, weighted = 0, maybe = 0;
    rb_num sum_full = rb_num_zero(), sum_w = rb_num_zero();
    ast_decl *first_unweighted = NULL, *first_weighted = NULL;
    bool overflow = false;
    for (ast_decl *d = s->body; d; d = d->next) {
        switch (d->kind) {
        case DECL_SECTION:
            if (d->has_low) rating_scale(c, d);
            structure(c, d);
            break;
        case DECL_ITEM: case DECL_DEDUCT:
            if (!d->has_points || d->points.kind != LIT_NUMBER) {
                ERR(c, "E0401", d->name_span, "%s '%s' needs 'points N'", ast_decl_kind_name(d->kind), d->name);
                d->full = rb_num_int(1);
            } else if (!positive(d->points.num)) {
                ERR(c, "E0401", d->points.span, "points must be more than 0");
                d->full = rb_num_int(1);
            } else {
                d->full = d->points.num;
            }
            if (d->has_low) rating_scale(c, d);
            if (d->kind == DECL_ITEM) {
                if (d->optional && d->expr)
                    ERR(c, "E0405", d->name_span,
                        "'optional' applies to items the evaluator enters; '%s' is computed by its formula", d->name);
                d->maybe = d->optional || d->when;
            }
            break;
        default:
            break;
        }
        if (d->has_weight && !is_scored(d)) {
            ERR(c, "E0408", d->weight.span, "only items and sections carry a weight");
        }
        if (!is_scored(d)) continue;
        scored++;
        if (d->maybe) maybe++;
        if (rb_num_add(sum_full, d->full, &sum_full) != RB_NUM_OK) overflow = true;
        if (d->has_weight) {
            weighted++;
            if (!first_weighted) first_weighted = d;
            if (!d->weight.is_percent && d->weight.kind == LIT_NUMBER && rb_num_sign(d->weight.num) > 0) {
                /* `weight 40`: meant as 40%, said once, and read so, so that
                 * the sum is not a second error (issue 9) */
                const char *as_written = rb_num_text(c->arena, d->weight.num);
                rb_diag *g = ERR(c, "E0408", d->weight.span, "a weight is a percent, and '%s' has no '%%'", as_written);
                rb_diag_help(g, "did you mean %s%%?", as_written);
                rb_num pct;
                if (rb_num_div(d->weight.num, rb_num_int(100), &pct) == RB_NUM_OK) d->weight.num = pct;
                d->weight.is_percent = true;
            }
            if (rb_num_sign(d->weight.num) <= 0 || rb_num_cmp(d->weight.num, rb_num_int(1)) > 0)
                ERR(c, "E0408", d->weight.span, "a weight must be more than 0%% and at most 100%%");
            if (rb_num_add(sum_w, d->weight.num, &sum_w) != RB_NUM_OK) overflow = true;
        } else if (!first_unweighted) {
            first_unweighted = d;
        }
    }
    if (overflow) ERR(c, "E0402", s->name_span, "the points or weights of '%s' are too large to add up exactly", s->name);
    if (scored == 0) {
        if (!root) {
            rb_diag *g = ERR(c, "E0406", s->name_span, "section '%s' has no items or sections to score", s->name);
            const ast_decl *ded = NULL;
            for (const ast_decl *d = s->body; d && !ded; d = d->next)
                if (d->kind == DECL_DEDUCT) ded = d;
            if (ded) /* a deduction needs something to take its points from */
                rb_diag_help(g, "a deduction takes points from the section it stands in; to take them from the total, "
                                "move 'deduct %s' to form level", ded->name);
        }
        s->full = rb_num_int(0);
        return;
    }
    s->maybe = maybe == scored;
    rb_num declared = rb_num_zero();
    bool has_declared = false;
    if (root && c->attr[DECL_SCALE]) {
        declared = c->attr[DECL_SCALE]->value.num;
        has_declared = true;
    } else if (!root && s->has_points && s->points.kind == LIT_NUMBER) {
        declared = s->points.num;
        has_declared = true;
        if (!positive(declared)) ERR(c, "E0401", s->points.span, "points must be more than 0");
    }
    if (weighted && weighted != scored) {
        ast_decl *u = first_unweighted;
        /* whole sentences for the form and for a section: Chinese joins a
         * noun (表单的) and a quoted name ('work' 的) differently */
        const char *example = rb_num_percent_text(c->arena, first_weighted->weight.num);
        if (root) {
            rb_diag *g = ERR(c, "E0403", u->name_span, "'%s' has no weight, but other parts of the form do", u->name);
            rb_diag_help(g, "weight every item and section of the form, or none (e.g. '%s' has weight %s)",
                         first_weighted->name, example);
        } else {
            rb_diag *g = ERR(c, "E0403", u->name_span, "'%s' has no weight, but other parts of section '%s' do", u->name,
                             s->name);
            rb_diag_help(g, "weight every item and section of section '%s', or none (e.g. '%s' has weight %s)", s->name,
                         first_weighted->name, example);
        }
    } else if (weighted) {
        s->weighted = true;
        if (rb_num_cmp(sum_w, rb_num_int(1)) != 0) {
            rb_diag *g = root ? ERR(c, "E0404", s->kw_span, "the weights of the form add up to %s, not 100%%",
                                    rb_num_percent_text(c->arena, sum_w))
                              : ERR(c, "E0404", s->name_span, "the weights of section '%s' add up to %s, not 100%%",
                                    s->name, rb_num_percent_text(c->arena, sum_w));
            /* each part with its weight, so that the one to change shows */
            rb_buf parts = {0};
            for (ast_decl *d = s->body; d; d = d->next)
                if (is_scored(d) && d->has_weight)
                    rb_buf_printf(&parts, "%s%s %s", parts.len ? ", " : "", d->name, rb_num_percent_text(c->arena, d->weight.num));
            rb_diag_help(g, "the weights of one parent's items and sections must sum to exactly 100%%: %s",
                         parts.s ? parts.s : "");
            rb_buf_free(&parts);
        }
    }
    if (s->weighted) {
        s->full = has_declared ? declared : rb_num_int(100);
    } else if (has_declared) {
        if (!root && rb_num_cmp(declared, sum_full) != 0) {
            rb_diag *g = ERR(c, "E0402", s->points.span, "section '%s' declares points %s, but its parts add up to %s",
                             s->name, rb_num_text(c->arena, declared), rb_num_text(c->arena, sum_full));
            rb_diag_help(g, "make the item points add up to %s, or change the section's points to %s",
                         rb_num_text(c->arena, declared), rb_num_text(c->arena, sum_full));
        }
        s->full = declared;
    } else {
        s->full = sum_full;
    }
}

/* ---- pass 5: expressions ---------------------------------------------- */

static int decl_type(ctx *c, ast_decl *d);
static int expr_type(ctx *c, ast_expr *e);

static bool is_maybe(int t) { return (t & TC_MAYBE) != 0; }

/* How messages name an expression: 'sales', 'total', or this value. */
static const char *shown(ctx *c, const ast_expr *e)
{
    if (e->kind == EX_NAME) return rb_arena_printf(c->arena, "'%s'", e->str);
    if (e->kind == EX_RATER) return rb_arena_printf(c->arena, "'%s.%s'", e->str, e->member);
    if (e->kind == EX_TOTAL) return "'total'";
    if (e->kind == EX_GRADE) return "'grade'";
    return TR(c, N_("this value"));
}

/* Reports a maybe value used where a present value is needed. */
static bool need_present(ctx *c, ast_expr *e, int t)
{
    if (!is_maybe(t)) return true;
    const char *n = e->kind == EX_NAME    ? e->str
                  : e->kind == EX_RATER   ? rb_arena_printf(c->arena, "%s.%s", e->str, e->member)
                  : e->kind == EX_TOTAL   ? "total"
                  : e->kind == EX_GRADE   ? "grade"
                  : e->kind == EX_CALL    ? rb_arena_printf(c->arena, "%s(…)", e->str)
                                          : "x";
    rb_diag *g = ERR(c, "E0303", e->span, "%s may be absent (it is optional or not always applicable)", shown(c, e));
    rb_diag_help(g, "write '%s ?? 0' to use a fallback, or test 'present(%s)' first", n, n);
    return false;
}

/* A bare `warn C` warns unless C holds, which reads as the opposite
 * (SPEC §12): it keeps that meaning, and the warning names both fixes. */
static void bare_warn(ctx *c, const ast_decl *d)
{
    rb_span s = d->expr->span;
    int n = (int)(s.end - s.start);
    rb_diag *g = WARN(c, "W0701", d->kw_span, "a bare 'warn' warns unless its condition holds");
    rb_diag_help(g, "write 'warn unless %.*s' to keep this meaning ('rubric fmt -w' does), or 'warn when …' to warn when it holds",
                 n, c->src->text + s.start);
}

/* Requires a number; a numeric choice becomes its option's number. */
/* role: what needs the number ("a band arm"), a message id or code ("'-'") */
static bool want_num(ctx *c, ast_expr *e, int t, const char *role)
{
    role = TR(c, role);
    if (t == TC_ERROR) return false;
    if (!need_present(c, e, t)) return false;
    if (t == TC_NUM) return true;
    if ((t == TC_CHOICE || t == TC_SET) && e->choice) {
        if (choice_numeric(e->choice)) {
            e->to_num = true;
            return true;
        }
        rb_diag *g = ERR(c, "E0309", e->span, "%s needs a number, but the options of this choice carry no numbers", role);
        rb_diag_help(g, "give every option a value, e.g. 'choice { good \"良好\" = 8, … }', or compare it: x == \"good\"");
        return false;
    }
    ERR(c, "E0301", e->span, "%s needs a number, but this is %s", role, rb_type_name(t));
    return false;
}

static bool want_bool(ctx *c, ast_expr *e, int t, const char *role)
{
    if (t == TC_ERROR) return false;
    if (!need_present(c, e, t)) return false;
    if (t == TC_BOOL) return true;
    rb_diag *g = ERR(c, "E0301", e->span, "%s needs true or false, but this is %s", role, rb_type_name(t));
    if (t == TC_NUM) rb_diag_help(g, "compare it, e.g. '… >= 60'");
    return false;
}

static bool is_const_expr(ctx *c, ast_expr *e, rb_num *out, bool *overflow);

/* An item's `when`: `item b points 10 when g = 1` parses as the condition
 * `g` and the formula `1`, so a number there, followed by nothing but '=',
 * was meant as a comparison. */
static void want_when(ctx *c, ast_decl *d)
{
    int t = expr_type(c, d->when);
    bool eq_follows = false;
    if (t == TC_NUM && d->expr && d->when->span.end <= d->expr->span.start) {
        uint32_t i = d->when->span.end, end = d->expr->span.start, eqs = 0;
        for (; i < end; i++) {
            char ch = c->src->text[i];
            if (ch == '=') eqs++;
            else if (ch != ' ' && ch != '\t') break;
        }
        eq_follows = i == end && eqs == 1;
    }
    if (!eq_follows) {
        want_bool(c, d->when, t, "'when'");
        return;
    }
    rb_diag *g = ERR(c, "E0301", d->when->span, "%s needs true or false, but this is %s", "'when'", rb_type_name(t));
    rb_diag_help(g, "did you mean 'when %s == %s'? Here '=' starts the item's formula",
                 rb_arena_strndup(c->arena, c->src->text + d->when->span.start, d->when->span.end - d->when->span.start),
                 rb_arena_strndup(c->arena, c->src->text + d->expr->span.start, d->expr->span.end - d->expr->span.start));
}



/* The built-in an expression calls, or NULL. */
static const rb_builtin *called(const ast_expr *e)
{
    return e->kind == EX_CALL ? rb_builtin_find(e->str) : NULL;
}

static bool is_history_call(const ast_expr *e)
{
    const rb_builtin *fn = called(e);
    return fn && fn->rule == RB_RULE_HISTORY;
}

/* previous(…) may be absent, and stands where a name may: left of '??' and
 * inside present(). */
static bool is_previous_call(const ast_expr *e)
{
    const rb_builtin *fn = called(e);
    return fn && fn->id == RB_FN_PREVIOUS;
}

/* COND of streak() and EXPR of previous() are evaluated on stored results
 * too, so they may read only what a stored result holds (SPEC §13): the
 * total, the grade, section scores and outputs — and params, which are the
 * same for every period.  Reports the first name that breaks this. */
static bool stored_only(ctx *c, const ast_expr *e, const char *fn)
{
    for (; e; e = NULL) {
        if (is_history_call(e)) {
            ERR(c, "E0802", e->span, "%s() cannot stand inside %s()", e->str, fn);
            return false;
        }
        if (e->kind == EX_RATER) {
            rb_diag *g = ERR(c, "E0802", e->span, "%s() reads earlier results, which do not keep a rater's value", fn);
            rb_diag_help(g, "a stored result holds the total, the grade, section scores and outputs; "
                            "make an output of '%s.%s' to keep it", e->str, e->member);
            return false;
        }
        if (e->kind == EX_NAME && e->ref) {
            ast_decl_kind k = e->ref->kind;
            if (k != DECL_SECTION && k != DECL_OUTPUT && k != DECL_PARAM && k != DECL_RESULT) {
                rb_diag *g = ERR(c, "E0802", e->span, "%s() reads earlier results, which do not keep %s '%s'", fn,
                                 ast_decl_kind_name(k), e->str);
                rb_diag_help(g, "a stored result holds the total, the grade, section scores and outputs; "
                                "make '%s' an output to keep it", e->str);
                return false;
            }
        }
        if (!stored_only(c, e->a, fn) || !stored_only(c, e->b, fn) || !stored_only(c, e->c, fn)) return false;
        for (const ast_expr *a = e->args; a; a = a->next)
            if (!stored_only(c, a, fn)) return false;
        for (const ast_arm *a = e->arms; a; a = a->next)
            if ((a->threshold && !stored_only(c, a->threshold, fn)) || (a->result && !stored_only(c, a->result, fn)))
                return false;
    }
    return true;
}

/* streak(COND): a number; previous(EXPR[, N]): EXPR's type, maybe absent. */
static int check_history_call(ctx *c, ast_expr *e, const rb_builtin *fn_called)
{
    const char *fn = e->str;
    ast_expr *a = e->args;
    if (!c->key_field || !c->period_field) {
        rb_diag *g = ERR(c, "E0802", e->name_span, "%s() reads earlier periods, but the form does not say whose and when",
                         fn);
        rb_diag_help(g, "declare 'key FIELD' (员工编号) and 'period monthly on FIELD' (the record's month)");
    }
    int t = expr_type(c, a);
    if (t != TC_ERROR) stored_only(c, a, fn);
    if (fn_called->id == RB_FN_STREAK) {
        want_bool(c, a, t, "streak()");
        return TC_NUM;
    }
    e->num = rb_num_int(1); /* how many periods back, for codegen */
    if (a->next) {
        rb_num n;
        bool ovf = false;
        int64_t k;
        expr_type(c, a->next);
        if (!is_const_expr(c, a->next, &n, &ovf) || !rb_num_to_int(n, &k) || k < 1 || k > RB_MAX_BACK)
            ERR(c, "E0802", a->next->span, "previous() counts back a whole number of periods from 1 to 1000");
        else
            e->num = n;
    }
    if (t == TC_ERROR) return TC_ERROR;
    e->choice = a->choice;
    return TC_BASE(t) | TC_MAYBE;
}

/* E0204's help when no name is close: every built-in, in the table's order,
 * joined as the language joins a list. */
static const char *function_list(ctx *c)
{
    const char *list = rb_builtins[0].name;
    for (int i = 1; i < RB_BUILTIN_COUNT; i++)
        list = rb_arena_printf(c->arena, TR(c, N_("%s, %s")), list, rb_builtins[i].name);
    return list;
}

static int check_call(ctx *c, ast_expr *e)
{
    const rb_builtin *fn = rb_builtin_find(e->str);
    if (!fn) {
        rb_diag *g = ERR(c, "E0204", e->name_span, "unknown function '%s'", e->str);
        rb_suggestion sg = rb_suggest_begin(e->str);
        for (int i = 0; i < RB_BUILTIN_COUNT; i++) rb_suggest_try(&sg, rb_builtins[i].name);
        if (sg.best) rb_diag_help(g, "did you mean '%s'?", sg.best);
        else rb_diag_help(g, "the functions are %s", function_list(c));
        for (ast_expr *a = e->args; a; a = a->next) expr_type(c, a);
        return TC_ERROR;
    }
    if (e->nargs < fn->min_args || e->nargs > fn->max_args) {
        if (fn->min_args == 1 && fn->max_args == 1)
            ERR(c, "E0206", e->span, "%s() takes 1 argument, not %d", e->str, e->nargs);
        else if (fn->min_args == fn->max_args)
            ERR(c, "E0206", e->span, "%s() takes %d arguments, not %d", e->str, fn->min_args, e->nargs);
        else
            ERR(c, "E0206", e->span, "%s() takes %d to %d arguments, not %d", e->str, fn->min_args, fn->max_args,
                e->nargs);
        for (ast_expr *a = e->args; a; a = a->next) expr_type(c, a);
        return TC_ERROR;
    }
    const char *name = e->str;
    if (fn->rule == RB_RULE_HISTORY) return check_history_call(c, e, fn);
    if (fn->rule == RB_RULE_PRESENT) {
        ast_expr *a = e->args;
        int t = expr_type(c, a);
        if (t == TC_ERROR) return TC_BOOL;
        if (!(t & TC_MAYBE))
            WARN(c, "W0302", a->span, "%s is never absent, so present() is always true", shown(c, a));
        return TC_BOOL;
    }
    if (fn->rule == RB_RULE_CHOICES) {
        ast_expr *a = e->args;
        int t = expr_type(c, a);
        bool ok = t != TC_ERROR && need_present(c, a, t);
        if (ok && t != TC_SET) {
            ERR(c, "E0301", a->span, "%s() needs a 'choices' value, but this is %s", name, rb_type_name(t));
            ok = false;
        }
        if (fn->id == RB_FN_COUNT) return TC_NUM;
        ast_expr *b = a->next;
        if (b->kind != EX_STRING) {
            ERR(c, "E0301", b->span, "has() needs an option written as a string, e.g. has(methods, \"phone\")");
            expr_type(c, b);
        } else if (ok && a->choice) {
            b->type = TC_TEXT;
            int o = rb_find_option(a->choice, b->str);
            if (o < 0) {
                rb_diag *g = ERR(c, "E0302", b->span, "'%s' is not an option of %s", b->str, shown(c, a));
                option_help(c, g, a->choice, b->str);
            }
            b->option = o;
            b->choice = a->choice;
        }
        return TC_BOOL;
    }
    int i = 0;
    for (ast_expr *a = e->args; a; a = a->next, i++) {
        int t = expr_type(c, a);
        want_num(c, a, t, rb_arena_printf(c->arena, TR(c, N_("argument %d of %s()")), i + 1, name));
    }
    if (fn->id == RB_FN_ROUND && e->nargs == 2) {
        rb_num digits;
        bool ovf = false;
        if (is_const_expr(c, e->args->next, &digits, &ovf)) {
            int64_t k;
            if (!rb_num_to_int(digits, &k) || k < 0 || k > RB_NUM_MAX_DIGITS)
                ERR(c, "E0301", e->args->next->span, "round() takes 0 to %d digits", RB_NUM_MAX_DIGITS);
        }
    }
    return TC_NUM;
}

/* Compile-time value of a constant expression: numbers, numeric params and
 * arithmetic on them.  Used for band/grade thresholds. */
static bool is_const_expr(ctx *c, ast_expr *e, rb_num *out, bool *overflow)
{
    rb_num a, b;
    switch (e->kind) {
    case EX_NUMBER:
        *out = e->num;
        return true;
    case EX_NAME: {
        ast_decl *d = lookup(c, e->str);
        if (!d || d->kind != DECL_PARAM || d->value.kind != LIT_NUMBER) return false;
        *out = d->value.num;
        return true;
    }
    case EX_NEG:
        if (!is_const_expr(c, e->a, &a, overflow)) return false;
        *out = rb_num_neg(a);
        return true;
    case EX_ADD: case EX_SUB: case EX_MUL: case EX_DIV: {
        if (!is_const_expr(c, e->a, &a, overflow) || !is_const_expr(c, e->b, &b, overflow)) return false;
        rb_num_status st = e->kind == EX_ADD ? rb_num_add(a, b, out)
                         : e->kind == EX_SUB ? rb_num_sub(a, b, out)
                         : e->kind == EX_MUL ? rb_num_mul(a, b, out)
                                             : rb_num_div(a, b, out);
        if (st != RB_NUM_OK) *overflow = true;
        return st == RB_NUM_OK;
    }
    default:
        return false;
    }
}

/* Checks the thresholds of band or grade arms: constant, monotonic in one
 * direction, every arm reachable, and else (or provable coverage).
 * `what` is "band" or "grade". */
/* A constant as its author wrote it (80%, not 0.8), for messages; the value
 * itself where the text is not a plain literal. */
static const char *as_written(ctx *c, const ast_expr *e, rb_num value)
{
    if (e && e->kind == EX_NUMBER)
        return rb_arena_strndup(c->arena, c->src->text + e->span.start, e->span.end - e->span.start);
    if (e && e->kind == EX_NAME) return rb_arena_printf(c->arena, "%s (%s)", e->str, rb_num_text(c->arena, value));
    return rb_num_text(c->arena, value);
}

static void check_arms(ctx *c, ast_arm *arms, rb_span whole, const char *what)
{
    int dir = 0;            /* +1: >/>= falling thresholds; -1: </<= rising */
    rb_num bound = {0, 1};  /* edge of what earlier arms cover */
    const ast_expr *bound_expr = NULL; /* the threshold that set it, to quote as written */
    bool bound_incl = false, any = false, covered = false, has_else = false;
    for (ast_arm *a = arms; a; a = a->next) {
        if (covered) {
            ERR(c, "E0503", a->span, "this %s arm can never be reached: the arms before it cover every value", what);
            continue;
        }
        if (a->op == ARM_ELSE) {
            has_else = true;
            covered = true;
            if (a->next) {
                ERR(c, "E0503", a->next->span, "arms after 'else' can never be reached");
                return;
            }
            continue;
        }
        rb_num t;
        bool ovf = false;
        expr_type(c, a->threshold);
        if (!is_const_expr(c, a->threshold, &t, &ovf)) {
            rb_diag *g = ERR(c, "E0502", a->threshold->span, "a %s threshold must be a number or a numeric param", what);
            if (ovf) rb_diag_help(g, "the threshold is too large to compute exactly");
            return;
        }
        a->threshold_value = t;
        bool incl = a->op == ARM_GE || a->op == ARM_LE;
        int adir = (a->op == ARM_GT || a->op == ARM_GE) ? 1 : -1;
        if (!any) {
            dir = adir;
            bound = t;
            bound_expr = a->threshold;
            bound_incl = incl;
            any = true;
            continue;
        }
        if (adir != dir) {
            /* The complement of everything covered so far closes the band:
             * `>= 60: … < 60: …`.  Anything else mixes directions. */
            bool closes = rb_num_cmp(t, bound) == 0 && incl != bound_incl;
            if (!closes) {
                rb_diag *g = ERR(c, "E0501", a->span, "'%s %s' goes the other way from the arms before it", rb_arm_op_text(a->op),
                                 rb_num_text(c->arena, t));
                rb_diag_help(g, "list thresholds in one direction (all >=/> falling, or all </<= rising); "
                                "only a last arm that is exactly the rest, like '%s %s', may turn around",
                             dir > 0 ? (bound_incl ? "<" : "<=") : (bound_incl ? ">" : ">="), rb_num_text(c->arena, bound));
                return;
            }
            covered = true;
            continue;
        }
        int cmp = rb_num_cmp(t, bound);
        if (cmp * dir > 0) {
            const char *later = as_written(c, a->threshold, t), *earlier = as_written(c, bound_expr, bound);
            rb_diag *g = dir > 0 ? ERR(c, "E0501", a->threshold->span, "thresholds must fall: %s comes after %s", later, earlier)
                                 : ERR(c, "E0501", a->threshold->span, "thresholds must rise: %s comes after %s", later, earlier);
            if (dir > 0) rb_diag_help(g, "the first arm that holds wins, so order the arms from the highest threshold");
            else rb_diag_help(g, "the first arm that holds wins, so order the arms from the lowest threshold");
            return;
        }
        if (cmp == 0 && (bound_incl || !incl)) {
            ERR(c, "E0503", a->span, "this %s arm can never be reached: '%s %s' is already covered by an earlier arm", what,
                rb_arm_op_text(a->op), rb_num_text(c->arena, t));
            continue;
        }
        bound = t;
        bound_expr = a->threshold;
        bound_incl = incl;
    }
    if (!has_else && !covered) {
        const char *b = rb_num_text(c->arena, bound);
        rb_diag *g = dir > 0 ? (bound_incl ? ERR(c, "E0504", whole, "this %s has no 'else' and values below %s match no arm", what, b)
                                           : ERR(c, "E0504", whole, "this %s has no 'else' and values at or below %s match no arm", what, b))
                             : (bound_incl ? ERR(c, "E0504", whole, "this %s has no 'else' and values above %s match no arm", what, b)
                                           : ERR(c, "E0504", whole, "this %s has no 'else' and values at or above %s match no arm", what, b));
        rb_diag_help(g, "add a last arm 'else: …'");
    }
}

static int check_band(ctx *c, ast_expr *e)
{
    int t = expr_type(c, e->a);
    want_num(c, e->a, t, "band");
    check_arms(c, e->arms, e->span, "band");
    int result = TC_NUM;
    for (ast_arm *a = e->arms; a; a = a->next) {
        if (!a->result) continue;
        int rt = expr_type(c, a->result);
        want_num(c, a->result, rt, N_("a band arm"));
    }
    return result;
}

/* `total` and `grade` in an expression: the rounded total and the grade,
 * read after they are computed (a U_RESULT unit).  Each is a synthetic
 * declaration that depends on the form, its `total` and its `grade`, so
 * reading them from anything that feeds the total is a dependency cycle. */
static ast_decl *result_decl(ctx *c, bool grade, rb_span where)
{
    ast_decl **slot = grade ? &c->result_grade : &c->result_total;
    if (*slot) return *slot;
    ast_decl *d = rb_arena_alloc(c->arena, sizeof *d);
    d->kind = DECL_RESULT;
    d->name = grade ? "grade" : "total";
    d->name_span = d->kw_span = d->span = where;
    d->parent = c->form;
    d->slot = -1;
    /* absent only when nothing in the record applies (no `total = …`) */
    d->maybe = c->form->maybe && !c->total;
    d->type_code = grade ? TC_CHOICE : TC_NUM;
    if (d->maybe) d->type_code |= TC_MAYBE;
    if (grade) {
        ast_type *t = rb_arena_alloc(c->arena, sizeof *t);
        t->kind = TY_CHOICE;
        t->span = c->grade->kw_span;
        t->choiceset = -1;
        t->resolved = t;
        ast_option **tail = &t->options;
        for (ast_arm *a = c->grade->arms; a; a = a->next) {
            ast_option *o = rb_arena_alloc(c->arena, sizeof *o);
            o->id = a->id ? a->id : "";
            o->label = a->label;
            o->id_span = a->id_span;
            *tail = o;
            tail = &o->next;
        }
        d->choice = t;
    }
    d->type_state = ST_DONE;
    *slot = d;
    return d;
}

static int check_result_ref(ctx *c, ast_expr *e)
{
    bool grade = e->kind == EX_GRADE;
    if (!c->items) {
        ERR(c, "E0407", e->span, "a form without items has no %s to read", grade ? "grade" : "total");
        return TC_ERROR;
    }
    if (grade && !c->grade) {
        rb_diag *g = ERR(c, "E0505", e->span, "the form has no grade to read");
        rb_diag_help(g, "declare 'grade { >= 90: excellent \"优秀\" … }' first");
        return TC_ERROR;
    }
    ast_decl *d = result_decl(c, grade, e->span);
    d->used = true;
    e->ref = d;
    e->choice = d->choice;
    return d->type_code;
}

static int check_name(ctx *c, ast_expr *e)
{
    ast_decl *d = lookup(c, e->str);
    if (!d) {
        rb_diag *g = ERR(c, "E0201", e->span, "unknown name '%s'", e->str);
        const char *best = closest_name(c, e->str, true);
        if (best) {
            rb_diag_help(g, "did you mean '%s'?", best);
            lookup(c, best)->used = true; /* no "never used" warning on top of the typo */
        }
        return TC_ERROR;
    }
    if (d->kind == DECL_TYPE || d->kind == DECL_SIGN) {
        ERR(c, "E0203", e->span, "'%s' is %s, not a value", e->str,
            d->kind == DECL_TYPE ? "a type" : "a signature line");
        return TC_ERROR;
    }
    e->ref = d;
    d->used = true;
    int t = decl_type(c, d);
    e->choice = d->choice;
    return t;
}

/* ITEM.RATER (SPEC §12): one rater's value of a directly-rated item, a
 * number (a `many` rater's is the exact mean of the list).  It may be absent
 * when the rater may be (optional, or weight 0%) or the item may not apply. */
static int check_rater(ctx *c, ast_expr *e)
{
    ast_decl *d = lookup(c, e->str);
    if (!d) {
        rb_diag *g = ERR(c, "E0201", e->name_span, "unknown name '%s'", e->str);
        const char *best = closest_name(c, e->str, true);
        if (best) rb_diag_help(g, "did you mean '%s'?", best);
        return TC_ERROR;
    }
    d->used = true;
    if (!c->raters || d->kind != DECL_ITEM || d->expr) {
        rb_diag *g = ERR(c, "E0603", e->span, "'%s.%s' reads one rater's value, but '%s' is not rated by raters",
                         e->str, e->member, e->str);
        if (!c->raters)
            rb_diag_help(g, "the form declares no 'raters { … }'");
        else if (d->kind == DECL_ITEM)
            rb_diag_help(g, "only an item without '= …' takes one value per rater; '%s' is computed by its formula",
                         e->str);
        else
            rb_diag_help(g, "only an item without '= …' takes one value per rater; '%s' is %s", e->str,
                         kind_with_article(c, d));
        return TC_ERROR;
    }
    for (ast_rater *r = c->raters->raters; r; r = r->next) {
        if (strcmp(r->id, e->member) != 0) continue;
        e->ref = d;
        e->rater = r;
        return TC_NUM | (rb_rater_value_maybe(d, r) ? TC_MAYBE : 0);
    }
    rb_diag *g = ERR(c, "E0603", e->member_span, "the form has no rater '%s'", e->member);
    rb_suggestion sg = rb_suggest_begin(e->member);
    rb_buf ids = {0};
    for (ast_rater *r = c->raters->raters; r; r = r->next) {
        rb_suggest_try(&sg, r->id);
        rb_buf_printf(&ids, "%s%s", ids.len ? ", " : "", r->id);
    }
    if (sg.best)
        rb_diag_help(g, "did you mean '%s'?", sg.best);
    else
        rb_diag_help(g, "the raters are: %s", ids.s ? ids.s : "");
    rb_buf_free(&ids);
    return TC_ERROR;
}

bool rb_rater_value_maybe(const ast_decl *item, const ast_rater *r)
{
    return item->maybe || r->optional || (r->weight.kind == LIT_NUMBER && rb_num_is_zero(r->weight.num));
}

static bool comparable(int t)
{
    return t == TC_NUM || t == TC_TEXT || t == TC_DATE;
}

/* A string literal in a comparison takes its meaning from the other side:
 * an option of a choice, a date, or text. */
static int string_against(ctx *c, ast_expr *lit, ast_expr *other, int ot)
{
    if (ot == TC_CHOICE && other->choice) {
        int o = rb_find_option(other->choice, lit->str);
        if (o < 0) {
            rb_diag *g = ERR(c, "E0302", lit->span, "'%s' is not an option of %s", lit->str, shown(c, other));
            option_help(c, g, other->choice, lit->str);
            return TC_ERROR;
        }
        lit->option = o;
        lit->choice = other->choice;
        lit->type = TC_CHOICE;
        return TC_CHOICE;
    }
    if (ot == TC_DATE) {
        if (!rb_valid_date(lit->str, strlen(lit->str))) {
            ERR(c, "E0308", lit->span, "'%s' is not a date; write YYYY-MM-DD", lit->str);
            return TC_ERROR;
        }
        lit->type = TC_DATE;
        return TC_DATE;
    }
    lit->type = TC_TEXT;
    return TC_TEXT;
}

static int check_compare(ctx *c, ast_expr *e)
{
    bool eq = e->kind == EX_EQ || e->kind == EX_NE;
    int ta, tb;
    if (e->a->kind == EX_STRING && e->b->kind != EX_STRING) {
        tb = expr_type(c, e->b);
        if (tb == TC_ERROR || !need_present(c, e->b, tb)) return TC_BOOL;
        ta = string_against(c, e->a, e->b, tb);
    } else if (e->b->kind == EX_STRING && e->a->kind != EX_STRING) {
        ta = expr_type(c, e->a);
        if (ta == TC_ERROR || !need_present(c, e->a, ta)) return TC_BOOL;
        tb = string_against(c, e->b, e->a, ta);
    } else {
        ta = expr_type(c, e->a);
        tb = expr_type(c, e->b);
    }
    if (ta == TC_ERROR || tb == TC_ERROR) return TC_BOOL;
    if (!need_present(c, e->a, ta) || !need_present(c, e->b, tb)) return TC_BOOL;
    /* A numeric choice against a number compares as a number. */
    if (ta == TC_CHOICE && tb == TC_NUM) return want_num(c, e->a, ta, N_("a comparison with a number")), TC_BOOL;
    if (tb == TC_CHOICE && ta == TC_NUM) return want_num(c, e->b, tb, N_("a comparison with a number")), TC_BOOL;
    if (ta != tb || (ta == TC_CHOICE && e->a->choice != e->b->choice && e->a->choice && e->b->choice &&
                     e->a->choice->resolved != e->b->choice->resolved)) {
        ERR(c, "E0301", e->span, "cannot compare %s with %s", rb_type_name(ta), rb_type_name(tb));
        return TC_BOOL;
    }
    if (!eq && !comparable(ta)) {
        ERR(c, "E0301", e->span, "%s values can be tested with == and != only", rb_type_name(ta));
        return TC_BOOL;
    }
    if (ta == TC_SET && eq) {
        ERR(c, "E0301", e->span, "compare a 'choices' value with has(…) or count(…)");
    }
    return TC_BOOL;
}

static int expr_type_inner(ctx *c, ast_expr *e)
{
    int ta, tb, tc;
    switch (e->kind) {
    case EX_NUMBER: return TC_NUM;
    case EX_STRING: return TC_TEXT;
    case EX_BOOL: return TC_BOOL;
    case EX_NAME: return check_name(c, e);
    case EX_RATER: return check_rater(c, e);
    case EX_NEG:
        ta = expr_type(c, e->a);
        want_num(c, e->a, ta, "'-'");
        return TC_NUM;
    case EX_NOT:
        ta = expr_type(c, e->a);
        want_bool(c, e->a, ta, "'not'");
        return TC_BOOL;
    case EX_ADD: case EX_SUB: case EX_MUL: case EX_DIV: {
        static const char *ops[] = {"'+'", "'-'", "'*'", "'/'"};
        const char *op = ops[e->kind - EX_ADD];
        ta = expr_type(c, e->a);
        tb = expr_type(c, e->b);
        want_num(c, e->a, ta, op);
        want_num(c, e->b, tb, op);
        return TC_NUM;
    }
    case EX_EQ: case EX_NE: case EX_LT: case EX_LE: case EX_GT: case EX_GE:
        return check_compare(c, e);
    case EX_AND: case EX_OR:
        ta = expr_type(c, e->a);
        tb = expr_type(c, e->b);
        want_bool(c, e->a, ta, e->kind == EX_AND ? "'and'" : "'or'");
        want_bool(c, e->b, tb, e->kind == EX_AND ? "'and'" : "'or'");
        return TC_BOOL;
    case EX_COALESCE: {
        ta = expr_type(c, e->a);
        tb = expr_type(c, e->b);
        if (ta == TC_ERROR || tb == TC_ERROR) return TC_BASE(ta) ? TC_BASE(ta) : TC_BASE(tb);
        if (!(ta & TC_MAYBE)) {
            WARN(c, "W0301", e->a->span, "%s is never absent, so '?? …' has no effect", shown(c, e->a));
        } else if (e->a->kind != EX_NAME && e->a->kind != EX_RATER && e->a->kind != EX_TOTAL &&
                   e->a->kind != EX_GRADE && !is_previous_call(e->a)) {
            ERR(c, "E0301", e->a->span, "the left side of '?\?' must be a name");
            return TC_ERROR;
        }
        if (!need_present(c, e->b, tb)) return TC_BASE(ta);
        int base = TC_BASE(ta);
        if (base == TC_CHOICE && tb == TC_NUM && e->a->choice && choice_numeric(e->a->choice)) {
            e->a->to_num = true;
            return TC_NUM;
        }
        if (e->b->kind == EX_STRING && (base == TC_CHOICE || base == TC_DATE)) {
            return string_against(c, e->b, e->a, base) == TC_ERROR ? TC_ERROR : base;
        }
        if (tb != base) {
            ERR(c, "E0301", e->b->span, "the fallback after '?\?' is %s, but '%s' is %s", rb_type_name(tb),
                e->a->kind == EX_NAME ? e->a->str : "the value", rb_type_name(base));
            return TC_ERROR;
        }
        e->choice = e->a->choice;
        return base;
    }
    case EX_IF:
        ta = expr_type(c, e->a);
        want_bool(c, e->a, ta, "'if'");
        tb = expr_type(c, e->b);
        tc = expr_type(c, e->c);
        if (tb == TC_ERROR || tc == TC_ERROR) return TC_ERROR;
        if (!need_present(c, e->b, tb) || !need_present(c, e->c, tc)) return TC_ERROR;
        if (tb != tc) {
            if (tb == TC_NUM && tc == TC_CHOICE && want_num(c, e->c, tc, "'else'")) return TC_NUM;
            if (tc == TC_NUM && tb == TC_CHOICE && want_num(c, e->b, tb, "'then'")) return TC_NUM;
            ERR(c, "E0301", e->span, "'then' gives %s but 'else' gives %s", rb_type_name(tb), rb_type_name(tc));
            return TC_ERROR;
        }
        if (tb == TC_CHOICE) e->choice = e->b->choice;
        return tb;
    case EX_CALL:
        return check_call(c, e);
    case EX_BAND:
        return check_band(c, e);
    case EX_TOTAL: case EX_GRADE:
        return check_result_ref(c, e);
    }
    return TC_ERROR;
}

static int expr_type(ctx *c, ast_expr *e)
{
    if (!e) return TC_ERROR;
    int t = expr_type_inner(c, e);
    if (e->kind != EX_STRING || !e->type) e->type = t;
    return e->type;
}

/* The type of what a declaration's name denotes; types lets on demand. */
static int decl_type(ctx *c, ast_decl *d)
{
    if (d->type_state == ST_DONE) return d->type_code;
    /* A cycle (reported by the ordering walk): d is still on the typing
     * walk's stack, or is being typed further up this one. */
    if (d->type_state == ST_BUSY || d->mark == ST_BUSY) return TC_ERROR;
    d->type_state = ST_BUSY;
    int t = TC_ERROR;
    ast_decl *saved = c->current;
    c->current = d;
    switch (d->kind) {
    case DECL_PARAM: case DECL_FIELD: case DECL_INPUT: {
        ast_type *ty = d->type ? d->type->resolved : NULL;
        t = ty ? type_of_kind(ty->kind) : TC_ERROR;
        if (ty && (ty->kind == TY_CHOICE || ty->kind == TY_CHOICES)) d->choice = ty;
        if (d->maybe && t != TC_ERROR) t |= TC_MAYBE;
        break;
    }
    case DECL_ITEM: case DECL_DEDUCT: case DECL_SECTION:
        t = TC_NUM | (d->maybe ? TC_MAYBE : 0);
        break;
    case DECL_LET: case DECL_OUTPUT:
        t = expr_type(c, d->expr);
        if (t != TC_ERROR) need_present(c, d->expr, t);
        t = TC_BASE(t);
        if (d->expr && d->expr->to_num) t = TC_NUM;
        if (d->expr) d->choice = d->expr->choice;
        break;
    default:
        break;
    }
    c->current = saved;
    d->type_code = t;
    d->type_state = ST_DONE;
    return t;
}

static void check_decl_exprs(ctx *c, ast_decl *d)
{
    ast_decl *saved = c->current;
    c->current = d;
    switch (d->kind) {
    case DECL_ITEM: case DECL_DEDUCT:
        if (d->when) want_when(c, d);
        if (d->expr) want_num(c, d->expr, expr_type(c, d->expr), rb_arena_printf(c->arena, TR(c, N_("the score of '%s'")), d->name));
        break;
    case DECL_CHECK: case DECL_WARN:
        want_bool(c, d->expr, expr_type(c, d->expr), d->kind == DECL_CHECK ? "'check'" : "'warn'");
        if (d->kind == DECL_WARN && d->warn_form == WARN_BARE) bare_warn(c, d);
        break;
    case DECL_TOTAL:
        want_num(c, d->expr, expr_type(c, d->expr), "'total'");
        break;
    case DECL_LET: case DECL_OUTPUT:
        decl_type(c, d);
        break;
    case DECL_PARAM: {
        ast_type *t = d->type ? d->type->resolved : NULL;
        if (t && t->kind == TY_CHOICES) ERR(c, "E0304", d->type->span, "a param cannot be a 'choices' checklist");
        else if (t) literal_fits(c, &d->value, t, N_("the param's value"));
        decl_type(c, d);
        break;
    }
    case DECL_TYPE:
        if (d->constraints) check_constraints(c, d, d->type ? d->type->resolved : NULL);
        break;
    case DECL_FIELD: case DECL_INPUT:
        check_constraints(c, d, d->type ? d->type->resolved : NULL);
        decl_type(c, d);
        break;
    default:
        break;
    }
    c->current = saved;
}

static void check_exprs(ctx *c, ast_decl *body)
{
    for (ast_decl *d = body; d; d = d->next) {
        check_decl_exprs(c, d);
        if (d->kind == DECL_SECTION) check_exprs(c, d->body);
    }
}

/* The position of grade `id` among the arms (a cap's target), or -1. */
int rb_cap_target(const ast_decl *grade, const char *id)
{
    int i = 0;
    for (const ast_arm *a = grade->arms; a; a = a->next, i++)
        if (a->id && id && strcmp(a->id, id) == 0) return i;
    return -1;
}

static void check_grade(ctx *c, ast_decl *g)
{
    if (!g) return;
    if (g->expr) want_num(c, g->expr, expr_type(c, g->expr), "'grade on'");
    size_t errors = c->diags->errors;
    check_arms(c, g->arms, g->kw_span, "grade");
    /* Graded on the total, which lies in 0..scale: an arm that needs more
     * than the scale (>= 90 on a form out of 20) can never be given. */
    ast_decl *scale = c->attr[DECL_SCALE];
    rb_num full = c->total && scale ? scale->value.num : c->form->full;
    if (!g->expr && c->items && c->diags->errors == errors && rb_num_sign(full) > 0) {
        for (ast_arm *a = g->arms; a; a = a->next) {
            int cmp = a->op == ARM_ELSE ? 0 : rb_num_cmp(a->threshold_value, full);
            bool never = (a->op == ARM_GE && cmp > 0) || (a->op == ARM_GT && cmp >= 0) ||
                         (a->op == ARM_LT && rb_num_sign(a->threshold_value) <= 0) ||
                         (a->op == ARM_LE && rb_num_sign(a->threshold_value) < 0);
            if (!never) continue;
            rb_diag *w = WARN(c, "W0501", a->span, "grade '%s' can never be given: the total lies in 0..%s",
                              a->id ? a->id : "?", rb_num_text(c->arena, full));
            rb_diag_help(w, "thresholds are on the total's scale (%s here), not on 100, unless the form says 'scale 100'",
                         rb_num_text(c->arena, full));
        }
    }
    rb_strset ids = {0};
    for (ast_arm *a = g->arms; a; a = a->next)
        if (a->id && !rb_strset_add(&ids, a->id, strlen(a->id))) ERR(c, "E0505", a->id_span, "grade '%s' is listed twice", a->id);
    rb_strset_free(&ids);
    /* caps (SPEC §12): each names a grade and holds on a condition */
    for (ast_arm *cap = g->caps; cap; cap = cap->next) {
        ast_decl *saved = c->current;
        c->current = g;
        want_bool(c, cap->cap_when, expr_type(c, cap->cap_when), "'at most … when'");
        c->current = saved;
        if (rb_cap_target(g, cap->id) >= 0) continue;
        rb_diag *e = ERR(c, "E0505", cap->id_span, "'at most %s' names no grade of this form", cap->id);
        rb_suggestion sg = rb_suggest_begin(cap->id);
        for (ast_arm *a = g->arms; a; a = a->next) rb_suggest_try(&sg, a->id);
        if (sg.best) rb_diag_help(e, "did you mean '%s'?", sg.best);
        else rb_diag_help(e, "a cap names one of the grade's ids, e.g. 'at most %s when …'", g->arms && g->arms->id ? g->arms->id : "fair");
    }
}

static void check_raters(ctx *c, ast_decl *r)
{
    if (!r) return;
    rb_num sum = rb_num_zero();
    int n = 0;
    rb_strset ids = {0};
    for (ast_rater *a = r->raters; a; a = a->next, n++) {
        if (!rb_strset_add(&ids, a->id, strlen(a->id))) ERR(c, "E0602", a->id_span, "rater '%s' is listed twice", a->id);
        if (rb_num_sign(a->weight.num) < 0 || rb_num_cmp(a->weight.num, rb_num_int(1)) > 0)
            ERR(c, "E0601", a->weight.span, "a rater's weight must be between 0%% and 100%%");
        if (rb_num_add(sum, a->weight.num, &sum) != RB_NUM_OK) sum = rb_num_int(2);
    }
    rb_strset_free(&ids);
    if (n == 0) {
        ERR(c, "E0602", r->kw_span, "'raters' lists no raters");
        return;
    }
    if (rb_num_cmp(sum, rb_num_int(1)) != 0) {
        rb_diag *g = ERR(c, "E0601", r->kw_span, "the rater weights add up to %s, not 100%%", rb_num_percent_text(c->arena, sum));
        rb_diag_help(g, "a rater with weight 0%% is informational; the others must sum to exactly 100%%");
    }
}

/* ---- dependency walks ---------------------------------------------------
 * Typing lets and ordering the evaluation both follow each declaration to
 * what it uses.  A chain of 30,000 lets is as legal as a chain of three, so
 * the walk keeps its own stack on the heap: its depth is limited by memory,
 * never by the C stack (SPEC §11).  Expressions themselves are walked
 * recursively: the parser bounds their depth (RB_MAX_EXPR_DEPTH). */

typedef enum {
    WALK_TYPING, /* lets and outputs, found by name before any is typed */
    WALK_ORDER   /* everything that is evaluated, found by resolved reference */
} walk_kind;

/* Appends to a growing array of declarations (arena-owned). */
static void push_decl(ctx *c, ast_decl ***arr, size_t *n, size_t *cap, ast_decl *d)
{
    *arr = rb_arena_grow(c->arena, *arr, *n, cap, sizeof **arr, 64);
    (*arr)[(*n)++] = d;
}

static bool in_order(const ast_decl *d)
{
    switch (d->kind) {
    case DECL_LET: case DECL_OUTPUT: case DECL_ITEM: case DECL_DEDUCT: case DECL_SECTION: case DECL_FORM:
    case DECL_CHECK: case DECL_WARN: case DECL_TOTAL: case DECL_GRADE: case DECL_RESULT:
        return true;
    default:
        return false;
    }
}

/* ---- history and distribution (SPEC §13, §14) --------------------------- */

/* The field a `key`, `period … on` or `distribution by` names: a required
 * field of one of the `types` (TC_ codes, 0-ended).  NULL after an error. */
static ast_decl *named_field(ctx *c, const char *name, rb_span span, const char *role, const int *types)
{
    ast_decl *d = lookup(c, name);
    if (!d) {
        rb_diag *g = ERR(c, "E0201", span, "unknown name '%s'", name);
        const char *best = closest_name(c, name, true);
        if (best) rb_diag_help(g, "did you mean '%s'?", best);
        return NULL;
    }
    if (d->kind != DECL_FIELD) {
        rb_diag *g = ERR(c, "E0801", span, "%s names a field, and '%s' is %s", role, name, kind_with_article(c, d));
        rb_diag_help(g, "declare it as 'field %s \"…\": text'", name);
        return NULL;
    }
    d->used = true;
    int t = decl_type(c, d);
    if (t == TC_ERROR) return NULL;
    if (t & TC_MAYBE) {
        rb_diag *g = ERR(c, "E0801", span, "%s must be in every record, and field '%s' is optional", role, name);
        rb_diag_help(g, "drop 'optional' (and 'default') from '%s'", name);
        return NULL;
    }
    bool ok = false;
    for (const int *k = types; *k; k++) ok |= TC_BASE(t) == *k;
    if (!ok) {
        ERR(c, "E0801", span, "%s cannot be %s field '%s'", role, rb_type_name(t), name);
        return NULL;
    }
    return d;
}

static void check_history_attrs(ctx *c)
{
    static const int key_types[] = {TC_TEXT, TC_NUM, TC_CHOICE, 0};
    static const int period_types[] = {TC_TEXT, TC_DATE, 0};
    if (c->key) c->key_field = named_field(c, c->key->word, c->key->word_span, "'key'", key_types);
    ast_decl *per = c->attr[DECL_PERIOD];
    if (per && per->on) {
        if (per->word && (strcmp(per->word, "once") == 0)) {
            rb_diag *g = ERR(c, "E0801", per->word_span, "a form filled once has no earlier periods to read");
            rb_diag_help(g, "write weekly, monthly, quarterly or yearly before 'on'");
        } else {
            c->period_field = named_field(c, per->on, per->on_span, "'period … on'", period_types);
        }
    }
}

static void check_distribution(ctx *c, ast_decl *d)
{
    if (!d) return;
    static const int by_types[] = {TC_TEXT, TC_NUM, TC_CHOICE, TC_BOOL, TC_DATE, 0};
    if (d->word) c->dist_by = named_field(c, d->word, d->word_span, "'distribution by'", by_types);
    if (!c->grade) {
        rb_diag *g = ERR(c, "E0803", d->kw_span, "a distribution shares out grades, and the form has none");
        rb_diag_help(g, "declare 'grade { >= 90: excellent \"优秀\" … }'");
        return;
    }
    uint32_t ngrades = 0;
    for (ast_arm *a = c->grade->arms; a; a = a->next) ngrades++;
    if (ngrades > RB_DIST_MAX_GRADES) {
        ERR(c, "E0803", d->kw_span, "a distribution takes at most %d grades, and the grade has %u", RB_DIST_MAX_GRADES,
            ngrades);
        return;
    }
    size_t errors = c->diags->errors, nrules = 0;
    for (ast_dist_rule *r = d->rules; r; r = r->next) nrules++;
    if (nrules == 0) WARN(c, "W0801", d->kw_span, "the distribution has no rules");
    rb_dist_spec *specs = rb_arena_alloc(c->arena, (nrules ? nrules : 1) * sizeof *specs);
    size_t i = 0;
    for (ast_dist_rule *r = d->rules; r; r = r->next, i++) {
        uint64_t set = 0;
        for (ast_dist_id *id = r->ids; id; id = id->next) {
            id->arm = -1;
            int k = 0;
            for (ast_arm *a = c->grade->arms; a; a = a->next, k++)
                if (a->id && strcmp(a->id, id->id) == 0) id->arm = k;
            if (id->arm < 0) {
                rb_diag *g = ERR(c, "E0803", id->span, "'%s' is not a grade", id->id);
                rb_suggestion sg = rb_suggest_begin(id->id);
                for (ast_arm *a = c->grade->arms; a; a = a->next)
                    if (a->id) rb_suggest_try(&sg, a->id);
                if (sg.best) rb_diag_help(g, "did you mean '%s'?", sg.best);
                else rb_diag_help(g, "a rule names the ids of the grade's arms");
            } else if (set >> id->arm & 1) {
                ERR(c, "E0803", id->span, "grade '%s' is named twice in one rule", id->id);
            } else {
                set |= (uint64_t)1 << id->arm;
            }
        }
        if (r->share.kind != LIT_NUMBER || !r->share.is_percent) {
            rb_diag *g = ERR(c, "E0803", r->share.span, "a share is a percent");
            rb_diag_help(g, "write it with '%%', e.g. 20%%");
        } else if (rb_num_sign(r->share.num) < 0 || rb_num_cmp(r->share.num, rb_num_int(1)) > 0) {
            ERR(c, "E0803", r->share.span, "a share of %s is outside 0%%..100%%", rb_num_percent_text(c->arena, r->share.num));
        }
        specs[i] = (rb_dist_spec){.grades = set, .op = (uint8_t)r->op, .share = r->share.num};
    }
    if (c->diags->errors != errors || nrules == 0) return;
    rb_dist_verdict v = rb_dist_feasible(specs, nrules, ngrades);
    if (v == RB_DIST_UNDECIDED) {
        WARN(c, "W0802", d->kw_span, "the distribution's rules are too many to check that they can all hold");
        return;
    }
    if (v == RB_DIST_FEASIBLE) return;
    /* Keep the rules that matter: drop each one whose absence still leaves
     * the rest impossible (what remains is a smallest conflicting set). */
    bool *keep = rb_arena_alloc(c->arena, nrules * sizeof *keep);
    rb_dist_spec *trial = rb_arena_alloc(c->arena, nrules * sizeof *trial);
    for (i = 0; i < nrules; i++) keep[i] = true;
    for (i = 0; i < nrules; i++) {
        size_t n = 0;
        for (size_t j = 0; j < nrules; j++)
            if (keep[j] && j != i) trial[n++] = specs[j];
        if (rb_dist_feasible(trial, n, ngrades) == RB_DIST_INFEASIBLE) keep[i] = false;
    }
    const char **ids = rb_arena_alloc(c->arena, ngrades * sizeof *ids);
    uint32_t k = 0;
    for (ast_arm *a = c->grade->arms; a; a = a->next) ids[k++] = a->id ? a->id : "?";
    rb_buf msg = {0};
    ast_dist_rule *first = NULL;
    i = 0;
    for (ast_dist_rule *r = d->rules; r; r = r->next, i++) {
        if (!keep[i]) continue;
        if (!first) first = r;
        else rb_buf_puts(&msg, "; ");
        rb_buf_putc(&msg, '\'');
        rb_dist_text(&msg, ids, specs[i].grades, specs[i].op, specs[i].share);
        rb_buf_putc(&msg, '\'');
    }
    rb_diag *g = ERR(c, "E0804", first ? first->span : d->kw_span, "these distribution rules cannot all hold: %s",
                     msg.s ? msg.s : "");
    rb_diag_help(g, "every valid record gets exactly one grade, so the grades' shares add up to 100%%; "
                    "loosen one of these rules");
    rb_buf_free(&msg);
}

/* Does the expression read earlier periods, itself or through a let? */
static const ast_expr *reads_history(const ast_expr *e)
{
    for (; e; e = NULL) {
        if (is_history_call(e) || (e->kind == EX_NAME && e->ref && e->ref->history)) return e;
        const ast_expr *h;
        if ((h = reads_history(e->a)) || (h = reads_history(e->b)) || (h = reads_history(e->c))) return h;
        for (const ast_expr *a = e->args; a; a = a->next)
            if ((h = reads_history(a))) return h;
        for (const ast_arm *a = e->arms; a; a = a->next)
            if ((a->result && (h = reads_history(a->result)))) return h;
    }
    return NULL;
}

/* SPEC §13: history feeds outputs, warnings and the lets they use, never a
 * score, the total, the grade or a check.  Declarations are in dependency
 * order, so a let's mark is known before anything reads it. */
static void check_history_flow(ctx *c)
{
    for (size_t i = 0; i < c->norder; i++) {
        ast_decl *d = c->order[i];
        const ast_expr *h = d->expr ? reads_history(d->expr) : NULL;
        if (!h && d->when) h = reads_history(d->when);
        if (!h) continue;
        if (d->kind == DECL_LET || d->kind == DECL_OUTPUT || d->kind == DECL_WARN) {
            d->history = true;
            continue;
        }
        const char *what = d->name ? rb_arena_printf(c->arena, "%s '%s'", ast_decl_kind_name(d->kind), d->name)
                                   : ast_decl_kind_name(d->kind);
        rb_diag *g = is_history_call(h)
                         ? ERR(c, "E0802", h->span, "%s cannot read earlier periods: %s() feeds outputs and warnings only",
                               what, h->str)
                         : ERR(c, "E0802", h->span, "%s cannot use '%s', which reads earlier periods", what, h->str);
        rb_diag_help(g, "a score depends on its record alone; put what follows from the past in an output or a warn");
    }
}

static bool walk_follows(walk_kind k, const ast_decl *d)
{
    return k == WALK_ORDER ? in_order(d) : d->kind == DECL_LET || d->kind == DECL_OUTPUT;
}

static int *walk_state(walk_kind k, ast_decl *d)
{
    return k == WALK_ORDER ? &d->order_state : &d->mark;
}

/* Appends the declarations an expression uses to c->pending, in the order
 * they appear: by resolved reference, or (before typing) by name. */
static void expr_deps(ctx *c, walk_kind k, ast_expr *e)
{
    if (!e) return;
    ast_decl *d = k == WALK_ORDER ? e->ref : e->kind == EX_NAME ? lookup(c, e->str) : NULL;
    if (d) push_decl(c, &c->pending, &c->npending, &c->pending_cap, d);
    expr_deps(c, k, e->a);
    expr_deps(c, k, e->b);
    expr_deps(c, k, e->c);
    for (ast_expr *a = e->args; a; a = a->next) expr_deps(c, k, a);
    for (ast_arm *a = e->arms; a; a = a->next) {
        expr_deps(c, k, a->threshold);
        expr_deps(c, k, a->result);
    }
}

static void add_dep(ctx *c, ast_decl *d)
{
    push_decl(c, &c->pending, &c->npending, &c->pending_cap, d);
}

/* Appends what d uses to c->pending. */
static void decl_deps(ctx *c, walk_kind k, ast_decl *d)
{
    if (k == WALK_TYPING) {
        expr_deps(c, k, d->expr);
        return;
    }
    switch (d->kind) {
    case DECL_SECTION: case DECL_FORM:
        for (ast_decl *x = d->body; x; x = x->next)
            if (x->kind == DECL_ITEM || x->kind == DECL_DEDUCT || x->kind == DECL_SECTION) add_dep(c, x);
        break;
    case DECL_ITEM: case DECL_DEDUCT:
        expr_deps(c, k, d->when);
        expr_deps(c, k, d->expr);
        break;
    case DECL_GRADE:
        expr_deps(c, k, d->expr);
        for (ast_arm *cap = d->caps; cap; cap = cap->next) expr_deps(c, k, cap->cap_when);
        if (c->total) add_dep(c, c->total);
        if (c->items) add_dep(c, c->form);
        break;
    case DECL_RESULT: /* the total and the grade: everything that makes them */
        if (c->items) add_dep(c, c->form);
        if (c->total) add_dep(c, c->total);
        if (c->grade) add_dep(c, c->grade);
        break;
    default:
        expr_deps(c, k, d->expr);
        break;
    }
}

static void report_cycle(ctx *c, ast_decl *d)
{
    size_t from = 0;
    while (from < c->depth && c->frames[from].d != d) from++;
    rb_buf msg = {0};
    for (size_t i = from; i <= c->depth; i++) {
        const ast_decl *x = i < c->depth ? c->frames[i].d : d;
        if (i > from) rb_buf_puts(&msg, " → ");
        rb_buf_puts(&msg, x->name ? x->name : ast_decl_kind_name(x->kind));
    }
    rb_diag *g = ERR(c, "E0205", d->name ? d->name_span : d->kw_span, "dependency cycle: %s", msg.s);
    rb_diag_help(g, "a value cannot depend on itself; break the cycle by computing one of these from inputs");
    rb_buf_free(&msg);
}

static void walk_enter(ctx *c, walk_kind k, ast_decl *d)
{
    *walk_state(k, d) = ST_BUSY;
    c->frames = rb_arena_grow(c->arena, c->frames, c->depth, &c->frames_cap, sizeof *c->frames, 64);
    size_t first = c->npending;
    decl_deps(c, k, d);
    c->frames[c->depth++] = (walk_frame){d, first, first, c->npending};
}

/* Depth-first from root, finishing each declaration after everything it
 * uses: typing it (its lets are typed by then, so typing never recurses
 * into another let), or appending it to the evaluation order.  A use of a
 * declaration still on the stack is a cycle; the ordering walk reports it. */
static void walk(ctx *c, walk_kind k, ast_decl *root)
{
    if (!walk_follows(k, root) || *walk_state(k, root) != ST_NONE) return;
    walk_enter(c, k, root);
    while (c->depth) {
        walk_frame *f = &c->frames[c->depth - 1];
        if (f->next < f->end) {
            ast_decl *d = c->pending[f->next++];
            if (!walk_follows(k, d) || *walk_state(k, d) == ST_DONE) continue;
            if (*walk_state(k, d) == ST_BUSY) {
                if (k == WALK_ORDER) report_cycle(c, d);
                continue;
            }
            walk_enter(c, k, d);
            continue;
        }
        ast_decl *d = f->d;
        c->npending = f->first;
        c->depth--;
        *walk_state(k, d) = ST_DONE;
        if (k == WALK_ORDER) push_decl(c, &c->order, &c->norder, &c->order_cap, d);
        else decl_type(c, d);
    }
}

static void walk_all(ctx *c, walk_kind k, ast_decl *body)
{
    for (ast_decl *d = body; d; d = d->next) {
        walk(c, k, d);
        if (d->kind == DECL_SECTION) walk_all(c, k, d->body);
    }
}

/* ---- pass 7: unused values ---------------------------------------------- */

static void warn_unused(ctx *c, ast_decl *body)
{
    for (ast_decl *d = body; d; d = d->next) {
        if ((d->kind == DECL_INPUT || d->kind == DECL_LET || d->kind == DECL_PARAM) && !d->used) {
            rb_diag *g = WARN(c, "W0201", d->name_span, "%s '%s' is never used", ast_decl_kind_name(d->kind), d->name);
            rb_diag_help(g, "use it in a formula, make it a field to echo it, or delete it");
        }
        if (d->kind == DECL_SECTION) warn_unused(c, d->body);
    }
}

static bool has_items(const ast_decl *body)
{
    for (const ast_decl *d = body; d; d = d->next)
        if (d->kind == DECL_ITEM || (d->kind == DECL_SECTION && has_items(d->body))) return true;
    return false;
}

size_t rb_check(rb_arena *arena, rb_source *src, ast_file *file, const rb_define *defs, size_t ndefs, rb_diags *diags,
                rb_checked *out)
{
    size_t errors_before = diags->errors;
    memset(out, 0, sizeof *out);
    out->defs = defs;
    out->ndefs = ndefs;
    if (!file || !file->form) return 1;
    ctx c = {.arena = arena, .src = src, .diags = diags, .form = file->form};
    size_t n = count_decls(file->form->body);
    c.cap = 16;
    while (c.cap < n * 2) c.cap *= 2;
    c.names = rb_arena_alloc(arena, c.cap * sizeof *c.names);

    collect(&c, c.form, c.form->body);
    for (size_t i = 0; i < c.cap; i++) {
        ast_decl *d = c.names[i];
        if (d && d->type) resolve_type(&c, d->type, 0);
    }
    for (size_t i = 0; i < c.cap; i++) {
        ast_decl *d = c.names[i];
        if (d && (d->kind == DECL_FIELD || d->kind == DECL_INPUT) && d->type && d->type->resolved) {
            inherit_constraints(&c, d, d->type, 0);
            d->maybe = declared_optional(d);
        }
    }
    apply_defines(&c, defs, ndefs);

    ast_decl *scale = c.attr[DECL_SCALE], *prec = c.attr[DECL_PRECISION];
    if (scale && (scale->value.kind != LIT_NUMBER || rb_num_sign(scale->value.num) <= 0))
        ERR(&c, "E0207", scale->value.span, "'scale' must be a number more than 0");
    int precision = 2;
    if (prec) {
        int64_t p;
        if (prec->value.kind != LIT_NUMBER || !rb_num_to_int(prec->value.num, &p) || p < 0 || p > RB_NUM_MAX_DIGITS)
            ERR(&c, "E0207", prec->value.span, "'precision' must be a whole number from 0 to %d", RB_NUM_MAX_DIGITS);
        else
            precision = (int)p;
    }
    if (c.attr[DECL_PERIOD]) {
        static const char *words[] = {"weekly", "monthly", "quarterly", "yearly", "once"};
        const char *w = c.attr[DECL_PERIOD]->word;
        bool ok = false;
        for (size_t i = 0; w && i < 5; i++) ok |= strcmp(w, words[i]) == 0;
        if (!ok) {
            rb_diag *g = ERR(&c, "E0207", c.attr[DECL_PERIOD]->word_span, "'%s' is not a period", w ? w : "");
            rb_diag_help(g, "write one of weekly, monthly, quarterly, yearly, once");
        }
    }

    bool items = has_items(c.form->body);
    c.items = items;
    structure(&c, c.form);
    if (!items) {
        if (c.grade) ERR(&c, "E0505", c.grade->kw_span, "a form without items has no total to grade");
        if (c.total) ERR(&c, "E0407", c.total->kw_span, "a form without items has no total");
        if (scale) ERR(&c, "E0407", scale->kw_span, "a form without items has no total to scale");
    }
    if (c.total && !scale)
        ERR(&c, "E0407", c.total->kw_span, "'total = …' needs the form's 'scale N' (the full mark of the total)");

    check_raters(&c, c.raters);
    check_history_attrs(&c);
    walk_all(&c, WALK_TYPING, c.form->body);
    check_exprs(&c, c.form->body);
    check_grade(&c, c.grade);
    check_distribution(&c, c.distribution);

    walk_all(&c, WALK_ORDER, c.form->body);
    if (items) walk(&c, WALK_ORDER, c.form);
    if (c.total) walk(&c, WALK_ORDER, c.total);
    if (c.grade) walk(&c, WALK_ORDER, c.grade);
    check_history_flow(&c);
    /* After errors (a declaration cut short by a syntax error, say), "never
     * used" would mostly be noise about the error itself. */
    if (diags->errors == 0) warn_unused(&c, c.form->body);

    out->form = c.form;
    out->order = c.order;
    out->norder = c.norder;
    out->raters = c.raters;
    out->grade = c.grade;
    out->total = c.total;
    out->period = c.attr[DECL_PERIOD];
    out->version = c.attr[DECL_VERSION];
    out->scale = c.total && scale ? scale->value.num : c.form->full;
    out->precision = precision;
    out->has_items = items;
    out->result_total = c.result_total;
    out->result_grade = c.result_grade;
    out->key_field = c.key_field;
    out->period_field = c.period_field;
    out->distribution = c.distribution;
    out->dist_by = c.dist_by;
    return diags->errors - errors_before;
}
