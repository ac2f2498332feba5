package io.steerd.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a program to completion with a time limit, its stdout and stderr merged. */
final class Processes {
  private Processes() {}

  record Result(int exitCode, String output) {}

  static Result run(List<String> command, Path directory, Map<String, String> env,
      Duration limit) throws IOException, InterruptedException {
    Path log = Files.createTempFile("steerd-process", ".log");
    try {
      ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
          .redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor();
        throw new AssertionError(String.join(" ", command) + " ran past " + limit + ":\n"
            + Files.readString(log, StandardCharsets.UTF_8));
      }
      return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** The JVM running the tests, so launched Java programs use the same JDK. */
  static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }
}
