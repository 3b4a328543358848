package dev.junction.storage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Small helpers shared by the parts of the store contract. */
public final class ContractSupport {

    static final long TIMEOUT_SECONDS = 10;

    public static final QueueKey ORDERS = new QueueKey("/", "orders");
    public static final QueueKey AUDIT = new QueueKey("/", "audit");
    public static final QueueKey ORDERS_IN_OTHER_VHOST = new QueueKey("other", "orders");

    private ContractSupport() {
    }

    public static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("store future did not complete normally", e);
        }
    }

    public static StoredMessage message(long id) {
        return new StoredMessage(id, bytes("m" + id));
    }

    public static Definition definition(DefinitionKind kind, String vhost, String name, String data) {
        return new Definition(kind, vhost, name, bytes(data));
    }

    public static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    public static String text(byte[] data) {
        return new String(data, StandardCharsets.UTF_8);
    }

    public static List<String> describe(List<Definition> definitions) {
        return definitions.stream().map(d -> d.kind() + " " + d.vhost() + d.name() + "=" + text(d.data())).toList();
    }

    public static List<String> describeRetained(List<RetainedMessage> messages) {
        return messages.stream().map(m -> m.vhost() + " " + m.topic() + "=" + text(m.data())).toList();
    }

    public static List<String> describeSessions(List<SessionStore.Session> sessions) {
        return sessions.stream().map(s -> s.vhost() + " " + s.clientId() + "=" + text(s.data())).toList();
    }

    public static List<Long> ids(List<StoredMessage> messages) {
        return messages.stream().map(StoredMessage::id).toList();
    }

    /** Each message as "id:text". */
    public static List<String> texts(List<StoredMessage> messages) {
        return messages.stream().map(m -> m.id() + ":" + text(m.data())).toList();
    }

    /** Every id {@code queue} holds, read a page at a time. */
    public static List<Long> readAll(MessageStore store, QueueKey queue) {
        List<Long> all = new ArrayList<>();
        long after = 0;
        List<StoredMessage> page;
        while (!(page = store.read(queue, after, 64)).isEmpty()) {
            all.addAll(ids(page));
            after = page.get(page.size() - 1).id();
        }
        return all;
    }
}
