/* csv.c: RFC 4180 CSV records, shared by dg-push (Bulk API uploads and results)
 * and dg-sandbox (its Bulk API). */
#include "csv.h"

jv
csv_row(const char **p, const char *end, char delim)
{
	if (*p >= end)
		return jv_invalid();
	jv row = jv_array();
	struct sb f = { 0 };
	const char *s = *p;
	for (;;) {
		sb_reset(&f);
		if (s < end && *s == '"') {
			s++;
			while (s < end) {
				if (*s == '"' && s + 1 < end && s[1] == '"') {
					sb_addc(&f, '"');
					s += 2;
				} else if (*s == '"') {
					s++;
					break;
				} else
					sb_addc(&f, *s++);
			}
		} else
			while (s < end && *s != delim && *s != '\n' && !(*s == '\r' && s + 1 < end && s[1] == '\n'))
				sb_addc(&f, *s++);
		row = jv_array_append(row, jv_string(sb_str(&f)));
		if (s < end && *s == delim) {
			s++;
			continue;
		}
		if (s < end && *s == '\r')
			s++;
		if (s < end && *s == '\n')
			s++;
		break;
	}
	sb_free(&f);
	*p = s;
	return row;
}

void
csv_cell(struct sb *b, const char *s, int first, char delim)
{
	if (!first)
		sb_addc(b, delim);
	sb_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			sb_addc(b, '"');
		sb_addc(b, *s);
	}
	sb_addc(b, '"');
}
