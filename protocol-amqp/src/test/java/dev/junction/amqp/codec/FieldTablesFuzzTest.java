package dev.junction.amqp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.junction.protocol.testing.HeapMeter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Map;

/**
 * Coverage-guided fuzzing of {@link FieldTables#read}: the input is the table as it appears on the wire (its
 * long length first). Invariants: malformed input is an {@link IllegalArgumentException} and nothing else (the
 * decoder turns exactly that into 501 FRAME_ERROR); a table that decodes writes back, and reading what was
 * written gives the same values (headers a client publishes are delivered to other clients); the writer never
 * produces more than a few times the bytes read (invalid UTF-8 keys come back as U+FFFD, 3 bytes each); the
 * reader does not move past the table; heap allocated is bounded by the input size.
 */
class FieldTablesFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void readTablesWriteBackToTheSameValues(byte[] input) {
        HeapMeter.bounded("reading " + input.length + " bytes", HeapMeter.budget(input.length, 256 << 10, 512),
                () -> roundTrip(input));
    }

    private static void roundTrip(byte[] input) {
        ByteBuf in = Unpooled.wrappedBuffer(input);
        Map<String, Object> table;
        try {
            table = FieldTables.read(in);
        } catch (IllegalArgumentException e) {
            return;
        }
        assertThat(in.readerIndex()).isLessThanOrEqualTo(input.length);
        ByteBuf out = Unpooled.buffer();
        FieldTables.write(out, table);
        assertThat(out.readableBytes()).isLessThanOrEqualTo(4 + 3 * input.length);
        Map<String, Object> again = FieldTables.read(out);
        assertThat(out.isReadable()).as("bytes after the written table").isFalse();
        assertThat(Deep.equal(again, table)).as("%s re-read as %s", table, again).isTrue();
    }
}
