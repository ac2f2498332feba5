package io.steerd.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.steerd.SharedFiles;
import io.steerd.client.SteerCtl;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** steerctl extracts a vector, sweeps it on the real server, and writes the report and chart. */
class TradeoffCliEndToEndTest {
  @TempDir static Path dir;
  private static LiveServer live;

  @BeforeAll
  static void start() throws Exception {
    live = LiveServer.start(dir.resolve("data"));
  }

  @AfterAll
  static void stop() throws Exception {
    live.close();
  }

  @Test
  void sweepWritesTheReportAndThePlot() throws Exception {
    Path probes = Path.of(System.getProperty("steerd.probes", "../probes")).resolve("tinystories");
    String target = LiveServer.HOST + ":" + live.port();
    assertEquals(0, steerctl("--target", target, "vectors", "extract", "--id", "kind",
        "--pairs", probes.resolve("contrast-pairs.jsonl").toString()));
    Path report = dir.resolve("report.json");
    Path plot = dir.resolve("tradeoff.png");
    assertEquals(0, steerctl("--target", target, "tradeoff", "--vector", "kind", "--layers", "1-3",
        "--from", "-4", "--to", "4", "--steps", "5", "--probes", probes.toString(),
        "--text", SharedFiles.shared().resolve("data/tinystories/valid-sample.txt").toString(),
        "--out", report.toString(), "--plot", plot.toString()));

    JsonObject json = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
    assertEquals(5, json.getAsJsonArray("points").size());
    JsonObject zero = json.getAsJsonArray("points").get(2).getAsJsonObject();
    assertEquals(0.0, zero.get("coefficient").getAsDouble());
    double helpfulness = zero.get("helpfulness").getAsDouble();
    assertTrue(helpfulness > 0 && helpfulness < 1, "helpfulness " + helpfulness);
    assertTrue(zero.get("helpfulness_stderr").getAsDouble() > 0);
    assertTrue(zero.get("alignment_stderr").getAsDouble() > 0);
    assertTrue(zero.get("text_logprob").getAsDouble() < 0);
    JsonObject fits = json.getAsJsonObject("fits");
    // The sweep is deterministic: both curves fit its 5 points, the linear alignment fit has
    // the 3 points within |r| <= 2, which are too few for the quadratic helpfulness fit.
    assertEquals("FIT_OK", fits.getAsJsonObject("alignment").get("status").getAsString());
    assertEquals("FIT_OK", fits.getAsJsonObject("helpfulness").get("status").getAsString());
    assertEquals("FIT_OK", fits.getAsJsonObject("alignment_linear").get("status").getAsString());
    assertEquals("FIT_FAILED",
        fits.getAsJsonObject("helpfulness_quadratic").get("status").getAsString());
    assertTrue(fits.getAsJsonObject("helpfulness").getAsJsonObject("params").get("a")
        .getAsDouble() > 0);
    assertEquals(19, json.get("text_passages").getAsInt());
    assertEquals("BREAK_EVEN_FOUND", json.get("break_even_status").getAsString(),
        json.get("break_even_reason").getAsString());
    double breakEven = json.get("break_even_norm").getAsDouble();
    assertTrue(Math.abs(breakEven) <= 4, "r* " + breakEven + " outside the sweep");

    BufferedImage image = ImageIO.read(plot.toFile());
    assertEquals(1000, image.getWidth());
    assertEquals(600, image.getHeight());
    // Both series are drawn, in TradeoffChart's ALIGNMENT_COLOR and HELPFULNESS_COLOR
    // (package-private in the client), as client's TradeoffChartTest checks them.
    assertTrue(pixels(image, ALIGNMENT_RGB) > 500, "too little alignment blue");
    assertTrue(pixels(image, HELPFULNESS_RGB) > 500, "too little helpfulness orange");
  }

  private static final int ALIGNMENT_RGB = 0x1f77b4;
  private static final int HELPFULNESS_RGB = 0xff7f0e;

  private static int pixels(BufferedImage image, int rgb) {
    int n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xffffff) == rgb) {
          n++;
        }
      }
    }
    return n;
  }

  private static int steerctl(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SteerCtl.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
        .execute(args);
    if (code != 0) {
      throw new AssertionError("steerctl exited " + code + ": " + err + out);
    }
    return code;
  }
}
