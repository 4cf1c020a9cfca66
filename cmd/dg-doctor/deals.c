/* deals.c: dg's own fields in the org; the deals a run would take, their owners and
 * accounts as People.ai needs them; the People.ai side. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "deal.h"
#include "jsonl.h"
#include "sf.h"
#include "util.h"

extern char **environ;

/* How to add dg's fields to an org: deploy the DX source folder dg-sandbox builds its
 * own fields from (share/dg/salesforce), then grant them. Returns a new string. */
static char *
fields_fix(void)
{
	char *dir = share_path("salesforce");
	char *fix = xasprintf("sf project deploy start --source-dir %s/force-app --target-org ALIAS, then "
			      "sf org assign permset --name DG_Writer --target-org ALIAS",
	    dir);
	free(dir);
	return fix;
}

void
check_dg_fields(struct checks *k)
{
	char *fix = fields_fix();
	static const char *const tagged[] = { "Contact", "Event", "Task", NULL };
	const char *tag = k->cfg->push.tag_field;
	struct sb miss = { 0 };
	for (int i = 0; tag && tagged[i]; i++)
		if (!jv_is_valid(check_field(check_describe(k, tagged[i]), tag)))
			sb_addf(&miss, "%s%s", miss.len ? ", " : "", tagged[i]);
	if (!tag)
		check_add(k, "tag-field", WARN, "set push.tag_field (DG_Tag__c)",
		    "no push.tag_field: dg's records are found by the state file only (no reset --from-org)");
	else if (miss.len)
		check_add(k, "tag-field", WARN, fix,
		    "%s is missing on %s: dg's records there are found by the state file only", tag, sb_str(&miss));
	else
		check_add(k, "tag-field", PASS, NULL, "%s is on Contact, Event and Task", tag);
	sb_free(&miss);
	const char *pre = k->cfg->push.scorecard_prefix ? k->cfg->push.scorecard_prefix : "";
	jv f = jx_get(check_describe(k, "Opportunity"), "fields", JV_KIND_ARRAY);
	int n = 0;
	char *want = xasprintf("%sScorecard_", pre);
	for (int i = 0; i < jx_len(f); i++)
		n += jx_str(jx_at(f, i), "name") && !strncasecmp(jx_str(jx_at(f, i), "name"), want, strlen(want));
	if (n)
		check_add(
		    k, "scorecard-fields", PASS, NULL, "Opportunity has %d %s* fields for the scorecard", n, want);
	else
		check_add(k, "scorecard-fields", WARN, fix,
		    "Opportunity has no %s* fields: scorecards are planned but not written", want);
	free(want);
	if (jv_is_valid(check_describe(k, "DG_Lock__c")))
		check_add(k, "run-lock", PASS, NULL, "DG_Lock__c is there: runs from two machines take turns");
	else
		check_add(k, "run-lock", WARN, fix,
		    "no DG_Lock__c: two runs from different machines could write the same deals at once");
	free(fix);
}

/* The deals a run would take: dg-query's output, with the session passed on (no
 * second login, no second start of sf). NULL-terminated lines in an array. */
static jv
chosen_deals(struct checks *k, long cap, const char *config)
{
	char capbuf[32];
	snprintf(capbuf, sizeof capbuf, "%ld", cap);
	char *argv[] = { "dg-query", "--max-opps", capbuf, config ? "-c" : NULL, (char *)config, NULL };
	setenv("SF_INSTANCE_URL", k->sf->instance, 1);
	setenv("SF_ACCESS_TOKEN", k->sf->token, 1);
	int fds[2];
	jv out = jv_array();
	if (pipe(fds) < 0)
		return out;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	int rc = posix_spawnp(&pid, "dg-query", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	unsetenv("SF_ACCESS_TOKEN");
	if (rc != 0) {
		close(fds[0]);
		return out;
	}
	FILE *f = fdopen(fds[0], "r");
	char *line = NULL;
	size_t cap2 = 0;
	ssize_t n;
	while ((n = getline(&line, &cap2, f)) > 0) {
		jv r = jv_parse_sized(line, (int)n);
		if (jv_get_kind(r) == JV_KIND_OBJECT && jv_is_valid(jx_get(r, "opportunity", JV_KIND_OBJECT)))
			out = jv_array_append(out, r);
		else
			jv_free(r);
	}
	free(line);
	fclose(f);
	int st;
	waitpid(pid, &st, 0);
	return out;
}

static void
owners(struct checks *k, jv deals)
{
	struct sb gone = { 0 }, bad = { 0 };
	jv seen = jv_object();
	for (int i = 0; i < jx_len(deals); i++) {
		jv o = jx_get(jx_at(deals, i), "opportunity", JV_KIND_OBJECT), ow = jx_get(o, "Owner", JV_KIND_OBJECT);
		const char *id = jx_str(o, "OwnerId"), *email = jx_str(ow, "Email"), *name = jx_str(ow, "Name");
		if (!id || jv_object_has(jv_copy(seen), jv_string(id)))
			continue;
		seen = jv_object_set(seen, jv_string(id), jv_true());
		if (!jx_bool(ow, "IsActive", 1))
			sb_addf(&gone, "%s%s", gone.len ? ", " : "", name ? name : id);
		size_t l = email ? strlen(email) : 0;
		if (!email || (l >= 8 && !strcasecmp(email + l - 8, ".invalid")))
			sb_addf(&bad, "%s%s (%s)", bad.len ? ", " : "", name ? name : id, email ? email : "no email");
	}
	if (gone.len)
		check_add(k, "owners-active", WARN, "set push.inactive_owner to the user who should own their activity",
		    "inactive owners (their deals' activity goes to another user): %s", sb_str(&gone));
	else
		check_add(k, "owners-active", PASS, NULL, "the %d owners of the chosen deals are active",
		    (int)jv_object_length(jv_copy(seen)));
	if (bad.len)
		check_add(k, "owner-emails", WARN,
		    "remove '.invalid' from their emails in Setup > Users (a sandbox refresh adds it; each change is "
		    "confirmed by mail)",
		    "owners People.ai cannot match by email: %s", sb_str(&bad));
	else
		check_add(k, "owner-emails", PASS, NULL, "the owners' emails are real addresses");
	jv_free(seen);
	sb_free(&gone);
	sb_free(&bad);
}

static void
accounts(struct checks *k, jv deals)
{
	struct sb noweb = { 0 };
	int off = 0, all = 0;
	for (int i = 0; i < jx_len(deals); i++) {
		jv d = jx_at(deals, i), a = jx_get(jx_get(d, "opportunity", JV_KIND_OBJECT), "Account", JV_KIND_OBJECT);
		const char *w = jx_str(a, "Website");
		if (!w || !*w) {
			sb_addf(&noweb, "%s%s", noweb.len ? ", " : "", jx_str(a, "Name") ? jx_str(a, "Name") : "?");
			continue;
		}
		char dom[256];
		if (!web_domain(w, dom, sizeof dom))
			dom[0] = '\0';
		jv cs = jx_get(d, "contacts", JV_KIND_ARRAY);
		for (int c = 0; c < jx_len(cs); c++, all++)
			off += !email_on_domain(jx_str(jx_at(cs, c), "Email"), dom);
	}
	if (noweb.len)
		check_add(k, "account-websites", WARN,
		    "fill in the accounts' Website (People.ai matches activity to an account by its domain)",
		    "accounts without a Website: %s", sb_str(&noweb));
	else
		check_add(k, "account-websites", PASS, NULL, "every chosen deal's account has a Website");
	if (off)
		check_add(k, "contact-domains", WARN, "give the contacts addresses on their account's domain",
		    "%d of %d contacts of the chosen deals have no address on their account's domain", off, all);
	else
		check_add(k, "contact-domains", PASS, NULL,
		    "the %d contacts of the chosen deals have addresses on their "
		    "account's domain",
		    all);
	sb_free(&noweb);
}

void
check_deals(struct checks *k, long cap, const char *config)
{
	jv deals = chosen_deals(k, cap, config);
	if (!jx_len(deals))
		check_add(k, "deals", WARN, "widen the query section of the configuration",
		    "no deal matches the configuration (or dg-query failed; run it for its message)");
	else
		check_add(k, "deals", PASS, NULL, "%d deals match the configuration", jx_len(deals));
	owners(k, deals);
	accounts(k, deals);
	jv_free(deals);
}

void
check_peopleai(struct checks *k)
{
	char err[512];
	jv r = sf_request(
	    k->sf, "GET", "/query?q=SELECT+NamespacePrefix+FROM+PackageLicense", NULL, NULL, err, sizeof err);
	jv recs = jx_get(r, "records", JV_KIND_ARRAY);
	const char *ns = NULL;
	for (int i = 0; i < jx_len(recs); i++) {
		const char *p = jx_str(jx_at(recs, i), "NamespacePrefix");
		if (p && (strcasestr(p, "people") || strcasestr(p, "backstory")))
			ns = p;
	}
	if (ns)
		check_add(k, "peopleai-package", PASS, NULL, "a People.ai package is installed (namespace %s)", ns);
	else
		check_add(k, "peopleai-package", WARN,
		    "nothing to install for dg; People.ai reads the org through its own connection",
		    "no People.ai package found in the org's package licenses%s%s", jv_is_valid(r) ? "" : ": ",
		    jv_is_valid(r) ? "" : err);
	jv_free(r);
	check_add(k, "peopleai-sources", WARN,
	    "in People.ai, add as CRM activity sources: Tasks with TaskSubtype Email (dg's logged emails) and Events "
	    "(its meetings), both related to opportunities; then allow an hour for them to show",
	    "People.ai reads from Salesforce only the activity sources an admin configured (by default logged "
	    "calls); this cannot be checked from the org");
}
