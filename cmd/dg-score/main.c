/* dg-score: a filled deal scorecard (MEDDICC by default) from the activities' text. */
#define _GNU_SOURCE
#include "bank.h"
#include "cli.h"
#include "deal.h"
#include "jsonl.h"
#include "template.h"
#include "tz.h"
#include "util.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: dg-score [-c FILE] [--template NAME|FILE] [--mode heuristic] [FILE...]\n"
    "\n"
    "Reads deal records with written activities (from dg-content) and adds a\n"
    "'scorecard': per element an answer, a score (0-3), a confidence and the keys of the\n"
    "activities it rests on; overall coverage and a 0-100 score.\n"
    "\n"
    "  -c, --config FILE      configuration file (default $DG_CONFIG, else ./demo.yaml)\n"
    "  -t, --template NAME    MEDDICC (default), MEDDPICC, BANT, SPICED, or a YAML file\n"
    "      --mode MODE        heuristic (the LLM modes come with the LLM client)\n"
    "  -h, --help             show this help and exit\n"
    "      --version          show the version and exit\n";

#define MAX_NEEDLES 8

struct ctx {
	const struct dg_config *cfg;
	struct template tpl;
};

/* What to look for in a sentence to count it as evidence of a topic. */
struct needles {
	const char *any[MAX_NEEDLES]; /* one of these... */
	int n;
	const char *const *with;      /* ...together with one of these, when set */
};

/* Lower case: evidence() compares lower-cased text. */
static const char *const eb_words[] = { "budget", "sign off", "signs off", "sign-off",
	"signature", "approv", "sponsor", "spend", NULL };
static const char *const champion_words[] = { "champion", "advocat", "internally", NULL };

static void
person_needles(struct needles *nd, const struct deal_text *t, const char *ref,
    const char *const *words)
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
		{ T_PAIN, "pain" }, { T_METRICS, "metrics" },
		{ T_DECISION_CRITERIA, "decision_criteria" }, { T_DECISION_PROCESS, "decision_process" },
		{ T_PAPER_PROCESS, "paper_process" }, { T_BUDGET, "budget" },
		{ T_TIMELINE, "timeline" }, { T_SITUATION, "situation" }, { T_IMPACT, "impact" },
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
	return *p == '\n' || ((*p == '.' || *p == '?' || *p == '!') &&
	    (p[1] == ' ' || p[1] == '\n' || p[1] == '\0'));
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

static double
round2(double x)
{
	return round(x * 100) / 100;
}

static int
score_one(jv rec, const struct jsonl_pos *pos, void *vctx)
{
	struct ctx *c = vctx;
	static struct deal_text t;
	static unsigned found[1024];
	static char nd_lower[T_COUNT][MAX_NEEDLES][512];
	static struct sb low;
	struct needles nd[T_COUNT];
	jv acts = jx_get(rec, "activities", JV_KIND_ARRAY), story = jx_get(rec, "story", JV_KIND_OBJECT);
	jv answers, card;
	double wsum = 0, wscore = 0;
	int i, j, n = jx_len(acts), answered = 0;
	char where[512], err[256];

	if (deal_id(rec, pos) == NULL) {
		jv_free(rec);
		return 1;
	}
	answers = jv_array();
	if (n > 1024)
		n = 1024;
	deal_text_init(&t, rec, c->cfg);
	rng_init(&t.r, (uint64_t)c->cfg->seed, t.id, "score", 0);
	needles_init(nd, &t, story);
	for (j = 0; j < T_COUNT; j++)
		for (i = 0; i < nd[j].n; i++)
			snprintf(nd_lower[j][i], sizeof nd_lower[j][i], "%s", lower(&low, nd[j].any[i]));
	for (i = 0; i < n; i++) {
		jv a = jx_at(acts, i);
		const char *when = jx_str(a, "when"), *subj = jx_str(a, "subject"),
		      *body = jx_str(a, "body");

		found[i] = 0;
		/* Only what has happened is evidence; an upcoming agenda is a plan. */
		if (when == NULL || strcmp(when, "past") != 0 || jx_str(a, "key") == NULL)
			continue;
		if (subj)
			found[i] |= evidence(lower(&low, subj), nd_lower, nd);
		if (body)
			found[i] |= evidence(lower(&low, body), nd_lower, nd);
	}
	for (j = 0; j < c->tpl.n; j++) {
		const struct element *e = &c->tpl.e[j];
		jv ev = jv_array(), ans = jv_object();
		int m = 0, last = -1, meetings = 0, score;
		double conf = 0;

		for (i = 0; i < n; i++)
			if (found[i] & e->topics) {
				ev = jv_array_append(ev, jv_string(jx_str(jx_at(acts, i), "key")));
				m++;
				last = i;
				meetings += jx_str(jx_at(acts, i), "kind") &&
				    strcmp(jx_str(jx_at(acts, i), "kind"), "meeting") == 0;
			}
		score = m >= 3 ? 3 : m;
		ans = jx_set_str(ans, "id", e->id);
		ans = jx_set_str(ans, "name", e->name);
		ans = jx_set_str(ans, "question", e->question);
		if (m > 0) {
			struct sb b = { 0 };
			jv la = jx_at(acts, last);
			const char *ls = jx_str(la, "start");

			if (render(&b, e->answer, &t.vs, &t.r, err, sizeof err) != 0) {
				warnx("%s: template '%s', element '%s': %s",
				    jsonl_where(pos, where, sizeof where), c->tpl.name, e->id, err);
				sb_free(&b);
				jv_free(ev);
				jv_free(ans);
				jv_free(answers);
				jv_free(rec);
				return 1;
			}
			sb_addf(&b, " Evidence: %d %s; latest \"%s\" on %.10s.", m,
			    m == 1 ? "activity" : "activities",
			    jx_str(la, "subject") ? jx_str(la, "subject") : "untitled",
			    ls ? ls : "an unknown date");
			ans = jx_set_str(ans, "answer", sb_str(&b));
			sb_free(&b);
			/* More sources, and a meeting among them, make an answer surer. */
			conf = 0.4 + 0.12 * m + (meetings ? 0.1 : 0);
			if (conf > 0.95)
				conf = 0.95;
			answered++;
		} else {
			ans = jv_object_set(ans, jv_string("answer"), jv_null());
		}
		ans = jv_object_set(ans, jv_string("score"), jv_number(score));
		ans = jx_set_str(ans, "status", score >= 3 ? "green" : score == 2 ? "amber" : "red");
		ans = jv_object_set(ans, jv_string("confidence"), jv_number(round2(conf)));
		ans = jv_object_set(ans, jv_string("evidence"), ev);
		answers = jv_array_append(answers, ans);
		wsum += e->weight;
		wscore += e->weight * score;
	}
	card = jv_object();
	card = jx_set_str(card, "template", c->tpl.name);
	card = jv_object_set(card, jv_string("coverage"),
	    jv_number(round2((double)answered / c->tpl.n)));
	card = jv_object_set(card, jv_string("target"), jv_number(c->cfg->score.coverage_target));
	card = jv_object_set(card, jv_string("score"),
	    jv_number(wsum > 0 ? round(100 * wscore / (3 * wsum)) : 0));
	card = jv_object_set(card, jv_string("answers"), answers);
	if ((double)answered / c->tpl.n + 1e-9 < c->cfg->score.coverage_target && c->tpl.n)
		warnx("%s: '%s' covers %d of %d %s elements, below the target %.2f",
		    jsonl_where(pos, where, sizeof where), t.id, answered, c->tpl.n, c->tpl.name,
		    c->cfg->score.coverage_target);
	rec = jv_object_set(rec, jv_string("scorecard"), card);
	jsonl_emit(rec);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "template", required_argument, NULL, 't' },
		{ "mode", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { 0 };
	struct dg_config cfg;
	struct ctx c = { 0 };
	const char *mode = NULL, *tpl = NULL;
	time_t now;
	long bad;
	int o;

	util_init(argv[0]);
	while ((o = getopt_long(argc, argv, "c:t:h", opts, NULL)) != -1) {
		switch (o) {
		case 'c': cli.config = optarg; break;
		case 't': tpl = optarg; break;
		case 'm': mode = optarg; break;
		case 'h': cli_usage(usage, 0);
		case 'V': cli_version();
		default: cli_usage(usage, 1);
		}
	}
	cli_setup(&cli, &cfg, &now);
	mode = cli_mode(mode ? mode : cfg.score.mode, &cfg);
	if (template_load(&c.tpl, tpl ? tpl : cfg.score.template) != 0) {
		config_free(&cfg);
		return EXIT_USAGE;
	}
	c.cfg = &cfg;
	bad = jsonl_each(argc - optind, argv + optind, score_one, &c);
	template_free(&c.tpl);
	config_free(&cfg);
	return cli_exit(bad);
}
