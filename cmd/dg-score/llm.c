/* llm.c: dg-score's LLM pass: the prompt of a deal's scorecard, the answer's schema
 * (every element once, evidence only from the deal's past activities), the checks an
 * answer must pass, and the model's answers into the card (lib/llmbatch.c runs them). */
#include "cli.h"
#include "deal.h"
#include "jsonl.h"
#include "llm.h"
#include "prompt.h"
#include "score.h"
#include "template.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The past activities' text in one scorecard prompt, in characters (about 12,000
 * tokens at four characters a token): long deals are cut to fit. */
#define SCORE_PROMPT_CHARS 48000

static jv card_schema(const struct template *tpl, jv keys);

/* The card (consumed) with what the LLM pass needs: the prompt, the past activities'
 * keys it may cite, and the answer's schema. */
jv
score_prompt(struct ctx *c, jv card, const struct scoring *s, struct deal_text *t, const struct jsonl_pos *pos)
{
	struct sb el = { 0 }, qs = { 0 }, keys = { 0 }, txt = { 0 }, pr = { 0 };
	int i, j, npast = 0, skip, cap;
	char where[512], err[256];
	jv ev_keys = jv_array();

	for (j = 0; j < c->tpl.n; j++) {
		sb_addf(&el, "%s%s", j ? ", " : "", c->tpl.e[j].id);
		sb_addf(&qs, "- %s (%s): %s\n", c->tpl.e[j].id, c->tpl.e[j].name, c->tpl.e[j].question);
	}
	/* The past activities within the prompt's budget: each body cut to its share
	 * (at most 700 characters, at least 160); a deal too long for even that keeps
	 * its latest activities, and only those may be cited. */
	for (i = 0; i < s->n; i++)
		npast += jx_str(jx_at(s->acts, i), "when") && !strcmp(jx_str(jx_at(s->acts, i), "when"), "past") &&
		    jx_str(jx_at(s->acts, i), "key");
	/* An activity's line of key, date and subject takes about 48 more. */
	cap = npast ? SCORE_PROMPT_CHARS / npast - 48 : 700;
	cap = cap > 700 ? 700 : cap < 160 ? 160 : cap;
	skip = npast - SCORE_PROMPT_CHARS / (cap + 48);
	for (i = 0; i < s->n; i++) {
		jv a = jx_at(s->acts, i);
		const char *when = jx_str(a, "when"), *key = jx_str(a, "key"), *b = jx_str(a, "body");
		if (!when || strcmp(when, "past") || !key)
			continue;
		if (skip-- > 0)
			continue;
		ev_keys = jv_array_append(ev_keys, jv_string(key));
		sb_addf(&keys, "%s%s", keys.len ? ", " : "", key);
		sb_addf(&txt, "[%s] %.10s %s\n%.*s\n\n", key, jx_str(a, "start") ? jx_str(a, "start") : "",
		    jx_str(a, "subject") ? jx_str(a, "subject") : "",
		    (int)utf8_trim(b ? b : "", strlen(b ? b : ""), (size_t)cap), b ? b : "");
	}
	card = jv_object_set(card, jv_string("_schema"), card_schema(&c->tpl, ev_keys));
	vars_set(&t->vs, "template", c->tpl.name);
	vars_set(&t->vs, "elements", sb_str(&el));
	vars_set(&t->vs, "questions", sb_str(&qs));
	vars_set(&t->vs, "keys", keys.len ? sb_str(&keys) : "none");
	vars_set(&t->vs, "activities", txt.len ? sb_str(&txt) : "none");
	if (prompt_fill(&pr, c->user_tmpl, &t->vs, err, sizeof err) == 0) {
		card = jv_object_set(card, jv_string("_prompt"), jv_string(sb_str(&pr)));
		card = jv_object_set(card, jv_string("_keys"), jv_string(sb_str(&keys)));
	} else
		warnx("%s: %s", jsonl_where(pos, where, sizeof where), err);
	sb_free(&el);
	sb_free(&qs);
	sb_free(&keys);
	sb_free(&txt);
	sb_free(&pr);
	return card;
}

/* The answer's schema for one deal: "answers" is an object with one required property
 * per element of the template (so each is answered exactly once), and evidence may
 * only name the deal's own past activity keys (keys, consumed). A server that follows
 * the schema cannot return a card check_card refuses for its shape. */
static jv
card_schema(const struct template *tpl, jv keys)
{
	jv ev_items = jv_object_set(jv_object(), jv_string("type"), jv_string("string"));
	jv ev = jv_object_set(jv_object(), jv_string("type"), jv_string("array"));
	if (jx_len(keys))
		ev_items = jv_object_set(ev_items, jv_string("enum"), keys);
	else {
		jv_free(keys);
		ev = jv_object_set(ev, jv_string("maxItems"), jv_number(0));
	}
	ev = jv_object_set(ev, jv_string("items"), ev_items);
	jv props = jv_object(), req = jv_array();
	for (int j = 0; j < tpl->n; j++) {
		jv one = jv_parse(
		    "{\"type\":\"object\",\"properties\":{\"answer\":{\"type\":\"string\"},"
		    "\"score\":{\"type\":\"integer\",\"enum\":[0,1,2,3]},\"confidence\":{\"type\":\"number\",\"minimum\":0,\"maximum\":1}},"
		    "\"required\":[\"answer\",\"score\",\"confidence\",\"evidence\"],\"additionalProperties\":false}");
		jv p = jv_object_get(jv_copy(one), jv_string("properties"));
		p = jv_object_set(p, jv_string("evidence"), jv_copy(ev));
		one = jv_object_set(one, jv_string("properties"), p);
		props = jv_object_set(props, jv_string(tpl->e[j].id), one);
		req = jv_array_append(req, jv_string(tpl->e[j].id));
	}
	jv_free(ev);
	jv answers = jv_object_set(jv_object(), jv_string("type"), jv_string("object"));
	answers = jv_object_set(answers, jv_string("properties"), props);
	answers = jv_object_set(answers, jv_string("required"), req);
	answers = jv_object_set(answers, jv_string("additionalProperties"), jv_false());
	jv s = jv_parse("{\"type\":\"object\",\"required\":[\"answers\"],\"additionalProperties\":false}");
	return jv_object_set(s, jv_string("properties"), jv_object_set(jv_object(), jv_string("answers"), answers));
}

/* The answers of an LLM card as a list of {id, answer, score, confidence, evidence}:
 * from the keyed object the schema asks for, or from a list (a server in JSON mode may
 * answer so). Returns a new value; jv_invalid() when there is neither. */
static jv
card_answers(jv ans)
{
	jv obj = jx_get(ans, "answers", JV_KIND_OBJECT);
	if (!jv_is_valid(obj)) {
		jv l = jx_get(ans, "answers", JV_KIND_ARRAY);
		return jv_is_valid(l) ? jv_copy(l) : jv_invalid();
	}
	jv out = jv_array();
	jv_object_foreach(obj, k, v)
	{
		if (jv_get_kind(v) == JV_KIND_OBJECT)
			v = jv_object_set(v, jv_string("id"), k);
		else
			jv_free(k);
		out = jv_array_append(out, v);
	}
	return out;
}

struct check {
	const struct template *tpl;
	const char *keys; /* ", "-separated past activity keys */
};

static int check_list(const struct check *k, jv list, char *why, size_t whysize);

/* An LLM scorecard is refused unless it answers every element once, with a score 0-3,
 * a confidence 0-1, and evidence only from past activities (some when it scores). */
static int
check_card(jv ans, void *ctx, char *why, size_t whysize)
{
	const struct check *k = ctx;
	jv owned = card_answers(ans), list = owned;
	int rc = check_list(k, list, why, whysize);
	jv_free(owned);
	return rc;
}

static int
check_list(const struct check *k, jv list, char *why, size_t whysize)
{
	if (jx_len(list) != k->tpl->n) {
		snprintf(why, whysize, "%d answers for %d elements", jx_len(list), k->tpl->n);
		return -1;
	}
	for (int j = 0; j < k->tpl->n; j++) {
		int hits = 0;
		for (int i = 0; i < jx_len(list); i++) {
			jv a = jx_at(list, i);
			if (!jx_str(a, "id") || strcmp(jx_str(a, "id"), k->tpl->e[j].id))
				continue;
			hits++;
			double sc = jx_num(a, "score", -1), cf = jx_num(a, "confidence", -1);
			jv ev = jx_get(a, "evidence", JV_KIND_ARRAY);
			const char *txt = jx_str(a, "answer");
			if (sc != 0 && sc != 1 && sc != 2 && sc != 3) {
				snprintf(why, whysize, "element '%s': score must be 0 to 3", k->tpl->e[j].id);
				return -1;
			}
			if (cf < 0 || cf > 1 || !jv_is_valid(ev) || !txt) {
				snprintf(why, whysize, "element '%s': confidence, evidence or answer missing",
				    k->tpl->e[j].id);
				return -1;
			}
			if (sc > 0 && !jx_len(ev)) {
				snprintf(why, whysize, "element '%s' scores without evidence", k->tpl->e[j].id);
				return -1;
			}
			for (int e = 0; e < jx_len(ev); e++) {
				const char *key = jx_cstr(jx_at(ev, e));
				const char *at = key && *key ? strstr(k->keys, key) : NULL;
				size_t kl = key ? strlen(key) : 0;
				if (!at || (at != k->keys && at[-1] != ' ') || (at[kl] && at[kl] != ',')) {
					snprintf(why, whysize, "element '%s' cites '%s', not a past activity",
					    k->tpl->e[j].id, key ? key : "?");
					return -1;
				}
			}
			if (strchr(txt, '{') || strchr(txt, '}') || strstr(txt, "[Name") || strstr(txt, "TODO")) {
				snprintf(why, whysize, "element '%s': the answer holds a placeholder", k->tpl->e[j].id);
				return -1;
			}
		}
		if (hits != 1) {
			snprintf(why, whysize, "element '%s' answered %d times", k->tpl->e[j].id, hits);
			return -1;
		}
	}
	return 0;
}

/* The request of one deal: its scorecard, checked by check_card. */
void
score_ask(struct llm_batch *b, jv rec, void *vctx)
{
	struct ctx *c = vctx;
	jv card = jx_get(rec, "scorecard", JV_KIND_OBJECT);
	struct check *ck = xcalloc(1, sizeof *ck);

	ck->tpl = &c->tpl;
	ck->keys = jx_str(card, "_keys") ? jx_str(card, "_keys") : "";
	llm_batch_ask(b, sb_str(&c->system), jx_str(card, "_prompt"), jx_get(card, "_schema", JV_KIND_OBJECT),
	    "scorecard", check_card, ck);
}

/* The model's answers as the card's, in the template's order, scored as the heuristic
 * scores (coverage, weighted score). */
static jv
llm_card(struct ctx *c, jv card, jv answer, const char *id)
{
	jv list = card_answers(answer), answers = jv_array();
	double wsum = 0, wscore = 0;
	int answered = 0;

	for (int j = 0; j < c->tpl.n; j++) {
		const struct element *e = &c->tpl.e[j];
		jv a = jv_invalid();
		for (int i = 0; i < jx_len(list); i++)
			if (!strcmp(jx_str(jx_at(list, i), "id"), e->id))
				a = jx_at(list, i);
		int score = (int)jx_num(a, "score", 0);
		jv ans = jv_object();
		ans = jx_set_str(ans, "id", e->id);
		ans = jx_set_str(ans, "name", e->name);
		ans = jx_set_str(ans, "question", e->question);
		ans = score > 0 ? jx_set_str(ans, "answer", jx_str(a, "answer"))
				: jv_object_set(ans, jv_string("answer"), jv_null());
		ans = jv_object_set(ans, jv_string("score"), jv_number(score));
		ans = jx_set_str(ans, "status", score >= 3 ? "green" : score == 2 ? "amber" : "red");
		ans = jv_object_set(ans, jv_string("confidence"), jv_number(score_round2(jx_num(a, "confidence", 0))));
		ans = jv_object_set(ans, jv_string("evidence"), jv_copy(jx_get(a, "evidence", JV_KIND_ARRAY)));
		answers = jv_array_append(answers, ans);
		answered += score > 0;
		wsum += e->weight;
		wscore += e->weight * score;
	}
	card = jv_object_set(card, jv_string("coverage"), jv_number(score_round2((double)answered / c->tpl.n)));
	if ((double)answered / c->tpl.n + 1e-9 < c->cfg->score.coverage_target)
		warnx("'%s' covers %d of %d %s elements, below the target %.2f", id ? id : "?", answered, c->tpl.n,
		    c->tpl.name, c->cfg->score.coverage_target);
	card = jv_object_set(card, jv_string("score"), jv_number(wsum > 0 ? round(100 * wscore / (3 * wsum)) : 0));
	card = jv_object_set(card, jv_string("answers"), answers);
	jv_free(list);
	return card;
}

/* The model's scorecard into the deal, or what becomes of it without one. */
jv
score_put(struct llm_batch *b, jv rec, struct llm_req *reqs, int n, void *vctx)
{
	struct ctx *c = vctx;
	jv card = jv_object_get(jv_copy(rec), jv_string("scorecard"));
	const char *id = jx_str(jx_get(rec, "opportunity", JV_KIND_OBJECT), "Id");

	rec = jv_object_delete(rec, jv_string("scorecard"));
	if (n == 1 && reqs[0].ok)
		card = llm_card(c, card, reqs[0].answer, id);
	else {
		if (b->strict)
			warnx("'%s': the LLM gave no usable scorecard: %s", id ? id : "?",
			    n ? reqs[0].err : "no request");
		card = llm_outcome(card, b->strict, "dg-score", "opportunity", id, n ? reqs[0].err : "no request");
	}
	card = jv_object_delete(
	    jv_object_delete(jv_object_delete(card, jv_string("_prompt")), jv_string("_keys")), jv_string("_schema"));
	return jv_object_set(rec, jv_string("scorecard"), card);
}
