package dev.junction.storage.log;

import dev.junction.storage.QueueKey;
import dev.junction.storage.StoredMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What callers see when the writer thread meets an error it was not written for. */
class LogWriterFailureTest {

    private static final QueueKey Q = new QueueKey("/", "q");

    @TempDir
    Path dir;

    @Test
    void anErrorOnTheWriterThreadFailsPendingAndLaterWritesInsteadOfLeavingThemWaiting() throws Exception {
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group())) {
            store.syncHook(new LogWriter.SyncHook() {
                @Override
                public void beforeForce() {
                    throw new AssertionError("injected: an Error escapes the fsync");
                }

                @Override
                public void afterForce() {
                }
            });
            CompletableFuture<Void> first = store.append(new StoredMessage(1, new byte[] {1}), List.of(Q));
            assertThatThrownBy(() -> first.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasRootCauseMessage("injected: an Error escapes the fsync");

            CompletableFuture<Void> later = store.append(new StoredMessage(2, new byte[] {2}), List.of(Q));
            assertThatThrownBy(() -> later.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            assertThat(store.remove(Q, 1)).failsWithin(5, TimeUnit.SECONDS);
        } // close() must return too
    }
}
