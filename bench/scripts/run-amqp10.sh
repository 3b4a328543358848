#!/usr/bin/env bash
# run-amqp10.sh [CASE...]: AMQP 1.0 with JMS (Apache Qpid JMS 2.7.0, dev.junction.bench.JmsThroughput), one
# producer and one consumer on one queue, each on its own connection, against Junction, ActiveMQ Artemis 2.40
# (embedded, its AMQP protocol module) and RabbitMQ 3.10.8 with its rabbitmq_amqp1_0 plugin. BENCH_RUNS runs
# each, brokers alternating (J, A, R, J, A, R, ...) so that drifting background load hits all alike; every run
# gets a freshly started broker with an empty data directory. Prints the median msg/s received per broker and
# the ratios as a Markdown table.
#
#   persistent-sync    persistent messages, JMS's default: each send waits for the broker's accepted
#   persistent-async   persistent messages, jms.forceAsyncSend=true: the broker's link credit bounds the window
#   nonpersistent      non-persistent messages (Qpid JMS sends them asynchronously in any case)
#   nonpersistent-async  the same with jms.forceAsyncSend=true (the same path in the client; not run by default)
#
# Messages are JMS BytesMessages of AMQP10_SIZE bytes (16); the consumer's session is AUTO_ACKNOWLEDGE with the
# client's default prefetch (1000), counting in a message listener. A run measures AMQP10_SECONDS (20) after AMQP10_WARMUP (5) seconds.
# The consumer then has AMQP10_DRAIN (20) seconds to empty the queue; a run where it did not (a broker whose
# consumer falls behind its producer) is marked "*" in the table, its rate still counted.
# Each raw file also has the broker's CPU per message received (BROKER_CPU, from /proc) and the clients' CPU
# (client_cores). AMQP10_BROKERS picks and orders the brokers; "baseline" is Junction again from BASELINE_JAR
# (another build), so a change is measured against the build before it in the same alternation.
# Two more: "rabbitmq-durable" is RabbitMQ with the queue declared durable before the clients attach (plain
# "rabbitmq" gets the transient queue its plugin declares for Qpid JMS, see queue_for), "junction-transient" is
# Junction with the queue declared transient first; each gets a line of its own under the table.
# Raw output: $BENCH_RESULTS/amqp10-CASE-BROKER-RUN.txt. AMQP10_TABLE_ONLY=1 only prints the table of the runs
# found in $BENCH_RESULTS (to join cases run under separate locks with the same BENCH_WORK).
#
# Needs: broker/target/junction.jar and bench/target/benchmarks.jar (see common.sh), RabbitMQ 3.10.8 (Debian),
# and Maven to resolve Artemis's class path (ARTEMIS_CP, else built from a one-pom project in BENCH_WORK).
: "${PERFTEST_CP:=unused}"                    # common.sh asks for it; PerfTest is not used here
: "${RABBITMQ_PLUGINS:=rabbitmq_amqp1_0}"      # serves AMQP 1.0 on the AMQP 0-9-1 listener (RABBITMQ_PORT)
source "$(dirname "$0")/common.sh"
if [ "${AMQP10_TABLE_ONLY:-0}" = 1 ]; then
    trap - EXIT   # only reads results: must not stop the brokers of a run going on in the same BENCH_WORK
else
    trap 'stop_all; stop_artemis' EXIT
    trap "exit 143" INT TERM
fi

: "${AMQP10_BROKERS:=junction artemis rabbitmq}"
: "${AMQP10_SECONDS:=20}"
: "${AMQP10_WARMUP:=5}"
: "${AMQP10_SIZE:=16}"
: "${AMQP10_TABLE_ONLY:=0}"
: "${ARTEMIS_VERSION:=2.40.0}"
: "${ARTEMIS_PORT:=5692}"
: "${ARTEMIS_XMX:=$JUNCTION_XMX}"
: "${AMQP10_DRAIN:=20}"                   # seconds the consumer may take to empty the queue after the window
: "${JMS_JAVA_OPTS:=}"
: "${BASELINE_JAR:=}"                    # broker "baseline" in AMQP10_BROKERS: another junction.jar, to compare two builds

cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(persistent-sync persistent-async nonpersistent)

# ---------- ActiveMQ Artemis ----------

artemis_classpath() {
    [ -z "${ARTEMIS_CP:-}" ] || return 0
    local dir="$BENCH_WORK/artemis-cp"
    mkdir -p "$dir"
    cat >"$dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>bench</groupId><artifactId>artemis-cp</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.activemq</groupId><artifactId>artemis-server</artifactId><version>$ARTEMIS_VERSION</version></dependency>
    <dependency><groupId>org.apache.activemq</groupId><artifactId>artemis-amqp-protocol</artifactId><version>$ARTEMIS_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-simple</artifactId><version>2.0.17</version></dependency>
  </dependencies>
</project>
POM
    (cd "$dir" && mvn -q dependency:build-classpath -Dmdep.outputFile=cp.txt >/dev/null)
    ARTEMIS_CP=$(cat "$dir/cp.txt")
    # the launcher alone, without the bench jar's Netty 4.2, next to Artemis's own class path
    rm -rf "$BENCH_WORK/artemis-launcher"
    mkdir -p "$BENCH_WORK/artemis-launcher"
    (cd "$BENCH_WORK/artemis-launcher" && unzip -q "$BENCH_JAR" 'dev/junction/bench/artemis/*')
    ARTEMIS_CP="$ARTEMIS_CP:$BENCH_WORK/artemis-launcher"
}

ARTEMIS_PID=

start_artemis() {
    local data=$1 logf=$2
    mkdir -p "$data"
    java -Xmx"$ARTEMIS_XMX" ${ARTEMIS_JAVA_OPTS:-} -cp "$ARTEMIS_CP" dev.junction.bench.artemis.ArtemisLauncher \
        "$ARTEMIS_PORT" "$data" >"$logf" 2>&1 &
    ARTEMIS_PID=$!
    for _ in $(seq 1200); do
        grep -q 'Artemis started' "$logf" && return 0
        kill -0 "$ARTEMIS_PID" 2>/dev/null || { cat "$logf" >&2; return 1; }
        sleep 0.1
    done
    echo "Artemis did not start" >&2
    return 1
}

stop_artemis() {
    [ -n "$ARTEMIS_PID" ] || return 0
    kill "$ARTEMIS_PID" 2>/dev/null || true
    for _ in $(seq 300); do
        kill -0 "$ARTEMIS_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$ARTEMIS_PID" 2>/dev/null || true
    wait "$ARTEMIS_PID" 2>/dev/null || true
    ARTEMIS_PID=
}


# ---------- runs ----------

url_and_mode() {
    local port=$1
    case $2 in
        persistent-sync) echo "amqp://127.0.0.1:$port persistent" ;;
        persistent-async) echo "amqp://127.0.0.1:$port?jms.forceAsyncSend=true persistent" ;;
        nonpersistent) echo "amqp://127.0.0.1:$port non-persistent" ;;
        nonpersistent-async) echo "amqp://127.0.0.1:$port?jms.forceAsyncSend=true non-persistent" ;;
        *) echo "unknown case $2" >&2; exit 2 ;;
    esac
}

# The queue: RabbitMQ 3.x's plugin takes v1 addresses only ("/queue/bench" declares a transient queue, see below); Junction
# takes the same form; Artemis names queues plainly ("bench", created on first use, durable).
queue_for() {
    case $1 in
        artemis) echo bench ;;
        rabbitmq-durable) echo /amq/queue/bench ;;
        *) echo /queue/bench ;;
    esac
}

# "rabbitmq-durable": RabbitMQ with the queue declared durable before the clients attach. The plugin declares the
# queue of a "/queue/bench" link durable only when the link's terminus is (rabbit_amqp1_0_link_util:durable/1),
# and Qpid JMS's terminus durability is "none", so under plain "rabbitmq" the queue is transient, and persistent
# messages in it are never written to disk (`rabbitmqctl list_queues name durable` during a run: bench false).
# "/amq/queue/bench" names an existing queue without declaring it.
# "junction-transient": Junction with the queue declared transient first (the management API), the counterpart of
# plain "rabbitmq": persistent messages in a transient queue are not written to the store.
declare_junction_transient_queue() {
    curl -fsS -u guest:guest -X PUT -H 'content-type: application/json' -d '{"durable": false}' \
        "http://127.0.0.1:$JUNCTION_HTTP_PORT/api/queues/%2F/bench" >/dev/null
}

declare_rabbitmq_durable_queue() {
    rabbitmqctl_ -q eval '{new, _} = rabbit_amqqueue:declare(rabbit_misc:r(<<"/">>, queue, <<"bench">>), true, false, [], none, <<"bench">>), ok.' >/dev/null
}

measure() {
    local c=$1 broker=$2 run=$3 out="$BENCH_RESULTS/amqp10-$1-$2-$3.txt" port
    wait_quiet "$BENCH_RESULTS/load.txt"
    echo "amqp10-$c-$broker-$run start $(uptime)" >>"$BENCH_RESULTS/load.txt"
    case $broker in
        junction)
            rm -rf "$BENCH_WORK/junction-data"
            start_junction "$BENCH_WORK/junction-data" "$BENCH_RESULTS/junction-amqp10-$c-$run.log"
            port=$JUNCTION_AMQP_PORT ;;
        junction-transient)
            rm -rf "$BENCH_WORK/junction-data"
            start_junction "$BENCH_WORK/junction-data" "$BENCH_RESULTS/junction-transient-amqp10-$c-$run.log"
            declare_junction_transient_queue
            port=$JUNCTION_AMQP_PORT ;;
        baseline)
            rm -rf "$BENCH_WORK/junction-data"
            JUNCTION_JAR="$BASELINE_JAR" start_junction "$BENCH_WORK/junction-data" \
                "$BENCH_RESULTS/baseline-amqp10-$c-$run.log"
            port=$JUNCTION_AMQP_PORT ;;
        artemis)
            rm -rf "$BENCH_WORK/artemis-data"
            start_artemis "$BENCH_WORK/artemis-data" "$BENCH_RESULTS/artemis-amqp10-$c-$run.log"
            port=$ARTEMIS_PORT ;;
        rabbitmq)
            start_rabbitmq
            port=$RABBITMQ_PORT ;;
        rabbitmq-durable)
            start_rabbitmq
            declare_rabbitmq_durable_queue
            port=$RABBITMQ_PORT ;;
    esac
    read -r url mode < <(url_and_mode "$port" "$c")
    log "amqp10 $c $broker run $run: JmsThroughput $url $(queue_for "$broker") $mode"
    local pid cpu0
    pid=$(broker_pid "$broker")
    cpu0=$(cpu_ticks "$pid")
    # shellcheck disable=SC2086
    java -Dbench.drainSeconds="$AMQP10_DRAIN" $JMS_JAVA_OPTS -cp "$BENCH_JAR" dev.junction.bench.JmsThroughput "$url" "$(queue_for "$broker")" "$mode" \
        "$AMQP10_SECONDS" "$AMQP10_WARMUP" "$AMQP10_SIZE" >"$out" 2>&1 || echo "JmsThroughput exit $?" >>"$out"
    # the broker's CPU over the whole client run (warm-up, window, drain) per message received: its cost per message
    awk -v t0="$cpu0" -v t1="$(cpu_ticks "$pid")" -v hz="$(getconf CLK_TCK)" '
        /^RESULT/ { for (i = 1; i <= NF; i++) if ($i ~ /^received=/) { split($i, kv, "="); n = kv[2] } }
        END { if (n > 0 && t0 != "" && t1 != "") printf "BROKER_CPU cpu_s=%.1f us_per_msg=%.1f\n", (t1 - t0) / hz, (t1 - t0) / hz * 1e6 / n }
    ' "$out" >>"$out"
    echo "amqp10-$c-$broker-$run end $(uptime)" >>"$BENCH_RESULTS/load.txt"
    case $broker in
        junction|junction-transient|baseline) stop_junction ;;
        artemis) stop_artemis ;;
        rabbitmq|rabbitmq-durable) stop_rabbitmq ;;
    esac
    grep -E '^(RESULT|FAILED|all |BROKER_CPU)' "$out" >&2 || tail -3 "$out" >&2
}

# The broker's process id, for its CPU time.
broker_pid() {
    case $1 in
        junction|junction-transient|baseline) echo "$JUNCTION_PID" ;;
        artemis) echo "$ARTEMIS_PID" ;;
        rabbitmq|rabbitmq-durable) ( _rabbit_env; cat "$RABBITMQ_PID_FILE" 2>/dev/null ) ;;
    esac
}

# user + system CPU of a process so far, in clock ticks (/proc/PID/stat fields 14 and 15)
cpu_ticks() { [ -n "$1" ] && awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null; }

rate() { grep -o 'received_per_s=[0-9]*' "$1" 2>/dev/null | cut -d= -f2; }

table() {
    local c b f v base=0 extra_lines=()
    ls "$BENCH_RESULTS"/amqp10-*-baseline-*.txt >/dev/null 2>&1 && base=1
    if [ $base = 1 ]; then
        echo "| case | Junction msg/s | baseline msg/s | Artemis msg/s | RabbitMQ msg/s | Junction / baseline | Junction / Artemis | Junction / RabbitMQ | baseline / Artemis | runs (J; B; A; R) |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    else
        echo "| case | Junction msg/s | Artemis msg/s | RabbitMQ msg/s | Junction / Artemis | Junction / RabbitMQ | runs (J; A; R) |"
        echo "|---|---:|---:|---:|---:|---:|---|"
    fi
    for c in "${cases[@]}"; do
        declare -A med=() runs=()
        for b in junction baseline artemis rabbitmq; do
            local vals=()
            for f in "$BENCH_RESULTS"/amqp10-"$c"-"$b"-[0-9]*.txt; do
                [ -f "$f" ] || continue
                v=$(rate "$f")
                # no RESULT line: "x", not counted; a run that ended with FAILED (a client error after the window,
                # messages not received by the end of the drain) is counted and marked "*": see the raw file
                if [ -z "$v" ]; then vals+=("x"); elif grep -q '^FAILED' "$f"; then vals+=("$v*"); else vals+=("$v"); fi
            done
            local ok=()
            for v in "${vals[@]}"; do [ "$v" = x ] || ok+=("${v%\*}"); done
            med[$b]=$([ ${#ok[@]} -gt 0 ] && "$SCRIPTS_DIR/median.sh" "${ok[@]}" || echo "")
            runs[$b]=$(IFS=/; echo "${vals[*]}")
        done
        ratio_to() { [ -n "${med[$1]}" ] && awk -v a="${med[$1]}" -v b="$2" 'BEGIN { printf "%.2f", a / b }' || echo "-"; }
        ratio() { [ -n "${med[$1]}" ] && [ -n "${med[$2]}" ] && awk -v a="${med[$1]}" -v b="${med[$2]}" 'BEGIN { printf "%.2f", a / b }' || echo "-"; }
        if [ $base = 1 ]; then
            printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s; %s; %s; %s |\n' "$c" "${med[junction]:--}" \
                "${med[baseline]:--}" "${med[artemis]:--}" "${med[rabbitmq]:--}" "$(ratio junction baseline)" \
                "$(ratio junction artemis)" "$(ratio junction rabbitmq)" "$(ratio baseline artemis)" \
                "${runs[junction]}" "${runs[baseline]}" "${runs[artemis]}" "${runs[rabbitmq]}"
        else
            printf '| %s | %s | %s | %s | %s | %s | %s; %s; %s |\n' "$c" "${med[junction]:--}" "${med[artemis]:--}" \
                "${med[rabbitmq]:--}" "$(ratio junction artemis)" "$(ratio junction rabbitmq)" \
                "${runs[junction]}" "${runs[artemis]}" "${runs[rabbitmq]}"
        fi
        local dm x
        for x in rabbitmq-durable junction-transient; do
            dm=$(extra_median "$c" "$x")
            [ -z "$dm" ] || extra_lines+=("$c: $x $dm msg/s (runs $(for f in \
                "$BENCH_RESULTS"/amqp10-"$c"-"$x"-*.txt; do rate "$f"; done | paste -sd/)); Junction / it \
$(ratio_to junction "$dm"), baseline / it $(ratio_to baseline "$dm"), it / RabbitMQ $(awk -v a="$dm" \
                -v b="${med[rabbitmq]:-0}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }')")
        done
        unset med runs
    done
    [ ${#extra_lines[@]} -eq 0 ] || { echo; printf '%s\n' "${extra_lines[@]}"; }
}

# The median rate of the runs of case $1 against pseudo-broker $2, or nothing.
extra_median() {
    local vals=() f v
    for f in "$BENCH_RESULTS"/amqp10-"$1"-"$2"-*.txt; do
        [ -f "$f" ] && v=$(rate "$f") && [ -n "$v" ] && vals+=("$v")
    done
    [ ${#vals[@]} -eq 0 ] || "$SCRIPTS_DIR/median.sh" "${vals[@]}"
}

if [ "$AMQP10_TABLE_ONLY" != 1 ]; then
    [[ " $AMQP10_BROKERS " != *" artemis "* ]] || artemis_classpath
    for c in "${cases[@]}"; do
        url_and_mode 0 "$c" >/dev/null
        for run in $(seq "$BENCH_RUNS"); do
            for broker in $AMQP10_BROKERS; do
                measure "$c" "$broker" "$run"
            done
        done
    done
fi
table
log "results in $BENCH_RESULTS"
