/* schedule.c: which meetings and emails a deal has, when, and with whom.
 *
 * Meetings follow the sales cycle (discovery before demo before pricing...) up to the
 * deal's stage; they fall on weekdays inside business hours in the owner's zone and
 * never overlap. Emails hang off the meetings (recaps after, agendas before) or follow
 * the cycle on their own, always on weekdays and in the past. */
#include "plan.h"
#include "tz.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define B(t) (1u << (t))

struct atype {
	const char *id, *title;
	int phase;        /* earliest sales phase it belongs to */
	unsigned topics;  /* what it usually covers */
	int minutes;      /* typical length (meetings) */
	enum persona lead;
};

static const struct atype meeting_types[] = {
	{ "intro_call", "Intro call", 0, B(T_SITUATION) | B(T_PAIN), 30, P_CHAMPION },
	{ "discovery", "Discovery call", 1, B(T_PAIN) | B(T_METRICS) | B(T_IMPACT), 60, P_CHAMPION },
	{ "technical_discovery", "Technical discovery", 1, B(T_DECISION_CRITERIA) | B(T_SITUATION), 60, P_TECH },
	{ "demo", "Product demo", 2, B(T_DECISION_CRITERIA) | B(T_COMPETITION), 60, P_CHAMPION },
	{ "stakeholder_alignment", "Stakeholder alignment", 2, B(T_CHAMPION) | B(T_DECISION_PROCESS), 45, P_CHAMPION },
	{ "solution_workshop", "Solution design workshop", 2, B(T_DECISION_CRITERIA) | B(T_METRICS), 90, P_TECH },
	{ "security_review", "Security review", 3, B(T_PAPER_PROCESS) | B(T_DECISION_CRITERIA), 60, P_TECH },
	{ "pilot_kickoff", "Pilot kickoff", 3, B(T_METRICS) | B(T_TIMELINE), 45, P_CHAMPION },
	{ "pilot_readout", "Pilot readout", 3, B(T_METRICS) | B(T_CHAMPION) | B(T_IMPACT), 60, P_CHAMPION },
	{ "business_case", "Business case review", 4, B(T_ECONOMIC_BUYER) | B(T_BUDGET) | B(T_IMPACT), 60, P_EB },
	{ "executive_sponsor", "Executive sponsor meeting", 4, B(T_ECONOMIC_BUYER) | B(T_CRITICAL_EVENT), 30, P_EB },
	{ "pricing", "Pricing discussion", 4, B(T_BUDGET) | B(T_COMPETITION), 45, P_EB },
	{ "proposal_review", "Proposal walkthrough", 5, B(T_DECISION_PROCESS) | B(T_PAPER_PROCESS), 45, P_EB },
	{ "procurement_sync", "Procurement and legal sync", 5, B(T_PAPER_PROCESS) | B(T_TIMELINE), 30, P_CHAMPION },
	{ "negotiation", "Commercial negotiation", 5, B(T_BUDGET) | B(T_COMPETITION), 60, P_EB },
	{ "implementation_kickoff", "Implementation kickoff", 6, B(T_TIMELINE) | B(T_METRICS), 60, P_CHAMPION },
	{ "status_sync", "Weekly sync", 1, B(T_CHAMPION) | B(T_TIMELINE), 30, P_CHAMPION },
};
#define N_MEETING_TYPES ((int)(sizeof meeting_types / sizeof meeting_types[0]))
#define M_FILLER (N_MEETING_TYPES - 1)

static const struct atype email_types[] = {
	{ "recap", "Recap", 1, 0, 0, P_CHAMPION },
	{ "agenda", "Agenda", 1, 0, 0, P_CHAMPION },
	{ "introduction", "Introduction", 0, B(T_SITUATION) | B(T_PAIN), 0, P_CHAMPION },
	{ "scheduling", "Scheduling", 0, B(T_TIMELINE), 0, P_CHAMPION },
	{ "resources", "Follow-up resources", 1, B(T_DECISION_CRITERIA), 0, P_CHAMPION },
	{ "check_in", "Checking in", 1, B(T_CHAMPION), 0, P_CHAMPION },
	{ "case_study", "Customer story", 2, B(T_METRICS) | B(T_COMPETITION), 0, P_CHAMPION },
	{ "demo_follow_up", "Demo follow-up", 2, B(T_DECISION_CRITERIA) | B(T_COMPETITION), 0, P_CHAMPION },
	{ "security_questionnaire", "Security questionnaire", 3, B(T_PAPER_PROCESS), 0, P_TECH },
	{ "mutual_action_plan", "Mutual action plan", 3, B(T_DECISION_PROCESS) | B(T_TIMELINE) | B(T_CRITICAL_EVENT), 0, P_CHAMPION },
	{ "pilot_criteria", "Pilot success criteria", 3, B(T_METRICS), 0, P_CHAMPION },
	{ "roi_model", "ROI model", 4, B(T_METRICS) | B(T_IMPACT) | B(T_BUDGET), 0, P_EB },
	{ "proposal", "Proposal", 4, B(T_BUDGET) | B(T_ECONOMIC_BUYER), 0, P_EB },
	{ "reference_call", "Reference call", 4, B(T_CHAMPION) | B(T_COMPETITION), 0, P_CHAMPION },
	{ "redlines", "Contract redlines", 5, B(T_PAPER_PROCESS), 0, P_CHAMPION },
	{ "order_form", "Order form", 5, B(T_PAPER_PROCESS) | B(T_ECONOMIC_BUYER), 0, P_EB },
	{ "welcome", "Welcome aboard", 6, B(T_TIMELINE), 0, P_CHAMPION },
};
#define N_EMAIL_TYPES ((int)(sizeof email_types / sizeof email_types[0]))
#define E_RECAP 0
#define E_AGENDA 1
#define E_FIRST_FREE 2

const char *
act_type_id(const struct act *a)
{
	return a->meeting ? meeting_types[a->type].id : email_types[a->type].id;
}

const char *
act_type_title(const struct act *a)
{
	return a->meeting ? meeting_types[a->type].title : email_types[a->type].title;
}

static int
person_for(const struct deal *d, enum persona p)
{
	return p == P_EB ? d->eb : p == P_TECH ? d->tech : d->champion;
}

/* Moves t to a weekday in the owner's zone at local hh:mm and returns the UTC time. */
static time_t
weekday_at(const struct deal *d, time_t t, int minute_of_day)
{
	struct tm lt;
	int add = 0;

	tz_local(d->tz, t, &lt);
	if (lt.tm_wday == 6)
		add = 2;
	else if (lt.tm_wday == 0)
		add = 1;
	return tz_to_utc(d->tz, lt.tm_year + 1900, lt.tm_mon + 1, lt.tm_mday + add,
	    minute_of_day / 60, minute_of_day % 60);
}

static int
overlaps(const struct act *acts, int n, time_t s, int minutes)
{
	int i;

	for (i = 0; i < n; i++)
		if (acts[i].meeting && s < acts[i].start + acts[i].minutes * 60 &&
		    acts[i].start < s + minutes * 60)
			return 1;
	return 0;
}

/* Finds a start for a meeting inside [from, to); returns 0 when none was found. */
static time_t
meeting_slot(struct planner *pl, const struct deal *d, struct rng *r, time_t from, time_t to,
    int minutes, const struct act *acts, int n)
{
	long first = pl->cfg->plan.day_start * 60, last = pl->cfg->plan.day_end * 60 - minutes;
	int tries;

	for (tries = 0; tries < 40 && to > from; tries++) {
		time_t t = from + (time_t)(rng_double(r) * (double)(to - from));
		long m = rng_range(r, first / 15, last / 15) * 15;
		time_t s = weekday_at(d, t, (int)m);

		if (s >= from && s + minutes * 60 <= to && !overlaps(acts, n, s, minutes))
			return s;
	}
	return 0;
}

static time_t
email_slot(struct planner *pl, const struct deal *d, struct rng *r, time_t from, time_t to)
{
	long first = (pl->cfg->plan.day_start - 1) * 60, last = (pl->cfg->plan.day_end + 1) * 60;
	int tries;

	if (first < 0)
		first = 0;
	if (last > 24 * 60 - 1)
		last = 24 * 60 - 1;
	for (tries = 0; tries < 40 && to > from; tries++) {
		time_t t = from + (time_t)(rng_double(r) * (double)(to - from));
		time_t s = weekday_at(d, t, (int)rng_range(r, first, last));

		if (s >= from && s < to)
			return s;
	}
	return 0;
}

static int
meeting_minutes(struct planner *pl, struct rng *r, int typical)
{
	long m = typical + 15 * rng_range(r, -1, 2);

	if (m < pl->cfg->plan.minutes.min)
		m = pl->cfg->plan.minutes.min;
	if (m > pl->cfg->plan.minutes.max)
		m = pl->cfg->plan.minutes.max;
	return (int)m;
}

static void
set_people(const struct deal *d, struct rng *r, struct act *a, enum persona lead)
{
	int lead_i = person_for(d, lead), i, extra;

	a->who = lead_i;
	a->nattendees = 0;
	if (lead_i < 0)
		return;
	a->attendees[a->nattendees++] = lead_i;
	if (!a->meeting)
		return;
	if (d->champion >= 0 && d->champion != lead_i)
		a->attendees[a->nattendees++] = d->champion;
	if (d->npeople > a->nattendees && rng_chance(r, 0.4)) {
		extra = (int)rng_range(r, 0, d->npeople - 1);
		for (i = 0; i < a->nattendees; i++)
			if (a->attendees[i] == extra)
				break;
		if (i == a->nattendees && a->nattendees < 4)
			a->attendees[a->nattendees++] = extra;
	}
}

static int
cmp_start(const void *a, const void *b)
{
	const struct act *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Chooses n meeting types in sales-cycle order up to phase: the first step and one of
 * the deal's current step always, the rest at random, weekly syncs when n is larger. */
static int
past_types(struct rng *r, int phase, int won, int n, int *out)
{
	int cand[N_MEETING_TYPES], nc = 0, chosen[N_MEETING_TYPES], rest[N_MEETING_TYPES];
	int i, k = 0, top, nrest;

	for (i = 0; i < M_FILLER; i++)
		if (meeting_types[i].phase <= phase && (meeting_types[i].phase < 6 || won))
			cand[nc++] = i;
	if (n <= 0 || nc == 0)
		return 0;
	if (n >= nc) {
		for (i = 0; i < nc; i++)
			out[k++] = cand[i];
		while (k < n) {
			int at = (int)rng_range(r, 1, k);

			memmove(out + at + 1, out + at, sizeof(int) * (size_t)(k - at));
			out[at] = M_FILLER;
			k++;
		}
		return k;
	}
	/* Position 0 (the first step) and one position of the latest phase reached. */
	for (i = nc - 1; i > 0 && meeting_types[cand[i - 1]].phase == meeting_types[cand[nc - 1]].phase; i--)
		;
	top = (int)rng_range(r, i > 0 ? i : 1, nc - 1);
	memset(chosen, 0, sizeof chosen);
	chosen[0] = 1;
	k = 1;
	if (n > 1) {
		chosen[top] = 1;
		k = 2;
	}
	for (i = 0, nrest = 0; i < nc; i++)
		if (!chosen[i])
			rest[nrest++] = i;
	rng_shuffle(r, rest, nrest);
	for (i = 0; k < n && i < nrest; i++, k++)
		chosen[rest[i]] = 1;
	for (i = 0, k = 0; i < nc; i++)
		if (chosen[i])
			out[k++] = cand[i];
	return k;
}

static double
clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

int
schedule(struct planner *pl, struct deal *d, struct act *acts, int max)
{
	const struct dg_config *c = pl->cfg;
	struct rng r;
	time_t end = pl->now, start, seg;
	int npast, nup, nemail, types[64], nt, i, n = 0, nmeet, j;
	double f;
	unsigned have = 0;

	rng_init(&r, (uint64_t)c->seed, d->id, "schedule", 0);
	if (d->closed && d->close && d->close + 86400 < end)
		end = d->close + 86400;
	start = end - c->plan.past_days * 86400L;

	/* Later deals have more history; a little jitter keeps deals apart. */
	f = clamp01(d->phase / 5.0 * (0.8 + 0.4 * rng_double(&r)));
	npast = (int)lround((double)c->plan.past_meetings.min +
	    (double)(c->plan.past_meetings.max - c->plan.past_meetings.min) * f);
	f = clamp01(d->phase / 5.0 * (0.8 + 0.4 * rng_double(&r)));
	nemail = (int)lround((double)c->plan.emails.min +
	    (double)(c->plan.emails.max - c->plan.emails.min) * f);
	nup = d->closed ? 0 : (int)rng_range(&r, c->plan.upcoming_meetings.min,
	    c->plan.upcoming_meetings.max);
	if (npast > 48)
		npast = 48;

	/* Past meetings, one per equal share of the window, in cycle order. */
	nt = past_types(&r, d->phase < 1 ? 1 : d->phase, d->won, npast, types);
	seg = nt ? (end - start) / nt : 0;
	for (i = 0; i < nt && n < max; i++) {
		struct act *a = &acts[n];
		const struct atype *t = &meeting_types[types[i]];

		memset(a, 0, sizeof *a);
		a->meeting = a->past = 1;
		a->type = types[i];
		a->minutes = meeting_minutes(pl, &r, t->minutes);
		a->start = meeting_slot(pl, d, &r, start + i * seg, start + (i + 1) * seg,
		    a->minutes, acts, n);
		if (a->start == 0)
			a->start = meeting_slot(pl, d, &r, start, end, a->minutes, acts, n);
		if (a->start == 0)
			continue;
		a->topics = t->topics;
		a->reply_to = -1;
		set_people(d, &r, a, t->lead);
		n++;
	}
	qsort(acts, (size_t)n, sizeof *acts, cmp_start);

	/* Upcoming meetings: the next steps of the cycle. */
	{
		int next[N_MEETING_TYPES], nn = 0, used;

		for (i = 0; i < M_FILLER; i++) {
			if (meeting_types[i].phase < d->phase || meeting_types[i].phase > d->phase + 1 ||
			    meeting_types[i].phase == 6)
				continue;
			for (used = 0, j = 0; j < n; j++)
				used |= acts[j].type == i;
			if (!used)
				next[nn++] = i;
		}
		seg = nup ? (c->plan.future_days * 86400L) / nup : 0;
		for (i = 0; i < nup && n < max; i++) {
			struct act *a = &acts[n];
			const struct atype *t = &meeting_types[i < nn ? next[i] : M_FILLER];

			memset(a, 0, sizeof *a);
			a->meeting = 1;
			a->type = i < nn ? next[i] : M_FILLER;
			a->minutes = meeting_minutes(pl, &r, t->minutes);
			a->start = meeting_slot(pl, d, &r, pl->now + i * seg, pl->now + (i + 1) * seg,
			    a->minutes, acts, n);
			if (a->start == 0)
				continue;
			a->topics = t->topics;
			a->reply_to = -1;
			set_people(d, &r, a, t->lead);
			n++;
		}
	}
	nmeet = n;

	/* Emails anchored to meetings: a recap after, an agenda before. */
	for (i = 0; i < nmeet && n - nmeet < nemail && n < max; i++) {
		struct act *m = &acts[i], *a = &acts[n];
		int recap = m->past && rng_chance(&r, 0.55);
		int agenda = !recap && i > 0 && rng_chance(&r, 0.4);
		time_t from, to;

		if (!recap && !agenda)
			continue;
		from = recap ? m->start + m->minutes * 60 : m->start - 3 * 86400L;
		to = recap ? m->start + 2 * 86400L : m->start - 3600;
		if (to > end)
			to = end;
		if (from < start)
			from = start;
		memset(a, 0, sizeof *a);
		a->type = recap ? E_RECAP : E_AGENDA;
		a->start = email_slot(pl, d, &r, from, to);
		if (a->start == 0)
			continue;
		a->past = 1;
		a->topics = m->topics;
		a->reply_to = -1;
		a->who = m->who;
		a->attendees[0] = m->who;
		a->nattendees = m->who >= 0;
		a->slot = i; /* the meeting it belongs to, for the wording */
		n++;
	}
	/* The rest follow the cycle up to the deal's stage. */
	{
		int cand[N_EMAIL_TYPES], nc = 0, want = nemail - (n - nmeet), pick[256], k;
		time_t when[256];

		for (i = E_FIRST_FREE; i < N_EMAIL_TYPES; i++)
			if (email_types[i].phase <= (d->phase < 1 ? 1 : d->phase) &&
			    (email_types[i].phase < 6 || d->won))
				cand[nc++] = i;
		if (want > 256)
			want = 256;
		/* Deal the types like cards: each once before any comes again. */
		for (k = 0; k < want; k++) {
			if (k % nc == 0)
				rng_shuffle(&r, cand, nc);
			pick[k] = cand[k % nc];
			when[k] = email_slot(pl, d, &r, start, end);
		}
		/* Earlier steps of the cycle get the earlier dates. */
		for (i = 1; i < want; i++)
			for (j = i; j > 0 && email_types[pick[j - 1]].phase > email_types[pick[j]].phase; j--) {
				int t = pick[j];

				pick[j] = pick[j - 1];
				pick[j - 1] = t;
			}
		for (i = 1; i < want; i++)
			for (j = i; j > 0 && when[j - 1] > when[j]; j--) {
				time_t t = when[j];

				when[j] = when[j - 1];
				when[j - 1] = t;
			}
		for (k = 0; k < want && n < max; k++) {
			struct act *a = &acts[n];

			if (when[k] == 0)
				continue;
			memset(a, 0, sizeof *a);
			a->type = pick[k];
			a->start = when[k];
			a->past = 1;
			a->topics = email_types[pick[k]].topics;
			a->reply_to = -1;
			set_people(d, &r, a, email_types[pick[k]].lead);
			n++;
		}
	}
	qsort(acts + nmeet, (size_t)(n - nmeet), sizeof *acts, cmp_start);
	/* Recaps and agendas remembered their meeting by index; meetings did not move. */

	/* Threads: some emails answer the one before, some of them from the buyer. */
	for (i = nmeet + 1; i < n; i++) {
		struct act *a = &acts[i], *prev = &acts[i - 1];

		if (a->type < E_FIRST_FREE || a->start - prev->start > 7 * 86400L ||
		    prev->inbound || prev->who < 0 || !rng_chance(&r, 0.35))
			continue;
		a->reply_to = i - 1;
		a->who = prev->who;
		a->attendees[0] = prev->who;
		a->nattendees = 1;
		a->inbound = rng_chance(&r, 0.6);
		a->topics |= prev->topics & (B(T_TIMELINE) | B(T_CHAMPION));
	}

	/* Every fact of the story comes up somewhere in the history, where there is one. */
	for (i = 0; i < n; i++)
		if (acts[i].past)
			have |= acts[i].topics;
	for (j = 0; j < T_COUNT; j++) {
		int bestk = -1, bestc = 99;

		if (have & B(j))
			continue;
		for (i = 0; i < n; i++) {
			int cnt = __builtin_popcount(acts[i].topics);

			if (acts[i].past && cnt < bestc) {
				bestc = cnt;
				bestk = i;
			}
		}
		if (bestk >= 0)
			acts[bestk].topics |= B(j);
	}

	/* Keys: what an item is (deal, kind, slot, seed), not what it says. */
	for (i = 0, j = 0; i < nmeet; i++) {
		/* Past meetings come first, so an upcoming one's slot counts from j. */
		snprintf(acts[i].key, sizeof acts[i].key, "%s-%c%02d-%08x", d->id,
		    acts[i].past ? 'M' : 'U', acts[i].past ? i : i - j, pl->seedtag);
		j += acts[i].past;
	}
	for (i = nmeet; i < n; i++)
		snprintf(acts[i].key, sizeof acts[i].key, "%s-E%02d-%08x", d->id, i - nmeet,
		    pl->seedtag);

	/* Last, once what the deal has is settled: its times fitted to the rep's calendar. */
	cal_fit(pl, d, acts, n, nmeet, start, end);
	return n;
}
