/* results.c: answers into the records (their sf blocks). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "push.h"
#include "sf.h"
#include "sfid.h"
#include "util.h"

/* results into the records */

static const char *const status_name[] = { "none", "created", "updated", "skipped", "failed", "found", "matched" };

static jv
sf_block(const struct item *x, jv old)
{
	jv b = jv_object_set(jv_object(), jv_string("object"), jv_string(x->object));
	if (x->id[0] && x->status != S_FAILED)
		b = jv_object_set(b, jv_string("id"), jv_string(x->id));
	b = jv_object_set(b, jv_string("status"), jv_string(status_name[x->status]));
	if (x->status == S_FAILED)
		b = jv_object_set(b, jv_string("error"), jv_copy(x->error));
	if (jv_get_kind(x->before) == JV_KIND_OBJECT && x->status != S_FAILED)
		b = jv_object_set(b, jv_string("before"), jv_copy(x->before));
	/* Keep what an earlier run recorded beside it (the role, the relations). */
	if (jv_get_kind(old) == JV_KIND_OBJECT) {
		jv_object_foreach(old, k, val)
		{
			const char *ks = jv_string_value(k);
			/* "changed" was dg-state mark's word for this push: it is answered now */
			if (x->update && !strcmp(ks, "relations") && jv_get_kind(val) == JV_KIND_ARRAY) {
				/* an updated activity's relations were left as they were: not created now */
				for (int r = 0; r < jv_array_length(jv_copy(val)); r++) {
					jv rb = jv_array_get(jv_copy(val), r);
					if (jx_str(rb, "status") && !strcmp(jx_str(rb, "status"), "created"))
						val = jv_array_set(val, r,
						    jv_object_set(rb, jv_string("status"), jv_string("skipped")));
					else
						jv_free(rb);
				}
				b = jv_object_set(b, k, val);
			} else if (strcmp(ks, "object") && strcmp(ks, "id") && strcmp(ks, "status") &&
			    strcmp(ks, "error") && strcmp(ks, "changed"))
				b = jv_object_set(b, k, val);
			else {
				jv_free(k);
				jv_free(val);
			}
		}
	}
	return b;
}

/* Changes deal.list[idx] through f. Each level is taken out of its parent while it
 * changes, so that it is changed in place rather than copied. */
static jv
set_in(jv deal, const char *list, int idx, jv (*f)(jv, const struct item *), const struct item *x)
{
	jv arr = jv_object_get(jv_copy(deal), jv_string(list));
	deal = jv_object_set(deal, jv_string(list), jv_null());
	jv el = jv_array_get(jv_copy(arr), idx);
	arr = jv_array_set(arr, idx, jv_null());
	el = f(el, x);
	arr = jv_array_set(arr, idx, el);
	return jv_object_set(deal, jv_string(list), arr);
}

static jv
put_sf(jv el, const struct item *x)
{
	jv old = jv_object_get(jv_copy(el), jv_string("sf"));
	jv b = sf_block(x, old);
	jv_free(old);
	return jv_object_set(el, jv_string("sf"), b);
}

static jv
put_role(jv el, const struct item *x)
{
	jv sf = jv_object_get(jv_copy(el), jv_string("sf"));
	if (jv_get_kind(sf) != JV_KIND_OBJECT) {
		jv_free(sf);
		sf = jv_object();
	}
	jv old = jv_object_get(jv_copy(sf), jv_string("role"));
	jv b = sf_block(x, old);
	jv_free(old);
	sf = jv_object_set(sf, jv_string("role"), b);
	return jv_object_set(el, jv_string("sf"), sf);
}

static jv
put_rel(jv el, const struct item *x)
{
	jv sf = jv_object_get(jv_copy(el), jv_string("sf"));
	if (jv_get_kind(sf) != JV_KIND_OBJECT) {
		jv_free(sf);
		sf = jv_object();
	}
	jv rels = jv_object_get(jv_copy(sf), jv_string("relations"));
	if (jv_get_kind(rels) != JV_KIND_ARRAY) {
		jv_free(rels);
		rels = jv_array();
	}
	jv b = sf_block(x, jv_null());
	rels = jv_array_set(rels, x->rel, b);
	sf = jv_object_set(sf, jv_string("relations"), rels);
	return jv_object_set(el, jv_string("sf"), sf);
}

/* Item x's answer into its deal record (consumed and returned). */
jv
result_apply(jv deal, const struct item *x)
{
	if (x->status == S_NONE)
		return deal;
	switch (x->kind) {
	case K_CONTACT: return set_in(deal, "contacts", x->idx, put_sf, x);
	case K_ROLE: return set_in(deal, "contacts", x->idx, put_role, x);
	case K_EVENT:
	case K_TASK: return set_in(deal, "activities", x->idx, put_sf, x);
	case K_REL: return set_in(deal, "activities", x->idx, put_rel, x);
	case K_SCORE: {
		jv sc = jv_object_get(jv_copy(deal), jv_string("scorecard"));
		deal = jv_object_set(deal, jv_string("scorecard"), jv_null());
		return jv_object_set(deal, jv_string("scorecard"), put_sf(sc, x));
	}
	}
	return deal;
}
