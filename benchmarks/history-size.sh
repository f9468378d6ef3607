#!/usr/bin/env bash
# What recording costs (issue 40): one `procsys agent --record` of this host at INTERVAL for
# SECONDS, then the recording's bytes per frame, a key frame's bytes and MB/host/day at that
# interval (io.procsys.bench.HistorySize: 60-s blocks, a key frame an hour), and the recorder
# thread's CPU (its own utime+stime from /proc, "procsys-recorde") over the run, as % of one core.
#   benchmarks/history-size.sh [SECONDS] [INTERVAL] [HOST]      (default 240 s at 10s, this host)
# HOST: "host" records this host's /proc; "quiet" and "churn" a pid namespace of their own
# (--proc-root /proc/INIT/root/proc), so that the load is known: quiet = history-quiet-load.py
# (220 tasks, 0.2 new tasks/s: the issue's typical server), churn = the ground-truth load of
# HistoryGroundTruthIT (burners, 1/10/100 forks a second, a memory stepper, a disk writer).
# Also prints the recorded host's tasks and new tasks/s over the run, which set the size.
# NO_BUILD=1 uses the built jars as they are.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/scripts/find-jdk.sh"
procsys_find_jdk
java="$PROCSYS_JAVA_HOME/bin/java"
[[ -n "${NO_BUILD:-}" ]] || (cd "$here" && JAVA_HOME=$PROCSYS_JAVA_HOME mvn -B -q -o -DskipTests package)
seconds=${1:-240}
interval=${2:-10s}
mode=${3:-host}
source "$here/benchmarks/history-load.sh"
history_work history-size
proc=/proc
if [[ $mode != host ]]; then  # the load as pid 1 of a pid namespace of its own
    case $mode in
        quiet) command=("$here/benchmarks/history-quiet-load.py") ;;
        churn) mkdir "$work/load"; command=("$here/procsys-fs/src/test/resources/history/truth-load.py" "$work/load" $((seconds + 60)) 3600) ;;
        *) echo "history-size.sh: HOST is host, quiet or churn, not '$mode'" >&2; exit 2 ;;
    esac
    history_load "${command[@]}"
fi
port=$((23000 + RANDOM % 1000))
"$here/procsys" agent --listen "127.0.0.1:$port" --insecure --name bench --warmup 0 --record "$work/rec" \
    --proc-root "$proc" --record-interval "$interval" > "$work/agent.log" 2>&1 &
agent=$!
for _ in $(seq 600); do grep -q "recording bench" "$work/agent.log" && break; sleep 0.1; done
grep -q "recording bench" "$work/agent.log" || { cat "$work/agent.log" >&2; exit 1; }
recorder_ticks() { # the recorder thread's utime+stime
    for t in /proc/$agent/task/*; do
        [[ "$(cat "$t/comm" 2>/dev/null)" == procsys-recorde* ]] && awk '{print $14 + $15}' "$t/stat" && return
    done
    echo 0
}
# new tasks: /proc/stat's processes on this host; in a namespace, its last pid given (loadavg read from inside it)
processes() { if [[ $mode == host ]]; then awk '/^processes/ {print $2}' /proc/stat; else nsenter -t "$init" -p -m awk '{print $5}' /proc/loadavg; fi; }
p0=$(processes)
sleep "$seconds"
p1=$(processes)
ticks=$(recorder_ticks)
tasks=$(ls -d "$proc"/[0-9]*/task/[0-9]* 2>/dev/null | wc -l)
kill "$agent"; wait "$agent" 2>/dev/null || true; agent=
interval_ms=$(case "$interval" in *ms) echo "${interval%ms}";; *s) echo $(( ${interval%s} * 1000 ));; *m) echo $(( ${interval%m} * 60000 ));; *) echo $(( interval * 1000 ));; esac)
echo "host ($mode): $(nproc) CPUs, $tasks tasks (threads included) at the end, $(awk -v a="$p0" -v b="$p1" -v s="$seconds" 'BEGIN {printf "%.2f", (b - a) / s}') new tasks/s"
"$java" -cp "$here/benchmarks/target/benchmarks.jar" io.procsys.bench.HistorySize "$work/rec/bench" "$interval_ms"
echo "on disk: $(du -sb "$work/rec/bench" | cut -f1) bytes for ${seconds} s"
awk -v t="$ticks" -v s="$seconds" 'BEGIN {printf "recorder CPU: %.2f s in %d s = %.3f %% of one core\n", t / 100, s, t / s}'
