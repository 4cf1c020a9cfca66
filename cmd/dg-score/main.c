/* dg-score: a filled deal scorecard (MEDDICC by default) from the activities' text. */
#include "bank.h"
#include "cli.h"
#include "deal.h"
#include "jsonl.h"
#include "llm.h"
#include "prompt.h"
#include "score.h"
#include "template.h"
#include "tz.h"
#include "util.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char usage[] =
    "usage: dg-score [-c FILE] [--template NAME|FILE] [--mode heuristic|llm|hybrid] [-j N] [--no-cache]\n"
    "                [FILE...]\n"
    "\n"
    "Reads deal records with written activities (from dg-content) and adds a\n"
    "'scorecard': per element an answer, a score (0-3), a confidence and the keys of the\n"
    "activities it rests on; overall coverage and a 0-100 score.\n"
    "\n"
    "  -c, --config FILE      configuration file (default $DG_CONFIG, else ./demo.yaml)\n"
    "  -t, --template NAME    MEDDICC (default), MEDDPICC, BANT, SPICED, or a YAML file\n"
    "      --mode MODE        heuristic (evidence found in the text), llm (the LLM judges;\n"
    "                         a failure is an error for that deal) or hybrid (the LLM,\n"
    "                         else heuristic); default hybrid when an LLM is configured\n"
    "  -j, --jobs N           LLM requests in flight (default llm.jobs)\n"
    "      --no-cache         neither read nor write the LLM response cache\n"
    "  -h, --help             show this help and exit\n"
    "      --version          show the version and exit\n";

#define MAX_NEEDLES 8

/* What to look for in a sentence to count it as evidence of a topic. */
struct needles {
	const char *any[MAX_NEEDLES]; /* one of these... */
	int n;
	const char *const *with; /* ...together with one of these, when set */
};

/* Lower case: evidence() compares lower-cased text. */
static const char *const eb_words[] = { "budget", "sign off", "signs off", "sign-off", "signature", "approv", "sponsor",
	"spend", NULL };
static const char *const champion_words[] = { "champion", "advocat", "internally", NULL };

static void
person_needles(struct needles *nd, const struct deal_text *t, const char *ref, const char *const *words)
{
	const struct person *p = deal_person(t->people, t->n, ref);

	if (p == NULL)
		return;
	nd->any[nd->n++] = p->name;
	if (p->first && strlen(p->first) >= 3 && strcmp(p->first, p->name) != 0)
		nd->any[nd->n++] = p->first;
	nd->with = words;
}

static void
needles_init(struct needles *nd, const struct deal_text *t, jv story)
{
	static const struct {
		enum topic t;
		const char *key;
	} text[] = {
		{ T_PAIN, "pain" },
		{ T_METRICS, "metrics" },
		{ T_DECISION_CRITERIA, "decision_criteria" },
		{ T_DECISION_PROCESS, "decision_process" },
		{ T_PAPER_PROCESS, "paper_process" },
		{ T_BUDGET, "budget" },
		{ T_TIMELINE, "timeline" },
		{ T_SITUATION, "situation" },
		{ T_IMPACT, "impact" },
		{ T_CRITICAL_EVENT, "critical_event" },
	};
	jv comps = jx_get(story, "competitors", JV_KIND_ARRAY);
	size_t i;
	int k;

	memset(nd, 0, sizeof *nd * T_COUNT);
	for (i = 0; i < sizeof text / sizeof text[0]; i++) {
		const char *v = jx_str(story, text[i].key);

		if (v && *v)
			nd[text[i].t].any[nd[text[i].t].n++] = v;
		/* What the deal says after the first time: the fact's short form. */
		v = jx_str(jx_get(story, "short", JV_KIND_OBJECT), text[i].key);
		if (v && *v)
			nd[text[i].t].any[nd[text[i].t].n++] = v;
	}
	for (k = 0; k < jx_len(comps) && nd[T_COMPETITION].n < MAX_NEEDLES; k++)
		if (jx_cstr(jx_at(comps, k)) && *jx_cstr(jx_at(comps, k)))
			nd[T_COMPETITION].any[nd[T_COMPETITION].n++] = jx_cstr(jx_at(comps, k));
	person_needles(&nd[T_ECONOMIC_BUYER], t, jx_str(story, "economic_buyer"), eb_words);
	person_needles(&nd[T_CHAMPION], t, jx_str(story, "champion"), champion_words);
}

/* Lower-cases s (ASCII letters only, so UTF-8 stays intact) into b. */
static const char *
lower(struct sb *b, const char *s)
{
	sb_reset(b);
	sb_add(b, s);
	for (char *p = b->s; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return sb_str(b);
}

static int
is_end(const char *p)
{
	return *p == '\n' || ((*p == '.' || *p == '?' || *p == '!') && (p[1] == ' ' || p[1] == '\n' || p[1] == '\0'));
}

/* Returns 1 when the sentence around [at, at+len) in text holds one of words. Attendee
 * lines never count: they name people without saying anything about them. */
static int
sentence_with(const char *text, const char *at, size_t len, const char *const *words)
{
	const char *start = at, *end = at + len, *line = at;
	char buf[2048];
	size_t n;

	while (line > text && line[-1] != '\n')
		line--;
	if (strncmp(line, "attendees:", 10) == 0)
		return 0;
	while (start > text && !is_end(start - 1))
		start--;
	while (*end && !is_end(end))
		end++;
	n = (size_t)(end - start) < sizeof buf - 1 ? (size_t)(end - start) : sizeof buf - 1;
	memcpy(buf, start, n);
	buf[n] = '\0';
	for (; *words; words++)
		if (strstr(buf, *words))
			return 1;
	return 0;
}

/* Returns the topics text (already lower-cased) gives evidence of. */
static unsigned
evidence(const char *text, char nd_lower[T_COUNT][MAX_NEEDLES][512], const struct needles *nd)
{
	unsigned found = 0;
	int t, i;

	for (t = 0; t < T_COUNT; t++) {
		for (i = 0; i < nd[t].n && !(found & (1u << t)); i++) {
			const char *needle = nd_lower[t][i], *at = text;
			size_t len = strlen(needle);

			if (len == 0)
				continue;
			while ((at = strstr(at, needle)) != NULL) {
				if (nd[t].with == NULL || sentence_with(text, at, len, nd[t].with)) {
					found |= 1u << t;
					break;
				}
				at += len;
			}
		}
	}
	return found;
}

/* How a lost deal was lost (story.loss_reason, from dg-plan), what the scorecard says,
 * and the facts it was lost on. */
struct loss {
	const char *reason, *says;
	unsigned topics;   /* what it was lost on: red */
	unsigned weakened; /* what the loss puts in doubt: amber at best */
	const char *doubt; /* said before those answers */
};
static const struct loss losses[] = {
	{ "chose_competitor", "Lost to a competitor", TOPIC_BIT(T_COMPETITION),
	    TOPIC_BIT(T_DECISION_CRITERIA) | TOPIC_BIT(T_CHAMPION),
	    "In doubt after the loss: the other vendor fitted better." },
	{ "budget_pulled", "Lost: the budget was pulled", TOPIC_BIT(T_BUDGET) | TOPIC_BIT(T_ECONOMIC_BUYER),
	    TOPIC_BIT(T_METRICS) | TOPIC_BIT(T_IMPACT) | TOPIC_BIT(T_DECISION_PROCESS),
	    "In doubt after the loss: the case did not hold the budget." },
	{ "no_decision", "Lost: no decision was made", TOPIC_BIT(T_DECISION_PROCESS),
	    TOPIC_BIT(T_CHAMPION) | TOPIC_BIT(T_ECONOMIC_BUYER) | TOPIC_BIT(T_PAIN),
	    "In doubt after the loss: nobody drove a decision." },
	{ "timing", "Lost on timing", TOPIC_BIT(T_TIMELINE) | TOPIC_BIT(T_CRITICAL_EVENT),
	    TOPIC_BIT(T_PAIN) | TOPIC_BIT(T_METRICS) | TOPIC_BIT(T_ECONOMIC_BUYER),
	    "In doubt after the loss: the problem was not urgent enough." },
	{ "went_quiet", "Lost: the buyer went quiet", TOPIC_BIT(T_CHAMPION),
	    TOPIC_BIT(T_ECONOMIC_BUYER) | TOPIC_BIT(T_DECISION_PROCESS) | TOPIC_BIT(T_PAIN),
	    "In doubt after the loss: the buyer stopped answering." },
};

/* The emails that end a lost deal: the customer's news, the rep's last tries. */
static int
is_ending(const char *type)
{
	static const char *const t[] = { "lost_competitor", "no_decision", "budget_pulled", "timing", "breakup", NULL };
	int i;

	for (i = 0; type && t[i]; i++)
		if (!strcmp(type, t[i]))
			return 1;
	return 0;
}

/* How much an activity's word is worth as evidence: the customer's own words in a
 * meeting or an email weigh more than what the rep wrote. */
static int
weight_of(jv a)
{
	const char *kind = jx_str(a, "kind"), *dir = jx_str(a, "direction");

	if (kind && !strcmp(kind, "meeting"))
		return 3;
	return dir && !strcmp(dir, "inbound") ? 2 : 1;
}

/* 1 when the person ref takes part in activity a (writes or reads it, is copied, or
 * attends). */
static int
takes_part(jv a, const char *ref)
{
	jv att = jx_get(a, "attendees", JV_KIND_ARRAY);
	int i;

	if (ref == NULL)
		return 0;
	if (jx_str(a, "who") && !strcmp(jx_str(a, "who"), ref))
		return 1;
	for (i = 0; i < jx_len(att); i++)
		if (jx_cstr(jx_at(att, i)) && !strcmp(jx_cstr(jx_at(att, i)), ref))
			return 1;
	return 0;
}

/* Topics a person speaks to in the first or second person: an email to or from the
 * champion that talks of championing ("thank you for championing this internally"). */
static unsigned
direct(jv a, const char *text, jv story)
{
	static const struct {
		enum topic t;
		const char *key;
		const char *const *words;
	} who[] = {
		{ T_ECONOMIC_BUYER, "economic_buyer", eb_words },
		{ T_CHAMPION, "champion", champion_words },
	};
	unsigned found = 0;
	size_t k;

	for (k = 0; k < sizeof who / sizeof who[0]; k++) {
		const char *ref = jx_str(story, who[k].key);
		const char *const *w;

		if (ref == NULL || !jx_str(a, "who") || strcmp(jx_str(a, "who"), ref))
			continue;
		for (w = who[k].words; *w; w++)
			if (strstr(text, *w))
				found |= 1u << who[k].t;
	}
	return found;
}

/* The source of an answer in words: who said it, where and when. */
static void
source_clause(struct sb *b, jv a, const struct deal_text *t, int m, int strong)
{
	const struct person *p = deal_person(t->people, t->n, jx_str(a, "who"));
	const char *start = jx_str(a, "start"), *subj = jx_str(a, "subject");
	const char *acct = vars_get(&t->vs, "account");
	char day[32] = "an earlier date";
	time_t ts;
	struct tm lt;

	if (start && time_parse(start, &ts) == 0) {
		tz_local(t->tz, ts, &lt);
		strftime(day, sizeof day, "%b %-d, %Y", &lt);
	}
	switch (weight_of(a)) {
	case 3:
		sb_addf(b, " Heard from %s of %s in \"%s\" on %s", p ? p->name : "the customer", acct,
		    subj ? subj : "a meeting", day);
		break;
	case 2: sb_addf(b, " In an email from %s of %s on %s", p ? p->name : "the customer", acct, day); break;
	default:
		sb_addf(b, " Only in our own email of %s to %s of %s, not yet confirmed by the customer", day,
		    p ? p->name : "the customer", acct);
	}
	sb_addf(b, " (%d %s, %d from the customer).", m, m == 1 ? "source" : "sources", strong);
}

/* The first phase at which a deal can know every element of the template: for each
 * element the earliest of its topics, the latest of those. */
static int
ready_phase(const struct template *tpl)
{
	int j, t, ready = 0;

	for (j = 0; j < tpl->n; j++) {
		int first = 6;

		for (t = 0; t < T_COUNT; t++)
			if ((tpl->e[j].topics & TOPIC_BIT(t)) && topic_phase((enum topic)t) < first)
				first = topic_phase((enum topic)t);
		if (first > ready)
			ready = first;
	}
	return ready;
}

static int
has_past(jv acts)
{
	int i;

	for (i = 0; i < jx_len(acts); i++)
		if (jx_str(jx_at(acts, i), "when") && !strcmp(jx_str(jx_at(acts, i), "when"), "past"))
			return 1;
	return 0;
}

/* The loss of a lost deal and the topics it was lost on. A template without an
 * element for those facts (MEDDICC has no timeline) tells the loss on its decision
 * process. */
static const struct loss *
loss_of(jv story, const struct template *tpl, unsigned *lost_on)
{
	const struct loss *loss = NULL;
	const char *why = jx_str(story, "loss_reason");
	int i, hit = 0;

	for (i = 0; why && i < (int)(sizeof losses / sizeof losses[0]) && !loss; i++)
		if (!strcmp(why, losses[i].reason))
			loss = &losses[i];
	*lost_on = loss ? loss->topics : 0;
	for (i = 0; loss && i < tpl->n; i++)
		hit |= (tpl->e[i].topics & *lost_on) != 0;
	if (loss && !hit)
		*lost_on = TOPIC_BIT(T_DECISION_PROCESS);
	return loss;
}

/* What each past activity is evidence of: its subject and body against the deal's
 * needles, and what it says outright. Only what has happened is evidence; an upcoming
 * agenda is a plan. */
static void
find_evidence(struct scoring *s, const struct deal_text *t)
{
	static char nd_lower[T_COUNT][MAX_NEEDLES][512];
	static struct sb low;
	struct needles nd[T_COUNT];
	int i, j;

	needles_init(nd, t, s->story);
	for (j = 0; j < T_COUNT; j++)
		for (i = 0; i < nd[j].n; i++)
			snprintf(nd_lower[j][i], sizeof nd_lower[j][i], "%s", lower(&low, nd[j].any[i]));
	for (i = 0; i < s->n; i++) {
		jv a = jx_at(s->acts, i);
		const char *when = jx_str(a, "when"), *subj = jx_str(a, "subject"), *body = jx_str(a, "body");

		s->found[i] = 0;
		if (when == NULL || strcmp(when, "past") != 0 || jx_str(a, "key") == NULL)
			continue;
		if (subj)
			s->found[i] |= evidence(lower(&low, subj), nd_lower, nd);
		if (body) {
			s->found[i] |= evidence(lower(&low, body), nd_lower, nd);
			s->found[i] |= direct(a, sb_str(&low), s->story);
		}
	}
}

/* One element's answer: its score from the evidence, the activities cited, the answer
 * written from the template, the confidence. Returns the answer object, or
 * jv_invalid() after saying why when the template cannot be rendered. */
static jv
answer_of(struct ctx *c, const struct element *e, const struct scoring *s, struct deal_text *t,
    const struct jsonl_pos *pos, int *answered)
{
	jv ev = jv_array(), ans = jv_object();
	const char *person = e->topics & TOPIC_BIT(T_ECONOMIC_BUYER) ? jx_str(s->story, "economic_buyer")
	    : e->topics & TOPIC_BIT(T_CHAMPION)                      ? jx_str(s->story, "champion")
								     : NULL;
	int i, w, m = 0, strong = 0, best = -1, score, cited = 0, lost = 0, doubt = 0;
	double conf = 0;
	char where[512], err[256];

	/* Every activity that supports the element; an answer about a person rests only
	 * on activities that person takes part in. */
	for (i = 0; i < s->n; i++) {
		jv a = jx_at(s->acts, i);

		if (!(s->found[i] & e->topics) || (person && !takes_part(a, person)))
			continue;
		m++;
		strong += weight_of(a) > 1;
		if (best < 0 || weight_of(a) >= weight_of(jx_at(s->acts, best)))
			best = i; /* the latest of the weightiest */
	}
	/* Cited: the customer's words and meeting notes first, latest first, four at
	 * most; the rep's own emails only while fewer than two better ones are cited. */
	for (w = 3; w >= 1 && cited < 4; w--)
		for (i = s->n - 1; i >= 0 && cited < 4; i--) {
			jv a = jx_at(s->acts, i);

			if (!(s->found[i] & e->topics) || (person && !takes_part(a, person)) || weight_of(a) != w ||
			    (w == 1 && cited >= 2))
				continue;
			ev = jv_array_append(ev, jv_string(jx_str(a, "key")));
			cited++;
		}
	score = m >= 3 ? 3 : m;
	if (m && !strong && score > 2)
		score = 2; /* the rep's word alone: not yet confirmed */
	if (s->loss && (e->topics & s->lost_on)) {
		/* The element the deal was lost on: red, and the answer says so, with the
		 * emails that told it as evidence. */
		for (i = s->n - 1; i >= 0; i--)
			if (is_ending(jx_str(jx_at(s->acts, i), "type")) && jx_str(jx_at(s->acts, i), "key")) {
				ev = jv_array_append(ev, jv_string(jx_str(jx_at(s->acts, i), "key")));
				if (m++ == 0 || best < i)
					best = i;
				strong += weight_of(jx_at(s->acts, i)) > 1;
			}
		score = 0;
		lost = 1;
	} else if (s->loss && (e->topics & s->loss->weakened) && score > 1) {
		score = 1;
		doubt = 1;
	}
	ans = jx_set_str(ans, "id", e->id);
	ans = jx_set_str(ans, "name", e->name);
	ans = jx_set_str(ans, "question", e->question);
	if (m > 0) {
		struct sb b = { 0 };

		deal_text_facts(t, 0);
		if (lost)
			sb_addf(&b, "%s. ", s->loss->says);
		else if (doubt)
			sb_addf(&b, "%s ", s->loss->doubt);
		if (render(&b, e->answer, &t->vs, &t->r, err, sizeof err) != 0) {
			warnx("%s: template '%s', element '%s': %s", jsonl_where(pos, where, sizeof where), c->tpl.name,
			    e->id, err);
			sb_free(&b);
			jv_free(ev);
			jv_free(ans);
			return jv_invalid();
		}
		source_clause(&b, jx_at(s->acts, best), t, m, strong);
		ans = jx_set_str(ans, "answer", sb_str(&b));
		sb_free(&b);
		/* Confidence follows the evidence: the customer's words and meetings count,
		 * the rep's own emails a little. */
		conf = 0.3 + 0.15 * (strong > 3 ? 3 : strong) + 0.05 * ((m - strong) > 3 ? 3 : (m - strong));
		if (conf > 0.95)
			conf = 0.95;
		(*answered)++;
	} else {
		ans = jv_object_set(ans, jv_string("answer"), jv_null());
	}
	ans = jv_object_set(ans, jv_string("score"), jv_number(score));
	ans = jx_set_str(ans, "status", score >= 3 ? "green" : score == 2 ? "amber" : "red");
	ans = jv_object_set(ans, jv_string("confidence"), jv_number(score_round2(conf)));
	return jv_object_set(ans, jv_string("evidence"), ev);
}

static int
score_one(jv rec, const struct jsonl_pos *pos, void *vctx)
{
	struct ctx *c = vctx;
	static struct deal_text t;
	static unsigned found[1024];
	struct scoring s;
	jv answers, card;
	double wsum = 0, wscore = 0;
	int j, answered = 0;
	char where[512];

	if (deal_id(rec, pos) == NULL) {
		jv_free(rec);
		return 1;
	}
	s.acts = jx_get(rec, "activities", JV_KIND_ARRAY);
	s.story = jx_get(rec, "story", JV_KIND_OBJECT);
	s.n = jx_len(s.acts) > 1024 ? 1024 : jx_len(s.acts);
	s.found = found;
	s.loss = loss_of(s.story, &c->tpl, &s.lost_on);
	deal_text_init(&t, rec, c->cfg);
	rng_init(&t.r, (uint64_t)c->cfg->seed, t.id, "score", 0);
	find_evidence(&s, &t);
	answers = jv_array();
	for (j = 0; j < c->tpl.n; j++) {
		const struct element *e = &c->tpl.e[j];
		jv ans = answer_of(c, e, &s, &t, pos, &answered);

		if (!jv_is_valid(ans)) {
			jv_free(answers);
			jv_free(rec);
			return 1;
		}
		answers = jv_array_append(answers, ans);
		wsum += e->weight;
		wscore += e->weight * jx_num(ans, "score", 0);
	}
	card = jv_object();
	card = jx_set_str(card, "template", c->tpl.name);
	if (s.loss)
		card = jx_set_str(card, "loss_reason", s.loss->reason);
	card = jv_object_set(card, jv_string("coverage"), jv_number(score_round2((double)answered / c->tpl.n)));
	card = jv_object_set(card, jv_string("target"), jv_number(c->cfg->score.coverage_target));
	card = jv_object_set(card, jv_string("score"), jv_number(wsum > 0 ? round(100 * wscore / (3 * wsum)) : 0));
	card = jv_object_set(card, jv_string("answers"), answers);
	/* The target is for deals far enough along to know every element (a prospect's
	 * scorecard is meant to be mostly open), and for deals with nothing to score. */
	if (!c->llm && (double)answered / c->tpl.n + 1e-9 < c->cfg->score.coverage_target && c->tpl.n &&
	    (jx_num(s.story, "phase", 6) >= ready_phase(&c->tpl) || !has_past(s.acts)))
		warnx("%s: '%s' covers %d of %d %s elements, below the target %.2f",
		    jsonl_where(pos, where, sizeof where), t.id, answered, c->tpl.n, c->tpl.name,
		    c->cfg->score.coverage_target);
	if (c->llm) {
		card = score_prompt(c, card, &s, &t, pos);
		llm_batch_add(&c->batch, jv_object_set(rec, jv_string("scorecard"), card));
		return 0;
	}
	jsonl_emit(jv_object_set(rec, jv_string("scorecard"), card));
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "template", required_argument, NULL, 't' },
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
	const char *mode = NULL, *tpl = NULL, *jobs = NULL;
	time_t now;
	long bad;
	int o, no_cache = 0;

	util_init(argv[0]);
	jx_cache_keys(1); /* one thread */
	util_stream_errors();
	while ((o = getopt_long(argc, argv, "c:t:j:h", opts, NULL)) != -1) {
		switch (o) {
		case 'c': cli.config = optarg; break;
		case 't': tpl = optarg; break;
		case 'm': mode = optarg; break;
		case 'j': jobs = optarg; break;
		case 'N': no_cache = 1; break;
		case 'h': cli_usage(usage, 0);
		case 'V': cli_version();
		default: cli_usage(usage, 1);
		}
	}
	cli_setup(&cli, &cfg, &now);
	mode = cli_mode(mode ? mode : cfg.score.mode, &cfg);
	if (template_load(&c.tpl, tpl ? tpl : cfg.score.template) != 0) {
		util_fail_downstream(EXIT_USAGE, "the scorecard template cannot be used");
		config_free(&cfg);
		return EXIT_USAGE;
	}
	c.cfg = &cfg;
	struct llm l;
	c.llm = cli_llm_open(&l, &cfg, mode, jobs, no_cache);
	if (c.llm) {
		char *system = prompt_load("prompts/score-system.txt");
		struct vars vs = { 0 };
		char err[256];

		vars_set(&vs, "template", c.tpl.name);
		if (prompt_fill(&c.system, system, &vs, err, sizeof err) != 0)
			diex(EXIT_USAGE, "prompts/score-system.txt: %s", err);
		free(system);
		c.user_tmpl = prompt_load("prompts/score-user.txt");
		c.batch = (struct llm_batch){ .l = &l,
			.strict = !strcmp(mode, "llm"),
			.stage = "dg-score",
			.items = "scorecards",
			.fallback = "the heuristic",
			.ask = score_ask,
			.finish = score_put,
			.ctx = &c };
	}
	bad = jsonl_each(argc - optind, argv + optind, score_one, &c);
	if (c.llm) {
		long failed = llm_batch_end(&c.batch);
		if (bad >= 0)
			bad += failed;
		llm_report(&l, "dg-score");
		llm_close(&l);
		free(c.user_tmpl);
		sb_free(&c.system);
	}
	template_free(&c.tpl);
	config_free(&cfg);
	return cli_exit(bad);
}
