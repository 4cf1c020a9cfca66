/* org.c: the org's switches, which every part reads (the profile, the duplicate rule
 * header of the request being answered, latency, the daily limit, the faults' seed),
 * the profile's task statuses and priorities, and the request counts. It calls
 * nothing, so anything may call it. */
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

/* The org's task statuses and priorities, by profile: one table serves both the
 * TaskStatus and TaskPriority rows and the Task.Status and Task.Priority picklists. */
static const struct pick lenient_st[] = { { "Not Started", 0, 1 }, { "In Progress", 0, 0 }, { "Completed", 1, 0 },
	{ "Waiting on someone else", 0, 0 }, { "Deferred", 0, 0 }, { NULL, 0, 0 } };
static const struct pick enterprise_st[] = { { "Open", 0, 1 }, { "In Progress", 0, 0 }, { "Done", 1, 0 },
	{ "Cancelled", 1, 0 }, { NULL, 0, 0 } };
static const struct pick lenient_pr[] = { { "High", 1, 0 }, { "Normal", 0, 1 }, { "Low", 0, 0 }, { NULL, 0, 0 } };
static const struct pick enterprise_pr[] = { { "High", 1, 0 }, { "Medium", 0, 1 }, { "Low", 0, 0 }, { NULL, 0, 0 } };

const struct pick *
org_task_statuses(void)
{
	return sw.profile == PROFILE_ENTERPRISE ? enterprise_st : lenient_st;
}

const struct pick *
org_task_priorities(void)
{
	return sw.profile == PROFILE_ENTERPRISE ? enterprise_pr : lenient_pr;
}

const char *
org_task_closed(void)
{
	for (const struct pick *p = org_task_statuses(); p->name; p++)
		if (p->flag)
			return p->name;
	return "Completed";
}

const char *
org_task_priority(void)
{
	for (const struct pick *p = org_task_priorities(); p->name; p++)
		if (p->def)
			return p->name;
	return "Normal";
}
