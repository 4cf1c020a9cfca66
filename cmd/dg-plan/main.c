/* dg-plan: per deal, a hidden story and a dated plan of meetings, emails and contacts. */
#include "cli.h"
#include "jsonl.h"
#include "plan.h"
#include "tz.h"
#include "util.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "usage: dg-plan [-c FILE] [--seed N] [--now DATE] [FILE...]\n"
			    "\n"
			    "Reads deal records (JSON lines) and adds to each a hidden 'story', a dated plan of\n"
			    "'activities' (meetings and emails) and, when a deal has too few people, planned\n"
			    "'contacts'. Same input, config, seed and now give byte-identical output.\n"
			    "\n"
			    "  -c, --config FILE  configuration file (default $DG_CONFIG, else ./demo.yaml)\n"
			    "      --seed N       seed for every random choice (default: the config's seed)\n"
			    "      --now DATE     the present, YYYY-MM-DD or ISO 8601 (default: today)\n"
			    "  -h, --help         show this help and exit\n"
			    "      --version      show the version and exit\n";

static jv
refs(const struct deal *d, const int *idx, int n)
{
	jv a = jv_array();
	int i;

	for (i = 0; i < n; i++)
		if (idx[i] >= 0)
			a = jv_array_append(a, jv_string(d->people[idx[i]].ref));
	return a;
}

static jv
topics_json(unsigned topics)
{
	jv a = jv_array();
	int t;

	for (t = 0; t < T_COUNT; t++)
		if (topics & (1u << t))
			a = jv_array_append(a, jv_string(topic_name(t)));
	return a;
}

static jv
act_json(const struct deal *d, const struct act *acts, const struct act *a)
{
	char when[32];
	jv o = jv_object();

	o = jx_set_str(o, "key", a->key);
	o = jx_set_str(o, "kind", a->meeting ? "meeting" : "email");
	o = jx_set_str(o, "type", act_types[a->type].id);
	o = jx_set_str(o, "when", a->past ? "past" : "upcoming");
	o = jx_set_str(o, "start", time_iso(a->start, when));
	if (a->meeting)
		o = jv_object_set(o, jv_string("minutes"), jv_number(a->minutes));
	if (a->ninternal) {
		jv in = jv_array();
		int i;

		for (i = 0; i < a->ninternal; i++)
			in = jv_array_append(in, jv_string(a->internal[i]));
		o = jv_object_set(o, jv_string("internal"), in);
	}
	if (a->moved_from)
		o = jx_set_str(o, "moved_from", time_iso(a->moved_from, when));
	o = jx_set_str(o, "subject", act_types[a->type].title);
	o = jx_set_str(o, "who", a->who >= 0 ? d->people[a->who].ref : NULL);
	o = jv_object_set(o, jv_string("attendees"), refs(d, a->attendees, a->nattendees));
	if (!a->meeting) {
		o = jx_set_str(o, "direction", a->inbound ? "inbound" : "outbound");
		if (a->ncc > 0)
			o = jv_object_set(o, jv_string("cc"), refs(d, a->attendees + a->nattendees - a->ncc, a->ncc));
		if (a->reply_to >= 0)
			o = jx_set_str(o, "reply_to", acts[a->reply_to].key);
	}
	if (a->about >= 0) /* a recap, an agenda, a reschedule: the meeting it is about */
		o = jx_set_str(o, "about", acts[a->about].key);
	o = jv_object_set(o, jv_string("topics"), topics_json(a->topics));
	return o;
}

/* The deal's sales engineer, manager and executive from the record's sellers: one
 * of each kind, the same for all deals of an owner (chosen by the owner's Id). */
static void
sellers_choose(struct planner *pl, struct deal *d, jv sellers)
{
	const char *se[8], *ex[8];
	int nse = 0, nex = 0, i;
	uint64_t h = hash_str(hash_u64(FNV_OFFSET, (uint64_t)pl->cfg->seed), d->owner ? d->owner : d->id);

	for (i = 0; i < jx_len(sellers); i++) {
		jv u = jx_at(sellers, i);
		const char *id = jx_str(u, "Id"), *role = jx_str(u, "Role");

		if (!id || !role)
			continue;
		if (!strcmp(role, "manager"))
			d->mgr = id;
		else if (!strcmp(role, "sales_engineer") && nse < 8)
			se[nse++] = id;
		else if (!strcmp(role, "executive") && nex < 8)
			ex[nex++] = id;
	}
	d->se = nse ? se[h % (uint64_t)nse] : NULL;
	d->exec = nex ? ex[(h >> 32) % (uint64_t)nex] : NULL;
}

static int
by_start(const void *x, const void *y)
{
	const struct act *a = *(const struct act *const *)x, *b = *(const struct act *const *)y;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->meeting > b->meeting ? -1 : a->meeting < b->meeting;
}

/* The domain of the deal's account into d->domain (account_domain: its Website, the
 * configuration, its people's addresses), for the contacts dg plans there. Returns 0
 * after saying why the deal is skipped when it needs planned contacts and there is no
 * domain: made-up addresses would match nothing in People.ai. */
static int
deal_domain(const struct planner *pl, jv rec, jv acct, struct deal *d)
{
	jv cs = jx_get(rec, "contacts", JV_KIND_ARRAY);
	const char *emails[MAX_PEOPLE];
	int n = 0;
	for (int i = 0; i < jx_len(cs) && n < MAX_PEOPLE; i++)
		emails[n++] = jx_str(jx_at(cs, i), "Email");
	const char *name = jx_str(acct, "Name");
	if (account_domain(jx_str(acct, "Website"), name, jx_str(acct, "Id"), &pl->cfg->plan.domains, emails, n,
		d->domain, sizeof d->domain))
		return 1;
	/* A deal with people enough gets no planned contacts: it needs no domain. */
	if (d->npeople >= pl->cfg->plan.min_contacts)
		return 1;
	/* A long name is cut at 80 bytes, not inside a character. */
	if (!name)
		name = "?";
	int k = (int)strlen(name) > 80 ? 80 : (int)strlen(name);
	while (k > 0 && ((unsigned char)name[k] & 0xC0) == 0x80)
		k--;
	warnx("'%s': its account '%.*s' has no Website, no contact with an address and no plan.domains entry for the "
	      "contacts it needs, and made-up addresses would match nothing in People.ai: skipped (add the Website, "
	      "or plan.domains: ['%.*s=DOMAIN'])",
	    d->id, k, name, k, name);
	return 0;
}

static int
plan_one(jv rec, const struct jsonl_pos *pos, void *ctx)
{
	struct planner *pl = ctx;
	static struct deal d;
	static struct act acts[MAX_ACTS];
	static const struct act *order[MAX_ACTS];
	jv opp = jx_get(rec, "opportunity", JV_KIND_OBJECT), acct, story, list, contacts;
	const char *stage, *tz, *close;
	struct rng r;
	int n, i;

	memset(&d, 0, sizeof d);
	if ((d.id = deal_id(rec, pos)) == NULL) {
		jv_free(rec);
		return 1;
	}
	d.planned = jv_array();
	d.owner = jx_str(opp, "OwnerId");
	tz = jx_str(jx_get(opp, "Owner", JV_KIND_OBJECT), "TimeZoneSidKey");
	d.tz = tz_known(tz) ? tz : pl->cfg->plan.timezone;
	cal_busy(pl, d.owner, d.tz, jx_get(rec, "owner_busy", JV_KIND_ARRAY));
	stage = jx_str(opp, "StageName");
	d.closed = jx_bool(opp, "IsClosed", stage && strcasestr(stage, "closed") != NULL);
	d.won = d.closed && jx_bool(opp, "IsWon", stage && strcasestr(stage, "won") != NULL);
	d.phase = stage_phase(stage);
	if (d.won) {
		d.phase = 6;
	} else if (d.closed) {
		/* A lost deal stopped somewhere along the way. */
		rng_init(&r, (uint64_t)pl->cfg->seed, d.id, "lost-at", 0);
		d.phase = (int)rng_range(&r, 1, 5);
	} else if (d.phase > 5) {
		d.phase = 5;
	}
	close = jx_str(opp, "CloseDate");
	if (close == NULL || time_parse(close, &d.close) != 0)
		d.close = 0;
	d.path = deal_path(pl->cfg, jx_str(opp, "Type"));
	d.slipped = !d.closed && d.phase >= 2 && d.close && d.close + 7 * DAY_SECONDS < pl->now;
	if (d.closed && !d.won) {
		/* How it was lost: most deals go quiet or go to a competitor. */
		static const enum loss by[] = { LOSS_QUIET, LOSS_QUIET, LOSS_QUIET, LOSS_COMPETITOR, LOSS_COMPETITOR,
			LOSS_COMPETITOR, LOSS_NO_DECISION, LOSS_NO_DECISION, LOSS_BUDGET, LOSS_TIMING };

		rng_init(&r, (uint64_t)pl->cfg->seed, d.id, "loss", 0);
		d.loss = by[rng_range(&r, 0, 9)];
	}
	{
		/* Size on a log scale: $5K is 0, $5M is 1; an unknown amount sits in between. */
		double amt = jx_num(opp, "Amount", 0);

		d.size = amt > 0 ? (log10(amt) - log10(5000.0)) / 3.0 : 0.4;
		d.size = d.size < 0 ? 0 : d.size > 1 ? 1 : d.size;
	}
	acct = jx_get(opp, "Account", JV_KIND_OBJECT);
	d.npeople = deal_people(rec, d.people, MAX_PEOPLE);
	if (!deal_domain(pl, rec, acct, &d)) {
		jv_free(d.planned);
		jv_free(rec);
		return 0;
	}
	people_choose(pl, &d, opp);
	sellers_choose(pl, &d, jx_get(rec, "sellers", JV_KIND_ARRAY));
	story = story_make(pl, &d, opp);
	n = schedule(pl, &d, acts, MAX_ACTS);
	for (i = 0; i < n; i++)
		order[i] = &acts[i];
	qsort(order, (size_t)n, sizeof *order, by_start);
	list = jv_array();
	for (i = 0; i < n; i++)
		list = jv_array_append(list, act_json(&d, acts, order[i]));

	/* Only now touch rec: d borrows strings from its contacts. */
	contacts = jv_array_length(jv_copy(d.planned)) > 0
	    ? jv_array_concat(jv_is_valid(jx_get(rec, "contacts", JV_KIND_ARRAY))
		      ? jv_copy(jx_get(rec, "contacts", JV_KIND_ARRAY))
		      : jv_array(),
		  jv_copy(d.planned))
	    : jv_invalid();
	rec = jv_object_set(rec, jv_string("story"), story);
	rec = jv_object_set(rec, jv_string("activities"), list);
	if (jv_is_valid(contacts))
		rec = jv_object_set(rec, jv_string("contacts"), contacts);
	jv_free(d.planned);
	jsonl_emit(rec);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 'S' },
		{ "now", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { 0 };
	struct dg_config cfg;
	struct planner pl = { 0 };
	long bad;
	int c;

	util_init(argv[0]);
	jx_cache_keys(1); /* one thread */
	util_stream_errors();
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cli.config = optarg; break;
		case 'S': cli.seed = optarg; break;
		case 'N': cli.now = optarg; break;
		case 'h': cli_usage(usage, 0);
		case 'V': cli_version();
		default: cli_usage(usage, 1);
		}
	}
	cli_setup(&cli, &cfg, &pl.now);
	pl.cfg = &cfg;
	pl.story = words_open(pl.cfg, "story.txt", "content.txt");
	pl.names = bank_open("names.txt");
	pl.hol = hol_load(&cfg);
	pl.seedtag = (unsigned)(hash_u64(FNV_OFFSET, (uint64_t)cfg.seed) & 0xffffffffu);
	bad = jsonl_each(argc - optind, argv + optind, plan_one, &pl);
	cal_free_all(&pl);
	hol_free(pl.hol);
	bank_free(pl.story);
	bank_free(pl.names);
	config_free(&cfg);
	return cli_exit(bad);
}
