#!/usr/bin/env bats
# The real Salesforce CLI (npm @salesforce/cli, pinned in tests/clients/package.json to
# a version that runs on Debian's Node; installed by scripts/setup) against dg-sandbox:
# it logs in with an access token, reads the org with `sf data query`, and lends its
# session to `dg run --target-org`. Run on both sandbox profiles (make check).

load helper

SF_BIN="$TOP/tests/clients/node_modules/.bin"

# sf_cli_setup: the real sf first on PATH behind a shim that logs each start in
# sf.calls; sf's own files under the test's HOME; no telemetry or update checks (no
# traffic leaves the machine). helper.bash's sf function gives way to the command.
sf_cli_setup() {
	[ -x "$SF_BIN/sf" ] || { echo "the Salesforce CLI is not installed: run scripts/setup" >&2; return 1; }
	export SF_DISABLE_TELEMETRY=true SF_AUTOUPDATE_DISABLE=true SF_SKIP_NEW_VERSION_CHECK=true \
		SF_DISABLE_AUTOUPDATE=true SFDX_DISABLE_TELEMETRY=true
	mkdir -p shim
	printf '#!/bin/sh\necho "$*" >> "%s/sf.calls"\nexec "%s/sf" "$@"\n' "$PWD" "$SF_BIN" > shim/sf
	chmod +x shim/sf
	export PATH="$PWD/shim:$PATH"
	unset -f sf # helper.bash's REST call of that name: here sf is the CLI
}

# sf_cli_login ALIAS: `sf org login access-token` to the running sandbox, as a CI job
# does it (SF_ACCESS_TOKEN from the org's own login: client credentials).
sf_cli_login() {
	sb_login
	SF_ACCESS_TOKEN=$SB_TOKEN sf org login access-token --instance-url "$SB_URL" --no-prompt --alias "$1" --json > login.json 2>&1
	jq -e '.status == 0' login.json > /dev/null || { cat login.json >&2; return 1; }
}

@test "sf logs in to dg-sandbox with an access token, sees a sandbox, and sf data query reads it" {
	sandbox_start
	sf_cli_setup
	sf_cli_login demo
	assert_equal "$(jq -r .result.username login.json)" admin@dg.sandbox
	# the token itself is never printed by current sf: it is what dg must not rely on
	[[ "$(jq -r .result.accessToken login.json)" == "[REDACTED]"* ]]
	run sf org list --json
	assert_success
	assert_equal "$(jq -c '.result.sandboxes[0] | [.alias, .isSandbox, .connectedStatus]' <<< "$output")" '["demo",true,"Connected"]'
	run sf data query -o demo -q "SELECT Id, Name, Owner.Name, (SELECT LastName FROM Contacts) FROM Account ORDER BY Name LIMIT 2" --json
	assert_success
	assert_equal "$(jq -c '[.status, .result.totalSize, (.result.records[0].Owner.Name | type), (.result.records[0].Contacts.records | length > 0)]' <<< "$output")" '[0,2,"string",true]'
	run sf data query -o demo -q "SELECT COUNT() FROM Opportunity" --json
	assert_success
	[ "$(jq .result.totalSize <<< "$output")" -gt 10 ]
	run sf data query -o demo -q "SELECT Nope FROM Account" --json
	assert_failure
	assert_equal "$(jq -r .name <<< "$output")" INVALID_FIELD
}

@test "dg run --target-org borrows sf's session once for the whole run; a rerun creates nothing; reset -o removes it all" {
	sandbox_start
	sf_cli_setup
	sf_cli_login demo
	printf 'query:\n  max_opps: 3\n  account_contacts: 0\nplan:\n  min_contacts: 0\npush:\n  tag_field: DG_Tag__c\n' > demo.yaml
	before=$(stats '.records | [.Event, .Task, .Contact] | join(" ")')
	rm -f sf.calls
	run --separate-stderr dg run --yes -o demo
	assert_success
	# one start of each of the two commands current sf needs, for every stage of the run
	assert_equal "$(cut -d' ' -f1-3 sf.calls | sort | uniq -c | awk '{print $1, $2, $3, $4}' | tr '\n' ';')" "1 org auth show-access-token;1 org display --json;"
	dir=$(ls -d runs/*)
	assert_equal "$(jq -r '[.status, .records.Event.failed // 0, .records.Task.failed // 0] | join(" ")' "$dir/summary.json")" "ok 0 0"
	[ "$(jq '.records.Event.created' "$dir/summary.json")" -gt 0 ]
	assert_equal "$(jq -r .instance "$dir/run.json")" "$SB_URL"
	# the session never lands in the run's files
	token=$(sf org auth show-access-token -o demo --json | jq -r .result.accessToken)
	[ -n "$token" ] && ! grep -rqF "$token" runs .dg
	run --separate-stderr dg run --yes --target-org demo
	assert_success
	[[ "$stderr" == *"nothing to create"* ]]
	run --separate-stderr dg reset --all -o demo
	assert_success
	assert_equal "$(stats '.records | [.Event, .Task, .Contact] | join(" ")')" "$before"
}

@test "sf's own words when its login is unknown; a clear message when sf is not installed" {
	sandbox_start
	sf_cli_setup
	run --separate-stderr dg login -o nosuch
	assert_failure 1
	[[ "$stderr" == "dg-login: 'sf org auth show-access-token' failed: "*"No authorization information found for nosuch"* ]]
	printf 'query:\n  max_opps: 1\n' > demo.yaml
	run --separate-stderr dg run --yes -o nosuch
	assert_failure 1
	[[ "$stderr" == *"No authorization information found for nosuch"* ]]
	[ ! -s .dg/state.db ] || [ "$(dg status --json | jq length)" -eq 0 ]
	PATH="${DG_BIN:-$TOP/bin}:/usr/bin:/bin" run --separate-stderr dg run --yes -o demo
	assert_failure 1
	[[ "$stderr" == *"the Salesforce CLI 'sf' is not on PATH"* ]]
}

@test "sf reads dg's DX source folder: it converts to a Metadata API package with the fields, objects and permission set" {
	sf_cli_setup
	cp -R "$TOP/share/dg/salesforce" dx
	cd dx
	run sf project convert source --root-dir force-app --output-dir ../md --json
	assert_success
	cd ..
	grep -q '<members>Activity.DG_Tag__c</members>' md/package.xml
	grep -q '<members>DG_Lock__c</members>' md/package.xml
	grep -q '<members>DG_Writer</members>' md/package.xml
	grep -q '<name>PermissionSet</name>' md/package.xml
}

