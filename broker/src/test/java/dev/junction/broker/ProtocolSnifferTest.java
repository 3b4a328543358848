package dev.junction.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.amqp.AmqpProtocol;
import dev.junction.protocol.ProtocolContext;
import dev.junction.protocol.ProtocolHeader;
import dev.junction.protocol.ProtocolModule;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How a listener shared by two modules picks one by the first bytes (rules in {@link ProtocolHeader}): AMQP 0-9-1
 * first, so it answers what nobody claims, and a module claiming the AMQP 1.0 header second.
 */
class ProtocolSnifferTest {
    private static final byte[] AMQP_0_9_1 = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};
    private final ProtocolModule amqp = new AmqpProtocol();
    private final ProbeProtocol probe = new ProbeProtocol("amqp");

    private ProtocolModule choose(int... bytes) {
        ByteBuf first = Unpooled.buffer();
        for (int b : bytes) {
            first.writeByte(b);
        }
        return ProtocolSniffer.choose("amqp", List.of(amqp, probe), first);
    }

    @Test
    void eachHeaderGoesToTheModuleClaimingIt() {
        assertThat(choose('A', 'M', 'Q', 'P', 0, 0, 9, 1)).isSameAs(amqp);
        assertThat(choose('A', 'M', 'Q', 'P', 0, 1, 0, 0)).isSameAs(probe);
    }

    @Test
    void waitsWhileASecondModuleMayStillMatch() {
        assertThat(choose('A')).isNull();
        assertThat(choose('A', 'M', 'Q', 'P')).isNull();
        assertThat(choose('A', 'M', 'Q', 'P', 0, 1, 0)).isNull();
    }

    /** Once only the first module can match, it decides the rest itself, as on a listener of its own. */
    @Test
    void decidesAsSoonAsOnlyTheFirstModuleCanMatch() {
        assertThat(choose('A', 'M', 'Q', 'P', 0, 0)).isSameAs(amqp);
    }

    /** AMQP 0-9-1 section 4.2.2: a header the server does not accept gets the server's own header (from the module). */
    @Test
    void anUnclaimedHeaderGoesToTheFirstModule() {
        assertThat(choose('H')).isSameAs(amqp);
        assertThat(choose('A', 'M', 'Q', 'P', 0, 1, 0, 7)).isSameAs(amqp);
        assertThat(choose('A', 'M', 'Q', 'P', 1, 1, 0, 9)).isSameAs(amqp);
    }

    @Test
    void aModuleClaimingNothingNeverMakesTheSnifferWait() {
        ProtocolModule silent = new Recording(ProtocolHeader.NONE);
        assertThat(ProtocolSniffer.choose("amqp", List.of(amqp, silent), Unpooled.wrappedBuffer(new byte[] {'A'})))
                .isSameAs(amqp);
    }

    /**
     * The chosen module's handlers replace the sniffer, see channelActive once and get the stream from its first
     * byte, also when the header arrives in pieces.
     */
    @Test
    void theChosenModuleGetsChannelActiveAndEveryByte() {
        Recording first = new Recording(ProtocolHeader.of(AMQP_0_9_1));
        Recording second = new Recording(ProtocolHeader.of(ProbeProtocol.AMQP_1_0));
        EmbeddedChannel ch = new EmbeddedChannel(new ProtocolSniffer("amqp", List.of(first, second)));
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {'A', 'M', 'Q'}));
        assertThat(ch.pipeline().get(ProtocolSniffer.class)).isNotNull();
        assertThat(first.events).isEmpty();
        assertThat(second.events).isEmpty();

        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {'P', 0, 1, 0, 0, 'x', 'y'}));
        assertThat(ch.pipeline().get(ProtocolSniffer.class)).isNull();
        assertThat(first.events).isEmpty();
        assertThat(second.events).containsExactly("active", "read 414d5150000100007879");
        ch.finishAndReleaseAll();
    }

    @Test
    void anUnclaimedHeaderReachesTheFirstModuleWhole() {
        Recording first = new Recording(ProtocolHeader.of(AMQP_0_9_1));
        Recording second = new Recording(ProtocolHeader.of(ProbeProtocol.AMQP_1_0));
        EmbeddedChannel ch = new EmbeddedChannel(new ProtocolSniffer("amqp", List.of(first, second)));
        ch.writeInbound(Unpooled.wrappedBuffer("GET / HTTP/1.1".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertThat(first.events).containsExactly("active", "read " + ByteBufUtil.hexDump("GET / HTTP/1.1".getBytes(
                java.nio.charset.StandardCharsets.US_ASCII)));
        assertThat(second.events).isEmpty();
        ch.finishAndReleaseAll();
    }

    /** A module that records what its one handler sees. */
    private static final class Recording implements ProtocolModule {
        private final ProtocolHeader header;
        final List<String> events = new ArrayList<>();

        Recording(ProtocolHeader header) {
            this.header = header;
        }

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public List<String> listeners() {
            return List.of("amqp");
        }

        @Override
        public ProtocolHeader header(String listener) {
            return header;
        }

        @Override
        public void start(ProtocolContext context) {
        }

        @Override
        public void initChannel(String listener, Channel channel) {
            channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelActive(ChannelHandlerContext ctx) {
                    events.add("active");
                }

                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ByteBuf buf = (ByteBuf) msg;
                    events.add("read " + ByteBufUtil.hexDump(buf));
                    buf.release();
                }
            });
        }

        @Override
        public void close() {
        }
    }
}
