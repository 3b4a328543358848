package dev.junction.amqp10;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.qpid.proton.engine.Link;

/**
 * A link whose attach waits for what it declared to take effect: in a cluster, for the metadata log to commit the
 * queue, binding or deletion, so that the attach, once answered, names something every node has and a node cut
 * off from the majority refuses instead (docs/cluster.md, "Linearizable declarations"; the attach answered with
 * the local terminus, or with a null one and the detach carrying the error [AMQP 1.0 part 2 section 2.6.3]).
 *
 * <p>The link's context meanwhile, so that the dispatcher leaves the link's flow and transfers to proton, which
 * keeps them: credit the client granted is read when the consumer starts, and a transfer the client sent early
 * (none is due before the broker's first flow) is taken once the link is open. On a single node the declarations
 * are done when asked and the link never waits here.
 */
final class PendingAttach {
    private PendingAttach() {
    }

    /**
     * Runs {@code open} with the value of {@code declared} once it completes, on the event loop: inline when it is
     * done already (its refusal thrown to the dispatcher, as a synchronous attach throws it). A failure later ends
     * the link with the failure's condition; a link that ended meanwhile (detach, end, the connection's close) gets
     * {@code undo} instead, which deletes what the attach made for itself.
     */
    static <T> void await(Link link, Dispatcher dispatcher, Amqp10Connection conn, CompletableFuture<T> declared,
                          Consumer<T> open, Consumer<T> undo) {
        if (declared.isDone()) {
            open.accept(value(declared));
            return;
        }
        PendingAttach pending = new PendingAttach();
        link.setContext(pending);
        OnLoop.handle(conn, declared, (value, error) -> {
            if (link.getContext() != pending) {
                if (error == null) {
                    undo.accept(value);
                }
            } else if (error != null) {
                dispatcher.fail(link, error);
            } else {
                try {
                    open.accept(value);
                } catch (RuntimeException refused) {
                    dispatcher.fail(link, refused);
                }
            }
            return CompletableFuture.completedFuture(null);
        });
    }

    private static <T> T value(CompletableFuture<T> done) {
        try {
            return done.join();
        } catch (RuntimeException e) {
            Throwable cause = OnLoop.cause(e);
            throw cause instanceof RuntimeException r ? r : e;
        }
    }
}
