#!/usr/bin/env bats
# dg refresh: a demo written on one day, brought to a later day's plan. Judged against
# a fresh run on the later day into an identical org: the same meetings and emails by
# opportunity, subject, time, length, status and text, nothing doubled; records keep
# their Ids; a second refresh that day writes nothing; a killed refresh is completed by
# the next; a reset takes it all out.
load helper

LATER=2027-01-07 # six weeks after $NOW

# open N: a config of N open deals, dg's records tagged.
open_deals() {
	printf 'query:\n  max_opps: %s\n  where: "IsClosed = false"\npush:\n  tag_field: DG_Tag__c\nsalesforce:\n  retry_base_ms: 20\n' "$1" > demo.yaml
}
# activities: every live Event and Task dg wrote, as the org has them, one sorted line
# each (no Ids: those differ between orgs), with how many people each Event relates.
activities() {
	sb_login
	soql_all "SELECT Id, WhatId, Subject, StartDateTime, DurationInMinutes, Description, Location, ShowAs FROM Event WHERE DG_Tag__c != null AND IsDeleted = false" > /dev/null
	body '.records[] | del(.attributes) | [.WhatId, .Subject, .StartDateTime, .DurationInMinutes, .Description, .Location, .ShowAs] | tostring' > events.part
	soql_all "SELECT EventId FROM EventRelation WHERE IsDeleted = false" > /dev/null
	body '[.records[].EventId] | group_by(.) | map({key: .[0], value: length}) | from_entries' > rel.part
	soql_all "SELECT Id, WhatId, StartDateTime, Subject FROM Event WHERE DG_Tag__c != null AND IsDeleted = false" > /dev/null
	jq -cr --slurpfile r rel.part '.records[] | [.WhatId, .StartDateTime, .Subject, ($r[0][.Id] // 0)] | tostring' \
		"$BATS_TEST_TMPDIR/body" >> events.part
	soql_all "SELECT WhatId, Subject, ActivityDate, Status, Priority, Description FROM Task WHERE DG_Tag__c != null AND IsDeleted = false" > /dev/null
	body '.records[] | del(.attributes) | [.WhatId, .Subject, .ActivityDate, .Status, .Priority, .Description] | tostring' >> events.part
	sort events.part
}
# fresh DUMP: an identical org (the sandbox started again) written fresh on $LATER with
# its own state; DUMP (a function above) of it into fresh.txt.
fresh() {
	sandbox_stop
	sandbox_start
	sf_env
	mkdir fresh && cp demo.yaml fresh/ && cd fresh
	DG_STATE=$PWD/.dg/state.db DG_RUNS=$PWD/runs dg run --yes --now "$LATER" 2> /dev/null
	"$1" > ../fresh.txt
	cd ..
}
writes() { stats '[.requests | to_entries[] | select(.key | test("create|update|delete")) | .value] | add // 0'; }

@test "dg refresh -h; dg help lists it" {
	run dg refresh -h
	assert_success
	assert_line --index 0 --partial "usage: dg refresh"
	run dg help
	assert_line --regexp '^  refresh +'
}

@test "six weeks later a refresh holds exactly what a fresh run on that day writes; Ids kept; a second refresh writes nothing" {
	sandbox_start
	sf_env
	open_deals 6
	dg run --yes --now "$NOW" 2> /dev/null
	sb_login
	ev=$(first "SELECT Id FROM Event WHERE DG_Tag__c != null ORDER BY StartDateTime DESC LIMIT 1")
	old_start=$(soql "SELECT StartDateTime FROM Event WHERE Id = '$ev'" > /dev/null && body '.records[0].StartDateTime')
	# dry run first: per deal what would change; nothing is written
	w0=$(writes)
	run --separate-stderr dg refresh --dry-run --now "$LATER"
	assert_success
	[[ "$stderr" == *"refresh dry run against "*"6 deals; would create "*" and remove "* ]]
	[ "$(grep -c ': meetings and emails: .* to create, .* to update (the scorecard too); .* records to remove$' <<< "$stderr")" -eq 6 ]
	[ "$(writes)" = "$w0" ]
	run --separate-stderr dg refresh --dry-run --now "$LATER" --json
	[ "$(jq .refresh.to_update <<< "$output")" -gt 50 ]
	# the dry run's page shows what changes
	[ "$(grep -o 'changes on refresh' "$(jq -r .report <<< "$output")" | wc -l)" -gt 50 ]
	# the refresh: mostly updates
	run --separate-stderr dg refresh --yes --now "$LATER" --json
	assert_success
	[ "$(jq '.records.Event.updated' <<< "$output")" -gt 10 ]
	[ "$(jq '.records.Task.updated' <<< "$output")" -gt 10 ]
	# the same Event, moved to the later day's plan
	new_start=$(soql "SELECT StartDateTime FROM Event WHERE Id = '$ev'" > /dev/null && body '.records[0].StartDateTime')
	[ -n "$new_start" ] && [ "$new_start" != null ] && [ "$new_start" != "$old_start" ]
	activities > refreshed.txt
	# a second refresh that day: nothing to do, no write call
	w1=$(writes)
	run --separate-stderr dg refresh --yes --now "$LATER"
	assert_success
	[[ "$stderr" == *"nothing to refresh: all "*" as the plan has them"* ]]
	[ "$(writes)" = "$w1" ]
	# an identical org, written fresh on the later day
	fresh activities
	[ "$(wc -l < fresh.txt)" -gt 100 ]
	diff -u fresh.txt refreshed.txt
}

@test "a refresh killed half-way is completed by the next, nothing doubled; a reset takes everything out" {
	sandbox_start --latency 40
	sf_env
	open_deals 5
	before=$(stats '.records | [.Event, .Task, .EventRelation, .TaskRelation, .Contact] | join(" ")')
	dg run --yes --now "$NOW" 2> /dev/null
	setsid dg refresh --yes --now "$LATER" > /dev/null 2>&1 &
	pid=$!
	sleep 1.5
	kill -9 -- "-$pid" 2> /dev/null || true
	wait "$pid" 2> /dev/null || true
	run --separate-stderr dg refresh --yes --now "$LATER"
	assert_success
	activities > refreshed.txt
	run --separate-stderr dg refresh --yes --now "$LATER"
	[[ "$stderr" == *"nothing to refresh"* ]]
	# no meeting or email twice
	sb_login
	soql_all "SELECT WhatId, StartDateTime, Subject FROM Event WHERE DG_Tag__c != null AND IsDeleted = false" > /dev/null
	assert_equal "$(body '[.records[] | [.WhatId, .StartDateTime, .Subject]] | length == (unique | length)')" true
	# as many emails in the org as the last plan has
	last=$(ls -d runs/* | grep -v dry-run | tail -1)
	soql "SELECT COUNT() FROM Task WHERE DG_Tag__c != null" > /dev/null
	assert_equal "$(body .totalSize)" "$(jq -s '[.[].activities[] | select(.kind == "email")] | length' "$last/marked.jsonl")"
	run --separate-stderr dg reset --all --yes
	assert_success
	assert_equal "$(stats '.records | [.Event, .Task, .EventRelation, .TaskRelation, .Contact] | join(" ")')" "$before"
}

@test "--move-close-dates moves open deals' close dates by the whole weeks since the demo was written, from where they were; the same deals stay current; reset puts them back" {
	sandbox_start
	sf_env
	open_deals 4
	dg run --yes --now "$NOW" 2> /dev/null
	ids=$(dg-state opps | sed "s/.*/'&'/" | paste -sd,)
	[ "$(dg-state opps | wc -l)" -eq 4 ]
	closes() {
		soql "SELECT Id, CloseDate, DG_Scorecard_Score__c FROM Opportunity WHERE Id IN ($ids) ORDER BY Id" > /dev/null &&
			body '[.records[] | [.Id, .CloseDate, .DG_Scorecard_Score__c]]'
	}
	sb_login
	before=$(soql "SELECT Id, CloseDate FROM Opportunity WHERE Id IN ($ids) ORDER BY Id" > /dev/null && body '[.records[] | [.Id, .CloseDate]]')
	plus() { jq -c --argjson d "$1" '[.[] | [.[0], ((.[1] | strptime("%Y-%m-%d") | mktime) + $d * 86400 | strftime("%Y-%m-%d"))]]' <<< "$before"; }
	# three weeks on, then six: each time from the close dates the demo began with
	run --separate-stderr dg refresh --yes --now 2026-12-17 --move-close-dates
	assert_success
	assert_equal "$(closes | jq -c '[.[] | [.[0], .[1]]]')" "$(plus 21)"
	run --separate-stderr dg refresh --yes --now "$LATER" --move-close-dates
	assert_success
	assert_equal "$(closes | jq -c '[.[] | [.[0], .[1]]]')" "$(plus 42)"
	# the same four deals, though the query would now choose others first
	run --separate-stderr dg refresh --yes --now "$LATER" --move-close-dates
	[[ "$stderr" == *"nothing to refresh: all "*" of 4 deals"* ]]
	# without the option a refresh leaves them where they are; --move-close-dates alone is misuse
	run --separate-stderr dg run --move-close-dates --yes
	assert_failure 2
	# a reset puts the close dates and the scorecard fields back
	run --separate-stderr dg reset --all --yes
	assert_success
	assert_equal "$(closes | jq -c '[.[] | [.[0], .[1]]]')" "$before"
	assert_equal "$(closes | jq -c '[.[] | .[2]] | unique')" '[null]'
}

@test "emails written as EmailMessages: a sent message cannot change, so the refresh makes it anew; the org then holds what a fresh run writes" {
	sandbox_start
	sf_env
	printf 'query:\n  max_opps: 3\n  where: "IsClosed = false"\npush:\n  tag_field: DG_Tag__c\n  email_as: emailmessage\n' > demo.yaml
	messages() {
		sb_login
		soql_all "SELECT RelatedToId, Subject, MessageDate, Status, Incoming, FromAddress, ToAddress, TextBody FROM EmailMessage WHERE IsDeleted = false" > /dev/null
		body '.records[] | del(.attributes) | tostring' | sort
		soql_all "SELECT WhatId, Subject, ActivityDate FROM Task WHERE IsDeleted = false AND TaskSubtype = 'Email'" > /dev/null
		body '.records[] | del(.attributes) | tostring' | sort
	}
	dg-config > /dev/null
	dg run --yes --now "$NOW" 2> /dev/null
	run --separate-stderr dg refresh --yes --now "$LATER"
	assert_success
	messages > refreshed.txt
	run --separate-stderr dg refresh --yes --now "$LATER"
	[[ "$stderr" == *"nothing to refresh"* ]]
	fresh messages
	[ "$(wc -l < fresh.txt)" -gt 20 ]
	diff -u fresh.txt refreshed.txt
}
