/* dg-push: writes the planned records to Salesforce, in dependency order, through
 * sObject Collections (200 records a call, several calls in flight), and passes every
 * deal record on with an "sf" block on each item: object, Id, status (created,
 * skipped, failed) and the error for failures. `--delete` deletes by Id instead. */
#include <ctype.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "config.h"
#include "jsonl.h"
#include "push.h"
#include "sf.h"
#include "sfid.h"
#include "util.h"

static const char usage[] =
    "usage: dg-push [-c FILE] [-j N] [--tag TAG] [--reconcile] [--refresh] [--allow-production] [-o | --target-org ALIAS]\n"
    "               [FILE...]\n"
    "       dg-push --delete [-c FILE] [-j N] [--allow-production] [-o | --target-org ALIAS] [FILE...]\n"
    "       dg-push --delete --from-org [--tag TAG] [-c FILE] [-j N] [--allow-production]\n"
    "\n"
    "Writes the deal records' contacts, contact roles, meetings, emails, their relations and\n"
    "the scorecard to Salesforce in batches (sObject Collections; Bulk API 2.0 for large\n"
    "loads), in dependency order, and passes each record on with an sf block per item.\n"
    "\n"
    "  -c, --config FILE        configuration (default $DG_CONFIG, else ./demo.yaml)\n"
    "  -j, --jobs N             calls in flight (default push.jobs, 4)\n"
    "      --tag TAG            the run's tag, written to push.tag_field (at most 64 characters)\n"
    "      --reconcile          first find in the org what an interrupted run created but never\n"
    "                           recorded (it comes out as found, not created again)\n"
    "      --refresh            update a meeting, email or scorecard the org has when the plan\n"
    "                           changed it (its block says \"changed\": dg-state mark)\n"
    "      --allow-production   write even into a production org\n"
    "      --delete             delete the records the input's sf blocks name instead\n"
    "      --from-org           with --delete: every record whose tag field is set (or is TAG)\n"
    "  -o, --target-org ALIAS   log in as the Salesforce CLI's ALIAS\n"
    "  -h, --help               show this help and exit\n"
    "      --version            show the version and exit\n";

/* --delete: the Ids of one input line. */
static int
collect(jv rec, const struct jsonl_pos *pos, void *ctx)
{
	char where[64];
	return push_collect_ids(ctx, rec, jsonl_where(pos, where, sizeof where));
}

struct opening {
	struct push *p;
	const char *target;
	struct sf *sf;
	int rc;
};

/* Logs in (exits with the reason when it cannot), asks what the org is, and takes the
 * org's run lock before anything is written (all while the input is read). */
static void *
open_org(void *arg)
{
	struct opening *o = arg;
	cli_sf_open(o->p->cfg, o->target, o->sf);
	o->p->sf = o->sf;
	o->rc = push_guard(o->p);
	if (o->rc == 0 && !o->p->del && push_lock(o->p) != 0)
		o->rc = EXIT_FAIL;
	return NULL;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "tag", required_argument, NULL, 't' },
		{ "delete", no_argument, NULL, 'D' },
		{ "reconcile", no_argument, NULL, 'R' },
		{ "refresh", no_argument, NULL, 'U' },
		{ "from-org", no_argument, NULL, 'F' },
		{ "allow-production", no_argument, NULL, 'P' },
		{ "target-org", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { 0 };
	struct push p = { 0 };
	const char *jobs = NULL, *target = NULL;
	int c, allow = 0, tag_given = 0;
	util_init(argv[0]);
	util_stream_errors();
	while ((c = getopt_long(argc, argv, "c:j:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cli.config = optarg; break;
		case 'j': jobs = optarg; break;
		case 't':
			p.tag = optarg;
			tag_given = 1;
			break;
		case 'D': p.del = 1; break;
		case 'R': p.reconcile = 1; break;
		case 'U': p.refresh = 1; break;
		case 'F': p.from_org = 1; break;
		case 'P': allow = 1; break;
		case 'o': target = optarg; break;
		case 'h': cli_usage(usage, 0);
		case 'V': cli_version();
		default: cli_usage(usage, 1);
		}
	}
	struct dg_config cfg;
	time_t now;
	cli_setup(&cli, &cfg, &now);
	p.cfg = &cfg;
	p.jobs = cfg.push.jobs;
	if (jobs && parse_long(jobs, 1, 64, &p.jobs) != 0)
		diex(EXIT_USAGE, "-j '%s': expected a number of calls in flight from 1 to 64", jobs);
	if (!p.tag)
		p.tag = getenv("DG_TAG") && *getenv("DG_TAG") ? getenv("DG_TAG") : "dg";
	if (p.tag && strlen(p.tag) > 64)
		diex(EXIT_USAGE, "--tag: at most 64 characters");
	p.allow = allow || !strcmp(cfg.salesforce.allow_production, "true");

	p.deals = jv_array();
	p.seen = jv_object();
	p.ids = jv_array();
	p.restores = jv_array();
	if (p.from_org && !p.del)
		diex(EXIT_USAGE, "--from-org goes with --delete");
	if (p.from_org && !(cfg.push.tag_field && *cfg.push.tag_field))
		diex(EXIT_USAGE, "--from-org finds dg's records by push.tag_field, which the config does not set");
	if (p.from_org && !getenv("DG_TAG") && !tag_given)
		p.tag = NULL; /* every tagged record, whatever the run */
	/* The login's and the guard's round trips run while the input is read and planned. */
	struct sf sf;
	struct opening o = { &p, target, &sf, 0 };
	p.t0 = push_clock();
	pthread_t t;
	int threaded = pthread_create(&t, NULL, open_org, &o) == 0;
	if (!threaded)
		open_org(&o);
	/* Deals are read as the push goes (window.c); the first ones while logging in. */
	long bad = 0;
	jsonl_reader_init(&p.in, argc - optind, argv + optind);
	if (p.del)
		bad = p.from_org ? 0 : jsonl_each(argc - optind, argv + optind, collect, &p);
	else
		push_plan(&p);
	if (threaded)
		pthread_join(t, NULL);
	int rc = bad < 0 || p.read_failed ? EXIT_FAIL : o.rc;
	if (rc == 0)
		rc = p.del ? push_delete(&p) : push_create(&p);
	if (p.read_failed && !rc)
		rc = EXIT_FAIL;
	bad += p.in.bad + p.refused;
	jsonl_reader_close(&p.in);
	push_free(&p);
	if (!o.rc)
		push_unlock(&p); /* when push_create did not run to its end */
	cli_sf_report(&sf);
	sf_close(&sf);
	jv_free(p.deals);
	jv_free(p.seen);
	jv_free(p.ids);
	jv_free(p.restores);
	jv_free(p.fields);
	jv_free(p.readonly);
	jv_free(p.types);
	config_free(&cfg);
	/* The next stage (dg-state record) keeps what came before and fails too. */
	if ((rc == EXIT_FAIL || rc == EXIT_USAGE) && !jsonl_upstream_failed())
		util_fail_downstream(rc,
		    rc == EXIT_USAGE ? "refused to push (see its messages)"
				     : "the push did not finish (see its messages)");
	if (jsonl_close(1))
		return EXIT_FAIL; /* output not written, or an earlier stage failed */
	if (rc)
		return rc;
	return bad || p.failed ? EXIT_PARTIAL : EXIT_OK;
}
