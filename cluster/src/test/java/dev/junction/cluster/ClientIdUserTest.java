package dev.junction.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ClientIdClaims;
import dev.junction.routing.api.ErrorKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user a client id belongs to in the owner registry, with a hand-driven log applied by two registries: a claim
 * by another user while the id's session lives is refused on every node and changes nothing, whether a connection
 * holds the id or its session waits without one; the id is free for anyone once the session ended.
 */
class ClientIdUserTest {

    private final List<byte[]> log = new ArrayList<>();

    private final class Node {
        final List<String> lost = new ArrayList<>();
        final ClientIdOwners owners;
        int applied;

        Node(String origin) {
            owners = new ClientIdOwners(origin, entry -> {
                log.add(entry);
                return CompletableFuture.completedFuture(null);
            }, Optional::empty);
            owners.onLost((vhost, clientId) -> lost.add(vhost + " " + clientId));
        }

        void catchUp() {
            for (; applied < log.size(); applied++) {
                owners.apply(ClientIdCommand.decode(log.get(applied)));
            }
        }
    }

    @Test
    void anotherUsersClaimIsRefusedEverywhereAndTheOwnerKeepsTheId() {
        Node a = new Node("n1/run");
        Node b = new Node("n2/run");
        long alice = claimed(a, "device", "alice");
        CompletableFuture<Long> bob = b.owners.claim("/", "device", "bob");
        a.catchUp();
        b.catchUp();
        // Wrapped as the caller sees it (ConnectFlow unwraps the CompletionException).
        assertThat(bob.handle((ok, e) -> e.getCause()).join()).isInstanceOf(BrokerException.class)
                .satisfies(e -> assertThat(((BrokerException) e).kind()).isEqualTo(ErrorKind.ACCESS_REFUSED))
                .hasMessageContaining("client id 'device'");
        assertThat(a.owners.holds("/", "device", alice)).isTrue();
        assertThat(a.lost).isEmpty();
        assertThat(b.owners.snapshot()).isEqualTo(a.owners.snapshot());

        // The same user takes it over from the other node as before.
        long again = claimed(b, "device", "alice");
        a.catchUp();
        assertThat(b.owners.holds("/", "device", again)).isTrue();
        assertThat(a.lost).containsExactly("/ device");
    }

    @Test
    void aReleasedIdStaysItsUsersUntilTheSessionEnds() {
        Node a = new Node("n1/run");
        Node b = new Node("n2/run");
        long alice = claimed(a, "device", "alice");
        a.owners.release("/", "device", alice); // the connection went, its session stays
        a.catchUp();
        CompletableFuture<Long> bob = b.owners.claim("/", "device", "bob");
        b.catchUp();
        assertThat(bob).isCompletedExceptionally();

        a.owners.ended("/", "device", ClientIdClaims.LOCAL_CLAIM); // the session expired
        a.catchUp();
        b.catchUp();
        assertThat(a.owners.size()).isZero();
        long bobs = claimed(b, "device", "bob");
        a.catchUp();
        assertThat(a.owners.holds("/", "device", bobs)).isFalse();
        assertThat(b.owners.holds("/", "device", bobs)).isTrue();
    }

    @Test
    void aCleanSessionsEndFreesTheIdAtOnce() {
        Node a = new Node("n1/run");
        Node b = new Node("n2/run");
        long alice = claimed(a, "device", "alice");
        a.owners.ended("/", "device", alice);
        a.catchUp();
        long bob = claimed(b, "device", "bob");
        assertThat(b.owners.holds("/", "device", bob)).isTrue();
    }

    @Test
    void anEndWithoutAConnectionLeavesAHeldIdAlone() {
        Node a = new Node("n1/run");
        Node b = new Node("n2/run");
        long alice = claimed(a, "device", "alice");
        b.catchUp();
        // A session that expired on node b while node a's connection holds the id: nothing to end.
        int entries = log.size();
        b.owners.ended("/", "device", ClientIdClaims.LOCAL_CLAIM);
        assertThat(log).hasSize(entries);
        // Nor when the entry arrives anyway (b had not applied the claim yet when it submitted it).
        b.owners.apply(new ClientIdCommand(ClientIdCommand.Op.END, "/", "device", "n2/run", 0));
        assertThat(b.owners.size()).isEqualTo(1);
        assertThat(b.owners.snapshot()).isEqualTo(a.owners.snapshot());
        assertThat(a.owners.holds("/", "device", alice)).isTrue();
    }

    @Test
    void anIdClaimedBeforeClaimsNamedTheirUserIsAnyUsers() {
        Node a = new Node("n1/run");
        a.owners.apply(new ClientIdCommand(ClientIdCommand.Op.CLAIM, "/", "device", "n0/old", 7));
        assertThat(ClientIdCommand.decode(new ClientIdCommand(ClientIdCommand.Op.CLAIM, "/", "device", "n0/old", 7)
                .encode()).user()).isNull();
        long bob = claimed(a, "device", "bob");
        assertThat(a.owners.holds("/", "device", bob)).isTrue();
    }

    @Test
    void theSnapshotCarriesUsersAndReleasedIds(@TempDir Path dir) throws Exception {
        Node a = new Node("n1/run");
        claimed(a, "live", "alice");
        long kept = claimed(a, "kept", "alice");
        a.owners.release("/", "kept", kept);
        a.catchUp();
        Path file = dir.resolve("snapshot.1_4");
        MetadataSnapshot.write(file, List.of(), a.owners.snapshot(), List.of());

        Node restarted = new Node("n2/run");
        restarted.owners.restore(MetadataSnapshot.readAll(file).clientIds());
        assertThat(restarted.owners.snapshot()).containsExactlyInAnyOrderElementsOf(a.owners.snapshot());
        log.clear();
        CompletableFuture<Long> bob = restarted.owners.claim("/", "kept", "bob");
        restarted.catchUp();
        assertThat(bob).isCompletedExceptionally();
        long alice = claimed(restarted, "kept", "alice");
        assertThat(restarted.owners.holds("/", "kept", alice)).isTrue();
    }

    private long claimed(Node n, String clientId, String user) {
        CompletableFuture<Long> claim = n.owners.claim("/", clientId, user);
        n.catchUp();
        return claim.join();
    }
}
