#!/usr/bin/env bash
# Fixtures for the scale simulation (issue 20): COUNT real process trees, each in its own pid
# namespace (unshare --pid --fork --mount-proc), captured with capture-proc.py into DEST/cI and
# then killed with their namespace. Each tree holds 30-200 processes (seeded by I, so a rerun
# makes the same shapes): sleep trees 2-4 deep whose every node has its own command line, shells
# waiting on a child, and one multi-threaded python3. Prints "captured COUNT trees, P processes".
# Needs root. Usage: capture-hosts.sh COUNT DEST
set -euo pipefail
(( $# == 2 )) || { echo "usage: capture-hosts.sh COUNT DEST" >&2; exit 2; }
count=$1 dest=$2
bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$dest"

# Runs as pid 1 of the namespace: makes the population, waits until all of it is up, captures.
# When it exits, the kernel kills everything left in the namespace.
populate_and_capture() {  # $1 = seed, $2 = capture directory, $3 = capture-proc.py
    set -euo pipefail
    RANDOM=$1
    local target=$((30 + RANDOM % 171)) planned=3  # this shell, python3 with threads, the capturer
    # a sleep tree: every node starts its children, then becomes a sleep named after its place
    node() {  # $1 = depth, $2 = fan-out, $3 = tag
        local k
        if (( $1 > 1 )); then for ((k = 0; k < $2; k++)); do node $(($1 - 1)) "$2" "$3.$k" & done; fi
        exec -a "job-$3" sleep 86400
    }
    /usr/bin/python3 -c 'import sys, threading, time
for _ in range(int(sys.argv[1])): threading.Thread(target=time.sleep, args=(86400,), daemon=True).start()
time.sleep(86400)' $((2 + RANDOM % 15)) &
    local t=0 depth fanout nodes
    while (( planned < target )); do
        depth=$((2 + RANDOM % 3)) fanout=$((1 + RANDOM % 3))
        nodes=$(( fanout == 1 ? depth : (fanout ** depth - 1) / (fanout - 1) ))
        if (( planned + nodes <= target )); then
            node "$depth" "$fanout" "t$t" &
            planned=$((planned + nodes))
        elif (( planned + 2 <= target )); then
            sh -c "sleep $((86400 + t)); exit 0" &  # a shell waiting on its child
            planned=$((planned + 2))
        else
            sleep $((86400 + t)) &
            planned=$((planned + 1))
        fi
        t=$((t + 1))
    done
    local _
    for _ in $(seq 200); do  # until every planned process (but the capturer) is there
        (( $(find /proc -maxdepth 1 -name '[0-9]*' | wc -l) >= planned - 1 )) && break
        sleep 0.05
    done
    "$3" /proc "$2" > /dev/null
}

total=0
for ((i = 0; i < count; i++)); do
    rm -rf "$dest/c$i"
    unshare --pid --fork --mount-proc bash -c "$(declare -f populate_and_capture); populate_and_capture $i '$dest/c$i' '$bench/capture-proc.py'"
    total=$((total + $(find "$dest/c$i" -mindepth 1 -maxdepth 1 -name '[0-9]*' | wc -l)))
done
echo "captured $count trees, $total processes"
