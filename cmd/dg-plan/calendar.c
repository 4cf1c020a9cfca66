/* calendar.c: one calendar per rep. A rep (the opportunity's owner) meets the
 * customers of all their deals, so the meetings planned for one deal are kept here and
 * a later deal of the same owner is fitted around them: a meeting that would overlap
 * one of the rep's moves to the nearest free quarter hour (the same day first, then
 * the days around it, on a day with fewer than plan.meetings.per_day meetings when
 * there is one), between the deal's meetings before and after it, and its recap and
 * agenda move with it; no two of the rep's emails go out at the same minute. Only
 * times change: which items a deal has, their keys and their order in the sale are
 * decided by the deal alone, and deals of other owners never see each other. */
#include "plan.h"
#include "jsonl.h"
#include "tz.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A small hash map from a number (a day, a minute) to a few bits and a count: the
 * calendar's checks stay constant-time however many deals a rep has. */
struct slot {
	int64_t key;
	uint64_t bits[2]; /* quarter hours 0-95 of a UTC day */
	int count;
};
struct map {
	struct slot *v;
	size_t cap, n;
};

#define EMPTY INT64_MIN

static struct slot *
map_get(struct map *m, int64_t key, int make)
{
	size_t i;

	if (make && (m->n + 1) * 2 > m->cap) {
		struct map big = { xcalloc(m->cap ? 2 * m->cap : 64, sizeof *big.v), m->cap ? 2 * m->cap : 64, 0 };

		for (i = 0; i < big.cap; i++)
			big.v[i].key = EMPTY;
		for (i = 0; i < m->cap; i++)
			if (m->v[i].key != EMPTY)
				*map_get(&big, m->v[i].key, 1) = m->v[i];
		free(m->v);
		*m = big;
	}
	if (m->cap == 0)
		return NULL;
	for (i = (size_t)((uint64_t)key * 0x9E3779B97F4A7C15u >> 7) % m->cap;; i = (i + 1) % m->cap) {
		if (m->v[i].key == key)
			return &m->v[i];
		if (m->v[i].key == EMPTY) {
			if (!make)
				return NULL;
			memset(&m->v[i], 0, sizeof m->v[i]);
			m->v[i].key = key;
			m->n++;
			return &m->v[i];
		}
	}
}

struct cal {
	char *owner;
	struct map quarters; /* UTC day -> the quarter hours taken by meetings */
	struct map days;     /* the owner's local day (year * 400 + day of year) -> meetings */
	struct map minutes;  /* minute -> taken by an email */
	int misses;          /* meetings in a row that found no free time: the rep is full */
	int org_loaded;      /* the owner's own Events (owner_busy) are in */
	struct cal *next;
};

struct cal *
cal_for(struct planner *pl, const char *owner)
{
	struct cal *c;

	if (owner == NULL || *owner == '\0')
		return NULL;
	for (c = pl->cals; c; c = c->next)
		if (strcmp(c->owner, owner) == 0)
			return c;
	c = xcalloc(1, sizeof *c);
	c->owner = xstrdup(owner);
	c->next = pl->cals;
	pl->cals = c;
	return c;
}

/* Calls the quarter hours [s, s + minutes) cover (rounded out to whole quarters: a
 * 20-minute meeting holds two). Returns 0 at the first fn that returns 0. Time zones
 * are whole quarter hours from UTC, so a local quarter is a UTC one. */
static int
each_quarter(struct cal *c, time_t s, int minutes, int (*fn)(struct cal *, int64_t day, int q))
{
	int64_t q, last = ((int64_t)s + minutes * 60 - 1) / 900;

	for (q = (int64_t)s / 900; q <= last; q++)
		if (!fn(c, q / 96, (int)(q % 96)))
			return 0;
	return 1;
}

static int
quarter_free(struct cal *c, int64_t day, int q)
{
	struct slot *e = map_get(&c->quarters, day, 0);

	return e == NULL || !(e->bits[q / 64] & (1ull << (q % 64)));
}

static int
quarter_take(struct cal *c, int64_t day, int q)
{
	struct slot *e = map_get(&c->quarters, day, 1);

	e->bits[q / 64] |= 1ull << (q % 64);
	return 1;
}

static int64_t
local_day(const char *tz, time_t s)
{
	struct tm lt;

	tz_local(tz, s, &lt);
	return (int64_t)lt.tm_year * 400 + lt.tm_yday;
}

int
cal_free_at(struct cal *c, time_t s, int minutes)
{
	return c == NULL || each_quarter(c, s, minutes, quarter_free);
}

int
cal_day_count(struct cal *c, const char *tz, time_t s)
{
	struct slot *e = c ? map_get(&c->days, local_day(tz, s), 0) : NULL;

	return e ? e->count : 0;
}

void
cal_add(struct cal *c, const char *tz, time_t s, int minutes)
{
	if (c == NULL)
		return;
	each_quarter(c, s, minutes, quarter_take);
	map_get(&c->days, local_day(tz, s), 1)->count++;
}

time_t
cal_email_minute(struct cal *c, time_t t, time_t lo, time_t hi)
{
	int step;

	if (c == NULL)
		return t;
	/* The next free minute within the hour and [lo, hi): later only, so a recap stays
	 * after its meeting and an agenda (an hour or more before) before it. */
	for (step = 0; step < 60; step++) {
		time_t cand = t + step * 60;

		if (cand >= lo && cand < hi && map_get(&c->minutes, (int64_t)cand / 60, 0) == NULL) {
			t = cand;
			break;
		}
	}
	map_get(&c->minutes, (int64_t)t / 60, 1);
	return t;
}

void
cal_busy(struct planner *pl, const char *owner, const char *tz, jv busy)
{
	struct cal *c = cal_for(pl, owner);
	int i;

	if (c == NULL || c->org_loaded)
		return;
	c->org_loaded = 1;
	for (i = 0; i < jx_len(busy); i++) {
		jv b = jx_at(busy, i);
		const char *s = jx_cstr(jx_at(b, 0)), *e = jx_cstr(jx_at(b, 1));
		time_t ts, te;

		if (s && e && time_parse(s, &ts) == 0 && time_parse(e, &te) == 0 && te > ts)
			cal_add(c, tz, ts, (int)((te - ts > 14 * 86400L ? 14 * 86400L : te - ts) / 60));
	}
}

void
cal_free_all(struct planner *pl)
{
	struct cal *c, *next;

	for (c = pl->cals; c; c = next) {
		next = c->next;
		free(c->owner);
		free(c->quarters.v);
		free(c->days.v);
		free(c->minutes.v);
		free(c);
	}
	pl->cals = NULL;
}

/* Whether meeting i of the deal may start at s: clear of the deal's other meetings and
 * of the rep's, and (with cap) on a day the rep has fewer than per_day meetings. */
static int
free_for(struct planner *pl, const struct deal *d, struct cal *c, const struct act *acts,
    int nmeet, int i, time_t s, int cap)
{
	int j, len = acts[i].minutes;

	for (j = 0; j < nmeet; j++)
		if (j != i && s < acts[j].start + acts[j].minutes * 60 && acts[j].start < s + len * 60)
			return 0;
	if (!cal_free_at(c, s, len))
		return 0;
	return !cap || cal_day_count(c, d->tz, s) < pl->cfg->plan.per_day;
}

/* The nearest start for meeting i in [lo, hi) on a weekday inside business hours that
 * free_for allows: the same day first, then one day later, one earlier, ...; within a
 * day by distance from the planned time of day. 0 when there is none. */
static time_t
nearest(struct planner *pl, const struct deal *d, struct cal *c, const struct act *acts,
    int nmeet, int i, time_t lo, time_t hi, int cap)
{
	long first = pl->cfg->plan.day_start * 60, last = pl->cfg->plan.day_end * 60 - acts[i].minutes;
	struct tm lt, dt;
	int k, step, mod;

	tz_local(d->tz, acts[i].start, &lt);
	mod = lt.tm_hour * 60 + lt.tm_min;
	for (k = 0; k <= 42; k++) {
		int day = k % 2 ? (k + 1) / 2 : -(k / 2);
		/* Midnight by way of noon: clocks change at night, so business hours keep
		 * noon's offset. */
		time_t noon = tz_to_utc(d->tz, lt.tm_year + 1900, lt.tm_mon + 1, lt.tm_mday + day, 12, 0);

		if (noon + 43200 < lo || noon - 43200 >= hi)
			continue;
		tz_local(d->tz, noon, &dt);
		if (dt.tm_wday == 0 || dt.tm_wday == 6)
			continue;
		if (cap && cal_day_count(c, d->tz, noon) >= pl->cfg->plan.per_day)
			continue;
		for (step = 0; step <= 2 * (last - first) / 15 + 1; step++) {
			long m = mod / 15 * 15 + (step % 2 ? (step + 1) / 2 : -(step / 2)) * 15;
			time_t s = noon - 43200 + m * 60;

			if (m < first || m > last)
				continue;
			if (s >= lo && s + acts[i].minutes * 60 <= hi && free_for(pl, d, c, acts, nmeet, i, s, 0))
				return s;
		}
	}
	return 0;
}

/* Puts an email that belonged to a meeting that moved back in step with it: moved by
 * the same delta when that is still a weekday on the right side of the meeting and
 * before hi (emails are in the past), else the nearest such time: just after the
 * meeting's end (a recap) or an hour before its start (an agenda), both weekdays; else
 * where it was. */
static time_t
follow(const struct deal *d, time_t was, time_t moved, const struct act *m, int recap, time_t hi)
{
	struct tm lt;
	time_t mend = m->start + m->minutes * 60, near = recap ? mend + 600 : m->start - 3600;

	tz_local(d->tz, moved, &lt);
	if (lt.tm_wday != 0 && lt.tm_wday != 6 && moved < hi && (recap ? moved >= mend : moved <= m->start - 3600))
		return moved;
	if (near < hi)
		return near;
	if (recap && mend < hi)
		return mend;
	return was;
}

/* Where meeting i of the deal goes in its owner's calendar: where it is when that is
 * free (and its day not full), else the nearest free time between the deal's meetings
 * of the same kind before and after it (so the sale keeps its order; past ones before
 * end, upcoming ones after now), on a day under per_day when there is one; where it is
 * when the rep has no free time at all. */
static time_t
refit(struct planner *pl, const struct deal *d, struct cal *c, const struct act *acts, int nmeet,
    int i, time_t start, time_t end)
{
	const struct act *m = &acts[i];
	time_t lo, hi, s;
	int j;

	if (free_for(pl, d, c, acts, nmeet, i, m->start, 1))
		return m->start;
	/* A rep whose weeks are full (many meetings in a row found no time) is not
	 * searched again: overbooked is overbooked, and planning stays fast. */
	if (c->misses >= 50)
		return m->start;
	lo = m->past ? start : pl->now + 60;
	hi = m->past ? end : pl->now + (pl->cfg->plan.future_days + 21) * 86400L;
	for (j = 0; j < nmeet; j++) {
		if (j == i || acts[j].past != m->past)
			continue;
		if (j < i && acts[j].start + acts[j].minutes * 60 > lo)
			lo = acts[j].start + acts[j].minutes * 60;
		if (j > i && acts[j].start < hi)
			hi = acts[j].start;
	}
	s = nearest(pl, d, c, acts, nmeet, i, lo, hi, 1);
	if (s == 0 && free_for(pl, d, c, acts, nmeet, i, m->start, 0))
		return m->start; /* the rep's days are full: a busier day, but no overlap */
	if (s == 0)
		s = nearest(pl, d, c, acts, nmeet, i, lo, hi, 0);
	c->misses = s == 0 ? c->misses + 1 : 0;
	return s ? s : m->start;
}

void
cal_fit(struct planner *pl, const struct deal *d, struct act *acts, int n, int nmeet, time_t start,
    time_t end)
{
	struct cal *c = cal_for(pl, d->owner);
	int i, j;

	if (c == NULL)
		return;
	for (i = 0; i < nmeet; i++) {
		struct act *m = &acts[i];
		time_t s = refit(pl, d, c, acts, nmeet, i, start, end), delta = s - m->start;

		m->start = s;
		/* Its recap (type 0) and agenda (type 1) go with it. */
		for (j = nmeet; delta && j < n; j++)
			if (acts[j].slot == i && acts[j].type <= 1 && !acts[j].meeting)
				acts[j].start = follow(d, acts[j].start, acts[j].start + delta, m, acts[j].type == 0, end);
		cal_add(c, d->tz, m->start, m->minutes);
	}
	/* One email a minute from the rep; a reply stays after what it answers. */
	for (i = nmeet; i < n; i++) {
		time_t lo = acts[i].reply_to >= 0 ? acts[acts[i].reply_to].start + 60 : start;

		if (lo < end)
			acts[i].start = cal_email_minute(c, acts[i].start > lo ? acts[i].start : lo, lo, end);
	}
}
