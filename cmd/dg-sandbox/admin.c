/* admin.c: injected faults, the daily limit's gate, and the /_sandbox endpoints that
 * set and read the org's switches (org.c). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonl.h"
#include "sandbox.h"
#include "rng.h"

/* rowlock is per record (a Collections write answers it inside its HTTP 200),
 * bulkfail per Bulk API 2.0 job, the others per call. */
enum fkind { FK_UNAVAILABLE, FK_LOCK, FK_HTML500, FK_ROWLOCK, FK_BULKFAIL, FK_N };
static const char *const fknames[] = { "unavailable", "lock", "html500", "rowlock", "bulkfail" };
struct fault {
	enum fkind k;
	long nth;    /* on this data call (1-based), or 0 */
	double rate; /* else with this probability */
};
static struct fault faults[16];
static int nfaults;

int
fault_add(const char *spec)
{
	if (nfaults == 16)
		return -1;
	struct fault f = { 0 };
	size_t n = strcspn(spec, "@%");
	int found = 0;
	for (int i = 0; i < FK_N; i++)
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

static jv
fault_list(void)
{
	jv a = jv_array();
	for (int i = 0; i < nfaults; i++)
		a = jv_array_append(a,
		    faults[i].nth ? jv_string_fmt("%s@%ld", fknames[faults[i].k], faults[i].nth)
				  : jv_string_fmt("%s%%%g", fknames[faults[i].k], faults[i].rate * 100));
	return a;
}

/* The fault that hits data call number call, or -1. */
static int
fault_for(long call)
{
	for (int i = 0; i < nfaults; i++) {
		struct rng r;
		if (faults[i].k == FK_ROWLOCK || faults[i].k == FK_BULKFAIL)
			continue;
		rng_init(&r, sw.fault_seed, "fault", fknames[faults[i].k], call);
		if (faults[i].nth ? faults[i].nth == call : rng_double(&r) < faults[i].rate)
			return (int)faults[i].k;
	}
	return -1;
}

/* Whether the fault of kind k hits its n-th occasion (a record, a job). */
static int
fault_hits(enum fkind k, long n)
{
	for (int i = 0; i < nfaults; i++) {
		struct rng r;
		if (faults[i].k != k)
			continue;
		rng_init(&r, sw.fault_seed, "fault", fknames[k], n);
		if (faults[i].nth ? faults[i].nth == n : rng_double(&r) < faults[i].rate) {
			sw.faults_injected++;
			return 1;
		}
	}
	return 0;
}

int
fault_row(void)
{
	static long row;
	return fault_hits(FK_ROWLOCK, ++row);
}

int
fault_job(void)
{
	static long job;
	return fault_hits(FK_BULKFAIL, ++job);
}

/* The daily limit and the faults, before a data call's route: 1 when one of them
 * answered, else 0. limit_info gets the Sforce-Limit-Info value (64 bytes). */
int
admin_gate(struct req *h, char *limit_info)
{
	if (sw.api_usage >= sw.daily_limit) {
		snprintf(limit_info, 64, "api-usage=%ld/%ld", sw.api_usage, sw.daily_limit);
		stats_count("limit_exceeded");
		reply_error(h, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
		return 1;
	}
	long call = ++sw.api_usage;
	snprintf(limit_info, 64, "api-usage=%ld/%ld", sw.api_usage, sw.daily_limit);
	int f = fault_for(call);
	if (f < 0)
		return 0;
	sw.faults_injected++;
	stats_count("fault");
	if (f == FK_UNAVAILABLE)
		reply_error(h, 503, "SERVER_UNAVAILABLE", "Server Unavailable");
	else if (f == FK_LOCK)
		reply_error(h, 400, "UNABLE_TO_LOCK_ROW",
		    "unable to obtain exclusive access to this record or 1 records: 0068d0000000001AAA");
	else {
		h->status = 500;
		sb_reset(&h->out);
		sb_add(&h->out,
		    "<html><head><title>Error Page</title></head><body>An unexpected error occurred. "
		    "Please try again.</body></html>\n");
		h->ctype = "text/html;charset=UTF-8";
	}
	return 1;
}

/* ---- admin endpoints: a session of this org is needed (any token it issued) ---- */

/* A whole number in [0, max] under key of b, kept in *out; 0 when absent, -1 (with the
 * 400 answer given) when it is something else. */
static int
admin_number(struct req *h, jv b, const char *key, double max, long *out)
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
		reply_error(h, 400, "INVALID_FIELD", msg);
		return -1;
	}
	*out = (long)d;
	return 1;
}

/* POST /_sandbox/faults: every part of the body is checked before any is applied. */
static void
admin_faults(struct req *h)
{
	jv b = req_body_json(h);
	if (!jv_is_valid(b))
		return;
	static const char *const keys[] = { "faults", "fail_when", "latency_ms", "expire_after", "daily_limit",
		"api_usage" };
	if (jv_get_kind(b) != JV_KIND_OBJECT) {
		jv_free(b);
		return reply_error(h, 400, "JSON_PARSER_ERROR", "expected a JSON object");
	}
	jv_object_foreach(b, k, v)
	{
		int known = 0;
		for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
			known |= !strcmp(jv_string_value(k), keys[i]);
		if (!known) {
			char msg[200];
			snprintf(msg, sizeof msg,
			    "unknown key '%.100s': expected faults, fail_when, latency_ms, expire_after, daily_limit, api_usage",
			    jv_string_value(k));
			jv_free(k);
			jv_free(v);
			jv_free(b);
			return reply_error(h, 400, "INVALID_FIELD", msg);
		}
		jv_free(k);
		jv_free(v);
	}
	long lat = sw.latency_ms, exp = auth_expire_after(), dl = sw.daily_limit, au = sw.api_usage;
	if (admin_number(h, b, "latency_ms", 600000, &lat) < 0 || admin_number(h, b, "expire_after", 1e9, &exp) < 0 ||
	    admin_number(h, b, "daily_limit", 1e12, &dl) < 0 || admin_number(h, b, "api_usage", 1e12, &au) < 0) {
		jv_free(b);
		return;
	}
	jv fl = jv_object_get(jv_copy(b), jv_string("faults")), fw = jv_object_get(jv_copy(b), jv_string("fail_when"));
	const char *bad = NULL;
	if (jv_is_valid(fl) && (jv_get_kind(fl) != JV_KIND_ARRAY || jx_len(fl) > 16))
		bad =
		    "faults: expected a list of at most 16 of KIND, KIND@N or KIND%P with KIND unavailable, lock, html500, rowlock or bulkfail";
	if (jv_is_valid(fw) && jv_get_kind(fw) != JV_KIND_ARRAY)
		bad = "fail_when: expected a list of FIELD=VALUE[:CODE]";
	for (int i = 0; !bad && i < jx_len(fw); i++) {
		const char *s = jx_cstr(jx_at(fw, i)), *eq = s ? strchr(s, '=') : NULL;
		if (!eq || eq == s ||
		    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != (size_t)(eq - s))
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
				bad =
				    "faults: each is KIND, KIND@N or KIND%P with KIND unavailable, lock, html500, rowlock or bulkfail";
		if (bad) {
			memcpy(faults, saved, sizeof saved);
			nfaults = nsaved;
		}
	}
	if (!bad && jv_get_kind(fw) == JV_KIND_ARRAY) {
		rules_fail_clear();
		for (int i = 0; i < jx_len(fw); i++)
			rules_fail_when(jx_cstr(jx_at(fw, i))); /* checked above */
	}
	jv_free(fl);
	jv_free(fw);
	jv_free(b);
	if (bad)
		return reply_error(h, 400, "INVALID_FIELD", bad);
	sw.latency_ms = lat;
	auth_set_expire_after(exp);
	sw.daily_limit = dl;
	sw.api_usage = au;
}

void
admin_route(struct req *h, const char *method, const char *rest)
{
	if (auth_known(req_header(h, "Authorization")) < 0)
		return reply_error(h, 401, "INVALID_SESSION_ID", "Session expired or invalid");
	if (!strcmp(rest, "stats")) {
		if (!strcmp(method, "DELETE")) {
			jv_free(sw.stats);
			sw.stats = jv_object();
			sw.faults_injected = 0;
			sw.row_locks = 0;
			h->status = 204;
			return;
		}
		jv o = jv_object();
		o = jv_object_set(o, jv_string("requests"), jv_copy(sw.stats));
		o = jv_object_set(o, jv_string("api_usage"), jv_number((double)sw.api_usage));
		o = jv_object_set(o, jv_string("daily_limit"), jv_number((double)sw.daily_limit));
		o = jv_object_set(o, jv_string("faults_injected"), jv_number((double)sw.faults_injected));
		o = jv_object_set(o, jv_string("row_locks"), jv_number((double)sw.row_locks));
		o = jv_object_set(o, jv_string("records"), store_counts());
		return reply_json(h, 200, o);
	}
	if (!strcmp(rest, "faults")) {
		if (!strcmp(method, "POST") || !strcmp(method, "PUT")) {
			admin_faults(h);
			if (h->status >= 400)
				return;
		}
		jv o = jv_object();
		o = jv_object_set(o, jv_string("faults"), fault_list());
		o = jv_object_set(o, jv_string("fail_when"), rules_fail_list());
		o = jv_object_set(o, jv_string("latency_ms"), jv_number((double)sw.latency_ms));
		o = jv_object_set(o, jv_string("expire_after"), jv_number((double)auth_expire_after()));
		o = jv_object_set(o, jv_string("daily_limit"), jv_number((double)sw.daily_limit));
		o = jv_object_set(o, jv_string("api_usage"), jv_number((double)sw.api_usage));
		return reply_json(h, 200, o);
	}
	reply_error(h, 404, "NOT_FOUND", "The requested resource does not exist");
}
