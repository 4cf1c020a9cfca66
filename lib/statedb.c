/* statedb.c: opening and migrating the state file shared by dg-state (what was
 * created, runs) and the LLM client (its response cache). */
#define _GNU_SOURCE
#include "statedb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

#define SCHEMA_VERSION 2

/* One migration per schema version, each run in a transaction. */
static const char *const migrations[] = {
	NULL,
	"CREATE TABLE runs (id TEXT PRIMARY KEY, started TEXT, ended TEXT, status TEXT,"
	" info TEXT NOT NULL DEFAULT '{}');"
	"CREATE TABLE items (key TEXT NOT NULL, object TEXT NOT NULL, sf_id TEXT NOT NULL,"
	" opp TEXT, run TEXT, tag TEXT, created TEXT NOT NULL, deleted TEXT,"
	" PRIMARY KEY (key, object));"
	"CREATE INDEX items_run ON items (run);"
	"CREATE INDEX items_id ON items (sf_id);",
	"CREATE TABLE llm_cache (key TEXT PRIMARY KEY, model TEXT, content TEXT NOT NULL,"
	" tokens INTEGER NOT NULL DEFAULT 0, created TEXT NOT NULL);",
};

const char *statedb_path(void)
{
	const char *p = getenv("DG_STATE");
	return p && *p ? p : ".dg/state.db";
}

static int fail(sqlite3 *db, char *err, size_t errsize, const char *fmt, const char *path, const char *why)
{
	snprintf(err, errsize, fmt, path, why);
	sqlite3_close(db);
	return -1;
}

sqlite3 *statedb_open(const char *path, int create, char *err, size_t errsize)
{
	struct stat st;
	sqlite3 *db = NULL;
	if (stat(path, &st) != 0) {
		if (!create) {
			snprintf(err, errsize, "no state file '%s' yet (nothing was recorded)", path);
			return NULL;
		}
		char *d = xstrdup(path), *slash = strrchr(d, '/');
		if (slash && slash != d) {
			*slash = '\0';
			if (mkdir(d, 0777) != 0 && errno != EEXIST) {
				snprintf(err, errsize, "cannot create '%s' for the state file: %s", d, strerror(errno));
				free(d);
				return NULL;
			}
		}
		free(d);
	}
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		fail(db, err, errsize, "cannot open state '%s': %s", path, sqlite3_errmsg(db));
		return NULL;
	}
	sqlite3_busy_timeout(db, 10000);
	sqlite3_stmt *q;
	int v = -1;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL) == SQLITE_OK) {
		v = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : -1;
		sqlite3_finalize(q);
	}
	if (v < 0) {
		fail(db, err, errsize, "state '%s' is not a dg state file (%s); move it away to start over", path,
		    sqlite3_errmsg(db));
		return NULL;
	}
	if (v == 0) {
		int n = 0;
		if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &q, NULL) == SQLITE_OK) {
			n = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
			sqlite3_finalize(q);
		}
		if (n > 0) {
			fail(db, err, errsize, "state '%s' is an SQLite file but not dg's%s; move it away to start over", path, "");
			return NULL;
		}
	}
	if (v > SCHEMA_VERSION) {
		fail(db, err, errsize, "state '%s' was written by a newer dg%s", path, "");
		return NULL;
	}
	char *msg = NULL;
	if (sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errsize, "state '%s': %s", path, msg ? msg : "?");
		sqlite3_free(msg);
		sqlite3_close(db);
		return NULL;
	}
	for (int m = v + 1; m <= SCHEMA_VERSION; m++) {
		char *sql = xasprintf("BEGIN; %s PRAGMA user_version = %d; COMMIT;", migrations[m], m);
		int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
		free(sql);
		if (rc != SQLITE_OK) {
			snprintf(err, errsize, "state '%s': cannot migrate to schema %d: %s", path, m, msg ? msg : "?");
			sqlite3_free(msg);
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			sqlite3_close(db);
			return NULL;
		}
	}
	return db;
}
