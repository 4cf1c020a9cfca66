#!/usr/bin/env bats
# Malformed answers: every program that reads Salesforce's or an LLM's answers meets
# spoiled ones through tests/tools/fuzz-proxy.js (in front of dg-sandbox or the fake
# LLM) and fails cleanly: a message naming the call and a status of 0 to 3, never a
# crash, an assertion of libjq, or a sanitizer's report.

# Slow (about a minute): hundreds of spoiled answers through every program, each a
# process start and a round trip through the proxy.
load helper

# The hunt here is for crashes and memory errors on spoiled answers. A program that
# gives up (diex) leaves what it allocated to the exit, which the leak checker would
# report; the other suites check for leaks on the paths that run to the end.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

# proxy_start UPSTREAM [SPAN]: the mutating proxy in front of UPSTREAM; sets PX.
proxy_start() {
	rm -f px.url
	node "$TOP/tests/tools/fuzz-proxy.js" "$@" > px.url 2> px.err &
	PX_PIDS="${PX_PIDS:-} $!"
	for i in $(seq 200); do [ -s px.url ] && break; sleep 0.02; done
	PX=$(cat px.url)
}
teardown() {
	for p in ${PX_PIDS:-} ${LLM_PID:-}; do kill "$p" 2> /dev/null; done
	sandbox_stop
}

# clean RC ERRFILE SEED: fails, saying what the proxy did, unless the program ended cleanly.
clean() {
	local rc=$1 err=$2 seed=$3
	if [ "$rc" -gt 3 ] || grep -qE 'Assertion|Sanitizer|runtime error|Segmentation|Aborted|core dumped' "$err"; then
		echo "seed $seed: status $rc after: $(curl -sS "$PX/_log/$seed")" >&2
		cat "$err" >&2
		return 1
	fi
	# a failure always says why
	[ "$rc" -eq 0 ] || [ -s "$err" ]
}

login_via() { # login_via URL: a password login to URL
	export SF_LOGIN_URL=$1 SF_USERNAME=admin@dg.sandbox SF_PASSWORD=dg SF_CLIENT_ID=dg-tests
}

@test "dg-query: six kinds of malformed answers fail cleanly, naming the call" {
	sandbox_start
	proxy_start "$SB_URL"
	login_via "$PX/m/0"
	canned() { curl -sS -X POST --data-binary "$1" "$PX/_canned"; }
	# the Organization query with no record, and with a string for a record
	canned '[{"match": "FROM Organization", "body": "{\"totalSize\":0,\"done\":true,\"records\":[]}"}]'
	run --separate-stderr dg-query --org
	assert_failure 1
	[[ "$stderr" == *"cannot read the organization: the org's answer has no Organization record"* ]]
	canned '[{"match": "FROM Organization", "body": "{\"totalSize\":1,\"done\":true,\"records\":[\"x\"]}"}]'
	run --separate-stderr dg-query --org
	assert_failure 1
	[[ "$stderr" == *"cannot read the organization"* ]]
	# string rows for --soql
	canned '[{"match": "FROM Account", "body": "{\"totalSize\":2,\"done\":true,\"records\":[\"a\",\"b\"]}"}]'
	run --separate-stderr dg-query --soql 'SELECT Id FROM Account'
	assert_failure 1
	[[ "$stderr" == *"the answer to the query (page 1) holds a record that is not an object"* ]]
	# a contact row without AccountId
	canned '[{"match": "FROM Contact", "body": "{\"totalSize\":1,\"done\":true,\"records\":[{\"Id\":\"0038d000000000AAAA\",\"Name\":\"X\"}]}"}]'
	run --separate-stderr dg-query --max-opps 50
	assert_failure 1
	[[ "$stderr" == *"a contact without an AccountId"* ]]
	# no records list at all; not done and no next page
	canned '[{"match": "FROM Opportunity", "body": "{\"totalSize\":1,\"done\":true}"}]'
	run --separate-stderr dg-query
	assert_failure 1
	[[ "$stderr" == *"cannot query opportunities: the answer to the query (page 1) has no list of records"* ]]
	canned '[{"match": "FROM Opportunity", "body": "{\"totalSize\":1,\"done\":false,\"records\":[]}"}]'
	run --separate-stderr dg-query
	assert_failure 1
	[[ "$stderr" == *"is not done and names no next page"* ]]
	# an opportunity row without an Id, and roles that are not records
	canned '[{"match": "FROM Opportunity", "body": "{\"totalSize\":1,\"done\":true,\"records\":[{\"Name\":\"A\",\"StageName\":\"X\"}]}"}]'
	run --separate-stderr dg-query
	assert_failure 1
	[[ "$stderr" == *"row 1 has no opportunity Id"* ]]
	canned '[{"match": "FROM Opportunity", "body": "{\"totalSize\":1,\"done\":true,\"records\":[{\"Id\":\"0068d000000000A\",\"Name\":\"A\",\"StageName\":\"X\",\"OpportunityContactRoles\":[1]}]}"}]'
	run --separate-stderr dg-query
	assert_failure 1
	[[ "$stderr" == *"row 1 has contact roles that are not a list of records"* ]]
	# an HTML page with status 200, and a login answer without a token
	canned '[{"match": "FROM Opportunity", "body": "<html>maintenance</html>", "ctype": "text/html"}]'
	run --separate-stderr dg-query
	assert_failure 1
	[[ "$stderr" == *"the answer is not JSON"* ]]
	canned '[{"match": "oauth2/token", "body": "{\"instance_url\":[]}"}]'
	run --separate-stderr dg-query
	assert_failure 1
	[[ "$stderr" == *"has no access_token and instance_url"* ]]
	# with nothing spoiled the same login works
	canned '[]'
	run --separate-stderr dg-query --max-opps 2
	assert_success
	assert_equal "${#lines[@]}" 2
}

@test "dg-query: 450 randomly spoiled answers, no crash" {
	sandbox_start
	proxy_start "$SB_URL" 4
	for s in $(seq 1 150); do
		login_via "$PX/m/$s"
		rc=0; dg-query --max-opps 5 > /dev/null 2> err || rc=$?
		clean "$rc" err "$s"
		login_via "$PX/m/$((s + 1000))"
		rc=0; dg-query --org > /dev/null 2> err || rc=$?
		clean "$rc" err "$((s + 1000))"
		login_via "$PX/m/$((s + 2000))"
		rc=0; dg-query --soql 'SELECT Id, Name, Website FROM Account LIMIT 3' > /dev/null 2> err || rc=$?
		clean "$rc" err "$((s + 2000))"
	done
}

@test "dg-push: 150 randomly spoiled answers, no crash" {
	sandbox_start
	sf_env
	dg-query --max-opps 2 2> /dev/null | plan | dg-content > planned.jsonl
	proxy_start "$SB_URL" 10
	for s in $(seq 1 150); do
		login_via "$PX/m/$s"
		rc=0; dg-push planned.jsonl > /dev/null 2> err || rc=$?
		clean "$rc" err "$s"
	done
}

@test "dg-smoke: 100 randomly spoiled answers, no crash" {
	sandbox_start
	sf_env
	opp=$(dg-query --max-opps 1 2> /dev/null | jq -r .opportunity.Id)
	proxy_start "$SB_URL" 8
	for s in $(seq 1 100); do
		login_via "$PX/m/$s"
		# dg-smoke reports on standard output: a failure says why there or on stderr
		rc=0; dg-smoke --opp-id "$opp" > out 2> err || rc=$?
		cat out >> err
		clean "$rc" err "$s"
		run grep -c '(null)' err
		assert_output 0
	done
}

@test "dg-content and dg-score: 200 randomly spoiled model answers, no crash" {
	rm -f llm.url
	node "$TOP/tests/tools/fake-llm.js" > llm.url 2> llm.err &
	LLM_PID=$!
	for i in $(seq 200); do [ -s llm.url ] && break; sleep 0.02; done
	head -1 "$FIX/deals.jsonl" | plan > deal.jsonl
	proxy_start "$(cat llm.url)" 3
	unset OPENAI_API_KEY AZURE_OPENAI_ENDPOINT AZURE_OPENAI_API_KEY
	for s in $(seq 1 100); do
		rc=0; OPENAI_BASE_URL=$PX/m/$s/v1 dg-content --mode llm --no-cache -j 2 deal.jsonl > /dev/null 2> err || rc=$?
		clean "$rc" err "$s"
		rc=0; OPENAI_BASE_URL=$PX/m/$((s * 3 + 999))/v1 dg-score --mode llm --no-cache deal.jsonl > /dev/null 2> err || rc=$?
		clean "$rc" err "$((s * 3 + 999))"
	done
}
