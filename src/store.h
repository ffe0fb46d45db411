/* store.h — the SQLite store of `score --store` and `history --store`
 * (SPEC §13; the schema is docs/store.md).  Command-line code
 * (src/cli_store.c): the library reads history only through rb_history
 * (vm.h), so it needs no SQLite. */
#ifndef RUBRIC_STORE_H
#define RUBRIC_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "lang.h"
#include "program.h"
#include "result.h"
#include "vm.h"

/* The schema version this build writes (PRAGMA user_version). */
#define RB_STORE_SCHEMA 1

typedef struct rb_store rb_store;

/* Opens (creating and migrating as needed) the store at `path`.  NULL with
 * a message in err when it cannot be used: not a Rubric store, written by
 * a newer Rubric, or an I/O error.  Without `create`, a missing file is
 * such an error. */
rb_store *rb_store_open(const char *path, bool create, rb_lang lang, char *err, size_t errcap);
void rb_store_close(rb_store *s);
/* The last error, for a person. */
const char *rb_store_error(const rb_store *s);

/* One scoring run is one transaction (BEGIN IMMEDIATE: a second writer
 * waits for it).  0, or -1 with rb_store_error. */
int rb_store_begin(rb_store *s, const rb_program *p);
int rb_store_commit(rb_store *s);
void rb_store_rollback(rb_store *s);
/* The provider that reads this form's earlier results, in the run. */
rb_history rb_store_history(rb_store *s);
/* Stores a valid result (its NDJSON line `json`, len bytes).  Returns 0,
 * 1 when it replaced a stored result, or -1.  Writes notes (replaced,
 * later periods now perhaps stale) to `notes`. */
int rb_store_put(rb_store *s, const rb_program *p, const rb_result *r, const char *json, size_t len, FILE *notes);
/* failed lookups leave an error here too */
bool rb_store_failed(const rb_store *s);

/* sqlite handle for `rubric history` (cli_history.c) */
struct sqlite3 *rb_store_db(rb_store *s);

#endif
