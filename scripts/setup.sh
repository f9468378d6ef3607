#!/usr/bin/env bash
# Installs what procsys needs on a fresh Debian machine (as root) and builds it.
# Needs: libfuse3 + headers, fusermount3, Maven, gcc (bitfield test), procps, net-tools,
# util-linux (unshare, setpriv, lscpu), iproute2; the clients the tests run on the cluster view
# (sysstat, htop, tmux, prometheus-node-exporter, python3, curl), dnsmasq for the DNS discovery test,
# prometheus for promtool (MetricsIT checks /metrics and deploy/prometheus with it; on a host whose
# PID 1 is systemd the package also starts a Prometheus server: stop it if unwanted),
# systemd (systemd-analyze, for the .deb units), systemd-container (systemd-nspawn) and debootstrap
# (scripts/test-systemd.sh boots the units in a Debian 12 container); qemu-system-x86 and e2fsprogs
# (scripts/test-guests.sh boots two guests on Debian's cloud kernel); python3-seccomp
# (scripts/without-openat2: the export tests again where openat2 is filtered); python3-yaml
# (scripts/test-deploy.sh reads the Kubernetes manifests); lintian, binutils, dpkg-dev and unzip
# (scripts/package.sh strips the runtime, computes the .deb's Depends and checks it); docs/ci-machine.md says who needs what;
# and a JDK 22 or newer (found, not installed:
# Debian 12 ships none, so point JAVA_HOME at one if none is under /usr/lib/jvm).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/scripts/find-jdk.sh"

packages=(fuse3 libfuse3-dev maven gcc procps psmisc net-tools util-linux iproute2 sysstat htop tmux prometheus-node-exporter prometheus python3 curl dnsmasq-base systemd systemd-container debootstrap python3-seccomp python3-psutil python3-yaml busybox glances qemu-system-x86 e2fsprogs lintian binutils dpkg-dev unzip)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "setup: missing packages: ${missing[*]} (run as root, or: sudo apt-get install -y ${missing[*]})" >&2
        exit 1
    fi
    echo "setup: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! procsys_find_jdk; then
    echo "setup: no JDK 22 or newer found (\$JAVA_HOME, /usr/lib/jvm/*): install one and set JAVA_HOME" >&2
    exit 1
fi
export JAVA_HOME=$PROCSYS_JAVA_HOME
echo "setup: JDK $JAVA_HOME"
if [[ "${1:-}" != "--no-build" ]]; then
    "$here/scripts/build.sh"
fi
