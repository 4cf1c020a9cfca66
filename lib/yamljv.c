/* yamljv.c: YAML to jv through libyaml's document loader. */
#include "yamljv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include <stdint.h>

#include "util.h"

/* Turns a plain scalar into the JSON value it reads as: numbers, booleans and null;
 * anything else (and every quoted scalar) is a string. */
static jv
scalar(const yaml_node_t *n)
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

static jv
node(yaml_document_t *doc, yaml_node_t *n, int depth)
{
	if (!n || depth > 64)
		return jv_null();
	switch (n->type) {
	case YAML_SCALAR_NODE: return scalar(n);
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
			o = jv_object_set(o,
			    jv_string_sized((const char *)k->data.scalar.value, (int)k->data.scalar.length),
			    node(doc, yaml_document_get_node(doc, p->value), depth + 1));
		}
		return o;
	}
	default: return jv_null();
	}
}

/* The number of nodes the tree under node i has once every alias is expanded, capped
 * just above limit; size[] memoises (0: not yet, SIZE_MAX: being counted, which only a
 * node that contains itself meets). */
static size_t
expanded(yaml_document_t *doc, int i, size_t *size, size_t limit)
{
	yaml_node_t *n = yaml_document_get_node(doc, i);
	if (!n)
		return 1;
	size_t *s = &size[i - 1];
	if (*s == SIZE_MAX)
		return limit + 1;
	if (*s)
		return *s;
	*s = SIZE_MAX;
	size_t total = 1;
	if (n->type == YAML_SEQUENCE_NODE)
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top && total <= limit; it++)
			total += expanded(doc, *it, size, limit);
	else if (n->type == YAML_MAPPING_NODE)
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top && total <= limit;
		     p++)
			total += expanded(doc, p->key, size, limit) + expanded(doc, p->value, size, limit);
	if (total > limit)
		total = limit + 1;
	*s = total;
	return total;
}

int
yaml_load_single(yaml_parser_t *p, yaml_document_t *doc, const char *path, char *err, size_t errsize)
{
	if (!yaml_parser_load(p, doc)) {
		snprintf(err, errsize, "%s:%lu:%lu: %s%s%s", path, (unsigned long)p->problem_mark.line + 1,
		    (unsigned long)p->problem_mark.column + 1, p->problem ? p->problem : "invalid YAML",
		    p->context ? " " : "", p->context ? p->context : "");
		return -1;
	}
	yaml_node_t *root = yaml_document_get_root_node(doc);
	if (root) {
		/* Aliases may repeat a node many times over (a "billion laughs"): the
		 * expanded tree may be at most 64 times the nodes written, plus 10,000. */
		size_t nodes = (size_t)(doc->nodes.top - doc->nodes.start);
		size_t limit = nodes * 64 + 10000, *size = xcalloc(nodes, sizeof *size);
		size_t total = expanded(doc, 1, size, limit);
		free(size);
		if (total > limit) {
			snprintf(err, errsize,
			    "%s:%lu:%lu: its aliases expand to more than %zu nodes; write the values out", path,
			    (unsigned long)root->start_mark.line + 1, (unsigned long)root->start_mark.column + 1,
			    limit);
			yaml_document_delete(doc);
			return -1;
		}
	}
	yaml_document_t next;
	if (!yaml_parser_load(p, &next)) {
		snprintf(err, errsize, "%s:%lu:%lu: %s", path, (unsigned long)p->problem_mark.line + 1,
		    (unsigned long)p->problem_mark.column + 1, p->problem ? p->problem : "invalid YAML");
		yaml_document_delete(doc);
		return -1;
	}
	yaml_node_t *second = yaml_document_get_root_node(&next);
	if (second) {
		snprintf(err, errsize,
		    "%s:%lu:%lu: a second YAML document; dg reads one per file (remove the '---' or the part after it)",
		    path, (unsigned long)second->start_mark.line + 1, (unsigned long)second->start_mark.column + 1);
		yaml_document_delete(&next);
		yaml_document_delete(doc);
		return -1;
	}
	yaml_document_delete(&next);
	return 0;
}

jv
yaml_load_jv(const char *path, char *err, size_t errsize)
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
	if (yaml_load_single(&p, &doc, path, err, errsize) != 0) {
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
