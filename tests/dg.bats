#!/usr/bin/env bats
# dg: the front door.
load helper

@test "dg -h and dg help print usage on stdout and exit 0" {
	run dg -h
	assert_success
	assert_output --partial "usage: dg"
	run dg help
	assert_success
	assert_output --partial "usage: dg"
}

@test "dg with no arguments is misuse: usage on stderr, exit 2" {
	run --separate-stderr dg
	assert_failure 2
	assert_equal "$output" ""
	[[ "$stderr" == *"usage: dg"* ]]
}

@test "dg --version names the version" {
	run dg --version
	assert_success
	assert_output --regexp '^dg [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "an unknown command exits 127 with a one-line hint" {
	run -127 --separate-stderr dg frobnicate
	assert_failure 127
	assert_equal "$stderr" "dg: 'frobnicate' is not a dg command; see 'dg help'"
}

@test "dg NAME runs dg-NAME with stdin, stdout and exit status passed through" {
	run bash -c "dg plan --now $NOW < '$FIX/deals.jsonl' | wc -l"
	assert_success
	assert_output "12"
	run bash -c "echo 'not json' | dg plan --now $NOW"
	assert_failure 3
}

@test "dg finds programs next to itself before PATH" {
	mkdir -p decoy
	printf '#!/bin/sh\necho decoy\n' > decoy/dg-plan
	chmod +x decoy/dg-plan
	PATH="$PWD/decoy:$PATH" run "${DG_BIN:-$TOP/bin}/dg" plan --version
	assert_success
	assert_output --partial "dg-plan (dg)"
}

@test "dg help NAME shows that program's help" {
	run dg help score
	assert_success
	assert_output --partial "usage: dg-score"
}

@test "man pages exist for every program and their SYNOPSIS matches -h" {
	for p in $(cd "$TOP/cmd" && ls -d dg-*); do
		[ -f "$TOP/doc/$p.1" ]
		syn=$(awk '/^\.Sh SYNOPSIS/{f=1;next} /^\.Sh/{f=0} f' "$TOP/doc/$p.1" | grep -o '^\.Nm' | wc -l)
		[ "$syn" -ge 1 ]
		for opt in $(dg-"${p#dg-}" -h | grep -oE -- '--[a-z-]+' | sort -u); do
			grep -q -- "${opt#--}" "$TOP/doc/$p.1" || { echo "$p.1 lacks $opt"; false; }
		done
	done
	[ -f "$TOP/doc/dg.1" ] && [ -f "$TOP/doc/dg.7" ]
}

@test "the porcelain's options are in its man page" {
	for pair in run:dg-run dry-run:dg-run status:dg reset:dg demo:dg; do
		cmd=${pair%%:*} page=$TOP/doc/${pair#*:}.1
		for opt in $(dg "$cmd" -h | grep -oE -- '--[a-z-]+' | sort -u); do
			grep -q -- "${opt#--}" "$page" || { echo "$page lacks $opt of dg $cmd"; false; }
		done
	done
}
