#!/usr/bin/env bats
# The promises kept under stress and misuse: a state file shared by concurrent stages,
# a failing stage failing its pipeline, private files, no token over plain http, read-
# only state, and the config's edge cases.

load helper

llm_start() {
	rm -f llm.url
	node "$TOP/tests/tools/fake-llm.js" > llm.url 2> llm.err &
	LLM_PID=$!
	for i in $(seq 200); do [ -s llm.url ] && break; sleep 0.02; done
	export OPENAI_BASE_URL=$(cat llm.url)/v1
	unset OPENAI_API_KEY AZURE_OPENAI_ENDPOINT AZURE_OPENAI_API_KEY
}
teardown() {
	[ -n "${LLM_PID:-}" ] && kill "$LLM_PID" 2> /dev/null
	sandbox_stop
}

@test "eight pipelines, each two LLM stages on a fresh shared state file, all succeed" {
	llm_start
	head -2 "$FIX/deals.jsonl" | plan > deals.jsonl
	for i in 1 2 3 4 5 6 7 8; do
		(
			set -o pipefail
			export DG_STATE=$BATS_TEST_TMPDIR/s$i/state.db
			dg-content --mode llm deals.jsonl 2> c$i.err | dg-score --mode llm > out$i 2> s$i.err
			echo $? > rc$i
		) &
		pids="${pids:-} $!"
	done
	wait $pids
	for i in 1 2 3 4 5 6 7 8; do
		assert_equal "$(cat rc$i)" 0
		assert_equal "$(wc -l < out$i)" 2
		run cat c$i.err s$i.err
		refute_output --partial "state"
		run dg-state --db s$i/state.db cache
		assert_output --regexp '^[0-9]+ cached LLM answers'
	done
	# and sixteen openers of one fresh file at once
	pids=
	for i in $(seq 16); do DG_STATE=one/state.db dg-state run-begin r$i > /dev/null 2> e$i & pids="$pids $!"; done
	wait $pids
	run cat e*
	assert_output ''
	assert_equal "$(DG_STATE=one/state.db dg-state runs --json | jq -s length)" 16
}

@test "a failing stage fails the pipeline after it instead of an empty success" {
	head -1 "$FIX/deals.jsonl" > deal.jsonl
	run bash -c 'dg-plan --bogus deal.jsonl | dg-content | dg-score | dg-state mark > out'
	assert_failure 1
	assert_output --partial "dg-score: an earlier stage failed: dg-plan: usage error"
	assert_output --partial "dg-state: an earlier stage failed: dg-plan"
	# the failure travels as the last line, so a saved file tells too
	assert_equal "$(jq -r '.dg_error.program' out)" dg-plan
	run dg-content < out
	assert_failure 1
	# records before the failure pass on; the stage still fails
	{ plan < deal.jsonl; echo '{"dg_error":{"program":"dg-plan","status":1,"message":"disk full"}}'; } > half.jsonl
	run --separate-stderr dg-content half.jsonl
	assert_failure 1
	assert_equal "$(echo "$output" | head -1 | jq -r .opportunity.Id)" "$(jq -r .opportunity.Id deal.jsonl)"
	assert_equal "$(echo "$output" | tail -1 | jq -c .dg_error)" '{"program":"dg-plan","status":1,"message":"disk full"}'
	[[ "$stderr" == *"an earlier stage failed: dg-plan: disk full"* ]]
	# a config error of one stage, with pipefail off, still fails the last one
	run bash -c 'set +o pipefail; plan < deal.jsonl | dg-content -c nowhere.yaml | dg-score > /dev/null'
	assert_failure 1
}

@test "state and run files are private; an old world-readable state is tightened" {
	sandbox_start
	sf_env
	printf 'query:\n  max_opps: 1\n' > demo.yaml
	umask 022
	run dg run --yes
	assert_success
	assert_equal "$(stat -c %a .dg)" 700
	assert_equal "$(stat -c %a .dg/state.db)" 600
	assert_equal "$(stat -c %a runs)" 700
	for f in runs/* runs/*/*; do
		case $(stat -c %a "$f") in 600|700) ;; *) echo "$f is $(stat -c %a "$f")"; false ;; esac
	done
	chmod 644 .dg/state.db
	dg-state runs > /dev/null
	dg-state run-begin x > /dev/null
	assert_equal "$(stat -c %a .dg/state.db)" 600
}

@test "plain http is refused for any host but loopback; an https login never leads to http" {
	export SF_ACCESS_TOKEN=00Dx!secret SF_INSTANCE_URL=http://example.com
	run dg-query --org
	assert_failure 1
	assert_output --partial "refusing plain http to 'http://example.com"
	refute_output --partial secret
	head -1 "$FIX/deals.jsonl" | plan > deal.jsonl
	OPENAI_BASE_URL=http://example.com/v1 run dg-content --mode llm deal.jsonl
	assert_failure
	assert_output --partial "refusing plain http"
	# an https login (the proxy with a certificate of its own, in front of the
	# sandbox) whose answer names an http instance: the token is not sent there
	unset SF_ACCESS_TOKEN SF_INSTANCE_URL
	sandbox_start
	sf_env
	openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 2> /dev/null
	PROXY_TLS_KEY=key.pem PROXY_TLS_CERT=cert.pem PROXY_INSTANCE=$SB_URL node "$TOP/tests/tools/fuzz-proxy.js" "$SB_URL" > px.url 2> px.err &
	PX_PID=$!
	for i in $(seq 200); do [ -s px.url ] && break; sleep 0.02; done
	printf 'salesforce:\n  ca_bundle: %s\n' "$PWD/cert.pem" > tls.yaml
	admin DELETE stats
	SF_LOGIN_URL=$(cat px.url)/m/0 run dg-query -c tls.yaml --org
	kill $PX_PID
	assert_failure 1
	assert_output --partial "named the instance '$SB_URL', which is not https; refusing to send the session there"
	# the login happened through the proxy; no call reached the org with the token
	assert_equal "$(stats '.requests.token') $(stats '.api_usage')" "1 0"
}

@test "a read-only state serves the commands that only read, and says so to the others" {
	dg-state run-begin r1 > /dev/null
	command -v unshare > /dev/null || skip "unshare is not installed"
	# A read-only mount: as root, file permissions alone would not stop a write.
	run unshare -m sh -c "mount --bind -o ro '$BATS_TEST_TMPDIR/.dg' '$BATS_TEST_TMPDIR/.dg' 2>/dev/null || exit 99
		dg-state runs; echo rc=\$?; dg-state ids --all; echo rc=\$?; dg-state run-begin r2; echo rc=\$?
		echo '{\"opportunity\":{\"Id\":\"006000000000001\"}}' | dg-state mark; echo rc=\$?"
	[ "$status" -ne 99 ] || skip "cannot mount here"
	assert_line --partial "r1"
	assert_line rc=0
	assert_line --partial "state '.dg/state.db' cannot be written"
	refute_output --partial "not a dg state file"
	assert_line --regexp '"Id":"006000000000001"'
}

@test "a state file a killed run made but never wrote into counts as empty for mark, and is still refused as nothing of dg's elsewhere" {
	mkdir -p .dg && : > .dg/state.db
	run --separate-stderr bash -c "echo '{\"opportunity\":{\"Id\":\"006000000000001\"},\"activities\":[{\"key\":\"k1\",\"kind\":\"email\"}]}' | dg-state mark"
	assert_success
	[[ "$stderr" == *"0 items already in the org"* ]]
	assert_output --partial '"key":"k1"'
	run --separate-stderr dg-state ids --all
	[[ "$stderr" == *"holds nothing of dg's yet"* ]]
}

@test "a full disk under runs/ says so with the path" {
	sandbox_start
	sf_env
	printf 'query:\n  max_opps: 25\n' > demo.yaml
	mkdir runs
	run unshare -m sh -c "mount -t tmpfs -o size=160k tmpfs '$BATS_TEST_TMPDIR/runs' 2>/dev/null || exit 99; dg run --yes"
	[ "$status" -ne 99 ] || skip "cannot mount here"
	assert_failure 1
	assert_output --regexp "failed: cannot write under 'runs/[^']+': No space left on device"
	assert_output --partial "runs/"
}

@test "config smalls: nested defaults, a flood of unknown keys, a second document" {
	printf 'company:\n  name: "${DGX_A:-${DGX_B:-Deep Co}}"\n' > e.yaml
	run dg-config -c e.yaml
	assert_success
	assert_output --partial 'name: Deep Co'
	DGX_B=Bee run dg-config -c e.yaml
	assert_output --partial 'name: Bee'
	DGX_A=Aye run dg-config -c e.yaml
	assert_output --partial 'name: Aye'
	printf 'company:\n  name: "${DGX_A:-${DGX_B}"\n' > bad.yaml
	run dg-config -c bad.yaml
	assert_failure 2
	assert_output --partial "unclosed"
	{ echo 'seed: 1'; seq 100000 | sed 's/.*/unknown_&: 1/'; } > big.yaml
	run timeout 10 dg-config -c big.yaml
	assert_failure 2
	assert_output --partial "too many errors; stopping here"
	[ "${#lines[@]}" -le 27 ]
	printf 'seed: 1\n---\nseed: 2\n' > two.yaml
	run dg-config -c two.yaml
	assert_failure 2
	assert_output --partial "two.yaml:3:1: a second YAML document"
}
