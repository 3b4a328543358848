package dev.junction.cluster;

import dev.junction.storage.Definition;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The file of a metadata snapshot: every replicated definition at the snapshot's log index, each as the log entry
 * that would put it ({@link MetadataCommand}), length-prefixed after a count. Written to a temporary name and
 * renamed, so a crash leaves the previous snapshot whole.
 */
final class MetadataSnapshot {

    private MetadataSnapshot() {
    }

    static void write(Path file, List<Definition> definitions) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
            out.writeInt(definitions.size());
            for (Definition d : definitions) {
                byte[] entry = MetadataCommand.put(d).encode();
                out.writeInt(entry.length);
                out.write(entry);
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static List<Definition> read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            int n = in.readInt();
            List<Definition> definitions = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                byte[] entry = new byte[in.readInt()];
                in.readFully(entry);
                definitions.add(MetadataCommand.decode(entry).definition());
            }
            return definitions;
        }
    }
}
