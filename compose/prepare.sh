#!/usr/bin/env bash
# What `npm test` and `npm start` need first, on a fresh clone or a warm one:
# the npm dependencies, the compiled code, and Kafka, Consul, kcat and dig installed in the cache.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bookshelf: installing npm dependencies" >&2
  npm install --no-audit --no-fund
fi
# A compile takes seconds of a restart: only when a source, a tsconfig or the lock file is newer than the last one.
stamp=dist/.compiled
if [ ! -f "$stamp" ] || [ -n "$(find bookshelf tsconfig.json tsconfig.build.json package-lock.json -newer "$stamp" \( -name '*.ts' -o -name '*.json' \) -print -quit)" ]; then
  echo "bookshelf: compiling" >&2
  # Stamped as the compile begins, so that a file saved during it is compiled next time.
  rm -f "$stamp"
  mkdir -p dist && touch "$stamp.next"
  node bookshelf/bin/build.js
  mv "$stamp.next" "$stamp"
elif [ ! -f dist/bundle/entries.cjs ] || [ dist/services/entries.js -nt dist/bundle/entries.cjs ]; then
  node bookshelf/bin/build.js --bundle-only
fi
bash compose/install.sh all
