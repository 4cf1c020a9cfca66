/* dg-state: dg's memory of what it created, in one SQLite file (default .dg/state.db,
 * --db, $DG_STATE): which planned item (by key) became which Salesforce record, in
 * which run, and the runs themselves. Subcommands:
 *   mark      fill sf blocks on items created earlier, so dg-push skips them
 *   record    store what dg-push created (passing the records through)
 *   deleted   mark deleted what dg-push --delete reports
 *   ids       the records to delete (for dg reset)
 *   runs      the runs as a table; show RUN: one run
 *   run-begin / run-end   bookkeeping for dg run
 *   tally, log, event     what dg run reads out of records and logs (tally.c) */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include "cli.h"
#include "jsonl.h"
#include "sfblocks.h"
#include "state.h"
#include "statedb.h"
#include "util.h"

static const char usage[] = "usage: dg-state [--db FILE] mark [--refresh] [FILE...]\n"
			    "       dg-state [--db FILE] record --run RUN [--tag TAG] [FILE...]\n"
			    "       dg-state [--db FILE] deleted [FILE...]\n"
			    "       dg-state [--db FILE] ids [--run RUN | --all] [--object OBJECT]\n"
			    "       dg-state [--db FILE] stale [FILE...]\n"
			    "       dg-state [--db FILE] origin [FILE...]\n"
			    "       dg-state [--db FILE] opps\n"
			    "       dg-state [--db FILE] runs [--json]\n"
			    "       dg-state [--db FILE] show RUN\n"
			    "       dg-state [--db FILE] run-begin RUN [KEY=VALUE...]\n"
			    "       dg-state [--db FILE] run-end RUN STATUS [KEY=VALUE...]\n"
			    "       dg-state [--db FILE] cache [--clear]\n"
			    "       dg-state tally [FILE...]\n"
			    "       dg-state log [--run RUN] [FILE...]\n"
			    "       dg-state event NAME [KEY=VALUE...]\n"
			    "       dg-state where [runs]\n"
			    "\n"
			    "The local memory of what dg created: one SQLite file (default .dg/state.db in the\n"
			    "nearest directory up that has a .dg/, as git finds .git; $DG_STATE).\n"
			    "\n"
			    "  mark        give each item the org already has its sf block (dg-push skips it)\n"
			    "  record      store what a push created, under --run RUN (and --tag TAG)\n"
			    "  deleted     mark what a delete removed\n"
			    "  ids         the Ids created, of one run or --all, of one --object\n"
			    "  stale       the Ids the state holds for the deals read that their plan no longer has\n"
			    "  origin      the deals, each with the day its demo was first written for and its close\n"
			    "              date then (dg refresh --move-close-dates)\n"
			    "  opps        the opportunities dg has records for (the deals dg refresh keeps current)\n"
			    "  runs        the runs (a table; --json: JSON lines); show RUN: one run\n"
			    "  run-begin, run-end   open and close a run's row (the porcelain's)\n"
			    "  cache       the LLM response cache's size; --clear empties it\n"
			    "  tally       per object: how many to create and how many are there\n"
			    "  log         one event per record into the run's events.jsonl, failures on stdout\n"
			    "  event       one event into the run's events.jsonl\n"
			    "  where       the state file's path (runs: the runs directory's)\n"
			    "\n"
			    "      --db FILE        the state file\n"
			    "      --run RUN        the run (record, ids, log)\n"
			    "      --tag TAG        the tag stored with recorded items\n"
			    "      --all            every run (ids)\n"
			    "      --object OBJECT  only this object (ids)\n"
			    "      --json           JSON lines instead of a table (runs)\n"
			    "      --clear          empty the LLM cache (cache)\n"
			    "      --refresh        a relation to someone else than recorded is new (mark)\n"
			    "  -h, --help           show this help and exit\n"
			    "      --version        show the version and exit\n";

static sqlite3 *db;
static const char *dbpath;

static void
fail_db(const char *what)
{
	diex(EXIT_FAIL, "state '%s': %s: %s", dbpath, what, sqlite3_errmsg(db));
}

static void
exec(const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		diex(EXIT_FAIL, "state '%s': %s", dbpath, msg ? msg : "?");
}

static void
state_open(int flags)
{
	char err[1024];
	db = statedb_open(dbpath, flags, err, sizeof err);
	if (!db)
		diex(EXIT_FAIL, "%s", err);
}

static char *
now_iso(char buf[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

/* ---- mark ---- */

static sqlite3_stmt *q_find;
static int have_sig;     /* the state file keeps hashes (schema 3) */
static int mark_refresh; /* mark --refresh: a relation to someone else is not the same */

static jv
mark_one(jv sf, const struct sf_place *pl, void *ctx)
{
	long *n = ctx;
	/* A relation is known only under its activity's block. */
	if (pl->site == SITE_REL && !pl->parent)
		return sf;
	if (jv_get_kind(sf) == JV_KIND_OBJECT && jx_str(sf, "id") &&
	    strcmp(jx_str(sf, "status") ? jx_str(sf, "status") : "", "failed"))
		return sf; /* already carries its Id */
	if (!q_find)
		return sf; /* no state file yet: nothing was recorded */
	sqlite3_reset(q_find);
	sqlite3_bind_text(q_find, 1, pl->key, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q_find) != SQLITE_ROW)
		return sf;
	/* A relation cannot be changed, nor can a sent EmailMessage: relating someone else,
	 * or planned otherwise, it is made anew (and the old one removed: dg-state stale). */
	const char *had = (const char *)sqlite3_column_text(q_find, 3);
	if (mark_refresh && pl->sig &&
	    (pl->site == SITE_REL ? had && strcmp(had, pl->sig) != 0
				  : pl->site == SITE_ACTIVITY &&
			!strcmp((const char *)sqlite3_column_text(q_find, 0), "EmailMessage") &&
			(!had || strcmp(had, pl->sig) != 0)))
		return sf;
	jv_free(sf);
	(*n)++;
	jv b = jv_object();
	b = jv_object_set(b, jv_string("object"), jv_string((const char *)sqlite3_column_text(q_find, 0)));
	b = jv_object_set(b, jv_string("id"), jv_string((const char *)sqlite3_column_text(q_find, 1)));
	b = jv_object_set(b, jv_string("status"), jv_string("created"));
	if (sqlite3_column_text(q_find, 2))
		b = jv_object_set(b, jv_string("run"), jv_string((const char *)sqlite3_column_text(q_find, 2)));
	/* What was written is not what is planned now (a later day's plan): dg refresh
	 * updates it. A record from before hashes were kept counts as changed. */
	if (pl->sig && pl->site != SITE_REL &&
	    (!have_sig || !sqlite3_column_text(q_find, 3) ||
		strcmp((const char *)sqlite3_column_text(q_find, 3), pl->sig)))
		b = jv_object_set(b, jv_string("changed"), jv_true());
	return b;
}

static int
mark_cb(jv rec, const struct jsonl_pos *pos, void *ctx)
{
	jsonl_emit(sf_blocks_sig(rec, NULL, mark_one, ctx));
	return 0;
}

/* ---- record ---- */

struct rec_ctx {
	sqlite3_stmt *ins, *had; /* the insert; the before a live item has */
	const char *run, *tag;
	long n;
};

/* What was there before dg first wrote each field: what the state has for the item
 * (old values win, a null too), with the fields dg writes only now (a moved close date)
 * added from before (borrowed). Returns a new value, or jv_invalid() when neither has
 * any. */
static jv
before_merged(struct rec_ctx *c, const struct sf_place *pl, const char *obj, jv before)
{
	jv out = jv_is_valid(before) ? jv_copy(before) : jv_invalid();

	sqlite3_reset(c->had);
	sqlite3_bind_text(c->had, 1, pl->key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(c->had, 2, obj, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(c->had) == SQLITE_ROW && sqlite3_column_text(c->had, 0)) {
		jv old = jv_parse((const char *)sqlite3_column_text(c->had, 0));
		if (jv_get_kind(old) == JV_KIND_OBJECT)
			return jv_is_valid(out) ? jv_object_merge(out, old) : old;
		jv_free(old);
	}
	return out;
}

static jv
record_one(jv sf, const struct sf_place *pl, void *arg)
{
	struct rec_ctx *c = arg;
	const char *st = jx_str(sf, "status"), *id = jx_str(sf, "id"), *obj = jx_str(sf, "object");
	if (!id || !obj || !st || (strcmp(st, "created") && strcmp(st, "updated") && strcmp(st, "found")))
		return sf;
	char now[32];
	sqlite3_reset(c->ins);
	sqlite3_bind_text(c->ins, 1, pl->key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(c->ins, 2, obj, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(c->ins, 3, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(c->ins, 4, pl->opp, -1, SQLITE_TRANSIENT);
	const char *run = jx_str(sf, "run") ? jx_str(sf, "run") : c->run;
	sqlite3_bind_text(c->ins, 5, run, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(c->ins, 6, c->tag, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(c->ins, 7, now_iso(now), -1, SQLITE_TRANSIENT);
	jv before = before_merged(c, pl, obj, jx_get(sf, "before", JV_KIND_OBJECT));
	jv bs = jv_is_valid(before) ? jv_dump_string(before, 0) : jv_invalid();
	if (jv_is_valid(bs))
		sqlite3_bind_text(c->ins, 8, jv_string_value(bs), -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(c->ins, 8);
	jv_free(bs);
	if (pl->sig)
		sqlite3_bind_text(c->ins, 9, pl->sig, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(c->ins, 9);
	if (sqlite3_step(c->ins) != SQLITE_DONE)
		fail_db("cannot record");
	c->n++;
	return sf;
}

static int
record_cb(jv rec, const struct jsonl_pos *pos, void *ctx)
{
	/* Each deal in its own transaction: a kill loses at most the deal being written. */
	exec("BEGIN IMMEDIATE");
	rec = sf_blocks_sig(rec, NULL, record_one, ctx);
	exec("COMMIT");
	jsonl_emit(rec);
	return 0;
}

/* ---- deleted ---- */

static sqlite3_stmt *up;

static int
deleted_cb(jv rec, const struct jsonl_pos *pos, void *ctx)
{
	long *n = ctx;
	const char *id = jx_str(rec, "id"), *st = jx_str(rec, "status");
	if (id && st && (!strcmp(st, "deleted") || !strcmp(st, "restored"))) {
		if (!up &&
		    sqlite3_prepare_v2(db, "UPDATE items SET deleted = ? WHERE sf_id = ? AND deleted IS NULL", -1, &up,
			NULL) != SQLITE_OK)
			fail_db("cannot prepare");
		char now[32];
		sqlite3_reset(up);
		sqlite3_bind_text(up, 1, now_iso(now), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(up, 2, id, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(up) != SQLITE_DONE)
			fail_db("cannot mark deleted");
		*n += sqlite3_changes(db);
	}
	jv_free(rec);
	return 0;
}

/* ---- runs ---- */

static jv
run_json(sqlite3_stmt *q)
{
	const char *info = (const char *)sqlite3_column_text(q, 4);
	jv o = jv_parse(info ? info : "{}");
	if (jv_get_kind(o) != JV_KIND_OBJECT) {
		jv_free(o);
		o = jv_object();
	}
	o = jv_object_set(o, jv_string("id"), jv_string((const char *)sqlite3_column_text(q, 0)));
	o = jv_object_set(o, jv_string("started"),
	    sqlite3_column_text(q, 1) ? jv_string((const char *)sqlite3_column_text(q, 1)) : jv_null());
	o = jv_object_set(o, jv_string("ended"),
	    sqlite3_column_text(q, 2) ? jv_string((const char *)sqlite3_column_text(q, 2)) : jv_null());
	o = jv_object_set(o, jv_string("status"),
	    jv_string(sqlite3_column_text(q, 3) ? (const char *)sqlite3_column_text(q, 3) : "?"));
	/* A run still "running" whose process (on this host) is gone died: killed, or its
	 * machine went down. The next dg run completes what it left. */
	char host[256] = "";
	double pid = jx_num(o, "pid", 0);
	if (!strcmp(jx_str(o, "status"), "running") && pid > 0 && gethostname(host, sizeof host - 1) == 0 &&
	    jx_str(o, "host") && !strcmp(jx_str(o, "host"), host) && kill((pid_t)pid, 0) < 0 && errno == ESRCH)
		o = jv_object_set(o, jv_string("status"), jv_string("died"));
	return o;
}

static double
secs_between(const char *a, const char *b)
{
	struct tm ta = { 0 }, tb = { 0 };
	if (!a || !b || !strptime(a, "%Y-%m-%dT%H:%M:%SZ", &ta) || !strptime(b, "%Y-%m-%dT%H:%M:%SZ", &tb))
		return -1;
	return difftime(timegm(&tb), timegm(&ta));
}

static int
cmd_runs(int json)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(db, "SELECT id, started, ended, status, info FROM runs ORDER BY started, id", -1, &q,
		NULL) != SQLITE_OK)
		fail_db("cannot read runs");
	if (!json)
		printf("%-22s %-20s %-10s %-18s %6s %8s %8s %7s %8s\n", "RUN", "STARTED", "STATUS", "ORG", "DEALS",
		    "CREATED", "SKIPPED", "FAILED", "SECONDS");
	while (sqlite3_step(q) == SQLITE_ROW) {
		jv r = run_json(q);
		if (json) {
			jsonl_emit(r);
			continue;
		}
		double s = secs_between(jx_str(r, "started"), jx_str(r, "ended"));
		char secs[16] = "-";
		if (s >= 0)
			snprintf(secs, sizeof secs, "%.0f", s);
		printf("%-22s %-20s %-10s %-18s %6.0f %8.0f %8.0f %7.0f %8s\n", jx_str(r, "id"),
		    jx_str(r, "started") ? jx_str(r, "started") : "-", jx_str(r, "status"),
		    jx_str(r, "org") ? jx_str(r, "org") : "-", jx_num(r, "deals", 0), jx_num(r, "created", 0),
		    jx_num(r, "skipped", 0), jx_num(r, "failed", 0), secs);
		jv_free(r);
	}
	sqlite3_finalize(q);
	return EXIT_OK;
}

static int
cmd_show(const char *run)
{
	sqlite3_stmt *q;
	sqlite3_prepare_v2(db, "SELECT id, started, ended, status, info FROM runs WHERE id = ?", -1, &q, NULL);
	sqlite3_bind_text(q, 1, run, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_finalize(q);
		diex(EXIT_FAIL, "no run '%s' in '%s' (see dg-state runs)", run, dbpath);
	}
	jv r = run_json(q);
	sqlite3_finalize(q);
	jv per = jv_object();
	sqlite3_prepare_v2(db,
	    "SELECT object, count(*), sum(deleted IS NOT NULL) FROM items WHERE run = ? GROUP BY object ORDER BY object",
	    -1, &q, NULL);
	sqlite3_bind_text(q, 1, run, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(q) == SQLITE_ROW) {
		jv o = jv_object_set(jv_object(), jv_string("recorded"), jv_number(sqlite3_column_int(q, 1)));
		o = jv_object_set(o, jv_string("deleted"), jv_number(sqlite3_column_int(q, 2)));
		per = jv_object_set(per, jv_string((const char *)sqlite3_column_text(q, 0)), o);
	}
	sqlite3_finalize(q);
	r = jv_object_set(r, jv_string("records"), per);
	jsonl_emit(r);
	return EXIT_OK;
}

static int
cmd_run_begin(const char *run, int argc, char **argv)
{
	char now[32];
	jv info = state_kv_args(argc, argv, jv_object());
	jv s = jv_dump_string(info, 0);
	sqlite3_stmt *q;
	sqlite3_prepare_v2(
	    db, "INSERT INTO runs (id, started, status, info) VALUES (?, ?, 'running', ?)", -1, &q, NULL);
	sqlite3_bind_text(q, 1, run, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, now_iso(now), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 3, jv_string_value(s), -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(q);
	sqlite3_finalize(q);
	jv_free(s);
	if (rc != SQLITE_DONE)
		fail_db("cannot start the run");
	return EXIT_OK;
}

static int
cmd_run_end(const char *run, const char *status, int argc, char **argv)
{
	char now[32];
	sqlite3_stmt *q;
	sqlite3_prepare_v2(db, "SELECT info FROM runs WHERE id = ?", -1, &q, NULL);
	sqlite3_bind_text(q, 1, run, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_finalize(q);
		diex(EXIT_FAIL, "no run '%s' in '%s'", run, dbpath);
	}
	jv info = jv_parse((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	if (jv_get_kind(info) != JV_KIND_OBJECT) {
		jv_free(info);
		info = jv_object();
	}
	info = state_kv_args(argc, argv, info);
	jv s = jv_dump_string(info, 0);
	sqlite3_prepare_v2(db, "UPDATE runs SET ended = ?, status = ?, info = ? WHERE id = ?", -1, &q, NULL);
	sqlite3_bind_text(q, 1, now_iso(now), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 3, jv_string_value(s), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 4, run, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(q);
	sqlite3_finalize(q);
	jv_free(s);
	if (rc != SQLITE_DONE)
		fail_db("cannot end the run");
	return EXIT_OK;
}

static int
cmd_ids(const char *run, int all, const char *object)
{
	if (!run && !all)
		diex(EXIT_USAGE, "ids: give --run RUN or --all");
	sqlite3_stmt *q;
	/* A state file from before schema 3 (read-only: not migrated) has no 'before':
	 * nothing of it is to be put back. */
	if (sqlite3_prepare_v2(db,
		"SELECT sf_id, object, key, run, before FROM items WHERE deleted IS NULL"
		" AND (?1 IS NULL OR run = ?1) AND (?2 IS NULL OR object = ?2)"
		" AND (object != 'Opportunity' OR before IS NOT NULL)"
		" ORDER BY run, rowid",
		-1, &q, NULL) != SQLITE_OK)
		sqlite3_prepare_v2(db,
		    "SELECT sf_id, object, key, run, NULL FROM items WHERE deleted IS NULL"
		    " AND (?1 IS NULL OR run = ?1) AND (?2 IS NULL OR object = ?2) AND object != 'Opportunity'"
		    " ORDER BY run, rowid",
		    -1, &q, NULL);
	if (run)
		sqlite3_bind_text(q, 1, run, -1, SQLITE_TRANSIENT);
	if (object)
		sqlite3_bind_text(q, 2, object, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(q) == SQLITE_ROW) {
		jv o = jv_object();
		o = jv_object_set(o, jv_string("id"), jv_string((const char *)sqlite3_column_text(q, 0)));
		o = jv_object_set(o, jv_string("object"), jv_string((const char *)sqlite3_column_text(q, 1)));
		o = jv_object_set(o, jv_string("key"), jv_string((const char *)sqlite3_column_text(q, 2)));
		o = jv_object_set(o, jv_string("run"),
		    sqlite3_column_text(q, 3) ? jv_string((const char *)sqlite3_column_text(q, 3)) : jv_null());
		/* an updated record (the opportunity's scorecard fields) is put back, not deleted */
		if (sqlite3_column_text(q, 4)) {
			jv b = jv_parse((const char *)sqlite3_column_text(q, 4));
			o = jv_object_set(
			    o, jv_string("restore"), jv_get_kind(b) == JV_KIND_OBJECT ? b : (jv_free(b), jv_object()));
		}
		jsonl_emit(o);
	}
	sqlite3_finalize(q);
	return EXIT_OK;
}

static int
cmd_mark(int nargs, char **args)
{
	/* Only reads: a missing file, or one a killed run made before writing into it,
	 * means nothing was recorded yet. */
	struct stat st;
	char err[1024];
	if (stat(dbpath, &st) == 0) {
		db = statedb_open(dbpath, STATEDB_READONLY | STATEDB_EMPTY_OK, err, sizeof err);
		if (db == NULL && err[0])
			diex(EXIT_FAIL, "%s", err);
		/* A state file of schema 2 (read-only: not migrated) has no hashes. */
		have_sig = db &&
		    sqlite3_prepare_v2(db,
			"SELECT object, sf_id, run, sig FROM items WHERE key = ? AND deleted IS NULL", -1, &q_find,
			NULL) == SQLITE_OK;
		if (db && !have_sig &&
		    sqlite3_prepare_v2(db,
			"SELECT object, sf_id, run, NULL FROM items WHERE key = ? AND deleted IS NULL", -1, &q_find,
			NULL) != SQLITE_OK)
			fail_db("cannot read");
	}
	long n = 0;
	long bad = jsonl_each(nargs, args, mark_cb, &n);
	sqlite3_finalize(q_find);
	warnx("%ld items already in the org", n);
	return cli_exit(bad);
}

static int
cmd_record(const char *run, const char *tag, int nargs, char **args)
{
	if (!run)
		diex(EXIT_USAGE, "record: --run RUN is required");
	state_open(STATEDB_CREATE);
	struct rec_ctx ctx = { NULL, NULL, run, tag, 0 };
	if (sqlite3_prepare_v2(db, "SELECT before FROM items WHERE key = ? AND object = ? AND deleted IS NULL", -1,
		&ctx.had, NULL) != SQLITE_OK)
		fail_db("cannot prepare");
	if (sqlite3_prepare_v2(db,
		"INSERT INTO items (key, object, sf_id, opp, run, tag, created, before, sig)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" ON CONFLICT (key, object) DO UPDATE SET sf_id = excluded.sf_id, deleted = NULL,"
		" run = CASE WHEN items.sf_id = excluded.sf_id AND items.deleted IS NULL THEN items.run ELSE excluded.run END,"
		/* the first values an update replaced are the ones to put back, unless they were */
		" before = excluded.before, sig = excluded.sig", /* before: before_merged */
		-1, &ctx.ins, NULL) != SQLITE_OK)
		fail_db("cannot prepare");
	long bad = jsonl_each(nargs, args, record_cb, &ctx);
	sqlite3_finalize(ctx.ins);
	sqlite3_finalize(ctx.had);
	warnx("%ld records recorded", ctx.n);
	return cli_exit(bad);
}

static int
cmd_deleted(int nargs, char **args)
{
	state_open(0);
	long n = 0;
	exec("BEGIN IMMEDIATE");
	long bad = jsonl_each(nargs, args, deleted_cb, &n);
	sqlite3_finalize(up);
	exec("COMMIT");
	warnx("%ld records marked deleted", n);
	return cli_exit(bad);
}

static int
cmd_cache(int clear)
{
	state_open(clear ? 0 : STATEDB_READONLY);
	if (clear) {
		exec("DELETE FROM llm_cache");
		warnx("%d cached LLM answers removed", sqlite3_changes(db));
		return EXIT_OK;
	}
	sqlite3_stmt *q;
	sqlite3_prepare_v2(
	    db, "SELECT count(*), coalesce(sum(tokens), 0), min(created), max(created) FROM llm_cache", -1, &q, NULL);
	if (sqlite3_step(q) == SQLITE_ROW)
		printf("%d cached LLM answers, %lld tokens, from %s to %s\n", sqlite3_column_int(q, 0),
		    (long long)sqlite3_column_int64(q, 1),
		    sqlite3_column_text(q, 2) ? (const char *)sqlite3_column_text(q, 2) : "-",
		    sqlite3_column_text(q, 3) ? (const char *)sqlite3_column_text(q, 3) : "-");
	sqlite3_finalize(q);
	return EXIT_OK;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "run", required_argument, NULL, 'r' },
		{ "tag", required_argument, NULL, 't' },
		{ "all", no_argument, NULL, 'a' },
		{ "object", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'J' },
		{ "clear", no_argument, NULL, 'C' },
		{ "refresh", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *run = NULL, *tag = NULL, *object = NULL, *cmd = NULL;
	int all = 0, json = 0, clear = 0, c;
	util_init(argv[0]);
	dbpath = statedb_path();
	/* Options may come before the subcommand and after it. */
	for (int round = 0; round < 2; round++) {
		while ((c = getopt_long(argc, argv, round ? "h" : "+h", opts, NULL)) != -1) {
			switch (c) {
			case 'd': dbpath = optarg; break;
			case 'r': run = optarg; break;
			case 't': tag = optarg; break;
			case 'a': all = 1; break;
			case 'o': object = optarg; break;
			case 'J': json = 1; break;
			case 'C': clear = 1; break;
			case 'F': mark_refresh = 1; break;
			case 'h': cli_usage(usage, 0);
			case 'V': cli_version();
			default: cli_usage(usage, 1);
			}
		}
		if (round == 0) {
			if (optind >= argc)
				cli_usage(usage, 1);
			cmd = argv[optind++];
		}
	}
	int filter = !strcmp(cmd, "mark") || !strcmp(cmd, "record") || !strcmp(cmd, "tally") || !strcmp(cmd, "log") ||
	    !strcmp(cmd, "origin");
	if (filter)
		util_stream_errors();
	int nargs = argc - optind;
	char **args = argv + optind;
	int rc;
	if (!strcmp(cmd, "mark"))
		rc = cmd_mark(nargs, args);
	else if (!strcmp(cmd, "record"))
		rc = cmd_record(run, tag, nargs, args);
	else if (!strcmp(cmd, "deleted"))
		rc = cmd_deleted(nargs, args);
	else if (!strcmp(cmd, "origin")) {
		struct stat st;
		char err[1024];
		if (stat(dbpath, &st) == 0 &&
		    (db = statedb_open(dbpath, STATEDB_READONLY | STATEDB_EMPTY_OK, err, sizeof err)) == NULL && err[0])
			diex(EXIT_FAIL, "%s", err);
		rc = cmd_origin(db, nargs, args);
	} else if (!strcmp(cmd, "opps")) {
		state_open(STATEDB_READONLY);
		rc = cmd_opps(db);
	} else if (!strcmp(cmd, "stale")) {
		state_open(STATEDB_READONLY);
		rc = cmd_stale(db, nargs, args);
	} else if (!strcmp(cmd, "ids")) {
		state_open(STATEDB_READONLY);
		rc = cmd_ids(run, all, object);
	} else if (!strcmp(cmd, "runs")) {
		state_open(STATEDB_READONLY);
		rc = cmd_runs(json);
	} else if (!strcmp(cmd, "show") && nargs == 1) {
		state_open(STATEDB_READONLY);
		rc = cmd_show(args[0]);
	} else if (!strcmp(cmd, "run-begin") && nargs >= 1) {
		state_open(STATEDB_CREATE);
		rc = cmd_run_begin(args[0], nargs - 1, args + 1);
	} else if (!strcmp(cmd, "run-end") && nargs >= 2) {
		state_open(0);
		rc = cmd_run_end(args[0], args[1], nargs - 2, args + 2);
	} else if (!strcmp(cmd, "cache"))
		rc = cmd_cache(clear);
	else if (!strcmp(cmd, "tally"))
		rc = cmd_tally(nargs, args);
	else if (!strcmp(cmd, "where") && nargs <= 1 && (!nargs || !strcmp(args[0], "runs"))) {
		/* Where the state file and runs/ are, found as git finds .git. */
		puts(nargs ? statedb_runs() : dbpath);
		rc = EXIT_OK;
	} else if (!strcmp(cmd, "log"))
		rc = cmd_log(run, nargs, args);
	else if (!strcmp(cmd, "event") && nargs >= 1)
		rc = cmd_event(args[0], nargs - 1, args + 1);
	else {
		warnx("unknown subcommand or missing argument: '%s'", cmd);
		cli_usage(usage, 1);
	}
	if (db && sqlite3_close(db) != SQLITE_OK)
		fail_db("cannot close");
	if (jsonl_close(filter))
		return EXIT_FAIL;
	return rc;
}
