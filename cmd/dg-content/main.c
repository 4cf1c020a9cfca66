/* dg-content: the final subject and body of every planned meeting and email. The
 * writing itself is in write.c (bodies), people.c (who speaks to whom), thread.c (what
 * each activity answers or is about) and words.c (lines drawn from the phrase banks);
 * this file reads the records, asks the LLM when one is configured, and writes out. */
#include "content.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* Prepares activity a's prompt for the LLM pass while the deal's words are at hand: the
 * story in full, who writes to whom, the length and texture of the heuristic draft it
 * rewrites. The pass reads the hidden fields (_prompt, _mention, _avoid, _quote_from)
 * and removes them. Returns 0, or -1 with err. */
static int
llm_prompt(struct ctx *c, struct deal_text *t, jv rec, jv *a, int i, int n, jv out, const struct voice *v,
    const struct mail *m, const struct sb *subj, const struct sb *body, char *err, size_t errsize)
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
			sb_addf(&ppl, "%s%s (%s%s%s)", ppl.len ? "; " : "", nm,
			    jx_str(ct, "Title") ? jx_str(ct, "Title") : "contact", jx_str(ct, "Role") ? ", " : "",
			    jx_str(ct, "Role") ? jx_str(ct, "Role") : "");
	}
	for (k = i - 3 < 0 ? 0 : i - 3; k < i; k++)
		sb_addf(&earlier, "%s%s", earlier.len ? " | " : "", jx_str(jx_at(out, k), "subject"));
	author = v->inbound ? (v->author ? v->author->name : "the customer") : vars_get(&t->vs, "owner");
	audience = v->meeting ? "the deal team (CRM notes)"
	    : v->inbound      ? vars_get(&t->vs, "owner")
			      : (v->reader ? v->reader->name : "the customer's team");
	/* The name the text must not use in the third person: the author's own. */
	avoid = v->meeting ? "" : v->inbound ? (v->author ? v->author->name : "") : vars_get(&t->vs, "owner");
	if (m == NULL)
		sb_addf(&task,
		    when && !strcmp(when, "past") ? "the notes of this %s meeting, written right after it"
						  : "the agenda of this upcoming %s meeting",
		    type);
	else
		sb_addf(&task, "an email from %s to %s%s%s", author, audience,
		    m->forward     ? ", forwarding an earlier message"
			: m->quote ? ", answering the earlier one"
				   : "",
		    v->inbound ? " (the customer writes)" : "");
	for (char *u = task.s; u && *u; u++)
		if (*u == '_')
			*u = ' ';
	q = m && m->quote ? strstr(bs, m->forward ? "\n----------" : "\nOn ") : NULL;
	draft = xstrndup(bs, q ? (size_t)(q - bs) : strlen(bs));
	words = words_count(draft);
	/* The draft's own length sets the answer's: a one-liner stays short. */
	sb_addf(&len, "about %d words (%d to %d)", words, words * 2 / 3 > 3 ? words * 2 / 3 : 3, words * 3 / 2 + 10);
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
	vars_set(&t->vs, "texture",
	    m == NULL ? "notes with headings"
		: !strcmp(type, "reply") && !jx_len(jx_get(*a, "topics", JV_KIND_ARRAY))
		? "a quick answer of a line or two"
		: m->forward ? "a short forwarding note"
			     : "a complete email");
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

/* The variables that place activity i in time: its day and date, the meeting it is
 * about (what it answers or recaps, else the next one) with that meeting's day, when
 * the customer was last heard from, and for a scheduling email the slots offered. */
static void
context_vars(struct ctx *c, struct deal_text *t, jv acts, int i, time_t ts, int meeting, char *slots, size_t slotsize)
{
	jv a = jx_at(acts, i);
	const char *type = jx_str(a, "type");
	int about, nm;
	time_t mt;

	/* The meeting an email or a prep call is about: what it answers or recaps, else
	 * the next one. */
	about = key_index(jx_str(a, "about"));
	nm = next_meeting(ts);
	if (about < 0 && !meeting) {
		/* What follows a meeting speaks of the last one (the demo, for a demo
		 * follow-up); anything else of the next. */
		static const char *const after[] = { "demo_follow_up", "resources", "recap", NULL };

		if (words_is_type(type, after))
			about = last_meeting(ts, !strcmp(type, "demo_follow_up") ? "demo" : NULL);
		if (about < 0)
			about = nm;
	}
	vars_set(&t->vs, "meeting_time", "");
	if (about >= 0 && jx_str(jx_at(acts, about), "start") &&
	    time_parse(jx_str(jx_at(acts, about), "start"), &mt) == 0) {
		meeting_name(c, t, jx_str(jx_at(acts, about), "type"));
		vars_set(&t->vs, "meeting_type",
		    jx_str(jx_at(acts, about), "type") ? jx_str(jx_at(acts, about), "type") : "any");
		when_vars(t, mt, "meeting_day", "meeting_date",
		    mt > ts && mt - ts < 14 * DAY_SECONDS ? "meeting_time" : NULL);
	} else {
		meeting_name(c, t, NULL);
		vars_set(&t->vs, "meeting_type", "any");
		vars_set(&t->vs, "meeting_day", vars_get(&t->vs, "day"));
		vars_set(&t->vs, "meeting_date", vars_get(&t->vs, "date"));
	}
	{
		int lh = last_heard(ts);

		/* When the customer was last heard from ("since {last_date}"). */
		when_vars(t, lh >= 0 ? items[lh].start : ts - 14 * DAY_SECONDS, "last_day", "last_date", NULL);
	}
	slots[0] = '\0';
	if (!meeting && type && !strcmp(type, "scheduling") && nm >= 0 &&
	    time_parse(jx_str(jx_at(acts, nm), "start"), &mt) == 0)
		slots_text(t, mt, slots, slotsize);
	vars_set(&t->vs, "slots", slots);
}

static int
content_one(jv rec, const struct jsonl_pos *pos, void *vctx)
{
	struct ctx *c = vctx;
	static struct deal_text t;
	jv acts;
	jv opp = jx_get(rec, "opportunity", JV_KIND_OBJECT);
	struct sb subj = { 0 }, body = { 0 }, place = { 0 };
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
	deal_won = won;
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
		const char *kind = jx_str(a, "kind"), *key = jx_str(a, "key"), *type = jx_str(a, "type"),
			   *when = jx_str(a, "when"), *start = jx_str(a, "start");
		struct voice v;
		struct mail m;
		int meeting, rc;
		time_t ts;

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
		context_vars(c, &t, acts, i, ts, meeting, slots, sizeof slots);
		sb_reset(&subj);
		sb_reset(&body);
		sb_reset(&place);
		if (meeting) {
			if (words_add_typed(&subj, c, &t, "subject.meeting", type, err, sizeof err) != 0)
				goto render_failed;
			rc = meeting_body(
			    &body, &place, c, &t, &v, rec, a, when && strcmp(when, "past") == 0, err, sizeof err);
		} else if (type && !strcmp(type, "out_of_office")) {
			rc = away_body(&subj, &body, c, &t, acts, acts, i, err, sizeof err);
			memset(&m, 0, sizeof m);
		} else {
			mail_of(&t, acts, acts, i, &m, &subj, quote_from, sizeof quote_from, fdate, sizeof fdate);
			m.after_won = won && close && ts > close + DAY_SECONDS;
			m.signing = won && close && ts <= close + DAY_SECONDS && ts > close - 21 * DAY_SECONDS &&
			    strcmp(m.type, "order_form");
			if (subj.len == 0 &&
			    words_add(&subj, c, &t, words_typed(c, sect, sizeof sect, "subject.email", type), err,
				sizeof err) != 0)
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
		if (place.len) /* the Event's Location: the same words as its notes' "Where:" */
			a = jv_object_set(a, jv_string("location"), jv_string_sized(sb_str(&place), (int)place.len));
		rc = c->llm
		    ? llm_prompt(c, &t, rec, &a, i, n, acts, &v, meeting ? NULL : &m, &subj, &body, err, sizeof err)
		    : 0;
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
	sb_free(&place);
	rec = jv_object_set(rec, jv_string("activities"), acts);
	if (c->llm)
		llm_batch_add(&c->batch, rec);
	else
		jsonl_emit(rec);
	return 0;
bad:
	sb_free(&subj);
	sb_free(&body);
	sb_free(&place);
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
			    isdigit((unsigned char)q[6]) &&
			    atoi(q + 3) * 4 + (q[1] - '1') < (tm.tm_year + 1900) * 4 + tm.tm_mon / 3) {
				snprintf(
				    why, whysize, "the text speaks of %.7s, already over on the day it was written", q);
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

/* The requests of one deal: a text for each activity, checked by check_text. */
static void
ask_texts(struct llm_batch *b, jv rec, void *vctx)
{
	struct ctx *c = vctx;
	jv acts = jx_get(rec, "activities", JV_KIND_ARRAY);

	for (int j = 0; j < jx_len(acts); j++) {
		jv a = jx_at(acts, j);
		struct text_check *tc = xcalloc(1, sizeof *tc);

		tc->mention = jx_str(a, "_mention");
		tc->avoid = jx_str(a, "_avoid");
		if (jx_str(a, "start"))
			time_parse(jx_str(a, "start"), &tc->when);
		llm_batch_ask(b, c->system, jx_str(a, "_prompt"), c->schema, "activity_text", check_text, tc);
	}
}

/* The answers into the deal's activities; a reply's quote is added last, from the
 * final text of what it answers, in the order of the plan so that a reply to a reply
 * quotes finished text. */
static jv
put_texts(struct llm_batch *b, jv rec, struct llm_req *reqs, int n, void *vctx)
{
	jv acts = jv_object_get(jv_copy(rec), jv_string("activities"));

	rec = jv_object_delete(rec, jv_string("activities"));
	for (int j = 0; j < n && j < jx_len(acts); j++) {
		jv a = jv_array_get(jv_copy(acts), j);
		const char *key = jx_str(a, "key");

		acts = jv_array_set(acts, j, jv_null());
		if (reqs[j].ok) {
			const char *body = jx_str(reqs[j].answer, "body");
			if (!jx_str(a, "_quote_from")) {
				const char *sj = jx_str(reqs[j].answer, "subject");
				a = jv_object_set(a, jv_string("subject"),
				    jv_string_sized(sj, (int)utf8_trim(sj, strlen(sj), SUBJECT_MAX)));
			}
			a = jv_object_set(
			    a, jv_string("body"), jv_string_sized(body, (int)utf8_trim(body, strlen(body), BODY_MAX)));
			a = jv_object_set(a, jv_string("_llm"), jv_true());
		} else {
			if (b->strict)
				warnx("activity '%s': the LLM gave no usable text: %s", key ? key : "?", reqs[j].err);
			a = llm_outcome(a, b->strict, "dg-content", "key", key, reqs[j].err);
		}
		acts = jv_array_set(acts, j, a);
	}
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
		acts = jv_array_set(acts, j,
		    jv_object_set(
			jv_copy(jx_at(acts, j)), jv_string("body"), jv_string_sized(sb_str(&body), (int)body.len)));
		sb_free(&body);
	}
	for (int j = 0; j < jx_len(acts); j++) {
		jv a = jv_array_get(jv_copy(acts), j);
		acts = jv_array_set(acts, j, jv_null());
		acts = jv_array_set(acts, j, strip_hidden(a));
	}
	return jv_object_set(rec, jv_string("activities"), acts);
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
	jx_cache_keys(1); /* one thread */
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
		c.system = prompt_load("prompts/content-system.txt");
		c.schema = jv_parse(schema_text);
		c.batch = (struct llm_batch){ .l = &l,
			.strict = !strcmp(mode, "llm"),
			.stage = "dg-content",
			.items = "texts",
			.fallback = "the phrase banks",
			.ask = ask_texts,
			.finish = put_texts,
			.ctx = &c };
	}
	bad = jsonl_each(argc - optind, argv + optind, content_one, &c);
	if (c.llm) {
		long failed = llm_batch_end(&c.batch);
		if (bad >= 0)
			bad += failed;
		llm_report(&l, "dg-content");
		llm_close(&l);
		free(c.user_tmpl);
		free(c.system);
		jv_free(c.schema);
	}
	bank_free(c.b);
	free(act_keys);
	free(act_hashes);
	free(items);
	config_free(&cfg);
	return cli_exit(bad);
}
