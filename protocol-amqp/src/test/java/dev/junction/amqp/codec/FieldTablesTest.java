package dev.junction.amqp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Field tables with the value types of RabbitMQ's 0-9-1 errata. */
class FieldTablesTest {

    private static Map<String, Object> roundTrip(Map<String, Object> table) {
        ByteBuf buf = Unpooled.buffer();
        FieldTables.write(buf, table);
        Map<String, Object> decoded = FieldTables.read(buf);
        assertThat(buf.isReadable()).as("whole table consumed").isFalse();
        return decoded;
    }

    /** A table of raw entries: each entry is key bytes + type + value bytes, as built by {@link #entry}. */
    private static ByteBuf rawTable(byte[]... entries) {
        ByteBuf body = Unpooled.buffer();
        for (byte[] e : entries) {
            body.writeBytes(e);
        }
        ByteBuf buf = Unpooled.buffer();
        buf.writeInt(body.readableBytes());
        buf.writeBytes(body);
        return buf;
    }

    private static byte[] entry(String key, char type, int... value) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(key.length());
        b.writeBytes(key.getBytes(StandardCharsets.US_ASCII));
        b.writeByte(type);
        for (int v : value) {
            b.writeByte(v);
        }
        return Frames.bytes(b);
    }

    /** Compares decoded values deeply, arrays by content. */
    private static void assertSameValue(Object expected, Object actual, String path) {
        if (expected instanceof byte[] e) {
            assertThat(actual).as(path).isInstanceOf(byte[].class);
            assertThat((byte[]) actual).as(path).containsExactly(e);
        } else if (expected instanceof Map<?, ?> e) {
            assertThat(actual).as(path).isInstanceOf(Map.class);
            Map<?, ?> a = (Map<?, ?>) actual;
            assertThat(new ArrayList<Object>(a.keySet())).as(path + " keys in order")
                    .containsExactlyElementsOf(new ArrayList<Object>(e.keySet()));
            for (Map.Entry<?, ?> en : e.entrySet()) {
                assertSameValue(en.getValue(), a.get(en.getKey()), path + "." + en.getKey());
            }
        } else if (expected instanceof List<?> e) {
            assertThat(actual).as(path).isInstanceOf(List.class);
            List<?> a = (List<?>) actual;
            assertThat(a).as(path).hasSameSizeAs(e);
            for (int i = 0; i < e.size(); i++) {
                assertSameValue(e.get(i), a.get(i), path + "[" + i + "]");
            }
        } else if (expected == null) {
            assertThat(actual).as(path).isNull();
        } else {
            assertThat(actual).as(path).isInstanceOf(expected.getClass()).isEqualTo(expected);
        }
    }

    @Test
    void everyEncodableJavaTypeRoundTripsToTheSameType() {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("string", "héllo wörld ✓");
        t.put("empty", "");
        t.put("bool-true", true);
        t.put("bool-false", false);
        t.put("byte", (byte) -7);
        t.put("short", (short) -30_000);
        t.put("int", Integer.MIN_VALUE);
        t.put("long", Long.MAX_VALUE);
        t.put("float", 3.25f);
        t.put("double", -1.0e300);
        t.put("decimal", new BigDecimal("-12345.678"));
        t.put("timestamp", Instant.ofEpochSecond(1_700_000_123L));
        t.put("bytes", new byte[] {0, 1, (byte) 0xFE, (byte) 0xFF});
        t.put("void", null);
        t.put("table", Map.of("inner", 1));
        t.put("array", Arrays.asList("a", 1, null, new byte[] {9}, List.of(true)));
        assertSameValue(t, roundTrip(t), "t");
    }

    @Test
    void nestedTablesAndArraysKeepStructureAndOrder() {
        Map<String, Object> deep = new LinkedHashMap<>();
        deep.put("z", 1);
        deep.put("a", List.of(Map.of("k", List.of(1L, 2L)), List.of(), Map.of()));
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("x-death", List.of(deep, deep));
        t.put("empty-table", Map.of());
        t.put("empty-array", List.of());
        Map<String, Object> decoded = roundTrip(t);
        assertSameValue(t, decoded, "t");
        assertThat(decoded).isInstanceOf(LinkedHashMap.class);
        assertThat(new ArrayList<Object>(((Map<?, ?>) ((List<?>) decoded.get("x-death")).get(0)).keySet()))
                .containsExactly("z", "a");
    }

    @Test
    void encodingUsesRabbitMqTypeOctets() {
        // RabbitMQ errata: b s I l f d D S T F A V x t.
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("a", true);
        ByteBuf buf = Unpooled.buffer();
        FieldTables.write(buf, t);
        assertThat(Frames.bytes(buf)).containsExactly(0, 0, 0, 4, 1, 'a', 't', 1);

        Object[][] cases = {
            {(byte) 1, 'b'}, {(short) 1, 's'}, {1, 'I'}, {1L, 'l'}, {1f, 'f'}, {1d, 'd'},
            {BigDecimal.ONE, 'D'}, {"s", 'S'}, {Instant.EPOCH, 'T'}, {Map.of(), 'F'}, {List.of(), 'A'},
            {null, 'V'}, {new byte[0], 'x'}, {false, 't'},
        };
        for (Object[] c : cases) {
            ByteBuf b = Unpooled.buffer();
            FieldTables.write(b, Collections.singletonMap("k", c[0]));
            assertThat((char) b.getByte(6)).as(String.valueOf(c[0])).isEqualTo(c[1]);
            b.release();
        }
    }

    @Test
    void decimalIsScaleOctetThenSigned32BitValue() {
        ByteBuf buf = Unpooled.buffer();
        FieldTables.write(buf, Map.of("d", new BigDecimal("-1.50")));
        // length, key, 'D', scale 2, value -150
        assertThat(Frames.bytes(buf.copy())).containsExactly(0, 0, 0, 8, 1, 'd', 'D', 2, 0xFF, 0xFF, 0xFF, 0x6A);
        assertThat(FieldTables.read(buf)).isEqualTo(Map.of("d", new BigDecimal("-1.50")));
        assertThat(roundTrip(Map.of("max", new BigDecimal(BigDecimal.valueOf(Integer.MAX_VALUE).unscaledValue(), 255))))
                .containsEntry("max", new BigDecimal(BigDecimal.valueOf(Integer.MAX_VALUE).unscaledValue(), 255));
        assertThat(roundTrip(Map.of("min", BigDecimal.valueOf(Integer.MIN_VALUE))))
                .containsEntry("min", BigDecimal.valueOf(Integer.MIN_VALUE));
    }

    @Test
    void decimalsOutsideTheWireRangeAreRejected() {
        ByteBuf buf = Unpooled.buffer();
        buf.writeByte(0x55);
        for (BigDecimal bad : List.of(new BigDecimal("1E+3"), BigDecimal.valueOf(1, 256),
                BigDecimal.valueOf(Integer.MAX_VALUE + 1L), BigDecimal.valueOf(Integer.MIN_VALUE - 1L))) {
            assertThatThrownBy(() -> FieldTables.write(buf, Map.of("d", bad)))
                    .as(bad.toString()).isInstanceOf(IllegalArgumentException.class);
            assertThat(buf.writerIndex()).as("nothing written").isEqualTo(1);
        }
    }

    @Test
    void timestampsAreWholeSeconds() {
        Instant t = Instant.ofEpochSecond(1_600_000_000L, 999_000_000);
        ByteBuf buf = Unpooled.buffer();
        FieldTables.write(buf, Map.of("t", t));
        assertThat(buf.getLong(7)).isEqualTo(1_600_000_000L);
        assertThat(FieldTables.read(buf)).containsEntry("t", Instant.ofEpochSecond(1_600_000_000L));
    }

    @Test
    void typesOnlyOtherPeersSendDecodeToWiderJavaTypes() {
        ByteBuf buf = rawTable(
                entry("B", 'B', 0xFF),
                entry("u", 'u', 0xFF, 0xFF),
                entry("i", 'i', 0xFF, 0xFF, 0xFF, 0xFF),
                entry("L", 'L', 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE),
                entry("t", 't', 2),
                entry("T", 'T', 0, 0, 0, 0, 0, 0, 0, 60));
        Map<String, Object> t = FieldTables.read(buf);
        assertThat(t.get("B")).isEqualTo((short) 255);
        assertThat(t.get("u")).isEqualTo(65_535);
        assertThat(t.get("i")).isEqualTo(4_294_967_295L);
        assertThat(t.get("L")).isEqualTo(-2L);
        assertThat(t.get("t")).isEqualTo(true);
        assertThat(t.get("T")).isEqualTo(Instant.ofEpochSecond(60));
    }

    @Test
    void longStringsThatAreNotUtf8DecodeAsBytes() {
        ByteBuf buf = rawTable(
                entry("ok", 'S', 0, 0, 0, 2, 0xC3, 0xA9),
                entry("bad", 'S', 0, 0, 0, 2, 0xC3, 0x28),
                entry("overlong", 'S', 0, 0, 0, 2, 0xC0, 0xAF));
        Map<String, Object> t = FieldTables.read(buf);
        assertThat(t.get("ok")).isEqualTo("é");
        assertThat((byte[]) t.get("bad")).containsExactly(0xC3, 0x28);
        assertThat((byte[]) t.get("overlong")).containsExactly(0xC0, 0xAF);
    }

    @Test
    void malformedTablesAreRejected() {
        // unknown type octet
        assertThatThrownBy(() -> FieldTables.read(rawTable(entry("k", 'Z', 0))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x5a");
        // value truncated inside the table's declared length
        assertThatThrownBy(() -> FieldTables.read(rawTable(entry("k", 'I', 0, 0))))
                .isInstanceOf(IllegalArgumentException.class);
        // declared length beyond the buffer
        ByteBuf overrun = Unpooled.buffer().writeInt(100).writeByte(1);
        assertThatThrownBy(() -> FieldTables.read(overrun)).isInstanceOf(IllegalArgumentException.class);
        // a nested string may not run past its table even when bytes follow
        ByteBuf inner = rawTable(entry("s", 'S', 0, 0, 0, 10, 'a'));
        inner.writeBytes(new byte[20]);
        assertThatThrownBy(() -> FieldTables.read(inner)).isInstanceOf(IllegalArgumentException.class);
        // key length beyond the table
        assertThatThrownBy(() -> FieldTables.read(rawTable(new byte[] {9, 'k'})))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nestingDeeperThanTheLimitIsRejectedBothWays() {
        Map<String, Object> t = new HashMap<>();
        Map<String, Object> cur = t;
        for (int i = 0; i <= FieldTables.MAX_DEPTH + 1; i++) {
            Map<String, Object> next = new HashMap<>();
            cur.put("n", next);
            cur = next;
        }
        assertThatThrownBy(() -> FieldTables.write(Unpooled.buffer(), t)).isInstanceOf(IllegalArgumentException.class);

        ByteBuf deep = Unpooled.buffer();
        int levels = FieldTables.MAX_DEPTH + 2;
        // Build F-in-F nesting from the inside out.
        byte[] table = {0, 0, 0, 0};
        for (int i = 0; i < levels; i++) {
            ByteBuf b = Unpooled.buffer();
            b.writeInt(3 + table.length);
            b.writeByte(1).writeByte('n').writeByte('F').writeBytes(table);
            table = Frames.bytes(b);
        }
        deep.writeBytes(table);
        assertThatThrownBy(() -> FieldTables.read(deep)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nested");
    }

    @Test
    void unencodableValuesAndLongKeysAreRejectedWithoutPartialOutput() {
        ByteBuf buf = Unpooled.buffer();
        assertThatThrownBy(() -> FieldTables.write(buf, Map.of("k", new Object())))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FieldTables.write(buf, Map.of("k".repeat(256), 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("255");
        assertThatThrownBy(() -> FieldTables.write(buf, Map.of("é".repeat(128), 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(buf.writerIndex()).isZero();
        FieldTables.write(buf, Map.of("k".repeat(255), 1));
        assertThat(FieldTables.read(buf)).containsOnlyKeys("k".repeat(255));
    }
}
