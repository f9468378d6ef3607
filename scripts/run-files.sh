# Sourced by the scripts that reach a mount's sockets or network pin: procsys_run_hash MOUNTPOINT
# sets procsys_hash, the name RunFiles gives that mount's files under /run/procsys
# (status-HASH.sock, control-HASH.sock, intercept-HASH.sock, netns/HASH). The launcher has the same
# function, word for word (LauncherExecTest).
procsys_run_hash() {  # FNV-1a 64 of $1 (plain ASCII) into procsys_hash, 16 hex digits: RunFiles.hash, with no process
    local s=$1 h=-3750763034362895579 i c
    for (( i = 0; i < ${#s}; i++ )); do
        printf -v c '%d' "'${s:i:1}"
        (( h = (h ^ c) * 1099511628211 ))
    done
    printf -v procsys_hash '%016x' "$h"
}
