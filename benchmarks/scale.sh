#!/usr/bin/env bash
# SIMULATION: the 1 000-host measurements of issue 20. Simulated hosts, not real ones: every
# host is an agent of one JVM (AgentFarm --tables-once, plaintext on loopback) serving its own
# copy of a proc tree captured from a real pid namespace (capture-hosts.sh: CAPTURES trees of
# 30-200 processes, handed out round-robin as hard-linked copies), and each host's process table
# is built once at start and sent as is: real hosts build their tables on their own CPUs, so the
# farm's two cores must not be what is measured (a real agent's own cost: cluster.sh, AgentCost).
#   hub:  one `procsys mount` over all HOSTS hosts;
#   tree: ceil(HOSTS/RACK) `procsys node --export combined` rack nodes (one JVM each, as users run
#         them) over RACK hosts each, and a top `procsys mount` over the racks with twice their deadline.
# The rack nodes serve, as their own host, a tree with the captures' top-level files and no
# process, so that they add no process of their own; the top mount serves this machine's /proc
# (ps needs a live self), and "listed" counts the remote pids it lists (cluster pids >= 2^22).
# Measured at the top (mount with --cache-ms 0: every combined read is a fan-out): combined meminfo
# read latency p50/p99 (ReadLatency, READS reads after a warm-up), `ps -e -o pid=` through the mount
# (processes listed, whether every pid is unique, its time; twice, the second is reported) against
# the same on a procsys mirror of this machine with as many processes (sleepers; at most
# MIRROR_MAX, 10000), per process, and the top daemon's VmRSS after all that. Ends with one line
# per topology:
#   scale: TOPOLOGY hosts=N processes=P listed=L unique=yes|no meminfo_p50_ms=… meminfo_p99_ms=… top_rss_mb=…
# (P: the processes of the captures times their use), and writes bench-results/scale.json and
# scale.md. Knobs: HOSTS (1000), TOPOLOGY (hub|tree; default both), READS (500), CAPTURES (50),
# RACK (32), DEADLINE_MS (1000: the racks'; the top's is twice it. On one 2-core machine the
# simulated hosts, 32 rack JVMs and the top share the cores, so a listing of 1 000 hosts' tables
# may need more than real racks on their own machines would). Needs root. Everything it starts is stopped on exit, Ctrl-C included.
{ # the whole script is read before it runs: editing it during a run does not change that run
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/prepare.sh"
deadline=${DEADLINE_MS:-1000}  # a rack's; the top (hub or tree) waits twice as long
hosts=${HOSTS:-1000}; topologies=${TOPOLOGY:-hub tree}; reads=${READS:-500}; captures=${CAPTURES:-50}; rack=${RACK:-32}
(( captures <= hosts )) || captures=$hosts
work=$(mktemp -d /tmp/procsys-scale.XXXXXX)
# a thousand hard-linked trees are a million and a half directory entries: on a tmpfs of its own
# they are made fast and gone with one umount (rm -rf on the disk took minutes)
mount -t tmpfs -o size=4g,mode=0700 procsys-scale "$work"
farm_base=30000 rack_base=29000
pids=()
mounts=()
sleepers=""
# unshare --fork ignores SIGTERM while its child runs: SIGKILL, and --kill-child takes the namespace down
stop_sleepers() {
    [[ -n $sleepers ]] || return 0
    kill -KILL "$sleepers" 2>/dev/null || true; wait "$sleepers" 2>/dev/null || true
    sleepers=""
}
unmount_all() {
    local m pin
    for m in "${mounts[@]}"; do
        grep -q " $m " /proc/self/mounts && { "$here/procsys" umount "$m" 2>/dev/null || fusermount3 -u -z "$m" 2>/dev/null || true; }
        # a mount daemon that died (out of heap at 1000 hosts) leaves its stand-in network pinned
        pin=/run/procsys/netns/${m//\//_}
        if [[ -e $pin ]]; then umount "$pin" 2>/dev/null || true; rm -f "$pin"; fi
    done
    mounts=()
}
cleanup() {
    local p
    stop_sleepers
    unmount_all
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    umount "$work" 2>/dev/null || umount -l "$work" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
results="$work/results.jsonl"
: > "$results"
say() { echo "scale (simulation): $*" >&2; }

# Fixtures: the captures, one hard-linked copy per host, and the aggregators' own process-less tree.
"$here/benchmarks/capture-hosts.sh" "$captures" "$work/captures" >&2
processes_in() { find "$1" -mindepth 1 -maxdepth 1 -name '[0-9]*' | wc -l; }
declare -a capture_processes
for ((c = 0; c < captures; c++)); do capture_processes[c]=$(processes_in "$work/captures/c$c"); done
mkdir -p "$work/hosts" "$work/aggregator"
processes=0 roots=()
for ((i = 0; i < hosts; i++)); do
    cp -al "$work/captures/c$((i % captures))" "$work/hosts/h$i"
    processes=$((processes + capture_processes[i % captures]))
    roots+=("$work/hosts/h$i")
done
find "$work/captures/c0" -mindepth 1 -maxdepth 1 ! -name '[0-9]*' -exec cp -r {} "$work/aggregator/" \;
say "$hosts hosts from $captures captured pid namespaces, $processes processes"

# The farm: every simulated host in one JVM, tables built once (READY says how many processes).
$java -Xmx512m -XX:MaxDirectMemorySize=2g -cp "$jar" io.procsys.bench.AgentFarm --tables-once "$hosts" "$farm_base" "${roots[@]}" \
    > "$work/farm.out" 2> "$work/farm.err" &
farm=$!; pids+=("$farm")
for _ in $(seq 1200); do
    grep -q READY "$work/farm.out" && break
    kill -0 "$farm" 2>/dev/null || { cat "$work/farm.err" >&2; exit 1; }
    sleep 0.1
done
grep -q READY "$work/farm.out" || { say "the farm did not start in 120 s"; exit 1; }
say "farm $(cat "$work/farm.out")"
farm_processes=$(sed -n 's/.*processes=\([0-9]*\).*/\1/p' "$work/farm.out")
(( farm_processes == processes )) || say "WARNING: the farm's tables hold $farm_processes processes, the captures $processes"

daemon_of() { sed -n 's/.*daemon pid \([0-9]*\).*/\1/p' <<< "$1"; }
# the options every mount shares: plaintext, every read a fan-out; a rack's own host has no process
common=(--insecure --cache-ms 0)
rack_own=(--proc-root "$work/aggregator")

# ps -e -o pid= through MOUNT bound over /proc, in a private mount namespace: its pids in OUT; prints ms
ps_through() {  # $1 = mount, $2 = output file
    local t0 t1
    t0=$(date +%s%N)
    unshare --mount --propagation private sh -c 'mount --bind "$1" /proc && ps -e -o pid=' sh "$1" > "$2"
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000000 ))
}

# The bar for ps -e: a procsys mirror of this machine's /proc with as many processes as the top
# listed (at most MIRROR_MAX; sleepers in a pid namespace of their own, gone with it). Writes
# "PROCESSES MS" of the second of two runs to $work/bar.
mirror_bar() {  # $1 = processes wanted
    local want=$(( $1 < ${MIRROR_MAX:-10000} ? $1 : ${MIRROR_MAX:-10000} )) have ms
    have=$(ps -e --no-headers | wc -l)
    unshare --pid --fork --kill-child sh -c 'i=0; while [ $i -lt "$1" ]; do sleep 86400 & i=$((i + 1)); done; wait' sh $((want - have)) &
    sleepers=$!
    # (other processes come and go meanwhile: within 1% is as many)
    for _ in $(seq 600); do (( $(ps -e --no-headers | wc -l) >= want - want / 100 )) && break; sleep 0.1; done
    mkdir -p "$work/mirror"; mounts+=("$work/mirror")
    "$here/procsys" mount "$work/mirror" >/dev/null 2>&1
    ps_through "$work/mirror" "$work/ps-mirror" >/dev/null
    ms=$(ps_through "$work/mirror" "$work/ps-mirror")
    "$here/procsys" umount "$work/mirror" 2>/dev/null || true
    stop_sleepers
    echo "$(wc -l < "$work/ps-mirror") $ms" > "$work/bar"
}

measure() {  # $1 = topology, $2 = top mount, $3 = top daemon pid, $4 = extra JSON fields
    local t=$1 m=$2 d=$3 r p50 p99 ms listed unique rss bar_ms
    $java -cp "$jar" io.procsys.bench.ReadLatency "$m/meminfo" 100 0 1 >/dev/null 2>&1  # warm-up, not counted
    r=$($java -cp "$jar" io.procsys.bench.ReadLatency "$m/meminfo" "$reads" 50 1 2>/dev/null)
    p50=$(sed -n 's/.*"p50_us": \([0-9]*\).*/\1/p' <<< "$r"); p99=$(sed -n 's/.*"p99_us": \([0-9]*\).*/\1/p' <<< "$r")
    say "$t meminfo $r"
    ms=$(ps_through "$m" "$work/ps1"); say "$t ps -e first run: $(wc -l < "$work/ps1") listed in $ms ms (tables fetched)"
    ms=$(ps_through "$m" "$work/ps2")
    listed=$(awk '$1 >= 4194304' "$work/ps2" | wc -l)
    [[ -z $(sort "$work/ps2" | uniq -d) ]] && unique=yes || unique=no
    say "$t ps -e second run: $(wc -l < "$work/ps2") listed ($listed remote) in $ms ms"
    # a host left out of a listing shows in procsys status with its last table error
    local left_out
    "$here/procsys" status "$m" > "$work/status" 2>&1 || true
    left_out=$(grep -c ' process table error(s), ' "$work/status" || true)
    say "$t procsys status: $left_out hosts with table errors$(grep -m1 ' process table error(s), ' "$work/status" | sed 's/^/, e.g. /')"
    if kill -0 "$d" 2>/dev/null; then
        rss=$(awk '/^VmRSS/{printf "%.1f", $2 / 1024}' "/proc/$d/status")
    else  # said as it is, not as a number: the daemon's log has why
        rss=exited; unique=no
        say "$t: the top daemon exited; its log: $(tail -1 "/tmp/procsys-logs/mount${m//\//_}.log" 2>/dev/null)"
    fi
    local all bar top_us mirror_us
    all=$(wc -l < "$work/ps2")
    mirror_bar "$all"
    read -r bar bar_ms < "$work/bar"
    top_us=$(( ms * 1000 / (all > 0 ? all : 1) )); mirror_us=$(( bar_ms * 1000 / (bar > 0 ? bar : 1) ))
    say "$t ps -e per process: ${top_us} us at the top ($all processes), ${mirror_us} us on a mirror of $bar processes"
    local p50_ms p99_ms
    p50_ms=$(awk -v u="$p50" 'BEGIN{printf "%.2f", u / 1000}'); p99_ms=$(awk -v u="$p99" 'BEGIN{printf "%.2f", u / 1000}')
    echo "{\"simulation\": true, \"topology\": \"$t\", \"hosts\": $hosts, \"processes\": $processes, \"listed\": $listed, \"unique\": \"$unique\", \"hosts_with_table_errors\": $left_out, \"meminfo_p50_ms\": $p50_ms, \"meminfo_p99_ms\": $p99_ms, \"meminfo_reads\": $reads, \"ps_e_ms\": $ms, \"ps_e_us_per_process\": $top_us, \"mirror_processes\": $bar, \"mirror_ps_e_us_per_process\": $mirror_us, \"top_rss_mb\": \"$rss\"$4}" >> "$results"
    echo "scale: $t hosts=$hosts processes=$processes listed=$listed unique=$unique meminfo_p50_ms=$p50_ms meminfo_p99_ms=$p99_ms top_rss_mb=$rss" >> "$work/lines"
}

stop_mounts() {  # unmounts and stops everything but the farm
    local p
    unmount_all
    for p in "${pids[@]}"; do [[ $p == "$farm" ]] || { kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; }; done
    pids=("$farm")
}

hub() {
    local peers=() i msg
    for ((i = 0; i < hosts; i++)); do peers+=(--peer "h$i=127.0.0.1:$((farm_base + i))"); done
    mkdir -p "$work/hub"; mounts+=("$work/hub")
    msg=$("$here/procsys" mount "${common[@]}" --deadline-ms "$((2 * deadline))" --name top "${peers[@]}" "$work/hub" 2>&1)
    wait_up "$work/hub" "$hosts"
    measure hub "$work/hub" "$(daemon_of "$msg")" ""
    stop_mounts
}

# a node has no status socket: its hosts are up when each one's own uptime reads (at most 120 s)
rack_up() {  # $1 = rack mount, hosts h$2 .. h$(($3 - 1))
    local i=$2
    for _ in $(seq 1200); do
        while (( i < $3 )) && cat "$1/hosts/h$i/uptime" >/dev/null 2>&1; do i=$((i + 1)); done
        (( i == $3 )) && return 0
        sleep 0.1
    done
    say "hosts of $1 not up (h$i)"; return 1
}

tree() {
    local racks=$(( (hosts + rack - 1) / rack )) j i top_peers=() rack_peers msg
    for ((j = 0; j < racks; j++)); do
        rack_peers=()
        for ((i = j * rack; i < hosts && i < (j + 1) * rack; i++)); do rack_peers+=(--peer "h$i=127.0.0.1:$((farm_base + i))"); done
        mkdir -p "$work/rack$j"; mounts+=("$work/rack$j")
        "$here/procsys" node "${common[@]}" "${rack_own[@]}" --deadline-ms "$deadline" --name "rack$j" --export combined --listen "127.0.0.1:$((rack_base + j))" \
            "${rack_peers[@]}" "$work/rack$j" > "$work/rack$j.log" 2>&1 &
        pids+=($!)
        top_peers+=(--peer "rack$j=127.0.0.1:$((rack_base + j))")
    done
    for ((j = 0; j < racks; j++)); do
        for _ in $(seq 1200); do grep -q " $work/rack$j " /proc/self/mounts && break; sleep 0.1; done
        rack_up "$work/rack$j" $((j * rack)) $(( (j + 1) * rack < hosts ? (j + 1) * rack : hosts )) || { tail -5 "$work/rack$j.log" >&2; return 1; }
    done
    mkdir -p "$work/top"; mounts+=("$work/top")
    # twice the racks' deadline: a slow host costs the top only that host (TreeTopologyIT)
    msg=$("$here/procsys" mount "${common[@]}" --deadline-ms "$((2 * deadline))" --name top "${top_peers[@]}" "$work/top" 2>&1)
    wait_up "$work/top" "$racks"
    local rack_rss; rack_rss=$(for p in "${pids[@]}"; do [[ $p == "$farm" ]] || awk '/^VmRSS/{print $2}' "/proc/$p/status"; done | awk '{s += $1} END {printf "%.1f", s / NR / 1024}')
    say "tree: $racks rack nodes, mean RSS $rack_rss MB"
    measure tree "$work/top" "$(daemon_of "$msg")" ", \"racks\": $racks, \"rack_rss_mb\": $rack_rss"
    stop_mounts
}

for t in $topologies; do
    case $t in
        hub|tree) "$t" ;;
        *) echo "TOPOLOGY is hub or tree, not $t" >&2; exit 2 ;;
    esac
done

{ echo "["; sed '$!s/$/,/' "$results"; echo "]"; } > "$out/scale.json"
{
    echo "# Scale (SIMULATION: $hosts simulated hosts in one JVM, tables built once; $(date -u +%F))"
    echo
    echo "| topology | hosts | processes | listed | unique | meminfo p50 ms | meminfo p99 ms | ps -e us/process | mirror ps -e us/process | top RSS MB |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    while read -r row; do
        cells="|"
        for f in topology hosts processes listed unique meminfo_p50_ms meminfo_p99_ms ps_e_us_per_process mirror_ps_e_us_per_process top_rss_mb; do
            cells+=" $(sed -n "s/.*\"$f\": \"\{0,1\}\([^,\"}]*\).*/\1/p" <<< "$row") |"
        done
        echo "$cells"
    done < "$results"
} > "$out/scale.md"
cat "$work/lines"
exit
}
