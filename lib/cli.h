/* cli.h: the options every stage shares (-c, --seed, --now) and their resolution. */
#ifndef DG_CLI_H
#define DG_CLI_H

#include "config.h"

#include <jv.h>
#include <time.h>

struct cli {
	const char *config; /* -c/--config */
	const char *seed;   /* --seed */
	const char *now;    /* --now */
};

/* Loads the configuration (cli->config, $DG_CONFIG, ./demo.yaml, defaults), applies
 * --seed over it, and resolves the run's time: --now, else the config's now, else
 * today at 00:00 UTC (the only read of the wall clock, made here so that stages stay
 * reproducible). Exits with status 2 after saying why on any error. */
void cli_setup(const struct cli *cli, struct dg_config *cfg, time_t *now);

/* Resolves a --mode value (or the config's; NULL means hybrid when an LLM is
 * configured, else heuristic) and returns it; exits 2 saying why when it is not
 * heuristic, llm or hybrid, or names an LLM mode with no LLM configured. */
const char *cli_mode(const char *mode, const struct dg_config *cfg);

/* The exit status of a filter that refused bad records and then closed stdout:
 * 1 when input could not be read or output not written, 3 when records were refused,
 * else 0. */
int cli_exit(long bad);

/* Prints the usage text to stdout and exits 0 (-h), or to stderr and exits 2 (misuse). */
void cli_usage(const char *usage, int misuse) __attribute__((noreturn));
/* Prints "progname (dg) VERSION" and exits 0. */
void cli_version(void) __attribute__((noreturn));

struct llm;
/* For --mode llm or hybrid: applies -j (jobs, may be NULL) and opens the LLM client
 * (cache unless no_cache), returning 1; for heuristic returns 0 and opens nothing.
 * Exits 2 on a bad -j, and when the client cannot start (1 in hybrid mode). */
int cli_llm_open(struct llm *l, struct dg_config *cfg, const char *mode, const char *jobs, int no_cache);

struct sf;
/* Logs in to Salesforce with the config's salesforce section (and target_org when
 * given); exits 1 after saying why when it cannot. */
void cli_sf_open(const struct dg_config *cfg, const char *target_org, struct sf *sf);
/* The same, returning -1 with err saying why (never a secret) instead of exiting. */
int cli_sf_try(const struct dg_config *cfg, const char *target_org, struct sf *sf, char *err, size_t errsize);
/* The org this login reaches: its Organization row (Id, Name, IsSandbox,
 * OrganizationType, InstanceName) with InstanceUrl and Login (the flow) added, for run
 * logs and the production guard. Exits 1 saying why when it cannot be read. */
jv cli_sf_org(struct sf *sf);
/* The login's username from /services/oauth2/userinfo (malloc'd), or NULL when the org
 * does not say. */
char *cli_sf_user(struct sf *sf);
/* One line on stderr: "N API calls; api usage U/M" (when the org said). */
void cli_sf_report(const struct sf *sf);
#endif
