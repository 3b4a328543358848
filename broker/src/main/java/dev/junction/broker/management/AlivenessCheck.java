package dev.junction.broker.management;

import dev.junction.config.VhostPermission;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.api.PublishResult;
import dev.junction.routing.api.QueueSpec;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * RabbitMQ's {@code GET /api/aliveness-test/{vhost}}: declares the queue {@code aliveness-test} (transient, kept
 * afterwards, so that a probe every few seconds does not create and delete a queue each time), publishes
 * {@code test_message} to it through the default exchange and takes it back with a get without acknowledgement.
 * 200 {@code {"status":"ok"}} when the message came back, else 503 {@code {"status":"failed","reason":...}}
 * (RabbitMQ's health-check failure status).
 *
 * <p>Rights as in RabbitMQ, whose check runs on an AMQP channel of the calling user: a management user with access
 * to the vhost (its tag alone is not enough, not even {@code administrator}), and the permissions those AMQP
 * operations need: configure and read on {@code aliveness-test}, write on the default exchange
 * ({@code amq.default}).
 */
final class AlivenessCheck {
    static final String QUEUE = "aliveness-test";
    private static final byte[] PAYLOAD = "test_message".getBytes(StandardCharsets.UTF_8);

    private final RoutingEngine engine;

    AlivenessCheck(RoutingEngine engine) {
        this.engine = engine;
    }

    ApiResponse route(ApiRequest r, Caller caller) {
        if (r.size() != 2) {
            throw ApiError.notFound();
        }
        if (!r.is("GET") && !r.is("HEAD")) {
            throw ApiError.methodNotAllowed();
        }
        VirtualHost v = engine.vhost(r.segment(1)).orElseThrow(ApiError::notFound);
        VhostPermission p = caller.user().permissionsFor(v.name())
                .orElseThrow(() -> ApiError.notAuthorised("Access refused."));
        if (!p.canConfigure(QUEUE) || !p.canWrite("amq.default") || !p.canRead(QUEUE)) {
            throw ApiError.notAuthorised("access to " + QUEUE + " in vhost '" + v.name() + "' refused for user '"
                    + caller.name() + "'");
        }
        caller.check(caller.rights(engine, v.name()).queueRefusal(QUEUE));
        v.declareQueue(new QueueSpec(QUEUE, false, false, false, Map.of()), null, false);
        PublishResult published = v.publish(new Message("", QUEUE, MessageProperties.builder().build(), PAYLOAD),
                true);
        if (!published.routed() || !Boolean.TRUE.equals(EntityResource.await(published.confirmed()))) {
            return failed("aliveness-test queue did not take the message");
        }
        Delivery d = EntityResource.await(v.usableQueue(QUEUE, null).get(true));
        if (d == null) {
            return failed("aliveness-test queue is empty");
        }
        return ApiResponse.ok(Map.of("status", "ok"));
    }

    private static ApiResponse failed(String reason) {
        return ApiResponse.json(503, Map.of("status", "failed", "reason", reason));
    }
}
