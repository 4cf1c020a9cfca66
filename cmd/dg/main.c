/* dg: the git-style front door. `dg NAME args...` runs dg-NAME. */
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] = "usage: dg [-h | --help] [--version] NAME [ARGS...]\n"
			    "\n"
			    "dg fills a Salesforce demo org with believable sales history. `dg NAME` runs the\n"
			    "program dg-NAME, found next to dg first and then on PATH.\n"
			    "\n"
			    "The pipeline (each stage reads and writes JSON lines):\n"
			    "  plan      a hidden deal story and a dated plan of meetings, emails and contacts\n"
			    "  content   subjects and bodies: meeting notes, agendas, emails\n"
			    "  score     a deal scorecard (MEDDICC, MEDDPICC, BANT, SPICED)\n"
			    "\n"
			    "  dg help            this text\n"
			    "  dg NAME --help     help for one program\n"
			    "  man dg             the manual; man 7 dg for the record format\n";

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

int
main(int argc, char **argv)
{
	char *dir, *prog, *path;
	const char *name, *oldpath;
	int err;

	util_init(argv[0]);
	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	name = argv[1];
	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
		if (argc > 2 && strcmp(name, "help") == 0) {
			/* `dg help plan` is `dg plan --help`. */
			argv[1] = argv[2];
			argv[2] = "--help";
			argc = 3;
			name = argv[1];
		} else {
			fputs(usage, stdout);
			return EXIT_OK;
		}
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
		fprintf(stderr, "dg: '%s' is not a dg command; see 'dg help'\n", name);
	else
		fprintf(stderr, "dg: cannot run '%s': %s\n", prog, strerror(err));
	free(prog);
	return err == ENOENT ? EXIT_NOTFOUND : 126;
}
