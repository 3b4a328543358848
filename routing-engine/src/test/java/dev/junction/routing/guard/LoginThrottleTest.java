package dev.junction.routing.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private long now = 1_000_000_000L;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LoginThrottle throttle = new LoginThrottle(registry, () -> now);

    private static InetAddress address(int i) throws Exception {
        return InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i});
    }

    @Test
    void waitDoublesPerFailureUpToTheMaximumForTheAddressAndForTheUser() throws Exception {
        throttle.setMaxDelayMs(1000);
        InetAddress a = address(1);
        assertThat(throttle.delayBefore("amqp", a, "u")).isZero();
        long[] expected = {100, 200, 400, 800, 1000, 1000};
        for (long e : expected) {
            throttle.failed("amqp", a, "u");
            assertThat(throttle.delayBefore("amqp", a, "someone-else")).as("by address").isEqualTo(e);
            assertThat(throttle.delayBefore("mqtt", address(2), "u")).as("by user").isEqualTo(e);
        }
        assertThat(throttle.delayBefore("amqp", address(3), "other")).isZero();
        assertThat(registry.get("junction.auth.failures").tag("protocol", "amqp").counter().count()).isEqualTo(6);
    }

    @Test
    void successForgivesTheUserButNotTheAddress() throws Exception {
        InetAddress a = address(1);
        throttle.failed("amqp", a, "u");
        throttle.failed("amqp", a, "u");
        throttle.succeeded(a, "u");
        assertThat(throttle.delayBefore("amqp", address(2), "u")).isZero();
        assertThat(throttle.delayBefore("amqp", a, "v")).isEqualTo(200);
    }

    @Test
    void failuresAreForgottenAfterAnIdleMinute() throws Exception {
        InetAddress a = address(1);
        throttle.failed("amqp", a, "u");
        now += TimeUnit.SECONDS.toNanos(LoginThrottle.IDLE_SECONDS + 1);
        assertThat(throttle.delayBefore("amqp", a, "u")).isZero();
        throttle.failed("amqp", a, "u");
        assertThat(throttle.delayBefore("amqp", a, "u")).as("counting starts over").isEqualTo(100);
    }

    @Test
    void zeroMaximumTurnsTheThrottleOffButFailuresAreStillCounted() throws Exception {
        throttle.setMaxDelayMs(0);
        throttle.failed("mqtt", address(1), "u");
        assertThat(throttle.delayBefore("mqtt", address(1), "u")).isZero();
        assertThat(registry.get("junction.auth.failures").tag("protocol", "mqtt").counter().count()).isEqualTo(1);
    }

    @Test
    void trackedKeysAreBoundedAndPenalisedKeysStayPenalisedWhenFull() throws Exception {
        InetAddress attacker = address(0);
        throttle.failed("amqp", attacker, null);
        for (int i = 1; i <= LoginThrottle.MAX_KEYS + 1000; i++) {
            throttle.failed("amqp", attacker, "user-" + i); // a fresh user name every time
        }
        assertThat(throttle.trackedKeys()).isLessThanOrEqualTo(LoginThrottle.MAX_KEYS);
        assertThat(throttle.delayBefore("amqp", attacker, "anyone")).isEqualTo(5000);
        now += TimeUnit.SECONDS.toNanos(LoginThrottle.IDLE_SECONDS + 1);
        throttle.failed("amqp", address(7), "late");
        assertThat(throttle.delayBefore("amqp", address(7), null)).as("room again once old keys are forgotten")
                .isEqualTo(100);
    }
}
