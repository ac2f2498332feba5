package io.steerd.steering;

import io.steerd.errors.SteerdException;
import io.steerd.v1.Vector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Registered steering vectors, kept in memory and in {@code <data-dir>/vectors/<id>.pb}, one
 * binary Vector message per file. A put is durable before it returns: the file is written to a
 * temporary name, forced to disk, and renamed over the old one, so a crash leaves either the old
 * vector or the new one, never a torn file.
 */
public final class VectorRegistry {
  /** Ids double as file names, so they are restricted to characters safe on every filesystem. */
  public static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final String SUFFIX = ".pb";

  private final Path dir;
  private final ConcurrentSkipListMap<String, Vector> vectors = new ConcurrentSkipListMap<>();

  private VectorRegistry(Path dir) {
    this.dir = dir;
  }

  /** Opens (creating if needed) the registry under {@code dataDir} and loads every vector. */
  public static VectorRegistry open(Path dataDir) throws IOException {
    Path dir = dataDir.resolve("vectors");
    Files.createDirectories(dir);
    VectorRegistry registry = new VectorRegistry(dir);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path file : files) {
        Vector v = Vector.parseFrom(Files.readAllBytes(file));
        String name = file.getFileName().toString();
        // Only the trailing suffix: ids may themselves contain ".pb" (e.g. "a.pb.b").
        String expected = name.substring(0, name.length() - SUFFIX.length());
        if (!v.getId().equals(expected)) {
          throw new IOException(file + " holds vector '" + v.getId() + "', not '" + expected + "'");
        }
        registry.vectors.put(v.getId(), v);
      }
    }
    return registry;
  }

  public Optional<Vector> get(String id) {
    return Optional.ofNullable(vectors.get(id));
  }

  public Vector require(String id, String field) {
    Vector v = vectors.get(id);
    if (v == null) {
      throw SteerdException.notFound(field + ": no vector with id '" + id + "'");
    }
    return v;
  }

  /** Sorted by id. */
  public List<Vector> list() {
    return List.copyOf(vectors.values());
  }

  public boolean contains(String id) {
    return vectors.containsKey(id);
  }

  /** Stores a validated vector durably, replacing any with the same id. */
  public synchronized void put(Vector vector) {
    Path target = dir.resolve(vector.getId() + SUFFIX);
    Path temp = dir.resolve("." + vector.getId() + SUFFIX + ".tmp");
    try {
      try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        ByteBuffer bytes = ByteBuffer.wrap(vector.toByteArray());
        while (bytes.hasRemaining()) {
          out.write(bytes);
        }
        out.force(true);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncDirectory();
    } catch (IOException e) {
      throw new UncheckedIOException("could not store vector " + vector.getId(), e);
    }
    vectors.put(vector.getId(), vector);
  }

  /** Stores {@code vector} unless its id is taken; false if it was. */
  public synchronized boolean putIfAbsent(Vector vector) {
    if (vectors.containsKey(vector.getId())) {
      return false;
    }
    put(vector);
    return true;
  }

  /**
   * Replaces {@code expected} with {@code change(expected)} only if the stored vector is still
   * {@code expected} (same creation time): a put or delete in between wins, and false says so.
   */
  public synchronized boolean updateIfUnchanged(Vector expected, UnaryOperator<Vector> change) {
    Vector current = vectors.get(expected.getId());
    if (current == null || !current.getCreateTime().equals(expected.getCreateTime())) {
      return false;
    }
    put(change.apply(current));
    return true;
  }

  /** Removes a vector; false if there was none. */
  public synchronized boolean delete(String id) {
    if (!vectors.containsKey(id)) {
      return false;
    }
    try {
      Files.deleteIfExists(dir.resolve(id + SUFFIX));
      syncDirectory();
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete vector " + id, e);
    }
    vectors.remove(id);
    return true;
  }

  /** Makes the rename or unlink itself durable, not just the file's contents. */
  private void syncDirectory() throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }
}
