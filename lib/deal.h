/* deal.h: what the stages share about one deal record: topics, people, money, domain.
 *
 * The record's field names are pinned in dg(7); this header is their one reading. */
#ifndef DG_DEAL_H
#define DG_DEAL_H

#include <jv.h>
#include <stddef.h>

/* The facts a sales conversation can establish. Each scorecard element rests on one or
 * more of them; dg-plan decides which activity touches which, dg-content writes them
 * into the text, dg-score finds them there again. */
enum topic {
	T_PAIN, T_METRICS, T_ECONOMIC_BUYER, T_DECISION_CRITERIA, T_DECISION_PROCESS,
	T_PAPER_PROCESS, T_CHAMPION, T_COMPETITION, T_BUDGET, T_TIMELINE, T_SITUATION,
	T_IMPACT, T_CRITICAL_EVENT, T_COUNT
};
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

/* Formats an amount the way sellers write it: "$950", "$120K", "$1.2M". */
char *money_fmt(double amount, char *buf, size_t size);
/* The email domain for an account: from Website ("https://www.acme.com/x" -> acme.com),
 * else from the name ("Acme, Inc." -> acmeinc.com), else "example.com". */
char *account_domain(const char *website, const char *name, char *buf, size_t size);

/* Where a stage sits in a sales cycle: 0 prospecting ... 5 negotiation, 6 won. */
int stage_phase(const char *stage);

#endif
