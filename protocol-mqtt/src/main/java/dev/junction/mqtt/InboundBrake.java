package dev.junction.mqtt;

/**
 * The inbound window of an MQTT 3.1 or 3.1.1 connection. Those protocols have no Receive Maximum: the client is
 * never told the server's limit, so exceeding it is no error of the client's and is not answered with a
 * disconnect (MQTT 5's DISCONNECT 0x93 [MQTT-3.3.4-7] stays for MQTT 5). Instead, once {@code mqtt.receive_maximum}
 * QoS 1/2 publishes wait for their PUBACK or PUBREC, the socket stops being read, through the connection's read
 * gate like the memory alarm and the congested-queue brake, and TCP slows the client; reading resumes once half
 * of them are answered, so the gate does not flap with every acknowledgement.
 *
 * <p>Nothing is buffered for this: packets already decoded from the socket read in progress when the gate closed
 * are still handled, so the window is exceeded by at most one read (Netty's read loop stops as soon as reading is
 * turned off, and a read is at most 64 KiB with the default allocator). Owned by the connection's event loop.
 */
final class InboundBrake {
    private final MqttConnection c;
    private final int window;
    private boolean braking;

    InboundBrake(MqttConnection c, int window) {
        this.c = c;
        this.window = window;
    }

    /** A QoS 1/2 publish is owed an answer; {@code unanswered} are owed now. */
    void owed(int unanswered) {
        if (!braking && unanswered >= window) {
            braking = true;
            c.reading.congested();
        }
    }

    /** Answers went out; {@code unanswered} are still owed. */
    void answered(int unanswered) {
        if (braking && unanswered <= window / 2) {
            braking = false;
            c.reading.relieved();
        }
    }
}
