/* words.c: drawing lines from the phrase banks with the deal's memory: a long sentence
 * is never written twice in a deal, and a fact is said in full once. */
#include "content.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What a deal has said so far: the facts said in full (afterwards they are referred
 * back to), and the long sentences written (a deal never repeats one of its own). */
unsigned said;
static uint64_t used[2048];
int nused;

int
words_count(const char *s)
{
	int n = 0, in = 0;

	for (; *s; s++) {
		if (*s == ' ' || *s == '\n')
			in = 0;
		else if (!in) {
			in = 1;
			n++;
		}
	}
	return n;
}

/* A sentence's hash without its capitalised words (names, mostly): "Priya came back
 * to the slow ramp" and "Tom came back to the slow ramp" count as one sentence. */
static uint64_t
skeleton_hash(const char *s)
{
	uint64_t h = FNV_OFFSET;
	int word_start = 1, skip = 0;

	for (; *s; s++) {
		if (word_start)
			skip = isupper((unsigned char)*s);
		word_start = *s == ' ';
		if (!skip)
			h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	}
	return h;
}

static int
was_used(uint64_t h)
{
	int i;

	for (i = 0; i < nused; i++)
		if (used[i] == h)
			return 1;
	return 0;
}

/* Renders a line of section into one. A line of eight words or more that the deal
 * has already written is drawn again (up to eight times), so a deal does not repeat
 * itself; short lines ("Talk soon.") may recur as they do in real mail. Returns 0, 1
 * when every draw was a repeat, or -1 with err. */
int strict_draw; /* body lines: short ones are not repeated either */

static int
draw(struct ctx *c, struct deal_text *t, const char *section, struct sb *one, uint64_t *hash, char *err, size_t errsize)
{
	int tries;

	*hash = 0;
	for (tries = 0; tries < 8; tries++) {
		const char *line = bank_pick(c->b, section, &t->r);

		if (line == NULL) {
			snprintf(err, errsize, "phrase bank has no section [%s]", section);
			return -1;
		}
		sb_reset(one);
		if (render(one, line, &t->vs, &t->r, err, errsize) != 0)
			return -1;
		if (words_count(sb_str(one)) < 8 && !strict_draw)
			return 0;
		*hash = skeleton_hash(sb_str(one));
		if (!was_used(*hash))
			return 0;
	}
	return 1;
}

static void
keep(struct sb *out, struct sb *one, uint64_t hash)
{
	if (hash && nused < (int)(sizeof used / sizeof used[0]))
		used[nused++] = hash;
	sb_addn(out, sb_str(one), one->len);
}

/* Appends a line of section, rendered (see draw). */
int
words_add(struct sb *out, struct ctx *c, struct deal_text *t, const char *section, char *err, size_t errsize)
{
	static struct sb one;
	uint64_t h;

	if (draw(c, t, section, &one, &h, err, errsize) < 0)
		return -1;
	keep(out, &one, h);
	return 0;
}

/* Appends a line of section that the deal has not written yet, short or long; returns
 * 1 (appending nothing) when every draw was one it had, 0, or -1 with err. */
int
words_add_fresh(struct sb *out, struct ctx *c, struct deal_text *t, const char *section, char *err, size_t errsize)
{
	static struct sb one;
	uint64_t h;
	int rc;

	strict_draw = 1;
	rc = draw(c, t, section, &one, &h, err, errsize);
	strict_draw = 0;
	if (rc == 0)
		keep(out, &one, h);
	return rc;
}

/* Appends a line of the first of sections (NULL-ended) that gives one the deal has not
 * written yet, or else of the last. */
int
words_add_first_fresh(
    struct sb *out, struct ctx *c, struct deal_text *t, const char *const *sections, char *err, size_t errsize)
{
	static struct sb one;
	uint64_t h;
	int rc = 1, i;

	for (i = 0; sections[i] && rc == 1; i++)
		if ((rc = draw(c, t, sections[i], &one, &h, err, errsize)) < 0)
			return -1;
	keep(out, &one, h);
	return 0;
}

/* The name of section "<base>.<type>" when the bank has it, else "<base>.any". */
const char *
words_typed(struct ctx *c, char *sect, size_t size, const char *base, const char *type)
{
	snprintf(sect, size, "%s.%s", base, type ? type : "any");
	if (bank_count(c->b, sect) == 0)
		snprintf(sect, size, "%s.any", base);
	return sect;
}

int
words_add_typed(
    struct sb *out, struct ctx *c, struct deal_text *t, const char *base, const char *type, char *err, size_t errsize)
{
	char sect[128];

	return words_add(out, c, t, words_typed(c, sect, sizeof sect, base, type), err, errsize);
}

int
words_is_type(const char *type, const char *const *list)
{
	for (; type && *list; list++)
		if (!strcmp(type, *list))
			return 1;
	return 0;
}
