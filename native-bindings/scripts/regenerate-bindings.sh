#!/usr/bin/env bash
# Regenerates native-bindings/src/main/java/io/procsys/fuse/bindings from libfuse3's
# fuse_lowlevel.h with jextract. The generated files are committed and never edited by hand.
#
# jextract is not on any package registry: put a jextract built for JDK 22+ on PATH or point
# $JEXTRACT at it. Needs libfuse3-dev (headers in /usr/include/fuse3).
# Known to give the committed output: openjdk/jextract 0b89a46 on JDK 25 with Debian's
# libclang-14 (later commits emit a JDK 23 API). Its runtime must find clang's headers as
# libclang's resource directory (<runtime>/lib/clang/14.0.6/include); with a copy in
# <runtime>/conf/jextract as well, <stdint.h> finds itself and uint64_t stays undefined.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
jextract=${JEXTRACT:-$(command -v jextract || true)}
if [[ -z "$jextract" || ! -x "$jextract" ]]; then
    echo "regenerate-bindings: no jextract on PATH and \$JEXTRACT unset" >&2
    exit 1
fi
[[ -f /usr/include/fuse3/fuse_lowlevel.h ]] || { echo "regenerate-bindings: install libfuse3-dev" >&2; exit 1; }

out="$here/src/main/java"
pkg=io.procsys.fuse.bindings
rm -rf "$out/io/procsys/fuse/bindings"

functions=(
    fuse_session_new fuse_session_mount fuse_session_unmount fuse_session_destroy
    fuse_session_exit fuse_session_exited fuse_session_loop_mt fuse_session_fd
    fuse_loop_cfg_create fuse_loop_cfg_destroy fuse_loop_cfg_set_max_threads
    fuse_loop_cfg_set_idle_threads fuse_loop_cfg_set_clone_fd
    fuse_reply_err fuse_reply_none fuse_reply_entry fuse_reply_attr fuse_reply_readlink
    fuse_reply_open fuse_reply_buf fuse_reply_statfs fuse_reply_poll
    fuse_lowlevel_notify_poll fuse_pollhandle_destroy
    fuse_add_direntry fuse_add_direntry_plus
    fuse_req_ctx fuse_req_userdata fuse_pkgversion
)
structs=(fuse_lowlevel_ops fuse_entry_param fuse_file_info fuse_ctx fuse_args fuse_conn_info stat statvfs timespec)
typedefs=(fuse_req_t fuse_ino_t)
constants=(FUSE_CAP_READDIRPLUS FUSE_CAP_READDIRPLUS_AUTO FUSE_CAP_ASYNC_READ FUSE_CAP_PARALLEL_DIROPS
    FUSE_CAP_CACHE_SYMLINKS FUSE_CAP_SPLICE_WRITE FUSE_CAP_SPLICE_MOVE FUSE_CAP_SPLICE_READ
    FUSE_CAP_AUTO_INVAL_DATA FUSE_CAP_ATOMIC_O_TRUNC FUSE_CAP_EXPORT_SUPPORT)

args=(--output "$out" --target-package "$pkg" --header-class-name fuse_lowlevel_h
      -I /usr/include/fuse3 -l :libfuse3.so.3)
for f in "${functions[@]}"; do args+=(--include-function "$f"); done
for s in "${structs[@]}";   do args+=(--include-struct "$s"); done
for t in "${typedefs[@]}";  do args+=(--include-typedef "$t"); done
for c in "${constants[@]}"; do args+=(--include-constant "$c"); done

echo "+ $jextract ${args[*]} $here/src/main/native/procsys_fuse.h"
"$jextract" "${args[@]}" "$here/src/main/native/procsys_fuse.h"
