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
#   - an ancestor slice's limit: `systemd-run --unit web2 --slice=ci-outer.slice` (/ci.slice/ci-outer.slice)
#     with MemoryMax=200M and CPUQuota=150% under MemoryMax=150M on ci-outer.slice and CPUQuota=20%
#     on ci.slice: through --scope web2.service free's total is 2 x 150M and stat's CPU time grows at
#     2 x 20 %, as each guest's cgroup files say;
#   - a k8s-like layout on g1 (kubelet's systemd driver and containerd, made with systemd-run: pod
#     slices under kubepods.slice, cri-containerd-<id>.scope, /var/log/pods and /var/log/containers):
#     --scope 'k8s=shop/web-*:app' lists exactly that container's process, with its limits, and
#     'k8s=shop/web-*' the pod's two (its sandbox's too) under the pod slice's limit;
#   - a hung host: g2's agent stopped (SIGSTOP) while `top -d1 -n5` and `vmstat 1 5` run on the
#     view: no frame shows a process over its host's CPUs x 100 %, none is late by more than the
#     deadline; after SIGCONT, g2 is back in the next listing;
#   - a viewer that booted last: a mount inside g1 with this host's agent as its peer (through
#     QEMU's user-mode network): `ps -o lstart,etimes` of this host's processes and of g1's own
#     agrees with their own hosts' ps within 2 s;
#   - a guest powered off: DOWN in `procsys status`, left out of ps and meminfo; booted again:
#     back by itself, with its new boot time, which its processes' start times follow;
#   - g1 records its past (agent --record, on a second disk that outlives the poweroff): after the
#     reboot, `mount --at` a moment before it serves g1's processes of then with their START, and
#     the old boot's btime.
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
    for m in "$view" "$run/web" "$run/web2" "$run/k8s" "$run/pod" "$run/past"; do
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
ExecStart=/usr/local/sbin/procsys-ci-record
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
# The guests record their past (issue 40). g1 on a second disk that outlives its QEMU (the first is
# a snapshot, forgotten at poweroff): where the guest has /dev/vdb, it is mounted before the agent
# starts; g2 (no reboot) on its first disk. The agent's arguments get --record. The .deb's unit makes the whole file system read-only
# (ProtectSystem=strict): a drop-in opens that directory to it, as an operator's would.
mkdir -p "$root/var/lib/procsys-past" "$root/etc/systemd/system/procsys-agent.service.d" "$root/usr/local/sbin"
cat > "$root/usr/local/sbin/procsys-ci-record" <<'EOF'
#!/bin/sh
if [ -b /dev/vdb ]; then mount -t ext4 /dev/vdb /var/lib/procsys-past || exit 1; fi
chown procsys:procsys /var/lib/procsys-past || exit 1
sed -i 's|"$| --record /var/lib/procsys-past --record-interval 30s --record-block 60s"|' /etc/default/procsys-agent
EOF
chmod 755 "$root/usr/local/sbin/procsys-ci-record"
# (After= the mount, so that at poweroff the agent stops, storing its open block, before it is unmounted)
cat > "$root/etc/systemd/system/procsys-agent.service.d/ci-record.conf" <<'EOF'
[Unit]
After=var-lib-procsys\x2dpast.mount
[Service]
ReadWritePaths=/var/lib/procsys-past
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
# g1's recording disk (/dev/vdb in the guest): written through, so its past survives the poweroff
declare -A past_disk=([g1]=$run/g1-past.img)
mke2fs -q -t ext4 "${past_disk[g1]}" 128M || { bad "mke2fs (g1's recording disk)"; finish; }
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
        -drive "file=$image,if=virtio,format=raw,snapshot=on" ${past_disk[$g]:+-drive "file=${past_disk[$g]},if=virtio,format=raw"} \
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
# A guest that misses the mount's deadline (500 ms) is left out of that read: under TCG on a busy
# machine both did at once here. So each file is read until a read answers (up to 10 s), and what
# that read gave is compared once.
answered() {  # $1 = a file of the view: its text, from the first read that answers
    local until=$((SECONDS + 10)) text
    until text=$(cat "$1" 2>/dev/null); do (( SECONDS < until )) || return 1; sleep 0.5; done
    printf '%s\n' "$text"
}
for g in g1 g2; do
    out=$(answered "$view/hosts/$g/sys/kernel/osrelease")
    check "host: hosts/$g/sys/kernel/osrelease is the guest's kernel ($out)" test "$out" = "$(gsh "$g" 'cat /proc/sys/kernel/osrelease')"
    check "host: hosts/$g/version is the guest's" test "$(answered "$view/hosts/$g/version")" = "$(gsh "$g" 'cat /proc/version')"
    check "host: hosts/$g/1/comm is the guest's systemd" test "$(answered "$view/hosts/$g/1/comm")" = systemd
    btime_view=$(answered "$view/hosts/$g/stat" | awk '/^btime/ {print $2}')
    btime_guest=$(gsh "$g" "awk '/^btime/ {print \$2}' /proc/stat")
    check "host: hosts/$g/stat btime is the guest's boot ($btime_view; the host booted at $(awk '/^btime/ {print $2}' /proc/stat))" \
        test "$btime_view" = "$btime_guest"
    up_view=$(answered "$view/hosts/$g/uptime" | cut -d' ' -f1); up_guest=$(gsh "$g" 'cut -d" " -f1 /proc/uptime')
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
    drawn() { tree=$("$here/procsys" exec --mount "$view" -- pstree -p "$init" 2>&1); (( $(wc -l <<< "$tree") > 1 )); }
    wait_for 10 drawn  # (a listing that left the guest out draws nothing of it: the next one)
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

# g1's processes as it sees them now (it records every 30 s), to be served again after its reboot
past_t=$(date +%s)
for g in g1 g2; do truth "$g" > "$run/$g.past"; done

# --- one service across both guests: --scope web.service ------------------------------------------
# A transient unit on each guest (cgroup v2, systemd 252) and a second mount on this host scoped to
# it: the units' processes only, the sum of their limits, one CPU each (a 50 % quota rounds up);
# this host has no such unit and is left out. Stopped on g2, g2 leaves; run again, it is back.
scope_t0=$SECONDS web=$run/web
web_unit="systemd-run --quiet --unit web -p MemoryMax=200M -p CPUQuota=50% sleep 1000"
web_cgroup() { gsh "$1" "$web_unit && systemctl show -P ControlGroup web" 30 | tr -d '\r'; }  # runs the unit, says its cgroup
cg_g1=$(web_cgroup g1) cg_g2=$(web_cgroup g2)
check "g1, g2: $web_unit (ControlGroup $cg_g1, $cg_g2)" test "$cg_g1" = /system.slice/web.service -a "$cg_g2" = /system.slice/web.service
# a mount over both guests scoped to $2 on $1, and what the checks read through such a mount ($1)
scoped_mount() {
    mkdir -p "$1"
    "$here/procsys" mount --name hub --certs-dir "$run/certs" --scope "$2" --peer "g1=127.0.0.1:$(port_of g1)" \
        --peer "g2=127.0.0.1:$(port_of g2)" "$1" >"$1.log" 2>&1 || { sed 's/^/#   /' "$1.log"; bad "procsys mount --scope $2"; }
}
scoped_exec() { local m=$1; shift; "$here/procsys" exec --mount "$m" -- "$@" 2>&1; }
scoped_hosts_are() { [[ $(ls "$1/hosts" 2>/dev/null | paste -sd' ') == "$2" ]]; }
scoped_total() { scoped_exec "$1" free | awk '/^Mem:/ {print $2}'; }
scoped_total_is() { [[ $(scoped_total "$1") == "$2" ]]; }
scoped_args() { scoped_exec "$1" ps -e -o args= | sort | paste -sd,; }  # every process's command line, sorted
scoped_cpus() { echo "getconf $(scoped_exec "$1" getconf _NPROCESSORS_ONLN), nproc $(scoped_exec "$1" nproc), cpuinfo $(grep -c '^processor' "$1/cpuinfo")"; }
scoped_status() { "$here/procsys" status "$1" 2>&1 | sed -n '/^scope/,/^PEER/p' | grep -v '^PEER'; }
# A reading through a mount taken again while it is not the one wanted, up to 15 s (a guest that
# misses the deadline is left out of that read: a smaller sum, fewer processes); sets got to the last.
# A wrong value that holds still fails.
reads() {  # $1 = the value wanted, the rest = the command that reads it
    local want=$1 until=$((SECONDS + 15)); shift
    until got=$("$@"); [[ $got == "$want" ]]; do (( SECONDS < until )) || return 1; sleep 0.5; done
}
scoped_mount "$web" web.service
web_exec() { scoped_exec "$web" "$@"; }
web_hosts_are() { scoped_hosts_are "$web" "$1"; }
web_total() { scoped_total "$web"; }
web_total_is() { scoped_total_is "$web" "$1"; }
web_sleeps() { scoped_args "$web"; }
check "host: the scoped view's hosts/ is g1 and g2 (this host has no web.service)" wait_for 60 web_hosts_are "g1 g2"
for g in g1 g2; do  # the guests' own account, for the record
    gsh "$g" 'echo "$(hostname): MainPID $(systemctl show -P MainPID web), memory.max $(cat /sys/fs/cgroup/system.slice/web.service/memory.max), cpu.max $(cat /sys/fs/cgroup/system.slice/web.service/cpu.max), cgroup.procs $(cat /sys/fs/cgroup/system.slice/web.service/cgroup.procs | paste -sd,)"' 10 | sed 's/^/#   /'
done
"$here/procsys" status "$web" 2>&1 | sed -n '/^scope/,/^PEER/p' | grep -v '^PEER' | sed 's/^/#   /'
check "host: procsys status names the unit's cgroup and its one process on each guest" \
    bash -c '[[ $(grep -cE "^ +g[12] +present v2 0::/system.slice/web.service, 1 process" <<< "$1") == 2 ]]' _ "$("$here/procsys" status "$web" 2>&1)"
reads "/usr/bin/sleep 1000,/usr/bin/sleep 1000" web_sleeps
check "host: ps -e through --scope web.service lists the two units' sleeps and nothing else ($got)" test "$got" = "/usr/bin/sleep 1000,/usr/bin/sleep 1000"
reads 409600 web_total
check "host: free's total is the two MemoryMax=200M (409600 kB: $got)" test "$got" = 409600
reads "getconf 2, nproc 2, cpuinfo 2" scoped_cpus "$web"
check "host: 2 CPUs, one per guest's 50 % quota ($got)" test "$got" = "getconf 2, nproc 2, cpuinfo 2"
gsh g2 'systemctl stop web' 30 >/dev/null
check "host: systemctl stop web on g2: g2 leaves (free's total 204800 kB)" wait_for 15 web_total_is 204800
check "host: and hosts/ is g1 alone" wait_for 10 web_hosts_are g1
gsh g2 "$web_unit" 30 >/dev/null
check "host: the unit run again on g2: g2 is back (409600 kB)" wait_for 15 web_total_is 409600
reads "/usr/bin/sleep 1000,/usr/bin/sleep 1000" web_sleeps
check "host: and both sleeps are listed ($got)" test "$got" = "/usr/bin/sleep 1000,/usr/bin/sleep 1000"
"$here/procsys" umount "$web" >/dev/null 2>&1
for g in g1 g2; do gsh "$g" 'systemctl stop web' 30 >/dev/null; done
step "the scoped view checked in $((SECONDS - scope_t0)) s"

# --- an ancestor slice's limit: --scope web2.service in ci-outer.slice ------------------------------
# systemd nests slices by their dashes: ci-outer.slice is /ci.slice/ci-outer.slice. The unit's own
# limits are looser than its ancestors' (MemoryMax=150M on ci-outer.slice, CPUQuota=20% on ci.slice),
# which must be the ones that count: the smallest on the path to the root (docs/scope.md).
slice_t0=$SECONDS web2=$run/web2
web2_unit="systemd-run --quiet --unit web2 --slice=ci-outer.slice -p MemoryMax=200M -p CPUQuota=150% sleep 1002"
web2_cgroup() {  # $1 = guest: runs the unit, limits its slices, says its cgroup
    gsh "$1" "$web2_unit && systemctl set-property --runtime ci-outer.slice MemoryMax=150M && systemctl set-property --runtime ci.slice CPUQuota=20% && systemctl show -P ControlGroup web2" 30 | tr -d '\r'
}
cg_g1=$(web2_cgroup g1) cg_g2=$(web2_cgroup g2)
check "g1, g2: $web2_unit; MemoryMax=150M on ci-outer.slice, CPUQuota=20% on ci.slice (ControlGroup $cg_g1, $cg_g2)" \
    test "$cg_g1" = /ci.slice/ci-outer.slice/web2.service -a "$cg_g2" = "$cg_g1"
# each guest's own account: memory.max and cpu.max from the unit up, its members; and the smallest memory.max
own_web2() {
    gsh "$1" 'c=/sys/fs/cgroup/ci.slice; u=$c/ci-outer.slice/web2.service; echo "$(hostname): memory.max $(cat $u/memory.max) < $(cat $c/ci-outer.slice/memory.max) < $(cat $c/memory.max), cpu.max $(cat $u/cpu.max) < $(cat $c/ci-outer.slice/cpu.max) < $(cat $c/cpu.max), cgroup.procs $(paste -sd, $u/cgroup.procs)"' 10 | tr -d '\r'
}
smallest_kb() { tr ' ' '\n' <<< "${1#*memory.max }" | sed -n '1p;3p;5p' | grep -x '[0-9]*' | sort -n | head -1 | awk '{print $1 / 1024}'; }
own1=$(own_web2 g1) own2=$(own_web2 g2)
echo "#   $own1"; echo "#   $own2"
scoped_mount "$web2" web2.service
check "host: --scope web2.service: hosts/ is g1 and g2" wait_for 60 scoped_hosts_are "$web2" "g1 g2"
scoped_status "$web2" | sed 's/^/#   /'
reads "/usr/bin/sleep 1002,/usr/bin/sleep 1002" scoped_args "$web2"
check "host: ps -e through it lists the two units' sleeps and nothing else ($got)" test "$got" = "/usr/bin/sleep 1002,/usr/bin/sleep 1002"
want=$(( $(smallest_kb "$own1") + $(smallest_kb "$own2") ))
reads "$want" scoped_total "$web2"
check "host: free's total is ci-outer.slice's MemoryMax=150M per guest, not the unit's 200M ($got kB; the guests' smallest memory.max on the path: $want kB)" \
    test "$got" = "$want" -a "$want" = 307200
# stat's CPU time: a scope's idle grows so that the cpu line's sum grows by min(quota, CPUs) x 100 ticks/s
# per host: 2 x 20 with ci.slice's quota, 2 x 100 without it (the unit's own 150 % is above a guest's one CPU)
# (measured up to 3 times: a guest left out of one of the two reads skews one measure)
cpu_sum() { awk '/^cpu / { s = 0; for (i = 2; i <= NF; i++) s += $i; print s }' "$web2/stat"; }
rate_holds() {
    local t_a=$EPOCHREALTIME sum_a sum_b t_b; sum_a=$(cpu_sum); sleep 4; t_b=$EPOCHREALTIME sum_b=$(cpu_sum)
    rates+=" $(awk -v a="$sum_a" -v b="$sum_b" -v t="$t_a" -v u="$t_b" 'BEGIN { printf "%.1f", (b - a) / (u - t) }')"
    awk -v r="${rates##* }" 'BEGIN { exit !(r >= 28 && r <= 55) }'
}
rates=""
rate_holds || rate_holds || rate_holds; s=$?
check "host: stat's cpu line grows at ci.slice's 2 x 20 % (40 ticks/s; 200 without it):$rates ticks/s" test $s -eq 0
echo "#   CPUs through it: $(scoped_cpus "$web2") (one per guest: 1 vCPU each, and a 20 % quota rounds up)"
"$here/procsys" umount "$web2" >/dev/null 2>&1
for g in g1 g2; do gsh "$g" 'systemctl stop web2 ci.slice' 30 >/dev/null; done
step "the ancestor slice checked in $((SECONDS - slice_t0)) s"

# --- a k8s-like layout on g1: --scope k8s=shop/web-*:app ---------------------------------------------
# What kubelet's systemd cgroup driver and containerd make, without them: a slice per pod under its QoS
# class's (kubepods-burstable-pod<uid, - as _>.slice in kubepods-burstable.slice in kubepods.slice;
# Guaranteed pods straight under kubepods.slice), a cri-containerd-<64 hex>.scope per container,
# the sandbox's too, and kubelet's /var/log/pods/<ns>_<pod>_<uid>/<container>/0.log with its link
# /var/log/containers/<pod>_<ns>_<container>-<id>.log. Beside web-5d8f7c9b6-x2x4q's app: its sandbox,
# an app container of pod db-0 in the same namespace, and kube-system's coredns, none of them wanted.
k8s_t0=$SECONDS k8s=$run/k8s
hex64() { printf %s "$1" | sha256sum | cut -c1-64; }
web_uid=5f0c1c52-8f3e-4d1b-9a6e-2b7c4d9e1f30 db_uid=0b9e7a31-2c4d-4f6a-8e1b-7d3c5a9f2e64 dns_uid=c3a1e5f7-9b2d-4c6e-a8f0-1d3b5e7a9c2f
app_id=$(hex64 app) sandbox_id=$(hex64 sandbox) db_id=$(hex64 db) dns_id=$(hex64 coredns)
container() {  # $1 ns, $2 pod, $3 uid, $4 QoS ("" = Guaranteed), $5 container ("" = the sandbox), $6 id, $7 sleep's seconds, $8 systemd-run's -p
    local slice=kubepods${4:+-$4}-pod${3//-/_}.slice log=/var/log/pods/$1_$2_$3/$5
    [[ -n $5 ]] && echo -n "mkdir -p $log /var/log/containers && touch $log/0.log && ln -s $log/0.log /var/log/containers/$2_$1_$5-$6.log && "
    echo "{ systemd-run --quiet --scope --slice=$slice --unit=cri-containerd-$6.scope ${8:-} sleep $7 </dev/null >/dev/null 2>&1 & }; "
}
app_scope=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${web_uid//-/_}.slice/cri-containerd-$app_id.scope
gsh g1 "$(container shop web-5d8f7c9b6-x2x4q "$web_uid" burstable "" "$sandbox_id" 2002)
        $(container shop web-5d8f7c9b6-x2x4q "$web_uid" burstable app "$app_id" 2001 "-p MemoryMax=96M -p CPUQuota=30%")
        $(container shop db-0 "$db_uid" besteffort app "$db_id" 2003)
        $(container kube-system coredns-7db6d8ff4d-9wz5k "$dns_uid" "" coredns "$dns_id" 2004 "-p MemoryMax=170M -p CPUQuota=100%")
        for i in \$(seq 50); do [ \$(systemctl list-units --no-legend 'cri-containerd-*.scope' | grep -c running) = 4 ] && break; sleep 0.2; done
        systemctl set-property --runtime kubepods-burstable-pod${web_uid//-/_}.slice MemoryMax=128M" 60 >/dev/null
own_app=$(gsh g1 "u=/sys/fs/cgroup$app_scope; echo \"\$(systemctl show -P ControlGroup cri-containerd-$app_id.scope) memory.max \$(cat \$u/memory.max) (pod slice \$(cat \$u/../memory.max)) cpu.max \$(cat \$u/cpu.max) cgroup.procs \$(paste -sd, \$u/cgroup.procs)\"; ls /var/log/pods /var/log/containers | paste -sd' '" 10 | tr -d '\r')
echo "#   g1: $own_app"
app_pid=$(sed -n 's/.*cgroup.procs \([0-9]*\).*/\1/p' <<< "$own_app")
check "g1: the app container's scope is $app_scope, with its sleep (pid ${app_pid:-none})" \
    bash -c '[[ $1 == "$2 memory.max 100663296 (pod slice 134217728) cpu.max 30000 100000 cgroup.procs "[0-9]* ]]' _ "$own_app" "$app_scope"
scoped_mount "$k8s" 'k8s=shop/web-*:app'
check "host: --scope 'k8s=shop/web-*:app': hosts/ is g1 (g2 has no such pod)" wait_for 60 scoped_hosts_are "$k8s" g1
status=$(scoped_status "$k8s"); sed 's/^/#   /' <<< "$status"
check "host: procsys status names the app container's cgroup on g1 with 1 process, and g2 absent" \
    bash -c 'grep -qE "^ +g1 +present v2 0::$2, 1 process" <<< "$1" && grep -qE "^ +g2 +absent" <<< "$1"' _ "$status" "$app_scope"
k8s_pids() { pids=$(scoped_exec "$k8s" ps -e -o pid=,args= | sed 's:/usr/bin/::'); [[ -n $pids ]]; }
wait_for 15 k8s_pids
listed_pid=$(awk '{print $1}' <<< "$pids" | head -1)
listed_as=$("$here/procsys" which --mount "$k8s" "$listed_pid" 2>/dev/null | awk '{print $2 ":" $3}')
check "host: ps -e through it lists exactly the app's sleep, g1's pid $app_pid ($(paste -sd, <<< "$pids"); which: $listed_as)" \
    test "$(wc -l <<< "$pids")" = 1 -a "$(awk '{$1 = ""; print substr($0, 2)}' <<< "$pids")" = "sleep 2001" -a "$listed_as" = "g1:$app_pid"
reads 98304 scoped_total "$k8s"
check "host: free's total is the container's MemoryMax=96M (98304 kB: $got)" test "$got" = 98304
reads "getconf 1, nproc 1, cpuinfo 1" scoped_cpus "$k8s"
check "host: 1 CPU, the container's 30 % quota ($got)" test "$got" = "getconf 1, nproc 1, cpuinfo 1"
"$here/procsys" umount "$k8s" >/dev/null 2>&1
# the whole pod: its slice, the sandbox's scope with the app's, under the pod's own limit
pod=$run/pod
scoped_mount "$pod" 'k8s=shop/web-*'
check "host: --scope 'k8s=shop/web-*' (the whole pod): hosts/ is g1" wait_for 60 scoped_hosts_are "$pod" g1
pod_args() { scoped_args "$pod" | sed 's:/usr/bin/::g'; }
reads "sleep 2001,sleep 2002" pod_args
check "host: ps -e through it lists the pod's app and sandbox, not db-0's app nor coredns ($got)" test "$got" = "sleep 2001,sleep 2002"
reads 131072 scoped_total "$pod"
check "host: free's total is the pod slice's MemoryMax=128M (131072 kB: $got)" test "$got" = 131072
"$here/procsys" umount "$pod" >/dev/null 2>&1
gsh g1 'systemctl stop kubepods.slice; rm -rf /var/log/pods /var/log/containers' 30 >/dev/null
step "the k8s-like layout checked in $((SECONDS - k8s_t0)) s"

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
# what recording costs g1's agent (1 vCPU under TCG), for the record: its threads' CPU ticks
gsh g1 'p=$(systemctl show -P MainPID procsys-agent); for t in /proc/$p/task/*; do echo "$(awk "{print \$14 + \$15}" $t/stat) $(cat $t/comm)"; done | sort -n | tail -4 | paste -sd, | sed "s/^/g1 agent threads, CPU ticks: /; s/\$/ (its uptime $(cut -d" " -f1 /proc/uptime) s)/"' 10 | sed 's/^/#   /'
# (the moment kept above is in a closed block before the poweroff: 60 s blocks, 30 s frames)
while (( $(date +%s) < past_t + 65 )); do sleep 1; done
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
# A host back from a reboot is waited for once, up to 5 deadlines (its first table); a guest still
# booting under TCG (its agent's JVM starting cold) may need far longer. So: first a read of g1's
# stat answered and status then showing g1 UP, its clock measured, neither STALE nor LEFT OUT (status
# tells what the last reads met: it is asked after one), then listings until one holds any process
# of g1 (up to 90 s), and only that listing is compared, once: a listing of g1 with a wrong parent
# or start time fails at once, and no listing with g1 in 90 s fails as "not listed".
g1_row_fresh() {
    "$here/procsys" status --json "$view" 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin)
up = any(p["name"] == "g1" and p["state"] == "UP" for p in s.get("peers") or [])
skew = any(h["name"] == "g1" and h.get("skewSeconds") is not None for h in (s.get("clock") or {}).get("hosts") or [])
sys.exit(0 if up and skew and not any(h["host"] == "g1" for h in s.get("stale") or []) else 1)'
}
g1_answers() {
    cat "$view/loadavg" >/dev/null 2>&1  # a round over every host
    new_btime=$(awk '/^btime/ {print $2}' "$view/hosts/g1/stat" 2>/dev/null)
    [[ -n $new_btime ]] && g1_row_fresh
}
answers_t0=$SECONDS
wait_for 90 g1_answers; s=$?
check "host: g1 answers again (hosts/g1/stat read; status: UP, neither STALE nor LEFT OUT) in $((SECONDS - answers_t0)) s" test $s -eq 0
(( s == 0 )) || "$here/procsys" status "$view" 2>&1 | grep -E '^ *g1 |g1:' | sed 's/^/#   /'
check "host: hosts/g1/stat has the new boot time ($old_btime -> $new_btime)" test "${new_btime:-0}" -gt "$old_btime"
listings=0 again_t0=$SECONDS
g1_in_listing() {
    listings=$((listings + 1))
    truth g1 > "$run/g1.before"
    view_ps > "$run/view.again"
    truth g1 > "$run/g1.after"
    awk '$1 >= 4194304 {print $1}' "$run/view.again" > "$run/cpids"
    "$here/procsys" which --mount "$view" $(cat "$run/cpids") > "$run/which" 2>/dev/null
    awk '$2 == "g1"' "$run/which" | grep -q .
}
wait_for 90 g1_in_listing
out=$(compare_ps g1 "$run/view.again"); s=$?
check "host: after the reboot, ps lists g1's processes with start times of its new boot (listing $listings, $((SECONDS - again_t0)) s after it answered): $(tail -1 <<< "$out" | sed 's/^ *//')" test $s -eq 0
(( s == 0 )) || { head -10 <<< "$out"; "$here/procsys" status "$view" 2>&1 | grep -E '^ *g1 |g1:' | sed 's/^/#   /'; }

# --- g1's past before its reboot, served by its agent after it (issue 40) ----------------------------
# g1's agent records every 30 s on a disk that outlived the poweroff; a view of the moment kept before
# it (paused there) is served by the agent of g1's new boot, over TLS. Its ps must be g1's own ps of
# then: every process of the old boot that was there (kworkers aside: their names change with
# their work) with its START, none started after the reboot; hosts/g1/stat the old btime.
# a view of guest $2 as at past_t on $1, paused there
past_mount() {
    mkdir -p "$1"
    if "$here/procsys" mount --at "@$past_t" --name hub --certs-dir "$run/certs" --peer "$2=127.0.0.1:$(port_of "$2")" "$1" >"$1.log" 2>&1; then
        "$here/procsys" pause "$1" >/dev/null 2>&1 || bad "procsys pause $1"
    else sed 's/^/#   /' "$1.log"; bad "procsys mount --at @$past_t --peer $2"; fi
}
past_hosts_are() { [[ $(ls "$1/hosts" 2>/dev/null | paste -sd' ') == "$2" ]]; }
past=$run/past past_t0=$SECONDS
past_mount "$past" g1
check "host: procsys mount --at @$past_t ($(date -u -d "@$past_t" +%T) UTC, before g1's poweroff) --peer g1: hosts/ is g1" wait_for 30 past_hosts_are "$past" g1
"$here/procsys" status "$past" 2>&1 | grep -E "^PAST|g1" | sed 's/^/#   /'
past_btime=$(awk '/^btime/ {print $2}' "$past/hosts/g1/stat" 2>/dev/null)
check "host: its hosts/g1/stat btime is g1's boot before the reboot ($past_btime; before $old_btime, after $new_btime)" \
    test "${past_btime:-0}" = "$old_btime" -a "$old_btime" != "$new_btime"
"$here/procsys" exec --mount "$past" -- ps -eo pid=,ppid=,lstart=,args= 2>"$run/past.ps.err" | epochs > "$run/past.ps"
# $1 = guest, $2 = its clock's skew (s), $3 = its own ps at past_t, $4 = ps through the past view (one
# host), $5 = a START no process of then can have (a reboot after), $6 = seconds a START may be off
listed_as_then() {
    awk -v g="$1" -v skew="$2" -v t="$past_t" -v reboot="$5" -v slack="$6" '
    function args(line) { sub(/^[^ ]+ +[^ ]+ +[^ ]+ +/, "", line); return line }
    FILENAME == ARGV[1] { if ($3 - skew <= t - 32 && args($0) !~ /^\[kworker/) { n++; want[n] = args($0); at[n] = $3 - skew } next }
    { m++; got[m] = args($0); start[m] = $3; if ($3 >= reboot) late++ }
    END {
        for (i = 1; i <= n; i++) {
            for (j = 1; j <= m; j++) if (!(j in used) && got[j] == want[i] && start[j] - at[i] <= slack && at[i] - start[j] <= slack) break
            if (j > m) { print "  not listed as then: " at[i] " " want[i]; bad++ } else used[j] = 1
        }
        printf "  %d of %d processes of %s listed as then, of %d in the view; %d started after\n", n - bad, n, g, m, late
        exit bad > 0 || late > 0 || n < 10
    }' "$3" "$4"
}
out=$(listed_as_then g1 0 "$run/g1.past" "$run/past.ps" "$new_btime" 1); s=$?
check "host: ps through it lists g1's processes of before the reboot with their START: $(tail -1 <<< "$out" | sed 's/^ *//')" test $s -eq 0
(( s == 0 )) || { head -10 <<< "$out"; head -3 "$run/past.ps.err"; } | sed 's/^/#   /'
grep -m1 ' /sbin/init' "$run/past.ps" | sed 's/^/#   its pid 1 then (cluster pid, ppid, START, args): /'
# by pid too: under hosts/g1/ the past keeps g1's own pids and clock (start = btime + starttime / 100)
by_pid() {
    local pid ppid start args st bad=0 n=0
    while read -r pid ppid start args; do
        (( start <= past_t - 32 )) && [[ $args != "[kworker"* ]] || continue
        n=$((n + 1))
        st=$(sed 's/.*) //' "$past/hosts/g1/$pid/stat" 2>/dev/null | awk -v b="$past_btime" '{ print b + int($20 / 100) }')
        (( ${st:-0} - start <= 1 && start - ${st:-0} <= 1 )) || { echo "  g1 pid $pid: started ${st:-not there}, g1 said $start ($args)"; bad=$((bad + 1)); }
    done < "$run/g1.past"
    echo "  $((n - bad)) of $n pids of g1 there with their start time"
    (( bad == 0 && n >= 10 ))
}
out=$(by_pid); s=$?
check "host: and hosts/g1/PID of each of them has its start time: $(tail -1 <<< "$out" | sed 's/^ *//')" test $s -eq 0
(( s == 0 )) || head -5 <<< "$out" | sed 's/^/#   /'
"$here/procsys" umount "$past" >/dev/null 2>&1
step "g1's past checked in $((SECONDS - past_t0)) s"

# --- g2's past, recorded by its clock 3 h ahead ------------------------------------------------------
# Its frames are stamped by its own clock: the view asks for, and shows, the moment of this host's
# clock (the skew measured as the live view measures it), so --at @$past_t is g2 as it was then,
# with START on this host's clock (a view that took its stamps at their word finds nothing 3 h back)
past2=$run/past2 past_t0=$SECONDS
past_mount "$past2" g2
check "host: procsys mount --at @$past_t --peer g2 (its clock $g2_skew s ahead): hosts/ is g2" wait_for 30 past_hosts_are "$past2" g2
"$here/procsys" status "$past2" 2>&1 | grep -E "^PAST|g2" | sed 's/^/#   /'
"$here/procsys" exec --mount "$past2" -- ps -eo pid=,ppid=,lstart=,args= 2>"$run/past2.ps.err" | epochs > "$run/past2.ps"
out=$(listed_as_then g2 "${g2_skew:-0}" "$run/g2.past" "$run/past2.ps" $((past_t + 3600)) 2); s=$?
check "host: ps through it lists g2's processes of then, START on this host's clock (its own minus $g2_skew s): $(tail -1 <<< "$out" | sed 's/^ *//')" test $s -eq 0
(( s == 0 )) || { head -10 <<< "$out"; head -3 "$run/past2.ps.err"; } | sed 's/^/#   /'
"$here/procsys" umount "$past2" >/dev/null 2>&1
step "g2's past checked in $((SECONDS - past_t0)) s"
echo "# guests: $krelease ($accel); this host: $(uname -r); boot to shell and agents: $agents_t s; first ps -e: $first_ms ms"
finish
