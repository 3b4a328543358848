package dev.junction.mqtt;

import dev.junction.config.AclRule;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.auth.Coverage;
import dev.junction.routing.api.TopicIndex;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SUBSCRIBE ({@link UnsubscribeFlow} has UNSUBSCRIBE). A subscription is a binding from the MQTT exchange to the session queue (or, for
 * {@code $share/{group}/{filter}}, to the group's queue, which every member consumes from). Retained messages are
 * sent after the SUBACK, following Retain Handling [MQTT-3.3.1-9, MQTT-3.3.1-10, MQTT-3.3.1-11].
 */
final class SubscribeFlow {
    private static final Logger LOG = LoggerFactory.getLogger(SubscribeFlow.class);

    /** Filters applied per turn of the event loop (a few milliseconds of work). */
    static final int SLICE = 256;

    private final MqttConnection c;
    /** Filters of the SUBSCRIBE being applied that a limit refused, and the first reason (logged once at SUBACK). */
    private int quotaRefusals;
    private String firstQuotaReason;
    /** A shared subscription of the SUBSCRIBE being applied changed the session record. */
    private boolean sharesChanged;
    /** The answer to the shared subscription {@link #oneNow} started to join; taken at once by {@link #one}. */
    private CompletableFuture<Integer> joining;

    SubscribeFlow(MqttConnection c) {
        this.c = c;
    }

    void subscribe(MqttSubscribeMessage m) {
        int packetId = m.idAndPropertiesVariableHeader().messageId();
        MqttProperties props = m.idAndPropertiesVariableHeader().properties();
        int subscriptionId = 0;
        if (c.v5()) {
            MqttProperties.MqttProperty<?> id = props.getProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER);
            if (id != null) {
                subscriptionId = (Integer) id.value();
                if (subscriptionId == 0) {
                    c.violations.protocolError("Subscription Identifier 0");
                    return;
                }
            }
        }
        List<MqttTopicSubscription> requested = m.payload().topicSubscriptions();
        if (requested.isEmpty()) {
            c.violations.protocolError("SUBSCRIBE without topic filters [MQTT-3.8.3-3]");
            return;
        }
        int[] codes = new int[requested.size()];
        int maxFilters = c.server.engine.quotas().maxFiltersPerSubscribe();
        if (maxFilters > 0 && codes.length > maxFilters) {
            // limits.max_filters_per_subscribe: the whole SUBSCRIBE is refused, none of it is applied, so a
            // client never holds half of what it asked for. Quota exceeded on MQTT 5, Failure on 3.1.1.
            LOG.info("MQTT client '{}' sent a SUBSCRIBE with {} filters (limit {}); refusing it",
                    c.clientId(),
                    codes.length, maxFilters);
            java.util.Arrays.fill(codes, quotaExceeded());
            sendSuback(packetId, codes);
            return;
        }
        applyFrom(0, new Pending(packetId, subscriptionId, requested, codes, new ArrayList<>()));
    }

    /** A SUBSCRIBE being applied: its filters, the codes so far, the retained messages to send after the SUBACK. */
    private record Pending(int packetId, int subscriptionId, List<MqttTopicSubscription> requested, int[] codes,
                           List<Runnable> retainedSends) {
    }

    /**
     * Applies the filters from {@code from} on, at most {@link #SLICE} per turn of the event loop. A SUBSCRIBE with
     * thousands of filters then holds up the other connections sharing this event loop for one slice at a time
     * instead of for the whole packet; this connection holds its later packets until the SUBACK is sent, so they
     * are still handled in order, after every filter of this SUBSCRIBE took effect.
     */
    private void applyFrom(int from, Pending p) {
        int end = Math.min(p.codes().length, from + SLICE);
        for (int i = from; i < end; i++) {
            MqttTopicSubscription ts = p.requested().get(i);
            CompletableFuture<Integer> answer = one(ts.topicName(), ts.option(), p.subscriptionId(),
                    p.retainedSends());
            if (!answer.isDone()) {
                // A shared subscription waits for its group's lane: the rest of the SUBSCRIBE (and the packets
                // after it) wait with it, and go on where it stopped.
                if (from == 0) {
                    c.hold().hold();
                }
                int at = i;
                answer.whenComplete((code, error) -> c.onLoop(() -> {
                    if (c.state == MqttConnection.State.CONNECTED && code != null) {
                        p.codes()[at] = code;
                        applyFrom(at + 1, p);
                    }
                }));
                return;
            }
            Integer code = answer.join();
            if (code == null) {
                return; // connection closed; held packets are released with it
            }
            p.codes()[i] = code;
        }
        if (end < p.codes().length) {
            if (from == 0) {
                c.hold().hold();
            }
            // Scheduled rather than executed: the event loop picks up scheduled tasks once per turn, after its I/O,
            // whereas tasks submitted while it runs tasks would run back to back and keep the I/O waiting.
            c.ctx.executor().schedule(() -> {
                if (c.state == MqttConnection.State.CONNECTED) {
                    applyFrom(end, p);
                }
            }, 0, TimeUnit.NANOSECONDS);
            return;
        }
        if (sharesChanged) {
            sharesChanged = false;
            c.server.stored.persist(c.session()); // before the SUBACK, as it was for each filter
        }
        sendSuback(p.packetId(), p.codes());
        if (quotaRefusals > 0) {
            // One line per SUBSCRIBE, however many of its filters a limit refused.
            LOG.info("MQTT client '{}': {} of {} filters refused: {}", c.clientId(),
                    quotaRefusals, p.codes().length, firstQuotaReason);
            quotaRefusals = 0;
            firstQuotaReason = null;
        }
        p.retainedSends().forEach(Runnable::run);
        if (from > 0) {
            c.hold().release();
        }
        c.drainRetained();
    }

    // [MQTT-3.8.4-1]: SUBACK with one code per filter, in order [MQTT-3.9.3-1].
    private void sendSuback(int packetId, int[] codes) {
        c.out.write(new MqttSubAckMessage(new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false,
                0), new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
                new MqttSubAckPayload(codes)));
    }

    private void refusedByQuota(String reason) {
        if (quotaRefusals++ == 0) {
            firstQuotaReason = reason;
        }
    }

    /** A limit refused the filter: Quota exceeded on MQTT 5, Failure on 3.1.1 [MQTT-3.9.3-2]. */
    private int quotaExceeded() {
        return ReasonCode.QUOTA_EXCEEDED.subAck(c.v5());
    }

    /**
     * Granted QoS, or a failure code; null when the connection was closed for a protocol error. Answered at once,
     * except for a shared subscription, which is answered on the event loop once its group's lane joined it.
     */
    private CompletableFuture<Integer> one(String filter, MqttSubscriptionOption option, int subscriptionId,
                                           List<Runnable> retained) {
        Integer code = oneNow(filter, option, subscriptionId, retained);
        CompletableFuture<Integer> shared = joining;
        joining = null;
        return shared != null ? shared : CompletableFuture.completedFuture(code);
    }

    private Integer oneNow(String filter, MqttSubscriptionOption option, int subscriptionId,
                           List<Runnable> retained) {
        String[] share = TopicMapping.shared(filter);
        String topicFilter = share == null ? filter : share[1];
        String group = share == null ? null : share[0];
        int invalid = ReasonCode.TOPIC_FILTER_INVALID.subAck(c.v5());
        if (share != null) {
            if (group.isEmpty() || group.contains("+") || group.contains("#") || topicFilter.isEmpty()) {
                return invalid; // [MQTT-4.8.2-1, MQTT-4.8.2-2]
            }
            if (c.v5() && option.isNoLocal()) {
                c.violations.protocolError("No Local on a shared subscription [MQTT-3.8.3-4]");
                return null;
            }
        }
        try {
            TopicIndex.checkMqttFilter(topicFilter);
        } catch (IllegalArgumentException e) {
            c.violations.refusal(LOG, "MQTT client '{}' sent an invalid filter: {}", c.clientId(), e.getMessage());
            return invalid;
        }
        // Judged by the topics the filter (shared prefix removed) can match, not by its text: a filter that can
        // only match unreadable topics is refused (Not authorized; 3.1.1 Failure); one that matches
        // readable ones too is granted, and each delivery is then checked (Outbound.deliver).
        if (c.topics.rights().subscribe(topicFilter, TopicMapping.toBindingKey(topicFilter)) == Coverage.NONE
                || !c.server.access.permits(c.user(), AclRule.Action.SUBSCRIBE, c.clientId())
                || !c.topics.readAllowed(TopicMapping.toBindingKey(topicFilter))) {
            c.violations.refusal(LOG, "MQTT client '{}' (user '{}') may not subscribe to '{}'", c.clientId(), c.user().name(), filter);
            return ReasonCode.NOT_AUTHORIZED.subAck(c.v5());
        }
        int qos = Math.min(option.qos().value(), 2);
        Subscriptions.Subscription previous = c.session().subscriptions.get(filter);
        int maxSubscriptions = c.server.engine.quotas().maxSubscriptionsPerSession();
        if (previous == null && maxSubscriptions > 0 && c.session().subscriptions.size() >= maxSubscriptions) {
            refusedByQuota("max_subscriptions_per_session (" + maxSubscriptions + ") reached");
            return quotaExceeded();
        }
        Subscriptions.Subscription sub;
        try {
            if (share != null) {
                String queue = TopicMapping.shareQueue(group, topicFilter);
                sub = new Subscriptions.Subscription(filter, topicFilter, group, queue, qos, false,
                        option.isRetainAsPublished(), subscriptionId);
                joining = joinShared(sub, previous);
                return null;
            }
            if (c.server.vhost.queue(c.session().queueName).isEmpty()) {
                joining = withSessionQueue(filter, () -> one(filter, option, subscriptionId, retained));
                return null;
            }
            sub = new Subscriptions.Subscription(filter, topicFilter, null, c.session().queueName, qos,
                    c.v5() && option.isNoLocal(), c.v5() && option.isRetainAsPublished(), subscriptionId);
            Binding binding = sub.binding(c.server.config.exchange());
            CompletableFuture<Void> bound;
            if (previous != null && !previous.binding(c.server.config.exchange()).equals(binding)) {
                bound = c.server.vhost.unbindAsync(previous.binding(c.server.config.exchange()), null)
                        .thenCompose(v -> c.server.vhost.bindAsync(binding, null));
            } else {
                bound = c.server.vhost.bindAsync(binding, null);
            }
            if (!bound.isDone()) {
                joining = whenBound(bound, sub, previous == null, option, retained);
                return null;
            }
            bound.join();
        } catch (BrokerException e) {
            return refused(filter, e);
        } catch (CompletionException e) {
            if (e.getCause() instanceof BrokerException refusal) {
                return refused(filter, refusal);
            }
            throw e;
        }
        return subscribed(sub, previous == null, option, retained);
    }

    /** The filter took effect: the session has it, and its retained messages go after the SUBACK. */
    private int subscribed(Subscriptions.Subscription sub, boolean isNew, MqttSubscriptionOption option,
                           List<Runnable> retained) {
        c.session().subscriptions.put(sub);
        int handling = c.v5() ? option.retainHandling().value() : 0;
        if (handling == 0 || (handling == 1 && isNew)) {
            retained.add(() -> c.retainedBacklog().add(c.server.retained.topicsMatching(sub.topicFilter()),
                    sub.qos(), sub.subscriptionId()));
        }
        return sub.qos();
    }

    /**
     * The SUBACK code once the binding is committed: in a cluster a persistent session's subscription is a
     * durable binding, and the engine answers it once the metadata log has committed it (docs/cluster.md,
     * "Linearizable declarations"), so a SUBACK promises the subscription survives the loss of this node. A node
     * cut off from the majority refuses it (Unspecified error; 3.1.1 Failure) [MQTT-3.9.3-2]. Alone, the bind is
     * answered at once and this is not used.
     */
    private CompletableFuture<Integer> whenBound(CompletableFuture<Void> bound, Subscriptions.Subscription sub,
                                                 boolean isNew, MqttSubscriptionOption option,
                                                 List<Runnable> retained) {
        CompletableFuture<Integer> answer = new CompletableFuture<>();
        bound.whenComplete((v, error) -> c.onLoop(() -> {
            Throwable cause = cause(error);
            if (c.state != MqttConnection.State.CONNECTED) {
                answer.complete(null);
            } else if (cause != null) {
                answer.complete(failed(sub.filter(), cause));
            } else {
                answer.complete(subscribed(sub, isNew, option, retained));
            }
        }));
        return answer;
    }

    /**
     * Joins the share group on its lane, then, on the event loop, takes the subscription into the session and
     * consumes the group's queue. In a cluster the join is answered once the group queue and its binding are
     * committed, and a node that cannot commit them refuses the filter as {@link #whenBound} does; a persistent
     * session's membership is recorded in the cluster too ({@link ShareMemberships}), and the filter is granted
     * once that record is committed (refused, and the group left, when it cannot be). A connection that closed
     * meanwhile gets nothing: a membership this SUBSCRIBE added is left again, so the group's queue still goes
     * with its last real member.
     */
    private CompletableFuture<Integer> joinShared(Subscriptions.Subscription sub, Subscriptions.Subscription previous) {
        CompletableFuture<Integer> answer = new CompletableFuture<>();
        boolean isNew = previous == null;
        CompletableFuture<Void> joined = c.server.shares.join(sub.queue(),
                TopicMapping.toBindingKey(sub.topicFilter()), c.clientId(), c.sessionExpiry() > 0);
        if (ShareMemberships.recorded(c)) { // the cluster's record of it, for a resume on any node
            joined = joined.thenCompose(v -> ShareMemberships.write(c, sub, previous).exceptionallyCompose(e -> {
                if (isNew) {
                    c.server.shares.leave(sub.queue(), c.clientId());
                }
                return CompletableFuture.failedFuture(e);
            }));
        }
        joined.whenComplete((v, error) -> c.onLoop(() -> {
            Throwable cause = cause(error);
            if (c.state != MqttConnection.State.CONNECTED) {
                if (cause == null && isNew) {
                    c.server.shares.leave(sub.queue(), c.clientId());
                }
                answer.complete(null);
            } else if (cause != null) {
                answer.complete(failed(sub.filter(), cause));
            } else {
                c.session().subscriptions.put(sub);
                // Shared memberships live in the session record, written once when the SUBSCRIBE is applied
                // (a write per filter would encode every membership again: quadratic in the filters).
                sharesChanged = true;
                c.outbound.consume(sub.queue());
                if (ShareMemberships.recorded(c)) {
                    c.outbound.consume(c.session().queueName); // the record's queue: maybe declared for it
                }
                // Retained messages are not sent to shared subscriptions (MQTT 5 section 4.8.2).
                answer.complete(sub.qos());
            }
        }));
        return answer;
    }

    /**
     * The session's first subscription: its queue is declared on the client id's lane ({@link
     * SessionRegistry#queueFor}), then, on the event loop, the connection consumes from it and {@code then} applies
     * the filter. A connection closed or taken over meanwhile gets nothing (null), as in {@link #joinShared}.
     */
    private CompletableFuture<Integer> withSessionQueue(String filter, Supplier<CompletableFuture<Integer>> then) {
        CompletableFuture<Integer> answer = new CompletableFuture<>();
        MqttSession session = c.session();
        c.server.sessions.queueFor(session, c).whenComplete((owned, error) -> c.onLoop(() -> {
            Throwable cause = cause(error);
            if (c.state != MqttConnection.State.CONNECTED || (cause == null && !owned)) {
                answer.complete(null);
            } else if (cause != null) {
                answer.complete(failed(filter, cause));
            } else {
                c.outbound.consume(session.queueName);
                // The filter itself may wait too (its binding's commit, in a cluster).
                then.get().whenComplete((code, failed) -> answer.complete(failed == null ? code : null));
            }
        }));
        return answer;
    }

    /** What a waited-for step failed with, unwrapped from the future's CompletionException. */
    private static Throwable cause(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /**
     * The SUBACK code for a filter whose waited-for step failed: the engine's refusal as {@link #refused} translates
     * it, anything else Unspecified error (3.1.1 Failure) [MQTT-3.9.3-2], with its stack in the log.
     */
    private int failed(String filter, Throwable cause) {
        if (cause instanceof BrokerException e) {
            return refused(filter, e);
        }
        LOG.warn("SUBSCRIBE '{}' by '{}' failed", filter, c.clientId(), cause);
        return ReasonCode.UNSPECIFIED_ERROR.subAck(c.v5());
    }

    /** The SUBACK code for a filter the engine refused. */
    private int refused(String filter, BrokerException e) {
        if (e.kind() == ErrorKind.PRECONDITION_FAILED) {
            // The vhost's binding or queue limit, or the memory alarm.
            refusedByQuota(e.getMessage());
            return quotaExceeded();
        }
        LOG.warn("SUBSCRIBE '{}' by '{}' failed: {}", filter, c.clientId(), e.getMessage());
        return ReasonCode.UNSPECIFIED_ERROR.subAck(c.v5());
    }
}
