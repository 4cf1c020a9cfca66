/* stale.c: what the state knows of a deal for dg refresh: dg-state stale, what it holds
 * that the deal's plan no longer has (a later day's plan lost a step; fewer people on a
 * meeting), to remove (the opportunity itself, its scorecard fields, is never stale);
 * dg-state origin, the day the demo was first written for the deal and its close date
 * then, to move close dates from. */
#include "cli.h"
#include "jsonl.h"
#include "sfblocks.h"
#include "state.h"
#include "util.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct stale {
	sqlite3_stmt *q;
	jv keys; /* the deal's places, key -> true */
	long n;
};

/* The deal's places: key -> its sig (a relation: whom it relates; an activity: its
 * content's hash), or true. */
static jv
key_of(jv sf, const struct sf_place *pl, void *ctx)
{
	struct stale *s = ctx;
	s->keys = jv_object_set(s->keys, jv_string(pl->key), pl->sig ? jv_string(pl->sig) : jv_true());
	return sf;
}

static int
stale_cb(jv rec, const struct jsonl_pos *pos, void *ctx)
{
	struct stale *s = ctx;
	const char *oid = jx_str(jx_get(rec, "opportunity", JV_KIND_OBJECT), "Id");
	char where[64];

	if (!oid) {
		warnx("%s: not a deal record (no opportunity Id)", jsonl_where(pos, where, sizeof where));
		jv_free(rec);
		return 1;
	}
	char *opp = xstrdup(oid);
	s->keys = jv_object();
	jv_free(sf_blocks_sig(rec, NULL, key_of, s));
	sqlite3_reset(s->q);
	sqlite3_bind_text(s->q, 1, opp, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(s->q) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(s->q, 2),
			   *had = (const char *)sqlite3_column_text(s->q, 4);
		jv now = key ? jv_object_get(jv_copy(s->keys), jv_string(key)) : jv_invalid();
		/* planned still, and, for what cannot be changed (a relation, a sent
		 * EmailMessage: made anew by the refresh), as it was written */
		const char *obj = (const char *)sqlite3_column_text(s->q, 1);
		int rel = key && strstr(key, "/rel/") != NULL, em = obj && !strcmp(obj, "EmailMessage");
		const char *want = jv_get_kind(now) == JV_KIND_STRING ? jv_string_value(now) : NULL;
		int keep = jv_is_valid(now) &&
		    (!want ||
			(rel         ? !had || !strcmp(had, want)
				: em ? had && !strcmp(had, want)
				     : 1));
		jv_free(now);
		if (!key || keep)
			continue;
		jv o = JV_OBJECT(jv_string("id"), jv_string((const char *)sqlite3_column_text(s->q, 0)),
		    jv_string("object"), jv_string((const char *)sqlite3_column_text(s->q, 1)), jv_string("key"),
		    jv_string(key));
		o = jv_object_set(o, jv_string("opp"), jv_string(opp));
		o = jv_object_set(o, jv_string("run"),
		    sqlite3_column_text(s->q, 3) ? jv_string((const char *)sqlite3_column_text(s->q, 3)) : jv_null());
		jsonl_emit(o);
		s->n++;
	}
	jv_free(s->keys);
	free(opp);
	return 0;
}

int
cmd_stale(struct sqlite3 *db, int nargs, char **args)
{
	struct stale s = { NULL, jv_null(), 0 };

	/* A state file of schema 2 (read-only: not migrated) knows no relation's person. */
	if (sqlite3_prepare_v2(db,
		"SELECT sf_id, object, key, run, sig FROM items WHERE opp = ? AND deleted IS NULL AND object != 'Opportunity'"
		" ORDER BY rowid",
		-1, &s.q, NULL) != SQLITE_OK &&
	    sqlite3_prepare_v2(db,
		"SELECT sf_id, object, key, run, NULL FROM items WHERE opp = ? AND deleted IS NULL AND object != 'Opportunity'"
		" ORDER BY rowid",
		-1, &s.q, NULL) != SQLITE_OK)
		diex(EXIT_FAIL, "cannot read the state: %s", sqlite3_errmsg(db));
	long bad = jsonl_each(nargs, args, stale_cb, &s);
	sqlite3_finalize(s.q);
	warnx("%ld records no longer planned", s.n);
	return cli_exit(bad);
}

static int
pass_cb(jv rec, const struct jsonl_pos *pos, void *ctx)
{
	jsonl_emit(rec);
	return 0;
}

/* origin: each deal passed through with {"origin": {now, CloseDate}} when the state
 * knows the day its scorecard was first written for (that run's now) and the close date
 * the opportunity had before dg moved it. */
static int
origin_cb(jv rec, const struct jsonl_pos *pos, void *ctx)
{
	sqlite3_stmt *q = ctx;
	const char *oid = jx_str(jx_get(rec, "opportunity", JV_KIND_OBJECT), "Id");
	char *key = oid ? xasprintf("%s/scorecard", oid) : NULL;

	if (key) {
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0)) {
			jv o = JV_OBJECT(jv_string("now"), jv_string((const char *)sqlite3_column_text(q, 0)));
			if (sqlite3_column_text(q, 1))
				o = jv_object_set(
				    o, jv_string("CloseDate"), jv_string((const char *)sqlite3_column_text(q, 1)));
			rec = jv_object_set(rec, jv_string("origin"), o);
		}
		free(key);
	}
	jsonl_emit(rec);
	return 0;
}

int
cmd_origin(struct sqlite3 *db, int nargs, char **args)
{
	sqlite3_stmt *q = NULL;

	/* the run that first wrote the scorecard keeps its row (record keeps items.run when
	 * the Id stays); its now is in the run's info (dg run's run-begin) */
	if (db &&
	    sqlite3_prepare_v2(db,
		"SELECT json_extract(r.info, '$.now'), json_extract(i.before, '$.CloseDate') FROM items i"
		" JOIN runs r ON r.id = i.run WHERE i.key = ? AND i.deleted IS NULL",
		-1, &q, NULL) != SQLITE_OK) {
		sqlite3_finalize(q);
		q = NULL; /* a state of schema 2: nothing known */
	}
	long bad = q ? jsonl_each(nargs, args, origin_cb, q) : jsonl_each(nargs, args, pass_cb, NULL);
	sqlite3_finalize(q);
	return cli_exit(bad);
}

int
cmd_opps(struct sqlite3 *db)
{
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(db,
		"SELECT opp FROM items WHERE deleted IS NULL AND opp IS NOT NULL AND opp != '' GROUP BY opp ORDER BY min(rowid)",
		-1, &q, NULL) != SQLITE_OK)
		diex(EXIT_FAIL, "cannot read the state: %s", sqlite3_errmsg(db));
	while (sqlite3_step(q) == SQLITE_ROW)
		printf("%s\n", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return stdout_close() ? EXIT_FAIL : EXIT_OK;
}
