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
 * The format is one description, `sections` below: each section's tag and
 * the fields of its records, in file order, with where each lives in the
 * program.  The writer and the reader both walk it (as Lua's ldump.c and
 * lundump.c mirror each other, but here there is only one copy), so a field
 * cannot be written without being read, record sizes are computed rather
 * than stated, and docs/bytecode.md is checked against the same table
 * (tests/test_docs.c).  Only the string section, the one whose records vary
 * in size, has its own writer and reader.
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
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "arena.h"
#include "program_build.h"

#define MAGIC_LEN 8
#define PREAMBLE_LEN 16 /* magic, version, flags */
#define TRAILER_LEN SHA256_DIGEST_SIZE

/* ---- the sections: one description for the writer and the reader ------- */

/* A field of a record: its type in the file (the value is its size in
 * bytes) and its offset in the in-memory record. */
typedef enum { FIELD_U8 = 1, FIELD_U32 = 4, FIELD_I64 = 8 } field_type;

typedef struct {
    field_type type;
    size_t offset;
} field;

/* A field of record type T.  The _Generic has one association only, so a
 * member whose C type is not the one written does not compile: the file's
 * width of a field is always its width in memory. */
#define U8(T, m)  {FIELD_U8, _Generic(((T *)0)->m, uint8_t: offsetof(T, m))}
#define U32(T, m) {FIELD_U32, _Generic(((T *)0)->m, uint32_t: offsetof(T, m))}
#define I64(T, m) {FIELD_I64, _Generic(((T *)0)->m, int64_t: offsetof(T, m))}

/* The form header (HEAD) and the other sections with exactly one record
 * (GRAD, HIST, SRCE): their fields are the program's own. */
static const field head_fields[] = {
    U32(rb_program, name), U32(rb_program, label), U32(rb_program, period), U32(rb_program, version),
    U32(rb_program, scale), U32(rb_program, precision), U32(rb_program, source_name),
    U8(rb_program, has_items), U32(rb_program, grade_on_unit), U32(rb_program, total_unit),
};
static const field grade_fields[] = {U32(rb_program, grade.first_arm), U32(rb_program, grade.narms)};
/* the key, period and distribution-by field slots */
static const field history_fields[] = {
    U32(rb_program, key_slot), U32(rb_program, period_slot), U32(rb_program, dist_by),
};
/* the template source's string and its -D values (for -D on a .rbc) */
static const field source_fields[] = {U32(rb_program, source_text), U32(rb_program, source_defines)};

static const field number_fields[] = {I64(rb_num, num), I64(rb_num, den)};
static const field option_fields[] = {U32(rb_option, id), U32(rb_option, label), U32(rb_option, value)};
static const field choiceset_fields[] = {
    U32(rb_choiceset, first), U32(rb_choiceset, count), U8(rb_choiceset, numeric),
};
static const field slot_fields[] = {
    U32(rb_slot, name), U32(rb_slot, label), U8(rb_slot, kind), U8(rb_slot, type), U8(rb_slot, maybe),
    U32(rb_slot, choiceset), U32(rb_slot, line), U32(rb_slot, col),
};
static const field input_fields[] = {
    U32(rb_input, slot), U8(rb_input, required), U8(rb_input, rated), U8(rb_input, min_incl),
    U8(rb_input, max_incl), U32(rb_input, min), U32(rb_input, max), U32(rb_input, def),
    U32(rb_input, unit), U32(rb_input, item),
};
static const field rater_fields[] = {
    U32(rb_rater, id), U32(rb_rater, label), U32(rb_rater, weight), U8(rb_rater, many), U8(rb_rater, optional),
};
static const field item_fields[] = {
    U32(rb_item, slot), U32(rb_item, section), U32(rb_item, points), U32(rb_item, weight),
    U8(rb_item, is_deduct), U8(rb_item, optional), U32(rb_item, when_unit), U32(rb_item, input),
    U32(rb_item, low),
};
static const field section_fields[] = {
    U32(rb_section, slot), U32(rb_section, parent), U32(rb_section, points), U32(rb_section, weight),
    U8(rb_section, weighted), U32(rb_section, first_child), U32(rb_section, nchildren),
};
static const field child_fields[] = {U8(rb_child, kind), U32(rb_child, index)};
/* Units carry their declaration's line and column: they are the source map
 * that lets runtime errors name the template line.  max_stack is not in the
 * file: the verifier computes it and trusts no file's (the reader's tables
 * start zeroed). */
static const field unit_fields[] = {
    U8(rb_unit, kind), U32(rb_unit, target), U32(rb_unit, code_start), U32(rb_unit, code_len),
    U32(rb_unit, decl), U32(rb_unit, line), U32(rb_unit, col), U32(rb_unit, back),
};
static const field arm_fields[] = {
    U8(rb_arm, op), U32(rb_arm, threshold), U32(rb_arm, target), U32(rb_arm, id), U32(rb_arm, label),
};
static const field band_fields[] = {U32(rb_band, first_arm), U32(rb_band, narms)};
static const field dist_rule_fields[] = {
    U32(rb_dist_rule, first), U32(rb_dist_rule, count), U8(rb_dist_rule, op), U32(rb_dist_rule, share),
};
/* Tables of plain integers (the code bytes, the distribution rules'
 * grades): the record is the element. */
static const field byte_field[] = {{FIELD_U8, 0}};
static const field u32_field[] = {{FIELD_U32, 0}};

/* A program table (`T *member` with `uint32_t count`) as the writer reads it
 * and the reader fills it. */
typedef struct {
    const void *(*records)(const rb_program *p, uint32_t *count);
    void (*adopt)(rb_program *p, void *records, uint32_t count);
    size_t size; /* in memory: sizeof *member */
} table_access;

#define TABLE_ACCESS(member, count_member)                                             \
    static const void *member##_records(const rb_program *p, uint32_t *n)            \
    {                                                                                 \
        *n = p->count_member;                                                         \
        return p->member;                                                             \
    }                                                                                 \
    static void member##_adopt(rb_program *p, void *records, uint32_t n)              \
    {                                                                                 \
        p->member = records;                                                          \
        p->count_member = n;                                                          \
    }                                                                                 \
    static const table_access member##_table = {member##_records, member##_adopt,     \
                                                sizeof *((rb_program *)0)->member};

TABLE_ACCESS(numbers, nnumbers)
TABLE_ACCESS(options, noptions)
TABLE_ACCESS(choicesets, nchoicesets)
TABLE_ACCESS(slots, nslots)
TABLE_ACCESS(inputs, ninputs)
TABLE_ACCESS(raters, nraters)
TABLE_ACCESS(items, nitems)
TABLE_ACCESS(sections, nsections)
TABLE_ACCESS(children, nchildren)
TABLE_ACCESS(units, nunits)
TABLE_ACCESS(arms, narms)
TABLE_ACCESS(bands, nbands)
TABLE_ACCESS(code, code_len)
TABLE_ACCESS(dist_rules, ndist_rules)
TABLE_ACCESS(dist_grades, ndist_grades)

typedef enum {
    SHAPE_ONE,     /* exactly one record, whose fields are the program's */
    SHAPE_TABLE,   /* a program table, one record per element */
    SHAPE_STRINGS, /* the strings: u32 length + bytes each (write_strings, read_strings) */
} section_shape;

typedef struct {
    char tag[5];
    section_shape shape;
    const field *fields;       /* SHAPE_ONE and SHAPE_TABLE */
    size_t nfields;
    const table_access *table; /* SHAPE_TABLE */
} section;

#define FIELDS(f) f, sizeof f / sizeof f[0]
#define ONE(tag, f) {tag, SHAPE_ONE, FIELDS(f), NULL}
#define TABLE(tag, f, member) {tag, SHAPE_TABLE, FIELDS(f), &member##_table}

/* The sections, in file order (docs/bytecode.md's table lists the same). */
static const section sections[] = {
    ONE("HEAD", head_fields),
    TABLE("NUMS", number_fields, numbers),
    {"STRS", SHAPE_STRINGS, NULL, 0, NULL},
    TABLE("OPTS", option_fields, options),
    TABLE("CSET", choiceset_fields, choicesets),
    TABLE("SLOT", slot_fields, slots),
    TABLE("INPT", input_fields, inputs),
    TABLE("RATR", rater_fields, raters),
    TABLE("ITEM", item_fields, items),
    TABLE("SECT", section_fields, sections),
    TABLE("CHLD", child_fields, children),
    TABLE("UNIT", unit_fields, units),
    TABLE("ARMS", arm_fields, arms),
    TABLE("BAND", band_fields, bands),
    ONE("GRAD", grade_fields),
    TABLE("CODE", byte_field, code),
    ONE("HIST", history_fields),
    TABLE("DRUL", dist_rule_fields, dist_rules),
    TABLE("DGRD", u32_field, dist_grades),
    ONE("SRCE", source_fields),
};
#define NSECTIONS (sizeof sections / sizeof sections[0])

/* Bytes of one record in the file; for strings, the length prefix (the
 * least a string takes), which is what a count is checked against. */
static size_t record_size(const section *s)
{
    if (s->shape == SHAPE_STRINGS) return 4;
    size_t n = 0;
    for (size_t i = 0; i < s->nfields; i++) n += (size_t)s->fields[i].type;
    return n;
}

bool rb_bytecode_section(size_t i, const char **tag, size_t *size)
{
    if (i >= NSECTIONS) return false;
    *tag = sections[i].tag;
    *size = record_size(&sections[i]);
    return true;
}

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

/* Record fields go through memcpy: a field is reached by its offset, and the
 * bytes are copied rather than the member read through a cast pointer. */
static void write_fields(writer *w, const uint8_t *record, const section *s)
{
    for (size_t i = 0; i < s->nfields; i++) {
        const uint8_t *at = record + s->fields[i].offset;
        switch (s->fields[i].type) {
        case FIELD_U8: w_u8(w, *at); break;
        case FIELD_U32: {
            uint32_t v;
            memcpy(&v, at, sizeof v);
            w_u32(w, v);
            break;
        }
        case FIELD_I64: {
            int64_t v;
            memcpy(&v, at, sizeof v);
            w_i64(w, v);
            break;
        }
        }
    }
}

static void write_strings(writer *w, const section *s, const rb_program *p)
{
    w_section(w, s->tag, p->nstrings);
    for (uint32_t i = 0; i < p->nstrings; i++) {
        w_u32(w, p->string_len[i]);
        w_bytes(w, p->string_data + p->string_off[i], p->string_len[i]);
    }
}

uint8_t *rb_program_serialize(rb_program *p, size_t *len)
{
    writer w = {0};
    w_bytes(&w, RB_MAGIC, MAGIC_LEN);
    w_u32(&w, RB_FORMAT_VERSION);
    w_u32(&w, 0); /* flags */
    for (size_t k = 0; k < NSECTIONS; k++) {
        const section *s = &sections[k];
        switch (s->shape) {
        case SHAPE_ONE:
            w_section(&w, s->tag, 1);
            write_fields(&w, (const uint8_t *)p, s);
            break;
        case SHAPE_TABLE: {
            uint32_t n;
            const uint8_t *records = s->table->records(p, &n);
            w_section(&w, s->tag, n);
            for (uint32_t i = 0; i < n; i++) write_fields(&w, records + (size_t)i * s->table->size, s);
            break;
        }
        case SHAPE_STRINGS: write_strings(&w, s, p); break;
        }
    }

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
    rb_lang lang;         /* of the messages */
} reader;

/* "bytecode: " and the message, in r->lang: fmt is a message id (translated
 * here), unless `verbatim` (the verifier's reason, said by verify.c). */
static void bc_vfail(reader *r, bool verbatim, const char *fmt, va_list ap)
{
    if (r->bad) return; /* keep the first message */
    r->bad = true;
    if (r->err && r->errcap) {
        int n = snprintf(r->err, r->errcap, "%s", rb_tr(r->lang, N_("bytecode: ")));
        if (n > 0 && (size_t)n < r->errcap)
            vsnprintf(r->err + n, r->errcap - (size_t)n, verbatim ? fmt : rb_tr(r->lang, fmt), ap);
    }
}

static void bc_fail(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bc_fail(reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bc_vfail(r, false, fmt, ap);
    va_end(ap);
}

static void bc_fail_verbatim(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bc_fail_verbatim(reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bc_vfail(r, true, fmt, ap);
    va_end(ap);
}

static bool r_need(reader *r, size_t n)
{
    if (r->bad) return false;
    if (r->len - r->pos < n) {
        bc_fail(r, "the file ends early, in section %s (offset %zu)", r->section, r->pos);
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
        bc_fail(r, "expected section %s at offset %zu", tag, at);
        return 0;
    }
    uint32_t count = r_u32(r);
    if (r->bad) return 0;
    uint64_t need = (uint64_t)count * size;
    if (need > r->len - r->pos) {
        bc_fail(r, "section %s claims %lu entries (%llu bytes) but only %zu bytes remain", tag,
               (unsigned long)count, (unsigned long long)need, r->len - r->pos);
        return 0;
    }
    return count;
}

/* A zeroed table of n elements (never NULL, so that table + 0 is defined). */
static void *table(uint32_t n, size_t size)
{
    return rb_xcalloc(n ? n : 1, size);
}

static void read_fields(reader *r, uint8_t *record, const section *s)
{
    for (size_t i = 0; i < s->nfields; i++) {
        uint8_t *at = record + s->fields[i].offset;
        switch (s->fields[i].type) {
        case FIELD_U8: *at = r_u8(r); break;
        case FIELD_U32: {
            uint32_t v = r_u32(r);
            memcpy(at, &v, sizeof v);
            break;
        }
        case FIELD_I64: {
            int64_t v = r_i64(r);
            memcpy(at, &v, sizeof v);
            break;
        }
        }
    }
}

static bool read_strings(reader *r, rb_program *p, uint32_t n)
{
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
        bc_fail(r, "string data too large (%llu bytes)", (unsigned long long)total);
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

static bool read_sections(reader *r, rb_program *p)
{
    for (size_t k = 0; k < NSECTIONS; k++) {
        const section *s = &sections[k];
        uint32_t n = r_section(r, s->tag, record_size(s));
        if (r->bad) return false;
        switch (s->shape) {
        case SHAPE_ONE:
            if (n != 1) {
                bc_fail(r, "section %s has %lu entries, expected 1", s->tag, (unsigned long)n);
                return false;
            }
            read_fields(r, (uint8_t *)p, s);
            break;
        case SHAPE_TABLE: {
            uint8_t *records = table(n, s->table->size);
            s->table->adopt(p, records, n);
            for (uint32_t i = 0; i < n; i++) read_fields(r, records + (size_t)i * s->table->size, s);
            break;
        }
        case SHAPE_STRINGS:
            if (!read_strings(r, p, n)) return false;
            break;
        }
        if (r->bad) return false;
    }
    return true;
}

static uint32_t le32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static rb_program *load(const uint8_t *bytes, size_t len, rb_lang lang, char *err, size_t errcap,
                        bool check_sum)
{
    reader r = {.b = bytes, .len = 0, .pos = 0, .section = "", .err = err, .errcap = errcap, .lang = lang};
    if (err && errcap) err[0] = '\0';
    if (!bytes || len < MAGIC_LEN || memcmp(bytes, RB_MAGIC, MAGIC_LEN) != 0) {
        bc_fail(&r, "not a rubric bytecode file (bad magic number)");
        return NULL;
    }
    if (len < PREAMBLE_LEN) {
        bc_fail(&r, "the file ends early, in its header (%zu bytes)", len);
        return NULL;
    }
    uint32_t version = le32(bytes + 8);
    if (version != RB_FORMAT_VERSION) {
        bc_fail(&r, "format version %lu is not supported (this rubric reads %u)", (unsigned long)version,
               RB_FORMAT_VERSION);
        return NULL;
    }
    uint32_t flags = le32(bytes + 12);
    if (flags != 0) {
        bc_fail(&r, "unknown flags 0x%lx (this rubric knows none)", (unsigned long)flags);
        return NULL;
    }
    if (len < PREAMBLE_LEN + TRAILER_LEN) {
        bc_fail(&r, "the file ends early, before its checksum (%zu bytes)", len);
        return NULL;
    }
    size_t body = len - TRAILER_LEN;
    uint8_t sum[SHA256_DIGEST_SIZE];
    sha256(bytes, body, sum);
    if (check_sum && memcmp(sum, bytes + body, TRAILER_LEN) != 0) {
        bc_fail(&r, "bad checksum (the file is damaged or was altered)");
        return NULL;
    }

    r.len = body;
    r.pos = PREAMBLE_LEN;
    rb_program *p = rb_xcalloc(1, sizeof *p);
    if (!read_sections(&r, p)) {
        rb_program_free(p);
        return NULL;
    }
    if (r.pos != body) {
        bc_fail(&r, "%zu unexpected bytes after the last section (offset %zu)", body - r.pos,
               r.pos);
        rb_program_free(p);
        return NULL;
    }
    char why[512];
    if (rb_program_verify(p, r.lang, why, sizeof why) != 0) {
        bc_fail_verbatim(&r, "%s", why);
        rb_program_free(p);
        return NULL;
    }
    set_digest(p, sum);
    return p;
}

rb_program *rb_program_load(const uint8_t *bytes, size_t len, rb_lang lang, char *err, size_t errcap)
{
    return load(bytes, len, lang, err, errcap, true);
}

rb_program *rb_program_load_unchecked(const uint8_t *bytes, size_t len, char *err, size_t errcap)
{
    return load(bytes, len, RB_LANG_EN, err, errcap, false);
}
