#!/usr/bin/env bash
# What one frame of a recording costs (issue 40): an agent records the quiet pid namespace of
# history-size.sh (benchmarks/history-quiet-load.py, 222 tasks) every second; after 20 s of
# warm-up, the recorder thread's CPU over 60 s (user + system, and user alone) per frame, and the
# whole agent's CPU per second (its GC and JIT too). Uses the built launcher as it is.
#   benchmarks/history-frame-cost.sh [LAUNCHER]      (default: this checkout's ./procsys)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
launcher=${1:-$here/procsys}
source "$here/benchmarks/history-load.sh"
history_work frame-cost
history_load "$here/benchmarks/history-quiet-load.py"
"$launcher" agent --listen "127.0.0.1:$((23000 + RANDOM % 1000))" --insecure --name cost --warmup 0 \
    --proc-root "$proc" --record "$work/rec" --record-interval 1s > "$work/agent.log" 2>&1 &
agent=$!
sleep 3
java_pid=$(pgrep -P "$agent" java || echo "$agent")
recorder() {  # the recorder thread's utime and stime
    for t in /proc/$java_pid/task/*; do
        [[ "$(cat "$t/comm" 2>/dev/null)" == procsys-recorde* ]] && awk '{print $14, $15}' "$t/stat" && return
    done
    echo "0 0"
}
whole() { awk '{print $14 + $15}' "/proc/$java_pid/stat"; }
sleep 20
read -r u0 s0 < <(recorder); a0=$(whole)
sleep 60
read -r u1 s1 < <(recorder); a1=$(whole)
echo "tasks: $(ls -d "$proc"/[0-9]*/task/[0-9]* | wc -l)"
echo "recorder: $(( (u1 - u0 + s1 - s0) * 10 / 60 )) ms a frame (user $(( (u1 - u0) * 10 / 60 )), system $(( (s1 - s0) * 10 / 60 ))); whole agent $(( (a1 - a0) * 10 / 60 )) ms a second"
