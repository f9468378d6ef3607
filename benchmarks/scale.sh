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
#   churn: one `procsys mount --peers-dns` over the hosts a name's HOSTS DNS records lead to (dnsmasq),
#         CHANGE of them leaving and CHANGE others joining at each refresh (REFRESH_S, 1) while
#         meminfo and `ps -e` are read: not one read may fail, and every listing holds every
#         process of the hosts that stay (the farm gets CHANGE spare hosts).
# The rack nodes serve, as their own host, a tree with the captures' top-level files and no
# process, so that they add no process of their own; the top mount serves this machine's /proc
# (ps needs a live self), and "listed" counts the remote pids it lists (cluster pids >= 2^22).
# Measured at the top (mount with --cache-ms 0: every combined read is a fan-out): combined meminfo
# read latency p50/p99 (ReadLatency, READS reads after a warm-up), `ps -e -o pid=` through the mount
# (processes listed, whether every pid is unique, its time; twice, the second is reported) against
# the same on a procsys mirror of this machine with as many processes (sleepers; at most
# MIRROR_MAX, 10000), per process, `pstree -p` of every tree on a second top mount with the
# default cache against that mount's ps -e (every remote process shown, one tree per host at the
# root), the CPU each level (top, racks, farm) spent per read and per process listed, and the top
# daemon's VmRSS after all that. Ends
# with one line per topology (churn's has its own fields: meminfo quiet/under churn, failed reads):
#   scale: TOPOLOGY hosts=N processes=P listed=L unique=yes|no meminfo_p50_ms=… meminfo_p99_ms=… top_rss_mb=…
# (P: the processes of the captures times their use), and writes bench-results/scale.json and
# scale.md. Knobs: HOSTS (1000), TOPOLOGY (hub|tree|churn; default all three), PSTREE (1|0; default 1 up to 100 hosts), READS (500), CAPTURES (50),
# RACK (32), DEADLINE_MS (1000: the racks'; the top's is twice it. On one 2-core machine the
# simulated hosts, 32 rack JVMs and the top share the cores, so a listing of 1 000 hosts' tables
# may need more than real racks on their own machines would). Needs root. Everything it starts is stopped on exit, Ctrl-C included.
{ # the whole script is read before it runs: editing it during a run does not change that run
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/prepare.sh"
deadline=${DEADLINE_MS:-1000}  # a rack's; the top (hub or tree) waits twice as long
hosts=${HOSTS:-1000}; topologies=${TOPOLOGY:-hub tree churn}; reads=${READS:-500}; captures=${CAPTURES:-50}; rack=${RACK:-32}
# pstree on captured trees is slow (~40 processes a second: a capture cannot vouch that a process has
# no ns/ entry, so each of pstree's 8 ns lookups per process goes to the host): by default only up to 100 hosts
pstree=${PSTREE:-$(( hosts <= 100 ))}
change=${CHANGE:-50}; refresh=${REFRESH_S:-1}  # churn: records leaving (and as many joining) at each DNS refresh
(( captures <= hosts )) || captures=$hosts
work=$(mktemp -d /tmp/procsys-scale.XXXXXX)
# a thousand hard-linked trees are a million and a half directory entries: on a tmpfs of its own
# they are made fast and gone with one umount (rm -rf on the disk took minutes)
mount -t tmpfs -o size=4g,mode=0700 procsys-scale "$work"
farm_port=7070 rack_base=29000 spare_processes=0
address() { echo "127.1.$((($1 + 1) / 256)).$((($1 + 1) % 256))"; }  # host i's loopback address: 127.1.0.1 + i, as the farm counts
pids=()
mounts=()
top_args=() top_peer_count=0  # the top mount's peers and deadline (hub, tree), for pstree's second mount
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
        procsys_run_hash "$m"; pin=/run/procsys/netns/$procsys_hash
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

# The farm: every simulated host in one JVM, tables built once (READY says how many processes),
# each on port 7070 of its own loopback address (DNS discovery's records are addresses, one port).
# churn adds CHANGE spare hosts: two blocks of CHANGE take turns in its HOSTS records.
farm_count=$hosts
[[ " $topologies " == *" churn "* ]] && farm_count=$((hosts + change))
for ((i = hosts; i < farm_count; i++)); do
    cp -al "$work/captures/c$((i % captures))" "$work/hosts/h$i"
    roots+=("$work/hosts/h$i")
    spare_processes=$((spare_processes + capture_processes[i % captures]))
done
$java -Xmx512m -XX:MaxDirectMemorySize=2g -cp "$jar" io.procsys.bench.AgentFarm --tables-once "$farm_count" "$(address 0):$farm_port" "${roots[@]}" \
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
(( farm_processes == processes + spare_processes )) || say "WARNING: the farm's tables hold $farm_processes processes, the captures $processes"

daemon_of() { sed -n 's/.*daemon pid \([0-9]*\).*/\1/p' <<< "$1"; }
# the options every mount shares: plaintext, every read a fan-out; a rack's own host has no process
common=(--insecure --cache-ms 0)
rack_own=(--proc-root "$work/aggregator")

# Where a mount is seen: here, or (churn) inside its daemon's mount namespace (nsenter -t PID -m)
enter=()
# over_proc MOUNT CMD...: CMD with MOUNT bound over /proc, in a private mount namespace
over_proc() {
    "${enter[@]}" unshare --mount --propagation private sh -c 'mount --bind "$1" /proc && shift && exec "$@"' sh "$@"
}
# ps -e -o pid= through MOUNT: its pids in OUT; prints ms (fails as ps does)
ps_through() {  # $1 = mount, $2 = output file
    local t0 t1
    t0=$(date +%s%N)
    over_proc "$1" ps -e -o pid= > "$2"
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000000 ))
}
# 100 reads of FILE where the mount is seen, not counted: every level's JIT compiles its read path
warm_up() {  # $1 = file
    "${enter[@]}" $java -cp "$jar" io.procsys.bench.ReadLatency "$1" 100 0 1 >/dev/null 2>&1 || true
}
# ReadLatency's JSON for READS reads of FILE where the mount is seen (after 50 of its own not counted)
latency() {  # $1 = file
    "${enter[@]}" $java -cp "$jar" io.procsys.bench.ReadLatency "$1" "$reads" 50 1 2>/dev/null
}
# CPU time (user + system, ms) the given processes have used, together (ticks of 10 ms)
cpu_ms() {
    (( $# )) || { echo 0; return; }
    local p files=()
    for p in "$@"; do [[ -r /proc/$p/stat ]] && files+=("/proc/$p/stat"); done
    (( ${#files[@]} )) || { echo 0; return; }
    awk '{ sub(/.*\) /, ""); s += $12 + $13 } END { print s * 10 }' "${files[@]}"
}
# the CPU each level used: "TOP RACKS FARM" ms (racks: every process started here but the farm and the top)
levels_cpu() {  # $1 = top daemon pid
    local p racks=()
    for p in "${pids[@]}"; do [[ $p == "$farm" || $p == "$1" ]] || racks+=("$p"); done
    echo "$(cpu_ms "$1") $(cpu_ms "${racks[@]}") $(cpu_ms "$farm")"
}
# what each level's CPU came to per unit between two levels_cpu: "top X, racks Y, farm Z µs per UNIT"
cpu_split() {  # $1 = before, $2 = after, $3 = units, $4 = unit
    local b=($1) a=($2)
    awk -v n="$3" -v u="$4" -v t=$((a[0] - b[0])) -v r=$((a[1] - b[1])) -v f=$((a[2] - b[2])) \
        'BEGIN { printf "CPU per %s: top %.0f, racks %.0f, farm %.0f us (2 cores: 2 000 us of CPU per ms of wall at most)", u, t * 1000 / n, r * 1000 / n, f * 1000 / n }'
}
field() { sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p" <<< "$2"; }  # $1 = name, $2 = JSON
ms_of() { awk -v u="$1" 'BEGIN{printf "%.2f", u / 1000}'; }  # µs as ms
# pstree -A -p -T 0 through MOUNT (every tree, threads hidden): prints "SHOWN ROOTS SAME", the remote
# processes it shows, the trees hanging from its root with a remote process at their top (each
# simulated host's first process: HOSTS expected), and whether it shows exactly the remote pids of
# the ps listing in LISTING
pstree_check() {  # $1 = mount, $2 = ps listing
    over_proc "$1" pstree -A -p -T 0 > "$work/pstree"
    grep -o '([0-9][0-9]*)' "$work/pstree" | tr -d '()' | awk '$1 >= 4194304' | sort -u > "$work/pstree-pids"
    awk '$1 >= 4194304 {print $1}' "$2" | sort -u > "$work/ps-pids"
    local shown roots same
    shown=$(wc -l < "$work/pstree-pids")
    roots=$(awk 'NR == 1 || /^    [|`]-/ { sub(/^\?\(\)/, ""); if (match($0, /\([0-9]+\)/) && substr($0, RSTART + 1, RLENGTH - 2) + 0 >= 4194304) n++ } END {print n + 0}' "$work/pstree")
    cmp -s "$work/pstree-pids" "$work/ps-pids" && same=yes || same=no
    echo "$shown $roots $same"
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
    local cpu0 cpu1 meminfo_cpu ps_cpu
    cpu0=$(levels_cpu "$d"); sleep 5; cpu1=$(levels_cpu "$d")  # what the levels spend with no reader
    say "$t idle: $(cpu_split "$cpu0" "$cpu1" 5 "second with no reader")"
    warm_up "$m/meminfo"
    cpu0=$(levels_cpu "$d")
    r=$(latency "$m/meminfo")
    cpu1=$(levels_cpu "$d")
    p50=$(field p50_us "$r"); p99=$(field p99_us "$r")
    meminfo_cpu=$(cpu_split "$cpu0" "$cpu1" $((reads + 50)) "meminfo read")  # ReadLatency's 50 not counted are in the window
    say "$t meminfo $r; $meminfo_cpu"
    ms=$(ps_through "$m" "$work/ps1"); say "$t ps -e first run: $(wc -l < "$work/ps1") listed in $ms ms (tables fetched)"
    cpu0=$(levels_cpu "$d")
    ms=$(ps_through "$m" "$work/ps2")
    cpu1=$(levels_cpu "$d")
    listed=$(awk '$1 >= 4194304' "$work/ps2" | wc -l)
    ps_cpu=$(cpu_split "$cpu0" "$cpu1" "$(wc -l < "$work/ps2")" "process listed by ps -e")
    say "$t ps -e second run $ps_cpu"
    [[ -z $(sort "$work/ps2" | uniq -d) ]] && unique=yes || unique=no
    say "$t ps -e second run: $(wc -l < "$work/ps2") listed ($listed remote) in $ms ms"
    local shown=0 roots=0 same=not-run
    if (( pstree )); then
        read -r shown roots same < <(pstree_view "$t")
        say "$t pstree -p: $shown remote processes shown, the same as ps listed: $same; $roots trees of remote hosts at the root ($hosts hosts)"
    fi
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
    p50_ms=$(ms_of "$p50"); p99_ms=$(ms_of "$p99")
    echo "{\"simulation\": true, \"topology\": \"$t\", \"hosts\": $hosts, \"processes\": $processes, \"listed\": $listed, \"unique\": \"$unique\", \"hosts_with_table_errors\": $left_out, \"meminfo_p50_ms\": $p50_ms, \"meminfo_p99_ms\": $p99_ms, \"meminfo_reads\": $reads, \"ps_e_ms\": $ms, \"ps_e_us_per_process\": $top_us, \"mirror_processes\": $bar, \"mirror_ps_e_us_per_process\": $mirror_us, \"meminfo_cpu\": \"$meminfo_cpu\", \"ps_e_cpu\": \"$ps_cpu\", \"pstree_remote_processes\": $shown, \"pstree_same_as_ps\": \"$same\", \"pstree_host_trees\": $roots, \"top_rss_mb\": \"$rss\"$4}" >> "$results"
    echo "scale: $t hosts=$hosts processes=$processes listed=$listed unique=$unique meminfo_p50_ms=$p50_ms meminfo_p99_ms=$p99_ms top_rss_mb=$rss" >> "$work/lines"
}

# pstree through a second top mount, over the same peers with the default cache (200 ms):
# psmisc's pstree reads /proc/uptime once per process, and under --cache-ms 0 each of those is a
# fan-out to every host (at 1 000 hosts: hours). Its cluster pids are its own, so its pstree is
# checked against its own ps -e. Prints pstree_check's "SHOWN ROOTS SAME".
pstree_view() {  # $1 = topology
    local v="$work/$1-pstree"
    mkdir -p "$v"; mounts+=("$v")
    "$here/procsys" mount --insecure "${top_args[@]}" "$v" > /dev/null 2>&1
    wait_up "$v" "$top_peer_count" >&2
    ps_through "$v" "$work/ps-view" > /dev/null
    pstree_check "$v" "$work/ps-view"
    "$here/procsys" umount "$v" 2>/dev/null || true
}

stop_mounts() {  # unmounts and stops everything but the farm
    local p
    unmount_all
    for p in "${pids[@]}"; do [[ $p == "$farm" ]] || { kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; }; done
    pids=("$farm")
}

hub() {
    local peers=() i msg
    for ((i = 0; i < hosts; i++)); do peers+=(--peer "h$i=$(address "$i"):$farm_port"); done
    mkdir -p "$work/hub"; mounts+=("$work/hub")
    top_args=(--deadline-ms "$((2 * deadline))" --name top "${peers[@]}"); top_peer_count=$hosts
    msg=$("$here/procsys" mount "${common[@]}" "${top_args[@]}" "$work/hub" 2>&1)
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
        for ((i = j * rack; i < hosts && i < (j + 1) * rack; i++)); do rack_peers+=(--peer "h$i=$(address "$i"):$farm_port"); done
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
    top_args=(--deadline-ms "$((2 * deadline))" --name top "${top_peers[@]}"); top_peer_count=$racks
    msg=$("$here/procsys" mount "${common[@]}" "${top_args[@]}" "$work/top" 2>&1)
    wait_up "$work/top" "$racks"
    local rack_rss; rack_rss=$(for p in "${pids[@]}"; do [[ $p == "$farm" ]] || awk '/^VmRSS/{print $2}' "/proc/$p/status"; done | awk '{s += $1} END {printf "%.1f", s / NR / 1024}')
    say "tree: $racks rack nodes, mean RSS $rack_rss MB"
    measure tree "$work/top" "$(daemon_of "$msg")" ", \"racks\": $racks, \"rack_rss_mb\": $rack_rss"
    stop_mounts
}

# churn: one hub over the hosts a DNS name leads to (--peers-dns), dnsmasq answering with HOSTS
# records (over TCP: a thousand do not fit a UDP answer). HOSTS - CHANGE of them stay; at each
# refresh the other CHANGE leave the records and CHANGE others come back (two blocks of CHANGE
# take turns). Meanwhile readers read: meminfo latency and two `ps -e`, first quiet, then under
# churn. No read may fail, and every listing must hold every process of every staying host (its
# pids mapped to hosts by `procsys which`). The daemon runs in a mount namespace of its own where
# /etc/resolv.conf names dnsmasq; readers enter it (nsenter) to see the mount.
churn() {
    local name=hosts.procsys.test m="$work/churn" dns d r quiet churned churner steps ms stable=$((hosts - change))
    write_records() {  # $1 = step: the staying hosts, and the block of changing ones whose turn it is
        # (the addresses as address() makes them, in awk: a thousand $(address) subshells take a second)
        awk -v n="$farm_count" -v stable="$stable" -v c="$change" -v turn=$(( $1 % 2 )) -v name="$name" \
            'BEGIN { for (i = 0; i < n; i++) if (i < stable || int((i - stable) / c) == turn) printf "127.1.%d.%d %s\n", int((i + 1) / 256), (i + 1) % 256, name }' \
            > "$work/records.new"
        mv "$work/records.new" "$work/records"
    }
    # every staying host's processes listed in LISTING? prints "HOSTS_COMPLETE PROCESSES_OF_THEM"
    staying_listed() {  # $1 = ps listing
        awk '$1 >= 4194304 {print $1}' "$1" | "${enter[@]}" xargs "$here/procsys" which --mount "$m" 2>/dev/null \
            | awk '{print $2}' | sort | uniq -c > "$work/per-host" || true
        local i complete=0 listed_of_them=0 n
        declare -A count=()
        while read -r n h; do count[$h]=$n; done < "$work/per-host"
        for ((i = 0; i < stable; i++)); do
            n=${count[agent$i]:-0}
            listed_of_them=$((listed_of_them + n))
            (( n == capture_processes[i % captures] )) && complete=$((complete + 1))
        done
        echo "$complete $listed_of_them"
    }
    write_records 0
    printf 'nameserver 127.0.0.153\noptions timeout:2 attempts:2\n' > "$work/resolv.conf"
    dnsmasq --keep-in-foreground --no-resolv --no-hosts --addn-hosts="$work/records" --listen-address=127.0.0.153 \
        --bind-interfaces --port=53 --local-ttl=0 --user=root --pid-file="$work/dnsmasq.pid" --log-facility="$work/dnsmasq.log" &
    dns=$!; pids+=("$dns")
    mkdir -p "$m"
    unshare --mount --propagation private sh -c 'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"' sh "$work/resolv.conf" \
        "$here/procsys" mount --foreground "${common[@]}" --deadline-ms "$((2 * deadline))" --name top \
        --peers-dns "$name:$farm_port" --dns-refresh "$refresh" "$m" > "$work/churn.log" 2>&1 &
    d=$!; pids+=("$d")
    enter=(nsenter -t "$d" -m)
    for _ in $(seq 300); do "${enter[@]}" grep -q " $m " /proc/self/mounts 2>/dev/null && break; sleep 0.1; done
    wait_up "$m" "$hosts" "${enter[@]}" || wait_up "$m" "$hosts" "${enter[@]}" || { tail -5 "$work/churn.log" >&2; return 1; }
    say "churn: $hosts hosts up through $name"

    warm_up "$m/meminfo"
    quiet=$(latency "$m/meminfo"); say "churn: quiet meminfo $quiet"
    ms=$(ps_through "$m" "$work/churn-ps0") || say "churn: the quiet ps -e failed"
    local complete of_them
    read -r complete of_them < <(staying_listed "$work/churn-ps0")
    say "churn: quiet ps -e: $(awk '$1 >= 4194304' "$work/churn-ps0" | wc -l) remote processes in $ms ms; every process listed for $complete of $stable staying hosts"

    (   # every refresh, CHANGE hosts leave the records and the CHANGE that rested come back
        k=0
        while :; do sleep "$refresh"; k=$((k + 1)); write_records "$k"; kill -HUP "$dns"; echo "$k" > "$work/steps"; done
    ) &
    churner=$!
    local ps_failed=0 unique=yes listed=() run complete_runs=()
    churned=$(latency "$m/meminfo"); say "churn: meminfo under churn $churned"
    for run in 1 2; do
        if ms=$(ps_through "$m" "$work/churn-ps$run" 2> "$work/churn-ps$run.err") && [[ ! -s $work/churn-ps$run.err ]]; then :; else
            ps_failed=$((ps_failed + 1)); say "churn: ps -e run $run failed: $(head -3 "$work/churn-ps$run.err")"
        fi
        [[ -z $(sort "$work/churn-ps$run" | uniq -d) ]] || unique=no
        listed+=("$(awk '$1 >= 4194304' "$work/churn-ps$run" | wc -l)")
        read -r complete of_them < <(staying_listed "$work/churn-ps$run")
        complete_runs+=("$complete")
        say "churn: ps -e under churn run $run: ${listed[-1]} remote processes in $ms ms; every process listed for $complete of $stable staying hosts ($of_them of their processes)"
    done
    kill "$churner" 2>/dev/null; wait "$churner" 2>/dev/null || true
    steps=$(cat "$work/steps" 2>/dev/null || echo 0)
    # after the last change: the view holds exactly the hosts of the last records
    local present=0
    for _ in $(seq 300); do
        present=$("${enter[@]}" ls "$m/hosts" | grep -c '^agent' || true)
        (( present == hosts )) && break; sleep 0.1
    done
    local joined left alive rss read_errors
    joined=$(grep -c ': joined ' "$work/churn.log" || true); left=$(grep -c ': left ' "$work/churn.log" || true)
    read_errors=$(( $(field errors "$quiet") + $(field errors "$churned") ))
    if kill -0 "$d" 2>/dev/null; then alive=yes; rss=$(awk '/^VmRSS/{printf "%.1f", $2 / 1024}' "/proc/$d/status"); else alive=no rss=exited; fi
    say "churn: $steps refreshes changed the records, $joined joins and $left leaves logged; $present hosts in the view after the last; daemon alive: $alive"
    local line="churn hosts=$hosts changing_per_refresh=$change refresh_s=$refresh refreshes=$steps joined=$joined left=$left"
    line+=" meminfo_p50_ms=$(ms_of "$(field p50_us "$quiet")")/$(ms_of "$(field p50_us "$churned")") meminfo_p99_ms=$(ms_of "$(field p99_us "$quiet")")/$(ms_of "$(field p99_us "$churned")")"
    line+=" read_errors=$read_errors ps_failed=$ps_failed unique=$unique staying_hosts_complete=${complete_runs[0]:-0},${complete_runs[1]:-0}/$stable hosts_after=$present top_rss_mb=$rss"
    echo "scale: $line (meminfo quiet/under churn)" >> "$work/lines"
    echo "{\"simulation\": true, \"topology\": \"churn\", \"hosts\": $hosts, \"changing_per_refresh\": $change, \"refresh_s\": $refresh, \"refreshes\": $steps, \"joined\": $joined, \"left\": $left, \"quiet_meminfo\": $quiet, \"churn_meminfo\": $churned, \"read_errors\": $read_errors, \"ps_e_failed\": $ps_failed, \"ps_e_remote_listed\": [${listed[0]:-0}, ${listed[1]:-0}], \"staying_hosts\": $stable, \"staying_hosts_complete\": [${complete_runs[0]:-0}, ${complete_runs[1]:-0}], \"unique\": \"$unique\", \"hosts_after\": $present, \"daemon_alive\": \"$alive\", \"top_rss_mb\": \"$rss\"}" >> "$results"
    # what the daemon said, and its status (hosts left out of a listing name their last table error there)
    "${enter[@]}" "$here/procsys" status "$m" > "$out/scale-churn-status.txt" 2>&1 || true
    say "churn: $(grep -c ' process table error(s), ' "$out/scale-churn-status.txt" || true) hosts with table errors in status$(grep -m1 ' process table error(s), ' "$out/scale-churn-status.txt" | sed 's/^/, e.g. /')"
    cp "$work/churn.log" "$out/scale-churn-daemon.log"
    kill "$d" 2>/dev/null; wait "$d" 2>/dev/null || true  # SIGTERM: the daemon unmounts and removes its network pin
    enter=()
    stop_mounts
}

for t in $topologies; do
    case $t in
        hub|tree|churn) "$t" ;;
        *) echo "TOPOLOGY is hub, tree or churn, not $t" >&2; exit 2 ;;
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
    done < <(grep -v '"topology": "churn"' "$results")
    if grep -q '"topology": "churn"' "$results"; then
        echo; echo "Hosts joining and leaving through DNS:"; echo; grep '^scale: churn' "$work/lines" | sed 's/^scale: /- /'
    fi
} > "$out/scale.md"
cat "$work/lines"
exit
}
