package dev.junction.conformance.amqp10;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.engine.Transport;

/**
 * An AMQP 1.0 client made of proton-j's engine over a plain socket, for what stock clients never send: frames
 * written by hand after a proper login, oversized frames, a missing SASL layer. Reads wait at most
 * {@link #READ_BOUND_MS}, a bound for a failing test.
 */
final class RawAmqp10 implements AutoCloseable {
    static final int READ_BOUND_MS = 8000;
    final Socket socket;
    final Transport transport = Transport.Factory.create();
    final Connection connection = Connection.Factory.create();
    private boolean eof;

    RawAmqp10(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(200);
        transport.bind(connection);
    }

    /** SASL PLAIN as {@code user}, then {@code open}; returns once the server's {@code open} arrived. */
    RawAmqp10 login(String user, String password) throws IOException {
        return login(user, password, "localhost");
    }

    /** {@link #login(String, String)} with the {@code open} frame's hostname ({@code vhost:<name>} picks a vhost). */
    RawAmqp10 login(String user, String password, String hostname) throws IOException {
        Sasl sasl = transport.sasl();
        sasl.client();
        sasl.plain(user, password);
        connection.setHostname(hostname);
        connection.setContainer("raw-test");
        connection.open();
        pumpUntil(() -> connection.getRemoteState() != org.apache.qpid.proton.engine.EndpointState.UNINITIALIZED
                || eof);
        return this;
    }

    void writeRaw(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** Writes what the engine has to send now, without reading. */
    void flush() throws IOException {
        int pending = transport.pending();
        if (pending > 0) {
            byte[] out = new byte[pending];
            transport.head().get(out);
            transport.pop(pending);
            writeRaw(out);
        }
    }

    /** Writes what the engine has to send and feeds what arrives, until {@code done} or the bound. */
    void pumpUntil(BooleanSupplier done) throws IOException {
        pump(done, READ_BOUND_MS);
    }

    /** Writes and feeds for {@code ms} milliseconds (what the server answers meanwhile arrives). */
    void pumpFor(long ms) throws IOException {
        pump(() -> eof, ms);
    }

    private void pump(BooleanSupplier done, long boundMs) throws IOException {
        long until = System.nanoTime() + boundMs * 1_000_000L;
        byte[] buffer = new byte[65536];
        InputStream in = socket.getInputStream();
        while (!done.getAsBoolean() && System.nanoTime() < until) {
            int pending = transport.pending();
            if (pending > 0) {
                ByteBuffer head = transport.head();
                byte[] out = new byte[pending];
                head.get(out);
                transport.pop(pending);
                writeRaw(out);
            }
            if (eof) {
                break;
            }
            try {
                int n = in.read(buffer);
                if (n < 0) {
                    eof = true;
                    transport.close_tail();
                } else {
                    int off = 0;
                    while (off < n) {
                        int room = transport.capacity();
                        if (room <= 0) {
                            break;
                        }
                        int chunk = Math.min(room, n - off);
                        transport.tail().put(buffer, off, chunk);
                        transport.process();
                        off += chunk;
                    }
                }
            } catch (SocketTimeoutException e) {
                // nothing yet
            } catch (SocketException e) {
                if (!String.valueOf(e.getMessage()).contains("reset")) {
                    throw e;
                }
                // The server closed first and this side then wrote (proton sends its AMQP header and open after the
                // SASL outcome): the kernel answers those bytes with a reset, which a read reports instead of the
                // end of stream that arrived before it. It is the server's close all the same.
                eof = true;
                transport.close_tail();
            }
        }
    }

    /** Whether the server closed the socket (read returned end of stream). */
    boolean serverClosed() throws IOException {
        pumpUntil(() -> eof);
        return eof;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
