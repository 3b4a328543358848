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
 * <p>Encoded as the {@link QuorumCommand.Op#SEQUENCED_BATCH} byte, the submitter's origin (a number drawn at each
 * node start), its floor (every command of that origin numbered below it has been answered and is never sent
 * again), the count, then each command's sequence number, length and encoding: what {@link ResendFilter} needs to
 * apply a command sent twice only once; as {@link QuorumCommand.Op#TIMED_BATCH} with the submitter's clock (epoch
 * milliseconds) after the floor, the time the queues judge x-message-ttl by: taken from the log, every replica
 * judges alike. Entries written before are still read: a sequenced batch without a time, a {@link
 * QuorumCommand.Op#BATCH} (the count, then each command's length and encoding) and a single command, both without
 * sequence numbers.
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

    /**
     * One entry's commands. {@code seqs} holds each command's sequence number from {@code origin}, or is null for an
     * entry written before commands carried them (origin 0, applied as they come). {@code time} is the submitter's
     * clock when it sent the entry, or 0 for an entry written before entries carried it.
     */
    record Entry(long origin, long floor, long time, long[] seqs, List<QuorumCommand> commands) {
        Entry(long origin, long floor, long[] seqs, List<QuorumCommand> commands) {
            this(origin, floor, 0, seqs, commands);
        }
    }

    /** The encoded commands, numbered {@code seqs} by the submitter {@code origin}, as one entry's data; no time. */
    static byte[] encode(long origin, long floor, long[] seqs, List<byte[]> commands) {
        return encode(origin, floor, 0, seqs, commands);
    }

    /**
     * The encoded commands, numbered {@code seqs} by the submitter {@code origin} and sent at {@code time} (epoch
     * milliseconds; 0: an entry without a time, as written before), as one entry's data.
     */
    static byte[] encode(long origin, long floor, long time, long[] seqs, List<byte[]> commands) {
        if (commands.isEmpty() || commands.size() > MAX_COMMANDS) {
            throw new IllegalArgumentException("a batch holds 1 to " + MAX_COMMANDS + " commands, not "
                    + commands.size());
        }
        if (seqs.length != commands.size()) {
            throw new IllegalArgumentException(seqs.length + " sequence numbers for " + commands.size() + " commands");
        }
        int size = 1 + 8 + 8 + 8 + 4;
        for (byte[] c : commands) {
            size += 8 + 4 + c.length;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(size);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte((time > 0 ? QuorumCommand.Op.TIMED_BATCH : QuorumCommand.Op.SEQUENCED_BATCH).ordinal());
            out.writeLong(origin);
            out.writeLong(floor);
            if (time > 0) {
                out.writeLong(time);
            }
            out.writeInt(commands.size());
            for (int i = 0; i < seqs.length; i++) {
                out.writeLong(seqs[i]);
                out.writeInt(commands.get(i).length);
                out.write(commands.get(i));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The commands of one entry's data: a batch's, or the entry's single command. */
    static Entry decode(byte[] data) {
        boolean timed = data.length > 0 && data[0] == QuorumCommand.Op.TIMED_BATCH.ordinal();
        boolean sequenced = timed || data.length > 0 && data[0] == QuorumCommand.Op.SEQUENCED_BATCH.ordinal();
        if (!sequenced && (data.length == 0 || data[0] != QuorumCommand.Op.BATCH.ordinal())) {
            return new Entry(0, 0, null, List.of(QuorumCommand.decode(data)));
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            in.readUnsignedByte();
            long origin = sequenced ? in.readLong() : 0;
            long floor = sequenced ? in.readLong() : 0;
            long time = timed ? in.readLong() : 0;
            int count = in.readInt();
            if (count < 1 || count > MAX_COMMANDS) {
                throw new IOException("a batch of " + count + " commands");
            }
            long[] seqs = sequenced ? new long[count] : null;
            List<QuorumCommand> commands = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                if (sequenced) {
                    seqs[i] = in.readLong();
                }
                byte[] c = new byte[in.readInt()];
                in.readFully(c);
                commands.add(QuorumCommand.decode(c));
            }
            return new Entry(origin, floor, time, seqs, commands);
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
