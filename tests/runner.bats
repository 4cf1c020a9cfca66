#!/usr/bin/env bats
# tests/run and make check: a test program that crashes, exits badly or stops short is
# a failure, whatever TAP it printed before. The last test builds a copy of the tree
# with one crashing unit test (about 5 s: only that test is compiled, the rest of the
# build is copied).
load helper

# crasher NAME BODY: a C unit test over tests/unit/tap.h whose main is BODY.
crasher() {
	printf '#include <signal.h>\n#include "tap.h"\nint main(void) { %s }\n' "$2" > "$1.c"
	cc -I"$TOP/tests/unit" -o "$1" "$1.c"
}

@test "tests/run: a unit test that crashes after 'ok 1' fails, with why" {
	crasher crash 'ok(1, "fine"); fflush(stdout); raise(SIGSEGV); return tap_done();'
	run "$TOP/tests/run" crash
	assert_failure
	assert_output --partial "not ok - crash: no plan (1..N): it stopped before the end"
	assert_line "1 passed, 1 failed"
}

@test "tests/run: a full plan that then exits non-zero fails; a plan that does not match fails" {
	crasher late 'ok(1, "fine"); tap_done(); fflush(stdout); raise(SIGABRT); return 0;'
	printf '#!/bin/sh\necho "1..3"\necho "ok 1 - a"\necho "ok 2 - b"\n' > short
	chmod +x short
	run "$TOP/tests/run" late short
	assert_failure
	assert_output --partial "not ok - late: exited 134 with no failing test"
	assert_output --partial "not ok - short: planned 3 tests, ran 2"
	assert_line "3 passed, 2 failed"
}

@test "tests/run: passing programs pass, and --one/--summary add up the same" {
	crasher good 'ok(1, "a"); ok(2, "b"); return tap_done();'
	run "$TOP/tests/run" --one good.tap ./good
	assert_success
	assert_output --regexp '^# good: 2 passed, 0 failed in [0-9]+ s$'
	run "$TOP/tests/run" --summary good.tap good.tap
	assert_success
	assert_line "4 passed, 0 failed"
}

@test "make check fails when a unit test crashes" {
	command -v git > /dev/null || skip "git is not installed"
	# The build under test: the sanitizer one when make check runs SAN=1.
	local build=build san=
	[[ "${DG_BIN:-}" == */build-san/bin ]] && build=build-san san=1
	[ -d "$TOP/$build/lib" ] || skip "no build in $TOP/$build"
	mkdir tree
	(cd "$TOP" && git ls-files -z | xargs -0 cp -p --parents -t "$BATS_TEST_TMPDIR/tree")
	cp -a "$TOP/$build" "tree/"
	[ "$build" = build ] && cp -a "$TOP/bin" tree/
	[ -d "$TOP/tests/clients/node_modules" ] && ln -s "$TOP/tests/clients/node_modules" tree/tests/clients/
	rm -rf "tree/$build/check" "tree/$build/tests"
	printf '#include <signal.h>\n#include "tap.h"\nint main(void) { ok(1, "before"); fflush(stdout); raise(SIGSEGV); return tap_done(); }\n' \
		> tree/tests/unit/test_zz_crash.c
	unset MAKEFLAGS MFLAGS MAKELEVEL
	run make -C tree check SUITES= ${san:+SAN=1}
	assert_failure
	assert_output --partial "not ok - test_zz_crash: no plan (1..N): it stopped before the end"
	assert_output --regexp "[0-9]+ passed, 1 failed"
}
