package dev.junction.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.storage.Definition;
import dev.junction.storage.DefinitionKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metadata log's entries and snapshot files read back what was written. */
class MetadataSnapshotTest {

    private static final Definition QUEUE =
            new Definition(DefinitionKind.QUEUE, "/", "orders", "spec".getBytes(StandardCharsets.UTF_8));
    private static final Definition BINDING =
            new Definition(DefinitionKind.BINDING, "staging", "x\u0000q\u0000k", new byte[] {0, 1, 2, -1});

    @Test
    void entriesRoundTrip() {
        MetadataCommand put = MetadataCommand.decode(MetadataCommand.put(BINDING).encode());
        assertThat(put.op()).isEqualTo(MetadataCommand.Op.PUT);
        assertThat(put.definition()).usingRecursiveComparison().isEqualTo(BINDING);

        MetadataCommand delete = MetadataCommand.decode(
                MetadataCommand.delete(DefinitionKind.EXCHANGE, "/", "logs").encode());
        assertThat(delete.op()).isEqualTo(MetadataCommand.Op.DELETE);
        assertThat(delete.definition().kind()).isEqualTo(DefinitionKind.EXCHANGE);
        assertThat(delete.definition().name()).isEqualTo("logs");
    }

    @Test
    void anEntryOfAnotherVersionIsRefused() {
        byte[] entry = MetadataCommand.put(QUEUE).encode();
        entry[0] = 9;
        assertThatThrownBy(() -> MetadataCommand.decode(entry)).hasMessageContaining("unknown version 9");
    }

    @Test
    void snapshotsRoundTripAndLeaveNoTemporaryFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("snapshot.2_40");
        MetadataSnapshot.write(file, List.of(QUEUE, BINDING));
        List<Definition> read = MetadataSnapshot.read(file);
        assertThat(read).hasSize(2);
        assertThat(read.get(0)).usingRecursiveComparison().isEqualTo(QUEUE);
        assertThat(read.get(1)).usingRecursiveComparison().isEqualTo(BINDING);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("snapshot.2_40");
        }
        MetadataSnapshot.write(file, List.of());
        assertThat(MetadataSnapshot.read(file)).isEmpty();
    }
}
