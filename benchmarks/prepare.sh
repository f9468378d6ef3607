# Sourced by the benchmark scripts: set-up, a JDK 22+, a fresh build, and where results go.
# Defines: here (repository root), java (command with native access), jar (benchmarks.jar), out.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/scripts/setup.sh" --no-build
source "$here/scripts/find-jdk.sh"
procsys_find_jdk
export JAVA_HOME=$PROCSYS_JAVA_HOME
java="$JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC"
(cd "$here" && mvn -B -q -DskipTests package)
jar="$here/benchmarks/target/benchmarks.jar"
out="$here/bench-results"
mkdir -p "$out"
