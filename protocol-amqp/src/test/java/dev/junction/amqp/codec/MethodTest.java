package dev.junction.amqp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MethodTest {

    @Test
    void typedAccessorsReadFieldsByTheirSpecNames() {
        Method m = MethodType.QUEUE_DECLARE_OK.with("amq.gen-1", 5L, 0xFFFF_FFFFL);
        assertThat(m.str("queue")).isEqualTo("amq.gen-1");
        assertThat(m.integer("message-count")).isEqualTo(5);
        assertThat(m.longValue("consumer-count")).isEqualTo(0xFFFF_FFFFL);
        // an unsigned long above Integer.MAX_VALUE saturates rather than turning negative
        assertThat(m.integer("consumer-count")).isEqualTo(Integer.MAX_VALUE);

        Method tune = MethodType.CONNECTION_TUNE.with(2047, 131_072, 60);
        assertThat(tune.integer("channel-max")).isEqualTo(2047);
        assertThat(tune.integer("frame-max")).isEqualTo(131_072);
        assertThat(tune.arg(1)).isEqualTo(131_072L);

        Method consume = MethodType.BASIC_CONSUME.with(0, "q", "", false, true, false, false,
                Map.of("x-priority", 10));
        assertThat(consume.bit("no-ack")).isTrue();
        assertThat(consume.bit("nowait")).isFalse();
        assertThat(consume.table("arguments")).containsEntry("x-priority", 10);
        assertThat(consume.arity()).isEqualTo(8);

        Method start = MethodType.CONNECTION_START.with(0, 9, Map.of(), "PLAIN AMQPLAIN", "en_US");
        assertThat(start.str("mechanisms")).isEqualTo("PLAIN AMQPLAIN");
        assertThat(start.bytes("locales")).containsExactly("en_US".getBytes(StandardCharsets.US_ASCII));
        assertThat(start.integer("version-minor")).isEqualTo(9);
        assertThat(MethodType.BASIC_ACK.with(7, false).longValue("delivery-tag")).isEqualTo(7L);
    }

    @Test
    void wrongFieldNameOrTypeIsIllegalArgument() {
        Method ack = MethodType.BASIC_ACK.with(1L, true);
        assertThatThrownBy(() -> ack.bit("no-such-field")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("basic.ack");
        assertThatThrownBy(() -> ack.str("delivery-tag")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ack.integer("delivery-tag")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ack.table("multiple")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ack.longValue("multiple")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ack.bytes("multiple")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withChecksArityTypesAndRanges() {
        assertThatThrownBy(() -> MethodType.BASIC_ACK.with(1L)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("delivery-tag, multiple");
        assertThatThrownBy(() -> MethodType.BASIC_ACK.with(1L, "yes")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MethodType.BASIC_ACK.with(null, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MethodType.BASIC_ACK.with(1.0, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MethodType.CONNECTION_START.with(256, 9, Map.of(), "", ""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MethodType.CHANNEL_CLOSE.with(-1, "", 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MethodType.CHANNEL_CLOSE.with(65_536, "", 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MethodType.CONNECTION_TUNE.with(0, 0x1_0000_0000L, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MethodType.BASIC_CONSUME_OK.with("t".repeat(256)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("255");
        assertThat(MethodType.EXCHANGE_DECLARE.with(0, "x", "topic", false, true, false, false, false, null)
                .table("arguments")).isEmpty();
        assertThat(MethodType.CHANNEL_CLOSE.with((short) 200, "", (byte) 0, 0L).integer("reply-code")).isEqualTo(200);
    }

    @Test
    void shortstrOver255Utf8BytesFailsAtEncodeAndLeavesTheBufferUntouched() {
        Method m = MethodType.BASIC_CONSUME_OK.with("é".repeat(200)); // 200 chars, 400 bytes
        ByteBuf out = Unpooled.buffer();
        out.writeByte(0x42);
        assertThatThrownBy(() -> AmqpEncoder.writeMethod(out, 1, m)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("255");
        assertThat(out.writerIndex()).isEqualTo(1);
    }

    @Test
    void contentMethodsAreExactlyPublishReturnDeliverAndGetOk() {
        assertThat(Arrays.stream(MethodType.values()).filter(MethodType::hasContent))
                .containsExactly(MethodType.BASIC_PUBLISH, MethodType.BASIC_RETURN, MethodType.BASIC_DELIVER,
                        MethodType.BASIC_GET_OK);
    }

    @Test
    void equalityIsByTypeAndArgumentValues() {
        Method a = MethodType.CONNECTION_SECURE.with("challenge");
        Method b = MethodType.CONNECTION_SECURE.with("challenge".getBytes(StandardCharsets.UTF_8));
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(MethodType.CONNECTION_SECURE_OK.with("challenge"));
        assertThat(a.toString()).isEqualTo("connection.secure(challenge=<9 bytes>)");
        assertThat(MethodType.BASIC_ACK.with(3L, true).toString())
                .isEqualTo("basic.ack(delivery-tag=3, multiple=true)");
    }

    @Test
    void replyCodeNamesAndErrorClasses() {
        assertThat(ReplyCode.name(ReplyCode.PRECONDITION_FAILED)).isEqualTo("PRECONDITION_FAILED");
        assertThat(ReplyCode.name(999)).isEqualTo("UNKNOWN");
        assertThat(ReplyCode.isHardError(ReplyCode.FRAME_ERROR)).isTrue();
        assertThat(ReplyCode.isHardError(ReplyCode.NOT_FOUND)).isFalse();
    }
}
