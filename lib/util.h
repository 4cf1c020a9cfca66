/* util.h: process-wide helpers every dg program uses: messages, allocation, strings. */
#ifndef DG_UTIL_H
#define DG_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#define DG_VERSION "0.1.0"

/* The exit-code vocabulary shared by every dg program (see dg(1)). */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_PARTIAL = 3, EXIT_NOTFOUND = 127 };

/* Name used as the prefix of every message; set once from argv[0] by util_init. */
extern const char *progname;

/* Sets progname from argv0 (its last path component) and makes the files the program
 * creates private (umask 077). */
void util_init(const char *argv0);

/* Prints "progname: msg" on stderr. */
void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* For filters (programs whose stdout is JSON lines): from now on a failure exit
 * (diex, misuse) also writes one line {"dg_error":{"program","status","message"}} on
 * stdout (unless it is a terminal), so that the next stage of a pipeline fails too
 * instead of succeeding on empty input (see jsonl_each). */
void util_stream_errors(void);
/* For a command's --json: a failure (diex) also prints {"program", "status", "error"} as
 * one line on stdout, terminal or not, so that a script reading the JSON sees it. */
void util_json_errors(void);
/* Writes that line when util_stream_errors was called and code is not 0. */
void util_fail_downstream(int code, const char *msg);
/* Prints "progname: msg" on stderr (and, in a filter, the dg_error line on stdout) and
 * exits with code. */
void diex(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* Allocation that never returns NULL: on exhaustion the process dies. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a malloc'd formatted string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable string buffer. s is always NUL-terminated once anything was added. */
struct sb {
	char *s;
	size_t len, cap;
};
void sb_add(struct sb *b, const char *s);
void sb_addn(struct sb *b, const char *s, size_t n);
void sb_addc(struct sb *b, char c);
void sb_addf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns b's string (never NULL: "" when empty) and leaves b reusable after sb_reset. */
const char *sb_str(struct sb *b);
void sb_reset(struct sb *b);
void sb_free(struct sb *b);

/* Shortens s (a UTF-8 string of len bytes) to at most max bytes without splitting a
 * character; returns the new length. */
size_t utf8_trim(const char *s, size_t len, size_t max);

/* Returns the directory holding dg's data files: $DG_SHARE, else <bindir>/../share/dg
 * next to the running program, else the compiled-in DG_SHAREDIR. Never NULL. */
const char *share_dir(void);
/* Returns a malloc'd path share_dir()/rel. */
char *share_path(const char *rel);

/* Edits (insert, delete, change, swap of neighbours; letters in either case alike)
 * between a and b, up to 9. */
int util_distance(const char *a, const char *b);
/* The one of cands[0..n) closest to word when it is close (a slip of a letter or
 * two: a did-you-mean), else NULL. Borrowed. */
const char *util_closest(const char *word, const char *const *cands, int n);

/* Parses a decimal integer in [lo, hi]; returns 0 on success, -1 otherwise. */
int parse_long(const char *s, long lo, long hi, long *out);

/* Writes out buffered stdout and reports a write error (for example a full disk or a
 * closed pipe); returns 0 when all output reached its destination. */
int stdout_close(void);

#endif
