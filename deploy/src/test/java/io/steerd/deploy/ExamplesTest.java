package io.steerd.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.steerd.v1.ListVectorsRequest;
import io.steerd.v1.Vector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client examples in three languages, each run as a newcomer would against a live server:
 * each makes a vector, generates with and without it, and checks that the two streamed results
 * differ (exiting non-zero when not). The test checks the exit, and that the server saw the calls.
 */
class ExamplesTest {
  private static final Duration LIMIT = Duration.ofMinutes(2);
  private static final Path EXAMPLES = Repo.path("client/examples");
  private static ServerProcess server;

  @BeforeAll
  static void start() throws Exception {
    server = ServerProcess.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void javaExample() throws Exception {
    runExample(List.of(Processes.java(), "-cp", Repo.steerctlJar().toString(),
        EXAMPLES.resolve("java/SteerExample.java").toString(), server.address()));
  }

  @Test
  void pythonExample() throws Exception {
    String python = Tools.require("python3", "apt-get install python3").toString();
    for (String candidate : List.of("/usr/bin/python3", python)) {
      if (Files.isExecutable(Path.of(candidate)) && importsGrpc(candidate)) {
        runExample(List.of(candidate, EXAMPLES.resolve("python/steer_example.py").toString(),
            server.address()));
        return;
      }
    }
    Tools.require(false, "no python3 with grpc and grpc_tools; install them with: "
        + "apt-get install python3-grpcio python3-grpc-tools");
  }

  @Test
  void nodeExample() throws Exception {
    String node = Tools.require("node", "apt-get install nodejs").toString();
    Path dir = EXAMPLES.resolve("node");
    Tools.require(Files.isDirectory(dir.resolve("node_modules/@grpc/grpc-js")),
        "the Node example's packages are not installed; run: (cd client/examples/node && npm ci)");
    runExample(List.of(node, dir.resolve("steer_example.js").toString(), server.address()));
  }

  private static boolean importsGrpc(String python) throws Exception {
    return Processes.run(List.of(python, "-c", "import grpc, grpc_tools"), Repo.root(), Map.of(),
        LIMIT).exitCode() == 0;
  }

  /** Runs from a directory outside the checkout, so an example can't lean on the cwd. */
  private static void runExample(List<String> command) throws Exception {
    String before = server.scrape();
    Processes.Result result = Processes.run(command, Path.of(System.getProperty("java.io.tmpdir")),
        Map.of(), LIMIT);
    assertEquals(0, result.exitCode(), String.join(" ", command) + " failed:\n" + result.output()
        + "\nserver log:\n" + server.log());
    String after = server.scrape();
    assertTrue(delta(before, after, "Generate") >= 2,
        "the example streamed fewer than two generations:\n" + result.output());
    assertTrue(delta(before, after, "ExtractVector") + delta(before, after, "PutVector") >= 1,
        "the example neither extracted nor registered a vector:\n" + result.output());
    List<String> left = server.steer().listVectors(ListVectorsRequest.getDefaultInstance())
        .getVectorsList().stream().map(Vector::getId).filter(id -> id.startsWith("example-"))
        .toList();
    assertTrue(left.isEmpty(), "the example left its vector behind: " + left);
  }

  private static double delta(String before, String after, String method) {
    String key = "steerd_requests_total{method=\"" + method + "\",code=\"OK\",}";
    return Exposition.series(after, key) - Exposition.series(before, key);
  }
}
