/* calendar.c: one calendar per rep. A rep (the opportunity's owner) meets the
 * customers of all their deals, so the meetings planned for one deal are kept here and
 * a later deal of the same owner is fitted around them: a meeting that would overlap
 * one of the rep's moves to the nearest free quarter hour (the same day first, then
 * the days around it, on a day with fewer than plan.meetings.per_day meetings when
 * there is one) inside the bounds its place in the sale gives it; no two of the rep's
 * emails go out at the same minute. Only times change: which items a deal has, their
 * keys and their order in the sale are decided by the deal alone, and deals of other
 * owners never see each other. A deal without an owner gets a calendar of its own. */
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
	struct map minutes;  /* minute / 128 -> the minutes of it taken by an email */
	int misses;          /* meetings in a row that found no day under per_day */
	int full;            /* meetings in a row that found no free time at all */
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

/* Emails' minutes, 128 to a map entry: a rep's emails over the whole window take a
 * few thousand entries however many deals they have. */
static int
minute_taken(struct cal *c, int64_t m)
{
	struct slot *e = map_get(&c->minutes, m / 128, 0);

	return e && (e->bits[m % 128 / 64] >> (m % 64) & 1);
}

static void
minute_take(struct cal *c, int64_t m)
{
	map_get(&c->minutes, m / 128, 1)->bits[m % 128 / 64] |= 1ull << (m % 64);
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

		if (cand >= lo && cand < hi && !minute_taken(c, (int64_t)cand / 60)) {
			t = cand;
			break;
		}
	}
	minute_take(c, (int64_t)t / 60);
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
			cal_add(c, tz, ts, (int)((te - ts > 14 * DAY_SECONDS ? 14 * DAY_SECONDS : te - ts) / 60));
	}
}

void
cal_free_all(struct planner *pl)
{
	struct cal *c, *next;

	if (pl->scratch) {
		pl->scratch->next = pl->cals;
		pl->cals = pl->scratch;
		pl->scratch = NULL;
	}
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

/* Whether a meeting may start at s: the rep is free for its length and (with cap) has
 * fewer than per_day meetings that local day. */
static int
free_for(struct planner *pl, const struct deal *d, struct cal *c, time_t s, int minutes, int cap)
{
	if (!cal_free_at(c, s, minutes))
		return 0;
	return !cap || cal_day_count(c, d->tz, s) < pl->cfg->plan.per_day;
}

/* The nearest start to want in [lo, hi) on a working day inside business hours that
 * free_for allows: the same day first, then one day later, one earlier, ... up to
 * maxdays either side; within a day by distance from the wanted time of day. 0 when
 * there is none. */
static time_t
nearest(struct planner *pl, const struct deal *d, struct cal *c, time_t want, int minutes, time_t lo, time_t hi,
    int cap, int maxdays)
{
	long first = pl->cfg->plan.day_start * 60, last = pl->cfg->plan.day_end * 60 - minutes;
	struct tm lt;
	int k, step, mod;

	int days = (int)((hi - lo) / DAY_SECONDS) + 2;

	tz_local(d->tz, want, &lt);
	mod = lt.tm_hour * 60 + lt.tm_min;
	if (days > maxdays)
		days = maxdays;
	for (k = 0; k <= 2 * days; k++) {
		int day = k % 2 ? (k + 1) / 2 : -(k / 2);
		/* Midnight by way of noon: clocks change at night, so business hours keep
		 * noon's offset. */
		time_t noon = tz_to_utc(d->tz, lt.tm_year + 1900, lt.tm_mon + 1, lt.tm_mday + day, 12, 0);

		if (noon + 43200 < lo || noon - 43200 >= hi || !plan_workday(pl, d, noon))
			continue;
		if (cap && cal_day_count(c, d->tz, noon) >= pl->cfg->plan.per_day)
			continue;
		for (step = 0; step <= 2 * (last - first) / 15 + 1; step++) {
			long m = mod / 15 * 15 + (step % 2 ? (step + 1) / 2 : -(step / 2)) * 15;
			time_t s = noon - 43200 + m * 60;

			if (m < first || m > last)
				continue;
			if (s >= lo && s + minutes * 60 <= hi && free_for(pl, d, c, s, minutes, 0))
				return s;
		}
	}
	return 0;
}

time_t
cal_meeting(struct planner *pl, const struct deal *d, struct cal *c, time_t want, int minutes, time_t lo, time_t hi,
    time_t lo2, time_t hi2)
{
	time_t s = want;

	/* A rep whose weeks are full (many meetings in a row found no day under
	 * per_day) is searched for free time only, and one with no free time left at all
	 * (many in a row found none, even in the wider range) not at all: overbooked is
	 * overbooked, and planning stays fast. Two meetings never overlap while there is
	 * room in [lo2, hi2). */
	if (!free_for(pl, d, c, want, minutes, 1)) {
		s = c->misses < 50 ? nearest(pl, d, c, want, minutes, lo, hi, 1, 21) : 0;
		c->misses = s == 0 ? c->misses + 1 : 0;
		if (s == 0 && free_for(pl, d, c, want, minutes, 0))
			s = want; /* the rep's days are full: a busier day, but no overlap */
		else if (s == 0 && c->full < 50) {
			s = nearest(pl, d, c, want, minutes, lo, hi, 0, 21);
			if (s == 0)
				s = nearest(pl, d, c, want, minutes, lo2, hi2, 0, 90);
			/* A success only slowly undoes failures: a full rep stays full. */
			c->full = s == 0 ? c->full + 2 : c->full > 0 ? c->full - 1 : 0;
		}
		if (s == 0)
			s = want;
	}
	cal_add(c, d->tz, s, minutes);
	return s;
}

struct cal *
cal_scratch(struct planner *pl)
{
	struct cal *c = pl->scratch;

	if (c == NULL) {
		c = pl->scratch = xcalloc(1, sizeof *c);
		c->owner = xstrdup("");
	}
	free(c->quarters.v);
	free(c->days.v);
	free(c->minutes.v);
	memset(&c->quarters, 0, sizeof c->quarters);
	memset(&c->days, 0, sizeof c->days);
	memset(&c->minutes, 0, sizeof c->minutes);
	c->misses = c->full = 0;
	return c;
}
