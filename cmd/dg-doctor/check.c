/* check.c: a check's result and the report of them all. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "jsonl.h"
#include "sf.h"
#include "util.h"

static const char *const names[] = { "pass", "warn", "fail" };

void
check_add(struct checks *k, const char *id, enum verdict v, const char *fix, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = NULL;
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	jv o = jv_object();
	o = jx_set_str(o, "id", id);
	o = jx_set_str(o, "status", names[v]);
	o = jx_set_str(o, "message", m ? m : "");
	o = jx_set_str(o, "fix", v == PASS ? NULL : fix);
	free(m);
	k->list = jv_array_append(k->list, o);
}

int
checks_print(const struct checks *k, int json)
{
	int n[3] = { 0, 0, 0 };
	for (int i = 0; i < jx_len(k->list); i++) {
		jv c = jx_at(k->list, i);
		for (int s = 0; s < 3; s++)
			n[s] += !strcmp(jx_str(c, "status"), names[s]);
		if (!json) {
			printf("%-4s  %-20s %s\n", jx_str(c, "status"), jx_str(c, "id"), jx_str(c, "message"));
			if (jx_str(c, "fix"))
				printf("      %-20s fix: %s\n", "", jx_str(c, "fix"));
		}
	}
	if (json) {
		jv o = jv_object_set(jv_object(), jv_string("checks"), jv_copy(k->list));
		o = jv_object_set(o, jv_string("passed"), jv_number(n[PASS]));
		o = jv_object_set(o, jv_string("warned"), jv_number(n[WARN]));
		o = jv_object_set(o, jv_string("failed"), jv_number(n[FAIL]));
		jsonl_emit(o);
	} else
		printf("%d passed, %d warned, %d failed\n", n[PASS], n[WARN], n[FAIL]);
	return n[FAIL];
}

static jv cache; /* {object: describe or false} */

jv
check_describe(struct checks *k, const char *object)
{
	if (!jv_is_valid(cache))
		cache = jv_object();
	jv d = jv_object_get(jv_copy(cache), jv_string(object));
	if (!jv_is_valid(d)) {
		char *path = xasprintf("/sobjects/%s/describe", object), err[512];
		d = sf_request(k->sf, "GET", path, NULL, NULL, err, sizeof err);
		free(path);
		if (!jv_is_valid(d) || jv_get_kind(d) != JV_KIND_OBJECT) {
			jv_free(d);
			d = jv_false();
		}
		cache = jv_object_set(cache, jv_string(object), jv_copy(d));
	}
	jv_free(d); /* the cache holds it */
	d = jx_get(cache, object, JV_KIND_OBJECT);
	return d;
}

jv
check_field(jv describe, const char *name)
{
	jv f = jx_get(describe, "fields", JV_KIND_ARRAY);
	for (int i = 0; i < jx_len(f); i++)
		if (jx_str(jx_at(f, i), "name") && !strcasecmp(jx_str(jx_at(f, i), "name"), name))
			return jx_at(f, i);
	return jv_invalid();
}
