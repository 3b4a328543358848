package dev.junction.conformance.mqtt;

import static dev.junction.conformance.mqtt.RawMqtt.concat;
import static dev.junction.conformance.mqtt.RawMqtt.packet;
import static dev.junction.conformance.mqtt.RawMqtt.str;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.PasswordHash;
import dev.junction.config.ScramMechanism;
import dev.junction.config.ScramSecret;
import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.ConformanceBroker;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MQTT 5 enhanced authentication (section 4.12) with SCRAM, byte by byte on a real socket: the exchange of the
 * specification's SCRAM example, re-authentication (4.12.1), and the refusals: a wrong proof (0x86), a method the
 * server does not speak (0x8C, [MQTT-4.12.0-1]), and AUTH where the protocol has none (0x82).
 */
class MqttEnhancedAuthTest {
    private static final int CONNACK = 0x20;
    private static final int AUTH = 0xF0;
    private static final int DISCONNECT = 0xE0;
    private static final int CONTINUE = 0x18;
    private static final int REAUTH = 0x19;
    private static final int METHOD = 0x15;
    private static final int DATA = 0x16;
    private static final String SHA256 = "SCRAM-SHA-256";
    private static final String SHA512 = "SCRAM-SHA-512";

    private static final String USERS = """
              - name: scram-user
                password_hash: "%s"
                permissions: { "/": { configure: ".*", write: ".*", read: ".*" } }
              - name: plain-user
                password: plain-pw
                permissions: { "/": { configure: ".*", write: ".*", read: ".*" } }
              - name: pbkdf2-user
                password_hash: "%s"
                permissions: { "/": { configure: ".*", write: ".*", read: ".*" } }
            """.formatted(ScramSecret.create(ScramMechanism.SCRAM_SHA_256, "scram-pw", 4096),
            PasswordHash.create("pbkdf2-pw", 1000));

    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass(BrokerConfig.standard().withUsers(USERS));

    @Test
    void scramSha256LogsInAndTheServerProvesItKnowsTheSecret() throws Exception {
        try (RawMqtt raw = new RawMqtt(broker.port("mqtt"))) {
            ScramClient scram = new ScramClient(ScramMechanism.SCRAM_SHA_256, "scram-user", "scram-pw");
            int[] connack = logIn(raw, SHA256, scram);

            assertThat(connack[2]).as("CONNACK Success").isZero();
            assertThat(text(property(connack, 3, METHOD))).as("[MQTT-4.12.0-5]").isEqualTo(SHA256);
            assertThat(scram.serverProved(property(connack, 3, DATA))).isTrue();
            assertAlive(raw);
        }
    }

    @Test
    void scramSha512LogsInAUserWithAPlainPassword() throws Exception {
        try (RawMqtt raw = new RawMqtt(broker.port("mqtt"))) {
            ScramClient scram = new ScramClient(ScramMechanism.SCRAM_SHA_512, "plain-user", "plain-pw");
            int[] connack = logIn(raw, SHA512, scram);

            assertThat(connack[2]).isZero();
            assertThat(scram.serverProved(property(connack, 3, DATA))).isTrue();
        }
    }

    @Test
    void aWrongPasswordAnUnknownUserOrAUserWithoutASecretGetBadUserNameOrPassword() throws Exception {
        ScramClient[] refused = {
            new ScramClient(ScramMechanism.SCRAM_SHA_256, "scram-user", "wrong"),
            new ScramClient(ScramMechanism.SCRAM_SHA_256, "nobody", "scram-pw"),
            new ScramClient(ScramMechanism.SCRAM_SHA_512, "scram-user", "scram-pw"), // its secret is SHA-256's
            new ScramClient(ScramMechanism.SCRAM_SHA_512, "pbkdf2-user", "pbkdf2-pw"),
        };
        String[] methods = {SHA256, SHA256, SHA512, SHA512};
        for (int i = 0; i < refused.length; i++) {
            try (RawMqtt raw = new RawMqtt(broker.port("mqtt"))) {
                int[] connack = logIn(raw, methods[i], refused[i]);

                assertThat(connack[0]).isEqualTo(CONNACK);
                assertThat(connack[2]).as("Bad User Name or Password").isEqualTo(0x86);
                assertThat(raw.readUntilClosed(5000)).isTrue();
            }
        }
    }

    @Test
    void anUnknownMethodIsRefusedWithBadAuthenticationMethod_MQTT_4_12_0_1() throws Exception {
        // This broker has no jwt backend: the token methods are unknown here too.
        for (String method : new String[] {"GS2-KRB5", "OAUTHBEARER", "JWT"}) {
            try (RawMqtt raw = new RawMqtt(broker.port("mqtt"))) {
                raw.send(connect(method, new byte[] {1, 2, 3}));
                int[] connack = raw.readPacket(5000);

                assertThat(connack[0]).isEqualTo(CONNACK);
                assertThat(connack[2]).as(method).isEqualTo(0x8C);
                assertThat(raw.readUntilClosed(5000)).isTrue();
            }
        }
    }

    @Test
    void onlyAuthMayFollowTheChallengeBeforeConnack_MQTT_3_1_2_30() throws Exception {
        byte[][] outOfOrder = {
            packet(0x30, concat(str("t"), new byte[] {0}, "x".getBytes(StandardCharsets.UTF_8))), // PUBLISH
            auth(REAUTH, SHA256, new byte[0]),                                                    // not Continue
            auth(CONTINUE, SHA512, new byte[0]),                                                  // another method
        };
        for (byte[] wrong : outOfOrder) {
            try (RawMqtt raw = new RawMqtt(broker.port("mqtt"))) {
                ScramClient scram = new ScramClient(ScramMechanism.SCRAM_SHA_256, "scram-user", "scram-pw");
                raw.send(connect(SHA256, scram.clientFirst()));
                assertThat(raw.readPacket(5000)[0]).isEqualTo(AUTH);
                raw.send(wrong);

                int[] connack = raw.readPacket(5000);
                assertThat(connack[0]).as("no CONNACK yet: the refusal is one").isEqualTo(CONNACK);
                assertThat(connack[2]).as("Protocol Error").isEqualTo(0x82);
                assertThat(raw.readUntilClosed(5000)).isTrue();
            }
        }
    }

    @Test
    void authAfterAPasswordLoginOrOutsideAReauthenticationIsAProtocolError_MQTT_4_12_0_7() throws Exception {
        try (RawMqtt raw = new RawMqtt(broker.port("mqtt"))) {
            raw.connect5("auth-" + UUID.randomUUID());
            raw.send(auth(REAUTH, SHA256, new byte[0]));
            raw.expectDisconnect(0x82);
        }
        try (RawMqtt raw = new RawMqtt(broker.port("mqtt"))) {
            ScramClient scram = new ScramClient(ScramMechanism.SCRAM_SHA_256, "scram-user", "scram-pw");
            assertThat(logIn(raw, SHA256, scram)[2]).isZero();
            raw.send(auth(CONTINUE, SHA256, new byte[0])); // Continue with no re-authentication under way
            raw.expectDisconnect(0x82);
        }
        try (RawMqtt raw = new RawMqtt(broker.port("mqtt"))) {
            raw.send(auth(CONTINUE, SHA256, new byte[0])); // before CONNECT [MQTT-3.1.0-1]
            assertThat(raw.readUntilClosed(5000)).isTrue();
        }
    }

    @Test
    void aConnectionReauthenticatesAndAWrongReauthenticationEndsIt() throws Exception {
        try (RawMqtt raw = new RawMqtt(broker.port("mqtt"))) {
            assertThat(logIn(raw, SHA256, new ScramClient(ScramMechanism.SCRAM_SHA_256, "scram-user", "scram-pw"))[2])
                    .isZero();
            for (int i = 0; i < 2; i++) {
                ScramClient again = new ScramClient(ScramMechanism.SCRAM_SHA_256, "scram-user", "scram-pw");
                raw.send(auth(REAUTH, SHA256, again.clientFirst()));
                int[] challenge = raw.readPacket(5000);
                assertThat(challenge[0]).isEqualTo(AUTH);
                assertThat(challenge[1]).isEqualTo(CONTINUE);
                raw.send(auth(CONTINUE, SHA256, again.clientFinal(property(challenge, 2, DATA))));

                int[] success = raw.readPacket(5000);
                assertThat(success[0]).isEqualTo(AUTH);
                assertThat(success[1]).as("AUTH Success").isZero();
                assertThat(text(property(success, 2, METHOD))).isEqualTo(SHA256);
                assertThat(again.serverProved(property(success, 2, DATA))).isTrue();
                assertAlive(raw);
            }
            ScramClient wrong = new ScramClient(ScramMechanism.SCRAM_SHA_256, "scram-user", "wrong");
            raw.send(auth(REAUTH, SHA256, wrong.clientFirst()));
            int[] challenge = raw.readPacket(5000);
            raw.send(auth(CONTINUE, SHA256, wrong.clientFinal(property(challenge, 2, DATA))));
            raw.expectDisconnect(0x87); // Not authorized [MQTT-4.12.1-2]
        }
        try (RawMqtt raw = new RawMqtt(broker.port("mqtt"))) {
            assertThat(logIn(raw, SHA512, new ScramClient(ScramMechanism.SCRAM_SHA_512, "plain-user", "plain-pw"))[2])
                    .isZero();
            ScramClient other = new ScramClient(ScramMechanism.SCRAM_SHA_512, "scram-user", "scram-pw");
            raw.send(auth(REAUTH, SHA512, other.clientFirst()));
            raw.expectDisconnect(0x87); // a connection does not change its user
        }
    }

    /** CONNECT, the server's challenge, the client's proof; returns the CONNACK. */
    private static int[] logIn(RawMqtt raw, String method, ScramClient scram) throws Exception {
        raw.send(connect(method, scram.clientFirst()));
        int[] challenge = raw.readPacket(5000);
        assertThat(challenge[0]).as("AUTH").isEqualTo(AUTH);
        assertThat(challenge[1]).as("Continue authentication [MQTT-4.12.0-2]").isEqualTo(CONTINUE);
        assertThat(text(property(challenge, 2, METHOD))).as("[MQTT-4.12.0-5]").isEqualTo(method);
        raw.send(auth(CONTINUE, method, scram.clientFinal(property(challenge, 2, DATA))));
        int[] connack = raw.readPacket(5000);
        assertThat(connack).as("a CONNACK").isNotNull();
        assertThat(connack[0]).isEqualTo(CONNACK);
        return connack;
    }

    private static void assertAlive(RawMqtt raw) throws Exception {
        raw.send(new byte[] {(byte) 0xC0, 0}); // PINGREQ
        assertThat(raw.readPacket(5000)[0]).as("PINGRESP").isEqualTo(0xD0);
    }

    static byte[] connect(String method, byte[] data) {
        byte[] props = properties(method, data);
        return packet(0x10, concat(str("MQTT"), new byte[] {5, 0x02, 0, 60}, vbi(props.length), props,
                str("scram-" + UUID.randomUUID())));
    }

    static byte[] auth(int reason, String method, byte[] data) {
        byte[] props = properties(method, data);
        return packet(AUTH, concat(new byte[] {(byte) reason}, vbi(props.length), props));
    }

    private static byte[] properties(String method, byte[] data) {
        byte[] binary = new byte[data.length + 2];
        binary[0] = (byte) (data.length >> 8);
        binary[1] = (byte) data.length;
        System.arraycopy(data, 0, binary, 2, data.length);
        return concat(new byte[] {METHOD}, str(method), new byte[] {DATA}, binary);
    }

    private static byte[] vbi(int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        do {
            int digit = n % 128;
            n /= 128;
            out.write(n > 0 ? digit | 0x80 : digit);
        } while (n > 0);
        return out.toByteArray();
    }

    /** The value of property {@code id} in the property section starting at {@code at}; null when absent. */
    static byte[] property(int[] p, int at, int id) {
        int length = 0;
        int shift = 0;
        int i = at;
        int b;
        do {
            b = p[i++];
            length |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        int end = i + length;
        while (i < end) {
            int key = p[i++];
            int size = switch (key) {
                case 0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A -> 1;
                case 0x13, 0x21, 0x22, 0x23 -> 2;
                case 0x02, 0x11, 0x18, 0x27 -> 4;
                case 0x03, 0x08, 0x09, 0x12, 0x15, 0x16, 0x1A, 0x1C, 0x1F -> 2 + (p[i] << 8 | p[i + 1]);
                case 0x26 -> 4 + (p[i] << 8 | p[i + 1]) + (p[i + 2 + (p[i] << 8 | p[i + 1])] << 8
                        | p[i + 3 + (p[i] << 8 | p[i + 1])]);
                default -> throw new IllegalStateException("property " + key + " not expected here");
            };
            if (key == id) {
                byte[] out = new byte[size - 2];
                for (int k = 0; k < out.length; k++) {
                    out[k] = (byte) p[i + 2 + k];
                }
                return out;
            }
            i += size;
        }
        return null;
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
