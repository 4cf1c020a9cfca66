/* bulk.c: Bulk API 2.0 ingest jobs (insert and delete, CSV): create, upload, close,
 * poll, and the three result files. A job is processed when it is closed; polls then
 * see InProgress once and JobComplete after, so clients exercise their wait loop. */
#include "sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "jsonl.h"

struct job {
	char id[SFID_SIZE];
	struct obj *obj;
	int del; /* delete, else insert */
	char state[16];
	char delim;
	int crlf;
	char *csv;
	size_t csvlen;
	int polls;
	long processed, failed;
	char created[32], ver[8];
	char *error;
	struct sb ok, bad, unproc;
};
static struct job **jobs;
static int njobs;

static const struct {
	const char *name;
	char c;
} delims[] = {
	{ "COMMA", ',' },
	{ "TAB", '\t' },
	{ "PIPE", '|' },
	{ "SEMICOLON", ';' },
	{ "CARET", '^' },
	{ "BACKQUOTE", '`' },
};

static const char *
delim_name(char c)
{
	for (size_t i = 0; i < sizeof delims / sizeof *delims; i++)
		if (delims[i].c == c)
			return delims[i].name;
	return "COMMA";
}

static jv
info(struct job *j, int full)
{
	jv o = jv_object();
	o = jv_object_set(o, jv_string("id"), jv_string(j->id));
	o = jv_object_set(o, jv_string("operation"), jv_string(j->del ? "delete" : "insert"));
	o = jv_object_set(o, jv_string("object"), jv_string(j->obj->name));
	o = jv_object_set(o, jv_string("createdById"), jv_string(org_user_id));
	o = jv_object_set(o, jv_string("createdDate"), jv_string(j->created));
	o = jv_object_set(o, jv_string("systemModstamp"), jv_string(j->created));
	o = jv_object_set(o, jv_string("state"), jv_string(j->state));
	o = jv_object_set(o, jv_string("concurrencyMode"), jv_string("Parallel"));
	o = jv_object_set(o, jv_string("contentType"), jv_string("CSV"));
	o = jv_object_set(o, jv_string("apiVersion"), jv_number(atof(j->ver)));
	o = jv_object_set(
	    o, jv_string("contentUrl"), jv_string_fmt("services/data/v%s/jobs/ingest/%s/batches", j->ver, j->id));
	o = jv_object_set(o, jv_string("lineEnding"), jv_string(j->crlf ? "CRLF" : "LF"));
	o = jv_object_set(o, jv_string("columnDelimiter"), jv_string(delim_name(j->delim)));
	if (full) {
		o = jv_object_set(o, jv_string("jobType"), jv_string("V2Ingest"));
		o = jv_object_set(o, jv_string("numberRecordsProcessed"), jv_number((double)j->processed));
		o = jv_object_set(o, jv_string("numberRecordsFailed"), jv_number((double)j->failed));
		o = jv_object_set(o, jv_string("retries"), jv_number(0));
		o = jv_object_set(o, jv_string("totalProcessingTime"), jv_number(0));
		o = jv_object_set(o, jv_string("apiActiveProcessingTime"), jv_number(0));
		o = jv_object_set(o, jv_string("apexProcessingTime"), jv_number(0));
		if (j->error)
			o = jv_object_set(o, jv_string("errorMessage"), jv_string(j->error));
	}
	return o;
}

static void
csv_line(struct sb *b, const char *a, const char *c, jv row, char delim, int crlf)
{
	int first = 1;
	if (a) {
		csv_cell(b, a, 1, delim);
		csv_cell(b, c, 0, delim);
		first = 0;
	}
	for (int i = 0; i < jx_len(row); i++, first = 0)
		csv_cell(b, jx_cstr(jx_at(row, i)) ? jx_cstr(jx_at(row, i)) : "", first, delim);
	sb_add(b, crlf ? "\r\n" : "\n");
}

static char *
err_text(jv errs)
{
	struct sb b = { 0 };
	for (int i = 0; i < jx_len(errs); i++) {
		jv e = jx_at(errs, i);
		sb_addf(&b, "%s%s:%s:", i ? ";" : "", jx_str(e, "statusCode"), jx_str(e, "message"));
		jv f = jx_get(e, "fields", JV_KIND_ARRAY);
		for (int k = 0; k < jx_len(f); k++)
			sb_addf(&b, "%s%s", k ? "," : "", jx_cstr(jx_at(f, k)));
		sb_add(&b, " --");
	}
	return b.s ? b.s : xstrdup("");
}

static void
job_fail(struct job *j, const char *msg)
{
	snprintf(j->state, sizeof j->state, "Failed");
	j->error = xstrdup(msg);
}

static void
process(struct job *j)
{
	const char *p = j->csv ? j->csv : "", *end = p + j->csvlen;
	if (!j->crlf && memmem(p, j->csvlen, "\r\n", 2))
		return job_fail(
		    j, "ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF");
	jv head = csv_row(&p, end, j->delim);
	if (!jx_len(head))
		return jv_free(head), job_fail(j, "InvalidBatch : Failed to parse the CSV header");
	for (int i = 0; i < jx_len(head); i++) {
		const char *h = jx_cstr(jx_at(head, i));
		if (!schema_field(j->obj, h) || (j->del && strcasecmp(h, "Id"))) {
			char *m = xasprintf("InvalidBatch : Field name not found : %s", h);
			job_fail(j, m);
			free(m);
			return jv_free(head);
		}
	}
	csv_line(&j->ok, "sf__Id", "sf__Created", head, j->delim, j->crlf);
	csv_line(&j->bad, "sf__Id", "sf__Error", head, j->delim, j->crlf);
	csv_line(&j->unproc, NULL, NULL, head, j->delim, j->crlf);
	/* A job that fails half-way (--fault bulkfail) keeps what it did: its first half
	 * is processed and in its results, the rest unprocessed. */
	long stop = -1;
	if (!j->del && fault_job()) {
		const char *q = p;
		stop = 0;
		for (jv row; jv_is_valid(row = csv_row(&q, end, j->delim)); jv_free(row))
			stop++;
		stop /= 2;
	}
	store_begin();
	for (jv row; jv_is_valid(row = csv_row(&p, end, j->delim)); jv_free(row)) {
		if (jx_len(row) == 1 && !*jx_cstr(jx_at(row, 0)))
			continue; /* a blank line */
		if (stop >= 0 && j->processed >= stop) {
			csv_line(&j->unproc, NULL, NULL, row, j->delim, j->crlf);
			continue;
		}
		j->processed++;
		char id[SFID_SIZE] = "";
		jv e;
		if (j->del) {
			e = store_delete(jx_cstr(jx_at(row, 0)));
			if (id_norm(jx_cstr(jx_at(row, 0)), id) < 0)
				id[0] = '\0';
		} else {
			jv rec = jv_object();
			for (int i = 0; i < jx_len(head) && i < jx_len(row); i++) {
				const char *v = jx_cstr(jx_at(row, i));
				if (!*v)
					continue;
				rec = jv_object_set(rec, jv_string(jx_cstr(jx_at(head, i))),
				    strcmp(v, "#N/A") ? jv_string(v) : jv_null());
			}
			jv err = jv_invalid();
			jv clean = rules_read(j->obj, rec, &err);
			jv_free(rec);
			if (jv_is_valid(clean)) {
				e = rules_create(j->obj, clean, id);
				jv_free(clean);
			} else {
				/* Per row here: Bulk reports a bad value against its row only. */
				e = jv_array();
				for (int i = 0; i < jx_len(err); i++)
					e = jv_array_append(e,
					    sf_err(jx_str(jx_at(err, i), "statusCode"),
						jx_str(jx_at(err, i), "message"), jv_array()));
				jv_free(err);
			}
		}
		if (jv_get_kind(e) == JV_KIND_NULL)
			csv_line(&j->ok, id, j->del ? "false" : "true", row, j->delim, j->crlf);
		else {
			char *t = err_text(e);
			csv_line(&j->bad, j->del ? id : "", t, row, j->delim, j->crlf);
			free(t);
			j->failed++;
			jv_free(e);
		}
	}
	store_commit();
	jv_free(head);
	if (stop >= 0)
		job_fail(j,
		    "InternalServerError : the job failed while processing its records; its results show "
		    "what it did");
	else
		snprintf(j->state, sizeof j->state, "UploadComplete");
}

static struct job *
find(const char *id, size_t len)
{
	char nid[SFID_SIZE], buf[32];
	snprintf(buf, sizeof buf, "%.*s", (int)(len < 31 ? len : 31), id);
	if (id_norm(buf, nid) < 0)
		return NULL;
	for (int i = 0; i < njobs; i++)
		if (jobs[i] && !strcmp(jobs[i]->id, nid))
			return jobs[i];
	return NULL;
}

static jv
body(struct req *h)
{
	if (!h->content_type || strncasecmp(h->content_type, "application/json", 16)) {
		reply_error(h, 415, "UNSUPPORTED_MEDIA_TYPE", "MediaType is not supported by this resource");
		return jv_invalid();
	}
	jv v = jv_parse_sized(h->body ? h->body : "", (int)h->bodylen);
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		jv_free(v);
		reply_error(h, 400, "JSON_PARSER_ERROR", "Json Deserialization failed: expected an object");
		return jv_invalid();
	}
	return v;
}

static void
create(struct req *h, const char *ver)
{
	jv b = body(h);
	if (!jv_is_valid(b))
		return;
	const char *obj = jx_str(b, "object"), *op = jx_str(b, "operation");
	const char *ct = jx_str(b, "contentType"), *le = jx_str(b, "lineEnding"), *cd = jx_str(b, "columnDelimiter");
	struct obj *o = obj ? schema_obj(obj) : NULL;
	char delim = 0;
	for (size_t i = 0; i < sizeof delims / sizeof *delims; i++)
		if (!cd || !strcmp(cd, delims[i].name))
			delim = delim ? delim : delims[i].c;
	char *m = NULL;
	if (!o)
		m = xasprintf("InvalidJob : Unable to find object: %s", obj ? obj : "(none)");
	else if (!op || (strcmp(op, "insert") && strcmp(op, "delete")))
		m = xasprintf(
		    "InvalidJob : dg-sandbox supports the insert and delete operations, not '%s'", op ? op : "(none)");
	else if (ct && strcmp(ct, "CSV"))
		m = xasprintf("InvalidJob : Unsupported content type: %s", ct);
	else if (le && strcmp(le, "LF") && strcmp(le, "CRLF"))
		m = xasprintf("InvalidJob : Invalid line ending: %s", le);
	else if (!delim)
		m = xasprintf("InvalidJob : Invalid column delimiter: %s", cd);
	if (m) {
		reply_error(h, 400, "INVALIDJOB", m);
		free(m);
		return jv_free(b);
	}
	struct job *j = xcalloc(1, sizeof *j);
	struct obj fake = { 0 };
	memcpy(fake.prefix, "750", 4);
	store_new_id(&fake, j->id);
	j->obj = o;
	j->del = !strcmp(op, "delete");
	j->delim = delim;
	j->crlf = le && !strcmp(le, "CRLF");
	snprintf(j->state, sizeof j->state, "Open");
	snprintf(j->ver, sizeof j->ver, "%s", ver);
	fmt_dt(org_now(), j->created);
	jobs = xrealloc(jobs, (size_t)(njobs + 1) * sizeof *jobs);
	jobs[njobs++] = j;
	jv_free(b);
	reply_json(h, 200, info(j, 0));
}

static void
csv_out(struct req *h, struct sb *b)
{
	h->status = 200;
	sb_reset(&h->out);
	sb_addn(&h->out, b->s ? b->s : "", b->len);
	h->ctype = "text/csv";
}

void
bulk_route(struct req *h, const char *method, const char *rest, const char *ver)
{
	if (!*rest || !strcmp(rest, "/")) {
		if (!strcmp(method, "POST"))
			return create(h, ver);
		if (strcmp(method, "GET"))
			return reply_error(
			    h, 405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed. Allowed are GET,POST");
		jv a = jv_array();
		for (int i = 0; i < njobs; i++)
			if (jobs[i])
				a = jv_array_append(a, info(jobs[i], 0));
		jv o = jv_object_set(jv_object(), jv_string("done"), jv_true());
		o = jv_object_set(o, jv_string("records"), a);
		return reply_json(h, 200, jv_object_set(o, jv_string("nextRecordsUrl"), jv_null()));
	}
	const char *id = rest + 1, *slash = strchr(id, '/');
	struct job *j = find(id, slash ? (size_t)(slash - id) : strlen(id));
	if (!j)
		return reply_error(h, 404, "NOT_FOUND", "The requested resource does not exist");
	const char *sub = slash ? slash + 1 : "";
	if (!strcmp(sub, "batches") || !strcmp(sub, "batches/")) {
		if (strcmp(method, "PUT"))
			return reply_error(h, 405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed. Allowed are PUT");
		if (strcmp(j->state, "Open") || j->csv)
			return reply_error(h, 400, "INVALIDJOBSTATE",
			    "Job is not open for uploads (dg-sandbox takes one upload per job)");
		if (!h->content_type || strncasecmp(h->content_type, "text/csv", 8))
			return reply_error(
			    h, 415, "UNSUPPORTED_MEDIA_TYPE", "MediaType of the upload must be text/csv");
		j->csv = xstrndup(h->body ? h->body : "", h->bodylen);
		j->csvlen = h->bodylen;
		h->status = 201;
		return;
	}
	/* A job's results are read once it has ended, Failed and Aborted ones too. */
	int ended = !strcmp(j->state, "JobComplete") || !strcmp(j->state, "Failed") || !strcmp(j->state, "Aborted");
	if (!strcmp(sub, "successfulResults") || !strcmp(sub, "successfulResults/"))
		return !ended ? reply_error(h, 400, "INVALIDJOBSTATE", "Job is not complete") : csv_out(h, &j->ok);
	if (!strcmp(sub, "failedResults") || !strcmp(sub, "failedResults/"))
		return !ended ? reply_error(h, 400, "INVALIDJOBSTATE", "Job is not complete") : csv_out(h, &j->bad);
	if (!strcmp(sub, "unprocessedrecords") || !strcmp(sub, "unprocessedrecords/"))
		return csv_out(h, &j->unproc);
	if (*sub)
		return reply_error(h, 404, "NOT_FOUND", "The requested resource does not exist");
	if (!strcmp(method, "GET")) {
		/* A closed job shows InProgress at the first poll, then JobComplete. */
		if (!strcmp(j->state, "UploadComplete") && j->polls++ > 0)
			snprintf(j->state, sizeof j->state, "JobComplete");
		else if (!strcmp(j->state, "UploadComplete"))
			snprintf(j->state, sizeof j->state, "InProgress");
		else if (!strcmp(j->state, "InProgress"))
			snprintf(j->state, sizeof j->state, "JobComplete");
		return reply_json(h, 200, info(j, 1));
	}
	if (!strcmp(method, "DELETE")) {
		for (int i = 0; i < njobs; i++)
			if (jobs[i] == j) {
				free(j->csv);
				free(j->error);
				sb_free(&j->ok);
				sb_free(&j->bad);
				sb_free(&j->unproc);
				free(j);
				jobs[i] = NULL;
			}
		h->status = 204;
		return;
	}
	if (strcmp(method, "PATCH"))
		return reply_error(
		    h, 405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed. Allowed are GET,PATCH,DELETE");
	jv b = body(h);
	if (!jv_is_valid(b))
		return;
	const char *st = jx_str(b, "state");
	if (st && !strcmp(st, "UploadComplete") && !strcmp(j->state, "Open")) {
		process(j);
		if (!strcmp(j->state, "UploadComplete") || !strcmp(j->state, "Failed")) {
			jv o = info(j, 0);
			o = jv_object_set(o, jv_string("state"), jv_string("UploadComplete"));
			reply_json(h, 200, o);
		}
	} else if (st && !strcmp(st, "Aborted") && (!strcmp(j->state, "Open") || !strcmp(j->state, "UploadComplete"))) {
		snprintf(j->state, sizeof j->state, "Aborted");
		reply_json(h, 200, info(j, 0));
	} else
		reply_error(h, 400, "INVALIDJOBSTATE", "Invalid state transition for this job");
	jv_free(b);
}
