package dev.junction.broker;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.junction.broker.management.DefinitionsFile;
import dev.junction.broker.management.ReloadOutcome;
import dev.junction.config.ConfigException;
import dev.junction.config.ConfigLoader;
import dev.junction.config.JunctionConfig;
import dev.junction.config.ListenerConfig;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.auth.Users;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hot reload of the config file (SIGHUP, {@code POST /api/reload}): the file is read and checked as at start, and
 * only a file that passes every check is applied; a bad file keeps the running configuration and is logged as one
 * line naming the file, line and key. Applied without dropping connections:
 * <ul>
 *   <li>users, their permissions, topic permissions and MQTT ACLs (laid over the management API's users as at
 *       start; connections of a user whose rights went down are handed to the access-change hook, and every open
 *       connection checks its next operation against the new rights);</li>
 *   <li>vhosts the file lists and the broker lacks (created; none is deleted by a reload);</li>
 *   <li>limits: the vhost and user quotas, the login throttle's delay, the memory high watermark;</li>
 *   <li>the log level;</li>
 *   <li>TLS certificates, keys and CA files (re-read as on SIGHUP);</li>
 *   <li>the {@code definitions_file}, imported again as at start (the YAML users laid over it afterwards).</li>
 * </ul>
 * Everything else (listeners, storage, the AMQP and MQTT sections, auth backends, the other limits) is read at
 * start only: a change there is named in the log line as needing a restart. Reloads are serialized.
 */
final class ConfigReload {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigReload.class);

    private final Path file;
    private final RoutingEngine engine;
    private final Runnable reloadTls;
    private JunctionConfig running;

    ConfigReload(Path file, JunctionConfig running, RoutingEngine engine, Runnable reloadTls) {
        this.file = file;
        this.running = running;
        this.engine = engine;
        this.reloadTls = reloadTls;
    }

    synchronized ReloadOutcome reload() {
        JunctionConfig next;
        Map<String, Object> definitions;
        try {
            next = ConfigLoader.load(file);
            // Read before anything is applied: a definitions file that is not JSON refuses the reload as a bad
            // config file does, naming the file, line and column.
            definitions = next.definitionsFile().isPresent() ? DefinitionsFile.read(next.definitionsFile().get())
                    : null;
        } catch (ConfigException e) {
            LOG.warn("reload refused, the running configuration stays: {}", e.getMessage());
            // The certificate files are not the config file: they are re-read as SIGHUP always did.
            reloadTls.run();
            return ReloadOutcome.refused(e.getMessage());
        }
        Set<String> changedUsers = new TreeSet<>();
        engine.authorization().users().reloadFile(next.users()).forEach(r -> changedUsers.add(r.user()));
        next.vhosts().forEach(engine::createVhost);
        String imported = null;
        if (definitions != null) {
            // As at start: the definitions file is imported, then the file's users are laid over it again, so the
            // YAML wins for the users it declares.
            Path defs = next.definitionsFile().get();
            try {
                DefinitionsFile.apply(engine, defs, definitions);
                imported = "imported from " + defs.toAbsolutePath();
            } catch (ConfigException e) {
                LOG.warn("reload: {}", e.getMessage());
                imported = e.getMessage();
            }
            engine.authorization().users().reloadFile(next.users()).forEach(r -> changedUsers.add(r.user()));
        }
        engine.setQuotas(next.limits().quotas());
        engine.loginThrottle().setMaxDelayMs(next.limits().authFailureMaxDelayMs());
        engine.memoryAlarm().setHighWatermarkPercent(next.limits().memoryHighWatermarkPercent());
        applyLogLevel(next.logging().level());
        reloadTls.run();
        List<String> restart = needsRestart(running, next);
        running = next;
        LOG.info("reloaded {}: {} users ({} with changed rights{}), log level {}{}", file.toAbsolutePath(),
                next.users().size(), changedUsers.size(), changedUsers.isEmpty() ? "" : ": " + changedUsers,
                next.logging().level(), restart.isEmpty() ? ""
                        : "; changes to " + String.join(", ", restart) + " need a restart");
        return ReloadOutcome.applied(file.toAbsolutePath().toString(), changedUsers, restart, imported);
    }

    /** The sections a reload does not apply and that differ from the running file's. */
    private static List<String> needsRestart(JunctionConfig before, JunctionConfig after) {
        List<String> out = new ArrayList<>();
        for (String key : List.of("amqp", "amqps", "mqtt", "mqtts", "mqtt_ws", "mqtt_wss", "http", "amqp10")) {
            if (!listener(before, key).equals(listener(after, key))) {
                out.add("listeners." + key);
            }
        }
        if (!before.storage().equals(after.storage())) {
            out.add("storage");
        }
        if (!before.amqp().equals(after.amqp())) {
            out.add("amqp");
        }
        if (!before.mqtt().equals(after.mqtt())) {
            out.add("mqtt");
        }
        if (!before.amqp10().equals(after.amqp10())) {
            out.add("amqp10");
        }
        if (!before.auth().equals(after.auth())) {
            out.add("auth");
        }
        if (!before.cluster().equals(after.cluster())) {
            out.add("cluster");
        }
        if (!before.logging().sameOutputs(after.logging())) {
            out.add("logging (other than level)");
        }
        var b = before.limits();
        var a = after.limits();
        if (b.maxConnections() != a.maxConnections() || b.channelMax() != a.channelMax()
                || b.frameMax() != a.frameMax() || b.maxMessageSize() != a.maxMessageSize()
                || b.heartbeatSeconds() != a.heartbeatSeconds()
                || b.maxContentInFlightBytes() != a.maxContentInFlightBytes()
                || !b.diskFreeLimit().equals(a.diskFreeLimit()) || b.maxRetainedMessages() != a.maxRetainedMessages()
                || b.maxRetainedBytes() != a.maxRetainedBytes() || !b.admission().equals(a.admission())) {
            out.add("limits other than quotas, auth_failure_max_delay_ms and memory_high_watermark_percent");
        }
        return out;
    }

    /** A listener's settings without where they were written (a line moved is no change). */
    private static String listener(JunctionConfig c, String key) {
        ListenerConfig l = c.listeners().byKey(key);
        return l.enabled() + " " + l.bind() + " " + l.port() + " " + l.tls().map(t -> List.of(t.certFile(),
                t.keyFile(), t.keystorePassword(), t.caFile(), t.clientAuth(), t.identity(), t.versions(),
                t.ciphers(), t.watchIntervalMs()).toString()).orElse("plain");
    }

    /** The root log level; the level names are the file's (trace .. error). */
    static void applyLogLevel(String level) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level, Level.INFO));
        }
    }
}
