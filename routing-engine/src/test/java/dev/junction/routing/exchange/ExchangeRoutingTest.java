package dev.junction.routing.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.QueueSpec;
import dev.junction.storage.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Routing rules of every exchange type, named after the rule each test proves. */
class ExchangeRoutingTest {
    private final RoutingEngine engine = new RoutingEngine(new InMemoryMessageStore(), new SimpleMeterRegistry(), 1);
    private final VirtualHost vhost = engine.createVhost("/");

    @AfterEach
    void close() {
        engine.close();
    }

    private void queues(String... names) {
        for (String n : names) {
            vhost.declareQueue(QueueSpec.transientQueue(n), null, false);
        }
    }

    private void exchange(String name, ExchangeType type) {
        vhost.declareExchange(new ExchangeSpec(name, type.wireName(), false, false, false, Map.of()), false);
    }

    private void bind(String exchange, String queue, String key) {
        vhost.bind(Binding.toQueue(exchange, queue, key, Map.of()), null);
    }

    private void bind(String exchange, String queue, Map<String, Object> args) {
        vhost.bind(Binding.toQueue(exchange, queue, "", args), null);
    }

    private List<String> route(String exchange, String key) {
        return vhost.route(new Message(exchange, key, MessageProperties.EMPTY, new byte[0]));
    }

    private List<String> routeHeaders(String exchange, Map<String, Object> headers) {
        return vhost.route(new Message(exchange, "", MessageProperties.builder().headers(headers).build(),
                new byte[0]));
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void everyVhostHasTheBuiltInExchanges() {
        assertThat(vhost.exchanges()).extracting(Exchange::name)
                .contains("amq.direct", "amq.fanout", "amq.topic", "amq.headers", "amq.match");
        assertThat(vhost.exchange("amq.match").orElseThrow().type()).isEqualTo(ExchangeType.HEADERS);
    }

    @Test
    void defaultExchangeRoutesToTheQueueNamedByTheRoutingKey() {
        queues("orders", "invoices");
        assertThat(route("", "orders")).containsExactly("orders");
        assertThat(route("", "nothing")).isEmpty();
    }

    @Test
    void bindingToOrFromTheDefaultExchangeIsRefused() {
        queues("q");
        assertThatThrownBy(() -> bind("", "q", "q"))
                .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.kind())
                        .isEqualTo(ErrorKind.ACCESS_REFUSED));
    }

    @Test
    void directExchangeRoutesOnExactKeyEquality() {
        queues("a", "b", "c");
        bind("amq.direct", "a", "red");
        bind("amq.direct", "b", "red");
        bind("amq.direct", "c", "green");
        assertThat(route("amq.direct", "red")).containsExactlyInAnyOrder("a", "b");
        assertThat(route("amq.direct", "green")).containsExactly("c");
        assertThat(route("amq.direct", "Red")).isEmpty();
    }

    @Test
    void fanoutExchangeIgnoresTheRoutingKey() {
        queues("a", "b");
        bind("amq.fanout", "a", "x");
        bind("amq.fanout", "b", "y");
        assertThat(route("amq.fanout", "anything")).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void topicStarMatchesExactlyOneWord() {
        queues("q");
        bind("amq.topic", "q", "stock.*.nyse");
        assertThat(route("amq.topic", "stock.ibm.nyse")).containsExactly("q");
        assertThat(route("amq.topic", "stock.nyse")).isEmpty();
        assertThat(route("amq.topic", "stock.ibm.x.nyse")).isEmpty();
    }

    @Test
    void topicHashMatchesZeroOrMoreWordsAnywhereInThePattern() {
        queues("tail", "middle", "all");
        bind("amq.topic", "tail", "audit.#");
        bind("amq.topic", "middle", "a.#.z");
        bind("amq.topic", "all", "#");
        assertThat(route("amq.topic", "audit")).containsExactlyInAnyOrder("tail", "all");
        assertThat(route("amq.topic", "audit.eu.login")).containsExactlyInAnyOrder("tail", "all");
        assertThat(route("amq.topic", "a.z")).containsExactlyInAnyOrder("middle", "all");
        assertThat(route("amq.topic", "a.b.c.z")).containsExactlyInAnyOrder("middle", "all");
        assertThat(route("amq.topic", "a.b.c")).containsExactly("all");
    }

    @Test
    void queueBoundTwiceToOneExchangeGetsOneCopy() {
        queues("q");
        bind("amq.topic", "q", "a.*");
        bind("amq.topic", "q", "#");
        assertThat(route("amq.topic", "a.b")).containsExactly("q");
    }

    @Test
    void headersAllRequiresEveryNonXArgumentToMatch() {
        queues("q");
        bind("amq.headers", "q", map("x-match", "all", "format", "pdf", "type", "report"));
        assertThat(routeHeaders("amq.headers", map("format", "pdf", "type", "report", "extra", 1))).containsExactly("q");
        assertThat(routeHeaders("amq.headers", map("format", "pdf"))).isEmpty();
        assertThat(routeHeaders("amq.headers", map("format", "pdf", "type", "log"))).isEmpty();
    }

    @Test
    void headersAllIsTheDefaultMatchMode() {
        queues("q");
        bind("amq.headers", "q", map("format", "pdf", "type", "report"));
        assertThat(routeHeaders("amq.headers", map("format", "pdf"))).isEmpty();
        assertThat(routeHeaders("amq.headers", map("format", "pdf", "type", "report"))).containsExactly("q");
    }

    @Test
    void headersAnyNeedsOneMatchingArgument() {
        queues("q");
        bind("amq.headers", "q", map("x-match", "any", "format", "pdf", "type", "report"));
        assertThat(routeHeaders("amq.headers", map("type", "report"))).containsExactly("q");
        assertThat(routeHeaders("amq.headers", map("type", "log"))).isEmpty();
    }

    @Test
    void headersMatchingIgnoresXArgumentsUnlessWithXIsAsked() {
        queues("plain", "withx");
        bind("amq.headers", "plain", map("x-match", "all", "x-tenant", "t1"));
        bind("amq.headers", "withx", map("x-match", "all-with-x", "x-tenant", "t1"));
        assertThat(routeHeaders("amq.headers", map("x-tenant", "t2"))).containsExactly("plain");
        assertThat(routeHeaders("amq.headers", map("x-tenant", "t1"))).containsExactlyInAnyOrder("plain", "withx");
    }

    @Test
    void headersAnyWithXMatchesOnAnXArgument() {
        queues("q");
        bind("amq.headers", "q", map("x-match", "any-with-x", "x-tenant", "t1", "kind", "k"));
        assertThat(routeHeaders("amq.headers", map("x-tenant", "t1"))).containsExactly("q");
        assertThat(routeHeaders("amq.headers", map("x-tenant", "t2"))).isEmpty();
    }

    @Test
    void headersVoidArgumentMatchesOnPresenceAlone() {
        queues("q");
        Map<String, Object> args = map("x-match", "all");
        args.put("trace", null);
        bind("amq.headers", "q", args);
        assertThat(routeHeaders("amq.headers", map("trace", "anything"))).containsExactly("q");
        assertThat(routeHeaders("amq.headers", map("other", 1))).isEmpty();
    }

    @Test
    void headersValuesCompareIntegersByValueAndStringsWithByteArrays() {
        queues("q");
        bind("amq.headers", "q", map("n", 42, "s", "abc"));
        assertThat(routeHeaders("amq.headers", map("n", 42L, "s", "abc".getBytes()))).containsExactly("q");
    }

    @Test
    void headersBindingWithAnInvalidXMatchIsRefused() {
        queues("q");
        assertThatThrownBy(() -> bind("amq.headers", "q", map("x-match", "most")))
                .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.kind())
                        .isEqualTo(ErrorKind.PRECONDITION_FAILED));
    }

    @Test
    void exchangeToExchangeBindingForwardsAndAQueueReachableTwiceGetsOneCopy() {
        queues("q");
        exchange("upstream", ExchangeType.FANOUT);
        exchange("left", ExchangeType.DIRECT);
        exchange("right", ExchangeType.TOPIC);
        vhost.bind(Binding.toExchange("upstream", "left", "", Map.of()), null);
        vhost.bind(Binding.toExchange("upstream", "right", "", Map.of()), null);
        bind("left", "q", "k");
        bind("right", "q", "#");
        assertThat(route("upstream", "k")).containsExactly("q");
    }

    @Test
    void exchangeBindingCyclesTerminate() {
        queues("q");
        exchange("x1", ExchangeType.FANOUT);
        exchange("x2", ExchangeType.FANOUT);
        vhost.bind(Binding.toExchange("x1", "x2", "", Map.of()), null);
        vhost.bind(Binding.toExchange("x2", "x1", "", Map.of()), null);
        bind("x2", "q", "");
        assertThat(route("x1", "k")).containsExactly("q");
    }

    @Test
    void alternateExchangeReceivesWhatItsExchangeCannotRoute() {
        queues("routed", "unrouted");
        exchange("ae", ExchangeType.FANOUT);
        vhost.declareExchange(new ExchangeSpec("main", "direct", false, false, false,
                Map.of("alternate-exchange", "ae")), false);
        bind("main", "routed", "known");
        bind("ae", "unrouted", "");
        assertThat(route("main", "known")).containsExactly("routed");
        assertThat(route("main", "unknown")).containsExactly("unrouted");
    }

    @Test
    void internalExchangeRefusesDirectPublishButRoutesFromAnotherExchange() {
        queues("q");
        vhost.declareExchange(new ExchangeSpec("inner", "fanout", false, false, true, Map.of()), false);
        vhost.bind(Binding.toExchange("amq.fanout", "inner", "", Map.of()), null);
        bind("inner", "q", "");
        assertThatThrownBy(() -> vhost.publish(new Message("inner", "", null, new byte[0]), false))
                .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.kind())
                        .isEqualTo(ErrorKind.ACCESS_REFUSED));
        assertThat(route("amq.fanout", "")).containsExactly("q");
    }

    @Test
    void ccAndBccHeadersAddRoutingKeysAndBccIsHiddenFromConsumers() throws Exception {
        queues("a", "b", "c");
        bind("amq.direct", "a", "a");
        bind("amq.direct", "b", "b");
        bind("amq.direct", "c", "c");
        Message m = new Message("amq.direct", "a",
                MessageProperties.builder().header("CC", List.of("b")).header("BCC", List.of("c")).build(),
                new byte[0]);
        assertThat(vhost.route(m)).containsExactlyInAnyOrder("a", "b", "c");
        vhost.publish(m, true).confirmed().get();
        var delivered = vhost.queue("c").orElseThrow().get(true).get();
        assertThat(delivered.message().properties().headers()).containsKey("CC").doesNotContainKey("BCC");
    }

    @Test
    void redeclaringAnExchangeWithAnotherTypeIsAPreconditionFailure() {
        exchange("x", ExchangeType.DIRECT);
        assertThatThrownBy(() -> exchange("x", ExchangeType.FANOUT))
                .isInstanceOfSatisfying(BrokerException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.PRECONDITION_FAILED);
                    assertThat(e.getMessage()).contains("inequivalent arg 'type'");
                });
    }

    @Test
    void anUnknownExchangeTypeIsAnInvalidCommand() {
        assertThatThrownBy(() -> vhost.declareExchange(
                new ExchangeSpec("x", "x-nonsense", false, false, false, Map.of()), false))
                .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.kind())
                        .isEqualTo(ErrorKind.COMMAND_INVALID));
    }

    @Test
    void exchangeNamesStartingWithAmqAreReserved() {
        assertThatThrownBy(() -> exchange("amq.custom", ExchangeType.DIRECT))
                .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.kind())
                        .isEqualTo(ErrorKind.ACCESS_REFUSED));
    }

    @Test
    void passiveDeclareOfAMissingExchangeIsNotFound() {
        assertThatThrownBy(() -> vhost.declareExchange(
                new ExchangeSpec("ghost", "direct", false, false, false, Map.of()), true))
                .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.kind())
                        .isEqualTo(ErrorKind.NOT_FOUND));
    }

    @Test
    void publishingToAMissingExchangeIsNotFound() {
        assertThatThrownBy(() -> vhost.publish(new Message("ghost", "", null, new byte[0]), false))
                .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.kind())
                        .isEqualTo(ErrorKind.NOT_FOUND));
    }

    @Test
    void autoDeleteExchangeIsDeletedWithItsLastBinding() {
        queues("q");
        vhost.declareExchange(new ExchangeSpec("temp", "direct", false, true, false, Map.of()), false);
        bind("temp", "q", "k");
        vhost.unbind(Binding.toQueue("temp", "q", "k", Map.of()), null);
        assertThat(vhost.exchange("temp")).isEmpty();
    }

    @Test
    void deleteIfUnusedRefusesAnExchangeWithBindings() {
        queues("q");
        exchange("x", ExchangeType.DIRECT);
        bind("x", "q", "k");
        assertThatThrownBy(() -> vhost.deleteExchange("x", true))
                .isInstanceOfSatisfying(BrokerException.class, e -> assertThat(e.kind())
                        .isEqualTo(ErrorKind.PRECONDITION_FAILED));
        vhost.deleteExchange("x", false);
        assertThat(vhost.exchange("x")).isEmpty();
    }

    @Test
    void deletingAQueueRemovesItsBindings() throws Exception {
        queues("q");
        bind("amq.direct", "q", "k");
        vhost.deleteQueue("q", false, false, null).get();
        assertThat(vhost.exchange("amq.direct").orElseThrow().bindings()).isEmpty();
        assertThat(route("amq.direct", "k")).isEmpty();
    }
}
