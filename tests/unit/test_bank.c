/* test_bank: phrase-bank loading and the placeholder renderer. */
#include "bank.h"
#include "tap.h"

#include <stdlib.h>
#include <unistd.h>

static const char *
write_tmp(const char *text)
{
	static char path[] = "/tmp/dg-test-bankXXXXXX";
	int fd;
	FILE *f;

	snprintf(path, sizeof path, "/tmp/dg-test-bankXXXXXX");
	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

int
main(void)
{
	struct bank *b;
	struct vars vs = { 0 };
	struct sb out = { 0 };
	struct rng r;
	char err[256];
	const char *p;
	int i, seen_a = 0, seen_b = 0;

	p = write_tmp("# c\n[greet]\nHi {name}!\n{Name} says {yes|no}.\n[b]\nx\n[greet]\nthird\n");
	b = bank_load(p);
	ok(b != NULL, "a good bank loads");
	ok(bank_count(b, "greet") == 3, "a section named twice gathers its lines");
	ok(bank_count(b, "nope") == 0 && bank_pick(b, "nope", &r) == NULL, "missing section");
	vars_set(&vs, "name", "dana");
	rng_init(&r, 1, "a", "b", 0);
	ok(render(&out, bank_line(b, "greet", 0), &vs, &r, err, sizeof err) == 0 &&
		strcmp(sb_str(&out), "Hi dana!") == 0,
	    "variables expand");
	for (i = 0; i < 50; i++) {
		sb_reset(&out);
		render(&out, bank_line(b, "greet", 1), &vs, &r, err, sizeof err);
		seen_a |= strcmp(sb_str(&out), "Dana says yes.") == 0;
		seen_b |= strcmp(sb_str(&out), "Dana says no.") == 0;
	}
	ok(seen_a && seen_b, "{Name} capitalises and {a|b} picks both ways");
	sb_reset(&out);
	ok(render(&out, "Hi {missing}", &vs, &r, err, sizeof err) == -1 && strstr(err, "missing") != NULL,
	    "a missing variable is an error, not residue");
	sb_reset(&out);
	vars_set(&vs, "weird", "{not a placeholder}");
	ok(render(&out, "x {weird} y", &vs, &r, err, sizeof err) == 0 &&
		strcmp(sb_str(&out), "x {not a placeholder} y") == 0,
	    "values are not expanded again");
	bank_free(b);
	unlink(p);
	p = write_tmp("[a]\nbroken {x\n");
	ok(bank_load(p) == NULL, "an unclosed brace is refused at load");
	unlink(p);
	p = write_tmp("text before\n[a]\n");
	ok(bank_load(p) == NULL, "text before a section is refused");
	unlink(p);
	ok(bank_load("/nonexistent/bank.txt") == NULL, "a missing file is refused");
	sb_free(&out);
	return tap_done();
}
