/* window.c: the deals being written. dg-push reads deals as room frees (a window of at
 * most s->cap items of deals not yet written out), plans their items, and writes each
 * deal out, in input order, as soon as its records have answers; what is written out
 * is dropped (window_compact), so memory stays flat however long the input is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "push.h"
#include "sf.h"
#include "sfblocks.h"
#include "sfid.h"
#include "util.h"

/* ---- reading ---- */

/* Appends to base[list] the elements of more[list] whose key base does not have
 * (elements without a key are kept once: by their whole value). */
static jv
merge_list(jv base, jv more, const char *list)
{
	jv a = jv_object_get(jv_copy(base), jv_string(list));
	if (jv_get_kind(a) != JV_KIND_ARRAY) {
		jv_free(a);
		a = jv_array();
	}
	base = jv_object_set(base, jv_string(list), jv_null());
	jv add = jx_get(more, list, JV_KIND_ARRAY);
	for (int i = 0; i < jx_len(add); i++) {
		jv el = jx_at(add, i);
		const char *k = jx_str(el, "key");
		int have = 0;
		for (int j = 0; j < jx_len(a) && !have; j++) {
			jv o = jx_at(a, j);
			have = k ? jx_str(o, "key") && !strcmp(jx_str(o, "key"), k) : jv_equal(jv_copy(o), jv_copy(el));
		}
		if (!have)
			a = jv_array_append(a, jv_copy(el));
	}
	return jv_object_set(base, jv_string(list), a);
}

/* About how many items a deal record makes: its planned contacts and their roles, its
 * activities and their people, the scorecard. */
static long
estimate(jv rec)
{
	jv cs = jx_get(rec, "contacts", JV_KIND_ARRAY), as = jx_get(rec, "activities", JV_KIND_ARRAY);
	long n = 1 + jx_len(as);
	for (int i = 0; i < jx_len(cs); i++)
		n += 2 * jx_bool(jx_at(cs, i), "planned", 0);
	for (int i = 0; i < jx_len(as); i++)
		n += jx_len(jx_get(jx_at(as, i), "attendees", JV_KIND_ARRAY)) +
		    jx_len(jx_get(jx_at(as, i), "internal", JV_KIND_ARRAY));
	return n;
}

/* A deal record read (consumed) into the window. The same deal twice (two plans
 * concatenated, a file given twice) is one deal: what the later line adds is merged
 * into the first while that one's items are not planned yet; once they are, the later
 * line is refused. Returns 0, or 1 when the line is refused (said why). */
static int
take(struct sched *s, jv rec, const struct jsonl_pos *pos)
{
	struct push *p = s->p;
	char where[64];
	const char *id = jx_str(jx_get(rec, "opportunity", JV_KIND_OBJECT), "Id");
	char nid[SFID_SIZE];
	if (!id || id_norm(id, nid) != 0) {
		warnx("%s: not a deal record (no opportunity.Id)", jsonl_where(pos, where, sizeof where));
		jv_free(rec);
		return 1;
	}
	jv at = jv_object_get(jv_copy(p->seen), jv_string(nid));
	if (jv_is_valid(at)) {
		int d = (int)jv_number_value(at);
		jv_free(at);
		if (d < s->built) {
			warnx(
			    "%s: deal '%s' was given before (deal %d of the input) and is being written already: this "
			    "line is left out (push it again on its own to add what it adds)",
			    jsonl_where(pos, where, sizeof where), id, d + 1);
			jv_free(rec);
			return 1;
		}
		jv first = jv_array_get(jv_copy(p->deals), d - p->base);
		p->deals = jv_array_set(p->deals, d - p->base, jv_null());
		first = merge_list(first, rec, "contacts");
		first = merge_list(first, rec, "activities");
		p->deals = jv_array_set(p->deals, d - p->base, first);
		warnx("%s: deal '%s' was given before (deal %d of the input); merged into it",
		    jsonl_where(pos, where, sizeof where), id, d + 1);
		jv_free(rec);
		return 0;
	}
	jv_free(at);
	p->seen = jv_object_set(p->seen, jv_string(nid), jv_number(p->base + jx_len(p->deals)));
	p->deals = jv_array_append(p->deals, rec);
	if (s->ndw == s->capdw) {
		s->capdw = s->capdw ? 2 * s->capdw : 64;
		s->dw = xrealloc(s->dw, (size_t)s->capdw * sizeof *s->dw);
	}
	memset(&s->dw[s->ndw++], 0, sizeof *s->dw);
	return 0;
}

/* The items of deal d, planned as far as they can be without the org: planned
 * contacts first (the ones recorded earlier give their Ids at once, the others are
 * pending and what names them waits), then the rest but the scorecard, which needs
 * the org's fields. */
static void
plan_deal(struct sched *s, int d)
{
	struct dealw *w = window_deal(s, d);
	w->first = s->v.n;
	build_items(s, d);
	w->n = s->v.n - w->first;
	for (int i = w->first; i < w->first + w->n; i++) {
		struct item *x = &s->v.v[i];
		if (x->kind != K_CONTACT)
			continue;
		build_item(s, i);
		x = &s->v.v[i];
		if (x->status == S_NONE && jv_is_valid(x->fields)) {
			s->pending = jv_object_set(s->pending, jv_string(item_contact_key(s, x)), jv_true());
			w->contacts_left++;
		}
	}
	for (int i = w->first; i < w->first + w->n; i++)
		if (s->v.v[i].kind != K_CONTACT && s->v.v[i].kind != K_SCORE)
			build_item(s, i);
}

void
window_admit(struct sched *s, int ready)
{
	struct push *p = s->p;
	long room = s->cap - (s->v.n - s->done_items);
	for (long est = 0; !p->eof && est < room;) {
		jv rec;
		struct jsonl_pos pos;
		int k = jsonl_next(&p->in, &rec, &pos);
		if (k <= 0) {
			p->eof = 1;
			p->read_failed = k < 0;
			break;
		}
		est += estimate(rec);
		if (take(s, rec, &pos))
			p->refused++;
	}
	int from = s->v.n;
	for (; s->built < p->base + s->ndw; s->built++)
		plan_deal(s, s->built);
	if (ready)
		window_prepare(s, from);
}

void
window_drain(struct sched *s)
{
	struct push *p = s->p;
	jv rec;
	struct jsonl_pos pos;
	int k;
	while (!p->eof && (k = jsonl_next(&p->in, &rec, &pos)) != 0) {
		if (k < 0) {
			p->read_failed = 1;
			break;
		}
		jsonl_emit(rec);
	}
	p->eof = 1;
}

/* ---- before the deals read are sent ---- */

/* Whether emails relate the people in their copy: when some email (items from on)
 * has them and the org has TaskRelation (Shared Activities on; one describe, when the
 * first such email is read). An org without it is told once. */
static void
task_relations(struct push *p, struct sched *s, int from)
{
	if (p->task_rel_known)
		return;
	int want = 0;
	p->task_rel = 1;
	for (int i = from; i < s->v.n && !want; i++)
		want = s->v.v[i].kind == K_TASK && item_has_relations(s, &s->v.v[i]);
	p->task_rel = want && push_has_field(p, "TaskRelation", "TaskId");
	p->task_rel_known = want;
	if (want && !p->task_rel)
		warnx("the org has no TaskRelation (Shared Activities is off): the people in copy of an "
		      "email are not related to it");
}

void
window_prepare(struct sched *s, int from)
{
	struct push *p = s->p;
	for (int i = from; i < s->v.n; i++)
		if (s->v.v[i].kind == K_SCORE)
			build_item(s, i);
	task_relations(p, s, from);
	if (p->reconcile) {
		reconcile_items(p, &s->v);
		/* Contacts an earlier run made: what names them can be built now. */
		int found = 0;
		for (int i = from; i < s->v.n; i++) {
			struct item *x = &s->v.v[i];
			if (x->kind == K_CONTACT && x->status == S_FOUND) {
				s->keys = jv_object_set(s->keys, jv_string(item_contact_key(s, x)), jv_string(x->id));
				s->pending = jv_object_delete(s->pending, jv_string(item_contact_key(s, x)));
				window_deal(s, x->deal)->contacts_left--;
				found++;
			}
		}
		for (int i = from; found && i < s->v.n; i++)
			if (s->v.v[i].waiting)
				build_item(s, i);
		if (found)
			reconcile_items(p, &s->v);
		/* Events and Tasks an earlier run made: their relations may be there too. */
		for (int i = from, n = s->v.n; i < n; i++)
			if (item_has_relations(s, &s->v.v[i]))
				build_relations(s, i);
		reconcile_items(p, &s->v);
	}
	for (int i = from; i < s->v.n; i++)
		sched_ready(s, i);
}

/* ---- writing out ---- */

/* Whether an item has its answer, or will never be sent. */
static int
item_over(const struct item *x)
{
	return x->status != S_NONE || (!x->sent && !x->waiting && !jv_is_valid(x->fields));
}

/* Whether every record of deal d has its answer (an Event's relations included). */
static int
deal_over(struct sched *s, int d)
{
	struct dealw *w = window_deal(s, d);
	for (int i = w->first; i < w->first + w->n; i++) {
		struct item *x = &s->v.v[i];
		if (!item_over(x))
			return 0;
		if (!item_has_relations(s, x) || !push_relating(s->p, x))
			continue;
		if (!x->related)
			return 0;
		for (int r = x->rel_first; r < x->rel_first + x->rel_n; r++)
			if (!item_over(&s->v.v[r]))
				return 0;
	}
	return 1;
}

/* Counts x among the run's records by object and status; a failure is said at the
 * end (the first twenty), with its deal's opportunity opp. */
static void
tally(struct sched *s, const struct item *x, const char *opp)
{
	s->counts[object_index(x->object)][x->status]++;
	if (x->status != S_FAILED)
		return;
	s->p->failed++;
	if (jx_len(s->fails) >= 20)
		return;
	jv f = jx_get(x->error, "fields", JV_KIND_ARRAY);
	struct sb fs = { 0 }, m = { 0 };
	for (int k = 0; k < jx_len(f); k++)
		sb_addf(&fs, "%s%s", k ? ", " : " (", jx_cstr(jx_at(f, k)));
	if (fs.len)
		sb_add(&fs, ")");
	const char *code = jx_str(x->error, "code") ? jx_str(x->error, "code") : "?";
	const char *msg = jx_str(x->error, "message") ? jx_str(x->error, "message") : "";
	if (x->update && !strcmp(x->object, "Opportunity"))
		/* The deal's own record: only the scorecard was to change, and the org's
		 * rules judge the whole record, so say what to do about it. */
		sb_addf(&m, "cannot write the scorecard on '%s': %s: %s%s; %s", opp, code, msg, sb_str(&fs),
		    !strcmp(code, "FIELD_CUSTOM_VALIDATION_EXCEPTION")
			? "a validation rule of the org refuses any update of this opportunity as it stands: fix the "
			  "opportunity in the org (or have the rule relaxed), then run again; its meetings and emails "
			  "are not affected"
			: "its meetings and emails are not affected");
	else
		sb_addf(&m, "cannot %s '%s' for '%s': %s: %s%s", x->update ? "update" : "create", x->object, opp, code,
		    msg, sb_str(&fs));
	s->fails = jv_array_append(s->fails, jv_string(sb_str(&m)));
	sb_free(&fs);
	sb_free(&m);
}

/* One item's answer into deal (consumed and returned), counted; what was sent is
 * let go at once (window_compact drops the rest later). */
static jv
apply(struct sched *s, jv deal, struct item *x, const char *opp)
{
	tally(s, x, opp);
	s->done_items++;
	deal = result_apply(deal, x);
	jv_free(x->fields);
	x->fields = jv_invalid();
	return deal;
}

void
window_emit(struct sched *s, int all)
{
	struct push *p = s->p;
	for (; s->emitted < s->built && (all || deal_over(s, s->emitted)); s->emitted++) {
		int d = s->emitted;
		struct dealw *w = window_deal(s, d);
		/* What names this deal's planned contacts is over too. */
		for (int i = w->first; i < w->first + w->n; i++)
			if (s->v.v[i].kind == K_CONTACT)
				s->keys = jv_object_delete(s->keys, jv_string(item_contact_key(s, &s->v.v[i])));
		jv deal = jv_array_get(jv_copy(p->deals), d - p->base);
		p->deals = jv_array_set(p->deals, d - p->base, jv_null()); /* deal is changed in place */
		const char *oid = jx_str(jx_get(deal, "opportunity", JV_KIND_OBJECT), "Id");
		char *opp = xstrdup(oid ? oid : "?");
		for (int i = w->first; i < w->first + w->n; i++) {
			struct item *x = &s->v.v[i];
			deal = apply(s, deal, x, opp);
			if (x->kind == K_EVENT || x->kind == K_TASK)
				for (int r = x->rel_first; r < x->rel_first + x->rel_n; r++)
					deal = apply(s, deal, &s->v.v[r], opp);
		}
		free(opp);
		jsonl_emit(deal);
		/* Out at once: a run stopped by a signal keeps (and records) what it wrote. */
		fflush(stdout);
	}
	window_compact(s);
}

/* ---- dropping what is written out ---- */

void
window_compact(struct sched *s)
{
	struct push *p = s->p;
	/* Worth it once half the items are written out. */
	if (s->done_items < 256 || s->done_items * 2 < s->v.n)
		return;
	int *m = xmalloc((size_t)s->v.n * sizeof *m), n = 0;
	for (int i = 0; i < s->v.n; i++) {
		struct item *x = &s->v.v[i];
		if (x->deal < s->emitted) {
			jv_free(x->fields);
			jv_free(x->error);
			jv_free(x->before);
			m[i] = -1;
			continue;
		}
		m[i] = n;
		if (i != n)
			s->v.v[n] = *x;
		n++;
	}
	s->v.n = n;
	for (int i = 0; i < n; i++) {
		struct item *x = &s->v.v[i];
		if (x->kind == K_REL)
			x->parent = m[x->parent];
		if (x->rel_n)
			x->rel_first = m[x->rel_first];
	}
	for (int c = 0; c < NQUEUE; c++) {
		int k = 0;
		for (int j = s->qhead[c]; j < s->qn[c]; j++)
			if (m[s->q[c][j]] >= 0)
				s->q[c][k++] = m[s->q[c][j]];
		s->qn[c] = k;
		s->qhead[c] = 0;
	}
	for (int j = 0; j < s->nout; j++)
		for (int i = 0; i < s->out[j]->n; i++)
			s->out[j]->items[i] = m[s->out[j]->items[i]];
	bulk_remap(s, m);
	/* The deals written out leave the window. */
	int gone = s->emitted - p->base;
	for (int d = s->emitted; d < p->base + s->ndw; d++)
		if (window_deal(s, d)->n)
			window_deal(s, d)->first = m[window_deal(s, d)->first];
	memmove(s->dw, s->dw + gone, (size_t)(s->ndw - gone) * sizeof *s->dw);
	s->ndw -= gone;
	p->deals = jv_array_slice(p->deals, gone, jx_len(p->deals));
	p->base = s->emitted;
	s->done_items = 0;
	free(m);
}

/* ---- the report ---- */

void
window_report(struct sched *s)
{
	for (int i = 0; i < jx_len(s->fails); i++)
		warnx("%s", jx_cstr(jx_at(s->fails, i)));
	if (s->p->failed > 20)
		warnx("... and %ld more failures", s->p->failed - 20);
	for (int o = 0; o < NOBJ; o++) {
		long *n = s->counts[o];
		if (n[S_CREATED] + n[S_UPDATED] + n[S_SKIPPED] + n[S_FAILED] + n[S_FOUND] + n[S_MATCHED])
			warnx("%s: %ld created, %ld updated, %ld skipped, %ld found, %ld failed", push_objects[o],
			    n[S_CREATED], n[S_UPDATED], n[S_SKIPPED], n[S_FOUND], n[S_FAILED]);
		if (n[S_MATCHED])
			warnx(
			    "%s: %ld matched the org's own records (its duplicate rule): those are used, not created, "
			    "and no reset deletes them",
			    push_objects[o], n[S_MATCHED]);
	}
}
