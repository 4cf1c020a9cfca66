/* llmbatch.c: the LLM pass dg-content and dg-score share: records in windows, every
 * request of a window in flight together, records out in input order (see llm.h). */
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "llm.h"
#include "util.h"

void
llm_batch_ask(struct llm_batch *b, const char *system, const char *user, jv schema, const char *schema_name,
    int (*validate)(jv, void *, char *, size_t), void *ctx)
{
	struct llm_req *r;

	if (b->nreq == b->capreq) {
		b->capreq = b->capreq ? 2 * b->capreq : 256;
		b->reqs = xrealloc(b->reqs, (size_t)b->capreq * sizeof *b->reqs);
	}
	r = &b->reqs[b->nreq++];
	memset(r, 0, sizeof *r);
	r->system = xstrdup(system ? system : "");
	r->user = xstrdup(user ? user : "");
	r->schema = schema;
	r->schema_name = schema_name;
	r->validate = validate;
	r->ctx = ctx;
	r->answer = jv_invalid();
	b->asked++;
}

/* Answers every request of the window and writes its records out. */
static void
flush(struct llm_batch *b)
{
	int i, k, n = jx_len(b->recs);

	if (!n)
		return;
	llm_run(b->l, b->reqs, b->nreq);
	for (k = 0; k < b->nreq; k++)
		if (!b->reqs[k].ok) {
			b->failed += b->strict;
			b->fallbacks += !b->strict;
		}
	for (i = 0; i < n; i++) {
		jv rec = jv_array_get(jv_copy(b->recs), i);

		/* The window lets go of it, so that finish changes it in place. */
		b->recs = jv_array_set(b->recs, i, jv_null());
		rec = b->finish(b, rec, b->reqs + b->first[i], b->first[i + 1] - b->first[i], b->ctx);
		jsonl_emit(rec);
	}
	for (k = 0; k < b->nreq; k++) {
		free(b->reqs[k].ctx);
		llm_req_free(&b->reqs[k]);
	}
	jv_free(b->recs);
	b->recs = jv_array();
	b->nreq = 0;
}

void
llm_batch_add(struct llm_batch *b, jv rec)
{
	int n;

	if (!b->first) {
		b->first = xmalloc((LLM_WINDOW + 1) * sizeof *b->first);
		b->recs = jv_array();
	}
	n = jx_len(b->recs);
	b->first[n] = b->nreq;
	b->ask(b, rec, b->ctx);
	b->first[n + 1] = b->nreq;
	b->recs = jv_array_append(b->recs, rec);
	if (n + 1 == LLM_WINDOW)
		flush(b);
}

long
llm_batch_end(struct llm_batch *b)
{
	if (b->first)
		flush(b);
	if (b->fallbacks)
		warnx("%ld of %ld %s fell back to %s (hybrid mode)", b->fallbacks, b->asked, b->items, b->fallback);
	jv_free(b->recs);
	b->recs = jv_invalid();
	free(b->first);
	free(b->reqs);
	b->first = NULL;
	b->reqs = NULL;
	return b->failed;
}
