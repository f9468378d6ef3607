#!/usr/bin/env bash
# Fuzzes what a hostile peer can reach, with Jazzer (coverage-guided, libFuzzer inside the JVM):
# the frame decoder on both ends and every aggregator. Each target runs 20 s (its @FuzzTest
# maxDuration) in its own JVM; a finding fails the run and is saved under src/test/resources as a
# regression input, replayed by every later `mvn test`. The corpus is kept in
# <module>/.cifuzz-corpus (ignored by git), so running this again continues the campaign:
# ROUNDS=N runs every target N times.
# Each target builds what it needs in the same reactor (-am), so nothing depends on what an
# earlier build left in ~/.m2. A failure prints what failed, the log's tail and the command
# that replays it, and exits 1. The last line counts the targets: "fuzz: N targets passed".
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/scripts/find-jdk.sh"
procsys_find_jdk
cd "$here"
rounds=${ROUNDS:-1}
targets=(
    "procsys-net FrameDecoderFuzzTest#agentSideDecoding"
    "procsys-net FrameDecoderFuzzTest#clientSideDecoding"
    "procsys-net FrameDecoderFuzzTest#processTableDecoding"
    "procsys-net FrameDecoderFuzzTest#actionDecoding"
    "procsys-fs AggregatorFuzzTest#hostilePartIsDroppedOrCombined"
)
log=$(mktemp /tmp/procsys-fuzz.XXXXXX)
trap 'rm -f "$log"' EXIT
passed=0
for ((round = 1; round <= rounds; round++)); do
for target in "${targets[@]}"; do
    read -r module test <<< "$target"
    command=(mvn -B -q test -pl "$module" -am -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false)
    if ! JAZZER_FUZZ=1 JAVA_HOME=$PROCSYS_JAVA_HOME "${command[@]}" >"$log" 2>&1; then
        {
            echo "fuzz: $test FAILED"
            echo "---- last 40 lines of its log ----"
            tail -n 40 "$log"
            echo "----"
            findings=$(grep -oE "[^ ]*crash-[0-9a-f]+" "$log" | sort -u || true)
            [[ -n "$findings" ]] && echo "fuzz: finding(s) kept as regression input(s): $findings"
            echo "fuzz: replay with: JAVA_HOME=$PROCSYS_JAVA_HOME ${command[*]}   (add JAZZER_FUZZ=1 to fuzz again)"
        } >&2
        exit 1
    fi
    runs=$(grep -E '^Done [0-9]+ runs' "$log" | tail -1 || true)
    echo "fuzz: $test: ${runs:-finished (no run count printed)}"
    passed=$((passed + 1))
done
done
echo "fuzz: $passed targets passed"
