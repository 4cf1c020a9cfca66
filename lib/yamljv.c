/* yamljv.c: YAML to jv through libyaml's document loader. */
#include "yamljv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Turns a plain scalar into the JSON value it reads as: numbers, booleans and null;
 * anything else (and every quoted scalar) is a string. */
static jv scalar(const yaml_node_t *n)
{
	const char *s = (const char *)n->data.scalar.value;
	size_t len = n->data.scalar.length;
	char *end;

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return jv_string_sized(s, (int)len);
	if (len == 0 || !strcmp(s, "~") || !strcmp(s, "null"))
		return jv_null();
	if (!strcmp(s, "true"))
		return jv_true();
	if (!strcmp(s, "false"))
		return jv_false();
	if (strchr("-+0123456789.", s[0])) {
		errno = 0;
		double d = strtod(s, &end);
		if (!errno && *end == '\0' && end != s)
			return jv_number(d);
	}
	return jv_string_sized(s, (int)len);
}

static jv node(yaml_document_t *doc, yaml_node_t *n, int depth)
{
	if (!n || depth > 64)
		return jv_null();
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return scalar(n);
	case YAML_SEQUENCE_NODE: {
		jv a = jv_array();
		for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++)
			a = jv_array_append(a, node(doc, yaml_document_get_node(doc, *i), depth + 1));
		return a;
	}
	case YAML_MAPPING_NODE: {
		jv o = jv_object();
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(doc, p->key);
			if (!k || k->type != YAML_SCALAR_NODE)
				continue;
			o = jv_object_set(o, jv_string_sized((const char *)k->data.scalar.value,
			    (int)k->data.scalar.length), node(doc, yaml_document_get_node(doc, p->value), depth + 1));
		}
		return o;
	}
	default:
		return jv_null();
	}
}

jv yaml_load_jv(const char *path, char *err, size_t errsize)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return jv_invalid();
	}
	yaml_parser_t p;
	yaml_document_t doc;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_file(&p, f);
	jv out;
	if (!yaml_parser_load(&p, &doc)) {
		snprintf(err, errsize, "%s:%lu:%lu: %s", path, (unsigned long)p.problem_mark.line + 1,
		    (unsigned long)p.problem_mark.column + 1, p.problem ? p.problem : "bad YAML");
		out = jv_invalid();
	} else {
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		out = root ? node(&doc, root, 0) : jv_null();
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&p);
	fclose(f);
	return out;
}
