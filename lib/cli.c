/* cli.c: shared option handling for the stages. */
#include "cli.h"
#include "tz.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
cli_setup(const struct cli *cli, struct dg_config *cfg, time_t *now)
{
	long seed;

	if (config_load(cfg, cli->config) != 0)
		exit(EXIT_USAGE);
	if (cli->seed) {
		if (parse_long(cli->seed, 0, 4294967295L, &seed) != 0)
			diex(EXIT_USAGE, "--seed: '%s' is not a whole number from 0 to 4294967295",
			    cli->seed);
		cfg->seed = seed;
	}
	if (cli->now) {
		if (time_parse(cli->now, now) != 0)
			diex(EXIT_USAGE, "--now: '%s' is not a date (YYYY-MM-DD) or ISO 8601 time",
			    cli->now);
	} else if (cfg->now) {
		time_parse(cfg->now, now); /* checked when the config was loaded */
	} else {
		*now = time(NULL) / 86400 * 86400;
	}
}

void
cli_mode(const char *mode)
{
	if (strcmp(mode, "heuristic") == 0)
		return;
	if (strcmp(mode, "llm") == 0 || strcmp(mode, "hybrid") == 0)
		diex(EXIT_USAGE, "--mode %s: this build has no LLM client yet; use heuristic", mode);
	diex(EXIT_USAGE, "--mode: '%s' is not one of heuristic, llm, hybrid", mode);
}

int
cli_exit(long bad)
{
	if (stdout_close() != 0 || bad < 0)
		return EXIT_FAIL;
	return bad > 0 ? EXIT_PARTIAL : EXIT_OK;
}

void
cli_usage(const char *usage, int misuse)
{
	fputs(usage, misuse ? stderr : stdout);
	exit(misuse ? EXIT_USAGE : EXIT_OK);
}

void
cli_version(void)
{
	printf("%s (dg) %s\n", progname, DG_VERSION);
	exit(EXIT_OK);
}
