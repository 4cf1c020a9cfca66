/* plan.h: dg-plan's pieces: people and story (story.c), meetings and emails (schedule.c). */
#ifndef DG_PLAN_H
#define DG_PLAN_H

#include "bank.h"
#include "config.h"
#include "deal.h"
#include "rng.h"

#include <jv.h>
#include <time.h>

#define MAX_PEOPLE 64
#define MAX_ACTS 256

enum persona { P_CHAMPION, P_EB, P_TECH };

struct planner {
	const struct dg_config *cfg;
	struct bank *story; /* share/dg/story.txt */
	struct bank *names; /* share/dg/names.txt */
	time_t now;
	unsigned seedtag; /* part of every key, so another seed plans other items */
	struct cal *cals; /* one calendar per owner (calendar.c) */
};

/* Everything dg-plan decides about one deal before it is written out. */
struct deal {
	const char *id;
	const char *owner; /* the opportunity's OwnerId, or NULL */
	const char *tz;
	int phase, closed, won;
	time_t close; /* 0 when unknown */
	char domain[128];
	struct person people[MAX_PEOPLE];
	int npeople;
	int eb, champion, tech; /* indexes into people, -1 when nobody fits */
	jv planned;             /* contacts dg-plan adds (array) */
	char keys[MAX_PEOPLE][96];
};

struct act {
	int meeting, past, type, slot;
	time_t start;
	int minutes;
	int who;            /* index into people, -1 for nobody */
	int attendees[4];
	int nattendees;
	int inbound;        /* email written by the contact */
	int reply_to;       /* index of an earlier email in the plan, -1 */
	unsigned topics;    /* bit set of enum topic */
	char key[128];
};

/* calendar.c: the owner's calendar across the deals planned so far (NULL for a deal
 * without an owner: nothing to keep). */
struct cal *cal_for(struct planner *pl, const char *owner);
/* 1 when the owner has no meeting overlapping [s, s + minutes). */
int cal_free_at(struct cal *c, time_t s, int minutes);
/* The owner's meetings on the local day (in tz) of s. */
int cal_day_count(struct cal *c, const char *tz, time_t s);
void cal_add(struct cal *c, const char *tz, time_t s, int minutes);
/* t, or the first minute after it (within the hour and [lo, hi)) at which the owner
 * sends no other email; the minute is then taken. */
time_t cal_email_minute(struct cal *c, time_t t, time_t lo, time_t hi);
/* Fits a scheduled deal (acts[0..nmeet) its meetings, then its emails; the past within
 * [start, end)) into its owner's calendar, moving times only, and adds it there. */
void cal_fit(struct planner *pl, const struct deal *d, struct act *acts, int n, int nmeet,
    time_t start, time_t end);
/* The owner's own Events in the org (owner_busy from dg-query: [[start, end], ...]),
 * taken in once per owner as fixed points of their calendar. */
void cal_busy(struct planner *pl, const char *owner, const char *tz, jv busy);
void cal_free_all(struct planner *pl);

/* story.c */
void people_choose(struct planner *pl, struct deal *d, jv opp);
jv story_make(struct planner *pl, struct deal *d, jv opp);

/* schedule.c: fills acts (sorted: meetings by time, then emails by time); returns n. */
int schedule(struct planner *pl, struct deal *d, struct act *acts, int max);
/* The type's identifier and draft subject. */
const char *act_type_id(const struct act *a);
const char *act_type_title(const struct act *a);

#endif
