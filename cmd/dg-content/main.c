/* dg-content: the final subject and body of every planned meeting and email. */
#define _GNU_SOURCE
#include "bank.h"
#include "cli.h"
#include "deal.h"
#include "jsonl.h"
#include "tz.h"
#include "util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define SUBJECT_MAX 255
#define BODY_MAX 32000

static const char usage[] =
    "usage: dg-content [-c FILE] [--seed N] [--mode heuristic] [FILE...]\n"
    "\n"
    "Reads planned deal records (from dg-plan) and writes each activity's final\n"
    "'subject' and 'body': meeting notes for past meetings, agendas for upcoming ones,\n"
    "emails with greeting and sign-off, replies that quote what they answer.\n"
    "\n"
    "  -c, --config FILE  configuration file (default $DG_CONFIG, else ./demo.yaml)\n"
    "      --seed N       seed for every random choice (default: the config's seed)\n"
    "      --mode MODE    heuristic (the LLM modes come with the LLM client)\n"
    "  -h, --help         show this help and exit\n"
    "      --version      show the version and exit\n";

struct ctx {
	const struct dg_config *cfg;
	struct bank *b;
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

static void
attendee_line(struct sb *out, struct deal_text *t, jv act)
{
	jv att = jx_get(act, "attendees", JV_KIND_ARRAY);
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
	sb_addf(out, "%s%s (%s)\n", k ? "; " : "", vars_get(&t->vs, "owner"),
	    vars_get(&t->vs, "company"));
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

static int
email_body(struct sb *out, struct ctx *c, struct deal_text *t, jv act, const char *quote_from,
    const char *quote, char *err, size_t errsize)
{
	const char *type = jx_str(act, "type") ? jx_str(act, "type") : "any";
	const char *dir = jx_str(act, "direction");
	int inbound = dir && strcmp(dir, "inbound") == 0;

	if (inbound) {
		sb_addf(out, "Hi %s,\n\n", t->owner_first);
		if (add(out, c, t, "reply.open", err, errsize))
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
	if (quote && *quote) {
		/* A reply quotes the first lines of what it answers, as mail clients do. */
		const char *p = quote;
		int lines = 0;

		sb_addf(out, "\nOn %s wrote:\n", quote_from);
		while (*p && lines < 4) {
			size_t n = strcspn(p, "\n");

			sb_add(out, "> ");
			sb_addn(out, p, n);
			sb_add(out, "\n");
			p += n + (p[n] == '\n');
			lines++;
		}
	}
	return 0;
}

/* Finds the activity with key in acts (an array of already written ones), or invalid. */
static jv
find_key(jv acts, const char *key)
{
	int i;

	for (i = 0; key && i < jx_len(acts); i++)
		if (jx_str(jx_at(acts, i), "key") && strcmp(jx_str(jx_at(acts, i), "key"), key) == 0)
			return jx_at(acts, i);
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
		out = jv_array_append(out, a);
		continue;
render_failed:
		warnx("%s: activity '%s': %s", jsonl_where(pos, where, sizeof where), key, err);
		goto bad;
	}
	sb_free(&subj);
	sb_free(&body);
	rec = jv_object_set(rec, jv_string("activities"), out);
	jsonl_emit(rec);
	return 0;
bad:
	sb_free(&subj);
	sb_free(&body);
	jv_free(out);
	jv_free(rec);
	return 1;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 'S' },
		{ "mode", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { 0 };
	struct dg_config cfg;
	struct ctx c = { 0 };
	const char *mode = NULL;
	time_t now;
	long bad;
	int o;

	util_init(argv[0]);
	while ((o = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (o) {
		case 'c': cli.config = optarg; break;
		case 'S': cli.seed = optarg; break;
		case 'm': mode = optarg; break;
		case 'h': cli_usage(usage, 0);
		case 'V': cli_version();
		default: cli_usage(usage, 1);
		}
	}
	cli_setup(&cli, &cfg, &now);
	cli_mode(mode ? mode : cfg.content.mode);
	c.cfg = &cfg;
	c.b = bank_open("content.txt");
	bad = jsonl_each(argc - optind, argv + optind, content_one, &c);
	bank_free(c.b);
	config_free(&cfg);
	return cli_exit(bad);
}
