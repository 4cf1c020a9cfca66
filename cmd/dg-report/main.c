/* dg-report: deal records from any stage as one self-contained HTML page, or a run's
 * report.html (dg report RUN). */
#include "cli.h"
#include "jsonl.h"
#include "report.h"
#include "statedb.h"
#include "tz.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
    "usage: dg-report [--output FILE [--json]] [--title TEXT] [--instance URL] [--now DATE] [FILE...]\n"
    "       dg-report [--output FILE] [--json] [--run] RUN | last\n"
    "\n"
    "Reads deal records from any stage (dg-query, dg-plan, dg-content, dg-score, dg-state\n"
    "mark, dg-push) and writes one self-contained HTML page: an overview of the deals\n"
    "(sortable, filterable), each owner's calendar across their deals, and per deal its\n"
    "people, a timeline of meetings and emails, every activity's text, its scorecard with\n"
    "evidence, and after a push a link to each record in the org and every failure.\n"
    "\n"
    "A RUN (a run id under runs/, or a run's directory) gets report.html written into its\n"
    "directory from its records (pushed, else marked, scored, written, planned, chosen),\n"
    "with the org and the day from its run.json, and the file's path printed; \"last\" is\n"
    "the newest run, as is no argument with a terminal on standard input.\n"
    "\n"
    "      --output FILE   write the page to FILE (replaced whole) instead of stdout\n"
    "      --run RUN       the run (as RUN alone)\n"
    "      --json          say what was written as {report, deals, activities, in_org, failed}\n"
    "                      (or the error as {error}); with a run or --output\n"
    "      --title TEXT    the page's title (default \"dg report\", or the run's)\n"
    "      --instance URL  the org's address (http or https): each record links to URL/Id\n"
    "      --now DATE      where today is drawn, YYYY-MM-DD (default: the day the deals were\n"
    "                      planned for, else after each deal's last past activity)\n"
    "  -h, --help          show this help and exit\n"
    "      --version       show the version and exit\n";

static int
one(jv rec, const struct jsonl_pos *pos, void *ctx)
{
	char where[64];

	if (jv_get_kind(jx_get(rec, "opportunity", JV_KIND_OBJECT)) != JV_KIND_OBJECT) {
		warnx("%s: not a deal record (no 'opportunity' object)", jsonl_where(pos, where, sizeof where));
		jv_free(rec);
		return 1;
	}
	report_deal(ctx, rec);
	jv_free(rec);
	return 0;
}

static void
report_free(struct report *r)
{
	for (size_t i = 0; i < r->ndeals; i++) {
		struct rp_deal *d = &r->deals[i];
		free(d->name), free(d->account), free(d->stage), free(d->owner), free(d->owner_key);
		free(d->tz), free(d->close), free(d->template);
	}
	for (size_t i = 0; i < r->nacts; i++)
		free(r->acts[i].subject);
	free(r->deals);
	free(r->acts);
	sb_free(&r->sections);
}

/* Takes an org address for links only when it is http(s) (a run.json could say
 * anything), without a trailing slash. Returns a malloc'd copy or NULL. */
static char *
instance_of(const char *url)
{
	char *s;
	size_t n;

	if (url == NULL || (strncmp(url, "https://", 8) && strncmp(url, "http://", 7)) || strpbrk(url, " \"'<>\\")) {
		if (url && *url)
			warnx("'%s' is not an http(s) address: records are not linked", url);
		return NULL;
	}
	s = xstrdup(url);
	n = strlen(s);
	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

/* The directory of run name (a directory with run.json, or runs/NAME), or of the
 * newest run when name is NULL; malloc'd, or NULL. */
static char *
run_dir(const char *name)
{
	const char *runs = statedb_runs();
	struct stat st;
	char *dir = NULL, *p;

	if (name && strcmp(name, "last") == 0)
		name = NULL;
	if (name) {
		p = xasprintf("%s/run.json", name);
		if (stat(p, &st) == 0)
			dir = xstrdup(name);
		free(p);
		if (dir == NULL && !strchr(name, '/')) {
			p = xasprintf("%s/%s/run.json", runs, name);
			if (stat(p, &st) == 0)
				dir = xasprintf("%s/%s", runs, name);
			free(p);
		}
		return dir;
	}
	DIR *d = opendir(runs);
	struct dirent *e;
	char *best = NULL;
	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || (best && strcmp(e->d_name, best) <= 0))
			continue;
		p = xasprintf("%s/%s/run.json", runs, e->d_name);
		if (stat(p, &st) == 0) {
			free(best);
			best = xstrdup(e->d_name);
		}
		free(p);
	}
	if (d)
		closedir(d);
	if (best)
		dir = xasprintf("%s/%s", runs, best);
	free(best);
	return dir;
}

/* Reads dir's run.json into r (title, instance, now) and returns its records file. */
static char *
run_setup(const char *dir, struct report *r, char **title, char **instance)
{
	static const char *const files[] = { "pushed.jsonl", "marked.jsonl", "scored.jsonl", "written.jsonl",
		"planned.jsonl", "deals.jsonl" };
	char *p = xasprintf("%s/run.json", dir);
	jv all = jv_load_file(p, 0),
	   run = jv_get_kind(all) == JV_KIND_ARRAY && jv_array_length(jv_copy(all)) == 1 ? jv_array_get(jv_copy(all), 0)
											 : jv_invalid();
	struct stat st;
	const char *now;
	time_t t;

	jv_free(all);
	if (jv_get_kind(run) != JV_KIND_OBJECT) {
		jv_free(run);
		diex(EXIT_FAIL, "'%s' cannot be read as a run", p);
	}
	free(p);
	*title = xasprintf("dg run %s%s%s", jx_str(run, "id") ? jx_str(run, "id") : dir,
	    jx_str(run, "org_name") ? " · " : "", jx_str(run, "org_name") ? jx_str(run, "org_name") : "");
	*instance = instance_of(jx_str(run, "instance"));
	/* dg-plan's today: the run's --now, else the day it started */
	now = jx_str(run, "now") && strcmp(jx_str(run, "now"), "null") ? jx_str(run, "now") : jx_str(run, "start");
	if (now && strlen(now) >= 10) {
		char day[11];
		memcpy(day, now, 10);
		day[10] = '\0';
		if (time_parse(day, &t) == 0)
			r->run_now = t;
	}
	jv_free(run);
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		p = xasprintf("%s/%s", dir, files[i]);
		if (stat(p, &st) == 0 && st.st_size > 0)
			return p;
		free(p);
	}
	diex(EXIT_FAIL, "run '%s' has no records yet", dir);
}

/* Writes the page to path whole (a temporary file renamed over it), or to stdout. */
static int
write_page(struct report *r, const char *path)
{
	char *tmp;
	FILE *f;
	int rc;

	if (path == NULL)
		return report_page(r, stdout) == 0 && stdout_close() == 0 ? 0 : -1;
	tmp = xasprintf("%s.tmp%ld", path, (long)getpid());
	if ((f = fopen(tmp, "w")) == NULL) {
		warnx("cannot write '%s': %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	rc = report_page(r, f);
	if (fclose(f) != 0 || rc != 0 || rename(tmp, path) != 0) {
		warnx("cannot write '%s': %s", path, strerror(errno));
		unlink(tmp);
		rc = -1;
	}
	free(tmp);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "run", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'J' },
		{ "title", required_argument, NULL, 'T' },
		{ "instance", required_argument, NULL, 'I' },
		{ "now", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct report r = { .title = "dg report" };
	const char *out = NULL, *now = NULL, *run = NULL;
	char *dir = NULL, *records = NULL, *title = NULL, *instance = NULL, *path = NULL;
	struct stat st;
	long bad;
	int o, rc, is_run, json = 0;

	util_init(argv[0]);
	jx_cache_keys(1);
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'o': out = optarg; break;
		case 'r': run = optarg; break;
		case 'J': json = 1; break;
		case 'T': r.title = optarg; break;
		case 'I': instance = instance_of(optarg); break;
		case 'n': now = optarg; break;
		case 'h': cli_usage(usage, 0);
		case 'V': cli_version();
		default: cli_usage(usage, 1);
		}
	}
	if (json)
		util_json_errors();
	if (run && argc - optind > 0)
		diex(EXIT_USAGE, "--run '%s' and '%s': one run, or files", run, argv[optind]);
	if (run) /* --run RUN is RUN */
		argv[--optind] = (char *)run;
	if (json && !out && !(argc - optind == 1 || (argc - optind == 0 && isatty(0))))
		diex(EXIT_USAGE, "--json says where the page went: give --output FILE or a run");
	if (now) {
		if (time_parse(now, &r.now) != 0)
			diex(EXIT_USAGE, "--now '%s' is not a date (YYYY-MM-DD)", now);
		r.have_now = 1;
	}
	/* A run: one argument that is not a file, or none on a terminal. */
	if ((argc - optind == 0 && isatty(0)) ||
	    (argc - optind == 1 && strcmp(argv[optind], "-") &&
		(stat(argv[optind], &st) != 0 || S_ISDIR(st.st_mode)))) {
		const char *name = argc - optind ? argv[optind] : NULL;
		if ((dir = run_dir(name)) == NULL)
			diex(EXIT_FAIL, name ? "no such file or run '%s' (dg status lists the runs)" : "no runs yet%s",
			    name ? name : "");
		free(instance);
		records = run_setup(dir, &r, &title, &instance);
		r.title = strcmp(r.title, "dg report") ? r.title : title; /* --title wins */
		path = out ? NULL : xasprintf("%s/report.html", dir);
		argc = optind + 1;
		argv[optind] = records;
	}
	r.instance = instance;
	bad = jsonl_each_ahead(argc - optind, argv + optind, one, &r);
	rc = write_page(&r, path ? path : out);
	if (rc == 0 && json) {
		size_t acts = 0;
		for (size_t i = 0; i < r.nacts; i++)
			acts += r.acts[i].kind != 'x';
		jsonl_emit(JV_OBJECT(jv_string("report"), jv_string(path ? path : out), jv_string("deals"),
		    jv_number((double)r.ndeals), jv_string("activities"), jv_number((double)acts), jv_string("in_org"),
		    jv_number((double)r.written), jv_string("failed"), jv_number((double)r.failed)));
	} else if (rc == 0 && path)
		printf("%s\n", path);
	if (rc != 0 || (path && stdout_close() != 0))
		bad = -1;
	is_run = dir != NULL;
	report_free(&r);
	free(dir), free(records), free(title), free(instance), free(path);
	if (bad < 0 || rc != 0)
		return EXIT_FAIL;
	return jsonl_upstream_failed() && !is_run ? EXIT_FAIL : bad > 0 ? EXIT_PARTIAL : EXIT_OK;
}
