package dev.junction.broker;

import dev.junction.config.TlsConfig;
import dev.junction.routing.api.CertificateIdentity;
import dev.junction.routing.guard.LogLimiter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AttributeKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits right behind the {@link SslHandler}. When the handshake succeeds it stores the user name of the verified
 * client certificate (if the listener takes identities from certificates) in the {@link CertificateIdentity}
 * channel attribute, before any protocol byte reaches the adapter. When it fails (untrusted or expired client
 * certificate, plain TCP on a TLS port, no common version or cipher) it writes one rate-limited log line and the
 * connection is closed; the TLS exception is not passed on, so adapters never log it as their own error.
 */
final class TlsPeerHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(TlsPeerHandler.class);
    static final AttributeKey<String> IDENTITY = AttributeKey.valueOf(CertificateIdentity.CHANNEL_ATTRIBUTE);
    /** At most one line a second over all TLS listeners; a flood of bad handshakes cannot flood the log. */
    private static final LogLimiter LINES = new LogLimiter(1, TimeUnit.SECONDS);

    private final String listener;
    private final TlsConfig.Identity identity;

    TlsPeerHandler(String listener, TlsConfig.Identity identity) {
        this.listener = listener;
        this.identity = identity;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                identify(ctx);
            } else {
                failed(ctx, done.cause());
                ctx.close();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable tls = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (tls instanceof SSLException) {
            // Already reported by the failed handshake event, or a broken record later on: close quietly.
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    private void identify(ChannelHandlerContext ctx) {
        if (identity == TlsConfig.Identity.NONE) {
            return;
        }
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        Certificate[] peer;
        try {
            peer = ssl.engine().getSession().getPeerCertificates();
        } catch (SSLPeerUnverifiedException noCertificate) {
            return; // client_auth optional and the client sent none: password authentication as usual
        }
        if (peer.length > 0 && peer[0] instanceof X509Certificate leaf) {
            Optional<String> name = CertificateNames.identity(leaf, identity);
            if (name.isPresent()) {
                ctx.channel().attr(IDENTITY).set(name.get());
            } else {
                LINES.log(LOG::info, "tls", "{}: client certificate of {} has no usable {}; no certificate identity", listener,
                        ctx.channel().remoteAddress(), identity.name().toLowerCase(java.util.Locale.ROOT));
            }
        }
    }

    private void failed(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String why = root == cause ? String.valueOf(cause.getMessage())
                : cause.getMessage() + " (" + root.getMessage() + ")";
        LINES.log(LOG::info, "tls", "{}: TLS handshake with {} failed: {}", listener,
                ctx.channel().remoteAddress(), printable(why));
    }

    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        int limit = Math.min(text.length(), 300);
        for (int i = 0; i < limit; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return limit < text.length() ? out + "..." : out.toString();
    }
}
