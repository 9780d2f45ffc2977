#!/usr/bin/env bash
# `npm run bench`: the set-up `npm test` does (dependencies, compiled code, Kafka and Consul installed),
# Kafka and Consul reused or started, every figure measured, and whatever this script started stopped.
# Arguments go to the bench: --runs N, --events N, --only P1,P2.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash compose/prepare.sh
node node_modules/typescript/bin/tsc -p bench/tsconfig.json

# wrk loads the read path (P2): a load tool in C, so that the tool is not what limits the bare server.
if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "bookshelf bench: wrk is missing: install it (e.g. sudo apt-get install -y wrk)" >&2
    exit 1
  fi
  echo "bookshelf bench: installing wrk with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }
fi

up="$(bash compose/infra.sh up)"
echo "$up" >&2
started=()
while read -r name state _; do
  if [ "$state" = started ]; then started+=("$name"); fi
done <<<"$up"
stop_started() {
  if [ "${#started[@]}" -gt 0 ] && [ "${BOOKSHELF_KEEP_INFRA:-}" != 1 ]; then bash compose/infra.sh down "${started[@]}" >&2; fi
}
trap stop_started EXIT

node dist-bench/bench/run.js "$@"
