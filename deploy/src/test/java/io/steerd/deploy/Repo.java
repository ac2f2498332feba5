package io.steerd.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the checkout, the shared model and the built jars are; Maven passes them to the tests. */
final class Repo {
  private Repo() {}

  static Path root() {
    return property("steerd.repo");
  }

  static Path path(String relative) {
    return root().resolve(relative);
  }

  static Path model() {
    return property("steerd.shared").resolve("models/stories260K");
  }

  static Path serverJar() {
    return existing(property("steerd.serverJar"));
  }

  static Path steerctlJar() {
    return existing(property("steerd.steerctlJar"));
  }

  private static Path existing(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(file + " is missing; run the tests through Maven (mvn -B "
          + "verify), which packages it first");
    }
    return file;
  }

  private static Path property(String name) {
    String value = System.getProperty(name);
    if (value == null) {
      throw new IllegalStateException("system property " + name + " is unset; run the tests "
          + "through Maven (mvn -B verify)");
    }
    return Path.of(value).toAbsolutePath().normalize();
  }
}
