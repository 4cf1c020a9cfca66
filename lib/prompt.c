/* prompt.c: loading and filling the LLM prompts (see prompt.h). */
#include "prompt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *
prompt_load(const char *name)
{
	char *path = share_path(name);
	FILE *f = fopen(path, "r");
	if (!f)
		diex(EXIT_USAGE, "cannot open '%s' (set DG_SHARE to dg's share/dg)", path);
	struct sb b = { 0 };
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sb_addn(&b, buf, n);
	fclose(f);
	free(path);
	return b.s ? b.s : xstrdup("");
}

int
prompt_fill(struct sb *out, const char *tmpl, const struct vars *vs, char *err, size_t errsize)
{
	for (const char *p = tmpl; *p; p++) {
		const char *end;
		if (*p != '{' || !(end = strchr(p, '}'))) {
			sb_addc(out, *p);
			continue;
		}
		char name[64];
		snprintf(name, sizeof name, "%.*s", (int)(end - p - 1), p + 1);
		const char *v = vars_get(vs, name);
		if (!v) {
			snprintf(err, errsize, "prompt variable '%s' has no value", name);
			return -1;
		}
		sb_add(out, v);
		p = end;
	}
	return 0;
}
