package dev.junction.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/**
 * {@link SerialExecutor#executeOrRun}: a task for an idle mailbox runs on the caller's thread; otherwise it waits in
 * order behind what is there, and a thread already running a mailbox task never runs another inline.
 */
class SerialExecutorInlineTest {

    /** A pool that runs nothing until told to, so a test decides when the mailbox drains. */
    private static final class ManualPool implements Executor {
        final ArrayDeque<Runnable> scheduled = new ArrayDeque<>();

        @Override
        public void execute(Runnable r) {
            scheduled.add(r);
        }

        void runAll() {
            Runnable r;
            while ((r = scheduled.poll()) != null) {
                r.run();
            }
        }
    }

    @Test
    void anIdleMailboxRunsTheTaskOnTheCallersThread() {
        ManualPool pool = new ManualPool();
        SerialExecutor mailbox = SerialExecutor.batching(pool, "test");
        List<Thread> ranOn = new ArrayList<>();
        mailbox.executeOrRun(() -> ranOn.add(Thread.currentThread()));
        assertThat(ranOn).containsExactly(Thread.currentThread());
        assertThat(pool.scheduled).isEmpty();
        assertThat(mailbox.backlog()).isZero();
    }

    @Test
    void aTaskForABusyMailboxWaitsBehindTheTasksAlreadyThere() {
        ManualPool pool = new ManualPool();
        SerialExecutor mailbox = SerialExecutor.batching(pool, "test");
        List<String> order = new ArrayList<>();
        mailbox.execute(() -> order.add("first"));
        mailbox.executeOrRun(() -> order.add("second"));
        assertThat(order).isEmpty();
        pool.runAll();
        assertThat(order).containsExactly("first", "second");

        mailbox.executeOrRun(() -> order.add("third")); // idle again
        assertThat(order).containsExactly("first", "second", "third");
    }

    @Test
    void tasksSubmittedWhileAnInlineTaskRunsAreDrainedAfterItInOrder() {
        ManualPool pool = new ManualPool();
        SerialExecutor mailbox = SerialExecutor.batching(pool, "test");
        List<String> order = new ArrayList<>();
        mailbox.executeOrRun(() -> {
            order.add("inline");
            mailbox.execute(() -> order.add("posted during it"));
            mailbox.executeOrRun(() -> order.add("inline during it"));
            order.add("inline done");
        });
        assertThat(order).containsExactly("inline", "inline done");
        pool.runAll();
        assertThat(order).containsExactly("inline", "inline done", "posted during it", "inline during it");
    }

    @Test
    void aThreadRunningAMailboxTaskQueuesAnotherMailboxsTaskInsteadOfNestingIt() {
        ManualPool pool = new ManualPool();
        SerialExecutor a = SerialExecutor.batching(pool, "a");
        SerialExecutor b = SerialExecutor.batching(pool, "b");
        List<String> order = new ArrayList<>();
        a.execute(() -> {
            b.executeOrRun(() -> order.add("b"));
            order.add("a");
        });
        pool.runAll();
        assertThat(order).containsExactly("a", "b");

        a.executeOrRun(() -> {
            b.executeOrRun(() -> order.add("b again"));
            order.add("a inline");
        });
        assertThat(order).containsExactly("a", "b", "a inline");
        pool.runAll();
        assertThat(order).containsExactly("a", "b", "a inline", "b again");
    }
}
