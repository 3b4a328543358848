package dev.junction.amqp;

import dev.junction.routing.api.CertificateIdentity;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Who is on the other end of a connection's socket: the label its log lines start with, the address its
 * rate-limited warnings and login throttling count against, and the user name its verified TLS client
 * certificate names (see {@link CertificateIdentity}). Any thread; the channel is null before the handler is in a
 * pipeline.
 */
final class ConnectionPeer {
    private static final AttributeKey<String> CERTIFICATE_IDENTITY =
            AttributeKey.valueOf(CertificateIdentity.CHANNEL_ATTRIBUTE);

    private Channel channel;

    /** The connection's handler was added to {@code ch}'s pipeline. */
    void attach(Channel ch) {
        this.channel = ch;
    }

    /** "amqp HOST:PORT", or "amqp" while the address is not known. */
    String label() {
        InetSocketAddress a = channel == null ? null : (InetSocketAddress) channel.remoteAddress();
        return a == null ? "amqp" : "amqp " + a.getHostString() + ":" + a.getPort();
    }

    InetAddress address() {
        InetSocketAddress a = (InetSocketAddress) channel.remoteAddress();
        return a == null ? null : a.getAddress();
    }

    /** The user name from the verified TLS client certificate, or null. */
    String certificateIdentity() {
        return channel == null ? null : channel.attr(CERTIFICATE_IDENTITY).get();
    }
}
