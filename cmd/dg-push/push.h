/* push.h: dg-push's state and steps (push.c). */
#ifndef DG_PUSH_H
#define DG_PUSH_H

#include <jv.h>

struct dg_config;
struct sf;

struct push {
	const struct dg_config *cfg;
	struct sf *sf;
	jv deals;        /* the records read, in order */
	jv seen;         /* 18-character opportunity Id -> its index in deals */
	jv ids;          /* --delete: the Ids to delete, in order of reading */
	const char *tag;
	int del;
	int reconcile;   /* look in the org for what an interrupted run created */
	int from_org;    /* --delete --from-org: find dg's records by the tag field */
	int allow;       /* --allow-production */
	long jobs;
	long failed;     /* records Salesforce refused */
	jv fields;       /* object -> {field: true} for the objects described */
	double t0;       /* when talking to the org began (seconds, monotonic) */
	void *sched;     /* push.c's plan, from push_plan to the end of push_create */
	char lock_id[19]; /* the org's DG_Lock__c record while this run holds it */
	int task_rel;    /* the org has TaskRelation (Shared Activities): emails relate their cc */
};

/* Takes the org's run lock (lock.c) before anything is written, waiting up to
 * push.lock_wait seconds for another run's; sets p->reconcile when another run wrote
 * or was killed meanwhile. Returns 0 (also when the org has no DG_Lock__c), or -1
 * after saying why. push_unlock lets it go. */
int push_lock(struct push *p);
void push_unlock(struct push *p);
/* Whether the org's object has the field (one describe per object, kept). */
int push_has_field(struct push *p, const char *object, const char *field);

/* Collects the Ids to delete from one input line ({"Id"|"id": ...}, such as dg-push
 * --delete's own output, or a deal record with sf blocks); returns 0, or 1 when it
 * holds none. */
int push_collect_ids(struct push *p, jv rec, const char *where);
int push_guard(struct push *p);
/* Plans the items of every deal read, as far as it can without the org (push_create
 * does it when not done before). */
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

#endif
