/* org.c: what the org is and has: the objects dg writes, the production guard, and
 * each object's fields (one describe per object, kept for the run). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "push.h"
#include "sf.h"
#include "sfid.h"
#include "util.h"

const char *const push_objects[NOBJ] = { "Contact", "OpportunityContactRole", "Event", "EventRelation", "Task",
	"TaskRelation", "Opportunity", "DG_Scorecard__c", "EmailMessage", "EmailMessageRelation" };
const char *const push_tagged[NTAGGED] = { "EmailMessage", "Task", "Event", "DG_Scorecard__c", "OpportunityContactRole",
	"Contact" };

/* what the org has: describe, once per object */

/* Keeps the createable fields of a describe answer (or none when it failed). */
void
org_keep_fields(struct push *p, const char *object, jv d)
{
	jv set = jv_object(), ro = jv_object();
	jv fs = jx_get(d, "fields", JV_KIND_ARRAY);
	for (int i = 0; i < jx_len(fs); i++)
		if (jx_str(jx_at(fs, i), "name") && jx_bool(jx_at(fs, i), "createable", 1)) {
			set = jv_object_set(set, jv_string(jx_str(jx_at(fs, i), "name")), jv_true());
			if (!jx_bool(jx_at(fs, i), "updateable", 1))
				ro = jv_object_set(ro, jv_string(jx_str(jx_at(fs, i), "name")), jv_true());
		}
	if (jv_get_kind(p->fields) != JV_KIND_OBJECT)
		p->fields = jv_object();
	p->fields = jv_object_set(p->fields, jv_string(object), set);
	if (jv_get_kind(p->readonly) != JV_KIND_OBJECT)
		p->readonly = jv_object();
	p->readonly = jv_object_set(p->readonly, jv_string(object), ro);
	/* A restricted Type picklist: which values the org takes. */
	for (int i = 0; i < jx_len(fs); i++) {
		jv f = jx_at(fs, i);
		if (!jx_str(f, "name") || strcmp(jx_str(f, "name"), "Type") || !jx_bool(f, "restrictedPicklist", 0))
			continue;
		jv vals = jv_array(), pv = jx_get(f, "picklistValues", JV_KIND_ARRAY);
		for (int k = 0; k < jx_len(pv); k++)
			if (jx_str(jx_at(pv, k), "value") && jx_bool(jx_at(pv, k), "active", 1))
				vals = jv_array_append(vals, jv_string(jx_str(jx_at(pv, k), "value")));
		if (jv_get_kind(p->types) != JV_KIND_OBJECT)
			p->types = jv_object();
		p->types = jv_object_set(p->types, jv_string(object), vals);
	}
}

int
org_type_ok(struct push *p, const char *object, const char *value)
{
	jv vals = jx_get(p->types, object, JV_KIND_ARRAY);

	if (!jv_is_valid(vals))
		return 1;
	for (int i = 0; i < jx_len(vals); i++)
		if (jx_cstr(jx_at(vals, i)) && !strcmp(jx_cstr(jx_at(vals, i)), value))
			return 1;
	return 0;
}

/* The org's task statuses and priorities from their answers. */
static void
task_picklists(struct push *p, const struct http_resp *st, const struct http_resp *pr)
{
	jv s = st->status == 200 ? jv_parse_sized(st->body.s ? st->body.s : "", (int)st->body.len) : jv_invalid();
	jv q = pr->status == 200 ? jv_parse_sized(pr->body.s ? pr->body.s : "", (int)pr->body.len) : jv_invalid();

	sf_task_picks(s, q, &p->picks);
	jv_free(s);
	jv_free(q);
}

int
push_has_field(struct push *p, const char *object, const char *field)
{
	jv set = jv_get_kind(p->fields) == JV_KIND_OBJECT ? jv_object_get(jv_copy(p->fields), jv_string(object))
							  : jv_invalid();
	if (!jv_is_valid(set)) {
		char *path = xasprintf("/sobjects/%s/describe", object), err[512];
		jv d = sf_request(p->sf, "GET", path, NULL, NULL, err, sizeof err);
		free(path);
		org_keep_fields(p, object, d);
		jv_free(d);
		set = jv_object_get(jv_copy(p->fields), jv_string(object));
	}
	int has = jv_object_has(set, jv_string(field));
	return has;
}

int
push_readonly(struct push *p, const char *object, const char *field)
{
	push_has_field(p, object, field); /* describes object when it was not yet */
	return field && jv_get_kind(p->readonly) == JV_KIND_OBJECT &&
	    jx_bool(jx_get(p->readonly, object, JV_KIND_OBJECT), field, 0);
}

jv
org_tag(struct push *p, const char *object, jv rec)
{
	const char *tf = p->cfg->push.tag_field;
	if (tf && *tf && push_has_field(p, object, tf))
		rec = jv_object_set(rec, jv_string(tf), jv_string(p->tag));
	return rec;
}

/* the production guard, and what the org has */

/* Asks, in one wave of calls, whether the org is a sandbox and what fields the objects
 * have that the records may fill (the tag field, the scorecard fields). Returns 0, or
 * an exit status: a production org is refused unless allowed. */
static int
org_guard(struct push *p, const char *const *objs, int nobjs)
{
	struct sf_call *calls = xcalloc((size_t)nobjs + 3, sizeof *calls);
	calls[0].method = "GET";
	calls[0].path = xstrdup("/query?q=SELECT+Id%2C+Name%2C+IsSandbox+FROM+Organization");
	for (int i = 0; i < nobjs; i++) {
		calls[i + 1].method = "GET";
		calls[i + 1].path = xasprintf("/sobjects/%s/describe", objs[i]);
	}
	/* The org's own task statuses and priorities, in the same wave. */
	calls[nobjs + 1].method = calls[nobjs + 2].method = "GET";
	calls[nobjs + 1].path =
	    xstrdup("/query?q=SELECT+ApiName%2C+MasterLabel%2C+IsClosed%2C+IsDefault+FROM+TaskStatus"
		    "+ORDER+BY+SortOrder");
	calls[nobjs + 2].path = xstrdup("/query?q=SELECT+ApiName%2C+MasterLabel%2C+IsDefault+FROM+TaskPriority"
					"+ORDER+BY+SortOrder");
	sf_calls(p->sf, calls, p->del ? nobjs + 1 : nobjs + 3, nobjs + 3);
	if (!p->del)
		task_picklists(p, &calls[nobjs + 1].resp, &calls[nobjs + 2].resp);
	sf_call_free(&calls[nobjs + 1]);
	sf_call_free(&calls[nobjs + 2]);
	for (int i = 0; i < nobjs; i++) {
		struct http_resp *r = &calls[i + 1].resp;
		jv d = r->status == 200 ? jv_parse_sized(r->body.s ? r->body.s : "", (int)r->body.len) : jv_invalid();
		org_keep_fields(p, objs[i], d);
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
int
push_guard(struct push *p)
{
	const char *tf = p->cfg->push.tag_field, *objs[NOBJ + NTAGGED + 3];
	int tag = tf && *tf, n = 0;
	if (p->del)
		for (int i = 0; p->from_org && i < NTAGGED; i++)
			objs[n++] = push_tagged[i];
	else
		for (int o = 0; o < NOBJ; o++) {
			const char *ob = push_objects[o];
			int em = push_email_message(p);
			int want = !strcmp(ob, "EmailMessage")                            ? em
			    : !strcmp(ob, "EmailMessageRelation")                         ? em && p->reconcile && tag
			    : !strcmp(ob, "EventRelation") || !strcmp(ob, "TaskRelation") ? p->reconcile && tag
			    : !strcmp(ob, "Opportunity")     ? !strcmp(p->cfg->push.scorecard, "fields")
			    : !strcmp(ob, "DG_Scorecard__c") ? tag && !strcmp(p->cfg->push.scorecard, "object")
							     : tag;
			if (want)
				objs[n++] = ob;
		}
	if (!p->del) {
		/* Their Type picklists: an org may restrict them. */
		int ev = 0, tk = 0;
		for (int i = 0; i < n; i++) {
			ev |= !strcmp(objs[i], "Event");
			tk |= !strcmp(objs[i], "Task");
		}
		if (!ev)
			objs[n++] = "Event";
		if (!tk)
			objs[n++] = "Task";
		objs[n++] = "DG_Lock__c";
	}
	int rc = org_guard(p, objs, n);
	/* Every object has fields: none means the org has no such object. */
	jv em = jx_get(p->fields, "EmailMessage", JV_KIND_OBJECT);
	if (!rc && !p->del && push_email_message(p) && !(jv_is_valid(em) && jv_object_length(jv_copy(em)) > 0)) {
		warnx("the org has no EmailMessage (Enhanced Email is off): turn it on (Setup, Enhanced Email) or set "
		      "push.email_as: task");
		rc = EXIT_USAGE;
	}
	return rc;
}

int
push_email_message(const struct push *p)
{
	return p->cfg->push.email_as && !strcmp(p->cfg->push.email_as, "emailmessage");
}
