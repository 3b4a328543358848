package dev.junction.conformance.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The fault test's persistent MQTT session, kept as a device keeps one: the stock Paho MQTT 3.1.1 client with one
 * client id and Clean Session 0, subscribed once at QoS 1 to the topics both publishers write to. In a cluster its
 * queue is a quorum queue and its subscription a replicated binding (docs/cluster.md, "MQTT sessions"), so when its
 * node dies, or stops answering (keep alive 1 s: no PINGRESP within about two seconds), it connects to the next node
 * with the same client id and Clean Session 0, as a device configured with every node's address does. That node
 * must answer Session Present [MQTT-3.2.2-2] and deliver, without a new SUBSCRIBE [MQTT-3.1.2-4], what the session
 * was owed: the QoS 1 messages queued meanwhile [MQTT-3.1.2-5] and those sent before and not acknowledged, again
 * with DUP set [MQTT-4.4.0-1, MQTT-3.3.1-1]. The test sends the session to the node it is about to kill or pause
 * ({@link #follow}: a DISCONNECT, and a CONNECT there), so that every fault takes the session down with its node.
 *
 * <p>Every PUBLISH is written to the ledger as {@link FaultLedger#SESSION}'s, flagged by its DUP, before Paho sends
 * its PUBACK (on the callback's return): what the ledger holds was received at least once.
 */
final class MqttSessionLeg extends FaultClient {
    static final String CLIENT_ID = "fault-session";
    /** The MQTT form of the publishers' routing keys fault.a and fault.b (amq.topic is the MQTT exchange). */
    private static final String FILTER = "fault/+";
    private static final String QUEUE = "mqtt.session." + CLIENT_ID;
    private static final int KEEP_ALIVE_S = 1;
    /** How long Paho waits for CONNACK, SUBACK or a DISCONNECT to go out; a paused node never answers. */
    private static final long WAIT_MS = 15_000;

    private final ProcessCluster cluster;
    private final FaultLedger ledger;
    private final AtomicLong deliveriesHere = new AtomicLong();
    private final AtomicInteger moves = new AtomicInteger();
    private final List<String> absent = Collections.synchronizedList(new ArrayList<>());
    private final List<String> notQos1 = Collections.synchronizedList(new ArrayList<>());
    private final List<String> failovers = Collections.synchronizedList(new ArrayList<>());
    private volatile MqttClient client;
    private volatile String connectedOn;
    private volatile String wanted;
    private volatile boolean subscribed;
    /** When the connection was lost (System.nanoTime), 0 while none is lost; set once per failover. */
    private volatile long lostAt;
    private volatile long connackAt;
    private volatile String lostFrom;

    MqttSessionLeg(ProcessCluster cluster, FaultLedger ledger, String home) {
        super("fault-session", home);
        this.cluster = cluster;
        this.ledger = ledger;
    }

    @Override
    protected void workOn(String node) throws Exception {
        deliveriesHere.set(0);
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + cluster.mqttPort(node), CLIENT_ID,
                new MemoryPersistence());
        client = c;
        c.setTimeToWait(WAIT_MS);
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                lost(node);
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                received(node, m);
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        boolean present = c.connectWithResult(options()).getSessionPresent();
        int n = connections.incrementAndGet();
        if (subscribed && !present) {
            absent.add("connection " + n + " on " + node);
        }
        if (lostAt != 0) {
            connackAt = System.nanoTime();
        }
        connectedOn = node;
        if (!subscribed) {
            int granted = c.subscribeWithResponse(FILTER, 1).getGrantedQos()[0];
            if (granted != 1) {
                throw new IllegalStateException("SUBACK granted QoS " + granted + " for " + FILTER);
            }
            subscribed = true;
        }
        while (!stopping() && c.isConnected() && (wanted == null || wanted.equals(node))) {
            pause(20);
        }
        if (c.isConnected()) {
            if (!stopping()) {
                moves.incrementAndGet();
            }
            c.disconnect(1000); // sent elsewhere, or the test ends: the session stays [MQTT-3.1.2-4]
        }
    }

    private MqttConnectOptions options() {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(false);
        o.setUserName("guest");
        o.setPassword("guest".toCharArray());
        o.setConnectionTimeout(5); // the TCP connect; CONNACK is waited for WAIT_MS
        o.setKeepAliveInterval(KEEP_ALIVE_S);
        o.setAutomaticReconnect(false); // the leg reconnects, to the next node
        return o;
    }

    private void lost(String node) {
        if (lostAt == 0) {
            lostFrom = node;
            lostAt = System.nanoTime();
        }
    }

    private void received(String node, MqttMessage m) {
        String copy = new String(m.getPayload(), StandardCharsets.UTF_8);
        ledger.delivered(FaultLedger.SESSION, copy, m.isDuplicate());
        if (m.getQos() != 1) {
            notQos1.add(copy + " at QoS " + m.getQos());
        }
        progress.incrementAndGet();
        long lost = lostAt;
        if (deliveriesHere.incrementAndGet() == 1 && lost != 0) {
            long now = System.nanoTime();
            failovers.add(String.format("%s to %s: CONNACK %d ms, first PUBLISH %d ms after the connection was lost",
                    lostFrom, node, ms(lost, connackAt), ms(lost, now)));
            lostAt = 0;
        }
    }

    private static long ms(long from, long to) {
        return TimeUnit.NANOSECONDS.toMillis(to - from);
    }

    @Override
    protected String wanted() {
        return wanted;
    }

    @Override
    protected void abandon() {
        connectedOn = null;
        MqttClient c = client;
        client = null;
        if (c == null) {
            return;
        }
        try {
            if (c.isConnected()) {
                c.disconnectForcibly(0, 100, false); // without waiting for a node that may not answer
            }
        } catch (MqttException ignored) {
            // gone already
        }
        try {
            c.close(true);
        } catch (MqttException ignored) {
            // closed
        }
    }

    /** Waits until the session is subscribed and its binding has reached every node: it is owed every message. */
    void awaitSubscribed() throws Exception {
        ProcessCluster.await("the session's SUBACK", () -> subscribed);
        for (String id : ProcessCluster.IDS) {
            ProcessCluster.await("the session's binding on " + id, () -> {
                JsonNode all = cluster.api(id, "/api/bindings/%2F");
                if (all != null) {
                    for (JsonNode b : all) {
                        if (b.path("destination").asText().equals(QUEUE)
                                && b.path("routing_key").asText().equals("fault.*")) {
                            return true;
                        }
                    }
                }
                return false;
            });
        }
    }

    /** Sends the session to {@code node} and waits until it receives there. */
    void follow(String node) throws Exception {
        wanted = node;
        try {
            ProcessCluster.await("the MQTT session receiving on " + node,
                    () -> node.equals(connectedOn) && deliveriesHere.get() > 0);
        } finally {
            wanted = null;
        }
    }

    /** Connections after a lost one, each with how long it took to CONNACK and to the first PUBLISH. */
    List<String> failovers() {
        return List.copyOf(failovers);
    }

    /** Connections after the first subscription whose CONNACK did not say Session Present. */
    List<String> absentSessions() {
        return List.copyOf(absent);
    }

    List<String> notQos1() {
        return List.copyOf(notQos1);
    }

    /** The leg's summary line: what the session received, judged by the ledger, and its connections. */
    String summary() {
        FaultLedger.Verdict v = ledger.verdict(FaultLedger.SESSION);
        return "confirmed " + v.confirmed() + " messages, received by the session " + v.delivered() + ", lost "
                + v.lost().size() + first(v.lost()) + ", phantom " + v.phantoms().size() + first(v.phantoms())
                + ", duplicates DUP " + v.flaggedDuplicates() + " / without DUP " + v.unflaggedDuplicates().size()
                + first(v.unflaggedDuplicates()) + ", out of order " + v.disorder().size() + first(v.disorder())
                + "; connections " + connections() + " (" + failovers.size() + " after a lost one, " + moves.get()
                + " moved by the test), Session Present " + (absent.isEmpty() ? "on every resume" : "missing on "
                + absent) + (notQos1.isEmpty() ? "" : ", not at QoS 1: " + notQos1.size());
    }

    private static String first(java.util.Collection<String> c) {
        return c.isEmpty() ? "" : " " + new ArrayList<>(c).subList(0, Math.min(5, c.size()));
    }
}
