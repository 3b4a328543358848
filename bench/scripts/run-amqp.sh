#!/usr/bin/env bash
# run-amqp.sh CASE...: PerfTest against Junction and RabbitMQ, BENCH_RUNS runs each, brokers alternating
# (J, R, J, R, ...) so that drifting background load hits both alike. Every run gets a freshly started broker
# with an empty data directory. CASE: transient | persistent-16 | persistent-1024 (default: all three).
#
#   transient        -x 1 -y 1 -s 16 -z SECONDS -a
#   persistent-SIZE  -x 1 -y 1 -s SIZE -z SECONDS -u bench-durable --auto-delete false -f persistent -c 500 -q 500
#                    (durable queue, persistent messages, publisher confirms with at most 500 outstanding,
#                     manual ack of every message, prefetch 500)
#
# Raw output: $BENCH_RESULTS/amqp-CASE-BROKER-RUN.txt; a summary is printed at the end.
source "$(dirname "$0")/common.sh"
trap stop_all EXIT
trap "exit 143" INT TERM
: "${AMQP_BROKERS:=junction rabbitmq}"       # which brokers to measure, in this order
# "junction-dashboard" is Junction with an open dashboard's polling (common.sh) during the run:
# AMQP_BROKERS="junction junction-dashboard" measures what the dashboard costs, the two alternating.
# JUNCTION_DASHBOARD_POLL=1 polls during every Junction run instead.

cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(transient persistent-16 persistent-1024)

flags_for() {
    case $1 in
        transient) echo "-x 1 -y 1 -s 16 -z $BENCH_SECONDS -a" ;;
        persistent-*) echo "-x 1 -y 1 -s ${1#persistent-} -z $BENCH_SECONDS -u bench-durable --auto-delete false -f persistent -c 500 -q 500" ;;
        *) echo "unknown case $1" >&2; exit 2 ;;
    esac
}

for c in "${cases[@]}"; do
    flags=$(flags_for "$c")
    for run in $(seq "$BENCH_RUNS"); do
        for broker in $AMQP_BROKERS; do
            out="$BENCH_RESULTS/amqp-$c-$broker-$run.txt"
            wait_quiet "$BENCH_RESULTS/load.txt"
            echo "amqp-$c-$broker-$run start $(uptime)" >>"$BENCH_RESULTS/load.txt"
            if [ "${broker%-dashboard}" = junction ]; then
                rm -rf "$BENCH_WORK/junction-data"
                start_junction "$BENCH_WORK/junction-data" "$BENCH_RESULTS/$broker-amqp-$c-$run.log"
                port=$JUNCTION_AMQP_PORT
                if [ $broker = junction-dashboard ] || [ "$JUNCTION_DASHBOARD_POLL" = 1 ]; then
                    start_dashboard_poll "$BENCH_RESULTS/dashboard-poll-amqp-$c-$broker-$run.txt"
                fi
            else
                start_rabbitmq
                port=$RABBITMQ_PORT
            fi
            log "amqp $c $broker run $run: perftest $flags"
            # shellcheck disable=SC2086
            perftest -h "amqp://guest:guest@127.0.0.1:$port" $flags >"$out" 2>&1 || echo "perftest exit $?" >>"$out"
            echo "amqp-$c-$broker-$run end $(uptime)" >>"$BENCH_RESULTS/load.txt"
            if [ "${broker%-dashboard}" = junction ]; then stop_dashboard_poll; stop_junction; else stop_rabbitmq; fi
            "$SCRIPTS_DIR/perftest-summary.sh" "$out"
        done
    done
done
log "results in $BENCH_RESULTS"
