/* template.c: reads and checks a scorecard template with libyaml. */
#include "template.h"
#include "deal.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static int
err(const char *file, yaml_node_t *n, const char *what)
{
	fprintf(stderr, "%s: %s:%zu:%zu: %s\n", progname, file, n ? n->start_mark.line + 1 : 1,
	    n ? n->start_mark.column + 1 : 1, what);
	return -1;
}

static const char *
scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int
element(const char *file, yaml_document_t *doc, yaml_node_t *m, struct element *e)
{
	yaml_node_pair_t *p;
	char msg[256];

	if (m->type != YAML_MAPPING_NODE)
		return err(file, m, "each element must be a section with id, name, question, topics, answer");
	e->weight = 1;
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		const char *key = scalar(k), *val = scalar(v);

		if (key == NULL)
			return err(file, k, "a key must be a plain name");
		if (strcmp(key, "topics") == 0) {
			yaml_node_item_t *it;

			if (v->type != YAML_SEQUENCE_NODE)
				return err(file, v, "'topics' must be a list of topic names");
			for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
				yaml_node_t *tn = yaml_document_get_node(doc, *it);
				int t = topic_find(scalar(tn));

				if (t < 0) {
					snprintf(msg, sizeof msg, "unknown topic '%s'", scalar(tn) ? scalar(tn) : "?");
					return err(file, tn, msg);
				}
				e->topics |= 1u << t;
			}
			continue;
		}
		if (val == NULL) {
			snprintf(msg, sizeof msg, "'%s' must be a single value", key);
			return err(file, v, msg);
		}
		if (strcmp(key, "id") == 0) {
			e->id = xstrdup(val);
		} else if (strcmp(key, "name") == 0) {
			e->name = xstrdup(val);
		} else if (strcmp(key, "question") == 0) {
			e->question = xstrdup(val);
		} else if (strcmp(key, "answer") == 0) {
			e->answer = xstrdup(val);
		} else if (strcmp(key, "weight") == 0) {
			char *end;

			e->weight = strtod(val, &end);
			if (*end || e->weight <= 0 || e->weight > 100)
				return err(file, v, "'weight' must be a number above 0 and at most 100");
		} else {
			snprintf(msg, sizeof msg,
			    "unknown key '%s' (known: id, name, question, topics, answer, weight)", key);
			return err(file, k, msg);
		}
	}
	if (!e->id || !e->name || !e->question || !e->answer || !e->topics)
		return err(file, m, "an element needs id, name, question, topics and answer");
	return 0;
}

static int
load(struct template *t, const char *file)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	yaml_node_pair_t *p;
	int rc = 0;
	FILE *f = fopen(file, "r");

	if (f == NULL) {
		warnx("cannot open template '%s': %s", file, strerror(errno));
		return -1;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		fprintf(stderr, "%s: %s:%zu:%zu: %s\n", progname, file, parser.problem_mark.line + 1,
		    parser.problem_mark.column + 1, parser.problem ? parser.problem : "invalid YAML");
		yaml_parser_delete(&parser);
		fclose(f);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	if (root == NULL || root->type != YAML_MAPPING_NODE) {
		rc = err(file, root, "a template is a section with name and elements");
		goto out;
	}
	for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top && rc == 0; p++) {
		yaml_node_t *k = yaml_document_get_node(&doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&doc, p->value);
		const char *key = scalar(k);

		if (key && strcmp(key, "name") == 0 && scalar(v)) {
			t->name = xstrdup(scalar(v));
		} else if (key && strcmp(key, "description") == 0) {
			continue;
		} else if (key && strcmp(key, "elements") == 0 && v->type == YAML_SEQUENCE_NODE) {
			yaml_node_item_t *it;

			for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
				t->e = xrealloc(t->e, sizeof *t->e * (size_t)(t->n + 1));
				memset(&t->e[t->n], 0, sizeof *t->e);
				t->n++;
				if ((rc = element(file, &doc, yaml_document_get_node(&doc, *it), &t->e[t->n - 1])) != 0)
					break;
			}
		} else {
			rc = err(file, k, "expected 'name', 'description' or a list of 'elements'");
		}
	}
	if (rc == 0 && (t->name == NULL || t->n == 0))
		rc = err(file, root, "a template needs a name and at least one element");
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}

int
template_load(struct template *t, const char *what)
{
	char *path;
	int rc;
	size_t n = strlen(what);

	memset(t, 0, sizeof *t);
	if (strchr(what, '/') || (n > 5 && strcmp(what + n - 5, ".yaml") == 0))
		path = xstrdup(what);
	else
		path = xasprintf("%s/templates/%s.yaml", share_dir(), what);
	rc = load(t, path);
	free(path);
	if (rc != 0)
		template_free(t);
	return rc;
}

void
template_free(struct template *t)
{
	int i;

	for (i = 0; i < t->n; i++) {
		free(t->e[i].id);
		free(t->e[i].name);
		free(t->e[i].question);
		free(t->e[i].answer);
	}
	free(t->e);
	free(t->name);
	memset(t, 0, sizeof *t);
}
