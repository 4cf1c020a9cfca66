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

#endif
