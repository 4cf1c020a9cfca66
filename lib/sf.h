/* sf.h: the Salesforce client: login (every flow dg supports), REST calls with
 * retries, many calls in flight, queries followed to the end, and SOQL quoting.
 *
 * Credentials come from the environment (or the Salesforce CLI) and never appear in
 * messages. A 401 INVALID_SESSION_ID gets one new token and the call is repeated
 * once; connection errors, 5xx, SERVER_UNAVAILABLE and UNABLE_TO_LOCK_ROW are retried
 * with exponential backoff and jitter, honouring Retry-After; a daily
 * REQUEST_LIMIT_EXCEEDED stops the client (sf->limit_hit) and is not retried. */
#ifndef DG_SF_H
#define DG_SF_H

#include <jv.h>

#include "http.h"

/* Records in one sObject Collections call (create, update or delete), and Ids in one
 * SOQL IN list kept well under the 16,384-byte request line. */
#define SF_BATCH 200

struct sf_conf {
	const char *api_version; /* "60.0" */
	const char *login_url;   /* NULL: $SF_LOGIN_URL, else https://login.salesforce.com */
	const char *target_org;  /* use `sf org display --target-org` */
	const char *ca_bundle;
	long timeout;       /* seconds per request */
	long retries;       /* retries per call after the first try */
	long retry_base_ms; /* first backoff */
};

struct sf {
	struct sf_conf c;
	char *login_url, *instance, *token, *auth_header;
	const char *flow; /* which login was used, for messages */
	int can_relogin;
	long calls;             /* HTTP requests made to the org (retries included) */
	long api_used, api_max; /* from the last Sforce-Limit-Info; -1 when unknown */
	int limit_hit;          /* a daily REQUEST_LIMIT_EXCEEDED was seen */
	/* Called with a call's weight when it ends in a 2xx answer (progress reports). */
	void (*progress)(long weight, void *arg);
	void *progress_arg;
	struct http *http;
	int pumping; /* sf_pumps running (one inside another's callbacks gets its own connection) */
};

/* One REST call for sf_calls. path is relative to the instance ("/services/data/...")
 * or a "/vNN.N"-less path such as "/query?q=..." (then the API version is added).
 * After sf_calls, status/body/errors describe the final answer. */
struct sf_call {
	const char *method;
	char *path;        /* owned by the caller */
	char *body;        /* owned by the caller, or NULL */
	const char *ctype; /* default application/json when there is a body */
	const char *extra; /* one more header line, or NULL */
	int weight;        /* records it carries, for progress reports */
	struct http_resp resp;
	int attempts;
	void *user;
};

/* Logs in with the first flow the configuration and environment allow:
 * --target-org; SF_ACCESS_TOKEN + SF_INSTANCE_URL; SF_REFRESH_TOKEN; SF_JWT_KEY_FILE;
 * SF_USERNAME + SF_PASSWORD; SF_CLIENT_ID + SF_CLIENT_SECRET (client credentials).
 * Returns 0, or -1 after writing why into err (never a secret). */
int sf_open(struct sf *sf, const struct sf_conf *c, char *err, size_t errsize);
void sf_close(struct sf *sf);

/* Runs calls[0..n) with up to jobs in flight, retrying as described above. Returns
 * the number of calls that did not end in a 2xx answer. */
int sf_calls(struct sf *sf, struct sf_call *calls, int n, int jobs);

/* Hands out the next call ready to send, or NULL with *wait_ms set to when to ask
 * again (-1: only after a call ends). */
typedef struct sf_call *(*sf_next_fn)(void *arg, long *wait_ms);
/* Called once per call with its final answer (after any retries). */
typedef void (*sf_done_fn)(struct sf_call *c, void *arg);
/* Runs the calls next hands out as they come, up to jobs in flight, retrying each as
 * described above without holding up the others; done may make new calls ready;
 * idle (may be NULL) is called while calls are out, for work that can wait. Ends
 * when next has nothing more and nothing runs, or at the daily limit. Returns 0, or
 * -1 when libcurl itself failed. */
int sf_pump(struct sf *sf, int jobs, sf_next_fn next, sf_done_fn done, void (*idle)(void *arg), void *arg);
void sf_call_free(struct sf_call *c);

/* One call; returns its body parsed (jv_null() when empty) or jv_invalid() with the
 * reason in err ("HTTP 400: MALFORMED_QUERY: ..."). *status gets the HTTP status. */
jv sf_request(
    struct sf *sf, const char *method, const char *path, const char *body, long *status, char *err, size_t errsize);

/* Runs a SOQL query and calls fn with each record (borrowed), following
 * nextRecordsUrl to the end. Returns the number of records, or -1 with err set. */
long sf_query(struct sf *sf, const char *soql, int (*fn)(jv rec, void *ctx), void *ctx, char *err, size_t errsize);
/* The same through /queryAll: archived activities too (a real org hides Events and
 * closed Tasks a year old from /query), and deleted records (select IsDeleted = false
 * to leave those out). */
long sf_query_all(struct sf *sf, const char *soql, int (*fn)(jv rec, void *ctx), void *ctx, char *err, size_t errsize);

/* The SOQL string literal for s, quoted and escaped (malloc'd): 'O\'Brien'. */
char *sf_quote(const char *s);

/* One of several queries sent together (sf_queries). */
struct sf_query {
	const char *soql;
	int (*fn)(jv rec, void *ctx); /* each record, as sf_query hands them */
	void *ctx;
	long n; /* after: the records, or -1 with err set */
	char err[512];
};
/* Runs queries qs[0..n) with up to jobs in flight (through /queryAll when all): their
 * first pages in one wave, any further pages after, one query at a time. fn is called
 * in qs order, never at once. Returns the number of queries that failed. */
int sf_queries(struct sf *sf, int all, struct sf_query *qs, int n, int jobs);

/* The JWT audience for a login URL: https://test.salesforce.com for test.salesforce.com
 * and sandbox My Domain hosts (*.sandbox.my.salesforce.com, or NAME--SANDBOX.my.
 * salesforce.com), else https://login.salesforce.com (never the My Domain host itself).
 * SF_JWT_AUDIENCE, when set, wins over it. */
const char *sf_jwt_audience(const char *login_url);

/* The org's own task picklists: its first closed TaskStatus (for what happened), its
 * default open one (for what is to come), its default TaskPriority. */
struct sf_task_picks {
	char closed[128], open[128], priority[128];
};
#define SF_TASKSTATUS_PATH \
	"/query?q=SELECT+ApiName%2C+MasterLabel%2C+IsClosed%2C+IsDefault+FROM+TaskStatus+ORDER+BY+SortOrder"
#define SF_TASKPRIORITY_PATH "/query?q=SELECT+ApiName%2C+MasterLabel%2C+IsDefault+FROM+TaskPriority+ORDER+BY+SortOrder"
/* Reads them from the answers to SF_TASKSTATUS_PATH and SF_TASKPRIORITY_PATH (borrowed;
 * an answer that is not one leaves a new org's defaults: Completed, Not Started,
 * Normal). */
void sf_task_picks(jv statuses, jv priorities, struct sf_task_picks *out);

/* The first error of an error answer as "CODE: message" (malloc'd), from a REST error
 * array, an OAuth error object, or the HTTP status. */
char *sf_error_text(const struct http_resp *r);

#endif
