package dev.junction.broker;

import dev.junction.protocol.ProtocolHeader;
import dev.junction.protocol.ProtocolModule;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * The protocol handler of a connection on a listener that more than one module serves: it reads the connection's
 * first bytes (at most {@link ProtocolHeader#MAX_LENGTH}), picks the module by the rules of {@link ProtocolHeader},
 * has that module build its pipeline behind it, and steps out of the pipeline, handing on the bytes it read. The
 * module's handlers then see {@code channelActive} and the stream from its first byte, as on a listener of their
 * own. The listener's gate stays in front: a client that sends too few bytes to decide is closed by the handshake
 * timeout, and at most seven bytes are held meanwhile. A listener served by one module has no sniffer.
 */
final class ProtocolSniffer extends ByteToMessageDecoder {
    private final String listener;
    /** The modules serving the listener, in the broker's order; the first answers what no module claims. */
    private final List<ProtocolModule> modules;
    /** Whether the connection became active: the chosen module's handlers get that event too. */
    private boolean active;

    ProtocolSniffer(String listener, List<ProtocolModule> modules) {
        this.listener = listener;
        this.modules = modules;
    }

    /** Held back: the chosen module's handlers get it once they are in the pipeline. */
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        active = true;
    }

    /**
     * Closed before a decision (the client left after a few bytes, the gate refused the socket): the first module
     * gets the connection, as it gets every connection no module claims, so that its end is handled and logged as
     * on a listener of its own. The bytes read so far are dropped.
     */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        modules.get(0).initChannel(listener, ctx.channel());
        if (active) {
            ctx.fireChannelActive();
        }
        super.channelInactive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!ctx.channel().isActive()) {
            in.skipBytes(in.readableBytes()); // closed before a decision: no module has anything to answer
            return;
        }
        ProtocolModule chosen = choose(listener, modules,
                in.slice(in.readerIndex(), Math.min(in.readableBytes(), ProtocolHeader.MAX_LENGTH)));
        if (chosen == null) {
            return;
        }
        chosen.initChannel(listener, ctx.channel());
        ctx.fireChannelActive();
        ctx.pipeline().remove(this); // passes the bytes read so far on to the module's first handler
    }

    /**
     * The module for a connection whose first bytes are {@code first}, or null while they cannot tell yet: the
     * first module whose header matches; else, while a module other than the first may still match, null; else
     * the first module.
     */
    static ProtocolModule choose(String listener, List<ProtocolModule> modules, ByteBuf first) {
        boolean last = first.readableBytes() >= ProtocolHeader.MAX_LENGTH;
        boolean undecided = false;
        for (int i = 0; i < modules.size(); i++) {
            ProtocolHeader.Verdict verdict = modules.get(i).header(listener).judge(first.duplicate());
            if (verdict == ProtocolHeader.Verdict.MATCH) {
                return modules.get(i);
            }
            undecided |= verdict == ProtocolHeader.Verdict.MORE && i > 0 && !last;
        }
        return undecided ? null : modules.get(0);
    }
}
