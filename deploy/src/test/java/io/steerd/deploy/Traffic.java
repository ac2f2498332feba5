package io.steerd.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.steerd.v1.ContrastPair;
import io.steerd.v1.Edit;
import io.steerd.v1.ExtractVectorRequest;
import io.steerd.v1.GenerateRequest;
import io.steerd.v1.GenerateResponse;
import io.steerd.v1.MeasureTradeoffRequest;
import io.steerd.v1.MeasureTradeoffResponse;
import io.steerd.v1.Normalization;
import io.steerd.v1.TradeoffReport;
import io.steerd.v1.SteerServiceGrpc.SteerServiceBlockingStub;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Iterator;
import java.util.List;

/**
 * Requests that make a server export every series the dashboard and alerts read: a vector
 * extracted from the shipped contrast pairs, a sweep, steered and shadowed generations beyond the
 * sweep's break-even norm, plain ones, and a refused request.
 */
final class Traffic {
  static final String VECTOR = "kind";
  private static final List<Integer> LAYERS = List.of(1, 2, 3);

  private Traffic() {}

  /** Everything once, with three steered rounds; returns the tokens generated. */
  static long drive(SteerServiceBlockingStub steer) throws IOException {
    float beyond = setUp(steer);
    long generated = 0;
    for (int i = 0; i < 3; i++) {
      generated += round(steer, beyond);
    }
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () ->
        generate(steer, GenerateRequest.newBuilder().setPrompt("x").setMaxTokens(-1).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
    return generated;
  }

  /**
   * Extracts the vector from the shipped contrast pairs and sweeps it; returns a unit-norm
   * coefficient beyond the break-even norm the sweep found.
   */
  static float setUp(SteerServiceBlockingStub steer) throws IOException {
    ExtractVectorRequest.Builder extract = ExtractVectorRequest.newBuilder().setId(VECTOR)
        .addAllLayers(LAYERS);
    for (String line : Files.readAllLines(Repo.path("probes/tinystories/contrast-pairs.jsonl"))) {
      JsonNode pair = Queries.JSON.readTree(line);
      extract.addPairs(ContrastPair.newBuilder().setPositive(pair.path("positive").asText())
          .setNegative(pair.path("negative").asText()));
    }
    steer.extractVector(extract.build());

    TradeoffReport report = sweep(steer);
    assertTrue(report.hasBreakEvenNorm(), "the sweep must find r* for the break-even series: "
        + report.getBreakEvenReason());
    return (float) (Math.abs(report.getBreakEvenNorm()) + 1);
  }

  /** One steered, shadowed generation beyond break-even and one plain; returns their tokens. */
  static long round(SteerServiceBlockingStub steer, float beyond) {
    return generate(steer, GenerateRequest.newBuilder().setPrompt("Once upon a time")
            .setMaxTokens(16).setTemperature(0).setShadow(true)
            .addEdits(Edit.newBuilder().setVectorId(VECTOR).addAllLayers(LAYERS)
                .setCoefficient(beyond).setNormalization(Normalization.UNIT))
            .build())
        + generate(steer, GenerateRequest.newBuilder().setPrompt("The dog")
            .setMaxTokens(16).setTemperature(0).build());
  }

  private static TradeoffReport sweep(SteerServiceBlockingStub steer) {
    Iterator<MeasureTradeoffResponse> stream = steer.measureTradeoff(MeasureTradeoffRequest
        .newBuilder().setVectorId(VECTOR).addAllLayers(LAYERS).setFrom(-8).setTo(8).setSteps(9)
        .build());
    TradeoffReport report = null;
    while (stream.hasNext()) {
      MeasureTradeoffResponse response = stream.next();
      if (response.hasReport()) {
        report = response.getReport();
      }
    }
    assertTrue(report != null, "the sweep stream ended without a report");
    return report;
  }

  private static long generate(SteerServiceBlockingStub steer, GenerateRequest request) {
    Iterator<GenerateResponse> stream = steer.generate(request);
    long tokens = 0;
    while (stream.hasNext()) {
      GenerateResponse response = stream.next();
      if (response.hasSummary()) {
        tokens = response.getSummary().getGeneratedTokens();
      }
    }
    return tokens;
  }
}
