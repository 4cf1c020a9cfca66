/* tz.h: dates, ISO 8601 and owners' time zones (IANA names such as America/New_York). */
#ifndef DG_TZ_H
#define DG_TZ_H

/* Seconds in a UTC day and in an hour (time_t arithmetic; local days are tz_*'s). */
#define DAY_SECONDS 86400L
#define HOUR_SECONDS 3600L

#include <time.h>

/* Parses "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+hh:mm|+hhmm|-…]" (a date alone is
 * midnight UTC; a datetime without a zone is UTC). Returns 0 and sets *out, or -1. */
int time_parse(const char *s, time_t *out);
/* Formats t as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes). */
char *time_iso(time_t t, char *buf);
/* Formats t as "YYYY-MM-DD" (UTC) into buf (at least 11 bytes). */
char *time_date(time_t t, char *buf);

/* Returns 1 when name is a time zone the system knows (a file under $TZDIR or
 * /usr/share/zoneinfo), 0 otherwise. Rejects absolute paths and "..". */
int tz_known(const char *name);
/* Converts a wall-clock time in zone name to UTC. */
time_t tz_to_utc(const char *name, int year, int mon, int mday, int hour, int min);
/* Breaks t down into wall-clock time in zone name. */
void tz_local(const char *name, time_t t, struct tm *out);

#endif
