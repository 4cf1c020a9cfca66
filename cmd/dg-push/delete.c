/* delete.c: dg-push --delete: the Ids to delete, from records or from the org by the
 * tag field, deleted children first in Collections calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "push.h"
#include "sf.h"
#include "sfblocks.h"
#include "sfid.h"
#include "util.h"

/* delete */

static void
add_id(struct push *p, const char *id)
{
	char n[SFID_SIZE];
	if (id && id_norm(id, n) == 0)
		p->ids = jv_array_append(p->ids, jv_string(n));
}

/* An updated record to put back as it was: {id, object, fields}. */
static void
add_restore(struct push *p, const char *id, const char *object, jv fields)
{
	char n[SFID_SIZE];
	if (id && id_norm(id, n) == 0 && object && jv_get_kind(fields) == JV_KIND_OBJECT)
		p->restores = jv_array_append(p->restores,
		    JV_OBJECT(jv_string("id"), jv_string(n), jv_string("object"), jv_string(object),
			jv_string("fields"), jv_copy(fields)));
}

/* The Ids a deal record's sf blocks hold: everything dg created for it. The
 * opportunity itself only had fields updated: those are put back as its block's
 * "before" says (when it says). A matched contact is the org's: not dg's to delete. */
static jv
id_of_block(jv sf, const struct sf_place *pl, void *ctx)
{
	const char *obj = jx_str(sf, "object"), *st = jx_str(sf, "status");
	if (sf_block_live(sf) && obj && !strcmp(obj, "Opportunity"))
		add_restore(ctx, jx_str(sf, "id"), obj, jx_get(sf, "before", JV_KIND_OBJECT));
	/* A contact the org's duplicate rule matched is the org's own. */
	else if (sf_block_live(sf) && !(st && !strcmp(st, "matched")))
		add_id(ctx, jx_str(sf, "id"));
	return sf;
}

int
push_collect_ids(struct push *p, jv rec, const char *where)
{
	int before = jx_len(p->ids) + jx_len(p->restores);
	if (jv_get_kind(rec) == JV_KIND_OBJECT && jv_is_valid(jx_get(rec, "restore", JV_KIND_OBJECT)))
		add_restore(p, jx_str(rec, "id"), jx_str(rec, "object"), jx_get(rec, "restore", JV_KIND_OBJECT));
	else if (jv_get_kind(rec) == JV_KIND_OBJECT && (jx_str(rec, "Id") || jx_str(rec, "id")) &&
	    !jv_is_valid(jx_get(rec, "opportunity", JV_KIND_OBJECT)))
		add_id(p, jx_str(rec, "Id") ? jx_str(rec, "Id") : jx_str(rec, "id"));
	else
		rec = sf_blocks(rec, NULL, id_of_block, p);
	jv_free(rec);
	if (jx_len(p->ids) + jx_len(p->restores) == before) {
		warnx("%s: no Salesforce Id to delete", where);
		return 1;
	}
	return 0;
}

/* Children before parents: relations, activities, scorecards, roles, contacts. An
 * EmailMessage (02s) goes before Tasks: it takes the Task Salesforce made for it along. */
static int
rank(const char *id)
{
	static const char *const order[] = { "0RE", "0RT", "0Ar", "02s", "00T", "00U", "a0D", "00K", "003" };
	for (int i = 0; i < 9; i++)
		if (!strncmp(id, order[i], 3))
			return i;
	return 9;
}

static int
by_rank(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int c = rank(x) - rank(y);
	return c ? c : strcmp(x, y);
}

/* The records carrying the tag field (any value, or p->tag), for reset without state. */
static int
collect_tagged(jv rec, void *arg)
{
	struct push *p = arg;
	add_id(p, jx_str(rec, "Id"));
	return 0;
}

static void
from_org(struct push *p)
{
	const char *const *objs = push_tagged;
	const char *tf = p->cfg->push.tag_field;
	for (int i = 0; i < NTAGGED; i++) {
		if (!push_has_field(p, objs[i], tf))
			continue;
		char *val = p->tag ? sf_quote(p->tag) : NULL;
		/* Archived activities too (queryAll), but not what is deleted already. */
		char *q = xasprintf("SELECT Id FROM %s WHERE %s %s %s AND IsDeleted = false", objs[i], tf,
		    val ? "=" : "!=", val ? val : "null");
		char err[1024];
		if (sf_query_all(p->sf, q, collect_tagged, p, err, sizeof err) < 0)
			warnx("cannot list tagged %s records: %s", objs[i], err);
		free(q);
		free(val);
	}
}

/* One record's answer in a Collections call (one, from the answer's array; why: the
 * whole call failed) as a line {id, status: done or failed, error}; returns 1 when done. */
static int
answer(struct push *p, const char *id, jv one, const char *why, const char *done, const char *verb)
{
	jv e = jx_at(jx_get(one, "errors", JV_KIND_ARRAY), 0);
	const char *code = why ? NULL : jx_str(e, "statusCode");
	jv out = jv_object_set(jv_object(), jv_string("id"), jv_string(id));
	int ok = !why && (jx_bool(one, "success", 0) || (code && !strcmp(code, "ENTITY_IS_DELETED") && *verb == 'd'));

	if (ok) /* already deleted counts as done */
		out = jv_object_set(out, jv_string("status"), jv_string(done));
	else {
		p->failed++;
		out = jv_object_set(out, jv_string("status"), jv_string("failed"));
		jv err = jv_object();
		err = jv_object_set(err, jv_string("code"),
		    jv_string(why  ? "CALL_FAILED"
			    : code ? code
				   : "UNKNOWN_EXCEPTION"));
		err = jv_object_set(err, jv_string("message"),
		    jv_string(why                  ? why
			    : jx_str(e, "message") ? jx_str(e, "message")
						   : ""));
		out = jv_object_set(out, jv_string("error"), err);
		if (p->failed <= 20)
			warnx("cannot %s '%s': %s", verb, id, why ? why : code ? code : "?");
	}
	jsonl_emit(out);
	return ok;
}

/* Puts back what dg changed on records it did not create (the scorecard fields on
 * opportunities), SF_BATCH a Collections update; returns how many were. */
static long
restore(struct push *p)
{
	int n = jx_len(p->restores), ncalls = (n + SF_BATCH - 1) / SF_BATCH;
	struct sf_call *calls = xcalloc((size_t)ncalls + 1, sizeof *calls);
	long done = 0;

	for (int c = 0; c < ncalls; c++) {
		jv recs = jv_array();
		for (int i = c * SF_BATCH; i < n && i < (c + 1) * SF_BATCH; i++) {
			jv r = jv_copy(jx_get(jx_at(p->restores, i), "fields", JV_KIND_OBJECT));
			r = jv_object_set(r, jv_string("attributes"),
			    JV_OBJECT(jv_string("type"), jv_string(jx_str(jx_at(p->restores, i), "object"))));
			r = jv_object_set(r, jv_string("id"), jv_string(jx_str(jx_at(p->restores, i), "id")));
			recs = jv_array_append(recs, r);
		}
		jv body = JV_OBJECT(jv_string("allOrNone"), jv_false(), jv_string("records"), recs);
		calls[c].method = "PATCH";
		calls[c].path = xstrdup("/composite/sobjects");
		calls[c].body = jx_dumps(body);
		jv_free(body);
	}
	sf_calls(p->sf, calls, ncalls, (int)p->jobs);
	for (int c = 0; c < ncalls; c++) {
		struct http_resp *r = &calls[c].resp;
		jv res = r->status == 200 ? jv_parse_sized(r->body.s ? r->body.s : "", (int)r->body.len) : jv_invalid();
		char *why = jv_get_kind(res) == JV_KIND_ARRAY ? NULL : sf_error_text(r);
		for (int i = c * SF_BATCH, k = 0; i < n && i < (c + 1) * SF_BATCH; i++, k++)
			done +=
			    answer(p, jx_str(jx_at(p->restores, i), "id"), jx_at(res, k), why, "restored", "restore");
		free(why);
		jv_free(res);
		sf_call_free(&calls[c]);
	}
	free(calls);
	return done;
}

int
push_delete(struct push *p)
{
	int rc = 0;
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
	/* One rank after another, so children are gone before their parents. */
	for (int from = 0; from < u && !p->sf->limit_hit;) {
		int to = from;
		while (to < u && rank(ids[to]) == rank(ids[from]))
			to++;
		int ncalls = (to - from + SF_BATCH - 1) / SF_BATCH;
		struct sf_call *calls = xcalloc((size_t)ncalls + 1, sizeof *calls);
		for (int c = 0; c < ncalls; c++) {
			struct sb q = { 0 };
			sb_add(&q, "/composite/sobjects?allOrNone=false&ids=");
			for (int i = from + c * SF_BATCH; i < to && i < from + (c + 1) * SF_BATCH; i++)
				sb_addf(&q, "%s%s", i > from + c * SF_BATCH ? "," : "", ids[i]);
			calls[c].method = "DELETE";
			calls[c].path = q.s;
		}
		sf_calls(p->sf, calls, ncalls, (int)p->jobs);
		for (int c = 0; c < ncalls; c++) {
			struct http_resp *r = &calls[c].resp;
			jv res = r->status == 200 ? jv_parse_sized(r->body.s ? r->body.s : "", (int)r->body.len)
						  : jv_invalid();
			char *why = jv_get_kind(res) == JV_KIND_ARRAY ? NULL : sf_error_text(r);
			for (int i = from + c * SF_BATCH, k = 0; i < to && i < from + (c + 1) * SF_BATCH; i++, k++)
				deleted += answer(p, ids[i], jx_at(res, k), why, "deleted", "delete");
			free(why);
			jv_free(res);
			sf_call_free(&calls[c]);
		}
		free(calls);
		from = to;
	}
	long restored = p->sf->limit_hit ? 0 : restore(p);
	if (p->sf->limit_hit) {
		warnx("the org's daily API request limit is reached: stopped after %ld deletions", deleted);
		rc = EXIT_FAIL;
	}
	if (jx_len(p->restores))
		warnx("%ld deleted, %ld put back as they were, %ld failed", deleted, restored, p->failed);
	else
		warnx("%ld deleted, %ld failed", deleted, p->failed);
	free(ids);
	return rc;
}
