/* dg-login: logs in to Salesforce the way every stage does and says where it landed
 * (org, instance, user, flow); with --env prints the session for a shell to export, so
 * that a run borrows it from the Salesforce CLI once instead of once per stage. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "jsonl.h"
#include "sf.h"
#include "util.h"

static const char usage[] = "usage: dg-login [-c FILE] [-o | --target-org ALIAS] [--json | --env]\n"
			    "\n"
			    "Logs in as the stages do and says where that lands: the org, sandbox or production,\n"
			    "its address, the user and the login flow.\n"
			    "\n"
			    "  -c, --config FILE        configuration (its salesforce section)\n"
			    "  -o, --target-org ALIAS   a Salesforce CLI login, by alias or username\n"
			    "      --json               the Organization record with InstanceUrl, Login, Username\n"
			    "      --env                only the session, as export lines for eval (a secret)\n"
			    "  -h, --help               show this help and exit\n"
			    "      --version            show the version and exit\n";

/* A value in single quotes for a POSIX shell. */
static void
shell_quoted(const char *k, const char *v)
{
	printf("export %s='", k);
	for (const char *p = v; *p; p++)
		if (*p == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*p);
	fputs("'\n", stdout);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "target-org", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'J' },
		{ "env", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { 0 };
	const char *target = NULL;
	int c, json = 0, envout = 0;
	util_init(argv[0]);
	while ((c = getopt_long(argc, argv, "c:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cli.config = optarg; break;
		case 'o': target = optarg; break;
		case 'J': json = 1; break;
		case 'E': envout = 1; break;
		case 'h': cli_usage(usage, 0);
		case 'V': cli_version();
		default: cli_usage(usage, 1);
		}
	}
	if (optind < argc) {
		warnx("unexpected argument '%s'", argv[optind]);
		cli_usage(usage, 1);
	}
	if (json && envout)
		diex(EXIT_USAGE, "--json and --env cannot be used together");
	struct dg_config cfg;
	time_t now;
	cli_setup(&cli, &cfg, &now);
	struct sf sf;
	cli_sf_open(&cfg, target, &sf);
	if (envout) {
		/* Only the session: the stages take SF_ACCESS_TOKEN before any other login. */
		shell_quoted("SF_INSTANCE_URL", sf.instance);
		shell_quoted("SF_ACCESS_TOKEN", sf.token);
	} else {
		jv org = cli_sf_org(&sf);
		char *user = cli_sf_user(&sf);
		org = jx_set_str(org, "Username", user);
		if (json)
			jsonl_emit(org);
		else {
			printf("logged in to '%s' (%s, %s) at %s as %s, by %s\n", jx_str(org, "Name"),
			    jx_str(org, "Id"), jx_bool(org, "IsSandbox", 0) ? "sandbox" : "PRODUCTION", sf.instance,
			    user ? user : "(unknown user)", sf.flow);
			jv_free(org);
		}
		free(user);
	}
	sf_close(&sf);
	config_free(&cfg);
	return stdout_close() ? EXIT_FAIL : EXIT_OK;
}
