package dev.junction.conformance.management;

import dev.junction.conformance.BrokerFixture;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in Debian's headless Chromium, driven through chromedriver by Selenium: opens pages as an operator
 * would (the navigation bar, the Refresh button), finds table rows by the {@code data-key} the page gives them, and
 * saves a screenshot of each page under {@code target/screenshots}. Both programs are Debian's packages
 * ({@code chromium}, {@code chromium-driver}); nothing is downloaded.
 */
final class DashboardBrowser implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final List<String> CHROMIUM = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser");
    private static final List<String> CHROMEDRIVER = List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");

    private final WebDriver driver;
    private final String base;
    private final Path screenshots;
    private final Path profile;
    private final OutputStream driverLog;

    private DashboardBrowser(WebDriver driver, String base, Path screenshots, Path profile, OutputStream driverLog) {
        this.driver = driver;
        this.base = base;
        this.screenshots = screenshots;
        this.profile = profile;
        this.driverLog = driverLog;
    }

    static Optional<Path> chromium() {
        return firstExecutable(CHROMIUM);
    }

    static Optional<Path> chromedriver() {
        return firstExecutable(CHROMEDRIVER);
    }

    private static Optional<Path> firstExecutable(List<String> candidates) {
        return candidates.stream().map(Path::of).filter(Files::isExecutable).findFirst();
    }

    /** Starts the browser on {@code base} (the http listener's root URL), with a new empty profile. */
    static DashboardBrowser start(String base, Path screenshots) throws IOException {
        Files.createDirectories(screenshots);
        Path profile = Files.createTempDirectory("junction-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium().orElseThrow().toFile());
        // Root in a container needs --no-sandbox; the rest keeps Chromium from calling out to the network, which
        // this machine does not reach, and gives every run the same window.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--disable-quic", "--no-first-run",
                "--window-size=1280,900", "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        OutputStream driverLog = Files.newOutputStream(screenshots.resolve("chromedriver.log"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver().orElseThrow().toFile())
                .usingAnyFreePort()
                .withLogOutput(driverLog)
                .build();
        try {
            return new DashboardBrowser(new ChromeDriver(service, options), base, screenshots, profile, driverLog);
        } catch (RuntimeException e) {
            driverLog.close();
            BrokerFixture.deleteTree(profile);
            throw e;
        }
    }

    WebDriver driver() {
        return driver;
    }

    /** Loads the dashboard afresh (the log-in form, or the last page when the tab has credentials). */
    void load() {
        driver.get(base + "/");
    }

    /** Fills in the log-in form and submits it. */
    void logIn(String user, String password) {
        WebElement name = waitFor(By.id("login-user"));
        name.clear();
        name.sendKeys(user);
        WebElement secret = driver.findElement(By.id("login-password"));
        secret.clear();
        secret.sendKeys(password);
        driver.findElement(By.id("login-submit")).click();
    }

    /** Clicks the page's link in the navigation bar and waits until that page has drawn its data once. */
    void open(String page, String title) {
        driver.findElement(By.cssSelector("#nav a[href='#" + page + "']")).click();
        until(d -> title.equals(d.findElement(By.id("page-title")).getText())
                && !d.findElements(By.cssSelector("#page [data-ready='true']")).isEmpty());
    }

    /** Presses Refresh until {@code condition} holds (the page also polls by itself every five seconds). */
    void refreshUntil(Function<WebDriver, Boolean> condition) {
        waiting(Duration.ofMillis(500)).until(d -> {
            if (Boolean.TRUE.equals(condition.apply(d))) {
                return true;
            }
            d.findElement(By.id("refresh")).click();
            return false;
        });
    }

    /**
     * Waits until {@code condition} gives a value (not null or false). The page redraws its tables at every poll, so
     * an element found a moment ago may be gone: such a try is simply repeated.
     */
    <T> T until(Function<WebDriver, T> condition) {
        return waiting(Duration.ofMillis(100)).until(condition);
    }

    private WebDriverWait waiting(Duration poll) {
        WebDriverWait wait = new WebDriverWait(driver, WAIT, poll);
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    WebElement waitFor(By by) {
        return until(d -> {
            List<WebElement> found = d.findElements(by);
            return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
        });
    }

    /**
     * The text of the first shown element {@code by} finds, read in the same try as the look: the page may redraw
     * the element between the two (a poll of the alarms view), and a stale element is then looked up again.
     */
    String textOf(By by) {
        return until(d -> {
            List<WebElement> found = d.findElements(by);
            return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0).getText();
        });
    }

    /** The row of table {@code tableId} whose data-key is {@code key}, if it is shown now. */
    Optional<WebElement> row(String tableId, String key) {
        return driver.findElements(By.cssSelector("#" + tableId + " tbody tr")).stream()
                .filter(r -> key.equals(r.getDomAttribute("data-key"))).findFirst();
    }

    /** The text of the element matching {@code css} in that row, or null when the row is not shown. */
    String cell(String tableId, String key, String css) {
        for (int attempt = 0; ; attempt++) {
            try {
                return row(tableId, key).map(r -> r.findElement(By.cssSelector(css)).getText()).orElse(null);
            } catch (StaleElementReferenceException e) {
                if (attempt == 5) {
                    throw e; // redrawn under us again and again: no longer a race, a bug
                }
            }
        }
    }

    /** Clicks the button matching {@code css} in a row of a table. */
    void click(String tableId, String key, String css) {
        until(d -> {
            row(tableId, key).orElseThrow().findElement(By.cssSelector(css)).click();
            return true;
        });
    }

    /**
     * Clicks a destructive button twice: once to arm it, once to confirm. A redraw that replaced the armed button
     * (a poll already under way when it was armed) only means arming the new one.
     */
    void confirm(String tableId, String key, String css) {
        until(d -> {
            WebElement button = row(tableId, key).orElseThrow().findElement(By.cssSelector(css));
            boolean armed = String.valueOf(button.getDomAttribute("class")).contains("armed");
            button.click();
            return armed;
        });
    }

    void screenshot(String name) throws IOException {
        Files.write(screenshots.resolve(name + ".png"), ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES));
    }

    /** Messages the page's console got that mean a script failed or the CSP blocked something. */
    List<String> scriptErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(m -> m.contains("Content Security Policy") || m.contains("Uncaught"))
                .toList();
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            driverLog.close();
            BrokerFixture.deleteTree(profile);
        }
    }
}
