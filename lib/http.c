/* http.c: libcurl easy handles run through one multi handle per client. */
#include "http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct http {
	CURLM *multi;
	http_done_fn done;
	void *done_arg;
	struct http_opts o;
	char *ca;
};

struct http *
http_new(const struct http_opts *o)
{
	static int inited;
	if (!inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return NULL;
		inited = 1;
	}
	struct http *h = xcalloc(1, sizeof *h);
	h->multi = curl_multi_init();
	if (!h->multi) {
		free(h);
		return NULL;
	}
	h->o = *o;
	h->ca = o->ca_bundle ? xstrdup(o->ca_bundle) : NULL;
	h->o.ca_bundle = h->ca;
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, 32L);
	return h;
}

void
http_on_done(struct http *h, http_done_fn fn, void *arg)
{
	h->done = fn;
	h->done_arg = arg;
}

void
http_free(struct http *h)
{
	if (!h)
		return;
	curl_multi_cleanup(h->multi);
	free(h->ca);
	free(h);
}

void
http_resp_free(struct http_resp *r)
{
	sb_free(&r->body);
}

char *
http_escape(const char *s)
{
	struct sb b = { 0 };
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || strchr("-._~", c))
			sb_addc(&b, (char)c);
		else
			sb_addf(&b, "%%%02X", c);
	}
	return b.s ? b.s : xstrdup("");
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct http_resp *r = arg;
	sb_addn(&r->body, p, size * n);
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct http_resp *r = arg;
	size_t len = size * n;
	char line[512];
	snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line - 1 ? len : sizeof line - 1), p);
	line[strcspn(line, "\r\n")] = '\0';
	const char *v = strchr(line, ':');
	if (!v)
		return len;
	size_t k = (size_t)(v - line);
	for (v++; *v == ' '; v++)
		;
	if (k == 17 && !strncasecmp(line, "Sforce-Limit-Info", k))
		snprintf(r->limit_info, sizeof r->limit_info, "%s", v);
	else if (k == 12 && !strncasecmp(line, "Content-Type", k))
		snprintf(r->ctype, sizeof r->ctype, "%s", v);
	else if (k == 14 && !strncasecmp(line, "retry-after-ms", k))
		r->retry_after = atof(v) / 1000;
	else if (k == 11 && !strncasecmp(line, "Retry-After", k) && r->retry_after < 0)
		r->retry_after = isdigit((unsigned char)*v) ? atof(v) : -1; /* an HTTP date is ignored */
	return len;
}

static CURL *
easy(struct http *h, struct http_req *q, struct curl_slist **hdrs)
{
	CURL *e = curl_easy_init();
	if (!e)
		return NULL;
	char ua[64];
	snprintf(ua, sizeof ua, "dg/%s", DG_VERSION);
	curl_easy_setopt(e, CURLOPT_URL, q->url);
	curl_easy_setopt(e, CURLOPT_USERAGENT, ua);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, h->o.timeout > 0 ? h->o.timeout : 120L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	if (h->o.ca_bundle)
		curl_easy_setopt(e, CURLOPT_CAINFO, h->o.ca_bundle);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &q->resp);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, &q->resp);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, q->resp.err);
	curl_easy_setopt(e, CURLOPT_PRIVATE, q);
	if (strcmp(q->method, "GET"))
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, q->method);
	if (q->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, q->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->bodylen);
	}
	struct curl_slist *l = NULL;
	char buf[4096];
	if (q->ctype) {
		snprintf(buf, sizeof buf, "Content-Type: %s", q->ctype);
		l = curl_slist_append(l, buf);
	}
	if (q->auth) {
		snprintf(buf, sizeof buf, "Authorization: %s", q->auth);
		l = curl_slist_append(l, buf);
	}
	if (q->extra)
		l = curl_slist_append(l, q->extra);
	l = curl_slist_append(l, "Accept: application/json");
	l = curl_slist_append(l, "Expect:");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, l);
	*hdrs = l;
	return e;
}

static void
pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) == -1)
		;
}

int
http_url_safe(const char *url, char *err, size_t errsize)
{
	if (!strncasecmp(url, "https://", 8))
		return 0;
	if (strncasecmp(url, "http://", 7)) {
		snprintf(err, errsize, "'%.100s' is not an http or https URL", url);
		return -1;
	}
	CURLU *u = curl_url();
	char *host = NULL;
	int ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK;
	if (ok) {
		/* Loopback only: the local sandbox, a local model server. */
		ok = !strcasecmp(host, "localhost") || !strcmp(host, "[::1]") ||
		    (!strncmp(host, "127.", 4) && strspn(host, "0123456789.") == strlen(host));
	}
	curl_free(host);
	curl_url_cleanup(u);
	if (ok)
		return 0;
	snprintf(
	    err, errsize, "refusing plain http to '%.100s': use https (http is only for 127.0.0.1 and localhost)", url);
	return -1;
}

/* Clears q's answer and makes its easy handle (NULL, with err set, when it cannot or
 * may not: plain http to a host that is not loopback). */
static CURL *
begin(struct http *h, struct http_req *q, struct curl_slist **hdrs)
{
	sb_free(&q->resp.body);
	memset(&q->resp, 0, sizeof q->resp);
	q->resp.retry_after = -1;
	*hdrs = NULL;
	if (http_url_safe(q->url, q->resp.err, sizeof q->resp.err) != 0)
		return NULL;
	CURL *e = easy(h, q, hdrs);
	if (!e)
		snprintf(q->resp.err, sizeof q->resp.err, "cannot start a request");
	return e;
}

int
http_pump(struct http *h, int jobs, http_next_fn next, void (*idle)(void *arg), void *arg)
{
	if (jobs < 1)
		jobs = 1;
	int running = 0, rc = 0, stop = 0;
	for (;;) {
		long wait = -1;
		while (running < jobs && !stop) {
			long w = -1;
			struct http_req *q = next(arg, &w);
			if (!q) {
				wait = w;
				break;
			}
			struct curl_slist *hdrs;
			CURL *e = begin(h, q, &hdrs);
			if (!e) {
				if (h->done && h->done(q, h->done_arg))
					stop = 1;
				continue;
			}
			q->priv = hdrs;
			curl_multi_add_handle(h->multi, e);
			running++;
		}
		if (!running) {
			if (stop || wait < 0)
				break;
			pause_ms(wait);
			continue;
		}
		int still, ended = 0;
		if (curl_multi_perform(h->multi, &still) != CURLM_OK) {
			rc = -1;
			break;
		}
		CURLMsg *m;
		int left;
		while ((m = curl_multi_info_read(h->multi, &left))) {
			if (m->msg != CURLMSG_DONE)
				continue;
			CURL *e = m->easy_handle;
			struct http_req *q;
			curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&q);
			if (m->data.result == CURLE_OK)
				curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &q->resp.status);
			else {
				q->resp.status = 0;
				if (!q->resp.err[0])
					snprintf(
					    q->resp.err, sizeof q->resp.err, "%s", curl_easy_strerror(m->data.result));
			}
			curl_multi_remove_handle(h->multi, e);
			curl_easy_cleanup(e);
			curl_slist_free_all(q->priv);
			q->priv = NULL;
			running--;
			ended++;
			if (h->done && h->done(q, h->done_arg))
				stop = 1;
		}
		/* A freed slot is offered to next at once, not at the next socket event (and
		 * once stopped, the loop ends as soon as nothing runs). */
		if (ended)
			continue;
		if (idle)
			idle(arg);
		long t = wait >= 0 && wait < 1000 ? wait : 1000;
		if (curl_multi_poll(h->multi, NULL, 0, (int)t, NULL) != CURLM_OK) {
			rc = -1;
			break;
		}
	}
	return rc;
}

int
http_once(struct http *h, struct http_req *q)
{
	struct curl_slist *hdrs;
	CURL *e = begin(h, q, &hdrs);
	if (!e)
		return -1;
	CURLcode rc = curl_easy_perform(e);
	if (rc == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &q->resp.status);
	else if (!q->resp.err[0])
		snprintf(q->resp.err, sizeof q->resp.err, "%s", curl_easy_strerror(rc));
	curl_easy_cleanup(e);
	curl_slist_free_all(hdrs);
	return 0;
}

struct list {
	struct http_req **reqs;
	int n, next;
};

static struct http_req *
list_next(void *arg, long *wait)
{
	struct list *l = arg;
	return l->next < l->n ? l->reqs[l->next++] : NULL;
}

int
http_run(struct http *h, struct http_req **reqs, int n, int jobs)
{
	struct list l = { reqs, n, 0 };
	int rc = http_pump(h, jobs, list_next, NULL, &l);
	for (int i = l.next; i < n; i++) {
		sb_free(&reqs[i]->resp.body);
		memset(&reqs[i]->resp, 0, sizeof reqs[i]->resp);
		reqs[i]->resp.retry_after = -1;
		snprintf(reqs[i]->resp.err, sizeof reqs[i]->resp.err, "not sent");
	}
	return rc;
}
