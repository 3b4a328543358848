package dev.junction.storage.log;

import dev.junction.storage.RetainedMessage;
import dev.junction.storage.RetainedStore;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** The {@link RetainedStore} of a {@link LogMessageStore}, kept in its metadata log. */
final class LogRetainedStore implements RetainedStore {

    // Logs as the writer: these are its messages, and log settings select them by its name.
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LogWriter.class);

    private final MetaAccess meta;
    private final MetaReader reader;

    LogRetainedStore(MetaAccess meta, MetaReader reader) {
        this.meta = meta;
        this.reader = reader;
    }

    @Override
    public CompletableFuture<Void> put(RetainedMessage m) {
        Objects.requireNonNull(m, "message");
        String vhost = Objects.requireNonNull(m.vhost(), "vhost");
        String topic = Objects.requireNonNull(m.topic(), "topic");
        byte[] data = Objects.requireNonNull(m.data(), "data");
        return meta.change(Records.RETAINED_PUT, new MetaState.RetainedKey(vhost, topic),
                MetaState.pairPut(vhost, topic, data));
    }

    @Override
    public CompletableFuture<Void> delete(String vhost, String topic) {
        Objects.requireNonNull(vhost, "vhost");
        Objects.requireNonNull(topic, "topic");
        return meta.change(Records.RETAINED_DELETE, new MetaState.RetainedKey(vhost, topic),
                MetaState.pairDelete(vhost, topic));
    }

    @Override
    public List<RetainedMessage> all() {
        List<RetainedMessage> all = new java.util.ArrayList<>();
        for (MetaState.RetainedKey key : meta.read(MetaState::retainedKeys)) {
            RetainedMessage m = read(key);
            if (m != null) {
                all.add(m);
            }
        }
        return all;
    }

    @Override
    public List<Entry> index() {
        return meta.read(MetaState::retainedIndex);
    }

    @Override
    public java.util.Optional<RetainedMessage> get(String vhost, String topic) {
        MetaState.RetainedKey key = new MetaState.RetainedKey(Objects.requireNonNull(vhost, "vhost"),
                Objects.requireNonNull(topic, "topic"));
        return java.util.Optional.ofNullable(read(key));
    }

    /**
     * The message from its payload while that is on the heap, else read back from the log, without the lock. A
     * compaction may move it meanwhile: then the place is asked for again.
     */
    private RetainedMessage read(MetaState.RetainedKey key) {
        MetaState.RetainedLookup at = meta.read(m -> m.lookupRetained(key));
        for (int attempt = 0; at != null; attempt++) {
            if (at.payload() != null) {
                return MetaState.retainedMessage(key, at.payload());
            }
            try {
                return MetaState.retainedMessage(key,
                        reader.read(at.metaNumber(), at.offset(), at.length(), Records.RETAINED_PUT));
            } catch (java.io.IOException e) {
                MetaState.RetainedLookup now = meta.read(m -> m.lookupRetained(key));
                if (attempt > 0 || now == null || now.equals(at)) {
                    if (now != null) {
                        LOG.error("cannot read the retained message of '{}' in vhost '{}' back: {}", key.topic(),
                                key.vhost(), e.toString());
                    }
                    return null;
                }
                at = now;
            }
        }
        return null;
    }
}
