/* test_sfid.c: Salesforce Id checksums against published test vectors. */
#include <string.h>

#include "sfid.h"
#include "tap.h"

int
main(void)
{
	static const char *const vec[][2] = {
		{ "00558000001N0Ke", "00558000001N0KeAAK" },
		{ "70130000001tcyI", "70130000001tcyIAAQ" },
		{ "a0BA0000000L2ZC", "a0BA0000000L2ZCMA0" },
		{ "AAAAABBBBBCCCCC", "AAAAABBBBBCCCCC555" },
		{ "AAaAAbbBBBCcCCC", "AAaAAbbBBBCcCCC123" },
	};
	char out[SFID_SIZE];
	for (size_t i = 0; i < sizeof vec / sizeof *vec; i++) {
		ok(id_norm(vec[i][0], out) == 0 && !strcmp(out, vec[i][1]), "15 -> 18: %s", vec[i][0]);
		ok(id_norm(vec[i][1], out) == 0 && !strcmp(out, vec[i][1]), "18 stays: %s", vec[i][1]);
	}
	ok(id_norm("00558000001N0KeAAk", out) == 0, "the checksum is case-insensitive");
	ok(id_norm("00558000001N0KeAAB", out) == -1, "a wrong checksum is refused");
	ok(id_norm("00558000001N0K", out) == -1, "14 characters are refused");
	ok(id_norm("00558000001N0K-", out) == -1, "punctuation is refused");
	ok(id_norm(NULL, out) == -1, "NULL is refused");
	return tap_done();
}
