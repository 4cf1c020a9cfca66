/* test_tz: ISO 8601 parsing and formatting, and owners' zones across DST. */
#include "tz.h"
#include "tap.h"

int
main(void)
{
	time_t t;
	char buf[32];
	struct tm lt;

	ok(time_parse("2026-11-26", &t) == 0 && t == 1795651200, "date alone is midnight UTC");
	ok(time_parse("2026-10-02T16:00:00Z", &t) == 0, "Z datetime parses");
	is_str(time_iso(t, buf), "2026-10-02T16:00:00Z", "round trip to ISO");
	ok(time_parse("2013-05-20T20:49:32.000+0000", &t) == 0 && strcmp(time_iso(t, buf), "2013-05-20T20:49:32Z") == 0,
	    "Salesforce datetime with +0000");
	ok(time_parse("2026-01-01T09:00:00-05:00", &t) == 0 && strcmp(time_iso(t, buf), "2026-01-01T14:00:00Z") == 0,
	    "offset -05:00 is applied");
	ok(time_parse("2026-02-30", &t) != 0, "30 February is refused");
	ok(time_parse("2026-13-01", &t) != 0, "month 13 is refused");
	ok(time_parse("2026-01-01T25:00", &t) != 0, "hour 25 is refused");
	ok(time_parse("tomorrow", &t) != 0, "words are refused");
	ok(time_parse("2026-01-01x", &t) != 0, "trailing junk is refused");
	ok(time_parse("2024-02-29", &t) == 0, "leap day parses");
	is_str(time_date(1795651200, buf), "2026-11-26", "time_date");

	ok(tz_known("America/New_York"), "America/New_York is known");
	ok(!tz_known("Mars/Olympus_Mons"), "a made-up zone is not");
	ok(!tz_known("../../etc/passwd") && !tz_known("/etc/passwd") && !tz_known(""), "paths are not zones");
	t = tz_to_utc("America/New_York", 2026, 7, 1, 9, 0);
	is_str(time_iso(t, buf), "2026-07-01T13:00:00Z", "9:00 EDT is 13:00 UTC");
	t = tz_to_utc("America/New_York", 2026, 12, 1, 9, 0);
	is_str(time_iso(t, buf), "2026-12-01T14:00:00Z", "9:00 EST is 14:00 UTC");
	t = tz_to_utc("Asia/Tokyo", 2026, 12, 1, 9, 30);
	is_str(time_iso(t, buf), "2026-12-01T00:30:00Z", "9:30 JST is 00:30 UTC");
	tz_local("Australia/Sydney", t, &lt);
	ok(lt.tm_hour == 11 && lt.tm_min == 30, "the same instant is 11:30 in Sydney (AEDT)");
	t = tz_to_utc("Europe/London", 2026, 1, 31, 10, 0);
	tz_local("Europe/London", t, &lt);
	ok(lt.tm_mday == 31 && lt.tm_hour == 10, "local time survives a round trip");
	t = tz_to_utc("America/Los_Angeles", 2026, 11, 30 + 2, 9, 0);
	tz_local("America/Los_Angeles", t, &lt);
	ok(lt.tm_mon == 11 && lt.tm_mday == 2, "day overflow normalises (30 Nov + 2 = 2 Dec)");
	return tap_done();
}
