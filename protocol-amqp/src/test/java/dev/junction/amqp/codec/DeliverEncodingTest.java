package dev.junction.amqp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** basic.deliver written directly is the same frame as the method built and written by the generic encoder. */
class DeliverEncodingTest {

    @Test
    void theDirectFrameEqualsTheGenericOne() {
        for (boolean redelivered : new boolean[] {false, true}) {
            assertThat(direct(7, "amq.ctag-x", 1L << 40, redelivered, "ex.ch\u00e4nge", "a.b.c"))
                    .isEqualTo(generic(7, "amq.ctag-x", 1L << 40, redelivered, "ex.ch\u00e4nge", "a.b.c"));
        }
        assertThat(direct(1, "", 1, false, "", "")).isEqualTo(generic(1, "", 1, false, "", ""));
    }

    @Test
    void aRoutingKeyOverShortstrLengthIsRefusedAndLeavesNothingBehind() {
        ByteBuf out = Unpooled.buffer();
        out.writeByte(42);
        String key = "k".repeat(256);
        assertThatThrownBy(() -> AmqpEncoder.writeDeliver(out, 1, "t".getBytes(StandardCharsets.UTF_8), 1, false,
                "", key)).isInstanceOf(IllegalArgumentException.class);
        assertThat(out.readableBytes()).isEqualTo(1);
    }

    private static String direct(int channel, String tag, long deliveryTag, boolean redelivered, String exchange,
                                 String key) {
        ByteBuf out = Unpooled.buffer();
        AmqpEncoder.writeDeliver(out, channel, tag.getBytes(StandardCharsets.UTF_8), deliveryTag, redelivered,
                exchange, key);
        return ByteBufUtil.hexDump(out);
    }

    private static String generic(int channel, String tag, long deliveryTag, boolean redelivered, String exchange,
                                  String key) {
        ByteBuf out = Unpooled.buffer();
        AmqpEncoder.writeMethod(out, channel, MethodType.BASIC_DELIVER.with(tag, deliveryTag, redelivered, exchange,
                key));
        return ByteBufUtil.hexDump(out);
    }
}
