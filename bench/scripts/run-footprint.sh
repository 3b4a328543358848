#!/usr/bin/env bash
# run-footprint.sh: what an idle MQTT 3.1.1 connection costs, Junction next to Mosquitto, in one run.
#
# Per case (FOOTPRINT_CASES: "0" = clean session, no subscription; "1" = clean session, one subscription of its own):
# a fresh broker, its memory measured, FOOTPRINT_CONNECTIONS idle connections opened by FOOTPRINT_PROCS MqttIdleFleet
# processes (a process may hold at most 20,000 open files; each process spreads its connections over its own
# loopback source addresses 127.0.0.x), held for FOOTPRINT_SETTLE seconds with keep alive FOOTPRINT_KEEPALIVE (the
# fleet pings every keep-alive / 2), measured again, and the broker stopped. Per connection = (after - before) / N.
#
# Junction: heap used after a full GC (jcmd GC.run, then GC.heap_info), direct and other native memory
# malloc'ed outside the heap (NativeMemoryTracking "Other": Netty's direct buffers), the whole NMT committed total,
# and the process's VmRSS. Mosquitto: VmRSS (it has no heap of its own to tell apart).
# Memory figures, not timing: a busy machine does not change them much. Raw output: $BENCH_RESULTS/footprint-*.txt
PERFTEST_CP=${PERFTEST_CP:-unused}
# Ports of their own, so a throughput run of another script on the default ports does not collide.
: "${JUNCTION_AMQP_PORT:=25682}"
: "${JUNCTION_MQTT_PORT:=21893}"
: "${JUNCTION_MQTT_WS_PORT:=28093}"
: "${JUNCTION_HTTP_PORT:=25683}"
: "${MOSQUITTO_PORT:=21884}"
export JUNCTION_JAVA_OPTS="${JUNCTION_JAVA_OPTS:--XX:NativeMemoryTracking=summary}"
source "$(dirname "$0")/common.sh"
trap 'stop_fleet; stop_junction; stop_mosquitto' EXIT
trap "exit 143" INT TERM

: "${FOOTPRINT_CONNECTIONS:=15000}"
: "${FOOTPRINT_PROCS:=3}"
: "${FOOTPRINT_KEEPALIVE:=60}"
: "${FOOTPRINT_SETTLE:=30}"
: "${FOOTPRINT_CASES:=0 1}"
: "${FOOTPRINT_BROKERS:=junction mosquitto}"

# Every MQTT session of the run is a connection of one user; the vhost's queue and connection limits and the
# per-source limit would otherwise refuse the fleet.
export JUNCTION_EXTRA_CONF="limits:
  max_connections: 0
  max_connections_per_source: 0
  vhost_defaults: { max_connections: 0, max_queues: 0, max_bindings: 0 }
  user_defaults: { max_connections: 0 }"
export MOSQUITTO_EXTRA_CONF="max_connections -1"

# The fleet runs from its source file (java's single-file launch): it has no dependencies.
FLEET_SRC="$REPO_ROOT/bench/src/main/java/dev/junction/bench/MqttIdleFleet.java"
FLEET_CLASSES="$BENCH_WORK/fleet-classes"
mkdir -p "$FLEET_CLASSES"
javac -d "$FLEET_CLASSES" "$FLEET_SRC"

FLEET_PIDS=()
stop_fleet() {
    local p
    for p in "${FLEET_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${FLEET_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    FLEET_PIDS=()
}

# start_fleet PORT SUBSCRIBE OUT_PREFIX: FOOTPRINT_PROCS processes, waits until each printed "ready".
start_fleet() {
    local port=$1 sub=$2 prefix=$3 per=$((FOOTPRINT_CONNECTIONS / FOOTPRINT_PROCS)) i
    for i in $(seq 0 $((FOOTPRINT_PROCS - 1))); do
        # Process i uses 127.0.0.(10i+2) .. (10i+5): four source addresses, 65k ephemeral ports each at most.
        local base=$((10 * i + 2)) sources
        sources="127.0.0.$base,127.0.0.$((base + 1)),127.0.0.$((base + 2)),127.0.0.$((base + 3))"
        java -Xmx256m -cp "$FLEET_CLASSES" dev.junction.bench.MqttIdleFleet 127.0.0.1 "$port" "$per" \
            $((i * per)) "$sub" "$FOOTPRINT_KEEPALIVE" "$sources" 0 >"$prefix-fleet-$i.txt" 2>&1 &
        FLEET_PIDS+=($!)
    done
    for i in $(seq 0 $((FOOTPRINT_PROCS - 1))); do
        for _ in $(seq 1800); do
            grep -q '^ready' "$prefix-fleet-$i.txt" && break
            kill -0 "${FLEET_PIDS[$i]}" 2>/dev/null || { cat "$prefix-fleet-$i.txt" >&2; return 1; }
            sleep 0.1
        done
        grep -q '^ready' "$prefix-fleet-$i.txt" || { echo "fleet $i not ready" >&2; return 1; }
    done
}

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# junction_memory PID: "heap_kib other_kib nmt_kib rss_kib" after a full GC.
junction_memory() {
    local pid=$1 heap other nmt
    jcmd "$pid" GC.run >/dev/null
    sleep 1
    heap=$(jcmd "$pid" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | tr -dc '0-9')
    local summary
    summary=$(jcmd "$pid" VM.native_memory summary)
    other=$(printf '%s\n' "$summary" | grep -E '^\s*-\s+Other \(' | grep -o 'committed=[0-9]*KB' | tr -dc '0-9')
    nmt=$(printf '%s\n' "$summary" | grep -E '^Total:' | grep -o 'committed=[0-9]*KB' | tr -dc '0-9')
    echo "${heap:-0} ${other:-0} ${nmt:-0} $(rss_kib "$pid")"
}

# histogram_per_connection BEFORE AFTER: bytes per connection by class (the 40 largest), from two class histograms.
histogram_per_connection() {
    awk -v n="$FOOTPRINT_CONNECTIONS" '
        FNR == 1 { file++ }
        $1 ~ /^[0-9]+:$/ { bytes[$4] += (file == 1 ? -$3 : $3); count[$4] += (file == 1 ? -$2 : $2) }
        END { for (c in bytes) if (bytes[c] > 0) printf "%8.1f B %7.2f per conn  %s\n", bytes[c] / n, count[c] / n, c }
    ' "$1" "$2" | sort -rn | awk 'NR <= 40'
}

per_conn() { echo "scale=2; ($2 - $1) / $FOOTPRINT_CONNECTIONS" | bc; }   # KiB per connection

summary="$BENCH_RESULTS/footprint-summary.txt"
for sub in $FOOTPRINT_CASES; do
    for broker in $FOOTPRINT_BROKERS; do
        prefix="$BENCH_RESULTS/footprint-$broker-sub$sub"
        wait_quiet "$BENCH_RESULTS/load.txt"
        echo "footprint $broker sub=$sub start $(uptime)" >>"$BENCH_RESULTS/load.txt"
        case $broker in
            junction)
                rm -rf "$BENCH_WORK/junction-data"
                start_junction "$BENCH_WORK/junction-data" "$prefix-broker.log"
                sleep 5
                read -r h0 o0 n0 r0 < <(junction_memory "$JUNCTION_PID")
                jcmd "$JUNCTION_PID" GC.class_histogram >"$prefix-histogram-before.txt"
                start_fleet "$JUNCTION_MQTT_PORT" "$sub" "$prefix"
                sleep "$FOOTPRINT_SETTLE"
                read -r h1 o1 n1 r1 < <(junction_memory "$JUNCTION_PID")
                jcmd "$JUNCTION_PID" GC.class_histogram >"$prefix-histogram.txt"
                # What one connection adds, by class: the difference of the two histograms over the fleet.
                histogram_per_connection "$prefix-histogram-before.txt" "$prefix-histogram.txt" \
                    >"$prefix-per-connection.txt"
                jcmd "$JUNCTION_PID" VM.native_memory summary >"$prefix-nmt.txt"
                # Issue 14's measure: heap after a full GC plus direct (other native) memory, per connection.
                line=$(printf 'junction sub=%s n=%s heap+direct %s KiB/conn: heap %s KiB/conn, other-native %s KiB/conn, nmt %s KiB/conn, rss %s KiB/conn (heap %s->%s KiB, other %s->%s, nmt %s->%s, rss %s->%s)' \
                    "$sub" "$FOOTPRINT_CONNECTIONS" "$(per_conn $((h0 + o0)) $((h1 + o1)))" \
                    "$(per_conn "$h0" "$h1")" "$(per_conn "$o0" "$o1")" \
                    "$(per_conn "$n0" "$n1")" "$(per_conn "$r0" "$r1")" "$h0" "$h1" "$o0" "$o1" "$n0" "$n1" "$r0" "$r1")
                stop_fleet
                stop_junction
                ;;
            mosquitto)
                start_mosquitto "$prefix-broker.log"
                sleep 2
                r0=$(rss_kib "$MOSQUITTO_PID")
                start_fleet "$MOSQUITTO_PORT" "$sub" "$prefix"
                sleep "$FOOTPRINT_SETTLE"
                r1=$(rss_kib "$MOSQUITTO_PID")
                line=$(printf 'mosquitto sub=%s n=%s rss %s KiB/conn (rss %s->%s)' "$sub" "$FOOTPRINT_CONNECTIONS" \
                    "$(per_conn "$r0" "$r1")" "$r0" "$r1")
                stop_fleet
                stop_mosquitto
                ;;
        esac
        echo "footprint $broker sub=$sub end $(uptime)" >>"$BENCH_RESULTS/load.txt"
        echo "$line" | tee -a "$summary"
    done
done
log "results in $BENCH_RESULTS"
