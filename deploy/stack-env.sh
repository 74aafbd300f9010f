# shellcheck shell=bash disable=SC2034  # the variables are used by the scripts that source this
# Settings and helpers shared by deploy/stack.sh and deploy/topics.sh. Sourced, not run.
# Every setting can be overridden from the environment (see deploy/README.md).

DEPLOY_DIR=${DEPLOY_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
REPO_ROOT=$(cd "$DEPLOY_DIR/.." && pwd)

# Everything the stack writes lives here (ignored by git: /.stack/ in .gitignore).
# Absolute, so the process marker (which contains it) matches from any working directory.
STACK_DIR=$(realpath -m "${RESNET_STACK_DIR:-$REPO_ROOT/.stack}")
# The fetched jars; another stack's folder may be named, so a second stack (a test's private one)
# does not fetch and unpack ~210 MB again.
LIB_DIR=$(realpath -m "${RESNET_STACK_LIB_DIR:-$STACK_DIR/lib}")
KAFKA_LIB=$LIB_DIR/kafka
APICURIO_DIR=$LIB_DIR/apicurio
CONF_DIR=$STACK_DIR/conf
LOG_DIR=$STACK_DIR/logs
PID_DIR=$STACK_DIR/pids
KAFKA_DATA=$STACK_DIR/kafka-data
REGISTRY_DATA=$STACK_DIR/registry-data

# Loopback only, on purpose: this is a developer stack without authentication.
STACK_HOST=127.0.0.1
KAFKA_PORT=${RESNET_KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${RESNET_KAFKA_CONTROLLER_PORT:-9093}
REGISTRY_PORT=${RESNET_REGISTRY_PORT:-8081}
REGISTRY_MANAGEMENT_PORT=${RESNET_REGISTRY_MANAGEMENT_PORT:-9001}
KAFKA_BOOTSTRAP=$STACK_HOST:$KAFKA_PORT
# https: the registry serves TLS only, on the same port, with the certificate that
# RESNET_REGISTRY_JAVA_OPTS names (deploy/README.md, Secured listeners).
REGISTRY_SCHEME=${RESNET_REGISTRY_SCHEME:-http}
REGISTRY_BASE_URL=$REGISTRY_SCHEME://$STACK_HOST:$REGISTRY_PORT
CCOMPAT_URL=$REGISTRY_BASE_URL/apis/ccompat/v7

log() { echo "stack: $*"; }
warn() { echo "stack: warning: $*" >&2; }
die() { echo "stack: error: $*" >&2; exit 1; }

# Major version of a java binary, read from the JDK's "release" file when there is one
# (no JVM start), else from `java -version`.
java_major() {
  local bin=$1 home release v
  home=$(dirname "$(dirname "$(readlink -f "$bin")")")
  release=$home/release
  if [[ -r $release ]]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  fi
  if [[ -z ${v:-} ]]; then
    v=$("$bin" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
  fi
  echo "${v:-0}"
}

# Java for Kafka and its tools: Kafka 4 needs 17+. RESNET_KAFKA_JAVA, then JAVA_HOME, then PATH.
kafka_java() {
  local bin
  if [[ -n ${RESNET_KAFKA_JAVA:-} ]]; then bin=$RESNET_KAFKA_JAVA
  elif [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then bin=$JAVA_HOME/bin/java
  else bin=$(command -v java || true)
  fi
  [[ -n $bin && -x $bin ]] || die "no java found for Kafka (set JAVA_HOME or RESNET_KAFKA_JAVA)"
  (( $(java_major "$bin") >= 17 )) || die "Kafka 4 needs Java 17+, $bin is Java $(java_major "$bin")"
  echo "$bin"
}

# Java for Apicurio Registry 3, which needs 21+: JAVA21_HOME, then JAVA_HOME, then the newest
# JDK under /usr/lib/jvm (e.g. a Temurin 25 installed beside a default Java 17).
registry_java() {
  local cand best="" best_major=0 m
  for cand in "${JAVA21_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/*; do
    [[ -n $cand && -x $cand/bin/java ]] || continue
    m=$(java_major "$cand/bin/java")
    if [[ -n ${JAVA21_HOME:-} && $cand == "$JAVA21_HOME" ]]; then
      (( m >= 21 )) || die "JAVA21_HOME=$JAVA21_HOME is Java $m; Apicurio Registry 3 needs Java 21+"
      echo "$cand/bin/java"; return
    fi
    if (( m >= 21 && m > best_major )); then best=$cand/bin/java; best_major=$m; fi
  done
  [[ -n $best ]] || die "Apicurio Registry 3 needs Java 21+ and none was found (looked at JAVA21_HOME, JAVA_HOME, /usr/lib/jvm/*). Install one or set JAVA21_HOME."
  echo "$best"
}

# Kafka's command-line tools, run from the fetched jars. Short-lived JVMs: client compiler only and
# the serial collector, which start noticeably faster on hosts with few cores.
kafka_tool() {
  [[ -d $KAFKA_LIB ]] || die "Kafka jars missing in $KAFKA_LIB; run deploy/stack.sh start first"
  [[ -f $CONF_DIR/tools-log4j2.properties ]] || write_tools_log_config
  local java
  java=$(kafka_java)
  "$java" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dlog4j2.configurationFile="$CONF_DIR/tools-log4j2.properties" \
    -cp "$KAFKA_LIB/*" "$@"
}

# Tools log warnings and errors to stderr only, so their stdout stays parseable.
write_tools_log_config() {
  mkdir -p "$CONF_DIR"
  cat >"$CONF_DIR/tools-log4j2.properties" <<'EOF2'
status = error
appender.err.type = Console
appender.err.name = stderr
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.err.ref = stderr
EOF2
}

# True when something accepts TCP connections on 127.0.0.1:port (bash's /dev/tcp, no extra tools).
port_open() {
  # shellcheck disable=SC2016  # $0 and $1 are the inner shell's arguments
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$STACK_HOST" "$1" 2>/dev/null
}

# "pid=123 (java)" for whoever listens on a port, for error messages.
port_owner() {
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(([^)]*))' | head -n 1 || true
}
