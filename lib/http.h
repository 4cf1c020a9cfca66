/* http.h: HTTP through libcurl: one request or many in flight at once (curl multi),
 * keep-alive, gzip, timeouts, TLS verification always on (a CA bundle may be named). */
#ifndef DG_HTTP_H
#define DG_HTTP_H

#include <stddef.h>

#include "util.h"

struct http_opts {
	const char *ca_bundle; /* NULL: the system's CA store */
	long timeout;          /* seconds for a whole request; 0: 120 */
};

struct http_resp {
	long status; /* 0 when no answer came (see err) */
	struct sb body;
	char limit_info[128]; /* Sforce-Limit-Info, or "" */
	double retry_after;   /* seconds from Retry-After / retry-after-ms, or -1 */
	char ctype[96];
	char err[256]; /* libcurl's reason when status is 0 */
};

struct http_req {
	const char *method; /* GET, POST, PATCH, PUT, DELETE */
	char *url;          /* owned by the caller */
	const char *ctype;  /* request Content-Type, or NULL */
	const char *auth;   /* full Authorization header value, or NULL */
	const char *extra;  /* one more header line, or NULL */
	const char *body;   /* borrowed; NULL for none */
	size_t bodylen;
	struct http_resp resp;
	void *user; /* for the caller */
	void *priv; /* http.c's, while the request runs */
};

struct http;

/* Called after each request of http_run completes (progress reports, early stops);
 * returning non-zero stops http_run from starting the requests not yet sent (they get
 * status 0 and err "not sent"). */
typedef int (*http_done_fn)(struct http_req *q, void *arg);

/* A client with its own connection cache. Returns NULL when libcurl cannot start. */
struct http *http_new(const struct http_opts *o);
void http_free(struct http *h);

/* Performs reqs[0..n), at most jobs at a time, and fills each resp (cleared first).
 * Returns 0, or -1 when libcurl itself failed (not for HTTP errors). */
int http_run(struct http *h, struct http_req **reqs, int n, int jobs);

/* Performs one request on its own, outside any running http_run or http_pump (a new
 * login while calls are in flight). Returns 0, or -1 when it could not start. */
int http_once(struct http *h, struct http_req *q);

/* Asked for a request whenever fewer than jobs are running: returns one, or NULL with
 * *wait_ms set to when to ask again (-1: only after a running request ends). */
typedef struct http_req *(*http_next_fn)(void *arg, long *wait_ms);
/* Performs the requests next hands out, at most jobs at a time, as they come: a slot
 * freed by a finished request is offered to next at once, so a caller can hand out
 * work that the answers just made possible. idle (may be NULL) is called each time
 * before waiting on the network, for work that can wait. Ends when next has nothing
 * and nothing is running, or, after the done function asked to stop, when the running
 * ones end. Returns 0, or -1 when libcurl itself failed. */
int http_pump(struct http *h, int jobs, http_next_fn next, void (*idle)(void *arg), void *arg);
/* Sets the function http_run calls as each request completes (NULL: none). */
void http_on_done(struct http *h, http_done_fn fn, void *arg);

/* Returns 0 when url may be used: https, or plain http to a loopback host (127.0.0.0/8,
 * localhost, [::1]); else -1 with the reason in err. Every request is checked so. */
int http_url_safe(const char *url, char *err, size_t errsize);

/* Frees what a response holds (its body). */
void http_resp_free(struct http_resp *r);

/* Returns s with every byte outside [A-Za-z0-9-._~] %-escaped (malloc'd). */
char *http_escape(const char *s);

#endif
