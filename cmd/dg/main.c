/* dg: the git-style front door. `dg NAME args...` runs dg-NAME. */
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] = "usage: dg [-h | --help] [--version] NAME [ARGS...]\n"
			    "       dg help [NAME]\n";

/* Every command, as `dg help` lists them. */
static const struct {
	const char *group, *name, *what;
} commands[] = {
	{ "everyday", "init", "write a demo.yaml to start from: every option, its default, what it does" },
	{ "everyday", "run", "choose deals, plan, write and push them; record what was made" },
	{ "everyday", "dry-run", "the same without writing anything: what would be created" },
	{ "everyday", "refresh", "bring a demo to today's plan: update, add and remove what changed" },
	{ "everyday", "status", "the runs recorded, or one run" },
	{ "everyday", "reset", "delete what dg created (a run, all runs, or by tag from the org)" },
	{ "everyday", "doctor", "check an org before a run: login, access, picklists, rules, People.ai" },
	{ "everyday", "verify", "check a run's records in the org as People.ai needs them" },
	{ "everyday", "report", "a run's records (or any stage's) as one HTML page: timelines, calendars" },
	{ "everyday", "login", "say where a login lands; print it as environment variables" },
	{ "everyday", "demo", "the whole flow against a fresh local org (dg-sandbox)" },
	{ "everyday", "smoke", "write, read back and delete one meeting and one email" },
	{ "filters", "query", "choose opportunities with their accounts, owners and contacts" },
	{ "filters", "plan", "a hidden deal story and a dated plan of meetings, emails and contacts" },
	{ "filters", "content", "subjects and bodies: meeting notes, agendas, emails" },
	{ "filters", "score", "a deal scorecard (MEDDICC, MEDDPICC, BANT, SPICED)" },
	{ "filters", "push", "write the plan to Salesforce in batches (or --delete)" },
	{ "filters", "state", "the local memory: mark, record, runs, ids" },
	{ "tools", "sandbox", "a local Salesforce-compatible org for demos and tests" },
	{ "tools", "config", "the configuration as applied, checked" },
};
#define NCOMMANDS (sizeof commands / sizeof *commands)

static void
help(void)
{
	const char *group = NULL;
	fputs(usage, stdout);
	fputs("\ndg fills a Salesforce demo org with believable sales history. `dg NAME` runs the\n"
	      "program dg-NAME, found next to dg first and then on PATH.\n",
	    stdout);
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (!group || strcmp(group, commands[i].group)) {
			group = commands[i].group;
			printf("\n%s%s:\n", !strcmp(group, "filters") ? "the pipeline's " : "", group);
		}
		printf("  %-9s %s\n", commands[i].name, commands[i].what);
	}
	fputs("\n  dg help NAME       the manual page of one command (else its --help)\n"
	      "  dg NAME --help     the options of one command\n"
	      "  man 7 dg           the record that flows between the stages\n",
	    stdout);
}

/* Says an unknown command, with the closest commands when some are close (as git). */
static void
unknown(const char *name)
{
	int best = 9;
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (util_distance(name, commands[i].name) < best)
			best = util_distance(name, commands[i].name);
	fprintf(stderr, "dg: '%s' is not a dg command; see 'dg help'\n", name);
	if (best > 2 && !(best <= 3 && strlen(name) > 5))
		return;
	int n = 0;
	for (size_t i = 0; i < NCOMMANDS; i++)
		n += util_distance(name, commands[i].name) == best;
	fprintf(stderr, "\nThe most similar command%s\n", n > 1 ? "s are" : " is");
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (util_distance(name, commands[i].name) == best)
			fprintf(stderr, "\t%s\n", commands[i].name);
}

/* The directory holding this program, so `dg foo` finds its own dg-foo first. */
static char *
self_dir(void)
{
	char buf[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (slash == NULL)
		return NULL;
	*slash = '\0';
	return xstrdup(buf);
}

/* `dg help NAME`: its manual page (from this checkout's doc/ or the installed
 * share/man, through man), else `dg-NAME --help`. */
static int
help_on(const char *name)
{
	if (name[0] == '-' || strchr(name, '/') || !*name) {
		unknown(name);
		return EXIT_NOTFOUND;
	}
	char *dir = self_dir(), *page = NULL;
	const char *const where[] = { "%s/../doc/dg-%s.1", "%s/../share/man/man1/dg-%s.1" };
	for (int i = 0; dir && !page && i < 2; i++) {
		char *p = xasprintf(where[i], dir, name);
		if (access(p, R_OK) == 0)
			page = p;
		else
			free(p);
	}
	char *prog = xasprintf("%s%sdg-%s", dir ? dir : "", dir ? "/" : "", name);
	free(dir);
	if (page) {
		execlp("man", "man", "-l", page, (char *)NULL);
		free(page); /* no man on this machine: the program's own help */
	}
	execl(prog, prog, "--help", (char *)NULL);
	unknown(name);
	free(prog);
	return EXIT_NOTFOUND;
}

int
main(int argc, char **argv)
{
	char *dir, *prog, *path;
	const char *name, *oldpath;
	int err;

	util_init(argv[0]);
	if (argc < 2) {
		fputs(usage, stderr);
		fputs("see 'dg help' for the commands\n", stderr);
		return EXIT_USAGE;
	}
	name = argv[1];
	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
		if (argc > 2 && strcmp(name, "help") == 0)
			return help_on(argv[2]);
		help();
		return EXIT_OK;
	}
	if (strcmp(name, "--version") == 0) {
		printf("dg %s\n", DG_VERSION);
		return EXIT_OK;
	}
	if (name[0] == '-' || strchr(name, '/') || name[0] == '\0') {
		fprintf(stderr, "dg: '%s' is not a command\n%s", name, usage);
		return EXIT_USAGE;
	}
	prog = xasprintf("dg-%s", name);
	/* Put dg's own directory in front of PATH, as git does with its exec path, so the
	 * stages it runs (and the ones they run) come from the same installation. */
	dir = self_dir();
	oldpath = getenv("PATH");
	if (dir) {
		path = xasprintf("%s%s%s", dir, oldpath && *oldpath ? ":" : "", oldpath ? oldpath : "");
		setenv("PATH", path, 1);
		free(path);
		free(dir);
	}
	argv[1] = prog;
	execvp(prog, argv + 1);
	err = errno;
	if (err == ENOENT)
		unknown(name);
	else
		fprintf(stderr, "dg: cannot run '%s': %s\n", prog, strerror(err));
	free(prog);
	return err == ENOENT ? EXIT_NOTFOUND : 126;
}
