package io.steerd.api;

import static io.steerd.api.ApiValidationTest.layer;
import static io.steerd.api.ApiValidationTest.ramp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.steerd.v1.ContrastPair;
import io.steerd.v1.DeleteVectorRequest;
import io.steerd.v1.ExtractVectorRequest;
import io.steerd.v1.ExtractionMethod;
import io.steerd.v1.GetVectorRequest;
import io.steerd.v1.ListVectorsRequest;
import io.steerd.v1.PutVectorRequest;
import io.steerd.v1.Vector;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registered vectors outlive the server: a new server on the same data dir serves them. */
class VectorRegistryRestartTest {
  @TempDir Path dataDir;

  @Test
  void putAndExtractedVectorsSurviveARestartAndDeletesToo() throws Exception {
    Vector put;
    Vector extracted;
    try (LiveServer first = LiveServer.start(dataDir)) {
      put = first.steer().putVector(PutVectorRequest.newBuilder().setVector(Vector.newBuilder()
          .setId("put.v1")
          .setDescription("two layers, put by hand")
          .addLayers(layer(1, ramp(1)))
          .addLayers(layer(3, ramp(3)))).build());
      extracted = first.steer().extractVector(ExtractVectorRequest.newBuilder()
          .setId("happy-sad")
          .setDescription("happy minus sad")
          .addPairs(ContrastPair.newBuilder().setPositive("Tom was happy").setNegative("Tom was sad"))
          .addPairs(ContrastPair.newBuilder().setPositive("Lily smiled").setNegative("Lily cried"))
          .addLayers(4).addLayers(0).addLayers(2)
          .build());
    }
    assertTrue(put.hasCreateTime());
    assertEquals(ExtractionMethod.MEAN_DIFFERENCE, extracted.getExtraction().getMethod());
    assertEquals(2, extracted.getExtraction().getPairCount());
    assertEquals(List.of(4, 0, 2), extracted.getLayersList().stream()
        .map(lv -> lv.getLayer()).toList());
    assertEquals(3, extracted.getExtraction().getNormsCount());
    assertTrue(extracted.getExtraction().getNorms(0).getNorm() > 0);

    try (LiveServer second = LiveServer.start(dataDir)) {
      // Sorted by id, every field as it was answered before the restart.
      assertEquals(List.of(extracted, put), second.steer()
          .listVectors(ListVectorsRequest.getDefaultInstance()).getVectorsList());
      assertEquals(put, get(second, "put.v1"));
      assertEquals(extracted, get(second, "happy-sad"));
      second.steer().deleteVector(DeleteVectorRequest.newBuilder().setId("put.v1").build());
    }

    try (LiveServer third = LiveServer.start(dataDir)) {
      assertEquals(List.of(extracted), third.steer()
          .listVectors(ListVectorsRequest.getDefaultInstance()).getVectorsList());
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> get(third, "put.v1"));
      assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
      third.assertHealthy();
    }
  }

  /** Ids may contain ".pb" (the file suffix) anywhere; the server must still restart. */
  @Test
  void idsContainingTheFileSuffixSurviveARestart() throws Exception {
    List<String> ids = List.of("a.pb", "x.pb.y", "z.pbz");
    try (LiveServer first = LiveServer.start(dataDir)) {
      for (String id : ids) {
        first.steer().putVector(PutVectorRequest.newBuilder().setVector(Vector.newBuilder()
            .setId(id).addLayers(layer(0, ramp(id.length())))).build());
      }
    }
    try (LiveServer second = LiveServer.start(dataDir)) {
      assertEquals(ids, second.steer().listVectors(ListVectorsRequest.getDefaultInstance())
          .getVectorsList().stream().map(Vector::getId).toList());
      second.assertHealthy();
    }
  }

  private static Vector get(LiveServer live, String id) {
    return live.steer().getVector(GetVectorRequest.newBuilder().setId(id).build());
  }
}
