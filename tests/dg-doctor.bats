#!/usr/bin/env bats
# dg doctor against dg-sandbox: every check has an id, a status and a message; the exit
# status follows the failures; the enterprise profile's troubles are named.

load helper

@test "dg-doctor -h and misuse" {
	run --separate-stderr dg-doctor -h
	assert_success
	assert_output --partial "usage: dg-doctor"
	run dg-doctor --bogus
	assert_failure 2
	run dg doctor --max-opps 0
	assert_failure 2
}

@test "a lenient org: at least twelve checks, each with id, status and message; nothing fails, exit 0" {
	sandbox_start
	sf_env
	run --separate-stderr dg doctor --json
	assert_success
	echo "$output" > doc.json
	[ "$(jq '.checks | length' doc.json)" -ge 12 ]
	assert_equal "$(jq '[.checks[] | select((.id | type) != "string" or (.message | type) != "string" or (.status | IN("pass", "warn", "fail") | not))] | length' doc.json)" 0
	assert_equal "$(jq '[.checks[] | select(.status == "warn" and (.fix | type) != "string")] | length' doc.json)" 0
	assert_equal "$(jq -r '[.checks[] | select(.status == "fail") | .id] | join(",")' doc.json)" ""
	for id in login org api-version api-limits objects field-access required-fields task-picklists shared-activities \
		enhanced-email duplicate-rules validation-rules tag-field scorecard-fields owners-active owner-emails \
		account-websites contact-domains peopleai-sources; do
		jq -e --arg id "$id" 'any(.checks[]; .id == $id)' doc.json > /dev/null || { echo "no check $id"; false; }
	done
	assert_equal "$(jq -r '.checks[] | select(.id == "task-picklists") | .message' doc.json)" \
		"past emails get the closed status 'Completed', upcoming ones 'Not Started', priority 'Normal'"
	# the same as lines for people, ending with the counts
	run --separate-stderr dg doctor
	assert_success
	assert_line --regexp '^pass  login +logged in at http://127\.0\.0\.1:[0-9]+ as admin@dg\.sandbox, by'
	assert_line --regexp '^[0-9]+ passed, [0-9]+ warned, 0 failed$'
}

@test "the enterprise profile: its rules, inactive and .invalid owners, its own picklists are named with their fixes" {
	DG_SANDBOX_PROFILE=enterprise sandbox_start
	DG_SANDBOX_PROFILE=enterprise sf_env
	run --separate-stderr dg doctor --json --max-opps 40
	assert_success
	echo "$output" > doc.json
	st() { jq -r --arg id "$1" '.checks[] | select(.id == $id) | "\(.status): \(.message)"' doc.json; }
	[[ "$(st validation-rules)" == "warn: active validation rules run on what dg writes: Next_Step_In_Negotiation on Opportunity" ]]
	[[ "$(st duplicate-rules)" == "pass: active on Contact: Standard_Contact_Duplicate_Rule;"* ]]
	[[ "$(st owner-emails)" == "warn: owners People.ai cannot match by email: "*".invalid)"* ]]
	[[ "$(st owners-active)" == "warn: inactive owners"* ]]
	[[ "$(st task-picklists)" == "pass: past emails get the closed status 'Done', upcoming ones 'Open', priority 'Medium'" ]]
	[[ "$(st type-picklists)" == "warn: Task.Type has no Email"* ]]
	[[ "$(jq -r '.checks[] | select(.id == "owner-emails") | .fix' doc.json)" == *"Setup > Users"* ]]
}

@test "a required field dg does not set, or no login: the check fails and dg doctor exits 1" {
	printf 'objects:\n  Task:\n    fields:\n      Region__c: {type: string, length: 40, required: true}\n' > extra.yaml
	sandbox_start --schema "$TOP/share/dg/sandbox/dg.yaml" --schema extra.yaml
	sf_env
	run --separate-stderr dg doctor
	assert_failure 1
	assert_line "fail  required-fields      required fields dg does not set: Task.Region__c"
	assert_line --regexp '^[0-9]+ passed, [0-9]+ warned, 1 failed$'
	sandbox_stop
	run --separate-stderr dg doctor --json
	assert_failure 1
	assert_equal "$(jq -r '.checks[0] | [.id, .status] | join(" ")' <<< "$output")" "login fail"
	assert_equal "$(jq '.checks | length' <<< "$output")" 1
}

@test "an org without dg's fields: the fix is the sf command that deploys them from share/dg/salesforce" {
	printf 'objects: {}\n' > none.yaml
	sandbox_start --schema none.yaml
	sf_env
	run --separate-stderr dg doctor --json
	assert_success
	for id in tag-field scorecard-fields run-lock; do
		assert_equal "$(jq -r --arg id "$id" '.checks[] | select(.id == $id) | .status' <<< "$output")" warn
	done
	[[ "$(jq -r '.checks[] | select(.id == "tag-field") | .fix' <<< "$output")" == "sf project deploy start --source-dir "*"/salesforce/force-app --target-org ALIAS, then sf org assign permset --name DG_Writer --target-org ALIAS" ]]
}


@test "push.email_as: emailmessage: an org without Enhanced Email fails the check; with it, EmailMessage access is checked" {
	printf 'push:\n  email_as: emailmessage\n' > demo.yaml
	sandbox_start --without EmailMessage --without EmailMessageRelation
	sf_env
	run --separate-stderr dg doctor --json
	assert_failure 1
	assert_equal "$(jq -r '.checks[] | select(.id == "enhanced-email") | [.status, .fix] | join(" | ")' <<< "$output")" \
		"fail | Setup > Enhanced Email > Enable, or set push.email_as: task"
	[[ "$(jq -r '.checks[] | select(.id == "objects") | .message' <<< "$output")" == "dg cannot create EmailMessage, EmailMessageRelation" ]]
	sandbox_stop
	sandbox_start
	sf_env
	run --separate-stderr dg doctor --json
	assert_equal "$(jq -r '.checks[] | select(.id == "enhanced-email" or .id == "objects" or .id == "field-access") | .status' <<< "$output" | sort -u)" pass
	[[ "$(jq -r '.checks[] | select(.id == "objects") | .message' <<< "$output")" == *"email messages and their relations" ]]
}
