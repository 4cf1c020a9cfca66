# helper.bash: shared set-up for the bats suites. Each test runs with its own HOME and
# working directory, the freshly built programs first on PATH, and no user config.
bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

TOP="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
FIX="$TOP/tests/fixtures"
TOOLS="${DG_TOOLS:-$TOP/build/tools}"
NOW=2026-11-26

setup() {
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	export PATH="${DG_BIN:-$TOP/bin}:$PATH"
	unset DG_CONFIG DG_SHARE DG_RUN_DIR DG_TAG SF_LOGIN_URL SF_USERNAME SF_PASSWORD SF_CLIENT_ID \
		SF_CLIENT_SECRET SF_SECURITY_TOKEN SF_ACCESS_TOKEN SF_INSTANCE_URL SF_REFRESH_TOKEN SF_JWT_KEY_FILE
	# No .dg/ above the test's own directory is ever taken for its state.
	export DG_CEILING="$(cd "$BATS_TEST_TMPDIR" && pwd -P)"
	unset DG_STATE DG_RUNS
	cd "$BATS_TEST_TMPDIR"
}

# plan [ARGS...] < deals: dg-plan at the suite's fixed time.
plan() { dg-plan --now "$NOW" "$@"; }
# pipeline FILE: plan, content and score of FILE into pipeline.jsonl.
pipeline() { dg-plan --now "$NOW" "$1" | dg-content | dg-score > pipeline.jsonl; }

# ---- dg-sandbox: a fresh local org per test ----

# sandbox_start [ARGS...]: starts dg-sandbox on a free port at the suite's time; sets
# SB_URL and SB_PID. teardown stops it.
sandbox_start() {
	local out="$BATS_TEST_TMPDIR/sandbox.url"
	rm -f "$out"
	dg-sandbox --now "$NOW" --profile "${DG_SANDBOX_PROFILE:-lenient}" "$@" > "$out" 2> "$BATS_TEST_TMPDIR/sandbox.err" &
	SB_PID=$!
	local i
	for i in $(seq 200); do
		[ -s "$out" ] && break
		if ! kill -0 "$SB_PID" 2>/dev/null; then
			cat "$BATS_TEST_TMPDIR/sandbox.err" >&2
			SB_PID=
			return 1
		fi
		sleep 0.02
	done
	SB_URL=$(head -n 1 "$out")
	SB_ADMIN=
}

# sandbox_stop: stops the sandbox and fails unless it exits 0 (under AddressSanitizer a
# leak or a memory error makes it exit non-zero; its report is shown).
sandbox_stop() {
	local rc=0
	if [ -n "${SB_PID:-}" ]; then
		kill "$SB_PID" 2>/dev/null || true
		wait "$SB_PID" 2>/dev/null || rc=$?
		SB_PID=
		if [ "$rc" -ne 0 ]; then
			echo "dg-sandbox exited $rc:" >&2
			cat "$BATS_TEST_TMPDIR/sandbox.err" >&2
			return 1
		fi
	fi
}

teardown() { sandbox_stop; }

# sb_login: a session token in SB_TOKEN, from the client-credentials grant (both
# profiles take it; the enterprise one refuses passwords).
sb_login() {
	SB_TOKEN=$(curl -sS "$SB_URL/services/oauth2/token" -d grant_type=client_credentials -d client_id=dg \
		-d client_secret=dg-tests | jq -r .access_token)
	[ -n "$SB_TOKEN" ] && [ "$SB_TOKEN" != null ]
}

# sf METHOD PATH [CURL ARGS...]: one REST call (API v60.0) with the session token.
# Prints the HTTP status; the body is in $BATS_TEST_TMPDIR/body (see body), the
# headers in $BATS_TEST_TMPDIR/headers.
sf() {
	local m=$1 p=$2
	shift 2
	curl -sS -o "$BATS_TEST_TMPDIR/body" -D "$BATS_TEST_TMPDIR/headers" -w '%{http_code}' -X "$m" \
		-H "Authorization: Bearer ${SB_TOKEN:-}" -H 'Content-Type: application/json' \
		"$SB_URL/services/data/v60.0$p" "$@"
}
# soql QUERY: GET /query?q=QUERY.
soql() { sf GET /query -G --data-urlencode "q=$1"; }
# soql_all QUERY: GET /queryAll?q=QUERY: archived activities too (the enterprise
# profile archives what is a year old), and deleted records (select IsDeleted = false).
soql_all() { sf GET /queryAll -G --data-urlencode "q=$1"; }
# body [JQ FILTER]: the last response body through jq (compact, raw strings).
body() { jq -cr "${1:-.}" "$BATS_TEST_TMPDIR/body"; }
# written_relations: the EventRelations a client wrote (IsInvitee, as dg writes them),
# without the one Shared Activities makes itself for an event's contact (the enterprise
# profile: IsParent and not an invitee).
written_relations() { sb_login && soql "SELECT COUNT() FROM EventRelation WHERE IsInvitee = true" > /dev/null && body .totalSize; }
# first QUERY: the Id of the first record QUERY returns.
first() { soql "$1" > /dev/null && body '.records[0].Id'; }

# sf_env: the environment of a login to the running sandbox: the password flow on the
# lenient profile, client credentials on the enterprise one (DG_SANDBOX_PROFILE), as a
# real org made since Summer '23 wants.
sf_env() {
	unset SF_ACCESS_TOKEN SF_INSTANCE_URL SF_REFRESH_TOKEN SF_JWT_KEY_FILE SF_CLIENT_SECRET SF_SECURITY_TOKEN \
		SF_USERNAME SF_PASSWORD
	if [ "${DG_SANDBOX_PROFILE:-lenient}" = enterprise ]; then
		export SF_LOGIN_URL="$SB_URL" SF_CLIENT_ID=dg-tests SF_CLIENT_SECRET=dg-tests-secret
	else
		export SF_LOGIN_URL="$SB_URL" SF_USERNAME=admin@dg.sandbox SF_PASSWORD=dg SF_CLIENT_ID=dg-tests
	fi
}

# admin METHOD PATH [CURL ARGS...]: a call to the sandbox's admin endpoints
# (/_sandbox/...), which need a session of the org; prints the body.
admin() {
	local m=$1 p=$2
	shift 2
	[ -n "${SB_ADMIN:-}" ] || SB_ADMIN=$(curl -sS "$SB_URL/services/oauth2/token" -d grant_type=client_credentials \
		-d client_id=dg -d client_secret=dg-tests | jq -r .access_token)
	curl -sS -X "$m" -H "Authorization: Bearer $SB_ADMIN" "$SB_URL/_sandbox/$p" "$@"
}
# stats FILTER: a jq filter over the sandbox's /_sandbox/stats.
stats() { admin GET stats | jq -r "$1"; }
