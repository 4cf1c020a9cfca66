/* dg-verify: after a run, reads the run's meetings and emails back from the org (by
 * Id, 100 a query) and checks each as People.ai needs it: there, on its opportunity,
 * with its contact, the contact's address on the account's domain, an email's people
 * in its text (or, written as an EmailMessage, as its sender and recipient, with the
 * Task Salesforce made for it), an owner who is active with a real address, the time and status the
 * plan gave it. A verdict per deal; exit 1 when any record falls short. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "deal.h"
#include "jsonl.h"
#include "sf.h"
#include "sfblocks.h"
#include "statedb.h"
#include "tz.h"
#include "util.h"

static const char usage[] =
    "usage: dg-verify [-c FILE] [-o | --target-org ALIAS] [--json] [RUN | FILE]\n"
    "\n"
    "Reads a run's meetings and emails back from the org and checks each as People.ai needs\n"
    "it: on its opportunity, with its contact on the account's domain, an active owner with\n"
    "a real address, at the planned time. RUN: a run id, a run directory or a file of pushed\n"
    "records; without it, the newest run that wrote anything.\n"
    "\n"
    "  -c, --config FILE        configuration (its salesforce section)\n"
    "  -o, --target-org ALIAS   log in as the Salesforce CLI's ALIAS\n"
    "      --json               one JSON object: {deals: [{id, name, verdict, ...}], ok, failed}\n"
    "  -h, --help               show this help and exit\n"
    "      --version            show the version and exit\n";

/* The pushed records of RUN (a run id under $DG_RUNS, a run directory or a file), or
 * of the newest run that wrote any. Returns a new path. */
static char *
run_file(const char *arg)
{
	const char *runs = statedb_runs();
	struct stat st;
	if (arg) {
		if (stat(arg, &st) == 0 && S_ISREG(st.st_mode))
			return xstrdup(arg);
		char *p = stat(arg, &st) == 0 && S_ISDIR(st.st_mode) ? xasprintf("%s/pushed.jsonl", arg)
								     : xasprintf("%s/%s/pushed.jsonl", runs, arg);
		if (stat(p, &st) != 0)
			diex(EXIT_USAGE, "'%s': no such run (no '%s')", arg, p);
		return p;
	}
	DIR *d = opendir(runs);
	char *best = NULL;
	for (struct dirent *e; d && (e = readdir(d));) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.' || (l > 8 && !strcmp(e->d_name + l - 8, "-dry-run")))
			continue;
		char *p = xasprintf("%s/%s/pushed.jsonl", runs, e->d_name);
		if (stat(p, &st) == 0 && (!best || strcmp(p, best) > 0)) {
			free(best);
			best = p;
		} else
			free(p);
	}
	if (d)
		closedir(d);
	if (!best)
		diex(EXIT_USAGE, "no run under '%s' has written anything: name one (dg status lists them)", runs);
	return best;
}

/* The org's copies, by 15-character Id: {Id15: record}. */
struct org {
	jv recs;
};

static int
keep(jv rec, void *arg)
{
	struct org *o = arg;
	const char *id = jx_str(rec, "Id");
	if (id && strlen(id) >= 15)
		o->recs = jv_object_set(o->recs, jv_string_fmt("%.15s", id), jv_copy(rec));
	return 0;
}

/* Reads the records of ids (a jv object used as a set) through /queryAll, 100 a query. */
static void
read_back(struct sf *sf, struct org *o, const char *fields, const char *object, jv ids)
{
	jv keys = jv_keys(jv_copy(ids));
	for (int from = 0; from < jx_len(keys); from += 100) {
		struct sb q = { 0 };
		sb_addf(&q, "SELECT %s FROM %s WHERE Id IN (", fields, object);
		for (int i = from; i < jx_len(keys) && i < from + 100; i++) {
			char *s = sf_quote(jx_cstr(jx_at(keys, i)));
			sb_addf(&q, "%s%s", i > from ? ", " : "", s);
			free(s);
		}
		sb_add(&q, ")");
		char err[1024];
		if (sf_query_all(sf, sb_str(&q), keep, o, err, sizeof err) < 0)
			diex(EXIT_FAIL, "cannot read back the run's %s records: %s", object, err);
		sb_free(&q);
	}
	jv_free(keys);
}

/* The org's copy of the record with this Id (borrowed), or jv_invalid(). */
static jv
org_get(const struct org *o, const char *id)
{
	char k[16];
	if (!id || strlen(id) < 15)
		return jv_invalid();
	snprintf(k, sizeof k, "%.15s", id);
	return jx_get(o->recs, k, JV_KIND_OBJECT);
}

static int
same(const char *a, const char *b)
{
	return a && b && strlen(a) >= 15 && strlen(b) >= 15 && !strncmp(a, b, 15);
}

/* The org's Id of the contact ref names: ref itself, or for a contact dg planned (by
 * its key) the Id its sf block holds, the one created or the one a duplicate rule
 * matched. */
static const char *
contact_id(jv d, const char *ref)
{
	jv cs = jx_get(d, "contacts", JV_KIND_ARRAY);
	for (int i = 0; ref && i < jx_len(cs); i++) {
		jv c = jx_at(cs, i);
		if (jx_str(c, "key") && !strcmp(jx_str(c, "key"), ref))
			return jx_str(jx_get(c, "sf", JV_KIND_OBJECT), "id");
	}
	return ref;
}

/* One more problem of a record, into why (a struct sb *, "; " between), counted in n. */
#define SHORT(...) \
	do { \
		sb_addf(why, "%s", why->len ? "; " : ""); \
		sb_addf(why, __VA_ARGS__); \
		n++; \
	} while (0)

/* What a run's activity a (of deal d) lacks in the org's copy r, as People.ai needs it,
 * into *why (appended, "; " between); returns how many problems. */
static int
judge(jv d, jv a, jv r, const struct org *users, const struct org *contacts, struct sb *why)
{
	int n = 0;
	jv opp = jx_get(d, "opportunity", JV_KIND_OBJECT);
	int meeting = !strcmp(jx_str(a, "kind") ? jx_str(a, "kind") : "", "meeting");
	if (!jv_is_valid(r) || jx_bool(r, "IsDeleted", 0)) {
		SHORT("not in the org (deleted)");
		return n;
	}
	if (!same(jx_str(r, "WhatId"), jx_str(opp, "Id")))
		SHORT("not on its opportunity (WhatId %s)", jx_str(r, "WhatId") ? jx_str(r, "WhatId") : "empty");
	const char *who = contact_id(d, jx_str(a, "who"));
	if (who && !same(jx_str(r, "WhoId"), who))
		SHORT("not with its contact (WhoId %s)", jx_str(r, "WhoId") ? jx_str(r, "WhoId") : "empty");
	char dom[256];
	const char *web = jx_str(jx_get(opp, "Account", JV_KIND_OBJECT), "Website");
	jv c = org_get(contacts, jx_str(r, "WhoId"));
	if (jx_str(r, "WhoId") && web && web_domain(web, dom, sizeof dom) && !email_on_domain(jx_str(c, "Email"), dom))
		SHORT("its contact's address '%s' is not on the account's domain %s",
		    jx_str(c, "Email") ? jx_str(c, "Email") : "(none)", dom);
	jv u = org_get(users, jx_str(r, "OwnerId"));
	const char *ue = jx_str(u, "Email");
	size_t ul = ue ? strlen(ue) : 0;
	if (!jx_bool(u, "IsActive", 0))
		SHORT("its owner %s is not an active user", jx_str(r, "OwnerId") ? jx_str(r, "OwnerId") : "(none)");
	else if (!ue || (ul >= 8 && !strcasecmp(ue + ul - 8, ".invalid")))
		SHORT("its owner's email '%s' cannot be matched", ue ? ue : "");
	int past = jx_str(a, "when") && !strcmp(jx_str(a, "when"), "past");
	if (meeting) {
		time_t want, got;
		if (jx_str(a, "start") && time_parse(jx_str(a, "start"), &want) == 0 &&
		    (!jx_str(r, "StartDateTime") || time_parse(jx_str(r, "StartDateTime"), &got) != 0 || got != want))
			SHORT("starts at %s, not %s",
			    jx_str(r, "StartDateTime") ? jx_str(r, "StartDateTime") : "(none)", jx_str(a, "start"));
	} else {
		if (jx_bool(r, "IsClosed", 0) != past)
			SHORT("%s, but it is %s", past ? "open" : "closed", past ? "past" : "upcoming");
		const char *desc = jx_str(r, "Description"), *ce = jx_str(c, "Email");
		if (!desc || strncmp(desc, "From: ", 6) || (ce && !strcasestr(desc, ce)))
			SHORT("its text does not begin with its people's addresses");
	}
	return n;
}

/* Whether address list (ToAddress: "a@x; b@y") holds address e. */
static int
addressed(const char *list, const char *e)
{
	size_t n = e ? strlen(e) : 0;
	for (const char *p = list; n && p && *p; p++) {
		while (*p == ' ' || *p == ';' || *p == ',')
			p++;
		if (!strncasecmp(p, e, n) && (!p[n] || p[n] == ';' || p[n] == ',' || p[n] == ' '))
			return 1;
		p = strpbrk(p, ";,");
		if (!p)
			break;
	}
	return 0;
}

/* What an email written as an EmailMessage (r, with the Task Salesforce made for it
 * among acts) lacks, as judge() says it. */
static int
judge_message(
    jv d, jv a, jv r, const struct org *acts, const struct org *users, const struct org *contacts, struct sb *why)
{
	int n = 0;
	jv opp = jx_get(d, "opportunity", JV_KIND_OBJECT);
	if (!jv_is_valid(r) || jx_bool(r, "IsDeleted", 0)) {
		SHORT("not in the org (deleted)");
		return n;
	}
	const char *rel = jx_str(r, "RelatedToId");
	if (!same(rel, jx_str(opp, "Id")))
		SHORT("not on its opportunity (RelatedToId %s)", rel ? rel : "empty");
	const char *dir = jx_str(a, "direction");
	int in = dir && !strcmp(dir, "inbound");
	const char *from = jx_str(r, "FromAddress"), *to = jx_str(r, "ToAddress");
	const char *ce = jx_str(org_get(contacts, contact_id(d, jx_str(a, "who"))), "Email");
	jv u = org_get(users, jx_str(opp, "OwnerId"));
	const char *ue = jx_str(u, "Email");
	if (jx_str(a, "who") && !(in ? from && ce && !strcasecmp(from, ce) : addressed(to, ce)))
		SHORT("its contact's address '%s' is not its %s", ce ? ce : "(none)", in ? "sender" : "recipient");
	if (ue && !(in ? addressed(to, ue) : from && !strcasecmp(from, ue)))
		SHORT("its owner's address '%s' is not its %s", ue, in ? "recipient" : "sender");
	char dom[256];
	const char *web = jx_str(jx_get(opp, "Account", JV_KIND_OBJECT), "Website");
	if (ce && web && web_domain(web, dom, sizeof dom) && !email_on_domain(ce, dom))
		SHORT("its contact's address '%s' is not on the account's domain %s", ce, dom);
	size_t ul = ue ? strlen(ue) : 0;
	if (!jx_bool(u, "IsActive", 0))
		SHORT("its owner %s is not an active user", jx_str(opp, "OwnerId") ? jx_str(opp, "OwnerId") : "(none)");
	else if (!ue || (ul >= 8 && !strcasecmp(ue + ul - 8, ".invalid")))
		SHORT("its owner's email '%s' cannot be matched", ue ? ue : "");
	time_t want, got;
	if (jx_str(a, "start") && time_parse(jx_str(a, "start"), &want) == 0 &&
	    (!jx_str(r, "MessageDate") || time_parse(jx_str(r, "MessageDate"), &got) != 0 || got != want))
		SHORT("sent at %s, not %s", jx_str(r, "MessageDate") ? jx_str(r, "MessageDate") : "(none)",
		    jx_str(a, "start"));
	int past = jx_str(a, "when") && !strcmp(jx_str(a, "when"), "past");
	const char *st = jx_str(r, "Status") ? jx_str(r, "Status") : "";
	if (past != (strcmp(st, "5") != 0))
		SHORT("status %s (5 is a draft), but it is %s", *st ? st : "(none)", past ? "past" : "upcoming");
	if (jx_bool(r, "Incoming", 0) != in)
		SHORT("%s, but it is the %s's", in ? "outgoing" : "incoming", in ? "customer" : "seller");
	jv t = org_get(acts, jx_str(r, "ActivityId"));
	if (!jv_is_valid(t) || jx_bool(t, "IsDeleted", 0))
		SHORT("the Task Salesforce makes for an email is missing");
	return n;
}

#undef SHORT

/* The sets of Ids a run's activities are read back by: Event, Task, EmailMessage. */
enum { R_EVENT, R_TASK, R_MESSAGE, NREAD };

struct run {
	jv deals;                       /* the run's records */
	jv ids[NREAD], users, contacts; /* sets: activity Ids by object, owners, contacts */
};

static int
collect(jv rec, const struct jsonl_pos *pos, void *arg)
{
	struct run *r = arg;
	jv acts = jx_get(rec, "activities", JV_KIND_ARRAY);
	for (int i = 0; i < jx_len(acts); i++) {
		jv sf = jx_get(jx_at(acts, i), "sf", JV_KIND_OBJECT);
		const char *o = jx_str(sf, "object"), *id = jx_str(sf, "id");
		if (!o || !id || !sf_block_live(sf))
			continue;
		int t = !strcmp(o, "Task") ? R_TASK : !strcmp(o, "EmailMessage") ? R_MESSAGE : R_EVENT;
		r->ids[t] = jv_object_set(r->ids[t], jv_string(id), jv_true());
		/* A message has no owner or contact field: its people come from the deal. */
		const char *owner = jx_str(jx_get(rec, "opportunity", JV_KIND_OBJECT), "OwnerId");
		const char *who = contact_id(rec, jx_str(jx_at(acts, i), "who"));
		if (t == R_MESSAGE && owner)
			r->users = jv_object_set(r->users, jv_string(owner), jv_true());
		if (t == R_MESSAGE && who && !strncmp(who, "003", 3))
			r->contacts = jv_object_set(r->contacts, jv_string(who), jv_true());
	}
	r->deals = jv_array_append(r->deals, rec);
	return 0;
}

/* Adds the owners and contacts the org's copies name to the sets to read, and the
 * Tasks Salesforce made for messages to *tasks. */
static void
people_of(const struct org *o, jv *users, jv *contacts, jv *tasks)
{
	jv_object_foreach(o->recs, k, r)
	{
		const char *ow = jx_str(r, "OwnerId"), *who = jx_str(r, "WhoId"), *t = jx_str(r, "ActivityId");
		if (t)
			*tasks = jv_object_set(*tasks, jv_string(t), jv_true());
		if (ow)
			*users = jv_object_set(*users, jv_string(ow), jv_true());
		if (who && !strncmp(who, "003", 3))
			*contacts = jv_object_set(*contacts, jv_string(who), jv_true());
		jv_free(k);
		jv_free(r);
	}
}

/* Judges every written activity of every deal; prints a verdict per deal (or the
 * JSON report); returns the number of deals that fall short. */
static int
verdicts(const struct run *run, const struct org *acts, const struct org *users, const struct org *contacts, int json)
{
	int bad = 0, good = 0;
	jv out = jv_array();
	for (int i = 0; i < jx_len(run->deals); i++) {
		jv d = jx_at(run->deals, i), opp = jx_get(d, "opportunity", JV_KIND_OBJECT);
		jv as = jx_get(d, "activities", JV_KIND_ARRAY), problems = jv_array();
		int n = 0, archived = 0;
		for (int k = 0; k < jx_len(as); k++) {
			jv a = jx_at(as, k), sf = jx_get(a, "sf", JV_KIND_OBJECT);
			if (!sf_block_live(sf))
				continue;
			n++;
			jv r = org_get(acts, jx_str(sf, "id"));
			archived += jx_bool(r, "IsArchived", 0);
			struct sb why = { 0 };
			const char *ob = jx_str(sf, "object") ? jx_str(sf, "object") : "";
			if (!strcmp(ob, "EmailMessage") ? judge_message(d, a, r, acts, users, contacts, &why)
							: judge(d, a, r, users, contacts, &why))
				problems = jv_array_append(problems,
				    JV_OBJECT(jv_string("object"), jv_string(jx_str(sf, "object")), jv_string("id"),
					jv_string(jx_str(sf, "id")), jv_string("key"),
					jv_string(jx_str(a, "key") ? jx_str(a, "key") : ""), jv_string("problem"),
					jv_string(sb_str(&why))));
			sb_free(&why);
		}
		int ok = !jx_len(problems);
		ok ? good++ : bad++;
		if (!json) {
			printf("%-4s %s '%s': ", ok ? "ok" : "FAIL", jx_str(opp, "Id"),
			    jx_str(opp, "Name") ? jx_str(opp, "Name") : "");
			if (ok)
				printf("%d records as People.ai needs them", n);
			else
				printf("%d of %d records fall short", jx_len(problems), n);
			if (archived)
				printf(" (%d archived by the org: a year old or more)", archived);
			printf("\n");
			for (int k = 0; k < jx_len(problems) && k < 10; k++)
				printf("     %s %s: %s\n", jx_str(jx_at(problems, k), "object"),
				    jx_str(jx_at(problems, k), "id"), jx_str(jx_at(problems, k), "problem"));
			if (jx_len(problems) > 10)
				printf("     ... and %d more\n", jx_len(problems) - 10);
			jv_free(problems);
		} else
			out = jv_array_append(out,
			    JV_OBJECT(jv_string("id"), jv_string(jx_str(opp, "Id") ? jx_str(opp, "Id") : ""),
				jv_string("name"), jv_string(jx_str(opp, "Name") ? jx_str(opp, "Name") : ""),
				jv_string("verdict"), jv_string(ok ? "ok" : "fail"), jv_string("records"), jv_number(n),
				jv_string("archived"), jv_number(archived), jv_string("problems"), problems));
	}
	if (json)
		jsonl_emit(JV_OBJECT(
		    jv_string("deals"), out, jv_string("ok"), jv_number(good), jv_string("failed"), jv_number(bad)));
	else {
		jv_free(out);
		printf("%d deals as People.ai needs them, %d falling short\n", good, bad);
	}
	return bad;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "target-org", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { 0 };
	const char *target = NULL;
	int c, json = 0;
	util_init(argv[0]);
	while ((c = getopt_long(argc, argv, "c:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cli.config = optarg; break;
		case 'o': target = optarg; break;
		case 'J': json = 1; break;
		case 'h': cli_usage(usage, 0);
		case 'V': cli_version();
		default: cli_usage(usage, 1);
		}
	}
	if (argc - optind > 1)
		cli_usage(usage, 1);
	struct dg_config cfg;
	time_t now;
	cli_setup(&cli, &cfg, &now);
	char *file = run_file(optind < argc ? argv[optind] : NULL);
	struct run run = { jv_array(), { jv_object(), jv_object(), jv_object() }, jv_object(), jv_object() };
	if (jsonl_each(1, &file, collect, &run) < 0)
		diex(EXIT_FAIL, "cannot read '%s'", file);
	struct sf sf;
	cli_sf_open(&cfg, target, &sf);
	struct org acts = { jv_object() }, users = { jv_object() }, contacts = { jv_object() };
	read_back(
	    &sf, &acts, "Id, WhatId, WhoId, OwnerId, StartDateTime, IsArchived, IsDeleted", "Event", run.ids[R_EVENT]);
	read_back(&sf, &acts, "Id, WhatId, WhoId, OwnerId, IsClosed, IsArchived, IsDeleted, Description", "Task",
	    run.ids[R_TASK]);
	read_back(&sf, &acts,
	    "Id, RelatedToId, FromAddress, ToAddress, MessageDate, Incoming, Status, ActivityId, IsDeleted",
	    "EmailMessage", run.ids[R_MESSAGE]);
	jv tasks = jv_object();
	people_of(&acts, &run.users, &run.contacts, &tasks);
	read_back(&sf, &acts, "Id, IsClosed, IsDeleted", "Task", tasks);
	jv_free(tasks);
	read_back(&sf, &users, "Id, IsActive, Email", "User", run.users);
	read_back(&sf, &contacts, "Id, Email", "Contact", run.contacts);
	int bad = verdicts(&run, &acts, &users, &contacts, json);
	sf_close(&sf);
	jv_free(acts.recs);
	jv_free(users.recs);
	jv_free(contacts.recs);
	jv_free(run.deals);
	for (int i = 0; i < NREAD; i++)
		jv_free(run.ids[i]);
	jv_free(run.users);
	jv_free(run.contacts);
	free(file);
	config_free(&cfg);
	if (stdout_close())
		return EXIT_FAIL;
	return bad ? EXIT_FAIL : EXIT_OK;
}
