package dev.junction.routing;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.Policies;
import dev.junction.routing.api.Policy;
import dev.junction.routing.exchange.Exchange;
import dev.junction.routing.policy.PolicyDefinition;
import dev.junction.routing.queue.Queue;
import dev.junction.routing.quorum.ReplicatedQuorumQueue;
import dev.junction.routing.stream.Stream;
import dev.junction.storage.Definition;
import dev.junction.storage.DefinitionKind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policies of one vhost, and which one applies to each of its queues, streams and exchanges: of the policies
 * whose {@code apply-to} covers the object (a stream counts as a queue, as in RabbitMQ) and whose pattern is found
 * in its name, the one of highest priority (RabbitMQ leaves a tie undefined; here the first by name wins, so the
 * choice is stable).
 *
 * <p>Changes take the vhost's lock, as declarations do, so a queue declared while a policy changes gets one or the
 * other, never neither. Under the lock the vhost's queues are told their policy, and each applies it in its own
 * mailbox (the returned future completes when all have; a stream's, when its log has trimmed); exchanges take
 * theirs at once (a volatile field). A queue or exchange whose policy did not change is not told. New queues,
 * streams and exchanges are matched when they are created, also under the lock. Policies are stored as POLICY
 * definitions and recovered after the queues and exchanges.
 */
public final class VhostPolicies implements Policies {
    private static final Logger LOG = LoggerFactory.getLogger(VhostPolicies.class);
    private final VirtualHost vhost;
    private final RoutingEngine engine;
    private final Object lock;
    /** By name; replaced whole under {@link #lock}, read without it by the API. */
    private volatile Map<String, Rule> rules = Map.of();

    /** A policy with its compiled pattern and checked definition. */
    private record Rule(Policy policy, Pattern pattern, PolicyDefinition definition) {
        static Rule of(Policy p) {
            if (p.name().isEmpty()) {
                throw BrokerException.preconditionFailed("Validation failed\n\na policy needs a name\n");
            }
            Pattern pattern;
            try {
                pattern = Pattern.compile(p.pattern());
            } catch (PatternSyntaxException e) {
                throw BrokerException.preconditionFailed("Validation failed\n\n'" + p.pattern()
                        + "' is not a valid regular expression: " + e.getDescription() + "\n");
            }
            return new Rule(p, pattern, PolicyDefinition.parse(p.definition()));
        }

        boolean matches(String name, boolean queue) {
            boolean kind = queue ? policy.applyTo().appliesToQueues() : policy.applyTo().appliesToExchanges();
            return kind && pattern.matcher(name).find();
        }
    }

    VhostPolicies(VirtualHost vhost, RoutingEngine engine, Object lock) {
        this.vhost = vhost;
        this.engine = engine;
        this.lock = lock;
    }

    @Override
    public List<Policy> list() {
        return rules.values().stream().map(Rule::policy).toList();
    }

    @Override
    public Optional<Policy> get(String name) {
        return Optional.ofNullable(rules.get(name)).map(Rule::policy);
    }

    /**
     * Alone, the change is made here at once. On a cluster node it is checked here (the pattern, the definition, a
     * writable store, a known leader), then committed through the metadata log, and takes effect on every node, this
     * one included, only when the node applies the entry ({@link #applyPut}); the future completes with this node's
     * apply (docs/cluster.md, "Linearizable declarations"), or fails with an {@code INTERNAL_ERROR} when the log did
     * not commit it. A queue slow to take the policy does not fail it.
     */
    @Override
    public CompletableFuture<Boolean> put(Policy policy) {
        DefinitionLog log = engine.definitionLog();
        if (log == null) {
            return applyPut(policy);
        }
        Rule.of(policy);
        engine.requireWritableStore("policy '" + policy.name() + "' in vhost '" + vhost.name() + "'");
        refuseChange(log, "set policy '" + policy.name() + "'");
        return log.commit(DefinitionCodec.policy(vhost.name(), policy), false).thenCompose(VhostPolicies::applied);
    }

    /** As {@link #put}: on a cluster node the deletion takes effect when the log applies it. */
    @Override
    public CompletableFuture<Boolean> delete(String name) {
        DefinitionLog log = engine.definitionLog();
        if (log == null) {
            return applyDelete(name);
        }
        if (!rules.containsKey(name)) {
            // Read this node's policies once it has applied everything committed before now, as a deletion of a
            // queue that is not there does.
            return log.readBarrier().thenCompose(ignored -> rules.containsKey(name) ? delete(name)
                    : CompletableFuture.completedFuture(false));
        }
        refuseChange(log, "delete policy '" + name + "'");
        return log.commit(new Definition(DefinitionKind.POLICY, vhost.name(), name, new byte[0]), true)
                .thenCompose(VhostPolicies::applied);
    }

    /** A put here, at once: alone, or as a committed entry's apply ({@link ReplicatedDefinitions}). */
    CompletableFuture<Boolean> applyPut(Policy policy) {
        Rule rule = Rule.of(policy);
        synchronized (lock) {
            engine.requireWritableStore("policy '" + policy.name() + "' in vhost '" + vhost.name() + "'");
            boolean created = !rules.containsKey(policy.name());
            replace(policy.name(), rule);
            engine.store().definitions().put(DefinitionCodec.policy(vhost.name(), policy));
            return settled(reapply(), created);
        }
    }

    /** A deletion here, at once: alone, or as a committed entry's apply. */
    CompletableFuture<Boolean> applyDelete(String name) {
        synchronized (lock) {
            if (!rules.containsKey(name)) {
                return CompletableFuture.completedFuture(false);
            }
            replace(name, null);
            engine.store().definitions().delete(DefinitionKind.POLICY, vhost.name(), name);
            return settled(reapply(), true);
        }
    }

    /**
     * The answer once every queue has taken the change. A queue that went away meanwhile, or failed to apply it,
     * does not make the change fail: it stands, and a queue declared later takes it.
     */
    private static CompletableFuture<Boolean> settled(CompletableFuture<Void> applied, boolean answer) {
        return applied.handle((ignored, failed) -> answer);
    }

    /** What a committed entry's apply returned on this node: the future of {@link #applyPut} or {@link #applyDelete}. */
    @SuppressWarnings("unchecked")
    private static CompletableFuture<Boolean> applied(Object result) {
        return result instanceof CompletableFuture<?> f ? (CompletableFuture<Boolean>) f
                : CompletableFuture.completedFuture(false);
    }

    /** A node that knows no leader refuses before anything changes, in the words of a refused declaration. */
    private void refuseChange(DefinitionLog log, String what) {
        log.refusal().ifPresent(why -> {
            throw new BrokerException(ErrorKind.INTERNAL_ERROR, "cannot " + what + " in vhost '" + vhost.name()
                    + "': " + why);
        });
    }

    /** A stored policy at start-up, after the queues and exchanges; one that no longer passes the checks is skipped. */
    void recover(Policy policy) {
        Rule rule;
        try {
            rule = Rule.of(policy);
        } catch (BrokerException e) {
            LOG.warn("stored policy '{}' in vhost '{}' skipped: {}", policy.name(), vhost.name(),
                    e.getMessage().replace('\n', ' ').trim());
            return;
        }
        synchronized (lock) {
            replace(policy.name(), rule);
            reapply();
        }
    }

    /**
     * Tells a queue its policy when it changed (a new queue: under the vhost's lock before the queue is reachable,
     * so the policy is in its mailbox ahead of any message).
     */
    CompletableFuture<Void> applyTo(Queue q) {
        Rule r = match(q.name(), true);
        Policy p = r == null ? null : r.policy();
        if (p == q.arguments().policy()) {
            return CompletableFuture.completedFuture(null);
        }
        // A quorum queue in a cluster keeps its limits in its log: once the definition here has merged the policy,
        // its replicated side declares them again, so that every replica applies the policy's.
        return q.applyPolicy(p, r == null ? PolicyDefinition.NONE : r.definition())
                .thenRun(() -> engine.quorum().replicated(q).ifPresent(ReplicatedQuorumQueue::limitsChanged));
    }

    /** Tells a stream its policy when it changed; it applies the retention keys to its log at once. */
    CompletableFuture<Void> applyTo(Stream s) {
        Rule r = match(s.name(), true);
        Policy p = r == null ? null : r.policy();
        if (p == s.policy()) {
            return CompletableFuture.completedFuture(null);
        }
        return s.applyPolicy(p, r == null ? PolicyDefinition.NONE : r.definition());
    }

    /** Tells an exchange its policy when it changed. */
    void applyTo(Exchange x) {
        Rule r = match(x.name(), false);
        Policy p = r == null ? null : r.policy();
        if (p != x.policy()) {
            x.applyPolicy(p, r == null ? null : r.definition());
        }
    }

    private void replace(String name, Rule rule) {
        Map<String, Rule> next = new TreeMap<>(rules);
        if (rule == null) {
            next.remove(name);
        } else {
            next.put(name, rule);
        }
        rules = Collections.unmodifiableMap(next);
    }

    /** Under the lock: tells every queue and exchange whose policy changed. */
    private CompletableFuture<Void> reapply() {
        List<CompletableFuture<Void>> applied = new ArrayList<>();
        for (Queue q : vhost.queues()) {
            applied.add(applyTo(q));
        }
        for (Stream s : vhost.streams().all()) {
            applied.add(applyTo(s));
        }
        vhost.exchanges().forEach(this::applyTo);
        return CompletableFuture.allOf(applied.toArray(CompletableFuture[]::new));
    }

    /** The policy for an object of that name: the highest priority, the first by name among equals. */
    private Rule match(String name, boolean queue) {
        Rule best = null;
        for (Rule r : rules.values()) {
            if (r.matches(name, queue) && (best == null || r.policy().priority() > best.policy().priority())) {
                best = r;
            }
        }
        return best;
    }
}
