/* rng.h: the small seeded generator behind every random choice dg makes.
 *
 * A generator is derived from (config seed, opportunity Id, purpose, slot), so one
 * deal's choices never depend on another deal or on the order of calls elsewhere. */
#ifndef DG_RNG_H
#define DG_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s;
};

/* 64-bit FNV-1a of a string, continuing from h (start with FNV_OFFSET). */
#define FNV_OFFSET 0xcbf29ce484222325ULL
uint64_t hash_str(uint64_t h, const char *s);
uint64_t hash_u64(uint64_t h, uint64_t v);

/* Seeds r from the four coordinates; id and purpose may be NULL. */
void rng_init(struct rng *r, uint64_t seed, const char *id, const char *purpose, long slot);
uint64_t rng_next(struct rng *r);
/* A uniform integer in [lo, hi] (inclusive); lo when hi < lo. */
long rng_range(struct rng *r, long lo, long hi);
/* A uniform double in [0, 1). */
double rng_double(struct rng *r);
/* 1 with probability p. */
int rng_chance(struct rng *r, double p);
/* Shuffles n ints in place. */
void rng_shuffle(struct rng *r, int *v, int n);

#endif
