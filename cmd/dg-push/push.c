/* push.c: what dg-push sends, in which order, and how answers become sf blocks.
 *
 * Phases follow the dependencies: planned contacts; then their contact roles, the
 * Events, the Tasks and the scorecard (which need the contacts' new Ids); then the
 * EventRelations (which need the Events' Ids). Within a phase every deal's records go
 * out together, sorted by object, 200 to a call, p->jobs calls at a time. */
#define _GNU_SOURCE
#include "push.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "csv.h"
#include "jsonl.h"
#include "sf.h"
#include "sfid.h"
#include "tz.h"
#include "util.h"

enum kind { K_CONTACT, K_ROLE, K_EVENT, K_TASK, K_REL, K_SCORE };
enum status { S_NONE, S_CREATED, S_UPDATED, S_SKIPPED, S_FAILED, S_FOUND };
static const char *const status_name[] = { "none", "created", "updated", "skipped", "failed", "found" };

struct item {
	enum kind kind;
	int deal, idx, rel;
	const char *object;
	jv fields;           /* what is sent; jv_invalid() when nothing is */
	int update;          /* a PATCH of an existing record (the scorecard fields) */
	int related;         /* an Event whose relations are planned */
	char id[19];
	enum status status;
	jv error;            /* {code, message, fields} */
};

struct items {
	struct item *v;
	int n, cap;
};

static struct item *add(struct items *it, enum kind k, int deal, int idx, const char *object)
{
	if (it->n == it->cap) {
		it->cap = it->cap ? 2 * it->cap : 256;
		it->v = xrealloc(it->v, (size_t)it->cap * sizeof *it->v);
	}
	struct item *x = &it->v[it->n++];
	memset(x, 0, sizeof *x);
	x->kind = k;
	x->deal = deal;
	x->idx = idx;
	x->object = object;
	x->fields = jv_invalid();
	x->error = jv_invalid();
	return x;
}

static void fail(struct item *x, const char *code, const char *msg, jv fields)
{
	x->status = S_FAILED;
	jv_free(x->error);
	x->error = jv_object();
	x->error = jv_object_set(x->error, jv_string("code"), jv_string(code));
	x->error = jv_object_set(x->error, jv_string("message"), jv_string(msg));
	x->error = jv_object_set(x->error, jv_string("fields"), jv_get_kind(fields) == JV_KIND_ARRAY ? fields : (jv_free(fields), jv_array()));
}

/* ---- what the org has: describe, once per object ---- */

static int has_field(struct push *p, const char *object, const char *field)
{
	if (jv_get_kind(p->fields) != JV_KIND_OBJECT)
		p->fields = jv_object();
	jv set = jv_object_get(jv_copy(p->fields), jv_string(object));
	if (!jv_is_valid(set)) {
		char *path = xasprintf("/sobjects/%s/describe", object), err[512];
		jv d = sf_request(p->sf, "GET", path, NULL, NULL, err, sizeof err);
		free(path);
		set = jv_object();
		jv fs = jx_get(d, "fields", JV_KIND_ARRAY);
		for (int i = 0; i < jx_len(fs); i++)
			if (jx_str(jx_at(fs, i), "name") && jx_bool(jx_at(fs, i), "createable", 1))
				set = jv_object_set(set, jv_string(jx_str(jx_at(fs, i), "name")), jv_true());
		jv_free(d);
		p->fields = jv_object_set(p->fields, jv_string(object), jv_copy(set));
	}
	int has = jv_object_has(set, jv_string(field));
	return has;
}

static jv tagged(struct push *p, const char *object, jv rec)
{
	const char *tf = p->cfg->push.tag_field;
	if (tf && *tf && has_field(p, object, tf))
		rec = jv_object_set(rec, jv_string(tf), jv_string(p->tag));
	return rec;
}

/* ---- Bulk API 2.0, for large loads of one object ---- */

static char *cell(jv v)
{
	switch (jv_get_kind(v)) {
	case JV_KIND_STRING: return xstrdup(jv_string_value(v));
	case JV_KIND_TRUE: return xstrdup("true");
	case JV_KIND_FALSE: return xstrdup("false");
	case JV_KIND_NULL: return xstrdup("#N/A");
	case JV_KIND_NUMBER: {
		jv s = jv_dump_string(jv_copy(v), 0);
		char *o = xstrdup(jv_string_value(s));
		jv_free(s);
		return o;
	}
	default: return xstrdup("");
	}
}

/* "CODE:message:FIELD,FIELD --" (several joined by ';') into an item's error. */
static void bulk_error(struct item *x, const char *text)
{
	char *t = xstrdup(text), *msg = strchr(t, ':');
	if (msg)
		*msg++ = '\0';
	char *flds = msg ? strrchr(msg, ':') : NULL;
	jv fields = jv_array();
	if (flds) {
		*flds++ = '\0';
		char *end = strstr(flds, " --");
		if (end)
			*end = '\0';
		char *save = NULL;
		for (char *f = strtok_r(flds, ",", &save); f; f = strtok_r(NULL, ",", &save))
			fields = jv_array_append(fields, jv_string(f));
	}
	fail(x, *t ? t : "UNKNOWN_EXCEPTION", msg ? msg : text, fields);
	free(t);
}

static int call1(struct push *p, const char *method, char *path, char *body, const char *ctype, struct sf_call *c)
{
	memset(c, 0, sizeof *c);
	c->method = method;
	c->path = path;
	c->body = body;
	c->ctype = ctype;
	sf_calls(p->sf, c, 1, 1);
	return c->resp.status >= 200 && c->resp.status < 300 ? 0 : -1;
}

/* Loads n items of one object through one ingest job and fills in their results.
 * Result rows come in any order: they are matched to items by their original cells. */
static void bulk_send(struct push *p, struct item **x, int n)
{
	const char *obj = x[0]->object;
	jv colset = jv_object();
	for (int i = 0; i < n; i++)
		jv_object_foreach(x[i]->fields, k, v) {
			colset = jv_object_set(colset, k, jv_true());
			jv_free(v);
		}
	jv cols = jv_keys(jv_copy(colset));
	struct sb csv = { 0 }, key = { 0 };
	for (int c = 0; c < jx_len(cols); c++)
		csv_cell(&csv, jx_cstr(jx_at(cols, c)), !c, ',');
	sb_addc(&csv, '\n');
	jv byrow = jv_object();
	for (int i = 0; i < n; i++) {
		sb_reset(&key);
		for (int c = 0; c < jx_len(cols); c++) {
			jv v = jv_object_get(jv_copy(x[i]->fields), jv_string(jx_cstr(jx_at(cols, c))));
			char *t = jv_is_valid(v) ? cell(v) : xstrdup("");
			jv_free(v);
			csv_cell(&csv, t, !c, ',');
			sb_add(&key, t);
			sb_addc(&key, '\x1f');
			free(t);
		}
		sb_addc(&csv, '\n');
		jv q = jv_object_get(jv_copy(byrow), jv_string(sb_str(&key)));
		if (!jv_is_valid(q))
			q = jv_array();
		byrow = jv_object_set(byrow, jv_string(sb_str(&key)), jv_array_append(q, jv_number(i)));
	}
	char err[1024];
	struct sf_call c;
	jv job = jv_object_set(jv_object(), jv_string("object"), jv_string(obj));
	job = jv_object_set(job, jv_string("operation"), jv_string("insert"));
	job = jv_object_set(job, jv_string("contentType"), jv_string("CSV"));
	job = jv_object_set(job, jv_string("lineEnding"), jv_string("LF"));
	jv js = jv_dump_string(job, 0);
	jv info = sf_request(p->sf, "POST", "/jobs/ingest", jv_string_value(js), NULL, err, sizeof err);
	jv_free(js);
	const char *id = jx_str(info, "id"), *url = jx_str(info, "contentUrl");
	const char *why = NULL;
	char *path = NULL;
	if (!id || !url)
		why = jv_is_valid(info) ? "the job has no id" : err;
	else if (call1(p, "PUT", xasprintf("/%s", url), xstrdup(sb_str(&csv)), "text/csv", &c) < 0) {
		char *t = sf_error_text(&c.resp);
		snprintf(err, sizeof err, "upload: %s", t);
		free(t);
		why = err;
	}
	if (id && url)
		sf_call_free(&c);
	if (!why) {
		path = xasprintf("/jobs/ingest/%s", id);
		jv done = sf_request(p->sf, "PATCH", path, "{\"state\":\"UploadComplete\"}", NULL, err, sizeof err);
		if (!jv_is_valid(done))
			why = err;
		jv_free(done);
	}
	/* Poll: 100 ms, doubling to 5 s, for at most 30 minutes. */
	long wait = 100, waited = 0;
	jv state = jv_invalid();
	while (!why) {
		jv_free(state);
		state = sf_request(p->sf, "GET", path, NULL, NULL, err, sizeof err);
		const char *st = jx_str(state, "state");
		if (!jv_is_valid(state))
			why = err;
		else if (st && !strcmp(st, "JobComplete"))
			break;
		else if (st && (!strcmp(st, "Failed") || !strcmp(st, "Aborted"))) {
			snprintf(err, sizeof err, "the Bulk job %s: %s", st, jx_str(state, "errorMessage") ? jx_str(state, "errorMessage") : "");
			why = err;
		} else if (waited > 1800000) {
			snprintf(err, sizeof err, "the Bulk job %s did not finish in 30 minutes", id);
			why = err;
		} else {
			struct timespec ts = { wait / 1000, (wait % 1000) * 1000000L };
			nanosleep(&ts, NULL);
			waited += wait;
			wait = wait * 2 > 5000 ? 5000 : wait * 2;
		}
	}
	jv_free(state);
	for (int r = 0; r < 2 && !why; r++) {
		if (call1(p, "GET", xasprintf("%s/%s/", path, r ? "failedResults" : "successfulResults"), NULL, NULL, &c) < 0) {
			char *t = sf_error_text(&c.resp);
			snprintf(err, sizeof err, "results: %s", t);
			free(t);
			why = err;
			sf_call_free(&c);
			break;
		}
		const char *s = c.resp.body.s ? c.resp.body.s : "", *end = s + c.resp.body.len;
		jv head = csv_row(&s, end, ',');
		for (jv row; jv_is_valid(row = csv_row(&s, end, ',')); jv_free(row)) {
			if (jx_len(row) < 2)
				continue;
			sb_reset(&key);
			for (int k = 2; k < jx_len(row); k++) {
				sb_add(&key, jx_cstr(jx_at(row, k)));
				sb_addc(&key, '\x1f');
			}
			jv q = jv_object_get(jv_copy(byrow), jv_string(sb_str(&key)));
			if (!jx_len(q)) {
				jv_free(q);
				continue;
			}
			struct item *it = x[(int)jv_number_value(jx_at(q, 0))];
			byrow = jv_object_set(byrow, jv_string(sb_str(&key)), jv_array_slice(q, 1, jx_len(q)));
			if (r == 0) {
				it->status = S_CREATED;
				id_norm(jx_cstr(jx_at(row, 0)), it->id);
			} else
				bulk_error(it, jx_cstr(jx_at(row, 1)));
		}
		jv_free(head);
		sf_call_free(&c);
	}
	for (int i = 0; i < n; i++)
		if (x[i]->status == S_NONE) {
			if (why)
				fail(x[i], "BULK_JOB_FAILED", why, jv_array());
			else
				fail(x[i], "BULK_RESULT_MISSING", "the Bulk job reported nothing for this record", jv_array());
		}
	free(path);
	jv_free(info);
	jv_free(byrow);
	jv_free(cols);
	jv_free(colset);
	sb_free(&csv);
	sb_free(&key);
}

/* ---- sending ---- */

static int by_object(const void *a, const void *b)
{
	const struct item *x = *(struct item *const *)a, *y = *(struct item *const *)b;
	int c = strcmp(x->object, y->object);
	return c ? c : (x > y) - (x < y);
}

/* Sends every item of v that has fields, in Collections calls of 200, and fills in
 * their results. */
static void send(struct push *p, struct items *v, int from)
{
	int n = 0;
	struct item **pending_items = xmalloc((size_t)(v->n - from + 1) * sizeof *pending_items);
	for (int i = from; i < v->n; i++)
		if (jv_is_valid(v->v[i].fields) && v->v[i].status == S_NONE)
			pending_items[n++] = &v->v[i];
	qsort(pending_items, (size_t)n, sizeof *pending_items, by_object);
	/* A large load of one object goes through Bulk API 2.0; the rest through Collections. */
	long th = p->cfg->push.bulk_threshold;
	for (int i = 0; th > 0 && i < n;) {
		int j = i;
		while (j < n && !strcmp(pending_items[j]->object, pending_items[i]->object))
			j++;
		int creates = 0;
		for (int k = i; k < j; k++)
			creates += !pending_items[k]->update;
		if (creates >= th && creates == j - i) {
			bulk_send(p, pending_items + i, j - i);
			memmove(pending_items + i, pending_items + j, (size_t)(n - j) * sizeof *pending_items);
			n -= j - i;
		} else
			i = j;
	}
	/* Creates and updates go in separate calls. */
	int ncalls = 0;
	struct sf_call *calls = xcalloc((size_t)n / 200 + 4, sizeof *calls);
	int *first = xcalloc((size_t)n / 200 + 4, sizeof *first), *count = xcalloc((size_t)n / 200 + 4, sizeof *count);
	for (int upd = 0; upd < 2; upd++) {
		int i = 0;
		while (i < n) {
			if (pending_items[i]->update != upd) {
				i++;
				continue;
			}
			jv recs = jv_array();
			int k = 0;
			first[ncalls] = i;
			for (; i < n && k < 200; i++) {
				if (pending_items[i]->update != upd)
					continue;
				jv r = jv_object_set(jv_copy(pending_items[i]->fields), jv_string("attributes"),
				    jv_object_set(jv_object(), jv_string("type"), jv_string(pending_items[i]->object)));
				if (upd)
					r = jv_object_set(r, jv_string("id"), jv_string(pending_items[i]->id));
				recs = jv_array_append(recs, r);
				k++;
			}
			count[ncalls] = k;
			jv body = jv_object_set(jv_object(), jv_string("allOrNone"), jv_false());
			body = jv_object_set(body, jv_string("records"), recs);
			calls[ncalls].method = upd ? "PATCH" : "POST";
			calls[ncalls].path = xstrdup("/composite/sobjects");
			calls[ncalls].body = jx_dumps(body);
			calls[ncalls].user = (void *)(long)upd;
			calls[ncalls].weight = k;
			jv_free(body);
			ncalls++;
		}
	}
	sf_calls(p->sf, calls, ncalls, (int)p->jobs);
	for (int c = 0; c < ncalls; c++) {
		int upd = (int)(long)calls[c].user;
		struct http_resp *r = &calls[c].resp;
		jv res = r->status == 200 ? jv_parse_sized(r->body.s ? r->body.s : "", (int)r->body.len) : jv_invalid();
		int ok = jv_get_kind(res) == JV_KIND_ARRAY && jx_len(res) == count[c];
		char *why = ok ? NULL : sf_error_text(r);
		jv ecode = jv_invalid();
		if (!ok) {
			/* The whole call failed: each of its records carries the call's error. */
			jv j = jv_parse_sized(r->body.s ? r->body.s : "", (int)r->body.len);
			jv e = jv_get_kind(j) == JV_KIND_ARRAY ? jx_at(j, 0) : j;
			ecode = jv_string(jx_str(e, "errorCode") ? jx_str(e, "errorCode") : r->status ? "HTTP_ERROR" : "CONNECTION_FAILED");
			jv_free(j);
		}
		int k = 0;
		for (int i = first[c]; i < n && k < count[c]; i++) {
			struct item *x = pending_items[i];
			if (x->update != upd)
				continue;
			if (!ok) {
				const char *msg = strchr(why, ':') ? strchr(why, ':') + 2 : why;
				fail(x, jv_string_value(ecode), msg, jv_array());
			} else {
				jv one = jx_at(res, k);
				if (jx_bool(one, "success", 0)) {
					x->status = upd ? S_UPDATED : S_CREATED;
					if (!upd)
						id_norm(jx_str(one, "id") ? jx_str(one, "id") : "", x->id);
				} else {
					jv e = jx_at(jx_get(one, "errors", JV_KIND_ARRAY), 0);
					fail(x, jx_str(e, "statusCode") ? jx_str(e, "statusCode") : "UNKNOWN_EXCEPTION",
					    jx_str(e, "message") ? jx_str(e, "message") : "", jv_copy(jx_get(e, "fields", JV_KIND_ARRAY)));
				}
			}
			k++;
		}
		free(why);
		jv_free(ecode);
		jv_free(res);
		sf_call_free(&calls[c]);
	}
	free(calls);
	free(first);
	free(count);
	free(pending_items);
}

/* ---- building the records ---- */

static jv deal_at(struct push *p, int i) { return jx_at(p->deals, i); }

static const char *existing_id(jv obj)
{
	jv sf = jx_get(obj, "sf", JV_KIND_OBJECT);
	const char *id = jx_str(sf, "id");
	const char *st = jx_str(sf, "status");
	return id && (!st || strcmp(st, "failed")) ? id : NULL;
}

static jv trimmed(const char *s, size_t max)
{
	size_t n = utf8_trim(s, strlen(s), max);
	return jv_string_sized(s, (int)n);
}

/* A contact reference: an Id as is, a planned contact's key through keys. */
static const char *resolve(jv keys, const char *who, char buf[19])
{
	if (!who)
		return NULL;
	if (id_norm(who, buf) == 0)
		return buf;
	const char *id = jx_str(keys, who);
	if (!id)
		return NULL;
	snprintf(buf, 19, "%s", id);
	return buf;
}

static void plan_contacts(struct push *p, struct items *v, jv *keys)
{
	for (int d = 0; d < jx_len(p->deals); d++) {
		jv deal = deal_at(p, d), opp = jx_get(deal, "opportunity", JV_KIND_OBJECT);
		jv cs = jx_get(deal, "contacts", JV_KIND_ARRAY);
		for (int j = 0; j < jx_len(cs); j++) {
			jv c = jx_at(cs, j);
			if (!jx_bool(c, "planned", 0) || !jx_str(c, "key"))
				continue;
			struct item *x = add(v, K_CONTACT, d, j, "Contact");
			const char *have = existing_id(c);
			if (have && id_norm(have, x->id) == 0) {
				x->status = S_SKIPPED;
				*keys = jv_object_set(*keys, jv_string(jx_str(c, "key")), jv_string(x->id));
				continue;
			}
			jv f = jv_object();
			const char *keysf[] = { "FirstName", "LastName", "Email", "Title" };
			for (size_t k = 0; k < sizeof keysf / sizeof *keysf; k++)
				if (jx_str(c, keysf[k]))
					f = jv_object_set(f, jv_string(keysf[k]), jv_string(jx_str(c, keysf[k])));
			const char *acct = jx_str(c, "AccountId") ? jx_str(c, "AccountId") : jx_str(opp, "AccountId");
			if (acct)
				f = jv_object_set(f, jv_string("AccountId"), jv_string(acct));
			if (jx_str(opp, "OwnerId"))
				f = jv_object_set(f, jv_string("OwnerId"), jv_string(jx_str(opp, "OwnerId")));
			x->fields = tagged(p, "Contact", f);
		}
	}
}

static void after_contacts(struct items *v, jv *keys, struct push *p)
{
	for (int i = 0; i < v->n; i++) {
		struct item *x = &v->v[i];
		if (x->kind == K_CONTACT && (x->status == S_CREATED || x->status == S_FOUND)) {
			jv c = jx_at(jx_get(deal_at(p, x->deal), "contacts", JV_KIND_ARRAY), x->idx);
			*keys = jv_object_set(*keys, jv_string(jx_str(c, "key")), jv_string(x->id));
		}
	}
}

/* Pass 1 plans what needs no planned contact (most activities, the scorecard); pass 2,
 * once the contacts exist, their roles and the activities that name them. */
static void plan_activities(struct push *p, struct items *v, jv keys, int pass)
{
	static int score_warned;
	for (int d = 0; d < jx_len(p->deals); d++) {
		jv deal = deal_at(p, d), opp = jx_get(deal, "opportunity", JV_KIND_OBJECT);
		const char *oid = jx_str(opp, "Id"), *owner = jx_str(opp, "OwnerId");
		char buf[19], date[16];
		/* Contact roles for the planned contacts. */
		jv cs = jx_get(deal, "contacts", JV_KIND_ARRAY);
		for (int j = 0; j < jx_len(cs) && pass == 2; j++) {
			jv c = jx_at(cs, j);
			if (!jx_bool(c, "planned", 0) || !jx_str(c, "key"))
				continue;
			struct item *x = add(v, K_ROLE, d, j, "OpportunityContactRole");
			jv role = jx_get(jx_get(c, "sf", JV_KIND_OBJECT), "role", JV_KIND_OBJECT);
			const char *rid = jx_str(role, "id");
			if (rid && id_norm(rid, x->id) == 0 && (!jx_str(role, "status") || strcmp(jx_str(role, "status"), "failed"))) {
				x->status = S_SKIPPED;
				continue;
			}
			const char *cid = resolve(keys, jx_str(c, "key"), buf);
			if (!cid) {
				fail(x, "DEPENDENCY_FAILED", "the contact was not created", jv_array());
				continue;
			}
			jv f = jv_object_set(jv_object(), jv_string("OpportunityId"), jv_string(oid));
			f = jv_object_set(f, jv_string("ContactId"), jv_string(cid));
			if (jx_str(c, "Role"))
				f = jv_object_set(f, jv_string("Role"), jv_string(jx_str(c, "Role")));
			x->fields = tagged(p, "OpportunityContactRole", f);
		}
		/* Meetings and emails. */
		jv acts = jx_get(deal, "activities", JV_KIND_ARRAY);
		for (int j = 0; j < jx_len(acts); j++) {
			jv a = jx_at(acts, j);
			const char *kind = jx_str(a, "kind");
			int meeting = kind && !strcmp(kind, "meeting");
			if (!kind || (!meeting && strcmp(kind, "email")))
				continue;
			const char *w = jx_str(a, "who");
			char tmp[19];
			if ((w && id_norm(w, tmp) != 0) != (pass == 2))
				continue;
			struct item *x = add(v, meeting ? K_EVENT : K_TASK, d, j, meeting ? "Event" : "Task");
			const char *have = existing_id(a);
			if (have && id_norm(have, x->id) == 0) {
				x->status = S_SKIPPED;
				continue;
			}
			const char *who = jx_str(a, "who");
			const char *whoid = resolve(keys, who, buf);
			if (who && !whoid) {
				fail(x, "DEPENDENCY_FAILED", "its contact was not created", jv_array());
				continue;
			}
			time_t t;
			if (!jx_str(a, "start") || time_parse(jx_str(a, "start"), &t) != 0) {
				fail(x, "INVALID_RECORD", "the activity has no valid start", jv_array());
				continue;
			}
			const char *subj = jx_str(a, "subject") ? jx_str(a, "subject") : (meeting ? "Meeting" : "Email");
			jv f = jv_object();
			if (meeting) {
				char iso[32];
				f = jv_object_set(f, jv_string("Subject"), trimmed(subj, 255));
				f = jv_object_set(f, jv_string("StartDateTime"), jv_string(time_iso(t, iso)));
				f = jv_object_set(f, jv_string("DurationInMinutes"), jv_number(jx_num(a, "minutes", 30)));
				f = jv_object_set(f, jv_string("Type"), jv_string("Meeting"));
			} else {
				char *s = xasprintf("Email: %s", subj);
				f = jv_object_set(f, jv_string("Subject"), trimmed(s, 255));
				free(s);
				int past = !jx_str(a, "when") || strcmp(jx_str(a, "when"), "upcoming");
				f = jv_object_set(f, jv_string("Status"), jv_string(past ? "Completed" : "Not Started"));
				f = jv_object_set(f, jv_string("Priority"), jv_string("Normal"));
				f = jv_object_set(f, jv_string("TaskSubtype"), jv_string("Email"));
				f = jv_object_set(f, jv_string("Type"), jv_string("Email"));
				f = jv_object_set(f, jv_string("ActivityDate"), jv_string(time_date(t, date)));
			}
			if (whoid)
				f = jv_object_set(f, jv_string("WhoId"), jv_string(whoid));
			f = jv_object_set(f, jv_string("WhatId"), jv_string(oid));
			if (owner)
				f = jv_object_set(f, jv_string("OwnerId"), jv_string(owner));
			if (jx_str(a, "body"))
				f = jv_object_set(f, jv_string("Description"), trimmed(jx_str(a, "body"), 32000));
			x->fields = tagged(p, x->object, f);
		}
		/* The scorecard, as fields on the opportunity or as its own record. */
		jv sc = jx_get(deal, "scorecard", JV_KIND_OBJECT);
		const char *mode = p->cfg->push.scorecard;
		if (pass == 2 || !jv_is_valid(sc) || !strcmp(mode, "none"))
			continue;
		int obj = !strcmp(mode, "object");
		struct item *x = add(v, K_SCORE, d, 0, obj ? "DG_Scorecard__c" : "Opportunity");
		const char *have = existing_id(sc);
		if (have && id_norm(have, x->id) == 0) {
			x->status = S_SKIPPED;
			continue;
		}
		jv answers = jx_get(sc, "answers", JV_KIND_ARRAY);
		jv f = jv_object();
		if (obj) {
			f = jv_object_set(f, jv_string("Name"), jv_string_fmt("%s scorecard", jx_str(sc, "template") ? jx_str(sc, "template") : "Deal"));
			f = jv_object_set(f, jv_string("Opportunity__c"), jv_string(oid));
			f = jv_object_set(f, jv_string("Template__c"), jv_string(jx_str(sc, "template") ? jx_str(sc, "template") : ""));
			f = jv_object_set(f, jv_string("Score__c"), jv_number(jx_num(sc, "score", 0)));
			f = jv_object_set(f, jv_string("Coverage__c"), jv_number(jx_num(sc, "coverage", 0) * 100));
			jv s = jv_dump_string(jv_copy(answers), 0);
			f = jv_object_set(f, jv_string("Answers__c"), trimmed(jv_string_value(s), 131072));
			jv_free(s);
			x->fields = tagged(p, "DG_Scorecard__c", f);
			continue;
		}
		/* Fields named PREFIX + Element_Id + __c (and _Score__c); only those the org has. */
		const char *pre = p->cfg->push.scorecard_prefix ? p->cfg->push.scorecard_prefix : "";
		struct sb name = { 0 };
		int nf = 0;
		struct { const char *suffix; jv v; } top[] = {
			{ "Scorecard_Template__c", jv_string(jx_str(sc, "template") ? jx_str(sc, "template") : "") },
			{ "Scorecard_Score__c", jv_number(jx_num(sc, "score", 0)) },
			{ "Scorecard_Coverage__c", jv_number(jx_num(sc, "coverage", 0) * 100) },
		};
		for (size_t k = 0; k < sizeof top / sizeof *top; k++) {
			sb_reset(&name);
			sb_addf(&name, "%s%s", pre, top[k].suffix);
			if (has_field(p, "Opportunity", sb_str(&name))) {
				f = jv_object_set(f, jv_string(sb_str(&name)), top[k].v);
				nf++;
			} else
				jv_free(top[k].v);
		}
		for (int k = 0; k < jx_len(answers); k++) {
			jv an = jx_at(answers, k);
			const char *id = jx_str(an, "id");
			if (!id)
				continue;
			sb_reset(&name);
			sb_add(&name, pre);
			for (int cap = 1; *id; id++) {
				sb_addc(&name, cap ? (char)toupper((unsigned char)*id) : *id);
				cap = *id == '_';
			}
			size_t base = name.len;
			sb_add(&name, "__c");
			if (has_field(p, "Opportunity", sb_str(&name)) && jx_str(an, "answer")) {
				f = jv_object_set(f, jv_string(sb_str(&name)), trimmed(jx_str(an, "answer"), 32000));
				nf++;
			}
			name.len = base;
			name.s[base] = '\0';
			sb_add(&name, "_Score__c");
			if (has_field(p, "Opportunity", sb_str(&name))) {
				f = jv_object_set(f, jv_string(sb_str(&name)), jv_number(jx_num(an, "score", 0)));
				nf++;
			}
		}
		sb_free(&name);
		if (!nf) {
			if (!score_warned++)
				warnx("the org's Opportunity has no %sScorecard_*__c or %s<Element>__c fields: scorecards are not written "
				    "(add the fields, or set push.scorecard.mode)", pre, pre);
			jv_free(f);
			x->status = S_NONE;
			x->kind = K_SCORE;
			x->fields = jv_invalid();
			continue;
		}
		x->update = 1;
		id_norm(oid, x->id);
		x->fields = f;
	}
}

static void plan_relations(struct push *p, struct items *v, jv keys)
{
	int n = v->n;
	for (int i = 0; i < n; i++) {
		struct item *ev = &v->v[i];
		if (ev->kind != K_EVENT || ev->related ||
		    !(ev->status == S_CREATED || ev->status == S_FOUND || (p->reconcile && ev->status == S_SKIPPED)))
			continue;
		ev->related = 1;
		jv a = jx_at(jx_get(deal_at(p, ev->deal), "activities", JV_KIND_ARRAY), ev->idx);
		jv att = jx_get(a, "attendees", JV_KIND_ARRAY);
		const char *who = jx_str(a, "who");
		char evid[19], buf[19];
		memcpy(evid, ev->id, sizeof evid);
		int deal = ev->deal, idx = ev->idx;
		for (int k = 0, r = 0; k < jx_len(att); k++) {
			const char *c = jx_cstr(jx_at(att, k));
			if (!c || (who && !strcmp(c, who)))
				continue;
			/* A relation an earlier run recorded is left alone. */
			jv had = jx_at(jx_get(jx_get(a, "sf", JV_KIND_OBJECT), "relations", JV_KIND_ARRAY), r);
			if (jx_str(had, "id") && (!jx_str(had, "status") || strcmp(jx_str(had, "status"), "failed"))) {
				r++;
				continue;
			}
			struct item *x = add(v, K_REL, deal, idx, "EventRelation"); /* may move v->v */
			x->rel = r++;
			const char *rid = resolve(keys, c, buf);
			if (!rid) {
				fail(x, "DEPENDENCY_FAILED", "the attendee was not created", jv_array());
				continue;
			}
			jv f = jv_object_set(jv_object(), jv_string("EventId"), jv_string(evid));
			x->fields = jv_object_set(f, jv_string("RelationId"), jv_string(rid));
		}
	}
}

/* ---- reconcile: find in the org what an interrupted run created but never recorded ---- */

/* What identifies a record dg would create, from its fields (ours or the org's):
 * the parent, and the values a plan fixes. */
struct natural {
	const char *object, *parent;
	const char *fields[3];
};
static const struct natural naturals[] = {
	{ "Event", "WhatId", { "StartDateTime", "Subject", NULL } },
	{ "Task", "WhatId", { "ActivityDate", "Subject", NULL } },
	{ "Contact", "AccountId", { "Email", NULL, NULL } },
	{ "OpportunityContactRole", "OpportunityId", { "ContactId", NULL, NULL } },
	{ "EventRelation", "EventId", { "RelationId", NULL, NULL } },
	{ "DG_Scorecard__c", "Opportunity__c", { NULL, NULL, NULL } },
};

static void natural_key(const struct natural *n, jv rec, struct sb *k)
{
	sb_reset(k);
	const char *par = jx_str(rec, n->parent);
	char id[19];
	sb_add(k, par && id_norm(par, id) == 0 ? id : par ? par : "");
	for (int i = 0; i < 3 && n->fields[i]; i++) {
		const char *v = jx_str(rec, n->fields[i]);
		time_t t;
		sb_addc(k, '\x1f');
		if (!v)
			continue;
		if (!strcmp(n->fields[i], "StartDateTime") && time_parse(v, &t) == 0)
			sb_addf(k, "%lld", (long long)t);
		else if (!strcmp(n->fields[i], "ContactId") || !strcmp(n->fields[i], "RelationId"))
			sb_add(k, id_norm(v, id) == 0 ? id : v);
		else if (!strcmp(n->fields[i], "Email"))
			for (const char *c = v; *c; c++)
				sb_addc(k, (char)tolower((unsigned char)*c));
		else
			sb_add(k, v);
	}
}

struct found_ctx {
	const struct natural *n;
	jv map; /* natural key -> [Id, ...] */
	struct sb k;
};

static int found_one(jv rec, void *arg)
{
	struct found_ctx *c = arg;
	natural_key(c->n, rec, &c->k);
	jv l = jv_object_get(jv_copy(c->map), jv_string(sb_str(&c->k)));
	if (!jv_is_valid(l))
		l = jv_array();
	c->map = jv_object_set(c->map, jv_string(sb_str(&c->k)), jv_array_append(l, jv_string(jx_str(rec, "Id"))));
	return 0;
}

/* Marks the pending items of v[from..] that already exist in the org as found. */
static void reconcile(struct push *p, struct items *v, int from)
{
	for (size_t o = 0; o < sizeof naturals / sizeof *naturals; o++) {
		const struct natural *n = &naturals[o];
		jv parents = jv_object();
		for (int i = from; i < v->n; i++)
			if (v->v[i].status == S_NONE && jv_is_valid(v->v[i].fields) && !v->v[i].update &&
			    !strcmp(v->v[i].object, n->object) && jx_str(v->v[i].fields, n->parent))
				parents = jv_object_set(parents, jv_string(jx_str(v->v[i].fields, n->parent)), jv_true());
		jv ids = jv_keys(parents);
		struct found_ctx c = { n, jv_object(), { 0 } };
		for (int at = 0; at < jx_len(ids); at += 100) {
			struct sb q = { 0 };
			sb_addf(&q, "SELECT Id, %s", n->parent);
			for (int f = 0; f < 3 && n->fields[f]; f++)
				sb_addf(&q, ", %s", n->fields[f]);
			sb_addf(&q, " FROM %s WHERE %s IN (", n->object, n->parent);
			for (int i = at; i < jx_len(ids) && i < at + 100; i++) {
				char *lit = sf_quote(jx_cstr(jx_at(ids, i)));
				sb_addf(&q, "%s%s", i > at ? ", " : "", lit);
				free(lit);
			}
			sb_add(&q, ")");
			/* Only dg's own records, when they carry a tag. */
			const char *tf = p->cfg->push.tag_field;
			if (tf && *tf && has_field(p, n->object, tf))
				sb_addf(&q, " AND %s != null", tf);
			char err[1024];
			if (sf_query(p->sf, sb_str(&q), found_one, &c, err, sizeof err) < 0)
				warnx("cannot look for existing %s records: %s", n->object, err);
			sb_free(&q);
		}
		for (int i = from; i < v->n; i++) {
			struct item *x = &v->v[i];
			if (x->status != S_NONE || !jv_is_valid(x->fields) || x->update || strcmp(x->object, n->object))
				continue;
			natural_key(n, x->fields, &c.k);
			jv l = jv_object_get(jv_copy(c.map), jv_string(sb_str(&c.k)));
			if (jx_len(l)) {
				/* Take one: two planned items with the same key find two records. */
				id_norm(jx_cstr(jx_at(l, 0)), x->id);
				x->status = S_FOUND;
				c.map = jv_object_set(c.map, jv_string(sb_str(&c.k)), jv_array_slice(l, 1, jx_len(l)));
			} else
				jv_free(l);
		}
		jv_free(ids);
		jv_free(c.map);
		sb_free(&c.k);
	}
}

/* ---- results into the records ---- */

static jv sf_block(const struct item *x, jv old)
{
	jv b = jv_object_set(jv_object(), jv_string("object"), jv_string(x->object));
	if (x->id[0] && x->status != S_FAILED)
		b = jv_object_set(b, jv_string("id"), jv_string(x->id));
	b = jv_object_set(b, jv_string("status"), jv_string(status_name[x->status]));
	if (x->status == S_FAILED)
		b = jv_object_set(b, jv_string("error"), jv_copy(x->error));
	/* Keep what an earlier run recorded beside it (the role, the relations). */
	if (jv_get_kind(old) == JV_KIND_OBJECT) {
		jv_object_foreach(old, k, val) {
			const char *ks = jv_string_value(k);
			if (strcmp(ks, "object") && strcmp(ks, "id") && strcmp(ks, "status") && strcmp(ks, "error"))
				b = jv_object_set(b, k, val);
			else {
				jv_free(k);
				jv_free(val);
			}
		}
	}
	return b;
}

static jv set_in(jv deal, const char *list, int idx, jv (*f)(jv, const struct item *), const struct item *x)
{
	jv arr = jv_object_get(jv_copy(deal), jv_string(list));
	jv el = jv_array_get(jv_copy(arr), idx);
	el = f(el, x);
	arr = jv_array_set(arr, idx, el);
	return jv_object_set(deal, jv_string(list), arr);
}

static jv put_sf(jv el, const struct item *x)
{
	jv old = jv_object_get(jv_copy(el), jv_string("sf"));
	jv b = sf_block(x, old);
	jv_free(old);
	return jv_object_set(el, jv_string("sf"), b);
}

static jv put_role(jv el, const struct item *x)
{
	jv sf = jv_object_get(jv_copy(el), jv_string("sf"));
	if (jv_get_kind(sf) != JV_KIND_OBJECT) {
		jv_free(sf);
		sf = jv_object();
	}
	jv old = jv_object_get(jv_copy(sf), jv_string("role"));
	jv b = sf_block(x, old);
	jv_free(old);
	sf = jv_object_set(sf, jv_string("role"), b);
	return jv_object_set(el, jv_string("sf"), sf);
}

static jv put_rel(jv el, const struct item *x)
{
	jv sf = jv_object_get(jv_copy(el), jv_string("sf"));
	if (jv_get_kind(sf) != JV_KIND_OBJECT) {
		jv_free(sf);
		sf = jv_object();
	}
	jv rels = jv_object_get(jv_copy(sf), jv_string("relations"));
	if (jv_get_kind(rels) != JV_KIND_ARRAY) {
		jv_free(rels);
		rels = jv_array();
	}
	jv b = sf_block(x, jv_null());
	rels = jv_array_set(rels, x->rel, b);
	sf = jv_object_set(sf, jv_string("relations"), rels);
	return jv_object_set(el, jv_string("sf"), sf);
}

static void apply(struct push *p, struct items *v)
{
	for (int i = 0; i < v->n; i++) {
		struct item *x = &v->v[i];
		if (x->status == S_NONE)
			continue;
		jv deal = jv_array_get(jv_copy(p->deals), x->deal);
		switch (x->kind) {
		case K_CONTACT: deal = set_in(deal, "contacts", x->idx, put_sf, x); break;
		case K_ROLE: deal = set_in(deal, "contacts", x->idx, put_role, x); break;
		case K_EVENT:
		case K_TASK: deal = set_in(deal, "activities", x->idx, put_sf, x); break;
		case K_REL: deal = set_in(deal, "activities", x->idx, put_rel, x); break;
		case K_SCORE: {
			jv sc = jv_object_get(jv_copy(deal), jv_string("scorecard"));
			deal = jv_object_set(deal, jv_string("scorecard"), put_sf(sc, x));
			break;
		}
		}
		p->deals = jv_array_set(p->deals, x->deal, deal);
	}
}

static void report(struct push *p, struct items *v)
{
	static const char *const objs[] = { "Contact", "OpportunityContactRole", "Event", "EventRelation", "Task",
		"Opportunity", "DG_Scorecard__c" };
	int shown = 0;
	for (int i = 0; i < v->n; i++) {
		struct item *x = &v->v[i];
		if (x->status != S_FAILED)
			continue;
		p->failed++;
		if (shown++ < 20) {
			jv opp = jx_get(deal_at(p, x->deal), "opportunity", JV_KIND_OBJECT);
			jv f = jx_get(x->error, "fields", JV_KIND_ARRAY);
			struct sb fs = { 0 };
			for (int k = 0; k < jx_len(f); k++)
				sb_addf(&fs, "%s%s", k ? ", " : " (", jx_cstr(jx_at(f, k)));
			if (fs.len)
				sb_add(&fs, ")");
			warnx("cannot %s '%s' for '%s': %s: %s%s", x->update ? "update" : "create", x->object, jx_str(opp, "Id"),
			    jx_str(x->error, "code"), jx_str(x->error, "message"), sb_str(&fs));
			sb_free(&fs);
		}
	}
	if (shown > 20)
		warnx("... and %d more failures", shown - 20);
	for (size_t o = 0; o < sizeof objs / sizeof *objs; o++) {
		long n[6] = { 0 };
		for (int i = 0; i < v->n; i++)
			if (!strcmp(v->v[i].object, objs[o]))
				n[v->v[i].status]++;
		if (n[S_CREATED] + n[S_UPDATED] + n[S_SKIPPED] + n[S_FAILED] + n[S_FOUND])
			warnx("%s: %ld created, %ld updated, %ld skipped, %ld found, %ld failed", objs[o], n[S_CREATED],
			    n[S_UPDATED], n[S_SKIPPED], n[S_FOUND], n[S_FAILED]);
	}
}

double push_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Progress on a terminal: records written of the total, the rate, the time left. */
struct progress {
	long done, total;
	double t0, last;
};

static void show_progress(long weight, void *arg)
{
	struct progress *g = arg;
	if (!weight)
		return;
	g->done += weight;
	double now = push_clock(), rate = g->done / (now - g->t0 + 1e-9);
	if (now - g->last < 0.2 && g->done < g->total)
		return;
	g->last = now;
	fprintf(stderr, "\r%s: %ld of %ld records, %.0f a second, about %.0f s left   ", progname, g->done, g->total,
	    rate, rate > 0 && g->total > g->done ? (g->total - g->done) / rate : 0.0);
}

int push_create(struct push *p)
{
	struct items v = { 0 };
	struct progress g = { 0, 0, push_clock(), 0 };
	if (isatty(2)) {
		/* An estimate of the total: every planned record not yet in the org. */
		for (int d = 0; d < jx_len(p->deals); d++) {
			jv deal = deal_at(p, d);
			jv cs = jx_get(deal, "contacts", JV_KIND_ARRAY);
			for (int j = 0; j < jx_len(cs); j++)
				g.total += jx_bool(jx_at(cs, j), "planned", 0) && !existing_id(jx_at(cs, j)) ? 2 : 0;
			g.total += jv_is_valid(jx_get(deal, "scorecard", JV_KIND_OBJECT)) && strcmp(p->cfg->push.scorecard, "none") &&
			    !existing_id(jx_get(deal, "scorecard", JV_KIND_OBJECT));
			jv acts = jx_get(deal, "activities", JV_KIND_ARRAY);
			for (int j = 0; j < jx_len(acts); j++) {
				jv a = jx_at(acts, j);
				if (!existing_id(a))
					g.total += 1 + (jx_str(a, "kind") && !strcmp(jx_str(a, "kind"), "meeting") ?
					    jx_len(jx_get(a, "attendees", JV_KIND_ARRAY)) - 1 : 0);
			}
		}
		p->sf->progress = show_progress;
		p->sf->progress_arg = &g;
	}
	jv keys = jv_object();
	int rc = 0;
	/* Three rounds of calls: contacts with everything that does not need them; then
	 * contact roles, the activities naming new contacts and the first Events'
	 * relations; then the relations of Events made in round two. */
	plan_contacts(p, &v, &keys);
	plan_activities(p, &v, keys, 1);
	if (p->reconcile)
		reconcile(p, &v, 0);
	send(p, &v, 0);
	after_contacts(&v, &keys, p);
	for (int round = 2; round <= 3 && !p->sf->limit_hit; round++) {
		int from = v.n;
		if (round == 2)
			plan_activities(p, &v, keys, 2);
		plan_relations(p, &v, keys);
		if (p->reconcile && v.n > from)
			reconcile(p, &v, from);
		if (v.n > from)
			send(p, &v, from);
	}
	if (p->sf->limit_hit) {
		warnx("the org's daily API request limit is reached: stopped; what was done is in the output");
		rc = EXIT_FAIL;
	}
	double secs = push_clock() - p->t0;
	if (p->sf->progress) {
		fputc('\n', stderr);
		p->sf->progress = NULL;
	}
	apply(p, &v);
	report(p, &v);
	long done = 0;
	for (int i = 0; i < v.n; i++)
		done += v.v[i].status == S_CREATED || v.v[i].status == S_UPDATED;
	warnx("%ld records written in %.2f s (%.0f a second)", done, secs, secs > 0 ? done / secs : 0);
	for (int i = 0; i < jx_len(p->deals); i++)
		jsonl_emit(jv_copy(jx_at(p->deals, i)));
	for (int i = 0; i < v.n; i++) {
		jv_free(v.v[i].fields);
		jv_free(v.v[i].error);
	}
	free(v.v);
	jv_free(keys);
	return rc;
}

/* ---- the production guard ---- */

int push_guard(struct push *p, int allow)
{
	char err[1024];
	long st;
	jv r = sf_request(p->sf, "GET", "/query?q=SELECT+Id%2C+Name%2C+IsSandbox+FROM+Organization", NULL, &st, err, sizeof err);
	if (!jv_is_valid(r)) {
		warnx("cannot tell whether the org is a sandbox: %s", err);
		return EXIT_FAIL;
	}
	jv org = jx_at(jx_get(r, "records", JV_KIND_ARRAY), 0);
	int sandbox = jx_bool(org, "IsSandbox", 0);
	if (!sandbox && !allow) {
		warnx("'%s' (%s) is a production org: refusing to write; pass --allow-production or set "
		    "salesforce.allow_production: true if that is really meant",
		    jx_str(org, "Name") ? jx_str(org, "Name") : "?", jx_str(org, "Id") ? jx_str(org, "Id") : "?");
		jv_free(r);
		return EXIT_USAGE;
	}
	if (!sandbox)
		warnx("writing into production org '%s' (--allow-production)", jx_str(org, "Name") ? jx_str(org, "Name") : "?");
	jv_free(r);
	return 0;
}

/* ---- delete ---- */

static void add_id(struct push *p, const char *id)
{
	char n[19];
	if (id && id_norm(id, n) == 0)
		p->ids = jv_array_append(p->ids, jv_string(n));
}

static void ids_in(struct push *p, jv v, int depth)
{
	if (depth > 8)
		return;
	if (jv_get_kind(v) == JV_KIND_ARRAY) {
		for (int i = 0; i < jx_len(v); i++)
			ids_in(p, jx_at(v, i), depth + 1);
		return;
	}
	if (jv_get_kind(v) != JV_KIND_OBJECT)
		return;
	jv sf = jx_get(v, "sf", JV_KIND_OBJECT);
	if (jv_is_valid(sf)) {
		const char *st = jx_str(sf, "status"), *obj = jx_str(sf, "object");
		/* The opportunity itself only had fields updated: it is not dg's to delete. */
		if ((!st || strcmp(st, "failed")) && (!obj || strcmp(obj, "Opportunity")))
			add_id(p, jx_str(sf, "id"));
		jv role = jx_get(sf, "role", JV_KIND_OBJECT);
		if (!jx_str(role, "status") || strcmp(jx_str(role, "status"), "failed"))
			add_id(p, jx_str(role, "id"));
		jv rels = jx_get(sf, "relations", JV_KIND_ARRAY);
		for (int i = 0; i < jx_len(rels); i++)
			if (!jx_str(jx_at(rels, i), "status") || strcmp(jx_str(jx_at(rels, i), "status"), "failed"))
				add_id(p, jx_str(jx_at(rels, i), "id"));
	}
	if (jv_is_valid(jx_get(v, "object", JV_KIND_STRING)) && jv_is_valid(jx_get(v, "id", JV_KIND_STRING)) &&
	    !jv_is_valid(sf))
		return; /* an sf block itself, seen through the parent */
	jv_object_foreach(v, k, val) {
		if (strcmp(jv_string_value(k), "sf"))
			ids_in(p, val, depth + 1);
		jv_free(k);
		jv_free(val);
	}
}

int push_collect_ids(struct push *p, jv rec, const char *where)
{
	int before = jx_len(p->ids);
	if (jv_get_kind(rec) == JV_KIND_OBJECT && (jx_str(rec, "Id") || jx_str(rec, "id")) && !jv_is_valid(jx_get(rec, "opportunity", JV_KIND_OBJECT)))
		add_id(p, jx_str(rec, "Id") ? jx_str(rec, "Id") : jx_str(rec, "id"));
	else
		ids_in(p, rec, 0);
	jv_free(rec);
	if (jx_len(p->ids) == before) {
		warnx("%s: no Salesforce Id to delete", where);
		return 1;
	}
	return 0;
}

/* Children before parents: relations, activities, scorecards, roles, contacts. */
static int rank(const char *id)
{
	static const char *const order[] = { "0RE", "00T", "00U", "a0D", "00K", "003" };
	for (int i = 0; i < 6; i++)
		if (!strncmp(id, order[i], 3))
			return i;
	return 6;
}

static int by_rank(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int c = rank(x) - rank(y);
	return c ? c : strcmp(x, y);
}

/* The records carrying the tag field (any value, or p->tag), for reset without state. */
static int collect_tagged(jv rec, void *arg)
{
	struct push *p = arg;
	add_id(p, jx_str(rec, "Id"));
	return 0;
}

static void from_org(struct push *p)
{
	static const char *const objs[] = { "Task", "Event", "DG_Scorecard__c", "OpportunityContactRole", "Contact" };
	const char *tf = p->cfg->push.tag_field;
	for (size_t i = 0; i < sizeof objs / sizeof *objs; i++) {
		if (!has_field(p, objs[i], tf))
			continue;
		char *val = p->tag ? sf_quote(p->tag) : NULL;
		char *q = xasprintf("SELECT Id FROM %s WHERE %s %s %s", objs[i], tf, val ? "=" : "!=", val ? val : "null");
		char err[1024];
		if (sf_query(p->sf, q, collect_tagged, p, err, sizeof err) < 0)
			warnx("cannot list tagged %s records: %s", objs[i], err);
		free(q);
		free(val);
	}
}

int push_delete(struct push *p)
{
	if (p->from_org)
		from_org(p);
	int n = jx_len(p->ids);
	char **ids = xmalloc((size_t)(n + 1) * sizeof *ids);
	int m = 0;
	for (int i = 0; i < n; i++)
		ids[m++] = (char *)jx_cstr(jx_at(p->ids, i));
	qsort(ids, (size_t)m, sizeof *ids, by_rank);
	/* Each Id once. */
	int u = 0;
	for (int i = 0; i < m; i++)
		if (!u || strcmp(ids[u - 1], ids[i]))
			ids[u++] = ids[i];
	long deleted = 0;
	int rc = 0;
	/* One rank after another, so children are gone before their parents. */
	for (int from = 0; from < u && !p->sf->limit_hit;) {
		int to = from;
		while (to < u && rank(ids[to]) == rank(ids[from]))
			to++;
		int ncalls = (to - from + 199) / 200;
		struct sf_call *calls = xcalloc((size_t)ncalls + 1, sizeof *calls);
		for (int c = 0; c < ncalls; c++) {
			struct sb q = { 0 };
			sb_add(&q, "/composite/sobjects?allOrNone=false&ids=");
			for (int i = from + c * 200; i < to && i < from + (c + 1) * 200; i++)
				sb_addf(&q, "%s%s", i > from + c * 200 ? "," : "", ids[i]);
			calls[c].method = "DELETE";
			calls[c].path = q.s;
		}
		sf_calls(p->sf, calls, ncalls, (int)p->jobs);
		for (int c = 0; c < ncalls; c++) {
			struct http_resp *r = &calls[c].resp;
			jv res = r->status == 200 ? jv_parse_sized(r->body.s ? r->body.s : "", (int)r->body.len) : jv_invalid();
			char *why = jv_get_kind(res) == JV_KIND_ARRAY ? NULL : sf_error_text(r);
			for (int i = from + c * 200, k = 0; i < to && i < from + (c + 1) * 200; i++, k++) {
				jv one = jx_at(res, k);
				jv e = jx_at(jx_get(one, "errors", JV_KIND_ARRAY), 0);
				const char *code = why ? NULL : jx_str(e, "statusCode");
				jv out = jv_object_set(jv_object(), jv_string("id"), jv_string(ids[i]));
				if (!why && (jx_bool(one, "success", 0) || (code && !strcmp(code, "ENTITY_IS_DELETED")))) {
					/* Already deleted counts as done. */
					out = jv_object_set(out, jv_string("status"), jv_string("deleted"));
					deleted++;
				} else {
					p->failed++;
					out = jv_object_set(out, jv_string("status"), jv_string("failed"));
					jv err = jv_object();
					err = jv_object_set(err, jv_string("code"), jv_string(why ? "CALL_FAILED" : code ? code : "UNKNOWN_EXCEPTION"));
					err = jv_object_set(err, jv_string("message"), jv_string(why ? why : jx_str(e, "message") ? jx_str(e, "message") : ""));
					out = jv_object_set(out, jv_string("error"), err);
					if (p->failed <= 20)
						warnx("cannot delete '%s': %s", ids[i], why ? why : code ? code : "?");
				}
				jsonl_emit(out);
			}
			free(why);
			jv_free(res);
			sf_call_free(&calls[c]);
		}
		free(calls);
		from = to;
	}
	if (p->sf->limit_hit) {
		warnx("the org's daily API request limit is reached: stopped after %ld deletions", deleted);
		rc = EXIT_FAIL;
	}
	warnx("%ld deleted, %ld failed", deleted, p->failed);
	free(ids);
	return rc;
}
