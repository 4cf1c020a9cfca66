/* test_config: defaults, loading, every kind of error with its position, ${VAR}. */
#include "config.h"
#include "tap.h"

#include <stdlib.h>
#include <unistd.h>

static char path[64];

static int
load(struct dg_config *c, const char *text)
{
	FILE *f;

	snprintf(path, sizeof path, "/tmp/dg-test-configXXXXXX");
	f = fdopen(mkstemp(path), "w");
	fputs(text, f);
	fclose(f);
	return config_load_file(c, path);
}

int
main(void)
{
	struct dg_config c;
	FILE *mem;
	char *dump = NULL;
	size_t len = 0;

	config_defaults(&c);
	ok(c.plan.past_meetings.min == 3 && c.plan.past_meetings.max == 8 && c.plan.upcoming_meetings.min == 1 &&
		c.plan.upcoming_meetings.max == 3 && c.plan.emails.min == 5 && c.plan.emails.max == 20 &&
		c.plan.past_days == 180 && c.plan.future_days == 30 && c.plan.min_contacts == 2 &&
		c.score.coverage_target == 0.8,
	    "defaults match the documented ones");
	config_free(&c);
	ok(load(&c, "seed: 7\nplan:\n  emails: {min: 2, max: 4}\n  timezone: Europe/Berlin\n") == 0 && c.seed == 7 &&
		c.plan.emails.min == 2 && c.plan.emails.max == 4 && strcmp(c.plan.timezone, "Europe/Berlin") == 0 &&
		c.plan.past_meetings.max == 8,
	    "values load and the rest keep their defaults");
	config_free(&c);
	ok(load(&c, "") == 0, "an empty file is all defaults");
	config_free(&c);
	ok(load(&c, "plan:\n  emials: {min: 1}\n") == -1, "a misspelt key is an error");
	ok(load(&c, "seed: many\n") == -1, "a word for a number is an error");
	ok(load(&c, "seed: 1.5\n") == -1, "a fraction for a whole number is an error");
	ok(load(&c, "plan:\n  emails:\n    min: 9\n    max: 3\n") == -1, "min above max is an error");
	ok(load(&c, "plan:\n  timezone: Mars/Base\n") == -1, "an unknown zone is an error");
	ok(load(&c, "content:\n  mode: magic\n") == -1, "a value outside an enum is an error");
	ok(load(&c, "seed: 1\nseed: 2\n") == -1, "a key given twice is an error");
	ok(load(&c, "- a\n- b\n") == -1, "a list at the top is an error");
	ok(load(&c, "plan: [1, 2]\n") == -1, "a list for a section is an error");
	ok(load(&c, "seed: [1]\n") == -1, "a list for a value is an error");
	ok(load(&c, "plan:\n  timezone: \"unclosed\n") == -1, "broken YAML is an error");
	setenv("DG_TEST_CO", "Contoso", 1);
	unsetenv("DG_TEST_UNSET");
	ok(load(&c, "company:\n  name: ${DG_TEST_CO} Ltd\n") == 0 && strcmp(c.company.name, "Contoso Ltd") == 0,
	    "${VAR} expands from the environment");
	config_free(&c);
	ok(load(&c, "company:\n  name: ${DG_TEST_UNSET:-Fallback}\n") == 0 && strcmp(c.company.name, "Fallback") == 0,
	    "${VAR:-default} falls back");
	config_free(&c);
	ok(load(&c, "company:\n  name: ${DG_TEST_UNSET}\n") == -1, "an unset variable is an error");
	ok(load(&c, "company:\n  name: cost $$5\n") == 0 && strcmp(c.company.name, "cost $5") == 0,
	    "$$ is a literal dollar");
	config_free(&c);
	ok(config_load_file(&c, "/nonexistent/demo.yaml") == -1, "a missing file is an error");
	config_defaults(&c);
	mem = open_memstream(&dump, &len);
	config_dump(&c, mem);
	fclose(mem);
	ok(strstr(dump, "plan:\n  timezone: America/New_York\n") != NULL &&
		strstr(dump, "    past:\n      min: 3\n      max: 8\n") != NULL,
	    "config_dump writes nested YAML");
	config_free(&c);
	unlink(path);
	ok(load(&c, dump) == 0 && c.plan.past_meetings.max == 8, "the dump loads back");
	config_free(&c);
	free(dump);
	unlink(path);
	return tap_done();
}
