/* bank.c: loads phrase banks into sorted sections and expands their placeholders. */
#include "bank.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct section {
	char *name;
	char **lines;
	int n;
};

struct bank {
	struct section *s;
	int n;
};

static int
cmp_section(const void *a, const void *b)
{
	return strcmp(((const struct section *)a)->name, ((const struct section *)b)->name);
}

/* Checks that every brace in line opens and closes a non-empty placeholder. */
static const char *
check_line(const char *line)
{
	const char *p;
	int open = 0;

	for (p = line; *p; p++) {
		if (*p == '{') {
			if (open)
				return "nested '{'";
			if (p[1] == '}')
				return "empty '{}'";
			open = 1;
		} else if (*p == '}') {
			if (!open)
				return "'}' without '{'";
			open = 0;
		}
	}
	return open ? "unclosed '{'" : NULL;
}

struct bank *
bank_load(const char *path)
{
	struct bank *b;
	struct section *cur = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0;
	int i;
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		warnx("cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	b = xcalloc(1, sizeof *b);
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *s = line, *e;
		const char *why;

		lineno++;
		while (len > 0 &&
		    (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
			line[--len] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '#')
			continue;
		if (*s == '[') {
			e = strchr(s, ']');
			if (e == NULL || e[1] != '\0') {
				warnx("%s:%ld: a section header is '[name]'", path, lineno);
				goto fail;
			}
			*e = '\0';
			for (i = 0; i < b->n; i++)
				if (strcmp(b->s[i].name, s + 1) == 0)
					break;
			if (i < b->n) {
				cur = &b->s[i];
				continue;
			}
			b->s = xrealloc(b->s, sizeof *b->s * (size_t)(b->n + 1));
			cur = &b->s[b->n++];
			cur->name = xstrdup(s + 1);
			cur->lines = NULL;
			cur->n = 0;
			continue;
		}
		if (cur == NULL) {
			warnx("%s:%ld: text before the first [section]", path, lineno);
			goto fail;
		}
		if ((why = check_line(s)) != NULL) {
			warnx("%s:%ld: %s", path, lineno, why);
			goto fail;
		}
		cur->lines = xrealloc(cur->lines, sizeof(char *) * (size_t)(cur->n + 1));
		cur->lines[cur->n++] = xstrdup(s);
	}
	free(line);
	fclose(f);
	qsort(b->s, (size_t)b->n, sizeof *b->s, cmp_section);
	return b;
fail:
	free(line);
	fclose(f);
	bank_free(b);
	return NULL;
}

struct bank *
bank_open(const char *name)
{
	char *path = share_path(name);
	struct bank *b = bank_load(path);

	if (b == NULL)
		diex(EXIT_USAGE, "cannot load phrase bank '%s' (set DG_SHARE to dg's share/dg)", path);
	free(path);
	return b;
}

void
bank_free(struct bank *b)
{
	int i, j;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++) {
		for (j = 0; j < b->s[i].n; j++)
			free(b->s[i].lines[j]);
		free(b->s[i].lines);
		free(b->s[i].name);
	}
	free(b->s);
	free(b);
}

static const struct section *
find(const struct bank *b, const char *name)
{
	struct section key = { (char *)name, NULL, 0 };

	return bsearch(&key, b->s, (size_t)b->n, sizeof *b->s, cmp_section);
}

/* 1 when some line of b has the placeholder {name} (or {Name}). */
static int
uses_var(const struct bank *b, const char *name, size_t len)
{
	int i, j;

	for (i = 0; i < b->n; i++)
		for (j = 0; j < b->s[i].n; j++) {
			const char *p = b->s[i].lines[j];

			while ((p = strchr(p, '{')) != NULL) {
				p++;
				if (strncasecmp(p, name, 1) == 0 && strncmp(p + 1, name + 1, len - 1) == 0 &&
				    p[len] == '}')
					return 1;
			}
		}
	return 0;
}

int
bank_extend(struct bank *b, const struct bank *other, const char *path)
{
	struct bank *add = bank_load(path);
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0;
	int bad = 0, i, j;

	if (add == NULL)
		return -1;
	/* A second pass over the file for line numbers: each section is checked where its
	 * header stands, each placeholder on its own line. */
	if ((f = fopen(path, "r")) == NULL) {
		bank_free(add);
		return -1;
	}
	while ((len = getline(&line, &cap, f)) >= 0 && bad < 10) {
		char *sp = line, *e;

		lineno++;
		while (*sp == ' ' || *sp == '\t')
			sp++;
		if (*sp == '#' || *sp == '\n' || *sp == '\0')
			continue;
		if (*sp == '[' && (e = strchr(sp, ']')) != NULL) {
			char *name = sp + 1 + (sp[1] == '=');

			*e = '\0';
			if (find(b, name) == NULL && (other == NULL || find(other, name) == NULL)) {
				warnx("%s:%ld: unknown section [%s]", path, lineno, name);
				bad++;
			}
			continue;
		}
		for (e = sp; (e = strchr(e, '{')) != NULL; e++) {
			size_t n = strcspn(e + 1, "}|");

			if (e[1 + n] != '}' || e[1] == '\0')
				continue; /* a choice {a|b}, not a variable */
			if (!uses_var(b, e + 1, n) && (other == NULL || !uses_var(other, e + 1, n))) {
				warnx("%s:%ld:%ld: unknown variable {%.*s}", path, lineno, (long)(e - line) + 1, (int)n,
				    e + 1);
				bad++;
			}
		}
	}
	free(line);
	fclose(f);
	if (bad) {
		bank_free(add);
		return -1;
	}
	for (i = 0; i < add->n; i++)
		if (add->s[i].name[0] == '=' && add->s[i].n == 0) {
			warnx("%s: [%s] would leave the section empty", path, add->s[i].name);
			bank_free(add);
			return -1;
		}
	/* "[=name]" replaces the section; "[name]" adds to it. A section only the other bank
	 * has is the other program's to read. */
	for (i = 0; i < add->n; i++) {
		int replace = add->s[i].name[0] == '=';
		struct section *to = (struct section *)find(b, add->s[i].name + replace);

		if (to == NULL)
			continue;
		if (replace) {
			for (j = 0; j < to->n; j++)
				free(to->lines[j]);
			to->n = 0;
		}
		to->lines = xrealloc(to->lines, sizeof(char *) * (size_t)(to->n + add->s[i].n));
		for (j = 0; j < add->s[i].n; j++)
			to->lines[to->n++] = xstrdup(add->s[i].lines[j]);
	}
	bank_free(add);
	return 0;
}

int
bank_count(const struct bank *b, const char *section)
{
	const struct section *s = find(b, section);

	return s ? s->n : 0;
}

const char *
bank_line(const struct bank *b, const char *section, int i)
{
	const struct section *s = find(b, section);

	return s && i >= 0 && i < s->n ? s->lines[i] : NULL;
}

const char *
bank_pick(const struct bank *b, const char *section, struct rng *r)
{
	const struct section *s = find(b, section);

	if (s == NULL || s->n == 0)
		return NULL;
	return s->lines[rng_range(r, 0, s->n - 1)];
}

/* A variable's name hashed, so that a lookup compares strings only on a match: the
 * writers set and read dozens of variables for every sentence. */
static unsigned
name_hash(const char *s)
{
	return (unsigned)hash_str(FNV_OFFSET, s);
}

/* The slot of name in vs's table (open addressing over VARS_SLOTS), where it is or where
 * it would go. */
static int
var_slot(const struct vars *vs, const char *name, unsigned h)
{
	unsigned i = h & (VARS_SLOTS - 1);

	while (vs->slot[i]) {
		int k = vs->slot[i] - 1;

		if (vs->h[k] == h && (vs->k[k] == name || strcmp(vs->k[k], name) == 0))
			break;
		i = (i + 1) & (VARS_SLOTS - 1);
	}
	return (int)i;
}

void
vars_set(struct vars *vs, const char *name, const char *value)
{
	unsigned h = name_hash(name);
	int i = var_slot(vs, name, h);

	if (vs->slot[i]) {
		vs->v[vs->slot[i] - 1] = value;
		return;
	}
	if (vs->n == VARS_MAX)
		diex(EXIT_FAIL, "internal error: too many template variables");
	vs->k[vs->n] = name;
	vs->h[vs->n] = h;
	vs->v[vs->n++] = value;
	vs->slot[i] = (unsigned char)vs->n;
}

const char *
vars_get(const struct vars *vs, const char *name)
{
	int i = var_slot(vs, name, name_hash(name));

	return vs->slot[i] ? vs->v[vs->slot[i] - 1] : NULL;
}

/* Looks up a name of n bytes; sets *cap when it was written capitalised. */
static const char *
lookup(const struct vars *vs, const char *name, size_t n, int *cap)
{
	char buf[64];
	const char *v;

	*cap = 0;
	if (n == 0 || n >= sizeof buf)
		return NULL;
	memcpy(buf, name, n);
	buf[n] = '\0';
	if ((v = vars_get(vs, buf)) != NULL)
		return v;
	if (isupper((unsigned char)buf[0])) {
		buf[0] = (char)tolower((unsigned char)buf[0]);
		*cap = 1;
		return vars_get(vs, buf);
	}
	return NULL;
}

int
render(struct sb *out, const char *tmpl, const struct vars *vs, struct rng *r, char *err, size_t errsize)
{
	const char *p = tmpl, *open, *close, *bar;

	while ((open = strchr(p, '{')) != NULL) {
		sb_addn(out, p, (size_t)(open - p));
		close = strchr(open, '}');
		if (close == NULL) {
			snprintf(err, errsize, "unclosed '{' in '%s'", tmpl);
			return -1;
		}
		bar = memchr(open, '|', (size_t)(close - open));
		if (bar) {
			/* {a|b|c}: count the alternatives, pick one, render it (it may hold no
			 * braces, since placeholders do not nest). */
			int n = 1, k;
			const char *q, *start = open + 1;

			for (q = open + 1; q < close; q++)
				n += *q == '|';
			k = (int)rng_range(r, 0, n - 1);
			for (q = open + 1; q <= close; q++) {
				if (*q == '|' || q == close) {
					if (k-- == 0) {
						sb_addn(out, start, (size_t)(q - start));
						break;
					}
					start = q + 1;
				}
			}
		} else {
			int cap;
			const char *v = lookup(vs, open + 1, (size_t)(close - open - 1), &cap);

			if (v == NULL) {
				snprintf(err, errsize, "no value for '%.*s'", (int)(close - open + 1), open);
				return -1;
			}
			if (cap && *v && islower((unsigned char)*v)) {
				sb_addc(out, (char)toupper((unsigned char)*v));
				sb_add(out, v + 1);
			} else {
				sb_add(out, v);
			}
		}
		p = close + 1;
	}
	sb_add(out, p);
	return 0;
}
