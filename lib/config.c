/* config.c: YAML to struct dg_config through one table of known keys.
 *
 * The table below is the whole schema: a dotted path, a type, where the value lives in
 * the struct and its bounds. Loading walks the YAML tree; a key that is neither in the
 * table nor the start of a section in it is an error, with the nearest known key as a
 * suggestion, so a misspelt option never passes silently. */
#include "config.h"
#include "tz.h"
#include "util.h"
#include "yamljv.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

enum ctype { C_INT, C_NUM, C_STR, C_LIST, C_ENUM };

struct field {
	const char *path;
	enum ctype type;
	size_t off;
	double lo, hi;      /* bounds for numbers */
	const char *values; /* C_ENUM: "a|b|c" */
};

#define O(m) offsetof(struct dg_config, m)
static const struct field fields[] = {
	{ "seed", C_INT, O(seed), 0, 4294967295.0, NULL },
	{ "now", C_STR, O(now), 0, 0, NULL },
	{ "words", C_LIST, O(words), 0, 0, NULL },
	{ "company.name", C_STR, O(company.name), 0, 0, NULL },
	{ "company.website", C_STR, O(company.website), 0, 0, NULL },
	{ "company.products", C_LIST, O(company.products), 0, 0, NULL },
	{ "plan.timezone", C_STR, O(plan.timezone), 0, 0, NULL },
	{ "plan.business_hours.start", C_INT, O(plan.day_start), 0, 23, NULL },
	{ "plan.business_hours.end", C_INT, O(plan.day_end), 1, 24, NULL },
	{ "plan.meetings.past.min", C_INT, O(plan.past_meetings.min), 0, 50, NULL },
	{ "plan.meetings.past.max", C_INT, O(plan.past_meetings.max), 0, 50, NULL },
	{ "plan.meetings.upcoming.min", C_INT, O(plan.upcoming_meetings.min), 0, 20, NULL },
	{ "plan.meetings.upcoming.max", C_INT, O(plan.upcoming_meetings.max), 0, 20, NULL },
	{ "plan.meetings.minutes.min", C_INT, O(plan.minutes.min), 15, 480, NULL },
	{ "plan.meetings.minutes.max", C_INT, O(plan.minutes.max), 15, 480, NULL },
	{ "plan.meetings.per_day", C_INT, O(plan.per_day), 1, 24, NULL },
	{ "plan.emails.min", C_INT, O(plan.emails.min), 0, 200, NULL },
	{ "plan.emails.max", C_INT, O(plan.emails.max), 0, 200, NULL },
	{ "plan.window.past_days", C_INT, O(plan.past_days), 7, 730, NULL },
	{ "plan.window.future_days", C_INT, O(plan.future_days), 1, 365, NULL },
	{ "plan.min_contacts", C_INT, O(plan.min_contacts), 0, 10, NULL },
	{ "plan.holidays", C_LIST, O(plan.holidays), 0, 0, NULL },
	{ "plan.domains", C_LIST, O(plan.domains), 0, 0, NULL },
	{ "plan.paths.renewal", C_LIST, O(plan.renewal_types), 0, 0, NULL },
	{ "plan.paths.expansion", C_LIST, O(plan.expansion_types), 0, 0, NULL },
	{ "plan.team.sales_engineers", C_LIST, O(plan.sales_engineers), 0, 0, NULL },
	{ "plan.team.executives", C_LIST, O(plan.executives), 0, 0, NULL },
	{ "content.mode", C_ENUM, O(content.mode), 0, 0, "heuristic|llm|hybrid|null" },
	{ "score.mode", C_ENUM, O(score.mode), 0, 0, "heuristic|llm|hybrid|null" },
	{ "score.template", C_STR, O(score.template), 0, 0, NULL },
	{ "score.coverage_target", C_NUM, O(score.coverage_target), 0, 1, NULL },
	{ "llm.base_url", C_STR, O(llm.base_url), 0, 0, NULL },
	{ "llm.model", C_STR, O(llm.model), 0, 0, NULL },
	{ "llm.temperature", C_NUM, O(llm.temperature), 0, 2, NULL },
	{ "llm.seed", C_INT, O(llm.seed), 0, 4294967295.0, NULL },
	{ "llm.max_tokens", C_INT, O(llm.max_tokens), 16, 100000, NULL },
	{ "llm.token_field", C_ENUM, O(llm.token_field), 0, 0, "auto|max_tokens|max_completion_tokens" },
	{ "llm.timeout", C_INT, O(llm.timeout), 1, 3600, NULL },
	{ "llm.retries", C_INT, O(llm.retries), 0, 10, NULL },
	{ "llm.jobs", C_INT, O(llm.jobs), 1, 64, NULL },
	{ "llm.azure.endpoint", C_STR, O(llm.azure_endpoint), 0, 0, NULL },
	{ "llm.azure.deployment", C_STR, O(llm.azure_deployment), 0, 0, NULL },
	{ "llm.azure.api_version", C_STR, O(llm.azure_api_version), 0, 0, NULL },
	{ "salesforce.api_version", C_STR, O(salesforce.api_version), 0, 0, NULL },
	{ "salesforce.login_url", C_STR, O(salesforce.login_url), 0, 0, NULL },
	{ "salesforce.ca_bundle", C_STR, O(salesforce.ca_bundle), 0, 0, NULL },
	{ "salesforce.timeout", C_INT, O(salesforce.timeout), 1, 3600, NULL },
	{ "salesforce.retries", C_INT, O(salesforce.retries), 0, 20, NULL },
	{ "salesforce.retry_base_ms", C_INT, O(salesforce.retry_base_ms), 1, 60000, NULL },
	{ "salesforce.allow_production", C_ENUM, O(salesforce.allow_production), 0, 0, "false|true" },
	{ "query.stages", C_LIST, O(query.stages), 0, 0, NULL },
	{ "query.types", C_LIST, O(query.types), 0, 0, NULL },
	{ "query.owners", C_LIST, O(query.owners), 0, 0, NULL },
	{ "query.record_types", C_LIST, O(query.record_types), 0, 0, NULL },
	{ "query.exclude_ids", C_LIST, O(query.exclude_ids), 0, 0, NULL },
	{ "query.close_date.from", C_STR, O(query.close_from), 0, 0, NULL },
	{ "query.close_date.to", C_STR, O(query.close_to), 0, 0, NULL },
	{ "query.min_amount", C_NUM, O(query.min_amount), 0, 1e15, NULL },
	{ "query.where", C_STR, O(query.where), 0, 0, NULL },
	{ "query.max_opps", C_INT, O(query.max_opps), 1, 100000, NULL },
	{ "query.account_contacts", C_INT, O(query.account_contacts), 0, 200, NULL },
	{ "push.jobs", C_INT, O(push.jobs), 1, 32, NULL },
	{ "push.bulk_threshold", C_INT, O(push.bulk_threshold), 0, 100000000, NULL },
	{ "push.window", C_INT, O(push.window), 0, 1000000, NULL },
	{ "push.tag_field", C_STR, O(push.tag_field), 0, 0, NULL },
	{ "push.lock_wait", C_INT, O(push.lock_wait), 0, DAY_SECONDS, NULL },
	{ "push.scorecard.mode", C_ENUM, O(push.scorecard), 0, 0, "fields|object|none" },
	{ "push.scorecard.field_prefix", C_STR, O(push.scorecard_prefix), 0, 0, NULL },
	{ "push.inactive_owner", C_STR, O(push.inactive_owner), 0, 0, NULL },
	{ "push.email_as", C_ENUM, O(push.email_as), 0, 0, "task|emailmessage" },
};
#define NFIELDS (sizeof fields / sizeof fields[0])

/* Where each loaded key stood, for errors found after loading (such as min > max). */
struct mark {
	const char *path;
	size_t line, col;
};

/* A file this wrong is not read further (a runaway generated file stays fast). */
#define MAX_ERRORS 25

struct loader {
	const char *file;
	struct dg_config *cfg;
	int errors;
	struct mark marks[NFIELDS];
	int nmarks;
	int expand_depth; /* ${A:-${B}} defaults being expanded */
};

static void cfg_error(struct loader *ld, yaml_mark_t m, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
cfg_error(struct loader *ld, yaml_mark_t m, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (++ld->errors > MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s:%zu:%zu: %s\n", progname, ld->file, m.line + 1, m.column + 1, buf);
	if (ld->errors == MAX_ERRORS)
		fprintf(stderr, "%s: %s: too many errors; stopping here\n", progname, ld->file);
}

static void
strlist_free(struct strlist *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void
strlist_add(struct strlist *l, const char *s)
{
	l->v = xrealloc(l->v, sizeof(char *) * (size_t)(l->n + 1));
	l->v[l->n++] = xstrdup(s);
}

void
config_defaults(struct dg_config *c)
{
	static const char *products[] = { "Revenue Intelligence", "Forecasting", "Pipeline Inspection" };
	/* Opportunity Type values: Salesforce's own picklist and the usual custom ones. */
	static const char *renewal[] = { "Renewal", "Existing Customer - Renewal" };
	static const char *expansion[] = { "Existing Business", "Existing Customer - Upgrade",
		"Existing Customer - Replacement", "Existing Customer - Downgrade", "Expansion", "Upsell", "Up-sell",
		"Cross-sell", "Add-on" };
	size_t i;

	memset(c, 0, sizeof *c);
	c->seed = 42;
	c->company.name = xstrdup("Northwind Analytics");
	c->company.website = xstrdup("northwind-analytics.example");
	for (i = 0; i < sizeof products / sizeof products[0]; i++)
		strlist_add(&c->company.products, products[i]);
	c->plan.timezone = xstrdup("America/New_York");
	c->plan.day_start = 9;
	c->plan.day_end = 17;
	c->plan.past_meetings = (struct range){ 3, 8 };
	c->plan.upcoming_meetings = (struct range){ 1, 3 };
	c->plan.per_day = 4;
	c->plan.minutes = (struct range){ 15, 120 };
	c->plan.emails = (struct range){ 5, 20 };
	c->plan.past_days = 180;
	c->plan.future_days = 30;
	c->plan.min_contacts = 2;
	for (i = 0; i < sizeof renewal / sizeof renewal[0]; i++)
		strlist_add(&c->plan.renewal_types, renewal[i]);
	for (i = 0; i < sizeof expansion / sizeof expansion[0]; i++)
		strlist_add(&c->plan.expansion_types, expansion[i]);
	/* content.mode and score.mode: NULL means hybrid when an LLM is configured. */
	c->llm.temperature = 0.7;
	c->llm.max_tokens = 900;
	c->llm.token_field = xstrdup("auto");
	c->llm.timeout = 60;
	c->llm.retries = 2;
	c->llm.jobs = 8;
	c->score.template = xstrdup("MEDDICC");
	c->score.coverage_target = 0.8;
	c->salesforce.api_version = xstrdup("60.0");
	c->salesforce.timeout = 120;
	c->salesforce.retries = 5;
	c->salesforce.retry_base_ms = 500;
	c->salesforce.allow_production = xstrdup("false");
	c->query.max_opps = 25;
	c->query.account_contacts = 10;
	c->push.jobs = 4;
	c->push.bulk_threshold = 2000;
	c->push.lock_wait = 600;
	/* dg's records are findable after any kill: by reconcile, reset and dg-query,
	 * which leaves them out of a deal's own contacts. Written where the org has it. */
	c->push.tag_field = xstrdup("DG_Tag__c");
	c->push.scorecard = xstrdup("fields");
	c->push.email_as = xstrdup("task");
	c->push.scorecard_prefix = xstrdup("DG_");
}

void
config_free(struct dg_config *c)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++) {
		void *p = (char *)c + fields[i].off;

		if (fields[i].type == C_STR || fields[i].type == C_ENUM)
			free(*(char **)p);
		else if (fields[i].type == C_LIST)
			strlist_free(p);
	}
	free(c->path);
	memset(c, 0, sizeof *c);
}

/* Expands ${VAR}, ${VAR:-default} and $$ in s. Returns a malloc'd string, or NULL after
 * reporting an unset variable or an unclosed reference. */
static char *
expand(struct loader *ld, yaml_mark_t m, const char *s)
{
	struct sb b = { 0 };
	const char *p = s;

	while (*p) {
		if (p[0] == '$' && p[1] == '$') {
			sb_addc(&b, '$');
			p += 2;
		} else if (p[0] == '$' && p[1] == '{') {
			const char *end, *def = NULL, *val;
			char *name, *defx = NULL;
			size_t n;
			int depth = 1;

			/* The matching '}': a default may hold ${...} of its own. */
			for (end = p + 2; *end && depth; end++)
				if (end[0] == '$' && end[1] == '{') {
					depth++;
					end++;
				} else if (*end == '}')
					depth--;
			end = depth ? NULL : end - 1;
			if (end == NULL) {
				cfg_error(ld, m, "unclosed '${' in '%s'", s);
				sb_free(&b);
				return NULL;
			}
			name = xstrndup(p + 2, (size_t)(end - p - 2));
			if ((def = strstr(name, ":-")) != NULL) {
				name[def - name] = '\0';
				def += 2;
			}
			for (n = 0; name[n]; n++)
				if (!isalnum((unsigned char)name[n]) && name[n] != '_')
					break;
			if (name[0] == '\0' || name[n] != '\0') {
				cfg_error(ld, m, "'%s' is not a valid variable name", name);
				free(name);
				sb_free(&b);
				return NULL;
			}
			val = getenv(name);
			if (val == NULL || (*val == '\0' && def)) {
				if (def && strchr(def, '$')) {
					if (++ld->expand_depth > 8) {
						cfg_error(ld, m, "defaults nested too deep in '%s'", s);
						defx = NULL;
					} else
						defx = expand(ld, m, def);
					ld->expand_depth--;
					if (defx == NULL) {
						free(name);
						sb_free(&b);
						return NULL;
					}
					def = defx;
				}
				val = def;
			}
			if (val == NULL) {
				cfg_error(ld, m, "environment variable '%s' is not set", name);
				free(name);
				sb_free(&b);
				return NULL;
			}
			sb_add(&b, val);
			free(name);
			free(defx);
			p = end + 1;
		} else {
			sb_addc(&b, *p++);
		}
	}
	return b.s ? b.s : xstrdup("");
}

static const struct field *
field_find(const char *path)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++)
		if (strcmp(fields[i].path, path) == 0)
			return &fields[i];
	return NULL;
}

static int
is_section(const char *path)
{
	size_t i, n = strlen(path);

	for (i = 0; i < NFIELDS; i++)
		if (strncmp(fields[i].path, path, n) == 0 && fields[i].path[n] == '.')
			return 1;
	return 0;
}

/* Lists the keys allowed directly under section prefix ("" for the top) in out, and
 * returns the one nearest to key, or NULL when none is close. */
static const char *
suggest(const char *prefix, const char *key, struct sb *out)
{
	static char best[64];
	size_t i, n = strlen(prefix);
	int bestd = 9;
	char seen[NFIELDS][64];
	int nseen = 0, k;

	best[0] = '\0';
	for (i = 0; i < NFIELDS; i++) {
		const char *rest = fields[i].path, *dot;
		char name[64];

		if (n) {
			if (strncmp(rest, prefix, n) != 0 || rest[n] != '.')
				continue;
			rest += n + 1;
		}
		dot = strchr(rest, '.');
		snprintf(name, sizeof name, "%.*s", dot ? (int)(dot - rest) : (int)strlen(rest), rest);
		for (k = 0; k < nseen; k++)
			if (strcmp(seen[k], name) == 0)
				break;
		if (k < nseen)
			continue;
		snprintf(seen[nseen++], 64, "%s", name);
		if (out->len)
			sb_add(out, ", ");
		sb_add(out, name);
		if (util_distance(key, name) < bestd) {
			bestd = util_distance(key, name);
			snprintf(best, sizeof best, "%s", name);
		}
	}
	return bestd <= 2 || (bestd <= 3 && strlen(key) > 6) ? best : NULL;
}

static void
remember(struct loader *ld, const char *path, yaml_mark_t m)
{
	if (ld->nmarks < (int)NFIELDS)
		ld->marks[ld->nmarks++] = (struct mark){ path, m.line, m.column };
}

static yaml_mark_t
mark_of(struct loader *ld, const char *path)
{
	yaml_mark_t m = { 0, 0, 0 };
	int i;

	for (i = 0; i < ld->nmarks; i++)
		if (strcmp(ld->marks[i].path, path) == 0) {
			m.line = ld->marks[i].line;
			m.column = ld->marks[i].col;
		}
	return m;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A scorecard template given by name must be one of share/dg/templates (a path, or a
 * name ending .yaml, is a file of the user's, read by dg-score). Said at load, with the
 * closest name, rather than when the first deal is scored. */
static void
check_template(struct loader *ld, yaml_mark_t m, const char *val)
{
	size_t n = strlen(val);
	if (strchr(val, '/') || (n > 5 && !strcmp(val + n - 5, ".yaml")))
		return;
	char *dir = share_path("templates");
	DIR *d = opendir(dir);
	const char *names[64];
	char *keep[64];
	int k = 0, found = 0;
	for (struct dirent *e; d && (e = readdir(d)) && k < 64;) {
		size_t l = strlen(e->d_name);
		if (l > 5 && !strcmp(e->d_name + l - 5, ".yaml")) {
			keep[k] = xstrndup(e->d_name, l - 5);
			names[k] = keep[k];
			found |= !strcmp(keep[k], val);
			k++;
		}
	}
	if (d)
		closedir(d);
	qsort(names, (size_t)k, sizeof *names, by_name);
	if (!found && k) {
		struct sb list = { 0 };
		for (int i = 0; i < k; i++)
			sb_addf(&list, "%s%s", i ? ", " : "", names[i]);
		const char *near = util_closest(val, names, k);
		cfg_error(ld, m, "'score.template' '%s' is not a template (%s, or a .yaml file of yours)%s%s%s", val,
		    sb_str(&list), near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
		sb_free(&list);
	}
	for (int i = 0; i < k; i++)
		free(keep[i]);
	free(dir);
}

static const char *
node_kind(yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a value";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a section";
	default: return "nothing";
	}
}

static void
set_field(struct loader *ld, yaml_document_t *doc, const struct field *f, yaml_node_t *n)
{
	void *p = (char *)ld->cfg + f->off;
	char *val, *end;

	remember(ld, f->path, n->start_mark);
	if (f->type == C_LIST) {
		yaml_node_item_t *it;
		struct strlist l = { 0 };

		if (n->type != YAML_SEQUENCE_NODE) {
			cfg_error(ld, n->start_mark, "'%s' must be a list, not %s", f->path, node_kind(n));
			return;
		}
		for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
			yaml_node_t *e = yaml_document_get_node(doc, *it);

			if (e == NULL || e->type != YAML_SCALAR_NODE) {
				cfg_error(
				    ld, e ? e->start_mark : n->start_mark, "'%s' must be a list of values", f->path);
				strlist_free(&l);
				return;
			}
			val = expand(ld, e->start_mark, (char *)e->data.scalar.value);
			if (val == NULL) {
				strlist_free(&l);
				return;
			}
			strlist_add(&l, val);
			free(val);
		}
		strlist_free(p);
		*(struct strlist *)p = l;
		return;
	}
	if (n->type != YAML_SCALAR_NODE) {
		cfg_error(ld, n->start_mark, "'%s' must be a single value, not %s", f->path, node_kind(n));
		return;
	}
	if ((f->type == C_STR || (f->type == C_ENUM && strstr(f->values, "|null"))) &&
	    n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    (n->data.scalar.length == 0 || strcmp((char *)n->data.scalar.value, "~") == 0 ||
		strcmp((char *)n->data.scalar.value, "null") == 0)) {
		/* A YAML null leaves an optional text unset. */
		free(*(char **)p);
		*(char **)p = NULL;
		return;
	}
	val = expand(ld, n->start_mark, (char *)n->data.scalar.value);
	if (val == NULL)
		return;
	switch (f->type) {
	case C_INT: {
		double d;

		errno = 0;
		d = strtod(val, &end);
		if (errno || end == val || *end != '\0' || d != floor(d)) {
			cfg_error(ld, n->start_mark, "'%s' must be a whole number, not '%s'", f->path, val);
		} else if (d < f->lo || d > f->hi) {
			cfg_error(ld, n->start_mark, "'%s' must be between %.0f and %.0f, not %s", f->path, f->lo,
			    f->hi, val);
		} else {
			*(long *)p = (long)d;
		}
		free(val);
		break;
	}
	case C_NUM: {
		double d;

		errno = 0;
		d = strtod(val, &end);
		if (errno || end == val || *end != '\0' || !isfinite(d))
			cfg_error(ld, n->start_mark, "'%s' must be a number, not '%s'", f->path, val);
		else if (d < f->lo || d > f->hi)
			cfg_error(
			    ld, n->start_mark, "'%s' must be between %g and %g, not %s", f->path, f->lo, f->hi, val);
		else
			*(double *)p = d;
		free(val);
		break;
	}
	case C_ENUM: {
		const char *v = f->values;
		size_t len = strlen(val);
		int ok = 0;

		while (v && *v) {
			const char *bar = strchr(v, '|');
			size_t n2 = bar ? (size_t)(bar - v) : strlen(v);

			if (n2 == len && strncmp(v, val, len) == 0)
				ok = 1;
			v = bar ? bar + 1 : NULL;
		}
		if (!ok) {
			cfg_error(ld, n->start_mark, "'%s' must be one of %s, not '%s'", f->path, f->values, val);
			free(val);
			break;
		}
	}
		/* FALLTHROUGH */
	case C_STR:
		if (!strcmp(f->path, "score.template"))
			check_template(ld, n->start_mark, val);
		free(*(char **)p);
		*(char **)p = val;
		break;
	case C_LIST: break;
	}
}

static void
walk(struct loader *ld, yaml_document_t *doc, yaml_node_t *map, const char *prefix)
{
	yaml_node_pair_t *pr;
	char **seen = NULL;
	int nseen = 0, i;

	for (pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top && ld->errors < MAX_ERRORS; pr++) {
		yaml_node_t *k = yaml_document_get_node(doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(doc, pr->value);
		const struct field *f;
		const char *key;
		char *path;

		if (k == NULL || v == NULL)
			continue;
		if (k->type != YAML_SCALAR_NODE) {
			cfg_error(ld, k->start_mark, "a key must be a plain name");
			continue;
		}
		key = (const char *)k->data.scalar.value;
		for (i = 0; i < nseen; i++)
			if (strcmp(seen[i], key) == 0)
				break;
		if (i < nseen) {
			cfg_error(ld, k->start_mark, "'%s%s%s' is given twice", prefix, *prefix ? "." : "", key);
			continue;
		}
		seen = xrealloc(seen, sizeof(char *) * (size_t)(nseen + 1));
		seen[nseen++] = (char *)key;
		path = *prefix ? xasprintf("%s.%s", prefix, key) : xstrdup(key);
		if ((f = field_find(path)) != NULL) {
			/* The mark keeps a pointer to the table's own copy of the path. */
			set_field(ld, doc, f, v);
		} else if (is_section(path)) {
			if (v->type == YAML_MAPPING_NODE)
				walk(ld, doc, v, path);
			else if (!(v->type == YAML_SCALAR_NODE && v->data.scalar.length == 0))
				cfg_error(
				    ld, v->start_mark, "'%s' must be a section of keys, not %s", path, node_kind(v));
		} else {
			struct sb known = { 0 };
			const char *near = suggest(prefix, key, &known);

			if (near)
				cfg_error(ld, k->start_mark, "unknown key '%s' (did you mean '%s'?)", path, near);
			else
				cfg_error(ld, k->start_mark, "unknown key '%s' (known here: %s)", path, sb_str(&known));
			sb_free(&known);
		}
		free(path);
	}
	free(seen);
}

static void
check_range(struct loader *ld, const char *base, struct range *r)
{
	char path[128];

	if (r->min <= r->max)
		return;
	snprintf(path, sizeof path, "%s.max", base);
	cfg_error(ld, mark_of(ld, path), "%s must be at least %s.min (%ld)", path, base, r->min);
}

static void
validate(struct loader *ld)
{
	struct dg_config *c = ld->cfg;
	time_t t;
	int i;

	check_range(ld, "plan.meetings.past", &c->plan.past_meetings);
	check_range(ld, "plan.meetings.upcoming", &c->plan.upcoming_meetings);
	check_range(ld, "plan.meetings.minutes", &c->plan.minutes);
	check_range(ld, "plan.emails", &c->plan.emails);
	if (c->plan.day_end - c->plan.day_start < 3)
		cfg_error(ld, mark_of(ld, "plan.business_hours.end"),
		    "plan.business_hours must span at least 3 hours (%ld to %ld)", c->plan.day_start, c->plan.day_end);
	if (c->plan.minutes.max > (c->plan.day_end - c->plan.day_start) * 60)
		cfg_error(ld, mark_of(ld, "plan.meetings.minutes.max"),
		    "plan.meetings.minutes.max (%ld) does not fit in business hours", c->plan.minutes.max);
	if (!tz_known(c->plan.timezone))
		cfg_error(ld, mark_of(ld, "plan.timezone"),
		    "unknown time zone '%s' (expected an IANA name such as America/New_York)", c->plan.timezone);
	for (i = 0; i < c->plan.holidays.n; i++) {
		const char *h = c->plan.holidays.v[i];
		size_t n = strlen(h), k;

		for (k = 0; k < n && isupper((unsigned char)h[k]); k++)
			;
		if (strcmp(h, "auto") && strcmp(h, "none") && !((n == 2 || n == 3) && k == n) &&
		    !(n == 10 && time_parse(h, &t) == 0))
			cfg_error(ld, mark_of(ld, "plan.holidays"),
			    "plan.holidays: '%s' is not 'auto', 'none', a country code (US, GB, "
			    "JP...) or a date (YYYY-MM-DD)",
			    h);
	}
	for (i = 0; i < c->plan.domains.n; i++) {
		const char *e = c->plan.domains.v[i], *eq = strrchr(e, '=');
		if (!eq || eq == e || !strchr(eq + 1, '.') || strchr(eq + 1, '@') || strchr(eq + 1, '/'))
			cfg_error(ld, mark_of(ld, "plan.domains"),
			    "plan.domains: '%s' is not ACCOUNT=DOMAIN (an account's name or Id, then a domain such "
			    "as acme.com)",
			    e);
	}
	if (c->now && time_parse(c->now, &t) != 0)
		cfg_error(
		    ld, mark_of(ld, "now"), "'now' must be a date (YYYY-MM-DD) or an ISO 8601 time, not '%s'", c->now);
	if (c->company.name == NULL || *c->company.name == '\0')
		cfg_error(ld, mark_of(ld, "company.name"), "company.name must not be empty");
	if (c->company.products.n == 0)
		cfg_error(ld, mark_of(ld, "company.products"), "company.products must name at least one product");
}

int
config_load_file(struct dg_config *cfg, const char *path)
{
	struct loader ld = { 0 };
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	FILE *f;

	config_defaults(cfg);
	if (path == NULL)
		return 0;
	cfg->path = xstrdup(path);
	ld.file = path;
	ld.cfg = cfg;
	if ((f = fopen(path, "r")) == NULL) {
		warnx("cannot open config '%s': %s", path, strerror(errno));
		config_free(cfg);
		return -1;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	char err[1024];
	if (yaml_load_single(&parser, &doc, path, err, sizeof err) != 0) {
		warnx("%s", err);
		yaml_parser_delete(&parser);
		fclose(f);
		config_free(cfg);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	if (root != NULL) {
		if (root->type == YAML_MAPPING_NODE)
			walk(&ld, &doc, root, "");
		else if (!(root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0))
			cfg_error(
			    &ld, root->start_mark, "expected a section of keys at the top, not %s", node_kind(root));
	}
	if (ld.errors == 0)
		validate(&ld);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	if (ld.errors) {
		config_free(cfg);
		return -1;
	}
	return 0;
}

int
config_load(struct dg_config *cfg, const char *explicit_path)
{
	const char *env = getenv("DG_CONFIG");

	if (explicit_path)
		return config_load_file(cfg, explicit_path);
	if (env && *env)
		return config_load_file(cfg, env);
	if (access("demo.yaml", F_OK) == 0)
		return config_load_file(cfg, "demo.yaml");
	return config_load_file(cfg, NULL);
}

/* Quotes s for YAML when it could be read back as something else. */
static void
dump_scalar(FILE *f, const char *s)
{
	const char *p;
	int plain = *s != '\0' && !isspace((unsigned char)*s) && !strchr("-?:,[]{}#&*!|>'\"%@`", *s);

	for (p = s; *p && plain; p++)
		if (strchr(":#\"\\\n\t", *p) || (unsigned char)*p < 0x20)
			plain = 0;
	if (plain && !isspace((unsigned char)p[-1])) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if ((unsigned char)*p < 0x20)
			fprintf(f, "\\x%02x", (unsigned char)*p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

void
config_dump(const struct dg_config *cfg, FILE *f)
{
	const char *prev = "";
	size_t i;

	for (i = 0; i < NFIELDS; i++) {
		const struct field *fl = &fields[i];
		const char *path = fl->path, *a = prev, *b = path, *leaf;
		const void *p = (const char *)cfg + fl->off;
		int depth = 0, common = 0, d;

		/* Count the sections this key shares with the previous one. */
		while (1) {
			const char *da = strchr(a, '.'), *db = strchr(b, '.');

			if (!da || !db || da - a != db - b || strncmp(a, b, (size_t)(da - a)))
				break;
			common++;
			a = da + 1;
			b = db + 1;
		}
		/* Open the sections not yet open. */
		for (leaf = path, d = 0; strchr(leaf, '.'); d++) {
			const char *dot = strchr(leaf, '.');

			if (d >= common)
				fprintf(f, "%*s%.*s:\n", d * 2, "", (int)(dot - leaf), leaf);
			leaf = dot + 1;
		}
		depth = d;
		fprintf(f, "%*s%s:", depth * 2, "", leaf);
		switch (fl->type) {
		case C_INT: fprintf(f, " %ld\n", *(const long *)p); break;
		case C_NUM: fprintf(f, " %g\n", *(const double *)p); break;
		case C_STR:
		case C_ENUM:
			if (*(char *const *)p) {
				fputc(' ', f);
				dump_scalar(f, *(char *const *)p);
				fputc('\n', f);
			} else {
				fputs(" null\n", f);
			}
			break;
		case C_LIST: {
			const struct strlist *l = p;
			int k;

			fputs(l->n ? "\n" : " []\n", f);
			for (k = 0; k < l->n; k++) {
				fprintf(f, "%*s- ", depth * 2 + 2, "");
				dump_scalar(f, l->v[k]);
				fputc('\n', f);
			}
			break;
		}
		}
		prev = path;
	}
}
