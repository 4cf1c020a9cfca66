/* rng.c: splitmix64 seeded from an FNV-1a hash of the generator's coordinates. */
#include "rng.h"

#include <stdio.h>

uint64_t
hash_str(uint64_t h, const char *s)
{
	if (s == NULL)
		s = "";
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	/* A separator byte keeps ("ab","c") apart from ("a","bc"). */
	h ^= 0xff;
	h *= 0x100000001b3ULL;
	return h;
}

uint64_t
hash_u64(uint64_t h, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
	return hash_str(h, buf);
}

void
rng_init(struct rng *r, uint64_t seed, const char *id, const char *purpose, long slot)
{
	uint64_t h = FNV_OFFSET;

	h = hash_u64(h, seed);
	h = hash_str(h, id);
	h = hash_str(h, purpose);
	h = hash_u64(h, (uint64_t)slot);
	r->s = h;
}

uint64_t
rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

long
rng_range(struct rng *r, long lo, long hi)
{
	uint64_t span;

	if (hi <= lo)
		return lo;
	span = (uint64_t)(hi - lo) + 1;
	/* The modulo bias is below 2^-40 for the small spans dg uses. */
	return lo + (long)(rng_next(r) % span);
}

double
rng_double(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

int
rng_chance(struct rng *r, double p)
{
	return rng_double(r) < p;
}

void
rng_shuffle(struct rng *r, int *v, int n)
{
	int i, j, t;

	for (i = n - 1; i > 0; i--) {
		j = (int)rng_range(r, 0, i);
		t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
}
