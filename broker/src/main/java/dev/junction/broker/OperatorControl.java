package dev.junction.broker;

import dev.junction.broker.management.BrokerControl;
import dev.junction.broker.management.ReloadOutcome;
import dev.junction.cluster.ClusterMembership;
import dev.junction.cluster.ClusterNode;
import dev.junction.cluster.ClusterStatus;
import dev.junction.cluster.quorum.QuorumNode;
import dev.junction.config.UserConfig;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.ConnectionInfo;
import dev.junction.routing.auth.Users;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's side of the operator's controls: the config reload (once the broker knows its file) and closing the
 * connections that a deleted vhost or a user's reduced rights leave without access. Reduced rights already apply to
 * each connection's next operation ({@code UserRights}); closing the connections is what RabbitMQ does on top.
 */
final class OperatorControl implements BrokerControl {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorControl.class);

    private final RoutingEngine engine;
    private volatile ConfigReload reload;
    private final ClusterNode cluster;
    private final QuorumNode quorum;

    OperatorControl(RoutingEngine engine) {
        this(engine, null, null);
    }

    /** {@code cluster} and {@code quorum}: this node's membership and quorum groups, null for a broker alone. */
    OperatorControl(RoutingEngine engine, ClusterNode cluster, QuorumNode quorum) {
        this.engine = engine;
        this.cluster = cluster;
        this.quorum = quorum;
        // A user deleted, or a permission, topic permission, ACL or tag taken away (API or reload).
        engine.authorization().users().watch(this::rightsReduced);
    }

    void reloadWith(ConfigReload reload) {
        this.reload = reload;
    }

    @Override
    public ReloadOutcome reload() {
        ConfigReload r = reload;
        return r == null ? BrokerControl.NONE.reload() : r.reload();
    }

    /**
     * Closes what lost access altogether (deleting a user or revoking a permission closes the user's affected
     * connections), whoever changed the directory (the API, a reload): every connection of a user that is gone, and
     * a user's connections in a vhost where it no longer has a permission, each told why. A right only narrowed (a
     * permission's patterns, a topic permission, an ACL rule) applies to the connection's next operation instead,
     * since each connection re-reads its user's rights. The directory calls this as it changes, so the close and its
     * reason come from here alone.
     */
    private void rightsReduced(List<Users.Reduced> reduced) {
        Users users = engine.authorization().users();
        for (Users.Reduced r : reduced) {
            Optional<UserConfig> now = users.find(r.user());
            for (ConnectionInfo c : engine.connections().list()) {
                if (!c.user().equals(r.user()) || !r.affects(c.vhost())) {
                    continue;
                }
                if (now.isEmpty()) {
                    engine.connections().close(c.name(), "user '" + r.user() + "' was deleted");
                } else if (!now.get().permissions().containsKey(c.vhost())) {
                    engine.connections().close(c.name(), "permissions of user '" + r.user() + "' in vhost '"
                            + c.vhost() + "' were revoked");
                }
            }
        }
    }

    @Override
    public void closeConnections(BiPredicate<String, String> userAndVhost, String reason) {
        int closed = engine.connections().closeWhere(c -> userAndVhost.test(c.user(), c.vhost()), reason);
        LOG.debug("closing the {} connections selected: {}", closed, reason);
    }

    @Override
    public Optional<ClusterStatus> clusterStatus() {
        return cluster == null ? Optional.empty() : Optional.of(cluster.status());
    }

    @Override
    public Optional<ClusterMembership> clusterMembership() {
        return cluster == null ? Optional.empty() : Optional.of(cluster.membership());
    }

    @Override
    public Optional<QuorumNode> quorum() {
        return Optional.ofNullable(quorum);
    }
}
