/* jsonl.c: the shared JSON-lines loop (mblaze's blaze822_loop, moved to JSON). */
#include "jsonl.h"
#include "rng.h"
#include "util.h"

#include <errno.h>
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

/* The dg_error line of a stage before this one (see util_stream_errors), kept to be
 * passed on by jsonl_close. */
static jv upstream;
static int upstream_seen;

/* Takes v when it is a dg_error line: says which stage failed and keeps it. */
static int
take_upstream_error(jv v)
{
	jv e;

	if (jv_object_length(jv_copy(v)) != 1)
		return 0;
	e = jx_get(v, "dg_error", JV_KIND_OBJECT);
	if (!jv_is_valid(e))
		return 0;
	warnx("an earlier stage failed: %s: %s", jx_str(e, "program") ? jx_str(e, "program") : "?",
	    jx_str(e, "message") ? jx_str(e, "message") : "?");
	if (!upstream_seen)
		upstream = jv_copy(v);
	upstream_seen = 1;
	jv_free(v);
	return 1;
}

int
jsonl_upstream_failed(void)
{
	return upstream_seen;
}

int
jsonl_close(int pass_on)
{
	int rc = 0;

	if (upstream_seen) {
		if (pass_on && jv_is_valid(upstream)) {
			jsonl_emit(upstream);
			upstream = jv_invalid();
		}
		rc = -1;
	}
	if (stdout_close() != 0)
		rc = -1;
	return rc;
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
		while (i < (size_t)n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '\n'))
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
			const char *m = jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "not JSON";
			warnx("%s: %s", jsonl_where(&pos, where, sizeof where), m);
			jv_free(msg);
			bad++;
			continue;
		}
		if (jv_get_kind(v) != JV_KIND_OBJECT) {
			warnx("%s: expected a JSON object, got %s", jsonl_where(&pos, where, sizeof where),
			    jv_kind_name(jv_get_kind(v)));
			jv_free(v);
			bad++;
			continue;
		}
		if (take_upstream_error(v))
			continue;
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

/* The jv string of a key. The stages look up the same few dozen keys millions of
 * times; a small cache by the key's bytes (one entry per hash slot; a collision
 * replaces it) saves a string made and hashed for every lookup. Longer keys are made
 * each time. The cached strings live as long as the process. jv reference counts are
 * not atomic, so the cache is only for programs that say they have one thread. */
static int key_cache;

void
jx_cache_keys(int on)
{
	key_cache = on;
}

static jv
key_of(const char *key)
{
	static struct {
		int used;
		char text[32];
		jv s;
	} cache[256];
	size_t n = strlen(key);
	unsigned i;

	if (!key_cache || n >= sizeof cache[0].text)
		return jv_string(key);
	i = (unsigned)hash_str(FNV_OFFSET, key) & 255;
	if (cache[i].used && strcmp(cache[i].text, key) == 0)
		return jv_copy(cache[i].s);
	if (cache[i].used)
		jv_free(cache[i].s);
	cache[i].used = 1;
	memcpy(cache[i].text, key, n + 1);
	cache[i].s = jv_string(key);
	return jv_copy(cache[i].s);
}

jv
jx_get(jv obj, const char *key, jv_kind kind)
{
	jv v;

	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return jv_invalid();
	v = jv_object_get(jv_copy(obj), key_of(key));
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
	const char *dir = getenv("DG_RUN_DIR"), *run = getenv("DG_RUN_ID");
	char path[4096], stamp[40], sec[24];
	struct timespec ts;
	struct tm tm;
	jv line, s;
	FILE *f;

	if (!dir || !*dir) {
		jv_free(ev);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(sec, sizeof sec, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp, sizeof stamp, "%s.%03ldZ", sec, ts.tv_nsec / 1000000);
	/* time, run and event first, then the rest in the order given */
	line = jv_object_set(jv_object(), jv_string("time"), jv_string(stamp));
	if (run && *run)
		line = jv_object_set(line, jv_string("run"), jv_string(run));
	line = jv_object_set(line, jv_string("event"), jv_object_get(jv_copy(ev), jv_string("event")));
	jv_object_foreach(ev, k, v)
	{
		if (strcmp(jv_string_value(k), "event") && strcmp(jv_string_value(k), "time") &&
		    strcmp(jv_string_value(k), "run"))
			line = jv_object_set(line, k, v);
		else {
			jv_free(k);
			jv_free(v);
		}
	}
	jv_free(ev);
	snprintf(path, sizeof path, "%s/events.jsonl", dir);
	s = jv_dump_string(line, 0);
	f = fopen(path, "a");
	if (f) {
		fprintf(f, "%s\n", jv_string_value(s));
		if (fclose(f) != 0)
			warnx("cannot write '%s'", path);
	} else
		warnx("cannot write '%s'", path);
	jv_free(s);
}
