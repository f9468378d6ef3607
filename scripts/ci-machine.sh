#!/usr/bin/env bash
# Says what the tests take from this machine, one line each ("# NAME: what was found"), in well
# under a second: the kernel's calls (openat2, seccomp user notification, pidfd), namespaces, veth,
# FUSE, the cgroup layout, PID 1, how /proc is mounted, CPUs, memory, disk, locale, time zone,
# root, and the tools scripts/setup.sh installs. It changes nothing and always exits 0: the test
# that needs a missing piece fails with its own message, and docs/ci-machine.md says which.
set -uo pipefail

say() { echo "# $1: $2"; }

say "kernel" "$(uname -r) $(uname -m) (x86_64 only: syscall numbers in the seccomp filter, pidfd calls, intercept-exec.py)"

# --- kernel calls, tried once each (python3: the tests need it anyway) ---------------------------
kernel_calls() {
    /usr/bin/python3 - <<'EOF'
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
def call(number, *args):
    r = libc.syscall(ctypes.c_long(number), *[ctypes.c_long(a) for a in args])
    return r if r >= 0 else -ctypes.get_errno()
def answer(r):
    return "yes" if r >= 0 else "NO (" + os.strerror(-r) + ")"
path, how = ctypes.create_string_buffer(b"."), (ctypes.c_uint64 * 3)(0, 0, 0)  # struct open_how: flags, mode, resolve
fd = call(437, -100, ctypes.addressof(path), ctypes.addressof(how), ctypes.sizeof(how))
print("openat2:", answer(fd), "(missing: paths resolve one component at a time; WithoutOpenat2IT forces that)")
if fd >= 0: os.close(fd)
sizes = (ctypes.c_uint16 * 3)()
print("seccomp user notification:", answer(call(317, 3, 0, ctypes.addressof(sizes))),
      "(procsys exec on a cluster view needs it: no fallback)")
pidfd = call(434, os.getpid(), 0)
sent = call(424, pidfd, 0, 0, 0) if pidfd >= 0 else pidfd
print("pidfd_open, pidfd_send_signal:", answer(sent),
      "(agents act on processes through them: no fallback)")
if pidfd >= 0: os.close(pidfd)
EOF
}
kernel_calls 2>&1 | sed 's/^\([^:]*\): /# \1: /'

# --- namespaces and links, in a throwaway namespace --------------------------------------------
# the links: veth (DemoIT, DnsPeersIT, LinkDownIT, test-systemd.sh), and the first of dummy, bridge,
# tap the stand-in network of a cluster mount makes (StandInNetwork)
links='ip link add ci-probe0 type veth peer name ci-probe1 || exit 1
       for kind in dummy bridge; do ip link add ci-$kind type $kind 2>/dev/null && { echo $kind; exit 0; }; done
       ip tuntap add dev ci-tap mode tap 2>/dev/null && { echo "tap (/dev/net/tun)"; exit 0; }; echo none'
if out=$(unshare --pid --fork --mount-proc --net --mount -- sh -c "$links" 2>&1); then
    say "namespaces" "unshare of pid, mount and net namespaces and a veth pair work; stand-in links: $out"
else
    say "namespaces" "NO: unshare --pid --mount --net, then a veth pair: ${out:-?} (the cluster ITs need them)"
fi
say "FUSE" "$( [[ -c /dev/fuse ]] && echo "/dev/fuse" || echo "NO /dev/fuse" ), $(command -v fusermount3 || echo "NO fusermount3")"
if [[ -e /dev/kvm ]]; then say "KVM" "/dev/kvm present (scripts/test-guests.sh tries a boot before it uses it)"; else say "KVM" "no /dev/kvm (the guests run under TCG)"; fi

# --- cgroups: what systemd-nspawn (scripts/test-systemd.sh) adapts to --------------------------
cgroup_layout() {  # as systemd tells them apart: the file system type at /sys/fs/cgroup, then of each hierarchy in it
    local top point opts list="" apart=1 unified
    top=$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)
    if [[ $top == cgroup2fs ]]; then echo "v2 unified (controllers: $(cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null))"; return; fi
    [[ $top == tmpfs ]] || { echo "none at /sys/fs/cgroup (${top:-nothing there})"; return; }
    # the v1 hierarchies mounted there, each point once, those hidden by a later mount left out
    while read -r point opts; do
        [[ $(stat -f -c %T "$point" 2>/dev/null) == cgroupfs && " $list " != *" $point "* ]] || continue
        opts=${opts#rw,}
        [[ $point == "/sys/fs/cgroup/${opts#name=}" ]] || { apart=0; opts+=" at $point"; }
        list+="${list:+; }$opts"
    done < <(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i+1) == "cgroup") print $5, $(i+3); break } }' /proc/self/mountinfo)
    (( apart )) && [[ -n $list ]] && list+=", each at /sys/fs/cgroup/<its name>"
    if [[ $(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null) == cgroup2fs ]]; then
        unified=$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)
        echo "v1 hybrid (v1: ${list:-none}; unified at /sys/fs/cgroup/unified with controllers: ${unified:-none})"
    else
        echo "v1 legacy (v1: ${list:-none}; no unified hierarchy)"
    fi
}
say "cgroup" "$(cgroup_layout)"
pid1=$(cat /proc/1/comm 2>/dev/null)
if [[ -d /run/systemd/system ]]; then
    say "PID 1" "systemd ($pid1): test-systemd.sh puts its container in a scope (DeviceAllow /dev/fuse)"
else
    say "PID 1" "$pid1, not systemd: test-systemd.sh runs nspawn with --register=no --keep-unit; the .deb's systemctl calls are tried only in its container"
fi

# --- /proc -------------------------------------------------------------------------------------
proc_opts=$(awk '$5 == "/proc" { for (i = 7; i <= NF; i++) if ($i == "-") { print $(i+3); exit } }' /proc/self/mountinfo)
case ",$proc_opts," in
    *,hidepid=*|*,subset=*) proc_note="NOT what the tests expect: AccessModelIT fails under hidepid, every IT under subset=pid" ;;
    *) proc_note="no hidepid, no subset" ;;
esac
if [[ "$(cat /proc/2/comm 2>/dev/null)" == kthreadd ]]; then pidns="the initial pid namespace's"; else pidns="NOT the initial pid namespace's (a container: pid 2 is not kthreadd)"; fi
say "/proc" "${proc_opts:-?} ($proc_note), $pidns; pid_max $(cat /proc/sys/kernel/pid_max) (top pads PID to its digits)"
say "PSI" "$( [[ -e /proc/pressure/cpu ]] && echo "/proc/pressure present" || echo "no /proc/pressure (PollIT says it did not check pressure/cpu)")"

# --- size of the machine -----------------------------------------------------------------------
mem=$(awk '/^MemTotal:/ {t = $2} /^MemAvailable:/ {a = $2} END {printf "%d MiB, %d MiB available", t / 1024, a / 1024}' /proc/meminfo)
say "CPUs, memory" "$(nproc --all) CPUs ($(nproc) in this process's affinity), $mem (the guests take 2 x 1 GiB)"
disk() {  # $1 = a directory, made later if missing: the free space where it is or will be
    local d=$1
    until [[ -d $d ]]; do d=$(dirname "$d"); done
    df -Pm "$d" 2>/dev/null | awk -v d="$1" 'NR == 2 {printf "%s %d MiB free", d, $4}'
}
cache=${PROCSYS_CI_CACHE:-/var/cache/procsys-ci}
say "disk" "$(disk /tmp), $(disk /var/tmp), $(disk "$cache")"

# --- what tools print ----------------------------------------------------------------------------
say "locale" "LANG=${LANG:-unset} LC_ALL=${LC_ALL:-unset}; the tests run under LC_ALL=C.UTF-8 (surefire, failsafe, ci-checks.sh)"
say "time zone" "${TZ:-$(readlink /etc/localtime 2>/dev/null | sed 's:.*zoneinfo/::')} (procsys prints UTC; the tests compare times within one zone)"
say "hosts lookup" "$(grep -m1 '^hosts:' /etc/nsswitch.conf 2>/dev/null | tr -s ' \t' ' ') (DnsPeersIT resolves through dnsmasq in a network namespace)"
say "root" "$( [[ $(id -u) -eq 0 ]] && echo yes || echo "NO (uid $(id -u)): the tests need root")"

# --- tools (scripts/setup.sh installs them) -----------------------------------------------------
missing=()
for tool in fusermount3 unshare nsenter setpriv ip gcc ps top free vmstat mpstat iostat sar pidstat htop glances tmux \
            busybox curl dnsmasq promtool prometheus-node-exporter debootstrap systemd-nspawn systemd-analyze \
            qemu-system-x86_64 mke2fs; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
for module in seccomp psutil yaml; do
    /usr/bin/python3 -c "import $module" 2>/dev/null || missing+=("python3-$module")
done
command -v npm >/dev/null || missing+=("npm (test-deploy.sh's schema checks are skipped, and say so)")
if (( ${#missing[@]} )); then say "tools" "MISSING ${missing[*]} (scripts/setup.sh installs all but npm)"; else say "tools" "every tool the tests run is installed"; fi
exit 0
