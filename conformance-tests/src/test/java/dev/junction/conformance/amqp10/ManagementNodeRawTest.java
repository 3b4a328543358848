package dev.junction.conformance.amqp10;

import static dev.junction.conformance.amqp10.Amqp10Support.id;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.Source;
import org.apache.qpid.proton.amqp.messaging.Target;
import org.apache.qpid.proton.amqp.transport.SenderSettleMode;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.engine.Session;
import org.apache.qpid.proton.message.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The management node answered request by request, with a raw proton-j client, for what RabbitMQ's client never
 * sends or hides behind exceptions: the status codes of unknown paths and methods, conflicts, percent-encoded
 * names, and the correlation of each reply with its request (docs/amqp10.md, "Management node").
 */
class ManagementNodeRawTest {
    @RegisterExtension
    static final Amqp10Support broker = Amqp10Support.perClass();

    /** One link pair to {@code /management} on a raw connection. */
    private static final class Node implements AutoCloseable {
        final RawAmqp10 raw;
        final Sender requests;
        final Receiver replies;
        private long tag;

        Node() throws Exception {
            raw = new RawAmqp10(broker.amqpPort()).login("guest", "guest");
            Session session = raw.connection.session();
            session.open();
            requests = session.sender("pair");
            Target target = new Target();
            target.setAddress("/management");
            requests.setTarget(target);
            requests.setSource(new Source());
            requests.setSenderSettleMode(SenderSettleMode.SETTLED);
            requests.open();
            replies = session.receiver("pair");
            Source source = new Source();
            source.setAddress("/management");
            replies.setSource(source);
            replies.setTarget(new Target());
            replies.setSenderSettleMode(SenderSettleMode.SETTLED);
            replies.open();
            replies.flow(100);
            raw.pumpUntil(() -> requests.getCredit() > 0);
        }

        /** Sends the request and returns its reply: status code, then body. */
        List<Object> call(String method, String to, Object body) throws Exception {
            Message m = Message.Factory.create();
            UUID id = UUID.randomUUID();
            m.setMessageId(id);
            m.setSubject(method);
            m.setAddress(to);
            m.setReplyTo("$me");
            m.setBody(new AmqpValue(body));
            byte[] buffer = new byte[4096];
            int n = m.encode(buffer, 0, buffer.length);
            Delivery d = requests.delivery(Long.toString(tag++).getBytes(StandardCharsets.US_ASCII));
            requests.send(buffer, 0, n);
            requests.advance();
            d.settle();
            raw.pumpUntil(() -> replies.current() != null && !replies.current().isPartial());
            Delivery r = replies.current();
            byte[] bytes = new byte[r.pending()];
            int len = replies.recv(bytes, 0, bytes.length);
            replies.advance();
            r.settle();
            Message reply = Message.Factory.create();
            reply.decode(bytes, 0, len);
            assertThat(reply.getCorrelationId()).isEqualTo(id);
            List<Object> out = new ArrayList<>();
            out.add(reply.getSubject());
            out.add(((AmqpValue) reply.getBody()).getValue());
            return out;
        }

        @Override
        public void close() throws Exception {
            raw.close();
        }
    }

    private static Map<String, Object> queue(Map<String, Object> arguments) {
        return Map.of("durable", true, "exclusive", false, "auto_delete", false, "arguments", arguments);
    }

    @Test
    void statusCodesFollowHttp() throws Exception {
        try (Node node = new Node()) {
            String q = id("raw");
            assertThat(node.call("PUT", "/queues/" + q, queue(Map.of())).get(0)).isEqualTo("201");
            assertThat(node.call("PUT", "/queues/" + q, queue(Map.of())).get(0)).isEqualTo("200");
            List<Object> conflict = node.call("PUT", "/queues/" + q, queue(Map.of("x-max-length", 10L)));
            assertThat(conflict.get(0)).isEqualTo("409");
            assertThat(node.call("PATCH", "/queues/" + q, null).get(0)).isEqualTo("405");
            assertThat(node.call("GET", "/nowhere", null).get(0)).isEqualTo("404");
            List<Object> missing = node.call("GET", "/queues/" + q + "-missing", null);
            assertThat(missing.get(0)).isEqualTo("404");
            assertThat((String) missing.get(1)).contains("no queue '" + q + "-missing' in vhost '/'");
            assertThat(node.call("PUT", "/queues/" + id("mirrored"), queue(Map.of("x-queue-type", "mirrored")))
                    .get(0)).isEqualTo("409");
            assertThat(node.call("POST", "/bindings", Map.of("source", "amq.direct")).get(0)).isEqualTo("400");
        }
    }

    @Test
    void namesArePercentDecodedAndInfoNamesTheQueue() throws Exception {
        try (Node node = new Node()) {
            String q = id("a/b c");
            String path = "/queues/" + q.replace("/", "%2F").replace(" ", "%20");
            assertThat(node.call("PUT", path, queue(Map.of())).get(0)).isEqualTo("201");
            List<Object> info = node.call("GET", path, null);
            assertThat(info.get(0)).isEqualTo("200");
            Map<?, ?> body = (Map<?, ?>) info.get(1);
            assertThat(body.get("name")).isEqualTo(q);
            assertThat(body.get("type")).isEqualTo("classic");
            assertThat(((Number) body.get("message_count")).longValue()).isZero();
            List<Object> deleted = node.call("DELETE", path, null);
            assertThat(deleted.get(0)).isEqualTo("200");
            assertThat(((Map<?, ?>) deleted.get(1)).containsKey("message_count")).isTrue();
            assertThat(node.call("GET", path, null).get(0)).isEqualTo("404");
        }
    }
}
