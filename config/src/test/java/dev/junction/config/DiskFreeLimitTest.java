package dev.junction.config;

import static dev.junction.config.ConfigAssertions.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** limits.disk_free_limit, written as RabbitMQ's disk_free_limit.absolute or .relative (mem_relative). */
class DiskFreeLimitTest {

    @Test
    void anAbsoluteSizeTakesDecimalAndBinaryUnitsAndPlainBytes() throws Exception {
        assertThat(parse("limits:\n  disk_free_limit: 2GB\n").limits().diskFreeLimit().bytes(1))
                .isEqualTo(2_000_000_000L);
        assertThat(parse("limits:\n  disk_free_limit: 1GiB\n").limits().diskFreeLimit().bytes(1))
                .isEqualTo(1L << 30);
        assertThat(parse("limits:\n  disk_free_limit: 123456\n").limits().diskFreeLimit().bytes(1))
                .isEqualTo(123_456L);
    }

    @Test
    void aRelativeLimitIsAMultipleOfTheRam() throws Exception {
        DiskFreeLimit l = parse("limits:\n  disk_free_limit: {mem_relative: 1.5}\n").limits().diskFreeLimit();
        assertThat(l.bytes(8_000)).isEqualTo(12_000);
    }

    @Test
    void theDefaultIsRabbitMqs50Mb() {
        assertThat(ConfigLoader.defaults().limits().diskFreeLimit().bytes(1)).isEqualTo(50_000_000L);
    }

    @Test
    void anUnreadableSizeNamesFileLineAndKey() {
        assertThatThrownBy(() -> parse("limits:\n  disk_free_limit: lots\n"))
                .hasMessageContaining(":2:").hasMessageContaining("limits.disk_free_limit");
        assertThatThrownBy(() -> parse("limits:\n  disk_free_limit: {mem_relative: x}\n"))
                .hasMessageContaining("limits.disk_free_limit.mem_relative");
    }
}
