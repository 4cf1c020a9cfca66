/* tz.c: ISO 8601 parsing and formatting, and zone conversion through the C library.
 *
 * glibc reads a zone when TZ changes and tzset() is called; localtime_r() alone does
 * not look at TZ again, hence the explicit tzset() in tz_use(). The last zone is
 * remembered so that a run of deals with one owner reads the zone file once. */
#include "tz.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <unistd.h>

static int
digits(const char *s, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int
days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

int
time_parse(const char *s, time_t *out)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, se = 0, off = 0, oh, om;
	const char *p;

	if (s == NULL || strlen(s) < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
	    digits(s + 8, 2, &d))
		return -1;
	if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return -1;
	p = s + 10;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits(p, 2, &h) || p[2] != ':' || digits(p + 3, 2, &mi))
			return -1;
		p += 5;
		if (*p == ':') {
			if (digits(p + 1, 2, &se))
				return -1;
			p += 3;
			if (*p == '.')
				for (p++; isdigit((unsigned char)*p); p++)
					;
		}
		if (h > 23 || mi > 59 || se > 60)
			return -1;
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p == '-' ? -1 : 1;

			if (digits(p + 1, 2, &oh))
				return -1;
			p += 3;
			if (*p == ':')
				p++;
			if (digits(p, 2, &om))
				return -1;
			p += 2;
			off = sign * (oh * 3600 + om * 60);
		}
	}
	if (*p != '\0')
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*out = timegm(&tm) - off;
	return 0;
}

char *
time_iso(time_t t, char *buf)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

char *
time_date(time_t t, char *buf)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 11, "%Y-%m-%d", &tm);
	return buf;
}

int
tz_known(const char *name)
{
	const char *dir = getenv("TZDIR");
	char path[1024];
	const char *p;

	if (name == NULL || *name == '\0' || *name == '/' || strstr(name, ".."))
		return 0;
	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_-+", *p))
			return 0;
	snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
	return access(path, R_OK) == 0;
}

static char current[256];

static void
tz_use(const char *name)
{
	if (strcmp(current, name) == 0)
		return;
	snprintf(current, sizeof current, "%s", name);
	setenv("TZ", name, 1);
	tzset();
}

/* A zone's offset from UTC changes at most once a day, so offsets are kept by (zone,
 * UTC day): a day whose offset at its first and last second agree has it all day
 * long; a day with a change asks the C library every time. Planning and writing ask
 * about the same days over and over, and the C library's conversions are slow. */
struct tz_seen {
	uint64_t zone; /* FNV-1a of the name; 0: empty */
	int64_t day;   /* t / DAY_SECONDS */
	long gmtoff;
	int isdst, steady; /* steady: the same offset the whole day */
	const char *abbr;
};
static struct tz_seen seen[4096];

static uint64_t
zone_hash(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001b3ULL;
	return h | 1;
}

/* The offset, daylight flag and abbreviation of zone name at t, in *out. */
static void
offset_at(const char *name, uint64_t zh, time_t t, struct tz_seen *out)
{
	int64_t day = (t >= 0 ? t : t - 86399) / DAY_SECONDS;
	struct tz_seen *e = &seen[(zh ^ (uint64_t)day * 0x9E3779B97F4A7C15ULL) >> 52];
	struct tm a, b;
	time_t first = (time_t)day * DAY_SECONDS, last = first + 86399;

	if (e->zone != zh || e->day != day) {
		tz_use(name);
		localtime_r(&first, &a);
		localtime_r(&last, &b);
		e->zone = zh;
		e->day = day;
		e->gmtoff = a.tm_gmtoff;
		e->isdst = a.tm_isdst;
		e->abbr = a.tm_zone;
		e->steady = a.tm_gmtoff == b.tm_gmtoff && a.tm_isdst == b.tm_isdst;
	}
	*out = *e;
	if (!e->steady) {
		tz_use(name);
		localtime_r(&t, &a);
		out->gmtoff = a.tm_gmtoff;
		out->isdst = a.tm_isdst;
		out->abbr = a.tm_zone;
	}
}

time_t
tz_to_utc(const char *name, int year, int mon, int mday, int hour, int min)
{
	struct tm tm;
	struct tz_seen e;
	time_t t0, t;
	uint64_t zh;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = mday;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_isdst = -1;
	if (hour < 5 || hour > 22) {
		/* Clocks change at night: there the C library's rules for a time that does
		 * not exist or exists twice apply. */
		tz_use(name);
		return mktime(&tm);
	}
	/* Elsewhere the local time exists once: the UTC time whose offset makes it. */
	zh = zone_hash(name);
	t0 = timegm(&tm);
	offset_at(name, zh, t0, &e);
	t = t0 - e.gmtoff;
	offset_at(name, zh, t, &e);
	return t0 - e.gmtoff;
}

void
tz_local(const char *name, time_t t, struct tm *out)
{
	struct tz_seen e;
	time_t lt;

	offset_at(name, zone_hash(name), t, &e);
	lt = t + e.gmtoff;
	gmtime_r(&lt, out);
	out->tm_isdst = e.isdst;
	out->tm_gmtoff = e.gmtoff;
	out->tm_zone = e.abbr;
}
