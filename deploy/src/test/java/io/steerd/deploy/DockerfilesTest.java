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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        file.getFileName().toString(), () -> check(file, parse(file))));
  }

  private static void check(Path file, List<Instruction> instructions) throws Exception {
    List<String> sources = new ArrayList<>();
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
          sources.add(source.replaceAll("/$", "").replaceFirst("^\\./", ""));
        }
      }
    }
    // Maven refuses a reactor with a listed module missing, even one -pl leaves out.
    for (String module : modules()) {
      assertTrue(sources.contains(module) || sources.contains(module + "/pom.xml"),
          "the build stage does not copy module " + module + " of pom.xml");
    }
    Path ignore = file.resolveSibling(file.getFileName() + ".dockerignore");
    if (Files.exists(ignore)) {
      List<String> patterns = Files.readAllLines(ignore).stream().map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
      for (String source : sources) {
        assertFalse(ignored(patterns, source), ignore.getFileName() + " leaves out " + source
            + ", which the Dockerfile copies");
      }
    }
    List<Instruction> runtime = instructions.subList(lastFrom, instructions.size());
    String user = runtime.stream().filter(i -> i.keyword().equals("USER"))
        .reduce((a, b) -> b).map(i -> i.args().get(0)).orElse("root");
    String uid = user.split(":")[0];
    assertFalse(uid.equals("root") || uid.equals("0"), "the runtime stage runs as " + user);
    assertTrue(runtime.stream().anyMatch(i -> i.keyword().equals("HEALTHCHECK")),
        "the runtime stage has no HEALTHCHECK");
  }

  private static List<String> modules() throws Exception {
    List<String> modules = new ArrayList<>();
    Matcher m = Pattern.compile("<module>([^<]+)</module>")
        .matcher(Files.readString(Repo.path("pom.xml")));
    while (m.find()) {
      modules.add(m.group(1));
    }
    assertFalse(modules.isEmpty());
    return modules;
  }

  /**
   * Docker's rule, simplified to what these files use: the last pattern matching the path or one
   * of its parent directories decides, and a leading '!' re-includes.
   */
  static boolean ignored(List<String> patterns, String path) {
    boolean ignored = false;
    for (String pattern : patterns) {
      boolean include = pattern.startsWith("!");
      String glob = (include ? pattern.substring(1) : pattern).replaceAll("/$", "");
      PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
      for (Path p = Path.of(path); p != null; p = p.getParent()) {
        if (matcher.matches(p)) {
          ignored = !include;
          break;
        }
      }
    }
    return ignored;
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
