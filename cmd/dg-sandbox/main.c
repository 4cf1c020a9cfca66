/* dg-sandbox: a local Salesforce-compatible org on 127.0.0.1, for the demo and tests.
 *
 * It speaks the part of the REST API dg uses (OAuth token, query and queryMore,
 * sObject CRUD, sObject Collections, Bulk API 2.0 ingest, describe, limits) with the
 * status codes and error bodies of a real org, keeps the org in SQLite, and can be
 * told to misbehave (latency, expiring sessions, 503s, lock errors, HTML 500s, a daily
 * request limit, refused records) so clients' retry paths can be tested. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "jsonl.h"
#include "rng.h"
#include "sandbox.h"
#include "tz.h"

#define MAX_JSON_BODY (50L << 20)
#define MAX_BULK_BODY (150L << 20)
#define VER_MIN 50
#define VER_MAX 68

static const char usage_text[] =
    "usage: dg-sandbox [-p PORT] [--db FILE] [--seed N] [--empty] [--schema FILE]...\n"
    "                  [--now TIME] [--production] [--jwt-cert FILE] [--latency MS]\n"
    "                  [--expire-after N] [--daily-limit N] [--fault KIND[@N|%P]]...\n"
    "                  [--fail-when FIELD=VALUE[:CODE]]... [-v]\n";

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char base_url[64];
static int verbose;
static long latency_ms;
static long daily_limit = 100000;
static long api_usage;
static jv stats;   /* route -> count */
static long faults_injected;

/* ---- faults ---- */

enum fkind { FK_UNAVAILABLE, FK_LOCK, FK_HTML500 };
static const char *const fknames[] = { "unavailable", "lock", "html500" };
struct fault {
	enum fkind k;
	long nth;      /* on this data call (1-based), or 0 */
	double rate;   /* else with this probability */
};
static struct fault faults[16];
static int nfaults;
static uint64_t fault_seed = 1;

static int fault_add(const char *spec)
{
	if (nfaults == 16)
		return -1;
	struct fault f = { 0 };
	size_t n = strcspn(spec, "@%");
	int found = 0;
	for (int i = 0; i < 3; i++)
		if (strlen(fknames[i]) == n && !strncmp(spec, fknames[i], n)) {
			f.k = (enum fkind)i;
			found = 1;
		}
	if (!found)
		return -1;
	if (spec[n] == '@') {
		if (parse_long(spec + n + 1, 1, 1L << 40, &f.nth) < 0)
			return -1;
	} else if (spec[n] == '%') {
		char *end;
		f.rate = strtod(spec + n + 1, &end) / 100.0;
		if (*end || end == spec + n + 1 || !(f.rate >= 0 && f.rate <= 1))
			return -1;
	} else
		f.rate = 1;
	faults[nfaults++] = f;
	return 0;
}

static jv fault_list(void)
{
	jv a = jv_array();
	for (int i = 0; i < nfaults; i++)
		a = jv_array_append(a, faults[i].nth ? jv_string_fmt("%s@%ld", fknames[faults[i].k], faults[i].nth)
		    : jv_string_fmt("%s%%%g", fknames[faults[i].k], faults[i].rate * 100));
	return a;
}

/* The fault that hits data call number call, or -1. */
static int fault_for(long call)
{
	for (int i = 0; i < nfaults; i++) {
		struct rng r;
		rng_init(&r, fault_seed, "fault", fknames[faults[i].k], call);
		if (faults[i].nth ? faults[i].nth == call : rng_double(&r) < faults[i].rate)
			return (int)faults[i].k;
	}
	return -1;
}

/* ---- responses ---- */

void http_json(struct http *h, int status, jv v)
{
	h->status = status;
	sb_reset(&h->out);
	jx_dump(&h->out, v);
	jv_free(v);
	h->ctype = "application/json;charset=UTF-8";
}

void http_error(struct http *h, int status, const char *code, const char *msg)
{
	jv e = jv_object();
	e = jv_object_set(e, jv_string("message"), jv_string(msg));
	e = jv_object_set(e, jv_string("errorCode"), jv_string(code));
	http_json(h, status, jv_array_append(jv_array(), e));
}

/* Turns per-record errors ({statusCode, message, fields}) into the REST error array. */
static jv rest_errors(jv errs)
{
	jv out = jv_array();
	for (int i = 0; i < jx_len(errs); i++) {
		jv e = jx_at(errs, i);
		jv o = jv_object();
		o = jv_object_set(o, jv_string("message"), jv_string(jx_str(e, "message") ? jx_str(e, "message") : ""));
		o = jv_object_set(o, jv_string("errorCode"), jv_string(jx_str(e, "statusCode") ? jx_str(e, "statusCode") : "UNKNOWN_EXCEPTION"));
		jv f = jx_get(e, "fields", JV_KIND_ARRAY);
		if (jx_len(f))
			o = jv_object_set(o, jv_string("fields"), jv_copy(f));
		out = jv_array_append(out, o);
	}
	jv_free(errs);
	return out;
}

void http_errors(struct http *h, int status, jv errs)
{
	http_json(h, status, rest_errors(errs));
}

const char *http_arg(struct http *h, const char *name)
{
	return MHD_lookup_connection_value(h->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(struct http *h, const char *name)
{
	return MHD_lookup_connection_value(h->conn, MHD_HEADER_KIND, name);
}

static void count(const char *route)
{
	jv n = jv_object_get(jv_copy(stats), jv_string(route));
	double v = jv_get_kind(n) == JV_KIND_NUMBER ? jv_number_value(n) : 0;
	jv_free(n);
	stats = jv_object_set(stats, jv_string(route), jv_number(v + 1));
}

/* Parses the request body as JSON; on failure answers 400 and returns jv_invalid(). */
static jv body_json(struct http *h)
{
	const char *ct = h->content_type;
	if (!ct || strncasecmp(ct, "application/json", 16)) {
		char *m = xasprintf("MediaType of '%s' is not supported by this resource", ct ? ct : "");
		http_error(h, 415, "UNSUPPORTED_MEDIA_TYPE", m);
		free(m);
		return jv_invalid();
	}
	if (!h->bodylen) {
		http_error(h, 400, "JSON_PARSER_ERROR", "No content to map due to end-of-input");
		return jv_invalid();
	}
	jv v = h->preparsed ? h->parsed : jv_parse_sized(h->body, (int)h->bodylen);
	h->preparsed = 0;
	if (!jv_is_valid(v)) {
		jv msg = jv_invalid_get_msg(v);
		char *m = xasprintf("Json Deserialization failed: %s",
		    jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "bad JSON");
		jv_free(msg);
		http_error(h, 400, "JSON_PARSER_ERROR", m);
		free(m);
		return jv_invalid();
	}
	return v;
}

/* ---- sObject Collections ---- */

static jv result_ok(const char *id)
{
	jv o = jv_object_set(jv_object(), jv_string("id"), jv_string(id));
	o = jv_object_set(o, jv_string("success"), jv_true());
	return jv_object_set(o, jv_string("errors"), jv_array());
}

static jv result_fail(const char *id, jv errs)
{
	jv o = jv_object();
	if (id)
		o = jv_object_set(o, jv_string("id"), jv_string(id));
	o = jv_object_set(o, jv_string("success"), jv_false());
	return jv_object_set(o, jv_string("errors"), errs);
}

static jv rolled_back(void)
{
	return jv_array_append(jv_array(), sf_err("ALL_OR_NONE_OPERATION_ROLLED_BACK",
	    "Record rolled back because not all records were valid and the request was using AllOrNone header",
	    jv_array()));
}

/* Finishes a Collections call: commit, or roll back everything under allOrNone. */
static jv collections_end(jv results, int all_or_none, int failed)
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

static void collections_write(struct http *h, int create)
{
	jv body = body_json(h);
	if (!jv_is_valid(body))
		return;
	jv recs = jx_get(body, "records", JV_KIND_ARRAY);
	int aon = jx_bool(body, "allOrNone", 0);
	int n = jx_len(recs);
	if (jv_get_kind(body) != JV_KIND_OBJECT || !jv_is_valid(recs)) {
		jv_free(body);
		return http_error(h, 400, "JSON_PARSER_ERROR", "Cannot deserialize the request: expected an object with a records array");
	}
	if (n > 200) {
		jv_free(body);
		return http_error(h, 400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 200 records into this call");
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
			http_error(h, 400, type ? "INVALID_TYPE" : "JSON_PARSER_ERROR", m);
			free(m);
			goto out;
		}
		if (i == 0 || objs[i] != objs[i - 1])
			chunks++;
		jv in = jv_copy(r);
		if (!create)
			in = jv_object_delete(jv_object_delete(in, jv_string("id")), jv_string("Id"));
		else if (jv_is_valid(jx_get(in, "id", JV_KIND_STRING)))
			in = jv_object_delete(in, jv_string("id")), in = jv_object_set(in, jv_string("Id"), jv_string(jx_str(r, "id")));
		jv err = jv_invalid();
		jv c = store_read(objs[i], in, &err);
		jv_free(in);
		if (!jv_is_valid(c)) {
			http_errors(h, 400, err);
			goto out;
		}
		clean = jv_array_append(clean, c);
	}
	if (chunks > 10) {
		http_error(h, 400, "EXCEEDED_MAX_TYPES_LIMIT", "Cannot have more than 10 chunks in a single operation. "
		    "Please rearrange the data to reduce chunking.");
		goto out;
	}
	store_begin();
	jv results = jv_array();
	int failed = 0;
	for (int i = 0; i < n; i++) {
		char id[19];
		jv e;
		const char *uid = NULL;
		if (create)
			e = store_create(objs[i], jx_at(clean, i), id);
		else {
			jv r = jx_at(recs, i);
			uid = jx_str(r, "id") ? jx_str(r, "id") : jx_str(r, "Id");
			e = uid ? store_update(objs[i], uid, jx_at(clean, i))
			    : jv_array_append(jv_array(), sf_err("MISSING_ARGUMENT", "Id not specified in an update call", jv_array()));
			if (uid && id_norm(uid, id) < 0)
				snprintf(id, sizeof id, "%.18s", uid);
		}
		if (jv_get_kind(e) == JV_KIND_NULL) {
			results = jv_array_append(results, result_ok(id));
		} else {
			failed = 1;
			results = jv_array_append(results, result_fail(create || !uid ? NULL : id, e));
		}
	}
	http_json(h, 200, collections_end(results, aon, failed));
out:
	free(objs);
	jv_free(clean);
	jv_free(body);
}

static void collections_delete(struct http *h)
{
	const char *ids = http_arg(h, "ids");
	const char *aons = http_arg(h, "allOrNone");
	int aon = aons && !strcasecmp(aons, "true");
	if (!ids || !*ids)
		return http_error(h, 400, "REQUIRED_FIELD_MISSING", "At least 1 Id is required.");
	char *copy = xstrdup(ids), *save = NULL;
	int n = 0;
	for (const char *c = ids; *c; c++)
		n += *c == ',';
	if (n + 1 > 200) {
		free(copy);
		return http_error(h, 400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 200 records into this call");
	}
	store_begin();
	jv results = jv_array();
	int failed = 0;
	for (char *id = strtok_r(copy, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
		jv e = store_delete(id);
		char nid[19];
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
	http_json(h, 200, collections_end(results, aon, failed));
}

/* ---- single records ---- */

/* The body of a single-record write, read as fields of o; jv_invalid() when the
 * request was answered with an error already. */
static jv record_body(struct http *h, struct obj *o)
{
	jv body = body_json(h);
	if (!jv_is_valid(body))
		return jv_invalid();
	jv err = jv_invalid();
	jv c = store_read(o, body, &err);
	jv_free(body);
	if (!jv_is_valid(c))
		http_errors(h, 400, err);
	return c;
}

static void sobject_route(struct http *h, const char *method, const char *rest, const char *ver)
{
	char type[128], id[64];
	const char *slash = strchr(rest, '/');
	snprintf(type, sizeof type, "%.*s", slash ? (int)(slash - rest) : (int)strlen(rest), rest);
	snprintf(id, sizeof id, "%s", slash ? slash + 1 : "");
	if (*id && id[strlen(id) - 1] == '/')
		id[strlen(id) - 1] = '\0';
	struct obj *o = schema_obj(type);
	if (!*type) {
		count("sobjects");
		return strcmp(method, "GET") ? http_error(h, 405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed. Allowed are GET,HEAD")
		    : http_json(h, 200, schema_global(ver));
	}
	if (!o)
		return http_error(h, 404, "NOT_FOUND", "The requested resource does not exist");
	if (!strcmp(id, "describe")) {
		count("describe");
		return http_json(h, 200, schema_describe(o, ver));
	}
	if (!*id) {
		if (!strcmp(method, "GET")) {
			count("sobjects");
			jv d = jv_object_set(jv_object(), jv_string("objectDescribe"), schema_describe(o, ver));
			return http_json(h, 200, jv_object_set(d, jv_string("recentItems"), jv_array()));
		}
		if (strcmp(method, "POST"))
			return http_error(h, 405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed. Allowed are GET,HEAD,POST");
		count("sobject.create");
		jv c = record_body(h, o);
		if (!jv_is_valid(c))
			return;
		char nid[19];
		store_begin();
		jv e = store_create(o, c, nid);
		jv_free(c);
		if (jv_get_kind(e) != JV_KIND_NULL) {
			store_rollback();
			return http_errors(h, 400, e);
		}
		store_commit();
		snprintf(h->locbuf, sizeof h->locbuf, "/services/data/v%s/sobjects/%s/%s", ver, o->name, nid);
		h->location = h->locbuf;
		return http_json(h, 201, result_ok(nid));
	}
	char nid[19];
	int deleted = 0;
	jv rec = id_norm(id, nid) == 0 ? store_get(nid, &deleted) : jv_invalid();
	if (!jv_is_valid(rec) || schema_obj_prefix(nid) != o) {
		jv_free(rec);
		return http_error(h, 404, "NOT_FOUND", "The requested resource does not exist");
	}
	if (!strcmp(method, "GET")) {
		count("sobject.get");
		if (deleted) {
			jv_free(rec);
			return http_error(h, 404, "ENTITY_IS_DELETED", "entity is deleted");
		}
		jv out = jv_object_set(jv_object(), jv_string("attributes"), jv_object_set(jv_object_set(jv_object(),
		    jv_string("type"), jv_string(o->name)), jv_string("url"),
		    jv_string_fmt("/services/data/v%s/sobjects/%s/%s", ver, o->name, nid)));
		const char *want = http_arg(h, "fields");
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
					http_error(h, 400, "INVALID_FIELD", m);
					free(m);
					free(w);
					jv_free(rec);
					return;
				}
			free(w);
		}
		jv_free(rec);
		return http_json(h, 200, out);
	}
	jv_free(rec);
	jv e;
	if (!strcmp(method, "PATCH")) {
		count("sobject.update");
		jv c = record_body(h, o);
		if (!jv_is_valid(c))
			return;
		store_begin();
		e = store_update(o, nid, c);
		jv_free(c);
	} else if (!strcmp(method, "DELETE")) {
		count("sobject.delete");
		store_begin();
		e = store_delete(nid);
	} else
		return http_error(h, 405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed. Allowed are GET,HEAD,PATCH,DELETE");
	if (jv_get_kind(e) != JV_KIND_NULL) {
		store_rollback();
		const char *code = jx_str(jx_at(e, 0), "statusCode");
		int st = code && (!strcmp(code, "ENTITY_IS_DELETED") || !strcmp(code, "NOT_FOUND")) ? 404 : 400;
		return http_errors(h, st, e);
	}
	store_commit();
	h->status = 204;
}

/* ---- query ---- */

static void query_route(struct http *h, const char *method, const char *rest, const char *ver, int all)
{
	if (strcmp(method, "GET"))
		return http_error(h, 405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed. Allowed are GET,HEAD");
	jv err = jv_invalid(), out;
	int status;
	if (*rest == '/' && rest[1]) {
		count("queryMore");
		out = soql_more(rest + 1, ver, &err, &status);
	} else {
		count(all ? "queryAll" : "query");
		const char *q = http_arg(h, "q");
		if (!q || !*q)
			return http_error(h, 400, "MALFORMED_QUERY", "A query string has to be specified");
		long batch = 2000;
		const char *opt = http_header(h, "Sforce-Query-Options");
		const char *bs = opt ? strcasestr(opt, "batchSize=") : NULL;
		if (bs) {
			batch = strtol(bs + 10, NULL, 10);
			batch = batch < 200 ? 200 : batch > 2000 ? 2000 : batch;
		}
		out = soql_run(q, ver, all, (int)batch, &err, &status);
	}
	if (!jv_is_valid(out))
		return http_json(h, status, err);
	http_json(h, 200, out);
}

/* ---- versions, resources, limits ---- */

static jv versions(void)
{
	static const char *const season[] = { "Winter", "Spring", "Summer" };
	jv a = jv_array();
	for (int v = VER_MIN; v <= VER_MAX; v++) {
		jv o = jv_object();
		o = jv_object_set(o, jv_string("label"), jv_string_fmt("%s '%02d", season[(v - VER_MIN) % 3], 21 + (v - VER_MIN) / 3));
		o = jv_object_set(o, jv_string("url"), jv_string_fmt("/services/data/v%d.0", v));
		o = jv_object_set(o, jv_string("version"), jv_string_fmt("%d.0", v));
		a = jv_array_append(a, o);
	}
	return a;
}

static jv resources(const char *ver)
{
	static const char *const names[] = { "sobjects", "query", "queryAll", "limits", "composite", "jobs", NULL };
	jv o = jv_object();
	for (int i = 0; names[i]; i++)
		o = jv_object_set(o, jv_string(names[i]), jv_string_fmt("/services/data/v%s/%s", ver, names[i]));
	return o;
}

static jv limit(long max, long remaining)
{
	jv o = jv_object_set(jv_object(), jv_string("Max"), jv_number((double)max));
	return jv_object_set(o, jv_string("Remaining"), jv_number((double)(remaining < 0 ? 0 : remaining)));
}

static jv limits(void)
{
	jv o = jv_object();
	o = jv_object_set(o, jv_string("DailyApiRequests"), limit(daily_limit, daily_limit - api_usage));
	o = jv_object_set(o, jv_string("DailyBulkApiBatches"), limit(15000, 15000));
	o = jv_object_set(o, jv_string("DailyBulkV2QueryJobs"), limit(10000, 10000));
	o = jv_object_set(o, jv_string("DailyBulkV2QueryFileStorageMB"), limit(976562, 976562));
	o = jv_object_set(o, jv_string("DataStorageMB"), limit(1024, 1000));
	o = jv_object_set(o, jv_string("FileStorageMB"), limit(1024, 1024));
	return o;
}

/* ---- admin endpoints: a session of this org is needed (any token it issued) ---- */

/* A whole number in [0, max] under key of b, kept in *out; 0 when absent, -1 (with the
 * 400 answer given) when it is something else. */
static int admin_number(struct http *h, jv b, const char *key, double max, long *out)
{
	jv v = jv_object_get(jv_copy(b), jv_string(key));
	if (!jv_is_valid(v)) {
		jv_free(v);
		return 0;
	}
	double d = jv_get_kind(v) == JV_KIND_NUMBER ? jv_number_value(v) : -1;
	jv_free(v);
	if (!(d >= 0 && d <= max && d == (double)(long)d)) {
		char msg[160];
		snprintf(msg, sizeof msg, "%s: expected a whole number from 0 to %.0f", key, max);
		http_error(h, 400, "INVALID_FIELD", msg);
		return -1;
	}
	*out = (long)d;
	return 1;
}

/* POST /_sandbox/faults: every part of the body is checked before any is applied. */
static void admin_faults(struct http *h)
{
	jv b = body_json(h);
	if (!jv_is_valid(b))
		return;
	static const char *const keys[] = { "faults", "fail_when", "latency_ms", "expire_after", "daily_limit", "api_usage" };
	if (jv_get_kind(b) != JV_KIND_OBJECT) {
		jv_free(b);
		return http_error(h, 400, "JSON_PARSER_ERROR", "expected a JSON object");
	}
	jv_object_foreach(b, k, v) {
		int known = 0;
		for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
			known |= !strcmp(jv_string_value(k), keys[i]);
		if (!known) {
			char msg[200];
			snprintf(msg, sizeof msg, "unknown key '%.100s': expected faults, fail_when, latency_ms, expire_after, daily_limit, api_usage",
			    jv_string_value(k));
			jv_free(k);
			jv_free(v);
			jv_free(b);
			return http_error(h, 400, "INVALID_FIELD", msg);
		}
		jv_free(k);
		jv_free(v);
	}
	long lat = latency_ms, exp = auth_expire_after(), dl = daily_limit, au = api_usage;
	if (admin_number(h, b, "latency_ms", 600000, &lat) < 0 || admin_number(h, b, "expire_after", 1e9, &exp) < 0 ||
	    admin_number(h, b, "daily_limit", 1e12, &dl) < 0 || admin_number(h, b, "api_usage", 1e12, &au) < 0) {
		jv_free(b);
		return;
	}
	jv fl = jv_object_get(jv_copy(b), jv_string("faults")), fw = jv_object_get(jv_copy(b), jv_string("fail_when"));
	const char *bad = NULL;
	if (jv_is_valid(fl) && (jv_get_kind(fl) != JV_KIND_ARRAY || jx_len(fl) > 16))
		bad = "faults: expected a list of at most 16 of KIND, KIND@N or KIND%P with KIND unavailable, lock or html500";
	if (jv_is_valid(fw) && jv_get_kind(fw) != JV_KIND_ARRAY)
		bad = "fail_when: expected a list of FIELD=VALUE[:CODE]";
	for (int i = 0; !bad && i < jx_len(fw); i++) {
		const char *s = jx_cstr(jx_at(fw, i)), *eq = s ? strchr(s, '=') : NULL;
		if (!eq || eq == s || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != (size_t)(eq - s))
			bad = "fail_when: each is FIELD=VALUE[:CODE]";
	}
	/* Faults are tried on a copy, kept only when all parse. */
	struct fault saved[16];
	int nsaved = nfaults;
	memcpy(saved, faults, sizeof saved);
	if (!bad && jv_get_kind(fl) == JV_KIND_ARRAY) {
		nfaults = 0;
		for (int i = 0; !bad && i < jx_len(fl); i++)
			if (!jx_cstr(jx_at(fl, i)) || fault_add(jx_cstr(jx_at(fl, i))) < 0)
				bad = "faults: each is KIND, KIND@N or KIND%P with KIND unavailable, lock or html500";
		if (bad) {
			memcpy(faults, saved, sizeof saved);
			nfaults = nsaved;
		}
	}
	if (!bad && jv_get_kind(fw) == JV_KIND_ARRAY) {
		store_fail_clear();
		for (int i = 0; i < jx_len(fw); i++)
			store_fail_when(jx_cstr(jx_at(fw, i))); /* checked above */
	}
	jv_free(fl);
	jv_free(fw);
	jv_free(b);
	if (bad)
		return http_error(h, 400, "INVALID_FIELD", bad);
	latency_ms = lat;
	auth_set_expire_after(exp);
	daily_limit = dl;
	api_usage = au;
}

static void admin_route(struct http *h, const char *method, const char *rest)
{
	if (auth_known(http_header(h, "Authorization")) < 0)
		return http_error(h, 401, "INVALID_SESSION_ID", "Session expired or invalid");
	if (!strcmp(rest, "stats")) {
		if (!strcmp(method, "DELETE")) {
			jv_free(stats);
			stats = jv_object();
			faults_injected = 0;
			h->status = 204;
			return;
		}
		jv o = jv_object();
		o = jv_object_set(o, jv_string("requests"), jv_copy(stats));
		o = jv_object_set(o, jv_string("api_usage"), jv_number((double)api_usage));
		o = jv_object_set(o, jv_string("daily_limit"), jv_number((double)daily_limit));
		o = jv_object_set(o, jv_string("faults_injected"), jv_number((double)faults_injected));
		o = jv_object_set(o, jv_string("records"), store_counts());
		return http_json(h, 200, o);
	}
	if (!strcmp(rest, "faults")) {
		if (!strcmp(method, "POST") || !strcmp(method, "PUT")) {
			admin_faults(h);
			if (h->status >= 400)
				return;
		}
		jv o = jv_object();
		o = jv_object_set(o, jv_string("faults"), fault_list());
		o = jv_object_set(o, jv_string("fail_when"), store_fail_list());
		o = jv_object_set(o, jv_string("latency_ms"), jv_number((double)latency_ms));
		o = jv_object_set(o, jv_string("expire_after"), jv_number((double)auth_expire_after()));
		o = jv_object_set(o, jv_string("daily_limit"), jv_number((double)daily_limit));
		o = jv_object_set(o, jv_string("api_usage"), jv_number((double)api_usage));
		return http_json(h, 200, o);
	}
	http_error(h, 404, "NOT_FOUND", "The requested resource does not exist");
}

/* ---- dispatch ---- */

static int parse_version(const char *s, char ver[8], const char **rest)
{
	int major, minor, n = 0;
	if (sscanf(s, "v%d.%d%n", &major, &minor, &n) != 2 || minor != 0 || major < VER_MIN || major > VER_MAX ||
	    (s[n] && s[n] != '/'))
		return -1;
	snprintf(ver, 8, "%d.0", major);
	*rest = s + n;
	return 0;
}

static void data_route(struct http *h, const char *method, const char *rest, const char *ver)
{
	if (!*rest || !strcmp(rest, "/")) {
		count("resources");
		return http_json(h, 200, resources(ver));
	}
	if (!strcmp(rest, "/limits") || !strcmp(rest, "/limits/")) {
		count("limits");
		return http_json(h, 200, limits());
	}
	if (!strncmp(rest, "/sobjects", 9) && (!rest[9] || rest[9] == '/'))
		return sobject_route(h, method, rest[9] ? rest + 10 : "", ver);
	if (!strncmp(rest, "/queryAll", 9) && (!rest[9] || rest[9] == '/'))
		return query_route(h, method, rest + 9, ver, 1);
	if (!strncmp(rest, "/query", 6) && (!rest[6] || rest[6] == '/'))
		return query_route(h, method, rest + 6, ver, 0);
	if (!strcmp(rest, "/composite/sobjects") || !strcmp(rest, "/composite/sobjects/")) {
		if (!strcmp(method, "POST")) {
			count("collections.create");
			return collections_write(h, 1);
		}
		if (!strcmp(method, "PATCH")) {
			count("collections.update");
			return collections_write(h, 0);
		}
		if (!strcmp(method, "DELETE")) {
			count("collections.delete");
			return collections_delete(h);
		}
		return http_error(h, 405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed. Allowed are POST,PATCH,DELETE");
	}
	if (!strncmp(rest, "/jobs/ingest", 12)) {
		count("bulk.ingest");
		return bulk_route(h, method, rest + 12, ver);
	}
	http_error(h, 404, "NOT_FOUND", "The requested resource does not exist");
}

/* Everything under /services/data/vNN.N: auth, the daily limit, faults, then the route. */
static void data_call(struct http *h, const char *method, const char *rest, const char *ver, char *limit_info)
{
	if (auth_check(http_header(h, "Authorization")) < 0)
		return http_error(h, 401, "INVALID_SESSION_ID", "Session expired or invalid");
	if (api_usage >= daily_limit) {
		snprintf(limit_info, 64, "api-usage=%ld/%ld", api_usage, daily_limit);
		count("limit_exceeded");
		return http_error(h, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
	}
	long call = ++api_usage;
	snprintf(limit_info, 64, "api-usage=%ld/%ld", api_usage, daily_limit);
	int f = fault_for(call);
	if (f >= 0) {
		faults_injected++;
		count("fault");
		if (f == FK_UNAVAILABLE)
			return http_error(h, 503, "SERVER_UNAVAILABLE", "Server Unavailable");
		if (f == FK_LOCK)
			return http_error(h, 400, "UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record or 1 records: 0068d0000000001AAA");
		h->status = 500;
		sb_reset(&h->out);
		sb_add(&h->out, "<html><head><title>Error Page</title></head><body>An unexpected error occurred. "
		    "Please try again.</body></html>\n");
		h->ctype = "text/html;charset=UTF-8";
		return;
	}
	data_route(h, method, rest, ver);
}

static void dispatch(struct http *h, const char *method, const char *url, char *limit_info)
{
	char ver[8];
	const char *rest;
	if (!strcmp(url, "/services/oauth2/token")) {
		count("token");
		if (strcmp(method, "POST"))
			return http_error(h, 405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed. Allowed are POST");
		char *form = xstrndup(h->body ? h->body : "", h->bodylen);
		/* Parameters may also come in the query string. */
		if (!*form) {
			const char *gt = http_arg(h, "grant_type");
			free(form);
			form = xasprintf("grant_type=%s", gt ? gt : "");
		}
		int status;
		jv out = auth_token(form, http_header(h, "Authorization"), base_url, &status);
		free(form);
		return http_json(h, status, out);
	}
	if (!strcmp(url, "/services/data") || !strcmp(url, "/services/data/")) {
		count("versions");
		return http_json(h, 200, versions());
	}
	if (!strncmp(url, "/services/data/", 15)) {
		if (parse_version(url + 15, ver, &rest) < 0)
			return http_error(h, 404, "NOT_FOUND", "The requested resource does not exist");
		return data_call(h, method, rest, ver, limit_info);
	}
	if (!strncmp(url, "/_sandbox/", 10)) {
		count("admin");
		return admin_route(h, method, url + 10);
	}
	http_error(h, 404, "NOT_FOUND", "The requested resource does not exist");
}

/* ---- libmicrohttpd glue ---- */

struct conn {
	struct sb body;
	int too_big;
	long max;
};

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload, size_t *upsize, void **con_cls)
{
	struct conn *cn = *con_cls;
	if (!cn) {
		cn = xcalloc(1, sizeof *cn);
		cn->max = strstr(url, "/jobs/ingest/") ? MAX_BULK_BODY : MAX_JSON_BODY;
		*con_cls = cn;
		return MHD_YES;
	}
	if (*upsize) {
		if ((long)(cn->body.len + *upsize) > cn->max)
			cn->too_big = 1;
		else
			sb_addn(&cn->body, upload, *upsize);
		*upsize = 0;
		return MHD_YES;
	}
	struct http h = { 0 };
	h.conn = c;
	h.body = cn->body.s;
	h.bodylen = cn->body.len;
	h.content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	/* A JSON body is read here, outside the lock, while other requests hold it. */
	if (h.bodylen && h.content_type && !strncasecmp(h.content_type, "application/json", 16)) {
		h.parsed = jv_parse_sized(h.body, (int)h.bodylen);
		h.preparsed = 1;
	}
	if (latency_ms > 0 && !strncmp(url, "/services/data/v", 16)) {
		struct timespec ts = { latency_ms / 1000, (latency_ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
	}
	char limit_info[64] = "";
	const char *override = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "_HttpMethod");
	if (override && !strcmp(method, "POST"))
		method = override;

	pthread_mutex_lock(&lock);
	if (cn->too_big)
		http_error(&h, 413, "REQUEST_ENTITY_TOO_LARGE", "The request body is larger than dg-sandbox accepts");
	else
		dispatch(&h, method, url, limit_info);
	if (h.preparsed)
		jv_free(h.parsed); /* not read by the route */
	pthread_mutex_unlock(&lock);

	if (verbose)
		fprintf(stderr, "dg-sandbox: %s %s %d\n", method, url, h.status);
	struct MHD_Response *r = MHD_create_response_from_buffer(h.out.len, h.out.s ? h.out.s : (char *)"",
	    h.out.s ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (h.ctype && h.status != 204)
		MHD_add_response_header(r, "Content-Type", h.ctype);
	if (*limit_info)
		MHD_add_response_header(r, "Sforce-Limit-Info", limit_info);
	if (h.location)
		MHD_add_response_header(r, "Location", h.location);
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)h.status, r);
	MHD_destroy_response(r);
	return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct conn *cn = *con_cls;
	if (cn) {
		sb_free(&cn->body);
		free(cn);
		*con_cls = NULL;
	}
}

static void usage(FILE *f, int code)
{
	fputs(usage_text, f);
	exit(code);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "db", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ "empty", no_argument, NULL, 'e' },
		{ "schema", required_argument, NULL, 'S' },
		{ "now", required_argument, NULL, 'n' },
		{ "production", no_argument, NULL, 'P' },
		{ "jwt-cert", required_argument, NULL, 'J' },
		{ "latency", required_argument, NULL, 'l' },
		{ "expire-after", required_argument, NULL, 'x' },
		{ "daily-limit", required_argument, NULL, 'L' },
		{ "fault", required_argument, NULL, 'f' },
		{ "fail-when", required_argument, NULL, 'w' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	long port = 0, seed = 1, n;
	const char *db = NULL;
	char **schemas = xcalloc((size_t)argc + 1, sizeof *schemas);
	int nschemas = 0, empty = 0, production = 0, c;
	util_init(argv[0]);
	while ((c = getopt_long(argc, argv, "p:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_long(optarg, 0, 65535, &port) < 0)
				diex(EXIT_USAGE, "-p '%s': expected a port number (0 picks a free one)", optarg);
			break;
		case 'd': db = optarg; break;
		case 's':
			if (parse_long(optarg, 0, 0x7fffffffffffffffL, &seed) < 0)
				diex(EXIT_USAGE, "--seed '%s': expected a whole number", optarg);
			break;
		case 'e': empty = 1; break;
		case 'S': schemas[nschemas++] = optarg; break;
		case 'n': {
			time_t t;
			if (time_parse(optarg, &t) < 0)
				diex(EXIT_USAGE, "--now '%s': expected YYYY-MM-DD or an ISO 8601 time", optarg);
			org_set_now(t);
			break;
		}
		case 'P': production = 1; break;
		case 'J': auth_set_jwt_cert(optarg); break;
		case 'l':
			if (parse_long(optarg, 0, 600000, &latency_ms) < 0)
				diex(EXIT_USAGE, "--latency '%s': expected milliseconds", optarg);
			break;
		case 'x':
			if (parse_long(optarg, 1, 1L << 40, &n) < 0)
				diex(EXIT_USAGE, "--expire-after '%s': expected a number of calls", optarg);
			auth_set_expire_after(n);
			break;
		case 'L':
			if (parse_long(optarg, 0, 1L << 40, &daily_limit) < 0)
				diex(EXIT_USAGE, "--daily-limit '%s': expected a number of calls", optarg);
			break;
		case 'f':
			if (fault_add(optarg) < 0)
				diex(EXIT_USAGE, "--fault '%s': expected KIND, KIND@N or KIND%%P with KIND unavailable, lock or html500", optarg);
			break;
		case 'w':
			if (store_fail_when(optarg) < 0)
				diex(EXIT_USAGE, "--fail-when '%s': expected FIELD=VALUE[:CODE]", optarg);
			break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout, EXIT_OK); break;
		case 'V': printf("dg-sandbox %s\n", DG_VERSION); return EXIT_OK;
		default: usage(stderr, EXIT_USAGE);
		}
	}
	if (optind < argc) {
		warnx("unexpected argument '%s'", argv[optind]);
		usage(stderr, EXIT_USAGE);
	}
	char *def = NULL;
	if (!nschemas)
		schemas[nschemas++] = def = share_path("sandbox/dg.yaml");
	int bad = schema_load(nschemas, schemas);
	free(def);
	free(schemas);
	if (bad < 0)
		return EXIT_USAGE;
	if (store_open(db) < 0)
		return EXIT_FAIL;
	fault_seed = (uint64_t)seed;
	if (store_is_new()) {
		store_begin();
		if ((empty ? seed_minimal(production) : seed_org((uint64_t)seed, production)) < 0) {
			store_rollback();
			return EXIT_FAIL;
		}
		store_commit();
	}
	stats = jv_object();

	/* Signals are taken by sigwait below; the server's threads inherit the mask. A
	 * shell starts background jobs with SIGINT ignored, and an ignored signal never
	 * reaches sigwait, so the defaults come back first. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct sockaddr_in addr = { 0 };
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_POLL, 0, NULL, NULL, answer, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024),
	    MHD_OPTION_END);
	if (!d)
		diex(EXIT_FAIL, "cannot listen on 127.0.0.1:%ld: %s", port, strerror(errno));
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(base_url, sizeof base_url, "http://127.0.0.1:%u", info ? info->port : (unsigned)port);
	printf("%s\n", base_url);
	if (fflush(stdout) == EOF)
		diex(EXIT_FAIL, "cannot write the base URL: %s", strerror(errno));

	int sig;
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	store_close();
	jv_free(stats);
	return EXIT_OK;
}
