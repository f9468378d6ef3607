#!/usr/bin/env bash
# Tests the deployment artifacts (issue 13), as root on Debian, after scripts/package.sh
# (run first if dist/ lacks the artifacts, or with --package):
#   (a) the tarball, unpacked anywhere, runs `procsys --version`, `agent --help`, an agent and a
#       cluster mount of it in a private mount namespace where no JDK exists (/usr/lib/jvm under an
#       empty tmpfs, JAVA_HOME unset, no java on PATH);
#   (b) the .deb: dpkg -i puts its files in place and makes the user; systemd-analyze verify and
#       security on both units; the units' ExecStart lines run as written, under the user and
#       capabilities the units give (setpriv); dpkg -r, then dpkg -P, leave nothing behind;
#   (c) every YAML in deploy/kubernetes parses, and each object has the fields it must have;
#       the Containerfile names the tarball package.sh makes;
#   (d) the manifests against the Kubernetes and cert-manager schemas (kubernetes-models from npm;
#       skipped when npm cannot install it).
# Ends with one line: "N passed, M failed".
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

passed=0 failed=0 skipped=0
ok() { echo "ok   - $*"; passed=$((passed + 1)); }
bad() { echo "FAIL - $*"; failed=$((failed + 1)); }
check() {  # $1 = what; the rest = a command that succeeds when it holds
    local what=$1; shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}
wait_for() {  # $1 = seconds, the rest = a command; polls every 0.2 s
    local deadline=$((SECONDS + $1)); shift
    until "$@"; do (( SECONDS < deadline )) || return 1; sleep 0.2; done
}
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
memtotal() { awk '/^MemTotal:/ {print $2}' "$1"; }

# ---------------------------------------------------------------------------------------------
# (a), inside the private mount namespace: scripts/test-deploy.sh --no-jdk RELEASE_DIR PORT WORK
if [[ "${1:-}" == --no-jdk ]]; then
    rel=$2 port=$3 work=$4
    mount -t tmpfs -o size=1m procsys-test-no-jdk /usr/lib/jvm || { bad "hide /usr/lib/jvm"; exit 1; }
    check "no JDK visible: /usr/lib/jvm empty, JAVA_HOME unset, no java on PATH" \
        bash -c '[[ -z "$(ls -A /usr/lib/jvm)" && -z "${JAVA_HOME:-}" ]] && ! command -v java >/dev/null'
    out=$("$rel/bin/procsys" --version 2>&1)
    check "tarball: procsys --version runs on the bundled runtime ($(tr '\n' ' ' <<< "$out"))" \
        grep -q 'libfuse 3' <<< "$out"
    out=$("$rel/bin/procsys" agent --help 2>&1)
    check "tarball: procsys agent --help" grep -q -- '--listen=HOST:PORT' <<< "$out"
    # the AOT caches (lib/aot/, made by package.sh) are used where the tarball was unpacked:
    # -XX:AOTMode=on makes a cache the JVM cannot use a fatal error
    for run in "--version" "--help" "status /"; do
        out=$(PROCSYS_JAVA_OPTS="-XX:AOTMode=on -Xlog:aot=info" "$rel/bin/procsys" $run 2>&1)
        check "tarball: procsys $run starts from its AOT cache (lib/aot/)" grep -q 'Using AOT-linked classes: true' <<< "$out"
    done

    "$rel/bin/procsys" agent --insecure --listen "127.0.0.1:$port" --name a >"$work/agent.log" 2>&1 &
    agent=$!
    check "tarball: procsys agent --insecure --listen 127.0.0.1:$port starts" \
        wait_for 60 grep -q 'exporting' "$work/agent.log"
    check "tarball: the agent's JVM is the release's runtime/bin/java" \
        test "$(readlink "/proc/$agent/exe")" = "$rel/runtime/bin/java"

    mnt=$work/view
    mkdir -p "$mnt"
    # its peer and metrics endpoint from a YAML file: the configuration is read with Jackson and
    # SnakeYAML on a runtime without java.desktop (java.beans), which both name
    metrics=127.0.0.1:$(free_port)
    printf 'peers:\n  - {name: a, address: "127.0.0.1:%s"}\nmetricsListen: "%s"\n' "$port" "$metrics" > "$work/view.yaml"
    out=$("$rel/bin/procsys" mount --insecure --config "$work/view.yaml" "$mnt" 2>&1)
    status=$?
    check "tarball: procsys mount --insecure --config (peer a=127.0.0.1:$port, metricsListen $metrics) returns once mounted ($out)" \
        test "$status" = 0
    daemon=$(sed -n 's/.*daemon pid \([0-9]*\).*/\1/p' <<< "$out")
    check "tarball: the mount daemon's JVM is the release's runtime/bin/java" \
        test "$(readlink "/proc/${daemon:-0}/exe")" = "$rel/runtime/bin/java"
    check "tarball: hosts/a/meminfo is the agent's (MemTotal $(memtotal /proc/meminfo) kB)" \
        test "$(memtotal "$mnt/hosts/a/meminfo")" = "$(memtotal /proc/meminfo)"
    check "tarball: meminfo is combined: MemTotal = this host + a = 2 x $(memtotal /proc/meminfo) kB" \
        test "$(memtotal "$mnt/meminfo")" = "$(( 2 * $(memtotal /proc/meminfo) ))"
    out=$("$rel/bin/procsys" status --json "$mnt" 2>&1)
    check "tarball: procsys status --json: the daemon's JSON (Jackson) lists peer a at 127.0.0.1:$port" \
        python3 -c 'import json, sys; d = json.loads(sys.argv[1]); assert [p["address"] for p in d["peers"] if p["name"] == "a"] == [sys.argv[2]]' \
        "$out" "127.0.0.1:$port"
    check "tarball: the mount's metrics endpoint (jdk.httpserver) answers /metrics" \
        bash -c "curl -sf 'http://$metrics/metrics' | grep -q '^procsys_'"
    check "tarball: procsys umount" "$rel/bin/procsys" umount "$mnt"
    check "tarball: the daemon exits after umount" wait_for 10 bash -c "! kill -0 ${daemon:-0} 2>/dev/null"
    kill "$agent" 2>/dev/null
    check "tarball: the agent stops on SIGTERM" wait_for 10 bash -c "! kill -0 $agent 2>/dev/null"
    exit 0
fi

# ---------------------------------------------------------------------------------------------
[[ $(id -u) -eq 0 ]] || { echo "test-deploy: run as root (FUSE, dpkg, namespaces)" >&2; exit 1; }
version=$(sed -n '0,/<version>/s:.*<version>\([^<]*\)</version>.*:\1:p' pom.xml)
version=${version%-SNAPSHOT}
tarball=dist/procsys-$version-linux-x86_64.tar.gz
deb=dist/procsys_${version}_amd64.deb
if [[ "${1:-}" == --package || ! -f "$tarball" || ! -f "$deb" ]]; then
    scripts/package.sh >/dev/null || { echo "test-deploy: scripts/package.sh failed"; echo "0 passed, 1 failed"; exit 1; }
fi

tmp=$(mktemp -d /tmp/procsys-test-deploy.XXXXXX)
chmod 700 "$tmp"
pids=() made_certs=0
cleanup() {
    local p m
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for m in "$tmp"/*/; do mountpoint -q "$m" 2>/dev/null && umount -l "$m"; done
    (( made_certs )) && rm -f /etc/procsys/certs/{ca,ca-key,node1,node1-key,viewer,viewer-key}.pem
    if dpkg-query -W -f='${Status}' procsys 2>/dev/null | grep -q 'ok installed\|config-files'; then
        dpkg -P procsys >/dev/null 2>&1
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# ------------------------------------------------------------------------------- (a) tarball
echo "# (a) $tarball without a JDK"
tar -xzf "$tarball" -C "$tmp"
rel=$tmp/procsys-$version
check "tarball: unpacks to procsys-$version/{bin/procsys,runtime/bin/java,lib/procsys-fs.jar}" \
    test -x "$rel/bin/procsys" -a -x "$rel/runtime/bin/java" -a -f "$rel/lib/procsys-fs.jar"
check "tarball: bin/procsys is this repository's launcher, unchanged" cmp -s procsys "$rel/bin/procsys"
mkdir -p "$tmp/a"
out=$(unshare --mount --propagation private -- \
          env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
          bash "$here/scripts/test-deploy.sh" --no-jdk "$rel" "$(free_port)" "$tmp/a" 2>&1)
echo "$out" | grep -E '^(ok  |FAIL)'
inner_ok=$(grep -c '^ok   - ' <<< "$out")
inner_bad=$(grep -c '^FAIL - ' <<< "$out")
passed=$((passed + inner_ok)); failed=$((failed + inner_bad))
if (( inner_ok + inner_bad == 0 )); then bad "tarball: the no-JDK run printed no result:"; echo "$out" | tail -20; fi
if (( inner_bad )); then echo "# agent log:"; tail -5 "$tmp/a/agent.log" 2>/dev/null; fi

# a cache the JVM cannot use (missing, cut short, made by another JVM) is passed over in silence
noaot=$tmp/noaot/procsys-$version
mkdir -p "$tmp/noaot"
cp -a "$rel" "$tmp/noaot/"
expected=$(env -u JAVA_HOME "$rel/bin/procsys" --version 2>&1)
rm -rf "$noaot/lib/aot"
check "tarball without lib/aot: procsys --version prints only the version" \
    test "$(env -u JAVA_HOME "$noaot/bin/procsys" --version 2>&1)" = "$expected"
mkdir -p "$noaot/lib/aot"
head -c 1000000 "$rel/lib/aot/version.aot" > "$noaot/lib/aot/version.aot"
check "tarball with a cut-short cache: procsys --version prints only the version" \
    test "$(env -u JAVA_HOME "$noaot/bin/procsys" --version 2>&1)" = "$expected"
if [[ -f procsys-fs/target/aot/version.aot ]]; then  # made by scripts/build.sh's JDK, not the release's runtime
    cp procsys-fs/target/aot/version.aot "$noaot/lib/aot/version.aot"
    check "tarball with a cache made by another JVM: procsys --version prints only the version" \
        test "$(env -u JAVA_HOME "$noaot/bin/procsys" --version 2>&1)" = "$expected"
fi

# ------------------------------------------------------------------------------- (b) .deb
echo "# (b) $deb"
if dpkg-query -W -f='${Status}' procsys 2>/dev/null | grep -q 'ok installed\|config-files'; then
    echo "# procsys was installed: purging it first"
    dpkg -P procsys >/dev/null
fi
check "deb: dpkg -i" dpkg -i "$deb" >/dev/null
units=/lib/systemd/system
home=/usr/lib/procsys
for f in $home/bin/procsys $home/runtime/bin/java $home/lib/procsys-fs.jar \
         "$units/procsys-agent.service" "$units/procsys-mount@.service" \
         /etc/procsys/mount.yaml /etc/default/procsys-agent \
         /usr/share/man/man1/procsys.1.gz /usr/share/man/man1/procsys-agent.1.gz /usr/share/man/man1/procsys-mount.1.gz \
         /usr/share/bash-completion/completions/procsys /usr/share/doc/procsys/copyright \
         /usr/share/doc/procsys/changelog.gz /usr/share/doc/procsys/README.Debian /usr/share/lintian/overrides/procsys; do
    check "deb: $f installed" test -e "$f"
done
check "deb: nothing under /opt" test ! -e /opt/procsys
# README.md's relative links (docs/, BENCHMARKS.md) resolve on an installed host, as in the tarball
dangling=$(grep -o '](\([^)#h][^)#]*\)' /usr/share/doc/procsys/README.md | cut -c3- | sort -u | while read -r page; do
    [[ -e /usr/share/doc/procsys/$page ]] || echo "$page"; done)
check "deb: README.md's relative links resolve under /usr/share/doc/procsys (${dangling:-none missing})" test -z "$dangling"
check "deb: /usr/bin/procsys links to ../lib/procsys/bin/procsys" test "$(readlink /usr/bin/procsys)" = ../lib/procsys/bin/procsys
# the AOT caches: made by postinst (status against a FUSE mount of its own), used by the launcher
for cache in version status exec agent procsys; do
    check "deb: postinst made /var/cache/procsys/aot/$cache.aot" test -s "/var/cache/procsys/aot/$cache.aot"
done
for run in "--version" "status /"; do
    out=$(PROCSYS_JAVA_OPTS="-XX:AOTMode=on -Xlog:aot=info" procsys $run 2>&1)
    check "deb: procsys $run starts from its AOT cache ($home/lib/aot -> /var/cache/procsys/aot)" grep -q 'Using AOT-linked classes: true' <<< "$out"
done
check "deb: postinst's training left no mount behind" bash -c '! grep -q " /var/cache/procsys" /proc/mounts'
modules=$("$home/runtime/bin/java" --list-modules | sed 's/@.*//' | sort | paste -sd' ')
check "deb: the runtime has the modules procsys uses, no java.desktop or java.sql ($modules)" \
    bash -c '[[ " $1 " == *" java.management "* && " $1 " != *" java.desktop "* && " $1 " != *" java.sql "* ]]' _ "$modules"
check "deb: every file dpkg -L lists exists" bash -c 'dpkg -L procsys | while read -r f; do [[ -e "$f" || -L "$f" ]] || { echo "missing $f"; exit 1; }; done'
check "deb: conffiles are the two sample configurations" \
    bash -c "[[ \$(dpkg-query -W -f='\${Conffiles}' procsys | awk '{print \$1}' | sort | paste -sd' ') == '/etc/default/procsys-agent /etc/procsys/mount.yaml' ]]"
check "deb: Depends: libc6 (from dpkg-shlibdeps) and fuse3" bash -c "dpkg-query -W -f='\${Depends}' procsys | grep -Eqx 'libc6 \\(>= [0-9.]+\\), fuse3'"
check "deb: user and group procsys, system account without a shell" \
    bash -c 'getent passwd procsys | grep -q ":/nonexistent:/usr/sbin/nologin$" && getent group procsys >/dev/null'
check "deb: /etc/procsys/certs is root:procsys 0750" test "$(stat -c '%U:%G %a' /etc/procsys/certs 2>/dev/null)" = "root:procsys 750"
out=$(env -u JAVA_HOME PATH=/usr/sbin:/usr/bin:/sbin:/bin procsys --version 2>&1)
check "deb: procsys --version through /usr/bin ($(head -1 <<< "$out"))" grep -q 'libfuse 3' <<< "$out"
check "deb: procsys.1 is a roff man page generated from the picocli model" \
    bash -c 'zcat /usr/share/man/man1/procsys.1.gz | grep -q "^\.TH \"PROCSYS\"" && zcat /usr/share/man/man1/procsys-agent.1.gz | grep -qF -- "\-\-proc\-root"'
# the completion answers as bash would call it: "procsys mo<TAB>" and "procsys agent --li<TAB>"
completes() {  # $1 = command line typed so far, $2 = a word the completion must offer
    bash -c 'source /usr/share/bash-completion/completions/procsys
             f=$(complete -p procsys | sed -n "s/.* -F \([^ ]*\) .*/\1/p"); [[ -n "$f" ]] || exit 1
             read -ra COMP_WORDS <<< "$1"; COMP_LINE=$1; COMP_POINT=${#1}; COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
             "$f" procsys "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}" 2>/dev/null
             printf "%s\n" "${COMPREPLY[@]}" | grep -qx -- "$2"' _ "$1" "$2"
}
check "deb: bash completion: procsys mo<TAB> offers mount" completes "procsys mo" mount
check "deb: bash completion: procsys agent --li<TAB> offers --listen" completes "procsys agent --li" --listen

if command -v systemd-analyze >/dev/null; then
    instance="procsys-mount@$(systemd-escape --path "$tmp/unit-mount").service"
    out=$(systemd-analyze verify "$units/procsys-agent.service" 2>&1)
    check "deb: systemd-analyze verify procsys-agent.service${out:+ ($out)}" test -z "$out"
    out=$(systemd-analyze verify "$instance" 2>&1)
    check "deb: systemd-analyze verify $instance${out:+ ($out)}" test -z "$out"
    # exposure scores (0 = locked down, 10 = unprotected); the mount cannot use the
    # namespace-based options (see the unit), so its bar is lower
    for u in procsys-agent.service:3.0 "$instance:6.0"; do
        name=${u%:*} bar=${u##*:}
        score=$(systemd-analyze security --offline=yes "$units/${name/@*./@.}" 2>/dev/null \
                    | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
        check "deb: systemd-analyze security: ${name%%@*} exposure ${score:-?} <= $bar" \
            awk -v s="${score:-99}" -v b="$bar" 'BEGIN { exit !(s + 0 <= b + 0) }'
    done
else
    bad "deb: systemd-analyze not installed (apt-get install systemd)"
fi

# The units' command lines, run as written: ExecStart words with $VAR split as systemd splits
# them, %f expanded, under the unit's User=, capabilities and NoNewPrivileges (setpriv).
unit_value() { sed -n "s/^$2=//p" "$units/$1" | tail -1; }
expand_words() {  # $1 = a unit command line; prints one word per line
    local w name
    for w in $1; do
        if [[ "$w" =~ ^\$([A-Za-z_][A-Za-z0-9_]*)$ ]]; then
            name=${BASH_REMATCH[1]}
            for part in ${!name:-}; do echo "$part"; done
        else
            echo "${w//%f/$mountpoint}"
        fi
    done
}
caps() { tr ' ' '\n' <<< "$1" | sed -n 's/^CAP_\(.*\)/+\L\1/p' | paste -sd, -; }

# agent: as the unit runs it, with the EnvironmentFile's variable (here: loopback, test certificates)
# the certificates where the agent looks by default, group-readable as /etc/default/procsys-agent says
port=$(free_port)
certs=/etc/procsys/certs
procsys certs --out "$certs" node1 viewer >/dev/null 2>&1 && made_certs=1
chgrp procsys "$certs"/*.pem && chmod 0640 "$certs"/*.pem
check "deb: the shipped /etc/default/procsys-agent sets PROCSYS_AGENT_ARGS" \
    bash -c 'set -a; . /etc/default/procsys-agent; [[ "$PROCSYS_AGENT_ARGS" == *--listen* ]]'
PROCSYS_AGENT_ARGS="--listen 127.0.0.1:$port --name node1"
mountpoint=
mapfile -t argv < <(expand_words "$(unit_value procsys-agent.service ExecStart)")
ambient=$(caps "$(unit_value procsys-agent.service AmbientCapabilities)")
bounding=$(caps "$(unit_value procsys-agent.service CapabilityBoundingSet)")
user=$(unit_value procsys-agent.service User) group=$(unit_value procsys-agent.service Group)
echo "# agent: setpriv --reuid=$user --regid=$group --ambient-caps=$ambient --bounding-set=-all,$bounding --no-new-privs ${argv[*]}"
setpriv --reuid="$user" --regid="$group" --clear-groups --inh-caps="-all,$ambient" --ambient-caps="-all,$ambient" \
    --bounding-set="-all,$bounding" --no-new-privs "${argv[@]}" >"$tmp/agent.log" 2>&1 &
agent=$!; pids+=("$agent")
check "deb: procsys-agent.service's ExecStart starts (user $user, keys readable only by root: mutual TLS)" \
    wait_for 60 grep -q 'exporting.*mutual TLS' "$tmp/agent.log"
check "deb: the agent runs as $user" test "$(stat -c %U "/proc/$agent")" = "$user"
# a process of another user: its exe link is readable only with CAP_SYS_PTRACE
setpriv --reuid=nobody --regid=nogroup --clear-groups sleep 300 &
other=$!; pids+=("$other")

# mount: ExecStartPre, ExecStart as root within the unit's capability bounding set, ExecStop
mountpoint=$tmp/unit-mount
bounding=$(caps "$(unit_value procsys-mount@.service CapabilityBoundingSet)")
mapfile -t pre < <(expand_words "$(unit_value procsys-mount@.service ExecStartPre)")
mapfile -t argv < <(expand_words "$(unit_value procsys-mount@.service ExecStart)")
mapfile -t stop < <(expand_words "$(unit_value procsys-mount@.service ExecStop | sed 's/^-//')")
echo "# mount: ${pre[*]}; setpriv --bounding-set=-all,$bounding --no-new-privs ${argv[*]}; ${stop[*]}"
check "deb: procsys-mount@.service's ExecStartPre" "${pre[@]}"
setpriv --bounding-set="-all,$bounding" --no-new-privs "${argv[@]}" >"$tmp/mount.log" 2>&1 &
daemon=$!; pids+=("$daemon")
check "deb: procsys-mount@.service's ExecStart mounts (sample mount.yaml: a mirror of this host)" \
    wait_for 30 test -f "$mountpoint/meminfo"
check "deb: the mount's meminfo is this host's" test "$(memtotal "$mountpoint/meminfo")" = "$(memtotal /proc/meminfo)"
check "deb: the mount reads another user's process links (CAP_SYS_PTRACE kept)" \
    test "$(readlink "$mountpoint/$other/exe")" = "$(readlink "/proc/$other/exe")"

# the unit-run agent serves a cluster mount over mutual TLS, with every process link
mkdir -p "$tmp/cluster"
procsys mount --foreground --name viewer --peer "node1=127.0.0.1:$port" \
    "$tmp/cluster" >"$tmp/cluster.log" 2>&1 &
pids+=("$!")
check "deb: a cluster mount reads hosts/node1/meminfo from the unit-run agent (mutual TLS)" \
    wait_for 30 bash -c "[[ \$(awk '/^MemTotal:/ {print \$2}' '$tmp/cluster/hosts/node1/meminfo' 2>/dev/null) == $(memtotal /proc/meminfo) ]]"
check "deb: the agent (user $user + ambient CAP_SYS_PTRACE) exports another user's exe link" \
    test "$(readlink "$tmp/cluster/hosts/node1/$other/exe")" = "$(readlink "/proc/$other/exe")"
umount "$tmp/cluster" 2>/dev/null

check "deb: procsys-mount@.service's ExecStop (${stop[*]}) unmounts" "${stop[@]}"
check "deb: the mount daemon then exits" wait_for 10 bash -c "! kill -0 $daemon 2>/dev/null"
wait "$daemon"; status=$?
check "deb: ... with status 0 (got $status)" test "$status" = 0
kill "$agent" "$other" 2>/dev/null
check "deb: the agent stops on SIGTERM" wait_for 10 bash -c "! kill -0 $agent 2>/dev/null"
if (( failed )); then echo "# agent log:"; tail -5 "$tmp/agent.log"; echo "# mount log:"; tail -5 "$tmp/mount.log"; fi

rm -f "$certs"/{ca,ca-key,node1,node1-key,viewer,viewer-key}.pem; made_certs=0

# remove, then purge: nothing of the package may be left (nor the AOT caches postinst made)
mapfile -t contents < <(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's:^\.::; s:/$::' | grep -v '^$')
ours() { [[ "$1" == /usr/lib/procsys* || "$1" == /var/cache/procsys* || "$1" == /usr/share/doc/procsys* || ! -d "$1" ]]; }
check "deb: dpkg -r procsys" dpkg -r procsys >/dev/null
left=$(for f in "${contents[@]}" /var/cache/procsys/aot/version.aot; do
           case "$f" in /etc/procsys|/etc/procsys/mount.yaml|/etc/default/procsys-agent) continue ;; esac
           ours "$f" && [[ -e "$f" || -L "$f" ]] && echo "$f"
       done)
check "deb: after dpkg -r, only the conffiles remain${left:+ (left: $(head -3 <<< "$left" | paste -sd' '))}" test -z "$left"
check "deb: after dpkg -r, the conffiles remain until purge" test -f /etc/procsys/mount.yaml
check "deb: dpkg -P procsys" dpkg -P procsys >/dev/null
left=$(for f in "${contents[@]}" /etc/procsys/certs /var/cache/procsys; do
           { ours "$f" || [[ "$f" == /etc/procsys* ]]; } && [[ -e "$f" || -L "$f" ]] && echo "$f"
       done)
check "deb: after dpkg -P, nothing is left${left:+ (left: $(head -3 <<< "$left" | paste -sd' '))}" test -z "$left"
check "deb: after dpkg -P, no user or group procsys" bash -c '! getent passwd procsys && ! getent group procsys'
check "deb: after dpkg -P, dpkg knows no procsys" bash -c "! dpkg-query -W -f='\${Status}' procsys 2>/dev/null | grep -q 'installed\|config-files'"

# ------------------------------------------------------------------------------- (c) manifests
echo "# (c) deploy/kubernetes and deploy/container"
python=python3
/usr/bin/python3 -c 'import yaml' 2>/dev/null && python=/usr/bin/python3
if ! $python -c 'import yaml' 2>/dev/null; then
    apt-get install -y -qq python3-yaml >/dev/null 2>&1; python=/usr/bin/python3
fi
out=$($python - deploy/kubernetes "$tmp/objects.json" <<'EOF'
# Each check says what it checks and why it matters; one line per check: "ok   - ..." or "FAIL - ...".
import glob, json, os, re, sys
import yaml

kdir, dump = sys.argv[1], sys.argv[2]
def report(good, what):
    print(("ok   - " if good else "FAIL - ") + "k8s: " + what)

objects = []
for path in sorted(glob.glob(os.path.join(kdir, "*.yaml")) + glob.glob(os.path.join(kdir, "*.yml"))):
    try:
        docs = [d for d in yaml.safe_load_all(open(path)) if d is not None]
        report(bool(docs), f"{os.path.basename(path)} parses ({len(docs)} object(s))")
    except yaml.YAMLError as e:
        report(False, f"{os.path.basename(path)} parses: {e}")
        continue
    for d in docs:
        d["_file"] = os.path.basename(path)
        objects.append(d)
json.dump([{k: v for k, v in o.items() if k != "_file"} for o in objects], open(dump, "w"))

for o in objects:
    name = f"{o.get('kind')}/{o.get('metadata', {}).get('name')} ({o['_file']})"
    report(all(k in o for k in ("apiVersion", "kind", "metadata")) and "name" in o["metadata"],
           f"{name}: apiVersion, kind and metadata.name (kubectl refuses an object without them)")
    if o.get("kind") != "Namespace":
        report(o["metadata"].get("namespace") == "procsys",
               f"{name}: namespace procsys (the Service's DNS name the viewer uses contains it)")

def one(kind):
    found = [o for o in objects if o.get("kind") == kind]
    report(len(found) >= 1, f"a {kind} exists")
    return found[0] if found else {}

def container(pod, n=0):
    return (pod.get("containers") or [{}])[n]

def arg(c, option):
    args = c.get("args", []) + c.get("command", [])
    for i, a in enumerate(args):
        if a == option and i + 1 < len(args): return args[i + 1]
        if a.startswith(option + "="): return a.split("=", 1)[1]
    return None

ns = one("Namespace")
report(ns.get("metadata", {}).get("labels", {}).get("pod-security.kubernetes.io/enforce") == "privileged",
       "Namespace: Pod Security 'privileged' (hostNetwork, hostPath /proc and a privileged viewer are refused otherwise)")

ds = one("DaemonSet")
tmpl = ds.get("spec", {}).get("template", {})
labels = tmpl.get("metadata", {}).get("labels", {})
pod = tmpl.get("spec", {})
agent = container(pod)
match = ds.get("spec", {}).get("selector", {}).get("matchLabels")
report(bool(match) and match == labels,
       "DaemonSet: spec.selector.matchLabels equals the template's labels (the API server refuses a selector that misses them)")
report(pod.get("hostNetwork") is True, "DaemonSet: hostNetwork true (net/ must be the node's, and the Service records the nodes' addresses)")
report(not pod.get("hostPID"), "DaemonSet: no hostPID (the host's /proc comes in as a read-only volume instead)")
vols = {v["name"]: v for v in pod.get("volumes", [])}
mounts = {m["name"]: m for m in agent.get("volumeMounts", [])}
proc_vol = [n for n, v in vols.items() if v.get("hostPath", {}).get("path") == "/proc"]
report(bool(proc_vol) and mounts.get(proc_vol[0], {}).get("readOnly") is True,
       "DaemonSet: the host's /proc is a hostPath volume mounted readOnly (the agent only reads it)")
proc_root = arg(agent, "--proc-root")
report(bool(proc_vol) and proc_root == mounts.get(proc_vol[0], {}).get("mountPath"),
       f"DaemonSet: --proc-root ({proc_root}) is where the host's /proc is mounted (else it exports the pod's own /proc)")
limits = agent.get("resources", {}).get("limits", {})
requests = agent.get("resources", {}).get("requests", {})
report(bool(limits.get("memory")) and bool(requests.get("memory")) and bool(requests.get("cpu")),
       f"DaemonSet: resources.limits.memory ({limits.get('memory')}) and requests set (agents on every node must not starve it)")
def mib(q):
    m = re.fullmatch(r"(\d+)(Mi|Gi)", str(q or ""))
    return int(m.group(1)) * (1024 if m.group(2) == "Gi" else 1) if m else 0
report(mib(limits.get("memory")) >= 128, "DaemonSet: memory limit above the agent's measured RSS (about 94 MB)")
listen = arg(agent, "--listen") or ""
port = int(listen.rsplit(":", 1)[1]) if ":" in listen else None
ports = [p.get("containerPort") for p in agent.get("ports", [])]
report(port is not None and port in ports, f"DaemonSet: ports declare the --listen port ({port}; declared {ports})")
probe = agent.get("readinessProbe", {}).get("tcpSocket", {}).get("port")
report(probe == port, f"DaemonSet: readinessProbe tcpSocket on the agent's port (an agent enters DNS once it listens)")
report("--insecure" not in agent.get("args", []), "DaemonSet: no --insecure (agents talk across the network: mutual TLS)")
certs = [n for n, m in mounts.items() if m.get("mountPath") == "/etc/procsys/certs"]
secret = vols.get(certs[0], {}).get("secret", {}).get("secretName") if certs else None
report(bool(secret), f"DaemonSet: TLS files from Secret {secret} mounted at /etc/procsys/certs")
report(all((arg(agent, o) or "").startswith("/etc/procsys/certs/") for o in ("--cert", "--key", "--ca")),
       "DaemonSet: --cert, --key and --ca point into the mounted Secret")
caps = agent.get("securityContext", {}).get("capabilities", {})
report("ALL" in caps.get("drop", []) and set(caps.get("add", [])) <= {"SYS_PTRACE", "DAC_READ_SEARCH"},
       f"DaemonSet: capabilities: ALL dropped, only {caps.get('add')} added (what reading every process's /proc needs)")

svc = one("Service")
report(svc.get("spec", {}).get("clusterIP") == "None",
       "Service: clusterIP None (headless: its DNS name answers one record per agent, what --peers-dns reads)")
sel = svc.get("spec", {}).get("selector", {})
report(bool(sel) and all(labels.get(k) == v for k, v in sel.items()),
       "Service: its selector matches the DaemonSet's pod labels (else it has no endpoints)")
report(port in [p.get("port") for p in svc.get("spec", {}).get("ports", [])],
       "Service: exposes the agents' port")

job = one("Job")
jpod = job.get("spec", {}).get("template", {}).get("spec", {})
viewer = container(jpod)
jlabels = job.get("spec", {}).get("template", {}).get("metadata", {}).get("labels", {})
report(viewer.get("securityContext", {}).get("privileged") is True,
       "Job: privileged (procsys exec mounts FUSE and makes mount and network namespaces)")
jvols = {v["name"]: v for v in jpod.get("volumes", [])}
jmounts = {m["name"]: m for m in viewer.get("volumeMounts", [])}
fuse = [n for n, v in jvols.items() if v.get("hostPath", {}).get("path") == "/dev/fuse"]
report(bool(fuse) and jmounts.get(fuse[0], {}).get("mountPath") == "/dev/fuse",
       "Job: /dev/fuse from the host mounted at /dev/fuse (FUSE needs the device)")
expected = f"{svc.get('metadata', {}).get('name')}.{svc.get('metadata', {}).get('namespace')}.svc.cluster.local:{port}"
report(arg(viewer, "--peers-dns") == expected,
       f"Job: --peers-dns {arg(viewer, '--peers-dns')} is the headless Service's name and port ({expected})")
report(jpod.get("restartPolicy") in ("Never", "OnFailure"), "Job: restartPolicy Never or OnFailure (a Job refuses Always)")
report(not (sel and all(jlabels.get(k) == v for k, v in sel.items())),
       "Job: its pod labels do not match the Service's selector (the viewer must not be listed as an agent)")
jcerts = [n for n, m in jmounts.items() if m.get("mountPath") == "/etc/procsys/certs"]
report(bool(jcerts) and jvols.get(jcerts[0], {}).get("secret", {}).get("secretName") == secret,
       "Job: the same TLS Secret as the agents (mutual TLS with them)")

sec = [o for o in objects if o.get("kind") == "Secret"]
report(any(o["metadata"]["name"] == secret and {"ca.crt", "tls.crt", "tls.key"} <= set((o.get("stringData") or o.get("data") or {}).keys())
           for o in sec), f"Secret {secret}: example with ca.crt, tls.crt and tls.key (the files the pods name)")
certs_cm = [o for o in objects if o.get("kind") == "Certificate" and o.get("spec", {}).get("secretName") == secret]
report(bool(certs_cm), f"cert-manager: a Certificate that writes Secret {secret}")
for c in certs_cm:
    spec = c["spec"]
    report(spec.get("privateKey", {}).get("encoding") == "PKCS8", "cert-manager: the key is PKCS#8 (what procsys reads)")
    report({"server auth", "client auth"} <= set(spec.get("usages", [])),
           "cert-manager: usages server auth and client auth (each agent and viewer is both ends of mutual TLS)")
    issuer = spec.get("issuerRef", {}).get("name")
    report(any(o.get("kind") in ("Issuer", "ClusterIssuer") and o["metadata"]["name"] == issuer for o in objects),
           f"cert-manager: its issuer {issuer} is defined too")
EOF
)
echo "$out"
passed=$((passed + $(grep -c '^ok   - ' <<< "$out"))); failed=$((failed + $(grep -c '^FAIL - ' <<< "$out")))
grep -q '^ok   - ' <<< "$out" || bad "k8s: the manifest checks did not run"

cf=deploy/container/Containerfile
cf_version=$(sed -n 's/^ARG VERSION=//p' "$cf")
check "Containerfile: FROM debian:12-slim, installs fuse3, ENTRYPOINT the release's launcher" \
    bash -c "grep -q '^FROM debian:12-slim' $cf && grep -q 'install .*fuse3' $cf && grep -q '^ENTRYPOINT \[\"/usr/bin/procsys\"\]' $cf"
check "Containerfile: ADDs the tarball package.sh makes (version $cf_version = $version)" \
    bash -c "[[ '$cf_version' == '$version' ]] && grep -q '^ADD procsys-\${VERSION}-linux-x86_64.tar.gz' $cf && tar -tzf $tarball | head -1 | grep -q '^procsys-$version/'"

# ------------------------------------------------------------------------------- (d) schemas
echo "# (d) schemas (kubernetes-models from npm: the Kubernetes and cert-manager OpenAPI schemas)"
npmdir=$here/target/test-deploy-npm
if command -v npm >/dev/null && { [[ -d "$npmdir/node_modules/kubernetes-models" ]] || \
        { mkdir -p "$npmdir" && (cd "$npmdir" && npm install --silent --no-audit --no-fund --prefix . \
              kubernetes-models@5.1.0 @kubernetes-models/cert-manager@6.0.0 >/dev/null 2>&1); }; }; then
    cat > "$npmdir/validate.mjs" <<'EOF'
// Validates each object against its schema: kubernetes-models/<group>/<version>/<Kind>.
import { readFileSync } from "node:fs";
const objects = JSON.parse(readFileSync(process.argv[2], "utf8"));
for (const o of objects) {
  const name = `${o.kind}/${o.metadata?.name}`;
  const path = o.apiVersion.includes("cert-manager.io")
    ? `@kubernetes-models/cert-manager/${o.apiVersion}/${o.kind}`
    : `kubernetes-models/${o.apiVersion}/${o.kind}`;
  try {
    const mod = await import(path);
    new mod[o.kind](o).validate();
    console.log(`ok   - schema: ${name} is valid (${o.apiVersion})`);
  } catch (e) {
    console.log(`FAIL - schema: ${name}: ${String(e.message).split("\n")[0]}`);
  }
}
EOF
    out=$(cd "$npmdir" && node validate.mjs "$tmp/objects.json" 2>&1)
    echo "$out"
    passed=$((passed + $(grep -c '^ok   - ' <<< "$out"))); failed=$((failed + $(grep -c '^FAIL - ' <<< "$out")))
else
    echo "skip - schema: kubernetes-models could not be installed from npm"
    skipped=$((skipped + 1))
fi

# the alerting rules operators load into Prometheus (docs/operating.md "Metrics"); promtool: Debian's prometheus
check "prometheus: deploy/prometheus/procsys-alerts.yaml passes promtool check rules" \
    promtool check rules "$here/deploy/prometheus/procsys-alerts.yaml"
check "prometheus: ProcsysPeerDown fires after a peer is down for 1 minute, not before (promtool test rules)" \
    bash -c "cd '$here/deploy/prometheus' && promtool test rules procsys-alerts.test.yaml"

echo "$passed passed, $failed failed${skipped:+, $skipped skipped}" | sed 's/, 0 skipped$//'
(( failed == 0 ))
