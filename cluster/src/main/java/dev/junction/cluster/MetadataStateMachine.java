package dev.junction.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata group's state machine: each committed entry is a {@link MetadataCommand} handed to this node's
 * applier, one at a time in log order on Ratis's apply thread. The state it builds is the node's own engine and
 * local definition store, not a copy kept here, so a restart replays the log into an engine that already
 * recovered the same definitions from its store, which declares nothing twice.
 */
final class MetadataStateMachine extends BaseStateMachine {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataStateMachine.class);

    private final Consumer<MetadataCommand> applier;

    MetadataStateMachine(Consumer<MetadataCommand> applier) {
        this.applier = applier;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        try {
            applier.accept(MetadataCommand.decode(entry.getStateMachineLogEntry().getLogData().toByteArray()));
        } catch (RuntimeException e) {
            // An entry this node cannot apply must not stop the log: every later entry would wait behind it.
            LOG.error("metadata log entry {} could not be applied on this node", entry.getIndex(), e);
        }
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        return CompletableFuture.completedFuture(Message.EMPTY);
    }
}
