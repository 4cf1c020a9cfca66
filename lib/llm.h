/* llm.h: an OpenAI-compatible Chat Completions client (OpenAI, Azure OpenAI, Ollama,
 * llama.cpp, vLLM, LM Studio): many requests in flight with results in order,
 * structured output with fallbacks (JSON schema, then JSON mode, then plain text),
 * validation of every answer, retries as the official SDKs do, and a response cache
 * in the state file so that a rerun makes no calls and gives the same bytes. */
#ifndef DG_LLM_H
#define DG_LLM_H

#include <jv.h>
#include <sqlite3.h>

#include "config.h"
#include "http.h"

/* One question. The answer must be a JSON object that validate (when given) accepts;
 * validate returns 0, or -1 with the reason in why. */
struct llm_req {
	char *system, *user; /* owned by the caller */
	jv schema;           /* JSON schema of the answer (borrowed), or jv_invalid() */
	const char *schema_name;
	int (*validate)(jv answer, void *ctx, char *why, size_t whysize);
	void *ctx;
	/* results */
	jv answer; /* the parsed answer, or jv_invalid() */
	int ok, cached;
	char err[256];
	/* internal */
	int attempts;
	char key[65];
	double wait;
};

struct llm {
	int enabled; /* configured and not switched off by a fatal answer */
	char why_off[256];
	char *url, *auth_header, *extra_header, *model, *token_field;
	double temperature;
	long seed, max_tokens, retries, jobs;
	int rf; /* 0 json_schema, 1 json_object, 2 plain text */
	int azure, no_cache;
	struct http *http;
	sqlite3 *cache;
	/* stats */
	long calls, hits, prompt_tokens, completion_tokens, failures;
	double seconds;
};

/* 1 when the environment or the config names an LLM. */
int llm_configured(const struct dg_config *cfg);
/* Sets up the client from the config and environment (OPENAI_BASE_URL, OPENAI_API_KEY,
 * OPENAI_MODEL, AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY, OPENAI_API_VERSION).
 * Returns 0, or -1 with why in err. The cache lives in the state file unless no_cache. */
int llm_open(struct llm *l, const struct dg_config *cfg, int no_cache, char *err, size_t errsize);
void llm_close(struct llm *l);
/* Answers reqs[0..n) (up to l->jobs at a time). Each gets ok/answer or err. */
void llm_run(struct llm *l, struct llm_req *reqs, int n);
void llm_req_free(struct llm_req *r);
/* What becomes of an item the LLM could not do: in llm mode (strict) obj gets an
 * "error": {stage, message}; in hybrid mode obj is left as the heuristic made it and an
 * "llm-fallback" event {stage, idkey: id, why} goes to the run's events.jsonl.
 * Consumes and returns obj. */
jv llm_outcome(jv obj, int strict, const char *stage, const char *idkey, const char *id, const char *why);

/* ---- llmbatch.c: the LLM pass of a filter, in windows ----
 *
 * A stage hands each record to llm_batch_add once it has written its prompts into it.
 * Records wait in a window of up to LLM_WINDOW; when it is full, or at llm_batch_end,
 * every request of the window is answered at once (llm_run, l->jobs in flight), each
 * record is finished by the stage's callback and written out, in input order. So the
 * stage stays a streaming filter: it holds one window, never the whole input. */

#define LLM_WINDOW 32

struct llm_batch {
	struct llm *l;
	int strict;           /* llm mode: a request without an answer is an error; else hybrid */
	const char *stage;    /* "dg-content": for messages */
	const char *items;    /* "texts": what one request is, for the fallback message */
	const char *fallback; /* "the phrase banks": what hybrid mode falls back to */
	/* Adds the requests of rec (borrowed; its strings live until finish) with
	 * llm_batch_ask. */
	void (*ask)(struct llm_batch *b, jv rec, void *ctx);
	/* Puts the answers of reqs[0..n) into rec (consumed) and returns it; an
	 * unanswered request (!ok) is counted already. */
	jv (*finish)(struct llm_batch *b, jv rec, struct llm_req *reqs, int n, void *ctx);
	void *ctx;
	/* internal */
	jv recs;    /* the window's records */
	int *first; /* record i's requests are first[i] .. first[i + 1] - 1 */
	struct llm_req *reqs;
	int nreq, capreq;
	long asked, failed, fallbacks;
};

/* A request of the record being added: system and user are copied; ctx (owned, freed
 * with free() once the record is finished) is what validate sees. */
void llm_batch_ask(struct llm_batch *b, const char *system, const char *user, jv schema, const char *schema_name,
    int (*validate)(jv, void *, char *, size_t), void *ctx);
/* Adds rec (consumed); answers and writes out the window when it is full. */
void llm_batch_add(struct llm_batch *b, jv rec);
/* Answers and writes out what is left; says how many fell back. Returns the number
 * of requests that failed in llm mode. */
long llm_batch_end(struct llm_batch *b);

/* Says "llm: N calls, H cached, P+C tokens, S s" on stderr and logs the same as an
 * "llm" event of stage in the run's events.jsonl. */
void llm_report(const struct llm *l, const char *stage);

#endif
