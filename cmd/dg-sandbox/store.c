/* store.c: the org's records in SQLite: reads, scans, writes and cascading deletes.
 *
 * A record is one row: its Id, object, a deleted flag and the record as JSON with
 * every field the org knows (derived ones included). Reference fields also get a row
 * in ref(child, parent, field) so child subqueries and cascading deletes need no
 * scan. Writes validate first and then change the database, so a refused record
 * leaves nothing behind; what a write must satisfy is in rules.c. */
#include "sandbox.h"

#include <ctype.h>
#include <sqlite3.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonl.h"
#include "tz.h"

static sqlite3 *db;
static int fresh;
static long long seq;
static time_t now_base, now_wall;
const char *org_user_id;
const char *org_id;

/* Live records per object, parsed once: {"Event": {"rows": [...], "idx": {Id: n}}}.
 * Queries scan these instead of re-reading JSON from SQLite; writes keep them up to
 * date, a delete or a rollback drops them to be rebuilt on the next scan. Only
 * objects of up to store_keep_parsed live records are kept so (the others are marked big
 * and read a record at a time), so memory stays bounded however big the org grows. */
static jv cache;
long store_keep_parsed = 20000;

static void
dbdie(const char *what)
{
	diex(EXIT_FAIL, "database: %s: %s", what, sqlite3_errmsg(db));
}

static void
exec(const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		diex(EXIT_FAIL, "database: %s: %s", sql, msg ? msg : "?");
}

/* Prepared statements are kept per SQL text (always a string literal here) and reset
 * after use: preparing costs more than running most of them. */
#define NSTMT 32
static struct {
	const char *sql;
	sqlite3_stmt *st;
} stmts[NSTMT];

static sqlite3_stmt *
prep(const char *sql)
{
	for (int i = 0; i < NSTMT && stmts[i].sql; i++)
		if (stmts[i].sql == sql)
			return stmts[i].st;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		dbdie(sql);
	for (int i = 0; i < NSTMT; i++)
		if (!stmts[i].sql) {
			stmts[i].sql = sql;
			stmts[i].st = st;
			break;
		}
	return st;
}

/* Done with a statement from prep: ready it for the next use. */
static void
unprep(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static char *
meta_get(const char *k)
{
	sqlite3_stmt *st = prep("SELECT v FROM meta WHERE k = ?");
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	char *v = NULL;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = xstrdup((const char *)sqlite3_column_text(st, 0));
	unprep(st);
	return v;
}

static void
meta_set(const char *k, const char *v)
{
	sqlite3_stmt *st = prep("INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)");
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, v, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		dbdie("meta");
	unprep(st);
}

int
store_open(const char *path)
{
	/* Without a file: a temporary one SQLite deletes on close (""), not memory, so a
	 * large org does not live in RAM; its page cache is bounded. */
	if (sqlite3_open(path ? path : "", &db) != SQLITE_OK) {
		warnx("cannot open '%s': %s", path, sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_busy_timeout(db, 5000);
	char *msg = NULL;
	if (sqlite3_exec(db,
		"PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -32768;"
		"CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT);"
		"CREATE TABLE IF NOT EXISTS rec (id TEXT PRIMARY KEY, type TEXT NOT NULL,"
		" deleted INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL);"
		"CREATE INDEX IF NOT EXISTS rec_type ON rec (type, deleted);"
		"CREATE TABLE IF NOT EXISTS ref (child TEXT NOT NULL, parent TEXT NOT NULL,"
		" field TEXT NOT NULL, ctype TEXT NOT NULL, PRIMARY KEY (parent, child, field)) WITHOUT ROWID;"
		"CREATE INDEX IF NOT EXISTS ref_child ON ref (child);",
		NULL, NULL, &msg) != SQLITE_OK) {
		warnx("cannot use '%s' as the org database: %s", path ? path : "(a temporary file)", msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	char *s = meta_get("seq");
	fresh = s == NULL;
	seq = s ? atoll(s) : 0;
	free(s);
	/* The org's own Ids live in static buffers, whether read back or seeded. */
	static char user[SFID_SIZE], org[SFID_SIZE];
	char *u = meta_get("user"), *o = meta_get("org");
	if (u && o) {
		snprintf(user, sizeof user, "%s", u);
		snprintf(org, sizeof org, "%s", o);
		org_user_id = user;
		org_id = org;
	}
	free(u);
	free(o);
	return 0;
}

void
store_close(void)
{
	for (int i = 0; i < NSTMT; i++)
		if (stmts[i].sql) {
			sqlite3_finalize(stmts[i].st);
			stmts[i].sql = NULL;
		}
	jv_free(cache);
	cache = jv_invalid();
	sqlite3_close(db);
	db = NULL;
}

int
store_is_new(void)
{
	return fresh;
}

void
store_begin(void)
{
	exec("BEGIN");
}

void
store_commit(void)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%lld", seq);
	meta_set("seq", buf);
	if (org_user_id)
		meta_set("user", org_user_id);
	if (org_id)
		meta_set("org", org_id);
	exec("COMMIT");
}

static void
cache_reset(void)
{
	jv_free(cache);
	cache = jv_object();
}

void
store_rollback(void)
{
	exec("ROLLBACK");
	cache_reset();
}

/* Keeps the cache in step with one written row (rec borrowed). */
static void
cache_put(struct obj *o, const char *id, jv rec, int insert)
{
	if (jv_get_kind(cache) != JV_KIND_OBJECT)
		cache_reset();
	jv ent = jv_object_get(jv_copy(cache), jv_string(o->name));
	if (!jv_is_valid(ent) && insert && !o->big) {
		/* Loading the object now (cheap while it is small) keeps later scans free. */
		jv_free(store_scan(o, 0));
		return;
	}
	if (!jv_is_valid(ent))
		return;
	if (jx_bool(rec, "IsDeleted", 0)) {
		jv_free(ent);
		cache = jv_object_delete(cache, jv_string(o->name));
		return;
	}
	/* Take the entry out so its arrays are not shared while they change. */
	cache = jv_object_delete(cache, jv_string(o->name));
	jv rows = jv_object_get(jv_copy(ent), jv_string("rows"));
	jv idx = jv_object_get(ent, jv_string("idx"));
	jv at = jv_object_get(jv_copy(idx), jv_string(id));
	if (jv_get_kind(at) == JV_KIND_NUMBER)
		rows = jv_array_set(rows, (int)jv_number_value(at), jv_copy(rec));
	else if (insert) {
		idx = jv_object_set(idx, jv_string(id), jv_number(jv_array_length(jv_copy(rows))));
		rows = jv_array_append(rows, jv_copy(rec));
	}
	jv_free(at);
	if (jv_array_length(jv_copy(rows)) > store_keep_parsed) {
		/* Grown too big to keep parsed: read from SQLite from now on. */
		o->big = 1;
		jv_free(rows);
		jv_free(idx);
		return;
	}
	ent = jv_object_set(jv_object(), jv_string("rows"), rows);
	ent = jv_object_set(ent, jv_string("idx"), idx);
	cache = jv_object_set(cache, jv_string(o->name), ent);
}

void
org_set_now(time_t t)
{
	now_base = t;
	now_wall = time(NULL);
}

time_t
org_now(void)
{
	return now_base ? now_base + (time(NULL) - now_wall) : time(NULL);
}

char *
fmt_dt(time_t t, char buf[32])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%S.000+0000", &tm);
	return buf;
}

void
store_new_id(struct obj *o, char id[SFID_SIZE])
{
	static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	char body[11];
	long long n = ++seq;
	for (int i = 9; i >= 0; i--) {
		body[i] = b62[n % 62];
		n /= 62;
	}
	body[10] = '\0';
	snprintf(id, SFID_SIZE, "%.3s8d%s", o->prefix, body);
	id_checksum(id, id + 15);
}

jv
sf_err(const char *code, const char *msg, jv fields)
{
	jv e = jv_object();
	e = jv_object_set(e, jv_string("statusCode"), jv_string(code));
	e = jv_object_set(e, jv_string("message"), jv_string(msg));
	e = jv_object_set(
	    e, jv_string("fields"), jv_get_kind(fields) == JV_KIND_ARRAY ? fields : (jv_free(fields), jv_array()));
	return e;
}

jv
sf_err1(const char *code, const char *field, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		diex(EXIT_FAIL, "out of memory");
	va_end(ap);
	jv f = jv_array();
	if (field)
		f = jv_array_append(f, jv_string(field));
	jv e = jv_array_append(jv_array(), sf_err(code, msg, f));
	free(msg);
	return e;
}

jv
store_get(const char *id, int *deleted)
{
	char nid[SFID_SIZE];
	if (id_norm(id, nid) < 0)
		return jv_invalid();
	/* A live record of an object in the cache needs no SQL and no parse. */
	struct obj *o = schema_obj_prefix(nid);
	if (o && jv_get_kind(cache) == JV_KIND_OBJECT) {
		jv ent = jv_object_get(jv_copy(cache), jv_string(o->name));
		if (jv_is_valid(ent)) {
			jv at = jv_object_get(jv_object_get(jv_copy(ent), jv_string("idx")), jv_string(nid));
			if (jv_get_kind(at) == JV_KIND_NUMBER) {
				jv r = jv_array_get(jv_object_get(ent, jv_string("rows")), (int)jv_number_value(at));
				if (deleted)
					*deleted = 0;
				return r;
			}
			jv_free(at);
		}
		jv_free(ent);
	}
	sqlite3_stmt *st = prep("SELECT data, deleted FROM rec WHERE id = ?");
	sqlite3_bind_text(st, 1, nid, -1, SQLITE_STATIC);
	jv r = jv_invalid();
	if (sqlite3_step(st) == SQLITE_ROW) {
		r = jv_parse((const char *)sqlite3_column_text(st, 0));
		if (deleted)
			*deleted = sqlite3_column_int(st, 1);
	}
	unprep(st);
	return r;
}

static jv
rows(sqlite3_stmt *st)
{
	jv a = jv_array();
	while (sqlite3_step(st) == SQLITE_ROW)
		a = jv_array_append(
		    a, jv_parse_sized((const char *)sqlite3_column_text(st, 0), sqlite3_column_bytes(st, 0)));
	unprep(st);
	return a;
}

jv
store_scan(struct obj *o, int all)
{
	if (jv_get_kind(cache) != JV_KIND_OBJECT)
		cache_reset();
	jv ent = all ? jv_invalid() : jv_object_get(jv_copy(cache), jv_string(o->name));
	if (jv_is_valid(ent)) {
		jv r = jv_object_get(ent, jv_string("rows"));
		return r;
	}
	sqlite3_stmt *st = prep(all ? "SELECT data FROM rec WHERE type = ? ORDER BY rowid"
				    : "SELECT data FROM rec WHERE type = ? AND deleted = 0 ORDER BY rowid");
	sqlite3_bind_text(st, 1, o->name, -1, SQLITE_STATIC);
	jv r = rows(st);
	if (!all && jx_len(r) > store_keep_parsed)
		o->big = 1;
	else if (!all) {
		jv idx = jv_object();
		for (int i = 0; i < jx_len(r); i++)
			idx = jv_object_set(idx, jv_string(jx_str(jx_at(r, i), "Id")), jv_number(i));
		jv e = jv_object_set(jv_object(), jv_string("rows"), jv_copy(r));
		cache = jv_object_set(cache, jv_string(o->name), jv_object_set(e, jv_string("idx"), idx));
	}
	return r;
}

static int skip_ref(const struct field *f);

int
store_indexed(const struct field *f)
{
	return !strcmp(f->name, "Id") || !skip_ref(f);
}

struct found {
	long long rowid;
	jv rec;
};

static int
by_rowid(const void *a, const void *b)
{
	long long x = ((const struct found *)a)->rowid, y = ((const struct found *)b)->rowid;
	return (x > y) - (x < y);
}

void
store_each(
    struct obj *o, int all, const char *field, const char *const *vals, int n, int (*fn)(jv rec, void *ctx), void *ctx)
{
	if (!field && !all && !o->big) {
		/* Small: its parsed rows (loaded now when they are not yet). */
		jv r = store_scan(o, 0);
		for (int i = 0; i < jx_len(r); i++)
			if (fn(jx_at(r, i), ctx))
				break;
		jv_free(r);
		return;
	}
	/* A statement of its own, not prep's shared one: fn may run another scan (a
	 * semi-join's) while this one is under way. */
	sqlite3_stmt *st;
	if (!field) {
		const char *sql = all ? "SELECT data FROM rec WHERE type = ? ORDER BY rowid"
				      : "SELECT data FROM rec WHERE type = ? AND deleted = 0 ORDER BY rowid";
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
			dbdie(sql);
		sqlite3_bind_text(st, 1, o->name, -1, SQLITE_STATIC);
		int stop = 0;
		while (!stop && sqlite3_step(st) == SQLITE_ROW) {
			jv rec = jv_parse_sized((const char *)sqlite3_column_text(st, 0), sqlite3_column_bytes(st, 0));
			stop = fn(rec, ctx);
			jv_free(rec);
		}
		sqlite3_finalize(st);
		return;
	}
	/* The records each value names (each value once), then in creation order. */
	int byid = !strcmp(field, "Id");
	st = byid ? prep("SELECT rowid, data FROM rec WHERE id = ?2 AND type = ?1 AND (?3 OR deleted = 0)")
		  : prep("SELECT r.rowid, r.data FROM ref x JOIN rec r ON r.id = x.child WHERE x.parent = ?2"
			 " AND x.field = ?4 AND x.ctype = ?1 AND (?3 OR r.deleted = 0)");
	jv seen = jv_object();
	struct found *f = NULL;
	size_t nf = 0, cap = 0;
	for (int v = 0; v < n; v++) {
		char nid[SFID_SIZE];
		if (!vals[v] || id_norm(vals[v], nid) < 0 || jv_object_has(jv_copy(seen), jv_string(nid)))
			continue;
		seen = jv_object_set(seen, jv_string(nid), jv_true());
		sqlite3_bind_text(st, 1, o->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, nid, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, all);
		if (!byid)
			sqlite3_bind_text(st, 4, field, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (nf == cap) {
				cap = cap ? 2 * cap : 64;
				f = xrealloc(f, cap * sizeof *f);
			}
			f[nf].rowid = sqlite3_column_int64(st, 0);
			f[nf++].rec =
			    jv_parse_sized((const char *)sqlite3_column_text(st, 1), sqlite3_column_bytes(st, 1));
		}
		unprep(st);
	}
	jv_free(seen);
	qsort(f, nf, sizeof *f, by_rowid);
	int stop = 0;
	for (size_t i = 0; i < nf; i++) {
		if (!stop)
			stop = fn(f[i].rec, ctx);
		jv_free(f[i].rec);
	}
	free(f);
}

jv
store_children(const char *parent, const struct field *f)
{
	sqlite3_stmt *st = prep("SELECT r.data FROM ref x JOIN rec r ON r.id = x.child"
				" WHERE x.parent = ? AND x.field = ? AND r.deleted = 0 ORDER BY r.rowid");
	sqlite3_bind_text(st, 1, parent, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->name, -1, SQLITE_STATIC);
	return rows(st);
}

jv
store_counts(void)
{
	sqlite3_stmt *st = prep("SELECT type, count(*) FROM rec WHERE deleted = 0 GROUP BY type ORDER BY type");
	jv o = jv_object();
	while (sqlite3_step(st) == SQLITE_ROW)
		o = jv_object_set(
		    o, jv_string((const char *)sqlite3_column_text(st, 0)), jv_number(sqlite3_column_int64(st, 1)));
	unprep(st);
	return o;
}

/* ---- writes ---- */

static int
skip_ref(const struct field *f)
{
	return f->type != F_REFERENCE || !strcmp(f->name, "CreatedById") || !strcmp(f->name, "LastModifiedById") ||
	    !strcmp(f->name, "OwnerId");
}

/* The references a record holds, for cascades and child lookups (a new record has
 * none to replace). */
static void
refs_write(struct obj *o, const char *id, jv rec, int insert)
{
	sqlite3_stmt *del = insert ? NULL : prep("DELETE FROM ref WHERE child = ?");
	if (del) {
		sqlite3_bind_text(del, 1, id, -1, SQLITE_STATIC);
		if (sqlite3_step(del) != SQLITE_DONE)
			dbdie("ref");
		unprep(del);
	}
	sqlite3_stmt *ins = prep("INSERT INTO ref (child, parent, field, ctype) VALUES (?, ?, ?, ?)");
	for (int i = 0; i < o->nfields; i++) {
		const char *p = skip_ref(&o->fields[i]) ? NULL : jx_str(rec, o->fields[i].name);
		if (!p)
			continue;
		sqlite3_bind_text(ins, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, p, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, o->fields[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, o->name, -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			dbdie("ref");
		sqlite3_reset(ins);
	}
	unprep(ins);
}

static void
row_write(struct obj *o, const char *id, jv rec, int insert)
{
	static struct sb text; /* callers hold the store's lock */
	sb_reset(&text);
	jx_dump(&text, rec);
	sqlite3_stmt *st = prep(insert ? "INSERT INTO rec (data, deleted, id, type) VALUES (?, ?, ?, ?)"
				       : "UPDATE rec SET data = ?, deleted = ? WHERE id = ?");
	sqlite3_bind_text(st, 1, sb_str(&text), (int)text.len, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, jx_bool(rec, "IsDeleted", 0));
	sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
	if (insert)
		sqlite3_bind_text(st, 4, o->name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		dbdie("write");
	unprep(st);
	cache_put(o, id, rec, insert);
}

void
store_insert_raw(struct obj *o, jv rec, char id[SFID_SIZE])
{
	char buf[32];
	store_new_id(o, id);
	rec = jv_object_set(rec, jv_string("Id"), jv_string(id));
	rec = jv_object_set(rec, jv_string("IsDeleted"), jv_false());
	fmt_dt(org_now(), buf);
	rec = jv_object_set(rec, jv_string("CreatedDate"), jv_string(buf));
	rec = jv_object_set(rec, jv_string("LastModifiedDate"), jv_string(buf));
	rec = jv_object_set(rec, jv_string("SystemModstamp"), jv_string(buf));
	rec = jv_object_set(rec, jv_string("CreatedById"), org_user_id ? jv_string(org_user_id) : jv_string(id));
	rec = jv_object_set(rec, jv_string("LastModifiedById"), org_user_id ? jv_string(org_user_id) : jv_string(id));
	row_write(o, id, rec, 1);
	refs_write(o, id, rec, 1);
	jv_free(rec);
}

/* Writes an existing record's row and references (after the rules passed). */
void
store_write(struct obj *o, const char *id, jv rec)
{
	row_write(o, id, rec, 0);
	refs_write(o, id, rec, 0);
}

/* Marks id deleted, then every record that cascades from it. */
static void
delete_tree(const char *id)
{
	jv rec = store_get(id, NULL);
	struct obj *o = schema_obj_prefix(id);
	if (!jv_is_valid(rec) || !o)
		return jv_free(rec);
	rec = jv_object_set(rec, jv_string("IsDeleted"), jv_true());
	row_write(o, id, rec, 0);
	/* An EmailMessage takes the Task the platform made for it (rules.c) along. */
	char task[SFID_SIZE] = "";
	if (!strcmp(o->name, "EmailMessage") && jx_str(rec, "ActivityId"))
		snprintf(task, sizeof task, "%s", jx_str(rec, "ActivityId"));
	jv_free(rec);
	if (*task)
		delete_tree(task);
	sqlite3_stmt *st = prep("SELECT x.child, x.ctype, x.field FROM ref x JOIN rec r ON r.id = x.child"
				" WHERE x.parent = ? AND r.deleted = 0");
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	jv kids = jv_array();
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct obj *co = schema_obj((const char *)sqlite3_column_text(st, 1));
		struct field *f = co ? schema_field(co, (const char *)sqlite3_column_text(st, 2)) : NULL;
		if (f && f->cascade)
			kids = jv_array_append(kids, jv_string((const char *)sqlite3_column_text(st, 0)));
	}
	unprep(st);
	for (int i = 0; i < jx_len(kids); i++)
		delete_tree(jx_cstr(jx_at(kids, i)));
	jv_free(kids);
}

jv
store_delete(const char *rawid)
{
	char id[SFID_SIZE];
	int deleted = 0;
	if (id_norm(rawid, id) < 0)
		return sf_err1("MALFORMED_ID", NULL, "malformed id %s", rawid);
	jv old = store_get(id, &deleted);
	struct obj *o = schema_obj_prefix(id);
	int found = jv_is_valid(old);
	jv_free(old);
	if (!found || !o)
		return sf_err1("INVALID_CROSS_REFERENCE_KEY", NULL, "invalid cross reference id");
	if (deleted)
		return sf_err1("ENTITY_IS_DELETED", NULL, "entity is deleted");
	if (!o->del)
		return sf_err1("INSUFFICIENT_ACCESS_OR_READONLY", NULL, "insufficient access rights on object id");
	delete_tree(id);
	return jv_null();
}
