package dev.junction.cluster.quorum;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Several {@link QuorumCommand}s in one log entry, applied in their order as if each were an entry of its own. A
 * leader takes a client's requests one at a time (each is its own RPC, log append and reply), so one command per
 * entry held a node's publishers to the rate of that hand-over, whatever the disk and the network allowed; a batch
 * pays it once for every command that waited meanwhile (docs/benchmarks.md, "Quorum queues, three nodes").
 *
 * <p>Encoded as the {@link QuorumCommand.Op#BATCH} byte, the count, then each command's length and encoding. An
 * entry that is a single command (written before batches existed) still applies as one.
 *
 * <p>A command's place in the log is its {@linkplain #position position}: the entry's index times
 * {@value #PER_ENTRY} plus its place in the batch, so positions grow with the log on every replica as indexes do.
 * A message's id is its enqueue's position.
 */
final class QuorumBatch {
    /** Positions per log entry: a batch holds fewer commands. */
    static final int PER_ENTRY = 1024;
    /** The most commands in one batch. */
    static final int MAX_COMMANDS = PER_ENTRY - 1;

    private QuorumBatch() {
    }

    /** The position of the {@code place}-th command of the entry at log index {@code index}. */
    static long position(long index, int place) {
        return index * PER_ENTRY + place;
    }

    /** The encoded commands as one entry's data. */
    static byte[] encode(List<byte[]> commands) {
        if (commands.isEmpty() || commands.size() > MAX_COMMANDS) {
            throw new IllegalArgumentException("a batch holds 1 to " + MAX_COMMANDS + " commands, not "
                    + commands.size());
        }
        int size = 5;
        for (byte[] c : commands) {
            size += 4 + c.length;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(size);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(QuorumCommand.Op.BATCH.ordinal());
            out.writeInt(commands.size());
            for (byte[] c : commands) {
                out.writeInt(c.length);
                out.write(c);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The commands of one entry's data: a batch's, or the entry's single command. */
    static List<QuorumCommand> decode(byte[] data) {
        if (data.length == 0 || data[0] != QuorumCommand.Op.BATCH.ordinal()) {
            return List.of(QuorumCommand.decode(data));
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            in.readUnsignedByte();
            int count = in.readInt();
            if (count < 1 || count > MAX_COMMANDS) {
                throw new IOException("a batch of " + count + " commands");
            }
            List<QuorumCommand> commands = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] c = new byte[in.readInt()];
                in.readFully(c);
                commands.add(QuorumCommand.decode(c));
            }
            return commands;
        } catch (IOException e) {
            throw new UncheckedIOException("not a quorum queue log entry", e);
        }
    }

    /** The state machine's reply to a batch: each command's number, in order. */
    static String reply(long[] results) {
        StringBuilder s = new StringBuilder(results.length * 8);
        for (int i = 0; i < results.length; i++) {
            if (i > 0) {
                s.append(',');
            }
            s.append(results[i]);
        }
        return s.toString();
    }

    /** The numbers of {@link #reply}. */
    static long[] results(String reply) {
        String[] parts = reply.split(",");
        long[] out = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Long.parseLong(parts[i]);
        }
        return out;
    }
}
