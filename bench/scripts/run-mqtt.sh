#!/usr/bin/env bash
# run-mqtt.sh [QOS...]: MqttPairsLoad (bench module) against Junction and Mosquitto: MQTT_PAIRS (default 10)
# publisher/subscriber pairs, MQTT_SIZE (default 16) byte payloads, BENCH_SECONDS each, BENCH_RUNS runs per QoS,
# brokers alternating, a fresh broker per run. Default QoS: 0 1.
# Build the load generator first: mvn -B -Pbench -pl bench package -DskipTests
# Raw output: $BENCH_RESULTS/mqtt-qosQ-BROKER-RUN.txt
source "$(dirname "$0")/common.sh"
trap stop_all EXIT
trap "exit 143" INT TERM
: "${MQTT_PAIRS:=10}"
: "${MQTT_SIZE:=16}"
: "${MQTT_BROKERS:=junction mosquitto}"      # which brokers to measure, in this order

qoss=("$@")
[ ${#qoss[@]} -gt 0 ] || qoss=(0 1)

for qos in "${qoss[@]}"; do
    for run in $(seq "$BENCH_RUNS"); do
        for broker in $MQTT_BROKERS; do
            out="$BENCH_RESULTS/mqtt-qos$qos-$broker-$run.txt"
            wait_quiet "$BENCH_RESULTS/load.txt"
            echo "mqtt-qos$qos-$broker-$run start $(uptime)" >>"$BENCH_RESULTS/load.txt"
            if [ $broker = junction ]; then
                rm -rf "$BENCH_WORK/junction-data"
                start_junction "$BENCH_WORK/junction-data" "$BENCH_RESULTS/junction-mqtt-qos$qos-$run.log"
                port=$JUNCTION_MQTT_PORT
            else
                start_mosquitto "$BENCH_RESULTS/mosquitto-qos$qos-$run.log"
                port=$MOSQUITTO_PORT
            fi
            log "mqtt qos $qos $broker run $run"
            mqtt_pairs 127.0.0.1 "$port" "$MQTT_PAIRS" "$qos" "$BENCH_SECONDS" "$MQTT_SIZE" >"$out" 2>&1 ||
                echo "MqttPairsLoad exit $?" >>"$out"
            echo "mqtt-qos$qos-$broker-$run end $(uptime)" >>"$BENCH_RESULTS/load.txt"
            if [ $broker = junction ]; then stop_junction; else stop_mosquitto; fi
            tail -1 "$out"
        done
    done
done
log "results in $BENCH_RESULTS"
