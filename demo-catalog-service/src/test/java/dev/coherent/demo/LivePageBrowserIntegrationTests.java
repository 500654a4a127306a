package dev.coherent.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The live page in a real headless browser (Debian's {@code chromium} through its
 * {@code chromium-driver}; .ci/run installs both, and without them this class is skipped, saying
 * so): a price change on A shows up as B's new version; with B deaf, a plain-SQL update shows B
 * stale, then fresh again within the bound.
 */
class LivePageBrowserIntegrationTests {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration INTERVAL = Duration.ofSeconds(2);
  /** The bound (interval + one poll) plus the page's own poll period and a busy machine's slack. */
  private static final Duration WAIT = INTERVAL.plusSeconds(5);
  private static final Pattern VERSION = Pattern.compile("v(\\d+)");
  private static final String TOKEN = "browser-test-token-0123456789";

  private static RunningDemo demo;
  private static WebDriver browser;

  @BeforeAll
  static void start(@TempDir Path profile) {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "the live page test needs Debian's chromium and chromium-driver (" + CHROMIUM + ", "
            + CHROMEDRIVER + "): apt-get install chromium chromium-driver (.ci/run does)");
    int portA = HttpProbe.freePort();
    int portB = HttpProbe.freePort(portA);
    demo = DemoApp.start(DemoOptions.builder().portA(portA).portB(portB).runId("web")
            .reconcileInterval(INTERVAL).adminToken(TOKEN).build(),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        DemoApp.DEFAULT_MODULES);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // What a root Chromium needs here, and nothing that reaches the network.
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (demo != null) {
      demo.close();
    }
  }

  private static String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  private static long version(String id) {
    Matcher m = VERSION.matcher(text(id));
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  private static long rowData(String attribute) {
    return Long.parseLong(browser.findElement(By.id("row-1")).getDomAttribute(attribute));
  }

  private static WebDriverWait waiting(Duration atMost) {
    WebDriverWait wait = new WebDriverWait(browser, atMost);
    wait.pollingEvery(Duration.ofMillis(50));
    return wait;
  }

  @Test
  void bFollowsAPriceChangeOnAAndHealsFromAPlainSqlWriteWhileDeaf() {
    browser.get(demo.instanceA().baseUri() + "/?watch=1,2,3#token=" + TOKEN);
    waiting(Duration.ofSeconds(30)).until(d -> version("b-version-1") > 0
        && text("b-subscriber").startsWith("up"));
    long before = version("b-version-1");

    browser.findElement(By.id("btn-price-a")).click();
    waiting(WAIT).until(d -> version("b-version-1") == before + 1);
    assertThat(text("b-state-1")).isEqualTo("fresh");

    browser.findElement(By.id("btn-deaf-b")).click();
    waiting(WAIT).until(d -> text("b-subscriber").startsWith("deaf"));

    // A plain-SQL write reaches B only through its reconciler, at its next tick: the page shows
    // B behind the database until then. A tick right after the write could end that before the
    // page's next poll (every 250 ms), so the write is repeated until the page has seen it.
    boolean seenStale = false;
    for (int attempt = 0; attempt < 5 && !seenStale; attempt++) {
      long episodes = rowData("data-stale-episodes");
      long db = version("db-1");
      browser.findElement(By.id("btn-sql")).click();
      waiting(WAIT).until(d -> version("db-1") > db);
      long written = version("db-1");
      waiting(WAIT).until(d -> version("b-version-1") == written
          && text("b-state-1").equals("fresh"));
      seenStale = rowData("data-stale-episodes") > episodes;
    }
    assertThat(seenStale).as("the page showed B stale after a plain-SQL write").isTrue();
    // Healed within the bound (interval + one poll), give or take the page's poll period.
    assertThat(rowData("data-last-stale-ms")).isPositive()
        .isLessThanOrEqualTo(INTERVAL.plusSeconds(1).plusMillis(500).toMillis());
    assertThat(text("b-subscriber")).startsWith("deaf");

    browser.findElement(By.id("btn-heal-b")).click();
    waiting(WAIT).until(d -> text("b-subscriber").startsWith("up"));
  }
}
