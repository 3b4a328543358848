package dev.junction.storage;

/**
 * Messages held for later, by due time: the entries (due time in epoch milliseconds, message id) of one holder (a
 * delayed exchange), ordered by due time and then id. The messages themselves are stored under the holder's
 * {@link QueueKey} like any queue's; the index only says when each is due, so that a holder can keep a small
 * window of the earliest entries on the heap and read the next ones as the window drains.
 *
 * <p>The message store stays the record of what is held: an entry whose message the store no longer has was
 * released already, and an entry {@link #add noted} but lost in a crash is found again from the store at start
 * (the holder compares {@link #ids} with the store's ids). So the index needs no fsync of its own, and a write to it
 * never delays a publisher's confirm.
 *
 * <p>One caller at a time: the holder's own thread. Unlike the {@link MessageStore} itself, an index is not
 * safe for concurrent calls.
 */
public interface TimeIndex {

    /** Notes that message {@code id} is due at {@code dueAt}; visible to {@link #next} after {@link #flush}. */
    void add(long dueAt, long id);

    /** Writes out what {@link #add} noted (not forced to disk, see above). */
    void flush();

    /**
     * Up to {@code max} entries after ({@code afterDue}, {@code afterId}) in order, as pairs
     * {@code [due0, id0, due1, id1, ...]}; fewer when the index holds no more.
     */
    long[] next(long afterDue, long afterId, int max);

    /**
     * Says that every entry due before {@code dueAt} has been released, so the index may forget them (it does so
     * in whole time buckets; entries it keeps are released already and skipped by the holder).
     */
    void releasedBefore(long dueAt);

    /** The ids of every entry, in no particular order; for the start-up comparison with the store. */
    long[] ids();

    /** Forgets every entry (the holder is gone). */
    void clear();
}
