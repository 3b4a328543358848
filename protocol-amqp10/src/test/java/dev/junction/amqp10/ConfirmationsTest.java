package dev.junction.amqp10;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Session;
import org.junit.jupiter.api.Test;

class ConfirmationsTest {
    /** The event loop's queue of tasks, run by the test. */
    private final Queue<Runnable> loop = new ArrayDeque<>();
    private final List<String> applied = new ArrayList<>();

    private Confirmations confirmations() {
        return new Confirmations(loop::add, (d, ok) -> applied.add(tag(d) + (ok ? " accepted" : " released")),
                () -> applied.add("top-up"));
    }

    private static List<Delivery> transfers(int n) {
        Session session = org.apache.qpid.proton.engine.Connection.Factory.create().session();
        Receiver r = session.receiver("r");
        List<Delivery> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(r.delivery(new byte[] {(byte) ('a' + i)}));
        }
        return out;
    }

    private static String tag(Delivery d) {
        return new String(d.getTag(), java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Test
    void confirmationsThatArriveBeforeTheLoopRunsAreAppliedInOneTaskWithOneTopUp() {
        Confirmations c = confirmations();
        List<Delivery> t = transfers(3);
        c.completed(t.get(0), true);
        c.completed(t.get(1), false);
        c.completed(t.get(2), true);
        assertThat(loop).as("one task for the three").hasSize(1);
        assertThat(applied).as("nothing off the loop").isEmpty();
        loop.poll().run();
        assertThat(applied).containsExactly("a accepted", "b released", "c accepted", "top-up");
    }

    @Test
    void aConfirmationAfterADrainSchedulesTheNext() {
        Confirmations c = confirmations();
        List<Delivery> t = transfers(2);
        c.completed(t.get(0), true);
        loop.poll().run();
        c.completed(t.get(1), true);
        assertThat(loop).hasSize(1);
        loop.poll().run();
        assertThat(applied).containsExactly("a accepted", "top-up", "b accepted", "top-up");
    }
}
