#!/usr/bin/env bash
# Combined `cat meminfo` latency against the number of agents (1 2 4 8 16 32 by default): for each
# count, N agents on loopback in one JVM (half exporting this machine's /proc, half a captured
# host), a procsys mount combining them, and 2000 open+read+close of the combined meminfo from a
# separate process. Prints a table (p50/p99/max µs) and writes bench-results/cluster.json.
# Needs root. Counts via COUNTS="1 2 4", reads via READS=2000, warm-up reads (not counted) via WARMUP=2000.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/prepare.sh"
mnt=$(mktemp -d /tmp/procsys-cluster-bench.XXXXXX)
base=21000
reads=${READS:-2000}
farm=""
cleanup() {
    grep -q " $mnt " /proc/self/mounts && "$here/procsys" umount "$mnt" || true
    [[ -n "$farm" ]] && kill "$farm" 2>/dev/null || true
    rmdir "$mnt" 2>/dev/null || true
}
trap cleanup EXIT

echo "| agents | p50 (µs) | p99 (µs) | max (µs) | errors |" | tee "$out/cluster.md"
echo "|---:|---:|---:|---:|---:|" | tee -a "$out/cluster.md"
echo "[" > "$out/cluster.json"
first=1
for n in ${COUNTS:-1 2 4 8 16 32}; do
    fifo=$(mktemp -u); mkfifo "$fifo"
    $java -cp "$jar" io.procsys.bench.AgentFarm "$n" "$base" /proc "$here/procsys-fs/src/test/data/hosts/prometheus-procfs" > "$fifo" 2>/dev/null &
    farm=$!
    read -r _ < "$fifo"; rm -f "$fifo"
    peers=()
    for ((i = 0; i < n; i++)); do peers+=(--peer "a$i=127.0.0.1:$((base + i))"); done
    "$here/procsys" mount --insecure --name bench "${peers[@]}" "$mnt" 2>/dev/null
    for _ in $(seq 100); do
        up=$("$here/procsys" status --json "$mnt" | grep -c '"UP"' || true)
        [[ "$up" -eq "$n" ]] && break
        sleep 0.1
    done
    result=$($java -cp "$jar" io.procsys.bench.ReadLatency "$mnt/meminfo" "$reads" "${WARMUP:-2000}")
    p50=$(sed 's/.*"p50_us": \([0-9]*\).*/\1/' <<< "$result"); p99=$(sed 's/.*"p99_us": \([0-9]*\).*/\1/' <<< "$result")
    max=$(sed 's/.*"max_us": \([0-9]*\).*/\1/' <<< "$result"); errors=$(sed 's/.*"errors": \([0-9]*\).*/\1/' <<< "$result")
    echo "| $n | $p50 | $p99 | $max | $errors |" | tee -a "$out/cluster.md"
    [[ $first -eq 1 ]] || echo "," >> "$out/cluster.json"; first=0
    echo "{\"agents\": $n, \"result\": $result}" >> "$out/cluster.json"
    "$here/procsys" umount "$mnt"
    kill "$farm"; wait "$farm" 2>/dev/null || true; farm=""
    base=$((base + n))
done
echo "]" >> "$out/cluster.json"
