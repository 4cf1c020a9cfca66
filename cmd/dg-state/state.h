/* state.h: dg-state's private header: what main.c takes from tally.c (the subcommands
 * that read records, and KEY=VALUE arguments). */
#ifndef DG_STATE_H
#define DG_STATE_H

#include <jv.h>

/* KEY=VALUE arguments into o (consumed): JSON numbers and values stay typed, anything
 * else is text. A malformed one is a usage error. */
jv state_kv_args(int argc, char **argv, jv o);

/* dg-state tally FILE...: {"planned": {object: {create, there[, change]}}, "records": {object:
 * {status: n}}} of the deal records read. */
int cmd_tally(int nargs, char **args);
/* dg-state log FILE...: one event per record into events.jsonl; the failures on stdout
 * as errors.jsonl lines. */
int cmd_log(const char *run, int nargs, char **args);
/* dg-state event NAME [KEY=VALUE...]: one event into events.jsonl. */
int cmd_event(const char *name, int nargs, char **args);

struct sqlite3;
/* dg-state stale FILE...: {id, object, key, run} of every live record the state holds
 * for the deals read that their plan no longer has (stale.c). */
int cmd_stale(struct sqlite3 *db, int nargs, char **args);
/* dg-state origin FILE...: the deals passed through, each with {"origin": {now,
 * CloseDate}} when the state knows the day its demo was first written for (db may be
 * NULL: no state yet). */
int cmd_origin(struct sqlite3 *db, int nargs, char **args);
/* dg-state opps: the opportunities dg has live records for, one Id a line, in the order
 * they were first written (the deals dg refresh keeps current). */
int cmd_opps(struct sqlite3 *db);

#endif
