#!/usr/bin/env bash
# run-quorum.sh: quorum queues (x-queue-type: quorum) with PerfTest, 100-byte persistent messages, publisher
# confirms with at most 100 outstanding (-f persistent -c 100 -qa x-queue-type=quorum), on three brokers in turn,
# BENCH_RUNS rounds, each broker freshly started on empty directories:
#
#   rabbitmq    RabbitMQ 3.10.8, one node (all the Debian package can run here)
#   junction-1  Junction, one node (no cluster section: a quorum queue is a durable queue on the node's store)
#   junction-3  Junction, three processes on this machine as a cluster (Raft ports QUORUM_RAFT_PORT + 10 * i,
#               the quorum groups on each one's port + 100); the publisher on node 1, the consumer on node 2
#
# Each case is two PerfTest processes on one fixed queue (-u, -ad false): a consumer (-x 0 -y 1, manual acks, its
# default) started first, then a publisher (-x 1 -y 0) for QUORUM_SECONDS; both stop on their own. The queue
# is declared by the consumer with the same arguments. Reported: the consumer's receiving rate, the publisher's
# sending rate and its confirm latency (median, 99th percentile), and the load average after each run.
# QUORUM_JFR=1 records a Java Flight Recording of every Junction node of the last round (in BENCH_RESULTS).
# QUORUM_WARMUP=S adds a steady-state line per run: the mean of PerfTest's per-second sent, confirmed and received
# rates after the first S seconds, and the median of its per-second confirm latency medians and 99th percentiles
# (PerfTest prints percentiles per second, not for a window, so these are medians of those, not the window's own).
# A fresh JVM spends its first tens of seconds compiling (three of them on two cores in junction-3), so a short run's
# average mostly measures the warm-up.
# Raw output: $BENCH_RESULTS/quorum-BROKER-ROUND-{producer,consumer}.txt; a summary at the end.
source "$(dirname "$0")/common.sh"
: "${QUORUM_SECONDS:=30}"
: "${QUORUM_CASES:=rabbitmq junction-1 junction-3}"
: "${QUORUM_RAFT_PORT:=7411}"
: "${QUORUM_JFR:=0}"
: "${QUORUM_WARMUP:=0}"

CLUSTER_PIDS=()

stop_cluster() {
    local pid
    for pid in "${CLUSTER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${CLUSTER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    CLUSTER_PIDS=()
}
trap 'stop_cluster; stop_all' EXIT
trap "exit 143" INT TERM

jfr_opts() { # $1 = label
    [ "$QUORUM_JFR" = 1 ] && [ "$round" = "$BENCH_RUNS" ] &&
        echo "-XX:StartFlightRecording=filename=$BENCH_RESULTS/quorum-$1.jfr,settings=profile"
    return 0
}

# start_cluster ROUND: three Junction processes, each with its own listeners, store and Raft directories.
start_cluster() {
    local round=$1 i j conf logf
    for i in 1 2 3; do
        conf="$BENCH_WORK/cluster-$round-n$i.yaml"
        {
            cat <<YAML
listeners:
  amqp:    { enabled: true, bind: 127.0.0.1, port: $((JUNCTION_AMQP_PORT + 10 * i)) }
  mqtt:    { enabled: true, bind: 127.0.0.1, port: $((JUNCTION_MQTT_PORT + 10 * i)) }
  mqtt_ws: { enabled: false }
  http:    { enabled: true, bind: 127.0.0.1, port: $((JUNCTION_HTTP_PORT + 10 * i)) }
storage: { dir: $BENCH_WORK/cluster-$round/n$i/data }
cluster:
  node_id: n$i
  bind: 127.0.0.1
  port: $((QUORUM_RAFT_PORT + 10 * i))
  dir: $BENCH_WORK/cluster-$round/n$i/raft
  peers:
YAML
            for j in 1 2 3; do
                echo "    - { id: n$j, address: \"127.0.0.1:$((QUORUM_RAFT_PORT + 10 * j))\" }"
            done
        } >"$conf"
        logf="$BENCH_RESULTS/quorum-junction-3-$round-n$i.log"
        # shellcheck disable=SC2046
        java -Xmx"$JUNCTION_XMX" ${JUNCTION_JAVA_OPTS:-} $(jfr_opts "junction-3-n$i") -jar "$JUNCTION_JAR" \
            --config "$conf" >"$logf" 2>&1 &
        CLUSTER_PIDS+=($!)
    done
    for i in 1 2 3; do
        logf="$BENCH_RESULTS/quorum-junction-3-$round-n$i.log"
        for _ in $(seq 1200); do grep -q 'Junction started' "$logf" && break; sleep 0.1; done
        grep -q 'Junction started' "$logf" || { echo "cluster node n$i did not start" >&2; tail -20 "$logf" >&2; return 1; }
    done
    # A metadata leader on node 1 (the queue's declaration is refused until there is one).
    for _ in $(seq 600); do
        curl -s -u guest:guest "http://127.0.0.1:$((JUNCTION_HTTP_PORT + 10))/api/cluster" | grep -q '"leader":"n' && return 0
        sleep 0.1
    done
    echo "no metadata leader" >&2
    return 1
}

# quorum_case LABEL PRODUCER_PORT CONSUMER_PORT
quorum_case() {
    local label=$1 q="bench.quorum.$RANDOM" out="$BENCH_RESULTS/quorum-$1"
    local args=(-qa x-queue-type=quorum -u "$q" -ad false -f persistent -s 100)
    wait_quiet "$out-quiet.txt"
    log "$label: consumer on :$3, publisher on :$2, $QUORUM_SECONDS s"
    perftest -h "amqp://guest:guest@127.0.0.1:$3" "${args[@]}" -x 0 -y 1 -z $((QUORUM_SECONDS + 5)) \
        >"$out-consumer.txt" 2>&1 &
    local consumer=$!
    sleep 3 # the consumer has declared the queue and subscribed
    perftest -h "amqp://guest:guest@127.0.0.1:$2" "${args[@]}" -x 1 -y 0 -c 100 -z "$QUORUM_SECONDS" \
        >"$out-producer.txt" 2>&1 || true
    wait "$consumer" || true
    echo "load=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$out-producer.txt"
    log "$label: $(summary "$label")"
}

summary() { # LABEL: the receiving and sending rates, the confirm latency, the load
    local out="$BENCH_RESULTS/quorum-$1"
    printf 'received=%s sent=%s confirm_latency=%s %s\n' \
        "$(grep -o 'receiving rate avg: [0-9]*' "$out-consumer.txt" | grep -o '[0-9]*$' || echo '?')" \
        "$(grep -o 'sending rate avg: [0-9]*' "$out-producer.txt" | grep -o '[0-9]*$' || echo '?')" \
        "$(grep -E 'confirm latency' "$out-producer.txt" | tail -1 | sed 's/.*confirm latency //' | tr -d '\n' || echo '?')" \
        "$(grep '^load=' "$out-producer.txt" || true)"
}

steady() { # LABEL: the per-second figures after QUORUM_WARMUP seconds
    local out="$BENCH_RESULTS/quorum-$1"
    awk -v w="$QUORUM_WARMUP" -v who=producer '
        / time [0-9.]+ s, sent: / {
            for (i = 1; i <= NF; i++) {
                if ($i == "time") t = $(i + 1)
                if ($i == "sent:") sent = $(i + 1)
                if ($i == "confirmed:") conf = $(i + 1)
                if ($i ~ /^[0-9]+\/[0-9]+\/[0-9]+\/[0-9]+\/[0-9]+$/) lat = $i
            }
            if (t + 0 > w + 0) { n++; s += sent; c += conf; split(lat, l, "/"); med[n] = l[2]; p99[n] = l[5] }
        }
        function median(a, k,   i, j, x) {
            for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
            return k ? a[int((k + 1) / 2)] : "?"
        }
        END { if (n) printf "sent=%d confirmed=%d over %d s; per-second confirm median %s us, p99 %s us (medians)", s / n, c / n, n, median(med, n), median(p99, n) }
    ' "$out-producer.txt"
    awk -v w="$QUORUM_WARMUP" '
        / time [0-9.]+ s, received: / { for (i = 1; i <= NF; i++) { if ($i == "time") t = $(i + 1); if ($i == "received:") r = $(i + 1) }
            if (t + 0 > w + 0) { n++; s += r } }
        END { if (n) printf " received=%d", s / n }
    ' "$out-consumer.txt"
}

has_case() { [[ " $QUORUM_CASES " == *" $1 "* ]]; }

for round in $(seq 1 "$BENCH_RUNS"); do
    if has_case rabbitmq; then
        start_rabbitmq
        quorum_case "rabbitmq-$round" "$RABBITMQ_PORT" "$RABBITMQ_PORT"
        stop_rabbitmq
    fi
    if has_case junction-1; then
        JUNCTION_JAVA_OPTS="${JUNCTION_JAVA_OPTS:-} $(jfr_opts junction-1)" \
            start_junction "$BENCH_WORK/junction-data-$round" "$BENCH_RESULTS/quorum-junction-1-$round.log"
        quorum_case "junction-1-$round" "$JUNCTION_AMQP_PORT" "$JUNCTION_AMQP_PORT"
        stop_junction
        rm -rf "$BENCH_WORK/junction-data-$round"
    fi
    if has_case junction-3; then
        start_cluster "$round"
        quorum_case "junction-3-$round" $((JUNCTION_AMQP_PORT + 10)) $((JUNCTION_AMQP_PORT + 20))
        stop_cluster
        rm -rf "$BENCH_WORK/cluster-$round"
    fi
done

for c in $QUORUM_CASES; do
    for round in $(seq 1 "$BENCH_RUNS"); do
        [ -f "$BENCH_RESULTS/quorum-$c-$round-producer.txt" ] && echo "$c-$round: $(summary "$c-$round")"
        if [ "$QUORUM_WARMUP" != 0 ] && [ -f "$BENCH_RESULTS/quorum-$c-$round-producer.txt" ]; then
            echo "$c-$round after ${QUORUM_WARMUP} s: $(steady "$c-$round")"
        fi
    done
done
