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



static int
add(struct sb *out, struct ctx *c, struct deal_text *t, const char *section, char *err,
    size_t errsize)
{
	const char *line = bank_pick(c->b, section, &t->r);

	if (line == NULL) {
		snprintf(err, errsize, "phrase bank has no section [%s]", section);
		return -1;
	}
	return render(out, line, &t->vs, &t->r, err, errsize);
}

/* Adds section "<base>.<type>" when the bank has it, else "<base>.any". */
static int
add_typed(struct sb *out, struct ctx *c, struct deal_text *t, const char *base,
    const char *type, char *err, size_t errsize)
{
	char sect[128];

	snprintf(sect, sizeof sect, "%s.%s", base, type);
	if (bank_count(c->b, sect) == 0)
		snprintf(sect, sizeof sect, "%s.any", base);
	return add(out, c, t, sect, err, errsize);
}

/* The record's sellers (the seller's people who join meetings), for their names. */
static jv cur_sellers;

static void
attendee_line(struct sb *out, struct deal_text *t, jv act)
{
	jv att = jx_get(act, "attendees", JV_KIND_ARRAY), in = jx_get(act, "internal", JV_KIND_ARRAY);
	int i, j, k = 0;

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
		for (j = 0; j < jx_len(cur_sellers); j++)
			if (jx_cstr(jx_at(in, i)) && jx_str(jx_at(cur_sellers, j), "Id") &&
			    !strcmp(jx_cstr(jx_at(in, i)), jx_str(jx_at(cur_sellers, j), "Id")) &&
			    jx_str(jx_at(cur_sellers, j), "Name"))
				sb_addf(out, ", %s", jx_str(jx_at(cur_sellers, j), "Name"));
	sb_addf(out, " (%s)\n", vars_get(&t->vs, "company"));
}

static int
topics_each(struct sb *out, struct ctx *c, struct deal_text *t, jv act, const char *base,
    const char *prefix, const char *sep, char *err, size_t errsize)
{
	jv topics = jx_get(act, "topics", JV_KIND_ARRAY);
	char sect[128];
	int i;

	for (i = 0; i < jx_len(topics); i++) {
		const char *tp = jx_cstr(jx_at(topics, i));

		if (tp == NULL || topic_find(tp) < 0)
			continue;
		snprintf(sect, sizeof sect, "%s.%s", base, tp);
		sb_add(out, prefix);
		if (add(out, c, t, sect, err, errsize) != 0)
			return -1;
		sb_add(out, sep);
	}
	return 0;
}

/* Two different next steps: the meeting type's own when the bank has one, and a
 * general one. */
static int
next_steps(struct sb *out, struct ctx *c, struct deal_text *t, const char *type, char *err,
    size_t errsize)
{
	char sect[128];
	int n = bank_count(c->b, "next.any"), i, j;

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

static int
meeting_body(struct sb *out, struct ctx *c, struct deal_text *t, jv act, int past,
    char *err, size_t errsize)
{
	const char *type = jx_str(act, "type") ? jx_str(act, "type") : "any";

	if (!strcmp(type, "internal_prep")) {
		/* The seller's own call: no customer, the plan for the meeting it prepares. */
		attendee_line(out, t, act);
		sb_add(out, "\nNotes\n");
		if (add(out, c, t, "notes.open.internal_prep", err, errsize))
			return -1;
		sb_add(out, "\n\nWhat to cover\n");
		if (topics_each(out, c, t, act, "agenda", "- ", "\n", err, errsize))
			return -1;
		sb_add(out, "\nPrep\n- ");
		if (add(out, c, t, "prep.any", err, errsize))
			return -1;
		sb_add(out, "\n");
		return 0;
	}
	if (past) {
		attendee_line(out, t, act);
		sb_add(out, "\nAgenda\n");
		if (topics_each(out, c, t, act, "agenda", "- ", "\n", err, errsize))
			return -1;
		sb_add(out, "\nNotes\n");
		if (add_typed(out, c, t, "notes.open", type, err, errsize))
			return -1;
		sb_add(out, " ");
		if (topics_each(out, c, t, act, "meeting", "", " ", err, errsize))
			return -1;
		trim_end(out);
		sb_add(out, "\n\nNext steps\n- ");
		if (next_steps(out, c, t, type, err, errsize))
			return -1;
	} else {
		sb_add(out, "Planned agenda\n");
		attendee_line(out, t, act);
		sb_add(out, "\nGoals\n");
		if (topics_each(out, c, t, act, "agenda", "- ", "\n", err, errsize))
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

static int
email_body(struct sb *out, struct ctx *c, struct deal_text *t, jv act, const char *quote_from,
    const char *quote, char *err, size_t errsize)
{
	const char *type = jx_str(act, "type") ? jx_str(act, "type") : "any";
	const char *dir = jx_str(act, "direction");
	int inbound = dir && strcmp(dir, "inbound") == 0;

	if (inbound) {
		sb_addf(out, "Hi %s,\n\n", t->owner_first);
		if (add_typed(out, c, t, "reply.open", type, err, errsize))
			return -1;
		sb_add(out, "\n\n");
		if (topics_each(out, c, t, act, "reply", "", " ", err, errsize))
			return -1;
		trim_end(out);
		sb_add(out, "\n\n");
		if (add(out, c, t, "reply.close", err, errsize))
			return -1;
		sb_addf(out, "\n\n%s\n", vars_get(&t->vs, "contact_first"));
	} else {
		sb_addf(out, "Hi %s,\n\n", vars_get(&t->vs, "contact_first"));
		if (add_typed(out, c, t, "email.open", type, err, errsize))
			return -1;
		sb_add(out, "\n\n");
		if (topics_each(out, c, t, act, "email", "", " ", err, errsize))
			return -1;
		trim_end(out);
		sb_add(out, "\n\n");
		if (add_typed(out, c, t, "email.close", type, err, errsize))
			return -1;
		sb_add(out, "\n\n");
		if (add(out, c, t, "signoff", err, errsize))
			return -1;
		sb_addf(out, "\n%s\n", t->owner_first);
	}
	if (quote && *quote)
		quote_block(out, quote_from, quote);
	return 0;
}

/* The deal's activity keys, read once per deal: a recap, a reply or an agenda finds
 * what it is about by key, and jv lookups for every pair were a tenth of the time. */
static const char **act_keys;
static int nact_keys;

static void
keys_read(jv acts)
{
	int i, n = jx_len(acts);

	act_keys = xrealloc(act_keys, (size_t)(n + 1) * sizeof *act_keys);
	for (i = 0; i < n; i++)
		act_keys[i] = jx_str(jx_at(acts, i), "key");
	nact_keys = n;
}

/* The element of list (the activities, or those written so far: the same order) whose
 * key is key, or invalid. */
static jv
find_key(jv list, const char *key)
{
	int i;

	for (i = 0; key && i < nact_keys && i < jx_len(list); i++)
		if (act_keys[i] && strcmp(act_keys[i], key) == 0)
			return jx_at(list, i);
	return jv_invalid();
}

static int
content_one(jv rec, const struct jsonl_pos *pos, void *vctx)
{
	struct ctx *c = vctx;
	static struct deal_text t;
	jv acts = jx_get(rec, "activities", JV_KIND_ARRAY), out;
	struct sb subj = { 0 }, body = { 0 };
	char where[512], err[512], day[16], mday[16], sect[128];
	int i, n = jx_len(acts);

	if (deal_id(rec, pos) == NULL) {
		jv_free(rec);
		return 1;
	}
	out = jv_array();
	deal_text_init(&t, rec, c->cfg);
	cur_sellers = jx_get(rec, "sellers", JV_KIND_ARRAY);
	keys_read(acts);
	for (i = 0; i < n; i++) {
		jv a = jx_at(acts, i), prev;
		const char *kind = jx_str(a, "kind"), *key = jx_str(a, "key"),
		      *type = jx_str(a, "type"), *when = jx_str(a, "when"), *start = jx_str(a, "start");
		const char *about_title = NULL, *quote = NULL;
		char quote_from[256] = "";
		int meeting, rc;
		time_t ts;
		struct tm lt;

		if (jv_get_kind(a) != JV_KIND_OBJECT || kind == NULL || key == NULL ||
		    (strcmp(kind, "meeting") && strcmp(kind, "email")) || start == NULL ||
		    time_parse(start, &ts) != 0) {
			warnx("%s: activity %d has no valid 'key', 'kind' and 'start'",
			    jsonl_where(pos, where, sizeof where), i);
			goto bad;
		}
		meeting = strcmp(kind, "meeting") == 0;
		rng_init(&t.r, (uint64_t)c->cfg->seed, t.id, "content", (long)hash_str(FNV_OFFSET, key));
		tz_local(t.tz, ts, &lt);
		strftime(day, sizeof day, "%A", &lt);
		vars_set(&t.vs, "day", day);
		deal_text_person(&t, "contact", "contact_first", jx_str(a, "who"), "team");
		prev = find_key(acts, jx_str(a, "about"));
		about_title = jv_is_valid(prev) ? jx_str(prev, "type") : NULL;
		vars_set(&t.vs, "meeting_day", day);
		if (jx_str(prev, "start") && time_parse(jx_str(prev, "start"), &ts) == 0) {
			tz_local(t.tz, ts, &lt);
			strftime(mday, sizeof mday, "%A", &lt);
			vars_set(&t.vs, "meeting_day", mday);
		}
		vars_set(&t.vs, "meeting", about_title ? about_title : "meeting");
		if (about_title) {
			/* "security_review" reads as "security review" in a sentence. */
			static char mt[64];
			int k;

			snprintf(mt, sizeof mt, "%s", about_title);
			for (k = 0; mt[k]; k++)
				if (mt[k] == '_')
					mt[k] = ' ';
			vars_set(&t.vs, "meeting", mt);
		}
		sb_reset(&subj);
		sb_reset(&body);
		prev = find_key(out, jx_str(a, "reply_to"));
		if (!meeting && jv_is_valid(prev) && jx_str(prev, "subject")) {
			const char *ps = jx_str(prev, "subject");
			time_t pt;
			struct tm plt;
			char pdate[64];
			const char *pdir = jx_str(prev, "direction");
			int pin = pdir && strcmp(pdir, "inbound") == 0;

			sb_addf(&subj, "%s%s", strncmp(ps, "Re: ", 4) ? "Re: " : "", ps);
			quote = jx_str(prev, "body");
			if (jx_str(prev, "start") && time_parse(jx_str(prev, "start"), &pt) == 0) {
				tz_local(t.tz, pt, &plt);
				strftime(pdate, sizeof pdate, "%a, %b %-d, %Y at %-l:%M %p", &plt);
			} else {
				snprintf(pdate, sizeof pdate, "an earlier date");
			}
			snprintf(quote_from, sizeof quote_from, "%s, %s", pdate,
			    pin ? vars_get(&t.vs, "contact") : vars_get(&t.vs, "owner"));
		} else {
			snprintf(sect, sizeof sect, "subject.%s.%s", meeting ? "meeting" : "email",
			    type ? type : "any");
			if (bank_count(c->b, sect) == 0)
				snprintf(sect, sizeof sect, "subject.%s.any", meeting ? "meeting" : "email");
			if (add(&subj, c, &t, sect, err, sizeof err) != 0)
				goto render_failed;
		}
		if (meeting)
			rc = meeting_body(&body, c, &t, a, when && strcmp(when, "past") == 0, err,
			    sizeof err);
		else
			rc = email_body(&body, c, &t, a, quote_from, quote, err, sizeof err);
		if (rc != 0)
			goto render_failed;
		subj.len = utf8_trim(sb_str(&subj), subj.len, SUBJECT_MAX);
		body.len = utf8_trim(sb_str(&body), body.len, BODY_MAX);
		a = jv_copy(a);
		a = jv_object_set(a, jv_string("subject"), jv_string_sized(sb_str(&subj), (int)subj.len));
		a = jv_object_set(a, jv_string("body"), jv_string_sized(sb_str(&body), (int)body.len));
		if (c->llm) {
			/* The prompt for this activity, made now while the deal's words are at hand;
			 * the LLM pass reads it from these hidden fields and removes them. */
			struct sb pr = { 0 }, ppl = { 0 }, earlier = { 0 }, task = { 0 };
			char posn[16], tot[16], date[64];
			jv cs = jx_get(rec, "contacts", JV_KIND_ARRAY);
			for (int k = 0; k < jx_len(cs); k++) {
				jv ct = jx_at(cs, k);
				const char *nm = jx_str(ct, "Name") ? jx_str(ct, "Name") : jx_str(ct, "LastName");
				if (nm)
					sb_addf(&ppl, "%s%s (%s%s%s)", ppl.len ? "; " : "", nm, jx_str(ct, "Title") ? jx_str(ct, "Title") : "contact",
					    jx_str(ct, "Role") ? ", " : "", jx_str(ct, "Role") ? jx_str(ct, "Role") : "");
			}
			for (int k = jx_len(out) - 3 < 0 ? 0 : jx_len(out) - 3; k < jx_len(out); k++)
				sb_addf(&earlier, "%s%s", earlier.len ? " | " : "", jx_str(jx_at(out, k), "subject"));
			const char *dir = jx_str(a, "direction");
			int past = when && strcmp(when, "past") == 0;
			if (meeting)
				sb_addf(&task, past ? "the notes of this %s meeting, written right after it" :
				    "the agenda of this upcoming %s meeting", type ? type : "");
			else if (dir && !strcmp(dir, "inbound"))
				sb_addf(&task, "an email from %s (the customer) to %s%s", vars_get(&t.vs, "contact"), vars_get(&t.vs, "owner"),
				    quote ? ", answering the earlier one" : "");
			else
				sb_addf(&task, "an email from %s to %s%s", vars_get(&t.vs, "owner"), vars_get(&t.vs, "contact"),
				    quote ? ", answering the earlier one" : "");
			for (char *u = task.s; u && *u; u++)
				if (*u == '_')
					*u = ' ';
			snprintf(posn, sizeof posn, "%d", i + 1);
			snprintf(tot, sizeof tot, "%d", n);
			time_parse(start, &ts);
			tz_local(t.tz, ts, &lt);
			strftime(date, sizeof date, "%A %B %-d, %Y", &lt);
			/* The draft without a quoted earlier message. */
			const char *bs = sb_str(&body), *q = quote ? strstr(bs, "\nOn ") : NULL;
			char *draft = xstrndup(bs, q ? (size_t)(q - bs) : strlen(bs));
			const char *mention = jx_str(a, "direction") && !strcmp(jx_str(a, "direction"), "inbound")
			    ? t.owner_first : vars_get(&t.vs, "contact_first");
			vars_set(&t.vs, "people", sb_str(&ppl));
			vars_set(&t.vs, "position", posn);
			vars_set(&t.vs, "total", tot);
			vars_set(&t.vs, "earlier", earlier.len ? sb_str(&earlier) : "none yet");
			vars_set(&t.vs, "task", sb_str(&task));
			vars_set(&t.vs, "date", date);
			vars_set(&t.vs, "length", meeting ? "120 to 300 words" : "50 to 180 words");
			vars_set(&t.vs, "subject", sb_str(&subj));
			vars_set(&t.vs, "mention", mention);
			vars_set(&t.vs, "draft", draft);
			if (prompt_fill(&pr, c->user_tmpl, &t.vs, err, sizeof err) != 0) {
				free(draft);
				sb_free(&pr);
				sb_free(&ppl);
				sb_free(&earlier);
				sb_free(&task);
				goto render_failed;
			}
			a = jv_object_set(a, jv_string("_prompt"), jv_string(sb_str(&pr)));
			a = jv_object_set(a, jv_string("_mention"), jv_string(mention));
			if (quote)
				a = jv_object_set(a, jv_string("_quote_from"), jv_string(quote_from));
			free(draft);
			sb_free(&pr);
			sb_free(&ppl);
			sb_free(&earlier);
			sb_free(&task);
		}
		out = jv_array_append(out, a);
		continue;
render_failed:
		warnx("%s: activity '%s': %s", jsonl_where(pos, where, sizeof where), key, err);
		goto bad;
	}
	sb_free(&subj);
	sb_free(&body);
	rec = jv_object_set(rec, jv_string("activities"), out);
	if (c->llm)
		c->done = jv_array_append(c->done, rec);
	else
		jsonl_emit(rec);
	return 0;
bad:
	sb_free(&subj);
	sb_free(&body);
	jv_free(out);
	jv_free(rec);
	return 1;
}


/* ---- the LLM pass (llm and hybrid) ---- */

static const char schema_text[] =
    "{\"type\":\"object\",\"properties\":{\"subject\":{\"type\":\"string\"},\"body\":{\"type\":\"string\"}},"
    "\"required\":[\"subject\",\"body\"],\"additionalProperties\":false}";

/* An LLM text is refused when it is empty, too long, holds a placeholder, or does not
 * name the person it is written to or from. */
static int
check_text(jv ans, void *ctx, char *why, size_t whysize)
{
	const char *mention = ctx, *subj = jx_str(ans, "subject"), *body = jx_str(ans, "body");
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
	if (mention && *mention && !strcasestr(body, mention)) {
		snprintf(why, whysize, "the body does not name %s", mention);
		return -1;
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
			reqs[nr].ctx = (void *)jx_str(a, "_mention");
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
	c.b = bank_open("content.txt");
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
	config_free(&cfg);
	return cli_exit(bad);
}
