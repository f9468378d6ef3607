#!/usr/bin/env bash
# Captures what a scope reads on this host into a fixture directory (ScopeFixturesTest):
#   capture.sh OUT CGROUP-PATH...
# OUT/cgroup: each hierarchy's files for every cgroup on the paths (and the root's), as the
# renderer reads them (limits, usage, stat, membership); OUT/proc: the host's files and, for every
# member, its cgroup and stat files.
set -euo pipefail
out=$1; shift
root=/sys/fs/cgroup
mkdir -p "$out/cgroup" "$out/proc"
copy() { # copy FILE (relative to the cgroup root) if it exists
    [[ -r "$root/$1" ]] || return 0
    mkdir -p "$out/cgroup/$(dirname "$1")"
    cat "$root/$1" > "$out/cgroup/$1" 2>/dev/null || rm -f "$out/cgroup/$1"
}
files="cgroup.controllers cgroup.procs cgroup.threads tasks memory.max memory.current memory.stat memory.swap.max memory.swap.current
 memory.limit_in_bytes memory.usage_in_bytes memory.memsw.limit_in_bytes memory.memsw.usage_in_bytes cpu.max cpu.stat
 cpu.cfs_quota_us cpu.cfs_period_us cpuacct.stat cpuset.cpus cpuset.effective_cpus cpuset.cpus.effective io.stat
 blkio.throttle.io_serviced_recursive blkio.throttle.io_service_bytes_recursive"
hierarchies=$(cd $root && for d in *; do [[ -d $d ]] && echo "$d"; done)
[[ -r $root/cgroup.controllers ]] && hierarchies=.
for h in $hierarchies; do
    [[ $h == unified && ! -r $root/unified/cgroup.controllers ]] && continue
    for path in / "$@"; do
        p=$path
        while :; do
            [[ -d "$root/$h$p" ]] && for f in $files; do
                # the root's member lists are the whole host's: not captured
                [[ $p == / && ( $f == cgroup.procs || $f == tasks || $f == cgroup.threads ) ]] && continue
                copy "$h${p%/}/$f"
            done
            [[ $p == / ]] && break
            p=$(dirname "$p")
        done
    done
done
for f in meminfo stat cpuinfo uptime diskstats swaps; do cat /proc/$f > "$out/proc/$f"; done
for pid in $(cat $(find "$out/cgroup" -name cgroup.procs -o -name tasks) 2>/dev/null | sort -un); do
    mkdir -p "$out/proc/$pid"
    cat /proc/$pid/cgroup > "$out/proc/$pid/cgroup" 2>/dev/null || true
    cat /proc/$pid/stat > "$out/proc/$pid/stat" 2>/dev/null || true
done
