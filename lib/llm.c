/* llm.c: the Chat Completions client (see llm.h). */
#include "llm.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "jsonl.h"
#include "statedb.h"
#include "util.h"

static const char *
env(const char *k)
{
	const char *v = getenv(k);
	return v && *v ? v : NULL;
}

int
llm_configured(const struct dg_config *cfg)
{
	return env("OPENAI_BASE_URL") || env("OPENAI_API_KEY") || env("AZURE_OPENAI_ENDPOINT") || cfg->llm.base_url ||
	    cfg->llm.azure_endpoint;
}

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
llm_open(struct llm *l, const struct dg_config *cfg, int no_cache, char *err, size_t errsize)
{
	memset(l, 0, sizeof *l);
	const char *az = cfg->llm.azure_endpoint ? cfg->llm.azure_endpoint : env("AZURE_OPENAI_ENDPOINT");
	const char *model = cfg->llm.model ? cfg->llm.model : env("OPENAI_MODEL") ? env("OPENAI_MODEL") : "gpt-4o-mini";
	l->model = xstrdup(model);
	if (az) {
		const char *key = env("AZURE_OPENAI_API_KEY");
		const char *dep = cfg->llm.azure_deployment ? cfg->llm.azure_deployment : model;
		const char *ver = cfg->llm.azure_api_version ? cfg->llm.azure_api_version
		    : env("OPENAI_API_VERSION")              ? env("OPENAI_API_VERSION")
							     : "2024-10-21";
		if (!key) {
			snprintf(err, errsize, "AZURE_OPENAI_ENDPOINT is set but AZURE_OPENAI_API_KEY is not");
			return -1;
		}
		size_t n = strlen(az);
		while (n && az[n - 1] == '/')
			n--;
		l->url = xasprintf("%.*s/openai/deployments/%s/chat/completions?api-version=%s", (int)n, az, dep, ver);
		l->extra_header = xasprintf("api-key: %s", key);
		l->azure = 1;
	} else {
		const char *base = cfg->llm.base_url ? cfg->llm.base_url
		    : env("OPENAI_BASE_URL")         ? env("OPENAI_BASE_URL")
						     : "https://api.openai.com/v1";
		size_t n = strlen(base);
		while (n && base[n - 1] == '/')
			n--;
		l->url = xasprintf("%.*s/chat/completions", (int)n, base);
		/* Local servers need no key; some proxies insist on a Bearer anyway. */
		l->auth_header = xasprintf("Bearer %s", env("OPENAI_API_KEY") ? env("OPENAI_API_KEY") : "sk-no-key");
	}
	const char *tf = cfg->llm.token_field ? cfg->llm.token_field : "auto";
	if (!strcmp(tf, "auto"))
		tf = strstr(l->url, "://api.openai.com/") ? "max_completion_tokens" : "max_tokens";
	l->token_field = xstrdup(tf);
	l->temperature = cfg->llm.temperature;
	l->seed = cfg->llm.seed ? cfg->llm.seed : cfg->seed;
	l->max_tokens = cfg->llm.max_tokens;
	l->retries = cfg->llm.retries;
	l->jobs = cfg->llm.jobs;
	struct http_opts ho = { cfg->salesforce.ca_bundle, cfg->llm.timeout };
	l->http = http_new(&ho);
	if (!l->http) {
		snprintf(err, errsize, "cannot start libcurl");
		return -1;
	}
	l->no_cache = no_cache;
	if (!no_cache) {
		char e[512];
		l->cache = statedb_open(statedb_path(), STATEDB_CREATE, e, sizeof e);
		if (!l->cache) {
			snprintf(err, errsize, "the LLM cache: %s", e);
			return -1;
		}
	}
	l->enabled = 1;
	return 0;
}

void
llm_close(struct llm *l)
{
	http_free(l->http);
	if (l->cache)
		sqlite3_close(l->cache);
	if (l->auth_header)
		memset(l->auth_header, 0, strlen(l->auth_header));
	if (l->extra_header)
		memset(l->extra_header, 0, strlen(l->extra_header));
	free(l->url);
	free(l->auth_header);
	free(l->extra_header);
	free(l->model);
	free(l->token_field);
	memset(l, 0, sizeof *l);
}

void
llm_req_free(struct llm_req *r)
{
	free(r->system);
	free(r->user);
	jv_free(r->answer);
	r->system = r->user = NULL;
	r->answer = jv_invalid();
}

/* The cache key: a SHA-256 of what decides the answer (not of how it is asked for). */
static void
cache_key(struct llm *l, struct llm_req *r)
{
	jv k = jv_object();
	k = jv_object_set(k, jv_string("model"), jv_string(l->model));
	k = jv_object_set(k, jv_string("system"), jv_string(r->system));
	k = jv_object_set(k, jv_string("user"), jv_string(r->user));
	k = jv_object_set(k, jv_string("temperature"), jv_number(l->temperature));
	k = jv_object_set(k, jv_string("seed"), jv_number((double)l->seed));
	k = jv_object_set(k, jv_string("max_tokens"), jv_number((double)l->max_tokens));
	k = jv_object_set(k, jv_string("schema"), jv_is_valid(r->schema) ? jv_copy(r->schema) : jv_null());
	jv s = jv_dump_string(k, JV_PRINT_SORTED);
	unsigned char md[32];
	unsigned int n = 0;
	EVP_Digest(jv_string_value(s), strlen(jv_string_value(s)), md, &n, EVP_sha256(), NULL);
	jv_free(s);
	for (unsigned i = 0; i < 32; i++)
		snprintf(r->key + 2 * i, 3, "%02x", md[i]);
}

static char *
request_body(struct llm *l, struct llm_req *r)
{
	jv msgs = jv_array();
	char *sys = l->rf == 2 ? xasprintf("%s\nReply with one JSON object only, no other text.", r->system)
			       : xstrdup(r->system);
	msgs = jv_array_append(msgs,
	    jv_object_set(jv_object_set(jv_object(), jv_string("role"), jv_string("system")), jv_string("content"),
		jv_string(sys)));
	free(sys);
	msgs = jv_array_append(msgs,
	    jv_object_set(jv_object_set(jv_object(), jv_string("role"), jv_string("user")), jv_string("content"),
		jv_string(r->user)));
	jv b = jv_object();
	b = jv_object_set(b, jv_string("model"), jv_string(l->model));
	b = jv_object_set(b, jv_string("messages"), msgs);
	b = jv_object_set(b, jv_string("temperature"), jv_number(l->temperature));
	b = jv_object_set(b, jv_string("seed"), jv_number((double)l->seed));
	b = jv_object_set(b, jv_string(l->token_field), jv_number((double)l->max_tokens));
	if (l->rf == 0 && jv_is_valid(r->schema)) {
		jv js = jv_object_set(
		    jv_object(), jv_string("name"), jv_string(r->schema_name ? r->schema_name : "answer"));
		js = jv_object_set(js, jv_string("strict"), jv_true());
		js = jv_object_set(js, jv_string("schema"), jv_copy(r->schema));
		b = jv_object_set(b, jv_string("response_format"),
		    jv_object_set(jv_object_set(jv_object(), jv_string("type"), jv_string("json_schema")),
			jv_string("json_schema"), js));
	} else if (l->rf <= 1)
		b = jv_object_set(b, jv_string("response_format"),
		    jv_object_set(jv_object(), jv_string("type"), jv_string("json_object")));
	jv s = jv_dump_string(b, 0);
	char *out = xstrdup(jv_string_value(s));
	jv_free(s);
	return out;
}

/* Reads an answer's content into a JSON object and checks it; 0 or -1 with why. */
static int
accept(struct llm_req *r, const char *content, char *why, size_t whysize)
{
	const char *s = content;
	while (isspace((unsigned char)*s))
		s++;
	/* Some local models wrap JSON in a Markdown fence. */
	char *copy = NULL;
	if (!strncmp(s, "```", 3)) {
		const char *nl = strchr(s, '\n');
		copy = xstrdup(nl ? nl + 1 : s + 3);
		char *end = strstr(copy, "```");
		if (end)
			*end = '\0';
		s = copy;
	}
	jv v = jv_parse(s);
	free(copy);
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		snprintf(why, whysize, "the answer is not a JSON object");
		jv_free(v);
		return -1;
	}
	if (r->validate && r->validate(v, r->ctx, why, whysize) != 0) {
		jv_free(v);
		return -1;
	}
	jv_free(r->answer);
	r->answer = v;
	return 0;
}

static void
cache_get(struct llm *l, struct llm_req *r)
{
	if (!l->cache)
		return;
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(l->cache, "SELECT content FROM llm_cache WHERE key = ?", -1, &q, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(q, 1, r->key, -1, SQLITE_STATIC);
	char why[256];
	if (sqlite3_step(q) == SQLITE_ROW && accept(r, (const char *)sqlite3_column_text(q, 0), why, sizeof why) == 0) {
		r->ok = r->cached = 1;
		l->hits++;
	}
	sqlite3_finalize(q);
}

static void
cache_put(struct llm *l, struct llm_req *r, const char *content, long tokens)
{
	if (!l->cache)
		return;
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(l->cache,
		"INSERT OR REPLACE INTO llm_cache (key, model, content, tokens, created)"
		" VALUES (?, ?, ?, ?, datetime('now'))",
		-1, &q, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(q, 1, r->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, l->model, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, content, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, tokens);
	if (sqlite3_step(q) != SQLITE_DONE)
		warnx("cannot store an LLM answer in the cache: %s", sqlite3_errmsg(l->cache));
	sqlite3_finalize(q);
}

/* error.code and error.type, whatever their JSON kind (llama.cpp sends a number). */
static void
error_info(jv body, char *code, size_t csize, char *msg, size_t msize)
{
	jv e = jx_get(body, "error", JV_KIND_OBJECT);
	jv c = jv_is_valid(e) ? jv_object_get(jv_copy(e), jv_string("code")) : jv_invalid();
	code[0] = msg[0] = '\0';
	if (jv_get_kind(c) == JV_KIND_STRING)
		snprintf(code, csize, "%s", jv_string_value(c));
	else if (jv_get_kind(c) == JV_KIND_NUMBER)
		snprintf(code, csize, "%.0f", jv_number_value(c));
	jv_free(c);
	const char *t = jx_str(e, "type");
	if (!code[0] && t)
		snprintf(code, csize, "%s", t);
	else if (t && !strcmp(t, "insufficient_quota"))
		snprintf(code, csize, "insufficient_quota");
	snprintf(msg, msize, "%s", jx_str(e, "message") ? jx_str(e, "message") : "");
}

/* 1 when an answer says the key or the quota will not do: no more requests then. */
static int
fatal_answer(long status, const char *code)
{
	return status == 401 || status == 403 || !strcmp(code, "insufficient_quota") || strstr(code, "spend_limit") ||
	    !strcmp(code, "credit_balance_exhausted");
}

static int
on_done(struct http_req *q, void *arg)
{
	(void)arg;
	if (q->resp.status < 400)
		return 0;
	jv body = q->resp.body.len ? jv_parse_sized(q->resp.body.s, (int)q->resp.body.len) : jv_invalid();
	char code[64], msg[8];
	error_info(body, code, sizeof code, msg, sizeof msg);
	jv_free(body);
	return fatal_answer(q->resp.status, code);
}

static void
turn_off(struct llm *l, const char *why)
{
	if (!l->enabled)
		return;
	l->enabled = 0;
	snprintf(l->why_off, sizeof l->why_off, "%s", why);
	warnx("the LLM is off for this run: %s", why);
}

/* What one round of calls learnt for the next: to ask for a plainer response format,
 * to name the token limit the other way, how long to wait. */
struct round {
	int degrade, switch_field;
	double wait;
};

/* Judges one answer: r gets ok (and the cache its text) or err; returns 1 when r is to
 * be asked again in the next round. */
static int
judge(struct llm *l, struct llm_req *r, struct http_resp *rs, struct round *rd)
{
	r->attempts++;
	jv body = rs->body.len ? jv_parse_sized(rs->body.s, (int)rs->body.len) : jv_invalid();
	char code[64], msg[200];
	error_info(body, code, sizeof code, msg, sizeof msg);
	int retry = 0;
	if (rs->status == 200) {
		jv ch = jx_at(jx_get(body, "choices", JV_KIND_ARRAY), 0);
		jv m = jx_get(ch, "message", JV_KIND_OBJECT);
		const char *content = jx_str(m, "content"), *fin = jx_str(ch, "finish_reason");
		jv u = jx_get(body, "usage", JV_KIND_OBJECT);
		l->prompt_tokens += (long)jx_num(u, "prompt_tokens", 0);
		l->completion_tokens += (long)jx_num(u, "completion_tokens", 0);
		char why[256];
		if (!jv_is_valid(body))
			snprintf(r->err, sizeof r->err, "the answer is not JSON");
		else if (fin && !strcmp(fin, "length"))
			snprintf(r->err, sizeof r->err, "the answer was cut off (finish_reason length)");
		else if (!content)
			snprintf(r->err, sizeof r->err, "no answer%s%s", jx_str(m, "refusal") ? ": refused: " : "",
			    jx_str(m, "refusal") ? jx_str(m, "refusal") : "");
		else if (accept(r, content, why, sizeof why) != 0)
			snprintf(r->err, sizeof r->err, "%s", why);
		else {
			r->ok = 1;
			cache_put(l, r, content, (long)jx_num(u, "total_tokens", 0));
		}
	} else if (rs->status == 400 && l->rf < 2 &&
	    (strstr(msg, "response_format") || strstr(msg, "json_schema") || strstr(msg, "schema") ||
		strstr(msg, "json_object"))) {
		rd->degrade = 1;
		retry = 1;
	} else if (rs->status == 400 && !strcmp(code, "unsupported_parameter") && strstr(msg, l->token_field)) {
		rd->switch_field = 1;
		retry = 1;
	} else if (fatal_answer(rs->status, code)) {
		char w[256];
		snprintf(w, sizeof w, "HTTP %ld %.60s%s%.120s", rs->status, code, code[0] ? ": " : "", msg);
		turn_off(l, w);
		snprintf(r->err, sizeof r->err, "the LLM is off: %.200s", w);
	} else if (rs->status == 0 && !strcmp(rs->err, "not sent")) {
		retry = 1; /* stopped before it went out; the next round says why */
		r->attempts--;
	} else if (rs->status == 0 || rs->status == 408 || rs->status == 409 || rs->status == 429 ||
	    rs->status >= 500) {
		if (r->attempts <= l->retries) {
			retry = 1;
			/* As the SDKs: the server's wait when sane, else 0.5 s doubling to 8 s, jittered. */
			double w = rs->retry_after > 0 && rs->retry_after <= 60
			    ? rs->retry_after
			    : (0.5 * (double)(1 << (r->attempts - 1 < 4 ? r->attempts - 1 : 4)));
			if (w > 8 && !(rs->retry_after > 0))
				w = 8;
			if (!(rs->retry_after > 0))
				w *= 1 - 0.25 * ((double)rand() / RAND_MAX);
			if (w > rd->wait)
				rd->wait = w;
		} else if (rs->status)
			snprintf(r->err, sizeof r->err, "HTTP %ld%s%s after %d tries", rs->status, msg[0] ? ": " : "",
			    msg, r->attempts);
		else
			snprintf(r->err, sizeof r->err, "no answer (%.200s) after %d tries", rs->err, r->attempts);
	} else
		snprintf(r->err, sizeof r->err, "HTTP %ld %.60s%s%.120s", rs->status, code, code[0] ? ": " : "", msg);
	jv_free(body);
	return retry;
}

void
llm_run(struct llm *l, struct llm_req *reqs, int n)
{
	double t0 = now_s();
	int *pend = xmalloc((size_t)(n + 1) * sizeof *pend), np = 0;
	for (int i = 0; i < n; i++) {
		struct llm_req *r = &reqs[i];
		r->ok = r->cached = 0;
		r->attempts = 0;
		r->err[0] = '\0';
		r->answer = jv_invalid();
		cache_key(l, r);
		if (!l->no_cache)
			cache_get(l, r);
		if (!r->ok)
			pend[np++] = i;
	}
	int cap = np;
	struct http_req *hr = xcalloc((size_t)np + 1, sizeof *hr);
	struct http_req **hp = xcalloc((size_t)np + 1, sizeof *hp);
	for (int round = 0; np > 0; round++) {
		if (!l->enabled) {
			for (int k = 0; k < np; k++)
				snprintf(
				    reqs[pend[k]].err, sizeof reqs[pend[k]].err, "the LLM is off: %.200s", l->why_off);
			break;
		}
		for (int k = 0; k < np; k++) {
			struct llm_req *r = &reqs[pend[k]];
			free((char *)hr[k].body);
			free(hr[k].url);
			http_resp_free(&hr[k].resp);
			memset(&hr[k], 0, sizeof hr[k]);
			hr[k].method = "POST";
			hr[k].url = xstrdup(l->url);
			hr[k].ctype = "application/json";
			hr[k].auth = l->auth_header;
			hr[k].extra = l->extra_header;
			hr[k].body = request_body(l, r);
			hr[k].bodylen = strlen(hr[k].body);
			hr[k].user = r;
			hp[k] = &hr[k];
		}
		http_on_done(l->http, on_done, l);
		http_run(l->http, hp, np, (int)(l->jobs > 0 ? l->jobs : 1));
		for (int k = 0; k < np; k++)
			l->calls += !(hr[k].resp.status == 0 && !strcmp(hr[k].resp.err, "not sent"));
		int nretry = 0;
		struct round rd = { 0, 0, 0 };
		for (int k = 0; k < np; k++) {
			struct llm_req *r = hr[k].user;
			struct http_resp *rs = &hr[k].resp;
			int idx = pend[k];
			int retry = judge(l, r, rs, &rd);
			if (retry)
				pend[nretry++] = idx;
			else if (!r->ok)
				l->failures++;
		}
		if (rd.degrade)
			l->rf++;
		if (rd.switch_field) {
			char *o = l->token_field;
			l->token_field = xstrdup(strcmp(o, "max_tokens") ? "max_tokens" : "max_completion_tokens");
			free(o);
		}
		np = nretry;
		if (np && rd.wait > 0) {
			struct timespec ts = { (time_t)rd.wait, (long)((rd.wait - (long)rd.wait) * 1e9) };
			nanosleep(&ts, NULL);
		}
	}
	for (int k = 0; k < cap; k++) {
		free((char *)hr[k].body);
		free(hr[k].url);
		http_resp_free(&hr[k].resp);
	}
	free(hr);
	free(hp);
	free(pend);
	l->seconds += now_s() - t0;
}

jv
llm_outcome(jv obj, int strict, const char *stage, const char *idkey, const char *id, const char *why)
{
	if (strict)
		return jv_object_set(obj, jv_string("error"),
		    jv_object_set(jv_object_set(jv_object(), jv_string("stage"), jv_string(stage)),
			jv_string("message"), jv_string(why)));
	jv ev = jv_object_set(jv_object(), jv_string("event"), jv_string("llm-fallback"));
	ev = jv_object_set(ev, jv_string("stage"), jv_string(stage));
	ev = jv_object_set(ev, jv_string(idkey), id ? jv_string(id) : jv_null());
	run_event(jv_object_set(ev, jv_string("why"), jv_string(why)));
	return obj;
}

void
llm_report(const struct llm *l, const char *stage)
{
	warnx("llm: %ld calls, %ld cached, %ld+%ld tokens, %.1f s%s%s", l->calls, l->hits, l->prompt_tokens,
	    l->completion_tokens, l->seconds, l->enabled ? "" : "; off: ", l->enabled ? "" : l->why_off);
	jv ev = jv_object_set(jv_object(), jv_string("event"), jv_string("llm"));
	ev = jv_object_set(ev, jv_string("stage"), jv_string(stage));
	ev = jv_object_set(ev, jv_string("calls"), jv_number((double)l->calls));
	ev = jv_object_set(ev, jv_string("cache_hits"), jv_number((double)l->hits));
	ev = jv_object_set(ev, jv_string("tokens"), jv_number((double)(l->prompt_tokens + l->completion_tokens)));
	run_event(jv_object_set(ev, jv_string("seconds"), jv_number(l->seconds)));
}
