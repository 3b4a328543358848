package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpException;
import dev.junction.amqp.codec.ReplyCode;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a login whose credentials lapse (an access token): the connection is closed then with 403
 * ACCESS_REFUSED, as its access ends, unless connection.update-secret renews it first. Event-loop only.
 */
final class CredentialExpiry {
    /** The connection's own logger: this line has always been one of the connection's. */
    private static final Logger LOG = LoggerFactory.getLogger(AmqpConnection.class);

    private final AmqpConnection conn;
    private ScheduledFuture<?> timer;

    CredentialExpiry(AmqpConnection conn) {
        this.conn = conn;
    }

    /** The credentials of {@code user} lapse at {@code at} (empty: never). Replaces an earlier expiry. */
    void expiresAt(Optional<Instant> at, String user) {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (at.isEmpty()) {
            return;
        }
        long ms = Math.max(0, Duration.between(Instant.now(), at.get()).toMillis());
        timer = conn.schedule(() -> {
            if (conn.isOpen()) {
                LOG.info("{}: the access token of user '{}' expired; closing", conn.peer(), user);
                conn.fail(AmqpException.connection(ReplyCode.ACCESS_REFUSED,
                        "ACCESS_REFUSED - the access token expired"));
            }
        }, ms, TimeUnit.MILLISECONDS);
    }
}
