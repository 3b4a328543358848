package dev.junction.conformance.amqp;

import static dev.junction.conformance.amqp.AmqpSupport.assertBrokerServes;
import static dev.junction.conformance.amqp.AmqpSupport.awaitTrue;
import static dev.junction.conformance.amqp.AmqpSupport.connect;
import static dev.junction.conformance.amqp.AmqpSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.junction.conformance.BrokerFixture;
import dev.junction.conformance.ConformanceBroker;
import dev.junction.conformance.amqp.RawAmqp.Args;
import dev.junction.conformance.amqp.RawAmqp.Close;
import dev.junction.conformance.amqp.RawAmqp.Frame;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a publisher can make the broker hold: a content header claims nothing (memory follows the body frames that
 * actually arrive), a publish the user may not make is refused at basic.publish before any content is read, and a
 * connection's unfinished content is capped (issue 9, item 3).
 */
@Timeout(60)
class ContentLimitsTest {
    private static final int SIXTEEN_MIB = 16 * 1024 * 1024;

    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass();

    private static void basicPublish(RawAmqp raw, int channel, String exchange, String routingKey) throws Exception {
        raw.method(channel, 60, 40, new Args().shortUint(0).shortstr(exchange).shortstr(routingKey).octet(0));
    }

    private static Close expectChannelClose(RawAmqp raw, int channel) throws Exception {
        Frame f = raw.expectMethod(20, 40);
        assertThat(f.channel()).isEqualTo(channel);
        return RawAmqp.parseClose(f);
    }

    @Test
    void publishWithoutWritePermissionIsRefused403AtBasicPublishBeforeAnyContent() throws Exception {
        // RabbitMQ rabbit_channel basic.publish: check_write_permitted on the exchange => channel.close 403
        // ACCESS_REFUSED "access to exchange 'X' in vhost 'V' refused for user 'U'"; no content is needed for it
        try (RawAmqp raw = new RawAmqp(broker.amqpPort())) {
            raw.handshake("limited", "limited", "restricted", 0, 0);
            raw.openChannel(1);
            basicPublish(raw, 1, "amq.direct", "k");
            Close close = expectChannelClose(raw, 1);
            assertThat(close.replyCode()).isEqualTo(403);
            assertThat(close.replyText()).isEqualTo(
                    "ACCESS_REFUSED - access to exchange 'amq.direct' in vhost 'restricted' refused for user 'limited'");
            assertThat(close.classId()).isEqualTo(60);
            assertThat(close.methodId()).isEqualTo(40);
        }
        assertBrokerServes(broker);
    }

    @Test
    void publishToAMissingExchangeIsRefused404AtBasicPublishBeforeAnyContent() throws Exception {
        // RabbitMQ rabbit_channel basic.publish: rabbit_exchange:lookup_or_die => channel.close 404 NOT_FOUND
        try (RawAmqp raw = new RawAmqp(broker.amqpPort())) {
            raw.handshake(0, 0);
            raw.openChannel(1);
            basicPublish(raw, 1, "no.such.exchange", "k");
            Close close = expectChannelClose(raw, 1);
            assertThat(close.replyCode()).isEqualTo(404);
            assertThat(close.replyText()).isEqualTo("NOT_FOUND - no exchange 'no.such.exchange' in vhost '/'");
        }
        assertBrokerServes(broker);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"limited, limited, restricted, true", "guest, guest, /, false"})
    void hundredContentHeadersAnnouncing16MiBWithoutBodiesTakeNoHeap(String user, String password, String vhost,
            boolean refused) throws Exception {
        // A content header's body-size is a promise, not a payload [AMQP 0-9-1 4.2.6.1]: the broker must not
        // allocate it up front. 100 headers of 16 MiB (the default max_message_size, so each is allowed) are 1.6 GiB
        // if it does.
        long heapBefore = usedHeapAfterGc();
        try (RawAmqp raw = new RawAmqp(broker.amqpPort())) {
            raw.handshake(user, password, vhost, 0, 0);
            for (int ch = 1; ch <= 100; ch++) {
                raw.method(ch, 20, 10, new Args().shortstr(""));
                basicPublish(raw, ch, "amq.direct", "k");
                raw.contentHeader(ch, SIXTEEN_MIB);
            }
            // A round trip on a fresh channel: every frame sent before it has been handled when its open-ok arrives.
            raw.method(101, 20, 10, new Args().shortstr(""));
            int opened = 0;
            int refusedChannels = 0;
            while (true) {
                Frame f = raw.readSkippingHeartbeats();
                if (f.isMethod(20, 11) && f.channel() == 101) {
                    break;
                }
                if (f.isMethod(20, 11)) {
                    opened++;
                } else if (f.isMethod(20, 40)) {
                    assertThat(RawAmqp.parseClose(f).replyCode()).isEqualTo(403);
                    refusedChannels++;
                } else {
                    throw new AssertionError("unexpected " + f);
                }
            }
            assertThat(opened).isEqualTo(100);
            assertThat(refusedChannels).isEqualTo(refused ? 100 : 0);
            long grown = usedHeapAfterGc() - heapBefore;
            assertThat(grown).as("heap grown while 100 x 16 MiB were announced and none sent")
                    .isLessThan(256L * 1024 * 1024);
            assertThat(broker.broker().engine().memoryAlarm().raised()).isFalse();
            assertBrokerServes(broker); // other connections work while this one holds its headers
        }
        assertBrokerServes(broker);
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void unfinishedContentPastTheConnectionCapIs506ResourceError() throws Exception {
        // limits.max_content_in_flight_bytes: bodies only more reading could finish are capped per connection;
        // past the cap the connection is closed with 506 RESOURCE_ERROR [AMQP 0-9-1 reply code resource-error]
        int mib = 1024 * 1024;
        try (BrokerFixture small = BrokerFixture.startWithLimits(mib, "  max_content_in_flight_bytes: 1048576\n");
                RawAmqp raw = new RawAmqp(small.amqpPort())) {
            raw.handshake(0, 0);
            byte[] chunk = new byte[64 * 1024];
            for (int ch = 1; ch <= 3; ch++) {
                raw.openChannel(ch);
                basicPublish(raw, ch, "", "nowhere");
                raw.contentHeader(ch, mib); // each message alone fits
                for (int i = 0; i < 8; i++) { // half of it: 512 KiB per channel, 1.5 MiB in all
                    raw.frame(3, ch, chunk, 0xCE);
                }
            }
            Close close = raw.expectConnectionClose();
            assertThat(close.replyCode()).isEqualTo(506);
            assertThat(close.replyText()).contains("max_content_in_flight_bytes");
            assertBrokerServes(small);
        }
    }

    @Test
    void confirmedPublishesBeyondTheCapAreHeldBackNotRefused() throws Exception {
        // Back-pressure rather than an error: content awaiting confirmation drains by itself, so a publisher past
        // the cap is simply read more slowly. 40 x 256 KiB with confirms is ten times the 1 MiB cap.
        int mib = 1024 * 1024;
        try (BrokerFixture small = BrokerFixture.startWithLimits(mib, "  max_content_in_flight_bytes: 1048576\n");
                Connection c = AmqpSupport.factory(small).newConnection()) {
            Channel ch = c.createChannel();
            String q = ch.queueDeclare(unique("content.cap"), true, false, false, null).getQueue();
            ch.confirmSelect();
            for (int i = 0; i < 40; i++) {
                ch.basicPublish("", q, com.rabbitmq.client.MessageProperties.PERSISTENT_BASIC, new byte[256 * 1024]);
            }
            assertThat(ch.waitForConfirms(20_000)).isTrue();
            assertThat(ch.queueDeclarePassive(q).getMessageCount()).isEqualTo(40);
        }
    }

    @Test
    void raisedMemoryAlarmStopsAFirstPublishBeforeItsContentIsRead() throws Exception {
        // RabbitMQ connection.blocked: a connection becomes a blocked publisher with its first basic.publish, so
        // under an alarm even that publish's content stays in the socket rather than in the heap
        var alarm = broker.broker().engine().memoryAlarm();
        String q;
        try (Connection admin = connect(broker)) {
            q = admin.createChannel().queueDeclare(unique("alarm.first"), false, false, false, null).getQueue();
        }
        try (Connection c = connect(broker)) {
            BlockingQueue<String> events = new ArrayBlockingQueue<>(4);
            c.addBlockedListener(new BlockedListener() {
                @Override
                public void handleBlocked(String reason) {
                    events.add("blocked");
                }

                @Override
                public void handleUnblocked() {
                    events.add("unblocked");
                }
            });
            Channel ch = c.createChannel();
            var queue = broker.broker().engine().vhost("/").orElseThrow().queue(q).orElseThrow();
            try {
                alarm.force(true);
                ch.basicPublish("", q, null, new byte[] {1});
                assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("blocked");
                // connection.blocked is sent while handling basic.publish; the content after it is not handled yet
                assertThat(queue.messageCount()).as("messages routed before connection.blocked").isZero();
                alarm.force(false);
                assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("unblocked");
                awaitTrue("the held publish arrives after the alarm", () -> queue.messageCount() == 1);
            } finally {
                alarm.force(null);
            }
        }
    }
}
