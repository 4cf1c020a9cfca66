/* sfblocks.c: the places of a deal record's Salesforce records (see sfblocks.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "sfblocks.h"
#include "util.h"

jv
sf_related(jv act, const char *object, const char *owner)
{
	jv out = jv_array(), att = jx_get(act, "attendees", JV_KIND_ARRAY), in = jx_get(act, "internal", JV_KIND_ARRAY);
	const char *who = jx_str(act, "who");

	if (object && !strcmp(object, "EmailMessage")) {
		/* Salesforce's own email names its sender and recipient too. */
		out = jv_array_append(out, who ? jv_string(who) : jv_null());
		out = jv_array_append(out, owner ? jv_string(owner) : jv_null());
	}

	for (int k = 0; k < jx_len(att); k++) {
		const char *c = jx_cstr(jx_at(att, k));
		if (c && !(who && !strcmp(c, who)))
			out = jv_array_append(out, jv_string(c));
	}
	for (int k = 0; k < jx_len(in); k++)
		if (jx_cstr(jx_at(in, k)))
			out = jv_array_append(out, jv_string(jx_cstr(jx_at(in, k))));
	return out;
}

int
sf_block_live(jv sf)
{
	const char *st = jx_str(sf, "status");

	return jx_str(sf, "id") != NULL && (!st || strcmp(st, "failed"));
}

/* fn on the block under name in obj (consumed and returned), kept when fn returns one. */
static jv
visit(jv obj, const char *name, const struct sf_place *pl, sf_block_fn fn, void *ctx)
{
	jv sf = jv_object_get(jv_copy(obj), jv_string(name));
	jv out;

	if (jv_get_kind(sf) != JV_KIND_OBJECT) {
		jv_free(sf);
		sf = jv_null();
	} else
		obj = jv_object_set(obj, jv_string(name), jv_null()); /* changed in place */
	out = fn(sf, pl, ctx);
	if (jv_get_kind(out) == JV_KIND_OBJECT)
		return jv_object_set(obj, jv_string(name), out);
	jv_free(out);
	return jv_object_delete(obj, jv_string(name));
}

/* What the walk hands down: the callback, and what an activity with no block is. */
struct walk {
	sf_block_fn fn;
	void *ctx;
	const char *email_as, *owner;
	int sig; /* fill pl->sig */
};

/* The content hash of el (borrowed) without its sf block, as 16 hex digits into out:
 * FNV-1a over its keys in sorted order. */
static const char *
sig_of(jv el, char out[17])
{
	jv s = jv_dump_string(jv_object_delete(jv_copy(el), jv_string("sf")), JV_PRINT_SORTED);
	uint64_t h = 0xcbf29ce484222325u;

	for (const unsigned char *p = (const unsigned char *)jv_string_value(s); *p; p++)
		h = (h ^ *p) * 0x100000001b3u;
	jv_free(s);
	snprintf(out, 17, "%016llx", (unsigned long long)h);
	return out;
}

/* A planned contact and its role (nested in the contact's block). */
static jv
contact(jv c, const char *key, const char *opp, const struct walk *w)
{
	sf_block_fn fn = w->fn;
	void *ctx = w->ctx;
	struct sf_place pl = { SITE_CONTACT, key, key, opp, "Contact", 0, NULL };
	char *rk = xasprintf("%s/role", key);
	jv sf;

	c = visit(c, "sf", &pl, fn, ctx);
	sf = jv_object_get(jv_copy(c), jv_string("sf"));
	pl = (struct sf_place){ SITE_ROLE, rk, key, opp, "OpportunityContactRole", jv_get_kind(sf) == JV_KIND_OBJECT,
		NULL };
	if (jv_get_kind(sf) != JV_KIND_OBJECT) {
		jv_free(sf);
		sf = jv_object();
	}
	c = jv_object_delete(c, jv_string("sf"));
	sf = visit(sf, "role", &pl, fn, ctx);
	if (jv_object_length(jv_copy(sf)) > 0)
		c = jv_object_set(c, jv_string("sf"), sf);
	else
		jv_free(sf);
	free(rk);
	return c;
}

const char *
sf_activity_object(jv act, const char *email_as)
{
	const char *kind = jx_str(act, "kind"), *had = jx_str(jx_get(act, "sf", JV_KIND_OBJECT), "object");

	static const char *const objects[] = { "Event", "Task", "EmailMessage" };

	for (int i = 0; had && i < 3; i++)
		if (!strcmp(had, objects[i]))
			return objects[i];
	if (kind && !strcmp(kind, "meeting"))
		return "Event";
	return email_as && !strcmp(email_as, "emailmessage") ? "EmailMessage" : "Task";
}

const char *
sf_relation_object(const char *object)
{
	return !strcmp(object, "Event")       ? "EventRelation"
	    : !strcmp(object, "EmailMessage") ? "EmailMessageRelation"
					      : "TaskRelation";
}

/* An activity and its relations: one per sf_related entry (or per block an earlier
 * run recorded, when there are more). Relations are kept in the activity's block: one
 * is only made for them when fn gives a relation a block. The activity's object is its
 * block's, or the one its kind is written as. */
static jv
activity(jv a, const char *key, const char *opp, const struct walk *w)
{
	sf_block_fn fn = w->fn;
	void *ctx = w->ctx;
	const char *kind = jx_str(a, "kind");
	char object[16];
	snprintf(object, sizeof object, "%s", sf_activity_object(a, w->email_as));
	struct sf_place pl = { SITE_ACTIVITY, key, key, opp, object, 0, NULL };
	jv rel, sf, rels, nrels;
	int n, any = 0, parent;
	char sig[17];

	if (w->sig)
		pl.sig = sig_of(a, sig);

	a = visit(a, "sf", &pl, fn, ctx);
	sf = jv_object_get(jv_copy(a), jv_string("sf"));
	parent = jv_get_kind(sf) == JV_KIND_OBJECT;
	if (!parent) {
		jv_free(sf);
		sf = jv_object();
	} else if (jx_str(sf, "object"))
		snprintf(object, sizeof object, "%s", jx_str(sf, "object"));
	rel = kind ? sf_related(a, object, w->owner) : jv_array();
	rels = jx_get(sf, "relations", JV_KIND_ARRAY);
	n = jx_len(rels) > jx_len(rel) ? jx_len(rels) : jx_len(rel);
	if (!n) {
		jv_free(rel);
		jv_free(sf);
		return a;
	}
	nrels = jv_array();
	for (int r = 0; r < n; r++) {
		char *rk = xasprintf("%s/rel/%d", key, r);
		jv old = r < jx_len(rels) ? jv_copy(jx_at(rels, r)) : jv_null();
		jv nb;

		if (jv_get_kind(old) != JV_KIND_OBJECT) {
			jv_free(old);
			old = jv_null();
		}
		/* a relation's content is whom it relates */
		pl = (struct sf_place){ SITE_REL, rk, key, opp, sf_relation_object(object), parent,
			w->sig && r < jx_len(rel) ? jx_cstr(jx_at(rel, r)) : NULL };
		nb = fn(old, &pl, ctx);
		if (jv_get_kind(nb) == JV_KIND_OBJECT) {
			nrels = jv_array_append(nrels, nb);
			any = 1;
		} else {
			jv_free(nb);
			nrels = jv_array_append(nrels, jv_null());
		}
		free(rk);
	}
	jv_free(rel);
	if (any)
		return jv_object_set(a, jv_string("sf"), jv_object_set(sf, jv_string("relations"), nrels));
	jv_free(sf);
	jv_free(nrels);
	return a;
}

/* Each element of rec's list through f, changed in place. */
static jv
each(jv rec, const char *list, const char *opp, jv (*f)(jv, const char *, const char *, const struct walk *),
    int planned_only, const struct walk *w)
{
	jv arr = jv_object_get(jv_copy(rec), jv_string(list));

	if (jv_get_kind(arr) != JV_KIND_ARRAY) {
		jv_free(arr);
		return rec;
	}
	rec = jv_object_set(rec, jv_string(list), jv_null());
	for (int j = 0; j < jx_len(arr); j++) {
		jv el = jv_array_get(jv_copy(arr), j);
		const char *k = jx_str(el, "key");

		if (k && (!planned_only || jx_bool(el, "planned", 0))) {
			char *key = xstrdup(k);

			arr = jv_array_set(arr, j, jv_null());
			el = f(el, key, opp, w);
			free(key);
		}
		arr = jv_array_set(arr, j, el);
	}
	return jv_object_set(rec, jv_string(list), arr);
}

static jv
walk_blocks(jv rec, const char *email_as, sf_block_fn fn, void *ctx, int sig)
{
	const char *oid = jx_str(jx_get(rec, "opportunity", JV_KIND_OBJECT), "Id");
	const char *own = jx_str(jx_get(rec, "opportunity", JV_KIND_OBJECT), "OwnerId");
	char *opp = xstrdup(oid ? oid : ""), *owner = own ? xstrdup(own) : NULL, sc_sig[17];
	struct walk w = { fn, ctx, email_as, owner, sig };
	jv sc;

	rec = each(rec, "contacts", opp, contact, 1, &w);
	rec = each(rec, "activities", opp, activity, 0, &w);
	sc = jv_object_get(jv_copy(rec), jv_string("scorecard"));
	if (jv_get_kind(sc) == JV_KIND_OBJECT) {
		char *key = xasprintf("%s/scorecard", opp);
		jv b = jx_get(sc, "sf", JV_KIND_OBJECT);
		char *object = jx_str(b, "object") ? xstrdup(jx_str(b, "object")) : NULL;
		/* What is written to the opportunity: the scorecard, and the close date (dg
		 * refresh --move-close-dates moves it). */
		const char *close = jx_str(jx_get(rec, "opportunity", JV_KIND_OBJECT), "CloseDate");
		jv what = jv_copy(sc);
		if (close)
			what = jv_object_set(what, jv_string("close"), jv_string(close));
		struct sf_place pl = { SITE_SCORE, key, NULL, opp, object, 0, sig ? sig_of(what, sc_sig) : NULL };
		jv_free(what);

		rec = jv_object_set(rec, jv_string("scorecard"), jv_null());
		sc = visit(sc, "sf", &pl, fn, ctx);
		rec = jv_object_set(rec, jv_string("scorecard"), sc);
		free(object);
		free(key);
	} else
		jv_free(sc);
	free(opp);
	free(owner);
	return rec;
}

jv
sf_blocks(jv rec, const char *email_as, sf_block_fn fn, void *ctx)
{
	return walk_blocks(rec, email_as, fn, ctx, 0);
}

jv
sf_blocks_sig(jv rec, const char *email_as, sf_block_fn fn, void *ctx)
{
	return walk_blocks(rec, email_as, fn, ctx, 1);
}
