/* dg-sandbox: a local Salesforce-compatible org on 127.0.0.1, for the demo and tests.
 *
 * It speaks the part of the REST API dg uses (OAuth token, query and queryMore,
 * sObject CRUD, sObject Collections, Bulk API 2.0 ingest, describe, limits) with the
 * status codes and error bodies of a real org, keeps the org in SQLite, and can be
 * told to misbehave (latency, expiring sessions, 503s, lock errors, HTML 500s, a daily
 * request limit, refused records) so clients' retry paths can be tested. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "jsonl.h"
#include "rng.h"
#include "sandbox.h"
#include "tz.h"

#define MAX_JSON_BODY (50L << 20)
#define MAX_BULK_BODY (150L << 20)

static const char usage_text[] =
    "usage: dg-sandbox [-p PORT] [--db FILE] [--seed N] [--opps N] [--empty] [--schema FILE]...\n"
    "                  [--without OBJECT]... [--keep-parsed N] [--profile lenient|enterprise]\n"
    "                  [--now TIME] [--production] [--jwt-cert FILE] [--latency MS] [--expire-after N]\n"
    "                  [--daily-limit N] [--fault KIND[@N|%P]]... [--fail-when FIELD=VALUE[:CODE]]... [-v]\n"
    "       dg-sandbox --export-sfdx DIR [--schema FILE]...\n"
    "\n"
    "A local Salesforce-compatible org on 127.0.0.1 (REST, Collections, Bulk API 2.0, OAuth);\n"
    "prints its URL on stdout when it is ready.\n"
    "\n"
    "  -p, --port PORT            port (0, the default, picks a free one)\n"
    "      --db FILE              keep the org in this SQLite file across restarts\n"
    "      --seed N               seed of the demo org and of --fault rates (default 1)\n"
    "      --opps N               an org of N opportunities with their accounts and contacts\n"
    "      --empty                only the organization and the admin user\n"
    "      --schema FILE          custom fields and objects (repeatable; default sandbox/dg.yaml)\n"
    "      --without OBJECT       an org without this standard object (repeatable)\n"
    "      --keep-parsed N        keep objects of up to N records parsed (default 20000)\n"
    "      --profile PROFILE      lenient (default) or enterprise: refuses as a customer org does\n"
    "      --now TIME             the org's clock starts at TIME (ISO 8601 or a date)\n"
    "      --production           Organization.IsSandbox is false\n"
    "      --jwt-cert FILE        the certificate JWT bearer assertions must be signed with\n"
    "      --latency MS           wait MS milliseconds before answering each data call\n"
    "      --expire-after N       a session expires after N data calls (401 INVALID_SESSION_ID)\n"
    "      --daily-limit N        daily API request limit (default 100000)\n"
    "      --fault KIND[@N|%P]    fail the Nth call, P%, or all: unavailable, lock, html500,\n"
    "                             rowlock (per record) or bulkfail (per Bulk job); repeatable\n"
    "      --fail-when F=V[:CODE] refuse every record whose field F is V (repeatable)\n"
    "      --export-sfdx DIR      write the schema as a Salesforce DX source folder and exit\n"
    "  -v, --verbose              log each request on stderr\n"
    "  -h, --help                 show this help and exit\n"
    "      --version              show the version and exit\n";

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char base_url[64];
static int verbose;

/* ---- dispatch ---- */

static void
dispatch(struct req *h, const char *method, const char *url, char *limit_info)
{
	if (!strcmp(url, "/services/oauth2/token")) {
		stats_count("token");
		if (strcmp(method, "POST"))
			return reply_error(h, 405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed. Allowed are POST");
		char *form = xstrndup(h->body ? h->body : "", h->bodylen);
		/* Parameters may also come in the query string. */
		if (!*form) {
			const char *gt = req_arg(h, "grant_type");
			free(form);
			form = xasprintf("grant_type=%s", gt ? gt : "");
		}
		int status;
		/* The printed URL (127.0.0.1) is the org's My Domain; localhost stands for
		 * the generic login hosts. */
		const char *host = req_header(h, "Host");
		int generic = host && !strncasecmp(host, "localhost", 9);
		jv out = auth_token(form, req_header(h, "Authorization"), base_url, generic, &status);
		free(form);
		return reply_json(h, status, out);
	}
	if (!strcmp(url, "/services/oauth2/userinfo")) {
		stats_count("userinfo");
		if (strcmp(method, "GET") && strcmp(method, "POST"))
			return reply_error(
			    h, 405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed. Allowed are GET,POST");
		int status;
		jv out = auth_userinfo(req_header(h, "Authorization"), base_url, &status);
		return reply_json(h, status, out);
	}
	if (!strncmp(url, "/services/data", 14))
		return rest_call(h, method, url + 14, limit_info);
	if (!strncmp(url, "/_sandbox/", 10)) {
		stats_count("admin");
		return admin_route(h, method, url + 10);
	}
	reply_error(h, 404, "NOT_FOUND", "The requested resource does not exist");
}

/* ---- libmicrohttpd glue ---- */

/* A real org takes at most 16,384 bytes of request line and headers. */
#define MAX_REQUEST_HEAD 16384

/* Adds the bytes a query argument or a header takes on the wire (percent-encoded for
 * arguments, as clients send them) to *(size_t *)cls. */
static enum MHD_Result
head_bytes(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	size_t *n = cls;
	if (kind == MHD_HEADER_KIND) {
		*n += strlen(key) + 2 + (value ? strlen(value) : 0) + 2;
		return MHD_YES;
	}
	*n += 1; /* ? or & */
	for (const char *p = key; *p; p++)
		*n += strchr("-_.~", *p) || isalnum((unsigned char)*p) ? 1 : 3;
	for (const char *p = value ? value : ""; *p; p++)
		*n += 1 + (strchr("-_.~=", *p) || isalnum((unsigned char)*p) ? 0 : 2);
	*n += value ? 1 : 0;
	return MHD_YES;
}

/* The request's line and headers as it came: 414 when the line alone is over the
 * cap, 431 when the headers take it over; 0 when it is within. */
static int
head_too_big(struct MHD_Connection *c, const char *method, const char *url)
{
	size_t line = strlen(method) + 1 + strlen(url) + sizeof " HTTP/1.1" - 1, heads = 0;
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, head_bytes, &line);
	if (line > MAX_REQUEST_HEAD)
		return 414;
	MHD_get_connection_values(c, MHD_HEADER_KIND, head_bytes, &heads);
	return line + heads > MAX_REQUEST_HEAD ? 431 : 0;
}

struct conn {
	double t0; /* when the request arrived */
	struct sb body;
	int too_big;
	long max;
};

static enum MHD_Result
answer(void *cls, struct MHD_Connection *c, const char *url, const char *method, const char *version,
    const char *upload, size_t *upsize, void **con_cls)
{
	struct conn *cn = *con_cls;
	if (!cn) {
		cn = xcalloc(1, sizeof *cn);
		cn->t0 = locks_clock();
		cn->max = strstr(url, "/jobs/ingest/") ? MAX_BULK_BODY : MAX_JSON_BODY;
		*con_cls = cn;
		return MHD_YES;
	}
	if (*upsize) {
		if ((long)(cn->body.len + *upsize) > cn->max)
			cn->too_big = 1;
		else
			sb_addn(&cn->body, upload, *upsize);
		*upsize = 0;
		return MHD_YES;
	}
	/* "//services/data": clients that keep the instance URL with its trailing slash
	 * (the Salesforce CLI does) add their paths after it; the platform takes both. */
	while (url[0] == '/' && url[1] == '/')
		url++;
	static long serial;
	struct req h = { 0 };
	h.conn = c;
	h.t0 = cn->t0;
	h.body = cn->body.s;
	h.bodylen = cn->body.len;
	h.content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	/* A JSON body is read here, outside the lock, while other requests hold it. */
	if (h.bodylen && h.content_type && !strncasecmp(h.content_type, "application/json", 16)) {
		h.parsed = jv_parse_sized(h.body, (int)h.bodylen);
		h.preparsed = 1;
	}
	if (sw.latency_ms > 0 && !strncmp(url, "/services/data/v", 16)) {
		struct timespec ts = { sw.latency_ms / 1000, (sw.latency_ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
	}
	char limit_info[64] = "";
	const char *override = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "_HttpMethod");
	if (override && !strcmp(method, "POST"))
		method = override;

	int head = head_too_big(c, method, url);
	pthread_mutex_lock(&lock);
	h.serial = ++serial;
	if (head)
		reply_error(&h, head, head == 414 ? "URI_TOO_LONG" : "REQUEST_HEADER_FIELDS_TOO_LARGE",
		    "The request line and headers are longer than the 16,384 bytes Salesforce accepts");
	else if (cn->too_big)
		reply_error(&h, 413, "REQUEST_ENTITY_TOO_LARGE", "The request body is larger than dg-sandbox accepts");
	else
		dispatch(&h, method, url, limit_info);
	if (h.preparsed)
		jv_free(h.parsed); /* not read by the route */
	pthread_mutex_unlock(&lock);

	if (verbose) {
		const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "q");
		fprintf(stderr, "dg-sandbox: %s %s%s%s %d\n", method, url, q ? " q=" : "", q ? q : "", h.status);
	}
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    h.out.len, h.out.s ? h.out.s : (char *)"", h.out.s ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (h.ctype && h.status != 204)
		MHD_add_response_header(r, "Content-Type", h.ctype);
	if (*limit_info)
		MHD_add_response_header(r, "Sforce-Limit-Info", limit_info);
	if (h.location)
		MHD_add_response_header(r, "Location", h.location);
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)h.status, r);
	MHD_destroy_response(r);
	return ret;
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct conn *cn = *con_cls;
	if (cn) {
		sb_free(&cn->body);
		free(cn);
		*con_cls = NULL;
	}
}

static void
usage(FILE *f, int code)
{
	fputs(usage_text, f);
	exit(code);
}

/* Listens on 127.0.0.1:port (0: a free one), prints the base URL, and answers until
 * SIGINT or SIGTERM. */
static void
serve(uint16_t port)
{
	/* Signals are taken by sigwait below; the server's threads inherit the mask. A
	 * shell starts background jobs with SIGINT ignored, and an ignored signal never
	 * reaches sigwait, so the defaults come back first. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct sockaddr_in addr = { 0 };
	addr.sin_family = AF_INET;
	addr.sin_port = htons(port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct MHD_Daemon *d =
	    MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL, 0, NULL,
		NULL, answer, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED,
		completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)(256 * 1024), MHD_OPTION_END);
	if (!d)
		diex(EXIT_FAIL, "cannot listen on 127.0.0.1:%u: %s", (unsigned)port, strerror(errno));
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(base_url, sizeof base_url, "http://127.0.0.1:%u", info ? info->port : (unsigned)port);
	printf("%s\n", base_url);
	if (fflush(stdout) == EOF)
		diex(EXIT_FAIL, "cannot write the base URL: %s", strerror(errno));

	int sig;
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
}

/* A customer org's restricted activity Type, without "Email". */
static void
enterprise_picklists(void)
{
	static const char *const type[] = { "Call", "Meeting", "Other", NULL };

	schema_set_values("Task", "Type", type, 1);
	schema_set_values("Event", "Type", type, 1);
}

/* Opens the store (db, or memory) and seeds it when it is new: the demo org, or with
 * empty only the organization and its admin. Returns 0 or -1. */
static int
open_org(const char *db, int empty, int production, uint64_t seed, int opps)
{
	if (store_open(db) < 0)
		return -1;
	sw.fault_seed = seed;
	if (store_is_new()) {
		sw.allow_save = 1; /* the demo org is as it is: no duplicate rule while seeding */
		store_begin();
		if ((empty ? seed_minimal(production) : seed_org(seed, production, opps)) < 0) {
			store_rollback();
			return -1;
		}
		store_commit();
		malloc_trim(0); /* seeding a big org freed much at once */
	}
	return 0;
}

/* The options that set how the org behaves (its switches, org.c): 1 when c was one. */
static int
org_option(int c, const char *optarg)
{
	long n;
	switch (c) {
	case 'R':
		if (!strcmp(optarg, "lenient"))
			sw.profile = PROFILE_LENIENT;
		else if (!strcmp(optarg, "enterprise"))
			sw.profile = PROFILE_ENTERPRISE;
		else
			diex(EXIT_USAGE, "--profile '%s': expected lenient or enterprise", optarg);
		break;
	case 'n': {
		time_t t;
		if (time_parse(optarg, &t) < 0)
			diex(EXIT_USAGE, "--now '%s': expected YYYY-MM-DD or an ISO 8601 time", optarg);
		org_set_now(t);
		break;
	}
	case 'J': auth_set_jwt_cert(optarg); break;
	case 'l':
		if (parse_long(optarg, 0, 600000, &sw.latency_ms) < 0)
			diex(EXIT_USAGE, "--latency '%s': expected milliseconds", optarg);
		break;
	case 'x':
		if (parse_long(optarg, 1, 1L << 40, &n) < 0)
			diex(EXIT_USAGE, "--expire-after '%s': expected a number of calls", optarg);
		auth_set_expire_after(n);
		break;
	case 'L':
		if (parse_long(optarg, 0, 1L << 40, &sw.daily_limit) < 0)
			diex(EXIT_USAGE, "--daily-limit '%s': expected a number of calls", optarg);
		break;
	case 'f':
		if (fault_add(optarg) < 0)
			diex(EXIT_USAGE,
			    "--fault '%s': expected KIND, KIND@N or KIND%%P with KIND unavailable, lock, html500, rowlock or bulkfail",
			    optarg);
		break;
	case 'w':
		if (rules_fail_when(optarg) < 0)
			diex(EXIT_USAGE, "--fail-when '%s': expected FIELD=VALUE[:CODE]", optarg);
		break;
	default: return 0;
	}
	return 1;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "db", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ "opps", required_argument, NULL, 'O' },
		{ "profile", required_argument, NULL, 'R' },
		{ "empty", no_argument, NULL, 'e' },
		{ "schema", required_argument, NULL, 'S' },
		{ "without", required_argument, NULL, 'W' },
		{ "keep-parsed", required_argument, NULL, 'K' },
		{ "now", required_argument, NULL, 'n' },
		{ "production", no_argument, NULL, 'P' },
		{ "jwt-cert", required_argument, NULL, 'J' },
		{ "latency", required_argument, NULL, 'l' },
		{ "expire-after", required_argument, NULL, 'x' },
		{ "daily-limit", required_argument, NULL, 'L' },
		{ "fault", required_argument, NULL, 'f' },
		{ "fail-when", required_argument, NULL, 'w' },
		{ "export-sfdx", required_argument, NULL, 'X' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	long port = 0, seed = 1, opps = 0;
	const char *db = NULL, *export_dir = NULL;
	char **schemas = xcalloc((size_t)argc + 1, sizeof *schemas);
	int nschemas = 0, empty = 0, production = 0, c;
	util_init(argv[0]);
	while ((c = getopt_long(argc, argv, "p:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_long(optarg, 0, 65535, &port) < 0)
				diex(EXIT_USAGE, "-p '%s': expected a port number (0 picks a free one)", optarg);
			break;
		case 'd': db = optarg; break;
		case 's':
			if (parse_long(optarg, 0, 0x7fffffffffffffffL, &seed) < 0)
				diex(EXIT_USAGE, "--seed '%s': expected a whole number", optarg);
			break;
		case 'e': empty = 1; break;
		case 'O':
			if (parse_long(optarg, 1, 1000000, &opps) < 0)
				diex(EXIT_USAGE, "--opps '%s': expected a number of opportunities from 1 to 1000000",
				    optarg);
			break;
		case 'S': schemas[nschemas++] = optarg; break;
		case 'W': schema_without(optarg); break;
		case 'K':
			if (parse_long(optarg, 0, 100000000, &store_keep_parsed) < 0)
				diex(EXIT_USAGE, "--keep-parsed '%s': expected a number of records", optarg);
			break;
		case 'P': production = 1; break;
		case 'X': export_dir = optarg; break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout, EXIT_OK); break;
		case 'V': printf("dg-sandbox %s\n", DG_VERSION); return EXIT_OK;
		default:
			if (!org_option(c, optarg))
				usage(stderr, EXIT_USAGE);
		}
	}
	if (optind < argc) {
		warnx("unexpected argument '%s'", argv[optind]);
		usage(stderr, EXIT_USAGE);
	}
	char *def = NULL;
	if (!nschemas)
		schemas[nschemas++] = def = share_path("sandbox/dg.yaml");
	int bad = schema_load(nschemas, schemas);
	free(def);
	free(schemas);
	if (bad < 0)
		return EXIT_USAGE;
	if (export_dir)
		return sfdx_export(export_dir) == 0 ? EXIT_OK : EXIT_FAIL;
	seed_task_picklists_schema();
	if (sw.profile == PROFILE_ENTERPRISE)
		enterprise_picklists();
	if (open_org(db, empty, production, (uint64_t)seed, (int)opps) < 0)
		return EXIT_FAIL;
	sw.allow_save = 0;
	sw.stats = jv_object();

	serve((uint16_t)port);
	store_close();
	rules_fail_clear();
	locks_free();
	jv_free(sw.stats);
	return EXIT_OK;
}
