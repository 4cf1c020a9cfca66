/* plancheck: checks dg-plan's realism rules on its output, one message per breach.
 *
 * Rules: meetings on weekdays inside business hours in the story's zone, 15-120 minutes,
 * no two meetings of a deal overlapping, past meetings in sales-cycle order; emails on
 * weekdays and in the past; closed deals without upcoming meetings and with history
 * ending near the close date; planned contacts with an email on the account's domain;
 * every attendee a known person; with PER_DAY, across deals, one calendar per owner: no
 * two meetings of an owner overlapping, at most PER_DAY a local day, no two emails of
 * an owner at the same minute. Usage: plancheck NOW [DAY_START DAY_END [PER_DAY]] < plans */
#define _GNU_SOURCE
#include "deal.h"
#include "jsonl.h"
#include "tz.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static time_t now;
static int day_start = 9, day_end = 17, per_day = 0, breaches;

static void breach(const char *id, const char *key, const char *why);

/* Every owner's meetings and emails seen so far. */
struct seen {
	char owner[32], id[32];
	time_t s, e; /* e == 0: an email */
	int day;     /* local days since the epoch, in the deal's zone */
};
static struct seen *all;
static int nall, capall;

static void
owner_check(const char *owner, const char *id, const char *key, time_t s, int mins, int day)
{
	int i, same_day = 1;

	if (!owner || !per_day)
		return; /* the owners' calendars are checked when PER_DAY is given */
	for (i = 0; i < nall; i++) {
		struct seen *x = &all[i];

		if (strcmp(x->owner, owner) != 0 || strcmp(x->id, id) == 0)
			continue; /* a deal's own overlaps are checked above */
		if (mins && x->e && s < x->e && x->s < s + mins * 60)
			breach(id, key, "overlaps a meeting of the same owner in another deal");
		if (!mins && !x->e && x->s / 60 == s / 60)
			breach(id, key, "an email at the same minute as another of the same owner");
	}
	for (i = 0; mins && i < nall; i++)
		same_day += all[i].e && all[i].day == day && strcmp(all[i].owner, owner) == 0;
	if (mins && same_day > per_day)
		breach(id, key, "the owner has more meetings that day than plan.meetings.per_day");
	if (nall == capall) {
		capall = capall ? 2 * capall : 1024;
		all = xrealloc(all, (size_t)capall * sizeof *all);
	}
	snprintf(all[nall].owner, sizeof all[nall].owner, "%s", owner);
	snprintf(all[nall].id, sizeof all[nall].id, "%s", id ? id : "");
	all[nall].s = s;
	all[nall].e = mins ? s + mins * 60 : 0;
	all[nall].day = day;
	nall++;
}

static void
breach(const char *id, const char *key, const char *why)
{
	printf("%s %s: %s\n", id, key ? key : "-", why);
	breaches++;
}

static int
phase_of(const char *type)
{
	static const char *order[] = { "intro_call", "discovery", "technical_discovery", "demo",
		"stakeholder_alignment", "solution_workshop", "security_review", "pilot_kickoff",
		"pilot_readout", "business_case", "executive_sponsor", "pricing", "proposal_review",
		"procurement_sync", "negotiation", "implementation_kickoff", NULL };
	int i;

	for (i = 0; order[i]; i++)
		if (strcmp(order[i], type) == 0)
			return i;
	return -1; /* weekly syncs fit anywhere */
}

static int
check(jv rec, const struct jsonl_pos *pos, void *ctx)
{
	jv opp = jx_get(rec, "opportunity", JV_KIND_OBJECT), story = jx_get(rec, "story", JV_KIND_OBJECT);
	jv acts = jx_get(rec, "activities", JV_KIND_ARRAY), contacts = jx_get(rec, "contacts", JV_KIND_ARRAY);
	const char *id = jx_str(opp, "Id"), *tz = jx_str(story, "timezone"), *dom = jx_str(story, "domain");
	int closed = jx_bool(opp, "IsClosed", 0), i, j, n = jx_len(acts), lastphase = -1;
	struct person people[64];
	int np = deal_people(rec, people, 64);
	time_t close = 0, ms[256], me[256];
	int nm = 0;

	if (jx_str(opp, "CloseDate"))
		time_parse(jx_str(opp, "CloseDate"), &close);
	if (!tz_known(tz))
		breach(id, NULL, "story.timezone is not a known zone");
	for (i = 0; i < jx_len(contacts); i++) {
		jv c = jx_at(contacts, i);
		const char *em = jx_str(c, "Email");

		if (!jx_bool(c, "planned", 0))
			continue;
		if (!em || !dom || !strstr(em, "@") || strcmp(strchr(em, '@') + 1, dom) != 0)
			breach(id, jx_str(c, "key"), "planned contact's email is not on the account domain");
		if (!jx_str(c, "key") || !jx_str(c, "Name") || !jx_str(c, "Title"))
			breach(id, NULL, "planned contact lacks key, Name or Title");
	}
	for (i = 0; i < n; i++) {
		jv a = jx_at(acts, i), att = jx_get(a, "attendees", JV_KIND_ARRAY);
		const char *key = jx_str(a, "key"), *kind = jx_str(a, "kind"), *when = jx_str(a, "when");
		time_t s;
		struct tm lt;
		int mins = (int)jx_num(a, "minutes", -1), meeting;

		if (!key || !kind || !when || !jx_str(a, "start") || time_parse(jx_str(a, "start"), &s)) {
			breach(id, key, "activity lacks key, kind, when or start");
			continue;
		}
		meeting = strcmp(kind, "meeting") == 0;
		tz_local(tz_known(tz) ? tz : "UTC", s, &lt);
		owner_check(jx_str(opp, "OwnerId"), id, key, s, meeting ? mins : 0,
		    (lt.tm_year - 70) * 366 + lt.tm_yday);
		if (lt.tm_wday == 0 || lt.tm_wday == 6)
			breach(id, key, "falls on a weekend in the owner's zone");
		for (j = 0; j < jx_len(att); j++)
			if (!deal_person(people, np, jx_cstr(jx_at(att, j))))
				breach(id, key, "attendee is not one of the deal's contacts");
		if (meeting) {
			int startm = lt.tm_hour * 60 + lt.tm_min;

			if (mins < 15 || mins > 120)
				breach(id, key, "meeting length outside 15-120 minutes");
			if (startm < day_start * 60 || startm + mins > day_end * 60)
				breach(id, key, "meeting outside business hours");
			for (j = 0; j < nm; j++)
				if (s < me[j] && ms[j] < s + mins * 60)
					breach(id, key, "meetings overlap");
			if (nm < 256) {
				ms[nm] = s;
				me[nm++] = s + mins * 60;
			}
			if (strcmp(when, "past") == 0) {
				int ph = phase_of(jx_str(a, "type") ? jx_str(a, "type") : "");

				if (s + mins * 60 > now)
					breach(id, key, "past meeting ends after now");
				if (ph >= 0 && ph < lastphase)
					breach(id, key, "past meetings out of sales-cycle order");
				if (ph >= 0)
					lastphase = ph;
			} else {
				if (closed)
					breach(id, key, "closed deal has an upcoming meeting");
				if (s <= now)
					breach(id, key, "upcoming meeting is not in the future");
			}
		} else {
			if (s >= now || strcmp(when, "past") != 0)
				breach(id, key, "email is not in the past");
		}
		if (closed && close && s > close + 3 * 86400L)
			breach(id, key, "closed deal has activity well after its close date");
	}
	jv_free(rec);
	(void)pos;
	(void)ctx;
	return 0;
}

int
main(int argc, char **argv)
{
	long deals;

	util_init(argv[0]);
	if (argc < 2 || time_parse(argv[1], &now) != 0)
		diex(2, "usage: plancheck NOW [DAY_START DAY_END [PER_DAY]] < plans");
	if (argc > 3) {
		day_start = atoi(argv[2]);
		day_end = atoi(argv[3]);
	}
	if (argc > 4)
		per_day = atoi(argv[4]);
	deals = jsonl_each(0, NULL, check, NULL);
	if (deals != 0)
		return 2;
	return breaches ? 1 : 0;
}
