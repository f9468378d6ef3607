#!/usr/bin/env bash
# Runs every benchmark of the foundation in one go and prints the table for the README:
#   - JMH through the kernel: stat and open+read+close of meminfo, stat, cpuinfo, uptime, loadavg
#     and self/stat on native /proc, on procsys, on libfuse's C example passthrough_ll
#     (-o cache=never, built here from Debian's libfuse3-dev examples, not kept in the
#     repository), and on LXCFS (Debian's lxcfs; it serves no pid directories, so no self/stat);
#   - JMH in-process with -prof gc (bytes allocated per operation): the Java dispatch path per
#     operation, no kernel, and the aggregators combining 8/32/128 hosts' copies of a file;
#   - `ps aux` timed on each of the three (median of N runs in a private mount namespace);
#   - procsys daemon RSS after 100k reads, and mount-ready time (median of 5).
# Results: bench-results/ (JMH JSON, extra.json, summary.md). Needs root. Takes ~6 minutes.
# Options via environment: JMH_ARGS (default "-f 1 -wi 3 -w 1s -i 5 -r 1s"), PS_RUNS (default 30).
# A failing benchmark fails the run (-foe true).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/prepare.sh"
work=$(mktemp -d /tmp/procsys-bench.XXXXXX)
jmh_args="-foe true ${JMH_ARGS:-"-f 1 -wi 3 -w 1s -i 5 -r 1s"}"
ps_runs=${PS_RUNS:-30}

cleanup() {
    [[ -f "$work/lxcfs.pid" ]] && kill "$(cat "$work/lxcfs.pid")" 2>/dev/null && sleep 0.5
    for m in "$work/procsys" "$work/c" "$work/lxcfs"; do
        grep -q " $m " /proc/self/mounts && { fusermount3 -u "$m" 2>/dev/null || umount -l "$m"; }
    done
    rm -rf "$work"
}
trap cleanup EXIT

echo "== building libfuse's passthrough_ll (C) from /usr/share/doc/libfuse3-dev/examples"
gcc -O2 -o "$work/passthrough_ll" /usr/share/doc/libfuse3-dev/examples/passthrough_ll.c $(pkg-config --cflags --libs fuse3)
mkdir -p "$work/procsys" "$work/c" "$work/lxcfs"
command -v lxcfs >/dev/null || apt-get install -y -qq lxcfs >/dev/null

echo "== mount-ready time (procsys mount returns once the mount answers)"
ready=()
for i in 1 2 3 4 5; do
    t0=$(date +%s%N)
    "$here/procsys" mount "$work/procsys" 2>/dev/null
    t1=$(date +%s%N)
    ready+=($(( (t1 - t0) / 1000000 )))
    "$here/procsys" umount "$work/procsys"
    sleep 0.3
done
ready_ms=$(printf '%s\n' "${ready[@]}" | sort -n | sed -n 3p)
echo "mount ready (ms): ${ready[*]} -> median $ready_ms"

msg=$("$here/procsys" mount "$work/procsys" 2>&1)
daemon=$(sed -n 's/.*daemon pid \([0-9]*\).*/\1/p' <<< "$msg")
"$work/passthrough_ll" -o source=/proc,cache=never "$work/c"
lxcfs -p "$work/lxcfs.pid" "$work/lxcfs" >/dev/null 2>&1 &
for _ in $(seq 100); do [[ -f "$work/lxcfs/proc/meminfo" ]] && break; sleep 0.1; done
labels="native=/proc,procsys=$work/procsys,C=$work/c,LXCFS=$work/lxcfs/proc"

echo "== JMH through the kernel"
$java -jar "$jar" KernelPathBenchmark $jmh_args -p root=/proc,"$work/procsys","$work/c" \
    -p file=meminfo,stat,cpuinfo,uptime,loadavg,self/stat \
    -rf json -rff "$out/kernel-fuse.json" | tee "$out/kernel.txt" | grep -E '^(Benchmark|KernelPath)'
$java -jar "$jar" KernelPathBenchmark $jmh_args -p root="$work/lxcfs/proc" -p file=meminfo,stat,cpuinfo,uptime,loadavg \
    -rf json -rff "$out/kernel-lxcfs.json" | tee -a "$out/kernel.txt" | grep -E '^(KernelPath)'

echo "== ps aux (median of $ps_runs runs)"
ps_native=$(median_ms_over_proc "$ps_runs" "" ps aux)
ps_procsys=$(median_ms_over_proc "$ps_runs" "$work/procsys" ps aux)
ps_c=$(median_ms_over_proc "$ps_runs" "$work/c" ps aux)
echo "ps aux ms: native $ps_native procsys $ps_procsys C $ps_c"

echo "== daemon RSS after 100k reads"
$java -cp "$jar" io.procsys.bench.ReadLoop "$work/procsys" 100000
rss_kb=$(awk '/^VmRSS/{print $2}' /proc/"$daemon"/status)
echo "procsys daemon RSS: $rss_kb kB"

echo "== JMH in-process dispatch"
$java -jar "$jar" DispatchBenchmark $jmh_args -prof gc -rf json -rff "$out/dispatch.json" | tee "$out/dispatch.txt" | grep -E '^(Benchmark|Dispatch)'

echo "== JMH in-process aggregation (hosts' copies of a file combined, no network)"
$java -jar "$jar" AggregationBenchmark $jmh_args -prof gc -p fixture="$here/procsys-fs/src/test/data/hosts/prometheus-procfs" \
    -rf json -rff "$out/aggregation.json" | tee "$out/aggregation.txt" | grep -E '^(Benchmark|Aggregation)'

cat > "$out/extra.json" <<JSON
{"ps_aux_ms": {"native": $ps_native, "procsys": $ps_procsys, "C": $ps_c},
 "procsys daemon RSS after 100k reads (MB)": $(awk "BEGIN{printf \"%.1f\", $rss_kb/1024}"),
 "mount ready, median of 5 (ms)": $ready_ms,
 "machine": "$(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r), $(lscpu | sed -n 's/^Model name: *//p' | head -1)"}
JSON
$java -cp "$jar" io.procsys.bench.Report "$out/kernel-fuse.json,$out/kernel-lxcfs.json" "$out/dispatch.json,$out/aggregation.json" "$out/extra.json" "$labels" | tee "$out/summary.md"
