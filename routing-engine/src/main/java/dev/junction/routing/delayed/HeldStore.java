package dev.junction.routing.delayed;

import dev.junction.routing.api.Message;
import dev.junction.storage.MessageStore;
import dev.junction.storage.QueueKey;
import dev.junction.storage.StoredMessage;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Where a durable delayed exchange keeps its persistent held messages: the message store as it is, under a queue
 * key of its own, {@code amq.delayed/<exchange>}. No client can declare a queue by that name ({@code amq.} is
 * reserved), so the key is never a queue: nothing routes to it and no listing shows it. Each record is the due
 * time (8 bytes, epoch milliseconds) followed by the encoded message as it is to be released. The store fsyncs it
 * like any queue's message, pages it like any other and reclaims it once removed; at start the time index is
 * rebuilt from the due times ({@link #recover}).
 */
public final class HeldStore {
    private static final String PREFIX = "amq.delayed/";
    private static final int RECOVERY_PAGE = 1024;

    private final MessageStore store;
    private final QueueKey key;
    private final LongSupplier ids;
    private final Function<Message, byte[]> encode;
    private final Function<byte[], Message> decode;

    /**
     * @param ids the engine's message ids, increasing across restarts
     * @param encode the engine's message encoding, {@code decode} its inverse
     */
    public HeldStore(MessageStore store, String vhost, String exchange, LongSupplier ids,
                     Function<Message, byte[]> encode, Function<byte[], Message> decode) {
        this.store = store;
        this.key = new QueueKey(vhost, PREFIX + exchange);
        this.ids = ids;
        this.encode = encode;
        this.decode = decode;
    }

    /** The exchange whose held messages a stored queue key holds, or null when the key is an ordinary queue's. */
    public static String exchangeOf(QueueKey key) {
        return key.name().startsWith(PREFIX) ? key.name().substring(PREFIX.length()) : null;
    }

    long nextId() {
        return ids.getAsLong();
    }

    /** Writes {@code message}, due at {@code dueAt}; the future completes once it is durable. */
    CompletableFuture<Void> append(long id, long dueAt, Message message) {
        byte[] encoded = encode.apply(message);
        byte[] data = ByteBuffer.allocate(Long.BYTES + encoded.length).putLong(dueAt).put(encoded).array();
        return store.append(new StoredMessage(id, data), List.of(key));
    }

    /** The held message with {@code id}, or null when the store no longer has it. */
    Message read(long id) {
        List<StoredMessage> found = store.read(key, new long[] {id});
        if (found.isEmpty()) {
            return null;
        }
        byte[] data = found.get(0).data();
        byte[] encoded = new byte[data.length - Long.BYTES];
        System.arraycopy(data, Long.BYTES, encoded, 0, encoded.length);
        return decode.apply(encoded);
    }

    void remove(long id) {
        store.remove(key, id);
    }

    /** Forgets every held message (the exchange was deleted). */
    void drop() {
        store.removeQueue(key);
    }

    /** Reports every stored message's due time and id, in id order; reads each record's first 8 bytes only. */
    long recover(DelayedMessages into) {
        long after = 0;
        long n = 0;
        List<StoredMessage> page;
        while (!(page = store.read(key, after, RECOVERY_PAGE)).isEmpty()) {
            for (StoredMessage m : page) {
                into.restore(ByteBuffer.wrap(m.data()).getLong(), m.id());
                after = m.id();
                n++;
            }
        }
        return n;
    }
}
