#!/usr/bin/env bash
# Run a Kafka command line tool from the cached jars against the dev broker.
#
# Usage: infra/kafka-tool.sh topics --list
#        infra/kafka-tool.sh topics --create --topic t1 --partitions 4
#        infra/kafka-tool.sh consumer-groups --list
#        infra/kafka-tool.sh console-consumer --topic t1 --from-beginning
#        infra/kafka-tool.sh acls --list
#        infra/kafka-tool.sh <fully.qualified.MainClass> [args...]   (no --bootstrap-server added)
# Against a SASL broker (KAFKA_SASL_USERS at its start) the tools log in as its first user (admin-client.properties).
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -ge 1 ]] || die "usage: $0 topics|consumer-groups|console-consumer|console-producer|get-offsets|<MainClass> [args...]"
component_installed kafka || "$INFRA_DIR/install.sh" kafka >&2
tool=$1
shift
bootstrap=(--bootstrap-server "$KAFKA_BROKERS")
login=$KAFKA_DATA/admin-client.properties
login_flag=--command-config
case "$tool" in
  topics) cls=org.apache.kafka.tools.TopicCommand ;;
  consumer-groups) cls=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
  console-consumer)
    cls=org.apache.kafka.tools.consumer.ConsoleConsumer
    login_flag=--consumer.config
    ;;
  console-producer)
    cls=kafka.tools.ConsoleProducer
    login_flag=--producer.config
    ;;
  get-offsets) cls=org.apache.kafka.tools.GetOffsetShell ;;
  acls) cls=kafka.admin.AclCommand ;;
  *)
    cls=$tool
    bootstrap=()
    ;;
esac
if ((${#bootstrap[@]})) && [[ -f $login ]]; then bootstrap+=("$login_flag" "$login"); fi
exec java -Xmx256m -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
  -Dlog4j.configuration="file:$KAFKA_HOME/config/tools-log4j.properties" \
  -cp "$KAFKA_JARS/*" "$cls" ${bootstrap[@]+"${bootstrap[@]}"} "$@"
