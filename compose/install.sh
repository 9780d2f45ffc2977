#!/usr/bin/env bash
# Installs the native development infrastructure into $BOOKSHELF_CACHE (default ~/.cache/bookshelf).
#
#   compose/install.sh [kafka|consul|tools|all]...     (default: all)
#
# kafka   Kafka broker jars from Maven Central (compose/kafka/pom.xml) -> kafka-<ver>/libs
# consul  Consul built from source through the Go module proxy       -> consul-<ver>/consul
# tools   kcat, dig, promtool and chromium (apt-get, as root only)
# schemathesis  the API tester, from PyPI into a venv                  -> schemathesis-<ver>/bin/schemathesis
#
# Idempotent: whatever is already installed is left alone without any network access.
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

install_kafka() {
  need_java
  kafka_installed || install_kafka_jars
  [ -e "$(kafka_cds_archive)" ] || install_kafka_cds
}

install_kafka_jars() {
  need_mvn
  local dest="$KAFKA_HOME_DIR" tmp start
  start=$SECONDS
  mkdir -p "$BOOKSHELF_CACHE"
  tmp="$(mktemp -d "$BOOKSHELF_CACHE/.kafka-$KAFKA_VERSION.XXXXXX")"
  log "installing Kafka $KAFKA_VERSION broker jars from Maven Central into $dest"
  if ! mvn -B -q -Dstyle.color=never -f "$COMPOSE_DIR/kafka/pom.xml" \
      -Dkafka.version="$KAFKA_VERSION" \
      -Dkafka.scala.version="$KAFKA_SCALA_VERSION" \
      -Dlog4j.version="$KAFKA_LOG4J_VERSION" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp/libs" \
      >"$tmp/mvn.log" 2>&1; then
    tail -n 30 "$tmp/mvn.log" >&2
    rm -rf "$tmp"
    die "fetching the Kafka jars with Maven failed (see above)"
  fi
  rm -f "$tmp/mvn.log"
  # Sanity check: the broker and the storage tool both load and run from that class path.
  if ! "$JAVA" -cp "$tmp/libs/*" kafka.Kafka --version >/dev/null 2>&1 ||
     ! "$JAVA" -cp "$tmp/libs/*" kafka.tools.StorageTool version >/dev/null 2>&1; then
    rm -rf "$tmp"
    die "the Kafka jars do not run kafka.Kafka and kafka.tools.StorageTool; check compose/kafka/pom.xml"
  fi
  chmod 755 "$tmp"
  printf 'kafka %s (scala %s), log4j binding %s\n' "$KAFKA_VERSION" "$KAFKA_SCALA_VERSION" "$KAFKA_LOG4J_VERSION" >"$tmp/.installed"
  rm -rf "$dest"
  mv "$tmp" "$dest"
  log "Kafka $KAFKA_VERSION installed ($(find "$dest/libs" -name '*.jar' | wc -l) jars, $((SECONDS - start))s)"
}

# Trains a class-data-sharing archive for this JVM: starts a throw-away broker on free ports,
# stops it once started; the JVM writes the archive as it exits. Best effort: on failure an
# empty file records that this JVM runs without one.
install_kafka_cds() {
  local jsa tmp port cport pid i ok=
  jsa="$(kafka_cds_archive)"
  mkdir -p "$(dirname "$jsa")"
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/bookshelf-kafka-cds.XXXXXX")"
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT   # with_lock runs us in a subshell
  for i in 1 2 3 4 5 6 7 8 9 10; do
    port=$((20000 + RANDOM % 40000)); cport=$((port + 1))
    port_open 127.0.0.1 "$port" || port_open 127.0.0.1 "$cport" || break
  done
  log "preparing a class-data-sharing archive for quicker Kafka start-up (once per JVM, a few seconds)"
  KAFKA_JVM_OPTS="-server -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:ArchiveClassesAtExit=$tmp/kafka.jsa" \
    "$COMPOSE_DIR/kafka-run.sh" --port "$port" --controller-port "$cport" --data "$tmp/data" \
    --no-install >"$tmp/run.log" 2>&1 </dev/null &
  pid=$!
  for ((i = 0; i < 600; i++)); do
    if grep -q 'Kafka Server started' "$tmp/data/logs/server.log" 2>/dev/null; then ok=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ -n "$ok" ] && [ -s "$tmp/kafka.jsa" ]; then
    mv -f "$tmp/kafka.jsa" "$jsa"
    log "class-data-sharing archive written to $jsa"
  else
    : >"$jsa"
    log "could not prepare a class-data-sharing archive (Kafka starts a bit slower); see:"
    tail -n 5 "$tmp/run.log" >&2 || true
  fi
}

install_consul() {
  consul_installed && return 0
  need_go
  local dest work dir start mod
  dest="$(dirname "$CONSUL_BIN")"
  mod="github.com/hashicorp/consul@v$CONSUL_VERSION"
  start=$SECONDS
  mkdir -p "$BOOKSHELF_CACHE"
  work="$(mktemp -d "${TMPDIR:-/tmp}/bookshelf-consul.XXXXXX")"
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT   # with_lock runs us in a subshell
  export GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0

  log "building Consul $CONSUL_VERSION from source (first time only; takes several minutes)"
  log "downloading module $mod"
  dir="$(cd "$work" && "$GO" mod download -json "$mod" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  if [ -z "$dir" ] || [ ! -f "$dir/go.mod" ]; then
    die "could not download $mod through the Go module proxy"
  fi

  cp -R "$dir" "$work/src"
  chmod -R u+w "$work/src"
  # Consul's go.mod replaces its sub-modules (api, sdk, ...) with local directories that the
  # module zip leaves out; drop those replaces so the required versions come from the proxy.
  local r
  awk '
      /^replace[[:space:]]*\(/ { inblock = 1; next }
      inblock && /^\)/ { inblock = 0; next }
      {
        line = $0; sub(/^replace[[:space:]]+/, "", line)
        if ((inblock || $1 == "replace") && line ~ /=>[[:space:]]*\.\.?\//) {
          split(line, f, /[[:space:]]+/); p = (f[1] == "" ? f[2] : f[1])
          if (p != "") print p
        }
      }' "$work/src/go.mod" >"$work/local-replaces"
  while read -r r; do
    (cd "$work/src" && "$GO" mod edit -dropreplace="$r")
  done <"$work/local-replaces"

  log "compiling Consul $CONSUL_VERSION (go build; progress is quiet)"
  if ! (cd "$work/src" && "$GO" build -trimpath -ldflags "-s -w" -o "$work/consul" . >&2); then
    die "building Consul failed (see above)"
  fi
  mkdir -p "$dest"
  mv -f "$work/consul" "$CONSUL_BIN.tmp"
  mv -f "$CONSUL_BIN.tmp" "$CONSUL_BIN"
  log "Consul $CONSUL_VERSION installed at $CONSUL_BIN ($((SECONDS - start))s)"
}

install_tools() {
  local missing=() have_apt=
  command -v kcat >/dev/null 2>&1 || missing+=(kcat)
  command -v dig >/dev/null 2>&1 || missing+=(bind9-dnsutils)
  command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)   # the browser tests drive the system's browser
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 && have_apt=1
  if [ "$(id -u)" -ne 0 ] || [ -z "$have_apt" ]; then
    log "missing ${missing[*]}: install them (e.g. sudo apt-get install -y ${missing[*]}); kcat checks Kafka, dig checks Consul DNS"
    return 0
  fi
  log "installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  local out
  out="$(mktemp)"
  if ! apt-get install -y -q "${missing[@]}" >"$out" 2>&1; then
    log "apt-get install failed; running apt-get update and trying again"
    if ! { apt-get update -q && apt-get install -y -q "${missing[@]}"; } >"$out" 2>&1; then
      tail -n 20 "$out" >&2; rm -f "$out"
      die "apt-get install ${missing[*]} failed"
    fi
  fi
  rm -f "$out"
  log "installed ${missing[*]}"
}

# The API tester the integration tests run against /openapi.json; a venv of its own, so nothing else is touched.
install_schemathesis() {
  local dest python start
  dest="$SCHEMATHESIS_HOME_DIR"
  [ -f "$dest/.installed" ] && return 0
  python="$(command -v python3 || true)"
  if { [ -z "$python" ] || ! "$python" -c 'import venv, ensurepip' 2>/dev/null; } && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing python3-venv with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null 2>&1; } || true
    python="$(command -v python3 || true)"
  fi
  [ -n "$python" ] || die "python3 (with venv) is needed for the OpenAPI check: apt-get install python3-venv"
  start=$SECONDS
  log "installing Schemathesis $SCHEMATHESIS_VERSION from PyPI into $dest"
  rm -rf "$dest"
  # A venv keeps its own path in its scripts: made where it stays, and marked installed only once complete.
  if ! { "$python" -m venv "$dest" && "$dest/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"; } >"$dest.log" 2>&1; then
    tail -n 20 "$dest.log" >&2
    rm -rf "$dest" "$dest.log"
    die "installing Schemathesis failed (see above; python3-venv may be missing)"
  fi
  rm -f "$dest.log"
  echo "schemathesis $SCHEMATHESIS_VERSION" >"$dest/.installed"
  log "Schemathesis $SCHEMATHESIS_VERSION installed ($((SECONDS - start))s)"
}

main() {
  [ $# -eq 0 ] && set -- all
  local what
  for what in "$@"; do
    case "$what" in
      kafka) with_lock install-kafka install_kafka ;;
      consul) with_lock install-consul install_consul ;;
      tools) with_lock install-tools install_tools ;;
      schemathesis) with_lock install-schemathesis install_schemathesis ;;
      all)
        with_lock install-tools install_tools
        with_lock install-schemathesis install_schemathesis
        with_lock install-kafka install_kafka
        with_lock install-consul install_consul
        ;;
      -h|--help) print_usage "$0"; exit 0 ;;
      *) die "install.sh: unknown component '$what' (kafka, consul, tools or all)" ;;
    esac
  done
}

main "$@"
