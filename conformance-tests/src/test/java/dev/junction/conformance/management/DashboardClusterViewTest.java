package dev.junction.conformance.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.junction.broker.Broker;
import dev.junction.conformance.cluster.quorum.QuorumCluster3;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The dashboard's Cluster page in a real browser (issue 17 item 6: per-node and per-group metrics, leader, commit
 * index, lag and elections, in Prometheus and the dashboard). On a node of three brokers running as a cluster it
 * lists every member, names the metadata group's leader that {@code GET /api/cluster} reports, and has a row for the
 * quorum group of a quorum queue that took confirmed publishes, with its commit index; on a broker that runs alone
 * it says that the broker is not in a cluster. Needs Debian's {@code chromium} and {@code chromium-driver};
 * skipped, saying so, without them.
 */
@Timeout(240)
class DashboardClusterViewTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SCREENSHOTS = Path.of("target", "screenshots", "cluster");
    private static final String QUEUE = "dash.cluster.qq";
    /** A node other than the first, so that nothing depends on which node the cluster started first. */
    private static final String NODE = QuorumCluster3.IDS[1];

    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void needsBrowser() {
        assumeTrue(DashboardBrowser.chromium().isPresent() && DashboardBrowser.chromedriver().isPresent(),
                "Debian's chromium and chromedriver are not installed (apt-get install chromium chromium-driver; "
                        + ".ci/run installs them): the dashboard's cluster page test is skipped");
    }

    @Test
    void aClusterNodeShowsEveryMemberTheMetadataLeaderAndTheQuorumGroupsCommitIndexes() throws Exception {
        try (QuorumCluster3 cluster = new QuorumCluster3(dir.resolve("cluster"))) {
            Broker node = cluster.node(NODE);
            int httpPort = node.address("http").getPort();
            publishToQuorumQueue(cluster, NODE);
            String group = "quorum-" + api(httpPort, "/api/cluster/queues/%2F/" + QUEUE).get("group").asInt();

            try (DashboardBrowser browser = DashboardBrowser.start("http://127.0.0.1:" + httpPort, SCREENSHOTS)) {
                logIn(browser);
                browser.open("cluster", "Cluster");
                assertThat(browser.textOf(By.id("cluster-node"))).isEqualTo(NODE);
                for (String id : QuorumCluster3.IDS) {
                    browser.refreshUntil(d -> browser.row("cluster-members", id).isPresent());
                    assertThat(browser.cell("cluster-members", id, ".address")).as(id).isNotBlank();
                }
                assertThat(browser.cell("cluster-members", NODE, "td:nth-child(1)")).isEqualTo(NODE + " (this node)");
                // The leader the page shows is the one the API reports (read again at each try: an election in
                // between would change both).
                browser.refreshUntil(d -> {
                    String leader = metadataLeader(httpPort);
                    return !leader.isEmpty() && leader.equals(d.findElement(By.id("cluster-leader")).getText())
                            && leader.equals(browser.cell("metadata-group", "metadata", ".leader"))
                            && "yes".equals(browser.cell("cluster-members", leader, ".is-leader"));
                });
                // The queue's group committed the publishes; this node's commit index for it is a number above 0.
                browser.refreshUntil(d -> isPositiveCount(browser.cell("quorum-groups", group, ".commit")));
                assertThat(browser.cell("quorum-groups", group, ".applied")).matches("[0-9][0-9,]*");
                assertThat(browser.cell("quorum-groups", group, ".leader")).isIn((Object[]) QuorumCluster3.IDS);
                assertThat(browser.driver().findElements(By.cssSelector("#quorum-groups tbody tr[data-key]")))
                        .as("a row per quorum group").hasSizeGreaterThanOrEqualTo(1);
                assertThat(browser.driver().findElements(By.id("not-clustered"))).isEmpty();
                browser.screenshot("cluster");
                assertThat(browser.scriptErrors()).as("script errors and CSP violations in the console").isEmpty();
            }
        }
    }

    @Test
    void aBrokerThatRunsAloneSaysItIsNotInACluster() throws Exception {
        try (ManagementBroker broker = ManagementBroker.start();
             DashboardBrowser browser = DashboardBrowser.start("http://127.0.0.1:" + broker.httpPort(), SCREENSHOTS)) {
            assertThat(broker.get("/api/cluster", "admin").statusCode()).isEqualTo(404);
            browser.load();
            browser.logIn("admin", "pw");
            browser.waitFor(By.id("who"));
            browser.open("cluster", "Cluster");
            WebElement alone = browser.waitFor(By.id("not-clustered"));
            assertThat(alone.getText()).startsWith("This broker is not in a cluster");
            assertThat(browser.driver().findElements(By.id("cluster-members"))).isEmpty();
            assertThat(browser.driver().findElements(By.id("quorum-groups"))).isEmpty();
            browser.screenshot("not-clustered");
            assertThat(browser.scriptErrors()).as("script errors and CSP violations in the console").isEmpty();
        }
    }

    private static void logIn(DashboardBrowser browser) {
        browser.load();
        browser.logIn("guest", "guest");
        assertThat(browser.textOf(By.id("who"))).isEqualTo("guest (administrator)");
    }

    /** Declares {@link #QUEUE} as a quorum queue on {@code node} and publishes to it with confirms. */
    private static void publishToQuorumQueue(QuorumCluster3 cluster, String node) throws Exception {
        cluster.declare(node, ch -> ch.queueDeclare(QUEUE, true, false, false, Map.of("x-queue-type", "quorum")));
        try (Connection c = cluster.connect(node); Channel ch = c.createChannel()) {
            ch.confirmSelect();
            AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
            for (int i = 0; i < 10; i++) {
                ch.basicPublish("", QUEUE, persistent, ("m" + i).getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(30_000);
        }
    }

    /** {@code GET path} on a cluster node as its default user (guest, from loopback), parsed. */
    private JsonNode api(int httpPort, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8)))
                .GET().build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** The metadata group's leader as {@code GET /api/cluster} reports it; empty while none is known. */
    private String metadataLeader(int httpPort) {
        try {
            return api(httpPort, "/api/cluster").path("leader").asText();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** A count as the dashboard writes it ("12", "4,711"): true when it is a number above 0. */
    private static boolean isPositiveCount(String text) {
        return text != null && text.matches("[0-9][0-9,]*") && Long.parseLong(text.replace(",", "")) > 0;
    }
}
