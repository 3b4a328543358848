package dev.junction.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.amqp.codec.Method;
import dev.junction.amqp.codec.MethodType;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.DeliveryOutlet;
import dev.junction.routing.api.Engine;
import dev.junction.storage.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The publisher's brake through the connection's {@link DeliveryOutlet}: under a memory alarm only a connection
 * that publishes is blocked, told with RabbitMQ's connection.blocked / unblocked when its client understands them,
 * and its held-back frames are handled once the alarm clears. Runs on the calling thread as its event loop.
 */
class PublisherFlowTest {
    private static final Executor SAME_THREAD = Runnable::run;

    private final RoutingEngine routing = new RoutingEngine(new InMemoryMessageStore(), new SimpleMeterRegistry(), 1);
    private final List<Boolean> reading = new ArrayList<>();
    private final DeliveryOutlet outlet = new DeliveryOutlet(SAME_THREAD, 16, () -> { }, () -> { }, reading::add);
    private final FakeConnection conn = new FakeConnection();
    private final PublisherFlow flow = new PublisherFlow(conn, Engine.of(routing), outlet, SAME_THREAD);

    @AfterEach
    void close() {
        routing.close();
    }

    @Test
    void anAlarmBlocksAPublisherAndTellsAClientThatUnderstandsIt() {
        conn.understandsBlocked = true;
        flow.published();
        flow.memoryListener.accept(true);
        assertThat(flow.blocked()).isTrue();
        assertThat(outlet.reading()).isFalse();
        assertThat(conn.told).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo(MethodType.CONNECTION_BLOCKED);
            assertThat(m.str("reason")).isEqualTo("low on memory");
        });

        flow.memoryListener.accept(false);
        assertThat(flow.blocked()).isFalse();
        assertThat(outlet.reading()).isTrue();
        assertThat(conn.told).last().extracting(Method::type).isEqualTo(MethodType.CONNECTION_UNBLOCKED);
        assertThat(conn.resumed).isEqualTo(1);
    }

    @Test
    void aConnectionThatNeverPublishedIsNotBlocked() {
        flow.memoryListener.accept(true);
        assertThat(flow.blocked()).isFalse();
        assertThat(outlet.reading()).isTrue();
        assertThat(reading).isEmpty();
    }

    @Test
    void aClientWithoutTheCapabilityIsBlockedSilently() {
        flow.published();
        flow.memoryListener.accept(true);
        assertThat(flow.blocked()).isTrue();
        assertThat(outlet.reading()).isFalse();
        assertThat(conn.told).isEmpty();
    }

    @Test
    void holdsNestWithTheAlarm() {
        flow.published();
        flow.hold(true);
        flow.memoryListener.accept(true);
        flow.hold(false);
        assertThat(outlet.reading()).isFalse();
        flow.memoryListener.accept(false);
        assertThat(outlet.reading()).isTrue();
    }

    @Test
    void aClosedConnectionIgnoresTheAlarm() {
        flow.published();
        conn.open = false;
        flow.memoryListener.accept(true);
        assertThat(flow.blocked()).isFalse();
    }

    private static final class FakeConnection implements PublisherFlow.Connection {
        boolean open = true;
        boolean understandsBlocked;
        final List<Method> told = new ArrayList<>();
        int resumed;

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public boolean understandsBlocked() {
            return understandsBlocked;
        }

        @Override
        public void tell(Method m) {
            told.add(m);
        }

        @Override
        public void resumeParked() {
            resumed++;
        }
    }
}
