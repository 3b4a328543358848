package dev.junction.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ClientIdClaims;
import dev.junction.storage.Definition;
import dev.junction.storage.DefinitionKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client-id owner registry with a hand-driven log: two nodes submit to one list of entries, and each applies
 * the list in its order, as the metadata group's state machines do. The latest committed claim wins everywhere, the
 * node that lost its claim is told, and a node without a leader grants nothing.
 */
class ClientIdOwnersTest {

    /** The log: entries in commit order. */
    private final List<byte[]> log = new ArrayList<>();

    private final class Node {
        final List<String> lost = new ArrayList<>();
        final List<String> elsewhere = new ArrayList<>();
        final ClientIdOwners owners;
        Optional<String> refusal = Optional.empty();
        int applied;

        Node(String origin) {
            owners = new ClientIdOwners(origin, entry -> {
                log.add(entry);
                return CompletableFuture.completedFuture(null);
            }, () -> refusal);
            owners.onLost((vhost, clientId) -> lost.add(vhost + " " + clientId));
            owners.onClaimedElsewhere((vhost, clientId) -> elsewhere.add(vhost + " " + clientId));
        }

        /** Applies the log's entries it has not applied yet, in order. */
        void catchUp() {
            for (; applied < log.size(); applied++) {
                owners.apply(ClientIdCommand.decode(log.get(applied)));
            }
        }
    }

    @Test
    void aClaimIsGrantedWhenThisNodeAppliesIt() {
        Node a = new Node("n1/run");
        CompletableFuture<Long> claim = a.owners.claim("/", "device", "guest");
        assertThat(claim).isNotDone();
        a.catchUp();
        assertThat(claim).isCompleted();
        assertThat(a.owners.holds("/", "device", claim.join())).isTrue();
        assertThat(a.owners.holds("other", "device", claim.join())).isFalse();
    }

    @Test
    void theLaterCommittedClaimWinsOnEveryNodeAndTheLoserIsTold() {
        Node a = new Node("n1/run");
        Node b = new Node("n2/run");
        CompletableFuture<Long> first = a.owners.claim("/", "device", "guest");
        CompletableFuture<Long> second = b.owners.claim("/", "device", "guest");
        a.catchUp();
        b.catchUp();
        assertThat(first).isCompleted();
        assertThat(second).isCompleted();
        assertThat(a.owners.holds("/", "device", first.join())).isFalse();
        assertThat(b.owners.holds("/", "device", second.join())).isTrue();
        assertThat(a.lost).containsExactly("/ device");
        assertThat(b.lost).isEmpty();

        // In the other order of commits the other node wins: the log decides, not the nodes.
        CompletableFuture<Long> again = a.owners.claim("/", "device", "guest");
        a.catchUp();
        b.catchUp();
        assertThat(a.owners.holds("/", "device", again.join())).isTrue();
        assertThat(b.lost).containsExactly("/ device");
    }

    /**
     * A node whose connection left (its claim released, the session kept) is told when the client id is claimed on
     * another node, though it lost no claim: its pending delayed will must not go out [MQTT-3.1.3-9]. The node
     * that claimed is not told of its own claim.
     */
    @Test
    void everyNodeIsToldOfAClaimMadeElsewhereEvenAfterItsOwnWasReleased() {
        Node a = new Node("n1/run");
        Node b = new Node("n2/run");
        long claim = claimed(a, "device");
        a.owners.release("/", "device", claim);
        a.catchUp();
        CompletableFuture<Long> resumed = b.owners.claim("/", "device", "guest");
        a.catchUp();
        b.catchUp();
        assertThat(resumed).isCompleted();
        assertThat(a.lost).as("no claim of n1 held the id any more").isEmpty();
        assertThat(a.elsewhere).containsExactly("/ device");
        assertThat(b.elsewhere).as("n1's claim, before n2's").containsExactly("/ device");
        assertThat(b.lost).isEmpty();
        assertThat(a.owners.heldElsewhere("/", "device")).as("n2's connection holds it").isTrue();
        assertThat(b.owners.heldElsewhere("/", "device")).as("n2's own").isFalse();
        b.owners.release("/", "device", resumed.join());
        a.catchUp();
        assertThat(a.owners.heldElsewhere("/", "device")).as("released: held by no connection").isFalse();
    }

    /**
     * A node that stopped while it kept a session learns, as it catches up, that the client connected to another
     * node after its own last claim, even though that connection has gone since (its claim released): its record
     * of the session was superseded there, so its will must not go out [MQTT-3.1.3-9]. A later claim of its own
     * makes the record its own again.
     */
    @Test
    void theNodeOfTheLatestClaimIsRememberedAfterItsRelease() {
        Node before = new Node("n1/run1");
        Node b = new Node("n2/run");
        claimed(before, "device");
        assertThat(before.owners.lastClaimedElsewhere("/", "device")).as("its own claim").isFalse();
        long resumed = claimed(b, "device");
        b.owners.release("/", "device", resumed);
        Node after = new Node("n1/run2");
        after.catchUp();
        assertThat(after.owners.heldElsewhere("/", "device")).as("released: held by no connection").isFalse();
        assertThat(after.owners.lastClaimedElsewhere("/", "device")).as("n2's claim, released").isTrue();
        b.catchUp();
        assertThat(b.owners.lastClaimedElsewhere("/", "device")).as("n2's own").isFalse();

        long back = claimed(after, "device");
        after.owners.release("/", "device", back);
        after.catchUp();
        assertThat(after.owners.lastClaimedElsewhere("/", "device")).as("its own again").isFalse();
        assertThat(after.owners.lastClaimedElsewhere("/", "other")).as("never claimed").isFalse();
    }

    /**
     * The node of a released claim travels in the snapshot, in the release's run, which a node of the version
     * before ignored; a snapshot of that version names no run there and tells nothing (the node falls back to
     * whether a connection holds the id).
     */
    @Test
    void theNodeOfAReleasedClaimTravelsInTheSnapshotAndAnOlderSnapshotTellsNothing(@TempDir Path dir)
            throws Exception {
        Node b = new Node("n2/run");
        b.owners.release("/", "device", claimed(b, "device"));
        b.catchUp();
        Path file = dir.resolve("snapshot.1_2");
        MetadataSnapshot.write(file, List.of(), b.owners.snapshot(), List.of());
        Node restarted = new Node("n1/run2");
        restarted.owners.restore(MetadataSnapshot.readAll(file).clientIds());
        assertThat(restarted.owners.lastClaimedElsewhere("/", "device")).isTrue();
        assertThat(restarted.owners.heldElsewhere("/", "device")).isFalse();

        Path older = dir.resolve("snapshot.1_3");
        MetadataSnapshot.write(older, List.of(),
                List.of(new ClientIdCommand(ClientIdCommand.Op.RELEASE, "/", "device", "", 0, "guest")), List.of());
        Node fromOlder = new Node("n1/run3");
        fromOlder.owners.restore(MetadataSnapshot.readAll(older).clientIds());
        assertThat(fromOlder.owners.size()).isEqualTo(1);
        assertThat(fromOlder.owners.lastClaimedElsewhere("/", "device")).isFalse();
    }

    /** A claim made by an earlier run of this node is still this node's, not another node's. */
    @Test
    void aClaimOfThisNodesEarlierRunIsNotHeldElsewhere() {
        Node before = new Node("n1/run1");
        claimed(before, "device");
        Node after = new Node("n1/run2");
        after.catchUp();
        assertThat(after.owners.heldElsewhere("/", "device")).isFalse();
        Node other = new Node("n2/run");
        other.catchUp();
        assertThat(other.owners.heldElsewhere("/", "device")).isTrue();
    }

    @Test
    void aNewerClaimOfTheSameNodeIsNoLoss() {
        Node a = new Node("n1/run");
        CompletableFuture<Long> first = a.owners.claim("/", "device", "guest");
        CompletableFuture<Long> second = a.owners.claim("/", "device", "guest");
        a.catchUp();
        assertThat(a.owners.holds("/", "device", first.join())).isFalse();
        assertThat(a.owners.holds("/", "device", second.join())).isTrue();
        assertThat(a.lost).isEmpty(); // the protocol's own takeover on this node closes the older connection
    }

    @Test
    void aReleaseFreesTheIdOnlyWhileItsClaimHoldsIt() {
        Node a = new Node("n1/run");
        Node b = new Node("n2/run");
        long claim = claimed(a, "device");
        b.catchUp();
        assertThat(b.owners.size()).isEqualTo(1);
        a.owners.release("/", "device", claim);
        a.catchUp();
        b.catchUp();
        assertThat(a.owners.holds("/", "device", claim)).isFalse();
        // The session stays, so its user stays remembered until the session ends.
        assertThat(a.owners.size()).isEqualTo(1);
        a.owners.ended("/", "device", ClientIdClaims.LOCAL_CLAIM);
        a.catchUp();
        b.catchUp();
        assertThat(a.owners.size()).isZero();
        assertThat(b.owners.size()).isZero();

        long overtaken = claimed(a, "device");
        long winner = claimed(b, "device");
        a.catchUp();
        int entries = log.size();
        a.owners.release("/", "device", overtaken);
        assertThat(log).hasSize(entries); // nothing to release: b's claim replaced it everywhere
        assertThat(b.owners.holds("/", "device", winner)).isTrue();
    }

    @Test
    void aServerAssignedIdClaimsNothingAndIsAlwaysHeld() {
        Node a = new Node("n1/run");
        assertThat(a.owners.holds("/", "junction-1", ClientIdClaims.LOCAL_CLAIM)).isTrue();
        a.owners.release("/", "junction-1", ClientIdClaims.LOCAL_CLAIM);
        assertThat(log).isEmpty();
    }

    @Test
    void withoutALeaderNothingIsSubmittedAndTheClaimFails() {
        Node a = new Node("n1/run");
        a.refusal = Optional.of("cluster node 'n1' has no leader for the metadata group");
        CompletableFuture<Long> claim = a.owners.claim("/", "device", "guest");
        assertThat(claim).isCompletedExceptionally();
        assertThat(claim.handle((ok, e) -> e).join()).isInstanceOf(BrokerException.class)
                .hasMessageContaining("cannot claim client id 'device'").hasMessageContaining("no leader");
        assertThat(log).isEmpty();
    }

    @Test
    void aClaimTheLogDidNotCommitFails() {
        ClientIdOwners owners = new ClientIdOwners("n1/run",
                entry -> CompletableFuture.failedFuture(new IllegalStateException("timed out")), Optional::empty);
        assertThat(owners.claim("/", "device", "guest").handle((ok, e) -> e).join())
                .hasMessageContaining("did not commit the claim");
    }

    @Test
    void theRegistryTravelsInTheSnapshotAndAnInstalledOneTellsWhatWasLost(@TempDir Path dir) throws Exception {
        Node a = new Node("n1/run");
        Node b = new Node("n2/run");
        claimed(a, "kept");
        claimed(a, "taken");
        claimed(b, "taken");
        b.catchUp();
        Path file = dir.resolve("snapshot.1_3");
        Definition queue = new Definition(DefinitionKind.QUEUE, "/", "q", new byte[] {1});
        MetadataSnapshot.write(file, List.of(queue), b.owners.snapshot(), List.of());
        MetadataSnapshot.Contents read = MetadataSnapshot.readAll(file);
        assertThat(read.definitions()).hasSize(1);
        assertThat(read.clientIds()).hasSize(2);

        Node restarted = new Node("n3/run");
        restarted.owners.restore(read.clientIds());
        assertThat(restarted.owners.size()).isEqualTo(2);
        assertThat(restarted.lost).isEmpty();

        // A node of a's run that never applied b's claim of "taken" (it fell behind the leader's purged log) gets
        // the leader's snapshot installed: its connection of "taken" lost, "kept" still its own.
        Node behind = new Node("n1/run");
        behind.owners.apply(new ClientIdCommand(ClientIdCommand.Op.CLAIM, "/", "taken", "n1/run", 2));
        behind.owners.restore(read.clientIds());
        assertThat(behind.lost).containsExactly("/ taken");
        assertThat(behind.owners.holds("/", "kept", 1)).isTrue();
    }

    @Test
    void entriesRoundTripAndAreNoDefinitionEntries() {
        ClientIdCommand c = new ClientIdCommand(ClientIdCommand.Op.RELEASE, "/", "dev\u00e9", "n2/abc", 42);
        byte[] bytes = c.encode();
        assertThat(ClientIdCommand.is(bytes)).isTrue();
        assertThat(ClientIdCommand.decode(bytes)).isEqualTo(c);
        assertThat(ClientIdCommand.is(MetadataCommand.put(new Definition(DefinitionKind.VHOST, "/", "/",
                new byte[0])).encode())).isFalse();
        assertThat(bytes.length).isLessThan(40);
    }

    private long claimed(Node n, String clientId) {
        return claimed(n, clientId, "guest");
    }

    private long claimed(Node n, String clientId, String user) {
        CompletableFuture<Long> claim = n.owners.claim("/", clientId, user);
        n.catchUp();
        return claim.join();
    }
}
