package dev.junction.amqp10;

import dev.junction.routing.api.PublishResult;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Back-pressure on a connection's publishers, by link credit [AMQP 1.0 part 2 section 2.6.7]: while a queue a
 * publish reached is congested ({@link PublishResult#congested()}) or a memory or disk alarm is raised, the
 * incoming links stop renewing the client's credit, so the client stops sending once its credit is spent, and
 * nothing beyond that credit is ever buffered here. When the congestion is relieved (the queue calls back from its
 * own thread; the relief comes back on the event loop) or the alarm clears, every link tops its credit up again.
 * Event-loop only, except {@link #alarmListener}.
 */
final class PublisherBrake {
    private final Amqp10Connection conn;
    private final Set<IncomingLink> links = new LinkedHashSet<>();
    private int congested;
    private boolean alarm;
    /** Registered with the engine for the connection's life; called on an engine thread. */
    final Consumer<Boolean> alarmListener;

    PublisherBrake(Amqp10Connection conn) {
        this.conn = conn;
        this.alarmListener = raised -> conn.onLoop(() -> alarm(raised));
    }

    /** Whether credit is held back now. */
    boolean holding() {
        return congested > 0 || alarm;
    }

    /** A publish reached a congested queue: credit is held until it caught up. */
    void congested(PublishResult result) {
        congested++;
        result.whenRelieved(() -> conn.onLoop(() -> {
            congested--;
            resume();
        }));
    }

    void alarm(boolean raised) {
        alarm = raised;
        resume();
    }

    void add(IncomingLink link) {
        links.add(link);
    }

    void remove(IncomingLink link) {
        links.remove(link);
    }

    private void resume() {
        if (!holding()) {
            for (IncomingLink link : links) {
                link.topUp();
            }
        }
    }
}
