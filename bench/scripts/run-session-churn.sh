#!/usr/bin/env bash
# run-session-churn.sh: the cost of ending a clean MQTT session next to many others (SessionChurnLoad, bench
# module). Per run: a fresh Junction, CHURN_SESSIONS (default 100000) persistent sessions with one subscription each
# (connected, subscribed, disconnected, so they hold no sockets), then CHURN_CYCLES (default 10000) clean-session
# connect/subscribe/disconnect cycles on one client id. BENCH_RUNS runs. The vhost's queue and binding limits are
# lifted for the run (the defaults, 10,000 queues and 100,000 bindings, would refuse the setup).
# Raw output: $BENCH_RESULTS/session-churn-RUN.txt
PERFTEST_CP=${PERFTEST_CP:-unused}
source "$(dirname "$0")/common.sh"
trap stop_all EXIT
trap "exit 143" INT TERM
: "${CHURN_SESSIONS:=100000}"
: "${CHURN_CYCLES:=10000}"
: "${CHURN_CONCURRENCY:=32}"

export JUNCTION_EXTRA_CONF="limits:
  vhost_defaults: { max_queues: 0, max_bindings: 0 }"

for run in $(seq "$BENCH_RUNS"); do
    out="$BENCH_RESULTS/session-churn-$run.txt"
    wait_quiet "$BENCH_RESULTS/load.txt"
    echo "session-churn-$run start $(uptime)" >>"$BENCH_RESULTS/load.txt"
    rm -rf "$BENCH_WORK/junction-data"
    start_junction "$BENCH_WORK/junction-data" "$BENCH_RESULTS/junction-session-churn-$run.log"
    log "session churn run $run: $CHURN_SESSIONS sessions, $CHURN_CYCLES cycles"
    java -cp "$BENCH_JAR" dev.junction.bench.SessionChurnLoad 127.0.0.1 "$JUNCTION_MQTT_PORT" "$CHURN_SESSIONS" \
        "$CHURN_CYCLES" "$CHURN_CONCURRENCY" >"$out" 2>&1 || echo "SessionChurnLoad exit $?" >>"$out"
    echo "session-churn-$run end $(uptime)" >>"$BENCH_RESULTS/load.txt"
    stop_junction
    cat "$out"
done
log "results in $BENCH_RESULTS"
