#!/usr/bin/env bash
# Makes sure headless Chromium and ChromeDriver (Debian packages) are installed, for the consent
# page's browser test. Used by `make test`; a no-op when both are present.
set -euo pipefail
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
