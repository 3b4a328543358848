package dev.junction.amqp10;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** RabbitMQ's v2 and v1 address formats and Qpid JMS's plain names (docs/amqp10.md, "Addresses"). */
class AddressTest {
    private static final Set<String> NONE = Set.of();
    private static final Set<String> TOPIC = Set.of("topic");

    @Test
    void v2Targets() {
        assertThat(Address.target("/exchanges/amq.topic/a.b", NONE)).isEqualTo(new Address.Exchange("amq.topic", "a.b"));
        assertThat(Address.target("/exchanges/orders", NONE)).isEqualTo(new Address.Exchange("orders", null));
        assertThat(Address.target("/queues/q1", NONE)).isEqualTo(new Address.Queue("q1", false));
        assertThat(Address.target(null, NONE)).isEqualTo(new Address.PerMessage());
    }

    @Test
    void v2SegmentsArePercentDecodedAsUtf8() {
        assertThat(Address.target("/queues/a%2Fb%20c", NONE)).isEqualTo(new Address.Queue("a/b c", false));
        assertThat(Address.target("/exchanges/x/%C3%A9t%C3%A9+1", NONE)).isEqualTo(new Address.Exchange("x", "été+1"));
        assertThat(Address.target("/exchanges/x/", NONE)).isEqualTo(new Address.Exchange("x", ""));
    }

    @Test
    void v1Forms() {
        assertThat(Address.target("/amq/queue/q", NONE)).isEqualTo(new Address.Queue("q", false));
        assertThat(Address.target("/queue/q", NONE)).isEqualTo(new Address.Queue("q", true));
        assertThat(Address.target("/exchange/x/k", NONE)).isEqualTo(new Address.Exchange("x", "k"));
        assertThat(Address.target("/exchange/x", NONE)).isEqualTo(new Address.Exchange("x", null));
        assertThat(Address.target("/topic/a.b", NONE)).isEqualTo(new Address.Exchange("amq.topic", "a.b"));
        assertThat(Address.source("/topic/a.*", NONE)).isEqualTo(new Address.Subscription("amq.topic", "a.*"));
        assertThat(Address.source("/exchange/x/k", NONE)).isEqualTo(new Address.Subscription("x", "k"));
        assertThat(Address.source("/exchange/amq.default/k", NONE)).isEqualTo(new Address.Subscription("", "k"));
        assertThat(Address.source("/queue/a%2Fb", NONE)).isEqualTo(new Address.Queue("a/b", true));
    }

    @Test
    void plainNamesAreQueuesUnlessTheTerminusSaysTopic() {
        assertThat(Address.target("orders", NONE)).isEqualTo(new Address.Queue("orders", true));
        assertThat(Address.source("orders", NONE)).isEqualTo(new Address.Queue("orders", true));
        assertThat(Address.target("news.sport", TOPIC)).isEqualTo(new Address.Exchange("amq.topic", "news.sport"));
        assertThat(Address.source("news.#", TOPIC)).isEqualTo(new Address.Subscription("amq.topic", "news.#"));
    }

    @Test
    void messageToAcceptsOnlyV2Targets() {
        assertThat(Address.messageTo("/queues/q")).isEqualTo(new Address.Queue("q", false));
        assertThat(Address.messageTo("/exchanges/x/k")).isEqualTo(new Address.Exchange("x", "k"));
        for (String bad : new String[] {null, "q", "/queue/q", "/topic/k"}) {
            assertThatThrownBy(() -> Address.messageTo(bad)).isInstanceOf(Refusal.class)
                    .extracting(e -> ((Refusal) e).condition()).isEqualTo(Condition.INVALID_FIELD);
        }
    }

    @Test
    void malformedAddressesAreInvalidFields() {
        for (String bad : new String[] {"", "/", "/queues", "/queues/", "/queues/a/b", "/exchanges", "/exchanges//k",
                "/exchanges/x/k/more", "/exchanges/amq.default/k", "/amq/queue", "/amq/topic/x", "/nothing/x",
                "/queues/%zz", "/queues/%4"}) {
            assertThatThrownBy(() -> Address.target(bad, NONE)).as(bad).isInstanceOf(Refusal.class)
                    .extracting(e -> ((Refusal) e).condition()).isEqualTo(Condition.INVALID_FIELD);
        }
    }

    @Test
    void exchangesAreNoSources() {
        assertThatThrownBy(() -> Address.source("/exchanges/x/k", NONE)).isInstanceOf(Refusal.class);
        assertThatThrownBy(() -> Address.source(null, NONE)).isInstanceOf(Refusal.class);
    }
}
