package dev.junction.storage.log;

import java.util.List;

/**
 * The index as the store's parts reach it: the writer tells it where records landed and what it wrote, compaction
 * asks which records are live, and a reader whose segment was deleted under it asks where a message is now. Each
 * call takes the store's lock for its own duration; no part holds the store itself.
 */
interface MessageLocations {

    /** Counts or uncounts one MESSAGE record as live in a segment. */
    interface LiveCounter {
        void count(Segment s, int payloadLength);
    }

    /** Called by the writer once a message's record is appended. */
    void located(long id, Segment segment, long offset, int length);

    /**
     * Called by the writer once a removal that dropped the last references of {@code ids} is appended: forgets
     * them, telling {@code uncount} the segment and payload length each was counted in.
     */
    void free(long[] ids, LiveCounter uncount);

    /** Called by the writer for the written payloads it stops caching; reads go to the disk from then on. */
    void evict(long[] ids, int n);

    /**
     * Called by compaction: of the records {@code found} in {@code segment}, those that still hold a live message,
     * each with the queues that reference it at this instant. Every command queued before this call is already in
     * that answer, so the copies may be written ahead of those still waiting: replaying a waiting removal after a
     * copy that no longer lists its queue changes nothing. {@code enqueuedOut[0]} receives how many commands were
     * queued at that instant.
     */
    List<Compactor.Copy> liveCopies(Segment segment, List<Compactor.Found> found, long[] enqueuedOut);

    /** Called by compaction once the copies are in the file: readers find the messages there from now on. */
    void moved(List<Compactor.Copy> copies);

    /** Where to read message {@code id} now (a reader whose segment was deleted under it asks again). */
    Pick locate(long id);
}
