package dev.junction.storage;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static dev.junction.storage.ContractSupport.ORDERS;
import static dev.junction.storage.ContractSupport.bytes;
import static dev.junction.storage.ContractSupport.definition;
import static dev.junction.storage.ContractSupport.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What closing a store means for its callers and for what they wait on. Part of {@link MessageStoreContract}. */
public interface ClosedStoreContract {

    /** The store under test. */
    MessageStore store();

    @Test
    default void callsAfterCloseFail() {
        DefinitionStore definitions = store().definitions();
        RetainedStore retained = store().retained();
        SessionStore sessions = store().sessions();
        store().close();

        List<Runnable> calls = List.of(
                () -> store().append(message(1), List.of(ORDERS)),
                () -> store().remove(ORDERS, 1),
                () -> store().removeQueue(ORDERS),
                () -> store().read(ORDERS, 0, 10),
                () -> store().count(ORDERS),
                () -> store().queues(),
                () -> store().highestMessageId(),
                () -> store().timeIndex(ORDERS),
                () -> store().definitions(),
                () -> store().retained(),
                () -> store().sessions(),
                () -> definitions.put(definition(DefinitionKind.VHOST, "", "/", "v")),
                () -> definitions.delete(DefinitionKind.VHOST, "", "/"),
                () -> definitions.all(),
                () -> retained.put(new RetainedMessage("/", "t", bytes("r"))),
                () -> retained.delete("/", "t"),
                () -> retained.all(),
                () -> sessions.put(new SessionStore.Session("/", "c", bytes("s"))),
                () -> sessions.delete("/", "c"),
                () -> sessions.get("/", "c"),
                () -> sessions.all());
        for (int i = 0; i < calls.size(); i++) {
            assertThatThrownBy(calls.get(i)::run).as("call #%d after close", i)
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    default void closeIsIdempotentAndCompletesPendingFutures() {
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (long id = 1; id <= 200; id++) {
            futures.add(store().append(message(id), List.of(ORDERS)));
        }
        futures.add(store().sessions().put(new SessionStore.Session("/", "c", bytes("s"))));
        store().close();
        assertThat(futures).allSatisfy(f -> assertThat(f).isCompleted());
        assertThatCode(store()::close).doesNotThrowAnyException();
    }
}
