package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpException;
import dev.junction.amqp.codec.AmqpFrame;
import dev.junction.amqp.codec.ContentBodyFrame;
import dev.junction.amqp.codec.ContentHeaderFrame;
import dev.junction.amqp.codec.MethodFrame;
import dev.junction.amqp.codec.MethodType;
import dev.junction.amqp.codec.ReplyCode;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ChannelInfo;
import dev.junction.routing.api.ConnectionQuotas;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * A connection's open channels by number, and the rules for opening one: a number within the negotiated
 * channel-max, not already open [AMQP 0-9-1 channel.open], and within the user's channel limit over all of its
 * connections (RabbitMQ's user limit max-channels). Every refusal is a connection error. Event-loop only.
 */
final class ChannelTable {
    private final Map<Integer, AmqpChannel> channels = new HashMap<>();
    private final ConnectionQuotas quotas;
    /** The channel frames last arrived on: a busy connection uses one channel for long runs of frames. */
    private AmqpChannel last;

    ChannelTable(ConnectionQuotas quotas) {
        this.quotas = quotas;
    }

    /** channel.open on {@code number}: the new channel, made by {@code create}. */
    AmqpChannel open(int number, ConnectionTerms terms, IntFunction<AmqpChannel> create) {
        MethodType cause = MethodType.CHANNEL_OPEN;
        int channelMax = terms.tuning().channelMax();
        if (number > channelMax) {
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, "channel number " + number
                    + " exceeds the negotiated channel_max " + channelMax, cause);
        }
        if (channels.containsKey(number)) {
            throw AmqpException.connection(ReplyCode.CHANNEL_ERROR, "second 'channel.open' seen", cause);
        }
        try {
            // RabbitMQ's user limit max-channels, over all of the user's connections: 530, connection closed.
            quotas.openChannel(terms.user().name());
        } catch (BrokerException e) {
            throw AmqpException.connection(ReplyCode.NOT_ALLOWED, e.getMessage(), cause);
        }
        AmqpChannel ch = create.apply(number);
        channels.put(number, ch);
        return ch;
    }

    /** The open channel a method of type {@code cause} arrived on; a connection error when it is not open. */
    AmqpChannel get(int number, MethodType cause) {
        AmqpChannel ch = lookup(number);
        if (ch == null) {
            throw AmqpException.connection(ReplyCode.CHANNEL_ERROR, "expected 'channel.open' on channel "
                    + number, cause);
        }
        return ch;
    }

    /** The open channel a content frame arrived on; a connection error when it is not open. */
    AmqpChannel get(int number) {
        AmqpChannel ch = lookup(number);
        if (ch == null) {
            throw AmqpException.connection(ReplyCode.CHANNEL_ERROR, "expected 'channel.open' on channel " + number);
        }
        return ch;
    }

    private AmqpChannel lookup(int number) {
        AmqpChannel ch = last;
        if (ch != null && ch.number == number) {
            return ch;
        }
        ch = channels.get(number);
        if (ch != null) {
            last = ch;
        }
        return ch;
    }

    /** The channel number a frame arrived on. */
    static int channelOf(AmqpFrame f) {
        if (f instanceof MethodFrame m) {
            return m.channel();
        }
        if (f instanceof ContentHeaderFrame h) {
            return h.channel();
        }
        return f instanceof ContentBodyFrame b ? b.channel() : 0;
    }

    /** The channel, or null when none is open under that number. */
    AmqpChannel find(int number) {
        return channels.get(number);
    }

    /** The channel finished closing: its number is free again and the user's channel count drops. */
    void closed(int number, String user) {
        if (last != null && last.number == number) {
            last = null;
        }
        if (channels.remove(number) != null) {
            quotas.closeChannel(user);
        }
    }

    /** The open channels by number, as the management API lists them. */
    List<ChannelInfo> infos() {
        return channels.values().stream().map(AmqpChannel::info)
                .sorted(java.util.Comparator.comparingInt(ChannelInfo::number)).toList();
    }

    void resumeConsumers() {
        channels.values().forEach(AmqpChannel::resumeConsumers);
    }

    /** The connection goes: every channel releases what it holds and leaves the user's channel count. */
    void releaseAll(String user) {
        for (AmqpChannel ch : channels.values().toArray(new AmqpChannel[0])) {
            ch.release();
            quotas.closeChannel(user);
        }
        channels.clear();
        last = null;
    }
}
