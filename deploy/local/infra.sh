#!/usr/bin/env bash
# Local infrastructure without Docker: a real Apache Kafka broker (KRaft, single node, jars from
# Maven Central), FerretDB 1.x (MongoDB wire protocol on SQLite, built from the Go module proxy)
# and Keycloak (the OpenID provider, its distribution from Maven Central) with the demo realms
# of deploy/local/keycloak/.
#
#   deploy/local/infra.sh provision | start [kafka] [ferretdb] [keycloak] | stop | status | helm
#
# Environment (defaults in brackets):
#   MSC_DATA_DIR [~/.local/share/msc]   documents, Kafka logs and offsets, Keycloak's database and
#                                       secrets (keycloak/); logs in $MSC_DATA_DIR/logs
#   MSC_CACHE_DIR [~/.cache/msc]        downloaded jars, Go caches, the built FerretDB binary, Keycloak
#   MSC_KAFKA_PORT [9092]  MSC_MONGO_PORT [27017]  MSC_KEYCLOAK_PORT [8180]  MSC_TOPIC_PARTITIONS [6]
# Keycloak's secrets, each the caller's when set, else kept from an earlier start, else made up
# (all kept in $MSC_DATA_DIR/keycloak/secrets.env): KC_BOOTSTRAP_ADMIN_USERNAME [kc-admin] and
# KC_BOOTSTRAP_ADMIN_PASSWORD (the admin console's), OIDC_CLIENT_SECRET (msc-portal's).
# MSC_DEMO_CUSTOMER_ID [unassigned]: the customer_id of the demo user `customer`.
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
KEYCLOAK_VERSION="26.5.6"
KEYCLOAK_PORT="${MSC_KEYCLOAK_PORT:-8180}"
KEYCLOAK_DIST="$CACHE_DIR/keycloak-$KEYCLOAK_VERSION"
KEYCLOAK_HOME="$DATA_DIR/keycloak"
LOG_DIR="$DATA_DIR/logs"
RUN_DIR="$DATA_DIR/run"
PYTHON="${MSC_PYTHON:-$ROOT/.venv/bin/python}"

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

keycloak_java_home() { # the newest Java under /usr/lib/jvm (Keycloak documents 21+), else the one on PATH
  local dir major best="" best_major=0
  for dir in /usr/lib/jvm/*/; do
    [[ -x "$dir/bin/java" && -f "$dir/release" ]] || continue
    major="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$dir/release")"
    if ((${major:-0} > best_major)); then best="${dir%/}" best_major=$major; fi
  done
  if [[ -z "$best" ]]; then
    local java
    java="$(command -v java)" || die "Keycloak needs Java 17+ (21+ preferred). Install one (Debian: apt-get install openjdk-17-jre-headless) and rerun."
    best="$(dirname "$(dirname "$(readlink -f "$java")")")"
  fi
  echo "$best"
}

provision_keycloak() { # the distribution unzipped, its server image built once so that each start is --optimized
  if [[ -f "$KEYCLOAK_DIST/.complete" ]]; then return; fi
  need mvn "Install Maven (Debian: apt-get install maven)."
  local java_home t0=$SECONDS download="$CACHE_DIR/keycloak-download" log="$LOG_DIR/keycloak-provision.log"
  java_home="$(keycloak_java_home)"
  say "provisioning Keycloak $KEYCLOAK_VERSION from Maven Central into $KEYCLOAK_DIST (a 165 MB download) ..."
  rm -rf "$KEYCLOAK_DIST" "$download" && mkdir -p "$download"
  (cd "$download" && mvn -q -B -Dstyle.color=never dependency:copy \
    -Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip" -DoutputDirectory="$download") \
    >>"$log" 2>&1 || die "Maven could not fetch Keycloak (see $log); check access to Maven Central and rerun."
  "$PYTHON" -m zipfile -e "$download/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip" "$download" >>"$log" 2>&1 \
    || die "could not unzip Keycloak into $download; see $log"
  mv "$download/keycloak-$KEYCLOAK_VERSION" "$KEYCLOAK_DIST" && rm -rf "$download"
  chmod +x "$KEYCLOAK_DIST"/bin/*.sh
  # start-dev would build the server image again at every start, into this shared
  # directory; a production-mode start of an image built once writes nothing here.
  say "building Keycloak's server image (Java in $java_home) ..."
  JAVA_HOME="$java_home" "$KEYCLOAK_DIST/bin/kc.sh" build --db=dev-file >>"$log" 2>&1 \
    || die "building Keycloak's server image failed; see $log"
  touch "$KEYCLOAK_DIST/.complete"
  say "Keycloak ready in $((SECONDS - t0)) s: $KEYCLOAK_DIST"
}

kept_secret() { # name: its value in secrets.env from an earlier start, or nothing
  [[ -f "$KEYCLOAK_HOME/secrets.env" ]] && sed -n "s/^$1=//p" "$KEYCLOAK_HOME/secrets.env" || true
}

new_secret() { od -An -tx1 -N24 /dev/urandom | tr -d ' \n'; }

keycloak_secrets() { # secrets.env: the caller's values, else those of an earlier start, else new ones
  local user password client_secret
  user="${KC_BOOTSTRAP_ADMIN_USERNAME:-$(kept_secret KC_BOOTSTRAP_ADMIN_USERNAME)}"
  password="${KC_BOOTSTRAP_ADMIN_PASSWORD:-$(kept_secret KC_BOOTSTRAP_ADMIN_PASSWORD)}"
  client_secret="${OIDC_CLIENT_SECRET:-$(kept_secret OIDC_CLIENT_SECRET)}"
  (umask 077 && printf '%s\n' "KC_BOOTSTRAP_ADMIN_USERNAME=${user:-kc-admin}" \
    "KC_BOOTSTRAP_ADMIN_PASSWORD=${password:-$(new_secret)}" \
    "OIDC_CLIENT_SECRET=${client_secret:-$(new_secret)}" >"$KEYCLOAK_HOME/secrets.env")
}

keycloak_realms() { # data/import: the realm files; when they or their inputs change, a fresh database imports them
  local stamp="$KEYCLOAK_HOME/realm-inputs.sha256" inputs
  inputs="$( (cat "$HERE"/keycloak/*-realm.json "$KEYCLOAK_HOME/secrets.env"
    echo "$KEYCLOAK_VERSION ${MSC_DEMO_CUSTOMER_ID:-}") | sha256sum | cut -d" " -f1)"
  if [[ -d "$KEYCLOAK_HOME/data/h2" && "$(cat "$stamp" 2>/dev/null)" != "$inputs" ]]; then
    say "the demo realms or their secrets changed: Keycloak starts on a fresh database"
    rm -rf "$KEYCLOAK_HOME/data/h2"
  fi
  rm -rf "$KEYCLOAK_HOME/data/import" && mkdir -p "$KEYCLOAK_HOME/data/import"
  cp "$HERE"/keycloak/*-realm.json "$KEYCLOAK_HOME/data/import/"
  echo "$inputs" >"$stamp"
}

http_ok() { # port path: true when GET answers 200
  local status
  status="$( (exec 3<>"/dev/tcp/127.0.0.1/$1" \
    && printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1:%s\r\n\r\n' "$2" "$1" >&3 \
    && read -r -t 5 _ code _ <&3 && echo "$code") 2>/dev/null)" || return 1
  [[ "$status" == 200 ]]
}

start_keycloak() {
  local pidfile="$RUN_DIR/keycloak.pid" log="$LOG_DIR/keycloak.log" java_home
  local discovery="/realms/msc/.well-known/openid-configuration"
  if pid_alive "$pidfile"; then say "Keycloak already running (pid $(cat "$pidfile"))"; return; fi
  port_open "$KEYCLOAK_PORT" && die "port $KEYCLOAK_PORT is taken by another process; stop it or set MSC_KEYCLOAK_PORT"
  java_home="$(keycloak_java_home)"
  # A home of its own (kc.home.dir) keeps the database and the imports in the data directory;
  # the server image stays in the cache, shared.
  mkdir -p "$KEYCLOAK_HOME/data" "$KEYCLOAK_HOME/providers" "$KEYCLOAK_HOME/themes"
  ln -sfn "$KEYCLOAK_DIST/lib" "$KEYCLOAK_HOME/lib"
  keycloak_secrets
  keycloak_realms
  say "starting Keycloak $KEYCLOAK_VERSION on 127.0.0.1:$KEYCLOAK_PORT (Java in $java_home) ..."
  (while IFS='=' read -r name value; do export "$name=$value"; done <"$KEYCLOAK_HOME/secrets.env"
    export JAVA_HOME="$java_home" MSC_DEMO_CUSTOMER_ID="${MSC_DEMO_CUSTOMER_ID:-unassigned}"
    exec setsid "$KEYCLOAK_DIST/bin/kc.sh" "-Dkc.home.dir=$KEYCLOAK_HOME" start --optimized --cache=local \
      --http-enabled=true --http-host=127.0.0.1 --http-port="$KEYCLOAK_PORT" \
      --hostname="http://127.0.0.1:$KEYCLOAK_PORT" --import-realm) >>"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  local deadline=$((SECONDS + 180))
  until http_ok "$KEYCLOAK_PORT" "$discovery"; do
    pid_alive "$pidfile" || die "Keycloak exited during start-up; see $log"
    ((SECONDS < deadline)) || die "Keycloak's realm msc did not answer within 180 s; see $log"
    sleep 0.5
  done
  say "Keycloak listening on http://127.0.0.1:$KEYCLOAK_PORT (pid $(cat "$pidfile")): realms msc and other"
}

create_topics() {
  KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT" MSC_TOPIC_PARTITIONS="$PARTITIONS" \
    "$PYTHON" -m msc_platform.topics
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
    provision_keycloak
    ;;
  start)
    t0=$SECONDS
    shift
    parts="${*:-kafka ferretdb keycloak}"
    if [[ " $parts " == *" ferretdb "* ]]; then provision_ferretdb; start_ferretdb; fi
    if [[ " $parts " == *" kafka "* ]]; then provision_kafka; start_kafka; create_topics; fi
    if [[ " $parts " == *" keycloak "* ]]; then provision_keycloak; start_keycloak; fi
    say "infrastructure ready in $((SECONDS - t0)) s: data in $DATA_DIR, logs in $LOG_DIR"
    ;;
  stop)
    stop_one Kafka "$RUN_DIR/kafka.pid"
    stop_one FerretDB "$RUN_DIR/ferretdb.pid"
    stop_one Keycloak "$RUN_DIR/keycloak.pid"
    ;;
  helm)
    provision_helm
    ;;
  status)
    pid_alive "$RUN_DIR/kafka.pid" && say "Kafka running (pid $(cat "$RUN_DIR/kafka.pid"))" || say "Kafka stopped"
    pid_alive "$RUN_DIR/ferretdb.pid" && say "FerretDB running (pid $(cat "$RUN_DIR/ferretdb.pid"))" || say "FerretDB stopped"
    pid_alive "$RUN_DIR/keycloak.pid" && say "Keycloak running (pid $(cat "$RUN_DIR/keycloak.pid"))" || say "Keycloak stopped"
    ;;
  *)
    echo "usage: $0 provision|start|stop|status|helm" >&2
    exit 2
    ;;
esac
