package dev.junction.mqtt;

import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.ClientIdClaims;
import dev.junction.routing.api.Engine;
import dev.junction.routing.api.ExactlyOnceIds;
import dev.junction.routing.api.Vhost;
import dev.junction.storage.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.function.UnaryOperator;

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
        this(extraUsers, null);
    }

    /**
     * {@code vhosts}, when not null, stands in front of the vhost the adapter gets (a test that answers some calls
     * itself, as a cluster node would later).
     */
    EmbeddedBroker(String extraUsers, UnaryOperator<Vhost> vhosts) throws Exception {
        this(extraUsers, vhosts, ExactlyOnceIds.LOCAL);
    }

    /** {@code exactlyOnce}: the QoS 2 ids a cluster would share (a test's stand-in for the metadata log). */
    EmbeddedBroker(ExactlyOnceIds exactlyOnce) throws Exception {
        this("", null, exactlyOnce);
    }

    private EmbeddedBroker(String extraUsers, UnaryOperator<Vhost> vhosts, ExactlyOnceIds exactlyOnce)
            throws Exception {
        JunctionConfig config = ConfigLoader.parse("""
                users:
                  - name: alice
                    password: alice-pw
                    permissions: { "/": { configure: ".*", write: ".*", read: ".*" } }
                """ + extraUsers, "test.yaml");
        engine = new RoutingEngine(new InMemoryMessageStore(), new SimpleMeterRegistry(), 1);
        Engine api = Engine.of(engine);
        if (vhosts != null) {
            Engine real = api;
            api = (Engine) Proxy.newProxyInstance(Engine.class.getClassLoader(), new Class<?>[] {Engine.class},
                    (proxy, method, args) -> {
                        try {
                            Object r = method.invoke(real, args);
                            return method.getName().equals("createVhost") ? vhosts.apply((Vhost) r) : r;
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
        server = MqttServer.create(new MqttSettings(config.mqtt(), config.users(), 1 << 20), api,
                ClientIdClaims.LOCAL, exactlyOnce);
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
