/* people.c: who speaks and to whom: the writer, the reader, the people in copy, who
 * said what in a meeting, names and signatures. */
#include "content.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The record's sellers (the seller's people who join meetings), for their names. */
jv cur_sellers;

static const char *
seller_name(const char *id)
{
	int j;

	for (j = 0; id && j < jx_len(cur_sellers); j++)
		if (jx_str(jx_at(cur_sellers, j), "Id") && !strcmp(id, jx_str(jx_at(cur_sellers, j), "Id")))
			return jx_str(jx_at(cur_sellers, j), "Name");
	return NULL;
}

void
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

void
roles_read(jv story)
{
	role_ref[0] = jx_str(story, "economic_buyer");
	role_ref[1] = jx_str(story, "champion");
	role_ref[2] = jx_str(story, "technical_contact");
}

/* The person of the story behind a people topic, or NULL. */
const char *
topic_person(int topic)
{
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
int
speaker_for(struct deal_text *t, const struct voice *v, int topic)
{
	const char *ref = topic_person(topic), *first = NULL;
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
int
same_person(const struct person *a, const struct person *b)
{
	return a && b && (a == b || !strcmp(a->ref, b->ref) || !strcmp(a->name, b->name));
}

/* Sets {eb_first}, {champion_first} and {tech_first} for an email: a first name, or the
 * full name when the writer or the reader has the same first name. */
void
third_names(struct deal_text *t, const struct voice *v)
{
	static const char *const vars[] = { "eb_first", "champion_first", "tech_first" };
	int k;

	for (k = 0; k < 3; k++) {
		const struct person *p = deal_person(t->people, t->n, role_ref[k]);

		if (p == NULL)
			continue;
		vars_set(&t->vs, vars[k],
		    (v->reader && !same_person(p, v->reader) && !strcmp(p->first, v->reader->first)) ||
			    (v->author && !same_person(p, v->author) && !strcmp(p->first, v->author->first))
			? p->name
			: p->first);
	}
}

/* The rep's title in a signature (the org's User.Title when dg-query has it). */
static const char *owner_title = "Account Executive";

/* The rep's signature: name, title, company and a phone number of the 555-01xx range
 * kept for fiction, the same for a rep across deals. */
void
signature(struct sb *out, struct deal_text *t, const char *owner_id)
{
	uint64_t h = hash_str(FNV_OFFSET, owner_id ? owner_id : vars_get(&t->vs, "owner"));

	sb_addf(out, "%s\n%s, %s\n+1 %03d 555 01%02d\n", vars_get(&t->vs, "owner"), owner_title,
	    vars_get(&t->vs, "company"), (int)(200 + h % 700), (int)((h >> 16) % 100));
}

/* The first names of the people in copy ("Ana", "Ana and Raj", "Ana, Raj and Li"), or
 * an empty string. */
void
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
			(v->author && !strcmp(p->first, v->author->first))
		    ? p->name
		    : p->first;
	}
	if (n > 3) {
		snprintf(buf, size, "the wider team");
		return;
	}
	for (i = 0; i < n; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s",
		    i == 0           ? ""
			: i == n - 1 ? " and "
				     : ", ",
		    names[i]);
}

/* Sets the voice of activity a: who writes, who reads, who may speak in the notes. */
void
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
	vars_set(&t->vs, "to", meeting ? "team" : v->inbound ? t->owner_first : who ? who->first : "team");
	deal_text_person(t, "contact", "contact_first", jx_str(a, "who"), "team");
}
