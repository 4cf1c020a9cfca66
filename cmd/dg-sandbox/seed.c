/* seed.c: the demo org: a sales team in several time zones, accounts with websites,
 * contacts on those domains, opportunities in every stage, and contact roles. Seeded,
 * so the same --seed (and --now) gives the same org. Records go through the same
 * create path and rules as API writes. */
#include "sandbox.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bank.h"
#include "jsonl.h"
#include "rng.h"
#include "tz.h"

static const struct rep {
	const char *first, *last, *tz, *title;
} reps[] = {
	{ "Avery", "Chen", "America/New_York", "Account Executive" },
	{ "Jordan", "Patel", "America/Chicago", "Senior Account Executive" },
	{ "Morgan", "Reyes", "America/Los_Angeles", "Enterprise Account Executive" },
	{ "Priya", "Natarajan", "Europe/London", "Account Executive, EMEA" },
	{ "Lukas", "Becker", "Europe/Berlin", "Account Executive, DACH" },
	{ "Mei", "Tanaka", "Asia/Tokyo", "Account Executive, APAC" },
	{ "Liam", "Walsh", "Australia/Sydney", "Account Executive, ANZ" },
};

/* The reps' side of the table: their manager (first), sales engineers, an executive. */
static const struct {
	const char *first, *last, *tz, *title;
} team[] = {
	{ "Dana", "Brooks", "America/New_York", "Regional Sales Director" },
	{ "Ravi", "Shah", "America/Chicago", "Solutions Engineer" },
	{ "Elena", "Ruiz", "Europe/London", "Senior Sales Engineer" },
	{ "Grace", "Kim", "America/Los_Angeles", "VP of Sales" },
};

static void
seed_user(
    const char *first, const char *last, const char *tz, const char *title, const char *manager, char id[SFID_SIZE])
{
	jv u = jv_object();
	char *un = xasprintf("%s.%s@dg.sandbox", first, last);
	for (char *p = un; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	u = jv_object_set(u, jv_string("Username"), jv_string(un));
	/* A refreshed sandbox appends .invalid to every user's email (--profile enterprise
	 * is one; its admin, who logs in, has put theirs right). */
	u = jv_object_set(
	    u, jv_string("Email"), sw.profile == PROFILE_ENTERPRISE ? jv_string_fmt("%s.invalid", un) : jv_string(un));
	u = jv_object_set(u, jv_string("FirstName"), jv_string(first));
	u = jv_object_set(u, jv_string("LastName"), jv_string(last));
	u = jv_object_set(u, jv_string("Name"), jv_string_fmt("%s %s", first, last));
	u = jv_object_set(u, jv_string("Alias"), jv_string_fmt("%.1s%.4s", first, last));
	u = jv_object_set(u, jv_string("Title"), jv_string(title));
	u = jv_object_set(u, jv_string("Department"), jv_string("Sales"));
	u = jv_object_set(u, jv_string("TimeZoneSidKey"), jv_string(tz));
	u = jv_object_set(u, jv_string("IsActive"), jv_true());
	if (manager)
		u = jv_object_set(u, jv_string("ManagerId"), jv_string(manager));
	store_insert_raw(schema_obj("User"), u, id);
	free(un);
}

static const char *const stages[] = {
	"Prospecting",
	"Qualification",
	"Needs Analysis",
	"Value Proposition",
	"Id. Decision Makers",
	"Perception Analysis",
	"Proposal/Price Quote",
	"Negotiation/Review",
	"Closed Won",
	"Closed Lost",
};

static const char *const roles[] = {
	"Economic Buyer",
	"Decision Maker",
	"Technical Buyer",
	"Evaluator",
	"Influencer",
	"Business User",
	"Executive Sponsor",
};

static void
slug(const char *s, char *out, size_t size)
{
	size_t n = 0;
	for (; *s && n + 1 < size; s++)
		if (isalnum((unsigned char)*s))
			out[n++] = (char)tolower((unsigned char)*s);
	out[n] = '\0';
}

static int
create(const char *type, jv rec, char id[SFID_SIZE])
{
	jv e = rules_create(schema_obj(type), rec, id);
	jv_free(rec);
	if (jv_get_kind(e) == JV_KIND_NULL)
		return 0;
	jv s = jv_dump_string(e, 0);
	warnx("demo org: cannot create '%s': %s", type, jv_string_value(s));
	jv_free(s);
	return -1;
}

/* Task.field's values: the table's names, restricted. */
static void
picklist_of(const char *field, const struct pick *p)
{
	const char *names[16];
	int n = 0;

	for (; p->name && n < 15; p++)
		names[n++] = p->name;
	names[n] = NULL;
	schema_set_values("Task", field, names, 1);
}

void
seed_task_picklists_schema(void)
{
	picklist_of("Status", org_task_statuses());
	picklist_of("Priority", org_task_priorities());
}

/* One row of object per entry, flag under its own name. */
static void
insert_picks(const char *object, const char *flag, const struct pick *p)
{
	char id[SFID_SIZE];

	for (int k = 0; p[k].name; k++) {
		jv s = jv_object_set(jv_object(), jv_string("ApiName"), jv_string(p[k].name));
		s = jv_object_set(s, jv_string("MasterLabel"), jv_string(p[k].name));
		s = jv_object_set(s, jv_string(flag), jv_bool(p[k].flag));
		s = jv_object_set(s, jv_string("IsDefault"), jv_bool(p[k].def));
		s = jv_object_set(s, jv_string("SortOrder"), jv_number(k + 1));
		store_insert_raw(schema_obj(object), s, id);
	}
}

static void
seed_task_picklists(void)
{
	insert_picks("TaskStatus", "IsClosed", org_task_statuses());
	insert_picks("TaskPriority", "IsHighPriority", org_task_priorities());
}

int
seed_minimal(int production)
{
	static char org[SFID_SIZE], user[SFID_SIZE];
	jv o = jv_object();
	o = jv_object_set(o, jv_string("Name"), jv_string(production ? "dg Demo Org" : "dg Demo Sandbox"));
	o = jv_object_set(o, jv_string("IsSandbox"), jv_bool(!production));
	o = jv_object_set(
	    o, jv_string("OrganizationType"), jv_string(production ? "Enterprise Edition" : "Developer Edition"));
	o = jv_object_set(o, jv_string("InstanceName"), jv_string(production ? "NA211" : "CS42"));
	o = jv_object_set(o, jv_string("TimeZoneSidKey"), jv_string("America/Los_Angeles"));
	o = jv_object_set(o, jv_string("PrimaryContact"), jv_string("Sam Admin"));
	store_insert_raw(schema_obj("Organization"), o, org);
	org_id = org;
	jv u = jv_object();
	u = jv_object_set(u, jv_string("Username"), jv_string(SANDBOX_USERNAME));
	u = jv_object_set(u, jv_string("FirstName"), jv_string("Sam"));
	u = jv_object_set(u, jv_string("LastName"), jv_string("Admin"));
	u = jv_object_set(u, jv_string("Name"), jv_string("Sam Admin"));
	u = jv_object_set(u, jv_string("Email"), jv_string(SANDBOX_USERNAME));
	u = jv_object_set(u, jv_string("Alias"), jv_string("sadmin"));
	u = jv_object_set(u, jv_string("Title"), jv_string("Sales Operations"));
	u = jv_object_set(u, jv_string("TimeZoneSidKey"), jv_string("America/Los_Angeles"));
	u = jv_object_set(u, jv_string("IsActive"), jv_true());
	store_insert_raw(schema_obj("User"), u, user);
	org_user_id = user;
	seed_task_picklists();
	return 0;
}

/* What seeding the accounts shares. */
struct seeding {
	struct bank *words, *names;
	char (*uid)[SFID_SIZE]; /* the reps */
	int nreps;
	int *combo, ns; /* account names: a shuffled walk over first x second words */
	uint64_t seed;
	time_t now;
	int nopp;   /* opportunities so far */
	int want;   /* opportunities asked for (--opps), or 0 for the demo org's own count */
	int ncombo; /* first x second words */
};

/* The org's setup records: its duplicate rules (the contact one active in the
 * enterprise profile, as rules.c enforces it), the validation rule it enforces, and
 * (enterprise) its Opportunity record types. */
static void
seed_setup(void)
{
	int ent = sw.profile == PROFILE_ENTERPRISE;
	static const char *const rules[][2] = { { "Standard_Contact_Duplicate_Rule", "Contact" },
		{ "Standard_Account_Duplicate_Rule", "Account" } };
	char id[SFID_SIZE];
	for (int i = 0; i < 2; i++)
		store_insert_raw(schema_obj("DuplicateRule"),
		    JV_OBJECT(jv_string("DeveloperName"), jv_string(rules[i][0]), jv_string("MasterLabel"),
			jv_string(rules[i][0]), jv_string("SobjectType"), jv_string(rules[i][1]), jv_string("IsActive"),
			jv_bool(ent && i == 0)),
		    id);
	for (int i = 0; ent && i < 2; i++) /* two Opportunity record types; the second retired */
		store_insert_raw(schema_obj("RecordType"),
		    JV_OBJECT(jv_string("Name"), jv_string(i ? "Renewal" : "New Business"), jv_string("DeveloperName"),
			jv_string(i ? "Renewal" : "New_Business"), jv_string("SobjectType"), jv_string("Opportunity"),
			jv_string("IsActive"), jv_bool(i == 0)),
		    id);
	if (ent)
		store_insert_raw(schema_obj("ValidationRule"),
		    JV_OBJECT(jv_string("ValidationName"), jv_string("Next_Step_In_Negotiation"),
			jv_string("EntityDefinitionId"), jv_string("Opportunity"), jv_string("Active"), jv_true(),
			jv_string("ErrorDisplayField"), jv_string("NextStep"), jv_string("ErrorMessage"),
			jv_string("Next Step is required once a deal is in Negotiation/Review")),
		    id);
}

/* A record from before the validation rule (--profile enterprise): the open deal that
 * closes last is in Negotiation/Review with no next step, so the org refuses any
 * update of it. It closes last so that a selection by close date reaches it last. */
static void
legacy_deal(void)
{
	jv all = store_scan(schema_obj("Opportunity"), 0);
	int last = -1;
	for (int i = 0; i < jx_len(all); i++) {
		jv o = jx_at(all, i);
		const char *cd = jx_str(o, "CloseDate");
		if (!jx_bool(o, "IsClosed", 0) && cd &&
		    (last < 0 || strcmp(cd, jx_str(jx_at(all, last), "CloseDate")) > 0))
			last = i;
	}
	if (last >= 0) {
		jv o = jv_copy(jx_at(all, last));
		char id[SFID_SIZE];
		snprintf(id, sizeof id, "%s", jx_str(o, "Id"));
		o = jv_object_set(o, jv_string("StageName"), jv_string(stages[7]));
		o = jv_object_delete(o, jv_string("NextStep"));
		o = jv_object_set(o, jv_string("Probability"), jv_number(90));
		store_write(schema_obj("Opportunity"), id, o);
		jv_free(o);
	}
	jv_free(all);
}

/* The deals of one account: 1-3 opportunities, most with contact roles. */
static int
seed_deals(
    struct seeding *sd, struct rng *rp, const char *name, const char *acct, int owner, char (*con)[SFID_SIZE], int ncon)
{
	struct rng ar = *rp;
	char date[16];
	int rc = 0;

	int nopps = (int)rng_range(&ar, 1, 3);
	if (sd->want && nopps > sd->want - sd->nopp)
		nopps = sd->want - sd->nopp;
	for (int o = 0; o < nopps && !rc; o++, sd->nopp++) {
		/* The first ten opportunities walk every stage; the rest lean open. */
		int st = sd->nopp < 10 ? sd->nopp
				       : (int)(rng_chance(&ar, 0.75) ? rng_range(&ar, 0, 7) : rng_range(&ar, 8, 9));
		int closed = st >= 8;
		long days = closed ? -rng_range(&ar, 5, 300) : rng_range(&ar, 7, 40 + 20 * (8 - st) * 2);
		time_t cd = sd->now + days * DAY_SECONDS;
		char opp[SFID_SIZE];
		jv op = jv_object();
		op = jv_object_set(
		    op, jv_string("Name"), jv_string_fmt("%s - %s", name, bank_pick(sd->words, "opp.kind", &ar)));
		op = jv_object_set(op, jv_string("AccountId"), jv_string(acct));
		op = jv_object_set(op, jv_string("StageName"), jv_string(stages[st]));
		op = jv_object_set(op, jv_string("CloseDate"), jv_string(time_date(cd, date)));
		op = jv_object_set(op, jv_string("Amount"), jv_number((double)(rng_range(&ar, 30, 1500) * 500)));
		op = jv_object_set(
		    op, jv_string("Type"), jv_string(rng_chance(&ar, 0.6) ? "New Business" : "Existing Business"));
		op = jv_object_set(
		    op, jv_string("LeadSource"), jv_string(rng_chance(&ar, 0.5) ? "Web" : "Partner Referral"));
		op = jv_object_set(op, jv_string("OwnerId"), jv_string(sd->uid[owner]));
		/* The enterprise org's validation rule wants a next step in Negotiation/Review. */
		if (sw.profile == PROFILE_ENTERPRISE && st == 7)
			op = jv_object_set(op, jv_string("NextStep"), jv_string("Redlines back from legal"));
		if ((rc = create("Opportunity", op, opp)) < 0)
			break;
		/* Most deals have contact roles; some have none, as in real orgs. */
		if (rng_chance(&ar, 0.15))
			continue;
		int nroles = (int)rng_range(&ar, 1, ncon < 4 ? ncon : 4);
		int order[8];
		for (int i = 0; i < ncon; i++)
			order[i] = i;
		rng_shuffle(&ar, order, ncon);
		int primary = (int)rng_range(&ar, 0, nroles - 1);
		for (int k = 0; k < nroles && !rc; k++) {
			char ocr[SFID_SIZE];
			jv cr = jv_object();
			cr = jv_object_set(cr, jv_string("OpportunityId"), jv_string(opp));
			cr = jv_object_set(cr, jv_string("ContactId"), jv_string(con[order[k]]));
			cr = jv_object_set(cr, jv_string("Role"),
			    jv_string(order[k] == 0 ? "Economic Buyer" : roles[1 + (k + o) % 6]));
			cr = jv_object_set(cr, jv_string("IsPrimary"), jv_bool(k == primary));
			rc = create("OpportunityContactRole", cr, ocr);
		}
	}
	*rp = ar;
	return rc;
}

/* Account a with its contacts and deals. */
static int
seed_account(struct seeding *sd, int a)
{
	char buf[256];
	int rc = 0;

	struct rng ar;
	rng_init(&ar, sd->seed, "org", "account", a);
	/* Past every pair of words, the names come round again with a number. */
	int pair = sd->combo[a % sd->ncombo], round = a / sd->ncombo;
	const char *w1 = bank_line(sd->words, "company.first", pair / sd->ns);
	const char *w2 = bank_line(sd->words, "company.second", pair % sd->ns);
	char name[128], dom[128], acct[SFID_SIZE];
	if (round)
		snprintf(name, sizeof name, "%s %s %d", w1, w2, round + 1);
	else
		snprintf(name, sizeof name, "%s %s", w1, w2);
	slug(name, dom, sizeof dom - 4);
	strcat(dom, ".com");
	int owner = (int)rng_range(&ar, 0, sd->nreps - 1);
	jv ac = jv_object();
	ac = jv_object_set(ac, jv_string("Name"), jv_string(name));
	ac = jv_object_set(ac, jv_string("Website"), jv_string_fmt("https://www.%s", dom));
	ac = jv_object_set(ac, jv_string("Industry"), jv_string(bank_pick(sd->words, "industry", &ar)));
	ac = jv_object_set(ac, jv_string("Type"), jv_string(rng_chance(&ar, 0.4) ? "Customer - Direct" : "Prospect"));
	ac = jv_object_set(ac, jv_string("NumberOfEmployees"), jv_number((double)(rng_range(&ar, 2, 400) * 50)));
	ac = jv_object_set(ac, jv_string("AnnualRevenue"), jv_number((double)(rng_range(&ar, 5, 900) * 1000000)));
	snprintf(buf, sizeof buf, "%s", bank_pick(sd->words, "city", &ar));
	char *comma = strchr(buf, ',');
	if (comma) {
		*comma = '\0';
		ac = jv_object_set(ac, jv_string("BillingCountry"), jv_string(comma + 2));
	}
	ac = jv_object_set(ac, jv_string("BillingCity"), jv_string(buf));
	ac = jv_object_set(ac, jv_string("Phone"),
	    jv_string_fmt("+1 555 %03ld %04ld", rng_range(&ar, 100, 999), rng_range(&ar, 0, 9999)));
	ac = jv_object_set(ac, jv_string("OwnerId"), jv_string(sd->uid[owner]));
	if ((rc = create("Account", ac, acct)) < 0)
		return rc;

	int ncon = (int)rng_range(&ar, 3, 7);
	char con[8][SFID_SIZE];
	for (int c = 0; c < ncon && !rc; c++) {
		const char *fn = bank_pick(sd->names, "first", &ar), *ln = bank_pick(sd->names, "last", &ar);
		const char *tsec = c == 0 ? "title.exec" : c < 3 ? "title.manager" : "title.staff";
		char local[96];
		slug(fn, local, sizeof local);
		size_t l = strlen(local);
		local[l++] = '.';
		slug(ln, local + l, sizeof local - l);
		jv ct = jv_object();
		ct = jv_object_set(ct, jv_string("FirstName"), jv_string(fn));
		ct = jv_object_set(ct, jv_string("LastName"), jv_string(ln));
		ct = jv_object_set(ct, jv_string("Title"), jv_string(bank_pick(sd->words, tsec, &ar)));
		ct = jv_object_set(ct, jv_string("Email"), jv_string_fmt("%s@%s", local, dom));
		ct = jv_object_set(ct, jv_string("Phone"),
		    jv_string_fmt("+1 555 %03ld %04ld", rng_range(&ar, 100, 999), rng_range(&ar, 0, 9999)));
		ct = jv_object_set(ct, jv_string("AccountId"), jv_string(acct));
		ct = jv_object_set(ct, jv_string("OwnerId"), jv_string(sd->uid[owner]));
		rc = create("Contact", ct, con[c]);
	}

	return rc ? rc : seed_deals(sd, &ar, name, acct, owner, con, ncon);
}

int
seed_org(uint64_t seed, int production, int opps)
{
	struct bank *words = bank_open("sandbox/org.txt"), *names = bank_open("names.txt");
	struct rng r;
	char uid[8][SFID_SIZE];
	int nreps = (int)(sizeof reps / sizeof *reps), rc = 0;
	seed_minimal(production);

	char tid[sizeof team / sizeof *team][SFID_SIZE];
	for (size_t i = 0; i < sizeof team / sizeof *team; i++)
		seed_user(team[i].first, team[i].last, team[i].tz, team[i].title, i ? tid[0] : NULL, tid[i]);
	for (int i = 0; i < nreps; i++)
		seed_user(reps[i].first, reps[i].last, reps[i].tz, reps[i].title, tid[0], uid[i]);

	/* Distinct account names: a shuffled walk over first x second words. */
	int nf = bank_count(words, "company.first"), ns = bank_count(words, "company.second");
	int *combo = xmalloc((size_t)(nf * ns) * sizeof *combo);
	for (int i = 0; i < nf * ns; i++)
		combo[i] = i;
	rng_init(&r, seed, "org", "accounts", 0);
	rng_shuffle(&r, combo, nf * ns);
	int naccts = (int)rng_range(&r, 20, 40);
	time_t now = org_now();

	struct seeding sd = { words, names, uid, nreps, combo, ns, seed, now, 0, opps, nf * ns };
	/* The demo org: 20 to 40 accounts; with --opps, accounts until there are that many
	 * opportunities. */
	for (int a = 0; (opps ? sd.nopp < opps : a < naccts) && !rc; a++)
		rc = seed_account(&sd, a);
	seed_setup();
	/* A customer org has reps who left: the last one, deals and all, is inactive. */
	if (!rc && sw.profile == PROFILE_ENTERPRISE) {
		jv u = jv_object_set(store_get(uid[nreps - 1], NULL), jv_string("IsActive"), jv_false());
		store_write(schema_obj("User"), uid[nreps - 1], u);
		jv_free(u);
		legacy_deal();
	}
	free(combo);
	bank_free(words);
	bank_free(names);
	return rc;
}
