/* dg-query: chooses opportunities in Salesforce and writes one deal record per
 * opportunity (opportunity, owner, account, contacts) for dg-plan. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "config.h"
#include "jsonl.h"
#include "query.h"
#include "sf.h"
#include "sfid.h"
#include "tz.h"
#include "util.h"

static const char usage[] =
    "usage: dg-query [-c FILE] [--id ID]... [--soql SOQL] [--max-opps N] [-o | --target-org ALIAS]\n"
    "       dg-query --org [-c FILE] [-o | --target-org ALIAS]\n"
    "\n"
    "Chooses the opportunities the configuration's query section names and writes one\n"
    "deal record per line: the opportunity with its owner and account, and its contacts\n"
    "with their roles (see dg(7)).\n"
    "\n"
    "  -c, --config FILE        configuration (default $DG_CONFIG, else ./demo.yaml)\n"
    "      --id ID              this opportunity (repeatable; 15 or 18 characters) instead of\n"
    "                           the configured selection\n"
    "      --soql SOQL          the whole query, used as given (select the fields of dg(7))\n"
    "      --max-opps N         at most N deals (default query.max_opps)\n"
    "  -o, --target-org ALIAS   log in as the Salesforce CLI's ALIAS\n"
    "      --org                print the org this login reaches instead (one JSON line)\n"
    "  -h, --help               show this help and exit\n"
    "      --version            show the version and exit\n";

/* Ids in one IN (...) list: 100 quoted 18-character Ids are about 2,200 bytes, far
 * under the 16,384 bytes a real org takes in a request line. */
#define ID_CHUNK 100

/* The scorecard fields the org's Opportunity has ("F, G, " or ""), set after login by
 * query_scorecard_fields: their values now are what dg reset puts back. */
static const char *scorecard_fields = "";

/* The fields of the record contract (see dg(7)); contact roles come with their contacts. */
static const char fields[] =
    "Id, Name, StageName, Amount, CloseDate, IsClosed, IsWon, Type, Probability, "
    "ForecastCategoryName, NextStep, LeadSource, OwnerId, Owner.Name, Owner.Email, "
    "Owner.TimeZoneSidKey, Owner.IsActive, AccountId, Account.Id, Account.Name, Account.Website, Account.Industry, "
    "%s(SELECT ContactId, Role, IsPrimary, Contact.FirstName, Contact.LastName, Contact.Name, "
    "Contact.Title, Contact.Email FROM OpportunityContactRoles%s ORDER BY IsPrimary DESC, CreatedDate)";

/* The condition that leaves dg's own records (the tag field set) out: what dg created
 * is planned again, not taken for the deal's own, so a rerun after any interruption
 * plans the same and finds them. "" without a tag field. */
static char *
not_dgs(const struct dg_config *cfg, const char *lead)
{
	const char *tf = cfg->push.tag_field;
	return tf && *tf ? xasprintf("%s%s = null", lead, tf) : xstrdup("");
}

/* sf_query, asked again without the tag condition (*cond emptied) when the org
 * lacks the tag field on that object: no describe call is spent on the usual case. */
static long
query_mine(struct sf *sf, const struct dg_config *cfg, char **cond, char *(*build)(const char *cond, void *arg),
    void *arg, int (*fn)(jv, void *), void *ctx, char *err, size_t errsize)
{
	char *q = build(*cond, arg);
	long n = sf_query(sf, q, fn, ctx, err, errsize);
	free(q);
	if (n < 0 && **cond && strstr(err, "INVALID_FIELD") && strstr(err, cfg->push.tag_field)) {
		warnx("the org has no '%s' here (%s); dg's own records there are not told apart", cfg->push.tag_field,
		    err);
		free(*cond);
		*cond = xstrdup("");
		q = build(*cond, arg);
		n = sf_query(sf, q, fn, ctx, err, errsize);
		free(q);
	}
	return n;
}

/* Appends " AND " when w already holds a condition. */
static void and (struct sb * w)
{
	if (w->len)
		sb_add(w, " AND ");
}

/* Appends "FIELD IN ('a', 'b')" (or NOT IN) with every value quoted by sf_quote. */
static void
in_expr(struct sb *w, const char *field, const char *op, char **v, int n)
{
	sb_addf(w, "%s %s (", field, op);
	for (int i = 0; i < n; i++) {
		char *q = sf_quote(v[i]);
		sb_addf(w, "%s%s", i ? ", " : "", q);
		free(q);
	}
	sb_add(w, ")");
}

static void
in_list(struct sb *w, const char *field, const char *op, char **v, int n)
{
	and(w);
	in_expr(w, field, op, v, n);
}

static void
check_ids(char **v, int n, const char *what)
{
	char id[SFID_SIZE];
	for (int i = 0; i < n; i++)
		if (id_norm(v[i], id) != 0 || strncmp(id, "006", 3))
			diex(EXIT_USAGE, "%s '%s': not an opportunity Id (15 or 18 characters starting 006)", what,
			    v[i]);
}

/* A close date bound: a date (2026-01-31) or a date literal (THIS_QUARTER, LAST_N_DAYS:90). */
static void
check_date(const char *s, const char *what)
{
	int y, m, d;
	char extra;
	if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) == 3 && strlen(s) == 10)
		return;
	size_t k = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
	if (k && (!s[k] || (s[k] == ':' && s[k + 1] && strspn(s + k + 1, "0123456789") == strlen(s + k + 1))))
		return;
	diex(EXIT_USAGE, "%s '%s': expected YYYY-MM-DD or a SOQL date literal such as LAST_N_DAYS:90", what, s);
}

static char *
build_soql(const struct dg_config *c, const char *roles_where, char **ids, int nids, long cap)
{
	struct sb w = { 0 };
	const struct strlist *ex = &c->query.exclude_ids;
	if (nids) {
		in_list(&w, "Id", "IN", ids, nids);
	} else {
		if (c->query.stages.n)
			in_list(&w, "StageName", "IN", c->query.stages.v, c->query.stages.n);
		if (c->query.types.n)
			in_list(&w, "Type", "IN", c->query.types.v, c->query.types.n);
		if (c->query.record_types.n)
			in_list(&w, "RecordType.DeveloperName", "IN", c->query.record_types.v, c->query.record_types.n);
		if (c->query.owners.n) {
			/* Owners by Id or by name: (OwnerId IN (...) OR Owner.Name IN (...)). */
			char **byid = xcalloc((size_t)c->query.owners.n, sizeof *byid);
			char **byname = xcalloc((size_t)c->query.owners.n, sizeof *byname);
			int ni = 0, nn = 0;
			char id[SFID_SIZE];
			for (int i = 0; i < c->query.owners.n; i++) {
				char *o = c->query.owners.v[i];
				if (id_norm(o, id) == 0 && !strncmp(o, "005", 3))
					byid[ni++] = o;
				else
					byname[nn++] = o;
			}
			and(&w);
			sb_add(&w, "(");
			if (ni)
				in_expr(&w, "OwnerId", "IN", byid, ni);
			if (ni && nn)
				sb_add(&w, " OR ");
			if (nn)
				in_expr(&w, "Owner.Name", "IN", byname, nn);
			sb_add(&w, ")");
			free(byid);
			free(byname);
		}
		if (c->query.close_from) {
			check_date(c->query.close_from, "query.close_date.from");
			sb_addf(&w, "%sCloseDate >= %s", w.len ? " AND " : "", c->query.close_from);
		}
		if (c->query.close_to) {
			check_date(c->query.close_to, "query.close_date.to");
			sb_addf(&w, "%sCloseDate <= %s", w.len ? " AND " : "", c->query.close_to);
		}
		if (c->query.min_amount > 0)
			sb_addf(&w, "%sAmount >= %.2f", w.len ? " AND " : "", c->query.min_amount);
		if (c->query.where && *c->query.where)
			sb_addf(&w, "%s(%s)", w.len ? " AND " : "", c->query.where);
	}
	if (ex->n) {
		check_ids(ex->v, ex->n, "query.exclude_ids:");
		in_list(&w, "Id", "NOT IN", ex->v, ex->n);
	}
	char *f = xasprintf(fields, scorecard_fields, roles_where);
	char *q = xasprintf("SELECT %s FROM Opportunity%s%s ORDER BY CloseDate, Id LIMIT %ld", f,
	    w.len ? " WHERE " : "", sb_str(&w), cap + 1);
	free(f);
	sb_free(&w);
	return q;
}

struct opp_q {
	const struct dg_config *cfg;
	char **ids;
	int nids;
	long cap;
};

static char *
opp_soql(const char *cond, void *arg)
{
	struct opp_q *o = arg;
	return build_soql(o->cfg, cond, o->ids, o->nids, o->cap);
}

/* Says once per owner of the chosen deals whose email ends in ".invalid": a sandbox
 * refresh appends it to every user's email, and People.ai cannot match their activity
 * to them. */
static void
warn_invalid_emails(jv opps, int n)
{
	jv seen = jv_object();
	for (int i = 0; i < n; i++) {
		jv o = jx_at(opps, i);
		jv owner = jx_get(o, "Owner", JV_KIND_OBJECT);
		const char *id = jx_str(o, "OwnerId"), *email = jx_str(owner, "Email");
		size_t l = email ? strlen(email) : 0;
		if (!id || l < 8 || strcasecmp(email + l - 8, ".invalid") ||
		    jv_object_has(jv_copy(seen), jv_string(id)))
			continue;
		seen = jv_object_set(seen, jv_string(id), jv_true());
		warnx(
		    "the owner %s (%s) has the email '%s': a sandbox refresh appends '.invalid' to users' emails, and "
		    "People.ai cannot match their activity to them; remove it in Setup > Users",
		    jx_str(owner, "Name") ? jx_str(owner, "Name") : "?", id, email);
	}
	jv_free(seen);
}

/* Drops "attributes" everywhere in v (consumed). */
static jv
strip(jv v)
{
	if (jv_get_kind(v) == JV_KIND_ARRAY) {
		jv out = jv_array();
		jv_array_foreach(v, i, x) out = jv_array_append(out, strip(x));
		jv_free(v);
		return out;
	}
	if (jv_get_kind(v) != JV_KIND_OBJECT)
		return v;
	jv out = jv_object();
	jv_object_foreach(v, k, x)
	{
		if (strcmp(jv_string_value(k), "attributes"))
			out = jv_object_set(out, k, strip(x));
		else {
			jv_free(k);
			jv_free(x);
		}
	}
	jv_free(v);
	return out;
}

struct ctx {
	jv opps; /* the opportunities as the org returned them */
};

static int
keep(jv rec, void *arg)
{
	struct ctx *c = arg;
	c->opps = jv_array_append(c->opps, jv_copy(rec));
	return 0;
}

/* The opportunities asked for by --id, ID_CHUNK Ids a query when there are more (a
 * request line over 16,384 bytes is refused), merged in the query's own order
 * (CloseDate, then Id); without --id, the one query. */
static long
query_opps(struct sf *sf, const struct dg_config *cfg, char **cond, const struct opp_q *oq, struct ctx *ctx, char *err,
    size_t errsize)
{
	struct opp_q part = *oq;
	if (oq->nids <= ID_CHUNK)
		return query_mine(sf, cfg, cond, opp_soql, &part, keep, ctx, err, errsize);
	long total = 0;
	for (int from = 0; from < oq->nids; from += ID_CHUNK) {
		part.ids = oq->ids + from;
		part.nids = oq->nids - from < ID_CHUNK ? oq->nids - from : ID_CHUNK;
		long n = query_mine(sf, cfg, cond, opp_soql, &part, keep, ctx, err, errsize);
		if (n < 0)
			return n;
		total += n;
	}
	jv keys = jv_array();
	for (int i = 0; i < jx_len(ctx->opps); i++) {
		jv o = jx_at(ctx->opps, i);
		jv cd = jv_object_get(jv_copy(o), jv_string("CloseDate"));
		keys = jv_array_append(keys, JV_ARRAY(jv_is_valid(cd) ? cd : jv_null(), jv_string(jx_str(o, "Id"))));
	}
	ctx->opps = jv_sort(ctx->opps, keys);
	return total;
}

static jv
contact(jv c, jv role)
{
	jv o = jv_object();
	const char *keys[] = { "Id", "FirstName", "LastName", "Name", "Title", "Email" };
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		jv v = jv_object_get(jv_copy(c), jv_string(keys[i]));
		o = jv_object_set(o, jv_string(keys[i]), jv_is_valid(v) ? v : (jv_free(v), jv_null()));
	}
	const char *r = jx_str(role, "Role");
	o = jx_set_str(o, "Role", r);
	o = jv_object_set(o, jv_string("IsPrimary"), jv_bool(jx_bool(role, "IsPrimary", 0)));
	return o;
}

/* Appends to ids the strings list[from .. from + ID_CHUNK), quoted and comma-separated: one
 * chunk of an IN (...) list (a SOQL query is kept well under the URL limits). */
static void
quote_chunk(struct sb *ids, jv list, int from)
{
	for (int i = from; i < jx_len(list) && i < from + ID_CHUNK; i++) {
		char *q = sf_quote(jx_cstr(jx_at(list, i)));
		sb_addf(ids, "%s%s", i > from ? ", " : "", q);
		free(q);
	}
}

/* A row of the opportunity query as dg-plan needs it, or the reason it is not. */
static const char *
opp_problem(jv o)
{
	char id[SFID_SIZE];
	const char *s = jx_str(o, "Id");
	if (!s || id_norm(s, id) != 0 || strncmp(id, "006", 3))
		return "has no opportunity Id";
	if (!jx_str(o, "Name") || !jx_str(o, "StageName"))
		return "has no Name or StageName";
	jv ocr = jv_object_get(jv_copy(o), jv_string("OpportunityContactRoles"));
	int ok =
	    !jv_is_valid(ocr) || jv_get_kind(ocr) == JV_KIND_NULL || jv_is_valid(jx_get(ocr, "records", JV_KIND_ARRAY));
	jv_free(ocr);
	if (!ok)
		return "has contact roles that are not a list of records";
	jv roles = jx_get(jx_get(o, "OpportunityContactRoles", JV_KIND_OBJECT), "records", JV_KIND_ARRAY);
	for (int k = 0; k < jx_len(roles); k++)
		if (jv_get_kind(jx_at(roles, k)) != JV_KIND_OBJECT || !jx_str(jx_at(roles, k), "ContactId"))
			return "has a contact role without a ContactId";
	return NULL;
}

/* Every row of build's query over ids, 100 Ids a query: before each, *list points at
 * that chunk's quoted Ids (a field of arg). Dies saying what could not be read. */
static jv
query_ids(struct sf *sf, const struct dg_config *cfg, char **cond, jv ids, char *(*build)(const char *cond, void *arg),
    void *arg, const char **list, const char *what)
{
	struct ctx c = { jv_array() };
	for (int from = 0; from < jx_len(ids); from += ID_CHUNK) {
		struct sb q = { 0 };
		char err[1024];
		quote_chunk(&q, ids, from);
		*list = sb_str(&q);
		if (query_mine(sf, cfg, cond, build, arg, keep, &c, err, sizeof err) < 0)
			diex(EXIT_FAIL, "cannot read %s: %s", what, err);
		sb_free(&q);
	}
	*list = NULL;
	return c.opps;
}

/* Contacts of the accounts whose deals have no contact roles, at most per_account each,
 * read in chunks of 100 accounts. Returns {AccountId: [contact, ...]}. */
struct contacts_q {
	const char *ids;
};

static char *
contacts_soql(const char *cond, void *arg)
{
	struct contacts_q *c = arg;
	return xasprintf("SELECT Id, FirstName, LastName, Name, Title, Email, AccountId FROM Contact "
			 "WHERE AccountId IN (%s)%s ORDER BY AccountId, CreatedDate, Id",
	    c->ids, cond);
}

static jv
account_contacts(struct sf *sf, const struct dg_config *cfg, jv accts, long per_account)
{
	char *cond = not_dgs(cfg, " AND ");
	jv out = jv_object();
	struct contacts_q cq = { NULL };
	jv rows = per_account > 0
	    ? query_ids(sf, cfg, &cond, accts, contacts_soql, &cq, &cq.ids, "the accounts' contacts")
	    : jv_array();
	jv_array_foreach(rows, i, ct)
	{
		const char *a = jx_str(ct, "AccountId"), *id = jx_str(ct, "Id");
		if (!a || !id)
			diex(EXIT_FAIL, "cannot read the accounts' contacts: the org's answer has a contact without %s",
			    id ? "an AccountId" : "an Id");
		jv list = jv_object_get(jv_copy(out), jv_string(a));
		if (!jv_is_valid(list))
			list = jv_array();
		if (jv_array_length(jv_copy(list)) < per_account)
			list = jv_array_append(list, contact(ct, jv_invalid()));
		out = jv_object_set(out, jv_string(a), list);
		jv_free(ct);
		(void)i;
	}
	jv_free(rows);
	free(cond);
	return out;
}

struct busy_q {
	const char *owners;
	char from[32], to[32];
};

static char *
busy_soql(const char *cond, void *arg)
{
	struct busy_q *b = arg;
	return xasprintf("SELECT OwnerId, StartDateTime, EndDateTime FROM Event WHERE OwnerId IN (%s) "
			 "AND StartDateTime >= %s AND StartDateTime < %s%s ORDER BY StartDateTime, Id",
	    b->owners, b->from, b->to, cond);
}

/* The owners' Events in the planning window that dg did not make (the tag field unset,
 * where the org has it): their busy time, which dg-plan plans around. Returns
 * {OwnerId: [[start, end], ...]} with Ids as the org gives them. */
static jv
owners_busy(struct sf *sf, const struct dg_config *cfg, time_t now, jv opps, int n)
{
	jv owners = jv_object(), out = jv_object();
	for (int i = 0; i < n; i++)
		if (jx_str(jx_at(opps, i), "OwnerId"))
			owners = jv_object_set(owners, jv_string(jx_str(jx_at(opps, i), "OwnerId")), jv_true());
	jv keys = jv_keys(owners); /* consumes owners */
	char *cond = not_dgs(cfg, " AND ");
	struct busy_q b;
	time_iso(now - cfg->plan.past_days * DAY_SECONDS, b.from);
	time_iso(now + (cfg->plan.future_days + 21) * DAY_SECONDS, b.to);
	jv rows = query_ids(sf, cfg, &cond, keys, busy_soql, &b, &b.owners, "the owners' calendars");
	jv_array_foreach(rows, i, ev)
	{
		const char *o = jx_str(ev, "OwnerId"), *s = jx_str(ev, "StartDateTime"), *e = jx_str(ev, "EndDateTime");
		if (o && s && e) {
			jv l = jv_object_get(jv_copy(out), jv_string(o));
			if (!jv_is_valid(l))
				l = jv_array();
			l = jv_array_append(
			    l, jv_array_append(jv_array_append(jv_array(), jv_string(s)), jv_string(e)));
			out = jv_object_set(out, jv_string(o), l);
		}
		jv_free(ev);
		(void)i;
	}
	jv_free(rows);
	free(cond);
	jv_free(keys);
	return out;
}

/* Whether user u is named in list (by Id, Email or Name), or, when the list is empty,
 * has a title with one of words. */
static int
team_match(jv u, const struct strlist *list, const char *const *words)
{
	const char *id = jx_str(u, "Id"), *em = jx_str(u, "Email"), *nm = jx_str(u, "Name"), *t = jx_str(u, "Title");
	for (int i = 0; i < list->n; i++)
		if ((id && !strncmp(id, list->v[i], 15)) || (em && !strcasecmp(em, list->v[i])) ||
		    (nm && !strcasecmp(nm, list->v[i])))
			return 1;
	for (int i = 0; !list->n && t && words[i]; i++)
		if (strcasestr(t, words[i]))
			return 1;
	return 0;
}

/* The org's active people (one query a run): who can join a rep's meetings. */
static jv
users_fetch(struct sf *sf)
{
	struct ctx c = { jv_array() };
	char err[1024];
	if (sf_query(sf,
		"SELECT Id, Name, Title, Email, ManagerId FROM User WHERE IsActive = true "
		"ORDER BY Id LIMIT 2000",
		keep, &c, err, sizeof err) < 0) {
		warnx("cannot read the org's users (%s); meetings will have the rep alone", err);
		jv_free(c.opps);
		return jv_array();
	}
	return c.opps;
}

static jv
seller(jv u, const char *role)
{
	jv o = jv_object();
	o = jx_set_str(o, "Id", jx_str(u, "Id"));
	o = jx_set_str(o, "Name", jx_str(u, "Name"));
	o = jx_set_str(o, "Title", jx_str(u, "Title"));
	o = jx_set_str(o, "Email", jx_str(u, "Email"));
	return jx_set_str(o, "Role", role);
}

/* The org's people who can join any rep's meetings, worked out once a run: the sales
 * engineers and the executives (plan.team, else by title), at most eight of each, in
 * Id order. */
static jv
team_of(const struct dg_config *cfg, jv users)
{
	static const char *const se[] = { "sales engineer", "solutions engineer", "solution engineer",
		"solutions consultant", "solution consultant", "presales", "pre-sales", "solutions architect", NULL };
	static const char *const ex[] = { "vp", "vice president", "chief", "cro", "head of sales", "svp", NULL };
	jv out = jv_array();
	int nse = 0, nex = 0;
	for (int i = 0; i < jx_len(users); i++) {
		jv u = jx_at(users, i);
		if (!jx_str(u, "Id"))
			continue;
		if (nse < 8 && team_match(u, &cfg->plan.sales_engineers, se) && ++nse)
			out = jv_array_append(out, seller(u, "sales_engineer"));
		else if (nex < 8 && team_match(u, &cfg->plan.executives, ex) && ++nex)
			out = jv_array_append(out, seller(u, "executive"));
	}
	return out;
}

/* The org's users by their 15-character Id: {id15: index in users}. */
static jv
users_index(jv users)
{
	jv ix = jv_object();
	for (int i = 0; i < jx_len(users); i++)
		if (jx_str(jx_at(users, i), "Id"))
			ix = jv_object_set(ix, jv_string_sized(jx_str(jx_at(users, i), "Id"), 15), jv_number(i));
	return ix;
}

/* The user whose Id is id (15 or 18 characters), or invalid. */
static jv
user_by_id(jv users, jv ix, const char *id)
{
	if (!id || strlen(id) < 15)
		return jv_invalid();
	jv at = jv_object_get(jv_copy(ix), jv_string_sized(id, 15));
	int i = jv_is_valid(at) ? (int)jv_number_value(at) : -1;
	jv_free(at);
	return i < 0 ? jv_invalid() : jx_at(users, i);
}

/* The seller's side of one deal: the owner's manager (User.ManagerId), then the team
 * but the owner. */
static jv
sellers(jv users, jv ix, jv team, const char *owner)
{
	jv out = jv_array();
	const char *mgr = jx_str(user_by_id(users, ix, owner), "ManagerId");
	jv m = user_by_id(users, ix, mgr);
	if (jv_is_valid(m))
		out = jv_array_append(out, seller(m, "manager"));
	for (int i = 0; i < jx_len(team); i++) {
		const char *id = jx_str(jx_at(team, i), "Id");
		if ((owner && !strncmp(id, owner, 15)) || (mgr && !strncmp(id, mgr, 15)))
			continue;
		out = jv_array_append(out, jv_copy(jx_at(team, i)));
	}
	return out;
}

/* The accounts of the deals without contact roles (they get their account's
 * contacts), sorted, each once. */
static jv
accounts_without_roles(jv opps, int n)
{
	jv seen = jv_object();
	for (int i = 0; i < n; i++) {
		jv o = jx_at(opps, i);
		const char *a = jx_str(o, "AccountId");
		if (a &&
		    !jx_len(jx_get(jx_get(o, "OpportunityContactRoles", JV_KIND_OBJECT), "records", JV_KIND_ARRAY)))
			seen = jv_object_set(seen, jv_string(a), jv_true());
	}
	return jv_keys(seen);
}

/* What a deal record gets from around it: its account's contacts, its owner's busy
 * times, the seller's side. */
struct around {
	jv byacct, busy, users, team, ix;
};

/* One deal record from an opportunity row o (consumed): the opportunity, its contacts
 * (its contact roles', else its account's), the owner's busy times and the sellers. */
static jv
deal_record(jv o, const struct around *ar)
{
	jv roles = jx_get(jx_get(o, "OpportunityContactRoles", JV_KIND_OBJECT), "records", JV_KIND_ARRAY);
	jv cs = jv_array();
	for (int k = 0; k < jx_len(roles); k++) {
		jv r = jx_at(roles, k);
		jv ct = jx_get(r, "Contact", JV_KIND_OBJECT);
		jv base = jv_is_valid(ct) ? jv_copy(ct) : jv_object();
		base = jv_object_set(
		    base, jv_string("Id"), jv_string(jx_str(r, "ContactId") ? jx_str(r, "ContactId") : ""));
		cs = jv_array_append(cs, contact(base, r));
		jv_free(base);
	}
	if (!jx_len(roles) && jx_str(o, "AccountId")) {
		jv l = jv_object_get(jv_copy(ar->byacct), jv_string(jx_str(o, "AccountId")));
		if (jv_is_valid(l))
			cs = jv_array_concat(cs, l);
		else
			jv_free(l);
	}
	o = jv_object_delete(o, jv_string("OpportunityContactRoles"));
	jv rec = jv_object_set(jv_object(), jv_string("opportunity"), strip(o));
	rec = jv_object_set(rec, jv_string("contacts"), cs);
	const char *owner = jx_str(jx_get(rec, "opportunity", JV_KIND_OBJECT), "OwnerId");
	jv ob = owner ? jv_object_get(jv_copy(ar->busy), jv_string(owner)) : jv_invalid();
	if (jv_is_valid(ob))
		rec = jv_object_set(rec, jv_string("owner_busy"), ob);
	else
		jv_free(ob);
	jv side = sellers(ar->users, ar->ix, ar->team, owner);
	if (jx_len(side))
		rec = jv_object_set(rec, jv_string("sellers"), side);
	else
		jv_free(side);
	return rec;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "id", required_argument, NULL, 'i' },
		{ "soql", required_argument, NULL, 's' },
		{ "max-opps", required_argument, NULL, 'm' },
		{ "target-org", required_argument, NULL, 'o' },
		{ "org", no_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { 0 };
	const char *soql = NULL, *target = NULL, *maxs = NULL;
	char **ids = xcalloc((size_t)argc + 1, sizeof *ids);
	int nids = 0, c, org = 0;
	util_init(argv[0]);
	util_stream_errors();
	while ((c = getopt_long(argc, argv, "c:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cli.config = optarg; break;
		case 'i': ids[nids++] = optarg; break;
		case 's': soql = optarg; break;
		case 'm': maxs = optarg; break;
		case 'o': target = optarg; break;
		case 'O': org = 1; break;
		case 'h': cli_usage(usage, 0);
		case 'V': cli_version();
		default: cli_usage(usage, 1);
		}
	}
	if (optind < argc) {
		warnx("unexpected argument '%s'", argv[optind]);
		cli_usage(usage, 1);
	}
	struct dg_config cfg;
	time_t now;
	cli_setup(&cli, &cfg, &now);
	long cap = cfg.query.max_opps;
	if (maxs && parse_long(maxs, 1, 1000000, &cap) != 0)
		diex(EXIT_USAGE, "--max-opps '%s': expected a number from 1 to 1000000", maxs);
	check_ids(ids, nids, "--id");
	if (soql && nids)
		diex(EXIT_USAGE, "--soql and --id cannot be used together");
	/* The query is built (and the config's values checked) before any login. */
	char *roles_where = org || soql ? xstrdup("") : not_dgs(&cfg, " WHERE ");
	char *q = soql ? xstrdup(soql) : build_soql(&cfg, roles_where, ids, nids, cap);
	struct opp_q oq = { &cfg, ids, nids, cap };
	struct sf sf;
	cli_sf_open(&cfg, target, &sf);
	if (org) {
		jsonl_emit(strip(cli_sf_org(&sf)));
		sf_close(&sf);
		free(q);
		free(roles_where);
		free(ids);
		config_free(&cfg);
		return stdout_close() ? EXIT_FAIL : EXIT_OK;
	}
	if (!soql) {
		query_check(&sf, &cfg);
		scorecard_fields = query_scorecard_fields(&sf, &cfg);
	}
	struct ctx ctx = { jv_array() };
	char err[1024];
	if ((soql ? sf_query(&sf, q, keep, &ctx, err, sizeof err)
		  : query_opps(&sf, &cfg, &roles_where, &oq, &ctx, err, sizeof err)) < 0) {
		diex(EXIT_FAIL, "cannot query opportunities: %s", err);
	}
	int n = jx_len(ctx.opps);
	for (int i = 0; !soql && i < n; i++) {
		const char *why = opp_problem(jx_at(ctx.opps, i));
		if (why)
			diex(EXIT_FAIL, "cannot query opportunities: the org's answer is malformed: row %d %s", i + 1,
			    why);
	}
	if (n > cap) {
		warnx("more than %ld opportunities match; taking the first %ld (raise --max-opps or query.max_opps)",
		    cap, cap);
		ctx.opps = jv_array_slice(ctx.opps, 0, (int)cap);
		n = (int)cap;
	}
	warn_invalid_emails(ctx.opps, n);
	jv need = accounts_without_roles(ctx.opps, n);
	jv byacct = account_contacts(&sf, &cfg, need, cfg.query.account_contacts);
	jv_free(need);
	struct around ar;
	ar.byacct = byacct;
	ar.busy = soql ? jv_object() : owners_busy(&sf, &cfg, now, ctx.opps, n);
	ar.users = n ? users_fetch(&sf) : jv_array();
	ar.team = team_of(&cfg, ar.users);
	ar.ix = users_index(ar.users);
	long ncontacts = 0;
	for (int i = 0; i < n; i++) {
		jv rec = deal_record(jv_copy(jx_at(ctx.opps, i)), &ar);
		ncontacts += jx_len(jx_get(rec, "contacts", JV_KIND_ARRAY));
		jsonl_emit(rec);
	}
	warnx("%d opportunities, %ld contacts", n, ncontacts);
	cli_sf_report(&sf);
	jv_free(ar.byacct);
	jv_free(ar.busy);
	jv_free(ar.users);
	jv_free(ar.team);
	jv_free(ar.ix);
	jv_free(ctx.opps);
	sf_close(&sf);
	free(q);
	free(roles_where);
	free(ids);
	config_free(&cfg);
	return stdout_close() ? EXIT_FAIL : EXIT_OK;
}
