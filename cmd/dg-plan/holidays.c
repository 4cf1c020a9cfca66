/* holidays.c: the public holidays of an owner's country, as days no activity falls on.
 *
 * The rules are data (share/dg/holidays.txt: which zone keeps which country's
 * holidays, and each country's dates as rules that work for any year); the config's
 * plan.holidays names other countries, "none", or extra dates. A country's days of a
 * year are worked out once and kept as a bit set. */
#include "plan.h"
#include "tz.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum rkind { R_DATE, R_ONCE, R_NTH, R_BEFORE, R_EASTER, R_EQUINOX };

struct rule {
	char cc[4];
	enum rkind kind;
	int year, mon, mday, nth, wday, off; /* nth: 1-5, or -1 for the last */
	char move;                           /* 0, 'o' (obs) or 's' (sub) */
};

struct year_set {
	char cc[4];
	int year;
	uint64_t bits[6]; /* day of year 0..365 */
	struct year_set *next;
};

struct zone_cc {
	char *zone;
	char cc[4][4]; /* up to four countries; "" ends */
	struct zone_cc *next;
};

struct holidays {
	struct rule *rules;
	int nrules;
	char (*zcc)[2][64]; /* zone, country from holidays.txt */
	int nzcc;
	char override[8][4]; /* countries named in plan.holidays, instead of the zone's */
	int noverride, none;
	long *extra; /* days since the epoch named in plan.holidays */
	int nextra;
	struct year_set *years;
	struct zone_cc *zones;
};

static const char *const wdays[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

/* Days since 1970-01-01 of a civil date (any month/day overflow is carried). */
static long
days_of(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y += (m - 1) / 12;
	m = (m - 1) % 12 + 1;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
wday_of(long days)
{
	return (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday (4) */
}

static long
easter(int y)
{
	int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25;
	int g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
	int mon = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;

	return days_of(y, mon, day);
}

static int
parse_wday(const char *s)
{
	int i;

	for (i = 0; i < 7; i++)
		if (strncmp(s, wdays[i], 3) == 0)
			return i;
	return -1;
}

/* Reads RULE of a holidays.txt line into r; -1 when it is not one. */
static int
parse_rule(const char *s, struct rule *r)
{
	int n = 0;
	char w[4] = "";

	if (sscanf(s, "%4d-%2d-%2d%n", &r->year, &r->mon, &r->mday, &n) == 3 && s[n] == '\0') {
		r->kind = R_ONCE;
	} else if (sscanf(s, "%2d-%2d%n", &r->mon, &r->mday, &n) == 2 && s[n] == '\0') {
		r->kind = R_DATE;
	} else if (strncmp(s, "easter", 6) == 0 && sscanf(s + 6, "%d%n", &r->off, &n) == 1 && s[6 + n] == '\0') {
		r->kind = R_EASTER;
	} else if (strncmp(s, "easter", 6) == 0 && s[6] == '\0') {
		r->kind = R_EASTER;
	} else if (sscanf(s, "equinox-%2d%n", &r->mon, &n) == 1 && s[n] == '\0' && (r->mon == 3 || r->mon == 9)) {
		r->kind = R_EQUINOX;
	} else if (sscanf(s, "%3[a-z]<%2d-%2d%n", w, &r->mon, &r->mday, &n) == 3 && s[n] == '\0' &&
	    (r->wday = parse_wday(w)) >= 0) {
		r->kind = R_BEFORE;
	} else if (strncmp(s, "last", 4) == 0 && sscanf(s + 4, "%3[a-z]-%2d%n", w, &r->mon, &n) == 2 &&
	    s[4 + n] == '\0' && (r->wday = parse_wday(w)) >= 0) {
		r->kind = R_NTH;
		r->nth = -1;
	} else if (sscanf(s, "%1d%3[a-z]-%2d%n", &r->nth, w, &r->mon, &n) == 3 && s[n] == '\0' && r->nth >= 1 &&
	    r->nth <= 5 && (r->wday = parse_wday(w)) >= 0) {
		r->kind = R_NTH;
	} else {
		return -1;
	}
	if (r->kind == R_EASTER)
		return 0;
	return r->mon >= 1 && r->mon <= 12 &&
		(r->kind == R_NTH || r->kind == R_EQUINOX || (r->mday >= 1 && r->mday <= 31))
	    ? 0
	    : -1;
}

/* The day (since the epoch) rule r falls on in year y before any move, or -1. */
static long
rule_day(const struct rule *r, int y)
{
	long d;

	switch (r->kind) {
	case R_ONCE: return r->year == y ? days_of(y, r->mon, r->mday) : -1;
	case R_DATE: return days_of(y, r->mon, r->mday);
	case R_EASTER: return easter(y) + r->off;
	case R_EQUINOX:
		if (y < 1980 || y > 2099)
			return -1;
		return days_of(
		    y, r->mon, (int)((r->mon == 3 ? 20.8431 : 23.2488) + 0.242194 * (y - 1980)) - (y - 1980) / 4);
	case R_BEFORE: d = days_of(y, r->mon, r->mday) - 1; return d - (wday_of(d) - r->wday + 7) % 7;
	case R_NTH:
		if (r->nth < 0) {
			d = days_of(y, r->mon + 1, 1) - 1;
			return d - (wday_of(d) - r->wday + 7) % 7;
		}
		d = days_of(y, r->mon, 1);
		d += (r->wday - wday_of(d) + 7) % 7 + 7 * (r->nth - 1);
		return d < days_of(y, r->mon + 1, 1) ? d : -1;
	}
	return -1;
}

static int
bit(const struct year_set *ys, long doy)
{
	return doy >= 0 && doy < 366 && (ys->bits[doy / 64] >> (doy % 64) & 1);
}

static void
set_bit(struct year_set *ys, long doy)
{
	if (doy >= 0 && doy < 366)
		ys->bits[doy / 64] |= 1ull << (doy % 64);
}

static struct year_set *
year_set(struct holidays *h, const char *cc, int y)
{
	struct year_set *ys;
	long jan1 = days_of(y, 1, 1), d;
	int i, pass;

	for (ys = h->years; ys; ys = ys->next)
		if (ys->year == y && strcmp(ys->cc, cc) == 0)
			return ys;
	ys = xcalloc(1, sizeof *ys);
	snprintf(ys->cc, sizeof ys->cc, "%s", cc);
	ys->year = y;
	/* The dates themselves first, then the moves of those on a weekend: a substitute
	 * day skips the holidays of the year, whatever their order in the file. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < h->nrules; i++) {
			const struct rule *r = &h->rules[i];
			int weekend;

			if (strcmp(r->cc, cc) != 0 || (d = rule_day(r, y)) < 0)
				continue;
			weekend = wday_of(d) == 0 || wday_of(d) == 6;
			if (pass == 0) {
				if (!weekend || !r->move)
					set_bit(ys, d - jan1);
				continue;
			}
			if (!weekend || !r->move)
				continue;
			if (r->move == 'o')
				d += wday_of(d) == 6 ? -1 : 1;
			else
				while (wday_of(d) == 0 || wday_of(d) == 6 || bit(ys, d - jan1))
					d++;
			set_bit(ys, d - jan1);
		}
	ys->next = h->years;
	h->years = ys;
	return ys;
}

/* The countries whose holidays an owner in zone tz keeps ("" ends the list). */
static const struct zone_cc *
zone_countries(struct holidays *h, const char *tz)
{
	struct zone_cc *z;
	int i, k = 0;

	for (z = h->zones; z; z = z->next)
		if (strcmp(z->zone, tz) == 0)
			return z;
	z = xcalloc(1, sizeof *z);
	z->zone = xstrdup(tz);
	if (h->noverride) {
		for (i = 0; i < h->noverride && i < 4; i++)
			snprintf(z->cc[k++], sizeof z->cc[0], "%s", h->override[i]);
	} else if (!h->none) {
		for (i = 0; i < h->nzcc; i++)
			if (strcmp(h->zcc[i][0], tz) == 0)
				snprintf(z->cc[k++], sizeof z->cc[0], "%.3s", h->zcc[i][1]);
		if (k == 0) {
			/* The system's own table of zones by country. */
			const char *dir = getenv("TZDIR");
			char path[512], line[512], cc[8], coord[64], zone[256];
			FILE *f;

			snprintf(path, sizeof path, "%s/zone.tab", dir && *dir ? dir : "/usr/share/zoneinfo");
			if ((f = fopen(path, "r")) != NULL) {
				while (k == 0 && fgets(line, sizeof line, f))
					if (line[0] != '#' && sscanf(line, "%7s %63s %255s", cc, coord, zone) == 3 &&
					    strcmp(zone, tz) == 0)
						snprintf(z->cc[k++], sizeof z->cc[0], "%.3s", cc);
				fclose(f);
			}
		}
	}
	z->next = h->zones;
	h->zones = z;
	return z;
}

int
plan_workday(const struct planner *pl, const struct deal *d, time_t t)
{
	struct tm lt;

	tz_local(d->tz, t, &lt);
	return lt.tm_wday != 0 && lt.tm_wday != 6 &&
	    !hol_off(pl->hol, d->tz, lt.tm_year + 1900, lt.tm_mon + 1, lt.tm_mday);
}

int
hol_off(struct holidays *h, const char *tz, int y, int m, int d)
{
	const struct zone_cc *z;
	long day = days_of(y, m, d), jan1;
	int i;

	if (h == NULL)
		return 0;
	for (i = 0; i < h->nextra; i++)
		if (h->extra[i] == day)
			return 1;
	if (tz == NULL)
		return 0;
	z = zone_countries(h, tz);
	/* An overflowing date (the 32nd of December) belongs to the next year. */
	while (day >= days_of(y + 1, 1, 1))
		y++;
	while (day < days_of(y, 1, 1))
		y--;
	jan1 = days_of(y, 1, 1);
	for (i = 0; i < 4 && z->cc[i][0]; i++)
		if (bit(year_set(h, z->cc[i], y), day - jan1))
			return 1;
	return 0;
}

static int
known_country(const struct holidays *h, const char *cc)
{
	int i;

	for (i = 0; i < h->nrules; i++)
		if (strcmp(h->rules[i].cc, cc) == 0)
			return 1;
	return 0;
}

struct holidays *
hol_load(const struct dg_config *cfg)
{
	struct holidays *h = xcalloc(1, sizeof *h);
	char *path = share_path("holidays.txt"), line[512];
	FILE *f = fopen(path, "r");
	int lineno = 0, i;

	if (f == NULL)
		diex(EXIT_USAGE, "cannot read %s (set DG_SHARE to dg's share/dg)", path);
	while (fgets(line, sizeof line, f)) {
		char a[64], b[64], c[64];
		int n = 0;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || sscanf(line, "%63s", a) != 1)
			continue;
		if (strcmp(a, "zone") == 0) {
			if (sscanf(line, "zone %63s %63s", b, c) != 2 || strlen(c) > 3)
				diex(EXIT_USAGE, "%s:%d: expected 'zone ZONE CC'", path, lineno);
			h->zcc = xrealloc(h->zcc, (size_t)(h->nzcc + 1) * sizeof *h->zcc);
			snprintf(h->zcc[h->nzcc][0], 64, "%s", b);
			snprintf(h->zcc[h->nzcc][1], 64, "%s", c);
			h->nzcc++;
			continue;
		}
		h->rules = xrealloc(h->rules, (size_t)(h->nrules + 1) * sizeof *h->rules);
		memset(&h->rules[h->nrules], 0, sizeof *h->rules);
		if (strlen(a) > 3 || sscanf(line, "%*s %63s %n", b, &n) != 1 ||
		    parse_rule(b, &h->rules[h->nrules]) != 0)
			diex(EXIT_USAGE,
			    "%s:%d: expected 'CC RULE [obs|sub] NAME' (see the top of the "
			    "file), not '%s'",
			    path, lineno, line);
		snprintf(h->rules[h->nrules].cc, 4, "%.3s", a);
		if (strncmp(line + n, "obs ", 4) == 0)
			h->rules[h->nrules].move = 'o';
		else if (strncmp(line + n, "sub ", 4) == 0)
			h->rules[h->nrules].move = 's';
		h->nrules++;
	}
	fclose(f);

	for (i = 0; i < cfg->plan.holidays.n; i++) {
		const char *v = cfg->plan.holidays.v[i];
		int y, m, d, n = 0;

		if (strcmp(v, "none") == 0) {
			h->none = 1;
		} else if (strcmp(v, "auto") == 0) {
			continue;
		} else if (sscanf(v, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && v[n] == '\0' && m >= 1 && m <= 12 &&
		    d >= 1 && d <= 31) {
			h->extra = xrealloc(h->extra, (size_t)(h->nextra + 1) * sizeof *h->extra);
			h->extra[h->nextra++] = days_of(y, m, d);
		} else if (known_country(h, v) && h->noverride < 8) {
			snprintf(h->override[h->noverride++], 4, "%s", v);
		} else {
			struct sb have = { 0 };
			int j;

			for (j = 0; j < h->nrules; j++)
				if (j == 0 || strcmp(h->rules[j].cc, h->rules[j - 1].cc) != 0)
					sb_addf(&have, " %s", h->rules[j].cc);
			diex(EXIT_USAGE,
			    "%s: plan.holidays: '%s' is not 'auto', 'none', a date "
			    "(YYYY-MM-DD) or a country of %s (%s)",
			    cfg->path ? cfg->path : "config", v, path, sb_str(&have) + 1);
		}
	}
	free(path);
	return h;
}

void
hol_free(struct holidays *h)
{
	struct year_set *ys, *yn;
	struct zone_cc *z, *zn;

	if (h == NULL)
		return;
	for (ys = h->years; ys; ys = yn) {
		yn = ys->next;
		free(ys);
	}
	for (z = h->zones; z; z = zn) {
		zn = z->next;
		free(z->zone);
		free(z);
	}
	free(h->rules);
	free(h->zcc);
	free(h->extra);
	free(h);
}
