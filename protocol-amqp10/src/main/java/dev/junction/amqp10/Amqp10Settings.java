package dev.junction.amqp10;

import dev.junction.config.UserConfig;
import java.util.List;

/**
 * What every AMQP 1.0 connection of the broker is given.
 *
 * @param maxFrameSize the largest frame this side accepts, sent in {@code open} [AMQP 1.0 part 2 section 2.7.1]
 * @param channelMax the highest session channel number a client may use
 * @param maxLinks links (both directions) a connection may hold at once
 * @param idleTimeoutMs this side's idle-timeout: a peer silent this long is closed (0: none)
 * @param maxMessageSize the largest message accepted, also sent as the receiving links' max-message-size
 * @param linkCredit the credit each link that receives from the client keeps topped up
 * @param defaultVhost the vhost of an {@code open} whose hostname is no {@code vhost:<name>}
 * @param anonymousUser the user SASL ANONYMOUS (and a connection without SASL) acts as; null: refused
 * @param users the configured users, for an adapter started without the broker's auth backends
 */
record Amqp10Settings(int maxFrameSize, int channelMax, int maxLinks, int idleTimeoutMs, long maxMessageSize,
                      int linkCredit, String defaultVhost, String anonymousUser, List<UserConfig> users) {

    /** The smallest max-frame-size a peer may ask for [AMQP 1.0 part 2 section 2.7.1, MIN-MAX-FRAME-SIZE]. */
    static final int MIN_MAX_FRAME_SIZE = 512;

    Amqp10Settings {
        users = List.copyOf(users);
        if (maxFrameSize < MIN_MAX_FRAME_SIZE) {
            throw new IllegalArgumentException("max frame size below " + MIN_MAX_FRAME_SIZE);
        }
    }

    boolean anonymousAllowed() {
        return anonymousUser != null;
    }
}
