#!/usr/bin/env bash
# How soon agents answer once started, as operators start them: N `procsys agent` processes
# (the launcher, mutual TLS, default --warmup) started at the same moment on this machine, and a
# `procsys mount` over all of them started at that moment too. Prints, per run:
#   - first answer: ms from the start until the mount has every agent UP (each answered its hello);
#   - ready: ms until a read of the combined meminfo holds all N agents' MemTotal (every agent
#     answered a read within the mount's deadline);
#   - the agents' CPU (all of them, ms) at that moment, and at the end of the run (warm-up done).
#   benchmarks/agent-start.sh [N] [RUNS]       (default 32 agents, 3 runs)
# LAUNCHER: another checkout's ./procsys (an A/B against an older release; default this one).
# DEADLINE_MS: the mount's --deadline-ms (default 2000: on 2 cores, 32 cold JVMs share the CPU).
# Needs root (FUSE). Everything is stopped and removed on exit.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/scripts/run-files.sh"
launcher=${LAUNCHER:-$here/procsys}
n=${1:-32}
runs=${2:-3}
work=$(mktemp -d /tmp/procsys-agent-start.XXXXXX)
pids=()
cleanup() {
    grep -q " $work/mnt " /proc/self/mounts && "$launcher" umount "$work/mnt" >/dev/null 2>&1
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
names=(hub); for ((i = 0; i < n; i++)); do names+=("a$i"); done
"$launcher" certs --out "$work/certs" "${names[@]}" >/dev/null 2>&1
mkdir -p "$work/mnt"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# the JVM the launcher became (it execs java)
agents_cpu_ms() { local t=0 p; for p in "${pids[@]}"; do [[ -r /proc/$p/stat ]] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $((t * 10)); }
# Peers UP, asked of the mount's status socket directly: a `procsys status` per poll would start a
# JVM that competes with the agents for the CPU it measures.
peers_up() {
    local sock procsys_hash
    procsys_run_hash "$1"; sock=/run/procsys/status-$procsys_hash.sock
    [[ -S $sock ]] || { echo 0; return; }
    /usr/bin/python3 -I -S -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"json\n"); b = b""
while (c := s.recv(65536)): b += c
print(b.count(b"\"UP\""))' "$sock" 2>/dev/null || echo 0
}
local_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)

echo "agents runs first_answer_ms ready_ms agents_cpu_at_ready_ms agents_cpu_after_10s_ms"
for ((run = 1; run <= runs; run++)); do
    base=$((23000 + RANDOM % 5000))
    peers=()
    pids=()
    t0=$(now_ms)
    for ((i = 0; i < n; i++)); do
        "$launcher" agent --listen "127.0.0.1:$((base + i))" --name "a$i" --certs-dir "$work/certs" > "$work/a$i.log" 2>&1 &
        pids+=($!)
        peers+=(--peer "a$i=127.0.0.1:$((base + i))")
    done
    "$launcher" mount --name hub --certs-dir "$work/certs" --deadline-ms "${DEADLINE_MS:-2000}" "${peers[@]}" "$work/mnt" >/dev/null 2>&1
    first=
    for _ in $(seq 3000); do
        up=$(peers_up "$work/mnt")
        if (( up >= n )); then first=$(( $(now_ms) - t0 )); break; fi
        sleep 0.05
    done
    ready=
    want=$(( local_kb * (n + 1) ))
    for _ in $(seq 3000); do
        total=$(awk '/^MemTotal:/ {print $2}' "$work/mnt/meminfo" 2>/dev/null || echo 0)
        if (( total == want )); then ready=$(( $(now_ms) - t0 )); break; fi
        sleep 0.05
    done
    cpu_ready=$(agents_cpu_ms)
    sleep 10
    cpu_after=$(agents_cpu_ms)
    echo "$n $run ${first:-never} ${ready:-never} $cpu_ready $cpu_after"
    "$launcher" umount "$work/mnt" >/dev/null 2>&1 || true
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    sleep 2
done
