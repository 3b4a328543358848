# The cases of bench/sidebyside, and its Markdown table. Sourced by bench/sidebyside after common.sh; not run alone.
#
# A case is a function case_NAME that runs its tool against each of its brokers, alternating, BENCH_RUNS times
# (alternate), and records what it measured (record): one line per value in $RESULTS_TSV. write_markdown turns those
# lines into the table: per row the median of each broker's values, and the ratio Junction vs the row's reference.

# ---------- brokers ----------

amqp_port() { case $1 in junction) echo "$JUNCTION_AMQP_PORT" ;; rabbitmq*) echo "$RABBITMQ_PORT" ;; *) echo none ;; esac; }
mqtt_port() {
    case $1 in
        junction) echo "$JUNCTION_MQTT_PORT" ;;
        rabbitmq-mqtt) echo "$RABBITMQ_MQTT_PORT" ;;
        mosquitto) echo "$MOSQUITTO_PORT" ;;
        *) echo none ;;
    esac
}

# start_broker NAME PREFIX: a fresh broker (empty data directory). rabbitmq-mqtt is RabbitMQ with rabbitmq_mqtt
# enabled in its private enabled_plugins file. A RabbitMQ start that times out is retried once.
start_broker() {
    case $1 in
        junction)
            rm -rf "$BENCH_WORK/junction-data"
            start_junction "$BENCH_WORK/junction-data" "$2-broker.log"
            ;;
        rabbitmq | rabbitmq-mqtt)
            if [ "$1" = rabbitmq-mqtt ]; then RABBITMQ_PLUGINS=rabbitmq_mqtt; else RABBITMQ_PLUGINS=; fi
            start_rabbitmq || { log "RabbitMQ did not start; once more"; stop_rabbitmq; start_rabbitmq; }
            ;;
        mosquitto) start_mosquitto "$2-broker.log" ;;
    esac
}

stop_broker() {
    case $1 in
        junction) stop_junction ;;
        rabbitmq*) stop_rabbitmq ;;
        mosquitto) stop_mosquitto ;;
    esac
}

broker_label() {
    case $1 in
        junction) echo Junction ;;
        rabbitmq) echo RabbitMQ ;;
        rabbitmq-mqtt) echo "RabbitMQ+MQTT" ;;
        mosquitto) echo Mosquitto ;;
    esac
}

# ---------- running and recording ----------

# alternate CASE "BROKER..." FUNCTION [RUNS]: RUNS rounds; in each, every broker in turn is started fresh, measured
# by FUNCTION CASE BROKER RUN PREFIX, and stopped. Each round holds BENCH_LOCK, so the brokers of one round see the
# same machine.
alternate() {
    local case=$1 brokers=$2 fn=$3 runs=${4:-$BENCH_RUNS} run b prefix
    for run in $(seq "$runs"); do
        take_lock
        echo "$case run $run start: $(uptime)" >>"$LOADS"
        for b in $brokers; do
            prefix="$BENCH_RESULTS/$case-$b-$run"
            if ! start_broker "$b" "$prefix"; then
                log "$case: $b did not start"
                stop_broker "$b"
                continue
            fi
            log "$case $b run $run"
            "$fn" "$case" "$b" "$run" "$prefix" || log "$case $b run $run: exit $?"
            stop_broker "$b"
        done
        echo "$case run $run end: $(uptime)" >>"$LOADS"
        drop_lock
    done
}

# tool OUT COMMAND...: runs COMMAND (output to OUT) with a time limit and notes it in $COMMANDS, class paths
# shortened.
tool() {
    local out=$1
    shift
    local shown="$*"
    shown=${shown//"$PERFTEST_CP"/'$PERFTEST_CP'}
    shown=${shown//"$BENCH_JAR"/benchmarks.jar}
    grep -qxF -- "$shown" "$COMMANDS" || echo "$shown" >>"$COMMANDS"
    timeout "${SBS_TOOL_TIMEOUT:-1800}" "$@" >"$out" 2>&1 || echo "tool exit $?" >>"$out"
}

# declare_row CASE ROW BETTER REFERENCE: the row's order in the table, whether higher (hi) or lower (lo) is better,
# and the broker its ratio is taken against.
declare_row() {
    grep -qF -- "$(printf 'row\t%s\t%s\t' "$1" "$2")" "$RESULTS_TSV" || printf 'row\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS_TSV"
}

# record CASE ROW BROKER RUN VALUE (an empty value is skipped: the tool did not print it).
record() {
    [ -n "$5" ] || { log "$1 / $2: no value for $3 run $4"; return 0; }
    printf 'val\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS_TSV"
}

# field KEY FILE [PATTERN]: the value of KEY=value on the last line of FILE matching PATTERN.
field() { grep -E -- "${3:-.}" "$2" 2>/dev/null | tail -1 | grep -oE "(^| )$1=[^ ]*" | cut -d= -f2; }

# ---------- AMQP 0-9-1 (PerfTest) ----------

perftest_flags() {
    case $1 in
        amqp-ack) echo "-x 1 -y 1" ;;                            # PerfTest's defaults: manual ack per message
        amqp-autoack) echo "-x 1 -y 1 -a" ;;
        amqp-confirm) echo "-x 1 -y 1 -f persistent -c 100" ;;
        amqp-100q) echo "-x 100 -y 100 --queue-pattern sbs-%d --queue-pattern-from 1 --queue-pattern-to 100" ;;
        amqp-fanout) echo "-x 1 -y 10 -e sbs.fanout -t fanout" ;; # a queue per consumer, all bound to the exchange
        latency-amqp) echo "-x 1 -y 1 -f persistent -c 100 --rate 10000" ;;
    esac
}

# PerfTest's latency summary "KIND latency min/median/75th/95th/99th a/b/c/d/e µs" (whole run): field N in ms.
perftest_latency() {
    grep -E "$1 latency min/median" "$3" | tail -1 | awk -v n="$2" '{ split($(NF - 1), v, "/"); printf "%.2f", v[n] / 1000 }'
}

# The median of the per-second "KIND latency: a/b/c/d/e µs" value N after the first 5 s, in ms.
perftest_latency_steady() {
    awk -v kind="$1 latency:" -v n="$2" '
        / time:? [0-9.]+ ?s, sent: / && index($0, kind) {
            t = $0; sub(/.* time:? /, "", t); if (t + 0 < 5.5) next
            s = substr($0, index($0, kind) + length(kind)); split(s, f, " "); split(f[1], v, "/"); x[++k] = v[n] / 1000
        }
        END {
            if (k == 0) exit
            for (i = 2; i <= k; i++) { t = x[i]; for (j = i - 1; j >= 1 && x[j] > t; j--) x[j + 1] = x[j]; x[j + 1] = t }
            printf "%.2f", k % 2 ? x[(k + 1) / 2] : (x[k / 2] + x[k / 2 + 1]) / 2
        }' "$3"
}

measure_perftest() {
    local case=$1 b=$2 run=$3 prefix=$4
    # shellcheck disable=SC2046
    tool "$prefix.txt" java -cp "$PERFTEST_CP" com.rabbitmq.perf.PerfTest -h "amqp://guest:guest@127.0.0.1:$(amqp_port "$b")" \
        $(perftest_flags "$case") -z "$SBS_SECONDS"
    local summary
    summary=$("$SCRIPTS_DIR/perftest-summary.sh" "$prefix.txt")
    if [ "$case" = latency-amqp ]; then
        record "$case" "sent msg/s (target 10,000)" "$b" "$run" "$(echo "$summary" | grep -o 'median_sent=[0-9]*' | cut -d= -f2)"
        record "$case" "confirm latency p50, ms" "$b" "$run" "$(perftest_latency confirm 2 "$prefix.txt")"
        record "$case" "confirm latency p99, ms (whole run)" "$b" "$run" "$(perftest_latency confirm 5 "$prefix.txt")"
        record "$case" "confirm latency p99, ms (median of per-second p99 after 5 s)" "$b" "$run" \
            "$(perftest_latency_steady confirm 5 "$prefix.txt")"
    else
        record "$case" "received msg/s" "$b" "$run" "$(echo "$summary" | grep -o 'median_received=[0-9]*' | cut -d= -f2)"
        if [ "$case" = amqp-confirm ]; then
            record "$case" "confirm latency p99, ms (whole run)" "$b" "$run" "$(perftest_latency confirm 5 "$prefix.txt")"
        fi
    fi
}

amqp_case() {
    local case=$1
    if [ "$case" = latency-amqp ]; then
        declare_row "$case" "sent msg/s (target 10,000)" hi rabbitmq
        declare_row "$case" "confirm latency p50, ms" lo rabbitmq
        declare_row "$case" "confirm latency p99, ms (whole run)" lo rabbitmq
        declare_row "$case" "confirm latency p99, ms (median of per-second p99 after 5 s)" lo rabbitmq
    else
        declare_row "$case" "received msg/s" hi rabbitmq
        [ "$case" != amqp-confirm ] || declare_row "$case" "confirm latency p99, ms (whole run)" lo rabbitmq
    fi
    alternate "$case" "junction rabbitmq" measure_perftest
}
case_amqp_ack() { amqp_case "$1"; }
case_amqp_autoack() { amqp_case "$1"; }
case_amqp_confirm() { amqp_case "$1"; }
case_amqp_100q() { amqp_case "$1"; }
case_amqp_fanout() { amqp_case "$1"; }
case_latency_amqp() { amqp_case "$1"; }

# ---------- MQTT rates (MqttPairsLoad) and fixed-rate latency (MqttRateLatency) ----------

pairs_args() {
    case $1 in
        mqtt-qos0) echo "1 0" ;;
        mqtt-qos0-100) echo "100 0" ;;
        mqtt-qos1) echo "1 1" ;;
    esac
}

measure_pairs() {
    local case=$1 b=$2 run=$3 prefix=$4 pairs qos
    read -r pairs qos < <(pairs_args "$case")
    tool "$prefix.txt" java -cp "$BENCH_JAR" dev.junction.bench.MqttPairsLoad 127.0.0.1 "$(mqtt_port "$b")" \
        "$pairs" "$qos" "$SBS_SECONDS" 64
    record "$case" "received msg/s" "$b" "$run" "$(grep -oE '=> [0-9]+ msg/s' "$prefix.txt" | tail -1 | tr -dc '0-9')"
    record "$case" "sent but never received (after a drain)" "$b" "$run" "$(field lost "$prefix.txt" 'after the drain')"
}

mqtt_pairs_case() {
    declare_row "$1" "received msg/s" hi mosquitto
    declare_row "$1" "sent but never received (after a drain)" lo mosquitto
    alternate "$1" "junction mosquitto" measure_pairs
}
case_mqtt_qos0() { mqtt_pairs_case "$1"; }
case_mqtt_qos0_100() { mqtt_pairs_case "$1"; }
case_mqtt_qos1() { mqtt_pairs_case "$1"; }

measure_mqtt_latency() {
    local case=$1 b=$2 run=$3 prefix=$4
    tool "$prefix.txt" java -cp "$BENCH_JAR" dev.junction.bench.fleet.MqttRateLatency "mqtt=127.0.0.1:$(mqtt_port "$b")" \
        rate=10000 qos=1 size=64 warmup=5 "seconds=$SBS_SECONDS"
    record "$case" "end-to-end p50, ms" "$b" "$run" "$(field p50_ms "$prefix.txt" '^step')"
    record "$case" "end-to-end p99, ms" "$b" "$run" "$(field p99_ms "$prefix.txt" '^step')"
    record "$case" "end-to-end p99.9, ms" "$b" "$run" "$(field p999_ms "$prefix.txt" '^step')"
    record "$case" "lost" "$b" "$run" "$(field lost "$prefix.txt" '^step')"
}

case_latency_mqtt() {
    local r
    for r in "end-to-end p50, ms" "end-to-end p99, ms" "end-to-end p99.9, ms" lost; do declare_row "$1" "$r" lo mosquitto; done
    alternate "$1" "junction mosquitto" measure_mqtt_latency
}

# ---------- fleet: telemetry and commands ----------

measure_telemetry() {
    local case=$1 b=$2 run=$3 prefix=$4 search=0 r
    [ "$SBS_HOLD_SECONDS" = 0 ] || search=1
    tool "$prefix.txt" java -Xmx2g -cp "$BENCH_JAR" dev.junction.bench.fleet.FleetTelemetryLoad \
        "mqtt=127.0.0.1:$(mqtt_port "$b")" "amqp=127.0.0.1:$(amqp_port "$b")" "devices=$SBS_DEVICES" \
        "rates=$SBS_RATES" "seconds=$SBS_STEP_SECONDS" warmup=10 "search=$search" probe_seconds=20 \
        "hold_seconds=$SBS_HOLD_SECONDS" consumers=2 prefetch=500 ${SBS_TELEMETRY_ARGS:-}
    for r in ${SBS_RATES//,/ }; do
        local pat="^step kind=fixed rate=$r "
        record "$case" "$r msg/s: p50, ms" "$b" "$run" "$(field p50_ms "$prefix.txt" "$pat")"
        record "$case" "$r msg/s: p99, ms" "$b" "$run" "$(field p99_ms "$prefix.txt" "$pat")"
        record "$case" "$r msg/s: p99.9, ms" "$b" "$run" "$(field p999_ms "$prefix.txt" "$pat")"
        record "$case" "$r msg/s: lost" "$b" "$run" "$(field lost "$prefix.txt" "$pat")"
    done
    [ $search = 0 ] || record "$case" "highest rate held ${SBS_HOLD_SECONDS} s (p99 < 100 ms, none lost), msg/s" \
        "$b" "$run" "$(field rate "$prefix.txt" '^held ')"
}

case_telemetry() {
    local r
    for r in ${SBS_RATES//,/ }; do
        declare_row "$1" "$r msg/s: p50, ms" lo rabbitmq-mqtt
        declare_row "$1" "$r msg/s: p99, ms" lo rabbitmq-mqtt
        declare_row "$1" "$r msg/s: p99.9, ms" lo rabbitmq-mqtt
        declare_row "$1" "$r msg/s: lost" lo rabbitmq-mqtt
    done
    [ "$SBS_HOLD_SECONDS" = 0 ] ||
        declare_row "$1" "highest rate held ${SBS_HOLD_SECONDS} s (p99 < 100 ms, none lost), msg/s" hi rabbitmq-mqtt
    alternate "$1" "junction rabbitmq-mqtt" measure_telemetry "$SBS_TELEMETRY_RUNS"
}

measure_commands() {
    local case=$1 b=$2 run=$3 prefix=$4 kind endpoints
    # Mosquitto has no AMQP port: its run has MQTT publishers only and no amqp= argument (the tool parses it).
    if [ "$b" = mosquitto ]; then endpoints=(publishers=mqtt)
    else endpoints=("amqp=127.0.0.1:$(amqp_port "$b")" publishers=amqp,mqtt); fi
    tool "$prefix.txt" java -Xmx2g -cp "$BENCH_JAR" dev.junction.bench.fleet.FleetCommandLoad \
        "mqtt=127.0.0.1:$(mqtt_port "$b")" "${endpoints[@]}" \
        "devices=$SBS_DEVICES" rounds=3 kinds=unicast,broadcast
    for kind in amqp-unicast amqp-broadcast mqtt-unicast mqtt-broadcast; do
        local i=0
        while read -r v; do
            i=$((i + 1))
            record "$case" "$(command_row "$kind")" "$b" "$run.$i" "$v"
        done < <(grep "^round kind=$kind " "$prefix.txt" | grep -oE 'last_ms=[0-9.]+' | cut -d= -f2)
    done
}

command_row() {
    case $1 in
        amqp-unicast) echo "AMQP service -> one command to each device: last device has it, ms" ;;
        amqp-broadcast) echo "AMQP service -> one broadcast to all devices: last device has it, ms" ;;
        mqtt-unicast) echo "MQTT publisher -> one command to each device: last device has it, ms" ;;
        mqtt-broadcast) echo "MQTT publisher -> one broadcast to all devices: last device has it, ms" ;;
    esac
}

case_commands() {
    declare_row "$1" "$(command_row amqp-unicast)" lo rabbitmq-mqtt
    declare_row "$1" "$(command_row amqp-broadcast)" lo rabbitmq-mqtt
    declare_row "$1" "$(command_row mqtt-unicast)" lo mosquitto
    declare_row "$1" "$(command_row mqtt-broadcast)" lo mosquitto
    alternate "$1" "junction rabbitmq-mqtt mosquitto" measure_commands
}

# ---------- idle footprint (run-footprint.sh; memory, not timing: no lock) ----------

case_footprint() {
    local dir="$BENCH_RESULTS/footprint" s b line
    mkdir -p "$dir"
    echo "FOOTPRINT_CONNECTIONS=${FOOTPRINT_CONNECTIONS:-15000} bench/scripts/run-footprint.sh" >>"$COMMANDS"
    echo "footprint start: $(uptime)" >>"$LOADS"
    BENCH_RESULTS="$dir" "$SCRIPTS_DIR/run-footprint.sh" >"$dir/run.txt" 2>&1 || log "run-footprint.sh: exit $?"
    echo "footprint end: $(uptime)" >>"$LOADS"
    for s in 0 1; do
        local what="idle, no subscription"
        [ $s = 0 ] || what="idle, one subscription"
        declare_row "$1" "$what: RSS per connection, KiB" lo mosquitto
        declare_row "$1" "$what: heap + direct per connection, KiB" lo mosquitto
        for b in junction mosquitto; do
            line=$(grep "^$b sub=$s " "$dir/footprint-summary.txt" 2>/dev/null | tail -1)
            [ -n "$line" ] || continue
            record "$1" "$what: RSS per connection, KiB" "$b" 1 "$(echo "$line" | grep -oE 'rss [0-9.-]+' | head -1 | cut -d' ' -f2)"
            if [ $b = junction ]; then
                local heap other
                heap=$(echo "$line" | grep -oE 'heap [0-9.-]+' | head -1 | cut -d' ' -f2)
                other=$(echo "$line" | grep -oE 'other-native [0-9.-]+' | head -1 | cut -d' ' -f2)
                record "$1" "$what: heap + direct per connection, KiB" "$b" 1 "$(echo "$heap + $other" | bc)"
            fi
        done
    done
}

# ---------- the Markdown ----------

write_markdown() {
    local started=$1 finished=$2 ran=$3
    cat <<EOF
### Side by side: \`bench/sidebyside\` ($started to $finished)

Cases: $ran. Each case ran $BENCH_RUNS time(s) per broker (telemetry: $SBS_TELEMETRY_RUNS), brokers alternating
(Junction, reference, ...) within one run, each run on a freshly started broker with an empty data directory; the
table gives the **median** over the runs (the runs themselves in the last column). Ratio: **> 1 means Junction is
better** (Junction ÷ reference for rates, reference ÷ Junction for latencies, times and memory).

| case | measure | Junction | reference | ratio | runs: Junction / reference |
|---|---|---:|---:|---:|---|
EOF
    awk -F'\t' -v OFS='\t' '
        function median(s,   n, a, i, j, t) {
            n = split(s, a, " ")
            for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
            return n == 0 ? "" : (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
        }
        function thousands(n,   s) { s = sprintf("%d", n); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); return s }
        function fmt(x) { if (x == "") return "-"; return (x + 0 >= 100 || x == int(x)) ? thousands(int(x + 0.5)) : sprintf("%.2f", x) }
        function label(b) { return b == "junction" ? "Junction" : b == "rabbitmq" ? "RabbitMQ" : b == "rabbitmq-mqtt" ? "RabbitMQ+MQTT" : b == "mosquitto" ? "Mosquitto" : b }
        $1 == "row" { n++; rc[n] = $2; rr[n] = $3; better[n] = $4; ref[n] = $5 }
        $1 == "val" { k = $2 SUBSEP $3 SUBSEP $4; vals[k] = vals[k] (vals[k] == "" ? "" : " ") $6 }
        END {
            for (i = 1; i <= n; i++) {
                j = vals[rc[i] SUBSEP rr[i] SUBSEP "junction"]; r = vals[rc[i] SUBSEP rr[i] SUBSEP ref[i]]
                if (j == "" && r == "") continue
                mj = median(j); mr = median(r); ratio = "-"
                if (mj != "" && mr != "" && mj + 0 > 0 && mr + 0 > 0)
                    ratio = sprintf("**%.2f**", better[i] == "hi" ? mj / mr : mr / mj)
                others = ""
                for (k in vals) {
                    split(k, p, SUBSEP)
                    if (p[1] == rc[i] && p[2] == rr[i] && p[3] != "junction" && p[3] != ref[i])
                        others = others sprintf("; %s %s", label(p[3]), fmt(median(vals[k])))
                }
                printf "| %s | %s | %s | %s %s%s | %s | %s / %s |\n", rc[i], rr[i], fmt(mj), label(ref[i]), fmt(mr),
                    others, ratio, (j == "" ? "-" : j), (r == "" ? "-" : r)
            }
        }' "$RESULTS_TSV"
    cat <<EOF

**Machine.** $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, kernel $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME"); the brokers and the load generators share the cores.

**Versions.** Junction $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null)$(git -C "$REPO" diff --quiet 2>/dev/null || echo ' (with uncommitted changes)'), $(java -version 2>&1 | head -1), \`-Xmx$JUNCTION_XMX\`, limits on connections and queues lifted (the fleet is one user); RabbitMQ $(dpkg-query -W -f '${Version}' rabbitmq-server 2>/dev/null) on Erlang $(dpkg-query -W -f '${Version}' erlang-base 2>/dev/null) (defaults; \`rabbitmq_mqtt\` for the MQTT cases); Mosquitto $(dpkg-query -W -f '${Version}' mosquitto 2>/dev/null) (\`persistence false\`, otherwise defaults); PerfTest 2.22.1; the HiveMQ MQTT client and amqp-client $(unzip -p "$BENCH_JAR" META-INF/maven/com.rabbitmq/amqp-client/pom.properties 2>/dev/null | grep -o '^version=.*' | cut -d= -f2) of \`bench/target/benchmarks.jar\` for the MQTT and fleet tools.

**Load average** (\`uptime\` at the start and end of each run):

\`\`\`
$(cat "$LOADS")
\`\`\`

**Exact commands** (ports: Junction AMQP $JUNCTION_AMQP_PORT / MQTT $JUNCTION_MQTT_PORT, RabbitMQ AMQP $RABBITMQ_PORT / MQTT $RABBITMQ_MQTT_PORT, Mosquitto $MOSQUITTO_PORT):

\`\`\`
bench/sidebyside $( [ "$quick" = 1 ] && echo '--quick ')--runs $BENCH_RUNS $ran
$(cat "$COMMANDS")
\`\`\`
EOF
}
