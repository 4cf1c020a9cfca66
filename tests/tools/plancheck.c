/* plancheck: checks dg-plan's realism rules on its output, one message per breach.
 *
 * Per item: meetings on weekdays inside business hours in the story's zone, 15-120
 * minutes, no two meetings of a deal overlapping, past meetings in sales-cycle order;
 * emails on weekdays and in the past; nothing on a public holiday of the owner's
 * country (a table of its own, written from published calendars, not dg's data);
 * closed deals without upcoming meetings and with history ending near the close date
 * (a won deal's welcome and kickoff after it, within five weeks); planned contacts
 * with an email on the account's domain; every attendee a known person; with PER_DAY,
 * across deals, one calendar per owner: no two meetings of an owner overlapping, at
 * most PER_DAY a local day, no two emails of an owner at the same minute.
 *
 * Per deal, counted over all deals (a rule breached by more than 5% of the deals it
 * applies to is reported once): the order of a sale (first touch before the first
 * meeting of new business, discovery before the demo, demo follow-ups and pilots after
 * the demo, business case and proposal before legal and procurement, onboarding only
 * after a won close); renewals and expansions without cold intros or welcomes; lost
 * deals with a loss_reason, and those that went quiet without a word from the customer
 * after the rep's check-ins (every time); the Economic Buyer role honoured every time.
 *
 * Over all deals: 25-40% of emails inbound; most inbound emails answered within two
 * working days; some emails with people in copy; rank correlation of amount and
 * activity count over open deals at least 0.25; deals of one stage not all alike; in
 * later stages most contacts take part. With -v the figures are printed on stderr.
 * Usage: plancheck [-v] NOW [DAY_START DAY_END [PER_DAY]] < plans */
#include "deal.h"
#include "jsonl.h"
#include "tz.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static time_t now;
static int day_start = 9, day_end = 17, per_day = 0, breaches, verbose;

static void breach(const char *id, const char *key, const char *why);

/* Rules counted per deal: how many deals each applies to and breaks. */
enum rule {
	R_MEETING_ORDER,
	R_FIRST_TOUCH,
	R_DISCOVERY_DEMO,
	R_FOLLOW_UP,
	R_PILOT,
	R_PAPER,
	R_AFTER_WIN,
	R_NO_INTRO,
	R_LOSS,
	R_QUIET,
	R_EB,
	R_COUNT
};
static const char *const rule_names[] = { "past meetings in sales-cycle order", "first touch before the first meeting",
	"discovery before the demo", "demo follow-ups after the demo", "pilots after the demo",
	"business case and proposal before legal and procurement", "onboarding only after a won close",
	"renewals and expansions without cold intros", "lost deals say how they were lost",
	"a deal that went quiet stays quiet", "the Economic Buyer role is honoured" };
static long applies[R_COUNT], broken[R_COUNT];
static long emails, inbound, answered, with_cc, contacts_seen, contacts_all;
struct deal_n {
	double amount;
	int count, stage;
};
static struct deal_n *opens;
static int nopen, capopen;
static char stages[32][64];
static int stage_counts[32][64], nstages;

static void
rule(enum rule r, int ok)
{
	applies[r]++;
	broken[r] += !ok;
}

/* Public holidays by country, 2025-2027, from the countries' published calendars. */
static const char *const holidays[] = { "US 2025-11-27", "US 2025-12-25", "US 2026-01-01", "US 2026-01-19",
	"US 2026-02-16", "US 2026-05-25", "US 2026-06-19", "US 2026-07-03", "US 2026-09-07", "US 2026-11-26",
	"US 2026-12-25", "US 2027-01-01", "US 2027-01-18", "US 2027-05-31", "US 2027-07-05", "GB 2025-12-25",
	"GB 2025-12-26", "GB 2026-01-01", "GB 2026-04-03", "GB 2026-04-06", "GB 2026-05-04", "GB 2026-05-25",
	"GB 2026-08-31", "GB 2026-12-25", "GB 2026-12-28", "DE 2025-12-25", "DE 2025-12-26", "DE 2026-01-01",
	"DE 2026-04-03", "DE 2026-04-06", "DE 2026-05-01", "DE 2026-05-14", "DE 2026-05-25", "DE 2026-12-25",
	"JP 2026-01-01", "JP 2026-01-12", "JP 2026-02-11", "JP 2026-02-23", "JP 2026-03-20", "JP 2026-04-29",
	"JP 2026-05-04", "JP 2026-05-05", "JP 2026-05-06", "JP 2026-07-20", "JP 2026-08-11", "JP 2026-09-21",
	"JP 2026-09-22", "JP 2026-09-23", "JP 2026-10-12", "JP 2026-11-03", "JP 2026-11-23", "AU 2025-12-25",
	"AU 2025-12-26", "AU 2026-01-01", "AU 2026-01-26", "AU 2026-04-03", "AU 2026-04-06", "AU 2026-06-08",
	"AU 2026-12-25", "AU 2026-12-28", "IN 2026-01-26", "IN 2026-03-04", "IN 2026-04-03", "IN 2026-08-15",
	"IN 2026-10-02", "IN 2026-12-25", NULL };

static const char *
country(const char *tz)
{
	if (!tz)
		return "";
	if (!strncmp(tz, "America/", 8) && strcmp(tz, "America/Toronto") && strcmp(tz, "America/Vancouver"))
		return "US";
	if (!strcmp(tz, "Europe/London"))
		return "GB";
	if (!strcmp(tz, "Europe/Berlin"))
		return "DE";
	if (!strcmp(tz, "Asia/Tokyo"))
		return "JP";
	if (!strncmp(tz, "Australia/", 10))
		return "AU";
	if (!strcmp(tz, "Asia/Kolkata"))
		return "IN";
	return "";
}

static int
holiday(const char *tz, const struct tm *lt)
{
	char want[32];
	int i;

	snprintf(want, sizeof want, "%s %04d-%02d-%02d", country(tz), lt->tm_year + 1900, lt->tm_mon + 1, lt->tm_mday);
	for (i = 0; holidays[i]; i++)
		if (strcmp(holidays[i], want) == 0)
			return 1;
	return 0;
}

/* The index of the first activity of type t (in time order), or -1; last: the last. */
static int
find_type(jv acts, const char *t, int last)
{
	int i, n = jx_len(acts), at = -1;

	for (i = 0; i < n; i++)
		if (jx_str(jx_at(acts, i), "type") && !strcmp(jx_str(jx_at(acts, i), "type"), t)) {
			at = i;
			if (!last)
				break;
		}
	return at;
}

static time_t
start_of(jv acts, int i)
{
	time_t t = 0;

	if (i >= 0 && jx_str(jx_at(acts, i), "start"))
		time_parse(jx_str(jx_at(acts, i), "start"), &t);
	return t;
}

/* Working days after a's local day up to b's (b later) in zone tz: weekdays that are
 * not holidays. */
static int
workdays_between(const char *tz, time_t a, time_t b)
{
	struct tm la, lb, lt;
	long da, db, dt;
	int n = 0;
	time_t t;

	tz_local(tz, a, &la);
	tz_local(tz, b, &lb);
	da = la.tm_year * 400L + la.tm_yday;
	db = lb.tm_year * 400L + lb.tm_yday;
	for (t = a; t < b + 2 * DAY_SECONDS; t += 6 * 3600) {
		tz_local(tz, t, &lt);
		dt = lt.tm_year * 400L + lt.tm_yday;
		if (dt <= da || dt > db || lt.tm_hour >= 6)
			continue; /* each day once: its first six hours */
		n += lt.tm_wday != 0 && lt.tm_wday != 6 && !holiday(tz, &lt);
	}
	return n;
}

static const char *
deal_kind(const char *type)
{
	static const char *const renewal[] = { "Renewal", "Existing Customer - Renewal", NULL };
	static const char *const expansion[] = { "Existing Business", "Existing Customer - Upgrade",
		"Existing Customer - Replacement", "Existing Customer - Downgrade", "Expansion", "Upsell", "Up-sell",
		"Cross-sell", "Add-on", NULL };
	int i;

	for (i = 0; type && renewal[i]; i++)
		if (!strcasecmp(type, renewal[i]))
			return "renewal";
	for (i = 0; type && expansion[i]; i++)
		if (!strcasecmp(type, expansion[i]))
			return "expansion";
	return "new";
}

/* Rules of the order of a sale and of the deal's kind, counted per deal. */
/* The deal's conversation (emails answered within two working days), who takes part
 * in later stages, and the volume by stage and size: counted for the summary. */
static void
deal_counts(jv rec, jv acts)
{
	jv opp = jx_get(rec, "opportunity", JV_KIND_OBJECT), story = jx_get(rec, "story", JV_KIND_OBJECT);
	jv contacts = jx_get(rec, "contacts", JV_KIND_ARRAY);
	const char *stage = jx_str(opp, "StageName");
	int closed = jx_bool(opp, "IsClosed", 0), won = jx_bool(opp, "IsWon", 0);
	int i, j, k, n = jx_len(acts);

	/* Conversation. */
	for (i = 0; i < n; i++) {
		jv a = jx_at(acts, i);
		const char *dir = jx_str(a, "direction");

		if (!dir)
			continue;
		emails++;
		with_cc += jx_len(jx_get(a, "cc", JV_KIND_ARRAY)) > 0;
		if (strcmp(dir, "inbound") != 0)
			continue;
		inbound++;
		for (j = 0; j < n; j++) {
			jv b = jx_at(acts, j);

			if (jx_str(b, "reply_to") && jx_str(a, "key") &&
			    !strcmp(jx_str(b, "reply_to"), jx_str(a, "key")) && jx_str(b, "direction") &&
			    !strcmp(jx_str(b, "direction"), "outbound") &&
			    workdays_between(jx_str(story, "timezone"), start_of(acts, i), start_of(acts, j)) <= 2) {
				answered++;
				break;
			}
		}
	}
	/* Later stages: who takes part. */
	if (won || (!closed && jx_num(story, "phase", 0) >= 3)) {
		for (i = 0; i < jx_len(contacts); i++) {
			jv c = jx_at(contacts, i);
			const char *ref = jx_str(c, "Id") ? jx_str(c, "Id") : jx_str(c, "key");
			int seen = 0;

			for (j = 0; j < n && !seen && ref; j++) {
				jv att = jx_get(jx_at(acts, j), "attendees", JV_KIND_ARRAY);

				for (k = 0; k < jx_len(att) && !seen; k++)
					seen = jx_cstr(jx_at(att, k)) && !strcmp(jx_cstr(jx_at(att, k)), ref);
			}
			contacts_all++;
			contacts_seen += seen;
		}
	}
	/* Volume. */
	if (stage) {
		for (i = 0; i < nstages && strcmp(stages[i], stage); i++)
			;
		if (i == nstages && nstages < 32)
			snprintf(stages[nstages++], 64, "%s", stage);
		if (i < 32)
			stage_counts[i][n < 64 ? n : 63]++;
	}
	if (!closed && jx_num(opp, "Amount", 0) > 0) {
		if (nopen == capopen) {
			capopen = capopen ? 2 * capopen : 256;
			opens = xrealloc(opens, (size_t)capopen * sizeof *opens);
		}
		opens[nopen].amount = jx_num(opp, "Amount", 0);
		opens[nopen++].count = n;
	}
}

static void
deal_rules(jv rec, jv acts)
{
	jv opp = jx_get(rec, "opportunity", JV_KIND_OBJECT), story = jx_get(rec, "story", JV_KIND_OBJECT);
	jv contacts = jx_get(rec, "contacts", JV_KIND_ARRAY);
	const char *kind = deal_kind(jx_str(opp, "Type"));
	int closed = jx_bool(opp, "IsClosed", 0), won = jx_bool(opp, "IsWon", 0);
	int i, j, n = jx_len(acts), first_meet = -1, demo = find_type(acts, "demo", 0), k;
	time_t close = 0;
	static const char *const after[] = { "welcome", "implementation_kickoff", "rollout_kickoff", "rollout_plan",
		"success_plan", "renewal_confirmed", NULL };
	static const char *const paper[] = { "redlines", "procurement_sync", "order_form", NULL };

	if (jx_str(opp, "CloseDate"))
		time_parse(jx_str(opp, "CloseDate"), &close);
	for (i = 0; i < n; i++)
		if (!strcmp(jx_str(jx_at(acts, i), "kind") ? jx_str(jx_at(acts, i), "kind") : "", "meeting") &&
		    !strcmp(jx_str(jx_at(acts, i), "when") ? jx_str(jx_at(acts, i), "when") : "", "past")) {
			first_meet = i;
			break;
		}
	if (!strcmp(kind, "new") && first_meet >= 0) {
		int intro = find_type(acts, "introduction", 0);

		rule(R_FIRST_TOUCH, intro >= 0 && intro < first_meet);
	}
	if (demo >= 0 && find_type(acts, "discovery", 0) >= 0)
		rule(R_DISCOVERY_DEMO, find_type(acts, "discovery", 0) < demo);
	if ((j = find_type(acts, "demo_follow_up", 0)) >= 0)
		rule(R_FOLLOW_UP, demo >= 0 && demo < j);
	if ((j = find_type(acts, "pilot_kickoff", 0)) >= 0 || (j = find_type(acts, "pilot_readout", 0)) >= 0)
		rule(R_PILOT, demo >= 0 && demo < j);
	for (k = 0; paper[k]; k++) {
		int p = find_type(acts, paper[k], 0), bc = find_type(acts, "business_case", 0),
		    pr = find_type(acts, "proposal", 0);

		if (p >= 0 && (bc >= 0 || pr >= 0))
			rule(R_PAPER, (bc < 0 || bc < p) && (pr < 0 || pr < p));
	}
	for (k = 0; after[k]; k++)
		if ((j = find_type(acts, after[k], 0)) >= 0)
			rule(R_AFTER_WIN, won && close && start_of(acts, j) >= close + DAY_SECONDS);
	if (strcmp(kind, "new") != 0) {
		int bad = 0;

		for (i = 0; i < n; i++) {
			const char *t = jx_str(jx_at(acts, i), "type"), *sub = jx_str(jx_at(acts, i), "subject");

			bad |= t &&
			    (!strcmp(t, "introduction") || !strcmp(t, "intro_call") || !strcmp(t, "welcome") ||
				!strcmp(t, "intro_follow_up"));
			bad |= sub && (strcasestr(sub, "intro") || strcasestr(sub, "welcome"));
		}
		rule(R_NO_INTRO, !bad);
	}
	if (closed && !won) {
		const char *lr = jx_str(story, "loss_reason");

		if (lr && !strcmp(lr, "went_quiet")) {
			int nudge = find_type(acts, "nudge", 0), bad = 0;

			for (i = nudge < 0 ? n : nudge; i < n; i++)
				bad |= jx_str(jx_at(acts, i), "direction") &&
				    !strcmp(jx_str(jx_at(acts, i), "direction"), "inbound");
			rule(R_QUIET, !bad);
		}
		rule(R_LOSS,
		    lr &&
			(!strcmp(lr, "went_quiet") || !strcmp(lr, "chose_competitor") || !strcmp(lr, "no_decision") ||
			    !strcmp(lr, "budget_pulled") || !strcmp(lr, "timing")));
	}
	for (i = 0; i < jx_len(contacts); i++) {
		jv c = jx_at(contacts, i);

		if (jx_str(c, "Role") && !strcasecmp(jx_str(c, "Role"), "Economic Buyer")) {
			const char *eb = jx_str(story, "economic_buyer");
			int ok = 0;

			for (j = 0; j < jx_len(contacts); j++) {
				jv o = jx_at(contacts, j);
				const char *ref = jx_str(o, "Id") ? jx_str(o, "Id") : jx_str(o, "key");

				if (eb && ref && !strcmp(ref, eb))
					ok = jx_str(o, "Role") && !strcasecmp(jx_str(o, "Role"), "Economic Buyer");
			}
			rule(R_EB, ok);
			break;
		}
	}

	deal_counts(rec, acts);
}

static int
by_amount(const void *a, const void *b)
{
	const struct deal_n *x = a, *y = b;

	return x->amount < y->amount ? -1 : x->amount > y->amount;
}

static int
by_count(const void *a, const void *b)
{
	const struct deal_n *x = a, *y = b;

	return x->count - y->count;
}

/* Spearman's rank correlation of amount and count over open deals (average ranks for
 * ties). */
static double
spearman(void)
{
	double *ra = xcalloc((size_t)nopen + 1, sizeof *ra), *rc = xcalloc((size_t)nopen + 1, sizeof *rc);
	double ma = 0, mc = 0, sab = 0, saa = 0, scc = 0;
	int i, j, pass;

	for (pass = 0; pass < 2; pass++) {
		double *rk = pass ? rc : ra;

		for (i = 0; i < nopen; i++)
			opens[i].stage = i; /* remember the deal */
		qsort(opens, (size_t)nopen, sizeof *opens, pass ? by_count : by_amount);
		for (i = 0; i < nopen; i = j) {
			for (j = i; j < nopen &&
			     (pass ? opens[j].count == opens[i].count : opens[j].amount == opens[i].amount);
			     j++)
				;
			while (i < j)
				rk[opens[i++].stage] = 0; /* filled below */
		}
		for (i = 0; i < nopen; i = j) {
			for (j = i; j < nopen &&
			     (pass ? opens[j].count == opens[i].count : opens[j].amount == opens[i].amount);
			     j++)
				;
			for (int k = i; k < j; k++)
				rk[opens[k].stage] = (i + j - 1) / 2.0;
		}
		/* Keep the pairs together: re-sort by the original order. */
		{
			struct deal_n *tmp = xcalloc((size_t)nopen + 1, sizeof *tmp);

			for (i = 0; i < nopen; i++)
				tmp[opens[i].stage] = opens[i];
			memcpy(opens, tmp, (size_t)nopen * sizeof *opens);
			free(tmp);
		}
	}
	for (i = 0; i < nopen; i++) {
		ma += ra[i];
		mc += rc[i];
	}
	ma /= nopen;
	mc /= nopen;
	for (i = 0; i < nopen; i++) {
		sab += (ra[i] - ma) * (rc[i] - mc);
		saa += (ra[i] - ma) * (ra[i] - ma);
		scc += (rc[i] - mc) * (rc[i] - mc);
	}
	free(ra);
	free(rc);
	return saa > 0 && scc > 0 ? sab / sqrt(saa * scc) : 0;
}

static void
totals(void)
{
	double in = emails ? (double)inbound / emails : 0, ans = inbound ? (double)answered / inbound : 0;
	double rho = nopen > 10 ? spearman() : 1, cov = contacts_all ? (double)contacts_seen / contacts_all : 1;
	char why[256];
	int r, i, k, same = 0;

	for (r = 0; r < R_COUNT; r++) {
		if (verbose)
			fprintf(
			    stderr, "plancheck: %s: %ld of %ld deals break it\n", rule_names[r], broken[r], applies[r]);
		if (applies[r] && broken[r] * 20 > applies[r]) {
			snprintf(
			    why, sizeof why, "%s: broken in %ld of %ld deals", rule_names[r], broken[r], applies[r]);
			breach("all", NULL, why);
		}
	}
	if (applies[R_QUIET] && broken[R_QUIET]) {
		snprintf(why, sizeof why, "%ld deals that went quiet hear from the customer after the rep's check-ins",
		    broken[R_QUIET]);
		breach("all", NULL, why);
	}
	if (r == R_COUNT && applies[R_EB] && broken[R_EB]) {
		snprintf(why, sizeof why, "the Economic Buyer role is passed over in %ld deals", broken[R_EB]);
		breach("all", NULL, why);
	}
	for (i = 0; i < nstages; i++) {
		int kinds = 0, total = 0;

		for (k = 0; k < 64; k++) {
			kinds += stage_counts[i][k] > 0;
			total += stage_counts[i][k];
		}
		same += total >= 5 && kinds == 1;
	}
	if (verbose)
		fprintf(stderr,
		    "plancheck: emails %ld, inbound %.1f%%, answered %.1f%%, with cc %.1f%%, "
		    "amount~count rank correlation %.2f over %d open deals, contacts taking part in "
		    "later stages %.1f%%, stages with one count %d\n",
		    emails, 100 * in, 100 * ans, emails ? 100.0 * with_cc / emails : 0, rho, nopen, 100 * cov, same);
	if (emails >= 100 && (in < 0.25 || in > 0.40)) {
		snprintf(why, sizeof why, "%.1f%% of emails are inbound (want 25-40%%)", 100 * in);
		breach("all", NULL, why);
	}
	if (inbound >= 20 && ans < 0.5) {
		snprintf(why, sizeof why, "%.1f%% of inbound emails are answered within 2 working days", 100 * ans);
		breach("all", NULL, why);
	}
	if (emails >= 100 && with_cc == 0)
		breach("all", NULL, "no email has anyone in copy");
	if (nopen > 10 && rho < 0.25) {
		snprintf(why, sizeof why, "rank correlation of amount and activities %.2f (want >= 0.25)", rho);
		breach("all", NULL, why);
	}
	if (contacts_all >= 20 && cov < 0.75) {
		snprintf(why, sizeof why, "%.1f%% of contacts take part in later-stage deals", 100 * cov);
		breach("all", NULL, why);
	}
	if (same)
		breach("all", NULL, "every deal of a stage has the same number of activities");
}

/* Every owner's meetings and emails seen so far. */
struct seen {
	char owner[32], id[32];
	time_t s, e; /* e == 0: an email */
	int day;     /* local days since the epoch, in the deal's zone */
};
static struct seen *all;
static int nall, capall;

static void
owner_check(const char *owner, const char *id, const char *key, time_t s, int mins, int day)
{
	int i, same_day = 1;

	if (!owner || !per_day)
		return; /* the owners' calendars are checked when PER_DAY is given */
	for (i = 0; i < nall; i++) {
		struct seen *x = &all[i];

		if (strcmp(x->owner, owner) != 0 || strcmp(x->id, id) == 0)
			continue; /* a deal's own overlaps are checked above */
		if (mins && x->e && s < x->e && x->s < s + mins * 60)
			breach(id, key, "overlaps a meeting of the same owner in another deal");
		if (!mins && !x->e && x->s / 60 == s / 60)
			breach(id, key, "an email at the same minute as another of the same owner");
	}
	for (i = 0; mins && i < nall; i++)
		same_day += all[i].e && all[i].day == day && strcmp(all[i].owner, owner) == 0;
	if (mins && same_day > per_day)
		breach(id, key, "the owner has more meetings that day than plan.meetings.per_day");
	if (nall == capall) {
		capall = capall ? 2 * capall : 1024;
		all = xrealloc(all, (size_t)capall * sizeof *all);
	}
	snprintf(all[nall].owner, sizeof all[nall].owner, "%s", owner);
	snprintf(all[nall].id, sizeof all[nall].id, "%s", id ? id : "");
	all[nall].s = s;
	all[nall].e = mins ? s + mins * 60 : 0;
	all[nall].day = day;
	nall++;
}

static void
breach(const char *id, const char *key, const char *why)
{
	printf("%s %s: %s\n", id, key ? key : "-", why);
	breaches++;
}

/* The phase of a sale a meeting belongs to (steps within a phase come in any order);
 * -1 for meetings that fit anywhere. */
static int
phase_of(const char *type)
{
	static const char *order[] = { "intro_call", "|", "discovery", "technical_discovery", "|", "demo",
		"stakeholder_alignment", "solution_workshop", "|", "security_review", "pilot_kickoff", "pilot_readout",
		"|", "business_case", "executive_sponsor", "pricing", "|", "proposal_review", "procurement_sync",
		"negotiation", "|", "implementation_kickoff", NULL };
	int i, ph = 0;

	for (i = 0; order[i]; i++) {
		if (strcmp(order[i], "|") == 0)
			ph++;
		else if (strcmp(order[i], type) == 0)
			return ph;
	}
	return -1; /* weekly syncs fit anywhere */
}

static int
is_after(const char *t)
{
	return t &&
	    (!strcmp(t, "welcome") || !strcmp(t, "implementation_kickoff") || !strcmp(t, "rollout_kickoff") ||
		!strcmp(t, "rollout_plan") || !strcmp(t, "success_plan") || !strcmp(t, "renewal_confirmed") ||
		!strcmp(t, "reply") || !strcmp(t, "recap") || !strcmp(t, "agenda") || !strcmp(t, "reschedule") ||
		!strcmp(t, "out_of_office"));
}

static int
check(jv rec, const struct jsonl_pos *pos, void *ctx)
{
	jv opp = jx_get(rec, "opportunity", JV_KIND_OBJECT), story = jx_get(rec, "story", JV_KIND_OBJECT);
	jv acts = jx_get(rec, "activities", JV_KIND_ARRAY), contacts = jx_get(rec, "contacts", JV_KIND_ARRAY);
	const char *id = jx_str(opp, "Id"), *tz = jx_str(story, "timezone"), *dom = jx_str(story, "domain");
	int closed = jx_bool(opp, "IsClosed", 0), i, j, n = jx_len(acts), lastphase = -1;
	struct person people[64];
	int np = deal_people(rec, people, 64);
	time_t close = 0, ms[256], me[256];
	int nm = 0, out_of_order = 0;

	if (jx_str(opp, "CloseDate"))
		time_parse(jx_str(opp, "CloseDate"), &close);
	if (!tz_known(tz))
		breach(id, NULL, "story.timezone is not a known zone");
	for (i = 0; i < jx_len(contacts); i++) {
		jv c = jx_at(contacts, i);
		const char *em = jx_str(c, "Email");

		if (!jx_bool(c, "planned", 0))
			continue;
		if (!em || !dom || !strstr(em, "@") || strcmp(strchr(em, '@') + 1, dom) != 0)
			breach(id, jx_str(c, "key"), "planned contact's email is not on the account domain");
		if (!jx_str(c, "key") || !jx_str(c, "Name") || !jx_str(c, "Title"))
			breach(id, NULL, "planned contact lacks key, Name or Title");
	}
	for (i = 0; i < n; i++) {
		jv a = jx_at(acts, i), att = jx_get(a, "attendees", JV_KIND_ARRAY);
		const char *key = jx_str(a, "key"), *kind = jx_str(a, "kind"), *when = jx_str(a, "when");
		time_t s;
		struct tm lt;
		int mins = (int)jx_num(a, "minutes", -1), meeting;

		if (!key || !kind || !when || !jx_str(a, "start") || time_parse(jx_str(a, "start"), &s)) {
			breach(id, key, "activity lacks key, kind, when or start");
			continue;
		}
		meeting = strcmp(kind, "meeting") == 0;
		tz_local(tz_known(tz) ? tz : "UTC", s, &lt);
		owner_check(
		    jx_str(opp, "OwnerId"), id, key, s, meeting ? mins : 0, (lt.tm_year - 70) * 366 + lt.tm_yday);
		if (lt.tm_wday == 0 || lt.tm_wday == 6)
			breach(id, key, "falls on a weekend in the owner's zone");
		if (holiday(tz, &lt))
			breach(id, key, "falls on a public holiday in the owner's country");
		for (j = 0; j < jx_len(att); j++)
			if (!deal_person(people, np, jx_cstr(jx_at(att, j))))
				breach(id, key, "attendee is not one of the deal's contacts");
		if (meeting) {
			int startm = lt.tm_hour * 60 + lt.tm_min;

			if (mins < 15 || mins > 120)
				breach(id, key, "meeting length outside 15-120 minutes");
			if (startm < day_start * 60 || startm + mins > day_end * 60)
				breach(id, key, "meeting outside business hours");
			for (j = 0; j < nm; j++)
				if (s < me[j] && ms[j] < s + mins * 60)
					breach(id, key, "meetings overlap");
			if (nm < 256) {
				ms[nm] = s;
				me[nm++] = s + mins * 60;
			}
			if (strcmp(when, "past") == 0) {
				int ph = phase_of(jx_str(a, "type") ? jx_str(a, "type") : "");

				if (s + mins * 60 > now)
					breach(id, key, "past meeting ends after now");
				if (ph >= 0 && ph < lastphase)
					out_of_order = 1;
				if (ph >= 0)
					lastphase = ph;
			} else {
				if (closed)
					breach(id, key, "closed deal has an upcoming meeting");
				if (s <= now)
					breach(id, key, "upcoming meeting is not in the future");
			}
		} else {
			if (s >= now || strcmp(when, "past") != 0)
				breach(id, key, "email is not in the past");
		}
		if (closed && close && s > close + 3 * DAY_SECONDS &&
		    !(jx_bool(opp, "IsWon", 0) && s < close + 40 * DAY_SECONDS && is_after(jx_str(a, "type"))))
			breach(id, key, "closed deal has activity well after its close date");
	}
	rule(R_MEETING_ORDER, !out_of_order);
	deal_rules(rec, acts);
	jv_free(rec);
	(void)pos;
	(void)ctx;
	return 0;
}

int
main(int argc, char **argv)
{
	long deals;

	util_init(argv[0]);
	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		verbose = 1;
		argc--;
		argv++;
	}
	if (argc < 2 || time_parse(argv[1], &now) != 0)
		diex(2, "usage: plancheck NOW [DAY_START DAY_END [PER_DAY]] < plans");
	if (argc > 3) {
		day_start = atoi(argv[2]);
		day_end = atoi(argv[3]);
	}
	if (argc > 4)
		per_day = atoi(argv[4]);
	deals = jsonl_each(0, NULL, check, NULL);
	if (deals != 0)
		return 2;
	totals();
	return breaches ? 1 : 0;
}
