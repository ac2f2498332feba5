package io.steerd;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Locates the read-only shared folder (models, data) that sits beside the checkout. Surefire
 * passes it as {@code steerd.shared}; an IDE run from the repository or module directory finds
 * it by walking up.
 */
public final class SharedFiles {
  private SharedFiles() {}

  public static Path shared() {
    List<Path> candidates = new ArrayList<>();
    String property = System.getProperty("steerd.shared");
    if (property != null) {
      candidates.add(Path.of(property));
    }
    candidates.add(Path.of("..", "shared"));
    candidates.add(Path.of("..", "..", "shared"));
    for (Path candidate : candidates) {
      if (Files.isDirectory(candidate.resolve("models"))) {
        return candidate.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException("no shared folder with models/ among " + candidates
        + " (working directory " + Path.of("").toAbsolutePath() + ")");
  }

  /** The folder holding stories260K.bin and its tok512.bin. */
  public static Path stories260K() {
    return shared().resolve("models").resolve("stories260K");
  }
}
