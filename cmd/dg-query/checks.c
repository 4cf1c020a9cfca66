/* checks.c: the query section's values checked against the org before the query, so
 * that a typo is refused with the closest right value instead of choosing no deals. */
#include "jsonl.h"
#include "query.h"
#include "sfid.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Refuses the first of want that names[] lacks (compared without case): "what: 'x' is
 * not NOUN of this org; did you mean 'y'? (...)"; with warn_only, says so of each and
 * goes on. */
static void
unknown(const char *what, const char *noun, const char *plural, const struct strlist *want, const char **names, int n,
    int warn_only)
{
	struct sb all = { 0 };

	for (int k = 0; k < want->n; k++) {
		const char *v = want->v[k], *near;
		int have = 0;
		for (int i = 0; i < n && !have; i++)
			have = !strcasecmp(names[i], v);
		if (have)
			continue;
		for (int i = 0; i < n && i < 40; i++)
			sb_addf(&all, "%s%s", i ? ", " : ": ", names[i]);
		if (n > 40)
			sb_addf(&all, ", and %d more", n - 40);
		near = util_closest(v, names, n);
		if (!warn_only)
			diex(EXIT_USAGE, "%s: '%s' is not %s of this org%s%s%s (%s%s%s)", what, v, noun,
			    near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "",
			    n ? "its " : "it has none", n ? plural : "", n ? sb_str(&all) : "");
		warnx("%s: '%s' is not %s of this org's picklist%s%s%s: it matches only deals loaded with it", what, v,
		    noun, near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
		sb_reset(&all);
	}
	sb_free(&all);
}

/* Opportunity's describe (borrowed), asked once however many checks read it; exits 1
 * saying why when it cannot be read. */
static jv
opp_describe(struct sf *sf)
{
	static jv d;
	static int asked;
	char err[512];

	if (!asked) {
		d = sf_request(sf, "GET", "/sobjects/Opportunity/describe", NULL, NULL, err, sizeof err);
		if (!jv_is_valid(d))
			diex(EXIT_FAIL, "cannot describe Opportunity: %s", err);
		asked = 1;
	}
	return d;
}

/* query.stages and query.types against the picklists of Opportunity's describe. */
static void
check_picklists(struct sf *sf, const struct dg_config *cfg)
{
	static const struct {
		const char *field, *what, *noun;
	} lists[] = { { "StageName", "query.stages", "a stage" }, { "Type", "query.types", "an opportunity type" } };
	static const char *const plural[] = { "stages", "types" };
	jv fs;

	if (!cfg->query.stages.n && !cfg->query.types.n)
		return;
	fs = jx_get(opp_describe(sf), "fields", JV_KIND_ARRAY);
	for (size_t l = 0; l < sizeof lists / sizeof *lists; l++) {
		const struct strlist *want = l == 0 ? &cfg->query.stages : &cfg->query.types;
		jv f = jv_invalid();
		if (!want->n)
			continue;
		for (int i = 0; i < jx_len(fs); i++)
			if (jx_str(jx_at(fs, i), "name") && !strcmp(jx_str(jx_at(fs, i), "name"), lists[l].field))
				f = jx_at(fs, i);
		jv pv = jx_get(f, "picklistValues", JV_KIND_ARRAY);
		int n = jx_len(pv);
		if (n == 0) /* no picklist to hold the values against (or no describe): the query says */
			continue;
		/* Stages must be the org's (OpportunityStage); an unrestricted picklist may hold
		 * other values that data loads put there: those are only warned of. */
		int strict = l == 0 || jx_bool(f, "restrictedPicklist", 0);
		const char **names = xmalloc((size_t)n * sizeof *names);
		for (int i = 0; i < n; i++)
			names[i] = jx_str(jx_at(pv, i), "value") ? jx_str(jx_at(pv, i), "value") : "";
		unknown(lists[l].what, lists[l].noun, plural[l], want, names, n, !strict);
		free(names);
	}
}

/* The records of soql (all pages) as one array, or exits 1 saying why. */
static int
collect(jv rec, void *ctx)
{
	*(jv *)ctx = jv_array_append(*(jv *)ctx, jv_copy(rec)); /* sf_query lends rec */
	return 0;
}

static jv
all_of(struct sf *sf, const char *soql, const char *what)
{
	char err[512];
	jv recs = jv_array();

	if (sf_query(sf, soql, collect, &recs, err, sizeof err) < 0)
		diex(EXIT_FAIL, "cannot read %s: %s", what, err);
	return recs;
}

static void
check_record_types(struct sf *sf, const struct dg_config *cfg)
{
	if (!cfg->query.record_types.n)
		return;
	jv rts =
	    all_of(sf, "SELECT DeveloperName FROM RecordType WHERE SobjectType = 'Opportunity' AND IsActive = true",
		"the org's record types");
	int n = jx_len(rts);
	const char **names = xmalloc((size_t)(n + 1) * sizeof *names);
	for (int i = 0; i < n; i++)
		names[i] = jx_str(jx_at(rts, i), "DeveloperName") ? jx_str(jx_at(rts, i), "DeveloperName") : "";
	unknown("query.record_types", "an active Opportunity record type (DeveloperName)", "record types",
	    &cfg->query.record_types, names, n, 0);
	free(names);
	jv_free(rts);
}

static void
check_owners(struct sf *sf, const struct dg_config *cfg)
{
	char id[SFID_SIZE], uid[SFID_SIZE];

	if (!cfg->query.owners.n)
		return;
	jv users = all_of(sf, "SELECT Id, Name, IsActive FROM User", "the org's users");
	int n = jx_len(users);
	const char **names = xmalloc((size_t)(n + 1) * sizeof *names);
	for (int i = 0; i < n; i++)
		names[i] = jx_str(jx_at(users, i), "Name") ? jx_str(jx_at(users, i), "Name") : "";
	for (int k = 0; k < cfg->query.owners.n; k++) {
		const char *o = cfg->query.owners.v[k];
		int byid = id_norm(o, id) == 0 && !strncmp(o, "005", 3), found = -1;
		for (int i = 0; i < n && found < 0; i++) {
			const char *ui = jx_str(jx_at(users, i), "Id");
			if (byid ? ui && id_norm(ui, uid) == 0 && !strcmp(uid, id) : !strcasecmp(names[i], o))
				found = i;
		}
		if (found < 0) {
			struct strlist one = { .v = (char **)&cfg->query.owners.v[k], .n = 1 };
			if (byid)
				diex(EXIT_USAGE, "query.owners: '%s' is not a user of this org", o);
			unknown("query.owners", "a user", "users", &one, names, n, 0);
		} else if (!jx_bool(jx_at(users, found), "IsActive", 1))
			warnx("query.owners: '%s' is an inactive user: their deals get an active owner's activities "
			      "(push.inactive_owner)",
			    o);
	}
	free(names);
	jv_free(users);
}

const char *
query_scorecard_fields(struct sf *sf, const struct dg_config *cfg)
{
	static struct sb list;
	const char *pre = cfg->push.scorecard_prefix;

	if (!pre || !*pre || strcmp(cfg->push.scorecard, "fields"))
		return "";
	jv fs = jx_get(opp_describe(sf), "fields", JV_KIND_ARRAY);
	for (int i = 0; i < jx_len(fs); i++) {
		const char *name = jx_str(jx_at(fs, i), "name");
		size_t n = name ? strlen(name) : 0;
		if (n > strlen(pre) + 3 && !strncmp(name, pre, strlen(pre)) && !strcmp(name + n - 3, "__c") &&
		    (!cfg->push.tag_field || strcmp(name, cfg->push.tag_field)))
			sb_addf(&list, "%s, ", name);
	}
	return sb_str(&list);
}

void
query_check(struct sf *sf, const struct dg_config *cfg)
{
	check_picklists(sf, cfg);
	check_record_types(sf, cfg);
	check_owners(sf, cfg);
}
