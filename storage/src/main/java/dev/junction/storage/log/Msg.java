package dev.junction.storage.log;

/**
 * A message on its way to disk: the MESSAGE payload (id, queue ids, body) that the writer appends and then keeps
 * in its cache for a while. Once written, where the record is lives in the {@link MessageTable}, not here.
 */
final class Msg {

    final long id;
    final byte[] payload;

    Msg(long id, byte[] payload) {
        this.id = id;
        this.payload = payload;
    }

    int payloadLength() {
        return payload.length;
    }
}
