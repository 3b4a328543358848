package dev.junction.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.routing.api.ClientIdClaims;
import dev.junction.routing.api.ExactlyOnceIds.Pending;
import dev.junction.storage.RetainedMessage;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sessions' exactly-once ids (MQTT QoS 2) with a hand-driven metadata log: two nodes submit client-id claims and
 * exactly-once puts to one list of entries and apply it in order, as the metadata state machine does. A put reaches
 * every node once applied, so a session resumed on the other node finds its inbound ids awaiting PUBREL
 * [MQTT-4.3.3-10] and its outbound ids awaiting PUBCOMP [MQTT-4.4.0-1]; a put from a connection that lost the client
 * id to another is not applied; the snapshot carries the ids, and a snapshot written before they existed loads.
 */
class ReplicatedExactlyOnceIdsTest {

    private static final Pending INBOUND_7 = new Pending(List.of(7), List.of());

    /** The log: entries in commit order. */
    private final List<byte[]> log = new ArrayList<>();

    private final class Node {
        final ClientIdOwners owners;
        final ReplicatedExactlyOnceIds ids;
        Optional<String> refusal = Optional.empty();
        int applied;

        Node(String origin) {
            Function<byte[], CompletableFuture<Void>> submit = entry -> {
                log.add(entry);
                return CompletableFuture.completedFuture(null);
            };
            owners = new ClientIdOwners(origin, submit, () -> refusal);
            ids = new ReplicatedExactlyOnceIds(origin, submit, () -> refusal, owners::heldByOther);
        }

        /** Applies the log's entries it has not applied yet, in order, each to its part as the state machine does. */
        void catchUp() {
            for (; applied < log.size(); applied++) {
                byte[] entry = log.get(applied);
                if (ExactlyOnceCommand.is(entry)) {
                    ids.apply(ExactlyOnceCommand.decode(entry));
                } else {
                    owners.apply(ClientIdCommand.decode(entry));
                }
            }
        }

        long claim(String clientId) {
            CompletableFuture<Long> claim = owners.claim("/", clientId, "guest");
            catchUp();
            return claim.join();
        }
    }

    @Test
    void entriesRoundTripAndAnUnknownFormatIsRefused() {
        Pending pending = new Pending(List.of(1, 65_535), List.of(300, 2));
        ExactlyOnceCommand c = new ExactlyOnceCommand("/", "device", "n1/run", 42, pending);
        ExactlyOnceCommand read = ExactlyOnceCommand.decode(c.encode());
        assertThat(read).isEqualTo(c);
        assertThat(ExactlyOnceCommand.is(c.encode())).isTrue();
        assertThat(ClientIdCommand.is(c.encode())).isFalse();
        assertThat(RetainedCommand.is(c.encode())).isFalse();

        byte[] newer = c.encode();
        newer[1] = 9;
        assertThatThrownBy(() -> ExactlyOnceCommand.decode(newer)).hasMessageContaining("unknown format 9");
    }

    /** [MQTT-4.3.3-10], [MQTT-4.4.0-1]: what one node's connection put is what the other node's resumes with. */
    @Test
    void aPutReachesEveryNodeOnceAppliedAndNoneForgetsTheSession() {
        Node a = new Node("n1/run");
        Node b = new Node("n2/run");
        long claim = a.claim("device");
        CompletableFuture<Void> put = a.ids.put("/", "device", claim, new Pending(List.of(7), List.of(3)));
        assertThat(put).isCompleted();
        assertThat(a.ids.pending("/", "device")).isEqualTo(Pending.NONE); // not before the log ordered it
        a.catchUp();
        b.catchUp();
        assertThat(b.ids.pending("/", "device")).isEqualTo(new Pending(List.of(7), List.of(3)));
        assertThat(b.ids.pending("other", "device")).isEqualTo(Pending.NONE);

        // The client resumes on b: b's claim holds the id, and b's put (PUBREL of 7 answered) replaces the whole state.
        long resumed = b.claim("device");
        a.catchUp();
        b.ids.put("/", "device", resumed, new Pending(List.of(), List.of(3)));
        a.catchUp();
        b.catchUp();
        assertThat(a.ids.pending("/", "device")).isEqualTo(new Pending(List.of(), List.of(3)));

        b.ids.put("/", "device", resumed, Pending.NONE);
        a.catchUp();
        b.catchUp();
        assertThat(a.ids.size()).isZero();
        assertThat(b.ids.size()).isZero();
    }

    @Test
    void aPutFromAConnectionThatLostTheClientIdIsNotApplied() {
        Node a = new Node("n1/run");
        Node b = new Node("n2/run");
        long first = a.claim("device");
        a.ids.put("/", "device", first, INBOUND_7);
        long second = b.claim("device"); // applies a's put, then its own claim
        assertThat(b.ids.pending("/", "device")).isEqualTo(INBOUND_7);
        b.ids.put("/", "device", second, Pending.NONE); // PUBREL of 7 on b: PUBCOMP once committed
        // a's connection, taken over, still had a put on its way (a PUBLISH it answered late).
        a.ids.put("/", "device", first, new Pending(List.of(7, 8), List.of()));
        a.catchUp();
        b.catchUp();
        assertThat(a.ids.pending("/", "device")).isEqualTo(Pending.NONE);
        assertThat(b.ids.pending("/", "device")).isEqualTo(Pending.NONE);

        // Once no connection holds the id (b's released, the session kept), an end without a connection applies.
        b.owners.release("/", "device", second);
        b.ids.put("/", "device", second, INBOUND_7);
        a.ids.put("/", "device", ClientIdClaims.LOCAL_CLAIM, Pending.NONE);
        a.catchUp();
        b.catchUp();
        assertThat(b.ids.pending("/", "device")).isEqualTo(Pending.NONE);
    }

    @Test
    void aNodeWithoutALeaderRefusesAtOnce() {
        Node a = new Node("n1/run");
        a.refusal = Optional.of("no leader");
        CompletableFuture<Void> put = a.ids.put("/", "device", 1, INBOUND_7);
        assertThat(put).isCompletedExceptionally();
        assertThat(log).isEmpty();
    }

    @Test
    void theSnapshotCarriesTheIdsAndRestoresExactly(@TempDir Path dir) throws Exception {
        Node a = new Node("n1/run");
        a.ids.put("/", "kept", a.claim("kept"), new Pending(List.of(1, 2), List.of(9)));
        a.catchUp();
        Path file = dir.resolve("snapshot.1_3");
        MetadataSnapshot.write(file, List.of(), a.owners.snapshot(), List.of(), a.ids.snapshot());
        MetadataSnapshot.Contents read = MetadataSnapshot.readAll(file);
        assertThat(read.clientIds()).hasSize(1);
        assertThat(read.exactlyOnce()).hasSize(1);

        // A node that applied a put since cleared (it fell behind the leader's purged log) gets the leader's snapshot.
        Node behind = new Node("n2/run");
        behind.ids.apply(new ExactlyOnceCommand("/", "cleared-meanwhile", "n1/run", 0, INBOUND_7));
        behind.owners.restore(read.clientIds());
        behind.ids.restore(read.exactlyOnce());
        assertThat(behind.ids.pending("/", "cleared-meanwhile")).isEqualTo(Pending.NONE);
        assertThat(behind.ids.pending("/", "kept")).isEqualTo(new Pending(List.of(1, 2), List.of(9)));
        assertThat(behind.ids.size()).isEqualTo(1);
    }

    /** A snapshot of a version before exactly-once ids ends after the retained messages: it loads with none. */
    @Test
    void aSnapshotWrittenBeforeTheIdsLoadsWithNone(@TempDir Path dir) throws Exception {
        Node a = new Node("n1/run");
        a.claim("device");
        Path file = dir.resolve("snapshot.1_1");
        MetadataSnapshot.write(file, List.of(), a.owners.snapshot(),
                List.of(new RetainedMessage("/", "sensors/1", new byte[] {1, 2})), List.of());
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(f.length() - Integer.BYTES); // the older layout: no count of exactly-once sessions at all
        }
        long size = Files.size(file);
        MetadataSnapshot.Contents read = MetadataSnapshot.readAll(file);
        assertThat(read.clientIds()).hasSize(1);
        assertThat(read.retained()).hasSize(1);
        assertThat(read.exactlyOnce()).isEmpty();
        assertThat(Files.size(file)).isEqualTo(size);

        Node restarted = new Node("n3/run");
        restarted.ids.apply(new ExactlyOnceCommand("/", "stale", "n1/run", 0, INBOUND_7));
        restarted.ids.restore(read.exactlyOnce());
        assertThat(restarted.ids.size()).isZero();
    }
}
