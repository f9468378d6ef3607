#!/usr/bin/env bash
# Makes the AOT caches (JDK 25+, JEP 483/514) a procsys launcher starts from:
#   scripts/train-aot.sh LAUNCHER DIR [MOUNTPOINT]
# LAUNCHER is ./procsys or a release's bin/procsys: each cache is made by the JVM, options and
# class path that launcher uses, which is what a cache must match. MOUNTPOINT: a live procsys
# mount for `status` to read (without one, status gets no cache of its own).
#   DIR/version.aot   trained on `procsys --version`
#   DIR/status.aot    trained on `procsys status MOUNTPOINT`
#   DIR/exec.aot      trained on `procsys exec --mount MOUNTPOINT -- true` (as root; without a
#                     mount or root, on the same command refused: its options and checks only).
#                     In a training run the launcher takes the road of an exec with interception
#                     (a JVM on InterceptedExec) on the mirror too: otherwise exec on a mirror is
#                     the launcher's own and starts no JVM to train. Other execs that need a JVM
#                     (a private mount, --files-only) start from procsys.aot
#   DIR/agent.aot     trained on an agent's start and warm-up (mutual TLS): an agent loads only its
#                     own classes, so its RSS carries no CLI classes (docs/benchmarks/history.md "Lean agent")
#   DIR/procsys.aot   everything else: io.procsys.cli.Training (help pages, status, certs, ...)
# One cache per path, not one for all: a cache's classes are all loaded and linked at start
# (AOT class linking), so --version with the 3500 classes of every path started 0.1-0.2 s later
# than with its own 1800 (docs/benchmarks/history.md "CLI start-up").
set -uo pipefail
launcher=$1 dir=$2 mount=${3:-}
rm -rf "$dir"
mkdir -p "$dir"
train() {  # $1 = cache file, the rest = the launcher's arguments
    local out=$1; shift
    env -u PROCSYS_JAVA_OPTS PROCSYS_AOT_TRAIN="$out" "$launcher" "$@" >/dev/null 2>&1
    [[ -f "$out" ]]
}
status=0
train "$dir/version.aot" --version || status=1
# exec refused (no mount, not root) still trains its command line; the cache is made all the same
train "$dir/exec.aot" exec --mount "${mount:-/nonexistent}" -- true || status=1
train_agent() {  # an agent on a free port with throw-away certificates, stopped once it is warm
    local out=$1 certs log pid
    certs=$(mktemp -d) log=$(mktemp)
    "$launcher" certs --out "$certs" aot >/dev/null 2>&1 || { rm -rf "$certs" "$log"; return 1; }
    env -u PROCSYS_JAVA_OPTS PROCSYS_AOT_TRAIN="$out" "$launcher" agent --listen 127.0.0.1:0 --name aot --certs-dir "$certs" >"$log" 2>&1 &
    pid=$!
    for _ in $(seq 600); do grep -q exporting "$log" && break; sleep 0.1; done
    kill -TERM "$pid"; wait "$pid"
    rm -rf "$certs" "$log"
    [[ -f "$out" ]]
}
train_agent "$dir/agent.aot" || status=1
if [[ -n "$mount" ]]; then
    train "$dir/status.aot" status "$mount" || status=1
    train "$dir/procsys.aot" "$mount" || status=1
else
    train "$dir/procsys.aot" || status=1
fi
exit $status
