package io.steerd.steering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import io.steerd.v1.LayerValues;
import io.steerd.v1.Vector;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Completions that arrive late must not overwrite what was stored in the meantime. */
class VectorRegistryRacesTest {
  @TempDir Path dataDir;

  private static Vector vector(String id, long seconds, float value) {
    return Vector.newBuilder().setId(id)
        .setCreateTime(Timestamp.newBuilder().setSeconds(seconds))
        .addLayers(LayerValues.newBuilder().setLayer(0).addValues(value)).build();
  }

  @Test
  void putIfAbsentKeepsTheFirst() throws Exception {
    VectorRegistry registry = VectorRegistry.open(dataDir);
    assertTrue(registry.putIfAbsent(vector("v", 1, 1f)));
    assertFalse(registry.putIfAbsent(vector("v", 2, 2f)));
    assertEquals(1f, VectorRegistry.open(dataDir).require("v", "id").getLayers(0).getValues(0));
  }

  @Test
  void updateIfUnchangedLosesToAPutOrDeleteInBetween() throws Exception {
    VectorRegistry registry = VectorRegistry.open(dataDir);
    Vector swept = vector("v", 1, 1f);
    registry.put(swept);
    assertTrue(registry.updateIfUnchanged(swept, v -> v.toBuilder().setDescription("swept").build()));
    assertEquals("swept", registry.require("v", "id").getDescription());

    registry.put(vector("v", 2, 2f)); // replaced while a second sweep ran
    assertFalse(registry.updateIfUnchanged(swept, v -> v.toBuilder().setDescription("stale").build()));
    assertEquals(2f, registry.require("v", "id").getLayers(0).getValues(0));

    registry.delete("v");
    assertFalse(registry.updateIfUnchanged(swept, v -> v));
    assertFalse(VectorRegistry.open(dataDir).contains("v"), "a late sweep must not resurrect it");
  }
}
