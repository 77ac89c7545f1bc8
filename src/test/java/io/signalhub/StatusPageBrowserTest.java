package io.signalhub;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalhub.sandbox.Sandbox;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The status page in a real browser (Debian's Chromium, headless, driven by its ChromeDriver; .ci/run
 * installs both) against the hub as a newcomer runs it, in sandbox mode: after real traffic it shows a
 * delivered event, a dead letter named at the top, a cohort run and what the fakes received, and its
 * buttons pause, resume, rewind and replay.
 */
class StatusPageBrowserTest {

    private static final String ADMIN = "status-admin-token";
    private static final String INGRESS = "status-ingress-token";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static WebDriver chromium() {
        for (String binary : new String[] {"/usr/bin/chromium", "/usr/bin/chromedriver"}) {
            assertTrue(new File(binary).canExecute(), binary + " is missing: .ci/run installs Debian's chromium and chromium-driver");
        }
        ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium");
        // as this machine's network needs: no sandbox as root, no calls to Google's services
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1500,2400");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver")).build();
        return new ChromeDriver(service, options);
    }

    private static JsonNode status(HubProcess hub) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/admin/status"))
                .header("Authorization", "Bearer " + ADMIN).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return Json.MAPPER.readTree(response.body());
    }

    private static JsonNode destination(JsonNode status, String name) {
        for (JsonNode destination : status.path("destinations")) {
            if (destination.path("name").asText().equals(name)) {
                return destination;
            }
        }
        throw new AssertionError("no destination " + name + " in " + status);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        TestHub.await(what, WAIT, condition);
    }

    /** The page re-renders every few seconds: an element found may be replaced before it is read. */
    private static boolean shows(WebDriver browser, String css, String text) {
        try {
            return browser.findElements(By.cssSelector(css)).stream().anyMatch(e -> e.getText().contains(text));
        } catch (StaleElementReferenceException replaced) {
            return false;
        }
    }

    private static void click(WebDriver browser, String destination, String action) throws InterruptedException {
        By button = By.cssSelector("tr[data-destination='" + destination + "'] button[data-action='" + action + "']");
        await(destination + "'s " + action, () -> {
            try {
                browser.findElement(button).click();
                return true;
            } catch (StaleElementReferenceException | NoSuchElementException replaced) {
                return false;
            }
        });
    }

    @Test
    void afterRealTrafficThePageShowsWhatHappenedAndItsActionsWork() throws Exception {
        Path data = Files.createTempDirectory("signalhub-status");
        try (HubProcess hub = HubProcess.start("status-page", Map.of("hub.sandbox", "true", "hub.kafka.embedded-port", "0",
                "hub.data-dir", data.toString(), "hub.admin.token", ADMIN, "hub.ingress.token", INGRESS))) {
            // one event every destination takes, one Mixpanel refuses for good (a time more than an hour ahead)
            assertEquals(202, hub.post("/onesignal/events", INGRESS,
                    DataOutEndToEndTest.flatEvent("status-1", "message.push.sent", "user_12345")).statusCode());
            String future = DataOutEndToEndTest.flatEvent("status-2", "message.push.sent", "user_12345")
                    .replace("\"1708559115\"", "\"" + Instant.now().plus(Duration.ofDays(3)).getEpochSecond() + "\"");
            assertEquals(202, hub.post("/onesignal/events", INGRESS, future).statusCode());
            assertEquals(401, hub.post("/onesignal/events", "not-the-token", "[]").statusCode());
            // a Segment message without a user id: taken, then dropped by Data In (no External ID to match)
            String anonymous = "{\"writeKey\":\"" + Sandbox.SEGMENT_WRITE_KEY + "\",\"anonymousId\":\"a-1\",\"event\":\"Viewed\"}";
            assertEquals(200, hub.post("/v1/track", null, anonymous).statusCode());
            // the sandbox syncs its cohort every minute: an export while that run is going answers 409 until it is done
            String exportPath = "/cohorts/mixpanel/" + Sandbox.MIXPANEL_COHORT + "/export";
            HttpResponse<String> export = hub.post(exportPath, ADMIN, "");
            for (long deadline = System.nanoTime() + WAIT.toNanos(); export.statusCode() == 409 && System.nanoTime() < deadline; ) {
                Thread.sleep(200);
                export = hub.post(exportPath, ADMIN, "");
            }
            assertEquals(200, export.statusCode(), export.body());
            await("the events delivered and dead-lettered", () -> {
                try {
                    JsonNode now = status(hub);
                    return destination(now, "segment").path("delivered").asLong() == 2 && destination(now, "mixpanel").path("deadLettered").asLong() == 1;
                } catch (Exception e) {
                    return false;
                }
            });

            // every metric the alerting rules and the Grafana dashboard query is one this hub exposes
            String exposed = HTTP.send(HttpRequest.newBuilder(URI.create(hub.managementUrl() + "/observe/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            for (String metric : MonitoringFilesTest.metricNames()) {
                assertTrue(exposed.contains("\n" + metric + "{"), metric + " is not among the hub's metrics");
            }

            WebDriver browser = chromium();
            try {
                browser.get(hub.baseUrl() + "/status");
                browser.findElement(By.id("token")).sendKeys(ADMIN);
                browser.findElement(By.id("sign-in")).click();
                await("the destinations", () -> shows(browser, "tr[data-destination='segment'] .delivered", "2"));
                assertTrue(shows(browser, "tr[data-destination='mixpanel']", "http_400"), browser.findElement(By.id("destinations")).getText());
                assertTrue(shows(browser, "#problems li.warning", "mixpanel has 1 dead letter "),
                        browser.findElement(By.id("problems")).getText());
                assertTrue(shows(browser, "h3[data-cohort='mixpanel " + Sandbox.MIXPANEL_COHORT + "']", "mixpanel cohort"));
                assertTrue(shows(browser, "table.runs tr.run", "export"), browser.findElement(By.id("cohorts")).getText());
                assertTrue(browser.findElement(By.id("next-run")).getText().startsWith("next scheduled run: "));
                assertTrue(shows(browser, "tr[data-fake='segment']", "events_accepted: 2"), browser.findElement(By.id("fakes")).getText());
                assertTrue(shows(browser, "tr[data-ingress='onesignal-events']", "2"));
                assertTrue(shows(browser, "tr[data-data-in='onesignal default']", "no_user_id 1"), "per app: "
                        + browser.findElement(By.id("data-in")).getText());

                Path screenshots = Path.of("target", "screenshots");
                Files.createDirectories(screenshots);
                Files.write(screenshots.resolve("status-page.png"), ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));

                click(browser, "segment", "pause");
                await("segment paused", () -> shows(browser, "tr[data-destination='segment'] .state", "paused"));
                assertTrue(destination(status(hub), "segment").path("paused").asBoolean());
                assertTrue(shows(browser, "#problems li", "segment is paused"));
                click(browser, "segment", "resume");
                await("segment delivering again", () -> shows(browser, "tr[data-destination='segment'] .state", "delivering"));
                assertTrue(!destination(status(hub), "segment").path("paused").asBoolean());

                // the refusal is for good: replayed, the record comes back to the dead letters
                click(browser, "mixpanel", "replay");
                await("the replay's answer", () -> shows(browser, "#message", "\"replayed\":1"));
                await("the record dead-lettered again", () -> shows(browser, "tr[data-destination='mixpanel'] .dead-letters", "2"));

                click(browser, "amplitude", "rewind");
                browser.switchTo().alert().sendKeys(Instant.now().minus(Duration.ofHours(1)).toString());
                browser.switchTo().alert().accept();
                await("the rewind's answer", () -> shows(browser, "#message", "amplitude: rewind done"));
                String rewound = browser.findElement(By.id("message")).getText();
                assertTrue(rewound.matches(".*\"records\":[1-9][0-9]*.*"), "the events since then are read again: " + rewound);
            } finally {
                browser.quit();
            }
        }
    }
}
