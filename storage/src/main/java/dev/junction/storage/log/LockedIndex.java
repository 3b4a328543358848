package dev.junction.storage.log;

import java.util.List;

/**
 * The store's {@link MessageIndex} as the writer, compaction and readers reach it: each call takes the store's
 * lock for its own duration.
 */
final class LockedIndex implements MessageLocations {

    private final StoreLock lock;
    private final MessageIndex index;

    LockedIndex(StoreLock lock, MessageIndex index) {
        this.lock = lock;
        this.index = index;
    }

    @Override
    public void located(long id, Segment segment, long offset, int length) {
        lock.run(() -> index.located(id, segment, offset, length));
    }

    @Override
    public void free(long[] ids, LiveCounter uncount) {
        lock.run(() -> index.free(ids, uncount));
    }

    @Override
    public void evict(long[] ids, int n) {
        lock.run(() -> index.evict(ids, n));
    }

    @Override
    public List<Compactor.Copy> liveCopies(Segment segment, List<Compactor.Found> found, long[] enqueuedOut) {
        return lock.locked(() -> {
            enqueuedOut[0] = lock.commands.enqueued();
            return index.liveCopies(segment, found);
        });
    }

    @Override
    public void moved(List<Compactor.Copy> copies) {
        lock.run(() -> index.moved(copies));
    }

    @Override
    public Pick locate(long id) {
        return lock.locked(() -> index.pick(id));
    }
}
