package dev.junction.routing.api;

import dev.junction.routing.queue.DeadLetters;

/** Why a queue let a message go, as {@link Vhost#onDropped} reports it (RabbitMQ's dead-letter reasons). */
public final class DropReasons {
    /** Settled with reject or nack and requeue=false. */
    public static final String REJECTED = DeadLetters.REJECTED;
    /** Its time to live ran out. */
    public static final String EXPIRED = DeadLetters.EXPIRED;
    /** The queue was full ({@code x-max-length}, {@code x-max-length-bytes}) and dropped it. */
    public static final String MAXLEN = DeadLetters.MAXLEN;

    private DropReasons() {
    }
}
