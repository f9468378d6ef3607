#!/usr/bin/env bash
# Tests the .deb's systemd units under a real, booted systemd (as root on Debian, after
# scripts/package.sh; it runs that first if dist/ lacks the .deb, or with --package):
#   - a Debian 12 (bookworm) minbase, made once by debootstrap and cached in
#     $PROCSYS_CI_CACHE (default /var/cache/procsys-ci/bookworm-minbase; a stamp file written
#     last marks it complete, so an interrupted bootstrap is redone), booted from a throwaway
#     overlay (the cache stays untouched) by `systemd-nspawn --boot`, in a network namespace of its
#     own joined to this host by a veth pair, with /dev/fuse bound in;
#   - inside it: dpkg -i the .deb, the TLS files (procsys certs) installed as the README says,
#     `systemctl enable --now procsys-agent` listening on the container's veth address and
#     `procsys-mount@mnt-cluster.service` with a peer: an agent this script runs on the host;
#   - from the host, a cluster mount with the container's agent as a peer reads its loadavg, its
#     pid 1 and the combined meminfo; inside, the mount unit reads its own host and the host peer;
#   - `systemctl stop` leaves both units inactive (not failed) and the mount gone.
# Everything (machine, netns, veth, mounts, the host's agent and mount) is torn down on exit.
# If nspawn cannot boot the container the test says why and fails. Runs are serialised by a lock
# in the cache directory (the machine name, namespace and addresses are fixed).
# --prepare only makes the cached root file system (a cold cache: ~80 s of downloads), e.g. before
# a build lock is taken. PROCSYS_CI_DROPINS=DIR adds DIR/<unit>.d/*.conf to the container's units before they start: a unit
# change tried without rebuilding the .deb. PROCSYS_UPGRADE_FROM=OLD.deb installs that release
# first, starts its agent, and upgrades it to this .deb: the agent must come back on the new files,
# still enabled, the local change to its conffile kept, the old release's files gone.
# Ends with one line: "N passed, M failed".
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
started=$SECONDS

source "$here/scripts/ci-checks.sh"
source "$here/scripts/run-files.sh"
memtotal() { awk '/^MemTotal:/ {print $2}' "$@"; }
loadavg_re='^[0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2} [0-9]+/[0-9]+ [0-9]+$'

[[ $(id -u) -eq 0 ]] || { echo "test-systemd: run as root (debootstrap, nspawn, netns, FUSE)" >&2; exit 1; }
for tool in debootstrap systemd-nspawn nsenter ip; do
    command -v "$tool" >/dev/null || { bad "$tool is not installed (scripts/setup.sh installs debootstrap, systemd-container, util-linux, iproute2)"; finish; }
done
# what nspawn adapts to here (docs/ci-machine.md): the cgroup layout it gives the container, PID 1
"$here/scripts/ci-machine.sh" | grep -E '^# (cgroup|PID 1|disk):'

prepare=0
[[ "${1:-}" == --prepare ]] && prepare=1
version=$(sed -n '0,/<version>/s:.*<version>\([^<]*\)</version>.*:\1:p' pom.xml)
version=${version%-SNAPSHOT}
deb=dist/procsys_${version}_amd64.deb
if (( !prepare )) && [[ "${1:-}" == --package || ! -f "$deb" ]]; then
    step "no $deb: running scripts/package.sh"
    scripts/package.sh >/dev/null || { bad "scripts/package.sh failed"; finish; }
fi

# --- the cached root file system ---------------------------------------------------------------
cache=${PROCSYS_CI_CACHE:-/var/cache/procsys-ci}
base=$cache/bookworm-minbase
stamp=$base/.procsys-ci-complete
# systemd-sysv: /sbin/init; dbus: systemctl's and logind's bus; fuse3: the .deb's Depends (and
# fusermount3); iproute2, procps: to look at the container when something fails
include=systemd,systemd-sysv,dbus,fuse3,iproute2,procps,ca-certificates
# the host's Debian mirror (its apt sources), else deb.debian.org
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
             | grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security | head -1 | tr -d ' ')
mirror=${PROCSYS_CI_MIRROR:-${mirror:-http://deb.debian.org/debian}}
want="bookworm minbase $include $mirror"
mkdir -p "$cache"
exec 9>"$cache/lock"
step "waiting for $cache/lock (one run at a time on this machine)"
flock 9

if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    step "bootstrapping Debian 12 minbase into $base (debootstrap from $mirror; cached for later runs)"
    rm -rf "$base" "$base.new"
    t0=$SECONDS
    if ! debootstrap --variant=minbase --include="$include" bookworm "$base.new" "$mirror" >"$cache/debootstrap.log" 2>&1; then
        tail -15 "$cache/debootstrap.log"
        bad "debootstrap bookworm (log: $cache/debootstrap.log)"
        finish
    fi
    # each boot makes its own machine id (an empty file: systemd generates a transient one)
    : > "$base.new/etc/machine-id"
    mv "$base.new" "$base"
    echo "$want" > "$stamp"
    ok "debootstrap: Debian 12 minbase with $include in $((SECONDS - t0)) s"
else
    step "using the cached Debian 12 minbase in $base"
fi

(( prepare )) && finish

# --- names, addresses, the run's copy ----------------------------------------------------------
machine=procsys-ci
ns=procsys-ci                       # ip netns; the container's network namespace
veth=ve-procsys-ci                  # the host's end; the container's end is host0
host_ip=10.231.77.1 ct_ip=10.231.77.2
agent_port=7070 host_port=7071
unit_mnt=/mnt/cluster

run=$(mktemp -d /var/tmp/procsys-ci-run.XXXXXX)
chmod 700 "$run"
root=$run/root
nspawn_pid= leader= host_agent= host_mnt=$run/view overlay=0
cleanup() {
    set +e
    step "teardown"
    if mountpoint -q "$host_mnt" 2>/dev/null; then "$here/procsys" umount "$host_mnt" >/dev/null 2>&1 || umount -l "$host_mnt"; fi
    [[ -n "$host_agent" ]] && kill "$host_agent" 2>/dev/null && wait "$host_agent" 2>/dev/null
    if [[ -n "$nspawn_pid" ]] && kill -0 "$nspawn_pid" 2>/dev/null; then
        # SIGRTMIN+4 asks systemd to power off (what machinectl poweroff sends)
        [[ -n "$leader" ]] && kill -s RTMIN+4 "$leader" 2>/dev/null
        if ! wait_for 30 bash -c "! kill -0 $nspawn_pid 2>/dev/null"; then
            echo "# the container did not power off in 30 s: killing it"
            [[ -n "$leader" ]] && kill -KILL "$leader" 2>/dev/null
            wait_for 10 bash -c "! kill -0 $nspawn_pid 2>/dev/null" || kill -KILL "$nspawn_pid" 2>/dev/null
        fi
        wait "$nspawn_pid" 2>/dev/null
    fi
    ip netns del "$ns" 2>/dev/null
    ip link del "$veth" 2>/dev/null
    (( overlay )) && umount "$root" 2>/dev/null
    mountpoint -q "$root" 2>/dev/null && umount -l "$root"
    rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

step "making the run's root: an overlay on the cache (a copy if overlayfs is refused)"
mkdir -p "$run/upper" "$run/work" "$root"
if mount -t overlay procsys-ci -o "lowerdir=$base,upperdir=$run/upper,workdir=$run/work" "$root" 2>/dev/null; then
    overlay=1
else
    echo "# overlayfs refused here: the run's root is a copy of $base"
    cp -a "$base/." "$root/" || { bad "copy $base to $root"; finish; }
fi
cp "$deb" "$root/root/procsys.deb"
old_deb=${PROCSYS_UPGRADE_FROM:-}
[[ -z "$old_deb" ]] || cp "$old_deb" "$root/root/procsys-old.deb" || { bad "copy $old_deb"; finish; }

step "certificates: procsys certs ct host"
"$here/procsys" certs --out "$run/certs" ct host >"$run/certs.log" 2>&1 \
    || { cat "$run/certs.log"; bad "procsys certs"; finish; }
mkdir -p "$root/root/certs"
cp "$run/certs"/{ca,ct,ct-key}.pem "$root/root/certs/"

step "network: netns $ns, veth $veth ($host_ip) <-> host0 ($ct_ip)"
ip netns del "$ns" 2>/dev/null; ip link del "$veth" 2>/dev/null
ip netns add "$ns" \
    && ip link add "$veth" type veth peer name host0 netns "$ns" \
    && ip addr add "$host_ip/24" dev "$veth" && ip link set "$veth" up \
    && ip -n "$ns" addr add "$ct_ip/24" dev host0 && ip -n "$ns" link set host0 up && ip -n "$ns" link set lo up \
    || { bad "network namespace and veth"; finish; }

# --- boot ----------------------------------------------------------------------------------------
nspawn=(systemd-nspawn --boot --directory="$root" --machine="$machine" --console=read-only
        --network-namespace-path="/run/netns/$ns" --bind=/dev/fuse)
if [[ -d /run/systemd/system ]]; then
    # a systemd host puts the container in a scope; its device policy must let /dev/fuse through
    nspawn+=(--property="DeviceAllow=/dev/fuse rwm")
else
    # no systemd (nor systemd-machined) on this host: no scope to make, nothing to register with
    nspawn+=(--register=no --keep-unit)
fi
step "booting: ${nspawn[*]}"
"${nspawn[@]}" </dev/null >"$run/nspawn.log" 2>&1 9>&- &
nspawn_pid=$!
find_leader() {  # the container's PID 1: nspawn's child in another pid namespace
    local p
    kill -0 "$nspawn_pid" 2>/dev/null || return 99    # nspawn gave up: stop waiting
    for p in $(ps -o pid= --ppid "$nspawn_pid" 2>/dev/null); do
        if [[ "$(readlink "/proc/$p/ns/pid")" != "$(readlink /proc/self/ns/pid)" ]]; then leader=$p; return 0; fi
    done
    return 1
}
if ! wait_for 30 find_leader; then
    echo "# systemd-nspawn's output:"; sed 's/^/#   /' "$run/nspawn.log" | tail -20
    bad "systemd-nspawn --boot could not start the container (see its output above)"
    finish
fi
ct() {  # runs a command in the container: all its namespaces, its root, a clean environment
    nsenter --target "$leader" --all --root --wd \
        env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 TERM=dumb "$@" 9>&-
}
state=
boot_up() { state=$(ct timeout 60 systemctl is-system-running --wait 2>/dev/null); [[ "$state" == running || "$state" == degraded ]]; }
if ! wait_for 90 boot_up; then
    echo "# systemd-nspawn's output:"; sed 's/^/#   /' "$run/nspawn.log" | tail -30
    bad "the container's systemd did not finish booting in 90 s (state: ${state:-no answer})"
    finish
fi
ok "the container booted (leader pid $leader, systemd says: $state)"
echo "# container: $(ct systemctl --version | head -1); its /sys/fs/cgroup: $(ct stat -f -c %T /sys/fs/cgroup) (cgroup2fs: unified, tmpfs: v1 or hybrid)"
if [[ "$state" == degraded ]]; then
    echo "# failed units in the container (not procsys's):"; ct systemctl --failed --no-legend --plain | sed 's/^/#   /'
fi

# --- the package and the agent -------------------------------------------------------------------
if [[ -n "$old_deb" ]]; then
    step "dpkg -i $old_deb in the container (upgraded from once its agent runs)"
    check "container: dpkg -i $old_deb" logged ct dpkg -i /root/procsys-old.deb || finish
else
    step "dpkg -i $(basename "$deb") in the container"
    check "container: dpkg -i $(basename "$deb")" logged ct dpkg -i /root/procsys.deb || finish
    check "container: postinst made the AOT caches (agent.aot, status.aot: trained on a mount of its own)" \
        ct test -s /var/cache/procsys/aot/agent.aot -a -s /var/cache/procsys/aot/status.aot
fi
check "container: systemd knows both units" logged ct systemctl cat procsys-agent.service procsys-mount@.service

step "TLS files into /etc/procsys/certs (group procsys, 0640), /etc/default/procsys-agent: --listen $ct_ip:$agent_port --name ct"
ct sh -c 'cp /root/certs/*.pem /etc/procsys/certs/ && chgrp procsys /etc/procsys/certs/*.pem && chmod 0640 /etc/procsys/certs/*.pem'
check "container: /etc/procsys/certs/ct-key.pem is root:procsys 0640" \
    test "$(ct stat -c '%U:%G %a' /etc/procsys/certs/ct-key.pem)" = "root:procsys 640"
if [[ -n "${PROCSYS_CI_DROPINS:-}" ]]; then
    step "drop-ins from $PROCSYS_CI_DROPINS: $(cd "$PROCSYS_CI_DROPINS" && ls -d */*.conf | paste -sd' ')"
    cp -r "$PROCSYS_CI_DROPINS"/. "$root/etc/systemd/system/" && ct systemctl daemon-reload
fi
sed -i "s|^PROCSYS_AGENT_ARGS=.*|PROCSYS_AGENT_ARGS=\"--listen $ct_ip:$agent_port --name ct\"|" "$root/etc/default/procsys-agent"

unit_state() {  # $1 = unit: "LoadState=... ActiveState=... Result=... ExecMainStatus=..."
    ct systemctl show -p LoadState,ActiveState,Result,ExecMainStatus "$1" | sort | paste -sd' '
}
stopped_clean() {  # $1 = unit: loaded, inactive (not failed), result success
    [[ "$(ct systemctl show -p LoadState,ActiveState,Result "$1" | sort | paste -sd' ')" == "ActiveState=inactive LoadState=loaded Result=success" ]]
}
journal() {  # $1 = unit, $2 = lines
    echo "# journal of $1:"; ct journalctl -u "$1" --no-pager -o cat -n "${2:-15}" | sed 's/^/#   /'
}

step "systemctl enable --now procsys-agent"
check "container: systemctl enable --now procsys-agent" logged ct systemctl enable --now procsys-agent.service
tcp_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }
if check "container: procsys-agent listens on $ct_ip:$agent_port" wait_for 60 tcp_open "$ct_ip" "$agent_port"; then
    check "container: procsys-agent is active ($(unit_state procsys-agent.service))" \
        test "$(ct systemctl is-active procsys-agent.service)" = active
    check "container: procsys-agent runs as procsys" \
        test "$(ct stat -c %U "/proc/$(ct systemctl show -p MainPID --value procsys-agent.service)")" = procsys
else
    journal procsys-agent.service 20
fi

agent_pid() { ct systemctl show -p MainPID --value procsys-agent.service; }
agent_restarted() {  # $1 = the agent's pid before: a new one, on the new release's java
    local pid; pid=$(agent_pid)
    [[ "$pid" != 0 && "$pid" != "$1" && "$(ct readlink "/proc/$pid/exe")" == /usr/lib/procsys/runtime/bin/java ]]
}
upgrade() {  # dpkg -i this .deb over the old release, its agent running
    local args before
    step "upgrade: dpkg -i $(basename "$deb") over $old_deb, the agent running"
    before=$(agent_pid)
    check "container: dpkg -i $(basename "$deb") upgrades (no conffile question: stdin is /dev/null)" \
        logged ct sh -c 'dpkg -i /root/procsys.deb </dev/null' || return
    check "container: the old release's files are gone (/opt/procsys)" ct test ! -e /opt/procsys
    check "container: postinst made the AOT caches" ct test -s /var/cache/procsys/aot/agent.aot
    args=$(ct sh -c '. /etc/default/procsys-agent; echo "$PROCSYS_AGENT_ARGS"')
    check "container: /etc/default/procsys-agent keeps its local change ($args)" test "$args" = "--listen $ct_ip:$agent_port --name ct"
    check "container: procsys-agent is still enabled" test "$(ct systemctl is-enabled procsys-agent.service)" = enabled
    check "container: postinst restarted the agent (pid $before before) on /usr/lib/procsys/runtime/bin/java" \
        wait_for 30 agent_restarted "$before"
    check "container: the restarted agent listens on $ct_ip:$agent_port" wait_for 60 tcp_open "$ct_ip" "$agent_port"
}
[[ -z "$old_deb" ]] || upgrade

# --- recording under the unit's sandbox: its StateDirectory is the one place it may write --------
step "container: the agent records its past in /var/lib/procsys/history (--record, every second)"
sed -i "s|^PROCSYS_AGENT_ARGS=.*|PROCSYS_AGENT_ARGS=\"--listen $ct_ip:$agent_port --name ct --record /var/lib/procsys/history --record-interval 1s --record-block 2s\"|" \
    "$root/etc/default/procsys-agent"
ct systemctl restart procsys-agent.service
recorded() { [[ -n "$(ct find /var/lib/procsys/history -type f -size +0 2>/dev/null)" ]]; }
check "container: the agent, restarted with --record, listens on $ct_ip:$agent_port" wait_for 60 tcp_open "$ct_ip" "$agent_port"
check "container: it writes its past under ProtectSystem=strict" wait_for 30 recorded
ct find /var/lib/procsys/history -type f 2>/dev/null | head -3 | sed 's/^/#   /'
check "container: /var/lib/procsys is procsys's, 0700 ($(ct stat -c '%U %a' /var/lib/procsys 2>&1))" \
    test "$(ct stat -c '%U %a' /var/lib/procsys)" = "procsys 700"

# --- the host's agent and the container's mount unit ---------------------------------------------
step "host: procsys agent --listen $host_ip:$host_port --name host (mutual TLS)"
"$here/procsys" agent --listen "$host_ip:$host_port" --name host --certs-dir "$run/certs" >"$run/host-agent.log" 2>&1 9>&- &
host_agent=$!
check "host: the agent listens on $host_ip:$host_port" wait_for 60 tcp_open "$host_ip" "$host_port"

unit=$(ct systemd-escape --path --template=procsys-mount@.service "$unit_mnt")
step "/etc/procsys/mount.yaml: name ct, peer host=$host_ip:$host_port; systemctl enable --now $unit"
cat >> "$root/etc/procsys/mount.yaml" <<EOF
# added by scripts/test-systemd.sh
name: ct
peers:
  - {name: host, address: "$host_ip:$host_port"}
EOF
check "container: systemctl enable --now $unit" logged ct systemctl enable --now "$unit"
check "container: $unit is active ($(unit_state "$unit"))" test "$(ct systemctl is-active "$unit")" = active
if check "container: $unit_mnt is a procsys mount" wait_for 30 ct grep -q " $unit_mnt fuse.procsys " /proc/self/mounts; then
    out=$(ct cat "$unit_mnt/hosts/ct/loadavg" 2>&1)
    check "container: $unit_mnt/hosts/ct/loadavg, the unit's own host ($out)" grep -Eq "$loadavg_re" <<< "$out"
    out=$(ct cat "$unit_mnt/hosts/ct/1/comm" 2>&1)
    check "container: $unit_mnt/hosts/ct/1/comm is systemd ($out)" test "$out" = systemd
    out=$(wait_for 10 ct test -d "$unit_mnt/hosts/host"; ct cat "$unit_mnt/hosts/host/loadavg" 2>&1)
    check "container: $unit_mnt/hosts/host/loadavg, the host peer ($out)" grep -Eq "$loadavg_re" <<< "$out"
    out=$(ct cat "$unit_mnt/hosts/host/1/comm" 2>&1)
    check "container: $unit_mnt/hosts/host/1/comm is the host's pid 1 ($out)" test "$out" = "$(cat /proc/1/comm)"
    # under the unit's sandbox (SystemCallFilter, capabilities) the daemon can still supervise execs
    procsys_run_hash "$unit_mnt"
    check "container: the unit's daemon supervises procsys exec (/run/procsys/intercept-$procsys_hash.sock)" \
        ct test -S "/run/procsys/intercept-$procsys_hash.sock"
else
    journal "$unit" 20
fi

# --- the host's mount of the container's agent ---------------------------------------------------
step "host: procsys mount --name host --peer ct=$ct_ip:$agent_port $host_mnt"
mkdir -p "$host_mnt"
if check "host: procsys mount --peer ct=$ct_ip:$agent_port (mutual TLS) mounts" \
        "$here/procsys" mount --name host --certs-dir "$run/certs" --peer "ct=$ct_ip:$agent_port" "$host_mnt" >"$run/host-mount.log" 2>&1; then
    wait_for 10 test -d "$host_mnt/hosts/ct"
    out=$(cat "$host_mnt/hosts/ct/loadavg" 2>&1)
    check "host: hosts/ct/loadavg from the unit's agent ($out)" grep -Eq "$loadavg_re" <<< "$out"
    listing=$(ls "$host_mnt/hosts/ct/" 2>&1)
    check "host: listing hosts/ct/ shows pid 1 and loadavg ($(wc -w <<< "$listing") names)" \
        bash -c 'grep -qx 1 <<< "$1" && grep -qx loadavg <<< "$1"' _ "$listing"
    out=$(cat "$host_mnt/hosts/ct/1/stat" 2>&1)
    check "host: hosts/ct/1/stat is the container's systemd ($(cut -c1-40 <<< "$out")...)" grep -q '^1 (systemd) ' <<< "$out"
    agent_pid=$(ct systemctl show -p MainPID --value procsys-agent.service)
    out=$(readlink "$host_mnt/hosts/ct/$agent_pid/exe" 2>&1)
    check "host: hosts/ct/$agent_pid/exe, the agent's own exe link (CAP_SYS_PTRACE kept: $out)" \
        test "$out" = /usr/lib/procsys/runtime/bin/java
    mem=$(memtotal /proc/meminfo)
    check "host: hosts/ct/meminfo is the container's (MemTotal $mem kB, the same kernel)" \
        test "$(memtotal "$host_mnt/hosts/ct/meminfo" 2>/dev/null)" = "$mem"
    check "host: meminfo is combined: MemTotal = host + ct = 2 x $mem kB" \
        test "$(memtotal "$host_mnt/meminfo" 2>/dev/null)" = "$((2 * mem))"
    "$here/procsys" umount "$host_mnt" >/dev/null 2>&1 || umount -l "$host_mnt"
else
    sed 's/^/#   /' "$run/host-mount.log" | tail -5
fi
if (( failed )); then journal procsys-agent.service 10; journal "$unit" 10; fi

# --- a crash ------------------------------------------------------------------------------------
step "kill -KILL the mount unit's daemon: Restart=on-failure must mount $unit_mnt again"
old_pid=$(ct systemctl show -p MainPID --value "$unit")
remounted() {  # active too: a stop while ExecStartPost still polls for the mount fails the unit
    local pid
    pid=$(ct systemctl show -p MainPID --value "$unit")
    [[ "$pid" != 0 && "$pid" != "$old_pid" ]] && ct grep -Eq "$loadavg_re" "$unit_mnt/hosts/host/loadavg" 2>/dev/null \
        && [[ "$(ct systemctl is-active "$unit")" == active ]]
}
if [[ "$old_pid" != 0 ]]; then
    ct kill -KILL "$old_pid"
    check "container: after SIGKILL of its daemon, $unit restarts and serves $unit_mnt again" \
        wait_for 40 remounted
    check "container: ... with $unit_mnt mounted once" test "$(ct grep -c " $unit_mnt " /proc/self/mounts)" = 1
fi

# --- stop ----------------------------------------------------------------------------------------
step "systemctl stop $unit"
ct systemctl stop "$unit"
check "container: after stop, $unit is inactive, not failed ($(unit_state "$unit"))" stopped_clean "$unit"
check "container: after stop, $unit_mnt is no longer mounted" bash -c "! grep -q ' $unit_mnt ' '/proc/$leader/mounts'"
step "systemctl stop procsys-agent"
ct systemctl stop procsys-agent.service
check "container: after stop, procsys-agent is inactive, not failed ($(unit_state procsys-agent.service))" \
    stopped_clean procsys-agent.service

# the JVM may get the SIGTERM before procsys handles it (SuccessExitStatus=143 in the units)
step "systemctl start procsys-agent, then stop it 0.5 s later (during the JVM's start-up)"
ct systemctl start procsys-agent.service; sleep 0.5; ct systemctl stop procsys-agent.service
check "container: stopped during start-up, procsys-agent is inactive, not failed ($(unit_state procsys-agent.service))" \
    stopped_clean procsys-agent.service
if (( failed )); then journal procsys-agent.service 8; journal "$unit" 12; fi

finish
