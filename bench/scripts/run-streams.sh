#!/usr/bin/env bash
# run-streams.sh: streams (x-queue-type: stream) with PerfTest, Junction and RabbitMQ alternating, BENCH_RUNS rounds,
# a freshly started broker with an empty data directory for each. Three cases per broker and round, each
# STREAM_SECONDS long (default 15), 100-byte persistent messages:
#
#   publish  -x 1 -y 0 -f persistent -c 1000            one publisher, at most 1,000 unconfirmed
#   first    -x 0 -y 1 -ca x-stream-offset=first -q 1000 one consumer replaying what "publish" wrote
#   both     -x 1 -y 1 -ca x-stream-offset=next ...      publisher and consumer on a second stream at once
#
# "first" reads a stream of publish-rate x STREAM_SECONDS messages: a broker that replays faster than it
# published finishes early, so its average is bounded by the publish rate (see docs/benchmarks.md).
# Raw output: $BENCH_RESULTS/streams-BROKER-ROUND-CASE.txt; the averages are printed at the end.
source "$(dirname "$0")/common.sh"
trap stop_all EXIT
trap "exit 143" INT TERM
: "${STREAM_SECONDS:=15}"

stream_cases() { # $1 = label, $2 = AMQP port
    local uri="amqp://guest:guest@127.0.0.1:$2" s="bench.stream.$RANDOM"
    local common=(-h "$uri" -p -qa x-queue-type=stream -s 100 -z "$STREAM_SECONDS")
    log "$1 publish"
    perftest "${common[@]}" -x 1 -y 0 -u "$s" -k "$s" -ad false -f persistent -c 1000 \
        >"$BENCH_RESULTS/streams-$1-publish.txt" 2>&1 || true
    log "$1 first"
    perftest "${common[@]}" -x 0 -y 1 -u "$s" -k "$s" -ca x-stream-offset=first -q 1000 -A 100 \
        >"$BENCH_RESULTS/streams-$1-first.txt" 2>&1 || true
    log "$1 both"
    perftest "${common[@]}" -x 1 -y 1 -u "$s.both" -k "$s.both" -ad false -f persistent -c 1000 \
        -ca x-stream-offset=next -q 1000 -A 100 >"$BENCH_RESULTS/streams-$1-both.txt" 2>&1 || true
}

for round in $(seq 1 "$BENCH_RUNS"); do
    start_junction "$BENCH_WORK/junction-data-$round" "$BENCH_RESULTS/streams-junction-$round.log"
    stream_cases "junction-$round" "$JUNCTION_AMQP_PORT"
    stop_junction
    start_rabbitmq
    stream_cases "rabbitmq-$round" "$RABBITMQ_PORT"
    stop_rabbitmq
done

for f in "$BENCH_RESULTS"/streams-*-{publish,first,both}.txt; do
    [ -f "$f" ] && echo "$(basename "$f" .txt): $(grep -E 'sending rate avg|receiving rate avg' "$f" | sed 's/.*, //' | tr '\n' ' ')"
done
