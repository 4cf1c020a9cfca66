/* bulk.c: Bulk API 2.0 jobs, for large loads of one object. A job's steps (create,
 * upload, close, poll, results) run beside the Collections calls: each is one call
 * handed out by sched_next when the step before has answered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "jsonl.h"
#include "push.h"
#include "sf.h"
#include "sfid.h"
#include "util.h"

/* Bulk API 2.0, for large loads of one object */

enum step { B_CREATE, B_UPLOAD, B_CLOSE, B_POLL, B_RESULTS, B_END };

struct bulk {
	struct bulk *next;
	const char *object;
	int *items, n;
	enum step step;
	int out;     /* calls of this job out */
	int results; /* result files asked for (the successful, then the failed) */
	double due;  /* the next poll, not before */
	long wait;   /* the poll after it, in ms */
	double t0;
	char *id, *url;
	struct sb csv;
	jv byrow;       /* a row's cells -> [position in items, ...] */
	char why[1024]; /* what stopped the job, or "" */
};

static char *
cell(jv v)
{
	switch (jv_get_kind(v)) {
	case JV_KIND_STRING: return xstrdup(jv_string_value(v));
	case JV_KIND_TRUE: return xstrdup("true");
	case JV_KIND_FALSE: return xstrdup("false");
	case JV_KIND_NULL: return xstrdup("#N/A");
	case JV_KIND_NUMBER: return jx_dumps(v);
	default: return xstrdup("");
	}
}

/* "CODE:message:FIELD,FIELD --" (several joined by ';') into an item's error. */
static void
bulk_error(struct item *x, const char *text)
{
	char *t = xstrdup(text), *msg = strchr(t, ':');
	if (msg)
		*msg++ = '\0';
	char *flds = msg ? strrchr(msg, ':') : NULL;
	jv fields = jv_array();
	if (flds) {
		*flds++ = '\0';
		char *end = strstr(flds, " --");
		if (end)
			*end = '\0';
		char *save = NULL;
		for (char *f = strtok_r(flds, ",", &save); f; f = strtok_r(NULL, ",", &save))
			fields = jv_array_append(fields, jv_string(f));
	}
	item_fail(x, *t ? t : "UNKNOWN_EXCEPTION", msg ? msg : text, fields);
	free(t);
}

/* Starts a job for the ready creates of one object. */
static void
bulk_start(struct sched *s, int o)
{
	struct bulk *b = xcalloc(1, sizeof *b);
	b->object = push_objects[o];
	b->items = xmalloc((size_t)(s->per_obj[o] + 1) * sizeof *b->items);
	for (int c = 0; c < NQUEUE; c++)
		for (int k = s->qhead[c]; k < s->qn[c]; k++) {
			int i = s->q[c][k];
			struct item *x = &s->v.v[i];
			if (!x->sent && !x->update && !strcmp(x->object, b->object)) {
				sched_take(s, i);
				b->items[b->n++] = i;
			}
		}
	b->t0 = push_clock();
	b->next = s->bulks;
	s->bulks = b;
}

/* The job's CSV, and how to find each item's row again in the results (they come in
 * any order). Made while the job's creation is out, or else when the upload is due. */
static void
bulk_csv(struct sched *s, struct bulk *b)
{
	if (b->csv.len)
		return;
	jv colset = jv_object();
	for (int i = 0; i < b->n; i++)
		jv_object_foreach(s->v.v[b->items[i]].fields, k, v)
		{
			colset = jv_object_set(colset, k, jv_true());
			jv_free(v);
		}
	jv cols = jv_keys(colset);
	struct sb key = { 0 };
	for (int c = 0; c < jx_len(cols); c++)
		csv_cell(&b->csv, jx_cstr(jx_at(cols, c)), !c, ',');
	sb_addc(&b->csv, '\n');
	b->byrow = jv_object();
	for (int i = 0; i < b->n; i++) {
		sb_reset(&key);
		for (int c = 0; c < jx_len(cols); c++) {
			jv v = jv_object_get(jv_copy(s->v.v[b->items[i]].fields), jv_string(jx_cstr(jx_at(cols, c))));
			char *t = jv_is_valid(v) ? cell(v) : xstrdup("");
			jv_free(v);
			csv_cell(&b->csv, t, !c, ',');
			sb_add(&key, t);
			sb_addc(&key, '\x1f');
			free(t);
		}
		sb_addc(&b->csv, '\n');
		jv q = jv_object_get(jv_copy(b->byrow), jv_string(sb_str(&key)));
		if (!jv_is_valid(q))
			q = jv_array();
		b->byrow = jv_object_set(b->byrow, jv_string(sb_str(&key)), jv_array_append(q, jv_number(i)));
	}
	jv_free(cols);
	sb_free(&key);
}

/* The result rows of one results file into the items. */
static void
bulk_rows(struct sched *s, struct bulk *b, const struct http_resp *r, int ok)
{
	struct sb key = { 0 };
	const char *p = r->body.s ? r->body.s : "", *end = p + r->body.len;
	jv head = csv_row(&p, end, ',');
	for (jv row; jv_is_valid(row = csv_row(&p, end, ',')); jv_free(row)) {
		if (jx_len(row) < 2)
			continue;
		sb_reset(&key);
		for (int k = 2; k < jx_len(row); k++) {
			sb_add(&key, jx_cstr(jx_at(row, k)));
			sb_addc(&key, '\x1f');
		}
		jv q = jv_object_get(jv_copy(b->byrow), jv_string(sb_str(&key)));
		if (!jx_len(q)) {
			jv_free(q);
			continue;
		}
		int at = b->items[(int)jv_number_value(jx_at(q, 0))];
		if (at < 0) { /* written out already: it had its answer */
			jv_free(q);
			continue;
		}
		struct item *x = &s->v.v[at];
		b->byrow = jv_object_set(b->byrow, jv_string(sb_str(&key)), jv_array_slice(q, 1, jx_len(q)));
		if (ok) {
			x->status = S_CREATED;
			id_norm(jx_cstr(jx_at(row, 0)), x->id);
		} else
			bulk_error(x, jx_cstr(jx_at(row, 1)));
	}
	jv_free(head);
	sb_free(&key);
}

/* The job is over (done or stopped): every item gets its answer. */
static void
bulk_end(struct sched *s, struct bulk *b)
{
	b->step = B_END;
	for (int i = 0; i < b->n; i++) {
		if (b->items[i] < 0)
			continue;
		struct item *x = &s->v.v[b->items[i]];
		if (x->status == S_NONE) {
			if (b->why[0])
				item_fail(x, "BULK_JOB_FAILED", b->why, jv_array());
			else
				item_fail(x, "BULK_RESULT_MISSING", "the Bulk job reported nothing for this record",
				    jv_array());
		}
	}
	for (int i = 0; i < b->n; i++)
		if (b->items[i] >= 0)
			sched_finished(s, b->items[i]);
	/* Its CSV and rows are not needed any more: a long push makes many jobs. */
	sb_free(&b->csv);
	jv_free(b->byrow);
	b->byrow = jv_null();
	free(b->items);
	b->items = NULL;
	b->n = 0;
}

void
bulk_remap(struct sched *s, const int *m)
{
	for (struct bulk *b = s->bulks; b; b = b->next)
		for (int i = 0; i < b->n; i++)
			b->items[i] = b->items[i] < 0 ? -1 : m[b->items[i]];
}

static void
bulk_free(struct bulk *b)
{
	free(b->items);
	free(b->id);
	free(b->url);
	sb_free(&b->csv);
	jv_free(b->byrow);
	free(b);
}

static struct call *
bulk_call(struct sched *s, struct bulk *b)
{
	struct call *k = NULL;
	switch (b->step) {
	case B_CREATE: {
		jv job = jv_object_set(jv_object(), jv_string("object"), jv_string(b->object));
		job = jv_object_set(job, jv_string("operation"), jv_string("insert"));
		job = jv_object_set(job, jv_string("contentType"), jv_string("CSV"));
		job = jv_object_set(job, jv_string("lineEnding"), jv_string("LF"));
		k = call_new("POST", xstrdup("/jobs/ingest"), jx_dumps(job));
		jv_free(job);
		break;
	}
	case B_UPLOAD:
		bulk_csv(s, b);
		k = call_new("PUT", xasprintf("/%s", b->url), xstrdup(sb_str(&b->csv)));
		k->c.ctype = "text/csv";
		break;
	case B_CLOSE:
		k = call_new("PATCH", xasprintf("/jobs/ingest/%s", b->id), xstrdup("{\"state\":\"UploadComplete\"}"));
		break;
	case B_POLL: k = call_new("GET", xasprintf("/jobs/ingest/%s", b->id), NULL); break;
	case B_RESULTS:
		/* Both result files at once. */
		k = call_new(
		    "GET", xasprintf("/jobs/ingest/%s/%sResults/", b->id, b->results ? "failed" : "successful"), NULL);
		k->c.weight = b->results ? 0 : b->n;
		k->ok = !b->results++;
		break;
	case B_END: return NULL;
	}
	k->b = b;
	k->step = b->step;
	b->out++;
	return k;
}

/* Whether a Bulk job has a call to make now. */
static int
bulk_can(const struct bulk *b, double now)
{
	if (b->step == B_END || (b->out && b->step != B_RESULTS))
		return 0;
	return b->step == B_RESULTS ? b->results < 2 : b->step != B_POLL || b->due <= now;
}

/* A Bulk job's step answered: on to the next step, or the end. */
void
bulk_answer(struct sched *s, struct call *k)
{
	struct bulk *b = k->b;
	struct http_resp *r = &k->c.resp;
	int ok = r->status >= 200 && r->status < 300;
	static const char *const what[] = { "create", "upload", "close", "state", "results" };
	b->out--;
	if (!ok) {
		if (!b->why[0]) {
			char *t = sf_error_text(r);
			snprintf(b->why, sizeof b->why, "the Bulk job%s%s (%s): %s", b->id ? " " : "",
			    b->id ? b->id : "", what[k->step], t);
			free(t);
		}
		if (!b->out)
			bulk_end(s, b);
		return;
	}
	jv j = jv_invalid();
	switch (k->step) {
	case B_CREATE:
		j = jv_parse_sized(r->body.s ? r->body.s : "", (int)r->body.len);
		if (!jx_str(j, "id") || !jx_str(j, "contentUrl")) {
			snprintf(b->why, sizeof b->why, "the Bulk job has no id");
			bulk_end(s, b);
			break;
		}
		b->id = xstrdup(jx_str(j, "id"));
		b->url = xstrdup(jx_str(j, "contentUrl"));
		b->step = B_UPLOAD;
		break;
	case B_UPLOAD:
		sb_free(&b->csv);
		b->step = B_CLOSE;
		break;
	case B_CLOSE:
		b->step = B_POLL;
		b->wait = 100;
		b->due = 0;
		break;
	case B_POLL: {
		/* Poll: at once, then 100 ms doubling to 5 s, for at most 30 minutes. */
		j = jv_parse_sized(r->body.s ? r->body.s : "", (int)r->body.len);
		const char *st = jx_str(j, "state");
		if (st && !strcmp(st, "JobComplete"))
			b->step = B_RESULTS;
		else if (st && (!strcmp(st, "Failed") || !strcmp(st, "Aborted"))) {
			/* A job that ended Failed may have written rows before it stopped: its
			 * results are read like a complete job's, and only the records they do
			 * not name fail, with the job's reason. */
			snprintf(b->why, sizeof b->why, "the Bulk job %s %s: %s", b->id, st,
			    jx_str(j, "errorMessage") ? jx_str(j, "errorMessage") : "");
			b->step = B_RESULTS;
		} else if (push_clock() - b->t0 > 1800) {
			snprintf(b->why, sizeof b->why, "the Bulk job %s did not finish in 30 minutes", b->id);
			bulk_end(s, b);
		} else {
			b->due = push_clock() + b->wait / 1000.0;
			b->wait = b->wait * 2 > 5000 ? 5000 : b->wait * 2;
		}
		break;
	}
	case B_RESULTS:
		bulk_rows(s, b, r, k->ok);
		if (!b->out && b->results == 2)
			bulk_end(s, b);
		break;
	case B_END: break;
	}
	jv_free(j);
}

/* Starts the jobs that are due (a load of one object at or above the threshold), and
 * returns the next step of a job that can make one now; else NULL, with the time of
 * the soonest poll in *soonest (left alone when no job polls). */
struct call *
bulk_next(struct sched *s, double *soonest)
{
	long th = s->p->cfg->push.bulk_threshold;
	for (int o = 0; th > 0 && o < NOBJ; o++)
		if (s->per_obj[o] >= th)
			bulk_start(s, o);
	double now = push_clock();
	for (struct bulk *b = s->bulks; b; b = b->next) {
		if (bulk_can(b, now))
			return bulk_call(s, b);
		if (b->step == B_POLL && !b->out && (*soonest < 0 || b->due < *soonest))
			*soonest = b->due;
	}
	return NULL;
}

/* While calls are out: the CSV of a job being created. */
void
bulk_idle(struct sched *s)
{
	for (struct bulk *b = s->bulks; b; b = b->next)
		if (b->step <= B_UPLOAD)
			bulk_csv(s, b);
}

/* The run is over: every job ends, and one left half way says so in its items. */
void
bulk_stop(struct sched *s)
{
	while (s->bulks) {
		struct bulk *b = s->bulks;
		s->bulks = b->next;
		if (b->step != B_END) {
			if (b->step > B_CLOSE) /* closed: the org is working on it */
				snprintf(b->why, sizeof b->why,
				    "the run stopped before the Bulk job %s finished; its records may be in the org",
				    b->id);
			else
				snprintf(b->why, sizeof b->why,
				    "the run stopped before the Bulk job%s%s was closed: nothing of it was created",
				    b->id ? " " : "", b->id ? b->id : "");
			bulk_end(s, b);
		}
		bulk_free(b);
	}
}
