/* jsonread.h — the JSON reader: one pass over a byte window that frames,
 * validates UTF-8 and tokenises at once, building rb_rv trees in an arena.
 *
 * Self-contained (no yajl, no libcsv) so that it builds wherever C11 does,
 * WebAssembly included.  Input comes through an rb_jsrc: a window of bytes
 * that a `more` callback refills (a file read in large chunks), or one
 * block of memory.  Positions are line and column (columns count code
 * points) and cost nothing until asked for: the window keeps a column mark
 * and counts from it only when an error or a record's start needs a column.
 * Tokens that span refills are gathered in a scratch buffer that doubles,
 * so any token, however long, is read in linear time. */
#ifndef RUBRIC_JSONREAD_H
#define RUBRIC_JSONREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

struct rb_arena;

typedef struct {
    uint64_t line, col; /* 1-based; col counts code points */
} rb_textpos;

/* A position kept across refills: its column is worked out before the
 * window moves on (see rb_jsrc_more). */
typedef struct {
    uint64_t line, col; /* col 0 until resolved */
    size_t idx;         /* in the window, while live */
    bool live;
} rb_jmark;

typedef struct rb_jsrc rb_jsrc;
struct rb_jsrc {
    unsigned char *buf;
    size_t pos, len;
    uint64_t line;      /* of buf[pos] */
    size_t cm_idx;      /* column mark: buf[cm_idx] is at column cm_col */
    uint64_t cm_col;
    bool eof;
    /* Refills buf[0..n) and returns n, 0 at the end, -1 on an error. */
    long (*read)(rb_jsrc *s);
    rb_jmark start, token; /* the current value's and token's start */
};

/* Sets up a window over memory (no refill). */
void rb_jsrc_memory(rb_jsrc *s, const char *text, size_t len);
/* Refills an exhausted window; false at the end of input (or on an error). */
bool rb_jsrc_more(rb_jsrc *s);
static inline int rb_jsrc_peek(rb_jsrc *s)
{
    if (s->pos < s->len || rb_jsrc_more(s)) return s->buf[s->pos];
    return -1;
}
/* Position of buf[idx] (idx in the window). */
rb_textpos rb_jsrc_pos(rb_jsrc *s, size_t idx);
/* Moves pos forward to `to`, counting lines. */
void rb_jsrc_consume(rb_jsrc *s, size_t to);
/* Starts a mark at the current position. */
void rb_jsrc_mark(rb_jsrc *s, rb_jmark *m);
rb_textpos rb_jsrc_mark_pos(rb_jsrc *s, rb_jmark *m);

/* A parser's scratch space, reused from value to value so that a stream of
 * records allocates nothing but arena memory once it has warmed up. */
typedef struct {
    char *tok;
    size_t toklen, tokcap;
    rb_rv_member *vs; /* members/items of the open containers, back to back */
    size_t vslen, vscap;
} rb_jscratch;

void rb_jscratch_free(rb_jscratch *sc);

/* How a parse failed: where, why, and the state the resynchroniser needs. */
typedef struct {
    const char *msg;  /* a static msgid: translate it with rb_tr to show it */
    rb_textpos at;
    int depth;        /* containers open at the error (past the limit too) */
    uint64_t objects; /* bit i: the container at level i is an object */
    bool in_string;   /* the error is inside a string */
} rb_jerror;

#define RB_JSON_MAX_DEPTH 64

/* Parses one value starting at the current position (blanks first).  In
 * line mode a newline ends the input.  `whole`: only blanks may follow the
 * value (up to the end of the line or input).  Returns true with *out set, or
 * false with *err (the position left at the offending byte). */
bool rb_json_value(rb_jsrc *s, rb_jscratch *sc, struct rb_arena *arena, bool line_mode,
                   bool whole, rb_rv *out, rb_jerror *err);

/* After a failed value in a stream: skips to where the broken value ends,
 * as the brackets and quotes around the error say, or to a '{' that opens
 * a line (a new record, likely).  In an array (in_array), a ',' or ']' at
 * the value's own level ends it, unconsumed. */
typedef enum {
    RB_SKIP_ENDED,      /* past the broken value's end */
    RB_SKIP_NEW_RECORD, /* at a '{' that opens a line */
    RB_SKIP_EOF,        /* the input ended inside the broken value */
    RB_SKIP_LOST        /* ... after passing a '{': a record may have been
                           swallowed, and the caller must say so */
} rb_skip_end;
rb_skip_end rb_json_skip(rb_jsrc *s, const rb_jerror *err, rb_textpos value_start,
                         bool in_array);

#endif
