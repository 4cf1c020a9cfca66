/* timeline.c: a deal's activities drawn in SVG along time: meetings, emails sent and
 * emails received in lanes, past and upcoming told apart, today and the close date
 * marked, every item a link to its entry below the drawing. */
#include "report.h"
#include "tz.h"

#include <stdio.h>
#include <string.h>

#define TL_W 960
#define TL_LEFT 96 /* the lanes' names */
#define TL_RIGHT 16
#define TL_H 132
#define TL_AXIS 108

static const struct {
	const char *name;
	int y;
} lanes[] = { { "meetings", 24 }, { "emails sent", 54 }, { "emails received", 84 } };

struct scale {
	time_t t0, t1;
};

static double
x_of(const struct scale *s, time_t t)
{
	return TL_LEFT + (double)(t - s->t0) * (TL_W - TL_LEFT - TL_RIGHT) / (double)(s->t1 - s->t0);
}

/* The span drawn: every activity and today, with the close date when it is near
 * (a close date years away would squeeze the activities into a corner). */
static struct scale
span(const struct rp_act *acts, int n, const char *close, time_t now)
{
	struct scale s = { 0, 0 };
	time_t c;

	for (int i = 0; i < n; i++) {
		if (acts[i].start == 0)
			continue;
		s.t0 = s.t0 == 0 || acts[i].start < s.t0 ? acts[i].start : s.t0;
		s.t1 = acts[i].start > s.t1 ? acts[i].start : s.t1;
	}
	if (s.t0 == 0)
		s.t0 = s.t1 = now;
	if (now && now < s.t0 && s.t0 - now < 180 * DAY_SECONDS)
		s.t0 = now;
	if (now > s.t1 && now - s.t1 < 180 * DAY_SECONDS)
		s.t1 = now;
	if (close && *close && time_parse(close, &c) == 0 && c > s.t1 && c - s.t1 < 120 * DAY_SECONDS)
		s.t1 = c + DAY_SECONDS;
	if (close && *close && time_parse(close, &c) == 0 && c < s.t0 && s.t0 - c < 120 * DAY_SECONDS)
		s.t0 = c;
	s.t0 -= 3 * DAY_SECONDS;
	s.t1 += 3 * DAY_SECONDS;
	return s;
}

static void
marker(struct sb *b, const struct scale *s, time_t t, const char *cls, const char *label)
{
	double x;

	if (t < s->t0 || t > s->t1)
		return;
	x = x_of(s, t);
	sb_addf(b, "<line class=\"%s\" x1=\"%.1f\" x2=\"%.1f\" y1=\"8\" y2=\"%d\"/>", cls, x, x, TL_AXIS);
	sb_addf(
	    b, "<text class=\"%s\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", cls, x, TL_AXIS + 22, label);
}

/* Month lines and names (and week ticks when the span is short). */
static void
axis(struct sb *b, const struct scale *s)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
		"Dec" };
	struct tm tm;
	time_t t;
	int first = 1;

	sb_addf(b, "<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>", TL_LEFT, TL_W - TL_RIGHT, TL_AXIS,
	    TL_AXIS);
	if (s->t1 - s->t0 < 120 * DAY_SECONDS)
		for (t = s->t0 - s->t0 % (7 * DAY_SECONDS) + 4 * DAY_SECONDS; t < s->t1; t += 7 * DAY_SECONDS)
			if (t > s->t0) /* Mondays (1970-01-05 was one) */
				sb_addf(b, "<line class=\"week\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>",
				    x_of(s, t), x_of(s, t), TL_AXIS, TL_AXIS + 4);
	gmtime_r(&s->t0, &tm);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	for (;; first = first == 2 ? 1 : 0) {
		t = timegm(&tm);
		if (t > s->t1)
			break;
		if (t >= s->t0 || first) {
			/* the month the drawing starts in is named at its left edge, when there is room */
			double x = t >= s->t0 ? x_of(s, t) : TL_LEFT;
			struct tm next = tm;
			next.tm_mon++;
			if (t >= s->t0)
				sb_addf(b, "<line class=\"month\" x1=\"%.1f\" x2=\"%.1f\" y1=\"8\" y2=\"%d\"/>", x, x,
				    TL_AXIS + 6);
			if (t >= s->t0 || x_of(s, timegm(&next)) - TL_LEFT > 64) {
				sb_addf(b, "<text class=\"month\" x=\"%.1f\" y=\"%d\">%s", x + 3, TL_AXIS + 12,
				    mon[tm.tm_mon]);
				if (tm.tm_mon == 0 || first)
					sb_addf(b, " %d", tm.tm_year + 1900);
				sb_add(b, "</text>");
			} else
				first = 2; /* the year goes on the next label */
		}
		if (++tm.tm_mon == 12) {
			tm.tm_mon = 0;
			tm.tm_year++;
		}
	}
}

void
report_timeline(
    struct sb *b, const struct report *r, size_t d, const struct rp_act *acts, int n, const char *close, time_t now)
{
	struct scale s = span(acts, n, close, now);
	const char *tz = r->deals[d].tz;
	char when[64];
	time_t c;

	sb_addf(b, "<svg class=\"timeline\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"timeline\">", TL_W, TL_H);
	for (size_t l = 0; l < sizeof lanes / sizeof *lanes; l++)
		sb_addf(b,
		    "<line class=\"lane\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/><text class=\"lane\" x=\"4\" y=\"%d\">%s</text>",
		    TL_LEFT, TL_W - TL_RIGHT, lanes[l].y, lanes[l].y, lanes[l].y + 4, lanes[l].name);
	axis(b, &s);
	if (close && *close && time_parse(close, &c) == 0)
		marker(b, &s, c, "close", "close");
	marker(b, &s, now, "today", "today");
	/* Items closer than a click apart are stacked: each lane has three rows (on the
	 * line, above, below); an item takes the first whose last item is far enough left. */
	int last[3][3];
	for (int l = 0; l < 3; l++)
		for (int k = 0; k < 3; k++)
			last[l][k] = -100;
	for (int i = 0; i < n; i++) {
		const struct rp_act *a = &acts[i];
		int lane = a->kind == 'e' ? (a->inbound ? 2 : 1) : 0, row = 0, x, y;

		if (a->start == 0 || a->kind == 'x')
			continue;
		x = (int)(x_of(&s, a->start) + 0.5);
		while (row < 2 && x - last[lane][row] < 11)
			row++;
		if (x - last[lane][row] < 11) /* all three taken: the row free longest */
			for (int k = 0; k < 3; k++)
				row = last[lane][k] < last[lane][row] ? k : row;
		last[lane][row] = x;
		y = lanes[lane].y + (row == 1 ? -9 : row == 2 ? 9 : 0);
		sb_addf(b, "<a href=\"#d%zu-a%d\" class=\"item %s%s%s%s\"><title>", d, a->idx,
		    a->kind == 'e' ? "email" : "meeting", a->upcoming ? " upcoming" : "", a->failed ? " failed" : "",
		    a->kind == 'i' ? " internal" : "");
		sb_add(b, rp_when(a->start, tz, when));
		sb_add(b, " · ");
		html_esc(b, a->subject);
		sb_add(b, "</title>");
		if (a->kind == 'e')
			sb_addf(b, "<circle cx=\"%d\" cy=\"%d\" r=\"5\"/>", x, y);
		else
			sb_addf(b, "<rect x=\"%d\" y=\"%d\" width=\"8\" height=\"14\" rx=\"2\"/>", x - 4, y - 7);
		sb_add(b, "</a>");
	}
	sb_add(b, "</svg>");
}
