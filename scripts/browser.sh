#!/usr/bin/env bash
# Makes sure headless Chromium and ChromeDriver (Debian packages) are installed, and axe-core
# (npm registry, pinned and checked against its published integrity) is unpacked, for the
# consent page's browser and accessibility tests. Used by `make test`; a no-op when present.
set -euo pipefail
cd "$(dirname "$0")/.."

AXE_VERSION=4.14.1
AXE_INTEGRITY=sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==
AXE_DIR=target/tools/axe-core-$AXE_VERSION

if [ ! -s "$AXE_DIR/axe.min.js" ]; then
  mkdir -p "$AXE_DIR"
  tarball="$AXE_DIR/axe-core.tgz"
  curl -fsSL --retry 3 -o "$tarball" "https://registry.npmjs.org/axe-core/-/axe-core-$AXE_VERSION.tgz"
  actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  if [ "$actual" != "$AXE_INTEGRITY" ]; then
    echo "axe-core $AXE_VERSION: integrity mismatch ($actual)" >&2
    rm -f "$tarball"
    exit 1
  fi
  tar -xzf "$tarball" -C "$AXE_DIR" --strip-components=1 package/axe.min.js
  rm -f "$tarball"
fi

if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 || {
  $sudo apt-get update -q >/dev/null
  $sudo apt-get install -y -q chromium chromium-driver >/dev/null
}
command -v chromium >/dev/null && command -v chromedriver >/dev/null
