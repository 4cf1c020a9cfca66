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
	export PATH="$TOP/bin:$PATH"
	unset DG_CONFIG DG_SHARE DG_RUN_DIR
	cd "$BATS_TEST_TMPDIR"
}

# plan [ARGS...] < deals: dg-plan at the suite's fixed time.
plan() { dg-plan --now "$NOW" "$@"; }
# pipeline FILE: plan, content and score of FILE into pipeline.jsonl.
pipeline() { dg-plan --now "$NOW" "$1" | dg-content | dg-score > pipeline.jsonl; }
