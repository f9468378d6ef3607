#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test — unit tests, then
# integration tests that mount FUSE for real and run ps/top/free/netstat/... against the mount,
# then 5 s of fuzzing per Jazzer target (scripts/fuzz.sh), then the release artifacts
# (scripts/package.sh) and their tests (scripts/test-deploy.sh: no-JDK tarball, .deb, manifests;
# scripts/test-systemd.sh: the .deb's units under a booted systemd in a Debian 12 container;
# scripts/test-guests.sh: a cluster view over two QEMU guests of another kernel).
# Needs root (FUSE mounts, mount namespaces). Extra arguments go to Maven.
# First, the documentation's checks (scripts/check-links.py: every relative link and anchor resolves;
# benchmarks/check-table.py: BENCHMARKS.md's rows name scripts and commits that exist).
# Ends with one line: "N passed, M failed (unit U, integration I, fuzz targets F, deployment checks D,
# systemd checks S, guest checks G, docs checks C)".
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/scripts/setup.sh" --no-build
"$here/scripts/ci-machine.sh"  # what this machine gives the tests, one line each (docs/ci-machine.md)
source "$here/scripts/find-jdk.sh"
procsys_find_jdk
cd "$here"

# Sums one attribute of the <testsuite> elements of a report kind (surefire or failsafe).
report_sum() {  # $1 = surefire|failsafe, $2 = attribute
    local f total=0 v
    for f in */target/"$1"-reports/TEST-*.xml; do
        [[ -f "$f" ]] || continue
        v=$(grep -m1 -o "<testsuite [^>]*" "$f" | grep -o " $2=\"[0-9]*\"" | grep -o "[0-9]*" || echo 0)
        total=$((total + ${v:-0}))
    done
    echo "$total"
}
rm -rf ./*/target/surefire-reports ./*/target/failsafe-reports

# how long each phase took, said as it ends (CI's budget is ~20 minutes: see what to trim)
phase_start=$SECONDS
phase_done() { echo "test.sh: $1 took $((SECONDS - phase_start)) s" >&2; phase_start=$SECONDS; }
status=0
# the documentation: a broken link or a stale benchmark row fails CI, with one line per problem
docs_passed=0 docs_failed=0
for check in scripts/check-links.py benchmarks/check-table.py; do
    if python3 "$here/$check"; then docs_passed=$((docs_passed + 1)); else docs_failed=$((docs_failed + 1)); echo "test.sh: $check failed (the lines above say where)" >&2; fi
done
JAVA_HOME=$PROCSYS_JAVA_HOME mvn -B verify "$@" || status=$?
phase_done "build, unit and integration tests"
fuzz_passed=0 fuzz_failed=0 deploy_passed=0 deploy_failed=0 systemd_passed=0 systemd_failed=0 guest_passed=0 guest_failed=0
if (( status == 0 )); then
    # then a short fuzzing campaign (5 s per target: CI time) on what a hostile peer can reach
    fuzz_out=$("$here/scripts/fuzz.sh") || { status=1; fuzz_failed=1; }
    echo "$fuzz_out"
    fuzz_passed=$(grep -c '^fuzz: .*: ' <<< "$fuzz_out" || true)
    phase_done "fuzzing"
fi
if (( status == 0 )); then
    # then the release artifacts: build them, and test the tarball, the .deb and the manifests
    "$here/scripts/package.sh" || status=$?
    phase_done "packaging"
    if (( status == 0 )); then
        deploy_out=$("$here/scripts/test-deploy.sh") || status=1
        phase_done "deployment checks"
        echo "$deploy_out"
        read -r deploy_passed deploy_failed < <(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p' <<< "$deploy_out" | tail -1)
        deploy_passed=${deploy_passed:-0} deploy_failed=${deploy_failed:-1}
        # then the .deb's units under a real systemd (a booted Debian 12 container)
        systemd_out=$("$here/scripts/test-systemd.sh") || status=1
        phase_done "systemd checks"
        echo "$systemd_out"
        read -r systemd_passed systemd_failed < <(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p' <<< "$systemd_out" | tail -1)
        systemd_passed=${systemd_passed:-0} systemd_failed=${systemd_failed:-1}
        # then hosts of another kernel: two QEMU guests booted on Debian's cloud kernel
        guest_out=$("$here/scripts/test-guests.sh") || status=1
        phase_done "guest checks"
        echo "$guest_out"
        read -r guest_passed guest_failed < <(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p' <<< "$guest_out" | tail -1)
        guest_passed=${guest_passed:-0} guest_failed=${guest_failed:-1}
    fi
fi

failed=0 passed=0 unit=0 integration=0
for kind in surefire failsafe; do
    tests=$(report_sum $kind tests); skipped=$(report_sum $kind skipped)
    bad=$(( $(report_sum $kind failures) + $(report_sum $kind errors) ))
    ran=$((tests - skipped))
    failed=$((failed + bad)); passed=$((passed + ran - bad))
    [[ $kind == surefire ]] && unit=$ran || integration=$ran
done
# a Maven failure outside any test (compile error, crashed fork) still counts as a failure
if (( status != 0 && failed == 0 && fuzz_failed == 0 && deploy_failed == 0 && systemd_failed == 0 && guest_failed == 0 )); then failed=1; fi
(( docs_failed == 0 )) || status=1
echo "$((passed + fuzz_passed + deploy_passed + systemd_passed + guest_passed + docs_passed)) passed, $((failed + fuzz_failed + deploy_failed + systemd_failed + guest_failed + docs_failed)) failed (unit $unit, integration $integration, fuzz targets $fuzz_passed, deployment checks $deploy_passed, systemd checks $systemd_passed, guest checks $guest_passed, docs checks $docs_passed)"
exit $status
