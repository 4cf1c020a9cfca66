/* bank.h: phrase banks (the .txt files under share/dg) and the placeholder renderer.
 *
 * A bank file holds sections; each line of a section is one alternative:
 *     # comment
 *     [meeting.topic.pain]
 *     {Champion_first} walked us through {pain}.
 * In a line, {name} is a variable, {Name} the same variable with its first letter
 * capitalised, and {a|b|c} picks one alternative at random. A variable that is not
 * set is an error: nothing unexpanded ever reaches output. */
#ifndef DG_BANK_H
#define DG_BANK_H

#include "rng.h"
#include "util.h"

struct bank;

/* Loads a bank file; on error prints "file:line: why" and returns NULL. */
struct bank *bank_load(const char *path);
/* Loads share_dir()/name or dies with status 2 (installation error). */
struct bank *bank_open(const char *name);
void bank_free(struct bank *b);
/* Adds a team's own lines from the bank file path to b: "[name]" adds its lines to b's
 * section of that name, "[=name]" puts them in place of b's. A section that neither b
 * nor other has, or a variable no line of either uses, is an error said on stderr as
 * "path:line: why"; sections only other has are left to the other bank's reader.
 * Returns 0, or -1 (b unchanged) after saying why. */
int bank_extend(struct bank *b, const struct bank *other, const char *path);
/* Number of lines in section (0 when it does not exist). */
int bank_count(const struct bank *b, const char *section);
/* Line i of section, or NULL. */
const char *bank_line(const struct bank *b, const char *section, int i);
/* A random line of section, or NULL when the section is missing or empty. */
const char *bank_pick(const struct bank *b, const char *section, struct rng *r);

#define VARS_MAX 96
#define VARS_SLOTS 256 /* a power of two, well above VARS_MAX */
struct vars {
	int n;
	const char *k[VARS_MAX];
	const char *v[VARS_MAX];
	unsigned h[VARS_MAX];           /* each name's hash */
	unsigned char slot[VARS_SLOTS]; /* by hash: index + 1 into k/v, 0 for free */
};
/* Sets (or replaces) name; value is borrowed and must outlive the renders. */
void vars_set(struct vars *vs, const char *name, const char *value);
const char *vars_get(const struct vars *vs, const char *name);

/* Appends tmpl with its placeholders expanded to out. Returns 0, or -1 with the name
 * of the missing variable (or the broken placeholder) in err. */
int render(struct sb *out, const char *tmpl, const struct vars *vs, struct rng *r, char *err, size_t errsize);

#endif
