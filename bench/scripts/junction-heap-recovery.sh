#!/usr/bin/env bash
# junction-heap-recovery.sh: Junction only. BENCH_RUNS times: fresh broker, fill one durable queue with
# HEAP_MESSAGES (default 1,000,000) persistent HEAP_SIZE (default 1024) byte messages through PerfTest with
# publisher confirms, read the heap (jcmd GC.run, then GC.heap_info), SIGKILL the broker, start it again on the
# same directory and read its recovery log lines and the heap after recovery. Then a consumer alone drains the
# recovered queue for HEAP_DRAIN_SECONDS (default 30; 0 skips it) and the heap is read again.
#   perftest -x 1 -y 0 -C HEAP_MESSAGES -s HEAP_SIZE -u bench-durable --auto-delete false -f persistent -c 500
# Raw output: $BENCH_RESULTS/heap-*.txt and junction-heap-*.log
source "$(dirname "$0")/common.sh"
trap stop_all EXIT
trap "exit 143" INT TERM
: "${HEAP_MESSAGES:=1000000}"
: "${HEAP_SIZE:=1024}"
: "${HEAP_DRAIN_SECONDS:=30}"

queue_depth() {
    curl -s "http://127.0.0.1:$JUNCTION_HTTP_PORT/metrics" | grep '^junction_queue_messages{' | grep 'bench-durable' || true
}

heap() {   # heap FILE: full GC, then heap use
    {
        echo "--- $(date +%T) GC.run"; jcmd "$JUNCTION_PID" GC.run
        echo "--- GC.heap_info"; jcmd "$JUNCTION_PID" GC.heap_info
        echo "--- queue depth (metrics)"; queue_depth
        echo "--- memory alarm"; curl -s "http://127.0.0.1:$JUNCTION_HTTP_PORT/metrics" | grep '^junction_memory_alarm' || true
        echo "--- store"; curl -s "http://127.0.0.1:$JUNCTION_HTTP_PORT/metrics" | grep '^junction_store_' || true
    } >>"$1" 2>&1
}

for run in $(seq "$BENCH_RUNS"); do
    data="$BENCH_WORK/junction-heap-data"
    out="$BENCH_RESULTS/heap-$run.txt"
    rm -rf "$data"
    : >"$out"
    wait_quiet "$BENCH_RESULTS/load.txt"
    echo "heap-$run start $(uptime)" >>"$BENCH_RESULTS/load.txt"
    start_junction "$data" "$BENCH_RESULTS/junction-heap-$run-fill.log"
    log "heap run $run: publishing $HEAP_MESSAGES x $HEAP_SIZE B"
    t0=$(date +%s.%N)
    perftest -h "amqp://guest:guest@127.0.0.1:$JUNCTION_AMQP_PORT" -x 1 -y 0 -C "$HEAP_MESSAGES" -s "$HEAP_SIZE" \
        -u bench-durable --auto-delete false -f persistent -c 500 >"$BENCH_RESULTS/heap-$run-perftest.txt" 2>&1 ||
        echo "perftest exit $?" >>"$BENCH_RESULTS/heap-$run-perftest.txt"
    t1=$(date +%s.%N)
    echo "publish wall time: $(echo "$t1 - $t0" | bc) s" >>"$out"
    echo "=== after publishing" >>"$out"
    heap "$out"
    du -sh "$data" >>"$out"
    log "heap run $run: SIGKILL and restart"
    stop_junction KILL
    echo "heap-$run restart $(uptime)" >>"$BENCH_RESULTS/load.txt"
    t0=$(date +%s.%N)
    start_junction "$data" "$BENCH_RESULTS/junction-heap-$run-recover.log"
    t1=$(date +%s.%N)
    echo "restart wall time (process start to 'Junction started' seen): $(echo "$t1 - $t0" | bc) s" >>"$out"
    grep -E 'store recovered|read back|recovered .* messages|Junction started' \
        "$BENCH_RESULTS/junction-heap-$run-recover.log" >>"$out"
    echo "=== after recovery" >>"$out"
    heap "$out"
    if [ "$HEAP_DRAIN_SECONDS" -gt 0 ]; then
        log "heap run $run: draining for $HEAP_DRAIN_SECONDS s"
        # -x 0: consumer only, autoack, prefetch as in the throughput runs; -p: the queue exists already.
        perftest -h "amqp://guest:guest@127.0.0.1:$JUNCTION_AMQP_PORT" -x 0 -y 1 -a -q 1000 -u bench-durable -p \
            -z "$HEAP_DRAIN_SECONDS" >"$BENCH_RESULTS/heap-$run-drain.txt" 2>&1 ||
            echo "perftest exit $?" >>"$BENCH_RESULTS/heap-$run-drain.txt"
        echo "drain: $(grep -E 'receiving rate avg' "$BENCH_RESULTS/heap-$run-drain.txt" || tail -1 "$BENCH_RESULTS/heap-$run-drain.txt")" >>"$out"
        echo "=== after draining" >>"$out"
        heap "$out"
    fi
    stop_junction
    echo "heap-$run end $(uptime)" >>"$BENCH_RESULTS/load.txt"
    grep -E 'wall time|used|recovered|read back|started|junction_queue|drain' "$out"
done
rm -rf "$BENCH_WORK/junction-heap-data"
log "results in $BENCH_RESULTS"
