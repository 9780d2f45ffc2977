#!/usr/bin/env bash
# Runs a Consul dev agent (single in-memory server, UI on) on 127.0.0.1 in the FOREGROUND:
# the script execs consul, so its pid is the agent's.
#
#   compose/consul-run.sh [--http-port 8500] [--dns-port 8600] [--server-port 8300]
#                         [--serf-lan-port 8301] [--serf-wan-port 8302]
#                         [--grpc-port 8502] [--grpc-tls-port 8503] [--port-offset N]
#                         [--log-level warn] [--pid-file FILE] [-- extra consul agent args]
#
#   --port-offset N  adds N to every default port, so that a second agent can run beside the
#                    first one (e.g. --port-offset 1000 -> HTTP 9500, DNS 9600, server 9300 ...);
#                    explicit --*-port flags still win. A port of -1 disables that listener
#                    (HTTP, DNS, gRPC).
#   -- ARGS          passed to "consul agent" as they are, e.g. -- -hcl 'acl { enabled = true
#                    default_policy = "deny" tokens { initial_management = "root" } }'
#                    or -- -config-file /path/acl.hcl
#
# Environment: CONSUL_HTTP_PORT, CONSUL_DNS_PORT (defaults of the flags when there is no
# --port-offset), BOOKSHELF_CACHE.
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

usage() { print_usage "$0"; }

offset=0
http="" dns="" server="" serf_lan="" serf_wan="" grpc="" grpc_tls=""
log_level=warn
pid_file=""
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --http-port) http="$2"; shift 2 ;;
    --dns-port) dns="$2"; shift 2 ;;
    --server-port) server="$2"; shift 2 ;;
    --serf-lan-port) serf_lan="$2"; shift 2 ;;
    --serf-wan-port) serf_wan="$2"; shift 2 ;;
    --grpc-port) grpc="$2"; shift 2 ;;
    --grpc-tls-port) grpc_tls="$2"; shift 2 ;;
    --port-offset) offset="$2"; shift 2 ;;
    --log-level) log_level="$2"; shift 2 ;;
    --pid-file) pid_file="$2"; shift 2 ;;
    --*=*) set -- "${1%%=*}" "${1#*=}" "${@:2}" ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) usage; exit 0 ;;
    *) die "consul-run.sh: unknown argument '$1' (put consul's own flags after --; see --help)" ;;
  esac
done
[[ "$offset" =~ ^[0-9]+$ ]] || die "consul-run.sh: --port-offset must be a number, got '$offset'"
if [ "$offset" -eq 0 ]; then   # the environment only sets the ports of the default agent
  http="${http:-${CONSUL_HTTP_PORT:-8500}}"
  dns="${dns:-${CONSUL_DNS_PORT:-8600}}"
fi
http="${http:-$((8500 + offset))}"
dns="${dns:-$((8600 + offset))}"
server="${server:-$((8300 + offset))}"
serf_lan="${serf_lan:-$((8301 + offset))}"
serf_wan="${serf_wan:-$((8302 + offset))}"
grpc="${grpc:-$((8502 + offset))}"
grpc_tls="${grpc_tls:-$((8503 + offset))}"
for p in "$http" "$dns" "$server" "$serf_lan" "$serf_wan" "$grpc" "$grpc_tls"; do
  [[ "$p" =~ ^(-1|[0-9]+)$ ]] || die "consul-run.sh: ports must be numbers (or -1), got '$p'"
done

consul_installed || "$COMPOSE_DIR/install.sh" consul

[ -z "$pid_file" ] || echo "$$" >"$pid_file"
log "starting Consul $CONSUL_VERSION dev agent on 127.0.0.1 (HTTP $http, DNS $dns, server $server, serf $serf_lan/$serf_wan, gRPC $grpc/$grpc_tls)"
exec "$CONSUL_BIN" agent -dev \
  -client 127.0.0.1 -bind 127.0.0.1 -advertise 127.0.0.1 \
  -http-port "$http" -dns-port "$dns" -server-port "$server" \
  -serf-lan-port "$serf_lan" -serf-wan-port "$serf_wan" \
  -grpc-port "$grpc" -grpc-tls-port "$grpc_tls" \
  -log-level "$log_level" \
  "${extra[@]}"
