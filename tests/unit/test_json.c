/* test_json.c: jx_dump writes what jq's jv_dump_string writes, byte for byte. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "tap.h"
#include "util.h"

static int
same(jv v, const char *what)
{
	jv want = jv_dump_string(jv_copy(v), 0);
	char *got = jx_dumps(v);
	int r = !strcmp(got, jv_string_value(want));
	ok(r, "%s", what);
	if (!r)
		printf("#   want %s\n#    got %s\n", jv_string_value(want), got);
	jv_free(want);
	free(got);
	jv_free(v);
	return r;
}

int
main(void)
{
	static const char *const texts[] = {
		"null",
		"true",
		"false",
		"0",
		"-0",
		"1",
		"-1",
		"50000",
		"1000000",
		"999999999999999",
		"1e15",
		"1e16",
		"1e17",
		"123456789012345678",
		"0.1",
		"1.5e-7",
		"3.14159",
		"-2.5",
		"1e300",
		"0.00001",
		"0.0001",
		"1e-300",
		"4.9e-324",
		"1.7976931348623157e308",
		"12345678901234567890",
		"\"\"",
		"\"plain\"",
		"\"quote \\\" backslash \\\\ slash /\"",
		"\"\\b\\f\\n\\r\\t \\u0000 \\u0001 \\u001f \\u007f \\u0080\"",
		"\"O'Brien — café ☕ 𝄞 \\ud83d\\ude00\"",
		"\"\\u2028\\u2029\"",
		"[]",
		"{}",
		"[1,[2,[3,{}]],{\"a\":[]}]",
		"{\"b\":1,\"a\":2,\"c\":{\"z\":null,\"y\":[true,false]},\"\\n\":\"k\"}",
	};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
		same(jv_parse(texts[i]), texts[i]);
	/* Every control byte and a run of multibyte text, in one string. */
	char all[200];
	size_t n = 0;
	for (int c = 1; c < 0x80; c++)
		all[n++] = (char)c;
	memcpy(all + n, "\xc3\xa9\xe2\x82\xac", 5);
	n += 5;
	same(jv_string_sized(all, (int)n), "every ASCII byte and UTF-8");
	same(jv_string_sized("a\0b", 3), "a NUL inside a string");
	/* An object built by sets and deletes (jq's own key order). */
	jv o = jv_object();
	for (int i = 0; i < 300; i++)
		o = jv_object_set(o, jv_string_fmt("key%d", i), i % 3 ? jv_number(i * 0.25) : jv_string_fmt("v%d", i));
	for (int i = 0; i < 300; i += 7)
		o = jv_object_delete(o, jv_string_fmt("key%d", i));
	same(o, "an object of 300 keys with deletions");
	/* Numbers from a wide spread of magnitudes. */
	unsigned long long x = 88172645463325252ULL;
	int bad = 0;
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		double d = (double)(x >> 11) / (double)(1ULL << 53) * 2 - 1;
		d = ldexp(d, (int)(x % 120) - 60);
		jv v = jv_number(i % 2 ? d : (double)(long long)(d * 1e6));
		jv want = jv_dump_string(jv_copy(v), 0);
		char *got = jx_dumps(v);
		bad += strcmp(got, jv_string_value(want)) != 0;
		jv_free(want);
		free(got);
		jv_free(v);
	}
	ok(!bad, "20,000 numbers written as jq writes them (%d differ)", bad);

	return tap_done();
}
