/* dg-content: the final subject and body of every planned meeting and email. */
#define _GNU_SOURCE
#include "bank.h"
#include "cli.h"
#include "deal.h"
#include "jsonl.h"
#include "llm.h"
#include "prompt.h"
#include "tz.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

#define SUBJECT_MAX 255
#define BODY_MAX 32000

static const char usage[] =
    "usage: dg-content [-c FILE] [--seed N] [--mode heuristic|llm|hybrid] [-j N] [--no-cache] [FILE...]\n"
    "\n"
    "Reads planned deal records (from dg-plan) and writes each activity's final\n"
    "'subject' and 'body': meeting notes for past meetings, agendas for upcoming ones,\n"
    "emails with greeting and sign-off, replies that quote what they answer.\n"
    "\n"
    "  -c, --config FILE  configuration file (default $DG_CONFIG, else ./demo.yaml)\n"
    "      --seed N       seed for every random choice (default: the config's seed)\n"
    "      --mode MODE    heuristic (phrase banks), llm (the LLM writes every text; a\n"
    "                     failure is an error for that item) or hybrid (the LLM, else\n"
    "                     the phrase banks); default hybrid when an LLM is configured\n"
    "  -j, --jobs N       LLM requests in flight (default llm.jobs)\n"
    "      --no-cache     neither read nor write the LLM response cache\n"
    "  -h, --help         show this help and exit\n"
    "      --version      show the version and exit\n";

struct ctx {
	const struct dg_config *cfg;
	struct bank *b;
	int llm;         /* llm or hybrid: collect the records and prompts, then ask */
	char *user_tmpl; /* share/dg/prompts/content-user.txt */
	jv done;         /* the records written heuristically, when llm */
};



/* The deal's activities as read once per deal: a recap, a reply or an agenda finds what
 * it is about, the next meeting or an automatic reply by these, and jv lookups and date
 * parsing for every pair were most of the time. */
struct item {
	const char *key, *type;
	time_t start;
	int meeting, customer_meeting, ooo;
	int reply_to; /* index, or -1 */
	int topics[T_COUNT], ntopics; /* what it speaks of, in the plan's order */
};
static struct item *items;
static int cur_item; /* the activity being written */
static const char **act_keys;
static uint64_t *act_hashes; /* of each key: keys share a long prefix, so compare these first */
static int nact_keys;


/* ---- one deal's writing state ---- */

/* What a deal has said so far: the facts said in full (afterwards they are referred
 * back to), and the long sentences written (a deal never repeats one of its own). */
static unsigned said;
static uint64_t used[2048];
static int nused;

static int
word_count(const char *s)
{
	int n = 0, in = 0;

	for (; *s; s++) {
		if (*s == ' ' || *s == '\n')
			in = 0;
		else if (!in) {
			in = 1;
			n++;
		}
	}
	return n;
}

/* A sentence's hash without its capitalised words (names, mostly): "Priya came back
 * to the slow ramp" and "Tom came back to the slow ramp" count as one sentence. */
static uint64_t
skeleton_hash(const char *s)
{
	uint64_t h = FNV_OFFSET;
	int word_start = 1, skip = 0;

	for (; *s; s++) {
		if (word_start)
			skip = isupper((unsigned char)*s);
		word_start = *s == ' ';
		if (!skip)
			h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	}
	return h;
}

static int
was_used(uint64_t h)
{
	int i;

	for (i = 0; i < nused; i++)
		if (used[i] == h)
			return 1;
	return 0;
}

/* Renders a line of section into one. A line of eight words or more that the deal
 * has already written is drawn again (up to eight times), so a deal does not repeat
 * itself; short lines ("Talk soon.") may recur as they do in real mail. Returns 0, 1
 * when every draw was a repeat, or -1 with err. */
static int strict_draw; /* body lines: short ones are not repeated either */

static int
draw(struct ctx *c, struct deal_text *t, const char *section, struct sb *one, uint64_t *hash,
    char *err, size_t errsize)
{
	int tries;

	*hash = 0;
	for (tries = 0; tries < 8; tries++) {
		const char *line = bank_pick(c->b, section, &t->r);

		if (line == NULL) {
			snprintf(err, errsize, "phrase bank has no section [%s]", section);
			return -1;
		}
		sb_reset(one);
		if (render(one, line, &t->vs, &t->r, err, errsize) != 0)
			return -1;
		if (word_count(sb_str(one)) < 8 && !strict_draw)
			return 0;
		*hash = skeleton_hash(sb_str(one));
		if (!was_used(*hash))
			return 0;
	}
	return 1;
}

static void
keep(struct sb *out, struct sb *one, uint64_t hash)
{
	if (hash && nused < (int)(sizeof used / sizeof used[0]))
		used[nused++] = hash;
	sb_addn(out, sb_str(one), one->len);
}

/* Appends a line of section, rendered (see draw). */
static int
add(struct sb *out, struct ctx *c, struct deal_text *t, const char *section, char *err,
    size_t errsize)
{
	static struct sb one;
	uint64_t h;

	if (draw(c, t, section, &one, &h, err, errsize) < 0)
		return -1;
	keep(out, &one, h);
	return 0;
}

/* Appends a line of the first of sections (NULL-ended) that gives one the deal has not
 * written yet, or else of the last. */
static int
add_first_fresh(struct sb *out, struct ctx *c, struct deal_text *t, const char *const *sections,
    char *err, size_t errsize)
{
	static struct sb one;
	uint64_t h;
	int rc = 1, i;

	for (i = 0; sections[i] && rc == 1; i++)
		if ((rc = draw(c, t, sections[i], &one, &h, err, errsize)) < 0)
			return -1;
	keep(out, &one, h);
	return 0;
}

/* The name of section "<base>.<type>" when the bank has it, else "<base>.any". */
static const char *
typed(struct ctx *c, char *sect, size_t size, const char *base, const char *type)
{
	snprintf(sect, size, "%s.%s", base, type ? type : "any");
	if (bank_count(c->b, sect) == 0)
		snprintf(sect, size, "%s.any", base);
	return sect;
}

static int
add_typed(struct sb *out, struct ctx *c, struct deal_text *t, const char *base,
    const char *type, char *err, size_t errsize)
{
	char sect[128];

	return add(out, c, t, typed(c, sect, sizeof sect, base, type), err, errsize);
}

/* ---- who speaks, to whom ---- */

/* The activity being written: who writes it and who reads it (people of the deal, or
 * NULL for the seller's side), and the people whose names it may use. */
struct voice {
	const struct person *author, *reader;
	int inbound, meeting;
	const char *speakers[16]; /* meeting notes: the customer's people present */
	int nspeakers;
};

/* The record's sellers (the seller's people who join meetings), for their names. */
static jv cur_sellers;

static const char *
seller_name(const char *id)
{
	int j;

	for (j = 0; id && j < jx_len(cur_sellers); j++)
		if (jx_str(jx_at(cur_sellers, j), "Id") && !strcmp(id, jx_str(jx_at(cur_sellers, j), "Id")))
			return jx_str(jx_at(cur_sellers, j), "Name");
	return NULL;
}

static void
attendee_line(struct sb *out, struct deal_text *t, jv act)
{
	jv att = jx_get(act, "attendees", JV_KIND_ARRAY), in = jx_get(act, "internal", JV_KIND_ARRAY);
	int i, k = 0;

	sb_add(out, "Attendees: ");
	for (i = 0; i < jx_len(att); i++) {
		const struct person *p = deal_person(t->people, t->n, jx_cstr(jx_at(att, i)));

		if (p == NULL)
			continue;
		sb_addf(out, "%s%s", k++ ? ", " : "", p->name);
		if (p->title && *p->title)
			sb_addf(out, " (%s)", p->title);
	}
	sb_addf(out, "%s%s", k ? "; " : "", vars_get(&t->vs, "owner"));
	for (i = 0; i < jx_len(in); i++)
		if (seller_name(jx_cstr(jx_at(in, i))))
			sb_addf(out, ", %s", seller_name(jx_cstr(jx_at(in, i))));
	sb_addf(out, " (%s)\n", vars_get(&t->vs, "company"));
}

/* The deal's people of the story (contact Ids or keys), read once per deal. */
static const char *role_ref[3]; /* economic buyer, champion, technical contact */

static void
roles_read(jv story)
{
	role_ref[0] = jx_str(story, "economic_buyer");
	role_ref[1] = jx_str(story, "champion");
	role_ref[2] = jx_str(story, "technical_contact");
}

/* The person of the story behind a people topic, or NULL. */
static const char *
topic_person(jv story, int topic)
{
	(void)story;
	if (topic == T_CHAMPION)
		return role_ref[1];
	if (topic == T_ECONOMIC_BUYER)
		return role_ref[0];
	if (topic == T_DECISION_CRITERIA || topic == T_PAPER_PROCESS)
		return role_ref[2];
	return NULL;
}

/* Picks who said a topic in a meeting: the person of the topic when present, else one
 * of those present; sets {speaker}. Returns 1 when the topic's own person speaks. */
static int
speaker_for(struct deal_text *t, const struct voice *v, jv story, int topic)
{
	const char *ref = topic_person(story, topic), *first = NULL;
	const struct person *p;
	int i, own = 0;

	for (i = 0; ref && i < v->nspeakers; i++)
		if (!strcmp(v->speakers[i], ref))
			own = 1;
	if (!own && v->nspeakers)
		ref = v->speakers[rng_range(&t->r, 0, v->nspeakers - 1)];
	if ((p = deal_person(t->people, t->n, ref)) != NULL)
		first = p->first;
	vars_set(&t->vs, "speaker", first ? first : "the team");
	return own;
}

/* 1 when a and b are one person: the same contact, or two records of one name (an
 * org's duplicates), who must not be written about in the third person either. */
static int
same_person(const struct person *a, const struct person *b)
{
	return a && b && (a == b || !strcmp(a->ref, b->ref) || !strcmp(a->name, b->name));
}

/* Sets {eb_first}, {champion_first} and {tech_first} for an email: a first name, or the
 * full name when the writer or the reader has the same first name. */
static void
third_names(struct deal_text *t, jv story, const struct voice *v)
{
	static const char *const vars[] = { "eb_first", "champion_first", "tech_first" };
	int k;

	(void)story;
	for (k = 0; k < 3; k++) {
		const struct person *p = deal_person(t->people, t->n, role_ref[k]);

		if (p == NULL)
			continue;
		vars_set(&t->vs, vars[k], (v->reader && !same_person(p, v->reader) &&
		    !strcmp(p->first, v->reader->first)) || (v->author && !same_person(p, v->author) &&
		    !strcmp(p->first, v->author->first)) ? p->name : p->first);
	}
}

/* Writes one topic's sentence: the plain section, or its ".you" / ".me" / ".speaker"
 * form when the topic's person is the reader, the author or the one speaking. The
 * fact is said in full the first time in the deal, in short after that. */
static int
topic_line(struct sb *out, struct ctx *c, struct deal_text *t, const struct voice *v, jv story,
    const char *base, int topic, char *err, size_t errsize)
{
	const char *ref = topic_person(story, topic);
	const char *rel = NULL;

	deal_text_facts(t, said);
	third_names(t, story, v);
	if (v->meeting) {
		if (speaker_for(t, v, story, topic) && topic != T_DECISION_CRITERIA &&
		    topic != T_PAPER_PROCESS)
			rel = "speaker";
	} else if (ref && (topic == T_CHAMPION || topic == T_ECONOMIC_BUYER)) {
		const struct person *p = deal_person(t->people, t->n, ref);

		if (same_person(p, v->reader))
			rel = "you";
		else if (same_person(p, v->author))
			rel = "me";
	}
	/* The sections the bank has, the most particular first: relation and "again" (said
	 * before in this deal), relation, "again", plain. */
	{
		static char names[4][128];
		const char *cand[5];
		const char *name = topic_name((enum topic)topic);
		int again = (said & (1u << topic)) != 0, k, n = 0;

		for (k = 0; k < 4; k++) {
			int r = k < 2, ag = k == 0 || k == 2;

			if ((r && !rel) || (ag && !again))
				continue;
			snprintf(names[n], sizeof names[n], "%s.%s%s%s%s", base, name, r ? "." : "",
			    r ? rel : "", ag ? ".again" : "");
			if (bank_count(c->b, names[n]) > 0 || k == 3)
				cand[n] = names[n], n++;
		}
		cand[n] = NULL;
		if (add_first_fresh(out, c, t, cand, err, errsize) != 0)
			return -1;
		/* A fact said for the first time gets a second, short sentence, as people
		 * explain what they bring up ([BASE.TOPIC.more]). */
		snprintf(names[0], sizeof names[0], "%s.%s.more", base, name);
		if (!again && bank_count(c->b, names[0]) > 0 && rng_chance(&t->r, 0.7)) {
			sb_add(out, " ");
			if (add(out, c, t, names[0], err, errsize) != 0)
				return -1;
		}
	}
	said |= 1u << topic;
	return 0;
}

static int
topics_each(struct sb *out, struct ctx *c, struct deal_text *t, const struct voice *v, jv rec,
    jv act, const char *base, const char *prefix, const char *sep, char *err, size_t errsize)
{
	jv story = jx_get(rec, "story", JV_KIND_OBJECT);
	const struct item *it = &items[cur_item];
	char sect[128];
	int i;

	(void)act;
	for (i = 0; i < it->ntopics; i++) {
		int topic = it->topics[i];
		const char *tp = topic_name((enum topic)topic);

		sb_add(out, prefix);
		if (!strcmp(base, "agenda")) {
			snprintf(sect, sizeof sect, "agenda.%s", tp);
			if (add(out, c, t, sect, err, errsize) != 0)
				return -1;
		} else if (topic_line(out, c, t, v, story, base, topic, err, errsize) != 0) {
			return -1;
		}
		sb_add(out, sep);
	}
	return 0;
}

/* Two different next steps: the meeting type's own when the bank has one, and a
 * general one. In the rep's notes people go by first name; in an email to the customer
 * the rep is "I" and the reader "you". */
static int
next_steps(struct sb *out, struct ctx *c, struct deal_text *t, const char *type, int email,
    char *err, size_t errsize)
{
	char sect[128];
	int n = bank_count(c->b, "next.any"), i, j;
	const char *contact = vars_get(&t->vs, "contact_first");

	vars_set(&t->vs, "owner_who", email ? "I" : t->owner_first);
	vars_set(&t->vs, "contact_who", email ? (contact && strcmp(contact, "team") ? "you" :
	    "your team") : contact && strcmp(contact, "team") ? contact : "the team");
	snprintf(sect, sizeof sect, "next.%s", type);
	if (n < 2) {
		snprintf(err, errsize, "phrase bank needs two lines in [next.any]");
		return -1;
	}
	i = (int)rng_range(&t->r, 0, n - 1);
	j = (i + (int)rng_range(&t->r, 1, n - 1)) % n;
	if (bank_count(c->b, sect) > 0) {
		if (add(out, c, t, sect, err, errsize))
			return -1;
	} else if (render(out, bank_line(c->b, "next.any", j), &t->vs, &t->r, err, errsize)) {
		return -1;
	}
	sb_add(out, "\n- ");
	if (render(out, bank_line(c->b, "next.any", i), &t->vs, &t->r, err, errsize))
		return -1;
	sb_add(out, "\n");
	return 0;
}

/* Drops the separator a list of sentences leaves behind. */
static void
trim_end(struct sb *out)
{
	while (out->len && (out->s[out->len - 1] == ' ' || out->s[out->len - 1] == '\n'))
		out->s[--out->len] = '\0';
}

/* Where a meeting happens: a video link with a dial-in, or a room. The numbers are the
 * deal's own (a meeting ID from its generator), never a real conference. */
static int
where_line(struct sb *out, struct ctx *c, struct deal_text *t, char *err, size_t errsize)
{
	static char id[16], spaced[16], code[16], pin[12], floor_[8];
	static const char *const rooms[] = { "Harbor", "Summit", "Maple", "Atlas", "Cedar",
		"Granite", "Lakeview", "Orion" };
	long n = rng_range(&t->r, 100000000L, 999999999L);
	int k;

	snprintf(id, sizeof id, "8%09ld", n);
	snprintf(spaced, sizeof spaced, "%.3s %.3s %.4s", id, id + 3, id + 6);
	for (k = 0; k < 10; k++)
		code[k] = k == 3 || k == 8 ? '-' : (char)('a' + rng_range(&t->r, 0, 25));
	code[10] = '\0';
	snprintf(pin, sizeof pin, "%ld", rng_range(&t->r, 100000000L, 999999999L));
	snprintf(floor_, sizeof floor_, "%ld%s", rng_range(&t->r, 2, 9), "th");
	vars_set(&t->vs, "meeting_id", id);
	vars_set(&t->vs, "meeting_id_spaced", spaced);
	vars_set(&t->vs, "meet_code", code);
	vars_set(&t->vs, "pin", pin);
	vars_set(&t->vs, "floor", floor_);
	vars_set(&t->vs, "room", rooms[rng_range(&t->r, 0, 7)]);
	sb_add(out, "Where: ");
	if (add(out, c, t, rng_chance(&t->r, 0.8) ? "where.video" : "where.room", err, errsize))
		return -1;
	sb_add(out, "\n");
	return 0;
}

static int
meeting_body(struct sb *out, struct ctx *c, struct deal_text *t, const struct voice *v, jv rec,
    jv act, int past, char *err, size_t errsize)
{
	const char *type = jx_str(act, "type") ? jx_str(act, "type") : "any";

	if (!strcmp(type, "internal_prep")) {
		/* The seller's own call: no customer, the plan for the meeting it prepares. */
		attendee_line(out, t, act);
		sb_add(out, "\nNotes\n");
		if (add(out, c, t, "notes.open.internal_prep", err, errsize))
			return -1;
		sb_add(out, "\n\nWhat to cover\n");
		if (topics_each(out, c, t, v, rec, act, "agenda", "- ", "\n", err, errsize))
			return -1;
		sb_add(out, "\nPrep\n- ");
		if (add(out, c, t, "prep.any", err, errsize))
			return -1;
		sb_add(out, "\n");
		return 0;
	}
	if (past) {
		attendee_line(out, t, act);
		if (where_line(out, c, t, err, errsize))
			return -1;
		sb_add(out, "\nAgenda\n");
		if (topics_each(out, c, t, v, rec, act, "agenda", "- ", "\n", err, errsize))
			return -1;
		sb_add(out, "\nNotes\n");
		vars_set(&t->vs, "speaker", v->nspeakers ? vars_get(&t->vs, "contact_first") : "the team");
		if (add_typed(out, c, t, "notes.open", type, err, errsize))
			return -1;
		sb_add(out, " ");
		if (topics_each(out, c, t, v, rec, act, "meeting", "", " ", err, errsize))
			return -1;
		trim_end(out);
		sb_add(out, "\n\nNext steps\n- ");
		if (next_steps(out, c, t, type, 0, err, errsize))
			return -1;
	} else {
		sb_add(out, "Planned agenda\n");
		attendee_line(out, t, act);
		if (where_line(out, c, t, err, errsize))
			return -1;
		sb_add(out, "\nGoals\n");
		if (topics_each(out, c, t, v, rec, act, "agenda", "- ", "\n", err, errsize))
			return -1;
		sb_add(out, "\nPrep\n- ");
		if (add_typed(out, c, t, "prep", type, err, errsize))
			return -1;
		sb_add(out, "\n");
	}
	return 0;
}

/* A reply quotes the first lines of what it answers, as mail clients do. */
static void
quote_block(struct sb *out, const char *from, const char *quote)
{
	const char *p = quote;
	int lines = 0;

	sb_addf(out, "\nOn %s wrote:\n", from);
	while (*p && lines < 4) {
		size_t n = strcspn(p, "\n");
		sb_add(out, "> ");
		sb_addn(out, p, n);
		sb_add(out, "\n");
		p += n + (p[n] == '\n');
		lines++;
	}
}

/* The rep's title in a signature (the org's User.Title when dg-query has it). */
static const char *owner_title = "Account Executive";

/* The rep's signature: name, title, company and a phone number of the 555-01xx range
 * kept for fiction, the same for a rep across deals. */
static void
signature(struct sb *out, struct deal_text *t, const char *owner_id)
{
	uint64_t h = hash_str(FNV_OFFSET, owner_id ? owner_id : vars_get(&t->vs, "owner"));

	sb_addf(out, "%s\n%s, %s\n+1 %03d 555 01%02d\n", vars_get(&t->vs, "owner"),
	    owner_title, vars_get(&t->vs, "company"), (int)(200 + h % 700), (int)((h >> 16) % 100));
}

/* The first names of the people in copy ("Ana", "Ana and Raj", "Ana, Raj and Li"), or
 * an empty string. */
static void
cc_names(struct deal_text *t, jv act, const struct voice *v, char *buf, size_t size)
{
	jv cc = jx_get(act, "cc", JV_KIND_ARRAY);
	const char *names[8];
	int i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < jx_len(cc) && n < 8; i++) {
		const struct person *p = deal_person(t->people, t->n, jx_cstr(jx_at(cc, i)));

		if (p == NULL || same_person(p, v->reader) || same_person(p, v->author))
			continue;
		/* Two people of one first name are told apart by their full names. */
		names[n++] = (v->reader && !strcmp(p->first, v->reader->first)) ||
		    (v->author && !strcmp(p->first, v->author->first)) ? p->name : p->first;
	}
	if (n > 3) {
		snprintf(buf, size, "the wider team");
		return;
	}
	for (i = 0; i < n; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i == 0 ? "" : i == n - 1 ?
		    " and " : ", ", names[i]);
}

/* Times offered for the next meeting: its own start first, then one or two others
 * on nearby working days, in the reader's zone ("Tuesday, March 3 at 10:00 AM ET"). */
static void
slots_text(struct deal_text *t, time_t next, char *buf, size_t size)
{
	static const int shift_h[] = { 0, 24, 48, -24 }, shift_m[] = { 0, 60, -90, 120 };
	struct tm lt;
	int k, n = 2 + (int)rng_range(&t->r, 0, 1);
	const char *zone = NULL;

	buf[0] = '\0';
	for (k = 0; k < n; k++) {
		time_t s = next + (time_t)(shift_h[k] * 3600 + (k ? shift_m[rng_range(&t->r, 0, 3)] : 0) * 60);
		char one[64];

		tz_local(t->tz, s, &lt);
		if (lt.tm_wday == 0 || lt.tm_wday == 6) {
			s += lt.tm_wday == 6 ? 2 * 86400 : 86400;
			tz_local(t->tz, s, &lt);
		}
		if (lt.tm_hour < 9 || lt.tm_hour > 16) {
			s -= (lt.tm_hour - 10) * 3600;
			tz_local(t->tz, s, &lt);
		}
		strftime(one, sizeof one, "%A, %B %-d at %-l:%M %p", &lt);
		zone = lt.tm_zone;
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", k == 0 ? "" : k == n - 1 ?
		    " or " : ", ", one);
	}
	if (zone && isalpha((unsigned char)zone[0]))
		snprintf(buf + strlen(buf), size - strlen(buf), " %s", zone);
}

/* Formats a time as "Tuesday"/"March 3"/"10:00 AM" in the deal's zone into vars. */
static void
when_vars(struct deal_text *t, time_t ts, const char *day, const char *date, const char *tm_var)
{
	static char bufs[6][32];
	static int k;
	struct tm lt;

	tz_local(t->tz, ts, &lt);
	strftime(bufs[k % 6], sizeof bufs[0], "%A", &lt);
	vars_set(&t->vs, day, bufs[k++ % 6]);
	strftime(bufs[k % 6], sizeof bufs[0], "%B %-d", &lt);
	vars_set(&t->vs, date, bufs[k++ % 6]);
	if (tm_var) {
		strftime(bufs[k % 6], sizeof bufs[0], "%-l:%M %p", &lt);
		vars_set(&t->vs, tm_var, bufs[k++ % 6]);
	}
}

/* A forwarded message under the note that forwards it, the way mail clients lay it out. */
static void
forward_block(struct sb *out, const char *from, const char *date, const char *subject,
    const char *body)
{
	const char *q = strstr(body, "\nOn ");

	sb_addf(out, "\n---------- Forwarded message ---------\nFrom: %s\nDate: %s\nSubject: %s\n\n",
	    from, date, subject);
	sb_addn(out, body, q ? (size_t)(q - body) : strlen(body));
	sb_add(out, "\n");
}

/* What an email is: its place in the deal and the texture it takes. */
struct mail {
	jv act, parent;       /* parent: what it answers, or invalid */
	const char *type, *quote, *quote_from;
	const char *forward_date, *forward_subject;
	const char *root;     /* the type of the message that started the thread */
	int signing;          /* written in the last days before a won deal closes */
	int forward;          /* forwards an earlier email instead of quoting one */
	int parent_late;      /* a customer's answer days after the message it answers */
	int after_won;        /* written after a won deal closed */
	time_t start;
};

static int
is_type(const char *type, const char *const *list)
{
	for (; type && *list; list++)
		if (!strcmp(type, *list))
			return 1;
	return 0;
}

/* The paragraph of the message itself, for the types that have one ([email.body.TYPE]):
 * two of its lines, three now and then, so some messages run long. */
static int
body_lines(struct sb *out, struct ctx *c, struct deal_text *t, const char *type, char *err,
    size_t errsize)
{
	char sect[64];
	int k, n;

	snprintf(sect, sizeof sect, "email.body.%s", type);
	if (bank_count(c->b, sect) == 0)
		return 0;
	/* Now and then a long one: a rep who writes everything down. */
	n = 2 + rng_chance(&t->r, 0.4) + rng_chance(&t->r, 0.2) + 7 * rng_chance(&t->r, 0.3);
	if (n > bank_count(c->b, sect))
		n = bank_count(c->b, sect);
	strict_draw = 1;
	for (k = 0; k < n; k++) {
		if (add(out, c, t, sect, err, errsize)) {
			strict_draw = 0;
			return -1;
		}
		sb_add(out, k + 1 < n ? " " : "\n\n");
	}
	strict_draw = 0;
	return 0;
}

/* The lists some emails carry, as real ones do: a dated plan of the meetings ahead
 * (action plans, rollout plans), the commercial terms (proposals, quotes, order forms),
 * next steps (recaps). Nothing for other emails. */
static int
details(struct sb *out, struct ctx *c, struct deal_text *t, jv rec, const struct mail *m,
    char *err, size_t errsize)
{
	static const char *const plans[] = { "mutual_action_plan", "rollout_plan", "welcome",
		"pilot_criteria", NULL };
	static const char *const terms[] = { "proposal", "renewal_quote", "order_form", "roi_model",
		NULL };
	jv opp = jx_get(rec, "opportunity", JV_KIND_OBJECT);
	char sect[64], when[32];
	int j, k = 0;
	time_t ts;
	struct tm lt;

	if (is_type(m->type, plans)) {
		sb_add(out, "Plan\n");
		for (j = 0; j < nact_keys && k < 6; j++) {
			const char *line;

			if (!items[j].customer_meeting || items[j].start <= m->start)
				continue;
			tz_local(t->tz, items[j].start, &lt);
			strftime(when, sizeof when, "%B %-d", &lt);
			line = bank_line(c->b, typed(c, sect, sizeof sect, "name", items[j].type), 0);
			sb_addf(out, "- %s is the %s.\n", when, line ? line : "meeting");
			k++;
		}
		if (jx_str(opp, "CloseDate") && time_parse(jx_str(opp, "CloseDate"), &ts) == 0 &&
		    ts > m->start) {
			tz_local("UTC", ts, &lt);
			strftime(when, sizeof when, "%B %-d", &lt);
			sb_addf(out, "- Signature is planned for %s.\n", when);
			k++;
		}
		if (k == 0)
			out->len -= 5, out->s[out->len] = '\0';
		else
			sb_add(out, "\n");
		return 0;
	}
	if (is_type(m->type, terms)) {
		sb_add(out, "Terms\n");
		for (j = 0; j < 4; j++) {
			sb_add(out, "- ");
			snprintf(sect, sizeof sect, "terms.%d", j + 1);
			if (add(out, c, t, sect, err, errsize))
				return -1;
			sb_add(out, "\n");
		}
		sb_add(out, "\n");
		return 0;
	}
	if (!strcmp(m->type, "recap")) {
		sb_add(out, "Next steps\n- ");
		if (next_steps(out, c, t, vars_get(&t->vs, "meeting_type"), 1, err, errsize))
			return -1;
		sb_add(out, "\n");
	}
	return 0;
}

static int
email_body(struct sb *out, struct ctx *c, struct deal_text *t, const struct voice *v, jv rec,
    const struct mail *m, char *err, size_t errsize)
{
	jv topics = jx_get(m->act, "topics", JV_KIND_ARRAY);
	const char *type = m->type;
	int short_reply = !strcmp(type, "reply") && jx_len(topics) == 0, rc;
	char cc[256], sect[64];

	cc_names(t, m->act, v, cc, sizeof cc);
	vars_set(&t->vs, "cc", cc);
	vars_set(&t->vs, "Cc", cc);
	/* The greeting: the reader by first name, and whoever is in copy; a short answer
	 * often has none. */
	if (!short_reply || rng_chance(&t->r, 0.5)) {
		if (!strcmp(vars_get(&t->vs, "to"), "team"))
			sb_add(out, "Hi team,");
		else if (add(out, c, t, *cc ? (strstr(cc, " and ") || !strncmp(cc, "the ", 4) ? "greet.all" :
		    "greet.cc") : "greet",
		    err, errsize))
			return -1;
		sb_add(out, "\n\n");
	}
	if (short_reply) {
		int about_meeting = jv_is_valid(m->parent) && vars_get(&t->vs, "meeting_time") &&
		    *vars_get(&t->vs, "meeting_time");

		char own[64];

		/* A thread the bank has short answers for ("reply.short.order_form"), else one
		 * about the next meeting, else any. */
		snprintf(own, sizeof own, "%s.%s", v->inbound ? "reply.short" : "email.short", m->root);
		if (add(out, c, t, bank_count(c->b, own) > 0 ? own : typed(c, sect, sizeof sect,
		    v->inbound ? "reply.short" : "email.short", about_meeting ? "meeting" : "any"), err,
		    errsize))
			return -1;
		/* Not every answer is a one-liner: some say a little more. */
		if (rng_chance(&t->r, 0.45)) {
			sb_add(out, " ");
			strict_draw = 1;
			rc = add(out, c, t, v->inbound ? "reply.body.any" : "email.body.reply", err, errsize);
			if (rc == 0 && rng_chance(&t->r, 0.5)) {
				sb_add(out, " ");
				rc = add(out, c, t, v->inbound ? "reply.body.any" : "email.body.reply", err,
				    errsize);
			}
			strict_draw = 0;
			if (rc != 0)
				return -1;
		}
		sb_add(out, "\n\n");
	} else {
		if (m->forward) {
			if (add(out, c, t, "email.open.forward", err, errsize))
				return -1;
		} else if (v->inbound) {
			if (m->parent_late && add(out, c, t, "reply.open.late", err, errsize))
				return -1;
			if (m->parent_late)
				sb_add(out, " ");
			if (add_typed(out, c, t, "reply.open", !strcmp(type, "reply") ? m->root : type,
			    err, errsize))
				return -1;
		} else {
			/* An answer in a thread the bank knows ("email.reply.order_form"), or the
			 * type's own opening. */
			snprintf(sect, sizeof sect, "email.reply.%s", m->root);
			if (!strcmp(type, "reply") && bank_count(c->b, sect) > 0) {
				if (add(out, c, t, sect, err, errsize))
					return -1;
			} else if (add_typed(out, c, t, "email.open", type, err, errsize)) {
				return -1;
			}
		}
		if (*cc && !v->inbound && rng_chance(&t->r, 0.6)) {
			sb_add(out, " ");
			if (add(out, c, t, "cc.note", err, errsize))
				return -1;
		}
		sb_add(out, "\n\n");
		if (topics_each(out, c, t, v, rec, m->act, v->inbound ? "reply" : "email", "", " ",
		    err, errsize))
			return -1;
		trim_end(out);
		sb_add(out, "\n\n");
		if (!v->inbound && *vars_get(&t->vs, "slots")) {
			if (add(out, c, t, "email.slots", err, errsize))
				return -1;
			sb_add(out, " ");
			if (add(out, c, t, "email.slots.after", err, errsize))
				return -1;
			sb_add(out, "\n\n");
		}
		if (!v->inbound && body_lines(out, c, t, m->type, err, errsize) != 0)
			return -1;
		if (!v->inbound && details(out, c, t, rec, m, err, errsize) != 0)
			return -1;
		if (m->signing && !v->inbound) {
			if (add(out, c, t, "email.signing", err, errsize))
				return -1;
			sb_add(out, "\n\n");
		}
		if (m->after_won && !v->inbound) {
			if (add(out, c, t, "email.won", err, errsize))
				return -1;
			sb_add(out, "\n\n");
		}
		if (!rng_chance(&t->r, 0.25)) {
			if (add_typed(out, c, t, v->inbound ? "reply.close" : "email.close", type, err,
			    errsize))
				return -1;
			sb_add(out, "\n\n");
		}
	}
	/* The sign-off and signature: the rep's full one on a new message, a first name on
	 * a quick answer; the customer signs with a first name, or in full on a long one. */
	if (add(out, c, t, v->inbound ? "reply.signoff" : "signoff", err, errsize))
		return -1;
	sb_add(out, "\n");
	if (v->inbound) {
		const struct person *p = v->author;

		if (p && !short_reply && p->title && *p->title && rng_chance(&t->r, 0.4))
			sb_addf(out, "%s\n%s, %s\n", p->name, p->title, vars_get(&t->vs, "account"));
		else
			sb_addf(out, "%s\n", p ? p->first : "The team");
	} else if (short_reply || (jv_is_valid(m->parent) && rng_chance(&t->r, 0.5))) {
		sb_addf(out, "%s\n", t->owner_first);
	} else {
		signature(out, t, jx_str(jx_get(jx_get(rec, "opportunity", JV_KIND_OBJECT), "Owner",
		    JV_KIND_OBJECT), "Id"));
	}
	if (m->quote && *m->quote) {
		if (m->forward)
			forward_block(out, m->quote_from, m->forward_date, m->forward_subject, m->quote);
		else
			quote_block(out, m->quote_from, m->quote);
	}
	return 0;
}

/* ---- one deal ---- */

/* The index of the activity whose key is key, or -1. */
static int
key_index(const char *key)
{
	uint64_t h;
	int i;

	if (key == NULL)
		return -1;
	h = hash_str(FNV_OFFSET, key);
	for (i = 0; i < nact_keys; i++)
		if (act_hashes[i] == h && act_keys[i] && strcmp(act_keys[i], key) == 0)
			return i;
	return -1;
}

static void
keys_read(jv acts)
{
	int i, n = jx_len(acts);

	act_keys = xrealloc(act_keys, (size_t)(n + 1) * sizeof *act_keys);
	act_hashes = xrealloc(act_hashes, (size_t)(n + 1) * sizeof *act_hashes);
	items = xrealloc(items, (size_t)(n + 1) * sizeof *items);
	for (i = 0; i < n; i++) {
		act_keys[i] = jx_str(jx_at(acts, i), "key");
		act_hashes[i] = act_keys[i] ? hash_str(FNV_OFFSET, act_keys[i]) : 0;
	}
	nact_keys = n;
	for (i = 0; i < n; i++) {
		jv a = jx_at(acts, i);
		struct item *it = &items[i];
		const char *kind = jx_str(a, "kind");

		it->key = act_keys[i];
		it->type = jx_str(a, "type") ? jx_str(a, "type") : "any";
		it->start = 0;
		if (jx_str(a, "start"))
			time_parse(jx_str(a, "start"), &it->start);
		it->meeting = kind && !strcmp(kind, "meeting");
		it->customer_meeting = it->meeting && strcmp(it->type, "internal_prep");
		it->ooo = !strcmp(it->type, "out_of_office");
		it->reply_to = key_index(jx_str(a, "reply_to"));
		{
			jv tp = jx_get(a, "topics", JV_KIND_ARRAY);
			int k, n2 = jx_len(tp), topic;

			it->ntopics = 0;
			for (k = 0; k < n2 && it->ntopics < T_COUNT; k++)
				if (jx_cstr(jx_at(tp, k)) && (topic = topic_find(jx_cstr(jx_at(tp, k)))) >= 0)
					it->topics[it->ntopics++] = topic;
		}
	}
}

/* Sets {meeting} to what the meeting of type is called in a sentence. */
static void
meeting_name(struct ctx *c, struct deal_text *t, const char *type)
{
	char sect[64];
	const char *line = bank_line(c->b, typed(c, sect, sizeof sect, "name", type), 0);

	vars_set(&t->vs, "meeting", line ? line : "meeting");
}

/* The first customer meeting after time after, or -1. */
static int
next_meeting(time_t after)
{
	int j, best = -1;

	for (j = 0; j < nact_keys; j++)
		if (items[j].customer_meeting && items[j].start > after &&
		    (best < 0 || items[j].start < items[best].start))
			best = j;
	return best;
}

/* Sets the voice of activity a: who writes, who reads, who may speak in the notes. */
static void
voice_of(struct deal_text *t, jv a, int meeting, struct voice *v)
{
	const char *dir = jx_str(a, "direction");
	const struct person *who = deal_person(t->people, t->n, jx_str(a, "who"));
	jv att = jx_get(a, "attendees", JV_KIND_ARRAY);
	int i;

	memset(v, 0, sizeof *v);
	v->meeting = meeting;
	v->inbound = dir && strcmp(dir, "inbound") == 0;
	if (v->inbound)
		v->author = who;
	else
		v->reader = who;
	if (who)
		v->speakers[v->nspeakers++] = who->ref;
	for (i = 0; i < jx_len(att) && v->nspeakers < 16; i++) {
		const struct person *p = deal_person(t->people, t->n, jx_cstr(jx_at(att, i)));

		if (p && p != who)
			v->speakers[v->nspeakers++] = p->ref;
	}
	vars_set(&t->vs, "to", meeting ? "team" : v->inbound ? t->owner_first :
	    who ? who->first : "team");
	deal_text_person(t, "contact", "contact_first", jx_str(a, "who"), "team");
}

/* 1 when an automatic reply answered email p: its real answer says the person was away. */
static int
away_before(int p)
{
	int j;

	for (j = 0; p >= 0 && j < nact_keys; j++)
		if (items[j].ooo && items[j].reply_to == p)
			return 1;
	return 0;
}

/* Subject, body and texture of email i, from what it answers or forwards. */
static void
mail_of(struct ctx *c, struct deal_text *t, jv acts, jv out, int i, struct mail *m,
    struct sb *subj, char *quote_from, size_t qsize, char *fdate, size_t fsize)
{
	static const char *const forwardable[] = { "resources", "case_study",
		"security_questionnaire", "reference_call", "usage_report", NULL };
	jv a = jx_at(acts, i);
	int p = key_index(jx_str(a, "reply_to"));
	time_t pt;
	struct tm plt;

	memset(m, 0, sizeof *m);
	m->act = a;
	m->type = jx_str(a, "type") ? jx_str(a, "type") : "any";
	m->root = m->type;
	{
		int q = p, hops = 0;

		while (q >= 0 && hops++ < 64) {
			m->root = items[q].type;
			q = items[q].reply_to;
		}
	}
	/* out holds the activities; those before i are written. */
	m->parent = p >= 0 && p < i ? jx_at(out, p) : jv_invalid();
	time_parse(jx_str(a, "start"), &m->start);
	if (!jv_is_valid(m->parent) && is_type(m->type, forwardable) && rng_chance(&t->r, 0.3)) {
		/* Forward the latest email written so far, with a note on top. */
		for (p = i - 1; p >= 0; p--)
			if (jx_str(jx_at(out, p), "kind") && !strcmp(jx_str(jx_at(out, p), "kind"), "email") &&
			    jx_str(jx_at(out, p), "body"))
				break;
		if (p >= 0) {
			m->parent = jx_at(out, p);
			m->forward = 1;
		}
	}
	if (!jv_is_valid(m->parent) || !jx_str(m->parent, "subject"))
		return;
	{
		const char *ps = jx_str(m->parent, "subject"), *pdir = jx_str(m->parent, "direction");
		int pin = pdir && strcmp(pdir, "inbound") == 0;
		const char *pre = m->forward ? "Fwd: " : "Re: ";

		if (!strncmp(ps, "Re: ", 4) || !strncmp(ps, "Fwd: ", 5))
			ps += *ps == 'R' ? 4 : 5;
		sb_addf(subj, "%s%s", pre, ps);
		m->quote = jx_str(m->parent, "body");
		if (jx_str(m->parent, "start") && time_parse(jx_str(m->parent, "start"), &pt) == 0) {
			tz_local(t->tz, pt, &plt);
			strftime(fdate, fsize, m->forward ? "%a, %b %-d, %Y at %-l:%M %p" :
			    "%a, %b %-d, %Y at %-l:%M %p", &plt);
			m->parent_late = !m->forward && (m->start - pt >= 4 * 86400 || away_before(p));
		} else {
			snprintf(fdate, fsize, "an earlier date");
		}
		deal_text_person(t, "parent", "parent_first", jx_str(m->parent, "who"), "the team");
		snprintf(quote_from, qsize, m->forward ? "%s" : "%s, %s", m->forward ?
		    (pin ? vars_get(&t->vs, "parent") : vars_get(&t->vs, "owner")) : fdate,
		    pin ? vars_get(&t->vs, "parent") : vars_get(&t->vs, "owner"));
		m->quote_from = quote_from;
		m->forward_date = fdate;
		m->forward_subject = jx_str(m->parent, "subject");
	}
	(void)c;
}

/* An automatic reply: "Automatic reply: SUBJECT", away until the day the person
 * answers for real, a colleague named for anything urgent. */
static int
away_body(struct sb *subj, struct sb *body, struct ctx *c, struct deal_text *t, jv acts, jv out,
    int i, char *err, size_t errsize)
{
	jv a = jx_at(acts, i);
	int p = items[i].reply_to, j;
	const struct person *who = deal_person(t->people, t->n, jx_str(a, "who")), *cover = NULL;
	char back[64], email[256];
	time_t rt = items[i].start + 3 * 86400;
	struct tm lt;

	/* Back on the day the real answer comes. */
	for (j = 0; p >= 0 && j < nact_keys; j++)
		if (j != i && items[j].reply_to == p && !items[j].ooo)
			rt = items[j].start;
	tz_local(t->tz, rt, &lt);
	strftime(back, sizeof back, "%A, %B %-d", &lt);
	for (j = 0; j < t->n && cover == NULL; j++)
		if (!same_person(&t->people[j], who) && t->people[j].email && *t->people[j].email &&
		    !(who && !strcmp(t->people[j].first, who->first)))
			cover = &t->people[j];
	snprintf(email, sizeof email, "%s", cover ? cover->email : "");
	vars_set(&t->vs, "back_date", back);
	vars_set(&t->vs, "cover_first", cover ? cover->first : "my team");
	vars_set(&t->vs, "cover_email", email);
	sb_addf(subj, "Automatic reply: %s", p >= 0 && p < i && jx_str(jx_at(out, p), "subject") ?
	    jx_str(jx_at(out, p), "subject") : "your message");
	if (add(body, c, t, "ooo", err, errsize))
		return -1;
	sb_addf(body, "\n\nRegards,\n%s\n", who ? who->name : "The team");
	return 0;
}

/* Prepares activity a's prompt for the LLM pass while the deal's words are at hand: the
 * story in full, who writes to whom, the length and texture of the heuristic draft it
 * rewrites. The pass reads the hidden fields (_prompt, _mention, _avoid, _quote_from)
 * and removes them. Returns 0, or -1 with err. */
static int
llm_prompt(struct ctx *c, struct deal_text *t, jv rec, jv *a, int i, int n, jv out,
    const struct voice *v, const struct mail *m, const struct sb *subj, const struct sb *body,
    char *err, size_t errsize)
{
	struct sb pr = { 0 }, ppl = { 0 }, earlier = { 0 }, task = { 0 }, len = { 0 };
	char posn[16], tot[16], date[64];
	jv cs = jx_get(rec, "contacts", JV_KIND_ARRAY);
	const char *type = jx_str(*a, "type") ? jx_str(*a, "type") : "", *when = jx_str(*a, "when");
	const char *bs = body->s ? body->s : "", *q, *author, *audience, *avoid;
	char *draft;
	time_t ts;
	struct tm lt;
	int k, words, rc;

	for (k = 0; k < jx_len(cs); k++) {
		jv ct = jx_at(cs, k);
		const char *nm = jx_str(ct, "Name") ? jx_str(ct, "Name") : jx_str(ct, "LastName");

		if (nm)
			sb_addf(&ppl, "%s%s (%s%s%s)", ppl.len ? "; " : "", nm, jx_str(ct, "Title") ?
			    jx_str(ct, "Title") : "contact", jx_str(ct, "Role") ? ", " : "",
			    jx_str(ct, "Role") ? jx_str(ct, "Role") : "");
	}
	for (k = i - 3 < 0 ? 0 : i - 3; k < i; k++)
		sb_addf(&earlier, "%s%s", earlier.len ? " | " : "", jx_str(jx_at(out, k), "subject"));
	author = v->inbound ? (v->author ? v->author->name : "the customer") : vars_get(&t->vs, "owner");
	audience = v->meeting ? "the deal team (CRM notes)" : v->inbound ? vars_get(&t->vs, "owner") :
	    (v->reader ? v->reader->name : "the customer's team");
	/* The name the text must not use in the third person: the author's own. */
	avoid = v->meeting ? "" : v->inbound ? (v->author ? v->author->name : "") : vars_get(&t->vs, "owner");
	if (m == NULL)
		sb_addf(&task, when && !strcmp(when, "past") ? "the notes of this %s meeting, written right after it" :
		    "the agenda of this upcoming %s meeting", type);
	else
		sb_addf(&task, "an email from %s to %s%s%s", author, audience,
		    m->forward ? ", forwarding an earlier message" : m->quote ? ", answering the earlier one" : "",
		    v->inbound ? " (the customer writes)" : "");
	for (char *u = task.s; u && *u; u++)
		if (*u == '_')
			*u = ' ';
	q = m && m->quote ? strstr(bs, m->forward ? "\n----------" : "\nOn ") : NULL;
	draft = xstrndup(bs, q ? (size_t)(q - bs) : strlen(bs));
	words = word_count(draft);
	/* The draft's own length sets the answer's: a one-liner stays short. */
	sb_addf(&len, "about %d words (%d to %d)", words, words * 2 / 3 > 3 ? words * 2 / 3 : 3,
	    words * 3 / 2 + 10);
	snprintf(posn, sizeof posn, "%d", i + 1);
	snprintf(tot, sizeof tot, "%d", n);
	time_parse(jx_str(*a, "start"), &ts);
	tz_local(t->tz, ts, &lt);
	strftime(date, sizeof date, "%A %B %-d, %Y", &lt);
	deal_text_facts(t, 0);
	vars_set(&t->vs, "people", sb_str(&ppl));
	vars_set(&t->vs, "position", posn);
	vars_set(&t->vs, "total", tot);
	vars_set(&t->vs, "earlier", earlier.len ? sb_str(&earlier) : "none yet");
	vars_set(&t->vs, "task", sb_str(&task));
	vars_set(&t->vs, "author", author);
	vars_set(&t->vs, "audience", audience);
	vars_set(&t->vs, "texture", m == NULL ? "notes with headings" : !strcmp(type, "reply") &&
	    !jx_len(jx_get(*a, "topics", JV_KIND_ARRAY)) ? "a quick answer of a line or two" :
	    m->forward ? "a short forwarding note" : "a complete email");
	vars_set(&t->vs, "date", date);
	vars_set(&t->vs, "length", sb_str(&len));
	vars_set(&t->vs, "subject", sb_str((struct sb *)subj));
	vars_set(&t->vs, "mention", vars_get(&t->vs, "to"));
	vars_set(&t->vs, "draft", draft);
	rc = prompt_fill(&pr, c->user_tmpl, &t->vs, err, errsize);
	if (rc == 0) {
		*a = jv_object_set(*a, jv_string("_prompt"), jv_string(sb_str(&pr)));
		*a = jv_object_set(*a, jv_string("_mention"), jv_string(m == NULL ? "" : vars_get(&t->vs, "to")));
		*a = jv_object_set(*a, jv_string("_avoid"), jv_string(avoid));
		if (m && m->quote && !m->forward)
			*a = jv_object_set(*a, jv_string("_quote_from"), jv_string(m->quote_from));
	}
	free(draft);
	sb_free(&pr);
	sb_free(&ppl);
	sb_free(&earlier);
	sb_free(&task);
	sb_free(&len);
	return rc;
}

static int
content_one(jv rec, const struct jsonl_pos *pos, void *vctx)
{
	struct ctx *c = vctx;
	static struct deal_text t;
	jv acts;
	jv opp = jx_get(rec, "opportunity", JV_KIND_OBJECT);
	struct sb subj = { 0 }, body = { 0 };
	char where[512], err[512], sect[128], slots[256], quote_from[320], fdate[64];
	const char *stage = jx_str(opp, "StageName");
	int i, n, won = jx_bool(opp, "IsWon", 0) || (stage && strcasestr(stage, "won"));
	time_t close = 0;

	if (deal_id(rec, pos) == NULL) {
		jv_free(rec);
		return 1;
	}
	/* The activities are taken out of the record and written in place: each is the
	 * only reference to itself then, so setting its subject and body copies nothing
	 * (a copy of every activity was a tenth of the time). Those before i are written. */
	acts = jv_copy(jx_get(rec, "activities", JV_KIND_ARRAY));
	if (!jv_is_valid(acts))
		acts = jv_array();
	rec = jv_object_delete(rec, jv_string("activities"));
	n = jx_len(acts);
	won = jx_bool(opp, "IsWon", 0) || (stage && strcasestr(stage, "won"));
	deal_text_init(&t, rec, c->cfg);
	cur_sellers = jx_get(rec, "sellers", JV_KIND_ARRAY);
	keys_read(acts);
	roles_read(jx_get(rec, "story", JV_KIND_OBJECT));
	said = 0;
	nused = 0;
	if (jx_str(opp, "CloseDate"))
		time_parse(jx_str(opp, "CloseDate"), &close);
	for (i = 0; i < n; i++) {
		jv a = jx_at(acts, i);
		const char *kind = jx_str(a, "kind"), *key = jx_str(a, "key"),
		      *type = jx_str(a, "type"), *when = jx_str(a, "when"), *start = jx_str(a, "start");
		struct voice v;
		struct mail m;
		int meeting, rc, about, nm;
		time_t ts, mt;

		if (jv_get_kind(a) != JV_KIND_OBJECT || kind == NULL || key == NULL ||
		    (strcmp(kind, "meeting") && strcmp(kind, "email")) || start == NULL ||
		    time_parse(start, &ts) != 0) {
			warnx("%s: activity %d has no valid 'key', 'kind' and 'start'",
			    jsonl_where(pos, where, sizeof where), i);
			goto bad;
		}
		meeting = strcmp(kind, "meeting") == 0;
		cur_item = i;
		rng_init(&t.r, (uint64_t)c->cfg->seed, t.id, "content", (long)hash_str(FNV_OFFSET, key));
		when_vars(&t, ts, "day", "date", NULL);
		voice_of(&t, a, meeting, &v);
		/* The meeting an email or a prep call is about: what it answers or recaps, else
		 * the next one. */
		about = key_index(jx_str(a, "about"));
		nm = next_meeting(ts);
		if (about < 0 && !meeting)
			about = nm;
		vars_set(&t.vs, "meeting_time", "");
		if (about >= 0 && jx_str(jx_at(acts, about), "start") &&
		    time_parse(jx_str(jx_at(acts, about), "start"), &mt) == 0) {
			meeting_name(c, &t, jx_str(jx_at(acts, about), "type"));
			vars_set(&t.vs, "meeting_type", jx_str(jx_at(acts, about), "type") ?
			    jx_str(jx_at(acts, about), "type") : "any");
			when_vars(&t, mt, "meeting_day", "meeting_date",
			    mt > ts && mt - ts < 14 * 86400 ? "meeting_time" : NULL);
		} else {
			meeting_name(c, &t, NULL);
			vars_set(&t.vs, "meeting_type", "any");
			vars_set(&t.vs, "meeting_day", vars_get(&t.vs, "day"));
			vars_set(&t.vs, "meeting_date", vars_get(&t.vs, "date"));
		}
		slots[0] = '\0';
		if (!meeting && type && !strcmp(type, "scheduling") && nm >= 0 &&
		    time_parse(jx_str(jx_at(acts, nm), "start"), &mt) == 0)
			slots_text(&t, mt, slots, sizeof slots);
		vars_set(&t.vs, "slots", slots);
		sb_reset(&subj);
		sb_reset(&body);
		if (meeting) {
			if (add_typed(&subj, c, &t, "subject.meeting", type, err, sizeof err) != 0)
				goto render_failed;
			rc = meeting_body(&body, c, &t, &v, rec, a, when && strcmp(when, "past") == 0, err,
			    sizeof err);
		} else if (type && !strcmp(type, "out_of_office")) {
			rc = away_body(&subj, &body, c, &t, acts, acts, i, err, sizeof err);
			memset(&m, 0, sizeof m);
		} else {
			mail_of(c, &t, acts, acts, i, &m, &subj, quote_from, sizeof quote_from, fdate,
			    sizeof fdate);
			m.after_won = won && close && ts > close + 86400;
			m.signing = won && close && ts <= close + 86400 && ts > close - 21 * 86400 &&
			    strcmp(m.type, "order_form");
			if (subj.len == 0 && add(&subj, c, &t, typed(c, sect, sizeof sect, "subject.email",
			    type), err, sizeof err) != 0)
				goto render_failed;
			rc = email_body(&body, c, &t, &v, rec, &m, err, sizeof err);
		}
		if (rc != 0)
			goto render_failed;
		subj.len = utf8_trim(sb_str(&subj), subj.len, SUBJECT_MAX);
		body.len = utf8_trim(sb_str(&body), body.len, BODY_MAX);
		a = jv_array_get(jv_copy(acts), i);
		acts = jv_array_set(acts, i, jv_null());
		a = jv_object_set(a, jv_string("subject"), jv_string_sized(sb_str(&subj), (int)subj.len));
		a = jv_object_set(a, jv_string("body"), jv_string_sized(sb_str(&body), (int)body.len));
		rc = c->llm ? llm_prompt(c, &t, rec, &a, i, n, acts, &v, meeting ? NULL : &m, &subj, &body,
		    err, sizeof err) : 0;
		acts = jv_array_set(acts, i, a);
		if (rc != 0)
			goto render_failed;
		continue;
render_failed:
		warnx("%s: activity '%s': %s", jsonl_where(pos, where, sizeof where), key, err);
		goto bad;
	}
	sb_free(&subj);
	sb_free(&body);
	rec = jv_object_set(rec, jv_string("activities"), acts);
	if (c->llm)
		c->done = jv_array_append(c->done, rec);
	else
		jsonl_emit(rec);
	return 0;
bad:
	sb_free(&subj);
	sb_free(&body);
	jv_free(acts);
	jv_free(rec);
	return 1;
}

/* ---- the LLM pass (llm and hybrid) ---- */

static const char schema_text[] =
    "{\"type\":\"object\",\"properties\":{\"subject\":{\"type\":\"string\"},\"body\":{\"type\":\"string\"}},"
    "\"required\":[\"subject\",\"body\"],\"additionalProperties\":false}";

/* What a model's text is checked against: the reader's first name it must use, the
 * author's full name it must not (but in the signature), the activity's date. */
struct text_check {
	const char *mention, *avoid;
	time_t when;
};

/* An LLM text is refused when it is empty, too long, holds a placeholder, does not name
 * the person it is written to, names its own author in the third person, or speaks of
 * a quarter that was already over when it was written. */
static int
check_text(jv ans, void *ctx, char *why, size_t whysize)
{
	const struct text_check *tc = ctx;
	const char *subj = jx_str(ans, "subject"), *body = jx_str(ans, "body"), *q;
	static const char *const residue[] = { "{", "}", "[Name", "[NAME", "[Your", "[your", "[Company", "<name>",
		"Lorem", "lorem ipsum", "TODO", "XXX", "INSERT", NULL };
	if (!subj || !*subj || strlen(subj) > 255 || strchr(subj, '\n')) {
		snprintf(why, whysize, "the subject is missing, too long or not one line");
		return -1;
	}
	if (!body || strlen(body) < 40 || strlen(body) > 12000) {
		snprintf(why, whysize, "the body is missing, too short or too long");
		return -1;
	}
	for (int i = 0; residue[i]; i++)
		if (strstr(subj, residue[i]) || strstr(body, residue[i])) {
			snprintf(why, whysize, "the text holds a placeholder ('%s')", residue[i]);
			return -1;
		}
	if (tc && tc->mention && *tc->mention && !strcasestr(body, tc->mention)) {
		snprintf(why, whysize, "the body does not name %s", tc->mention);
		return -1;
	}
	if (tc && tc->avoid && *tc->avoid && (q = strstr(body, tc->avoid)) != NULL) {
		/* Allowed in the signature: the last three lines. */
		int after = 0;

		for (const char *p = q; *p; p++)
			after += *p == '\n';
		if (after > 3) {
			snprintf(why, whysize, "the text names its own author, %s, in the third person", tc->avoid);
			return -1;
		}
	}
	if (tc && tc->when) {
		struct tm tm;

		gmtime_r(&tc->when, &tm);
		for (q = body; (q = strchr(q, 'Q')) != NULL; q++)
			if (q[1] >= '1' && q[1] <= '4' && q[2] == ' ' && isdigit((unsigned char)q[3]) &&
			    isdigit((unsigned char)q[6]) && atoi(q + 3) * 4 + (q[1] - '1') <
			    (tm.tm_year + 1900) * 4 + tm.tm_mon / 3) {
				snprintf(why, whysize, "the text speaks of %.7s, already over on the day it was written", q);
				return -1;
			}
	}
	return 0;
}


static int
find_index(jv acts, const char *key)
{
	for (int i = 0; key && i < jx_len(acts); i++)
		if (jx_str(jx_at(acts, i), "key") && !strcmp(jx_str(jx_at(acts, i), "key"), key))
			return i;
	return -1;
}

static jv
strip_hidden(jv a)
{
	a = jv_object_delete(a, jv_string("_prompt"));
	a = jv_object_delete(a, jv_string("_mention"));
	a = jv_object_delete(a, jv_string("_avoid"));
	a = jv_object_delete(a, jv_string("_llm"));
	return jv_object_delete(a, jv_string("_quote_from"));
}

/* Asks the LLM for every activity of c->done in one batch (-j at a time), then puts
 * the answers in place; a reply's quote is added last, from the final text of what it
 * answers. Returns the number of items that failed in llm mode. */
static long
llm_pass(struct ctx *c, struct llm *l, int strict)
{
	char *system = prompt_load("prompts/content-system.txt");
	jv schema = jv_parse(schema_text);
	int nd = jx_len(c->done);
	long failed = 0, fallbacks = 0, total = 0;
	for (int d = 0; d < nd; d++)
		total += jx_len(jx_get(jx_at(c->done, d), "activities", JV_KIND_ARRAY));
	struct llm_req *reqs = xcalloc((size_t)total + 1, sizeof *reqs);
	struct text_check *checks = xcalloc((size_t)total + 1, sizeof *checks);
	int *rd = xcalloc((size_t)total + 1, sizeof *rd), *ra = xcalloc((size_t)total + 1, sizeof *ra);
	int nr = 0;
	for (int d = 0; d < nd; d++) {
		jv acts = jx_get(jx_at(c->done, d), "activities", JV_KIND_ARRAY);
		for (int j = 0; j < jx_len(acts); j++) {
			jv a = jx_at(acts, j);
			reqs[nr].system = xstrdup(system);
			reqs[nr].user = xstrdup(jx_str(a, "_prompt") ? jx_str(a, "_prompt") : "");
			reqs[nr].schema = schema;
			reqs[nr].schema_name = "activity_text";
			reqs[nr].validate = check_text;
			checks[nr].mention = jx_str(a, "_mention");
			checks[nr].avoid = jx_str(a, "_avoid");
			if (jx_str(a, "start"))
				time_parse(jx_str(a, "start"), &checks[nr].when);
			reqs[nr].ctx = &checks[nr];
			reqs[nr].answer = jv_invalid();
			rd[nr] = d;
			ra[nr] = j;
			nr++;
		}
	}
	llm_run(l, reqs, nr);
	for (int k = 0; k < nr; k++) {
		int d = rd[k], j = ra[k];
		jv deal = jv_array_get(jv_copy(c->done), d);
		jv acts = jv_object_get(jv_copy(deal), jv_string("activities"));
		jv a = jv_array_get(jv_copy(acts), j);
		const char *key = jx_str(a, "key");
		if (reqs[k].ok) {
			const char *body = jx_str(reqs[k].answer, "body");
			if (!jx_str(a, "_quote_from")) {
				const char *sj = jx_str(reqs[k].answer, "subject");
				a = jv_object_set(a, jv_string("subject"), jv_string_sized(sj, (int)utf8_trim(sj, strlen(sj), SUBJECT_MAX)));
			}
			a = jv_object_set(a, jv_string("body"), jv_string_sized(body, (int)utf8_trim(body, strlen(body), BODY_MAX)));
			a = jv_object_set(a, jv_string("_llm"), jv_true());
		} else {
			if (strict)
				warnx("activity '%s': the LLM gave no usable text: %s", key ? key : "?", reqs[k].err);
			failed += strict;
			fallbacks += !strict;
			a = llm_outcome(a, strict, "dg-content", "key", key, reqs[k].err);
		}
		acts = jv_array_set(acts, j, a);
		c->done = jv_array_set(c->done, d, jv_object_set(deal, jv_string("activities"), acts));
		llm_req_free(&reqs[k]);
	}
	/* Replies written by the model quote the final text of what they answer, in the
	 * order of the plan so that a reply to a reply quotes finished text. */
	for (int d = 0; d < nd; d++) {
		jv deal = jv_array_get(jv_copy(c->done), d);
		jv acts = jv_object_get(jv_copy(deal), jv_string("activities"));
		for (int j = 0; j < jx_len(acts); j++) {
			jv a = jx_at(acts, j);
			int parent = find_index(acts, jx_str(a, "reply_to"));
			const char *from = jx_str(a, "_quote_from");
			if (!jx_bool(a, "_llm", 0) || !from || parent < 0 || !jx_str(jx_at(acts, parent), "body"))
				continue;
			struct sb body = { 0 };
			sb_add(&body, jx_str(a, "body"));
			quote_block(&body, from, jx_str(jx_at(acts, parent), "body"));
			body.len = utf8_trim(sb_str(&body), body.len, BODY_MAX);
			acts = jv_array_set(acts, j, jv_object_set(jv_copy(jx_at(acts, j)), jv_string("body"),
			    jv_string_sized(sb_str(&body), (int)body.len)));
			sb_free(&body);
		}
		c->done = jv_array_set(c->done, d, jv_object_set(deal, jv_string("activities"), acts));
	}
	if (fallbacks)
		warnx("%ld of %ld texts fell back to the phrase banks (hybrid mode)", fallbacks, total);
	free(reqs);
	free(checks);
	free(rd);
	free(ra);
	free(system);
	jv_free(schema);
	return failed;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 'S' },
		{ "mode", required_argument, NULL, 'm' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "no-cache", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { 0 };
	struct dg_config cfg;
	struct ctx c = { 0 };
	const char *mode = NULL, *jobs = NULL;
	time_t now;
	long bad;
	int o, no_cache = 0;

	util_init(argv[0]);
	util_stream_errors();
	while ((o = getopt_long(argc, argv, "c:j:h", opts, NULL)) != -1) {
		switch (o) {
		case 'c': cli.config = optarg; break;
		case 'S': cli.seed = optarg; break;
		case 'm': mode = optarg; break;
		case 'j': jobs = optarg; break;
		case 'N': no_cache = 1; break;
		case 'h': cli_usage(usage, 0);
		case 'V': cli_version();
		default: cli_usage(usage, 1);
		}
	}
	cli_setup(&cli, &cfg, &now);
	mode = cli_mode(mode ? mode : cfg.content.mode, &cfg);
	c.cfg = &cfg;
	c.b = words_open(&cfg, "content.txt", "story.txt");
	struct llm l;
	c.llm = cli_llm_open(&l, &cfg, mode, jobs, no_cache);
	if (c.llm) {
		c.user_tmpl = prompt_load("prompts/content-user.txt");
		c.done = jv_array();
	}
	bad = jsonl_each(argc - optind, argv + optind, content_one, &c);
	if (c.llm) {
		if (bad >= 0)
			bad += llm_pass(&c, &l, !strcmp(mode, "llm"));
		for (int d = 0; d < jx_len(c.done); d++) {
			jv rec = jv_copy(jx_at(c.done, d));
			jv acts = jv_object_get(jv_copy(rec), jv_string("activities"));
			jv clean = jv_array();
			for (int j = 0; j < jx_len(acts); j++)
				clean = jv_array_append(clean, strip_hidden(jv_copy(jx_at(acts, j))));
			jv_free(acts);
			jsonl_emit(jv_object_set(rec, jv_string("activities"), clean));
		}
		llm_report(&l, "dg-content");
		llm_close(&l);
		jv_free(c.done);
		free(c.user_tmpl);
	}
	bank_free(c.b);
	free(act_keys);
	free(act_hashes);
	free(items);
	config_free(&cfg);
	return cli_exit(bad);
}
