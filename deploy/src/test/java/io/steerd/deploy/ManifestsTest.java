package io.steerd.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every kustomization under deploy/k8s renders with kubectl, into what the sidecar needs. */
class ManifestsTest {
  private static final Path K8S = Repo.path("deploy/k8s");

  static List<Path> kustomizations() throws Exception {
    try (Stream<Path> files = Files.walk(K8S)) {
      return files.filter(f -> f.getFileName().toString().matches("kustomization\\.ya?ml"))
          .map(Path::getParent).sorted().toList();
    }
  }

  /**
   * The kubectl binaries to render with: STEERD_KUBECTL (colon-separated; CI passes Debian's
   * kubectl 1.20 with its old kustomize beside a current one) or the kubectl on PATH.
   */
  static List<String> kubectls() {
    String configured = System.getenv("STEERD_KUBECTL");
    if (configured != null && !configured.isBlank()) {
      return List.of(configured.split(":"));
    }
    return List.of(Tools.require("kubectl", "apt-get install kubernetes-client").toString());
  }

  /** The documents each kubectl renders; checks run on every rendering, not just the first. */
  static List<List<JsonNode>> renderings(Path dir) throws Exception {
    List<List<JsonNode>> renderings = new ArrayList<>();
    for (String kubectl : kubectls()) {
      renderings.add(render(kubectl, dir));
    }
    return renderings;
  }

  static List<JsonNode> render(Path dir) throws Exception {
    return render(kubectls().get(0), dir);
  }

  private static List<JsonNode> render(String kubectl, Path dir) throws Exception {
    Processes.Result result = Processes.run(List.of(kubectl, "kustomize", dir.toString()),
        Repo.root(), Map.of(), Duration.ofMinutes(1));
    String where = kubectl + " kustomize " + K8S.relativize(dir);
    assertEquals(0, result.exitCode(), where + ":\n" + result.output());
    // Deprecation warnings go to stderr ahead of the YAML; keep the documents.
    String yaml = result.output().lines().filter(l -> !l.startsWith("# Warning")
        && !l.startsWith("Warning:")).reduce("", (a, b) -> a + b + "\n");
    List<JsonNode> docs = new ArrayList<>();
    for (JsonNode doc : Queries.YAML.readValues(Queries.YAML.createParser(yaml), JsonNode.class)
        .readAll()) {
      if (doc != null && !doc.isEmpty()) {
        docs.add(doc);
      }
    }
    assertFalse(docs.isEmpty(), where + " rendered nothing");
    return docs;
  }

  @TestFactory
  Stream<DynamicTest> everyKustomizationRenders() throws Exception {
    List<Path> dirs = kustomizations();
    assertTrue(dirs.size() >= 3, "expected a base, a GPU overlay and monitoring: " + dirs);
    return dirs.stream().map(dir -> DynamicTest.dynamicTest(K8S.relativize(dir).toString(),
        () -> {
          for (List<JsonNode> docs : renderings(dir)) {
            for (JsonNode doc : docs) {
              assertFalse(doc.path("kind").asText().isEmpty(), "a document without a kind");
              assertFalse(doc.path("metadata").path("name").asText().isEmpty(),
                  doc.path("kind").asText() + " without a name");
            }
            for (JsonNode sidecar : steerdSidecars(docs)) {
              assertIsANativeSidecar(sidecar, isGpu(dir));
            }
          }
        }));
  }

  @Test
  void theBaseAndTheGpuOverlayRunSteerdAsANativeSidecar() throws Exception {
    assertEquals(1, steerdSidecars(render(K8S.resolve("base"))).size());
    List<Path> gpu = kustomizations().stream().filter(ManifestsTest::isGpu).toList();
    assertFalse(gpu.isEmpty(), "no GPU overlay");
    for (Path dir : gpu) {
      assertEquals(1, steerdSidecars(render(dir)).size(), dir.toString());
    }
  }

  @Test
  void theModelIsFetchedBeforeTheSidecarStarts() throws Exception {
    for (Path dir : kustomizations()) {
      for (List<JsonNode> docs : renderings(dir)) {
        for (JsonNode doc : docs) {
          List<String> init = new ArrayList<>();
          doc.path("spec").path("template").path("spec").path("initContainers")
              .forEach(c -> init.add(c.path("name").asText()));
          if (init.contains("model-fetch") && init.contains("steerd")) {
            assertTrue(init.indexOf("model-fetch") < init.indexOf("steerd"),
                K8S.relativize(dir) + ": init containers start in order, so the sidecar would "
                    + "start before its model is there: " + init);
          }
        }
      }
    }
  }

  @Test
  void theProbesCallHealthServicesARealServerServesOnItsPort() throws Exception {
    List<JsonNode> sidecars = steerdSidecars(render(K8S.resolve("base")));
    assertEquals(1, sidecars.size());
    JsonNode sidecar = sidecars.get(0);
    String port = option(arguments(sidecar), "--port");
    Set<String> services = new TreeSet<>();
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      JsonNode grpc = sidecar.path(probe).path("grpc");
      if (!grpc.isMissingNode()) {
        assertEquals(port, grpc.path("port").asText(), probe + " probes another port than --port");
        services.add(grpc.path("service").asText(""));
      }
    }
    assertFalse(services.isEmpty(), "no gRPC probes");
    try (ServerProcess server = ServerProcess.start()) {
      HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(server.channel());
      for (String service : services) {
        assertEquals(ServingStatus.SERVING, health.withDeadlineAfter(10, TimeUnit.SECONDS)
            .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus(),
            "probe service '" + service + "'");
      }
    }
  }

  @Test
  void monitoringRendersAMonitorAndTheAlertRules() throws Exception {
    List<String> kinds = new ArrayList<>();
    for (Path dir : kustomizations()) {
      render(dir).forEach(doc -> kinds.add(doc.path("kind").asText()));
    }
    assertTrue(kinds.contains("PodMonitor") || kinds.contains("ServiceMonitor"), kinds.toString());
    assertTrue(kinds.contains("PrometheusRule"), kinds.toString());
  }

  /** Judged by the path inside deploy/k8s, not wherever the checkout happens to live. */
  private static boolean isGpu(Path kustomization) {
    return K8S.relativize(kustomization).toString().contains("gpu");
  }

  /** Init containers named steerd, of every pod template rendered. */
  private static List<JsonNode> steerdSidecars(List<JsonNode> docs) {
    List<JsonNode> sidecars = new ArrayList<>();
    for (JsonNode doc : docs) {
      for (JsonNode c : doc.path("spec").path("template").path("spec").path("initContainers")) {
        if (c.path("name").asText().equals("steerd")) {
          sidecars.add(c);
        }
      }
    }
    return sidecars;
  }

  private static void assertIsANativeSidecar(JsonNode c, boolean gpu) {
    assertEquals("Always", c.path("restartPolicy").asText(),
        "a native sidecar is an init container with restartPolicy: Always");
    for (String probe : List.of("livenessProbe", "readinessProbe")) {
      assertTrue(c.path(probe).path("grpc").path("port").isInt(), probe + " must use gRPC health");
    }
    for (String kind : List.of("requests", "limits")) {
      for (String resource : List.of("cpu", "memory")) {
        assertFalse(c.path("resources").path(kind).path(resource).isMissingNode(),
            "resources." + kind + "." + resource);
      }
    }
    List<String> args = arguments(c);
    assertTrue(args.contains("--model") && args.contains("--data-dir"), args.toString());
    // The kubelet probes the pod IP, so loopback alone would fail every probe.
    assertEquals("0.0.0.0", option(args, "--host"), "gRPC must be reachable by the kubelet");
    assertEquals(gpu ? "cuda" : "cpu", option(args, "--device"));
    assertEquals(gpu, c.path("resources").path("limits").has("nvidia.com/gpu"),
        "nvidia.com/gpu limit exactly on GPU overlays");
  }

  /** command and args, split at '=' and with $(VAR) replaced by the container's env values. */
  private static List<String> arguments(JsonNode c) {
    Map<String, String> env = new HashMap<>();
    c.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
    List<String> out = new ArrayList<>();
    for (String field : List.of("command", "args")) {
      for (JsonNode arg : c.path(field)) {
        String value = arg.asText();
        for (Map.Entry<String, String> e : env.entrySet()) {
          value = value.replace("$(" + e.getKey() + ")", e.getValue());
        }
        out.addAll(value.startsWith("--") ? List.of(value.split("=", 2)) : List.of(value));
      }
    }
    return out;
  }

  private static String option(List<String> args, String name) {
    int i = args.indexOf(name);
    return i < 0 || i + 1 >= args.size() ? null : args.get(i + 1);
  }
}
