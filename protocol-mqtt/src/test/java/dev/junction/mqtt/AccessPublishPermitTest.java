package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.AclRule;
import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig;
import dev.junction.config.UserConfig;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.Engine;
import dev.junction.storage.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The vhost write permission a PUBLISH needs is kept per connection ({@link Access.PublishPermit}) and asked again
 * whenever the user directory changed the user: a permission taken away or given back, or the user deleted, applies
 * to the connection's next PUBLISH as before.
 */
class AccessPublishPermitTest {
    private final RoutingEngine routing = new RoutingEngine(new InMemoryMessageStore(), new SimpleMeterRegistry(), 1);

    @AfterEach
    void close() {
        routing.close();
    }

    private static JunctionConfig config(String write) throws Exception {
        return ConfigLoader.parse("""
                users:
                  - name: alice
                    password: alice-pw
                    permissions: { "/": { configure: ".*", write: "%s", read: ".*" } }
                """.formatted(write), "test.yaml");
    }

    @Test
    void aChangedUserIsCheckedAgainOnTheNextPublish() throws Exception {
        JunctionConfig allowed = config(".*");
        Engine engine = Engine.of(routing);
        engine.authorization().users().load(allowed.users(), Map.of());
        Access access = new Access(new MqttSettings(allowed.mqtt(), allowed.users(), 1024), engine);
        UserConfig loggedIn = allowed.users().get(0);
        Access.PublishPermit permit = new Access.PublishPermit();

        assertThat(access.permitsPublish(loggedIn, permit)).isTrue();
        assertThat(access.permitsPublish(loggedIn, permit)).isTrue();

        engine.authorization().users().put(config("^nothing$").users().get(0));
        assertThat(access.permitsPublish(loggedIn, permit)).as("write taken away").isFalse();
        assertThat(access.permitsPublish(loggedIn, permit)).isEqualTo(access.permits(loggedIn, AclRule.Action.PUBLISH, "c"));

        engine.authorization().users().put(config(".*").users().get(0));
        assertThat(access.permitsPublish(loggedIn, permit)).as("given back").isTrue();

        engine.authorization().users().remove("alice");
        assertThat(access.permitsPublish(loggedIn, permit)).as("user deleted").isFalse();
    }
}
