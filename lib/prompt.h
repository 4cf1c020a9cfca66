/* prompt.h: the LLM prompts under share/dg/prompts, and filling in their {names}. */
#ifndef DG_PROMPT_H
#define DG_PROMPT_H

#include <stddef.h>

#include "bank.h"
#include "util.h"

/* Reads share_dir()/name whole (malloc'd); dies with status 2 when it cannot. */
char *prompt_load(const char *name);

/* Appends tmpl to out with every {name} replaced by its value in vs. Unlike the phrase
 * bank renderer it knows no alternatives, so prompts may hold any text; a name with no
 * value is an error: returns -1 with it in err, so no placeholder reaches a model. */
int prompt_fill(struct sb *out, const char *tmpl, const struct vars *vs, char *err, size_t errsize);

#endif
