/* cli_store.c — the SQLite store behind `score --store` and `history
 * --store` (SPEC §13, docs/store.md).
 *
 * One file, no server.  The schema carries a version (PRAGMA user_version)
 * and an application id, and is brought up to date by the migrations below,
 * each in its own transaction.  A scoring run is one transaction taken with
 * BEGIN IMMEDIATE, so two runs on one file serialise (the second waits up
 * to RB_STORE_BUSY_MS), and SQLite's rollback journal makes a run that is
 * killed at any point leave all of its results or none. */
#include "store.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "arena.h"
#include "buf.h"
#include "history.h"
#include "json.h"
#include "record.h"

/* "RBRC": marks a database as a Rubric store, so that another program's
 * SQLite file is refused rather than given our tables. */
#define RB_STORE_APP_ID 0x52425243
/* How long a run waits for another run that holds the store. */
#define RB_STORE_BUSY_MS 60000

/* migrations[v] takes a store from schema v to v + 1. */
static const char *const migrations[RB_STORE_SCHEMA] = {
    "CREATE TABLE runs (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  started TEXT NOT NULL,\n"   /* UTC, ISO 8601 */
    "  form TEXT NOT NULL,\n"
    "  digest TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE results (\n"
    "  form TEXT NOT NULL,\n"
    "  key TEXT NOT NULL,\n"
    "  period TEXT NOT NULL,\n"    /* canonical: 2026-10, 2026-W07, 2026-Q3, 2026 */
    "  digest TEXT NOT NULL,\n"
    "  total TEXT,\n"              /* as printed */
    "  grade TEXT,\n"              /* the grade's id */
    "  grade_label TEXT,\n"
    "  result TEXT NOT NULL,\n"    /* the NDJSON line `score` printed */
    "  vals TEXT NOT NULL,\n"      /* exact values for streak/previous: {name: text} */
    "  run INTEGER NOT NULL REFERENCES runs(id),\n"
    "  record INTEGER NOT NULL,\n"
    "  PRIMARY KEY (form, key, period)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX results_by_period ON results (form, period);\n",
};

struct rb_store {
    sqlite3 *db;
    rb_lang lang;
    char err[512];
    bool failed;
    const char *form;
    sqlite3_int64 run;
    sqlite3_stmt *get, *old, *put, *later;
    rb_arena *arena;              /* per lookup / per put */
    rb_stored_value *vals;
    size_t nvals, cap;
};

#define TR(s) rb_tr(st->lang, s)

static int fail_db(rb_store *st, const char *what)
{
    snprintf(st->err, sizeof st->err, TR(N_("%s: %s")), what, sqlite3_errmsg(st->db));
    st->failed = true;
    return -1;
}

const char *rb_store_error(const rb_store *s) { return s->err; }
bool rb_store_failed(const rb_store *s) { return s->failed; }
struct sqlite3 *rb_store_db(rb_store *s) { return s->db; }

static int pragma_int(sqlite3 *db, const char *sql, int *out)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) return -1;
    int rc = sqlite3_step(q);
    *out = rc == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
    sqlite3_finalize(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Brings the schema up to date, one migration per transaction. */
static int migrate(rb_store *st)
{
    int version, app, tables;
    /* one read transaction, so the three answers are of one moment: read one
     * by one, another rubric's first migration could commit between them and
     * show its tables without its application id */
    if (sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
        pragma_int(st->db, "PRAGMA user_version", &version) || pragma_int(st->db, "PRAGMA application_id", &app) ||
        pragma_int(st->db, "SELECT count(*) FROM sqlite_master", &tables) ||
        sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        fail_db(st, TR(N_("cannot read the store")));
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    if (app != RB_STORE_APP_ID && (app != 0 || tables != 0)) {
        snprintf(st->err, sizeof st->err, "%s", TR(N_("this SQLite database is not a Rubric store")));
        return -1;
    }
    if (version > RB_STORE_SCHEMA) {
        snprintf(st->err, sizeof st->err, TR(N_("the store has schema version %d, newer than this rubric knows (%d): "
                                                "use a newer rubric")),
                 version, RB_STORE_SCHEMA);
        return -1;
    }
    for (int v = version; v < RB_STORE_SCHEMA; v++) {
        char set[128];
        snprintf(set, sizeof set, "PRAGMA application_id = %d; PRAGMA user_version = %d;", RB_STORE_APP_ID, v + 1);
        if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
            return fail_db(st, TR(N_("cannot update the store")));
        int cur;
        /* another rubric may have migrated it while we waited */
        if (pragma_int(st->db, "PRAGMA user_version", &cur) == 0 && cur > v) {
            sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
            v = cur - 1;
            continue;
        }
        if (sqlite3_exec(st->db, migrations[v], NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(st->db, set, NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            fail_db(st, TR(N_("cannot update the store")));
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
    }
    return 0;
}

rb_store *rb_store_open(const char *path, bool create, rb_lang lang, char *err, size_t errcap)
{
    rb_store *st = rb_xcalloc(1, sizeof *st);
    st->lang = lang;
    st->arena = rb_arena_new();
    /* a store that must exist and does not: the system's reason, in the
     * user's language, rather than SQLite's "unable to open database file" */
    struct stat sb;
    if (!create && stat(path, &sb) != 0) {
        snprintf(err, errcap, TR(N_("cannot open the store %s: %s")), path, rb_strerror(lang, errno));
        rb_store_close(st);
        return NULL;
    }
    int rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0), NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errcap, TR(N_("cannot open the store %s: %s")), path,
                 st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        rb_store_close(st);
        return NULL;
    }
    sqlite3_busy_timeout(st->db, RB_STORE_BUSY_MS);
    sqlite3_extended_result_codes(st->db, 1);
    if (migrate(st)) {
        snprintf(err, errcap, "%s: %s", path, st->err);
        rb_store_close(st);
        return NULL;
    }
    static const char *const sql[] = {
        "SELECT vals FROM results WHERE form = ?1 AND key = ?2 AND period = ?3",
        "SELECT total, grade FROM results WHERE form = ?1 AND key = ?2 AND period = ?3",
        ("INSERT OR REPLACE INTO results (form, key, period, digest, total, grade, grade_label, result, vals, run, record)"
         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
        "SELECT period FROM results WHERE form = ?1 AND key = ?2 AND period > ?3 ORDER BY period",
    };
    sqlite3_stmt **stmts[] = {&st->get, &st->old, &st->put, &st->later};
    for (size_t i = 0; i < 4; i++) {
        if (sqlite3_prepare_v2(st->db, sql[i], -1, stmts[i], NULL) != SQLITE_OK) {
            snprintf(err, errcap, "%s: %s", path, sqlite3_errmsg(st->db));
            rb_store_close(st);
            return NULL;
        }
    }
    return st;
}

void rb_store_close(rb_store *st)
{
    if (!st) return;
    sqlite3_finalize(st->get);
    sqlite3_finalize(st->old);
    sqlite3_finalize(st->put);
    sqlite3_finalize(st->later);
    sqlite3_close(st->db);
    rb_arena_free(st->arena);
    rb_free(st);
}

int rb_store_begin(rb_store *st, const rb_program *p)
{
    st->form = rb_str(p, p->name);
    if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        if (sqlite3_errcode(st->db) == SQLITE_BUSY) {
            snprintf(st->err, sizeof st->err,
                     TR(N_("the store is busy: another rubric has been writing to it for %d seconds")),
                     RB_STORE_BUSY_MS / 1000);
            return -1;
        }
        return fail_db(st, TR(N_("cannot start storing")));
    }
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "INSERT INTO runs (started, form, digest) VALUES (?1, ?2, ?3)", -1, &q, NULL) !=
        SQLITE_OK)
        return fail_db(st, TR(N_("cannot start storing")));
    sqlite3_bind_text(q, 1, when, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, st->form, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, p->digest, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return fail_db(st, TR(N_("cannot start storing")));
    st->run = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int rb_store_commit(rb_store *st)
{
    if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        fail_db(st, TR(N_("cannot store the results")));
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

void rb_store_rollback(rb_store *st)
{
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static void bind3(rb_store *st, sqlite3_stmt *q, const char *key, const char *period)
{
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, st->form, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, period, -1, SQLITE_TRANSIENT);
}

static int store_lookup(void *ctx, const char *key, const char *period, const rb_stored_value **values, size_t *n)
{
    rb_store *st = ctx;
    bind3(st, st->get, key, period);
    int rc = sqlite3_step(st->get);
    if (rc == SQLITE_DONE) return 0;
    if (rc != SQLITE_ROW) return fail_db(st, TR(N_("cannot read the store")));
    rb_arena_reset(st->arena);
    const char *text = (const char *)sqlite3_column_text(st->get, 0);
    const char *err = NULL;
    const rb_rv *obj = text ? rb_json_parse(st->arena, text, strlen(text), RB_LANG_EN, &err) : NULL;
    if (!obj || obj->kind != RV_OBJECT) {
        snprintf(st->err, sizeof st->err, TR(N_("the stored result of %s in %s is damaged")), key, period);
        st->failed = true;
        return -1;
    }
    st->vals = rb_arena_alloc(st->arena, (obj->count + 1) * sizeof *st->vals);
    st->nvals = 0;
    for (size_t i = 0; i < obj->count; i++)
        if (obj->members[i].value.kind == RV_STRING)
            st->vals[st->nvals++] = (rb_stored_value){obj->members[i].key, obj->members[i].value.text};
    sqlite3_reset(st->get);
    *values = st->vals;
    *n = st->nvals;
    return 1;
}

rb_history rb_store_history(rb_store *st)
{
    return (rb_history){.lookup = store_lookup, .ctx = st};
}

int rb_store_put(rb_store *st, const rb_program *p, const rb_result *r, const char *json, size_t len, FILE *notes)
{
    /* what it replaces, and what came after it */
    bind3(st, st->old, r->history_key, r->history_period);
    int rc = sqlite3_step(st->old);
    bool replaced = rc == SQLITE_ROW;
    if (replaced) {
        const char *t = (const char *)sqlite3_column_text(st->old, 0), *g = (const char *)sqlite3_column_text(st->old, 1);
        fprintf(notes, TR(N_("rubric score: note: record %llu: %s %s replaces the stored result (total %s, grade %s)\n")),
                (unsigned long long)r->record, r->history_key, r->history_period, t ? t : "-", g ? g : "-");
    } else if (rc != SQLITE_DONE) {
        return fail_db(st, TR(N_("cannot read the store")));
    }
    sqlite3_reset(st->old);
    bind3(st, st->later, r->history_key, r->history_period);
    rb_buf later = {0};
    while ((rc = sqlite3_step(st->later)) == SQLITE_ROW) {
        if (later.len) rb_buf_puts(&later, ", ");
        rb_buf_puts(&later, (const char *)sqlite3_column_text(st->later, 0));
    }
    sqlite3_reset(st->later);
    if (later.len)
        fprintf(notes, TR(N_("rubric score: note: record %llu: %s %s comes before the stored %s, whose results may "
                             "have read it and may now be stale: score them again\n")),
                (unsigned long long)r->record, r->history_key, r->history_period, later.s);
    rb_buf_free(&later);

    rb_arena_reset(st->arena);
    rb_stored_value *vals;
    size_t n = rb_history_values(p, r, st->arena, &vals);
    char *obj = NULL;
    size_t objlen = 0;
    FILE *m = open_memstream(&obj, &objlen);
    fputc('{', m);
    for (size_t i = 0; i < n; i++) {
        if (i) fputc(',', m);
        rb_json_write_string(m, vals[i].name, strlen(vals[i].name));
        fputc(':', m);
        rb_json_write_string(m, vals[i].value, strlen(vals[i].value));
    }
    fputc('}', m);
    fclose(m);
    char total[64] = "";
    if (r->has_total) rb_num_format(r->total, (int)p->precision, total, sizeof total);
    sqlite3_stmt *q = st->put;
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, st->form, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, r->history_key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, r->history_period, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 4, r->digest, -1, SQLITE_TRANSIENT);
    if (r->has_total) sqlite3_bind_text(q, 5, total, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(q, 5);
    if (r->has_grade) sqlite3_bind_text(q, 6, r->grade_id, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(q, 6);
    if (r->has_grade && r->grade_label) sqlite3_bind_text(q, 7, r->grade_label, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(q, 7);
    sqlite3_bind_text(q, 8, json, (int)len, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 9, obj, (int)objlen, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 10, st->run);
    sqlite3_bind_int64(q, 11, (sqlite3_int64)r->record);
    rc = sqlite3_step(q);
    sqlite3_reset(q);
    rb_free(obj);
    if (rc != SQLITE_DONE) return fail_db(st, TR(N_("cannot store the results")));
    return replaced;
}
