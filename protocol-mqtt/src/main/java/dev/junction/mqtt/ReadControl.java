package dev.junction.mqtt;

import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.PublishResult;
import dev.junction.routing.api.ReadGate;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * When one connection's socket is read. Reading stops while packets wait (a CONNECT being handled, a SUBSCRIBE
 * applied in slices, topic answers asked), while a queue this client publishes to is congested, and, for
 * publishers only, while the engine's memory alarm is raised. Owned by the connection's event loop.
 */
final class ReadControl {
    private final MqttConnection c;
    private final RoutingEngine engine;
    private final ReadGate gate;
    private final Consumer<Boolean> memoryListener;
    private boolean publisher;

    ReadControl(MqttConnection c, RoutingEngine engine, ReadGate gate) {
        this.c = c;
        this.engine = engine;
        this.gate = gate;
        this.memoryListener = on -> c.onLoop(() -> memoryAlarm(on));
    }

    /** Stops reading until as many {@link #relieved()} calls. */
    void congested() {
        gate.congested();
    }

    void relieved() {
        gate.relieved();
    }

    /** A packet was read. */
    void read() {
        gate.read();
    }

    /** Whether reading stopped since the last time this was asked: a keep-alive silence that is the server's own. */
    boolean stoppedSinceAsked() {
        return gate.stoppedSinceAsked();
    }

    /** Called on every PUBLISH read; the first one subscribes to the memory alarm (only publishers are held). */
    void published(PublishResult result) {
        becomePublisher();
        if (result.congested()) {
            // A target queue is far behind its publishers: hold this one back until it catches up.
            gate.congested();
            result.whenRelieved(() -> {
                try {
                    c.onLoop(gate::relieved);
                } catch (RejectedExecutionException closed) {
                    // the event loop went away with the connection
                }
            });
        }
    }

    /** The client publishes (a large PUBLISH is being buffered, or one was read): the memory alarm holds it. */
    void becomePublisher() {
        if (!publisher && c.state == MqttConnection.State.CONNECTED) {
            publisher = true;
            engine.memoryAlarm().subscribe(memoryListener);
            memoryAlarm(engine.memoryAlarm().raised());
        }
    }

    private void memoryAlarm(boolean raised) {
        if (c.state != MqttConnection.State.CLOSED) {
            gate.memoryAlarm(raised);
        }
    }

    /** The connection closed. */
    void closed() {
        if (publisher) {
            engine.memoryAlarm().unsubscribe(memoryListener);
        }
    }
}
