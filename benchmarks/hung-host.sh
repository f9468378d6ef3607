#!/usr/bin/env bash
# One hung host against the commands that do not need it (issue 37, section 2): `procsys exec
# --mount M -- bash -c true` (bash calls sysinfo(2) at start) and `exec -- free`, with every host
# answering and then with one host's agent stopped (SIGSTOP), on a mount of two agent processes
# (one per host, mutual TLS, default deadline 500 ms). Two stacks run side by side: this
# checkout's (new) and, with LAUNCHER_OLD, another checkout's ./procsys (old: agents, mount and
# exec all of that release); their runs alternate (new, old, new, old, ...), so the machine's drift
# touches both alike. Prints per stack, phase and command the median, p90 and max wall ms.
#   benchmarks/hung-host.sh [RUNS]        (default 20 runs of each command in each phase)
# LAUNCHER_OLD: an older checkout's ./procsys (built); without it only this checkout is measured.
# Needs root (FUSE, exec's namespaces). Everything is stopped and removed on exit.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:-20}
work=$(mktemp -d /tmp/procsys-hung-host.XXXXXX)
declare -A launcher=([new]="$here/procsys")
stacks=(new)
if [[ -n ${LAUNCHER_OLD:-} ]]; then launcher[old]=$LAUNCHER_OLD; stacks+=(old); fi
agents=()
cleanup() {
    for s in "${stacks[@]}"; do
        grep -q " $work/$s/mnt " /proc/self/mounts && "${launcher[$s]}" umount "$work/$s/mnt" >/dev/null 2>&1
    done
    for p in "${agents[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
now_ns() { date +%s%N; }
base=$((24000 + RANDOM % 4000))
declare -A hung
for s in "${stacks[@]}"; do
    l=${launcher[$s]}
    mkdir -p "$work/$s/mnt"
    "$l" certs --out "$work/$s/certs" "$s-view" "$s-steady" "$s-hung" >/dev/null 2>&1
    for h in steady hung; do
        "$l" agent --listen "127.0.0.1:$base" --name "$s-$h" --certs-dir "$work/$s/certs" > "$work/$s/$h.log" 2>&1 &
        agents+=($!)
        [[ $h == hung ]] && hung[$s]=$!
        eval "port_${s}_$h=$base"
        base=$((base + 1))
    done
done
sleep 3
for s in "${stacks[@]}"; do
    steady="port_${s}_steady"; hungp="port_${s}_hung"
    "${launcher[$s]}" mount --name "$s-view" --certs-dir "$work/$s/certs" --peer "steady=127.0.0.1:${!steady}" \
        --peer "hung=127.0.0.1:${!hungp}" "$work/$s/mnt" >/dev/null
done
# every host in the sum before timing: MemTotal of three hosts (this one's, twice more)
want=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) * 3 ))
for s in "${stacks[@]}"; do
    for _ in $(seq 300); do
        [[ $(awk '/^MemTotal:/ {print $2}' "$work/$s/mnt/meminfo" 2>/dev/null || echo 0) == "$want" ]] && break
        sleep 0.1
    done
done

# one timed run: wall ms of `exec --mount M -- CMD` for stack $1
timed() {
    local s=$1; shift
    local t0 t1
    t0=$(now_ns)
    "${launcher[$s]}" exec --mount "$work/$s/mnt" -- "$@" >/dev/null 2>&1 || echo "run failed: $s $*" >&2
    t1=$(now_ns)
    echo $(( (t1 - t0) / 1000000 ))
}

# median, p90, max of the numbers in file $1
stats() { sort -n "$1" | awk '{a[NR] = $1} END {printf "%d %d %d", a[int((NR + 1) / 2)], a[int(NR * 0.9 + 0.5)], a[NR]}'; }

phase() {
    local phase=$1
    for cmd in "bash -c true" "free"; do
        for s in "${stacks[@]}"; do timed "$s" $cmd >/dev/null; done # warm (and, stopped, the one call that may wait)
        for ((i = 0; i < runs; i++)); do
            for s in "${stacks[@]}"; do timed "$s" $cmd >> "$work/$s-$phase-${cmd%% *}.ms"; done
        done
        for s in "${stacks[@]}"; do
            printf "%-4s %-8s %-14s %s\n" "$s" "$phase" "$cmd" "$(stats "$work/$s-$phase-${cmd%% *}.ms")"
        done
    done
}

echo "stack phase    command        median_ms p90_ms max_ms   ($runs runs each, stacks alternating)"
phase up
for s in "${stacks[@]}"; do kill -STOP "${hung[$s]}"; done
phase stopped
for s in "${stacks[@]}"; do kill -CONT "${hung[$s]}"; done
