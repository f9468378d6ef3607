# Sourced by the shell test scripts (test-systemd.sh, test-guests.sh): TAP-like checks, timed
# steps, polling, and the one summary line "N passed, M failed" test.sh reads. The caller sets
# `started=$SECONDS` and may define cleanup in an EXIT trap.
passed=0 failed=0
# tools print in the C locale whatever the machine's: ps's lstart (read back by date -d), decimal
# points, free's "Mem:" (docs/ci-machine.md)
export LC_ALL=C.UTF-8
ok() { echo "ok   - $*"; passed=$((passed + 1)); }
bad() { echo "FAIL - $*"; failed=$((failed + 1)); }
check() {  # $1 = what; the rest = a command that succeeds when it holds
    local what=$1; shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}
step() { echo "# [$((SECONDS - started))s] $*"; }
wait_for() {  # $1 = seconds, the rest = a command; polls every 0.2 s (status 99 ends the wait)
    local deadline=$((SECONDS + $1)) s; shift
    until "$@"; do s=$?; (( s != 99 && SECONDS < deadline )) || return 1; sleep 0.2; done
}
logged() {  # a command whose output is shown (its last lines) only if it fails
    local out s
    out=$("$@" 2>&1); s=$?
    (( s == 0 )) || tail -8 <<< "$out" | sed 's/^/#   /'
    return $s
}
finish() {
    step "done in $((SECONDS - started)) s"
    echo "$passed passed, $failed failed"
    (( failed == 0 ))
    exit
}
