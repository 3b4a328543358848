package dev.junction.config;

import static dev.junction.config.ConfigAssertions.assertRejected;
import static dev.junction.config.ConfigAssertions.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LimitsConfigTest {

    @Test
    void theDefaultsAreLimitedNotUnlimited() throws ConfigException {
        Limits l = parse("").limits();

        assertThat(l.admission()).isEqualTo(new Admission(1000, 1000, Duration.ofSeconds(10), Duration.ofSeconds(60)));
        Quotas q = l.quotas();
        assertThat(q.vhost("/")).isEqualTo(new VhostLimits(10_000, 10_000, 1_000, 100_000));
        assertThat(q.user("guest")).isEqualTo(new UserLimits(5_000, 20_000));
        assertThat(q.maxConsumersPerChannel()).isEqualTo(1000);
        assertThat(q.maxSubscriptionsPerSession()).isEqualTo(1000);
        assertThat(q.maxFiltersPerSubscribe()).isEqualTo(1000);
        assertThat(parse("").mqtt().perSessionMetrics()).isFalse();
    }

    @Test
    void aPerVhostEntryOverridesOnlyWhatItNamesOverTheVhostDefaults() throws ConfigException {
        Quotas q = parse("""
                vhosts: ["/", "iot"]
                limits:
                  vhost_defaults: { max_queues: 50, max_bindings: 70 }
                  vhosts:
                    iot: { max_queues: 5 }
                  user_defaults: { max_channels: 9 }
                  users:
                    guest: { max_connections: 2 }
                """).limits().quotas();

        assertThat(q.vhost("iot")).isEqualTo(new VhostLimits(10_000, 5, 1_000, 70));
        assertThat(q.vhost("/")).isEqualTo(new VhostLimits(10_000, 50, 1_000, 70));
        assertThat(q.user("guest")).isEqualTo(new UserLimits(2, 9));
        assertThat(q.user("someone-else")).isEqualTo(new UserLimits(5_000, 9));
    }

    @Test
    void anEntryForAnUndeclaredVhostOrUnknownUserIsAnErrorAtItsLine() {
        assertRejected("""
                limits:
                  vhosts:
                    iot: { max_queues: 5 }
                """, 3, "limits.vhosts.iot", "vhost 'iot' is not declared in vhosts ('/')");
        assertRejected("""
                limits:
                  users:
                    nobody: { max_channels: 5 }
                """, 3, "limits.users.nobody", "unknown user 'nobody'");
    }

    @Test
    void limitsAreRangeChecked() {
        assertRejected("limits: { handshake_timeout_ms: 10 }", 1, "limits.handshake_timeout_ms",
                "10 is out of range (100..10000)");
        assertRejected("limits: { vhost_defaults: { max_queues: -1 } }", 1, "limits.vhost_defaults.max_queues",
                "-1 is out of range (0..2147483647)");
        assertRejected("limits: { user_defaults: { max_sessions: 1 } }", 1, "limits.user_defaults.max_sessions",
                "unknown key");
    }
}
