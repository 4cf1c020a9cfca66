/* locks.c: the row locks a write takes on its parents (--profile enterprise). A real
 * org locks the opportunity, account, contact or event a child names for as long as
 * the transaction writing it runs; a second call writing a child of the same parent
 * meanwhile gets UNABLE_TO_LOCK_ROW for that record, inside its HTTP 200. Here a
 * call's transaction runs from its arrival to its answer (latency included), and two
 * calls collide when those spans overlap on a parent. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jsonl.h"
#include "sandbox.h"

/* The fields whose value is a parent the write locks. */
static const char *const parents[] = { "WhatId", "WhoId", "AccountId", "OpportunityId", "EventId", "TaskId", NULL };

/* {parent Id: [start, end, request]} of the last transaction that held each. */
static jv held;

double
locks_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
locks_busy(const struct req *h, jv rec)
{
	if (sw.profile != PROFILE_ENTERPRISE || !h->serial || !jv_is_valid(held))
		return 0;
	for (int i = 0; parents[i]; i++) {
		const char *p = jx_str(rec, parents[i]);
		jv w = p ? jv_object_get(jv_copy(held), jv_string(p)) : jv_invalid();
		int busy = jv_get_kind(w) == JV_KIND_ARRAY && (long)jv_number_value(jx_at(w, 2)) != h->serial &&
		    jv_number_value(jx_at(w, 1)) > h->t0;
		jv_free(w);
		if (busy) {
			sw.row_locks++;
			return 1;
		}
	}
	return 0;
}

void
locks_take(const struct req *h, jv rec)
{
	if (sw.profile != PROFILE_ENTERPRISE || !h->serial)
		return;
	if (!jv_is_valid(held))
		held = jv_object();
	double now = locks_clock();
	for (int i = 0; parents[i]; i++) {
		const char *p = jx_str(rec, parents[i]);
		if (p)
			held = jv_object_set(held, jv_string(p),
			    JV_ARRAY(jv_number(h->t0), jv_number(now), jv_number((double)h->serial)));
	}
	/* Forget what no call still in flight can overlap (a call lives a few minutes at
	 * most), so the table stays small. */
	if (jv_object_length(jv_copy(held)) > 100000) {
		jv keep = jv_object();
		jv_object_foreach(held, k, w)
		{
			if (jv_number_value(jx_at(w, 1)) > now - 600)
				keep = jv_object_set(keep, k, w);
			else {
				jv_free(k);
				jv_free(w);
			}
		}
		jv_free(held);
		held = keep;
	}
}

void
locks_free(void)
{
	if (jv_is_valid(held))
		jv_free(held);
	held = jv_invalid();
}
