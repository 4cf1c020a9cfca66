/* thread.c: the deal's activities read once: what each answers, forwards or is about,
 * the next meeting, automatic replies. */
#include "content.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct item *items;
int cur_item;
int deal_won; /* the deal being written was won */ /* the activity being written */
const char **act_keys;
uint64_t *act_hashes; /* of each key: keys share a long prefix, so compare these first */
int nact_keys;

/* The index of the activity whose key is key, or -1. */
int
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

void
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
		it->inbound = jx_str(a, "direction") && !strcmp(jx_str(a, "direction"), "inbound");
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
void
meeting_name(struct ctx *c, struct deal_text *t, const char *type)
{
	char sect[64];
	const char *line = bank_line(c->b, words_typed(c, sect, sizeof sect, "name", type), 0);

	vars_set(&t->vs, "meeting", line ? line : "meeting");
}

/* The last time the customer was heard before time before (a meeting, or an email of
 * theirs that is not an automatic reply), or -1. */
int
last_heard(time_t before)
{
	int j, best = -1;

	for (j = 0; j < nact_keys; j++)
		if ((items[j].customer_meeting || (items[j].inbound && !items[j].ooo)) && items[j].start < before &&
		    (best < 0 || items[j].start > items[best].start))
			best = j;
	return best;
}

/* The last customer meeting before time before (of type when type is set), or -1. */
int
last_meeting(time_t before, const char *type)
{
	int j, best = -1;

	for (j = 0; j < nact_keys; j++)
		if (items[j].customer_meeting && items[j].start < before &&
		    (type == NULL || !strcmp(items[j].type, type)) && (best < 0 || items[j].start > items[best].start))
			best = j;
	return best;
}

/* The first customer meeting after time after, or -1. */
int
next_meeting(time_t after)
{
	int j, best = -1;

	for (j = 0; j < nact_keys; j++)
		if (items[j].customer_meeting && items[j].start > after &&
		    (best < 0 || items[j].start < items[best].start))
			best = j;
	return best;
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
void
mail_of(struct deal_text *t, jv acts, jv out, int i, struct mail *m, struct sb *subj, char *quote_from, size_t qsize,
    char *fdate, size_t fsize)
{
	static const char *const forwardable[] = { "resources", "case_study", "security_questionnaire",
		"reference_call", "usage_report", NULL };
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
		/* An order form is signed in the answers only on a deal that was won. */
		if (!strcmp(m->root, "order_form") && !deal_won)
			m->root = "order_form_pending";
	}
	/* out holds the activities; those before i are written. */
	m->parent = p >= 0 && p < i ? jx_at(out, p) : jv_invalid();
	time_parse(jx_str(a, "start"), &m->start);
	if (!jv_is_valid(m->parent) && words_is_type(m->type, forwardable) && rng_chance(&t->r, 0.3)) {
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
			strftime(fdate, fsize,
			    m->forward ? "%a, %b %-d, %Y at %-l:%M %p" : "%a, %b %-d, %Y at %-l:%M %p", &plt);
			m->parent_late = !m->forward && (m->start - pt >= 4 * DAY_SECONDS || away_before(p));
		} else {
			snprintf(fdate, fsize, "an earlier date");
		}
		deal_text_person(t, "parent", "parent_first", jx_str(m->parent, "who"), "the team");
		snprintf(quote_from, qsize, m->forward ? "%s" : "%s, %s",
		    m->forward ? (pin ? vars_get(&t->vs, "parent") : vars_get(&t->vs, "owner")) : fdate,
		    pin ? vars_get(&t->vs, "parent") : vars_get(&t->vs, "owner"));
		m->quote_from = quote_from;
		m->forward_date = fdate;
		m->forward_subject = jx_str(m->parent, "subject");
	}
}
