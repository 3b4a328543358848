package dev.junction.amqp;

import dev.junction.routing.api.HandoverBatch;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * First in an AMQP pipeline: the frames of one socket read are handled as one {@link HandoverBatch}, so that a burst
 * of publishes wakes each target queue once (not once per message), and the queue then takes the burst in one
 * drain. Stateless and shared by every connection.
 */
@ChannelHandler.Sharable
final class ReadBatch extends ChannelInboundHandlerAdapter {
    static final ReadBatch INSTANCE = new ReadBatch();

    private ReadBatch() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        HandoverBatch.open();
        try {
            ctx.fireChannelRead(msg);
        } finally {
            HandoverBatch.close();
        }
    }
}
