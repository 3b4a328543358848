package dev.junction.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.junction.config.Quotas;
import dev.junction.config.UserLimits;
import dev.junction.config.VhostLimits;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ConnectionQuotas;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.QueueSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine's bookkeeping for vhost and user limits: every way an entity goes gives its slot back. */
class QuotasTest {
    private final EngineFixture f = new EngineFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private void limits(VhostLimits vhost, UserLimits user) {
        f.engine.setQuotas(new Quotas(vhost, Map.of(), user, Map.of(), 0, 0, 0));
    }

    private static QueueSpec queue(String name) {
        return new QueueSpec(name, false, false, false, Map.of());
    }

    private static ExchangeSpec exchange(String name) {
        return new ExchangeSpec(name, "topic", false, false, false, Map.of());
    }

    @Test
    void everyWayABindingGoesGivesItsSlotBack() {
        limits(new VhostLimits(0, 0, 0, 3), UserLimits.DEFAULTS);
        f.vhost.declareExchange(exchange("x"), false);
        f.vhost.declareExchange(exchange("y"), false);
        f.declare(queue("q"));
        f.vhost.bind(Binding.toQueue("x", "q", "a", Map.of()), EngineFixture.OWNER);
        f.vhost.bind(Binding.toQueue("x", "q", "b", Map.of()), EngineFixture.OWNER);
        f.vhost.bind(Binding.toExchange("y", "x", "c", Map.of()), EngineFixture.OWNER);
        assertThat(f.vhost.bindingCount()).isEqualTo(3);
        BrokerException full = catchThrowableOfType(BrokerException.class,
                () -> f.vhost.bind(Binding.toQueue("x", "q", "d", Map.of()), EngineFixture.OWNER));
        assertThat(full.kind()).isEqualTo(ErrorKind.PRECONDITION_FAILED);

        f.vhost.unbind(Binding.toQueue("x", "q", "a", Map.of()), EngineFixture.OWNER);
        assertThat(f.vhost.bindingCount()).isEqualTo(2);
        EngineFixture.await(f.vhost.deleteQueue("q", false, false, EngineFixture.OWNER)); // takes "b" with it
        assertThat(f.vhost.bindingCount()).isEqualTo(1);
        f.vhost.deleteExchange("x", false); // the destination of "c": the binding goes with it
        assertThat(f.vhost.bindingCount()).isZero();
    }

    @Test
    void queueAndExchangeLimitsCountOnlyNewOnes() {
        limits(new VhostLimits(0, 2, 1, 0), UserLimits.DEFAULTS);
        f.declare(queue("q1"));
        f.declare(queue("q2"));
        f.declare(queue("q1")); // a re-declaration
        assertThat(catchThrowableOfType(BrokerException.class, () -> f.declare(queue("q3"))).getMessage())
                .isEqualTo("cannot declare queue 'q3': queue limit in vhost '/' (2) is reached");
        f.vhost.declareExchange(exchange("x"), false);
        f.vhost.declareExchange(exchange("x"), false);
        assertThat(catchThrowableOfType(BrokerException.class, () -> f.vhost.declareExchange(exchange("z"), false))
                .getMessage()).isEqualTo("cannot declare exchange 'z': exchange limit in vhost '/' (1) is reached");
    }

    @Test
    void twoConnectionsRacingForTheLastSlotDoNotBothGetIt() throws Exception {
        limits(new VhostLimits(0, 0, 0, 0), new UserLimits(1, 0));
        ConnectionQuotas quotas = f.engine.connectionQuotas();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 200; round++) {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<ConnectionQuotas.Lease>> tries = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    tries.add(pool.submit(() -> {
                        go.await();
                        try {
                            return quotas.open("u", "/");
                        } catch (BrokerException refused) {
                            return null;
                        }
                    }));
                }
                go.countDown();
                List<ConnectionQuotas.Lease> admitted = new ArrayList<>();
                for (Future<ConnectionQuotas.Lease> t : tries) {
                    ConnectionQuotas.Lease lease = t.get(5, TimeUnit.SECONDS);
                    if (lease != null) {
                        admitted.add(lease);
                    }
                }
                assertThat(admitted).hasSize(1);
                admitted.get(0).close();
                admitted.get(0).close(); // idempotent
                assertThat(quotas.connections("u")).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
