/* sandbox.h: the pieces of dg-sandbox, a local Salesforce-compatible org.
 *
 *   main.c    options, the HTTP server, routing, faults, stats
 *   schema.c  objects and fields (the YAML files in share/dg/sandbox), Ids, describe
 *   store.c   records in SQLite, validation and the write rules of a real org
 *   soql.c    the SOQL subset: parse, evaluate, shape results
 *   auth.c    the OAuth token endpoint and sessions
 *   bulk.c    Bulk API 2.0 ingest jobs (CSV)
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
	F_ID, F_STRING, F_TEXTAREA, F_PICKLIST, F_COMBOBOX, F_REFERENCE, F_DATE, F_DATETIME,
	F_BOOLEAN, F_INT, F_DOUBLE, F_CURRENCY, F_PERCENT, F_EMAIL, F_URL, F_PHONE
};

struct obj;

struct field {
	char *name;
	jv key;                /* name as a jv string, made once: lookups reuse it */
	enum ftype type;
	int length;            /* strings: maximum characters; 0 = none */
	int required, create, update, restricted, custom;
	int unique, external_id; /* a value may be on one live record only; an external ID */
	int cascade;           /* deleting the parent deletes this record */
	char **values;         /* picklist values */
	int nvalues;
	char *ref[4];          /* referenced object names */
	int nref;
	char *rel;             /* relationship name, or NULL */
	jv def;                /* default on create, jv_invalid() when none */
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
	struct field *fields;
	int nfields;
	struct childrel *children;
	int nchildren;
};

/* Loads the standard objects and then each extra schema file (custom fields and
 * objects). Returns 0, or -1 after printing what is wrong and where. */
int schema_load(int nfiles, char **files);
struct obj *schema_obj(const char *name);           /* case-insensitive; NULL if unknown */
struct obj *schema_obj_prefix(const char *id);      /* by an Id's key prefix */
struct field *schema_field(const struct obj *o, const char *name); /* case-insensitive */
struct field *schema_field_rel(const struct obj *o, const char *rel); /* by relationship name */
struct childrel *schema_child(const struct obj *o, const char *name);
int schema_nobjs(void);
struct obj *schema_at(int i);
const char *ftype_name(enum ftype t);
int ftype_is_text(enum ftype t);
int ftype_is_number(enum ftype t);
jv schema_describe(const struct obj *o, const char *ver);
jv schema_global(const char *ver);

/* ---- store.c ---- */

/* One per-record error, in the shape of sObject Collections results. */
jv sf_err(const char *code, const char *msg, jv fields);

int store_open(const char *path);
void store_close(void);
int store_is_new(void);           /* 1 when the database held no org before this run */
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

/* Creates a record of o from fields (borrowed). On success returns jv_null() and
 * fills id; otherwise returns an array of sf_err objects. */
/* Reads a write's body for o into clean fields (unknown fields and wrong types fail the
 * whole request, as the real deserializer does): returns them, or jv_invalid() with
 * *err set to a one-element error array. in is borrowed. */
jv store_read(struct obj *o, jv in, jv *err);
jv store_create(struct obj *o, jv fields, char id[19]);
/* Inserts rec (consumed) without rules: for the org's own User and Organization. */
void store_insert_raw(struct obj *o, jv rec, char id[19]);
/* Updates the record id (fields borrowed, o is NULL or must match); same returns. */
jv store_update(struct obj *o, const char *id, jv fields);
/* Deletes the record (soft: a second delete says ENTITY_IS_DELETED). */
jv store_delete(const char *id);
/* Returns the record with this (normalised) Id, or jv_invalid(); *deleted set when
 * deleted is not NULL. */
jv store_get(const char *id, int *deleted);
/* Every record of o, in creation order (deleted ones too when all). */
jv store_scan(struct obj *o, int all);
/* {"Event": n, ...} live records per object. */
jv store_counts(void);
/* An Id for a record of o that is never reused. */
void store_new_id(struct obj *o, char id[19]);
/* Value fails injected by --fail-when FIELD=VALUE[:CODE]. */
int store_fail_when(const char *spec);
void store_fail_clear(void);
jv store_fail_list(void);

/* ---- soql.c ---- */

/* Runs q; returns the response object, or jv_invalid() with *err set to the REST error
 * array (and *status to the HTTP status). batch is the page size. */
jv soql_run(const char *q, const char *ver, int all, int batch, jv *err, int *status);
/* Returns the next page for a locator such as "01gXXXX-2000". */
jv soql_more(const char *locator, const char *ver, jv *err, int *status);

/* ---- auth.c ---- */

/* Handles POST /services/oauth2/token with a form body; fills status and returns the
 * JSON response. */
jv auth_token(const char *form, const char *basic_auth, const char *base_url, int *status);
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

struct http;
/* Routes /jobs/ingest[...]; rest is the path after "jobs/ingest". */
void bulk_route(struct http *h, const char *method, const char *rest, const char *ver);

/* ---- seed.c ---- */

/* Fills the empty store with the demo org; returns 0 or -1. */
int seed_org(uint64_t seed, int production);
/* Creates only the Organization and the admin user (for --empty). */
int seed_minimal(int production);

/* ---- main.c: what handlers use to answer ---- */

struct http {
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
};
void http_json(struct http *h, int status, jv v);            /* consumes v */
void http_error(struct http *h, int status, const char *code, const char *msg);
void http_errors(struct http *h, int status, jv errs);       /* per-record errors → REST array */
const char *http_arg(struct http *h, const char *name);
const char *http_header(struct http *h, const char *name);

#endif
