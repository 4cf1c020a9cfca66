/* jsonl.c: the shared JSON-lines loop (mblaze's blaze822_loop, moved to JSON). */
#include "jsonl.h"
#include "rng.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <sys/stat.h>
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
	/* Plain jv calls, not the jx_ getters: this may run on jsonl_each_ahead's reader
	 * thread, and the getters' key cache belongs to the main one. */
	e = jv_object_get(jv_copy(v), jv_string("dg_error"));
	if (jv_get_kind(e) != JV_KIND_OBJECT) {
		jv_free(e);
		return 0;
	}
	jv prog = jv_object_get(jv_copy(e), jv_string("program")), msg = jv_object_get(e, jv_string("message"));
	warnx("an earlier stage failed: %s: %s", jv_get_kind(prog) == JV_KIND_STRING ? jv_string_value(prog) : "?",
	    jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "?");
	jv_free(prog);
	jv_free(msg);
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

void
jsonl_reader_init(struct jsonl_reader *r, int nfiles, char **files)
{
	memset(r, 0, sizeof *r);
	r->nfiles = nfiles;
	r->files = files;
}

/* Opens the reader's next input: 1, or 0 when there is none, -1 when it cannot. */
static int
next_input(struct jsonl_reader *r)
{
	if (r->nfiles == 0 && r->next == 0) {
		r->next = 1;
		r->f = stdin;
		r->pos = (struct jsonl_pos){ NULL, 0 };
		return 1;
	}
	if (r->next >= r->nfiles)
		return 0;
	const char *name = r->files[r->next++];
	if (!strcmp(name, "-")) {
		r->f = stdin;
		r->pos = (struct jsonl_pos){ NULL, 0 };
		return 1;
	}
	r->f = fopen(name, "r");
	if (!r->f) {
		warnx("cannot open '%s': %s", name, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fileno(r->f), &st) == 0 && S_ISREG(st.st_mode))
		r->size += st.st_size;
	r->pos = (struct jsonl_pos){ name, 0 };
	return 1;
}

/* Ends the reader's current input: 0, or -1 when it could not be read. */
static int
end_input(struct jsonl_reader *r)
{
	int bad = ferror(r->f);
	if (bad)
		warnx("cannot read '%s': %s", r->pos.file ? r->pos.file : "standard input", strerror(errno));
	if (r->f != stdin)
		fclose(r->f);
	r->f = NULL;
	return bad ? -1 : 0;
}

int
jsonl_next(struct jsonl_reader *r, jv *rec, struct jsonl_pos *pos)
{
	char where[512];
	ssize_t n;

	for (;;) {
		if (!r->f) {
			int k = next_input(r);
			if (k <= 0)
				return k;
		}
		n = getline(&r->line, &r->cap, r->f);
		if (n < 0) {
			if (end_input(r) < 0)
				return -1;
			continue;
		}
		r->read += n;
		size_t i = 0;
		jv v;

		r->pos.line++;
		while (i < (size_t)n &&
		    (r->line[i] == ' ' || r->line[i] == '\t' || r->line[i] == '\r' || r->line[i] == '\n'))
			i++;
		if (i == (size_t)n)
			continue;
		if (n > 0x7fffffff) {
			warnx("%s: line too long", jsonl_where(&r->pos, where, sizeof where));
			r->bad++;
			continue;
		}
		v = jv_parse_sized(r->line, (int)n);
		if (!jv_is_valid(v)) {
			jv msg = jv_invalid_get_msg(v);
			const char *m = jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "not JSON";
			warnx("%s: %s", jsonl_where(&r->pos, where, sizeof where), m);
			jv_free(msg);
			r->bad++;
			continue;
		}
		if (jv_get_kind(v) != JV_KIND_OBJECT) {
			warnx("%s: expected a JSON object, got %s", jsonl_where(&r->pos, where, sizeof where),
			    jv_kind_name(jv_get_kind(v)));
			jv_free(v);
			r->bad++;
			continue;
		}
		if (take_upstream_error(v))
			continue;
		*rec = v;
		*pos = r->pos;
		return 1;
	}
}

void
jsonl_reader_close(struct jsonl_reader *r)
{
	if (r->f && r->f != stdin)
		fclose(r->f);
	r->f = NULL;
	free(r->line);
	r->line = NULL;
}

long
jsonl_each(int nfiles, char **files, jsonl_fn fn, void *ctx)
{
	struct jsonl_reader r;
	struct jsonl_pos pos;
	long refused = 0;
	int k;
	jv v;

	jsonl_reader_init(&r, nfiles, files);
	while ((k = jsonl_next(&r, &v, &pos)) > 0)
		if (fn(v, &pos, ctx) != 0)
			refused++;
	jsonl_reader_close(&r);
	return k < 0 ? -1 : r.bad + refused;
}

/* jsonl_each_ahead: a ring of parsed records between the reader thread and the caller. */
#define AHEAD 64
struct ahead {
	struct jsonl_reader r;
	pthread_mutex_t mu;
	pthread_cond_t filled, emptied;
	struct {
		jv rec;
		struct jsonl_pos pos;
	} ring[AHEAD];
	unsigned head, tail; /* taken, put (counting up) */
	int end;             /* the reader's last jsonl_next result (0 or -1) once it is done */
	int done;
};

static void *
ahead_read(void *arg)
{
	struct ahead *a = arg;
	struct jsonl_pos pos;
	jv v;
	int k;

	while ((k = jsonl_next(&a->r, &v, &pos)) > 0) {
		pthread_mutex_lock(&a->mu);
		while (a->tail - a->head == AHEAD)
			pthread_cond_wait(&a->emptied, &a->mu);
		a->ring[a->tail % AHEAD].rec = v;
		a->ring[a->tail % AHEAD].pos = pos;
		a->tail++;
		pthread_cond_signal(&a->filled);
		pthread_mutex_unlock(&a->mu);
	}
	pthread_mutex_lock(&a->mu);
	a->end = k < 0 ? -1 : 0;
	a->done = 1;
	pthread_cond_signal(&a->filled);
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

long
jsonl_each_ahead(int nfiles, char **files, jsonl_fn fn, void *ctx)
{
	struct ahead *a = xcalloc(1, sizeof *a);
	pthread_t th;
	long refused = 0, rc;

	jsonl_reader_init(&a->r, nfiles, files);
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->filled, NULL);
	pthread_cond_init(&a->emptied, NULL);
	if (pthread_create(&th, NULL, ahead_read, a) != 0) {
		free(a);
		return jsonl_each(nfiles, files, fn, ctx);
	}
	for (;;) {
		jv v;
		struct jsonl_pos pos;

		pthread_mutex_lock(&a->mu);
		while (a->head == a->tail && !a->done)
			pthread_cond_wait(&a->filled, &a->mu);
		if (a->head == a->tail) {
			pthread_mutex_unlock(&a->mu);
			break;
		}
		v = a->ring[a->head % AHEAD].rec;
		pos = a->ring[a->head % AHEAD].pos;
		a->head++;
		pthread_cond_signal(&a->emptied);
		pthread_mutex_unlock(&a->mu);
		if (fn(v, &pos, ctx) != 0)
			refused++;
	}
	pthread_join(th, NULL);
	rc = a->end < 0 ? -1 : a->r.bad + refused;
	jsonl_reader_close(&a->r);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->filled);
	pthread_cond_destroy(&a->emptied);
	free(a);
	return rc;
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
