#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test — unit tests, then
# integration tests that mount FUSE for real and run ps/top/free/netstat/... against the mount,
# then 20 s of fuzzing per Jazzer target (scripts/fuzz.sh).
# Needs root (FUSE mounts, mount namespaces). Extra arguments go to Maven.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/scripts/setup.sh" --no-build
source "$here/scripts/find-jdk.sh"
procsys_find_jdk
cd "$here"
JAVA_HOME=$PROCSYS_JAVA_HOME mvn -B verify "$@"
# then a short fuzzing campaign (20 s per target) on what a hostile peer can reach
"$here/scripts/fuzz.sh"
