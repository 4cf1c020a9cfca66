/* org.c: the org's switches, which every part reads (the profile, the duplicate rule
 * header of the request being answered, latency, the daily limit, the faults' seed)
 * and the request counts. It calls nothing, so anything may call it. */
#include "jsonl.h"
#include "sandbox.h"

struct switches sw = { .daily_limit = 100000, .fault_seed = 1 };

void
stats_count(const char *route)
{
	jv n = jv_object_get(jv_copy(sw.stats), jv_string(route));
	double v = jv_get_kind(n) == JV_KIND_NUMBER ? jv_number_value(n) : 0;
	jv_free(n);
	sw.stats = jv_object_set(sw.stats, jv_string(route), jv_number(v + 1));
}
