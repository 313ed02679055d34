#!/usr/bin/env bash
# Local single-node Kafka (KRaft) broker for development and tests.
#
#   bash tools/kafka/kafka.sh start|stop|restart|status|logs [-f]|fetch|reset|help
#
# Jars are fetched with Maven into a cache outside git; the broker listens on
# 127.0.0.1 only. See tools/kafka/README.md for details.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

KAFKA_VERSION_DEFAULT="4.4.0" # keep in sync with <kafka.version> in pom.xml
KAFKA_VERSION="${KAFKA_VERSION:-$KAFKA_VERSION_DEFAULT}"
KAFKA_HOST="127.0.0.1"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
KAFKA_CACHE_DIR="${KAFKA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/snaptrack/kafka}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-180}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m}"
KAFKA_JVM_OPTS_DEFAULT="-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true"
KAFKA_JVM_OPTS="${KAFKA_JVM_OPTS:-$KAFKA_JVM_OPTS_DEFAULT}"

# The jar cache is keyed by version and by the pom's content, so editing
# pom.xml (e.g. the log4j version) fetches a fresh classpath.
POM_HASH="$(sha256sum "$SCRIPT_DIR/pom.xml" | cut -c1-8)"
LIBS_DIR="$KAFKA_CACHE_DIR/libs/$KAFKA_VERSION-$POM_HASH"
DATA_DIR="$KAFKA_CACHE_DIR/data/port-$KAFKA_PORT"
LOG_DIR="$DATA_DIR/logs"            # broker's own log4j output
KRAFT_DIR="$DATA_DIR/kraft"         # Kafka log.dirs (topic + metadata data)
PROPS_FILE="$DATA_DIR/server.properties"
PID_FILE="$DATA_DIR/kafka.pid"
STATE_FILE="$DATA_DIR/format.env"   # what the data dir was formatted with
SERVER_LOG="$LOG_DIR/server.log"
STDOUT_LOG="$LOG_DIR/stdout.log"
BOOTSTRAP="$KAFKA_HOST:$KAFKA_PORT"

# Human-readable messages go to stderr; `start` prints only the bootstrap
# address on stdout so that `BROKERS=$(kafka.sh start)` works.
info() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() {
  printf 'kafka.sh: error: %s\n' "$*" >&2
  exit 1
}

usage() {
  cat <<EOF
Usage: bash tools/kafka/kafka.sh <command>

Commands:
  start        start the broker on $BOOTSTRAP (reuses a broker that already answers there)
  stop         stop the broker started by this script
  restart      stop, then start
  status       exit 0 if a Kafka broker answers on $BOOTSTRAP
  logs [-f]    tail the broker log (-f to follow; KAFKA_LOG_LINES=N, default 100)
  fetch        only download the broker jars into the cache
  reset        stop the broker and delete its data directory for this port
  help         this text

Environment:
  KAFKA_VERSION=$KAFKA_VERSION  KAFKA_PORT=$KAFKA_PORT  KAFKA_CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT
  KAFKA_CACHE_DIR=$KAFKA_CACHE_DIR
  KAFKA_START_TIMEOUT=$KAFKA_START_TIMEOUT  KAFKA_STOP_TIMEOUT=$KAFKA_STOP_TIMEOUT
  KAFKA_HEAP_OPTS="$KAFKA_HEAP_OPTS"
EOF
}

# ---------------------------------------------------------------------------
# Probes

# Is anything accepting TCP connections on 127.0.0.1:$1?
port_open() {
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$KAFKA_HOST" "$1" 2>/dev/null
}

# Minimal Kafka wire protocol over bash's /dev/tcp, so that probes need no
# JVM and no client library. Values are built as hex strings.
hex_i16() { printf '%04x' "$1"; }
hex_i32() { printf '%08x' "$1"; }
hex_str() { # int16 length + bytes
  printf '%04x' "${#1}"
  printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'
}

# kafka_call <api key> <api version> <request body hex> <response bytes to read>
# Sends one request (header v1, correlation id 7, client id "kafka.sh") to
# 127.0.0.1:$KAFKA_PORT and prints the first bytes of the response as hex:
# [0:8] size, [8:16] correlation id, then the response body.
kafka_call() {
  local req esc
  req="$(hex_i16 "$1")$(hex_i16 "$2")$(hex_i32 7)$(hex_str kafka.sh)$3"
  req="$(hex_i32 $((${#req} / 2)))$req"
  esc="$(sed 's/../\\x&/g' <<<"$req")"
  timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1" || exit 1; printf "$2" >&3; head -c "$3" <&3' \
    "$KAFKA_HOST" "$KAFKA_PORT" "$esc" "$4" 2>/dev/null | od -An -v -tx1 | tr -d ' \n' || true
}

# Does a Kafka broker answer on $KAFKA_PORT? ApiVersions v0 (api key 18) must
# come back with our correlation id and error NONE (0) or UNSUPPORTED_VERSION
# (35, still a live broker). A KRaft broker only processes requests once its
# startup has completed, so an open port alone does not pass this.
kafka_answers() {
  local hex
  hex="$(kafka_call 18 0 "" 10)"
  [[ ${#hex} -eq 20 && ${hex:8:8} == "00000007" && (${hex:16:4} == "0000" || ${hex:16:4} == "0023") ]]
}

# Are consumer groups usable? On a fresh data dir the first FindCoordinator
# creates __consumer_offsets; until it exists and is loaded, clients get
# COORDINATOR_NOT_AVAILABLE / COORDINATOR_LOAD_IN_PROGRESS (kafkajs logs them
# as errors and restarts the consumer). Succeeds when FindCoordinator v2
# (api key 10) and OffsetFetch v2 (api key 9) for a probe group return NONE.
groups_ready() {
  local group="snaptrack-kafka-sh-probe" hex
  hex="$(kafka_call 10 2 "$(hex_str "$group")00" 14)"
  [[ ${#hex} -eq 28 && ${hex:8:8} == "00000007" && ${hex:24:4} == "0000" ]] || return 1
  hex="$(kafka_call 9 2 "$(hex_str "$group")ffffffff" 14)"
  [[ ${#hex} -eq 28 && ${hex:8:8} == "00000007" && ${hex:16:8} == "00000000" && ${hex:24:4} == "0000" ]]
}

# Pid of the broker this script started for this port, if it is still alive.
our_pid() {
  [[ -f $PID_FILE ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null)" || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # Guard against pid reuse: the process must be a JVM running our config.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$PROPS_FILE" || return 1
  echo "$pid"
}

# ---------------------------------------------------------------------------
# Tooling

JAVA_BIN=""
find_java() {
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
    JAVA_BIN="$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    JAVA_BIN="$(command -v java)"
  else
    die "java not found (neither \$JAVA_HOME/bin/java nor java on PATH). Kafka $KAFKA_VERSION needs a JDK/JRE 17 or" \
      "newer, e.g. 'apt-get install openjdk-17-jre-headless'."
  fi
  local line major
  line="$("$JAVA_BIN" -version 2>&1 | head -n 1)"
  major="$(sed -E 's/.*version "([0-9]+)(\.([0-9]+))?.*/\1 \3/' <<<"$line")"
  # "1.8.0_x" style versions report the major as the second number.
  if [[ ${major%% *} == 1 ]]; then major="${major#* }"; else major="${major%% *}"; fi
  if [[ $major =~ ^[0-9]+$ ]] && ((major < 17)); then
    die "$JAVA_BIN is Java $major ($line); the Kafka broker needs Java 17 or newer. Set JAVA_HOME to a newer JDK."
  fi
}

version_at_least() { # version_at_least 3.9 -> is KAFKA_VERSION >= 3.9 ?
  [[ "$(printf '%s\n%s\n' "$1" "$KAFKA_VERSION" | sort -V | head -n 1)" == "$1" ]]
}

fetch_jars() {
  if [[ -f $LIBS_DIR/.complete ]]; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 ||
    die "mvn (Apache Maven) not found on PATH; it is needed once to download the Kafka $KAFKA_VERSION jars into" \
      "$LIBS_DIR. Install it (e.g. 'apt-get install maven') or copy a populated libs directory there."
  mkdir -p "$KAFKA_CACHE_DIR/libs"
  local tmp="$KAFKA_CACHE_DIR/libs/.tmp-$KAFKA_VERSION-$$"
  rm -rf "$tmp"
  info "fetching Kafka $KAFKA_VERSION jars with Maven into $LIBS_DIR (first run only) ..."
  local started=$SECONDS
  local mvn_log="$KAFKA_CACHE_DIR/libs/.mvn-$KAFKA_VERSION.log"
  if ! mvn -q -B -f "$SCRIPT_DIR/pom.xml" \
    -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies \
    -DincludeScope=runtime \
    -DoutputDirectory="$tmp" >"$mvn_log" 2>&1 </dev/null 9>&-; then
    sed 's/\x1b\[[0-9;]*m//g' "$mvn_log" >&2
    rm -rf "$tmp"
    die "Maven could not fetch org.apache.kafka:kafka_2.13:$KAFKA_VERSION (Maven output above; check KAFKA_VERSION" \
      "and access to Maven Central)."
  fi
  rm -f "$mvn_log"
  ls "$tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || {
    rm -rf "$tmp"
    die "Maven finished but no kafka_2.13 jar is in $tmp"
  }
  rm -rf "$LIBS_DIR"
  mv "$tmp" "$LIBS_DIR"
  touch "$LIBS_DIR/.complete"
  info "fetched $(ls "$LIBS_DIR"/*.jar | wc -l) jars in $((SECONDS - started))s"
}

# Sets JAVA_ARGV to the JVM command line (minus main class and its args),
# logging through tools/kafka/log4j2.properties into $LOG_DIR/<log file name>.
java_argv() {
  local logfile="$1"
  # shellcheck disable=SC2206 # the *_OPTS variables are word lists
  JAVA_ARGV=("$JAVA_BIN" $KAFKA_HEAP_OPTS $KAFKA_JVM_OPTS
    "-Dlog4j2.configurationFile=$SCRIPT_DIR/log4j2.properties"
    # Let Kafka's own shutdown hook log until the very end.
    -Dlog4j2.shutdownHookEnabled=false
    "-Dkafka.logs.dir=$LOG_DIR" "-Dkafka.log.file=$logfile"
    -cp "$LIBS_DIR/*")
}

# ---------------------------------------------------------------------------
# Broker configuration

write_properties() {
  mkdir -p "$DATA_DIR" "$LOG_DIR" "$KRAFT_DIR"
  cat >"$PROPS_FILE.tmp" <<EOF
# Generated by tools/kafka/kafka.sh on every start; edit the script, not this file.
# Single-node KRaft: this process is both broker and controller.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KRAFT_DIR

# One replica of everything (the defaults of 3 make internal topics impossible).
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# Topics are created explicitly by our code.
auto.create.topics.enable=false
num.partitions=1
delete.topic.enable=true

# Fast group joins in dev/tests.
group.initial.rebalance.delay.ms=0

# Small disk footprint for a dev box.
log.segment.bytes=16777216
log.retention.hours=24
log.retention.bytes=268435456
log.retention.check.interval.ms=60000
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=16777216

# The machine has few cores.
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
background.threads=4
EOF
  mv "$PROPS_FILE.tmp" "$PROPS_FILE"
}

format_if_needed() {
  if [[ -f $KRAFT_DIR/meta.properties ]]; then
    if [[ -f $STATE_FILE ]]; then
      local fmt_version="" fmt_controller_port=""
      fmt_version="$(sed -n 's/^FORMAT_KAFKA_VERSION=//p' "$STATE_FILE")"
      fmt_controller_port="$(sed -n 's/^FORMAT_CONTROLLER_PORT=//p' "$STATE_FILE")"
      if [[ -n $fmt_controller_port && $fmt_controller_port != "$KAFKA_CONTROLLER_PORT" ]]; then
        die "$DATA_DIR was formatted with controller port $fmt_controller_port but" \
          "KAFKA_CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT (the KRaft voter endpoint is stored in the metadata log). Use" \
          "the old port or run 'kafka.sh reset' to wipe the data."
      fi
      if [[ -n $fmt_version && $fmt_version != "$KAFKA_VERSION" ]]; then
        info "warning: $DATA_DIR was formatted by Kafka $fmt_version, now starting $KAFKA_VERSION; if the broker" \
          "fails to start, run 'kafka.sh reset'."
      fi
    fi
    return 0
  fi
  version_at_least 3.9 || die "KAFKA_VERSION=$KAFKA_VERSION is not supported: this script needs Kafka 3.9 or newer" \
    "(KRaft with controller.quorum.bootstrap.servers and 'format --standalone')."
  local cluster_id
  # A Kafka cluster id is 16 random bytes in URL-safe base64 without padding;
  # avoid a leading '-' (it would be parsed as a command-line flag).
  cluster_id="-"
  while [[ $cluster_id == -* ]]; do
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  done
  info "formatting $KRAFT_DIR (cluster id $cluster_id) ..."
  java_argv format.log
  if ! "${JAVA_ARGV[@]}" kafka.tools.StorageTool format \
    --config "$PROPS_FILE" --cluster-id "$cluster_id" --standalone --ignore-formatted \
    >"$LOG_DIR/format.out" 2>&1 </dev/null 9>&-; then
    cat "$LOG_DIR/format.out" >&2
    [[ -f $LOG_DIR/format.log ]] && tail -n 30 "$LOG_DIR/format.log" >&2
    die "formatting the KRaft storage directory $KRAFT_DIR failed (see above)."
  fi
  grep -h '^Formatting' "$LOG_DIR/format.out" >&2 || true
  printf 'FORMAT_KAFKA_VERSION=%s\nFORMAT_CONTROLLER_PORT=%s\nFORMAT_CLUSTER_ID=%s\n' \
    "$KAFKA_VERSION" "$KAFKA_CONTROLLER_PORT" "$cluster_id" >"$STATE_FILE"
}

show_log_tail() {
  local n="${1:-40}"
  if [[ -s $SERVER_LOG ]]; then
    printf -- '--- last %s lines of %s ---\n' "$n" "$SERVER_LOG" >&2
    tail -n "$n" "$SERVER_LOG" >&2
  fi
  if [[ -s $STDOUT_LOG ]]; then
    printf -- '--- %s ---\n' "$STDOUT_LOG" >&2
    tail -n 20 "$STDOUT_LOG" >&2
  fi
}

# ---------------------------------------------------------------------------
# Commands

cmd_start() {
  mkdir -p "$DATA_DIR"
  # Serialize concurrent `start`/`stop` calls for the same port.
  exec 9>"$DATA_DIR/.lock"
  flock -w $((KAFKA_START_TIMEOUT + 60)) 9 || die "could not lock $DATA_DIR/.lock"

  if kafka_answers; then
    local pid
    if pid="$(our_pid)"; then
      info "broker already running on $BOOTSTRAP (pid $pid); reusing it"
    else
      info "a Kafka broker already answers on $BOOTSTRAP (not started by this script); reusing it"
    fi
    echo "$BOOTSTRAP"
    return 0
  fi

  local stale
  if stale="$(our_pid)"; then
    # Alive but not answering: a broker from an earlier, interrupted start.
    info "pid $stale from $PID_FILE is alive but not answering on $BOOTSTRAP; stopping it first"
    stop_pid "$stale"
  fi
  rm -f "$PID_FILE"

  port_open "$KAFKA_PORT" &&
    die "port $KAFKA_PORT on $KAFKA_HOST is in use by something that does not answer as a Kafka broker. Free it or" \
      "set KAFKA_PORT."
  port_open "$KAFKA_CONTROLLER_PORT" &&
    die "controller port $KAFKA_CONTROLLER_PORT on $KAFKA_HOST is already in use. Free it or set" \
      "KAFKA_CONTROLLER_PORT (the data dir for a port remembers its controller port; 'kafka.sh reset' to change it)."

  find_java
  local t0=$SECONDS
  fetch_jars
  write_properties
  format_if_needed

  # Keep the previous run's log; the readiness check below reads a fresh file.
  if [[ -f $SERVER_LOG ]]; then mv -f "$SERVER_LOG" "$LOG_DIR/previous-run.log"; fi
  : >"$STDOUT_LOG"

  info "starting Kafka $KAFKA_VERSION on $BOOTSTRAP (controller $KAFKA_HOST:$KAFKA_CONTROLLER_PORT, data $DATA_DIR)"
  # The subshell execs (setsid and) nohup, which exec java: $! is the JVM's pid. setsid gives the broker its own
  # session, so a Ctrl-C in the terminal that ran `npm start` reaches the services first and the broker is stopped
  # after them (by the caller's trap), not at the same moment. (The subshell is never a process-group leader here,
  # since scripts run without job control, so setsid does not fork.)
  # fd 9 (the lock) must not leak into the long-lived broker process.
  local detach=()
  if command -v setsid >/dev/null 2>&1; then detach=(setsid); fi
  (
    cd "$DATA_DIR"
    java_argv server.log
    exec "${detach[@]}" nohup "${JAVA_ARGV[@]}" kafka.Kafka "$PROPS_FILE" \
      >"$STDOUT_LOG" 2>&1 </dev/null 9>&-
  ) &
  local pid=$!
  echo "$pid" >"$PID_FILE"

  local deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      show_log_tail 40
      die "the broker process (pid $pid) exited during startup; see the log above ($SERVER_LOG)."
    fi
    if grep -q 'Kafka Server started' "$SERVER_LOG" 2>/dev/null && kafka_answers && groups_ready; then
      break
    fi
    if ((SECONDS >= deadline)); then
      show_log_tail 40
      info "stopping the unready broker (pid $pid)"
      stop_pid "$pid" || true
      rm -f "$PID_FILE"
      local stage="no 'Kafka Server started' line in the log yet"
      if grep -q 'Kafka Server started' "$SERVER_LOG" 2>/dev/null; then
        stage="started, but ApiVersions gets no answer"
        kafka_answers && stage="answers ApiVersions, but the group coordinator (__consumer_offsets) is not available"
      fi
      die "the broker did not become ready on $BOOTSTRAP within ${KAFKA_START_TIMEOUT}s (KAFKA_START_TIMEOUT):" \
        "$stage. See the log above."
    fi
    sleep 0.5
  done
  info "broker ready on $BOOTSTRAP (pid $pid, $((SECONDS - t0))s); logs: $SERVER_LOG"
  echo "$BOOTSTRAP"
}

# Send SIGTERM (controlled shutdown), wait, then SIGKILL after KAFKA_STOP_TIMEOUT.
stop_pid() {
  local pid="$1" waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= KAFKA_STOP_TIMEOUT * 2)); then
      info "pid $pid still running after ${KAFKA_STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      local i
      for ((i = 0; i < 40; i++)); do # up to 10 s for the kernel to tear it down
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.25
      done
      break
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
}

cmd_stop() {
  mkdir -p "$DATA_DIR"
  exec 9>"$DATA_DIR/.lock"
  flock -w $((KAFKA_STOP_TIMEOUT + 60)) 9 || die "could not lock $DATA_DIR/.lock"
  local pid
  if ! pid="$(our_pid)"; then
    rm -f "$PID_FILE"
    if kafka_answers; then
      info "a Kafka broker answers on $BOOTSTRAP but was not started by this script (no live pid in $PID_FILE);" \
        "leaving it alone"
    else
      info "no broker started by this script is running on port $KAFKA_PORT"
    fi
    return 0
  fi
  info "stopping broker pid $pid on $BOOTSTRAP ..."
  local t0=$SECONDS
  stop_pid "$pid"
  if kill -0 "$pid" 2>/dev/null; then
    die "pid $pid did not exit even after SIGKILL"
  fi
  rm -f "$PID_FILE"
  info "stopped ($((SECONDS - t0))s)"
}

cmd_status() {
  local pid
  if kafka_answers; then
    if pid="$(our_pid)"; then
      info "up: $BOOTSTRAP (pid $pid, started by this script, data $DATA_DIR)"
    else
      info "up: $BOOTSTRAP (not started by this script)"
    fi
    return 0
  fi
  if pid="$(our_pid)"; then
    info "down: pid $pid is alive but $BOOTSTRAP does not answer (starting, or stuck; see 'kafka.sh logs')"
  elif port_open "$KAFKA_PORT"; then
    info "down: port $KAFKA_PORT is in use, but not by a Kafka broker that answers"
  else
    info "down: nothing answers on $BOOTSTRAP"
  fi
  return 1
}

cmd_logs() {
  [[ -f $SERVER_LOG ]] || die "no broker log yet at $SERVER_LOG"
  if [[ ${1:-} == "-f" ]]; then
    exec tail -n "${KAFKA_LOG_LINES:-100}" -F "$SERVER_LOG"
  fi
  tail -n "${KAFKA_LOG_LINES:-100}" "$SERVER_LOG"
}

cmd_reset() {
  cmd_stop
  if kafka_answers; then
    die "a broker not started by this script still answers on $BOOTSTRAP; not deleting $DATA_DIR"
  fi
  rm -rf "$DATA_DIR"
  info "deleted $DATA_DIR"
}

case "${1:-help}" in
start) cmd_start ;;
stop) cmd_stop ;;
restart)
  cmd_stop
  cmd_start
  ;;
status) cmd_status ;;
logs) cmd_logs "${2:-}" ;;
fetch)
  fetch_jars
  info "jars cached in $LIBS_DIR"
  ;;
reset) cmd_reset ;;
help | -h | --help) usage ;;
*)
  usage >&2
  exit 2
  ;;
esac
