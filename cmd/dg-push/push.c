/* push.c: what dg-push sends, in which order, and how answers become sf blocks.
 *
 * Every planned record is an item. An item is ready when all it refers to has an Id:
 * most are ready at once; a contact role, or an activity naming a planned contact,
 * waits for that contact; an EventRelation is planned when its Event comes back. The
 * calls are handed out as slots free (sf_pump): each is up to 200 ready records, the
 * ones others wait for first (contacts, then Events), every deal's records together,
 * sorted by object. A load of one object at or above push.bulk_threshold goes through
 * a Bulk API 2.0 job instead, whose steps run beside the Collections calls. */
#define _GNU_SOURCE
#include "push.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "csv.h"
#include "jsonl.h"
#include "sf.h"
#include "sfid.h"
#include "tz.h"
#include "util.h"

enum kind { K_CONTACT, K_ROLE, K_EVENT, K_TASK, K_REL, K_SCORE };
enum status { S_NONE, S_CREATED, S_UPDATED, S_SKIPPED, S_FAILED, S_FOUND };
static const char *const status_name[] = { "none", "created", "updated", "skipped", "failed", "found" };
/* The objects dg-push writes, in the order its report lists them. */
static const char *const objects[] = { "Contact", "OpportunityContactRole", "Event", "EventRelation", "Task",
	"TaskRelation", "Opportunity", "DG_Scorecard__c" };
#define NOBJ (int)(sizeof objects / sizeof *objects)
/* What dg tags, children first. */
static const char *const tagged_objs[] = { "Task", "Event", "DG_Scorecard__c", "OpportunityContactRole", "Contact" };
#define NTAGGED (int)(sizeof tagged_objs / sizeof *tagged_objs)

struct item {
	enum kind kind;
	int deal, idx, rel;
	int parent;          /* a relation's Event or Task (an item index) */
	int rel_first, rel_n; /* an Event's or Task's relation items */
	const char *object;
	jv fields;           /* what is sent; jv_invalid() when nothing is (yet) */
	int update;          /* a PATCH of an existing record (the scorecard fields) */
	int related;         /* an Event or Task whose relations are planned */
	int waiting;         /* refers to a planned contact still being created */
	int reconciled;      /* looked for in the org already */
	int sent;            /* in a call or a Bulk job */
	char id[19];
	enum status status;
	jv error;            /* {code, message, fields} */
};

struct items {
	struct item *v;
	int n, cap;
};

/* Adds an item; v->v may move, so callers keep indices, not pointers, across calls. */
static int add(struct items *it, enum kind k, int deal, int idx, const char *object)
{
	if (it->n == it->cap) {
		it->cap = it->cap ? 2 * it->cap : 256;
		it->v = xrealloc(it->v, (size_t)it->cap * sizeof *it->v);
	}
	struct item *x = &it->v[it->n];
	memset(x, 0, sizeof *x);
	x->kind = k;
	x->deal = deal;
	x->idx = idx;
	x->object = object;
	x->fields = jv_invalid();
	x->error = jv_invalid();
	return it->n++;
}

static void fail(struct item *x, const char *code, const char *msg, jv fields)
{
	x->status = S_FAILED;
	jv_free(x->error);
	x->error = jv_object();
	x->error = jv_object_set(x->error, jv_string("code"), jv_string(code));
	x->error = jv_object_set(x->error, jv_string("message"), jv_string(msg));
	x->error = jv_object_set(x->error, jv_string("fields"), jv_get_kind(fields) == JV_KIND_ARRAY ? fields : (jv_free(fields), jv_array()));
}

static int obj_index(const char *object)
{
	for (int i = 0; i < NOBJ; i++)
		if (!strcmp(objects[i], object))
			return i;
	return NOBJ - 1;
}

/* ---- what the org has: describe, once per object ---- */

/* Keeps the createable fields of a describe answer (or none when it failed). */
static void keep_fields(struct push *p, const char *object, jv d)
{
	jv set = jv_object();
	jv fs = jx_get(d, "fields", JV_KIND_ARRAY);
	for (int i = 0; i < jx_len(fs); i++)
		if (jx_str(jx_at(fs, i), "name") && jx_bool(jx_at(fs, i), "createable", 1))
			set = jv_object_set(set, jv_string(jx_str(jx_at(fs, i), "name")), jv_true());
	if (jv_get_kind(p->fields) != JV_KIND_OBJECT)
		p->fields = jv_object();
	p->fields = jv_object_set(p->fields, jv_string(object), set);
}

static int has_field(struct push *p, const char *object, const char *field)
{
	jv set = jv_get_kind(p->fields) == JV_KIND_OBJECT ? jv_object_get(jv_copy(p->fields), jv_string(object)) : jv_invalid();
	if (!jv_is_valid(set)) {
		char *path = xasprintf("/sobjects/%s/describe", object), err[512];
		jv d = sf_request(p->sf, "GET", path, NULL, NULL, err, sizeof err);
		free(path);
		keep_fields(p, object, d);
		jv_free(d);
		set = jv_object_get(jv_copy(p->fields), jv_string(object));
	}
	int has = jv_object_has(set, jv_string(field));
	return has;
}

int push_has_field(struct push *p, const char *object, const char *field)
{
	return has_field(p, object, field);
}

static jv tagged(struct push *p, const char *object, jv rec)
{
	const char *tf = p->cfg->push.tag_field;
	if (tf && *tf && has_field(p, object, tf))
		rec = jv_object_set(rec, jv_string(tf), jv_string(p->tag));
	return rec;
}

/* ---- building the records ---- */

static jv deal_at(struct push *p, int i) { return jx_at(p->deals, i); }

static const char *existing_id(jv obj)
{
	jv sf = jx_get(obj, "sf", JV_KIND_OBJECT);
	const char *id = jx_str(sf, "id");
	const char *st = jx_str(sf, "status");
	return id && (!st || strcmp(st, "failed")) ? id : NULL;
}

/* Whether el's sf block holds the Id of an earlier run's record: then x is skipped. */
static int recorded(jv el, struct item *x)
{
	const char *have = existing_id(el);
	if (!have || id_norm(have, x->id) != 0)
		return 0;
	x->status = S_SKIPPED;
	return 1;
}

static jv trimmed(const char *s, size_t max)
{
	size_t n = utf8_trim(s, strlen(s), max);
	return jv_string_sized(s, (int)n);
}

/* What the sending keeps: the items, the planned contacts' Ids, what is ready. */
struct sched {
	struct push *p;
	struct items v;
	jv keys;            /* planned contact key -> Id */
	jv pending;         /* planned contact key -> true while that contact is being created */
	int contacts_left;  /* planned contacts being created */
	int *q[5];          /* ready items by priority (contacts, Events, roles and relations, the rest; updates) */
	int qn[5], qcap[5], qhead[5];
	long live[5];       /* ready items in each queue not yet taken */
	long creates;       /* ready creates */
	long updates;       /* ready updates */
	long per_obj[NOBJ]; /* ready creates by object */
	int producers;      /* contacts and Events out whose answers make more ready */
	struct bulk *bulks; /* Bulk jobs under way */
	int *first;         /* deal d's planned items are first[d] .. first[d + 1] - 1 */
	int emitted;        /* deals written out so far (in input order) */
	jv opps;            /* each deal's opportunity Id, for messages once it is written */
};

enum ref { REF_OK, REF_WAIT, REF_NONE };

/* A contact reference: an Id as is, a planned contact's key through keys; REF_WAIT while
 * that contact is being created, REF_NONE when it was not. */
static enum ref resolve(struct sched *s, const char *who, char buf[19])
{
	if (id_norm(who, buf) == 0)
		return REF_OK;
	const char *id = jx_str(s->keys, who);
	if (id) {
		snprintf(buf, 19, "%s", id);
		return REF_OK;
	}
	return jv_object_has(jv_copy(s->pending), jv_string(who)) ? REF_WAIT : REF_NONE;
}

/* The element of x's deal that x stands for (list "contacts" or "activities"), and
 * the deal's opportunity in *opp. */
static jv part(struct sched *s, const struct item *x, const char *list, jv *opp)
{
	jv deal = deal_at(s->p, x->deal);
	if (opp)
		*opp = jx_get(deal, "opportunity", JV_KIND_OBJECT);
	return jx_at(jx_get(deal, list, JV_KIND_ARRAY), x->idx);
}

static const char *contact_key(struct sched *s, const struct item *x)
{
	return jx_str(part(s, x, "contacts", NULL), "key");
}

static void build_contact(struct sched *s, struct item *x)
{
	jv opp, c = part(s, x, "contacts", &opp);
	if (recorded(c, x)) {
		s->keys = jv_object_set(s->keys, jv_string(jx_str(c, "key")), jv_string(x->id));
		return;
	}
	jv f = jv_object();
	const char *keysf[] = { "FirstName", "LastName", "Email", "Title" };
	for (size_t k = 0; k < sizeof keysf / sizeof *keysf; k++)
		if (jx_str(c, keysf[k]))
			f = jv_object_set(f, jv_string(keysf[k]), jv_string(jx_str(c, keysf[k])));
	const char *acct = jx_str(c, "AccountId") ? jx_str(c, "AccountId") : jx_str(opp, "AccountId");
	if (acct)
		f = jv_object_set(f, jv_string("AccountId"), jv_string(acct));
	if (jx_str(opp, "OwnerId"))
		f = jv_object_set(f, jv_string("OwnerId"), jv_string(jx_str(opp, "OwnerId")));
	x->fields = f;
}

static void build_role(struct sched *s, struct item *x)
{
	jv opp, c = part(s, x, "contacts", &opp);
	jv role = jx_get(jx_get(c, "sf", JV_KIND_OBJECT), "role", JV_KIND_OBJECT);
	const char *rid = jx_str(role, "id");
	char cid[19];
	if (rid && id_norm(rid, x->id) == 0 && (!jx_str(role, "status") || strcmp(jx_str(role, "status"), "failed"))) {
		x->status = S_SKIPPED;
		return;
	}
	switch (resolve(s, jx_str(c, "key"), cid)) {
	case REF_WAIT: x->waiting = 1; return;
	case REF_NONE: fail(x, "DEPENDENCY_FAILED", "the contact was not created", jv_array()); return;
	case REF_OK: break;
	}
	jv f = jv_object_set(jv_object(), jv_string("OpportunityId"), jv_string(jx_str(opp, "Id")));
	f = jv_object_set(f, jv_string("ContactId"), jv_string(cid));
	if (jx_str(c, "Role"))
		f = jv_object_set(f, jv_string("Role"), jv_string(jx_str(c, "Role")));
	x->fields = f;
}

static void build_activity(struct sched *s, struct item *x)
{
	jv opp, a = part(s, x, "activities", &opp);
	int meeting = x->kind == K_EVENT;
	if (recorded(a, x))
		return;
	const char *who = jx_str(a, "who");
	char whoid[19], date[16];
	if (who)
		switch (resolve(s, who, whoid)) {
		case REF_WAIT: x->waiting = 1; return;
		case REF_NONE: fail(x, "DEPENDENCY_FAILED", "its contact was not created", jv_array()); return;
		case REF_OK: break;
		}
	time_t t;
	if (!jx_str(a, "start") || time_parse(jx_str(a, "start"), &t) != 0) {
		fail(x, "INVALID_RECORD", "the activity has no valid start", jv_array());
		return;
	}
	const char *subj = jx_str(a, "subject") ? jx_str(a, "subject") : (meeting ? "Meeting" : "Email");
	jv f = jv_object();
	if (meeting) {
		char iso[32];
		f = jv_object_set(f, jv_string("Subject"), trimmed(subj, 255));
		f = jv_object_set(f, jv_string("StartDateTime"), jv_string(time_iso(t, iso)));
		f = jv_object_set(f, jv_string("DurationInMinutes"), jv_number(jx_num(a, "minutes", 30)));
		f = jv_object_set(f, jv_string("Type"), jv_string("Meeting"));
	} else {
		char *e = xasprintf("Email: %s", subj);
		f = jv_object_set(f, jv_string("Subject"), trimmed(e, 255));
		free(e);
		int past = !jx_str(a, "when") || strcmp(jx_str(a, "when"), "upcoming");
		f = jv_object_set(f, jv_string("Status"), jv_string(past ? "Completed" : "Not Started"));
		f = jv_object_set(f, jv_string("Priority"), jv_string("Normal"));
		f = jv_object_set(f, jv_string("TaskSubtype"), jv_string("Email"));
		f = jv_object_set(f, jv_string("Type"), jv_string("Email"));
		f = jv_object_set(f, jv_string("ActivityDate"), jv_string(time_date(t, date)));
	}
	if (who)
		f = jv_object_set(f, jv_string("WhoId"), jv_string(whoid));
	f = jv_object_set(f, jv_string("WhatId"), jv_string(jx_str(opp, "Id")));
	if (jx_str(opp, "OwnerId"))
		f = jv_object_set(f, jv_string("OwnerId"), jv_string(jx_str(opp, "OwnerId")));
	if (jx_str(a, "body"))
		f = jv_object_set(f, jv_string("Description"), trimmed(jx_str(a, "body"), 32000));
	x->fields = f;
}

/* The scorecard, as fields on the opportunity or as its own record. */
static void build_scorecard(struct sched *s, struct item *x)
{
	static int score_warned;
	struct push *p = s->p;
	jv deal = deal_at(p, x->deal), opp = jx_get(deal, "opportunity", JV_KIND_OBJECT);
	jv sc = jx_get(deal, "scorecard", JV_KIND_OBJECT);
	const char *oid = jx_str(opp, "Id");
	if (recorded(sc, x))
		return;
	jv answers = jx_get(sc, "answers", JV_KIND_ARRAY);
	jv f = jv_object();
	if (!strcmp(x->object, "DG_Scorecard__c")) {
		f = jv_object_set(f, jv_string("Name"), jv_string_fmt("%s scorecard", jx_str(sc, "template") ? jx_str(sc, "template") : "Deal"));
		f = jv_object_set(f, jv_string("Opportunity__c"), jv_string(oid));
		f = jv_object_set(f, jv_string("Template__c"), jv_string(jx_str(sc, "template") ? jx_str(sc, "template") : ""));
		f = jv_object_set(f, jv_string("Score__c"), jv_number(jx_num(sc, "score", 0)));
		f = jv_object_set(f, jv_string("Coverage__c"), jv_number(jx_num(sc, "coverage", 0) * 100));
		char *a = jx_dumps(answers);
		f = jv_object_set(f, jv_string("Answers__c"), trimmed(a, 131072));
		free(a);
		x->fields = f;
		return;
	}
	/* Fields named PREFIX + Element_Id + __c (and _Score__c); only those the org has. */
	const char *pre = p->cfg->push.scorecard_prefix ? p->cfg->push.scorecard_prefix : "";
	struct sb name = { 0 };
	int nf = 0;
	struct { const char *suffix; jv v; } top[] = {
		{ "Scorecard_Template__c", jv_string(jx_str(sc, "template") ? jx_str(sc, "template") : "") },
		{ "Scorecard_Score__c", jv_number(jx_num(sc, "score", 0)) },
		{ "Scorecard_Coverage__c", jv_number(jx_num(sc, "coverage", 0) * 100) },
	};
	for (size_t k = 0; k < sizeof top / sizeof *top; k++) {
		sb_reset(&name);
		sb_addf(&name, "%s%s", pre, top[k].suffix);
		if (has_field(p, "Opportunity", sb_str(&name))) {
			f = jv_object_set(f, jv_string(sb_str(&name)), top[k].v);
			nf++;
		} else
			jv_free(top[k].v);
	}
	for (int k = 0; k < jx_len(answers); k++) {
		jv an = jx_at(answers, k);
		const char *id = jx_str(an, "id");
		if (!id)
			continue;
		sb_reset(&name);
		sb_add(&name, pre);
		for (int cap = 1; *id; id++) {
			sb_addc(&name, cap ? (char)toupper((unsigned char)*id) : *id);
			cap = *id == '_';
		}
		size_t base = name.len;
		sb_add(&name, "__c");
		if (has_field(p, "Opportunity", sb_str(&name)) && jx_str(an, "answer")) {
			f = jv_object_set(f, jv_string(sb_str(&name)), trimmed(jx_str(an, "answer"), 32000));
			nf++;
		}
		name.len = base;
		name.s[base] = '\0';
		sb_add(&name, "_Score__c");
		if (has_field(p, "Opportunity", sb_str(&name))) {
			f = jv_object_set(f, jv_string(sb_str(&name)), jv_number(jx_num(an, "score", 0)));
			nf++;
		}
	}
	sb_free(&name);
	if (!nf) {
		if (!score_warned++)
			warnx("the org's Opportunity has no %sScorecard_*__c or %s<Element>__c fields: scorecards are not written "
			    "(add the fields, or set push.scorecard.mode)", pre, pre);
		jv_free(f);
		return; /* nothing to send: no sf block */
	}
	x->update = 1;
	id_norm(oid, x->id);
	x->fields = f;
}

/* Whom an Event or a Task relates besides the contact it is with (a new array): its
 * other attendees (an email's: the people in copy), then the seller's people who join
 * a meeting (internal: User Ids). The order is fixed, so a relation's place in it
 * (item rel, sf.relations) names it across runs. */
static jv related_of(jv a)
{
	jv out = jv_array(), att = jx_get(a, "attendees", JV_KIND_ARRAY), in = jx_get(a, "internal", JV_KIND_ARRAY);
	const char *who = jx_str(a, "who");
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

static void build_relation(struct sched *s, struct item *x, const char *evid)
{
	jv rel = related_of(part(s, x, "activities", NULL));
	/* x->rel is the relation's place in related_of. */
	char c[64] = "";
	if (x->rel < jx_len(rel) && jx_cstr(jx_at(rel, x->rel)))
		snprintf(c, sizeof c, "%s", jx_cstr(jx_at(rel, x->rel)));
	jv_free(rel);
	char rid[19];
	switch (*c ? resolve(s, c, rid) : REF_NONE) {
	case REF_WAIT: x->waiting = 1; return;
	case REF_NONE: fail(x, "DEPENDENCY_FAILED", "the attendee was not created", jv_array()); return;
	case REF_OK: break;
	}
	jv f = jv_object_set(jv_object(), jv_string(s->v.v[x->parent].kind == K_TASK ? "TaskId" : "EventId"),
	    jv_string(evid));
	x->fields = jv_object_set(f, jv_string("RelationId"), jv_string(rid));
}

/* Builds item i's fields, or marks it waiting, skipped or failed. */
static void build(struct sched *s, int i)
{
	struct item *x = &s->v.v[i];
	x->waiting = 0;
	switch (x->kind) {
	case K_CONTACT: build_contact(s, x); break;
	case K_ROLE: build_role(s, x); break;
	case K_EVENT:
	case K_TASK: build_activity(s, x); break;
	case K_SCORE: build_scorecard(s, x); break;
	case K_REL: {
		char evid[19];
		memcpy(evid, s->v.v[x->parent].id, sizeof evid);
		build_relation(s, x, evid);
		break;
	}
	}
}

/* One item per planned record: planned contacts and their roles, meetings and emails,
 * the scorecard. */
static void plan(struct sched *s)
{
	struct push *p = s->p;
	const char *mode = p->cfg->push.scorecard;
	s->first = xmalloc((size_t)(jx_len(p->deals) + 1) * sizeof *s->first);
	for (int d = 0; d < jx_len(p->deals); d++) {
		jv deal = deal_at(p, d);
		s->first[d] = s->v.n;
		s->opps = jv_array_append(s->opps, jv_string(jx_str(jx_get(deal, "opportunity", JV_KIND_OBJECT), "Id")));
		jv cs = jx_get(deal, "contacts", JV_KIND_ARRAY);
		for (int j = 0; j < jx_len(cs); j++)
			if (jx_bool(jx_at(cs, j), "planned", 0) && jx_str(jx_at(cs, j), "key")) {
				add(&s->v, K_CONTACT, d, j, "Contact");
				add(&s->v, K_ROLE, d, j, "OpportunityContactRole");
			}
		jv acts = jx_get(deal, "activities", JV_KIND_ARRAY);
		for (int j = 0; j < jx_len(acts); j++) {
			const char *kind = jx_str(jx_at(acts, j), "kind");
			if (kind && !strcmp(kind, "meeting"))
				add(&s->v, K_EVENT, d, j, "Event");
			else if (kind && !strcmp(kind, "email"))
				add(&s->v, K_TASK, d, j, "Task");
		}
		if (jv_is_valid(jx_get(deal, "scorecard", JV_KIND_OBJECT)) && strcmp(mode, "none"))
			add(&s->v, K_SCORE, d, 0, !strcmp(mode, "object") ? "DG_Scorecard__c" : "Opportunity");
	}
	s->first[jx_len(p->deals)] = s->v.n;
}

/* Plans the relations of Event or Task i (related_of: everyone besides the one it is
 * with). add() may move the items: i is used, never a pointer kept across it. */
static void relate(struct sched *s, int i)
{
	struct push *p = s->p;
	struct item *ev = &s->v.v[i];
	if (ev->related || !(ev->status == S_CREATED || ev->status == S_FOUND || (p->reconcile && ev->status == S_SKIPPED)))
		return;
	ev->related = 1;
	ev->rel_first = s->v.n;
	int deal = ev->deal, idx = ev->idx;
	const char *object = ev->kind == K_TASK ? "TaskRelation" : "EventRelation";
	ev = NULL;
	jv a = jx_at(jx_get(deal_at(p, deal), "activities", JV_KIND_ARRAY), idx);
	jv rel = related_of(a);
	jv had = jx_get(jx_get(a, "sf", JV_KIND_OBJECT), "relations", JV_KIND_ARRAY);
	for (int r = 0; r < jx_len(rel); r++) {
		/* A relation an earlier run recorded is left alone. */
		jv h = jx_at(had, r);
		if (jx_str(h, "id") && (!jx_str(h, "status") || strcmp(jx_str(h, "status"), "failed")))
			continue;
		int x = add(&s->v, K_REL, deal, idx, object);
		s->v.v[x].rel = r;
		s->v.v[x].parent = i;
		s->v.v[i].rel_n++;
		build(s, x);
	}
	jv_free(rel);
}

/* Whether an Event's or a Task's answer plans relations: it has people besides its
 * contact (a Task's only where the org has TaskRelation). */
static int has_relations(struct sched *s, const struct item *x)
{
	if (x->kind != K_EVENT && !(x->kind == K_TASK && s->p->task_rel))
		return 0;
	jv rel = related_of(part(s, x, "activities", NULL));
	int n = jx_len(rel);
	jv_free(rel);
	return n > 0;
}

/* ---- what is ready to send ---- */

static int priority(const struct item *x)
{
	if (x->update)
		return 4;
	switch (x->kind) {
	case K_CONTACT: return 0;
	case K_EVENT: return 1;
	case K_ROLE:
	case K_REL: return 2;
	default: return 3;
	}
}

/* Queues item i if it has something to send; what dg creates gets the run's tag. */
static void ready(struct sched *s, int i)
{
	struct item *x = &s->v.v[i];
	if (x->status != S_NONE || x->waiting || x->sent || !jv_is_valid(x->fields))
		return;
	if (!x->update && x->kind != K_REL)
		x->fields = tagged(s->p, x->object, x->fields);
	int c = priority(x);
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
		s->per_obj[obj_index(x->object)]++;
	}
}

/* Marks item i as handed to a call or a Bulk job. */
static void take(struct sched *s, int i)
{
	struct item *x = &s->v.v[i];
	x->sent = 1;
	s->live[priority(x)]--;
	if (x->update)
		s->updates--;
	else {
		s->creates--;
		s->per_obj[obj_index(x->object)]--;
	}
	if (x->kind == K_CONTACT || has_relations(s, x))
		s->producers++;
}

static void finished(struct sched *s, int i);

/* ---- Bulk API 2.0, for large loads of one object ---- */

enum step { B_CREATE, B_UPLOAD, B_CLOSE, B_POLL, B_RESULTS, B_END };

struct bulk {
	struct bulk *next;
	const char *object;
	int *items, n;
	enum step step;
	int out;            /* calls of this job out */
	int results;        /* result files asked for (the successful, then the failed) */
	double due;         /* the next poll, not before */
	long wait;          /* the poll after it, in ms */
	double t0;
	char *id, *url;
	struct sb csv;
	jv byrow;           /* a row's cells -> [position in items, ...] */
	char why[1024];     /* what stopped the job, or "" */
};

static char *cell(jv v)
{
	switch (jv_get_kind(v)) {
	case JV_KIND_STRING: return xstrdup(jv_string_value(v));
	case JV_KIND_TRUE: return xstrdup("true");
	case JV_KIND_FALSE: return xstrdup("false");
	case JV_KIND_NULL: return xstrdup("#N/A");
	case JV_KIND_NUMBER: return jx_dumps(v);
	default: return xstrdup("");
	}
}

/* "CODE:message:FIELD,FIELD --" (several joined by ';') into an item's error. */
static void bulk_error(struct item *x, const char *text)
{
	char *t = xstrdup(text), *msg = strchr(t, ':');
	if (msg)
		*msg++ = '\0';
	char *flds = msg ? strrchr(msg, ':') : NULL;
	jv fields = jv_array();
	if (flds) {
		*flds++ = '\0';
		char *end = strstr(flds, " --");
		if (end)
			*end = '\0';
		char *save = NULL;
		for (char *f = strtok_r(flds, ",", &save); f; f = strtok_r(NULL, ",", &save))
			fields = jv_array_append(fields, jv_string(f));
	}
	fail(x, *t ? t : "UNKNOWN_EXCEPTION", msg ? msg : text, fields);
	free(t);
}

/* Starts a job for the ready creates of one object. */
static void bulk_start(struct sched *s, int o)
{
	struct bulk *b = xcalloc(1, sizeof *b);
	b->object = objects[o];
	b->items = xmalloc((size_t)(s->per_obj[o] + 1) * sizeof *b->items);
	for (int c = 0; c < 5; c++)
		for (int k = s->qhead[c]; k < s->qn[c]; k++) {
			int i = s->q[c][k];
			struct item *x = &s->v.v[i];
			if (!x->sent && !x->update && !strcmp(x->object, b->object)) {
				take(s, i);
				b->items[b->n++] = i;
			}
		}
	b->t0 = push_clock();
	b->next = s->bulks;
	s->bulks = b;
}

/* The job's CSV, and how to find each item's row again in the results (they come in
 * any order). Made while the job's creation is out, or else when the upload is due. */
static void bulk_csv(struct sched *s, struct bulk *b)
{
	if (b->csv.len)
		return;
	jv colset = jv_object();
	for (int i = 0; i < b->n; i++)
		jv_object_foreach(s->v.v[b->items[i]].fields, k, v) {
			colset = jv_object_set(colset, k, jv_true());
			jv_free(v);
		}
	jv cols = jv_keys(colset);
	struct sb key = { 0 };
	for (int c = 0; c < jx_len(cols); c++)
		csv_cell(&b->csv, jx_cstr(jx_at(cols, c)), !c, ',');
	sb_addc(&b->csv, '\n');
	b->byrow = jv_object();
	for (int i = 0; i < b->n; i++) {
		sb_reset(&key);
		for (int c = 0; c < jx_len(cols); c++) {
			jv v = jv_object_get(jv_copy(s->v.v[b->items[i]].fields), jv_string(jx_cstr(jx_at(cols, c))));
			char *t = jv_is_valid(v) ? cell(v) : xstrdup("");
			jv_free(v);
			csv_cell(&b->csv, t, !c, ',');
			sb_add(&key, t);
			sb_addc(&key, '\x1f');
			free(t);
		}
		sb_addc(&b->csv, '\n');
		jv q = jv_object_get(jv_copy(b->byrow), jv_string(sb_str(&key)));
		if (!jv_is_valid(q))
			q = jv_array();
		b->byrow = jv_object_set(b->byrow, jv_string(sb_str(&key)), jv_array_append(q, jv_number(i)));
	}
	jv_free(cols);
	sb_free(&key);
}

/* The result rows of one results file into the items. */
static void bulk_rows(struct sched *s, struct bulk *b, const struct http_resp *r, int ok)
{
	struct sb key = { 0 };
	const char *p = r->body.s ? r->body.s : "", *end = p + r->body.len;
	jv head = csv_row(&p, end, ',');
	for (jv row; jv_is_valid(row = csv_row(&p, end, ',')); jv_free(row)) {
		if (jx_len(row) < 2)
			continue;
		sb_reset(&key);
		for (int k = 2; k < jx_len(row); k++) {
			sb_add(&key, jx_cstr(jx_at(row, k)));
			sb_addc(&key, '\x1f');
		}
		jv q = jv_object_get(jv_copy(b->byrow), jv_string(sb_str(&key)));
		if (!jx_len(q)) {
			jv_free(q);
			continue;
		}
		struct item *x = &s->v.v[b->items[(int)jv_number_value(jx_at(q, 0))]];
		b->byrow = jv_object_set(b->byrow, jv_string(sb_str(&key)), jv_array_slice(q, 1, jx_len(q)));
		if (ok) {
			x->status = S_CREATED;
			id_norm(jx_cstr(jx_at(row, 0)), x->id);
		} else
			bulk_error(x, jx_cstr(jx_at(row, 1)));
	}
	jv_free(head);
	sb_free(&key);
}

/* The job is over (done or stopped): every item gets its answer. */
static void bulk_end(struct sched *s, struct bulk *b)
{
	b->step = B_END;
	for (int i = 0; i < b->n; i++) {
		struct item *x = &s->v.v[b->items[i]];
		if (x->status == S_NONE) {
			if (b->why[0])
				fail(x, "BULK_JOB_FAILED", b->why, jv_array());
			else
				fail(x, "BULK_RESULT_MISSING", "the Bulk job reported nothing for this record", jv_array());
		}
	}
	for (int i = 0; i < b->n; i++)
		finished(s, b->items[i]);
}

static void bulk_free(struct bulk *b)
{
	free(b->items);
	free(b->id);
	free(b->url);
	sb_free(&b->csv);
	jv_free(b->byrow);
	free(b);
}

/* ---- the calls ---- */

struct call {
	struct sf_call c;   /* first: sf_pump hands it back */
	int *items, n;      /* a Collections call: its items, in the order sent */
	int upd;
	struct bulk *b;     /* or a step of this Bulk job */
	enum step step;
	int ok;             /* the successful results (else the failed) */
};

static struct call *new_call(const char *method, char *path, char *body)
{
	struct call *k = xcalloc(1, sizeof *k);
	k->c.method = method;
	k->c.path = path;
	k->c.body = body;
	return k;
}

static struct call *bulk_call(struct sched *s, struct bulk *b)
{
	struct call *k = NULL;
	switch (b->step) {
	case B_CREATE: {
		jv job = jv_object_set(jv_object(), jv_string("object"), jv_string(b->object));
		job = jv_object_set(job, jv_string("operation"), jv_string("insert"));
		job = jv_object_set(job, jv_string("contentType"), jv_string("CSV"));
		job = jv_object_set(job, jv_string("lineEnding"), jv_string("LF"));
		k = new_call("POST", xstrdup("/jobs/ingest"), jx_dumps(job));
		jv_free(job);
		break;
	}
	case B_UPLOAD:
		bulk_csv(s, b);
		k = new_call("PUT", xasprintf("/%s", b->url), xstrdup(sb_str(&b->csv)));
		k->c.ctype = "text/csv";
		break;
	case B_CLOSE:
		k = new_call("PATCH", xasprintf("/jobs/ingest/%s", b->id), xstrdup("{\"state\":\"UploadComplete\"}"));
		break;
	case B_POLL: k = new_call("GET", xasprintf("/jobs/ingest/%s", b->id), NULL); break;
	case B_RESULTS:
		/* Both result files at once. */
		k = new_call("GET", xasprintf("/jobs/ingest/%s/%sResults/", b->id, b->results ? "failed" : "successful"), NULL);
		k->c.weight = b->results ? 0 : b->n;
		k->ok = !b->results++;
		break;
	case B_END: return NULL;
	}
	k->b = b;
	k->step = b->step;
	b->out++;
	return k;
}

/* Whether a Bulk job has a call to make now. */
static int bulk_can(const struct bulk *b, double now)
{
	if (b->step == B_END || (b->out && b->step != B_RESULTS))
		return 0;
	return b->step == B_RESULTS ? b->results < 2 : b->step != B_POLL || b->due <= now;
}

/* A Bulk job's step answered: on to the next step, or the end. */
static void bulk_answer(struct sched *s, struct call *k)
{
	struct bulk *b = k->b;
	struct http_resp *r = &k->c.resp;
	int ok = r->status >= 200 && r->status < 300;
	static const char *const what[] = { "create", "upload", "close", "state", "results" };
	b->out--;
	if (!ok) {
		if (!b->why[0]) {
			char *t = sf_error_text(r);
			snprintf(b->why, sizeof b->why, "the Bulk job%s%s (%s): %s", b->id ? " " : "", b->id ? b->id : "", what[k->step], t);
			free(t);
		}
		if (!b->out)
			bulk_end(s, b);
		return;
	}
	jv j = jv_invalid();
	switch (k->step) {
	case B_CREATE:
		j = jv_parse_sized(r->body.s ? r->body.s : "", (int)r->body.len);
		if (!jx_str(j, "id") || !jx_str(j, "contentUrl")) {
			snprintf(b->why, sizeof b->why, "the Bulk job has no id");
			bulk_end(s, b);
			break;
		}
		b->id = xstrdup(jx_str(j, "id"));
		b->url = xstrdup(jx_str(j, "contentUrl"));
		b->step = B_UPLOAD;
		break;
	case B_UPLOAD:
		sb_free(&b->csv);
		b->step = B_CLOSE;
		break;
	case B_CLOSE:
		b->step = B_POLL;
		b->wait = 100;
		b->due = 0;
		break;
	case B_POLL: {
		/* Poll: at once, then 100 ms doubling to 5 s, for at most 30 minutes. */
		j = jv_parse_sized(r->body.s ? r->body.s : "", (int)r->body.len);
		const char *st = jx_str(j, "state");
		if (st && !strcmp(st, "JobComplete"))
			b->step = B_RESULTS;
		else if (st && (!strcmp(st, "Failed") || !strcmp(st, "Aborted"))) {
			snprintf(b->why, sizeof b->why, "the Bulk job %s: %s", st, jx_str(j, "errorMessage") ? jx_str(j, "errorMessage") : "");
			bulk_end(s, b);
		} else if (push_clock() - b->t0 > 1800) {
			snprintf(b->why, sizeof b->why, "the Bulk job %s did not finish in 30 minutes", b->id);
			bulk_end(s, b);
		} else {
			b->due = push_clock() + b->wait / 1000.0;
			b->wait = b->wait * 2 > 5000 ? 5000 : b->wait * 2;
		}
		break;
	}
	case B_RESULTS:
		bulk_rows(s, b, r, k->ok);
		if (!b->out && b->results == 2)
			bulk_end(s, b);
		break;
	case B_END: break;
	}
	jv_free(j);
}

static int by_object(const void *a, const void *b, void *arg)
{
	struct sched *s = arg;
	int x = *(const int *)a, y = *(const int *)b;
	int c = strcmp(s->v.v[x].object, s->v.v[y].object);
	return c ? c : (x > y) - (x < y);
}

/* Up to 200 ready records in priority order, sorted by object: one Collections call. */
static struct call *collections_call(struct sched *s, int upd)
{
	struct call *k = new_call(upd ? "PATCH" : "POST", xstrdup("/composite/sobjects"), NULL);
	k->upd = upd;
	k->items = xmalloc(200 * sizeof *k->items);
	for (int c = upd ? 4 : 0; c < (upd ? 5 : 4) && k->n < 200; c++)
		while (s->qhead[c] < s->qn[c] && k->n < 200) {
			int i = s->q[c][s->qhead[c]++];
			if (s->v.v[i].sent)
				continue; /* taken by a Bulk job */
			take(s, i);
			k->items[k->n++] = i;
		}
	qsort_r(k->items, (size_t)k->n, sizeof *k->items, by_object, s);
	struct sb body = { 0 };
	sb_add(&body, "{\"allOrNone\":false,\"records\":[");
	for (int j = 0; j < k->n; j++) {
		struct item *x = &s->v.v[k->items[j]];
		jv r = jv_object_set(jv_copy(x->fields), jv_string("attributes"),
		    jv_object_set(jv_object(), jv_string("type"), jv_string(x->object)));
		if (upd)
			r = jv_object_set(r, jv_string("id"), jv_string(x->id));
		if (j)
			sb_addc(&body, ',');
		jx_dump(&body, r);
		jv_free(r);
	}
	sb_add(&body, "]}");
	k->c.body = body.s;
	k->c.weight = k->n;
	return k;
}

/* A Collections call answered: one result per record, in order; or the call's error
 * for each of them. */
static void collections_answer(struct sched *s, struct call *k)
{
	struct http_resp *r = &k->c.resp;
	jv res = r->status == 200 ? jv_parse_sized(r->body.s ? r->body.s : "", (int)r->body.len) : jv_invalid();
	int ok = jv_get_kind(res) == JV_KIND_ARRAY && jx_len(res) == k->n;
	char *why = ok ? NULL : sf_error_text(r);
	jv ecode = jv_invalid();
	if (!ok) {
		jv j = jv_parse_sized(r->body.s ? r->body.s : "", (int)r->body.len);
		jv e = jv_get_kind(j) == JV_KIND_ARRAY ? jx_at(j, 0) : j;
		ecode = jv_string(jx_str(e, "errorCode") ? jx_str(e, "errorCode") : r->status ? "HTTP_ERROR" : "CONNECTION_FAILED");
		jv_free(j);
	}
	for (int j = 0; j < k->n; j++) {
		struct item *x = &s->v.v[k->items[j]];
		if (!ok) {
			const char *msg = strchr(why, ':') ? strchr(why, ':') + 2 : why;
			fail(x, jv_string_value(ecode), msg, jv_array());
			continue;
		}
		jv one = jx_at(res, j);
		if (jx_bool(one, "success", 0)) {
			x->status = k->upd ? S_UPDATED : S_CREATED;
			if (!k->upd)
				id_norm(jx_str(one, "id") ? jx_str(one, "id") : "", x->id);
		} else {
			jv e = jx_at(jx_get(one, "errors", JV_KIND_ARRAY), 0);
			fail(x, jx_str(e, "statusCode") ? jx_str(e, "statusCode") : "UNKNOWN_EXCEPTION",
			    jx_str(e, "message") ? jx_str(e, "message") : "", jv_copy(jx_get(e, "fields", JV_KIND_ARRAY)));
		}
	}
	free(why);
	jv_free(ecode);
	jv_free(res);
	for (int j = 0; j < k->n; j++)
		finished(s, k->items[j]);
}

/* Item i has its answer: what waited for it may now be ready. */
static void finished(struct sched *s, int i)
{
	struct item *x = &s->v.v[i];
	if (x->sent && (x->kind == K_CONTACT || has_relations(s, x)))
		s->producers--;
	if (x->kind == K_CONTACT) {
		const char *key = contact_key(s, x);
		if (x->status == S_CREATED || x->status == S_FOUND)
			s->keys = jv_object_set(s->keys, jv_string(key), jv_string(x->id));
		s->pending = jv_object_delete(s->pending, jv_string(key));
		if (--s->contacts_left == 0) {
			/* Every planned contact has its answer: build what waited, relate the
			 * Events already back. */
			for (int k = 0; k < s->v.n; k++)
				if (s->v.v[k].waiting) {
					build(s, k);
					ready(s, k);
				}
			for (int k = 0, n = s->v.n; k < n; k++)
				if (has_relations(s, &s->v.v[k]) && s->v.v[k].status != S_NONE) {
					int from = s->v.n;
					relate(s, k);
					for (int r = from; r < s->v.n; r++)
						ready(s, r);
				}
		}
	} else if (has_relations(s, x) && s->contacts_left == 0) {
		int from = s->v.n;
		relate(s, i);
		for (int r = from; r < s->v.n; r++)
			ready(s, r);
	}
}

static jv apply(jv deal, const struct item *x);

/* Whether an item has its answer, or will never be sent. */
static int item_over(const struct item *x)
{
	return x->status != S_NONE || (!x->sent && !x->waiting && !jv_is_valid(x->fields));
}

/* Whether every record of deal d has its answer (an Event's relations included). */
static int deal_over(struct sched *s, int d)
{
	for (int i = s->first[d]; i < s->first[d + 1]; i++) {
		struct item *x = &s->v.v[i];
		if (!item_over(x))
			return 0;
		if (!has_relations(s, x) ||
		    !(x->status == S_CREATED || x->status == S_FOUND || (s->p->reconcile && x->status == S_SKIPPED)))
			continue;
		if (!x->related)
			return 0;
		for (int r = x->rel_first; r < x->rel_first + x->rel_n; r++)
			if (!item_over(&s->v.v[r]))
				return 0;
	}
	return 1;
}

/* Writes out, in input order, the deals whose records all have their answers (all
 * of them when all is true): the output flows while the last calls are out. */
static void emit(struct sched *s, int all)
{
	struct push *p = s->p;
	for (; s->emitted < jx_len(p->deals) && (all || deal_over(s, s->emitted)); s->emitted++) {
		int d = s->emitted;
		jv deal = jv_array_get(jv_copy(p->deals), d);
		p->deals = jv_array_set(p->deals, d, jv_null()); /* deal is changed in place */
		for (int i = s->first[d]; i < s->first[d + 1]; i++) {
			const struct item *x = &s->v.v[i];
			deal = apply(deal, x);
			if (x->kind == K_EVENT || x->kind == K_TASK)
				for (int r = x->rel_first; r < x->rel_first + x->rel_n; r++)
					deal = apply(deal, &s->v.v[r]);
		}
		jsonl_emit(deal);
	}
}

/* The next Collections call, or NULL when none is to be sent now. */
static struct call *collections_next(struct sched *s)
{
	/* Updates (the scorecards) before the records nothing waits for, so that deals
	 * are over, and written out, while the last calls are still out. */
	if (s->updates > 0 && !(s->live[0] + s->live[1] + s->live[2]))
		return collections_call(s, 1);
	/* A full call; a short one only when no answer out there could fill it up. */
	if (s->creates >= 200 || (s->creates > 0 && s->producers == 0))
		return collections_call(s, 0);
	if (s->updates > 0)
		return collections_call(s, 1);
	return NULL;
}

static struct sf_call *next_call(void *arg, long *wait)
{
	struct sched *s = arg;
	long th = s->p->cfg->push.bulk_threshold;
	/* A load of one object at or above the threshold becomes a Bulk job. */
	for (int o = 0; th > 0 && o < NOBJ; o++)
		if (s->per_obj[o] >= th)
			bulk_start(s, o);
	/* Bulk jobs' next steps first: each waits on the one before. */
	double now = push_clock(), soonest = -1;
	for (struct bulk *b = s->bulks; b; b = b->next) {
		if (bulk_can(b, now))
			return &bulk_call(s, b)->c;
		if (b->step == B_POLL && !b->out && (soonest < 0 || b->due < soonest))
			soonest = b->due;
	}
	struct call *k = collections_next(s);
	if (k)
		return &k->c;
	*wait = soonest < 0 ? -1 : (long)((soonest - now) * 1000) + 1;
	return NULL;
}

static void call_done(struct sf_call *c, void *arg)
{
	struct sched *s = arg;
	struct call *k = (struct call *)c;
	if (k->b)
		bulk_answer(s, k);
	else
		collections_answer(s, k);
	sf_call_free(&k->c);
	free(k->items);
	free(k);
}

/* While calls are out: the CSV of a Bulk job being created; the deals that are over. */
static void idle(void *arg)
{
	struct sched *s = arg;
	for (struct bulk *b = s->bulks; b; b = b->next)
		if (b->step <= B_UPLOAD)
			bulk_csv(s, b);
	emit(s, 0);
}

/* ---- reconcile: find in the org what an interrupted run created but never recorded ---- */

/* What identifies a record dg would create, from its fields (ours or the org's):
 * the parent, and the values a plan fixes. */
struct natural {
	const char *object, *parent;
	const char *fields[3];
};
static const struct natural naturals[] = {
	{ "Event", "WhatId", { "StartDateTime", "Subject", NULL } },
	{ "Task", "WhatId", { "ActivityDate", "Subject", NULL } },
	{ "Contact", "AccountId", { "Email", NULL, NULL } },
	{ "OpportunityContactRole", "OpportunityId", { "ContactId", NULL, NULL } },
	{ "EventRelation", "EventId", { "RelationId", NULL, NULL } },
	{ "TaskRelation", "TaskId", { "RelationId", NULL, NULL } },
	{ "DG_Scorecard__c", "Opportunity__c", { NULL, NULL, NULL } },
};

static void natural_key(const struct natural *n, jv rec, struct sb *k)
{
	sb_reset(k);
	const char *par = jx_str(rec, n->parent);
	char id[19];
	sb_add(k, par && id_norm(par, id) == 0 ? id : par ? par : "");
	for (int i = 0; i < 3 && n->fields[i]; i++) {
		const char *v = jx_str(rec, n->fields[i]);
		time_t t;
		sb_addc(k, '\x1f');
		if (!v)
			continue;
		if (!strcmp(n->fields[i], "StartDateTime") && time_parse(v, &t) == 0)
			sb_addf(k, "%lld", (long long)t);
		else if (!strcmp(n->fields[i], "ContactId") || !strcmp(n->fields[i], "RelationId"))
			sb_add(k, id_norm(v, id) == 0 ? id : v);
		else if (!strcmp(n->fields[i], "Email"))
			for (const char *c = v; *c; c++)
				sb_addc(k, (char)tolower((unsigned char)*c));
		else
			sb_add(k, v);
	}
}

struct found_ctx {
	const struct natural *n;
	jv map; /* natural key -> [Id, ...] */
	struct sb k;
};

static int found_one(jv rec, void *arg)
{
	struct found_ctx *c = arg;
	natural_key(c->n, rec, &c->k);
	jv l = jv_object_get(jv_copy(c->map), jv_string(sb_str(&c->k)));
	if (!jv_is_valid(l))
		l = jv_array();
	c->map = jv_object_set(c->map, jv_string(sb_str(&c->k)), jv_array_append(l, jv_string(jx_str(rec, "Id"))));
	return 0;
}

/* Whether item x is one to look for: it is to be created and was not looked for. */
static int to_find(const struct item *x, const struct natural *n)
{
	return x->status == S_NONE && !x->waiting && !x->reconciled && jv_is_valid(x->fields) && !x->update &&
	    !strcmp(x->object, n->object);
}

/* Marks the items to be created that already exist in the org as found. */
static void reconcile(struct push *p, struct items *v)
{
	for (size_t o = 0; o < sizeof naturals / sizeof *naturals; o++) {
		const struct natural *n = &naturals[o];
		jv parents = jv_object();
		for (int i = 0; i < v->n; i++)
			if (to_find(&v->v[i], n) && jx_str(v->v[i].fields, n->parent))
				parents = jv_object_set(parents, jv_string(jx_str(v->v[i].fields, n->parent)), jv_true());
		jv ids = jv_keys(parents);
		struct found_ctx c = { n, jv_object(), { 0 } };
		for (int at = 0; at < jx_len(ids); at += 100) {
			struct sb q = { 0 };
			sb_addf(&q, "SELECT Id, %s", n->parent);
			for (int f = 0; f < 3 && n->fields[f]; f++)
				sb_addf(&q, ", %s", n->fields[f]);
			sb_addf(&q, " FROM %s WHERE %s IN (", n->object, n->parent);
			for (int i = at; i < jx_len(ids) && i < at + 100; i++) {
				char *lit = sf_quote(jx_cstr(jx_at(ids, i)));
				sb_addf(&q, "%s%s", i > at ? ", " : "", lit);
				free(lit);
			}
			sb_add(&q, ")");
			/* Only dg's own records, when they carry a tag. */
			const char *tf = p->cfg->push.tag_field;
			if (tf && *tf && has_field(p, n->object, tf))
				sb_addf(&q, " AND %s != null", tf);
			char err[1024];
			if (sf_query(p->sf, sb_str(&q), found_one, &c, err, sizeof err) < 0)
				warnx("cannot look for existing %s records: %s", n->object, err);
			sb_free(&q);
		}
		for (int i = 0; i < v->n; i++) {
			struct item *x = &v->v[i];
			if (!to_find(x, n))
				continue;
			x->reconciled = 1;
			natural_key(n, x->fields, &c.k);
			jv l = jv_object_get(jv_copy(c.map), jv_string(sb_str(&c.k)));
			if (jx_len(l)) {
				/* Take one: two planned items with the same key find two records. */
				id_norm(jx_cstr(jx_at(l, 0)), x->id);
				x->status = S_FOUND;
				c.map = jv_object_set(c.map, jv_string(sb_str(&c.k)), jv_array_slice(l, 1, jx_len(l)));
			} else
				jv_free(l);
		}
		jv_free(ids);
		jv_free(c.map);
		sb_free(&c.k);
	}
}

/* ---- results into the records ---- */

static jv sf_block(const struct item *x, jv old)
{
	jv b = jv_object_set(jv_object(), jv_string("object"), jv_string(x->object));
	if (x->id[0] && x->status != S_FAILED)
		b = jv_object_set(b, jv_string("id"), jv_string(x->id));
	b = jv_object_set(b, jv_string("status"), jv_string(status_name[x->status]));
	if (x->status == S_FAILED)
		b = jv_object_set(b, jv_string("error"), jv_copy(x->error));
	/* Keep what an earlier run recorded beside it (the role, the relations). */
	if (jv_get_kind(old) == JV_KIND_OBJECT) {
		jv_object_foreach(old, k, val) {
			const char *ks = jv_string_value(k);
			if (strcmp(ks, "object") && strcmp(ks, "id") && strcmp(ks, "status") && strcmp(ks, "error"))
				b = jv_object_set(b, k, val);
			else {
				jv_free(k);
				jv_free(val);
			}
		}
	}
	return b;
}

/* Changes deal.list[idx] through f. Each level is taken out of its parent while it
 * changes, so that it is changed in place rather than copied. */
static jv set_in(jv deal, const char *list, int idx, jv (*f)(jv, const struct item *), const struct item *x)
{
	jv arr = jv_object_get(jv_copy(deal), jv_string(list));
	deal = jv_object_set(deal, jv_string(list), jv_null());
	jv el = jv_array_get(jv_copy(arr), idx);
	arr = jv_array_set(arr, idx, jv_null());
	el = f(el, x);
	arr = jv_array_set(arr, idx, el);
	return jv_object_set(deal, jv_string(list), arr);
}

static jv put_sf(jv el, const struct item *x)
{
	jv old = jv_object_get(jv_copy(el), jv_string("sf"));
	jv b = sf_block(x, old);
	jv_free(old);
	return jv_object_set(el, jv_string("sf"), b);
}

static jv put_role(jv el, const struct item *x)
{
	jv sf = jv_object_get(jv_copy(el), jv_string("sf"));
	if (jv_get_kind(sf) != JV_KIND_OBJECT) {
		jv_free(sf);
		sf = jv_object();
	}
	jv old = jv_object_get(jv_copy(sf), jv_string("role"));
	jv b = sf_block(x, old);
	jv_free(old);
	sf = jv_object_set(sf, jv_string("role"), b);
	return jv_object_set(el, jv_string("sf"), sf);
}

static jv put_rel(jv el, const struct item *x)
{
	jv sf = jv_object_get(jv_copy(el), jv_string("sf"));
	if (jv_get_kind(sf) != JV_KIND_OBJECT) {
		jv_free(sf);
		sf = jv_object();
	}
	jv rels = jv_object_get(jv_copy(sf), jv_string("relations"));
	if (jv_get_kind(rels) != JV_KIND_ARRAY) {
		jv_free(rels);
		rels = jv_array();
	}
	jv b = sf_block(x, jv_null());
	rels = jv_array_set(rels, x->rel, b);
	sf = jv_object_set(sf, jv_string("relations"), rels);
	return jv_object_set(el, jv_string("sf"), sf);
}

/* Item x's answer into its deal record (consumed and returned). */
static jv apply(jv deal, const struct item *x)
{
	if (x->status == S_NONE)
		return deal;
	switch (x->kind) {
	case K_CONTACT: return set_in(deal, "contacts", x->idx, put_sf, x);
	case K_ROLE: return set_in(deal, "contacts", x->idx, put_role, x);
	case K_EVENT:
	case K_TASK: return set_in(deal, "activities", x->idx, put_sf, x);
	case K_REL: return set_in(deal, "activities", x->idx, put_rel, x);
	case K_SCORE: {
		jv sc = jv_object_get(jv_copy(deal), jv_string("scorecard"));
		deal = jv_object_set(deal, jv_string("scorecard"), jv_null());
		return jv_object_set(deal, jv_string("scorecard"), put_sf(sc, x));
	}
	}
	return deal;
}

static void report(struct push *p, struct items *v, jv opps)
{
	int shown = 0;
	for (int i = 0; i < v->n; i++) {
		struct item *x = &v->v[i];
		if (x->status != S_FAILED)
			continue;
		p->failed++;
		if (shown++ < 20) {
			const char *opp = jx_cstr(jx_at(opps, x->deal));
			jv f = jx_get(x->error, "fields", JV_KIND_ARRAY);
			struct sb fs = { 0 };
			for (int k = 0; k < jx_len(f); k++)
				sb_addf(&fs, "%s%s", k ? ", " : " (", jx_cstr(jx_at(f, k)));
			if (fs.len)
				sb_add(&fs, ")");
			warnx("cannot %s '%s' for '%s': %s: %s%s", x->update ? "update" : "create", x->object, opp,
			    jx_str(x->error, "code"), jx_str(x->error, "message"), sb_str(&fs));
			sb_free(&fs);
		}
	}
	if (shown > 20)
		warnx("... and %d more failures", shown - 20);
	for (int o = 0; o < NOBJ; o++) {
		long n[6] = { 0 };
		for (int i = 0; i < v->n; i++)
			if (!strcmp(v->v[i].object, objects[o]))
				n[v->v[i].status]++;
		if (n[S_CREATED] + n[S_UPDATED] + n[S_SKIPPED] + n[S_FAILED] + n[S_FOUND])
			warnx("%s: %ld created, %ld updated, %ld skipped, %ld found, %ld failed", objects[o], n[S_CREATED],
			    n[S_UPDATED], n[S_SKIPPED], n[S_FOUND], n[S_FAILED]);
	}
}

double push_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Progress on a terminal: records written of the total, the rate, the time left. */
struct progress {
	long done, total;
	double t0, last;
};

static void show_progress(long weight, void *arg)
{
	struct progress *g = arg;
	if (!weight)
		return;
	g->done += weight;
	double now = push_clock(), rate = g->done / (now - g->t0 + 1e-9);
	if (now - g->last < 0.2 && g->done < g->total)
		return;
	g->last = now;
	fprintf(stderr, "\r%s: %ld of %ld records, %.0f a second, about %.0f s left   ", progname, g->done, g->total,
	    rate, rate > 0 && g->total > g->done ? (g->total - g->done) / rate : 0.0);
}

/* ---- the production guard, and what the org has ---- */

/* Asks, in one wave of calls, whether the org is a sandbox and what fields the objects
 * have that the records may fill (the tag field, the scorecard fields). Returns 0, or
 * an exit status: a production org is refused unless allowed. */
static int guard(struct push *p, const char *const *objs, int nobjs)
{
	struct sf_call *calls = xcalloc((size_t)nobjs + 1, sizeof *calls);
	calls[0].method = "GET";
	calls[0].path = xstrdup("/query?q=SELECT+Id%2C+Name%2C+IsSandbox+FROM+Organization");
	for (int i = 0; i < nobjs; i++) {
		calls[i + 1].method = "GET";
		calls[i + 1].path = xasprintf("/sobjects/%s/describe", objs[i]);
	}
	sf_calls(p->sf, calls, nobjs + 1, nobjs + 1);
	for (int i = 0; i < nobjs; i++) {
		struct http_resp *r = &calls[i + 1].resp;
		jv d = r->status == 200 ? jv_parse_sized(r->body.s ? r->body.s : "", (int)r->body.len) : jv_invalid();
		keep_fields(p, objs[i], d);
		jv_free(d);
		sf_call_free(&calls[i + 1]);
	}
	struct http_resp *r = &calls[0].resp;
	jv res = r->status == 200 ? jv_parse_sized(r->body.s ? r->body.s : "", (int)r->body.len) : jv_invalid();
	int rc = 0;
	if (!jv_is_valid(jx_get(res, "records", JV_KIND_ARRAY))) {
		char *t = sf_error_text(r);
		warnx("cannot tell whether the org is a sandbox: %s", t);
		free(t);
		rc = EXIT_FAIL;
	} else {
		jv org = jx_at(jx_get(res, "records", JV_KIND_ARRAY), 0);
		const char *name = jx_str(org, "Name") ? jx_str(org, "Name") : "?";
		if (jx_bool(org, "IsSandbox", 0))
			;
		else if (!p->allow) {
			warnx("'%s' (%s) is a production org: refusing to write; pass --allow-production or set "
			    "salesforce.allow_production: true if that is really meant",
			    name, jx_str(org, "Id") ? jx_str(org, "Id") : "?");
			rc = EXIT_USAGE;
		} else
			warnx("writing into production org '%s' (--allow-production)", name);
	}
	jv_free(res);
	sf_call_free(&calls[0]);
	free(calls);
	return rc;
}

/* The objects whose fields the records may need: the ones that get the tag field
 * (reconcile also looks for tagged relations), the opportunity's scorecard fields, or
 * for --delete --from-org the tagged objects. */
int push_guard(struct push *p)
{
	const char *tf = p->cfg->push.tag_field, *objs[NOBJ + NTAGGED + 1];
	int tag = tf && *tf, n = 0;
	if (p->del)
		for (int i = 0; p->from_org && i < NTAGGED; i++)
			objs[n++] = tagged_objs[i];
	else
		for (int o = 0; o < NOBJ; o++) {
			const char *ob = objects[o];
			int want = !strcmp(ob, "EventRelation") || !strcmp(ob, "TaskRelation") ? p->reconcile && tag
			    : !strcmp(ob, "Opportunity") ? !strcmp(p->cfg->push.scorecard, "fields")
			    : !strcmp(ob, "DG_Scorecard__c") ? tag && !strcmp(p->cfg->push.scorecard, "object") : tag;
			if (want)
				objs[n++] = ob;
		}
	if (!p->del)
		objs[n++] = "DG_Lock__c";
	return guard(p, objs, n);
}

void push_plan(struct push *p)
{
	struct sched *s = xcalloc(1, sizeof *s);
	p->sched = s;
	s->p = p;
	s->keys = jv_object();
	s->pending = jv_object();
	s->opps = jv_array();
	plan(s);
	/* Planned contacts first: the ones recorded earlier give their Ids at once, the
	 * others are pending and what names them waits. */
	for (int i = 0; i < s->v.n; i++) {
		struct item *x = &s->v.v[i];
		if (x->kind != K_CONTACT)
			continue;
		build(s, i);
		x = &s->v.v[i];
		if (x->status == S_NONE && jv_is_valid(x->fields)) {
			s->pending = jv_object_set(s->pending, jv_string(contact_key(s, x)), jv_true());
			s->contacts_left++;
		}
	}
	/* The scorecard needs the org's fields: it is built once they are known. */
	for (int i = 0; i < s->v.n; i++)
		if (s->v.v[i].kind != K_CONTACT && s->v.v[i].kind != K_SCORE)
			build(s, i);
}

/* Whether emails relate the people in their copy: when some email has them and the
 * org has TaskRelation (Shared Activities on; one describe). An org without it is
 * told once. */
static void task_relations(struct push *p, struct sched *s)
{
	int want = 0;
	p->task_rel = 1;
	for (int i = 0; i < s->v.n && !want; i++)
		want = s->v.v[i].kind == K_TASK && has_relations(s, &s->v.v[i]);
	p->task_rel = want && has_field(p, "TaskRelation", "TaskId");
	if (want && !p->task_rel)
		warnx("the org has no TaskRelation (Shared Activities is off): the people in copy of an "
		    "email are not related to it");
}

int push_create(struct push *p)
{
	if (!p->sched)
		push_plan(p);
	struct sched *s = p->sched;
	struct progress g = { 0, 0, 0, 0 };
	int rc = 0;
	g.t0 = push_clock();
	for (int i = 0; i < s->v.n; i++)
		if (s->v.v[i].kind == K_SCORE)
			build(s, i);
	task_relations(p, s);
	if (p->reconcile) {
		reconcile(p, &s->v);
		/* Contacts an earlier run made: what names them can be built now. */
		int found = 0;
		for (int i = 0; i < s->v.n; i++) {
			struct item *x = &s->v.v[i];
			if (x->kind == K_CONTACT && x->status == S_FOUND) {
				s->keys = jv_object_set(s->keys, jv_string(contact_key(s, x)), jv_string(x->id));
				s->pending = jv_object_delete(s->pending, jv_string(contact_key(s, x)));
				s->contacts_left--;
				found++;
			}
		}
		for (int i = 0; found && i < s->v.n; i++)
			if (s->v.v[i].waiting)
				build(s, i);
		if (found)
			reconcile(p, &s->v);
		/* Events and Tasks an earlier run made: their relations may be there too. */
		for (int i = 0, n = s->v.n; i < n; i++)
			if (has_relations(s, &s->v.v[i]))
				relate(s, i);
		reconcile(p, &s->v);
	}
	for (int i = 0; i < s->v.n; i++)
		ready(s, i);
	if (isatty(2)) {
		g.total = s->creates + s->updates;
		for (int i = 0; i < s->v.n; i++)
			if (s->v.v[i].waiting)
				g.total++;
			else if (s->v.v[i].status == S_NONE && jv_is_valid(s->v.v[i].fields) && has_relations(s, &s->v.v[i]))
			{
				jv rel = related_of(part(s, &s->v.v[i], "activities", NULL));
				g.total += jx_len(rel);
				jv_free(rel);
			}
		p->sf->progress = show_progress;
		p->sf->progress_arg = &g;
	}
	sf_pump(p->sf, (int)p->jobs, next_call, call_done, idle, s);
	/* Stopped early (the daily limit): a Bulk job left half way says so. */
	while (s->bulks) {
		struct bulk *b = s->bulks;
		s->bulks = b->next;
		if (b->step != B_END) {
			if (b->step > B_CLOSE) /* closed: the org is working on it */
				snprintf(b->why, sizeof b->why, "the run stopped before the Bulk job %s finished; its records may be in the org", b->id);
			else
				snprintf(b->why, sizeof b->why, "the run stopped before the Bulk job%s%s was closed: nothing of it was created",
				    b->id ? " " : "", b->id ? b->id : "");
			bulk_end(s, b);
		}
		bulk_free(b);
	}
	if (p->sf->limit_hit) {
		warnx("the org's daily API request limit is reached: stopped; what was done is in the output");
		rc = EXIT_FAIL;
	}
	double secs = push_clock() - p->t0;
	if (p->sf->progress) {
		fputc('\n', stderr);
		p->sf->progress = NULL;
	}
	emit(s, 1);
	report(p, &s->v, s->opps);
	long done = 0;
	for (int i = 0; i < s->v.n; i++)
		done += s->v.v[i].status == S_CREATED || s->v.v[i].status == S_UPDATED;
	warnx("%ld records written in %.2f s (%.0f a second)", done, secs, secs > 0 ? done / secs : 0);
	push_unlock(p);
	push_free(p);
	return rc;
}

void push_free(struct push *p)
{
	struct sched *s = p->sched;
	if (!s)
		return;
	for (int i = 0; i < s->v.n; i++) {
		jv_free(s->v.v[i].fields);
		jv_free(s->v.v[i].error);
	}
	free(s->v.v);
	for (int c = 0; c < 5; c++)
		free(s->q[c]);
	jv_free(s->keys);
	jv_free(s->pending);
	free(s->first);
	jv_free(s->opps);
	free(s);
	p->sched = NULL;
}

/* ---- delete ---- */

static void add_id(struct push *p, const char *id)
{
	char n[19];
	if (id && id_norm(id, n) == 0)
		p->ids = jv_array_append(p->ids, jv_string(n));
}

static void ids_in(struct push *p, jv v, int depth)
{
	if (depth > 8)
		return;
	if (jv_get_kind(v) == JV_KIND_ARRAY) {
		for (int i = 0; i < jx_len(v); i++)
			ids_in(p, jx_at(v, i), depth + 1);
		return;
	}
	if (jv_get_kind(v) != JV_KIND_OBJECT)
		return;
	jv sf = jx_get(v, "sf", JV_KIND_OBJECT);
	if (jv_is_valid(sf)) {
		const char *st = jx_str(sf, "status"), *obj = jx_str(sf, "object");
		/* The opportunity itself only had fields updated: it is not dg's to delete. */
		if ((!st || strcmp(st, "failed")) && (!obj || strcmp(obj, "Opportunity")))
			add_id(p, jx_str(sf, "id"));
		jv role = jx_get(sf, "role", JV_KIND_OBJECT);
		if (!jx_str(role, "status") || strcmp(jx_str(role, "status"), "failed"))
			add_id(p, jx_str(role, "id"));
		jv rels = jx_get(sf, "relations", JV_KIND_ARRAY);
		for (int i = 0; i < jx_len(rels); i++)
			if (!jx_str(jx_at(rels, i), "status") || strcmp(jx_str(jx_at(rels, i), "status"), "failed"))
				add_id(p, jx_str(jx_at(rels, i), "id"));
	}
	if (jv_is_valid(jx_get(v, "object", JV_KIND_STRING)) && jv_is_valid(jx_get(v, "id", JV_KIND_STRING)) &&
	    !jv_is_valid(sf))
		return; /* an sf block itself, seen through the parent */
	jv_object_foreach(v, k, val) {
		if (strcmp(jv_string_value(k), "sf"))
			ids_in(p, val, depth + 1);
		jv_free(k);
		jv_free(val);
	}
}

int push_collect_ids(struct push *p, jv rec, const char *where)
{
	int before = jx_len(p->ids);
	if (jv_get_kind(rec) == JV_KIND_OBJECT && (jx_str(rec, "Id") || jx_str(rec, "id")) && !jv_is_valid(jx_get(rec, "opportunity", JV_KIND_OBJECT)))
		add_id(p, jx_str(rec, "Id") ? jx_str(rec, "Id") : jx_str(rec, "id"));
	else
		ids_in(p, rec, 0);
	jv_free(rec);
	if (jx_len(p->ids) == before) {
		warnx("%s: no Salesforce Id to delete", where);
		return 1;
	}
	return 0;
}

/* Children before parents: relations, activities, scorecards, roles, contacts. */
static int rank(const char *id)
{
	static const char *const order[] = { "0RE", "00T", "00U", "a0D", "00K", "003" };
	for (int i = 0; i < 6; i++)
		if (!strncmp(id, order[i], 3))
			return i;
	return 6;
}

static int by_rank(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int c = rank(x) - rank(y);
	return c ? c : strcmp(x, y);
}

/* The records carrying the tag field (any value, or p->tag), for reset without state. */
static int collect_tagged(jv rec, void *arg)
{
	struct push *p = arg;
	add_id(p, jx_str(rec, "Id"));
	return 0;
}

static void from_org(struct push *p)
{
	const char *const *objs = tagged_objs;
	const char *tf = p->cfg->push.tag_field;
	for (int i = 0; i < NTAGGED; i++) {
		if (!has_field(p, objs[i], tf))
			continue;
		char *val = p->tag ? sf_quote(p->tag) : NULL;
		char *q = xasprintf("SELECT Id FROM %s WHERE %s %s %s", objs[i], tf, val ? "=" : "!=", val ? val : "null");
		char err[1024];
		if (sf_query(p->sf, q, collect_tagged, p, err, sizeof err) < 0)
			warnx("cannot list tagged %s records: %s", objs[i], err);
		free(q);
		free(val);
	}
}

int push_delete(struct push *p)
{
	int rc = 0;
	if (p->from_org)
		from_org(p);
	int n = jx_len(p->ids);
	char **ids = xmalloc((size_t)(n + 1) * sizeof *ids);
	int m = 0;
	for (int i = 0; i < n; i++)
		ids[m++] = (char *)jx_cstr(jx_at(p->ids, i));
	qsort(ids, (size_t)m, sizeof *ids, by_rank);
	/* Each Id once. */
	int u = 0;
	for (int i = 0; i < m; i++)
		if (!u || strcmp(ids[u - 1], ids[i]))
			ids[u++] = ids[i];
	long deleted = 0;
	/* One rank after another, so children are gone before their parents. */
	for (int from = 0; from < u && !p->sf->limit_hit;) {
		int to = from;
		while (to < u && rank(ids[to]) == rank(ids[from]))
			to++;
		int ncalls = (to - from + 199) / 200;
		struct sf_call *calls = xcalloc((size_t)ncalls + 1, sizeof *calls);
		for (int c = 0; c < ncalls; c++) {
			struct sb q = { 0 };
			sb_add(&q, "/composite/sobjects?allOrNone=false&ids=");
			for (int i = from + c * 200; i < to && i < from + (c + 1) * 200; i++)
				sb_addf(&q, "%s%s", i > from + c * 200 ? "," : "", ids[i]);
			calls[c].method = "DELETE";
			calls[c].path = q.s;
		}
		sf_calls(p->sf, calls, ncalls, (int)p->jobs);
		for (int c = 0; c < ncalls; c++) {
			struct http_resp *r = &calls[c].resp;
			jv res = r->status == 200 ? jv_parse_sized(r->body.s ? r->body.s : "", (int)r->body.len) : jv_invalid();
			char *why = jv_get_kind(res) == JV_KIND_ARRAY ? NULL : sf_error_text(r);
			for (int i = from + c * 200, k = 0; i < to && i < from + (c + 1) * 200; i++, k++) {
				jv one = jx_at(res, k);
				jv e = jx_at(jx_get(one, "errors", JV_KIND_ARRAY), 0);
				const char *code = why ? NULL : jx_str(e, "statusCode");
				jv out = jv_object_set(jv_object(), jv_string("id"), jv_string(ids[i]));
				if (!why && (jx_bool(one, "success", 0) || (code && !strcmp(code, "ENTITY_IS_DELETED")))) {
					/* Already deleted counts as done. */
					out = jv_object_set(out, jv_string("status"), jv_string("deleted"));
					deleted++;
				} else {
					p->failed++;
					out = jv_object_set(out, jv_string("status"), jv_string("failed"));
					jv err = jv_object();
					err = jv_object_set(err, jv_string("code"), jv_string(why ? "CALL_FAILED" : code ? code : "UNKNOWN_EXCEPTION"));
					err = jv_object_set(err, jv_string("message"), jv_string(why ? why : jx_str(e, "message") ? jx_str(e, "message") : ""));
					out = jv_object_set(out, jv_string("error"), err);
					if (p->failed <= 20)
						warnx("cannot delete '%s': %s", ids[i], why ? why : code ? code : "?");
				}
				jsonl_emit(out);
			}
			free(why);
			jv_free(res);
			sf_call_free(&calls[c]);
		}
		free(calls);
		from = to;
	}
	if (p->sf->limit_hit) {
		warnx("the org's daily API request limit is reached: stopped after %ld deletions", deleted);
		rc = EXIT_FAIL;
	}
	warnx("%ld deleted, %ld failed", deleted, p->failed);
	free(ids);
	return rc;
}
