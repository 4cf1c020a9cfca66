/* dg-smoke: writes one meeting (Event) and one logged email (Task) on one
 * opportunity, reads them back, and checks every field People.ai relies on to match
 * them (WhatId, WhoId, owner, account, times, subtype). Prints PASS or what is wrong,
 * then deletes the two records unless --keep. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "jsonl.h"
#include "sf.h"
#include "sfid.h"
#include "tz.h"
#include "util.h"

static const char usage[] =
    "usage: dg-smoke --id ID [-c FILE] [--keep] [--allow-production] [--json] [-o | --target-org ALIAS]\n"
    "\n"
    "Writes one meeting and one email on an opportunity, reads them back, checks every field\n"
    "and deletes them again: the shortest proof that the org takes what dg writes.\n"
    "\n"
    "      --id ID              the opportunity (15 or 18 characters; --opp-id is still taken)\n"
    "  -c, --config FILE        configuration (default $DG_CONFIG, else ./demo.yaml)\n"
    "      --keep               leave the two records in the org\n"
    "      --allow-production   write even into a production org\n"
    "      --json               the result as one JSON object: {opportunity, checks: [{check, ok,\n"
    "                           expected, got}], problems, result, kept} (or {error})\n"
    "  -o, --target-org ALIAS   log in as the Salesforce CLI's ALIAS\n"
    "  -h, --help               show this help and exit\n"
    "      --version            show the version and exit\n";

static int problems, json;
static jv checks; /* with --json: what check() found */

static void
check(const char *what, const char *want, const char *got)
{
	int ok = want && got && !strcmp(want, got);
	problems += !ok;
	if (json) {
		jv c = jv_object_set(jv_object(), jv_string("check"), jv_string(what));
		c = jv_object_set(c, jv_string("ok"), jv_bool(ok));
		c = jv_object_set(c, jv_string("expected"), want ? jv_string(want) : jv_null());
		c = jv_object_set(c, jv_string("got"), got ? jv_string(got) : jv_null());
		checks = jv_array_append(checks, c);
		return;
	}
	printf("%-34s %s", what, ok ? "ok" : "WRONG");
	if (!ok)
		printf(": expected %s, got %s", want ? want : "(nothing)", got ? got : "(nothing)");
	printf("\n");
}

/* --json: the result as one line; kept_event is NULL unless --keep. */
static void
json_result(const char *opp, const char *name, const char *kept_event, const char *kept_task)
{
	jv r = jv_object_set(jv_object(), jv_string("opportunity"),
	    JV_OBJECT(jv_string("Id"), jv_string(opp), jv_string("Name"), name ? jv_string(name) : jv_null()));
	r = jv_object_set(r, jv_string("checks"), checks);
	r = jv_object_set(r, jv_string("problems"), jv_number(problems));
	r = jv_object_set(r, jv_string("result"), jv_string(problems ? "FAIL" : "PASS"));
	r = jv_object_set(r, jv_string("kept"),
	    kept_event ? JV_OBJECT(jv_string("Event"), jv_string(kept_event), jv_string("Task"), jv_string(kept_task))
		       : jv_null());
	jsonl_emit(r);
}

static jv
one(struct sf *sf, const char *soql)
{
	char *e = http_escape(soql), *path = xasprintf("/query?q=%s", e), err[1024];
	jv r = sf_request(sf, "GET", path, NULL, NULL, err, sizeof err);
	free(e);
	free(path);
	if (!jv_is_valid(r))
		diex(EXIT_FAIL, "%s", err);
	jv rec = jv_copy(jx_at(jx_get(r, "records", JV_KIND_ARRAY), 0));
	jv_free(r);
	return rec;
}

static char *
norm_time(const char *s)
{
	time_t t;
	char buf[32];
	return s && time_parse(s, &t) == 0 ? xstrdup(time_iso(t, buf)) : xstrdup(s ? s : "");
}

/* The two test records as one Collections body: a meeting at start, 30 minutes, and
 * a logged email on day, both on the opportunity o with the contact who. */
static jv
test_records(
    jv o, const char *who, const char *opp, const char *start, const char *day, const struct sf_task_picks *picks)
{
	jv ev = jv_object_set(
	    jv_object(), jv_string("attributes"), jv_object_set(jv_object(), jv_string("type"), jv_string("Event")));
	ev = jv_object_set(ev, jv_string("Subject"), jv_string("dg smoke test: meeting"));
	ev = jv_object_set(ev, jv_string("StartDateTime"), jv_string(start));
	ev = jv_object_set(ev, jv_string("DurationInMinutes"), jv_number(30));
	ev = jv_object_set(ev, jv_string("WhoId"), jv_string(who));
	ev = jv_object_set(ev, jv_string("WhatId"), jv_string(opp));
	ev = jv_object_set(ev, jv_string("OwnerId"), jv_string(jx_str(o, "OwnerId")));
	ev = jv_object_set(ev, jv_string("Description"), jv_string("Written by dg smoke; safe to delete."));
	jv tk = jv_object_set(
	    jv_object(), jv_string("attributes"), jv_object_set(jv_object(), jv_string("type"), jv_string("Task")));
	tk = jv_object_set(tk, jv_string("Subject"), jv_string("Email: dg smoke test"));
	tk = jv_object_set(tk, jv_string("TaskSubtype"), jv_string("Email"));
	tk = jv_object_set(tk, jv_string("Status"), jv_string(picks->closed));
	tk = jv_object_set(tk, jv_string("Priority"), jv_string(picks->priority));
	tk = jv_object_set(tk, jv_string("ActivityDate"), jv_string(day));
	tk = jv_object_set(tk, jv_string("WhoId"), jv_string(who));
	tk = jv_object_set(tk, jv_string("WhatId"), jv_string(opp));
	tk = jv_object_set(tk, jv_string("OwnerId"), jv_string(jx_str(o, "OwnerId")));
	jv body = jv_object_set(jv_object(), jv_string("allOrNone"), jv_true());
	body = jv_object_set(body, jv_string("records"), jv_array_append(jv_array_append(jv_array(), ev), tk));
	return body;
}

/* Reads both records back and checks what People.ai matches them by. */
static void
check_back(struct sf *sf, const struct sf_task_picks *picks, jv o, const char *opp, const char *who, const char *evid,
    const char *tkid, const char *start, const char *end, const char *day)
{
	char whoid[SFID_SIZE];
	id_norm(who, whoid);
	char *q = xasprintf(
	    "SELECT WhatId, WhoId, OwnerId, AccountId, StartDateTime, EndDateTime, DurationInMinutes, Subject FROM Event WHERE Id = '%s'",
	    evid);
	jv e = one(sf, q);
	free(q);
	check("Event.WhatId is the opportunity", opp, jx_str(e, "WhatId"));
	check("Event.WhoId is the contact", whoid, jx_str(e, "WhoId"));
	check("Event.OwnerId is the deal owner", jx_str(o, "OwnerId"), jx_str(e, "OwnerId"));
	check("Event.AccountId is the account", jx_str(o, "AccountId"), jx_str(e, "AccountId"));
	char *s1 = norm_time(jx_str(e, "StartDateTime")), *s2 = norm_time(jx_str(e, "EndDateTime"));
	check("Event.StartDateTime", start, s1);
	check("Event.EndDateTime", end, s2);
	free(s1);
	free(s2);
	q = xasprintf(
	    "SELECT WhatId, WhoId, OwnerId, AccountId, TaskSubtype, Status, IsClosed, ActivityDate FROM Task WHERE Id = '%s'",
	    tkid);
	jv k = one(sf, q);
	free(q);
	check("Task.WhatId is the opportunity", opp, jx_str(k, "WhatId"));
	check("Task.WhoId is the contact", whoid, jx_str(k, "WhoId"));
	check("Task.OwnerId is the deal owner", jx_str(o, "OwnerId"), jx_str(k, "OwnerId"));
	check("Task.AccountId is the account", jx_str(o, "AccountId"), jx_str(k, "AccountId"));
	check("Task.TaskSubtype", "Email", jx_str(k, "TaskSubtype"));
	check("Task.Status", picks->closed, jx_str(k, "Status"));
	check("Task.IsClosed", "true", jx_bool(k, "IsClosed", 0) ? "true" : "false");
	check("Task.ActivityDate", day, jx_str(k, "ActivityDate"));
	jv_free(e);
	jv_free(k);
}

/* The org's own task status and priority. */
static void
org_picks(struct sf *sf, struct sf_task_picks *picks)
{
	char err[1024];
	jv st = sf_request(sf, "GET", SF_TASKSTATUS_PATH, NULL, NULL, err, sizeof err);
	jv pr = sf_request(sf, "GET", SF_TASKPRIORITY_PATH, NULL, NULL, err, sizeof err);

	sf_task_picks(st, pr, picks);
	jv_free(st);
	jv_free(pr);
}

/* The contact to meet: the opportunity's primary contact role's, else its account's
 * first contact. Dies when there is none. *ac holds what the answer lives in. */
static const char *
contact_of(struct sf *sf, jv o, const char *opp, jv *ac)
{
	const char *who =
	    jx_str(jx_at(jx_get(jx_get(o, "OpportunityContactRoles", JV_KIND_OBJECT), "records", JV_KIND_ARRAY), 0),
		"ContactId");
	*ac = jv_null();
	if (!who && jx_str(o, "AccountId")) {
		char *q = xasprintf("SELECT Id FROM Contact WHERE AccountId = '%s' ORDER BY CreatedDate LIMIT 1",
		    jx_str(o, "AccountId"));
		*ac = one(sf, q);
		free(q);
		who = jx_str(*ac, "Id");
	}
	if (!who)
		diex(EXIT_FAIL, "opportunity '%s' has no contact role and its account no contact: nobody to meet", opp);
	return who;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "id", required_argument, NULL, 'i' },
		{ "opp-id", required_argument, NULL, 'i' }, /* the older name, still taken */
		{ "keep", no_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'J' },
		{ "allow-production", no_argument, NULL, 'P' },
		{ "target-org", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { 0 };
	const char *oid = NULL, *target = NULL;
	int keep = 0, allow = 0, c;
	char opp[SFID_SIZE], err[1024];
	util_init(argv[0]);
	while ((c = getopt_long(argc, argv, "c:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cli.config = optarg; break;
		case 'i': oid = optarg; break;
		case 'k': keep = 1; break;
		case 'P': allow = 1; break;
		case 'J': json = 1; break;
		case 'o': target = optarg; break;
		case 'h': cli_usage(usage, 0);
		case 'V': cli_version();
		default: cli_usage(usage, 1);
		}
	}
	if (!oid || optind < argc)
		cli_usage(usage, 1);
	if (json)
		util_json_errors();
	checks = jv_array();
	if (id_norm(oid, opp) != 0 || strncmp(opp, "006", 3))
		diex(EXIT_USAGE, "--id '%s': not an opportunity Id", oid);
	struct dg_config cfg;
	time_t now;
	cli_setup(&cli, &cfg, &now);
	allow |= !strcmp(cfg.salesforce.allow_production, "true");
	struct sf sf;
	cli_sf_open(&cfg, target, &sf);

	jv org = one(&sf, "SELECT Name, IsSandbox FROM Organization");
	if (!jx_bool(org, "IsSandbox", 0) && !allow)
		diex(EXIT_USAGE,
		    "'%s' is a production org: refusing to write; pass --allow-production if that is really meant",
		    jx_str(org, "Name") ? jx_str(org, "Name") : "?");
	jv_free(org);
	char *q = xasprintf("SELECT Id, Name, OwnerId, AccountId, (SELECT ContactId FROM OpportunityContactRoles "
			    "ORDER BY IsPrimary DESC LIMIT 1) FROM Opportunity WHERE Id = '%s'",
	    opp);
	jv o = one(&sf, q);
	free(q);
	if (!jx_str(o, "Id"))
		diex(EXIT_FAIL, "no opportunity '%s' in the org", opp);
	if (!jx_str(o, "Name") || !jx_str(o, "OwnerId"))
		diex(EXIT_FAIL, "the org's answer for opportunity '%s' has no Name or OwnerId", opp);
	jv ac;
	const char *who = contact_of(&sf, o, opp, &ac);
	if (!json)
		printf("smoke test on '%s' (%s)\n", jx_str(o, "Name"), opp);

	/* Yesterday at 15:00 UTC, 30 minutes; the email the same day. */
	time_t t = time(NULL) / DAY_SECONDS * DAY_SECONDS - DAY_SECONDS + 15 * 3600;
	char start[32], end[32], day[16];
	time_iso(t, start);
	time_iso(t + 1800, end);
	time_date(t, day);
	struct sf_task_picks picks;
	org_picks(&sf, &picks);
	jv body = test_records(o, who, opp, start, day, &picks);
	jv bs = jv_dump_string(body, 0);
	jv res = sf_request(&sf, "POST", "/composite/sobjects", jv_string_value(bs), NULL, err, sizeof err);
	jv_free(bs);
	if (!jv_is_valid(res))
		diex(EXIT_FAIL, "cannot write the test records: %s", err);
	char ids[2][SFID_SIZE];
	for (int i = 0; i < 2; i++) {
		jv r = jx_at(res, i);
		const char *id = jx_str(r, "id");
		if (!jx_bool(r, "success", 0) || !id || id_norm(id, ids[i]) != 0) {
			jv e = jx_at(jx_get(r, "errors", JV_KIND_ARRAY), 0);
			const char *code = jx_str(e, "statusCode"), *msg = jx_str(e, "message");
			jv_free(res);
			diex(EXIT_FAIL, "cannot create the test %s: %s: %s", i ? "Task" : "Event",
			    code ? code : "MALFORMED_ANSWER",
			    msg ? msg : "the org's answer gives neither an Id nor an error");
		}
	}
	char *evid = ids[0], *tkid = ids[1];
	jv_free(res);

	check_back(&sf, &picks, o, opp, who, evid, tkid, start, end, day);
	if (!keep) {
		char *path = xasprintf("/composite/sobjects?allOrNone=false&ids=%s,%s", evid, tkid);
		jv d = sf_request(&sf, "DELETE", path, NULL, NULL, err, sizeof err);
		if (!jv_is_valid(d))
			warnx("could not delete the test records %s and %s: %s", evid, tkid, err);
		jv_free(d);
		free(path);
	} else if (!json)
		printf("kept: Event %s, Task %s\n", evid, tkid);
	if (json)
		json_result(opp, jx_str(o, "Name"), keep ? evid : NULL, tkid);
	else {
		jv_free(checks);
		printf("%s\n", problems ? "FAIL" : "PASS");
	}
	jv_free(o);
	jv_free(ac);
	sf_close(&sf);
	config_free(&cfg);
	return stdout_close() || problems ? EXIT_FAIL : EXIT_OK;
}
