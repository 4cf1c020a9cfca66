/* test_rng: the seeded generator is deterministic, independent per coordinate, in range. */
#include "rng.h"
#include "tap.h"

int
main(void)
{
	struct rng a, b, c;
	int i, same = 1, inrange = 1, counts[6] = { 0 }, v[10], sum = 0;
	double d, lo = 1, hi = 0;

	rng_init(&a, 42, "006A", "plan", 0);
	rng_init(&b, 42, "006A", "plan", 0);
	for (i = 0; i < 1000; i++)
		same &= rng_next(&a) == rng_next(&b);
	ok(same, "same coordinates give the same sequence");
	rng_init(&a, 42, "006A", "plan", 0);
	rng_init(&c, 42, "006B", "plan", 0);
	ok(rng_next(&a) != rng_next(&c), "another opportunity gives another sequence");
	rng_init(&a, 42, "006A", "plan", 0);
	rng_init(&c, 43, "006A", "plan", 0);
	ok(rng_next(&a) != rng_next(&c), "another seed gives another sequence");
	rng_init(&a, 42, "006A", "plan", 0);
	rng_init(&c, 42, "006A", "plan", 1);
	ok(rng_next(&a) != rng_next(&c), "another slot gives another sequence");
	ok(hash_str(FNV_OFFSET, "ab") != hash_str(hash_str(FNV_OFFSET, "a"), "b"), "hash keeps field boundaries apart");
	rng_init(&a, 1, "x", "y", 2);
	for (i = 0; i < 60000; i++) {
		long r = rng_range(&a, 0, 5);

		inrange &= r >= 0 && r <= 5;
		if (r >= 0 && r <= 5)
			counts[r]++;
		d = rng_double(&a);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	ok(inrange, "rng_range stays inside [lo, hi]");
	for (i = 0, same = 1; i < 6; i++)
		same &= counts[i] > 9000 && counts[i] < 11000;
	ok(same, "rng_range is roughly uniform (%d %d %d %d %d %d)", counts[0], counts[1], counts[2], counts[3],
	    counts[4], counts[5]);
	ok(lo >= 0 && hi < 1 && lo < 0.01 && hi > 0.99, "rng_double covers [0, 1)");
	ok(rng_range(&a, 5, 5) == 5 && rng_range(&a, 7, 3) == 7, "degenerate ranges return lo");
	for (i = 0; i < 10; i++)
		v[i] = i;
	rng_shuffle(&a, v, 10);
	for (i = 0; i < 10; i++)
		sum += v[i];
	ok(sum == 45, "shuffle keeps every element");
	return tap_done();
}
