# Sourced by ./procsys and the scripts: sets PROCSYS_JAVA_HOME to a JDK 22 or newer.
# Order: $JAVA_HOME, the JDKs under /usr/lib/jvm (newest first), the java on PATH.

procsys_jdk_major() {  # $1 = a JDK home; prints its feature version, from its release file
    local release="$1/release" line
    [[ -x "$1/bin/java" && -f "$release" ]] || return 1
    while IFS= read -r line; do  # a built-in loop, not sed: the launcher runs this on every command
        [[ $line =~ ^JAVA_VERSION=\"([0-9]+) ]] && { echo "${BASH_REMATCH[1]}"; return 0; }
    done < "$release"
    return 1
}

procsys_find_jdk() {
    local candidate major
    local -a candidates=()
    [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
    if [[ -d /usr/lib/jvm ]]; then
        local sorted d m
        sorted=$(for d in /usr/lib/jvm/*/; do
                     d=${d%/}; m=$(procsys_jdk_major "$d") && echo "$m $d"
                 done | sort -rn | cut -d' ' -f2-)
        while IFS= read -r candidate; do
            [[ -n "$candidate" ]] && candidates+=("$candidate")
        done <<< "$sorted"
    fi
    if command -v java >/dev/null 2>&1; then
        candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
    fi
    for candidate in "${candidates[@]}"; do
        major=$(procsys_jdk_major "$candidate") || continue
        if (( major >= 22 )); then
            PROCSYS_JAVA_HOME=$candidate
            return 0
        fi
    done
    return 1
}
