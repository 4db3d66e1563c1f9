#!/usr/bin/env bash
# Builds the hub's Debian package: gridpatrol-hub (release, symbols stripped) with its systemd unit,
# its settings file and the scripts that make its system user. Only dpkg-deb, no other packaging tool.
#
#   bash scripts/package_hub.sh [--out DIR]      # default DIR: target/deb
#
# GRIDPATROL_HUB_BIN=FILE packages that binary instead of building the release one (the layout test
# in tests/tests/production.rs passes the debug build, so the test never compiles a release).
# Prints the .deb's path on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

out="target/deb"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    *) echo "package_hub: unknown argument $1 (usage: package_hub.sh [--out DIR])" >&2; exit 2 ;;
  esac
done

command -v dpkg-deb >/dev/null || { echo "package_hub: dpkg-deb is missing (apt-get install dpkg)" >&2; exit 1; }

if [ -n "${GRIDPATROL_HUB_BIN:-}" ]; then
  bin="$GRIDPATROL_HUB_BIN"
else
  CARGO_PROFILE_RELEASE_STRIP=symbols cargo build --locked --release -p gridpatrol-hub --bin gridpatrol-hub >&2
  bin="$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/gridpatrol-hub"
fi
[ -x "$bin" ] || { echo "package_hub: $bin is not an executable" >&2; exit 1; }

version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)"
[ -n "$version" ] || { echo "package_hub: no version in Cargo.toml's [workspace.package]" >&2; exit 1; }
arch="$(dpkg --print-architecture)"
# The newest glibc symbol version the binary needs is the least libc6 it runs on (it links nothing
# else: SQLite is bundled, TLS is rustls).
glibc="$(grep -aoE 'GLIBC_2\.[0-9]+' "$bin" | sed 's/GLIBC_//' | sort -uV | tail -n 1)"
[ -n "$glibc" ] || { echo "package_hub: cannot tell which glibc $bin needs" >&2; exit 1; }

root="$(mktemp -d)"
chmod 0755 "$root"
trap 'rm -rf "$root"' EXIT
install -D -m 0755 "$bin" "$root/usr/bin/gridpatrol-hub"
install -D -m 0644 packaging/hub/gridpatrol-hub.service "$root/lib/systemd/system/gridpatrol-hub.service"
install -D -m 0644 packaging/hub/hub.env "$root/etc/gridpatrol-hub/hub.env"
install -D -m 0644 README.md "$root/usr/share/doc/gridpatrol-hub/README.md"
cat >"$root/usr/share/doc/gridpatrol-hub/copyright" <<'COPYRIGHT'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: gridpatrol
License: MIT OR Apache-2.0
COPYRIGHT
install -d -m 0755 "$root/DEBIAN"
for script in postinst prerm postrm; do
  install -m 0755 "packaging/hub/$script" "$root/DEBIAN/$script"
done
echo "/etc/gridpatrol-hub/hub.env" >"$root/DEBIAN/conffiles"
size_kib="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
cat >"$root/DEBIAN/control" <<CONTROL
Package: gridpatrol-hub
Version: $version
Architecture: $arch
Maintainer: Grid Patrol <gridpatrol@localhost>
Installed-Size: $size_kib
Depends: libc6 (>= $glibc), libssl3, passwd
Section: net
Priority: optional
Description: Grid Patrol hub (网格巡查中心端)
 The central endpoint of Grid Patrol, the offline-first app for city-management grid patrol
 officers: devices push their findings to it and pull everyone's within their grids. One binary
 with an embedded SQLite store, served as the systemd service gridpatrol-hub under its own user,
 its data in /var/lib/gridpatrol-hub.
CONTROL

mkdir -p "$out"
deb="$out/gridpatrol-hub_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >&2
echo "$deb"
