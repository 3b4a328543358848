package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.Engine;
import dev.junction.routing.api.Vhost;
import dev.junction.storage.memory.InMemoryMessageStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Share groups (MQTT 5 section 4.8.2) change membership and their queue together on the group's serial lane: the
 * queue exists exactly while the group has members, however joins and leaves interleave, and no lock is held
 * across the engine calls that declare, bind and delete it.
 */
class ShareGroupsTest {
    private static final String QUEUE = TopicMapping.shareQueue("g", "a/b");

    private final RoutingEngine routing = new RoutingEngine(new InMemoryMessageStore(), new SimpleMeterRegistry(), 1);
    private final Vhost vhost = Engine.of(routing).createVhost("/");
    private final ClientLanes lanes = new ClientLanes(2, "share-groups-test", "group");
    private final ShareGroups groups = new ShareGroups(vhost, "amq.topic", lanes);

    @AfterEach
    void close() {
        lanes.close();
        routing.close();
    }

    @Test
    void theFirstMemberDeclaresAndBindsTheQueueAndTheLastOneDeletesIt() throws Exception {
        groups.join(QUEUE, "a.b", "c1", false).get(5, TimeUnit.SECONDS);
        groups.join(QUEUE, "a.b", "c2", false).get(5, TimeUnit.SECONDS);
        assertThat(vhost.queue(QUEUE)).isPresent();
        assertThat(vhost.bindingsTo(QUEUE)).singleElement().satisfies(b -> {
            assertThat(b.routingKey()).isEqualTo("a.b");
            assertThat(b.arguments()).containsKey(Binding.MQTT_FILTER_ARGUMENT);
        });
        groups.leave(QUEUE, "c1");
        settled();
        assertThat(vhost.queue(QUEUE)).as("one member left").isPresent();
        groups.leave(QUEUE, "c2");
        settled();
        assertThat(vhost.queue(QUEUE)).as("the last member left").isEmpty();
    }

    @Test
    void aMemberJoiningWhileTheLastOneLeavesFindsItsQueue() throws Exception {
        for (int round = 0; round < 200; round++) {
            groups.join(QUEUE, "a.b", "old", false).get(5, TimeUnit.SECONDS);
            groups.leave(QUEUE, "old");
            CompletableFuture<Void> joined = groups.join(QUEUE, "a.b", "new", false);
            joined.get(5, TimeUnit.SECONDS);
            assertThat(vhost.queue(QUEUE)).as("round %d", round).isPresent();
            groups.leave(QUEUE, "new");
            settled();
            assertThat(vhost.queue(QUEUE)).as("round %d, all gone", round).isEmpty();
        }
    }

    @Test
    void joinsAndLeavesFromManyThreadsLeaveTheQueueExactlyWhileMembersRemain() throws Exception {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String member = "c" + i;
            all.add(CompletableFuture.runAsync(() -> {
                groups.join(QUEUE, "a.b", member, false).join();
                if (!member.equals("c7")) {
                    groups.leave(QUEUE, member);
                }
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        settled();
        assertThat(vhost.queue(QUEUE)).as("c7 is still a member").isPresent();
        groups.leave(QUEUE, "c7");
        settled();
        assertThat(vhost.queue(QUEUE)).isEmpty();
    }

    /** Waits until the lanes ran what was asked (a leave returns before its lane ran it). */
    private void settled() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (lanes.active() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(lanes.active()).isZero();
    }
}
