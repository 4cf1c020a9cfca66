/* html.c: the escaping every string from the data goes through, links into the org,
 * and the small formats the page's parts share (times in an owner's zone, deal colours). */
#include "report.h"
#include "sfid.h"
#include "tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
html_esc(struct sb *b, const char *s)
{
	const char *p, *run;

	if (s == NULL)
		return;
	for (p = run = s; *p; p++) {
		const char *rep = NULL;
		switch (*p) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:
			if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t')
				rep = "";
			else
				continue;
		}
		sb_addn(b, run, (size_t)(p - run));
		sb_add(b, rep);
		run = p + 1;
	}
	sb_addn(b, run, (size_t)(p - run));
}

void
html_esc_cut(struct sb *b, const char *s, size_t n)
{
	size_t len, keep;
	char *cut;

	if (s == NULL)
		return;
	len = strlen(s);
	if (len <= n) {
		html_esc(b, s);
		return;
	}
	keep = utf8_trim(s, len, n);
	cut = xstrndup(s, keep);
	html_esc(b, cut);
	sb_add(b, "…");
	free(cut);
}

void
html_org_link(struct sb *b, const struct report *r, const char *id)
{
	char norm[SFID_SIZE];

	if (id == NULL)
		return;
	if (r->instance && id_norm(id, norm) == 0) {
		sb_add(b, "<a class=\"org\" target=\"_blank\" rel=\"noopener noreferrer\" href=\"");
		html_esc(b, r->instance);
		sb_addf(b, "/%s\">%s</a>", norm, norm);
	} else
		html_esc(b, id);
}

const char *
rp_when(time_t t, const char *tz, char *buf)
{
	struct tm tm;

	if (tz == NULL || strcmp(tz, "UTC") == 0)
		gmtime_r(&t, &tm);
	else
		tz_local(tz, t, &tm);
	strftime(buf, 64, "%a %b %e, %Y %H:%M", &tm);
	return buf;
}

const char *
rp_color(size_t i)
{
	static char buf[40];

	snprintf(buf, sizeof buf, "hsl(%d,60%%,42%%)", (int)((i * 137) % 360));
	return buf;
}
