/* sched.c: what is ready to send: the queues of items whose fields are built, what a
 * call or a Bulk job takes from them, and what an answer makes ready next. calls.c and
 * bulk.c both draw on it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonl.h"
#include "push.h"
#include "sf.h"
#include "sfblocks.h"
#include "sfid.h"
#include "util.h"

static int
queue_of(const struct item *x)
{
	if (x->update)
		return Q_UPDATES;
	/* Meetings and emails share a queue, so that a deal's activities go out together
	 * (see deal_splits in calls.c). */
	switch (x->kind) {
	case K_CONTACT: return Q_CONTACTS;
	case K_ROLE:
	case K_REL: return Q_RELATIONS;
	default: return Q_ACTIVITIES;
	}
}

/* Queues item i if it has something to send; what dg creates gets the run's tag. */
void
sched_ready(struct sched *s, int i)
{
	struct item *x = &s->v.v[i];
	if (x->status != S_NONE || x->waiting || x->sent || !jv_is_valid(x->fields))
		return;
	if (!x->update && x->kind != K_REL)
		x->fields = org_tag(s->p, x->object, x->fields);
	if (x->kind == K_EVENT || (x->kind == K_TASK && strcmp(x->object, "EmailMessage")))
		x->fields = build_org_fields(s, x, x->fields);
	int c = queue_of(x);
	if (s->qn[c] == s->qcap[c]) {
		s->qcap[c] = s->qcap[c] ? 2 * s->qcap[c] : 256;
		s->q[c] = xrealloc(s->q[c], (size_t)s->qcap[c] * sizeof *s->q[c]);
	}
	s->q[c][s->qn[c]++] = i;
	s->live[c]++;
	if (x->update)
		s->updates++;
	else {
		s->creates++;
		s->per_obj[object_index(x->object)]++;
	}
}

/* Marks item i as handed to a call or a Bulk job. */
void
sched_take(struct sched *s, int i)
{
	struct item *x = &s->v.v[i];
	x->sent = 1;
	s->live[queue_of(x)]--;
	if (x->update)
		s->updates--;
	else {
		s->creates--;
		s->per_obj[object_index(x->object)]--;
	}
	if (x->kind == K_CONTACT || item_has_relations(s, x))
		s->producers++;
}

struct call *
call_new(const char *method, char *path, char *body)
{
	struct call *k = xcalloc(1, sizeof *k);
	k->c.method = method;
	k->c.path = path;
	k->c.body = body;
	return k;
}

/* Every planned contact of deal d has its answer: build what waited for them (its
 * items and their relations), relate its Events and Tasks already back. */
static void
contacts_done(struct sched *s, int d)
{
	struct dealw *w = window_deal(s, d);
	int first = w->first, n = w->n;
	for (int k = first; k < first + n; k++) {
		int rf = s->v.v[k].rel_first, rn = s->v.v[k].rel_n;
		for (int j = -1; j < rn; j++) {
			int i = j < 0 ? k : rf + j;
			if (s->v.v[i].waiting) {
				build_item(s, i);
				sched_ready(s, i);
			}
		}
	}
	for (int k = first; k < first + n; k++)
		if (item_has_relations(s, &s->v.v[k]) && s->v.v[k].status != S_NONE) {
			int from = s->v.n;
			build_relations(s, k);
			for (int r = from; r < s->v.n; r++)
				sched_ready(s, r);
		}
}

/* Item i has its answer: what waited for it may now be ready. */
void
sched_finished(struct sched *s, int i)
{
	struct item *x = &s->v.v[i];
	if (x->sent && (x->kind == K_CONTACT || item_has_relations(s, x)))
		s->producers--;
	if (x->kind == K_CONTACT) {
		const char *key = item_contact_key(s, x);
		if (x->status == S_CREATED || x->status == S_FOUND || x->status == S_MATCHED)
			s->keys = jv_object_set(s->keys, jv_string(key), jv_string(x->id));
		s->pending = jv_object_delete(s->pending, jv_string(key));
		if (--window_deal(s, x->deal)->contacts_left == 0)
			contacts_done(s, x->deal);
	} else if (item_has_relations(s, x) && window_deal(s, x->deal)->contacts_left == 0) {
		int from = s->v.n;
		build_relations(s, i);
		for (int r = from; r < s->v.n; r++)
			sched_ready(s, r);
	}
}

double
push_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void
sched_retry(struct sched *s, int i)
{
	struct item *x = &s->v.v[i];

	/* sched_take counted it among the answers that make more ready. */
	if (x->kind == K_CONTACT || item_has_relations(s, x))
		s->producers--;
	sched_ready(s, i);
}
