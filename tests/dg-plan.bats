#!/usr/bin/env bats
# dg-plan: stories and dated plans.
# Slow (about 25 s): the property tests plan hundreds of generated deals on seeds no
# other test uses and check them with tests/tools/plancheck.
load helper

@test "-h prints usage on stdout; misuse prints it on stderr with exit 2" {
	run dg-plan -h
	assert_success
	assert_line --index 0 "usage: dg-plan [-c FILE] [--seed N] [--now DATE] [FILE...]"
	run --separate-stderr dg-plan --bogus
	assert_failure 2
	[[ "$stderr" == *"usage: dg-plan"* ]]
}

@test "output matches the golden file" {
	plan "$FIX/deals.jsonl" > out.jsonl
	diff -u "$FIX/plan.golden.jsonl" out.jsonl
}

@test "same input, seed and now give byte-identical output; another seed differs" {
	plan "$FIX/deals.jsonl" > a.jsonl
	plan "$FIX/deals.jsonl" > b.jsonl
	plan --seed 7 "$FIX/deals.jsonl" > c.jsonl
	cmp a.jsonl b.jsonl
	! cmp -s a.jsonl c.jsonl
}

@test "adding or removing a deal changes no key, nothing of another owner's deals, and only times of the owner's" {
	plan "$FIX/deals.jsonl" > all.jsonl
	sed -n '2,$p' "$FIX/deals.jsonl" | plan > without-first.jsonl
	# the same owner's other deals: the same items with the same keys; only times may move
	same() { jq -c '[.activities[] | del(.start)] | sort_by(.key)' "$@"; }
	assert_equal "$(sed -n '2,$p' all.jsonl | same)" "$(same without-first.jsonl)"
	# a deal of another owner changes nothing at all
	{ "$TOP/bench/gen-deals" 1 99 | sed 's/006000000000000AAA/006ZZZ/; s/005000000000001AAA/005ZZZ/g'; cat "$FIX/deals.jsonl"; } | plan | sed 1d | cmp - all.jsonl
}

@test "realism rules hold over 400 generated deals" {
	"$TOP/bench/gen-deals" 400 3 | plan > plans.jsonl
	run "$TOOLS/plancheck" "$NOW" < plans.jsonl
	assert_success
	assert_output ""
}

@test "one calendar per rep: no meeting of an owner over another of theirs, no two emails at one minute" {
	# 200 deals shared by eight reps (25 each, each rep in one zone): nothing overlaps,
	# at most 4 meetings a day
	"$TOP/bench/gen-deals" 200 4 | jq -c '((.opportunity.Id[3:15] | tonumber) % 8) as $o
		| .opportunity.OwnerId = "00500000000000\($o)AAA"
		| .opportunity.Owner.TimeZoneSidKey = (["America/New_York","Europe/London","America/Los_Angeles","Asia/Tokyo",
			"Europe/Berlin","Australia/Sydney","America/Chicago","Asia/Kolkata"][$o])' > deals.jsonl
	plan deals.jsonl > plans.jsonl
	run "$TOOLS/plancheck" "$NOW" 9 17 4 < plans.jsonl
	assert_success
	assert_output ""
	# the checker sees what planning each deal on its own (no shared calendar) does
	while read -r line; do plan <<< "$line"; done < deals.jsonl > alone.jsonl
	run "$TOOLS/plancheck" "$NOW" 9 17 4 < alone.jsonl
	assert_failure
	assert_output --partial "overlaps a meeting of the same owner in another deal"
	# keys never depend on the other deals
	assert_equal "$(jq -c '[.activities[].key] | sort' plans.jsonl | md5sum)" "$(jq -c '[.activities[].key] | sort' alone.jsonl | md5sum)"
}

@test "the owner's own Events (owner_busy) are fixed points: a meeting over one moves, its key stays" {
	head -1 "$FIX/deals.jsonl" > one.jsonl
	plan one.jsonl > before.jsonl
	read -r key start minutes <<< "$(jq -r '[.activities[] | select(.kind == "meeting" and .when == "past")][1] | "\(.key) \(.start) \(.minutes)"' before.jsonl)"
	end=$(date -u -d "$start + $minutes minutes" +%Y-%m-%dT%H:%M:%S.000+0000)
	jq -c --arg s "$start" --arg e "$end" '.owner_busy = [[$s, $e]]' one.jsonl | plan > after.jsonl
	moved=$(jq -r --arg k "$key" '.activities[] | select(.key == $k) | .start' after.jsonl)
	[ -n "$moved" ] && [ "$moved" != "$start" ]
	assert_equal "$(jq -c '[.activities[].key] | sort' after.jsonl)" "$(jq -c '[.activities[].key] | sort' before.jsonl)"
	# nothing of the deal sits on the busy hour
	run jq -r --arg s "$start" --arg e "$end" '.activities[] | select(.kind == "meeting")
		| select((.start | fromdateiso8601) < ($e | sub("\\.000\\+0000"; "Z") | fromdateiso8601)
			and ((.start | fromdateiso8601) + .minutes * 60) > ($s | fromdateiso8601)) | .key' after.jsonl
	assert_output ""
}

@test "the realism checker catches a weekend meeting" {
	plan "$FIX/deals.jsonl" | head -n 1 |
		jq -c '(.activities[] | select(.kind=="meeting" and .when=="past")) |= (.start = "2026-11-21T16:00:00Z")' > broken.jsonl
	run "$TOOLS/plancheck" "$NOW" < broken.jsonl
	assert_failure
	assert_output --partial "weekend"
}

@test "later stages have more history than early ones; closed deals look back from the close" {
	"$TOP/bench/gen-deals" 400 5 | plan > plans.jsonl
	early=$(jq -s '[.[] | select(.opportunity.StageName=="Prospecting") | .activities | length] | add / length' plans.jsonl)
	late=$(jq -s '[.[] | select(.opportunity.StageName=="Negotiation/Review") | .activities | length] | add / length' plans.jsonl)
	echo "early=$early late=$late"
	jq -e -n "$early < $late"
	run jq -s '[.[] | select(.opportunity.IsClosed) | .activities[] | select(.when=="upcoming")] | length' plans.jsonl
	assert_output "0"
}

@test "at least 12 meeting types and 12 email types appear, in cycle order" {
	"$TOP/bench/gen-deals" 300 2 | plan > plans.jsonl
	m=$(jq -r '.activities[] | select(.kind=="meeting") | .type' plans.jsonl | sort -u | wc -l)
	e=$(jq -r '.activities[] | select(.kind=="email") | .type' plans.jsonl | sort -u | wc -l)
	echo "meeting types=$m email types=$e"
	[ "$m" -ge 12 ] && [ "$e" -ge 12 ]
}

@test "deals with too few contacts get planned ones on the account's domain" {
	echo '{"opportunity":{"Id":"006X","StageName":"Qualification","Account":{"Name":"Acme","Website":"http://www.acme.io/"}},"contacts":[]}' | plan > out.jsonl
	run jq -r '.contacts[] | [.planned, .key, .Email, .Role] | @tsv' out.jsonl
	assert_equal "${#lines[@]}" 2
	[[ "${lines[0]}" == true*"@acme.io"*"Economic Buyer" ]]
	[[ "${lines[1]}" == true*"@acme.io"* ]]
	run jq -r '[.activities[].attendees[]] | unique | .[]' out.jsonl
	for a in "${lines[@]}"; do jq -e --arg a "$a" '.contacts | any(.key == $a)' out.jsonl; done
}

@test "keys stay the same when wording-only inputs change" {
	plan "$FIX/deals.jsonl" | head -n1 | jq -r '.activities[].key' > a.keys
	head -n1 "$FIX/deals.jsonl" | jq -c '.opportunity.Account.Name = "Renamed Inc"' | plan | jq -r '.activities[].key' > b.keys
	cmp a.keys b.keys
}

@test "a malformed line is reported with its number; the rest are planned; exit 3" {
	{ head -n1 "$FIX/deals.jsonl"; echo '{"opportunity": '; echo '[1,2]'; echo '{"opportunity":{"Name":"no id"}}'; sed -n 2p "$FIX/deals.jsonl"; } > mixed.jsonl
	run --separate-stderr dg-plan --now "$NOW" mixed.jsonl
	assert_failure 3
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 2 ]
	[[ "$stderr" == *"mixed.jsonl:2: "* ]]
	[[ "$stderr" == *"mixed.jsonl:3: expected a JSON object, got array"* ]]
	[[ "$stderr" == *"mixed.jsonl:4: record has no opportunity Id"* ]]
}

@test "odd data plans sensibly: nulls, wrong kinds, unicode, huge amounts, 50 contacts" {
	cat > odd.jsonl <<'JSON'
{"opportunity":{"Id":"006A","Name":null,"StageName":null,"Amount":"lots","CloseDate":"not a date","IsClosed":"yes","Owner":null,"Account":[1]},"contacts":"nobody"}
{"opportunity":{"Id":"006B","StageName":"Closed Won","IsClosed":true,"IsWon":true,"Amount":1e15,"CloseDate":"2019-03-01","Owner":{"TimeZoneSidKey":"Asia/Kolkata"},"Account":{"Name":"Zoë's Café ☕ O'Brien","Website":"cafe.example"}},"contacts":[{"Id":"003A","Name":"Łukasz O'Neil","Title":null}]}
{"opportunity":{"Id":"006C","StageName":"Negotiation/Review","Account":{"Website":"https://c.example/"}},"contacts":[1,"x",null,{"Id":{"nested":true}}]}
JSON
	"$TOP/bench/gen-deals" 14 1 | sed -n 6p >> odd.jsonl
	run --separate-stderr dg-plan --now "$NOW" odd.jsonl
	assert_success
	# 006A has no account to take a domain from: skipped, said why
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 3 ]
	[[ "$stderr" == *"'006A': its account '?' has no Website"*"skipped"* ]]
	printf '%s\n' "$output" | "$TOOLS/plancheck" "$NOW"
	printf '%s\n' "$output" | jq -e -s '.[2].contacts | length == 50'
}

@test "empty input gives empty output and success" {
	run dg-plan --now "$NOW" < /dev/null
	assert_success
	assert_output ""
}

@test "a write error on stdout is a failure" {
	run bash -c "dg-plan --now $NOW '$FIX/deals.jsonl' > /dev/full"
	assert_failure 1
}

# 600 deals the way a demo org has them: every stage, new business, expansion and
# renewal, $5K to $5M, four reps in five zones.
varied() {
	"$TOP/bench/gen-deals" 600 "$1" | jq -c '(.opportunity.Id[3:15] | tonumber) as $i
		| .opportunity.OwnerId = "00500000000000\($i % 4)AAA"
		| .opportunity.Owner.TimeZoneSidKey = (["America/New_York","Europe/London","Asia/Tokyo",
			"America/Los_Angeles","Australia/Sydney"][$i % 5])
		| .opportunity.Type = (["New Business","New Business","Existing Business","Renewal",
			"Upsell"][($i / 5 | floor) % 5])'
}

@test "a sale in its order, by kind of deal: 600 varied deals keep every rule (plancheck)" {
	varied 7 | plan > plans.jsonl
	# PER_DAY 99: overlaps of a rep's meetings across deals are checked; 150 deals a rep
	# is more than four meetings a day can hold (test 6 checks per_day at 25 a rep)
	run "$TOOLS/plancheck" -v "$NOW" 9 17 99 < plans.jsonl
	echo "$output"
	assert_success
	assert_output --regexp "inbound 2[5-9]|inbound 3[0-9]"
	# renewals and expansions: no cold intro, no welcome, no first conversation
	run jq -r 'select(.opportunity.Type != "New Business") | .activities[].type' plans.jsonl
	refute_line introduction
	refute_line intro_call
	refute_line welcome
	run jq -r 'select(.opportunity.Type == "Renewal") | .story.path' plans.jsonl
	assert_line renewal
	refute_line new_business
}

@test "Closed Lost deals end the way they were lost, with a loss_reason the story carries" {
	varied 8 | jq -c 'select(.opportunity.StageName == "Closed Lost")' | plan > lost.jsonl
	[ "$(wc -l < lost.jsonl)" -gt 20 ]
	run jq -r '.story.loss_reason' lost.jsonl
	refute_line null
	[ "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" -ge 4 ]
	# each says it: the customer's news or the rep's last try, among its last emails
	run jq -r '[.activities[] | select(.kind == "email")] | map(.type) | .[-4:] | join(" ")' lost.jsonl
	for l in "${lines[@]}"; do
		[[ "$l" =~ (breakup|lost_competitor|no_decision|budget_pulled|timing) ]]
	done
}

@test "the Economic Buyer role wins over a Decision Maker listed first, and over titles" {
	echo '{"opportunity":{"Id":"006EB","StageName":"Proposal/Price Quote","Amount":50000},"contacts":[
		{"Id":"003A","Name":"Dee Maker","Title":"CEO","Role":"Decision Maker"},
		{"Id":"003B","Name":"Exa Sponsor","Title":"Chief Revenue Officer","Role":"Executive Sponsor"},
		{"Id":"003C","Name":"Eco Buyer","Title":"Finance Analyst","Role":"Economic Buyer"}]}' | jq -c . | plan > out.jsonl
	run jq -r '.story.economic_buyer' out.jsonl
	assert_output 003C
	echo '{"opportunity":{"Id":"006EB","StageName":"Proposal/Price Quote","Amount":50000,"Account":{"Website":"eb.example"}},"contacts":[
		{"Id":"003A","Name":"Dee Maker","Title":"CEO","Role":"Decision Maker"},
		{"Id":"003B","Name":"Exa Sponsor","Title":"Analyst","Role":"Executive Sponsor"}]}' | jq -c . | plan > out.jsonl
	run jq -r '.story.economic_buyer' out.jsonl
	assert_output 003B
}

@test "no activity on the owner's public holidays; plan.holidays adds dates, names countries or turns them off" {
	# Thanksgiving and the day after in the US, Christmas in the UK
	varied 9 > deals.jsonl
	plan deals.jsonl > plans.jsonl
	run jq -r '.story.timezone as $tz | .activities[] | select($tz | startswith("America/"))
		| select(.start | startswith("2026-11-26") or startswith("2026-11-27")) | .key' plans.jsonl
	assert_output ""
	# a date of the company's own: nobody in London works on 2026-11-18 (London is on
	# UTC in November)
	[ "$(jq -r 'select(.story.timezone == "Europe/London") | .activities[].start' plans.jsonl | grep -c '^2026-11-18')" -gt 0 ]
	printf 'plan:\n  holidays: [auto, 2026-11-18]\n' > demo.yaml
	plan deals.jsonl > own.jsonl
	[ "$(jq -r 'select(.story.timezone == "Europe/London") | .activities[].start' own.jsonl | grep -c '^2026-11-18')" -eq 0 ]
	# 'none': Thanksgiving is a working day again
	printf 'plan:\n  holidays: [none]\n' > demo.yaml
	plan deals.jsonl > none.jsonl
	[ "$(jq -r 'select(.story.timezone == "America/New_York") | .activities[].start' none.jsonl | grep -c '^2026-11-26T1[4-9]')" -gt 0 ]
	# a value that is none of these is refused where it stands
	printf 'plan:\n  holidays: [Thanksgiving]\n' > demo.yaml
	run --separate-stderr dg-plan --now "$NOW" deals.jsonl
	assert_failure 2
	[[ "$stderr" == *"demo.yaml:2:"*"plan.holidays: 'Thanksgiving' is not"* ]]
	printf 'plan:\n  holidays: [XX]\n' > demo.yaml
	run --separate-stderr dg-plan --now "$NOW" deals.jsonl
	assert_failure 2
	[[ "$stderr" == *"'XX' is not"*"US"* ]]
}

@test "volume grows with size: a \$2M deal has a longer, broader history than a \$10K one of the same stage" {
	for amt in 10000 2000000; do
		seq 1 40 | jq -c --argjson a "$amt" '{opportunity: {Id: "006S\(.)", StageName: "Negotiation/Review",
			Amount: $a, Type: "New Business", OwnerId: "005S\(.)"}, contacts: [range(6) as $k
			| {Id: "003S\(.)x\($k)", Name: "P \($k)", Title: (["CFO","VP Sales","IT Lead","Analyst","Director","Manager"][$k])}]}'
	done | plan > sized.jsonl
	small=$(jq -s '[.[] | select(.opportunity.Amount == 10000) | .activities | length] | add / length' sized.jsonl)
	big=$(jq -s '[.[] | select(.opportunity.Amount == 2000000) | .activities | length] | add / length' sized.jsonl)
	span_small=$(jq -s '[.[] | select(.opportunity.Amount == 10000) | (.activities | map(.start | fromdate)) | (max - min)] | add / length / 86400' sized.jsonl)
	span_big=$(jq -s '[.[] | select(.opportunity.Amount == 2000000) | (.activities | map(.start | fromdate)) | (max - min)] | add / length / 86400' sized.jsonl)
	echo "activities small=$small big=$big; days small=$span_small big=$span_big"
	jq -e -n "$big > $small * 1.3 and $span_big > $span_small * 1.5"
	# deals of one stage and size still differ
	[ "$(jq -r 'select(.opportunity.Amount == 2000000) | .activities | length' sized.jsonl | sort -u | wc -l)" -gt 3 ]
}

@test "the seller's people join meetings as internal attendees; the customer's items and keys do not depend on them" {
	"$TOP/bench/gen-deals" 60 4 > deals.jsonl
	jq -c '.sellers = [{Id: "005T1", Name: "Dana Brooks", Role: "manager"},
		{Id: "005T2", Name: "Ravi Shah", Role: "sales_engineer"},
		{Id: "005T3", Name: "Grace Kim", Role: "executive"}]' deals.jsonl > with.jsonl
	plan deals.jsonl > alone.jsonl
	plan with.jsonl > team.jsonl
	# demos bring the sales engineer, most of the time
	demos=$(jq '[.activities[] | select(.type == "demo")] | length' team.jsonl | paste -sd+ | bc)
	se=$(jq '[.activities[] | select(.type == "demo" and ((.internal // []) | index("005T2")))] | length' team.jsonl | paste -sd+ | bc)
	echo "demos=$demos with the SE=$se"
	[ "$se" -gt $((demos / 2)) ]
	# internal prep calls: no customer, the rep with their people, before the meeting
	run jq -r '.activities as $a | $a[] | select(.type == "internal_prep") | . as $p
		| ($a[] | select(.key == $p.about)) as $m
		| [(.attendees | length), (.internal | length > 0), ($p.start < $m.start), (.key | test("-I[0-9]{2}-"))] | @tsv' team.jsonl
	[ "${#lines[@]}" -gt 0 ]
	for l in "${lines[@]}"; do assert_equal "$l" "$(printf '0\ttrue\ttrue\ttrue')"; done
	run jq -r '.activities[] | select(.type == "internal_prep")' alone.jsonl
	assert_output ""
	# every customer item is the same, key, kind and person, with or without the team
	# (only times may move: a prep call takes the rep's time)
	assert_equal "$(jq -c '[.activities[] | select(.type != "internal_prep") | [.key, .type, .who]] | sort' team.jsonl)" \
		"$(jq -c '[.activities[] | select(.type != "internal_prep") | [.key, .type, .who]] | sort' alone.jsonl)"
}

@test "a planned contact's address is on the account's real domain: its Website, plan.domains, its people's; else the deal is skipped with a warning" {
	deal() { jq -c --arg w "$1" '.opportunity.Account.Website = (if $w == "" then null else $w end) | .contacts = [] | .opportunity.Account.Name = "Globex"' "$FIX/deals.jsonl" | head -n 1; }
	domains() { jq -r '[.contacts[] | select(.planned) | .Email | split("@")[1]] | unique | join(",")'; }
	deal "https://www.globex-corp.com" | plan > out.jsonl
	assert_equal "$(domains < out.jsonl)" "globex-corp.com"
	# no Website, no people: never a domain made up from the name
	run --separate-stderr plan < <(deal "")
	assert_success
	assert_output ""
	[[ "$stderr" == *"its account 'Globex' has no Website, no contact with an address and no plan.domains entry for the contacts it needs, and made-up addresses would match nothing in People.ai: skipped (add the Website, or plan.domains: ['Globex=DOMAIN'])"* ]]
	printf 'plan:\n  domains: ["Globex=globex.example"]\n' > demo.yaml
	deal "" | plan > out.jsonl
	assert_equal "$(domains < out.jsonl)" "globex.example"
	rm demo.yaml
	# the account's people's addresses (a deal with one contact gets planned ones)
	printf 'plan:\n  min_contacts: 4\n' > demo.yaml
	jq -c '.opportunity.Account.Website = null | .contacts |= .[0:1] | .contacts[0].Email = "x@globex.io"' "$FIX/deals.jsonl" | head -n 1 | plan > out.jsonl
	assert_equal "$(domains < out.jsonl)" "globex.io"
	printf 'plan:\n  domains: ["Globex globex.example"]\n' > demo.yaml
	run plan < <(deal "")
	assert_failure 2
	assert_output --partial "plan.domains: 'Globex globex.example' is not ACCOUNT=DOMAIN"
}
