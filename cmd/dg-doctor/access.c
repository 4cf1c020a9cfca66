/* access.c: the objects and fields dg writes, their field-level security, required
 * fields dg does not set, and the picklist values dg needs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "config.h"
#include "jsonl.h"
#include "sf.h"
#include "util.h"

/* What dg creates, with the fields it sets (optional ones after a NULL: dg leaves them
 * out when the org does not have them). */
static const struct {
	const char *object;
	const char *fields[12];
	int email; /* only with push.email_as: emailmessage */
} writes[] = {
	{ "Contact", { "FirstName", "LastName", "Email", "Title", "AccountId", "OwnerId", NULL }, 0 },
	{ "OpportunityContactRole", { "OpportunityId", "ContactId", "Role", "IsPrimary", NULL }, 0 },
	{ "Event",
	    { "Subject", "StartDateTime", "DurationInMinutes", "WhoId", "WhatId", "OwnerId", "Description", NULL,
		"Location", "Type", NULL },
	    0 },
	{ "EventRelation", { "EventId", "RelationId", "IsParent", "IsInvitee", NULL }, 0 },
	{ "Task",
	    { "Subject", "Status", "Priority", "ActivityDate", "WhoId", "WhatId", "OwnerId", "Description", NULL,
		"TaskSubtype", "Type", NULL },
	    0 },
	{ "EmailMessage",
	    { "Subject", "TextBody", "FromAddress", "FromName", "ToAddress", "CcAddress", "MessageDate", "Incoming",
		"Status", "RelatedToId", NULL },
	    1 },
	{ "EmailMessageRelation", { "EmailMessageId", "RelationId", "RelationType", NULL }, 1 },
};
#define NWRITES (sizeof writes / sizeof *writes)

/* Whether dg writes writes[w] with this configuration. */
static int
written(const struct checks *k, size_t w)
{
	return !writes[w].email || !strcmp(k->cfg->push.email_as, "emailmessage");
}

static int
dg_sets(size_t w, const char *name)
{
	for (int i = 0; i < 12 && (writes[w].fields[i] || (i && writes[w].fields[i - 1])); i++)
		if (writes[w].fields[i] && !strcasecmp(writes[w].fields[i], name))
			return 1;
	return 0;
}

static void
objects_and_fields(struct checks *k)
{
	struct sb miss = { 0 }, fls = { 0 }, opt = { 0 };
	for (size_t w = 0; w < NWRITES; w++) {
		if (!written(k, w))
			continue;
		jv d = check_describe(k, writes[w].object);
		if (!jv_is_valid(d) || !jx_bool(d, "createable", 0)) {
			sb_addf(&miss, "%s%s", miss.len ? ", " : "", writes[w].object);
			continue;
		}
		int optional = 0;
		for (int i = 0; i < 12; i++) {
			const char *f = writes[w].fields[i];
			if (!f) {
				if (optional)
					break;
				optional = 1;
				continue;
			}
			jv fd = check_field(d, f);
			if (!jv_is_valid(fd) || !jx_bool(fd, "createable", 0))
				sb_addf(optional ? &opt : &fls, "%s%s.%s", (optional ? opt.len : fls.len) ? ", " : "",
				    writes[w].object, f);
		}
	}
	if (miss.len)
		check_add(k, "objects", FAIL, "give the login's profile or a permission set Create on these objects",
		    "dg cannot create %s", sb_str(&miss));
	else
		check_add(k, "objects", PASS, NULL,
		    "dg can create contacts, contact roles, events, event relations and %s",
		    strcmp(k->cfg->push.email_as, "emailmessage") ? "tasks"
								  : "tasks, email messages and their relations");
	if (fls.len)
		check_add(k, "field-access", FAIL, "give the login edit access to these fields (field-level security)",
		    "fields dg sets are not writable: %s", sb_str(&fls));
	else if (opt.len)
		check_add(k, "field-access", WARN, "give the login edit access to them, or accept records without them",
		    "fields dg sets when it can are not writable, so they are left out: %s", sb_str(&opt));
	else
		check_add(k, "field-access", PASS, NULL, "every field dg sets is writable");
	sb_free(&miss);
	sb_free(&fls);
	sb_free(&opt);
}

/* Required on create, without a default, and not set by dg: every insert would fail. */
static void
required_fields(struct checks *k)
{
	struct sb req = { 0 };
	for (size_t w = 0; w < NWRITES; w++) {
		if (!written(k, w))
			continue;
		jv f = jx_get(check_describe(k, writes[w].object), "fields", JV_KIND_ARRAY);
		for (int i = 0; i < jx_len(f); i++) {
			jv fd = jx_at(f, i);
			const char *n = jx_str(fd, "name"), *t = jx_str(fd, "type");
			if (n && jx_bool(fd, "createable", 0) && !jx_bool(fd, "nillable", 1) &&
			    !jx_bool(fd, "defaultedOnCreate", 0) && !(t && !strcmp(t, "boolean")) && !dg_sets(w, n))
				sb_addf(&req, "%s%s.%s", req.len ? ", " : "", writes[w].object, n);
		}
	}
	if (req.len)
		check_add(k, "required-fields", FAIL,
		    "give these fields a default value, or make them optional for the login",
		    "required fields dg does not set: %s", sb_str(&req));
	else
		check_add(k, "required-fields", PASS, NULL, "no required field without a default is left unset");
	sb_free(&req);
}

static int
has_value(jv field, const char *value)
{
	jv pv = jx_get(field, "picklistValues", JV_KIND_ARRAY);
	for (int i = 0; i < jx_len(pv); i++)
		if (jx_str(jx_at(pv, i), "value") && !strcmp(jx_str(jx_at(pv, i), "value"), value) &&
		    jx_bool(jx_at(pv, i), "active", 1))
			return 1;
	return !jx_bool(field, "restrictedPicklist", 0) && !jx_len(pv);
}

/* The org's task statuses and priorities, and the Type values dg uses. */
static void
picklists(struct checks *k)
{
	char err[512];
	jv st = sf_request(k->sf, "GET", SF_TASKSTATUS_PATH, NULL, NULL, err, sizeof err);
	jv pr = sf_request(k->sf, "GET", SF_TASKPRIORITY_PATH, NULL, NULL, err, sizeof err);
	struct sf_task_picks tp;
	sf_task_picks(st, pr, &tp);
	int ok = jx_len(jx_get(st, "records", JV_KIND_ARRAY)) > 0 && jx_len(jx_get(pr, "records", JV_KIND_ARRAY)) > 0;
	if (ok)
		check_add(k, "task-picklists", PASS, NULL,
		    "past emails get the closed status '%s', upcoming ones '%s', priority '%s'", tp.closed, tp.open,
		    tp.priority);
	else
		check_add(k, "task-picklists", FAIL, "give the login read access to TaskStatus and TaskPriority",
		    "cannot tell the org's closed task status and default priority");
	jv_free(st);
	jv_free(pr);
	jv tt = check_field(check_describe(k, "Task"), "Type"), et = check_field(check_describe(k, "Event"), "Type");
	int te = jv_is_valid(tt) && has_value(tt, "Email"), em = jv_is_valid(et) && has_value(et, "Meeting");
	if (te && em)
		check_add(k, "type-picklists", PASS, NULL, "Task.Type takes Email and Event.Type takes Meeting");
	else
		check_add(k, "type-picklists", WARN,
		    "add Email to Task.Type and Meeting to Event.Type, or leave Type empty (People.ai sources can "
		    "filter on TaskSubtype instead)",
		    "%s%s%s: dg leaves Type empty there", te ? "" : "Task.Type has no Email", !te && !em ? " and " : "",
		    em ? "" : "Event.Type has no Meeting");
}

void
check_access(struct checks *k)
{
	objects_and_fields(k);
	required_fields(k);
	picklists(k);
}
