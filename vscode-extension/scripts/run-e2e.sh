#!/usr/bin/env bash
# Runs the real-VS-Code e2e tests (after scripts/setup-e2e.sh). Usage: scripts/run-e2e.sh [all|web|code-server]
#   web:         UI scenario in VS Code for the Web + the extension-host suite in its web worker host
#   code-server: UI scenario in code-server (Node extension host, .vsix installed through its CLI)
# Screenshots, page dumps and the code-server log go to test-results/ (gitignored).
set -euo pipefail
EXT="$(cd "$(dirname "$0")/.." && pwd)"
WHAT="${1:-all}"
cd "$EXT"

# Everything the run writes outside the repo goes to throwaway dirs: chromium and code-server dot-dirs, and
# TMPDIR (VS Code servers leave sockets there), so parallel runs cannot collide.
SCRATCH="$(mktemp -d)"
export XDG_CONFIG_HOME="$SCRATCH/config" XDG_CACHE_HOME="$SCRATCH/cache" TMPDIR="$SCRATCH/tmp"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$TMPDIR"
trap 'rm -rf "$SCRATCH"' EXIT

rm -rf test-results && mkdir -p test-results
# the UI tests install the .vsix exactly as users get it
npm run --silent package > test-results/package.log 2>&1 || { cat test-results/package.log; exit 1; }

# --test-force-exit: a hung browser cannot hold the run; `timeout` bounds each harness as a last resort
T=(node --import tsx --test --test-force-exit --test-reporter=spec --test-timeout=900000)
rc=0
run() { local s=$SECONDS; timeout --kill-after=30 1200 "${T[@]}" "$@" || rc=1; echo "### $* took $((SECONDS - s)) s"; }
if [ "$WHAT" = all ] || [ "$WHAT" = web ]; then
  run test/e2e/web.test.mjs test/e2e/web-exthost.test.mjs test/e2e/replay-web.test.mjs
fi
if [ "$WHAT" = all ] || [ "$WHAT" = code-server ]; then
  run test/e2e/code-server.test.mjs test/e2e/replay-code-server.test.mjs
fi
ls test-results
exit $rc
