package dev.junction.amqp10;

import java.lang.reflect.Method;
import org.apache.qpid.proton.engine.Session;

/**
 * The channel a client's {@code begin} came on, checked against the channel-max this side sent in {@code open}: a
 * peer MUST NOT use a channel above it [AMQP 1.0 part 2 section 2.7.1 channel-max, section 2.5.4]. proton-j keeps
 * the channel in its transport's session state, which its public API does not show, and checks it nowhere, so the
 * adapter looks, once per {@code begin}. Where the state cannot be read (another proton-j), only the number of
 * sessions is checked.
 */
final class SessionChannel {
    private static final Method TRANSPORT_SESSION;
    private static final Method REMOTE_CHANNEL;

    static {
        Method session = null;
        Method channel = null;
        try {
            session = Class.forName("org.apache.qpid.proton.engine.impl.SessionImpl")
                    .getDeclaredMethod("getTransportSession");
            session.setAccessible(true);
            channel = Class.forName("org.apache.qpid.proton.engine.impl.TransportSession")
                    .getDeclaredMethod("getRemoteChannel");
            channel.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            session = null;
            channel = null;
        }
        TRANSPORT_SESSION = session;
        REMOTE_CHANNEL = channel;
    }

    private SessionChannel() {
    }

    /** Refuses {@code session} (the whole connection: a framing error) when it began above {@code channelMax}. */
    static void check(Session session, int channelMax) {
        int channel = remote(session);
        if (channel > channelMax) {
            throw Refusal.connection(Condition.FRAMING_ERROR, "begin on channel " + channel + ", above the channel-max "
                    + channelMax);
        }
    }

    /** The channel of {@code session}'s {@code begin}, or -1 when it cannot be read. */
    static int remote(Session session) {
        if (TRANSPORT_SESSION == null) {
            return -1;
        }
        try {
            Object state = TRANSPORT_SESSION.invoke(session);
            return state == null ? -1 : (int) REMOTE_CHANNEL.invoke(state);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }
}
