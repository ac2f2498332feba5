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
    assertTrue(fits.getAsJsonObject("alignment").has("status"));
    assertTrue(fits.getAsJsonObject("helpfulness").has("status"));
    assertEquals(19, json.get("text_passages").getAsInt());
    assertTrue(json.has("break_even_status"));

    BufferedImage image = ImageIO.read(plot.toFile());
    assertEquals(1000, image.getWidth());
    assertEquals(600, image.getHeight());
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
