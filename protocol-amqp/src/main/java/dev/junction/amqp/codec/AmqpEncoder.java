package dev.junction.amqp.codec;

import dev.junction.routing.api.MessageProperties;
import io.netty.buffer.ByteBuf;

/**
 * Writes AMQP 0-9-1 frames (section 4.2.3: type octet, channel short, payload size long, payload, frame-end
 * 0xCE). On an {@link IllegalArgumentException} (a shortstr over 255 bytes, an unencodable table value) nothing
 * is left in {@code out}.
 */
public final class AmqpEncoder {
    /** The protocol header a 0-9-1 peer sends first, and the one a server answers a wrong header with. */
    public static final byte[] PROTOCOL_HEADER = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};

    static final int FRAME_METHOD = 1;
    static final int FRAME_HEADER = 2;
    static final int FRAME_BODY = 3;
    static final int FRAME_HEARTBEAT = 8;
    static final int FRAME_END = 0xCE;
    /** Frame header (7) plus frame-end (1): what a frame costs beyond its payload. */
    static final int FRAME_OVERHEAD = 8;

    private AmqpEncoder() {
    }

    /** Writes one method frame. */
    public static void writeMethod(ByteBuf out, int channel, Method m) {
        int start = out.writerIndex();
        try {
            out.writeByte(FRAME_METHOD);
            out.writeShort(channel);
            out.writeInt(0);
            MethodType type = m.type();
            out.writeShort(type.classId());
            out.writeShort(type.methodId());
            MethodCodec.writeArgs(out, type.types, m.args());
            out.setInt(start + 3, out.writerIndex() - start - 7);
            out.writeByte(FRAME_END);
        } catch (RuntimeException e) {
            out.writerIndex(start);
            throw e;
        }
    }

    /**
     * Writes basic.deliver as {@code writeMethod(out, channel, BASIC_DELIVER.with(...))} would, without building
     * the method: the frame every consumed message starts with. {@code consumerTag} is the tag's UTF-8 encoding
     * (at most 255 bytes: it arrived as a shortstr); an exchange or routing key over 255 bytes is an
     * {@link IllegalArgumentException} with nothing left in {@code out}.
     */
    public static void writeDeliver(ByteBuf out, int channel, byte[] consumerTag, long deliveryTag,
                                    boolean redelivered, String exchange, String routingKey) {
        writeDeliver(out, channel, consumerTag, deliveryTag, redelivered, ShortStrBytes.encode(exchange),
                ShortStrBytes.encode(routingKey));
    }

    /**
     * As {@link #writeDeliver(ByteBuf, int, byte[], long, boolean, String, String)}, with the exchange and routing
     * key already encoded by {@link ShortStrBytes} (so at most 255 bytes each): what a connection's deliveries use.
     */
    public static void writeDeliver(ByteBuf out, int channel, byte[] consumerTag, long deliveryTag,
                                    boolean redelivered, byte[] exchange, byte[] routingKey) {
        int start = out.writerIndex();
        try {
            out.writeByte(FRAME_METHOD);
            out.writeShort(channel);
            out.writeInt(0);
            out.writeShort(MethodType.BASIC_DELIVER.classId());
            out.writeShort(MethodType.BASIC_DELIVER.methodId());
            out.writeByte(consumerTag.length);
            out.writeBytes(consumerTag);
            out.writeLong(deliveryTag);
            out.writeByte(redelivered ? 1 : 0);
            out.writeByte(exchange.length);
            out.writeBytes(exchange);
            out.writeByte(routingKey.length);
            out.writeBytes(routingKey);
            out.setInt(start + 3, out.writerIndex() - start - 7);
            out.writeByte(FRAME_END);
        } catch (RuntimeException e) {
            out.writerIndex(start);
            throw e;
        }
    }

    /**
     * Writes a content header frame then the body in body frames of at most {@code frameMax - 8} bytes each
     * ({@code frameMax} 0 = no limit: one body frame). An empty body has no body frames (section 4.2.6).
     */
    public static void writeContent(ByteBuf out, int channel, int classId, MessageProperties props, byte[] body,
                                    int frameMax) {
        int maxPayload = frameMax == 0 ? Integer.MAX_VALUE : frameMax - FRAME_OVERHEAD;
        if (maxPayload <= 0) {
            throw new IllegalArgumentException("frame-max " + frameMax + " leaves no room for a body");
        }
        int start = out.writerIndex();
        try {
            out.writeByte(FRAME_HEADER);
            out.writeShort(channel);
            out.writeInt(0);
            out.writeShort(classId);
            out.writeShort(0); // weight
            out.writeLong(body.length);
            ContentProperties.write(out, props);
            out.setInt(start + 3, out.writerIndex() - start - 7);
            out.writeByte(FRAME_END);
        } catch (RuntimeException e) {
            out.writerIndex(start);
            throw e;
        }
        int length = body.length;
        if (length > 0) {
            out.ensureWritable(length + FRAME_OVERHEAD * (length / maxPayload + 1));
        }
        for (int offset = 0; offset < length; offset += maxPayload) {
            int chunk = Math.min(maxPayload, length - offset);
            out.writeByte(FRAME_BODY);
            out.writeShort(channel);
            out.writeInt(chunk);
            out.writeBytes(body, offset, chunk);
            out.writeByte(FRAME_END);
        }
    }

    /** Writes a heartbeat frame (type 8, channel 0, empty payload). */
    public static void writeHeartbeat(ByteBuf out) {
        out.writeLong(0x0800_0000_0000_00CEL);
    }
}
