package dev.junction.amqp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Encode → decode through AmqpFrameDecoder on an EmbeddedChannel, for every method in both directions. */
class MethodRoundTripTest {

    /** Distinct, edge-leaning sample values per field; {@code flip} inverts every bit. */
    static Object[] sampleArgs(MethodType type, boolean flip) {
        List<Field> fields = type.fields();
        Object[] args = new Object[fields.size()];
        for (int i = 0; i < args.length; i++) {
            Field f = fields.get(i);
            args[i] = switch (f.type()) {
                case OCTET -> 200 + i;
                case SHORT -> 65_535 - i;
                case LONG -> 0xFFFF_FFFFL - i;
                case LONGLONG -> Long.MAX_VALUE - i;
                case SHORTSTR -> f.name() + "-é-" + i;
                case LONGSTR -> new byte[] {0, (byte) 0xFF, 'x', (byte) i, (byte) 0xC3};
                case BIT -> (i % 2 == 0) != flip;
                case TABLE -> {
                    Map<String, Object> t = new LinkedHashMap<>();
                    t.put("x-max-length", 10);
                    t.put("x-queue-type", "quorum");
                    t.put("flag", true);
                    t.put("nested", Map.of("n", 1L));
                    yield t;
                }
                case TIMESTAMP -> Instant.ofEpochSecond(1_700_000_000L + i);
            };
        }
        return args;
    }

    @ParameterizedTest
    @EnumSource(MethodType.class)
    void everyMethodSurvivesEncodeAndDecode(MethodType type) {
        for (boolean flip : new boolean[] {false, true}) {
            Method m = type.with(sampleArgs(type, flip));
            EmbeddedChannel ch = Frames.open();
            List<AmqpFrame> frames = Frames.decode(ch, Frames.method(7, m));
            assertThat(frames).containsExactly(new MethodFrame(7, m));
            Method decoded = ((MethodFrame) frames.get(0)).method();
            assertThat(decoded.type()).isSameAs(type);
            for (int i = 0; i < type.fields().size(); i++) {
                Object expected = m.arg(i);
                if (expected instanceof byte[] b) {
                    assertThat((byte[]) decoded.arg(i)).containsExactly(b);
                } else {
                    assertThat(decoded.arg(i)).as(type.fields().get(i).name()).isEqualTo(expected);
                }
            }
            assertThat(ch.finish()).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(MethodType.class)
    void frameCarriesTypeChannelSizeIdsAndFrameEnd(MethodType type) {
        byte[] wire = Frames.method(65_535, type.with(sampleArgs(type, false)));
        ByteBuf b = Unpooled.wrappedBuffer(wire);
        assertThat(b.getUnsignedByte(0)).isEqualTo((short) 1); // 4.2.3: method frame type 1
        assertThat(b.getUnsignedShort(1)).isEqualTo(65_535);
        assertThat(b.getUnsignedInt(3)).isEqualTo(wire.length - 8L);
        assertThat(b.getUnsignedShort(7)).isEqualTo(type.classId());
        assertThat(b.getUnsignedShort(9)).isEqualTo(type.methodId());
        assertThat(b.getUnsignedByte(wire.length - 1)).isEqualTo((short) 0xCE);
    }

    @Test
    void queueDeclarePacksItsFiveBitsIntoOneOctetLeastSignificantFirst() {
        // 4.2.5.2: consecutive bits share an octet, first bit in the low-order position.
        Method m = MethodType.QUEUE_DECLARE.with(0, "q", true, false, true, false, true, Map.of());
        byte[] wire = Frames.method(1, m);
        // header(7) class(2) method(2) ticket(2) shortstr(1+1) bits(1) table(4) end(1)
        assertThat(wire).hasSize(21);
        assertThat(wire[15]).isEqualTo((byte) 0b10101);
        assertThat(Frames.decode(Frames.open(), wire)).containsExactly(new MethodFrame(1, m));

        Method allSet = MethodType.QUEUE_DECLARE.with(0, "q", true, true, true, true, true, Map.of());
        assertThat(Frames.method(1, allSet)[15]).isEqualTo((byte) 0b11111);
        Method onlyNoWait = MethodType.QUEUE_DECLARE.with(0, "q", false, false, false, false, true, null);
        assertThat(Frames.method(1, onlyNoWait)[15]).isEqualTo((byte) 0b10000);
    }

    @Test
    void aBitRunInterruptedByATableStartsAFreshOctet() {
        FieldType[] layout = {FieldType.BIT, FieldType.BIT, FieldType.TABLE, FieldType.BIT, FieldType.BIT,
            FieldType.BIT};
        Object[] args = {true, false, Map.of(), false, true, true};
        ByteBuf out = Unpooled.buffer();
        MethodCodec.writeArgs(out, layout, args);
        assertThat(Frames.bytes(out.copy())).containsExactly(0b01, 0, 0, 0, 0, 0b110);
        assertThat(MethodCodec.readArgs(out, layout)).containsExactly(args);
        assertThat(out.isReadable()).isFalse();
    }

    @Test
    void moreThanEightBitsSpillIntoASecondOctet() {
        FieldType[] layout = new FieldType[10];
        java.util.Arrays.fill(layout, FieldType.BIT);
        Object[] args = {true, true, true, true, true, true, true, true, false, true};
        ByteBuf out = Unpooled.buffer();
        MethodCodec.writeArgs(out, layout, args);
        assertThat(Frames.bytes(out.copy())).containsExactly(0xFF, 0b10);
        assertThat(MethodCodec.readArgs(out, layout)).containsExactly(args);
    }

    @Test
    void basicNackBitsFollowTheDeliveryTagInOneOctet() {
        byte[] wire = Frames.method(3, MethodType.BASIC_NACK.with(42L, true, true));
        // header(7) ids(4) delivery-tag(8) bits(1) end(1)
        assertThat(wire).hasSize(21);
        assertThat(wire[19]).isEqualTo((byte) 0b11);
    }

    @Test
    void connectionStartOkCarriesBinarySaslResponse() {
        byte[] response = "\0guest\0gu\u00e9st".getBytes(StandardCharsets.UTF_8);
        Method m = MethodType.CONNECTION_START_OK.with(Map.of("product", "test", "capabilities",
                Map.of("publisher_confirms", true)), "PLAIN", response, "en_US");
        Method decoded = ((MethodFrame) Frames.decode(Frames.open(), Frames.method(0, m)).get(0)).method();
        assertThat(decoded.bytes("response")).containsExactly(response);
        assertThat(decoded.str("response")).isEqualTo("\0guest\0gu\u00e9st");
        assertThat(decoded.str("mechanism")).isEqualTo("PLAIN");
        assertThat(decoded.table("client-properties")).containsEntry("product", "test")
                .containsEntry("capabilities", Map.of("publisher_confirms", true));
    }
}
