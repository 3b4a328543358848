package dev.junction.broker.management;

import dev.junction.routing.VirtualHost;
import dev.junction.routing.stream.Stream;

/**
 * The queue verbs of the API that a stream refuses, answered as RabbitMQ 3.10.8's management plugin answers them
 * (observed): {@code POST /api/queues/{vhost}/{name}/get} is 400 {@code bad_request} with the reason {@code 540
 * basic.get not supported by stream queues queue 'name' in vhost '/'} (the AMQP refusal with its code), and
 * {@code DELETE /api/queues/{vhost}/{name}/contents} is 400 {@code bad_request} with {@code queue.purge not
 * supported by stream queues queue 'name' in vhost '/'} (without one).
 */
final class StreamRequests {
    private StreamRequests() {
    }

    /** Throws the 400 when {@code name} is a stream; a classic queue goes on to the get. */
    static void refuseGet(VirtualHost v, String name) {
        Stream s = v.streams().get(name);
        if (s != null) {
            throw ApiError.badRequest("540 " + s.getRefused().getMessage());
        }
    }

    /** Throws the 400 when {@code name} is a stream; a classic queue goes on to the purge. */
    static void refusePurge(VirtualHost v, String name) {
        Stream s = v.streams().get(name);
        if (s != null) {
            throw ApiError.badRequest(s.purgeRefused().getMessage());
        }
    }
}
