package dev.junction.amqp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** A string's kept bytes are what Wire.writeShortStr writes for it, and a string too long is refused as there. */
class ShortStrBytesTest {
    private final ShortStrBytes strings = new ShortStrBytes();

    @Test
    void theBytesAreTheShortstrWithoutItsLengthAndAreKeptForTheSameString() {
        for (String s : new String[] {"", "amq.topic", "devices.\u00e9.telemetry", "bad \ud800 surrogate", "x"}) {
            byte[] first = strings.of(s);
            assertThat(first).isEqualTo(written(s));
            assertThat(strings.of(s)).isSameAs(first);
        }
    }

    @Test
    void anEqualStringInAnotherObjectGetsTheSameBytes() {
        String a = "routing.key";
        String b = new String(a.toCharArray());
        assertThat(strings.of(b)).isEqualTo(strings.of(a));
    }

    @Test
    void moreStringsThanItKeepsAreAllEncodedCorrectly() {
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 10; i++) {
                String s = "key-" + i;
                assertThat(strings.of(s)).isEqualTo(written(s));
            }
        }
    }

    @Test
    void overShortstrLengthIsRefused() {
        assertThatThrownBy(() -> strings.of("k".repeat(256))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> strings.of("\u00e9".repeat(128))).isInstanceOf(IllegalArgumentException.class);
        assertThat(strings.of("k".repeat(255))).hasSize(255);
    }

    private static byte[] written(String s) {
        ByteBuf out = Unpooled.buffer();
        Wire.writeShortStr(out, s);
        assertThat((int) out.readUnsignedByte()).isEqualTo(out.readableBytes());
        return ByteBufUtil.getBytes(out);
    }
}
