package dev.junction.amqp.codec;

import dev.junction.routing.api.MessageProperties;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.time.DateTimeException;
import java.util.List;

/**
 * Turns the inbound byte stream into {@link AmqpFrame}s: first the protocol header, then frames.
 *
 * <p>Protocol header (spec 4.2.2): exactly {@code "AMQP" 0 0 9 1} yields {@link ProtocolHeaderOk}. Anything
 * else (another protocol, another AMQP version) is answered with {@link AmqpEncoder#PROTOCOL_HEADER} and the
 * channel is closed once that is flushed. The header is judged as soon as a byte differs, without waiting for
 * all eight.
 *
 * <p>Frame errors are not thrown: the decoder fires {@code exceptionCaught} with an {@link AmqpException}
 * (a hard error; the connection handler sends connection.close) and from then on discards all input, since it
 * no longer trusts the framing. Frames decoded before the error are delivered before it. Reply codes:
 * <ul>
 *   <li>501 FRAME_ERROR: a frame over frame-max, a bad frame-end octet, an unknown frame type, a payload
 *   too short for its frame type, a non-empty heartbeat, malformed method arguments or content properties
 *   (truncated, trailing bytes, unknown field table type). RabbitMQ does the same: {@code rabbit_reader}
 *   raises {@code frame_error} for {@code frame_too_large}, {@code invalid_frame_end_marker} and
 *   {@code unknown_frame}, and {@code rabbit_framing_amqp_0_9_1:decode_method_fields/2} raises
 *   {@code frame_error} ("cannot decode") for arguments that do not match the method's layout exactly.</li>
 *   <li>503 COMMAND_INVALID: unknown class/method ids. RabbitMQ has no reply for these (its
 *   {@code lookup_method_name/1} exits with {@code unknown_method_id} and the connection process dies,
 *   dropping the socket without connection.close); the nearest thing it sends is 503 "unimplemented method",
 *   the catch-all of {@code rabbit_channel:handle_method/3} for a method it knows but does not accept. 540
 *   NOT_IMPLEMENTED is what RabbitMQ uses for unsupported options of known methods (immediate=true,
 *   channel.flow active=false), which the connection layer decides, not the codec.</li>
 *   <li>505 UNEXPECTED_FRAME: a content header for a class other than basic, or with a non-zero weight.
 *   Only basic carries content, so RabbitMQ's {@code rabbit_command_assembler} necessarily finds such a header
 *   unexpected ("expected content header for class 60, got one for class N").</li>
 * </ul>
 *
 * <p>Frame size: the limit is frame-max as RabbitMQ enforces it, which lets a payload reach frame-max bytes
 * ({@code rabbit_reader}'s {@code FRAME_SIZE_FUDGE} of 8 bytes, because clients commonly count frame-max as the
 * payload size) and rejects anything larger. frame-max 0 means no limit (spec: connection.tune).
 *
 * <p>Not thread-safe; one instance per channel, used on its event loop.
 */
public final class AmqpFrameDecoder extends ByteToMessageDecoder {
    /**
     * The frame limit until connection.tune-ok has fixed one: the spec's minimum frame size, which every peer
     * accepts [AMQP 0-9-1 frame-min-size], so an oversized start-ok is a framing error, as in RabbitMQ.
     */
    public static final int FRAME_MIN_SIZE = 4096;
    private static final int EXPECT_PROTOCOL_HEADER = 0;
    private static final int EXPECT_FRAME = 1;
    private static final int DISCARD = 2;

    private static final byte[] HEADER = AmqpEncoder.PROTOCOL_HEADER.clone();
    private static final int HEADER_SIZE = 7;
    private static final int METHOD_HEADER_SIZE = 4;
    /** class-id, weight, body-size. */
    private static final int CONTENT_HEADER_FIXED = 12;
    /** The fixed part plus the first property-flags word. */
    private static final int CONTENT_HEADER_MIN = CONTENT_HEADER_FIXED + 2;
    private static final int BASIC_CLASS_ID = MethodType.BASIC_PUBLISH.classId();
    /** Method arguments and content properties up to this size are read from a copy ({@link #fields}). */
    private static final int COPY_MAX = 4096;
    private static final long UNLIMITED_PAYLOAD = Integer.MAX_VALUE - 2L * AmqpEncoder.FRAME_OVERHEAD;

    private int state = EXPECT_PROTOCOL_HEADER;
    private final ShortStrings publishStrings = new ShortStrings();
    /** The fields of the method or content header being decoded, copied (see {@link #fields}); grows to COPY_MAX. */
    private ByteBuf copy = Unpooled.wrappedBuffer(new byte[256]);
    private long maxPayload;
    private int frameMax;

    /** @param initialFrameMax the broker's frame_max, in force until connection.tune-ok fixes the negotiated one */
    public AmqpFrameDecoder(int initialFrameMax) {
        frameMax(initialFrameMax);
    }

    /** Sets the frame-max agreed by connection.tune-ok (0 = no limit). */
    public void frameMax(int negotiated) {
        if (negotiated < 0) {
            throw new IllegalArgumentException("frame-max " + negotiated + " is negative");
        }
        frameMax = negotiated;
        // RabbitMQ: PayloadSize > FrameMax - ?EMPTY_FRAME_SIZE + ?FRAME_SIZE_FUDGE is an error, fudge = 8.
        maxPayload = negotiated == 0 ? UNLIMITED_PAYLOAD : Math.min(negotiated, UNLIMITED_PAYLOAD);
    }

    public int frameMax() {
        return frameMax;
    }

    /** Whether the decoder has given up on the stream (bad protocol header or a frame error). */
    public boolean discarding() {
        return state == DISCARD;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case EXPECT_FRAME -> decodeFrame(ctx, in, out);
            case EXPECT_PROTOCOL_HEADER -> decodeProtocolHeader(ctx, in, out);
            default -> in.skipBytes(in.readableBytes());
        }
    }

    private void decodeProtocolHeader(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int readable = Math.min(in.readableBytes(), HEADER.length);
        int start = in.readerIndex();
        for (int i = 0; i < readable; i++) {
            if (in.getByte(start + i) != HEADER[i]) {
                // Spec 4.2.2: on a header it does not accept the server writes a valid protocol header, then
                // closes the socket.
                state = DISCARD;
                in.skipBytes(in.readableBytes());
                ctx.writeAndFlush(Unpooled.wrappedBuffer(HEADER.clone())).addListener(ChannelFutureListener.CLOSE);
                return;
            }
        }
        if (readable == HEADER.length) {
            in.skipBytes(HEADER.length);
            state = EXPECT_FRAME;
            out.add(new ProtocolHeaderOk());
        }
    }

    /** Decodes at most one frame, so frames already decoded reach the pipeline before a later error does. */
    private void decodeFrame(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < HEADER_SIZE) {
            return;
        }
        int start = in.readerIndex();
        int type = in.getUnsignedByte(start);
        int channel = in.getUnsignedShort(start + 1);
        long size = in.getUnsignedInt(start + 3);
        if (type != AmqpEncoder.FRAME_METHOD && type != AmqpEncoder.FRAME_HEADER
                && type != AmqpEncoder.FRAME_BODY && type != AmqpEncoder.FRAME_HEARTBEAT) {
            fail(ctx, in, AmqpException.connection(ReplyCode.FRAME_ERROR,
                    "unknown frame type " + type + " on channel " + channel));
            return;
        }
        if (size > maxPayload) {
            fail(ctx, in, AmqpException.connection(ReplyCode.FRAME_ERROR, "frame of type " + type + " on channel "
                    + channel + " has a payload of " + size + " bytes, over frame-max " + frameMax));
            return;
        }
        int payloadSize = (int) size;
        int frameSize = HEADER_SIZE + payloadSize + 1;
        if (in.readableBytes() < frameSize) {
            return;
        }
        int end = in.getUnsignedByte(start + frameSize - 1);
        if (end != AmqpEncoder.FRAME_END) {
            fail(ctx, in, AmqpException.connection(ReplyCode.FRAME_ERROR, "invalid frame-end octet 0x"
                    + Integer.toHexString(end) + " in frame of type " + type + " on channel " + channel));
            return;
        }
        int payload = start + HEADER_SIZE;
        AmqpFrame frame;
        try {
            frame = switch (type) {
                case AmqpEncoder.FRAME_METHOD -> decodeMethod(in, channel, payload, payloadSize);
                case AmqpEncoder.FRAME_HEADER -> decodeContentHeader(in, channel, payload, payloadSize);
                case AmqpEncoder.FRAME_BODY -> decodeBody(in, channel, payload, payloadSize);
                default -> decodeHeartbeat(channel, payloadSize);
            };
        } catch (AmqpException e) {
            fail(ctx, in, e);
            return;
        }
        in.readerIndex(start + frameSize);
        out.add(frame);
    }

    private MethodFrame decodeMethod(ByteBuf in, int channel, int payload, int size) {
        if (size < METHOD_HEADER_SIZE) {
            throw AmqpException.connection(ReplyCode.FRAME_ERROR,
                    "method frame on channel " + channel + " has a payload of " + size + " bytes");
        }
        int classId = in.getUnsignedShort(payload);
        int methodId = in.getUnsignedShort(payload + 2);
        MethodType type = MethodType.of(classId, methodId);
        if (type == null) {
            throw AmqpException.connection(ReplyCode.COMMAND_INVALID,
                    "unknown method: class " + classId + ", method " + methodId, classId, methodId);
        }
        ByteBuf args = fields(in, payload + METHOD_HEADER_SIZE, size - METHOD_HEADER_SIZE);
        Object[] values;
        try {
            // A publisher names the same exchange and routing key again and again: decoded once (ShortStrings).
            values = MethodCodec.readArgs(args, type.types, type == MethodType.BASIC_PUBLISH ? publishStrings : null);
        } catch (IndexOutOfBoundsException | IllegalArgumentException | DateTimeException e) {
            throw cannotDecode(type, e.getMessage());
        }
        if (args.isReadable()) {
            throw cannotDecode(type, args.readableBytes() + " bytes after the last argument");
        }
        return new MethodFrame(channel, new Method(type, values));
    }

    private static AmqpException cannotDecode(MethodType type, String detail) {
        return AmqpException.connection(ReplyCode.FRAME_ERROR, "cannot decode " + type.amqpName() + " arguments: "
                + detail, type.classId(), type.methodId());
    }

    private ContentHeaderFrame decodeContentHeader(ByteBuf in, int channel, int payload, int size) {
        if (size < CONTENT_HEADER_MIN) {
            throw AmqpException.connection(ReplyCode.FRAME_ERROR,
                    "content header frame on channel " + channel + " has a payload of " + size + " bytes");
        }
        int classId = in.getUnsignedShort(payload);
        int weight = in.getUnsignedShort(payload + 2);
        long bodySize = in.getLong(payload + 4);
        if (classId != BASIC_CLASS_ID || weight != 0) {
            throw AmqpException.connection(ReplyCode.UNEXPECTED_FRAME, "content header for class " + classId
                    + " with weight " + weight + " on channel " + channel
                    + "; only class 60 with weight 0 carries content");
        }
        if (bodySize < 0) {
            throw AmqpException.connection(ReplyCode.FRAME_ERROR,
                    "content body size " + Long.toUnsignedString(bodySize) + " is too large");
        }
        ByteBuf props = fields(in, payload + CONTENT_HEADER_FIXED, size - CONTENT_HEADER_FIXED);
        MessageProperties properties;
        try {
            properties = ContentProperties.read(props);
        } catch (IndexOutOfBoundsException | IllegalArgumentException | DateTimeException e) {
            throw malformedProperties(channel, e.getMessage());
        }
        if (props.isReadable()) {
            throw malformedProperties(channel, props.readableBytes() + " bytes after the last property");
        }
        return new ContentHeaderFrame(channel, classId, bodySize, properties);
    }

    /**
     * The {@code length} bytes at {@code from}, to be read by the field readers: copied into {@link #copy} (a slice
     * of {@code in} when longer than {@link #COPY_MAX}). The readers then see one buffer class, whatever buffer the
     * socket's bytes came in (now and then Netty's leak-tracking wrapper, through which every read is a further call,
     * and whose first appearance made the JIT throw the compiled decoding code away and compile it again).
     */
    private ByteBuf fields(ByteBuf in, int from, int length) {
        if (length > COPY_MAX) {
            return in.slice(from, length);
        }
        if (length > copy.capacity()) {
            copy = Unpooled.wrappedBuffer(new byte[Math.min(COPY_MAX, Math.max(length, 2 * copy.capacity()))]);
        }
        in.getBytes(from, copy, 0, length);
        return copy.setIndex(0, length);
    }

    private static AmqpException malformedProperties(int channel, String detail) {
        return AmqpException.connection(ReplyCode.FRAME_ERROR,
                "cannot decode content properties on channel " + channel + ": " + detail);
    }

    private static ContentBodyFrame decodeBody(ByteBuf in, int channel, int payload, int size) {
        byte[] bytes = new byte[size];
        in.getBytes(payload, bytes);
        return new ContentBodyFrame(channel, bytes);
    }

    private static HeartbeatFrame decodeHeartbeat(int channel, int size) {
        if (size != 0) {
            // RabbitMQ's rabbit_command_assembler:analyze_frame/2 accepts only an empty heartbeat payload.
            throw AmqpException.connection(ReplyCode.FRAME_ERROR,
                    "heartbeat frame on channel " + channel + " has a payload of " + size + " bytes");
        }
        return new HeartbeatFrame(channel);
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf in, AmqpException e) {
        state = DISCARD;
        in.skipBytes(in.readableBytes());
        ctx.fireExceptionCaught(e);
    }
}
