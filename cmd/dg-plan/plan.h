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
};

/* Everything dg-plan decides about one deal before it is written out. */
struct deal {
	const char *id;
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

/* story.c */
void people_choose(struct planner *pl, struct deal *d, jv opp);
jv story_make(struct planner *pl, struct deal *d, jv opp);

/* schedule.c: fills acts (sorted: meetings by time, then emails by time); returns n. */
int schedule(struct planner *pl, struct deal *d, struct act *acts, int max);
/* The type's identifier and draft subject. */
const char *act_type_id(const struct act *a);
const char *act_type_title(const struct act *a);

#endif
