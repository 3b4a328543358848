package dev.junction.routing.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Wake-ups wait for the outermost close of the batch open on their thread, in order, and are never lost. */
class HandoverBatchTest {
    private final List<String> woken = new ArrayList<>();

    @Test
    void withoutABatchAWakeUpRunsAtOnce() {
        HandoverBatch.wake(() -> woken.add("a"));
        assertThat(woken).containsExactly("a");
    }

    @Test
    void insideNestedBatchesWakeUpsWaitForTheOutermostCloseInOrder() {
        HandoverBatch.open();
        HandoverBatch.wake(() -> woken.add("a"));
        HandoverBatch.open();
        HandoverBatch.wake(() -> woken.add("b"));
        HandoverBatch.close();
        assertThat(woken).isEmpty();
        HandoverBatch.close();
        assertThat(woken).containsExactly("a", "b");
        HandoverBatch.wake(() -> woken.add("c"));
        assertThat(woken).containsExactly("a", "b", "c");
    }

    @Test
    void aFailingWakeUpDoesNotStopTheOthersAndIsRethrown() {
        HandoverBatch.open();
        HandoverBatch.wake(() -> {
            throw new IllegalStateException("rejected");
        });
        HandoverBatch.wake(() -> woken.add("b"));
        assertThatThrownBy(HandoverBatch::close).hasMessage("rejected");
        assertThat(woken).containsExactly("b");
        HandoverBatch.wake(() -> woken.add("c")); // the batch is closed: nothing is held any more
        assertThat(woken).containsExactly("b", "c");
    }

    @Test
    void aWakeUpThatHandsOverWorkOfItsOwnHasItWokenAfterIt() {
        HandoverBatch.open();
        HandoverBatch.wake(() -> {
            HandoverBatch.open();
            HandoverBatch.wake(() -> woken.add("inner"));
            HandoverBatch.close();
            woken.add("outer");
        });
        HandoverBatch.close();
        assertThat(woken).containsExactly("outer", "inner");
    }
}
