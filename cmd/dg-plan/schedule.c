/* schedule.c: when the deal's script (paths.c) happens.
 *
 * The window: a sale lasts longer the larger the deal (up to plan.window.past_days)
 * and an open deal is as far into it as its stage; a closed deal's history ends at its
 * close date, and a won one's welcome and kickoff follow it; a deal past its close
 * date without closing shows a gap and then the slip. The steps spread over the window
 * in their order with uneven gaps; meetings fall in business hours, emails around
 * them, all on working days (no weekends, no holidays of the owner's country), and each
 * meeting goes into the rep's calendar (calendar.c) between the steps before and after
 * it. Then what hangs off the steps: a recap after its meeting, an agenda days before,
 * replies and answers within two working days, a reschedule request before the
 * meeting's first time. Items that would land in the future although they belong to
 * the past are left out. Every time comes from a generator for (deal, "when", place in
 * the script), so one item's time never depends on another's draws. */
#include "plan.h"
#include "tz.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct window {
	time_t start, main_end;    /* the main steps, in the past */
	time_t after_lo, after_hi; /* after a won close, or after a slip */
	time_t up_lo, up_hi;       /* upcoming meetings: the targets */
	time_t cal_hi;             /* how far an upcoming meeting may move */
};

/* Sets d->after_ok and the deal's window. */
static void
window(struct planner *pl, struct deal *d, struct window *w)
{
	const struct dg_config *c = pl->cfg;
	time_t end = pl->now, span, max = c->plan.past_days * DAY_SECONDS;
	double cycle, progress;
	struct rng r;

	rng_init(&r, (uint64_t)c->seed, d->id, "window", 0);
	if (d->closed && d->close && d->close + DAY_SECONDS < end)
		end = d->close + DAY_SECONDS;
	cycle = (double)max * (0.25 + 0.75 * d->size) * (0.85 + 0.25 * rng_double(&r));
	progress = d->closed ? 1 : 0.25 + 0.75 * d->phase / 5.0;
	span = (time_t)(cycle * progress);
	if (span < 21 * DAY_SECONDS)
		span = 21 * DAY_SECONDS;
	if (span > max)
		span = max;
	memset(w, 0, sizeof *w);
	w->start = end - span;
	w->main_end = d->closed ? end : end - 3600;
	d->after_ok = d->won && d->close && d->close + 5 * DAY_SECONDS < pl->now;
	if (d->after_ok) {
		w->after_lo = d->close + 2 * DAY_SECONDS;
		w->after_hi = d->close + 35 * DAY_SECONDS < pl->now ? d->close + 35 * DAY_SECONDS : pl->now - 3600;
	} else if (d->slipped) {
		time_t lo = d->close + DAY_SECONDS > end - span * 4 / 10 ? d->close + DAY_SECONDS : end - span * 4 / 10;

		w->main_end = lo;
		w->after_lo = lo + 3 * DAY_SECONDS;
		w->after_hi = pl->now - 3600;
	}
	w->up_lo = pl->now + 3600;
	w->up_hi = pl->now + c->plan.future_days * DAY_SECONDS;
	w->cal_hi = pl->now + (c->plan.future_days + 21) * DAY_SECONDS;
}

/* The first working day on or after (dir 1) or on or before (dir -1) t's local day,
 * at minute of the day. */
static time_t
workday_at(const struct planner *pl, const struct deal *d, time_t t, int minute, int dir)
{
	struct tm lt;
	int k;

	tz_local(d->tz, t, &lt);
	for (k = 0; k < 21; k++) {
		int md = lt.tm_mday + dir * k;

		if (plan_workday(pl, d, tz_to_utc(d->tz, lt.tm_year + 1900, lt.tm_mon + 1, md, 12, 0)))
			return tz_to_utc(d->tz, lt.tm_year + 1900, lt.tm_mon + 1, md, minute / 60, minute % 60);
	}
	return tz_to_utc(d->tz, lt.tm_year + 1900, lt.tm_mon + 1, lt.tm_mday, minute / 60, minute % 60);
}

/* A minute of the working day for a meeting of len minutes (on a quarter hour), or for
 * an email (an hour either side of business hours). */
static int
meeting_minute(const struct planner *pl, struct rng *r, int len)
{
	long first = pl->cfg->plan.day_start * 4, last = (pl->cfg->plan.day_end * 60 - len) / 15;

	return (int)(rng_range(r, first, last) * 15);
}

static int
email_minute(const struct planner *pl, struct rng *r)
{
	long first = (pl->cfg->plan.day_start - 1) * 60, last = (pl->cfg->plan.day_end + 1) * 60 - 1;

	if (first < 0)
		first = 0;
	if (last > 24 * 60 - 1)
		last = 24 * 60 - 1;
	return (int)rng_range(r, first, last);
}

/* When an answer to something sent at t goes out: the same working day (with chance
 * same_day, when the day has time left), else the next working day, now and then the
 * one after; within two working days. */
static time_t
later(const struct planner *pl, const struct deal *d, struct rng *r, time_t t, double same_day)
{
	struct tm lt;
	long delay = rng_range(r, 12, 240), last = (pl->cfg->plan.day_end + 1) * 60;
	double x = rng_double(r);
	int days, k, mod;

	tz_local(d->tz, t, &lt);
	mod = lt.tm_hour * 60 + lt.tm_min;
	if (x < same_day && mod + delay < last && plan_workday(pl, d, t))
		return t + delay * 60;
	days = x < same_day + (1 - same_day) * 0.75 ? 1 : 2;
	for (k = 1; k < 21; k++) {
		time_t noon = tz_to_utc(d->tz, lt.tm_year + 1900, lt.tm_mon + 1, lt.tm_mday + k, 12, 0);

		if (plan_workday(pl, d, noon) && --days == 0)
			return noon - 12 * 3600 + (pl->cfg->plan.day_start * 60 + rng_range(r, -30, 150)) * 60;
	}
	return t + DAY_SECONDS;
}

/* 1 when a and b (b may be 0: none) fall on the same local day of the deal's zone. */
static int
same_day(const struct deal *d, time_t a, time_t b)
{
	struct tm x, y;

	if (b == 0)
		return 0;
	tz_local(d->tz, a, &x);
	tz_local(d->tz, b, &y);
	return x.tm_year == y.tm_year && x.tm_yday == y.tm_yday;
}

/* Places the replies that follow email p in the script (each answering the one before
 * it) within two working days of what they answer and before hi; the ones that do not
 * fit are dropped. Returns the end of the thread (or prev). */
static time_t
thread(struct planner *pl, const struct deal *d, struct act *acts, int n, int p, time_t prev, time_t hi)
{
	struct rng r;
	int j;

	for (j = p + 1; j < n && acts[j].seg == SEG_ANCHORED && acts[j].reply_to == j - 1; j++) {
		struct act *a = &acts[j];

		if (acts[j - 1].drop) {
			a->drop = 1;
			continue;
		}
		rng_init(&r, (uint64_t)pl->cfg->seed, d->id, "when", a->seq);
		a->start = later(pl, d, &r, acts[j - 1].start, a->inbound ? 0.45 : 0.6);
		if (a->start >= hi || a->start >= pl->now) {
			a->drop = 1;
			continue;
		}
		prev = a->start + 60;
	}
	return prev;
}

/* Places the acts of one segment in their order over [lo, hi): uneven gaps, meetings in
 * business hours and in the rep's calendar (each after the step before it: a meeting
 * that moves later takes the steps after it along), emails around them; what cannot
 * fit before hi is dropped. */
static void
place(struct planner *pl, const struct deal *d, struct cal *c, struct act *acts, int n, int seg, time_t lo, time_t hi,
    time_t cal_hi)
{
	int idx[MAX_ACTS], k = 0, i;
	double gap[MAX_ACTS + 1], sum = 0, at = 0;
	time_t prev = lo, last_meeting = 0;
	struct rng r;

	for (i = 0; i < n; i++)
		if (acts[i].seg == seg && !acts[i].drop)
			idx[k++] = i;
	if (k == 0)
		return;
	if (hi <= lo) {
		for (i = 0; i < k; i++)
			acts[idx[i]].drop = 1;
		return;
	}
	for (i = 0; i <= k; i++) {
		rng_init(&r, (uint64_t)pl->cfg->seed, d->id, "gap", i < k ? acts[idx[i]].seq : -1);
		gap[i] = (i == 0 ? 0.15 : 0.35) + rng_double(&r);
		sum += gap[i];
	}
	for (i = 0; i < k; i++) {
		struct act *a = &acts[idx[i]];
		time_t target, want;
		int tries;

		at += gap[i];
		target = lo + (time_t)((double)(hi - lo) * at / sum);
		rng_init(&r, (uint64_t)pl->cfg->seed, d->id, "when", a->seq);
		if (a->meeting) {
			int minute = meeting_minute(pl, &r, a->minutes);

			want = workday_at(pl, d, target > prev ? target : prev, minute, 1);
			/* Not before the step before it, and not on the day of the deal's
			 * previous meeting: one customer meeting a deal a day. */
			for (tries = 0; (want < prev || same_day(d, want, last_meeting)) && tries < 30; tries++)
				want = workday_at(pl, d, want + DAY_SECONDS, minute, 1);
			/* Anywhere after the step before it: the steps after it follow it. */
			a->start = cal_meeting(pl, d, c, want, a->minutes, prev, seg == SEG_UPCOMING ? cal_hi : hi,
			    seg == SEG_UPCOMING ? lo : lo - 60 * DAY_SECONDS,
			    seg == SEG_UPCOMING ? cal_hi + 60 * DAY_SECONDS : hi);
			if (seg != SEG_UPCOMING && a->start + a->minutes * 60 > hi) {
				a->drop = 1;
				continue;
			}
			if (a->start + a->minutes * 60 > prev)
				prev = a->start + a->minutes * 60;
			last_meeting = a->start;
		} else {
			int minute = email_minute(pl, &r);

			want = workday_at(pl, d, target > prev ? target : prev, minute, 1);
			for (tries = 0; want <= prev && tries < 30; tries++)
				want = workday_at(pl, d, want + DAY_SECONDS, minute, 1);
			if (want >= hi) {
				a->drop = 1;
				continue;
			}
			a->start = want;
			prev = want + 60;
			/* Its thread (the customer's reply, the rep's answer) comes before the
			 * next step: "happy to talk" before the intro call. */
			prev = thread(pl, d, acts, n, idx[i], prev, hi);
		}
	}
}

/* Recaps, agendas, replies, reschedules: in the script's order, each after what it
 * answers; dropped when it would fall at or after cutoff or what it hangs off is gone. */
static void
anchored(struct planner *pl, const struct deal *d, struct cal *c, struct act *acts, int n, time_t cutoff)
{
	int i, recap = act_type_find("recap"), agenda = act_type_find("agenda");
	int resched = act_type_find("reschedule"), ooo = act_type_find("out_of_office");
	struct rng r;

	for (i = 0; i < n; i++) {
		struct act *a = &acts[i], *m = a->about >= 0 ? &acts[a->about] : NULL;
		time_t t;

		if (a->seg != SEG_ANCHORED || a->drop || a->start)
			continue; /* not anchored, left out, or placed with its thread */
		rng_init(&r, (uint64_t)pl->cfg->seed, d->id, "when", a->seq);
		if (a->reply_to >= 0) {
			const struct act *p = &acts[a->reply_to];

			if (p->drop) {
				a->drop = 1;
				continue;
			}
			/* An automatic reply comes a minute or three after the email. */
			t = a->type == ooo ? p->start + rng_range(&r, 1, 3) * 60
					   : later(pl, d, &r, p->start, a->inbound ? 0.45 : 0.6);
		} else if (m == NULL || m->drop) {
			a->drop = 1;
			continue;
		} else if (a->meeting) {
			/* An internal call a working day or two before the meeting it prepares. */
			int minute = meeting_minute(pl, &r, a->minutes);

			t = workday_at(pl, d, m->start - rng_range(&r, 1, 2) * DAY_SECONDS, minute, -1);
			t = cal_meeting(pl, d, c, t, a->minutes, m->start - 6 * DAY_SECONDS, m->start - 3600,
			    m->start - 6 * DAY_SECONDS, m->start - 3600);
			if (t + a->minutes * 60 > m->start || t + a->minutes * 60 > cutoff) {
				a->drop = 1;
				continue;
			}
			a->start = t;
			continue;
		} else if (a->type == recap) {
			t = later(pl, d, &r, m->start + m->minutes * 60, 0.65);
		} else if (a->type == agenda) {
			t = workday_at(pl, d, m->start - rng_range(&r, 1, 3) * DAY_SECONDS, email_minute(pl, &r), -1);
		} else if (a->type == resched) {
			/* The meeting was first set a day or three earlier; the customer asked
			 * to move it a day or two before that. */
			struct tm lt;

			tz_local(d->tz, m->start, &lt);
			m->moved_from = workday_at(
			    pl, d, m->start - rng_range(&r, 1, 3) * DAY_SECONDS, lt.tm_hour * 60 + lt.tm_min, -1);
			t = workday_at(
			    pl, d, m->moved_from - rng_range(&r, 1, 2) * DAY_SECONDS, email_minute(pl, &r), -1);
		} else {
			/* The next meeting confirmed a few days before today. */
			t = workday_at(pl, d, pl->now - rng_range(&r, 1, 4) * DAY_SECONDS, email_minute(pl, &r), -1);
			if (t > m->start - 3600)
				t = m->start - 3600;
		}
		if (t >= cutoff || (a->reply_to >= 0 && t <= acts[a->reply_to].start) ||
		    (m && a->type != recap && t >= m->start)) {
			a->drop = 1;
			if (a->type == resched && m)
				m->moved_from = 0;
			continue;
		}
		a->start = t;
	}
}

/* Leaves out what was dropped while placing (and what hangs off it), keeping reply_to
 * and about right. Keys were given by the script and stay. */
static int
prune(struct act *acts, int n)
{
	int map[MAX_ACTS], i, k = 0;

	for (i = 0; i < n; i++)
		if ((acts[i].reply_to >= 0 && acts[acts[i].reply_to].drop) ||
		    (acts[i].about >= 0 && acts[acts[i].about].drop))
			acts[i].drop = 1;
	for (i = 0; i < n; i++)
		map[i] = acts[i].drop ? -1 : k++;
	for (i = 0, k = 0; i < n; i++) {
		if (map[i] < 0)
			continue;
		acts[k] = acts[i];
		acts[k].reply_to = acts[i].reply_to >= 0 ? map[acts[i].reply_to] : -1;
		acts[k].about = acts[i].about >= 0 ? map[acts[i].about] : -1;
		k++;
	}
	return k;
}

int
schedule(struct planner *pl, struct deal *d, struct act *acts, int max)
{
	struct window w;
	struct cal *c;
	unsigned have = 0, allowed = ~0u;
	int n, i, j;

	window(pl, d, &w);
	n = paths_script(pl, d, acts, max);
	c = cal_for(pl, d->owner);
	if (c == NULL)
		c = cal_scratch(pl);
	place(pl, d, c, acts, n, SEG_MAIN, w.start, w.main_end, w.main_end);
	place(pl, d, c, acts, n, SEG_AFTER, w.after_lo, w.after_hi, w.after_hi);
	place(pl, d, c, acts, n, SEG_UPCOMING, w.up_lo, w.up_hi, w.cal_hi);
	/* A lost deal's last thread ends with it; everything else before today. */
	anchored(pl, d, c, acts, n, d->closed && !d->won ? w.main_end : pl->now);
	n = prune(acts, n);
	/* One email a minute from the rep; a reply stays after what it answers. */
	for (i = 0; i < n; i++)
		if (!acts[i].meeting)
			acts[i].start = cal_email_minute(c, acts[i].start, acts[i].start, pl->now);

	/* What a deal has learnt grows with its stage: a prospect has not talked about the
	 * paperwork yet. Topics later than the deal's phase are left out of what has
	 * happened (an upcoming meeting may plan them), and every fact
	 * it should know by now comes up somewhere in the history, where there is one. */
	for (j = 0; j < T_COUNT; j++)
		if (topic_phase((enum topic)j) > d->phase)
			allowed &= ~(1u << j);
	for (i = 0; i < n; i++)
		if (acts[i].past) {
			acts[i].topics &= allowed;
			have |= acts[i].topics;
		}
	for (j = 0; j < T_COUNT; j++) {
		int best = -1, bestc = 99;

		if ((have & (1u << j)) || !(allowed & (1u << j)))
			continue;
		for (i = 0; i < n; i++) {
			int cnt = __builtin_popcount(acts[i].topics);

			if (acts[i].past && cnt < bestc) {
				bestc = cnt;
				best = i;
			}
		}
		if (best >= 0)
			acts[best].topics |= 1u << j;
	}
	return n;
}
