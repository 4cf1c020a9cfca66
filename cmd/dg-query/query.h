/* query.h: what dg-query checks of the configuration against the org before it asks. */
#ifndef DG_QUERY_H
#define DG_QUERY_H

#include "config.h"
#include "sf.h"

/* Refuses (exit 2, with the closest value the org has) a query.stages or query.types value
 * the org's Opportunity picklist lacks, a query.record_types name that is not one of the
 * org's Opportunity record types, and a query.owners entry that names no user; warns of
 * an owner who is inactive. A typo there would match nothing and make a run of 0 deals. */
void query_check(struct sf *sf, const struct dg_config *cfg);

/* The Opportunity fields dg-push writes the scorecard into (push.scorecard fields: the
 * org's push.scorecard.field_prefix*__c fields), as "F, G, " for the SELECT, so that each
 * deal carries their values before dg writes them and dg reset can put them back; ""
 * when there are none, the scorecard is not written as fields, or the prefix is empty.
 * Static. One describe call. */
const char *query_scorecard_fields(struct sf *sf, const struct dg_config *cfg);

#endif
