package io.netplane.e2e;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Debian's headless Chromium driven through Debian's chromedriver (packages chromium, chromium-driver): the
 * binaries are named explicitly, so Selenium never looks for (or downloads) a browser of its own. One browser
 * per test class; close() always quits it.
 */
final class Chromium implements AutoCloseable {
    static final Path BROWSER = Path.of(System.getProperty("netplane.e2e.chromium", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(System.getProperty("netplane.e2e.chromedriver", "/usr/bin/chromedriver"));
    private static final Duration WAIT = Duration.ofSeconds(90); // an agent's JVM may take that long on a busy machine

    private final WebDriver driver;
    private final Path screenshots;

    private Chromium(WebDriver driver, Path screenshots) {
        this.driver = driver;
        this.screenshots = screenshots;
    }

    static boolean installed() {
        return Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
    }

    static Chromium start(Path screenshots, Path log) throws IOException {
        Files.createDirectories(screenshots);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        // small: headless, no GPU, no extensions; --no-sandbox because the tests run as root
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-extensions", "--no-first-run", "--no-default-browser-check", "--window-size=1440,1000",
                "--lang=en-US", "--mute-audio");
        // and quiet: the page talks to 127.0.0.1 only; none of the browser's own calls home (updates, sync,
        // safe browsing, metrics, translate, DNS prefetch)
        options.addArguments("--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-domain-reliability", "--no-pings", "--metrics-recording-only",
                "--disable-client-side-phishing-detection", "--dns-prefetch-disable", "--no-proxy-server",
                "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication,CertificateTransparencyComponentUpdater");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().withLogFile(new File(log.toString())).build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return new Chromium(driver, screenshots);
    }

    void open(String url) {
        driver.get(url);
    }

    /** The first element the selector finds once it is there (and displayed, when asked). */
    WebElement await(By by, boolean displayed) throws InterruptedException {
        return Await.until(WAIT, by + (displayed ? " displayed" : " present"), () -> {
            if (displayed) {
                return displayed(by);
            }
            List<WebElement> found = driver.findElements(by);
            return found.isEmpty() ? null : found.get(0);
        });
    }

    WebElement await(By by) throws InterruptedException {
        return await(by, true);
    }

    /** For SVG shapes: a vertical line has no width, which Selenium counts as not displayed. */
    WebElement present(By by) throws InterruptedException {
        return await(by, false);
    }

    void awaitGone(By by) throws InterruptedException {
        Await.until(WAIT, by + " gone", () -> driver.findElements(by).isEmpty() ? true : null);
    }

    /** Waits until the element is there but not displayed (e.g. a form its page closed). */
    void awaitHidden(By by) throws InterruptedException {
        Await.until(WAIT, by + " hidden", () -> {
            List<WebElement> found = driver.findElements(by);
            return !found.isEmpty() && !found.get(0).isDisplayed() ? true : null;
        });
    }

    /** The element's text once it contains {@code expected}. */
    String awaitText(By by, String expected) throws InterruptedException {
        return Await.until(WAIT, by + " showing \"" + expected + "\"", () -> {
            List<WebElement> found = driver.findElements(by);
            for (WebElement e : found) {
                if (e.isDisplayed() && e.getText().contains(expected)) {
                    return e.getText();
                }
            }
            return null;
        });
    }

    List<WebElement> all(By by) {
        return driver.findElements(by);
    }

    // The page redraws a view when an event arrives: an element found a moment ago may be gone (stale) or hidden
    // by then, so finding and acting are retried together until the action went through.

    void type(By field, String text) throws InterruptedException {
        Await.until(WAIT, "typing into " + field, () -> {
            WebElement e = displayed(field);
            if (e == null) {
                return null;
            }
            e.clear();
            e.sendKeys(text);
            return true;
        });
    }

    void click(By by) throws InterruptedException {
        Await.until(WAIT, "a click on " + by, () -> {
            WebElement e = displayed(by);
            if (e == null) {
                return null;
            }
            e.click();
            return true;
        });
    }

    private WebElement displayed(By by) {
        List<WebElement> found = driver.findElements(by);
        return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
    }

    /** Picks the option whose value is {@code value} in a select. */
    void select(By select, String value) throws InterruptedException {
        Await.until(WAIT, select + " offering " + value, () -> {
            WebElement s = displayed(select);
            if (s == null) {
                return null;
            }
            for (WebElement option : s.findElements(By.tagName("option"))) {
                if (value.equals(option.getAttribute("value"))) {
                    option.click();
                    return true;
                }
            }
            return null;
        });
    }

    /** Says OK to the page's confirm() dialog. */
    void acceptConfirm() throws InterruptedException {
        Await.until(WAIT, "a confirm dialog", () -> {
            driver.switchTo().alert().accept();
            return true;
        });
    }

    void go(String hash) {
        ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("location.hash = arguments[0]", hash);
    }

    Path screenshot(String name) throws IOException {
        Path file = screenshots.resolve(name + ".png");
        Files.write(file, ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        return file;
    }

    WebDriver driver() {
        return driver;
    }

    @Override
    public void close() {
        driver.quit();
    }
}
