/* deal.c: one deal's section of the report: its header, people, timeline, activities
 * with their text and org links, and its scorecard with evidence linked. */
#include "jsonl.h"
#include "report.h"
#include "sfblocks.h"
#include "tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Someone an activity names: a contact (by Id or planned key), the owner, or a User. */
static const char *
person_name(jv contacts, jv opp, const char *ref, const char **role)
{
	*role = NULL;
	if (ref == NULL)
		return NULL;
	for (int i = 0; i < jx_len(contacts); i++) {
		jv c = jx_at(contacts, i);
		const char *id = jx_str(c, "Id"), *key = jx_str(c, "key");
		if ((id && !strcmp(id, ref)) || (key && !strcmp(key, ref))) {
			*role = jx_str(c, "Role");
			return jx_str(c, "Name") ? jx_str(c, "Name") : ref;
		}
	}
	if (jx_str(opp, "OwnerId") && !strcmp(jx_str(opp, "OwnerId"), ref))
		return jx_str(jx_get(opp, "Owner", JV_KIND_OBJECT), "Name");
	return NULL;
}

/* An sf block's failure as one line: "CODE: message" (the block's error is an object
 * or a string). */
static void
block_error(struct sb *b, jv sf)
{
	jv err = jv_object_get(jv_copy(sf), jv_string("error"));

	sb_add(b, "<span class=\"err\">failed: ");
	if (jv_get_kind(err) == JV_KIND_STRING)
		html_esc(b, jv_string_value(err));
	else if (jv_get_kind(err) == JV_KIND_OBJECT) {
		/* dg-push's {code, message, fields}; Salesforce's own {statusCode, message} */
		const char *code = jx_str(err, "code") ? jx_str(err, "code") : jx_str(err, "statusCode");
		const char *msg = jx_str(err, "message");
		html_esc(b, code ? code : "error");
		if (msg) {
			sb_add(b, ": ");
			html_esc(b, msg);
		}
	} else
		sb_add(b, "refused");
	jv_free(err);
	sb_add(b, "</span>");
}

/* The org link or failure of an sf block (borrowed); counts it into d. */
static void
block_state(struct sb *b, const struct report *r, struct rp_deal *d, jv sf)
{
	const char *st = jx_str(sf, "status");

	if (jv_get_kind(sf) != JV_KIND_OBJECT)
		return;
	if (st && !strcmp(st, "failed")) {
		d->failed++;
		sb_addc(b, ' ');
		block_error(b, sf);
	} else if (jx_str(sf, "id")) {
		d->written++;
		sb_add(b, " <span class=\"org\">");
		html_org_link(b, r, jx_str(sf, "id"));
		sb_add(b, "</span>");
	}
}

static void
people(struct sb *b, const struct report *r, struct rp_deal *d, jv contacts)
{
	sb_add(b,
	    "<table class=\"people\"><thead><tr><th>Contact</th><th>Title</th><th>Role</th><th>Email</th>"
	    "<th>In the org</th></tr></thead><tbody>");
	for (int i = 0; i < jx_len(contacts); i++) {
		jv c = jx_at(contacts, i), sf = jx_get(c, "sf", JV_KIND_OBJECT);
		const char *role = jx_str(c, "Role");

		if (jv_get_kind(c) != JV_KIND_OBJECT)
			continue;
		d->contacts++;
		sb_add(b, "<tr><td>");
		html_esc(b, jx_str(c, "Name") ? jx_str(c, "Name") : "?");
		if (jx_bool(c, "IsPrimary", 0))
			sb_add(b, " <span class=\"tag\">primary</span>");
		sb_add(b, "</td><td>");
		html_esc(b, jx_str(c, "Title"));
		sb_add(b, "</td><td>");
		html_esc(b, role);
		sb_add(b, "</td><td>");
		html_esc(b, jx_str(c, "Email"));
		sb_add(b, "</td><td>");
		if (jx_bool(c, "planned", 0)) {
			d->planned_contacts++;
			sb_add(b, "<span class=\"tag new\">new contact</span>");
		}
		if (jx_str(c, "Id") && jv_get_kind(sf) != JV_KIND_OBJECT)
			html_org_link(b, r, jx_str(c, "Id"));
		block_state(b, r, d, sf);
		if (jv_get_kind(sf) == JV_KIND_OBJECT)
			block_state(b, r, d, jx_get(sf, "role", JV_KIND_OBJECT));
		sb_add(b, "</td></tr>");
	}
	sb_add(b, "</tbody></table>");
}

/* "with A (Role), B; cc C; and 2 colleagues" for an activity. */
static void
participants(struct sb *b, jv act, jv contacts, jv opp)
{
	jv att = jx_get(act, "attendees", JV_KIND_ARRAY), cc = jx_get(act, "cc", JV_KIND_ARRAY);
	const char *role, *who = jx_str(act, "who"), *name;
	int n = 0, internal = jx_len(jx_get(act, "internal", JV_KIND_ARRAY));

	sb_add(b, "<span class=\"who\">");
	if (!strcmp(jx_str(act, "kind") ? jx_str(act, "kind") : "", "email"))
		sb_add(b, jx_str(act, "direction") && !strcmp(jx_str(act, "direction"), "inbound") ? "from " : "to ");
	else
		sb_add(b, "with ");
	for (int i = -1; i < jx_len(att); i++) {
		const char *ref = i < 0 ? who : jx_cstr(jx_at(att, i));
		int in_cc = 0;
		if (ref == NULL || (i >= 0 && who && !strcmp(ref, who)))
			continue;
		for (int k = 0; k < jx_len(cc); k++)
			in_cc |= jx_cstr(jx_at(cc, k)) && !strcmp(jx_cstr(jx_at(cc, k)), ref);
		if (in_cc)
			continue;
		name = person_name(contacts, opp, ref, &role);
		sb_add(b, n++ ? ", " : "");
		html_esc(b, name ? name : ref);
		if (role) {
			sb_add(b, " (");
			html_esc(b, role);
			sb_add(b, ")");
		}
	}
	for (int k = 0; k < jx_len(cc); k++) {
		const char *ref = jx_cstr(jx_at(cc, k));
		name = person_name(contacts, opp, ref, &role);
		sb_add(b, k ? ", " : "; cc ");
		html_esc(b, name ? name : ref ? ref : "?");
	}
	if (internal)
		sb_addf(b, "%sand %d colleague%s", n ? " " : "", internal, internal > 1 ? "s" : "");
	if (n == 0 && internal == 0)
		sb_add(b, "nobody");
	sb_add(b, "</span>");
}

/* What the timeline, the calendars and the entry need of activity i (act, borrowed)
 * of deal di, looked up once: appended to r->acts. */
static void
act_add(struct report *r, size_t di, int i, jv act)
{
	const char *kind = jx_str(act, "kind") ? jx_str(act, "kind") : "?", *when = jx_str(act, "when");
	const char *dir = jx_str(act, "direction"), *start = jx_str(act, "start");
	const char *st = jx_str(jx_get(act, "sf", JV_KIND_OBJECT), "status"), *subj = jx_str(act, "subject");
	int email = !strcmp(kind, "email");
	struct rp_act *a;

	if (r->nacts == r->acap) {
		r->acap = r->acap ? r->acap * 2 : 256;
		r->acts = xrealloc(r->acts, r->acap * sizeof *r->acts);
	}
	a = &r->acts[r->nacts++];
	*a = (struct rp_act){ .deal = (int)di, .idx = i, .kind = 'x' };
	if (jv_get_kind(act) != JV_KIND_OBJECT)
		return;
	if (!start || time_parse(start, &a->start) != 0)
		a->start = 0;
	a->kind = email ? 'e' : jx_len(jx_get(act, "internal", JV_KIND_ARRAY)) > 0 && !jx_str(act, "who") ? 'i' : 'm';
	a->minutes = email ? 0 : (int)jx_num(act, "minutes", 30);
	a->inbound = email && dir && !strcmp(dir, "inbound");
	a->upcoming = when && !strcmp(when, "upcoming");
	a->failed = st && !strcmp(st, "failed");
	a->subject = xstrdup(subj ? subj : kind);
}

/* One activity's entry: a <details> the timeline and the evidence link to. */
static void
activity(struct sb *b, const struct report *r, struct rp_deal *d, const struct rp_act *a, jv act, jv rec)
{
	jv sf = jx_get(act, "sf", JV_KIND_OBJECT), rels = jx_get(sf, "relations", JV_KIND_ARRAY);
	jv opp = jx_get(rec, "opportunity", JV_KIND_OBJECT), contacts = jx_get(rec, "contacts", JV_KIND_ARRAY);
	char when[64];

	a->kind == 'e' ? d->emails++ : d->meetings++;
	sb_addf(b, "<details class=\"act %s%s\" id=\"d%d-a%d\"><summary>", a->upcoming ? "upcoming" : "past",
	    a->failed ? " failed" : "", a->deal, a->idx);
	sb_addf(b, "<span class=\"when\">%s</span> ", a->start ? rp_when(a->start, d->tz, when) : "(no date)");
	sb_addf(b, "<span class=\"kind k-%c%s\">", a->kind, a->inbound ? " in" : "");
	if (a->kind == 'e')
		sb_add(b, a->inbound ? "email in" : a->upcoming ? "email (draft)" : "email out");
	else
		sb_addf(b, "%s %d min", a->kind == 'i' ? "internal" : "meeting", a->minutes);
	sb_add(b, "</span> <span class=\"subj\">");
	html_esc(b, a->subject);
	sb_add(b, "</span> ");
	/* what a refresh does to it: the plan changed it (a dry run), or it was updated */
	if (jx_bool(sf, "changed", 0))
		sb_add(b, "<span class=\"tag chg\">changes on refresh</span> ");
	else if (jx_str(sf, "status") && !strcmp(jx_str(sf, "status"), "updated"))
		sb_add(b, "<span class=\"tag chg\">updated</span> ");
	participants(b, act, contacts, opp);
	block_state(b, r, d, sf);
	for (int k = 0; k < jx_len(rels); k++) {
		jv rel = jx_at(rels, k);
		if (jx_str(rel, "status") && !strcmp(jx_str(rel, "status"), "failed")) {
			sb_add(b, " <span class=\"err\">a relation ");
			block_error(b, rel);
			sb_add(b, "</span>");
			d->failed++;
		} else if (jx_str(rel, "id"))
			d->written++;
	}
	sb_add(b, "</summary>");
	if (jx_str(act, "location")) {
		sb_add(b, "<p class=\"meta\">at ");
		html_esc(b, jx_str(act, "location"));
		sb_add(b, "</p>");
	}
	sb_add(b, "<pre class=\"body\">");
	html_esc(b, jx_str(act, "body") ? jx_str(act, "body") : "(no text yet: dg-content writes it)");
	sb_add(b, "</pre></details>");
}

/* The index of the activity with key in acts, or -1. */
static int
act_index(jv acts, const char *key)
{
	for (int i = 0; key && i < jx_len(acts); i++)
		if (jx_str(jx_at(acts, i), "key") && !strcmp(jx_str(jx_at(acts, i), "key"), key))
			return i;
	return -1;
}

static void
scorecard(struct sb *b, const struct report *r, struct rp_deal *d, size_t di, jv rec, const struct rp_act *va)
{
	jv sc = jx_get(rec, "scorecard", JV_KIND_OBJECT), acts = jx_get(rec, "activities", JV_KIND_ARRAY);
	jv answers = jx_get(sc, "answers", JV_KIND_ARRAY);
	char when[64];

	if (jv_get_kind(sc) != JV_KIND_OBJECT)
		return;
	d->score = (int)jx_num(sc, "score", 0);
	d->coverage = jx_num(sc, "coverage", 0);
	d->template = xstrdup(jx_str(sc, "template") ? jx_str(sc, "template") : "scorecard");
	sb_add(b, "<h3>");
	html_esc(b, d->template);
	sb_addf(b, ": %d/100, coverage %.0f%%", d->score, d->coverage * 100);
	if (jx_num(sc, "target", -1) >= 0)
		sb_addf(b, " (target %.0f%%)", jx_num(sc, "target", 0) * 100);
	sb_add(b, "</h3>");
	if (jv_get_kind(jx_get(sc, "sf", JV_KIND_OBJECT)) == JV_KIND_OBJECT) {
		sb_add(b, "<p class=\"meta\">written to the opportunity");
		block_state(b, r, d, jx_get(sc, "sf", JV_KIND_OBJECT));
		sb_add(b, "</p>");
	}
	sb_add(b,
	    "<table class=\"score\"><thead><tr><th>Element</th><th>Score</th><th>Confidence</th><th>Answer</th>"
	    "<th>Evidence</th></tr></thead><tbody>");
	for (int i = 0; i < jx_len(answers); i++) {
		jv a = jx_at(answers, i), ev = jx_get(a, "evidence", JV_KIND_ARRAY);
		const char *status = jx_str(a, "status") ? jx_str(a, "status") : "none";
		if (strcmp(status, "red") && strcmp(status, "amber") && strcmp(status, "green"))
			status = "none";
		sb_addf(b, "<tr><td><span class=\"dot %s\"></span>", status);
		html_esc(b, jx_str(a, "name") ? jx_str(a, "name") : jx_str(a, "id"));
		sb_add(b, "</td>");
		sb_addf(b, "<td>%d/3</td><td>%.0f%%</td><td>", (int)jx_num(a, "score", 0),
		    jx_num(a, "confidence", 0) * 100);
		html_esc(b, jx_str(a, "answer") ? jx_str(a, "answer") : "(no evidence yet)");
		sb_add(b, "</td><td>");
		for (int k = 0; k < jx_len(ev); k++) {
			int ai = act_index(acts, jx_cstr(jx_at(ev, k)));
			if (ai < 0 || va[ai].kind == 'x')
				continue;
			sb_addf(b, "<a class=\"ev\" href=\"#d%zu-a%d\" title=\"", di, ai);
			html_esc(b, va[ai].subject);
			sb_add(b, "\">");
			sb_add(b, va[ai].kind == 'e' ? "email " : "meeting ");
			sb_add(b, va[ai].start ? rp_when(va[ai].start, d->tz, when) + 4 : "");
			sb_add(b, "</a> ");
		}
		sb_add(b, "</td></tr>");
	}
	sb_add(b, "</tbody></table>");
}

static char *
dup_or(const char *s, const char *def)
{
	return xstrdup(s ? s : def);
}

/* The deal's row for the overview; returns it (in r->deals). */
static struct rp_deal *
deal_row(struct report *r, jv opp)
{
	jv owner = jx_get(opp, "Owner", JV_KIND_OBJECT), acct = jx_get(opp, "Account", JV_KIND_OBJECT);
	jv amount = jv_object_has(jv_copy(opp), jv_string("Amount")) ? jv_object_get(jv_copy(opp), jv_string("Amount"))
								     : jv_null();
	struct rp_deal *d;
	const char *cur = jx_str(opp, "CurrencyIsoCode");

	if (r->ndeals == r->dcap) {
		r->dcap = r->dcap ? r->dcap * 2 : 64;
		r->deals = xrealloc(r->deals, r->dcap * sizeof *r->deals);
	}
	d = &r->deals[r->ndeals++];
	memset(d, 0, sizeof *d);
	d->name = dup_or(jx_str(opp, "Name"), "(no name)");
	d->account = dup_or(jx_str(acct, "Name"), "");
	d->stage = dup_or(jx_str(opp, "StageName"), "");
	d->owner = dup_or(jx_str(owner, "Name"), jx_str(opp, "OwnerId") ? jx_str(opp, "OwnerId") : "(no owner)");
	d->owner_key = dup_or(jx_str(opp, "OwnerId"), d->owner);
	d->tz = dup_or(jx_str(owner, "TimeZoneSidKey"), "UTC");
	if (!tz_known(d->tz)) {
		free(d->tz);
		d->tz = xstrdup("UTC");
	}
	d->close = dup_or(jx_str(opp, "CloseDate"), "");
	d->score = -1;
	d->coverage = -1;
	d->amount_v = -1;
	if (jv_get_kind(amount) == JV_KIND_STRING || jv_get_kind(amount) == JV_KIND_NUMBER) {
		double v =
		    jv_get_kind(amount) == JV_KIND_NUMBER ? jv_number_value(amount) : atof(jv_string_value(amount));
		char digits[40], *o = d->amount;
		int n = snprintf(digits, sizeof digits, "%.0f", v < 0 ? -v : v);
		d->amount_v = v;
		/* Only a plain three-letter code is shown: nothing of the data's shape leaks here. */
		if (cur && strlen(cur) == 3 && strcmp(cur, "USD") && strspn(cur, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 3)
			o += sprintf(o, "%s ", cur);
		else
			*o++ = '$';
		if (v < 0)
			*o++ = '-';
		for (int i = 0; i < n && o < d->amount + sizeof d->amount - 2; i++) {
			*o++ = digits[i];
			if ((n - i - 1) % 3 == 0 && i < n - 1)
				*o++ = ',';
		}
		*o = '\0';
	}
	jv_free(amount);
	return d;
}

void
report_deal(struct report *r, jv rec)
{
	jv opp = jx_get(rec, "opportunity", JV_KIND_OBJECT), acts = jx_get(rec, "activities", JV_KIND_ARRAY);
	jv story = jx_get(rec, "story", JV_KIND_OBJECT);
	size_t di = r->ndeals, first = r->nacts;
	struct rp_deal *d = deal_row(r, opp);
	struct sb *b = &r->sections;
	const struct rp_act *va;
	time_t now = r->now, last_past = 0, first_up = 0;
	int n = jx_len(acts), lv = jv_get_kind(acts) != JV_KIND_ARRAY ? LV_DEALS : LV_PLANNED;

	for (int i = 0; i < n; i++) {
		jv a = jx_at(acts, i);
		const struct rp_act *x;
		act_add(r, di, i, a);
		x = &r->acts[r->nacts - 1];
		lv = lv < LV_WRITTEN && jx_str(a, "body") ? LV_WRITTEN : lv;
		lv = jv_get_kind(jx_get(a, "sf", JV_KIND_OBJECT)) == JV_KIND_OBJECT ? LV_PUSHED : lv;
		if (x->start == 0)
			continue;
		if (x->upcoming)
			first_up = first_up == 0 || x->start < first_up ? x->start : first_up;
		else
			last_past = x->start > last_past ? x->start : last_past;
	}
	va = &r->acts[first]; /* r->acts no longer grows for this deal */
	if (lv < LV_SCORED && jv_get_kind(jx_get(rec, "scorecard", JV_KIND_OBJECT)) == JV_KIND_OBJECT)
		lv = LV_SCORED;
	r->level = lv > r->level ? lv : r->level;
	/* Today: --now, else the day the plan was made for, else the run's day, else after
	 * the last past activity (and not after the first upcoming one). */
	if (!r->have_now && (!jx_str(story, "now") || time_parse(jx_str(story, "now"), &now) != 0)) {
		now = r->run_now;
		if (now == 0)
			now = last_past ? last_past - last_past % DAY_SECONDS + DAY_SECONDS : first_up;
		if (r->run_now == 0 && first_up && now > first_up)
			now = first_up;
	}
	r->seen_now = now > r->seen_now ? now : r->seen_now;

	sb_addf(b, "<section class=\"deal\" id=\"d%zu\"><h2><span class=\"swatch\" style=\"background:%s\"></span>", di,
	    rp_color(di));
	html_esc(b, d->name);
	sb_add(b, "</h2><p class=\"facts\"><span class=\"acct\">");
	html_esc(b, d->account);
	sb_add(b, "</span> · ");
	html_esc(b, d->stage);
	sb_addf(b, " · %s · closes ", d->amount[0] ? d->amount : "no amount");
	html_esc(b, d->close);
	sb_add(b, " · owner ");
	html_esc(b, d->owner);
	sb_add(b, " · times in ");
	html_esc(b, d->tz);
	if (jx_str(opp, "Id")) {
		sb_add(b, " · ");
		html_org_link(b, r, jx_str(opp, "Id"));
	}
	sb_add(b, "</p>");
	people(b, r, d, jx_get(rec, "contacts", JV_KIND_ARRAY));
	if (n > 0) {
		report_timeline(b, r, di, va, n, d->close, now);
		sb_add(b, "<div class=\"acts\">");
		for (int i = 0; i < n; i++)
			if (va[i].kind != 'x')
				activity(b, r, d, &va[i], jx_at(acts, i), rec);
		sb_add(b, "</div>");
	} else
		sb_add(b, "<p class=\"meta\">no activities planned (dg-plan adds them)</p>");
	scorecard(b, r, d, di, rec, va);
	sb_add(b, "</section>\n");
	r->failed += d->failed;
	r->written += d->written;
}
