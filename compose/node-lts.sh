#!/usr/bin/env bash
# Prints the directory of a Node.js $NODE_LTS_MAJOR binary: the machine's own node when it is that major,
# else the npm registry's `node@$NODE_LTS_MAJOR` package installed into the cache (once).
#   PATH="$(bash compose/node-lts.sh):$PATH" npm run test:unit
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || true)" = "$NODE_LTS_MAJOR" ]; then
  dirname "$(command -v node)"
  exit 0
fi

prefix="$BOOKSHELF_CACHE/node-$NODE_LTS_MAJOR"
bin="$prefix/node_modules/.bin"
install_node() {
  if "$bin/node" --version >/dev/null 2>&1; then return; fi   # installed meanwhile by another run
  log "installing Node.js $NODE_LTS_MAJOR from the npm registry into $prefix"
  rm -rf "$prefix"
  # The package's install script fetches the binary for this platform: allowed by name (npm 11.16+ asks, 12 requires).
  mkdir -p "$prefix"
  printf '{ "private": true, "allowScripts": { "node": true } }\n' >"$prefix/package.json"
  npm install --no-audit --no-fund --no-save --prefix "$prefix" "node@$NODE_LTS_MAJOR" >&2
}
if ! "$bin/node" --version >/dev/null 2>&1; then with_lock "install-node-$NODE_LTS_MAJOR" install_node; fi
"$bin/node" --version >/dev/null 2>&1 || die "Node.js $NODE_LTS_MAJOR did not install into $prefix"
echo "$bin"
