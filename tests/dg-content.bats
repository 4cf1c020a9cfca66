#!/usr/bin/env bats
# dg-content: subjects and bodies.
load helper

@test "-h prints usage; misuse and an unknown mode exit 2" {
	run dg-content -h
	assert_success
	assert_line --index 0 "usage: dg-content [-c FILE] [--seed N] [--mode heuristic|llm|hybrid] [-j N] [--no-cache] [FILE...]"
	run dg-content --nope
	assert_failure 2
	run --separate-stderr dg-content --mode poetry < /dev/null
	assert_failure 2
	[[ "$stderr" == *"'poetry' is not one of heuristic, llm, hybrid"* ]]
}

@test "every activity gets a subject and a body within Salesforce limits, no residue" {
	"$TOP/bench/gen-deals" 300 4 | plan | dg-content > out.jsonl
	run jq -r '.activities[] | select((.subject|length) == 0 or (.body|length) == 0 or (.subject|utf8bytelength) > 255 or (.body|utf8bytelength) > 32000) | .key' out.jsonl
	assert_output ""
	run bash -c "jq -r '.activities[] | .subject, .body' out.jsonl | grep -c '[{}]'"
	assert_output "0"
}

@test "a huge account name is cut to 255 bytes on a character boundary" {
	name=$(printf 'Zoë%.0s' $(seq 1 200))
	echo "{\"opportunity\":{\"Id\":\"006L\",\"StageName\":\"Qualification\",\"Account\":{\"Name\":\"$name\"}}}" | plan | dg-content > out.jsonl
	run jq -r '[.activities[].subject | utf8bytelength] | max' out.jsonl
	[ "$output" -le 255 ]
	jq -e '[.activities[] | .subject + .body | contains("\ufffd")] | any | not' out.jsonl
}

@test "one deal tells one story: the story's facts appear unchanged in its text" {
	plan "$FIX/deals.jsonl" | dg-content > out.jsonl
	run jq -r '. as $d | .activities[] | select(.topics | index("pain")) | select(.when=="past") |
		select((.body | ascii_downcase | contains($d.story.pain | ascii_downcase)) | not) | .key' out.jsonl
	assert_output ""
}

@test "wording varies between deals" {
	"$TOP/bench/gen-deals" 100 9 | plan | dg-content > out.jsonl
	total=$(jq -r '.activities[] | select(.kind=="meeting" and .when=="past") | .body' out.jsonl | grep -c '^Notes$')
	distinct=$(jq -r '.activities[] | select(.kind=="meeting" and .when=="past") | .body | split("\n\nNotes\n")[1] | split("\n")[0]' out.jsonl | sort -u | wc -l)
	echo "notes=$total distinct first note lines=$distinct"
	[ "$distinct" -ge $((total / 2)) ]
}

@test "replies say Re: and quote what they answer" {
	"$TOP/bench/gen-deals" 40 2 | plan | dg-content > out.jsonl
	n=$(jq -r '.activities[] | select(.reply_to) | .subject' out.jsonl | wc -l)
	[ "$n" -gt 0 ]
	run bash -c "jq -r '.activities[] | select(.reply_to) | .subject' out.jsonl | grep -vc '^Re: '"
	assert_output "0"
	jq -e -s '[.[].activities[] | select(.reply_to) | .body | test("\n> ")] | all' out.jsonl
}

@test "meeting notes name the attendees; upcoming meetings get an agenda, not notes" {
	plan "$FIX/deals.jsonl" | dg-content > out.jsonl
	jq -e -s '[.[].activities[] | select(.kind=="meeting") | .body | startswith("Attendees: ") or startswith("Planned agenda")] | all' out.jsonl
	jq -e -s '[.[].activities[] | select(.kind=="meeting" and .when=="upcoming") | .body | contains("Notes") | not] | all' out.jsonl
}

@test "deterministic, and keys it does not own pass through" {
	plan "$FIX/deals.jsonl" | jq -c '.extra = {"mine": [1, "two"]}' > in.jsonl
	dg-content in.jsonl > a.jsonl
	dg-content in.jsonl > b.jsonl
	cmp a.jsonl b.jsonl
	jq -e -s 'all(.extra == {"mine": [1, "two"]})' a.jsonl
	diff <(jq -c 'del(.activities)' in.jsonl) <(jq -c 'del(.activities)' a.jsonl)
}

@test "a bad record is reported and skipped; exit 3" {
	{ plan "$FIX/deals.jsonl" | head -n1; echo 'nope'; echo '{"opportunity":{"Id":"006Q"},"activities":[{"kind":"meeting"}]}'; } > in.jsonl
	run --separate-stderr dg-content in.jsonl
	assert_failure 3
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]
	[[ "$stderr" == *"in.jsonl:2: "* ]]
	[[ "$stderr" == *"in.jsonl:3: activity 0 has no valid 'key', 'kind' and 'start'"* ]]
}
