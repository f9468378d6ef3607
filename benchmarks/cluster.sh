#!/usr/bin/env bash
# The cluster suite, as users deploy procsys: one `procsys agent` process per host (the launcher's
# JVM settings, mutual TLS with certificates from `procsys certs`), every agent exporting this
# machine's live /proc (so every host has this machine's processes), combined by one mount.
#   hub:  the mount pulls from every agent (HUB_COUNTS, default 1 8 32);
#   tree: ceil(sqrt(N)) `procsys node --export combined` mid nodes over the agents, a top mount
#         over the mids (TREE_COUNTS, default none);
#   node_exporter: the baseline, one Debian prometheus-node-exporter process per host on /proc
#         (meminfo collector only, its most favourable set-up), scraped at once and summed;
#   mirror: a single-host procsys mirror of this machine with as many processes as the cluster
#         view lists (spawned sleepers): the bar for ps -ef, top -bn1 and pgrep over the cluster;
#   farm: "daemon cost, agents in one JVM" at FARM_COUNTS (default 32): the same mount over
#         agents sharing one warm JVM, without TLS. No user runs that; it isolates the daemon.
# Read latencies are taken on a mount with --cache-ms 0, so every combined read is a fan-out to
# every agent (the default 200 ms would serve most back-to-back reads from the last one); the
# tools run on a second mount with the defaults a user gets.
# Measured per point: combined meminfo and stat read latency (p50/p99) with 1 and 8 readers; the
# daemon's CPU per combined meminfo read and RSS; the agents' CPU per request during those reads
# and their mean RSS; ps -ef, top -bn1 and pgrep through the mount (median ms). Then one fresh
# agent's CPU per request over its first 200, 1000, 5000 and 100 000 requests (AgentCost).
# Writes bench-results/cluster.json and cluster.md. Needs root.
# The node_exporter side is timed as the procsys side (both sides' figures are one reader's
# rounds, the same count after the same number of warm-up rounds, with a client of a few system
# calls per host: see ScrapeSum).
# Knobs: READS (default 1000), WARMUP (3000 JIT warm-up reads of the daemon), TOOL_RUNS (5; 0: no
# tools), HUB_COUNTS, TREE_COUNTS, NE_COUNTS (default = HUB_COUNTS), FARM_COUNTS, COST_REQUESTS
# (100000; 0: no fresh-agent cost).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/prepare.sh"
command -v prometheus-node-exporter >/dev/null || apt-get install -y -qq prometheus-node-exporter >/dev/null
work=$(mktemp -d /tmp/procsys-cluster-bench.XXXXXX)
reads=${READS:-1000}; warmup=${WARMUP:-3000}; tool_runs=${TOOL_RUNS:-5}
hub_counts=${HUB_COUNTS-1 8 32}
port=21000
pids=()
mounts=()
sleepers=()
cleanup() {
    for m in "${mounts[@]}"; do grep -q " $m " /proc/self/mounts && "$here/procsys" umount "$m" 2>/dev/null || true; done
    for p in "${pids[@]}" "${sleepers[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
results="$work/results.jsonl"
: > "$results"

# Certificates for the hub, the mids and up to 128 agents (once).
names=(hub); for ((i = 0; i < 128; i++)); do names+=("a$i"); done; for ((j = 0; j < 12; j++)); do names+=("mid$j"); done
"$here/procsys" certs --out "$work/certs" "${names[@]}" >/dev/null 2>&1
tls=(--certs-dir "$work/certs")

agent_pids=()
start_agents() {  # $1 = agents; sets agents_base; waits until each has warmed up and listens
    agents_base=$port; port=$((port + $1)); agent_pids=()
    for ((i = 0; i < $1; i++)); do
        "$here/procsys" agent --listen "127.0.0.1:$((agents_base + i))" --name "a$i" "${tls[@]}" > "$work/a$i.log" 2>&1 &
        pids+=($!); agent_pids+=($!)
    done
    for ((i = 0; i < $1; i++)); do
        wait_agent "$work/a$i.log" || return 1
    done
}

start_farm() {  # $1 = agents; sets agents_base (plaintext, one JVM)
    local fifo; fifo=$(mktemp -u); mkfifo "$fifo"
    agents_base=$port; port=$((port + $1)); agent_pids=()
    $java -cp "$jar" io.procsys.bench.AgentFarm "$1" "$agents_base" /proc > "$fifo" 2>/dev/null &
    pids+=($!); agent_pids+=($!)
    read -r _ < "$fifo"; rm -f "$fifo"
}

# warm-up before a latency measure (not counted): a fixed number of rounds, fewer for big clusters
# (it warms the daemon's JIT and the agents; for node_exporter, the client and the exporters)
warm_rounds() { echo $(( warmup * 16 / ($1 < 16 ? 16 : $1) + 100 )); }

daemon_of() { sed -n 's/.*daemon pid \([0-9]*\).*/\1/p' <<< "$1"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
agents_ticks() { local t=0 p; for p in "${agent_pids[@]}"; do t=$((t + $(cpu_ticks "$(java_pid "$p")"))); done; echo "$t"; }
agents_rss_kb() { local t=0 p; for p in "${agent_pids[@]}"; do t=$((t + $(awk '/^VmRSS/{print $2}' "/proc/$(java_pid "$p")/status"))); done; echo $((t / ${#agent_pids[@]})); }
# the launcher execs java, so the background pid is the JVM's
java_pid() { echo "$1"; }

measure() {  # $1 = topology, $2 = hosts, $3 = mount, $4 = daemon pid
    local t=$1 n=$2 m=$3 d=$4 before after abefore aafter r
    local warm; warm=$(warm_rounds "$n")
    for file in meminfo stat; do $java -cp "$jar" io.procsys.bench.ReadLatency "$m/$file" "$warm" 0 2 >/dev/null 2>&1; done
    for file in meminfo stat; do
        for readers in 1 8; do
            before=$(cpu_ticks "$d"); abefore=$(agents_ticks)
            r=$($java -cp "$jar" io.procsys.bench.ReadLatency "$m/$file" "$reads" 0 "$readers" 2>/dev/null)
            after=$(cpu_ticks "$d"); aafter=$(agents_ticks)
            local cpu_us=$(( (after - before) * 10000 / reads ))
            local agent_us=$(( (aafter - abefore) * 10000 / (reads * n) ))
            echo "{\"topology\": \"$t\", \"hosts\": $n, \"measure\": \"$file\", \"cpu_us_per_read\": $cpu_us, \"agent_cpu_us_per_request\": $agent_us, ${r#\{}" >> "$results"
            echo "$t $n $file readers=$readers $r daemon cpu/read=${cpu_us}us agent cpu/request=${agent_us}us"
        done
    done
    local rss; rss=$(awk '/^VmRSS/{print $2}' "/proc/$d/status")
    echo "{\"topology\": \"$t\", \"hosts\": $n, \"measure\": \"daemon\", \"rss_kb\": $rss, \"agent_rss_kb\": $(agents_rss_kb)}" >> "$results"
    echo "$t $n daemon RSS ${rss} kB, agents $(agents_rss_kb) kB each"
}

# the process tools measured against the mirror bar (pgrep -f reads every cmdline, -c only stat/status)
tools=("ps -ef" "top -bn1" "pgrep -c java" "pgrep -f java")
measure_tools() {  # $1 = topology, $2 = hosts, $3 = mount
    local t=$1 n=$2 m=$3 ms tool
    for tool in "${tools[@]}"; do
        ms=$(median_ms_over_proc "$tool_runs" "$m" $tool)
        echo "{\"topology\": \"$t\", \"hosts\": $n, \"measure\": \"$tool\", \"median_ms\": $ms}" >> "$results"
        echo "$t $n $tool median ${ms} ms"
    done
    [[ $t == hub ]] || return 0
    # the bar: a single-host mirror of this machine with as many processes as the cluster lists
    local processes; processes=$(unshare --mount --propagation private sh -c "mount --bind '$m' /proc && ps -e --no-headers | wc -l")
    local have; have=$(ps -e --no-headers | wc -l)
    for ((k = have; k < processes; k++)); do sleep 3600 & sleepers+=($!); done
    mkdir -p "$work/mirror"; mounts+=("$work/mirror")
    "$here/procsys" mount "$work/mirror" >/dev/null 2>&1
    for tool in "${tools[@]}"; do
        ms=$(median_ms_over_proc "$tool_runs" "$work/mirror" $tool)
        echo "{\"topology\": \"mirror\", \"hosts\": $n, \"measure\": \"$tool\", \"processes\": $processes, \"median_ms\": $ms}" >> "$results"
        echo "mirror of $processes processes $tool median ${ms} ms"
    done
    "$here/procsys" umount "$work/mirror" 2>/dev/null || true
    if (( ${#sleepers[@]} )); then  # (a bare `wait` would wait for the agents too)
        kill "${sleepers[@]}" 2>/dev/null || true
        wait "${sleepers[@]}" 2>/dev/null || true
    fi
    sleepers=()
}

stop_all() {
    for m in "${mounts[@]}"; do "$here/procsys" umount "$m" 2>/dev/null || true; done
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    mounts=(); pids=(); agent_pids=()
}

hub_point() {  # $1 = topology (hub|farm), $2 = hosts
    local t=$1 n=$2 msg
    if [[ $t == farm ]]; then start_farm "$n"; else start_agents "$n"; fi
    peers=(); for ((i = 0; i < n; i++)); do peers+=(--peer "a$i=127.0.0.1:$((agents_base + i))"); done
    mkdir -p "$work/hub"; mounts+=("$work/hub")
    if [[ $t == farm ]]; then
        msg=$("$here/procsys" mount --insecure --cache-ms 0 --name hub "${peers[@]}" "$work/hub" 2>&1)
    else
        msg=$("$here/procsys" mount "${tls[@]}" --cache-ms 0 --name hub "${peers[@]}" "$work/hub" 2>&1)
    fi
    wait_up "$work/hub" "$n"
    measure "$t" "$n" "$work/hub" "$(daemon_of "$msg")"
    if [[ $t != farm ]] && (( tool_runs > 0 )); then
        # the tools on a mount as a user gets it (default --cache-ms and --table-ms)
        mkdir -p "$work/tools"; mounts+=("$work/tools")
        "$here/procsys" mount "${tls[@]}" --name hub "${peers[@]}" "$work/tools" >/dev/null 2>&1
        wait_up "$work/tools" "$n"
        measure_tools "$t" "$n" "$work/tools"
    fi
    stop_all
}

for n in $hub_counts; do hub_point hub "$n"; done
for n in ${FARM_COUNTS-32}; do hub_point farm "$n"; done

for n in ${TREE_COUNTS-}; do
    start_agents "$n"
    k=$(awk -v n="$n" 'BEGIN{k=int(sqrt(n)); if (k*k<n) k++; print k}')
    top_peers=()
    for ((j = 0; j < k; j++)); do
        mid_peers=()
        for ((i = j; i < n; i += k)); do mid_peers+=(--peer "a$i=127.0.0.1:$((agents_base + i))"); done
        mkdir -p "$work/mid$j"; mounts+=("$work/mid$j")
        mid_port=$port; port=$((port + 1))
        "$here/procsys" node "${tls[@]}" --name "mid$j" --export combined --listen "127.0.0.1:$mid_port" \
            "${mid_peers[@]}" "$work/mid$j" > "$work/mid$j.log" 2>&1 &
        pids+=($!)
        top_peers+=(--peer "mid$j=127.0.0.1:$mid_port")
    done
    for ((j = 0; j < k; j++)); do
        for _ in $(seq 300); do grep -q " $work/mid$j " /proc/self/mounts && break; sleep 0.1; done
    done
    mkdir -p "$work/top"; mounts+=("$work/top")
    # the top waits longer than the mids, so a slow leaf costs only itself (see TreeTopologyIT)
    msg=$("$here/procsys" mount "${tls[@]}" --cache-ms 0 --name hub --deadline-ms 1000 "${top_peers[@]}" "$work/top" 2>&1)
    wait_up "$work/top" "$k"
    sleep 1
    measure tree "$n" "$work/top" "$(daemon_of "$msg")"
    measure_tools tree "$n" "$work/top"
    stop_all
done

for n in ${NE_COUNTS-$hub_counts}; do
    base=$port; port=$((port + n))
    for ((i = 0; i < n; i++)); do
        prometheus-node-exporter --web.listen-address="127.0.0.1:$((base + i))" --path.procfs=/proc \
            --collector.disable-defaults --collector.meminfo > /dev/null 2>&1 &
        pids+=($!); agent_pids+=($!)  # one process per host, as the agents: their CPU is counted alike
    done
    for ((i = 0; i < n; i++)); do
        for _ in $(seq 100); do (echo > "/dev/tcp/127.0.0.1/$((base + i))") 2>/dev/null && break; sleep 0.05; done
    done
    warm=$(warm_rounds "$n"); before=$(agents_ticks)
    r=$($java -cp "$jar" io.procsys.bench.ScrapeSum "$n" "$base" "$reads" "$warm")
    exporter_us=$(( ($(agents_ticks) - before) * 10000 / ((reads + warm) * n) ))  # warm-up rounds included
    echo "{\"topology\": \"node_exporter\", \"hosts\": $n, \"measure\": \"meminfo\", \"readers\": 1, \"exporter_cpu_us_per_scrape\": $exporter_us, ${r#\{}" >> "$results"
    echo "node_exporter $n $r exporter cpu/scrape=${exporter_us}us"
    stop_all
done

# One fresh agent process, TLS on, as a mount talks to it: CPU per request from its first request on.
if (( ${COST_REQUESTS:-100000} > 0 )); then
    cost_port=$port; port=$((port + 1))
    "$here/procsys" agent --listen "127.0.0.1:$cost_port" --name a0 "${tls[@]}" > "$work/cost.log" 2>&1 &
    cost_pid=$!; pids+=($cost_pid)
    wait_agent "$work/cost.log"
    startup_ms=$(awk '{print ($14 + $15) * 10}' "/proc/$cost_pid/stat")
    r=$($java -cp "$jar" io.procsys.bench.AgentCost "127.0.0.1:$cost_port" "$cost_pid" loadavg "${COST_REQUESTS:-100000}" \
        "$work/certs/hub.pem" "$work/certs/hub-key.pem" "$work/certs/ca.pem" 2>/dev/null)
    echo "{\"topology\": \"agent\", \"hosts\": 1, \"measure\": \"agent cost\", \"startup_cpu_ms\": $startup_ms, ${r#\{}" >> "$results"
    echo "agent cost: startup ${startup_ms} ms CPU, $r"
    stop_all
fi

{ echo "["; sed '$!s/$/,/' "$results"; echo "]"; } > "$out/cluster.json"
$java -cp "$jar" io.procsys.bench.ClusterReport "$out/cluster.json" > "$out/cluster.md"
cat "$out/cluster.md"
