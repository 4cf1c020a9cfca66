#!/usr/bin/env bats
# dg-report: any stage's records as one self-contained HTML page, judged in a real
# browser (Debian's chromium driven by playwright-core, tests/clients/report.js): every
# deal with its timeline, the subjects on screen, clicking, sorting, filtering, no
# script errors, nothing fetched, and data that carries markup shown as text. The
# browser's screenshots are kept beside the TAP output ($DG_ARTIFACTS) for a person.
load helper

# browse PAGE NAME: report.js's findings in $output; screenshots NAME.png, NAME-deal.png.
browse() {
	local shots="${DG_ARTIFACTS:-$BATS_TEST_TMPDIR}"
	mkdir -p "$shots"
	run node "$TOP/tests/clients/report.js" "$1" "$shots/$2.png"
	assert_success
	echo "$output" > findings.json
	echo "# screenshots: $shots/$2.png, $shots/$2-deal.png" >&3
}
finding() { jq -cr "$1" findings.json; }

@test "dg-report -h and misuse" {
	run --separate-stderr dg-report -h
	assert_success
	assert_line --index 0 "usage: dg-report [--output FILE [--json]] [--title TEXT] [--instance URL] [--now DATE] [FILE...]"
	run --separate-stderr dg-report --bogus
	assert_failure 2
	[[ "$stderr" == *"usage: dg-report"* ]]
	run --separate-stderr dg-report --now yesterday /dev/null
	assert_failure 2
	[[ "$stderr" == *"--now 'yesterday' is not a date"* ]]
}

@test "50 scored deals in a browser: every deal with its timeline, subjects on screen, click, sort, filter, no script errors, nothing fetched" {
	"$TOP/bench/gen-deals" 50 2027 | plan | dg-content | dg-score > scored.jsonl
	run --separate-stderr dg-report --output page.html scored.jsonl
	assert_success
	[ -z "$output" ]
	# self-contained: no address outside the page but the org's (none here)
	! grep -Eo '(src|href)="[a-z]+:' page.html
	size=$(stat -c %s page.html)
	echo "# 50 deals: $size bytes" >&3
	[ "$size" -lt $((4 * 1024 * 1024)) ]
	browse page.html report-50
	[ "$(finding .deals)" = 50 ]
	[ "$(finding .rows)" = 50 ]
	[ "$(finding .timelines)" = "$(jq -s '[.[] | select((.activities | length) > 0)] | length' scored.jsonl)" ]
	[ "$(finding .items_min)" -ge 1 ]
	[ "$(finding .console_errors)" = "[]" ]
	[ "$(finding .page_errors)" = "[]" ]
	[ "$(finding .requests)" = "[]" ]
	# every activity has its entry, its subject on screen
	[ "$(finding .subjects)" = "$(jq -s '[.[].activities[]] | length' scored.jsonl)" ]
	[ "$(finding .subjects)" = "$(finding .subjects_visible)" ]
	want=$(jq -r 'first(.activities[].subject)' scored.jsonl | head -1)
	finding '.subject_texts[]' | grep -qxF -- "$want"
	[ "$(finding .clicked.open)" = true ]
	[ "$(finding .clicked.body_visible)" = true ]
	[ "$(finding .sorted)" = true ]
	[ "$(finding .filtered.sections)" -ge 1 ]
	[ "$(finding .filtered.sections)" -lt 50 ]
	[ "$(finding .filtered.rows)" = "$(finding .filtered.sections)" ]
	# scorecards with evidence that leads somewhere; every owner's calendar
	[ "$(finding .scorecards)" = 50 ]
	[ "$(finding .evidence_links)" -gt 50 ]
	[ "$(finding .evidence_dangling)" = 0 ]
	[ "$(finding .calendars)" = "$(jq -rs '[.[].opportunity | .OwnerId // .Owner.Name] | unique | length' scored.jsonl)" ]
}

@test "a deal whose name, account, subjects and text carry markup shows it as text: no script runs, no handler, nothing loaded" {
	"$TOP/bench/gen-deals" 3 5 | plan | dg-content | dg-score > scored.jsonl
	jq -c 'if .opportunity.Id == "006000000000001AAA" then
		.opportunity.Name = "<script>document.body.dataset.pwned=\"name\"</script> Deal" |
		.opportunity.Account.Name = "<img src=x onerror=\"document.body.dataset.pwned=1\">Acme & Sons" |
		.opportunity.StageName = "\"><svg onload=alert(1)>" |
		.opportunity.Owner.Name = "O'\''Brien </td></tr></table><b>" |
		.opportunity.CloseDate = "2026-12-01\"><script>window.__pwned=2</script>" |
		.contacts[0].Name = "<iframe src=javascript:alert(1)>" |
		.activities[0].subject = "</summary><script>window.__pwned=3</script>" |
		.activities[0].body = "</pre><img src=x onerror=alert(4)>\u0001" |
		.scorecard.answers[0].answer = "<a href=javascript:alert(5)>x</a>"
	else . end' scored.jsonl > hostile.jsonl
	run --separate-stderr dg-report --instance 'javascript:alert(6)' hostile.jsonl
	assert_success
	[[ "$stderr" == *"'javascript:alert(6)' is not an http(s) address: records are not linked"* ]]
	[[ "$output" != *'<script>document'* ]]
	echo "$output" > page.html
	browse page.html report-hostile
	[ "$(finding .pwned)" = null ]
	[ "$(finding .onerror)" = 0 ]
	[ "$(finding .scripts)" = 1 ]
	[ "$(finding .images)" = 0 ]
	[ "$(finding .requests)" = "[]" ]
	[ "$(finding .console_errors)" = "[]" ]
	[ "$(finding .deals)" = 3 ]
	finding '.deal_names[1]' | grep -qF '<script>document.body.dataset.pwned="name"</script> Deal'
	finding '.accounts[1]' | grep -qF '<img src=x onerror="document.body.dataset.pwned=1">Acme & Sons'
	finding '.subject_texts[]' | grep -qF '</summary><script>window.__pwned=3</script>'
	# an address that is not http(s) is never a link
	[ "$(finding '[.org_links[] | select(startswith("javascript"))] | length')" = 0 ]
}

@test "bad lines are said with their place; the page is still made from the good deals (exit 3)" {
	"$TOP/bench/gen-deals" 2 9 | plan > planned.jsonl
	{ head -1 planned.jsonl; echo '{"opportunity": '; echo '{"no":"deal"}'; tail -1 planned.jsonl; } > mixed.jsonl
	run --separate-stderr dg-report mixed.jsonl
	assert_failure 3
	[[ "$stderr" == *"mixed.jsonl:2"* ]]
	[[ "$stderr" == *"mixed.jsonl:3: not a deal record (no 'opportunity' object)"* ]]
	[ "$(grep -o '<section class="deal"' <<< "$output" | wc -l)" = 2 ]
	[[ "$output" == *"</html>"* ]]
}

@test "any stage: chosen deals, planned, written, scored; the page says which" {
	"$TOP/bench/gen-deals" 2 3 > deals.jsonl
	run dg-report deals.jsonl
	assert_success
	[[ "$output" == *"deals as chosen (dg-query)"* ]]
	[[ "$output" == *"no activities planned"* ]]
	plan deals.jsonl > planned.jsonl
	run dg-report planned.jsonl
	[[ "$output" == *"planned (dg-plan)"* ]]
	[[ "$output" == *"no text yet"* ]]
	[[ "$output" == *"today is $NOW"* ]]
	dg-content planned.jsonl > written.jsonl
	run dg-report written.jsonl
	[[ "$output" == *"written (dg-content)"* ]]
	run dg-report < written.jsonl
	[[ "$output" == *"written (dg-content)"* ]]
}

@test "a rep's double booking shows on their calendar" {
	"$TOP/bench/gen-deals" 2 3 | plan > planned.jsonl
	# the second deal to the first deal's owner, one meeting at the time of the first's
	owner=$(jq -sc '.[0].opportunity | {OwnerId, Owner}' planned.jsonl)
	at=$(jq -sr '[.[0].activities[] | select(.kind == "meeting")][0].start' planned.jsonl)
	jq -c --argjson o "$owner" --arg at "$at" --slurpfile all planned.jsonl '
		if .opportunity.Id == $all[1].opportunity.Id then .opportunity += $o |
			(first(.activities | to_entries[] | select(.value.kind == "meeting")).key) as $i | .activities[$i].start = $at
		else . end' planned.jsonl > clash.jsonl
	dg-report --output page.html clash.jsonl
	browse page.html report-clash
	[ "$(finding .calendars)" = 1 ]
	[ "$(finding .clashes)" = 2 ]
	dg-report --output plain.html planned.jsonl
	grep -q '0 overlapping meetings' plain.html
}

@test "dg run writes report.html with org links and its failures; dg report rewrites it; dg dry-run too" {
	sandbox_start
	sf_env
	printf 'query:\n  max_opps: 3\n' > demo.yaml
	dg dry-run --max-opps 3 2> dry.err
	grep -q "report: .*/report.html" dry.err
	dry=$(sed -n 's/.*report: //p' dry.err)
	[ -s "$dry" ]
	[ "$(grep -o '<section class="deal"' "$dry" | wc -l)" = 3 ]
	subj=$(jq -r 'first(.activities[] | select(.kind == "meeting")) | .subject' "$(dirname "$dry")/marked.jsonl" | head -1)
	sandbox_stop
	sandbox_start --fail-when "Subject=$subj"
	sf_env
	run --separate-stderr dg run --yes --json
	assert_failure 3
	page=$(jq -r .report <<< "$output")
	id=$(jq -r .run <<< "$output")
	[ -s "$page" ]
	browse "$page" report-run
	[ "$(finding .console_errors)" = "[]" ]
	[ "$(finding .deals)" = 3 ]
	# every record the org has links to it there; the refused one stands out with its error
	[ "$(finding '[.org_links[] | select(startswith("'"$SB_URL"'/00U"))] | length')" -ge 3 ]
	finding '.failures[]' | grep -q "FIELD_CUSTOM_VALIDATION_EXCEPTION"
	rm "$page"
	run dg report "$id"
	assert_success
	assert_output "$page"
	[ -s "$page" ]
	run dg report last
	assert_output "$page"
	run --separate-stderr dg report --run "$id" --json
	assert_success
	assert_equal "$(jq -c '[.report == "'"$page"'", .deals, .failed > 0, .in_org > 50]' <<< "$output")" '[true,3,true,true]'
	run --separate-stderr dg report --json
	assert_failure 2
	[[ "$(jq -r .error <<< "$output")" == *"give --output FILE or a run"* ]]
	run --separate-stderr dg report nosuchrun
	assert_failure 1
	[[ "$stderr" == *"no such file or run 'nosuchrun'"* ]]
}
