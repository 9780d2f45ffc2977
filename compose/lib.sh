# shellcheck shell=bash disable=SC2034  # its variables are used by the scripts that source it
# Shared helpers for the compose/ scripts. Source it; do not run it.
#
#   COMPOSE_DIR      this directory
#   BOOKSHELF_CACHE  where installs and run state live (default ~/.cache/bookshelf)
#   KAFKA_HOME_DIR   $BOOKSHELF_CACHE/kafka-$KAFKA_VERSION   (libs/*.jar)
#   CONSUL_BIN       $BOOKSHELF_CACHE/consul-$CONSUL_VERSION/consul
#   SCHEMATHESIS_HOME_DIR $BOOKSHELF_CACHE/schemathesis-$SCHEMATHESIS_VERSION   (a venv: bin/schemathesis)
#   RUN_DIR          $BOOKSHELF_CACHE/run   (data dirs, logs and pid files of infra.sh)

COMPOSE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
. "$COMPOSE_DIR/versions.env"

BOOKSHELF_CACHE="${BOOKSHELF_CACHE:-${HOME:-/tmp}/.cache/bookshelf}"
KAFKA_HOME_DIR="$BOOKSHELF_CACHE/kafka-$KAFKA_VERSION"
CONSUL_BIN="$BOOKSHELF_CACHE/consul-$CONSUL_VERSION/consul"
SCHEMATHESIS_HOME_DIR="$BOOKSHELF_CACHE/schemathesis-$SCHEMATHESIS_VERSION"
RUN_DIR="$BOOKSHELF_CACHE/run"

log() { printf 'bookshelf: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# version_ge A B: true when dotted version A >= B.
version_ge() {
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

# Sets JAVA to a java binary of version >= JAVA_MIN, or dies with what to install.
need_java() {
  local hint="bookshelf: Java $JAVA_MIN+ is needed to run Kafka: apt-get install openjdk-$JAVA_MIN-jre-headless"
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    JAVA="$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    JAVA="$(command -v java)"
  else
    echo "$hint" >&2; exit 1
  fi
  # `java -version` starts a JVM (a third of a second, twice a start): a binary found right once is not asked again.
  local v real checked="$BOOKSHELF_CACHE/java-checked"
  real="$(readlink -f "$JAVA")"
  real="$real $(stat -c '%s-%Y' "$real" 2>/dev/null || echo none) $JAVA_MIN"
  [ "$(cat "$checked" 2>/dev/null)" != "$real" ] || return 0
  v="$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)"
  v="${v%%[-+]*}"
  case "$v" in 1.*) v="${v#1.}" ;; esac   # 1.8.0 -> 8.0
  if [ -z "$v" ] || ! version_ge "$v" "$JAVA_MIN"; then
    echo "bookshelf: Java $JAVA_MIN+ is needed to run Kafka (found ${v:-unknown} at $JAVA): apt-get install openjdk-$JAVA_MIN-jre-headless" >&2
    exit 1
  fi
  mkdir -p "$BOOKSHELF_CACHE" && printf '%s\n' "$real" >"$checked" 2>/dev/null || true
}

need_mvn() {
  command -v mvn >/dev/null 2>&1 ||
    { echo "bookshelf: Maven is needed to fetch the Kafka jars: apt-get install maven" >&2; exit 1; }
}

# Sets GO to a go binary of version >= CONSUL_GO_MIN, or dies with what to install.
need_go() {
  if command -v go >/dev/null 2>&1; then
    GO="$(command -v go)"
  elif [ -x /usr/local/go/bin/go ]; then
    GO=/usr/local/go/bin/go
  else
    echo "bookshelf: Go $CONSUL_GO_MIN+ is needed to build Consul: install it from https://go.dev/dl/ (or put it on PATH)" >&2
    exit 1
  fi
  local v
  v="$(GOTOOLCHAIN=local "$GO" env GOVERSION 2>/dev/null)"; v="${v#go}"
  if [ -z "$v" ] || ! version_ge "$v" "$CONSUL_GO_MIN"; then
    echo "bookshelf: Go $CONSUL_GO_MIN+ is needed to build Consul (found ${v:-unknown} at $GO): install a newer Go from https://go.dev/dl/" >&2
    exit 1
  fi
}

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() {
  # shellcheck disable=SC2016  # $1 and $2 belong to the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# Runs "$@" in a subshell holding an exclusive lock named $1 (no lock when flock is missing).
with_lock() {
  local name="$1"; shift
  mkdir -p "$BOOKSHELF_CACHE"
  if command -v flock >/dev/null 2>&1; then
    (
      flock 9
      "$@"
    ) 9>"$BOOKSHELF_CACHE/.$name.lock"
  else
    ( "$@" )
  fi
}

kafka_installed() { [ -f "$KAFKA_HOME_DIR/.installed" ]; }

# Path of the AppCDS archive (pre-parsed classes; halves the broker's start-up) for the JVM
# in $JAVA. An archive only fits the exact JVM build that wrote it, hence the key.
kafka_cds_archive() {
  local real lib key
  real="$(readlink -f "$JAVA")"
  lib="$(dirname "$real")/../lib/server/libjvm.so"
  key="$(printf '%s %s' "$real" "$(stat -c '%s-%Y' "$lib" 2>/dev/null || echo none)" | cksum | cut -d' ' -f1)"
  echo "$KAFKA_HOME_DIR/cds/jvm-$key.jsa"
}

# Quick start-up flags for a small development broker: serial GC, C1-only JIT and the
# class-data-sharing archive when there is one.
kafka_default_jvm_opts() {
  KAFKA_DEFAULT_JVM_OPTS=(-server -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true -Xshare:auto)
  local jsa
  jsa="$(kafka_cds_archive)"
  if [ -s "$jsa" ]; then
    KAFKA_DEFAULT_JVM_OPTS+=("-XX:SharedArchiveFile=$jsa" -Xlog:cds=off -Xlog:cds+dynamic=off)
  fi
}
consul_installed() { [ -x "$CONSUL_BIN" ]; }

# Prints the comment block at the top of script $1 (its usage text).
print_usage() {
  awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$1"
}
