/* push.h: dg-push's one private header. The run (struct push) and its steps, then the
 * parts they share, by file:
 *
 *   main.c       options, the order of the steps
 *   window.c     reading deals as room frees, writing each out once it has answers
 *   org.c        the objects dg writes, the production guard, describe (fields)
 *   lock.c       one run at a time per org (DG_Lock__c)
 *   build.c      the items: one per record that may be sent, and its fields
 *   sched.c      what is ready to send, and what an answer makes ready next
 *   calls.c      Collections calls, the run from plan to output
 *   bulk.c       Bulk API 2.0 jobs for large loads of one object
 *   reconcile.c  what an interrupted run created but never recorded
 *   results.c    answers into the records' sf blocks; the report
 *   delete.c     --delete
 */
#ifndef DG_PUSH_H
#define DG_PUSH_H

#include <jv.h>

#include "config.h"
#include "jsonl.h"
#include "sf.h"
#include "sfid.h"

struct dg_config;
struct sf;

struct push {
	const struct dg_config *cfg;
	struct sf *sf;
	struct jsonl_reader in; /* the input, read as the push goes (window.c) */
	int eof, read_failed;   /* all of it read; a file could not be read */
	long refused;           /* input lines refused (not deals, given twice too late) */
	jv deals;               /* the deals read and not yet written out: deal number base + i */
	int base;               /* the number (0, 1, ... in input order) of deals[0] */
	jv seen;                /* 18-character opportunity Id -> its deal number */
	jv ids;                 /* --delete: the Ids to delete, in order of reading */
	jv restores;            /* --delete: records to put back: [{id, object, fields}] */
	const char *tag;
	int del;
	int reconcile; /* look in the org for what an interrupted run created */
	int refresh;   /* update what the org has when the plan changed it (blocks "changed") */
	int from_org;  /* --delete --from-org: find dg's records by the tag field */
	int allow;     /* --allow-production */
	long jobs;
	long failed;             /* records Salesforce refused */
	jv fields;               /* object -> {field: true} for the objects described */
	jv readonly;             /* object -> {field: true}: createable, not updateable */
	double t0;               /* when talking to the org began (seconds, monotonic) */
	struct sched *sched;     /* calls.c's plan, from push_plan to the end of push_create */
	char lock_id[SFID_SIZE]; /* the org's DG_Lock__c record while this run holds it */
	int task_rel;            /* the org has TaskRelation (Shared Activities): emails relate their cc */
	int task_rel_known;      /* task_rel was asked (when the first email with people in copy came) */
	/* The org's own task picklists (TaskStatus, TaskPriority): a past email's closed
	 * status, an upcoming one's open status, the default priority. */
	struct sf_task_picks picks;
	jv types; /* object -> the values its restricted Type picklist allows */
};

/* Takes the org's run lock (lock.c) before anything is written, waiting up to
 * push.lock_wait seconds for another run's; sets p->reconcile when another run wrote
 * or was killed meanwhile. Returns 0 (also when the org has no DG_Lock__c), or -1
 * after saying why. push_unlock lets it go. */
int push_lock(struct push *p);
void push_unlock(struct push *p);

/* Collects the Ids to delete from one input line ({"Id"|"id": ...}, such as dg-push
 * --delete's own output, or a deal record with sf blocks); returns 0, or 1 when it
 * holds none. */
int push_collect_ids(struct push *p, jv rec, const char *where);
int push_guard(struct push *p);
/* Reads the first deals (a window's worth) and plans their items as far as it can
 * without the org (push_create does it when not done before). */
void push_plan(struct push *p);
/* Asks the org, in one wave of calls, whether it is a sandbox and which fields the
 * objects dg writes have. Returns 0, or an exit status: a production org is refused
 * (2) unless p->allow. Both steps below need it done.
 * Creates everything the deals plan, then writes the deals out with sf blocks;
 * returns 0, or an exit status when the run had to stop. */
int push_create(struct push *p);
/* Frees what push_plan made, when push_create did not. */
void push_free(struct push *p);
/* Deletes p->ids, children first; writes one line per Id. */
int push_delete(struct push *p);
/* Seconds on a monotonic clock. */
double push_clock(void);

/* Whether the org's object has the field (one describe per object, kept). */
int push_has_field(struct push *p, const char *object, const char *field);
/* Whether the org lets the field be set on create but not changed (an update leaves it
 * out: Task.TaskSubtype, a relation's ends). */
int push_readonly(struct push *p, const char *object, const char *field);
/* Whether activity item ev, answered, has its relations planned: created or found now,
 * there already (with --reconcile: some may be missing), or refreshed (--refresh: the
 * plan may relate someone new). Those the org has are left as they are. */
struct item;
int push_relating(const struct push *p, const struct item *ev);
/* Whether emails are written as EmailMessage (push.email_as: emailmessage), not Task. */
int push_email_message(const struct push *p);
/* Deal number i, read and not yet written out (borrowed). */
jv push_deal(struct push *p, int i);

/* ---- org.c ---- */

/* The objects dg-push writes, in the order its report lists them. */
#define NOBJ 10
extern const char *const push_objects[NOBJ];
/* What dg tags, children first. */
#define NTAGGED 6
extern const char *const push_tagged[NTAGGED];
/* Keeps the createable fields of a describe answer d (borrowed; none when it failed). */
void org_keep_fields(struct push *p, const char *object, jv d);
/* rec (consumed) with the run's tag, where the org's object has the tag field. */
jv org_tag(struct push *p, const char *object, jv rec);
/* Whether the object's Type picklist takes value (always, when it is not restricted). */
int org_type_ok(struct push *p, const char *object, const char *value);

/* ---- build.c ---- */

enum kind { K_CONTACT, K_ROLE, K_EVENT, K_TASK, K_REL, K_SCORE };
/* S_FOUND: made by an interrupted run of dg's; S_MATCHED: the org's own record that a
 * duplicate rule named instead of a planned contact (used, never recorded or deleted). */
enum status { S_NONE, S_CREATED, S_UPDATED, S_SKIPPED, S_FAILED, S_FOUND, S_MATCHED, S_NSTATUS };

struct item {
	enum kind kind;
	int deal, idx, rel;
	int parent;           /* a relation's Event or Task (an item index) */
	int rel_first, rel_n; /* an Event's or Task's relation items */
	const char *object;
	jv fields;      /* what is sent; jv_invalid() when nothing is (yet) */
	int update;     /* a PATCH of an existing record (the scorecard fields) */
	int related;    /* an Event or Task whose relations are planned */
	int waiting;    /* refers to a planned contact still being created */
	int reconciled; /* looked for in the org already */
	int sent;       /* in a call or a Bulk job */
	int tries;      /* calls it went out in that the org could not lock it in */
	char id[SFID_SIZE];
	enum status status;
	jv error;  /* {code, message, fields} */
	jv before; /* an update's fields as the org had them (from the deal's record), for
	            * dg reset to put back; an object, else none */
};

struct items {
	struct item *v;
	int n, cap;
};

/* Ready items wait in queues by what they unblock (queue_of in sched.c): contacts
 * first, then meetings and emails (a deal's together), then contact roles and
 * relations; updates (the scorecards) apart. */
enum { Q_CONTACTS, Q_ACTIVITIES, Q_RELATIONS, Q_UPDATES, NQUEUE };

/* A deal in the window (window_deal): its planned items are first .. first + n - 1
 * (its relations are planned later, after them); contacts_left of its planned
 * contacts are being created, and what names them waits. */
struct dealw {
	int first, n;
	int contacts_left;
};

/* What the sending keeps: the items, the planned contacts' Ids, what is ready. */
struct sched {
	struct push *p;
	struct items v;
	jv keys;        /* planned contact key -> Id */
	jv pending;     /* planned contact key -> true while that contact is being created */
	int *q[NQUEUE]; /* ready items by priority, then updates */
	int qn[NQUEUE], qcap[NQUEUE], qhead[NQUEUE];
	long live[NQUEUE];  /* ready items in each queue not yet taken */
	long creates;       /* ready creates */
	long updates;       /* ready updates */
	long per_obj[NOBJ]; /* ready creates by object */
	int producers;      /* contacts and Events out whose answers make more ready */
	struct bulk *bulks; /* Bulk jobs under way */
	struct dealw *dw;   /* the deals in the window: deal d is dw[d - p->base] */
	int ndw, capdw;
	int built;         /* deals whose items are planned (numbers below it) */
	int emitted;       /* deals written out so far (in input order) */
	long done_items;   /* items of deals written out, until window_compact drops them */
	long cap;          /* items of deals not written out that make the window full */
	struct call **out; /* the Collections calls out (their item indices move on compaction) */
	int nout, capout;
	long counts[NOBJ][S_NSTATUS]; /* the records written out, by object and status */
	jv fails;                     /* the first failures' messages */
};

/* Adds an item; s->v.v may move, so callers keep indices, not pointers, across calls. */
int item_add(struct items *it, enum kind k, int deal, int idx, const char *object);
/* Marks x failed with Salesforce's code, message and fields (consumed). */
void item_fail(struct item *x, const char *code, const char *msg, jv fields);
/* Where an object is in push_objects (the last for an unknown one). */
int object_index(const char *object);
/* The element of x's deal that x stands for (list "contacts" or "activities"), and the
 * deal's opportunity in *opp (all borrowed). */
jv item_part(struct sched *s, const struct item *x, const char *list, jv *opp);
/* The key of the planned contact a K_CONTACT item stands for (borrowed). */
const char *item_contact_key(struct sched *s, const struct item *x);
/* Whether an Event's or a Task's answer plans relations. */
int item_has_relations(struct sched *s, const struct item *x);
/* Whom activity item x relates, in sf_related's order (a new array). */
jv item_related(struct sched *s, const struct item *x);
/* One item per planned record of deal d. */
void build_items(struct sched *s, int d);
/* Builds item i's fields, or marks it waiting, skipped or failed. */
void build_item(struct sched *s, int i);
/* An Event's or Task's fields (consumed and returned) with what depends on the org's
 * picklists (known once push_guard has run): Type, a Task's Status and Priority. */
jv build_org_fields(struct sched *s, const struct item *x, jv f);
/* Plans (and builds) the relations of Event or Task i once it has its Id. */
void build_relations(struct sched *s, int i);

/* ---- sched.c ---- */

/* One call out: a Collections call of items, or a step of a Bulk job. */
struct call {
	struct sf_call c; /* first: sf_pump hands it back */
	int *items, n;    /* a Collections call: its items, in the order sent */
	int upd;
	struct bulk *b; /* or a step of this Bulk job (bulk.c) */
	int step;
	int ok; /* the successful results (else the failed) */
};

/* A call (path and body are taken over). */
struct call *call_new(const char *method, char *path, char *body);
/* Queues item i if it has something to send; what dg creates gets the run's tag. */
void sched_ready(struct sched *s, int i);
/* Marks item i as handed to a call or a Bulk job. */
void sched_take(struct sched *s, int i);
/* Item i has its answer: what waited for it may now be ready. */
void sched_finished(struct sched *s, int i);
/* Item i went out and is to go out again (the org could not lock it): it is queued
 * behind what is ready now. */
void sched_retry(struct sched *s, int i);

/* ---- bulk.c ---- */

/* Starts the jobs that are due, and returns the next step of one that can make it now;
 * else NULL, with the time of the soonest poll in *soonest (left alone if none). */
struct call *bulk_next(struct sched *s, double *soonest);
/* A job's step answered: on to its next step, or its end. */
void bulk_answer(struct sched *s, struct call *k);
/* While calls are out: prepares what a job will upload. */
void bulk_idle(struct sched *s);
/* The run is over: every job ends and is freed; one left half way says so. */
void bulk_stop(struct sched *s);
/* The jobs' items after window_compact's map m (-1: written out, its answer in). */
void bulk_remap(struct sched *s, const int *m);

/* ---- reconcile.c ---- */

/* Marks the items to be created that already exist in the org as found. */
void reconcile_items(struct push *p, struct items *v);

/* ---- results.c ---- */

/* Item x's answer into its deal record (consumed and returned). */
jv result_apply(jv deal, const struct item *x);
/* Counts the failures into p->failed and tells them, then the totals by object. */

/* ---- window.c ---- */

/* The window's record of deal d (read, not yet written out). */
static inline struct dealw *
window_deal(struct sched *s, int d)
{
	return &s->dw[d - s->p->base];
}
/* Reads deals while the window has room and plans their items; with ready (the org
 * known), prepares and queues them too (window_prepare). */
void window_admit(struct sched *s, int ready);
/* Passes the input not read yet on unchanged (a push stopped early). */
void window_drain(struct sched *s);
/* Writes out, in input order, the deals whose records all have their answers (all of
 * them when all is true), and drops what is written out when that is worth it. */
void window_emit(struct sched *s, int all);
/* Drops the items and deals written out; keeps every index that is still used. */
void window_compact(struct sched *s);
/* Says the failures kept and the records written, by object. */
void window_report(struct sched *s);
/* Items from on (just planned): the scorecards built, emails' relations known, what an
 * earlier run made found (--reconcile), then queued. */
void window_prepare(struct sched *s, int from);

#endif
