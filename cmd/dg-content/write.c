/* write.c: the bodies: meeting notes and agendas, emails of every texture, automatic
 * replies. */
#include "content.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Writes one topic's sentence: the plain section, or its ".you" / ".me" / ".speaker"
 * form when the topic's person is the reader, the author or the one speaking. The
 * fact is said in full the first time in the deal, in short after that. */
static int
topic_line(struct sb *out, struct ctx *c, struct deal_text *t, const struct voice *v, const char *base, int topic,
    char *err, size_t errsize)
{
	const char *ref = topic_person(topic);
	const char *rel = NULL;

	deal_text_facts(t, said);
	third_names(t, v);
	if (v->meeting) {
		if (speaker_for(t, v, topic) && topic != T_DECISION_CRITERIA && topic != T_PAPER_PROCESS)
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
			snprintf(names[n], sizeof names[n], "%s.%s%s%s%s", base, name, r ? "." : "", r ? rel : "",
			    ag ? ".again" : "");
			if (bank_count(c->b, names[n]) > 0 || k == 3)
				cand[n] = names[n], n++;
		}
		cand[n] = NULL;
		if (words_add_first_fresh(out, c, t, cand, err, errsize) != 0)
			return -1;
		/* A fact said for the first time gets a second, short sentence, as people
		 * explain what they bring up ([BASE.TOPIC.more]). */
		snprintf(names[0], sizeof names[0], "%s.%s.more", base, name);
		if (!again && bank_count(c->b, names[0]) > 0 && rng_chance(&t->r, 0.7)) {
			sb_add(out, " ");
			if (words_add(out, c, t, names[0], err, errsize) != 0)
				return -1;
		}
	}
	said |= 1u << topic;
	return 0;
}

static int
topics_each(struct sb *out, struct ctx *c, struct deal_text *t, const struct voice *v, const char *base,
    const char *prefix, const char *sep, char *err, size_t errsize)
{
	const struct item *it = &items[cur_item];
	char sect[128];
	int i;

	for (i = 0; i < it->ntopics; i++) {
		int topic = it->topics[i];
		const char *tp = topic_name((enum topic)topic);

		sb_add(out, prefix);
		if (!strcmp(base, "agenda")) {
			snprintf(sect, sizeof sect, "agenda.%s", tp);
			if (words_add(out, c, t, sect, err, errsize) != 0)
				return -1;
		} else if (topic_line(out, c, t, v, base, topic, err, errsize) != 0) {
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
next_steps(struct sb *out, struct ctx *c, struct deal_text *t, const char *type, int email, char *err, size_t errsize)
{
	char sect[128];
	int n = bank_count(c->b, "next.any"), i, j;
	const char *contact = vars_get(&t->vs, "contact_first");

	vars_set(&t->vs, "owner_who", email ? "I" : t->owner_first);
	vars_set(&t->vs, "contact_who",
	    email                                    ? (contact && strcmp(contact, "team") ? "you" : "your team")
		: contact && strcmp(contact, "team") ? contact
						     : "the team");
	snprintf(sect, sizeof sect, "next.%s", type);
	if (n < 2) {
		snprintf(err, errsize, "phrase bank needs two lines in [next.any]");
		return -1;
	}
	i = (int)rng_range(&t->r, 0, n - 1);
	j = (i + (int)rng_range(&t->r, 1, n - 1)) % n;
	if (bank_count(c->b, sect) > 0) {
		if (words_add(out, c, t, sect, err, errsize))
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
 * deal's own (a meeting ID from its generator), never a real conference. The same words
 * go into where, for the Event's Location. */
static int
where_line(struct sb *out, struct sb *where, struct ctx *c, struct deal_text *t, char *err, size_t errsize)
{
	static char id[16], spaced[16], code[16], pin[12], floor_[8];
	static const char *const rooms[] = { "Harbor", "Summit", "Maple", "Atlas", "Cedar", "Granite", "Lakeview",
		"Orion" };
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
	size_t from = out->len;
	if (words_add(out, c, t, rng_chance(&t->r, 0.8) ? "where.video" : "where.room", err, errsize))
		return -1;
	sb_addn(where, out->s + from, out->len - from);
	sb_add(out, "\n");
	return 0;
}

int
meeting_body(struct sb *out, struct sb *where, struct ctx *c, struct deal_text *t, const struct voice *v, jv rec,
    jv act, int past, char *err, size_t errsize)
{
	const char *type = jx_str(act, "type") ? jx_str(act, "type") : "any";

	if (!strcmp(type, "internal_prep")) {
		/* The seller's own call: no customer, the plan for the meeting it prepares. */
		attendee_line(out, t, act);
		sb_add(out, "\nNotes\n");
		if (words_add(out, c, t, "notes.open.internal_prep", err, errsize))
			return -1;
		sb_add(out, "\n\nWhat to cover\n");
		if (topics_each(out, c, t, v, "agenda", "- ", "\n", err, errsize))
			return -1;
		sb_add(out, "\nPrep\n- ");
		if (words_add(out, c, t, "prep.any", err, errsize))
			return -1;
		sb_add(out, "\n");
		return 0;
	}
	if (past) {
		attendee_line(out, t, act);
		if (where_line(out, where, c, t, err, errsize))
			return -1;
		sb_add(out, "\nAgenda\n");
		if (topics_each(out, c, t, v, "agenda", "- ", "\n", err, errsize))
			return -1;
		sb_add(out, "\nNotes\n");
		vars_set(&t->vs, "speaker", v->nspeakers ? vars_get(&t->vs, "contact_first") : "the team");
		if (words_add_typed(out, c, t, "notes.open", type, err, errsize))
			return -1;
		sb_add(out, " ");
		if (topics_each(out, c, t, v, "meeting", "", " ", err, errsize))
			return -1;
		trim_end(out);
		sb_add(out, "\n\nNext steps\n- ");
		if (next_steps(out, c, t, type, 0, err, errsize))
			return -1;
	} else {
		sb_add(out, "Planned agenda\n");
		attendee_line(out, t, act);
		if (where_line(out, where, c, t, err, errsize))
			return -1;
		sb_add(out, "\nGoals\n");
		if (topics_each(out, c, t, v, "agenda", "- ", "\n", err, errsize))
			return -1;
		sb_add(out, "\nPrep\n- ");
		if (words_add_typed(out, c, t, "prep", type, err, errsize))
			return -1;
		sb_add(out, "\n");
	}
	return 0;
}

/* A reply quotes the first lines of what it answers, as mail clients do. */
void
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

/* Times offered for the next meeting: its own start first, then one or two others
 * on nearby working days, in the reader's zone ("Tuesday, March 3 at 10:00 AM ET"). */
void
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
			s += lt.tm_wday == 6 ? 2 * DAY_SECONDS : DAY_SECONDS;
			tz_local(t->tz, s, &lt);
		}
		if (lt.tm_hour < 9 || lt.tm_hour > 16) {
			s -= (lt.tm_hour - 10) * 3600;
			tz_local(t->tz, s, &lt);
		}
		strftime(one, sizeof one, "%A, %B %-d at %-l:%M %p", &lt);
		zone = lt.tm_zone;
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", k == 0 ? "" : k == n - 1 ? " or " : ", ", one);
	}
	if (zone && isalpha((unsigned char)zone[0]))
		snprintf(buf + strlen(buf), size - strlen(buf), " %s", zone);
}

/* The buffer that holds variable name's value: one per name, so values set by
 * when_vars stay put until the same variable is set again. */
static char *
var_buf(const char *name)
{
	static struct {
		const char *name;
		char buf[32];
	} slot[16];
	int i;

	for (i = 0; i < 16 && slot[i].name; i++)
		if (!strcmp(slot[i].name, name))
			return slot[i].buf;
	if (i == 16)
		diex(EXIT_FAIL, "internal error: too many date variables");
	slot[i].name = name;
	return slot[i].buf;
}

/* Formats a time as "Tuesday"/"March 3"/"10:00 AM" in the deal's zone into vars. */
void
when_vars(struct deal_text *t, time_t ts, const char *day, const char *date, const char *tm_var)
{
	struct tm lt;
	char *b;

	tz_local(t->tz, ts, &lt);
	strftime(b = var_buf(day), 32, "%A", &lt);
	vars_set(&t->vs, day, b);
	strftime(b = var_buf(date), 32, "%B %-d", &lt);
	vars_set(&t->vs, date, b);
	if (tm_var) {
		strftime(b = var_buf(tm_var), 32, "%-l:%M %p", &lt);
		vars_set(&t->vs, tm_var, b);
	}
}

/* A forwarded message under the note that forwards it, the way mail clients lay it out. */
static void
forward_block(struct sb *out, const char *from, const char *date, const char *subject, const char *body)
{
	const char *q = strstr(body, "\nOn ");

	sb_addf(
	    out, "\n---------- Forwarded message ---------\nFrom: %s\nDate: %s\nSubject: %s\n\n", from, date, subject);
	sb_addn(out, body, q ? (size_t)(q - body) : strlen(body));
	sb_add(out, "\n");
}

/* The paragraph of the message itself, for the types that have one ([email.body.TYPE]):
 * two of its lines, three now and then, so some messages run long. */
static int
body_lines(struct sb *out, struct ctx *c, struct deal_text *t, const char *type, char *err, size_t errsize)
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
	/* Lines the deal has not written yet; when they run out, the paragraph ends. */
	for (k = 0; k < n; k++) {
		int rc = words_add_fresh(out, c, t, sect, err, errsize);

		if (rc < 0)
			return -1;
		if (rc > 0)
			break;
		sb_add(out, " ");
	}
	if (k > 0) {
		out->s[out->len - 1] = '\n';
		sb_add(out, "\n");
	}
	return 0;
}

/* The lists some emails carry, as real ones do: a dated plan of the meetings ahead
 * (action plans, rollout plans), the commercial terms (proposals, quotes, order forms),
 * next steps (recaps). Nothing for other emails. */
static int
details(struct sb *out, struct ctx *c, struct deal_text *t, jv rec, const struct mail *m, char *err, size_t errsize)
{
	static const char *const plans[] = { "mutual_action_plan", "rollout_plan", "welcome", "pilot_criteria", NULL };
	static const char *const terms[] = { "proposal", "renewal_quote", "order_form", "roi_model", NULL };
	jv opp = jx_get(rec, "opportunity", JV_KIND_OBJECT);
	char sect[64], when[32];
	int j, k = 0;
	time_t ts;
	struct tm lt;

	if (words_is_type(m->type, plans)) {
		sb_add(out, "Plan\n");
		for (j = 0; j < nact_keys && k < 6; j++) {
			const char *line;

			/* A plan lists what the deal expects: not the debrief of a loss it
			 * does not know about yet. */
			if (!items[j].customer_meeting || items[j].start <= m->start ||
			    !strcmp(items[j].type, "loss_debrief"))
				continue;
			tz_local(t->tz, items[j].start, &lt);
			strftime(when, sizeof when, "%B %-d", &lt);
			line = bank_line(c->b, words_typed(c, sect, sizeof sect, "name", items[j].type), 0);
			sb_addf(out, "- %s is the %s.\n", when, line ? line : "meeting");
			k++;
		}
		if (jx_str(opp, "CloseDate") && time_parse(jx_str(opp, "CloseDate"), &ts) == 0 && ts > m->start) {
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
	if (words_is_type(m->type, terms)) {
		sb_add(out, "Terms\n");
		for (j = 0; j < 4; j++) {
			sb_add(out, "- ");
			snprintf(sect, sizeof sect, "terms.%d", j + 1);
			if (words_add(out, c, t, sect, err, errsize))
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

/* A short answer in a thread: a line from the bank, sometimes a little more. */
static int
email_short(struct sb *out, struct ctx *c, struct deal_text *t, const struct voice *v, const struct mail *m, char *err,
    size_t errsize)
{
	char sect[64];
	int k, rc;

	int about_meeting =
	    jv_is_valid(m->parent) && vars_get(&t->vs, "meeting_time") && *vars_get(&t->vs, "meeting_time");

	char own[64];

	/* A thread the bank has short answers for ("reply.short.order_form"), else one
	 * about the next meeting, else any. */
	snprintf(own, sizeof own, "%s.%s", v->inbound ? "reply.short" : "email.short", m->root);
	if (words_add(out, c, t,
		bank_count(c->b, own) > 0
		    ? own
		    : words_typed(c, sect, sizeof sect, v->inbound ? "reply.short" : "email.short",
			  about_meeting ? "meeting" : "any"),
		err, errsize))
		return -1;
	/* Not every answer is a one-liner: some say a little more. */
	int more = rng_chance(&t->r, 0.45) ? 1 + rng_chance(&t->r, 0.5) : 0;

	for (k = 0; k < more; k++) {
		sb_add(out, " ");
		rc = words_add_fresh(out, c, t, v->inbound ? "reply.more.any" : "email.more.reply", err, errsize);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			out->len--;
			out->s[out->len] = '\0';
			break;
		}
	}
	sb_add(out, "\n\n");
	return 0;
}

/* A full email: its opening, the topics, the slots offered, the deal's details, what
 * signing or a win adds, a closing line. */
static int
email_full(struct sb *out, struct ctx *c, struct deal_text *t, const struct voice *v, jv rec, const struct mail *m,
    const char *cc, char *err, size_t errsize)
{
	const char *type = m->type;
	char sect[64];

	if (m->forward) {
		if (words_add(out, c, t, "email.open.forward", err, errsize))
			return -1;
	} else if (v->inbound) {
		if (m->parent_late && words_add(out, c, t, "reply.open.late", err, errsize))
			return -1;
		if (m->parent_late)
			sb_add(out, " ");
		if (words_add_typed(out, c, t, "reply.open", !strcmp(type, "reply") ? m->root : type, err, errsize))
			return -1;
	} else {
		/* An answer in a thread the bank knows ("email.reply.order_form"), or the
		 * type's own opening. */
		snprintf(sect, sizeof sect, "email.reply.%s", m->root);
		if (!strcmp(type, "reply") && bank_count(c->b, sect) > 0) {
			if (words_add(out, c, t, sect, err, errsize))
				return -1;
		} else if (words_add_typed(out, c, t, "email.open", type, err, errsize)) {
			return -1;
		}
	}
	if (*cc && !v->inbound && rng_chance(&t->r, 0.6)) {
		sb_add(out, " ");
		if (words_add(out, c, t, "cc.note", err, errsize))
			return -1;
	}
	sb_add(out, "\n\n");
	if (topics_each(out, c, t, v, v->inbound ? "reply" : "email", "", " ", err, errsize))
		return -1;
	trim_end(out);
	sb_add(out, "\n\n");
	if (!v->inbound && *vars_get(&t->vs, "slots")) {
		if (words_add(out, c, t, "email.slots", err, errsize))
			return -1;
		sb_add(out, " ");
		if (words_add(out, c, t, "email.slots.after", err, errsize))
			return -1;
		sb_add(out, "\n\n");
	}
	if (!v->inbound && body_lines(out, c, t, m->type, err, errsize) != 0)
		return -1;
	if (!v->inbound && details(out, c, t, rec, m, err, errsize) != 0)
		return -1;
	if (m->signing && !v->inbound) {
		if (words_add(out, c, t, "email.signing", err, errsize))
			return -1;
		sb_add(out, "\n\n");
	}
	if (m->after_won && !v->inbound) {
		if (words_add(out, c, t, "email.won", err, errsize))
			return -1;
		sb_add(out, "\n\n");
	}
	if (!rng_chance(&t->r, 0.25)) {
		if (words_add_typed(out, c, t, v->inbound ? "reply.close" : "email.close", type, err, errsize))
			return -1;
		sb_add(out, "\n\n");
	}
	return 0;
}

/* The sign-off and signature, then what is quoted or forwarded. */
static int
email_end(struct sb *out, struct ctx *c, struct deal_text *t, const struct voice *v, jv rec, const struct mail *m,
    int short_reply, char *err, size_t errsize)
{
	/* The sign-off and signature: the rep's full one on a new message, a first name on
	 * a quick answer; the customer signs with a first name, or in full on a long one. */
	if (words_add(out, c, t, v->inbound ? "reply.signoff" : "signoff", err, errsize))
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
		signature(
		    out, t, jx_str(jx_get(jx_get(rec, "opportunity", JV_KIND_OBJECT), "Owner", JV_KIND_OBJECT), "Id"));
	}
	if (m->quote && *m->quote) {
		if (m->forward)
			forward_block(out, m->quote_from, m->forward_date, m->forward_subject, m->quote);
		else
			quote_block(out, m->quote_from, m->quote);
	}
	return 0;
}

int
email_body(struct sb *out, struct ctx *c, struct deal_text *t, const struct voice *v, jv rec, const struct mail *m,
    char *err, size_t errsize)
{
	jv topics = jx_get(m->act, "topics", JV_KIND_ARRAY);
	const char *type = m->type;
	int short_reply = !strcmp(type, "reply") && jx_len(topics) == 0;
	char cc[256];

	cc_names(t, m->act, v, cc, sizeof cc);
	vars_set(&t->vs, "cc", cc);
	vars_set(&t->vs, "Cc", cc);
	/* The greeting: the reader by first name, and whoever is in copy; a short answer
	 * often has none. */
	if (!short_reply || rng_chance(&t->r, 0.5)) {
		if (!strcmp(vars_get(&t->vs, "to"), "team"))
			sb_add(out, "Hi team,");
		else if (words_add(out, c, t,
			     *cc ? (strstr(cc, " and ") || !strncmp(cc, "the ", 4) ? "greet.all" : "greet.cc")
				 : "greet",
			     err, errsize))
			return -1;
		sb_add(out, "\n\n");
	}
	if (short_reply ? email_short(out, c, t, v, m, err, errsize)
			: email_full(out, c, t, v, rec, m, cc, err, errsize))
		return -1;
	return email_end(out, c, t, v, rec, m, short_reply, err, errsize);
}

/* An automatic reply: "Automatic reply: SUBJECT", away until the day the person
 * answers for real, a colleague named for anything urgent. */
int
away_body(struct sb *subj, struct sb *body, struct ctx *c, struct deal_text *t, jv acts, jv out, int i, char *err,
    size_t errsize)
{
	jv a = jx_at(acts, i);
	int p = items[i].reply_to, j;
	const struct person *who = deal_person(t->people, t->n, jx_str(a, "who")), *cover = NULL;
	char back[64], email[256];
	time_t rt = items[i].start + 3 * DAY_SECONDS;
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
	sb_addf(subj, "Automatic reply: %s",
	    p >= 0 && p < i && jx_str(jx_at(out, p), "subject") ? jx_str(jx_at(out, p), "subject") : "your message");
	if (words_add(body, c, t, "ooo", err, errsize))
		return -1;
	sb_addf(body, "\n\nRegards,\n%s\n", who ? who->name : "The team");
	return 0;
}
