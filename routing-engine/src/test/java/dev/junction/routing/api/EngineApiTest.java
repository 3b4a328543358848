package dev.junction.routing.api;

import static dev.junction.routing.EngineFixture.await;
import static dev.junction.routing.EngineFixture.body;
import static dev.junction.routing.EngineFixture.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.routing.EngineFixture;
import dev.junction.routing.EngineFixture.RecordingSink;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine API answers what a protocol asks, over a running engine, without the adapter touching a queue. */
class EngineApiTest {
    private final EngineFixture fx = new EngineFixture();
    private final Engine engine = Engine.of(fx.engine);
    private final Vhost vhost = engine.vhost("/").orElseThrow();

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void declaresBindsPublishesConsumesAndSettlesByName() {
        QueueInfo q = vhost.declareQueue(QueueSpec.transientQueue(""), EngineFixture.OWNER, false);
        assertThat(q.name()).as("server-generated name").startsWith("amq.gen-");
        vhost.declareExchange(ExchangeSpec.of("x", ExchangeType.DIRECT), false);
        vhost.bind(Binding.toQueue("x", q.name(), "k", Map.of()), EngineFixture.OWNER);
        assertThat(vhost.bindingsFrom("x")).extracting(Binding::destination).containsExactly(q.name());

        PublishResult r = vhost.publish(message("x", "k", MessageProperties.EMPTY, "m1"), true);
        assertThat(r.routedQueues()).isEqualTo(1);
        assertThat(await(r.confirmed())).isTrue();

        Credit credit = Credit.of(1, 0);
        RecordingSink sink = new RecordingSink();
        Consumption c = await(vhost.consume(q.name(), new ConsumeRequest("t", false, false, 0, List.of(credit),
                EngineFixture.OWNER), sink));
        assertThat(c.tag()).isEqualTo("t");
        assertThat(c.source().name()).isEqualTo(q.name());
        Delivery d = sink.next();
        assertThat(body(d)).isEqualTo("m1");
        assertThat(d.source()).isEqualTo(c.source());
        assertThat(credit.inUse()).isEqualTo(1);
        d.source().settle(new long[] {d.deliveryId()}, Settlement.ACK);
        EngineFixture.eventually("credit returned", () -> credit.inUse() == 0);
        await(c.cancel());
        EngineFixture.eventually("consumer gone", () -> vhost.queue(q.name()).orElseThrow().consumerCount() == 0);
    }

    @Test
    void answersPassiveDeclaresCountsGetsPurgesAndDeletes() {
        vhost.declareQueue(QueueSpec.durable("q"), null, false);
        assertThatThrownBy(() -> vhost.declareQueue(QueueSpec.durable("missing"), null, true))
                .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
        vhost.publish(message("", "q", MessageProperties.EMPTY, "a"), false);
        vhost.publish(message("", "q", MessageProperties.EMPTY, "b"), false);
        EngineFixture.eventually("two ready", () -> vhost.declareQueue(QueueSpec.durable("q"), null, true)
                .messageCount() == 2);

        Delivery got = await(vhost.get("q", null, false));
        assertThat(body(got)).isEqualTo("a");
        got.settle(Settlement.REQUEUE);
        assertThat(await(vhost.purgeQueue("q", null))).isEqualTo(2);
        assertThat(vhost.queueNames("q")).containsExactly("q");
        await(vhost.deleteQueue("q", false, false, null));
        assertThat(vhost.queue("q")).isEmpty();
        assertThat(vhost.exchange("amq.topic")).map(ExchangeInfo::type).contains(ExchangeType.TOPIC);
    }

    @Test
    void keepsSessionRecordsAndRetainedMessagesPerVhost() {
        KeyedRecords sessions = engine.sessions("/");
        await(sessions.put("client-1", new byte[] {1, 2}));
        assertThat(sessions.get("client-1")).hasValueSatisfying(b -> assertThat(b).containsExactly(1, 2));
        assertThat(engine.sessions("other").all()).isEmpty();
        await(sessions.delete("client-1"));
        assertThat(sessions.all()).isEmpty();

        RetainedRecords retained = engine.retained("/");
        Message m = message("amq.topic", "a.b", MessageProperties.EMPTY, "kept");
        await(retained.put("a/b", m));
        assertThat(retained.index()).containsOnlyKeys("a/b");
        assertThat(retained.get("a/b")).map(x -> new String(x.body(), StandardCharsets.UTF_8)).contains("kept");
        assertThat(MessageBytes.decode(MessageBytes.encode(m)).routingKey()).isEqualTo("a.b");
        await(retained.delete("a/b"));
        assertThat(retained.get("a/b")).isEmpty();
    }

    @Test
    void matchesMqttFiltersAsRoutingDoes() {
        TopicIndex<String> index = new TopicIndex<>();
        index.add("a/+", "plus");
        index.add("#", "all");
        List<String> hits = new ArrayList<>();
        index.match(List.of("a", "b"), hits::add);
        assertThat(hits).containsExactlyInAnyOrder("plus", "all");
        hits.clear();
        index.match(List.of("$SYS", "x"), hits::add);
        assertThat(hits).as("a leading wildcard does not match '$' topics [MQTT-4.7.2-1]").isEmpty();
        assertThat(TopicIndex.mqttMatches("a/#", List.of("a"))).isTrue();
        assertThatThrownBy(() -> TopicIndex.checkMqttFilter("a/#/b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reportsAlarmsQuotasAndVhosts() {
        assertThat(engine.vhostNames()).contains("/");
        assertThat(engine.alarmRaised()).isFalse();
        assertThat(engine.storeWritable()).isTrue();
        assertThat(engine.createVhost("/")).isEqualTo(vhost);
        assertThat(engine.connectionQuotas()).isSameAs(fx.engine.connectionQuotas());
    }
}
