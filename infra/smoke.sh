#!/usr/bin/env bash
# Smoke-test the running dev/test servers (start them first with infra/start.sh):
# Kafka topic create/list/delete, the registry's Confluent-compatible API
# (register, fetch by id, BACKWARD compatibility enforcement, JSON Schema),
# and a MongoDB wire-protocol ping. Exits non-zero if any check fails.
#
# Usage: infra/smoke.sh
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ok=0
failed=0
check() {
  local name=$1
  shift
  if "$@"; then
    log "ok   $name"
    ok=$((ok + 1))
  else
    log "FAIL $name"
    failed=$((failed + 1))
  fi
}

# ---- kafka ------------------------------------------------------------------
topic=hookline-smoke-$$
kt() { timeout 30 "$INFRA_DIR/kafka-tool.sh" topics "$@"; }
check "kafka: metadata request" kafka_ready
if ((failed)); then
  log "kafka is not reachable on $KAFKA_BROKERS (is it started?)"
  exit 1
fi
check "kafka: create topic $topic" kt --create --topic "$topic" --partitions 2 --replication-factor 1
check "kafka: list shows $topic" bash -c "timeout 30 '$INFRA_DIR/kafka-tool.sh' topics --list | grep -qx '$topic'"
check "kafka: delete topic $topic" kt --delete --topic "$topic"

# ---- schema registry (Confluent-compatible API) -----------------------------
CT='Content-Type: application/vnd.schemaregistry.v1+json'
subject=hookline-smoke-$$-value
jsubject=hookline-smoke-$$-json-value
# sr METHOD PATH [BODY]: prints "<http status> <body>"
sr() {
  local args=(-s -X "$1" -H "$CT" -w ' %{http_code}')
  [[ $# -ge 3 ]] && args+=(-d "$3")
  local out
  out=$(curl "${args[@]}" "$SCHEMA_REGISTRY_URL$2") || return 1
  echo "${out##* } ${out% *}"
}
v1='{"schema":"{\"type\":\"record\",\"name\":\"A\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"}]}"}'
v2_breaking='{"schema":"{\"type\":\"record\",\"name\":\"A\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"int\"}]}"}'
v2_ok='{"schema":"{\"type\":\"record\",\"name\":\"A\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"int\",\"default\":0}]}"}'
json1='{"schemaType":"JSON","schema":"{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[\"a\"]}"}'

res=$(sr POST "/subjects/$subject/versions" "$v1" || true)
id=$(sed -n 's/^200 {"id":\([0-9]*\)}$/\1/p' <<<"$res")
check "registry: register Avro schema -> id ${id:-?} ($res)" test -n "$id"
res=$(sr GET "/schemas/ids/${id:-0}" || true)
check "registry: get schema by id" grep -q '^200 .*"name\\":\\"A\\"' <<<"$res"
res=$(sr PUT "/config/$subject" '{"compatibility":"BACKWARD"}' || true)
check "registry: set BACKWARD ($res)" grep -q '^200 .*BACKWARD' <<<"$res"
res=$(sr POST "/subjects/$subject/versions" "$v2_breaking" || true)
check "registry: breaking change refused (${res:0:60}...)" grep -qE '^(409|422) ' <<<"$res"
res=$(sr POST "/subjects/$subject/versions" "$v2_ok" || true)
check "registry: compatible change accepted ($res)" grep -q '^200 {"id":' <<<"$res"
res=$(sr POST "/subjects/$jsubject/versions" "$json1" || true)
check "registry: register JSON Schema ($res)" grep -q '^200 {"id":' <<<"$res"
for s in "$subject" "$jsubject"; do
  sr DELETE "/subjects/$s" >/dev/null || true
  sr DELETE "/subjects/$s?permanent=true" >/dev/null || true
done

# ---- mongo wire protocol ----------------------------------------------------
check "mongo: OP_MSG ping" mongo_ready

log "smoke: $ok ok, $failed failed"
((failed == 0))
