/* sf.c: the Salesforce REST client (see sf.h). */
#include "sf.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "jsonl.h"
#include "sfcli.h"

static const char *
env(const char *k)
{
	const char *v = getenv(k);
	return v && *v ? v : NULL;
}

static void
set(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? xstrdup(v) : NULL;
}

static void
form_add(struct sb *b, const char *k, const char *v)
{
	if (!v)
		return;
	char *e = http_escape(v);
	sb_addf(b, "%s%s=%s", b->len ? "&" : "", k, e);
	free(e);
}

static char *
b64url(const unsigned char *p, size_t n)
{
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);
	int len = EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	while (len > 0 && out[len - 1] == '=')
		len--;
	out[len] = '\0';
	for (char *s = out; *s; s++)
		*s = *s == '+' ? '-' : *s == '/' ? '_' : *s;
	return out;
}

/* An RS256 JWT bearer assertion (see the reference: iss, sub, aud, exp in seconds). */
static char *
jwt_assertion(const char *keyfile, const char *iss, const char *sub, const char *aud, char *err, size_t errsize)
{
	FILE *f = fopen(keyfile, "r");
	if (!f) {
		snprintf(err, errsize, "cannot read SF_JWT_KEY_FILE '%s'", keyfile);
		return NULL;
	}
	EVP_PKEY *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!key) {
		snprintf(err, errsize, "SF_JWT_KEY_FILE '%s' is not a PEM private key", keyfile);
		return NULL;
	}
	jv claims = jv_object();
	claims = jv_object_set(claims, jv_string("iss"), jv_string(iss));
	claims = jv_object_set(claims, jv_string("sub"), jv_string(sub));
	claims = jv_object_set(claims, jv_string("aud"), jv_string(aud));
	claims = jv_object_set(claims, jv_string("exp"), jv_number((double)(time(NULL) + 180)));
	jv cs = jv_dump_string(claims, 0);
	const char *hdr = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
	char *h64 = b64url((const unsigned char *)hdr, strlen(hdr));
	char *c64 = b64url((const unsigned char *)jv_string_value(cs), strlen(jv_string_value(cs)));
	jv_free(cs);
	char *input = xasprintf("%s.%s", h64, c64);
	free(h64);
	free(c64);
	unsigned char sig[1024];
	size_t siglen = sizeof sig;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestSign(ctx, sig, &siglen, (unsigned char *)input, strlen(input)) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	if (!ok) {
		snprintf(err, errsize, "cannot sign the JWT with SF_JWT_KEY_FILE (an RSA key is needed)");
		free(input);
		return NULL;
	}
	char *s64 = b64url(sig, siglen);
	char *out = xasprintf("%s.%s", input, s64);
	free(input);
	free(s64);
	return out;
}

/* Borrows the session of --target-org (or of sf's default target org) from sf. */
static int
cli_login(struct sf *sf, char *err, size_t errsize)
{
	char *tok, *url;
	if (sfcli_session(sf->c.target_org, &tok, &url, err, errsize) != 0) {
		if (!sf->c.target_org) {
			size_t l = strlen(err);
			snprintf(err + l, errsize - l,
			    "; no Salesforce login: give --target-org ALIAS, or set SF_JWT_KEY_FILE, SF_CLIENT_ID and "
			    "SF_USERNAME (JWT), SF_CLIENT_ID and SF_CLIENT_SECRET (client credentials), or SF_ACCESS_TOKEN "
			    "and SF_INSTANCE_URL");
		}
		return -1;
	}
	set(&sf->token, tok);
	set(&sf->instance, url);
	memset(tok, 0, strlen(tok));
	free(tok);
	free(url);
	return 0;
}

static int
token_login(struct sf *sf, const char *form, char *err, size_t errsize)
{
	struct http_req q = { 0 };
	q.method = "POST";
	q.url = xasprintf("%s/services/oauth2/token", sf->login_url);
	q.ctype = "application/x-www-form-urlencoded";
	q.body = form;
	q.bodylen = strlen(form);
	http_once(sf->http, &q);
	sf->calls++;
	jv j = jv_parse_sized(q.resp.body.s ? q.resp.body.s : "", (int)q.resp.body.len);
	const char *tok = jx_str(j, "access_token"), *url = jx_str(j, "instance_url");
	int rc = 0;
	if (q.resp.status == 200 && tok && url) {
		set(&sf->token, tok);
		set(&sf->instance, url);
	} else {
		if (!q.resp.status)
			snprintf(err, errsize, "cannot reach '%s': %s", sf->login_url, q.resp.err);
		else if (jx_str(j, "error"))
			snprintf(err, errsize, "login (%s) refused: %s: %s%s", sf->flow, jx_str(j, "error"),
			    jx_str(j, "error_description") ? jx_str(j, "error_description") : "",
			    /* An org blocks this flow by default since Summer '23, and says no more
			     * than it says to a wrong password. */
			    !strcmp(sf->flow, "password") && !strcmp(jx_str(j, "error"), "invalid_grant")
				? " (if the password is right, the org blocks the username-password flow, as orgs made "
				  "since Summer '23 do: log in with --target-org ALIAS, a JWT key (SF_JWT_KEY_FILE) or client "
				  "credentials (SF_CLIENT_ID and SF_CLIENT_SECRET with the org's My Domain URL) instead)"
				/* Client credentials run on the org's own host only. */
				: !strcmp(sf->flow, "client credentials") &&
				    !strcmp(jx_str(j, "error"), "invalid_request")
				? " (client credentials work only on the org's My Domain: set SF_LOGIN_URL to "
				  "https://MYDOMAIN.my.salesforce.com, or https://MYDOMAIN--SANDBOX.sandbox.my.salesforce.com "
				  "for a sandbox, not login or test.salesforce.com)"
				: "");
		else if (q.resp.status == 200)
			snprintf(err, errsize,
			    "login (%s) failed: the answer from '%s' has no access_token and instance_url", sf->flow,
			    q.url);
		else
			snprintf(err, errsize, "login (%s) failed: HTTP %ld from '%s'", sf->flow, q.resp.status, q.url);
		rc = -1;
	}
	jv_free(j);
	free(q.url);
	http_resp_free(&q.resp);
	return rc;
}

/* (Re)acquires a token with the flow chosen at sf_open. */
static int
login(struct sf *sf, char *err, size_t errsize)
{
	const char *cid = env("SF_CLIENT_ID"), *secret = env("SF_CLIENT_SECRET");
	struct sb f = { 0 };
	int rc;
	if (!strcmp(sf->flow, "sf cli"))
		rc = cli_login(sf, err, errsize);
	else if (!strcmp(sf->flow, "access token")) {
		set(&sf->token, env("SF_ACCESS_TOKEN"));
		set(&sf->instance, env("SF_INSTANCE_URL"));
		rc = 0;
	} else if (!strcmp(sf->flow, "refresh token")) {
		form_add(&f, "grant_type", "refresh_token");
		form_add(&f, "client_id", cid);
		form_add(&f, "client_secret", secret);
		form_add(&f, "refresh_token", env("SF_REFRESH_TOKEN"));
		rc = token_login(sf, sb_str(&f), err, errsize);
	} else if (!strcmp(sf->flow, "jwt")) {
		const char *aud = env("SF_JWT_AUDIENCE");
		if (!aud)
			aud = sf_jwt_audience(sf->login_url);
		char *a = jwt_assertion(env("SF_JWT_KEY_FILE"), cid, env("SF_USERNAME"), aud, err, errsize);
		if (!a)
			return -1;
		form_add(&f, "grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
		form_add(&f, "assertion", a);
		free(a);
		rc = token_login(sf, sb_str(&f), err, errsize);
	} else if (!strcmp(sf->flow, "password")) {
		char *pw =
		    xasprintf("%s%s", env("SF_PASSWORD"), env("SF_SECURITY_TOKEN") ? env("SF_SECURITY_TOKEN") : "");
		form_add(&f, "grant_type", "password");
		form_add(&f, "client_id", cid);
		form_add(&f, "client_secret", secret);
		form_add(&f, "username", env("SF_USERNAME"));
		form_add(&f, "password", pw);
		free(pw);
		rc = token_login(sf, sb_str(&f), err, errsize);
	} else {
		form_add(&f, "grant_type", "client_credentials");
		form_add(&f, "client_id", cid);
		form_add(&f, "client_secret", secret);
		rc = token_login(sf, sb_str(&f), err, errsize);
	}
	/* The form held secrets: clear it before it goes back to the heap. */
	if (f.s)
		memset(f.s, 0, f.cap);
	sb_free(&f);
	int asked_login = strcmp(sf->flow, "sf cli") && strcmp(sf->flow, "access token");
	if (rc == 0 && asked_login && !strncasecmp(sf->login_url, "https://", 8) &&
	    strncasecmp(sf->instance, "https://", 8)) {
		/* An https login must not lead the token to plain http. */
		snprintf(err, errsize,
		    "the login at '%s' named the instance '%.100s', which is not https; refusing to send the session there",
		    sf->login_url, sf->instance);
		rc = -1;
	}
	if (rc == 0 && http_url_safe(sf->instance, err, errsize) != 0)
		rc = -1;
	if (rc == 0) {
		free(sf->auth_header);
		sf->auth_header = xasprintf("Bearer %s", sf->token);
	}
	return rc;
}

int
sf_open(struct sf *sf, const struct sf_conf *c, char *err, size_t errsize)
{
	memset(sf, 0, sizeof *sf);
	sf->c = *c;
	if (!sf->c.api_version)
		sf->c.api_version = "60.0";
	sf->api_used = sf->api_max = -1;
	const char *lu = c->login_url ? c->login_url : env("SF_LOGIN_URL");
	sf->login_url = xstrdup(lu ? lu : "https://login.salesforce.com");
	size_t l = strlen(sf->login_url);
	while (l && sf->login_url[l - 1] == '/')
		sf->login_url[--l] = '\0';
	struct http_opts ho = { c->ca_bundle, c->timeout };
	sf->http = http_new(&ho);
	if (!sf->http) {
		snprintf(err, errsize, "cannot start libcurl");
		return -1;
	}
	sf->can_relogin = 1;
	if (c->target_org)
		sf->flow = "sf cli";
	else if (env("SF_ACCESS_TOKEN")) {
		sf->flow = "access token";
		sf->can_relogin = 0;
		if (!env("SF_INSTANCE_URL")) {
			snprintf(err, errsize, "SF_ACCESS_TOKEN is set but SF_INSTANCE_URL is not");
			return -1;
		}
	} else if (env("SF_REFRESH_TOKEN"))
		sf->flow = "refresh token";
	else if (env("SF_JWT_KEY_FILE"))
		sf->flow = "jwt";
	else if (env("SF_USERNAME") && env("SF_PASSWORD"))
		sf->flow = "password";
	else if (env("SF_CLIENT_ID") && env("SF_CLIENT_SECRET"))
		sf->flow = "client credentials";
	else if (sfcli_available())
		sf->flow = "sf cli"; /* sf's default target org, as sf's own commands take it */
	else {
		snprintf(err, errsize,
		    "no Salesforce login: set SF_ACCESS_TOKEN and SF_INSTANCE_URL, SF_REFRESH_TOKEN, "
		    "SF_JWT_KEY_FILE, SF_USERNAME and SF_PASSWORD, or SF_CLIENT_ID and SF_CLIENT_SECRET, or give --target-org");
		return -1;
	}
	if ((!strcmp(sf->flow, "jwt") && (!env("SF_CLIENT_ID") || !env("SF_USERNAME")))) {
		snprintf(err, errsize, "the JWT login needs SF_CLIENT_ID and SF_USERNAME beside SF_JWT_KEY_FILE");
		return -1;
	}
	if ((!strcmp(sf->flow, "refresh token") || !strcmp(sf->flow, "password")) && !env("SF_CLIENT_ID")) {
		snprintf(err, errsize, "the %s login needs SF_CLIENT_ID (the connected app's consumer key)", sf->flow);
		return -1;
	}
	return login(sf, err, errsize);
}

void
sf_close(struct sf *sf)
{
	http_free(sf->http);
	if (sf->token)
		memset(sf->token, 0, strlen(sf->token));
	if (sf->auth_header)
		memset(sf->auth_header, 0, strlen(sf->auth_header));
	free(sf->token);
	free(sf->auth_header);
	free(sf->instance);
	free(sf->login_url);
	memset(sf, 0, sizeof *sf);
}

void
sf_call_free(struct sf_call *c)
{
	free(c->path);
	free(c->body);
	http_resp_free(&c->resp);
	c->path = c->body = NULL;
}

/* The errorCode of a REST error answer (an array or a single object), or "". */
static void
error_code(const struct http_resp *r, char *code, size_t size)
{
	code[0] = '\0';
	if (!r->body.len)
		return;
	jv j = jv_parse_sized(r->body.s, (int)r->body.len);
	jv e = jv_get_kind(j) == JV_KIND_ARRAY ? jx_at(j, 0) : j;
	const char *c = jx_str(e, "errorCode");
	snprintf(code, size, "%s", c ? c : "");
	jv_free(j);
}

char *
sf_error_text(const struct http_resp *r)
{
	if (!r->status)
		return xasprintf("no answer: %s", r->err[0] ? r->err : "connection failed");
	jv j = jv_parse_sized(r->body.s ? r->body.s : "", (int)r->body.len);
	jv e = jv_get_kind(j) == JV_KIND_ARRAY ? jx_at(j, 0) : j;
	char *out;
	if (jx_str(e, "errorCode"))
		out = xasprintf("%s: %s", jx_str(e, "errorCode"), jx_str(e, "message") ? jx_str(e, "message") : "");
	else if (jx_str(e, "error"))
		out = xasprintf(
		    "%s: %s", jx_str(e, "error"), jx_str(e, "error_description") ? jx_str(e, "error_description") : "");
	else
		out = xasprintf("HTTP %ld", r->status);
	jv_free(j);
	return out;
}

static void
read_limit(struct sf *sf, const char *info)
{
	const char *p = strstr(info, "api-usage=");
	long used, max;
	if (p && sscanf(p + 10, "%ld/%ld", &used, &max) == 2) {
		sf->api_used = used;
		sf->api_max = max;
	}
}

static char *
full_url(struct sf *sf, const char *path)
{
	/* An absolute URL from an answer (nextRecordsUrl) is followed on the instance
	 * only: the session's token never goes to a host the login did not name. */
	if (!strncasecmp(path, "http://", 7) || !strncasecmp(path, "https://", 8)) {
		const char *p = strchr(path + 8, '/');
		path = p ? p : "/";
	}
	if (!strncmp(path, "/services/", 10))
		return xasprintf("%s%s", sf->instance, path);
	return xasprintf("%s/services/data/v%s%s", sf->instance, sf->c.api_version, path);
}

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One try of a call on the wire. */
struct
try {
	struct http_req q; /* first: the http layer hands it back */
	struct sf_call *c;
	unsigned gen; /* the session it was sent with */
};

struct pump {
	struct sf *sf;
	sf_next_fn next;
	sf_done_fn done;
	void (*idle)(void *arg);
	void *arg;
	struct {
		struct sf_call *c;
		double due;
	} * later; /* calls waiting to be tried again */
	int nlater, caplater;
	unsigned gen;    /* bumped by each new session */
	double relogged; /* when the last new session was made, or 0 */
};

static void
wait_again(struct pump *p, struct sf_call *c, double due)
{
	if (p->nlater == p->caplater) {
		p->caplater = p->caplater ? 2 * p->caplater : 16;
		p->later = xrealloc(p->later, (size_t)p->caplater * sizeof *p->later);
	}
	p->later[p->nlater].c = c;
	p->later[p->nlater++].due = due;
}

static struct http_req *
pump_next(void *arg, long *wait)
{
	struct pump *p = arg;
	struct sf *sf = p->sf;
	if (sf->limit_hit)
		return NULL;
	/* Calls due for another try go first, the earliest first. */
	double now = now_s();
	int best = -1;
	for (int i = 0; i < p->nlater; i++)
		if (p->later[i].due <= now && (best < 0 || p->later[i].due < p->later[best].due))
			best = i;
	struct sf_call *c;
	long hint = -1;
	if (best >= 0) {
		c = p->later[best].c;
		p->later[best] = p->later[--p->nlater];
	} else if (!(c = p->next(p->arg, &hint))) {
		for (int i = 0; i < p->nlater; i++) {
			long ms = (long)((p->later[i].due - now) * 1000) + 1;
			if (hint < 0 || ms < hint)
				hint = ms;
		}
		*wait = hint;
		return NULL;
	}
	struct try *t = xcalloc(1, sizeof *t);
	t->c = c;
	t->gen = p->gen;
	t->q.method = c->method;
	t->q.url = full_url(sf, c->path);
	t->q.body = c->body;
	t->q.bodylen = c->body ? strlen(c->body) : 0;
	t->q.ctype = c->ctype ? c->ctype : c->body ? "application/json" : NULL;
	t->q.auth = sf->auth_header;
	t->q.extra = c->extra;
	return &t->q;
}

static void
pump_idle(void *arg)
{
	struct pump *p = arg;
	if (p->idle)
		p->idle(p->arg);
}

/* What to do with a call's answer: done, or tried again (now or after a backoff). */
static int
pump_done(struct http_req *q, void *arg)
{
	struct pump *p = arg;
	struct sf *sf = p->sf;
	struct try *t = (struct try *)q;
	struct sf_call *c = t->c;
	sf->calls++;
	c->attempts++;
	http_resp_free(&c->resp);
	c->resp = q->resp;
	memset(&q->resp.body, 0, sizeof q->resp.body);
	free(q->url);
	unsigned gen = t->gen;
	free(t);
	struct http_resp *r = &c->resp;
	if (r->limit_info[0])
		read_limit(sf, r->limit_info);
	if (r->status >= 200 && r->status < 300) {
		if (sf->progress)
			sf->progress(c->weight, sf->progress_arg);
		p->done(c, p->arg);
		return 0;
	}
	char code[64];
	error_code(r, code, sizeof code);
	double backoff = -1;
	if (r->status == 401 && sf->can_relogin) {
		/* A session that ran out gets one new one (and not again within a minute: a
		 * new session refused at once is not renewed in a loop); calls sent with the
		 * old one try again. */
		if (gen == p->gen && (!p->relogged || now_s() - p->relogged >= 60)) {
			char err[512];
			p->relogged = now_s();
			if (login(sf, err, sizeof err) < 0) {
				warnx("cannot renew the Salesforce session: %s", err);
				sf->can_relogin = 0;
			} else
				p->gen++;
		}
		if (gen != p->gen)
			backoff = 0;
	} else if (r->status == 403 && !strcmp(code, "REQUEST_LIMIT_EXCEEDED") &&
	    !strstr(r->body.s ? r->body.s : "", "Concurrent"))
		sf->limit_hit = 1; /* the org will say no to everything else today */
	else if ((r->status == 0 || r->status >= 500 || r->status == 429 || r->status == 408 ||
		     !strcmp(code, "UNABLE_TO_LOCK_ROW") || !strcmp(code, "SERVER_UNAVAILABLE") ||
		     !strcmp(code, "REQUEST_LIMIT_EXCEEDED")) &&
	    c->attempts <= sf->c.retries) {
		/* Exponential backoff with jitter: base * 2^n * [0.5, 1.5), at most 30 s, and
		 * never less than the server asked for. */
		int n = c->attempts - 1;
		double ms =
		    (double)sf->c.retry_base_ms * (double)(1L << (n < 10 ? n : 10)) * (0.5 + (double)rand() / RAND_MAX);
		if (ms > 30000)
			ms = 30000;
		if (r->retry_after * 1000 > ms)
			ms = r->retry_after * 1000;
		backoff = ms / 1000;
	}
	if (backoff >= 0)
		wait_again(p, c, now_s() + backoff);
	else
		p->done(c, p->arg);
	return sf->limit_hit;
}

int
sf_pump(struct sf *sf, int jobs, sf_next_fn next, sf_done_fn done, void (*idle)(void *arg), void *arg)
{
	/* A pump started from inside another one's callbacks (a query while pushing)
	 * gets a connection of its own: the outer one's transfers and callbacks stay
	 * where they are. The session is the same. */
	struct http *outer = NULL;
	if (sf->pumping) {
		struct http_opts ho = { sf->c.ca_bundle, sf->c.timeout };
		outer = sf->http;
		sf->http = http_new(&ho);
		if (!sf->http)
			diex(EXIT_FAIL, "cannot start libcurl");
	}
	sf->pumping++;
	struct pump p = { sf, next, done, idle, arg, NULL, 0, 0, 0, 0 };
	http_on_done(sf->http, pump_done, &p);
	int rc = http_pump(sf->http, jobs, pump_next, pump_idle, &p);
	/* Stopped (the daily limit) with calls still waiting: their last answer stands. */
	for (int i = 0; i < p.nlater; i++)
		done(p.later[i].c, arg);
	free(p.later);
	http_on_done(sf->http, NULL, NULL);
	sf->pumping--;
	if (outer) {
		http_free(sf->http);
		sf->http = outer;
	}
	return rc;
}

struct list {
	struct sf_call *calls;
	int n, next, failed;
};

static struct sf_call *
list_next(void *arg, long *wait)
{
	struct list *l = arg;
	return l->next < l->n ? &l->calls[l->next++] : NULL;
}

static void
list_done(struct sf_call *c, void *arg)
{
	struct list *l = arg;
	l->failed += c->resp.status < 200 || c->resp.status >= 300;
}

int
sf_calls(struct sf *sf, struct sf_call *calls, int n, int jobs)
{
	struct list l = { calls, n, 0, 0 };
	for (int i = 0; i < n; i++) {
		calls[i].attempts = 0;
		http_resp_free(&calls[i].resp);
		memset(&calls[i].resp, 0, sizeof calls[i].resp);
	}
	sf_pump(sf, jobs, list_next, list_done, NULL, &l);
	for (int i = l.next; i < n; i++) {
		snprintf(calls[i].resp.err, sizeof calls[i].resp.err, "not sent");
		l.failed++;
	}
	return l.failed;
}

jv
sf_request(
    struct sf *sf, const char *method, const char *path, const char *body, long *status, char *err, size_t errsize)
{
	struct sf_call c = { 0 };
	c.method = method;
	c.path = xstrdup(path);
	c.body = body ? xstrdup(body) : NULL;
	sf_calls(sf, &c, 1, 1);
	if (status)
		*status = c.resp.status;
	jv out;
	if (c.resp.status >= 200 && c.resp.status < 300)
		out = c.resp.body.len ? jv_parse_sized(c.resp.body.s, (int)c.resp.body.len) : jv_null();
	else {
		/* A long query string would hide the reason: show the path's start only. */
		char *t = sf_error_text(&c.resp);
		snprintf(err, errsize, "%s %.60s%s: %s", method, path, strlen(path) > 60 ? "..." : "", t);
		free(t);
		out = jv_invalid();
	}
	if (!jv_is_valid(out) && c.resp.status >= 200 && c.resp.status < 300)
		snprintf(
		    err, errsize, "%s %.60s%s: the answer is not JSON", method, path, strlen(path) > 60 ? "..." : "");
	sf_call_free(&c);
	return out;
}

/* One page of a query's answer (consumed): its shape checked, its records handed to
 * fn. Returns how many, or -1 with err set; *next is the next page's path (new) or
 * NULL. */
static long
query_page(jv page, int pageno, int (*fn)(jv rec, void *ctx), void *ctx, char **next, char *err, size_t errsize)
{
	*next = NULL;
	/* The answer is the org's, or whatever sits in its place: its shape is checked
	 * before any of it is used. */
	jv recs = jx_get(page, "records", JV_KIND_ARRAY);
	const char *bad = !jv_is_valid(recs) ? "has no list of records" : NULL;
	for (int i = 0; !bad && i < jx_len(recs); i++)
		if (jv_get_kind(jx_at(recs, i)) != JV_KIND_OBJECT)
			bad = "holds a record that is not an object";
	if (!bad && jx_bool(page, "done", -1) == -1)
		bad = "has no 'done' true or false";
	if (!bad && !jx_bool(page, "done", 1) && !jx_str(page, "nextRecordsUrl"))
		bad = "is not done and names no next page";
	if (bad) {
		snprintf(err, errsize, "the answer to the query (page %d) %s", pageno, bad);
		jv_free(page);
		return -1;
	}
	long n = 0;
	for (int i = 0; i < jx_len(recs); i++, n++)
		if (fn && fn(jx_at(recs, i), ctx) < 0) {
			jv_free(page);
			snprintf(err, errsize, "stopped");
			return -1;
		}
	const char *nx = jx_str(page, "nextRecordsUrl");
	if (nx && !jx_bool(page, "done", 1))
		*next = xstrdup(nx);
	jv_free(page);
	return n;
}

/* The pages of a query from path (taken over) on, one after another. */
static long
query_rest(struct sf *sf, char *path, int pageno, int (*fn)(jv rec, void *ctx), void *ctx, char *err, size_t errsize)
{
	long n = 0;
	while (path) {
		jv page = sf_request(sf, "GET", path, NULL, NULL, err, errsize);
		free(path);
		if (!jv_is_valid(page))
			return -1;
		long k = query_page(page, ++pageno, fn, ctx, &path, err, errsize);
		if (k < 0)
			return -1;
		n += k;
	}
	return n;
}

static long
query_at(struct sf *sf, const char *endpoint, const char *soql, int (*fn)(jv rec, void *ctx), void *ctx, char *err,
    size_t errsize)
{
	char *q = http_escape(soql);
	char *path = xasprintf("/%s?q=%s", endpoint, q);
	free(q);
	return query_rest(sf, path, 0, fn, ctx, err, errsize);
}

int
sf_queries(struct sf *sf, int all, struct sf_query *qs, int n, int jobs)
{
	struct sf_call *calls = xcalloc((size_t)n + 1, sizeof *calls);
	for (int i = 0; i < n; i++) {
		char *q = http_escape(qs[i].soql);
		calls[i].method = "GET";
		calls[i].path = xasprintf("/%s?q=%s", all ? "queryAll" : "query", q);
		free(q);
	}
	sf_calls(sf, calls, n, jobs);
	int failed = 0;
	for (int i = 0; i < n; i++) {
		struct http_resp *r = &calls[i].resp;
		jv page =
		    r->status == 200 ? jv_parse_sized(r->body.s ? r->body.s : "", (int)r->body.len) : jv_invalid();
		char *next = NULL;
		qs[i].n = -1;
		if (!jv_is_valid(page)) {
			char *t = sf_error_text(r);
			snprintf(qs[i].err, sizeof qs[i].err, "%s", t);
			free(t);
			jv_free(page);
		} else if ((qs[i].n = query_page(page, 1, qs[i].fn, qs[i].ctx, &next, qs[i].err, sizeof qs[i].err)) >=
			0 &&
		    next) {
			/* More than a page: the rest one after another (rare for a wave's queries). */
			long k = query_rest(sf, next, 1, qs[i].fn, qs[i].ctx, qs[i].err, sizeof qs[i].err);
			qs[i].n = k < 0 ? -1 : qs[i].n + k;
		}
		failed += qs[i].n < 0;
		sf_call_free(&calls[i]);
	}
	free(calls);
	return failed;
}

char *
sf_quote(const char *s)
{
	struct sb b = { 0 };
	sb_addc(&b, '\'');
	for (; *s; s++) {
		switch (*s) {
		case '\'': sb_add(&b, "\\'"); break;
		case '"': sb_add(&b, "\\\""); break;
		case '\\': sb_add(&b, "\\\\"); break;
		case '\n': sb_add(&b, "\\n"); break;
		case '\r': sb_add(&b, "\\r"); break;
		case '\t': sb_add(&b, "\\t"); break;
		case '\b': sb_add(&b, "\\b"); break;
		case '\f': sb_add(&b, "\\f"); break;
		default: sb_addc(&b, *s);
		}
	}
	sb_addc(&b, '\'');
	return b.s;
}

void
sf_task_picks(jv statuses, jv priorities, struct sf_task_picks *out)
{
	jv rows = jx_get(statuses, "records", JV_KIND_ARRAY);

	snprintf(out->closed, sizeof out->closed, "Completed");
	snprintf(out->open, sizeof out->open, "Not Started");
	snprintf(out->priority, sizeof out->priority, "Normal");
	/* From the last to the first, so the first closed one stays. */
	for (int i = jx_len(rows) - 1; i >= 0; i--) {
		jv r = jx_at(rows, i);
		const char *name = jx_str(r, "ApiName") ? jx_str(r, "ApiName") : jx_str(r, "MasterLabel");
		if (!name)
			continue;
		if (jx_bool(r, "IsClosed", 0))
			snprintf(out->closed, sizeof out->closed, "%s", name);
		else if (jx_bool(r, "IsDefault", 0))
			snprintf(out->open, sizeof out->open, "%s", name);
	}
	rows = jx_get(priorities, "records", JV_KIND_ARRAY);
	for (int i = 0; i < jx_len(rows); i++) {
		jv r = jx_at(rows, i);
		const char *name = jx_str(r, "ApiName") ? jx_str(r, "ApiName") : jx_str(r, "MasterLabel");
		if (name && jx_bool(r, "IsDefault", 0))
			snprintf(out->priority, sizeof out->priority, "%s", name);
	}
}

long
sf_query(struct sf *sf, const char *soql, int (*fn)(jv rec, void *ctx), void *ctx, char *err, size_t errsize)
{
	return query_at(sf, "query", soql, fn, ctx, err, errsize);
}

long
sf_query_all(struct sf *sf, const char *soql, int (*fn)(jv rec, void *ctx), void *ctx, char *err, size_t errsize)
{
	return query_at(sf, "queryAll", soql, fn, ctx, err, errsize);
}

const char *
sf_jwt_audience(const char *login_url)
{
	const char *h = strstr(login_url ? login_url : "", "://");
	char host[256];
	size_t n;

	h = h ? h + 3 : login_url ? login_url : "";
	n = strcspn(h, ":/");
	if (n >= sizeof host)
		n = sizeof host - 1;
	memcpy(host, h, n);
	host[n] = '\0';
	for (char *c = host; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	/* test.salesforce.com, a sandbox's My Domain (enhanced: NAME--SANDBOX.sandbox.my.
	 * salesforce.com; legacy: NAME--SANDBOX.my.salesforce.com). */
	if (!strcmp(host, "test.salesforce.com") || (n > 26 && !strcmp(host + n - 26, ".sandbox.my.salesforce.com")) ||
	    (strstr(host, "--") && n > 18 && !strcmp(host + n - 18, ".my.salesforce.com")))
		return "https://test.salesforce.com";
	return "https://login.salesforce.com";
}
