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
	jv ids;          /* --delete: the Ids to delete, in order of reading */
	const char *tag;
	int del;
	int reconcile;
	int from_org;    /* --delete --from-org: find dg's records by the tag field */   /* look in the org for what an interrupted run created */
	long jobs;
	long failed;     /* records Salesforce refused */
	jv fields;       /* object -> {field: true} for the objects described */
	double t0;       /* when talking to the org began (seconds, monotonic) */
};

/* Collects the Ids to delete from one input line ({"Id"|"id": ...}, such as dg-push
 * --delete's own output, or a deal record with sf blocks); returns 0, or 1 when it
 * holds none. */
int push_collect_ids(struct push *p, jv rec, const char *where);
/* Refuses a production org unless allowed; returns 0, or an exit status. */
int push_guard(struct push *p, int allow);
/* Creates everything the deals plan, then writes the deals out with sf blocks;
 * returns 0, or an exit status when the run had to stop. */
int push_create(struct push *p);
/* Deletes p->ids, children first; writes one line per Id. */
int push_delete(struct push *p);
/* Seconds on a monotonic clock. */
double push_clock(void);

#endif
