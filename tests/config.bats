#!/usr/bin/env bats
# Configuration: file choice, errors with positions, unknown keys, ${VAR}.
load helper

one_deal() { head -n 1 "$FIX/deals.jsonl"; }

@test "demo.example.yaml loads cleanly and changes nothing from the defaults" {
	one_deal | plan > default.jsonl
	one_deal | plan -c "$TOP/demo.example.yaml" > example.jsonl
	cmp default.jsonl example.jsonl
}

@test "a misspelt key is an error naming file, line, column and a suggestion" {
	printf 'plan:\n  meetings:\n    past:\n      mx: 4\n' > demo.yaml
	run --separate-stderr bash -c "head -n1 '$FIX/deals.jsonl' | dg-plan --now $NOW"
	assert_failure 2
	[[ "$stderr" == "dg-plan: demo.yaml:4:7: unknown key 'plan.meetings.past.mx' (did you mean 'max'?)" ]]
}

@test "a wrong type and a bad range name the place and what is expected" {
	printf 'plan:\n  emails:\n    min: lots\n' > bad.yaml
	run --separate-stderr dg-plan -c bad.yaml < /dev/null
	assert_failure 2
	[[ "$stderr" == *"bad.yaml:3:10: 'plan.emails.min' must be a whole number, not 'lots'"* ]]
	printf 'plan:\n  emails:\n    min: 9\n    max: 3\n' > bad.yaml
	run --separate-stderr dg-plan -c bad.yaml < /dev/null
	assert_failure 2
	[[ "$stderr" == *"bad.yaml:4:10: plan.emails.max must be at least plan.emails.min (9)"* ]]
}

@test "every error in a file is reported, not just the first" {
	printf 'sed: 1\nplan:\n  timezon: UTC\n' > bad.yaml
	run --separate-stderr dg-plan -c bad.yaml < /dev/null
	assert_failure 2
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 2 ]
}

@test "config is found by -c, then DG_CONFIG, then ./demo.yaml" {
	printf 'seed: 1\n' > demo.yaml
	printf 'seed: 2\n' > env.yaml
	printf 'seed: 3\n' > opt.yaml
	one_deal | plan > a.jsonl
	one_deal | DG_CONFIG=env.yaml plan > b.jsonl
	one_deal | DG_CONFIG=env.yaml plan -c opt.yaml > c.jsonl
	one_deal | plan --seed 1 -c opt.yaml > d.jsonl
	one_deal | plan -c opt.yaml > e.jsonl
	cmp a.jsonl d.jsonl
	! cmp -s a.jsonl b.jsonl
	! cmp -s b.jsonl c.jsonl
	cmp c.jsonl e.jsonl
}

@test "a missing config file named with -c is an error" {
	run --separate-stderr dg-plan -c nowhere.yaml < /dev/null
	assert_failure 2
	[[ "$stderr" == *"cannot open config 'nowhere.yaml'"* ]]
}

@test "\${VAR} expands from the environment; an unset one is an error" {
	printf 'company:\n  name: ${DG_TEST_COMPANY}\n' > demo.yaml
	DG_TEST_COMPANY="Contoso Cloud" run bash -c "head -n1 '$FIX/deals.jsonl' | dg-plan --now $NOW | dg-content"
	assert_success
	assert_output --partial "Contoso Cloud"
	unset DG_TEST_COMPANY
	run --separate-stderr dg-plan < /dev/null
	assert_failure 2
	[[ "$stderr" == *"demo.yaml:2:9: environment variable 'DG_TEST_COMPANY' is not set"* ]]
}

@test "an unknown time zone in the config is refused" {
	printf 'plan:\n  timezone: Atlantis/Capital\n' > demo.yaml
	run --separate-stderr dg-plan < /dev/null
	assert_failure 2
	[[ "$stderr" == *"unknown time zone 'Atlantis/Capital'"* ]]
}

@test "bad --seed and --now are usage errors" {
	run dg-plan --seed -1 < /dev/null
	assert_failure 2
	run dg-plan --now yesterday < /dev/null
	assert_failure 2
}

@test "a scorecard template that does not exist is refused at load, with the closest name" {
	printf 'score:\n  template: MEDIC\n' > demo.yaml
	run --separate-stderr dg-config
	assert_failure 2
	assert_equal "$stderr" "dg-config: demo.yaml:2:13: 'score.template' 'MEDIC' is not a template (BANT, MEDDICC, MEDDPICC, SPICED, or a .yaml file of yours); did you mean 'MEDDICC'?"
	printf 'score:\n  template: spiced\n' > demo.yaml
	run --separate-stderr dg-config
	assert_failure 2
	[[ "$stderr" == *"did you mean 'SPICED'?"* ]]
	printf 'score:\n  template: BANT\n' > demo.yaml
	run --separate-stderr dg-config
	assert_success
	printf 'score:\n  template: ./mine.yaml\n' > demo.yaml
	run --separate-stderr dg-config
	assert_success
}
