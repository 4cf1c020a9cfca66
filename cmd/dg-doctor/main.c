/* dg-doctor: before a run, checks that the configured org can take what dg writes and
 * that People.ai can match it: the login and the org, limits, access to every object
 * and field, picklists, required fields, rules, dg's own fields, the chosen deals'
 * owners and accounts, and the People.ai side. One line per check (pass, warn or
 * fail, an id, a message and the fix), or --json. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "cli.h"
#include "config.h"
#include "jsonl.h"
#include "sf.h"
#include "util.h"

static const char usage[] = "usage: dg-doctor [-c FILE] [-o | --target-org ALIAS] [--max-opps N] [--json]\n"
			    "\n"
			    "Checks an org before a run: the login, the objects and fields dg writes and the access\n"
			    "to them, picklists, required fields, validation and duplicate rules, owners, and what\n"
			    "People.ai needs to match the records. Each check passes, warns or fails, with a fix.\n"
			    "\n"
			    "  -c, --config FILE        configuration (default $DG_CONFIG, else ./demo.yaml)\n"
			    "  -o, --target-org ALIAS   log in as the Salesforce CLI's ALIAS\n"
			    "      --max-opps N         how many deals to look at (default query.max_opps)\n"
			    "      --json               one JSON object: {checks: [{id, status, message, fix}], ...}\n"
			    "  -h, --help               show this help and exit\n"
			    "      --version            show the version and exit\n";

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "target-org", required_argument, NULL, 'o' },
		{ "max-opps", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { 0 };
	const char *target = NULL, *maxs = NULL;
	int c, json = 0;
	util_init(argv[0]);
	while ((c = getopt_long(argc, argv, "c:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cli.config = optarg; break;
		case 'o': target = optarg; break;
		case 'm': maxs = optarg; break;
		case 'J': json = 1; break;
		case 'h': cli_usage(usage, 0);
		case 'V': cli_version();
		default: cli_usage(usage, 1);
		}
	}
	if (optind < argc) {
		warnx("unexpected argument '%s'", argv[optind]);
		cli_usage(usage, 1);
	}
	struct dg_config cfg;
	time_t now;
	cli_setup(&cli, &cfg, &now);
	long cap = cfg.query.max_opps;
	if (maxs && parse_long(maxs, 1, 1000000, &cap) != 0)
		diex(EXIT_USAGE, "--max-opps '%s': expected a number from 1 to 1000000", maxs);
	struct checks k = { &cfg, jv_array(), NULL };
	struct sf sf;
	if (check_login(&k, target, &sf) == 0) {
		k.sf = &sf;
		check_org(&k);
		check_access(&k);
		check_rules(&k);
		check_dg_fields(&k);
		check_deals(&k, cap, cli.config);
		check_peopleai(&k);
		sf_close(&sf);
	}
	int failed = checks_print(&k, json);
	jv_free(k.list);
	config_free(&cfg);
	if (stdout_close())
		return EXIT_FAIL;
	return failed ? EXIT_FAIL : EXIT_OK;
}
