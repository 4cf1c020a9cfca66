#!/usr/bin/env bats
# dg verify after dg run, against dg-sandbox: a run as written passes; records changed
# in the org behind its back fail, each named with what is wrong.

load helper

@test "dg-verify -h, misuse, and no run to verify" {
	run --separate-stderr dg-verify -h
	assert_success
	assert_output --partial "usage: dg-verify"
	run dg-verify a b
	assert_failure 2
	run --separate-stderr dg verify
	assert_failure 2
	[[ "$stderr" == *"no run under 'runs' has written anything"* ]]
	run --separate-stderr dg verify nosuchrun
	assert_failure 2
	[[ "$stderr" == *"'nosuchrun': no such run"* ]]
}

@test "a run as written passes; records changed behind its back fail, named with what is wrong" {
	sandbox_start
	sf_env
	printf 'query:\n  max_opps: 3\npush:\n  tag_field: DG_Tag__c\n' > demo.yaml
	dg run --yes > /dev/null 2>&1
	id=$(ls runs)
	run --separate-stderr dg verify --json "$id"
	assert_success
	echo "$output" > v.json
	assert_equal "$(jq -c '[.ok, .failed, ([.deals[].verdict] | unique)]' v.json)" '[3,0,["ok"]]'
	[ "$(jq '[.deals[].records] | add' v.json)" -gt 40 ]
	# the newest run when none is named; lines for people
	run --separate-stderr dg verify
	assert_success
	assert_line "3 deals as People.ai needs them, 0 falling short"
	# behind dg's back: an email moved to another deal, a meeting moved, a task reopened,
	# an email deleted
	sb_login
	p=runs/$id/pushed.jsonl
	# one deal with a meeting and three past emails
	jq -c 'select(([.activities[] | select(.kind == "meeting")] | length) > 0 and
		([.activities[] | select(.kind == "email" and .when == "past")] | length) > 2)' "$p" | head -n 1 > deal.json
	pick() { jq -r "[.activities[] | select($1)][$2].sf.id" deal.json; }
	t1=$(pick '.kind == "email" and .when == "past"' 0)
	t2=$(pick '.kind == "email" and .when == "past"' 1)
	t3=$(pick '.kind == "email" and .when == "past"' 2)
	e1=$(pick '.kind == "meeting"' 0)
	other=$(first "SELECT Id FROM Opportunity ORDER BY Name DESC LIMIT 1")
	run sf PATCH "/sobjects/Task/$t1" -d "{\"WhatId\":\"$other\"}"
	assert_output 204
	run sf PATCH "/sobjects/Event/$e1" -d '{"StartDateTime":"2026-06-01T10:00:00Z"}'
	assert_output 204
	soql "SELECT ApiName FROM TaskStatus WHERE IsClosed = false AND IsDefault = true" > /dev/null
	open=$(body '.records[0].ApiName')
	run sf PATCH "/sobjects/Task/$t2" -d "{\"Status\":\"$open\"}"
	assert_output 204
	run sf DELETE "/sobjects/Task/$t3"
	assert_output 204
	run --separate-stderr dg verify --json "$id"
	assert_failure 1
	echo "$output" > v.json
	assert_equal "$(jq '.failed' v.json)" 1
	why() { jq -r --arg id "$1" '.deals[].problems[] | select(.id == $id) | .problem' v.json; }
	[[ "$(why "$t1")" == "not on its opportunity (WhatId $other)" ]]
	[[ "$(why "$e1")" == "starts at 2026-06-01T10:00:00.000+0000, not "* ]]
	[[ "$(why "$t2")" == "open, but it is past" ]]
	[[ "$(why "$t3")" == "not in the org (deleted)" ]]
	run --separate-stderr dg verify "$id"
	assert_failure 1
	assert_line --regexp "^FAIL 006[A-Za-z0-9]+ '.*': 4 of [0-9]+ records fall short$"
}

@test "a refreshed sandbox (enterprise): owners' .invalid emails make every record fall short, and say so" {
	DG_SANDBOX_PROFILE=enterprise sandbox_start
	DG_SANDBOX_PROFILE=enterprise sf_env
	printf 'query:\n  max_opps: 2\npush:\n  tag_field: DG_Tag__c\n' > demo.yaml
	dg run --yes > /dev/null 2>&1
	run --separate-stderr dg verify --json
	assert_failure 1
	assert_equal "$(jq '.ok' <<< "$output")" 0
	[[ "$(jq -r '.deals[0].problems[0].problem' <<< "$output")" == "its owner's email '"*".invalid' cannot be matched" ]]
}

@test "emails written as EmailMessages (push.email_as): a run passes; a message gone, its Task gone, or its sender changed fail" {
	sandbox_start
	sf_env
	printf 'query:\n  max_opps: 3\npush:\n  email_as: emailmessage\n' > demo.yaml
	# a dry run counts the emails as what they will be
	run dg dry-run
	assert_success
	assert_line --regexp '^  EmailMessage: [1-9][0-9]* to create, 0 already there$'
	assert_line --regexp '^  EmailMessageRelation: [1-9][0-9]* to create, 0 already there$'
	refute_line --regexp '^  Task: '
	dg run --yes > /dev/null 2>&1
	id=$(ls runs | grep -v dry-run)
	run --separate-stderr dg verify --json "$id"
	assert_success
	assert_equal "$(jq -c '[.ok, .failed]' <<< "$output")" '[3,0]'
	p=runs/$id/pushed.jsonl
	pick() { jq -r "[.activities[] | select(.kind == \"email\" and .when == \"past\" and .direction == \"$1\")][$2].sf.id" "$p" | head -n 1; }
	m1=$(pick outbound 0)
	m2=$(pick outbound 1)
	m3=$(pick inbound 0)
	[[ "$m1" == 02s* && "$m2" == 02s* && "$m3" == 02s* ]]
	sb_login
	run sf GET "/sobjects/EmailMessage/$m2"
	assert_output 200
	task=$(body .ActivityId)
	[[ "$task" == 00T* ]]
	run sf DELETE "/sobjects/EmailMessage/$m1"
	assert_output 204
	run sf DELETE "/sobjects/Task/$task"
	assert_output 204
	run sf PATCH "/sobjects/EmailMessage/$m3" -d '{"FromAddress":"someone@elsewhere.example"}'
	assert_output 204
	run --separate-stderr dg verify --json "$id"
	assert_failure 1
	why() { jq -r --arg id "$1" '.deals[].problems[] | select(.id == $id) | .problem' <<< "$output"; }
	assert_equal "$(why "$m1")" "not in the org (deleted)"
	assert_equal "$(why "$m2")" "the Task Salesforce makes for an email is missing"
	[[ "$(why "$m3")" == "its contact's address '"*"' is not its sender" ]]
}
