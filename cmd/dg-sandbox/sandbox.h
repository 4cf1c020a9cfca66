/* sandbox.h: the pieces of dg-sandbox, a local Salesforce-compatible org.
 *
 *   main.c    options, the HTTP server, dispatch to the parts below
 *   reply.c   what a handler reads of its request, and how it answers
 *   rest.c    the REST API under /services/data (Collections, records, query, limits)
 *   admin.c   faults, the daily limit's gate, the /_sandbox endpoints
 *   org.c     the org's switches (profile, latency, limits), its task picklists, request counts
 *   schema.c  objects and fields (the YAML files in share/dg/sandbox), Ids, describe
 *   store.c   records in SQLite: reads, scans, raw writes, cascading deletes
 *   rules.c   a write as a real org does it: types, required, picklists, events
 *   soql.c    the SOQL subset: tokens and parse
 *   query.c   running a parsed query, results, queryMore cursors
 *   auth.c    the OAuth token endpoint and sessions
 *   bulk.c    Bulk API 2.0 ingest jobs (CSV)
 *   locks.c   the row locks a write takes on its parents (enterprise profile)
 *   sfdx.c    dg's fields and objects as a Salesforce DX source folder (--export-sfdx)
 *   seed.c    the deterministic demo org
 *
 * One mutex (main.c) serialises everything that touches the store, so handlers are
 * written as if single-threaded. */
#ifndef DG_SANDBOX_H
#define DG_SANDBOX_H

#include <jv.h>
#include <stdint.h>
#include <time.h>

#include "sfid.h"
#include "util.h"

/* ---- schema.c ---- */

enum ftype {
	F_ID,
	F_STRING,
	F_TEXTAREA,
	F_PICKLIST,
	F_COMBOBOX,
	F_REFERENCE,
	F_DATE,
	F_DATETIME,
	F_BOOLEAN,
	F_INT,
	F_DOUBLE,
	F_CURRENCY,
	F_PERCENT,
	F_EMAIL,
	F_URL,
	F_PHONE
};

struct obj;

struct field {
	char *name;
	jv key; /* name as a jv string, made once: lookups reuse it */
	enum ftype type;
	int length; /* strings: maximum characters; 0 = none */
	int required, create, update, restricted, custom;
	int unique, external_id; /* a value may be on one live record only; an external ID */
	int cascade;             /* deleting the parent deletes this record */
	char **values;           /* picklist values */
	int nvalues;
	char *ref[4]; /* referenced object names */
	int nref;
	char *rel; /* relationship name, or NULL */
	jv def;    /* default on create, jv_invalid() when none */
};

/* A child relationship: child_obj.field points at the parent; name is e.g. "Contacts". */
struct childrel {
	char *name;
	struct obj *child;
	struct field *field;
};

struct obj {
	char *name, *label, *plural;
	char prefix[4];
	int create, update, del, custom;
	int big; /* more live records than the store keeps parsed (store.c) */
	struct field *fields;
	int nfields;
	struct childrel *children;
	int nchildren;
};

/* Loads the standard objects and then each extra schema file (custom fields and
 * objects). Returns 0, or -1 after printing what is wrong and where. */
int schema_load(int nfiles, char **files);
/* Leaves object name out of the schema loaded next, with its fields in every file
 * (an org without it: Enhanced Email off has no EmailMessage). */
void schema_without(const char *name);
struct obj *schema_obj(const char *name);                             /* case-insensitive; NULL if unknown */
struct obj *schema_obj_prefix(const char *id);                        /* by an Id's key prefix */
struct field *schema_field(const struct obj *o, const char *name);    /* case-insensitive */
struct field *schema_field_rel(const struct obj *o, const char *rel); /* by relationship name */
struct childrel *schema_child(const struct obj *o, const char *name);
int schema_nobjs(void);
struct obj *schema_at(int i);
/* Replaces a picklist's values (NULL-ended) and whether they are restricted: an
 * org's own (--profile enterprise). */
void schema_set_values(const char *object, const char *field, const char *const *values, int restricted);
const char *ftype_name(enum ftype t);
int ftype_is_text(enum ftype t);
int ftype_is_number(enum ftype t);
jv schema_describe(const struct obj *o, const char *ver);
jv schema_global(const char *ver);

/* ---- store.c ---- */

/* One per-record error, in the shape of sObject Collections results. */
jv sf_err(const char *code, const char *msg, jv fields);
/* An array of one such error, on field (or none), with a printf message. */
jv sf_err1(const char *code, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

int store_open(const char *path);
void store_close(void);
int store_is_new(void); /* 1 when the database held no org before this run */
void store_begin(void);
void store_commit(void);
void store_rollback(void);
/* The current time of the org (seconds). */
time_t org_now(void);
/* Fixes the org clock: it reads t now and runs on from there. */
void org_set_now(time_t t);
/* Formats t the way Salesforce returns datetimes: 2026-11-26T10:00:00.000+0000. */
char *fmt_dt(time_t t, char buf[32]);
/* The live children of parent through field (of any object), in creation order. */
jv store_children(const char *parent, const struct field *f);
extern const char *org_user_id; /* the running user (the admin), set once seeded */
extern const char *org_id;

/* Inserts rec (consumed) without rules: for the org's own User and Organization. */
void store_insert_raw(struct obj *o, jv rec, char id[SFID_SIZE]);
/* Writes an existing record's row and references (the rules are the caller's). */
void store_write(struct obj *o, const char *id, jv rec);
/* Deletes the record (soft: a second delete says ENTITY_IS_DELETED). */
jv store_delete(const char *id);
/* Returns the record with this (normalised) Id, or jv_invalid(); *deleted set when
 * deleted is not NULL. */
jv store_get(const char *id, int *deleted);
/* Every record of o, in creation order (deleted ones too when all). Small objects
 * only: a big one is read whole (store_each reads it a record at a time). */
jv store_scan(struct obj *o, int all);
/* Calls fn with each record of o in creation order (deleted ones too when all), the
 * record borrowed for the call; fn returns non-zero to stop. Only the records whose
 * field (Id, or a reference the store indexes: store_indexed) holds one of the n
 * values vals, when field is not NULL. An object of up to store_keep_parsed live
 * records (--keep-parsed, default 20,000) is kept parsed; a bigger one is read from
 * SQLite a record at a time. */
extern long store_keep_parsed;
void store_each(
    struct obj *o, int all, const char *field, const char *const *vals, int n, int (*fn)(jv rec, void *ctx), void *ctx);
/* Whether store_each can find records by this field of o without reading them all. */
int store_indexed(const struct field *f);
/* {"Event": n, ...} live records per object. */
jv store_counts(void);
/* An Id for a record of o that is never reused. */
void store_new_id(struct obj *o, char id[SFID_SIZE]);

/* ---- rules.c ---- */

/* Reads a write's body for o into clean fields (unknown fields and wrong types fail the
 * whole request, as the real deserializer does): returns them, or jv_invalid() with
 * *err set to a one-element error array. in is borrowed. */
jv rules_read(struct obj *o, jv in, jv *err);
/* rec (consumed) with what the org derives, checked against o's rules (self: the
 * record's own Id on update, else NULL); refusals are appended to *errs. */
jv rules_apply(struct obj *o, jv rec, jv *errs, const char *self);
/* Creates a record of o from fields (borrowed). On success returns jv_null() and
 * fills id; otherwise returns an array of sf_err objects. */
jv rules_create(struct obj *o, jv fields, char id[SFID_SIZE]);
/* Updates the record id (fields borrowed, o is NULL or must match); same returns. */
jv rules_update(struct obj *o, const char *id, jv fields);
/* Value fails injected by --fail-when FIELD=VALUE[:CODE]. */
int rules_fail_when(const char *spec);
void rules_fail_clear(void);
jv rules_fail_list(void);

/* ---- soql.c: the parse of a query ---- */

/* Reference fields a path may follow, plus the field itself. */
#define MAXPATH 6

struct path {
	const char *names[MAXPATH]; /* reference field names, then the field */
	const char *rels[MAXPATH];  /* relationship names for output */
	struct field *field;        /* the final field (of the first candidate object) */
	int n;
};

enum lkind { L_STR, L_NUM, L_BOOL, L_NULL, L_TIME };
struct lit {
	enum lkind k;
	const char *s;
	double num;
	int b;
	time_t lo, hi; /* L_TIME: [lo, hi) */
};

enum ckind { C_AND, C_OR, C_NOT, C_CMP, C_IN, C_LIKE };
struct query;
struct cond {
	enum ckind k;
	struct cond *a, *b;
	struct path path;
	char op[3];
	int neg;
	struct lit *vals;
	int nvals;
	struct query *semi;
	jv set; /* semi-join result: object used as a set, filled at run time */
};

enum ikind { I_FIELD, I_SUB };
struct selitem {
	enum ikind k;
	struct path path;
	struct query *sub;
};

struct ord {
	struct path path;
	int desc, nulls_last;
};

struct query {
	struct obj *obj;
	struct childrel *rel;
	struct selitem *items;
	int nitems, count;
	struct cond *where;
	struct ord *ord;
	int nord;
	long limit, offset;
};

struct soql_err {
	const char *code; /* MALFORMED_QUERY, INVALID_FIELD, ... */
	char msg[512];
	int pos; /* 0-based column */
};
/* Parses text; returns its query, allocated in *mem until soql_free(*mem), or NULL
 * with err filled (soql_free(*mem) is still due). */
struct query *soql_parse(const char *text, void **mem, struct soql_err *err);
void soql_free(void *mem);

/* ---- query.c: running it ---- */

/* Runs q; returns the response object, or jv_invalid() with *err set to the REST error
 * array (and *status to the HTTP status). batch is the page size. */
jv soql_run(const char *q, const char *ver, int all, int batch, jv *err, int *status);
/* The query's columns as the API's undocumented ?columns=true describes them
 * (columnMetadata with joinColumns; the Salesforce CLI's `sf data query` asks for
 * them), or jv_invalid() with *err and *status as soql_run. */
jv soql_columns(const char *q, jv *err, int *status);
/* Returns the next page for a locator such as "01gXXXX-2000". */
jv soql_more(const char *locator, const char *ver, jv *err, int *status);

/* ---- sfdx.c ---- */

/* Writes the custom fields and objects of the loaded schema, with a permission set, as
 * a Salesforce DX source folder under dir (sfdx-project.json, force-app/...). Returns
 * 0, or -1 after saying what could not be written. */
int sfdx_export(const char *dir);

/* ---- locks.c ---- */

struct req;

/* Seconds on a monotonic clock. */
double locks_clock(void);
/* Whether a parent rec names is held by another call whose transaction overlaps h's
 * (--profile enterprise only): its write then fails with UNABLE_TO_LOCK_ROW. */
int locks_busy(const struct req *h, jv rec);
/* Holds the parents rec names for h's transaction (arrival to now). */
void locks_take(const struct req *h, jv rec);
void locks_free(void);

/* ---- auth.c ---- */

/* Handles POST /services/oauth2/token with a form body; fills status and returns the
 * JSON response. */
/* generic_host: the request came to the sandbox's stand-in for login.salesforce.com
 * (localhost rather than 127.0.0.1), where --profile enterprise refuses client
 * credentials as a real org's login hosts do. */
jv auth_token(const char *form, const char *basic_auth, const char *base_url, int generic_host, int *status);
/* GET or POST /services/oauth2/userinfo: the session's user (403 for a token this
 * server never issued). */
jv auth_userinfo(const char *authz, const char *base_url, int *status);
/* Checks a bearer token; returns 0 when valid (counting one call against it), -1. */
int auth_check(const char *authz);
/* 0 when authz names a token this server issued, even one its fault injection has
 * since expired (the admin endpoints' check: it counts no call); else -1. */
int auth_known(const char *authz);
void auth_set_expire_after(long n);
long auth_expire_after(void);
void auth_set_jwt_cert(const char *path);
/* The refresh token the sandbox accepts (documented in dg-sandbox(1)). */
#define SANDBOX_REFRESH_TOKEN "5Aep861dgSandboxRefreshToken"
#define SANDBOX_USERNAME "admin@dg.sandbox"
#define SANDBOX_PASSWORD "dg"

/* ---- bulk.c ---- */

struct req;
/* Routes /jobs/ingest[...]; rest is the path after "jobs/ingest". */
void bulk_route(struct req *h, const char *method, const char *rest, const char *ver);

/* ---- seed.c ---- */

/* Fills the empty store with the demo org (with opps > 0: accounts until it has that
 * many opportunities); returns 0 or -1. */
int seed_org(uint64_t seed, int production, int opps);
/* Sets Task.Status and Task.Priority to the profile's task statuses and priorities
 * (the same table the TaskStatus and TaskPriority rows are seeded from). */
void seed_task_picklists_schema(void);
/* Creates only the Organization and the admin user (for --empty). */
int seed_minimal(int production);

/* ---- reply.c: a request, and its answer as a handler builds it ---- */

struct req {
	int status;
	struct sb out;
	const char *ctype;
	const char *body;
	size_t bodylen;
	const char *content_type; /* request Content-Type */
	jv parsed;                /* the JSON body when read before the store's lock (preparsed) */
	int preparsed;
	void *conn;
	const char *location;
	char locbuf[160];
	double t0;   /* when the request arrived (locks_clock) */
	long serial; /* which request it is, from 1 */
};
void reply_json(struct req *h, int status, jv v); /* consumes v */
void reply_error(struct req *h, int status, const char *code, const char *msg);
void reply_errors(struct req *h, int status, jv errs); /* per-record errors → REST array */
const char *req_arg(struct req *h, const char *name);
const char *req_header(struct req *h, const char *name);
/* The request body as JSON; on failure answers 400 (or 415) and returns jv_invalid(). */
jv req_body_json(struct req *h);

/* ---- rest.c ---- */

/* Answers a request under /services/data; path is what follows that. */
void rest_call(struct req *h, const char *method, const char *path, char *limit_info);

/* ---- org.c and admin.c ---- */

/* How much the org refuses: lenient (the default) or as a typical customer org does
 * (--profile enterprise: see dg-sandbox(1) and ../shared/reference/real-orgs.md). */
enum profile { PROFILE_LENIENT, PROFILE_ENTERPRISE };

struct switches {
	enum profile profile;
	int allow_save;   /* this request carries Sforce-Duplicate-Rule-Header: allowSave=true */
	long latency_ms;  /* every data call waits this long first */
	long daily_limit; /* calls a day before REQUEST_LIMIT_EXCEEDED */
	long api_usage;   /* calls so far */
	long faults_injected;
	long row_locks;      /* writes refused because another call held a parent (locks.c) */
	uint64_t fault_seed; /* what KIND%P faults draw from */
	jv stats;            /* route -> count */
};
/* The org's task statuses and priorities, by profile: one table serves the TaskStatus
 * and TaskPriority rows and the Task.Status and Task.Priority picklists (seed.c). */
struct pick {
	const char *name;
	int flag; /* a status: it closes the task; a priority: it is high */
	int def;  /* the default */
};
const struct pick *org_task_statuses(void); /* ends with a NULL name */
const struct pick *org_task_priorities(void);
/* The first closed status and the default priority (what the platform gives the Task it
 * makes for an EmailMessage). */
const char *org_task_closed(void);
const char *org_task_priority(void);
extern struct switches sw;
/* Counts one request of a route (admin stats). */
void stats_count(const char *route);
/* Adds a fault from KIND, KIND@N or KIND%P; -1 when spec is not one. */
int fault_add(const char *spec);
/* Whether the record about to be written gets an injected UNABLE_TO_LOCK_ROW
 * (--fault rowlock@N, the Nth record written, or rowlock%P). */
int fault_row(void);
/* Whether the Bulk API 2.0 job about to be processed fails half-way (--fault
 * bulkfail@N, the Nth job, or bulkfail%P). */
int fault_job(void);
/* The daily limit and injected faults before a data call: 1 when one answered. */
int admin_gate(struct req *h, char *limit_info);
/* Routes /_sandbox/stats and /_sandbox/faults. */
void admin_route(struct req *h, const char *method, const char *rest);

#endif
