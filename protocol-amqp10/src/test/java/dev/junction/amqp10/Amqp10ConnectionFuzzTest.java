package dev.junction.amqp10;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.junction.protocol.testing.HeapMeter;
import dev.junction.routing.RoutingEngine;
import io.netty.channel.DefaultEventLoop;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;

/**
 * Coverage-guided fuzzing of an AMQP 1.0 connection: arbitrary bytes, cut into arbitrary pieces, after the SASL
 * protocol header, or after a complete login ({@code open} answered). Run over the saved corpus by every build;
 * {@code JAZZER_FUZZ=1} explores (see docs/fuzzing.md).
 *
 * <p>Input layout: byte 0 picks the start: bit 7 set logs in first (SASL PLAIN, {@code open}), otherwise only
 * the SASL header is sent; bits 0..5 are the piece size (0 = one piece). The rest is the stream.
 *
 * <p>Invariants, per input: no exception leaves the connection's handler (proton-j's errors become a
 * {@code close} with a condition or a closed socket, never an exception in the pipeline); every buffer the
 * pipeline allocated is released once the socket closes; heap allocated stays within a constant plus a multiple of
 * the input size.
 */
class Amqp10ConnectionFuzzTest {
    private static final byte[] SASL_HEADER = {'A', 'M', 'Q', 'P', 3, 1, 0, 0};
    private static final DefaultEventLoop LOOP = new DefaultEventLoop();
    private static final RoutingEngine ENGINE = EmbeddedAmqp10.engine();

    @AfterAll
    static void stop() {
        ENGINE.close();
        LOOP.shutdownGracefully();
    }

    @FuzzTest(maxDuration = "10m")
    void anyByteStreamEndsInFramesOrAClose(byte[] input) {
        if (input.length == 0) {
            return;
        }
        EmbeddedAmqp10 conn = new EmbeddedAmqp10(ENGINE, LOOP);
        try {
            // the login waits for the engine's answer: outside the heap budget, which is the input's
            if ((input[0] & 0x80) != 0) {
                assertThat(conn.logIn()).as("a proper login succeeds").isTrue();
            } else {
                conn.write(SASL_HEADER);
            }
            HeapMeter.bounded("an AMQP 1.0 connection fed " + input.length + " bytes",
                    HeapMeter.budget(input.length, 1 << 20, 512), () -> feed(conn, input));
        } finally {
            conn.close();
        }
        assertThat(conn.alloc.unreleased()).as("buffers the connection did not release").isEmpty();
    }

    private static void feed(EmbeddedAmqp10 conn, byte[] input) {
        int piece = input[0] & 0x3F;
        for (int from = 1; from < input.length; from += piece == 0 ? input.length : piece) {
            int to = piece == 0 ? input.length : Math.min(input.length, from + piece);
            if (!conn.write(Arrays.copyOfRange(input, from, to))) {
                break; // the server closed the socket: nothing more is read
            }
            conn.output();
        }
        conn.output();
    }
}
