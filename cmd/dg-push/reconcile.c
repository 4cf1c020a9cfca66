/* reconcile.c: finds in the org what an interrupted run created but never recorded,
 * by the values a plan fixes (parent, start, subject, email), so nothing is made twice. */
#include <ctype.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "push.h"
#include "sf.h"
#include "sfid.h"
#include "util.h"
#include "tz.h"

/* reconcile: find in the org what an interrupted run created but never recorded */

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
	{ "EmailMessage", "RelatedToId", { "MessageDate", "Subject", NULL } },
	{ "EmailMessageRelation", "EmailMessageId", { "RelationId", "RelationType", NULL } },
	{ "DG_Scorecard__c", "Opportunity__c", { NULL, NULL, NULL } },
};

static void
natural_key(const struct natural *n, jv rec, struct sb *k)
{
	sb_reset(k);
	const char *par = jx_str(rec, n->parent);
	char id[SFID_SIZE];
	sb_add(k, par && id_norm(par, id) == 0 ? id : par ? par : "");
	for (int i = 0; i < 3 && n->fields[i]; i++) {
		const char *v = jx_str(rec, n->fields[i]);
		time_t t;
		sb_addc(k, '\x1f');
		if (!v)
			continue;
		if ((!strcmp(n->fields[i], "StartDateTime") || !strcmp(n->fields[i], "MessageDate")) &&
		    time_parse(v, &t) == 0)
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

static int
found_one(jv rec, void *arg)
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
static int
to_find(const struct item *x, const struct natural *n)
{
	return x->status == S_NONE && !x->waiting && !x->reconciled && jv_is_valid(x->fields) && !x->update &&
	    !strcmp(x->object, n->object);
}

/* Marks the items to be created that already exist in the org as found. The
 * queries of every object go out together (sf_queries: one wave of calls). */
void
reconcile_items(struct push *p, struct items *v)
{
	enum { NNAT = sizeof naturals / sizeof *naturals };
	struct found_ctx c[NNAT];
	struct sf_query *qs = NULL;
	int nq = 0, capq = 0;
	for (int o = 0; o < NNAT; o++) {
		const struct natural *n = &naturals[o];
		c[o] = (struct found_ctx){ n, jv_object(), { 0 } };
		jv parents = jv_object();
		for (int i = 0; i < v->n; i++)
			if (to_find(&v->v[i], n) && jx_str(v->v[i].fields, n->parent))
				parents =
				    jv_object_set(parents, jv_string(jx_str(v->v[i].fields, n->parent)), jv_true());
		jv ids = jv_keys(parents);
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
			if (tf && *tf && push_has_field(p, n->object, tf))
				sb_addf(&q, " AND %s != null", tf);
			/* Archived activities too (queryAll): a real org hides year-old ones. */
			sb_add(&q, " AND IsDeleted = false");
			if (nq == capq) {
				capq = capq ? 2 * capq : 16;
				qs = xrealloc(qs, (size_t)capq * sizeof *qs);
			}
			qs[nq] = (struct sf_query){ sb_str(&q), found_one, &c[o], 0, "" };
			q.s = NULL;
			nq++;
			sb_free(&q);
		}
		jv_free(ids);
	}
	if (nq)
		sf_queries(p->sf, 1, qs, nq, (int)p->jobs);
	for (int k = 0; k < nq; k++) {
		if (qs[k].n < 0)
			warnx("cannot look for existing %s records: %s", ((struct found_ctx *)qs[k].ctx)->n->object,
			    qs[k].err);
		free((char *)qs[k].soql);
	}
	free(qs);
	for (int o = 0; o < NNAT; o++) {
		const struct natural *n = &naturals[o];
		for (int i = 0; i < v->n; i++) {
			struct item *x = &v->v[i];
			if (!to_find(x, n))
				continue;
			x->reconciled = 1;
			natural_key(n, x->fields, &c[o].k);
			jv l = jv_object_get(jv_copy(c[o].map), jv_string(sb_str(&c[o].k)));
			if (jx_len(l)) {
				/* Take one: two planned items with the same key find two records. */
				id_norm(jx_cstr(jx_at(l, 0)), x->id);
				x->status = S_FOUND;
				c[o].map = jv_object_set(
				    c[o].map, jv_string(sb_str(&c[o].k)), jv_array_slice(l, 1, jx_len(l)));
			} else
				jv_free(l);
		}
		jv_free(c[o].map);
		sb_free(&c[o].k);
	}
}
