#!/usr/bin/env bats
# dg-state's record-reading subcommands, the ones the porcelain uses instead of
# walking records itself: tally (planned and written, per object), log (one event per
# record, the failures as errors.jsonl lines) and event (the one writer's layout).
# mark, record and the runs are tested through dg run (dg-run.bats, reliability.bats).

load helper

@test "dg-state -h describes tally, log and event; an unknown subcommand is misuse" {
	run --separate-stderr dg-state -h
	assert_success
	assert_output --partial "dg-state tally [FILE...]"
	assert_output --partial "dg-state log [--run RUN] [FILE...]"
	assert_output --partial "dg-state event NAME [KEY=VALUE...]"
	run dg-state frobnicate
	assert_failure 2
}

@test "tally counts what a plan would create per object, and what a push wrote by status" {
	sandbox_start
	sf_env
	dg-query --max-opps 3 2> /dev/null | plan | dg-content | dg-score > planned.jsonl
	run --separate-stderr dg-state tally planned.jsonl
	assert_success
	echo "$output" > tally.json
	# the same counts, by another reading of the record
	assert_equal "$(jq .planned.Event.create tally.json)" "$(jq -s '[.[].activities[] | select(.kind == "meeting")] | length' planned.jsonl)"
	assert_equal "$(jq .planned.Task.create tally.json)" "$(jq -s '[.[].activities[] | select(.kind == "email")] | length' planned.jsonl)"
	assert_equal "$(jq '.planned.EventRelation.create // 0' tally.json)" \
		"$(jq -s '[.[].activities[] | select(.kind == "meeting") | ((.attendees - [.who]) + (.internal // [])) | length] | add' planned.jsonl)"
	assert_equal "$(jq '.records' tally.json)" "{}"
	dg-push planned.jsonl > pushed.jsonl 2> /dev/null
	run dg-state tally pushed.jsonl
	assert_success
	assert_equal "$(jq .records.Event.created <<< "$output")" "$(jq .planned.Event.create tally.json)"
	assert_equal "$(jq '[.planned[].create] | add' <<< "$output")" 0
}

@test "log writes one event per record with the run's id, and each failure as an errors.jsonl line" {
	sandbox_start
	sf_env
	dg-query --max-opps 2 2> /dev/null | plan | dg-content | dg-score > planned.jsonl
	subj=$(head -n 1 planned.jsonl | jq -r '[.activities[] | select(.kind == "meeting")][0].subject')
	admin POST faults -H 'Content-Type: application/json' -d "{\"fail_when\": [\"Subject=$subj:FIELD_CUSTOM_VALIDATION_EXCEPTION\"]}" > /dev/null
	dg-push planned.jsonl > pushed.jsonl 2> /dev/null || true
	mkdir run
	DG_RUN_DIR=$PWD/run DG_RUN_ID=r1 run --separate-stderr dg-state log pushed.jsonl
	assert_success
	echo "$output" > errors.jsonl
	# every record written has its event; time, run and event come first
	assert_equal "$(wc -l < run/events.jsonl)" "$(jq -s '[.[] | (.contacts[] | select(.planned) | .sf, .sf.role), .activities[].sf, (.activities[].sf.relations[]?), .scorecard.sf? | select(.object)] | length' pushed.jsonl)"
	assert_equal "$(head -n 1 run/events.jsonl | jq -r 'keys_unsorted[0:3] | join(",")')" "time,run,event"
	assert_equal "$(jq -r .run run/events.jsonl | sort -u)" r1
	# the refused meeting: an event with its error, and a line in errors.jsonl
	[ "$(jq -s '[.[] | select(.event == "failed")] | length' run/events.jsonl)" -ge 1 ]
	run jq -r '[.object, .code, (.key | length > 0), (.opportunity[0:3])] | join(" ")' errors.jsonl
	assert_line "Event FIELD_CUSTOM_VALIDATION_EXCEPTION true 006"
}

@test "event appends one line in the shared layout; without a run directory it is misuse" {
	mkdir run
	DG_RUN_DIR=$PWD/run DG_RUN_ID=r2 run dg-state event stage-end stage=push ms=1200 status=0
	assert_success
	run jq -c '[keys_unsorted, .stage, .ms, .status, (.time | test("^[0-9-]+T[0-9:]+\\.[0-9]{3}Z$"))]' run/events.jsonl
	assert_output '[["time","run","event","stage","ms","status"],"push",1200,0,true]'
	run --separate-stderr dg-state event x
	assert_failure 2
	[[ "$stderr" == *"DG_RUN_DIR"* ]]
	DG_RUN_DIR=$PWD/run run dg-state event x notakeyvalue
	assert_failure 2
}
