package dev.junction.storage.log;

import dev.junction.storage.QueueKey;

/** A queue's references, and the id its records use on disk. */
final class QueueState {

    final QueueKey key;
    /** Unique for the life of the store instance; records name the queue by it after a QUEUE_NAME record. */
    final int id;
    final IdList ids = new IdList();
    /** Writer only: the segment whose QUEUE_NAME record for this id was last written. */
    long declaredIn = -1;

    QueueState(QueueKey key, int id) {
        this.key = key;
        this.id = id;
    }
}
