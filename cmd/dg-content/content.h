/* content.h: what the files of dg-content share (private to the program). */
#ifndef DG_CONTENT_H
#define DG_CONTENT_H

#include "bank.h"
#include "cli.h"
#include "deal.h"
#include "jsonl.h"
#include "llm.h"
#include "prompt.h"
#include "tz.h"
#include "util.h"

#include <stdint.h>
#include <time.h>

#define SUBJECT_MAX 255
#define BODY_MAX 32000

struct ctx {
	const struct dg_config *cfg;
	struct bank *b;
	int llm;         /* llm or hybrid: the records go through batch with their prompts */
	char *user_tmpl; /* share/dg/prompts/content-user.txt */
	struct llm_batch batch;
	char *system; /* share/dg/prompts/content-system.txt */
	jv schema;    /* what a text is: {subject, body} */
};

/* The activity being written: who writes it and who reads it (people of the deal, or
 * NULL for the seller's side), and the people whose names it may use. */
struct voice {
	const struct person *author, *reader;
	int inbound, meeting;
	const char *speakers[16]; /* meeting notes: the customer's people present */
	int nspeakers;
};

/* What an email is: its place in the deal and the texture it takes. */
struct mail {
	jv act, parent; /* parent: what it answers, or invalid */
	const char *type, *quote, *quote_from;
	const char *forward_date, *forward_subject;
	const char *root; /* the type of the message that started the thread */
	int signing;      /* written in the last days before a won deal closes */
	int forward;      /* forwards an earlier email instead of quoting one */
	int parent_late;  /* a customer's answer days after the message it answers */
	int after_won;    /* written after a won deal closed */
	time_t start;
};

/* The deal's activities as read once per deal: a recap, a reply or an agenda finds what
 * it is about, the next meeting or an automatic reply by these, and jv lookups and date
 * parsing for every pair were most of the time. */
struct item {
	const char *key, *type;
	time_t start;
	int meeting, customer_meeting, ooo, inbound;
	int reply_to;                 /* index, or -1 */
	int topics[T_COUNT], ntopics; /* what it speaks of, in the plan's order */
};

/* words.c: lines from the banks; the deal's memory of what it said (said: topics said
 * in full; nused: long sentences written; strict_draw: short lines count too). */
int words_count(const char *s);
int words_add(struct sb *out, struct ctx *c, struct deal_text *t, const char *section, char *err, size_t errsize);
int words_add_first_fresh(
    struct sb *out, struct ctx *c, struct deal_text *t, const char *const *sections, char *err, size_t errsize);
int words_add_fresh(struct sb *out, struct ctx *c, struct deal_text *t, const char *section, char *err, size_t errsize);
const char *words_typed(struct ctx *c, char *sect, size_t size, const char *base, const char *type);
int words_add_typed(
    struct sb *out, struct ctx *c, struct deal_text *t, const char *base, const char *type, char *err, size_t errsize);
extern unsigned said;
extern int nused;
extern int strict_draw;
/* Whether type is one of list (NULL-ended). */
int words_is_type(const char *type, const char *const *list);

/* people.c: who writes to whom, who said what, names, copies and signatures. */
void attendee_line(struct sb *out, struct deal_text *t, jv act);
void roles_read(jv story);
const char *topic_person(int topic);
int speaker_for(struct deal_text *t, const struct voice *v, int topic);
int same_person(const struct person *a, const struct person *b);
void third_names(struct deal_text *t, const struct voice *v);
void signature(struct sb *out, struct deal_text *t, const char *owner_id);
void cc_names(struct deal_text *t, jv act, const struct voice *v, char *buf, size_t size);
void voice_of(struct deal_text *t, jv a, int meeting, struct voice *v);
extern jv cur_sellers;

/* thread.c: the deal's activities read once (items, by index; act_keys by key), the
 * one being written (cur_item), what an email answers or forwards. */
int key_index(const char *key);
void keys_read(jv acts);
void meeting_name(struct ctx *c, struct deal_text *t, const char *type);
int next_meeting(time_t after);
int last_heard(time_t before);
int last_meeting(time_t before, const char *type);
void mail_of(struct deal_text *t, jv acts, jv out, int i, struct mail *m, struct sb *subj, char *quote_from,
    size_t qsize, char *fdate, size_t fsize);
extern struct item *items;
extern int cur_item;
extern int deal_won;
extern const char **act_keys;
extern uint64_t *act_hashes;
extern int nact_keys;

/* write.c: bodies of meetings and emails, and the pieces they are made of. */
/* A meeting's notes (past) or agenda (upcoming) into out; where the meeting is (its
 * "Where:" words) into where, empty for an internal call. */
int meeting_body(struct sb *out, struct sb *where, struct ctx *c, struct deal_text *t, const struct voice *v, jv rec,
    jv act, int past, char *err, size_t errsize);
void quote_block(struct sb *out, const char *from, const char *quote);
void slots_text(struct deal_text *t, time_t next, char *buf, size_t size);
void when_vars(struct deal_text *t, time_t ts, const char *day, const char *date, const char *tm_var);
int email_body(struct sb *out, struct ctx *c, struct deal_text *t, const struct voice *v, jv rec, const struct mail *m,
    char *err, size_t errsize);
int away_body(struct sb *subj, struct sb *body, struct ctx *c, struct deal_text *t, jv acts, jv out, int i, char *err,
    size_t errsize);

#endif
