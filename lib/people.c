/* people.c: who a logged email is between, with their addresses, and the header
 * Salesforce's email logging puts before a logged email's text. dg-push writes it,
 * dg-verify reads it back. */
#include <stdio.h>
#include <string.h>

#include "jsonl.h"
#include "people.h"
#include "util.h"

/* Whether two Ids name the same record (15 or 18 characters, either form). */
static int
same_id(const char *a, const char *b)
{
	return strlen(a) >= 15 && strlen(b) >= 15 && !strncmp(a, b, 15);
}

/* The person ref names in the deal: a contact by Id (15 or 18 characters) or planned
 * key, one of the seller's people, or the owner. Borrowed; jv_invalid() if none. */
static jv
person(jv deal, const char *ref)
{
	static const char *const lists[] = { "contacts", "sellers", NULL };
	if (!ref)
		return jv_invalid();
	for (int l = 0; lists[l]; l++) {
		jv a = jx_get(deal, lists[l], JV_KIND_ARRAY);
		for (int i = 0; i < jx_len(a); i++) {
			jv c = jx_at(a, i);
			const char *id = jx_str(c, "Id"), *key = jx_str(c, "key");
			if ((id && same_id(id, ref)) || (key && !strcmp(key, ref)))
				return c;
		}
	}
	jv opp = jx_get(deal, "opportunity", JV_KIND_OBJECT);
	const char *owner = jx_str(opp, "OwnerId");
	if (owner && same_id(owner, ref))
		return jx_get(opp, "Owner", JV_KIND_OBJECT);
	return jv_invalid();
}

static jv
address(jv p)
{
	jv o = jv_object();
	o = jx_set_str(o, "name", jx_str(p, "Name"));
	return jx_set_str(o, "email", jx_str(p, "Email"));
}

jv
people_email(jv deal, jv act)
{
	jv opp = jx_get(deal, "opportunity", JV_KIND_OBJECT);
	jv owner = jx_get(opp, "Owner", JV_KIND_OBJECT);
	const char *who = jx_str(act, "who"), *dir = jx_str(act, "direction");
	int incoming = dir && !strcmp(dir, "inbound");
	jv contact = person(deal, who);
	jv me = jv_is_valid(owner) ? address(owner) : jv_object();
	jv them = jv_is_valid(contact) ? address(contact) : jv_object();
	jv to = jv_array(), cc = jv_array();
	/* Everyone else on the email is in copy: the planned cc, else the other
	 * attendees. */
	jv copy = jx_get(act, "cc", JV_KIND_ARRAY);
	if (!jv_is_valid(copy))
		copy = jx_get(act, "attendees", JV_KIND_ARRAY);
	for (int i = 0; i < jx_len(copy); i++) {
		const char *ref = jx_cstr(jx_at(copy, i));
		jv p = person(deal, ref);
		if (ref && (!who || strcmp(ref, who)) && jv_is_valid(p))
			cc = jv_array_append(cc, address(p));
	}
	jv o = jv_object_set(jv_object(), jv_string("incoming"), jv_bool(incoming));
	o = jv_object_set(o, jv_string("from"), incoming ? them : jv_copy(me));
	to = jv_array_append(to, incoming ? me : jv_copy(them));
	if (!incoming) {
		jv_free(me);
		jv_free(them);
	}
	o = jv_object_set(o, jv_string("to"), to);
	return jv_object_set(o, jv_string("cc"), cc);
}

/* "Name <address>", or the address alone, or the name alone. */
static void
add_one(struct sb *b, jv a)
{
	const char *n = jx_str(a, "name"), *e = jx_str(a, "email");
	if (n && e)
		sb_addf(b, "%s <%s>", n, e);
	else if (e || n)
		sb_add(b, e ? e : n);
}

static void
add_list(struct sb *b, const char *label, jv list)
{
	sb_addf(b, "%s:", label);
	for (int i = 0; i < jx_len(list); i++) {
		sb_add(b, i ? ", " : " ");
		add_one(b, jx_at(list, i));
	}
	sb_addc(b, '\n');
}

char *
people_header(jv p, const char *subject)
{
	struct sb b = { 0 };
	sb_add(&b, "From: ");
	add_one(&b, jx_get(p, "from", JV_KIND_OBJECT));
	sb_addc(&b, '\n');
	add_list(&b, "To", jx_get(p, "to", JV_KIND_ARRAY));
	add_list(&b, "CC", jx_get(p, "cc", JV_KIND_ARRAY));
	sb_add(&b, "BCC:\nAttachment: --none--\n\n");
	sb_addf(&b, "Subject: %s\nBody:\n", subject ? subject : "");
	return b.s;
}

char *
people_addresses(jv list)
{
	struct sb b = { 0 };
	for (int i = 0; i < jx_len(list); i++) {
		const char *e = jx_str(jx_at(list, i), "email");
		if (e)
			sb_addf(&b, "%s%s", b.len ? "; " : "", e);
	}
	return b.s ? b.s : xstrdup("");
}
