/* textcheck: measures how dg-content's and dg-score's words read, on their output.
 *
 * The text of an email is its body without the greeting, the sign-off and signature,
 * header lines ("When: ..."), headings, list items that are not sentences and anything
 * quoted or forwarded; the text of a meeting is its notes without the attendee line. Sentences end at . ? or ! before
 * a space or the end of a line. Figures, over all deals:
 *   grammar   share of email sentences link-grammar parses with no null link
 *             (a sample of at most SAMPLE sentences, drawn evenly)
 *   self      emails whose text names their own author, or names the person they are
 *             written to other than to greet them
 *   common    the largest share of deals one sentence of 8+ words appears in, with the
 *             deal's people, account, seller and company masked
 *   distinct  distinct sentences of 8+ words over all their occurrences (masked)
 *   repeats   deals that repeat one of their own sentences of 8+ words
 *   words     email lengths in words (above the quote and signature, greeting aside):
 *             min, median, max; one-liners (at most 12); long ones (120 or more)
 *   quarter   texts naming a quarter before the activity's own, or more than four after
 *             both the deal's close and the activity
 *   budget    stories whose budget states the deal's amount
 *   won       won deals none of whose last three past activities mentions a signature
 *             or a purchase order
 * With a scorecard:
 *   coverage  mean coverage per stage phase (0-6); lost/won mean score
 *   outbound  share of evidence that is the rep's own outbound email
 *   shared    answers that appear word for word in another deal
 * Each figure is printed on stdout as "name value"; a figure outside its bound is also
 * reported on stderr and the exit status is 1.
 * Usage: textcheck [-s SAMPLE] < records */
#include "deal.h"
#include "jsonl.h"
#include "rng.h"
#include "tz.h"
#include "util.h"

#include <ctype.h>
#include <link-grammar/link-includes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ---- counting sentences ---- */

struct entry {
	char *s;
	long count;
	int deals, last_deal, last_count_deal;
};
static struct entry *tab;
static size_t tabcap, tabn;

static struct entry *
lookup(const char *s)
{
	size_t i;

	if (tabn * 2 >= tabcap) {
		struct entry *old = tab;
		size_t oldcap = tabcap, k;

		tabcap = tabcap ? tabcap * 2 : 1 << 16;
		tab = xcalloc(tabcap, sizeof *tab);
		for (k = 0; k < oldcap; k++)
			if (old[k].s) {
				for (i = hash_str(FNV_OFFSET, old[k].s) & (tabcap - 1); tab[i].s;
				     i = (i + 1) & (tabcap - 1))
					;
				tab[i] = old[k];
			}
		free(old);
	}
	for (i = hash_str(FNV_OFFSET, s) & (tabcap - 1); tab[i].s; i = (i + 1) & (tabcap - 1))
		if (strcmp(tab[i].s, s) == 0)
			return &tab[i];
	tab[i].s = xstrdup(s);
	tab[i].last_deal = -1;
	tabn++;
	return &tab[i];
}

/* ---- the text of an activity ---- */

static int
words(const char *s)
{
	int n = 0, in = 0;

	for (; *s; s++) {
		if (isspace((unsigned char)*s))
			in = 0;
		else if (!in) {
			in = 1;
			n++;
		}
	}
	return n;
}

static int
starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* A line that is a header ("When: ...", "Attendees: ..."): a short label and a colon. */
static int
header_line(const char *l, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < 24; i++) {
		if (l[i] == ':')
			return i > 0 && (i + 1 == n || l[i + 1] == ' ');
		if (!isalpha((unsigned char)l[i]) && l[i] != ' ' && l[i] != '-' && l[i] != '/')
			return 0;
	}
	return 0;
}

/* Words of an email as its reader sees them: everything above the quoted or forwarded
 * message and the signature, lists and headers included, the greeting left out. */
static int
email_words(const char *body)
{
	const char *p = body;
	int n = 0, line = 0, seen = 0;

	while (*p) {
		size_t len = strcspn(p, "\n");
		char l[2048];

		snprintf(l, sizeof l, "%.*s", (int)(len < sizeof l - 1 ? len : sizeof l - 1), p);
		p += len + (p[len] == '\n');
		line++;
		if ((starts(l, "On ") && strstr(l, "wrote:")) || starts(l, "-----"))
			break;
		if (l[0] && l[strlen(l) - 1] == ',' && (!seen || words(l) <= 3)) {
			if (seen)
				break;
			continue;
		}
		n += words(l);
		seen |= l[0] != '\0';
	}
	return n;
}

/* Copies the prose of an email (greeting, sign-off, signature, headers, lists and
 * quotes left out) or of meeting notes into out, one paragraph a line. */
static void
prose(const char *body, int email, struct sb *out)
{
	const char *p = body;
	int line = 0, para = 0, seen_text = 0;

	sb_reset(out);
	while (*p) {
		size_t n = strcspn(p, "\n");
		char l[2048];

		snprintf(l, sizeof l, "%.*s", (int)(n < sizeof l - 1 ? n : sizeof l - 1), p);
		p += n + (p[n] == '\n');
		line++;
		if (email &&
		    ((starts(l, "On ") && strstr(l, "wrote:")) || starts(l, "-----") || starts(l, "Begin forwarded")))
			break;
		if (l[0] == '-' && l[1] == ' ' && email && strchr(".?!", l[strlen(l) - 1])) {
			/* A list item written as a sentence is read as one. */
			if (para)
				sb_addc(out, '\n');
			sb_add(out, l + 2);
			sb_addc(out, '\n');
			para = 0;
			continue;
		}
		if (l[0] == '>' || l[0] == '-' || l[0] == '*' || header_line(l, strlen(l))) {
			para = 0;
			continue;
		}
		if (l[0] == '\0') {
			if (para)
				sb_addc(out, '\n');
			para = 0;
			continue;
		}
		if (email && l[strlen(l) - 1] == ',' && (!seen_text || words(l) <= 3)) {
			/* "Hi Dana," opens; "Best," closes: what follows is the signature. */
			if (seen_text)
				break;
			continue;
		}
		/* A heading ("Notes", "Next steps"): a few words and no full stop. */
		if (words(l) <= 4 && !strchr(".?!", l[strlen(l) - 1])) {
			para = 0;
			continue;
		}
		seen_text = 1;
		if (para)
			sb_addc(out, ' ');
		sb_add(out, l);
		para = 1;
	}
	if (para)
		sb_addc(out, '\n');
}

/* Calls fn for every sentence of prose text. */
static void
sentences(const char *text, void (*fn)(const char *, void *), void *arg)
{
	const char *p = text, *start = text;
	char buf[4096];

	for (;; p++) {
		int end = *p == '\0' || *p == '\n' ||
		    ((*p == '.' || *p == '?' || *p == '!') && (p[1] == ' ' || p[1] == '\n' || p[1] == '\0'));

		if (!end)
			continue;
		if (*p && *p != '\n')
			p++;
		while (*start == ' ')
			start++;
		if (p > start) {
			size_t n = (size_t)(p - start);

			snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf - 1 ? n : sizeof buf - 1), start);
			fn(buf, arg);
		}
		if (*p == '\0')
			break;
		start = p + (*p == '\n' || *p == ' ');
	}
}

/* ---- the figures ---- */

static long email_sentences, sampled, parsed, self_refs, emails_seen, one_liners, long_ones;
static long quarter_bad, budget_eq, won_deals, won_unsigned, deal_repeats;
static long ev_total, ev_outbound, shared_answers, answers_total;
static int *lens;
static size_t nlens, caplens;
static int deal_no, sample_every = 1;
static char **grammar_sample;
static size_t nsample, capsample;
static double cov_sum[7], lost_sum, won_sum;
static long cov_n[7], lost_n, won_n;

struct mask {
	const char *names[160];
	int n;
};

/* Replaces every name of m in s with "X". */
static void
mask(const struct mask *m, const char *s, char *out, size_t size)
{
	size_t o = 0;

	while (*s && o + 2 < size) {
		int i, hit = 0;

		for (i = 0; i < m->n; i++) {
			size_t n = strlen(m->names[i]);

			if (n >= 2 && strncmp(s, m->names[i], n) == 0 && !isalnum((unsigned char)s[n])) {
				out[o++] = 'X';
				s += n;
				hit = 1;
				break;
			}
		}
		if (!hit)
			out[o++] = *s++;
	}
	out[o] = '\0';
}

struct sent_arg {
	const struct mask *m;
	int email;
};

static void
one_sentence(const char *s, void *varg)
{
	struct sent_arg *a = varg;
	char masked[4096];
	struct entry *e;

	if (a->email) {
		email_sentences++;
		if (email_sentences % sample_every == 0) {
			if (nsample == capsample) {
				capsample = capsample ? capsample * 2 : 1024;
				grammar_sample = xrealloc(grammar_sample, capsample * sizeof *grammar_sample);
			}
			grammar_sample[nsample++] = xstrdup(s);
		}
	}
	if (words(s) < 8)
		return;
	mask(a->m, s, masked, sizeof masked);
	e = lookup(masked);
	e->count++;
	if (e->last_deal != deal_no) {
		e->last_deal = deal_no;
		e->deals++;
	} else if (e->last_count_deal != deal_no) {
		e->last_count_deal = deal_no;
		deal_repeats++;
		if (getenv("TEXTCHECK_REPEATS"))
			fprintf(stderr, "repeat: %s\n", masked);
	}
}

static void
add_name(struct mask *m, const char *full)
{
	const char *sp;

	if (full == NULL || *full == '\0' || m->n + 3 > (int)(sizeof m->names / sizeof m->names[0]))
		return;
	m->names[m->n++] = full;
	/* First and last names alone, from the same string (borrowed: no copy). */
	if ((sp = strchr(full, ' ')) != NULL) {
		static char parts[4096][64];
		static int np;
		int k = np++ % 4096;

		snprintf(parts[k], sizeof parts[k], "%.*s", (int)(sp - full), full);
		m->names[m->n++] = parts[k];
		k = np++ % 4096;
		snprintf(parts[k], sizeof parts[k], "%s", strrchr(full, ' ') + 1);
		m->names[m->n++] = parts[k];
	}
}

/* Quarter index (year*4 + q-1) of a time. */
static int
quarter_of(time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	return (tm.tm_year + 1900) * 4 + tm.tm_mon / 3;
}

/* 1 when text names name as a word; with full_ok, "Name Surname" (someone else of the
 * same first name, named in full) does not count. */
static int
mentions2(const char *text, const char *name, int full_ok)
{
	const char *p = text;
	size_t n = strlen(name);

	if (n < 2)
		return 0;
	while ((p = strstr(p, name)) != NULL) {
		if ((p == text || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[n]) &&
		    !(full_ok && p[n] == ' ' && isupper((unsigned char)p[n + 1])))
			return 1;
		p += n;
	}
	return 0;
}

static int
mentions(const char *text, const char *name)
{
	const char *p = text;
	size_t n = strlen(name);

	if (n < 2)
		return 0;
	while ((p = strstr(p, name)) != NULL) {
		if ((p == text || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[n]))
			return 1;
		p += n;
	}
	return 0;
}

/* A won deal's last three past activities: do they speak of signing or a PO? */
static void
check_won(jv acts)
{
	int i, k = 0, last_signed = 0;

	won_deals++;
	for (i = jx_len(acts) - 1; i >= 0 && k < 3; i--) {
		jv a = jx_at(acts, i);
		const char *body = jx_str(a, "body");

		if (!jx_str(a, "when") || strcmp(jx_str(a, "when"), "past") || !body)
			continue;
		k++;
		if (strcasestr(body, "sign") || strcasestr(body, "purchase order") || strstr(body, "PO"))
			last_signed = 1;
	}
	won_unsigned += !last_signed;
}

/* The scorecard: coverage by phase, lost against won, shared answers, evidence that
 * is the rep's own email. */
static void
check_card(jv card, jv acts, const char *stage, int won, int lost)
{
	int ph = stage_phase(stage);
	jv ans = jx_get(card, "answers", JV_KIND_ARRAY);

	if (lost)
		ph = -1;
	if (ph >= 0 && ph <= 6) {
		cov_sum[ph] += jx_num(card, "coverage", 0);
		cov_n[ph]++;
	}
	if (lost) {
		lost_sum += jx_num(card, "score", 0);
		lost_n++;
	} else if (won) {
		won_sum += jx_num(card, "score", 0);
		won_n++;
	}
	for (int i = 0; i < jx_len(ans); i++) {
		jv e = jx_get(jx_at(ans, i), "evidence", JV_KIND_ARRAY);
		const char *txt = jx_str(jx_at(ans, i), "answer");
		int k, j;

		if (txt) {
			char key[4200];
			struct entry *en;

			answers_total++;
			snprintf(key, sizeof key, "\x01%s", txt);
			en = lookup(key);
			if (en->last_deal != deal_no) {
				en->last_deal = deal_no;
				en->deals++;
			}
		}
		for (k = 0; k < jx_len(e); k++) {
			const char *key = jx_cstr(jx_at(e, k));

			ev_total++;
			for (j = 0; j < jx_len(acts); j++) {
				jv a = jx_at(acts, j);
				const char *kind = jx_str(a, "kind"), *dir = jx_str(a, "direction");

				if (key && jx_str(a, "key") && !strcmp(jx_str(a, "key"), key)) {
					ev_outbound +=
					    kind && !strcmp(kind, "email") && !(dir && !strcmp(dir, "inbound"));
					break;
				}
			}
		}
	}
}

static int
check_one(jv rec, const struct jsonl_pos *pos, void *ctx)
{
	jv opp = jx_get(rec, "opportunity", JV_KIND_OBJECT), acts = jx_get(rec, "activities", JV_KIND_ARRAY);
	jv cs = jx_get(rec, "contacts", JV_KIND_ARRAY), sellers = jx_get(rec, "sellers", JV_KIND_ARRAY);
	jv story = jx_get(rec, "story", JV_KIND_OBJECT), card = jx_get(rec, "scorecard", JV_KIND_OBJECT);
	const char *owner = jx_str(jx_get(opp, "Owner", JV_KIND_OBJECT), "Name");
	const char *stage = jx_str(opp, "StageName"), *close = jx_str(opp, "CloseDate");
	static struct sb text;
	struct mask m = { 0 };
	struct sent_arg sa = { &m, 0 };
	time_t closet = 0;
	int i, won = stage && strcasestr(stage, "won"), lost = stage && strcasestr(stage, "lost");
	int close_q = 0;
	char amount[32];

	(void)pos;
	(void)ctx;
	add_name(&m, owner);
	add_name(&m, jx_str(jx_get(opp, "Account", JV_KIND_OBJECT), "Name"));
	for (i = 0; i < jx_len(cs); i++) {
		const char *n = jx_str(jx_at(cs, i), "Name");

		add_name(&m, n ? n : jx_str(jx_at(cs, i), "LastName"));
		add_name(&m, jx_str(jx_at(cs, i), "FirstName"));
	}
	for (i = 0; i < jx_len(sellers); i++)
		add_name(&m, jx_str(jx_at(sellers, i), "Name"));
	if (close && time_parse(close, &closet) == 0)
		close_q = quarter_of(closet);
	if (jx_num(opp, "Amount", 0) > 0 && jx_str(story, "budget") &&
	    (strstr(jx_str(story, "budget"), money_fmt(jx_num(opp, "Amount", 0), amount, sizeof amount)) ||
		strstr(jx_str(story, "budget"), money_text(jx_num(opp, "Amount", 0), amount, sizeof amount))))
		budget_eq++;
	for (i = 0; i < jx_len(acts); i++) {
		jv a = jx_at(acts, i);
		const char *body = jx_str(a, "body"), *kind = jx_str(a, "kind"), *dir = jx_str(a, "direction");
		const char *who = jx_str(a, "who"), *start = jx_str(a, "start"), *q;
		int email = kind && !strcmp(kind, "email"), in = dir && !strcmp(dir, "inbound");
		time_t st = 0;

		if (body == NULL)
			continue;
		prose(body, email, &text);
		sa.email = email;
		sentences(sb_str(&text), one_sentence, &sa);
		if (start)
			time_parse(start, &st);
		for (q = sb_str(&text); (q = strstr(q, "Q")) != NULL; q++)
			if (q[1] >= '1' && q[1] <= '4' && q[2] == ' ' && isdigit((unsigned char)q[3]) &&
			    isdigit((unsigned char)q[6])) {
				int qq = atoi(q + 3) * 4 + (q[1] - '1');

				if ((st && qq < quarter_of(st)) ||
				    (close_q && qq > close_q + 4 && (!st || qq > quarter_of(st) + 4))) {
					quarter_bad++;
					if (getenv("TEXTCHECK_QUARTER"))
						fprintf(stderr, "quarter %.7s at %.10s close %s: %s\n", q, start,
						    close ? close : "?", jx_str(a, "key"));
				}
			}
		if (email) {
			const char *author = NULL, *reader = NULL, *reader_first = NULL;
			struct person pp[DEAL_PEOPLE];
			int np = deal_people(rec, pp, DEAL_PEOPLE);
			const struct person *w = deal_person(pp, np, who);
			const char *t = sb_str(&text);
			int n = email_words(body);

			emails_seen++;
			if (nlens == caplens) {
				caplens = caplens ? caplens * 2 : 4096;
				lens = xrealloc(lens, caplens * sizeof *lens);
			}
			lens[nlens++] = n;
			one_liners += n <= 12;
			long_ones += n >= 120;
			if (in) {
				author = w ? w->name : NULL;
				reader = owner;
			} else {
				author = owner;
				reader = w ? w->name : NULL;
				reader_first = w ? w->first : NULL;
			}
			if ((author && mentions(t, author)) || (reader && mentions(t, reader)) ||
			    (reader_first && mentions2(t, reader_first, 1)) ||
			    (author && strchr(author, ' ') && in && w && mentions2(t, w->first, 1))) {
				self_refs++;
				if (getenv("TEXTCHECK_SELF"))
					fprintf(stderr, "self (%s -> %s) in %s: %s\n", author ? author : "?",
					    reader ? reader : "?", jx_str(a, "key"), t);
			}
		}
	}
	if (won)
		check_won(acts);
	if (jv_is_valid(card))
		check_card(card, acts, stage, won, lost);
	deal_no++;
	jv_free(rec);
	return 0;
}

static int
cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static int failed;

static void
bound(const char *name, double v, double lo, double hi)
{
	printf("%s %.3f\n", name, v);
	if (v < lo || v > hi) {
		fprintf(stderr, "textcheck: %s is %.3f, outside [%.3f, %.3f]\n", name, v, lo, hi);
		failed = 1;
	}
}

int
main(int argc, char **argv)
{
	long maxdeals = 0, distinct = 0, occurrences = 0, sample = 3000;
	size_t i;
	int o;

	util_init(argv[0]);
	while ((o = getopt(argc, argv, "s:")) != -1) {
		if (o == 's')
			sample = atol(optarg);
		else
			diex(2, "usage: textcheck [-s SAMPLE] < records");
	}
	/* A first pass counts nothing but the deals; the sample rate needs the sentence count,
	 * so keep every sentence and thin the sample afterwards. */
	if (jsonl_each(0, NULL, check_one, NULL) != 0)
		diex(1, "bad input");
	for (i = 0; i < tabcap; i++) {
		if (tab[i].s == NULL)
			continue;
		if (tab[i].s[0] == '\x01') {
			shared_answers += tab[i].deals > 1 ? tab[i].deals : 0;
			continue;
		}
		distinct++;
		occurrences += tab[i].count;
		if (getenv("TEXTCHECK_ALL") && tab[i].count >= 3)
			fprintf(stderr, "all %ld %d: %s\n", tab[i].count, tab[i].deals, tab[i].s);
		if (getenv("TEXTCHECK_TOP") && tab[i].deals * 10 >= deal_no)
			fprintf(stderr, "common %d deals, %ld times: %s\n", tab[i].deals, tab[i].count, tab[i].s);
		if (tab[i].deals > maxdeals)
			maxdeals = tab[i].deals;
	}
	if (nsample) {
		Dictionary dict;
		Parse_Options po;
		size_t step = nsample > (size_t)sample ? nsample / (size_t)sample : 1;

		dictionary_set_data_dir("/usr/share/link-grammar");
		if ((dict = dictionary_create_lang("en")) == NULL)
			diex(1, "link-grammar: no English dictionary");
		po = parse_options_create();
		parse_options_set_verbosity(po, 0);
		parse_options_set_min_null_count(po, 0);
		parse_options_set_max_null_count(po, 0);
		parse_options_set_linkage_limit(po, 1);
		parse_options_set_max_parse_time(po, 3);
		for (i = 0; i < nsample; i += step) {
			Sentence s = sentence_create(grammar_sample[i], dict);

			sampled++;
			if (s && sentence_split(s, po) == 0 && sentence_parse(s, po) > 0)
				parsed++;
			else if (getenv("TEXTCHECK_FAILS"))
				fprintf(stderr, "unparsed: %s\n", grammar_sample[i]);
			if (s)
				sentence_delete(s);
		}
		parse_options_delete(po);
		dictionary_delete(dict);
	}
	qsort(lens, nlens, sizeof *lens, cmp_int);
	if (deal_no == 0)
		diex(1, "no deals in the input");
	printf("deals %d\nemails %ld\nemail_sentences %ld\ngrammar_sampled %ld\n", deal_no, emails_seen,
	    email_sentences, sampled);
	bound("grammar", sampled ? (double)parsed / (double)sampled : 1, 0.88, 1);
	bound("self", (double)self_refs, 0, 0);
	bound("common", deal_no ? (double)maxdeals / deal_no : 0, 0, 1.0 / 3);
	printf("long_sentences %ld\nlong_distinct %ld\n", occurrences, distinct);
	bound("distinct", occurrences ? (double)distinct / (double)occurrences : 1, 0.5, 1);
	bound("repeats", (double)deal_repeats, 0, 0);
	if (nlens) {
		printf("words_min %d\nwords_median %d\nwords_max %d\n", lens[0], lens[nlens / 2], lens[nlens - 1]);
		bound("one_liners", (double)one_liners / (double)nlens, 0.03, 1);
		bound("long_emails", (double)long_ones / (double)nlens, 0.01, 1);
	}
	bound("quarter", (double)quarter_bad, 0, 0);
	bound("budget", (double)budget_eq, 0, 0);
	bound("won_unsigned", won_deals ? (double)won_unsigned / won_deals : 0, 0, 0.05);
	if (answers_total) {
		for (o = 0; o <= 6; o++)
			if (cov_n[o])
				printf("coverage_phase%d %.3f\n", o, cov_sum[o] / (double)cov_n[o]);
		if (won_n && lost_n)
			bound("lost_over_won", (lost_sum / (double)lost_n) / (won_sum / (double)won_n), 0, 0.75);
		bound("outbound_evidence", ev_total ? (double)ev_outbound / (double)ev_total : 0, 0, 0.5);
		bound("shared_answers", (double)shared_answers, 0, 0);
	}
	return failed;
}
