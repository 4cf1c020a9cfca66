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
	# every program dg has is listed, grouped, with one line each
	for p in "${DG_BIN:-$TOP/bin}"/dg-*; do
		name=${p##*/dg-}
		assert_line --regexp "^  $name +[a-z]"
	done
	assert_line "everyday:"
	assert_line "the pipeline's filters:"
	assert_line "tools:"
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

@test "dg help NAME opens its manual page, or shows its --help where there is no man" {
	mkdir -p fake
	printf '#!/bin/sh\necho "man $*"\n' > fake/man
	chmod +x fake/man
	PATH="$PWD/fake:$PATH" run dg help score
	assert_success
	if [ -f "${DG_BIN:-$TOP/bin}/../doc/dg-score.1" ]; then
		assert_output --regexp '^man -l .*/doc/dg-score\.1$'
	else
		assert_output --partial "usage: dg-score"
	fi
	# no man on the machine: the program's own help
	PATH="$PWD/nowhere" run "${DG_BIN:-$TOP/bin}/dg" help score
	assert_success
	assert_output --partial "usage: dg-score"
	run -127 --separate-stderr dg help frobnicate
	assert_failure 127
}

@test "an unknown command close to one says which (dg rnu: did you mean run)" {
	run -127 --separate-stderr dg rnu
	assert_failure 127
	assert_equal "$stderr" "dg: 'rnu' is not a dg command; see 'dg help'

The most similar command is
	run"
	run -127 --separate-stderr dg stat
	assert_failure 127
	[[ "$stderr" == *"The most similar commands are"*$'\n\tstate'*$'\n\tstatus'* || "$stderr" == *"The most similar command is"* ]]
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

@test "every command's -h describes every option its usage line names" {
	for p in $(cd "${DG_BIN:-$TOP/bin}" && ls dg-*); do
		out=$("$p" -h) || { echo "$p -h failed"; false; }
		# the usage lines (up to the first blank line), and the lines that describe options
		syn=$(printf '%s\n' "$out" | awk 'NF == 0 { exit } { print }' | grep -oE -- '--[a-z][a-z-]*' | sort -u)
		desc=$(printf '%s\n' "$out" | awk 'f { print } NF == 0 { f = 1 }' | grep -E '^ +(-[a-zA-Z], )?--?[a-z]' |
			grep -oE -- '--[a-z][a-z-]*' | sort -u)
		[ -n "$desc" ] || { echo "$p -h describes no option"; false; }
		for o in $syn; do
			printf '%s\n' "$desc" | grep -qx -- "$o" || { echo "$p -h does not describe $o"; false; }
		done
	done
}

@test "the porcelain's options are in its man page" {
	for pair in run:dg-run dry-run:dg-run refresh:dg-refresh status:dg reset:dg demo:dg init:dg; do
		cmd=${pair%%:*} page=$TOP/doc/${pair#*:}.1
		for opt in $(dg "$cmd" -h | grep -oE -- '--[a-z-]+' | sort -u); do
			grep -q -- "${opt#--}" "$page" || { echo "$page lacks $opt of dg $cmd"; false; }
		done
	done
}

@test "make install puts programs, man pages, share/ and the example config in place; the installed dg help finds its pages" {
	[ -z "${DG_BIN:-}" ] || [ "$DG_BIN" = "$TOP/bin" ] || skip "installs the plain build only"
	run make -s -C "$TOP" install DESTDIR="$PWD/root" PREFIX=/usr
	assert_success
	[ -x root/usr/bin/dg ] && [ -x root/usr/bin/dg-push ] && [ -x root/usr/bin/dg-dry-run ]
	[ -f root/usr/share/dg/demo.example.yaml ] && [ -f root/usr/share/dg/sandbox/dg.yaml ]
	[ -f root/usr/share/man/man1/dg-plan.1 ] && [ -f root/usr/share/man/man7/dg.7 ]
	[ -f root/usr/share/bash-completion/completions/dg ]
	mkdir -p fake
	printf '#!/bin/sh\necho "man $*"\n' > fake/man
	chmod +x fake/man
	PATH="$PWD/fake:$PATH" run root/usr/bin/dg help plan
	assert_output --regexp '^man -l .*/usr/bin/\.\./share/man/man1/dg-plan\.1$'
	run make -s -C "$TOP" uninstall DESTDIR="$PWD/root" PREFIX=/usr
	assert_success
	[ ! -e root/usr/bin/dg ] && [ ! -e root/usr/share/dg ] && [ ! -e root/usr/share/bash-completion/completions/dg ]
}

@test "bash completion: dg's commands, a command's options from its own -h, files" {
	source "$TOP/share/bash-completion/completions/dg"
	COMP_WORDS=(dg ru) COMP_CWORD=1
	_dg
	assert_equal "${COMPREPLY[*]}" "run"
	COMP_WORDS=(dg st) COMP_CWORD=1
	_dg
	assert_equal "$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')" "state status "
	COMP_WORDS=(dg help sa) COMP_CWORD=2
	_dg
	assert_equal "${COMPREPLY[*]}" "sandbox"
	COMP_WORDS=(dg run --max) COMP_CWORD=2
	_dg
	assert_equal "${COMPREPLY[*]}" "--max-opps"
	COMP_WORDS=(dg reset --y) COMP_CWORD=2
	_dg
	assert_equal "${COMPREPLY[*]}" "--yes"
	COMP_WORDS=(dg-push --del) COMP_CWORD=1
	_dg_program
	assert_equal "${COMPREPLY[*]}" "--delete"
	touch deals.jsonl
	COMP_WORDS=(dg plan dea) COMP_CWORD=2
	_dg
	assert_equal "${COMPREPLY[*]}" "deals.jsonl"
}

@test "dg init writes a commented demo.yaml that loads; an existing one is kept unless --force" {
	run --separate-stderr dg init
	assert_success
	[[ "$stderr" == "wrote demo.yaml: "* ]]
	cmp demo.yaml "$TOP/demo.example.yaml"
	run dg-config
	assert_success
	echo "# mine" > demo.yaml
	run --separate-stderr dg init
	assert_failure 1
	[[ "$stderr" == *"'demo.yaml' exists; give --force"* ]]
	assert_equal "$(cat demo.yaml)" "# mine"
	run --separate-stderr dg init --force
	assert_success
	cmp demo.yaml "$TOP/demo.example.yaml"
	run --separate-stderr dg init other.yaml
	assert_success
	[ -f other.yaml ]
	# --json: what was written, or the error
	run --separate-stderr dg init --json third.yaml
	assert_success
	assert_equal "$output" '{"config":"third.yaml"}'
	run --separate-stderr dg init --json third.yaml
	assert_failure 1
	[[ "$(jq -r .error <<< "$output")" == "'third.yaml' exists; give --force to write over it" ]]
}
