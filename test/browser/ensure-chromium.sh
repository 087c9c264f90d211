#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when it is missing (CI runs on a clean machine, as root).
# Never downloads a browser build of its own: Debian's package only.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
