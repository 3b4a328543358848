package dev.junction.mqtt;

import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Stops handling a connection's packets while a long SUBSCRIBE is applied in slices (and while the retained
 * messages it owes are queued), or while a SUBSCRIBE or UNSUBSCRIBE waits for the cluster to commit a binding's
 * change ({@link SubscribeFlow}, {@link UnsubscribeFlow}): packets already decoded wait, in order, as they came off the socket, and the socket
 * is not read until {@link #release()}. Owned by the connection's event loop.
 *
 * <p>The two other waits of a connection are kept apart on purpose: {@link Login} keeps what follows a CONNECT
 * (handled only if the CONNECT is accepted), {@link TopicAnswerWait} what follows a packet waiting for an external
 * backend (each replayed packet may start a new wait). This one takes packets before anything looks at them,
 * malformed-packet reports included, and replays them as if just read.
 */
final class PacketHold {
    private final MqttConnection c;
    /** Null when packets are handled as they come. */
    private ArrayDeque<Object> held;

    PacketHold(MqttConnection c) {
        this.c = c;
    }

    void hold() {
        if (held == null) {
            held = new ArrayDeque<>();
            c.reading.congested();
        }
    }

    /** Handles the packets that arrived while held, in order, and reads the socket again. */
    void release() {
        ArrayDeque<Object> waiting = held;
        if (waiting == null) {
            return;
        }
        held = null;
        c.reading.relieved();
        for (Object msg; held == null && (msg = waiting.poll()) != null; ) {
            c.channelRead(c.ctx, msg);
        }
        if (!waiting.isEmpty()) {
            held.addAll(waiting); // a packet among them held the connection again: keep the rest in order
        }
    }

    /** True when {@code msg} was kept (released, and its buffer freed, by {@link #release} or {@link #discard}). */
    boolean keep(Object msg) {
        if (held == null) {
            return false;
        }
        held.add(msg);
        return true;
    }

    /** The connection closed: what waits is dropped. */
    void discard() {
        if (held != null) {
            held.forEach(ReferenceCountUtil::release);
            held = null;
        }
    }
}
