# shellcheck shell=bash disable=SC2034 # variables are used by the scripts that source this file
# Common settings and helpers for the Hookline dev/test infrastructure scripts.
# Sourced by install.sh, start.sh, stop.sh, reset.sh, kafka-tool.sh.

# ---- locations --------------------------------------------------------------
INFRA_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(dirname "$INFRA_DIR")
HOOKLINE_CACHE=${HOOKLINE_CACHE:-$HOME/.cache/hookline}
HOOKLINE_DATA=${HOOKLINE_DATA:-$REPO_ROOT/.hookline}

# ---- versions ---------------------------------------------------------------
KAFKA_VERSION=3.9.1
KAFKA_SCALA_VERSION=2.13
SLF4J_VERSION=1.7.36
APICURIO_VERSION=3.0.9 # newest Apicurio on Maven Central that runs on Java 17 (3.1+ needs Java 21)
FERRETDB_VERSION=v1.24.2

# ---- ports (non-standard defaults on purpose) -------------------------------
KAFKA_PORT=${KAFKA_PORT:-19092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-19093}
SCHEMA_REGISTRY_PORT=${SCHEMA_REGISTRY_PORT:-18081}
MONGO_PORT=${MONGO_PORT:-37017}

# ---- tunables ---------------------------------------------------------------
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}
REGISTRY_HEAP_OPTS=${REGISTRY_HEAP_OPTS:--Xms64m -Xmx512m}
KAFKA_JVM_OPTS=${KAFKA_JVM_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20}
# C1-only JIT + serial GC: the registry starts ~40% faster and sees little load
REGISTRY_JVM_OPTS=${REGISTRY_JVM_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}
START_TIMEOUT=${START_TIMEOUT:-90} # seconds, per component
STOP_TIMEOUT=${STOP_TIMEOUT:-30}   # seconds before SIGKILL

# ---- derived paths ----------------------------------------------------------
M2_REPO=$HOOKLINE_CACHE/m2
KAFKA_HOME=$HOOKLINE_CACHE/kafka-$KAFKA_VERSION
KAFKA_JARS=$KAFKA_HOME/jars
APICURIO_HOME=$HOOKLINE_CACHE/apicurio-registry-$APICURIO_VERSION
APICURIO_JAR=$APICURIO_HOME/apicurio-registry-app-$APICURIO_VERSION-runner.jar
# Built from source with our patch (infra/patches): the patch's name in the cache path rebuilds it when it changes.
FERRETDB_PATCH=$INFRA_DIR/patches/ferretdb-$FERRETDB_VERSION.patch
FERRETDB_HOME=$HOOKLINE_CACHE/ferretdb-$FERRETDB_VERSION-idx1
FERRETDB_BIN=$FERRETDB_HOME/ferretdb

PID_DIR=$HOOKLINE_DATA/pids
LOG_DIR=$HOOKLINE_DATA/logs
KAFKA_DATA=$HOOKLINE_DATA/kafka
MONGO_DATA=$HOOKLINE_DATA/mongo
REGISTRY_DATA=$HOOKLINE_DATA/registry

ALL_COMPONENTS=(kafka registry mongo)

KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
SCHEMA_REGISTRY_URL=http://127.0.0.1:$SCHEMA_REGISTRY_PORT/apis/ccompat/v7
MONGO_URL=mongodb://127.0.0.1:$MONGO_PORT/

# ---- helpers ----------------------------------------------------------------
log() { printf '[infra] %s\n' "$*" >&2; }
die() {
  printf '[infra] ERROR: %s\n' "$*" >&2
  exit 1
}

now() { date +%s; }

# Validate component names; with no names, print all of them.
components_from_args() {
  if [[ $# -eq 0 ]]; then
    printf '%s\n' "${ALL_COMPONENTS[@]}"
    return
  fi
  local c
  for c in "$@"; do
    case "$c" in
      kafka | registry | mongo) printf '%s\n' "$c" ;;
      *) die "unknown component '$c' (expected: ${ALL_COMPONENTS[*]})" ;;
    esac
  done
}

component_port() {
  case "$1" in
    kafka) echo "$KAFKA_PORT" ;;
    registry) echo "$SCHEMA_REGISTRY_PORT" ;;
    mongo) echo "$MONGO_PORT" ;;
  esac
}

pid_file() { echo "$PID_DIR/$1.pid"; }
log_file() { echo "$LOG_DIR/$1.log"; }

# True if something accepts TCP connections on 127.0.0.1:$1.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# True if pid $1 exists and is not a zombie (servers are detached, so after
# exiting they may linger as zombies until init reaps them).
pid_alive() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state=$(sed -n 's/^[0-9]* ([^)]*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

# Prints the pid of our running process for a component, or fails.
# The pid must be alive and its command line must mention $HOOKLINE_DATA
# (guards against pid reuse and against processes of other checkouts).
running_pid() {
  local pf pid
  pf=$(pid_file "$1")
  [[ -f $pf ]] || return 1
  pid=$(<"$pf")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  pid_alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$HOOKLINE_DATA" || return 1
  echo "$pid"
}

# Send raw bytes (printf format) to 127.0.0.1:$1 and print the first reply
# chunk as a lowercase hex string.
tcp_request_hex() {
  local port=$1 payload=$2
  (
    exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
    # shellcheck disable=SC2059 # payload is a printf escape string by design
    printf "$payload" >&3
    timeout 5 dd bs=4096 count=1 <&3 2>/dev/null | od -An -v -tx1 | tr -d ' \n'
  ) 2>/dev/null
}

# True when the broker's client listener asks for SASL (KAFKA_SASL_USERS at its start).
kafka_sasl_mode() {
  grep -q '^listeners=SASL_PLAINTEXT' "$KAFKA_DATA/server.properties" 2>/dev/null
}

# Kafka Metadata v1 request (all topics); ready when the broker lists itself. A SASL listener answers nothing
# before a login, so a SASL broker is ready when it logged that it started (the log is new at each launch).
kafka_ready() {
  local hex
  port_open "$KAFKA_PORT" || return 1
  if kafka_sasl_mode; then
    grep -q 'Kafka Server started' "$(log_file kafka)" 2>/dev/null
    return
  fi
  # size=16 | api_key=3 | api_version=1 | correlation_id=7 | client_id="hl" | topics=null
  hex=$(tcp_request_hex "$KAFKA_PORT" '\x00\x00\x00\x10\x00\x03\x00\x01\x00\x00\x00\x07\x00\x02hl\xff\xff\xff\xff') || return 1
  # after the 4-byte size: correlation_id=7, brokers.length>=1; first broker node_id=1
  [[ ${hex:8:8} == 00000007 && ${hex:16:8} != 00000000 && ${hex:24:8} == 00000001 ]]
}

registry_ready() {
  curl -fsS -o /dev/null --max-time 5 "$SCHEMA_REGISTRY_URL/subjects" 2>/dev/null
}

# MongoDB OP_MSG {ping: 1, $db: "admin"}; ready when the reply has ok: 1.0.
mongo_ready() {
  local hex
  port_open "$MONGO_PORT" || return 1
  # shellcheck disable=SC2016 # literal "$db" field name
  hex=$(tcp_request_hex "$MONGO_PORT" '\x33\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\xdd\x07\x00\x00\x00\x00\x00\x00\x00\x1e\x00\x00\x00\x10ping\x00\x01\x00\x00\x00\x02$db\x00\x06\x00\x00\x00admin\x00\x00') || return 1
  # BSON element: type 0x01 (double) "ok" = 1.0
  [[ $hex == *016f6b00000000000000f03f* ]]
}

component_ready() { "$1_ready"; }

# Moves aside the SQLite files in $1 that cannot hold a FerretDB database, so FerretDB starts: it refuses to start
# on a database file without its `_ferretdb_collections` table. Such a file was left when FerretDB died while a
# database was dropped under load (infra/README.md). A FerretDB database file is at least two pages (the schema
# and that table); a file under two pages with no write-ahead log beside it holds no table, so no data, and is
# moved to $2 rather than deleted.
set_aside_empty_sqlite() {
  local dir=$1 aside=$2 file size wal
  for file in "$dir"/*.sqlite; do
    [[ -f $file ]] || continue
    size=$(stat -c %s "$file")
    wal="$file-wal"
    if ((size < 8192)) && [[ ! -s $wal ]]; then
      mkdir -p "$aside"
      mv "$file" "$aside/$(basename "$file").$(date +%Y%m%dT%H%M%S)"
      rm -f "$wal" "$file-shm"
      log "mongo: set aside $(basename "$file") ($size bytes, no tables: a database dropped while FerretDB died) to $aside"
    fi
  done
}

component_installed() {
  case "$1" in
    kafka) [[ -f $KAFKA_HOME/.installed ]] ;;
    registry) [[ -f $APICURIO_HOME/.installed ]] ;;
    mongo) [[ -f $FERRETDB_HOME/.installed && -x $FERRETDB_BIN ]] ;;
  esac
}

write_infra_env() {
  mkdir -p "$HOOKLINE_DATA"
  cat >"$HOOKLINE_DATA/infra.env" <<EOF
KAFKA_BROKERS=$KAFKA_BROKERS
SCHEMA_REGISTRY_URL=$SCHEMA_REGISTRY_URL
MONGO_URL=$MONGO_URL
EOF
}

require_cmd() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is required but not installed${2:+ ($2)}"
}
