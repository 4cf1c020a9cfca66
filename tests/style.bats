#!/usr/bin/env bats
# The house rules of doc/style.md, checked on every C file the repository holds: one
# format (clang-format with .clang-format), files under 900 lines, functions under 120,
# _GNU_SOURCE only from the Makefile, named sizes instead of magic numbers.

load helper

sources() { (cd "$TOP" && git ls-files '*.c' '*.h'); }

@test "every C file is in the house format (make format applies it)" {
	command -v clang-format > /dev/null || skip "clang-format is not installed (make deps)"
	cd "$TOP"
	run clang-format --dry-run --Werror $(sources)
	assert_success
}

@test "no C file is over 900 lines, no function over 120" {
	cd "$TOP"
	run bash -c "wc -l $(sources | tr '\n' ' ') | awk '\$2 != \"total\" && \$1 > 900'"
	assert_output ""
	run bash -c "awk -f tests/tools/funclen.awk $(sources | grep '\.c$' | tr '\n' ' ') | awk '\$1 > 120'"
	assert_output ""
	# the measure sees the functions (it is not vacuously empty)
	[ "$(awk -f tests/tools/funclen.awk $(sources | grep '\.c$') | wc -l)" -gt 500 ]
}

@test "_GNU_SOURCE comes from the Makefile only; Ids and days have names" {
	cd "$TOP"
	run grep -ln '^#define _GNU_SOURCE' $(sources)
	assert_output ""
	run grep -n '\[19\]\|\b86400\b' $(sources | grep -v '^lib/tz.h$')
	assert_output ""
}

@test "nothing of a build is committed, and every file has a known place" {
	cd "$TOP"
	run bash -c "git ls-files | grep -v -E '^(cmd|lib|scripts|share|tests|bench|doc|\\.ci)/|^(Makefile|README\\.md|CONTRIBUTING\\.md|demo\\.example\\.yaml|\\.clang-format|\\.gitignore)$'"
	assert_output ""
}

@test "calls go down: no two files of a program (or of lib/) call each other in a circle" {
	local build=build
	[[ "${DG_BIN:-}" == */build-san/bin ]] && build=build-san
	[ -d "$TOP/$build/cmd" ] || skip "no objects in $TOP/$build"
	run "$TOP/tests/tools/circles" "$TOP/$build"
	assert_success
	assert_output ""
	# it does see a circle when there is one
	mkdir -p fake/cmd/x
	printf 'void b(void); void a(void) { b(); }\n' > a.c
	printf 'void a(void); void b(void) { a(); }\n' > b.c
	cc -c -o fake/cmd/x/a.o a.c && cc -c -o fake/cmd/x/b.o b.c
	run "$TOP/tests/tools/circles" fake
	assert_failure
	assert_output --partial "x: "
}

@test "man pages render cleanly: no groff warnings, no quotes inside quotes" {
	command -v groff > /dev/null || skip "groff is not installed (scripts/setup installs groff-base)"
	for f in "$TOP"/doc/*.[17]; do
		run groff -mdoc -ww -z -Tutf8 "$f"
		assert_success
		assert_output ""
		run bash -c "groff -mdoc -Tutf8 '$f' 2> /dev/null | grep -n '“[^”]*“'"
		assert_failure
	done
}
