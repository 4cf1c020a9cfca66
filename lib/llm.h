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
	char *system, *user;      /* owned by the caller */
	jv schema;                /* JSON schema of the answer (borrowed), or jv_invalid() */
	const char *schema_name;
	int (*validate)(jv answer, void *ctx, char *why, size_t whysize);
	void *ctx;
	/* results */
	jv answer;                /* the parsed answer, or jv_invalid() */
	int ok, cached;
	char err[256];
	/* internal */
	int attempts;
	char key[65];
	double wait;
};

struct llm {
	int enabled;              /* configured and not switched off by a fatal answer */
	char why_off[256];
	char *url, *auth_header, *extra_header, *model, *token_field;
	double temperature;
	long seed, max_tokens, retries, jobs;
	int rf;                   /* 0 json_schema, 1 json_object, 2 plain text */
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

/* Says "llm: N calls, H cached, P+C tokens, S s" on stderr and logs the same as an
 * "llm" event of stage in the run's events.jsonl. */
void llm_report(const struct llm *l, const char *stage);

#endif
