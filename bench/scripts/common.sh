# Shared helpers for the broker comparison scripts. Source it; do not run it.
#
# Prerequisites (nothing here installs anything; see docs/benchmarks.md):
#   apt-get install rabbitmq-server mosquitto      # Debian 12: RabbitMQ 3.10.8 / Erlang 25, Mosquitto 2.0.11
#   a JDK 17 (java, jcmd), Maven, curl, bc
#   the Junction jars: mvn -B -pl broker -am package -DskipTests && mvn -B -Pbench -pl bench package -DskipTests
#   PERFTEST_CP: the class path of com.rabbitmq:perf-test:2.22.1 (a one-dependency pom, then
#     mvn -q dependency:build-classpath -Dmdep.outputFile=cp.txt; export PERFTEST_CP=$(cat cp.txt))
# A system RabbitMQ (the Debian service) is left alone: the node here has its own name, ports, epmd and dirs.
#
# Everything listens on 127.0.0.1 on non-default ports; every value below can be overridden from the environment.

set -euo pipefail

SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPTS_DIR/../.." && pwd)

: "${BENCH_WORK:=$(mktemp -d -t junction-bench.XXXXXX)}"   # scratch: configs, data dirs, broker logs
: "${BENCH_RESULTS:=$BENCH_WORK/results}"                    # raw tool output, one file per run
: "${BENCH_SECONDS:=30}"                                     # length of a throughput run
: "${BENCH_RUNS:=3}"                                         # runs per case (report the median)
: "${BENCH_WAIT_QUIET:=1}"                                   # 1: wait until no Maven/surefire process runs
: "${BENCH_WAIT_MAX:=600}"                                   # ...for at most this many seconds
: "${JUNCTION_JAR:=$REPO_ROOT/broker/target/junction.jar}"
: "${JUNCTION_XMX:=4g}"
: "${BENCH_JAR:=$REPO_ROOT/bench/target/benchmarks.jar}"
: "${JUNCTION_AMQP_PORT:=5682}"
: "${JUNCTION_MQTT_PORT:=1893}"
: "${JUNCTION_MQTT_WS_PORT:=8093}"
: "${JUNCTION_HTTP_PORT:=15682}"
: "${RABBITMQ_PORT:=5673}"
: "${RABBITMQ_DIST_PORT:=25673}"
: "${RABBITMQ_EPMD_PORT:=4370}"             # a private epmd, so a system RabbitMQ/epmd is not touched
: "${RABBITMQ_BIN:=/usr/lib/rabbitmq/bin}"  # Debian's unwrapped scripts (the /usr/sbin wrappers su to user rabbitmq)
: "${RABBITMQ_NODE:=bench@localhost}"
: "${RABBITMQ_PLUGINS:=}"                   # e.g. rabbitmq_mqtt: enabled in the node's own enabled_plugins file
: "${RABBITMQ_MQTT_PORT:=1885}"             # the MQTT listener, when rabbitmq_mqtt is enabled
: "${MOSQUITTO_PORT:=1884}"
: "${PERFTEST_CP:?set PERFTEST_CP to the class path of com.rabbitmq:perf-test:2.22.1}"

mkdir -p "$BENCH_WORK" "$BENCH_RESULTS"

# Run from copies: a build in the work tree rewrites the jars in place, and a JVM that then loads a class
# lazily from the rewritten jar fails with NoClassDefFoundError (seen: Netty event loops died, shutdown hung).
[ -f "$BENCH_WORK/junction.jar" ] || cp "$JUNCTION_JAR" "$BENCH_WORK/junction.jar"
[ -f "$BENCH_WORK/benchmarks.jar" ] || [ ! -f "$BENCH_JAR" ] || cp "$BENCH_JAR" "$BENCH_WORK/benchmarks.jar"
JUNCTION_JAR="$BENCH_WORK/junction.jar"
BENCH_JAR="$BENCH_WORK/benchmarks.jar"

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# PIDs of this shell and its ancestors, so that a command line mentioning "maven" does not count as a build.
_own_pids() {
    local p=$$
    while [ "${p:-0}" -gt 1 ]; do
        echo "$p"
        p=$(ps -o ppid= -p "$p" | tr -d ' ')
    done
}

_builds_running() {
    local own
    own=$(_own_pids)
    pgrep -f 'surefire|maven' | grep -vxF "$own" || true
}

# Waits (polling every 20 s, at most BENCH_WAIT_MAX s) until no build runs, then logs the load to $1 (a file).
wait_quiet() {
    local note=$1 waited=0
    if [ "$BENCH_WAIT_QUIET" = 1 ]; then
        while [ -n "$(_builds_running)" ] && [ "$waited" -lt "$BENCH_WAIT_MAX" ]; do
            sleep 20
            waited=$((waited + 20))
        done
    fi
    local busy=no
    [ -n "$(_builds_running)" ] && busy=yes
    printf 'waited=%ss builds_still_running=%s uptime=%s\n' "$waited" "$busy" "$(uptime)" >>"$note"
    log "quiet check: waited ${waited}s, builds still running: $busy, $(uptime | sed 's/.*load/load/')"
}

wait_for_port() {
    local port=$1 tries=${2:-600}
    for _ in $(seq "$tries"); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "nothing listens on 127.0.0.1:$port" >&2
    return 1
}

# ---------- Junction ----------

JUNCTION_PID=

# start_junction DATA_DIR LOG_FILE: starts the broker on DATA_DIR (created if missing), waits for "Junction started".
start_junction() {
    local data=$1 logf=$2 conf="$BENCH_WORK/junction.yaml"
    mkdir -p "$data"
    cat >"$conf" <<EOF
listeners:
  amqp:    { enabled: true, bind: 127.0.0.1, port: $JUNCTION_AMQP_PORT }
  mqtt:    { enabled: true, bind: 127.0.0.1, port: $JUNCTION_MQTT_PORT }
  mqtt_ws: { enabled: true, bind: 127.0.0.1, port: $JUNCTION_MQTT_WS_PORT }
  http:    { enabled: true, bind: 127.0.0.1, port: $JUNCTION_HTTP_PORT }
storage: { dir: $data }
EOF
    # Extra top-level sections, e.g. JUNCTION_EXTRA_CONF="users: [...]" (run-mqtt-acl.sh).
    [ -z "${JUNCTION_EXTRA_CONF:-}" ] || printf '%s\n' "$JUNCTION_EXTRA_CONF" >>"$conf"
    # JUNCTION_JAVA_OPTS: extra JVM flags, e.g. -XX:NativeMemoryTracking=summary (run-footprint.sh).
    java -Xmx"$JUNCTION_XMX" ${JUNCTION_JAVA_OPTS:-} -jar "$JUNCTION_JAR" --config "$conf" >"$logf" 2>&1 &
    JUNCTION_PID=$!
    for _ in $(seq 1200); do
        grep -q 'Junction started' "$logf" && return 0
        kill -0 "$JUNCTION_PID" 2>/dev/null || { cat "$logf" >&2; return 1; }
        sleep 0.1
    done
    echo "Junction did not start" >&2
    return 1
}

# stop_junction [SIGNAL]: TERM by default (KILL after 30 s if it has not exited); KILL simulates a crash.
stop_junction() {
    local sig=${1:-TERM}
    [ -n "$JUNCTION_PID" ] || return 0
    kill -"$sig" "$JUNCTION_PID" 2>/dev/null || true
    for _ in $(seq 300); do
        kill -0 "$JUNCTION_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$JUNCTION_PID" 2>/dev/null; then
        log "Junction $JUNCTION_PID did not stop within 30 s of SIG$sig; killing it"
        kill -KILL "$JUNCTION_PID" 2>/dev/null || true
    fi
    wait "$JUNCTION_PID" 2>/dev/null || true
    JUNCTION_PID=
}

# ---------- the web dashboard's polling ----------
#
# What an operator's open dashboard costs the broker: every 5 s the page (broker/src/main/resources/
# dev/junction/broker/dashboard, app.js poll()) fetches /api/overview for the charts, redraws the open page and
# checks /api/whoami. With the overview open the page itself adds /api/queues sorted by depth; another page adds
# its own list instead (JUNCTION_DASHBOARD_PAGE). The same requests, in the same order, with the same basic auth,
# are made here with curl: a headless browser cannot log in without a driver, and its rendering would take the
# cores the broker and the load generator share.
: "${JUNCTION_DASHBOARD_POLL:=0}"            # 1: poll like an open dashboard during every measured Junction run
: "${JUNCTION_DASHBOARD_PAGE:=overview}"     # overview | connections | queues | exchanges | mqtt
: "${JUNCTION_DASHBOARD_USER:=guest:guest}"  # the default administrator (loopback only)
: "${JUNCTION_DASHBOARD_INTERVAL:=5}"        # seconds, app.js POLL_MS
DASHBOARD_POLL_PID=

_dashboard_paths() {
    echo /api/overview
    case $JUNCTION_DASHBOARD_PAGE in
        overview) echo '/api/queues?sort=messages&sort_reverse=true' ;;
        connections) echo /api/connections ;;
        queues) echo /api/queues ;;
        exchanges) echo /api/exchanges; echo /api/bindings ;;
        mqtt) echo /api/mqtt/sessions ;;
        *) echo "unknown JUNCTION_DASHBOARD_PAGE $JUNCTION_DASHBOARD_PAGE" >&2; return 2 ;;
    esac
    echo /api/whoami
}

# start_dashboard_poll LOG_FILE: polls in the background until stop_dashboard_poll; one line per request
# (time, HTTP status, seconds, bytes) goes to LOG_FILE, so a run whose polls failed can be told apart.
start_dashboard_poll() {
    local logf=$1 paths
    paths=$(_dashboard_paths)
    (
        sp=
        trap '[ -z "$sp" ] || kill "$sp" 2>/dev/null; exit 0' TERM
        while :; do
            for p in $paths; do
                printf '%s %s ' "$(date +%s.%N)" "$p"
                curl -s -o /dev/null --max-time 4 -u "$JUNCTION_DASHBOARD_USER" \
                    -w '%{http_code} %{time_total}s %{size_download}B\n' \
                    "http://127.0.0.1:$JUNCTION_HTTP_PORT$p" || echo "curl exit $?"
            done
            sleep "$JUNCTION_DASHBOARD_INTERVAL" &
            sp=$!
            wait "$sp"
            sp=
        done
    ) >>"$logf" 2>&1 &
    DASHBOARD_POLL_PID=$!
}

stop_dashboard_poll() {
    [ -n "$DASHBOARD_POLL_PID" ] || return 0
    kill "$DASHBOARD_POLL_PID" 2>/dev/null || true
    wait "$DASHBOARD_POLL_PID" 2>/dev/null || true
    DASHBOARD_POLL_PID=
}

# ---------- RabbitMQ ----------

_rabbit_env() {
    local base="$BENCH_WORK/rabbitmq"
    export HOME="$base/home"                              # the Erlang cookie lives here
    export RABBITMQ_NODENAME="$RABBITMQ_NODE"
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT="$RABBITMQ_PORT"
    export RABBITMQ_DIST_PORT
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    export ERL_EPMD_PORT="$RABBITMQ_EPMD_PORT"
    export ERL_EPMD_ADDRESS=127.0.0.1
    export RABBITMQ_MNESIA_BASE="$base/mnesia"
    export RABBITMQ_LOG_BASE="$base/log"
    export RABBITMQ_PID_FILE="$base/node.pid"
    export ERL_CRASH_DUMP="$base/log/erl_crash.dump"         # not the working directory (a checkout)
    export RABBITMQ_CONFIG_FILE="$base/rabbitmq.conf"
    export RABBITMQ_ADVANCED_CONFIG_FILE="$base/advanced.config"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins"
    export RABBITMQ_CONF_ENV_FILE="$base/rabbitmq-env.conf"
    mkdir -p "$HOME" "$RABBITMQ_LOG_BASE"
    touch "$RABBITMQ_CONF_ENV_FILE"
    # Plugins only from this private file: the system's /etc/rabbitmq/enabled_plugins is never read or changed.
    echo "[${RABBITMQ_PLUGINS// /,}]." >"$RABBITMQ_ENABLED_PLUGINS_FILE"
    {
        printf 'listeners.tcp.1 = 127.0.0.1:%s\n' "$RABBITMQ_PORT"
        if [[ " $RABBITMQ_PLUGINS " == *" rabbitmq_mqtt "* ]]; then
            printf 'mqtt.listeners.tcp.1 = 127.0.0.1:%s\n' "$RABBITMQ_MQTT_PORT"
        fi
        # Extra lines, e.g. RABBITMQ_EXTRA_CONF='mqtt.prefetch = 100'.
        [ -z "${RABBITMQ_EXTRA_CONF:-}" ] || printf '%s\n' "$RABBITMQ_EXTRA_CONF"
    } >"$RABBITMQ_CONFIG_FILE"
}

rabbitmqctl_() { (_rabbit_env && "$RABBITMQ_BIN/rabbitmqctl" -n "$RABBITMQ_NODE" "$@"); }

# start_rabbitmq: fresh node (empty mnesia dir) on RABBITMQ_PORT, no plugins.
start_rabbitmq() {
    (
        _rabbit_env
        rm -rf "$RABBITMQ_MNESIA_BASE"
        rm -f "$RABBITMQ_PID_FILE"
        # Started in the background rather than with -detached: a detached node that fails at boot leaves no trace
        # (seen: an empty log dir and a 120 s wait), while its console output here says why.
        "$RABBITMQ_BIN/rabbitmq-server" >>"$RABBITMQ_LOG_BASE/console.txt" 2>&1 </dev/null &
        # "wait PID_FILE" waits for the pid file, then for the node to have started.
        "$RABBITMQ_BIN/rabbitmqctl" -n "$RABBITMQ_NODE" -q wait --timeout 120 "$RABBITMQ_PID_FILE"
    ) || { tail -20 "$BENCH_WORK/rabbitmq/log/console.txt" >&2; return 1; }
    wait_for_port "$RABBITMQ_PORT" || return 1
    if [[ " $RABBITMQ_PLUGINS " == *" rabbitmq_mqtt "* ]]; then wait_for_port "$RABBITMQ_MQTT_PORT" || return 1; fi
}

stop_rabbitmq() {
    # "stop PID_FILE" returns only once that OS process has exited.
    [ -f "$BENCH_WORK/rabbitmq/node.pid" ] &&
        rabbitmqctl_ -q stop "$BENCH_WORK/rabbitmq/node.pid" >/dev/null 2>&1 || true
    rm -f "$BENCH_WORK/rabbitmq/node.pid"
    # rabbitmq-server starts a private epmd on RABBITMQ_EPMD_PORT; stop that one (and only that one) too.
    # epmd takes its port from ERL_EPMD_PORT, so find it by the port it listens on.
    local epmd
    epmd=$(ss -Hltnp "sport = :$RABBITMQ_EPMD_PORT" 2>/dev/null | grep -o 'epmd",pid=[0-9]*' | cut -d= -f2 | sort -u) || true
    [ -z "$epmd" ] || kill $epmd 2>/dev/null || true
}

rabbitmq_version() { rabbitmqctl_ -q version 2>/dev/null || true; }

# ---------- Mosquitto ----------

MOSQUITTO_PID=

start_mosquitto() {
    local logf=$1 conf="$BENCH_WORK/mosquitto.conf"
    # No -v: verbose logging prints every PUBLISH and would measure the logger. User root (when run as root):
    # mosquitto would otherwise switch to user mosquitto, which cannot write the scratch dir.
    {
        echo "listener $MOSQUITTO_PORT 127.0.0.1"
        echo "allow_anonymous true"
        echo "persistence false"
        echo "log_dest stdout"
        [ "$(id -u)" = 0 ] && echo "user root"
        # Extra lines, e.g. MOSQUITTO_EXTRA_CONF='max_inflight_messages 100' (Junction's mqtt.max_inflight default).
        [ -z "${MOSQUITTO_EXTRA_CONF:-}" ] || printf '%s\n' "$MOSQUITTO_EXTRA_CONF"
    } >"$conf"
    mosquitto -c "$conf" >"$logf" 2>&1 &
    MOSQUITTO_PID=$!
    wait_for_port "$MOSQUITTO_PORT"
}

stop_mosquitto() {
    [ -n "$MOSQUITTO_PID" ] || return 0
    kill "$MOSQUITTO_PID" 2>/dev/null || true
    wait "$MOSQUITTO_PID" 2>/dev/null || true
    MOSQUITTO_PID=
}

# ---------- tools ----------

perftest() { java -cp "$PERFTEST_CP" com.rabbitmq.perf.PerfTest "$@"; }

mqtt_pairs() { java -cp "$BENCH_JAR" dev.junction.bench.MqttPairsLoad "$@"; }

stop_all() {
    stop_dashboard_poll
    stop_junction
    stop_mosquitto
    stop_rabbitmq
}
