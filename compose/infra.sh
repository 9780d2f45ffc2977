#!/usr/bin/env bash
# Bookshelf development infrastructure without Docker: Kafka (KRaft) and a Consul dev agent,
# run natively from $BOOKSHELF_CACHE (default ~/.cache/bookshelf).
#
#   compose/infra.sh up        install what is missing, then reuse or start Kafka and Consul
#                              and wait until both really answer; one stdout line per service:
#                              "kafka started 127.0.0.1:9092" / "consul reused 127.0.0.1:8500"
#   compose/infra.sh down      stop what "up" started (pid files); leaves others alone
#   compose/infra.sh status    one line per service; exit 0 when both answer, 3 otherwise
#   compose/infra.sh install   install Kafka, Consul, kcat and dig only
#   compose/infra.sh reset     down, then delete Kafka's data dir (topics and offsets)
#   compose/infra.sh logs      tail the logs of both services
#
# up, down, status and logs act on both services, or on those named after the command
# (e.g. "infra.sh down kafka").
#
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (KAFKA_PORT+1), CONSUL_HTTP_PORT (8500),
# CONSUL_DNS_PORT (8600), CONSUL_PORT_OFFSET (0; moves all Consul ports, see consul-run.sh),
# BOOKSHELF_UP_TIMEOUT (90 s), BOOKSHELF_CACHE, KAFKA_HEAP_OPTS. Use the same values for
# up, down and status. The pid and log files are per service, so one stack per cache.
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
CONSUL_PORT_OFFSET="${CONSUL_PORT_OFFSET:-0}"
CONSUL_HTTP_PORT="${CONSUL_HTTP_PORT:-$((8500 + CONSUL_PORT_OFFSET))}"
CONSUL_DNS_PORT="${CONSUL_DNS_PORT:-$((8600 + CONSUL_PORT_OFFSET))}"
UP_TIMEOUT="${BOOKSHELF_UP_TIMEOUT:-90}"
SERVICES=(kafka consul)

svc_port() { case "$1" in kafka) echo "$KAFKA_PORT" ;; consul) echo "$CONSUL_HTTP_PORT" ;; esac; }
svc_pid_file() { echo "$RUN_DIR/$1.pid"; }
svc_log() { echo "$RUN_DIR/$1.log"; }
kafka_data_dir() { echo "$RUN_DIR/kafka-$KAFKA_PORT"; }

# Prints the pid from the service's pid file when that process is alive and is ours;
# removes a stale pid file.
our_pid() {
  local name="$1" f pid cmd
  f="$(svc_pid_file "$name")"
  [ -f "$f" ] || return 1
  pid="$(cat "$f" 2>/dev/null || true)"
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
    cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
    case "$name:$cmd" in
      kafka:*kafka-run.sh*|kafka:*kafka.Kafka*|consul:*consul-run.sh*|consul:*consul\ agent*)
        if [ -n "${2:-}" ]; then   # check_ports: is it serving the ports of this invocation?
          case "$name:$cmd" in
            kafka:*"--port $KAFKA_PORT "*|kafka:*"/kafka-$KAFKA_PORT/server.properties "*) ;;
            consul:*"-http-port $CONSUL_HTTP_PORT "*) ;;
            *) die "infra.sh runs $name on other ports (pid $pid, $f): use the same port variables for up, down and status" ;;
          esac
        fi
        echo "$pid"; return 0 ;;
    esac
  fi
  rm -f "$f"
  return 1
}

# Dies when a pid file names a service of ours that runs on other ports than asked for now.
check_ports() {
  local name
  for name in "${SERVICES[@]}"; do our_pid "$name" check >/dev/null || true; done
}

kafka_ready() {
  port_open 127.0.0.1 "$KAFKA_PORT" || return 1
  if command -v kcat >/dev/null 2>&1; then
    # A metadata request that lists an (unfenced) broker: the broker serves clients.
    kcat -b "127.0.0.1:$KAFKA_PORT" -L -m 3 2>/dev/null | grep -q 'broker [0-9]* at'
  fi
}

consul_ready() {
  local leader
  if command -v curl >/dev/null 2>&1; then
    leader="$(curl -s -m 2 "http://127.0.0.1:$CONSUL_HTTP_PORT/v1/status/leader" 2>/dev/null || true)"
  else
    # shellcheck disable=SC2016  # $1 belongs to the inner bash
    leader="$(timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
      printf "GET /v1/status/leader HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3
      tail -n 1 <&3' _ "$CONSUL_HTTP_PORT" 2>/dev/null || true)"
  fi
  [[ "$leader" == \"?* ]] && [ "$leader" != '""' ]
}

svc_ready() { "$1_ready"; }

svc_start() {
  local name="$1" log pidf
  log="$(svc_log "$name")"
  pidf="$(svc_pid_file "$name")"
  mkdir -p "$RUN_DIR"
  : >"$log"
  case "$name" in
    kafka)
      setsid nohup "$COMPOSE_DIR/kafka-run.sh" --port "$KAFKA_PORT" --controller-port "$KAFKA_CONTROLLER_PORT" \
        --pid-file "$pidf" >>"$log" 2>&1 </dev/null &
      ;;
    consul)
      setsid nohup "$COMPOSE_DIR/consul-run.sh" --port-offset "$CONSUL_PORT_OFFSET" \
        --http-port "$CONSUL_HTTP_PORT" --dns-port "$CONSUL_DNS_PORT" --pid-file "$pidf" >>"$log" 2>&1 </dev/null &
      ;;
  esac
  echo "$!" >"$pidf"   # same pid: setsid does not fork here and both scripts exec
}

# Waits until the service answers; on failure prints the log tail and returns 1.
svc_wait() {
  local name="$1" pid="${2:-}" deadline=$((SECONDS + UP_TIMEOUT)) port
  port="$(svc_port "$name")"
  while ! svc_ready "$name"; do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      log "$name exited before answering on 127.0.0.1:$port; last lines of $(svc_log "$name"):"
      svc_log_tail "$name" >&2
      rm -f "$(svc_pid_file "$name")"
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      if [ -n "$pid" ]; then
        log "$name does not answer on 127.0.0.1:$port after ${UP_TIMEOUT}s; last lines of its logs:"
        svc_log_tail "$name" >&2
      fi
      return 1
    fi
    sleep 0.3
  done
}

# The last lines of the service's logs, without Java stack frames.
svc_log_tail() {
  local name="$1" f files
  files=("$(svc_log "$name")")
  [ "$name" != kafka ] || files+=("$(kafka_data_dir)/logs/server.log")
  for f in "${files[@]}"; do
    [ -f "$f" ] || continue
    echo "==> $f <=="
    grep -v -E $'^(\tat |\t\\.\\.\\. [0-9]+ more)' "$f" | tail -n 25
  done
}

cmd_up() {
  "$COMPOSE_DIR/install.sh" tools "${SERVICES[@]}"
  local name port pid
  declare -A state=() pids=()
  for name in "${SERVICES[@]}"; do
    port="$(svc_port "$name")"
    pid=""; pid="$(our_pid "$name")" || true
    if svc_ready "$name"; then
      state[$name]=reused; pids[$name]=$pid                # already answers (ours or not)
    elif [ -n "$pid" ]; then
      state[$name]=started; pids[$name]=$pid               # ours, still starting
    elif port_open 127.0.0.1 "$port"; then
      state[$name]=reused                                  # someone else's: wait for it below
    else
      if [ "$name" = kafka ] && port_open 127.0.0.1 "$KAFKA_CONTROLLER_PORT"; then
        die "cannot start kafka: its controller port 127.0.0.1:$KAFKA_CONTROLLER_PORT is taken (set KAFKA_CONTROLLER_PORT)"
      fi
      log "starting $name on 127.0.0.1:$port (log $(svc_log "$name"))"
      svc_start "$name"
      state[$name]=started; pids[$name]="$(cat "$(svc_pid_file "$name")")"
    fi
  done
  local failed=0
  for name in "${SERVICES[@]}"; do
    if svc_wait "$name" "${pids[$name]:-}"; then
      echo "$name ${state[$name]} 127.0.0.1:$(svc_port "$name")"
    else
      if [ "${state[$name]}" = reused ]; then
        log "127.0.0.1:$(svc_port "$name") is taken by something that is not a working $name"
      fi
      failed=1
    fi
  done
  return "$failed"
}

svc_stop() {
  local name="$1" pid grace i
  case "$name" in kafka) grace=20 ;; *) grace=10 ;; esac
  if ! pid="$(our_pid "$name")"; then
    if port_open 127.0.0.1 "$(svc_port "$name")"; then
      echo "$name left running 127.0.0.1:$(svc_port "$name") (not started by infra.sh)"
    else
      echo "$name not running"
    fi
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name (pid $pid) still running after ${grace}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$(svc_pid_file "$name")"
  echo "$name stopped (pid $pid)"
}

cmd_down() {
  local name
  for name in "${SERVICES[@]}"; do svc_stop "$name"; done
}

cmd_status() {
  local name port pid all=0
  for name in "${SERVICES[@]}"; do
    port="$(svc_port "$name")"
    pid=""; pid="$(our_pid "$name")" || true
    if svc_ready "$name"; then
      if [ -n "$pid" ]; then echo "$name up 127.0.0.1:$port pid $pid"
      else echo "$name up 127.0.0.1:$port (not started by infra.sh)"; fi
    elif [ -n "$pid" ]; then
      echo "$name starting 127.0.0.1:$port pid $pid"; all=3
    else
      echo "$name down 127.0.0.1:$port"; all=3
    fi
  done
  return "$all"
}

cmd_reset() {
  cmd_down
  if [ -d "$(kafka_data_dir)" ]; then
    rm -rf "$(kafka_data_dir)"
    echo "kafka data deleted $(kafka_data_dir)"
  fi
}

cmd_logs() {
  local name
  for name in "${SERVICES[@]}"; do svc_log_tail "$name"; done
}

cmd="${1:-}"
[ $# -eq 0 ] || shift
if [ $# -gt 0 ]; then   # up/down/status/logs may name the services to act on
  for name in "$@"; do
    case "$name" in kafka|consul) ;; *) die "infra.sh: unknown service '$name' (kafka or consul)" ;; esac
  done
  SERVICES=("$@")
fi
case "$cmd" in
  up|down|status|reset) check_ports ;;
esac
case "$cmd" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  install) "$COMPOSE_DIR/install.sh" all ;;
  reset) cmd_reset ;;
  logs) cmd_logs ;;
  -h|--help|help) print_usage "$0" ;;
  *) print_usage "$0" >&2; exit 2 ;;
esac
