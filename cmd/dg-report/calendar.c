/* calendar.c: one calendar per owner across all their deals, weeks by days in the
 * owner's time zone: meetings at their times coloured by deal, meetings that overlap
 * marked, busy days shaded, emails counted per day. A rep has one calendar; this is
 * where a double booking shows. */
#include "report.h"
#include "tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct report *sorting;

static int
by_owner_key(const void *pa, const void *pb)
{
	const struct rp_deal *da = &sorting->deals[*(const size_t *)pa], *db = &sorting->deals[*(const size_t *)pb];
	int c = strcmp(da->owner_key, db->owner_key);

	return c ? c : *(const size_t *)pa < *(const size_t *)pb ? -1 : 1;
}

/* Gives every deal its owner's name as the owner's first deal says it (a record may
 * lack the name), so that one owner is one calendar, and calendars go by name. */
static void
owner_names(struct report *r)
{
	size_t *ix = xmalloc((r->ndeals + 1) * sizeof *ix), i, j;

	for (i = 0; i < r->ndeals; i++)
		ix[i] = i;
	qsort(ix, r->ndeals, sizeof *ix, by_owner_key);
	for (i = 0; i < r->ndeals; i = j) {
		const char *name = r->deals[ix[i]].owner;
		for (j = i; j < r->ndeals && !strcmp(r->deals[ix[j]].owner_key, r->deals[ix[i]].owner_key); j++)
			if (strcmp(r->deals[ix[j]].owner, r->deals[ix[j]].owner_key) &&
			    !strcmp(name, r->deals[ix[i]].owner_key))
				name = r->deals[ix[j]].owner; /* a name rather than the Id */
		for (size_t k = i; k < j; k++)
			r->deals[ix[k]].calendar = name;
	}
	free(ix);
}

static int
by_owner_time(const void *pa, const void *pb)
{
	const struct rp_act *a = pa, *b = pb;
	const struct rp_deal *da = &sorting->deals[a->deal], *db = &sorting->deals[b->deal];
	int c = strcmp(da->calendar, db->calendar);

	if (c == 0)
		c = strcmp(da->owner_key, db->owner_key);
	if (c == 0)
		c = a->start < b->start ? -1 : a->start > b->start;
	if (c == 0)
		c = a->deal != b->deal ? a->deal - b->deal : a->idx - b->idx;
	return c;
}

/* The local day (days since 1970-01-01) of t in zone tz. */
static long
local_day(time_t t, const char *tz)
{
	struct tm tm;

	tz_local(tz, t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = 0;
	return (long)(timegm(&tm) / DAY_SECONDS);
}

/* Marks the meetings (customer and internal) of acts[lo, hi) that overlap another:
 * sorted by start, a meeting clashes when it starts before the latest end so far. */
static int
mark_clashes(struct rp_act *acts, size_t lo, size_t hi)
{
	time_t end = 0;
	size_t last = 0;
	int n = 0;

	for (size_t i = lo; i < hi; i++) {
		struct rp_act *a = &acts[i];
		if (a->kind == 'e' || a->start == 0)
			continue;
		if (end && a->start < end) {
			n += !a->clash + !acts[last].clash;
			a->clash = acts[last].clash = 1;
		}
		if (a->start + a->minutes * 60 > end) {
			end = a->start + a->minutes * 60;
			last = i;
		}
	}
	return n;
}

static void
day_cell(struct sb *b, const struct report *r, const struct rp_act *acts, size_t from, size_t to, long day, long today,
    const char *tz)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
		"Dec" };
	time_t t = (time_t)day * DAY_SECONDS;
	struct tm tm, lt;
	int meetings = 0, emails = 0;

	gmtime_r(&t, &tm);
	for (size_t i = from; i < to; i++)
		acts[i].kind == 'e' ? emails++ : meetings++;
	sb_addf(b, "<td class=\"b%d%s\"><span class=\"day\">%d",
	    meetings >= 5       ? 3
		: meetings >= 3 ? 2
				: meetings > 0,
	    day == today ? " today" : "", tm.tm_mday);
	if (tm.tm_mday == 1 || day % 7 == 4) /* the 1st, and Mondays (1970-01-05 was one) */
		sb_addf(b, " %s", mon[tm.tm_mon]);
	sb_add(b, "</span>");
	for (size_t i = from; i < to; i++) {
		const struct rp_act *a = &acts[i];
		if (a->kind == 'e')
			continue;
		tz_local(tz, a->start, &lt);
		sb_addf(b, "<a class=\"m%s%s%s%s\" style=\"border-left-color:%s\" href=\"#d%d-a%d\" title=\"",
		    a->clash ? " clash" : "", a->upcoming ? " up" : "", a->kind == 'i' ? " int" : "",
		    a->failed ? " failed" : "", rp_color((size_t)a->deal), a->deal, a->idx);
		html_esc(b, a->subject);
		sb_addf(b, " (%d min)\">%02d:%02d ", a->minutes, lt.tm_hour, lt.tm_min);
		html_esc_cut(b, r->deals[a->deal].name, 22);
		sb_add(b, "</a>");
	}
	if (emails) {
		int shown = 0;
		sb_add(b, "<span class=\"mail\" title=\"");
		for (size_t i = from; i < to; i++)
			if (acts[i].kind == 'e' && shown++ < 8) {
				sb_add(b, shown > 1 ? "&#10;" : "");
				html_esc_cut(b, acts[i].subject, 80);
			}
		sb_addf(b, "\">&#9993; %d</span>", emails);
	}
	sb_add(b, "</td>");
}

/* One owner's calendar over acts[lo, hi) (sorted by time). */
static void
owner_calendar(struct sb *b, struct report *r, size_t lo, size_t hi, int n)
{
	const struct rp_deal *d = &r->deals[r->acts[lo].deal];
	const char *tz = d->tz;
	long *day = xmalloc((hi - lo) * sizeof *day), today, first, last, busiest = 0, quiet = 0;
	int clashes = mark_clashes(r->acts, lo, hi), meetings = 0, emails = 0, most = 0, deals = 0;
	size_t p, i;
	char when[64];

	for (i = lo; i < hi; i++) {
		day[i - lo] = local_day(r->acts[i].start, tz);
		r->acts[i].kind == 'e' ? emails++ : meetings++;
	}
	for (i = 0; i < r->ndeals; i++)
		deals += !strcmp(r->deals[i].owner_key, d->owner_key);
	/* the busiest day: the most meetings */
	for (i = lo; i < hi; i++) {
		size_t k;
		int same = 0;
		if (i > lo && day[i - lo] == day[i - lo - 1])
			continue;
		for (k = i; k < hi && day[k - lo] == day[i - lo]; k++)
			same += r->acts[k].kind != 'e';
		if (same > most) {
			most = same;
			busiest = day[i - lo];
		}
	}
	/* today is a date (dg-plan's --now), the same day in every zone */
	today = (long)((r->have_now ? r->now : r->seen_now) / DAY_SECONDS);
	first = day[0] - ((day[0] - 4) % 7 + 7) % 7; /* its Monday */
	last = day[hi - lo - 1];
	sb_addf(b, "<div class=\"owner\" id=\"o%d\"><h3>", n);
	html_esc(b, d->calendar);
	sb_addf(b, "</h3><p class=\"meta\">%d meeting%s and %d email%s across %d deal%s · times in ", meetings,
	    meetings == 1 ? "" : "s", emails, emails == 1 ? "" : "s", deals, deals == 1 ? "" : "s");
	html_esc(b, tz);
	if (most > 0)
		sb_addf(b, " · busiest day %.10s (%d meeting%s)",
		    rp_when((time_t)busiest * DAY_SECONDS + 43200, "UTC", when), most, most == 1 ? "" : "s");
	sb_addf(b, " · <span class=\"%s\">%d overlapping meeting%s</span></p>", clashes ? "err" : "ok", clashes,
	    clashes == 1 ? "" : "s");
	sb_add(b,
	    "<table class=\"cal\"><thead><tr><th>Mon</th><th>Tue</th><th>Wed</th><th>Thu</th><th>Fri</th>"
	    "<th>Sat</th><th>Sun</th></tr></thead><tbody>");
	for (p = lo; first <= last; first += 7) {
		if (p >= hi || day[p - lo] >= first + 7) { /* a week without anything */
			quiet++;
			continue;
		}
		if (quiet)
			sb_addf(b, "<tr class=\"quiet\"><td colspan=\"7\">%ld quiet week%s</td></tr>", quiet,
			    quiet > 1 ? "s" : "");
		quiet = 0;
		sb_add(b, "<tr>");
		for (long k = first; k < first + 7; k++) {
			size_t from = p;
			while (p < hi && day[p - lo] == k)
				p++;
			day_cell(b, r, r->acts, from, p, k, today, tz);
		}
		sb_add(b, "</tr>");
	}
	sb_add(b, "</tbody></table></div>");
	free(day);
}

void
report_calendars(struct report *r, struct sb *b)
{
	size_t lo = 0, hi, n = 0;

	sorting = r;
	owner_names(r);
	qsort(r->acts, r->nacts, sizeof *r->acts, by_owner_time);
	for (lo = 0; lo < r->nacts; lo = hi) {
		const struct rp_deal *d = &r->deals[r->acts[lo].deal];
		size_t start;
		for (hi = lo; hi < r->nacts && !strcmp(r->deals[r->acts[hi].deal].owner_key, d->owner_key); hi++)
			;
		for (start = lo; start < hi && r->acts[start].start == 0; start++)
			; /* undated activities have no place on a calendar */
		if (start < hi)
			owner_calendar(b, r, start, hi, (int)n++);
	}
	if (n == 0)
		sb_add(b, "<p class=\"meta\">no dated activities</p>");
}
