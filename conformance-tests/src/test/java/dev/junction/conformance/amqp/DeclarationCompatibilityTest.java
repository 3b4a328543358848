package dev.junction.conformance.amqp;

import static dev.junction.conformance.amqp.AmqpSupport.args;
import static dev.junction.conformance.amqp.AmqpSupport.assertChannelClosed;
import static dev.junction.conformance.amqp.AmqpSupport.bytes;
import static dev.junction.conformance.amqp.AmqpSupport.connect;
import static dev.junction.conformance.amqp.AmqpSupport.getWithin;
import static dev.junction.conformance.amqp.AmqpSupport.text;
import static dev.junction.conformance.amqp.AmqpSupport.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import dev.junction.conformance.ConformanceBroker;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Declarations, bindings and arguments where RabbitMQ 3.x behaviour is the reference (checked side by side). */
@Timeout(30)
class DeclarationCompatibilityTest {
    @RegisterExtension
    static final ConformanceBroker broker = ConformanceBroker.perClass();

    @Test
    void crAndLfAreStrippedFromNamesInDeclareBindAndDelete() throws Exception {
        // RabbitMQ rabbit_channel strips CR and LF from exchange and queue names in exchange.declare/delete,
        // queue.declare/delete and bindings; publish, consume, get and purge use names as given.
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String q = unique("crlf.queue");
            String x = unique("crlf.exchange");
            String mangledQ = q.substring(0, 4) + "\n" + q.substring(4);
            String mangledX = x.substring(0, 3) + "\r\n" + x.substring(3);

            assertThat(ch.queueDeclare(mangledQ, false, false, true, null).getQueue()).isEqualTo(q);
            ch.exchangeDeclare(mangledX, BuiltinExchangeType.DIRECT, false, true, null);
            ch.queueDeclarePassive(q);
            ch.exchangeDeclarePassive(x);
            ch.queueBind(mangledQ, "\r" + x, "k");
            ch.basicPublish(x, "k", null, bytes("through the stripped names"));
            assertThat(text(getWithin(ch, q, true).getBody())).isEqualTo("through the stripped names");

            ch.queueUnbind(q + "\n", x, "k");
            ch.exchangeDelete(x + "\n");
            ch.queueDelete("\n" + q);
            assertChannelClosed(catchThrowable(() -> ch.queueDeclarePassive(q)), 404);
        }
    }

    @Test
    void cancellingTheDirectReplyToConsumerLetsTheChannelConsumeRepliesAgain() throws Exception {
        // RabbitMQ direct reply-to: basic.cancel of the amq.rabbitmq.reply-to consumer frees it; a passive
        // queue.declare of a live reply-to address is declare-ok, of a cancelled one 404.
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String tag = ch.basicConsume("amq.rabbitmq.reply-to", true, new DefaultConsumer(ch));
            String q = ch.queueDeclare("", false, true, true, null).getQueue();
            ch.basicPublish("", q, new AMQP.BasicProperties.Builder().replyTo("amq.rabbitmq.reply-to").build(),
                    bytes("request"));
            String address = getWithin(ch, q, true).getProps().getReplyTo();
            assertThat(address).startsWith("amq.rabbitmq.reply-to.");

            Channel other = c.createChannel();
            AMQP.Queue.DeclareOk ok = other.queueDeclarePassive(address);
            assertThat(ok.getQueue()).isEqualTo(address);
            assertThat(ok.getMessageCount()).isZero();

            ch.basicCancel(tag);
            assertChannelClosed(catchThrowable(() -> other.queueDeclarePassive(address)), 404);
            String again = ch.basicConsume("amq.rabbitmq.reply-to", true, new DefaultConsumer(ch));
            assertThat(again).isNotEqualTo(tag);
        }
    }

    @Test
    void unbindingFromAMissingQueueOrExchangeIsUnbindOk() throws Exception {
        // RabbitMQ 3.x queue.unbind / exchange.unbind: a binding that cannot exist is already gone: unbind-ok
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String q = ch.queueDeclare(unique("unbind.q"), false, false, true, null).getQueue();
            ch.queueUnbind(unique("unbind.no-such-queue"), "amq.direct", "k");
            ch.queueUnbind(q, unique("unbind.no-such-exchange"), "k");
            ch.exchangeUnbind(unique("unbind.no-such-destination"), "amq.direct", "k");
            ch.exchangeUnbind("amq.fanout", unique("unbind.no-such-source"), "k");
            assertThat(ch.isOpen()).isTrue();
        }
    }

    @Test
    void ccOrBccHeaderThatIsNotAnArrayIs406() throws Exception {
        // RabbitMQ sender-selected distribution: CC/BCC must be arrays of routing keys, else 406 PRECONDITION_FAILED
        // ("unacceptable_type_in_header")
        try (Connection c = connect(broker)) {
            for (String header : List.of("CC", "BCC")) {
                Channel ch = c.createChannel();
                String q = ch.queueDeclare("", false, true, true, null).getQueue();
                ch.basicPublish("", q, new AMQP.BasicProperties.Builder()
                        .headers(Map.of(header, "not-an-array")).build(), bytes("m"));
                AMQP.Channel.Close close = assertChannelClosed(catchThrowable(() -> ch.queueDeclarePassive(q)), 406);
                assertThat(close.getMethodId()).isEqualTo(40);
            }
        }
    }

    @Test
    void consumerPriorityWithAVoidValueIs406() throws Exception {
        // RabbitMQ consumer priorities: x-priority must be an integer; void is not ("expected integer, got void")
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String q = ch.queueDeclare("", false, true, true, null).getQueue();
            Map<String, Object> arguments = new HashMap<>();
            arguments.put("x-priority", null);
            assertChannelClosed(catchThrowable(() -> ch.basicConsume(q, false, arguments, new DefaultConsumer(ch))),
                    406);
        }
    }

    @Test
    void redeclareWhoseExclusiveFlagDoesNotMatchTheQueueIs405BeforeEquivalence() throws Exception {
        // RabbitMQ queue.declare checks exclusive access strictly, before equivalence: asking for a non-exclusive
        // queue that is exclusive (even by the owner) or for an exclusive one that is not is 405 RESOURCE_LOCKED,
        // not 406 for the 'exclusive' flag
        try (Connection c = connect(broker)) {
            String mine = c.createChannel().queueDeclare(unique("excl.own"), false, true, true, null).getQueue();
            assertChannelClosed(catchThrowable(() -> c.createChannel().queueDeclare(mine, false, false, true, null)),
                    405);
            String shared = c.createChannel().queueDeclare(unique("excl.none"), false, false, true, null).getQueue();
            assertChannelClosed(catchThrowable(() -> c.createChannel().queueDeclare(shared, false, true, true, null)),
                    405);
            c.createChannel().queueDeclare(mine, false, true, true, null); // the owner's matching redeclare is fine
        }
    }

    @Test
    void redeclaringAnotherConnectionsExclusiveQueueIs405WhateverTheFlags() throws Exception {
        // RabbitMQ queue.declare: any redeclare of an exclusive queue from another connection is 405
        try (Connection owner = connect(broker); Connection other = connect(broker)) {
            String q = owner.createChannel().queueDeclare(unique("excl.locked"), false, true, false, null).getQueue();
            assertChannelClosed(catchThrowable(() -> other.createChannel().queueDeclare(q, false, false, false, null)),
                    405);
            assertChannelClosed(catchThrowable(() -> other.createChannel().queueDeclare(q, true, false, true, null)),
                    405);
            assertChannelClosed(catchThrowable(() -> other.createChannel().queueDeclare(q, false, true, false,
                    args("x-message-ttl", 5))), 405);
            assertChannelClosed(catchThrowable(() -> other.createChannel().queueDeclarePassive(q)), 405);
        }
    }

    @Test
    void integerAndFloatArgumentValuesAreNotEquivalent() throws Exception {
        // RabbitMQ queue.declare equivalence compares argument types by class: x-message-ttl 10 (any integer width)
        // is equivalent, 10.0 (a float) is not => 406 PRECONDITION_FAILED
        try (Connection c = connect(broker)) {
            Channel ch = c.createChannel();
            String q = ch.queueDeclare(unique("equiv.ttl"), false, false, true, args("x-message-ttl", 10))
                    .getQueue();
            ch.queueDeclare(q, false, false, true, args("x-message-ttl", 10L));
            ch.queueDeclare(q, false, false, true, args("x-message-ttl", (byte) 10));
            assertChannelClosed(catchThrowable(() -> ch.queueDeclare(q, false, false, true,
                    args("x-message-ttl", 10.0))), 406);
        }
    }
}
