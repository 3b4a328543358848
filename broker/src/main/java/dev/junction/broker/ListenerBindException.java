package dev.junction.broker;

import io.netty.channel.unix.Errors;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.UnresolvedAddressException;

/**
 * A listener that could not take its address: the port is in use, needs privileges, or the bind address is not
 * one of this machine's. The message is one line naming the listener, the address and the key to change, so the
 * operator gets no stack trace for what is a configuration matter.
 */
final class ListenerBindException extends Exception {

    /**
     * A bind that may fail. Netty's {@code bind().sync()} rethrows the socket's exception (a {@link BindException})
     * without declaring it, which is why {@link #bind} catches every exception and looks at what it is.
     */
    @FunctionalInterface
    interface Bind {
        InetSocketAddress run() throws InterruptedException;
    }

    private ListenerBindException(String message, Throwable cause) {
        super(message, cause, false, false);
    }

    /**
     * Runs {@code bind} for {@code listener} on {@code host:port}; a failure to bind becomes this exception, any other
     * failure propagates unchanged.
     */
    static InetSocketAddress bind(String listener, String host, int port, Bind bind)
            throws InterruptedException, ListenerBindException {
        try {
            return bind.run();
        } catch (Exception e) {
            String why = reason(e);
            if (why == null) {
                throw e;
            }
            throw new ListenerBindException("listeners." + listener + " cannot listen on " + host + ":" + port + ": "
                    + why + " (change listeners." + listener + ".port or .bind)", e);
        }
    }

    /** Why the bind failed, or null when {@code e} is not about the address. */
    private static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException b) {
                String message = b.getMessage() == null ? "cannot bind" : b.getMessage();
                return message.contains("in use") ? message + ": another process holds the port" : message;
            }
            if (t instanceof Errors.NativeIoException n && n.getMessage() != null
                    && n.getMessage().startsWith("bind(")) {
                // The epoll transport reports a failed bind(2) as "bind(..) failed with error(-98): Address already
                // in use" instead of a BindException: the text after the errno is the JDK's message for it.
                String message = n.getMessage().substring(n.getMessage().lastIndexOf(": ") + 2);
                return message.contains("in use") ? message + ": another process holds the port" : message;
            }
            if (t instanceof UnresolvedAddressException) {
                return "the bind address does not resolve";
            }
        }
        return null;
    }
}
