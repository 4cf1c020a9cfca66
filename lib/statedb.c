/* statedb.c: opening and migrating the state file shared by dg-state (what was
 * created, runs) and the LLM client (its response cache).
 *
 * Any number of dg programs may open the same file at once, a fresh one included
 * (`dg-content | dg-score` on a new DG_STATE): the file is made with O_EXCL, the
 * schema is read and migrated inside one BEGIN IMMEDIATE transaction, and a busy
 * file is waited for (up to STATEDB_WAIT_MS) rather than reported. */
#include "statedb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define SCHEMA_VERSION 3
/* How long an opener waits for another program holding the file. */
#define STATEDB_WAIT_MS 60000

/* One migration per schema version, each run in the transaction that read the version. */
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
	/* 3: what an update changed, as the record had it (JSON), for dg reset to put back;
	 * the hash of what was written (sfblocks' sig), for dg refresh to tell what changed */
	"ALTER TABLE items ADD COLUMN before TEXT; ALTER TABLE items ADD COLUMN sig TEXT;",
};

/* The directory holding the nearest .dg/ from here up (as git finds .git), into buf;
 * "." when it is here or nowhere (then .dg/ is made here on first use). The search
 * does not go above $DG_CEILING (as GIT_CEILING_DIRECTORIES: tests keep to their own
 * directory with it). */
static const char *
state_root(char *buf, size_t size)
{
	char dir[4096];
	const char *ceiling = getenv("DG_CEILING");
	snprintf(buf, size, ".");
	if (!getcwd(dir, sizeof dir))
		return buf;
	for (int here = 1;; here = 0) {
		char probe[4200];
		struct stat st;
		snprintf(probe, sizeof probe, "%s/.dg", dir);
		if (stat(probe, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (!here)
				snprintf(buf, size, "%s", dir);
			return buf;
		}
		char *slash = strrchr(dir, '/');
		if (!slash || slash == dir || (ceiling && !strcmp(dir, ceiling)))
			return buf;
		*slash = '\0';
	}
}

/* $env, else name in the directory state_root finds (kept in path, size bytes). */
static const char *
found(const char *env, const char *name, char *path, size_t size)
{
	const char *p = getenv(env);
	if (p && *p)
		return p;
	if (!*path) {
		char root[4096];
		int here = !strcmp(state_root(root, sizeof root), ".");
		snprintf(path, size, "%s%s%s", here ? "" : root, here ? "" : "/", name);
	}
	return path;
}

const char *
statedb_path(void)
{
	static char path[4200];
	return found("DG_STATE", ".dg/state.db", path, sizeof path);
}

const char *
statedb_runs(void)
{
	static char path[4200];
	return found("DG_RUNS", "runs", path, sizeof path);
}

/* Makes every missing directory of path's parent, private (0700). */
static int
mkdir_parents(const char *path, char *err, size_t errsize)
{
	char *d = xstrdup(path);
	for (char *s = strchr(d + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(d, 0700) != 0 && errno != EEXIST) {
			snprintf(err, errsize, "cannot create '%s' for the state file: %s", d, strerror(errno));
			free(d);
			return -1;
		}
		*s = '/';
	}
	free(d);
	return 0;
}

static int
busy(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
}

/* Runs sql, waiting while another connection holds the file (the busy handler does
 * not cover every case: a journal-mode change or a WAL recovery can answer BUSY at
 * once). Returns the last SQLite result code; *msg as sqlite3_exec gives it. */
static int
exec_wait(sqlite3 *db, const char *sql, char **msg)
{
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	int rc;
	for (int waited = 0;; waited += 20) {
		if (msg) {
			sqlite3_free(*msg);
			*msg = NULL;
		}
		rc = sqlite3_exec(db, sql, NULL, NULL, msg);
		if (!busy(rc) || waited >= STATEDB_WAIT_MS)
			return rc;
		nanosleep(&nap, NULL);
	}
}

/* One integer from a query, waiting while the file is busy; -1 on error. */
static int
query_int(sqlite3 *db, const char *sql, int *rc)
{
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	for (int waited = 0;; waited += 20) {
		sqlite3_stmt *q;
		int v = -1;
		*rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
		if (*rc == SQLITE_OK) {
			*rc = sqlite3_step(q);
			if (*rc == SQLITE_ROW) {
				v = sqlite3_column_int(q, 0);
				*rc = SQLITE_OK;
			}
			sqlite3_finalize(q);
		}
		if (*rc == SQLITE_OK)
			return v;
		if (!busy(*rc) || waited >= STATEDB_WAIT_MS)
			return -1;
		nanosleep(&nap, NULL);
	}
}

/* The reason a state file could not be used, in words that never advise throwing a
 * good state away. */
static void
why(char *err, size_t errsize, const char *path, sqlite3 *db, int rc, int writing)
{
	switch (rc & 0xff) {
	case SQLITE_NOTADB:
		snprintf(err, errsize,
		    "'%s' is not a dg state file (not an SQLite database); "
		    "name another file with --db or DG_STATE",
		    path);
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		snprintf(err, errsize, "state '%s' is busy: another program held it for %d s; try again", path,
		    STATEDB_WAIT_MS / 1000);
		break;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		snprintf(err, errsize,
		    "state '%s' cannot be %s: %s (check the permissions of the file and its directory)", path,
		    writing ? "written" : "read", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		break;
	case SQLITE_FULL: snprintf(err, errsize, "state '%s': the disk is full", path); break;
	default: snprintf(err, errsize, "state '%s': %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	}
}

static sqlite3 *
fail(sqlite3 *db, char *err, size_t errsize, const char *path, int rc, int writing)
{
	why(err, errsize, path, db, rc, writing);
	sqlite3_close(db);
	return NULL;
}

/* Makes the file (0600) when it is missing; a file made at the same moment by another
 * opener is fine. Tightens an existing file of ours that others could read. */
static int
make_private(const char *path, int create, char *err, size_t errsize)
{
	struct stat st;
	if (stat(path, &st) == 0) {
		if ((st.st_mode & 077) && st.st_uid == geteuid())
			(void)chmod(path, st.st_mode & 0700);
		return 0;
	}
	if (!create) {
		snprintf(err, errsize, "no state file '%s' yet (nothing was recorded)", path);
		return -1;
	}
	if (mkdir_parents(path, err, errsize) != 0)
		return -1;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno != EEXIST) {
		snprintf(err, errsize, "cannot create state '%s': %s", path, strerror(errno));
		return -1;
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

/* A read-only opening of a WAL file in a directory we cannot write fails when the
 * -shm file is missing; such a file cannot change under us, so it is opened as
 * immutable. */
static sqlite3 *
open_immutable(const char *path)
{
	struct sb uri = { 0 };
	sb_add(&uri, "file:");
	for (const char *p = path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			sb_addf(&uri, "%%%02X", (unsigned char)*p);
		else
			sb_addc(&uri, *p);
	}
	sb_add(&uri, "?immutable=1");
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(sb_str(&uri), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	sb_free(&uri);
	if (rc != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

sqlite3 *
statedb_open(const char *path, int flags, char *err, size_t errsize)
{
	int ro = flags & STATEDB_READONLY, rc;
	sqlite3 *db = NULL;

	if (make_private(path, !ro && (flags & STATEDB_CREATE), err, errsize) != 0)
		return NULL;
	rc = sqlite3_open_v2(path, &db, ro ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK)
		return fail(db, err, errsize, path, rc, !ro);
	sqlite3_busy_timeout(db, STATEDB_WAIT_MS);

	int v = query_int(db, "PRAGMA user_version", &rc);
	if (v < 0 && ro && ((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY)) {
		sqlite3 *im = open_immutable(path);
		if (im) {
			sqlite3_close(db);
			db = im;
			v = query_int(db, "PRAGMA user_version", &rc);
		}
	}
	if (v < 0)
		return fail(db, err, errsize, path, rc, !ro);
	if (v > SCHEMA_VERSION) {
		snprintf(err, errsize, "state '%s' was written by a newer dg (schema %d; this one knows %d)", path, v,
		    SCHEMA_VERSION);
		sqlite3_close(db);
		return NULL;
	}
	if (ro) {
		/* Schemas only add tables: an older file serves reads of what it has. */
		if (v == 0) {
			if (flags & STATEDB_EMPTY_OK)
				err[0] = '\0';
			else
				snprintf(err, errsize, "state '%s' holds nothing of dg's yet", path);
			sqlite3_close(db);
			return NULL;
		}
		return db;
	}

	char *msg = NULL;
	rc = exec_wait(db, "PRAGMA journal_mode = WAL", &msg);
	sqlite3_free(msg);
	if (rc != SQLITE_OK)
		return fail(db, err, errsize, path, rc, 1);
	if (v == SCHEMA_VERSION)
		return db;

	/* Read the version again under the write lock: another opener may have
	 * migrated the file since. */
	rc = exec_wait(db, "BEGIN IMMEDIATE", NULL);
	if (rc != SQLITE_OK)
		return fail(db, err, errsize, path, rc, 1);
	v = query_int(db, "PRAGMA user_version", &rc);
	int tables = v == 0 ? query_int(db, "SELECT count(*) FROM sqlite_master", &rc) : 0;
	if (v < 0 || tables < 0) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return fail(db, err, errsize, path, rc, 1);
	}
	if (v == 0 && tables > 0) {
		snprintf(err, errsize,
		    "'%s' is an SQLite database of another program, not dg's state; "
		    "name another file with --db or DG_STATE",
		    path);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(db);
		return NULL;
	}
	for (int m = v + 1; m <= SCHEMA_VERSION; m++) {
		char *sql = xasprintf("%s PRAGMA user_version = %d;", migrations[m], m);
		rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
		free(sql);
		if (rc != SQLITE_OK) {
			snprintf(err, errsize, "state '%s': cannot migrate to schema %d: %s", path, m, msg ? msg : "?");
			sqlite3_free(msg);
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			sqlite3_close(db);
			return NULL;
		}
	}
	rc = exec_wait(db, "COMMIT", NULL);
	if (rc != SQLITE_OK) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return fail(db, err, errsize, path, rc, 1);
	}
	return db;
}
