/* config.h: the demo configuration (one YAML file), validated, with defaults.
 *
 * Every stage reads the same file: -c FILE, else $DG_CONFIG, else ./demo.yaml, else
 * built-in defaults. Unknown keys are errors; ${VAR} and ${VAR:-default} in values
 * expand from the environment. Credentials never live here: they come from the
 * environment only. */
#ifndef DG_CONFIG_H
#define DG_CONFIG_H

#include <stdio.h>

struct strlist {
	char **v;
	int n;
};

struct range {
	long min, max;
};

struct dg_config {
	char *path; /* the file read, or NULL when the defaults apply */
	long seed;
	char *now;            /* NULL: today */
	struct strlist words; /* a team's own phrase-bank files (relative to the config file) */
	struct {
		char *name;
		char *website;
		struct strlist products;
	} company;
	struct {
		char *timezone;
		long day_start, day_end; /* business hours, local, 0..24 */
		struct range past_meetings, upcoming_meetings, minutes, emails;
		long per_day; /* customer meetings a rep has in a day, at most */
		long past_days, future_days;
		long min_contacts;
		struct strlist holidays; /* auto | none | country codes | YYYY-MM-DD dates */
		struct strlist domains;  /* "ACCOUNT=DOMAIN" (name or Id) for accounts without a Website */
		struct strlist renewal_types, expansion_types; /* Opportunity Type values */
		struct strlist sales_engineers, executives;    /* Users: Id, Email or Name */
	} plan;
	struct {
		char *mode;
	} content;
	struct {
		char *mode;
		char *template;
		double coverage_target;
	} score;
	struct {
		char *base_url; /* NULL: $OPENAI_BASE_URL, else https://api.openai.com/v1 */
		char *model;    /* NULL: $OPENAI_MODEL, else gpt-4o-mini */
		double temperature;
		long seed; /* 0: the config's seed */
		long max_tokens;
		char *token_field; /* auto | max_tokens | max_completion_tokens */
		long timeout, retries, jobs;
		char *azure_endpoint, *azure_deployment, *azure_api_version;
	} llm;
	struct {
		char *api_version; /* "60.0" */
		char *login_url;   /* NULL: $SF_LOGIN_URL, else https://login.salesforce.com */
		char *ca_bundle;   /* NULL: the system's CA store */
		long timeout;      /* seconds per request */
		long retries, retry_base_ms;
		char *allow_production; /* "false" | "true" */
	} salesforce;
	struct {
		struct strlist stages, types, owners, record_types, exclude_ids;
		char *close_from, *close_to; /* SOQL date or date literal: 2026-01-01, LAST_N_DAYS:90 */
		double min_amount;
		char *where;           /* an extra SOQL condition, ANDed */
		long max_opps;         /* the safety cap */
		long account_contacts; /* contacts read per account for deals without roles */
	} query;
	struct {
		long jobs, bulk_threshold;
		long window;            /* records of deals not yet written out that dg-push holds; 0: its own choice */
		char *tag_field;        /* NULL: no tag */
		long lock_wait;         /* seconds to wait for another run's lock in the org */
		char *scorecard;        /* fields | object | none */
		char *scorecard_prefix; /* DG_ */
		char *inactive_owner;   /* owns what an inactive deal owner would; NULL: the login's user */
		char *email_as;         /* task | emailmessage (Enhanced Email) */
	} push;
};

/* Chooses the file (explicit, else $DG_CONFIG, else ./demo.yaml when it exists) and
 * loads it into cfg. On any error prints every problem as "file:line:col: why" on
 * stderr and returns -1; cfg is then freed. Returns 0 on success. */
int config_load(struct dg_config *cfg, const char *explicit_path);
/* Loads from a path (NULL: defaults only); same contract as config_load. */
int config_load_file(struct dg_config *cfg, const char *path);
/* Fills cfg with the built-in defaults. */
void config_defaults(struct dg_config *cfg);
/* Writes the configuration as applied, in YAML, to f. */
void config_dump(const struct dg_config *cfg, FILE *f);
void config_free(struct dg_config *cfg);

#endif
