#!/usr/bin/env bash
# The one benchmark command: the single-host suite (benchmarks/run.sh: JMH through the kernel on
# native /proc, procsys, C passthrough_ll and LXCFS; ps aux; RSS; mount-ready; in-process JMH with
# -prof gc), then the cluster suite (benchmarks/cluster.sh: hub and tree to 128 hosts, 1 and 8
# readers, node_exporter baseline), then procsys against pdsh (benchmarks/pdsh.sh), then charts
# (JFreeChart) and bench-results/BENCHMARKS.md.
# With PUBLISH=1 the report and its charts are copied, dated, to docs/benchmarks/ (all-DATE.md):
# BENCHMARKS.md itself is the table of current figures, whose rows are updated from the report by
# hand (benchmarks/check-table.py checks them).
# Needs root; about 35-45 minutes on 2 cores. Knobs of the three scripts pass through.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/benchmarks/run.sh"
READS=${READS:-500} TOOL_RUNS=${TOOL_RUNS:-3} "$here/benchmarks/cluster.sh"
"$here/benchmarks/pdsh.sh"
source "$here/scripts/find-jdk.sh"
procsys_find_jdk
out="$here/bench-results"
"$PROCSYS_JAVA_HOME/bin/java" -Djava.awt.headless=true -cp "$here/benchmarks/target/benchmarks.jar" io.procsys.bench.Charts "$out"
{
    echo "# benchmarks/all.sh, $(date -u +%Y-%m-%d)"
    echo
    echo "Produced by \`benchmarks/all.sh\` on $(date -u +%Y-%m-%d) — $(sed -n 's/.*"machine": "\(.*\)".*/\1/p' "$out/extra.json")."
    echo "One machine runs everything (agents, mounts, readers): figures are ratios from the same run, and"
    echo "a 2-core VM is noisy (expect ±10-20% between runs)."
    echo
    echo "## Single host"
    echo
    echo "![single host](single-host.png)"
    echo
    cat "$out/summary.md"
    echo
    echo "## Cluster"
    echo
    echo "![cluster latency](cluster-latency.png) ![daemon memory](cluster-memory.png)"
    cat "$out/cluster.md"
    echo
    echo "## procsys vs pdsh (issue 19)"
    echo
    cat "$out/pdsh.md"
} > "$out/BENCHMARKS.md"
if [[ "${PUBLISH:-0}" == 1 ]]; then
    day=$(date -u +%Y-%m-%d)
    mkdir -p "$here/docs/benchmarks"
    for chart in "$out"/*.png; do cp "$chart" "$here/docs/benchmarks/$(basename "$chart" .png)-$day.png"; done
    sed "s/\(([a-z-]*\)\.png)/\1-$day.png)/g" "$out/BENCHMARKS.md" > "$here/docs/benchmarks/all-$day.md"
    echo "published docs/benchmarks/all-$day.md: link it from docs/benchmarks/history.md, update the rows of"
    echo "BENCHMARKS.md it measured (figure, baseline, date, commit), then run benchmarks/check-table.py"
fi
echo "report: $out/BENCHMARKS.md"
