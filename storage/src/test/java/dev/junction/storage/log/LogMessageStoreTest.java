package dev.junction.storage.log;

import dev.junction.storage.MessageStore;
import dev.junction.storage.MessageStoreContract;

import java.nio.file.Path;
import java.util.OptionalLong;

/** The whole store contract, reopen checks included, against the durable log store. */
class LogMessageStoreTest extends MessageStoreContract {

    @Override
    protected MessageStore open(Path dir) {
        return LogMessageStore.open(dir, FsyncPolicy.group());
    }

    @Override
    protected boolean survivesReopen() {
        return true;
    }

    @Override
    protected OptionalLong bodyCount(MessageStore store) {
        return OptionalLong.of(((LogMessageStore) store).messageCount());
    }
}
