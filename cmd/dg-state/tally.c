/* tally.c: what the porcelain reads out of deal records, so that no script walks
 * their shape itself: `tally` counts the records planned and written, per object;
 * `log` writes one event per record into the run's events.jsonl and the failures as
 * errors.jsonl lines; `event` writes one event of the porcelain's own. The KEY=VALUE
 * arguments of event, run-begin and run-end are read here too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "jsonl.h"
#include "sfblocks.h"
#include "state.h"
#include "util.h"

jv
state_kv_args(int argc, char **argv, jv o)
{
	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq)
			diex(EXIT_USAGE, "'%s': expected KEY=VALUE", argv[i]);
		char *k = xstrndup(argv[i], (size_t)(eq - argv[i]));
		/* numbers and JSON stay typed; anything else is text */
		jv v = jv_parse(eq + 1);
		if (!jv_is_valid(v) || jv_get_kind(v) == JV_KIND_STRING) {
			jv_free(v);
			v = jv_string(eq + 1);
		}
		o = jv_object_set(o, jv_string(k), v);
		free(k);
	}
	return o;
}

struct tally {
	jv planned;           /* object -> {create, there} */
	jv records;           /* object -> {status: n} */
	const char *email_as; /* what an email not written yet will be (push.email_as) */
};

/* n added to obj.a.b (numbers). */
static jv
bump(jv obj, const char *a, const char *b, int n)
{
	jv in = jv_object_get(jv_copy(obj), jv_string(a));
	jv v;

	if (jv_get_kind(in) != JV_KIND_OBJECT) {
		jv_free(in);
		in = jv_object();
	}
	v = jv_object_get(jv_copy(in), jv_string(b));
	in =
	    jv_object_set(in, jv_string(b), jv_number((jv_get_kind(v) == JV_KIND_NUMBER ? jv_number_value(v) : 0) + n));
	jv_free(v);
	return jv_object_set(obj, jv_string(a), in);
}

static jv
tally_one(jv sf, const struct sf_place *pl, void *ctx)
{
	struct tally *t = ctx;
	int null = jv_get_kind(sf) != JV_KIND_OBJECT;
	const char *obj = null ? NULL : jx_str(sf, "object");

	/* Planned: every place but the scorecard, there when it has an Id already. */
	if (pl->site != SITE_SCORE) {
		int there = !null && jx_str(sf, "id");
		t->planned = bump(t->planned, pl->object, "create", !there);
		t->planned = bump(t->planned, pl->object, "there", there);
		/* there, but the plan changed it (dg-state mark): dg refresh updates it */
		if (there && jx_bool(sf, "changed", 0))
			t->planned = bump(t->planned, pl->object, "change", 1);
	}
	/* Written: the blocks that name their object, by status. */
	if (obj)
		t->records = bump(t->records, obj, jx_str(sf, "status") ? jx_str(sf, "status") : "none", 1);
	return sf;
}

static int
tally_cb(jv rec, const struct jsonl_pos *pos, void *ctx)
{
	struct tally *t = ctx;
	jv_free(sf_blocks(rec, t->email_as, tally_one, ctx));
	return 0;
}

/* obj with its keys in order, so that the output does not depend on reading order. */
static jv
sorted(jv obj)
{
	jv keys = jv_keys(jv_copy(obj)), out = jv_object();

	for (int i = 0; i < jx_len(keys); i++) {
		jv k = jv_array_get(jv_copy(keys), i);
		jv v = jv_object_get(jv_copy(obj), jv_copy(k));
		out = jv_object_set(out, k, jv_get_kind(v) == JV_KIND_OBJECT ? sorted(v) : v);
	}
	jv_free(keys);
	jv_free(obj);
	return out;
}

int
cmd_tally(int nargs, char **args)
{
	/* The configuration says what an email is written as; the porcelain checked it. */
	struct dg_config cfg;
	int have = config_load(&cfg, NULL) == 0;
	struct tally t = { jv_object(), jv_object(), have ? cfg.push.email_as : NULL };
	long bad = jsonl_each(nargs, args, tally_cb, &t);
	if (have)
		config_free(&cfg);
	jv out = jv_object_set(jv_object(), jv_string("planned"), sorted(t.planned));

	out = jv_object_set(out, jv_string("records"), sorted(t.records));
	jsonl_emit(out);
	return cli_exit(bad);
}

/* ---- log ---- */

struct log_ctx {
	const char *run;
	const char *opp;
};

static jv
log_one(jv sf, const struct sf_place *pl, void *ctx)
{
	struct log_ctx *c = ctx;
	const char *obj = jx_str(sf, "object"), *st = jx_str(sf, "status");
	jv ev, err;

	if (!obj)
		return sf;
	ev = jv_object_set(jv_object(), jv_string("event"), jv_string(st ? st : "none"));
	ev = jx_set_str(ev, "object", obj);
	ev = jx_set_str(ev, "id", jx_str(sf, "id"));
	ev = jx_set_str(ev, "key", pl->key);
	err = jx_get(sf, "error", JV_KIND_OBJECT);
	if (jv_is_valid(err))
		ev = jv_object_set(ev, jv_string("error"), jv_copy(err));
	run_event(ev);
	if (st && !strcmp(st, "failed")) {
		jv line = jv_object();
		if (c->run)
			line = jx_set_str(line, "run", c->run);
		line = jx_set_str(line, "opportunity", pl->opp);
		line = jx_set_str(line, "key", pl->item);
		line = jx_set_str(line, "object", obj);
		line = jx_set_str(line, "code", jx_str(err, "code"));
		line = jx_set_str(line, "message", jx_str(err, "message"));
		line = jv_object_set(line, jv_string("fields"),
		    jv_is_valid(jx_get(err, "fields", JV_KIND_ARRAY)) ? jv_copy(jx_get(err, "fields", JV_KIND_ARRAY))
								      : jv_array());
		jsonl_emit(line);
	}
	return sf;
}

static int
log_cb(jv rec, const struct jsonl_pos *pos, void *ctx)
{
	jv_free(sf_blocks(rec, NULL, log_one, ctx));
	return 0;
}

int
cmd_log(const char *run, int nargs, char **args)
{
	struct log_ctx c = { run ? run : getenv("DG_RUN_ID"), NULL };

	return cli_exit(jsonl_each(nargs, args, log_cb, &c));
}

int
cmd_event(const char *name, int nargs, char **args)
{
	const char *dir = getenv("DG_RUN_DIR");

	if (!dir || !*dir)
		diex(EXIT_USAGE, "event: DG_RUN_DIR names no run directory");
	run_event(state_kv_args(nargs, args, jv_object_set(jv_object(), jv_string("event"), jv_string(name))));
	return EXIT_OK;
}
