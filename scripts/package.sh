#!/usr/bin/env bash
# Builds the release artifacts of procsys into dist/ (as root, on Debian, after scripts/build.sh;
# it runs that first if procsys is not built):
#   dist/procsys-<version>-linux-x86_64.tar.gz  a jlink runtime with only the modules procsys
#       needs, the jars, bin/procsys (this repository's launcher, which runs the runtime beside it),
#       the man pages and the bash completion: unpack anywhere, no JDK needed on the host; with a
#       JDK 25+, lib/aot/, the AOT caches its runtime starts from (BENCHMARKS.md "CLI start-up").
#   dist/procsys_<version>_amd64.deb             the same under /usr/lib/procsys, /usr/bin/procsys,
#       systemd units (deploy/debian/), sample configuration, man pages, bash completion; the AOT
#       caches are made by its postinst (scripts/package-deb.sh, which also runs lintian).
# The man pages and the completion are generated from the picocli model (picocli-codegen's
# ManPageGenerator, picocli.AutoComplete); asciidoctor turns the pages into roff (installed from
# Debian if missing; without it the AsciiDoc source is shipped in doc/ instead).
# deploy/container/Containerfile builds an image on the tarball. scripts/test-deploy.sh tests all this.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
source scripts/find-jdk.sh

log() { echo "package: $*" >&2; }
fail() { echo "package: $*" >&2; exit 1; }

[[ -f procsys-fs/target/procsys-fs.jar && -d procsys-fs/target/lib ]] || scripts/build.sh
# strip (binutils), dpkg-shlibdeps (dpkg-dev), unzip and lintian: installed from Debian if missing
# (scripts/setup.sh lists them)
deb_tools_missing() { local t; for t in strip dpkg-shlibdeps unzip lintian; do command -v "$t" >/dev/null || return 0; done; return 1; }
if deb_tools_missing && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    log "installing lintian, binutils, dpkg-dev and unzip (Debian)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lintian binutils dpkg-dev unzip >/dev/null 2>&1 \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lintian binutils dpkg-dev unzip >/dev/null; }
fi
deb_tools_missing && fail "strip, dpkg-shlibdeps, unzip or lintian is missing: apt-get install -y lintian binutils dpkg-dev unzip"
procsys_find_jdk || fail "no JDK 22 or newer found; set JAVA_HOME"
jdk=$PROCSYS_JAVA_HOME
[[ -x "$jdk/bin/jlink" && -x "$jdk/bin/jdeps" ]] || fail "$jdk has no jlink/jdeps (a JRE?): point JAVA_HOME at a full JDK"
jdk_major=$(procsys_jdk_major "$jdk")

# 0.1.0-SNAPSHOT -> 0.1.0: the project's own version, the first <version> of the root pom
version=$(sed -n '0,/<version>/s:.*<version>\([^<]*\)</version>.*:\1:p' pom.xml)
version=${version%-SNAPSHOT}
[[ "$version" =~ ^[0-9][0-9A-Za-z.+~]*$ ]] || fail "cannot read the version from pom.xml (got '$version')"
arch=$(uname -m)
[[ "$arch" == x86_64 ]] || fail "only x86_64 releases are made (the native jars in lib/ are x86_64 ones)"

jar=procsys-fs/target/procsys-fs.jar
libs=procsys-fs/target/lib
work=target/package          # scratch space (ignored by git); dist/ gets the artifacts only
name=procsys-$version
rel=$work/$name
rm -rf "$work"
mkdir -p "$rel/bin" "$rel/lib" dist

# --- the runtime: the modules jdeps finds in the class files, less those only optional code
# names, plus those only reflection reaches (docs/packaging.md "The runtime's modules").
# Optional (named by class files procsys never runs; the IT suite passes with the launcher's JVMs
# limited to the runtime's modules: --limit-modules, docs/packaging.md):
#   java.desktop  jackson-databind's java.beans support (Java7SupportImpl, loaded by reflection and
#                 skipped when absent) and SnakeYAML's bean introspector (jackson-dataformat-yaml
#                 uses SnakeYAML's parser only); with it came AWT, fonts, sound and their libraries
#   java.sql      jackson-databind's (de)serializers for java.sql types, looked up by class name
#   java.xml      jackson-databind's DOM (de)serializers, whose classes it loads in a try/catch
#   java.naming   Netty's LdapName in a hostname-verification message (procsys verifies no host
#                 names: Tls sets no endpoint identification) and BouncyCastle's LDAP stores
#   jdk.jfr       Netty's allocator events, behind FlightRecorder.isAvailable() in a try/catch
# Reached by reflection only:
#   java.management  Netty reads -XX:MaxDirectMemorySize through ManagementFactory: without it, it
#                 takes the heap's ceiling as its direct-memory limit (an agent's 16 MB, not 64)
# Not needed: jdk.naming.dns (DnsPeers resolves with InetAddress), jdk.crypto.ec (empty since JDK
# 22), jdk.crypto.cryptoki (TLS is netty-tcnative's BoringSSL or the JDK's SunJSSE).
runtime_modules() {
    local found optional=" java.desktop java.sql java.xml java.naming jdk.jfr " m kept=(java.management)
    # every module a class names (--list-deps, not --print-module-deps: that one leaves out what
    # another module requires transitively, as java.sql did java.logging)
    found=$("$jdk/bin/jdeps" --list-deps --recursive --ignore-missing-deps --multi-release "$jdk_major" \
                -cp "$libs/*" "$jar" | awk '$1 ~ /^(java|jdk)\./ {sub("/.*", "", $1); print $1}') || return 1
    for m in $found; do [[ $optional == *" $m "* ]] || kept+=("$m"); done
    printf '%s\n' "${kept[@]}" | sort -u | paste -sd, -
}
log "finding the modules procsys needs (jdeps)"
modules=$(runtime_modules) || fail "jdeps failed"
log "jlink: $modules"
# Not compressed (no --compress; zip-0 still wraps each resource for a decompressor): the .deb's xz
# packs lib/modules (27 MB) into 5.5, where zip-6 left 12.7 MB that xz cannot pack further; and
# what the AOT caches lack loads without inflating.
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
    --generate-cds-archive --output "$rel/runtime"
# the class-data archive for heaps over 32 GB (no compressed oops) is never used with the
# launcher's heaps (at most 512 MB): 14 MB less
rm -f "$rel/runtime/lib/server/classes_nocoops.jsa"
# Launchers procsys never runs (jwebserver serves files over HTTP, keytool, jexec runs jars through
# binfmt_misc) and jrt-fs.jar (lets another JDK read this image); jspawnhelper stays: ProcessBuilder's.
rm -f "$rel/runtime/bin/jwebserver" "$rel/runtime/bin/keytool" "$rel/runtime/lib/jexec" "$rel/runtime/lib/jrt-fs.jar"
# Symbol tables out of the ELF files, as Debian strips its own (backtraces keep .dynsym's names);
# jlink writes its legal notices read-only
find "$rel/runtime" -type f -exec sh -c 'head -c 4 "$1" | grep -q "^.ELF"' _ {} \; -print0 \
    | xargs -0 strip --remove-section=.comment --remove-section=.note --strip-unneeded
chmod -R u+w,go-w "$rel/runtime/legal"
"$rel/runtime/bin/java" -Xshare:on -version >/dev/null 2>&1 || fail "the stripped runtime does not start with its CDS archive"

cp "$jar" "$libs"/*.jar "$rel/lib/"
cp procsys "$rel/bin/procsys"        # the one launcher: it finds ../runtime and ../lib by itself
cp procsys-fs/src/main/python/intercept-exec.py "$rel/lib/"  # exec's filter installer (the launcher runs it)
chmod 755 "$rel/bin/procsys"
cp README.md BENCHMARKS.md "$rel/"
cp -r docs "$rel/"   # the pages README links to
echo "$modules" > "$rel/runtime/procsys-modules"

# --- man pages and bash completion from the picocli model
picocli_version=$(ls "$libs" | sed -n 's/^picocli-\([0-9.]*\)\.jar$/\1/p')
[[ -n "$picocli_version" ]] || fail "no picocli jar in $libs"
codegen=$HOME/.m2/repository/info/picocli/picocli-codegen/$picocli_version/picocli-codegen-$picocli_version.jar
if [[ ! -f "$codegen" ]]; then
    log "fetching picocli-codegen $picocli_version from Maven Central"
    mvn -B -q dependency:copy -Dartifact="info.picocli:picocli-codegen:$picocli_version" \
        -DoutputDirectory="$work/codegen" >&2
    codegen=$work/codegen/picocli-codegen-$picocli_version.jar
fi
[[ -f "$codegen" ]] || fail "picocli-codegen $picocli_version could not be fetched"
app_cp="$jar:$libs/*:$codegen"
gen() { "$jdk/bin/java" --enable-native-access=ALL-UNNAMED -Dio.netty.leakDetection.level=disabled -cp "$app_cp" "$@"; }

mkdir -p "$work/adoc" "$rel/share/man/man1" "$rel/share/bash-completion/completions"
gen picocli.codegen.docgen.manpage.ManPageGenerator --exit -d "$work/adoc" io.procsys.cli.Main >&2
gen -Dpicocli.autocomplete.systemExitOnError=true -Dpicocli.autocomplete.systemExitOnSuccess=true \
    picocli.AutoComplete --force --name procsys --completionScript "$rel/share/bash-completion/completions/procsys" \
    io.procsys.cli.Main >&2
sed -i '1{/^#!/d}' "$rel/share/bash-completion/completions/procsys"  # sourced by bash-completion, not run
[[ -s "$work/adoc/procsys.adoc" ]] || fail "ManPageGenerator wrote no procsys.adoc"

if ! command -v asciidoctor >/dev/null && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    log "installing asciidoctor (Debian) to turn the man pages into roff"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq asciidoctor >/dev/null 2>&1 \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq asciidoctor >/dev/null; } \
        || log "asciidoctor could not be installed"
fi
if command -v asciidoctor >/dev/null; then
    asciidoctor --backend manpage --attribute "mansource=procsys $version" --attribute "manmanual=procsys manual" \
        --destination-dir "$rel/share/man/man1" "$work"/adoc/*.adoc
    gzip -9nf "$rel"/share/man/man1/*.1
else
    log "no asciidoctor: shipping the man pages as AsciiDoc in share/doc/procsys/man (not readable by man)"
    rmdir "$rel/share/man/man1" "$rel/share/man"
    mkdir -p "$rel/share/doc/procsys/man"
    cp "$work"/adoc/*.adoc "$rel/share/doc/procsys/man/"
fi

# --- check it runs on its own runtime: version, and an agent that warms up over mutual TLS
# (OpenSSL from netty-tcnative, then the JDK's own TLS), which loads every module TLS needs
log "checking the runtime: procsys --version, an agent with mutual TLS (OpenSSL and JDK TLS)"
env -u JAVA_HOME "$rel/bin/procsys" --version >&2
"$rel/bin/procsys" certs --out "$work/certs" check >/dev/null 2>&1
smoke_agent() {  # $1 = extra JVM options
    local out=$work/agent.log pid port
    port=$(( 20000 + RANDOM % 20000 ))
    PROCSYS_JAVA_OPTS="$1" "$rel/bin/procsys" agent --listen "127.0.0.1:$port" --name check \
        --certs-dir "$work/certs" --warmup 50 >"$out" 2>&1 &
    pid=$!
    for _ in $(seq 1 150); do
        grep -q 'exporting' "$out" && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
    grep -q 'mutual TLS' "$out" || { cat "$out" >&2; fail "the agent did not start on the jlink runtime (options: ${1:-none})"; }
}
smoke_agent ""
smoke_agent "-Dio.netty.handler.ssl.noOpenSsl=true"
rm -rf "$work/certs" "$work/agent.log"

# --- the AOT caches (JDK 25+): made by the release's own runtime and class path, so that its
# bin/procsys starts from them (lib/aot/; scripts/train-aot.sh). The training runs `status`
# against a live mount of this host's /proc when FUSE is usable here.
if (( jdk_major >= 25 )); then
    log "training the AOT caches (lib/aot/) on the release's runtime"
    train_mount=$work/train-mount
    mkdir -p "$train_mount"
    mounted=()
    if [[ -e /dev/fuse ]] && PROCSYS_AOT=off "$rel/bin/procsys" mount "$train_mount" >/dev/null 2>&1; then
        mounted=("$train_mount")
    else
        log "no mount for the training (status is trained on its checks only)"
    fi
    scripts/train-aot.sh "$rel/bin/procsys" "$rel/lib/aot" "${mounted[@]}" \
        || log "a training failed: the release starts without that AOT cache"
    (( ${#mounted[@]} )) && { "$rel/bin/procsys" umount "$train_mount" >/dev/null 2>&1 || umount -l "$train_mount"; }
    rmdir "$train_mount" 2>/dev/null || true
    for cache in procsys version exec agent; do [[ -f "$rel/lib/aot/$cache.aot" ]] || fail "no AOT cache $cache.aot was made"; done
    # it must be the one the runtime uses: mapped, not refused
    env -u JAVA_HOME PROCSYS_JAVA_OPTS="-XX:AOTMode=on -Xlog:aot=info" "$rel/bin/procsys" --version 2>&1 \
        | grep -q 'Using AOT-linked classes' || fail "the release's runtime does not use lib/aot/version.aot"
else
    log "JDK $jdk_major: no AOT cache (JDK 25 or newer makes one)"
fi

tarball=dist/$name-linux-$arch.tar.gz
tar --owner=0 --group=0 --numeric-owner -C "$work" -czf "$tarball" "$name"
log "wrote $tarball ($(du -h "$tarball" | cut -f1))"

# --- the Debian package, checked by lintian (scripts/package-deb.sh)
debfile=dist/procsys_${version}_amd64.deb
scripts/package-deb.sh "$rel" "$version" "$debfile"
echo "$tarball"
echo "$debfile"
