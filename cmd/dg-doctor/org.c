/* org.c: the login, the org and its kind, the API version, the limits left. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "cli.h"
#include "config.h"
#include "jsonl.h"
#include "sf.h"
#include "util.h"

int
check_login(struct checks *k, const char *target, struct sf *sf)
{
	char err[1024];
	if (cli_sf_try(k->cfg, target, sf, err, sizeof err) != 0) {
		check_add(k, "login", FAIL,
		    "log in with --target-org ALIAS (a Salesforce CLI login), or set SF_JWT_KEY_FILE, SF_CLIENT_ID and "
		    "SF_USERNAME; see dg-login(1)",
		    "%s", err);
		return -1;
	}
	char *user = cli_sf_user(sf);
	check_add(k, "login", PASS, NULL, "logged in at %s as %s, by %s", sf->instance, user ? user : "(unknown user)",
	    sf->flow);
	free(user);
	return 0;
}

/* The Organization record, its kind and the host it answers on. */
static void
org_kind(struct checks *k)
{
	char err[512];
	jv r = sf_request(k->sf, "GET", "/query?q=SELECT+Id%2C+Name%2C+IsSandbox%2C+OrganizationType+FROM+Organization",
	    NULL, NULL, err, sizeof err);
	jv o = jx_at(jx_get(r, "records", JV_KIND_ARRAY), 0);
	if (!jx_str(o, "Id"))
		check_add(k, "org", FAIL, "give the login read access to Organization",
		    "cannot read the organization: %s", jv_is_valid(r) ? "no Organization record" : err);
	else if (jx_bool(o, "IsSandbox", 0))
		check_add(k, "org", PASS, NULL, "'%s' (%s) is a sandbox (%s)", jx_str(o, "Name"), jx_str(o, "Id"),
		    jx_str(o, "OrganizationType") ? jx_str(o, "OrganizationType") : "?");
	else
		check_add(k, "org", WARN, "use a sandbox or demo org, or say --allow-production to dg run",
		    "'%s' (%s) is a PRODUCTION org: dg refuses to write there unless told", jx_str(o, "Name"),
		    jx_str(o, "Id"));
	jv_free(r);
	/* My Domain: the instance is MYDOMAIN.my.salesforce.com (or a sandbox's). */
	const char *host = strstr(k->sf->instance, "://") ? strstr(k->sf->instance, "://") + 3 : k->sf->instance;
	size_t hl = strcspn(host, ":/");
	int loop = !strncmp(host, "127.0.0.1", 9) || !strncmp(host, "localhost", 9) || !strncmp(host, "[::1]", 5);
	int mydomain = hl > 18 && !strncasecmp(host + hl - 18, ".my.salesforce.com", 18);
	if (mydomain || loop)
		check_add(k, "my-domain", PASS, NULL, "the org answers on %.*s%s", (int)hl, host,
		    loop ? " (a local org)" : "");
	else
		check_add(k, "my-domain", WARN,
		    "log in at the org's My Domain URL (https://MYDOMAIN.my.salesforce.com); client credentials need it",
		    "the org answers on %.*s, not on a My Domain host", (int)hl, host);
}

/* The API version dg asks for, among those the org serves. */
static void
api_version(struct checks *k)
{
	char err[512];
	jv v = sf_request(k->sf, "GET", "/services/data/", NULL, NULL, err, sizeof err);
	const char *want = k->sf->c.api_version;
	int found = 0;
	const char *newest = NULL;
	for (int i = 0; i < jx_len(v); i++) {
		const char *s = jx_str(jx_at(v, i), "version");
		found |= s && !strcmp(s, want);
		if (s)
			newest = s;
	}
	if (found)
		check_add(k, "api-version", PASS, NULL, "API version %s is served (newest %s)", want, newest);
	else
		check_add(k, "api-version", FAIL, "set salesforce.api_version to one the org serves",
		    "API version %s is not served by the org%s%s", want, newest ? "; newest is " : "",
		    newest ? newest : "");
	jv_free(v);
}

/* The daily API requests left. */
static void
limits(struct checks *k)
{
	char err[512];
	jv l = sf_request(k->sf, "GET", "/limits", NULL, NULL, err, sizeof err);
	jv d = jx_get(l, "DailyApiRequests", JV_KIND_OBJECT);
	double max = jx_num(d, "Max", -1), left = jx_num(d, "Remaining", -1);
	if (max < 0)
		check_add(k, "api-limits", WARN, NULL, "cannot read the org's limits: %s",
		    jv_is_valid(l) ? "no DailyApiRequests" : err);
	else if (left <= 0)
		check_add(k, "api-limits", FAIL, "wait for the 24-hour window to free requests",
		    "no daily API requests left (0 of %.0f)", max);
	else if (left < 1000)
		check_add(k, "api-limits", WARN, "a run of 25 deals takes about 30 requests; wait or run fewer deals",
		    "%.0f of %.0f daily API requests left", left, max);
	else
		check_add(k, "api-limits", PASS, NULL, "%.0f of %.0f daily API requests left", left, max);
	jv_free(l);
}

void
check_org(struct checks *k)
{
	org_kind(k);
	api_version(k);
	limits(k);
}
