package dev.junction.mqtt;

import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageBytes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The adapter's encoding of the session state kept in the engine's session records (everything a session
 * needs across a restart that its durable queue and bindings do not hold). Versioned: the first byte is the
 * format; a reader refuses formats newer than it knows, so an older broker never misreads a newer record.
 *
 * <p>Format 1, big-endian: {@code u8 1}, {@code i64 expiryIntervalSeconds}, {@code i64 disconnectedAtMillis}
 * (0 while a connection owned the session), {@code i32 n} + n × {@code u16} inbound QoS 2 packet ids awaiting
 * PUBREL, {@code i32 n} + n × {@code u16} outbound packet ids awaiting PUBCOMP, {@code i32 n} + n shared
 * subscriptions ({@code str filter}, {@code u8 qos}, {@code bool retainAsPublished}, {@code i32 subscriptionId}),
 * {@code bool hasWill} and, if set, {@code str topic}, {@code bool retain}, {@code i64 delaySeconds},
 * {@code i64 dueAtMillis}, {@code i32 length} + the will message in the engine's {@link MessageBytes} form.
 * Strings are {@code i32 length} + UTF-8.
 *
 * <p>Format 2 is format 1 followed by {@code bool hasUser} and, if set, {@code str user}: the user the session
 * belongs to. Format 1 records are still read; their sessions have no owner until a user claims them.
 */
final class SessionCodec {
    static final int FORMAT = 2;
    private static final int FORMAT_WITHOUT_OWNER = 1;

    /** A shared subscription as stored: the filter as sent ({@code $share/g/f}) and its options. */
    record SharedSub(String filter, int qos, boolean retainAsPublished, int subscriptionId) {
    }

    /**
     * One session's stored state; {@code will} is null when no delayed will is pending, {@code user} (the owner)
     * null in a record written before owners were kept.
     */
    record State(long expiryInterval, long disconnectedAt, List<Integer> inboundQos2, List<Integer> pendingRelease,
                 List<SharedSub> shared, Will will, long willDueAt, String user) {
        State {
            inboundQos2 = List.copyOf(inboundQos2);
            pendingRelease = List.copyOf(pendingRelease);
            shared = List.copyOf(shared);
        }
    }

    private SessionCodec() {
    }

    static byte[] encode(State s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeLong(s.expiryInterval());
            out.writeLong(s.disconnectedAt());
            writeIds(out, s.inboundQos2());
            writeIds(out, s.pendingRelease());
            out.writeInt(s.shared().size());
            for (SharedSub sub : s.shared()) {
                writeString(out, sub.filter());
                out.writeByte(sub.qos());
                out.writeBoolean(sub.retainAsPublished());
                out.writeInt(sub.subscriptionId());
            }
            Will w = s.will();
            out.writeBoolean(w != null);
            if (w != null) {
                writeString(out, w.topic());
                out.writeBoolean(w.retain());
                out.writeLong(w.delaySeconds());
                out.writeLong(s.willDueAt());
                byte[] m = MessageBytes.encode(w.message());
                out.writeInt(m.length);
                out.write(m);
            }
            out.writeBoolean(s.user() != null);
            if (s.user() != null) {
                writeString(out, s.user());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The stored state; an {@link IllegalArgumentException} for a format this reader does not know or bad data. */
    static State decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT && format != FORMAT_WITHOUT_OWNER) {
                throw new IllegalArgumentException("unknown MQTT session record format " + format);
            }
            long expiry = in.readLong();
            long disconnectedAt = in.readLong();
            List<Integer> inbound = readIds(in);
            List<Integer> release = readIds(in);
            int n = count(in);
            List<SharedSub> shared = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                shared.add(new SharedSub(readString(in), in.readUnsignedByte(), in.readBoolean(), in.readInt()));
            }
            Will will = null;
            long dueAt = 0;
            if (in.readBoolean()) {
                String topic = readString(in);
                boolean retain = in.readBoolean();
                long delay = in.readLong();
                dueAt = in.readLong();
                byte[] m = new byte[count(in)];
                in.readFully(m);
                Message message = MessageBytes.decode(m);
                will = new Will(topic, message, retain, delay);
            }
            String user = null;
            if (format >= FORMAT && in.readBoolean()) {
                user = readString(in);
            }
            if (in.available() > 0) {
                throw new IllegalArgumentException("trailing bytes in an MQTT session record");
            }
            return new State(expiry, disconnectedAt, inbound, release, shared, will, dueAt, user);
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated MQTT session record", e);
        }
    }

    private static void writeIds(DataOutputStream out, List<Integer> ids) throws IOException {
        out.writeInt(ids.size());
        for (int id : ids) {
            out.writeShort(id);
        }
    }

    private static List<Integer> readIds(DataInputStream in) throws IOException {
        int n = count(in);
        List<Integer> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(in.readUnsignedShort());
        }
        return ids;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] b = new byte[count(in)];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static int count(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IllegalArgumentException("bad length " + n + " in an MQTT session record");
        }
        return n;
    }
}
