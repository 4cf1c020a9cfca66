#!/usr/bin/env bats
# The LLM path of dg-content against a small OpenAI-compatible fake server
# (tests/tools/fake-llm.js) on 127.0.0.1: success, fallbacks, retries, the switch-off,
# validation, Azure's URL and header, the cache.

# Slow (about 30 s): retries wait as the SDKs do (backoff), and the streaming test
# keeps its input open for 10 s to show output comes before the input ends.
load helper

# llm_start [ENV=VALUE...]: starts the fake; sets LLM_URL and OPENAI_BASE_URL.
llm_start() {
	rm -f llm.url
	env "$@" node "$TOP/tests/tools/fake-llm.js" > llm.url 2> llm.err &
	LLM_PID=$!
	for i in $(seq 200); do [ -s llm.url ] && break; sleep 0.02; done
	LLM_URL=$(cat llm.url)
	export OPENAI_BASE_URL=$LLM_URL/v1 DG_STATE=$BATS_TEST_TMPDIR/state.db
	unset OPENAI_API_KEY AZURE_OPENAI_ENDPOINT AZURE_OPENAI_API_KEY
}
teardown() {
	[ -n "${LLM_PID:-}" ] && kill "$LLM_PID" 2> /dev/null
	sandbox_stop
}
calls() { curl -sS "$LLM_URL/_stats" | jq -r "${1:-.calls}"; }
# one deal, planned
deal() { head -1 "$FIX/deals.jsonl" | plan > deal.jsonl; N=$(jq '.activities | length' deal.jsonl); }
script() { echo "$1" > script.json; }
err() { jq -c '{error: .}' <<< "$1"; }

@test "llm mode: every text comes from the model, in order, and the run is logged" {
	llm_start
	deal
	mkdir run
	DG_RUN_DIR=$PWD/run run --separate-stderr dg-content --mode llm -j 4 deal.jsonl
	assert_success
	echo "$output" > out.jsonl
	run jq -r '.activities[] | .body | contains("Thanks for the time today")' out.jsonl
	refute_line false
	assert_equal "$(jq -r '[.activities[].key] | join(",")' out.jsonl)" "$(jq -r '[.activities[].key] | join(",")' deal.jsonl)"
	assert_equal "$(calls)" "$N"
	run jq -r 'select(.event == "llm") | [.calls, .cache_hits] | join(" ")' run/events.jsonl
	assert_output "$N 0"
	[[ "$stderr" == *"llm: $N calls, 0 cached"* ]]
	# replies quote the final text of what they answer
	assert_equal "$(jq '[.activities[] | select(.reply_to and .type != "out_of_office") | select(.body | test("wrote:\n> Hi ") | not)] | length' out.jsonl)" 0
}

@test "the cache: a second run makes no calls and writes the same bytes; --no-cache asks again" {
	llm_start
	deal
	dg-content --mode llm deal.jsonl > one.jsonl 2> /dev/null
	c1=$(calls)
	run --separate-stderr dg-content --mode llm deal.jsonl
	assert_success
	echo "$output" > two.jsonl
	assert_equal "$(calls)" "$c1"
	cmp one.jsonl two.jsonl
	dg-content --mode llm --no-cache deal.jsonl > /dev/null 2>&1
	assert_equal "$(calls)" $((c1 * 2))
}

@test "a server that refuses json_schema gets JSON mode instead" {
	script '[{"when": "json_schema", "status": 400, "body": {"error": {"message": "response_format json_schema is not supported by this model", "type": "invalid_request_error", "code": null}}}]'
	llm_start FAKE_LLM_SCRIPT=script.json
	deal
	run --separate-stderr dg-content --mode llm -j 1 deal.jsonl
	assert_success
	assert_equal "$(calls)" $((N + 1))
	assert_equal "$(calls '.requests[-1].body.response_format.type')" json_object
}

@test "429 with retry-after-ms and a 500 with an HTML page are retried" {
	script '[{"status": 429, "headers": {"retry-after-ms": "50"}, "body": {"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}}}, {"status": 500, "body": "<html>oops</html>"}]'
	llm_start FAKE_LLM_SCRIPT=script.json
	deal
	run --separate-stderr dg-content --mode llm -j 1 deal.jsonl
	assert_success
	assert_equal "$(calls)" $((N + 2))
	run jq -r '.activities[] | .body | contains("Thanks for the time today")' <<< "$output"
	refute_line false
}

@test "an exhausted quota is not retried: the LLM is switched off and hybrid goes on" {
	script '[{"status": 429, "body": {"error": {"message": "You exceeded your current quota", "type": "insufficient_quota", "code": "insufficient_quota"}}}]'
	llm_start FAKE_LLM_SCRIPT=script.json
	deal
	run --separate-stderr dg-content --mode hybrid -j 1 deal.jsonl
	assert_success
	[[ "$stderr" == *"the LLM is off for this run"*"insufficient_quota"* ]]
	[ "$(grep -c 'the LLM is off for this run' <<< "$stderr")" -eq 1 ]
	assert_equal "$(calls)" 1
	heuristic=$(dg-content --mode heuristic deal.jsonl)
	assert_equal "$output" "$heuristic"
}

@test "a refused key switches the LLM off too; llm mode then fails each item" {
	script '[{"status": 401, "body": {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}}}]'
	llm_start FAKE_LLM_SCRIPT=script.json
	deal
	run --separate-stderr dg-content --mode llm -j 1 deal.jsonl
	assert_failure 3
	run jq -r '[.activities[] | select(.error)] | length' <<< "$output"
	assert_output "$N"
}

@test "malformed JSON, a cut-off answer and a text without the person fall back in hybrid" {
	script '[{"status": 200, "body": "{not json"},
		{"status": 200, "body": {"choices": [{"message": {"content": "{\"subject\": \"x\", \"body\": \"cut"}, "finish_reason": "length"}]}},
		{"status": 200, "body": {"choices": [{"message": {"content": "{\"subject\": \"Notes\", \"body\": \"A long enough body that names nobody at all in it, sadly.\"}"}, "finish_reason": "stop"}]}}]'
	llm_start FAKE_LLM_SCRIPT=script.json
	deal
	mkdir run
	DG_RUN_DIR=$PWD/run run --separate-stderr dg-content --mode hybrid -j 1 deal.jsonl
	assert_success
	run jq -r 'select(.event == "llm-fallback") | .why' run/events.jsonl
	assert_line "the answer is not JSON"
	assert_line "the answer was cut off (finish_reason length)"
	assert_line --partial "the body does not name"
	[[ "$stderr" == *"3 of $N texts fell back"* ]]
}

@test "the prompt says who writes to whom, how long and in what texture; a model text that names its author or a past quarter falls back" {
	script '[{"status": 200, "body": {"choices": [{"message": {"content": "{\"subject\": \"Hello\", \"body\": \"Hi Marcus,\\n\\nSam Rivera wanted you to know that this is a long enough text.\\n\\nMore to say here.\\n\\nBest,\\nSam\"}"}, "finish_reason": "stop"}]}},
		{"status": 200, "body": {"choices": [{"message": {"content": "{\"subject\": \"Hello\", \"body\": \"Hi Sam,\\n\\nMarcus here. We planned a launch for Q1 2020, which is long enough.\\n\\nThanks,\\nMarcus\"}"}, "finish_reason": "stop"}]}}]'
	llm_start FAKE_LLM_SCRIPT=script.json
	deal
	mkdir run
	DG_RUN_DIR=$PWD/run run --separate-stderr dg-content --mode hybrid -j 1 deal.jsonl
	assert_success
	run jq -r 'select(.event == "llm-fallback") | .why' run/events.jsonl
	assert_line "the text names its own author, Sam Rivera, in the third person"
	assert_line --partial "the text speaks of Q1 2020, already over"
	first=$(curl -sS "$LLM_URL/_stats" | jq -r '.requests[0].body.messages[-1].content')
	[[ "$first" == *"Author: Sam Rivera. Audience: Marcus Brown."* ]]
	[[ "$first" == *"Texture: a complete email"* ]]
	[[ "$first" == *"Length: about "*" words ("* ]]
}

@test "in llm mode a cut-off answer is an error for that item only" {
	script '[{"status": 200, "body": {"choices": [{"message": {"content": "{\"subject\": \"x\", \"body\": \"cut"}, "finish_reason": "length"}]}}]'
	llm_start FAKE_LLM_SCRIPT=script.json
	deal
	run --separate-stderr dg-content --mode llm -j 1 deal.jsonl
	assert_failure 3
	run jq -c '[.activities[] | select(.error) | .error.message]' <<< "$output"
	assert_output '["the answer was cut off (finish_reason length)"]'
}

@test "a request that times out is retried" {
	script '[{"delay_ms": 2500}]'
	llm_start FAKE_LLM_SCRIPT=script.json
	printf 'llm:\n  timeout: 1\n  retries: 1\n' > demo.yaml
	deal
	run --separate-stderr dg-content --mode llm -j 1 deal.jsonl
	assert_success
	assert_equal "$(calls)" $((N + 1))
}

@test "integer and null error codes, as llama.cpp and Ollama send them, are read" {
	script '[{"status": 400, "body": {"error": {"code": 400, "message": "the request is bad", "type": "invalid_request_error"}}},
		{"status": 404, "body": {"error": {"code": null, "message": "model \"x\" not found", "type": "not_found_error", "param": null}}}]'
	llm_start FAKE_LLM_SCRIPT=script.json
	deal
	mkdir run
	DG_RUN_DIR=$PWD/run run --separate-stderr dg-content --mode hybrid -j 1 deal.jsonl
	assert_success
	run jq -r 'select(.event == "llm-fallback") | .why' run/events.jsonl
	assert_line "HTTP 400 400: the request is bad"
	assert_line --partial 'HTTP 404 not_found_error: model "x" not found'
}

@test "Azure OpenAI: the deployment URL, the api-version and the api-key header" {
	llm_start
	unset OPENAI_BASE_URL
	export AZURE_OPENAI_ENDPOINT=$LLM_URL AZURE_OPENAI_API_KEY=azure-key-1 OPENAI_API_VERSION=2024-10-21
	printf 'llm:\n  azure:\n    deployment: dg-gpt\n' > demo.yaml
	deal
	run --separate-stderr dg-content --mode llm -j 2 deal.jsonl
	assert_success
	assert_equal "$(calls '.requests[0] | [.url, .api_key, .authorization] | map(tostring) | join(" ")')" \
		"/openai/deployments/dg-gpt/chat/completions?api-version=2024-10-21 azure-key-1 null"
	unset AZURE_OPENAI_API_KEY
	run dg-content --mode llm deal.jsonl
	assert_failure 2
	assert_output --partial AZURE_OPENAI_API_KEY
}

@test "an LLM mode with no LLM configured is a usage error; the default is heuristic" {
	unset OPENAI_BASE_URL OPENAI_API_KEY AZURE_OPENAI_ENDPOINT
	head -1 "$FIX/deals.jsonl" | plan > deal.jsonl
	run dg-content --mode llm deal.jsonl
	assert_failure 2
	assert_output --partial "needs an LLM"
	run dg-content deal.jsonl
	assert_success
}

# scored-input: one deal written heuristically, ready for dg-score
written() { head -2 "$FIX/deals.jsonl" | plan | dg-content --mode heuristic > written.jsonl; }

@test "dg-score llm: answers, scores and evidence from the model, checked against the activities" {
	llm_start
	written
	run --separate-stderr dg-score --mode llm written.jsonl
	assert_success
	echo "$output" > scored.jsonl
	run jq -r '.scorecard.answers[] | .answer' scored.jsonl
	assert_line --partial "Answer for metrics from the notes."
	# every cited key is a past activity of the same deal
	run jq -r '. as $d | .scorecard.answers[].evidence[] | . as $k | ($d.activities | map(select(.when == "past") | .key) | index($k)) != null' scored.jsonl
	refute_line false
	assert_equal "$(calls)" 2
	run --separate-stderr dg-score --mode llm written.jsonl
	assert_equal "$output" "$(cat scored.jsonl)"
	assert_equal "$(calls)" 2
	run dg-state cache --clear
	assert_success
	dg-score --mode llm written.jsonl > /dev/null 2>&1
	assert_equal "$(calls)" 4
}

@test "dg-score llm: the schema asks for each element once and evidence from the deal's own past keys; long deals fit a budget" {
	llm_start
	written
	head -1 written.jsonl > one.jsonl
	dg-score --mode llm one.jsonl > /dev/null 2>&1
	run jq -c '.requests[-1].body.response_format.json_schema.schema.properties.answers | [.type, .additionalProperties, .required]' <<< "$(curl -sS "$LLM_URL/_stats")"
	assert_output '["object",false,["metrics","economic_buyer","decision_criteria","decision_process","identify_pain","champion","competition"]]'
	keys=$(jq -c '[.activities[] | select(.when == "past") | .key]' one.jsonl)
	run jq -c '.requests[-1].body.response_format.json_schema.schema.properties.answers.properties.champion.properties.evidence.items.enum' <<< "$(curl -sS "$LLM_URL/_stats")"
	assert_output "$keys"
	# a deal with 400 long past emails: the prompt stays within the budget, and only
	# the activities it shows may be cited
	jq -c '.activities = [range(400) as $i | {key: "k\($i)", kind: "email", when: "past", start: "2026-01-01T10:00:00Z",
		subject: "Note \($i)", body: ("word " * 400)}]' one.jsonl > long.jsonl
	run --separate-stderr dg-score --mode llm --no-cache long.jsonl
	assert_success
	req=$(curl -sS "$LLM_URL/_stats" | jq -c '.requests[-1].body')
	[ "$(jq '.messages | map(.content) | add | length' <<< "$req")" -lt 52000 ]
	kept=$(jq '.response_format.json_schema.schema.properties.answers.properties.metrics.properties.evidence.items.enum | length' <<< "$req")
	[ "$kept" -gt 100 ] && [ "$kept" -lt 400 ]
	# the latest are kept, and the keys offered are exactly those shown
	assert_equal "$(jq -r '.response_format.json_schema.schema.properties.answers.properties.metrics.properties.evidence.items.enum[0]' <<< "$req")" "k$((400 - kept))"
	assert_equal "$(jq -r '.messages[1].content' <<< "$req" | grep -c '^\[k[0-9]*\] ')" "$kept"
}

@test "dg-score hybrid: a scorecard citing activities that do not exist falls back" {
	script '[{"status": 200, "body": {"choices": [{"message": {"content": "{\"answers\": [{\"id\": \"metrics\", \"answer\": \"x\", \"score\": 2, \"confidence\": 0.5, \"evidence\": [\"made-up-key\"]}]}"}, "finish_reason": "stop"}]}}]'
	llm_start FAKE_LLM_SCRIPT=script.json
	written
	mkdir run
	DG_RUN_DIR=$PWD/run run --separate-stderr dg-score --mode hybrid -j 1 written.jsonl
	assert_success
	echo "$output" > scored.jsonl
	run jq -r 'select(.event == "llm-fallback") | .why' run/events.jsonl
	assert_output --partial "answers for 7 elements"
	# the first deal (the bad answer) keeps the heuristic scorecard
	heuristic=$(head -1 written.jsonl | dg-score --mode heuristic 2> /dev/null | jq -c .scorecard)
	assert_equal "$(head -1 scored.jsonl | jq -c .scorecard)" "$heuristic"
}

@test "llm mode streams: dg-content and dg-score write a window's deals while the input is still open" {
	llm_start
	# 40 deals (more than one window of 32), then the input stays open for 10 s more.
	"$TOP/bench/gen-deals" 40 9 | plan > deals.jsonl
	local pids=()
	for stage in dg-content dg-score; do
		{ cat deals.jsonl; sleep 10; echo END > "$stage.end"; } | $stage --mode llm -j 4 > "$stage.out" 2> /dev/null &
		pids+=($!)
	done
	for stage in dg-content dg-score; do
		for i in $(seq 200); do [ -s "$stage.out" ] || [ -e "$stage.end" ] && break; sleep 0.05; done
		# the first window came out while the input was still open
		[ -s "$stage.out" ] && [ ! -e "$stage.end" ] || { echo "$stage: nothing out before the input ended"; false; }
		assert_equal "$(head -n 1 "$stage.out" | jq -r .opportunity.Id)" "$(head -n 1 deals.jsonl | jq -r .opportunity.Id)"
	done
	wait "${pids[@]}"
	assert_equal "$(wc -l < dg-content.out)" 40
	assert_equal "$(wc -l < dg-score.out)" 40
}
