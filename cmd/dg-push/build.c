/* build.c: the items dg-push plans, one per record it may send, and the fields each
 * is sent with (built when everything it refers to has an Id). */
#include <ctype.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "people.h"
#include "push.h"
#include "sf.h"
#include "sfblocks.h"
#include "sfid.h"
#include "util.h"
#include "tz.h"

/* Adds an item; v->v may move, so callers keep indices, not pointers, across calls. */
int
item_add(struct items *it, enum kind k, int deal, int idx, const char *object)
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

void
item_fail(struct item *x, const char *code, const char *msg, jv fields)
{
	x->status = S_FAILED;
	jv_free(x->error);
	x->error = jv_object();
	x->error = jv_object_set(x->error, jv_string("code"), jv_string(code));
	x->error = jv_object_set(x->error, jv_string("message"), jv_string(msg));
	x->error = jv_object_set(x->error, jv_string("fields"),
	    jv_get_kind(fields) == JV_KIND_ARRAY ? fields : (jv_free(fields), jv_array()));
}

int
object_index(const char *object)
{
	for (int i = 0; i < NOBJ; i++)
		if (!strcmp(push_objects[i], object))
			return i;
	return NOBJ - 1;
}

/* building the records */

jv
push_deal(struct push *p, int i)
{
	return jx_at(p->deals, i - p->base);
}

static const char *
existing_id(jv obj)
{
	jv sf = jx_get(obj, "sf", JV_KIND_OBJECT);
	const char *id = jx_str(sf, "id");
	const char *st = jx_str(sf, "status");
	return id && (!st || strcmp(st, "failed")) ? id : NULL;
}

/* Whether el's sf block holds the Id of an earlier run's record: then x is skipped,
 * unless it is to be refreshed (--refresh and the plan changed it: dg-state mark's
 * "changed"): then it is built again and sent as an update of that record. An
 * EmailMessage is not: a sent one cannot be changed. */
static int
recorded(struct push *p, jv el, struct item *x)
{
	const char *have = existing_id(el);
	if (!have || id_norm(have, x->id) != 0)
		return 0;
	if (p->refresh && jx_bool(jx_get(el, "sf", JV_KIND_OBJECT), "changed", 0) &&
	    strcmp(x->object, "EmailMessage") && x->kind != K_CONTACT) {
		x->update = 1;
		return 0;
	}
	x->status = S_SKIPPED;
	return 1;
}

static jv
trimmed(const char *s, size_t max)
{
	size_t n = utf8_trim(s, strlen(s), max);
	return jv_string_sized(s, (int)n);
}

enum ref { REF_OK, REF_WAIT, REF_NONE };

/* A contact reference: an Id as is, a planned contact's key through keys; REF_WAIT while
 * that contact is being created, REF_NONE when it was not. */
static enum ref
resolve(struct sched *s, const char *who, char buf[SFID_SIZE])
{
	if (id_norm(who, buf) == 0)
		return REF_OK;
	const char *id = jx_str(s->keys, who);
	if (id) {
		snprintf(buf, SFID_SIZE, "%s", id);
		return REF_OK;
	}
	return jv_object_has(jv_copy(s->pending), jv_string(who)) ? REF_WAIT : REF_NONE;
}

/* The element of x's deal that x stands for (list "contacts" or "activities"), and
 * the deal's opportunity in *opp. */
jv
item_part(struct sched *s, const struct item *x, const char *list, jv *opp)
{
	jv deal = push_deal(s->p, x->deal);
	if (opp)
		*opp = jx_get(deal, "opportunity", JV_KIND_OBJECT);
	return jx_at(jx_get(deal, list, JV_KIND_ARRAY), x->idx);
}

const char *
item_contact_key(struct sched *s, const struct item *x)
{
	return jx_str(item_part(s, x, "contacts", NULL), "key");
}

/* Who owns what dg creates for a deal: its owner, unless the owner is inactive (a
 * real org refuses INACTIVE_OWNER_OR_USER): then push.inactive_owner, or nobody named,
 * so the org makes the user dg logs in as the owner. Said once per owner. NULL: no
 * OwnerId. */
static const char *
owner_of(struct sched *s, jv opp)
{
	static jv told;
	jv owner = jx_get(opp, "Owner", JV_KIND_OBJECT);
	const char *id = jx_str(opp, "OwnerId"), *fallback = s->p->cfg->push.inactive_owner;

	if (!id || jx_bool(owner, "IsActive", 1))
		return id;
	if (!jv_is_valid(told))
		told = jv_object();
	if (!jv_object_has(jv_copy(told), jv_string(id))) {
		told = jv_object_set(told, jv_string(id), jv_true());
		warnx("the owner of '%s', %s (%s), is inactive: what dg creates for their deals is owned by %s",
		    jx_str(opp, "Id") ? jx_str(opp, "Id") : "?", jx_str(owner, "Name") ? jx_str(owner, "Name") : "?",
		    id,
		    fallback && *fallback ? fallback : "the user dg logs in as (set push.inactive_owner to choose)");
	}
	return fallback && *fallback ? fallback : NULL;
}

static void
build_contact(struct sched *s, struct item *x)
{
	jv opp, c = item_part(s, x, "contacts", &opp);
	if (recorded(s->p, c, x)) {
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
	const char *owner = owner_of(s, opp);
	if (owner)
		f = jv_object_set(f, jv_string("OwnerId"), jv_string(owner));
	x->fields = f;
}

static void
build_role(struct sched *s, struct item *x)
{
	jv opp, c = item_part(s, x, "contacts", &opp);
	jv role = jx_get(jx_get(c, "sf", JV_KIND_OBJECT), "role", JV_KIND_OBJECT);
	const char *rid = jx_str(role, "id");
	char cid[SFID_SIZE];
	if (rid && id_norm(rid, x->id) == 0 && (!jx_str(role, "status") || strcmp(jx_str(role, "status"), "failed"))) {
		x->status = S_SKIPPED;
		return;
	}
	switch (resolve(s, jx_str(c, "key"), cid)) {
	case REF_WAIT: x->waiting = 1; return;
	case REF_NONE: item_fail(x, "DEPENDENCY_FAILED", "the contact was not created", jv_array()); return;
	case REF_OK: break;
	}
	jv f = jv_object_set(jv_object(), jv_string("OpportunityId"), jv_string(jx_str(opp, "Id")));
	f = jv_object_set(f, jv_string("ContactId"), jv_string(cid));
	if (jx_str(c, "Role"))
		f = jv_object_set(f, jv_string("Role"), jv_string(jx_str(c, "Role")));
	x->fields = f;
}

/* The day t falls on where the deal's owner works: a Task's ActivityDate has no zone,
 * and an email sent at 8 in the morning in Tokyo is dated that day, not the UTC day
 * before. UTC when the owner's time zone is not known. */
static char *
owner_date(jv opp, time_t t, char buf[16])
{
	const char *tz = jx_str(jx_get(opp, "Owner", JV_KIND_OBJECT), "TimeZoneSidKey");
	struct tm tm;

	/* tz_known looks for a file: asked once per zone in a row, not per email. */
	static char last[64];
	static int known;
	if (tz && strcmp(tz, last)) {
		snprintf(last, sizeof last, "%s", tz);
		known = tz_known(tz);
	}
	if (!tz || !known)
		return time_date(t, buf);
	tz_local(tz, t, &tm);
	strftime(buf, 16, "%Y-%m-%d", &tm);
	return buf;
}

static void
build_activity(struct sched *s, struct item *x)
{
	jv opp, a = item_part(s, x, "activities", &opp);
	int meeting = x->kind == K_EVENT;
	if (recorded(s->p, a, x))
		return;
	const char *who = jx_str(a, "who");
	char whoid[SFID_SIZE], date[16];
	if (who)
		switch (resolve(s, who, whoid)) {
		case REF_WAIT: x->waiting = 1; return;
		case REF_NONE: item_fail(x, "DEPENDENCY_FAILED", "its contact was not created", jv_array()); return;
		case REF_OK: break;
		}
	time_t t;
	if (!jx_str(a, "start") || time_parse(jx_str(a, "start"), &t) != 0) {
		item_fail(x, "INVALID_RECORD", "the activity has no valid start", jv_array());
		return;
	}
	const char *subj = jx_str(a, "subject") ? jx_str(a, "subject") : (meeting ? "Meeting" : "Email");
	jv f = jv_object();
	if (meeting) {
		char iso[32];
		f = jv_object_set(f, jv_string("Subject"), trimmed(subj, 255));
		f = jv_object_set(f, jv_string("StartDateTime"), jv_string(time_iso(t, iso)));
		f = jv_object_set(f, jv_string("DurationInMinutes"), jv_number(jx_num(a, "minutes", 30)));

	} else {
		char *e = xasprintf("Email: %s", subj);
		f = jv_object_set(f, jv_string("Subject"), trimmed(e, 255));
		free(e);
		f = jv_object_set(f, jv_string("TaskSubtype"), jv_string("Email"));
		f = jv_object_set(f, jv_string("ActivityDate"), jv_string(owner_date(opp, t, date)));
	}
	if (who)
		f = jv_object_set(f, jv_string("WhoId"), jv_string(whoid));
	f = jv_object_set(f, jv_string("WhatId"), jv_string(jx_str(opp, "Id")));
	const char *owner = owner_of(s, opp);
	if (owner)
		f = jv_object_set(f, jv_string("OwnerId"), jv_string(owner));
	if (meeting) {
		if (jx_str(a, "body"))
			f = jv_object_set(f, jv_string("Description"), trimmed(jx_str(a, "body"), 32000));
		if (jx_str(a, "location"))
			f = jv_object_set(f, jv_string("Location"), trimmed(jx_str(a, "location"), 255));
	} else if (!strcmp(x->object, "EmailMessage")) {
		/* Salesforce's own email record (Enhanced Email): its people as addresses, its
		 * time, its direction; the platform makes its Task. */
		jv ppl = people_email(push_deal(s->p, x->deal), a);
		jv from = jx_get(ppl, "from", JV_KIND_OBJECT);
		char *to = people_addresses(jx_get(ppl, "to", JV_KIND_ARRAY));
		char *cc = people_addresses(jx_get(ppl, "cc", JV_KIND_ARRAY));
		int incoming = jx_bool(ppl, "incoming", 0);
		int upcoming = jx_str(a, "when") && !strcmp(jx_str(a, "when"), "upcoming");
		char iso[32];
		jv m = jv_object();
		m = jv_object_set(m, jv_string("Subject"), trimmed(subj, 3000));
		m = jv_object_set(
		    m, jv_string("TextBody"), trimmed(jx_str(a, "body") ? jx_str(a, "body") : "", 131072));
		m = jx_set_str(m, "FromAddress", jx_str(from, "email"));
		m = jx_set_str(m, "FromName", jx_str(from, "name"));
		m = jx_set_str(m, "ToAddress", *to ? to : NULL);
		m = jx_set_str(m, "CcAddress", *cc ? cc : NULL);
		m = jx_set_str(m, "MessageDate", time_iso(t, iso));
		m = jv_object_set(m, jv_string("Incoming"), jv_bool(incoming));
		/* 3 Sent, 1 Read (a customer's), 5 Draft (not sent yet). */
		m = jx_set_str(m, "Status", upcoming ? "5" : incoming ? "1" : "3");
		m = jx_set_str(m, "RelatedToId", jx_str(opp, "Id"));
		free(to);
		free(cc);
		jv_free(ppl);
		jv_free(f);
		x->fields = m;
		return;
	} else {
		/* A logged email as Salesforce's email logging writes one: who it was from and
		 * to, then the text (people.h), so that its people can be matched by address. */
		jv ppl = people_email(push_deal(s->p, x->deal), a);
		char *head = people_header(ppl, subj);
		char *d = xasprintf("%s%s", head, jx_str(a, "body") ? jx_str(a, "body") : "");
		f = jv_object_set(f, jv_string("Description"), trimmed(d, 32000));
		free(d);
		free(head);
		jv_free(ppl);
	}
	x->fields = f;
}

/* The scorecard, as fields on the opportunity or as its own record. */
static void
build_scorecard(struct sched *s, struct item *x)
{
	static int score_warned;
	struct push *p = s->p;
	jv deal = push_deal(p, x->deal), opp = jx_get(deal, "opportunity", JV_KIND_OBJECT);
	jv sc = jx_get(deal, "scorecard", JV_KIND_OBJECT);
	const char *oid = jx_str(opp, "Id");
	if (recorded(p, sc, x))
		return;
	jv answers = jx_get(sc, "answers", JV_KIND_ARRAY);
	jv f = jv_object();
	if (!strcmp(x->object, "DG_Scorecard__c")) {
		f = jv_object_set(f, jv_string("Name"),
		    jv_string_fmt("%s scorecard", jx_str(sc, "template") ? jx_str(sc, "template") : "Deal"));
		f = jv_object_set(f, jv_string("Opportunity__c"), jv_string(oid));
		f = jv_object_set(
		    f, jv_string("Template__c"), jv_string(jx_str(sc, "template") ? jx_str(sc, "template") : ""));
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
	struct {
		const char *suffix;
		jv v;
	} top[] = {
		{ "Scorecard_Template__c", jv_string(jx_str(sc, "template") ? jx_str(sc, "template") : "") },
		{ "Scorecard_Score__c", jv_number(jx_num(sc, "score", 0)) },
		{ "Scorecard_Coverage__c", jv_number(jx_num(sc, "coverage", 0) * 100) },
	};
	for (size_t k = 0; k < sizeof top / sizeof *top; k++) {
		sb_reset(&name);
		sb_addf(&name, "%s%s", pre, top[k].suffix);
		if (push_has_field(p, "Opportunity", sb_str(&name))) {
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
		if (push_has_field(p, "Opportunity", sb_str(&name)) && jx_str(an, "answer")) {
			f = jv_object_set(f, jv_string(sb_str(&name)), trimmed(jx_str(an, "answer"), 32000));
			nf++;
		}
		name.len = base;
		name.s[base] = '\0';
		sb_add(&name, "_Score__c");
		if (push_has_field(p, "Opportunity", sb_str(&name))) {
			f = jv_object_set(f, jv_string(sb_str(&name)), jv_number(jx_num(an, "score", 0)));
			nf++;
		}
	}
	sb_free(&name);
	/* dg refresh --move-close-dates: the close date moves with the scorecard's update */
	jv moved = jx_get(deal, "close_moved", JV_KIND_OBJECT);
	if (jv_is_valid(moved) && jx_str(opp, "CloseDate") && nf) {
		f = jv_object_set(f, jv_string("CloseDate"), jv_string(jx_str(opp, "CloseDate")));
	}
	/* What the opportunity held in those fields before (dg-query reads them): kept in
	 * the sf block and the state, so that dg reset can put it back. */
	jv_free(x->before);
	x->before = jv_invalid();
	jv_object_foreach(f, k, v)
	{
		/* a moved close date's old value is the one the org had (close_moved.from) */
		jv old = !strcmp(jv_string_value(k), "CloseDate") && jv_is_valid(moved)
		    ? jv_copy(jx_get(moved, "from", JV_KIND_STRING))
		    : jv_object_has(jv_copy(opp), jv_copy(k)) ? jv_object_get(jv_copy(opp), jv_copy(k))
							      : jv_invalid();
		if (jv_is_valid(old))
			x->before = jv_object_set(jv_is_valid(x->before) ? x->before : jv_object(), k, old);
		else
			jv_free(k);
		jv_free(v);
	}
	if (!nf) {
		if (!score_warned++)
			warnx(
			    "the org's Opportunity has no %sScorecard_*__c or %s<Element>__c fields: scorecards are not written "
			    "(add the fields, or set push.scorecard.mode)",
			    pre, pre);
		jv_free(f);
		return; /* nothing to send: no sf block */
	}
	x->update = 1;
	id_norm(oid, x->id);
	x->fields = f;
}

/* Whom activity item x relates, in sf_related's order (a new array). */
jv
item_related(struct sched *s, const struct item *x)
{
	jv opp;
	jv a = item_part(s, x, "activities", &opp);
	return sf_related(a, x->object, jx_str(opp, "OwnerId"));
}

static void
build_relation(struct sched *s, struct item *x, const char *evid)
{
	const struct item *ev = &s->v.v[x->parent];
	jv rel = item_related(s, ev);
	/* x->rel is the relation's place in item_related. */
	char c[64] = "";
	if (x->rel < jx_len(rel) && jx_cstr(jx_at(rel, x->rel)))
		snprintf(c, sizeof c, "%s", jx_cstr(jx_at(rel, x->rel)));
	jv_free(rel);
	char rid[SFID_SIZE];
	switch (*c ? resolve(s, c, rid) : REF_NONE) {
	case REF_WAIT: x->waiting = 1; return;
	case REF_NONE: item_fail(x, "DEPENDENCY_FAILED", "the attendee was not created", jv_array()); return;
	case REF_OK: break;
	}
	if (!strcmp(ev->object, "EmailMessage")) {
		/* Its contact and its owner are its sender and recipient (the other way round
		 * for a customer's email); everyone else was in copy. */
		const char *dir = jx_str(item_part(s, ev, "activities", NULL), "direction");
		int in = dir && !strcmp(dir, "inbound");
		const char *type = x->rel == 0 ? (in ? "FromAddress" : "ToAddress")
		    : x->rel == 1              ? (in ? "ToAddress" : "FromAddress")
					       : "CcAddress";
		jv f = jv_object_set(jv_object(), jv_string("EmailMessageId"), jv_string(evid));
		f = jv_object_set(f, jv_string("RelationId"), jv_string(rid));
		x->fields = jv_object_set(f, jv_string("RelationType"), jv_string(type));
		return;
	}
	int task = ev->kind == K_TASK;
	jv f = jv_object_set(jv_object(), jv_string(task ? "TaskId" : "EventId"), jv_string(evid));
	f = jv_object_set(f, jv_string("RelationId"), jv_string(rid));
	/* With Shared Activities a relation without flags is only an invitee: a customer
	 * contact is one of the people the meeting is about (IsParent) and invited; the
	 * seller's people (Users) are invited. */
	if (!task) {
		f = jv_object_set(f, jv_string("IsInvitee"), jv_true());
		if (!strncmp(rid, "003", 3))
			f = jv_object_set(f, jv_string("IsParent"), jv_true());
	}
	x->fields = f;
}

/* Builds item i's fields, or marks it waiting, skipped or failed. */
void
build_item(struct sched *s, int i)
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
		char evid[SFID_SIZE];
		memcpy(evid, s->v.v[x->parent].id, sizeof evid);
		build_relation(s, x, evid);
		break;
	}
	}
}

/* One item per planned record of deal d: planned contacts and their roles, meetings
 * and emails, the scorecard. */
void
build_items(struct sched *s, int d)
{
	struct push *p = s->p;
	const char *mode = p->cfg->push.scorecard;
	jv deal = push_deal(p, d);
	jv cs = jx_get(deal, "contacts", JV_KIND_ARRAY);
	for (int j = 0; j < jx_len(cs); j++)
		if (jx_bool(jx_at(cs, j), "planned", 0) && jx_str(jx_at(cs, j), "key")) {
			item_add(&s->v, K_CONTACT, d, j, "Contact");
			item_add(&s->v, K_ROLE, d, j, "OpportunityContactRole");
		}
	jv acts = jx_get(deal, "activities", JV_KIND_ARRAY);
	for (int j = 0; j < jx_len(acts); j++) {
		const char *kind = jx_str(jx_at(acts, j), "kind");
		if (kind && !strcmp(kind, "meeting"))
			item_add(&s->v, K_EVENT, d, j, "Event");
		else if (kind && !strcmp(kind, "email"))
			item_add(&s->v, K_TASK, d, j, sf_activity_object(jx_at(acts, j), p->cfg->push.email_as));
	}
	if (jv_is_valid(jx_get(deal, "scorecard", JV_KIND_OBJECT)) && strcmp(mode, "none"))
		item_add(&s->v, K_SCORE, d, 0, !strcmp(mode, "object") ? "DG_Scorecard__c" : "Opportunity");
}

int
push_relating(const struct push *p, const struct item *ev)
{
	return ev->status == S_CREATED || ev->status == S_FOUND || (p->reconcile && ev->status == S_SKIPPED) ||
	    (p->refresh && ev->status == S_UPDATED);
}

/* Plans the relations of Event or Task i (related_of: everyone besides the one it is
 * with). item_add() may move the items: i is used, never a pointer kept across it. */
void
build_relations(struct sched *s, int i)
{
	struct push *p = s->p;
	struct item *ev = &s->v.v[i];
	if (ev->related || !push_relating(p, ev))
		return;
	ev->related = 1;
	ev->rel_first = s->v.n;
	int deal = ev->deal, idx = ev->idx;
	const char *object = sf_relation_object(ev->object);
	jv a = jx_at(jx_get(push_deal(p, deal), "activities", JV_KIND_ARRAY), idx);
	jv rel = item_related(s, ev);
	ev = NULL;
	jv had = jx_get(jx_get(a, "sf", JV_KIND_OBJECT), "relations", JV_KIND_ARRAY);
	for (int r = 0; r < jx_len(rel); r++) {
		/* A relation an earlier run recorded is left alone. */
		jv h = jx_at(had, r);
		if (jx_str(h, "id") && (!jx_str(h, "status") || strcmp(jx_str(h, "status"), "failed")))
			continue;
		int x = item_add(&s->v, K_REL, deal, idx, object);
		s->v.v[x].rel = r;
		s->v.v[x].parent = i;
		s->v.v[i].rel_n++;
		build_item(s, x);
	}
	jv_free(rel);
}

/* Whether an Event's or a Task's answer plans relations: it has people besides its
 * contact (a Task's only where the org has TaskRelation). */
int
item_has_relations(struct sched *s, const struct item *x)
{
	if (x->kind != K_EVENT && !(x->kind == K_TASK && (s->p->task_rel || !strcmp(x->object, "EmailMessage"))))
		return 0;
	jv rel = item_related(s, x);
	int n = jx_len(rel);
	jv_free(rel);
	return n > 0;
}

jv
build_org_fields(struct sched *s, const struct item *x, jv f)
{
	jv a = item_part(s, x, "activities", NULL);
	int past = !jx_str(a, "when") || strcmp(jx_str(a, "when"), "upcoming");

	if (x->kind == K_EVENT) {
		if (org_type_ok(s->p, "Event", "Meeting"))
			f = jv_object_set(f, jv_string("Type"), jv_string("Meeting"));
		return f;
	}
	/* The org's own statuses: its closed one for what happened, its default open one
	 * for what is to come; its default priority. */
	f = jv_object_set(f, jv_string("Status"), jv_string(past ? s->p->picks.closed : s->p->picks.open));
	f = jv_object_set(f, jv_string("Priority"), jv_string(s->p->picks.priority));
	if (org_type_ok(s->p, "Task", "Email"))
		f = jv_object_set(f, jv_string("Type"), jv_string("Email"));
	return f;
}
