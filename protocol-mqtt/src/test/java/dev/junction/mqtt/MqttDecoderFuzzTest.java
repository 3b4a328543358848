package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.junction.config.ConfigLoader;
import dev.junction.protocol.testing.HeapMeter;
import dev.junction.protocol.testing.TrackingAllocator;
import dev.junction.routing.api.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.AttributeKey;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the MQTT codec exactly as {@link MqttChannelInitializer} builds it ({@link PacketGuard}
 * then Netty's MqttDecoder, both with the broker's default maximum packet size or, when byte 0 has bit 7 set, a
 * 1 KiB one), and of MQTT 5 property mapping ({@link PropertyMapping}) on every PUBLISH that decodes. Byte 0's
 * bits 0..5 give the piece size the rest of the input is fed in (0 = one piece). A valid stream starts with
 * CONNECT, which tells the decoder the protocol version.
 *
 * <p>Invariants, per input: nothing is thrown out of the pipeline (a malformed packet is a {@link
 * PacketGuard.Violation} or a message whose decoder result is a failure, both answered by closing); after the
 * first violation or failure nothing more is decoded; every buffer allocated is released once the channel is
 * closed; heap allocated is bounded by the input size. For a decoded PUBLISH: mapping it to an engine message
 * keeps its topic and QoS, and the PUBLISH a subscriber would be sent (the message's MQTT 5 properties) encodes
 * and decodes again to the same topic and as many properties.
 */
class MqttDecoderFuzzTest {
    static final int DEFAULT_MAX = ConfigLoader.defaults().mqtt().maxPacketSize();
    private static final AttributeKey<MqttVersion> VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");
    private static final long NOW = 1_700_000_000_000L;

    @FuzzTest(maxDuration = "10m")
    void decodesAnyStreamIntoPacketsOrOneRefusal(byte[] input) {
        if (input.length == 0) {
            return;
        }
        HeapMeter.bounded("decoding " + input.length + " bytes", HeapMeter.budget(input.length, 1 << 20, 256),
                () -> decode(input));
    }

    private static void decode(byte[] input) {
        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        MqttChannelInitializer.addCodec(ch.pipeline(), (input[0] & 0x80) != 0 ? 1024 : DEFAULT_MAX);
        List<Object> out = feed(ch, alloc, input, 1);
        boolean refused = false;
        for (Object o : out) {
            assertThat(refused).as("a packet decoded after a refusal: %s", o).isFalse();
            if (o instanceof PacketGuard.Violation) {
                refused = true;
            } else {
                MqttMessage m = (MqttMessage) o;
                if (m.decoderResult().isFailure()) {
                    refused = true;
                } else if (m instanceof MqttPublishMessage p) {
                    checkPublishMapping(p, ch.attr(VERSION).get());
                }
            }
            io.netty.util.ReferenceCountUtil.release(o);
        }
        ch.finishAndReleaseAll();
        assertThat(alloc.unreleased()).as("buffers not released").isEmpty();
    }

    /** Feeds input[from..] in pieces of the size byte 0 gives, returning every message the pipeline passed on. */
    static List<Object> feed(EmbeddedChannel ch, TrackingAllocator alloc, byte[] input, int from) {
        int piece = input[0] & 0x3F;
        List<Object> out = new ArrayList<>();
        for (int i = from; i < input.length && ch.isOpen(); i += piece == 0 ? input.length : piece) {
            int to = piece == 0 ? input.length : Math.min(input.length, i + piece);
            ch.writeInbound(alloc.copyOf(input, i, to)); // throws if anything reached the end of the pipeline
            for (Object o; (o = ch.readInbound()) != null; ) {
                out.add(o);
            }
        }
        return out;
    }

    private static void checkPublishMapping(MqttPublishMessage p, MqttVersion version) {
        MqttPublishVariableHeader vh = p.variableHeader();
        int qos = p.fixedHeader().qosLevel().value();
        byte[] body = ByteBufUtil.getBytes(p.payload());
        Message m = PropertyMapping.fromPublish("amq.topic", vh.topicName(), qos, p.fixedHeader().isRetain(),
                vh.properties(), body, "fuzz-client", "fuzz", NOW);
        assertThat(PropertyMapping.topicOf(m)).isEqualTo(vh.topicName());
        assertThat(PropertyMapping.qosOf(m)).isEqualTo(qos);
        MqttProperties back = PropertyMapping.toProperties(m, NOW);
        if (back == null || version != MqttVersion.MQTT_5) {
            return;
        }
        // What a subscriber is sent: it must encode, and an MQTT 5 decoder must read the same topic back.
        EmbeddedChannel enc = new EmbeddedChannel(io.netty.handler.codec.mqtt.MqttEncoder.INSTANCE);
        enc.attr(VERSION).set(MqttVersion.MQTT_5);
        enc.writeOutbound(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false,
                MqttQoS.AT_MOST_ONCE, false, 0), new MqttPublishVariableHeader(PropertyMapping.topicOf(m), 0, back),
                io.netty.buffer.Unpooled.wrappedBuffer(m.body())));
        ByteBuf wire = enc.readOutbound();
        enc.finishAndReleaseAll();
        EmbeddedChannel dec = new EmbeddedChannel(new io.netty.handler.codec.mqtt.MqttDecoder(Integer.MAX_VALUE));
        dec.attr(VERSION).set(MqttVersion.MQTT_5);
        dec.writeInbound(wire);
        MqttMessage again = dec.readInbound();
        try {
            assertThat(again.decoderResult().isSuccess()).as("re-decoded %s", again).isTrue();
            assertThat(((MqttPublishMessage) again).variableHeader().topicName()).isEqualTo(vh.topicName());
            assertThat(((MqttPublishMessage) again).variableHeader().properties().listAll()).hasSameSizeAs(
                    back.listAll());
        } finally {
            io.netty.util.ReferenceCountUtil.release(again);
            dec.finishAndReleaseAll();
        }
    }
}
