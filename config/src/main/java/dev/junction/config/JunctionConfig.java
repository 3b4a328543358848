package dev.junction.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole broker configuration, immutable. Obtain one from {@link ConfigLoader}. {@code definitionsFile}: a
 * RabbitMQ {@code definitions.json} imported at every start (the top-level {@code definitions_file} key);
 * {@code amqp10}: the AMQP 1.0 settings (the {@code amqp10} section); {@code cluster}: the {@code cluster} section,
 * empty for a broker that runs alone (docs/cluster.md).
 */
public record JunctionConfig(Listeners listeners, StorageConfig storage, List<String> vhosts,
        List<UserConfig> users, Limits limits, AmqpConfig amqp, MqttConfig mqtt, LoggingConfig logging,
        AuthConfig auth, Optional<Path> definitionsFile, Amqp10Config amqp10, Optional<ClusterConfig> cluster) {

    /** A configuration of a broker that runs alone. */
    public JunctionConfig(Listeners listeners, StorageConfig storage, List<String> vhosts, List<UserConfig> users,
            Limits limits, AmqpConfig amqp, MqttConfig mqtt, LoggingConfig logging, AuthConfig auth,
            Optional<Path> definitionsFile, Amqp10Config amqp10) {
        this(listeners, storage, vhosts, users, limits, amqp, mqtt, logging, auth, definitionsFile, amqp10,
                Optional.empty());
    }

    /** A configuration with AMQP 1.0's defaults. */
    public JunctionConfig(Listeners listeners, StorageConfig storage, List<String> vhosts, List<UserConfig> users,
            Limits limits, AmqpConfig amqp, MqttConfig mqtt, LoggingConfig logging, AuthConfig auth,
            Optional<Path> definitionsFile) {
        this(listeners, storage, vhosts, users, limits, amqp, mqtt, logging, auth, definitionsFile,
                Amqp10Config.DEFAULT);
    }

    /** A configuration without a definitions file. */
    public JunctionConfig(Listeners listeners, StorageConfig storage, List<String> vhosts, List<UserConfig> users,
            Limits limits, AmqpConfig amqp, MqttConfig mqtt, LoggingConfig logging, AuthConfig auth) {
        this(listeners, storage, vhosts, users, limits, amqp, mqtt, logging, auth, Optional.empty());
    }

    /** A configuration whose logins are checked against {@code users} only. */
    public JunctionConfig(Listeners listeners, StorageConfig storage, List<String> vhosts, List<UserConfig> users,
            Limits limits, AmqpConfig amqp, MqttConfig mqtt, LoggingConfig logging) {
        this(listeners, storage, vhosts, users, limits, amqp, mqtt, logging, AuthConfig.internalOnly());
    }

    public JunctionConfig {
        Objects.requireNonNull(listeners, "listeners");
        Objects.requireNonNull(storage, "storage");
        vhosts = List.copyOf(vhosts);
        users = List.copyOf(users);
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(amqp, "amqp");
        Objects.requireNonNull(mqtt, "mqtt");
        Objects.requireNonNull(logging, "logging");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(definitionsFile, "definitionsFile");
        Objects.requireNonNull(amqp10, "amqp10");
        Objects.requireNonNull(cluster, "cluster");
    }

    /** The user with exactly this name (names are case-sensitive). */
    public Optional<UserConfig> user(String name) {
        return users.stream().filter(u -> u.name().equals(name)).findFirst();
    }
}
