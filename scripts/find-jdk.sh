# Sourced by ./procsys and the scripts: sets PROCSYS_JAVA_HOME to a JDK 22 or newer.
# Order: $JAVA_HOME, the JDKs under /usr/lib/jvm (newest first), the java on PATH.
# The launcher runs this on every command: built-ins only, and the next place is looked at only
# when the one before has no JDK 22+ (a set JAVA_HOME costs no process; docs/benchmarks/history.md "exec on a
# cluster view").

# Sets procsys_major to the feature version in $1/release (a JDK home); fails if there is none.
procsys_read_major() {
    local release="$1/release" line
    procsys_major=""
    [[ -x "$1/bin/java" && -f "$release" ]] || return 1
    while IFS= read -r line; do
        [[ $line =~ ^JAVA_VERSION=\"([0-9]+) ]] && { procsys_major=${BASH_REMATCH[1]}; return 0; }
    done < "$release"
    return 1
}

procsys_jdk_major() {  # $1 = a JDK home; prints its feature version
    local procsys_major
    procsys_read_major "$1" && echo "$procsys_major"
}

procsys_find_jdk() {
    local procsys_major candidate best="" best_major=0 java
    if [[ -n "${JAVA_HOME:-}" ]] && procsys_read_major "$JAVA_HOME" && (( procsys_major >= 22 )); then
        PROCSYS_JAVA_HOME=$JAVA_HOME
        return 0
    fi
    for candidate in /usr/lib/jvm/*/; do  # the newest; the first in name order among equals
        candidate=${candidate%/}
        procsys_read_major "$candidate" && (( procsys_major > best_major )) || continue
        best=$candidate best_major=$procsys_major
    done
    if (( best_major >= 22 )); then
        PROCSYS_JAVA_HOME=$best
        return 0
    fi
    java=$(command -v java 2>/dev/null) || return 1
    java=$(readlink -f "$java")
    candidate=${java%/bin/java}
    procsys_read_major "$candidate" && (( procsys_major >= 22 )) || return 1
    PROCSYS_JAVA_HOME=$candidate
}
