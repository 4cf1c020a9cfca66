/* jsonl.c: the shared JSON-lines loop (mblaze's blaze822_loop, moved to JSON). */
#define _GNU_SOURCE
#include "jsonl.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

const char *
jsonl_where(const struct jsonl_pos *pos, char *buf, size_t size)
{
	if (pos->file)
		snprintf(buf, size, "%s:%ld", pos->file, pos->line);
	else
		snprintf(buf, size, "line %ld", pos->line);
	return buf;
}

static long
each_stream(FILE *f, const char *name, jsonl_fn fn, void *ctx)
{
	char *line = NULL, where[512];
	size_t cap = 0;
	ssize_t n;
	long bad = 0;
	struct jsonl_pos pos = { name, 0 };

	while ((n = getline(&line, &cap, f)) >= 0) {
		size_t i = 0;
		jv v;

		pos.line++;
		while (i < (size_t)n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' ||
		    line[i] == '\n'))
			i++;
		if (i == (size_t)n)
			continue;
		if (n > 0x7fffffff) {
			warnx("%s: line too long", jsonl_where(&pos, where, sizeof where));
			bad++;
			continue;
		}
		v = jv_parse_sized(line, (int)n);
		if (!jv_is_valid(v)) {
			jv msg = jv_invalid_get_msg(v);
			const char *m = jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg)
			    : "not JSON";
			warnx("%s: %s", jsonl_where(&pos, where, sizeof where), m);
			jv_free(msg);
			bad++;
			continue;
		}
		if (jv_get_kind(v) != JV_KIND_OBJECT) {
			warnx("%s: expected a JSON object, got %s",
			    jsonl_where(&pos, where, sizeof where), jv_kind_name(jv_get_kind(v)));
			jv_free(v);
			bad++;
			continue;
		}
		if (fn(v, &pos, ctx) != 0)
			bad++;
	}
	if (ferror(f)) {
		warnx("cannot read '%s': %s", name ? name : "standard input", strerror(errno));
		free(line);
		return -1;
	}
	free(line);
	return bad;
}

long
jsonl_each(int nfiles, char **files, jsonl_fn fn, void *ctx)
{
	long bad = 0, r;
	int i;

	if (nfiles == 0)
		return each_stream(stdin, NULL, fn, ctx);
	for (i = 0; i < nfiles; i++) {
		FILE *f;

		if (strcmp(files[i], "-") == 0) {
			r = each_stream(stdin, NULL, fn, ctx);
		} else {
			f = fopen(files[i], "r");
			if (f == NULL) {
				warnx("cannot open '%s': %s", files[i], strerror(errno));
				return -1;
			}
			r = each_stream(f, files[i], fn, ctx);
			fclose(f);
		}
		if (r < 0)
			return -1;
		bad += r;
	}
	return bad;
}

void
jsonl_emit(jv rec)
{
	static struct sb line;

	sb_reset(&line);
	jx_dump(&line, rec);
	sb_addc(&line, '\n');
	fwrite(line.s, 1, line.len, stdout);
	jv_free(rec);
}

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
	case JV_KIND_STRING:
		dump_string(out, jv_string_value(v), (size_t)jv_string_length_bytes(jv_copy(v)));
		break;
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

jv
jx_get(jv obj, const char *key, jv_kind kind)
{
	jv v;

	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return jv_invalid();
	v = jv_object_get(jv_copy(obj), jv_string(key));
	if (jv_get_kind(v) != kind) {
		jv_free(v);
		return jv_invalid();
	}
	/* The object still holds a reference, so the value outlives this one. */
	jv_free(v);
	return v;
}

const char *
jx_str(jv obj, const char *key)
{
	jv v = jx_get(obj, key, JV_KIND_STRING);

	return jv_is_valid(v) ? jv_string_value(v) : NULL;
}

double
jx_num(jv obj, const char *key, double def)
{
	jv v = jx_get(obj, key, JV_KIND_NUMBER);

	return jv_is_valid(v) ? jv_number_value(v) : def;
}

int
jx_bool(jv obj, const char *key, int def)
{
	if (jv_is_valid(jx_get(obj, key, JV_KIND_TRUE)))
		return 1;
	if (jv_is_valid(jx_get(obj, key, JV_KIND_FALSE)))
		return 0;
	return def;
}

int
jx_len(jv arr)
{
	if (jv_get_kind(arr) != JV_KIND_ARRAY)
		return 0;
	return jv_array_length(jv_copy(arr));
}

jv
jx_at(jv arr, int i)
{
	jv v;

	if (jv_get_kind(arr) != JV_KIND_ARRAY)
		return jv_invalid();
	v = jv_array_get(jv_copy(arr), i);
	if (!jv_is_valid(v))
		return v;
	jv_free(v);
	return v;
}

const char *
jx_cstr(jv v)
{
	return jv_get_kind(v) == JV_KIND_STRING ? jv_string_value(v) : NULL;
}

jv
jx_set_str(jv obj, const char *key, const char *s)
{
	return jv_object_set(obj, jv_string(key), s ? jv_string(s) : jv_null());
}

void
run_event(jv ev)
{
	const char *dir = getenv("DG_RUN_DIR");
	if (!dir || !*dir) {
		jv_free(ev);
		return;
	}
	char path[4096], stamp[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(path, sizeof path, "%s/events.jsonl", dir);
	ev = jv_object_set(ev, jv_string("time"), jv_string(stamp));
	jv s = jv_dump_string(ev, 0);
	FILE *f = fopen(path, "a");
	if (f) {
		fprintf(f, "%s\n", jv_string_value(s));
		fclose(f);
	}
	jv_free(s);
}
