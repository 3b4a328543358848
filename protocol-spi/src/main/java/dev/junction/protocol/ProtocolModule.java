package dev.junction.protocol;

import io.netty.channel.Channel;
import java.util.List;

/**
 * One protocol as the broker sees it. The broker holds a list of modules and treats each the same way:
 * <ol>
 * <li>{@link #listeners()} names the listener keys of the configuration the module serves
 * ({@code amqp}, {@code mqtt_wss}, ...);</li>
 * <li>{@link #start} is called once, and only when at least one of those listeners is enabled: a module whose
 * listeners are all off creates no state, no thread and no meter;</li>
 * <li>{@link #initChannel} builds the pipeline of every connection a listener accepts. TLS is the broker's: on a
 * TLS listener the channel already decrypts (and carries the client certificate's identity) when this is
 * called;</li>
 * <li>{@link #close} is called once after the listeners and their event loops have stopped, in the reverse order
 * of the starts.</li>
 * </ol>
 * Two modules may serve the same listener key: the broker then tells their connections apart by their first bytes,
 * with each module's {@link #header} (see {@link ProtocolHeader} for the rules).
 */
public interface ProtocolModule extends AutoCloseable {

    /** Short name for logs and errors: {@code amqp}, {@code mqtt}. */
    String name();

    /** The listener keys this module serves, in the order the broker binds them. */
    List<String> listeners();

    /**
     * The first bytes a client of this protocol sends on {@code listener}. Consulted only when another module
     * serves the same listener; by default the module claims no header, so it only gets the connections no other
     * module claims, and only when it is the first of them in the broker's list.
     */
    default ProtocolHeader header(String listener) {
        return ProtocolHeader.NONE;
    }

    /** Builds the module's shared state; called once, on the broker's start thread, before any connection. */
    void start(ProtocolContext context);

    /**
     * Adds the protocol's handlers to {@code channel}'s pipeline (with {@code addLast}) for a connection accepted
     * by {@code listener}. Called on the channel's event loop, for one of {@link #listeners()}, after
     * {@link #start}; never blocks.
     */
    void initChannel(String listener, Channel channel);

    /** Ends the module's state (timers, session tasks); the connections are closed by then. */
    @Override
    void close();
}
