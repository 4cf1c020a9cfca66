/* query.c: runs a parsed SOQL query (soql.c) against the store: filters, semi-joins,
 * ordering, LIMIT/OFFSET, parent paths and child subqueries, the response's shape, and
 * cursors for queryMore. */
#include <ctype.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonl.h"
#include "sandbox.h"
#include "tz.h"

struct run {
	jv cache; /* Id -> record, for parent paths */
	const char *ver;
};

static jv
parent_of(struct run *r, const char *id)
{
	jv c = jv_object_get(jv_copy(r->cache), jv_string(id));
	if (jv_is_valid(c))
		return c;
	int deleted = 0;
	jv rec = store_get(id, &deleted);
	if (!jv_is_valid(rec) || deleted) {
		jv_free(rec);
		rec = jv_null();
	}
	r->cache = jv_object_set(r->cache, jv_string(id), jv_copy(rec));
	return rec;
}

/* The value at path in rec (owned), or jv_null(). */
static jv
path_value(struct run *r, jv rec, const struct path *pa)
{
	jv cur = jv_copy(rec);
	for (int i = 0; i < pa->n; i++) {
		if (jv_get_kind(cur) != JV_KIND_OBJECT) {
			jv_free(cur);
			return jv_null();
		}
		jv v = jv_object_get(jv_copy(cur), jv_string(pa->names[i]));
		jv_free(cur);
		if (!jv_is_valid(v))
			return jv_null();
		if (i == pa->n - 1)
			return v;
		if (jv_get_kind(v) != JV_KIND_STRING) {
			jv_free(v);
			return jv_null();
		}
		cur = parent_of(r, jv_string_value(v));
		jv_free(v);
	}
	jv_free(cur);
	return jv_null();
}

static int
time_of(const struct field *f, jv v, time_t *t)
{
	return jv_get_kind(v) == JV_KIND_STRING && (f->type == F_DATE || f->type == F_DATETIME) &&
	    time_parse(jv_string_value(v), t) == 0;
}

/* Compares a non-null value with a non-null literal: <0, 0, >0, or 2 for "inside a
 * range literal" handled by the caller. */
static int
cmp_lit(const struct field *f, jv v, const struct lit *l, const char *op)
{
	switch (l->k) {
	case L_STR: {
		const char *s = jx_cstr(v);
		if (!s)
			return -2;
		int c = (f->type == F_ID || f->type == F_REFERENCE) ? strcmp(s, l->s) : strcasecmp(s, l->s);
		return c < 0 ? -1 : c > 0;
	}
	case L_NUM: {
		if (jv_get_kind(v) != JV_KIND_NUMBER)
			return -2;
		double d = jv_number_value(v);
		return d < l->num ? -1 : d > l->num;
	}
	case L_BOOL: {
		int b = jv_get_kind(v) == JV_KIND_TRUE;
		return b == l->b ? 0 : 1;
	}
	case L_TIME: {
		time_t t;
		if (!time_of(f, v, &t))
			return -2;
		/* Within [lo, hi) is "equal"; before is less; at or after hi is greater. */
		(void)op;
		return t < l->lo ? -1 : t >= l->hi ? 1 : 0;
	}
	default: return -2;
	}
}

static int
like(const char *s, const char *pat)
{
	for (; *pat; pat++, s++) {
		if (*pat == '%') {
			while (pat[1] == '%')
				pat++;
			if (!pat[1])
				return 1;
			for (; *s; s++)
				if (like(s, pat + 1))
					return 1;
			return 0;
		}
		char pc = *pat;
		if (pc == '\\' && (pat[1] == '%' || pat[1] == '_'))
			pc = *++pat;
		else if (pc == '_') {
			if (!*s)
				return 0;
			continue;
		}
		if (!*s || tolower((unsigned char)*s) != tolower((unsigned char)pc))
			return 0;
	}
	return !*s;
}

static jv run_rows(struct run *r, struct query *q, int all);
static jv whole(const struct query *q, jv row);

static int
eval(struct run *r, struct cond *c, jv rec)
{
	switch (c->k) {
	case C_AND: return eval(r, c->a, rec) && eval(r, c->b, rec);
	case C_OR: return eval(r, c->a, rec) || eval(r, c->b, rec);
	case C_NOT: return !eval(r, c->a, rec);
	default: break;
	}
	const struct field *f = c->path.field;
	jv v = path_value(r, rec, &c->path);
	int isnull = jv_get_kind(v) == JV_KIND_NULL;
	int res = 0;
	if (c->k == C_CMP) {
		const struct lit *l = c->vals;
		int eq = !strcmp(c->op, "="), ne = !strcmp(c->op, "!=");
		if (l->k == L_NULL)
			res = eq ? isnull : !isnull;
		else if (isnull)
			res = ne;
		else {
			int k = cmp_lit(f, v, l, c->op);
			if (k == -2)
				res = ne;
			else if (eq)
				res = k == 0;
			else if (ne)
				res = k != 0;
			else if (!strcmp(c->op, "<"))
				res = k < 0;
			else if (!strcmp(c->op, "<="))
				res = k <= 0;
			else if (!strcmp(c->op, ">"))
				res = k > 0;
			else
				res = k >= 0;
		}
	} else if (c->k == C_LIKE) {
		res = !isnull && jx_cstr(v) && like(jx_cstr(v), c->vals->s);
	} else if (c->semi) {
		if (!jv_is_valid(c->set)) {
			jv set = jv_object();
			jv rows = run_rows(r, c->semi, 0);
			for (int i = 0; i < jx_len(rows); i++) {
				jv row = whole(c->semi, jx_at(rows, i));
				jv id = path_value(r, row, &c->semi->items[0].path);
				jv_free(row);
				if (jv_get_kind(id) == JV_KIND_STRING)
					set = jv_object_set(set, id, jv_true());
				else
					jv_free(id);
			}
			jv_free(rows);
			c->set = set;
		}
		int in = !isnull && jv_get_kind(v) == JV_KIND_STRING &&
		    jv_is_valid(jx_get(c->set, jv_string_value(v), JV_KIND_TRUE));
		res = c->neg ? !in : in;
	} else {
		int in = 0;
		for (int i = 0; i < c->nvals && !in; i++)
			in = c->vals[i].k == L_NULL ? isnull : !isnull && cmp_lit(f, v, &c->vals[i], "=") == 0;
		res = c->neg ? !in : in;
	}
	jv_free(v);
	return res;
}

static void
free_sets(struct cond *c)
{
	if (!c)
		return;
	free_sets(c->a);
	free_sets(c->b);
	jv_free(c->set);
	c->set = jv_invalid();
	if (c->semi)
		free_sets(c->semi->where);
}

struct sortctx {
	struct run *r;
	struct query *q;
	jv keys; /* array of arrays */
};

static int
cmp_val(const struct field *f, jv a, jv b)
{
	if (ftype_is_number(f->type) && jv_get_kind(a) == JV_KIND_NUMBER && jv_get_kind(b) == JV_KIND_NUMBER) {
		double x = jv_number_value(a), y = jv_number_value(b);
		return x < y ? -1 : x > y;
	}
	if (f->type == F_BOOLEAN)
		return (jv_get_kind(a) == JV_KIND_TRUE) - (jv_get_kind(b) == JV_KIND_TRUE);
	const char *s = jx_cstr(a), *t = jx_cstr(b);
	if (!s || !t)
		return 0;
	/* Stored dates and datetimes have one fixed format, so text order is time order. */
	return f->type == F_DATE || f->type == F_DATETIME || f->type == F_ID || f->type == F_REFERENCE
	    ? strcmp(s, t)
	    : strcasecmp(s, t);
}

static int
sort_cmp(const void *x, const void *y, void *arg)
{
	struct sortctx *s = arg;
	int i = *(const int *)x, j = *(const int *)y;
	jv ki = jx_at(s->keys, i), kj = jx_at(s->keys, j);
	for (int k = 0; k < s->q->nord; k++) {
		const struct ord *o = &s->q->ord[k];
		jv a = jx_at(ki, k), b = jx_at(kj, k);
		int an = jv_get_kind(a) == JV_KIND_NULL, bn = jv_get_kind(b) == JV_KIND_NULL;
		int c;
		if (an || bn)
			c = an && bn ? 0 : (an ? -1 : 1) * (o->nulls_last ? -1 : 1);
		else
			c = cmp_val(o->path.field, a, b) * (o->desc ? -1 : 1);
		if (c)
			return c;
	}
	return (i > j) - (i < j);
}

/* A condition of c's top-level ANDs that SQLite can answer at once: Id, or a
 * reference the store indexes, equal to or in a list of literals. NULL if none. */
static const struct cond *
pinned(const struct cond *c)
{
	if (!c)
		return NULL;
	if (c->k == C_AND) {
		const struct cond *a = pinned(c->a);
		return a ? a : pinned(c->b);
	}
	if ((c->k != C_CMP && c->k != C_IN) || c->neg || c->semi || c->path.n != 1 || !c->path.field ||
	    !store_indexed(c->path.field) || (c->k == C_CMP && strcmp(c->op, "=")))
		return NULL;
	for (int i = 0; i < c->nvals; i++)
		if (c->vals[i].k != L_STR)
			return NULL;
	return c;
}

static jv sort_rows(struct run *r, struct query *q, jv out);

/* What a query keeps of a record of a big object while it runs: nothing for a
 * COUNT(), its Id alone (a string), or with an ORDER BY an object of its Id and the
 * fields the ordering starts from; whole() reads the rest back, so that a large result
 * does not hold the records themselves. */
static jv
slim(const struct query *q, jv rec)
{
	if (q->count)
		return jv_null();
	if (!q->nord)
		return jv_string(jx_str(rec, "Id") ? jx_str(rec, "Id") : "");
	jv s = jx_set_str(jv_object(), "Id", jx_str(rec, "Id"));
	for (int j = 0; j < q->nord; j++) {
		const char *f = q->ord[j].path.names[0];
		jv v = jv_object_get(jv_copy(rec), jv_string(f));
		if (jv_is_valid(v))
			s = jv_object_set(s, jv_string(f), v);
	}
	return s;
}

/* A row (borrowed) of q as the whole record (new): read back when it was slimmed. */
static jv
whole(const struct query *q, jv row)
{
	const char *id = jv_get_kind(row) == JV_KIND_STRING ? jx_cstr(row) : jx_str(row, "Id");
	if (!q->obj->big || !id)
		return jv_copy(row);
	jv rec = store_get(id, NULL);
	return jv_is_valid(rec) ? rec : jv_copy(row);
}

struct matching {
	struct run *r;
	struct query *q;
	int all;
	jv out;
	long keep; /* with a LIMIT: the first offset + limit rows are all it needs (else -1) */
	int slim;  /* keep slim() rows (a big object read from the store) */
};

static int
match_one(jv rec, void *arg)
{
	struct matching *m = arg;
	if (!m->all && jx_bool(rec, "IsArchived", 0))
		return 0; /* /query leaves archived activities out */
	if (m->q->where && !eval(m->r, m->q->where, rec))
		return 0;
	m->out = jv_array_append(m->out, m->slim ? slim(m->q, rec) : jv_copy(rec));
	if (m->keep < 0 || jx_len(m->out) < m->keep + (m->q->nord ? m->keep + 256 : 0))
		return 0;
	if (!m->q->nord)
		return 1; /* the first ones in creation order: enough */
	/* The best so far, so that a query with a LIMIT never holds all of a big object. */
	m->out = jv_array_slice(sort_rows(m->r, m->q, m->out), 0, (int)m->keep);
	return 0;
}

/* The records of q's object that its WHERE keeps, in creation order (archived ones
 * only when all), read through the store a record at a time, or only those a pinned
 * condition names. */
static jv
matching(struct run *r, struct query *q, int all)
{
	struct matching m = { r, q, all, jv_array(), q->limit >= 0 && !q->count ? q->offset + q->limit : -1,
		q->obj->big };
	const struct cond *pin = pinned(q->where);
	if (pin) {
		const char **vals = xmalloc((size_t)(pin->nvals + 1) * sizeof *vals);
		for (int i = 0; i < pin->nvals; i++)
			vals[i] = pin->vals[i].s;
		store_each(q->obj, all, pin->path.field->name, vals, pin->nvals, match_one, &m);
		free(vals);
	} else
		store_each(q->obj, all, NULL, NULL, 0, match_one, &m);
	return m.out;
}

static jv ordered(struct run *r, struct query *q, jv out);

/* The rows q keeps (from matching), in its order, its offset and limit applied. */
static jv
run_rows(struct run *r, struct query *q, int all)
{
	return ordered(r, q, matching(r, q, all));
}

/* The same for rows given (consumed): a subquery's children. */
static jv
run_on(struct run *r, struct query *q, jv rows)
{
	struct matching m = { r, q, 1, jv_array(), -1, 0 };
	for (int i = 0; i < jx_len(rows); i++)
		match_one(jx_at(rows, i), &m);
	jv_free(rows);
	return ordered(r, q, m.out);
}

/* Rows (consumed) in q's order, its offset and limit applied. */
static jv
ordered(struct run *r, struct query *q, jv out)
{
	out = sort_rows(r, q, out);
	int n = jx_len(out);
	if (q->offset || q->limit >= 0) {
		long lo = q->offset < n ? q->offset : n;
		long hi = q->limit >= 0 && lo + q->limit < n ? lo + q->limit : n;
		out = jv_array_slice(out, (int)lo, (int)hi);
	}
	return out;
}

/* Rows (consumed) in q's ORDER BY order. */
static jv
sort_rows(struct run *r, struct query *q, jv out)
{
	int n = jx_len(out);
	if (q->nord && n > 1) {
		struct sortctx s = { r, q, jv_array() };
		int *idx = xmalloc((size_t)n * sizeof *idx);
		for (int i = 0; i < n; i++) {
			jv k = jv_array();
			for (int j = 0; j < q->nord; j++)
				k = jv_array_append(k, path_value(r, jx_at(out, i), &q->ord[j].path));
			s.keys = jv_array_append(s.keys, k);
			idx[i] = i;
		}
		qsort_r(idx, (size_t)n, sizeof *idx, sort_cmp, &s);
		jv sorted = jv_array();
		for (int i = 0; i < n; i++)
			sorted = jv_array_append(sorted, jv_copy(jx_at(out, idx[i])));
		free(idx);
		jv_free(s.keys);
		jv_free(out);
		out = sorted;
	}
	return out;
}

static jv
attributes(const char *type, const char *id, const char *ver)
{
	jv a = jv_object();
	a = jv_object_set(a, jv_string("type"), jv_string(type));
	if (id)
		a = jv_object_set(
		    a, jv_string("url"), jv_string_fmt("/services/data/v%s/sobjects/%s/%s", ver, type, id));
	return a;
}

/* Sets the value of path (from depth on) read from cur into out, nesting parent
 * objects under their relationship names. */
static jv
project_path(struct run *r, jv out, jv cur, const struct path *pa, int depth)
{
	const char *name = pa->names[depth];
	if (depth == pa->n - 1) {
		jv v = jv_object_get(jv_copy(cur), jv_string(name));
		return jv_object_set(out, jv_string(name), jv_is_valid(v) ? v : (jv_free(v), jv_null()));
	}
	const char *rel = pa->rels[depth];
	const char *pid = jx_str(cur, name);
	jv parent = pid ? parent_of(r, pid) : jv_null();
	if (jv_get_kind(parent) != JV_KIND_OBJECT) {
		jv_free(parent);
		jv have = jv_object_get(jv_copy(out), jv_string(rel));
		int set = jv_get_kind(have) == JV_KIND_OBJECT;
		jv_free(have);
		return set ? out : jv_object_set(out, jv_string(rel), jv_null());
	}
	jv sub = jv_object_get(jv_copy(out), jv_string(rel));
	if (jv_get_kind(sub) != JV_KIND_OBJECT) {
		jv_free(sub);
		struct obj *po = schema_obj_prefix(pid);
		sub = jv_object_set(
		    jv_object(), jv_string("attributes"), attributes(po ? po->name : "Name", pid, r->ver));
	}
	sub = project_path(r, sub, parent, pa, depth + 1);
	jv_free(parent);
	return jv_object_set(out, jv_string(rel), sub);
}

static jv result(jv recs, long total, int done);

static jv
project(struct run *r, struct query *q, jv rec)
{
	const char *id = jx_str(rec, "Id");
	jv out = jv_object_set(jv_object(), jv_string("attributes"), attributes(q->obj->name, id, r->ver));
	for (int i = 0; i < q->nitems; i++) {
		struct selitem *it = &q->items[i];
		if (it->k == I_FIELD) {
			out = project_path(r, out, rec, &it->path, 0);
			continue;
		}
		jv kids = run_on(r, it->sub, store_children(id, it->sub->rel->field));
		free_sets(it->sub->where);
		int n = jx_len(kids);
		jv pk = jv_array();
		for (int k = 0; k < n; k++)
			pk = jv_array_append(pk, project(r, it->sub, jx_at(kids, k)));
		jv_free(kids);
		out =
		    jv_object_set(out, jv_string(it->sub->rel->name), n ? result(pk, n, 1) : (jv_free(pk), jv_null()));
	}
	return out;
}

static jv
result(jv recs, long total, int done)
{
	jv o = jv_object();
	o = jv_object_set(o, jv_string("totalSize"), jv_number((double)total));
	o = jv_object_set(o, jv_string("done"), jv_bool(done));
	return jv_object_set(o, jv_string("records"), recs);
}

/* ---- cursors for queryMore ---- */

/* A cursor keeps the matching records, already filtered, sorted and cut, plus the
 * query text; each page is projected when it is asked for, so a large result costs
 * one page of work per call. */
#define NCURSORS 64
static struct cursor {
	char id[SFID_SIZE];
	char *soql;
	int all, batch;
	jv rows;
	char ver[8];
	unsigned long used;
} cursors[NCURSORS];
static unsigned long cursor_clock, cursor_seq;

static jv
errarray(const char *code, const char *msg)
{
	jv e = jv_object();
	e = jv_object_set(e, jv_string("message"), jv_string(msg));
	e = jv_object_set(e, jv_string("errorCode"), jv_string(code));
	return jv_array_append(jv_array(), e);
}

static jv
project_page(struct run *r, struct query *q, jv rows, long from, long to)
{
	jv recs = jv_array();
	for (long i = from; i < to; i++) {
		jv rec = whole(q, jx_at(rows, (int)i));
		recs = jv_array_append(recs, project(r, q, rec));
		jv_free(rec);
	}
	return recs;
}

static struct cursor *
cursor_new(const char *text, int all, int batch, const char *ver, jv rows)
{
	struct cursor *c = &cursors[0];
	for (int i = 1; i < NCURSORS; i++)
		if (cursors[i].used < c->used)
			c = &cursors[i];
	jv_free(c->rows);
	free(c->soql);
	char id15[16];
	snprintf(id15, sizeof id15, "01g8d%010lu", ++cursor_seq);
	memcpy(c->id, id15, 15);
	id_checksum(id15, c->id + 15);
	c->soql = xstrdup(text);
	c->all = all;
	c->batch = batch;
	c->rows = rows;
	snprintf(c->ver, sizeof c->ver, "%s", ver);
	c->used = ++cursor_clock;
	return c;
}

/* rows (consumed) without the archived activities, which /query does not return. */

/* Parses text as the API does, or returns NULL with *err the REST error (the query,
 * a caret under the column, the reason) and *status 400; soql_free(*mem) is due only
 * when it returns a query. */
static struct query *
parse(const char *text, void **mem, jv *err, int *status)
{
	*status = 400;
	if (strlen(text) > 100000) {
		*err = errarray("MALFORMED_QUERY", "SOQL statements cannot be longer than 100,000 characters.");
		*mem = NULL;
		return NULL;
	}
	struct soql_err e;
	struct query *q = soql_parse(text, mem, &e);
	if (!q) {
		/* The real API shows the query, a caret under the column, then the reason. */
		int col = e.pos + 1;
		int from = col > 60 ? col - 60 : 0;
		char *ex = xstrndup(text + from, 120);
		for (char *s = ex; *s; s++)
			if (*s == '\n' || *s == '\r' || *s == '\t')
				*s = ' ';
		char *m = xasprintf("\n%s\n%*s^\nERROR at Row:1:Column:%d\n%s", ex, col - 1 - from, "", col, e.msg);
		free(ex);
		*err = errarray(e.code, m);
		free(m);
		soql_free(*mem);
		return NULL;
	}
	return q;
}

/* Runs text (or, with c, the page of cursor c at offset) and returns the response. */
static jv
exec(const char *text, const char *ver, int all, int batch, struct cursor *c, long offset, jv *err, int *status)
{
	void *mem;
	struct query *q = parse(text, &mem, err, status);
	if (!q)
		return jv_invalid();
	struct run r = { jv_object(), ver };
	jv out;
	if (c) {
		long n = jx_len(c->rows);
		long end = offset + c->batch < n ? offset + c->batch : n;
		out = result(project_page(&r, q, c->rows, offset, end), n, end >= n);
		if (end < n)
			out = jv_object_set(out, jv_string("nextRecordsUrl"),
			    jv_string_fmt("/services/data/v%s/query/%s-%ld", ver, c->id, end));
	} else {
		jv rows = run_rows(&r, q, all);
		long n = jx_len(rows);
		if (q->count) {
			out = result(jv_array(), n, 1);
			jv_free(rows);
		} else if (n <= batch) {
			out = result(project_page(&r, q, rows, 0, n), n, 1);
			jv_free(rows);
		} else {
			c = cursor_new(text, all, batch, ver, rows);
			out = result(project_page(&r, q, rows, 0, batch), n, 0);
			out = jv_object_set(out, jv_string("nextRecordsUrl"),
			    jv_string_fmt("/services/data/v%s/query/%s-%d", ver, c->id, batch));
		}
	}
	free_sets(q->where);
	*status = 200;
	jv_free(r.cache);
	/* A query through a big object freed much at once: give it back to the system. */
	if (q->obj->big)
		malloc_trim(0);
	soql_free(mem);
	return out;
}

jv
soql_run(const char *text, const char *ver, int all, int batch, jv *err, int *status)
{
	return exec(text, ver, all, batch, NULL, 0, err, status);
}

jv
soql_more(const char *locator, const char *ver, jv *err, int *status)
{
	const char *dash = strrchr(locator, '-');
	long off;
	if (dash && dash - locator == 18 && parse_long(dash + 1, 0, 1L << 30, &off) == 0) {
		for (int i = 0; i < NCURSORS; i++) {
			struct cursor *c = &cursors[i];
			if (c->used && !strncmp(c->id, locator, 18) && off < jx_len(c->rows)) {
				c->used = ++cursor_clock;
				return exec(c->soql, ver, c->all, c->batch, c, off, err, status);
			}
		}
	}
	*status = 400;
	*err = errarray("INVALID_QUERY_LOCATOR", "invalid query locator");
	return jv_invalid();
}

/* ---- the columns of a query (?columns=true) ---- */

/* One column of columnMetadata: a field, or a relationship with its joinColumns. */
static jv
column(const char *name, const struct field *f, int aggregate, jv joins)
{
	static const char *const apex[] = { [F_ID] = "Id",
		[F_STRING] = "String",
		[F_TEXTAREA] = "String",
		[F_PICKLIST] = "String",
		[F_COMBOBOX] = "String",
		[F_REFERENCE] = "Id",
		[F_DATE] = "Date",
		[F_DATETIME] = "Datetime",
		[F_BOOLEAN] = "Boolean",
		[F_INT] = "Integer",
		[F_DOUBLE] = "Double",
		[F_CURRENCY] = "Double",
		[F_PERCENT] = "Double",
		[F_EMAIL] = "String",
		[F_URL] = "String",
		[F_PHONE] = "String" };
	int leaf = f && !jx_len(joins);
	enum ftype t = f ? f->type : F_STRING;
	jv o = jv_object();
	o = jv_object_set(o, jv_string("aggregate"), jv_bool(aggregate));
	o = jx_set_str(o, "apexType", leaf ? apex[t] : NULL);
	o = jv_object_set(o, jv_string("booleanType"), jv_bool(leaf && t == F_BOOLEAN));
	o = jx_set_str(o, "columnName", name);
	o = jv_object_set(o, jv_string("custom"), jv_bool(f && f->custom));
	o = jx_set_str(o, "displayName", name);
	o = jx_set_str(o, "foreignKeyName", NULL);
	o = jv_object_set(o, jv_string("insertable"), jv_bool(leaf && f->create));
	o = jv_object_set(o, jv_string("joinColumns"), joins);
	o = jv_object_set(o, jv_string("numberType"),
	    jv_bool(leaf && (t == F_INT || t == F_DOUBLE || t == F_CURRENCY || t == F_PERCENT)));
	o = jv_object_set(o, jv_string("textType"), jv_bool(leaf && apex[t] && !strcmp(apex[t], "String")));
	return jv_object_set(o, jv_string("updatable"), jv_bool(leaf && f->update));
}

/* The columns of a path from its k-th step: Owner.Name is Owner joining Name. */
static jv
path_column(const struct path *p, int k)
{
	if (k == p->n - 1)
		return column(p->names[k], p->field, 0, jv_array());
	return column(
	    p->rels[k] ? p->rels[k] : p->names[k], NULL, 0, jv_array_append(jv_array(), path_column(p, k + 1)));
}

static jv
columns_of(const struct query *q)
{
	jv a = jv_array();
	if (q->count)
		return jv_array_append(a, column("expr0", NULL, 1, jv_array()));
	for (int i = 0; i < q->nitems; i++) {
		const struct selitem *it = &q->items[i];
		a = jv_array_append(a,
		    it->k == I_SUB ? column(it->sub->rel->name, NULL, 1, columns_of(it->sub))
				   : path_column(&it->path, 0));
	}
	return a;
}

jv
soql_columns(const char *text, jv *err, int *status)
{
	void *mem;
	struct query *q = parse(text, &mem, err, status);
	if (!q)
		return jv_invalid();
	jv o = jv_object_set(jv_object(), jv_string("columnMetadata"), columns_of(q));
	o = jx_set_str(o, "entityName", q->obj->name);
	o = jv_object_set(o, jv_string("groupBy"), jv_false());
	o = jv_object_set(o, jv_string("idSelected"),
	    jv_bool(q->nitems && q->items[0].k == I_FIELD && q->items[0].path.n == 1 &&
		!strcasecmp(q->items[0].path.names[0], "Id")));
	o = jx_set_str(o, "keyPrefix", q->obj->prefix);
	soql_free(mem);
	return o;
}
