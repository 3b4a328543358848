package dev.junction.cluster.quorum;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * A message a quorum queue with at-least-once dead-lettering has dead-lettered and still holds until its dead-letter
 * target confirmed it ({@link PendingDeadLetters}): its id in the queue, its engine encoding, its body's size (it
 * still counts toward the queue's length limits), how often it was returned, and why it died.
 */
record PendingDeadLetter(long id, byte[] body, long size, int returns, QuorumEffects.Drop why) {

    static PendingDeadLetter of(HeldMessage m, QuorumEffects.Drop why) {
        return new PendingDeadLetter(m.id(), m.body(), m.size(), m.returns(), why);
    }

    void write(DataOutputStream out) throws IOException {
        out.writeLong(id);
        out.writeInt(body.length);
        out.write(body);
        out.writeLong(size);
        out.writeInt(returns);
        out.writeByte(why.ordinal());
    }

    static PendingDeadLetter read(DataInputStream in) throws IOException {
        long id = in.readLong();
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        long size = in.readLong();
        int returns = in.readInt();
        int why = in.readUnsignedByte();
        QuorumEffects.Drop[] reasons = QuorumEffects.Drop.values();
        if (why >= reasons.length) {
            throw new IOException("dead-letter reason " + why + " is from a newer version");
        }
        return new PendingDeadLetter(id, body, size, returns, reasons[why]);
    }
}
