package dev.junction.conformance.mqtt;

import com.hivemq.client.mqtt.datatypes.MqttUtf8String;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientConfig;
import com.hivemq.client.mqtt.mqtt5.auth.Mqtt5EnhancedAuthMechanism;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5Auth;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5AuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5EnhancedAuth;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5EnhancedAuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5Connect;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5Disconnect;
import dev.junction.config.ScramMechanism;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SCRAM for the HiveMQ client's enhanced auth API: one exchange at a time (CONNECT, then each re-authentication),
 * accepting the server only when its server-final message proves it knew the secret.
 */
final class ScramAuthMechanism implements Mqtt5EnhancedAuthMechanism {
    private final ScramMechanism mechanism;
    private final String user;
    private final String password;
    private volatile ScramClient exchange;
    /** Exchanges the server proved itself in (CONNECT and re-authentications). */
    final AtomicInteger serverProofs = new AtomicInteger();

    ScramAuthMechanism(ScramMechanism mechanism, String user, String password) {
        this.mechanism = mechanism;
        this.user = user;
        this.password = password;
    }

    @Override
    public MqttUtf8String getMethod() {
        return MqttUtf8String.of(mechanism.saslName());
    }

    @Override
    public int getTimeout() {
        return 10;
    }

    @Override
    public CompletableFuture<Void> onAuth(Mqtt5ClientConfig config, Mqtt5Connect connect,
                                          Mqtt5EnhancedAuthBuilder auth) {
        exchange = new ScramClient(mechanism, user, password);
        auth.data(exchange.clientFirst());
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> onReAuth(Mqtt5ClientConfig config, Mqtt5AuthBuilder auth) {
        exchange = new ScramClient(mechanism, user, password);
        auth.data(exchange.clientFirst());
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Boolean> onContinue(Mqtt5ClientConfig config, Mqtt5Auth auth, Mqtt5AuthBuilder next) {
        next.data(exchange.clientFinal(bytes(auth.getData())));
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public CompletableFuture<Boolean> onAuthSuccess(Mqtt5ClientConfig config, Mqtt5ConnAck connAck) {
        return proved(connAck.getEnhancedAuth().flatMap(Mqtt5EnhancedAuth::getData));
    }

    @Override
    public CompletableFuture<Boolean> onReAuthSuccess(Mqtt5ClientConfig config, Mqtt5Auth auth) {
        return proved(auth.getData());
    }

    @Override
    public void onAuthRejected(Mqtt5ClientConfig config, Mqtt5ConnAck connAck) {
    }

    @Override
    public void onReAuthRejected(Mqtt5ClientConfig config, Mqtt5Disconnect disconnect) {
    }

    @Override
    public void onAuthError(Mqtt5ClientConfig config, Throwable cause) {
    }

    @Override
    public void onReAuthError(Mqtt5ClientConfig config, Throwable cause) {
    }

    private CompletableFuture<Boolean> proved(Optional<ByteBuffer> serverFinal) {
        boolean ok = serverFinal.isPresent() && exchange.serverProved(bytes(serverFinal));
        if (ok) {
            serverProofs.incrementAndGet();
        }
        return CompletableFuture.completedFuture(ok);
    }

    private static byte[] bytes(Optional<ByteBuffer> data) {
        ByteBuffer b = data.orElseThrow().duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
