/* sfblocks.h: the places in a deal record where a Salesforce record is, or will be,
 * and their sf blocks: planned contacts and their contact roles, activities and their
 * relations, the scorecard. The one reading of that shape: dg-state (mark, record,
 * tally, log), dg-push (what to delete, whom to relate) and the porcelain through
 * dg-state use it. The blocks' fields are documented in dg(7). */
#ifndef DG_SFBLOCKS_H
#define DG_SFBLOCKS_H

#include <jv.h>

enum sf_site { SITE_CONTACT, SITE_ROLE, SITE_ACTIVITY, SITE_REL, SITE_SCORE };

/* One place, as the walker hands it over (all borrowed for the call). */
struct sf_place {
	enum sf_site site;
	const char *key;    /* the state key: the contact's or activity's key, KEY/role,
	                     * KEY/rel/N, OPP/scorecard */
	const char *item;   /* the contact's or activity's own key (NULL for the scorecard) */
	const char *opp;    /* the deal's opportunity Id ("" when it has none) */
	const char *object; /* what is written there: Contact, OpportunityContactRole, Event,
	                     * Task or EmailMessage (sf_activity_object), EventRelation,
	                     * TaskRelation or EmailMessageRelation; for the scorecard the
	                     * block's object, or NULL before it is written */
	int parent;         /* a role's or relation's contact or activity has a block (an
	                     * earlier run wrote it, or fn just gave it one) */
	const char *sig;    /* with sf_blocks_sig, for an activity and the scorecard: a hash of
	                     * what is written (the item without its block); for a relation:
	                     * whom it relates (an Id or a contact key); else NULL */
};

/* Called with a place's block (consumed: an object, or jv_null() when there is none
 * yet); returns the block to keep there (an object), or jv_null() to leave none. */
typedef jv (*sf_block_fn)(jv sf, const struct sf_place *pl, void *ctx);

/* Calls fn for every place of rec (consumed) in a fixed order (contacts with their
 * roles, activities with their relations, the scorecard) and returns rec with the
 * blocks fn returned. email_as is push.email_as (NULL: task): what an email with no
 * block yet is written as. */
jv sf_blocks(jv rec, const char *email_as, sf_block_fn fn, void *ctx);
/* The same, with each activity's and the scorecard's content hash in pl->sig: what
 * tells a record the org has from the one a later plan wants (dg refresh). */
jv sf_blocks_sig(jv rec, const char *email_as, sf_block_fn fn, void *ctx);

/* What activity act (borrowed) is in the org: its block's object when it has one, else
 * Event for a meeting and, for an email, Task or EmailMessage (email_as). Static. */
const char *sf_activity_object(jv act, const char *email_as);
/* The relation object of an activity object: EventRelation, TaskRelation or
 * EmailMessageRelation. Static. */
const char *sf_relation_object(const char *object);

/* Whom an activity relates (a new array of Ids, contact keys, or null for a place
 * with nobody): for an Event or a Task everyone besides the contact it is with: its
 * other attendees (an email's: the people in copy), then the seller's people who join
 * (internal). An EmailMessage (object) relates its contact (who) and its owner (the
 * opportunity's owner, may be NULL) first, then the same people, in copy. The order is
 * fixed: a relation's place in it names it across runs (KEY/rel/N, sf.relations[N]). */
jv sf_related(jv act, const char *object, const char *owner);

/* Whether a block holds a record the org has (an Id, and not failed). */
int sf_block_live(jv sf);

#endif
