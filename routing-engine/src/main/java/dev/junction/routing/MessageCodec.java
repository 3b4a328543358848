package dev.junction.routing;

import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/** The engine's encoding of a {@link Message} for the store: versioned, so the format can evolve. */
public final class MessageCodec {
    private static final int VERSION = 1;

    private MessageCodec() {
    }

    public static byte[] encode(Message m) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(m.bodySize() + 128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            ValueCodec.writeString(out, m.exchange());
            ValueCodec.writeString(out, m.routingKey());
            MessageProperties p = m.properties();
            ValueCodec.writeNullableString(out, p.contentType());
            ValueCodec.writeNullableString(out, p.contentEncoding());
            ValueCodec.writeTable(out, p.headers());
            writeNullableInt(out, p.deliveryMode());
            writeNullableInt(out, p.priority());
            ValueCodec.writeNullableString(out, p.correlationId());
            ValueCodec.writeNullableString(out, p.replyTo());
            ValueCodec.writeNullableString(out, p.expiration());
            ValueCodec.writeNullableString(out, p.messageId());
            out.writeBoolean(p.timestamp() != null);
            if (p.timestamp() != null) {
                out.writeLong(p.timestamp().getEpochSecond());
            }
            ValueCodec.writeNullableString(out, p.type());
            ValueCodec.writeNullableString(out, p.userId());
            ValueCodec.writeNullableString(out, p.appId());
            ValueCodec.writeNullableString(out, p.clusterId());
            out.writeInt(m.bodySize());
            out.write(m.body());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + m, e);
        }
        return bytes.toByteArray();
    }

    public static Message decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IOException("unknown message encoding version " + version);
            }
            String exchange = ValueCodec.readString(in);
            String routingKey = ValueCodec.readString(in);
            MessageProperties.Builder b = MessageProperties.builder()
                    .contentType(ValueCodec.readNullableString(in))
                    .contentEncoding(ValueCodec.readNullableString(in))
                    .headers(ValueCodec.readTable(in))
                    .deliveryMode(readNullableInt(in))
                    .priority(readNullableInt(in))
                    .correlationId(ValueCodec.readNullableString(in))
                    .replyTo(ValueCodec.readNullableString(in))
                    .expiration(ValueCodec.readNullableString(in))
                    .messageId(ValueCodec.readNullableString(in));
            if (in.readBoolean()) {
                b.timestamp(Instant.ofEpochSecond(in.readLong()));
            }
            b.type(ValueCodec.readNullableString(in))
                    .userId(ValueCodec.readNullableString(in))
                    .appId(ValueCodec.readNullableString(in))
                    .clusterId(ValueCodec.readNullableString(in));
            byte[] body = new byte[in.readInt()];
            in.readFully(body);
            return new Message(exchange, routingKey, b.build(), body);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode a stored message", e);
        }
    }

    /**
     * The {@code expiration} property of an encoded message, read no further than that field (the body is neither
     * read nor copied); null when it has none or {@code data} is no encoding of this version. Never throws: a quorum
     * queue's replicas read it while they apply their log, where an odd entry must not stop them.
     */
    public static String expiration(byte[] data) {
        if (data.length == 0 || (data[0] & 0xFF) != VERSION) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            in.readUnsignedByte();
            ValueCodec.readString(in); // exchange
            ValueCodec.readString(in); // routing key
            ValueCodec.readNullableString(in); // content type
            ValueCodec.readNullableString(in); // content encoding
            ValueCodec.readTable(in); // headers
            readNullableInt(in); // delivery mode
            readNullableInt(in); // priority
            ValueCodec.readNullableString(in); // correlation id
            ValueCodec.readNullableString(in); // reply to
            return ValueCodec.readNullableString(in);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void writeNullableInt(DataOutputStream out, Integer v) throws IOException {
        out.writeBoolean(v != null);
        if (v != null) {
            out.writeInt(v);
        }
    }

    private static Integer readNullableInt(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readInt() : null;
    }
}
