#!/usr/bin/env bash
# Makes the Debian package of a release scripts/package.sh assembled, then checks it with lintian:
#   scripts/package-deb.sh RELEASE_DIR VERSION OUTPUT.deb      (package.sh calls it)
# Files go where Debian puts them (docs/packaging.md):
#   /usr/lib/procsys/bin/procsys, lib/*.jar, runtime/   the launcher, the jars, the jlink runtime
#   /usr/bin/procsys -> ../lib/procsys/bin/procsys
#   /var/cache/procsys/aot/ (/usr/lib/procsys/lib/aot points there)  the AOT caches: postinst
#       makes them (deploy/debian/aot-caches) instead of shipping them, as README.Debian says why
#   /lib/systemd/system/, /etc (two conffiles), /usr/share/{man,bash-completion,doc,lintian}
# lintian fails it on any error or warning that deploy/debian/lintian-overrides (installed as
# /usr/share/lintian/overrides/procsys, one reason per override) does not cover.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
rel=$(cd "$1" && pwd) version=$2 debfile=$3

log() { echo "package-deb: $*" >&2; }
fail() { echo "package-deb: $*" >&2; exit 1; }

work=${rel%/*}
root=$work/deb
home=$root/usr/lib/procsys
doc=$root/usr/share/doc/procsys
rm -rf "$root"

# The Maintainer (control, changelog, copyright's Upstream-Contact): whoever publishes the package,
# named as Debian's tools take it (DEBFULLNAME, DEBEMAIL); by default the author of the commit built
maintainer="${DEBFULLNAME:-$(git log -1 --format=%an)} <${DEBEMAIL:-$(git log -1 --format=%ae)}>"
[[ "$maintainer" =~ ^[^\<]+\ \<[^@\ ]+@[^@\ ]+\.[^@\ ]+\>$ ]] \
    || fail "no maintainer's name and address ('$maintainer'): set DEBFULLNAME and DEBEMAIL"

changelog_version=$(sed -n '1s/^procsys (\([^)]*\)).*/\1/p' deploy/debian/changelog)
[[ "$changelog_version" == "$version" ]] \
    || fail "deploy/debian/changelog's latest entry is for ${changelog_version:-nothing}, not $version: add an entry for $version"

# --- the release under /usr/lib/procsys; the runtime's legal notices with the other documents
install_release() {
    mkdir -p "$home" "$root/usr/bin" "$doc"
    cp -a "$rel/bin" "$rel/lib" "$rel/runtime" "$home/"
    rm -rf "$home/lib/aot"
    mv "$home/runtime/legal" "$doc/runtime-legal"
    ln -s ../lib/procsys/bin/procsys "$root/usr/bin/procsys"
    if [[ -d "$rel/lib/aot" ]]; then  # the runtime makes AOT caches (JDK 25+): postinst makes them
        install -m 755 scripts/train-aot.sh "$home/bin/train-aot"
        install -m 755 deploy/debian/aot-caches "$home/bin/aot-caches"
        mkdir -p "$root/var/cache/procsys/aot"
        ln -s /var/cache/procsys/aot "$home/lib/aot"
    fi
}

with_maintainer() { sed "s|@MAINTAINER@|$maintainer|" "$1"; }

install_system_files() {
    mkdir -p "$root/lib/systemd/system" "$root/etc/procsys" "$root/etc/default" "$doc/examples" \
        "$root/usr/share/bash-completion/completions" "$root/usr/share/lintian/overrides"
    cp deploy/debian/procsys-agent.service deploy/debian/procsys-mount@.service "$root/lib/systemd/system/"
    cp deploy/debian/mount.yaml "$root/etc/procsys/mount.yaml"
    cp deploy/debian/procsys-agent.default "$root/etc/default/procsys-agent"
    cp "$rel/share/bash-completion/completions/procsys" "$root/usr/share/bash-completion/completions/"
    if [[ -d "$rel/share/man/man1" ]]; then
        mkdir -p "$root/usr/share/man/man1"
        cp "$rel"/share/man/man1/*.1.gz "$root/usr/share/man/man1/"
    else
        cp -a "$rel/share/doc/procsys/man" "$doc/"
    fi
    cp README.md deploy/debian/README.Debian "$doc/"
    cp -r "$rel/BENCHMARKS.md" "$rel/docs" "$doc/"   # the pages README.md links to, as in the tarball
    with_maintainer deploy/debian/copyright > "$doc/copyright"
    with_maintainer deploy/debian/changelog | gzip -9n > "$doc/changelog.gz"
    # the drop-in that goes with `procsys agent --allow-signals`: an example, never active by itself
    cp deploy/debian/procsys-agent-signals.conf "$doc/examples/"
    cp deploy/debian/lintian-overrides "$root/usr/share/lintian/overrides/procsys"
}

# The shared libraries the runtime's ELF files and the jars' native libraries need (libc6 with the
# symbol versions they use), as dpkg-shlibdeps computes them for any package.
shlibs_depends() {
    local dir=$work/shlibdeps elfs=()
    rm -rf "$dir"; mkdir -p "$dir/debian" "$dir/native"
    printf 'Source: procsys\n\nPackage: procsys\nArchitecture: amd64\n' > "$dir/debian/control"
    for jar in "$home"/lib/*.jar; do unzip -qo "$jar" 'META-INF/native/*.so' -d "$dir/native" 2>/dev/null || true; done
    mapfile -t elfs < <(find "$home/runtime" "$dir/native" -type f -exec sh -c 'head -c 4 "$1" | grep -q "^.ELF"' _ {} \; -print)
    (cd "$dir" && dpkg-shlibdeps -O --ignore-missing-info -l"$home/runtime/lib" -l"$home/runtime/lib/server" \
        "${elfs[@]/#/-e}" 2>"$dir/log") | sed -n 's/^shlibs:Depends=//p' | grep . \
        || { cat "$dir/log" >&2; return 1; }
}

# Modes as dpkg-deb would have them from debhelper: directories and programs 755, the rest 644
# (shared libraries included).
set_modes() {
    find "$root" -type d -exec chmod 755 {} +
    find "$root" -type f -exec chmod 644 {} +
    chmod 755 "$home"/bin/* "$home"/runtime/bin/* "$home/runtime/lib/jspawnhelper"
}

write_control() {
    local depends
    mkdir -p "$root/DEBIAN"
    for s in postinst prerm postrm; do install -m 755 "deploy/debian/$s" "$root/DEBIAN/$s"; done
    printf '/etc/procsys/mount.yaml\n/etc/default/procsys-agent\n' > "$root/DEBIAN/conffiles"
    depends=$(shlibs_depends) || fail "dpkg-shlibdeps found no dependencies"
    sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$(du -sk --exclude=DEBIAN "$root" | cut -f1)/" \
        -e "s/@SHLIBS_DEPENDS@/$depends/" -e "s|@MAINTAINER@|$maintainer|" deploy/debian/control > "$root/DEBIAN/control"
    (cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
    chmod 644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"
}

install_release
install_system_files
set_modes
write_control
mkdir -p "$(dirname "$debfile")"
dpkg-deb --root-owner-group -Zxz --build "$root" "$debfile" >&2
log "wrote $debfile ($(du -h "$debfile" | cut -f1); installed $(dpkg-deb -f "$debfile" Installed-Size) KiB)"

# --- lintian, as an archive would run it; infos are shown, errors and warnings fail
log "lintian $debfile"
lintian --info --display-info --pedantic --fail-on error,warning "$debfile" >&2 \
    || fail "lintian: an error or a warning that no override covers (deploy/debian/lintian-overrides)"
