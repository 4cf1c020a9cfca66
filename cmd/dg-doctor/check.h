/* check.h: dg-doctor's checks. Files:
 *   main.c    options, the order of the checks
 *   check.c   a check's result (id, status, message, fix) and the report
 *   org.c     the login, the org, its API version and limits
 *   access.c  objects and fields dg writes, required fields, picklists
 *   rules.c   Shared Activities, Enhanced Email, duplicate and validation rules
 *   deals.c   dg's own fields, the chosen deals' owners and accounts, People.ai */
#ifndef DG_DOCTOR_CHECK_H
#define DG_DOCTOR_CHECK_H
#include <jv.h>

struct dg_config;
struct sf;

struct checks {
	const struct dg_config *cfg;
	jv list; /* [{id, status, message, fix}] in the order run */
	struct sf *sf;
};

enum verdict { PASS, WARN, FAIL };

/* Adds a result; fix may be NULL. The message is printf-formatted. */
void check_add(struct checks *k, const char *id, enum verdict v, const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Prints the results (lines for people, or one JSON object with --json); returns how
 * many failed. */
int checks_print(const struct checks *k, int json);

/* The object's describe (cached per run), or jv_invalid() when the org has no such
 * object or the login may not see it. Borrowed. */
jv check_describe(struct checks *k, const char *object);
/* A field of a describe, or jv_invalid(). Borrowed. */
jv check_field(jv describe, const char *name);

int check_login(struct checks *k, const char *target, struct sf *sf); /* 0 when logged in */
void check_org(struct checks *k);
void check_access(struct checks *k);
void check_rules(struct checks *k);
void check_dg_fields(struct checks *k);
void check_deals(struct checks *k, long cap, const char *config);
void check_peopleai(struct checks *k);
#endif
