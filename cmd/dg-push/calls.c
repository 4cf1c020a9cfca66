/* calls.c: the Collections calls, and the run from plan to output.
 *
 * An item is ready when all it refers to has an Id: most are ready at once; a contact
 * role, or an activity naming a planned contact, waits for that contact; an
 * EventRelation is planned when its Event comes back. The calls are handed out as
 * slots free (sf_pump): each is up to SF_BATCH ready records, the ones others wait for
 * first (contacts, then Events), every deal's records together, sorted by object. A
 * load of one object at or above push.bulk_threshold goes through a Bulk API 2.0 job
 * instead (bulk.c), whose steps run beside the Collections calls. */
#include <time.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "push.h"
#include "sf.h"
#include "sfblocks.h"
#include "sfid.h"
#include "util.h"

static int
by_object(const void *a, const void *b, void *arg)
{
	struct sched *s = arg;
	int x = *(const int *)a, y = *(const int *)b;
	int c = strcmp(s->v.v[x].object, s->v.v[y].object);
	return c ? c : (x > y) - (x < y);
}

/* Whether the deal whose records start at the head of queue c would be split between
 * call k and the next one, with k half full already: then k ends before it. Calls in
 * flight together that write children of one opportunity collide on its row lock (a
 * real org answers UNABLE_TO_LOCK_ROW per record), so a deal's records travel in one
 * call where they can, and every call still carries at least SF_BATCH / 2. */
static int
deal_splits(struct sched *s, int c, const struct call *k)
{
	int i = s->q[c][s->qhead[c]], d = s->v.v[i].deal;
	if (k->n < SF_BATCH / 2 || (k->n && s->v.v[k->items[k->n - 1]].deal == d))
		return 0;
	int room = SF_BATCH - k->n, run = 0;
	for (int j = s->qhead[c]; j < s->qn[c] && run <= room; j++) {
		const struct item *x = &s->v.v[s->q[c][j]];
		if (x->deal != d)
			break;
		run += !x->sent;
	}
	return run > room;
}

/* Up to SF_BATCH ready records in priority order, sorted by object: one Collections call. */
static struct call *
collections_call(struct sched *s, int upd)
{
	struct call *k = call_new(upd ? "PATCH" : "POST", xstrdup("/composite/sobjects"), NULL);
	k->upd = upd;
	k->items = xmalloc(SF_BATCH * sizeof *k->items);
	for (int c = upd ? Q_UPDATES : 0; c < (upd ? Q_UPDATES + 1 : Q_UPDATES) && k->n < SF_BATCH; c++)
		while (s->qhead[c] < s->qn[c] && k->n < SF_BATCH) {
			int i = s->q[c][s->qhead[c]];
			if (s->v.v[i].sent) {
				s->qhead[c]++;
				continue; /* taken by a Bulk job */
			}
			if (!upd && deal_splits(s, c, k))
				break;
			s->qhead[c]++;
			sched_take(s, i);
			k->items[k->n++] = i;
		}
	qsort_r(k->items, (size_t)k->n, sizeof *k->items, by_object, s);
	struct sb body = { 0 };
	sb_add(&body, "{\"allOrNone\":false,\"records\":[");
	for (int j = 0; j < k->n; j++) {
		struct item *x = &s->v.v[k->items[j]];
		jv r = jv_copy(x->fields);
		/* An update sends only what the org lets change (dg refresh of an Event or a
		 * Task: not its subtype). Asked here, in the pump: items are built while the
		 * login still runs on its own thread, which fills what push_readonly reads. */
		if (upd) {
			jv keys = jv_keys(jv_copy(r));
			for (int f = 0; f < jx_len(keys); f++)
				if (push_readonly(s->p, x->object, jx_cstr(jx_at(keys, f))))
					r = jv_object_delete(r, jv_copy(jx_at(keys, f)));
			jv_free(keys);
			r = jv_object_set(r, jv_string("id"), jv_string(x->id));
		}
		r = jv_object_set(
		    r, jv_string("attributes"), jv_object_set(jv_object(), jv_string("type"), jv_string(x->object)));
		if (j)
			sb_addc(&body, ',');
		jx_dump(&body, r);
		jv_free(r);
	}
	sb_add(&body, "]}");
	k->c.body = body.s;
	k->c.weight = k->n;
	if (s->nout == s->capout) {
		s->capout = s->capout ? 2 * s->capout : 16;
		s->out = xrealloc(s->out, (size_t)s->capout * sizeof *s->out);
	}
	s->out[s->nout++] = k;
	return k;
}

/* A planned contact the org's duplicate rule refused, naming the record it matches
 * (duplicateResult.matchResults[].matchRecords[].record.Id): that record is used
 * instead, so nothing is duplicated and what names the contact goes on. Returns 1
 * with x->id set, or 0. */
static int
duplicate_of(struct item *x, jv e)
{
	const char *code = jx_str(e, "statusCode") ? jx_str(e, "statusCode") : jx_str(e, "errorCode");
	jv mr = jx_get(jx_get(e, "duplicateResult", JV_KIND_OBJECT), "matchResults", JV_KIND_ARRAY);

	if (x->kind != K_CONTACT || !code || strcmp(code, "DUPLICATES_DETECTED"))
		return 0;
	for (int i = 0; i < jx_len(mr); i++) {
		jv recs = jx_get(jx_at(mr, i), "matchRecords", JV_KIND_ARRAY);
		for (int k = 0; k < jx_len(recs); k++) {
			const char *id = jx_str(jx_get(jx_at(recs, k), "record", JV_KIND_OBJECT), "Id");
			if (id && id_norm(id, x->id) == 0)
				return 1;
		}
	}
	return 0;
}

/* A record the org could not lock (UNABLE_TO_LOCK_ROW, per record inside an HTTP 200,
 * when parallel writes share its parent): it goes out again, behind what is queued,
 * up to LOCK_TRIES times in all. Returns 1 when x is to be sent again. */
#define LOCK_TRIES 6
static int
locked(struct item *x, jv e)
{
	const char *code = jx_str(e, "statusCode");

	if (!code || strcmp(code, "UNABLE_TO_LOCK_ROW") || ++x->tries >= LOCK_TRIES)
		return 0;
	x->sent = 0;
	return 1;
}

/* A Collections call answered: one result per record, in order; or the call's error
 * for each of them. */
static void
collections_answer(struct sched *s, struct call *k)
{
	struct http_resp *r = &k->c.resp;
	jv res = r->status == 200 ? jv_parse_sized(r->body.s ? r->body.s : "", (int)r->body.len) : jv_invalid();
	int ok = jv_get_kind(res) == JV_KIND_ARRAY && jx_len(res) == k->n;
	char *why = ok ? NULL : sf_error_text(r);
	jv ecode = jv_invalid();
	if (!ok) {
		jv j = jv_parse_sized(r->body.s ? r->body.s : "", (int)r->body.len);
		jv e = jv_get_kind(j) == JV_KIND_ARRAY ? jx_at(j, 0) : j;
		ecode = jv_string(jx_str(e, "errorCode") ? jx_str(e, "errorCode")
			: r->status                      ? "HTTP_ERROR"
							 : "CONNECTION_FAILED");
		jv_free(j);
	}
	for (int j = 0; j < k->n; j++) {
		struct item *x = &s->v.v[k->items[j]];
		if (!ok) {
			const char *msg = strchr(why, ':') ? strchr(why, ':') + 2 : why;
			item_fail(x, jv_string_value(ecode), msg, jv_array());
			continue;
		}
		jv one = jx_at(res, j);
		if (jx_bool(one, "success", 0)) {
			x->status = k->upd ? S_UPDATED : S_CREATED;
			if (!k->upd)
				id_norm(jx_str(one, "id") ? jx_str(one, "id") : "", x->id);
		} else if (duplicate_of(x, jx_at(jx_get(one, "errors", JV_KIND_ARRAY), 0))) {
			x->status = S_MATCHED;
		} else if (locked(x, jx_at(jx_get(one, "errors", JV_KIND_ARRAY), 0))) {
			continue; /* sent again: not finished */
		} else {
			jv e = jx_at(jx_get(one, "errors", JV_KIND_ARRAY), 0);
			item_fail(x, jx_str(e, "statusCode") ? jx_str(e, "statusCode") : "UNKNOWN_EXCEPTION",
			    jx_str(e, "message") ? jx_str(e, "message") : "",
			    jv_copy(jx_get(e, "fields", JV_KIND_ARRAY)));
		}
	}
	free(why);
	jv_free(ecode);
	jv_free(res);
	for (int j = 0; j < k->n; j++) {
		struct item *x = &s->v.v[k->items[j]];
		if (x->status == S_NONE && !x->sent)
			sched_retry(s, k->items[j]);
		else
			sched_finished(s, k->items[j]);
	}
}

/* The next Collections call, or NULL when none is to be sent now. */
static struct call *
collections_next(struct sched *s)
{
	/* Updates (the scorecards) before the records nothing waits for, so that deals
	 * are over, and written out, while the last calls are still out. */
	if (s->updates > 0 && !(s->live[Q_CONTACTS] + s->live[Q_ACTIVITIES] + s->live[Q_RELATIONS]))
		return collections_call(s, 1);
	/* A full call; a short one only when no answer out there could fill it up. */
	if (s->creates >= SF_BATCH || (s->creates > 0 && s->producers == 0))
		return collections_call(s, 0);
	if (s->updates > 0)
		return collections_call(s, 1);
	return NULL;
}

static struct sf_call *
next_call(void *arg, long *wait)
{
	struct sched *s = arg;
	double soonest = -1;
	struct call *k = NULL;
	/* Deals over are written out, and more are read while there is room; deals that
	 * need no call (all there already) are written out and more read at once. */
	window_emit(s, 0);
	for (;;) {
		int room = !s->p->eof && s->v.n - s->done_items < s->cap;
		if (room)
			window_admit(s, 1);
		/* Bulk jobs' next steps first: each waits on the one before. */
		soonest = -1;
		k = bulk_next(s, &soonest);
		if (!k)
			k = collections_next(s);
		if (k || !room)
			break;
		window_emit(s, 0);
	}
	if (k)
		return &k->c;
	*wait = soonest < 0 ? -1 : (long)((soonest - push_clock()) * 1000) + 1;
	return NULL;
}

static void
call_done(struct sf_call *c, void *arg)
{
	struct sched *s = arg;
	struct call *k = (struct call *)c;
	if (k->b)
		bulk_answer(s, k);
	else {
		collections_answer(s, k);
		for (int j = 0; j < s->nout; j++)
			if (s->out[j] == k) {
				s->out[j] = s->out[--s->nout];
				break;
			}
	}
	sf_call_free(&k->c);
	free(k->items);
	free(k);
}

/* While calls are out: the CSV of a Bulk job being created; the deals that are over. */
static void
idle(void *arg)
{
	struct sched *s = arg;
	bulk_idle(s);
	window_emit(s, 0);
}

/* Progress on a terminal: records written, how much of the input is read (when it
 * is in files), the rate. */
struct progress {
	long done;
	double t0, last;
	const struct jsonl_reader *in;
	FILE *out; /* stderr on a terminal, or $DG_PROGRESS (dg run's terminal) */
};

static void
show_progress(long weight, void *arg)
{
	struct progress *g = arg;
	if (!weight)
		return;
	g->done += weight;
	double now = push_clock(), rate = g->done / (now - g->t0 + 1e-9);
	if (now - g->last < 0.2)
		return;
	g->last = now;
	if (g->in->size > 0)
		fprintf(g->out, "\r%s: %ld records, %.0f%% of the input read, %.0f a second   ", progname, g->done,
		    100.0 * (double)g->in->read / (double)g->in->size, rate);
	else
		fprintf(g->out, "\r%s: %ld records, %.0f a second   ", progname, g->done, rate);
	fflush(g->out);
}

void
push_plan(struct push *p)
{
	struct sched *s = xcalloc(1, sizeof *s);
	p->sched = s;
	s->p = p;
	s->keys = jv_object();
	s->pending = jv_object();
	s->fails = jv_array();
	/* Room for every call in flight and as many again ready, and for a load that
	 * reaches the Bulk threshold (with room to spare: one object is a part of the items). */
	s->cap = 4L * SF_BATCH * p->jobs;
	if (p->cfg->push.bulk_threshold > 0 && 3L * p->cfg->push.bulk_threshold > s->cap)
		s->cap = 3L * p->cfg->push.bulk_threshold;
	if (s->cap > 50000)
		s->cap = 50000;
	if (p->cfg->push.window > 0)
		s->cap = p->cfg->push.window;
	window_admit(s, 0);
}

int
push_create(struct push *p)
{
	if (!p->sched)
		push_plan(p);
	struct sched *s = p->sched;
	struct progress g = { 0, 0, 0, &p->in, NULL };
	int rc = 0;
	g.t0 = push_clock();
	window_prepare(s, 0);
	/* On a terminal; or where DG_PROGRESS says (dg run keeps dg-push's messages in a
	 * file, and shows its progress on the terminal it runs on). */
	const char *to = getenv("DG_PROGRESS");
	g.out = to && *to ? fopen(to, "w") : isatty(2) ? stderr : NULL;
	if (g.out) {
		p->sf->progress = show_progress;
		p->sf->progress_arg = &g;
	}
	sf_pump(p->sf, (int)p->jobs, next_call, call_done, idle, s);
	/* Stopped early (the daily limit): a Bulk job left half way says so. */
	bulk_stop(s);
	if (p->sf->limit_hit) {
		warnx("the org's daily API request limit is reached: stopped; what was done is in the output");
		rc = EXIT_FAIL;
	}
	double secs = push_clock() - p->t0;
	if (p->sf->progress) {
		fputc('\n', g.out);
		if (g.out != stderr)
			fclose(g.out);
		p->sf->progress = NULL;
	}
	/* Every deal read goes out, as far as it got; what was not read, as it came. */
	window_emit(s, 1);
	window_drain(s);
	window_report(s);
	long done = 0;
	for (int o = 0; o < NOBJ; o++)
		done += s->counts[o][S_CREATED] + s->counts[o][S_UPDATED];
	warnx("%ld records written in %.2f s (%.0f a second)", done, secs, secs > 0 ? done / secs : 0);
	push_unlock(p);
	push_free(p);
	return rc;
}

void
push_free(struct push *p)
{
	struct sched *s = p->sched;
	if (!s)
		return;
	for (int i = 0; i < s->v.n; i++) {
		jv_free(s->v.v[i].fields);
		jv_free(s->v.v[i].error);
		jv_free(s->v.v[i].before);
	}
	free(s->v.v);
	for (int c = 0; c < NQUEUE; c++)
		free(s->q[c]);
	jv_free(s->keys);
	jv_free(s->pending);
	free(s->dw);
	free(s->out);
	jv_free(s->fails);
	free(s);
	p->sched = NULL;
}
