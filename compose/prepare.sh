#!/usr/bin/env bash
# What `npm test` and `npm start` need first, on a fresh clone or a warm one:
# the npm dependencies, the compiled code, and Kafka, Consul, kcat and dig installed in the cache.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bookshelf: installing npm dependencies" >&2
  npm install --no-audit --no-fund
fi
echo "bookshelf: compiling" >&2
node node_modules/typescript/bin/tsc -p tsconfig.build.json
bash compose/install.sh all
