/* bytecode.c — the .rbc format: rb_program_serialize and rb_program_load.
 *
 * Layout (docs/bytecode.md has the byte-by-byte tables): an 8-byte magic, a
 * u32 format version, u32 flags, then one section per program table in a
 * fixed order — each a 4-byte tag, a u32 count and `count` fixed-size
 * little-endian records (strings: u32 length + bytes) — then the SHA-256 of
 * every preceding byte.  Every field is written explicitly, never a struct
 * image, so the output does not depend on padding, endianness or the
 * compiler, and the same program always gives the same bytes.
 *
 * The loader treats its input as hostile.  Every byte goes through one
 * bounds-checked reader that fails softly (reads past the end return 0 and
 * set an error that is checked after each section), every count is checked
 * against the bytes that remain before anything is allocated (so a count of
 * 4 billion in a small file is an error, not a 4 GB allocation), and the
 * result is handed to rb_program_verify before anyone can use it.  Order:
 * magic, version (so that a newer file gets a clear message rather than
 * "bad checksum"), flags, checksum, sections, trailing bytes, verifier. */
#include "program.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "arena.h"
#include "program_build.h"

#define MAGIC_LEN 8
#define PREAMBLE_LEN 16 /* magic, version, flags */
#define TRAILER_LEN SHA256_DIGEST_SIZE

/* Section tags, in file order. */
#define TAG_HEAD "HEAD"
#define TAG_NUMS "NUMS"
#define TAG_STRS "STRS"
#define TAG_OPTS "OPTS"
#define TAG_CSET "CSET"
#define TAG_SLOT "SLOT"
#define TAG_INPT "INPT"
#define TAG_RATR "RATR"
#define TAG_ITEM "ITEM"
#define TAG_SECT "SECT"
#define TAG_CHLD "CHLD"
#define TAG_UNIT "UNIT"
#define TAG_ARMS "ARMS"
#define TAG_BAND "BAND"
#define TAG_GRAD "GRAD"
#define TAG_CODE "CODE"
#define TAG_HIST "HIST" /* key, period and distribution-by field slots */
#define TAG_DRUL "DRUL" /* distribution rules */
#define TAG_DGRD "DGRD" /* the grades the rules name */
#define TAG_SRCE "SRCE" /* the template source's string (for -D on a .rbc) */

/* On-disk record sizes (bytes); a count is checked against them. */
enum {
    SZ_HEAD = 37, SZ_NUMS = 16, SZ_STRS_MIN = 4, SZ_OPTS = 12, SZ_CSET = 9, SZ_SLOT = 23,
    SZ_INPT = 28, SZ_RATR = 14, SZ_ITEM = 30, SZ_SECT = 25, SZ_CHLD = 5, SZ_UNIT = 29,
    SZ_ARMS = 17, SZ_BAND = 8, SZ_GRAD = 8, SZ_CODE = 1, SZ_HIST = 12, SZ_DRUL = 13, SZ_DGRD = 4, SZ_SRCE = 8
};

static void set_digest(rb_program *p, const uint8_t sum[SHA256_DIGEST_SIZE])
{
    static const char hex[] = "0123456789abcdef";
    memcpy(p->digest, "sha256:", 7);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
        p->digest[7 + 2 * i] = hex[sum[i] >> 4];
        p->digest[8 + 2 * i] = hex[sum[i] & 15];
    }
    p->digest[7 + 2 * SHA256_DIGEST_SIZE] = '\0';
}

static void sha256(const uint8_t *bytes, size_t len, uint8_t out[SHA256_DIGEST_SIZE])
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, len, bytes);
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
}

/* ---- writer ------------------------------------------------------------ */

typedef struct {
    uint8_t *b;
    size_t len, cap;
} writer;

static void w_bytes(writer *w, const void *src, size_t n)
{
    if (n == 0) return;
    if (w->cap - w->len < n) {
        size_t nc = w->cap ? w->cap : 1024;
        while (nc - w->len < n) nc *= 2;
        w->b = rb_xrealloc(w->b, nc);
        w->cap = nc;
    }
    memcpy(w->b + w->len, src, n);
    w->len += n;
}

static void w_u8(writer *w, uint8_t v)
{
    w_bytes(w, &v, 1);
}

static void w_u32(writer *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    w_bytes(w, b, 4);
}

static void w_i64(writer *w, int64_t v)
{
    uint64_t u = (uint64_t)v;
    uint8_t b[8];
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(u >> (8 * i));
    w_bytes(w, b, 8);
}

static void w_section(writer *w, const char *tag, uint32_t count)
{
    w_bytes(w, tag, 4);
    w_u32(w, count);
}

uint8_t *rb_program_serialize(rb_program *p, size_t *len)
{
    writer w = {0};
    w_bytes(&w, RB_MAGIC, MAGIC_LEN);
    w_u32(&w, RB_FORMAT_VERSION);
    w_u32(&w, 0); /* flags */

    w_section(&w, TAG_HEAD, 1);
    w_u32(&w, p->name);
    w_u32(&w, p->label);
    w_u32(&w, p->period);
    w_u32(&w, p->version);
    w_u32(&w, p->scale);
    w_u32(&w, p->precision);
    w_u32(&w, p->source_name);
    w_u8(&w, p->has_items);
    w_u32(&w, p->grade_on_unit);
    w_u32(&w, p->total_unit);

    w_section(&w, TAG_NUMS, p->nnumbers);
    for (uint32_t i = 0; i < p->nnumbers; i++) {
        w_i64(&w, p->numbers[i].num);
        w_i64(&w, p->numbers[i].den);
    }

    w_section(&w, TAG_STRS, p->nstrings);
    for (uint32_t i = 0; i < p->nstrings; i++) {
        w_u32(&w, p->string_len[i]);
        w_bytes(&w, p->string_data + p->string_off[i], p->string_len[i]);
    }

    w_section(&w, TAG_OPTS, p->noptions);
    for (uint32_t i = 0; i < p->noptions; i++) {
        const rb_option *o = &p->options[i];
        w_u32(&w, o->id);
        w_u32(&w, o->label);
        w_u32(&w, o->value);
    }

    w_section(&w, TAG_CSET, p->nchoicesets);
    for (uint32_t i = 0; i < p->nchoicesets; i++) {
        const rb_choiceset *c = &p->choicesets[i];
        w_u32(&w, c->first);
        w_u32(&w, c->count);
        w_u8(&w, c->numeric);
    }

    w_section(&w, TAG_SLOT, p->nslots);
    for (uint32_t i = 0; i < p->nslots; i++) {
        const rb_slot *s = &p->slots[i];
        w_u32(&w, s->name);
        w_u32(&w, s->label);
        w_u8(&w, s->kind);
        w_u8(&w, s->type);
        w_u8(&w, s->maybe);
        w_u32(&w, s->choiceset);
        w_u32(&w, s->line);
        w_u32(&w, s->col);
    }

    w_section(&w, TAG_INPT, p->ninputs);
    for (uint32_t i = 0; i < p->ninputs; i++) {
        const rb_input *in = &p->inputs[i];
        w_u32(&w, in->slot);
        w_u8(&w, in->required);
        w_u8(&w, in->rated);
        w_u8(&w, in->min_incl);
        w_u8(&w, in->max_incl);
        w_u32(&w, in->min);
        w_u32(&w, in->max);
        w_u32(&w, in->def);
        w_u32(&w, in->unit);
        w_u32(&w, in->item);
    }

    w_section(&w, TAG_RATR, p->nraters);
    for (uint32_t i = 0; i < p->nraters; i++) {
        const rb_rater *r = &p->raters[i];
        w_u32(&w, r->id);
        w_u32(&w, r->label);
        w_u32(&w, r->weight);
        w_u8(&w, r->many);
        w_u8(&w, r->optional);
    }

    w_section(&w, TAG_ITEM, p->nitems);
    for (uint32_t i = 0; i < p->nitems; i++) {
        const rb_item *it = &p->items[i];
        w_u32(&w, it->slot);
        w_u32(&w, it->section);
        w_u32(&w, it->points);
        w_u32(&w, it->weight);
        w_u8(&w, it->is_deduct);
        w_u8(&w, it->optional);
        w_u32(&w, it->when_unit);
        w_u32(&w, it->input);
        w_u32(&w, it->low);
    }

    w_section(&w, TAG_SECT, p->nsections);
    for (uint32_t i = 0; i < p->nsections; i++) {
        const rb_section *s = &p->sections[i];
        w_u32(&w, s->slot);
        w_u32(&w, s->parent);
        w_u32(&w, s->points);
        w_u32(&w, s->weight);
        w_u8(&w, s->weighted);
        w_u32(&w, s->first_child);
        w_u32(&w, s->nchildren);
    }

    w_section(&w, TAG_CHLD, p->nchildren);
    for (uint32_t i = 0; i < p->nchildren; i++) {
        w_u8(&w, p->children[i].kind);
        w_u32(&w, p->children[i].index);
    }

    /* Units carry their declaration's line and column: they are the source
     * map that lets runtime errors name the template line. */
    w_section(&w, TAG_UNIT, p->nunits);
    for (uint32_t i = 0; i < p->nunits; i++) {
        const rb_unit *u = &p->units[i];
        w_u8(&w, u->kind);
        w_u32(&w, u->target);
        w_u32(&w, u->code_start);
        w_u32(&w, u->code_len);
        w_u32(&w, u->decl);
        w_u32(&w, u->line);
        w_u32(&w, u->col);
        w_u32(&w, u->back);
    }

    w_section(&w, TAG_ARMS, p->narms);
    for (uint32_t i = 0; i < p->narms; i++) {
        const rb_arm *a = &p->arms[i];
        w_u8(&w, a->op);
        w_u32(&w, a->threshold);
        w_u32(&w, a->target);
        w_u32(&w, a->id);
        w_u32(&w, a->label);
    }

    w_section(&w, TAG_BAND, p->nbands);
    for (uint32_t i = 0; i < p->nbands; i++) {
        w_u32(&w, p->bands[i].first_arm);
        w_u32(&w, p->bands[i].narms);
    }

    w_section(&w, TAG_GRAD, 1);
    w_u32(&w, p->grade.first_arm);
    w_u32(&w, p->grade.narms);

    w_section(&w, TAG_CODE, p->code_len);
    w_bytes(&w, p->code, p->code_len);

    w_section(&w, TAG_HIST, 1);
    w_u32(&w, p->key_slot);
    w_u32(&w, p->period_slot);
    w_u32(&w, p->dist_by);

    w_section(&w, TAG_DRUL, p->ndist_rules);
    for (uint32_t i = 0; i < p->ndist_rules; i++) {
        const rb_dist_rule *d = &p->dist_rules[i];
        w_u32(&w, d->first);
        w_u32(&w, d->count);
        w_u8(&w, d->op);
        w_u32(&w, d->share);
    }

    w_section(&w, TAG_DGRD, p->ndist_grades);
    for (uint32_t i = 0; i < p->ndist_grades; i++) w_u32(&w, p->dist_grades[i]);

    w_section(&w, TAG_SRCE, 1);
    w_u32(&w, p->source_text);
    w_u32(&w, p->source_defines);

    uint8_t sum[SHA256_DIGEST_SIZE];
    sha256(w.b, w.len, sum);
    w_bytes(&w, sum, sizeof sum);
    set_digest(p, sum);
    *len = w.len;
    return w.b;
}

/* ---- reader ------------------------------------------------------------ */

typedef struct {
    const uint8_t *b;
    size_t len, pos;      /* len: end of the sections (the trailer excluded) */
    bool bad;             /* a read failed: every later read returns 0 */
    const char *section;  /* for messages */
    char *err;
    size_t errcap;
} reader;

static void r_fail(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void r_fail(reader *r, const char *fmt, ...)
{
    if (r->bad) return; /* keep the first message */
    r->bad = true;
    if (r->err && r->errcap) {
        int n = snprintf(r->err, r->errcap, "bytecode: ");
        if (n > 0 && (size_t)n < r->errcap) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(r->err + n, r->errcap - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
}

static bool r_need(reader *r, size_t n)
{
    if (r->bad) return false;
    if (r->len - r->pos < n) {
        r_fail(r, "the file ends early, in section %s (offset %zu)", r->section, r->pos);
        return false;
    }
    return true;
}

static uint8_t r_u8(reader *r)
{
    if (!r_need(r, 1)) return 0;
    return r->b[r->pos++];
}

static uint32_t r_u32(reader *r)
{
    if (!r_need(r, 4)) return 0;
    const uint8_t *b = r->b + r->pos;
    r->pos += 4;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static int64_t r_i64(reader *r)
{
    if (!r_need(r, 8)) return 0;
    uint64_t u = 0;
    for (int i = 0; i < 8; i++) u |= (uint64_t)r->b[r->pos + i] << (8 * i);
    r->pos += 8;
    return (int64_t)u; /* two's complement: implementation-defined, but every
                          platform we build on does the obvious thing */
}

/* A pointer to the next n bytes, or NULL. */
static const uint8_t *r_bytes(reader *r, size_t n)
{
    if (!r_need(r, n)) return NULL;
    const uint8_t *p = r->b + r->pos;
    r->pos += n;
    return p;
}

/* Reads a section's tag and count, and checks that `count` records of at
 * least `size` bytes fit in what remains — before the caller allocates. */
static uint32_t r_section(reader *r, const char *tag, size_t size)
{
    r->section = tag;
    size_t at = r->pos;
    const uint8_t *t = r_bytes(r, 4);
    if (!t) return 0;
    if (memcmp(t, tag, 4) != 0) {
        r_fail(r, "expected section %s at offset %zu", tag, at);
        return 0;
    }
    uint32_t count = r_u32(r);
    if (r->bad) return 0;
    uint64_t need = (uint64_t)count * size;
    if (need > r->len - r->pos) {
        r_fail(r, "section %s claims %" PRIu32 " entries (%" PRIu64
               " bytes) but only %zu bytes remain", tag, count, need, r->len - r->pos);
        return 0;
    }
    return count;
}

/* A zeroed table of n elements (never NULL, so that table + 0 is defined). */
static void *table(uint32_t n, size_t size)
{
    return rb_xcalloc(n ? n : 1, size);
}

static bool read_head(reader *r, rb_program *p)
{
    uint32_t n = r_section(r, TAG_HEAD, SZ_HEAD);
    if (r->bad) return false;
    if (n != 1) {
        r_fail(r, "section HEAD has %" PRIu32 " entries, expected 1", n);
        return false;
    }
    p->name = r_u32(r);
    p->label = r_u32(r);
    p->period = r_u32(r);
    p->version = r_u32(r);
    p->scale = r_u32(r);
    p->precision = r_u32(r);
    p->source_name = r_u32(r);
    p->has_items = r_u8(r);
    p->grade_on_unit = r_u32(r);
    p->total_unit = r_u32(r);
    return !r->bad;
}

static bool read_strings(reader *r, rb_program *p)
{
    uint32_t n = r_section(r, TAG_STRS, SZ_STRS_MIN);
    if (r->bad) return false;
    /* First pass: lengths, all within the file, so the total is bounded by
     * the file's size. */
    size_t start = r->pos;
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len = r_u32(r);
        if (!r_bytes(r, len)) return false;
        total += (uint64_t)len + 1; /* + the NUL kept in memory */
    }
    if (total > UINT32_MAX - 1) {
        r_fail(r, "string data too large (%" PRIu64 " bytes)", total);
        return false;
    }
    r->pos = start;
    p->nstrings = n;
    p->string_bytes = (uint32_t)total;
    p->string_data = table(p->string_bytes, 1);
    p->string_off = table(n, sizeof *p->string_off);
    p->string_len = table(n, sizeof *p->string_len);
    uint32_t off = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len = r_u32(r);
        const uint8_t *s = r_bytes(r, len);
        if (!s) return false;
        memcpy(p->string_data + off, s, len);
        p->string_data[off + len] = '\0';
        p->string_off[i] = off;
        p->string_len[i] = len;
        off += len + 1;
    }
    return !r->bad;
}

static bool read_tables(reader *r, rb_program *p)
{
    uint32_t n;

    if (!read_head(r, p)) return false;

    n = r_section(r, TAG_NUMS, SZ_NUMS);
    if (r->bad) return false;
    p->numbers = table(n, sizeof *p->numbers);
    p->nnumbers = n;
    for (uint32_t i = 0; i < n; i++) {
        p->numbers[i].num = r_i64(r);
        p->numbers[i].den = r_i64(r);
    }

    if (!read_strings(r, p)) return false;

    n = r_section(r, TAG_OPTS, SZ_OPTS);
    if (r->bad) return false;
    p->options = table(n, sizeof *p->options);
    p->noptions = n;
    for (uint32_t i = 0; i < n; i++) {
        rb_option *o = &p->options[i];
        o->id = r_u32(r);
        o->label = r_u32(r);
        o->value = r_u32(r);
    }

    n = r_section(r, TAG_CSET, SZ_CSET);
    if (r->bad) return false;
    p->choicesets = table(n, sizeof *p->choicesets);
    p->nchoicesets = n;
    for (uint32_t i = 0; i < n; i++) {
        rb_choiceset *c = &p->choicesets[i];
        c->first = r_u32(r);
        c->count = r_u32(r);
        c->numeric = r_u8(r);
    }

    n = r_section(r, TAG_SLOT, SZ_SLOT);
    if (r->bad) return false;
    p->slots = table(n, sizeof *p->slots);
    p->nslots = n;
    for (uint32_t i = 0; i < n; i++) {
        rb_slot *s = &p->slots[i];
        s->name = r_u32(r);
        s->label = r_u32(r);
        s->kind = r_u8(r);
        s->type = r_u8(r);
        s->maybe = r_u8(r);
        s->choiceset = r_u32(r);
        s->line = r_u32(r);
        s->col = r_u32(r);
    }

    n = r_section(r, TAG_INPT, SZ_INPT);
    if (r->bad) return false;
    p->inputs = table(n, sizeof *p->inputs);
    p->ninputs = n;
    for (uint32_t i = 0; i < n; i++) {
        rb_input *in = &p->inputs[i];
        in->slot = r_u32(r);
        in->required = r_u8(r);
        in->rated = r_u8(r);
        in->min_incl = r_u8(r);
        in->max_incl = r_u8(r);
        in->min = r_u32(r);
        in->max = r_u32(r);
        in->def = r_u32(r);
        in->unit = r_u32(r);
        in->item = r_u32(r);
    }

    n = r_section(r, TAG_RATR, SZ_RATR);
    if (r->bad) return false;
    p->raters = table(n, sizeof *p->raters);
    p->nraters = n;
    for (uint32_t i = 0; i < n; i++) {
        rb_rater *ra = &p->raters[i];
        ra->id = r_u32(r);
        ra->label = r_u32(r);
        ra->weight = r_u32(r);
        ra->many = r_u8(r);
        ra->optional = r_u8(r);
    }

    n = r_section(r, TAG_ITEM, SZ_ITEM);
    if (r->bad) return false;
    p->items = table(n, sizeof *p->items);
    p->nitems = n;
    for (uint32_t i = 0; i < n; i++) {
        rb_item *it = &p->items[i];
        it->slot = r_u32(r);
        it->section = r_u32(r);
        it->points = r_u32(r);
        it->weight = r_u32(r);
        it->is_deduct = r_u8(r);
        it->optional = r_u8(r);
        it->when_unit = r_u32(r);
        it->input = r_u32(r);
        it->low = r_u32(r);
    }

    n = r_section(r, TAG_SECT, SZ_SECT);
    if (r->bad) return false;
    p->sections = table(n, sizeof *p->sections);
    p->nsections = n;
    for (uint32_t i = 0; i < n; i++) {
        rb_section *s = &p->sections[i];
        s->slot = r_u32(r);
        s->parent = r_u32(r);
        s->points = r_u32(r);
        s->weight = r_u32(r);
        s->weighted = r_u8(r);
        s->first_child = r_u32(r);
        s->nchildren = r_u32(r);
    }

    n = r_section(r, TAG_CHLD, SZ_CHLD);
    if (r->bad) return false;
    p->children = table(n, sizeof *p->children);
    p->nchildren = n;
    for (uint32_t i = 0; i < n; i++) {
        p->children[i].kind = r_u8(r);
        p->children[i].index = r_u32(r);
    }

    n = r_section(r, TAG_UNIT, SZ_UNIT);
    if (r->bad) return false;
    p->units = table(n, sizeof *p->units);
    p->nunits = n;
    for (uint32_t i = 0; i < n; i++) {
        rb_unit *u = &p->units[i];
        u->kind = r_u8(r);
        u->target = r_u32(r);
        u->code_start = r_u32(r);
        u->code_len = r_u32(r);
        u->decl = r_u32(r);
        u->line = r_u32(r);
        u->col = r_u32(r);
        u->back = r_u32(r);
        u->max_stack = 0; /* computed by the verifier, not trusted from a file */
    }

    n = r_section(r, TAG_ARMS, SZ_ARMS);
    if (r->bad) return false;
    p->arms = table(n, sizeof *p->arms);
    p->narms = n;
    for (uint32_t i = 0; i < n; i++) {
        rb_arm *a = &p->arms[i];
        a->op = r_u8(r);
        a->threshold = r_u32(r);
        a->target = r_u32(r);
        a->id = r_u32(r);
        a->label = r_u32(r);
    }

    n = r_section(r, TAG_BAND, SZ_BAND);
    if (r->bad) return false;
    p->bands = table(n, sizeof *p->bands);
    p->nbands = n;
    for (uint32_t i = 0; i < n; i++) {
        p->bands[i].first_arm = r_u32(r);
        p->bands[i].narms = r_u32(r);
    }

    n = r_section(r, TAG_GRAD, SZ_GRAD);
    if (r->bad) return false;
    if (n != 1) {
        r_fail(r, "section GRAD has %" PRIu32 " entries, expected 1", n);
        return false;
    }
    p->grade.first_arm = r_u32(r);
    p->grade.narms = r_u32(r);

    n = r_section(r, TAG_CODE, SZ_CODE);
    if (r->bad) return false;
    p->code = table(n, 1);
    p->code_len = n;
    const uint8_t *code = r_bytes(r, n);
    if (code && n) memcpy(p->code, code, n);

    n = r_section(r, TAG_HIST, SZ_HIST);
    if (r->bad) return false;
    if (n != 1) {
        r_fail(r, "section HIST has %" PRIu32 " entries, expected 1", n);
        return false;
    }
    p->key_slot = r_u32(r);
    p->period_slot = r_u32(r);
    p->dist_by = r_u32(r);

    n = r_section(r, TAG_DRUL, SZ_DRUL);
    if (r->bad) return false;
    p->dist_rules = table(n, sizeof *p->dist_rules);
    p->ndist_rules = n;
    for (uint32_t i = 0; i < n; i++) {
        p->dist_rules[i].first = r_u32(r);
        p->dist_rules[i].count = r_u32(r);
        p->dist_rules[i].op = r_u8(r);
        p->dist_rules[i].share = r_u32(r);
    }

    n = r_section(r, TAG_DGRD, SZ_DGRD);
    if (r->bad) return false;
    p->dist_grades = table(n, sizeof *p->dist_grades);
    p->ndist_grades = n;
    for (uint32_t i = 0; i < n; i++) p->dist_grades[i] = r_u32(r);

    n = r_section(r, TAG_SRCE, SZ_SRCE);
    if (r->bad) return false;
    if (n != 1) {
        r_fail(r, "section SRCE has %" PRIu32 " entries, expected 1", n);
        return false;
    }
    p->source_text = r_u32(r);
    p->source_defines = r_u32(r);
    return !r->bad;
}

static uint32_t le32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static rb_program *load(const uint8_t *bytes, size_t len, char *err, size_t errcap,
                        bool check_sum)
{
    reader r = {.b = bytes, .len = 0, .pos = 0, .section = "", .err = err, .errcap = errcap};
    if (err && errcap) err[0] = '\0';
    if (!bytes || len < MAGIC_LEN || memcmp(bytes, RB_MAGIC, MAGIC_LEN) != 0) {
        r_fail(&r, "not a rubric bytecode file (bad magic number)");
        return NULL;
    }
    if (len < PREAMBLE_LEN) {
        r_fail(&r, "the file ends early, in its header (%zu bytes)", len);
        return NULL;
    }
    uint32_t version = le32(bytes + 8);
    if (version != RB_FORMAT_VERSION) {
        r_fail(&r, "format version %" PRIu32 " is not supported (this rubric reads %u)", version,
               RB_FORMAT_VERSION);
        return NULL;
    }
    uint32_t flags = le32(bytes + 12);
    if (flags != 0) {
        r_fail(&r, "unknown flags 0x%" PRIx32 " (this rubric knows none)", flags);
        return NULL;
    }
    if (len < PREAMBLE_LEN + TRAILER_LEN) {
        r_fail(&r, "the file ends early, before its checksum (%zu bytes)", len);
        return NULL;
    }
    size_t body = len - TRAILER_LEN;
    uint8_t sum[SHA256_DIGEST_SIZE];
    sha256(bytes, body, sum);
    if (check_sum && memcmp(sum, bytes + body, TRAILER_LEN) != 0) {
        r_fail(&r, "bad checksum (the file is damaged or was altered)");
        return NULL;
    }

    r.len = body;
    r.pos = PREAMBLE_LEN;
    rb_program *p = rb_xcalloc(1, sizeof *p);
    if (!read_tables(&r, p)) {
        rb_program_free(p);
        return NULL;
    }
    if (r.pos != body) {
        r_fail(&r, "%zu unexpected bytes after the last section (offset %zu)", body - r.pos,
               r.pos);
        rb_program_free(p);
        return NULL;
    }
    char why[512];
    if (rb_program_verify(p, why, sizeof why) != 0) {
        r_fail(&r, "%s", why);
        rb_program_free(p);
        return NULL;
    }
    set_digest(p, sum);
    return p;
}

rb_program *rb_program_load(const uint8_t *bytes, size_t len, char *err, size_t errcap)
{
    return load(bytes, len, err, errcap, true);
}

rb_program *rb_program_load_unchecked(const uint8_t *bytes, size_t len, char *err, size_t errcap)
{
    return load(bytes, len, err, errcap, false);
}
