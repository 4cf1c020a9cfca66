/* cli.c: shared option handling for the stages. */
#include "cli.h"
#include "jsonl.h"
#include "sf.h"
#include "llm.h"
#include "tz.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
cli_setup(const struct cli *cli, struct dg_config *cfg, time_t *now)
{
	long seed;

	if (config_load(cfg, cli->config) != 0) {
		util_fail_downstream(EXIT_USAGE, "the configuration cannot be used (see its messages)");
		exit(EXIT_USAGE);
	}
	if (cli->seed) {
		if (parse_long(cli->seed, 0, 4294967295L, &seed) != 0)
			diex(EXIT_USAGE, "--seed: '%s' is not a whole number from 0 to 4294967295", cli->seed);
		cfg->seed = seed;
	}
	if (cli->now) {
		if (time_parse(cli->now, now) != 0)
			diex(EXIT_USAGE, "--now: '%s' is not a date (YYYY-MM-DD) or ISO 8601 time", cli->now);
		/* What the run went by, as its resolved configuration says. */
		free(cfg->now);
		cfg->now = xstrdup(cli->now);
	} else if (cfg->now) {
		time_parse(cfg->now, now); /* checked when the config was loaded */
	} else {
		*now = time(NULL) / DAY_SECONDS * DAY_SECONDS;
	}
}

const char *
cli_mode(const char *mode, const struct dg_config *cfg)
{
	if (mode == NULL)
		return llm_configured(cfg) ? "hybrid" : "heuristic";
	if (strcmp(mode, "heuristic") && strcmp(mode, "llm") && strcmp(mode, "hybrid"))
		diex(EXIT_USAGE, "--mode: '%s' is not one of heuristic, llm, hybrid", mode);
	if (strcmp(mode, "heuristic") && !llm_configured(cfg))
		diex(EXIT_USAGE,
		    "--mode %s needs an LLM: set OPENAI_BASE_URL (and OPENAI_API_KEY), "
		    "AZURE_OPENAI_ENDPOINT, or llm.base_url in the config",
		    mode);
	return mode;
}

int
cli_exit(long bad)
{
	if (jsonl_close(1) != 0 || bad < 0)
		return EXIT_FAIL;
	return bad > 0 ? EXIT_PARTIAL : EXIT_OK;
}

void
cli_usage(const char *usage, int misuse)
{
	fputs(usage, misuse ? stderr : stdout);
	if (misuse)
		util_fail_downstream(EXIT_USAGE, "usage error");
	exit(misuse ? EXIT_USAGE : EXIT_OK);
}

void
cli_version(void)
{
	printf("%s (dg) %s\n", progname, DG_VERSION);
	exit(EXIT_OK);
}

int
cli_sf_try(const struct dg_config *cfg, const char *target_org, struct sf *sf, char *err, size_t errsize)
{
	struct sf_conf c = { 0 };

	c.api_version = cfg->salesforce.api_version;
	c.login_url = cfg->salesforce.login_url;
	c.ca_bundle = cfg->salesforce.ca_bundle;
	c.timeout = cfg->salesforce.timeout;
	c.retries = cfg->salesforce.retries;
	c.retry_base_ms = cfg->salesforce.retry_base_ms;
	c.target_org = target_org;
	if (sf_open(sf, &c, err, errsize) != 0) {
		sf_close(sf);
		return -1;
	}
	return 0;
}

void
cli_sf_open(const struct dg_config *cfg, const char *target_org, struct sf *sf)
{
	char err[1024];
	if (cli_sf_try(cfg, target_org, sf, err, sizeof err) != 0)
		diex(EXIT_FAIL, "%s", err);
}

void
cli_sf_report(const struct sf *sf)
{
	jv ev = jv_object_set(jv_object(), jv_string("event"), jv_string("api-usage"));

	ev = jv_object_set(ev, jv_string("stage"), jv_string(progname));
	ev = jv_object_set(ev, jv_string("calls"), jv_number((double)sf->calls));
	if (sf->api_max >= 0) {
		warnx("%ld API calls; org API usage %ld/%ld", sf->calls, sf->api_used, sf->api_max);
		ev = jv_object_set(ev, jv_string("used"), jv_number((double)sf->api_used));
		ev = jv_object_set(ev, jv_string("max"), jv_number((double)sf->api_max));
	} else
		warnx("%ld API calls", sf->calls);
	run_event(ev);
}

int
cli_llm_open(struct llm *l, struct dg_config *cfg, const char *mode, const char *jobs, int no_cache)
{
	char err[512];

	if (jobs && parse_long(jobs, 1, 64, &cfg->llm.jobs) != 0)
		diex(EXIT_USAGE, "-j '%s': expected a number from 1 to 64", jobs);
	if (strcmp(mode, "heuristic") == 0)
		return 0;
	if (llm_open(l, cfg, no_cache, err, sizeof err) != 0)
		diex(strcmp(mode, "llm") ? EXIT_FAIL : EXIT_USAGE, "%s", err);
	return 1;
}

jv
cli_sf_org(struct sf *sf)
{
	char err[1024];
	jv r = sf_request(sf, "GET",
	    "/query?q=SELECT+Id%2C+Name%2C+IsSandbox%2C+OrganizationType%2C+InstanceName+FROM+Organization", NULL, NULL,
	    err, sizeof err);
	if (!jv_is_valid(r))
		diex(EXIT_FAIL, "cannot read the organization: %s", err);
	jv o = jv_copy(jx_at(jx_get(r, "records", JV_KIND_ARRAY), 0));
	jv_free(r);
	if (jv_get_kind(o) != JV_KIND_OBJECT || !jx_str(o, "Id") ||
	    !jv_is_valid(jx_get(o, "IsSandbox", jx_bool(o, "IsSandbox", 0) ? JV_KIND_TRUE : JV_KIND_FALSE)))
		diex(EXIT_FAIL,
		    "cannot read the organization: the org's answer has no Organization record with an Id and IsSandbox");
	o = jv_object_delete(o, jv_string("attributes"));
	o = jv_object_set(o, jv_string("InstanceUrl"), jv_string(sf->instance));
	return jv_object_set(o, jv_string("Login"), jv_string(sf->flow));
}

char *
cli_sf_user(struct sf *sf)
{
	char err[512];
	jv u = sf_request(sf, "GET", "/services/oauth2/userinfo", NULL, NULL, err, sizeof err);
	const char *name = jv_is_valid(u) ? jx_str(u, "preferred_username") : NULL;
	char *out = name ? xstrdup(name) : NULL;
	jv_free(u);
	return out;
}
