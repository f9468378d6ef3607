#!/bin/bash
# ps -ef and top -bn1 through procsys exec on a 2-host cluster view, with and without the filter
# usage (root): flock /tmp/procsys-maven.lock scripts/bench-intercept.sh
set -u
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
M=$(mktemp -d /tmp/procsys-bench-XXXX)
./procsys agent --insecure --listen 127.0.0.1:7391 --name h1 > /tmp/bench-agent.log 2>&1 &
AGENT=$!
sleep 4
./procsys mount --insecure --name here --peer h1=127.0.0.1:7391 "$M" || { kill $AGENT; exit 1; }
sleep 1
for tool in "ps -ef" "top -bn1"; do
  for mode in "--no-intercept" ""; do
    # the inner loop runs inside ONE exec so JVM start-up is not measured: time 20 runs of the tool
    ./procsys exec $mode --mount "$M" -- sh -c "for i in 1 2 3; do $tool >/dev/null; done; s=\$(date +%s%N); for i in \$(seq 20); do $tool >/dev/null; done; e=\$(date +%s%N); echo \"$tool ${mode:-(filter)}: \$(( (e - s) / 20000 )) us/run\""
  done
done
# whole exec: with the filter a JVM starts; with --no-intercept the launcher runs it without one
for mode in "--no-intercept" ""; do
  s=$(date +%s%N); for i in 1 2 3 4 5 6 7 8 9 10; do ./procsys exec $mode --mount "$M" -- ps -ef >/dev/null; done; e=$(date +%s%N)
  echo "procsys exec ${mode:-(filter)} -- ps -ef, whole command: $(( (e - s) / 10000000 )) ms/run"
done
./procsys umount "$M"; kill $AGENT; wait $AGENT 2>/dev/null; rmdir "$M"
