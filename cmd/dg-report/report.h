/* report.h: dg-report's parts: one deal's section as it is read (deal.c, timeline.c),
 * the owners' calendars (calendar.c) and the page around them (page.c). */
#ifndef DG_REPORT_H
#define DG_REPORT_H

#include "util.h"

#include <jv.h>
#include <time.h>

/* What a calendar needs of one activity (kept for every activity of every deal). */
struct rp_act {
	time_t start;
	int minutes;   /* 0 for an email */
	char kind;     /* 'm' meeting with the customer, 'i' internal call, 'e' email */
	int inbound;   /* an email from the customer */
	int upcoming;  /* planned after now */
	int failed;    /* the org refused it */
	int clash;     /* a meeting overlapping another of the same owner */
	int deal, idx; /* its deal (index) and its place in the deal's activities */
	char *subject;
};

/* What the overview and the calendars need of one deal. */
struct rp_deal {
	char *name, *account, *stage, *owner, *owner_key, *tz, *close;
	char amount[48];
	double amount_v; /* for sorting; -1 when none */
	int meetings, emails, contacts, planned_contacts;
	int failed, written; /* records the org refused / has */
	int score;           /* 0-100, -1 without a scorecard */
	double coverage;     /* 0-1, -1 without a scorecard */
	char *template;
	const char *calendar; /* the owner's name on the calendars (one per owner_key) */
};

struct report {
	struct sb sections; /* the deals' sections, in input order */
	struct rp_deal *deals;
	size_t ndeals, dcap;
	struct rp_act *acts;
	size_t nacts, acap;
	const char *instance; /* the org's URL for links (http or https), or NULL */
	const char *title;
	time_t now; /* today's line; set by --now, else inferred from the plans */
	int have_now;
	time_t run_now;  /* the day of the run the records are from (dg report RUN), or 0 */
	time_t seen_now; /* the latest of the deals' todays (when no --now) */
	int level;       /* the furthest stage the records reached (enum rp_level) */
	long failed;     /* records refused, over all deals */
	long written;    /* records the org has, over all deals */
};

enum rp_level { LV_DEALS, LV_PLANNED, LV_WRITTEN, LV_SCORED, LV_PUSHED };

/* Appends s to b escaped for HTML text and attribute values (& < > " ' and control
 * characters other than tab and newline): nothing from the data becomes markup. */
void html_esc(struct sb *b, const char *s);
/* The same for at most n bytes of s (cut at a UTF-8 boundary), with "…" when cut. */
void html_esc_cut(struct sb *b, const char *s, size_t n);
/* Appends a link to record id in the org (instance/id) when r has an instance and id
 * looks like a Salesforce Id, else the Id as text; nothing when id is NULL. */
void html_org_link(struct sb *b, const struct report *r, const char *id);

/* Formats t in zone tz (NULL: UTC) as "Mon Nov 30, 2026 14:05" into buf (64 bytes). */
const char *rp_when(time_t t, const char *tz, char *buf);
/* A deal's colour: an hsl() string for deal index i (static buffer). */
const char *rp_color(size_t i);

/* Reads one deal record (borrowed): appends its section to r->sections and its
 * overview row and activities to r->deals and r->acts. */
void report_deal(struct report *r, jv rec);
/* Appends the timeline drawing of deal d's n activities (acts, in the deal's order) to b: lanes for
 * meetings, emails sent and received; past filled, upcoming hollow, failed red; today
 * and the close date marked; each item a link to its entry (dD-aN). */
void report_timeline(
    struct sb *b, const struct report *r, size_t d, const struct rp_act *acts, int n, const char *close, time_t now);
/* Appends the owners' calendars (one per owner, weeks × days, in the owner's zone):
 * meetings by time coloured by deal, overlaps marked, busy days shaded. Sorts r->acts. */
void report_calendars(struct report *r, struct sb *b);
/* Writes the whole page (head, overview, calendars, deals, script) to f; returns -1
 * when f could not be written. */
int report_page(struct report *r, FILE *f);

#endif
