#!/usr/bin/env bash
# Builds procsys (all modules, no tests) with a JDK 22+; then, with a JDK 25+, the AOT cache the
# launcher starts from (procsys-fs/target/procsys.aot; docs/benchmarks/history.md "CLI start-up").
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/scripts/find-jdk.sh"
procsys_find_jdk || { echo "build: no JDK 22+ found; set JAVA_HOME" >&2; exit 1; }
command -v mvn >/dev/null || { echo "build: Maven (mvn) is not installed: apt-get install -y maven" >&2; exit 1; }
cd "$here"
JAVA_HOME=$PROCSYS_JAVA_HOME mvn -B -q -DskipTests package "$@"

# picocli's class files are Java 5 ones, which no AOT cache holds: re-emit them as version 52
# (scripts/UpgradeOldClasses.java; java.lang.classfile is final from JDK 24)
major=$(procsys_jdk_major "$PROCSYS_JAVA_HOME")
if (( major >= 24 )); then
    for jar in procsys-fs/target/lib/picocli-*.jar; do
        "$PROCSYS_JAVA_HOME/bin/java" scripts/UpgradeOldClasses.java "$jar" 2>/dev/null
    done
fi
# The AOT caches (scripts/train-aot.sh), made again on every build: a cache only matches the jars
# it was made from. PROCSYS_TRAIN_MOUNT: a live procsys mount for `status` to be trained on.
rm -rf procsys-fs/target/aot
if (( major >= 25 )); then
    JAVA_HOME=$PROCSYS_JAVA_HOME scripts/train-aot.sh ./procsys procsys-fs/target/aot "${PROCSYS_TRAIN_MOUNT:-}" \
        || echo "build: an AOT cache could not be made (procsys starts without it)" >&2
fi
