/* rules.c: what a real org checks on a write, before anything is stored: field types
 * and lengths, required fields and picklists, the derived fields it sets (Name,
 * times, an activity's account), Events' own rules, and the failures injected with
 * --fail-when. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonl.h"
#include "sandbox.h"
#include "tz.h"

/* ---- injected per-record failures (--fail-when) ---- */

struct failwhen {
	char *field, *value, *code;
};
static struct failwhen *fails;
static int nfails;

int
rules_fail_when(const char *spec)
{
	const char *eq = strchr(spec, '=');
	if (!eq || eq == spec ||
	    strspn(spec, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != (size_t)(eq - spec))
		return -1;
	fails = xrealloc(fails, (size_t)(nfails + 1) * sizeof *fails);
	struct failwhen *w = &fails[nfails++];
	w->field = xstrndup(spec, (size_t)(eq - spec));
	const char *colon = strrchr(eq + 1, ':');
	if (colon && colon[1] && strspn(colon + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == strlen(colon + 1)) {
		w->value = xstrndup(eq + 1, (size_t)(colon - eq - 1));
		w->code = xstrdup(colon + 1);
	} else {
		w->value = xstrdup(eq + 1);
		w->code = xstrdup("FIELD_CUSTOM_VALIDATION_EXCEPTION");
	}
	return 0;
}

void
rules_fail_clear(void)
{
	for (int i = 0; i < nfails; i++) {
		free(fails[i].field);
		free(fails[i].value);
		free(fails[i].code);
	}
	free(fails);
	fails = NULL;
	nfails = 0;
}

jv
rules_fail_list(void)
{
	jv a = jv_array();
	for (int i = 0; i < nfails; i++)
		a = jv_array_append(a, jv_string_fmt("%s=%s:%s", fails[i].field, fails[i].value, fails[i].code));
	return a;
}

/* ---- validation ---- */

static size_t
utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static int
valid_date(const char *s)
{
	int y, m, d;
	char extra;
	return strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) == 3 && m >= 1 && m <= 12 && d >= 1 &&
	    d <= 31;
}

/* Converts one incoming value to what the record stores, or explains (in *why) why it
 * cannot be read as the field's type. Consumes v. */
static jv
coerce(const struct field *f, jv v, char **why)
{
	jv_kind k = jv_get_kind(v);
	char buf[32];
	if (k == JV_KIND_NULL)
		return v;
	if (ftype_is_text(f->type)) {
		if (k == JV_KIND_STRING)
			return v;
		if (k == JV_KIND_NUMBER && f->type != F_REFERENCE && f->type != F_ID) {
			jv s = jv_dump_string(v, 0);
			return s;
		}
	} else if (ftype_is_number(f->type)) {
		if (k == JV_KIND_NUMBER) {
			double d = jv_number_value(v);
			/* Checked before the cast: a double past long long's range has none. */
			if (f->type == F_INT && (!(fabs(d) < 9.2e18) || d != (double)(long long)d)) {
				jv_free(v);
				*why = xasprintf("Cannot deserialize instance of int from %s",
				    fabs(d) < 9.2e18 ? "a fraction" : "a number out of range");
				return jv_invalid();
			}
			return v;
		}
		if (k == JV_KIND_STRING) {
			char *end;
			double d = strtod(jv_string_value(v), &end);
			if (*jv_string_value(v) && !*end) {
				jv_free(v);
				return jv_number(d);
			}
		}
	} else if (f->type == F_BOOLEAN) {
		if (k == JV_KIND_TRUE || k == JV_KIND_FALSE)
			return v;
		if (k == JV_KIND_STRING &&
		    (!strcasecmp(jv_string_value(v), "true") || !strcasecmp(jv_string_value(v), "false"))) {
			int b = !strcasecmp(jv_string_value(v), "true");
			jv_free(v);
			return jv_bool(b);
		}
	} else if (f->type == F_DATE && k == JV_KIND_STRING) {
		const char *s = jv_string_value(v);
		time_t t;
		if (valid_date(s))
			return v;
		if (strlen(s) > 10 && time_parse(s, &t) == 0) {
			jv_free(v);
			return jv_string(time_date(t, buf));
		}
	} else if (f->type == F_DATETIME && k == JV_KIND_STRING) {
		time_t t;
		if (time_parse(jv_string_value(v), &t) == 0) {
			jv_free(v);
			return jv_string(fmt_dt(t, buf));
		}
	}
	jv s = jv_dump_string(jv_copy(v), 0);
	*why =
	    xasprintf("Cannot deserialize instance of %s from %s value %s or request may be missing a required field",
		ftype_name(f->type),
		k == JV_KIND_STRING       ? "VALUE_STRING"
		    : k == JV_KIND_NUMBER ? "VALUE_NUMBER"
		    : k == JV_KIND_ARRAY  ? "START_ARRAY"
		    : k == JV_KIND_OBJECT ? "START_OBJECT"
					  : "VALUE_TRUE",
		jv_string_value(s));
	jv_free(s);
	jv_free(v);
	return jv_invalid();
}

/* Reads the incoming fields of a write into a clean object, or fails the whole request
 * (an unknown field or a value of the wrong type is refused before any record is
 * looked at, as the real API's deserializer does). Returns the fields, or jv_invalid()
 * with *err set to {errorCode, message} for the request. */
jv
rules_read(struct obj *o, jv in, jv *err)
{
	jv out = jv_object();
	if (jv_get_kind(in) != JV_KIND_OBJECT) {
		*err = sf_err1(
		    "JSON_PARSER_ERROR", NULL, "Cannot deserialize instance of %s from non-object value", o->name);
		jv_free(out);
		return jv_invalid();
	}
	jv_object_foreach(in, k, v)
	{
		const char *name = jv_string_value(k);
		struct field *f = strcmp(name, "attributes") ? schema_field(o, name) : NULL;
		if (!strcmp(name, "attributes")) {
			jv_free(v);
		} else if (!f) {
			*err =
			    sf_err1("INVALID_FIELD", NULL, "No such column '%s' on sobject of type %s", name, o->name);
			jv_free(v);
			jv_free(k);
			jv_free(out);
			return jv_invalid();
		} else {
			char *why = NULL;
			jv c = coerce(f, v, &why);
			if (!jv_is_valid(c)) {
				*err = sf_err1("JSON_PARSER_ERROR", NULL, "%s", why);
				free(why);
				jv_free(k);
				jv_free(out);
				return jv_invalid();
			}
			out = jv_object_set(out, jv_copy(f->key), c);
		}
		jv_free(k);
	}
	return out;
}

static const struct stage {
	const char *name;
	int prob, closed, won;
	const char *forecast;
} stages[] = {
	{ "Prospecting", 10, 0, 0, "Pipeline" },
	{ "Qualification", 10, 0, 0, "Pipeline" },
	{ "Needs Analysis", 20, 0, 0, "Pipeline" },
	{ "Value Proposition", 50, 0, 0, "Pipeline" },
	{ "Id. Decision Makers", 60, 0, 0, "Pipeline" },
	{ "Perception Analysis", 70, 0, 0, "Pipeline" },
	{ "Proposal/Price Quote", 75, 0, 0, "Pipeline" },
	{ "Negotiation/Review", 90, 0, 0, "Commit" },
	{ "Closed Won", 100, 1, 1, "Closed" },
	{ "Closed Lost", 0, 1, 0, "Omitted" },
};

static jv
set_name(jv rec)
{
	const char *fn = jx_str(rec, "FirstName"), *ln = jx_str(rec, "LastName");
	char *n = xasprintf("%s%s%s", fn ? fn : "", fn && *fn ? " " : "", ln ? ln : "");
	rec = jv_object_set(rec, jv_string("Name"), jv_string(n));
	free(n);
	return rec;
}

static jv
set_time(jv rec, const char *k, time_t t)
{
	char buf[32];
	return jv_object_set(rec, jv_string(k), jv_string(fmt_dt(t, buf)));
}

/* The Account an activity belongs to: the What's account, else the Who's. */
static jv
activity_account(jv rec)
{
	const char *ids[2] = { jx_str(rec, "WhatId"), jx_str(rec, "WhoId") };
	jv acct = jv_null();
	for (int i = 0; i < 2 && jv_get_kind(acct) == JV_KIND_NULL; i++) {
		if (!ids[i])
			continue;
		if (!strncmp(ids[i], "001", 3)) {
			acct = jv_string(ids[i]);
			break;
		}
		jv p = store_get(ids[i], NULL);
		if (jv_is_valid(p) && jx_str(p, "AccountId"))
			acct = jv_string(jx_str(p, "AccountId"));
		jv_free(p);
	}
	return jv_object_set(rec, jv_string("AccountId"), acct);
}

static int
get_time(jv rec, const char *k, time_t *t)
{
	const char *s = jx_str(rec, k);
	return s && time_parse(s, t) == 0;
}

/* Event times: Start with End or Duration, in agreement, within one day. Appends a
 * problem to *errs, or fills EndDateTime, DurationInMinutes and the activity dates. */
#define EFAIL(code, field, msg) \
	do { \
		*errs = jv_array_concat(*errs, sf_err1(code, field, "%s", msg)); \
		return rec; \
	} while (0)
static jv
event_rules(jv rec, jv *errs)
{
	time_t start, end, adt;
	int has_start = get_time(rec, "StartDateTime", &start);
	int has_end = get_time(rec, "EndDateTime", &end);
	jv dur = jx_get(rec, "DurationInMinutes", JV_KIND_NUMBER);
	int has_dur = jv_is_valid(dur);
	long minutes = has_dur ? (long)jv_number_value(dur) : 0;
	int allday = jx_bool(rec, "IsAllDayEvent", 0);
	char buf[32];

	if (!has_start && get_time(rec, "ActivityDateTime", &adt)) {
		start = adt;
		has_start = 1;
		rec = set_time(rec, "StartDateTime", start);
	}
	if (!has_start && allday && jx_str(rec, "ActivityDate") && time_parse(jx_str(rec, "ActivityDate"), &adt) == 0) {
		start = adt;
		has_start = 1;
		rec = set_time(rec, "StartDateTime", start);
	}
	if (!has_start)
		EFAIL("REQUIRED_FIELD_MISSING", "StartDateTime", "Required fields are missing: [StartDateTime]");
	if (get_time(rec, "ActivityDateTime", &adt) && adt != start)
		EFAIL("FIELD_INTEGRITY_EXCEPTION", "ActivityDateTime",
		    "Activity date time must match the start date time: ActivityDateTime");
	if (!has_end && !has_dur) {
		if (!allday)
			EFAIL("REQUIRED_FIELD_MISSING", "DurationInMinutes",
			    "Required fields are missing: [DurationInMinutes]");
		minutes = 1440;
		has_dur = 1;
	}
	if (has_end && end < start)
		EFAIL("FIELD_INTEGRITY_EXCEPTION", "EndDateTime",
		    "End Date Time cannot be earlier than Start Date Time: EndDateTime");
	if (has_end && has_dur && (end - start) / 60 != minutes)
		EFAIL("FIELD_INTEGRITY_EXCEPTION", "DurationInMinutes",
		    "Duration does not match the start and end times: DurationInMinutes");
	if (!has_dur)
		minutes = (long)((end - start) / 60);
	if (minutes < 0 || minutes > 1440)
		EFAIL("FIELD_INTEGRITY_EXCEPTION", has_dur ? "DurationInMinutes" : "EndDateTime",
		    "Duration must be between 0 and 1440 minutes: Duration");
	rec = jv_object_set(rec, jv_string("DurationInMinutes"), jv_number((double)minutes));
	rec = set_time(rec, "EndDateTime", start + minutes * 60);
	rec = set_time(rec, "ActivityDateTime", start);
	return jv_object_set(rec, jv_string("ActivityDate"), jv_string(time_date(start, buf)));
}
#undef EFAIL

/* A unique field: no other live record of the object holds the value s (compared
 * without case, as a case-insensitive unique field does). */
static void
check_unique(struct obj *o, struct field *f, const char *s, const char *self, jv *errs)
{
	jv all = store_scan(o, 0);
	for (int r = 0; r < jx_len(all); r++) {
		const char *other = jx_str(jx_at(all, r), f->name), *oid = jx_str(jx_at(all, r), "Id");
		if (other && oid && !strcasecmp(other, s) && !(self && !strcmp(self, oid))) {
			*errs = jv_array_concat(*errs,
			    sf_err1("DUPLICATE_VALUE", f->name,
				"duplicate value found: %s duplicates value on record with id: %s", f->name, oid));
			break;
		}
	}
	jv_free(all);
}

/* A reference field: s is an Id of a live record of an object the field may name; the
 * record gets the 18-character form. Returns rec (consumed). */
static jv
check_ref(jv rec, struct field *f, const char *s, const char *self, jv *errs)
{
	char nid[SFID_SIZE];
	struct obj *target = NULL;
	if (id_norm(s, nid) < 0) {
		*errs = jv_array_concat(
		    *errs, sf_err1("MALFORMED_ID", f->name, "%s: id value of incorrect type: %s", f->name, s));
	} else {
		for (int j = 0; j < f->nref; j++)
			if (schema_obj_prefix(nid) == schema_obj(f->ref[j]))
				target = schema_obj(f->ref[j]);
		int deleted = 0;
		jv p = target ? store_get(nid, &deleted) : jv_invalid();
		if (!target)
			*errs = jv_array_concat(*errs,
			    sf_err1("FIELD_INTEGRITY_EXCEPTION", f->name, "%s: id value of incorrect type: %s", f->name,
				s));
		else if (!jv_is_valid(p) || (self && !strcmp(self, nid)))
			*errs = jv_array_concat(
			    *errs, sf_err1("INVALID_CROSS_REFERENCE_KEY", f->name, "invalid cross reference id"));
		else if (deleted)
			*errs = jv_array_concat(*errs, sf_err1("ENTITY_IS_DELETED", f->name, "entity is deleted"));
		else
			rec = jv_object_set(rec, jv_copy(f->key), jv_string(nid));
		jv_free(p);
	}
	return rec;
}

/* The standard contact duplicate rule of a real org (--profile enterprise): a new or
 * changed contact that matches a live one is refused with DUPLICATES_DETECTED and the
 * matches, unless the request says allowSave. Salesforce's Standard Contact Matching
 * Rule compares names fuzzily; here a match is the same email address, or the same
 * first and last name on the same account, compared without case. Returns the error
 * (an array of one), or jv_null(). */
static jv
duplicate_rule(jv rec, const char *self)
{
	const char *email = jx_str(rec, "Email"), *first = jx_str(rec, "FirstName"), *last = jx_str(rec, "LastName");
	const char *acct = jx_str(rec, "AccountId");
	jv all = store_scan(schema_obj("Contact"), 0), matches = jv_array();

	for (int i = 0; i < jx_len(all); i++) {
		jv c = jx_at(all, i);
		const char *id = jx_str(c, "Id"), *e = jx_str(c, "Email");
		const char *f = jx_str(c, "FirstName"), *l = jx_str(c, "LastName"), *a = jx_str(c, "AccountId");
		if (!id || (self && !strcmp(self, id)))
			continue;
		if ((email && *email && e && !strcasecmp(email, e)) ||
		    (first && last && acct && f && l && a && !strcasecmp(first, f) && !strcasecmp(last, l) &&
			!strcmp(acct, a))) {
			jv attrs = jv_object_set(jv_object(), jv_string("type"), jv_string("Contact"));
			attrs = jv_object_set(
			    attrs, jv_string("url"), jv_string_fmt("/services/data/v60.0/sobjects/Contact/%s", id));
			jv r = jv_object_set(jv_object(), jv_string("attributes"), attrs);
			r = jv_object_set(r, jv_string("Id"), jv_string(id));
			jv m = jv_object_set(jv_object(), jv_string("additionalInformation"), jv_array());
			m = jv_object_set(m, jv_string("fieldDiffs"), jv_array());
			m = jv_object_set(m, jv_string("matchConfidence"), jv_number(100));
			matches = jv_array_append(matches, jv_object_set(m, jv_string("record"), r));
		}
	}
	jv_free(all);
	if (!jx_len(matches)) {
		jv_free(matches);
		return jv_null();
	}
	jv mr = jv_object_set(jv_object(), jv_string("entityType"), jv_string("Contact"));
	mr = jv_object_set(mr, jv_string("errors"), jv_array());
	mr = jv_object_set(mr, jv_string("matchEngine"), jv_string("FuzzyMatchEngine"));
	mr = jv_object_set(mr, jv_string("rule"), jv_string("Standard_Contact_Match_Rule_v1_1"));
	mr = jv_object_set(mr, jv_string("size"), jv_number(jx_len(matches)));
	mr = jv_object_set(mr, jv_string("success"), jv_true());
	mr = jv_object_set(mr, jv_string("matchRecords"), matches);
	jv dr = jv_object_set(jv_object(), jv_string("allowSave"), jv_true());
	dr = jv_object_set(dr, jv_string("duplicateRule"), jv_string("Standard_Contact_Duplicate_Rule"));
	dr = jv_object_set(dr, jv_string("duplicateRuleEntityType"), jv_string("Contact"));
	dr = jv_object_set(dr, jv_string("errorMessage"), jv_string("Use one of these records?"));
	dr = jv_object_set(dr, jv_string("matchResults"), jv_array_append(jv_array(), mr));
	jv e = sf_err("DUPLICATES_DETECTED", "Use one of these records?", jv_array());
	return jv_array_append(jv_array(), jv_object_set(e, jv_string("duplicateResult"), dr));
}

/* Shared Activities (--profile enterprise): IsParent names a person the event is
 * about, so it is for contacts (and leads) only, at most 50 of them per event. The
 * exact codes a real org answers with are not documented where we looked; these are
 * the closest standard ones. Returns an error array, or jv_null(). */
static jv
shared_activities(jv rec, const char *self)
{
	const char *rel = jx_str(rec, "RelationId"), *ev = jx_str(rec, "EventId");
	int parents = 0, twice = 0;

	if (rel && strncmp(rel, "003", 3) && strncmp(rel, "00Q", 3) && jx_bool(rec, "IsParent", 0))
		return sf_err1("FIELD_INTEGRITY_EXCEPTION", "IsParent",
		    "IsParent can only be true for a contact or a lead: %s", rel);
	jv kids = ev ? store_children(ev, schema_field(schema_obj("EventRelation"), "EventId")) : jv_array();
	for (int i = 0; i < jx_len(kids); i++) {
		jv k = jx_at(kids, i);
		if (self && jx_str(k, "Id") && !strcmp(self, jx_str(k, "Id")))
			continue;
		parents += jx_bool(k, "IsParent", 0);
		twice |= !self && rel && jx_str(k, "RelationId") && !strncmp(rel, jx_str(k, "RelationId"), 15);
	}
	jv_free(kids);
	/* One relation per person and event: the event's WhoId already has its own. */
	if (twice)
		return sf_err1("DUPLICATE_VALUE", "RelationId",
		    "duplicate value found: RelationId duplicates value on "
		    "record with id: %s",
		    rel);
	if (!jx_bool(rec, "IsParent", 0))
		return jv_null();
	if (parents >= 50)
		return sf_err1("LIMIT_EXCEEDED", "IsParent", "an event can be about at most 50 contacts");
	return jv_null();
}

/* Whether a task status closes the task (the org's TaskStatus rows). */
static int
status_closed(const char *status)
{
	jv all = store_scan(schema_obj("TaskStatus"), 0);
	int closed = 0;

	for (int i = 0; i < jx_len(all); i++)
		if (jx_str(jx_at(all, i), "ApiName") && !strcmp(jx_str(jx_at(all, i), "ApiName"), status))
			closed = jx_bool(jx_at(all, i), "IsClosed", 0);
	jv_free(all);
	return closed;
}

/* The validation rule on Opportunity of --profile enterprise, as admins write them: a
 * deal in Negotiation/Review must say its next step. It runs on every insert and
 * update of the whole record, so a record from before the rule (the seed keeps one)
 * refuses any update, a scorecard's too, until someone fills the field. Returns the
 * error array, or jv_null(). */
static jv
opportunity_rule(jv rec)
{
	const char *stage = jx_str(rec, "StageName"), *next = jx_str(rec, "NextStep");
	if (stage && !strcmp(stage, "Negotiation/Review") && (!next || !*next))
		return sf_err1("FIELD_CUSTOM_VALIDATION_EXCEPTION", "NextStep",
		    "Next Step is required once a deal is in Negotiation/Review");
	return jv_null();
}

/* Whether a real org has archived the activity (--profile enterprise): an Event that
 * ended, or a closed Task dated, 365 days or more before today. /query hides those;
 * /queryAll and reads by Id still find them. */
static int
archived(struct obj *o, jv rec)
{
	time_t t, cut = org_now() - 365 * DAY_SECONDS;

	if (sw.profile != PROFILE_ENTERPRISE)
		return 0;
	if (!strcmp(o->name, "Event"))
		return get_time(rec, "EndDateTime", &t) && t < cut;
	return jx_bool(rec, "IsClosed", 0) && get_time(rec, "ActivityDate", &t) && t < cut;
}

/* What the org derives on a valid write, and the object's own rules. */
/* An email's relation to a contact or user: its address and the kind of record, from
 * the record it names (the object reference: auto-populated when not given). */
static jv
relation_address(jv rec)
{
	const char *rid = jx_str(rec, "RelationId");
	struct obj *ro = rid ? schema_obj_prefix(rid) : NULL;
	if (!ro)
		return rec;
	rec = jx_set_str(rec, "RelationObjectType", ro->name);
	if (!jx_str(rec, "RelationAddress")) {
		jv r = store_get(rid, NULL);
		rec = jx_set_str(rec, "RelationAddress", jx_str(r, "Email"));
		jv_free(r);
	}
	return rec;
}

static jv
derive(struct obj *o, jv rec, jv *errs)
{
	if (!strcmp(o->name, "Contact") || !strcmp(o->name, "User"))
		rec = set_name(rec);
	if (!strcmp(o->name, "Opportunity")) {
		const char *sn = jx_str(rec, "StageName");
		for (size_t i = 0; sn && i < sizeof stages / sizeof *stages; i++)
			if (!strcmp(stages[i].name, sn)) {
				rec = jv_object_set(rec, jv_string("IsClosed"), jv_bool(stages[i].closed));
				rec = jv_object_set(rec, jv_string("IsWon"), jv_bool(stages[i].won));
				rec = jv_object_set(
				    rec, jv_string("ForecastCategoryName"), jv_string(stages[i].forecast));
				if (!jv_is_valid(jx_get(rec, "Probability", JV_KIND_NUMBER)))
					rec = jv_object_set(rec, jv_string("Probability"), jv_number(stages[i].prob));
			}
	}
	if (!strcmp(o->name, "Event")) {
		rec = event_rules(rec, errs);
		if (jx_len(*errs))
			return rec;
	}
	if (!strcmp(o->name, "Event") || !strcmp(o->name, "Task"))
		rec = activity_account(rec);
	if (!strcmp(o->name, "Task")) {
		const char *st = jx_str(rec, "Status");
		int closed = st && status_closed(st);
		rec = jv_object_set(rec, jv_string("IsClosed"), jv_bool(closed));
		if (closed && !jx_str(rec, "CompletedDateTime"))
			rec = set_time(rec, "CompletedDateTime", org_now());
		else if (!closed)
			rec = jv_object_set(rec, jv_string("CompletedDateTime"), jv_null());
	}
	if (!strcmp(o->name, "Event") || !strcmp(o->name, "Task"))
		rec = jv_object_set(rec, jv_string("IsArchived"), jv_bool(archived(o, rec)));
	if (!strcmp(o->name, "EmailMessageRelation"))
		rec = relation_address(rec);
	return rec;
}

/* The per-record rules: required fields, lengths, picklists, references, the rules of
 * each object, then the derived fields. Returns rec (consumed) and appends problems
 * to *errs. */
jv
rules_apply(struct obj *o, jv rec, jv *errs, const char *self)
{
	jv missing = jv_array();
	for (int i = 0; i < o->nfields; i++) {
		struct field *f = &o->fields[i];
		jv v = jv_object_get(jv_copy(rec), jv_copy(f->key));
		jv_kind k = jv_get_kind(v);
		const char *s = k == JV_KIND_STRING ? jv_string_value(v) : NULL;
		if (f->required && (k == JV_KIND_NULL || k == JV_KIND_INVALID || (s && !*s)))
			missing = jv_array_append(missing, jv_copy(f->key));
		if (s && f->length && utf8_chars(s) > (size_t)f->length && f->type != F_REFERENCE)
			*errs = jv_array_concat(*errs,
			    sf_err1("STRING_TOO_LONG", f->name, "%s: data value too large: %.40s%s (max length=%d)",
				f->name, s, strlen(s) > 40 ? "..." : "", f->length));
		if (k == JV_KIND_NUMBER && ftype_is_number(f->type) && !(fabs(jv_number_value(v)) < 1e18))
			*errs = jv_array_concat(*errs,
			    sf_err1("NUMBER_OUTSIDE_VALID_RANGE", f->name,
				"%s: value outside of valid range on numeric field: %g", f->name, jv_number_value(v)));
		if (s && *s && f->unique)
			check_unique(o, f, s, self, errs);
		if (s && *s && f->type == F_EMAIL &&
		    (!strchr(s, '@') || strchr(s, ' ') || strchr(s, '@') == s || !strchr(strchr(s, '@'), '.')))
			*errs = jv_array_concat(*errs,
			    sf_err1("INVALID_EMAIL_ADDRESS", f->name, "%s: invalid email address: %s", f->name, s));
		if (s && *s && f->restricted) {
			int ok = 0;
			for (int j = 0; j < f->nvalues; j++)
				ok |= !strcmp(f->values[j], s);
			if (!ok)
				*errs = jv_array_concat(*errs,
				    sf_err1("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", f->name,
					"%s: bad value for restricted picklist field: %s", f->name, s));
		}
		if (s && *s && f->type == F_REFERENCE && strcmp(f->name, "CreatedById") &&
		    strcmp(f->name, "LastModifiedById"))
			rec = check_ref(rec, f, s, self, errs);
		for (int j = 0; s && j < nfails; j++)
			if (!strcasecmp(fails[j].field, f->name) && !strcmp(fails[j].value, s))
				*errs = jv_array_concat(*errs,
				    sf_err1(fails[j].code, f->name, "%s: value refused by dg-sandbox --fail-when %s=%s",
					f->name, f->name, s));
		jv_free(v);
	}
	if (jx_len(missing)) {
		struct sb m = { 0 };
		for (int i = 0; i < jx_len(missing); i++)
			sb_addf(&m, "%s%s", i ? ", " : "", jx_cstr(jx_at(missing, i)));
		jv e = sf_err1("REQUIRED_FIELD_MISSING", NULL, "Required fields are missing: [%s]", sb_str(&m));
		e = jv_array_set(e, 0, jv_object_set(jv_array_get(jv_copy(e), 0), jv_string("fields"), missing));
		*errs = jv_array_concat(e, *errs);
		sb_free(&m);
	} else
		jv_free(missing);
	if (jx_len(*errs))
		return rec;
	/* An inactive user cannot own a new record. */
	const char *owner = jx_str(rec, "OwnerId");
	if (!self && owner && strcmp(o->name, "User") && !strncmp(owner, "005", 3)) {
		jv u = store_get(owner, NULL);
		int inactive = jv_is_valid(u) && !jx_bool(u, "IsActive", 1);
		jv_free(u);
		if (inactive) {
			*errs = jv_array_concat(*errs,
			    sf_err1("INACTIVE_OWNER_OR_USER", "OwnerId",
				"operation performed with inactive user [%s] as owner of %s", owner, o->name));
			return rec;
		}
	}
	if (sw.profile == PROFILE_ENTERPRISE && !strcmp(o->name, "EventRelation")) {
		jv e = shared_activities(rec, self);
		if (jv_get_kind(e) == JV_KIND_ARRAY) {
			*errs = jv_array_concat(*errs, e);
			return rec;
		}
	}
	if (sw.profile == PROFILE_ENTERPRISE && !strcmp(o->name, "Opportunity")) {
		jv e = opportunity_rule(rec);
		if (jv_get_kind(e) == JV_KIND_ARRAY) {
			*errs = jv_array_concat(*errs, e);
			return rec;
		}
	}
	if (sw.profile == PROFILE_ENTERPRISE && !sw.allow_save && !strcmp(o->name, "Contact")) {
		jv dup = duplicate_rule(rec, self);
		if (jv_get_kind(dup) == JV_KIND_ARRAY) {
			*errs = jv_array_concat(*errs, dup);
			return rec;
		}
	}
	if (!strcmp(o->name, "EmailMessage") && !self && !jx_str(rec, "ToAddress") && !jx_str(rec, "CcAddress") &&
	    !jx_str(rec, "BccAddress")) {
		*errs = jv_array_concat(*errs,
		    sf_err1("REQUIRED_FIELD_MISSING", "ToAddress",
			"You can't send emails unless there's at least one recipient"));
		return rec;
	}
	return derive(o, rec, errs);
}

/* ---- writes as the org does them ---- */

/* Only one primary contact role per opportunity: a new primary unsets the others. */
static void
one_primary(jv rec, const char *self)
{
	struct obj *ocr = schema_obj("OpportunityContactRole");
	const char *opp = jx_str(rec, "OpportunityId");
	if (!jx_bool(rec, "IsPrimary", 0) || !opp)
		return;
	jv kids = store_children(opp, schema_field(ocr, "OpportunityId"));
	for (int i = 0; i < jx_len(kids); i++) {
		jv k = jx_at(kids, i);
		const char *kid = jx_str(k, "Id");
		if (jx_bool(k, "IsPrimary", 0) && kid && (!self || strcmp(kid, self))) {
			jv off = jv_object_set(jv_copy(k), jv_string("IsPrimary"), jv_false());
			store_write(ocr, kid, off);
			jv_free(off);
		}
	}
	jv_free(kids);
}

/* Fields a write may not set: the Id, and fields the object does not let this
 * operation change. Returns an error array, or jv_null(). */
static jv
writable(struct obj *o, jv clean, int create)
{
	if (!(create ? o->create : o->update))
		return sf_err1("INVALID_TYPE_FOR_OPERATION", NULL, "entity type cannot be %s: %s",
		    create ? "inserted" : "updated", o->name);
	if (create && jv_is_valid(jx_get(clean, "Id", JV_KIND_STRING)))
		return sf_err1("INVALID_FIELD", NULL, "The Id field should not be specified in the sobject data.");
	jv bad = jv_array();
	struct sb m = { 0 };
	jv_object_foreach(clean, k, v)
	{
		struct field *f = schema_field(o, jv_string_value(k));
		if (f && strcmp(f->name, "Id") && !(create ? f->create : f->update)) {
			sb_addf(&m, "%s%s", jx_len(bad) ? ", " : "", f->name);
			bad = jv_array_append(bad, jv_copy(f->key));
		}
		jv_free(k);
		jv_free(v);
	}
	if (!jx_len(bad)) {
		jv_free(bad);
		sb_free(&m);
		return jv_null();
	}
	jv e = sf_err1("INVALID_FIELD_FOR_INSERT_UPDATE", NULL,
	    "Unable to create/update fields: %s. Please check the "
	    "security settings of this field and verify that it is read/write for your profile or permission set.",
	    sb_str(&m));
	e = jv_array_set(e, 0, jv_object_set(jv_array_get(jv_copy(e), 0), jv_string("fields"), bad));
	sb_free(&m);
	return e;
}

/* What the platform writes by itself after an insert of rec (borrowed) as id: with
 * Shared Activities (enterprise) the relation of an event's contact; for an
 * EmailMessage (Enhanced Email) its Task, a closed logged email on RelatedToId,
 * named by the message's ActivityId. */
static void
made_by_org(struct obj *o, jv rec, const char *id)
{
	const char *who = jx_str(rec, "WhoId");
	char nid[SFID_SIZE];
	if (sw.profile == PROFILE_ENTERPRISE && !strcmp(o->name, "Event") && who && !strncmp(who, "003", 3))
		/* EventWhoRelation shows it: the event's contact is one of its people. */
		store_insert_raw(schema_obj("EventRelation"),
		    JV_OBJECT(jv_string("EventId"), jv_string(id), jv_string("RelationId"), jv_string(who),
			jv_string("IsParent"), jv_true(), jv_string("IsInvitee"), jv_false(), jv_string("IsWhat"),
			jv_false()),
		    nid);
	if (strcmp(o->name, "EmailMessage"))
		return;
	const char *subj = jx_str(rec, "Subject") ? jx_str(rec, "Subject") : "", *what = jx_str(rec, "RelatedToId");
	time_t t;
	char date[16];
	jv task = jv_object();
	task = jv_object_set(task, jv_string("Subject"), jv_string_fmt("Email: %.240s", subj));
	task = jx_set_str(task, "TaskSubtype", "Email");
	task = jx_set_str(task, "Status", org_task_closed());
	task = jx_set_str(task, "Priority", org_task_priority());
	task = jv_object_set(task, jv_string("IsClosed"), jv_true());
	if (what && (!strncmp(what, "006", 3) || !strncmp(what, "001", 3)))
		task = jx_set_str(task, "WhatId", what);
	if (jx_str(rec, "MessageDate") && time_parse(jx_str(rec, "MessageDate"), &t) == 0)
		task = jx_set_str(task, "ActivityDate", time_date(t, date));
	task = jx_set_str(task, "Description", jx_str(rec, "TextBody"));
	task = jx_set_str(task, "OwnerId", org_user_id);
	store_insert_raw(schema_obj("Task"), task, nid);
	jv m = store_get(id, NULL);
	m = jv_object_set(m, jv_string("ActivityId"), jv_string(nid));
	store_write(o, id, m);
	jv_free(m);
}

jv
rules_create(struct obj *o, jv clean, char id[SFID_SIZE])
{
	jv errs = writable(o, clean, 1);
	if (jv_get_kind(errs) != JV_KIND_NULL)
		return errs;
	errs = jv_array();
	jv rec = jv_copy(clean);
	for (int i = 0; i < o->nfields; i++) {
		struct field *f = &o->fields[i];
		if (!jv_is_valid(f->def) || jv_object_has(jv_copy(rec), jv_copy(f->key)))
			continue;
		if (jv_get_kind(f->def) == JV_KIND_STRING && !strcmp(jv_string_value(f->def), "$user"))
			rec = jv_object_set(rec, jv_copy(f->key), org_user_id ? jv_string(org_user_id) : jv_null());
		else
			rec = jv_object_set(rec, jv_copy(f->key), jv_copy(f->def));
	}
	rec = rules_apply(o, rec, &errs, NULL);
	if (jx_len(errs)) {
		jv_free(rec);
		return errs;
	}
	jv_free(errs);
	if (!strcmp(o->name, "OpportunityContactRole"))
		one_primary(rec, NULL);
	jv kept = jv_copy(rec);
	store_insert_raw(o, rec, id);
	made_by_org(o, kept, id);
	jv_free(kept);
	return jv_null();
}

/* With Shared Activities (enterprise) an event's contact is one of its relations
 * (made_by_org): a new WhoId moves it, as the platform's EventWhoRelation follows the
 * event's contact. */
static void
who_moved(const char *ev, const char *was, const char *now)
{
	if (sw.profile != PROFILE_ENTERPRISE || (was && now && !strncmp(was, now, 15)))
		return;
	jv kids = store_children(ev, schema_field(schema_obj("EventRelation"), "EventId"));
	int has_now = 0;
	for (int i = 0; i < jx_len(kids); i++) {
		jv k = jx_at(kids, i);
		const char *rel = jx_str(k, "RelationId");
		if (was && rel && !strncmp(rel, was, 15) && jx_bool(k, "IsParent", 0) && jx_str(k, "Id"))
			jv_free(store_delete(jx_str(k, "Id")));
		has_now |= now && rel && !strncmp(rel, now, 15);
	}
	jv_free(kids);
	if (now && !has_now && !strncmp(now, "003", 3)) {
		char nid[SFID_SIZE];
		store_insert_raw(schema_obj("EventRelation"),
		    JV_OBJECT(jv_string("EventId"), jv_string(ev), jv_string("RelationId"), jv_string(now),
			jv_string("IsParent"), jv_true(), jv_string("IsInvitee"), jv_false(), jv_string("IsWhat"),
			jv_false()),
		    nid);
	}
}

jv
rules_update(struct obj *o, const char *rawid, jv clean)
{
	char id[SFID_SIZE];
	int deleted = 0;
	if (id_norm(rawid, id) < 0)
		return sf_err1("MALFORMED_ID", "Id", "malformed id %s", rawid);
	jv old = store_get(id, &deleted);
	struct obj *ro = schema_obj_prefix(id);
	if (!jv_is_valid(old) || !ro || (o && o != ro)) {
		jv_free(old);
		return sf_err1("NOT_FOUND", NULL, "The requested resource does not exist");
	}
	if (deleted) {
		jv_free(old);
		return sf_err1("ENTITY_IS_DELETED", NULL, "entity is deleted");
	}
	jv errs = writable(ro, clean, 0);
	if (jv_get_kind(errs) != JV_KIND_NULL) {
		jv_free(old);
		return errs;
	}
	errs = jv_array();
	if (!strcmp(ro->name, "Event")) {
		/* A new end recomputes the duration and the other way round; a new start
		 * keeps the duration. */
		int e = jv_object_has(jv_copy(clean), jv_string("EndDateTime"));
		int d = jv_object_has(jv_copy(clean), jv_string("DurationInMinutes"));
		if (e && !d)
			old = jv_object_delete(old, jv_string("DurationInMinutes"));
		if (!e)
			old = jv_object_delete(old, jv_string("EndDateTime"));
		if (jv_object_has(jv_copy(clean), jv_string("StartDateTime")))
			old = jv_object_delete(old, jv_string("ActivityDateTime"));
	}
	char *old_who = jx_str(old, "WhoId") ? xstrdup(jx_str(old, "WhoId")) : NULL;
	jv rec = jv_object_merge(old, jv_copy(clean));
	rec = rules_apply(ro, rec, &errs, id);
	if (jx_len(errs)) {
		free(old_who);
		jv_free(rec);
		return errs;
	}
	jv_free(errs);
	if (!strcmp(ro->name, "OpportunityContactRole"))
		one_primary(rec, id);
	if (!strcmp(ro->name, "Event"))
		who_moved(id, old_who, jx_str(rec, "WhoId"));
	free(old_who);
	char buf[32];
	fmt_dt(org_now(), buf);
	rec = jv_object_set(rec, jv_string("LastModifiedDate"), jv_string(buf));
	rec = jv_object_set(rec, jv_string("SystemModstamp"), jv_string(buf));
	store_write(ro, id, rec);
	jv_free(rec);
	return jv_null();
}
