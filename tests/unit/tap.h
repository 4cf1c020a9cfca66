/* tap.h: a few lines of TAP for the C unit tests (tests/run counts "ok" / "not ok"). */
#ifndef DG_TAP_H
#define DG_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

/* cond is evaluated once: tests may pass expressions with side effects. */
#define ok(cond, ...) \
	do { \
		int tap_ok_ = (cond) ? 1 : 0; \
		tap_n++; \
		if (tap_ok_) { \
			printf("ok %d - ", tap_n); \
		} else { \
			printf("not ok %d - ", tap_n); \
			tap_failed++; \
		} \
		printf(__VA_ARGS__); \
		printf("\n"); \
		if (!tap_ok_) \
			printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	} while (0)

#define is_str(got, want, ...) ok((got) != NULL && strcmp((got), (want)) == 0, __VA_ARGS__)

static int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}

#endif
