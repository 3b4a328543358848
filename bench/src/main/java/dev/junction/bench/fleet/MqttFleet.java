package dev.junction.bench.fleet;

import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Many MQTT 3.1.1 devices in one process, each its own HiveMQ client (they share the library's Netty event loops),
 * connected with a clean session. Connections are spread over several local source addresses ({@code 127.0.0.2},
 * {@code 127.0.0.3}, …): repeated runs of thousands of connections to one port would otherwise run out of ephemeral
 * ports while earlier runs' sockets sit in TIME_WAIT. At most {@code concurrency} handshakes are under way at once,
 * so the broker sees a fleet coming online, not a SYN flood.
 */
final class MqttFleet implements AutoCloseable {
    private final List<Mqtt3AsyncClient> clients;
    private final List<Integer> ids;

    private MqttFleet(List<Mqtt3AsyncClient> clients, List<Integer> ids) {
        this.clients = clients;
        this.ids = ids;
    }

    /**
     * Connects devices {@code first .. first + count - 1} with client ids {@code prefix + n}; {@code afterConnect}
     * runs for each once it is connected (a subscription, say) and the device counts as online when it completes.
     */
    static MqttFleet connect(Args.Endpoint broker, String prefix, int first, int count, String[] sources,
            String user, String password, int concurrency, Function<Device, CompletableFuture<?>> afterConnect)
            throws InterruptedException {
        List<Mqtt3AsyncClient> clients = new ArrayList<>(count);
        List<Integer> ids = new ArrayList<>(count);
        Semaphore handshakes = new Semaphore(concurrency);
        AtomicInteger failures = new AtomicInteger();
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            int id = first + i;
            handshakes.acquire();
            var transport = com.hivemq.client.mqtt.MqttClientTransportConfig.builder()
                    .serverHost(broker.host()).serverPort(broker.port())
                    .mqttConnectTimeout(60, TimeUnit.SECONDS).socketConnectTimeout(60, TimeUnit.SECONDS);
            if (sources.length > 0) {
                transport = transport.localAddress(sources[i % sources.length]);
            }
            Mqtt3AsyncClient c = Mqtt3Client.builder().identifier(prefix + id).transportConfig(transport.build())
                    .buildAsync();
            clients.add(c);
            ids.add(id);
            c.connectWith().cleanSession(true).keepAlive(60)
                    .simpleAuth().username(user).password(password.getBytes()).applySimpleAuth()
                    .send()
                    .thenCompose(ack -> afterConnect.apply(new Device(id, c)))
                    .whenComplete((r, e) -> {
                        if (e != null) {
                            failures.incrementAndGet();
                            firstFailure.compareAndSet(null, e);
                        }
                        handshakes.release();
                    });
            if ((i + 1) % 2000 == 0) {
                System.err.printf("  %d devices connecting, %.1f s%n", i + 1, (System.nanoTime() - start) / 1e9);
            }
        }
        handshakes.acquire(concurrency);
        handshakes.release(concurrency);
        System.out.printf("fleet online devices=%d failed=%d seconds=%.1f%n", count - failures.get(), failures.get(),
                (System.nanoTime() - start) / 1e9);
        if (failures.get() > 0) {
            MqttFleet partial = new MqttFleet(clients, ids);
            partial.close();
            throw new IllegalStateException(failures.get() + " devices failed to come online", firstFailure.get());
        }
        return new MqttFleet(clients, ids);
    }

    int size() {
        return clients.size();
    }

    Device device(int index) {
        return new Device(ids.get(index), clients.get(index));
    }

    @Override
    public void close() {
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (Mqtt3AsyncClient c : clients) {
            closing.add(c.disconnect().exceptionally(e -> null));
        }
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("  disconnect: " + e);
        }
    }

    /** One device: its number (in its topics) and its client. */
    record Device(int id, Mqtt3AsyncClient client) {
    }

    /** {@code 127.0.0.B .. 127.0.0.(B + N - 1)}, or no fixed source when N is 0. */
    static String[] loopbackSources(int base, int n) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = "127.0.0." + (base + i);
        }
        return out;
    }
}
