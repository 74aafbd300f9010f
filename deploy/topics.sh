#!/usr/bin/env bash
# The pipeline's topics on the local stack (or any broker), with Kafka's own TopicCommand.
#
#   deploy/topics.sh create [--partitions N] [--bootstrap-server HOST:PORT]
#   deploy/topics.sh list   [--bootstrap-server HOST:PORT]
#
# create is idempotent: existing topics are left as they are (a partition count that differs
# from N is reported, not changed). Names: RESNET_TOPICS_IMAGES (images), RESNET_TOPICS_PREDICTIONS
# (predictions), RESNET_TOPICS_DEAD_LETTERS (images-dlq), the service's own. Partitions: --partitions, else
# RESNET_TOPIC_PARTITIONS, else 4. Bootstrap: --bootstrap-server, else 127.0.0.1:$RESNET_KAFKA_PORT.
# Uses the jars deploy/stack.sh fetched into $RESNET_STACK_DIR/lib/kafka.
set -euo pipefail

DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=stack-env.sh
. "$DEPLOY_DIR/stack-env.sh"

TOPICS=("${RESNET_TOPICS_IMAGES:-images}" "${RESNET_TOPICS_PREDICTIONS:-predictions}" "${RESNET_TOPICS_DEAD_LETTERS:-images-dlq}")

# The comment block at the top of this file is the help text.
usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

topic_command() {
  kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" "$@"
}

# "name partitions" for each existing topic among ours (one JVM for all three).
describe_ours() {
  local regex
  regex=$(printf '%s|' "${TOPICS[@]}" | sed 's/[.]/\\./g; s/|$//')
  topic_command --describe --if-exists --topic "^($regex)\$" |
    sed -n 's/^Topic: *\([^[:space:]]*\).*PartitionCount: *\([0-9]*\).*/\1 \2/p'
}

create() {
  local existing name count line
  existing=$(describe_ours)
  for name in "${TOPICS[@]}"; do
    line=$(grep -E "^${name//./\\.} " <<<"$existing" || true)
    if [[ -n $line ]]; then
      count=${line#* }
      if [[ $count != "$partitions" ]]; then
        warn "topic $name exists with $count partitions, not $partitions; left as it is"
      else
        log "topic $name exists ($count partitions)"
      fi
      continue
    fi
    # --if-not-exists: a concurrent creator is not an error.
    topic_command --create --if-not-exists --topic "$name" --partitions "$partitions" \
      --replication-factor "${RESNET_TOPIC_REPLICATION_FACTOR:-1}" >/dev/null
    log "topic $name created ($partitions partitions)"
  done
}

main() {
  local cmd=${1:-}
  (($#)) && shift
  partitions=${RESNET_TOPIC_PARTITIONS:-4}
  bootstrap=$KAFKA_BOOTSTRAP
  while (($#)); do
    case $1 in
      --partitions) partitions=${2:?--partitions needs a number}; shift ;;
      --partitions=*) partitions=${1#*=} ;;
      --bootstrap-server) bootstrap=${2:?--bootstrap-server needs HOST:PORT}; shift ;;
      --bootstrap-server=*) bootstrap=${1#*=} ;;
      *) usage >&2; exit 2 ;;
    esac
    shift
  done
  [[ $partitions =~ ^[1-9][0-9]*$ ]] || die "--partitions must be a positive number, not '$partitions'"
  case $cmd in
    create) create ;;
    list) topic_command --list ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
