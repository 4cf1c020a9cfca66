#!/usr/bin/env bats
# dg-query, and through it the Salesforce client: every login flow, paging, SOQL
# escaping, retries, session renewal and the daily limit, all against dg-sandbox.

load helper

fast() { printf 'salesforce:\n  retry_base_ms: 10\n' > demo.yaml; }

@test "dg-query -h prints usage on stdout and exits 0" {
	run --separate-stderr dg-query -h
	assert_success
	assert_output --partial "usage: dg-query"
}

@test "dg-query refuses bad options with status 2 before talking to anyone" {
	run dg-query --id 001000000000000AAA
	assert_failure 2
	assert_output --partial "not an opportunity Id"
	run dg-query --id 006000000000000AAA --soql "SELECT Id FROM Opportunity"
	assert_failure 2
	run dg-query --max-opps 0
	assert_failure 2
	printf 'query:\n  close_date:\n    from: "2026-01-01 OR Name != null"\n' > bad.yaml
	run dg-query -c bad.yaml
	assert_failure 2
	assert_output --partial "query.close_date.from"
}

@test "without any login in the environment dg-query says which variables it needs" {
	run dg-query
	assert_failure 1
	assert_output --partial "SF_ACCESS_TOKEN"
	assert_output --partial "--target-org"
}

@test "dg-query writes one deal record per opportunity in the shape dg-plan reads" {
	sandbox_start
	sf_env
	run --separate-stderr dg-query --max-opps 5
	assert_success
	echo "$output" > deals.jsonl
	run jq -s 'length' deals.jsonl
	assert_output 5
	run jq -r '.opportunity | [(.Id | test("^006")), (.Owner.TimeZoneSidKey | length > 0), (.Account.Website | startswith("https://")), (.Account.Id | test("^001")), has("attributes")] | map(tostring) | join(",")' deals.jsonl
	assert_line true,true,true,true,false
	run jq -r '[.contacts[] | (.Email | contains("@")) and (.Id | test("^003"))] | all' deals.jsonl
	refute_line false
	run dg-plan --now "$NOW" deals.jsonl
	assert_success
	[ "$(echo "$output" | jq -s '[.[].activities | length] | add')" -gt 20 ]
}

@test "--id picks opportunities directly, in either Id form" {
	sandbox_start
	sf_env
	sb_login
	a=$(first "SELECT Id FROM Opportunity ORDER BY Name LIMIT 1")
	b=$(first "SELECT Id FROM Opportunity ORDER BY Name DESC LIMIT 1")
	run --separate-stderr dg-query --id "$a" --id "${b:0:15}"
	assert_success
	run jq -r .opportunity.Id <<< "$output"
	assert_line "$a"
	assert_line "$b"
	[ "${#lines[@]}" -eq 2 ]
}

@test "the config chooses by stage, amount, close date, owner and extra WHERE, and excludes Ids" {
	sandbox_start
	sf_env
	sb_login
	x=$(first "SELECT Id FROM Opportunity WHERE StageName = 'Closed Won' AND Amount >= 100000 ORDER BY Id LIMIT 1")
	cat > demo.yaml <<YAML
query:
  stages: [Closed Won, Negotiation/Review]
  min_amount: 100000
  close_date: {from: LAST_N_YEARS:5, to: NEXT_N_DAYS:365}
  owners: [Avery Chen, Jordan Patel, Morgan Reyes, Priya Natarajan, Lukas Becker, Mei Tanaka, Liam Walsh]
  where: "LeadSource != null"
  exclude_ids: [$x]
  max_opps: 1000
YAML
	run --separate-stderr dg-query
	assert_success
	got=$(jq -r .opportunity.Id <<< "$output" | sort)
	soql "SELECT Id FROM Opportunity WHERE StageName IN ('Closed Won', 'Negotiation/Review') AND Amount >= 100000 AND LeadSource != null AND Id != '$x' ORDER BY Id" > /dev/null
	want=$(body '.records[].Id' | sort)
	[ -n "$want" ]
	assert_equal "$got" "$want"
}

@test "values are quoted and escaped: quotes, backslashes, unicode and injection attempts stay values" {
	sandbox_start
	sf_env
	cat > demo.yaml <<'YAML'
query:
  stages: ["Closed Won"]
  types: ["New Business", "It's a \\ type ü", "x') OR (Type != 'y"]
  max_opps: 1000
YAML
	# The odd types are not in the (unrestricted) Type picklist: said, and only the real
	# one can match.
	run --separate-stderr dg-query
	assert_success
	[[ "$stderr" == *"query.types: 'x') OR (Type != 'y' is not an opportunity type of this org's picklist"* ]]
	[ -n "$output" ]
	run jq -r '[.opportunity.StageName, .opportunity.Type] | join(" / ")' <<< "$output"
	assert_equal "$(printf '%s\n' "${lines[@]}" | sort -u)" "Closed Won / New Business"
	# a stage is checked against the org's before the query: the value stays whole
	printf 'query:\n  stages: ["Closed Won", "x'"'"') OR (StageName != '"'"'y"]\n' > demo.yaml
	run --separate-stderr dg-query
	assert_failure 2
	[[ "$stderr" == *"query.stages: 'x') OR (StageName != 'y' is not a stage of this org"* ]]
	# an owner is checked against the org's users: the value stays whole
	cat > demo.yaml <<'YAML'
query:
  owners: ["O'Brien \"Bob\"", "Zoë Ångström"]
YAML
	run --separate-stderr dg-query
	assert_failure 2
	want="query.owners: 'O'Brien \"Bob\"' is not a user of this org"
	[[ "$stderr" == *"$want"* ]]
}

@test "a request line over 16,384 bytes is refused (414); dg-query asks for 700 Ids 100 at a time, in the query's order" {
	sandbox_start --opps 700
	sf_env
	sb_login
	soql "SELECT Id FROM Opportunity ORDER BY CloseDate, Id" > /dev/null
	body '.records[].Id' > all.txt
	[ "$(wc -l < all.txt)" -eq 700 ]
	list=$(sed "s/.*/'&'/" all.txt | paste -sd,)
	run soql "SELECT Id FROM Opportunity WHERE Id IN ($list)"
	assert_output 414
	assert_equal "$(body '.[0].errorCode')" URI_TOO_LONG
	args=()
	while read -r id; do args+=(--id "$id"); done < <(shuf --random-source=all.txt all.txt)
	before=$(stats '.requests.query')
	run --separate-stderr dg-query --max-opps 1000 "${args[@]}"
	assert_success
	assert_equal "$(jq -r .opportunity.Id <<< "$output")" "$(cat all.txt)"
	# 7 queries of opportunities, then the contacts, calendars and users of them
	[ "$(( $(stats '.requests.query') - before ))" -ge 7 ]
	# the cap still holds across the parts: the first by close date
	run --separate-stderr dg-query --max-opps 5 "${args[@]}"
	assert_equal "$(jq -r .opportunity.Id <<< "$output")" "$(head -n 5 all.txt)"
	[[ "$stderr" == *"more than 5 opportunities match; taking the first 5"* ]]
}

@test "dg-query follows nextRecordsUrl over 2,500+ opportunities" {
	sandbox_start
	sf_env
	sb_login
	acct=$(first "SELECT Id FROM Account LIMIT 1")
	for k in $(seq 0 12); do
		jq -cn --arg a "$acct" --argjson k "$k" '{records: [range(200) | {attributes: {type: "Opportunity"}, Name: "Paged \($k)-\(.)", StageName: "Prospecting", CloseDate: "2027-01-15", AccountId: $a}]}' > req.json
		run sf POST /composite/sobjects --data-binary @req.json
		assert_output 200
	done
	run --separate-stderr dg-query --max-opps 5000
	assert_success
	n=$(echo "$output" | wc -l)
	soql "SELECT COUNT() FROM Opportunity" > /dev/null
	assert_equal "$n" "$(body .totalSize)"
	[ "$n" -ge 2600 ]
	[ "$(stats '.requests.queryMore')" -ge 1 ]
	run jq -r .opportunity.Id <<< "$output"
	assert_equal "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" "$n"
}

@test "--max-opps caps the deals and says so" {
	sandbox_start
	sf_env
	run --separate-stderr dg-query --max-opps 2
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	[[ "$stderr" == *"more than 2 opportunities match"* ]]
}

@test "deals without contact roles get their account's contacts, bounded" {
	sandbox_start
	sf_env
	sb_login
	opp=$(first "SELECT Id FROM Opportunity WHERE Id NOT IN (SELECT OpportunityId FROM OpportunityContactRole) LIMIT 1")
	printf 'query:\n  account_contacts: 2\n' > demo.yaml
	run --separate-stderr dg-query --id "$opp"
	assert_success
	run jq -r '[.contacts | length, (map(.Role) | unique | tostring)] | join(" ")' <<< "$output"
	assert_output '2 [null]'
}

# ---- logins ----

@test "login: an access token and instance URL" {
	sandbox_start
	sb_login
	SF_ACCESS_TOKEN=$SB_TOKEN SF_INSTANCE_URL=$SB_URL run --separate-stderr dg-query --max-opps 1
	assert_success
	[ "${#lines[@]}" -eq 1 ]
	SF_ACCESS_TOKEN=$SB_TOKEN run dg-query --max-opps 1
	assert_failure 1
	assert_output --partial "SF_INSTANCE_URL"
}

@test "login: username and password, with or without the security token" {
	sandbox_start
	sf_env
	run --separate-stderr dg-query --max-opps 1
	assert_success
	SF_SECURITY_TOKEN=dgSecurityToken run --separate-stderr dg-query --max-opps 1
	assert_success
	SF_PASSWORD=hunter2-wrong run dg-query --max-opps 1
	assert_failure 1
	assert_output --partial "invalid_grant: authentication failure"
	refute_output --partial hunter2
}

@test "login: client credentials" {
	sandbox_start
	SF_LOGIN_URL=$SB_URL SF_CLIENT_ID=app SF_CLIENT_SECRET=s3cret run --separate-stderr dg-query --max-opps 1
	assert_success
	[ "${#lines[@]}" -eq 1 ]
}

@test "login: refresh token" {
	sandbox_start
	SF_LOGIN_URL=$SB_URL SF_CLIENT_ID=app SF_REFRESH_TOKEN=5Aep861dgSandboxRefreshToken run --separate-stderr dg-query --max-opps 1
	assert_success
	SF_LOGIN_URL=$SB_URL SF_CLIENT_ID=app SF_REFRESH_TOKEN=5Aep-revoked run dg-query --max-opps 1
	assert_failure 1
	assert_output --partial "expired access/refresh token"
	refute_output --partial 5Aep-revoked
}

@test "login: JWT bearer signed with RS256" {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 1 -subj /CN=dg 2> /dev/null
	openssl genrsa -out other.pem 2048 2> /dev/null
	sandbox_start --jwt-cert cert.pem
	SF_LOGIN_URL=$SB_URL SF_CLIENT_ID=app SF_USERNAME=admin@dg.sandbox SF_JWT_KEY_FILE=key.pem run --separate-stderr dg-query --max-opps 1
	assert_success
	SF_LOGIN_URL=$SB_URL SF_CLIENT_ID=app SF_USERNAME=admin@dg.sandbox SF_JWT_KEY_FILE=other.pem run dg-query --max-opps 1
	assert_failure 1
	assert_output --partial "invalid assertion"
	SF_LOGIN_URL=$SB_URL SF_CLIENT_ID=app SF_USERNAME=admin@dg.sandbox SF_JWT_KEY_FILE=cert.pem run dg-query --max-opps 1
	assert_failure 1
	assert_output --partial "not a PEM private key"
}

# fake_sf: a stand-in for the current Salesforce CLI in fakebin/sf, answering as sf
# 2.146 does: the token from 'sf org auth show-access-token', '[REDACTED] …' in its place
# from 'sf org display', sf's own JSON error for an unknown alias. Each start is logged
# in sf.calls. (tests/sf-cli.bats runs the real CLI.)
fake_sf() {
	mkdir -p fakebin
	cat > fakebin/sf <<SH
#!/bin/sh
echo "\$*" >> "$PWD/sf.calls"
alias=""; prev=""
for a in "\$@"; do [ "\$prev" = --target-org ] && alias=\$a; prev=\$a; done
if [ "\$alias" != demo ]; then
	printf '%s\\n' '{"name":"NamedOrgNotFoundError","message":"Parsing --target-org \\n\\tNo authorization information found for '"\$alias"'.","exitCode":2,"actions":["It looks like you mistyped the username or alias."],"status":2}'
	exit 2
fi
case "\$1 \$2 \$3" in
"org auth show-access-token") echo '{"status":0,"result":{"accessToken":"$SB_TOKEN"}}' ;;
"org display --json") echo '{"status":0,"result":{"id":"00D","accessToken":"[REDACTED] Use '"'sf org auth show-access-token'"' to view","instanceUrl":"$SB_URL/","username":"admin@dg.sandbox","alias":"demo"}}' ;;
*) echo '{"status":1,"message":"unexpected"}'; exit 1 ;;
esac
SH
	chmod +x fakebin/sf
}

@test "login: an existing Salesforce CLI login (--target-org, -o), the way current sf gives out its token" {
	sandbox_start
	sb_login
	fake_sf
	PATH="$PWD/fakebin:$PATH" run --separate-stderr dg-query --target-org demo --max-opps 1
	assert_success
	[ "${#lines[@]}" -eq 1 ]
	# one sf start-up of each command, never the redacted text sent as a token
	assert_equal "$(sort sf.calls | cut -d' ' -f1-3 | uniq -c | awk '{print $1}' | tr -d '\n')" 11
	PATH="$PWD/fakebin:$PATH" run --separate-stderr dg-query -o demo --max-opps 1
	assert_success
	PATH="$PWD/fakebin:$PATH" run --separate-stderr dg-query --target-org other --max-opps 1
	assert_failure 1
	assert_equal "$stderr" "dg-query: 'sf org auth show-access-token' failed: Parsing --target-org No authorization information found for other. (It looks like you mistyped the username or alias.)"
	run dg-query --target-org "x; rm -rf /" --max-opps 1
	assert_failure 1
	assert_output --partial "not an org alias"
}

@test "login: without sf installed, --target-org says so and what else to use" {
	PATH="${DG_BIN:-$TOP/bin}:/usr/bin:/bin" run dg-query --target-org demo --max-opps 1
	assert_failure 1
	assert_output --partial "the Salesforce CLI 'sf' is not on PATH: install it (npm install --global @salesforce/cli)"
	refute_output --partial "32512"
}

@test "dg-login says where a login lands; --env prints the session for a shell; sf's default target org" {
	sandbox_start
	sb_login
	fake_sf
	PATH="$PWD/fakebin:$PATH" run --separate-stderr dg-login -o demo
	assert_success
	assert_output "logged in to 'dg Demo Sandbox' (00D8d0000000001EAA, sandbox) at $SB_URL as admin@dg.sandbox, by sf cli"
	PATH="$PWD/fakebin:$PATH" run --separate-stderr dg-login -o demo --json
	assert_success
	assert_equal "$(jq -c '[.Username, .IsSandbox, .Login, .InstanceUrl == "'"$SB_URL"'"]' <<< "$output")" '["admin@dg.sandbox",true,"sf cli",true]'
	rm -f sf.calls
	PATH="$PWD/fakebin:$PATH" run --separate-stderr dg-login -o demo --env
	assert_success
	eval "$output"
	assert_equal "$SF_ACCESS_TOKEN" "$SB_TOKEN"
	assert_equal "$(wc -l < sf.calls)" 2
	# the session exported is the first login every stage takes: sf is not started again
	run --separate-stderr dg-query --max-opps 1
	assert_success
	assert_equal "$(wc -l < sf.calls)" 2
	unset SF_ACCESS_TOKEN SF_INSTANCE_URL
	# no login in the environment: sf's default target org (the fake knows none)
	PATH="$PWD/fakebin:$PATH" run dg-login
	assert_failure 1
	assert_output --partial "no Salesforce login: give --target-org ALIAS"
	SF_CLIENT_ID=dg SF_CLIENT_SECRET=dg-tests SF_LOGIN_URL=$SB_URL run dg-login
	assert_success
	assert_output --partial "by client credentials"
	run dg-login --json --env
	assert_failure 2
}

# ---- reliability ----

@test "an expired session gets one new token and the call is repeated" {
	sandbox_start --expire-after 1
	sf_env
	sb_login
	opp=$(first "SELECT Id FROM Opportunity WHERE Id NOT IN (SELECT OpportunityId FROM OpportunityContactRole) LIMIT 1")
	admin DELETE stats
	# Five data calls (Opportunity's describe for its scorecard fields, the deal, its
	# account's contacts, its owner's calendar, the org's users): all but the first meet
	# a 401 and get a new token.
	run --separate-stderr dg-query --id "$opp"
	assert_success
	[ "$(jq '.contacts | length' <<< "$output")" -ge 1 ]
	assert_equal "$(stats .requests.token)" 5
	# With a fixed access token there is nothing to renew: a clear failure.
	sb_login
	SF_ACCESS_TOKEN=$SB_TOKEN SF_INSTANCE_URL=$SB_URL SF_USERNAME= run dg-query --id "$opp"
	assert_failure 1
	assert_output --partial INVALID_SESSION_ID
}

@test "503s, lock errors and HTML 500s are retried with backoff; 4xx are not" {
	sandbox_start --fault unavailable@1 --fault lock@2 --fault html500@3
	sf_env
	fast
	run --separate-stderr dg-query --max-opps 3
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	# three faults, then the query that got through (and the owners' calendars, and
	# the org's users)
	assert_equal "$(stats .faults_injected)" 3
	assert_equal "$(stats .requests.query)" 3
	run dg-query --soql "SELECT Nope FROM Opportunity"
	assert_failure 1
	assert_output --partial INVALID_FIELD
	assert_equal "$(stats .requests.query)" 4
}

@test "retries give up after salesforce.retries and say why" {
	sandbox_start --fault unavailable%100
	sf_env
	printf 'salesforce:\n  retry_base_ms: 5\n  retries: 2\n' > demo.yaml
	run dg-query --max-opps 1
	assert_failure 1
	assert_output --partial SERVER_UNAVAILABLE
	assert_equal "$(stats .faults_injected)" 3
}

@test "the daily request limit stops dg-query with the org's answer" {
	sandbox_start --daily-limit 1
	sf_env
	sb_login
	run sf GET /limits
	run dg-query --max-opps 1
	assert_failure 1
	assert_output --partial REQUEST_LIMIT_EXCEEDED
	# refused once, not retried
	assert_equal "$(stats .requests.limit_exceeded)" 1
}

@test "each deal carries its owner's busy time from the org, without dg's own Events" {
	sandbox_start
	sf_env
	sb_login
	# the planning window is counted from the config's now, not the wall clock
	printf 'now: %s\n' "$NOW" > demo.yaml
	dg-query --max-opps 1 > one.jsonl 2> /dev/null
	owner=$(jq -r .opportunity.OwnerId one.jsonl)
	assert_equal "$(jq -c '.owner_busy // []' one.jsonl)" "[]"
	run sf POST /composite/sobjects -d '{"allOrNone":true,"records":[
		{"attributes":{"type":"Event"},"Subject":"Board prep","StartDateTime":"2026-11-20T15:00:00Z","DurationInMinutes":60,"OwnerId":"'"$owner"'"},
		{"attributes":{"type":"Event"},"Subject":"made by dg","StartDateTime":"2026-11-20T17:00:00Z","DurationInMinutes":60,"OwnerId":"'"$owner"'","DG_Tag__c":"r1"},
		{"attributes":{"type":"Event"},"Subject":"long ago","StartDateTime":"2025-01-20T15:00:00Z","DurationInMinutes":60,"OwnerId":"'"$owner"'"}]}'
	assert_output 200
	dg-query --max-opps 1 > one.jsonl 2> /dev/null
	assert_equal "$(jq -c '.owner_busy' one.jsonl)" '[["2026-11-20T15:00:00.000+0000","2026-11-20T16:00:00.000+0000"]]'
	# an org without the tag field: asked again without the condition
	printf 'now: %s\npush:\n  tag_field: No_Such_Field__c\n' "$NOW" > demo.yaml
	run --separate-stderr dg-query --max-opps 1
	assert_success
	assert_equal "$(jq -c '.owner_busy | length' <<< "$output")" 2
}

@test "each deal carries the seller's people: the owner's manager, sales engineers and executives by title or by plan.team" {
	sandbox_start
	sf_env
	dg-query --max-opps 3 > three.jsonl 2> /dev/null
	run jq -r '.sellers[] | "\(.Role) \(.Name)"' three.jsonl
	assert_line "manager Dana Brooks"
	assert_line "sales_engineer Ravi Shah"
	assert_line "sales_engineer Elena Ruiz"
	assert_line "executive Grace Kim"
	# the owner is never their own seller
	run jq -r '.opportunity.OwnerId as $o | .sellers[] | select(.Id == $o) | .Id' three.jsonl
	assert_output ""
	# plan.team names them instead of titles (by email or name)
	printf 'plan:\n  team:\n    sales_engineers: [elena.ruiz@dg.sandbox]\n    executives: [Dana Brooks]\n' > demo.yaml
	dg-query --max-opps 1 > one.jsonl 2> /dev/null
	run jq -r '.sellers[] | "\(.Role) \(.Name)"' one.jsonl
	assert_line "sales_engineer Elena Ruiz"
	refute_line "sales_engineer Ravi Shah"
	refute_line "executive Grace Kim"
	# and dg-plan brings them to the meetings that need them, as internal attendees
	dg-query --max-opps 3 2> /dev/null | dg-plan --now "$NOW" > planned.jsonl
	run jq -r '.activities[] | select(.type == "demo" or .type == "technical_discovery") | .internal // [] | length' planned.jsonl
	assert_line 1
}

@test "record types and owners the org does not have are refused before the query, with the closest; an inactive owner is said" {
	export DG_SANDBOX_PROFILE=enterprise
	sandbox_start
	sf_env
	printf 'query:\n  record_types: [New_Busines]\n' > demo.yaml
	run --separate-stderr dg-query
	assert_failure 2
	[[ "$stderr" == "dg-query: query.record_types: 'New_Busines' is not an active Opportunity record type (DeveloperName) of this org; did you mean 'New_Business'? (its record types: New_Business)" ]]
	# a retired record type is not one to choose by
	printf 'query:\n  record_types: [Renewal]\n' > demo.yaml
	run --separate-stderr dg-query
	assert_failure 2
	printf 'query:\n  record_types: [new_business]\n' > demo.yaml
	run --separate-stderr dg-query
	assert_success
	printf 'query:\n  owners: [Dana Brooke]\n' > demo.yaml
	run --separate-stderr dg-query
	assert_failure 2
	[[ "$stderr" == *"query.owners: 'Dana Brooke' is not a user of this org; did you mean 'Dana Brooks'?"* ]]
	printf 'query:\n  owners: [005000000000000AAA]\n' > demo.yaml
	run --separate-stderr dg-query
	assert_failure 2
	[[ "$stderr" == *"query.owners: '005000000000000AAA' is not a user of this org"* ]]
	inactive=$(sb_login && soql "SELECT Name FROM User WHERE IsActive = false" > /dev/null && body '.records[0].Name')
	printf 'query:\n  owners: ["%s"]\n' "$inactive" > demo.yaml
	run --separate-stderr dg-query
	assert_success
	[[ "$stderr" == *"query.owners: '$inactive' is an inactive user"* ]]
	# the lenient org has no record types at all
	sandbox_stop
	export DG_SANDBOX_PROFILE=lenient
	sandbox_start
	sf_env
	printf 'query:\n  record_types: [New_Business]\n' > demo.yaml
	run --separate-stderr dg run --yes
	assert_failure 2
	[[ "$stderr" == *"(it has none)"* ]]
}

@test "a stage the org does not have is refused before the query, with the closest (dg run stops with status 2, nothing written)" {
	sandbox_start
	sf_env
	printf 'query:\n  stages: [Negotiation/Reveiw]\n' > demo.yaml
	run --separate-stderr dg-query
	assert_failure 2
	[[ "$stderr" == "dg-query: query.stages: 'Negotiation/Reveiw' is not a stage of this org; did you mean 'Negotiation/Review'? (its stages: Prospecting, "* ]]
	printf 'query:\n  stages: [negotiation/review]\n' > demo.yaml
	run --separate-stderr dg-query
	assert_success
	[ "${#lines[@]}" -ge 1 ]
	printf 'query:\n  stages: [Negotiation/Reveiw]\n' > demo.yaml
	run --separate-stderr dg run --yes
	assert_failure 2
	[[ "$stderr" == *"did you mean 'Negotiation/Review'?"* ]]
	assert_equal "$(dg-state runs --json | wc -l)" 0
}
