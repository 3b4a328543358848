package dev.junction.amqp10;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.qpid.proton.amqp.Binary;

/**
 * The transactions a connection declared on its coordinator links, by their {@code txn-id}, so that transfers and
 * dispositions on any of its links can name them [AMQP 1.0 part 4 section 4.5]. A transaction ends with its
 * discharge, or with the connection (rolled back). Event-loop only.
 */
final class Transactions {
    /** Open transactions a connection may hold at once. */
    static final int MAX_OPEN = 64;
    private final Map<Binary, Transaction> open = new HashMap<>();
    private long next;

    Binary declare() {
        if (open.size() >= MAX_OPEN) {
            throw Refusal.link(Condition.RESOURCE_LIMIT_EXCEEDED, "more than " + MAX_OPEN + " open transactions");
        }
        Binary id = new Binary(Long.toString(next++, 36).getBytes(StandardCharsets.US_ASCII));
        open.put(id, new Transaction());
        return id;
    }

    /** The open transaction {@code id}; {@code amqp:transaction:unknown-id} otherwise. */
    Transaction get(Binary id) {
        Transaction t = id == null ? null : open.get(id);
        if (t == null) {
            throw Refusal.link(Condition.TRANSACTION_UNKNOWN_ID, "no open transaction " + id);
        }
        return t;
    }

    /** Ends {@code id}: the discharge takes it. */
    Transaction end(Binary id) {
        Transaction t = get(id);
        open.remove(id);
        return t;
    }

    /** The connection ended: what was not committed is not. */
    void clear() {
        open.values().forEach(Transaction::discard);
        open.clear();
    }
}
