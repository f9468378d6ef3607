# Sourced by the recording benchmarks (history-size.sh, history-frame-cost.sh): a work directory,
# a load as pid 1 of a pid namespace of its own, and the cleanup of both and of the agent.
#   history_work NAME               sets work (a new directory under /tmp) and the EXIT trap
#   history_load COMMAND...         runs python3 COMMAND... as the namespace's pid 1 (unshare
#                                   --kill-child ends it with unshare); sets load, init and proc
#                                   (its /proc, for --proc-root), once its processes started
# The caller sets agent to the agent's pid once it starts it.
agent= load=
# (under set -e a failing wait, the status of a killed process, would end the trap before the rm)
history_cleanup() {
    if [[ -n "$agent" ]]; then kill "$agent" 2>/dev/null || true; wait "$agent" 2>/dev/null || true; fi
    if [[ -n "$load" ]]; then pkill -KILL -P "$load" 2>/dev/null || true; kill -KILL "$load" 2>/dev/null || true; wait "$load" 2>/dev/null || true; fi
    rm -rf "$work"
}
history_work() {
    work=$(mktemp -d "/tmp/procsys-$1.XXXXXX")
    trap history_cleanup EXIT
}
history_load() {
    unshare --pid --fork --mount-proc --kill-child /usr/bin/python3 "$@" &
    load=$!
    for _ in $(seq 100); do init=$(pgrep -P "$load" | head -1); [[ -n "$init" ]] && break; sleep 0.1; done
    proc=/proc/$init/root/proc
    sleep 3  # its processes started
}
