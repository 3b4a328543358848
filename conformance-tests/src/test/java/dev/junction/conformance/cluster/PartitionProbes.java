package dev.junction.conformance.cluster;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5UnsubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.unsubscribe.unsuback.Mqtt5UnsubAck;
import com.hivemq.client.mqtt.mqtt5.message.unsubscribe.unsuback.Mqtt5UnsubAckReasonCode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** What the partition tests ask of a node: whether it refuses a write, and what a consumer gets. */
final class PartitionProbes {

    private PartitionProbes() {
    }

    /** Declares durable queue {@code queue} on {@code node} until it is refused; the refusal. */
    static String refusedDeclaration(ProcessCluster cluster, String node, String queue) throws Exception {
        String[] refusal = new String[1];
        ProcessCluster.await("a declaration refused on " + node, () -> {
            try (Connection c = cluster.connect(node); Channel ch = c.createChannel()) {
                ch.queueDeclare(queue, true, false, false, null);
                return false; // taken before the node noticed it lost the majority
            } catch (IOException e) {
                refusal[0] = String.valueOf(e.getCause());
                return true;
            }
        });
        return refusal[0];
    }

    /** The PUBACK's reason, whether the client reports an error reason as a result or as a failure. */
    static Mqtt5PubAckReasonCode pubAckReason(CompletableFuture<Mqtt5PublishResult> ack) throws Exception {
        try {
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) ack.get(120, TimeUnit.SECONDS)).getPubAck().getReasonCode();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Mqtt5PubAckException refused) {
                return refused.getMqttMessage().getReasonCode();
            }
            throw e;
        }
    }

    /** The SUBACK's first reason, whether the client reports an error reason as a result or as a failure. */
    static Mqtt5SubAckReasonCode subAckReason(CompletableFuture<Mqtt5SubAck> ack) throws Exception {
        try {
            return ack.get(120, TimeUnit.SECONDS).getReasonCodes().get(0);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Mqtt5SubAckException refused) {
                return refused.getMqttMessage().getReasonCodes().get(0);
            }
            throw e;
        }
    }

    /**
     * The UNSUBACK's first reason, whether the client reports an error reason as a result or as a failure; null when
     * no UNSUBACK came (the connection closed instead).
     */
    static Mqtt5UnsubAckReasonCode unsubAckReason(CompletableFuture<Mqtt5UnsubAck> ack) throws Exception {
        try {
            return ack.get(120, TimeUnit.SECONDS).getReasonCodes().get(0);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Mqtt5UnsubAckException refused) {
                return refused.getMqttMessage().getReasonCodes().get(0);
            }
            return null;
        }
    }

    /** Consumes {@code queue} with manual acks; the bodies in delivery order. */
    static BlockingQueue<String> consume(Channel ch, String queue) throws IOException {
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        ch.basicQos(10);
        ch.basicConsume(queue, false, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body)
                    throws IOException {
                got.add(new String(body, StandardCharsets.UTF_8));
                ch.basicAck(env.getDeliveryTag(), false);
            }
        });
        return got;
    }

    /** What {@code client} receives (register before its CONNECT for a resumed session's messages). */
    static BlockingQueue<String> payloads(Mqtt5AsyncClient client) {
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        client.publishes(MqttGlobalPublishFilter.ALL, p -> got.add(new String(p.getPayloadAsBytes(),
                StandardCharsets.UTF_8)));
        return got;
    }

    /** What {@code client} receives (register before its CONNECT for a resumed session's messages). */
    static BlockingQueue<String> payloads(Mqtt3AsyncClient client) {
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        client.publishes(MqttGlobalPublishFilter.ALL, p -> got.add(new String(p.getPayloadAsBytes(),
                StandardCharsets.UTF_8)));
        return got;
    }

    /** The first {@code n} bodies {@code got} receives. */
    static List<String> take(BlockingQueue<String> got, int n) throws Exception {
        List<String> out = new ArrayList<>();
        ProcessCluster.await(n + " messages", () -> {
            got.drainTo(out);
            return out.size() >= n;
        });
        return out;
    }

    /** {@code m<from>} to {@code m<to - 1>}. */
    static List<String> numbered(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add("m" + i);
        }
        return out;
    }
}
