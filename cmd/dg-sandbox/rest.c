/* rest.c: the REST API of an org under /services/data: sObject Collections, single
 * records, query and queryMore, versions, resources and limits (Bulk jobs: bulk.c). */
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonl.h"
#include "sandbox.h"
#include "tz.h"

#define VER_MIN 50
#define VER_MAX 68

/* ---- sObject Collections ---- */

static jv
result_ok(const char *id)
{
	jv o = jv_object_set(jv_object(), jv_string("id"), jv_string(id));
	o = jv_object_set(o, jv_string("success"), jv_true());
	return jv_object_set(o, jv_string("errors"), jv_array());
}

static jv
result_fail(const char *id, jv errs)
{
	jv o = jv_object();
	if (id)
		o = jv_object_set(o, jv_string("id"), jv_string(id));
	o = jv_object_set(o, jv_string("success"), jv_false());
	return jv_object_set(o, jv_string("errors"), errs);
}

static jv
rolled_back(void)
{
	return jv_array_append(jv_array(),
	    sf_err("ALL_OR_NONE_OPERATION_ROLLED_BACK",
		"Record rolled back because not all records were valid and the request was using AllOrNone header",
		jv_array()));
}

/* Finishes a Collections call: commit, or roll back everything under allOrNone. */
static jv
collections_end(jv results, int all_or_none, int failed)
{
	if (!(all_or_none && failed)) {
		store_commit();
		return results;
	}
	store_rollback();
	jv out = jv_array();
	for (int i = 0; i < jx_len(results); i++) {
		jv r = jx_at(results, i);
		out = jv_array_append(out, jx_bool(r, "success", 0) ? result_fail(NULL, rolled_back()) : jv_copy(r));
	}
	jv_free(results);
	return out;
}

static void
collections_write(struct req *h, int create)
{
	jv body = req_body_json(h);
	if (!jv_is_valid(body))
		return;
	jv recs = jx_get(body, "records", JV_KIND_ARRAY);
	int aon = jx_bool(body, "allOrNone", 0);
	int n = jx_len(recs);
	if (jv_get_kind(body) != JV_KIND_OBJECT || !jv_is_valid(recs)) {
		jv_free(body);
		return reply_error(h, 400, "JSON_PARSER_ERROR",
		    "Cannot deserialize the request: expected an object with a records array");
	}
	if (n > 200) {
		jv_free(body);
		return reply_error(h, 400, "EXCEEDED_ID_LIMIT",
		    "record limit reached. cannot submit more than 200 records into this call");
	}
	/* Read every record first: a bad type, unknown field or wrong value fails the request. */
	jv clean = jv_array();
	struct obj **objs = xcalloc((size_t)n + 1, sizeof *objs);
	int chunks = 0;
	for (int i = 0; i < n; i++) {
		jv r = jx_at(recs, i);
		const char *type = jx_str(jx_get(r, "attributes", JV_KIND_OBJECT), "type");
		objs[i] = type ? schema_obj(type) : NULL;
		if (!objs[i]) {
			char *m = type ? xasprintf("sObject type '%s' is not supported.", type)
				       : xstrdup("Every record must carry attributes.type");
			reply_error(h, 400, type ? "INVALID_TYPE" : "JSON_PARSER_ERROR", m);
			free(m);
			goto out;
		}
		if (i == 0 || objs[i] != objs[i - 1])
			chunks++;
		jv in = jv_copy(r);
		if (!create)
			in = jv_object_delete(jv_object_delete(in, jv_string("id")), jv_string("Id"));
		else if (jv_is_valid(jx_get(in, "id", JV_KIND_STRING)))
			in = jv_object_delete(in, jv_string("id")),
			in = jv_object_set(in, jv_string("Id"), jv_string(jx_str(r, "id")));
		jv err = jv_invalid();
		jv c = rules_read(objs[i], in, &err);
		jv_free(in);
		if (!jv_is_valid(c)) {
			reply_errors(h, 400, err);
			goto out;
		}
		clean = jv_array_append(clean, c);
	}
	if (chunks > 10) {
		reply_error(h, 400, "EXCEEDED_MAX_TYPES_LIMIT",
		    "Cannot have more than 10 chunks in a single operation. "
		    "Please rearrange the data to reduce chunking.");
		goto out;
	}
	store_begin();
	jv results = jv_array();
	int failed = 0;
	for (int i = 0; i < n; i++) {
		char id[SFID_SIZE];
		jv e;
		const char *uid = NULL;
		if (fault_row() || locks_busy(h, jx_at(clean, i)))
			/* Another write holds the parent (the opportunity, account or contact). */
			e = jv_array_append(jv_array(),
			    sf_err("UNABLE_TO_LOCK_ROW",
				"unable to obtain exclusive access to this record or 1 records", jv_array()));
		else if (create)
			e = rules_create(objs[i], jx_at(clean, i), id);
		else {
			jv r = jx_at(recs, i);
			uid = jx_str(r, "id") ? jx_str(r, "id") : jx_str(r, "Id");
			e = uid ? rules_update(objs[i], uid, jx_at(clean, i))
				: jv_array_append(jv_array(),
				      sf_err("MISSING_ARGUMENT", "Id not specified in an update call", jv_array()));
			if (uid && id_norm(uid, id) < 0)
				snprintf(id, sizeof id, "%.18s", uid);
		}
		if (jv_get_kind(e) == JV_KIND_NULL) {
			locks_take(h, jx_at(clean, i));
			results = jv_array_append(results, result_ok(id));
		} else {
			failed = 1;
			results = jv_array_append(results, result_fail(create || !uid ? NULL : id, e));
		}
	}
	reply_json(h, 200, collections_end(results, aon, failed));
out:
	free(objs);
	jv_free(clean);
	jv_free(body);
}

static void
collections_delete(struct req *h)
{
	const char *ids = req_arg(h, "ids");
	const char *aons = req_arg(h, "allOrNone");
	int aon = aons && !strcasecmp(aons, "true");
	if (!ids || !*ids)
		return reply_error(h, 400, "REQUIRED_FIELD_MISSING", "At least 1 Id is required.");
	char *copy = xstrdup(ids), *save = NULL;
	int n = 0;
	for (const char *c = ids; *c; c++)
		n += *c == ',';
	if (n + 1 > 200) {
		free(copy);
		return reply_error(h, 400, "EXCEEDED_ID_LIMIT",
		    "record limit reached. cannot submit more than 200 records into this call");
	}
	store_begin();
	jv results = jv_array();
	int failed = 0;
	for (char *id = strtok_r(copy, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
		jv e = store_delete(id);
		char nid[SFID_SIZE];
		if (id_norm(id, nid) < 0)
			snprintf(nid, sizeof nid, "%.18s", id);
		if (jv_get_kind(e) == JV_KIND_NULL)
			results = jv_array_append(results, result_ok(nid));
		else {
			failed = 1;
			results = jv_array_append(results, result_fail(NULL, e));
		}
	}
	free(copy);
	reply_json(h, 200, collections_end(results, aon, failed));
}

/* ---- single records ---- */

/* The body of a single-record write, read as fields of o; jv_invalid() when the
 * request was answered with an error already. */
static jv
record_body(struct req *h, struct obj *o)
{
	jv body = req_body_json(h);
	if (!jv_is_valid(body))
		return jv_invalid();
	jv err = jv_invalid();
	jv c = rules_read(o, body, &err);
	jv_free(body);
	if (!jv_is_valid(c))
		reply_errors(h, 400, err);
	return c;
}

/* POST /sobjects/TYPE: one record, 201 with its Id and Location. */
static void
sobject_create(struct req *h, struct obj *o, const char *ver)
{
	stats_count("sobject.create");
	jv c = record_body(h, o);
	if (!jv_is_valid(c))
		return;
	char nid[SFID_SIZE];
	store_begin();
	jv e = rules_create(o, c, nid);
	jv_free(c);
	if (jv_get_kind(e) != JV_KIND_NULL) {
		store_rollback();
		return reply_errors(h, 400, e);
	}
	store_commit();
	snprintf(h->locbuf, sizeof h->locbuf, "/services/data/v%s/sobjects/%s/%s", ver, o->name, nid);
	h->location = h->locbuf;
	reply_json(h, 201, result_ok(nid));
}

static void
sobject_route(struct req *h, const char *method, const char *rest, const char *ver)
{
	char type[128], id[64];
	const char *slash = strchr(rest, '/');
	snprintf(type, sizeof type, "%.*s", slash ? (int)(slash - rest) : (int)strlen(rest), rest);
	snprintf(id, sizeof id, "%s", slash ? slash + 1 : "");
	if (*id && id[strlen(id) - 1] == '/')
		id[strlen(id) - 1] = '\0';
	struct obj *o = schema_obj(type);
	if (!*type) {
		stats_count("sobjects");
		return strcmp(method, "GET")
		    ? reply_error(h, 405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed. Allowed are GET,HEAD")
		    : reply_json(h, 200, schema_global(ver));
	}
	if (!o)
		return reply_error(h, 404, "NOT_FOUND", "The requested resource does not exist");
	if (!strcmp(id, "describe")) {
		stats_count("describe");
		return reply_json(h, 200, schema_describe(o, ver));
	}
	if (!*id) {
		if (!strcmp(method, "GET")) {
			stats_count("sobjects");
			jv d = jv_object_set(jv_object(), jv_string("objectDescribe"), schema_describe(o, ver));
			return reply_json(h, 200, jv_object_set(d, jv_string("recentItems"), jv_array()));
		}
		if (strcmp(method, "POST"))
			return reply_error(
			    h, 405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed. Allowed are GET,HEAD,POST");
		return sobject_create(h, o, ver);
	}
	char nid[SFID_SIZE];
	int deleted = 0;
	jv rec = id_norm(id, nid) == 0 ? store_get(nid, &deleted) : jv_invalid();
	if (!jv_is_valid(rec) || schema_obj_prefix(nid) != o) {
		jv_free(rec);
		return reply_error(h, 404, "NOT_FOUND", "The requested resource does not exist");
	}
	if (!strcmp(method, "GET")) {
		stats_count("sobject.get");
		if (deleted) {
			jv_free(rec);
			return reply_error(h, 404, "ENTITY_IS_DELETED", "entity is deleted");
		}
		jv out = jv_object_set(jv_object(), jv_string("attributes"),
		    jv_object_set(jv_object_set(jv_object(), jv_string("type"), jv_string(o->name)), jv_string("url"),
			jv_string_fmt("/services/data/v%s/sobjects/%s/%s", ver, o->name, nid)));
		const char *want = req_arg(h, "fields");
		for (int i = 0; i < o->nfields; i++) {
			const char *fn = o->fields[i].name;
			if (want) {
				int hit = 0;
				char *w = xstrdup(want), *save = NULL;
				for (char *t = strtok_r(w, ",", &save); t; t = strtok_r(NULL, ",", &save))
					hit |= !strcasecmp(t, fn);
				free(w);
				if (!hit)
					continue;
			}
			jv v = jv_object_get(jv_copy(rec), jv_string(fn));
			out = jv_object_set(out, jv_string(fn), jv_is_valid(v) ? v : (jv_free(v), jv_null()));
		}
		if (want) {
			char *w = xstrdup(want), *save = NULL;
			for (char *t = strtok_r(w, ",", &save); t; t = strtok_r(NULL, ",", &save))
				if (!schema_field(o, t)) {
					char *m = xasprintf("No such column '%s' on entity '%s'.", t, o->name);
					jv_free(out);
					reply_error(h, 400, "INVALID_FIELD", m);
					free(m);
					free(w);
					jv_free(rec);
					return;
				}
			free(w);
		}
		jv_free(rec);
		return reply_json(h, 200, out);
	}
	jv_free(rec);
	jv e;
	if (!strcmp(method, "PATCH")) {
		stats_count("sobject.update");
		jv c = record_body(h, o);
		if (!jv_is_valid(c))
			return;
		store_begin();
		e = rules_update(o, nid, c);
		jv_free(c);
	} else if (!strcmp(method, "DELETE")) {
		stats_count("sobject.delete");
		store_begin();
		e = store_delete(nid);
	} else
		return reply_error(
		    h, 405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed. Allowed are GET,HEAD,PATCH,DELETE");
	if (jv_get_kind(e) != JV_KIND_NULL) {
		store_rollback();
		const char *code = jx_str(jx_at(e, 0), "statusCode");
		int st = code && (!strcmp(code, "ENTITY_IS_DELETED") || !strcmp(code, "NOT_FOUND")) ? 404 : 400;
		return reply_errors(h, st, e);
	}
	store_commit();
	h->status = 204;
}

/* ---- query ---- */

static void
query_route(struct req *h, const char *method, const char *rest, const char *ver, int all)
{
	if (strcmp(method, "GET"))
		return reply_error(h, 405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed. Allowed are GET,HEAD");
	jv err = jv_invalid(), out;
	int status;
	if (*rest == '/' && rest[1]) {
		stats_count("queryMore");
		out = soql_more(rest + 1, ver, &err, &status);
	} else {
		stats_count(all ? "queryAll" : "query");
		const char *q = req_arg(h, "q");
		if (!q || !*q)
			return reply_error(h, 400, "MALFORMED_QUERY", "A query string has to be specified");
		long batch = 2000;
		const char *opt = req_header(h, "Sforce-Query-Options");
		const char *bs = opt ? strcasestr(opt, "batchSize=") : NULL;
		if (bs) {
			batch = strtol(bs + 10, NULL, 10);
			batch = batch < 200 ? 200 : batch > 2000 ? 2000 : batch;
		}
		const char *cols = req_arg(h, "columns");
		out = cols && !strcmp(cols, "true") ? soql_columns(q, &err, &status)
						    : soql_run(q, ver, all, (int)batch, &err, &status);
	}
	if (!jv_is_valid(out))
		return reply_json(h, status, err);
	reply_json(h, 200, out);
}

/* ---- versions, resources, limits ---- */

static jv
versions(void)
{
	static const char *const season[] = { "Winter", "Spring", "Summer" };
	jv a = jv_array();
	for (int v = VER_MIN; v <= VER_MAX; v++) {
		jv o = jv_object();
		o = jv_object_set(o, jv_string("label"),
		    jv_string_fmt("%s '%02d", season[(v - VER_MIN) % 3], 21 + (v - VER_MIN) / 3));
		o = jv_object_set(o, jv_string("url"), jv_string_fmt("/services/data/v%d.0", v));
		o = jv_object_set(o, jv_string("version"), jv_string_fmt("%d.0", v));
		a = jv_array_append(a, o);
	}
	return a;
}

static jv
resources(const char *ver)
{
	static const char *const names[] = { "sobjects", "query", "queryAll", "limits", "composite", "jobs", NULL };
	jv o = jv_object();
	for (int i = 0; names[i]; i++)
		o = jv_object_set(o, jv_string(names[i]), jv_string_fmt("/services/data/v%s/%s", ver, names[i]));
	return o;
}

static jv
limit(long max, long remaining)
{
	jv o = jv_object_set(jv_object(), jv_string("Max"), jv_number((double)max));
	return jv_object_set(o, jv_string("Remaining"), jv_number((double)(remaining < 0 ? 0 : remaining)));
}

static jv
limits(void)
{
	jv o = jv_object();
	o = jv_object_set(o, jv_string("DailyApiRequests"), limit(sw.daily_limit, sw.daily_limit - sw.api_usage));
	o = jv_object_set(o, jv_string("DailyBulkApiBatches"), limit(15000, 15000));
	o = jv_object_set(o, jv_string("DailyBulkV2QueryJobs"), limit(10000, 10000));
	o = jv_object_set(o, jv_string("DailyBulkV2QueryFileStorageMB"), limit(976562, 976562));
	o = jv_object_set(o, jv_string("DataStorageMB"), limit(1024, 1000));
	o = jv_object_set(o, jv_string("FileStorageMB"), limit(1024, 1024));
	return o;
}

/* ---- routing ---- */

static int
parse_version(const char *s, char ver[8], const char **rest)
{
	int major, minor, n = 0;
	if (sscanf(s, "v%d.%d%n", &major, &minor, &n) != 2 || minor != 0 || major < VER_MIN || major > VER_MAX ||
	    (s[n] && s[n] != '/'))
		return -1;
	snprintf(ver, 8, "%d.0", major);
	*rest = s + n;
	return 0;
}

static void
data_route(struct req *h, const char *method, const char *rest, const char *ver)
{
	if (!*rest || !strcmp(rest, "/")) {
		stats_count("resources");
		return reply_json(h, 200, resources(ver));
	}
	if (!strcmp(rest, "/limits") || !strcmp(rest, "/limits/")) {
		stats_count("limits");
		return reply_json(h, 200, limits());
	}
	if (!strncmp(rest, "/sobjects", 9) && (!rest[9] || rest[9] == '/'))
		return sobject_route(h, method, rest[9] ? rest + 10 : "", ver);
	if (!strncmp(rest, "/queryAll", 9) && (!rest[9] || rest[9] == '/'))
		return query_route(h, method, rest + 9, ver, 1);
	if (!strncmp(rest, "/query", 6) && (!rest[6] || rest[6] == '/'))
		return query_route(h, method, rest + 6, ver, 0);
	/* The Tooling API's query: the setup objects (ValidationRule) are in the one store. */
	if (!strncmp(rest, "/tooling/query", 14) && (!rest[14] || rest[14] == '/'))
		return query_route(h, method, rest + 14, ver, 0);
	if (!strcmp(rest, "/composite/sobjects") || !strcmp(rest, "/composite/sobjects/")) {
		if (!strcmp(method, "POST")) {
			stats_count("collections.create");
			return collections_write(h, 1);
		}
		if (!strcmp(method, "PATCH")) {
			stats_count("collections.update");
			return collections_write(h, 0);
		}
		if (!strcmp(method, "DELETE")) {
			stats_count("collections.delete");
			return collections_delete(h);
		}
		return reply_error(
		    h, 405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed. Allowed are POST,PATCH,DELETE");
	}
	if (!strncmp(rest, "/jobs/ingest", 12)) {
		sw.allow_save = 0; /* Bulk API 2.0 has no duplicate rule header */
		stats_count("bulk.ingest");
		return bulk_route(h, method, rest + 12, ver);
	}
	reply_error(h, 404, "NOT_FOUND", "The requested resource does not exist");
}

/* Everything under /services/data: the versions, or under /vNN.N the session, the
 * daily limit and faults (admin_gate), then the route. */
void
rest_call(struct req *h, const char *method, const char *path, char *limit_info)
{
	char ver[8];
	const char *rest;
	if (!*path || !strcmp(path, "/")) {
		stats_count("versions");
		return reply_json(h, 200, versions());
	}
	if (*path != '/' || parse_version(path + 1, ver, &rest) < 0)
		return reply_error(h, 404, "NOT_FOUND", "The requested resource does not exist");
	if (auth_check(req_header(h, "Authorization")) < 0)
		return reply_error(h, 401, "INVALID_SESSION_ID", "Session expired or invalid");
	if (admin_gate(h, limit_info))
		return;
	/* The duplicate rule header lets a write save past a duplicate rule's alert. */
	const char *dup = req_header(h, "Sforce-Duplicate-Rule-Header");
	sw.allow_save = dup && strcasestr(dup, "allowSave=true") != NULL;
	data_route(h, method, rest, ver);
}
