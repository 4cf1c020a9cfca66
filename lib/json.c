/* json.c: jq's compact JSON writer, without jq's one-piece-at-a-time appends. */
#include "json.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* A string as jq writes it: ", \ and control characters escaped, the rest as is (a jv
 * string is always valid UTF-8). */
static void
dump_string(struct sb *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	sb_addc(out, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		sb_addn(out, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': sb_addn(out, "\\\"", 2); break;
		case '\\': sb_addn(out, "\\\\", 2); break;
		case '\b': sb_addn(out, "\\b", 2); break;
		case '\f': sb_addn(out, "\\f", 2); break;
		case '\n': sb_addn(out, "\\n", 2); break;
		case '\r': sb_addn(out, "\\r", 2); break;
		case '\t': sb_addn(out, "\\t", 2); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			sb_addn(out, u, 6);
		}
		}
	}
	sb_addn(out, s + run, n - run);
	sb_addc(out, '"');
}

void
jx_dump(struct sb *out, jv v)
{
	switch (jv_get_kind(v)) {
	case JV_KIND_NULL:
	case JV_KIND_INVALID: sb_addn(out, "null", 4); break;
	case JV_KIND_TRUE: sb_addn(out, "true", 4); break;
	case JV_KIND_FALSE: sb_addn(out, "false", 5); break;
	case JV_KIND_NUMBER: {
		double d = jv_number_value(v);
		/* Whole numbers below 10^15 are their digits in jq's format too; anything
		 * else goes through jq's own shortest-digits formatting. */
		if (d == d && d > -1e15 && d < 1e15 && d == (double)(long long)d) {
			if (d == 0 && signbit(d))
				sb_addn(out, "-0", 2);
			else
				sb_addf(out, "%lld", (long long)d);
		} else {
			jv s = jv_dump_string(jv_copy(v), 0);
			sb_add(out, jv_string_value(s));
			jv_free(s);
		}
		break;
	}
	case JV_KIND_STRING: dump_string(out, jv_string_value(v), (size_t)jv_string_length_bytes(jv_copy(v))); break;
	case JV_KIND_ARRAY: {
		int n = jv_array_length(jv_copy(v));
		sb_addc(out, '[');
		for (int i = 0; i < n; i++) {
			if (i)
				sb_addc(out, ',');
			jv e = jv_array_get(jv_copy(v), i);
			jx_dump(out, e);
			jv_free(e);
		}
		sb_addc(out, ']');
		break;
	}
	case JV_KIND_OBJECT: {
		int first = 1;
		sb_addc(out, '{');
		for (int i = jv_object_iter(v); jv_object_iter_valid(v, i); i = jv_object_iter_next(v, i)) {
			jv k = jv_object_iter_key(v, i), e = jv_object_iter_value(v, i);
			if (!first)
				sb_addc(out, ',');
			first = 0;
			dump_string(out, jv_string_value(k), (size_t)jv_string_length_bytes(jv_copy(k)));
			sb_addc(out, ':');
			jx_dump(out, e);
			jv_free(k);
			jv_free(e);
		}
		sb_addc(out, '}');
		break;
	}
	}
}

char *
jx_dumps(jv v)
{
	struct sb out = { 0 };

	jx_dump(&out, v);
	if (!out.s)
		sb_add(&out, "");
	return out.s;
}
