/* deal.h: what the stages share about one deal record: topics, people, money, domain.
 *
 * The record's field names are pinned in dg(7); this header is their one reading. */
#ifndef DG_DEAL_H
#define DG_DEAL_H

#include "bank.h"
#include "config.h"
#include "jsonl.h"
#include "rng.h"

#include <jv.h>
#include <stddef.h>

/* The facts a sales conversation can establish. Each scorecard element rests on one or
 * more of them; dg-plan decides which activity touches which, dg-content writes them
 * into the text, dg-score finds them there again. */
enum topic {
	T_PAIN,
	T_METRICS,
	T_ECONOMIC_BUYER,
	T_DECISION_CRITERIA,
	T_DECISION_PROCESS,
	T_PAPER_PROCESS,
	T_CHAMPION,
	T_COMPETITION,
	T_BUDGET,
	T_TIMELINE,
	T_SITUATION,
	T_IMPACT,
	T_CRITICAL_EVENT,
	T_COUNT
};
/* A topic's bit in a set of topics (unsigned). */
#define TOPIC_BIT(t) (1u << (t))
/* The topic's name in records and templates ("pain", "economic_buyer", ...). */
const char *topic_name(enum topic t);
/* The topic for a name, or -1. */
int topic_find(const char *name);

/* One person on the buyer's side, borrowed from the record's contacts array. */
struct person {
	const char *ref;   /* Id, or the key of a contact dg-plan adds */
	const char *name;  /* "Dana Lee" (built from First/LastName when Name is absent) */
	const char *first; /* first name, or the whole name */
	const char *title;
	const char *email;
	const char *role;
	int primary;
	char namebuf[256], firstbuf[128];
};

/* Reads up to max contacts of rec into out (those with neither Id nor key are left
 * out) and returns how many. */
int deal_people(jv rec, struct person *out, int max);
/* The person whose ref is ref, or NULL. */
const struct person *deal_person(const struct person *p, int n, const char *ref);

/* Returns the record's opportunity Id, or NULL after saying on stderr, as
 * "WHERE: record has no opportunity Id", that the record is refused. */
const char *deal_id(jv rec, const struct jsonl_pos *pos);

/* Formats an amount the way sellers write it: "$950", "$120K", "$1.2M". */
char *money_fmt(double amount, char *buf, size_t size);
/* Formats an amount the way it is written in a sentence: "$950", "$120,000",
 * "$1.2 million" (a grammar checker reads these; "$120K" it does not). */
char *money_text(double amount, char *buf, size_t size);
/* The host of a website as a domain, lower case ("https://www.Acme.com/x" -> acme.com),
 * into buf; NULL when it is not one. */
char *web_domain(const char *website, char *buf, size_t size);
/* Whether email's address is on dom or a subdomain of it. */
int email_on_domain(const char *email, const char *dom);

struct strlist;
/* The email domain of an account, real and never invented: from its Website
 * ("https://www.acme.com/x" -> acme.com), else from the configuration's domains
 * ("ACCOUNT=DOMAIN", the account by name or Id), else the domain most of its people's
 * addresses (emails[0..nemails)) are on. Returns buf, or NULL when none of those says. */
char *account_domain(const char *website, const char *name, const char *id, const struct strlist *domains,
    const char *const *emails, int nemails, char *buf, size_t size);

/* The earliest phase (see stage_phase) at which a sale usually learns a topic: pain
 * and the current setup from the first touch, the buying process from evaluation on,
 * paperwork and budget only near the end. */
int topic_phase(enum topic t);
/* The shipped phrase bank name (share/dg/NAME) with the team's own files of the
 * config's words: added in; other_name is the other shipped bank, whose sections the
 * same files may hold. Dies with status 2 saying file:line on a bad file. */
struct bank *words_open(const struct dg_config *cfg, const char *name, const char *other_name);

/* Where a stage sits in a sales cycle: 0 prospecting ... 5 negotiation, 6 won. */
int stage_phase(const char *stage);

#define DEAL_PEOPLE 64

/* Everything one deal's text is written from: its people and the variables the phrase
 * banks and scorecard templates use (see share/dg/content.txt for the list). */
struct deal_text {
	struct person people[DEAL_PEOPLE];
	int n;
	struct vars vs;
	const char *id, *tz;
	char owner_first[128], competitor[256], amount[32], industry[64];
	char seats[24], term[8], discount[8], month[24];
	/* Each fact of the story in full and in its short form (story.short), by topic;
	 * NULL for topics that are people, not facts. */
	const char *full[T_COUNT], *shortf[T_COUNT];
	unsigned facts_said;
	int facts_set;
	struct rng r;
};

/* Fills t from a planned record (borrowing from rec, which must outlive t's use). */
void deal_text_init(struct deal_text *t, jv rec, const struct dg_config *cfg);
/* Sets each fact's variable ({pain}, {criteria}, ...) to its full form, or to its
 * short form for the topics in said (a bit per enum topic): what was said in full once
 * is referred back to after that. {pain_full} and the like always hold the full form. */
void deal_text_facts(struct deal_text *t, unsigned said);
/* Sets var (full name) and first (first name) for the person ref points at, or both to
 * fallback when nobody matches. */
void deal_text_person(struct deal_text *t, const char *var, const char *first, const char *ref, const char *fallback);

#endif
