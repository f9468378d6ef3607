#!/usr/bin/env bash
# Fuzzes what a hostile peer can reach, with Jazzer (coverage-guided, libFuzzer inside the JVM):
# the frame decoder on both ends and every aggregator. Each target runs 20 s (its @FuzzTest
# maxDuration) in its own JVM; a finding fails the run and is saved under src/test/resources as a
# regression input, replayed by every later `mvn test`. The corpus is kept in
# <module>/.cifuzz-corpus (ignored by git), so running this again continues the campaign:
# ROUNDS=N runs every target N times. Run after a build (scripts/test.sh runs it last).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/scripts/find-jdk.sh"
procsys_find_jdk
cd "$here"
rounds=${ROUNDS:-1}
targets=(
    "procsys-net FrameDecoderFuzzTest#agentSideDecoding"
    "procsys-net FrameDecoderFuzzTest#clientSideDecoding"
    "procsys-fs AggregatorFuzzTest#hostilePartIsDroppedOrCombined"
)
log=$(mktemp /tmp/procsys-fuzz.XXXXXX)
trap 'rm -f "$log"' EXIT
for ((round = 1; round <= rounds; round++)); do
for target in "${targets[@]}"; do
    read -r module test <<< "$target"
    if ! JAZZER_FUZZ=1 JAVA_HOME=$PROCSYS_JAVA_HOME mvn -B -o -q surefire:test -pl "$module" -Dtest="$test" \
            -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1; then
        grep -E "== Java Exception|Caused by|crash-|Test.*FAIL" "$log" | head -20 >&2
        echo "fuzz: $test FAILED (full log above; the finding is kept as a regression input)" >&2
        exit 1
    fi
    echo "fuzz: $test: $(grep -E '^Done [0-9]+ runs' "$log" | tail -1)"
done
done
