package dev.junction.conformance.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;

/**
 * The web dashboard in a real browser (issue 13 item 6): an operator logs in, watches a queue that a stock RabbitMQ
 * client declared fill up, reads and purges it, sees an MQTT session and its subscription, closes a connection,
 * adds and deletes a user, and every page is saved as a screenshot under {@code target/screenshots}. Needs Debian's
 * {@code chromium} and {@code chromium-driver} (.ci/run installs them); skipped, and says so, without them.
 */
class DashboardBrowserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QUEUE = "dash.orders";
    /** A queue that keeps no message (x-max-length 0): traffic for the rates without changing any depth. */
    private static final String TRAFFIC = "dash.traffic";
    /** A name that would run script if the page ever put data into markup. */
    private static final String HOSTILE = "<img src=x onerror=document.title='pwned'>";

    @RegisterExtension
    static final ManagementBroker broker = ManagementBroker.perClass();
    private static DashboardBrowser browser;

    @BeforeAll
    static void startBrowser() throws Exception {
        assumeTrue(DashboardBrowser.chromium().isPresent() && DashboardBrowser.chromedriver().isPresent(),
                "Debian's chromium and chromedriver are not installed (apt-get install chromium chromium-driver; "
                        + ".ci/run installs them): the dashboard browser test is skipped");
        browser = DashboardBrowser.start("http://127.0.0.1:" + broker.httpPort(), Path.of("target", "screenshots"));
    }

    @AfterAll
    static void stopBrowser() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void anOperatorWatchesAndActsOnQueuesSessionsConnectionsAndUsers() throws Exception {
        long started = System.nanoTime();
        ConnectionFactory factory = new ConnectionFactory();
        factory.setPort(broker.amqpPort());
        factory.setUsername("admin");
        factory.setPassword("pw");
        Connection amqp = broker.closeBeforeStop(factory.newConnection("dashboard-test"));
        CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
        amqp.addShutdownListener(closed::complete);
        Channel channel = amqp.createChannel();
        channel.queueDeclare(QUEUE, false, false, false, null);
        channel.queueDeclare(HOSTILE, false, false, false, null);

        logIn();
        queues(channel);
        mqttSessions();
        connections(amqp, closed);
        exchanges();
        users();
        browser.open("alarms", "Alarms");
        assertThat(browser.textOf(By.id("no-alarms"))).isEqualTo("No alarms are in effect.");
        browser.screenshot("alarms");
        overview();

        assertThat(browser.driver().getTitle()).isNotEqualTo("pwned");
        assertThat(browser.scriptErrors()).as("script errors and CSP violations in the console").isEmpty();
        browser.driver().findElement(By.id("logout")).click();
        browser.waitFor(By.id("login-form"));
        assertThat(((JavascriptExecutor) browser.driver()).executeScript("return sessionStorage.length"))
                .as("credentials forgotten on log-out").isEqualTo(0L);
        System.out.printf("dashboard browser walk-through took %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** One message into {@link #TRAFFIC} over the API (it keeps none); true once sent. */
    private boolean publishTraffic() {
        try {
            return broker.call("POST", "/api/exchanges/%2F/amq.default/publish", "admin", "pw",
                    "{\"routing_key\":\"" + TRAFFIC + "\",\"payload\":\"tick\",\"payload_encoding\":\"string\","
                            + "\"properties\":{}}").statusCode() == 200;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A rate as the dashboard writes it ("12.4", "1,234.0"): true when it is a number above 0. */
    private static boolean isPositiveRate(String text) {
        return text != null && text.matches("[0-9,]+\\.[0-9]") && Double.parseDouble(text.replace(",", "")) > 0;
    }

    /**
     * Messages left in a queue show in the totals, the queued-messages chart and the deepest queues; their publishes
     * show as a publish rate above the rate chart.
     */
    private void overview() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(broker.call("POST", "/api/exchanges/%2F/amq.default/publish", "admin", "pw",
                    "{\"routing_key\":\"" + QUEUE + "\",\"payload\":\"later\",\"payload_encoding\":\"string\","
                            + "\"properties\":{}}").statusCode()).isEqualTo(200);
        }
        browser.open("overview", "Overview");
        browser.refreshUntil(d -> "5".equals(browser.cell("deepest-queues", "/|" + QUEUE, "td:nth-child(3)"))
                && d.findElement(By.id("totals")).getText().contains("5\nReady"));
        browser.refreshUntil(d -> publishTraffic() && isPositiveRate(d.findElement(By.id("rate-publish")).getText()
                .replace("publish ", "")));
        assertThat(browser.driver().findElement(By.id("dead-lettered")).getText()).isEqualTo("0\nDead-lettered");
        browser.screenshot("overview");
    }

    private void logIn() throws Exception {
        browser.load();
        browser.waitFor(By.id("login-form"));
        browser.screenshot("login");
        browser.logIn("admin", "wrong");
        String error = browser.until(d -> {
            String text = d.findElement(By.id("login-error")).getText();
            return text.isEmpty() ? null : text;
        });
        assertThat(error).startsWith("Log-in failed");
        browser.logIn("admin", "pw");
        assertThat(browser.textOf(By.id("who"))).isEqualTo("admin (administrator)");
        browser.until(d -> !d.findElements(By.cssSelector("#page [data-ready='true']")).isEmpty());
    }

    /** A stock client's queue: its depth follows publishes, a requeueing get shows the payload, purge empties it. */
    private void queues(Channel channel) throws Exception {
        String key = "/|" + QUEUE;
        browser.open("queues", "Queues");
        assertThat(browser.cell("queues", key, ".messages")).isEqualTo("0");
        channel.confirmSelect();
        for (int i = 1; i <= 3; i++) {
            channel.basicPublish("", QUEUE, null, ("order-" + i).getBytes(StandardCharsets.UTF_8));
        }
        channel.waitForConfirmsOrDie(30_000);
        browser.refreshUntil(d -> "3".equals(browser.cell("queues", key, ".messages")));
        // The oldest of the three ages while it waits. A rate is of the last 5 s window only, so traffic goes on
        // while the page is polled: one publish per poll into a queue that keeps nothing (x-max-length 0).
        browser.refreshUntil(d -> !"0 s".equals(browser.cell("queues", key, ".age")));
        assertThat(broker.call("PUT", "/api/queues/%2F/" + TRAFFIC, "admin", "pw",
                "{\"durable\":false,\"arguments\":{\"x-max-length\":0}}").statusCode()).isEqualTo(201);
        browser.refreshUntil(d -> publishTraffic()
                && isPositiveRate(browser.cell("queues", "/|" + TRAFFIC, ".rate-in")));
        assertThat(browser.cell("queues", key, ".utilisation")).as("no consumer, no utilisation").isEqualTo("–");

        // Data is text: the hostile name is shown as written, and no element came of it.
        assertThat(browser.cell("queues", "/|" + HOSTILE, ".name")).isEqualTo(HOSTILE);
        assertThat(browser.driver().findElements(By.cssSelector("#queues img"))).isEmpty();

        browser.click("queues", key, "button.get");
        browser.driver().findElement(By.id("get-run")).click();
        String payload = browser.until(d -> {
            var payloads = d.findElements(By.cssSelector("#get-results .payload"));
            return payloads.isEmpty() ? null : payloads.get(0).getText();
        });
        assertThat(payload).isEqualTo("order-1");
        browser.screenshot("queues");

        browser.confirm("queues", key, "button.purge");
        browser.until(d -> "0".equals(browser.cell("queues", key, ".messages")));
        assertThat(channel.queueDeclarePassive(QUEUE).getMessageCount()).isZero();
    }

    private void mqttSessions() throws Exception {
        Mqtt5BlockingClient mqtt = MqttClient.builder().useMqttVersion5().identifier("dash-sensor")
                .serverHost("127.0.0.1").serverPort(broker.port("mqtt")).buildBlocking();
        mqtt.connectWith().cleanStart(true).sessionExpiryInterval(300)
                .simpleAuth().username("admin").password("pw".getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .send();
        broker.closeBeforeStop(mqtt::disconnect);
        mqtt.subscribeWith().topicFilter("dash/+/temp").qos(MqttQos.AT_LEAST_ONCE).send();

        browser.open("mqtt", "MQTT sessions");
        browser.refreshUntil(d -> browser.row("mqtt-sessions", "/|dash-sensor").isPresent());
        // HiveMQ's client gives each SUBSCRIBE a subscription identifier (MQTT 5 3.8.2.1.2); the page shows it.
        assertThat(browser.cell("mqtt-sessions", "/|dash-sensor", ".subs")).matches("dash/\\+/temp QoS 1 \\(id \\d+\\)");
        assertThat(browser.cell("mqtt-sessions", "/|dash-sensor", "td:nth-child(3)")).isEqualTo("admin");
        assertThat(browser.cell("mqtt-sessions", "/|dash-sensor", "td:nth-child(4)")).isEqualTo("yes");
        browser.screenshot("mqtt");
    }

    /** Closes the stock client's connection from the page; the client sees the broker's close. */
    private void connections(Connection amqp, CompletableFuture<ShutdownSignalException> closed) throws Exception {
        HttpResponse<String> listed = broker.get("/api/connections", "admin");
        browser.open("connections", "Connections");
        assertThat(listed.statusCode()).isEqualTo(200);
        String name = null;
        for (JsonNode c : JSON.readTree(listed.body())) {
            if ("dashboard-test".equals(c.path("client_properties").path("connection_name").asText())) {
                name = c.get("name").asText();
            }
        }
        assertThat(name).as("the stock client's connection in GET /api/connections").isNotNull();
        String key = name;
        browser.refreshUntil(d -> browser.row("connections", key).isPresent());
        assertThat(browser.cell("connections", key, "td:nth-child(2)")).isEqualTo("AMQP 0-9-1");
        assertThat(browser.cell("connections", key, "td:nth-child(3)")).isEqualTo("admin");
        browser.screenshot("connections");
        browser.confirm("connections", key, "button.close");
        ShutdownSignalException signal = closed.get(20, TimeUnit.SECONDS);
        assertThat(signal.isHardError()).isTrue();
        assertThat(amqp.isOpen()).isFalse();
        browser.refreshUntil(d -> browser.row("connections", key).isEmpty());
    }

    private void exchanges() throws Exception {
        browser.open("exchanges", "Exchanges and bindings");
        browser.until(d -> browser.row("exchanges", "/|amq.topic").isPresent());
        String bindings = browser.until(d -> d.findElement(By.id("bindings")).getText());
        assertThat(bindings).contains("(AMQP default)").contains(QUEUE);
        browser.screenshot("exchanges");
    }

    /** An administrator adds a user through the form and deletes it again; the API sees both. */
    private void users() throws Exception {
        browser.open("access", "Users, virtual hosts and permissions");
        browser.driver().findElement(By.id("user-name")).sendKeys("dash-viewer");
        browser.driver().findElement(By.id("user-password")).sendKeys("pw2");
        browser.driver().findElement(By.id("user-tags")).sendKeys("monitoring");
        browser.driver().findElement(By.id("add-user-submit")).click();
        browser.until(d -> browser.row("users", "dash-viewer").isPresent());
        assertThat(browser.cell("users", "dash-viewer", "td:nth-child(2)")).isEqualTo("monitoring");
        assertThat(broker.call("GET", "/api/whoami", "dash-viewer", "pw2", null).statusCode()).isEqualTo(200);
        browser.screenshot("access");

        browser.confirm("users", "dash-viewer", "button.delete");
        browser.until(d -> browser.row("users", "dash-viewer").isEmpty());
        assertThat(broker.get("/api/users/dash-viewer", "admin").statusCode()).isEqualTo(404);

        // An administrator sets a policy, which then applies to the queue it matches, and deletes it again.
        browser.driver().findElement(By.id("policy-name")).sendKeys("dash-limit");
        browser.driver().findElement(By.id("policy-pattern")).sendKeys("^dash\\.");
        new org.openqa.selenium.support.ui.Select(browser.driver().findElement(By.id("policy-apply-to")))
                .selectByValue("queues");
        browser.driver().findElement(By.id("policy-definition")).sendKeys("{\"max-length\": 100}");
        browser.driver().findElement(By.id("set-policy-submit")).click();
        browser.until(d -> browser.row("policies", "/|dash-limit").isPresent());
        assertThat(browser.cell("policies", "/|dash-limit", "td:nth-child(6)")).isEqualTo("{\"max-length\":100}");
        browser.until(d -> {
            try {
                return broker.get("/api/queues/%2F/" + QUEUE, "admin").body().contains("\"policy\":\"dash-limit\"");
            } catch (Exception e) {
                return false;
            }
        });
        browser.confirm("policies", "/|dash-limit", "button.delete");
        browser.until(d -> browser.row("policies", "/|dash-limit").isEmpty());
        assertThat(broker.get("/api/policies/%2F/dash-limit", "admin").statusCode()).isEqualTo(404);
    }
}
