#!/usr/bin/env bash
# The cluster suite: agents on loopback, each exporting a proc snapshot (alternately this
# machine's /proc and a captured host), combined by one procsys mount.
#   hub:  the mount pulls from every agent (HUB_COUNTS, default 1 2 4 8 16 32 64 128);
#   tree: ceil(sqrt(N)) `procsys node --export combined` mid nodes, each over its share of the
#         agents, and a top mount over the mids (TREE_COUNTS, default 16 64 128);
#   node_exporter: the baseline a user would pick instead, one Debian prometheus-node-exporter
#         per host (--path.procfs on the same snapshots, meminfo collector only), scraped at once
#         and summed (NE_COUNTS, default = HUB_COUNTS).
# Measured per point: combined meminfo and stat read latency (p50/p99) with 1 and 8 readers,
# `free` and `ps -ef` run through the mount (median ms), the top daemon's RSS, and its CPU per
# combined meminfo read. The agents share one JVM and its threads (AgentFarm): on a real cluster
# each host has its own machine, here all share 2 cores with the mount.
# Writes bench-results/cluster.json and cluster.md. Needs root.
# Knobs: READS (default 1000), WARMUP (3000: JIT warm-up reads at up to 16 hosts, fewer above), TOOL_RUNS (5).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/prepare.sh"
command -v prometheus-node-exporter >/dev/null || apt-get install -y -qq prometheus-node-exporter >/dev/null
work=$(mktemp -d /tmp/procsys-cluster-bench.XXXXXX)
fixture="$here/procsys-fs/src/test/data/hosts/prometheus-procfs"
reads=${READS:-1000}; warmup=${WARMUP:-3000}; tool_runs=${TOOL_RUNS:-5}
port=21000
pids=()
mounts=()
cleanup() {
    for m in "${mounts[@]}"; do grep -q " $m " /proc/self/mounts && "$here/procsys" umount "$m" 2>/dev/null || true; done
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
results="$work/results.jsonl"
: > "$results"

start_farm() {  # $1 = agents; sets farm_base
    local fifo; fifo=$(mktemp -u); mkfifo "$fifo"
    farm_base=$port; port=$((port + $1))
    $java -cp "$jar" io.procsys.bench.AgentFarm "$1" "$farm_base" /proc "$fixture" > "$fifo" 2>/dev/null &
    pids+=($!)
    read -r _ < "$fifo"; rm -f "$fifo"
}

wait_up() {  # $1 = mount, $2 = peers expected UP
    for _ in $(seq 300); do
        [[ $("$here/procsys" status --json "$1" 2>/dev/null | grep -o '"UP"' | wc -l) -ge $2 ]] && return 0
        sleep 0.1
    done
    echo "peers of $1 not up" >&2; return 1
}

daemon_of() { sed -n 's/.*daemon pid \([0-9]*\).*/\1/p' <<< "$1"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }


measure() {  # $1 = topology, $2 = hosts, $3 = mount, $4 = daemon pid
    local t=$1 n=$2 m=$3 d=$4 before after r
    # warm the daemon's JIT first (not counted): a fixed number of reads, fewer for big clusters
    local warm=$(( warmup * 16 / (n < 16 ? 16 : n) + 100 ))
    for file in meminfo stat; do $java -cp "$jar" io.procsys.bench.ReadLatency "$m/$file" "$warm" 0 2 >/dev/null 2>&1; done
    for file in meminfo stat; do
        for readers in 1 8; do
            before=$(cpu_ticks "$d")
            r=$($java -cp "$jar" io.procsys.bench.ReadLatency "$m/$file" "$reads" 0 "$readers" 2>/dev/null)
            after=$(cpu_ticks "$d")
            local cpu_us=$(( (after - before) * 10000 / reads ))
            echo "{\"topology\": \"$t\", \"hosts\": $n, \"measure\": \"$file\", \"cpu_us_per_read\": $cpu_us, ${r#\{}" >> "$results"
            echo "$t $n $file readers=$readers $r cpu/read=${cpu_us}us"
        done
    done
    for tool in free "ps -ef"; do
        local ms; ms=$(median_ms_over_proc "$tool_runs" "$m" $tool)
        echo "{\"topology\": \"$t\", \"hosts\": $n, \"measure\": \"$tool\", \"median_ms\": $ms}" >> "$results"
        echo "$t $n $tool median ${ms} ms"
    done
    local rss; rss=$(awk '/^VmRSS/{print $2}' "/proc/$d/status")
    echo "{\"topology\": \"$t\", \"hosts\": $n, \"measure\": \"daemon\", \"rss_kb\": $rss}" >> "$results"
    echo "$t $n daemon RSS ${rss} kB"
}

stop_all() {
    for m in "${mounts[@]}"; do "$here/procsys" umount "$m" 2>/dev/null || true; done
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    mounts=(); pids=()
}

for n in ${HUB_COUNTS-1 2 4 8 16 32 64 128}; do
    start_farm "$n"
    peers=(); for ((i = 0; i < n; i++)); do peers+=(--peer "a$i=127.0.0.1:$((farm_base + i))"); done
    mkdir -p "$work/hub"; mounts+=("$work/hub")
    msg=$("$here/procsys" mount --insecure --name hub "${peers[@]}" "$work/hub" 2>&1)
    wait_up "$work/hub" "$n"
    measure hub "$n" "$work/hub" "$(daemon_of "$msg")"
    stop_all
done

for n in ${TREE_COUNTS-16 64 128}; do
    start_farm "$n"
    k=$(awk -v n="$n" 'BEGIN{k=int(sqrt(n)); if (k*k<n) k++; print k}')
    top_peers=()
    for ((j = 0; j < k; j++)); do
        mid_peers=()
        for ((i = j; i < n; i += k)); do mid_peers+=(--peer "a$i=127.0.0.1:$((farm_base + i))"); done
        mkdir -p "$work/mid$j"; mounts+=("$work/mid$j")
        mid_port=$port; port=$((port + 1))
        "$here/procsys" node --insecure --name "mid$j" --export combined --listen "127.0.0.1:$mid_port" \
            "${mid_peers[@]}" "$work/mid$j" > "$work/mid$j.log" 2>&1 &
        pids+=($!)
        top_peers+=(--peer "mid$j=127.0.0.1:$mid_port")
    done
    for ((j = 0; j < k; j++)); do
        for _ in $(seq 300); do grep -q " $work/mid$j " /proc/self/mounts && break; sleep 0.1; done
    done
    mkdir -p "$work/top"; mounts+=("$work/top")
    # the top waits longer than the mids, so a slow leaf costs only itself (see TreeTopologyIT)
    msg=$("$here/procsys" mount --insecure --name top --deadline-ms 1000 "${top_peers[@]}" "$work/top" 2>&1)
    wait_up "$work/top" "$k"
    sleep 1
    measure tree "$n" "$work/top" "$(daemon_of "$msg")"
    stop_all
done

for n in ${NE_COUNTS-${HUB_COUNTS:-1 2 4 8 16 32 64 128}}; do
    base=$port; port=$((port + n))
    for ((i = 0; i < n; i++)); do
        root=/proc; (( i % 2 )) && root=$fixture
        prometheus-node-exporter --web.listen-address="127.0.0.1:$((base + i))" --path.procfs="$root" \
            --collector.disable-defaults --collector.meminfo > /dev/null 2>&1 &
        pids+=($!)
    done
    for ((i = 0; i < n; i++)); do
        for _ in $(seq 100); do (echo > "/dev/tcp/127.0.0.1/$((base + i))") 2>/dev/null && break; sleep 0.05; done
    done
    r=$($java -cp "$jar" io.procsys.bench.ScrapeSum "$n" "$base" "${NE_ROUNDS:-200}" 50)
    echo "{\"topology\": \"node_exporter\", \"hosts\": $n, \"measure\": \"meminfo\", \"readers\": 1, ${r#\{}" >> "$results"
    echo "node_exporter $n $r"
    stop_all
done

{ echo "["; sed '$!s/$/,/' "$results"; echo "]"; } > "$out/cluster.json"
$java -cp "$jar" io.procsys.bench.ClusterReport "$out/cluster.json" > "$out/cluster.md"
cat "$out/cluster.md"
