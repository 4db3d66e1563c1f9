#!/usr/bin/env bash
# Installs what Grid Patrol needs on a fresh Debian 12 machine, and nothing twice: safe to run again.
# Called by scripts/start.sh and scripts/test.sh (and so by .ci/run); you rarely run it by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages:
# - build-essential, pkg-config, libssl-dev: C compiler for the bundled SQLCipher (linked to the system
#   libcrypto: the device store's encryption) and -sys crates;
# - libwebkit2gtk-4.1-dev, libayatana-appindicator3-dev, librsvg2-dev, libxdo-dev: Tauri 2 on Linux;
# - xvfb, webkit2gtk-driver: the app's window in tests, driven over WebDriver (WebKitWebDriver);
# - fonts-noto-cjk: so Chinese renders; imagemagick: screenshots and test images; file: .deb bundling;
# - libdbus-1-dev: the keyring crate's Secret Service client (D-Bus); dbus, gnome-keyring: a real Secret
#   Service in a private session for the test that keeps the hub token in the OS keyring;
# - python3, python3-venv: a private virtualenv for schemathesis, the hub's contract test (scripts/contract.sh).
APT_PACKAGES=(build-essential pkg-config curl file libssl-dev libwebkit2gtk-4.1-dev libayatana-appindicator3-dev
  librsvg2-dev libxdo-dev xvfb webkit2gtk-driver fonts-noto-cjk imagemagick libdbus-1-dev dbus gnome-keyring
  python3 python3-venv)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

command -v cargo >/dev/null || { echo "setup: cargo (Rust stable) is required: https://rustup.rs" >&2; exit 1; }
command -v npm >/dev/null || { echo "setup: Node.js 20+ with npm is required" >&2; exit 1; }

# tauri-driver: the WebDriver bridge for the app's window tests.
if ! command -v tauri-driver >/dev/null && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver --locked --version 2.1.0 --quiet
fi

# The UI's npm packages (the Tauri CLI among them), exactly as locked.
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "setup: installing the UI's npm packages"
  npm --prefix ui ci --no-audit --no-fund --loglevel=error
fi

# schemathesis (PyPI), pinned, in its own virtualenv outside the repository: scripts/contract.sh runs it
# against a real hub. Reinstalled only when the pin changes.
SCHEMATHESIS_VERSION=4.32.5
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/gridpatrol/venv"
if [ "$("$VENV/bin/schemathesis" --version 2>/dev/null || true)" != "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
  echo "setup: installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
