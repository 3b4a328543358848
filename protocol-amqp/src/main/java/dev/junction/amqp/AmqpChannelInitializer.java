package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpFrameDecoder;
import dev.junction.routing.api.Engine;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;

/**
 * The pipeline of an accepted AMQP socket: the read batch (see {@link ReadBatch}), the frame decoder, then the
 * connection state machine.
 */
public final class AmqpChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final AmqpSettings settings;
    private final Engine engine;

    public AmqpChannelInitializer(AmqpSettings settings, Engine engine) {
        this.settings = settings;
        this.engine = engine;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline().addLast("batch", ReadBatch.INSTANCE);
        ch.pipeline().addLast("frames", new AmqpFrameDecoder(AmqpFrameDecoder.FRAME_MIN_SIZE));
        ch.pipeline().addLast("amqp", new AmqpConnection(settings, engine));
    }
}
