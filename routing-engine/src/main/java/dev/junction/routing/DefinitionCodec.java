package dev.junction.routing;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.ExchangeSpec;
import dev.junction.routing.api.Policy;
import dev.junction.routing.api.PolicyTarget;
import dev.junction.routing.api.QueueSpec;
import dev.junction.storage.Definition;
import dev.junction.storage.DefinitionKind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Encodes durable exchanges, queues, bindings and policies as store {@link Definition}s and back. */
final class DefinitionCodec {
    private DefinitionCodec() {
    }

    static Definition exchange(String vhost, ExchangeSpec x) {
        return new Definition(DefinitionKind.EXCHANGE, vhost, x.name(), write(out -> {
            ValueCodec.writeString(out, x.name());
            ValueCodec.writeString(out, x.type());
            out.writeBoolean(x.durable());
            out.writeBoolean(x.autoDelete());
            out.writeBoolean(x.internal());
            ValueCodec.writeTable(out, x.arguments());
        }));
    }

    static Definition queue(String vhost, QueueSpec q) {
        return new Definition(DefinitionKind.QUEUE, vhost, q.name(), write(out -> {
            ValueCodec.writeString(out, q.name());
            out.writeBoolean(q.durable());
            out.writeBoolean(q.autoDelete());
            ValueCodec.writeTable(out, q.arguments());
        }));
    }

    static Definition binding(String vhost, Binding b) {
        return new Definition(DefinitionKind.BINDING, vhost, bindingName(b), write(out -> {
            ValueCodec.writeString(out, b.source());
            out.writeBoolean(b.toQueue());
            ValueCodec.writeString(out, b.destination());
            ValueCodec.writeString(out, b.routingKey());
            ValueCodec.writeTable(out, b.arguments());
        }));
    }

    static Definition policy(String vhost, Policy p) {
        return new Definition(DefinitionKind.POLICY, vhost, p.name(), write(out -> {
            ValueCodec.writeString(out, p.name());
            ValueCodec.writeString(out, p.pattern());
            ValueCodec.writeString(out, p.applyTo().wireName());
            out.writeInt(p.priority());
            ValueCodec.writeTable(out, p.definition());
        }));
    }

    /** A key unique per binding: the parts are length-prefixed so no name can forge another's key. */
    static String bindingName(Binding b) {
        StringBuilder s = new StringBuilder();
        for (String part : new String[] {b.source(), b.destinationKind().name(), b.destination(), b.routingKey()}) {
            s.append(part.length()).append(':').append(part);
        }
        return s.append(b.arguments().hashCode()).toString();
    }

    static ExchangeSpec readExchange(Definition d) {
        return read(d, in -> new ExchangeSpec(ValueCodec.readString(in), ValueCodec.readString(in), in.readBoolean(),
                in.readBoolean(), in.readBoolean(), ValueCodec.readTable(in)));
    }

    static QueueSpec readQueue(Definition d) {
        return read(d, in -> new QueueSpec(ValueCodec.readString(in), in.readBoolean(), false, in.readBoolean(),
                ValueCodec.readTable(in)));
    }

    static Binding readBinding(Definition d) {
        return read(d, in -> {
            String source = ValueCodec.readString(in);
            boolean toQueue = in.readBoolean();
            return new Binding(source, toQueue ? Binding.DestinationKind.QUEUE : Binding.DestinationKind.EXCHANGE,
                    ValueCodec.readString(in), ValueCodec.readString(in), ValueCodec.readTable(in));
        });
    }

    static Policy readPolicy(Definition d) {
        return read(d, in -> {
            String name = ValueCodec.readString(in);
            String pattern = ValueCodec.readString(in);
            String applyTo = ValueCodec.readString(in);
            PolicyTarget target = PolicyTarget.fromWireName(applyTo).orElseThrow(() ->
                    new java.io.IOException("unknown apply-to '" + applyTo + "'"));
            return new Policy(name, pattern, target, in.readInt(), ValueCodec.readTable(in));
        });
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] write(Writer w) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            w.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static <T> T read(Definition d, Reader<T> r) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(d.data()))) {
            return r.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt " + d.kind() + " definition '" + d.name() + "'", e);
        }
    }
}
