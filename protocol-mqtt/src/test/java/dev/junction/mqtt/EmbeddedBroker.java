package dev.junction.mqtt;

import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.Engine;
import dev.junction.storage.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * An engine with an in-memory store and the MQTT adapter's shared state, for tests that drive connections through
 * {@link EmbeddedClient}. Nothing listens on a port.
 */
final class EmbeddedBroker implements AutoCloseable {
    final RoutingEngine engine;
    final MqttServer server;

    EmbeddedBroker() throws Exception {
        this("");
    }

    /** {@code extraUsers}: more items of the {@code users:} list, indented by two spaces. */
    EmbeddedBroker(String extraUsers) throws Exception {
        JunctionConfig config = ConfigLoader.parse("""
                users:
                  - name: alice
                    password: alice-pw
                    permissions: { "/": { configure: ".*", write: ".*", read: ".*" } }
                """ + extraUsers, "test.yaml");
        engine = new RoutingEngine(new InMemoryMessageStore(), new SimpleMeterRegistry(), 1);
        server = MqttServer.create(new MqttSettings(config.mqtt(), config.users(), 1 << 20), Engine.of(engine));
    }

    EmbeddedClient client() {
        return new EmbeddedClient(this);
    }

    @Override
    public void close() {
        server.close();
        engine.close();
    }
}
