/* dg-config: prints the configuration as dg applies it (the file, or the defaults,
 * with every default filled in), for checking a file and for run logs. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "config.h"
#include "util.h"

static const char usage[] =
    "usage: dg-config [-c FILE] [--seed N] [--now TIME]\n"
    "\n"
    "Loads and checks the configuration and prints it as applied (YAML, every key with its\n"
    "value or default; secrets hidden). A bad value is named with its file, line and column.\n"
    "\n"
    "  -c, --config FILE   configuration (default $DG_CONFIG, else ./demo.yaml, else defaults)\n"
    "      --seed N        the seed, over the configuration's\n"
    "      --now TIME      the run's time, YYYY-MM-DD or ISO 8601, over the configuration's\n"
    "  -h, --help          show this help and exit\n"
    "      --version       show the version and exit\n";

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 's' },
		{ "now", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { 0 };
	int c;
	util_init(argv[0]);
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cli.config = optarg; break;
		case 's': cli.seed = optarg; break;
		case 'n': cli.now = optarg; break;
		case 'h': cli_usage(usage, 0);
		case 'V': cli_version();
		default: cli_usage(usage, 1);
		}
	}
	if (optind < argc)
		cli_usage(usage, 1);
	struct dg_config cfg;
	time_t now;
	cli_setup(&cli, &cfg, &now);
	printf("# dg %s, from %s\n", DG_VERSION, cfg.path ? cfg.path : "the built-in defaults");
	config_dump(&cfg, stdout);
	config_free(&cfg);
	return stdout_close() ? EXIT_FAIL : EXIT_OK;
}
