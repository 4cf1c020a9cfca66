/* jsonl.h: the one loop that reads JSON lines, and kind-checked helpers over libjq's jv.
 *
 * Ownership follows jq's rule: every jv_* call consumes its arguments and only jv_copy
 * adds a reference. The jx_* getters below *borrow*: they never consume the object
 * passed in, and what they return (a C string, a number, or a jv that is NOT to be
 * freed) stays valid while that object lives unchanged. */
#ifndef DG_JSONL_H
#define DG_JSONL_H

#include <jv.h>
#include <stdio.h>

#include "json.h"

/* Where a record came from, for messages: "line 12" or "deals.jsonl:12". */
struct jsonl_pos {
	const char *file; /* NULL for standard input */
	long line;
};

/* Called once per JSON object. rec is owned by the callback. Returns 0 when the record
 * was handled, non-zero when it was refused (the callback has said why). */
typedef int (*jsonl_fn)(jv rec, const struct jsonl_pos *pos, void *ctx);

/* Reads each line of the named files (or of stdin when nfiles is 0; "-" is stdin),
 * parses it and calls fn with each JSON object. Blank lines are skipped. A line that
 * is not a JSON object is reported on stderr as "line N: why" and skipped. Returns the
 * number of lines refused (by the parser or by fn); -1 when a file cannot be read. */
long jsonl_each(int nfiles, char **files, jsonl_fn fn, void *ctx);

/* jsonl_each with the reading and parsing on a second thread, a few dozen records
 * ahead of fn, which is called on the caller's thread in input order. For a program
 * whose own work per record is as heavy as parsing it. fn must not read stdin. */
long jsonl_each_ahead(int nfiles, char **files, jsonl_fn fn, void *ctx);

/* The same loop, pulled one record at a time (a program that reads as it needs). */
struct jsonl_reader {
	int nfiles, next; /* the inputs (none: stdin), and the next to open */
	char **files;
	FILE *f; /* the one being read, or NULL */
	struct jsonl_pos pos;
	char *line;
	size_t cap;
	long bad;       /* lines refused so far */
	long long read; /* bytes read so far */
	long long size; /* bytes of the regular files opened so far */
};
void jsonl_reader_init(struct jsonl_reader *r, int nfiles, char **files);
/* The next JSON object into *rec (the caller's to free) and its place into *pos:
 * returns 1, or 0 at the end of the inputs, or -1 when one cannot be read (said on
 * stderr). Bad lines are said as jsonl_each says them and counted in r->bad. */
int jsonl_next(struct jsonl_reader *r, jv *rec, struct jsonl_pos *pos);
void jsonl_reader_close(struct jsonl_reader *r);

/* A line {"dg_error": {...}} is not a record: it is the failure of an earlier stage
 * (util_stream_errors). jsonl_each says so on stderr and keeps it instead of calling fn;
 * jsonl_upstream_failed() then returns 1. */
int jsonl_upstream_failed(void);

/* Ends a filter's output: passes an earlier stage's dg_error line on (when pass_on),
 * then flushes stdout. Returns -1 when an earlier stage failed or stdout could not be
 * written (the filter then exits 1), else 0. */
int jsonl_close(int pass_on);

/* Formats pos for a message into buf ("line 12" or "deals.jsonl:12"). */
const char *jsonl_where(const struct jsonl_pos *pos, char *buf, size_t size);

/* Writes rec as one compact JSON line on stdout and frees it. */
void jsonl_emit(jv rec);

/* Borrowing getters: NULL / def / jv_invalid() when the key is absent or of another kind. */
const char *jx_str(jv obj, const char *key);
/* Lets the jx_ lookups keep the key strings they make (faster); only for a program
 * that calls them from one thread. Off by default. */
void jx_cache_keys(int on);
double jx_num(jv obj, const char *key, double def);
int jx_bool(jv obj, const char *key, int def);
jv jx_get(jv obj, const char *key, jv_kind kind); /* borrowed, do not free */
int jx_len(jv arr);                               /* 0 unless arr is an array */
jv jx_at(jv arr, int i);                          /* borrowed, do not free */

/* Returns the string value of a jv string (borrowed), or NULL for any other kind. */
const char *jx_cstr(jv v);

/* Returns obj with key set to a string (or null when s is NULL); consumes obj. */
jv jx_set_str(jv obj, const char *key, const char *s);

/* Appends ev (consumed) as one line to $DG_RUN_DIR/events.jsonl when a run directory
 * is set, otherwise drops it: {"time": UTC with milliseconds, "run": $DG_RUN_ID, "event":
 * ev.event, then ev's other keys}. The one writer of events.jsonl (the porcelain writes
 * through `dg-state event` and `dg-state log`). */
void run_event(jv ev);
#endif
