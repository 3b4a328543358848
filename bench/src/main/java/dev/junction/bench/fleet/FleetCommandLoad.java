package dev.junction.bench.fleet;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The fleet command path: DEVICES MQTT devices, each subscribed with QoS 1 to its own {@code devices/<id>/commands}
 * and to the broadcast topic {@code devices/all/commands}; then, per round, a service sends one command to every
 * device, and one broadcast that every device receives. Prints one {@code round} line per send: how long the service
 * took to send, the time from the first send until the <em>last</em> device had its message, and the per-device
 * latency p50 / p99.
 *
 * <p>{@code publishers} lists the services, each sending its rounds in turn to the same connected fleet.
 * {@code amqp}: the service is an AMQP 0-9-1 client (stock Java client) publishing persistent messages
 * to {@code amq.topic} with routing keys {@code devices.<id>.commands} / {@code devices.all.commands}, with publisher
 * confirms (awaited after the round, not timed), as a backend next to Junction or RabbitMQ's MQTT plugin would.
 * {@code mqtt}: an MQTT client publishing QoS 1 to the same topics, for brokers without AMQP (Mosquitto).
 * {@code kinds=unicast,broadcast} chooses what a round sends.
 *
 * <pre>java -cp benchmarks.jar dev.junction.bench.fleet.FleetCommandLoad mqtt=HOST:PORT [amqp=HOST:PORT]
 *      [publishers=amqp,mqtt] [devices=10000] [rounds=3] [kinds=unicast,broadcast]</pre>
 */
public final class FleetCommandLoad {
    private static final String BROADCAST = "all";

    private FleetCommandLoad() {
    }

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv);
        Args.Endpoint mqtt = a.endpoint("mqtt", "127.0.0.1:1883");
        Args.Endpoint amqp = a.endpoint("amqp", "127.0.0.1:5672");
        String publishers = a.string("publishers", "amqp");
        String user = a.string("user", "guest");
        String password = a.string("password", "guest");
        int devices = a.integer("devices", 10_000);
        int first = a.integer("first", 0);
        String[] sources = MqttFleet.loopbackSources(a.integer("source_base", 2), a.integer("sources", 4));
        int concurrency = a.integer("connect_concurrency", 100);
        int rounds = a.integer("rounds", 3);
        String kinds = a.string("kinds", "unicast,broadcast");
        int size = a.integer("size", 64);
        int timeout = a.integer("timeout_seconds", 120);
        a.checkAllUsed();
        System.out.println("# FleetCommandLoad " + a.describe());

        AtomicReference<CommandRound> current = new AtomicReference<>(new CommandRound(-1, devices));
        List<Service> services = new ArrayList<>();
        try (MqttFleet fleet = MqttFleet.connect(mqtt, "fleet-c-", first, devices, sources, user, password,
                concurrency, d -> subscribe(d, first, current))) {
            for (String p : publishers.split(",")) {
                services.add(p.equals("mqtt") ? new MqttService(mqtt, user, password)
                        : new AmqpService(amqp, user, password));
            }
            long round = 0;
            for (int r = 0; r < rounds; r++) {
                for (Service service : services) {
                    for (String kind : kinds.split(",")) {
                        CommandRound cr = new CommandRound(++round, devices);
                        current.set(cr);
                        Pacer.sleepSeconds(1);
                        long start = System.nanoTime();
                        if (kind.equals("broadcast")) {
                            service.send("devices/" + BROADCAST + "/commands", stamp(cr.round(), size));
                        } else {
                            for (int i = 0; i < devices; i++) {
                                service.send("devices/" + (first + i) + "/commands", stamp(cr.round(), size));
                            }
                        }
                        double publishSeconds = (System.nanoTime() - start) / 1e9;
                        cr.await(timeout);
                        System.out.println(cr.format(service.name() + "-" + kind, start, publishSeconds));
                        service.settle();
                    }
                }
            }
        } finally {
            for (Service s : services) {
                s.close();
            }
        }
        System.exit(0);
    }

    /** Both filters in one SUBSCRIBE; the device reports to whichever round is current when a message arrives. */
    private static CompletableFuture<?> subscribe(MqttFleet.Device d, int first,
            AtomicReference<CommandRound> current) {
        int index = d.id() - first;
        d.client().publishes(MqttGlobalPublishFilter.ALL, p -> {
            byte[] body = p.getPayloadAsBytes();
            current.get().arrived(index, Stamp.seq(body), Stamp.micros(body));
        });
        return d.client().subscribeWith()
                .addSubscription().topicFilter("devices/" + d.id() + "/commands").qos(MqttQos.AT_LEAST_ONCE)
                .applySubscription()
                .addSubscription().topicFilter("devices/" + BROADCAST + "/commands").qos(MqttQos.AT_LEAST_ONCE)
                .applySubscription()
                .send();
    }

    /** The round number where the telemetry tool has its sequence number; the send time after it. */
    private static byte[] stamp(long round, int size) {
        return Stamp.payload(round, Stamp.nowMicros(), size);
    }

    /** The commanding service: sends to an MQTT topic name, however its protocol spells it. */
    private interface Service extends AutoCloseable {
        String name();

        void send(String topic, byte[] payload) throws Exception;

        /** Waits until the broker has taken everything sent (confirms, PUBACKs); not part of the timing. */
        void settle() throws Exception;
    }

    private static final class AmqpService implements Service {
        private static final AMQP.BasicProperties PERSISTENT = new AMQP.BasicProperties.Builder().deliveryMode(2)
                .build();
        private final Connection connection;
        private final Channel channel;

        AmqpService(Args.Endpoint broker, String user, String password) throws Exception {
            ConnectionFactory f = new ConnectionFactory();
            f.setHost(broker.host());
            f.setPort(broker.port());
            f.setUsername(user);
            f.setPassword(password);
            connection = f.newConnection("fleet-command-service");
            channel = connection.createChannel();
            channel.confirmSelect();
        }

        @Override
        public String name() {
            return "amqp";
        }

        @Override
        public void send(String topic, byte[] payload) throws Exception {
            channel.basicPublish("amq.topic", topic.replace('/', '.'), PERSISTENT, payload);
        }

        @Override
        public void settle() throws Exception {
            channel.waitForConfirmsOrDie(60_000);
        }

        @Override
        public void close() throws Exception {
            connection.close();
        }
    }

    /**
     * At most 100 QoS 1 publishes unacknowledged, as a device library would keep: MQTT 3.1.1 sets no limit, but
     * Junction closes a 3.1.1 client with more than {@code mqtt.receive_maximum} (100) unanswered.
     */
    private static final class MqttService implements Service {
        private final Mqtt3AsyncClient client;
        private final Semaphore window = new Semaphore(100);
        private CompletableFuture<?> last = CompletableFuture.completedFuture(null);

        MqttService(Args.Endpoint broker, String user, String password) throws Exception {
            client = Mqtt3Client.builder().identifier("fleet-command-service").serverHost(broker.host())
                    .serverPort(broker.port()).buildAsync();
            client.connectWith().cleanSession(true).simpleAuth().username(user).password(password.getBytes())
                    .applySimpleAuth().send().get(30, TimeUnit.SECONDS);
        }

        @Override
        public String name() {
            return "mqtt";
        }

        @Override
        public void send(String topic, byte[] payload) {
            window.acquireUninterruptibly();
            last = client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(ByteBuffer.wrap(payload))
                    .send().whenComplete((r, e) -> window.release());
        }

        @Override
        public void settle() throws Exception {
            last.get(60, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            client.disconnect().get(10, TimeUnit.SECONDS);
        }
    }
}
