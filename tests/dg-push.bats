#!/usr/bin/env bats
# dg-push against dg-sandbox: dependency order, batching, sf blocks, skips, tags,
# partial failures, retries, session renewal, the daily limit, the production guard,
# and --delete.

load helper

# planned N: N deals from the sandbox, planned, written and scored, in planned.jsonl.
planned() {
	dg-query --max-opps "$1" 2> /dev/null | dg-plan --now "$NOW" | dg-content | dg-score > planned.jsonl
}
# records FILE: how many records dg-push is to create for FILE's deals (a meeting's
# relations: its other attendees and the seller's people; an email's: those in copy).
records() {
	jq -s '[.[] | ([.contacts[] | select(.planned)] | length * 2) + (.activities | length)
		+ ([.activities[] | ((.attendees - [.who]) | length) + (.internal // [] | length)] | add // 0)] | add' "$1"
}

# contact_deal: a deal with no contact roles, planned with contacts of dg's own, in
# planned.jsonl (at least two planned contacts).
contact_deal() {
	sb_login
	opp=$(first "SELECT Id FROM Opportunity WHERE Id NOT IN (SELECT OpportunityId FROM OpportunityContactRole) LIMIT 1")
	printf 'query:\n  account_contacts: 0\n' > demo.yaml
	dg-query --id "$opp" 2> /dev/null | dg-plan --now "$NOW" | dg-content | dg-score > planned.jsonl
	[ "$(jq '[.contacts[] | select(.planned)] | length' planned.jsonl)" -ge 2 ]
}

@test "dg-push -h prints usage on stdout and exits 0" {
	run --separate-stderr dg-push -h
	assert_success
	assert_output --partial "usage: dg-push"
}

@test "dg-push refuses bad options with status 2" {
	run dg-push -j 0
	assert_failure 2
	run dg-push --tag "$(printf 'x%.0s' $(seq 65))"
	assert_failure 2
}

@test "dg-push writes every planned record once, in few calls, and marks each item" {
	sandbox_start
	sf_env
	planned 6
	want=$(records planned.jsonl)
	admin DELETE stats
	before=$(stats .api_usage)
	run --separate-stderr dg-push planned.jsonl
	assert_success
	echo "$output" > pushed.jsonl
	# every activity and planned contact has an sf block with an Id and "created"
	run jq -r '.activities[].sf | [.object, .status, (.id | length)] | join(" ")' pushed.jsonl
	refute_line --regexp ' (failed|skipped) '
	run jq -r '[.activities[] | select(.kind == "meeting") | .sf.object] | unique | join(",")' pushed.jsonl
	assert_line Event
	run jq -r '[.activities[] | select(.kind == "email") | .sf.object] | unique | join(",")' pushed.jsonl
	assert_line Task
	# the org holds exactly what was planned
	created=$(jq -s '[.[] | (.contacts[] | select(.planned) | .sf, .sf.role), .activities[].sf, (.activities[].sf.relations[]?) | select(.status == "created")] | length' pushed.jsonl)
	assert_equal "$created" "$want"
	sb_login
	soql_all "SELECT COUNT() FROM Event WHERE IsDeleted = false" > /dev/null
	assert_equal "$(body .totalSize)" "$(jq -s '[.[].activities[] | select(.kind == "meeting")] | length' planned.jsonl)"
	soql_all "SELECT COUNT() FROM Task WHERE TaskSubtype = 'Email' AND IsClosed = true AND IsDeleted = false" > /dev/null
	assert_equal "$(body .totalSize)" "$(jq -s '[.[].activities[] | select(.kind == "email")] | length' planned.jsonl)"
	# calls: at most records/200 per phase plus a small constant (guard, and one
	# describe per object that may get the tag field or the scorecard, Event's and
	# Task's picklists, the org's task statuses and priorities, and the run lock: its
	# describe, taking and letting go)
	calls=$(stats '[.requests["collections.create"], .requests["collections.update"]] | add')
	[ "$calls" -le $(( want / 200 + 4 )) ]
	[ $(( $(stats .api_usage) - before )) -le $(( want / 200 + 19 )) ]
}

@test "Events and Tasks carry what People.ai relies on" {
	sandbox_start
	sf_env
	planned 2
	dg-push planned.jsonl > pushed.jsonl 2> /dev/null
	sb_login
	ev=$(jq -r 'first(.activities[] | select(.kind == "meeting" and .when == "past")) | .sf.id' pushed.jsonl | head -1)
	a=$(jq -c 'first(.activities[] | select(.kind == "meeting" and .when == "past"))' pushed.jsonl | head -1)
	opp=$(jq -r .opportunity.Id pushed.jsonl | head -1)
	owner=$(jq -r .opportunity.OwnerId pushed.jsonl | head -1)
	run sf GET "/sobjects/Event/$ev"
	assert_output 200
	assert_equal "$(body '[.WhatId, .OwnerId, .Subject, .StartDateTime, (.DurationInMinutes | tostring), (.Description | length > 100)] | map(tostring) | join("|")')" \
		"$opp|$owner|$(jq -r .subject <<< "$a")|$(jq -r '.start | sub("Z$"; ".000+0000")' <<< "$a")|$(jq -r .minutes <<< "$a")|true"
	who=$(body .WhoId)
	[[ "$who" == 003* ]]
	tk=$(jq -r 'first(.activities[] | select(.kind == "email")) | .sf.id' pushed.jsonl | head -1)
	run sf GET "/sobjects/Task/$tk"
	assert_equal "$(body '[.TaskSubtype, .IsClosed, .WhatId, (.Subject | startswith("Email: ")), (.ActivityDate | length)] | map(tostring) | join("|")')" "Email|true|$opp|true|10"
}

@test "a logged email names its contact and begins with its people's names and addresses, inbound told from outbound; a meeting's Location is its notes' Where" {
	sandbox_start
	sf_env
	planned 3
	dg-push planned.jsonl > pushed.jsonl 2> /dev/null
	sb_login
	soql_all "SELECT Id, WhoId, Description FROM Task WHERE IsDeleted = false" > /dev/null
	body '.records[]' > tasks.jsonl
	[ "$(jq -s 'length' tasks.jsonl)" -gt 5 ]
	assert_equal "$(jq -s '[.[] | select(.WhoId == null or (.Description | startswith("From: ") | not))] | length' tasks.jsonl)" 0
	# each email's header, from the deal's own people: owner and contact, by direction
	jq -c '. as $d | .activities[] | select(.kind == "email") |
		(.who as $w | $d.contacts[] | select(.Id == $w or .key == $w) | "\(.Name) <\(.Email)>") as $c |
		($d.opportunity.Owner | "\(.Name) <\(.Email)>") as $o |
		{id: .sf.id, from: (if .direction == "inbound" then $c else $o end), to: (if .direction == "inbound" then $o else $c end)}' pushed.jsonl > want.jsonl
	[ "$(jq -s '[.[] | select(.from | contains("@"))] | length' want.jsonl)" -gt 5 ]
	bad=$(jq -rs --slurpfile t tasks.jsonl '[.[] | . as $w | ($t | map(select(.Id == $w.id)) | first) as $r
		| select(($r.Description | split("\n")) as $l | ($l[0] != "From: \($w.from)") or ($l[1] | startswith("To: \($w.to)") | not))] | length' want.jsonl)
	assert_equal "$bad" 0
	# both directions are there
	assert_equal "$(jq -rs '[.[].activities[] | select(.kind == "email") | .direction] | unique | join(",")' pushed.jsonl)" "inbound,outbound"
	run sf GET "/sobjects/Task/$(jq -r 'first(.activities[] | select(.kind == "email")) | .sf.id' pushed.jsonl | head -1)"
	[[ "$(body .Description)" == *$'\nBCC:\nAttachment: --none--\n\nSubject: '*$'\nBody:\n'* ]]
	# a meeting's Location is where its notes say it was
	soql_all "SELECT Location, Description FROM Event WHERE IsDeleted = false AND Location != null" > /dev/null
	[ "$(body '.records | length')" -gt 3 ]
	assert_equal "$(body '[.records[] | select((.Description | split("\n") | map(select(startswith("Where: "))) | first) != "Where: \(.Location)")] | length')" 0
}

@test "push.email_as: emailmessage writes Salesforce's own emails: addresses, times, direction, their people related; a rerun makes nothing, --delete leaves no Task" {
	sandbox_start
	sf_env
	printf 'push:\n  email_as: emailmessage\n' > demo.yaml
	planned 3
	emails=$(jq -s '[.[].activities[] | select(.kind == "email")] | length' planned.jsonl)
	cc=$(jq -s '[.[].activities[] | select(.kind == "email") | (.attendees - [.who]) | length] | add' planned.jsonl)
	run --separate-stderr dg-push planned.jsonl
	assert_success
	echo "$output" > pushed.jsonl
	assert_equal "$(jq -r '[.activities[] | select(.kind == "email") | .sf.object] | unique | join(",")' pushed.jsonl | sort -u)" EmailMessage
	sb_login
	soql "SELECT Id, Subject, FromAddress, FromName, ToAddress, MessageDate, Incoming, Status, RelatedToId, ActivityId, DG_Tag__c FROM EmailMessage" > /dev/null
	body '.records[]' > messages.jsonl
	assert_equal "$(jq -s length messages.jsonl)" "$emails"
	# each message as the plan has it: its time, its direction, its people's addresses
	jq -c '. as $d | .activities[] | select(.kind == "email") |
		(.who as $w | $d.contacts[] | select(.Id == $w or .key == $w) | .Email) as $c |
		{id: .sf.id, opp: $d.opportunity.Id, at: (.start | sub("Z$"; ".000+0000")), in: (.direction == "inbound"),
		 from: (if .direction == "inbound" then $c else $d.opportunity.Owner.Email end),
		 to: (if .direction == "inbound" then $d.opportunity.Owner.Email else $c end),
		 status: (if .when == "upcoming" then "5" elif .direction == "inbound" then "1" else "3" end)}' pushed.jsonl > want.jsonl
	bad=$(jq -rs --slurpfile m messages.jsonl '[.[] | . as $w | ($m | map(select(.Id == $w.id)) | first) as $r
		| select($r.MessageDate != $w.at or $r.Incoming != $w.in or $r.FromAddress != $w.from
			or ($r.ToAddress | split("; ") | index($w.to) | not) or $r.Status != $w.status
			or $r.RelatedToId != $w.opp or ($r.ActivityId | startswith("00T") | not) or $r.DG_Tag__c == null)] | length' want.jsonl)
	assert_equal "$bad" 0
	assert_equal "$(jq -s '[.[] | select(.Incoming)] | length > 0' messages.jsonl)" true
	# the platform made one closed logged email Task for each
	soql "SELECT COUNT() FROM Task WHERE TaskSubtype = 'Email' AND IsClosed = true" > /dev/null
	assert_equal "$(body .totalSize)" "$emails"
	# sender and recipient related (contact and owner), the people in copy too
	soql "SELECT RelationType, RelationId, RelationAddress, RelationObjectType FROM EmailMessageRelation" > /dev/null
	assert_equal "$(body '.records | length')" "$((2 * emails + cc))"
	assert_equal "$(body '[.records[] | select(.RelationAddress == null)] | length')" 0
	assert_equal "$(body '[.records[].RelationType] | unique | join(",")')" "$([ "$cc" -gt 0 ] && echo CcAddress,)FromAddress,ToAddress"
	assert_equal "$(body '[.records[] | select(.RelationType == "FromAddress" and .RelationObjectType == "Contact")] | length')" \
		"$(jq -s '[.[].activities[] | select(.kind == "email" and .direction == "inbound")] | length' planned.jsonl)"
	# a rerun of the pushed records makes nothing
	admin DELETE stats
	run --separate-stderr dg-push pushed.jsonl
	assert_success
	assert_equal "$(stats '.requests["collections.create"] // 0')" 0
	# what was recorded is what a delete takes back, the platform's Tasks with it
	run --separate-stderr dg-push --delete pushed.jsonl
	assert_success
	for o in EmailMessage EmailMessageRelation Task; do
		soql "SELECT COUNT() FROM $o" > /dev/null
		assert_equal "$(body .totalSize)" 0
	done
}

@test "EmailMessages an unrecorded push made are found by --reconcile; an org without Enhanced Email is refused before anything is written" {
	sandbox_start
	sf_env
	printf 'push:\n  email_as: emailmessage\n  tag_field: DG_Tag__c\n' > demo.yaml
	planned 2
	dg-push planned.jsonl > /dev/null 2>&1
	sb_login
	soql "SELECT COUNT() FROM EmailMessageRelation" > /dev/null
	rels=$(body .totalSize)
	admin DELETE stats
	run --separate-stderr dg-push --reconcile planned.jsonl
	assert_success
	assert_equal "$(stats '.requests["collections.create"] // 0')" 0
	assert_equal "$(jq -s '[.[].activities[] | select(.kind == "email") | .sf | select(.object == "EmailMessage" and .status == "found")] | length' <<< "$output")" \
		"$(jq -s '[.[].activities[] | select(.kind == "email")] | length' planned.jsonl)"
	assert_equal "$(jq -s '[.[].activities[] | select(.kind == "email") | .sf.relations[] | select(.status == "found")] | length' <<< "$output")" "$rels"
	sandbox_stop
	sandbox_start --without EmailMessage --without EmailMessageRelation
	sf_env
	admin DELETE stats
	run --separate-stderr dg-push planned.jsonl
	assert_failure 2
	[[ "$stderr" == *"the org has no EmailMessage (Enhanced Email is off): turn it on (Setup, Enhanced Email) or set push.email_as: task"* ]]
	assert_equal "$(stats '.requests["collections.create"] // 0')" 0
}

@test "planned contacts are created on the account, get a contact role, and activities point at them" {
	sandbox_start
	sf_env
	# a deal with few people, so dg-plan adds contacts
	contact_deal
	run --separate-stderr dg-push planned.jsonl
	assert_success
	echo "$output" > pushed.jsonl
	run jq -r '.contacts[] | select(.planned) | [.sf.status, .sf.role.status] | join(" ")' pushed.jsonl
	refute_line --regexp 'failed|^ '
	ids=$(jq -r '[.contacts[] | select(.planned) | .sf.id] | join(",")' pushed.jsonl)
	acct=$(jq -r .opportunity.AccountId pushed.jsonl)
	soql "SELECT COUNT() FROM Contact WHERE AccountId = '$acct'" > /dev/null
	[ "$(body .totalSize)" -ge 2 ]
	soql "SELECT COUNT() FROM OpportunityContactRole WHERE OpportunityId = '$opp'" > /dev/null
	assert_equal "$(body .totalSize)" "$(jq '[.contacts[] | select(.planned)] | length' pushed.jsonl)"
	soql "SELECT WhoId FROM Event WHERE WhatId = '$opp'" > /dev/null
	run body '.records[].WhoId'
	for w in "${lines[@]}"; do [[ ",$ids," == *",$w,"* ]]; done
}

@test "deals are read as the push goes (push.window): small windows write every record once, in input order; with Bulk jobs and --reconcile too" {
	sandbox_start
	sf_env
	printf 'query:\n  account_contacts: 0\n' > demo.yaml
	planned 12
	want=$(records planned.jsonl)
	printf 'query:\n  account_contacts: 0\npush:\n  window: 30\n' > demo.yaml
	run --separate-stderr dg-push planned.jsonl
	assert_success
	echo "$output" > small.jsonl
	assert_equal "$(jq -r .opportunity.Id small.jsonl)" "$(jq -r .opportunity.Id planned.jsonl)"
	created=$(jq -s '[.[] | (.contacts[] | select(.planned) | .sf, .sf.role), .activities[].sf, (.activities[].sf.relations[]?) | select(.status == "created")] | length' small.jsonl)
	assert_equal "$created" "$want"
	sb_login
	soql_all "SELECT COUNT() FROM Event WHERE IsDeleted = false" > /dev/null
	assert_equal "$(body .totalSize)" "$(jq -s '[.[].activities[] | select(.kind == "meeting")] | length' planned.jsonl)"
	run --separate-stderr dg-push --delete small.jsonl
	assert_success
	# Bulk jobs inside small windows
	printf 'query:\n  account_contacts: 0\npush:\n  window: 60\n  bulk_threshold: 15\n' > demo.yaml
	admin DELETE stats
	run --separate-stderr dg-push planned.jsonl
	assert_success
	echo "$output" > bulk.jsonl
	[ "$(stats '.requests["bulk.ingest"] // 0')" -ge 2 ]
	assert_equal "$(jq -r .opportunity.Id bulk.jsonl)" "$(jq -r .opportunity.Id planned.jsonl)"
	created=$(jq -s '[.[] | (.contacts[] | select(.planned) | .sf, .sf.role), .activities[].sf, (.activities[].sf.relations[]?) | select(.status == "created")] | length' bulk.jsonl)
	assert_equal "$created" "$want"
	# what an unrecorded push made is found window by window
	printf 'query:\n  account_contacts: 0\npush:\n  window: 30\n  tag_field: DG_Tag__c\n' > demo.yaml
	admin DELETE stats
	run --separate-stderr dg-push --reconcile planned.jsonl
	assert_success
	assert_equal "$(stats '.requests["collections.create"] // 0')" 0
	found=$(jq -s '[.[] | (.contacts[] | select(.planned) | .sf, .sf.role), .activities[].sf, (.activities[].sf.relations[]?) | select(.status == "found")] | length' <<< "$output")
	assert_equal "$found" "$want"
}

@test "a second push of pushed records creates nothing and makes no write calls" {
	sandbox_start
	sf_env
	planned 3
	dg-push planned.jsonl > pushed.jsonl 2> /dev/null
	admin DELETE stats
	run --separate-stderr dg-push pushed.jsonl
	assert_success
	run jq -r '.activities[].sf.status' <<< "$output"
	refute_line created
	assert_line skipped
	assert_equal "$(stats '.requests["collections.create"] // 0')" 0
}

@test "a deal given twice on the input is pushed once" {
	sandbox_start
	sf_env
	planned 2
	n=$(records planned.jsonl)
	before=$(stats '[.records.Event, .records.Task] | add')
	head -1 planned.jsonl > twice.jsonl
	cat planned.jsonl >> twice.jsonl
	run --separate-stderr dg-push twice.jsonl
	assert_success
	[[ "$stderr" == *"twice.jsonl:2: deal '"*"' was given before (deal 1 of the input); merged into it"* ]]
	assert_equal "$(echo "$output" | wc -l)" 2
	assert_equal "$(echo "$output" | jq -r '.. | .status? // empty' | grep -c created)" "$n"
	echo "$output" > pushed.jsonl
	assert_equal "$(stats '[.records.Event, .records.Task] | add')" "$((before + $(jq -s '[.[].activities | length] | add' planned.jsonl)))"
	# read a window later, when the first is being written already: left out, said
	printf 'push:\n  window: 1\n' > demo.yaml
	{ sed -n 2p pushed.jsonl; sed -n 1p pushed.jsonl; sed -n 2p pushed.jsonl; } > late.jsonl
	run --separate-stderr dg-push late.jsonl
	assert_failure 3
	[[ "$stderr" == *"late.jsonl:3: deal '"*"' was given before (deal 1 of the input) and is being written already: this line is left out"* ]]
	assert_equal "$(echo "$output" | wc -l)" 2
	assert_equal "$(stats '[.records.Event, .records.Task] | add')" "$((before + $(jq -s '[.[].activities | length] | add' planned.jsonl)))"
}

@test "with a tag field every created record carries the run's tag" {
	sandbox_start
	sf_env
	planned 3
	printf 'push:\n  tag_field: DG_Tag__c\n' > demo.yaml
	run --separate-stderr dg-push --tag run-42 planned.jsonl
	assert_success
	sb_login
	for o in Event Task; do
		soql "SELECT COUNT() FROM $o WHERE DG_Tag__c = 'run-42'" > /dev/null
		n=$(body .totalSize)
		soql "SELECT COUNT() FROM $o" > /dev/null
		assert_equal "$n" "$(body .totalSize)"
	done
}

@test "one refused record never stops the others; the run exits 3 and says why" {
	sandbox_start
	sf_env
	planned 3
	subj=$(jq -r 'first(.activities[] | select(.kind == "meeting")) | .subject' planned.jsonl | head -1)
	sandbox_stop
	sandbox_start --fail-when "Subject=$subj"
	sf_env
	run --separate-stderr dg-push planned.jsonl
	assert_failure 3
	[[ "$stderr" == *"FIELD_CUSTOM_VALIDATION_EXCEPTION"* ]]
	echo "$output" > pushed.jsonl
	run jq -c '.activities[].sf | select(.status == "failed") | .error | [.code, .fields]' pushed.jsonl
	assert_line '["FIELD_CUSTOM_VALIDATION_EXCEPTION",["Subject"]]'
	[ "${#lines[@]}" -ge 1 ]
	ok=$(jq -s '[.[].activities[].sf | select(.status == "created")] | length' pushed.jsonl)
	[ "$ok" -gt 10 ]
}

@test "a malformed line is reported and the other deals are still pushed" {
	sandbox_start
	sf_env
	planned 2
	{ head -1 planned.jsonl; echo '{"opportunity": '; echo '{"no":"deal"}'; tail -1 planned.jsonl; } > mixed.jsonl
	run --separate-stderr dg-push mixed.jsonl
	assert_failure 3
	[[ "$stderr" == *"mixed.jsonl:2"* ]]
	[[ "$stderr" == *"mixed.jsonl:3: not a deal record"* ]]
	[ "${#lines[@]}" -eq 2 ]
	# the same from standard input, where lines are named by number
	run --separate-stderr dg-push < mixed.jsonl
	assert_failure 3
	[[ "$stderr" == *"line 2: "* ]]
	[[ "$stderr" == *"line 3: not a deal record"* ]]
	[ "${#lines[@]}" -eq 2 ]
}

@test "faults are retried and every record lands exactly once" {
	sandbox_start --fault unavailable@3 --fault lock@4 --fault html500@5 --fault unavailable@7
	sf_env
	printf 'salesforce:\n  retry_base_ms: 10\n' > demo.yaml
	planned 4
	run --separate-stderr dg-push -j 2 planned.jsonl
	assert_success
	[ "$(stats .faults_injected)" -ge 3 ]
	sb_login
	soql_all "SELECT COUNT() FROM Event WHERE IsDeleted = false" > /dev/null
	assert_equal "$(body .totalSize)" "$(jq -s '[.[].activities[] | select(.kind == "meeting")] | length' planned.jsonl)"
	soql_all "SELECT COUNT() FROM Task WHERE IsDeleted = false" > /dev/null
	assert_equal "$(body .totalSize)" "$(jq -s '[.[].activities[] | select(.kind == "email")] | length' planned.jsonl)"
}

@test "a session that expires mid-push is renewed once and the push completes" {
	# the first session lasts the login wave (guard and describes) and a little more
	sandbox_start --expire-after 9
	sf_env
	planned 4
	admin DELETE stats
	run --separate-stderr dg-push -j 1 planned.jsonl
	assert_success
	[ "$(stats .requests.token)" -ge 2 ]
	run jq -r '.activities[].sf.status' <<< "$output"
	refute_line failed
}

@test "a planned contact the org refuses: what names it fails as DEPENDENCY_FAILED, nothing else is held up" {
	sandbox_start
	sf_env
	contact_deal
	# the planned contact the first activities are with
	key=$(jq -r '[.contacts[] | select(.planned) | .key] as $k | first(.activities[] | select(.who as $w | $k | index($w))) | .who' planned.jsonl)
	email=$(jq -r --arg k "$key" '.contacts[] | select(.key == $k) | .Email' planned.jsonl)
	sandbox_stop
	sandbox_start --fail-when "Email=$email"
	sf_env
	run --separate-stderr dg-push planned.jsonl
	assert_failure 3
	echo "$output" > pushed.jsonl
	# the contact: refused; its role, its activities and the relations naming it: not tried
	assert_equal "$(jq -r --arg k "$key" '.contacts[] | select(.key == $k) | [.sf.status, .sf.error.code, .sf.role.status, .sf.role.error.code] | join(" ")' pushed.jsonl)" \
		"failed FIELD_CUSTOM_VALIDATION_EXCEPTION failed DEPENDENCY_FAILED"
	run jq -r --arg k "$key" '.activities[] | select(.who == $k) | .sf.error.code' pushed.jsonl
	[ "${#lines[@]}" -ge 1 ]
	for c in "${lines[@]}"; do assert_equal "$c" DEPENDENCY_FAILED; done
	# every other record of the deal is in the org
	run jq -r --arg k "$key" '.contacts[] | select(.planned and .key != $k) | [.sf.status, .sf.role.status] | join(" ")' pushed.jsonl
	for l in "${lines[@]}"; do assert_equal "$l" "created created"; done
	run jq -r --arg k "$key" '.activities[] | select(.who != $k) | .sf.status' pushed.jsonl
	for l in "${lines[@]}"; do assert_equal "$l" created; done
	run jq -r --arg k "$key" '.activities[] | select(.kind == "meeting" and .who != $k) as $a
		| [$a.attendees[] | select(. != $a.who)] as $others
		| range($others | length) as $i | [($others[$i] == $k), $a.sf.relations[$i].status, ($a.sf.relations[$i].error.code // "")] | map(tostring) | join(" ")' pushed.jsonl
	for l in "${lines[@]}"; do
		[[ "$l" == "true failed DEPENDENCY_FAILED" || "$l" == "false created " ]]
	done
	sb_login
	soql "SELECT COUNT() FROM Contact WHERE Email = '$email'" > /dev/null
	assert_equal "$(body .totalSize)" 0
}

@test "--reconcile finds what an unrecorded push made: contacts, roles, activities, relations; only the missing are made" {
	sandbox_start
	sf_env
	contact_deal
	want=$(records planned.jsonl)
	# a push whose output is lost, as when a run is killed before it records anything
	dg-push planned.jsonl > /dev/null 2>&1
	admin DELETE stats
	run --separate-stderr dg-push --reconcile planned.jsonl
	assert_success
	echo "$output" > found.jsonl
	assert_equal "$(stats '.requests["collections.create"] // 0')" 0
	found=$(jq -s '[.[] | (.contacts[] | select(.planned) | .sf, .sf.role), .activities[].sf, (.activities[].sf.relations[]?) | select(.status == "found")] | length' found.jsonl)
	assert_equal "$found" "$want"
	# two Events gone from the org: a second look makes those two and their relations again
	sb_login
	gone=$(jq -r '[.activities[] | select(.kind == "meeting") | .sf.id] | .[0:2] | join(",")' found.jsonl)
	run sf DELETE "/composite/sobjects?ids=$gone"
	assert_output 200
	rels=$(jq '[.activities[] | select(.kind == "meeting")] | .[0:2] | [.[].sf.relations[]?] | length' found.jsonl)
	run --separate-stderr dg-push --reconcile planned.jsonl
	assert_success
	assert_equal "$(jq '[.activities[].sf | select(.status == "created")] | length' <<< "$output")" 2
	assert_equal "$(jq '[.activities[].sf.relations[]? | select(.status == "created")] | length' <<< "$output")" "$rels"
	soql_all "SELECT COUNT() FROM Event WHERE IsDeleted = false" > /dev/null
	assert_equal "$(body .totalSize)" "$(jq '[.activities[] | select(.kind == "meeting")] | length' planned.jsonl)"
}

@test "a login the org refuses ends dg-push with status 1 and writes nothing" {
	sandbox_start
	sf_env
	planned 2
	SF_USERNAME=admin@dg.sandbox SF_PASSWORD=wrong-password run --separate-stderr dg-push planned.jsonl
	assert_failure 1
	[[ "$stderr" == *"refused"* ]]
	[[ "$stderr" != *wrong-password* ]]
	# no record; only the line that fails the next stage (dg-state record) too
	assert_output --regexp '^\{"dg_error":\{"program":"dg-push","status":1,"message":"login \(password\) refused'
	assert_equal "${#lines[@]}" 1
}

@test "the daily limit stops the push cleanly and the output says what was done" {
	sandbox_start --daily-limit 17
	sf_env
	planned 6
	run --separate-stderr dg-push -j 1 planned.jsonl
	assert_failure 1
	[[ "$stderr" == *"daily API request limit"* ]]
	# every deal comes out, then the line that fails the next stage too; done items
	# carry their Ids, the rest nothing or a failure
	[ "${#lines[@]}" -eq 7 ]
	assert_equal "$(jq -r .dg_error.program <<< "${lines[6]}")" dg-push
	output=$(grep -v '^{"dg_error"' <<< "$output")
	created=$(jq -s '[.[] | (.contacts[] | select(.planned) | .sf), .activities[].sf | select(.status == "created")] | length' <<< "$output")
	[ "$created" -ge 1 ]
	# and what the output says was created is exactly what the org holds
	events=$(jq -s '[.[].activities[].sf | select(.status == "created" and .object == "Event")] | length' <<< "$output")
	tasks=$(jq -s '[.[].activities[].sf | select(.status == "created" and .object == "Task")] | length' <<< "$output")
	assert_equal "$(stats '.records.Event // 0') $(stats '.records.Task // 0')" "$events $tasks"
}

@test "the daily limit in the middle of a Bulk job stops the run; the job's records say so" {
	sandbox_start --daily-limit 15
	sf_env
	planned 3
	printf 'push:\n  bulk_threshold: 5\n  tag_field: null\n' > demo.yaml
	run --separate-stderr dg-push -j 1 planned.jsonl
	assert_failure 1
	[[ "$stderr" == *"daily API request limit"* ]]
	[ "${#lines[@]}" -eq 4 ]
	run jq -r '.. | objects | select(.code? == "BULK_JOB_FAILED") | .message' <<< "$output"
	[ "${#lines[@]}" -ge 5 ]
	for l in "${lines[@]}"; do
		[[ "$l" == *"the run stopped before the Bulk job"*"was closed: nothing of it was created" || "$l" == *"(close): REQUEST_LIMIT_EXCEEDED"* ]]
	done
}

@test "a production org is refused unless --allow-production is given" {
	sandbox_start --production
	sf_env
	planned 2
	admin DELETE stats
	run --separate-stderr dg-push planned.jsonl
	assert_failure 2
	[[ "$stderr" == *"is a production org: refusing to write"* ]]
	assert_equal "$(stats '.requests["collections.create"] // 0')" 0
	run --separate-stderr dg-push --allow-production planned.jsonl
	assert_success
}

@test "the scorecard goes onto the opportunity's fields, or into its own object" {
	sandbox_start
	sf_env
	planned 2
	run --separate-stderr dg-push planned.jsonl
	assert_success
	opp=$(jq -r .opportunity.Id <<< "${lines[0]}")
	sb_login
	run sf GET "/sobjects/Opportunity/$opp"
	assert_equal "$(body '[.DG_Scorecard_Template__c, (.DG_Metrics__c | length > 10), (.DG_Metrics_Score__c | type)] | map(tostring) | join(",")')" "MEDDICC,true,number"
	printf 'push:\n  scorecard:\n    mode: object\n' > demo.yaml
	dg-query --max-opps 3 2> /dev/null | dg-plan --now "$NOW" | dg-content | dg-score > more.jsonl
	run --separate-stderr dg-push more.jsonl
	assert_success
	soql "SELECT COUNT() FROM DG_Scorecard__c" > /dev/null
	assert_equal "$(body .totalSize)" 3
}

@test "--delete removes what a push created, children first; a second delete is done too" {
	sandbox_start
	sf_env
	sb_login
	soql "SELECT COUNT() FROM Contact" > /dev/null
	contacts=$(body .totalSize)
	printf 'query:\n  account_contacts: 0\n' > demo.yaml
	planned 5
	dg-push planned.jsonl > pushed.jsonl 2> /dev/null
	run --separate-stderr dg-push --delete pushed.jsonl
	assert_success
	run jq -r .status <<< "$output"
	refute_line failed
	for o in Event Task EventRelation; do
		soql "SELECT COUNT() FROM $o" > /dev/null
		assert_equal "$(body .totalSize)" 0
	done
	soql "SELECT COUNT() FROM Contact" > /dev/null
	assert_equal "$(body .totalSize)" "$contacts"
	# Ids alone work too, and already-deleted ones count as done.
	jq -c '{Id: .activities[0].sf.id}' pushed.jsonl > ids.jsonl
	run --separate-stderr dg-push --delete ids.jsonl
	assert_success
	run jq -r .status <<< "$output"
	assert_equal "$(printf '%s\n' "${lines[@]}" | sort -u)" deleted
	echo '{"id": "not-an-id"}' > junk.jsonl
	run --separate-stderr dg-push --delete junk.jsonl
	assert_failure 3
}

@test "a load of one object above push.bulk_threshold goes through Bulk API 2.0, results matched back" {
	sandbox_start
	sf_env
	planned 4
	subj=$(jq -r 'first(.activities[] | select(.kind == "email")) | .subject' planned.jsonl | head -1)
	sandbox_stop
	sandbox_start --fail-when "Subject=Email: $subj"
	sf_env
	printf 'push:\n  bulk_threshold: 20\n' > demo.yaml
	run --separate-stderr dg-push planned.jsonl
	assert_failure 3
	echo "$output" > pushed.jsonl
	[ "$(stats '.requests["bulk.ingest"]')" -ge 5 ]
	# every Task row came back to its own item: the Ids in the output are the org's
	sb_login
	soql_all "SELECT Id, Subject FROM Task WHERE IsDeleted = false" > /dev/null
	body '.records[] | "\(.Id) \(.Subject)"' | sort > org.txt
	jq -r '.activities[] | select(.kind == "email" and .sf.status == "created") | "\(.sf.id) Email: \(.subject)"' pushed.jsonl | sort > ours.txt
	run diff org.txt ours.txt
	assert_success
	run jq -c '.activities[] | select(.sf.status == "failed") | [.sf.object, .sf.error.code, .sf.error.fields]' pushed.jsonl
	assert_line '["Task","FIELD_CUSTOM_VALIDATION_EXCEPTION",["Subject"]]'
}

@test "a Bulk job that ends Failed half-way: what it wrote is taken from its results, the rest fails with its reason; a rerun completes it" {
	sandbox_start --fault bulkfail@1
	sf_env
	planned 4
	printf 'push:\n  bulk_threshold: 20\n  tag_field: DG_Tag__c\n' > demo.yaml
	run --separate-stderr dg-push planned.jsonl
	assert_failure 3
	echo "$output" > pushed.jsonl
	[[ "$stderr" == *"BULK_JOB_FAILED: the Bulk job 750"*" Failed: InternalServerError : the job failed while processing its records"* ]]
	# the rows the job wrote before it failed are ours, with the org's Ids; none is lost
	assert_equal "$(stats .faults_injected)" 1
	sb_login
	for o in Event Task; do
		soql_all "SELECT Id FROM $o WHERE IsDeleted = false" > /dev/null
		org=$(body '[.records[].Id] | sort | join(" ")')
		ours=$(jq -rs --arg o "$o" '[.[].activities[].sf | select(.object == $o and .status == "created") | .id] | sort | join(" ")' pushed.jsonl)
		assert_equal "$ours" "$org"
	done
	failed=$(jq -s '[.[].activities[].sf | select(.status == "failed")] | length' pushed.jsonl)
	[ "$failed" -gt 0 ]
	# the next push writes the rest and nothing twice
	run --separate-stderr dg-push --reconcile planned.jsonl
	assert_success
	soql_all "SELECT COUNT() FROM Task WHERE IsDeleted = false" > /dev/null
	assert_equal "$(body .totalSize)" "$(jq -s '[.[].activities[] | select(.kind == "email")] | length' planned.jsonl)"
}

@test "a push of 40 deals relates every meeting's and email's people once: EventRelations and TaskRelations" {
	sandbox_start
	sf_env
	planned 40
	want=$(records planned.jsonl)
	run --separate-stderr dg-push planned.jsonl
	assert_success
	created=$(jq -s '[.[] | (.contacts[] | select(.planned) | .sf, .sf.role), .activities[].sf, (.activities[].sf.relations[]?) | select(.status == "created")] | length' <<< "$output")
	assert_equal "$created" "$want"
	ev=$(jq -s '[.[].activities[] | select(.kind == "meeting") | ((.attendees - [.who]) | length) + (.internal // [] | length)] | add' planned.jsonl)
	tr=$(jq -s '[.[].activities[] | select(.kind == "email") | (.attendees - [.who]) | length] | add' planned.jsonl)
	[ "$tr" -gt 0 ]
	assert_equal "$(written_relations) $(stats '.records.TaskRelation // 0')" "$ev $tr"
}

@test "a logged email is dated on its owner's day, not the UTC day (ActivityDate has no zone)" {
	sandbox_start
	sf_env
	planned 1
	# the first email at 23:30 UTC: the next morning in Tokyo; the second at 03:00 UTC:
	# the evening before in Los Angeles
	jq -c '.opportunity.Owner.TimeZoneSidKey = "Asia/Tokyo"
		| ([.activities | to_entries[] | select(.value.kind == "email") | .key][0]) as $i
		| .activities[$i].start = "2026-11-20T23:30:00Z"' planned.jsonl > tokyo.jsonl
	dg-push tokyo.jsonl > pushed.jsonl 2> /dev/null
	id=$(jq -r '[.activities[] | select(.kind == "email")][0].sf.id' pushed.jsonl)
	sb_login
	soql "SELECT ActivityDate FROM Task WHERE Id = '$id'" > /dev/null
	assert_equal "$(body '.records[0].ActivityDate')" 2026-11-21
	sandbox_stop
	sandbox_start
	sf_env
	jq -c '.opportunity.Owner.TimeZoneSidKey = "America/Los_Angeles"
		| ([.activities | to_entries[] | select(.value.kind == "email") | .key][0]) as $i
		| .activities[$i].start = "2026-11-21T03:00:00Z"' planned.jsonl > la.jsonl
	dg-push la.jsonl > pushed.jsonl 2> /dev/null
	id=$(jq -r '[.activities[] | select(.kind == "email")][0].sf.id' pushed.jsonl)
	sb_login
	soql "SELECT ActivityDate FROM Task WHERE Id = '$id'" > /dev/null
	assert_equal "$(body '.records[0].ActivityDate')" 2026-11-20
}

@test "records the org cannot lock (UNABLE_TO_LOCK_ROW inside an HTTP 200) go out again; all land once" {
	sandbox_start --fault rowlock%15
	sf_env
	planned 6
	want=$(records planned.jsonl)
	run --separate-stderr dg-push planned.jsonl
	assert_success
	echo "$output" > pushed.jsonl
	[ "$(stats .faults_injected)" -gt 5 ]
	assert_equal "$(jq -s '[.. | objects | select(.status? == "failed")] | length' pushed.jsonl)" 0
	created=$(jq -s '[.[] | (.contacts[] | select(.planned) | .sf, .sf.role), .activities[].sf, (.activities[].sf.relations[]?) | select(.status == "created")] | length' pushed.jsonl)
	assert_equal "$created" "$want"
	assert_equal "$(stats '[.records.Event, .records.Task] | add')" "$(jq -s '[.[].activities[]] | length' planned.jsonl)"
}

@test "a record locked once lands on its second try; one the org never can lock fails after six tries, saying so" {
	sandbox_start --fault rowlock@3
	sf_env
	planned 2
	run --separate-stderr dg-push planned.jsonl
	assert_success
	sandbox_stop
	sandbox_start --fault rowlock%100
	sf_env
	run --separate-stderr dg-push planned.jsonl
	assert_failure 3
	assert_equal "$(jq -s '[.. | objects | select(.code? == "UNABLE_TO_LOCK_ROW")] | length > 0' <<< "$output")" true
	assert_equal "$(stats .faults_injected)" "$(( $(jq -s '[.. | objects | select(.code? == "UNABLE_TO_LOCK_ROW")] | length' <<< "$output") * 6 ))"
}
