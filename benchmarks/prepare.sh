# Sourced by the benchmark scripts: set-up, a JDK 22+, a fresh build, and where results go.
# Defines: here (repository root), java (command with native access), jar (benchmarks.jar), out,
# and median_ms_over_proc, wait_agent, wait_up.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/scripts/setup.sh" --no-build
source "$here/scripts/find-jdk.sh"
source "$here/scripts/run-files.sh"
procsys_find_jdk
export JAVA_HOME=$PROCSYS_JAVA_HOME
java="$JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC"
(cd "$here" && mvn -B -q -DskipTests package)
jar="$here/benchmarks/target/benchmarks.jar"
out="$here/bench-results"
mkdir -p "$out"

# median_ms_over_proc RUNS MOUNT CMD...: CMD run RUNS times in a private mount namespace with MOUNT
# bound over /proc ("" keeps the native /proc); prints the median wall time in ms.
median_ms_over_proc() {
    local runs=$1 mount=$2; shift 2
    unshare --mount --propagation private sh -c '
        runs=$1; m=$2; shift 2
        [ -n "$m" ] && mount --bind "$m" /proc
        i=0; while [ $i -lt "$runs" ]; do
            t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N)
            echo $(( (t1 - t0) / 1000 )); i=$((i+1))
        done' sh "$runs" "$mount" "$@" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}'
}

# wait_agent LOG: until the agent logging to LOG says it is exporting (at most 60 s); else shows LOG
wait_agent() {
    local _
    for _ in $(seq 600); do grep -q exporting "$1" 2>/dev/null && return 0; sleep 0.1; done
    echo "the agent of $1 did not start:" >&2; cat "$1" >&2; return 1
}

# wait_up MOUNT N [RUNNER...]: until N peers of the cluster mount MOUNT are UP (at most 60 s);
# RUNNER (e.g. nsenter ...) runs `procsys status` where the mount is seen
wait_up() {
    for _ in $(seq 600); do
        [[ $("${@:3}" "$here/procsys" status --json "$1" 2>/dev/null | grep -o '"UP"' | wc -l) -ge $2 ]] && return 0
        sleep 0.1
    done
    echo "peers of $1 not up" >&2; return 1
}
