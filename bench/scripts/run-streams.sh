#!/usr/bin/env bash
# run-streams.sh: streams (x-queue-type: stream) with PerfTest, Junction and RabbitMQ alternating, BENCH_RUNS rounds,
# a freshly started broker with an empty data directory for each. The cases (STREAM_CASES, default all three),
# 100-byte persistent messages:
#
#   publish  -x 1 -y 0 -f persistent -c 1000 -z STREAM_SECONDS   one publisher, at most 1,000 unconfirmed
#   both     -x 1 -y 1 -ca x-stream-offset=next ... -z ...        publisher and consumer on a second stream at once
#   replay   prefill REPLAY_MESSAGES (default 2,000,000) with -C, untimed; then one consumer reads all of them from
#            x-stream-offset=first (-x 0 -y 1 -D REPLAY_MESSAGES -q 1000 -A 100, no producer), timed from start to
#            exit: the read rate of a stream longer than any read-ahead, not bounded by a publish rate
#
# For Junction, "replay" also records the heap used after full GC (three GC.run) on the empty broker and after the
# replay, with the whole stream on disk: the heap does not grow with the stream's length.
# Raw output: $BENCH_RESULTS/streams-BROKER-ROUND-CASE.txt; a summary at the end.
source "$(dirname "$0")/common.sh"
trap stop_all EXIT
trap "exit 143" INT TERM
: "${STREAM_SECONDS:=15}"
: "${STREAM_CASES:=publish both replay}"
: "${REPLAY_MESSAGES:=2000000}"

has_case() { [[ " $STREAM_CASES " == *" $1 "* ]]; }

# heap_after_gc PID: heap used after three full collections, in KiB (G1's GC.heap_info "used NNNK").
heap_after_gc() {
    for _ in 1 2 3; do jcmd "$1" GC.run >/dev/null; done
    jcmd "$1" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | tr -dc '0-9'
}

stream_cases() { # $1 = label, $2 = AMQP port
    local uri="amqp://guest:guest@127.0.0.1:$2" s="bench.stream.$RANDOM"
    local common=(-h "$uri" -p -qa x-queue-type=stream -s 100)
    if has_case publish; then
        log "$1 publish"
        perftest "${common[@]}" -z "$STREAM_SECONDS" -x 1 -y 0 -u "$s" -k "$s" -ad false -f persistent -c 1000 \
            >"$BENCH_RESULTS/streams-$1-publish.txt" 2>&1 || true
    fi
    if has_case both; then
        log "$1 both"
        perftest "${common[@]}" -z "$STREAM_SECONDS" -x 1 -y 1 -u "$s.both" -k "$s.both" -ad false -f persistent \
            -c 1000 -ca x-stream-offset=next -q 1000 -A 100 >"$BENCH_RESULTS/streams-$1-both.txt" 2>&1 || true
    fi
    if has_case replay; then
        local r="$s.replay" out="$BENCH_RESULTS/streams-$1-replay.txt" start end
        log "$1 replay: prefill $REPLAY_MESSAGES"
        perftest "${common[@]}" -x 1 -y 0 -u "$r" -k "$r" -ad false -f persistent -c 1000 -C "$REPLAY_MESSAGES" \
            >"$BENCH_RESULTS/streams-$1-prefill.txt" 2>&1 || true
        log "$1 replay: read from first"
        start=$(date +%s.%N)
        perftest "${common[@]}" -x 0 -y 1 -u "$r" -ad false -ca x-stream-offset=first -q 1000 -A 100 \
            -D "$REPLAY_MESSAGES" >"$out" 2>&1 || true
        end=$(date +%s.%N)
        {
            echo "replay_messages=$REPLAY_MESSAGES"
            echo "replay_seconds=$(echo "$end - $start" | bc)"
            echo "replay_rate=$(echo "$REPLAY_MESSAGES / ($end - $start)" | bc)"
            echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
        } >>"$out"
        log "$1 replay: $(grep -E '^replay_(seconds|rate)' "$out" | tr '\n' ' ')"
    fi
}

for round in $(seq 1 "$BENCH_RUNS"); do
    start_junction "$BENCH_WORK/junction-data-$round" "$BENCH_RESULTS/streams-junction-$round.log"
    has_case replay && echo "heap_empty_kib=$(heap_after_gc "$JUNCTION_PID")" >"$BENCH_RESULTS/streams-junction-$round-heap.txt"
    stream_cases "junction-$round" "$JUNCTION_AMQP_PORT"
    if has_case replay; then
        echo "heap_after_replay_kib=$(heap_after_gc "$JUNCTION_PID")" >>"$BENCH_RESULTS/streams-junction-$round-heap.txt"
        echo "stream_files_kib=$(du -sk "$BENCH_WORK/junction-data-$round" | cut -f1)" >>"$BENCH_RESULTS/streams-junction-$round-heap.txt"
    fi
    stop_junction
    rm -rf "$BENCH_WORK/junction-data-$round"
    start_rabbitmq
    stream_cases "rabbitmq-$round" "$RABBITMQ_PORT"
    stop_rabbitmq
done

for f in "$BENCH_RESULTS"/streams-*-{publish,both}.txt; do
    [ -f "$f" ] && echo "$(basename "$f" .txt): $(grep -E 'sending rate avg|receiving rate avg' "$f" | sed 's/.*, //' | tr '\n' ' ')"
done
for f in "$BENCH_RESULTS"/streams-*-replay.txt "$BENCH_RESULTS"/streams-junction-*-heap.txt; do
    [ -f "$f" ] && echo "$(basename "$f" .txt): $(grep -E '^(replay_|load|heap|stream_files)' "$f" | tr '\n' ' ')"
done
