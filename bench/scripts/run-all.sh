#!/usr/bin/env bash
# run-all.sh: every measurement of docs/benchmarks.md in order, sharing one BENCH_WORK (and so one snapshot of
# the jars). Takes about an hour on 2 cores, longer if it has to wait for builds.
set -euo pipefail
cd "$(dirname "$0")"
: "${BENCH_WORK:=$(mktemp -d -t junction-bench.XXXXXX)}"
export BENCH_WORK
./run-amqp.sh transient persistent-16 persistent-1024
./run-mqtt.sh 0 1
./junction-heap-recovery.sh
echo "raw results: $BENCH_WORK/results" >&2
