#!/usr/bin/env bash
# What a scope costs a listing (issue 38: "a scoped ps -e over 8 hosts costs <= 1.1x an unscoped
# one"): `ps -e` on three mounts of this host and the same 8 agent processes (each this host's
# /proc, mutual TLS, default options):
#   plain   no scope;
#   all     --scope / (every process: the same listing as plain, so its cost over plain is the
#           filter's and the scoped files' whole cost);
#   web     --scope /procsys-bench-PID/web, a cgroup this script makes holding SLEEPERS sleepers.
# ps runs with the mount bound on /proc in a mount namespace of its own (unshare -m), as procsys
# exec does, without exec's own start. Runs alternate (plain, all, web, plain, ...), so the
# machine's drift touches all alike. Prints per mount the processes listed and the median, p90
# and max wall ms, and each scoped median over plain's.
#   benchmarks/scope.sh [RUNS] [SLEEPERS]     (default 30 runs, 50 sleepers)
# Needs root (FUSE, cgroups, unshare). The cgroups it made, its processes and mounts are removed on exit.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:-30} sleepers=${2:-50}
launcher=$here/procsys
work=$(mktemp -d /tmp/procsys-scope-bench.XXXXXX)
name=procsys-bench-$$
cg=/sys/fs/cgroup
if [[ -f $cg/cgroup.controllers ]]; then hierarchies=("$cg"); else
    hierarchies=(); for h in "$cg"/*/; do [[ -f $h/cgroup.procs ]] && hierarchies+=("${h%/}"); done
fi
pids=() mounts=()
cleanup() {
    set +e
    for m in "${mounts[@]}"; do "$launcher" umount "$m" >/dev/null 2>&1; done
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    for h in "${hierarchies[@]}"; do
        for d in "$h/$name/web" "$h/$name"; do
            for _ in $(seq 50); do [[ -d $d ]] || break; rmdir "$d" 2>/dev/null || sleep 0.05; done
        done
    done
    rm -rf "$work"
}
trap cleanup EXIT

# the scope: a cgroup in every hierarchy (a v1 cpuset takes no process before cpus and mems are set)
for h in "${hierarchies[@]}"; do
    for d in "$h/$name" "$h/$name/web"; do
        mkdir -p "$d"
        for f in cpuset.cpus cpuset.mems; do [[ -f $d/$f && -z $(cat "$d/$f") ]] && cat "$(dirname "$d")/$f" > "$d/$f"; done
    done
done
for ((i = 0; i < sleepers; i++)); do
    sh -c "for h in ${hierarchies[*]}; do echo \$\$ > \$h/$name/web/cgroup.procs; done; exec sleep 3600" &
    pids+=($!)
done

"$launcher" certs --out "$work/certs" view a1 a2 a3 a4 a5 a6 a7 a8 >/dev/null 2>&1
base=$((24000 + RANDOM % 4000)) peers=()
for i in 1 2 3 4 5 6 7 8; do
    "$launcher" agent --listen "127.0.0.1:$((base + i))" --name "a$i" --certs-dir "$work/certs" --warmup 0 > "$work/a$i.log" 2>&1 &
    pids+=($!)
    peers+=(--peer "a$i=127.0.0.1:$((base + i))")
done
sleep 3
declare -A scope=([plain]="" [all]="--scope /" [web]="--scope /$name/web")
kinds=(plain all web)
for k in "${kinds[@]}"; do
    mkdir -p "$work/$k"
    # shellcheck disable=SC2086
    "$launcher" mount --name view --certs-dir "$work/certs" ${scope[$k]} "${peers[@]}" "$work/$k" >/dev/null
    mounts+=("$work/$k")
done
listing() { unshare -m sh -c "mount --bind '$1' /proc && exec ps -e" 2>/dev/null; }
for k in "${kinds[@]}"; do  # every host in before timing (the scope is on all nine: the agents read this host's cgroups)
    for _ in $(seq 100); do [[ $(ls "$work/$k/hosts" 2>/dev/null | wc -l) -ge 9 ]] && break; sleep 0.2; done
    listing "$work/$k" >/dev/null
done
now_ns() { date +%s%N; }
timed() {
    local t0 n
    t0=$(now_ns)
    n=$(listing "$work/$1" | wc -l)
    echo "$(( ($(now_ns) - t0) / 1000000 )) $n"
}
for ((i = 0; i < runs; i++)); do
    for k in "${kinds[@]}"; do timed "$k" >> "$work/$k.ms"; done
done
stats() { cut -d' ' -f1 "$1" | sort -n | awk '{a[NR] = $1} END {printf "%d %d %d", a[int((NR + 1) / 2)], a[int(NR * 0.9 + 0.5)], a[NR]}'; }
echo "# ps -e over 9 hosts (this one and 8 agents on it), $runs runs each; $(nproc) CPUs, $(uname -r)"
printf "%-6s %10s %8s %8s %8s %10s\n" mount processes median p90 max "/plain"
read -r plain_median _ <<< "$(stats "$work/plain.ms")"
for k in "${kinds[@]}"; do
    read -r median p90 max <<< "$(stats "$work/$k.ms")"
    printf "%-6s %10s %8d %8d %8d %10s\n" "$k" "$(cut -d' ' -f2 "$work/$k.ms" | sort -n | tail -1)" "$median" "$p90" "$max" \
        "$(awk -v a="$median" -v b="$plain_median" 'BEGIN { printf "%.2fx", a / b }')"
done
