/* plan.h: dg-plan's pieces: people and story (story.c), the steps of a sale by kind of
 * deal (types.c, paths.c), when they happen (schedule.c), one calendar per rep (calendar.c) and
 * the days nobody works (holidays.c). */
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
#define MAX_WITH 8 /* customer people on one meeting or email */

enum persona { P_CHAMPION, P_EB, P_TECH };
/* The kind of sale, from the Opportunity Type (plan.paths in the config). */
enum path { PATH_NEW, PATH_EXPANSION, PATH_RENEWAL };
/* How a Closed Lost deal was lost. */
enum loss { LOSS_NONE, LOSS_QUIET, LOSS_COMPETITOR, LOSS_NO_DECISION, LOSS_BUDGET, LOSS_TIMING };

struct planner {
	const struct dg_config *cfg;
	struct bank *story; /* share/dg/story.txt */
	struct bank *names; /* share/dg/names.txt */
	time_t now;
	unsigned seedtag;     /* part of every key, so another seed plans other items */
	struct cal *cals;     /* one calendar per owner (calendar.c) */
	struct cal *scratch;  /* the calendar of a deal without an owner */
	struct holidays *hol; /* share/dg/holidays.txt and plan.holidays */
};

/* Everything dg-plan decides about one deal before it is written out. */
struct deal {
	const char *id;
	const char *owner; /* the opportunity's OwnerId, or NULL */
	const char *tz;
	int phase, closed, won;
	enum path path;
	enum loss loss;
	int slipped;  /* open, and the close date has passed */
	int after_ok; /* won, and the close date is far enough back for what follows it */
	double size;  /* 0 (a $5K deal or less) .. 1 ($5M or more), on a log scale */
	time_t close; /* 0 when unknown */
	char domain[128];
	struct person people[MAX_PEOPLE];
	int npeople;
	int eb, champion, tech;      /* indexes into people, -1 when nobody fits */
	const char *se, *mgr, *exec; /* the seller's people (User Ids from sellers), or NULL */
	jv planned;                  /* contacts dg-plan adds (array) */
	char keys[MAX_PEOPLE][96];
};

/* One activity type (types.c): a kind of meeting or email. */
struct atype {
	const char *id, *title;
	int meeting;
	unsigned topics; /* what it usually covers (bits of enum topic) */
	int minutes;     /* typical length (meetings) */
	enum persona lead;
	unsigned flags; /* A_* */
};
#define A_INBOUND 1u     /* the customer writes it */
#define A_AFTER_CLOSE 2u /* only after a won deal's close date */
#define A_FIRST 4u       /* a first touch: before any meeting */
#define A_INTERNAL 8u    /* the seller's own call: no customer on it */
extern const struct atype act_types[];
int act_type_find(const char *id); /* its index; aborts on an unknown id (a bug) */

struct act {
	int meeting, past, type;
	int seq; /* place in the deal's order of events (paths.c) */
	int seg; /* which part of the window it falls in (enum seg) */
	time_t start;
	int minutes;
	int who;                 /* index into people, -1 for nobody */
	int attendees[MAX_WITH]; /* meetings: who took part; emails: to (who) and cc */
	int nattendees;
	int ncc;                 /* emails: the last ncc attendees were copied */
	const char *internal[3]; /* meetings: the seller's people who join the rep */
	int ninternal;
	int inbound;       /* email written by the contact */
	int reply_to;      /* index of the email it answers, -1 */
	int about;         /* index of the meeting it is about (recap, agenda...), -1 */
	time_t moved_from; /* a rescheduled meeting's first time, or 0 */
	int drop;          /* left out (trimmed to the configured counts) */
	unsigned topics;   /* bit set of enum topic */
	char key[128];
};
enum seg { SEG_MAIN, SEG_AFTER, SEG_UPCOMING, SEG_ANCHORED };

/* paths.c: the deal's events in the order of its sale, without times: what its path
 * (new business, expansion, renewal, and how a lost one ended) has up to its stage,
 * scaled by its size, trimmed or filled to the configured counts; who takes part. Sets
 * seq, seg, past, type, people, reply_to and about; schedule.c sets the times. */
int paths_script(struct planner *pl, struct deal *d, struct act *acts, int max);
/* The deal's path and loss from its record (Type, stage). */
enum path deal_path(const struct dg_config *cfg, const char *type);
/* One step of a path (types.c). */
struct step {
	const char *type;
	int phase;         /* 0 prospecting .. 5 negotiation; 6 after a won deal's close */
	double p0, p1;     /* its chance on the smallest and on the largest deals */
	int group;         /* steps of one group (a pilot) come or go together */
	const char *needs; /* a meeting that must come before it, or NULL */
};
/* The steps of a path, in the order of a sale, ended by one with a NULL type. */
const struct step *path_steps(enum path p);
const char *path_name(enum path p);
const char *loss_name(enum loss l);

/* holidays.c */
struct holidays *hol_load(const struct dg_config *cfg);
/* 1 when y-m-d is a public holiday for an owner in zone tz. */
int hol_off(struct holidays *h, const char *tz, int y, int m, int d);
void hol_free(struct holidays *h);
/* 1 when t falls on a working day (not a weekend or holiday) in the deal's zone. */
int plan_workday(const struct planner *pl, const struct deal *d, time_t t);

/* calendar.c: the owner's calendar across the deals planned so far (NULL for a deal
 * without an owner: nothing to keep). */
struct cal *cal_for(struct planner *pl, const char *owner);
/* An empty calendar for a deal without an owner (the same one each time, emptied). */
struct cal *cal_scratch(struct planner *pl);
/* 1 when the owner has no meeting overlapping [s, s + minutes). */
int cal_free_at(struct cal *c, time_t s, int minutes);
/* The owner's meetings on the local day (in tz) of s. */
int cal_day_count(struct cal *c, const char *tz, time_t s);
void cal_add(struct cal *c, const char *tz, time_t s, int minutes);
/* t, or the first minute after it (within the hour and [lo, hi)) at which the owner
 * sends no other email; the minute is then taken. */
time_t cal_email_minute(struct cal *c, time_t t, time_t lo, time_t hi);
/* Where a meeting of `minutes` the deal wants at `want` goes in its owner's calendar:
 * want when the owner is free then (on a day under plan.meetings.per_day), else the
 * nearest such time in [lo, hi) on a working day inside business hours, else the
 * nearest free one on a busier day, else the nearest free one in the wider
 * [lo2, hi2) (out of the sale's order, but no overlap), else want. It is then taken. */
time_t cal_meeting(struct planner *pl, const struct deal *d, struct cal *c, time_t want, int minutes, time_t lo,
    time_t hi, time_t lo2, time_t hi2);
/* The owner's own Events in the org (owner_busy from dg-query: [[start, end], ...]),
 * taken in once per owner as fixed points of their calendar. */
void cal_busy(struct planner *pl, const char *owner, const char *tz, jv busy);
void cal_free_all(struct planner *pl);

/* story.c */
void people_choose(struct planner *pl, struct deal *d, jv opp);
jv story_make(struct planner *pl, struct deal *d, jv opp);

/* schedule.c: the deal's script (paths.c) with times: in the window its size and
 * stage give it, on working days, fitted into the rep's calendar; returns n. */
int schedule(struct planner *pl, struct deal *d, struct act *acts, int max);

#endif
