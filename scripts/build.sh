#!/usr/bin/env bash
# Builds procsys (all modules, no tests) with a JDK 22+.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/scripts/find-jdk.sh"
procsys_find_jdk || { echo "build: no JDK 22+ found; set JAVA_HOME" >&2; exit 1; }
command -v mvn >/dev/null || { echo "build: Maven (mvn) is not installed: apt-get install -y maven" >&2; exit 1; }
cd "$here"
JAVA_HOME=$PROCSYS_JAVA_HOME mvn -B -q -DskipTests package "$@"
