#!/usr/bin/env bash
# Fuzzes what a hostile peer can reach, with Jazzer (coverage-guided, libFuzzer inside the JVM):
# the frame decoder on both ends and every aggregator. The targets are the surefire executions of
# the `fuzz` profile (procsys-net/pom.xml, procsys-fs/pom.xml): one Maven run builds once (after
# `mvn verify`, nothing is compiled again) and runs each target in a JVM of its own (Jazzer fuzzes
# one @FuzzTest per JVM) for 5 s (its @FuzzTest maxDuration). A finding fails the run and is
# saved under src/test/resources as a regression input, replayed by every later `mvn test`. The
# corpus is kept in <module>/.cifuzz-corpus (ignored by git), so running this again continues the
# campaign: ROUNDS=N runs every target N times.
# A failure prints what failed, the log's tail and the command that replays it, and exits 1.
# The last line counts the targets: "fuzz: N targets passed".
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/scripts/find-jdk.sh"
procsys_find_jdk
cd "$here"
rounds=${ROUNDS:-1}
log=$(mktemp /tmp/procsys-fuzz.XXXXXX)
trap 'rm -f "$log"' EXIT
# -DskipTests: native-bindings (built for the others) runs no test; the fuzz executions say skipTests=false
command=(mvn -B -Dstyle.color=never test -Pfuzz -pl procsys-net,procsys-fs -am -DskipTests)
# "fuzz: MODULE EXECUTION: Done N runs ..." for each target the log shows, in order
targets_run() {
    awk '
        function close_target() { if (target != "") print "fuzz: " target ": finished (no run count printed)"; target = "" }
        match($0, /[a-z-]*surefire[a-z-]*:[^ ]*:test \(fuzz-[^)]*\) @ [^ ]*/) {
            close_target()
            split(substr($0, RSTART, RLENGTH), w, " "); target = w[4] " " substr(w[2], 2, length(w[2]) - 2); next
        }
        target != "" && /^Done [0-9]+ runs/ { print "fuzz: " target ": " $0; target = "" }
        END { close_target() }
    ' "$log"
}
passed=0
for ((round = 1; round <= rounds; round++)); do
    if ! JAVA_HOME=$PROCSYS_JAVA_HOME "${command[@]}" >"$log" 2>&1; then
        {
            targets_run
            failed=$(grep -oE '[a-z-]*surefire[a-z-]*:[^ ]*:test \(fuzz-[^)]*\) @ [^ ]*' "$log" | tail -1 || true)
            echo "fuzz: FAILED in ${failed:-the build, before any target}"
            echo "---- last 40 lines of its log ----"
            tail -n 40 "$log"
            echo "----"
            findings=$(grep -oE "[^ ]*crash-[0-9a-f]+" "$log" | sort -u || true)
            [[ -n "$findings" ]] && echo "fuzz: finding(s) kept as regression input(s): $findings"
            echo "fuzz: replay with: JAVA_HOME=$PROCSYS_JAVA_HOME ${command[*]}"
        } >&2
        exit 1
    fi
    out=$(targets_run)
    [[ -n "$out" ]] || { echo "fuzz: Maven ran no fuzz target (see the fuzz profile in the poms)" >&2; tail -n 20 "$log" >&2; exit 1; }
    echo "$out"
    passed=$((passed + $(wc -l <<< "$out")))
done
echo "fuzz: $passed targets passed"
