package dev.junction.mqtt;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Topic rights an external backend decides per request (HTTP topic_path): a PUBLISH or SUBSCRIBE whose topics have
 * no answer yet waits, with every packet after it, until the backend answered; nothing is read meanwhile. Owned by
 * the connection's event loop.
 */
final class TopicAnswerWait {
    private final MqttConnection c;
    /** Packets that arrived while a PUBLISH or SUBSCRIBE waits for topic answers; null when none waits. */
    private ArrayDeque<MqttMessage> waiting;

    TopicAnswerWait(MqttConnection c) {
        this.c = c;
    }

    /** True when {@code m} was kept for later: a packet waits already, or {@code m}'s topics need answers first. */
    boolean keep(MqttMessage m) {
        if (waiting != null) {
            waiting.add(ReferenceCountUtil.retain(m)); // in order, after the packet being decided
            return true;
        }
        if (!c.topics.asked()) {
            return false;
        }
        List<String> missing = c.topics.unanswered(m);
        if (missing.isEmpty()) {
            return false;
        }
        MqttMessage kept = ReferenceCountUtil.retain(m);
        waiting = new ArrayDeque<>();
        c.reading.congested();
        c.topics.ask(missing, c.ctx.executor()).whenComplete((v, e) -> {
            c.reading.relieved();
            ArrayDeque<MqttMessage> later = waiting;
            waiting = null;
            try {
                if (c.state == MqttConnection.State.CONNECTED) {
                    PacketDispatch.handle(c, kept, kept.fixedHeader().messageType());
                }
            } finally {
                ReferenceCountUtil.release(kept);
            }
            while (!later.isEmpty()) {
                MqttMessage h = later.poll();
                try {
                    if (waiting != null) {
                        waiting.add(ReferenceCountUtil.retain(h));
                    } else if (c.state == MqttConnection.State.CONNECTED) {
                        c.dispatch(h);
                    }
                } finally {
                    ReferenceCountUtil.release(h);
                }
            }
        });
        return true;
    }
}
