#!/usr/bin/env bash
# Installs what Grid Patrol needs on a fresh Debian 12 machine, and nothing twice: safe to run again.
# Called by scripts/start.sh and scripts/test.sh (and so by .ci/run); you rarely run it by hand.
set -euo pipefail

# System packages: a C compiler for the bundled SQLite and pkg-config for -sys crates.
APT_PACKAGES=(build-essential pkg-config)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

command -v cargo >/dev/null || { echo "setup: cargo (Rust stable) is required: https://rustup.rs" >&2; exit 1; }
