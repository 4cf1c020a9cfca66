#!/usr/bin/env bats
# A standard Salesforce client library, unchanged, against dg-sandbox: the check that
# the sandbox is faithful to the wire format and not only to dg's own client.
# jsforce comes from the npm registry into tests/clients (scripts/setup).

load helper

@test "jsforce logs in, queries, pages, writes, bulk-loads and reads errors against dg-sandbox; reads Users with their managers; relates a Task to a contact" {
	sandbox_start
	run node "$TOP/tests/clients/jsforce.js" "$SB_URL"
	assert_success
	assert_output '{"instance":true,"query":[3,"string",true],"create":["ok","REQUIRED_FIELD_MISSING"],"update":true,"retrieve":"jsforce 1b","describe":true,"destroy":true,"error":"INVALID_FIELD","bulk":[2500,0],"queryMore":2500,"limits":100000,"users":[10,"Dana Brooks"],"picklists":["Completed","Normal"],"taskRelation":[true,true]}'
}

@test "jsforce against the enterprise profile: client credentials, the org's own task picklists, one rep inactive" {
	DG_SANDBOX_PROFILE=enterprise sandbox_start
	run node "$TOP/tests/clients/jsforce.js" "$SB_URL" client-credentials
	assert_success
	assert_output '{"instance":true,"query":[3,"string",true],"create":["ok","REQUIRED_FIELD_MISSING"],"update":true,"retrieve":"jsforce 1b","describe":true,"destroy":true,"error":"INVALID_FIELD","bulk":[2500,0],"queryMore":2500,"limits":100000,"users":[9,"Dana Brooks"],"picklists":["Done","Medium"],"taskRelation":[true,true]}'
}
