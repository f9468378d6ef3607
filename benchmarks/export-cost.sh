#!/usr/bin/env bash
# What an agent costs the level above, by what it exports (issue 20: "a node exporting a mount or
# a captured tree answers within 1.2x of one exporting the live /proc"). One process per exporter,
# mutual TLS, as users run them:
#   live:     `procsys agent` on /proc;
#   captured: `procsys agent --proc-root DIR`, DIR a capture of this machine's /proc files on disk;
#   node:     `procsys node --export combined` over one agent (its leaf), with the node's defaults
#             (--cache-ms 200: its combined files are shared by reads within 200 ms);
#   node0:    the same with --cache-ms 0 (every read a fan-out to its leaf).
# A mount with --cache-ms 0 reads hosts/NAME/meminfo of each in turn, READS times per round (after
# WARMUP), ROUNDS rounds interleaved; prints p50/p99 per exporter and per round, and the ratios to
# live. Writes bench-results/export-cost.json. Needs root.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/prepare.sh"
reads=${READS:-2000}; warmup=${WARMUP:-3000}; rounds=${ROUNDS:-3}
work=$(mktemp -d /tmp/procsys-export-cost.XXXXXX)
pids=(); mounts=()
cleanup() {
    for m in "${mounts[@]}"; do "$here/procsys" umount "$m" 2>/dev/null || true; done
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
"$here/procsys" certs --out "$work/certs" top live captured leaf node node0 >/dev/null 2>&1
tls=(--certs-dir "$work/certs")
mkdir -p "$work/capture"
for f in meminfo stat loadavg uptime cpuinfo vmstat diskstats swaps; do cp "/proc/$f" "$work/capture/$f"; done

port=$((23000 + RANDOM % 2000))
start() {  # $1 = name, rest = the command's arguments after the launcher
    local name=$1; shift
    "$here/procsys" "$@" > "$work/$name.log" 2>&1 &
    pids+=($!)
}
start live agent --listen "127.0.0.1:$port" --name live "${tls[@]}"
start captured agent --listen "127.0.0.1:$((port + 1))" --name captured --proc-root "$work/capture" "${tls[@]}"
start leaf agent --listen "127.0.0.1:$((port + 2))" --name leaf "${tls[@]}"
for name in live captured leaf; do wait_agent "$work/$name.log"; done
mkdir -p "$work/node" "$work/node0"; mounts+=("$work/node" "$work/node0")
start node node --export combined --listen "127.0.0.1:$((port + 3))" --name node --peer "leaf=127.0.0.1:$((port + 2))" "${tls[@]}" "$work/node"
start node0 node --export combined --listen "127.0.0.1:$((port + 4))" --name node0 --cache-ms 0 --peer "leaf=127.0.0.1:$((port + 2))" "${tls[@]}" "$work/node0"
for name in node node0; do
    for _ in $(seq 600); do grep -q 'agent on' "$work/$name.log" && break; sleep 0.1; done
done
mkdir -p "$work/top"; mounts+=("$work/top")
"$here/procsys" mount --name top --cache-ms 0 "${tls[@]}" --peer "live=127.0.0.1:$port" --peer "captured=127.0.0.1:$((port + 1))" \
    --peer "node=127.0.0.1:$((port + 3))" --peer "node0=127.0.0.1:$((port + 4))" "$work/top" >/dev/null
wait_up "$work/top" 4

exporters=(live captured node node0)
for e in "${exporters[@]}"; do $java -cp "$jar" io.procsys.bench.ReadLatency "$work/top/hosts/$e/meminfo" "$warmup" 0 >/dev/null; done
results="$work/results.jsonl"; : > "$results"
for ((r = 1; r <= rounds; r++)); do
    for e in "${exporters[@]}"; do
        line=$($java -cp "$jar" io.procsys.bench.ReadLatency "$work/top/hosts/$e/meminfo" "$reads" 0)
        echo "{\"round\": $r, \"exporter\": \"$e\", ${line#\{}" >> "$results"
        echo "round $r $e $line"
    done
done
python3 - "$results" "$out/export-cost.json" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {}
for r in rows: by.setdefault(r["exporter"], []).append(r)
summary = {e: {"p50_us": statistics.median(x["p50_us"] for x in v), "p99_us": statistics.median(x["p99_us"] for x in v)} for e, v in by.items()}
for e, s in summary.items():
    live = summary["live"]
    print(f"export-cost: {e} p50_us={s['p50_us']:.0f} p99_us={s['p99_us']:.0f} ratio_p50={s['p50_us']/live['p50_us']:.2f} ratio_p99={s['p99_us']/live['p99_us']:.2f}")
json.dump({"rows": rows, "summary": summary}, open(sys.argv[2], "w"), indent=1)
PY
