package io.steerd.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The images can't be built here (no Docker engine), so what can break silently is checked: every
 * file a Dockerfile copies from the build context (the repo root) exists in the checkout, and the
 * runtime stage is non-root with a health check.
 */
class DockerfilesTest {
  private static final Path DOCKER = Repo.path("deploy/docker");

  record Instruction(String keyword, List<String> args) {}

  @TestFactory
  Stream<DynamicTest> everyDockerfile() throws Exception {
    List<Path> dockerfiles;
    try (Stream<Path> files = Files.list(DOCKER)) {
      dockerfiles = files.filter(f -> f.getFileName().toString().startsWith("Dockerfile")
          && !f.getFileName().toString().endsWith(".dockerignore")).sorted().toList();
    }
    assertTrue(dockerfiles.size() >= 2, "expected CPU and CUDA Dockerfiles: " + dockerfiles);
    return dockerfiles.stream().map(file -> DynamicTest.dynamicTest(
        file.getFileName().toString(), () -> check(parse(file))));
  }

  private static void check(List<Instruction> instructions) throws Exception {
    long stages = instructions.stream().filter(i -> i.keyword().equals("FROM")).count();
    assertTrue(stages >= 2, "multi-stage: a build stage and a runtime stage");
    int lastFrom = 0;
    for (int i = 0; i < instructions.size(); i++) {
      Instruction in = instructions.get(i);
      if (in.keyword().equals("FROM")) {
        lastFrom = i;
      }
      if ((in.keyword().equals("COPY") || in.keyword().equals("ADD"))
          && in.args().stream().noneMatch(a -> a.startsWith("--from="))) {
        List<String> paths = in.args().stream().filter(a -> !a.startsWith("--")).toList();
        for (String source : paths.subList(0, paths.size() - 1)) {
          assertExists(source);
        }
      }
    }
    List<Instruction> runtime = instructions.subList(lastFrom, instructions.size());
    String user = runtime.stream().filter(i -> i.keyword().equals("USER"))
        .reduce((a, b) -> b).map(i -> i.args().get(0)).orElse("root");
    assertFalse(user.equals("root") || user.startsWith("0"), "the runtime stage runs as " + user);
    assertTrue(runtime.stream().anyMatch(i -> i.keyword().equals("HEALTHCHECK")),
        "the runtime stage has no HEALTHCHECK");
  }

  private static void assertExists(String source) throws Exception {
    if (!source.contains("*") && !source.contains("?")) {
      assertTrue(Files.exists(Repo.path(source)), "COPY source " + source + " is not in the repo");
      return;
    }
    PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + source);
    try (Stream<Path> files = Files.walk(Repo.root(), 3)) {
      assertTrue(files.map(Repo.root()::relativize).anyMatch(glob::matches),
          "COPY source " + source + " matches nothing in the repo");
    }
  }

  /** Instructions with continuation lines joined, comments dropped, JSON-array form split. */
  static List<Instruction> parse(Path dockerfile) throws Exception {
    List<Instruction> out = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String raw : Files.readAllLines(dockerfile)) {
      String trimmed = raw.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && line.isEmpty())) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        line.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      line.append(trimmed);
      String[] words = line.toString().strip().split("\\s+", 2);
      String rest = words.length > 1 ? words[1].strip() : "";
      List<String> args = rest.startsWith("[")
          ? Arrays.stream(rest.substring(1, rest.lastIndexOf(']')).split(","))
              .map(s -> s.strip().replaceAll("^\"|\"$", "")).toList()
          : Arrays.asList(rest.split("\\s+"));
      out.add(new Instruction(words[0].toUpperCase(Locale.ROOT), args));
      line.setLength(0);
    }
    return out;
  }
}
