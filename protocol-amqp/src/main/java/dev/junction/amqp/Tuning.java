package dev.junction.amqp;

/**
 * The limits connection.tune-ok settled [AMQP 0-9-1 connection.tune-ok]: the largest frame either side may send,
 * the highest channel number the client may open, and the heartbeat interval in seconds (0: no heartbeats). A zero
 * frame-max or channel-max from the client means "the server's offer" and is already resolved here.
 */
record Tuning(int frameMax, int channelMax, int heartbeatSeconds) {
}
