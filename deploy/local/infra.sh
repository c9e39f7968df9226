#!/usr/bin/env bash
# Local infrastructure without Docker: a real Apache Kafka broker (KRaft, single node, jars from
# Maven Central) and FerretDB 1.x (MongoDB wire protocol on SQLite, built from the Go module proxy).
#
#   deploy/local/infra.sh provision | start [kafka] [ferretdb] | stop | status | helm
#
# Environment (defaults in brackets):
#   MSC_DATA_DIR [~/.local/share/msc]   documents, Kafka logs and offsets; logs in $MSC_DATA_DIR/logs
#   MSC_CACHE_DIR [~/.cache/msc]        downloaded jars, Go caches and the built FerretDB binary
#   MSC_KAFKA_PORT [9092]  MSC_MONGO_PORT [27017]  MSC_TOPIC_PARTITIONS [6]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DATA_DIR="${MSC_DATA_DIR:-$HOME/.local/share/msc}"
CACHE_DIR="${MSC_CACHE_DIR:-$HOME/.cache/msc}"
KAFKA_PORT="${MSC_KAFKA_PORT:-9092}"
CONTROLLER_PORT="${MSC_KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
MONGO_PORT="${MSC_MONGO_PORT:-27017}"
PARTITIONS="${MSC_TOPIC_PARTITIONS:-6}"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$HERE/kafka/pom.xml")"
FERRETDB_VERSION="$(grep -o "FerretDB/FerretDB v[0-9.]*" "$HERE/ferretdb/go.mod" | cut -d" " -f2)"
KAFKA_LIBS="$CACHE_DIR/kafka-$KAFKA_VERSION/libs"
FERRETDB_BIN="$CACHE_DIR/bin/msc-ferretdb-$FERRETDB_VERSION-$(cat "$HERE/ferretdb/main.go" "$HERE/ferretdb/go.mod" "$HERE/infra.sh" | sha256sum | cut -c1-12)"
LOG_DIR="$DATA_DIR/logs"
RUN_DIR="$DATA_DIR/run"

say() { printf '[infra] %s\n' "$*"; }
HELM_VERSION="v3.22.0"
HELM_BIN="$CACHE_DIR/bin/helm-$HELM_VERSION"
die() { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

need() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed. $2"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

provision_kafka() {
  if [[ -f "$KAFKA_LIBS/.complete" ]]; then return; fi
  need java "Install a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless)."
  need mvn "Install Maven (Debian: apt-get install maven)."
  say "provisioning Apache Kafka $KAFKA_VERSION from Maven Central into $KAFKA_LIBS ..."
  local t0=$SECONDS
  rm -rf "$KAFKA_LIBS" && mkdir -p "$KAFKA_LIBS"
  mvn -q -B -Dstyle.color=never -f "$HERE/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$KAFKA_LIBS" -DincludeScope=runtime \
    || die "Maven could not fetch Kafka; check access to Maven Central and rerun."
  touch "$KAFKA_LIBS/.complete"
  say "Kafka ready: $(ls "$KAFKA_LIBS" | wc -l) jars in $((SECONDS - t0)) s"
}

provision_ferretdb() {
  if [[ -x "$FERRETDB_BIN" ]]; then return; fi
  need go "Install Go 1.24+ (https://go.dev/doc/install) and rerun."
  say "building FerretDB $FERRETDB_VERSION (embedded, SQLite) with Go; the first build takes about 2 minutes ..."
  local t0=$SECONDS build="$CACHE_DIR/ferretdb-build"
  export GOPATH="$CACHE_DIR/gopath" GOMODCACHE="$CACHE_DIR/gopath/pkg/mod" GOCACHE="$CACHE_DIR/gocache" GOFLAGS=-mod=mod
  rm -rf "$build" && mkdir -p "$build/main" "$CACHE_DIR/bin"
  local src
  src="$(cd "$HERE/ferretdb" && go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')" \
    || die "could not download FerretDB from the Go module proxy; check network access and rerun."
  # FerretDB 1.x looks documents up by _id with the SQLite expression ->'$._id' while its
  # unique _id index is on ->"_id": SQLite never matches the two, so every lookup by _id
  # scans the whole table. One line makes the query use the index (see README).
  cp -r "$src" "$build/ferretdb" && chmod -R u+w "$build/ferretdb"
  sed -i "s|IDColumn = DefaultColumn + \"->'\$._id'\"|IDColumn = DefaultColumn + \"->\\\\\"_id\\\\\"\"|" \
    "$build/ferretdb/internal/backends/sqlite/metadata/metadata.go"
  grep -q 'IDColumn = DefaultColumn + "->\\"_id\\""' "$build/ferretdb/internal/backends/sqlite/metadata/metadata.go" \
    || die "could not apply the _id index fix to FerretDB $FERRETDB_VERSION"
  cp "$HERE/ferretdb/main.go" "$HERE/ferretdb/go.mod" "$HERE/ferretdb/go.sum" "$build/main/"
  (cd "$build/main" && go mod edit -replace "github.com/FerretDB/FerretDB=$build/ferretdb" \
    && go build -o "$FERRETDB_BIN.tmp" .) \
    || die "the FerretDB build failed (see above); check access to the Go module proxy and rerun."
  mv "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
  say "FerretDB built in $((SECONDS - t0)) s: $FERRETDB_BIN"
}

wait_port() { # name port pidfile seconds logfile
  local deadline=$((SECONDS + $4))
  until port_open "$2"; do
    pid_alive "$3" || die "$1 exited during start-up; see $5"
    ((SECONDS < deadline)) || die "$1 did not open port $2 within $4 s; see $5"
    sleep 0.3
  done
}

start_ferretdb() {
  local pidfile="$RUN_DIR/ferretdb.pid"
  if pid_alive "$pidfile"; then say "FerretDB already running (pid $(cat "$pidfile"))"; return; fi
  port_open "$MONGO_PORT" && die "port $MONGO_PORT is taken by another process; stop it or set MSC_MONGO_PORT"
  mkdir -p "$DATA_DIR/ferretdb"
  setsid "$FERRETDB_BIN" --data-dir "$DATA_DIR/ferretdb" --listen-addr "127.0.0.1:$MONGO_PORT" \
    >>"$LOG_DIR/ferretdb.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  wait_port FerretDB "$MONGO_PORT" "$pidfile" 30 "$LOG_DIR/ferretdb.log"
  say "FerretDB listening on 127.0.0.1:$MONGO_PORT (pid $(cat "$pidfile"))"
}

start_kafka() {
  local pidfile="$RUN_DIR/kafka.pid" conf="$DATA_DIR/kafka/server.properties"
  if pid_alive "$pidfile"; then say "Kafka already running (pid $(cat "$pidfile"))"; return; fi
  port_open "$KAFKA_PORT" && die "port $KAFKA_PORT is taken by another process; stop it or set MSC_KAFKA_PORT"
  mkdir -p "$DATA_DIR/kafka/logs"
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" \
    -e "s|@KAFKA_DATA@|$DATA_DIR/kafka/logs|g" -e "s|@PARTITIONS@|$PARTITIONS|g" \
    "$HERE/kafka/server.properties.template" >"$conf"
  export KAFKA_LOG_DIR="$LOG_DIR"
  local java_opts=(-Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$HERE/kafka/log4j2.properties")
  if [[ ! -f "$DATA_DIR/kafka/logs/meta.properties" ]]; then
    local cluster_id
    cluster_id="$(java -cp "$KAFKA_LIBS/*" "${java_opts[@]}" kafka.tools.StorageTool random-uuid)"
    java -cp "$KAFKA_LIBS/*" "${java_opts[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$conf" \
      >>"$LOG_DIR/kafka-format.log" 2>&1 || die "formatting Kafka storage failed; see $LOG_DIR/kafka-format.log"
  fi
  setsid java "${java_opts[@]}" -cp "$KAFKA_LIBS/*" kafka.Kafka "$conf" \
    >>"$LOG_DIR/kafka.out" 2>&1 </dev/null &
  echo $! >"$pidfile"
  wait_port Kafka "$KAFKA_PORT" "$pidfile" 90 "$LOG_DIR/kafka.log"
  say "Kafka $KAFKA_VERSION listening on 127.0.0.1:$KAFKA_PORT (pid $(cat "$pidfile"))"
}

create_topics() {
  KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT" MSC_TOPIC_PARTITIONS="$PARTITIONS" \
    "${MSC_PYTHON:-$ROOT/.venv/bin/python}" -m msc_platform.topics
}

stop_one() { # name pidfile
  local pidfile="$2"
  if ! pid_alive "$pidfile"; then rm -f "$pidfile"; return; fi
  local pid; pid="$(cat "$pidfile")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    say "$1 did not stop within 20 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  say "$1 stopped"
}

provision_helm() { # Helm, built with Go from the module proxy like FerretDB; prints its path
  if [[ -x "$HELM_BIN" ]]; then echo "$HELM_BIN"; return; fi
  command -v go >/dev/null 2>&1 || die "Go is needed to build Helm: https://go.dev/doc/install"
  say "building Helm $HELM_VERSION with Go; the first build takes a few minutes ..." >&2
  local t0=$SECONDS
  export GOPATH="$CACHE_DIR/gopath" GOMODCACHE="$CACHE_DIR/gopath/pkg/mod" GOCACHE="$CACHE_DIR/gocache"
  mkdir -p "$CACHE_DIR/bin"
  GOBIN="$CACHE_DIR/bin/helm-build" go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2 \
    || die "building Helm $HELM_VERSION failed; see the output above"
  mv "$CACHE_DIR/bin/helm-build/helm" "$HELM_BIN"
  say "Helm built in $((SECONDS - t0)) s: $HELM_BIN" >&2
  echo "$HELM_BIN"
}

cmd="${1:-}"
mkdir -p "$LOG_DIR" "$RUN_DIR"
case "$cmd" in
  provision)
    provision_kafka
    provision_ferretdb
    ;;
  start)
    t0=$SECONDS
    shift
    parts="${*:-kafka ferretdb}"
    if [[ " $parts " == *" ferretdb "* ]]; then provision_ferretdb; start_ferretdb; fi
    if [[ " $parts " == *" kafka "* ]]; then provision_kafka; start_kafka; create_topics; fi
    say "infrastructure ready in $((SECONDS - t0)) s: data in $DATA_DIR, logs in $LOG_DIR"
    ;;
  stop)
    stop_one Kafka "$RUN_DIR/kafka.pid"
    stop_one FerretDB "$RUN_DIR/ferretdb.pid"
    ;;
  helm)
    provision_helm
    ;;
  status)
    pid_alive "$RUN_DIR/kafka.pid" && say "Kafka running (pid $(cat "$RUN_DIR/kafka.pid"))" || say "Kafka stopped"
    pid_alive "$RUN_DIR/ferretdb.pid" && say "FerretDB running (pid $(cat "$RUN_DIR/ferretdb.pid"))" || say "FerretDB stopped"
    ;;
  *)
    echo "usage: $0 provision|start|stop|status|helm" >&2
    exit 2
    ;;
esac
