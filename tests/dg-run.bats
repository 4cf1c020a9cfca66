#!/usr/bin/env bats
# The everyday commands end to end against dg-sandbox: dg run, rerun, dry-run,
# status, reset, smoke, demo, and the promises: exactly once after kills, one run at
# a time, clear refusals of bad state and unwritable places, no secrets in runs/.

# Slow (about a minute): every test runs whole dg runs against a fresh sandbox, several
# per test, with kills and reruns; they share nothing, so make -j2 check runs them
# beside another suite.
load helper

# A config whose plan does not depend on what earlier runs added to the org (no
# planned contacts), so every run plans the same records.
steady() {
	printf 'query:\n  max_opps: %s\n  account_contacts: 0\nplan:\n  min_contacts: 0\npush:\n  tag_field: DG_Tag__c\nsalesforce:\n  retry_base_ms: 20\n' "${1:-4}" > demo.yaml
}
counts() { stats '.records | [.Contact, .OpportunityContactRole, .Event, .EventRelation, .Task, .TaskRelation] | join(" ")'; }
# kill_runs DELAY...: for each delay, starts dg run and kills it (and all it started)
# with SIGKILL after that many seconds.
kill_runs() {
	local delay pid
	for delay in "$@"; do
		setsid dg run --yes > /dev/null 2>&1 &
		pid=$!
		sleep "$delay"
		kill -9 -- "-$pid" 2> /dev/null || true
		wait "$pid" 2> /dev/null || true
	done
}

@test "dg run -h and misuse" {
	run --separate-stderr dg run -h
	assert_success
	assert_output --partial "usage: dg run"
	run dg run --bogus
	assert_failure 2
	run dg reset
	assert_failure 2
	assert_output --partial "--run RUN, --all or --from-org"
}

@test "dg run writes the plan to the org and leaves a complete run directory" {
	sandbox_start
	sf_env
	steady 4
	run --separate-stderr dg run --yes
	assert_success
	[[ "$stderr" == *"Event: "*" created"* ]]
	# the stages' warnings are on screen, not only in their logs; dg-push's counts are not
	[[ "$stderr" == *"dg-query: more than 4 opportunities match; taking the first 4"* ]]
	[[ "$stderr" != *"dg-push: Event: "* ]]
	dir=$(ls -d runs/*)
	for f in run.json config.resolved.yaml events.jsonl errors.jsonl summary.json deals.jsonl marked.jsonl pushed.jsonl; do
		[ -f "$dir/$f" ] || { echo "missing $f"; false; }
	done
	run jq -r '[.id, .org_id[0:3], .sandbox, .dg_version, (.end != null), .status] | map(tostring) | join(" ")' "$dir/run.json"
	assert_output --regexp '^[0-9-]+ 00D true 0\.1\.0 true ok$'
	run jq -r 'select(.event == "stage-end") | .stage' "$dir/events.jsonl"
	assert_line query
	assert_line push
	assert_line record
	events=$(jq -c 'select(.event == "created")' "$dir/events.jsonl" | wc -l)
	[ "$events" -gt 50 ]
	assert_equal "$(jq '.records.Event.created' "$dir/summary.json")" "$(jq -s '[.[].activities[] | select(.kind == "meeting")] | length' "$dir/marked.jsonl")"
	assert_equal "$(jq '.api_calls.used > 0' "$dir/summary.json")" true
	[ ! -s "$dir/errors.jsonl" ]
	sb_login
	soql_all "SELECT COUNT() FROM Event WHERE DG_Tag__c = '$(basename "$dir")' AND IsDeleted = false" > /dev/null
	assert_equal "$(body .totalSize)" "$(jq '.records.Event.created' "$dir/summary.json")"
}

@test "a second dg run creates nothing and says so" {
	sandbox_start
	sf_env
	steady 6
	dg run --yes 2> /dev/null
	# the seller's people were related to meetings: the rerun knows them too
	[ "$(jq -s '[.[].activities[] | .internal // [] | length] | add' runs/*/marked.jsonl)" -gt 0 ]
	before=$(counts)
	admin DELETE stats
	run --separate-stderr dg run --yes
	assert_success
	[[ "$stderr" == *"nothing to create"* ]]
	assert_equal "$(counts)" "$before"
	assert_equal "$(stats '.requests["collections.create"] // 0')" 0
}

@test "dg dry-run writes nothing and says what would be created" {
	sandbox_start
	sf_env
	steady 3
	before=$(counts)
	run --separate-stderr dg dry-run
	assert_success
	[[ "$stderr" == *"would create"* ]]
	[[ "$stderr" == *"Event: "*" to create"* ]]
	assert_equal "$(counts)" "$before"
	assert_equal "$(stats '.requests["collections.create"] // 0')" 0
	[ -s runs/*-dry-run/marked.jsonl ]
	run dg-state runs
	refute_output --partial dry-run
}

@test "dg status lists the runs and shows one" {
	sandbox_start
	sf_env
	steady 2
	dg run --yes 2> /dev/null
	dg run --yes 2> /dev/null
	run dg status
	assert_success
	assert_line --partial "RUN "
	[ "${#lines[@]}" -eq 3 ]
	id=$(dg-state runs --json | head -1 | jq -r .id)
	run dg status "$id"
	assert_success
	assert_output --partial '"Event"'
	# --json after the run too; a run that is not there is an error
	run --separate-stderr dg status "$id" --json
	assert_success
	assert_equal "$(jq -r .id <<< "$output")" "$id"
	# --run RUN and --run=RUN, as dg reset names a run
	run --separate-stderr dg status --run "$id" --json
	assert_equal "$(jq -r .id <<< "$output")" "$id"
	run --separate-stderr dg status --json --run="$id"
	assert_equal "$(jq -r .id <<< "$output")" "$id"
	run --separate-stderr dg status nosuchrun
	assert_failure 1
	[[ "$stderr" == *"no run 'nosuchrun'"* ]]
}

@test "from a subdirectory the state and runs/ are the project's (found as git finds .git); --opt=value works" {
	sandbox_start
	sf_env
	steady 2
	dg run --yes 2> /dev/null
	mkdir -p deep/er
	cd deep/er
	cp ../../demo.yaml .
	run --separate-stderr dg run --yes --max-opps=2
	assert_success
	[[ "$stderr" == *"nothing to create"* ]]
	[ ! -e .dg ] && [ ! -e runs ]
	[ "$(ls ../../runs | wc -l)" -eq 2 ]
	run dg status
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	assert_equal "$(dg-state where)" "$(cd ../.. && pwd)/.dg/state.db"
	# the run made from the top is found from here (enterprise owners' .invalid emails
	# make it fall short there: found is what counts)
	run --separate-stderr dg verify --json
	[ "$(jq '.deals | length' <<< "$output")" -eq 2 ]
	run --separate-stderr dg reset --run="$(dg-state runs --json | head -1 | jq -r .id)" --dry-run
	assert_success
}

@test "dg reset puts the org back as it was, the scorecard fields on opportunities too; a second reset does nothing" {
	sandbox_start
	sf_env
	steady 3
	printf 'plan:\n  min_contacts: 3\nquery:\n  max_opps: 3\n  account_contacts: 0\n' > demo.yaml
	before=$(counts)
	# one of the deals already holds values in two of the scorecard fields
	dg dry-run 2> /dev/null
	opp=$(jq -r .opportunity.Id runs/*/deals.jsonl | head -1)
	sb_login
	[ "$(sf PATCH "/sobjects/Opportunity/$opp" -H 'Content-Type: application/json' \
		-d '{"DG_Scorecard_Score__c": 7, "DG_Metrics__c": "in the customer’s own words"}')" = 204 ]
	ids=$(jq -r .opportunity.Id runs/*/deals.jsonl | sed "s/.*/'&'/" | paste -sd,)
	fields() {
		soql "SELECT Id, DG_Scorecard_Score__c, DG_Metrics__c FROM Opportunity WHERE Id IN ($ids) ORDER BY Id" > /dev/null &&
			body '[.records[] | [.Id, .DG_Scorecard_Score__c, .DG_Metrics__c]]'
	}
	was=$(fields)
	dg run --yes 2> /dev/null
	[ "$(counts)" != "$before" ]
	[ "$(fields)" != "$was" ]
	run --separate-stderr dg reset --all --dry-run
	assert_success
	[[ "$stderr" == *"would delete or put back"* ]]
	[[ "$stderr" == *"Opportunity: 3 (fields put back as they were)"* ]]
	run --separate-stderr dg reset --all --dry-run --json
	n=$(jq .would_delete <<< "$output")
	[ "$n" -gt 20 ]
	[ "$(jq .would_restore <<< "$output")" = 3 ]
	# on a terminal it asks first: no means nothing is deleted
	run script -qec "dg reset --all" /dev/null <<< "n"
	assert_failure 1
	assert_output --partial "About to delete $((n + 3)) records dg created or changed ("
	assert_output --partial "Opportunity 3 put back"
	assert_output --partial "nothing deleted"
	[ "$(counts)" != "$before" ]
	run --separate-stderr dg reset --all --yes --json
	assert_success
	assert_equal "$(jq -c '[.deleted, .restored, .failed, (.objects.Event.deleted > 0)]' <<< "$output")" "[$n,3,0,true]"
	assert_equal "$(counts)" "$before"
	# the fields hold what they held before dg: the customer's values, and nothing
	assert_equal "$(fields)" "$was"
	run --separate-stderr dg reset --all --json
	assert_success
	[[ "$stderr" == *"nothing to delete"* ]]
	assert_equal "$output" '{"deleted":0,"restored":0,"failed":0,"objects":{},"errors":[]}'
	# a run after the reset writes the scorecards again, and its reset puts them back again
	dg run --yes 2> /dev/null
	[ "$(fields)" != "$was" ]
	dg reset --all --yes 2> /dev/null
	assert_equal "$(fields)" "$was"
}

@test "dg reset --from-org finds dg's records by tag when the state file is gone" {
	sandbox_start
	sf_env
	steady 3
	before=$(counts)
	dg run --yes 2> /dev/null
	rm -rf .dg
	run --separate-stderr dg reset --from-org
	assert_success
	assert_equal "$(counts)" "$before"
}

@test "dg smoke writes, reads back and checks one meeting and one email" {
	sandbox_start
	sf_env
	sb_login
	opp=$(first "SELECT Id FROM Opportunity WHERE Id IN (SELECT OpportunityId FROM OpportunityContactRole) LIMIT 1")
	before=$(counts)
	run dg smoke --id "$opp"
	assert_success
	assert_line PASS
	assert_line --regexp '^Event.WhatId is the opportunity +ok$'
	assert_line --regexp '^Task.TaskSubtype +ok$'
	assert_equal "$(counts)" "$before"
	run dg smoke --id 006000000000000AAA
	assert_failure 1
	assert_output --partial "no opportunity"
	# --json: the checks as data, and an error as {error}
	run --separate-stderr dg smoke --id "$opp" --json --keep
	assert_success
	[ "$(jq -r .result <<< "$output")" = PASS ]
	[ "$(jq '[.checks[] | select(.ok)] | length' <<< "$output")" -ge 10 ]
	[ "$(jq '[.checks[] | select(.ok | not)] | length' <<< "$output")" = 0 ]
	[ "$(jq -r '.kept.Event | .[0:3]' <<< "$output")" = 00U ]
	run --separate-stderr dg smoke --id 006000000000000AAA --json
	assert_failure 1
	[[ "$(jq -r .error <<< "$output")" == "no opportunity '006000000000000AAA' in the org" ]]
}

@test "dg demo runs the whole flow against a fresh local org" {
	export DG_DEMO_DIR=$BATS_TEST_TMPDIR/demo2
	run --separate-stderr dg demo --max-opps=2 --json --yes
	assert_success
	[ "$(jq -r .status <<< "$output")" = ok ]
	[ "$(jq -r .deals <<< "$output")" = 2 ]
	[ -s "$(jq -r .report <<< "$output")" ]
	export DG_DEMO_DIR=$BATS_TEST_TMPDIR/demo
	run --separate-stderr dg demo --max-opps 3
	assert_success
	[[ "$stderr" == *"Event: "*" created"* ]]
	assert_line --partial "RUN "
	[ -d "$DG_DEMO_DIR/runs" ]
	# the sandbox it started is gone
	run cat "$DG_DEMO_DIR/sandbox.url"
	run curl -sS --max-time 2 "$output/services/data/"
	assert_failure
}

@test "killing dg run at many points and running again leaves every record exactly once" {
	sandbox_start --latency 40
	sf_env
	steady 6
	kill_runs 0.15 0.4 0.7 1.0 1.3 1.6 1.9
	run --separate-stderr dg run --yes
	[ "$status" -eq 0 ] || { echo "$stderr"; tail -n 20 runs/*/*.log; false; }
	final=$(ls -d runs/* | tail -1)
	run --separate-stderr dg dry-run
	[[ "$stderr" == *"would create 0 records"* ]]
	sb_login
	# Each planned meeting, email and relation is in the org exactly once.
	plan=$(ls -d runs/*-dry-run | tail -1)/marked.jsonl
	meetings=$(jq -s '[.[].activities[] | select(.kind == "meeting")] | length' "$plan")
	emails=$(jq -s '[.[].activities[] | select(.kind == "email")] | length' "$plan")
	# a relation for each attendee besides the contact, and each of the seller's people;
	# an email's for each person in copy
	rels=$(jq -s '[.[].activities[] | select(.kind == "meeting") | ((.attendees - [.who]) | length) + (.internal // [] | length)] | add' "$plan")
	trels=$(jq -s '[.[].activities[] | select(.kind == "email") | (.attendees - [.who]) | length] | add' "$plan")
	[ "$trels" -gt 0 ]
	[ "$(jq -s '[.[].activities[] | .internal // [] | length] | add' "$plan")" -gt 0 ]
	assert_equal "$(stats '.records.Event // 0')" "$meetings"
	assert_equal "$(stats '.records.Task // 0')" "$emails"
	assert_equal "$(written_relations)" "$rels"
	assert_equal "$(stats '.records.TaskRelation // 0')" "$trels"
	soql_all "SELECT WhatId, StartDateTime, Subject FROM Event WHERE IsDeleted = false" > /dev/null
	assert_equal "$(body '[.records[] | [.WhatId, .StartDateTime, .Subject]] | (length == (unique | length))')" true
}

@test "kills mid-push with planned contacts, a rerun and a reset leave the org exactly as before" {
	sandbox_start --latency 40
	sf_env
	# the default config's tag field; deals without roles, so contacts are planned
	printf 'query:\n  max_opps: 6\n  account_contacts: 0\nplan:\n  min_contacts: 3\nsalesforce:\n  retry_base_ms: 20\n' > demo.yaml
	before=$(counts)
	kill_runs 0.5 0.8 1.1 1.4
	run --separate-stderr dg run --yes
	# on failure, say why: the run's messages and each stage's log
	[ "$status" -eq 0 ] || { echo "$stderr"; tail -n 20 runs/*/*.log; false; }
	run --separate-stderr dg dry-run
	[[ "$stderr" == *"would create 0 records"* ]]
	# every contact dg made is planned, recorded and tagged: none is taken for the deal's own
	plan=$(ls -d runs/*-dry-run | tail -1)/marked.jsonl
	assert_equal "$(stats '.records.Contact')" "$(( ${before%% *} + $(jq -s '[.[].contacts[] | select(.planned)] | length' "$plan") ))"
	run --separate-stderr dg reset --all
	assert_success
	assert_equal "$(counts)" "$before"
}

@test "two runs at once with their own state files (two machines, one org): one writes, the other waits, nothing doubles" {
	sandbox_start --latency 60
	sf_env
	printf 'query:\n  max_opps: 5\n  account_contacts: 0\nplan:\n  min_contacts: 3\n' > demo.yaml
	before=$(counts)
	DG_STATE=a/state.db DG_RUNS=a/runs dg run --yes > a.out 2> a.err &
	pa=$!
	DG_STATE=b/state.db DG_RUNS=b/runs dg run --yes > b.out 2> b.err &
	pb=$!
	wait $pa
	wait $pb
	# one of them waited for the other's lock in the org, then found what it made
	run cat a/runs/*/push.log b/runs/*/push.log
	assert_output --partial "waiting for run "
	assert_output --partial "to finish writing to this org"
	# everything planned is in the org exactly once
	plan=$(ls -d a/runs/* | head -1)/marked.jsonl
	contacts=$(jq -s '[.[].contacts[] | select(.planned)] | length' "$plan")
	meetings=$(jq -s '[.[].activities[] | select(.kind == "meeting")] | length' "$plan")
	emails=$(jq -s '[.[].activities[] | select(.kind == "email")] | length' "$plan")
	cc=$(jq -s '[.[].activities[] | select(.kind == "email") | (.attendees - [.who]) | length] | add' "$plan")
	read -r c0 r0 e0 x0 t0 y0 <<< "$before"
	assert_equal "$(counts)" "$((c0 + contacts)) $((r0 + contacts)) $((e0 + meetings)) $(stats '.records.EventRelation') $((t0 + emails)) $((${y0:-0} + cc))"
	assert_equal "$(stats '.records.DG_Lock__c // 0')" 0
	sb_login
	soql_all "SELECT WhatId, StartDateTime, Subject FROM Event WHERE IsDeleted = false" > /dev/null
	assert_equal "$(body '[.records[] | [.WhatId, .StartDateTime, .Subject]] | (length == (unique | length))')" true
	soql "SELECT EventId, RelationId FROM EventRelation" > /dev/null
	assert_equal "$(body '[.records[] | [.EventId, .RelationId]] | (length == (unique | length))')" true
	# and each state file can reset what its run recorded: together, the org as before
	DG_STATE=a/state.db DG_RUNS=a/runs dg reset --all 2> /dev/null
	DG_STATE=b/state.db DG_RUNS=b/runs dg reset --all 2> /dev/null
	assert_equal "$(counts)" "$before"
}

@test "a push cut short (the daily limit) is recorded as far as it went; the next run finishes it" {
	# 21 data calls: the run's queries (Opportunity's describe for its scorecard fields,
	# the owners' calendars and the org's users), the push's guard, describes
	# (TaskRelation's too), the org's task statuses and priorities and the lock take 19,
	# the scorecard update and one create get through, then the limit
	sandbox_start --daily-limit 21
	sf_env
	steady 4
	before=$(counts)
	run --separate-stderr dg run --yes
	assert_failure 1
	dir=$(ls -d runs/* | head -1)
	assert_equal "$(jq -r .status "$dir/summary.json")" failed
	assert_equal "$(jq -r .status "$dir/run.json")" failed
	made=$(jq '[.records[] | .created // 0] | add' "$dir/summary.json")
	[ "$made" -gt 0 ]
	# the state holds exactly what was made (and the scorecards it wrote, to put back)
	assert_equal "$(dg-state ids --run "$(basename "$dir")" | jq -c 'select(.restore | not)' | wc -l)" "$made"
	admin POST faults -H 'Content-Type: application/json' -d '{"daily_limit": 100000}' > /dev/null
	run --separate-stderr dg run --yes
	assert_success
	run --separate-stderr dg dry-run
	[[ "$stderr" == *"would create 0 records"* ]]
	sb_login
	soql_all "SELECT WhatId, StartDateTime, Subject FROM Event WHERE IsDeleted = false" > /dev/null
	assert_equal "$(body '[.records[] | [.WhatId, .StartDateTime, .Subject]] | (length == (unique | length))')" true
}

@test "two runs at once: one waits its turn with a clear message, nothing doubles" {
	sandbox_start --latency 100
	sf_env
	steady 4
	dg run --yes > a.out 2> a.err &
	a=$!
	# the second starts once the first holds the state file (its run directory is made
	# after the lock): a fixed wait lost the race on a busy machine
	for i in $(seq 400); do
		[ -n "$(ls runs 2> /dev/null)" ] && break
		sleep 0.05
	done
	rc=0
	dg run --yes > b.out 2> b.err || rc=$?
	wait $a
	assert_equal "$rc" 1
	run cat b.err
	assert_output --partial "another dg run is using"
	run --separate-stderr dg dry-run
	[[ "$stderr" == *"would create 0 records"* ]]
}

@test "a corrupt state file is refused, not reset, and nothing is written" {
	sandbox_start
	sf_env
	steady 2
	mkdir .dg
	echo "not a database at all" > .dg/state.db
	sum=$(md5sum < .dg/state.db)
	before=$(counts)
	run dg run --yes
	assert_failure 1
	assert_output --partial "is not a dg state file"
	assert_equal "$(md5sum < .dg/state.db)" "$sum"
	assert_equal "$(counts)" "$before"
}

@test "unwritable runs/ or state places fail clearly before anything is written" {
	sandbox_start
	sf_env
	steady 2
	before=$(counts)
	touch afile
	DG_RUNS=afile/runs run dg run --yes
	assert_failure 1
	assert_output --partial "cannot create the run directory"
	DG_STATE=afile/state.db run dg run --yes
	assert_failure 1
	assert_output --partial "afile"
	assert_equal "$(counts)" "$before"
}

@test "no secret reaches any file under runs/" {
	sandbox_start
	sf_env
	steady 2
	export SF_SECURITY_TOKEN=dgSecurityToken SF_CLIENT_SECRET=very-secret-value-42 OPENAI_API_KEY=sk-test-secret-77
	printf 'content:\n  mode: heuristic\nscore:\n  mode: heuristic\n' >> demo.yaml
	run --separate-stderr dg run --yes
	assert_success
	sb_login
	org=${SB_TOKEN%%!*}
	run grep -rl -e dgSecurityToken -e very-secret-value-42 -e sk-test-secret-77 -e "$org!" runs
	assert_failure
	run grep -c 'SF_CLIENT_SECRET=\*\*\*' runs/*/config.resolved.yaml
	assert_output 1
}

@test "Ctrl-C or a kill in the middle of a push: the run stops cleanly, marked interrupted, what it wrote recorded; a rerun completes it, a reset undoes it all; a killed run shows as died" {
	sandbox_start --latency 100
	sf_env
	steady 8
	before=$(counts)
	# (env: a background job starts with Ctrl-C ignored; a terminal's would not)
	env --default-signal=INT dg run --yes > out.txt 2> err.txt &
	pid=$!
	for i in $(seq 400); do
		grep -qs '"stage-start","stage":"push"' runs/*/events.jsonl && break
		sleep 0.05
	done
	sleep 0.3
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 130
	run cat err.txt
	assert_output --regexp "dg-run: interrupted \(INT\): [0-9]+ records written and recorded; what else it created is found and completed by the next 'dg run', or removed with 'dg reset --from-org --tag [0-9-]+'"
	run dg status
	assert_line --regexp ' interrupted '
	# nothing is left running
	run pgrep -f "dg-push .*--tag"
	assert_failure
	# the next run completes it, nothing twice; a reset takes everything back
	run --separate-stderr dg run --yes
	assert_success
	run --separate-stderr dg run --yes
	[[ "$stderr" == *"nothing to create"* ]]
	run --separate-stderr dg reset --all --yes
	assert_success
	assert_equal "$(counts)" "$before"
	# a run whose process was killed outright is shown as died, not running forever
	sandbox_stop
	sandbox_start --latency 40
	sf_env
	rm -rf runs
	setsid dg run --yes > /dev/null 2>&1 &
	pid=$!
	for i in $(seq 400); do
		grep -qs '"stage-start","stage":"push"' runs/*/events.jsonl && break
		sleep 0.05
	done
	kill -9 -- "-$pid"
	wait "$pid" 2> /dev/null || true
	run dg status
	assert_line --regexp ' died '
}

@test "dg run picks deals by --id and takes --seed and --now as the filters do" {
	sandbox_start
	sf_env
	steady 6
	sb_login
	a=$(first "SELECT Id FROM Opportunity WHERE IsClosed = false ORDER BY Id LIMIT 1")
	b=$(first "SELECT Id FROM Opportunity WHERE IsClosed = false ORDER BY Id DESC LIMIT 1")
	run --separate-stderr dg dry-run --id "$a" --id="$b" --seed 7 --now 2026-10-01
	assert_success
	dir=$(ls -d runs/*-dry-run)
	assert_equal "$(jq -r .opportunity.Id "$dir/deals.jsonl" | sort | tr '\n' ' ')" "$(printf '%s\n' "$a" "$b" | sort | tr '\n' ' ')"
	assert_equal "$(jq -r '[.seed, .now] | join(" ")' "$dir/run.json")" "7 2026-10-01"
	# the plan is the one the filters make with the same seed and day
	dg-plan --seed 7 --now 2026-10-01 "$dir/deals.jsonl" > want.jsonl
	assert_equal "$(jq -c '[.activities[] | [.key, .start]]' "$dir/planned.jsonl")" "$(jq -c '[.activities[] | [.key, .start]]' want.jsonl)"
}
