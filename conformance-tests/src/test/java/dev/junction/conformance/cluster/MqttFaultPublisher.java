package dev.junction.conformance.cluster;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The fault test's MQTT 5 publisher: batches of numbered QoS 1 messages to a topic that {@code amq.topic} routes to
 * the quorum queue. A message counts as confirmed only with a PUBACK of reason Success, which Junction sends once
 * the queue's group committed it on a majority (docs/cluster.md); a batch not so acknowledged in full (an error
 * reason, a connection lost, no answer in {@value #PUBACK_MS} ms) is sent again on a new connection to the next node.
 * Clean start: the session does not follow the client to another node (sessions on quorum queues are the separate
 * session leg of the fault test).
 */
final class MqttFaultPublisher extends FaultClient {
    private static final int BATCH = 10;
    private static final long PUBACK_MS = 8_000;
    private static final byte[] GUEST = "guest".getBytes(StandardCharsets.UTF_8);

    private final ProcessCluster cluster;
    private final FaultLedger ledger;
    private final String name;
    private final String topic;
    private final List<Long> pending = new ArrayList<>();
    private long next;
    private int epoch;
    private volatile Mqtt5AsyncClient client;

    MqttFaultPublisher(ProcessCluster cluster, FaultLedger ledger, String name, String home, String topic) {
        super("fault-publisher-" + name, home);
        this.cluster = cluster;
        this.ledger = ledger;
        this.name = name;
        this.topic = topic;
    }

    @Override
    protected void workOn(String node) throws Exception {
        int e = ++epoch;
        Mqtt5AsyncClient c = Mqtt5Client.builder().identifier("fault-" + name + "-" + e).serverHost("127.0.0.1")
                .serverPort(cluster.mqttPort(node))
                .transportConfig().socketConnectTimeout(3, TimeUnit.SECONDS).mqttConnectTimeout(5, TimeUnit.SECONDS)
                .applyTransportConfig()
                .buildAsync();
        client = c;
        c.connectWith().cleanStart(true).keepAlive(10)
                .simpleAuth().username("guest").password(GUEST).applySimpleAuth().send().get(8, TimeUnit.SECONDS);
        connections.incrementAndGet();
        while (!stopping()) {
            while (pending.size() < BATCH) {
                pending.add(next++);
            }
            List<String> copies = new ArrayList<>();
            List<CompletableFuture<Mqtt5PublishResult>> acks = new ArrayList<>();
            for (long seq : pending) {
                String copy = FaultLedger.copy(name, e, seq);
                ledger.sent(copy);
                copies.add(copy);
                acks.add(c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                        .payload(copy.getBytes(StandardCharsets.UTF_8)).send());
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(PUBACK_MS, TimeUnit.MILLISECONDS);
            for (CompletableFuture<Mqtt5PublishResult> ack : acks) {
                Mqtt5PublishResult r = ack.join();
                boolean success = r.getError().isEmpty() && r instanceof Mqtt5PublishResult.Mqtt5Qos1Result q1
                        && q1.getPubAck().getReasonCode() == Mqtt5PubAckReasonCode.SUCCESS;
                if (!success) {
                    return; // not taken: the batch goes again on the next connection
                }
            }
            copies.forEach(ledger::confirmed);
            pending.clear();
            progress.incrementAndGet();
            pause(50);
        }
    }

    @Override
    protected void abandon() {
        Mqtt5AsyncClient c = client;
        client = null;
        if (c != null) {
            c.disconnect(); // not waited for: the node may be paused
        }
    }
}
