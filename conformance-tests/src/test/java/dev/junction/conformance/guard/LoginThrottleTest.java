package dev.junction.conformance.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.junction.conformance.ConformanceBroker;
import io.micrometer.core.instrument.DistributionSummary;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import javax.net.SocketFactory;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Password guessing is slowed down: each failed login from an address or for a user name makes the next attempts
 * wait longer, on AMQP and MQTT alike, and the wait is visible in the metrics ({@code junction_auth_delay},
 * {@code junction_auth_failures_total}). Assertions are on the waits the broker reports, never on the clock
 * (issue 9, item 11).
 */
@Timeout(120)
class LoginThrottleTest {
    private static final int ATTEMPTS = 5;

    @RegisterExtension
    final ConformanceBroker broker = ConformanceBroker.perMethod();

    @BeforeEach
    void throttleLogins() {
        // The fixture turns throttling off for everyone else; this is the default of limits.auth_failure_max_delay_ms.
        broker.broker().engine().loginThrottle().setMaxDelayMs(5000);
    }

    private DistributionSummary delays(String protocol) {
        return broker.broker().registry().find("junction.auth.delay").tag("protocol", protocol).summary();
    }

    private double failures(String protocol) {
        var c = broker.broker().registry().find("junction.auth.failures").tag("protocol", protocol).counter();
        return c == null ? 0 : c.count();
    }

    /** The wait the broker applied to the attempt {@code attempt} made, from the delay summary's growth. */
    private double waitOf(String protocol, Runnable attempt) {
        DistributionSummary before = delays(protocol);
        double total = before == null ? 0 : before.totalAmount();
        long count = before == null ? 0 : before.count();
        attempt.run();
        DistributionSummary after = delays(protocol);
        assertThat(after).as("junction.auth.delay{protocol=%s}", protocol).isNotNull();
        assertThat(after.count()).as("attempts seen by the throttle").isEqualTo(count + 1);
        return after.totalAmount() - total;
    }

    /** Client sockets from another loopback address: Linux routes all of 127/8 to the loopback interface. */
    private static SocketFactory from(String localAddress) {
        return new SocketFactory() {
            @Override
            public Socket createSocket() throws IOException {
                Socket s = new Socket();
                s.bind(new java.net.InetSocketAddress(InetAddress.getByName(localAddress), 0));
                return s;
            }

            @Override
            public Socket createSocket(String host, int port) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Socket createSocket(InetAddress host, int port) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
                throw new UnsupportedOperationException();
            }
        };
    }

    private ConnectionFactory amqp(String user, String password, String localAddress) {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(broker.amqpPort());
        f.setUsername(user);
        f.setPassword(password);
        f.setVirtualHost(user.equals("limited") ? "restricted" : "/");
        f.setAutomaticRecoveryEnabled(false);
        f.setHandshakeTimeout(20_000);
        f.setSocketFactory(from(localAddress));
        return f;
    }

    @Test
    void repeatedWrongAmqpPasswordsWaitLongerEachTimeAndOtherLoginsDoNot() throws Exception {
        List<Double> waits = new ArrayList<>();
        for (int i = 0; i < ATTEMPTS; i++) {
            waits.add(waitOf("amqp", () -> assertThatThrownBy(() -> amqp("limited", "wrong", "127.0.0.1").newConnection())
                    .isInstanceOf(AuthenticationFailureException.class)));
        }
        assertThat(failures("amqp")).isEqualTo(ATTEMPTS);
        assertThat(waits.get(0)).as("a first attempt is not held").isZero();
        for (int i = 1; i < ATTEMPTS; i++) {
            assertThat(waits.get(i)).as("wait of attempt %d after %s", i + 1, waits).isGreaterThan(waits.get(i - 1));
        }
        // Another user from another address: no wait, and in.
        double other = waitOf("amqp", () -> {
            try (Connection c = amqp("guest", "guest", "127.0.0.2").newConnection()) {
                assertThat(c.isOpen()).isTrue();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertThat(other).isZero();
        // The right password for the guessed user, from the guessing address: it waits like a wrong one would (so
        // a quick answer never tells a guess was right), then gets in.
        double right = waitOf("amqp", () -> {
            try (Connection c = amqp("limited", "limited", "127.0.0.1").newConnection()) {
                assertThat(c.isOpen()).isTrue();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertThat(right).isGreaterThanOrEqualTo(waits.get(ATTEMPTS - 1));
    }

    private MqttConnectOptions mqttOptions(String user, String password, String localAddress) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(user);
        o.setPassword(password.toCharArray());
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setConnectionTimeout(20);
        o.setSocketFactory(from(localAddress));
        return o;
    }

    @Test
    void repeatedWrongMqttPasswordsWaitLongerEachTimeAndOtherLoginsDoNot() throws Exception {
        // [MQTT-3.2.2-3 (3.1.1)] CONNACK 0x04 bad user name or password: refused, later each time
        String url = "tcp://127.0.0.1:" + broker.port("mqtt");
        List<Double> waits = new ArrayList<>();
        for (int i = 0; i < ATTEMPTS; i++) {
            waits.add(waitOf("mqtt", () -> {
                try (MqttClient client = new MqttClient(url, "guess-" + System.nanoTime(), new MemoryPersistence())) {
                    assertThatThrownBy(() -> client.connect(mqttOptions("limited", "wrong", "127.0.0.1")))
                            .isInstanceOf(MqttException.class)
                            .satisfies(e -> assertThat(((MqttException) e).getReasonCode()).isEqualTo(4));
                } catch (MqttException e) {
                    throw new AssertionError(e);
                }
            }));
        }
        assertThat(failures("mqtt")).isEqualTo(ATTEMPTS);
        assertThat(waits.get(0)).isZero();
        for (int i = 1; i < ATTEMPTS; i++) {
            assertThat(waits.get(i)).as("wait of attempt %d after %s", i + 1, waits).isGreaterThan(waits.get(i - 1));
        }
        double other = waitOf("mqtt", () -> {
            try (MqttClient client = new MqttClient(url, "other-" + System.nanoTime(), new MemoryPersistence())) {
                client.connect(mqttOptions("guest", "guest", "127.0.0.2"));
                assertThat(client.isConnected()).isTrue();
                client.disconnect();
            } catch (MqttException e) {
                throw new AssertionError(e);
            }
        });
        assertThat(other).as("another user from another address").isZero();
    }

    @Test
    void failuresOnOneProtocolSlowTheOtherToo() throws Exception {
        // One throttle for the broker: guessing over MQTT does not reset the count for AMQP
        String url = "tcp://127.0.0.1:" + broker.port("mqtt");
        for (int i = 0; i < 3; i++) {
            try (MqttClient client = new MqttClient(url, "guess-" + i, new MemoryPersistence())) {
                assertThatThrownBy(() -> client.connect(mqttOptions("limited", "wrong", "127.0.0.1")))
                        .isInstanceOf(MqttException.class);
            }
        }
        double wait = waitOf("amqp", () -> assertThatThrownBy(() -> amqp("limited", "wrong", "127.0.0.1")
                .newConnection()).isInstanceOf(AuthenticationFailureException.class));
        assertThat(wait).isPositive();
    }
}
