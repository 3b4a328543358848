package dev.junction.amqp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.api.MessageProperties;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Checks the declarative tables against RabbitMQ's protocol definition (amqp-rabbitmq-0.9.1.json). */
class MethodTypeSpecTest {
    private static Map<String, Object> spec;
    private static Map<String, String> domains;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws IOException {
        try (InputStream in = MethodTypeSpecTest.class.getResourceAsStream("/amqp-rabbitmq-0.9.1.json")) {
            assertThat(in).as("spec resource").isNotNull();
            spec = (Map<String, Object>) MiniJson.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        domains = new HashMap<>();
        for (Object d : (List<Object>) spec.get("domains")) {
            List<Object> pair = (List<Object>) d;
            domains.put((String) pair.get(0), (String) pair.get(1));
        }
    }

    /** Resolves a domain (e.g. "exchange-name") to its primitive type ("shortstr"). */
    private static FieldType resolve(Map<String, Object> arg) {
        String t = (String) (arg.containsKey("type") ? arg.get("type") : arg.get("domain"));
        while (domains.containsKey(t) && !domains.get(t).equals(t)) {
            t = domains.get(t);
        }
        return FieldType.valueOf(t.toUpperCase(Locale.ROOT));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return (List<Map<String, Object>>) o;
    }

    @Test
    void everySpecMethodExistsWithTheSameIdsFieldsAndContentFlag_andNothingElse() {
        Set<MethodType> seen = EnumSet.noneOf(MethodType.class);
        int count = 0;
        for (Map<String, Object> cls : list(spec.get("classes"))) {
            int classId = ((Long) cls.get("id")).intValue();
            for (Map<String, Object> m : list(cls.get("methods"))) {
                int methodId = ((Long) m.get("id")).intValue();
                String name = cls.get("name") + "." + m.get("name");
                MethodType type = MethodType.of(classId, methodId);
                assertThat(type).as(name + " (" + classId + "," + methodId + ")").isNotNull();
                assertThat(type.amqpName()).isEqualTo(name);
                assertThat(type.name()).isEqualTo(name.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT));
                assertThat(type.classId()).isEqualTo(classId);
                assertThat(type.methodId()).isEqualTo(methodId);
                assertThat(type.hasContent()).as(name + " content").isEqualTo(Boolean.TRUE.equals(m.get("content")));
                List<Field> expected = new ArrayList<>();
                for (Map<String, Object> arg : list(m.get("arguments"))) {
                    expected.add(new Field((String) arg.get("name"), resolve(arg)));
                }
                assertThat(type.fields()).as(name + " fields").containsExactlyElementsOf(expected);
                assertThat(seen.add(type)).as(name + " listed twice").isTrue();
                count++;
            }
        }
        assertThat(seen).as("methods not in the spec").containsExactlyInAnyOrder(MethodType.values());
        assertThat(count).isEqualTo(MethodType.values().length);
    }

    @Test
    void lookupOfUnknownIdsIsNull() {
        assertThat(MethodType.of(60, 200)).isNull(); // basic.credit: not in the 0-9-1 definition
        assertThat(MethodType.of(99, 10)).isNull();
        assertThat(MethodType.of(-1, 10)).isNull();
        assertThat(MethodType.of(10, 65535)).isNull();
        assertThat(MethodType.of(65535, 10)).isNull();
        assertThat(MethodType.of(60, 40)).isEqualTo(MethodType.BASIC_PUBLISH);
        assertThat(MethodType.of(40, 51)).isEqualTo(MethodType.EXCHANGE_UNBIND_OK); // RabbitMQ's id, not 41
    }

    @Test
    void replyCodeConstantsMatchTheSpecConstantsAndTheirErrorClass() {
        int checked = 0;
        for (Map<String, Object> c : list(spec.get("constants"))) {
            int value = ((Long) c.get("value")).intValue();
            String name = ((String) c.get("name")).replace('-', '_');
            if (name.startsWith("FRAME_") && !name.equals("FRAME_ERROR")) {
                continue; // frame types, FRAME-MIN-SIZE, FRAME-END
            }
            assertThat(ReplyCode.name(value)).isEqualTo(name);
            assertThat(ReplyCode.isHardError(value)).as(name).isEqualTo("hard-error".equals(c.get("class")));
            checked++;
        }
        assertThat(checked).isEqualTo(19);
    }

    @Test
    void frameConstantsMatchTheSpec() {
        Map<String, Long> constants = new HashMap<>();
        for (Map<String, Object> c : list(spec.get("constants"))) {
            constants.put((String) c.get("name"), (Long) c.get("value"));
        }
        assertThat(constants.get("FRAME-METHOD")).isEqualTo((long) AmqpEncoder.FRAME_METHOD);
        assertThat(constants.get("FRAME-HEADER")).isEqualTo((long) AmqpEncoder.FRAME_HEADER);
        assertThat(constants.get("FRAME-BODY")).isEqualTo((long) AmqpEncoder.FRAME_BODY);
        assertThat(constants.get("FRAME-HEARTBEAT")).isEqualTo((long) AmqpEncoder.FRAME_HEARTBEAT);
        assertThat(constants.get("FRAME-END")).isEqualTo((long) AmqpEncoder.FRAME_END);
        assertThat(AmqpEncoder.PROTOCOL_HEADER).containsExactly('A', 'M', 'Q', 'P', 0,
                ((Long) spec.get("major-version")).intValue(), ((Long) spec.get("minor-version")).intValue(),
                ((Long) spec.get("revision")).intValue());
    }

    /** Each basic property, set alone, must raise flag bit 15 - its position in the spec's property list. */
    @Test
    void basicPropertiesAreEncodedInSpecOrderWithTheSpecTypes() {
        Map<String, UnaryOperator<MessageProperties.Builder>> setters = Map.ofEntries(
                Map.entry("content-type", b -> b.contentType("text/plain")),
                Map.entry("content-encoding", b -> b.contentEncoding("gzip")),
                Map.entry("headers", b -> b.header("k", 1)),
                Map.entry("delivery-mode", b -> b.deliveryMode(2)),
                Map.entry("priority", b -> b.priority(9)),
                Map.entry("correlation-id", b -> b.correlationId("c")),
                Map.entry("reply-to", b -> b.replyTo("r")),
                Map.entry("expiration", b -> b.expiration("60000")),
                Map.entry("message-id", b -> b.messageId("m")),
                Map.entry("timestamp", b -> b.timestamp(Instant.ofEpochSecond(1_700_000_000L))),
                Map.entry("type", b -> b.type("t")),
                Map.entry("user-id", b -> b.userId("u")),
                Map.entry("app-id", b -> b.appId("a")),
                Map.entry("cluster-id", b -> b.clusterId("cl")));
        Map<String, Integer> sizes = Map.of("shortstr", -1, "octet", 1, "timestamp", 8, "table", -1);
        List<Map<String, Object>> properties = null;
        for (Map<String, Object> cls : list(spec.get("classes"))) {
            if ("basic".equals(cls.get("name"))) {
                properties = list(cls.get("properties"));
            }
        }
        assertThat(properties).hasSize(14);
        for (int i = 0; i < properties.size(); i++) {
            String name = (String) properties.get(i).get("name");
            String type = (String) properties.get(i).get("type");
            assertThat(setters).as(name).containsKey(name);
            MessageProperties p = setters.get(name).apply(MessageProperties.builder()).build();
            ByteBuf out = Unpooled.buffer();
            ContentProperties.write(out, p);
            assertThat(out.getUnsignedShort(0)).as(name).isEqualTo(1 << (15 - i));
            int valueSize = out.readableBytes() - 2;
            switch (type) {
                case "shortstr" -> assertThat(valueSize).as(name).isEqualTo(1 + out.getUnsignedByte(2));
                case "table" -> assertThat(valueSize).as(name).isEqualTo(4 + out.getInt(2));
                default -> assertThat(valueSize).as(name).isEqualTo(sizes.get(type));
            }
            assertThat(ContentProperties.read(out)).isEqualTo(p);
            assertThat(out.isReadable()).isFalse();
            out.release();
        }
    }
}
