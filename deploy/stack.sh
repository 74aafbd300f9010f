#!/usr/bin/env bash
# The local stack without Docker: one Kafka 4.1.2 KRaft node and Apicurio Registry 3.3.3
# (Confluent-compatible API at /apis/ccompat/v7), both on 127.0.0.1, fetched through Maven.
#
#   deploy/stack.sh start [kafka|registry]   fetch (first time), start both (or one), wait until they answer
#   deploy/stack.sh stop [kafka|registry] [--wipe]   stop both (or one); --wipe (or RESNET_STACK_WIPE=1,
#                                    both only) also deletes their data
#   deploy/stack.sh restart [kafka|registry] [--wipe]   one component alone: an outage drill (chaos, OutageIT)
#   deploy/stack.sh status           one line per component; exit 0 only if both are up
#   deploy/stack.sh logs [kafka|registry|fetch] [-f] [-n LINES]
#   deploy/stack.sh topics [--partitions N]   create the pipeline's topics (deploy/topics.sh create)
#
# Settings (environment): RESNET_STACK_DIR, RESNET_STACK_LIB_DIR, RESNET_KAFKA_PORT, RESNET_KAFKA_CONTROLLER_PORT,
# RESNET_REGISTRY_PORT, RESNET_REGISTRY_MANAGEMENT_PORT, RESNET_REGISTRY_STORAGE (file|mem),
# RESNET_REGISTRY_COMPATIBILITY, RESNET_KAFKA_HEAP_OPTS, RESNET_REGISTRY_HEAP_OPTS,
# RESNET_STACK_START_TIMEOUT, RESNET_STACK_STOP_TIMEOUT, JAVA21_HOME; secured listeners: RESNET_KAFKA_EXTRA_LISTENERS,
# RESNET_KAFKA_SERVER_PROPERTIES, RESNET_REGISTRY_SCHEME, RESNET_REGISTRY_JAVA_OPTS, RESNET_REGISTRY_CURL_OPTS.
# See deploy/README.md.
set -euo pipefail

DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=stack-env.sh
. "$DEPLOY_DIR/stack-env.sh"

START_TIMEOUT=${RESNET_STACK_START_TIMEOUT:-120}   # seconds, per component
STOP_TIMEOUT=${RESNET_STACK_STOP_TIMEOUT:-30}      # seconds before SIGKILL
KAFKA_HEAP_OPTS=${RESNET_KAFKA_HEAP_OPTS:--Xms128m -Xmx512m}
REGISTRY_HEAP_OPTS=${RESNET_REGISTRY_HEAP_OPTS:--Xms64m -Xmx512m}
REGISTRY_STORAGE=${RESNET_REGISTRY_STORAGE:-file}
REGISTRY_COMPATIBILITY=${RESNET_REGISTRY_COMPATIBILITY:-BACKWARD}
STACK_POM=$DEPLOY_DIR/stack/pom.xml
# Optional secured listeners (deploy/README.md, Secured listeners): more broker listeners beside the plain one
# (NAME://127.0.0.1:PORT, comma-separated; each NAME a security protocol), a server.properties fragment appended
# to the generated file (later keys win), extra JVM options for the registry (its TLS certificate) and curl
# options for this script's own calls to it (--cacert).
KAFKA_EXTRA_LISTENERS=${RESNET_KAFKA_EXTRA_LISTENERS:-}
KAFKA_SERVER_PROPERTIES=${RESNET_KAFKA_SERVER_PROPERTIES:-}
read -r -a REGISTRY_JAVA_OPTS <<<"${RESNET_REGISTRY_JAVA_OPTS:-}"
read -r -a REGISTRY_CURL_OPTS <<<"${RESNET_REGISTRY_CURL_OPTS:-}"

COMPONENTS=(kafka registry)

# ---------------------------------------------------------------------------------------------
# Processes: a PID file alone proves nothing (stale file, reused PID), so a PID counts as ours
# only if that process is alive and its command line carries our marker property.
# ---------------------------------------------------------------------------------------------

marker() { echo "-Dresnet.stack=$1@$STACK_DIR"; }
pid_file() { echo "$PID_DIR/$1.pid"; }

is_alive() {
  local pid=$1 state
  [[ -r /proc/$pid/stat ]] || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ $state != Z ]]   # a zombie is dead, whatever kill -0 says
}

is_ours() {
  local pid=$1 component=$2
  is_alive "$pid" && tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "$(marker "$component")"
}

# Prints the PID of our running component, or nothing (and removes a stale PID file).
running_pid() {
  local component=$1 file pid
  file=$(pid_file "$component")
  [[ -f $file ]] || return 0
  pid=$(<"$file")
  if [[ $pid =~ ^[0-9]+$ ]] && is_ours "$pid" "$component"; then
    echo "$pid"
  else
    rm -f "$file"
  fi
}

component_port() {
  case $1 in
    kafka) echo "$KAFKA_PORT" ;;
    registry) echo "$REGISTRY_PORT" ;;
  esac
}

component_log() {
  case $1 in
    kafka) echo "$LOG_DIR/kafka.log" ;;
    registry) echo "$LOG_DIR/registry.log" ;;
    fetch) echo "$LOG_DIR/fetch.log" ;;
    *) die "unknown component '$1' (kafka, registry or fetch)" ;;
  esac
}

# Starts a command detached from the caller: its own session (setsid: no controlling terminal,
# no hangup or Ctrl-C from the caller's terminal), stdin from /dev/null and output appended to a
# log file, so nothing holds the caller's stdin/stdout (Maven and Surefire wait on those pipes).
# The inner shell writes its own PID and then execs java, so the PID file holds the JVM's PID.
# fd 9 is our lock; the child must not keep it.
spawn() {
  local component=$1 workdir=$2 out=$3; shift 3
  local file
  file=$(pid_file "$component")
  rm -f "$file"
  (
    cd "$workdir"
    # shellcheck disable=SC2016  # $$ and $0 are expanded by the inner shell
    setsid bash -c 'echo $$ >"$0"; exec "$@"' "$file" "$@" </dev/null >>"$out" 2>&1 9>&- &
  )
  local i
  for i in $(seq 50); do
    [[ -s $file ]] && return 0
    sleep 0.1
  done
  die "$component did not start (no PID file); see $out"
}

# Byte size of a log before a launch, so a failure shows only what this start wrote.
declare -A LOG_MARK=()
mark_logs() {
  local f
  for f in "$@"; do LOG_MARK[$f]=$(stat -c %s "$f" 2>/dev/null || echo 0); done
}

# Explains a failed start: errors this start logged, then the last lines (log4j2 and Quarkus
# append to the same files across restarts, so older lines are skipped).
fail_start() {
  local component=$1 why=$2 f new
  echo "stack: error: $component $why" >&2
  for f in "$(component_log "$component")" "$LOG_DIR/$component.out"; do
    [[ -s $f ]] || continue
    new=$(tail -c +$(( ${LOG_MARK[$f]:-0} + 1 )) "$f")
    [[ -n $new ]] || continue
    if grep -qE 'ERROR|FATAL|Exception|Error:' <<<"$new"; then
      echo "stack: errors in $f during this start:" >&2
      grep -E 'ERROR|FATAL|Exception|Error:' <<<"$new" | head -n 10 | cut -c1-300 | sed 's/^/    /' >&2
    fi
    echo "stack: last lines of $f:" >&2
    tail -n 8 <<<"$new" | cut -c1-300 | sed 's/^/    /' >&2
  done
  exit 1
}

# Refuses to start when a port we need is held by a process we did not start: never kill it.
require_free_port() {
  local port=$1 variable=$2 what=$3
  if port_open "$port"; then
    die "$STACK_HOST:$port ($what) is already in use by another process $(port_owner "$port"); it is not one this script started from $STACK_DIR. Leaving it alone: stop it yourself, or pick another port with $variable=..."
  fi
}

# ---------------------------------------------------------------------------------------------
# Fetching the binaries through Maven, offline first (usually all in ~/.m2 already).
# A stamp named after the POM's checksum makes a changed POM fetch again.
# ---------------------------------------------------------------------------------------------

fetch() {
  local stamp
  # Jars borrowed from another stack (RESNET_STACK_LIB_DIR) may be running that stack: use them as
  # they are, never delete or replace them from here.
  if [[ -n ${RESNET_STACK_LIB_DIR:-} && -f $APICURIO_DIR/quarkus-run.jar ]] && compgen -G "$KAFKA_LIB/kafka_2.13-*.jar" >/dev/null; then
    return 0
  fi
  stamp=$LIB_DIR/.fetched-$(sha1sum "$STACK_POM" | cut -c1-12)
  if [[ -f $stamp && -f $APICURIO_DIR/quarkus-run.jar ]] && compgen -G "$KAFKA_LIB/kafka_2.13-*.jar" >/dev/null; then
    return 0
  fi
  # Never swap the jars under a running process; a restart picks the new ones up.
  if [[ -n $(running_pid kafka)$(running_pid registry) && -f $APICURIO_DIR/quarkus-run.jar ]]; then
    warn "deploy/stack/pom.xml changed since the last fetch; 'deploy/stack.sh restart' fetches again"
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found; Maven fetches the broker and the registry"
  log "fetching Kafka and Apicurio Registry with Maven into $LIB_DIR (once; log: $LOG_DIR/fetch.log)"
  rm -rf "$KAFKA_LIB" "$APICURIO_DIR" "$LIB_DIR/.markers" "$LIB_DIR"/.fetched-*
  mkdir -p "$LIB_DIR"
  local args=(-q -B -Dstyle.color=never -f "$STACK_POM" "-Dstack.dir=$STACK_DIR" "-Dstack.lib.dir=$LIB_DIR"
              dependency:copy-dependencies@kafka dependency:unpack@registry)
  echo "=== $(date -Is) mvn -o ${args[*]}" >"$LOG_DIR/fetch.log"
  if ! mvn -o "${args[@]}" </dev/null >>"$LOG_DIR/fetch.log" 2>&1; then
    log "not everything is in the local Maven repository yet; resolving from the remote repositories"
    echo "=== $(date -Is) offline resolution failed (above); online: mvn ${args[*]}" >>"$LOG_DIR/fetch.log"
    mvn "${args[@]}" </dev/null >>"$LOG_DIR/fetch.log" 2>&1 \
      || die "Maven could not fetch the stack; see $LOG_DIR/fetch.log"
  fi
  [[ -f $APICURIO_DIR/quarkus-run.jar ]] || die "Apicurio was not unpacked into $APICURIO_DIR; see $LOG_DIR/fetch.log"
  touch "$stamp"
}

# ---------------------------------------------------------------------------------------------
# Kafka
# ---------------------------------------------------------------------------------------------

write_kafka_config() {
  mkdir -p "$CONF_DIR"
  local listeners="PLAINTEXT://$STACK_HOST:$KAFKA_PORT" protocols="PLAINTEXT:PLAINTEXT" extra name
  # The plain listener stays, on loopback: this script's readiness check, topics.sh and the tests' admin calls use it.
  if [[ -n $KAFKA_EXTRA_LISTENERS ]]; then
    IFS=, read -r -a extra <<<"$KAFKA_EXTRA_LISTENERS"
    for name in "${extra[@]}"; do
      [[ $name =~ ^(SSL|SASL_SSL|SASL_PLAINTEXT)://$STACK_HOST:[0-9]+$ ]] \
        || die "RESNET_KAFKA_EXTRA_LISTENERS: '$name' is not SSL|SASL_SSL|SASL_PLAINTEXT://$STACK_HOST:PORT"
      listeners+=",$name"
      protocols+=",${name%%://*}:${name%%://*}"
    done
  fi
  if [[ -n $KAFKA_SERVER_PROPERTIES && ! -r $KAFKA_SERVER_PROPERTIES ]]; then
    die "RESNET_KAFKA_SERVER_PROPERTIES=$KAFKA_SERVER_PROPERTIES is not a readable file"
  fi
  cat >"$CONF_DIR/server.properties" <<EOF
# Generated by deploy/stack.sh at each start; edits are lost.
# Single-node KRaft: this node is broker and controller.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$STACK_HOST:$KAFKA_CONTROLLER_PORT
listeners=$listeners,CONTROLLER://$STACK_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=$listeners,CONTROLLER://$STACK_HOST:$KAFKA_CONTROLLER_PORT
listener.security.protocol.map=$protocols,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DATA

# One broker: every replication factor and min ISR is 1. The transaction log settings matter:
# Kafka Streams exactly-once needs transactions, which default to 3 replicas.
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Fewer internal partitions than the default 50: the first consumer group and the first
# transaction create these topics, which can take seconds on a small (2-core) host.
offsets.topic.num.partitions=8
transaction.state.log.num.partitions=8
num.partitions=1
# Images travel inside records (and the service's buffer-store changelog): allow 25 MiB, the
# service's resnet.fetch-bytes, instead of the 1 MiB default.
message.max.bytes=26214400
auto.create.topics.enable=${RESNET_KAFKA_AUTO_CREATE_TOPICS:-true}

# A consumer group (Streams app) starts at once instead of waiting 3 s for more members.
group.initial.rebalance.delay.ms=0
# The default 128 MiB dedupe buffer does not fit a 512 MiB heap.
log.cleaner.dedupe.buffer.size=2097152
num.network.threads=2
num.io.threads=4
EOF
  if [[ -n $KAFKA_SERVER_PROPERTIES ]]; then
    { echo; echo "# From RESNET_KAFKA_SERVER_PROPERTIES=$KAFKA_SERVER_PROPERTIES (a later key wins)"; cat "$KAFKA_SERVER_PROPERTIES"; } \
      >>"$CONF_DIR/server.properties"
  fi

  cat >"$CONF_DIR/kafka-log4j2.properties" <<EOF
# Generated by deploy/stack.sh. Log4j2 appends: a restart adds to the same file.
status = warn
# Keep logging until the JVM exits, so the broker's own shutdown messages are not lost.
shutdownHook = disable
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = $LOG_DIR/kafka.log
appender.file.filePattern = $LOG_DIR/kafka.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 50MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
logger.request.name = kafka.request.logger
logger.request.level = warn
logger.cleaner.name = kafka.log.LogCleaner
logger.cleaner.level = warn
EOF
  write_tools_log_config
}

# Formats the data folder once (a KRaft log needs a cluster id and the initial controller).
# The controller's endpoint is recorded in the metadata log at format time, so a changed
# controller port needs a wipe.
format_kafka_once() {
  local recorded=$KAFKA_DATA/.resnet-controller-endpoint
  if [[ -f $KAFKA_DATA/meta.properties ]]; then
    if [[ -f $recorded && $(<"$recorded") != "$STACK_HOST:$KAFKA_CONTROLLER_PORT" ]]; then
      die "the Kafka data in $KAFKA_DATA was formatted for controller $(<"$recorded"), not $STACK_HOST:$KAFKA_CONTROLLER_PORT; use that port or wipe it: deploy/stack.sh stop --wipe"
    fi
    return 0
  fi
  log "formatting the Kafka data folder $KAFKA_DATA (first start)"
  mkdir -p "$KAFKA_DATA"
  local cluster_id
  cluster_id=$(kafka_tool kafka.tools.StorageTool random-uuid)
  kafka_tool kafka.tools.StorageTool format --standalone -t "$cluster_id" \
    -c "$CONF_DIR/server.properties" >>"$LOG_DIR/kafka.out" 2>&1 \
    || die "formatting the Kafka storage failed; see $LOG_DIR/kafka.out"
  echo "$STACK_HOST:$KAFKA_CONTROLLER_PORT" >"$recorded"
}

kafka_ready() {
  port_open "$KAFKA_PORT" || return 1
  # Then a real request through the broker (a metadata round trip), not just an open socket.
  timeout 60 "$KAFKA_JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dlog4j2.configurationFile="$CONF_DIR/tools-log4j2.properties" -cp "$KAFKA_LIB/*" \
    org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP" --list >/dev/null 2>&1
}

# Sets KAFKA_PID and KAFKA_ACTION: "running" (answers already), "wait" (alive, not answering
# yet) or "start" (not running; its ports were checked free).
plan_kafka() {
  KAFKA_JAVA=$(kafka_java)
  KAFKA_PID=$(running_pid kafka)
  if [[ -n $KAFKA_PID ]]; then
    if port_open "$KAFKA_PORT"; then KAFKA_ACTION="running"; else KAFKA_ACTION="wait"; fi
  else
    require_free_port "$KAFKA_PORT" RESNET_KAFKA_PORT "Kafka"
    require_free_port "$KAFKA_CONTROLLER_PORT" RESNET_KAFKA_CONTROLLER_PORT "Kafka controller"
    KAFKA_ACTION=start
  fi
}

launch_kafka() {
  write_kafka_config
  format_kafka_once
  log "starting kafka on $KAFKA_BOOTSTRAP (controller $STACK_HOST:$KAFKA_CONTROLLER_PORT)"
  mark_logs "$LOG_DIR/kafka.log" "$LOG_DIR/kafka.out"
  # shellcheck disable=SC2086  # heap options are a word list on purpose
  spawn kafka "$STACK_DIR" "$LOG_DIR/kafka.out" "$KAFKA_JAVA" $KAFKA_HEAP_OPTS \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$CONF_DIR/kafka-log4j2.properties" \
    "$(marker kafka)" -cp "$KAFKA_LIB/*" kafka.Kafka "$CONF_DIR/server.properties"
  KAFKA_PID=$(<"$(pid_file kafka)")
}

# ---------------------------------------------------------------------------------------------
# Apicurio Registry
# ---------------------------------------------------------------------------------------------

registry_ready() {
  [[ $(curl "${REGISTRY_CURL_OPTS[@]}" -s -o /dev/null -w '%{http_code}' --max-time 5 "$CCOMPAT_URL/subjects" 2>/dev/null) == 200 ]]
}

# Apicurio defaults to NONE (Confluent to BACKWARD): set the global level and read it back.
set_compatibility() {
  local level=$REGISTRY_COMPATIBILITY got
  curl "${REGISTRY_CURL_OPTS[@]}" -sS -f --max-time 10 -X PUT -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
    --data "{\"compatibility\":\"$level\"}" "$CCOMPAT_URL/config" >/dev/null \
    || fail_start registry "refused the global compatibility $level (PUT $CCOMPAT_URL/config)"
  got=$(curl "${REGISTRY_CURL_OPTS[@]}" -sS -f --max-time 10 "$CCOMPAT_URL/config" | grep -o '"compatibilityLevel" *: *"[A-Z_]*"' | grep -o '[A-Z_]*"$' | tr -d '"' || true)
  [[ $got == "$level" ]] || fail_start registry "global compatibility reads back as '${got:-?}', expected $level"
  log "registry global compatibility: $got"
}

# Sets REGISTRY_PID and REGISTRY_ACTION, as plan_kafka does.
plan_registry() {
  REGISTRY_PID=$(running_pid registry)
  if [[ -n $REGISTRY_PID ]]; then
    if registry_ready; then REGISTRY_ACTION="running"; else REGISTRY_ACTION="wait"; fi
  else
    require_free_port "$REGISTRY_PORT" RESNET_REGISTRY_PORT "schema registry"
    require_free_port "$REGISTRY_MANAGEMENT_PORT" RESNET_REGISTRY_MANAGEMENT_PORT "registry management"
    REGISTRY_JAVA=$(registry_java)
    REGISTRY_ACTION=start
  fi
}

launch_registry() {
  local storage_opts=()
  mkdir -p "$REGISTRY_DATA/tmp"
  case $REGISTRY_STORAGE in
    # H2 in a file: schema ids survive a restart, like the Kafka records that carry them.
    file) storage_opts=("-Dapicurio.datasource.url=jdbc:h2:file:$REGISTRY_DATA/registry;DB_CLOSE_ON_EXIT=FALSE") ;;
    # Apicurio's default: H2 in memory; every start begins empty and ids start again at 1.
    mem) storage_opts=() ;;
    *) die "RESNET_REGISTRY_STORAGE must be file or mem, not '$REGISTRY_STORAGE'" ;;
  esac
  local tls_opts=()
  case $REGISTRY_SCHEME in
    http) ;;
    # TLS only, on the registry's port: the certificate comes from RESNET_REGISTRY_JAVA_OPTS
    # (-Dquarkus.http.ssl.certificate.key-store-file=... and its password).
    https) tls_opts=(-Dquarkus.http.ssl-port="$REGISTRY_PORT" -Dquarkus.http.insecure-requests=disabled) ;;
    *) die "RESNET_REGISTRY_SCHEME must be http or https, not '$REGISTRY_SCHEME'" ;;
  esac
  log "starting registry on $REGISTRY_BASE_URL (management $STACK_HOST:$REGISTRY_MANAGEMENT_PORT, $REGISTRY_STORAGE storage, Java $(java_major "$REGISTRY_JAVA"))"
  mark_logs "$LOG_DIR/registry.log"
  # Both ports bound to loopback explicitly: the management port binds 0.0.0.0 otherwise.
  # shellcheck disable=SC2086  # heap options are a word list on purpose
  spawn registry "$REGISTRY_DATA" "$LOG_DIR/registry.log" "$REGISTRY_JAVA" $REGISTRY_HEAP_OPTS \
    -Dquarkus.http.host="$STACK_HOST" -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dquarkus.management.host="$STACK_HOST" -Dquarkus.management.port="$REGISTRY_MANAGEMENT_PORT" \
    -Dapicurio.storage.snapshot.location="$REGISTRY_DATA/tmp" \
    -Dapicurio.import.work-dir="$REGISTRY_DATA/tmp" \
    -Djava.io.tmpdir="$REGISTRY_DATA/tmp" \
    '-Dquarkus.log.console.format=%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%c{3.}] (%t) %s%e%n' \
    "${storage_opts[@]}" "${tls_opts[@]}" "${REGISTRY_JAVA_OPTS[@]}" "$(marker registry)" -jar "$APICURIO_DIR/quarkus-run.jar"
  REGISTRY_PID=$(<"$(pid_file registry)")
}

# ---------------------------------------------------------------------------------------------
# Waiting, stopping, status
# ---------------------------------------------------------------------------------------------

# Polls a readiness check until it passes; fails early if the process dies.
wait_until() {
  local component=$1 pid=$2 check=$3
  local deadline=$((SECONDS + START_TIMEOUT))
  while ! "$check"; do
    is_alive "$pid" || { rm -f "$(pid_file "$component")"; fail_start "$component" "exited during start-up"; }
    (( SECONDS < deadline )) || fail_start "$component" "not ready after ${START_TIMEOUT}s (pid $pid still running; RESNET_STACK_START_TIMEOUT raises the limit)"
    sleep 1
  done
}

stop_component() {
  local component=$1 pid i
  pid=$(running_pid "$component")
  if [[ -z $pid ]]; then
    log "$component not running"
    return 0
  fi
  log "stopping $component (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
    is_alive "$pid" || break
    sleep 0.1
  done
  if is_alive "$pid"; then
    warn "$component (pid $pid) still running after ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do is_alive "$pid" || break; sleep 0.1; done
  fi
  rm -f "$(pid_file "$component")"
}

wipe() {
  log "wiping data: $KAFKA_DATA $REGISTRY_DATA $CONF_DIR (the fetched jars in $LIB_DIR and the logs stay)"
  rm -rf "$KAFKA_DATA" "$REGISTRY_DATA" "$CONF_DIR"
}

status() {
  local component pid port up=0 state detail
  for component in "${COMPONENTS[@]}"; do
    pid=$(running_pid "$component")
    port=$(component_port "$component")
    detail=""
    if [[ -n $pid ]] && port_open "$port"; then
      state=up; up=$((up + 1))
    elif [[ -n $pid ]]; then
      state=down; detail="(process alive, port not answering: starting or stuck)"
    elif port_open "$port"; then
      state=down; detail="(port held by another process $(port_owner "$port"))"
    else
      state=down
    fi
    printf '%-9s %-5s pid %-8s %s:%s %s\n' "$component" "$state" "${pid:--}" "$STACK_HOST" "$port" "$detail"
  done
  echo "state dir: $STACK_DIR  logs: $LOG_DIR"
  (( up == ${#COMPONENTS[@]} ))
}

show_logs() {
  local follow=() lines=50 which=()
  while (($#)); do
    case $1 in
      -f | --follow) follow=(-F) ;;
      -n) lines=$2; shift ;;
      kafka | registry | fetch) which+=("$(component_log "$1")") ;;
      *) die "logs: unknown argument '$1'" ;;
    esac
    shift
  done
  ((${#which[@]})) || which=("$LOG_DIR/kafka.log" "$LOG_DIR/registry.log")
  local existing=() f
  for f in "${which[@]}"; do [[ -f $f ]] && existing+=("$f"); done
  ((${#existing[@]})) || die "no logs yet in $LOG_DIR"
  tail -n "$lines" "${follow[@]}" "${existing[@]}"
}

# ---------------------------------------------------------------------------------------------

# One start/stop at a time per state folder (two test runs starting it together).
take_lock() {
  mkdir -p "$STACK_DIR" "$LOG_DIR" "$PID_DIR"
  exec 9>"$STACK_DIR/.lock"
  flock -w 300 9 || die "another deploy/stack.sh holds $STACK_DIR/.lock"
}

# The comment block at the top of this file is the help text.
usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

# The components a command names: none means all of them. Sets SELECTED.
select_components() {
  SELECTED=()
  local arg
  for arg in "$@"; do
    case $arg in
      kafka | registry) SELECTED+=("$arg") ;;
      *) die "unknown component '$arg' (kafka or registry)" ;;
    esac
  done
  ((${#SELECTED[@]})) || SELECTED=("${COMPONENTS[@]}")
}

selected() { [[ " ${SELECTED[*]} " == *" $1 "* ]]; }

cmd_start() {
  select_components "$@"
  take_lock
  local t0=$SECONDS
  KAFKA_ACTION=skip REGISTRY_ACTION=skip
  # Check both before launching either, so a busy port does not leave half a stack behind.
  if selected kafka; then plan_kafka; fi
  if selected registry; then plan_registry; fi
  if [[ $KAFKA_ACTION$REGISTRY_ACTION != *start* && $KAFKA_ACTION$REGISTRY_ACTION != *wait* ]]; then
    log "already running: ${SELECTED[*]}; nothing to do"
    return 0
  fi
  fetch
  # One after the other: started side by side on a busy 2-core host they were no faster in total
  # and Kafka took longer to be ready (deploy/README.md, Start times).
  if [[ $KAFKA_ACTION == start ]]; then launch_kafka; fi
  if [[ $KAFKA_ACTION == running ]]; then
    log "kafka already running (pid $KAFKA_PID, $KAFKA_BOOTSTRAP)"
  elif [[ $KAFKA_ACTION != skip ]]; then
    wait_until kafka "$KAFKA_PID" kafka_ready
    log "kafka ready after $((SECONDS - t0))s (pid $KAFKA_PID, $KAFKA_BOOTSTRAP)"
  fi
  if [[ $REGISTRY_ACTION == start ]]; then launch_registry; fi
  if [[ $REGISTRY_ACTION == running ]]; then
    log "registry already running (pid $REGISTRY_PID, $CCOMPAT_URL)"
  elif [[ $REGISTRY_ACTION != skip ]]; then
    wait_until registry "$REGISTRY_PID" registry_ready
    log "registry ready after $((SECONDS - t0))s (pid $REGISTRY_PID, $CCOMPAT_URL)"
    set_compatibility
  fi
  log "${SELECTED[*]} up in $((SECONDS - t0))s: bootstrap $KAFKA_BOOTSTRAP, registry $CCOMPAT_URL"
}

# Parses stop/restart arguments: components and --wipe. Sets SELECTED and WIPE_DATA.
parse_stop_args() {
  WIPE_DATA=${RESNET_STACK_WIPE:-0}
  local components=()
  while (($#)); do
    case $1 in
      --wipe) WIPE_DATA=1 ;;
      kafka | registry) components+=("$1") ;;
      *) die "stop: unknown option '$1'" ;;
    esac
    shift
  done
  select_components "${components[@]}"
  # Half a wipe would leave the registry's schema ids or the broker's topics pointing at nothing.
  if [[ $WIPE_DATA == 1 && ${#SELECTED[@]} != "${#COMPONENTS[@]}" ]]; then
    die "--wipe stops and wipes both components; it cannot be combined with one"
  fi
}

cmd_stop() {
  take_lock
  if selected registry; then stop_component registry; fi
  if selected kafka; then stop_component kafka; fi
  if [[ $WIPE_DATA == 1 ]]; then wipe; fi
}

main() {
  local cmd=${1:-}
  (($#)) && shift
  case $cmd in
    start) cmd_start "$@" ;;
    stop) parse_stop_args "$@"; cmd_stop ;;
    restart) parse_stop_args "$@"; cmd_stop; exec 9>&-; cmd_start "${SELECTED[@]}" ;;
    status) status ;;
    logs) show_logs "$@" ;;
    topics) exec "$DEPLOY_DIR/topics.sh" create "$@" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
