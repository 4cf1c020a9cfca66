#!/usr/bin/env bats
# dg-sandbox: the local Salesforce-compatible org. Every test starts its own sandbox
# on a free port and talks to it over HTTP with curl, as any client would.

# Slow (about 35 s): 57 tests, each starting its own sandbox and seeding its org.
load helper

# ---- the program ----

@test "dg-sandbox -h prints usage on stdout and exits 0" {
	run --separate-stderr dg-sandbox -h
	assert_success
	assert_output --partial "usage: dg-sandbox"
}

@test "dg-sandbox refuses a bad option, a bad port and a bad fault with status 2" {
	run dg-sandbox --bogus
	assert_failure 2
	run dg-sandbox -p 70000
	assert_failure 2
	run dg-sandbox --fault meteor@1
	assert_failure 2
	run dg-sandbox --fail-when nofield
	assert_failure 2
}

@test "dg-sandbox prints exactly one line, its base URL, and exits 0 on SIGTERM and SIGINT" {
	dg-sandbox > url.txt 2> err.txt &
	pid=$!
	for i in $(seq 100); do [ -s url.txt ] && break; sleep 0.02; done
	run cat url.txt
	assert_output --regexp '^http://127\.0\.0\.1:[0-9]+$'
	run wc -l < url.txt
	assert_output 1
	kill -TERM $pid
	rc=0
	wait $pid || rc=$?
	assert_equal "$rc" 0
	# A background job's SIGINT starts out ignored; the sandbox still stops on it.
	dg-sandbox > url2.txt &
	pid=$!
	for i in $(seq 100); do [ -s url2.txt ] && break; sleep 0.02; done
	kill -INT $pid
	rc=0
	wait $pid || rc=$?
	assert_equal "$rc" 0
}

@test "dg-sandbox -p serves on the port it is given" {
	port=$(( 20000 + RANDOM % 20000 ))
	sandbox_start -p $port
	assert_equal "$SB_URL" "http://127.0.0.1:$port"
	run curl -sS "$SB_URL/services/data/"
	assert_success
}

@test "a broken schema file is refused with its name and status 2" {
	printf 'objects:\n  Widget:\n    fields: {}\n' > bad.yaml
	run dg-sandbox --schema bad.yaml
	assert_failure 2
	assert_output --partial "bad.yaml"
	assert_output --partial "__c"
	printf 'objects: [unclosed\n' > worse.yaml
	run dg-sandbox --schema worse.yaml
	assert_failure 2
	assert_output --partial "worse.yaml:"
}

@test "--schema adds custom objects and fields that describe and writes know" {
	cat > extra.yaml <<'YAML'
objects:
  Event:
    fields:
      Mood__c: {type: picklist, values: [Good, Bad], restricted: true}
  Widget__c:
    prefix: a0W
    fields:
      Name: {type: string, length: 80}
      Opportunity__c: {type: reference, ref: [Opportunity], rel: Opportunity__r, children: Widgets__r}
YAML
	sandbox_start --schema extra.yaml
	sb_login
	run sf GET /sobjects/Widget__c/describe
	assert_output 200
	run body '.keyPrefix, .custom'
	assert_output $'a0W\ntrue'
	opp=$(first "SELECT Id FROM Opportunity LIMIT 1")
	run sf POST /sobjects/Widget__c -d "{\"Name\":\"W1\",\"Opportunity__c\":\"$opp\"}"
	assert_output 201
	run soql "SELECT Name, (SELECT Name FROM Widgets__r) FROM Opportunity WHERE Id = '$opp'"
	run body '.records[0].Widgets__r.records[0].Name'
	assert_output W1
	run sf GET /sobjects/Event/describe
	run body '.fields[] | select(.name == "Mood__c") | .restrictedPicklist'
	assert_output true
	# The default dg schema is not loaded when --schema names another file.
	run body '[.fields[].name] | index("DG_Tag__c")'
	assert_output null
}

# ---- the demo org ----

@test "the demo org looks like a sales team: accounts with websites, contacts on their domains" {
	sandbox_start
	sb_login
	run soql "SELECT COUNT() FROM Account"
	n=$(body .totalSize)
	[ "$n" -ge 20 ] && [ "$n" -le 40 ]
	run soql "SELECT COUNT() FROM Account WHERE Website = null"
	assert_equal "$(body .totalSize)" 0
	run soql "SELECT Email, Account.Website FROM Contact"
	# Every contact's email domain is its account's website domain.
	run body '[.records[] | select((.Email | split("@")[1]) != (.Account.Website | sub("^https?://(www\\.)?"; "")))] | length'
	assert_output 0
	run soql "SELECT TimeZoneSidKey FROM User WHERE IsActive = true"
	run body '[.records[].TimeZoneSidKey] | unique | length'
	[ "$output" -ge 4 ]
}

@test "the demo org has opportunities in every default stage, with sensible amounts and dates" {
	sandbox_start
	sb_login
	run soql "SELECT StageName, Amount, CloseDate, IsClosed FROM Opportunity"
	run body '[.records[].StageName] | unique | length'
	assert_output 10
	run body '[.records[] | select(.Amount < 10000 or .Amount > 1000000)] | length'
	assert_output 0
	# Closed deals closed in the past, open ones close in the future.
	run body "[.records[] | select((.IsClosed and .CloseDate > \"$NOW\") or ((.IsClosed | not) and .CloseDate <= \"$NOW\"))] | length"
	assert_output 0
	run soql "SELECT Role, IsPrimary FROM OpportunityContactRole"
	run body '[.records[].Role] | unique | index("Economic Buyer") != null'
	assert_output true
	# Some deals have no contact roles, as real orgs do.
	run soql "SELECT COUNT() FROM Opportunity WHERE Id NOT IN (SELECT OpportunityId FROM OpportunityContactRole)"
	[ "$(body .totalSize)" -ge 1 ]
	run soql "SELECT IsSandbox FROM Organization"
	assert_equal "$(body '.records[0].IsSandbox')" true
}

@test "--seed fixes the demo org; another seed makes another" {
	sandbox_start --seed 7
	sb_login
	soql "SELECT Name, Website FROM Account ORDER BY Name" > /dev/null
	a=$(body '[.records[] | del(.attributes)]')
	sandbox_stop
	sandbox_start --seed 7
	sb_login
	soql "SELECT Name, Website FROM Account ORDER BY Name" > /dev/null
	b=$(body '[.records[] | del(.attributes)]')
	assert_equal "$a" "$b"
	sandbox_stop
	sandbox_start --seed 8
	sb_login
	soql "SELECT Name, Website FROM Account ORDER BY Name" > /dev/null
	c=$(body '[.records[] | del(.attributes)]')
	[ "$a" != "$c" ]
}

@test "--empty starts an org with only its organization and admin user" {
	sandbox_start --empty
	sb_login
	run soql "SELECT COUNT() FROM Account"
	assert_equal "$(body .totalSize)" 0
	run soql "SELECT Username FROM User"
	assert_equal "$(body '[.records[].Username]')" '["admin@dg.sandbox"]'
}

@test "--production makes Organization.IsSandbox false" {
	sandbox_start --empty --production
	sb_login
	run soql "SELECT IsSandbox, OrganizationType FROM Organization"
	assert_equal "$(body '.records[0].IsSandbox')" false
}

@test "--db keeps the org across restarts and does not seed it twice" {
	sandbox_start --db org.db
	sb_login
	run sf POST /sobjects/Account -d '{"Name":"Kept Across Restarts"}'
	assert_output 201
	soql "SELECT COUNT() FROM Account" > /dev/null
	n=$(body .totalSize)
	sandbox_stop
	sandbox_start --db org.db --seed 99
	sb_login
	run soql "SELECT COUNT() FROM Account"
	assert_equal "$(body .totalSize)" "$n"
	run soql "SELECT Name FROM Account WHERE Name = 'Kept Across Restarts'"
	assert_equal "$(body .totalSize)" 1
}

# ---- login ----

@test "the password grant answers with a session the API accepts" {
	sandbox_start
	run curl -sS "$SB_URL/services/oauth2/token" -d grant_type=password -d client_id=x -d client_secret=s \
		-d username=admin@dg.sandbox -d password=dg
	echo "$output" > tok.json
	run jq -r '.instance_url, .token_type, (.issued_at | test("^[0-9]{13}$")), (.id | test("/id/00D[0-9A-Za-z]{15}/005[0-9A-Za-z]{15}$")), (.signature | length > 0)' tok.json
	assert_output "$SB_URL"$'\nBearer\ntrue\ntrue\ntrue'
	SB_TOKEN=$(jq -r .access_token tok.json)
	[[ "$SB_TOKEN" == 00D*!* ]]
	run sf GET /limits
	assert_output 200
}

@test "bad credentials get the real OAuth error JSON with status 400" {
	sandbox_start
	run curl -sS -w '\n%{http_code}' "$SB_URL/services/oauth2/token" -d grant_type=password -d client_id=x \
		-d username=admin@dg.sandbox -d password=wrong
	assert_line '{"error":"invalid_grant","error_description":"authentication failure"}'
	assert_line 400
	run curl -sS "$SB_URL/services/oauth2/token" -d grant_type=password -d username=admin@dg.sandbox -d password=dg
	assert_output '{"error":"invalid_client_id","error_description":"client identifier invalid"}'
	run curl -sS "$SB_URL/services/oauth2/token" -d grant_type=magic -d client_id=x
	assert_output --partial unsupported_grant_type
	run curl -sS "$SB_URL/services/oauth2/token" -d client_id=x
	assert_output --partial invalid_request
}

@test "the password may carry the security token" {
	sandbox_start
	run curl -sS "$SB_URL/services/oauth2/token" -d grant_type=password -d client_id=x \
		-d username=admin@dg.sandbox -d password=dgdgSecurityToken
	assert_output --partial access_token
}

@test "client credentials work with HTTP Basic or form fields, and need a secret" {
	sandbox_start
	run curl -sS -u app:secret "$SB_URL/services/oauth2/token" -d grant_type=client_credentials
	assert_output --partial access_token
	refute_output --partial signature
	run curl -sS "$SB_URL/services/oauth2/token" -d grant_type=client_credentials -d client_id=app -d client_secret=s
	assert_output --partial access_token
	run curl -sS "$SB_URL/services/oauth2/token" -d grant_type=client_credentials -d client_id=app
	assert_output '{"error":"invalid_client","error_description":"invalid client credentials"}'
}

@test "the refresh token grant takes the sandbox's refresh token only" {
	sandbox_start
	run curl -sS "$SB_URL/services/oauth2/token" -d grant_type=refresh_token -d client_id=x \
		-d refresh_token=5Aep861dgSandboxRefreshToken
	assert_output --partial access_token
	run curl -sS "$SB_URL/services/oauth2/token" -d grant_type=refresh_token -d client_id=x -d refresh_token=nope
	assert_output '{"error":"invalid_grant","error_description":"expired access/refresh token"}'
}

# jwt KEY CLAIMS: an RS256 JWT with CLAIMS signed by KEY (openssl).
jwt() {
	b64() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
	local h c
	h=$(printf '{"alg":"RS256"}' | b64)
	c=$(printf '%s' "$2" | b64)
	printf '%s.%s.%s' "$h" "$c" "$(printf '%s.%s' "$h" "$c" | openssl dgst -sha256 -sign "$1" | b64)"
}

@test "the JWT bearer grant checks signature, iss, sub, aud and exp" {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 1 -subj /CN=dg 2> /dev/null
	openssl genrsa -out other.pem 2048 2> /dev/null
	sandbox_start --jwt-cert cert.pem
	now=$(date +%s)
	grant() { curl -sS "$SB_URL/services/oauth2/token" -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer -d "assertion=$1"; }
	good="{\"iss\":\"app\",\"sub\":\"admin@dg.sandbox\",\"aud\":\"https://test.salesforce.com\",\"exp\":$((now + 170))}"
	run grant "$(jwt key.pem "$good")"
	assert_output --partial access_token
	# exp as a string of seconds, as simple-salesforce sends it
	run grant "$(jwt key.pem "{\"iss\":\"app\",\"sub\":\"admin@dg.sandbox\",\"aud\":\"https://login.salesforce.com\",\"exp\":\"$((now + 60))\"}")"
	assert_output --partial access_token
	run grant "$(jwt other.pem "$good")"
	assert_output '{"error":"invalid_grant","error_description":"invalid assertion"}'
	run grant "$(jwt key.pem "{\"iss\":\"app\",\"sub\":\"admin@dg.sandbox\",\"aud\":\"https://example.com\",\"exp\":$((now + 60))}")"
	assert_output --partial "audience is invalid"
	run grant "$(jwt key.pem "{\"iss\":\"app\",\"sub\":\"admin@dg.sandbox\",\"aud\":\"https://test.salesforce.com\",\"exp\":$((now - 10))}")"
	assert_output --partial "expired authorization code"
	run grant "$(jwt key.pem "{\"iss\":\"app\",\"sub\":\"admin@dg.sandbox\",\"aud\":\"https://test.salesforce.com\",\"exp\":$((now * 1000))}")"
	assert_output --partial invalid_grant
	run grant "$(jwt key.pem "{\"iss\":\"app\",\"sub\":\"nobody@example.com\",\"aud\":\"https://test.salesforce.com\",\"exp\":$((now + 60))}")"
	assert_output --partial "user hasn't approved this consumer"
	run grant "$(jwt key.pem "{\"sub\":\"admin@dg.sandbox\",\"aud\":\"https://test.salesforce.com\",\"exp\":$((now + 60))}")"
	assert_output --partial invalid_client_id
	run grant "not.a-jwt"
	assert_output --partial invalid_grant
}

@test "a missing, unknown or expired session gets 401 INVALID_SESSION_ID" {
	sandbox_start --expire-after 2
	run sf GET /limits
	assert_output 401
	assert_equal "$(body)" '[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]'
	SB_TOKEN=00Dxx!bogus
	run sf GET /limits
	assert_output 401
	sb_login
	run sf GET /limits
	assert_output 200
	run sf GET /limits
	assert_output 200
	run sf GET /limits
	assert_output 401
	assert_equal "$(body '.[0].errorCode')" INVALID_SESSION_ID
	sb_login
	run sf GET /limits
	assert_output 200
}

# ---- discovery, limits, describe ----

@test "versions are listed without counting; unknown versions are 404" {
	sandbox_start
	sb_login
	run curl -sS -D h.txt "$SB_URL/services/data/"
	run jq -r '.[] | select(.version == "60.0") | .url' <<< "$output"
	assert_output /services/data/v60.0
	run grep -ci sforce-limit-info h.txt
	assert_output 0
	run curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $SB_TOKEN" "$SB_URL/services/data/v49.0/limits"
	assert_output 404
	run curl -sS -H "Authorization: Bearer $SB_TOKEN" "$SB_URL/services/data/v50.0/"
	assert_output --partial '"query":"/services/data/v50.0/query"'
}

@test "every data call carries Sforce-Limit-Info and /limits agrees" {
	sandbox_start --daily-limit 5000
	sb_login
	run sf GET /limits
	run grep -i '^sforce-limit-info' "$BATS_TEST_TMPDIR/headers"
	assert_output --partial "api-usage=1/5000"
	run sf GET /limits
	assert_equal "$(body .DailyApiRequests)" '{"Max":5000,"Remaining":4998}'
	run soql "SELECT Id FROM Account LIMIT 1"
	run grep -i '^sforce-limit-info' "$BATS_TEST_TMPDIR/headers"
	assert_output --partial "api-usage=3/5000"
}

@test "describe tells fields, lengths, picklists, references and child relationships" {
	sandbox_start
	sb_login
	run sf GET /sobjects/Event/describe
	assert_output 200
	run body '.keyPrefix, (.fields[] | select(.name == "Subject") | .length), (.fields[] | select(.name == "WhatId") | .referenceTo | join(","))'
	assert_output $'00U\n255\nOpportunity,Account'
	run sf GET /sobjects/Opportunity/describe
	run body '[.childRelationships[].relationshipName] | index("OpportunityContactRoles") != null'
	assert_output true
	run body '.fields[] | select(.name == "StageName") | [.restrictedPicklist, (.picklistValues | length)] | join(",")'
	assert_output true,10
	run sf GET /sobjects/Gizmo/describe
	assert_output 404
	assert_equal "$(body '.[0].errorCode')" NOT_FOUND
	run sf GET /sobjects/
	run body '[.sobjects[] | select(.custom) | .name] | index("DG_Scorecard__c") != null'
	assert_output true
}

# ---- query ----

@test "query nests parent fields and child subqueries the way Salesforce does" {
	sandbox_start
	sb_login
	run soql "SELECT Id, Name, Owner.Name, Owner.TimeZoneSidKey, Account.Name, Account.Website, (SELECT ContactId, Role, IsPrimary, Contact.Email FROM OpportunityContactRoles) FROM Opportunity WHERE Id IN (SELECT OpportunityId FROM OpportunityContactRole) LIMIT 1"
	assert_output 200
	run body '.records[0] | [.attributes.type, .Owner.attributes.type, (.Account.Website | startswith("https://")), .OpportunityContactRoles.done, (.OpportunityContactRoles.records[0].Contact.Email | contains("@"))] | map(tostring) | join(",")'
	assert_output Opportunity,User,true,true,true
	run body '.records[0] | keys_unsorted | join(",")'
	assert_output attributes,Id,Name,Owner,Account,OpportunityContactRoles
	# no children: null; an empty lookup: null
	run soql "SELECT Id, (SELECT Id FROM OpportunityContactRoles) FROM Opportunity WHERE Id NOT IN (SELECT OpportunityId FROM OpportunityContactRole) LIMIT 1"
	assert_equal "$(body '.records[0].OpportunityContactRoles')" null
	run sf POST /sobjects/Contact -d '{"LastName":"Orphan"}'
	run soql "SELECT Name, Account.Name FROM Contact WHERE LastName = 'Orphan'"
	assert_equal "$(body '.records[0].Account')" null
}

@test "query keys use the API names whatever case the query used" {
	sandbox_start
	sb_login
	run soql "select id, NAME, account.website from contact limit 1"
	assert_output 200
	run body '.records[0] | keys_unsorted | join(",")'
	assert_output attributes,Id,Name,Account
	run body '.records[0].Account | keys_unsorted | join(",")'
	assert_output attributes,Website
}

@test "queryMore pages with nextRecordsUrl and honours Sforce-Query-Options batchSize" {
	sandbox_start --empty
	sb_login
	for k in 1 2 3; do
		recs=$(jq -cn --arg k "$k" '[range(150) | {attributes: {type: "Account"}, Name: "Acct \($k)-\(.)"}]')
		run sf POST /composite/sobjects -d "{\"records\":$recs}"
		assert_output 200
	done
	run sf GET /query -G --data-urlencode "q=SELECT Name FROM Account ORDER BY Name" -H 'Sforce-Query-Options: batchSize=200'
	assert_output 200
	run body '[.totalSize, .done, (.records | length), (.nextRecordsUrl | test("^/services/data/v60.0/query/01g[0-9A-Za-z]{15}-200$"))] | map(tostring) | join(",")'
	assert_output 450,false,200,true
	names=$(body '[.records[].Name]')
	next=$(body .nextRecordsUrl)
	run curl -sS -H "Authorization: Bearer $SB_TOKEN" "$SB_URL$next"
	echo "$output" > p2.json
	next=$(jq -r .nextRecordsUrl p2.json)
	run curl -sS -H "Authorization: Bearer $SB_TOKEN" "$SB_URL$next"
	echo "$output" > p3.json
	run jq -r '[.done, (.records | length), (has("nextRecordsUrl"))] | map(tostring) | join(",")' p3.json
	assert_output true,50,false
	all=$(jq -s --argjson a "$names" '$a + [.[].records[].Name] | unique | length' p2.json p3.json)
	assert_equal "$all" 450
	# Out-of-range batch sizes are clamped; a bad locator is refused.
	run sf GET /query -G --data-urlencode "q=SELECT Id FROM Account" -H 'Sforce-Query-Options: batchSize=5'
	assert_equal "$(body '.records | length')" 200
	run sf GET /query/01gXXXXXXXXXXXXXXX-200
	assert_output 400
	assert_equal "$(body '.[0].errorCode')" INVALID_QUERY_LOCATOR
}

@test "WHERE has AND, OR, NOT and parentheses, but AND and OR never mixed bare" {
	sandbox_start
	sb_login
	soql "SELECT COUNT() FROM Opportunity WHERE StageName = 'Closed Won'" > /dev/null
	won=$(body .totalSize)
	soql "SELECT COUNT() FROM Opportunity WHERE StageName = 'Closed Lost'" > /dev/null
	lost=$(body .totalSize)
	soql "SELECT COUNT() FROM Opportunity" > /dev/null
	all=$(body .totalSize)
	run soql "SELECT COUNT() FROM Opportunity WHERE (StageName = 'Closed Won' OR StageName = 'Closed Lost') AND Amount > 0"
	assert_equal "$(body .totalSize)" $((won + lost))
	run soql "SELECT COUNT() FROM Opportunity WHERE NOT (StageName = 'Closed Won' OR StageName = 'Closed Lost')"
	assert_equal "$(body .totalSize)" $((all - won - lost))
	run soql "SELECT COUNT() FROM Opportunity WHERE IsClosed = true AND IsWon = false"
	assert_equal "$(body .totalSize)" "$lost"
	run soql "SELECT Id FROM Opportunity WHERE StageName = 'Closed Won' AND Amount > 1 OR Amount < 5"
	assert_output 400
	run body '.[0] | .errorCode, (.message | test("unexpected token: .OR."))'
	assert_output $'MALFORMED_QUERY\ntrue'
}

@test "comparison, IN, NOT IN, LIKE and null behave like SOQL" {
	sandbox_start --empty
	sb_login
	recs='[{"attributes":{"type":"Account"},"Name":"Alpha Co","NumberOfEmployees":10,"Industry":"Retail"},
	{"attributes":{"type":"Account"},"Name":"Beta_Co","NumberOfEmployees":20},
	{"attributes":{"type":"Account"},"Name":"gamma 100%","NumberOfEmployees":30,"Industry":"Energy"}]'
	run sf POST /composite/sobjects -d "{\"records\":$recs}"
	q() { soql "$1" > /dev/null; body '[.records[].Name] | join(",")'; }
	run q "SELECT Name FROM Account WHERE NumberOfEmployees >= 20 ORDER BY Name"
	assert_output "Beta_Co,gamma 100%"
	run q "SELECT Name FROM Account WHERE NumberOfEmployees < 20 OR NumberOfEmployees > 25 ORDER BY Name"
	assert_output "Alpha Co,gamma 100%"
	run q "SELECT Name FROM Account WHERE NumberOfEmployees <= 20 AND NumberOfEmployees != 10"
	assert_output "Beta_Co"
	run q "SELECT Name FROM Account WHERE Industry IN ('retail', 'Energy') ORDER BY Name"
	assert_output "Alpha Co,gamma 100%"
	run q "SELECT Name FROM Account WHERE Industry NOT IN ('Retail')"
	assert_output "Beta_Co,gamma 100%"
	run q "SELECT Name FROM Account WHERE Industry = null"
	assert_output "Beta_Co"
	run q "SELECT Name FROM Account WHERE Industry != null ORDER BY Name DESC"
	assert_output "gamma 100%,Alpha Co"
	run q "SELECT Name FROM Account WHERE Name LIKE 'a%'"
	assert_output "Alpha Co"
	run q "SELECT Name FROM Account WHERE Name LIKE 'Beta\\_C_'"
	assert_output "Beta_Co"
	run q "SELECT Name FROM Account WHERE Name LIKE '%100\\%'"
	assert_output "gamma 100%"
	run q "SELECT Name FROM Account WHERE Name = 'ALPHA CO'"
	assert_output "Alpha Co"
}

@test "semi-joins filter by Id against a subquery" {
	sandbox_start
	sb_login
	run soql "SELECT Id FROM Contact WHERE Id IN (SELECT ContactId FROM OpportunityContactRole WHERE Role = 'Economic Buyer')"
	n=$(body .totalSize)
	[ "$n" -ge 1 ]
	run soql "SELECT ContactId FROM OpportunityContactRole WHERE Role = 'Economic Buyer'"
	assert_equal "$(body '[.records[].ContactId] | unique | length')" "$n"
	run soql "SELECT Id FROM Contact WHERE Id IN (SELECT Role FROM OpportunityContactRole)"
	assert_output 400
	assert_equal "$(body '.[0].errorCode')" MALFORMED_QUERY
}

@test "date and datetime literals, and relative ones, follow the org's day" {
	sandbox_start --empty
	sb_login
	mk() { echo "{\"attributes\":{\"type\":\"Opportunity\"},\"Name\":\"$1\",\"StageName\":\"Prospecting\",\"CloseDate\":\"$2\"}"; }
	recs="[$(mk past 2026-10-01),$(mk yesterday 2026-11-25),$(mk today 2026-11-26),$(mk soon 2026-12-03),$(mk next-year 2027-03-01)]"
	run sf POST /composite/sobjects -d "{\"records\":$recs}"
	q() { soql "SELECT Name FROM Opportunity WHERE $1 ORDER BY CloseDate" > /dev/null; body '[.records[].Name] | join(",")'; }
	run q "CloseDate = TODAY"
	assert_output today
	run q "CloseDate = YESTERDAY"
	assert_output yesterday
	run q "CloseDate > TODAY"
	assert_output soon,next-year
	run q "CloseDate < TODAY"
	assert_output past,yesterday
	run q "CloseDate = LAST_N_DAYS:7"
	assert_output yesterday,today
	run q "CloseDate = NEXT_N_DAYS:30"
	assert_output soon
	run q "CloseDate = THIS_YEAR"
	assert_output past,yesterday,today,soon
	run q "CloseDate = NEXT_YEAR"
	assert_output next-year
	run q "CloseDate = THIS_MONTH"
	assert_output yesterday,today
	run q "CloseDate >= 2026-11-26 AND CloseDate <= 2026-12-31"
	assert_output today,soon
	run q "CreatedDate = TODAY"
	assert_output past,yesterday,today,soon,next-year
	run q "CreatedDate > 2026-11-25T23:59:59Z"
	assert_output past,yesterday,today,soon,next-year
	run q "CreatedDate < 2026-11-26T00:00:00+01:00"
	assert_output ""
	# A date literal on a datetime field (and the other way round) is refused.
	run soql "SELECT Id FROM Opportunity WHERE CreatedDate > 2026-11-01"
	assert_output 400
	run soql "SELECT Id FROM Opportunity WHERE CloseDate = '2026-11-26'"
	assert_output 400
}

@test "ORDER BY several fields with NULLS FIRST/LAST, LIMIT and OFFSET" {
	sandbox_start --empty
	sb_login
	recs='[{"attributes":{"type":"Account"},"Name":"A","Industry":"Retail","NumberOfEmployees":3},
	{"attributes":{"type":"Account"},"Name":"B","NumberOfEmployees":1},
	{"attributes":{"type":"Account"},"Name":"C","Industry":"Retail","NumberOfEmployees":2},
	{"attributes":{"type":"Account"},"Name":"D","Industry":"Energy","NumberOfEmployees":2}]'
	run sf POST /composite/sobjects -d "{\"records\":$recs}"
	q() { soql "$1" > /dev/null; body '[.records[].Name] | join(",")'; }
	run q "SELECT Name FROM Account ORDER BY Industry, NumberOfEmployees DESC"
	assert_output B,D,A,C
	run q "SELECT Name FROM Account ORDER BY Industry NULLS LAST, Name DESC"
	assert_output D,C,A,B
	run q "SELECT Name FROM Account ORDER BY Industry DESC NULLS FIRST"
	assert_output B,A,C,D
	run q "SELECT Name FROM Account ORDER BY Name LIMIT 2 OFFSET 1"
	assert_output B,C
	run q "SELECT Name FROM Account ORDER BY Name OFFSET 3"
	assert_output D
	run soql "SELECT COUNT() FROM Account WHERE Industry = 'Retail'"
	assert_equal "$(body '[.totalSize, (.records | length)] | join(",")')" 2,0
	run soql "SELECT Name FROM Account OFFSET 2001"
	assert_output 400
}

@test "anything outside the subset is refused, never answered wrongly" {
	sandbox_start
	sb_login
	for q in "SELECT Name FROM Account GROUP BY Name" "SELECT COUNT(Id) FROM Account" "SELEC Id FROM Account" \
		"SELECT Id FROM Account WHERE" "SELECT Id FROM Account WHERE Name = 'unterminated" \
		"SELECT Id FROM Account WITH SECURITY_ENFORCED" "SELECT Id FROM Account FOR UPDATE" \
		"SELECT Id, FROM Account" "SELECT Id FROM Account WHERE Name INCLUDES ('a')" \
		"SELECT Id FROM Account WHERE NumberOfEmployees = 5 )" "SELECT Id FROM Account LIMIT -1"; do
		run soql "$q"
		assert_output 400
		assert_equal "$(body '.[0].errorCode')" MALFORMED_QUERY
	done
	run soql "SELECT Bogus FROM Account"
	assert_output 400
	run body '.[0] | .errorCode, (.message | test("No such column .Bogus. on entity .Account."))'
	assert_output $'INVALID_FIELD\ntrue'
	run soql "SELECT Id FROM Gizmo"
	assert_equal "$(body '.[0].errorCode')" INVALID_TYPE
	run soql "SELECT Id, Nope.Name FROM Contact"
	assert_equal "$(body '.[0].errorCode')" INVALID_FIELD
	run soql "SELECT Id, (SELECT Id FROM Widgets) FROM Account"
	assert_equal "$(body '.[0].errorCode')" INVALID_TYPE
	run soql "SELECT Id FROM Opportunity WHERE Amount = '5'"
	assert_equal "$(body '.[0].errorCode')" INVALID_FIELD
	run soql "SELECT Id FROM Opportunity WHERE Id = 'not-an-id'"
	assert_output 400
	# absurd input: deep nesting and a very long query
	deep="SELECT Id FROM Account WHERE $(printf '(%.0s' $(seq 200))Name = 'x'$(printf ')%.0s' $(seq 200))"
	run soql "$deep"
	assert_output 400
	echo "SELECT Id FROM Account WHERE Name IN ($(printf "'%05d'," $(seq 20000))'x')" > long.soql
	# Too long for a URL, as with the real API: 414, and the server carries on.
	run sf GET /query -G --data-urlencode "q@long.soql"
	assert_output 414
	run sf GET /limits
	assert_output 200
	run sf GET /query
	assert_output 400
}

@test "polymorphic What and Who resolve to the record's own object" {
	sandbox_start
	sb_login
	opp=$(first "SELECT Id FROM Opportunity LIMIT 1")
	acct=$(first "SELECT Id FROM Account LIMIT 1")
	con=$(first "SELECT Id FROM Contact LIMIT 1")
	run sf POST /sobjects/Task -d "{\"Subject\":\"a\",\"Status\":\"Completed\",\"Priority\":\"Normal\",\"WhatId\":\"$opp\",\"WhoId\":\"$con\"}"
	run sf POST /sobjects/Task -d "{\"Subject\":\"b\",\"Status\":\"Completed\",\"Priority\":\"Normal\",\"WhatId\":\"$acct\"}"
	run soql "SELECT Subject, What.Name, Who.Name FROM Task ORDER BY Subject"
	run body '[.records[] | [.What.attributes.type, (.Who.attributes.type // "none")] | join("/")] | join(",")'
	assert_output Opportunity/Contact,Account/none
}

# ---- single records ----

@test "create, read, update and delete one record with the real status codes" {
	sandbox_start
	sb_login
	opp=$(first "SELECT Id FROM Opportunity LIMIT 1")
	run sf POST /sobjects/Event -d "{\"Subject\":\"Discovery\",\"StartDateTime\":\"2026-11-20T15:00:00Z\",\"DurationInMinutes\":30,\"WhatId\":\"$opp\"}"
	assert_output 201
	id=$(body .id)
	assert_equal "$(body '[.success, .errors] | tostring')" '[true,[]]'
	run grep -i "^location: /services/data/v60.0/sobjects/Event/$id" "$BATS_TEST_TMPDIR/headers"
	assert_success
	[[ "$id" =~ ^00U[0-9A-Za-z]{15}$ ]]
	run sf GET "/sobjects/Event/$id?fields=Subject,EndDateTime"
	assert_output 200
	assert_equal "$(body '[.Subject, .EndDateTime] | join(",")')" "Discovery,2026-11-20T15:30:00.000+0000"
	# the 15-character form of the Id works too
	run sf GET "/sobjects/Event/${id:0:15}"
	assert_output 200
	assert_equal "$(body .Id)" "$id"
	run sf PATCH "/sobjects/Event/$id" -d '{"Subject":"Discovery (moved)","DurationInMinutes":60}'
	assert_output 204
	run sf GET "/sobjects/Event/$id"
	assert_equal "$(body '[.Subject, .EndDateTime] | join(",")')" "Discovery (moved),2026-11-20T16:00:00.000+0000"
	run sf POST "/sobjects/Event/$id?_HttpMethod=PATCH" -d '{"Location":"Zoom"}'
	assert_output 204
	run sf DELETE "/sobjects/Event/$id"
	assert_output 204
	run sf DELETE "/sobjects/Event/$id"
	assert_output 404
	assert_equal "$(body '.[0].errorCode')" ENTITY_IS_DELETED
	run sf GET "/sobjects/Event/$id"
	assert_output 404
	run sf GET "/sobjects/Task/$id"
	assert_output 404
	assert_equal "$(body '.[0].errorCode')" NOT_FOUND
}

@test "writes are validated like a real org" {
	sandbox_start
	sb_login
	opp=$(first "SELECT Id FROM Opportunity LIMIT 1")
	con=$(first "SELECT Id FROM Contact LIMIT 1")
	t() { run sf POST "/sobjects/$1" -d "$2"; assert_output 400; body '.[0] | [.errorCode, (.fields // [] | join("+"))] | join(" ")'; }
	run t Task '{"Subject":"x","Priority":"Normal"}'
	assert_output "REQUIRED_FIELD_MISSING Status"
	run t Task '{"Subject":"x","Status":"Done","Priority":"Normal"}'
	assert_output "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST Status"
	run t Opportunity '{"Name":"x","StageName":"Won-ish","CloseDate":"2026-12-01"}'
	assert_output "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST StageName"
	run t Opportunity '{"Name":"x","StageName":"Prospecting"}'
	assert_output "REQUIRED_FIELD_MISSING CloseDate"
	run t Contact '{"FirstName":"No"}'
	assert_output "REQUIRED_FIELD_MISSING LastName"
	run t Contact "{\"LastName\":\"$(printf 'x%.0s' $(seq 81))\"}"
	assert_output "STRING_TOO_LONG LastName"
	run t Contact '{"LastName":"x","Email":"not-an-email"}'
	assert_output "INVALID_EMAIL_ADDRESS Email"
	run t Event "{\"Subject\":\"$(printf 'x%.0s' $(seq 256))\",\"StartDateTime\":\"2026-11-20T15:00:00Z\",\"DurationInMinutes\":5}"
	assert_output "STRING_TOO_LONG Subject"
	run t Task '{"Subject":"x","Status":"Completed","Priority":"Normal","WhoId":"003abc"}'
	assert_output "MALFORMED_ID WhoId"
	run t Task "{\"Subject\":\"x\",\"Status\":\"Completed\",\"Priority\":\"Normal\",\"WhoId\":\"$opp\"}"
	assert_output "FIELD_INTEGRITY_EXCEPTION WhoId"
	run t Task '{"Subject":"x","Status":"Completed","Priority":"Normal","WhatId":"006000000000000AAA"}'
	assert_output "INVALID_CROSS_REFERENCE_KEY WhatId"
	run t Task '{"Subject":"x","Status":"Completed","Priority":"Normal","IsClosed":true}'
	assert_output "INVALID_FIELD_FOR_INSERT_UPDATE IsClosed"
	run t Task '{"Id":"00T000000000000AAA","Subject":"x"}'
	assert_output "INVALID_FIELD "
	run t Task '{"Subject":"x","Colour__c":"red"}'
	assert_output "INVALID_FIELD "
	run t Task '{"Subject":"x","Status":"Completed","Priority":"Normal","ActivityDate":"next week"}'
	assert_output "JSON_PARSER_ERROR "
	run t Event '{"Subject":"x","StartDateTime":"2026-11-20T15:00:00Z","DurationInMinutes":"long"}'
	assert_output "JSON_PARSER_ERROR "
	run t User '{"Username":"x@y.z","LastName":"x","Email":"x@y.z","TimeZoneSidKey":"UTC"}'
	assert_output "INVALID_TYPE_FOR_OPERATION "
	# The real error text, not just the code:
	run sf POST /sobjects/Contact -d '{"FirstName":"No"}'
	assert_equal "$(body '.[0].message')" "Required fields are missing: [LastName]"
	run sf POST /sobjects/Gizmo -d '{}'
	assert_output 404
}

@test "Event times: duration or end, in agreement, within a day" {
	sandbox_start
	sb_login
	t() { run sf POST /sobjects/Event -d "$1"; echo "$output $(body 'if type == "array" then .[0].errorCode else .success end')"; }
	run t '{"Subject":"x","StartDateTime":"2026-11-20T15:00:00Z"}'
	assert_output "400 REQUIRED_FIELD_MISSING"
	run t '{"Subject":"x","StartDateTime":"2026-11-20T15:00:00Z","EndDateTime":"2026-11-20T14:00:00Z"}'
	assert_output "400 FIELD_INTEGRITY_EXCEPTION"
	run t '{"Subject":"x","StartDateTime":"2026-11-20T15:00:00Z","EndDateTime":"2026-11-20T16:00:00Z","DurationInMinutes":30}'
	assert_output "400 FIELD_INTEGRITY_EXCEPTION"
	run t '{"Subject":"x","StartDateTime":"2026-11-20T15:00:00Z","DurationInMinutes":1441}'
	assert_output "400 FIELD_INTEGRITY_EXCEPTION"
	run t '{"Subject":"x","StartDateTime":"2026-11-20T15:00:00Z","EndDateTime":"2026-11-22T15:00:00Z"}'
	assert_output "400 FIELD_INTEGRITY_EXCEPTION"
	run t '{"Subject":"x","StartDateTime":"2026-11-20T15:00:00Z","EndDateTime":"2026-11-20T16:00:00Z","DurationInMinutes":60}'
	assert_output "201 true"
	run t '{"Subject":"x","StartDateTime":"2026-11-20T10:00:00-05:00","EndDateTime":"2026-11-20T10:45:00-05:00"}'
	assert_output "201 true"
	run sf GET "/sobjects/Event/$(body .id)"
	assert_equal "$(body '[.StartDateTime, .DurationInMinutes, .ActivityDate] | join(",")')" "2026-11-20T15:00:00.000+0000,45,2026-11-20"
	run t '{"Subject":"All day","IsAllDayEvent":true,"ActivityDate":"2026-11-21"}'
	assert_output "201 true"
}

@test "TaskSubtype is create-only and OpportunityId on a contact role cannot change" {
	sandbox_start
	sb_login
	opp=$(first "SELECT Id FROM Opportunity LIMIT 1")
	run sf POST /sobjects/Task -d '{"Subject":"Email: hi","Status":"Completed","Priority":"Normal","TaskSubtype":"Email"}'
	id=$(body .id)
	run sf PATCH "/sobjects/Task/$id" -d '{"TaskSubtype":"Call"}'
	assert_output 400
	assert_equal "$(body '.[0].errorCode')" INVALID_FIELD_FOR_INSERT_UPDATE
	ocr=$(first "SELECT Id FROM OpportunityContactRole LIMIT 1")
	run sf PATCH "/sobjects/OpportunityContactRole/$ocr" -d "{\"OpportunityId\":\"$opp\"}"
	assert_output 400
}

@test "one primary contact role per opportunity" {
	sandbox_start
	sb_login
	soql "SELECT OpportunityId FROM OpportunityContactRole WHERE IsPrimary = true LIMIT 1" > /dev/null
	opp=$(body '.records[0].OpportunityId')
	con=$(first "SELECT Id FROM Contact LIMIT 1")
	run sf POST /sobjects/OpportunityContactRole -d "{\"OpportunityId\":\"$opp\",\"ContactId\":\"$con\",\"Role\":\"Influencer\",\"IsPrimary\":true}"
	assert_output 201
	new=$(body .id)
	run soql "SELECT Id FROM OpportunityContactRole WHERE OpportunityId = '$opp' AND IsPrimary = true"
	assert_equal "$(body '[.records[].Id] | join(",")')" "$new"
}

@test "deleting a record deletes what hangs from it" {
	sandbox_start
	sb_login
	soql "SELECT OpportunityId FROM OpportunityContactRole LIMIT 1" > /dev/null
	opp=$(body '.records[0].OpportunityId')
	con=$(first "SELECT Id FROM Contact LIMIT 1")
	run sf POST /sobjects/Event -d "{\"Subject\":\"m\",\"StartDateTime\":\"2026-11-20T15:00:00Z\",\"DurationInMinutes\":30,\"WhatId\":\"$opp\"}"
	ev=$(body .id)
	run sf POST /sobjects/EventRelation -d "{\"EventId\":\"$ev\",\"RelationId\":\"$con\"}"
	assert_output 201
	run sf DELETE "/sobjects/Opportunity/$opp"
	assert_output 204
	for q in "SELECT COUNT() FROM OpportunityContactRole WHERE OpportunityId = '$opp'" \
		"SELECT COUNT() FROM Event WHERE WhatId = '$opp'" "SELECT COUNT() FROM EventRelation WHERE EventId = '$ev'"; do
		run soql "$q"
		assert_equal "$(body .totalSize)" 0
	done
	run sf GET "/sobjects/Contact/$con"
	assert_output 200
}

@test "requests that are not JSON get the real error shapes" {
	sandbox_start
	sb_login
	run sf POST /sobjects/Account -d '{"Name": '
	assert_output 400
	assert_equal "$(body '.[0].errorCode')" JSON_PARSER_ERROR
	run sf POST /sobjects/Account -d ''
	assert_output 400
	run curl -sS -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $SB_TOKEN" -H 'Content-Type: text/plain' \
		-d 'Name=x' "$SB_URL/services/data/v60.0/sobjects/Account"
	assert_output 415
	run sf POST /sobjects/Account -d '[1,2]'
	assert_output 400
	run sf PUT /sobjects/Account/001000000000000AAA -d '{}'
	assert_output 404
	run sf GET /nowhere
	assert_output 404
	assert_equal "$(body '.[0].errorCode')" NOT_FOUND
}

@test "a body over the limit gets 413 and the server carries on" {
	sandbox_start
	sb_login
	head -c 52428900 /dev/zero | tr '\0' 'a' > big.json
	run sf POST /sobjects/Account --data-binary @big.json
	assert_output 413
	run sf GET /limits
	assert_output 200
}

# ---- sObject Collections ----

@test "Collections create mixed records with per-record results, allOrNone false" {
	sandbox_start
	sb_login
	opp=$(first "SELECT Id FROM Opportunity LIMIT 1")
	recs="[{\"attributes\":{\"type\":\"Event\"},\"Subject\":\"ok\",\"StartDateTime\":\"2026-11-20T15:00:00Z\",\"DurationInMinutes\":30,\"WhatId\":\"$opp\"},
	{\"attributes\":{\"type\":\"Task\"},\"Subject\":\"no status\",\"Priority\":\"Normal\"},
	{\"attributes\":{\"type\":\"Task\"},\"Subject\":\"ok\",\"Status\":\"Completed\",\"Priority\":\"Normal\",\"TaskSubtype\":\"Email\"}]"
	run sf POST /composite/sobjects -d "{\"allOrNone\":false,\"records\":$recs}"
	assert_output 200
	run body '[.[] | if .success then (.id[0:3]) else .errors[0].statusCode end] | join(",")'
	assert_output 00U,REQUIRED_FIELD_MISSING,00T
	run body '.[1] | has("id"), (.errors[0] | keys | join(","))'
	assert_output $'false\nfields,message,statusCode'
}

@test "Collections with allOrNone true roll everything back" {
	sandbox_start --empty
	sb_login
	recs='[{"attributes":{"type":"Account"},"Name":"One"},{"attributes":{"type":"Contact"}},{"attributes":{"type":"Account"},"Name":"Three"}]'
	run sf POST /composite/sobjects -d "{\"allOrNone\":true,\"records\":$recs}"
	assert_output 200
	run body '[.[] | .errors[0].statusCode] | join(",")'
	assert_output ALL_OR_NONE_OPERATION_ROLLED_BACK,REQUIRED_FIELD_MISSING,ALL_OR_NONE_OPERATION_ROLLED_BACK
	run soql "SELECT COUNT() FROM Account"
	assert_equal "$(body .totalSize)" 0
}

@test "Collections refuse over 200 records, more than 10 chunks, and records without a type" {
	sandbox_start --empty
	sb_login
	recs=$(jq -cn '[range(201) | {attributes: {type: "Account"}, Name: "A\(.)"}]')
	run sf POST /composite/sobjects -d "{\"records\":$recs}"
	assert_output 400
	assert_equal "$(body '.[0].errorCode')" EXCEEDED_ID_LIMIT
	recs=$(jq -cn '[range(11) | {attributes: {type: (if . % 2 == 0 then "Account" else "Contact" end)}, Name: "A", LastName: "B"} | if .attributes.type == "Account" then del(.LastName) else del(.Name) end]')
	run sf POST /composite/sobjects -d "{\"records\":$recs}"
	assert_output 400
	assert_equal "$(body '.[0].errorCode')" EXCEEDED_MAX_TYPES_LIMIT
	run sf POST /composite/sobjects -d '{"records":[{"Name":"untyped"}]}'
	assert_output 400
	run sf POST /composite/sobjects -d '{"records":[{"attributes":{"type":"Account"},"Name":"x","Bogus":1}]}'
	assert_output 400
	assert_equal "$(body '.[0].errorCode')" INVALID_FIELD
	run soql "SELECT COUNT() FROM Account"
	assert_equal "$(body .totalSize)" 0
}

@test "Collections update and delete, with per-item results in order" {
	sandbox_start --empty
	sb_login
	recs='[{"attributes":{"type":"Account"},"Name":"One"},{"attributes":{"type":"Account"},"Name":"Two"}]'
	run sf POST /composite/sobjects -d "{\"records\":$recs}"
	a=$(body '.[0].id')
	b=$(body '.[1].id')
	run sf PATCH /composite/sobjects -d "{\"allOrNone\":false,\"records\":[{\"attributes\":{\"type\":\"Account\"},\"id\":\"$a\",\"Name\":\"Uno\"},{\"attributes\":{\"type\":\"Account\"},\"Name\":\"no id\"}]}"
	assert_output 200
	assert_equal "$(body '[.[] | .success] | join(",")')" true,false
	assert_equal "$(body '.[1].errors[0].statusCode')" MISSING_ARGUMENT
	run sf GET "/sobjects/Account/$a"
	assert_equal "$(body .Name)" Uno
	run sf DELETE "/composite/sobjects?ids=$a,$b,001bad&allOrNone=false"
	assert_output 200
	run body '[.[] | if .success then "ok" else .errors[0].statusCode end] | join(",")'
	assert_output ok,ok,MALFORMED_ID
	run sf DELETE "/composite/sobjects?ids=$a"
	assert_equal "$(body '.[0].errors[0].statusCode')" ENTITY_IS_DELETED
	run sf DELETE "/composite/sobjects"
	assert_output 400
	assert_equal "$(body '.[0].errorCode')" REQUIRED_FIELD_MISSING
}

@test "16 clients writing at once: nothing lost, nothing duplicated" {
	sandbox_start --empty
	sb_login
	for c in $(seq 16); do
		jq -cn --arg c "$c" '{records: [range(200) | {attributes: {type: "Account"}, Name: "C\($c)-\(.)"}]}' > "req$c.json"
	done
	pids=()
	for c in $(seq 16); do
		curl -sS -o "res$c.json" -X POST -H "Authorization: Bearer $SB_TOKEN" -H 'Content-Type: application/json' \
			--data-binary "@req$c.json" "$SB_URL/services/data/v60.0/composite/sobjects" &
		pids+=($!)
	done
	wait "${pids[@]}"
	run jq -s '[.[][] | select(.success) | .id] | [length, (unique | length)] | join(",")' res*.json
	assert_output '"3200,3200"'
	run soql "SELECT COUNT() FROM Account"
	assert_equal "$(body .totalSize)" 3200
	run admin GET stats
	run jq -r '.requests["collections.create"], .records.Account' <<< "$output"
	assert_output $'16\n3200'
}

# ---- Bulk API 2.0 ----

# bulk_job OBJECT OPERATION CSV: runs a whole ingest job; leaves its id in JOB.
bulk_job() {
	run sf POST /jobs/ingest -d "{\"object\":\"$1\",\"operation\":\"$2\",\"contentType\":\"CSV\",\"lineEnding\":\"LF\"}"
	assert_output 200
	JOB=$(body .id)
	assert_equal "$(body .state)" Open
	run curl -sS -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $SB_TOKEN" -H 'Content-Type: text/csv' \
		--data-binary "@$3" "$SB_URL/$(body .contentUrl)"
	assert_output 201
	run sf PATCH "/jobs/ingest/$JOB" -d '{"state":"UploadComplete"}'
	assert_output 200
	for i in 1 2 3 4 5; do
		sf GET "/jobs/ingest/$JOB" > /dev/null
		state=$(body .state)
		[ "$state" = JobComplete ] || [ "$state" = Failed ] && break
	done
}

@test "Bulk API 2.0 insert: open, upload, close, poll, results" {
	sandbox_start
	sb_login
	opp=$(first "SELECT Id FROM Opportunity LIMIT 1")
	{
		echo 'Subject,StartDateTime,DurationInMinutes,WhatId,Description'
		echo "\"Call, with comma\",2026-11-20T15:00:00Z,30,$opp,\"said \"\"hi\"\"\""
		echo "Bad,2026-11-20T15:00:00Z,,$opp,"
		echo "Plain,2026-11-21T15:00:00Z,45,$opp,#N/A"
	} > events.csv
	bulk_job Event insert events.csv
	assert_equal "$state" JobComplete
	assert_equal "$(body '[.numberRecordsProcessed, .numberRecordsFailed, .jobType] | join(",")')" 3,1,V2Ingest
	run sf GET "/jobs/ingest/$JOB/successfulResults/"
	assert_output 200
	run head -1 "$BATS_TEST_TMPDIR/body"
	assert_output '"sf__Id","sf__Created","Subject","StartDateTime","DurationInMinutes","WhatId","Description"'
	run grep -c '"true"' "$BATS_TEST_TMPDIR/body"
	assert_output 2
	run sf GET "/jobs/ingest/$JOB/failedResults/"
	run grep -c REQUIRED_FIELD_MISSING "$BATS_TEST_TMPDIR/body"
	assert_output 1
	run soql "SELECT Subject, Description FROM Event WHERE Subject = 'Call, with comma'"
	assert_equal "$(body '.records[0].Description')" 'said "hi"'
}

@test "Bulk API 2.0 delete, and jobs that must fail" {
	sandbox_start --empty
	sb_login
	recs='[{"attributes":{"type":"Account"},"Name":"One"},{"attributes":{"type":"Account"},"Name":"Two"}]'
	run sf POST /composite/sobjects -d "{\"records\":$recs}"
	{ echo Id; body '.[].id'; } > ids.csv
	bulk_job Account delete ids.csv
	assert_equal "$state" JobComplete
	run soql "SELECT COUNT() FROM Account"
	assert_equal "$(body .totalSize)" 0
	printf 'Name,Nope\nx,y\n' > bad.csv
	bulk_job Account insert bad.csv
	assert_equal "$state" Failed
	assert_equal "$(body .errorMessage)" "InvalidBatch : Field name not found : Nope"
	printf 'Name\r\nx\r\n' > crlf.csv
	bulk_job Account insert crlf.csv
	assert_equal "$state" Failed
	run sf POST /jobs/ingest -d '{"object":"Account","operation":"upsert"}'
	assert_output 400
	run sf POST /jobs/ingest -d '{"object":"Gizmo","operation":"insert"}'
	assert_output 400
}

# ---- faults ----

@test "--latency delays every data call" {
	sandbox_start --latency 300
	sb_login
	start=$(date +%s%N)
	run sf GET /limits
	elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
	assert_output 200
	[ "$elapsed" -ge 300 ]
}

@test "--fault unavailable@N answers 503 SERVER_UNAVAILABLE on the Nth call only" {
	sandbox_start --fault unavailable@2
	sb_login
	run sf GET /limits
	assert_output 200
	run sf GET /limits
	assert_output 503
	assert_equal "$(body)" '[{"message":"Server Unavailable","errorCode":"SERVER_UNAVAILABLE"}]'
	run sf GET /limits
	assert_output 200
}

@test "--fault lock and html500 give UNABLE_TO_LOCK_ROW and an HTML 500" {
	sandbox_start --fault lock@1 --fault html500@2
	sb_login
	run sf GET /limits
	assert_output 400
	assert_equal "$(body '.[0].errorCode')" UNABLE_TO_LOCK_ROW
	run sf GET /limits
	assert_output 500
	run grep -ci '^content-type: text/html' "$BATS_TEST_TMPDIR/headers"
	assert_output 1
	run grep -c '<html>' "$BATS_TEST_TMPDIR/body"
	assert_output 1
}

@test "--fault KIND%P fails about P percent of calls, the same ones for the same seed" {
	sandbox_start --fault unavailable%30 --seed 5
	sb_login
	a=$(for i in $(seq 40); do sf GET /limits; echo; done | tr '\n' ' ')
	sandbox_stop
	sandbox_start --fault unavailable%30 --seed 5
	sb_login
	b=$(for i in $(seq 40); do sf GET /limits; echo; done | tr '\n' ' ')
	assert_equal "$a" "$b"
	n=$(grep -o 503 <<< "$a" | wc -l)
	[ "$n" -ge 4 ] && [ "$n" -le 24 ]
}

@test "--daily-limit stops calls with 403 REQUEST_LIMIT_EXCEEDED" {
	sandbox_start --daily-limit 3
	sb_login
	for i in 1 2 3; do
		run sf GET /limits
		assert_output 200
	done
	run sf GET /limits
	assert_output 403
	assert_equal "$(body)" '[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]'
	run grep -i '^sforce-limit-info' "$BATS_TEST_TMPDIR/headers"
	assert_output --partial "api-usage=3/3"
}

@test "--fail-when refuses records with a value, with an optional error code" {
	sandbox_start --fail-when Subject=BOOM --fail-when Name=Locked:UNABLE_TO_LOCK_ROW
	sb_login
	recs='[{"attributes":{"type":"Task"},"Subject":"fine","Status":"Completed","Priority":"Normal"},
	{"attributes":{"type":"Task"},"Subject":"BOOM","Status":"Completed","Priority":"Normal"},
	{"attributes":{"type":"Account"},"Name":"Locked"}]'
	run sf POST /composite/sobjects -d "{\"records\":$recs}"
	run body '[.[] | if .success then "ok" else .errors[0].statusCode + ":" + (.errors[0].fields | join("")) end] | join(",")'
	assert_output ok,FIELD_CUSTOM_VALIDATION_EXCEPTION:Subject,UNABLE_TO_LOCK_ROW:Name
}

@test "/_sandbox/faults changes faults at run time and /_sandbox/stats counts calls" {
	sandbox_start
	sb_login
	run admin POST faults -H 'Content-Type: application/json' -d '{"faults":["unavailable@2"],"fail_when":["Name=X"],"daily_limit":50}'
	run jq -c '[.faults, .fail_when, .daily_limit]' <<< "$output"
	assert_output '[["unavailable@2"],["Name=X:FIELD_CUSTOM_VALIDATION_EXCEPTION"],50]'
	run sf GET /limits
	assert_output 200
	run sf GET /limits
	assert_output 503
	run soql "SELECT Id FROM Account LIMIT 1"
	run admin GET stats
	run jq -c '[.requests.limits, .requests.query, .api_usage, .faults_injected, (.records.Account > 0)]' <<< "$output"
	assert_output '[1,1,3,1,true]'
	run admin DELETE stats -o /dev/null -w '%{http_code}'
	assert_output 204
	run admin POST faults -H 'Content-Type: application/json' -d '{"faults":["nope"]}'
	assert_output --partial INVALID_FIELD
}

@test "the admin endpoints need a session of the org and survive bad bodies" {
	sandbox_start
	for p in stats faults; do
		run curl -sS -o /dev/null -w '%{http_code}' "$SB_URL/_sandbox/$p"
		assert_output 401
		run curl -sS -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer 00Dnotatoken' -X POST \
			-H 'Content-Type: application/json' -d '{"latency_ms":1}' "$SB_URL/_sandbox/$p"
		assert_output 401
	done
	before=$(admin GET faults)
	for b in '{"fail_when":["=x"]}' '{"fail_when":["a b=x"]}' '{"fail_when":[1]}' '{"fail_when":"Name=X"}' \
		'{"latency_ms":1e300}' '{"latency_ms":-1}' '{"latency_ms":1.5}' '{"latency_ms":"5"}' '{"daily_limit":1e300}' \
		'{"expire_after":null}' '{"faults":["lock%nan"]}' '{"faults":"lock"}' '{"faults":["lock"],"latency_ms":-5}' \
		'{"nonsense":1}' '[1,2]' '"x"' '{' ''; do
		run admin POST faults -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d "$b"
		assert_output 400
		kill -0 "$SB_PID"
	done
	# nothing of a refused body was applied
	assert_equal "$(admin GET faults)" "$before"
	# the sandbox still answers, and a token its fault injection expired still reaches the admin endpoints
	admin POST faults -H 'Content-Type: application/json' -d '{"expire_after":1}' > /dev/null
	sb_login
	run sf GET /limits
	assert_output 200
	run sf GET /limits
	assert_output 401
	SB_ADMIN=$SB_TOKEN run admin GET stats
	assert_output --partial '"api_usage"'
}

@test "a YAML alias bomb or a second document in --schema is refused at once" {
	{
		echo 'a: &a ["x","x","x","x","x","x","x","x","x"]'
		prev=a
		for n in b c d e f g h i; do
			echo "$n: &$n [*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev]"
			prev=$n
		done
	} > bomb.yaml
	run timeout 10 dg-sandbox --schema bomb.yaml
	assert_failure 2
	assert_output --partial 'bomb.yaml:1:1: its aliases expand to more than'
	printf 'objects: {}\n---\nobjects: {}\n' > two.yaml
	run timeout 10 dg-sandbox --schema two.yaml
	assert_failure 2
	assert_output --partial 'two.yaml:3:1: a second YAML document'
}

@test "numbers out of range: 1e300 on a number field is refused per record, on an integer field for the whole request" {
	sandbox_start
	sb_login
	acct=$(first "SELECT Id FROM Account LIMIT 1")
	run sf POST /composite/sobjects -d '{"allOrNone":false,"records":[{"attributes":{"type":"Opportunity"},"Name":"x","StageName":"Prospecting","CloseDate":"2026-12-01","Amount":1e300,"AccountId":"'"$acct"'"}]}'
	assert_output 200
	assert_equal "$(body '.[0].errors[0].statusCode')" NUMBER_OUTSIDE_VALID_RANGE
	run sf POST /composite/sobjects -d '{"allOrNone":false,"records":[{"attributes":{"type":"Event"},"Subject":"x","StartDateTime":"2026-12-01T10:00:00Z","DurationInMinutes":1e300}]}'
	assert_output 400
	assert_equal "$(body '.[0].errorCode')" JSON_PARSER_ERROR
}

@test "Enhanced Email: an EmailMessage makes its closed Task on RelatedToId (ActivityId); relations per participant; deleting it deletes the Task" {
	sandbox_start
	sb_login
	opp=$(first "SELECT Id FROM Opportunity LIMIT 1")
	con=$(first "SELECT Id FROM Contact LIMIT 1")
	run sf POST /sobjects/EmailMessage -d "{\"Subject\":\"Pilot plan\",\"TextBody\":\"Hi\",\"FromAddress\":\"ana@acme.com\",\"FromName\":\"Ana\",\"ToAddress\":\"rep@northwind.example\",\"MessageDate\":\"2026-11-20T15:00:00Z\",\"Incoming\":true,\"Status\":\"1\",\"RelatedToId\":\"$opp\"}"
	assert_output 201
	em=$(body .id)
	run sf GET "/sobjects/EmailMessage/$em"
	tk=$(body .ActivityId)
	[[ "$tk" == 00T* ]]
	run sf GET "/sobjects/Task/$tk"
	assert_equal "$(body '[.Subject, .TaskSubtype, .IsClosed, .WhatId, .ActivityDate] | map(tostring) | join("|")')" "Email: Pilot plan|Email|true|$opp|2026-11-20"
	run sf POST /sobjects/EmailMessageRelation -d "{\"EmailMessageId\":\"$em\",\"RelationId\":\"$con\",\"RelationType\":\"FromAddress\",\"RelationAddress\":\"ana@acme.com\"}"
	assert_output 201
	run sf POST /sobjects/EmailMessageRelation -d "{\"EmailMessageId\":\"$em\",\"RelationId\":\"$con\",\"RelationType\":\"Sender\"}"
	assert_output 400
	assert_equal "$(body '.[0].errorCode')" INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST
	# no recipient at all is refused
	run sf POST /sobjects/EmailMessage -d "{\"Subject\":\"x\",\"Status\":\"3\",\"RelatedToId\":\"$opp\"}"
	assert_output 400
	assert_equal "$(body '.[0].errorCode')" REQUIRED_FIELD_MISSING
	run sf DELETE "/sobjects/EmailMessage/$em"
	assert_output 204
	run sf GET "/sobjects/Task/$tk"
	assert_output 404
	soql "SELECT COUNT() FROM EmailMessageRelation WHERE EmailMessageId = '$em'" > /dev/null
	assert_equal "$(body .totalSize)" 0
}

@test "dg's fields and objects as a Salesforce DX source folder: share/dg/salesforce is what the sandbox's own schema exports" {
	run dg-sandbox --export-sfdx out
	assert_success
	run diff -r out "$TOP/share/dg/salesforce"
	assert_success
	assert_equal "$(ls out/force-app/main/default/objects | tr '\n' ' ')" "Activity Contact DG_Lock__c DG_Scorecard__c EmailMessage Opportunity OpportunityContactRole "
	grep -q '<field>Activity.DG_Tag__c</field>' out/force-app/main/default/permissionsets/DG_Writer.permissionset-meta.xml
	grep -q '<type>MasterDetail</type>' out/force-app/main/default/objects/DG_Scorecard__c/fields/Opportunity__c.field-meta.xml
	run dg-sandbox --export-sfdx /proc/nope
	assert_failure 1
	assert_output --partial "cannot write '/proc/nope/sfdx-project.json'"
}

@test "an org read a record at a time (--keep-parsed 0) answers every kind of query as one kept parsed" {
	queries=(
		"SELECT Id, Name, Account.Name, CloseDate FROM Opportunity WHERE IsClosed = false ORDER BY CloseDate DESC, Id LIMIT 7 OFFSET 2"
		"SELECT Id, Name, (SELECT ContactId, Role FROM OpportunityContactRoles) FROM Opportunity ORDER BY Name LIMIT 5"
		"SELECT Id, Email FROM Contact WHERE AccountId IN (SELECT AccountId FROM Opportunity WHERE IsClosed = false) ORDER BY Email LIMIT 40"
		"SELECT COUNT() FROM Contact"
		"SELECT Id, Name FROM Contact"
		"SELECT Id, Name FROM Account LIMIT 3"
		"SELECT Id, LastName FROM Contact WHERE LastName LIKE 'C%' ORDER BY LastName, Id"
	)
	# answers: every query, queryMore pages followed, the bodies one per line
	answers() {
		sb_login
		local opps
		opps=$(soql "SELECT Id FROM Opportunity ORDER BY Id LIMIT 3" > /dev/null && body '[.records[].Id] | map("'"'"'\(.)'"'"'") | join(", ")')
		for q in "${queries[@]}" "SELECT Id, AccountId FROM Opportunity WHERE Id IN ($opps)" \
			"SELECT Id FROM OpportunityContactRole WHERE OpportunityId IN ($opps) AND IsPrimary = true"; do
			soql "$q" > /dev/null
			body 'del(.nextRecordsUrl)'
			local next
			next=$(body '.nextRecordsUrl // empty')
			while [ -n "$next" ]; do
				sf GET "${next#/services/data/v60.0}" > /dev/null
				body 'del(.nextRecordsUrl)'
				next=$(body '.nextRecordsUrl // empty')
			done
		done
	}
	sandbox_start --opps 1200
	answers > kept.txt
	sandbox_stop
	sandbox_start --opps 1200 --keep-parsed 0
	answers > read.txt
	[ "$(wc -l < kept.txt)" -ge 10 ]
	[ "$(grep -c '"totalSize":[1-9]' kept.txt)" -ge 8 ]
	run diff kept.txt read.txt
	assert_success
}
