#!/usr/bin/env bash
# The main job on a fresh machine: set up, build, mount this host's /proc through procsys at
# /tmp/procsys (or $1), and show real tools reading it. The mount stays for you to explore.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mnt=${1:-/tmp/procsys}
"$here/scripts/setup.sh"
mkdir -p "$mnt"
if grep -q " $mnt fuse.procsys " /proc/self/mounts; then "$here/procsys" umount "$mnt"; fi
"$here/procsys" mount "$mnt"
show() { echo; echo "\$ $*"; "$@"; }
show ls "$mnt"
show head -4 "$mnt/meminfo"
show readlink "$mnt/self"
show "$here/procsys" exec --mount "$mnt" -- ps -ef --forest
show "$here/procsys" exec --mount "$mnt" -- free -h
show "$here/procsys" exec --mount "$mnt" -- uptime
echo
echo "procsys is mounted on $mnt. Try: $here/procsys exec --mount $mnt -- top"
echo "Unmount with: $here/procsys umount $mnt"
