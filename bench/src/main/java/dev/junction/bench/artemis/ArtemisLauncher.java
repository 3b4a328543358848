package dev.junction.bench.artemis;

import java.io.File;
import java.util.concurrent.CountDownLatch;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;

/**
 * ActiveMQ Artemis, embedded, as the reference broker of the AMQP 1.0 (JMS) comparison: one acceptor on
 * 127.0.0.1 that speaks AMQP only (the {@code artemis-amqp-protocol} module), persistence on with the journal,
 * bindings, paging and large messages under DATA_DIR, security off (any login is taken), and every other setting
 * Artemis's own default: the journal type it picks (ASYNCIO where libaio is present, else NIO), a synced journal
 * ({@code journal-datasync}, and sync on every persistent send), automatic creation of queues and addresses.
 *
 * <pre>java -cp ARTEMIS_CLASSPATH:LAUNCHER_CLASSES dev.junction.bench.artemis.ArtemisLauncher PORT DATA_DIR</pre>
 *
 * <p>It runs with Artemis's own dependencies (its Netty 4.1), not the bench jar's, so the class is run from its
 * own directory next to Artemis's class path. Prints {@code Artemis started} once it listens, and stops on
 * SIGTERM.
 */
public final class ArtemisLauncher {
    private ArtemisLauncher() {
    }

    public static void main(String[] args) throws Exception {
        // Artemis's own logging configuration turns its audit loggers off; they would log every message here.
        if (System.getProperty("org.slf4j.simpleLogger.log.org.apache.activemq.audit") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.org.apache.activemq.audit", "off");
        }
        int port = Integer.parseInt(args[0]);
        File data = new File(args[1]);
        ConfigurationImpl config = new ConfigurationImpl();
        config.setName("bench")
                .setPersistenceEnabled(true)
                .setSecurityEnabled(false)
                .setJournalDirectory(new File(data, "journal").getPath())
                .setBindingsDirectory(new File(data, "bindings").getPath())
                .setPagingDirectory(new File(data, "paging").getPath())
                .setLargeMessagesDirectory(new File(data, "large-messages").getPath());
        config.addAcceptorConfiguration("amqp", "tcp://127.0.0.1:" + port + "?protocols=AMQP");
        EmbeddedActiveMQ server = new EmbeddedActiveMQ();
        server.setConfiguration(config);
        server.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }));
        System.out.println("Artemis started: journal " + server.getActiveMQServer().getConfiguration()
                .getJournalType() + ", datasync " + config.isJournalDatasync() + ", buffer timeout NIO "
                + config.getJournalBufferTimeout_NIO() + " ns / AIO " + config.getJournalBufferTimeout_AIO() + " ns");
        stopped.await();
    }
}
