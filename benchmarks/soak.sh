#!/usr/bin/env bash
# The long soak (issue 4): SoakIT for SECONDS (default 600) — the real daemon with two agent
# processes as peers, 8 readers of mixed files, ps -ef through procsys exec in a loop, one peer
# restarted every 30 s. Prints one SOAK line: reads, errors, p99, daemon RSS and fds at start/end.
# HOSTILE=1: HostileSoakIT instead (issue 36): the daemon over two honest agents and six hostile
# peers (silent, trickling, lying in its Welcome, churning pids, forging pid fields, a node naming
# a thousand new hosts a reply), baseline first; prints HOSTILE-SOAK lines: the honest listing and
# read times with and without the attack, the daemon's heap after GC, RSS and fds every minute.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/scripts/setup.sh" --no-build
source "$here/scripts/find-jdk.sh"
procsys_find_jdk
cd "$here"
log=$(mktemp /tmp/procsys-soak.XXXXXX)
trap 'rm -f "$log"' EXIT
status=0
test=SoakIT
[[ ${HOSTILE:-0} == 1 ]] && test=HostileSoakIT
JAVA_HOME=$PROCSYS_JAVA_HOME mvn -B -q verify -pl native-bindings,procsys-net,procsys-fs -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test=$test -Dprocsys.soak.seconds="${SECONDS_TO_RUN:-600}" -Dprocsys.hostile.soak.seconds="${SECONDS_TO_RUN:-600}" \
    -Dfailsafe.printSummary=true >"$log" 2>&1 || status=$?
grep -E 'SOAK|FAIL|ERROR' "$log" || true
grep -ho "SOAK[^]]*" procsys-fs/target/failsafe-reports/TEST-io.procsys.it.$test.xml 2>/dev/null || true
if (( status != 0 )); then
    echo "soak: FAILED (exit $status); last lines of the log:" >&2
    tail -n 40 "$log" >&2
    exit "$status"
fi
