/* lock.c: one dg run at a time writes to an org, whatever machines and state files
 * the runs use. The lock is a DG_Lock__c record whose Key__c is unique in the org:
 * taking it is creating that record, so of two runs the org itself refuses the second
 * (DUPLICATE_VALUE), which then waits for the first to delete it. A killed run's lock
 * ends at its Expires__c. A run that waited, or cleared a stale lock, looks in the org
 * for what the other run made (reconcile) before creating anything, so nothing is made
 * twice. An org without DG_Lock__c works as before, with a warning. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "jsonl.h"
#include "push.h"
#include "sf.h"
#include "tz.h"
#include "util.h"

#define LOCK_KEY "dg-run"
#define LEASE_S (30 * 60) /* a lock older than this was left by a killed run */
#define NAP_S 2

static void
iso(time_t t, char buf[32])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%S.000+0000", &tm);
}

/* The lock record there now: its Id, holder and expiry; 0 when there is none. */
static int
current(struct push *p, char id[SFID_SIZE], char *holder, size_t hsize, time_t *expires, char *err, size_t errsize)
{
	jv r = sf_request(p->sf, "GET",
	    "/query?q=SELECT+Id%2C+Holder__c%2C+Expires__c+FROM+DG_Lock__c+WHERE+Key__c+%3D+%27" LOCK_KEY "%27", NULL,
	    NULL, err, errsize);
	jv row = jx_at(jx_get(r, "records", JV_KIND_ARRAY), 0);
	int there = jv_get_kind(row) == JV_KIND_OBJECT && jx_str(row, "Id");
	if (there) {
		snprintf(id, SFID_SIZE, "%s", jx_str(row, "Id"));
		snprintf(holder, hsize, "%s", jx_str(row, "Holder__c") ? jx_str(row, "Holder__c") : "another dg run");
		*expires = 0;
		if (jx_str(row, "Expires__c"))
			time_parse(jx_str(row, "Expires__c"), expires);
	}
	int ok = jv_is_valid(r);
	jv_free(r);
	return ok ? there : -1;
}

/* Whether the holder ran on this host under a process that no longer exists (it was
 * killed): its lock need not be waited out. */
static int
gone(const char *holder, const char *host)
{
	const char *at = strrchr(holder, '@'), *pid = strstr(holder, " pid ");
	size_t hl = strlen(host);
	if (!at || !pid || pid < at || (size_t)(pid - at - 1) != hl || strncmp(at + 1, host, hl))
		return 0;
	long n = atol(pid + 5);
	return n > 0 && kill((pid_t)n, 0) != 0 && errno == ESRCH;
}

int
push_lock(struct push *p)
{
	char err[1024], host[256] = "?", exp[32], id[SFID_SIZE];
	if (!push_has_field(p, "DG_Lock__c", "Key__c")) {
		warnx("the org has no DG_Lock__c object: a second dg run writing to it at the same time could "
		      "make records twice (see dg-push(1), LOCKING)");
		return 0;
	}
	gethostname(host, sizeof host - 1);
	const char *user = getenv("USER") ? getenv("USER") : "?";
	for (long waited = 0;;) {
		time_t now = time(NULL);
		iso(now + LEASE_S, exp);
		jv rec = jv_object_set(jv_object(), jv_string("Name"), jv_string("dg run lock"));
		rec = jx_set_str(rec, "Key__c", LOCK_KEY);
		rec = jv_object_set(rec, jv_string("Holder__c"),
		    jv_string_fmt("run %s by %s@%s pid %ld", p->tag ? p->tag : "-", user, host, (long)getpid()));
		rec = jx_set_str(rec, "Expires__c", exp);
		struct sb body = { 0 };
		jx_dump(&body, rec);
		jv_free(rec);
		long status = 0;
		jv r = sf_request(p->sf, "POST", "/sobjects/DG_Lock__c", sb_str(&body), &status, err, sizeof err);
		sb_free(&body);
		if (jv_is_valid(r) && jx_str(r, "id")) {
			snprintf(p->lock_id, sizeof p->lock_id, "%s", jx_str(r, "id"));
			jv_free(r);
			if (waited)
				warnx("the other run is done; going on (looking for what it made first)");
			return 0;
		}
		jv_free(r);
		if (!strstr(err, "DUPLICATE_VALUE")) {
			warnx("cannot take the org's run lock (DG_Lock__c): %s", err);
			return -1;
		}
		char holder[256];
		time_t expires;
		int there = current(p, id, holder, sizeof holder, &expires, err, sizeof err);
		if (there < 0) {
			warnx("cannot read the org's run lock (DG_Lock__c): %s", err);
			return -1;
		}
		/* Whatever the other run made, this one looks for before creating. */
		p->reconcile = 1;
		if (!there)
			continue; /* released meanwhile */
		if ((expires && expires < now) || gone(holder, host)) {
			warnx("clearing the run lock %s of %s: it %s before letting go", id, holder,
			    expires && expires < now ? "expired" : "was stopped");
			char *path = xasprintf("/sobjects/DG_Lock__c/%s", id);
			jv d = sf_request(p->sf, "DELETE", path, NULL, &status, err, sizeof err);
			free(path);
			jv_free(d);
			if (status >= 300 && !strstr(err, "ENTITY_IS_DELETED")) {
				warnx("cannot clear the stale run lock %s: %s", id, err);
				return -1;
			}
			continue;
		}
		if (waited >= p->cfg->push.lock_wait) {
			warnx("gave up after %ld s: %s is still writing to this org (push.lock_wait)", waited, holder);
			return -1;
		}
		if (!waited || waited % 60 == 0)
			warnx("waiting for %s to finish writing to this org", holder);
		sleep(NAP_S);
		waited += NAP_S;
	}
}

void
push_unlock(struct push *p)
{
	if (!p->lock_id[0])
		return;
	char err[512], *path = xasprintf("/sobjects/DG_Lock__c/%s", p->lock_id);
	long status = 0;
	jv d = sf_request(p->sf, "DELETE", path, NULL, &status, err, sizeof err);
	free(path);
	jv_free(d);
	if (status >= 300 && !strstr(err, "ENTITY_IS_DELETED"))
		warnx("cannot release the run lock %s (it ends by itself at its expiry): %s", p->lock_id, err);
	p->lock_id[0] = '\0';
}
