package io.steerd.steering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.Timestamps;
import io.steerd.errors.SteerdException;
import io.steerd.v1.LayerValues;
import io.steerd.v1.Vector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VectorRegistryTest {
  @TempDir Path dataDir;

  @Test
  void putWritesOneCompleteFileAndNoTemporaryOnes() throws IOException {
    VectorRegistry registry = VectorRegistry.open(dataDir);
    Vector v = vector("steer.me", 1f, 0, 2);
    registry.put(v);

    Path file = dataDir.resolve("vectors").resolve("steer.me.pb");
    assertEquals(v, Vector.parseFrom(Files.readAllBytes(file)));
    assertEquals(List.of("steer.me.pb"), fileNames());
  }

  @Test
  void replacingAVectorLeavesOnlyTheNewOne() throws IOException {
    VectorRegistry registry = VectorRegistry.open(dataDir);
    registry.put(vector("v", 1f, 0));
    Vector replacement = vector("v", -2f, 1, 2, 3);
    registry.put(replacement);

    assertEquals(replacement, registry.get("v").orElseThrow());
    assertEquals(replacement, Vector.parseFrom(
        Files.readAllBytes(dataDir.resolve("vectors").resolve("v.pb"))));
    assertEquals(List.of("v.pb"), fileNames());
    assertEquals(List.of(replacement), VectorRegistry.open(dataDir).list());
  }

  @Test
  void reopeningLoadsEveryVectorSortedById() throws IOException {
    VectorRegistry registry = VectorRegistry.open(dataDir);
    Vector b = vector("b", 2f, 4);
    Vector a = vector("a", 1f, 0);
    Vector suffixed = vector("c.pb", 3f, 1);
    registry.put(b);
    registry.put(a);
    registry.put(suffixed);

    VectorRegistry reopened = VectorRegistry.open(dataDir);
    assertEquals(List.of(a, b, suffixed), reopened.list());
  }

  @Test
  void deleteRemovesTheFile() throws IOException {
    VectorRegistry registry = VectorRegistry.open(dataDir);
    registry.put(vector("gone", 1f, 0));
    registry.put(vector("kept", 1f, 0));

    assertTrue(registry.delete("gone"));
    assertFalse(registry.delete("gone"));
    assertEquals(List.of("kept.pb"), fileNames());
    assertEquals(List.of("kept"), VectorRegistry.open(dataDir).list().stream()
        .map(Vector::getId).toList());
  }

  @Test
  void requireNamesTheFieldOfAnUnknownId() throws IOException {
    VectorRegistry registry = VectorRegistry.open(dataDir);
    SteerdException e = assertThrows(SteerdException.class,
        () -> registry.require("nope", "edits[2].vector_id"));
    assertEquals(SteerdException.Kind.NOT_FOUND, e.kind());
    assertTrue(e.getMessage().startsWith("edits[2].vector_id: "), e.getMessage());
  }

  @Test
  void aFileHoldingAnotherIdIsRefusedOnOpen() throws IOException {
    Path dir = Files.createDirectories(dataDir.resolve("vectors"));
    Files.write(dir.resolve("one.pb"), vector("two", 1f, 0).toByteArray());
    IOException e = assertThrows(IOException.class, () -> VectorRegistry.open(dataDir));
    assertTrue(e.getMessage().contains("'two'"), e.getMessage());
  }

  private List<String> fileNames() throws IOException {
    try (Stream<Path> files = Files.list(dataDir.resolve("vectors"))) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static Vector vector(String id, float scale, int... layers) {
    Vector.Builder v = Vector.newBuilder().setId(id).setDescription("test " + id)
        .setCreateTime(Timestamps.fromMillis(1_700_000_000_000L));
    for (int l : layers) {
      LayerValues.Builder lv = LayerValues.newBuilder().setLayer(l);
      for (int i = 0; i < 64; i++) {
        lv.addValues(scale * (i - 31.5f) / 64);
      }
      v.addLayers(lv);
    }
    return v.build();
  }
}
