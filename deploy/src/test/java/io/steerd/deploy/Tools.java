package io.steerd.deploy;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * External programs the integration tests drive (kubectl, prometheus, python3, node). A developer
 * without one sees the test skipped with the install command; CI sets STEERD_REQUIRE_TOOLS=1 after
 * installing them, so there a missing tool fails instead of passing quietly.
 */
final class Tools {
  private Tools() {}

  static Optional<Path> onPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Skips (or, in CI, fails) the calling test when a prerequisite is missing. */
  static void require(boolean present, String missing) {
    if (present) {
      return;
    }
    if ("1".equals(System.getenv("STEERD_REQUIRE_TOOLS"))) {
      fail(missing + " (STEERD_REQUIRE_TOOLS=1)");
    }
    Assumptions.abort(missing);
  }

  static Path require(String name, String install) {
    Optional<Path> found = onPath(name);
    require(found.isPresent(), name + " is not on PATH; install it with: " + install);
    return found.orElseThrow();
  }
}
