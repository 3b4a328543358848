package dev.junction.routing.queue;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** RabbitMQ's consumer_utilisation: the share of the time with consumers in which they could take a message. */
class ConsumerUtilisationTest {

    @Test
    void noConsumerNoValue() {
        ConsumerUtilisation u = new ConsumerUtilisation();
        u.sample(System.nanoTime());
        assertThat(u.lastWindow()).isNaN();
    }

    @Test
    void consumersWithNothingWaitingAreFullyUtilised() throws Exception {
        ConsumerUtilisation u = new ConsumerUtilisation();
        u.state(true, false);
        Thread.sleep(5);
        u.sample(System.nanoTime());
        assertThat(u.lastWindow()).isEqualTo(1.0);
    }

    @Test
    void messagesWaitingBesideConsumersAreTimeNotUtilised() throws Exception {
        ConsumerUtilisation u = new ConsumerUtilisation();
        u.state(true, true);
        Thread.sleep(5);
        u.sample(System.nanoTime());
        assertThat(u.lastWindow()).isEqualTo(0.0);
        // Half and half, as far as the clock tells: strictly between 0 and 1, whatever the sleeps' lengths.
        u.state(true, false);
        Thread.sleep(5);
        u.state(true, true);
        Thread.sleep(5);
        u.sample(System.nanoTime());
        assertThat(u.lastWindow()).isStrictlyBetween(0.0, 1.0);
        // Consumers gone: the window has no time with consumers.
        u.state(false, true);
        u.sample(System.nanoTime());
        Thread.sleep(1);
        u.sample(System.nanoTime());
        assertThat(u.lastWindow()).isNaN();
    }
}
