#!/usr/bin/env bash
# One fresh `procsys agent` (the launcher's JVM settings, mutual TLS), as benchmarks/cluster.sh's
# last measurement: its CPU per request over requests 0-200, 200-1000, 1000-5000 and 5000-N
# (io.procsys.bench.AgentCost) and its RSS after them; then its threads and memory breakdown.
#   benchmarks/agent-cost.sh [RUNS]        (default 3; prints one line per run)
# Each run starts a new agent; a lever is what the launcher reads from the environment, e.g.
#   PROCSYS_JAVA_OPTS=-Dio.netty.allocator.type=unpooled benchmarks/agent-cost.sh
#   MALLOC_ARENA_MAX=1 benchmarks/agent-cost.sh
# Knobs: COST_REQUESTS (default 30000), COST_FILE (loadavg), NMT=1 (adds the JVM's native memory
# summary; NMT itself costs some memory, so its runs' RSS is not comparable), NO_BUILD=1 (use
# the built jars as they are), LAUNCHER (another checkout's ./procsys, for an A/B; default this one).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/scripts/find-jdk.sh"
procsys_find_jdk
java="$PROCSYS_JAVA_HOME/bin/java"
jar="$here/benchmarks/target/benchmarks.jar"
[[ -n "${NO_BUILD:-}" ]] || (cd "$here" && JAVA_HOME=$PROCSYS_JAVA_HOME mvn -B -q -o -DskipTests package)
runs=${1:-3}
work=$(mktemp -d /tmp/procsys-agent-cost.XXXXXX)
agent=
cleanup() {
    [[ -n "$agent" ]] && kill "$agent" 2>/dev/null && wait "$agent" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
"$here/procsys" certs --out "$work/certs" a0 hub >/dev/null 2>&1
port=$((22000 + RANDOM % 1000))
[[ -n "${NMT:-}" ]] && export PROCSYS_JAVA_OPTS="${PROCSYS_JAVA_OPTS:-} -XX:NativeMemoryTracking=summary"
for ((run = 1; run <= runs; run++)); do
    port=$((port + 1))
    "${LAUNCHER:-$here/procsys}" agent --listen "127.0.0.1:$port" --name a0 --certs-dir "$work/certs" > "$work/agent.log" 2>&1 &
    agent=$!
    for _ in $(seq 600); do grep -q exporting "$work/agent.log" && break; sleep 0.1; done
    grep -q exporting "$work/agent.log" || { cat "$work/agent.log" >&2; exit 1; }
    startup_ms=$(awk '{print ($14 + $15) * 10}' "/proc/$agent/stat")
    r=$("$java" -cp "$here/benchmarks/target/benchmarks.jar" io.procsys.bench.AgentCost "127.0.0.1:$port" "$agent" \
        "${COST_FILE:-loadavg}" "${COST_REQUESTS:-30000}" "$work/certs/hub.pem" "$work/certs/hub-key.pem" "$work/certs/ca.pem" 2>/dev/null)
    threads=$(ls "/proc/$agent/task" | wc -l)
    anon=$(awk '/^Rss_Anon|^Anonymous/ {print $2; exit}' "/proc/$agent/smaps_rollup")
    echo "run $run: startup ${startup_ms} ms CPU, threads $threads, anon ${anon} kB, $r"
    if [[ -n "${NMT:-}" ]]; then
        "$PROCSYS_JAVA_HOME/bin/jcmd" "$agent" VM.native_memory summary | grep -E '^-|committed=' | grep -E '^\s*-|Total' | sed 's/^/    /'
    fi
    [[ -n "${SMAPS:-}" ]] && cat "/proc/$agent/smaps_rollup" | sed 's/^/    /'
    kill "$agent"; wait "$agent" 2>/dev/null || true; agent=
done
