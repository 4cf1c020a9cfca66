/* story.c: who the buyer's people are, who gets added, and the deal's hidden story. */
#include "plan.h"
#include "jsonl.h"
#include "tz.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The first of words s contains, counted from the end (the first word scores n), or 0:
 * roles are ranked, so an Economic Buyer beats an Executive Sponsor beats a Decision
 * Maker whatever order the contacts come in. */
static int
rank(const char *s, const char *const *words)
{
	int n, i;

	for (n = 0; words[n]; n++)
		;
	for (i = 0; s && words[i]; i++)
		if (strcasestr(s, words[i]))
			return n - i;
	return 0;
}

/* How well a person fits each persona: by contact role first (any role outranks any
 * title), by title second. */
static int
fit(const struct person *p, enum persona want)
{
	static const char *const eb_roles[] = { "economic", "executive sponsor", "decision maker", NULL };
	static const char *const eb_titles[] = { "chief", "ceo", "cfo", "cro", "coo", "cio", "president", "svp", "evp",
		"vp", "vice president", "head of", "owner", "founder", NULL };
	static const char *const ch_roles[] = { "champion", "influencer", "business user", NULL };
	static const char *const ch_titles[] = { "director", "manager", "operations", "revops", "enablement", "lead",
		NULL };
	static const char *const te_roles[] = { "technical", "evaluator", NULL };
	static const char *const te_titles[] = { "engineer", "architect", "it ", "security", "systems", "admin",
		"developer", "data", "technical", "analyst", NULL };

	switch (want) {
	case P_EB: return rank(p->role, eb_roles) * 100 + (rank(p->title, eb_titles) > 0) * 10;
	case P_CHAMPION: return rank(p->role, ch_roles) * 100 + (rank(p->title, ch_titles) > 0) * 10 + p->primary;
	case P_TECH: return rank(p->role, te_roles) * 100 + (rank(p->title, te_titles) > 0) * 10;
	}
	return 0;
}

static int
best(const struct deal *d, enum persona want, int not1, int not2)
{
	int i, b = -1, bs = -1, s;

	for (i = 0; i < d->npeople; i++) {
		if (i == not1 || i == not2)
			continue;
		s = fit(&d->people[i], want);
		if (s > bs) {
			bs = s;
			b = i;
		}
	}
	return b;
}

/* Adds a believable contact for the persona, with an email on the account's domain. */
static void
add_contact(struct planner *pl, struct deal *d, enum persona want, jv opp)
{
	static const char *const sect[] = { "title.champion", "title.economic_buyer", "title.technical" };
	static const char *const role[] = { "Influencer", "Economic Buyer", "Technical Buyer" };
	struct rng r;
	const char *first, *last, *title;
	char email[256], *p;
	int slot = d->npeople, i, tries;
	struct person *np;
	jv c;

	if (d->npeople >= MAX_PEOPLE)
		return;
	rng_init(&r, (uint64_t)pl->cfg->seed, d->id, "contact", slot);
	for (tries = 0;; tries++) {
		first = bank_pick(pl->names, "first", &r);
		last = bank_pick(pl->names, "last", &r);
		snprintf(email, sizeof email, "%s.%s%.0d@%s", first, last, tries, d->domain);
		for (p = email; *p && *p != '@'; p++)
			*p = (char)tolower((unsigned char)*p);
		for (i = 0; i < d->npeople; i++)
			if (d->people[i].email && strcasecmp(d->people[i].email, email) == 0)
				break;
		if (i == d->npeople || tries > 20)
			break;
	}
	title = bank_pick(pl->story, sect[want], &r);
	snprintf(d->keys[slot], sizeof d->keys[slot], "%s-C%02d-%08x", d->id, slot, pl->seedtag);
	c = jv_object();
	c = jx_set_str(c, "key", d->keys[slot]);
	c = jv_object_set(c, jv_string("planned"), jv_true());
	c = jx_set_str(c, "FirstName", first);
	c = jx_set_str(c, "LastName", last);
	c = jv_object_set(c, jv_string("Name"), jv_string_fmt("%s %s", first, last));
	c = jx_set_str(c, "Title", title);
	c = jx_set_str(c, "Email", email);
	c = jx_set_str(c, "Role", role[want]);
	c = jv_object_set(c, jv_string("IsPrimary"), jv_false());
	c = jx_set_str(c, "AccountId", jx_str(opp, "AccountId"));
	d->planned = jv_array_append(d->planned, c);
	/* The person borrows strings from the planned array, which lives as long as d. */
	c = jv_array_get(jv_copy(d->planned), jv_array_length(jv_copy(d->planned)) - 1);
	np = &d->people[d->npeople++];
	memset(np, 0, sizeof *np);
	np->ref = d->keys[slot];
	np->name = jx_str(c, "Name");
	np->first = first;
	np->title = title;
	np->email = jx_str(c, "Email");
	np->role = role[want];
	jv_free(c);
}

void
people_choose(struct planner *pl, struct deal *d, jv opp)
{
	/* Add the persona the deal lacks most: an economic buyer, then a champion, then
	 * a technical evaluator. */
	while (d->npeople < pl->cfg->plan.min_contacts && d->npeople < MAX_PEOPLE) {
		int eb = best(d, P_EB, -1, -1);
		enum persona want;

		if (eb < 0 || fit(&d->people[eb], P_EB) == 0)
			want = P_EB;
		else
			want = best(d, P_CHAMPION, eb, -1) < 0 ? P_CHAMPION : P_TECH;
		add_contact(pl, d, want, opp);
	}
	d->eb = best(d, P_EB, -1, -1);
	d->champion = best(d, P_CHAMPION, d->eb, -1);
	if (d->champion < 0)
		d->champion = d->eb;
	d->tech = best(d, P_TECH, d->eb, d->champion);
	if (d->tech < 0 || fit(&d->people[d->tech], P_TECH) == 0)
		d->tech = d->champion;
}

/* Renders a line of section and splits it into its full and short forms (see
 * story.txt); a line with one form gives it twice. */
static void
pick(struct planner *pl, const char *section, struct rng *r, const struct vars *vs, jv *full, jv *shortf)
{
	const char *t = bank_pick(pl->story, section, r), *bar;
	struct sb b = { 0 };
	char err[256];

	if (t == NULL)
		diex(EXIT_USAGE, "story.txt has no section [%s]", section);
	if (render(&b, t, vs, r, err, sizeof err) != 0)
		diex(EXIT_USAGE, "story.txt: [%s]: %s", section, err);
	bar = strstr(sb_str(&b), " | ");
	*full = jv_string_sized(sb_str(&b), bar ? (int)(bar - sb_str(&b)) : (int)b.len);
	*shortf = jv_string(bar ? bar + 3 : sb_str(&b));
	sb_free(&b);
}

jv
story_make(struct planner *pl, struct deal *d, jv opp)
{
	const struct strlist *prods = &pl->cfg->company.products;
	jv acct = jx_get(opp, "Account", JV_KIND_OBJECT), s = jv_object(), comps;
	static const char *const facts[] = { "pain", "metrics", "decision_criteria", "decision_process",
		"paper_process", "budget", "timeline", "situation", "impact", "critical_event" };
	char budget[32], amount[32], pct[8], pct2[8], hours[8], days[8], weeks[8], reps[8];
	char quarter[16], month[16], money[32];
	const char *industry = jx_str(acct, "Industry"), *c1, *c2;
	struct vars vs = { 0 };
	struct rng r;
	struct tm tm;
	/* The dates a story speaks of follow the deal: a closed deal's from its close, an
	 * open one's from its close or today, whichever is later. */
	time_t anchor = d->close && (d->closed || d->close > pl->now) ? d->close : pl->now;
	double amt = jx_num(opp, "Amount", 0), bud;
	char lc_industry[64];
	jv shortf = jv_object();
	size_t f;
	int i;

	rng_init(&r, (uint64_t)pl->cfg->seed, d->id, "story", 0);
	snprintf(lc_industry, sizeof lc_industry, "%s", industry && *industry ? industry : "");
	for (i = 0; lc_industry[i]; i++)
		lc_industry[i] = (char)tolower((unsigned char)lc_industry[i]);
	snprintf(pct, sizeof pct, "%ld", rng_range(&r, 12, 40));
	snprintf(pct2, sizeof pct2, "%ld", rng_range(&r, 5, 25));
	snprintf(hours, sizeof hours, "%ld", rng_range(&r, 3, 15));
	snprintf(days, sizeof days, "%ld", rng_range(&r, 2, 9));
	snprintf(weeks, sizeof weeks, "%ld", rng_range(&r, 3, 8));
	snprintf(reps, sizeof reps, "%ld", rng_range(&r, 4, 60) * 5);
	gmtime_r(&anchor, &tm);
	snprintf(quarter, sizeof quarter, "Q%d %d", (tm.tm_mon / 3 + 1) % 4 + 1, tm.tm_year + 1900 + (tm.tm_mon >= 9));
	strftime(month, sizeof month, "%B", &tm);
	money_text(amt > 0 ? amt : 0, amount, sizeof amount);
	money_text(amt > 0 ? amt * (double)rng_range(&r, 15, 40) / 10.0 : 250000.0, money, sizeof money);
	/* A budget is never the amount restated: the buyer holds a bit more than the price
	 * (ten to sixty percent), rounded the way people say it. */
	bud = amt > 0 ? amt * (double)rng_range(&r, 110, 160) / 100.0 : 0;
	money_text(bud, budget, sizeof budget);
	while (amt > 0 && strcmp(budget, amount) == 0)
		money_text(bud *= 1.25, budget, sizeof budget);
	vars_set(&vs, "account",
	    jx_str(acct, "Name") ? jx_str(acct, "Name") : (jx_str(opp, "Name") ? jx_str(opp, "Name") : "the customer"));
	vars_set(&vs, "industry", lc_industry[0] ? lc_industry : "customer");
	vars_set(&vs, "company", pl->cfg->company.name);
	vars_set(&vs, "budget", amt > 0 ? budget : "a budget");
	vars_set(&vs, "value", money);
	vars_set(&vs, "pct", pct);
	vars_set(&vs, "pct2", pct2);
	vars_set(&vs, "hours", hours);
	vars_set(&vs, "days", days);
	vars_set(&vs, "weeks", weeks);
	vars_set(&vs, "reps", reps);
	vars_set(&vs, "quarter", quarter);
	vars_set(&vs, "month", month);
	vars_set(&vs, "product", prods->v[rng_range(&r, 0, prods->n - 1)]);

	for (f = 0; f < sizeof facts / sizeof facts[0]; f++) {
		jv full, sh;

		pick(pl, facts[f], &r, &vs, &full, &sh);
		s = jv_object_set(s, jv_string(facts[f]), full);
		shortf = jv_object_set(shortf, jv_string(facts[f]), sh);
	}
	s = jv_object_set(s, jv_string("short"), shortf);
	s = jx_set_str(s, "champion", d->champion >= 0 ? d->people[d->champion].ref : NULL);
	s = jx_set_str(s, "economic_buyer", d->eb >= 0 ? d->people[d->eb].ref : NULL);
	s = jx_set_str(s, "technical_contact", d->tech >= 0 ? d->people[d->tech].ref : NULL);
	c1 = bank_pick(pl->story, "competitor", &r);
	c2 = bank_pick(pl->story, "competitor", &r);
	comps = JV_ARRAY(jv_string(c1 ? c1 : "the status quo"));
	if (c2 && c1 && strcmp(c1, c2) != 0 && rng_chance(&r, 0.5))
		comps = jv_array_append(comps, jv_string(c2));
	s = jv_object_set(s, jv_string("competitors"), comps);
	{
		long i1 = rng_range(&r, 0, prods->n - 1), i2 = rng_range(&r, 0, prods->n - 1);
		jv p = JV_ARRAY(jv_string(prods->v[i1]));

		if (i2 != i1)
			p = jv_array_append(p, jv_string(prods->v[i2]));
		s = jv_object_set(s, jv_string("products"), p);
	}
	s = jv_object_set(s, jv_string("phase"), jv_number(d->phase));
	s = jx_set_str(s, "path", path_name(d->path));
	if (d->loss)
		s = jx_set_str(s, "loss_reason", loss_name(d->loss));
	if (d->slipped)
		s = jv_object_set(s, jv_string("slipped"), jv_true());
	s = jx_set_str(s, "timezone", d->tz);
	s = jx_set_str(s, "domain", d->domain);
	{ /* the day the plan is for (--now): what "past" and "upcoming" are measured from */
		char day[11];
		s = jx_set_str(s, "now", time_date(pl->now, day));
	}
	return s;
}
