package dev.junction.amqp10;

import dev.junction.config.JunctionConfig;
import dev.junction.config.Limits;
import dev.junction.protocol.ProtocolContext;
import dev.junction.protocol.ProtocolHeader;
import dev.junction.protocol.ProtocolModule;
import io.netty.channel.Channel;
import java.util.List;

/**
 * AMQP 1.0 as a {@link ProtocolModule}. It shares the listeners {@code amqp} and {@code amqps} with AMQP 0-9-1,
 * whose connections open with another header: an AMQP 1.0 client opens with {@code AMQP 0 1 0 0}, or with
 * {@code AMQP 3 1 0 0} before SASL [AMQP 1.0 part 2 section 2.2, part 5 section 5.3.1], so the broker's sniffer
 * gives each connection to its module after eight bytes. Listed after AMQP 0-9-1, which answers headers that
 * neither claims.
 */
public final class Amqp10Protocol implements ProtocolModule {
    /** {@code AMQP 0 1 0 0}: AMQP 1.0 without a security layer. */
    static final byte[] AMQP_HEADER = {'A', 'M', 'Q', 'P', 0, 1, 0, 0};
    /** {@code AMQP 3 1 0 0}: the SASL layer first. */
    static final byte[] SASL_HEADER = {'A', 'M', 'Q', 'P', 3, 1, 0, 0};
    private static final ProtocolHeader PLAIN = ProtocolHeader.of(AMQP_HEADER);
    private static final ProtocolHeader SASL = ProtocolHeader.of(SASL_HEADER);
    /** Either header. */
    static final ProtocolHeader HEADER = first -> {
        ProtocolHeader.Verdict sasl = SASL.judge(first);
        return sasl == ProtocolHeader.Verdict.NO_MATCH ? PLAIN.judge(first) : sasl;
    };
    /** Links a connection may hold: bounded so that one client cannot make unbounded consumers and publishers. */
    private static final int MAX_LINKS = 1024;
    private static final int LINK_CREDIT = 256;

    /** The user ANONYMOUS logins act as when the module is built with one; else the {@code amqp10} section's. */
    private final String anonymousUser;
    private Amqp10Server server;

    /** AMQP 1.0 with anonymous logins as the configuration's {@code amqp10} section says (none by default). */
    public Amqp10Protocol() {
        this(null);
    }

    /** @param anonymousUser the user SASL ANONYMOUS logins act as, or null to refuse them */
    public Amqp10Protocol(String anonymousUser) {
        this.anonymousUser = anonymousUser;
    }

    @Override
    public String name() {
        return "amqp10";
    }

    /** The shared listeners, and {@code amqp10}, AMQP 1.0's own (off unless configured). */
    @Override
    public List<String> listeners() {
        return List.of("amqp", "amqps", "amqp10");
    }

    @Override
    public ProtocolHeader header(String listener) {
        return HEADER;
    }

    @Override
    public void start(ProtocolContext context) {
        JunctionConfig config = context.config();
        Limits limits = config.limits();
        int frameMax = Math.max(Amqp10Settings.MIN_MAX_FRAME_SIZE, limits.frameMax());
        Amqp10Settings settings = new Amqp10Settings(frameMax, limits.channelMax() <= 0 ? 0xFFFF : limits.channelMax() - 1, MAX_LINKS,
                limits.heartbeatSeconds() * 1000, limits.maxMessageSize(), LINK_CREDIT,
                config.amqp().defaultVhost(), anonymousUser != null ? anonymousUser
                        : config.amqp10().anonymousLogin().orElse(null), config.users());
        server = new Amqp10Server(settings, context.engine(), context.registry());
    }

    @Override
    public void initChannel(String listener, Channel channel) {
        channel.pipeline().addLast("amqp10", new Amqp10Connection(server));
    }

    /** Nothing to end: a connection's state goes with its channel. */
    @Override
    public void close() {
    }
}
