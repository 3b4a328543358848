package dev.junction.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.protocol.ProtocolHeader.Verdict;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class ProtocolHeaderTest {
    /** AMQP 1.0 part 2 section 2.2: protocol id 0, version 1.0.0. */
    private static final ProtocolHeader AMQP_1_0 = ProtocolHeader.of(new byte[] {'A', 'M', 'Q', 'P', 0, 1, 0, 0});

    private static ByteBuf bytes(int... values) {
        ByteBuf buf = Unpooled.buffer();
        for (int v : values) {
            buf.writeByte(v);
        }
        return buf;
    }

    @Test
    void theWholeHeaderMatches() {
        assertThat(AMQP_1_0.judge(bytes('A', 'M', 'Q', 'P', 0, 1, 0, 0))).isEqualTo(Verdict.MATCH);
    }

    @Test
    void aStartOfTheHeaderAsksForMore() {
        assertThat(AMQP_1_0.judge(bytes('A'))).isEqualTo(Verdict.MORE);
        assertThat(AMQP_1_0.judge(bytes('A', 'M', 'Q', 'P', 0, 1, 0))).isEqualTo(Verdict.MORE);
    }

    @Test
    void aDifferentByteAnywhereIsNoMatch() {
        assertThat(AMQP_1_0.judge(bytes('H'))).isEqualTo(Verdict.NO_MATCH);
        // AMQP 0-9-1's header (section 4.2.2) parts from 1.0's at its sixth byte.
        assertThat(AMQP_1_0.judge(bytes('A', 'M', 'Q', 'P', 0, 0))).isEqualTo(Verdict.NO_MATCH);
        assertThat(AMQP_1_0.judge(bytes('A', 'M', 'Q', 'P', 0, 1, 0, 7))).isEqualTo(Verdict.NO_MATCH);
    }

    @Test
    void judgingReadsWithoutConsuming() {
        ByteBuf first = bytes('A', 'M', 'Q', 'P');
        AMQP_1_0.judge(first);
        assertThat(first.readerIndex()).isZero();
        assertThat(first.readableBytes()).isEqualTo(4);
    }

    @Test
    void noneClaimsNothing() {
        assertThat(ProtocolHeader.NONE.judge(bytes('A', 'M', 'Q', 'P', 0, 1, 0, 0))).isEqualTo(Verdict.NO_MATCH);
    }

    @Test
    void aHeaderIsOneToEightBytes() {
        assertThatThrownBy(() -> ProtocolHeader.of()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProtocolHeader.of(new byte[9])).isInstanceOf(IllegalArgumentException.class);
    }
}
