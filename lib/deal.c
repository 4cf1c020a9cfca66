/* deal.c: topics, people and small formatting rules shared by the stages. */
#include "deal.h"
#include "config.h"
#include "tz.h"
#include "jsonl.h"
#include "util.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *topic_names[T_COUNT] = { "pain", "metrics", "economic_buyer", "decision_criteria",
	"decision_process", "paper_process", "champion", "competition", "budget", "timeline", "situation", "impact",
	"critical_event" };

const char *
topic_name(enum topic t)
{
	return t >= 0 && t < T_COUNT ? topic_names[t] : "?";
}

int
topic_find(const char *name)
{
	int i;

	for (i = 0; i < T_COUNT; i++)
		if (name && strcmp(topic_names[i], name) == 0)
			return i;
	return -1;
}

const char *
deal_id(jv rec, const struct jsonl_pos *pos)
{
	const char *id = jx_str(jx_get(rec, "opportunity", JV_KIND_OBJECT), "Id");
	char where[512];

	if (id && *id)
		return id;
	warnx("%s: record has no opportunity Id ('opportunity.Id')", jsonl_where(pos, where, sizeof where));
	return NULL;
}

int
deal_people(jv rec, struct person *out, int max)
{
	jv contacts = jx_get(rec, "contacts", JV_KIND_ARRAY);
	int i, n = 0, len = jx_len(contacts);

	for (i = 0; i < len && n < max; i++) {
		jv c = jx_at(contacts, i);
		struct person *p = &out[n];
		const char *fn, *ln, *nm;

		if (jv_get_kind(c) != JV_KIND_OBJECT)
			continue;
		memset(p, 0, sizeof *p);
		p->ref = jx_str(c, "Id");
		if (p->ref == NULL || *p->ref == '\0')
			p->ref = jx_str(c, "key");
		if (p->ref == NULL || *p->ref == '\0')
			continue;
		fn = jx_str(c, "FirstName");
		ln = jx_str(c, "LastName");
		nm = jx_str(c, "Name");
		if (nm && *nm) {
			p->name = nm;
		} else {
			snprintf(p->namebuf, sizeof p->namebuf, "%s%s%s", fn ? fn : "",
			    fn && *fn && ln && *ln ? " " : "", ln ? ln : "");
			p->name = p->namebuf[0] ? p->namebuf : "our contact";
		}
		if (fn && *fn) {
			p->first = fn;
		} else {
			/* The first word of the name stands in for a missing first name. */
			size_t k = strcspn(p->name, " ");

			snprintf(p->firstbuf, sizeof p->firstbuf, "%.*s", (int)k, p->name);
			p->first = p->firstbuf;
		}
		p->title = jx_str(c, "Title");
		p->email = jx_str(c, "Email");
		p->role = jx_str(c, "Role");
		p->primary = jx_bool(c, "IsPrimary", 0);
		n++;
	}
	return n;
}

const struct person *
deal_person(const struct person *p, int n, const char *ref)
{
	int i;

	for (i = 0; ref && i < n; i++)
		if (strcmp(p[i].ref, ref) == 0)
			return &p[i];
	return NULL;
}

char *
money_fmt(double a, char *buf, size_t size)
{
	if (!isfinite(a) || a < 0)
		a = 0;
	if (a >= 1e12)
		snprintf(buf, size, "$%.1fT", a / 1e12);
	else if (a >= 1e9)
		snprintf(buf, size, "$%.1fB", a / 1e9);
	else if (a >= 1e6)
		snprintf(buf, size, "$%.1fM", a / 1e6);
	else if (a >= 1e3)
		snprintf(buf, size, "$%.0fK", a / 1e3);
	else
		snprintf(buf, size, "$%.0f", a);
	/* "$1.0M" reads better as "$1M". */
	{
		char *dot = strstr(buf, ".0");

		if (dot && !isdigit((unsigned char)dot[2]))
			memmove(dot, dot + 2, strlen(dot + 2) + 1);
	}
	return buf;
}

char *
money_text(double a, char *buf, size_t size)
{
	if (!isfinite(a) || a < 0)
		a = 0;
	if (a >= 1e6) {
		snprintf(buf, size, "$%.1f million", a / 1e6);
		char *dot = strstr(buf, ".0 ");

		if (dot)
			memmove(dot, dot + 2, strlen(dot + 2) + 1);
		return buf;
	}
	/* Round to the thousand (above $10,000) or the hundred. */
	long n = a >= 10000 ? (long)(a / 1000 + 0.5) * 1000 : (long)(a / 100 + 0.5) * 100;

	if (n >= 1000)
		snprintf(buf, size, "$%ld,%03ld", n / 1000, n % 1000);
	else
		snprintf(buf, size, "$%ld", n);
	return buf;
}

char *
web_domain(const char *website, char *buf, size_t size)
{
	size_t n = 0;
	const char *p = strstr(website, "://");
	p = p ? p + 3 : website;
	if (strncasecmp(p, "www.", 4) == 0)
		p += 4;
	for (; *p && *p != '/' && *p != ':' && *p != '?' && *p != '#' && n + 1 < size; p++)
		if (isalnum((unsigned char)*p) || *p == '-' || *p == '.')
			buf[n++] = (char)tolower((unsigned char)*p);
	buf[n] = '\0';
	return n > 3 && strchr(buf, '.') && buf[n - 1] != '.' && buf[0] != '.' ? buf : NULL;
}

int
email_on_domain(const char *email, const char *dom)
{
	const char *at = email ? strrchr(email, '@') : NULL;
	size_t dl = dom ? strlen(dom) : 0, al = at ? strlen(at + 1) : 0;
	return at && dl && al >= dl && !strcasecmp(at + 1 + al - dl, dom) && (al == dl || at[al - dl] == '.');
}

char *
account_domain(const char *website, const char *name, const char *id, const struct strlist *domains,
    const char *const *emails, int nemails, char *buf, size_t size)
{
	buf[0] = '\0';
	if (website && *website && web_domain(website, buf, size))
		return buf;
	/* The configuration's word for this account, by Id (15 or 18 characters) or name. */
	for (int i = 0; domains && i < domains->n; i++) {
		const char *e = domains->v[i], *eq = strrchr(e, '=');
		size_t k = eq ? (size_t)(eq - e) : 0;
		int match = k &&
		    ((name && strlen(name) == k && !strncasecmp(e, name, k)) ||
			(id && k >= 15 && strlen(id) >= 15 && !strncmp(e, id, 15)));
		if (match && web_domain(eq + 1, buf, size))
			return buf;
	}
	/* The domain most of its people's addresses are on. */
	int best = 0;
	for (int i = 0; i < nemails; i++) {
		const char *at = emails[i] ? strrchr(emails[i], '@') : NULL;
		int count = 0;
		for (int j = 0; at && j < nemails; j++) {
			const char *bt = emails[j] ? strrchr(emails[j], '@') : NULL;
			count += bt && !strcasecmp(at, bt);
		}
		if (count > best && web_domain(at + 1, buf, size))
			best = count;
	}
	if (best)
		return buf;
	buf[0] = '\0';
	return NULL;
}

int
topic_phase(enum topic t)
{
	static const int phase[T_COUNT] = {
		[T_PAIN] = 0,
		[T_SITUATION] = 0,
		[T_METRICS] = 1,
		[T_IMPACT] = 1,
		[T_CHAMPION] = 1,
		[T_DECISION_CRITERIA] = 2,
		[T_COMPETITION] = 2,
		[T_ECONOMIC_BUYER] = 3,
		[T_DECISION_PROCESS] = 3,
		[T_TIMELINE] = 3,
		[T_CRITICAL_EVENT] = 3,
		[T_BUDGET] = 4,
		[T_PAPER_PROCESS] = 4,
	};

	return t >= 0 && t < T_COUNT ? phase[t] : 6;
}

int
stage_phase(const char *s)
{
	static const struct {
		const char *word;
		int phase;
	} map[] = {
		{ "won", 6 },
		{ "negotiat", 5 },
		{ "review", 5 },
		{ "contract", 5 },
		{ "proposal", 4 },
		{ "quote", 4 },
		{ "perception", 3 },
		{ "id. decision", 2 },
		{ "decision", 3 },
		{ "value", 2 },
		{ "solution", 2 },
		{ "demo", 2 },
		{ "evaluat", 3 },
		{ "needs", 1 },
		{ "qualif", 1 },
		{ "discover", 1 },
		{ "prospect", 0 },
	};
	size_t i;

	if (s == NULL)
		return 2;
	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcasestr(s, map[i].word))
			return map[i].phase;
	return 2;
}

static const char *
person_name(const struct deal_text *t, const char *ref, int first)
{
	const struct person *p = deal_person(t->people, t->n, ref);

	if (p == NULL)
		return NULL;
	return first ? p->first : p->name;
}

void
deal_text_person(struct deal_text *t, const char *var, const char *first, const char *ref, const char *fallback)
{
	const char *full = person_name(t, ref, 0), *fn = person_name(t, ref, 1);

	vars_set(&t->vs, var, full ? full : fallback);
	vars_set(&t->vs, first, fn ? fn : fallback);
}

static const char *
story(jv s, const char *key, const char *fallback)
{
	const char *v = jx_str(s, key);

	return v && *v ? v : fallback;
}

struct bank *
words_open(const struct dg_config *cfg, const char *name, const char *other_name)
{
	struct bank *b = bank_open(name), *other = bank_open(other_name);
	int i;

	for (i = 0; i < cfg->words.n; i++) {
		const char *w = cfg->words.v[i];
		char *path;

		/* A relative path is the config file's neighbour. */
		if (w[0] != '/' && cfg->path && strchr(cfg->path, '/'))
			path = xasprintf("%.*s/%s", (int)(strrchr(cfg->path, '/') - cfg->path), cfg->path, w);
		else
			path = xstrdup(w);
		if (bank_extend(b, other, path) != 0)
			diex(EXIT_USAGE, "words: cannot use '%s' (see above)", path);
		free(path);
	}
	bank_free(other);
	return b;
}

/* The variable each fact of the story is written with, and what stands in for a
 * missing one. */
static const char *const fact_var[T_COUNT] = {
	[T_PAIN] = "pain",
	[T_METRICS] = "metrics",
	[T_DECISION_CRITERIA] = "criteria",
	[T_DECISION_PROCESS] = "process",
	[T_PAPER_PROCESS] = "paper",
	[T_BUDGET] = "budget",
	[T_TIMELINE] = "timeline",
	[T_SITUATION] = "situation",
	[T_IMPACT] = "impact",
	[T_CRITICAL_EVENT] = "event",
};
static const char *const fact_fallback[T_COUNT] = {
	[T_PAIN] = "the problems they described",
	[T_METRICS] = "measurable results",
	[T_DECISION_CRITERIA] = "their requirements",
	[T_DECISION_PROCESS] = "their usual approval steps",
	[T_PAPER_PROCESS] = "their standard contract review",
	[T_BUDGET] = "a budget still to be confirmed",
	[T_TIMELINE] = "a date still to be agreed",
	[T_SITUATION] = "a growing sales team",
	[T_IMPACT] = "revenue at risk",
	[T_CRITICAL_EVENT] = "their next planning cycle",
};

/* {pain_full} and the like: the names are borrowed by the variables, so static. */
static const char *const fact_full_var[T_COUNT] = {
	[T_PAIN] = "pain_full",
	[T_METRICS] = "metrics_full",
	[T_DECISION_CRITERIA] = "criteria_full",
	[T_DECISION_PROCESS] = "process_full",
	[T_PAPER_PROCESS] = "paper_full",
	[T_BUDGET] = "budget_full",
	[T_TIMELINE] = "timeline_full",
	[T_SITUATION] = "situation_full",
	[T_IMPACT] = "impact_full",
	[T_CRITICAL_EVENT] = "event_full",
};

void
deal_text_facts(struct deal_text *t, unsigned said)
{
	int i;

	/* Called for every topic sentence: nothing to do when the same facts are said. */
	if (t->facts_set && t->facts_said == said)
		return;
	t->facts_set = 1;
	t->facts_said = said;
	for (i = 0; i < T_COUNT; i++) {
		if (fact_var[i] == NULL)
			continue;
		vars_set(&t->vs, fact_var[i], said & (1u << i) ? t->shortf[i] : t->full[i]);
		vars_set(&t->vs, fact_full_var[i], t->full[i]);
	}
}

void
deal_text_init(struct deal_text *t, jv rec, const struct dg_config *cfg)
{
	jv opp = jx_get(rec, "opportunity", JV_KIND_OBJECT);
	jv acct = jx_get(opp, "Account", JV_KIND_OBJECT);
	jv owner = jx_get(opp, "Owner", JV_KIND_OBJECT);
	jv s = jx_get(rec, "story", JV_KIND_OBJECT), comps, prods;
	const char *owner_name = jx_str(owner, "Name"), *account = jx_str(acct, "Name");
	int i;

	memset(t, 0, sizeof *t);
	t->id = jx_str(opp, "Id");
	t->n = deal_people(rec, t->people, DEAL_PEOPLE);
	t->tz = jx_str(s, "timezone");
	if (!tz_known(t->tz))
		t->tz = cfg->plan.timezone;
	if (account == NULL || *account == '\0')
		account = jx_str(opp, "Name") ? jx_str(opp, "Name") : "your team";
	if (owner_name && *owner_name) {
		snprintf(t->owner_first, sizeof t->owner_first, "%.*s", (int)strcspn(owner_name, " "), owner_name);
	} else {
		owner_name = cfg->company.name;
		snprintf(t->owner_first, sizeof t->owner_first, "The %s team", cfg->company.name);
	}
	comps = jx_get(s, "competitors", JV_KIND_ARRAY);
	t->competitor[0] = '\0';
	for (i = 0; i < jx_len(comps); i++) {
		const char *cn = jx_cstr(jx_at(comps, i));

		if (cn == NULL)
			continue;
		if (t->competitor[0])
			strncat(t->competitor, " and ", sizeof t->competitor - strlen(t->competitor) - 1);
		strncat(t->competitor, cn, sizeof t->competitor - strlen(t->competitor) - 1);
	}
	prods = jx_get(s, "products", JV_KIND_ARRAY);
	money_text(jx_num(opp, "Amount", 0), t->amount, sizeof t->amount);
	vars_set(&t->vs, "account", account);
	snprintf(t->industry, sizeof t->industry, "%s", jx_str(acct, "Industry") ? jx_str(acct, "Industry") : "");
	for (i = 0; t->industry[i]; i++)
		t->industry[i] = (char)tolower((unsigned char)t->industry[i]);
	vars_set(&t->vs, "industry", t->industry[0] ? t->industry : "B2B");
	vars_set(&t->vs, "company", cfg->company.name);
	vars_set(&t->vs, "owner", owner_name);
	vars_set(&t->vs, "owner_first", t->owner_first);
	vars_set(&t->vs, "product", jx_cstr(jx_at(prods, 0)) ? jx_cstr(jx_at(prods, 0)) : cfg->company.products.v[0]);
	vars_set(&t->vs, "competitor", t->competitor[0] ? t->competitor : "the status quo");
	vars_set(&t->vs, "amount", jx_num(opp, "Amount", 0) > 0 ? t->amount : "the proposed");
	/* The terms of the deal's paperwork: seats at about $1,200 a seat a year, a term of
	 * one to three years and a discount of 5-15%, the same in every text of the deal. */
	{
		uint64_t h = hash_str(FNV_OFFSET, t->id ? t->id : "");
		double amt = jx_num(opp, "Amount", 0);
		long seats = amt > 0 ? ((long)(amt / 1200) + 4) / 5 * 5 : 25;

		snprintf(t->seats, sizeof t->seats, "%ld", seats < 5 ? 5 : seats);
		snprintf(t->term, sizeof t->term, "%d", 12 * (int)(1 + h % 3));
		snprintf(t->discount, sizeof t->discount, "%d", 5 + (int)((h >> 8) % 11));
		vars_set(&t->vs, "seats", t->seats);
		vars_set(&t->vs, "term", t->term);
		vars_set(&t->vs, "discount", t->discount);
	}
	{
		time_t close;
		struct tm tm;

		snprintf(t->month, sizeof t->month, "the coming months");
		if (jx_str(opp, "CloseDate") && time_parse(jx_str(opp, "CloseDate"), &close) == 0) {
			gmtime_r(&close, &tm);
			strftime(t->month, sizeof t->month, "%B", &tm);
		}
		vars_set(&t->vs, "month", t->month);
	}
	for (i = 0; i < T_COUNT; i++) {
		const char *key = topic_name((enum topic)i);

		if (fact_var[i] == NULL)
			continue;
		t->full[i] = story(s, key, fact_fallback[i]);
		t->shortf[i] = story(jx_get(s, "short", JV_KIND_OBJECT), key, t->full[i]);
	}
	deal_text_facts(t, 0);
	deal_text_person(t, "champion", "champion_first", jx_str(s, "champion"), "our main contact");
	deal_text_person(t, "eb", "eb_first", jx_str(s, "economic_buyer"), "their executive sponsor");
	deal_text_person(t, "tech", "tech_first", jx_str(s, "technical_contact"), "their technical lead");
}
