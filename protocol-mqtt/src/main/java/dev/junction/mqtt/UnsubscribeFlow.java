package dev.junction.mqtt;

import dev.junction.routing.api.BrokerException;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UNSUBSCRIBE: each filter's binding is removed (a shared subscription leaves its group), and UNSUBACK answers
 * with one code per filter in order [MQTT-3.10.4-4]. Answered at once: the binding's removal goes to
 * a cluster's metadata log after the node changed itself (docs/cluster.md, "MQTT sessions").
 */
final class UnsubscribeFlow {
    private static final Logger LOG = LoggerFactory.getLogger(UnsubscribeFlow.class);

    private UnsubscribeFlow() {
    }

    static void unsubscribe(MqttConnection c, MqttUnsubscribeMessage m) {
        int packetId = m.idAndPropertiesVariableHeader().messageId();
        List<String> filters = m.payload().topics();
        short[] codes = new short[filters.size()];
        for (int i = 0; i < codes.length; i++) {
            Subscriptions.Subscription s = c.session().subscriptions.remove(filters.get(i));
            if (s == null) {
                codes[i] = (short) ReasonCode.NO_SUBSCRIPTION_EXISTED.code();
                continue;
            }
            try {
                if (s.shared()) {
                    c.outbound.stopConsuming(s.queue());
                    c.server.shares.leave(s.queue(), c.clientId());
                    c.server.stored.persist(c.session());
                } else {
                    c.server.vhost.unbind(s.binding(c.server.config.exchange()), null);
                }
            } catch (BrokerException e) {
                LOG.warn("UNSUBSCRIBE '{}' by '{}' failed: {}", s.filter(), c.clientId(), e.getMessage());
            }
        }
        c.out.write(new MqttUnsubAckMessage(new MqttFixedHeader(MqttMessageType.UNSUBACK, false, MqttQoS.AT_MOST_ONCE,
                false, 0), new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
                new MqttUnsubAckPayload(codes)));
    }
}
