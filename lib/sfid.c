/* sfid.c: Salesforce record Ids: the 15-character case-sensitive form and the
 * 18-character form with its case-safe checksum. */
#include "sfid.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

void
id_checksum(const char *id15, char out[4])
{
	static const char map[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
	for (int b = 0; b < 3; b++) {
		int v = 0;
		for (int i = 0; i < 5; i++)
			if (isupper((unsigned char)id15[b * 5 + i]))
				v |= 1 << i;
		out[b] = map[v];
	}
	out[3] = '\0';
}

int
id_norm(const char *s, char out[SFID_SIZE])
{
	size_t n = s ? strlen(s) : 0;
	if (n != 15 && n != 18)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]))
			return -1;
	char sum[4];
	id_checksum(s, sum);
	if (n == 18 && strncasecmp(s + 15, sum, 3))
		return -1;
	memcpy(out, s, 15);
	memcpy(out + 15, sum, 4);
	return 0;
}
