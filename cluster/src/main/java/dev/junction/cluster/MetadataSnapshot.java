package dev.junction.cluster;

import dev.junction.storage.Definition;
import dev.junction.storage.RetainedMessage;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The file of a metadata snapshot: every replicated definition at the snapshot's log index, each as the log entry
 * that would put it ({@link MetadataCommand}), length-prefixed after a count; then the client-id owner registry
 * the same way, each owner as its claim ({@link ClientIdCommand}; a file written before the registry existed ends
 * after the definitions), the replicated retained messages (each as its {@link RetainedCommand}), and the sessions'
 * exactly-once exchanges in progress (each as the {@link ExactlyOnceCommand} that sets it). A file written before a
 * part existed ends before it, and reads with that part empty. Written to a temporary name and renamed, so a crash
 * leaves the previous snapshot whole.
 */
final class MetadataSnapshot {

    /** What a snapshot holds. */
    record Contents(List<Definition> definitions, List<ClientIdCommand> clientIds, List<RetainedMessage> retained,
                    List<ExactlyOnceCommand> exactlyOnce) {
    }

    private MetadataSnapshot() {
    }

    static void write(Path file, List<Definition> definitions) throws IOException {
        write(file, definitions, List.of(), List.of());
    }

    static void write(Path file, List<Definition> definitions, List<ClientIdCommand> clientIds,
                      List<RetainedMessage> retained) throws IOException {
        write(file, definitions, clientIds, retained, List.of());
    }

    static void write(Path file, List<Definition> definitions, List<ClientIdCommand> clientIds,
                      List<RetainedMessage> retained, List<ExactlyOnceCommand> exactlyOnce) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
            out.writeInt(definitions.size());
            for (Definition d : definitions) {
                byte[] entry = MetadataCommand.put(d).encode();
                out.writeInt(entry.length);
                out.write(entry);
            }
            out.writeInt(clientIds.size());
            for (ClientIdCommand c : clientIds) {
                byte[] entry = c.encode();
                out.writeInt(entry.length);
                out.write(entry);
            }
            out.writeInt(retained.size());
            for (RetainedMessage m : retained) {
                byte[] entry = new RetainedCommand(RetainedCommand.Op.PUT, m.vhost(), m.topic(), m.data()).encode();
                out.writeInt(entry.length);
                out.write(entry);
            }
            out.writeInt(exactlyOnce.size());
            for (ExactlyOnceCommand c : exactlyOnce) {
                byte[] entry = c.encode();
                out.writeInt(entry.length);
                out.write(entry);
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static List<Definition> read(Path file) throws IOException {
        return readAll(file).definitions();
    }

    static Contents readAll(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            int n = in.readInt();
            List<Definition> definitions = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                byte[] entry = new byte[in.readInt()];
                in.readFully(entry);
                definitions.add(MetadataCommand.decode(entry).definition());
            }
            int owners = countOrNone(in);
            List<ClientIdCommand> clientIds = new ArrayList<>(owners);
            for (int i = 0; i < owners; i++) {
                byte[] entry = new byte[in.readInt()];
                in.readFully(entry);
                clientIds.add(ClientIdCommand.decode(entry));
            }
            int messages = countOrNone(in);
            List<RetainedMessage> retained = new ArrayList<>(messages);
            for (int i = 0; i < messages; i++) {
                byte[] entry = new byte[in.readInt()];
                in.readFully(entry);
                RetainedCommand c = RetainedCommand.decode(entry);
                retained.add(new RetainedMessage(c.vhost(), c.topic(), c.data()));
            }
            int sessions = countOrNone(in);
            List<ExactlyOnceCommand> exactlyOnce = new ArrayList<>(sessions);
            for (int i = 0; i < sessions; i++) {
                byte[] entry = new byte[in.readInt()];
                in.readFully(entry);
                exactlyOnce.add(ExactlyOnceCommand.decode(entry));
            }
            return new Contents(definitions, clientIds, retained, exactlyOnce);
        }
    }

    /** A count, or 0 at the end of a file written before that part existed. */
    private static int countOrNone(DataInputStream in) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException writtenBefore) {
            return 0;
        }
    }
}
