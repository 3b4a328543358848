package dev.junction.amqp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A shortstr read again is the same text; anything else is read, and checked, as without the cache. */
class ShortStringsTest {
    private final ShortStrings strings = new ShortStrings();

    @Test
    void aRepeatedStringIsReadAsTheSameTextAndTheReaderMovesOn() {
        for (int i = 0; i < 3; i++) {
            ByteBuf in = shortStrs("amq.topic", "devices.\u00e9.telemetry", "");
            assertThat(strings.read(in)).isEqualTo("amq.topic");
            assertThat(strings.read(in)).isEqualTo("devices.\u00e9.telemetry");
            assertThat(strings.read(in)).isEmpty();
            assertThat(in.isReadable()).isFalse();
        }
    }

    @Test
    void aStringOfTheSameLengthWithOtherBytesIsNotTakenForTheKnownOne() {
        strings.read(shortStrs("abc"));
        assertThat(strings.read(shortStrs("abd"))).isEqualTo("abd");
        assertThat(strings.read(shortStrs("abc"))).isEqualTo("abc");
    }

    @Test
    void aLongerStringDifferingInAnyWordOrInItsTailIsNotTakenForTheKnownOne() {
        String known = "0123456789abcdefXYZ"; // two words of eight bytes and a tail of three
        strings.read(shortStrs(known));
        for (int i = 0; i < known.length(); i++) {
            String other = known.substring(0, i) + '#' + known.substring(i + 1);
            assertThat(strings.read(shortStrs(other))).isEqualTo(other);
            assertThat(strings.read(shortStrs(known))).isEqualTo(known);
        }
    }

    @Test
    void invalidUtf8IsStillRefusedAndAnOverrunStillDetected() {
        strings.read(shortStrs("ab"));
        ByteBuf bad = Unpooled.buffer().writeByte(2).writeByte('a').writeByte(0xC3);
        assertThatThrownBy(() -> strings.read(bad)).isInstanceOf(IllegalArgumentException.class);
        ByteBuf overrun = Unpooled.buffer().writeByte(5).writeByte('a').writeByte('b');
        assertThatThrownBy(() -> strings.read(overrun)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void moreStringsThanItKeepsAreAllReadCorrectly() {
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 10; i++) {
                assertThat(strings.read(shortStrs("key-" + i))).isEqualTo("key-" + i);
            }
        }
    }

    private static ByteBuf shortStrs(String... values) {
        ByteBuf out = Unpooled.buffer();
        for (String v : values) {
            byte[] b = v.getBytes(StandardCharsets.UTF_8);
            out.writeByte(b.length).writeBytes(b);
        }
        return out;
    }
}
