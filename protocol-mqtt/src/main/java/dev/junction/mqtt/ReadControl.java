package dev.junction.mqtt;

import dev.junction.routing.api.DeliveryOutlet;
import dev.junction.routing.api.Engine;
import dev.junction.routing.api.PublishResult;
import java.util.function.Consumer;

/**
 * When one connection's socket is read, on the engine's {@link DeliveryOutlet} brake. Reading stops while packets
 * wait (a CONNECT being handled, a SUBSCRIBE applied in slices, topic answers asked), while a queue this client
 * publishes to is congested, and, for publishers only, while the engine's memory alarm is raised. Owned by the
 * connection's event loop.
 */
final class ReadControl {
    private final MqttConnection c;
    private final Engine engine;
    private final DeliveryOutlet outlet;
    private final Consumer<Boolean> memoryListener;
    private boolean publisher;

    ReadControl(MqttConnection c, Engine engine, DeliveryOutlet outlet) {
        this.c = c;
        this.engine = engine;
        this.outlet = outlet;
        this.memoryListener = on -> c.onLoop(() -> memoryAlarm(on));
    }

    /** Stops reading until as many {@link #relieved()} calls. */
    void congested() {
        outlet.hold(true);
    }

    void relieved() {
        outlet.hold(false);
    }

    /** A packet was read. */
    void read() {
        outlet.read();
    }

    /** Whether reading stopped since the last time this was asked: a keep-alive silence that is the server's own. */
    boolean stoppedSinceAsked() {
        return outlet.stoppedSinceAsked();
    }

    /**
     * Called on every PUBLISH read; the first one subscribes to the memory alarm (only publishers are held). A
     * target queue far behind its publishers holds this one back until it catches up.
     */
    void published(PublishResult result) {
        becomePublisher();
        outlet.publisherCongested(result);
    }

    /** The client publishes (a large PUBLISH is being buffered, or one was read): the memory alarm holds it. */
    void becomePublisher() {
        if (!publisher && c.state == MqttConnection.State.CONNECTED) {
            publisher = true;
            engine.watchAlarm(memoryListener);
            memoryAlarm(engine.alarmRaised());
        }
    }

    private void memoryAlarm(boolean raised) {
        if (c.state != MqttConnection.State.CLOSED) {
            outlet.alarm(raised);
        }
    }

    /** The connection closed. */
    void closed() {
        if (publisher) {
            engine.unwatchAlarm(memoryListener);
        }
    }
}
