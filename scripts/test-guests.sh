#!/usr/bin/env bash
# Tests procsys over hosts of another kernel: two QEMU guests, each a Debian 12 minbase (the
# systemd test's cached debootstrap) with the built .deb inside, booted on Debian's cloud kernel
# (linux-image-cloud-amd64: 6.1, where this host may run another), under KVM where a throwaway
# boot of that kernel shows KVM runs it, under TCG otherwise (PROCSYS_GUEST_ACCEL=kvm|tcg forces
# one); a QEMU that exits is reported at once, with its status and its last lines. The guests' agents start from the .deb's systemd unit with mutual TLS
# (certificates from `procsys certs`); QEMU's user-mode network forwards 127.0.0.1:PORT to each
# guest's 7070, and nothing else. A cluster mount on this host over both, with default options,
# is compared with the guests' own view of themselves, read through a root shell on each guest's
# second serial port (scripts/guest-shell.py):
#   - each guest's own files (kernel release, version, its pid 1), and this host's are not theirs;
#   - the combined meminfo: the union of the three hosts' keys, MemTotal summed;
#   - btime and uptime of each guest;
#   - `ps -eo pid,ppid,lstart,args` through `procsys exec`: every guest process, under its cluster
#     pid, with its parent and its start time (the guest's, minus its clock's skew, within 2 s); the
#     first listing after the mount is timed and must hold every guest process; pstree; `procsys which`;
#   - g2's clock is 3 h ahead (-rtc base=..., no time sync): `procsys status` shows a skew of ~3 h;
#   - one service across both guests (docs/scope.md): `systemd-run --unit web -p MemoryMax=200M
#     -p CPUQuota=50%` on each, a second mount with `--scope web.service`: the units' processes and
#     no others, free's total 409600 kB, 2 CPUs, this host (no such unit) left out; `systemctl stop
#     web` on g2 takes g2 out, the unit run again brings it back;
#   - a hung host: g2's agent stopped (SIGSTOP) while `top -d1 -n5` and `vmstat 1 5` run on the
#     view: no frame shows a process over its host's CPUs x 100 %, none is late by more than the
#     deadline; after SIGCONT, g2 is back in the next listing;
#   - a viewer that booted last: a mount inside g1 with this host's agent as its peer (through
#     QEMU's user-mode network): `ps -o lstart,etimes` of this host's processes and of g1's own
#     agrees with their own hosts' ps within 2 s;
#   - a guest powered off: DOWN in `procsys status`, left out of ps and meminfo; booted again:
#     back by itself, with its new boot time, which its processes' start times follow.
# If QEMU cannot start a guest the test says why and fails; it never skips.
# Cache: $PROCSYS_CI_CACHE (default /var/cache/procsys-ci): the minbase (test-systemd.sh
# --prepare), the kernel and busybox packages. Ends with "N passed, M failed".
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
started=$SECONDS
source "$here/scripts/ci-checks.sh"

[[ $(id -u) -eq 0 ]] || { echo "test-guests: run as root (FUSE, chroot, image building)" >&2; exit 1; }
for tool in qemu-system-x86_64 mke2fs busybox; do
    command -v "$tool" >/dev/null || { bad "$tool is not installed (scripts/setup.sh installs qemu-system-x86, e2fsprogs, busybox)"; finish; }
done
version=$(sed -n '0,/<version>/s:.*<version>\([^<]*\)</version>.*:\1:p' pom.xml)
version=${version%-SNAPSHOT}
deb=dist/procsys_${version}_amd64.deb
if [[ ! -f "$deb" ]]; then
    step "no $deb: running scripts/package.sh"
    scripts/package.sh >/dev/null || { bad "scripts/package.sh failed"; finish; }
fi

# --- what the guests are made of (cached) --------------------------------------------------------
cache=${PROCSYS_CI_CACHE:-/var/cache/procsys-ci}
step "the cached Debian 12 minbase (scripts/test-systemd.sh --prepare)"
scripts/test-systemd.sh --prepare >/dev/null 2>&1 || { bad "scripts/test-systemd.sh --prepare (debootstrap)"; finish; }
base=$cache/bookworm-minbase
kpkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | sed -n 's/.*Depends: \(linux-image-[0-9].*\)/\1/p' | head -1)
[[ -n "$kpkg" ]] || { bad "apt knows no linux-image-cloud-amd64 (Debian's cloud kernel)"; finish; }
kdir=$cache/guest-kernel/$kpkg
if [[ ! -f "$kdir/.complete" ]]; then
    step "downloading $kpkg and busybox-static into $kdir"
    rm -rf "$kdir" && mkdir -p "$kdir/pkg"
    if ! (cd "$kdir/pkg" && apt-get download "$kpkg" busybox-static >/dev/null 2>&1); then
        apt-get update -qq >/dev/null 2>&1
        (cd "$kdir/pkg" && apt-get download "$kpkg" busybox-static >/dev/null 2>&1) || { bad "apt-get download $kpkg busybox-static"; finish; }
    fi
    for p in "$kdir"/pkg/*.deb; do dpkg -x "$p" "$kdir/root"; done
    rm -rf "$kdir/pkg"
    touch "$kdir/.complete"
fi
vmlinuz=$(ls "$kdir"/root/boot/vmlinuz-* | head -1)
krelease=${vmlinuz##*/vmlinuz-}
modules=$kdir/root/lib/modules/$krelease/kernel

run=$(mktemp -d /var/tmp/procsys-guests.XXXXXX)
chmod 700 "$run"
qemu_pids=() view=$run/view host_pids=()
cleanup() {
    set +e
    step "teardown"
    for m in "$view" "$run/web"; do
        if mountpoint -q "$m" 2>/dev/null; then "$here/procsys" umount "$m" >/dev/null 2>&1 || umount -l "$m"; fi
    done
    for p in "${host_pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${qemu_pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    if [[ -n ${PROCSYS_CI_KEEP:-} ]]; then echo "# kept $run (PROCSYS_CI_KEEP)"; else rm -rf "$run"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- the accelerator: KVM only where it is seen to run this kernel --------------------------------
# A /dev/kvm may be there and still not run a guest: under nested virtualisation QEMU may abort at
# once ("failed to set MSR 0x10a"), or start a guest that hangs before its first console line. So
# KVM is tried with a throwaway boot of the guest kernel (no root file system, panic=-1,
# -no-reboot): a kernel that gets past early boot panics on the missing root, and QEMU exits.
# Under TCG the same boot takes ~3 s on this kind of machine; under a working KVM about 1 s.
probe_seconds=${PROCSYS_GUEST_PROBE_SECONDS:-10}
probe_kvm() {  # sets accel_why; succeeds if KVM ran the guest kernel to its panic
    local con=$run/kvm-probe.console log=$run/kvm-probe.log pid s deadline=$((SECONDS + probe_seconds)) t0=$SECONDS
    qemu-system-x86_64 -accel kvm -cpu max -smp 1 -m 256 -display none -no-reboot -kernel "$vmlinuz" \
        -append "console=ttyS0 panic=-1" -serial "file:$con" -monitor none </dev/null >"$log" 2>&1 &
    pid=$!
    while (( SECONDS < deadline )); do
        if grep -qE "Kernel panic|Run /init" "$con" 2>/dev/null; then
            kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
            accel_why="the guest kernel reached its panic under KVM in $((SECONDS - t0)) s"
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null || [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == Z ]]; then
            wait "$pid" 2>/dev/null; s=$?
            grep -qE "Kernel panic|Run /init" "$con" 2>/dev/null && { accel_why="the guest kernel reached its panic under KVM"; return 0; }
            accel_why="QEMU exited with status $s: $(grep -v '^$' "$log" | grep -m1 -iE 'error|assert|fail' || tail -1 "$log")"
            return 1
        fi
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    accel_why="the guest kernel did not get past early boot in $probe_seconds s (its console's last line: $(tail -1 "$con" 2>/dev/null | tr -d '\r' | cut -c1-80))"
    return 1
}
case ${PROCSYS_GUEST_ACCEL:-} in
    kvm|tcg) accel=$PROCSYS_GUEST_ACCEL; accel_why="forced by PROCSYS_GUEST_ACCEL" ;;
    "")
        if [[ ! -e /dev/kvm ]]; then accel=tcg; accel_why="no /dev/kvm"
        elif [[ ! -w /dev/kvm ]]; then accel=tcg; accel_why="/dev/kvm is not writable by $(id -un)"
        elif probe_kvm 2>/dev/null; then accel=kvm  # (bash would report an aborted QEMU on stderr)
        else accel=tcg; accel_why="kvm: $accel_why"
        fi ;;
    *) bad "PROCSYS_GUEST_ACCEL=$PROCSYS_GUEST_ACCEL: say kvm or tcg"; finish ;;
esac
echo "# guest accelerator: $accel ($accel_why)"

# --- the boot image: busybox loads virtio, mounts /dev/vda, hands over to systemd -----------------
step "initramfs: busybox and the virtio modules of $krelease"
mkdir -p "$run/initrd/bin" "$run/initrd/lib/modules"
cp "$kdir/root/bin/busybox" "$run/initrd/bin/busybox"
# (and fuse: g1 mounts a view of its own, as a viewer that booted last)
virtio_modules="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk failover net_failover virtio_net fuse"
for m in $virtio_modules; do
    f=$(find "$modules" -name "$m.ko" | head -1)
    [[ -n "$f" ]] || { bad "no $m.ko in $kpkg"; finish; }
    cp "$f" "$run/initrd/lib/modules/"
done
cat > "$run/initrd/init" <<EOF
#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /newroot
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
for m in $virtio_modules; do /bin/busybox insmod /lib/modules/\$m.ko; done
i=0; while [ ! -b /dev/vda ] && [ \$i -lt 100 ]; do /bin/busybox sleep 0.1; i=\$((i + 1)); done
/bin/busybox mount -t ext4 /dev/vda /newroot || { echo "procsys-ci initramfs: cannot mount /dev/vda"; /bin/busybox poweroff -f; }
/bin/busybox umount /proc /sys
/bin/busybox mount --move /dev /newroot/dev
exec /bin/busybox switch_root /newroot /sbin/init
EOF
chmod 755 "$run/initrd/init"
(cd "$run/initrd" && find . | busybox cpio -o -H newc 2>/dev/null) > "$run/initrd.cpio"

# --- the root file system: the minbase, the .deb, the certificates, two small units -------------
step "root file system: the minbase, dpkg -i $(basename "$deb"), TLS files for g1 and g2"
root=$run/root
cp -a "$base" "$root" || { bad "copy $base"; finish; }
cp "$deb" "$root/root/procsys.deb"
mount --bind /proc "$root/proc"; mount --bind /dev "$root/dev"
check "chroot: dpkg -i $(basename "$deb")" logged chroot "$root" dpkg -i /root/procsys.deb
"$here/procsys" certs --out "$run/certs" g1 g2 hub >"$run/certs.log" 2>&1 || { cat "$run/certs.log"; bad "procsys certs"; finish; }
cp "$run/certs"/{ca,g1,g1-key,g2,g2-key}.pem "$root/etc/procsys/certs/"
chroot "$root" sh -c 'chgrp procsys /etc/procsys/certs/*.pem && chmod 0640 /etc/procsys/certs/*.pem'
# each guest's name comes from its kernel command line (procsys.guest=NAME): one image for both;
# its address is QEMU's user-mode network's, always the same (a minbase has no udev, which
# systemd-networkd would wait for)
cat > "$root/etc/systemd/system/procsys-ci-guest.service" <<'EOF'
[Unit]
Description=procsys CI: this guest's name (procsys.guest= on the kernel command line) and address
Before=procsys-agent.service network-online.target
Wants=network-online.target
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'n=$(sed -n "s/.*procsys.guest=\\([a-z0-9]*\\).*/\\1/p" /proc/cmdline); hostname "$n"; echo "PROCSYS_AGENT_ARGS=\\"--listen 0.0.0.0:7070 --name $n\\"" > /etc/default/procsys-agent'
ExecStart=/bin/sh -c 'd=$(ls /sys/class/net | grep -vx lo | head -1); ip link set "$d" up && ip addr add 10.0.2.15/24 dev "$d" && ip route add default via 10.0.2.2'
[Install]
WantedBy=multi-user.target
EOF
cat > "$root/etc/systemd/system/procsys-ci-shell.service" <<'EOF'
[Unit]
Description=procsys CI: a root shell on ttyS1 for the host's checks (QEMU joins it to a unix socket on the host)
[Service]
ExecStart=/bin/sh -c 'stty -F /dev/ttyS1 raw -echo; PS1= PS2= exec /bin/sh -s </dev/ttyS1 >/dev/ttyS1 2>&1'
Restart=always
# a shell on a terminal ignores SIGTERM: without this, every poweroff waited 90 s for it
KillSignal=SIGKILL
[Install]
WantedBy=multi-user.target
EOF
# a viewer that booted last: booted with procsys.view=PORT, the guest mounts a view of its own over
# this host's agent (reached at 10.0.2.2, QEMU's user-mode network); its JVM runs at SCHED_IDLE, so
# that the guest's agent answers the host's checks meanwhile as fast as without it
cat > "$root/etc/systemd/system/procsys-ci-view.service" <<'EOF'
[Unit]
Description=procsys CI: a view inside the guest, this host's agent its peer (procsys.view=PORT on the kernel command line)
ConditionKernelCommandLine=procsys.view
After=procsys-ci-guest.service procsys-agent.service
[Service]
CPUSchedulingPolicy=idle
# C1 only, as the agent's unit: on one emulated vCPU, C2's compiler threads slow the JVM's start
Environment=PROCSYS_JAVA_OPTS=-XX:TieredStopAtLevel=1
ExecStartPre=/bin/mkdir -p /run/view
ExecStart=/bin/sh -c 'p=$(sed -n "s/.*procsys.view=\\([0-9]*\\).*/\\1/p" /proc/cmdline); exec procsys mount --foreground --name "$(hostname)" --certs-dir /etc/procsys/certs --peer hub=10.0.2.2:$p /run/view'
[Install]
WantedBy=multi-user.target
EOF
chroot "$root" systemctl enable procsys-ci-guest.service procsys-ci-shell.service procsys-agent.service procsys-ci-view.service >/dev/null 2>&1 \
    || { bad "chroot: systemctl enable"; finish; }
chroot "$root" systemctl mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer getty@tty1.service \
    serial-getty@ttyS0.service systemd-timesyncd.service >/dev/null 2>&1
umount "$root/proc" "$root/dev"
: > "$root/etc/machine-id"
image=$run/guest.img
mke2fs -q -t ext4 -d "$root" "$image" 2G || { bad "mke2fs -d (the guests' image)"; finish; }
rm -rf "$root"
ok "a guest image of $(du -m --apparent-size "$image" | cut -f1) MB (sparse: $(du -m "$image" | cut -f1) MB) with $kpkg"

# --- boot ----------------------------------------------------------------------------------------
port_of() { echo $(( 24000 + ($$ % 2000) * 2 + ${1#g} )); }
# g2's clock is 3 h ahead of this host's (its RTC; the guests have no time sync): its processes'
# START through the view is its own ps's minus that skew, and `procsys status` shows it
clock_ahead_of() { [[ $1 == g2 ]] && echo 10800 || echo 0; }
boot() {  # $1 = guest name, $2 = more of its kernel command line: starts its QEMU (the image is shared, read-only: writes go to a snapshot)
    local g=$1
    qemu-system-x86_64 -accel "$accel" -cpu max -smp 1 -m 1024 -display none -no-reboot \
        -rtc "base=$(date -u -d "@$(( $(date +%s) + $(clock_ahead_of "$g") ))" +%Y-%m-%dT%H:%M:%S)" \
        -kernel "$vmlinuz" -initrd "$run/initrd.cpio" \
        -append "console=ttyS0 quiet procsys.guest=$g systemd.show_status=0 rd.udev.log_level=3${2:+ $2}" \
        -drive "file=$image,if=virtio,format=raw,snapshot=on" \
        -netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$(port_of "$g")-:7070" -device virtio-net-pci,netdev=net0 \
        -serial "file:$run/$g.console" -serial "unix:$run/$g.shell,server=on,wait=off" \
        -monitor none </dev/null >"$run/$g.qemu.log" 2>&1 &
    qemu_pids+=($!)
    eval "qemu_$g=$!"
}
qemu_running() {  # $1 = guest: its QEMU is still there (our child: a zombie once it exits, until reaped)
    local pid; eval "pid=\${qemu_$1:-}"
    [[ -n "$pid" && -e /proc/$pid && $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]]
}
qemu_exited() {  # $1 = guest whose QEMU exited: its status and the last lines it and the console wrote
    local pid s; eval "pid=\${qemu_$1}"
    wait "$pid" 2>/dev/null; s=$?
    echo "# $1: QEMU exited with status $s; its last lines:"; tail -5 "$run/$1.qemu.log" | sed 's/^/#   /'
    echo "# $1's console:"; tail -10 "$run/$1.console" 2>/dev/null | sed 's/^/#   /'
    exit_status=$s
}
# waits (wait_for) for a guest's shell or agent; a QEMU that exited ends the wait at once (status 99)
guest_shell_up() { qemu_running "$1" || return 99; shell_up "$1"; }
guest_agent_up() { qemu_running "$1" || return 99; agent_up "$1"; }
# Fails the test for a guest that did not come up in $2 s, saying whether its QEMU exited.
guest_late() {  # $1 = guest, $2 = seconds, $3 = what it waited for
    if qemu_running "$1"; then
        echo "# QEMU's output:"; sed 's/^/#   /' "$run/$1.qemu.log" | tail -5
        echo "# $1's console:"; sed 's/^/#   /' "$run/$1.console" | tail -15
        bad "$1: no $3 in $2 s (QEMU $accel still running)"
    else
        qemu_exited "$1"
        bad "$1: QEMU ($accel) exited with status $exit_status before its $3 answered"
    fi
}
gsh() { /usr/bin/python3 "$here/scripts/guest-shell.py" "$run/$1.shell" "$2" "${3:-60}"; }
shell_up() { gsh "$1" true 5 >/dev/null 2>&1; }
agent_up() { gsh "$1" 'systemctl is-active -q procsys-agent.service' 5 >/dev/null 2>&1; }
# g1 is also a viewer that booted last: it mounts a view of its own over this host's agent (checked
# before it powers off), its JVM at SCHED_IDLE while the host checks the rest
hub_port=$(( 28000 + ($$ % 2000) ))
step "host: procsys agent --name hub on 127.0.0.1:$hub_port, the peer of a view inside g1"
"$here/procsys" agent --listen "127.0.0.1:$hub_port" --name hub --certs-dir "$run/certs" --warmup 0 >"$run/hub-agent.log" 2>&1 &
host_pids+=($!)
sleep 3331 &
host_sleep=$!; host_pids+=($!)
step "booting g1 and g2 ($accel, 1 vCPU, 1 GiB each; $krelease; g1 with procsys.view=$hub_port)"
boot_t0=$SECONDS
boot g1 "procsys.view=$hub_port"; boot g2
for g in g1 g2; do
    wait_for 150 guest_shell_up "$g" || { guest_late "$g" 150 "shell"; finish; }
done
ok "both guests booted to their shell in $((SECONDS - boot_t0)) s"
for g in g1 g2; do
    if wait_for 120 guest_agent_up "$g"; then ok "$g: procsys-agent.service is active (the .deb's unit)"
    else guest_late "$g" 120 "active procsys-agent.service"; fi
done
agents_t=$((SECONDS - boot_t0))

# --- the mount, and its first listing ------------------------------------------------------------
mkdir -p "$view"
step "host: procsys mount --name hub --peer g1=127.0.0.1:$(port_of g1) --peer g2=127.0.0.1:$(port_of g2) (defaults)"
"$here/procsys" mount --name hub --certs-dir "$run/certs" --peer "g1=127.0.0.1:$(port_of g1)" --peer "g2=127.0.0.1:$(port_of g2)" "$view" \
    >"$run/mount.log" 2>&1 || { sed 's/^/#   /' "$run/mount.log"; bad "procsys mount over the guests"; finish; }
peers_up() { [[ $("$here/procsys" status --json "$view" 2>/dev/null | grep -o '"UP"' | wc -l) -ge $1 ]]; }
check "host: both guests' agents UP (TLS)" wait_for 60 peers_up 2
truth() {  # $1 = guest: its processes as it sees them, "pid ppid start-epoch args"
    gsh "$1" 'ps -eo pid=,ppid=,lstart=,args= | while read -r pid ppid a b c d e args; do echo "$pid $ppid $(date -d "$a $b $c $d $e" +%s) $args"; done'
}
ps_view() { "$here/procsys" exec --mount "$view" -- ps -eo pid=,ppid=,lstart=,args=; }
epochs() {  # ps's lines "pid ppid lstart args" with lstart as seconds since the epoch
    while read -r pid ppid a b c d e args; do echo "$pid $ppid $(date -d "$a $b $c $d $e" +%s) $args"; done
}
view_ps() { ps_view | epochs; }  # every process through the view: "clusterpid clusterppid start-epoch args"
for g in g1 g2; do truth "$g" > "$run/$g.before"; done
t0=$(date +%s%N)
ps_view > "$run/view.first.raw"
first_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
epochs < "$run/view.first.raw" > "$run/view.first"
"$here/procsys" status "$view" 2>&1 | sed 's/^/#   /'   # the peers after the first listing: left out or not
for g in g1 g2; do truth "$g" > "$run/$g.after"; done
awk '$1 >= 4194304 {print $1}' "$run/view.first" > "$run/cpids"
"$here/procsys" which --mount "$view" $(cat "$run/cpids") > "$run/which" 2>/dev/null
# compares one guest's processes (those alive before and after the listing) with the view's
# the skew of a guest's clock as the view measured it (procsys status --json), whole seconds
skew_of() {
    "$here/procsys" status --json "$view" 2>/dev/null | python3 -c '
import json, sys
hosts = [h for h in ((json.load(sys.stdin).get("clock") or {}).get("hosts") or []) if h["name"] == sys.argv[1]]
print(round(hosts[0]["skewSeconds"]) if hosts and hosts[0].get("skewSeconds") is not None else "none")' "$1"
}
compare_ps() {  # $1 = guest, $2 = the view's listing: prints the problems, fails if any
    local skew; skew=$(skew_of "$1")
    [[ $skew == none ]] && { echo "  no skew of $1 measured (procsys status --json)"; return 1; }
    awk -v g="$1" -v skew="$skew" '
        FILENAME == ARGV[1] { before[$1] = 1; next }
        FILENAME == ARGV[2] { if ($1 in before) { stable[$1] = 1; ppid[$1] = $2; start[$1] = $3 } next }
        FILENAME == ARGV[3] { if ($2 == g) { local[$1] = $3; cluster[$3] = $1 } next }
        { vppid[$1] = $2; vstart[$1] = $3 }
        END {
            bad = 0
            for (p in stable) {
                if (!(p in cluster)) { print "  not listed: " g " pid " p; bad++; continue }
                c = cluster[p]; n++
                want = ppid[p] == 0 ? 0 : cluster[ppid[p]]
                if (vppid[c] != want) { print "  " g " pid " p ": parent " vppid[c] ", want " want " (" g " pid " ppid[p] ")"; bad++ }
                d = vstart[c] - (start[p] - skew); if (d < 0) d = -d
                if (d > 2) { print "  " g " pid " p ": started " vstart[c] ", the guest says " start[p] " (its clock " skew " s ahead)"; bad++ }
            }
            print "  " n " processes of " g " compared (its clock " skew " s ahead)"
            exit bad > 0 || n == 0
        }' "$run/$1.before" "$run/$1.after" "$run/which" "$2"
}
for g in g1 g2; do
    out=$(compare_ps "$g" "$run/view.first"); s=$?
    check "host: the FIRST ps -e after the mount (${first_ms} ms) lists every process of $g, with its parent and its start time (within 2 s): $(tail -1 <<< "$out" | sed 's/^ *//')" test $s -eq 0
    (( s == 0 )) || head -10 <<< "$out"
done

# --- each guest's own files -----------------------------------------------------------------------
for g in g1 g2; do
    out=$(cat "$view/hosts/$g/sys/kernel/osrelease" 2>&1)
    check "host: hosts/$g/sys/kernel/osrelease is the guest's kernel ($out)" test "$out" = "$(gsh "$g" 'cat /proc/sys/kernel/osrelease')"
    check "host: hosts/$g/version is the guest's" test "$(cat "$view/hosts/$g/version" 2>&1)" = "$(gsh "$g" 'cat /proc/version')"
    check "host: hosts/$g/1/comm is the guest's systemd" test "$(cat "$view/hosts/$g/1/comm" 2>&1)" = systemd
    btime_view=$(awk '/^btime/ {print $2}' "$view/hosts/$g/stat" 2>/dev/null)
    btime_guest=$(gsh "$g" "awk '/^btime/ {print \$2}' /proc/stat")
    check "host: hosts/$g/stat btime is the guest's boot ($btime_view; the host booted at $(awk '/^btime/ {print $2}' /proc/stat))" \
        test "$btime_view" = "$btime_guest"
    up_view=$(cut -d' ' -f1 "$view/hosts/$g/uptime" 2>/dev/null); up_guest=$(gsh "$g" 'cut -d" " -f1 /proc/uptime')
    check "host: hosts/$g/uptime is the guest's ($up_view s, the guest says $up_guest s)" \
        awk -v a="$up_view" -v b="$up_guest" 'BEGIN { d = a - b; exit !(d > -3 && d < 3 && a > 0) }'
done
check "host: this host's kernel is not the guests' ($(uname -r))" test "$(uname -r)" != "$(cat "$view/hosts/g1/sys/kernel/osrelease" 2>/dev/null)"

keys() { cut -d: -f1 "$@" | sort -u; }
gsh g1 'cat /proc/meminfo' > "$run/g1.meminfo"; gsh g2 'cat /proc/meminfo' > "$run/g2.meminfo"
cat "$view/meminfo" > "$run/view.meminfo"
check "host: the combined meminfo's keys are the union of the three hosts' ($(keys "$run/view.meminfo" | wc -l) keys)" \
    test "$(keys "$run/view.meminfo")" = "$(keys /proc/meminfo "$run/g1.meminfo" "$run/g2.meminfo")"
mt() { awk '/^MemTotal:/ {print $2}' "$1"; }
check "host: the combined MemTotal is the sum ($(mt "$run/view.meminfo") = $(mt /proc/meminfo) + $(mt "$run/g1.meminfo") + $(mt "$run/g2.meminfo") kB)" \
    test "$(mt "$run/view.meminfo")" = "$(( $(mt /proc/meminfo) + $(mt "$run/g1.meminfo") + $(mt "$run/g2.meminfo") ))"

g1_init=$(awk '$2 == "g1" && $3 == 1 {print $1}' "$run/which")
g2_init=$(awk '$2 == "g2" && $3 == 1 {print $1}' "$run/which")  # pid 1 has parent 0: a plain pstree draws only this host's pid 1
check "host: procsys which names each guest's pid 1 ($(grep -E "^($g1_init|$g2_init) " "$run/which" | paste -sd,))" test -n "$g1_init" -a -n "$g2_init"
for g in g1 g2; do
    init=$(awk -v g="$g" '$2 == g && $3 == 1 {print $1}' "$run/which")
    tree=$("$here/procsys" exec --mount "$view" -- pstree -p "$init" 2>&1)
    check "host: pstree -p $init draws $g's tree: its systemd, the agent's JVM under it ($(wc -l <<< "$tree") lines)" \
        bash -c 'grep -q "^systemd($1)" <<< "$2" && grep -q "java(" <<< "$2"' _ "$init" "$tree"
    grep -q "^systemd($init)" <<< "$tree" || { head -5 <<< "$tree"; "$here/procsys" status "$view" 2>&1 | grep -E "^ *g[12] |error"; } | sed 's/^/#   /'
done

# --- g2's clock, 3 h ahead -------------------------------------------------------------------------
g2_skew=$(skew_of g2) g1_skew=$(skew_of g1)
"$here/procsys" status "$view" 2>&1 | sed -n '/^view btime/,$p' | sed 's/^/#   /'
check "host: procsys status shows g2's clock ~3 h ahead (skew $g2_skew s; its RTC was set 10800 s ahead)" \
    awk -v s="$g2_skew" 'BEGIN { exit !(s != "none" && s >= 10795 && s <= 10805) }'
check "host: and g1's in step with this host's (skew $g1_skew s)" awk -v s="$g1_skew" 'BEGIN { exit !(s != "none" && s >= -2 && s <= 2) }'

# --- one service across both guests: --scope web.service ------------------------------------------
# A transient unit on each guest (cgroup v2, systemd 252) and a second mount on this host scoped to
# it: the units' processes only, the sum of their limits, one CPU each (a 50 % quota rounds up);
# this host has no such unit and is left out. Stopped on g2, g2 leaves; run again, it is back.
scope_t0=$SECONDS web=$run/web
web_unit="systemd-run --quiet --unit web -p MemoryMax=200M -p CPUQuota=50% sleep 1000"
web_cgroup() { gsh "$1" "$web_unit && systemctl show -P ControlGroup web" 30 | tr -d '\r'; }  # runs the unit, says its cgroup
cg_g1=$(web_cgroup g1) cg_g2=$(web_cgroup g2)
check "g1, g2: $web_unit (ControlGroup $cg_g1, $cg_g2)" test "$cg_g1" = /system.slice/web.service -a "$cg_g2" = /system.slice/web.service
mkdir -p "$web"
"$here/procsys" mount --name hub --certs-dir "$run/certs" --scope web.service --peer "g1=127.0.0.1:$(port_of g1)" \
    --peer "g2=127.0.0.1:$(port_of g2)" "$web" >"$run/web.log" 2>&1 || { sed 's/^/#   /' "$run/web.log"; bad "procsys mount --scope web.service"; }
web_exec() { "$here/procsys" exec --mount "$web" -- "$@" 2>&1; }
web_hosts_are() { [[ $(ls "$web/hosts" 2>/dev/null | paste -sd' ') == "$1" ]]; }
web_total() { web_exec free | awk '/^Mem:/ {print $2}'; }
web_total_is() { [[ $(web_total) == "$1" ]]; }
web_sleeps() { web_exec ps -e -o args= | sort | paste -sd,; }
check "host: the scoped view's hosts/ is g1 and g2 (this host has no web.service)" wait_for 60 web_hosts_are "g1 g2"
for g in g1 g2; do  # the guests' own account, for the record
    gsh "$g" 'echo "$(hostname): MainPID $(systemctl show -P MainPID web), memory.max $(cat /sys/fs/cgroup/system.slice/web.service/memory.max), cpu.max $(cat /sys/fs/cgroup/system.slice/web.service/cpu.max), cgroup.procs $(cat /sys/fs/cgroup/system.slice/web.service/cgroup.procs | paste -sd,)"' 10 | sed 's/^/#   /'
done
"$here/procsys" status "$web" 2>&1 | sed -n '/^scope/,/^PEER/p' | grep -v '^PEER' | sed 's/^/#   /'
check "host: procsys status names the unit's cgroup and its one process on each guest" \
    bash -c '[[ $(grep -cE "^ +g[12] +present v2 0::/system.slice/web.service, 1 process" <<< "$1") == 2 ]]' _ "$("$here/procsys" status "$web" 2>&1)"
out=$(web_sleeps)
check "host: ps -e through --scope web.service lists the two units' sleeps and nothing else ($out)" test "$out" = "/usr/bin/sleep 1000,/usr/bin/sleep 1000"
out=$(web_total)
check "host: free's total is the two MemoryMax=200M (409600 kB: $out)" test "$out" = 409600
cpus=$(web_exec getconf _NPROCESSORS_ONLN) n=$(web_exec nproc) blocks=$(grep -c '^processor' "$web/cpuinfo")
check "host: 2 CPUs, one per guest's 50 % quota (getconf $cpus, nproc $n, cpuinfo $blocks)" test "$cpus" = 2 -a "$n" = 2 -a "$blocks" = 2
gsh g2 'systemctl stop web' 30 >/dev/null
check "host: systemctl stop web on g2: g2 leaves (free's total 204800 kB)" wait_for 15 web_total_is 204800
check "host: and hosts/ is g1 alone" wait_for 10 web_hosts_are g1
gsh g2 "$web_unit" 30 >/dev/null
check "host: the unit run again on g2: g2 is back (409600 kB)" wait_for 15 web_total_is 409600
out=$(web_sleeps)
check "host: and both sleeps are listed ($out)" test "$out" = "/usr/bin/sleep 1000,/usr/bin/sleep 1000"
"$here/procsys" umount "$web" >/dev/null 2>&1
for g in g1 g2; do gsh "$g" 'systemctl stop web' 30 >/dev/null; done
step "the scoped view checked in $((SECONDS - scope_t0)) s"

# --- a hung host: g2's agent stopped while top and vmstat run on the view --------------------------
# A frame comes every second; one late by more than the deadline waited on the stopped host more
# than once. A process of a guest (1 vCPU) never shows over 100 %, one of this host's over nproc x 100 %.
deadline=0.5 slack=0.2  # the mount's --deadline-ms (its default); the stamping's own delay on 2 busy cores
g2_agent=$(gsh g2 'systemctl show -p MainPID --value procsys-agent.service' | tr -dc '0-9')
stamped() { while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }  # each line with when it came
step "g2: its agent (pid $g2_agent) stopped with SIGSTOP while top -b -d1 -n5 and vmstat 1 5 run on the view"
gsh g2 "kill -STOP $g2_agent" 5 >/dev/null
timeout 60 "$here/procsys" exec --mount "$view" -- top -b -d1 -n5 -w 512 2>&1 | stamped > "$run/top.hung" &
top_job=$!
timeout 60 "$here/procsys" exec --mount "$view" -- vmstat 1 5 2>&1 | stamped > "$run/vmstat.hung" &
wait "$top_job" $!
gsh g2 "kill -CONT $g2_agent" 5 >/dev/null
# the longest gap between two frames (top's "top - " lines, vmstat's lines of numbers), and how many
gaps() { awk -v what="$1" '($1 ~ /^[0-9.]+$/) && ((what == "top" && $2 == "top" && $3 == "-") || (what == "vmstat" && $2 ~ /^[0-9]+$/)) {
        if (n++) { g = $1 - last; if (g > max) max = g } last = $1 } END { printf "%d %.2f", n, max }' "$2"; }
read -r top_frames top_gap <<< "$(gaps top "$run/top.hung")"
read -r vmstat_frames vmstat_gap <<< "$(gaps vmstat "$run/vmstat.hung")"
check "host: top -d1 -n5 with g2 hung: 5 frames, none late by more than the deadline ($top_frames frames, the longest gap $top_gap s)" \
    awk -v n="$top_frames" -v g="$top_gap" -v d="$deadline" -v s="$slack" 'BEGIN { exit !(n == 5 && g <= 1 + d + s) }'
check "host: vmstat 1 5 with g2 hung: 5 lines, none late by more than the deadline ($vmstat_frames lines, the longest gap $vmstat_gap s)" \
    awk -v n="$vmstat_frames" -v g="$vmstat_gap" -v d="$deadline" -v s="$slack" 'BEGIN { exit !(n == 5 && g <= 1 + d + s) }'
over=$(awk -v cpus="$(nproc)" '$2 ~ /^[0-9]+$/ && $10 ~ /^[0-9.]+$/ && NF >= 13 {
        limit = ($2 >= 4194304 ? 1 : cpus) * 100; if ($10 + 0 > limit) print "pid " $2 " at " $10 "% (limit " limit "%)" }' "$run/top.hung")
check "host: no top frame shows a process over its host's CPUs x 100 % while g2 hung" test -z "$over"
[[ -z "$over" ]] || head -5 <<< "$over" | sed 's/^/#   /'
[[ $top_frames == 5 ]] || grep -v '^[0-9.]* *[0-9]' "$run/top.hung" | tail -5 | sed 's/^/#   /'
# back: a listing after SIGCONT holds g2's processes (the agent first answers what was asked of it
# while stopped: on one emulated vCPU that takes it a few deadlines), meminfo its memory
cont_t0=$(date +%s%N) cont_listings=0
g2_listed() {
    cont_listings=$((cont_listings + 1))
    view_ps > "$run/view.cont"
    awk '$1 >= 4194304 {print $1}' "$run/view.cont" > "$run/cpids"
    g2_back=$("$here/procsys" which --mount "$view" $(cat "$run/cpids") 2>/dev/null | awk '$2 == "g2"' | wc -l)
    (( g2_back > 0 ))
}
wait_for 10 g2_listed
check "host: after SIGCONT, ps -e lists g2's processes again ($g2_back, listing $cont_listings, $(( ($(date +%s%N) - cont_t0) / 1000000 )) ms after SIGCONT)" \
    test "$g2_back" -gt 0
check "host: and meminfo counts g2 again" \
    test "$(mt "$view/meminfo")" = "$(( $(mt /proc/meminfo) + $(mt "$run/g1.meminfo") + $(mt "$run/g2.meminfo") ))"

# --- a viewer that booted last: g1's own view, this host's agent its peer ----------------------------
# The view in g1 counts from this host's boot, long before g1's: each process's START and ELAPSED
# through it must be what its own host's ps says, this host's sleep and g1's own alike. The guest's
# JVM started with its boot, at SCHED_IDLE (a FUSE mount's start takes TCG most of a minute).
viewer_t0=$SECONDS
guest_sleep=$(gsh g1 'sleep 4441 >/dev/null 2>&1 & echo $!' | tr -dc '0-9')
hub_up_in_g1() { gsh g1 'cat /run/view/hosts/hub/uptime' 10 >/dev/null 2>&1; }  # answered once the view is there and the hub UP
if wait_for 120 hub_up_in_g1; then ok "g1: its view reads this host's files ($((SECONDS - viewer_t0)) s after the checks above)"
else bad "g1: its view reads this host's files"; gsh g1 'systemctl status procsys-ci-view.service | tail -5' 10 | sed 's/^/#   /'; fi
lstart_etimes() { TZ=UTC ps -o etimes=,lstart= -p "$1"; }  # "etimes lstart", lstart as seconds since the epoch
to_epoch() { while read -r e a b c d y _; do echo "$e $(TZ=UTC date -d "$a $b $c $d $y" +%s)"; done; }
# the guest's own ps of its sleep before and after ps through its view, in one round trip to its shell
read -r host_e0 host_s < <(lstart_etimes "$host_sleep" | to_epoch)
gsh g1 "TZ=UTC ps -o etimes=,lstart= -p $guest_sleep; unshare -m sh -c 'mount --bind /run/view /proc && exec env TZ=UTC ps -eo etimes=,lstart=,args='; TZ=UTC ps -o etimes=,lstart= -p $guest_sleep" 120 > "$run/g1.view"
read -r host_e1 _ < <(lstart_etimes "$host_sleep" | to_epoch)
read -r guest_e0 guest_s < <(sed -n 1p "$run/g1.view" | to_epoch)
read -r guest_e1 _ < <(tail -1 "$run/g1.view" | to_epoch)
through_g1() { grep -m1 " sleep $1\$" "$run/g1.view" | to_epoch; }  # "etimes lstart" of sleep $1 through g1's view
for who in "this host's sleep 3331:3331:$host_s:$host_e0:$host_e1" "g1's own sleep 4441:4441:$guest_s:$guest_e0:$guest_e1"; do
    IFS=: read -r what arg start e0 e1 <<< "$who"
    read -r e s < <(through_g1 "$arg")
    check "g1's view: $what: START ${s:-none} (its host's ps: $start), ELAPSED ${e:-none} s (its host's: $e0..$e1 s), within 2 s" \
        awk -v s="${s:-0}" -v t="$start" -v e="${e:--1}" -v lo="$e0" -v hi="$e1" 'BEGIN { d = s - t; exit !(d >= -2 && d <= 2 && e >= lo - 2 && e <= hi + 2) }'
done
step "g1's view checked in $((SECONDS - viewer_t0)) s"
# --- a guest powered off, and booted again ---------------------------------------------------------
step "g1: systemctl poweroff"
old_btime=$(awk '/^btime/ {print $2}' "$view/hosts/g1/stat")
gsh g1 'systemctl poweroff' 5 >/dev/null 2>&1
gone() { [[ ! -e /proc/$qemu_g1 || $(awk '{print $3}' "/proc/$qemu_g1/stat" 2>/dev/null) == Z ]]; }  # our child: a zombie until reaped
check "g1: QEMU ended (the guest powered off)" wait_for 90 gone
# its row's state: DOWN, or LEFT OUT once rounds leave it out (a stale copy past --stale-ms)
g1_down() { "$here/procsys" status "$view" 2>/dev/null | grep -E '^ *g1 ' | grep -Eq 'DOWN|LEFT OUT'; }
check "host: procsys status shows g1 DOWN or LEFT OUT" wait_for 30 g1_down
"$here/procsys" status "$view" 2>&1 | grep -E '^ *g[12] ' | sed 's/^/#   /'
listed=$(view_ps | awk '$1 >= 4194304' | wc -l)
g2_count=$(wc -l < "$run/g2.after")
check "host: ps -e leaves g1 out ($listed remote processes listed; g2 has about $g2_count)" \
    awk -v a="$listed" -v b="$g2_count" 'BEGIN { exit !(a > 0 && a <= b + 5) }'
check "host: meminfo without g1 (MemTotal = this host + g2)" \
    test "$(mt "$view/meminfo")" = "$(( $(mt /proc/meminfo) + $(mt "$run/g2.meminfo") ))"

step "g1: booted again"
boot g1
if wait_for 150 guest_shell_up g1; then ok "g1: its shell answers again"; else guest_late g1 150 "shell after the reboot"; finish; fi
if wait_for 120 guest_agent_up g1; then ok "g1: procsys-agent.service active again"; else guest_late g1 120 "active procsys-agent.service after the reboot"; fi
check "host: g1 is back by itself (UP)" wait_for 60 peers_up 2
new_btime=$(awk '/^btime/ {print $2}' "$view/hosts/g1/stat" 2>/dev/null)
check "host: hosts/g1/stat has the new boot time ($old_btime -> $new_btime)" test "${new_btime:-0}" -gt "$old_btime"
# A host back from a reboot is waited for once, up to 5 deadlines (its first table); a guest that
# is still booting under TCG may need longer, so the listing is taken again until g1 is in it.
listings=0 again_t0=$SECONDS
listed_again() {
    listings=$((listings + 1))
    truth g1 > "$run/g1.before"
    view_ps > "$run/view.again"
    truth g1 > "$run/g1.after"
    awk '$1 >= 4194304 {print $1}' "$run/view.again" > "$run/cpids"
    "$here/procsys" which --mount "$view" $(cat "$run/cpids") > "$run/which" 2>/dev/null
    compare_ps g1 "$run/view.again" >/dev/null
}
wait_for 30 listed_again
out=$(compare_ps g1 "$run/view.again"); s=$?
check "host: after the reboot, ps lists g1's processes with start times of its new boot (listing $listings, $((SECONDS - again_t0)) s after UP): $(tail -1 <<< "$out" | sed 's/^ *//')" test $s -eq 0
(( s == 0 )) || head -10 <<< "$out"
echo "# guests: $krelease ($accel); this host: $(uname -r); boot to shell and agents: $agents_t s; first ps -e: $first_ms ms"
finish
