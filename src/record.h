/* record.h — filled records, read from JSON, JSON arrays, NDJSON and CSV.
 *
 * A reader turns a byte stream into a sequence of records, one at a time, in
 * constant memory (each record lives in the reader's per-record arena and is
 * valid until the next rb_reader_next call).  A record is a generic value tree
 * (rb_rv); it knows nothing of any template.  Binding a record to a template's
 * declared names is the evaluator's job (bind.c).
 *
 * Every record in the input yields exactly one rb_record: a malformed one is
 * returned with `syntax_error` set (SPEC §7: nothing is dropped). */
#ifndef RUBRIC_RECORD_H
#define RUBRIC_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lang.h"

typedef enum {
    RV_NULL,
    RV_BOOL,
    RV_NUMBER, /* `text` holds the number exactly as written, e.g. "12.50"; always
                  JSON number grammar (the reader checked it: rb_num_parse_json) */
    RV_STRING, /* `text` holds the decoded UTF-8 string (validated), NUL-ended */
    RV_OBJECT, /* members in input order; duplicate keys are kept */
    RV_ARRAY
} rb_rv_kind;

typedef struct rb_rv rb_rv;
typedef struct rb_rv_member rb_rv_member;

struct rb_rv {
    rb_rv_kind kind;
    bool boolean;            /* RV_BOOL */
    const char *text;        /* RV_NUMBER, RV_STRING: NUL-ended */
    size_t len;              /* bytes in text */
    rb_rv_member *members;   /* RV_OBJECT */
    rb_rv *items;            /* RV_ARRAY */
    size_t count;            /* members or items */
};

struct rb_rv_member {
    const char *key; /* NUL-ended UTF-8 */
    size_t keylen;
    rb_rv value;
};

typedef enum {
    RB_INPUT_AUTO,   /* by file name: .csv → CSV, .ndjson/.jsonl → NDJSON,
                        otherwise JSON (one object, an array of objects, or
                        several whitespace-separated objects); "-" (standard
                        input) → NDJSON, or a JSON array if it opens with '[' */
    RB_INPUT_JSON,
    RB_INPUT_NDJSON,
    RB_INPUT_CSV
} rb_input_format;

/* Where the values of a workbook's record stand, so that a message about a
 * value can name its cell (SPEC §16: `sheet Data, cell D7`).  Owned by the
 * reader and the same for every record of a file: valid until
 * rb_reader_close, so a record copied for a worker thread may point to it. */
typedef struct {
    const char *key; /* the value the column holds: "amount", or
                        "initiative.manager" for a rated item */
    size_t col;      /* 0-based */
} rb_cell_key;

typedef struct {
    const char *sheet;
    rb_cell_key *by_key; /* the columns in the order of their keys (strcmp) */
    size_t ncols;
} rb_cells;

/* The column (0-based) whose key is `key`, or -1. */
long rb_cells_column(const rb_cells *c, const char *key);

typedef struct {
    uint64_t number;       /* 1-based position in the whole stream */
    const char *source;    /* file name the record came from ("-" = stdin) */
    uint64_t line;         /* line where the record starts (1-based) */
    bool from_csv;         /* all leaf values are RV_STRING cells; an empty
                              cell is RV_NULL; "item.rater" headers have been
                              turned into nested objects {"item":{"rater":…}} */
    const char *syntax_error; /* non-NULL: the record is malformed (SPEC §8
                              code "syntax"); message names line/column */
    rb_rv value;           /* the record (RV_OBJECT when well-formed; a
                              non-object top-level value is a syntax error
                              "a record must be a JSON object") */
    const rb_cells *cells; /* a workbook's row (rb_reader_set_sheet), or NULL;
                              `line` is then the sheet's row */
} rb_record;

typedef struct rb_reader rb_reader;

/* Opens a reader on `f` (not closed by the reader).  `name` is used for
 * format detection and messages.  first_number is the number given to the
 * first record (so several files continue one numbering). */
rb_reader *rb_reader_open(FILE *f, const char *name, rb_input_format fmt,
                          uint64_t first_number);
/* Returns 1 and fills *rec with the next record, 0 at end of input, -1 on an
 * I/O error (message in rb_reader_error).  After a syntax error that the
 * reader cannot resynchronise from (a broken JSON array, say), that one
 * record is returned and the next call returns 0. */
int rb_reader_next(rb_reader *r, rb_record *rec);

/* `score -j`: NDJSON framed here, parsed on the worker threads.  The next
 * record's line, unparsed: *text and *len, its bytes from its first non-blank
 * one (column *col of line *line) up to its newline, valid until the next
 * call; *number as rb_reader_next would number it.  1: a line; 0: the end;
 * -1: an I/O error; -2: the input is not NDJSON (a file named .json or
 * .csv, standard input opening with '[', --input json|csv): read it with
 * rb_reader_next instead. */
int rb_reader_next_line(rb_reader *r, const char **text, size_t *len, uint64_t *line, uint64_t *col,
                        uint64_t *number);
/* The record rb_reader_next would have returned for such a line, in the
 * parser's arena (valid until its next rb_line_parse), messages in `lang`;
 * one parser per thread. */
typedef struct rb_line_parser rb_line_parser;
rb_line_parser *rb_line_parser_new(rb_lang lang);
void rb_line_parser_free(rb_line_parser *lp);
void rb_line_parse(rb_line_parser *lp, rb_record *rec, const char *source, const char *text, size_t len,
                   uint64_t line, uint64_t col, uint64_t number);

/* Spreadsheet input (SPEC §16), set before the first rb_reader_next.
 * A header function turns a CSV header cell into the key records use (a
 * label into its name: rb_columns_resolve); it returns a malloc'ed key and
 * may set *note (malloc'ed) to a remark for a person.  The encoding applies
 * to CSV: RB_ENC_UTF8 by default; RB_ENC_AUTO reads a file that is not
 * valid UTF-8 as GB18030, with a note (standard input stays UTF-8). */
typedef char *(*rb_header_fn)(void *ctx, const char *cell, size_t len, rb_lang lang, char **note);
void rb_reader_set_headers(rb_reader *r, rb_header_fn fn, void *ctx);
void rb_reader_set_encoding(rb_reader *r, int encoding /* rb_encoding */);
/* The language of the reader's messages: syntax errors, notes and I/O
 * errors (SPEC §17); English by default. */
void rb_reader_set_lang(rb_reader *r, rb_lang lang);
/* The CSV read is a workbook's sheet (xlsx.h): each record's `line` is the
 * sheet's row, which `row` gives for a CSV line (rb_xlsx_row: a cell
 * holding a line break makes them differ), its messages name the sheet and
 * row, and its `cells` name the sheet's columns, so that messages about a
 * value name its cell.  `sheet` and ctx must outlive the reader. */
typedef uint64_t (*rb_row_fn)(const void *ctx, uint64_t line);
void rb_reader_set_sheet(rb_reader *r, const char *sheet, rb_row_fn row, const void *ctx);
/* The next remark for a person (an encoding guessed, a header that names
 * nothing), once each, or NULL; valid until the next call. */
const char *rb_reader_note(rb_reader *r);
const char *rb_reader_error(const rb_reader *r);
void rb_reader_close(rb_reader *r);

/* Parses one JSON text held in memory (for `rubric test` cases and unit
 * tests).  Returns the value in `arena`-owned memory, or NULL with a message
 * in *err (arena-owned, in `lang`). */
struct rb_arena;
const rb_rv *rb_json_parse(struct rb_arena *arena, const char *text, size_t len, rb_lang lang,
                           const char **err);
/* Looks up a member of an object (first match), NULL if absent. */
const rb_rv *rb_rv_get(const rb_rv *obj, const char *key);

#endif
