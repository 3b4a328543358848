#!/usr/bin/env bash
# run-mqtt-acl.sh [QOS...]: the cost of MQTT authorization. MqttPairsLoad as user guest (no ACL) and as user
# acl20 (a 20-rule ACL whose matching rule for the benchmark topics is the last one, so an uncached check tries
# all 20), against Junction and against Mosquitto with an equivalent acl_file. Brokers and users alternate, a
# fresh broker per run. MQTT_PAIRS (default 10) pairs, MQTT_SIZE (16) byte payloads, BENCH_SECONDS, BENCH_RUNS.
# Raw output: $BENCH_RESULTS/mqtt-acl-qosQ-BROKER-USER-RUN.txt
PERFTEST_CP=${PERFTEST_CP:-unused}
source "$(dirname "$0")/common.sh"
trap stop_all EXIT
trap "exit 143" INT TERM
: "${MQTT_PAIRS:=10}"
: "${MQTT_SIZE:=16}"
: "${MQTT_BROKERS:=junction mosquitto}"

ALL='{ configure: ".*", write: ".*", read: ".*" }'
sensors=""
for k in 0 1 2 3 4 5 6 7 8 9; do
    sensors+="      - { permission: allow, topic: \"sensors/s$k/#\" }"$'\n'
done
export JUNCTION_EXTRA_CONF="users:
  - name: guest
    password: guest
    tags: [administrator]
    permissions: { \"/\": $ALL }
  - name: acl20
    password: acl20
    permissions: { \"/\": $ALL }
    acl:
      - { permission: deny, topic: \"secret/#\" }
      - { permission: deny, topic: \"+/admin/#\" }
      - { permission: deny, action: publish, topic: \"config/#\" }
      - { permission: allow, topic: \"users/%u/#\" }
      - { permission: allow, topic: \"clients/%c/#\" }
      - { permission: allow, action: subscribe, topic: \"config/#\" }
      - { permission: deny, topic: \"tenants/+/private/#\" }
${sensors}      - { permission: allow, action: subscribe, topic: \"alerts/+\" }
      - { permission: deny, topic: \"\$SYS/#\" }
      - { permission: allow, topic: \"bench/#\" }"

acl="$BENCH_WORK/mosquitto.acl"
{
    echo "pattern readwrite users/%u/#"
    echo "pattern readwrite clients/%c/#"
    echo "user guest"
    echo "topic readwrite #"
    echo "user acl20"
    echo "topic deny secret/#"
    echo "topic deny +/admin/#"
    echo "topic read config/#"
    echo "topic deny tenants/+/private/#"
    for k in 0 1 2 3 4 5 6 7 8 9; do echo "topic readwrite sensors/s$k/#"; done
    echo "topic read alerts/+"
    echo "topic deny \$SYS/#"
    echo "topic readwrite bench/#"
} >"$acl"
export MOSQUITTO_EXTRA_CONF="acl_file $acl"

qoss=("$@")
[ ${#qoss[@]} -gt 0 ] || qoss=(0 1)
for qos in "${qoss[@]}"; do
    for run in $(seq "$BENCH_RUNS"); do
        for broker in $MQTT_BROKERS; do
            for user in guest acl20; do
                out="$BENCH_RESULTS/mqtt-acl-qos$qos-$broker-$user-$run.txt"
                wait_quiet "$BENCH_RESULTS/load.txt"
                if [ $broker = junction ]; then
                    rm -rf "$BENCH_WORK/junction-data"
                    start_junction "$BENCH_WORK/junction-data" "$BENCH_RESULTS/junction-acl-qos$qos-$user-$run.log"
                    port=$JUNCTION_MQTT_PORT
                else
                    start_mosquitto "$BENCH_RESULTS/mosquitto-acl-qos$qos-$user-$run.log"
                    port=$MOSQUITTO_PORT
                fi
                log "mqtt acl qos $qos $broker $user run $run"
                mqtt_pairs 127.0.0.1 "$port" "$MQTT_PAIRS" "$qos" "$BENCH_SECONDS" "$MQTT_SIZE" "$user" "$user" \
                    >"$out" 2>&1 || echo "MqttPairsLoad exit $?" >>"$out"
                echo "mqtt-acl-qos$qos-$broker-$user-$run end $(uptime)" >>"$BENCH_RESULTS/load.txt"
                if [ $broker = junction ]; then stop_junction; else stop_mosquitto; fi
                tail -1 "$out"
            done
        done
    done
done
log "results in $BENCH_RESULTS"
