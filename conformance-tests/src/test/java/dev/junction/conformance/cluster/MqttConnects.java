package dev.junction.conformance.cluster;

import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;

/**
 * CONNECTs to a cluster node as a device makes them: again while the node answers Server unavailable (MQTT 5 0x88,
 * 3.1.1 return code 3: no metadata leader yet, or a claim it could not commit, as during an election or just after a
 * node rejoined), each given up to 60 s, since in a cluster the CONNACK waits for the client id's claim to commit
 * and a busy machine stretches that past any short limit (the broker's own limit on it is 30 s).
 */
public final class MqttConnects {
    private MqttConnects() {
    }

    /** Sends one CONNECT; the future completes with the CONNACK or fails with the client's exception. */
    @FunctionalInterface
    public interface Connect {
        CompletableFuture<?> send();
    }

    /** Connects until a CONNACK accepts, with {@link ProcessCluster#await}'s deadline over all the attempts. */
    public static void untilAccepted(Connect connect) throws Exception {
        ProcessCluster.await("a CONNACK that accepts", () -> {
            try {
                connect.send().get(60, TimeUnit.SECONDS);
                return true;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Mqtt5ConnAckException a
                        && a.getMqttMessage().getReasonCode() == Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE
                        || e.getCause() instanceof Mqtt3ConnAckException b
                        && b.getMqttMessage().getReturnCode() == Mqtt3ConnAckReturnCode.SERVER_UNAVAILABLE) {
                    Thread.sleep(200);
                    return false;
                }
                throw e;
            }
        });
    }

    /** The same with Paho (3.1.1); returns the accepting CONNACK's Session Present. */
    public static boolean untilAccepted(MqttClient client, MqttConnectOptions options) throws Exception {
        AtomicBoolean present = new AtomicBoolean();
        ProcessCluster.await("a CONNACK that accepts", () -> {
            try {
                present.set(client.connectWithResult(options).getSessionPresent());
                return true;
            } catch (MqttException e) {
                if (e.getReasonCode() == MqttException.REASON_CODE_BROKER_UNAVAILABLE) {
                    Thread.sleep(200);
                    return false;
                }
                throw e;
            }
        });
        return present.get();
    }
}
