package dev.junction.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.api.ClientIdClaims;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tombstone an MQTT session leaves in the client-id registry when it ends after it moved between nodes, so that
 * a node that kept the session from an earlier connection, and was down when the session ended elsewhere, learns as
 * it catches up that its record was superseded and sends none of its will [MQTT-3.1.3-9]. Same hand-driven log as
 * {@link ClientIdOwnersTest}, with a clock of the test's own for the tombstones' time bound.
 */
class ClientIdTombstoneTest {

    private static final long KEPT_MS = 60_000;

    /** The log: entries in commit order. */
    private final List<byte[]> log = new ArrayList<>();
    private final AtomicLong clock = new AtomicLong(1_000_000);

    private final class Node {
        final List<String> lost = new ArrayList<>();
        final ClientIdOwners owners;
        int applied;

        Node(String origin) {
            this(origin, EndedSessions.MAX_TOMBSTONES);
        }

        Node(String origin, int maxTombstones) {
            owners = new ClientIdOwners(origin, entry -> {
                log.add(entry);
                return CompletableFuture.completedFuture(null);
            }, Optional::empty, () -> CompletableFuture.completedFuture(null),
                    new EndedSessions(KEPT_MS, maxTombstones, clock::get));
            owners.onLost((vhost, clientId) -> lost.add(clientId));
        }

        void catchUp() {
            for (; applied < log.size(); applied++) {
                owners.apply(ClientIdCommand.decode(log.get(applied)));
            }
        }
    }

    /**
     * Node 1 keeps a persistent session (its connection released the id); while it is down the client connects to
     * node 2 with Clean Start and leaves with Session Expiry 0, which ends the session there. Node 1, back, finds
     * the id claimed last on node 2 although no session of it lives anywhere; the id is any user's, as any ended
     * session's, and the next claim replaces the tombstone.
     */
    @Test
    void aSessionThatEndedAfterItMovedTellsTheNodeOfItsEarlierRecord() {
        Node before = new Node("n1/run1");
        Node b = new Node("n2/run");
        before.owners.release("/", "device", claimed(before, "device", "alice"));
        before.catchUp();
        b.owners.ended("/", "device", claimed(b, "device", "alice")); // Clean Start there, then Session Expiry 0
        b.catchUp();

        Node after = new Node("n1/run2");
        after.catchUp();
        assertThat(after.owners.heldElsewhere("/", "device")).as("no connection holds it").isFalse();
        assertThat(after.owners.lastClaimedElsewhere("/", "device"))
                .as("its session ended on node 2, after node 1's record").isTrue();
        assertThat(b.owners.lastClaimedElsewhere("/", "device")).as("node 2's own").isFalse();

        int entries = log.size();
        after.owners.ended("/", "device", ClientIdClaims.LOCAL_CLAIM);
        assertThat(log).as("an ended session is not ended again").hasSize(entries);

        long bob = claimed(after, "device", "bob");
        assertThat(after.owners.holds("/", "device", bob)).as("an ended session's id is any user's").isTrue();
        after.owners.ended("/", "device", bob);
        after.catchUp();
        assertThat(after.owners.lastClaimedElsewhere("/", "device")).as("its own claim replaced the tombstone")
                .isFalse();
    }

    /** A session that resumed on node 2 and expired there leaves the same tombstone (an end without a claim). */
    @Test
    void aSessionThatExpiredOnAnotherNodeAfterItMovedLeavesATombstoneToo() {
        Node a = new Node("n1/run");
        Node b = new Node("n2/run");
        a.owners.release("/", "device", claimed(a, "device", "guest"));
        long resumed = claimed(b, "device", "guest");
        b.owners.release("/", "device", resumed);
        b.catchUp();
        b.owners.ended("/", "device", ClientIdClaims.LOCAL_CLAIM); // its expiry on node 2
        a.catchUp();
        b.catchUp();
        assertThat(a.owners.size()).isEqualTo(1);
        assertThat(a.owners.lastClaimedElsewhere("/", "device")).isTrue();
    }

    /**
     * The churning case: a client with a fresh id per connection, or a device that stays on one node, never has a
     * record on another node, and its end leaves nothing, as before.
     */
    @Test
    void aSessionThatNeverMovedLeavesNothingWhenItEnds() {
        Node a = new Node("n1/run");
        Node b = new Node("n2/run");
        a.owners.ended("/", "clean", claimed(a, "clean", "guest"));
        a.owners.release("/", "device", claimed(a, "device", "guest"));
        a.catchUp();
        a.owners.ended("/", "device", claimed(a, "device", "guest"));
        a.catchUp();
        b.catchUp();
        assertThat(a.owners.size()).isZero();
        assertThat(b.owners.size()).isZero();
    }

    /**
     * Tombstones are dropped after their time (the longest session expiry) and beyond their count, oldest first;
     * one that a later claim replaced is that claim's entry, which stays.
     */
    @Test
    void tombstonesAreBoundedByTimeAndByCount() {
        Node a = new Node("n1/run", 2);
        Node b = new Node("n2/run", 2);
        for (String id : List.of("d1", "d2", "d3")) {
            a.owners.release("/", id, claimed(a, id, "guest"));
            a.catchUp();
            b.owners.ended("/", id, claimed(b, id, "guest"));
            b.catchUp();
            clock.addAndGet(1);
        }
        a.catchUp();
        assertThat(a.owners.lastClaimedElsewhere("/", "d1")).as("the oldest, past the count").isFalse();
        assertThat(a.owners.lastClaimedElsewhere("/", "d2")).isTrue();
        assertThat(a.owners.lastClaimedElsewhere("/", "d3")).isTrue();
        assertThat(a.owners.size()).isEqualTo(2);

        long again = claimed(b, "d2", "guest"); // replaces d2's tombstone
        clock.addAndGet(KEPT_MS);
        a.owners.release("/", "other", claimed(a, "other", "guest")); // any entry applies the time bound
        a.catchUp();
        assertThat(a.owners.lastClaimedElsewhere("/", "d3")).as("past its time").isFalse();
        assertThat(a.owners.heldElsewhere("/", "d2")).as("the later claim stays").isTrue();
        assertThat(b.owners.holds("/", "d2", again)).isTrue();
        assertThat(a.owners.size()).isEqualTo(2); // d2 held, "other" released
    }

    /**
     * Tombstones and whether a session moved travel in the snapshot. An end entry there is, to a node of the
     * version before, a release without a user naming the run of the latest claim (what it needs to tell a
     * superseded record), which it writes back as such: read again, that is a tombstone with its time.
     */
    @Test
    void tombstonesAndMovesTravelInTheSnapshot(@TempDir Path dir) throws Exception {
        Node a = new Node("n1/run");
        Node b = new Node("n2/run");
        a.owners.release("/", "ended", claimed(a, "ended", "guest"));
        a.catchUp();
        b.owners.ended("/", "ended", claimed(b, "ended", "guest"));
        a.owners.release("/", "moved", claimed(a, "moved", "guest"));
        a.catchUp();
        b.owners.release("/", "moved", claimed(b, "moved", "guest"));
        b.catchUp();
        Path file = dir.resolve("snapshot.1_9");
        MetadataSnapshot.write(file, List.of(), b.owners.snapshot(), List.of());
        List<ClientIdCommand> read = MetadataSnapshot.readAll(file).clientIds();
        assertThat(read).contains(new ClientIdCommand(ClientIdCommand.Op.END, "/", "ended", "n2/run", clock.get(),
                null));

        Node restored = new Node("n1/run2");
        restored.owners.restore(read);
        assertThat(restored.owners.lastClaimedElsewhere("/", "ended")).isTrue();
        assertThat(restored.owners.lastClaimedElsewhere("/", "moved")).isTrue();
        restored.applied = log.size();
        b.owners.ended("/", "moved", ClientIdClaims.LOCAL_CLAIM); // it expires on node 2
        restored.catchUp();
        assertThat(restored.owners.lastClaimedElsewhere("/", "moved")).as("it had moved: a tombstone").isTrue();

        // As a node of the version before writes the tombstone back.
        Node fromOlder = new Node("n1/run3");
        fromOlder.owners.restore(List.of(new ClientIdCommand(ClientIdCommand.Op.RELEASE, "/", "ended", "n2/run",
                clock.get(), null)));
        assertThat(fromOlder.owners.lastClaimedElsewhere("/", "ended")).isTrue();
        clock.addAndGet(KEPT_MS);
        fromOlder.owners.apply(new ClientIdCommand(ClientIdCommand.Op.RELEASE, "/", "none", "n2/run", 5));
        assertThat(fromOlder.owners.size()).as("kept from the time it ended").isZero();
    }

    /**
     * A snapshot written before the move was kept has no byte for it: its ids count as moved (a node may hold a
     * stale record of any of them), so their end leaves a tombstone. The byte follows the user, so a decoder of the
     * version before, which stops after the user, reads the same entry.
     */
    @Test
    void anOlderSnapshotsIdsCountAsMovedAndTheNewByteFollowsTheUser() {
        Node a = new Node("n1/run");
        a.owners.restore(List.of(new ClientIdCommand(ClientIdCommand.Op.RELEASE, "/", "device", "n1/run", 0,
                "guest")));
        a.owners.ended("/", "device", ClientIdClaims.LOCAL_CLAIM);
        a.catchUp();
        assertThat(a.owners.size()).isEqualTo(1);

        ClientIdCommand withMove = new ClientIdCommand(ClientIdCommand.Op.CLAIM, "/", "device", "n1/run", 3, "guest",
                true);
        byte[] bytes = withMove.encode();
        byte[] older = new ClientIdCommand(ClientIdCommand.Op.CLAIM, "/", "device", "n1/run", 3, "guest").encode();
        assertThat(Arrays.copyOf(bytes, bytes.length - 1)).as("the entry of the version before, then one byte")
                .isEqualTo(older);
        assertThat(ClientIdCommand.decode(bytes)).isEqualTo(withMove);
        assertThat(ClientIdCommand.decode(older).moved()).isNull();
    }

    /**
     * Nodes may disagree on whether an id moved (each drops its tombstones on its own clock, and one restored from
     * an older snapshot counts every id as moved): a leader's snapshot installed on a node that holds the same
     * claim does not take its connection away.
     */
    @Test
    void anInstalledSnapshotThatCountsAClaimAsMovedLeavesItsConnection() {
        Node a = new Node("n1/run");
        long claim = claimed(a, "device", "guest");
        a.owners.restore(List.of(new ClientIdCommand(ClientIdCommand.Op.CLAIM, "/", "device", "n1/run", claim,
                "guest", true)));
        assertThat(a.lost).isEmpty();
        assertThat(a.owners.holds("/", "device", claim)).isTrue();
    }

    private long claimed(Node n, String clientId, String user) {
        CompletableFuture<Long> claim = n.owners.claim("/", clientId, user);
        n.catchUp();
        return claim.join();
    }
}
