/* paths.c: what happens in a sale, and in what order.
 *
 * Each kind of deal has a path: new business opens with a first touch and an intro
 * call, goes through discovery, a demo and its follow-up, an evaluation, a business
 * case and a proposal, then legal and procurement, and, once won, a welcome and an
 * implementation kickoff after the close date. Expansion starts from an account
 * review of an existing customer; a renewal from the renewal notice and a usage
 * review (no cold intro, no first conversation). A step belongs to a stage phase and
 * comes with a chance that grows with the deal's size (a pilot, a security review and
 * redlines are for the big ones); a step that needs an earlier one (a demo follow-up
 * needs the demo) goes when that one is not there. Lost deals end the way they were
 * lost; deals whose close date has passed show the slip. Around the steps: recaps
 * after meetings, agendas before them, customers who write back and reps who answer,
 * a few reschedules. The deal's script is then trimmed or filled to the counts its
 * size and stage give it, within the configured minimum and maximum.
 *
 * Every choice comes from a generator for (deal, purpose, step), so a deal's script is
 * its own: no other deal, and no time, changes it. */
#include "plan.h"
#include "util.h"

#include <math.h>
#include <string.h>
#include <strings.h>

/* The script being built: acts in order, with what trimming needs to know. */
struct script {
	struct planner *pl;
	struct deal *d;
	struct act *a;
	int n, max;
	double prio[MAX_ACTS]; /* emails: the lower, the sooner trimmed */
	int need[MAX_ACTS];    /* the meeting type it needs before it, or -1 */
	int tail;              /* where a lost or slipped deal's ending begins (else n) */
};

static int
person_for(const struct deal *d, enum persona p)
{
	return p == P_EB ? d->eb : p == P_TECH ? d->tech : d->champion;
}

static int
has(const struct act *a, int who)
{
	int i;

	for (i = 0; i < a->nattendees; i++)
		if (a->attendees[i] == who)
			return 1;
	return 0;
}

static void
with(struct act *a, int who)
{
	if (who >= 0 && !has(a, who) && a->nattendees < MAX_WITH)
		a->attendees[a->nattendees++] = who;
}

/* Inserts a new act of type at position at (later acts move up; their indexes in
 * reply_to and about are kept right). Returns it, or NULL when the plan is full. */
static struct act *
insert(struct script *s, int at, int type, double prio, int need)
{
	struct act *a;
	int i;

	if (s->n >= s->max)
		return NULL;
	memmove(s->a + at + 1, s->a + at, sizeof *s->a * (size_t)(s->n - at));
	memmove(s->prio + at + 1, s->prio + at, sizeof *s->prio * (size_t)(s->n - at));
	memmove(s->need + at + 1, s->need + at, sizeof *s->need * (size_t)(s->n - at));
	s->n++;
	if (at < s->tail)
		s->tail++;
	for (i = 0; i < s->n; i++) {
		if (i == at)
			continue;
		if (s->a[i].reply_to >= at)
			s->a[i].reply_to++;
		if (s->a[i].about >= at)
			s->a[i].about++;
	}
	a = &s->a[at];
	memset(a, 0, sizeof *a);
	a->type = type;
	a->meeting = act_types[type].meeting;
	a->inbound = (act_types[type].flags & A_INBOUND) != 0;
	a->past = 1;
	a->reply_to = a->about = -1;
	a->who = -1;
	a->topics = act_types[type].topics;
	a->minutes = act_types[type].minutes;
	s->prio[at] = prio;
	s->need[at] = need;
	return a;
}

static struct act *
append(struct script *s, int type, double prio)
{
	return insert(s, s->n, type, prio, -1);
}

/* 1 when some act answers act i already. */
static int
answered(const struct script *s, int i)
{
	int j;

	for (j = i + 1; j < s->n; j++)
		if (s->a[j].reply_to == i && !s->a[j].drop)
			return 1;
	return 0;
}

/* A random place for a filler among the deal's past steps, after its first meeting
 * and before any ending: before a main step, or after the last one; -1 for none. */
static int
filler_at(const struct script *s, struct rng *r, int from)
{
	int cand[MAX_ACTS + 1], n = 0, i;

	for (i = from; i < s->tail; i++)
		if (s->a[i].past && !s->a[i].drop && s->a[i].seg == SEG_MAIN)
			cand[n++] = i;
	if (n == 0)
		return -1;
	cand[n] = cand[n - 1] + 1;
	while (cand[n] < s->tail && s->a[cand[n]].seg == SEG_ANCHORED)
		cand[n]++;
	return cand[rng_range(r, 0, n)];
}

/* Chance for a deal of the planner's size: p0 for the smallest, p1 for the largest. */
static double
chance(const struct deal *d, double p0, double p1)
{
	return p0 + (p1 - p0) * d->size;
}

static void
internal(struct act *a, const char *user)
{
	int i;

	for (i = 0; user && i < a->ninternal; i++)
		if (a->internal[i] == user)
			return;
	if (user && a->ninternal < 3)
		a->internal[a->ninternal++] = user;
}

/* The seller's side of a meeting: the sales engineer on technical meetings and demos,
 * the manager or an executive where the buyer's executives are. */
static void
sellers(struct script *s, struct act *a, struct rng *r)
{
	static const char *const tech[] = { "technical_discovery", "demo", "solution_workshop", "security_review",
		"pilot_kickoff", "pilot_readout", "expansion_discovery", NULL };
	static const char *const exec[] = { "executive_sponsor", "business_case", "negotiation", "qbr", "renewal_terms",
		"loss_debrief", NULL };
	const struct deal *d = s->d;
	int i;

	for (i = 0; tech[i]; i++)
		if (!strcmp(act_types[a->type].id, tech[i]) && rng_chance(r, 0.85))
			internal(a, d->se);
	for (i = 0; exec[i]; i++)
		if (!strcmp(act_types[a->type].id, exec[i])) {
			if (rng_chance(r, 0.6))
				internal(a, d->mgr ? d->mgr : d->exec);
			if (d->size > 0.5 && rng_chance(r, 0.4))
				internal(a, d->exec);
		}
}

/* The people of a main step: its lead; for a meeting the champion too and, more often
 * on larger deals, others, and the seller's people it needs; for an outbound email now
 * and then someone in copy. */
static void
people(struct script *s, struct act *a, struct rng *r)
{
	struct deal *d = s->d;
	int lead = person_for(d, act_types[a->type].lead), k, extra;

	if (act_types[a->type].flags & A_INTERNAL) {
		a->who = -1;
		return;
	}
	if (a->meeting)
		sellers(s, a, r);

	a->who = lead;
	a->nattendees = a->ncc = 0;
	if (lead < 0)
		return;
	with(a, lead);
	if (a->meeting) {
		with(a, d->champion);
		extra = rng_chance(r, 0.25 + 0.5 * d->size) ? (int)rng_range(r, 1, 1 + lround(2 * d->size)) : 0;
		for (k = 0; k < extra && d->npeople > a->nattendees; k++)
			with(a, (int)rng_range(r, 0, d->npeople - 1));
		return;
	}
	if (!a->inbound && d->npeople > 1 && rng_chance(r, 0.12 + 0.35 * d->size)) {
		int cc = person_for(d, a->who == d->champion ? P_EB : P_CHAMPION);

		if (cc < 0 || cc == a->who)
			cc = (int)rng_range(r, 0, d->npeople - 1);
		if (!has(a, cc)) {
			with(a, cc);
			a->ncc = 1;
		}
	}
}

/* A reply to email p (an answer from the rep when p came in, the customer's reply
 * when it went out), placed right after p's thread. */
static struct act *
reply(struct script *s, int p, double prio)
{
	int at = p + 1, i;
	struct act *a;

	while (at < s->n && s->a[at].reply_to >= p && s->a[at].reply_to < at)
		at++;
	if ((a = insert(s, at, act_type_find("reply"), prio, -1)) == NULL)
		return NULL;
	if (p >= at)
		p++;
	a->reply_to = p;
	a->inbound = !s->a[p].inbound;
	a->who = s->a[p].who;
	a->seg = SEG_ANCHORED;
	a->topics = s->a[p].topics & (TOPIC_BIT(T_TIMELINE) | TOPIC_BIT(T_CHAMPION) | TOPIC_BIT(T_DECISION_CRITERIA));
	for (i = 0; i < s->a[p].nattendees; i++)
		a->attendees[i] = s->a[p].attendees[i];
	a->nattendees = s->a[p].nattendees;
	a->ncc = s->a[p].ncc;
	return a;
}

/* Index of the first past meeting, or n. */
static int
first_meeting(const struct script *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->a[i].meeting && s->a[i].past && !s->a[i].drop)
			return i;
	return s->n;
}

static int
count(const struct script *s, int meeting, int past)
{
	int i, n = 0;

	for (i = 0; i < s->n; i++)
		n += !s->a[i].drop && s->a[i].meeting == meeting && s->a[i].past == past;
	return n;
}

/* Drops act i and everything that hangs off it (its replies, recaps, agendas). */
static void
drop(struct script *s, int i)
{
	int j;

	s->a[i].drop = 1;
	for (j = i + 1; j < s->n; j++)
		if (!s->a[j].drop && (s->a[j].reply_to == i || s->a[j].about == i))
			drop(s, j);
}

/* The steps of the deal's path up to its stage, each by its chance. */
static void
steps(struct script *s)
{
	struct deal *d = s->d;
	const struct step *p = path_steps(d->path);
	int reach = d->won ? 6 : d->closed ? d->phase : d->phase < 5 ? d->phase + 1 : 5;
	int i, group_in[8] = { 0 }, group_rolled[8] = { 0 };
	struct rng r;

	for (i = 0; p[i].type; i++) {
		struct act *a;
		double c = chance(d, p[i].p0, p[i].p1);

		if (p[i].phase > reach)
			break;
		if (act_types[act_type_find(p[i].type)].flags & A_AFTER_CLOSE && !d->after_ok)
			continue;
		rng_init(&r, (uint64_t)s->pl->cfg->seed, d->id, "step", i);
		if (p[i].group) {
			if (!group_rolled[p[i].group]) {
				group_rolled[p[i].group] = 1;
				group_in[p[i].group] = rng_chance(&r, c);
			}
			if (!group_in[p[i].group])
				continue;
		} else if (c < 1 && !rng_chance(&r, c)) {
			continue;
		}
		a = insert(s, s->n, act_type_find(p[i].type), c >= 1 ? 100 : 60 + 30 * c, -1);
		if (a == NULL)
			return;
		s->tail = s->n;
		s->need[s->n - 1] = p[i].needs ? act_type_find(p[i].needs) : -1;
		a->seq = p[i].phase; /* the phase, until split() reads it */
		if (act_types[a->type].flags & A_AFTER_CLOSE)
			a->seg = SEG_AFTER;
		people(s, a, &r);
	}
}

/* Open deals: what of the current phase has happened (a prefix of its steps); the
 * rest of it and the next phase's meetings are to come; their emails are not written
 * yet. Closed deals: all of it happened. */
static void
split(struct script *s, struct rng *r)
{
	struct deal *d = s->d;
	int i, ncur = 0, k, seen = 0;

	for (i = 0; i < s->n; i++) {
		s->a[i].past = 1;
		ncur += s->a[i].seq == d->phase;
	}
	if (d->closed)
		return;
	k = ncur ? (int)rng_range(r, 1, ncur) : 0;
	for (i = 0; i < s->n; i++) {
		struct act *a = &s->a[i];

		if (a->seq < d->phase)
			continue;
		if (a->seq == d->phase && seen++ < k)
			continue;
		a->past = 0;
		if (!a->meeting)
			a->drop = 1;
		else
			a->seg = SEG_UPCOMING;
	}
}

/* The share of its full volume a deal has: its size and how far it got, with jitter. */
static double
volume(const struct deal *d, struct rng *r)
{
	double progress = d->won ? 1 : d->phase / 5.0, v;

	v = (0.5 * d->size + 0.5 * progress) * (0.8 + 0.4 * rng_double(r));
	return v < 0 ? 0 : v > 1 ? 1 : v;
}

static int
target(const struct range *rg, double v)
{
	return (int)lround((double)rg->min + (double)(rg->max - rg->min) * v);
}

/* Past meetings: weekly syncs in the middle of a long deal, fewer optional steps on a
 * short one, to the count its volume gives (within plan.meetings.past). */
static void
fit_meetings(struct script *s, int want, struct rng *r)
{
	int have = count(s, 1, 1), i, lo, best;
	int sync = act_type_find("status_sync");

	while (have > want) {
		best = -1;
		for (i = first_meeting(s) + 1; i < s->n; i++)
			if (!s->a[i].drop && s->a[i].meeting && s->a[i].past && s->prio[i] < 100 &&
			    (best < 0 || s->prio[i] < s->prio[best]))
				best = i;
		if (best < 0) /* only required steps: the latest ones go */
			for (i = s->n - 1; i >= first_meeting(s); i--)
				if (!s->a[i].drop && s->a[i].meeting && s->a[i].past) {
					best = i;
					break;
				}
		if (best < 0)
			break;
		drop(s, best);
		have--;
	}
	lo = first_meeting(s) + 1;
	/* Syncs only once the deal is under way (after its first meeting, past phase 0). */
	while (have < want && lo < s->n && s->d->phase >= 1) {
		int at = filler_at(s, r, lo);
		struct act *a;

		if (at < 0 || (a = insert(s, at, sync, 40, -1)) == NULL)
			break;
		people(s, a, r);
		have++;
	}
}

/* Steps whose prerequisite meeting is gone (trimmed, or not in this deal) go too. */
static void
needs(struct script *s)
{
	int i, j, ok;

	for (i = 0; i < s->n; i++) {
		if (s->a[i].drop || s->need[i] < 0)
			continue;
		for (ok = 0, j = 0; j < i && !ok; j++)
			ok = !s->a[j].drop && s->a[j].type == s->need[i] && s->a[j].past >= s->a[i].past;
		if (!ok)
			drop(s, i);
	}
}

/* How a lost deal ended, after the last step it reached. */
static void
ending(struct script *s, struct rng *r)
{
	struct deal *d = s->d;
	static const char *const notice[] = { NULL, NULL, "lost_competitor", "no_decision", "budget_pulled", "timing" };
	struct act *a;
	int k, n;

	if (d->loss == LOSS_QUIET) {
		n = (int)rng_range(r, 1, 2);
		for (k = 0; k < n; k++)
			if ((a = append(s, act_type_find("nudge"), 100)) != NULL)
				people(s, a, r);
		if ((a = append(s, act_type_find("breakup"), 100)) != NULL)
			people(s, a, r);
		return;
	}
	if ((a = append(s, act_type_find(notice[d->loss]), 100)) == NULL)
		return;
	people(s, a, r);
	reply(s, s->n - 1, 100);
	if (d->loss == LOSS_COMPETITOR && rng_chance(r, 0.35) && count(s, 1, 1) < s->pl->cfg->plan.past_meetings.max &&
	    (a = append(s, act_type_find("loss_debrief"), 90)) != NULL)
		people(s, a, r);
}

/* A deal past its close date and still open: the rep asks, the customer gives a new
 * date, and the first meeting to come is about the new timeline. */
static void
slip(struct script *s, struct rng *r)
{
	struct act *a;
	int i;

	if ((a = append(s, act_type_find("nudge"), 100)) == NULL)
		return;
	a->seg = SEG_AFTER;
	people(s, a, r);
	if ((a = reply(s, s->n - 1, 100)) != NULL) {
		a->type = act_type_find("slip_update");
		a->topics = act_types[a->type].topics;
		if (rng_chance(r, 0.85))
			reply(s, s->n - 1, 90);
	}
	/* The first meeting to come is about the new timeline (one fewer of the others). */
	for (i = 0; i < s->n; i++)
		if (!s->a[i].past && s->a[i].meeting && !s->a[i].drop)
			break;
	if (i < s->n && (a = insert(s, i, act_type_find("timeline_review"), 100, -1)) != NULL) {
		a->past = 0;
		a->seg = SEG_UPCOMING;
		people(s, a, r);
		for (i = s->n - 1; i >= 0; i--)
			if (!s->a[i].past && s->a[i].meeting && !s->a[i].drop) {
				drop(s, i);
				break;
			}
	}
}

/* Upcoming meetings: the next steps, to the count plan.meetings.upcoming and the
 * deal's size give; weekly syncs after them when the path has no more. */
static void
fit_upcoming(struct script *s, struct rng *r)
{
	const struct range *rg = &s->pl->cfg->plan.upcoming_meetings;
	int want = s->d->closed ? 0 : target(rg, 0.3 * rng_double(r) + 0.7 * s->d->size);
	int have = 0, i;
	struct act *a;

	if (!s->d->closed && want < rg->min)
		want = (int)rg->min;
	for (i = 0; i < s->n; i++)
		if (!s->a[i].past && !s->a[i].drop && ++have > want)
			drop(s, i);
	while (have < want) {
		if ((a = append(s, act_type_find("status_sync"), 40)) == NULL)
			return;
		a->past = 0;
		a->seg = SEG_UPCOMING;
		people(s, a, r);
		have++;
	}
}

/* Inserts at position at an email of type about meeting m (its index once the email
 * is in), with the meeting's contact. NULL when the plan is full. */
static struct act *
about_meeting(struct script *s, int at, int type, double prio, int m)
{
	struct act *a = insert(s, at, type, prio, -1);

	if (a == NULL)
		return NULL;
	a->about = m;
	a->seg = SEG_ANCHORED;
	a->who = s->a[m].who;
	with(a, a->who);
	return a;
}

/* Around the main steps: recaps, agendas, the customer's replies and the rep's
 * answers, questions, reschedules, a confirmation of the next meeting. */
static void
conversation(struct script *s, struct rng *r)
{
	int recap = act_type_find("recap"), agenda = act_type_find("agenda");
	int resched = act_type_find("reschedule"), sched = act_type_find("scheduling");
	int i, first = first_meeting(s);
	struct act *a;

	for (i = 0; i < s->n; i++) {
		struct act *m = &s->a[i];
		int mi = i;

		if (m->drop || !m->past || m->seg == SEG_ANCHORED)
			continue;
		if (m->meeting) {
			if (i > first && rng_chance(r, 0.07)) {
				if (about_meeting(s, mi, resched, 45, mi + 1) == NULL)
					return;
				mi++;
				i++;
				if (rng_chance(r, 0.8))
					reply(s, mi - 1, 44), i++, mi++;
			}
			if (i > first && rng_chance(r, 0.3)) {
				if (about_meeting(s, mi, agenda, 20, mi + 1) == NULL)
					return;
				mi++;
				i++;
			}
			if (rng_chance(r, 0.55)) {
				int last = s->a[mi].nattendees - 1;

				if ((a = about_meeting(s, mi + 1, recap, 35, mi)) == NULL)
					return;
				if (s->d->npeople > 1 && rng_chance(r, 0.3) && last > 0) {
					with(a, s->a[mi].attendees[last]);
					a->ncc = a->nattendees - 1;
				}
				i++;
				if (rng_chance(r, 0.5)) {
					reply(s, i, 30);
					i++;
					if (rng_chance(r, 0.8))
						reply(s, i, 29), i++;
				}
			}
			continue;
		}
		/* An email of the path: the customer writes back to some; the rep answers
		 * most of what the customer writes. */
		/* Already answered (a loss, a slip), or a message nobody answers: a deal
		 * that went quiet stays quiet. */
		if (answered(s, i) || !strcmp(act_types[m->type].id, "nudge") ||
		    !strcmp(act_types[m->type].id, "breakup"))
			continue;
		if (m->inbound) {
			if (m->reply_to < 0 && rng_chance(r, 0.9))
				reply(s, i, s->prio[i] - 1), i++;
		} else if (m->reply_to < 0 && act_types[m->type].flags & A_FIRST) {
			if (i + 1 < s->n && s->a[i + 1].meeting && rng_chance(r, 0.7)) {
				/* "Happy to talk": the rep answers with a time. */
				reply(s, i, s->prio[i] - 1);
				i++;
				if (rng_chance(r, 0.85))
					reply(s, i, s->prio[i] - 2), i++;
			}
		} else if (m->reply_to < 0 && rng_chance(r, 0.8)) {
			int c = i;

			reply(s, c, s->prio[c] - 1);
			i++;
			if (rng_chance(r, 0.85))
				reply(s, c + 1, s->prio[c] - 2), i++;
		}
	}
	/* A few internal prep calls before the big meetings: the rep with the sales
	 * engineer before a demo, with the manager before pricing or an executive. Their
	 * own generator: the rest of the script (and its keys) does not depend on
	 * whether the org has these people. */
	{
		int prep = act_type_find("internal_prep"), made = 0;
		struct rng pr;

		rng_init(&pr, (uint64_t)s->pl->cfg->seed, s->d->id, "prep", 0);
		for (i = 0; i < s->n && made < 2; i++) {
			const char *t = act_types[s->a[i].type].id, *who = NULL;

			if (s->a[i].drop || !s->a[i].past || !s->a[i].meeting)
				continue;
			if (!strcmp(t, "demo"))
				who = s->d->se;
			else if (!strcmp(t, "pricing") || !strcmp(t, "negotiation") || !strcmp(t, "executive_sponsor"))
				who = s->d->mgr ? s->d->mgr : s->d->exec;
			if (who == NULL || !rng_chance(&pr, 0.15 + 0.4 * s->d->size))
				continue;
			if ((a = insert(s, i, prep, 50, -1)) == NULL)
				break;
			a->about = i + 1;
			a->seg = SEG_ANCHORED;
			a->who = -1;
			a->topics = s->a[i + 1].topics;
			internal(a, who);
			i++;
			made++;
		}
	}
	/* The next meeting, confirmed by email a few days before today. */
	for (i = 0; i < s->n; i++)
		if (!s->a[i].past && !s->a[i].drop && s->a[i].meeting)
			break;
	if (i < s->n && rng_chance(r, 0.5))
		about_meeting(s, s->n, sched, 25, i);
}

static int
count_emails(const struct script *s)
{
	return count(s, 0, 1);
}

/* Emails to the count the deal's volume gives (within plan.emails): the least needed
 * go first (agendas, then recaps, then optional steps), whole threads at a time; a
 * deal with too few gets check-ins, resources and customers' questions. */
static void
fit_emails(struct script *s, int want, struct rng *r)
{
	static const char *const fill[] = { "check_in", "resources", "case_study", "question", "question" };
	int have = count_emails(s), i, best, lo = first_meeting(s) + 1, tries = 0;
	struct act *a;

	while (have < want && tries++ < 200 && s->d->phase >= 1 && lo < s->n) {
		int type = act_type_find(fill[rng_range(r, 0, 4)]), at = filler_at(s, r, lo);

		if (at < 0 || (a = insert(s, at, type, 30, -1)) == NULL)
			break;
		people(s, a, r);
		have++;
		if (have < want && (a->inbound || rng_chance(r, 0.6))) {
			reply(s, at, 29);
			have++;
		}
	}
	while (have > want) {
		best = -1;
		for (i = 0; i < s->n; i++)
			if (!s->a[i].drop && !s->a[i].meeting && s->a[i].past && s->prio[i] < 100 &&
			    (best < 0 || s->prio[i] < s->prio[best]))
				best = i;
		if (best < 0) /* only required ones: the latest go (plan.emails.max holds) */
			for (i = s->n - 1; i >= 0 && best < 0; i--)
				if (!s->a[i].drop && !s->a[i].meeting && s->a[i].past)
					best = i;
		if (best < 0)
			break;
		/* The rep's answer goes with what it answers: no customer left unanswered. */
		if (s->a[best].reply_to >= 0 && !s->a[best].inbound && s->a[s->a[best].reply_to].inbound &&
		    s->prio[s->a[best].reply_to] < 100)
			best = s->a[best].reply_to;
		drop(s, best);
		have = count_emails(s);
	}
}

/* In the later stages most of the buyer's people take part somewhere: in a broad
 * meeting (a demo, a workshop, a business case) or in copy of an email. */
static void
coverage(struct script *s, struct rng *r)
{
	struct deal *d = s->d;
	double want = d->phase >= 3 ? 0.95 : d->phase == 2 ? 0.6 : 0;
	int p, i, seen;

	for (p = 0; p < d->npeople; p++) {
		int best = -1;

		for (i = 0, seen = 0; i < s->n && !seen; i++)
			seen = !s->a[i].drop && has(&s->a[i], p);
		if (seen || !rng_chance(r, want))
			continue;
		for (i = 0; i < s->n; i++) {
			struct act *a = &s->a[i];

			if (a->drop || !a->past || a->nattendees >= MAX_WITH || act_types[a->type].flags & A_INTERNAL ||
			    (!a->meeting && (a->inbound || a->seg == SEG_ANCHORED)))
				continue;
			if (best < 0 || (a->meeting && !s->a[best].meeting) ||
			    (a->meeting == s->a[best].meeting && a->nattendees < s->a[best].nattendees))
				best = i;
		}
		if (best < 0)
			continue;
		with(&s->a[best], p);
		if (!s->a[best].meeting)
			s->a[best].ncc++;
	}
}

/* Now and then the customer is away: an automatic reply minutes after one of the rep's
 * emails that the customer answers later (schedule.c places it). Its own generator and
 * the end of the script, so nothing else of the plan changes. */
static void
auto_replies(struct script *s, const struct deal *d)
{
	int ooo = act_type_find("out_of_office"), n = s->n, i, j;
	struct rng r;

	rng_init(&r, (uint64_t)s->pl->cfg->seed, d->id, "away", 0);
	for (i = 0; i < n; i++) {
		struct act *p = &s->a[i], *a;

		if (p->drop || p->meeting || p->inbound || !p->past || p->who < 0 || !rng_chance(&r, 0.06))
			continue;
		for (j = 0; j < n; j++)
			if (!s->a[j].drop && s->a[j].reply_to == i && s->a[j].inbound)
				break;
		if (j == n || (a = append(s, ooo, 1)) == NULL)
			continue;
		a->reply_to = i;
		a->who = s->a[i].who;
		a->seg = SEG_ANCHORED;
		a->attendees[0] = a->who;
		a->nattendees = 1;
	}
}

/* Leaves out dropped acts, keeping reply_to and about right; gives each its key. */
static int
compact(struct script *s)
{
	int map[MAX_ACTS], i, k = 0, m = 0, e = 0, in = 0;

	for (i = 0; i < s->n; i++)
		map[i] = s->a[i].drop ? -1 : k++;
	for (i = 0, k = 0; i < s->n; i++) {
		struct act a = s->a[i];

		if (map[i] < 0)
			continue;
		a.reply_to = a.reply_to >= 0 ? map[a.reply_to] : -1;
		a.about = a.about >= 0 ? map[a.about] : -1;
		a.seq = k;
		/* Keys: what an item is (deal, kind, place in the sale, seed), not its text nor
		 * its time: a meeting keeps its key when a later day's plan has it in the past
		 * (dg refresh updates it in place). Internal calls count apart: whether the org
		 * has a sales engineer does not change the keys of the customer's meetings. */
		if (a.meeting && act_types[a.type].flags & A_INTERNAL)
			snprintf(a.key, sizeof a.key, "%s-I%02d-%08x", s->d->id, in++, s->pl->seedtag);
		else if (a.meeting)
			snprintf(a.key, sizeof a.key, "%s-M%02d-%08x", s->d->id, m++, s->pl->seedtag);
		else
			snprintf(a.key, sizeof a.key, "%s-E%02d-%08x", s->d->id, e++, s->pl->seedtag);
		s->a[k++] = a;
	}
	for (i = 0; i < k; i++)
		if ((s->a[i].reply_to >= 0 && s->a[i].reply_to >= i) || (s->a[i].about >= 0 && s->a[i].about == i))
			diex(EXIT_FAIL, "bug: script of %s out of order", s->d->id);
	return k;
}

int
paths_script(struct planner *pl, struct deal *d, struct act *acts, int max)
{
	const struct dg_config *c = pl->cfg;
	struct script s = { pl, d, acts, 0, max, { 0 }, { 0 }, 0 };
	struct rng r;
	double v;

	rng_init(&r, (uint64_t)c->seed, d->id, "script", 0);
	v = volume(d, &r);
	steps(&s);
	split(&s, &r);
	fit_upcoming(&s, &r);
	fit_meetings(&s, target(&c->plan.past_meetings, v), &r);
	needs(&s);
	s.tail = s.n;
	if (d->closed && !d->won)
		ending(&s, &r);
	if (d->slipped)
		slip(&s, &r);
	conversation(&s, &r);
	fit_emails(&s, target(&c->plan.emails, v), &r);
	needs(&s);
	coverage(&s, &r);
	auto_replies(&s, d);
	return compact(&s);
}
