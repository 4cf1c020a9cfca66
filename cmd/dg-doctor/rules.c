/* rules.c: what the org does on its own when dg writes: Shared Activities, Enhanced
 * Email, duplicate rules on contacts, validation rules on the objects dg writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "jsonl.h"
#include "sf.h"
#include "util.h"

/* A query's records (through /query, or the Tooling API's when tooling), or
 * jv_invalid() with err set. */
static jv
rows(struct checks *k, const char *soql, int tooling, char *err, size_t errsize)
{
	char *e = http_escape(soql);
	char *path = xasprintf("%s/query?q=%s", tooling ? "/tooling" : "", e);
	jv r = sf_request(k->sf, "GET", path, NULL, NULL, err, errsize);
	free(e);
	free(path);
	jv recs = jv_copy(jx_get(r, "records", JV_KIND_ARRAY));
	jv_free(r);
	return recs;
}

static void
joined(struct sb *b, jv recs, const char *a, const char *c)
{
	for (int i = 0; i < jx_len(recs); i++) {
		jv r = jx_at(recs, i);
		sb_addf(b, "%s%s", b->len ? ", " : "", jx_str(r, a) ? jx_str(r, a) : "?");
		if (c && jx_str(r, c))
			sb_addf(b, " on %s", jx_str(r, c));
	}
}

void
check_rules(struct checks *k)
{
	jv er = check_describe(k, "EventRelation");
	if (jv_is_valid(check_describe(k, "TaskRelation")) && jv_is_valid(check_field(er, "IsParent")))
		check_add(k, "shared-activities", PASS, NULL,
		    "Shared Activities is on: a meeting's contacts are its people, an email's copies are related");
	else
		check_add(k, "shared-activities", WARN,
		    "Setup > Activity Settings > Allow Users to Relate Multiple Contacts",
		    "Shared Activities is off: a meeting's other contacts are invitees only, an email has one contact");
	jv em = check_describe(k, "EmailMessage");
	if (jv_is_valid(em) && jx_bool(em, "createable", 0))
		check_add(
		    k, "enhanced-email", PASS, NULL, "Enhanced Email is on: push.email_as: emailmessage can be used");
	else if (!strcmp(k->cfg->push.email_as, "emailmessage"))
		check_add(k, "enhanced-email", FAIL, "Setup > Enhanced Email > Enable, or set push.email_as: task",
		    "Enhanced Email is off (no EmailMessage to create), but push.email_as is emailmessage");
	else
		check_add(k, "enhanced-email", WARN, "Setup > Enhanced Email > Enable",
		    "Enhanced Email is off (no EmailMessage to create): emails are written as Tasks only");
	char err[512];
	jv dup = rows(k,
	    "SELECT DeveloperName, SobjectType FROM DuplicateRule WHERE IsActive = true AND SobjectType = "
	    "'Contact'",
	    0, err, sizeof err);
	struct sb b = { 0 };
	if (!jv_is_valid(dup))
		check_add(k, "duplicate-rules", WARN, NULL, "cannot read the duplicate rules: %s", err);
	else if (jx_len(dup)) {
		joined(&b, dup, "DeveloperName", NULL);
		check_add(k, "duplicate-rules", PASS, NULL,
		    "active on Contact: %s; a planned contact a rule matches is not created again, the org's is used",
		    sb_str(&b));
	} else
		check_add(k, "duplicate-rules", PASS, NULL, "no active duplicate rule on Contact");
	jv_free(dup);
	sb_free(&b);
	jv vr = rows(k,
	    "SELECT ValidationName, EntityDefinitionId, ErrorMessage FROM ValidationRule WHERE Active = true AND "
	    "EntityDefinitionId IN ('Opportunity', 'Event', 'Task', 'Contact', 'OpportunityContactRole')",
	    1, err, sizeof err);
	if (!jv_is_valid(vr))
		check_add(k, "validation-rules", WARN, "check Setup > Object Manager > Validation Rules by hand",
		    "cannot read the validation rules (Tooling API): %s", err);
	else if (jx_len(vr)) {
		joined(&b, vr, "ValidationName", "EntityDefinitionId");
		check_add(k, "validation-rules", WARN,
		    "a record a rule refuses is reported and the rest is written; relax the rule for the login, or fix "
		    "the records it judges (dg run names each refused record)",
		    "active validation rules run on what dg writes: %s", sb_str(&b));
	} else
		check_add(k, "validation-rules", PASS, NULL, "no active validation rule on the objects dg writes");
	jv_free(vr);
	sb_free(&b);
}
