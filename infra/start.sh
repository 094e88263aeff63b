#!/usr/bin/env bash
# Start the dev/test servers in the background on 127.0.0.1 (installing them
# first if needed), wait until each one really answers, then write
# $HOOKLINE_DATA/infra.env. Components already running are left alone.
#
# Usage: infra/start.sh [kafka|registry|mongo ...]   (default: all)
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# launch NAME WORKDIR CMD...: run CMD detached (own session, stdin closed,
# output appended to the component log) and record its pid.
launch() {
  local name=$1 dir=$2 lf
  shift 2
  lf=$(log_file "$name")
  if [[ -f $lf ]]; then mv -f "$lf" "$lf.prev"; fi
  printf '=== %s hookline infra: starting %s\n=== %s\n' "$(date -u +%FT%TZ)" "$name" "$*" >"$lf"
  # setsid does not fork here (we are not a process-group leader), so $! is the server's pid.
  # fd 9 (the start lock) must not leak into the server, or it would hold the lock forever.
  (cd "$dir" && exec setsid nohup "$@" >>"$lf" 2>&1 </dev/null 9>&-) &
  echo "$!" >"$(pid_file "$name")"
}

# KAFKA_SASL_USERS="admin:pw,hookline:pw2" turns both listeners into SASL_PLAINTEXT: the client listener with
# SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN, the controller listener with PLAIN. The first user is the broker's own
# (inter-broker and controller traffic) and the only super user. SCRAM credentials are written into the storage
# when it is formatted (`--add-scram`), so they are fixed at the first start (infra/reset.sh kafka to change
# them). KAFKA_ACLS=1 adds StandardAuthorizer with allow.everyone.if.no.acl.found=false: every other principal
# needs ACLs (infra/kafka-tool.sh acls ...). Writes admin-client.properties (the first user) for the tools.
kafka_sasl_settings() {
  local pair name pw plain_users='' first_name='' first_pw='' pairs
  IFS=',' read -ra pairs <<<"$KAFKA_SASL_USERS"
  for pair in "${pairs[@]}"; do
    name=${pair%%:*}
    pw=${pair#*:}
    [[ $pair == *:* && $name =~ ^[A-Za-z0-9_-]+$ && $pw =~ ^[A-Za-z0-9_-]+$ ]] ||
      die "kafka: KAFKA_SASL_USERS entries must be name:password of [A-Za-z0-9_-]"
    if [[ -z $first_name ]]; then
      first_name=$name
      first_pw=$pw
    fi
    plain_users+=" user_$name=\"$pw\""
  done
  cat <<EOF
listeners=SASL_PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=SASL_PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_PLAINTEXT
listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512,PLAIN
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="$first_name" password="$first_pw" user_$first_name="$first_pw";
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$first_name" password="$first_pw";
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="$first_name" password="$first_pw"$plain_users;
EOF
  if [[ ${KAFKA_ACLS:-} == 1 ]]; then
    cat <<EOF
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:$first_name
allow.everyone.if.no.acl.found=false
EOF
  fi
  cat >"$KAFKA_DATA/admin-client.properties" <<EOF
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$first_name" password="$first_pw";
EOF
}

# --add-scram arguments for the storage format: each SASL user with both SCRAM mechanisms, one a line.
kafka_scram_args() {
  local pair pairs
  IFS=',' read -ra pairs <<<"$KAFKA_SASL_USERS"
  for pair in "${pairs[@]}"; do
    printf '%s\n' "--add-scram=SCRAM-SHA-256=[name=${pair%%:*},password=${pair#*:}]" "--add-scram=SCRAM-SHA-512=[name=${pair%%:*},password=${pair#*:}]"
  done
}

start_kafka() {
  local props=$KAFKA_DATA/server.properties cid jvm listeners scram=()
  # shellcheck disable=SC2206 # heap opts are intentionally word-split
  jvm=($KAFKA_HEAP_OPTS $KAFKA_JVM_OPTS -Djava.awt.headless=true -cp "$KAFKA_JARS/*")
  mkdir -p "$KAFKA_DATA/data"
  if [[ -n ${KAFKA_SASL_USERS:-} ]]; then
    listeners=$(kafka_sasl_settings)
    mapfile -t scram < <(kafka_scram_args)
  else
    rm -f "$KAFKA_DATA/admin-client.properties"
    listeners="listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
  fi
  cat >"$props" <<EOF
# generated by infra/start.sh - edits are overwritten
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
$listeners
log.dirs=$KAFKA_DATA/data
num.network.threads=2
num.io.threads=4
num.partitions=4
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
delete.topic.enable=true
log.retention.hours=24
log.retention.bytes=1073741824
log.segment.bytes=67108864
log.retention.check.interval.ms=60000
# The controller writes a no-op record to the metadata log this often when nothing else happens (default 500 ms:
# two raft appends a second, 0.2-0.3 % of a core on an idle broker). One node: nothing waits on them.
metadata.max.idle.interval.ms=5000
EOF
  if [[ ! -f $KAFKA_DATA/data/meta.properties ]]; then
    if [[ -f $KAFKA_DATA/cluster.id ]]; then
      cid=$(<"$KAFKA_DATA/cluster.id")
    else
      # 16 random bytes, url-safe base64 without padding = a Kafka Uuid string
      # (no leading '-', like Kafka's own Uuid.randomUuid(), so it is never taken for an option)
      cid=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=' | sed 's/^-/A/')
      echo "$cid" >"$KAFKA_DATA/cluster.id"
    fi
    log "kafka: formatting storage (cluster id $cid)"
    java "${jvm[@]}" -Dlog4j.configuration="file:$KAFKA_HOME/config/tools-log4j.properties" \
      kafka.tools.StorageTool format --cluster-id="$cid" --config="$props" --ignore-formatted ${scram[@]+"${scram[@]}"} >"$LOG_DIR/kafka-format.log" 2>&1 ||
      {
        cat "$LOG_DIR/kafka-format.log" >&2
        die "kafka: storage format failed"
      }
  fi
  launch kafka "$KAFKA_DATA" java "${jvm[@]}" \
    -Dlog4j.configuration="file:$KAFKA_HOME/config/log4j.properties" -Dkafka.logs.dir="$LOG_DIR" \
    kafka.Kafka "$props"
}

start_registry() {
  mkdir -p "$REGISTRY_DATA/tmp" "$REGISTRY_DATA/db"
  # Storage: Apicurio's SQL storage on an H2 database file under $REGISTRY_DATA, so schemas and their ids
  # survive a restart (the app's default, in-memory H2, lost them: ids restarted at 1). docs/decisions.md says why
  # not KafkaSQL. WRITE_DELAY=0: a commit is on the file when the registry answers, so a schema registered just
  # before a crash (kill -9) is still there after it (H2's default delay lost it in CI).
  local jvm
  # shellcheck disable=SC2206 # heap opts are intentionally word-split
  jvm=($REGISTRY_HEAP_OPTS $REGISTRY_JVM_OPTS)
  launch registry "$REGISTRY_DATA" java "${jvm[@]}" -Djava.io.tmpdir="$REGISTRY_DATA/tmp" \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$SCHEMA_REGISTRY_PORT" \
    -Dapicurio.storage.kind=sql -Dapicurio.storage.sql.kind=h2 \
    -Dapicurio.datasource.url="jdbc:h2:file:$REGISTRY_DATA/db/registry;WRITE_DELAY=0" \
    -jar "$APICURIO_JAR"
}

start_mongo() {
  mkdir -p "$MONGO_DATA/data" "$MONGO_DATA/state"
  set_aside_empty_sqlite "$MONGO_DATA/data" "$MONGO_DATA/set-aside"
  launch mongo "$MONGO_DATA" "$FERRETDB_BIN" --handler=sqlite --sqlite-url="file:$MONGO_DATA/data/" \
    --state-dir="$MONGO_DATA/state" --listen-addr="127.0.0.1:$MONGO_PORT" --debug-addr="${FERRETDB_DEBUG_ADDR:--}" \
    --telemetry=disable --log-level=info
}

fail_with_log() {
  local c=$1 msg=$2
  log "$c: $msg; last lines of $(log_file "$c"):"
  tail -n 40 "$(log_file "$c")" >&2 || true
  exit 1
}

main() {
  local comps c pid missing=() pending=() t0 deadline
  # Seconds each component's start took, counted from its own launch (or from when this script began waiting
  # for a process another script launched): an install or a wait for the lock is not part of a start.
  local -A since=()
  mapfile -t comps < <(components_from_args "$@")

  for c in "${comps[@]}"; do component_installed "$c" || missing+=("$c"); done
  if ((${#missing[@]})); then "$INFRA_DIR/install.sh" "${missing[@]}"; fi

  mkdir -p "$PID_DIR" "$LOG_DIR"
  exec 9>"$HOOKLINE_DATA/.start.lock"
  flock -w 600 9 || die "timed out waiting for the lock held by another infra script"
  t0=$(now)

  # kafka last: its first start formats storage in the foreground (~2 s)
  local order=()
  for c in registry mongo kafka; do
    if [[ " ${comps[*]} " == *" $c "* ]]; then order+=("$c"); fi
  done
  # 1) check everything first, so a port conflict starts nothing
  local launch_list=()
  for c in "${order[@]}"; do
    if pid=$(running_pid "$c"); then
      if component_ready "$c"; then
        log "$c: already running (pid $pid)"
      else
        log "$c: process $pid exists, waiting for it"
        since[$c]=$(now)
        pending+=("$c")
      fi
      continue
    fi
    rm -f "$(pid_file "$c")"
    if port_open "$(component_port "$c")"; then
      die "$c: port $(component_port "$c") is already in use by another process (set the port env var or stop it)"
    fi
    if [[ $c == kafka ]] && port_open "$KAFKA_CONTROLLER_PORT"; then
      die "kafka: controller port $KAFKA_CONTROLLER_PORT is already in use (set KAFKA_CONTROLLER_PORT)"
    fi
    launch_list+=("$c")
  done
  # 2) launch (all in the background; readiness is awaited below in parallel)
  for c in ${launch_list[@]+"${launch_list[@]}"}; do
    since[$c]=$(now)
    "start_$c"
    log "$c: started (pid $(<"$(pid_file "$c")"), log $(log_file "$c"))"
    pending+=("$c")
  done

  deadline=$(($(now) + START_TIMEOUT))
  while ((${#pending[@]})); do
    local still=()
    for c in "${pending[@]}"; do
      if component_ready "$c"; then
        log "$c: ready, start took $(($(now) - since[$c]))s"
      elif ! running_pid "$c" >/dev/null; then
        fail_with_log "$c" "process exited during startup"
      else
        still+=("$c")
      fi
    done
    pending=(${still[@]+"${still[@]}"})
    if ((${#pending[@]})); then
      (($(now) < deadline)) || fail_with_log "${pending[0]}" "not ready after ${START_TIMEOUT}s"
      sleep 0.25
    fi
  done

  write_infra_env
  log "all requested components up (this start took $(($(now) - t0))s, install excluded); wrote $HOOKLINE_DATA/infra.env"
  cat "$HOOKLINE_DATA/infra.env"
}

main "$@"
