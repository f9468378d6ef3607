#!/usr/bin/env bash
# procsys against pdsh (issue 19): what an operator runs to see the processes of N hosts.
# Every host is its own pid namespace with its own /proc (so `ps` there lists its processes only),
# holding PDSH_SLEEPERS sleepers (default 64), an sshd (key auth, throwaway keys) and a
# `procsys agent` (mutual TLS, certificates from `procsys certs`). The operator's own machine is one
# more pid and mount namespace, where the cluster mount (the defaults a user gets) and every timed
# command run: it holds a few processes only, so both sides list the same N hosts' processes
# (and /proc/self, which ps needs, is the caller there). Measured in turn, round by
# round (so a drift of the machine's speed hits every command alike), whole-command wall time:
#   pdsh -R ssh -w h[1-N] ps -ef     against   procsys exec --mount M -- ps -ef
#                                    and       ps -ef in a shell already inside the view (timed inside)
#                                    and       procsys exec --mount M --no-intercept -- ps -ef (no JVM)
#                                    and       ps -ef timed inside procsys exec --mount M (its own time there)
#   the same four for pgrep -f sleep;  procsys exec --mount M [--no-intercept] -- true  against a bare true;
#   and how long each exec takes from its launch until its command runs.
# Prints one line per measurement (median, min-max over PDSH_RUNS rounds, default 9, after one
# round not counted, and the lines each command printed), writes bench-results/pdsh.json and
# pdsh.md. Needs root; installs pdsh and openssh-server if missing. Ctrl-C cleans up.
# Knobs: PDSH_HOSTS (8), PDSH_SLEEPERS (64), PDSH_RUNS (9).
set -euo pipefail
export LC_ALL=C  # EPOCHREALTIME with a '.'
command -v pdsh >/dev/null && [[ -x /usr/sbin/sshd ]] || {
    echo "pdsh bench: installing pdsh openssh-server"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pdsh openssh-server >/dev/null \
        || { echo "pdsh bench: pdsh and openssh-server are missing: apt-get install -y pdsh openssh-server" >&2; exit 1; }
}
source "$(dirname "${BASH_SOURCE[0]}")/prepare.sh"
hosts=${PDSH_HOSTS:-8}; sleepers=${PDSH_SLEEPERS:-64}; runs=${PDSH_RUNS:-9}
work=$(mktemp -d /tmp/procsys-pdsh-bench.XXXXXX)
mount_point="$work/cluster"
inits=()   # pid 1 of every namespace (as numbered here): killing it ends its namespace
operator=""
made_run_sshd=0
cleanup() {
    [[ -n $operator ]] && as_operator "$here/procsys" umount "$mount_point" >/dev/null 2>&1 || true
    for p in "${inits[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    (( made_run_sshd )) && rmdir /run/sshd 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

agent_port=22000; ssh_port=22100
names=(operator); for ((i = 1; i <= hosts; i++)); do names+=("h$i"); done
"$here/procsys" certs --out "$work/certs" "${names[@]}" >/dev/null 2>&1

# sshd: one host key and one client key for all hosts, root by key only; the client's config names
# every host (pdsh passes it on through PDSH_SSH_ARGS_APPEND)
mkdir -p "$work/ssh"
ssh-keygen -q -t ed25519 -N '' -f "$work/ssh/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$work/ssh/id"
cp "$work/ssh/id.pub" "$work/ssh/authorized_keys"
[[ -d /run/sshd ]] || { mkdir -p /run/sshd; made_run_sshd=1; }  # sshd's privilege separation directory
: > "$work/ssh/config"
for ((i = 1; i <= hosts; i++)); do
    cat > "$work/ssh/sshd_h$i.conf" <<EOF
ListenAddress 127.0.0.1:$((ssh_port + i))
HostKey $work/ssh/host_key
AuthorizedKeysFile $work/ssh/authorized_keys
PidFile none
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
EOF
    printf 'Host h%d\n  Port %d\n' "$i" "$((ssh_port + i))" >> "$work/ssh/config"
done
cat >> "$work/ssh/config" <<EOF
Host *
  HostName 127.0.0.1
  IdentityFile $work/ssh/id
  IdentitiesOnly yes
  BatchMode yes
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
  LogLevel ERROR
EOF
export PDSH_SSH_ARGS_APPEND="-F $work/ssh/config"

# pid 1 of one host's pid namespace: its sleepers, sshd and agent, until the namespace is killed
cat > "$work/host.sh" <<'EOF'
i=$1 sleepers=$2 work=$3 here=$4 agent_port=$5
for ((k = 0; k < sleepers; k++)); do sleep 86400 & done
/usr/sbin/sshd -D -e -f "$work/ssh/sshd_h$i.conf" 2> "$work/sshd_h$i.log" &
"$here/procsys" agent --listen "127.0.0.1:$agent_port" --name "h$i" --certs-dir "$work/certs" > "$work/agent_h$i.log" 2>&1 &
wait
EOF
# starts "$@" as pid 1 of a new pid and mount namespace (its own /proc); adds that pid to inits
in_new_namespace() {
    local unshare_pid init="" _
    unshare --pid --fork --mount-proc --kill-child "$@" 2>/dev/null & unshare_pid=$!
    for _ in $(seq 100); do init=$(pgrep -P "$unshare_pid" || true); [[ -n $init ]] && break; sleep 0.05; done
    inits+=("$init")
}
for ((i = 1; i <= hosts; i++)); do
    in_new_namespace bash "$work/host.sh" "$i" "$sleepers" "$work" "$here" "$((agent_port + i))"
done
in_new_namespace tail -f /dev/null
operator=${inits[-1]}
as_operator() { nsenter -t "$operator" --pid --mount "$@"; }
for ((i = 1; i <= hosts; i++)); do wait_agent "$work/agent_h$i.log"; done

# the cluster mount, in the operator's namespaces, as a user gets it
peers=(); for ((i = 1; i <= hosts; i++)); do peers+=(--peer "h$i=127.0.0.1:$((agent_port + i))"); done
mkdir -p "$mount_point"
as_operator "$here/procsys" mount --certs-dir "$work/certs" --name operator --log "$work/mount.log" \
    "${peers[@]}" "$mount_point" >/dev/null
wait_up "$mount_point" "$hosts" as_operator

# CMD run once in the operator's namespaces (after --over-proc M: with M bound over /proc in a
# private mount namespace); prints the wall time of CMD alone in µs and the lines it printed (a
# host left out of a listing shows there, not as a fast run)
cat > "$work/timed.sh" <<'EOF'
[ "$1" = --over-proc ] && { mount --bind "$2" /proc; shift 2; }
t0=${EPOCHREALTIME/./}; lines=$("$@" 2>/dev/null | wc -l); echo $(( ${EPOCHREALTIME/./} - t0 )) "$lines"
EOF
timed_run() { as_operator bash "$work/timed.sh" "$@"; }
# how long an exec takes to start its command: from the launch until CMD (date, which makes no
# intercepted call) has run; "1" stands for the lines printed
cat > "$work/started.sh" <<'EOF'
t0=${EPOCHREALTIME/./}; t1=$("$@" date +%s%6N); echo $(( t1 - t0 )) 1
EOF
started() { as_operator bash "$work/started.sh" "$@"; }
timed_inside_view() { as_operator unshare --mount --propagation private bash "$work/timed.sh" --over-proc "$mount_point" "$@"; }
pdsh_cmd=(pdsh -R ssh -w "h[1-$hosts]")
exec_cmd=("$here/procsys" exec --mount "$mount_point" --)
# nothing intercepted: the launcher runs it without a JVM (kill and sysinfo of remote pids are then the kernel's)
exec_plain_cmd=("$here/procsys" exec --mount "$mount_point" --no-intercept --)

echo "pdsh bench: $hosts hosts, $sleepers sleepers each"
declare -A samples printed
record() {  # MEASURE "µs lines"
    (( r >= 0 )) || return 0
    samples[$1]+=" ${2% *}"; printed[$1]+=" ${2#* }"
}
measures=("pdsh ps -ef" "procsys exec ps -ef" "ps -ef timed inside procsys exec" "procsys exec --no-intercept ps -ef" "ps -ef inside the view"
          "pdsh pgrep -f sleep" "procsys exec pgrep -f sleep" "procsys exec --no-intercept pgrep -f sleep" "pgrep -f sleep inside the view"
          "procsys exec true" "procsys exec --no-intercept true" "true"
          "procsys exec: launch to CMD start" "procsys exec --no-intercept: launch to CMD start")
for ((r = -1; r < runs; r++)); do  # round -1 warms up (not counted)
    record "pdsh ps -ef" "$(timed_run "${pdsh_cmd[@]}" ps -ef)"
    record "procsys exec ps -ef" "$(timed_run "${exec_cmd[@]}" ps -ef)"
    # ps alone, under the filter with the exec's JVM beside it: what the whole command adds to it is exec's own
    record "ps -ef timed inside procsys exec" "$(as_operator "${exec_cmd[@]}" bash "$work/timed.sh" ps -ef)"
    record "procsys exec --no-intercept ps -ef" "$(timed_run "${exec_plain_cmd[@]}" ps -ef)"
    record "ps -ef inside the view" "$(timed_inside_view ps -ef)"
    record "pdsh pgrep -f sleep" "$(timed_run "${pdsh_cmd[@]}" pgrep -f sleep)"
    record "procsys exec pgrep -f sleep" "$(timed_run "${exec_cmd[@]}" pgrep -f sleep)"
    record "procsys exec --no-intercept pgrep -f sleep" "$(timed_run "${exec_plain_cmd[@]}" pgrep -f sleep)"
    record "pgrep -f sleep inside the view" "$(timed_inside_view pgrep -f sleep)"
    record "procsys exec true" "$(timed_run "${exec_cmd[@]}" true)"
    record "procsys exec --no-intercept true" "$(timed_run "${exec_plain_cmd[@]}" true)"
    record "true" "$(timed_run true)"
    record "procsys exec: launch to CMD start" "$(started "${exec_cmd[@]}")"
    record "procsys exec --no-intercept: launch to CMD start" "$(started "${exec_plain_cmd[@]}")"
done

# median, min and max in ms of a list of µs
stats_ms() { tr ' ' '\n' <<< "$1" | grep . | sort -n | awk '{a[NR]=$1} END {printf "%.2f %.2f %.2f", a[int((NR+1)/2)]/1000, a[1]/1000, a[NR]/1000}'; }
# the fewest and most lines a command printed (ps -ef: one per process and a header; pgrep: one
# per match, procsys exec's own launcher included)
lines_range() { tr ' ' '\n' <<< "$1" | grep . | sort -n | sed -n '1p;$p' | paste -sd- -; }
results="$work/results.jsonl"; : > "$results"
for m in "${measures[@]}"; do
    read -r median min max <<< "$(stats_ms "${samples[$m]}")"
    lines=$(lines_range "${printed[$m]}")
    echo "{\"measure\": \"$m\", \"hosts\": $hosts, \"sleepers_per_host\": $sleepers, \"runs\": $runs, \"median_ms\": $median, \"min_ms\": $min, \"max_ms\": $max, \"lines\": \"$lines\"}" >> "$results"
    printf '%-32s median %8s ms  (min %s, max %s, %d runs; lines printed %s)\n' "$m" "$median" "$min" "$max" "$runs" "$lines"
done
{ echo "["; sed '$!s/$/,/' "$results"; echo "]"; } > "$out/pdsh.json"
{
    echo "$hosts hosts (pid namespaces, $sleepers sleepers, sshd and a procsys agent each), median of $runs rounds, ms (min–max)"
    echo
    echo "| command | median | min–max | lines printed |"
    echo "|---|---:|---:|---:|"
    awk -F'"' '{m=$4; l=$(NF-1); sub(/.*"median_ms": /,""); split($0, v, /[,}]/); med=v[1]; sub(/.*"min_ms": /,""); split($0, w, /[,}]/); sub(/.*"max_ms": /,""); split($0, x, /[,}]/); printf "| `%s` | %s | %s–%s | %s |\n", m, med, w[1], x[1], l}' "$results"
} > "$out/pdsh.md"
cat "$out/pdsh.md"
