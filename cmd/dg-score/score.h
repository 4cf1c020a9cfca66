/* score.h: dg-score's private header: what main.c (the heuristic) and llm.c (the LLM
 * pass) share. */
#ifndef DG_SCORE_H
#define DG_SCORE_H

#include <jv.h>
#include <math.h>

#include "bank.h"
#include "config.h"
#include "deal.h"
#include "jsonl.h"
#include "llm.h"
#include "template.h"

struct ctx {
	const struct dg_config *cfg;
	struct template tpl;
	int llm; /* llm or hybrid: the records go through batch with their prompts */
	char *user_tmpl;
	struct sb system; /* share/dg/prompts/score-system.txt, filled */
	struct llm_batch batch;
};

struct loss;

/* What one deal's scoring reads: its activities, what each is evidence of, the loss. */
struct scoring {
	jv acts, story;
	int n;                   /* activities looked at (at most 1024) */
	unsigned *found;         /* found[i]: the topics activity i is evidence of */
	const struct loss *loss; /* the deal was lost for this, or NULL */
	unsigned lost_on;        /* the topics it was lost on */
};

/* x rounded to two decimals (confidences, coverage). */
static inline double
score_round2(double x)
{
	return round(x * 100) / 100;
}
/* The card (consumed) with the prompt, the keys it may cite and the answer's schema. */
jv score_prompt(struct ctx *c, jv card, const struct scoring *s, struct deal_text *t, const struct jsonl_pos *pos);
/* lib/llmbatch.c's callbacks: the request of one deal, and its answer into the card. */
void score_ask(struct llm_batch *b, jv rec, void *vctx);
jv score_put(struct llm_batch *b, jv rec, struct llm_req *reqs, int n, void *vctx);

#endif
