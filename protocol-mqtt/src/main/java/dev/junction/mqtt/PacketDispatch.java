package dev.junction.mqtt;

import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;

/**
 * Where a connected client's packet goes, by type: PUBLISH and its acknowledgements to the packet flows
 * ({@link InboundPublish}, {@link Outbound}), SUBSCRIBE and UNSUBSCRIBE to {@link SubscribeFlow} once their shape is
 * checked ({@link SubscribeRules}), PINGREQ answered at once, DISCONNECT and AUTH to the connection's own parts. A
 * second CONNECT [MQTT-3.1.0-2] and packets only a server sends are protocol errors. Holds nothing of its own, so
 * a connection pays nothing for it.
 */
final class PacketDispatch {
    private PacketDispatch() {
    }

    /** Handles {@code m}, of {@code type}, for the connected client of {@code c}; on its event loop. */
    static void handle(MqttConnection c, MqttMessage m, MqttMessageType type) {
        switch (type) {
            case CONNECT -> c.violations.protocolError("second CONNECT [MQTT-3.1.0-2]");
            case PUBLISH -> c.inbound.publish((MqttPublishMessage) m);
            case PUBACK -> c.outbound.puback(messageId(m));
            case PUBREC -> c.outbound.pubrec(messageId(m), reasonOf(m));
            case PUBREL -> c.inbound.pubrel(messageId(m));
            case PUBCOMP -> c.outbound.pubcomp(messageId(m));
            case SUBSCRIBE -> admit(c, SubscribeRules.check((MqttSubscribeMessage) m, c.v5()),
                    () -> c.subscribeFlow().subscribe((MqttSubscribeMessage) m));
            case UNSUBSCRIBE -> admit(c, SubscribeRules.check((MqttUnsubscribeMessage) m, c.v5()),
                    () -> UnsubscribeFlow.unsubscribe(c, (MqttUnsubscribeMessage) m));
            case PINGREQ -> c.out.write(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGRESP, false,
                    MqttQoS.AT_MOST_ONCE, false, 0)));
            case DISCONNECT -> c.disconnect(m);
            case AUTH -> c.login.afterConnack(m);
            default -> c.violations.protocolError("a client must not send " + type);
        }
    }

    private static void admit(MqttConnection c, PacketShape.Problem problem, Runnable handle) {
        if (problem == null) {
            handle.run();
        } else {
            c.violations.violation(problem.reason(), problem.code());
        }
    }

    private static int messageId(MqttMessage m) {
        return ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
    }

    private static int reasonOf(MqttMessage m) {
        return m.variableHeader() instanceof MqttPubReplyMessageVariableHeader h ? h.reasonCode() & 0xFF : 0;
    }
}
